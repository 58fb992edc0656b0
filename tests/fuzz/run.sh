#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined)
# into build-fuzz and runs each for SECONDS (default 30), seeded from the
# fixtures and the guide's chapters. Any finding fails the run; the crashing
# input is left in build-fuzz/findings/TARGET/ (turn it into a regression:
# tests/fuzz/regressions/TARGET-NAME, replayed by tests/e2e/fuzz_regressions.sh).
#
# usage: tests/fuzz/run.sh [SECONDS] [extra libFuzzer flags...]
# FUZZ_TARGETS picks targets, FUZZ_JOBS the build's parallelism. For a long
# campaign: FUZZ_SANITIZERS=undefined FUZZ_BUILD=build-fuzz-ubsan (several
# times faster, no ASan) on the default corpus, then the default build with
# -runs=0 replays every input kept under ASan and UBSan.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-30}
shift || true
B=${FUZZ_BUILD:-build-fuzz}
corpus=build-fuzz/corpus
cmake -S . -B "$B" -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOCTAVO_FUZZ=ON \
  -DOCTAVO_FUZZ_SANITIZERS="${FUZZ_SANITIZERS:-address,undefined}" >/dev/null
cmake --build "$B" -j"${FUZZ_JOBS:-$(nproc)}" --target ${FUZZ_TARGETS:-fuzz_parse_xhtml fuzz_layout_pdf fuzz_book_epub fuzz_png fuzz_mdbook fuzz_html fuzz_images} >/dev/null

export OCTAVO_FONTS_DIR=$PWD/fonts
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LSAN_OPTIONS=suppressions=$PWD/tests/lsan.supp:print_suppressions=0
status=0
for t in ${FUZZ_TARGETS:-fuzz_parse_xhtml fuzz_layout_pdf fuzz_book_epub fuzz_png fuzz_mdbook fuzz_html fuzz_images}; do
  seeds="$corpus/$t"
  mkdir -p "$seeds" "$B/findings/$t"
  # seeds: every Markdown file of the fixtures and the guide (the PDF target
  # reads its options from the first byte, so it gets each file twice, with
  # two option bytes), plus the regression inputs
  dirs=(tests/fixtures book/chapters)
  [ -d tests/fuzz/regressions ] && dirs+=(tests/fuzz/regressions)
  if [ "$t" = fuzz_book_epub ]; then
    # whole folders: book.yaml and chapters joined by NUL bytes
    python3 -I tests/fuzz/book_seeds.py "$seeds" book tests/fixtures/multi tests/fixtures/figures
    dirs=()
    [ -d tests/fuzz/regressions ] && dirs+=(tests/fuzz/regressions)
  fi
  dict=tests/fuzz/markdown.dict
  [ "$t" = fuzz_html ] && dict=tests/fuzz/html.dict
  if [ "$t" = fuzz_mdbook ]; then
    # mdBook folders: book.toml, SUMMARY.md and the chapter and listing files
    # at the target's fixed names, joined by NUL bytes
    python3 -I tests/fuzz/mdbook_seeds.py "$seeds"
    dict=tests/fuzz/mdbook.dict
    dirs=()
    [ -d tests/fuzz/regressions ] && dirs+=(tests/fuzz/regressions)
  fi
  if [ "$t" = fuzz_png ]; then
    # every PNG form the standard allows and the malformed ones of the e2e test
    python3 -I tests/hostile/png_forms.py seeds "$seeds"
    dict=tests/fuzz/png.dict
    dirs=()
    [ -d tests/fuzz/regressions ] && dirs+=(tests/fuzz/regressions)
  fi
  if [ "$t" = fuzz_images ]; then
    # the fixture's SVGs, its GIF and WebPs (made as the e2e test makes them)
    cp tests/fixtures/imgformats/images/*.svg "$seeds/"
    python3 -I tests/fixtures/imgformats/make_images.py "$seeds"
    if command -v cwebp >/dev/null; then
      cwebp -quiet -q 80 "$seeds/gradient.png" -o "$seeds/lossy.webp"
      cwebp -quiet -lossless -exact "$seeds/ring.png" -o "$seeds/alpha.webp"
    fi
    rm -f "$seeds"/*.png
    dict=tests/fuzz/images.dict
    dirs=()
    [ -d tests/fuzz/regressions ] && dirs+=(tests/fuzz/regressions)
  fi
  [ ${#dirs[@]} -gt 0 ] && find "${dirs[@]}" -type f \( -name '*.md' -o -name "$t-*" \) 2>/dev/null |
    while IFS= read -r f; do
      n=$(echo "$f" | tr '/' '_')
      if [ "$t" = fuzz_layout_pdf ] && [[ $f == *.md ]]; then
        { printf '\070'; cat "$f"; } >"$seeds/0-$n"
        { printf '\006'; cat "$f"; } >"$seeds/6-$n"
      else
        cp "$f" "$seeds/$n"
      fi
    done
  echo "== $t ($secs s)"
  if ! "$B/$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=4096 -max_len="${FUZZ_MAX_LEN:-8192}" \
    -dict="$dict" \
    -print_final_stats=1 -artifact_prefix="$B/findings/$t/" "$@" "$seeds" 2>"$B/$t.log"; then
    status=1
    tail -40 "$B/$t.log"
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|cov:" "$B/$t.log" | tail -3
done
exit "$status"
