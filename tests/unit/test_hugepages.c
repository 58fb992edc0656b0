/* When octavo starts itself again with glibc's huge-page tunable
 * (src/util/hugepages.c), and with what GLIBC_TUNABLES. */
#include "harness.h"
#include "util/hugepages.h"

#include <malloc.h>
#include <stdlib.h>
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

/* oc_heap_tune: left alone when the user's GLIBC_TUNABLES set the heap's
 * growth (a 1 MB block is then mmapped, glibc's default); otherwise a 1 MB
 * block comes from the heap, which grows by 16 MB at once. */
static void test_heap_tune(void) {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
    CHECK(oc_heap_tune() == 0); /* a sanitizer's allocator is not glibc's */
#else
    setenv("GLIBC_TUNABLES", "glibc.malloc.top_pad=131072", 1);
    CHECK(oc_heap_tune() == 0);
    struct mallinfo2 before = mallinfo2();
    void *p = malloc(1 << 20);
    struct mallinfo2 during = mallinfo2();
    CHECK(p && during.hblks == before.hblks + 1);
    free(p);
    unsetenv("GLIBC_TUNABLES");
    CHECK(oc_heap_tune() == 1);
    before = mallinfo2();
    p = malloc(1 << 20);
    during = mallinfo2();
    CHECK(p && during.hblks == before.hblks);
    CHECK(during.arena >= OC_HEAP_TOP_PAD);
    free(p);
#endif
}

/* oc_hugepages_heap: malloc's memory is on huge pages only when the
 * tunable is 1 (mem.c's regions then ask for them too) */
static void test_heap_on_hugepages(void) {
    const char *before = getenv("GLIBC_TUNABLES");
    char *kept = before ? strdup(before) : NULL;
    unsetenv("GLIBC_TUNABLES");
    CHECK(oc_hugepages_heap() == 0);
    setenv("GLIBC_TUNABLES", OC_HUGEPAGES_TUNABLE, 1);
    CHECK(oc_hugepages_heap() == 1);
    setenv("GLIBC_TUNABLES", "glibc.malloc.arena_max=2:" OC_HUGEPAGES_TUNABLE, 1);
    CHECK(oc_hugepages_heap() == 1);
    setenv("GLIBC_TUNABLES", OC_HUGEPAGES_TUNABLE ":glibc.malloc.arena_max=2", 1);
    CHECK(oc_hugepages_heap() == 1);
    setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=0", 1);
    CHECK(oc_hugepages_heap() == 0);
    setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=2", 1); /* hugetlbfs, not ours to follow */
    CHECK(oc_hugepages_heap() == 0);
    setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=10", 1);
    CHECK(oc_hugepages_heap() == 0);
    if (kept)
        setenv("GLIBC_TUNABLES", kept, 1);
    else
        unsetenv("GLIBC_TUNABLES");
    free(kept);
}

int main(void) {
    RUN(test_plan);
    RUN(test_heap_on_hugepages);
    RUN(test_heap_tune);
    return harness_finish("test_hugepages");
}
