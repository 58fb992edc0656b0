# Sourced by the end-to-end scripts in tests/e2e/, which CTest runs as
#   bash SCRIPT OCTAVO_BIN SOURCE_DIR WORK_DIR
# Sets BIN, SRC and WORK (emptied), the pass/fail counters with ok and bad,
# and finish NAME, which prints the closing "NAME: N passed, M failed" line
# and returns non-zero on any failure.
set -u
BIN=$1
SRC=$2
WORK=$3
rm -rf "$WORK"
mkdir -p "$WORK"
pass=0
fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }
finish() {
    echo "$1: $pass passed, $fail failed"
    [ "$fail" = 0 ]
}
. "$(dirname "${BASH_SOURCE[0]}")/sanitized.sh" # sanitized_build
# Dated outputs are reproducible unless a script sets its own date, so the
# validators' verdicts can be cached by content (run_epubcheck.sh, run_ace.sh)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
# The jar Debian's epubcheck package installs (its wrapper needs binfmt support).
epubcheck_jar() { dpkg -L epubcheck 2>/dev/null | grep 'epubcheck.jar$' | head -1; }
