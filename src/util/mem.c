/* Allocation that never returns NULL, and the build arena. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "octavo/util.h"
#include "util/hugepages.h"

#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

static void oom(size_t n) {
    fprintf(stderr, "octavo: error: out of memory (asked for %zu bytes)\n", n);
    abort();
}

void *oc_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) oom(n);
    return p;
}

void *oc_xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p) oom(n * size);
    return p;
}

void *oc_xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (!q) oom(n);
    return q;
}

char *oc_xstrdup(const char *s) {
    size_t n = strlen(s);
    char *p = oc_xmalloc(n + 1);
    memcpy(p, s, n + 1);
    return p;
}

/* ---- arena: a list of chunks, bump allocation, freed at once ------------ */

struct oc_arena_chunk {
    oc_arena_chunk *next;
    size_t used, cap;
    size_t mapped;            /* the mapping's length (0: from malloc or a region) */
    struct oc_region *region; /* the region it was carved from, or NULL */
    _Alignas(16) unsigned char data[];
};

#define OC_ARENA_CHUNK (64 * 1024)

void oc_arena_init(oc_arena *a) {
    a->head = NULL;
    a->total = 0;
    a->next = 0;
    a->mapped = 0;
}

void oc_arena_init_small(oc_arena *a) {
    oc_arena_init(a);
    a->next = 1024;
}

void oc_arena_map(oc_arena *a) {
    a->mapped = 1;
    /* whole chunks from the start: a region's untouched pages cost no
     * memory */
    a->next = 0;
}

/* ---- a mapped arena's chunks: carved from shared regions ----------------
 * The chunks of every mapped arena are cut, in turn, from regions of 2 MB,
 * each on a huge page where the kernel gives one and malloc's memory is on
 * them too (one page fault instead of 512: see hugepages.c), and a region
 * goes back to the system when the last of its chunks is freed. A chunk of
 * its own mapping cost a page fault per 4 KB touched and a munmap; and a
 * munmap while another thread of the build runs on another core waits for
 * that core to drop the mapping from its TLB, which on the VMs measured
 * took the code bench book 10 ms of its 160 (60 chapters' text freed as
 * their pages were drawn, beside the EPUB's thread). Chapters are freed in
 * about the order they were laid out, so regions empty in turn and the
 * memory still goes back as pages are drawn. A chunk too big for a quarter
 * region keeps a mapping of its own. (The region being cut is kept when it
 * empties, and cut again from its start, so it never empties while another
 * region is needed: a chunk is at most a quarter of it.) */
#define OC_REGION ((size_t)2 << 20)

typedef struct oc_region {
    void *map;   /* the mapping (twice OC_REGION, so that an aligned region fits) */
    size_t live; /* chunks not yet freed */
} oc_region;

/* Where a region's first chunk begins, past its header. */
static unsigned char *region_start(oc_region *r) {
    return (unsigned char *)r + ((sizeof *r + 63) & ~(size_t)63);
}

static struct {
    pthread_mutex_t mu;
    oc_region *cur;          /* the region chunks are cut from */
    unsigned char *at, *end; /* its free space */
} regions = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, NULL};

/* A new region (regions.mu held), or NULL when it cannot be mapped. */
static oc_region *region_new(void) {
    void *m = mmap(NULL, 2 * OC_REGION, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    unsigned char *base =
        (unsigned char *)(((uintptr_t)m + OC_REGION - 1) & ~(uintptr_t)(OC_REGION - 1));
#ifdef MADV_HUGEPAGE
    static int huge = -1; /* (regions.mu held) */
    if (huge < 0) huge = oc_hugepages_heap();
    if (huge) madvise(base, OC_REGION, MADV_HUGEPAGE); /* (a hint: 4 KB pages otherwise) */
#endif
    oc_region *r = (oc_region *)base;
    r->map = m;
    r->live = 0;
    regions.cur = r;
    regions.at = region_start(r);
    regions.end = base + OC_REGION;
    return r;
}

/* `len` bytes (a multiple of 4 KB) from the current region or a new one,
 * whose region goes to *from; NULL when neither can give them. */
static void *region_chunk(size_t len, oc_region **from) {
    pthread_mutex_lock(&regions.mu);
    void *c = NULL;
    if ((regions.cur && (size_t)(regions.end - regions.at) >= len) || region_new()) {
        c = regions.at;
        regions.at += len;
        *from = regions.cur;
        regions.cur->live++;
    }
    pthread_mutex_unlock(&regions.mu);
    return c;
}

static void region_release(oc_region *r) {
    pthread_mutex_lock(&regions.mu);
    void *unmap = NULL;
    if (--r->live == 0) {
        if (r == regions.cur) /* still being cut: start again at its beginning */
            regions.at = region_start(r);
        else
            unmap = r->map;
    }
    pthread_mutex_unlock(&regions.mu);
    if (unmap) munmap(unmap, 2 * OC_REGION);
}

static void chunk_free(oc_arena_chunk *c) {
    if (c->region)
        region_release(c->region);
    else if (c->mapped)
        munmap(c, c->mapped);
    else
        free(c);
}

/* A chunk of at least `cap` bytes of data. */
static oc_arena_chunk *chunk_new(const oc_arena *a, size_t cap) {
    oc_arena_chunk *n = NULL;
    size_t mapped = 0;
    oc_region *region = NULL;
    if (a->mapped) {
        size_t page = 4096, len = (sizeof *n + cap + page - 1) & ~(page - 1);
        if (len > cap && len <= OC_REGION / 4) n = region_chunk(len, &region);
        if (!n && len > cap) {
            void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (m != MAP_FAILED) {
                n = m;
                mapped = len;
            }
        }
        if (n) cap = len - sizeof *n; /* the whole of the last page */
    }
    if (!n) n = oc_xmalloc(sizeof *n + cap);
    n->used = 0;
    n->cap = cap;
    n->mapped = mapped;
    n->region = region;
    return n;
}

void oc_arena_free(oc_arena *a) {
    oc_arena_chunk *c = a->head;
    while (c) {
        oc_arena_chunk *next = c->next;
        chunk_free(c);
        c = next;
    }
    a->head = NULL;
    a->total = 0;
}

void oc_arena_adopt(oc_arena *into, oc_arena *from) {
    if (!from->head || into == from) return;
    oc_arena_chunk *tail = from->head;
    while (tail->next)
        tail = tail->next;
    if (into->head) { /* behind the chunk `into` allocates from */
        tail->next = into->head->next;
        into->head->next = from->head;
    } else {
        into->head = from->head;
    }
    into->total += from->total;
    from->head = NULL;
    from->total = 0;
}

void *oc_arena_alloc(oc_arena *a, size_t size) {
    size = (size + 15) & ~(size_t)15;
    oc_arena_chunk *c = a->head;
    if (!c || c->cap - c->used < size) {
        size_t chunk = a->next && a->next < OC_ARENA_CHUNK ? a->next : OC_ARENA_CHUNK;
        if (chunk < OC_ARENA_CHUNK) a->next = chunk * 2;
        size_t cap = size > chunk / 4 ? size : chunk;
        oc_arena_chunk *n = chunk_new(a, cap);
        if (c && size > chunk / 4) {
            /* A big block gets its own chunk behind the current one, so the
             * current chunk's free space is not wasted. */
            n->next = c->next;
            c->next = n;
        } else {
            n->next = c;
            a->head = n;
        }
        c = n;
    }
    void *p = c->data + c->used;
    c->used += size;
    a->total += size;
    memset(p, 0, size);
    return p;
}

char *oc_arena_strndup(oc_arena *a, const char *s, size_t n) {
    char *p = oc_arena_alloc(a, n + 1);
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *oc_arena_strdup(oc_arena *a, const char *s) {
    return oc_arena_strndup(a, s, strlen(s));
}

char *oc_arena_printf(oc_arena *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) n = 0;
    char *p = oc_arena_alloc(a, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

int oc_word_listed(const char *list, const char *w, size_t wl, int icase) {
    if (wl == 0) return 0;
    for (const char *p = list; *p;) {
        size_t m = strcspn(p, " ");
        if (m == wl && (icase ? strncasecmp(p, w, wl) : strncmp(p, w, wl)) == 0) return 1;
        p += m;
        while (*p == ' ')
            p++;
    }
    return 0;
}

uint64_t oc_fnv1a(const void *data, size_t len, uint64_t h) {
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

uint64_t oc_fnv1a_str(const char *s, uint64_t h) {
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

char *oc_arena_uuid(oc_arena *a, const char *x, const char *y) {
    uint64_t h1 = oc_fnv1a_str(y, oc_fnv1a_str(x, OC_FNV_OFFSET));
    uint64_t h2 = oc_fnv1a_str(x, oc_fnv1a_str(y, 0x84222325cbf29ce4ULL));
    return oc_arena_printf(a, "urn:uuid:%08x-%04x-5%03x-%04x-%012llx", (unsigned)(h1 >> 32),
                           (unsigned)(h1 >> 16) & 0xFFFF, (unsigned)h1 & 0xFFF,
                           (unsigned)((h2 >> 48) & 0x3FFF) | 0x8000,
                           (unsigned long long)(h2 & 0xFFFFFFFFFFFFULL));
}

char *oc_arena_percent_decode(oc_arena *a, const char *s, size_t n) {
    char *out = oc_arena_alloc(a, n + 1);
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n && isxdigit((unsigned char)s[i + 1]) &&
            isxdigit((unsigned char)s[i + 2])) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            out[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}
