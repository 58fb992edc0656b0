/* oc_build: load and parse the book once, run the requested backends over the
 * same Document, and only then write every output atomically. */
#include "octavo/book.h"
#include "octavo/epub.h"
#include "octavo/octavo.h"
#include "octavo/pdf.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *ext;
    oc_buf data;
    int wanted;
} output;

static const char *join(oc_arena *a, const char *dir, const char *slug, const char *ext) {
    size_t n = strlen(dir);
    return oc_arena_printf(a, "%s%s%s.%s", dir, n && dir[n - 1] != '/' ? "/" : "", slug, ext);
}

oc_status oc_build(const oc_options *opt, oc_diag *diag) {
    oc_document doc;
    oc_status st = oc_book_load(&doc, opt->book ? opt->book : "book", oc_io_disk(), diag);
    output outs[2] = {{"pdf", {0}, opt->want_pdf}, {"epub", {0}, opt->want_epub}};
    if (st != OC_OK || opt->check_only) goto done;

    if (outs[1].wanted) st = oc_epub_write(&doc, &outs[1].data, diag);
    if (st == OC_OK && outs[0].wanted) {
        oc_pdf_options po = {opt->paper ? opt->paper : (doc.meta.paper ? doc.meta.paper : "a4"),
                             opt->profile == OC_PROFILE_PRINT, opt->fonts_dir};
        st = oc_pdf_write(&doc, &po, &outs[0].data, diag);
    }
    if (st == OC_OK && diag->errors) st = OC_ERR_INPUT;
    if (st != OC_OK) goto done;

    /* Every output is complete in memory: now write them. */
    const char *outdir = opt->outdir ? opt->outdir : "out";
    for (int i = 0; i < 2 && st == OC_OK; i++) {
        if (!outs[i].wanted) continue;
        const char *path = join(&doc.arena, outdir, doc.meta.slug, outs[i].ext);
        st = oc_output_write(path, outs[i].data.data, outs[i].data.len, diag);
        if (st == OC_OK && opt->verbose > 0)
            fprintf(stderr, "octavo: wrote %s (%zu bytes)\n", path, outs[i].data.len);
    }
done:
    for (int i = 0; i < 2; i++)
        oc_buf_free(&outs[i].data);
    oc_doc_free(&doc);
    return st;
}
