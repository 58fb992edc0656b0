#!/usr/bin/env bash
# End-to-end checks of the PDF edition over the guide and the fixture books,
# with real validators: qpdf --check, pdffonts, pdftotext, qpdf --json, pdfinfo.
#
#   bash tests/e2e/pdf_validate.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
#
# For each book: builds clean; qpdf --check has no error or warning; every
# font embedded, as a true subset (tests/lib/check_font_subsets.py: every
# glyph drawn and its components, nothing else); pdftotext prints no warning; >= 99% of the source's words are
# in the text and in order; a bookmark for every heading of levels 1-3; link
# annotations (internal, and external when the source has URLs); page labels.
#
# Words, and what "in order" means for scripts that are not written
# left to right with spaces:
# - Chinese and Japanese have no spaces and a line may break between any two
#   characters, so each ideograph or kana is a word of its own, on both sides.
# - Right-to-left words (Hebrew, Arabic): pdftotext reorders right-to-left
#   text with its own heuristics (a line's RTL pieces around punctuation may
#   come out swapped), so each maximal sequence of consecutive RTL words is
#   compared as a unit: its words must all be there, and the unit must sit in
#   order among the left-to-right words around it, but the order inside it is
#   not checked (both sides sort the unit's words). Every RTL word still
#   counts towards the 99 %.
# - Emoji are not words (no letters), so the 99 % never counts them;
#   fixture-nonlatin checks instead that each one a bundled font has is in
#   the PDF's text, and that the others are warned (once per script) and
#   shown as U+FFFD.
# - Words in a script no bundled font has are left out of the count (they are
#   drawn as U+FFFD and warned); the nonlatin and scripts fixtures must have
#   none.
# Every book: no glyph 0 (.notdef, the empty box) is drawn in any content
# stream (tests/lib/check_no_notdef.py).
# For the guide also: --paper letter gives 612x792 pages, --profile print
# shows an external link's URL, and two builds with SOURCE_DATE_EPOCH set are
# byte-identical. Last line: "pdf_validate: N passed, M failed".
. "$(dirname "$0")/../lib/e2e.sh"

HELPER=$WORK/check.py
# the word rules are tests/lib/source_words.py's (shared with the tagged-PDF
# check); its folder goes after the standard library on the path
export OCTAVO_TESTLIB=$SRC/tests/lib
cat >"$HELPER" <<'PY'
import json, os, re, subprocess, sys

sys.path.append(os.environ["OCTAVO_TESTLIB"])
from source_words import (WORD, in_order, join_compounds, md_body_and_notes,  # noqa: E402
                          sources, strip_front_matter, words_of)

def pdf_text(pdf, layout=False):
    # -layout keeps long table rows on their lines (plain mode may read a
    # table column by column); plain mode keeps a wrapped cell together
    args = ["pdftotext"] + (["-layout"] if layout else []) + ["-enc", "UTF-8", pdf, "-"]
    r = subprocess.run(args, capture_output=True)
    t = r.stdout.decode("utf-8", "replace")
    # join words hyphenated at line ends (and compounds, as in the source)
    return join_compounds(t)

def headings(text):
    out, fence = [], None
    for line in strip_front_matter(text).split("\n"):
        s = line.strip()
        m = re.match(r"(```+|~~~+)", s)
        if fence:
            if s.startswith(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        h = re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if h and len(h.group(1)) <= 3:
            out.append(" ".join(w.lower() for w in WORD.findall(
                re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", h.group(2)))))
    return out

def outline_titles(js):
    titles = []
    def walk(items):
        for o in items:
            titles.append(" ".join(w.lower() for w in WORD.findall(o.get("title", ""))))
            walk(o.get("kids", []))
    walk(js.get("outlines", []))
    return titles

def main():
    cmd, book, pdf = sys.argv[1], sys.argv[2], sys.argv[3]
    srcs = sources(book)
    if cmd == "words":
        body, notes, dropped = [], [], 0
        for s in srcs:
            b, n, d = md_body_and_notes(s)
            body += b
            notes += n
            dropped += d
        frac = 0
        for layout in (False, True):
            words = words_of(pdf_text(pdf, layout))
            frac = max(frac, in_order(body, words))
        present = set(words)
        nfrac = sum(1 for w in notes if w in present) / max(1, len(notes))
        print("%.4f %d %.4f %d %d" % (frac, len(body), nfrac, len(notes), dropped))
    elif cmd == "bookmarks":
        js = json.loads(subprocess.run(["qpdf", "--json", pdf], capture_output=True).stdout)
        titles = outline_titles(js)
        missing = []
        for s in srcs:
            for h in headings(s):
                if not any(t == h or t.endswith(" " + h) for t in titles):
                    missing.append(h)
        print(len(titles), len(missing), "|".join(missing[:5]))
    elif cmd == "links":
        js = json.loads(subprocess.run(["qpdf", "--json", pdf], capture_output=True).stdout)
        internal = external = 0
        for k, v in js["qpdf"][1].items():
            x = v.get("value") if isinstance(v, dict) else None
            if not isinstance(x, dict) or x.get("/Subtype") != "/Link":
                continue
            a = x.get("/A") or {}
            if isinstance(a, dict) and "/URI" in a:
                external += 1
            elif "/Dest" in x or (isinstance(a, dict) and a.get("/S") == "/GoTo"):
                internal += 1
        labels = sum(1 for p in js.get("pages", []) if p.get("label"))
        has_urls = any(re.search(r"\]\(https?://", s) or re.search(r"<https?://", s)
                       for s in srcs)
        print(internal, external, 1 if has_urls else 0, labels, len(js.get("pages", [])))
    elif cmd == "url":
        # an external link whose text is not the URL itself
        for s in srcs:
            for m in re.finditer(r"(?<!!)\[([^\]]+)\]\((https?://[^)\s]+)\)", s):
                if m.group(2) not in m.group(1):
                    print(m.group(2))
                    return
    elif cmd == "has_url":
        text = pdf_text(pdf)
        url = sys.argv[4]
        flat = re.sub(r"\s+", "", text)
        flat2 = re.sub(r"\s+", "", re.sub(r"-\s*\n", "", text))
        print(1 if url in flat or url in flat2 else 0)

main()
PY

export OCTAVO_FONTS=$SRC/fonts

check_book() { # name book-path
    local name=$1 book=$2 out=$WORK/$1
    mkdir -p "$out"
    if ! "$BIN" build "$book" -o "$out" --format pdf -q 2>"$out/build.err"; then
        bad "$name: build failed: $(head -3 "$out/build.err")"
        return
    fi
    local pdf
    pdf=$(ls "$out"/*.pdf 2>/dev/null | head -1)
    if [ -z "$pdf" ]; then
        bad "$name: no PDF written"
        return
    fi
    ok "$name: built $(basename "$pdf") ($(stat -c %s "$pdf") bytes)"

    local q
    q=$(qpdf --check "$pdf" 2>&1)
    if [ $? -eq 0 ] && ! grep -qi "warning" <<<"$q"; then ok "$name: qpdf --check clean"
    else bad "$name: qpdf --check: $(grep -i 'warning\|error' <<<"$q" | head -3)"; fi

    local fonts notemb
    fonts=$(pdffonts "$pdf" 2>&1)
    notemb=$(awk 'NR > 2 && $(NF-4) != "yes"' <<<"$fonts")
    if [ -n "$(awk 'NR > 2' <<<"$fonts")" ] && [ -z "$notemb" ]; then
        ok "$name: all $(awk 'NR > 2' <<<"$fonts" | wc -l) fonts embedded"
    else bad "$name: fonts not embedded: $notemb"; fi

    local subsets
    if subsets=$(python3 -I "$SRC/tests/lib/check_font_subsets.py" "$pdf" 2>&1); then
        ok "$name: font subsets hold every glyph drawn and no other ($(awk '{s += $(NF-1)} END {print s}' <<<"$subsets") bytes of font programs)"
    else bad "$name: font subsets: $(grep ': .*:' <<<"$subsets" | head -3)"; fi

    local shared
    if shared=$(python3 -I "$SRC/tests/lib/check_page_resources.py" "$pdf" 2>&1); then ok "$name: $shared"
    else bad "$name: page resources: $(head -3 <<<"$shared" | tr '\n' ';')"; fi

    local notdef
    if notdef=$(python3 -I "$SRC/tests/lib/check_no_notdef.py" "$pdf" 2>&1); then ok "$name: $notdef"
    else bad "$name: $notdef"; fi

    local warn
    warn=$(pdftotext "$pdf" /dev/null 2>&1)
    if [ -z "$warn" ]; then ok "$name: pdftotext silent"
    else bad "$name: pdftotext says: $(head -2 <<<"$warn")"; fi

    local words
    read -r frac nwords nfrac nnotes ndropped < <(python3 -I "$HELPER" words "$book" "$pdf")
    if python3 -I -c "import sys; sys.exit(0 if $frac >= 0.99 and ($nnotes == 0 or $nfrac >= 0.99) else 1)"; then
        ok "$name: $frac of $nwords source words in order, notes $nfrac of $nnotes ($ndropped words in scripts no font has)"
    else bad "$name: only $frac of $nwords source words in order (notes $nfrac of $nnotes)"; fi
    DROPPED_WORDS=$ndropped

    read -r ntitles nmissing missing < <(python3 -I "$HELPER" bookmarks "$book" "$pdf")
    if [ "$nmissing" = 0 ] && [ "$ntitles" -gt 0 ]; then ok "$name: $ntitles bookmarks cover every heading"
    else bad "$name: $nmissing headings without a bookmark (of $ntitles bookmarks): $missing"; fi

    read -r internal external has_urls labels npages < <(python3 -I "$HELPER" links "$book" "$pdf")
    if [ "$internal" -gt 0 ] && { [ "$has_urls" = 0 ] || [ "$external" -gt 0 ]; }; then
        ok "$name: links: $internal internal, $external external"
    else bad "$name: links: $internal internal, $external external (source has URLs: $has_urls)"; fi
    if [ "$labels" = "$npages" ] && [ "$npages" -gt 0 ]; then ok "$name: page labels on all $npages pages"
    else bad "$name: page labels on $labels of $npages pages"; fi
}

check_book guide "$SRC/book"
for fx in multi single.md nonlatin.md bigtable.md complex-scripts.md scripts.md; do
    if [ -e "$SRC/tests/fixtures/$fx" ]; then check_book "fixture-${fx%.md}" "$SRC/tests/fixtures/$fx"; fi
    if [ "$fx" = nonlatin.md ] || [ "$fx" = scripts.md ]; then
        if [ "${DROPPED_WORDS:-1}" = 0 ]; then ok "fixture-${fx%.md}: every word has a bundled font"
        else bad "fixture-${fx%.md}: ${DROPPED_WORDS:-?} words in scripts no bundled font has"; fi
    fi
done

# Warnings of the non-Latin fixtures, from a build without -q:
# - every character above U+FFFF (emoji) that a bundled font has is in the
#   PDF's text; each one no font has is shown as U+FFFD, and every warning
#   about characters no font has names one of those at its line (one
#   warning per script and chapter, so not one per character);
# - nothing is warned as "set without shaping": every script is shaped.
WARN_HELPER=$WORK/pdf_warning_check.py
cat >"$WARN_HELPER" <<'PY'
import os, re, struct, sys
src, err, pdf_text = sys.argv[1], sys.argv[2], sys.argv[3]
lines = open(src, encoding="utf-8").read().split("\n")
msgs = open(err, encoding="utf-8").read().split("\n")
text = open(pdf_text, encoding="utf-8", errors="replace").read()
cover = set()
folder = os.environ["OCTAVO_FONTS"]
for name in os.listdir(folder):
    if not name.endswith(".ttf"):
        continue
    d = open(os.path.join(folder, name), "rb").read()
    tables = {}
    for i in range(struct.unpack(">H", d[4:6])[0]):
        tag, _, off, ln = struct.unpack(">4sIII", d[12 + 16 * i:28 + 16 * i])
        tables[tag] = off
    c = tables[b"cmap"]
    for i in range(struct.unpack(">H", d[c + 2:c + 4])[0]):
        plat, enc, off = struct.unpack(">HHI", d[c + 4 + 8 * i:c + 12 + 8 * i])
        sub = c + off
        if (plat, enc) == (3, 10) and struct.unpack(">H", d[sub:sub + 2])[0] == 12:
            for g in range(struct.unpack(">I", d[sub + 12:sub + 16])[0]):
                a, b, _ = struct.unpack(">III", d[sub + 16 + 12 * g:sub + 28 + 12 * g])
                cover.update(range(a, b + 1))
problems = []
first = {}
for n, line in enumerate(lines, 1):
    for ch in line:
        if ord(ch) > 0xFFFF:
            first.setdefault(ord(ch), n)
missing = {cp: n for cp, n in first.items() if cp not in cover}
for cp, n in first.items():
    if cp in cover and chr(cp) not in text:
        problems.append("U+%04X (line %d) has a font but is not in the PDF text" % (cp, n))
warned = [m for m in msgs if "are not in any bundled font" in m]
for m in warned:
    f = re.search(r":(\d+):\d+: warning: .*\(first U\+([0-9A-F]+) ", m)
    if not f or int(f.group(2), 16) not in missing or missing[int(f.group(2), 16)] != int(f.group(1)):
        problems.append("unexpected warning: " + m)
if missing and (not warned or "\ufffd" not in text):
    problems.append("%d characters no font has, %d warnings, U+FFFD shown: %s" %
                    (len(missing), len(warned), "\ufffd" in text))
if len(warned) > len(missing):
    problems.append("more warnings than characters no font has")
if any("without shaping" in m for m in msgs):
    problems.append("a script warned as set without shaping")
print("; ".join(problems) if problems else
      "ok %d supplementary characters, %d drawn, %d warned in %d messages" %
      (len(first), len(first) - len(missing), len(missing), len(warned)))
PY
for fx in nonlatin complex-scripts scripts; do
    out=$WORK/warn-$fx
    mkdir -p "$out"
    if "$BIN" build "$SRC/tests/fixtures/$fx.md" -o "$out" --format pdf 2>"$out/build.err"; then
        pdftotext -enc UTF-8 "$out/$fx.pdf" "$out/text.txt" 2>/dev/null
        res=$(python3 -I "$WARN_HELPER" "$SRC/tests/fixtures/$fx.md" "$out/build.err" "$out/text.txt")
        if [ "${res%% *}" = ok ]; then ok "fixture-$fx: warnings as expected (${res#ok })"
        else bad "fixture-$fx: warnings: $res"; fi
    else bad "fixture-$fx: build failed: $(head -3 "$out/build.err")"; fi
done

# paper size
mkdir -p "$WORK/letter"
if "$BIN" build "$SRC/book" -o "$WORK/letter" --format pdf --paper letter -q 2>/dev/null &&
    pdfinfo "$WORK/letter"/*.pdf | grep -q "Page size: *612 x 792 pts"; then
    ok "--paper letter gives 612 x 792 pt pages"
else bad "--paper letter: $(pdfinfo "$WORK/letter"/*.pdf 2>&1 | grep 'Page size')"; fi

# print profile shows the URLs of external links
url=$(python3 -I "$HELPER" url "$SRC/book" none)
mkdir -p "$WORK/print"
if [ -z "$url" ]; then
    bad "--profile print: the guide has no external link to look for"
elif "$BIN" build "$SRC/book" -o "$WORK/print" --format pdf --profile print -q 2>/dev/null &&
    [ "$(python3 -I "$HELPER" has_url "$SRC/book" "$(ls "$WORK/print"/*.pdf | head -1)" "$url")" = 1 ]; then
    ok "--profile print shows $url"
else bad "--profile print: $url not in the text"; fi

# reproducible builds
mkdir -p "$WORK/r1" "$WORK/r2"
if SOURCE_DATE_EPOCH=1700000000 "$BIN" build "$SRC/book" -o "$WORK/r1" --format pdf -q 2>/dev/null &&
    SOURCE_DATE_EPOCH=1700000000 "$BIN" build "$SRC/book" -o "$WORK/r2" --format pdf -q 2>/dev/null &&
    cmp -s "$WORK/r1"/*.pdf "$WORK/r2"/*.pdf; then
    ok "two builds with SOURCE_DATE_EPOCH are byte-identical"
else bad "builds with SOURCE_DATE_EPOCH differ (or failed)"; fi

finish pdf_validate
