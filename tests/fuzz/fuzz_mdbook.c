/* libFuzzer target: an mdBook folder -> Book -> Document -> XHTML. The input
 * is split at NUL bytes into bk/book.toml, bk/src/SUMMARY.md and up to six
 * more files at fixed names the other pieces can cite: chapters (src/a.md,
 * src/b.md, src/sub/c.md, src/d.md) and included files (listings/l.rs,
 * listings/e.md). This reaches the TOML reader, SUMMARY.md's structure,
 * every directive form with its nesting, cycles and confinement, the line
 * map back to the chapter files, and links between chapters as mdBook
 * writes them (.html, index.html, fragments in any case). Every chapter's
 * XHTML is rendered; one input in 32 (by a hash) goes on to the whole EPUB,
 * nav and NCX included. */
#include "fuzz_common.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MAX_FILES 8

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static const char *const names[MAX_FILES] = {
        "bk/book.toml",    "bk/src/SUMMARY.md", "bk/src/a.md",      "bk/src/b.md",
        "bk/src/sub/c.md", "bk/listings/l.rs",  "bk/listings/e.md", "bk/src/d.md"};
    if (size > 256 * 1024) return 0;
    oc_memfile files[MAX_FILES + 2];
    size_t n = 0, start = 0;
    for (size_t i = 0; i <= size && n < MAX_FILES; i++) {
        if (i == size || data[i] == 0) {
            files[n] = (oc_memfile){names[n], (const char *)data + start, i - start};
            n++;
            start = i + 1;
        }
    }
    files[n++] = (oc_memfile){"bk/src/a.png", fuzz_png, sizeof fuzz_png - 1};
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
