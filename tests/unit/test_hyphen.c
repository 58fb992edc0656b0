/* Unit tests for src/layout/hyphen.c: libhyphen's points for en-US, case
 * handling, words that get no points, and the 2/3 letter minimums. */
#include "harness.h"
#include "octavo/layout.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* The word with '-' at every point, e.g. "hy-phen-ation". */
static const char *show(const oc_hyphen *h, const char *w, char *out, size_t n) {
    unsigned char pts[256];
    size_t len = strlen(w), o = 0;
    oc_hyphen_points(h, w, len, pts);
    for (size_t i = 0; i < len && o + 2 < n; i++) {
        out[o++] = w[i];
        if (pts[i]) out[o++] = '-';
    }
    out[o] = '\0';
    return out;
}

/* Letters before the first point and after the last one. */
static void check_minimums(const oc_hyphen *h, const char *w) {
    unsigned char pts[256];
    size_t len = strlen(w);
    oc_hyphen_points(h, w, len, pts);
    for (size_t i = 0; i < len; i++) {
        if (!pts[i]) continue;
        CHECK(i + 1 >= 2);       /* two bytes (ASCII letters) at least before */
        CHECK(len - i - 1 >= 3); /* three after */
    }
}

static oc_hyphen *load_en(oc_diag *d) {
    oc_hyphen *h = oc_hyphen_load("en-US", d, "book.yaml");
    CHECK(h != NULL);
    CHECK(d->warnings == 0);
    return h;
}

static void test_known_words(void) {
    oc_diag d;
    oc_diag_init(&d, NULL);
    oc_hyphen *h = load_en(&d);
    char buf[128];
    /* libhyphen's en_US patterns with lefthyphenmin 2 / righthyphenmin 3
     * (printed once with hnj_hyphen_hyphenate3 and copied here) */
    CHECK_STR_EQ(show(h, "hyphenation", buf, sizeof buf), "hy-phen-ation");
    CHECK_STR_EQ(show(h, "typography", buf, sizeof buf), "ty-pog-ra-phy");
    CHECK_STR_EQ(show(h, "extraordinary", buf, sizeof buf), "ex-tra-or-di-nary");
    CHECK_STR_EQ(show(h, "Engineer", buf, sizeof buf), "En-gi-neer");
    CHECK_STR_EQ(show(h, "ENGINEER", buf, sizeof buf), "EN-GI-NEER");
    unsigned char pts[32];
    CHECK(oc_hyphen_points(h, "typography", 10, pts) == 3);
    CHECK(pts[1] == 1 && pts[4] == 1 && pts[6] == 1 && pts[0] == 0 && pts[9] == 0);
    oc_hyphen_free(h);
    oc_diag_free(&d);
}

static void test_no_points(void) {
    oc_diag d;
    oc_diag_init(&d, NULL);
    oc_hyphen *h = load_en(&d);
    unsigned char pts[64];
    memset(pts, 7, sizeof pts);
    CHECK(oc_hyphen_points(h, "AI", 2, pts) == 0);
    CHECK(pts[0] == 0 && pts[1] == 0);
    CHECK(oc_hyphen_points(h, "v3.2", 4, pts) == 0);
    CHECK(oc_hyphen_points(h, "word", 4, pts) == 0);          /* under 5 letters */
    CHECK(oc_hyphen_points(h, "hyphen2ation", 12, pts) == 0); /* a digit */
    CHECK(oc_hyphen_points(h, "don't-know", 10, pts) == 0);   /* punctuation */
    CHECK(oc_hyphen_points(NULL, "hyphenation", 11, pts) == 0);
    /* a 200-letter run is not a word */
    char longw[201];
    memset(longw, 'a', 200);
    longw[200] = '\0';
    unsigned char lp[200];
    CHECK(oc_hyphen_points(h, longw, 200, lp) == 0);
    oc_hyphen_free(h);
    oc_diag_free(&d);
}

static void test_sensible(void) {
    oc_diag d;
    oc_diag_init(&d, NULL);
    oc_hyphen *h = load_en(&d);
    char buf[128];
    CHECK_STR_EQ(show(h, "PyTorch", buf, sizeof buf), "Py-Torch");
    const char *words[] = {"PyTorch",     "Engineer",     "algorithms", "abcde",
                           "learning",    "Kubernetes",   "TensorFlow", "education",
                           "mathematics", "reinforcement"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        check_minimums(h, words[i]);
    oc_hyphen_free(h);
    oc_diag_free(&d);
}

static void test_utf8_offsets(void) {
    oc_diag d;
    oc_diag_init(&d, NULL);
    oc_hyphen *h = load_en(&d);
    /* "résumés": é is two bytes; libhyphen counts characters, we map to bytes:
     * "ré-sumés" -> the point sits after byte 2 (the last byte of é) */
    const char *w = "r\xc3\xa9sum\xc3\xa9s";
    unsigned char pts[16];
    CHECK(oc_hyphen_points(h, w, strlen(w), pts) == 1);
    CHECK(pts[2] == 1);
    CHECK(pts[1] == 0 && pts[3] == 0);
    /* uppercase É lowercased the same way */
    const char *W = "R\xc3\x89SUM\xc3\x89S";
    CHECK(oc_hyphen_points(h, W, strlen(W), pts) == 1 && pts[2] == 1);
    oc_hyphen_free(h);
    oc_diag_free(&d);
}

static void test_languages(void) {
    oc_diag d;
    oc_diag_init(&d, NULL);
    oc_hyphen *h = oc_hyphen_load("en", &d, "book.yaml");
    CHECK(h != NULL);
    oc_hyphen_free(h);
    h = oc_hyphen_load("en_us", &d, "book.yaml");
    CHECK(h != NULL);
    oc_hyphen_free(h);
    CHECK(d.warnings == 0);
    /* no patterns for Klingon: one warning naming the meta file, and NULL */
    h = oc_hyphen_load("tlh-QO", &d, "book.yaml");
    CHECK(h == NULL);
    CHECK(d.warnings == 1);
    CHECK(d.count == 1 && d.items[0].file && strcmp(d.items[0].file, "book.yaml") == 0);
    CHECK(d.count == 1 && d.items[0].line == 0);
    CHECK(oc_diag_contains(&d, "tlh-QO"));
    /* a tag that tries to name a path is refused */
    h = oc_hyphen_load("../../etc/x", &d, "book.yaml");
    CHECK(h == NULL);
    CHECK(d.warnings == 2);
    oc_diag_free(&d);
}

/* One set of patterns serves several hyphenators: freeing one hyphenator
 * leaves the patterns and the others working (ASan would see a use after
 * free), and two threads, each with its own hyphenator over the same
 * patterns, agree with one thread (ThreadSanitizer builds watch the
 * sharing). The layout relies on this for its second thread and the fuzzer
 * to parse the patterns once. */
static const char *const shared_words[] = {"hyphenation", "typography",      "engineering",
                                           "mathematics", "reproducibility", "infrastructure"};
#define NSHARED (sizeof shared_words / sizeof shared_words[0])

typedef struct {
    const oc_hyphen_patterns *p;
    char out[NSHARED][64];
} shared_job;

static void *hyphenate_all(void *arg) {
    shared_job *job = arg;
    oc_hyphen *h = oc_hyphen_new(job->p);
    for (int round = 0; round < 200; round++)
        for (size_t i = 0; i < NSHARED; i++)
            show(h, shared_words[i], job->out[i], sizeof job->out[i]);
    oc_hyphen_free(h);
    return NULL;
}

static void test_shared_patterns(void) {
    oc_diag d;
    oc_diag_init(&d, NULL);
    CHECK(oc_hyphen_new(NULL) == NULL);
    oc_hyphen_patterns *p = oc_hyphen_patterns_load("en-US", &d, "book.yaml");
    CHECK(p != NULL);
    CHECK(d.count == 0);
    oc_hyphen *a = oc_hyphen_new(p), *b = oc_hyphen_new(p);
    CHECK(a != NULL && b != NULL && a != b);
    char want[NSHARED][64], got[64];
    for (size_t i = 0; i < NSHARED; i++)
        show(a, shared_words[i], want[i], sizeof want[i]);
    CHECK(strcmp(want[0], "hy-phen-ation") == 0);
    oc_hyphen_free(a);
    for (size_t i = 0; i < NSHARED; i++)
        CHECK(strcmp(show(b, shared_words[i], got, sizeof got), want[i]) == 0);
    oc_hyphen_free(b);
    shared_job j1 = {p, {{0}}}, j2 = {p, {{0}}};
    pthread_t th;
    CHECK(pthread_create(&th, NULL, hyphenate_all, &j1) == 0);
    hyphenate_all(&j2);
    pthread_join(th, NULL);
    for (size_t i = 0; i < NSHARED; i++) {
        CHECK(strcmp(j1.out[i], want[i]) == 0);
        CHECK(strcmp(j2.out[i], want[i]) == 0);
    }
    oc_hyphen_patterns_free(p);
    /* no patterns: NULL and one warning, as oc_hyphen_load */
    CHECK(oc_hyphen_patterns_load("tlh", &d, "book.yaml") == NULL);
    CHECK(d.warnings == 1);
    oc_diag_free(&d);
}

int main(void) {
    RUN(test_known_words);
    RUN(test_no_points);
    RUN(test_sensible);
    RUN(test_utf8_offsets);
    RUN(test_languages);
    RUN(test_shared_patterns);
    return harness_finish("test_hyphen");
}
