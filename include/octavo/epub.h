/* octavo — the EPUB 3 backend. Walks the Document; never sees layout.
 * Only src/epub/ includes zip.h. */
#ifndef OCTAVO_EPUB_H
#define OCTAVO_EPUB_H

#include "octavo/doc.h"

/* Writes the whole EPUB into `out` (an empty buffer the caller frees). */
oc_status oc_epub_write(const oc_document *doc, oc_buf *out, oc_diag *diag);

/* The pages of a PDF edition, for the EPUB's page-list: where each begins
 * in the Document (in page order, as the layout found them; see
 * oc_page_break in doc.h) and the edition they are from, named in the
 * package (dc:source, pageBreakSource). Borrowed for the call. */
typedef struct oc_epub_pages_s {
    const oc_page_break *v;
    size_t n;
    const char *source; /* "Title, PDF edition (A4, print)" */
} oc_epub_pages;

/* oc_epub_write with a page-list: a pagebreak marker in the XHTML where each
 * page begins, a page-list nav, a pageList in the NCX, and the package's
 * dc:source, pageBreakSource and the features pageNavigation and
 * printPageNumbers. NULL (or no pages) writes none of these. */
oc_status oc_epub_write_paged(const oc_document *doc, const oc_epub_pages *pages, oc_buf *out,
                              oc_diag *diag);

/* Appends the XHTML body content of one chapter (the renderer used by
 * oc_epub_write), for golden tests. */
void oc_epub_chapter_body(const oc_document *doc, int chapter, oc_buf *out);

#endif
