# Sourced by the hostile end-to-end scripts (tests/e2e/hostile*.sh) for what
# every case checks whatever its input: that the last build ($rc, its stderr
# in $L/CASE.err) neither crashed, hung nor tripped a sanitizer. Each script
# keeps its own run() (how it bounds and measures the build) and adds its own
# checks after `crashed`. Needs bad() and $L from the sourcing script.

# show FILE [N]: the first N (5) lines of FILE, indented, cut at 200 columns
show() { sed 's/^/  | /' "$1" | head -"${2:-5}" | cut -c1-200; }

# crashed CASE: true, with a failure counted, when the last build timed out
# on the clock (124), ran out of CPU time (152: SIGXCPU at the soft limit;
# 137: SIGKILL), died of another signal, or printed a sanitizer or libpng
# report; false when it ended by itself, whatever its exit status
crashed() {
    local c=$1
    if [ "$rc" = 124 ]; then bad "$c: timed out on the clock"; return 0; fi
    if [ "$rc" = 152 ] || [ "$rc" = 137 ]; then bad "$c: ran out of CPU time (exit $rc)"; return 0; fi
    if [ "$rc" -ge 128 ]; then bad "$c: killed by signal $((rc - 128))"; show "$L/$c.err"; return 0; fi
    if grep -Eq "AddressSanitizer|LeakSanitizer|runtime error:|UndefinedBehaviorSanitizer|libpng error" "$L/$c.err"; then
        bad "$c: sanitizer or libpng report"; show "$L/$c.err" 20; return 0
    fi
    return 1
}

# has_line FILE PREFIX REGEX: some line is PREFIX followed by text matching
# REGEX (PREFIX compared as text, so a path's own characters need no escaping)
has_line() {
    local f=$1 prefix=$2 re=$3 line
    while IFS= read -r line; do
        if [ "${line:0:${#prefix}}" = "$prefix" ] && [[ ${line:${#prefix}} =~ $re ]]; then return 0; fi
    done <"$f"
    return 1
}
