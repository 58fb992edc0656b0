#!/usr/bin/env bash
# Runs Debian's epubcheck jar on the given EPUB (the package's own wrapper
# needs binfmt support these machines lack). epubcheck is a short-lived JVM:
# the C1 compiler alone and the serial collector more than halve its CPU
# time here (the guide: 12 s of CPU -> 5-6 s, same report), and the suites
# run it dozens of times.
#
# With OCTAVO_VALIDATOR_CACHE set to a folder (.ci/test sets it for both
# suites), the report on one EPUB is kept there under the SHA-256 of the
# jar, the arguments and the EPUB's bytes, and given back for the same
# bytes: epubcheck's verdict depends on nothing else. The sanitizer build
# writes the same bytes as the release build (outputs are reproducible), so
# the second suite reads the first one's reports; any byte that differs
# makes it check again. The EPUB's path in the report is stored as a
# placeholder and put back as the caller's.
jar=$(dpkg -L epubcheck 2>/dev/null | grep 'epubcheck.jar$' | head -1)
if [ -z "$jar" ] || ! command -v java >/dev/null; then
    echo "epubcheck (java -jar epubcheck.jar) is required: apt-get install -y epubcheck" >&2
    exit 2
fi
shopt -u patsub_replacement 2>/dev/null # "&" in a path is not the match
run() { java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$jar" "$@"; }

epub=${*: -1}
cache=${OCTAVO_VALIDATOR_CACHE:-}
if [ -z "$cache" ] || [ ! -f "$epub" ]; then
    run "$@"
    exit
fi
mkdir -p "$cache" || exit 2
key=$({
    sha256sum "$jar" | cut -c1-64
    printf '%s\n' "${@:1:$#-1}"
    sha256sum <"$epub" | cut -c1-64
} | sha256sum | cut -c1-64)
entry=$cache/epubcheck-$key
if [ -f "$entry.rc" ] && [ -f "$entry.out" ]; then
    out=$(cat "$entry.out")
    printf '%s\n' "${out//@EPUB@/$epub}"
    exit "$(cat "$entry.rc")"
fi
out=$(run "$@" 2>&1)
rc=$?
printf '%s\n' "$out"
# only a finished check is kept (a JVM killed by a timeout is not a verdict)
if [[ $out == *"Messages:"* ]]; then
    tmp=$(mktemp "$cache/.epubcheck.XXXXXX") || exit "$rc"
    printf '%s\n' "${out//"$epub"/@EPUB@}" >"$tmp.out" && echo "$rc" >"$tmp" &&
        mv "$tmp.out" "$entry.out" && mv "$tmp" "$entry.rc"
    rm -f "$tmp" "$tmp.out"
fi
exit "$rc"
