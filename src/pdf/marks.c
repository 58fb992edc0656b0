/* Print marks (--marks), shared by the page writer and the booklet imposer:
 * crop marks at the corners of a trimmed area, and fold marks on its
 * vertical centre line for a booklet sheet. The trimmed area is [0 0 w h];
 * the marks lie outside the bleed, on the lines of the trim edges (and of
 * the fold), stroked in registration colour (every ink) as an artifact. */
#include "pdf/marks.h"

static void stroke(oc_buf *b, double x0, double y0, double x1, double y1) {
    oc_buf_printf(b, "%.3f %.3f m %.3f %.3f l\n", x0, y0, x1, y1);
}

void oc_pdf_crop_marks(oc_buf *b, double w, double h, int fold) {
    const double gap = OC_PDF_MARK_GAP, len = OC_PDF_MARK_LEN;
    oc_buf_puts(b, "/Artifact BMC\nq\n0.25 w\n1 1 1 1 K\n");
    const double xs[2] = {0, w}, ys[2] = {0, h};
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 2; j++) {
            double x = xs[i], y = ys[j];
            double sx = i ? 1 : -1, sy = j ? 1 : -1; /* outwards */
            stroke(b, x + sx * gap, y, x + sx * (gap + len), y);
            stroke(b, x, y + sy * gap, x, y + sy * (gap + len));
        }
    if (fold) { /* where the sheet folds: above and below the centre line */
        stroke(b, w / 2, -gap, w / 2, -(gap + len));
        stroke(b, w / 2, h + gap, w / 2, h + gap + len);
    }
    oc_buf_puts(b, "S\nQ\nEMC\n");
}
