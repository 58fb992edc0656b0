/* libFuzzer target: a whole book folder -> Book -> Document -> XHTML. The
 * input is split at NUL bytes: the first piece is bk/book.yaml, the next
 * (at most eight) are bk/chapters/c1.md, c2.md, ...; the folder also holds
 * images (bk/images/a.png, bk/images/b.jpg, bk/cover.png). This reaches
 * what single-file inputs cannot: book.yaml's keys and chapter list, path
 * confinement of chapters, images and the cover, links and anchors between
 * chapters, ids unique across the book, figures numbered through it. Every
 * chapter's XHTML is rendered; one input in 32 (by a hash) also goes on to
 * the whole EPUB in memory. */
#include "fuzz_common.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define MAX_CHAPTERS 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const names[MAX_CHAPTERS + 1] = {
        "bk/book.yaml",      "bk/chapters/c1.md", "bk/chapters/c2.md",
        "bk/chapters/c3.md", "bk/chapters/c4.md", "bk/chapters/c5.md",
        "bk/chapters/c6.md", "bk/chapters/c7.md", "bk/chapters/c8.md"};
    if (size > 256 * 1024) return 0;
    oc_memfile files[MAX_CHAPTERS + 1 + 5];
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size && n <= MAX_CHAPTERS; i++) {
        if (i == size || data[i] == 0) {
            files[n] = (oc_memfile){names[n], (const char *)data + start, i - start};
            n++;
            start = i + 1;
        }
    }
    files[n++] = (oc_memfile){"bk/images/a.png", fuzz_png, sizeof fuzz_png - 1};
    files[n++] = (oc_memfile){"bk/images/b.jpg", fuzz_jpeg, sizeof fuzz_jpeg - 1};
    files[n++] = (oc_memfile){"bk/cover.png", fuzz_png, sizeof fuzz_png - 1};
    files[n++] = (oc_memfile){"bk/chapters/a.png", fuzz_png, sizeof fuzz_png - 1};
    files[n] = (oc_memfile){NULL, NULL, 0};

    oc_io io;
    oc_io_memory(&io, files);
    oc_diag diag;
    oc_diag_init(&diag, NULL);
    oc_document doc;
    memset(&doc, 0, sizeof doc);
    if (oc_book_load(&doc, "bk", &io, &diag) == OC_OK) fuzz_render_epub(&doc, data, size, &diag);
    oc_doc_free(&doc);
    oc_diag_free(&diag);
    return 0;
}
