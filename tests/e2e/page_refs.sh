#!/usr/bin/env bash
# Page references in print and the EPUB's page-list (issue 19, parts 4-5),
# checked by tests/lib/check_page_refs.py:
#   - print: every internal link says "(p. N)", N the page its target is on
#     (the guide, and tests/fixtures/pagerefs with 145 references to
#     headings, <a id> anchors and chapters, in lists, quotes, footnotes);
#     on screen none does;
#   - the EPUB's page-list has an entry per PDF page with its label (roman
#     front matter), each a pagebreak marker where the page's first words
#     follow in the XHTML; the same with --format epub alone against the
#     PDF of the same options (paper, profile), on A5 and in a handout;
#   - epubcheck 0/0/0, qpdf clean, Ace reports printPageNumbers;
#   - a handout still says "(in the full book)" for chapters left out.
# Usage: page_refs.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
. "$(dirname "$0")/../lib/e2e.sh"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
JAR=$(epubcheck_jar)
CHECK="python3 -I $SRC/tests/lib/check_page_refs.py"
FIX=$SRC/tests/fixtures/pagerefs

check() { # what, command...
    local what=$1 res
    shift
    if res=$("$@" 2>&1); then ok "$what: $(tail -1 <<<"$res")"; else bad "$what: $(head -8 <<<"$res" | tr '\n' '|')"; fi
}

validate() { # name, dir
    local ec
    if [ -n "$JAR" ]; then
        ec=$(java -jar "$JAR" "$2"/*.epub 2>&1 | grep -E "^Messages:")
        case "$ec" in *"0 fatals / 0 errors / 0 warnings / 0 infos"*) ok "$1: epubcheck $ec" ;;
            *) bad "$1: epubcheck $ec $(java -jar "$JAR" "$2"/*.epub 2>&1 | grep -m3 -E 'ERROR|WARN' | tr '\n' '|')" ;; esac
    else
        bad "$1: epubcheck is not installed (bash .ci/deps)"
    fi
    for pdf in "$2"/*.pdf; do
        [ -e "$pdf" ] || continue
        if qpdf --check "$pdf" >/dev/null 2>&1; then ok "$1: qpdf clean"; else bad "$1: qpdf --check"; fi
    done
}

build() { # name, book, options...
    local name=$1 book=$2
    shift 2
    if "$BIN" build "$book" -o "$WORK/$name" -q "$@" 2>"$WORK/$name.err"; then
        ok "$name: builds"
    else
        bad "$name: build failed: $(head -3 "$WORK/$name.err" | tr '\n' '|')"
    fi
}

# ---- the guide --------------------------------------------------------------
build guide-print "$SRC/book" --profile print
check "guide print: page references" $CHECK refs "$WORK"/guide-print/*.pdf 20
check "guide print: page-list" $CHECK pagelist "$WORK"/guide-print/*.pdf "$WORK"/guide-print/*.epub
validate "guide print" "$WORK/guide-print"
build guide-screen "$SRC/book"
check "guide screen: links only" $CHECK norefs "$WORK"/guide-screen/*.pdf
check "guide screen: page-list" $CHECK pagelist "$WORK"/guide-screen/*.pdf "$WORK"/guide-screen/*.epub
validate "guide screen" "$WORK/guide-screen"
src=$(unzip -p "$WORK"/guide-screen/*.epub EPUB/package.opf | grep -o '<dc:source[^<]*')
case "$src" in *"PDF edition (A4, screen)"*) ok "guide screen: dc:source names the edition: ${src#*>}" ;;
    *) bad "guide screen: dc:source is '$src'" ;; esac

# ---- the fixture: 145 references ----------------------------------------------
build fixture-print "$FIX" --profile print
check "fixture print: page references" $CHECK refs "$WORK"/fixture-print/*.pdf 140
check "fixture print: page-list" $CHECK pagelist "$WORK"/fixture-print/*.pdf "$WORK"/fixture-print/*.epub
validate "fixture print" "$WORK/fixture-print"
# A5 moves every break; --format epub alone must list the same pages as
# the PDF the same options make
build fixture-a5-pdf "$FIX" --profile print --paper a5 --format pdf
build fixture-a5-epub "$FIX" --profile print --paper a5 --format epub
check "fixture a5: page references" $CHECK refs "$WORK"/fixture-a5-pdf/*.pdf 140
check "fixture a5: --format epub alone follows the PDF" \
    $CHECK pagelist "$WORK"/fixture-a5-pdf/*.pdf "$WORK"/fixture-a5-epub/*.epub
validate "fixture a5 epub" "$WORK/fixture-a5-epub"
if [ "$(pdfinfo "$WORK"/fixture-a5-pdf/*.pdf | grep Pages)" != "$(pdfinfo "$WORK"/fixture-print/*.pdf | grep Pages)" ]; then
    ok "fixture a5: a page count of its own"
else
    bad "fixture a5: same page count as A4"
fi
build fixture-screen "$FIX"
check "fixture screen: links only" $CHECK norefs "$WORK"/fixture-screen/*.pdf
check "fixture screen: page-list" $CHECK pagelist "$WORK"/fixture-screen/*.pdf "$WORK"/fixture-screen/*.epub

# ---- a handout: left-out chapters say so, the others their page ---------------
build handout "$SRC/book" --profile print --chapters 4
if pdftotext "$WORK"/handout/*.pdf - | tr '\n' ' ' | grep -q "(in the full book)"; then
    ok "handout: links to chapters left out say (in the full book)"
else
    bad "handout: no (in the full book)"
fi
check "handout: page-list" $CHECK pagelist "$WORK"/handout/*.pdf "$WORK"/handout/*.epub
validate handout "$WORK/handout"

# ---- Ace: printPageNumbers ------------------------------------------------------
ACE=$SRC/tests/a11y/node_modules/.bin/ace-cli
export PUPPETEER_EXECUTABLE_PATH=${PUPPETEER_EXECUTABLE_PATH:-/usr/bin/chromium}
export PUPPETEER_SKIP_DOWNLOAD=1
if [ -x "$ACE" ]; then
    "$SRC/tests/lib/run_ace.sh" "$(ls "$WORK"/guide-print/*.epub | head -1)" "$WORK/ace" \
        >"$WORK/ace.log" 2>&1
    if [ -s "$WORK/ace/report.json" ]; then
        res=$(python3 -I - "$WORK/ace/report.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
meta = r.get("earl:testSubject", {}).get("metadata", {})
feats = meta.get("schema:accessibilityFeature", [])
feats = feats if isinstance(feats, list) else [feats]
bad = [a for a in r.get("assertions", []) for x in a.get("assertions", [])
       if x.get("earl:result", {}).get("earl:outcome") == "fail"]
print(f"features {', '.join(feats)}; {len(bad)} violations")
sys.exit(0 if "printPageNumbers" in feats and "pageNavigation" in feats and not bad else 1)
PY
)
        if [ $? = 0 ]; then ok "Ace: $res"; else bad "Ace: $res"; fi
    else
        bad "Ace wrote no report: $(tail -3 "$WORK/ace.log" | tr '\n' ' ')"
    fi
else
    bad "Ace is not installed (bash .ci/deps)"
fi
finish page_refs
