#!/usr/bin/env bash
# Hostile inputs for the parser, the PDF's strings and the output commit
# (issue 21). Each case ends in one of two ways, within 10 s of CPU and 1 GB
# (release build; the sanitized build gets more time and no memory bound):
#   exit 1 with "PATH:LINE:COL: error: ..." at the offending line, nothing written;
#   exit 0 with the expected warning and valid outputs (qpdf --check; epubcheck
#   for the kinds of output that are new here).
# Never a crash or a sanitizer report. Inputs are generated at run time by
# tests/hostile/parse_gen.py.
#
# usage: hostile_parse.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
. "$(dirname "$0")/../lib/e2e.sh"
export SOURCE_DATE_EPOCH=1700000000
export OCTAVO_FONTS_DIR="$SRC/fonts"
CPU=10 RSS_MAX=$((1024 * 1024)) # KB
if sanitized_build "$BIN"; then CPU=60 RSS_MAX=0; fi
G="$WORK/books" O="$WORK/out" L="$WORK/log"
mkdir -p "$L" "$O"
python3 -I "$SRC/tests/hostile/parse_gen.py" "$G" || { bad "cannot generate the inputs"; finish hostile_parse; exit 1; }
. "$SRC/tests/lib/hostile.sh" # show, crashed

# run CASE BOOK [ARGS...]: builds BOOK into $O/CASE; sets rc, cpu, rss
run() {
    local c=$1 book=$2
    shift 2
    read -r rc cpu rss < <(python3 -I "$SRC/tests/hostile/limits_run.py" "$CPU" $((CPU * 6)) \
        "$L/$c.out" "$L/$c.err" -- "$BIN" build "$book" -o "$O/$c" "$@")
}

# sane CASE: no crash, no hang, within the limits, no sanitizer report
sane() {
    local c=$1
    crashed "$c" && return 1
    if [ "$RSS_MAX" -gt 0 ] && [ "$rss" -gt "$RSS_MAX" ]; then bad "$c: peak memory ${rss} KB"; return 1; fi
    echo "     $c: exit $rc, ${cpu}s CPU, $((rss / 1024)) MB"
    return 0
}

# expect_error CASE FILE LINE REGEX: exit 1, FILE:LINE:COL: error: REGEX (LINE
# may be a regex), nothing written
expect_error() {
    local c=$1 file=$2 line=$3 re=$4
    run "$c" "$G/$c"
    sane "$c" || return
    if [ "$rc" != 1 ]; then bad "$c: exit $rc, want 1"; show "$L/$c.err"; return; fi
    if ! grep -Eq "^$file:($line):[0-9]+: error: $re" "$L/$c.err"; then
        bad "$c: no '$file:$line:COL: error: $re'"; show "$L/$c.err"; return
    fi
    if [ -n "$(ls -A "$O/$c" 2>/dev/null)" ]; then bad "$c: wrote $(ls -A "$O/$c")"; return; fi
    ok "$c"
}

# expect_built CASE REGEX: exit 0, a warning matching REGEX (when not
# empty), no error, outputs that qpdf --check passes
expect_built() {
    local c=$1 re=$2
    run "$c" "$G/$c"
    sane "$c" || return
    if [ "$rc" != 0 ]; then bad "$c: exit $rc, want 0"; show "$L/$c.err"; return; fi
    if grep -q "error:" "$L/$c.err"; then bad "$c: an error"; show "$L/$c.err"; return; fi
    if [ -n "$re" ] && ! grep -Eq "warning: $re" "$L/$c.err"; then
        bad "$c: no warning '$re'"; show "$L/$c.err"; return
    fi
    if [ ! -s "$O/$c/$c.pdf" ] || [ ! -s "$O/$c/$c.epub" ]; then bad "$c: outputs missing"; return; fi
    if ! qpdf --check "$O/$c/$c.pdf" >"$L/$c.qpdf" 2>&1; then bad "$c: qpdf --check fails"; show "$L/$c.qpdf"; return; fi
    ok "$c"
}

C=chapters/a.md
# ---- 1. cmark-gfm 0.29's blow-ups, stopped at their line ---------------------------------
expect_error table-wide-rows "$G/table-wide-rows/$C" 6 "a table row of 50000 cells: .*quadratic"
expect_error table-delimiter-lines "$G/table-delimiter-lines/$C" "[0-9]+" \
    "[0-9]+ lines that look like a table's delimiter row in one paragraph"
expect_error table-short-rows "$G/table-short-rows/$C" "[0-9]+" \
    "table rows with fewer cells than the header are filled to its 5000 columns"
expect_error reference-bomb "$G/reference-bomb/$C" 7 "reference links copy their definitions' destinations"
expect_error nesting-text "$G/nesting-text/$C" 5 "block quotes and lists nested about 50000 deep"
expect_error image-openers "$G/image-openers/$C" 5 "[0-9]+ image openers \\('!\\['\\) still open before this link"
# their ordinary neighbours build, as before
expect_built nesting-ok ""
expect_built brackets-ok ""
expect_built table-wide-ok ""
expect_built table-short-ok ""
expect_built table-separators-ok ""
expect_built references-ok ""
pdftotext "$O/references-ok/references-ok.pdf" - 2>/dev/null | grep -q "Link r2999 and text" &&
    ok "references-ok: the last reference links are in the PDF" || bad "references-ok: text missing"
# an ordinary book of about 1,000 pages, with tables and reference links
python3 -I "$SRC/tests/bench/gen_book.py" "$G/bench" 1000 >/dev/null
run bench "$G/bench"
if sane bench; then
    [ "$rc" = 0 ] && ! grep -q "error:" "$L/bench.err" && ok "bench: a 1,000-page book builds" ||
        { bad "bench: exit $rc"; show "$L/bench.err"; }
fi

# ---- 2. a 200 MB chapter: an early error at the line where the book passes 64 MiB ----------
expect_error chapter-200mb "$G/chapter-200mb/$C" "[0-9]+" "the book's Markdown passes 64 MiB here"
rm -rf "$G/chapter-200mb"

# ---- 3. strings too long for PDF objects: cut (or a link made text), with a warning ---------
expect_built long-heading "PDF writer: the bookmark title .* is longer than PDF readers accept; cut"
# the bookmark is a prefix of the heading, cut between whole characters
if qpdf --json --json-key=outlines "$O/long-heading/long-heading.pdf" >"$L/long-heading.json" 2>&1 &&
    python3 -I -c '
import json, sys
title = max((o["title"] for o in json.load(open(sys.argv[1]))["outlines"]), key=len)
full = open(sys.argv[2], encoding="utf-8").read()
assert 10000 < len(title.encode("utf-16-be")) + 2 <= 32767, len(title)
assert full.startswith(title), title[-20:]
' "$L/long-heading.json" "$G/long-heading.expected"; then
    ok "long-heading: the bookmark is the heading cut at a character, under 32,767 bytes"
else
    bad "long-heading: bookmark title not a whole-character prefix under 32,767 bytes"
fi
expect_built long-title "PDF writer: the document Title .* is longer than PDF readers accept; cut"
expect_built many-authors "PDF writer: the document Author .* is longer than PDF readers accept; cut"
expect_built long-autolink "PDF writer: link 'http://www.aaaa.*' is 70015 bytes, longer than PDF readers accept; shown as text"
pdftotext "$O/long-autolink/long-autolink.pdf" - 2>/dev/null | tr -d '\n' | grep -q "www.aaaaaaaaaa" &&
    ok "long-autolink: the link is shown as text" || bad "long-autolink: the text is missing"
qpdf --qdf --object-streams=disable "$O/long-autolink/long-autolink.pdf" "$L/long-autolink.qdf" 2>/dev/null
grep -q "example.com/short" "$L/long-autolink.qdf" && ! grep -q "www.aaaaaaaaaa" "$L/long-autolink.qdf" &&
    ok "long-autolink: the short link is an annotation, the long one is not" ||
    bad "long-autolink: annotations wrong"
J=$(epubcheck_jar)
if [ -n "$J" ] && command -v java >/dev/null; then
    for c in long-heading long-title many-authors long-autolink; do
        if timeout 300 "$SRC/tests/lib/run_epubcheck.sh" "$O/$c/$c.epub" >"$L/$c.epubcheck" 2>&1; then ok "$c: epubcheck"; else
            bad "$c: epubcheck"; grep -E "^(ERROR|FATAL)" "$L/$c.epubcheck" | head -3 | cut -c1-200
        fi
    done
else
    bad "epubcheck is not installed"
fi

# ---- 4. outputs committed as a pair -------------------------------------------------------
D="$O/commit"
prev() { # keep the previous outputs of "small" (another date: other bytes)
    rm -rf "$D" "$D.prev" && mkdir -p "$D.prev"
    SOURCE_DATE_EPOCH=1600000000 "$BIN" build "$G/small" -o "$D" -q && cp "$D"/small.* "$D.prev/"
}
stray() { ls -A "$D" | grep -v '^small\.\(pdf\|epub\)$'; }
# a folder named small.epub is in the way: found before the PDF is replaced
prev && rm "$D/small.epub" "$D.prev/small.epub" && mkdir "$D/small.epub"
read -r rc cpu rss < <(python3 -I "$SRC/tests/hostile/limits_run.py" "$CPU" $((CPU * 6)) \
    "$L/commit-dir.out" "$L/commit-dir.err" -- "$BIN" build "$G/small" -o "$D")
if sane commit-dir; then
    [ "$rc" = 1 ] && grep -q "^$D/small.epub: error: cannot move the output into place: a folder is in the way" "$L/commit-dir.err" &&
        ok "commit-dir: exit 1, the folder named" || { bad "commit-dir: exit $rc"; show "$L/commit-dir.err"; }
fi
cmp -s "$D/small.pdf" "$D.prev/small.pdf" && ok "commit-dir: the previous PDF byte for byte" ||
    bad "commit-dir: the previous PDF was replaced"
[ -d "$D/small.epub" ] && [ -z "$(ls -A "$D/small.epub")" ] && [ -z "$(stray)" ] &&
    ok "commit-dir: no stray files" || bad "commit-dir: stray files: $(stray)"
# the EPUB's rename fails after the PDF's succeeded (a file mounted over the
# EPUB: EBUSY, which no check before the renames sees): the PDF is put back
prev
: >"$WORK/over"
if mount --bind "$WORK/over" "$D/small.epub" 2>/dev/null; then
    read -r rc cpu rss < <(python3 -I "$SRC/tests/hostile/limits_run.py" "$CPU" $((CPU * 6)) \
        "$L/commit-busy.out" "$L/commit-busy.err" -- "$BIN" build "$G/small" -o "$D")
    umount "$D/small.epub"
    if sane commit-busy; then
        [ "$rc" = 1 ] && grep -q "^$D/small.epub: error: cannot move the output into place" "$L/commit-busy.err" &&
            ok "commit-busy: exit 1" || { bad "commit-busy: exit $rc"; show "$L/commit-busy.err"; }
    fi
    cmp -s "$D/small.pdf" "$D.prev/small.pdf" && cmp -s "$D/small.epub" "$D.prev/small.epub" &&
        ok "commit-busy: both previous outputs byte for byte" || bad "commit-busy: the previous outputs changed"
    [ -z "$(stray)" ] && ok "commit-busy: no stray files" || bad "commit-busy: stray files: $(stray)"
else
    echo "hostile_parse: note: mount not permitted; the failed-rename case is skipped"
fi
# and a build that succeeds leaves nothing but its outputs
prev
"$BIN" build "$G/small" -o "$D" -q && ! cmp -s "$D/small.pdf" "$D.prev/small.pdf" && [ -z "$(stray)" ] &&
    ok "commit-ok: replaced, no stray files" || bad "commit-ok: $(stray)"
finish hostile_parse
