/* Unit tests for the small utilities: the code point set, the diagnostics
 * sink, the byte buffer's printf and decimal numbers. */
#define _DEFAULT_SOURCE /* mincore */
#include "harness.h"
#include "octavo/diag.h"
#include "octavo/util.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <stdint.h>
#include <string.h>

/* Against a bitmap over all of Unicode: random adds (clustered and spread,
 * so probes collide and the table grows several times), every answer and
 * the final membership of every code point agree. */
static void test_cpset_matches_bitmap(void) {
    unsigned char *ref = calloc(0x110000 / 8, 1);
    oc_cpset s = {0};
    CHECK(!oc_cpset_has(&s, 0)); /* empty, nothing allocated */
    CHECK(s.cap == 0);
    unsigned seed = 7;
    int mismatches = 0;
    size_t added = 0;
    for (int i = 0; i < 20000; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t cp = (i & 1) ? (seed >> 8) % 0x110000 : 0xE000 + (seed >> 16) % 3000;
        int isnew = !(ref[cp >> 3] & (1u << (cp & 7)));
        ref[cp >> 3] |= (unsigned char)(1u << (cp & 7));
        added += (size_t)isnew;
        if (oc_cpset_add(&s, cp) != isnew) mismatches++;
    }
    CHECK(mismatches == 0);
    CHECK(s.n == added);
    CHECK(s.cap >= 2 * s.n);
    int wrong = 0;
    for (uint32_t cp = 0; cp < 0x110000; cp++)
        if (oc_cpset_has(&s, cp) != !!(ref[cp >> 3] & (1u << (cp & 7)))) wrong++;
    CHECK(wrong == 0);
    /* the extremes: U+0000 is not confused with a free slot, U+10FFFF fits */
    oc_cpset e = {0};
    CHECK(oc_cpset_add(&e, 0) == 1);
    CHECK(oc_cpset_add(&e, 0) == 0);
    CHECK(oc_cpset_add(&e, 0x10FFFF) == 1);
    CHECK(oc_cpset_has(&e, 0) && oc_cpset_has(&e, 0x10FFFF) && !oc_cpset_has(&e, 1));
    oc_cpset_free(&e);
    oc_cpset_free(&s);
    CHECK(s.slots == NULL && s.n == 0 && !oc_cpset_has(&s, 5));
    free(ref);
}

/* Control characters and bytes that are not UTF-8 never reach the terminal
 * raw, in the message or in the path; text and tabs pass. */
static void test_diag_escapes(void) {
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    oc_diag d;
    oc_diag_init(&d, mem);
    oc_diag_report(&d, OC_ERROR, "bk/\x1b[2J\xff.yaml", 3, 5, "chapter '%s': no such file",
                   "a\x1b]0;t\x07\xc2\x9b\x7f\xc3\xa9\tz\nnext");
    fclose(mem);
    CHECK_STR_EQ(buf, "bk/\\x1b[2J\\xff.yaml:3:5: error: chapter "
                      "'a\\x1b]0;t\\x07\\xc2\\x9b\\x7f\xc3\xa9\tz next': no such file\n");
    CHECK(oc_diag_contains(&d, "'a\\x1b]0;t"));
    oc_diag_free(&d);
    free(buf);
}

/* oc_buf_printf formats into the room the buffer has, or grows it and
 * formats again: the text and its NUL are right either way, a write that
 * would pass the ceiling is refused whole (the buffer keeps its text and
 * is marked), and oc_buf_putu writes every digit. */
static void test_buf_printf(void) {
    oc_buf b;
    oc_buf_init(&b);
    oc_buf_printf(&b, "%s-%d", "ab", 12); /* no room yet: grows */
    CHECK_STR_EQ(b.data, "ab-12");
    CHECK(b.len == 5);
    oc_buf_printf(&b, "/MCID %d", 7); /* fits in the room */
    CHECK_STR_EQ(b.data, "ab-12/MCID 7");
    char big[600];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    oc_buf_printf(&b, "<%s>", big); /* more than the room: grows, formats again */
    CHECK(b.len == 12 + 601);
    CHECK(b.data[b.len] == '\0' && b.data[12] == '<' && b.data[b.len - 1] == '>');
    oc_buf_putu(&b, 0);
    oc_buf_putu(&b, 18446744073709551615UL);
    CHECK(strcmp(b.data + 12 + 601, "018446744073709551615") == 0);
    oc_buf_free(&b);

    oc_buf l;
    oc_buf_init(&l);
    l.limit = 20;
    oc_buf_puts(&l, "0123456789");             /* cap 256, so the next fits the room */
    oc_buf_printf(&l, "%s", "abcdefghijklmn"); /* 24 > 20: refused */
    CHECK(l.overflow);
    CHECK(l.len == 10);
    CHECK_STR_EQ(l.data, "0123456789");
    oc_buf_printf(&l, "%d", 1); /* marked: dropped */
    CHECK_STR_EQ(l.data, "0123456789");
    oc_buf_free(&l);
}

static void test_arenas(void) {
    /* a small arena (chunks from 1 KB, doubling), a mapped one (chunks
     * from mmap) and the usual one give the same: zeroed, 16-byte aligned
     * blocks that keep their bytes, big blocks among small ones, and the
     * bytes handed out counted */
    for (int kind = 0; kind < 3; kind++) {
        oc_arena a;
        if (kind == 1)
            oc_arena_init_small(&a);
        else
            oc_arena_init(&a);
        if (kind == 2) oc_arena_map(&a);
        char *s[600];
        size_t want = 0;
        int ok = 1;
        for (int i = 0; i < 600; i++) {
            size_t n =
                i % 50 == 0 ? 20000 : (size_t)(i % 37) + 1; /* some above any chunk's quarter */
            char *p = oc_arena_alloc(&a, n);
            ok &= ((uintptr_t)p & 15) == 0 && p[0] == 0 && p[n - 1] == 0;
            memset(p, 'a' + i % 26, n);
            s[i] = p;
            want += (n + 15) & ~(size_t)15;
        }
        for (int i = 0; i < 600; i++) {
            size_t n = i % 50 == 0 ? 20000 : (size_t)(i % 37) + 1;
            for (size_t k = 0; k < n; k++)
                ok &= s[i][k] == 'a' + i % 26;
        }
        CHECK(ok);
        CHECK(a.total == want);
        char *d = oc_arena_strdup(&a, "kept");
        CHECK(strcmp(d, "kept") == 0);
        /* adopted by another arena: the blocks live on with it, and it
         * goes on allocating from its own chunk */
        oc_arena into;
        oc_arena_init(&into);
        char *before = oc_arena_strdup(&into, "into");
        size_t total = a.total + into.total;
        oc_arena_adopt(&into, &a);
        CHECK(a.head == NULL && a.total == 0 && into.total == total);
        char *after = oc_arena_strdup(&into, "after");
        CHECK(strcmp(d, "kept") == 0 && strcmp(before, "into") == 0 && strcmp(after, "after") == 0);
        CHECK(after == before + 16); /* the same chunk as before */
        ok = 1;
        for (int i = 0; i < 600; i++)
            ok &= s[i][0] == 'a' + i % 26;
        CHECK(ok);
        oc_arena_free(&a); /* empty: nothing */
        oc_arena_free(&into);
        CHECK(into.head == NULL && into.total == 0);
    }
}

static int mapped(const void *p) {
    unsigned char vec[1];
    return mincore((void *)((uintptr_t)p & ~(uintptr_t)4095), 1, vec) == 0;
}

/* Mapped arenas cut their chunks from shared 2 MB regions; a region goes
 * back to the system once every chunk cut from it is freed and another is
 * being cut (not one munmap per chunk: see mem.c), and a block above a
 * quarter region keeps a mapping of its own. */
static void test_mapped_regions(void) {
    const uintptr_t region = ~(uintptr_t)((2u << 20) - 1);
    oc_arena scratch, a, b, c, d;
    oc_arena_init(&scratch);
    oc_arena_map(&scratch);
    /* to the start of a fresh region, so that what follows begins there */
    char *first = oc_arena_alloc(&scratch, 60000), *p = first;
    for (int i = 0; i < 100 && ((uintptr_t)p & region) == ((uintptr_t)first & region); i++)
        p = oc_arena_alloc(&scratch, 60000);
    CHECK(((uintptr_t)p & region) != ((uintptr_t)first & region));
    oc_arena_free(&scratch); /* the old region goes; the new one is the current one */
    CHECK(!mapped(first));
    oc_arena_init(&a);
    oc_arena_map(&a);
    oc_arena_init(&b);
    oc_arena_map(&b);
    oc_arena_init(&c);
    oc_arena_map(&c);
    char *pa = oc_arena_strdup(&a, "a"), *pb = oc_arena_strdup(&b, "b");
    CHECK(((uintptr_t)pa & region) == ((uintptr_t)pb & region)); /* one region */
    char *pc = NULL;
    for (int i = 0; i < 100; i++) { /* c fills it and goes on in the next */
        pc = oc_arena_alloc(&c, 60000);
        if (((uintptr_t)pc & region) != ((uintptr_t)pa & region)) break;
    }
    CHECK(((uintptr_t)pc & region) != ((uintptr_t)pa & region));
    oc_arena_free(&a);
    CHECK(mapped(pa) && strcmp(pb, "b") == 0); /* b's chunk and c's keep the region */
    oc_arena_free(&b);
    CHECK(mapped(pa));
    oc_arena_free(&c); /* its last chunk was the region's: gone */
    CHECK(!mapped(pa) && !mapped(pb));
    oc_arena_init(&d);
    oc_arena_map(&d);
    char *big = oc_arena_alloc(&d, 600 << 10);
    big[(600 << 10) - 1] = 1;
    CHECK(mapped(big));
    oc_arena_free(&d);
    CHECK(!mapped(big) && errno == ENOMEM);
}

int main(void) {
    RUN(test_cpset_matches_bitmap);
    RUN(test_arenas);
    RUN(test_mapped_regions);
    RUN(test_buf_printf);
    RUN(test_diag_escapes);
    return harness_finish("test_util");
}
