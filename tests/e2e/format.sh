#!/usr/bin/env bash
# Every C source and header in the repository is as clang-format (with the
# committed .clang-format) would write it: a file that is not fails the
# test, with the first lines clang-format would change.
#
#   bash tests/e2e/format.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
set -u
SRC=$2
cd "$SRC" || exit 1
if ! command -v clang-format >/dev/null; then
  echo "FAIL: clang-format is not installed (.ci/deps installs it)"
  exit 1
fi
bad=0 n=0
while IFS= read -r f; do
  n=$((n + 1))
  if ! out=$(clang-format --dry-run -Werror "$f" 2>&1); then
    bad=$((bad + 1))
    echo "FAIL: $f is not clang-formatted:"
    head -6 <<<"$out"
  fi
done < <(git ls-files '*.c' '*.h' 2>/dev/null ||
    find src include tests -name node_modules -prune -o -name '*.[ch]' -print)
echo "format: $n files, $bad not formatted"
[ "$n" -gt 0 ] && [ "$bad" = 0 ]
