#!/usr/bin/env bash
# hugepages.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
#
# octavo starts itself again with glibc's tunable glibc.malloc.hugetlb=1
# when the kernel's transparent huge pages are "madvise" (src/util/
# hugepages.c). Checked here:
#   - the outputs are byte-identical with and without it (OCTAVO_HUGEPAGES=0);
#   - on a "madvise" kernel, a running build carries the tunable in its
#     environment (/proc/PID/environ) and has memory on huge pages
#     (/proc/PID/smaps_rollup), also beside a tunable of the user's; with
#     OCTAVO_HUGEPAGES=0, or the user's own glibc.malloc.hugetlb, it does
#     not start again and has none; a sanitizer build never starts again.
# Prints one line per check and a final "hugepages: N passed, M failed".
. "$(dirname "$0")/../lib/e2e.sh"
. "$(dirname "$0")/../lib/sanitized.sh"
export SOURCE_DATE_EPOCH=1700000000

python3 -I "$SRC/tests/bench/gen_book.py" "$WORK/bench" 1000 >/dev/null || {
    echo "FAIL: generating the bench book"
    exit 1
}

# the outputs do not depend on where malloc's memory comes from
if OCTAVO_HUGEPAGES=0 "$BIN" build "$WORK/bench" -o "$WORK/off" -q &&
    "$BIN" build "$WORK/bench" -o "$WORK/on" -q &&
    cmp "$WORK/off/bench-1000.pdf" "$WORK/on/bench-1000.pdf" &&
    cmp "$WORK/off/bench-1000.epub" "$WORK/on/bench-1000.epub"; then
    ok "PDF and EPUB byte-identical with and without huge pages"
else
    bad "the outputs differ with and without huge pages (or a build failed)"
fi

# What a build runs with, read from /proc while it runs: "TUNABLES HUGE",
# its GLIBC_TUNABLES as the kernel shows them ("none": not set; glibc cuts
# the string at the first ":" as it reads it, so only the first tunable
# shows) and the most memory seen on huge pages (AnonHugePages, kB).
probe() { # ENV-ASSIGNMENTS...
    env "$@" "$BIN" build "$WORK/bench" -o "$WORK/probe" -q &
    local pid=$! seen=gone huge=0 v h
    for _ in $(seq 1 20000); do
        # (a read fails while the process starts again, and once it ended)
        if ! v=$(tr '\0' '\n' 2>/dev/null <"/proc/$pid/environ"); then
            kill -0 "$pid" 2>/dev/null && continue
            break
        fi
        # the program's own, once it runs (not the shell's fork)
        [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$(readlink -f "$BIN")" ] || continue
        seen=$(grep '^GLIBC_TUNABLES=' <<<"$v" | cut -d= -f2-)
        [ -n "$seen" ] || seen=none
        h=$(awk '/^AnonHugePages:/ {print $2}' "/proc/$pid/smaps_rollup" 2>/dev/null)
        [ -n "$h" ] && [ "$h" -gt "$huge" ] && huge=$h
    done
    wait "$pid"
    echo "$seen $huge"
}

thp=$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
if sanitized_build "$BIN"; then
    read -r got huge < <(probe OCTAVO_HUGEPAGES=1)
    if [ "$got" = none ] || [ "$got" = gone ]; then
        ok "a sanitizer build does not start again ($got)"
    else
        bad "a sanitizer build started again with GLIBC_TUNABLES=$got"
    fi
elif [[ $thp == *"[madvise]"* ]]; then
    read -r got huge < <(probe X=1)
    if [ "$got" = glibc.malloc.hugetlb=1 ] && [ "$huge" -gt 0 ]; then
        ok "a build runs with GLIBC_TUNABLES=$got, $huge kB on huge pages"
    else bad "a build runs with GLIBC_TUNABLES '$got', $huge kB on huge pages"; fi
    read -r got huge < <(probe GLIBC_TUNABLES=glibc.malloc.arena_max=4)
    if [ "$got" = glibc.malloc.arena_max=4 ] && [ "$huge" -gt 0 ]; then
        ok "with a tunable of the user's: kept, and $huge kB on huge pages"
    else bad "with a tunable of the user's, the build ran with '$got', $huge kB on huge pages"; fi
    read -r got huge < <(probe OCTAVO_HUGEPAGES=0)
    if [ "$got" = none ] && [ "$huge" = 0 ]; then ok "OCTAVO_HUGEPAGES=0: not started again, no huge page"
    else bad "OCTAVO_HUGEPAGES=0: the build ran with '$got', $huge kB on huge pages"; fi
    read -r got huge < <(probe GLIBC_TUNABLES=glibc.malloc.hugetlb=0)
    if [ "$got" = glibc.malloc.hugetlb=0 ] && [ "$huge" = 0 ]; then
        ok "the user's own glibc.malloc.hugetlb=0 wins"
    else bad "with glibc.malloc.hugetlb=0 set, the build ran with '$got', $huge kB on huge pages"; fi
else
    read -r got huge < <(probe X=1)
    if [ "$got" = none ] || [ "$got" = gone ]; then
        ok "transparent huge pages '${thp:-unreadable}': not started again ($got)"
    else
        bad "transparent huge pages '${thp:-unreadable}': the build ran with '$got'"
    fi
fi

finish hugepages
