/* libFuzzer target: Markdown with raw HTML -> Document (gumbo's fragments
 * mapped onto our nodes, src/doc/html.c) -> every chapter's XHTML and the
 * layout. Besides crashes, sanitizer reports, leaks and time-outs, a
 * finding is XHTML that carries what the HTML path must remove: a
 * <script>, <style>, <iframe>, <object>, <embed> or <form> element, an on*
 * attribute, or a javascript:/vbscript:/data: link (our renderer writes
 * every tag itself, so a plain search of its output is exact). Seeds: the
 * fixture books (tests/fixtures/html among them); html.dict holds the
 * tags, attributes and entities. Fonts come from OCTAVO_FONTS_DIR, read
 * once. */
#define FUZZ_OWN_INITIALIZE /* it also loads the fonts */
#include "fuzz_common.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static oc_fontset *fonts;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_setup();
    const char *env = getenv("OCTAVO_FONTS_DIR");
    oc_diag diag;
    oc_diag_init(&diag, stderr);
    if (oc_fonts_load(&fonts, env && *env ? env : OCTAVO_FONTS_DIR, &diag) != OC_OK) abort();
    oc_diag_free(&diag);
    return 0;
}

static void check_xhtml(const oc_buf *b) {
    static const char *never[] = {"<script", "<style",        "<iframe",      "<object",
                                  "<embed",  "<form",         "href=\"javascript:",
                                  " onclick", "href=\"vbscript:", "href=\"data:",  "src=\"data:",
                                  " onerror", " onload"};
    if (!b->data) return;
    for (size_t i = 0; i < sizeof never / sizeof *never; i++) {
        if (strstr(b->data, never[i])) {
            fprintf(stderr, "XHTML carries '%s':\n%s\n", never[i], b->data);
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 64 * 1024) return 0;
    oc_io io;
    oc_io_memory(&io, fuzz_files);
    oc_diag diag;
    oc_diag_init(&diag, NULL);
    oc_document doc;
    if (oc_book_load_string(&doc, "fuzz.md", (const char *)data, size, &io, &diag) == OC_OK) {
        for (int i = 0; i < doc.nchapters; i++) {
            oc_buf body;
            oc_buf_init(&body);
            oc_epub_chapter_body(&doc, i, &body);
            check_xhtml(&body);
            oc_buf_free(&body);
        }
        oc_layout_options lo = {"a4", 0, NULL};
        oc_layout layout;
        memset(&layout, 0, sizeof layout);
        oc_layout_run(&doc, &lo, fonts, &layout, &diag);
        oc_layout_free(&layout);
    }
    oc_doc_free(&doc);
    oc_diag_free(&diag);
    return 0;
}
