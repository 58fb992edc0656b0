/* octavo — shared pieces of the EPUB backend (src/epub only).
 *
 * xhtml.c   the chapter renderer (one walk, one switch) and XML escaping
 * package.c the package document, nav, NCX, title and cover pages, CSS
 * epub.c    oc_epub_write: assembles the files into a zip with libzip
 *
 * Everything appends to caller-owned oc_buf; nothing here allocates memory
 * that outlives the call except through those buffers. */
#ifndef OCTAVO_EPUB_INTERNAL_H
#define OCTAVO_EPUB_INTERNAL_H

#include "octavo/doc.h"
#include "octavo/epub.h"
#include "octavo/util.h"

/* Folder inside the container holding the package; chapters live in
 * OC_EPUB_ROOT "/text/", images at OC_EPUB_ROOT "/" epub_name. */
#define OC_EPUB_ROOT "EPUB"
#define OC_EPUB_CSS "css/octavo.css"

/* oc_buf_xml_escape (util.h) of a NUL-terminated string; NULL appends nothing. */
void oc_epub_escape_str(oc_buf *b, const char *s);

/* Appends a URL for an href/src attribute: percent-encodes bytes outside the
 * URL-safe set, escapes & for XML, repairs stray '%' and extra '#'. */
void oc_epub_escape_href(oc_buf *b, const char *url);

/* Appends the XHTML id for a Document id (a heading id or slug). The mapping
 * is injective, yields an XML NCName (what epubcheck requires of ids) and
 * never starts with "fn", which is reserved for footnote ids. Links use the
 * same mapping so they always meet their target. */
void oc_epub_id(oc_buf *b, const char *id);

/* Appends the href of chapter `ch` relative to another chapter file
 * ("ch02.xhtml"), i.e. relative to OC_EPUB_ROOT "/text/". */
void oc_epub_chapter_file(oc_buf *b, const oc_document *doc, int ch);

/* 1 when the asset can be packaged (a PNG or JPEG with bytes and a name). */
int oc_epub_asset_ok(const oc_asset *a);
const char *oc_epub_media_type(const oc_asset *a);

/* 1 when the book's language is written right to left (Arabic, Hebrew, ...):
 * documents get dir="rtl" and the spine a right-to-left progression. */
int oc_epub_rtl(const oc_document *doc);

/* The complete XHTML document of one chapter. */
/* With pages (may be NULL), the page-list markers of the pages that begin in it. */
void oc_epub_chapter_xhtml(const oc_document *doc, int chapter, oc_buf *out,
                           const oc_epub_pages *pages);

/* Opening boilerplate of an XHTML document (XML declaration to <body>) with
 * the stylesheet at `css_href`; close with oc_epub_xhtml_end. */
void oc_epub_xhtml_begin(oc_buf *b, const oc_document *doc, const char *title, const char *css_href,
                         const char *body_attrs);
void oc_epub_xhtml_end(oc_buf *b);

/* package.c */
/* Every image to package, each once: the cover first (manifest id img1),
 * then doc->assets, then any image a chapter cites that the table lacks.
 * *out is malloc'd (caller frees); the assets are borrowed from doc. */
int oc_epub_assets(const oc_document *doc, const oc_asset ***out);
void oc_epub_container_xml(oc_buf *b);
/* `pages` (NULL: none) adds the page-list and its metadata. */
void oc_epub_package_opf(oc_buf *b, const oc_document *doc, long long modified,
                         const oc_epub_pages *pages);
void oc_epub_nav_xhtml(oc_buf *b, const oc_document *doc, const oc_epub_pages *pages);
void oc_epub_toc_ncx(oc_buf *b, const oc_document *doc, const oc_epub_pages *pages);
void oc_epub_titlepage_xhtml(oc_buf *b, const oc_document *doc, const oc_epub_pages *pages);
/* A page's label ("12", "iii") and its marker's id ("page-12"). */
void oc_epub_page_label(oc_buf *b, const oc_page_break *p);
/* The marker of page i: <span epub:type="pagebreak" role="doc-pagebreak" .../> */
void oc_epub_page_marker(oc_buf *b, const oc_epub_pages *pages, size_t i);
/* 1 when there is a page-list to write. */
int oc_epub_has_pages(const oc_epub_pages *pages);
void oc_epub_cover_xhtml(oc_buf *b, const oc_document *doc);
const char *oc_epub_stylesheet(void);
/* The code highlighting rules (codestyle.c), appended to the stylesheet. */
void oc_epub_code_css(oc_buf *b);

#endif
