/* octavo — the heap on transparent huge pages (see hugepages.c). */
#ifndef OCTAVO_UTIL_HUGEPAGES_H
#define OCTAVO_UTIL_HUGEPAGES_H

#include <stddef.h>

/* The glibc tunable that puts malloc's memory on huge pages. */
#define OC_HUGEPAGES_TUNABLE "glibc.malloc.hugetlb=1"

/* Whether the process should start again with the tunable, and if so the
 * GLIBC_TUNABLES value to start with, in out (cap bytes): 1 to start again,
 * 0 not. `thp` is the text of /sys/kernel/mm/transparent_hugepage/enabled
 * (NULL when unreadable); `tunables`, `optout` (OCTAVO_HUGEPAGES) and
 * `preload` (LD_PRELOAD) the environment's values or NULL. Pure: for tests. */
int oc_hugepages_plan(const char *thp, const char *tunables, const char *optout,
                      const char *preload, char *out, size_t cap);

/* Starts the program again (same arguments, same executable) with the
 * tunable when oc_hugepages_plan says so; returns when it does not, or
 * when starting again fails, and the program goes on as it was. */
void oc_hugepages_reexec(char **argv);

/* Whether this process's malloc puts its memory on transparent huge pages:
 * its GLIBC_TUNABLES set glibc.malloc.hugetlb to 1 (as starting again does).
 * Other memory the program maps for itself follows (mem.c's regions), so
 * that OCTAVO_HUGEPAGES=0 or the user's own glibc.malloc.hugetlb=0 leaves
 * the whole build on 4 KB pages. */
int oc_hugepages_heap(void);

/* The heap grows, and gives memory back, in steps of 16 MB, and blocks
 * under 8 MB come from it rather than from mmaps of their own: memory a
 * build frees is used again instead of being given back to the kernel and
 * faulted in anew (on the VMs measured a page fault costs several
 * microseconds, and the default 128 KB steps made 11,000 of them for the
 * Node.js API docs, 2,400 now). Not when GLIBC_TUNABLES sets either, nor
 * under a sanitizer's allocator; 1 when set. */
#define OC_HEAP_TOP_PAD ((size_t)16 << 20)
#define OC_HEAP_MMAP_THRESHOLD ((size_t)8 << 20)
int oc_heap_tune(void);

#endif
