/* Unit tests for src/layout/linebreak.c (Knuth–Plass total fit). */
#include "harness.h"
#include "octavo/layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    oc_lb_item *it;
    size_t n, cap;
} para;

static void push(para *p, oc_lb_type t, double w, double y, double z, double pen, int flag) {
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->it = realloc(p->it, p->cap * sizeof *p->it);
    }
    oc_lb_item *i = &p->it[p->n++];
    memset(i, 0, sizeof *i);
    i->type = t;
    i->width = w;
    i->stretch = y;
    i->shrink = z;
    i->penalty = pen;
    i->flagged = flag;
}
static void box(para *p, double w) {
    push(p, OC_LB_BOX, w, 0, 0, 0, 0);
}
static void glue(para *p, double w, double y, double z) {
    push(p, OC_LB_GLUE, w, y, z, 0, 0);
}
static void penalty(para *p, double w, double pen, int flag) {
    push(p, OC_LB_PENALTY, w, 0, 0, pen, flag);
}
static void finish(para *p) {
    glue(p, 0, OC_LB_INFINITY, 0);
    penalty(p, 0, -OC_LB_INFINITY, 0);
}

static const oc_lb_params PARAMS = {200, 10, 3000, 100, NULL};

/* Width of line k after setting its glue by ratio r; also checks that the
 * line starts where the breaker says lines start (after discardables). */
static size_t start_after(const para *p, size_t b) {
    size_t j = b + 1;
    while (j < p->n && p->it[j].type != OC_LB_BOX &&
           !(p->it[j].type == OC_LB_PENALTY && p->it[j].penalty <= -OC_LB_INFINITY))
        j++;
    return j;
}

static double set_width(const para *p, size_t s, size_t b, double r) {
    double w = 0;
    for (size_t i = s; i < b; i++) {
        const oc_lb_item *x = &p->it[i];
        if (x->type == OC_LB_BOX) w += x->width;
        if (x->type == OC_LB_GLUE) {
            double y = x->stretch >= OC_LB_INFINITY ? 0 : x->stretch;
            w += x->width + (r > 0 ? r * y : r * x->shrink);
        }
    }
    if (p->it[b].type == OC_LB_PENALTY) w += p->it[b].width;
    return w;
}

/* every set line fits the measure */
static int all_fit(const para *p, const size_t *br, const double *ra, size_t nl, double W) {
    size_t s = 0;
    for (size_t k = 0; k < nl; k++) {
        if (set_width(p, s, br[k], ra[k]) > W + 1e-6) return 0;
        s = start_after(p, br[k]);
    }
    return 1;
}

/* ---- an independent reference: exhaustive dynamic programming over
 * (breakpoint, fitness class) with the same demerits ---------------------- */
static int legal(const para *p, size_t b) {
    const oc_lb_item *x = &p->it[b];
    if (b + 1 == p->n) return 1;
    if (x->type == OC_LB_BOX) return 0;
    if (x->type == OC_LB_GLUE) return b > 0 && p->it[b - 1].type == OC_LB_BOX;
    return x->penalty < OC_LB_INFINITY;
}

static int line_cost(const para *p, size_t s, size_t b, double W, double tol, double *bad_out,
                     int *fit_out) {
    double L = 0, Y = 0, Z = 0;
    int inf = 0;
    for (size_t i = s; i < b; i++) {
        const oc_lb_item *x = &p->it[i];
        if (x->type == OC_LB_PENALTY) {
            if (x->penalty <= -OC_LB_INFINITY) return 0; /* cannot pass a forced break */
            continue;
        }
        L += x->width;
        if (x->type == OC_LB_GLUE) {
            if (x->stretch >= OC_LB_INFINITY)
                inf = 1;
            else
                Y += x->stretch;
            Z += x->shrink;
        }
    }
    if (p->it[b].type == OC_LB_PENALTY) L += p->it[b].width;
    double r, bad;
    if (L < W) {
        if (inf)
            r = 0;
        else if (Y > 0)
            r = (W - L) / Y;
        else
            return 0;
        bad = fmin(100 * r * r * r, 10000);
    } else if (L > W) {
        if (Z <= 0) return 0;
        r = (W - L) / Z;
        if (r < -1) return 0;
        bad = -100 * r * r * r;
    } else {
        r = 0;
        bad = 0;
    }
    if (bad > tol) return 0;
    *bad_out = bad;
    *fit_out = r < -0.5 ? 0 : r <= 0.5 ? 1 : r <= 1 ? 2 : 3;
    return 1;
}

static double step_demerits(const para *p, size_t prevb, int prevfit, size_t b, double bad, int fit,
                            const oc_lb_params *pr) {
    double d = (pr->line_penalty + bad) * (pr->line_penalty + bad);
    const oc_lb_item *x = &p->it[b];
    if (x->type == OC_LB_PENALTY && x->penalty > -OC_LB_INFINITY) {
        if (x->penalty > 0)
            d += x->penalty * x->penalty;
        else
            d -= x->penalty * x->penalty;
    }
    if (x->type == OC_LB_PENALTY && x->flagged && prevb != (size_t)-1 &&
        p->it[prevb].type == OC_LB_PENALTY && p->it[prevb].flagged)
        d += pr->flagged_demerits;
    if (b + 1 == p->n && prevb != (size_t)-1 && p->it[prevb].type == OC_LB_PENALTY &&
        p->it[prevb].flagged)
        d += 5000; /* final hyphen demerits */
    if (abs(fit - prevfit) > 1) d += pr->fitness_demerits;
    return d;
}

/* minimum total demerits, or HUGE_VAL when nothing is feasible */
static double reference(const para *p, double W, double tol, const oc_lb_params *pr) {
    size_t n = p->n;
    double *best = malloc((n + 1) * 4 * sizeof *best); /* index (b+1)*4+f; b=-1 is start */
    for (size_t i = 0; i < (n + 1) * 4; i++)
        best[i] = HUGE_VAL;
    best[0 * 4 + 1] = 0;
    for (size_t b = 0; b < n; b++) {
        if (!legal(p, b)) continue;
        for (size_t a1 = 0; a1 <= b; a1++) { /* a = a1-1 */
            size_t a = a1 - 1;
            size_t s = a1 == 0 ? 0 : start_after(p, a);
            if (a1 > 0 && !legal(p, a)) continue;
            if (s > b) continue;
            double bad;
            int fit;
            if (!line_cost(p, s, b, W, tol, &bad, &fit)) continue;
            for (int f = 0; f < 4; f++) {
                double prev = best[a1 * 4 + (size_t)f];
                if (prev == HUGE_VAL) continue;
                double d = prev + step_demerits(p, a, f, b, bad, fit, pr);
                if (d < best[(b + 1) * 4 + (size_t)fit]) best[(b + 1) * 4 + (size_t)fit] = d;
            }
        }
    }
    double m = HUGE_VAL;
    for (int f = 0; f < 4; f++)
        m = fmin(m, best[n * 4 + (size_t)f]);
    free(best);
    return m;
}

/* the demerits of the breaker's own answer, by the same rules */
static double demerits_of(const para *p, const size_t *br, size_t nl, double W,
                          const oc_lb_params *pr) {
    double total = 0;
    size_t prevb = (size_t)-1, s = 0;
    int prevfit = 1;
    for (size_t k = 0; k < nl; k++) {
        double bad;
        int fit;
        if (!line_cost(p, s, br[k], W, 10000, &bad, &fit)) return HUGE_VAL;
        total += step_demerits(p, prevb, prevfit, br[k], bad, fit, pr);
        prevb = br[k];
        prevfit = fit;
        s = start_after(p, br[k]);
    }
    return total;
}

/* ---- tests ---------------------------------------------------------------- */

/* Words 1 5 2 1 3 6 3, spaces of 1 (stretch 1, no shrink), measure 12.
 * First fit fills line 1 exactly ("1 5 2 1" = 12, ratio 0) and leaves
 * "3 6" = 10 with one space for line 2: ratio 2, badness 800 — over the
 * tolerance, and awful. Total fit moves the "1" down: "1 5 2" = 10 with two
 * spaces (ratio 1, badness 100) and "1 3 6" = 12 (ratio 0), then "3":
 * demerits 110^2 + 10^2 + 10^2 = 12300. Items: boxes at even indexes 0..12,
 * spaces at 1,3,...,11, so the breaks are the spaces 5 and 11 and the end 14
 * (first fit would break at 7). */
static void test_total_fit_beats_first_fit(void) {
    para p = {0};
    const double words[] = {1, 5, 2, 1, 3, 6, 3};
    for (size_t i = 0; i < 7; i++) {
        if (i) glue(&p, 1, 1, 0);
        box(&p, words[i]);
    }
    finish(&p);
    oc_arena a;
    oc_arena_init(&a);
    double W = 12;
    size_t *br, nl;
    double *ra;
    int over = -1;
    CHECK(oc_linebreak(&a, p.it, p.n, &W, 1, &PARAMS, &br, &ra, &nl, &over) == OC_OK);
    CHECK(nl == 3);
    if (nl == 3) {
        CHECK(br[0] == 5 && br[1] == 11 && br[2] == 14);
        CHECK(fabs(ra[0] - 1.0) < 1e-9 && fabs(ra[1]) < 1e-9 && fabs(ra[2]) < 1e-9);
    }
    CHECK(over == 0);
    CHECK(fabs(demerits_of(&p, br, nl, W, &PARAMS) - 12300) < 1e-6);
    CHECK(all_fit(&p, br, ra, nl, W));
    oc_arena_free(&a);
    free(p.it);
}

/* Shrinking: "4 4 4 5" with spaces 1 (stretch 1, shrink 0.5) in 13.5:
 * "4 4" would need ratio 2.25 (badness 1139), so line 1 is "4 4 4", 14 wide
 * with shrink 1: ratio -0.5. */
static void test_shrink(void) {
    para p = {0};
    for (int i = 0; i < 3; i++) {
        if (i) glue(&p, 1, 1, 0.5);
        box(&p, 4);
    }
    glue(&p, 1, 1, 0.5);
    box(&p, 5);
    finish(&p);
    oc_arena a;
    oc_arena_init(&a);
    double W = 13.5;
    size_t *br, nl;
    double *ra;
    int over = -1;
    CHECK(oc_linebreak(&a, p.it, p.n, &W, 1, &PARAMS, &br, &ra, &nl, &over) == OC_OK);
    /* line 1 "4 4 4" is 14 wide with shrink 1: ratio -0.5, then "5" */
    CHECK(nl == 2 && br[0] == 5 && fabs(ra[0] + 0.5) < 1e-9);
    CHECK(over == 0 && all_fit(&p, br, ra, nl, W));
    oc_arena_free(&a);
    free(p.it);
}

/* random paragraphs of words, spaces, hyphenation points and the odd forced
 * or forbidden break, compared with the exhaustive reference */
static unsigned rnd_state = 12345;
static unsigned rnd(void) {
    rnd_state = rnd_state * 1103515245u + 12345u;
    return (rnd_state >> 16) & 0x7fff;
}

static void random_para(para *p, size_t words, int hyph, int forced_forbidden) {
    int tied = 0;
    p->n = 0;
    for (size_t i = 0; i < words; i++) {
        if (i) {
            if (forced_forbidden && rnd() % 23 == 0) {
                glue(p, 0, OC_LB_INFINITY, 0);
                penalty(p, 0, -OC_LB_INFINITY, 0);
                tied = 0;
            } else if (forced_forbidden && !tied && rnd() % 7 == 0) {
                /* a no-break space (never two in a row: the pair must fit) */
                penalty(p, 0, OC_LB_INFINITY, 0);
                glue(p, 3, 1.5, 1);
                tied = 1;
            } else {
                tied = 0;
                glue(p, 3, 1.5, 1);
            }
        }
        int w = 6 + (int)(rnd() % 30);
        if (hyph && w > 18 && rnd() % 2) {
            int cut = 6 + (int)(rnd() % (unsigned)(w - 12));
            box(p, cut);
            penalty(p, 3, 50, 1);
            box(p, w - cut);
        } else {
            box(p, w);
        }
    }
    finish(p);
}

static void test_matches_reference(void) {
    oc_arena a;
    oc_arena_init(&a);
    para p = {0};
    int compared = 0, mismatches = 0;
    for (int t = 0; t < 300; t++) {
        random_para(&p, 8 + rnd() % 32, t % 2, t % 3 == 0);
        double W = 120 + rnd() % 180;
        /* half the cases make fitness classes matter a lot */
        oc_lb_params pr = PARAMS;
        if (t % 4 >= 2) pr.fitness_demerits = 20000;
        double ref = reference(&p, W, 200, &pr);
        if (ref == HUGE_VAL) continue; /* the first pass is not feasible */
        size_t *br, nl;
        double *ra;
        int over = -1;
        if (oc_linebreak(&a, p.it, p.n, &W, 1, &pr, &br, &ra, &nl, &over) != OC_OK) {
            mismatches++;
            continue;
        }
        compared++;
        double got = demerits_of(&p, br, nl, W, &pr);
        if (fabs(got - ref) > 1e-6 * (1 + ref)) {
            mismatches++;
            fprintf(stderr, "case %d: demerits %.3f, reference %.3f\n", t, got, ref);
        }
        if (over != 0 || !all_fit(&p, br, ra, nl, W)) mismatches++;
    }
    fprintf(stderr, "  compared %d\n", compared);
    CHECK(compared > 100);
    CHECK(mismatches == 0);
    oc_arena_free(&a);
    free(p.it);
}

static void test_forced_and_forbidden(void) {
    oc_arena a;
    oc_arena_init(&a);
    para p = {0};
    int bad = 0, forced_seen = 0;
    for (int t = 0; t < 50; t++) {
        random_para(&p, 200, 1, 1);
        double W = 80 + rnd() % 200;
        size_t *br, nl;
        double *ra;
        int over = -1;
        CHECK(oc_linebreak(&a, p.it, p.n, &W, 1, &PARAMS, &br, &ra, &nl, &over) == OC_OK);
        unsigned char *chosen = calloc(p.n, 1);
        for (size_t k = 0; k < nl; k++)
            chosen[br[k]] = 1;
        for (size_t i = 0; i < p.n; i++) {
            const oc_lb_item *x = &p.it[i];
            if (x->type == OC_LB_PENALTY && x->penalty <= -OC_LB_INFINITY) {
                forced_seen++;
                if (!chosen[i]) bad++;
            }
            if (chosen[i] && x->type == OC_LB_PENALTY && x->penalty >= OC_LB_INFINITY) bad++;
            if (chosen[i] && x->type == OC_LB_BOX) bad++;
            if (chosen[i] && x->type == OC_LB_GLUE && p.it[i - 1].type != OC_LB_BOX) bad++;
        }
        if (!all_fit(&p, br, ra, nl, W) || over) bad++;
        if (nl == 0 || br[nl - 1] != p.n - 1) bad++;
        free(chosen);
    }
    CHECK(forced_seen > 100);
    CHECK(bad == 0);
    oc_arena_free(&a);
    free(p.it);
}

/* A hyphen is taken only when it pays. */
static void test_hyphen_only_when_it_helps(void) {
    oc_arena a;
    oc_arena_init(&a);
    size_t *br, nl;
    double *ra;
    int over;
    /* "4 6|3" in 12, spaces 1 (stretch 1): without the hyphen line 1 would
     * be "4" alone (no glue to stretch: infeasible) or "4 9" (14, overfull);
     * with it "4 6-" is exactly 12. */
    para p = {0};
    box(&p, 4);
    glue(&p, 1, 1, 0);
    box(&p, 6);
    penalty(&p, 1, 50, 1);
    box(&p, 3);
    finish(&p);
    double W = 12;
    CHECK(oc_linebreak(&a, p.it, p.n, &W, 1, &PARAMS, &br, &ra, &nl, &over) == OC_OK);
    CHECK(nl == 2 && br[0] == 3 && over == 0);
    /* "6 6 3 2|8" in 20, spaces 2 (stretch 1, shrink 1.5): "6 6 3" sets at
     * ratio 0.5 (badness 12.5, demerits 506); hyphenating "6 6 3 2-" needs
     * ratio -0.89 (badness 70) plus the penalty 50: 8900. No hyphen. */
    p.n = 0;
    box(&p, 6);
    glue(&p, 2, 1, 1.5);
    box(&p, 6);
    glue(&p, 2, 1, 1.5);
    box(&p, 3);
    glue(&p, 2, 1, 1.5);
    box(&p, 2);
    penalty(&p, 1, 50, 1);
    box(&p, 8);
    finish(&p);
    W = 20;
    CHECK(oc_linebreak(&a, p.it, p.n, &W, 1, &PARAMS, &br, &ra, &nl, &over) == OC_OK);
    CHECK(nl == 2 && br[0] == 5 && fabs(ra[0] - 0.5) < 1e-9);
    /* with a free hyphen and a line that fits only when hyphenated, it is taken */
    oc_arena_free(&a);
    free(p.it);
}

/* A hyphen ending the second-last line leaves a stub on the last one:
 * "6 6 4.4" (ratio 0.9, badness 72.9: 6872 demerits) beats "6 6 4.4 0.6-"
 * (exact, 100 + 50^2 = 2600) only because of the final-hyphen demerits. */
static void test_final_hyphen(void) {
    para p = {0};
    box(&p, 6);
    glue(&p, 2, 2, 1);
    box(&p, 6);
    glue(&p, 2, 2, 1);
    box(&p, 4.4);
    glue(&p, 2, 2, 1);
    box(&p, 0.6);
    penalty(&p, 1, 50, 1);
    box(&p, 5);
    finish(&p);
    oc_arena a;
    oc_arena_init(&a);
    double W = 24;
    size_t *br, nl;
    double *ra;
    int over = -1;
    CHECK(oc_linebreak(&a, p.it, p.n, &W, 1, &PARAMS, &br, &ra, &nl, &over) == OC_OK);
    CHECK(nl == 2 && br[0] == 5 && fabs(ra[0] - 0.9) < 1e-9);
    oc_arena_free(&a);
    free(p.it);
}

static int consecutive_flagged(const para *p, const size_t *br, size_t nl) {
    int c = 0;
    for (size_t k = 1; k < nl; k++) {
        const oc_lb_item *x = &p->it[br[k]], *y = &p->it[br[k - 1]];
        if (x->type == OC_LB_PENALTY && x->flagged && y->type == OC_LB_PENALTY && y->flagged) c++;
    }
    return c;
}

static void test_flagged_consecutive_discouraged(void) {
    oc_arena a;
    oc_arena_init(&a);
    para p = {0};
    rnd_state = 777;
    /* long words, each hyphenatable: many lines end on a hyphen */
    for (int i = 0; i < 400; i++) {
        if (i) glue(&p, 3, 1.5, 1);
        int w = 20 + (int)(rnd() % 20);
        int cut = 8 + (int)(rnd() % (unsigned)(w - 16));
        box(&p, cut);
        penalty(&p, 3, 50, 1);
        box(&p, w - cut);
    }
    finish(&p);
    double W = 100;
    size_t *br, nl;
    double *ra;
    int over;
    oc_lb_params free_flags = PARAMS, costly = PARAMS;
    free_flags.flagged_demerits = 1e-9; /* (0 means "the default") */
    costly.flagged_demerits = 1e8;
    CHECK(oc_linebreak(&a, p.it, p.n, &W, 1, &free_flags, &br, &ra, &nl, &over) == OC_OK);
    int c_free = consecutive_flagged(&p, br, nl);
    CHECK(oc_linebreak(&a, p.it, p.n, &W, 1, &PARAMS, &br, &ra, &nl, &over) == OC_OK);
    int c_default = consecutive_flagged(&p, br, nl);
    CHECK(oc_linebreak(&a, p.it, p.n, &W, 1, &costly, &br, &ra, &nl, &over) == OC_OK);
    int c_costly = consecutive_flagged(&p, br, nl);
    CHECK(c_free > 0);
    CHECK(c_default < c_free);
    CHECK(c_costly == 0);
    CHECK(over == 0 && all_fit(&p, br, ra, nl, W));
    oc_arena_free(&a);
    free(p.it);
}

/* A box wider than the measure: the final pass still answers, with the
 * overfull line counted; the lines around it are fine. */
static void test_overfull_reported(void) {
    oc_arena a;
    oc_arena_init(&a);
    para p = {0};
    box(&p, 10);
    glue(&p, 3, 1.5, 1);
    box(&p, 10);
    glue(&p, 3, 1.5, 1);
    box(&p, 500);
    glue(&p, 3, 1.5, 1);
    box(&p, 10);
    finish(&p);
    double W = 100;
    size_t *br, nl;
    double *ra;
    int over = -1;
    CHECK(oc_linebreak(&a, p.it, p.n, &W, 1, &PARAMS, &br, &ra, &nl, &over) == OC_OK);
    CHECK(over == 1);
    CHECK(nl == 3 && br[0] == 3 && br[1] == 5);
    oc_arena_free(&a);
    free(p.it);
}

/* A narrow measure where only loose lines exist: the looser passes find a
 * solution without overfull lines. */
static void test_loose_fallback(void) {
    oc_arena a;
    oc_arena_init(&a);
    para p = {0};
    for (int i = 0; i < 20; i++) {
        if (i) glue(&p, 3, 1.5, 1);
        box(&p, 30 + (i * 7) % 11);
    }
    finish(&p);
    double W = 50; /* one word per line, ratio ~ 10: badness "infinite" */
    size_t *br, nl;
    double *ra;
    int over = -1;
    CHECK(oc_linebreak(&a, p.it, p.n, &W, 1, &PARAMS, &br, &ra, &nl, &over) == OC_OK);
    CHECK(nl == 20 && over == 0);
    CHECK(all_fit(&p, br, ra, nl, W));
    oc_arena_free(&a);
    free(p.it);
}

/* Per-line widths: the first line is shorter (e.g. beside a drop cap). */
static void test_line_widths(void) {
    oc_arena a;
    oc_arena_init(&a);
    para p = {0};
    for (int i = 0; i < 12; i++) {
        if (i) glue(&p, 1, 1, 0.3);
        box(&p, 4);
    }
    finish(&p);
    double W[2] = {9, 19}; /* 2 words, then 4 words per line */
    size_t *br, nl;
    double *ra;
    int over = -1;
    CHECK(oc_linebreak(&a, p.it, p.n, W, 2, &PARAMS, &br, &ra, &nl, &over) == OC_OK);
    CHECK(nl == 4 && br[0] == 3 && br[1] == 11 && br[2] == 19 && over == 0);
    oc_arena_free(&a);
    free(p.it);
}

/* 100,000 words: the work is linear (visits bounded by a small multiple of
 * the item count, where a quadratic breaker would need billions). */
static void test_linear(void) {
    oc_arena a;
    oc_arena_init(&a);
    para p = {0};
    rnd_state = 99;
    random_para(&p, 100000, 1, 0);
    double W = 350;
    size_t visits = 0;
    oc_lb_params pr = PARAMS;
    pr.visits = &visits;
    size_t *br, nl;
    double *ra;
    int over = -1;
    CHECK(oc_linebreak(&a, p.it, p.n, &W, 1, &pr, &br, &ra, &nl, &over) == OC_OK);
    fprintf(stderr, "  %zu items, %zu lines, %zu active-node visits\n", p.n, nl, visits);
    CHECK(nl > 5000);
    CHECK(over == 0);
    CHECK(visits > 0 && visits < 40 * p.n);
    CHECK(all_fit(&p, br, ra, nl, W));
    oc_arena_free(&a);
    free(p.it);
}

static void test_degenerate(void) {
    oc_arena a;
    oc_arena_init(&a);
    size_t *br = (size_t *)1, nl = 7;
    double *ra;
    int over = -1;
    double W = 100;
    CHECK(oc_linebreak(&a, NULL, 0, &W, 1, &PARAMS, &br, &ra, &nl, &over) == OC_OK);
    CHECK(nl == 0 && br == NULL && over == 0);
    /* an empty paragraph: just the closing glue and forced break */
    para p = {0};
    finish(&p);
    CHECK(oc_linebreak(&a, p.it, p.n, &W, 1, NULL, &br, &ra, &nl, &over) == OC_OK);
    CHECK(nl == 1 && br[0] == 1);
    oc_arena_free(&a);
    free(p.it);
}

int main(void) {
    RUN(test_total_fit_beats_first_fit);
    RUN(test_shrink);
    RUN(test_matches_reference);
    RUN(test_forced_and_forbidden);
    RUN(test_hyphen_only_when_it_helps);
    RUN(test_final_hyphen);
    RUN(test_flagged_consecutive_discouraged);
    RUN(test_overfull_reported);
    RUN(test_loose_fallback);
    RUN(test_line_widths);
    RUN(test_linear);
    RUN(test_degenerate);
    return harness_finish("test_linebreak");
}
