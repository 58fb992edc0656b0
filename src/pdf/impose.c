/* octavo — --impose booklet: the C face of the imposer's module
 * (src/modules/impose.cc, over libqpdf), opened only when a booklet is
 * asked for. */
#include "modules/modules.h"
#include "octavo/pdf.h"
#include "pdf/marks.h"
#include "util/module.h"

#include <stdlib.h>

oc_status oc_pdf_impose_booklet(const void *pdf, size_t len, double sheet_w, double sheet_h,
                                int marks, oc_buf *out, oc_diag *diag) {
    char err[400] = "";
    int (*booklet)(const void *, size_t, double, double, const char *, size_t, void **, size_t *,
                   char *, size_t);
#ifndef OCTAVO_EMBED_MODULES
    booklet = oc_imposemod_booklet;
#else
    *(void **)&booklet =
        oc_module_symbol(OC_MODULE_IMPOSE, "oc_imposemod_booklet", err, sizeof err);
    if (!booklet) {
        oc_diag_report(diag, OC_ERROR, NULL, 0, 0, "imposing the booklet: %s", err);
        return OC_ERR_INTERNAL;
    }
#endif
    oc_buf m;
    oc_buf_init(&m);
    if (marks) oc_pdf_crop_marks(&m, sheet_w, sheet_h, 1);
    void *bytes = NULL;
    size_t n = 0;
    int rc = booklet(pdf, len, sheet_w, sheet_h, marks ? m.data : NULL, m.len, &bytes, &n, err,
                     sizeof err);
    oc_buf_free(&m);
    if (rc != 0) {
        oc_diag_report(diag, OC_ERROR, NULL, 0, 0, "imposing the booklet: %s", err);
        return OC_ERR_INTERNAL;
    }
    oc_buf_append(out, bytes, n);
    free(bytes);
    return OC_OK;
}
