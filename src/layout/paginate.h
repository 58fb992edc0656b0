/* octavo — the paginator: an abstract flow of elements -> pages.
 *
 * Internal to src/layout/. Knows nothing of fonts or the Document: the
 * driver (layout.c) turns blocks into elements (one per line of text, one
 * per rule or image, one per table row...), each with a height, the space
 * above it (dropped at a page top), keep flags and the height of the
 * footnotes it cites, and gets back where each element goes.
 *
 * Rules the caller expresses with flags:
 *   - no orphan/widow: oc_pg_keep_lines() on each paragraph's lines;
 *   - a heading never last on a page: KEEP_NEXT on the heading (and the
 *     paragraph's orphan keep then holds two lines under it);
 *   - short blocks and list items together: KEEP_NEXT on all but their last;
 *   - chapters: BREAK_BEFORE (and RECTO in the print profile);
 *   - figures: FLOAT — when one does not fit, the following elements fill
 *     the page and the figure goes to the top of the next one;
 *   - table rows: `repeat` names the header row repeated at a page top.
 *
 * The algorithm is greedy with a bounded look-back: elements are added to
 * the page until one does not fit, then the page is cut at the last legal
 * break on it (falling back to the overflow point when a keep group is
 * taller than a page). Each element is placed a bounded number of times, so
 * the whole run is linear in the number of elements. */
#ifndef OCTAVO_LAYOUT_PAGINATE_H
#define OCTAVO_LAYOUT_PAGINATE_H

#include "octavo/util.h"

enum {
    OC_PG_BREAK_BEFORE = 1, /* start a new page before this element */
    OC_PG_RECTO = 2,        /* with BREAK_BEFORE: on an odd page (a blank page is inserted) */
    OC_PG_KEEP_NEXT = 4,    /* no page break between this element and the next */
    OC_PG_FLOAT = 8,        /* may move to the next page top; later elements fill the gap */
    OC_PG_OPENING = 16      /* a chapter opening (reported per page: no running head) */
};

typedef struct {
    double height;  /* the element's own height */
    double space;   /* space above it; dropped at a page top */
    double stretch; /* how much `space` may grow to align page bottoms */
    double note;    /* height of the footnotes first cited by this element */
    int flags;      /* OC_PG_* */
    int repeat;     /* table row: index of the header element repeated at a page top, or -1 */
} oc_pg_elem;

typedef struct {
    double height;      /* text area height */
    double note_sep;    /* space + rule above the footnote area of a page with notes */
    int first_page_odd; /* 1 when the first page produced is a recto (odd) page */
    int align_bottoms;  /* 1: stretch spaces so full pages end on the same line */
    double note_line;   /* height of one footnote line: long notes split at line
                           boundaries and continue on the next page (0: never split) */
} oc_pg_params;

typedef struct {
    int elem; /* index into the elements */
    int page; /* 0-based page index in this run */
    double y; /* distance from the text area top to the element top */
    int copy; /* 1 for a repeated table header */
} oc_pg_place;

typedef struct {
    oc_pg_place *places; /* in page order, then top to bottom */
    size_t nplaces;
    int npages;
    unsigned char *blank;   /* per page: 1 for an inserted blank page */
    unsigned char *opening; /* per page: 1 when a chapter opening is on it */
    double *notes;          /* per page: footnote height reserved (without note_sep),
                               continued lines from the previous page included: the
                               driver draws notes as one stream of lines in citation
                               order, notes[pg] / note_line lines per page */
} oc_pg_result;

/* Paginates elems[0..n). Results are allocated in `a`. */
oc_status oc_paginate(oc_arena *a, const oc_pg_elem *elems, size_t n, const oc_pg_params *p,
                      oc_pg_result *out);

/* Sets the keeps of a paragraph of `nlines` line elements starting at
 * elems[first]: no orphan (the first line is kept with the second) and no
 * widow (the next-to-last with the last). Lines of a paragraph of up to
 * three lines are all kept together. */
void oc_pg_keep_lines(oc_pg_elem *elems, size_t first, size_t nlines);

/* Keeps elems[first..first+n) together (KEEP_NEXT on all but the last). */
void oc_pg_keep_block(oc_pg_elem *elems, size_t first, size_t n);

#endif
