#!/usr/bin/env bash
# End-to-end checks of tables, figures and footnotes in both editions
# (issue 4), over tests/fixtures/bigtable.md, footnotes.md and figures/:
#
#   bash tests/e2e/tables_figures_notes.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
#
# PDF (pdftotext -bbox-layout per page, pdfimages -list, qpdf --check):
#   - the 180-row table spans several pages, every page with rows shows the
#     header row above them, every page break leaves at least two body rows,
#     and each of the 180 rows is in the text exactly once;
#   - no word anywhere passes the right edge of the text area (a 150-character
#     URL and a 64-digit digest in cells, a ten-column table that must shrink
#     its text a step and wrap); all the wide table's cells are present;
#   - each of 40 footnotes sits at the foot of the page that cites it, below
#     the body, several pages hold two or more; a note longer than a page
#     starts on its marker's page and continues only onto the next one;
#   - PNG (RGB and RGBA) and JPEG figures are drawn (the right count, JPEGs as
#     DCT), never enlarged past 150 dpi, and a wide one scaled to the measure;
#     captions "Figure N. Title" numbered through the book in order; a
#     caption on the same page as its image; a sentence ending in ':' never
#     last on a page before the table or list it introduces;
#   - qpdf --check passes with no warning;
#   - notes-across/: a note that begins on the first chapter's last page ends
#     on the page where the second chapter opens.
# EPUB (unzip, the XHTML, epubcheck):
#   - images packed once each; titled images in <figure> with <figcaption>
#     "Figure N. Title"; alt text on every <img>;
#   - tables with <thead>; 40 epub:type="noteref" markers pointing at
#     <aside epub:type="footnote"> bodies that link back;
#   - epubcheck: 0 fatals / 0 errors / 0 warnings.
# Last line: "tables_figures_notes: N passed, M failed".
. "$(dirname "$0")/../lib/e2e.sh"

for tool in qpdf pdftotext pdfimages unzip python3 java; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done
JAR=$(epubcheck_jar)
[ -n "$JAR" ] || { echo "epubcheck is required: apt-get install -y epubcheck" >&2; exit 2; }

OUT=$WORK/out
FIX=$SRC/tests/fixtures
export SOURCE_DATE_EPOCH=1764158400

# ---- build ------------------------------------------------------------------
for book in bigtable.md footnotes.md figures; do
    if "$BIN" build "$FIX/$book" -o "$OUT" -q >"$WORK/build-${book%.md}.log" 2>&1; then
        ok "build $book"
    else
        bad "build $book: $(head -3 "$WORK/build-${book%.md}.log")"
    fi
done

# ---- validators -------------------------------------------------------------
for slug in bigtable footnotes figures; do
    pdf=$OUT/$slug.pdf epub=$OUT/$slug.epub
    if [ ! -s "$pdf" ]; then
        bad "$slug.pdf missing"
    elif qpdf --check "$pdf" >"$WORK/$slug.qpdf.txt" 2>&1 &&
        grep -q 'No syntax or stream encoding errors' "$WORK/$slug.qpdf.txt" &&
        ! grep -qi 'warning' "$WORK/$slug.qpdf.txt"; then
        ok "qpdf --check $slug.pdf: clean"
    else
        bad "qpdf --check $slug.pdf: $(grep -iv 'checking\|PDF Version\|File is not' "$WORK/$slug.qpdf.txt" | head -3)"
    fi
    if [ ! -s "$epub" ]; then
        bad "$slug.epub missing"
        continue
    fi
    "$SRC/tests/lib/run_epubcheck.sh" "$epub" >"$WORK/$slug.epubcheck.txt" 2>&1
    if grep -q 'Messages: 0 fatals / 0 errors / 0 warnings' "$WORK/$slug.epubcheck.txt" ||
        { grep -q 'No errors or warnings detected' "$WORK/$slug.epubcheck.txt" &&
            ! grep -qE '^(FATAL|ERROR|WARNING)' "$WORK/$slug.epubcheck.txt"; }; then
        ok "epubcheck $slug.epub: 0 errors, 0 warnings"
    else
        bad "epubcheck $slug.epub: $(grep -E '^(FATAL|ERROR|WARNING)|Messages' \
            "$WORK/$slug.epubcheck.txt" | head -4)"
    fi
done

# ---- a note carried from one chapter onto the next one's opening page ---------
# (the first chapter's laid-out text is freed once its pages and notes are
# drawn: under the sanitizers, freeing it with the pages alone fails the build)
if "$BIN" build "$FIX/notes-across" -o "$OUT" -q >"$WORK/build-notes-across.log" 2>&1; then
    ok "build notes-across"
    pdftotext "$OUT/notes-across.pdf" "$WORK/notes-across.txt"
    where=$(python3 -I - "$WORK/notes-across.txt" <<'PY'
import sys
pages = open(sys.argv[1], encoding="utf-8").read().split("\f")
def page(word):
    hits = [i + 1 for i, p in enumerate(pages) if word in p]
    return hits[0] if len(hits) == 1 else 0
print(page("Note1begins"), page("note1ends"), page("Chapter2opens"))
PY
    )
    read -r begins ends opens <<<"$where"
    if [ "$begins" -gt 0 ] && [ "$ends" -eq $((begins + 1)) ] && [ "$opens" -eq "$ends" ]; then
        ok "the note begins on page $begins and ends on page $ends, where chapter 2 opens"
    else
        bad "note across chapters: begins p.$begins, ends p.$ends, chapter 2 opens p.$opens"
    fi
else
    bad "build notes-across: $(head -3 "$WORK/build-notes-across.log")"
fi

# ---- the checks proper (one Python run; one line per check) ---------------------
cat >"$WORK/check.py" <<'PY'
import html, os, re, subprocess, sys, zipfile
from collections import Counter, defaultdict

OUT, FIX = sys.argv[1], sys.argv[2]
results = []


def check(cond, what, detail=""):
    results.append((bool(cond), what if cond or not detail else "%s: %s" % (what, detail)))


def run(*args):
    return subprocess.run(args, capture_output=True, text=True).stdout


WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')


def pages(pdf):
    """Per page: (width, height, lines); a line is a list of words
    (x0, y0, x1, y1, text) in reading order; y grows downward."""
    out = []
    for page in run("pdftotext", "-bbox-layout", pdf, "-").split("<page ")[1:]:
        m = re.match(r'width="([\d.]+)" height="([\d.]+)"', page)
        lines = []
        for ln in page.split("<line ")[1:]:
            ws = [(float(a), float(b), float(c), float(d), html.unescape(t))
                  for a, b, c, d, t in WORD.findall(ln)]
            if ws:
                lines.append(ws)
        out.append((float(m.group(1)), float(m.group(2)), lines))
    return out


def rows_of(lines):
    """The page's words regrouped into visual rows (a word joins a row when
    its vertical centre falls inside the row's band), left to right: table
    cells that pdftotext puts in separate blocks come back together."""
    words = sorted((w for ln in lines for w in ln), key=lambda w: (w[1] + w[3]) / 2)
    rows = []
    for w in words:
        c = (w[1] + w[3]) / 2
        if rows and rows[-1][0] <= c <= rows[-1][1]:
            rows[-1][2].append(w)
        else:
            rows.append([w[1], w[3], [w]])
    return [sorted(r[2], key=lambda w: w[0]) for r in rows]


def line_text(ws):
    return " ".join(w[4] for w in ws)


def body_size(pgs):
    """The most common word height: the body text's."""
    c = Counter(round(w[3] - w[1], 1) for _, _, ls in pgs for ln in ls for w in ln)
    return c.most_common(1)[0][0] if c else 0


def right_edge(pgs):
    """The text area's right edge: where most full (justified) lines end
    when there are enough of them, else the left margin mirrored (the
    screen profile's margins are equal)."""
    c = Counter(round(ln[-1][2]) for _, _, ls in pgs for ln in ls if len(ln) >= 8)
    if c and c.most_common(1)[0][1] >= 5:
        return c.most_common(1)[0][0]
    left = left_edge(pgs)
    return round(pgs[0][0] - left) if left is not None else None


def left_edge(pgs):
    c = Counter(round(ln[0][0]) for _, _, ls in pgs for ln in ls if len(ln) >= 8)
    return c.most_common(1)[0][0] if c else None


# ---- the 180-row table ----------------------------------------------------------
pdf = os.path.join(OUT, "bigtable.pdf")
if os.path.exists(pdf):
    pgs = pages(pdf)
    ROW = re.compile(r"^(\d+) ([a-z]+-(\d{3})) [\d.]+ row(\d+) (odd|even)$")
    seen = Counter()
    with_rows, no_header, thin = [], [], []
    for i, (_, _, lines) in enumerate(pgs):
        lines = rows_of(lines)
        rows = [(ln[0][1], int(m.group(1))) for ln in lines
                for m in [ROW.match(line_text(ln))]
                if m and m.group(1) == m.group(4) and int(m.group(3)) == int(m.group(1))]
        heads = [ln[0][1] for ln in lines if line_text(ln) == "Row Item Quantity Remark"]
        for _, r in rows:
            seen[r] += 1
        if rows:
            with_rows.append(i + 1)
            if not heads or min(heads) > min(y for y, _ in rows):
                no_header.append(i + 1)
            if len(rows) < 2:
                thin.append(i + 1)
    check(len(with_rows) >= 3, "bigtable: the table spans several pages",
          "rows on pages %s" % with_rows)
    check(with_rows and not no_header,
          "bigtable: the header row heads every page with rows (%d pages)" % len(with_rows),
          "no header above the rows on pages %s" % no_header)
    check(not thin, "bigtable: no page holds a lone body row", "pages %s" % thin)
    missing = [r for r in range(1, 181) if seen[r] == 0]
    twice = [r for r in range(1, 181) if seen[r] > 1]
    check(not missing and not twice and len(seen) == 180,
          "bigtable: all 180 rows in the text, once each",
          "missing %s, repeated %s" % (missing[:10], twice[:10]))
    check(right_edge(pgs) is not None and all(w[2] <= right_edge(pgs) + 1.0
                                               for _, _, ls in pgs for ln in ls for w in ln),
          "bigtable: nothing past the right margin")

# ---- footnotes --------------------------------------------------------------------


def notes_by_page(pgs):
    """Per page: markers {n: y} (superscript digits in the body) and note
    labels {n: y} (a note's "N." at the left edge of the foot area), plus the
    y of the lowest body line and the top note line."""
    body = body_size(pgs)
    left = left_edge(pgs)
    res = []
    for _, _, lines in pgs:
        markers, labels = defaultdict(list), defaultdict(list)
        body_bottom, note_top = 0.0, None
        for ln in lines:
            line_h = max(w[3] - w[1] for w in ln)
            small = line_h < body * 0.9
            first = ln[0]
            m = re.match(r"^(\d+)\.$", first[4])
            if small and m and abs(first[0] - left) < 2 and first[3] - first[1] < body * 0.9:
                labels[int(m.group(1))].append(first[1])
                note_top = first[1] if note_top is None else min(note_top, first[1])
                continue
            if small:
                continue  # note lines, folios, running heads
            body_bottom = max(body_bottom, ln[0][3])
            for w in ln:
                if re.match(r"^\d+$", w[4]) and w[3] - w[1] < body * 0.8 and w[3] < ln[0][3] - 1:
                    markers[int(w[4])].append(w[1])
        res.append((markers, labels, body_bottom, note_top))
    return res


pdf = os.path.join(OUT, "footnotes.pdf")
if os.path.exists(pdf):
    pgs = pages(pdf)
    per = notes_by_page(pgs)
    mpage, lpage = {}, {}
    for i, (markers, labels, _, _) in enumerate(per):
        for n in markers:
            mpage.setdefault(n, []).append(i + 1)
        for n in labels:
            lpage.setdefault(n, []).append(i + 1)
    check(sorted(mpage) == list(range(1, 41)) and all(len(v) == 1 for v in mpage.values()),
          "footnotes: 40 superscript markers in the body, one each",
          "found %s" % sorted(mpage)[:45])
    check(sorted(lpage) == list(range(1, 41)) and all(len(v) == 1 for v in lpage.values()),
          "footnotes: 40 notes at page feet, one each", "found %s" % sorted(lpage)[:45])
    wrong = [n for n in range(1, 41) if mpage.get(n) != lpage.get(n)]
    check(not wrong, "footnotes: every note on the page of its marker",
          "; ".join("note %d: marker p%s, note p%s" % (n, mpage.get(n), lpage.get(n))
                    for n in wrong[:6]))
    below = [i + 1 for i, (_, labels, bb, nt) in enumerate(per) if labels and nt < bb]
    check(not below, "footnotes: notes sit below the body text", "pages %s" % below)
    dense = [i + 1 for i, (_, labels, _, _) in enumerate(per) if len(labels) >= 2]
    check(len(dense) >= 3, "footnotes: %d pages hold two or more notes" % len(dense),
          "pages %s" % dense)
    order = [n for _, labels, _, _ in per for n in sorted(labels, key=lambda k: labels[k][0])]
    check(order == sorted(order), "footnotes: notes in citation order down the pages")

# ---- figures, wide tables, long notes -------------------------------------------
pdf = os.path.join(OUT, "figures.pdf")
if os.path.exists(pdf):
    pgs = pages(pdf)
    text = run("pdftotext", pdf, "-")
    edge = right_edge(pgs)
    over = [(i + 1, w[4][:30], round(w[2], 1)) for i, (_, _, ls) in enumerate(pgs)
            for ln in ls for w in ln if edge is not None and w[2] > edge + 1.0]
    check(edge is not None and not over,
          "figures: no word past the right margin (%s pt) with a 150-char URL cell and a "
          "10-column table" % edge, "over: %s" % over[:5])
    # the long unbreakable cell is all there, whatever its breaks
    src = open(os.path.join(FIX, "figures", "chapters", "02-tables.md")).read()
    url = re.search(r"https://example\.org/\S+", src).group(0)
    # the Location and Digest columns' words, top to bottom, per page
    flat = ""
    for _, _, ls in pgs:
        rs = rows_of(ls)
        hd = [r for r in rs if line_text(r).startswith("Name Location Digest")]
        if not hd:
            continue
        x_loc, x_dig = hd[0][1][0], hd[0][2][0]
        below = [w for r in rs if r[0][1] > hd[0][0][1] for w in r]
        flat += "".join(w[4] for w in below if x_loc - 1 <= w[0] < x_dig - 1)
        flat += "".join(w[4] for w in below if w[0] >= x_dig - 1)
    flat = re.sub(r"[\s\u00ad-]", "", flat)
    check(re.sub("-", "", url) in flat, "figures: the 150-character URL is in the text",
          url[:40])
    check(re.sub("-", "", url.replace("example.org", "archive.example.net")) in flat
          and "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" in flat,
          "figures: the second URL and the digest are in the text")
    # the ten-column table: every cell, in smaller type than the body
    cells = re.findall(r"(\d\.\d\d) units of (\w+)", re.sub(r"\s+", " ", text))
    want = [("%d.%02d" % (r, i * 7 % 100), c) for r in range(1, 7) for i, c in
            enumerate(["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta",
                       "iota", "kappa"])]
    check(set(want) <= set(cells), "figures: all 60 cells of the 10-column table",
          "missing %s" % sorted(set(want) - set(cells))[:5])
    body = body_size(pgs)
    sizes = [w[3] - w[1] for _, _, ls in pgs for ln in ls for w in ln if w[4] == "units"]
    check(sizes and max(sizes) < body * 0.95,
          "figures: the wide table's text is set a step smaller (%.1f < %.1f)"
          % (max(sizes) if sizes else 0, body))
    # narrowed columns break words at syllables, with a hyphen
    frags = [w[4] for _, _, ls in pgs for ln in ls for w in ln
             if w[4] != "measurement" and len(w[4].rstrip("-")) >= 2
             and w[4].rstrip("-") in "measurement" and w[4].startswith(("mea", "sure", "ment"))]
    unhyph = [f for f in frags if not f.endswith("-") and not "measurement".endswith(f)]
    check(frags and not unhyph, "figures: 'measurement' in narrow columns breaks with hyphens",
          str(Counter(frags)))
    # captions, numbered through the book in order (expected from the sources)
    chapters = [os.path.join(FIX, "figures", "chapters", c)
                for c in sorted(os.listdir(os.path.join(FIX, "figures", "chapters")))]
    srcs = "\n".join(open(c).read() for c in chapters)
    images_src = re.findall(r'!\[([^\]]*)\]\(\.\./images/([\w.]+)(?: "([^"]*)")?\)', srcs)
    titles = [t for _, _, t in images_src if t]
    want = [(str(k + 1), t) for k, t in enumerate(titles)]
    caps = re.findall(r"Figure (\d+)\. ([^\n]+)", text)
    check(len(want) >= 6 and caps == want,
          "figures: PDF captions Figure 1-%d with their titles, in book order" % len(want),
          "got %s" % caps[:8])
    # images: what pdfimages lists
    imgs = []
    for ln in run("pdfimages", "-list", pdf).splitlines()[2:]:
        f = ln.split()
        imgs.append({"page": int(f[0]), "type": f[2], "w": int(f[3]), "h": int(f[4]),
                     "enc": f[8], "xppi": float(f[12]), "yppi": float(f[13])})
    drawn = [m for m in imgs if m["type"] == "image"]
    jpeg = [m for m in drawn if m["enc"] == "jpeg"]
    smask = [m for m in imgs if m["type"] == "smask"]
    n_jpg = sum(1 for _, f, _ in images_src if f.endswith(".jpg"))
    n_alpha = sum(1 for _, f, _ in images_src if f == "badge.png")
    check(len(drawn) == len(images_src) and len(jpeg) == n_jpg == 2 and len(smask) == n_alpha,
          "figures: pdfimages lists %d images (%d PNG, %d JPEG as DCT) and %d alpha mask"
          % (len(images_src), len(images_src) - n_jpg, n_jpg, n_alpha),
          "images %d, jpeg %d, smask %d" % (len(drawn), len(jpeg), len(smask)))
    check(all(m["xppi"] >= 149 and m["yppi"] >= 149 for m in drawn),
          "figures: no image enlarged past its natural size at 150 dpi",
          str([(m["w"], m["xppi"]) for m in drawn]))
    wide = [m for m in drawn if m["w"] == 1600]
    left = left_edge(pgs)
    check(wide and edge and left and abs(1600 / wide[0]["xppi"] * 72 - (edge - left)) < 2,
          "figures: the 1600-pixel banner is scaled to the measure",
          str(wide and 1600 / wide[0]["xppi"] * 72) + " vs %s" % (edge and left and edge - left))
    # each caption on the page of its image (titled images in source order)
    cap_page = {}
    for i, (_, _, ls) in enumerate(pgs):
        for ln in ls:
            m = re.match(r"^Figure (\d+)\.", line_text(ln))
            if m:
                cap_page[int(m.group(1))] = i + 1
    dims = {"diagram.png": (300, 120), "photo.jpg": (360, 220), "badge.png": (80, 80),
            "tall.png": (240, 900), "banner.png": (1600, 200), "strip.png": (400, 60)}
    titled = {k + 1: dims[f] for k, f in enumerate(f for _, f, t in images_src if t)}
    bad_pages = []
    for n, (w, h) in titled.items():
        pg = cap_page.get(n)
        if not any(m["page"] == pg and (m["w"], m["h"]) == (w, h) for m in drawn):
            bad_pages.append(n)
    check(not bad_pages, "figures: each caption on the page of its image",
          "figures %s" % bad_pages)
    # a line ending in ':' is never the last text of a page (above its
    # notes and folio) when the list or table it introduces follows
    per = notes_by_page(pgs)
    stranded = []
    for i, (_, _, ls) in enumerate(pgs[:-1]):
        note_top = per[i][3]
        rs = [r for r in rows_of(ls) if note_top is None or r[0][1] < note_top - 1]
        if rs and re.fullmatch(r"[ivxlc\d]+", line_text(rs[-1])):
            rs = rs[:-1]  # the folio
        if rs and line_text(rs[-1]).endswith(":"):
            stranded.append((i + 1, line_text(rs[-1])[-40:]))
    check(not stranded, "figures: no introducing line ending in ':' last on a page",
          str(stranded))
    # the sweep's tables: never one lone body row on a page
    spread = defaultdict(Counter)
    for i, (_, _, ls) in enumerate(pgs):
        for r in rows_of(ls):
            m = re.match(r"^(\d+)\.(\d) check number (\d) passed$", line_text(r))
            if m and m.group(2) == m.group(3):
                spread[int(m.group(1))][i + 1] += 1
    lone = {k: dict(v) for k, v in spread.items() if min(v.values()) < 2}
    split = [k for k, v in spread.items() if len(v) > 1]
    nsweep = len(re.findall(r"^Sweep \d+ introduces its table:$", srcs, re.M))
    check(nsweep >= 20 and len(spread) == nsweep and
          sum(sum(v.values()) for v in spread.values()) == 6 * nsweep and not lone,
          "figures: %d sweep tables (%d broken across pages), none leaving a lone row"
          % (nsweep, len(split)), "lone rows: %s" % lone)
    # text under a float at the page top keeps a gap below the caption
    tight = []
    for i, (_, _, ls) in enumerate(pgs):
        rs = rows_of(ls)
        for a, nxt in zip(rs, rs[1:]):
            if re.match(r"^Figure \d+\.", line_text(a)) and nxt[0][1] - a[0][3] < 2.0:
                tight.append((i + 1, line_text(a)[:30], round(nxt[0][1] - a[0][3], 1)))
    check(not tight, "figures: text below a caption keeps a gap", str(tight))
    # the long note: starts on its marker's page, continues only onto the next
    start = [i for i, (_, _, ls) in enumerate(pgs) for ln in ls
             if line_text(ln).startswith("1. Sentence 1 of the long note")]
    marker = [i for i, (mk, _, _, _) in enumerate(per)
              if 1 in mk and any("long note" in line_text(ln) for ln in pgs[i][2])]
    last = [i for i, (_, _, ls) in enumerate(pgs) for ln in ls
            if "Sentence 45 of the long" in line_text(ln)]
    check(start and marker and start == marker[:1],
          "figures: the long note starts on the page of its marker",
          "note starts p%s, marker p%s" % ([s + 1 for s in start], [m + 1 for m in marker]))
    check(start and last and last[0] == start[0] + 1,
          "figures: the long note continues onto the next page only",
          "starts p%s, ends p%s" % ([s + 1 for s in start], [l + 1 for l in last]))
    short = [i for i, (_, labels, _, _) in enumerate(per) if 2 in labels]
    smark = [i for i, (mk, _, _, _) in enumerate(per) if 2 in mk]
    check(short and short == smark[-1:],
          "figures: the note after a continued one is on its marker's page",
          "note p%s, marker p%s" % (short, smark))

# ---- EPUB -------------------------------------------------------------------------


def xhtml(epub):
    with zipfile.ZipFile(epub) as z:
        names = z.namelist()
        docs = {n: z.read(n).decode("utf-8") for n in names
                if n.endswith(".xhtml") and "/text/" in n}
    return names, docs


p = os.path.join(OUT, "figures.epub")
if os.path.exists(p):
    names, docs = xhtml(p)
    images = sorted(n for n in names if re.search(r"\.(png|jpe?g)$", n))
    jp = [n for n in images if re.search(r"\.jpe?g$", n)]
    check(len(images) == 6 and len(jp) == 1,
          "figures.epub: 6 images packed once each (1 JPEG)", str(images))
    allx = "".join(docs[k] for k in sorted(docs))
    figs = re.findall(r"<figure>\s*(<img [^>]*>)\s*<figcaption>(.*?)</figcaption>\s*</figure>",
                      allx, re.S)
    caps = [re.sub(r"<[^>]+>", "", c) for _, c in figs]
    want = ["Figure %d. %s" % (k + 1, t) for k, t in enumerate(titles)]
    check(caps == want, "figures.epub: <figure> + <figcaption> 'Figure N. Title' in order",
          str(caps))
    imgs = re.findall(r"<img [^>]*>", allx)
    alts = [re.search(r'alt="([^"]*)"', t) for t in imgs]
    check(len(imgs) == len(images_src) and [a.group(1) for a in alts if a] ==
          [html.escape(a, quote=True) for a, _, _ in images_src],
          "figures.epub: %d <img> elements, each with its alt text" % len(images_src),
          str(len(imgs)))
    check('alt="A striped colour strip"' in allx and 'alt="The same landscape, untitled"' in allx
          and allx.count("<figure>") == len(titles),
          "figures.epub: untitled images stay out of <figure>, alt text kept")
    for n in images:
        ref = "../" + n.split("/", 1)[1]
        if ref not in allx:
            check(False, "figures.epub: %s referenced from the text" % n)

p = os.path.join(OUT, "bigtable.epub")
if os.path.exists(p):
    with zipfile.ZipFile(p) as z:
        css = "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".css"))
    rule = re.search(r"(?:^|\})\s*th, td \{([^}]*)\}", css)
    check(rule and "overflow-wrap: break-word" in rule.group(1) and "hyphens: auto" in rule.group(1)
          and "anywhere" not in rule.group(1) and "word-break" not in rule.group(1),
          "bigtable.epub: table cells break a long word by hyphenation or only when it overflows, "
          "never at any letter (tests/e2e/accessibility.sh measures it at 320 px)")
    _, docs = xhtml(p)
    allx = "".join(docs.values())
    t = re.search(r"<table>\s*<thead>\s*<tr>(.*?)</tr>\s*</thead>\s*<tbody>(.*?)</tbody>", allx,
                  re.S)
    check(t and len(re.findall(r"<th[ >]", t.group(1))) == 4 and t.group(2).count("<tr>") == 180,
          "bigtable.epub: <table> with a 4-column <thead> and 180 body rows")

p = os.path.join(OUT, "footnotes.epub")
if os.path.exists(p):
    _, docs = xhtml(p)
    allx = "".join(docs.values())
    refs = re.findall(r'<a epub:type="noteref"[^>]*href="#([^"]+)"[^>]*id="([^"]+)"', allx)
    asides = dict(re.findall(r'<aside epub:type="footnote"[^>]*id="([^"]+)">(.*?)</aside>', allx,
                             re.S))
    check(len(refs) == 40 and len(asides) == 40,
          "footnotes.epub: 40 noteref markers and 40 <aside epub:type=\"footnote\">",
          "%d refs, %d asides" % (len(refs), len(asides)))
    broken = [(h, i) for h, i in refs if h not in asides or ('href="#%s"' % i) not in asides[h]]
    check(refs and not broken, "footnotes.epub: every marker reaches its note and back",
          str(broken[:3]))

for good, what in results:
    print(("ok   " if good else "FAIL ") + what)
PY
while IFS= read -r line; do
    case $line in
    "ok   "*) ok "${line#ok   }" ;;
    "FAIL "*) bad "${line#FAIL }" ;;
    *) echo "$line" ;;
    esac
done < <(python3 -I "$WORK/check.py" "$OUT" "$FIX" 2>&1 || echo "FAIL check.py crashed")

finish tables_figures_notes
