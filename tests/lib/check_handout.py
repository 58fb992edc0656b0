#!/usr/bin/env python3
"""Checks a handout (octavo build --chapters LIST) against the book's sources.

usage: check_handout.py BOOKDIR FULL.epub HANDOUT.pdf HANDOUT.epub PROFILE N [N...]

BOOKDIR holds book.yaml; N are the 1-based chapters the handout was asked
for. Prints one line per failed check ("FAIL ...") and a closing count line;
exit 1 when any check failed. What it checks:
- the PDF text holds every chosen chapter's first heading and no other
  chapter's; its first page says which chapters it holds;
- every link annotation in the PDF either points outside (URI) or at a named
  destination the PDF defines; there are exactly as many internal ones as
  the chosen chapters' links that stay inside them;
- in print, every link into a chapter left out is followed by
  "(in the full book)"; on screen that note never appears;
- the EPUB has one chapter document per chosen chapter, in order, in the
  spine and the nav; every internal href of its XHTML reaches a file in the
  EPUB and an id in it; its identifier differs from the full book's."""
import json
import re
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

XHTML = "{http://www.w3.org/1999/xhtml}"
fails = []


def check(cond, what):
    if not cond:
        fails.append(what)


def chapters(bookdir):
    files, inlist = [], False
    for line in open(bookdir + "/book.yaml", encoding="utf-8"):
        if line.startswith("chapters:"):
            inlist = True
            continue
        m = re.match(r"\s+-\s+(\S+)", line)
        if inlist and m:
            files.append(m.group(1))
        elif inlist and line.strip() and not line.startswith(" "):
            inlist = False
    return files


def first_heading(path):
    for line in open(path, encoding="utf-8"):
        if line.startswith("# "):
            return line[2:].strip()
    return None


def md_links(path):
    """(text, target) of the Markdown links (not images) in a chapter."""
    text = open(path, encoding="utf-8").read()
    return re.findall(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)", text)


def pdf_text(pdf):
    return subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout


def squash(s):
    return re.sub(r"\s+", " ", s.replace("\u00ad", ""))


def pdf_links(pdf):
    """(internal named destinations used, uri count, defined names)."""
    js = json.loads(subprocess.run(["qpdf", "--json-output", pdf, "-"], capture_output=True,
                                   check=True).stdout)
    objs = js["qpdf"][1]
    names, internal, uris = set(), [], 0
    for key, o in objs.items():
        v = o.get("value") if isinstance(o, dict) else None
        if not isinstance(v, dict):
            continue
        if v.get("/Names") and isinstance(v["/Names"], list):
            names.update(x[2:] if isinstance(x, str) and x.startswith("u:") else x
                         for x in v["/Names"][0::2])
        if v.get("/Subtype") == "/Link":
            a = v.get("/A")
            if isinstance(a, str):
                a = objs.get("obj:" + a, {}).get("value", {})
            d = v.get("/Dest")
            if isinstance(a, dict) and a.get("/S") == "/URI":
                uris += 1
            elif d is not None or (isinstance(a, dict) and a.get("/S") == "/GoTo"):
                dest = d if d is not None else a.get("/D")
                internal.append(dest[2:] if isinstance(dest, str) and dest.startswith("u:")
                                else dest)
    return internal, uris, names, objs


def main():
    bookdir, full_epub, pdf, epub, profile = sys.argv[1:6]
    chosen = [int(x) for x in sys.argv[6:]]
    files = chapters(bookdir)
    kept = [files[n - 1] for n in chosen]
    stems = {f.rsplit("/", 1)[-1] for f in kept}

    text = squash(pdf_text(pdf))
    for i, f in enumerate(files):
        h = first_heading(bookdir + "/" + f)
        if not h:
            continue
        if (i + 1) in chosen:
            check(h in text, f"PDF lacks chosen chapter {i + 1}'s heading '{h}'")
        else:
            # the heading may be quoted as a link's text; as a heading it
            # would also be a contents entry followed by dot leaders
            check(not re.search(re.escape(h) + r" \. \.", text),
                  f"PDF's contents list chapter {i + 1} ('{h}'), which was left out")
    first = squash(subprocess.run(["pdftotext", "-l", "1", pdf, "-"], capture_output=True,
                                  text=True, check=True).stdout)
    word = "Chapter " if len(chosen) == 1 else "Chapters "
    check(word in first and "of the full book" in first,
          f"title page does not say which chapters: {first[:200]!r}")

    # links: inside the handout, into chapters left out
    inside = outside = 0
    omitted_texts = []
    for f in kept:
        for label, t in md_links(bookdir + "/" + f):
            if re.match(r"[a-z]+:", t):
                continue
            target = t.split("#", 1)[0].rsplit("/", 1)[-1]
            if target == "" or target in stems:
                inside += 1
            elif target.endswith(".md"):
                outside += 1
                omitted_texts.append(squash(label))
    internal, uris, names, objs = pdf_links(pdf)

    def reaches_page(d):
        """A named destination the PDF defines, or an explicit one (maybe
        indirect) whose first element is a page of this PDF."""
        if isinstance(d, str) and re.fullmatch(r"\d+ \d+ R", d):
            d = objs.get("obj:" + d, {}).get("value")
        if isinstance(d, list) and d and isinstance(d[0], str):
            page = objs.get("obj:" + d[0], {}).get("value", {})
            return isinstance(page, dict) and page.get("/Type") == "/Page"
        return isinstance(d, str) and d in names

    undefined = [d for d in internal if not reaches_page(d)]
    check(not undefined, f"PDF links to destinations that reach no page: {undefined[:5]}")
    # the contents page and bookmarks add links of their own: count only
    # those whose destination is a heading inside the body (not the title)
    check(len(internal) >= inside, f"PDF has {len(internal)} internal links, want >= {inside}")
    notes = text.count("(in the full book)")
    if profile == "print":
        check(notes == outside, f"print: {notes} '(in the full book)' notes, want {outside}")
    else:
        check(notes == 0, f"screen: {notes} '(in the full book)' notes, want 0")

    # EPUB
    z = zipfile.ZipFile(epub)
    opf_name = [n for n in z.namelist() if n.endswith(".opf")][0]
    opf = ET.fromstring(z.read(opf_name))
    ns = {"o": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/"}
    ident = opf.find(".//dc:identifier", ns).text
    zf = zipfile.ZipFile(full_epub)
    full_opf = ET.fromstring(zf.read([n for n in zf.namelist() if n.endswith(".opf")][0]))
    check(ident != full_opf.find(".//dc:identifier", ns).text,
          "handout EPUB has the full book's identifier")
    base = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
    items = {i.get("id"): i.get("href") for i in opf.find("o:manifest", ns)}
    spine = [items[r.get("idref")] for r in opf.find("o:spine", ns)]
    body_docs = [h for h in spine if h not in ("cover.xhtml", "title.xhtml", "nav.xhtml")
                 and not h.startswith("title") and not h.startswith("cover")]
    check(len(body_docs) == len(kept),
          f"EPUB spine has {len(body_docs)} chapter documents, want {len(kept)}: {body_docs}")
    ids = {}
    for name in z.namelist():
        if name.endswith(".xhtml"):
            root = ET.fromstring(z.read(name))
            ids[name] = {e.get("id") for e in root.iter() if e.get("id")}
    for name in ids:
        root = ET.fromstring(z.read(name))
        for a in root.iter(XHTML + "a"):
            href = a.get("href")
            if not href or re.match(r"[a-z]+:", href):
                continue
            f, _, frag = href.partition("#")
            d = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
            target = d + f if f else name
            check(target in ids, f"{name}: link {href} to a file not in the EPUB")
            if frag and target in ids:
                check(frag in ids[target], f"{name}: link {href}: no id '{frag}'")
    # a link into a chapter left out is text, not a link, in the EPUB
    anchors = [squash("".join(a.itertext())) for name in ids
               for a in ET.fromstring(z.read(name)).iter(XHTML + "a")]
    for label in omitted_texts:
        check(label not in anchors, f"EPUB still links '{label}' to a chapter left out")
    sel = [p for name in ids for p in ET.fromstring(z.read(name)).iter(XHTML + "p")
           if p.get("class") == "selection"]
    check(len(sel) == 1 and "of the full book" in "".join(sel[0].itertext()),
          "EPUB title page does not say which chapters")

    for f in fails:
        print("FAIL", f)
    print(f"handout {','.join(map(str, chosen))} ({profile}): {len(fails)} failed, "
          f"{inside} links inside, {outside} into chapters left out, "
          f"{len(internal)} internal and {uris} external link annotations")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
