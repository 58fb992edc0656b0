#!/usr/bin/env bash
# End-to-end checks of mdBook folders (book.toml + src/SUMMARY.md):
#
#   bash tests/e2e/mdbook.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
#
# tests/fixtures/mdbook/nested (prefix chapters, parts, nesting three deep, a
# draft with a sub-chapter, separators, suffix chapters; includes of every
# form, rustdoc_include, playground, title, an escaped directive; .html
# links, links across folders, non-Latin and differently cased fragments):
# - builds with exactly one warning (the link to ../std/index.html, a page
#   outside the book), epubcheck 0 errors / 0 warnings, qpdf --check clean;
# - no directive left in the text of either edition but the escaped one;
#   the included lines are the ones each form selects, no ANCHOR line kept;
# - nav.xhtml, toc.ncx and the PDF outline list every chapter in SUMMARY
#   order with its number, SUMMARY title and nesting, under its part;
# - every internal link of the EPUB reaches a file and an id that exist, and
#   there are as many as the sources write; in the PDF every internal link
#   annotation lands on the page of its target (read from the outline);
# - code blocks keep their info string's attributes as classes.
# tests/fixtures/mdbook/nonlatin (Russian, Japanese, Greek; src/ by default,
# README.md as index.html): titles in the nav, links whose fragments differ
# in case, carry accents or are percent-encoded, in both editions.
# tests/fixtures/mdbook/yaml-titles (book.yaml): `- file:` + `title:` entries,
# .html links and anchors differing in case resolve with no warning.
# Broken books: every directive error form, a cycle, a missing SUMMARY.md,
# a malformed book.toml, a missing chapter, an include leaving the book
# (by '..' and by a symbolic link) are errors at PATH:LINE:COL, exit 1,
# nothing written.
. "$(dirname "$0")/../lib/e2e.sh"
export OCTAVO_FONTS=$SRC/fonts
JAR=$(epubcheck_jar)
FIX=$SRC/tests/fixtures/mdbook

CHECK=$WORK/check_mdbook.py
cat >"$CHECK" <<'PY'
import json, os, re, subprocess, sys, zipfile
import xml.etree.ElementTree as ET

XH = "{http://www.w3.org/1999/xhtml}"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"

def nav_tree(z):
    root = ET.fromstring(z.read("EPUB/nav.xhtml"))
    nav = [n for n in root.iter(XH + "nav") if n.get("id") == "toc"][0]
    out = []
    def walk(ol, d):
        for li in ol.findall(XH + "li"):
            a = li.find(XH + "a")
            if a is None:
                a = li.find(XH + "span")
            out.append("%d %s" % (d, "".join(a.itertext())))
            sub = li.find(XH + "ol")
            if sub is not None:
                walk(sub, d + 1)
    walk(nav.find(XH + "ol"), 0)
    return out

def ncx_tree(z):
    root = ET.fromstring(z.read("EPUB/toc.ncx"))
    out = []
    def walk(el, d):
        for np in el.findall(NCX + "navPoint"):
            out.append("%d %s" % (d, np.find(NCX + "navLabel/" + NCX + "text").text))
            walk(np, d + 1)
    walk(root.find(NCX + "navMap"), 0)
    return out

def qpdf(pdf):
    return json.loads(subprocess.run(["qpdf", "--json", pdf], capture_output=True).stdout)

def outline(js):
    out = []
    def walk(items, d):
        for it in items:
            out.append((d, it["title"], it.get("destpageposfrom1")))
            walk(it.get("kids", []), d + 1)
    walk(js["outlines"], 0)
    return out

def main():
    cmd, arg = sys.argv[1], sys.argv[2]
    if cmd == "nav":
        print("\n".join(nav_tree(zipfile.ZipFile(arg))))
    elif cmd == "ncx":
        print("\n".join(ncx_tree(zipfile.ZipFile(arg))))
    elif cmd == "outline":
        for d, t, p in outline(qpdf(arg)):
            print("%d %s" % (d, t))
    elif cmd == "text":
        z = zipfile.ZipFile(arg)
        for n in sorted(z.namelist()):
            if n.startswith("EPUB/text/"):
                print(z.read(n).decode())
    elif cmd == "epub_links":
        # every internal href reaches an existing file and id; print the count
        z = zipfile.ZipFile(arg)
        ids, files = {}, [n for n in z.namelist() if n.startswith("EPUB/text/")]
        for n in files:
            ids[n] = set(re.findall(r'\sid="([^"]+)"', z.read(n).decode()))
        count, broken = 0, []
        for n in files:
            root = ET.fromstring(z.read(n))
            for a in root.iter(XH + "a"):
                h = a.get("href")
                if not h or re.match(r"[a-z]+:", h) or a.get("role") == "doc-noteref" \
                        or "noteref" in (a.get("epub:type") or "") or h.startswith("#fn"):
                    continue
                f, _, frag = h.partition("#")
                target = os.path.normpath(os.path.join(os.path.dirname(n), f)) if f else n
                count += 1
                if target not in ids or (frag and frag not in ids[target]):
                    broken.append(h)
        print(count, len(broken), " ".join(broken[:5]))
    elif cmd == "pdf_links":
        # internal link annotations per page -> the pages they land on
        js = qpdf(arg)
        objs = js["qpdf"][1]
        page_of = {p["object"]: p["pageposfrom1"] for p in js["pages"]}
        out = {}
        for p in js["pages"]:
            pobj = objs["obj:" + p["object"]]["value"]
            annots = pobj.get("/Annots") or []
            if isinstance(annots, str):
                annots = objs["obj:" + annots]["value"]
            for r in annots:
                a = objs["obj:" + r]["value"] if isinstance(r, str) else r
                if a.get("/Subtype") != "/Link" or "/Dest" not in a:
                    continue
                d = a["/Dest"]
                if isinstance(d, str):
                    d = objs["obj:" + d]["value"]
                out.setdefault(p["pageposfrom1"], []).append(page_of.get(d[0], -1))
        marks = {t: pg for _, t, pg in outline(js)}
        # argv[3]: "SOURCE_TITLE=TARGET_TITLE,..." (outline titles)
        want = [w.split("=") for w in sys.argv[3].split(",")]
        src_page = marks[want[0][0]]
        got = sorted(out.get(src_page, []))
        exp = sorted(marks[t] for _, t in want)
        total = sum(len(v) for v in out.values())
        bad = sum(1 for v in out.values() for x in v if x < 1)
        print("ok" if got == exp else "got %s want %s" % (got, exp), total, bad)

main()
PY

# ---- the nested fixture --------------------------------------------------------
out=$WORK/nested
"$BIN" build "$FIX/nested" -o "$out" 2>"$WORK/nested.err"
rc=$?
[ $rc = 0 ] && ok "nested: builds" || bad "nested: exit $rc: $(head -3 "$WORK/nested.err")"
nwarn=$(grep -c 'warning:' "$WORK/nested.err")
if [ "$nwarn" = 1 ] && grep -q "src/links.md:10:3: warning: link target '../std/index.html' is not a chapter" "$WORK/nested.err"; then
    ok "nested: one warning, the link to a page outside the book"
else
    bad "nested: warnings: $(cat "$WORK/nested.err")"
fi
EPUB=$out/nested.epub
PDF=$out/nested.pdf
if [ -n "$JAR" ]; then
    ec=$("$SRC/tests/lib/run_epubcheck.sh" "$EPUB" 2>&1 | grep -E '^Messages:')
    echo "$ec" | grep -q '0 fatals / 0 errors / 0 warnings' && ok "nested: epubcheck clean" ||
        bad "nested: epubcheck: $ec"
else
    bad "nested: no epubcheck"
fi
qpdf --check "$PDF" >"$WORK/qpdf.txt" 2>&1 && ! grep -qi 'warning' "$WORK/qpdf.txt" &&
    ok "nested: qpdf --check clean" || bad "nested: qpdf: $(tail -3 "$WORK/qpdf.txt")"

cat >"$WORK/want_nav" <<'EOF'
0 Foreword
0 Introduction
0 Getting Started
1 1. Installation
2 1.1. On Linux
2 1.2. On macOS
1 2. Listings
2 2.1. Planned Work
3 2.1.1. Deep Chapter
0 Reference
1 3. Ünïcode Headings
1 4. Links Everywhere
0 Appendix: Glossary
0 Contributors
EOF
python3 -I "$CHECK" nav "$EPUB" >"$WORK/nav" && diff -u "$WORK/want_nav" "$WORK/nav" >/dev/null &&
    ok "nested: nav.xhtml lists the SUMMARY's chapters, numbered and nested, under their parts" ||
    bad "nested: nav.xhtml: $(diff "$WORK/want_nav" "$WORK/nav" | head -5)"
python3 -I "$CHECK" ncx "$EPUB" >"$WORK/ncx" && diff -u "$WORK/want_nav" "$WORK/ncx" >/dev/null &&
    ok "nested: toc.ncx nests the same" || bad "nested: toc.ncx: $(diff "$WORK/want_nav" "$WORK/ncx" | head -5)"
# the PDF outline: the title page and contents, then the same tree (sections
# of a chapter one level below it)
python3 -I "$CHECK" outline "$PDF" | grep -vE '^[0-9]+ (The Nested Book|Contents|Requirements|Packages|Überblick|Введение|日本語の見出し|Terms)$' >"$WORK/outline"
diff -u "$WORK/want_nav" "$WORK/outline" >/dev/null &&
    ok "nested: PDF bookmarks nest the same" || bad "nested: PDF outline: $(diff "$WORK/want_nav" "$WORK/outline" | head -5)"
python3 -I "$CHECK" outline "$PDF" | grep -qx '2 Requirements' &&
    ok "nested: a chapter's sections one level below it in the outline" ||
    bad "nested: sections in the outline"

# directives
python3 -I "$CHECK" text "$EPUB" >"$WORK/epub.txt"
pdftotext -enc UTF-8 "$PDF" "$WORK/pdf.txt"
for f in epub.txt pdf.txt; do
    n=$(grep -o '{{#' "$WORK/$f" | wc -l)
    [ "$n" = 1 ] && grep -q '{{#include ../listings/ch02/main.rs}}' "$WORK/$f" &&
        ok "nested: $f: no directive left but the escaped one, shown without its backslash" ||
        bad "nested: $f: $n directives left"
    grep -q 'ANCHOR' "$WORK/$f" && bad "nested: $f: an ANCHOR line was kept" ||
        ok "nested: $f: ANCHOR lines dropped"
    grep -q '\\{{#' "$WORK/$f" && bad "nested: $f: the escape's backslash shown" || ok "nested: $f: no backslash"
done
python3 -I - "$WORK/epub.txt" <<'PY' && ok "nested: each include form selects its lines" || bad "nested: include forms"
import re, sys
t = open(sys.argv[1]).read().replace("&quot;", '"')
# the code's text without the highlighter's token spans
blocks = [(c, re.sub(r"</?span[^>]*>", "", b))
          for c, b in re.findall(r'<pre><code class="([^"]*)">(.*?)</code></pre>', t, re.S)]
want = [
    ("language-rust ignore", 'use std::io;\n\nfn main() {\n    println!("Guess the number!");\n    let x = 5;\n}\n'),
    ("language-rust", '    println!("Guess the number!");\n'),
    ("language-rust does_not_compile",
     'fn main() {\n    println!("Guess the number!");\n    let x = 5;\n}\nuse std::io;\n\n'),
    # rustdoc_include keeps the lines outside the selection behind "# ",
    # which Rust blocks hide as mdBook does: only the selection shows
    ("language-rust", '    println!("Guess the number!");\n'),
    ("language-rust editable", 'use std::io;\n\nfn main() {\n    println!("Guess the number!");\n    let x = 5;\n}\n'),
    ("language-rust", '    println!("Guess the number!");\n'),
    ("language-console", "$ cargo run\n"),
    ("language-toml", 'title = "The Nested Book"\nauthors = ["Ada Writer", "Ben Editor"]\n'),
]
ok = True
for w in want:
    if w not in blocks:
        print("missing", w, file=sys.stderr)
        ok = False
if "Nested include text, with a listing of its own" not in t:
    ok = False
sys.exit(0 if ok else 1)
PY
grep -q '<title>Listings</title>' "$WORK/epub.txt" && ok "nested: {{#title}} leaves no text" ||
    bad "nested: title directive"

# links
read -r n nbad broken < <(python3 -I "$CHECK" epub_links "$EPUB")
# every Markdown link the chapters write, but the external one and ../std
nsrc=$(ls "$FIX"/nested/src/*.md "$FIX"/nested/src/guide/*.md | grep -v SUMMARY.md | xargs cat |
    grep -oE '\]\([^)]+\)' | grep -vE '^\]\((https?:|\.\./std)' | wc -l)
[ "$nbad" = 0 ] && [ "$n" = "$nsrc" ] &&
    ok "nested: all $n internal links of the EPUB reach an existing file and id" ||
    bad "nested: EPUB links: $n of $nsrc, $nbad broken: $broken"
res=$(python3 -I "$CHECK" pdf_links "$PDF" "4. Links Everywhere=1. Installation,4. Links Everywhere=Requirements,4. Links Everywhere=Packages,4. Links Everywhere=Terms,4. Links Everywhere=Introduction,4. Links Everywhere=1.2. On macOS")
set -- $res
[ "$1" = ok ] && [ "$2" -ge "$n" ] && [ "$3" = 0 ] &&
    ok "nested: PDF link annotations land on their targets' pages ($2 internal)" ||
    bad "nested: PDF links: $res"
res=$(python3 -I "$CHECK" pdf_links "$PDF" "3. Ünïcode Headings=Введение,3. Ünïcode Headings=Введение,3. Ünïcode Headings=Введение,3. Ünïcode Headings=日本語の見出し")
[ "${res%% *}" = ok ] && ok "nested: non-Latin fragments (cased, percent-encoded) resolve in the PDF" ||
    bad "nested: non-Latin links: $res"
grep -q 'href="ch03.xhtml"' "$WORK/epub.txt" && grep -q 'href="ch04.xhtml#packages"' "$WORK/epub.txt" &&
    ok "nested: .html and ../ links point at the chapters in the EPUB" || bad "nested: .html links in the EPUB"

# ---- a book in Russian, with Japanese and Greek chapters ---------------------------
out=$WORK/nonlatin
"$BIN" build "$FIX/nonlatin" -o "$out" 2>"$WORK/nonlatin.err"
rc=$?
# the one warning allowed: Debian has no Russian hyphenation patterns
[ $rc = 0 ] && [ "$(grep -v 'no hyphenation patterns' "$WORK/nonlatin.err" | grep -c warning)" = 0 ] &&
    ok "nonlatin: builds without a warning about links" || bad "nonlatin: exit $rc: $(cat "$WORK/nonlatin.err")"
printf '%s\n' '0 1. Введение' '0 2. Глава первая' '1 2.1. 日本語の章' '0 3. Ελληνικά' >"$WORK/want_nl"
python3 -I "$CHECK" nav "$out/nonlatin.epub" >"$WORK/nav_nl" && diff -u "$WORK/want_nl" "$WORK/nav_nl" >/dev/null &&
    ok "nonlatin: nav in SUMMARY order with non-Latin titles" || bad "nonlatin: nav: $(cat "$WORK/nav_nl")"
read -r n nbad broken < <(python3 -I "$CHECK" epub_links "$out/nonlatin.epub")
[ "$n" = 6 ] && [ "$nbad" = 0 ] &&
    ok "nonlatin: cased, accented and percent-encoded non-Latin fragments all resolve (6)" ||
    bad "nonlatin: links $n, broken $nbad $broken"
if [ -n "$JAR" ]; then
    "$SRC/tests/lib/run_epubcheck.sh" "$out/nonlatin.epub" 2>&1 | grep -q '0 fatals / 0 errors / 0 warnings' &&
        ok "nonlatin: epubcheck clean" || bad "nonlatin: epubcheck"
fi
qpdf --check "$out/nonlatin.pdf" >/dev/null 2>&1 && ok "nonlatin: qpdf --check clean" || bad "nonlatin: qpdf"
res=$(python3 -I "$CHECK" pdf_links "$out/nonlatin.pdf" "1. Введение=2. Глава первая,1. Введение=2.1. 日本語の章")
[ "${res%% *}" = ok ] && ok "nonlatin: PDF links land on their chapters" || bad "nonlatin: PDF links: $res"

# ---- book.yaml with titles and .html links ------------------------------------------
out=$WORK/yaml
"$BIN" build "$FIX/yaml-titles" -o "$out" 2>"$WORK/yaml.err"
rc=$?
[ $rc = 0 ] && ! grep -q warning "$WORK/yaml.err" && ok "yaml-titles: builds without a warning" ||
    bad "yaml-titles: exit $rc: $(cat "$WORK/yaml.err")"
python3 -I "$CHECK" nav "$out/yaml-titles.epub" | head -1 | grep -qx '0 The First Chapter' &&
    ok "yaml-titles: the entry's title: is the chapter's title" || bad "yaml-titles: title"
read -r n nbad broken < <(python3 -I "$CHECK" epub_links "$out/yaml-titles.epub")
[ "$n" = 3 ] && [ "$nbad" = 0 ] && ok "yaml-titles: .html links and cased anchors resolve" ||
    bad "yaml-titles: links $n, broken $nbad $broken"

# ---- broken books -----------------------------------------------------------------
mkbook() { # NAME: a minimal mdBook folder in $WORK/NAME
    rm -rf "$WORK/$1"
    mkdir -p "$WORK/$1/src"
    printf '[book]\ntitle = "Broken"\n' >"$WORK/$1/book.toml"
    printf '# Summary\n\n- [A](a.md)\n' >"$WORK/$1/src/SUMMARY.md"
    printf 'one\ntwo\nthree\n// ANCHOR: here\nfour\n// ANCHOR_END: here\n' >"$WORK/$1/src/code.rs"
}
expect_error() { # NAME PATTERN: build fails with a line matching PATTERN, nothing written
    local name=$1 pattern=$2
    "$BIN" build "$WORK/$name" -o "$WORK/$name/out" 2>"$WORK/$name.err"
    local rc=$?
    if [ $rc = 1 ] && grep -qE "$pattern" "$WORK/$name.err" && [ -z "$(ls -A "$WORK/$name/out" 2>/dev/null)" ]; then
        ok "error: $name"
    else
        bad "error: $name: exit $rc, $(head -3 "$WORK/$name.err")"
    fi
}
directive_case() { # NAME TEXT PATTERN
    mkbook "$1"
    printf '# A\n\n```rust\n%s\n```\n' "$2" >"$WORK/$1/src/a.md"
    expect_error "$1" "$3"
}
W='^'"$WORK"
directive_case missing-file '{{#include nothere.rs}}' "$W/missing-file/src/a.md:4:1: error: cannot include 'nothere.rs'"
directive_case missing-anchor 'x {{#include code.rs:nowhere}}' "$W/missing-anchor/src/a.md:4:3: error: .*no 'ANCHOR: nowhere'"
directive_case rustdoc-missing-anchor '{{#rustdoc_include code.rs:gone}}' "$W/rustdoc-missing-anchor/src/a.md:4:1: error: .*ANCHOR: gone"
directive_case line-zero '{{#include code.rs:0}}' "$W/line-zero/src/a.md:4:1: error: .*line numbers start at 1"
directive_case range-backwards '{{#include code.rs:5:2}}' "$W/range-backwards/src/a.md:4:1: error: .*before it starts"
directive_case range-past-end '{{#include code.rs:40:}}' "$W/range-past-end/src/a.md:4:1: error: .*file has 6 lines"
directive_case range-not-number '{{#include code.rs:2:x}}' "$W/range-not-number/src/a.md:4:1: error: .*not a line number"
directive_case not-closed '{{#include code.rs' "$W/not-closed/src/a.md:4:1: error: .*not closed"
directive_case no-file '{{#include   }}' "$W/no-file/src/a.md:4:1: error: .*needs a file"
directive_case playground-missing '{{#playground gone.rs editable}}' "$W/playground-missing/src/a.md:4:1: error: cannot include 'gone.rs'"
directive_case outside '{{#include ../../../../etc/passwd}}' "$W/outside/src/a.md:4:1: error: .*outside the book folder"
directive_case above-root '{{#include ../../x.rs}}' "$W/above-root/src/a.md:4:1: error: .*outside the book folder"
mkbook symlink-out
printf 'secret\n' >"$WORK/secret.rs"
ln -s "$WORK/secret.rs" "$WORK/symlink-out/src/link.rs"
printf '# A\n\n{{#include link.rs}}\n' >"$WORK/symlink-out/src/a.md"
expect_error symlink-out "$W/symlink-out/src/a.md:3:1: error: cannot include 'link.rs': .*leaves the book folder"
mkbook cycle
printf '# A\n\n{{#include b.md}}\n' >"$WORK/cycle/src/a.md"
printf 'B\n\n{{#include a.md}}\n' >"$WORK/cycle/src/b.md"
expect_error cycle "$W/cycle/src/b.md:3:1: error: the include makes a cycle: src/a.md -> src/b.md -> src/a.md"
mkbook nested-error
printf '# A\n\n{{#include part.md}}\n' >"$WORK/nested-error/src/a.md"
printf 'text\n\n   {{#include missing.rs:2}}\n' >"$WORK/nested-error/src/part.md"
expect_error nested-error "$W/nested-error/src/part.md:3:4: error: cannot include 'missing.rs'"
mkbook no-summary
rm "$WORK/no-summary/src/SUMMARY.md"
printf '[book]\ntitle = "Broken"\nsrc = "src"\n' >"$WORK/no-summary/book.toml"
expect_error no-summary "$W/no-summary/book.toml:3:7: error: .*cannot read 'src/SUMMARY.md'"
mkbook bad-toml
printf '[book]\ntitle = "Broken\nauthors = []\n' >"$WORK/bad-toml/book.toml"
expect_error bad-toml "$W/bad-toml/book.toml:2:[0-9]+: error: malformed TOML: a newline inside a single-line string"
mkbook bad-toml2
printf '[book]\ntitle = "A"\ntitle = "B"\n' >"$WORK/bad-toml2/book.toml"
expect_error bad-toml2 "$W/bad-toml2/book.toml:3:1: error: malformed TOML: the key 'title' is defined twice"
mkbook bad-toml3
printf '[book]\nauthors = 3\n' >"$WORK/bad-toml3/book.toml"
expect_error bad-toml3 "$W/bad-toml3/book.toml:2:11: error: 'book.authors' must be a list"
mkbook missing-chapter
printf '# Summary\n\n- [A](a.md)\n    - [Gone](gone.md)\n' >"$WORK/missing-chapter/src/SUMMARY.md"
printf '# A\n' >"$WORK/missing-chapter/src/a.md"
expect_error missing-chapter "$W/missing-chapter/src/SUMMARY.md:4:7: error: chapter 'src/gone.md'"
mkbook summary-outside
printf '# Summary\n\n[Out](../../x.md)\n' >"$WORK/summary-outside/src/SUMMARY.md"
expect_error summary-outside "$W/summary-outside/src/SUMMARY.md:3:1: error: chapter '../../x.md' is outside"
# a problem inside included text is reported at the directive's line
mkbook mapped
printf '# A\n\nline three\n\n{{#include inc.md}}\n\n[bad](nowhere.md)\n' >"$WORK/mapped/src/a.md"
printf 'included one\n\nincluded [link](gone.md) three\n' >"$WORK/mapped/src/inc.md"
"$BIN" build "$WORK/mapped" -o "$WORK/mapped/out" 2>"$WORK/mapped.err"
grep -q "$WORK/mapped/src/a.md:5:1: warning: link target 'gone.md'" "$WORK/mapped.err" &&
    grep -q "$WORK/mapped/src/a.md:7:1: warning: link target 'nowhere.md'" "$WORK/mapped.err" &&
    ok "included text: warnings at the directive's line, later lines at their own" ||
    bad "included text positions: $(cat "$WORK/mapped.err")"

finish mdbook
