#!/usr/bin/env bash
# End-to-end checks of syntax highlighting (issue 17) over
# tests/fixtures/highlight.md, which has a block in every language the issue
# names (rust, js, ts, python, bash, console, c, cpp, json, yaml, toml, html,
# xml, css, sql, go, java), a Rust block with mdBook's hidden lines, a line
# long enough to wrap twice, and two plain blocks (no language, an unknown
# one):
#
#   bash tests/e2e/highlight.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
#
# - the build prints no warning (an unknown language is plain, silently);
# - PDF, screen profile: the text drawn in the code faces takes at least 5
#   distinct fill colours (read from the content streams through qpdf --json);
#   print profile: every such colour is a grey (r = g = b), at least two of
#   them, and bold and oblique code faces are embedded;
# - pdftotext of the highlighted PDF is the same as with highlighting off
#   (OCTAVO_HIGHLIGHT=0), and every code line of the fixture short enough not
#   to wrap is in it verbatim; mdBook's hidden lines are not, "##" shows "#";
# - EPUB: <span class="..."> inside <pre><code> for each of the 10 classes
#   the stylesheet colours, and no span of a class it has no rule for
#   (punctuation, drawn like plain text); keywords, strings and comments as
#   expected; no span in plain blocks, no
#   hidden line, no script; the stylesheet has the dark palette; with
#   `highlight: false` in the front matter no span at all;
# - epubcheck 0 fatals / 0 errors / 0 warnings; qpdf --check clean.
# Last line: "highlight: N passed, M failed".
. "$(dirname "$0")/../lib/e2e.sh"

for tool in qpdf pdftotext pdffonts unzip python3 java; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done
JAR=$(epubcheck_jar)
[ -n "$JAR" ] || { echo "epubcheck is required: apt-get install -y epubcheck" >&2; exit 2; }
export SOURCE_DATE_EPOCH=1764158400
FIX=$SRC/tests/fixtures/highlight.md

build() { # name, then extra arguments
    local name=$1
    shift
    if "$BIN" build "$@" -o "$WORK/$name" >"$WORK/$name.log" 2>&1; then
        ok "build $name"
    else
        bad "build $name: $(head -3 "$WORK/$name.log")"
    fi
}
build screen "$FIX"
build print "$FIX" --profile print
OCTAVO_HIGHLIGHT=0 build off "$FIX"
OCTAVO_HIGHLIGHT=0 build offprint "$FIX" --profile print
sed 's/^slug: highlight$/slug: highlight\nhighlight: false/' "$FIX" >"$WORK/nohl.md"
build yamloff "$WORK/nohl.md" --format epub

if grep -q 'warning\|error' "$WORK/screen.log"; then
    bad "the build warned: $(head -3 "$WORK/screen.log")"
else
    ok "no warning (unknown language and none are plain, silently)"
fi

# ---- PDF ---------------------------------------------------------------------
for p in screen print; do
    pdf=$WORK/$p/highlight.pdf
    if qpdf --check "$pdf" >"$WORK/$p.qpdf" 2>&1 && ! grep -qi warning "$WORK/$p.qpdf"; then
        ok "$p: qpdf --check clean"
    else
        bad "$p: qpdf --check: $(head -3 "$WORK/$p.qpdf")"
    fi
    qpdf --json=2 --json-stream-data=inline --decode-level=generalized "$pdf" "$WORK/$p.json"
    python3 -I "$SRC/tests/lib/code_colours.py" "$WORK/$p.json" >"$WORK/$p.colours"
done
n=$(wc -l <"$WORK/screen.colours")
if [ "$n" -ge 5 ]; then
    ok "screen: $n distinct fill colours in code"
else
    bad "screen: only $n distinct fill colours in code: $(tr '\n' ';' <"$WORK/screen.colours")"
fi
n=$(wc -l <"$WORK/print.colours")
if [ "$n" -ge 2 ] && awk '$1 != $2 || $2 != $3 { bad = 1 } END { exit bad }' "$WORK/print.colours"; then
    ok "print: code in $n greys only"
else
    bad "print: code colours not all grey: $(tr '\n' ';' <"$WORK/print.colours")"
fi
pdffonts "$WORK/print/highlight.pdf" >"$WORK/print.fonts" 2>&1
if grep -q 'DejaVuSansMono-Bold' "$WORK/print.fonts" && grep -q 'DejaVuSansMono-Oblique' "$WORK/print.fonts"; then
    ok "print: bold and oblique code faces embedded"
else
    bad "print: code faces: $(grep Mono "$WORK/print.fonts" | tr '\n' ';')"
fi

pdftotext "$WORK/screen/highlight.pdf" "$WORK/screen.txt"
pdftotext "$WORK/print/highlight.pdf" "$WORK/print.txt"
pdftotext "$WORK/off/highlight.pdf" "$WORK/off.txt"
pdftotext "$WORK/offprint/highlight.pdf" "$WORK/offprint.txt"
if cmp -s "$WORK/screen.txt" "$WORK/off.txt" && cmp -s "$WORK/print.txt" "$WORK/offprint.txt"; then
    ok "pdftotext: the same text with highlighting on (screen, print) and off"
else
    bad "pdftotext differs with highlighting: $(diff "$WORK/off.txt" "$WORK/screen.txt" | head -4 | tr '\n' ';')"
fi
python3 -I - "$FIX" "$WORK/screen.txt" >"$WORK/verbatim.out" <<'PY'
import sys
src = open(sys.argv[1], encoding="utf-8").read().split("\n")
text = open(sys.argv[2], encoding="utf-8").read()
lines, in_code, lang = [], False, ""
for ln in src:
    if ln.startswith("```"):
        in_code, lang = (not in_code), ln[3:].split(",")[0].strip()
        continue
    if not in_code or not ln.strip():
        continue
    t = ln.strip()
    if lang == "rust" and (t == "#" or t.startswith("# ")):
        continue  # hidden
    if lang == "rust" and t.startswith("##"):
        t = t[1:]
    if len(ln) <= 66:  # short enough not to wrap
        lines.append(t)
missing = [t for t in lines if t not in text]
print("%d code lines, %d missing" % (len(lines), len(missing)))
for t in missing:
    print("missing: " + t)
hidden = [h for h in ("fn setup()", "use std::collections::HashMap", "##[allow") if h in text]
for h in hidden:
    print("shown: " + h)
sys.exit(1 if missing or hidden or len(lines) < 30 else 0)
PY
if [ $? = 0 ]; then
    ok "pdftotext: $(head -1 "$WORK/verbatim.out"), hidden lines hidden"
else
    bad "pdftotext: $(head -5 "$WORK/verbatim.out" | tr '\n' ';')"
fi

# ---- EPUB --------------------------------------------------------------------
mkdir -p "$WORK/x" "$WORK/xoff"
unzip -q -o "$WORK/screen/highlight.epub" -d "$WORK/x"
unzip -q -o "$WORK/yamloff/highlight.epub" -d "$WORK/xoff"
python3 -I - "$WORK/x" "$WORK/xoff" >"$WORK/epub.out" <<'PY'
import glob, os, re, sys
def chapters(d):
    return "".join(open(f, encoding="utf-8").read()
                   for f in sorted(glob.glob(os.path.join(d, "**", "*.xhtml"), recursive=True)))
x, off = chapters(sys.argv[1]), chapters(sys.argv[2])
css = "".join(open(f, encoding="utf-8").read()
              for f in glob.glob(os.path.join(sys.argv[1], "**", "*.css"), recursive=True))
fails = []
def need(cond, what):
    print(("ok   " if cond else "FAIL ") + what)
    if not cond:
        fails.append(what)
pres = re.findall(r"<pre><code[^>]*>(.*?)</code></pre>", x, re.S)
need(len(pres) == 19, "19 code blocks (got %d)" % len(pres))
classes = set(re.findall(r'<span class="([a-z]+)">', "".join(pres)))
for c in ("keyword", "type", "string", "comment", "number", "function", "constant",
          "meta", "variable", "property"):
    need(c in classes, "class " + c)
ruled = set(re.findall(r"pre code \.([a-z]+) \{", css))
need(classes and classes <= ruled, "every span's class has a rule (%s)" % sorted(classes - ruled))
need("punct" not in classes and "punct" not in ruled, "punctuation is plain text: no span, no rule")
for frag in ('<span class="keyword">fn</span> <span class="function">count</span>',
             '<span class="comment">// split at whitespace</span>',
             '<span class="keyword">def</span> <span class="function">fib</span>',
             '<span class="comment"># the naive version</span>',
             '<span class="keyword">SELECT</span>', '<span class="comment">-- long ones</span>',
             '<span class="property">title</span>', '<span class="comment"># the title</span>',
             '<span class="keyword">[package]</span>', '<span class="string">&quot;octavo&quot;</span>',
             '<span class="keyword">interface</span>', '<span class="type">number</span>',
             '<span class="meta">#include</span>', '<span class="variable">$HOME</span>',
             '<span class="keyword">func</span>', '<span class="keyword">public</span>',
             '<span class="function">count</span>(line: &amp;str) -&gt; <span class="type">usize</span> {'):
    need(frag in x, "span " + frag)
plain = [p for p in pres if "plain text" in p or "unknown language" in p]
need(len(plain) == 2 and all("<span" not in re.sub(r'<span epub:type="pagebreak"[^>]*/>', "", p)
                             for p in plain), "plain blocks have no span")
bare = re.sub(r"<[^>]+>", "", x)
need("fn setup()" not in bare and "HashMap" not in bare and "##[allow" not in bare
     and "#[allow(unused)]" in bare,
     "hidden Rust lines hidden, ## shows #")
need("<script" not in x, "no script")
need("@media (prefers-color-scheme: dark)" in css and "pre code .keyword" in css, "dark palette in CSS")
dark = css[css.find("@media (prefers-color-scheme: dark)"):]
dark = dark[:dark.find("\n}")]
need("pre { background-color: #262626; color: #E6E6E6; }" in dark,
     "the night palette's blocks are dark themselves (a page left white stays readable)")
# (a page of the PDF beginning inside a block puts the page-list's marker
# there: that span is not highlighting)
pb = re.compile(r'<span epub:type="pagebreak"[^>]*/>')
need("<span" not in pb.sub("", "".join(re.findall(r"<pre>.*?</pre>", off, re.S)))
     and "fn count" in off, "highlight: false: no span")
sys.exit(1 if fails else 0)
PY
rc=$?
cat "$WORK/epub.out"
if [ $rc = 0 ]; then ok "EPUB spans"; else bad "EPUB spans: $(grep FAIL "$WORK/epub.out" | head -3 | tr '\n' ';')"; fi

log=$WORK/screen.epubcheck
"$SRC/tests/lib/run_epubcheck.sh" "$WORK/screen/highlight.epub" >"$log" 2>&1
if [ $? = 0 ] && ! grep -qE '^(ERROR|WARNING|FATAL)' "$log" && grep -q '0 fatals / 0 errors / 0 warnings' "$log"; then
    ok "epubcheck 0/0/0"
else
    bad "epubcheck: $(grep -E '^(ERROR|WARNING|FATAL)' "$log" | head -3 | tr '\n' ';')"
fi

finish highlight
