/* The paginator: greedy page filling with a look-back to the last legal
 * break, forced and right-hand breaks, floats, repeated table headers,
 * footnote space and bottom alignment. See paginate.h. */
#include "layout/paginate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define EPS 0.01

typedef struct {
    const oc_pg_elem *e;
    size_t n;
    const oc_pg_params *p;

    oc_pg_place *pl; /* placements, heap */
    size_t npl, cappl;
    unsigned char *blank, *opening; /* per page, heap */
    double *notes;
    int npages, cappages;

    int *queue; /* deferred floats (indices), heap */
    size_t qhead, qlen, qcap;

    /* the current page */
    size_t page_first; /* first placement of the page */
    size_t flow_start; /* first flow element index placed on the page */
    int has_flow;      /* a flow element (not a float from the queue) is on the page */
    double y;          /* used height */
    double note;       /* footnote height on the page (without the separator) */
    double carry_in;   /* footnote height continued from the previous page */
    double carry;      /* footnote height continued onto the next page */
    double *group;     /* group[i]: height of the keep group from i to its end */
    double float_gap;  /* space owed below floats placed at the page top */
} pager;

static int is_recto(const pager *g, int page) {
    return g->p->first_page_odd ? (page % 2 == 0) : (page % 2 == 1);
}

static void push_place(pager *g, int elem, double y, int copy) {
    if (g->npl == g->cappl) {
        g->cappl = g->cappl ? g->cappl * 2 : 256;
        g->pl = oc_xrealloc(g->pl, g->cappl * sizeof *g->pl);
    }
    g->pl[g->npl].elem = elem;
    g->pl[g->npl].page = g->npages - 1;
    g->pl[g->npl].y = y;
    g->pl[g->npl].copy = copy;
    g->npl++;
}

static double note_need(const pager *g, double note) {
    if (note <= 0) return 0;
    return note + (g->note > 0 ? 0 : g->p->note_sep);
}

static double note_used(const pager *g) {
    return g->note > 0 ? g->note + g->p->note_sep : 0;
}

/* The space above element e when it is not first on the page: its own, or
 * at least the space of the floats it follows at the page top. */
static double gap_above(const pager *g, const oc_pg_elem *e) {
    return e->space > g->float_gap ? e->space : g->float_gap;
}

/* gap_above(), for the element being placed: the owed space is paid. */
static double space_above(pager *g, const oc_pg_elem *e) {
    double s = gap_above(g, e);
    g->float_gap = 0;
    return s;
}

/* Places element i at the bottom of the page (space already decided). */
static void place(pager *g, size_t i, int first_on_page) {
    const oc_pg_elem *e = &g->e[i];
    double top = g->y + (first_on_page ? 0 : space_above(g, e));
    push_place(g, (int)i, top, 0);
    g->y = top + e->height;
    if (e->note > 0) g->note += e->note;
}

static void new_page(pager *g) {
    if (g->npages == g->cappages) {
        g->cappages = g->cappages ? g->cappages * 2 : 64;
        g->blank = oc_xrealloc(g->blank, (size_t)g->cappages);
        g->opening = oc_xrealloc(g->opening, (size_t)g->cappages);
        g->notes = oc_xrealloc(g->notes, (size_t)g->cappages * sizeof(double));
    }
    g->blank[g->npages] = 0;
    g->opening[g->npages] = 0;
    g->notes[g->npages] = 0;
    g->npages++;
    g->page_first = g->npl;
    g->has_flow = 0;
    g->y = 0;
    g->note = 0;
    g->carry_in = 0;
    g->float_gap = 0;
    if (g->carry > 0) { /* a continued note goes first in the note area */
        double line = g->p->note_line > 0 ? g->p->note_line : 1;
        double room = floor((g->p->height - g->p->note_sep - line) / line) * line;
        double take = g->carry < room ? g->carry : room;
        if (take < line) take = line;
        g->note = g->carry_in = take;
        g->carry -= take;
        if (g->carry < EPS) g->carry = 0;
    }
    /* deferred floats first, in order, while they fit (the first always) */
    while (g->qlen > g->qhead) {
        size_t f = (size_t)g->queue[g->qhead];
        const oc_pg_elem *e = &g->e[f];
        int first = g->npl == g->page_first;
        double need = (first ? 0 : gap_above(g, e)) + e->height;
        if (!first && g->y + need + note_used(g) + note_need(g, e->note) > g->p->height + EPS)
            break;
        place(g, f, first);
        g->qhead++;
        g->float_gap = e->space; /* as much below the float as above it */
    }
}

/* Closes the current page; `stretch` when it ended because it was full. */
static void finish_page(pager *g, int stretch) {
    int page = g->npages - 1;
    double note = g->note, total = 0;
    for (size_t k = g->page_first; k < g->npl; k++) {
        const oc_pg_elem *e = &g->e[g->pl[k].elem];
        if (g->pl[k].copy) continue;
        if (e->flags & OC_PG_OPENING) g->opening[page] = 1;
        if (k > g->page_first) total += e->stretch;
    }
    g->notes[page] = note;
    if (!stretch || !g->p->align_bottoms || total <= 0 || g->npl == g->page_first) return;
    const oc_pg_place *last = &g->pl[g->npl - 1];
    double bottom = last->y + g->e[last->elem].height;
    double left = g->p->height - (note > 0 ? note + g->p->note_sep : 0) - bottom;
    if (left <= EPS) return;
    double r = left / total;
    if (r > 1) r = 1;
    double shift = 0;
    for (size_t k = g->page_first; k < g->npl; k++) {
        if (k > g->page_first && !g->pl[k].copy) shift += r * g->e[g->pl[k].elem].stretch;
        g->pl[k].y += shift;
    }
}

static void defer(pager *g, size_t i) {
    if (g->qlen == g->qcap) {
        g->qcap = g->qcap ? g->qcap * 2 : 16;
        g->queue = oc_xrealloc(g->queue, g->qcap * sizeof *g->queue);
    }
    g->queue[g->qlen++] = (int)i;
}

/* Cuts the page after flow element j: placements of later elements are
 * dropped (they will be placed again) and so are deferred floats after j. */
static void cut_after(pager *g, size_t j) {
    while (g->npl > g->page_first && !g->pl[g->npl - 1].copy && (size_t)g->pl[g->npl - 1].elem > j)
        g->npl--;
    while (g->qlen > g->qhead && (size_t)g->queue[g->qlen - 1] > j)
        g->qlen--;
    g->note = g->carry_in;
    for (size_t k = g->page_first; k < g->npl; k++)
        if (!g->pl[k].copy && g->e[g->pl[k].elem].note > 0) g->note += g->e[g->pl[k].elem].note;
}

/* An element whose notes do not fit: when the notes are long (or the page
 * is empty), place it with as many note lines as fit and continue the rest
 * on the next page. Returns 1 when placed (the page is then full). */
static int split_notes(pager *g, size_t i, int empty) {
    const oc_pg_elem *e = &g->e[i];
    double line = g->p->note_line;
    if (line <= 0 || e->note <= 0) return 0;
    if (!empty && e->note <= 3 * line + EPS) return 0;
    double gap = empty ? 0 : gap_above(g, e);
    double top = g->y + gap + e->height;
    double room = g->p->height - top - (g->note > 0 ? g->note : g->p->note_sep);
    double k = floor((room + EPS) / line);
    if (k < (empty ? 1 : 2)) return 0;
    double take = k * line;
    if (take >= e->note) return 0;
    if (!g->has_flow) g->flow_start = i;
    g->float_gap = 0;
    push_place(g, (int)i, g->y + gap, 0);
    g->y = top;
    g->note += take;
    g->carry += e->note - take;
    g->has_flow = 1;
    return 1;
}

/* Starts a fresh page for a forced break: deferred floats get their own pages
 * first, and a recto break turns a verso into a blank page. */
static void forced_break(pager *g, int recto) {
    /* pages for what is pending (the current page, deferred floats,
     * continued notes) until an empty page */
    while (g->npl > g->page_first || g->qlen > g->qhead || g->carry > 0 || g->note > 0) {
        finish_page(g, 0);
        new_page(g);
        if (g->npl == g->page_first && g->qlen == g->qhead && g->carry <= 0 && g->note <= 0) break;
    }
    if (recto && !is_recto(g, g->npages - 1) && g->npl == g->page_first) {
        g->blank[g->npages - 1] = 1;
        finish_page(g, 0);
        new_page(g);
    }
}

oc_status oc_paginate(oc_arena *a, const oc_pg_elem *elems, size_t n, const oc_pg_params *p,
                      oc_pg_result *out) {
    pager g;
    memset(&g, 0, sizeof g);
    g.e = elems;
    g.n = n;
    g.p = p;
    memset(out, 0, sizeof *out);
    if (n == 0) return OC_OK;

    g.group = oc_xmalloc(n * sizeof(double));
    for (size_t k = n; k-- > 0;) {
        g.group[k] = elems[k].height;
        if ((elems[k].flags & OC_PG_KEEP_NEXT) && k + 1 < n)
            g.group[k] += elems[k + 1].space + g.group[k + 1];
    }
    new_page(&g);
    size_t i = 0;
    while (i < n) {
        const oc_pg_elem *e = &elems[i];
        if (e->flags & OC_PG_BREAK_BEFORE) {
            if (g.npl > g.page_first || (e->flags & OC_PG_RECTO))
                forced_break(&g, e->flags & OC_PG_RECTO);
        }
        if ((e->flags & OC_PG_FLOAT) && g.qlen > g.qhead) { /* keep floats in order */
            defer(&g, i);
            i++;
            continue;
        }
        int empty = g.npl == g.page_first;
        int header =
            !g.has_flow && e->repeat >= 0 && (size_t)e->repeat != i && (size_t)e->repeat < n;
        double hh = header ? elems[e->repeat].height : 0;
        double gap = empty ? 0 : gap_above(&g, e);
        double need = gap + hh + e->height;
        int fits = g.y + need + note_used(&g) + note_need(&g, e->note) <= p->height + EPS;
        if (!fits && empty && !header && split_notes(&g, i, 1)) {
            i++;
            finish_page(&g, 0);
            new_page(&g);
            continue;
        }
        if (fits || empty) {
            if (!g.has_flow) g.flow_start = i;
            if (header) {
                if (!empty) gap = space_above(&g, e);
                push_place(&g, e->repeat, g.y + gap, 1);
                g.y += gap + hh;
                place(&g, i, 1);
            } else {
                place(&g, i, empty);
            }
            g.has_flow = 1;
            i++;
            continue;
        }
        if (e->flags & OC_PG_FLOAT) {
            defer(&g, i);
            i++;
            continue;
        }
        if (split_notes(&g, i, empty)) {
            i++;
            finish_page(&g, 0);
            new_page(&g);
            continue;
        }
        /* full: cut at the last legal break on this page */
        if (g.has_flow) {
            size_t j = i;
            while (j > g.flow_start) {
                if (!(elems[j - 1].flags & OC_PG_KEEP_NEXT)) break;
                j--;
            }
            /* j is now the first element after the break; j == flow_start
             * means the keep group fills the page: break at the overflow */
            if (j > g.flow_start && j < i && g.group[j] <= p->height + EPS) {
                cut_after(&g, j - 1);
                i = j;
            }
        }
        finish_page(&g, 1);
        new_page(&g);
    }
    while (g.qlen > g.qhead || g.carry > 0) {
        finish_page(&g, 0);
        new_page(&g);
    }
    finish_page(&g, 0);

    out->npages = g.npages;
    out->nplaces = g.npl;
    out->places = oc_arena_alloc(a, (g.npl ? g.npl : 1) * sizeof *out->places);
    memcpy(out->places, g.pl, g.npl * sizeof *g.pl);
    out->blank = oc_arena_alloc(a, (size_t)g.npages);
    memcpy(out->blank, g.blank, (size_t)g.npages);
    out->opening = oc_arena_alloc(a, (size_t)g.npages);
    memcpy(out->opening, g.opening, (size_t)g.npages);
    out->notes = oc_arena_alloc(a, (size_t)g.npages * sizeof(double));
    memcpy(out->notes, g.notes, (size_t)g.npages * sizeof(double));
    free(g.pl);
    free(g.blank);
    free(g.opening);
    free(g.notes);
    free(g.queue);
    free(g.group);
    return OC_OK;
}

void oc_pg_keep_lines(oc_pg_elem *elems, size_t first, size_t nlines) {
    if (nlines < 2) return;
    if (nlines <= 3) {
        oc_pg_keep_block(elems, first, nlines);
        return;
    }
    elems[first].flags |= OC_PG_KEEP_NEXT;
    elems[first + nlines - 2].flags |= OC_PG_KEEP_NEXT;
}

void oc_pg_keep_block(oc_pg_elem *elems, size_t first, size_t n) {
    for (size_t k = 0; k + 1 < n; k++)
        elems[first + k].flags |= OC_PG_KEEP_NEXT;
}
