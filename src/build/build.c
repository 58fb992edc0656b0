/* oc_build: load and parse the book once, run the requested backends over the
 * same Document, and only then write every output atomically. */
#include "build/output.h"
#include "build/progress.h"
#include "octavo/a11y.h"
#include "octavo/book.h"
#include "octavo/epub.h"
#include "octavo/layout.h"
#include "octavo/octavo.h"
#include "octavo/pdf.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *ext; /* ".pdf", "-booklet.pdf": what follows the slug */
    oc_buf data;
    int wanted;
} output;

static const char *join(oc_arena *a, const char *dir, const char *slug, const char *ext) {
    size_t n = strlen(dir);
    return oc_arena_printf(a, "%s%s%s%s", dir, n && dir[n - 1] != '/' ? "/" : "", slug, ext);
}

/* --impose booklet: the sheet (landscape) and the page it halves. */
static void sheet_size(const char *sheet, double *w, double *h) {
    int letter = sheet && strcmp(sheet, "letter") == 0;
    *w = letter ? 792 : 841.89;
    *h = letter ? 612 : 595.28;
}

/* One backend's job. Each writes its own diagnostics sink, replayed into
 * the build's sink afterwards in a fixed order, so the messages (and the
 * outputs) are the same whether the backends ran one after the other or on
 * two cores at once. */
typedef struct {
    const oc_document *doc;
    const oc_pdf_options *pdf; /* NULL for the EPUB */
    oc_buf *out;
    oc_diag diag;
    oc_status st;
} job;

static void *run_job(void *arg) {
    job *j = arg;
    j->st = j->pdf ? oc_pdf_write(j->doc, j->pdf, j->out, &j->diag)
                   : oc_epub_write(j->doc, j->out, &j->diag);
    return NULL;
}

static void replay(oc_diag *into, const oc_diag *from) {
    for (size_t i = 0; i < from->count; i++) {
        const oc_diagnostic *d = &from->items[i];
        oc_diag_report(into, d->severity, d->file, d->line, d->column, "%s", d->message);
    }
}

/* check: the fonts must load too, or a build would fail later. */
static oc_status check_fonts(const oc_options *opt, oc_diag *diag) {
    oc_fontset *fonts = NULL;
    oc_status st = oc_fonts_load(&fonts, opt->fonts_dir ? opt->fonts_dir : OCTAVO_FONTS_DIR, diag);
    oc_fonts_free(fonts);
    return st;
}

static size_t source_bytes(const oc_document *doc) {
    size_t n = 0;
    for (int i = 0; i < doc->nchapters; i++)
        n += doc->chapters[i].source_len;
    return n;
}

oc_status oc_build(const oc_options *opt, oc_diag *diag) {
    oc_document doc;
    oc_progress *progress = oc_progress_start(stderr, opt->verbose);
    oc_progress_step(progress, "parsing %s", opt->book ? opt->book : "book");
    oc_status st = oc_book_load(&doc, opt->book ? opt->book : "book", oc_io_disk(), diag);
    output outs[3] = {{".pdf", {0}, opt->want_pdf},
                      {".epub", {0}, opt->want_epub},
                      {"-booklet.pdf", {0}, opt->want_pdf && opt->impose}};
    if (st != OC_OK) goto done;
    st = oc_doc_select_chapters(&doc, opt->chapters, diag); /* --chapters */
    if (st != OC_OK) goto done;
    oc_a11y_scan(&doc, NULL, diag); /* warnings only; the EPUB takes its own facts */
    oc_progress_step(progress, "parsed %d chapters (%.2f MB of Markdown)", doc.nchapters,
                     source_bytes(&doc) / 1e6);
    if (opt->check_only) {
        if (opt->want_pdf) st = check_fonts(opt, diag);
        goto done;
    }
    oc_progress_step(progress, "laying out and writing %s",
                     opt->want_pdf && opt->want_epub ? "the PDF and the EPUB"
                     : opt->want_pdf                 ? "the PDF"
                                                     : "the EPUB");

    /* a booklet's pages are half its sheet unless --paper says otherwise */
    const char *paper =
        opt->paper ? opt->paper
        : opt->impose && opt->want_pdf
            ? (opt->sheet && strcmp(opt->sheet, "letter") == 0 ? "half-letter" : "a5")
        : doc.meta.paper ? doc.meta.paper
                         : "a4";
    oc_pdf_options po = {paper, opt->profile == OC_PROFILE_PRINT, opt->fonts_dir, opt->marks};
    job jobs[2] = {{&doc, NULL, &outs[1].data, {0}, OC_OK}, {&doc, &po, &outs[0].data, {0}, OC_OK}};
    int run[2] = {outs[1].wanted, outs[0].wanted};
    pthread_t epub_thread;
    int threaded = 0;
    for (int i = 0; i < 2; i++)
        oc_diag_init(&jobs[i].diag, NULL);
    /* The EPUB goes to a second thread while the PDF is laid out here. */
    if (run[0] && run[1]) threaded = pthread_create(&epub_thread, NULL, run_job, &jobs[0]) == 0;
    if (run[0] && !threaded) run_job(&jobs[0]);
    if (run[1]) run_job(&jobs[1]);
    if (threaded) pthread_join(epub_thread, NULL);
    for (int i = 0; i < 2; i++) {
        replay(diag, &jobs[i].diag);
        oc_diag_free(&jobs[i].diag);
        if (run[i] && jobs[i].st != OC_OK && st == OC_OK) st = jobs[i].st;
    }
    if (st == OC_OK && diag->errors) st = OC_ERR_INPUT;
    if (st == OC_OK && outs[2].wanted) {
        double sw, sh;
        sheet_size(opt->sheet, &sw, &sh);
        st = oc_pdf_impose_booklet(outs[0].data.data, outs[0].data.len, sw, sh, opt->marks,
                                   &outs[2].data, diag);
    }
    if (st != OC_OK) goto done;
    oc_progress_step(progress, "writing %.1f MB",
                     (outs[0].data.len + outs[1].data.len + outs[2].data.len) / 1e6);

    /* Every output is complete in memory: now write them, all or none. */
    const char *outdir = opt->outdir ? opt->outdir : "out";
    oc_output_file files[3] = {{NULL, -1}, {NULL, -1}, {NULL, -1}};
    for (int i = 0; i < 3 && st == OC_OK; i++) {
        if (!outs[i].wanted) continue;
        const char *path = join(&doc.arena, outdir, doc.meta.slug, outs[i].ext);
        st = oc_output_stage(&files[i], path, outs[i].data.data, outs[i].data.len, diag);
    }
    if (st == OC_OK) st = oc_output_commit(files, 3, diag);
    oc_output_discard(files, 3);
    for (int i = 0; i < 3 && st == OC_OK && opt->verbose > 0; i++)
        if (outs[i].wanted)
            fprintf(stderr, "octavo: wrote %s (%zu bytes)\n", files[i].path, outs[i].data.len);
done:
    oc_progress_stop(progress);
    for (int i = 0; i < 3; i++)
        oc_buf_free(&outs[i].data);
    oc_doc_free(&doc);
    return st;
}
