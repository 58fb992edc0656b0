#!/usr/bin/env bash
# Hostile and unusual images (issue 21, the image part). Inputs are generated
# at run time by tests/hostile/png_forms.py:
# - one book holding every PNG form the standard allows (colour type x bit
#   depth x interlace x tRNS x none/iCCP/gAMA, zTXt and text after the image
#   data, bytes after IEND, split IDAT, an ICC profile of the wrong colour
#   space): it builds with no warning, every image is in the PDF once with an
#   SMask exactly when it has transparency, the pixels `pdfimages -png`
#   extracts are the ones the file holds (palettes, 16-bit reduced, tRNS keys
#   transparent), qpdf --check is clean, two builds are byte-identical, and
#   the EPUB carries the original files and passes epubcheck;
# - one book per malformed PNG: exit 1, "chapters/ch.md:5:1: error: image
#   '../images/x.png': REASON", nothing written;
# - a valid 20,000 x 20,000 RGBA16 PNG (over the pixel budget) and a JPEG
#   65,535 pixels wide: refused the same way;
# - an 8,000 x 5,000 RGBA PNG (at the budget) builds within 10 s of CPU and,
#   in the release build, 1 GB.
# Every case runs under a CPU limit; a crash, a hang or a sanitizer report fails.
#
# usage: hostile_images.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
. "$(dirname "$0")/../lib/e2e.sh"
export SOURCE_DATE_EPOCH=1700000000
export OCTAVO_FONTS_DIR="$SRC/fonts"
T=10
sanitized=0
if sanitized_build "$BIN"; then T=60 sanitized=1; fi
G="$WORK/books" O="$WORK/out" L="$WORK/log"
mkdir -p "$G" "$O" "$L"
P="$SRC/tests/hostile/png_forms.py"
python3 -I "$P" books "$G" || { bad "cannot generate the PNG books"; finish hostile_images; exit; }
. "$SRC/tests/lib/hostile.sh" # show, crashed

# run CASE BOOK [ARGS...]: builds BOOK into $O/CASE with T seconds of CPU (and
# five times that on the clock); rc, stderr in $L/CASE.err, peak RSS (KB) in
# $L/CASE.rss
# (ru_maxrss of the waited-for descendants, through Python's resource module:
# GNU time is not installed on a fresh Debian)
run() {
  local c=$1 book=$2
  shift 2
  (ulimit -S -t "$T" && exec python3 -I -c '
import resource, subprocess, sys
r = subprocess.run(sys.argv[2:])
open(sys.argv[1], "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(r.returncode if r.returncode >= 0 else 128 - r.returncode)' "$L/$c.rss" \
    timeout "$((T * 5))" "$BIN" build "$book" -o "$O/$c" "$@") >"$L/$c.out" 2>"$L/$c.err"
  rc=$?
}

# sane CASE: no crash, no hang, no sanitizer report
sane() { ! crashed "$1"; }

# expect_error CASE BOOK REGEX: exit 1, the error at the line citing the
# image (chapters/ch.md:5:1), nothing written
expect_error() {
  local c=$1 book=$2 re=$3
  run "$c" "$book"
  sane "$c" || return
  if [ "$rc" != 1 ]; then bad "$c: exit $rc, want 1"; show "$L/$c.err"; return; fi
  local want="$book/chapters/ch.md:5:1: error: image '../images/x.png': "
  if ! grep -Fq "$want" "$L/$c.err" || ! grep -F "$want" "$L/$c.err" | grep -Eq "$re"; then
    bad "$c: no '${want}$re'"; show "$L/$c.err"; return
  fi
  if [ -n "$(ls -A "$O/$c" 2>/dev/null)" ]; then bad "$c: wrote $(ls -A "$O/$c")"; return; fi
  ok "$c: $(cut -d: -f5- "$L/$c.err" | head -1 | cut -c1-110)"
}

# ---- every valid form ----------------------------------------------------------
V="$G/valid"
nforms=$(wc -l <"$V/expect.tsv")
for b in a b; do
  run "valid-$b" "$V"
  sane "valid-$b" || continue
  if [ "$rc" != 0 ]; then bad "valid-$b: exit $rc, want 0"; show "$L/valid-$b.err"; continue; fi
  if grep -q "warning\|error" "$L/valid-$b.err"; then bad "valid-$b: messages"; show "$L/valid-$b.err"; continue; fi
  ok "valid-$b: $nforms PNG forms built without a message"
done
PDF="$O/valid-a/valid.pdf" EPUB="$O/valid-a/valid.epub"
if [ -s "$PDF" ] && [ -s "$EPUB" ]; then
  if cmp -s "$PDF" "$O/valid-b/valid.pdf" && cmp -s "$EPUB" "$O/valid-b/valid.epub"; then
    ok "two builds are byte-identical (PDF and EPUB)"
  else
    bad "two builds differ"
  fi
  if qpdf --check "$PDF" >"$L/qpdf" 2>&1 && ! grep -qi "warning" "$L/qpdf"; then
    ok "qpdf --check is clean"
  else
    bad "qpdf --check"; show "$L/qpdf"
  fi
  pdfimages -list "$PDF" >"$L/images.list" 2>&1
  n=$(awk 'NR > 2 && $3 == "image"' "$L/images.list" | wc -l)
  m=$(awk 'NR > 2 && $3 == "smask"' "$L/images.list" | wc -l)
  if [ "$n" = "$nforms" ]; then ok "pdfimages: $n images, $m soft masks"; else bad "pdfimages: $n images, want $nforms"; fi
  mkdir -p "$WORK/extracted"
  pdfimages -png "$PDF" "$WORK/extracted/img"
  if python3 -I "$P" check "$V" "$L/images.list" "$WORK/extracted" >"$L/pixels" 2>&1; then
    ok "pixels: $(tail -1 "$L/pixels")"
  else
    bad "pixels differ from the files"; show "$L/pixels" 20
  fi
  # the EPUB carries every PNG as it is
  mkdir -p "$WORK/epub"
  (cd "$WORK/epub" && unzip -qo "$EPUB")
  got=$(find "$WORK/epub" -name '*.png' | wc -l)
  sums_in=$(cd "$V/images" && sha256sum ./*.png | cut -c1-64 | sort | sha256sum)
  sums_out=$(find "$WORK/epub" -name '*.png' -exec sha256sum {} + | cut -c1-64 | sort | sha256sum)
  if [ "$got" = "$nforms" ] && [ "$sums_in" = "$sums_out" ]; then
    ok "the EPUB carries the $got original PNG files"
  else
    bad "the EPUB holds $got PNG files, or not the originals"
  fi
  J=$(epubcheck_jar)
  if [ -n "$J" ] && command -v java >/dev/null; then
    if "$SRC/tests/lib/run_epubcheck.sh" "$EPUB" >"$L/epubcheck" 2>&1; then
      ok "epubcheck passes"
    else
      bad "epubcheck"; grep -E "ERROR|FATAL" "$L/epubcheck" | head -5
    fi
  else
    bad "epubcheck is not installed"
  fi
fi

# ---- malformed PNGs --------------------------------------------------------------
while IFS=$'\t' read -r c re; do
  expect_error "$c" "$G/bad/$c" "$re"
done <"$G/bad-cases.tsv"

# ---- size limits ---------------------------------------------------------------
mkbook() { # DIR FILE: a book whose chapter cites images/x.png at line 5
  mkdir -p "$1/chapters" "$1/images"
  printf 'title: Size\nchapters: [chapters/ch.md]\n' >"$1/book.yaml"
  printf '# Size\n\nText before.\n\n![big](../images/x.png)\n' >"$1/chapters/ch.md"
  mv "$2" "$1/images/x.png"
}
python3 -I "$P" big "$WORK/big.png" && mkbook "$G/huge-png" "$WORK/big.png"
expect_error huge-png "$G/huge-png" "20000x20000 pixels, over octavo's limit of 40 million pixels"
python3 -I "$P" wide-jpeg "$WORK/wide.jpg" && mkbook "$G/wide-jpeg" "$WORK/wide.jpg"
expect_error wide-jpeg "$G/wide-jpeg" "JPEG is 65535x16 pixels.*at most 65500"

python3 -I "$P" budget "$WORK/budget.png" && mkbook "$G/budget" "$WORK/budget.png"
run budget "$G/budget"
if sane budget; then
  kb=$(tail -1 "$L/budget.rss")
  if [ "$rc" != 0 ]; then
    bad "budget: exit $rc"; show "$L/budget.err"
  elif [ "$sanitized" = 0 ] && [ "${kb:-0}" -gt 1048576 ]; then
    bad "budget: peak RSS $kb KB, over 1 GB"
  elif ! pdfimages -list "$O/budget/budget.pdf" | grep -q " 8000  *5000 "; then
    bad "budget: the 8000x5000 image is not in the PDF"
  else
    ok "budget: an 8000x5000 RGBA PNG builds within ${T}s of CPU, peak RSS $((kb / 1024)) MB"
  fi
fi
# 1-bit palette, 2-bit grey and palette+tRNS PNGs made libharu write
# uninitialised heap bytes into the PDF: memcheck saw them reach write(2).
# (Release build only: valgrind and the sanitizers do not mix.)
if [ "$sanitized" = 0 ]; then
  U="$G/uninit"
  mkdir -p "$U/chapters" "$U/images"
  printf 'title: Uninitialised\nchapters: [chapters/ch.md]\n' >"$U/book.yaml"
  for f in ct3-d1-flat ct0-d2-flat ct3-d8-flat-trns ct3-d2-adam7-trns; do
    cp "$V/images/$f.png" "$U/images/"
    printf '![%s](../images/%s.png)\n\n' "$f" "$f"
  done >"$U/chapters/ch.md"
  if command -v valgrind >/dev/null; then
    timeout 300 valgrind -q --error-exitcode=9 "$BIN" build "$U" -o "$O/uninit" --format pdf \
      >"$L/uninit.out" 2>"$L/uninit.err"
    rc=$?
    # valgrind 3.19 does not know openat2 (syscall 437) and says so on
    # "--PID--" lines (octavo then takes its own beneath-walk); its error
    # reports are "==PID==" lines, and octavo's own messages have no prefix
    grep -v '^--[0-9]*-- ' "$L/uninit.err" >"$L/uninit.rest"
    if [ "$rc" = 0 ] && [ ! -s "$L/uninit.rest" ]; then
      ok "valgrind: no uninitialised byte reaches the PDF (sub-byte and palette PNGs)"
    else
      bad "valgrind: exit $rc"; show "$L/uninit.err" 12
    fi
  else
    bad "valgrind is not installed"
  fi
fi

# libpng's own test image (interlaced RGBA; libharu left it out), when
# libpng-dev's examples are installed
PT=/usr/share/doc/libpng-dev/examples/pngtest.png
if [ -s "$PT" ]; then
  cp "$PT" "$WORK/pngtest.png" && mkbook "$G/pngtest" "$WORK/pngtest.png"
  run pngtest "$G/pngtest"
  if sane pngtest; then
    n=$(pdfimages -list "$O/pngtest/pngtest.pdf" 2>/dev/null | awk 'NR > 2 && $3 == "image" && $4 == 91 && $5 == 69' | wc -l)
    if [ "$rc" = 0 ] && [ "$n" = 1 ] && ! grep -q warning "$L/pngtest.err"; then
      ok "pngtest.png (91x69, interlaced RGBA) is in the PDF"
    else
      bad "pngtest.png: exit $rc, $n images"; show "$L/pngtest.err"
    fi
  fi
else
  echo "note: $PT is not installed; libpng's test image not tried"
fi
finish hostile_images
