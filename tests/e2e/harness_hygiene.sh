#!/usr/bin/env bash
# The test harness depends only on what .ci/deps installs, and no Python
# helper can stand in for a standard module:
#  - every python3 the tests or CI run is `python3 -I` (isolated: the
#    script's folder is not put first on sys.path, PYTHON* variables and
#    user site-packages are ignored);
#  - no Python file the tests keep or write is named like a standard module
#    (a helper called warnings.py beside a script replaced the standard
#    `warnings` for Debian's python3 and broke pdf_validate on a fresh
#    machine);
#  - every command-line tool the tests call comes from a Debian package that
#    .ci/deps installs.
#
#   bash tests/e2e/harness_hygiene.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
. "$(dirname "$0")/../lib/e2e.sh"
cd "$SRC" || exit 1
scripts=$(ls tests/e2e/*.sh tests/lib/*.sh tests/fuzz/*.sh .ci/* 2>/dev/null | grep -v harness_hygiene)

# 1. python3 is always run isolated
loose=$(grep -nE '(^|[^-/[:alnum:]_])python3([[:space:]]|$)' $scripts |
    grep -vE 'python3 -I([[:space:]]|$)' |
    grep -vE ':[[:space:]]*#|command -v python3|for tool in|python3 is required|^.ci/deps:' || true)
if [ -z "$loose" ]; then ok "every python3 in tests/ and .ci/ runs with -I"
else bad "python3 run without -I:"; echo "$loose"; fi

# 2. no helper named like a standard module (stdlib names from Debian's python3)
names=$( { git ls-files '*.py' 2>/dev/null || find . -name '*.py'; } | sed 's#.*/##; s#\.py$##'
         grep -ohE '[[:alnum:]_]+\.py\b' $scripts | sed 's#\.py$##' )
clash=$(printf '%s\n' $names | sort -u | python3 -I -c '
import sys
std = set(sys.stdlib_module_names) | set(sys.builtin_module_names)
print(" ".join(n for n in sys.stdin.read().split() if n in std))')
if [ -z "$clash" ]; then ok "no Python helper is named like a standard module ($(printf '%s\n' $names | sort -u | wc -l) names)"
else bad "helpers named like standard modules: $clash"; fi

# 3. the tools the tests call come from packages .ci/deps installs
deps=$(tr -s ' \\\n' '\n' <.ci/deps | grep -E '^[a-z0-9][a-z0-9.+-]+$')
for tool in python3 qpdf pdftotext pdffonts pdfimages pdfinfo pdftoppm unzip java \
            clang-format strace cmake node chromium valgrind cwebp; do
    path=$(command -v "$tool") || { bad "$tool is not installed"; continue; }
    path=$(readlink -f "$path")
    pkg=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1)
    if [ -z "$pkg" ]; then bad "$tool ($path) is not from a Debian package"; continue; fi
    # a package .ci/deps names, or one they pull in (java via default-jre-headless)
    if grep -qxF "$pkg" <<<"$deps" ||
       apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
           --no-replaces --no-enhances $deps 2>/dev/null | grep -qE "^(  Depends: )?$pkg\$"; then
        ok "$tool comes from $pkg, installed by .ci/deps"
    else bad "$tool comes from $pkg, which .ci/deps does not install"; fi
done
finish harness_hygiene
