#!/usr/bin/env bash
# --marks: trim and bleed boxes and crop marks for a print shop
# (tests/lib/check_marks.py), on A4 and letter, screen and print; the
# pages' text is the same as without marks, and without --marks there are
# no print boxes.
. "$(dirname "$0")/../lib/e2e.sh"

check() { # name, width, height, build args...
    local name=$1 w=$2 h=$3
    shift 3
    if ! "$BIN" build "$SRC/book" -o "$WORK/$name" --format pdf -q "$@" 2>"$WORK/$name.err"; then
        bad "$name: build failed: $(head -3 "$WORK/$name.err")"
        return
    fi
    local res
    if res=$(python3 -I "$SRC/tests/lib/check_marks.py" "$WORK/$name"/*.pdf "$w" "$h"); then
        ok "$name: $res"
    else
        bad "$name: $res"
    fi
    if qpdf --check "$WORK/$name"/*.pdf >/dev/null 2>&1; then ok "$name: qpdf clean"; else bad "$name: qpdf"; fi
}

check a4-print 595.276 841.89 --marks --profile print
check letter-screen 612 792 --marks --paper letter

# the marks add nothing to the text, and move nothing on the page
"$BIN" build "$SRC/book" -o "$WORK/plain" --format pdf -q --profile print
pdftotext -bbox "$WORK/plain"/*.pdf "$WORK/plain.txt"
pdftotext -bbox "$WORK/a4-print"/*.pdf "$WORK/marks.txt"
# pdftotext measures from the MediaBox's corner: shift by the slug (10 mm)
if python3 -I - "$WORK/plain.txt" "$WORK/marks.txt" <<'PY'; then ok "same words at the same places with and without marks"; else bad "text moved or changed with --marks"; fi
import re, sys
MM = 72 / 25.4
def words(p):
    return re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">([^<]*)</word>',
                      open(p, encoding="utf-8").read())
a, b = words(sys.argv[1]), words(sys.argv[2])
slug = 10 * MM
# pdftotext may list a table's words in another order: compare as sets of
# (word, position) with the marked file shifted back by the slug
pa = sorted((w, float(y), float(x)) for x, y, w in a)
pb = sorted((w, float(y) - slug, float(x) - slug) for x, y, w in b)
sys.exit(0 if len(pa) == len(pb) > 1000 and all(
    u[0] == v[0] and abs(u[1] - v[1]) < 0.05 and abs(u[2] - v[2]) < 0.05
    for u, v in zip(pa, pb)) else 1)
PY
if qpdf --json-output "$WORK/plain"/*.pdf - | grep -q '"/TrimBox"'; then
    bad "a PDF without --marks has a TrimBox"
else
    ok "without --marks: no print boxes"
fi
finish print_marks
