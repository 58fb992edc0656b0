/* A tiny assertion harness for octavo's unit tests (cmark api_test style).
 *
 *   static void test_something(void) { CHECK(1 + 1 == 2); CHECK_STR_EQ(a, "x"); }
 *   int main(void) { RUN(test_something); return harness_finish("test_name"); }
 *
 * Every failed check prints FILE:LINE and the expression; the run ends with
 * a line "N passed, M failed" and a non-zero exit status on any failure. */
#ifndef OCTAVO_TEST_HARNESS_H
#define OCTAVO_TEST_HARNESS_H

#include <stdio.h>
#include <string.h>

static int harness_passed, harness_failed;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (cond) {                                                                                \
            harness_passed++;                                                                      \
        } else {                                                                                   \
            harness_failed++;                                                                      \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_STR_EQ(got, want)                                                                    \
    do {                                                                                           \
        const char *g_ = (got), *w_ = (want);                                                      \
        if (g_ && w_ && strcmp(g_, w_) == 0) {                                                     \
            harness_passed++;                                                                      \
        } else {                                                                                   \
            harness_failed++;                                                                      \
            fprintf(stderr, "%s:%d: %s\n  got:  \"%s\"\n  want: \"%s\"\n", __FILE__, __LINE__,     \
                    #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)");                                 \
        }                                                                                          \
    } while (0)

#define CHECK_CONTAINS(haystack, needle)                                                           \
    do {                                                                                           \
        const char *h_ = (haystack), *n_ = (needle);                                               \
        if (h_ && n_ && strstr(h_, n_)) {                                                          \
            harness_passed++;                                                                      \
        } else {                                                                                   \
            harness_failed++;                                                                      \
            fprintf(stderr, "%s:%d: \"%s\" not found in %s\n", __FILE__, __LINE__,                 \
                    n_ ? n_ : "(null)", #haystack);                                                \
        }                                                                                          \
    } while (0)

#define CHECK_NOT_CONTAINS(haystack, needle)                                                       \
    do {                                                                                           \
        const char *h_ = (haystack), *n_ = (needle);                                               \
        if (h_ && n_ && !strstr(h_, n_)) {                                                         \
            harness_passed++;                                                                      \
        } else {                                                                                   \
            harness_failed++;                                                                      \
            fprintf(stderr, "%s:%d: \"%s\" unexpectedly found in %s\n", __FILE__, __LINE__,        \
                    n_ ? n_ : "(null)", #haystack);                                                \
        }                                                                                          \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        fprintf(stderr, "-- %s\n", #fn);                                                           \
        fn();                                                                                      \
    } while (0)

static inline int harness_finish(const char *name) {
    printf("%s: %d passed, %d failed\n", name, harness_passed, harness_failed);
    return harness_failed ? 1 : 0;
}

#endif
