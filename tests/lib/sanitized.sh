# sanitized_build BIN: true when BIN was built with AddressSanitizer or
# UndefinedBehaviorSanitizer. gcc links their runtimes as shared libraries
# (ldd shows libasan/libubsan); clang links them into the program, which
# then carries the runtimes' __asan_/__ubsan_ symbols. The hostile scripts
# give such a build more CPU time and no address-space limit (ASan reserves
# terabytes of shadow memory).
sanitized_build() {
    ldd "$1" 2>/dev/null | grep -Eq "lib(a|ub)san" || grep -Eaq "__(asan|ubsan)_" "$1" 2>/dev/null
}
