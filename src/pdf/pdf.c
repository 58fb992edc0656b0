/* oc_pdf_write: fonts, layout, then the writer (writer.c). Kept apart from
 * writer.c so that tests drawing hand-made layouts link without the layout
 * engine. */
#include "octavo/pdf.h"
#include "pdf/pdf_internal.h"

#include <pthread.h>
#include <string.h>

#ifndef OCTAVO_FONTS_DIR
#define OCTAVO_FONTS_DIR "fonts"
#endif

/* The writer's sink, telling `pages` where the pages begin first. */
typedef struct {
    oc_page_sink inner;
    oc_pdf_pages_fn pages;
    void *user;
    const oc_layout *layout;
} paged_sink;

static oc_status paged_begin(void *user, double width, double height, size_t npages,
                             const oc_layout_dest *dests, size_t ndests) {
    paged_sink *p = user;
    p->pages(p->user, p->layout->breaks, npages);
    return p->inner.begin(p->inner.user, width, height, npages, dests, ndests);
}

static oc_status paged_page(void *user, size_t index, const oc_page *page) {
    paged_sink *p = user;
    return p->inner.page(p->inner.user, index, page);
}

/* A writer and its fonts freed on a thread of their own (see
 * oc_pdf_options.free_later): one at a time. */
static struct {
    pthread_mutex_t mu;
    pthread_t thread;
    int running;
    oc_pdf_writer *w;
    oc_fontset *fonts;
} later = {PTHREAD_MUTEX_INITIALIZER, 0, 0, NULL, NULL};

static void *free_main(void *arg) {
    (void)arg;
    oc_thread_name("oc-free");
    oc_pdf_writer_free(later.w);
    oc_fonts_free(later.fonts);
    return NULL;
}

void oc_pdf_wait_freed(void) {
    pthread_mutex_lock(&later.mu);
    if (later.running) pthread_join(later.thread, NULL);
    later.running = 0;
    pthread_mutex_unlock(&later.mu);
}

/* Frees w, then fonts: now, or on the thread when asked to and it starts. */
static void release(oc_pdf_writer *w, oc_fontset *fonts, int free_later) {
    if (free_later) {
        oc_pdf_wait_freed();
        pthread_mutex_lock(&later.mu);
        later.w = w;
        later.fonts = fonts;
        later.running = pthread_create(&later.thread, NULL, free_main, NULL) == 0;
        int started = later.running;
        pthread_mutex_unlock(&later.mu);
        if (started) return;
    }
    oc_pdf_writer_free(w);
    oc_fonts_free(fonts);
}

oc_status oc_pdf_write(const oc_document *doc, const oc_pdf_options *opt, oc_buf *out,
                       oc_diag *diag) {
    return oc_pdf_write_paged(doc, opt, NULL, NULL, out, diag);
}

oc_status oc_pdf_write_paged(const oc_document *doc, const oc_pdf_options *opt,
                             oc_pdf_pages_fn pages, void *user, oc_buf *out, oc_diag *diag) {
    oc_fontset *fonts = NULL;
    oc_pdf_writer *w = NULL;
    oc_layout layout;
    memset(&layout, 0, sizeof layout);
    int have_layout = 0;
    const char *dir = opt && opt->fonts_dir ? opt->fonts_dir : OCTAVO_FONTS_DIR;
    oc_status st = oc_fonts_load(&fonts, dir, diag);
    if (st != OC_OK) goto done;
    oc_fonts_set_language(fonts, doc->meta.language);

    oc_layout_options lo;
    memset(&lo, 0, sizeof lo);
    lo.paper = opt && opt->paper ? opt->paper : doc->meta.paper ? doc->meta.paper : "a4";
    lo.print = opt ? opt->print : 0;
    /* each page is drawn as soon as it is laid out, and not kept */
    w = oc_pdf_writer_new(fonts, diag);
    if (!w) {
        st = OC_ERR_INTERNAL;
        goto done;
    }
    oc_pdf_writer_set_language(w, doc->meta.language); /* shaped as the layout shaped */
    oc_pdf_writer_set_svg(w, lo.print ? OC_PDF_PRINT_DPI : OC_PDF_SCREEN_DPI, dir);
    oc_pdf_writer_set_marks(w, opt ? opt->marks : 0);
    if (opt && opt->stream) oc_pdf_writer_set_stream(w, opt->stream);
    oc_page_sink sink = oc_pdf_writer_sink(w);
    paged_sink ps = {sink, pages, user, &layout};
    if (pages) sink = (oc_page_sink){&ps, paged_begin, paged_page};
    st = oc_layout_stream(doc, &lo, fonts, &sink, &layout, diag);
    have_layout = 1;
    if (st != OC_OK) goto done;
    st = oc_pdf_writer_finish(w, doc, &layout);
    /* the layout's text and names are drawn and copied by now: free them
     * before the save, when libharu holds the whole document */
    oc_layout_free(&layout);
    have_layout = 0;
    if (st == OC_OK) st = oc_pdf_writer_save(w, out);
done:
    if (have_layout) oc_layout_free(&layout);
    release(w, fonts, opt && opt->free_later);
    return st;
}
