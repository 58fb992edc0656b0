#!/usr/bin/env bash
# End-to-end EPUB checks over the guide and every fixture book:
#   - epubcheck reports 0 fatals / 0 errors / 0 warnings;
#   - the container: mimetype first, stored, no extra field; the rest deflated;
#     every XHTML file is well-formed XML with no <script> element and no
#     javascript: link;
#   - every word (and symbol) of each chapter's Markdown is in that chapter's XHTML;
#   - two builds with SOURCE_DATE_EPOCH are byte-identical, dated from it;
#   - a failed build exits 1 with PATH:LINE:COL: error:, leaves the previous
#     EPUB byte for byte and no temporary files.
# Usage: epub_validate.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
. "$(dirname "$0")/../lib/e2e.sh"

JAR=$(epubcheck_jar)
if [ -z "$JAR" ] || ! command -v java >/dev/null; then
    echo "epubcheck (java -jar epubcheck.jar) is required: apt-get install -y epubcheck" >&2
    exit 1
fi

HELPER=$WORK/epub_helper.py
cat >"$HELPER" <<'PY'
"""Helpers for epub_validate.sh: container structure and word coverage."""
import html
import re
import sys
import unicodedata
import zipfile
import xml.etree.ElementTree as ET

XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"


def structure(epub):
    """Prints problems, one per line; nothing when the container is right."""
    problems = []
    with open(epub, "rb") as f:
        head = f.read(64)
    if head[:4] != b"PK\x03\x04" or head[26:28] != b"\x08\x00" or head[30:38] != b"mimetype":
        problems.append("mimetype is not the first local entry")
    if head[28:30] != b"\x00\x00":
        problems.append("mimetype has an extra field")
    z = zipfile.ZipFile(epub)
    infos = z.infolist()
    if not infos or infos[0].filename != "mimetype":
        problems.append("mimetype is not the first entry")
    else:
        if infos[0].compress_type != zipfile.ZIP_STORED:
            problems.append("mimetype is compressed")
        if z.read("mimetype") != b"application/epub+zip":
            problems.append("mimetype content is wrong")
    for info in infos[1:]:
        if info.compress_type != zipfile.ZIP_DEFLATED:
            problems.append("%s is not deflated" % info.filename)
    for name in z.namelist():
        if not name.endswith((".xhtml", ".opf", ".ncx", ".xml")):
            continue
        data = z.read(name)
        try:
            root = ET.fromstring(data)
        except ET.ParseError as e:
            problems.append("%s is not well-formed: %s" % (name, e))
            continue
        for el in root.iter():
            if el.tag in (XHTML + "script", "script"):
                problems.append("%s has a <script> element" % name)
            for attr, value in el.attrib.items():
                if attr.startswith("on"):
                    problems.append("%s has an event attribute %s" % (name, attr))
                if attr in ("href", "src") and value.strip().lower().startswith(("javascript:", "data:")):
                    problems.append("%s links to %s" % (name, value))
    for p in problems:
        print(p)


def chapter_sources(book):
    """The Markdown of each chapter, in order."""
    import os
    if os.path.isdir(book):
        chapters, inside = [], False
        for line in open(os.path.join(book, "book.yaml"), encoding="utf-8"):
            if re.match(r"^chapters\s*:", line):
                inside = True
                continue
            if inside:
                m = re.match(r"^\s*-\s*(.+?)\s*$", line)
                if m:
                    chapters.append(m.group(1).strip("'\""))
                elif line.strip() and not line.startswith((" ", "\t", "#")):
                    inside = False
        return [open(os.path.join(book, c), encoding="utf-8").read() for c in chapters]
    text = open(book, encoding="utf-8").read()
    m = re.match(r"^---\s*\n.*?\n(---|\.\.\.)\s*\n", text, re.S)
    return [text[m.end():] if m else text]


def tokens(text):
    return re.findall(r"[^\W_]+", text)


def symbols(text):
    return {c for c in text if ord(c) > 127 and unicodedata.category(c) in ("So", "Sm")}


def hide_rust_lines(md):
    """mdBook's hidden lines of Rust blocks ('# ' or a lone '#'; '##' shows '#'),
    which octavo does not show."""
    out, fence = [], None
    for line in md.split("\n"):
        m = re.match(r"^\s*(```+|~~~+)\s*(\S*)", line)
        if m and fence is None:
            fence = (m.group(1), re.split(r"[,\s{}]", m.group(2).lower().lstrip("{."))[0])
        elif m and line.strip().startswith(fence[0]) and not m.group(2):
            fence = None
        elif fence and fence[1] in ("rust", "rs"):
            t = line.strip()
            if t == "#" or t.startswith("# "):
                continue
            if t.startswith("##"):
                line = line.replace("##", "#", 1)
        out.append(line)
    return "\n".join(out)


def md_text(md):
    """The Markdown with its syntax (not its words) taken out."""
    md = hide_rust_lines(md)
    md = re.sub(r"^\s*(```+|~~~+)\s*\S.*$", "", md, flags=re.M)         # fence info strings
    md = re.sub(r"^\s{0,3}\[\^[^\]]+\]:", "", md, flags=re.M)           # footnote definitions
    md = re.sub(r"\[\^[^\]]+\]", " ", md)                                # footnote references
    md = re.sub(r"^\s{0,3}\[[^\]]+\]:\s*\S+.*$", "", md, flags=re.M)    # link reference defs
    md = re.sub(r"\]\([^)\s]*(\s+(\"[^\"]*\"|'[^']*'))?\)", "] ", md)   # link destinations, titles
    md = re.sub(r"^(\s*)(\d+[.)]|[-*+])\s+(\[[ xX]\]\s+)?", r"\1", md, flags=re.M)  # list markers
    # raw HTML: what is removed with its content, comments, then the tags (their text stays)
    md = re.sub(r"<(script|style|iframe|textarea|template|noscript)\b.*?</\1\s*>", " ", md, flags=re.S | re.I)
    md = re.sub(r"<!--.*?-->", " ", md, flags=re.S)
    md = re.sub(r"</?[A-Za-z][A-Za-z0-9-]*(\s[^<>]*)?/?>", " ", md)
    return html.unescape(md)


def xhtml_text(data):
    """Text of the body plus alt and title attributes (the words a reader can reach)."""
    text = data.decode("utf-8")
    m = re.search(r"<body[^>]*>(.*)</body>", text, re.S)
    body = m.group(1) if m else text
    # highlighted code: its token spans join, never split, the text
    body = re.sub(r"<pre\b.*?</pre>", lambda p: re.sub(r"</?span\b[^>]*>", "", p.group(0)), body,
                  flags=re.S)
    attrs = " ".join(html.unescape(v) for v in re.findall(r'\s(?:alt|title)="([^"]*)"', body))
    return html.unescape(re.sub(r"<[^>]+>", " ", body)) + " " + attrs


def chapter_files(z):
    """Chapter XHTML names in spine order (the files under text/)."""
    container = ET.fromstring(z.read("META-INF/container.xml"))
    opf_path = next(e for e in container.iter() if e.tag.endswith("rootfile")).get("full-path")
    base = opf_path.rsplit("/", 1)[0] + "/" if "/" in opf_path else ""
    opf = ET.fromstring(z.read(opf_path))
    hrefs = {i.get("id"): i.get("href") for i in opf.iter(OPF + "item")}
    spine = [hrefs[r.get("idref")] for r in opf.iter(OPF + "itemref")]
    return [base + h for h in spine if h.startswith("text/")]


def words(book, epub):
    """Prints 'N' (chapters checked) or problems, one per line."""
    z = zipfile.ZipFile(epub)
    sources, files = chapter_sources(book), chapter_files(z)
    if len(sources) != len(files):
        print("%d chapters in the source, %d chapter files in the EPUB" % (len(sources), len(files)))
        return
    problems = []
    total = 0
    for i, (md, name) in enumerate(zip(sources, files)):
        src, out = md_text(md), xhtml_text(z.read(name))
        want, have = set(tokens(src)), set(tokens(out))
        total += len(want)
        missing = sorted(want - have)
        if missing:
            problems.append("chapter %d (%s): %d words missing: %s" % (
                i + 1, name, len(missing), " ".join(missing[:15])))
        lost = sorted(symbols(src) - symbols(out))
        if lost:
            problems.append("chapter %d (%s): symbols missing: %s" % (i + 1, name, " ".join(lost)))
    if problems:
        for p in problems:
            print(p)
    else:
        print("OK %d %d" % (len(files), total))


def modified(epub):
    z = zipfile.ZipFile(epub)
    for name in z.namelist():
        if name.endswith(".opf"):
            m = re.search(r'<meta property="dcterms:modified">([^<]*)</meta>', z.read(name).decode())
            print(m.group(1) if m else "none")
            return
    print("none")


if __name__ == "__main__":
    {"structure": structure, "words": words, "modified": modified}[sys.argv[1]](*sys.argv[2:])
PY

# Runs epubcheck on $1; prints its summary; fails on any ERROR/WARNING/FATAL line.
epubcheck_ok() {
    local epub=$1 log=$1.epubcheck.txt
    "$SRC/tests/lib/run_epubcheck.sh" "$epub" >"$log" 2>&1
    local rc=$? n
    n=$(grep -cE '^(ERROR|WARNING|FATAL)' "$log")
    if [ "$rc" = 0 ] && [ "$n" = 0 ] && grep -q '0 fatals / 0 errors / 0 warnings' "$log"; then
        return 0
    fi
    grep -E '^(ERROR|WARNING|FATAL)' "$log" | head -15 | sed 's/^/       /'
    return 1
}

# Builds one book and runs every per-book check. $1 name, $2 book path.
check_book() {
    local name=$1 book=$2 out=$WORK/$1
    mkdir -p "$out"
    if ! "$BIN" build "$book" -o "$out" --format epub 2>"$out.stderr"; then
        bad "$name: build failed: $(head -3 "$out.stderr")"
        return
    fi
    local epubs
    epubs=$(find "$out" -maxdepth 1 -name '*.epub' | wc -l)
    local epub
    epub=$(find "$out" -maxdepth 1 -name '*.epub' | head -1)
    if [ "$epubs" != 1 ] || [ -n "$(find "$out" -maxdepth 1 -type f ! -name '*.epub')" ]; then
        bad "$name: expected exactly one .epub in $out, found: $(find "$out" -mindepth 1 -maxdepth 1 -printf '%f ')"
        [ -n "$epub" ] || return
    else
        ok "$name: built $(basename "$epub")"
    fi
    if epubcheck_ok "$epub"; then
        ok "$name: epubcheck: $(grep -o 'Messages:.*' "$epub.epubcheck.txt")"
    else
        bad "$name: epubcheck: $(grep -o 'Messages:.*' "$epub.epubcheck.txt")"
    fi
    local problems
    problems=$(python3 -I "$HELPER" structure "$epub" 2>&1)
    if [ -z "$problems" ]; then
        ok "$name: mimetype first and stored, the rest deflated, XHTML well-formed, no script"
    else
        bad "$name: container: $(echo "$problems" | head -5 | tr '\n' ';')"
    fi
    problems=$(python3 -I "$HELPER" words "$book" "$epub" 2>&1)
    case "$problems" in
    OK*)
        local nch nwords
        read -r _ nch nwords <<<"$problems"
        ok "$name: all $nwords distinct source words of $nch chapters are in the XHTML"
        ;;
    *) bad "$name: words: $(echo "$problems" | head -5 | tr '\n' ';')" ;;
    esac
}

check_book guide "$SRC/book"
required="multi single.md nonlatin.md bigtable.md footnotes.md"
for fx in $required; do
    if [ -e "$SRC/tests/fixtures/$fx" ]; then
        check_book "fixture-${fx%.md}" "$SRC/tests/fixtures/$fx"
    else
        bad "fixture $fx is missing"
    fi
done
# Any other fixture book (a folder with book.yaml, or a top-level .md) must pass too.
for path in "$SRC"/tests/fixtures/*/book.yaml "$SRC"/tests/fixtures/*.md; do
    [ -e "$path" ] || continue
    case "$path" in */book.yaml) path=${path%/book.yaml} ;; esac
    fx=$(basename "$path")
    case " $required " in *" $fx "*) continue ;; esac
    check_book "fixture-${fx%.md}" "$path"
done

# Reproducible: two builds with the same SOURCE_DATE_EPOCH are byte-identical.
for b in "multi:$SRC/tests/fixtures/multi" "guide:$SRC/book"; do
    name=${b%%:*}
    path=${b#*:}
    mkdir -p "$WORK/repro-$name-1" "$WORK/repro-$name-2"
    SOURCE_DATE_EPOCH=1700000000 "$BIN" build "$path" -o "$WORK/repro-$name-1" --format epub -q 2>/dev/null
    sleep 1
    SOURCE_DATE_EPOCH=1700000000 "$BIN" build "$path" -o "$WORK/repro-$name-2" --format epub -q 2>/dev/null
    e1=$(find "$WORK/repro-$name-1" -name '*.epub' | head -1)
    e2=$(find "$WORK/repro-$name-2" -name '*.epub' | head -1)
    if [ -n "$e1" ] && [ -n "$e2" ] && cmp -s "$e1" "$e2"; then
        ok "$name: two builds with SOURCE_DATE_EPOCH are byte-identical"
    else
        bad "$name: builds with SOURCE_DATE_EPOCH differ (or failed)"
    fi
    stamp=$( [ -n "$e1" ] && python3 -I "$HELPER" modified "$e1")
    if [ "$stamp" = "2023-11-14T22:13:20Z" ]; then
        ok "$name: dcterms:modified comes from SOURCE_DATE_EPOCH ($stamp)"
    else
        bad "$name: dcterms:modified is '$stamp', want 2023-11-14T22:13:20Z"
    fi
done

# ... and do not depend on the builder's time zone (zip times are stored as UTC).
mkdir -p "$WORK/tz-tokyo" "$WORK/tz-ny"
TZ=Asia/Tokyo SOURCE_DATE_EPOCH=1700000000 "$BIN" build "$SRC/tests/fixtures/multi" -o "$WORK/tz-tokyo" --format epub -q 2>/dev/null
TZ=America/New_York SOURCE_DATE_EPOCH=1700000000 "$BIN" build "$SRC/tests/fixtures/multi" -o "$WORK/tz-ny" --format epub -q 2>/dev/null
if cmp -s "$WORK/tz-tokyo/multi.epub" "$WORK/tz-ny/multi.epub" &&
    cmp -s "$WORK/tz-tokyo/multi.epub" "$WORK/repro-multi-1/multi.epub"; then
    ok "multi: builds in different time zones are byte-identical"
else
    bad "multi: the EPUB depends on the time zone (TZ)"
fi

# A failed build leaves the previous EPUB untouched and no stray files.
broken=$WORK/broken-book
cp -r "$SRC/tests/fixtures/multi" "$broken"
mkdir -p "$WORK/broken-out"
if "$BIN" build "$broken" -o "$WORK/broken-out" --format epub -q 2>"$WORK/broken-1.stderr"; then
    good=$(find "$WORK/broken-out" -name '*.epub' | head -1)
    cp "$good" "$WORK/good-copy.epub"
    rm "$broken/images/photo.jpg"
    "$BIN" build "$broken" -o "$WORK/broken-out" --format epub -q 2>"$WORK/broken-2.stderr"
    rc=$?
    if [ "$rc" = 1 ]; then ok "failed build exits 1"; else bad "failed build exits $rc, want 1"; fi
    if grep -qE '^[^:]+:[0-9]+:[0-9]+: error:' "$WORK/broken-2.stderr"; then
        ok "failed build reports $(grep -E '^[^:]+:[0-9]+:[0-9]+: error:' "$WORK/broken-2.stderr" | head -1)"
    else
        bad "failed build stderr lacks PATH:LINE:COL: error: ($(head -2 "$WORK/broken-2.stderr"))"
    fi
    if cmp -s "$good" "$WORK/good-copy.epub"; then
        ok "failed build leaves the previous EPUB byte for byte"
    else
        bad "failed build changed or removed the previous EPUB"
    fi
    left=$(find "$WORK/broken-out" -mindepth 1 -maxdepth 1 -printf '%f\n')
    if [ "$left" = "$(basename "$good")" ]; then
        ok "failed build leaves no temporary files"
    else
        bad "output folder after a failed build holds: $(echo "$left" | tr '\n' ' ')"
    fi
else
    bad "first build of the copied fixture failed: $(head -3 "$WORK/broken-1.stderr")"
fi

finish epub_validate
