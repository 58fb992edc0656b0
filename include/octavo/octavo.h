/* octavo — public entry point: build options and oc_build().
 *
 * oc_build() loads the book, parses every chapter once, and writes the
 * requested outputs. Each output is produced in memory, written to a
 * temporary file in the output folder, flushed to disk and renamed into
 * place, so a failed or interrupted build leaves the previous outputs
 * untouched and no stray files. */
#ifndef OCTAVO_H
#define OCTAVO_H

#include "octavo/diag.h"
#include "octavo/util.h"

#define OCTAVO_VERSION "0.1.0"

typedef enum { OC_PROFILE_SCREEN = 0, OC_PROFILE_PRINT } oc_profile;

typedef struct {
    const char *book;   /* folder with book.yaml, or a .md file; default "book" */
    const char *outdir; /* default "out" */
    int want_pdf, want_epub;
    const char *paper; /* NULL: book.yaml's paper:, else "a4" */
    oc_profile profile;
    const char *fonts_dir; /* NULL: found next to the executable or at the build-time path */
    int verbose;           /* -1 quiet, 0 normal, 1 verbose */
    int check_only;        /* octavo check: parse and validate, write nothing */
    const char *chapters;  /* --chapters LIST: a handout of those chapters, or NULL */
    int marks;             /* --marks: crop marks and bleed for a print shop */
    int impose;            /* --impose booklet: also SLUG-booklet.pdf */
    const char *sheet;     /* --sheet a4|letter: the booklet's sheet (default a4) */
} oc_options;

/* Returns OC_OK when the requested outputs were written (warnings allowed),
 * OC_ERR_INPUT when the book has errors (nothing written), OC_ERR_IO when
 * an output could not be written. Diagnostics go to `diag`. */
oc_status oc_build(const oc_options *opt, oc_diag *diag);

/* Writes `len` bytes to `path` atomically: a temporary file beside it,
 * fsync, rename. On failure nothing is left behind and errno-style text
 * goes to diag. Signals (SIGINT, SIGTERM) during the write remove the
 * temporary file before the process exits. */
oc_status oc_output_write(const char *path, const void *data, size_t len, oc_diag *diag);

#endif
