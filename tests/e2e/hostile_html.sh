#!/usr/bin/env bash
# Hostile raw HTML (issue 14). Each case builds (exit 0) within 10 s of CPU
# and 1 GB (release build; the sanitized build gets more time and no memory
# bound), never crashes or trips a sanitizer, and leaves a PDF that qpdf
# --check passes and an EPUB whose XHTML, parsed by tests/hostile/html_check.py
# (not grepped), is well-formed and holds nothing from the removed list as
# live markup: no script/style/iframe/object/embed/form controls/template/
# noscript/base/meta/link/svg element, no on* or style attribute, no
# javascript:/vbscript:/data: href or src. Inputs come from
# tests/hostile/html_gen.py:
#   removed, removed-many   every removed element and attribute; 500 paragraphs
#                           of them still give one warning per kind
#   broken                  misnested, unclosed and stray tags, attribute soup,
#                           CDATA, a document inside the document, an unclosed
#                           comment, an unclosed iframe
#   deep-*                  10,000 levels of inline HTML (closed and unclosed),
#                           of div/blockquote/ul/li, 2,000 of details/dl/table,
#                           5,000 divs inside 40 quotes
#   entity-flood, tag-flood 64,000 entities (invalid ones too); 20,000 <kbd>s
#   colspan, attr-flood     colspan=100000 and 3,000 cells; 40,000 attributes
#
# usage: hostile_html.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
. "$(dirname "$0")/../lib/e2e.sh"
export SOURCE_DATE_EPOCH=1700000000
export OCTAVO_FONTS_DIR="$SRC/fonts"
CPU=10 RSS_MAX=$((1024 * 1024)) # KB
if sanitized_build "$BIN"; then CPU=60 RSS_MAX=0; fi
G="$WORK/books" O="$WORK/out" L="$WORK/log"
mkdir -p "$L" "$O"
python3 -I "$SRC/tests/hostile/html_gen.py" "$G" || { bad "cannot generate the inputs"; finish hostile_html; exit 1; }
. "$SRC/tests/lib/hostile.sh" # show, crashed
C=chapters/a.md

run() {
    local c=$1
    read -r rc cpu rss < <(python3 -I "$SRC/tests/hostile/limits_run.py" "$CPU" $((CPU * 6)) \
        "$L/$c.out" "$L/$c.err" -- "$BIN" build "$G/$c" -o "$O/$c")
}

# built CASE [CHECK-ARGS...]: exit 0 within the limits, no error, qpdf clean,
# the EPUB's XHTML clean (and the words given absent (-W) or present (+W))
built() {
    local c=$1
    shift
    run "$c"
    crashed "$c" && return 1
    if [ "$RSS_MAX" -gt 0 ] && [ "$rss" -gt "$RSS_MAX" ]; then bad "$c: peak memory ${rss} KB"; return 1; fi
    echo "     $c: exit $rc, ${cpu}s CPU, $((rss / 1024)) MB"
    if [ "$rc" != 0 ] || grep -q "error:" "$L/$c.err"; then bad "$c: exit $rc"; show "$L/$c.err"; return 1; fi
    if ! qpdf --check "$O/$c/$c.pdf" >"$L/$c.qpdf" 2>&1; then bad "$c: qpdf --check fails"; show "$L/$c.qpdf"; return 1; fi
    if ! python3 -I "$SRC/tests/hostile/html_check.py" "$O/$c/$c.epub" "$@" >"$L/$c.check" 2>&1; then
        bad "$c: EPUB check"; show "$L/$c.check"; return 1
    fi
    ok "$c: built; PDF clean; nothing removed is live in the EPUB"
}

# count CASE REGEX N: exactly N warning lines match REGEX
count() {
    local n
    n=$(grep -cE "warning: $2" "$L/$1.err")
    if [ "$n" = "$3" ]; then ok "$1: $3 warning(s) '$2'"; else bad "$1: $n warnings '$2', want $3"; fi
}

built removed -IFRAMEWORD -OBJECTWORD -INPUTWORD -BUTTONWORD -OPTIONWORD -TEXTAREAWORD \
    -TEMPLATEWORD -NOSCRIPTWORD -COMMENTWORD -alert "+Kept" "+jsimg" "+dataimg" "+fine link" "+Sum"
for k in script style iframe object embed form template noscript base meta link svg; do
    count removed "HTML <$k> element, removed with its content" 1
done
for k in javascript vbscript data; do count removed "'$k:' URLs in HTML are dropped" 1; done
count removed "HTML event handler attributes" 1
count removed "HTML style attributes" 1
has_line "$L/removed.err" "$G/removed/$C:" "^5:1: warning: HTML <script> element" && ok "removed: the script warning at its first line (5:1)" ||
    bad "removed: no script warning at 5:1"
has_line "$L/removed.err" "$G/removed/$C:" "^20:1: warning: HTML event handler" && ok "removed: the on* warning at its first line (20:1)" ||
    bad "removed: no on* warning at 20:1"
built removed-many -alert "+Para 499"
count removed-many "HTML <script> element" 1
count removed-many "HTML event handler attributes" 1
count removed-many "'javascript:' URLs" 1

built broken -TITLEWORD "+row outside a table" "+attribute soup" "+both" "+deep"
built deep-inline +DEEPWORD
count deep-inline "HTML elements nested deeper than 24 levels" 1
built deep-inline-unclosed +DEEPWORD
built deep-block +DEEPWORD "+After the deep block."
built deep-mixed +DEEPWORD
built deep-markdown +DEEPWORD
built entity-flood
built tag-flood
built colspan
built attr-flood +attrs
count attr-flood "HTML nested more than 512 elements deep, or a tag longer than 16384 bytes" 1
J=$(epubcheck_jar)
if [ -n "$J" ] && command -v java >/dev/null; then
    for c in removed broken; do
        if timeout 300 "$SRC/tests/lib/run_epubcheck.sh" "$O/$c/$c.epub" >"$L/$c.epubcheck" 2>&1; then ok "$c: epubcheck"; else
            bad "$c: epubcheck"; grep -E "^(ERROR|FATAL|WARNING)" "$L/$c.epubcheck" | head -3 | cut -c1-200
        fi
    done
else
    bad "epubcheck is not installed"
fi
finish hostile_html
