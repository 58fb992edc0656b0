#!/usr/bin/env bash
# usage: run_ace.sh EPUB OUTDIR
# Runs Ace by DAISY (tests/a11y/node_modules, through Debian's chromium) on
# EPUB, writing its report into OUTDIR (OUTDIR/report.json is what the
# tests read); Ace's own messages go to standard output.
#
# With OCTAVO_VALIDATOR_CACHE set to a folder (.ci/test sets it for both
# suites), report.json is kept there under the SHA-256 of the EPUB's bytes,
# Ace's locked versions (package-lock.json) and chromium's package version,
# and copied back for the same bytes: the sanitizer suite builds the same
# EPUBs as the release suite and reads its reports instead of starting
# chromium again. Any byte that differs makes Ace run.
epub=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
ace=$here/../a11y/node_modules/.bin/ace-cli
export PUPPETEER_EXECUTABLE_PATH=${PUPPETEER_EXECUTABLE_PATH:-/usr/bin/chromium}
export PUPPETEER_SKIP_DOWNLOAD=1
run() {
    ACE_TIMEOUT_INITIAL=120000 timeout 300 "$ace" -s -f -o "$out" "$epub" </dev/null 2>&1
}
cache=${OCTAVO_VALIDATOR_CACHE:-}
if [ -z "$cache" ] || [ ! -f "$epub" ]; then
    run
    exit
fi
mkdir -p "$cache" || exit 2
key=$({
    sha256sum "$here/../a11y/package-lock.json" | cut -c1-64
    dpkg-query -W -f '${Version}\n' chromium 2>/dev/null
    echo "$PUPPETEER_EXECUTABLE_PATH"
    sha256sum <"$epub" | cut -c1-64
} | sha256sum | cut -c1-64)
entry=$cache/ace-$key.json
if [ -s "$entry" ]; then
    mkdir -p "$out" && cp "$entry" "$out/report.json"
    echo "Ace report for these bytes from $entry"
    exit 0
fi
run
rc=$?
if [ "$rc" = 0 ] && [ -s "$out/report.json" ]; then
    tmp=$(mktemp "$cache/.ace.XXXXXX") && cp "$out/report.json" "$tmp" && mv "$tmp" "$entry"
fi
exit "$rc"
