/* octavo — a tiny header-only assertion harness for the unit tests.
 *
 *   static void test_x(void) { CHECK(1 + 1 == 2); CHECK_STR_EQ(a, "b"); }
 *   int main(void) { RUN(test_x); return harness_report(); }
 *
 * Every CHECK counts as one assertion; failures print file:line and the
 * expression. harness_report() prints "N passed, M failed" and returns the
 * process exit status (0 when nothing failed). */
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
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);               \
        }                                                                                          \
    } while (0)

#define CHECK_STR_EQ(got, want)                                                                    \
    do {                                                                                           \
        const char *harness_g_ = (got), *harness_w_ = (want);                                      \
        if (harness_g_ && harness_w_ && strcmp(harness_g_, harness_w_) == 0) {                     \
            harness_passed++;                                                                      \
        } else {                                                                                   \
            harness_failed++;                                                                      \
            fprintf(stderr, "%s:%d: CHECK_STR_EQ failed: %s\n  got:  \"%s\"\n  want: \"%s\"\n",    \
                    __FILE__, __LINE__, #got, harness_g_ ? harness_g_ : "(null)",                  \
                    harness_w_ ? harness_w_ : "(null)");                                           \
        }                                                                                          \
    } while (0)

#define CHECK_CONTAINS(hay, needle)                                                                \
    do {                                                                                           \
        const char *harness_h_ = (hay), *harness_n_ = (needle);                                    \
        if (harness_h_ && harness_n_ && strstr(harness_h_, harness_n_)) {                          \
            harness_passed++;                                                                      \
        } else {                                                                                   \
            harness_failed++;                                                                      \
            fprintf(stderr,                                                                        \
                    "%s:%d: CHECK_CONTAINS failed: %s\n  in:     \"%s\"\n  needle: \"%s\"\n",      \
                    __FILE__, __LINE__, #hay, harness_h_ ? harness_h_ : "(null)",                  \
                    harness_n_ ? harness_n_ : "(null)");                                           \
        }                                                                                          \
    } while (0)

#define RUN(fn)                                                                                    \
    do {                                                                                           \
        int harness_before_ = harness_failed;                                                      \
        fn();                                                                                      \
        fprintf(stderr, "%s %s\n", harness_failed == harness_before_ ? "ok  " : "FAIL", #fn);      \
    } while (0)

static inline int harness_report(void) {
    printf("%d passed, %d failed\n", harness_passed, harness_failed);
    return harness_failed ? 1 : 0;
}

#endif
