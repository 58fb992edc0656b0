#!/usr/bin/env bash
# Accessibility of the EPUB, end to end (issue 18, parts 1-3):
#   - the OPF's schema: accessibility metadata follows the content (visual
#     mode and alternativeText only with images, textual sufficiency only when
#     every image has alt text, structuralNavigation only without skipped
#     heading levels); dcterms:conformsTo and a11y:certifiedBy only when
#     book.yaml's accessibility: claims them; hazards as declared, else none;
#   - warnings at PATH:LINE:COL, once each, for an image without alt text, a
#     skipped heading level, a table with an empty header row and link text
#     that is only a URL or "here"; none for the guide;
#   - Ace by DAISY (tests/a11y, installed by .ci/deps) reports 0 violations of
#     any impact on the guide, every fixture (han/ and the mdBook folders
#     included) and a book with claims;
#   - reflow at 320 CSS px in Debian's chromium: no document scrolls
#     sideways, no word in a table cell breaks without a hyphen; the cover
#     fits a 320x640 and a 1280x800 viewport.
# Ace, node or chromium missing is a failure, not a skip: run bash .ci/deps.
# Usage: accessibility.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
. "$(dirname "$0")/../lib/e2e.sh"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$PATH
A11Y=$SRC/tests/a11y
ACE=$A11Y/node_modules/.bin/ace-cli
export PUPPETEER_EXECUTABLE_PATH=${PUPPETEER_EXECUTABLE_PATH:-/usr/bin/chromium}
export PUPPETEER_SKIP_DOWNLOAD=1
JAR=$(epubcheck_jar)

opf() { unzip -p "$1" EPUB/package.opf; }
has_meta() { grep -qF "<meta property=\"$2\">$3</meta>" <<<"$1"; }

# ---- 1. metadata and warnings ------------------------------------------------
guide_msgs=$("$BIN" check "$SRC/book" 2>&1)
a11y_re="no alt text|skipping level|opens with a level|header row|does not say where it leads"
if grep -qE "$a11y_re" <<<"$guide_msgs"; then
    bad "the guide has accessibility warnings: $(grep -E "$a11y_re" <<<"$guide_msgs" | head -3)"
else
    ok "the guide builds with no accessibility warnings"
fi

mkdir -p "$WORK/flawed/images" "$WORK/fixed/images"
cp "$SRC/book/images/career-ladder.png" "$WORK/flawed/images/chart.png"
cp "$SRC/book/images/career-ladder.png" "$WORK/fixed/images/chart.png"
cat >"$WORK/flawed/book.md" <<'MD'
---
title: Flawed
language: en
slug: flawed
---

# Start

![](images/chart.png)

#### Too deep

See [here](https://example.org/a) and
the list at <https://example.org/b>.

|   |   |
|---|---|
| a | b |

Text with ![ok alt](images/chart.png) in it, and [Click here](https://example.org/c).
MD
cat >"$WORK/fixed/book.md" <<'MD'
---
title: Fixed
language: en
slug: fixed
accessibility:
  conforms-to: EPUB Accessibility 1.1 - WCAG 2.1 Level AA
  certified-by: Example Accessibility Lab
  hazards: [flashing, noSoundHazard]
---

# Start

![A ladder of career stages](images/chart.png)

## Deep enough

See [the first example](https://example.org/a) and
[the list of examples](https://example.org/b).

| Name | Value |
|------|-------|
| a    | b     |
MD
flawed_msgs=$("$BIN" build "$WORK/flawed/book.md" -o "$WORK/out" --format epub 2>&1)
want="$WORK/flawed/book.md:9:1: warning: image 'images/chart.png' has no alt text
$WORK/flawed/book.md:11:1: warning: heading level 4 follows level 1, skipping level 2
$WORK/flawed/book.md:13:5: warning: link text 'here' does not say where it leads
$WORK/flawed/book.md:14:13: warning: link text 'https://example.org/b' does not say where it leads
$WORK/flawed/book.md:16:1: warning: table has an empty header row
$WORK/flawed/book.md:20:50: warning: link text 'Click here' does not say where it leads"
missing=""
while IFS= read -r w; do
    n=$(grep -cF "$w" <<<"$flawed_msgs")
    [ "$n" = 1 ] || missing="$missing [$n x] $w;"
done <<<"$want"
total=$(grep -cE "$a11y_re" <<<"$flawed_msgs")
if [ -z "$missing" ] && [ "$total" = 6 ]; then
    ok "six problems, six warnings, each once at its PATH:LINE:COL"
else
    bad "warnings: expected each once:$missing; got $total: $(grep -E "$a11y_re" <<<"$flawed_msgs" | tr '\n' '|')"
fi

flawed_opf=$(opf "$WORK/out/flawed.epub")
if has_meta "$flawed_opf" schema:accessMode visual &&
    has_meta "$flawed_opf" schema:accessModeSufficient textual,visual &&
    ! has_meta "$flawed_opf" schema:accessModeSufficient textual &&
    ! has_meta "$flawed_opf" schema:accessibilityFeature alternativeText &&
    ! has_meta "$flawed_opf" schema:accessibilityFeature structuralNavigation &&
    has_meta "$flawed_opf" schema:accessibilityFeature tableOfContents &&
    has_meta "$flawed_opf" schema:accessibilityHazard none &&
    grep -q "1 of its 2 images lacks alternative text" <<<"$flawed_opf" &&
    ! grep -q "dcterms:conformsTo\|a11y:certifiedBy" <<<"$flawed_opf"; then
    ok "flawed book: visual mode, no alternativeText, no textual sufficiency, no structuralNavigation, no claims"
else
    bad "flawed book OPF metadata: $(grep -o '<meta property="[^"]*">[^<]*' <<<"$flawed_opf" | tr '\n' '|')"
fi

fixed_msgs=$("$BIN" build "$WORK/fixed/book.md" -o "$WORK/out" --format epub 2>&1)
fixed_opf=$(opf "$WORK/out/fixed.epub")
if ! grep -qE "$a11y_re" <<<"$fixed_msgs" &&
    has_meta "$fixed_opf" schema:accessModeSufficient textual &&
    has_meta "$fixed_opf" schema:accessibilityFeature alternativeText &&
    has_meta "$fixed_opf" schema:accessibilityFeature structuralNavigation &&
    has_meta "$fixed_opf" schema:accessibilityHazard flashing &&
    has_meta "$fixed_opf" schema:accessibilityHazard noSoundHazard &&
    ! has_meta "$fixed_opf" schema:accessibilityHazard none &&
    grep -qF '<meta property="dcterms:conformsTo" id="conformance">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>' <<<"$fixed_opf" &&
    grep -qF '<meta property="a11y:certifiedBy" refines="#conformance">Example Accessibility Lab</meta>' <<<"$fixed_opf"; then
    ok "fixed book: no warnings; alternativeText, textual sufficiency, structuralNavigation; claimed conformance, certifier and hazards"
else
    bad "fixed book: $(grep -E "$a11y_re" <<<"$fixed_msgs" | head -2) $(grep -o '<meta property="[^"]*"[^>]*>[^<]*' <<<"$fixed_opf" | tr '\n' '|')"
fi

mkdir -p "$WORK/text"
printf -- '---\ntitle: Words only\nslug: text\n---\n\n# One\n\nText.\n\n## Two\n\nMore text.\n' >"$WORK/text/book.md"
"$BIN" build "$WORK/text/book.md" -o "$WORK/text/out" --format epub -q
text_opf=$(opf "$WORK/text/out/text.epub")
if has_meta "$text_opf" schema:accessMode textual && ! has_meta "$text_opf" schema:accessMode visual &&
    has_meta "$text_opf" schema:accessModeSufficient textual &&
    ! has_meta "$text_opf" schema:accessibilityFeature alternativeText; then
    ok "text-only book: textual mode only, no alternativeText"
else
    bad "text-only book: $(grep -o '<meta property="schema[^"]*">[^<]*' <<<"$text_opf" | tr '\n' '|')"
fi

"$BIN" build "$SRC/book" -o "$WORK/guide" --format epub -q
guide_opf=$(opf "$WORK/guide/ai-ml-engineer-guide.epub")
if has_meta "$guide_opf" schema:accessibilityFeature alternativeText &&
    has_meta "$guide_opf" schema:accessibilityFeature structuralNavigation &&
    has_meta "$guide_opf" schema:accessMode visual &&
    has_meta "$guide_opf" schema:accessibilityFeature pageNavigation &&
    has_meta "$guide_opf" schema:accessibilityFeature printPageNumbers &&
    ! grep -q "dcterms:conformsTo" <<<"$guide_opf"; then
    ok "guide: alternativeText, structuralNavigation, pageNavigation and printPageNumbers (the PDF's page-list); no conformance claim"
else
    bad "guide OPF: $(grep -o '<meta property="[^"]*">[^<]*' <<<"$guide_opf" | tr '\n' '|')"
fi

mkdir -p "$WORK/badclaim"
printf -- '---\ntitle: Bad claim\naccessibility:\n  conforms-to: WCAG AA probably\n---\n\n# A\n\nText.\n' >"$WORK/badclaim/book.md"
msg=$("$BIN" build "$WORK/badclaim/book.md" -o "$WORK/badclaim/out" 2>&1)
rc=$?
if [ "$rc" = 1 ] && grep -q "book.md:4:16: error: conforms-to 'WCAG AA probably'" <<<"$msg" &&
    [ -z "$(ls -A "$WORK/badclaim/out" 2>/dev/null)" ]; then
    ok "a conformance claim not in EPUB Accessibility 1.1's form is an error at its line (exit 1)"
else
    bad "bad conforms-to: exit $rc: $msg"
fi

if [ -n "$JAR" ] && "$SRC/tests/lib/run_epubcheck.sh" "$WORK/out/fixed.epub" >"$WORK/fixed.epubcheck" 2>&1 &&
    grep -q "Messages: 0 fatals / 0 errors / 0 warnings" "$WORK/fixed.epubcheck"; then
    ok "epubcheck passes the book with conformance, certifier and hazards"
else
    bad "epubcheck on the book with claims: $(grep -E 'ERROR|WARNING|FATAL|Messages' "$WORK/fixed.epubcheck" 2>/dev/null | head -3)"
fi

# ---- 2. Ace by DAISY ---------------------------------------------------------
tools_ok=1
for need in node "$PUPPETEER_EXECUTABLE_PATH"; do
    command -v "$need" >/dev/null || { bad "$need is missing: run bash .ci/deps"; tools_ok=0; }
done
for need in "$ACE" "$A11Y/node_modules/puppeteer-core/package.json"; do
    [ -e "$need" ] || { bad "$need is missing: run bash .ci/deps (npm ci in tests/a11y)"; tools_ok=0; }
done
[ "$tools_ok" = 1 ] || { finish accessibility; exit 1; }

books="guide:$SRC/book claims:$WORK/fixed/book.md"
# every fixture: folders with book.yaml, .md files, han/'s files, mdBook folders
for path in "$SRC"/tests/fixtures/*/book.yaml "$SRC"/tests/fixtures/*.md \
    "$SRC"/tests/fixtures/han/*.md "$SRC"/tests/fixtures/mdbook/*/book.toml \
    "$SRC"/tests/fixtures/mdbook/*/book.yaml; do
    [ -e "$path" ] || continue
    case "$path" in */book.yaml | */book.toml) path=${path%/book.*} ;; esac
    rel=${path#"$SRC"/tests/fixtures/}
    rel=${rel%.md}
    books="$books fixture-${rel//\//-}:$path"
done
mkdir -p "$WORK/epubs" "$WORK/unzipped"
for b in $books; do
    name=${b%%:*} path=${b#*:}
    rm -rf "$WORK/build-$name"
    if "$BIN" build "$path" -o "$WORK/build-$name" --format epub -q 2>/dev/null; then
        mv "$WORK/build-$name"/*.epub "$WORK/epubs/$name.epub"
        mkdir -p "$WORK/unzipped/$name"
        unzip -q -o "$WORK/epubs/$name.epub" -d "$WORK/unzipped/$name"
    else
        bad "$name: build failed"
    fi
done

# Ace waits on chromium more than it computes: five at a time.
ace_one() {
    local epub=$1 name
    name=$(basename "$epub" .epub)
    "$SRC/tests/lib/run_ace.sh" "$epub" "$WORK/ace/$name" >"$WORK/ace/$name.log" 2>&1
}
export -f ace_one
export SRC WORK
mkdir -p "$WORK/ace"
ls "$WORK"/epubs/*.epub | xargs -P 5 -I{} bash -c 'ace_one "$1"' _ {}
for epub in "$WORK"/epubs/*.epub; do
    name=$(basename "$epub" .epub)
    report=$WORK/ace/$name/report.json
    if [ ! -s "$report" ]; then
        bad "$name: Ace wrote no report: $(tail -3 "$WORK/ace/$name.log" | tr '\n' ' ')"
        continue
    fi
    summary=$(python3 -I "$A11Y/ace_report.py" "$report")
    if [ $? = 0 ]; then
        ok "$name: Ace: $(head -1 <<<"$summary")"
    else
        bad "$name: Ace: $(head -6 <<<"$summary" | tr '\n' '|')"
    fi
done

# ---- 3. reflow ---------------------------------------------------------------
out=$(cd "$A11Y" && node reflow.js --width 320 --height 640 "$WORK"/unzipped/* 2>&1)
if [ $? = 0 ]; then
    ok "320x640: $(tail -1 <<<"$out")"
else
    bad "320x640: $(grep -v '^ok' <<<"$out" | head -8 | tr '\n' '|')"
fi
out=$(cd "$A11Y" && node reflow.js --width 1280 --height 800 "$WORK"/unzipped/guide "$WORK"/unzipped/fixture-figures 2>&1)
if [ $? = 0 ]; then
    ok "1280x800 (the cover fits the viewport): $(tail -1 <<<"$out")"
else
    bad "1280x800: $(grep -v '^ok' <<<"$out" | head -8 | tr '\n' '|')"
fi
finish accessibility
