/* Pagination on abstract elements: no widow/orphan, headings kept with
 * text, keeps, forced and right-hand breaks, floats, repeated headers,
 * footnote space, aligned bottoms. No fonts needed. */
#include "harness.h"
#include "layout/paginate.h"

#include <stdlib.h>

#define LH 12.0

static oc_pg_elem line_elem(double space) {
    oc_pg_elem e = {LH, space, 0, 0, 0, -1};
    return e;
}

/* page of element k (first non-copy placement) */
static int page_of(const oc_pg_result *r, int k) {
    for (size_t i = 0; i < r->nplaces; i++)
        if (r->places[i].elem == k && !r->places[i].copy) return r->places[i].page;
    return -1;
}

/* each element placed exactly once, in order, within the text area */
static int places_sane(const oc_pg_result *r, const oc_pg_elem *e, size_t n, double h) {
    int prev = -1;
    size_t seen = 0;
    for (size_t i = 0; i < r->nplaces; i++) {
        const oc_pg_place *p = &r->places[i];
        if (p->copy) continue;
        if (p->elem != prev + 1) return 0;
        prev = p->elem;
        seen++;
        double foot = h - (r->notes[p->page] > 0 ? r->notes[p->page] + 8 : 0);
        if (p->y + e[p->elem].height > foot + 0.01) return 0;
        if (i > 0 && r->places[i - 1].page > p->page) return 0;
    }
    return seen == n;
}

static void test_simple_fill(void) {
    oc_arena a;
    oc_arena_init(&a);
    oc_pg_elem e[10];
    for (int i = 0; i < 10; i++)
        e[i] = line_elem(0);
    oc_pg_params p = {36, 8, 1, 0, 0};
    oc_pg_result r;
    CHECK(oc_paginate(&a, e, 10, &p, &r) == OC_OK);
    CHECK(r.npages == 4);
    CHECK(page_of(&r, 2) == 0);
    CHECK(page_of(&r, 3) == 1);
    CHECK(page_of(&r, 9) == 3);
    CHECK(places_sane(&r, e, 10, 36));
    oc_arena_free(&a);
}

/* Random paragraphs with random space and page heights: no paragraph of
 * two or more lines leaves its first line alone at a page foot or its last
 * line alone at a page top; pages are never short by more than three lines. */
static void test_widows_orphans_property(void) {
    srand(12345);
    int violations = 0, short_pages = 0, insane = 0, runs = 200;
    for (int run = 0; run < runs; run++) {
        oc_arena a;
        oc_arena_init(&a);
        size_t cap = 2000, n = 0;
        oc_pg_elem *e = calloc(cap, sizeof *e);
        size_t firsts[400], counts[400];
        int npara = 0;
        int nparas = 20 + rand() % 100;
        for (int q = 0; q < nparas && npara < 400; q++) {
            size_t lines = 1 + (size_t)(rand() % 14);
            double space = (rand() % 3) * 3.0;
            firsts[npara] = n;
            counts[npara] = lines;
            npara++;
            for (size_t l = 0; l < lines; l++)
                e[n++] = line_elem(l == 0 ? space : 0);
            oc_pg_keep_lines(e, firsts[npara - 1], lines);
        }
        oc_pg_params p = {LH * (20 + rand() % 30), 8, 1, 0, 0};
        oc_pg_result r;
        oc_paginate(&a, e, n, &p, &r);
        if (!places_sane(&r, e, n, p.height)) insane++;
        for (int q = 0; q < npara; q++) {
            size_t f = firsts[q], c = counts[q];
            if (c < 2) continue;
            if (page_of(&r, (int)f) != page_of(&r, (int)f + 1)) violations++;
            if (page_of(&r, (int)(f + c - 1)) != page_of(&r, (int)(f + c - 2))) violations++;
        }
        /* fullness: every page but the last ends within 3 lines + space of the foot */
        for (size_t k = 0; k + 1 < r.nplaces; k++) {
            if (r.places[k + 1].page != r.places[k].page) {
                double bottom = r.places[k].y + e[r.places[k].elem].height;
                if (bottom < p.height - 3 * LH - 6 - 0.01) short_pages++;
            }
        }
        free(e);
        oc_arena_free(&a);
    }
    CHECK(violations == 0);
    CHECK(short_pages == 0);
    CHECK(insane == 0);
}

/* Headings (kept with the next element) followed by paragraphs: a heading
 * is never the last element on its page and always has two lines under it
 * when the paragraph has two or more. */
static void test_heading_never_last(void) {
    srand(777);
    int stranded = 0, lonely = 0, headings = 0, at_foot_candidates = 0;
    for (int run = 0; run < 100; run++) {
        oc_arena a;
        oc_arena_init(&a);
        oc_pg_elem e[3000];
        int is_heading[3000] = {0};
        size_t n = 0;
        for (int q = 0; q < 60; q++) {
            if (rand() % 3 == 0) {
                e[n] = line_elem(LH);
                e[n].height = 2 * LH;
                e[n].flags |= OC_PG_KEEP_NEXT;
                is_heading[n] = 1;
                n++;
            }
            size_t lines = 1 + (size_t)(rand() % 9), f = n;
            for (size_t l = 0; l < lines; l++)
                e[n++] = line_elem(l == 0 ? 4 : 0);
            oc_pg_keep_lines(e, f, lines);
        }
        oc_pg_params p = {LH * (15 + rand() % 20), 8, 1, 0, 0};
        oc_pg_result r;
        oc_paginate(&a, e, n, &p, &r);
        for (size_t k = 0; k < r.nplaces; k++) {
            int el = r.places[k].elem;
            if (!is_heading[el]) continue;
            headings++;
            int last_on_page = k + 1 == r.nplaces || r.places[k + 1].page != r.places[k].page;
            if (last_on_page) stranded++;
            /* two lines follow on the same page when the paragraph has two */
            if ((size_t)el + 2 < n && !is_heading[el + 1] && !is_heading[el + 2] &&
                (e[el + 1].flags & OC_PG_KEEP_NEXT)) {
                at_foot_candidates++;
                if (page_of(&r, el + 2) != page_of(&r, el)) lonely++;
            }
        }
        oc_arena_free(&a);
    }
    CHECK(headings > 100);
    CHECK(at_foot_candidates > 50);
    CHECK(stranded == 0);
    CHECK(lonely == 0);
}

static void test_keep_together(void) {
    oc_arena a;
    oc_arena_init(&a);
    /* 8 single lines, then a 5-line block that would straddle pages 0/1 */
    oc_pg_elem e[20];
    size_t n = 0;
    for (int i = 0; i < 8; i++)
        e[n++] = line_elem(0);
    for (int i = 0; i < 5; i++)
        e[n++] = line_elem(0);
    oc_pg_keep_block(e, 8, 5);
    for (int i = 0; i < 3; i++)
        e[n++] = line_elem(0);
    oc_pg_params p = {LH * 10, 8, 1, 0, 0};
    oc_pg_result r;
    oc_paginate(&a, e, n, &p, &r);
    CHECK(page_of(&r, 7) == 0);
    CHECK(page_of(&r, 8) == 1); /* the block moved whole */
    CHECK(page_of(&r, 12) == 1);
    CHECK(places_sane(&r, e, n, p.height));

    /* a keep group taller than a page breaks where it overflows */
    oc_pg_elem big[30];
    for (int i = 0; i < 30; i++)
        big[i] = line_elem(0);
    oc_pg_keep_block(big, 2, 25);
    oc_paginate(&a, big, 30, &p, &r);
    CHECK(page_of(&r, 9) == 0);
    CHECK(page_of(&r, 10) == 1);
    CHECK(places_sane(&r, big, 30, p.height));
    oc_arena_free(&a);
}

static void test_forced_and_recto_breaks(void) {
    oc_arena a;
    oc_arena_init(&a);
    /* three chapters: 3 lines, 15 lines (2 pages), 2 lines; 10 lines a page */
    oc_pg_elem e[20];
    size_t n = 0;
    size_t starts[3], lens[3] = {3, 15, 2};
    for (int c = 0; c < 3; c++) {
        starts[c] = n;
        for (size_t l = 0; l < lens[c]; l++)
            e[n++] = line_elem(0);
        e[starts[c]].flags |= OC_PG_BREAK_BEFORE | OC_PG_RECTO | OC_PG_OPENING;
    }
    oc_pg_params p = {LH * 10, 8, 1, 0, 0};
    oc_pg_result r;
    oc_paginate(&a, e, n, &p, &r);
    /* print: ch1 p0, blank p1, ch2 p2-3, ch3 p4 */
    CHECK(r.npages == 5);
    CHECK(page_of(&r, (int)starts[0]) == 0);
    CHECK(r.blank[1] == 1);
    CHECK(page_of(&r, (int)starts[1]) == 2);
    CHECK(page_of(&r, (int)starts[2]) == 4);
    CHECK(r.blank[3] == 0 && r.blank[4] == 0);
    CHECK(r.opening[0] && r.opening[2] && !r.opening[3] && r.opening[4]);

    /* screen: no recto flag, chapters simply start new pages */
    for (size_t i = 0; i < n; i++)
        e[i].flags &= ~OC_PG_RECTO;
    oc_paginate(&a, e, n, &p, &r);
    CHECK(r.npages == 4);
    CHECK(page_of(&r, (int)starts[1]) == 1);
    CHECK(page_of(&r, (int)starts[2]) == 3);
    for (int k = 0; k < r.npages; k++)
        CHECK(r.blank[k] == 0);

    /* recto when the run starts on a verso: a blank first page */
    for (size_t i = 0; i < n; i++)
        e[i].flags |= starts[0] == i ? OC_PG_RECTO : 0;
    p.first_page_odd = 0;
    oc_paginate(&a, e, n, &p, &r);
    CHECK(r.blank[0] == 1);
    CHECK(page_of(&r, 0) == 1);
    oc_arena_free(&a);
}

static void test_float_defers(void) {
    oc_arena a;
    oc_arena_init(&a);
    oc_pg_elem e[20];
    for (int i = 0; i < 20; i++)
        e[i] = line_elem(0);
    e[6].height = 6 * LH; /* a figure: does not fit the 4 lines left */
    e[6].flags |= OC_PG_FLOAT;
    oc_pg_params p = {LH * 10, 8, 1, 0, 0};
    oc_pg_result r;
    oc_paginate(&a, e, 20, &p, &r);
    CHECK(page_of(&r, 6) == 1);
    CHECK(page_of(&r, 7) == 0); /* text after it fills the gap */
    CHECK(page_of(&r, 10) == 0);
    CHECK(page_of(&r, 11) == 1);
    /* the figure is at the top of page 1 */
    for (size_t k = 0; k < r.nplaces; k++)
        if (r.places[k].elem == 6) CHECK(r.places[k].y == 0);
    oc_arena_free(&a);
}

static void test_table_header_repeats(void) {
    oc_arena a;
    oc_arena_init(&a);
    oc_pg_elem e[40];
    for (int i = 0; i < 40; i++) {
        e[i] = line_elem(0);
        e[i].repeat = 0;
    }
    e[0].flags |= OC_PG_KEEP_NEXT; /* the header row stays with the first row */
    oc_pg_params p = {LH * 10, 8, 1, 0, 0};
    oc_pg_result r;
    oc_paginate(&a, e, 40, &p, &r);
    int copies = 0;
    for (int pg = 1; pg < r.npages; pg++) {
        /* the first placement of every later page is a copy of the header */
        for (size_t k = 0; k < r.nplaces; k++) {
            if (r.places[k].page == pg) {
                CHECK(r.places[k].copy == 1 && r.places[k].elem == 0);
                copies++;
                break;
            }
        }
    }
    CHECK(r.npages == 5); /* 10 + 4*9 rows: 40 rows need 5 pages */
    CHECK(copies == r.npages - 1);
    oc_arena_free(&a);
}

static void test_footnote_space(void) {
    oc_arena a;
    oc_arena_init(&a);
    oc_pg_elem e[20];
    for (int i = 0; i < 20; i++)
        e[i] = line_elem(0);
    e[2].note = 2 * LH; /* a note of two lines + separator 8 */
    oc_pg_params p = {LH * 10, 8, 1, 0, 0};
    oc_pg_result r;
    oc_paginate(&a, e, 20, &p, &r);
    /* 120 - 24 - 8 = 88: 7 lines on page 0 */
    CHECK(page_of(&r, 6) == 0);
    CHECK(page_of(&r, 7) == 1);
    CHECK(r.notes[0] == 2 * LH);
    CHECK(r.notes[1] == 0);
    CHECK(places_sane(&r, e, 20, p.height));
    oc_arena_free(&a);
}

/* A note too long for the page continues on the next one, in whole lines. */
static void test_footnote_continues(void) {
    oc_arena a;
    oc_arena_init(&a);
    oc_pg_elem e[40];
    for (int i = 0; i < 40; i++)
        e[i] = line_elem(0);
    e[3].note = 150; /* 15 note lines of 10 */
    e[30].note = 20;
    oc_pg_params p = {LH * 10, 8, 1, 0, 10};
    oc_pg_result r;
    oc_paginate(&a, e, 40, &p, &r);
    CHECK(page_of(&r, 3) == 0); /* the citing line stays with the note's start */
    double total = 0;
    int pages_with_notes = 0;
    for (int pg = 0; pg < r.npages; pg++) {
        double k = r.notes[pg] / 10;
        CHECK(k == (double)(long)k); /* whole lines */
        if (r.notes[pg] > 0) pages_with_notes++;
        total += r.notes[pg];
    }
    CHECK(total == 170);
    CHECK(pages_with_notes >= 3);
    CHECK(r.notes[0] >= 20 && r.notes[0] < 150);
    CHECK(places_sane(&r, e, 40, p.height));
    /* short notes never split: the citing line moves instead */
    oc_pg_elem f[12];
    for (int i = 0; i < 12; i++)
        f[i] = line_elem(0);
    f[8].note = 30;
    oc_paginate(&a, f, 12, &p, &r);
    CHECK(page_of(&r, 8) == 1);
    CHECK(r.notes[0] == 0 && r.notes[1] == 30);
    oc_arena_free(&a);
}

static void test_bottoms_aligned(void) {
    oc_arena a;
    oc_arena_init(&a);
    oc_pg_elem e[40];
    for (int i = 0; i < 40; i++) {
        e[i] = line_elem(2);
        e[i].stretch = 2;
    }
    oc_pg_params p = {LH * 10 + 5, 8, 1, 1, 0};
    oc_pg_result r;
    oc_paginate(&a, e, 40, &p, &r);
    int full_pages = 0;
    for (size_t k = 0; k + 1 < r.nplaces; k++) {
        if (r.places[k + 1].page != r.places[k].page) {
            double bottom = r.places[k].y + e[r.places[k].elem].height;
            CHECK(bottom > p.height - 0.02 && bottom < p.height + 0.02);
            full_pages++;
        }
    }
    CHECK(full_pages >= 3);
    /* without alignment the same pages end a point short */
    p.align_bottoms = 0;
    oc_paginate(&a, e, 40, &p, &r);
    CHECK(r.places[8].page == 0 && r.places[9].page == 1);
    CHECK(r.places[8].y + LH < p.height - 0.5);
    oc_arena_free(&a);
}

static void test_linear(void) {
    /* 200k lines paginate quickly and each is placed once */
    oc_arena a;
    oc_arena_init(&a);
    size_t n = 200000;
    oc_pg_elem *e = calloc(n, sizeof *e);
    for (size_t i = 0; i < n; i++)
        e[i] = line_elem(i % 7 == 0 ? 4 : 0);
    for (size_t i = 0; i + 7 <= n; i += 7)
        oc_pg_keep_lines(e, i, 7);
    oc_pg_params p = {LH * 40, 8, 1, 1, 0};
    oc_pg_result r;
    oc_paginate(&a, e, n, &p, &r);
    CHECK(r.nplaces == n);
    CHECK(r.npages > 5000);
    free(e);
    oc_arena_free(&a);
}

int main(void) {
    RUN(test_simple_fill);
    RUN(test_widows_orphans_property);
    RUN(test_heading_never_last);
    RUN(test_keep_together);
    RUN(test_forced_and_recto_breaks);
    RUN(test_float_defers);
    RUN(test_table_header_repeats);
    RUN(test_footnote_space);
    RUN(test_footnote_continues);
    RUN(test_bottoms_aligned);
    RUN(test_linear);
    return harness_finish("test_paginate");
}
