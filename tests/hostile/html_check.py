#!/usr/bin/env python3
"""Checks an EPUB built from hostile HTML by parsing its XHTML (never by
grepping): every chapter is well-formed XML; no element of the removed list
is live markup; no on* or style attribute; no href or src with a
javascript:, vbscript: or data: URL; the words given must not appear in any
text node, and the words after '+' must.

usage: html_check.py BOOK.epub [-WORD ...] [+WORD ...]
"""
import re
import sys
import zipfile
import xml.etree.ElementTree as ET

REMOVED = {"script", "style", "iframe", "object", "embed", "form", "input", "button", "select",
           "option", "textarea", "template", "noscript", "base", "meta", "link", "svg"}
BAD_URL = re.compile(r"^\s*(javascript|vbscript|data):", re.I)


def main():
    epub, words = sys.argv[1], sys.argv[2:]
    problems, texts = [], []
    with zipfile.ZipFile(epub) as z:
        for name in z.namelist():
            if not name.endswith(".xhtml") or "/text/" not in name:
                continue
            try:
                root = ET.fromstring(z.read(name))
            except ET.ParseError as e:
                problems.append("%s: not well-formed: %s" % (name, e))
                continue
            head = root.find("{http://www.w3.org/1999/xhtml}head")
            for e in root.iter():
                tag = e.tag.split("}")[-1]
                in_head = head is not None and any(e is h for h in head.iter())
                if tag in REMOVED and not (in_head and tag in ("meta", "link")):
                    problems.append("%s: live <%s>" % (name, tag))
                for a, v in e.attrib.items():
                    a = a.split("}")[-1].lower()
                    if a.startswith("on") or a == "style":
                        problems.append("%s: <%s %s=...>" % (name, tag, a))
                    if a in ("href", "src") and BAD_URL.match(v):
                        problems.append("%s: <%s %s=%r>" % (name, tag, a, v[:40]))
                texts.append(e.text or "")
                texts.append(e.tail or "")
    alltext = " ".join(texts)
    for w in words:
        if w.startswith("-") and w[1:] in alltext:
            problems.append("text shows %r" % w[1:])
        if w.startswith("+") and w[1:] not in alltext:
            problems.append("text lacks %r" % w[1:])
    for p in problems[:10]:
        print(p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
