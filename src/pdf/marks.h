/* octavo — print marks (marks.c): what the page writer and the booklet
 * imposer share (the imposer, src/modules/impose.cc, gets the marks as
 * content from src/pdf/impose.c). Plain C, also read by C++. */
#ifndef OCTAVO_PDF_MARKS_H
#define OCTAVO_PDF_MARKS_H

#include "octavo/diag.h"
#include "octavo/util.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A 3 mm bleed; crop marks 6 mm long starting 3 mm outside the trim; the
 * medium reaches 10 mm beyond the trim. */
#define OC_PDF_MM (72.0 / 25.4)
#define OC_PDF_BLEED (3 * OC_PDF_MM)
#define OC_PDF_MARK_GAP (3 * OC_PDF_MM)
#define OC_PDF_MARK_LEN (6 * OC_PDF_MM)
#define OC_PDF_SLUG (10 * OC_PDF_MM)

/* Appends the crop marks of the trimmed area [0 0 w h] (and, with fold,
 * fold marks at its vertical centre line) as an /Artifact to a content
 * stream. */
void oc_pdf_crop_marks(oc_buf *b, double w, double h, int fold);

#ifdef __cplusplus
}
#endif

#endif
