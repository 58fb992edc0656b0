/* octavo — highlighting a book's code blocks on several threads
 * (src/doc/highlight.c). The parse (src/doc/parse.c) fills a batch and
 * leaves it on the document (oc_doc_highlight_wait); the tests use it too.
 * oc_doc_highlight_block (octavo/doc.h) does one block alone. */
#ifndef OCTAVO_DOC_HIGHLIGHT_H
#define OCTAVO_DOC_HIGHLIGHT_H

#include "octavo/doc.h"

typedef struct oc_hl_batch oc_hl_batch;

/* A batch; Rust blocks' shown text (hidden lines dropped) goes into `a`
 * (the document's arena) at oc_hl_batch_add. */
oc_hl_batch *oc_hl_batch_new(oc_arena *a);

/* Does at once what oc_doc_highlight_block does before highlighting (the
 * language, n->lang, mdBook's hidden lines, the limits against `budget`)
 * and queues the block; its spans arrive at oc_hl_batch_wait. The first
 * block queued starts a helper thread, unless OCTAVO_THREADS=1. Returns 1
 * when the limits left the block plain, else 0. Call from one thread. */
int oc_hl_batch_add(oc_hl_batch *b, oc_node *n, int highlight, double *budget);

/* How many blocks were queued so far (an oc_chapter's hl_blocks). */
size_t oc_hl_batch_count(oc_hl_batch *b);

/* No more blocks: the helper finishes the queue in the background. */
void oc_hl_batch_close(oc_hl_batch *b);

/* Returns when the first `upto` blocks queued (all of them when there are
 * fewer) have their spans on their nodes: the calling thread highlights
 * those nobody has started. The spans are those oc_doc_highlight_block
 * gives, with any number of threads; a block with the language and text
 * of an earlier one is highlighted once and gets the same spans. Any
 * thread, several at once; b may be NULL. */
void oc_hl_batch_wait(oc_hl_batch *b, size_t upto);

/* Stops the helper (blocks not yet highlighted stay plain) and frees the
 * batch, and with it the spans it put on nodes. b may be NULL. */
void oc_hl_batch_free(oc_hl_batch *b);

#endif
