#!/usr/bin/env python3
"""Checks page references and the EPUB's page-list against a PDF.

usage: check_page_refs.py refs PDF MIN_REFS
         every internal link of a print PDF whose text ends in "(p. N)": N
         is the label of the page its destination is on, and where the
         destination is a heading (a bookmark names it), pdftotext finds
         the heading's words on that page; at least MIN_REFS of them; every
         internal link in the body says its page.
       check_page_refs.py norefs PDF
         a screen PDF: no "(p. N)" anywhere.
       check_page_refs.py pagelist PDF EPUB
         the EPUB's page-list has one entry per PDF page, with the PDF's
         labels (roman front matter, then 1, 2, ...); every entry's marker
         is a pagebreak span in the XHTML, in page order through the spine;
         for every body page with text, its first words (pdftotext -f N -l
         N, running head and folio left out) follow the page's marker in
         the XHTML's text.
Prints one summary line; exits 1 with the problems otherwise."""
import html
import json
import os
import re
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB_NS = "{http://www.idpf.org/2007/ops}"


def run(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def roman(n):
    out = ""
    for v, s in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                 (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= v:
            out += s
            n -= v
    return out


def pdf_info(path):
    """(labels, pages) from qpdf --json: the label of each page, and per page
    its object id, its link annotations and its bookmarks."""
    d = json.loads(run("qpdf", "--json=2", path))
    objs = d["qpdf"][1]

    def obj(ref):
        v = objs.get("obj:" + ref)
        return v.get("value") if isinstance(v, dict) else None

    pages = d["pages"]
    ids = {p["object"]: i for i, p in enumerate(pages)}
    labels, style, start, base = [], "/D", 1, 0
    for i, p in enumerate(pages):
        lab = p.get("label")
        if lab is not None and (i == 0 or lab != pages[i - 1].get("label")):
            style, start, base = lab.get("/S", "/D"), lab.get("/St", 1), i
        n = start + i - base
        labels.append(roman(n) if style == "/r" else str(n))
    info = []
    for i, p in enumerate(pages):
        page = obj(p["object"]) or {}
        annots = page.get("/Annots") or []
        if isinstance(annots, str):
            annots = obj(annots) or []
        links = []
        for a in annots:
            av = obj(a) if isinstance(a, str) else a
            if not av or av.get("/Subtype") != "/Link" or "/Dest" not in av:
                continue
            dest = av["/Dest"]
            if isinstance(dest, str):
                dest = obj(dest)
            target = ids.get(dest[0]) if dest else None
            name = av.get("/Contents", "")
            links.append((av["/Rect"], target, name[2:] if name.startswith("u:") else name))
        marks = [(o["title"], ids.get(o["dest"][0]) if o.get("dest") else None)
                 for o in p.get("outlines", [])]
        info.append({"links": links, "marks": marks})
    return labels, info


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def page_words(pdf, n):
    """Words of page n (1-based) with their boxes, top-left origin."""
    out = run("pdftotext", "-f", str(n), "-l", str(n), "-bbox", pdf, "-")
    h = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', out).group(1))
    return h, [(float(a), float(b), float(c), float(d), html.unescape(t))
               for a, b, c, d, t in WORD.findall(out)]


def norm(s):
    return [w for w in (re.sub(r"[^\w]", "", x).lower() for x in s.split()) if w]


def check_refs(pdf, min_refs):
    labels, info = pdf_info(pdf)
    texts = run("pdftotext", pdf, "-").split("\f")
    problems, found, heads, bare = [], 0, 0, 0
    for i, pg in enumerate(info):
        if not pg["links"]:
            continue
        h, words = page_words(pdf, i + 1)
        # no "(p. N)" sticks out of the measure: the right edge is where
        # the other lines end (justified lines end on it)
        lines = {}
        for w in words:
            lines.setdefault(round(w[3]), []).append(w)
        plain = [max(w[2] for w in ln) for ln in lines.values()
                 if not any(w[4].startswith("(p.") for w in ln)]
        edge = max(plain) if len(plain) >= 5 else None
        for w in words:
            if edge and re.match(r"\d+\)", w[4]) and w[2] > edge + 0.5:
                problems.append(f"page {labels[i]}: '{w[4]}' ends at {w[2]:.1f}, past {edge:.1f}")
        for rect, target, name in pg["links"]:
            x0, y0, x1, y1 = rect
            top, bottom = h - y1, h - y0
            inside = [w[4] for w in words
                      if x0 - 1 <= (w[0] + w[2]) / 2 <= x1 + 1 and top - 1 <= (w[1] + w[3]) / 2 <= bottom + 1]
            text = " ".join(inside)
            m = re.search(r"\(p\.\s*([0-9ivxlcdm]+)\)", text)
            if not m:
                if not re.search(r"\d\s*$", text):  # not a contents entry
                    bare += 1
                continue
            found += 1
            if target is None:
                problems.append(f"page {labels[i]}: link '{text}' has no target page")
                continue
            if m.group(1) != labels[target]:
                problems.append(f"page {labels[i]}: '{text}' -> {name} is on page {labels[target]}")
            heads += 1
    # headings: every bookmark's title is found on its page
    for pgi in info:
        for title, tp in pgi["marks"]:
            if tp is None or not norm(title):
                continue
            page_text = " ".join(norm(texts[tp]))
            if " ".join(norm(title)) not in page_text:
                problems.append(f"bookmark '{title}' not found on page {labels[tp]}")
    if found < min_refs:
        problems.append(f"only {found} page references (want {min_refs})")
    # a link broken over lines has its "(p. N)" on its last line only: the
    # lines before count as bare; all of them cannot be
    if bare > found:
        problems.append(f"{bare} internal link pieces without a page, {found} with")
    return problems, f"{found} page references, each the page of its target; bookmarks on their pages"


def check_norefs(pdf):
    text = run("pdftotext", pdf, "-")
    n = len(re.findall(r"\(p\.\s*\d+\)", text))
    return ([f"{n} page references in a screen PDF"] if n else []), "no page references on screen"


BLOCKS = {"p", "td", "th", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "pre", "tr",
          "figcaption", "figure", "dt", "dd", "section", "blockquote", "aside", "nav", "ol",
          "ul", "table", "br", "summary", "details", "body"}


def xhtml_stream(data):
    """Words of an XHTML document in order, with ('MARK', id, aria-label,
    role) events; text is joined across inline elements, as it reads."""
    root = ET.fromstring(data)
    parts = []

    def walk(e):
        tag = e.tag[len(XHTML):] if e.tag.startswith(XHTML) else e.tag
        if tag == "head":
            return
        if tag == "span" and e.get(EPUB_NS + "type") == "pagebreak":
            parts.append(("MARK", e.get("id"), e.get("aria-label"), e.get("role")))
            return
        block = tag in BLOCKS
        if block:
            parts.append(" ")
        if e.text:
            parts.append(e.text)
        for c in e:
            walk(c)
            if c.tail:
                parts.append(c.tail)
        if block:
            parts.append(" ")

    walk(root)
    out, buf = [], []
    for p in parts + [" "]:
        if isinstance(p, tuple):
            out.extend(norm("".join(buf)))
            buf = []
            out.append(p)
        else:
            buf.append(p)
    out.extend(norm("".join(buf)))
    return out


def check_pagelist(pdf, epub):
    labels, info = pdf_info(pdf)
    texts = run("pdftotext", pdf, "-").split("\f")
    # running heads: the book's title, a chapter's (a bookmark's) title
    titles = {" ".join(norm(t)) for pgi in info for t, _ in pgi["marks"]}
    m = re.search(r"^Title:\s*(.*)$", run("pdfinfo", pdf), re.M)
    if m:
        titles.add(" ".join(norm(m.group(1))))
    z = zipfile.ZipFile(epub)
    opf_name = re.search(r'full-path="([^"]+)"', z.read("META-INF/container.xml").decode()).group(1)
    base = opf_name.rsplit("/", 1)[0] + "/"
    opf = z.read(opf_name).decode()
    problems = []
    for want in ("pageNavigation", "printPageNumbers", 'property="source-of">pagination'):
        if want not in opf:
            problems.append(f"package.opf lacks {want}")
    if "<dc:source" not in opf:
        problems.append("package.opf lacks dc:source")
    manifest = dict(re.findall(r'<item id="([^"]+)" href="([^"]+)"', opf))
    spine = [manifest[i] for i in re.findall(r'<itemref idref="([^"]+)"', opf)]
    nav = ET.fromstring(z.read(base + "nav.xhtml"))
    entries = []
    for n in nav.iter(XHTML + "nav"):
        if n.get(EPUB_NS + "type") == "page-list":
            entries = [(a.text, a.get("href")) for a in n.iter(XHTML + "a")]
    if len(entries) != len(labels):
        problems.append(f"page-list has {len(entries)} entries, the PDF {len(labels)} pages")
    for k, (lab, href) in enumerate(entries[:len(labels)]):
        if lab != labels[k]:
            problems.append(f"page-list entry {k + 1} is '{lab}', the PDF's page is '{labels[k]}'")
            break
    ncx = z.read(base + "toc.ncx").decode()
    if ncx.count("<pageTarget ") != len(labels):
        problems.append(f"NCX pageList has {ncx.count('<pageTarget ')} targets")
    # the words of the spine in order, with the markers
    stream, where = [], {}
    for f in spine:
        for ev in xhtml_stream(z.read(base + f)):
            if isinstance(ev, tuple):
                _, pid, aria, role = ev
                if role != "doc-pagebreak" or aria != pid[5:]:
                    problems.append(f"marker {pid}: role {role}, aria-label {aria}")
                where[f + "#" + pid] = len(stream)
            else:
                stream.append(ev)
    prev, exact, loose = -1, 0, 0
    heads = {}
    for t in texts:
        lines = [l for l in t.split("\n") if l.strip()]
        if lines:
            heads[lines[0].strip()] = heads.get(lines[0].strip(), 0) + 1
    for k, (lab, href) in enumerate(entries[:len(labels)]):
        if href not in where:
            problems.append(f"page {lab}: no marker at {href}")
            continue
        at = where[href]
        if at < prev:
            problems.append(f"page {lab}: its marker comes before the previous page's")
        prev = at
        if re.fullmatch(r"[ivxlcdm]+", lab):
            continue  # front matter: title page and contents
        lines = [l.strip() for l in texts[k].split("\n") if l.strip()]
        if lines and (heads.get(lines[0], 0) >= 3 or " ".join(norm(lines[0])) in titles):
            lines = lines[1:]  # the running head (or a chapter's title: found below)
        if lines and lines[-1] == lab:
            lines = lines[:-1]  # the folio
        if not lines:
            continue  # a blank page
        after = stream[at:at + 80]
        ok = False
        # a list item's number or bullet is the list's, not text
        clean = [re.sub(r"^(\d+[.)]|[\u2022\u25e6\u2013-])\s+", "", l) for l in lines]
        for li in range(min(6, len(clean))):
            words = norm(" ".join(clean[li:]))[:3]
            if not words:
                continue
            for s in range(len(after)):
                cand = after[s:s + len(words)]
                if len(cand) == len(words) and cand[1:] == words[1:] and cand[0].endswith(words[0]):
                    ok = True
                    if li == 0 and s == 0:
                        exact += 1
                    else:
                        loose += 1
                        if os.environ.get("CHECK_VERBOSE"):
                            print(f"page {lab}: line {li} word {s}: {lines[:li + 1]} / {after[:8]}")
                    break
            if ok:
                break
        if not ok:
            problems.append(f"page {lab}: PDF starts '{' '.join(lines[:1])[:60]}', "
                            f"EPUB after the marker: '{' '.join(after[:12])}'")
    return problems, (f"{len(entries)} pages listed as in the PDF; first words follow the marker "
                      f"({exact} at once, {loose} after a repeated table header or a chapter "
                      f"title taken for a running head)")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    mode = sys.argv[1]
    if mode == "refs":
        problems, summary = check_refs(sys.argv[2], int(sys.argv[3]))
    elif mode == "norefs":
        problems, summary = check_norefs(sys.argv[2])
    elif mode == "pagelist":
        problems, summary = check_pagelist(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)
    if problems:
        print("\n".join(problems[:20]))
        if len(problems) > 20:
            print(f"... and {len(problems) - 20} more")
        sys.exit(1)
    print(summary)


if __name__ == "__main__":
    main()
