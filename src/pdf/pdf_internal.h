/* octavo — internals shared by the PDF writer's files (src/pdf/). */
#ifndef OCTAVO_PDF_INTERNAL_H
#define OCTAVO_PDF_INTERNAL_H

#include "octavo/layout.h"
#include "octavo/util.h"

/* The writer in steps, for a layout streamed page by page (oc_pdf_write)
 * as well as a finished one (oc_pdf_write_layout):
 *   w = oc_pdf_writer_new(fonts, diag)     NULL after a reported failure
 *   sink = oc_pdf_writer_sink(w)           begin(): pages and destinations;
 *                                          page(): draws one page (its
 *                                          content deflated into libharu)
 *   oc_pdf_writer_finish(w, doc, l)        bookmarks, labels, Info, fonts;
 *                                          l needs pages' labels and marks,
 *                                          not items, and may go after it
 *   oc_pdf_writer_save(w, out)             the whole PDF into `out`
 *   oc_pdf_writer_free(w)
 * Fonts are embedded in the order of their first use. Destination names and
 * the fontset are borrowed until finish. */
typedef struct oc_pdf_writer oc_pdf_writer;
oc_pdf_writer *oc_pdf_writer_new(const oc_fontset *fonts, oc_diag *diag);
/* The language text is shaped in (the book's, as the layout shaped it);
 * borrowed until the writer is freed. Call before the first page. */
void oc_pdf_writer_set_language(oc_pdf_writer *w, const char *language);
/* SVG images are drawn at `dpi` pixels per inch of the page (300 for
 * print, 200 on screen: over twice what a page shows at 100%), their text
 * set in the fonts of `fonts_dir` (borrowed; NULL: the system's fonts). */
#define OC_PDF_PRINT_DPI 300
#define OC_PDF_SCREEN_DPI 200
void oc_pdf_writer_set_svg(oc_pdf_writer *w, double dpi, const char *fonts_dir);
oc_page_sink oc_pdf_writer_sink(oc_pdf_writer *w);
oc_status oc_pdf_writer_finish(oc_pdf_writer *w, const oc_document *doc, const oc_layout *layout);
oc_status oc_pdf_writer_save(oc_pdf_writer *w, oc_buf *out);
void oc_pdf_writer_free(oc_pdf_writer *w);

/* One entry of a ToUnicode CMap: a 2-byte character code (for our Type0
 * fonts, the glyph id drawn) and the n Unicode code points it stands for
 * (several for a ligature or a conjunct). */
#define OC_TOUNICODE_MAX 8
typedef struct {
    uint16_t code;
    uint16_t n;
    uint32_t cp[OC_TOUNICODE_MAX];
} oc_tounicode_entry;

/* Writes a complete ToUnicode CMap (PDF 32000-1 9.10.3, Adobe TN 5411) for
 * `n` entries sorted by code, each code once, into `out`: one 2-byte
 * codespace range, runs of consecutive codes mapping to consecutive single
 * BMP code points as bfrange (never crossing a 256-code boundary),
 * everything else as bfchar (an entry of several code points maps to all of
 * them, in order); destinations in UTF-16BE (surrogate pairs above U+FFFF);
 * at most 100 mappings per begin...end block. */
void oc_tounicode_write(oc_buf *out, const oc_tounicode_entry *e, size_t n);

/* Appends `s` (UTF-8, len bytes) as UTF-16BE with a byte-order mark, the
 * form of PDF text strings; invalid bytes become U+FFFD. */
void oc_pdf_utf16be(oc_buf *out, const char *s, size_t len);

#endif
