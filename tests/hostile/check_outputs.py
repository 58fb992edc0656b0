#!/usr/bin/env python3
"""Checks octavo's outputs for active content and damage.

usage: check_outputs.py FILE...   (.epub or .pdf)

EPUB: a complete zip whose mimetype comes first; every XHTML file is
well-formed XML with no script-like element, no on* attribute, and no
link or source whose scheme is not http, https, mailto, ftp, ftps or tel.
PDF: a header and a trailer, and no JavaScript, Launch or non-web URI action.
Prints one line per problem and exits 1 when there is any.
"""
import re
import sys
import xml.etree.ElementTree as ET
import zipfile

SAFE = ("http:", "https:", "mailto:", "ftp:", "ftps:", "tel:")
BAD_ELEMENTS = {"script", "iframe", "object", "embed", "applet", "form", "base", "frame",
                "frameset", "style"}
URL_ATTRS = {"href", "src", "action", "formaction", "poster", "data", "background", "xlink:href"}


def local(name):
    return name.rsplit("}", 1)[-1]


def check_url(value):
    v = re.sub(r"[\x00-\x20]", "", value).lower()
    m = re.match(r"^([a-z][a-z0-9+.-]*):", v)
    return m is None or v.startswith(SAFE)


def check_epub(path, problems):
    try:
        z = zipfile.ZipFile(path)
    except zipfile.BadZipFile as e:
        problems.append("%s: not a zip (%s)" % (path, e))
        return
    with z:
        bad = z.testzip()
        if bad:
            problems.append("%s: corrupt member %s" % (path, bad))
        names = z.namelist()
        if not names or names[0] != "mimetype" or z.read("mimetype") != b"application/epub+zip":
            problems.append("%s: mimetype is not the first entry" % path)
        for name in names:
            if not name.endswith((".xhtml", ".opf", ".ncx")):
                continue
            data = z.read(name)
            try:
                root = ET.fromstring(data)
            except ET.ParseError as e:
                problems.append("%s:%s: not well-formed XML (%s)" % (path, name, e))
                continue
            for el in root.iter():
                tag = local(el.tag) if isinstance(el.tag, str) else ""
                if tag in BAD_ELEMENTS:
                    problems.append("%s:%s: <%s> element" % (path, name, tag))
                for attr, value in el.attrib.items():
                    a = local(attr).lower()
                    if a.startswith("on"):
                        problems.append("%s:%s: %s= attribute on <%s>" % (path, name, a, tag))
                    if (a in URL_ATTRS or attr.endswith("}href")) and not check_url(value):
                        problems.append("%s:%s: %s='%s'" % (path, name, a, value[:60]))


def check_pdf(path, problems):
    with open(path, "rb") as f:
        data = f.read()
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        problems.append("%s: no PDF header or trailer (partial file?)" % path)
    for needle in (b"/JavaScript", b"/JS ", b"/JS(", b"/Launch", b"/SubmitForm", b"/ImportData"):
        if needle in data:
            problems.append("%s: contains %s" % (path, needle.decode()))
    for m in re.finditer(rb"/URI\s*\(((?:\\.|[^\\)])*)\)", data):
        uri = m.group(1).decode("latin-1")
        if not check_url(uri) or not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", uri):
            problems.append("%s: link URI '%s'" % (path, uri[:60]))


def main():
    problems = []
    for path in sys.argv[1:]:
        if path.endswith(".epub"):
            check_epub(path, problems)
        elif path.endswith(".pdf"):
            check_pdf(path, problems)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
