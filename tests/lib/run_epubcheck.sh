#!/usr/bin/env bash
# Runs Debian's epubcheck jar on the given EPUB (the package's own wrapper
# needs binfmt support these machines lack). epubcheck is a short-lived JVM:
# the C1 compiler alone and the serial collector more than halve its CPU
# time here (the guide: 12 s of CPU -> 5-6 s, same report), and the suites
# run it dozens of times.
jar=$(dpkg -L epubcheck 2>/dev/null | grep 'epubcheck.jar$' | head -1)
if [ -z "$jar" ] || ! command -v java >/dev/null; then
    echo "epubcheck (java -jar epubcheck.jar) is required: apt-get install -y epubcheck" >&2
    exit 2
fi
exec java -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -jar "$jar" "$@"
