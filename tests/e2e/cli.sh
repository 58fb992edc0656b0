#!/usr/bin/env bash
# The command-line contract of DESIGN.md: words, exit statuses, message form,
# defaults, check writes nothing, a failed build keeps the previous outputs.
set -u
BIN=$1 SRC=$2 WORK=$3
rm -rf "$WORK" && mkdir -p "$WORK"
pass=0 fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
expect_status() { # want, description, command...
  local want=$1 what=$2; shift 2
  "$@" >"$WORK/stdout" 2>"$WORK/stderr"; local got=$?
  if [ "$got" = "$want" ]; then ok; else bad "$what: exit $got, want $want"; sed 's/^/  | /' "$WORK/stderr" | head -5; fi
}
has_stderr() { if grep -Eq -- "$1" "$WORK/stderr"; then ok; else bad "stderr lacks /$1/"; sed 's/^/  | /' "$WORK/stderr" | head -5; fi; }

expect_status 0 "--help" "$BIN" --help
grep -q "usage: octavo \[build\] \[BOOK\]" "$WORK/stdout" && ok || bad "--help text"
expect_status 0 "--version" "$BIN" --version
grep -Eq "^octavo [0-9]+\.[0-9]+\.[0-9]+$" "$WORK/stdout" && ok || bad "--version text"
# The C++ parts are modules opened on first use (src/modules/modules.h): the
# program itself needs neither libqpdf nor source-highlight and Boost to
# start (e2e/booklet and e2e/highlight show the modules at work).
if ldd "$BIN" | grep -Eq "libqpdf|libsource-highlight|libboost"; then
  bad "octavo links libqpdf, source-highlight or Boost at start: $(ldd "$BIN" | awk '{print $1}' | grep -E 'lib(qpdf|source-highlight|boost)' | tr '\n' ' ')"
else ok; fi
expect_status 2 "unknown option" "$BIN" --frobnicate
has_stderr "octavo: error: unknown option '--frobnicate'"
expect_status 2 "bad format" "$BIN" build "$SRC/book" --format docx
expect_status 2 "bad paper" "$BIN" build "$SRC/book" --paper b5
expect_status 2 "bad profile" "$BIN" build "$SRC/book" --profile loud
expect_status 2 "-o without a value" "$BIN" build "$SRC/book" -o
expect_status 2 "two books" "$BIN" build a b

# A small book in the work folder.
B="$WORK/bk"
mkdir -p "$B/chapters"
printf 'title: Tiny\nslug: tiny\nchapters:\n  - chapters/a.md\n' >"$B/book.yaml"
printf '# Alpha\n\nSome text with a [link](#alpha).\n' >"$B/chapters/a.md"

# check: validates and writes nothing
cd "$WORK"
expect_status 0 "check" "$BIN" check "$B"
[ ! -e "$WORK/out" ] && ok || bad "check wrote an out/ folder"

# default output folder is ./out, names from the slug
expect_status 0 "build epub" "$BIN" build "$B" --format epub -q
[ -s "$WORK/out/tiny.epub" ] && ok || bad "out/tiny.epub missing"
[ ! -e "$WORK/out/tiny.pdf" ] && ok || bad "--format epub also wrote a PDF"
expect_status 0 "build both" "$BIN" "$B" -o "$WORK/o2"
[ -s "$WORK/o2/tiny.epub" ] && [ -s "$WORK/o2/tiny.pdf" ] && ok || bad "both outputs"

# -v reports each step; -q says nothing, even with a warning in the book
expect_status 0 "verbose" "$BIN" build "$B" -o "$WORK/o4" -v
has_stderr "^octavo: parsed 1 chapters"
has_stderr "^octavo: wrote $WORK/o4/tiny.pdf"
printf '# Alpha\n\n[broken](nowhere.md)\n' >"$B/chapters/a.md"
expect_status 0 "quiet" "$BIN" build "$B" -o "$WORK/o4" -q
[ ! -s "$WORK/stderr" ] && ok || bad "-q still printed: $(head -2 "$WORK/stderr")"
expect_status 0 "warning shown" "$BIN" build "$B" -o "$WORK/o4"
has_stderr "a.md:3:1: warning: link target 'nowhere.md' is not a chapter"
# check also loads the fonts
expect_status 1 "check with no fonts" "$BIN" check "$B" --fonts "$WORK"
has_stderr "CharisSIL-Regular.ttf: error: cannot read font"
printf '# Alpha\n\nSome text with a [link](#alpha).\n' >"$B/chapters/a.md"

# a flood of warnings is cut at 100 lines with one closing note
{ printf '# Alpha\n\n'; for i in $(seq 150); do printf '[x](#nowhere) '; done; printf '\n'; } >"$B/chapters/a.md"
expect_status 0 "many warnings" "$BIN" build "$B" -o "$WORK/o5" --format epub
[ "$(wc -l <"$WORK/stderr")" = 101 ] && ok || bad "warning flood: $(wc -l <"$WORK/stderr") lines, want 100 + 1"
has_stderr "^octavo: note: 50 more messages not shown \(0 errors, 150 warnings in all\)$"
printf '# Alpha\n\nSome text with a [link](#alpha).\n' >"$B/chapters/a.md"

# a broken book: exit 1, PATH:LINE:COL: error:, previous outputs untouched
cp "$WORK/o2/tiny.pdf" "$WORK/prev.pdf"; cp "$WORK/o2/tiny.epub" "$WORK/prev.epub"
printf '# Alpha\n\nText.\n\n![gone](../images/missing.png)\n' >"$B/chapters/a.md"
expect_status 1 "missing image" "$BIN" build "$B" -o "$WORK/o2"
has_stderr "^$B/chapters/a.md:5:1: error: image '../images/missing.png': no such file"
cmp -s "$WORK/prev.pdf" "$WORK/o2/tiny.pdf" && ok || bad "PDF changed after a failed build"
cmp -s "$WORK/prev.epub" "$WORK/o2/tiny.epub" && ok || bad "EPUB changed after a failed build"
[ "$(ls -A "$WORK/o2" | wc -l)" = 2 ] && ok || bad "stray files in the output folder: $(ls -A "$WORK/o2")"
expect_status 1 "check a broken book" "$BIN" check "$B"

# a missing book and malformed YAML
expect_status 1 "missing book" "$BIN" build "$WORK/nope"
has_stderr "error:"
printf 'title: [unclosed\nchapters: []\n' >"$B/book.yaml"
expect_status 1 "malformed yaml" "$BIN" check "$B"
has_stderr "^$B/book.yaml:[0-9]+:[0-9]+: error: malformed YAML"

# a single Markdown file with front matter
printf -- '---\ntitle: Single\nslug: one-file\n---\n# Only\n\nWords.\n' >"$WORK/single.md"
expect_status 0 "single file" "$BIN" build "$WORK/single.md" -o "$WORK/o3" --format epub
[ -s "$WORK/o3/one-file.epub" ] && ok || bad "single-file slug output"

# command-line text is echoed escaped: an option value or book path holding
# ESC cannot drive the terminal
expect_status 2 "escape in an option" "$BIN" --paper $'\e[31mred'
if grep -q $'\e' "$WORK/stderr"; then bad "ESC echoed raw in a usage error"; else ok; fi
has_stderr "unknown paper '\\\\x1b\\[31mred'"
mkdir -p "$WORK/esc"$'\e'"book"; cp "$WORK/single.md" "$WORK/esc"$'\e'"book/single.md"
expect_status 0 "check a book named with ESC" "$BIN" check "$WORK/esc"$'\e'"book/single.md"
if grep -q $'\e' "$WORK/stderr"; then bad "ESC echoed raw in the check summary"; else ok; fi

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
