#!/usr/bin/env bash
# End-to-end checks of the tagged PDF (issue 18, parts 4 and 5) over the
# guide and every fixture book: each folder with book.yaml, each .md file,
# the han/ files and the mdBook folders (tables in bigtable, figures in
# figures/ whose images float, forty footnotes at page feet, raw HTML,
# every image format, highlighted code, CJK, right-to-left and Indic
# scripts, several chapters, mdBook's SUMMARY.md and includes).
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
# Books are built and checked two at a time (the CI machine's cores).
# Last: a build with tagging switched off (OCTAVO_TAGGED=0) fails the
# checks, so they are not vacuous either.
# Last line: "tagged_pdf: N passed, M failed".
. "$(dirname "$0")/../lib/e2e.sh"

for tool in qpdf pdfinfo python3; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done
pdfinfo -h 2>&1 | grep -q -- -struct-text || { echo "pdfinfo without -struct-text (poppler >= 21.10 needed)" >&2; exit 2; }
export OCTAVO_FONTS=$SRC/fonts
export SOURCE_DATE_EPOCH=1764158400

# check_book NAME BOOK ELEMENT LANGS: builds BOOK and checks its PDF; prints
# "ok ..." / "FAIL ..." lines (replayed by the caller) into $WORK/NAME.report.
# ELEMENT must be in the tree ("-": none needed); LANGS ("he,ja", "-" for
# none) are exactly the /Lang values on its marked content.
check_book() {
    local name=$1 book=$2 need=${3:--} langs=${4:--} out=$WORK/$1
    [ "$need" = - ] && need=""
    mkdir -p "$out"
    {
        if ! "$BIN" build "$book" -o "$out" --format pdf -q 2>"$out/build.err"; then
            echo "FAIL $name: build failed: $(head -3 "$out/build.err")"
            return
        fi
        local pdf
        pdf=$(ls "$out"/*.pdf 2>/dev/null | head -1)
        [ -n "$pdf" ] || { echo "FAIL $name: no PDF written"; return; }
        local line report
        report=$(python3 -I "$SRC/tests/lib/check_tagged_pdf.py" "$book" "$pdf" 2>&1)
        while IFS= read -r line; do
            case $line in
            "ok   "*) echo "ok   $name: ${line#ok   }" ;;
            "FAIL "*) echo "FAIL $name: ${line#FAIL }" ;;
            elements:*) echo "     $name: $line" ;;
            langs:*)
                local got
                got=$(sed 's/^langs: //; s/ [0-9][0-9]*//g; s/ /,/g' <<<"$line")
                [ "$got" = none ] && got=-
                if [ "$got" = "$langs" ]; then echo "ok   $name: /Lang on runs in other scripts: ${line#langs: }"
                else echo "FAIL $name: /Lang values $got, expected $langs"; fi ;;
            *) echo "FAIL $name: checker: $line" ;;
            esac
        done <<<"$report"
        if [ -n "$need" ]; then
            if grep -q "^elements:.* $need [1-9]" <<<"$report"; then echo "ok   $name: has $need elements"
            else echo "FAIL $name: no $need element"; fi
        fi
        local q
        q=$(qpdf --check "$pdf" 2>&1)
        if [ $? -eq 0 ] && ! grep -qi "warning" <<<"$q"; then echo "ok   $name: qpdf --check clean"
        else echo "FAIL $name: qpdf --check: $(grep -i 'warning\|error' <<<"$q" | head -3)"; fi
    } >"$WORK/$name.report"
}

# The books: NAME BOOK ELEMENT LANGS (see check_book)
books=("guide $SRC/book Note -")
need_of() {
    case $1 in
    bigtable.md) echo TH ;; figures) echo Figure ;; footnotes.md) echo Note ;;
    html) echo Table ;; imgformats) echo Figure ;; highlight.md) echo Code ;;
    *) echo - ;;
    esac
}
langs_of() { # the scripts in each book that its language is not written in
    case $1 in
    nonlatin.md) echo he,ja,und-Arab,zh ;;
    scripts.md) echo he,ja,ko,th,und-Arab,und-Beng,und-Deva,zh ;;
    complex-scripts.md) echo und-Arab,und-Deva ;; mdbook/nonlatin) echo ja ;;
    han/zh.md) echo ja ;; # (Japanese text in a zh-Hans book: kana)
    mdbook/nested) echo ja ;;
    *) echo - ;;
    esac
}
add_book() { # PATH (a folder or an .md file under tests/fixtures)
    local rel=${1#"$SRC"/tests/fixtures/}
    books+=("fixture-$(tr / - <<<"${rel%.md}") $1 $(need_of "$rel") $(langs_of "$rel")")
}
for path in "$SRC"/tests/fixtures/*/book.yaml; do add_book "${path%/book.yaml}"; done
for path in "$SRC"/tests/fixtures/*.md "$SRC"/tests/fixtures/han/*.md; do add_book "$path"; done
for path in "$SRC"/tests/fixtures/mdbook/*/; do
    path=${path%/}
    if [ -e "$path/book.toml" ] || [ -e "$path/book.yaml" ]; then add_book "$path"; fi
done

export -f check_book
export BIN SRC WORK
printf '%s\n' "${books[@]}" | xargs -P 2 -I{} bash -c 'check_book $1' _ {} # (its words: the arguments)
for b in "${books[@]}"; do
    name=${b%% *}
    while IFS= read -r line; do
        case $line in
        "ok   "*) ok "${line#ok   }" ;;
        "FAIL "*) bad "${line#FAIL }" ;;
        *) echo "$line" ;;
        esac
    done <"$WORK/$name.report"
done

# Tagging switched off: the checks must fail (tagged, catalog, content, ParentTree).
book=$SRC/tests/fixtures/single.md out=$WORK/untagged
mkdir -p "$out"
if OCTAVO_TAGGED=0 "$BIN" build "$book" -o "$out" --format pdf -q 2>"$out/build.err"; then
    report=$(python3 -I "$SRC/tests/lib/check_tagged_pdf.py" "$book" "$out"/*.pdf 2>&1)
    failed=$(grep -c '^FAIL' <<<"$report")
    missing=""
    for c in tagged words catalog tabs content parenttree links; do
        grep -q "^FAIL $c:" <<<"$report" || missing="$missing $c"
    done
    if [ -z "$missing" ]; then ok "untagged build: $failed checks fail, as they should"
    else bad "untagged build: these checks pass without tagging:$missing"; fi
else
    bad "untagged build failed: $(head -3 "$out/build.err")"
fi

finish tagged_pdf
