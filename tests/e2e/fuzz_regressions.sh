#!/usr/bin/env bash
# Replays every fuzzer finding kept in tests/fuzz/regressions/ through the
# octavo command line (so also under the sanitizer build): each input is
# built as a single-file book and must end in exit 0 or 1, never a crash,
# a hang or a sanitizer report. Files are named TARGET-NAME; for
# fuzz_layout_pdf the first byte is the option byte (paper, profile).
set -u
BIN=$1 SRC=$2 WORK=$3
rm -rf "$WORK" && mkdir -p "$WORK"
pass=0 fail=0
T=20
. "$(dirname "$0")/../lib/sanitized.sh"
if sanitized_build "$BIN"; then T=60; fi
papers=(a4 letter a5 6x9)
shopt -s nullglob
for f in "$SRC"/tests/fuzz/regressions/*; do
  n=$(basename "$f")
  mkdir -p "$WORK/$n"
  args=()
  book="$WORK/$n/fuzz.md"
  if [[ $n == fuzz_book_epub-* ]]; then
    # a folder: book.yaml, then chapters/c1.md ... split at NUL bytes, and
    # the images the fuzz target's folder has
    book="$WORK/$n/bk"
    mkdir -p "$book/chapters" "$book/images"
    python3 -I - "$f" "$book" <<'PY'
import sys
parts = open(sys.argv[1], "rb").read().split(b"\0")
open(sys.argv[2] + "/book.yaml", "wb").write(parts[0])
for i, p in enumerate(parts[1:9]):
    open(f"{sys.argv[2]}/chapters/c{i + 1}.md", "wb").write(p)
PY
    for img in images/a.png cover.png chapters/a.png; do cp "$SRC/book/images/cover.png" "$book/$img"; done
    cp "$SRC"/tests/fixtures/multi/images/*.jpg "$book/images/b.jpg"
    args=(--format epub)
  elif [[ $n == fuzz_layout_pdf-* ]]; then
    b=$(od -An -tu1 -N1 "$f" | tr -d ' ')
    tail -c +2 "$f" >"$WORK/$n/fuzz.md"
    args=(--format pdf --paper "${papers[$((b & 3))]}")
    [ $(((b >> 2) & 1)) = 1 ] && args+=(--profile print)
  else
    cp "$f" "$WORK/$n/fuzz.md"
  fi
  SOURCE_DATE_EPOCH=1700000000 timeout "$T" "$BIN" build "$book" -o "$WORK/$n/out" "${args[@]}" \
    >/dev/null 2>"$WORK/$n/err"
  rc=$?
  if [ "$rc" -gt 1 ] || grep -Eq "AddressSanitizer|LeakSanitizer|runtime error:" "$WORK/$n/err"; then
    fail=$((fail + 1))
    echo "FAIL: $n: exit $rc"
    head -20 "$WORK/$n/err"
  else
    pass=$((pass + 1))
  fi
done
echo "fuzz_regressions: $pass passed, $fail failed"
[ "$fail" = 0 ]
