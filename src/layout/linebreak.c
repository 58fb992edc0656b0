/* Knuth–Plass total-fit line breaking over boxes, glue and penalties.
 *
 * The classic algorithm (Knuth & Plass, "Breaking paragraphs into lines",
 * 1981): every legal breakpoint is tried against the active nodes (earlier
 * breakpoints from which a line could still reach it); feasible lines add
 * demerits ((line_penalty + badness)^2 + penalty^2, plus extra for two
 * flagged breaks in a row, for a hyphen ending the second-last line, and for
 * adjacent lines of very different fitness),
 * and for each fitness class the best way to reach the breakpoint becomes a
 * new active node. Widths, stretch and shrink come from cumulative sums, so
 * a line's measure is O(1); active nodes from which every later line would
 * be overfull are dropped, so the work is linear in the paragraph length
 * times the (bounded) number of breakpoints that fit on one line.
 *
 * Passes: the caller's tolerance first, then a looser 2000, then a final
 * pass that accepts any badness, adds emergency stretch and, when nothing
 * else is possible (a box wider than the line), takes an overfull line
 * rather than fail. */
#include "octavo/layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define LB_AWFUL 1e300
#define LB_INF_BAD 10000.0
#define LB_NONE ((size_t)-1)
#define LB_FINAL_HYPHEN_DEMERITS 5000.0 /* TeX's \\finalhyphendemerits */

typedef struct {
    size_t pos;      /* breakpoint index; LB_NONE for the paragraph start */
    size_t line;     /* number of lines up to and including this break */
    size_t start;    /* first item of the line after this break */
    size_t prev;     /* record of the previous break; LB_NONE for the start */
    double demerits; /* total from the paragraph start */
    int fitness;     /* 0 tight, 1 decent, 2 loose, 3 very loose */
    int flagged;     /* this break is a flagged penalty */
} lb_rec;

typedef struct {
    double demerits;
    size_t prev; /* record the line starts from */
    int valid;
} lb_cand;

typedef struct {
    const oc_lb_item *items;
    size_t n;
    const double *widths;
    size_t nwidths;
    /* cumulative sums over items[0..i) */
    double *sw, *sy, *sz;
    size_t *sinf; /* count of infinitely stretchable glue */
    lb_rec *recs;
    size_t nrecs, caprecs;
    size_t *act, nact;
    lb_cand *cand; /* [group * 4 + fitness] */
    size_t *touched, ntouched;
    unsigned char *group_touched;
    size_t ngroups;
    double line_penalty, flagged_demerits, fitness_demerits;
    size_t *visits;
} lb_state;

static int is_inf_stretch(double s) {
    return s >= OC_LB_INFINITY;
}

static double line_width(const lb_state *st, size_t line_index) {
    size_t k = line_index < st->nwidths ? line_index : st->nwidths - 1;
    return st->widths[k];
}

/* The first item of the line that follows a break at b: glue and ordinary
 * penalties after a break are discarded, up to the next box or forced break. */
static size_t line_start(const lb_state *st, size_t b) {
    size_t j = b + 1;
    while (j < st->n) {
        const oc_lb_item *it = &st->items[j];
        if (it->type == OC_LB_BOX) break;
        if (it->type == OC_LB_PENALTY && it->penalty <= -OC_LB_INFINITY) break;
        j++;
    }
    return j;
}

static size_t add_rec(lb_state *st, const lb_rec *r) {
    if (st->nrecs == st->caprecs) {
        st->caprecs = st->caprecs ? st->caprecs * 2 : 256;
        st->recs = oc_xrealloc(st->recs, st->caprecs * sizeof *st->recs);
    }
    st->recs[st->nrecs] = *r;
    return st->nrecs++;
}

/* Natural width, stretch, shrink of the line from item s up to the break at b. */
static void measure_line(const lb_state *st, size_t s, size_t b, double *L, double *Y, double *Z,
                         int *inf) {
    double pw = st->items[b].type == OC_LB_PENALTY ? st->items[b].width : 0;
    if (st->items[b].type == OC_LB_BOX) pw = st->items[b].width; /* a box ending the paragraph */
    *L = st->sw[b] - st->sw[s] + pw;
    *Y = st->sy[b] - st->sy[s];
    *Z = st->sz[b] - st->sz[s];
    *inf = st->sinf[b] > st->sinf[s];
}

static int fitness_of(double r) {
    if (r < -0.5) return 0;
    if (r <= 0.5) return 1;
    if (r <= 1.0) return 2;
    return 3;
}

/* One pass; returns the record of the final break, or LB_NONE when no
 * feasible set of breaks exists at this tolerance. */
static size_t lb_pass(lb_state *st, double tolerance, double emergency, int final) {
    st->nrecs = 0;
    st->nact = 0;
    lb_rec first = {LB_NONE, 0, 0, LB_NONE, 0.0, 1, 0};
    st->act[st->nact++] = add_rec(st, &first);

    for (size_t b = 0; b < st->n; b++) {
        const oc_lb_item *it = &st->items[b];
        int at_end = b + 1 == st->n; /* the paragraph's end is always a break */
        int forced = at_end;
        double pi = 0;
        if (it->type == OC_LB_BOX) {
            if (!at_end) continue;
        } else if (it->type == OC_LB_GLUE) {
            if (!at_end && (b == 0 || st->items[b - 1].type != OC_LB_BOX)) continue;
        } else {
            if (it->penalty >= OC_LB_INFINITY && !at_end) continue;
            if (it->penalty < OC_LB_INFINITY) pi = it->penalty;
            forced = forced || pi <= -OC_LB_INFINITY;
        }
        int flagged = it->type == OC_LB_PENALTY && it->flagged;

        st->ntouched = 0;
        int any_cand = 0;
        size_t kept = 0;
        for (size_t k = 0; k < st->nact; k++) {
            size_t a = st->act[k];
            lb_rec *ra = &st->recs[a];
            if (st->visits) (*st->visits)++;
            size_t s = ra->start;
            if (s > b) { /* b lies in the discarded run right after a's break */
                st->act[kept++] = a;
                continue;
            }
            double L, Y, Z, W = line_width(st, ra->line);
            int inf;
            measure_line(st, s, b, &L, &Y, &Z, &inf);
            double r, bad;
            if (L < W) {
                double Yb = Y + (inf ? 0 : emergency * W);
                if (inf) {
                    r = 0;
                    bad = 0;
                } else if (Yb > 0) {
                    r = (W - L) / Yb;
                    bad = r > 4.7 ? LB_INF_BAD : fmin(100.0 * r * r * r, LB_INF_BAD);
                } else {
                    r = LB_INF_BAD;
                    bad = LB_INF_BAD;
                }
            } else if (L > W) {
                r = Z > 0 ? (W - L) / Z : -LB_AWFUL;
                bad = r < -1 ? LB_INF_BAD + 1 : fmin(-100.0 * r * r * r, LB_INF_BAD);
            } else {
                r = 0;
                bad = 0;
            }

            int artificial = 0;
            int stays = 0;
            if (r < -1 || forced) {
                if (final && !any_cand && kept == 0 && k + 1 == st->nact) {
                    artificial = 1;
                } else if (r < -1 || bad > tolerance) {
                    continue; /* deactivate */
                }
            } else {
                if (bad > tolerance) {
                    st->act[kept++] = a;
                    continue;
                }
                stays = 1;
            }

            /* a feasible (or artificially accepted) line from a to b */
            int fit = artificial ? 1 : fitness_of(r);
            double d;
            if (artificial) {
                d = 0;
            } else {
                d = st->line_penalty + bad;
                d = d * d;
                if (pi > 0)
                    d += pi * pi;
                else if (pi > -OC_LB_INFINITY)
                    d -= pi * pi;
                if (flagged && ra->flagged) d += st->flagged_demerits;
                /* a hyphen on the line before the last leaves a stub */
                if (at_end && ra->flagged) d += LB_FINAL_HYPHEN_DEMERITS;
                if (abs(fit - ra->fitness) > 1) d += st->fitness_demerits;
            }
            d += ra->demerits;
            size_t g = ra->line < st->ngroups - 1 ? ra->line : st->ngroups - 1;
            lb_cand *c = &st->cand[g * 4 + (size_t)fit];
            if (!st->group_touched[g]) {
                st->group_touched[g] = 1;
                st->touched[st->ntouched++] = g;
                for (int f = 0; f < 4; f++)
                    st->cand[g * 4 + (size_t)f].valid = 0;
            }
            if (!c->valid || d < c->demerits) {
                c->valid = 1;
                c->demerits = d;
                c->prev = a;
            }
            any_cand = 1;
            if (stays) st->act[kept++] = a;
        }
        st->nact = kept;

        /* new active nodes: per line group, every fitness class within
         * fitness_demerits of that group's best */
        if (st->ntouched) {
            size_t start = line_start(st, b);
            for (size_t t = 0; t < st->ntouched; t++) {
                size_t g = st->touched[t];
                st->group_touched[g] = 0;
                double best = LB_AWFUL;
                for (int f = 0; f < 4; f++) {
                    lb_cand *c = &st->cand[g * 4 + (size_t)f];
                    if (c->valid && c->demerits < best) best = c->demerits;
                }
                for (int f = 0; f < 4; f++) {
                    lb_cand *c = &st->cand[g * 4 + (size_t)f];
                    if (!c->valid || c->demerits > best + st->fitness_demerits) continue;
                    lb_rec nr;
                    nr.pos = b;
                    nr.line = st->recs[c->prev].line + 1;
                    nr.start = start;
                    nr.prev = c->prev;
                    nr.demerits = c->demerits;
                    nr.fitness = f;
                    nr.flagged = flagged;
                    st->act[st->nact++] = add_rec(st, &nr);
                }
            }
        }
        if (st->nact == 0) return LB_NONE;
    }

    size_t best = LB_NONE;
    for (size_t k = 0; k < st->nact; k++) {
        size_t a = st->act[k];
        if (st->recs[a].pos != st->n - 1) continue;
        if (best == LB_NONE || st->recs[a].demerits < st->recs[best].demerits) best = a;
    }
    return best;
}

oc_status oc_linebreak(oc_arena *a, const oc_lb_item *items, size_t n, const double *widths,
                       size_t nwidths, const oc_lb_params *params, size_t **breaks, double **ratios,
                       size_t *nlines, int *overfull) {
    oc_status rc = OC_OK;
    lb_state st;
    memset(&st, 0, sizeof st);
    *breaks = NULL;
    *ratios = NULL;
    *nlines = 0;
    if (overfull) *overfull = 0;
    if (n == 0) return OC_OK;
    if (!items || !widths || nwidths == 0) return OC_ERR_INTERNAL;

    st.items = items;
    st.n = n;
    st.widths = widths;
    st.nwidths = nwidths;
    st.ngroups = nwidths;
    st.line_penalty = params && params->line_penalty > 0 ? params->line_penalty : 10;
    st.flagged_demerits = params && params->flagged_demerits > 0 ? params->flagged_demerits : 3000;
    st.fitness_demerits = params && params->fitness_demerits > 0 ? params->fitness_demerits : 100;
    st.visits = params ? params->visits : NULL;
    double tol = params && params->tolerance > 0 ? params->tolerance : 200;

    /* one block for the sums and the node bookkeeping (every part a multiple
     * of 8 bytes but group_touched, which comes last): a paragraph costs two
     * allocations, this and the records */
    size_t nact = (n + 2) * 4 * nwidths;
    _Static_assert(sizeof(lb_cand) % sizeof(double) == 0, "lb_cand keeps the block aligned");
    double *block =
        oc_xmalloc(3 * (n + 1) * sizeof(double) + (n + 1 + nact + nwidths) * sizeof(size_t) +
                   nwidths * 4 * sizeof(lb_cand) + nwidths);
    st.sw = block;
    st.sy = st.sw + (n + 1);
    st.sz = st.sy + (n + 1);
    st.sinf = (size_t *)(st.sz + (n + 1));
    st.act = st.sinf + (n + 1);
    st.cand = (lb_cand *)(st.act + nact);
    st.touched = (size_t *)(st.cand + nwidths * 4);
    st.group_touched = (unsigned char *)(st.touched + nwidths);
    memset(st.cand, 0, nwidths * 4 * sizeof *st.cand);
    memset(st.group_touched, 0, nwidths);
    st.sw[0] = st.sy[0] = st.sz[0] = 0;
    st.sinf[0] = 0;
    for (size_t i = 0; i < n; i++) {
        const oc_lb_item *it = &items[i];
        double w = 0, y = 0, z = 0;
        size_t inf = 0;
        if (it->type == OC_LB_BOX) {
            w = it->width;
        } else if (it->type == OC_LB_GLUE) {
            w = it->width;
            if (is_inf_stretch(it->stretch))
                inf = 1;
            else
                y = it->stretch;
            z = it->shrink;
        }
        st.sw[i + 1] = st.sw[i] + w;
        st.sy[i + 1] = st.sy[i] + y;
        st.sz[i + 1] = st.sz[i] + z;
        st.sinf[i + 1] = st.sinf[i] + inf;
    }
    /* at most one new node per fitness class and line group per breakpoint,
     * and every active node is a distinct (breakpoint, class, group) */

    size_t last = LB_NONE;
    double tol2 = tol < 2000 ? 2000 : tol;
    last = lb_pass(&st, tol, 0, 0);
    if (last == LB_NONE && tol2 > tol) last = lb_pass(&st, tol2, 0, 0);
    if (last == LB_NONE) last = lb_pass(&st, LB_INF_BAD, 0.1, 1);
    if (last == LB_NONE) {
        rc = OC_ERR_INTERNAL;
        goto cleanup;
    }

    size_t count = st.recs[last].line;
    size_t *br = oc_arena_alloc(a, count * sizeof *br);
    double *ra = oc_arena_alloc(a, count * sizeof *ra);
    int over = 0;
    size_t r = last;
    for (size_t k = count; k-- > 0;) {
        const lb_rec *rec = &st.recs[r];
        const lb_rec *prev = &st.recs[rec->prev];
        size_t b = rec->pos, s = prev->start;
        double L = 0, Y = 0, Z = 0, W = line_width(&st, k);
        int inf = 0;
        if (s <= b) measure_line(&st, s, b, &L, &Y, &Z, &inf);
        double ratio = 0;
        if (L < W) {
            ratio = (!inf && Y > 0) ? (W - L) / Y : 0;
        } else if (L > W) {
            ratio = Z > 0 ? (W - L) / Z : 0;
            if (L - Z > W + 1e-9) over++;
            if (ratio < -1) ratio = -1;
        }
        br[k] = b;
        ra[k] = ratio;
        r = rec->prev;
    }
    *breaks = br;
    *ratios = ra;
    *nlines = count;
    if (overfull) *overfull = over;

cleanup:
    free(block);
    free(st.recs);
    return rc;
}
