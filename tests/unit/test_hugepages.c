/* When octavo starts itself again with glibc's huge-page tunable
 * (src/util/hugepages.c), and with what GLIBC_TUNABLES. */
#include "harness.h"
#include "util/hugepages.h"

#include <string.h>

static const char madvise_[] = "always [madvise] never\n";

static void test_plan(void) {
    char out[256];
    /* the kernel gives huge pages to those who ask: ask */
    CHECK(oc_hugepages_plan(madvise_, NULL, NULL, NULL, out, sizeof out) == 1);
    CHECK(strcmp(out, OC_HUGEPAGES_TUNABLE) == 0);
    /* the user's own tunables are kept, ours added */
    CHECK(oc_hugepages_plan(madvise_, "glibc.malloc.arena_max=2", NULL, "", out, sizeof out) == 1);
    CHECK(strcmp(out, "glibc.malloc.arena_max=2:" OC_HUGEPAGES_TUNABLE) == 0);
    /* already set (by us, which ends the loop, or by the user, either way) */
    CHECK(oc_hugepages_plan(madvise_, OC_HUGEPAGES_TUNABLE, NULL, NULL, out, sizeof out) == 0);
    CHECK(oc_hugepages_plan(madvise_, "glibc.malloc.hugetlb=0", NULL, NULL, out, sizeof out) == 0);
    /* every process has them, or none can, or we cannot tell */
    CHECK(oc_hugepages_plan("[always] madvise never\n", NULL, NULL, NULL, out, sizeof out) == 0);
    CHECK(oc_hugepages_plan("always madvise [never]\n", NULL, NULL, NULL, out, sizeof out) == 0);
    CHECK(oc_hugepages_plan(NULL, NULL, NULL, NULL, out, sizeof out) == 0);
    /* turned off, or a preloaded allocator or tool (valgrind) */
    CHECK(oc_hugepages_plan(madvise_, NULL, "0", NULL, out, sizeof out) == 0);
    CHECK(oc_hugepages_plan(madvise_, NULL, "1", NULL, out, sizeof out) == 1);
    CHECK(oc_hugepages_plan(madvise_, NULL, NULL, "/usr/libexec/valgrind/vgpreload_core.so", out,
                            sizeof out) == 0);
    /* a value that does not fit is not cut short */
    CHECK(oc_hugepages_plan(madvise_, "glibc.malloc.arena_max=2", NULL, NULL, out, 20) == 0);
}

int main(void) {
    RUN(test_plan);
    return harness_finish("test_hugepages");
}
