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

/* The PDF, written to its staged file as it is saved (see oc_pdf_stream),
 * which is made at the first byte: a build that stops before the save
 * leaves nothing behind. */
typedef struct {
    oc_output_file *file;
    const char *path;
    int fd; /* -1 until the first byte */
    size_t bytes;
    oc_diag *diag;
} staged_pdf;

static int staged_write(void *user, const void *data, size_t len) {
    staged_pdf *s = user;
    if (s->fd < 0 && oc_output_open(s->file, s->path, &s->fd, s->diag) != OC_OK) return -1;
    if (oc_output_put(s->file, s->fd, data, len, s->diag) != OC_OK) return -1;
    s->bytes += len;
    return 0;
}

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

/* The PDF edition's pages, for the EPUB's page-list: handed over by the
 * PDF's layout once it has paginated (the EPUB thread waits for them), or
 * paginated by the EPUB job itself when no PDF is made. */
typedef struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int ready;
    oc_page_break *breaks; /* malloc'd copy; NULL when the PDF failed */
    size_t n;
} page_map;

static void map_set(page_map *m, const oc_page_break *breaks, size_t n) {
    pthread_mutex_lock(&m->mu);
    if (!m->ready && breaks && n) {
        m->breaks = oc_xmalloc(n * sizeof *breaks);
        memcpy(m->breaks, breaks, n * sizeof *breaks);
        m->n = n;
    }
    m->ready = 1;
    pthread_cond_broadcast(&m->cv);
    pthread_mutex_unlock(&m->mu);
}

static void got_pages(void *user, const oc_page_break *breaks, size_t n) {
    map_set(user, breaks, n);
}

static void map_wait(page_map *m) {
    pthread_mutex_lock(&m->mu);
    while (!m->ready)
        pthread_cond_wait(&m->cv, &m->mu);
    pthread_mutex_unlock(&m->mu);
}

/* One backend's job. Each writes its own diagnostics sink, replayed into
 * the build's sink afterwards in a fixed order, so the messages (and the
 * outputs) are the same whether the backends ran one after the other or on
 * two cores at once. */
typedef struct {
    const oc_document *doc;
    const oc_pdf_options *pdf; /* the PDF's (the EPUB's page-list follows them too) */
    int epub;                  /* 1: this job writes the EPUB */
    page_map *map;             /* the EPUB: pages from the PDF job; NULL: paginate here */
    const char *source;        /* the EPUB: the PDF edition its pages follow */
    oc_buf *out;
    oc_diag diag;
    oc_status st;
} job;

/* --format epub alone: the pages the PDF would have with the same options,
 * laid out without drawing. Layout messages (fonts) are the PDF's business
 * and stay unsaid; when the fonts cannot be read, the EPUB has no
 * page-list (a warning says so). */
static void paginate_only(const job *j, page_map *m, oc_diag *diag) {
    oc_fontset *fonts = NULL;
    oc_diag quiet;
    oc_diag_init(&quiet, NULL);
    const char *dir = j->pdf->fonts_dir ? j->pdf->fonts_dir : OCTAVO_FONTS_DIR;
    oc_layout l;
    memset(&l, 0, sizeof l);
    if (oc_fonts_load(&fonts, dir, &quiet) == OC_OK) {
        oc_fonts_set_language(fonts, j->doc->meta.language);
        oc_layout_options lo = {j->pdf->paper, j->pdf->print, NULL};
        if (oc_layout_paginate(j->doc, &lo, fonts, &l, &quiet) == OC_OK) {
            map_set(m, l.breaks, l.npages);
            oc_layout_free(&l);
        }
    }
    if (!m->ready)
        oc_diag_report(diag, OC_WARNING, j->doc->meta_path, 0, 0,
                       "the EPUB has no page-list: the PDF edition could not be paginated");
    oc_fonts_free(fonts);
    oc_diag_free(&quiet);
}

static void *run_job(void *arg) {
    job *j = arg;
    if (!j->epub) {
        j->st = j->map ? oc_pdf_write_paged(j->doc, j->pdf, got_pages, j->map, j->out, &j->diag)
                       : oc_pdf_write(j->doc, j->pdf, j->out, &j->diag);
        if (j->map) map_set(j->map, NULL, 0); /* the EPUB waits no longer */
        return NULL;
    }
    page_map own;
    memset(&own, 0, sizeof own);
    page_map *m = j->map;
    if (!m) {
        pthread_mutex_init(&own.mu, NULL);
        pthread_cond_init(&own.cv, NULL);
        m = &own;
        paginate_only(j, m, &j->diag);
    }
    map_wait(m);
    oc_epub_pages pages = {m->breaks, m->n, j->source};
    j->st = oc_epub_write_paged(j->doc, &pages, j->out, &j->diag);
    if (m == &own) {
        free(own.breaks);
        pthread_mutex_destroy(&own.mu);
        pthread_cond_destroy(&own.cv);
    }
    return NULL;
}

/* The EPUB's job on its own thread. */
static void *epub_main(void *arg) {
    oc_thread_name("oc-epub");
    oc_thread_background(); /* the main thread, drawing the pages, goes first */
    return run_job(arg);
}

/* "Title, PDF edition (A4, print)": the edition the EPUB's pages follow. */
static const char *edition(oc_arena *a, const oc_document *doc, const char *paper, int print) {
    static const struct {
        const char *name, *shown;
    } papers[] = {{"a4", "A4"},
                  {"letter", "US Letter"},
                  {"a5", "A5"},
                  {"6x9", "6 x 9 in"},
                  {"half-letter", "half letter"}};
    const char *shown = paper;
    for (size_t i = 0; i < sizeof papers / sizeof papers[0]; i++)
        if (strcmp(paper, papers[i].name) == 0) shown = papers[i].shown;
    const char *title = doc->meta.title && doc->meta.title[0] ? doc->meta.title : doc->meta.slug;
    return oc_arena_printf(a, "%s, PDF edition (%s, %s)", title ? title : "The book", shown,
                           print ? "print" : "screen");
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
    oc_output_file files[3] = {{NULL, -1}, {NULL, -1}, {NULL, -1}};
    staged_pdf staged = {&files[0], NULL, -1, 0, diag};
    const char *outdir = opt->outdir ? opt->outdir : "out";
    if (st != OC_OK) goto done;
    st = oc_doc_select_chapters(&doc, opt->chapters, diag); /* --chapters */
    if (st != OC_OK) goto done;
    oc_a11y_scan(&doc, NULL, diag); /* warnings only; the EPUB takes its own facts */
    oc_doc_drop_sources(&doc);      /* parsed and checked: the Markdown is not read again */
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
    oc_pdf_options po = {paper, opt->profile == OC_PROFILE_PRINT, opt->fonts_dir, opt->marks, NULL,
                         1};
    /* the PDF goes to its file as it is saved, unless the booklet is made
     * from it */
    oc_pdf_stream to_file = {staged_write, &staged};
    if (outs[0].wanted && !outs[2].wanted) {
        staged.path = join(&doc.arena, outdir, doc.meta.slug, outs[0].ext);
        po.stream = &to_file;
    }
    int run[2] = {outs[1].wanted, outs[0].wanted};
    /* both editions: the EPUB's page-list comes from the PDF's own layout */
    page_map map;
    memset(&map, 0, sizeof map);
    pthread_mutex_init(&map.mu, NULL);
    pthread_cond_init(&map.cv, NULL);
    page_map *shared = run[0] && run[1] ? &map : NULL;
    const char *source = edition(&doc.arena, &doc, paper, po.print);
    job jobs[2] = {{&doc, &po, 1, shared, source, &outs[1].data, {0}, OC_OK},
                   {&doc, &po, 0, shared, NULL, &outs[0].data, {0}, OC_OK}};
    pthread_t epub_thread;
    int threaded = 0;
    for (int i = 0; i < 2; i++)
        oc_diag_init(&jobs[i].diag, NULL);
    /* The EPUB goes to a second thread while the PDF is laid out here; it
     * waits there for the PDF's pages, then is written while they are drawn. */
    if (run[0] && run[1]) threaded = pthread_create(&epub_thread, NULL, epub_main, &jobs[0]) == 0;
    if (run[1]) run_job(&jobs[1]);
    if (run[0] && !threaded) run_job(&jobs[0]);
    if (threaded) pthread_join(epub_thread, NULL);
    if (staged.fd >= 0 &&
        oc_output_close(&files[0], staged.fd, jobs[1].st == OC_OK, diag) != OC_OK && st == OC_OK)
        st = OC_ERR_IO;
    staged.fd = -1;
    free(map.breaks);
    pthread_mutex_destroy(&map.mu);
    pthread_cond_destroy(&map.cv);
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
    size_t sizes[3] = {outs[0].data.len + staged.bytes, outs[1].data.len, outs[2].data.len};
    oc_progress_step(progress, "writing %.1f MB", (sizes[0] + sizes[1] + sizes[2]) / 1e6);

    /* Every output is complete, in memory or (the PDF) in its staged file:
     * now write them, all or none. */
    for (int i = 0; i < 3 && st == OC_OK; i++) {
        if (!outs[i].wanted || files[i].slot >= 0) continue;
        const char *path = join(&doc.arena, outdir, doc.meta.slug, outs[i].ext);
        st = oc_output_stage(&files[i], path, outs[i].data.data, outs[i].data.len, diag);
    }
    if (st == OC_OK) st = oc_output_commit(files, 3, diag);
    for (int i = 0; i < 3 && st == OC_OK && opt->verbose > 0; i++)
        if (outs[i].wanted)
            fprintf(stderr, "octavo: wrote %s (%zu bytes)\n", files[i].path, sizes[i]);
done:
    oc_pdf_wait_freed();
    oc_output_discard(files, 3);
    oc_progress_stop(progress);
    for (int i = 0; i < 3; i++)
        oc_buf_free(&outs[i].data);
    oc_doc_free(&doc);
    return st;
}
