/* octavo — highlighting a book's code blocks on several threads
 * (src/doc/highlight.c). Only the parse (src/doc/parse.c) and the tests
 * use it; oc_doc_highlight_block (octavo/doc.h) does one block alone. */
#ifndef OCTAVO_DOC_HIGHLIGHT_H
#define OCTAVO_DOC_HIGHLIGHT_H

#include "octavo/doc.h"

typedef struct oc_hl_batch oc_hl_batch;

/* A batch whose spans go into `a` (the document's arena). */
oc_hl_batch *oc_hl_batch_new(oc_arena *a);

/* Does at once what oc_doc_highlight_block does before highlighting (the
 * language, n->lang, mdBook's hidden lines, the limits against `budget`)
 * and queues the block; its spans arrive at oc_hl_batch_finish. The first
 * block queued starts a helper thread, unless OCTAVO_THREADS=1. Returns 1
 * when the limits left the block plain, else 0. Call from one thread. */
int oc_hl_batch_add(oc_hl_batch *b, oc_node *n, int highlight, double *budget);

/* Highlights what is left (the calling thread helps), puts every queued
 * block's spans on its node, in the order queued, and frees the batch.
 * The spans are those oc_doc_highlight_block gives, with any number of
 * threads; a block with the language and text of an earlier one is
 * highlighted once and gets the same spans. */
void oc_hl_batch_finish(oc_hl_batch *b);

#endif
