#!/usr/bin/env bash
# End-to-end checks of the tagged PDF (issue 18, parts 4 and 5) over the
# guide and the fixture books: tables (bigtable), figures (figures/, whose
# images float), footnotes (forty notes at page feet), nonlatin, scripts and
# complex-scripts (CJK, right-to-left, Indic), multi (several chapters).
#
#   bash tests/e2e/tagged_pdf.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
#
# Per book, tests/lib/check_tagged_pdf.py (qpdf --json, pdfinfo) asserts:
# pdfinfo says Tagged: yes; the text of `pdfinfo -struct-text` in tree order
# holds >= 99 % of the source's words in order with each footnote where it
# is first cited; MarkInfo, Lang, DisplayDocTitle and XMP with pdfuaid:part 1
# on the catalog; /Tabs /S on every page; every text-showing and painting
# operator inside an MCID or an Artifact; every MCID in the ParentTree once
# and held by that element alone; every Figure with /Alt; headings nested;
# every link annotation tied to a Link element (StructParent and OBJR); TH
# with /Scope. Then: qpdf --check stays clean, and the figures and tables
# fixtures have Figure and TH elements (so those checks are not vacuous).
# Last line: "tagged_pdf: N passed, M failed".
. "$(dirname "$0")/../lib/e2e.sh"

for tool in qpdf pdfinfo python3; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done
pdfinfo -h 2>&1 | grep -q -- -struct-text || { echo "pdfinfo without -struct-text (poppler >= 21.10 needed)" >&2; exit 2; }
export OCTAVO_FONTS=$SRC/fonts
export SOURCE_DATE_EPOCH=1764158400

check_book() { # name book-path [element that must be there]
    local name=$1 book=$2 need=${3:-} out=$WORK/$1
    mkdir -p "$out"
    if ! "$BIN" build "$book" -o "$out" --format pdf -q 2>"$out/build.err"; then
        bad "$name: build failed: $(head -3 "$out/build.err")"
        return
    fi
    local pdf
    pdf=$(ls "$out"/*.pdf 2>/dev/null | head -1)
    [ -n "$pdf" ] || { bad "$name: no PDF written"; return; }
    local line report
    report=$(python3 -I "$SRC/tests/lib/check_tagged_pdf.py" "$book" "$pdf" 2>&1)
    while IFS= read -r line; do
        case $line in
        "ok   "*) ok "$name: ${line#ok   }" ;;
        "FAIL "*) bad "$name: ${line#FAIL }" ;;
        elements:*) echo "     $name: $line" ;;
        *) bad "$name: checker: $line" ;;
        esac
    done <<<"$report"
    if [ -n "$need" ]; then
        if grep -q "^elements:.* $need [1-9]" <<<"$report"; then ok "$name: has $need elements"
        else bad "$name: no $need element"; fi
    fi
    local q
    q=$(qpdf --check "$pdf" 2>&1)
    if [ $? -eq 0 ] && ! grep -qi "warning" <<<"$q"; then ok "$name: qpdf --check clean"
    else bad "$name: qpdf --check: $(grep -i 'warning\|error' <<<"$q" | head -3)"; fi
}

check_book guide "$SRC/book" Note
check_book fixture-tables "$SRC/tests/fixtures/bigtable.md" TH
check_book fixture-figures "$SRC/tests/fixtures/figures" Figure
check_book fixture-footnotes "$SRC/tests/fixtures/footnotes.md" Note
check_book fixture-nonlatin "$SRC/tests/fixtures/nonlatin.md"
check_book fixture-scripts "$SRC/tests/fixtures/scripts.md"
check_book fixture-complex-scripts "$SRC/tests/fixtures/complex-scripts.md"
check_book fixture-multi "$SRC/tests/fixtures/multi"

finish tagged_pdf
