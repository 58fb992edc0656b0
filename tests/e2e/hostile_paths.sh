#!/usr/bin/env bash
# Hostile paths and metadata (issue 21, the loader's part): links that leave
# the book however long their resolution, FIFOs and sockets where files are
# expected, book.yaml and chapters/ linked out of the book, control bytes in
# messages, big chapter folders, metadata that fails epubcheck, deep YAML and
# CR-only line ends. Every case ends in a clean "PATH:LINE:COL: error: ..."
# with exit 1 and nothing written, or a valid build; never a crash, a hang
# (each case runs with a CPU limit and under `timeout`) or a sanitizer report,
# and nothing from outside the book reaches the outputs or the messages.
# Inputs are generated into WORK_DIR at run time (tests/hostile/gen_paths.py).
#
# usage: hostile_paths.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
source "$2/tests/lib/e2e.sh"
T=${HOSTILE_TIMEOUT:-10}
if sanitized_build "$BIN"; then T=${HOSTILE_TIMEOUT:-60}; fi
G="$WORK/books" O="$WORK/out" L="$WORK/log"
mkdir -p "$O" "$L"
export SOURCE_DATE_EPOCH=1700000000
export OCTAVO_FONTS_DIR="$SRC/fonts"
python3 -I "$SRC/tests/hostile/gen_paths.py" "$G" || { bad "cannot generate the inputs"; finish hostile_paths; exit 1; }
SECRET=SECRET-OUTSIDE-MARKER

. "$SRC/tests/lib/hostile.sh" # show, crashed, has_line

# run CASE BOOK [ARGS...]: builds BOOK into $O/CASE with 1 GB of address space
# (more under a sanitizer, which reserves terabytes) and T seconds of CPU
run() {
  local c=$1 book=$2 mem=1048576
  shift 2
  if [ "$T" -gt 10 ]; then mem=unlimited; fi
  (ulimit -S -t "$T" -v "$mem" && exec timeout "$((T * 3))" "$BIN" build "$book" -o "$O/$c" "$@") \
    >"$L/$c.out" 2>"$L/$c.err"
  rc=$?
}

# sane CASE: no crash, no hang, no sanitizer report, no secret in the messages
sane() {
  local c=$1
  crashed "$c" && return 1
  if grep -q "$SECRET\|secret-name" "$L/$c.err"; then bad "$c: the messages show what lies outside the book"; return 1; fi
  return 0
}

# expect_error CASE BOOK FILE LINE REGEX [ARGS...]: exit 1,
# "FILE:LINE:COL: error: REGEX" (LINE a number, or [0-9]+ for any), nothing written
expect_error() {
  local c=$1 book=$2 file=$3 ln=$4 re=$5
  shift 5
  run "$c" "$book" "$@"
  sane "$c" || return
  if [ "$rc" != 1 ]; then bad "$c: exit $rc, want 1"; show "$L/$c.err"; return; fi
  if ! has_line "$L/$c.err" "$file:" "^$ln:[0-9]+: error: $re"; then
    bad "$c: no '$file:$ln:COL: error: $re'"; show "$L/$c.err"; return
  fi
  if [ -n "$(ls -A "$O/$c" 2>/dev/null)" ]; then bad "$c: wrote $(ls -A "$O/$c")"; return; fi
  ok "$c"
}

# expect_built CASE BOOK SLUG: exit 0, both outputs there and sound, no secret in them
expect_built() {
  local c=$1 book=$2 slug=$3
  shift 3
  run "$c" "$book" "$@"
  sane "$c" || return
  if [ "$rc" != 0 ]; then bad "$c: exit $rc, want 0"; show "$L/$c.err"; return; fi
  if [ ! -s "$O/$c/$slug.pdf" ] || [ ! -s "$O/$c/$slug.epub" ]; then
    bad "$c: outputs missing: $(ls -A "$O/$c" 2>/dev/null)"; return
  fi
  if ! qpdf --check "$O/$c/$slug.pdf" >"$L/$c.qpdf" 2>&1; then bad "$c: qpdf --check fails"; show "$L/$c.qpdf"; return; fi
  ok "$c"
}

Y=book.yaml C=chapters/a.md

# ---- 1. confinement by construction -------------------------------------------------
# a resolution longer than PATH_MAX (realpath fails) that leaves the book
expect_error deep-chapter-escape "$G/deep-chapter-escape" "$G/deep-chapter-escape/$Y" 3 \
  "chapter 'chapters/a\.md': it leaves the book folder through a symbolic link"
expect_error deep-image-escape "$G/deep-image-escape" "$G/deep-image-escape/$C" 5 \
  "image '\.\./images/p\.png': it leaves the book folder through a symbolic link"
# links that stay inside are followed: chapter, image (through ".."), cover
expect_built links-inside "$G/links-inside" links-inside
if [ "$rc" = 0 ]; then
  n=$(pdfimages -list "$O/links-inside/links-inside.pdf" 2>/dev/null | tail -n +3 | wc -l)
  [ "$n" -ge 1 ] && ok "links-inside: image in the PDF" || bad "links-inside: no image in the PDF"
  pdftotext "$O/links-inside/links-inside.pdf" - 2>/dev/null | grep -q "Some ordinary text" &&
    ok "links-inside: chapter text in the PDF" || bad "links-inside: chapter text missing from the PDF"
fi
expect_error link-loop "$G/link-loop" "$G/link-loop/$Y" 3 "chapter 'chapters/a\.md': .*(symbolic links|leaves)"

# ---- 2. only regular files are read; never block --------------------------------------
expect_error fifo-chapter "$G/fifo-chapter" "$G/fifo-chapter/$Y" 3 "chapter 'chapters/a\.md': not a regular file"
expect_error fifo-image "$G/fifo-image" "$G/fifo-image/$C" 5 "image '\.\./images/p\.png': not a regular file"
expect_error fifo-cover "$G/fifo-cover" "$G/fifo-cover/$Y" 2 "image 'images/c\.png': not a regular file"
expect_error fifo-yaml "$G/fifo-yaml" "$G/fifo-yaml/$Y" 1 "cannot read the metadata: not a regular file"
expect_error fifo-single "$G/fifo-single.md" "$G/fifo-single.md" 1 "cannot read the book: not a regular file"
expect_error socket-chapter "$G/socket-chapter" "$G/socket-chapter/$Y" 3 "chapter 'chapters/a\.md': not a regular file"
if [ -e "$G/device-chapter" ]; then
  expect_error device-chapter "$G/device-chapter" "$G/device-chapter/$Y" 3 "chapter 'chapters/a\.md': not a regular file"
else
  echo "hostile_paths: note: mknod not permitted; the device case is skipped"
fi
expect_error dir-chapter "$G/dir-chapter" "$G/dir-chapter/$Y" 3 "chapter 'chapters/a\.md': it is a folder, not a file"

# ---- 3. book.yaml and chapters/ linked out of the book ---------------------------------
expect_error yaml-link-out "$G/yaml-link-out" "$G/yaml-link-out/$Y" 1 \
  "cannot read the metadata: it leaves the book folder through a symbolic link"
expect_error yaml-link-environ "$G/yaml-link-environ" "$G/yaml-link-environ/$Y" 1 \
  "cannot read the metadata: it leaves the book folder through a symbolic link"
expect_error chapters-dir-out "$G/chapters-dir-out" "$G/chapters-dir-out/$Y" 1 \
  "the folder 'chapters' leaves the book folder through a symbolic link$"

# ---- 4. control characters in messages ---------------------------------------------------
CB=$(printf '%s/control-\033[2J\377' "$G")
CE="$G/control-\\x1b[2J\\xff"
run control-name "$CB"
if sane control-name; then
  if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f\x80-\x9f\xff]\|\xc2[\x80-\x9f]' "$L/control-name.err"; then
    bad "control-name: raw control bytes in the messages"; show "$L/control-name.err" | cat -v
  else
    ok "control-name: no raw control bytes"
  fi
  [ "$rc" = 1 ] && ok "control-name: exit 1" || bad "control-name: exit $rc, want 1"
  has_line "$L/control-name.err" "$CE/$Y:" "^4:5: error: chapter 'chapters/\\\\x1b\[31mred\\\\x07\\\\xc2\\\\x9b\.md': no such file" &&
    ok "control-name: chapter name escaped" || { bad "control-name: no escaped chapter message"; show "$L/control-name.err" | cat -v; }
fi
expect_error control-image "$G/control-image" "$G/control-image/$C" 5 "image '\\\\x1b\]0;owned\\\\x07\.png': no such file"
if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$L/control-image.err"; then bad "control-image: raw control bytes"; fi

# ---- 5. a folder of chapters, no chapters: list --------------------------------------------
expect_error many-chapters "$G/many-chapters" "$G/many-chapters/$Y" 1 \
  "the folder 'chapters' holds 10050 Markdown files, more than the 10000 a book may have"
expect_built listed-sorted "$G/listed-sorted" listed-sorted
if [ "$rc" = 0 ]; then
  got=$(pdftotext "$O/listed-sorted/listed-sorted.pdf" - 2>/dev/null | grep -o "Text [0-9][0-9]" | tr '\n' ' ')
  [ "$got" = "Text 01 Text 02 Text 03 Text 04 Text 05 Text 06 Text 09 Text 15 " ] &&
    ok "listed-sorted: chapters by name" || bad "listed-sorted: chapter order '$got'"
fi

# ---- 6. metadata validated at load ---------------------------------------------------------
M() { # NAME LINE REGEX
  expect_error "meta-$1" "$G/meta-$1" "$G/meta-$1/$Y" "$2" "$3"
}
M lang-double-hyphen 3 "'a--b' is not a well-formed BCP 47 language tag"
M lang-trailing-hyphen 3 "'en-' is not a well-formed BCP 47 language tag"
M lang-ten-letters 3 "'abcdefghij' is not a well-formed BCP 47 language tag"
M lang-bad-region 3 "'en-USA1' is not a well-formed BCP 47 language tag"
M title-controls 3 "'title' holds a control character"
M title-blank 3 "'title' is empty"
M identifier-spaces 3 "'identifier' is empty"
M author-empty 5 "'author' is empty"
M rights-empty 3 "'rights' is empty"
M slug-long 3 "slug is 250 characters long; at most 200"
M slug-slash 3 "slug 'a/b' may hold only"
expect_built meta-lang-good "$G/meta-lang-good" meta-lang-good
if [ "$rc" = 0 ]; then
  unzip -p "$O/meta-lang-good/meta-lang-good.epub" '*.opf' | grep -q "<dc:language>zh-Hant-TW-x-private</dc:language>" &&
    ok "meta-lang-good: dc:language" || bad "meta-lang-good: dc:language missing"
fi

# ---- 7. deep YAML ---------------------------------------------------------------------------
expect_error yaml-deep-flow "$G/yaml-deep-flow" "$G/yaml-deep-flow/$Y" 4 "YAML nested more than 64 levels deep"
expect_error yaml-deep-block "$G/yaml-deep-block" "$G/yaml-deep-block/$Y" "[0-9]+" "YAML nested more than 64 levels deep"

# ---- 8. CR-only line ends -------------------------------------------------------------------
for c in cr-only crlf-mixed; do
  run "$c" "$G/$c"
  sane "$c" || continue
  [ "$rc" = 0 ] && ok "$c: built" || { bad "$c: exit $rc"; show "$L/$c.err"; }
done
has_line "$L/cr-only.err" "$G/cr-only/$C:" "^4:8: warning: invalid UTF-8" && ok "cr-only: warning at 4:8" ||
  { bad "cr-only: no warning at 4:8"; show "$L/cr-only.err"; }
has_line "$L/cr-only.err" "$G/cr-only/$C:" "^6:1: warning: link '#nowhere'" && ok "cr-only: link warning at 6:1" ||
  { bad "cr-only: no link warning at 6:1"; show "$L/cr-only.err"; }
has_line "$L/crlf-mixed.err" "$G/crlf-mixed/$C:" "^4:8: warning: invalid UTF-8" && ok "crlf-mixed: warning at 4:8" ||
  { bad "crlf-mixed: no warning at 4:8"; show "$L/crlf-mixed.err"; }

expect_error cr-front "$G/cr-front.md" "$G/cr-front.md" 3 "'a--b' is not a well-formed BCP 47 language tag"

# ---- nothing from outside reached an output ---------------------------------------------------
leaked=$(for f in "$O"/*/*.pdf "$O"/*/*.epub; do
  [ -e "$f" ] || continue
  if { pdftotext "$f" - 2>/dev/null; unzip -p "$f" 2>/dev/null; } | grep -q "$SECRET"; then echo "$f"; fi
done)
[ -z "$leaked" ] && ok "no output holds the outside secret" || bad "the outside secret is in: $leaked"

finish hostile_paths
