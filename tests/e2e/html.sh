#!/usr/bin/env bash
# End-to-end checks of raw HTML in both editions (issue 14) over
# tests/fixtures/html/, a GitHub-style README (centred logo in a link,
# <h1 align>, <details> contents, <a id>/<a name> targets, <br>, <sup>,
# <sub>, <mark>, <abbr>) and two technical chapters (<figure> with
# <figcaption>, <kbd>, <q>, an HTML table with thead and colspan, <dl>,
# <details> with Markdown inside, links to anchors across chapters):
#
#   bash tests/e2e/html.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
#
#   - the book builds with no message at all;
#   - no tag is shown as text: not in pdftotext's output, not in any text
#     node of the EPUB's XHTML (parsed with Python's XML parser);
#   - every image is drawn and counted: pdfimages -list lists 4 placements
#     (the logo twice), the EPUB manifest holds the 3 files once each and
#     every <img> points at one of them;
#   - the three figures are numbered "Figure 1." .. "Figure 3." in order in
#     both editions;
#   - every link to an <a id>/<a name> works: in the EPUB its href names a
#     file of the book holding an element with that id; in the PDF each
#     link annotation (qpdf --json) goes to a destination on the page that
#     holds the anchor's text;
#   - the table keeps its header row and spans a cell over two columns;
#   - epubcheck: 0 fatals / 0 errors / 0 warnings; qpdf --check clean.
# Last line: "html: N passed, M failed".
. "$(dirname "$0")/../lib/e2e.sh"

for tool in qpdf pdftotext pdfimages unzip python3 java; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done
JAR=$(epubcheck_jar)
[ -n "$JAR" ] || { echo "epubcheck is required: apt-get install -y epubcheck" >&2; exit 2; }

OUT=$WORK/out
export SOURCE_DATE_EPOCH=1764158400
if "$BIN" build "$SRC/tests/fixtures/html" -o "$OUT" 2>"$WORK/stderr"; then
    ok "the book builds"
else
    bad "the book does not build: $(head -3 "$WORK/stderr")"
    finish html
    exit 1
fi
if [ -s "$WORK/stderr" ]; then bad "messages: $(head -3 "$WORK/stderr")"; else ok "no messages"; fi
PDF=$OUT/html-book.pdf
EPUB=$OUT/html-book.epub

if q=$(qpdf --check "$PDF" 2>&1) && ! grep -qi warning <<<"$q"; then ok "qpdf --check clean"; else
    bad "qpdf --check: $(tail -2 <<<"$q")"
fi
e=$("$SRC/tests/lib/run_epubcheck.sh" "$EPUB" 2>&1)
if grep -q "Messages: 0 fatals / 0 errors / 0 warnings" <<<"$e"; then ok "epubcheck 0/0/0"; else
    bad "epubcheck: $(grep -E 'ERROR|WARNING|Messages' <<<"$e" | head -5)"
fi

pdftotext -layout "$PDF" "$WORK/all.txt"
if grep -nE '</?[A-Za-z][A-Za-z0-9-]*([ />]|$)|&lt;|&gt;|&amp;|&nbsp;' "$WORK/all.txt" >"$WORK/tags.txt"; then
    bad "tags shown as text in the PDF: $(head -3 "$WORK/tags.txt")"
else
    ok "no tag or entity shown as text in the PDF"
fi
for w in "Ctrl+Alt+T" "H2O" "“yes”" "Options for a later version" "Why no mouse?" \
    "Centred Markdown between HTML lines still works." "Because keys are faster"; do
    if grep -qF "$w" "$WORK/all.txt"; then ok "PDF text: $w"; else bad "PDF text lacks: $w"; fi
done
n=$(grep -oE 'Figure [0-9]+\.' "$WORK/all.txt" | tr '\n' ' ')
if [ "$n" = "Figure 1. Figure 2. Figure 3. " ]; then ok "PDF figures numbered 1-3 in order"; else
    bad "PDF figure labels: $n"
fi
imgs=$(pdfimages -list "$PDF" | tail -n +3 | wc -l)
if [ "$imgs" = 4 ]; then ok "pdfimages: 4 images drawn"; else bad "pdfimages: $imgs images, want 4"; fi

mkdir -p "$WORK/epub"
unzip -q -o "$EPUB" -d "$WORK/epub"
qpdf --json "$PDF" >"$WORK/pdf.json"
pdftotext -bbox "$PDF" "$WORK/bbox.html"

python3 -I - "$WORK" >"$WORK/py.out" 2>&1 <<'PY'
import json, os, re, sys
import xml.etree.ElementTree as ET

work = sys.argv[1]
root = os.path.join(work, "epub")
XH = "{http://www.w3.org/1999/xhtml}"


def ok(m):
    print("ok   " + m)


def bad(m):
    print("FAIL " + m)


opf_path = None
for dp, _, fs in os.walk(root):
    for f in fs:
        if f.endswith(".opf"):
            opf_path = os.path.join(dp, f)
opf = ET.parse(opf_path).getroot()
ns = {"o": "http://www.idpf.org/2007/opf"}
opf_dir = os.path.dirname(opf_path)
items = {os.path.normpath(os.path.join(opf_dir, i.get("href"))): i
         for i in opf.findall(".//o:manifest/o:item", ns)}
images = [p for p, i in items.items() if i.get("media-type", "").startswith("image/")]
if len(images) == 3:
    ok("EPUB manifest: 3 images, each once")
else:
    bad("EPUB manifest images: %s" % images)

chapters = sorted(p for p in items if re.search(r"text/.*\.xhtml$", p))
ids = {}
trees = {}
for c in chapters:
    t = ET.parse(c).getroot()
    trees[c] = t
    ids[c] = {e.get("id") for e in t.iter() if e.get("id")}

removed = {"script", "style", "iframe", "object", "embed", "form", "input", "button",
           "select", "textarea", "template", "noscript", "base", "meta", "link"}
tagtext = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(\s|/?>|$)|&[a-z]+;")
shown, live, attrs, hrefs, srcs, caps = [], [], [], [], [], []
for c, t in trees.items():
    body = t.find(XH + "body")
    for e in body.iter():
        name = e.tag.replace(XH, "")
        if name in removed:
            live.append((c, name))
        for a, v in e.attrib.items():
            if a.lower().startswith("on") or a.lower() == "style":
                attrs.append((c, name, a))
        for s in (e.text, e.tail):
            if s and tagtext.search(s):
                shown.append((os.path.basename(c), s.strip()[:60]))
        if name == "a" and e.get("href"):
            hrefs.append((c, e.get("href")))
        if name == "img":
            srcs.append((c, e.get("src")))
        if name == "figcaption":
            caps.append("".join(e.itertext()))
if shown:
    bad("EPUB text nodes show tags: %s" % shown[:3])
else:
    ok("no tag shown as text in the EPUB's text nodes")
if live:
    bad("removed elements live in the EPUB: %s" % live[:3])
else:
    ok("no removed element in the EPUB")
if attrs:
    bad("event or style attributes in the EPUB: %s" % attrs[:3])
else:
    ok("no on* or style attribute in the EPUB")
missing = [s for c, s in srcs if os.path.normpath(os.path.join(os.path.dirname(c), s)) not in images]
if len(srcs) == 4 and not missing:
    ok("EPUB: 4 <img>, each in the manifest")
else:
    bad("EPUB images: %d, not in the manifest: %s" % (len(srcs), missing))
labels = [re.match(r"Figure (\d+)\.", x).group(1) for x in caps if re.match(r"Figure \d+\.", x)]
if labels == ["1", "2", "3"]:
    ok("EPUB figures numbered 1-3 in order")
else:
    bad("EPUB figure captions: %s" % caps)

want = {"ch01.xhtml#readme-top", "ch01.xhtml#about", "ch02.xhtml#getting-started",
        "ch02.xhtml#steps", "ch03.xhtml#options", "ch03.xhtml#shortcuts"}
got = set()
broken = []
for c, h in hrefs:
    if h.startswith(("http:", "https:", "mailto:")):
        continue
    f, _, frag = h.partition("#")
    target = os.path.normpath(os.path.join(os.path.dirname(c), f)) if f else c
    if target not in ids or (frag and frag not in ids[target]):
        broken.append(h)
    got.add(os.path.basename(target) + ("#" + frag if frag else ""))
if broken:
    bad("EPUB links that resolve to no id: %s" % broken)
else:
    ok("EPUB: every internal link resolves to an element id (%d links)" % len(hrefs))
if want <= got:
    ok("EPUB: links reach every <a id>/<a name> target")
else:
    bad("EPUB: anchors not linked: %s" % sorted(want - got))

# ---- the PDF: link annotations to destinations on the anchor's page -----------
j = json.load(open(os.path.join(work, "pdf.json")))
objs = j["qpdf"][1]


def val(ref):
    v = objs.get("obj:" + ref) if isinstance(ref, str) and ref.endswith(" R") else ref
    return v.get("value", v) if isinstance(v, dict) and "value" in v else v


page_of = {p["object"]: i for i, p in enumerate(j["pages"])}
bbox = open(os.path.join(work, "bbox.html"), encoding="utf-8").read()
pages = []
for m in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', bbox, re.S):
    h = float(m.group(2))
    words = [(float(a), h - float(d), float(c), h - float(b), w) for a, b, c, d, w in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>',
                        m.group(3))]
    pages.append(words)
text = [" ".join(w[4] for w in p) for p in pages]


def page_with(s):
    for i, t in enumerate(text):
        if s in t:
            return i
    return -1


links = []  # (page, words under the rect, destination page)
for k, v in objs.items():
    a = v.get("value", v) if isinstance(v, dict) else v
    if not isinstance(a, dict) or a.get("/Subtype") != "/Link" or "/Dest" not in a:
        continue
    d = val(a["/Dest"])
    if not isinstance(d, list) or d[0] not in page_of:
        continue
    p = page_of[a["/P"]]
    x0, y0, x1, y1 = a["/Rect"]
    under = [w[4] for w in pages[p]  # words whose centre lies in the rectangle
             if x0 <= (w[0] + w[2]) / 2 <= x1 and y0 <= (w[1] + w[3]) / 2 <= y1]
    links.append((p, " ".join(under), page_of[d[0]]))

# link text on a page found by `here` -> the page found by `there`
expect = [("Made with care", "back to top", "Made with care"),
          ("Made with care", "About the project", "Made with care"),
          ("Made with care", "install guide", "Download the package"),
          ("Made with care", "See the options", "Where the book is written"),
          ("Made with care", "Keyboard shortcuts", "Saves the book"),
          ("Download the package", "options", "Where the book is written"),
          ("Download the package", "steps", "Download the package"),
          ("Download the package", "reference", "Saves the book"),
          ("Saves the book", "install guide", "Download the package"),
          ("Saves the book", "README", "Made with care")]
for here, words, there in expect:
    p, q = page_with(here), page_with(there)
    hit = [l for l in links if l[0] == p and words in l[1]]
    if hit and all(l[2] == q for l in hit):
        ok("PDF link '%s' (page %d) goes to page %d" % (words, p + 1, q + 1))
    else:
        bad("PDF link '%s' on page %d: %s, want page %d" % (words, p + 1, hit, q + 1))

# the table: header row repeated in the XHTML thead; a colspan cell
tables = [e for t in trees.values() for e in t.iter(XH + "table")]
ths = [th.text for tb in tables for th in tb.iter(XH + "th")]
spans = [td.get("colspan") for tb in tables for td in tb.iter(XH + "td") if td.get("colspan")]
if ths == ["Option", "Meaning", "Default"] and spans == ["2"]:
    ok("EPUB table: header row and a cell over two columns")
else:
    bad("EPUB table: th %s colspan %s" % (ths, spans))
PY
grep -q . "$WORK/py.out" || bad "the checker printed nothing"
while IFS= read -r line; do
    case $line in
    "ok   "*) ok "${line#ok   }" ;;
    "FAIL "*) bad "${line#FAIL }" ;;
    *) bad "checker: $line" ;;
    esac
done <"$WORK/py.out"

# the README's logo and anchor come before its <h1>: the h1 still opens the
# chapter (one "Quill" bookmark, the title once on its opening page), the
# logo follows it
if qpdf --json "$PDF" | python3 -I -c '
import json, sys
def walk(o):
    for x in o:
        yield x["title"]
        yield from walk(x.get("kids", []))
titles = list(walk(json.load(sys.stdin)["outlines"]))
sys.exit(0 if titles.count("Quill") == 1 else 1)'; then
    ok "PDF: the README's h1 after its logo opens the chapter (one Quill bookmark)"
else
    bad "PDF: Quill bookmarked more than once (the h1 did not open the chapter)"
fi
page=$(pdftotext "$PDF" - | awk 'BEGIN{RS="\f"} /A small tool that turns notes/ {print NR; exit}')
n=$(pdftotext -f "$page" -l "$page" "$PDF" - | grep -cx "Quill")
if [ "$n" = 1 ]; then ok "PDF: 'Quill' once on the opening page"; else bad "PDF: 'Quill' $n times on the opening page"; fi
finish html
