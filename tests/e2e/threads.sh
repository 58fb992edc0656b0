#!/usr/bin/env bash
# threads.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
#
# The chapters of a book are laid out on two threads (src/layout/layout.c);
# OCTAVO_THREADS=1 keeps them on one. The outputs and the messages must not
# depend on it: the guide, a generated 1,000-page bench book and the fixtures
# that warn (characters no font has) or are shaped (complex scripts) are built
# both ways and compared byte for byte with cmp (PDF, EPUB, stderr).
# Prints one line per check and a final "threads: N passed, M failed".
. "$(dirname "$0")/../lib/e2e.sh"
export SOURCE_DATE_EPOCH=1700000000

python3 -I "$SRC/tests/bench/gen_book.py" "$WORK/bench" 1000 >/dev/null || {
    echo "FAIL: generating the bench book"
    exit 1
}

compare() { # NAME BOOK
    local name=$1 book=$2 t
    for t in 1 2; do
        if ! OCTAVO_THREADS=$t "$BIN" build "$book" -o "$WORK/out-$name-$t" \
            2>"$WORK/err-$name-$t"; then
            bad "$name: build with OCTAVO_THREADS=$t failed"
            cat "$WORK/err-$name-$t"
            return
        fi
        # the output folder differs between the two runs; nothing else may
        sed "s#$WORK/out-$name-$t#OUT#g" "$WORK/err-$name-$t" >"$WORK/msg-$name-$t"
    done
    local f same=1
    for f in "$WORK/out-$name-1"/*; do
        if ! cmp "$f" "$WORK/out-$name-2/$(basename "$f")"; then
            echo "FAIL: $name: $(basename "$f") differs between one and two threads"
            same=0
        fi
    done
    if ! cmp "$WORK/msg-$name-1" "$WORK/msg-$name-2"; then
        echo "FAIL: $name: messages differ between one and two threads"
        diff "$WORK/msg-$name-1" "$WORK/msg-$name-2" | head -20
        same=0
    fi
    if [ $same = 1 ]; then
        ok "$name: PDF, EPUB and messages identical with one and two threads"
    else
        bad "$name: outputs or messages depend on the number of threads"
    fi
}

# chapters that warn: Phoenician (no bundled font has it) in chapters 2
# and 4 (one message per chapter and script), emoji (drawn from the fonts)
# in 1, 3 and 4, Devanagari (shaped) in 2 and 4
mkdir -p "$WORK/warn/chapters"
{
    echo "title: Warnings"
    echo "chapters:"
    for c in 1 2 3 4; do echo "  - chapters/$c.md"; done
} >"$WORK/warn/book.yaml"
printf '# One\n\nA smile \360\237\230\200 here.\n' >"$WORK/warn/chapters/1.md"
printf '# Two\n\nPhoenician \360\220\244\200 and \340\244\250\340\244\256\340\244\270\340\245\215\340\244\244\340\245\207 \360\220\244\201.\n' >"$WORK/warn/chapters/2.md"
printf '# Three\n\nAgain \360\237\230\200 and \360\237\230\201.\n' >"$WORK/warn/chapters/3.md"
printf '# Four\n\n\340\244\250\340\244\256\340\244\270\340\245\215\340\244\244\340\245\207 \360\237\230\201 \360\220\244\201\n' >"$WORK/warn/chapters/4.md"

compare guide "$SRC/book"
compare warnings "$WORK/warn"
n=$(grep -c "script Phnx" "$WORK/msg-warnings-2" || true)
e=$(grep -c "U+1F60\|Devanagari" "$WORK/msg-warnings-2" || true)
if [ "$n" = 2 ] && [ "$e" = 0 ]; then
    ok "warnings: a script no font has is reported once in each of its two chapters; emoji and Devanagari are drawn"
else
    bad "warnings: Phoenician reported $n times (want 2), emoji or Devanagari $e times (want 0)"
    cat "$WORK/msg-warnings-2"
fi
compare bench "$WORK/bench"
for fx in nonlatin complex-scripts; do
    [ -f "$SRC/tests/fixtures/$fx.md" ] && compare "$fx" "$SRC/tests/fixtures/$fx.md"
done
[ -d "$SRC/tests/fixtures/multi" ] && compare multi "$SRC/tests/fixtures/multi"

# The EPUB's thread and the highlighter's run at a lower priority than the
# main thread (src/util/thread.c), which lays out and draws the pages: read
# from /proc while a code-heavy book builds, each thread's nice value (the
# 19th field of its stat) by its name.
python3 -I "$SRC/tests/bench/gen_book.py" "$WORK/code" --code-blocks 600 >/dev/null || {
    echo "FAIL: generating the code book"
    exit 1
}
declare -A nice=()
# (a short-lived thread can be missed between two looks: up to three builds)
for attempt in 1 2 3; do
    "$BIN" build "$WORK/code" -o "$WORK/out-code" -q &
    pid=$!
    for _ in $(seq 1 20000); do
        [ -d "/proc/$pid/task" ] || break
        for t in /proc/$pid/task/*; do
            read -r st 2>/dev/null <"$t/stat" || continue
            name=${st#*(}
            name=${name%%)*}
            rest=${st##*) }
            # (fields from the 3rd on: the nice value is the 17th of them)
            read -r -a f <<<"$rest"
            [ -n "${f[16]:-}" ] && nice[$name]=${f[16]}
        done
    done
    wait "$pid" || bad "the code book's build failed"
    [ -n "${nice[oc-epub]:-}" ] && [ -n "${nice[oc-highlight]:-}" ] &&
        [ -n "${nice[oc-deflate]:-}" ] && [ -n "${nice[oc-layout]:-}" ] && break
done
got="main ${nice[exe]:-${nice[octavo]:-?}}, oc-epub ${nice[oc-epub]:-?}, oc-highlight ${nice[oc-highlight]:-?}, oc-deflate ${nice[oc-deflate]:-?}, oc-layout ${nice[oc-layout]:-?}"
if [ "${nice[oc-epub]:-}" = 10 ] && [ "${nice[oc-highlight]:-}" = 10 ] &&
    [ "${nice[oc-deflate]:-}" = 0 ] && [ "${nice[oc-layout]:-}" = 0 ] &&
    [ "${nice[exe]:-${nice[octavo]:-}}" = 0 ]; then
    ok "background threads at nice 10, the others at 0 ($got)"
else
    bad "thread priorities: $got (want oc-epub and oc-highlight 10, the rest 0)"
fi

finish threads
