/* Atomic outputs in two steps, so that a build writing several files leaves
 * either all of them new or all of them as they were: stage every output
 * (temporary file beside the target, written and flushed), then commit them
 * together (renamed with signals held back), or discard them. A signal
 * (SIGINT, SIGTERM, SIGHUP, SIGQUIT) while files are staged removes their
 * temporary files before the process exits. */
#ifndef OCTAVO_BUILD_OUTPUT_H
#define OCTAVO_BUILD_OUTPUT_H

#include "octavo/octavo.h"

typedef struct {
    const char *path; /* borrowed until commit or discard */
    int slot;         /* -1 when nothing is staged */
} oc_output_file;

/* Writes `data` to a temporary file beside `path` (creating the folder) and
 * flushes it. On failure nothing is left behind, f->slot is -1, and the
 * reason goes to diag. At most four files are staged at once. */
oc_status oc_output_stage(oc_output_file *f, const char *path, const void *data, size_t len,
                          oc_diag *diag);
/* The same in steps, for an output written as it is made: open (the
 * temporary file, registered as staged; *fd open for writing), write any
 * number of times (put), then close, which flushes it, or with ok 0 (or on a
 * failure) removes it. Every failure is reported to diag. */
oc_status oc_output_open(oc_output_file *f, const char *path, int *fd, oc_diag *diag);
oc_status oc_output_put(oc_output_file *f, int fd, const void *data, size_t len, oc_diag *diag);
oc_status oc_output_close(oc_output_file *f, int fd, int ok, oc_diag *diag);
/* Renames every staged file into place; on a failure the rest are removed. */
oc_status oc_output_commit(oc_output_file *files, int n, oc_diag *diag);
/* Removes every staged file. */
void oc_output_discard(oc_output_file *files, int n);

#endif
