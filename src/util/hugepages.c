/* octavo — the heap on transparent huge pages.
 *
 * A build touches a few hundred megabytes of small objects (the layout's
 * items, line texts, shaping caches, libharu's objects) in no particular
 * order, and on 4 KB pages much of its time goes to TLB misses. With
 * glibc's tunable glibc.malloc.hugetlb=1 (glibc 2.35 and later) malloc asks
 * the kernel for transparent huge pages (madvise MADV_HUGEPAGE) on the
 * memory it takes; on kernels whose transparent huge pages are "madvise"
 * (Debian's default), nothing else gets them. Measured (README, Speed): the
 * 1,000-page bench book, the code book and the Node.js API docs 13-17%
 * less wall time, the 10,075-page book 9%, for 2 MB-rounded growth (+3 to
 * +7 MB of RSS).
 *
 * glibc reads its tunables once, at start-up, from the environment, so
 * octavo starts itself again, at once, with the tunable added: the same
 * executable (/proc/self/exe), arguments and process. It does not when the
 * kernel gives huge pages to every process anyway ("always") or to none
 * ("never"), when the user set the tunable (either way) or
 * OCTAVO_HUGEPAGES=0, under a preloaded allocator or tool (valgrind's
 * preload, a sanitizer's runtime: LD_PRELOAD set), or in a sanitizer build,
 * whose allocator is not glibc's. Outputs do not depend on it. */
#define _DEFAULT_SOURCE /* setenv, unsetenv */
#include "util/hugepages.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the environment alone says: 0 when it rules starting again out
 * (asked before the kernel's mode is read, so that a process started
 * again, or one opted out, reads nothing). */
static int env_allows(const char *tunables, const char *optout, const char *preload) {
    if (optout && strcmp(optout, "0") == 0) return 0;
    if (preload && *preload) return 0;
    return !(tunables && strstr(tunables, "glibc.malloc.hugetlb"));
}

int oc_hugepages_plan(const char *thp, const char *tunables, const char *optout,
                      const char *preload, char *out, size_t cap) {
    if (!env_allows(tunables, optout, preload)) return 0;
    if (!thp || !strstr(thp, "[madvise]")) return 0;
    int n = tunables && *tunables ? snprintf(out, cap, "%s:%s", tunables, OC_HUGEPAGES_TUNABLE)
                                  : snprintf(out, cap, "%s", OC_HUGEPAGES_TUNABLE);
    return n > 0 && (size_t)n < cap;
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define OC_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define OC_SANITIZED 1
#endif
#endif

void oc_hugepages_reexec(char **argv) {
#ifdef OC_SANITIZED
    (void)argv;
#else
    const char *tunables = getenv("GLIBC_TUNABLES"), *optout = getenv("OCTAVO_HUGEPAGES"),
               *preload = getenv("LD_PRELOAD");
    if (!env_allows(tunables, optout, preload)) return;
    char thp[128] = "";
    FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
    if (f) {
        size_t n = fread(thp, 1, sizeof thp - 1, f);
        thp[n] = '\0';
        fclose(f);
    }
    char value[4096];
    if (!oc_hugepages_plan(f ? thp : NULL, tunables, optout, preload, value, sizeof value)) return;
    char *before = tunables ? strdup(tunables) : NULL; /* (setenv may free it) */
    if (tunables && !before) return;
    if (setenv("GLIBC_TUNABLES", value, 1) == 0) {
        execv("/proc/self/exe", argv);
        /* not started again: go on as we are, with the environment as it
         * was (the tunable would reach nothing now) */
        if (before)
            setenv("GLIBC_TUNABLES", before, 1);
        else
            unsetenv("GLIBC_TUNABLES");
    }
    free(before);
#endif
}

int oc_hugepages_heap(void) {
    const char *t = getenv("GLIBC_TUNABLES");
    const char *at = t ? strstr(t, OC_HUGEPAGES_TUNABLE) : NULL;
    if (!at) return 0;
    at += strlen(OC_HUGEPAGES_TUNABLE);
    return *at == '\0' || *at == ':';
}

int oc_heap_tune(void) {
#if defined(M_TOP_PAD) && defined(M_MMAP_THRESHOLD) && !defined(OC_SANITIZED)
    const char *t = getenv("GLIBC_TUNABLES");
    if (t && (strstr(t, "top_pad") || strstr(t, "mmap_threshold"))) return 0; /* the user's */
    return mallopt(M_TOP_PAD, (int)OC_HEAP_TOP_PAD) == 1 &&
           mallopt(M_MMAP_THRESHOLD, (int)OC_HEAP_MMAP_THRESHOLD) == 1;
#else
    return 0;
#endif
}
