/* octavo — the EPUB 3 backend. Walks the Document; never sees layout.
 * Only src/epub/ includes zip.h. */
#ifndef OCTAVO_EPUB_H
#define OCTAVO_EPUB_H

#include "octavo/doc.h"

/* Writes the whole EPUB into `out` (an empty buffer the caller frees). */
oc_status oc_epub_write(const oc_document *doc, oc_buf *out, oc_diag *diag);

/* Appends the XHTML body content of one chapter (the renderer used by
 * oc_epub_write), for golden tests. */
void oc_epub_chapter_body(const oc_document *doc, int chapter, oc_buf *out);

#endif
