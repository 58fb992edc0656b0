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
#include <stdlib.h>
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

/* Runs a shell command and returns all it printed on stdout (malloc'd,
 * NUL-terminated; NULL when it cannot start); its pclose() status goes to
 * *status when status is not NULL. */
static inline char *harness_run(const char *cmd, int *status) {
    FILE *p = popen(cmd, "r");
    if (!p) return NULL;
    size_t len = 0, cap = 4096;
    char *out = malloc(cap);
    size_t n;
    while (out && (n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2048) {
            char *grown = realloc(out, cap * 2);
            if (!grown) break;
            out = grown;
            cap *= 2;
        }
    }
    int rc = pclose(p);
    if (status) *status = rc;
    if (out) out[len] = '\0';
    return out;
}

#endif
