/* octavo — diagnostics: every user-facing problem goes to one sink as
 * {severity, file, line, column, message} and is printed in the compilers'
 * form "PATH:LINE:COL: error: TEXT", so editors can jump to it.
 *
 * The sink owns copies of the strings it is given. */
#ifndef OCTAVO_DIAG_H
#define OCTAVO_DIAG_H

#include <stdio.h>

typedef enum { OC_NOTE, OC_WARNING, OC_ERROR } oc_severity;

typedef struct {
    oc_severity severity;
    char *file; /* display path; may be NULL for whole-run problems */
    int line;   /* 1-based; 0 when unknown */
    int column; /* 1-based; 0 when unknown */
    char *message;
} oc_diagnostic;

typedef struct oc_diag {
    oc_diagnostic *items;
    size_t count, cap;
    int errors, warnings;
    FILE *stream;       /* printed as reported when not NULL (stderr in the CLI) */
    int quiet;          /* suppress warnings and notes on the stream */
    size_t max_kept;    /* items beyond this are counted but not stored (0: 10000) */
    size_t max_printed; /* lines printed to the stream at most (0: 100); the rest are
                           counted and summed up by oc_diag_summary() */
    size_t printed, unprinted;
} oc_diag;

void oc_diag_init(oc_diag *d, FILE *stream);
void oc_diag_free(oc_diag *d);
void oc_diag_report(oc_diag *d, oc_severity sev, const char *file, int line, int column,
                    const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* When messages were held back by max_printed, prints one closing line
 * saying how many, with the totals. */
void oc_diag_summary(oc_diag *d);
/* Formats one diagnostic in the PATH:LINE:COL form into out (size n). */
void oc_diag_format(const oc_diagnostic *item, char *out, size_t n);
/* A copy of s safe to print on a terminal: control characters (C0, DEL, C1)
 * and bytes that are not UTF-8 become \xNN, line ends become spaces.
 * malloc'd; the caller frees it. Every message the sink prints goes through
 * it; so must anything else printed from user input (file names, options). */
char *oc_diag_escape(const char *s);
/* True if any recorded message contains `needle` (for tests). */
int oc_diag_contains(const oc_diag *d, const char *needle);

#endif
