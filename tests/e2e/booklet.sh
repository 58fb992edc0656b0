#!/usr/bin/env bash
# --impose booklet: the pages two-up on landscape sheets in saddle-stitch
# order (tests/lib/check_booklet.py reads each half of each side), on two
# generated books (about 10 and 37 pages) and the guide, on A4 and letter
# sheets, with and without --marks; the ordinary PDF is written beside it;
# reproducible.
. "$(dirname "$0")/../lib/e2e.sh"

gen() { # folder, chapters: a title page, a contents page, one page a chapter
    local d=$1 n=$2
    mkdir -p "$d/chapters"
    { echo "title: Booklet Test"; echo "slug: bt"; echo "chapters:"; } >"$d/book.yaml"
    for i in $(seq 1 "$n"); do
        echo "  - chapters/c$i.md" >>"$d/book.yaml"
        printf '# Chapter %s\n\nThe text of chapter %s, which says marker%s and nothing else.\n' \
            "$i" "$i" "$i" >"$d/chapters/c$i.md"
    done
}

check() { # name, book, args...
    local name=$1 book=$2
    shift 2
    local out="$WORK/$name"
    if ! "$BIN" build "$book" -o "$out" --format pdf -q --impose booklet "$@" 2>"$out.err"; then
        bad "$name: build failed: $(head -3 "$out.err")"
        return
    fi
    local pdf booklet
    pdf=$(ls "$out"/*.pdf | grep -v -- '-booklet.pdf$')
    booklet=$(ls "$out"/*-booklet.pdf 2>/dev/null)
    if [ -z "$booklet" ] || [ -z "$pdf" ]; then
        bad "$name: want SLUG.pdf and SLUG-booklet.pdf, got $(ls "$out")"
        return
    fi
    local res
    if res=$(python3 -I "$SRC/tests/lib/check_booklet.py" "$pdf" "$booklet"); then
        ok "$name: $res"
    else
        bad "$name: $res"
    fi
    if qpdf --check "$booklet" >/dev/null 2>&1; then ok "$name: qpdf clean"; else bad "$name: qpdf"; fi
}

gen "$WORK/b10" 8
gen "$WORK/b37" 34
check ten "$WORK/b10"
check thirty-seven "$WORK/b37"
check guide-letter "$SRC/book" --sheet letter
check guide-marks "$SRC/book" --marks --profile print

# the generated books have the page counts they were made for
for b in ten:10 thirty-seven:37; do
    n=$(pdfinfo "$WORK/${b%%:*}/bt.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
    if [ "$n" = "${b##*:}" ]; then ok "${b%%:*}: the book has $n pages"; else bad "${b%%:*}: $n pages, want ${b##*:}"; fi
done
# pages are A5 on A4 sheets, half-letter on letter sheets
if pdfinfo "$WORK/ten/bt.pdf" | grep -q "419.53 x 595.28"; then ok "A4 sheet: A5 pages"; else bad "A4 sheet: pages not A5"; fi
if pdfinfo "$WORK/guide-letter/ai-ml-engineer-guide.pdf" | grep -q "396 x 612"; then ok "letter sheet: half-letter pages"; else bad "letter sheet: pages not half-letter"; fi

# with --marks: the sheet has trim and bleed boxes and crop and fold marks
if python3 -I - "$WORK/guide-marks/ai-ml-engineer-guide-booklet.pdf" <<'PY'; then ok "booklet with marks: TrimBox is the sheet, 3 mm BleedBox, marks outside"; else bad "booklet with marks: boxes or marks wrong"; fi
import base64, json, re, subprocess, sys
o = json.loads(subprocess.run(["qpdf", "--json-output", "--json-stream-data=inline",
                               "--decode-level=generalized", sys.argv[1], "-"],
                              capture_output=True, check=True).stdout)["qpdf"][1]
pages = [v["value"] for v in o.values() if isinstance(v.get("value"), dict) and v["value"].get("/Type") == "/Page"]
b = 3 * 72 / 25.4
ok = bool(pages)
for p in pages:
    t, bl = p.get("/TrimBox"), p.get("/BleedBox")
    ok &= t is not None and abs(t[2] - 841.89) < 0.01 and abs(t[3] - 595.28) < 0.01
    ok &= bl is not None and abs(bl[0] + b) < 0.01
    data = base64.b64decode(o["obj:" + p["/Contents"]]["stream"]["data"])
    segs = re.findall(rb"(-?[\d.]+) (-?[\d.]+) m (-?[\d.]+) (-?[\d.]+) l", data)
    ok &= len(segs) == 10  # 8 crop marks, 2 fold marks
    for s in segs:
        for x, y in ((float(s[0]), float(s[1])), (float(s[2]), float(s[3]))):
            ok &= x < bl[0] or x > bl[2] or y < bl[1] or y > bl[3]
sys.exit(0 if ok else 1)
PY

# reproducible: the same book gives the same booklet
SOURCE_DATE_EPOCH=1700000000 "$BIN" build "$WORK/b10" -o "$WORK/r1" --format pdf -q --impose booklet
SOURCE_DATE_EPOCH=1700000000 "$BIN" build "$WORK/b10" -o "$WORK/r2" --format pdf -q --impose booklet
if cmp -s "$WORK/r1/bt-booklet.pdf" "$WORK/r2/bt-booklet.pdf"; then ok "booklet reproducible"; else bad "two builds gave different booklets"; fi

# usage errors
"$BIN" build "$WORK/b10" -o "$WORK/u" --format epub --impose booklet 2>/dev/null
[ $? = 2 ] && ok "--impose without the PDF: usage error" || bad "--impose with --format epub accepted"
"$BIN" build "$WORK/b10" -o "$WORK/u" --impose poster 2>/dev/null
[ $? = 2 ] && ok "--impose poster: usage error" || bad "--impose poster accepted"
finish booklet
