/* octavo — the PDF backend: the layout engine's pages drawn with libharu.
 * Only src/pdf/ and the font metrics code include hpdf.h. */
#ifndef OCTAVO_PDF_H
#define OCTAVO_PDF_H

#include "octavo/doc.h"
#include "octavo/layout.h"

/* Where a PDF goes as it is saved, instead of into the `out` buffer:
 * write(user, data, len) gets the file's bytes in order, a piece at a time,
 * and returns 0, or nonzero to stop the save (having said why itself). */
typedef struct {
    int (*write)(void *user, const void *data, size_t len);
    void *user;
} oc_pdf_stream;

typedef struct {
    const char *paper;     /* "a4" (default), "letter", "a5", "6x9" */
    int print;             /* 1: print profile (black text, URLs shown, mirrored margins) */
    const char *fonts_dir; /* folder holding the bundled .ttf files */
    int marks;             /* 1: crop marks, TrimBox and a 3 mm BleedBox (--marks) */
    /* NULL: the PDF goes to `out`; else to the stream (`out` is left empty),
     * so that the whole file is never in memory: 40 MB of a 10,075-page
     * book's peak, when libharu holds every object of it */
    const oc_pdf_stream *stream;
    /* 1: oc_pdf_write and oc_pdf_write_paged return once the PDF is saved,
     * and its objects (libharu's every page, dictionary and stream) are
     * freed on a thread of their own, which oc_pdf_wait_freed waits for:
     * 20 ms of a 1,773-page book that the build spends writing its files */
    int free_later;
} oc_pdf_options;

/* Waits until what oc_pdf_options.free_later left is freed. */
void oc_pdf_wait_freed(void);

/* Imposes a finished PDF (pdf, len) as a saddle-stitched booklet on
 * landscape sheets of sheet_w x sheet_h points, into out: the pages padded
 * with blanks to a multiple of four, two to a side, each as a Form XObject
 * of its trimmed page; with marks, each sheet gets trim and bleed boxes,
 * crop marks and fold marks (src/modules/impose.cc, libqpdf, opened on use). */
oc_status oc_pdf_impose_booklet(const void *pdf, size_t len, double sheet_w, double sheet_h,
                                int marks, oc_buf *out, oc_diag *diag);

/* Lays out the document and writes the PDF into `out`. */
oc_status oc_pdf_write(const oc_document *doc, const oc_pdf_options *opt, oc_buf *out,
                       oc_diag *diag);

/* The same, and once the book is paginated, before any page is drawn,
 * pages(user, breaks, npages): where each page begins in the Document
 * (borrowed for the call; the EPUB's page-list is made from them, so both
 * editions come from one layout). */
typedef void (*oc_pdf_pages_fn)(void *user, const oc_page_break *breaks, size_t npages);
oc_status oc_pdf_write_paged(const oc_document *doc, const oc_pdf_options *opt,
                             oc_pdf_pages_fn pages, void *user, oc_buf *out, oc_diag *diag);

/* Draws an already laid-out book into `out` (what oc_pdf_write does after
 * oc_layout_run; tests call it with hand-made layouts). `doc` supplies the
 * Info dictionary (title, authors, subtitle) and source_date; the fontset
 * supplies the font files. Nothing passed in is modified or kept. */
oc_status oc_pdf_write_layout(const oc_document *doc, const oc_layout *layout,
                              const oc_fontset *fonts, const oc_pdf_options *opt, oc_buf *out,
                              oc_diag *diag);

#endif
