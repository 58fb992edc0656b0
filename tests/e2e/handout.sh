#!/usr/bin/env bash
# --chapters: a handout of part of the guide, for both formats, on screen
# and in print (tests/lib/check_handout.py says what each run checks), and
# the errors for lists that name no chapter.
. "$(dirname "$0")/../lib/e2e.sh"
JAR=$(epubcheck_jar)

"$BIN" build "$SRC/book" -o "$WORK/full" --format epub -q || bad "full guide did not build"
full=$(ls "$WORK"/full/*.epub)

run() { # name, profile, list, chapter numbers...
    local name=$1 profile=$2 list=$3
    shift 3
    local out="$WORK/$name"
    if ! "$BIN" build "$SRC/book" -o "$out" --chapters "$list" --profile "$profile" -q 2>"$out.err"; then
        bad "$name: build failed: $(head -3 "$out.err")"
        return
    fi
    ok "$name: builds"
    local res
    if res=$(python3 -I "$SRC/tests/lib/check_handout.py" "$SRC/book" "$full" "$out"/*.pdf \
        "$out"/*.epub "$profile" "$@"); then
        ok "$name: $(echo "$res" | tail -1)"
    else
        bad "$name: $res"
    fi
    if [ -n "$JAR" ]; then
        local ec
        ec=$("$SRC/tests/lib/run_epubcheck.sh" "$out"/*.epub 2>&1 | grep -E "^Messages:")
        case "$ec" in *"0 fatals / 0 errors / 0 warnings"*) ok "$name: epubcheck $ec" ;;
            *) bad "$name: epubcheck $ec" ;; esac
    fi
    if qpdf --check "$out"/*.pdf >/dev/null 2>&1; then ok "$name: qpdf clean"; else bad "$name: qpdf"; fi
}

run one-print print 4 4
run one-screen screen 4 4
run mixed print "2-3, 06-day-in-the-life.md" 2 3 6
run names screen "chapters/09-glossary.md,01-quick-answer" 1 9

# errors: exit 1, the message names --chapters, nothing written
for list in 99 0 "3-1" "no-such-chapter" ","; do
    rm -rf "$WORK/err"
    "$BIN" build "$SRC/book" -o "$WORK/err" --chapters "$list" 2>"$WORK/err.txt"
    rc=$?
    if [ $rc = 1 ] && grep -q -- "error: --chapters" "$WORK/err.txt" && [ ! -e "$WORK/err" ]; then
        ok "--chapters '$list': exit 1, $(grep -m1 -o 'error: .*' "$WORK/err.txt" | cut -c1-70)"
    else
        bad "--chapters '$list': exit $rc, $(head -2 "$WORK/err.txt")"
    fi
done
finish handout
