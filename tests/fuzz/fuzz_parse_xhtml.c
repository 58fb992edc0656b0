/* libFuzzer target: Markdown with optional YAML front matter -> Book ->
 * Document -> the XHTML of every chapter; for one input in 32 (by a hash of
 * its bytes), also the whole EPUB in memory: the zip container costs more
 * than the rest together (zlib sets up a deflater for each of its ten-odd
 * entries), and what it adds to the chapters' XHTML varies little.
 * Any crash, sanitizer report, leak or time-out is a finding. */
#include "fuzz_common.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 256 * 1024) return 0;
    oc_io io;
    oc_io_memory(&io, fuzz_files);
    oc_diag diag;
    oc_diag_init(&diag, NULL);
    oc_document doc;
    if (oc_book_load_string(&doc, "fuzz.md", (const char *)data, size, &io, &diag) == OC_OK)
        fuzz_render_epub(&doc, data, size, &diag);
    oc_doc_free(&doc);
    oc_diag_free(&diag);
    return 0;
}
