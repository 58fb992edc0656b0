/* Progress on long builds: on a terminal, a build that runs past about a
 * second shows what it is doing on one refreshed stderr line; with -v every
 * step is printed as a line of its own; with -q nothing. */
#ifndef OCTAVO_BUILD_PROGRESS_H
#define OCTAVO_BUILD_PROGRESS_H

#include <stdio.h>

typedef struct oc_progress oc_progress;

/* verbose: -1 quiet, 0 terminal only, 1 every step. Returns NULL when there
 * is nothing to show (quiet, or not a terminal and not verbose); every other
 * function accepts NULL. */
oc_progress *oc_progress_start(FILE *stream, int verbose);
/* Says what the build is doing now (printf-style). */
void oc_progress_step(oc_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Clears the line (terminal) and frees everything. */
void oc_progress_stop(oc_progress *p);

#endif
