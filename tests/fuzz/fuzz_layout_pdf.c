/* libFuzzer target: Document -> layout -> PDF in memory. The first byte
 * picks the options (paper in bits 0-1, print profile in bit 2); the rest is
 * Markdown with optional YAML front matter. Every input is laid out; a hash
 * of the whole input sends one in 32 on to the PDF and one in 8 to the
 * layout's text dump. A PDF costs some fifty layouts of a short input
 * (libharu builds each font's 64K-entry CID maps and compresses its tables),
 * and a choice by a hash cannot be inherited: with a flag in the option
 * byte, inputs that reached the PDF carried more coverage, filled the corpus
 * and passed the flag to their mutants, and the fuzzer spent most of its
 * time in libharu. Fonts come from OCTAVO_FONTS_DIR (the source tree's
 * fonts/) and are read once: each input then takes the steps of oc_pdf_write
 * (oc_layout_run, oc_pdf_write_layout) without the 9 MB of font files read
 * again; the hyphenation patterns are parsed once per language. */
#define FUZZ_OWN_INITIALIZE /* it also loads the fonts */
#include "fuzz_common.h"
#include "octavo/pdf.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static oc_fontset *fonts;
static const char *fonts_dir;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_setup();
    const char *env = getenv("OCTAVO_FONTS_DIR");
    fonts_dir = env && *env ? env : OCTAVO_FONTS_DIR;
    oc_diag diag;
    oc_diag_init(&diag, stderr);
    if (oc_fonts_load(&fonts, fonts_dir, &diag) != OC_OK) abort();
    oc_diag_free(&diag);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *papers[] = {"a4", "letter", "a5", "6x9"};
    if (size < 1 || size > 64 * 1024) return 0;
    oc_pdf_options opt = {
        papers[data[0] & 3], (data[0] >> 2) & 1, fonts_dir, (data[0] >> 3) & 1, NULL, 0};
    oc_layout_options lo = {opt.paper, opt.print, NULL};
    oc_io io;
    oc_io_memory(&io, fuzz_files);
    oc_diag diag;
    oc_diag_init(&diag, NULL);
    oc_document doc;
    if (oc_book_load_string(&doc, "fuzz.md", (const char *)data + 1, size - 1, &io, &diag) ==
        OC_OK) {
        lo.hyphen = fuzz_patterns(doc.meta.language);
        oc_layout layout;
        memset(&layout, 0, sizeof layout);
        if (oc_layout_run(&doc, &lo, fonts, &layout, &diag) == OC_OK) {
            oc_buf out;
            oc_buf_init(&out);
            uint32_t h = fuzz_hash(data, size);
            if (h % 32 == 0)
                oc_pdf_write_layout(&doc, &layout, fonts, &opt, &out, &diag);
            else if (h % 8 == 1)
                oc_layout_dump(&layout, &out);
            oc_buf_free(&out);
        }
        oc_layout_free(&layout);
    }
    oc_doc_free(&doc);
    oc_diag_free(&diag);
    return 0;
}
