/* octavo — internals shared by the PDF writer's files (src/pdf/). */
#ifndef OCTAVO_PDF_INTERNAL_H
#define OCTAVO_PDF_INTERNAL_H

#include "octavo/layout.h"
#include "octavo/pdf.h"
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
/* --marks: every page gets a TrimBox (the laid-out page), a BleedBox 3 mm
 * beyond it, a MediaBox with room for crop marks, and the marks. Call
 * before the first page. */
void oc_pdf_writer_set_marks(oc_pdf_writer *w, int marks);
/* Saves to `stream` (borrowed until the save) instead of `out`: see
 * oc_pdf_options. Call before oc_pdf_writer_save. */
void oc_pdf_writer_set_stream(oc_pdf_writer *w, const oc_pdf_stream *stream);
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

/* The structure tree (struct.c). The writer reports what it marks as it
 * draws the pages, in page order:
 *   oc_pdf_struct_mcid    a marked-content sequence of element `elem` on
 *                         `page`; returns its MCID (0, 1, ... per page)
 *   oc_pdf_struct_annot   a link annotation of Link `elem`; returns the key
 *                         for its /StructParent (after the pages' keys)
 *   oc_pdf_struct_bbox    where a Figure's image was drawn
 * then oc_pdf_struct_finish writes the tree, the ParentTree, each page's
 * /StructParents and /Tabs, and the catalog's MarkInfo, Lang,
 * ViewerPreferences and XMP metadata (dc:title, dc:creator, dc:language,
 * `producer`, `date` in ISO 8601, pdfuaid:part 1); the layout's table is
 * copied. Once libharu has saved the file into `out` (its last bytes are
 * libharu's xref table and trailer), oc_pdf_struct_write_tail puts the
 * elements and the ParentTree in their place, in object streams, and ends
 * the file with a cross-reference stream for every object. */
typedef struct oc_pdf_struct oc_pdf_struct;
struct _HPDF_Doc_Rec;
struct _HPDF_Dict_Rec;
oc_pdf_struct *oc_pdf_struct_new(void);
void oc_pdf_struct_free(oc_pdf_struct *s);
int oc_pdf_struct_mcid(oc_pdf_struct *s, size_t page, uint32_t elem);
int oc_pdf_struct_annot(oc_pdf_struct *s, size_t page, size_t npages, uint32_t elem,
                        struct _HPDF_Dict_Rec *annot);
void oc_pdf_struct_bbox(oc_pdf_struct *s, size_t page, uint32_t elem, double x0, double y0,
                        double x1, double y1);
oc_status oc_pdf_struct_finish(oc_pdf_struct *s, struct _HPDF_Doc_Rec *pdf,
                               struct _HPDF_Dict_Rec **pages, size_t npages, const oc_layout *l,
                               const oc_document *doc, const char *producer, const char *date);
/* Starts making the elements' object streams on a thread of their own, to
 * run beside libharu's save (call after finish, before the save); the
 * tail takes them, or makes them itself if they were numbered otherwise. */
void oc_pdf_struct_prepare_tail(oc_pdf_struct *s, struct _HPDF_Doc_Rec *pdf);
/* `base`: the file's bytes before out's first (written out already). */
oc_status oc_pdf_struct_write_tail(oc_pdf_struct *s, struct _HPDF_Doc_Rec *pdf, oc_buf *out,
                                   size_t base);
/* The tag of element `ref`'s marked content (its standard structure type:
 * "P", "H2", "Link"; a MORE its parent's), NUL-terminated in out. */
void oc_pdf_struct_tag(const oc_struct_elem *se, size_t nse, uint32_t ref, char out[16]);

#endif
