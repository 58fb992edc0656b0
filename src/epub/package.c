/* The EPUB's scaffolding: container.xml, the package document, the navigation
 * document and NCX, the title and cover pages, and the stylesheet. */
#include "epub/epub_internal.h"
#include "octavo/labels.h"
#include "octavo/a11y.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- assets -------------------------------------------------------------- */

static int asset_known(const oc_asset **list, int n, const oc_asset *a) {
    for (int i = 0; i < n; i++)
        if (list[i] == a || strcmp(list[i]->epub_name, a->epub_name) == 0) return 1;
    return 0;
}

/* Images found in a tree that the asset table may lack (hand-built docs). */
static void tree_assets(const oc_node *root, const oc_asset ***list, int *n, int *cap) {
    for (const oc_node *x = root; x; x = oc_node_next(root, x, 1)) {
        if (x->type == OC_IMAGE && oc_epub_asset_ok(x->asset) &&
            !asset_known(*list, *n, x->asset)) {
            if (*n == *cap) {
                *cap = *cap ? *cap * 2 : 16;
                *list = oc_xrealloc(*list, (size_t)*cap * sizeof **list);
            }
            (*list)[(*n)++] = x->asset;
        }
    }
}

int oc_epub_assets(const oc_document *doc, const oc_asset ***out) {
    const oc_asset **list = NULL;
    int n = 0, cap = 0;
    const oc_asset *cover = doc->meta.cover;
    if (oc_epub_asset_ok(cover)) {
        cap = 16;
        list = oc_xmalloc((size_t)cap * sizeof *list);
        list[n++] = cover;
    }
    for (int i = 0; i < doc->nassets; i++) {
        const oc_asset *a = doc->assets[i];
        if (!oc_epub_asset_ok(a) || asset_known(list, n, a)) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 16;
            list = oc_xrealloc(list, (size_t)cap * sizeof *list);
        }
        list[n++] = a;
    }
    for (int c = 0; c < doc->nchapters; c++) {
        const oc_chapter *ch = &doc->chapters[c];
        if (ch->root) tree_assets(ch->root, &list, &n, &cap);
        for (int k = 0; ch->notes && k < ch->nnotes; k++)
            if (ch->notes[k]) tree_assets(ch->notes[k], &list, &n, &cap);
    }
    *out = list;
    return n;
}

static int has_cover(const oc_document *doc) {
    return oc_epub_asset_ok(doc->meta.cover);
}

/* ---- small helpers ------------------------------------------------------- */

static const char *book_title(const oc_document *doc) {
    return doc->meta.title && doc->meta.title[0] ? doc->meta.title : "Untitled";
}

static const char *book_lang(const oc_document *doc) {
    const char *l = doc->meta.language;
    if (!l || !*l) return "en-US";
    for (const char *p = l; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-'))
            return "und";
    return l;
}

static void identifier(oc_buf *b, const oc_document *doc) {
    const char *id = doc->meta.identifier;
    if (id && id[0]) {
        oc_epub_escape_str(b, id);
    } else {
        oc_buf_puts(b, "urn:octavo:");
        oc_epub_escape_href(b, doc->meta.slug && doc->meta.slug[0] ? doc->meta.slug : "book");
    }
}

/* YYYY, YYYY-MM or YYYY-MM-DD: what epubcheck accepts without a warning. */
static int date_ok(const char *d) {
    if (!d) return 0;
    size_t n = strlen(d);
    if (n != 4 && n != 7 && n != 10) return 0;
    for (size_t i = 0; i < n; i++) {
        int dash = i == 4 || i == 7;
        if (dash ? d[i] != '-' : (d[i] < '0' || d[i] > '9')) return 0;
    }
    return 1;
}

/* ---- container ----------------------------------------------------------- */

void oc_epub_container_xml(oc_buf *b) {
    oc_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                   "<container version=\"1.0\" "
                   "xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n"
                   "<rootfiles>\n<rootfile full-path=\"" OC_EPUB_ROOT "/package.opf\" "
                   "media-type=\"application/oebps-package+xml\"/>\n</rootfiles>\n"
                   "</container>\n");
}

/* ---- pages of the PDF edition ------------------------------------------- */

int oc_epub_has_pages(const oc_epub_pages *pages) {
    return pages && pages->v && pages->n > 0;
}

static void roman(oc_buf *b, int n) {
    static const struct {
        int v;
        const char *s;
    } r[] = {{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
             {40, "xl"},  {10, "x"},   {9, "ix"},  {5, "v"},    {4, "iv"},  {1, "i"}};
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        for (; n >= r[i].v; n -= r[i].v)
            oc_buf_puts(b, r[i].s);
}

void oc_epub_page_label(oc_buf *b, const oc_page_break *p) {
    if (p->roman)
        roman(b, p->number);
    else
        oc_buf_printf(b, "%d", p->number);
}

void oc_epub_page_marker(oc_buf *b, const oc_epub_pages *pages, size_t i) {
    const oc_page_break *p = &pages->v[i];
    oc_buf_puts(b, "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"page-");
    oc_epub_page_label(b, p);
    oc_buf_puts(b, "\" aria-label=\"");
    oc_epub_page_label(b, p);
    oc_buf_puts(b, "\"/>");
}

/* The file holding page i's marker, relative to the package. */
static void page_file(oc_buf *b, const oc_document *doc, const oc_page_break *p) {
    if (p->chapter < 0) {
        oc_buf_puts(b, p->front ? "nav.xhtml" : "titlepage.xhtml");
        return;
    }
    oc_buf_puts(b, "text/");
    oc_epub_chapter_file(b, doc, p->chapter);
}

static void page_href(oc_buf *b, const oc_document *doc, const oc_page_break *p) {
    page_file(b, doc, p);
    oc_buf_puts(b, "#page-");
    oc_epub_page_label(b, p);
}

/* The markers of the front matter's pages of one part (0 the title page,
 * 1 the contents), at the start of its document. */
static void front_markers(oc_buf *b, const oc_epub_pages *pages, int front) {
    if (!oc_epub_has_pages(pages)) return;
    for (size_t i = 0; i < pages->n && pages->v[i].chapter < 0; i++)
        if (pages->v[i].front == front) oc_epub_page_marker(b, pages, i);
    oc_buf_putc(b, '\n');
}

/* ---- package document ---------------------------------------------------- */

static void schema(oc_buf *b, const char *property, const char *value) {
    oc_buf_printf(b, "<meta property=\"schema:%s\">", property);
    oc_epub_escape_str(b, value);
    oc_buf_puts(b, "</meta>\n");
}

/* What the accessibility metadata says is derived from the content (an image
 * without alt text withdraws "alternativeText" and textual sufficiency; a
 * skipped heading level withdraws "structuralNavigation"); conformance and
 * certification are written only as the author claims them in book.yaml.
 * pageNavigation and printPageNumbers only with a page-list (`paged`). */
static void accessibility(oc_buf *b, const oc_document *doc, const oc_epub_pages *pages) {
    int paged = oc_epub_has_pages(pages);
    const oc_meta *m = &doc->meta;
    oc_a11y_facts f;
    oc_a11y_scan(doc, &f, NULL);
    int visual = f.images > 0 || has_cover(doc);
    int all_alt = f.images == f.images_alt;
    int structure = f.headings > 0 && f.heading_skips == 0;

    schema(b, "accessMode", "textual");
    if (visual) schema(b, "accessMode", "visual");
    if (all_alt) schema(b, "accessModeSufficient", "textual");
    if (visual) schema(b, "accessModeSufficient", "textual,visual");
    if (structure) schema(b, "accessibilityFeature", "structuralNavigation");
    schema(b, "accessibilityFeature", "tableOfContents");
    if (f.images > 0 && all_alt) schema(b, "accessibilityFeature", "alternativeText");
    schema(b, "accessibilityFeature", "readingOrder");
    schema(b, "accessibilityFeature", "displayTransformability");
    if (paged) { /* a page-list matching the PDF edition */
        schema(b, "accessibilityFeature", "pageNavigation");
        schema(b, "accessibilityFeature", "printPageNumbers");
    }
    for (int i = 0; i < m->na11y_hazards; i++)
        schema(b, "accessibilityHazard", m->a11y_hazards[i]);
    if (m->na11y_hazards == 0) schema(b, "accessibilityHazard", "none");

    oc_buf sum;
    oc_buf_init(&sum);
    if (m->a11y_summary && m->a11y_summary[0]) {
        oc_buf_puts(&sum, m->a11y_summary);
    } else {
        oc_buf_puts(&sum, "A reflowable EPUB: the reading system may change the font, text size, "
                          "spacing and colours, and the text reflows to any screen width. ");
        oc_buf_printf(&sum, "A table of contents links to every chapter%s. ",
                      structure ? " and heading, and the headings are nested without gaps"
                                : " and heading");
        if (f.images == 0)
            oc_buf_puts(&sum, "The content is text only");
        else if (all_alt && f.images == 1)
            oc_buf_puts(&sum, "Its one image has alternative text");
        else if (all_alt)
            oc_buf_printf(&sum, "Each of its %d images has alternative text", f.images);
        else
            oc_buf_printf(&sum, "%d of its %d images lack%s alternative text",
                          f.images - f.images_alt, f.images,
                          f.images - f.images_alt == 1 ? "s" : "");
        oc_buf_puts(&sum, has_cover(doc) ? " (the cover is described by the title). " : ". ");
        if (paged)
            oc_buf_printf(&sum,
                          "A page list and page break markers give the page numbers of the %s. ",
                          pages->source && pages->source[0] ? pages->source : "PDF edition");
        else
            oc_buf_puts(&sum, "There is no page list of a printed edition. ");
        if (m->na11y_hazards == 0)
            oc_buf_puts(&sum, "No hazards are known.");
        else
            oc_buf_puts(&sum, "Hazards are listed in accessibilityHazard.");
        if (m->a11y_conforms_to) {
            oc_buf_printf(&sum, " The publisher states that it meets %s", m->a11y_conforms_to);
            if (m->a11y_certified_by)
                oc_buf_printf(&sum, ", as checked by %s", m->a11y_certified_by);
            oc_buf_putc(&sum, '.');
        }
    }
    schema(b, "accessibilitySummary", sum.data);
    oc_buf_free(&sum);

    if (m->a11y_conforms_to) {
        oc_buf_puts(b, "<meta property=\"dcterms:conformsTo\" id=\"conformance\">");
        oc_epub_escape_str(b, m->a11y_conforms_to);
        oc_buf_puts(b, "</meta>\n");
        if (m->a11y_certified_by) {
            oc_buf_puts(b, "<meta property=\"a11y:certifiedBy\" refines=\"#conformance\">");
            oc_epub_escape_str(b, m->a11y_certified_by);
            oc_buf_puts(b, "</meta>\n");
        }
    }
}

static void dc(oc_buf *b, const char *name, const char *value) {
    if (!value || !value[0]) return;
    oc_buf_printf(b, "<dc:%s>", name);
    oc_epub_escape_str(b, value);
    oc_buf_printf(b, "</dc:%s>\n", name);
}

void oc_epub_package_opf(oc_buf *b, const oc_document *doc, long long modified,
                         const oc_epub_pages *pages) {
    int paged = oc_epub_has_pages(pages);
    const oc_meta *m = &doc->meta;
    oc_buf_printf(b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" "
                  "unique-identifier=\"book-id\" xml:lang=\"%s\">\n"
                  "<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
                  "<dc:identifier id=\"book-id\">",
                  book_lang(doc));
    identifier(b, doc);
    oc_buf_puts(b, "</dc:identifier>\n<dc:title id=\"title\">");
    oc_epub_escape_str(b, book_title(doc));
    oc_buf_puts(b, "</dc:title>\n"
                   "<meta refines=\"#title\" property=\"title-type\">main</meta>\n");
    if (m->subtitle && m->subtitle[0]) {
        oc_buf_puts(b, "<dc:title id=\"subtitle\">");
        oc_epub_escape_str(b, m->subtitle);
        oc_buf_puts(b, "</dc:title>\n"
                       "<meta refines=\"#subtitle\" property=\"title-type\">subtitle</meta>\n");
    }
    oc_buf_printf(b, "<dc:language>%s</dc:language>\n", book_lang(doc));
    for (int i = 0; i < m->nauthors; i++) {
        if (!m->authors[i] || !m->authors[i][0]) continue;
        oc_buf_printf(b, "<dc:creator id=\"creator%d\">", i + 1);
        oc_epub_escape_str(b, m->authors[i]);
        oc_buf_printf(b,
                      "</dc:creator>\n<meta refines=\"#creator%d\" property=\"role\" "
                      "scheme=\"marc:relators\">aut</meta>\n",
                      i + 1);
    }
    if (date_ok(m->date)) dc(b, "date", m->date);
    dc(b, "description", m->description);
    dc(b, "publisher", m->publisher);
    dc(b, "rights", m->rights);

    time_t t = (time_t)modified;
    struct tm tm;
    char stamp[32] = "1970-01-01T00:00:00Z";
    if (gmtime_r(&t, &tm)) strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    oc_buf_printf(b, "<meta property=\"dcterms:modified\">%s</meta>\n", stamp);
    accessibility(b, doc, paged ? pages : NULL);
    if (paged) {
        /* the edition the page numbers come from: EPUB 3.2's dc:source
         * refined as the source of pagination, which Ace reads and
         * epubcheck 4.2.6 knows (it refuses EPUB Accessibility 1.1's
         * a11y:pageBreakSource as an undefined property) */
        const char *src = pages->source && pages->source[0] ? pages->source : "PDF edition";
        oc_buf_puts(b, "<dc:source id=\"page-source\">");
        oc_epub_escape_str(b, src);
        oc_buf_puts(b, "</dc:source>\n<meta refines=\"#page-source\" "
                       "property=\"source-of\">pagination</meta>\n");
    }

    const oc_asset **assets = NULL;
    int nassets = oc_epub_assets(doc, &assets);
    if (has_cover(doc)) oc_buf_puts(b, "<meta name=\"cover\" content=\"img1\"/>\n");
    oc_buf_puts(b, "</metadata>\n<manifest>\n"
                   "<item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" "
                   "properties=\"nav\"/>\n"
                   "<item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>\n"
                   "<item id=\"css\" href=\"" OC_EPUB_CSS "\" media-type=\"text/css\"/>\n");
    if (has_cover(doc))
        oc_buf_puts(b, "<item id=\"cover\" href=\"cover.xhtml\" "
                       "media-type=\"application/xhtml+xml\"/>\n");
    oc_buf_puts(b, "<item id=\"titlepage\" href=\"titlepage.xhtml\" "
                   "media-type=\"application/xhtml+xml\"/>\n");
    for (int i = 0; i < doc->nchapters; i++) {
        oc_buf_printf(b, "<item id=\"chapter%d\" href=\"text/", i + 1);
        oc_epub_chapter_file(b, doc, i);
        oc_buf_puts(b, "\" media-type=\"application/xhtml+xml\"/>\n");
    }
    for (int i = 0; i < nassets; i++) {
        oc_buf_printf(b, "<item id=\"img%d\" href=\"", i + 1);
        oc_epub_escape_href(b, assets[i]->epub_name);
        oc_buf_printf(b, "\" media-type=\"%s\"%s/>\n", oc_epub_media_type(assets[i]),
                      i == 0 && has_cover(doc) ? " properties=\"cover-image\"" : "");
    }
    free(assets);
    oc_buf_printf(b, "</manifest>\n<spine toc=\"ncx\"%s>\n",
                  oc_epub_rtl(doc) ? " page-progression-direction=\"rtl\"" : "");
    if (has_cover(doc)) oc_buf_puts(b, "<itemref idref=\"cover\"/>\n");
    oc_buf_puts(b, "<itemref idref=\"titlepage\"/>\n<itemref idref=\"nav\"/>\n");
    for (int i = 0; i < doc->nchapters; i++)
        oc_buf_printf(b, "<itemref idref=\"chapter%d\"/>\n", i + 1);
    oc_buf_puts(b, "</spine>\n</package>\n");
}

/* ---- table of contents --------------------------------------------------- */

typedef struct {
    int depth;
    int chapter;
    const char *id; /* NULL: the chapter's start */
    const char *text;
    int part; /* a part title: no page of its own (its first chapter's in the NCX) */
} toc_item;

/* The book's outline flattened into (depth, target, text), each chapter one
 * top-level entry holding its headings nested by level; depth never grows by
 * more than one from one item to the next. */
static toc_item *toc_items(const oc_document *doc, oc_arena *a, int *count, int *maxdepth) {
    toc_item *items =
        oc_xcalloc((size_t)doc->noutline + 2 * (size_t)doc->nchapters + 1, sizeof *items);
    int n = 0, o = 0, stack[8], sp;
    *maxdepth = 1;
    /* A book with a structure of its own (mdBook's SUMMARY.md) lists its
     * chapters as it nests them, under their parts, and only them, as its
     * own contents do; other books list each chapter with its headings. */
    int structured = oc_doc_structured(doc), in_part = 0;
    for (int c = 0; c < doc->nchapters; c++) {
        const oc_chapter *ch = &doc->chapters[c];
        int base = 0;
        if (structured) {
            if (!ch->number) in_part = 0; /* prefix and suffix chapters stand outside parts */
            if (ch->part) {
                toc_item *p = &items[n++];
                p->chapter = c;
                p->text = ch->part;
                p->part = 1;
                in_part = 1;
            }
            base = in_part + ch->level;
            if (base + 1 > *maxdepth) *maxdepth = base + 1;
            toc_item *top = &items[n++];
            top->depth = base;
            top->chapter = c;
            top->text = oc_chapter_label(a, ch);
            continue;
        }
        while (o < doc->noutline && doc->outline[o].chapter < c)
            o++;
        toc_item *top = &items[n++];
        top->chapter = c;
        top->text = ch->title;
        sp = 0;
        if (o < doc->noutline && doc->outline[o].chapter == c) {
            if (!top->text || !top->text[0]) top->text = doc->outline[o].text;
            stack[sp++] = doc->outline[o].level;
            o++;
        } else {
            stack[sp++] = 0;
        }
        if (!top->text || !top->text[0]) top->text = ch->file_id;
        for (; o < doc->noutline && doc->outline[o].chapter == c; o++) {
            const oc_outline_entry *e = &doc->outline[o];
            if (!e->id) continue;
            while (sp > 0 && stack[sp - 1] >= e->level)
                sp--;
            toc_item *it = &items[n++];
            it->depth = sp;
            it->chapter = c;
            it->id = e->id;
            it->text = e->text;
            if (sp < 8) stack[sp++] = e->level;
            if (it->depth + 1 > *maxdepth) *maxdepth = it->depth + 1;
        }
    }
    *count = n;
    return items;
}

static void toc_text(oc_buf *b, const char *text) {
    if (text && text[0])
        oc_epub_escape_str(b, text);
    else
        oc_buf_puts(b, "Untitled");
}

static void toc_href(oc_buf *b, const oc_document *doc, const toc_item *it) {
    oc_buf_puts(b, "text/");
    oc_epub_chapter_file(b, doc, it->chapter);
    if (it->id) {
        oc_buf_putc(b, '#');
        oc_epub_id(b, it->id);
    }
}

void oc_epub_nav_xhtml(oc_buf *b, const oc_document *doc, const oc_epub_pages *pages) {
    int n, maxdepth;
    oc_arena labels;
    oc_arena_init(&labels);
    toc_item *items = toc_items(doc, &labels, &n, &maxdepth);
    const oc_labels *l = oc_labels_for(doc->meta.language);
    oc_epub_xhtml_begin(b, doc, l->contents, OC_EPUB_CSS, NULL);
    front_markers(b, pages, 1);
    oc_buf_printf(b,
                  "<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\">\n<h1>%s</h1>\n"
                  "<ol class=\"toc\">\n",
                  l->contents);
    if (n == 0) oc_buf_printf(b, "<li><a href=\"titlepage.xhtml\">%s</a></li>\n", l->title_page);
    int prev = 0;
    for (int i = 0; i < n; i++) {
        int d = items[i].depth;
        if (i > 0) {
            if (d > prev) {
                oc_buf_puts(b, "\n<ol>\n");
            } else {
                oc_buf_puts(b, "</li>\n");
                for (int k = prev; k > d; k--)
                    oc_buf_puts(b, "</ol>\n</li>\n");
            }
        }
        if (items[i].part) { /* a heading over its chapters, which follow in an <ol> */
            oc_buf_puts(b, "<li><span>");
            toc_text(b, items[i].text);
            oc_buf_puts(b, "</span>");
            prev = d;
            continue;
        }
        oc_buf_puts(b, "<li><a href=\"");
        toc_href(b, doc, &items[i]);
        oc_buf_puts(b, "\">");
        toc_text(b, items[i].text);
        oc_buf_puts(b, "</a>");
        prev = d;
    }
    if (n > 0) {
        oc_buf_puts(b, "</li>\n");
        for (int k = prev; k > 0; k--)
            oc_buf_puts(b, "</ol>\n</li>\n");
    }
    oc_buf_puts(b, "</ol>\n</nav>\n"
                   "<nav epub:type=\"landmarks\" id=\"landmarks\" hidden=\"hidden\">\n"
                   "<h2>Landmarks</h2>\n<ol>\n");
    if (has_cover(doc))
        oc_buf_printf(b, "<li><a epub:type=\"cover\" href=\"cover.xhtml\">%s</a></li>\n", l->cover);
    oc_buf_printf(b,
                  "<li><a epub:type=\"titlepage\" href=\"titlepage.xhtml\">%s</a></li>\n"
                  "<li><a epub:type=\"toc\" href=\"nav.xhtml#toc\">%s</a></li>\n",
                  l->title_page, l->contents);
    if (doc->nchapters > 0) {
        oc_buf_puts(b, "<li><a epub:type=\"bodymatter\" href=\"text/");
        oc_epub_chapter_file(b, doc, 0);
        oc_buf_puts(b, "\">Start of content</a></li>\n");
    }
    oc_buf_puts(b, "</ol>\n</nav>\n");
    if (oc_epub_has_pages(pages)) {
        /* the PDF edition's pages, where each begins */
        oc_buf_puts(b, "<nav epub:type=\"page-list\" role=\"doc-pagelist\" id=\"page-list\" "
                       "hidden=\"hidden\">\n<h2>Pages</h2>\n<ol>\n");
        for (size_t i = 0; i < pages->n; i++) {
            oc_buf_puts(b, "<li><a href=\"");
            page_href(b, doc, &pages->v[i]);
            oc_buf_puts(b, "\">");
            oc_epub_page_label(b, &pages->v[i]);
            oc_buf_puts(b, "</a></li>\n");
        }
        oc_buf_puts(b, "</ol>\n</nav>\n");
    }
    oc_epub_xhtml_end(b);
    free(items);
    oc_arena_free(&labels);
}

void oc_epub_toc_ncx(oc_buf *b, const oc_document *doc, const oc_epub_pages *pages) {
    int paged = oc_epub_has_pages(pages), maxpage = 0, total = paged ? (int)pages->n : 0;
    for (size_t i = 0; paged && i < pages->n; i++)
        if (!pages->v[i].roman && pages->v[i].number > maxpage) maxpage = pages->v[i].number;
    int n, maxdepth;
    oc_arena labels;
    oc_arena_init(&labels);
    toc_item *items = toc_items(doc, &labels, &n, &maxdepth);
    oc_buf_printf(b,
                  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                  "<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" "
                  "xml:lang=\"%s\">\n<head>\n<meta name=\"dtb:uid\" content=\"",
                  book_lang(doc));
    identifier(b, doc);
    oc_buf_printf(b,
                  "\"/>\n<meta name=\"dtb:depth\" content=\"%d\"/>\n"
                  "<meta name=\"dtb:totalPageCount\" content=\"%d\"/>\n"
                  "<meta name=\"dtb:maxPageNumber\" content=\"%d\"/>\n</head>\n"
                  "<docTitle><text>",
                  maxdepth, total, maxpage);
    oc_epub_escape_str(b, book_title(doc));
    oc_buf_puts(b, "</text></docTitle>\n");
    for (int i = 0; i < doc->meta.nauthors; i++) {
        if (!doc->meta.authors[i] || !doc->meta.authors[i][0]) continue;
        oc_buf_puts(b, "<docAuthor><text>");
        oc_epub_escape_str(b, doc->meta.authors[i]);
        oc_buf_puts(b, "</text></docAuthor>\n");
    }
    oc_buf_puts(b, "<navMap>\n");
    if (n == 0)
        oc_buf_printf(b,
                      "<navPoint id=\"np1\" playOrder=\"1\"><navLabel><text>%s</text>"
                      "</navLabel><content src=\"titlepage.xhtml\"/></navPoint>\n",
                      oc_labels_for(doc->meta.language)->title_page);
    int prev = 0, order = 0;
    for (int i = 0; i < n; i++) {
        int d = items[i].depth;
        if (i > 0 && d <= prev)
            for (int k = prev; k >= d; k--)
                oc_buf_puts(b, "</navPoint>\n");
        /* a part points at its first chapter: one target, one playOrder */
        if (!(i > 0 && items[i - 1].part)) order++;
        oc_buf_printf(b, "<navPoint id=\"np%d\" playOrder=\"%d\"><navLabel><text>", i + 1, order);
        toc_text(b, items[i].text);
        oc_buf_puts(b, "</text></navLabel><content src=\"");
        toc_href(b, doc, &items[i]);
        oc_buf_puts(b, "\"/>\n");
        prev = d;
    }
    if (n > 0)
        for (int k = prev; k >= 0; k--)
            oc_buf_puts(b, "</navPoint>\n");
    oc_buf_puts(b, "</navMap>\n");
    if (paged) {
        oc_buf_puts(b, "<pageList>\n<navLabel><text>Pages</text></navLabel>\n");
        for (size_t i = 0; i < pages->n; i++) {
            const oc_page_break *p = &pages->v[i];
            oc_buf_printf(b, "<pageTarget id=\"pt%zu\" type=\"%s\"", i + 1,
                          p->roman ? "front" : "normal");
            if (!p->roman) oc_buf_printf(b, " value=\"%d\"", p->number);
            oc_buf_printf(b, " playOrder=\"%d\"><navLabel><text>", ++order);
            oc_epub_page_label(b, p);
            oc_buf_puts(b, "</text></navLabel><content src=\"");
            page_href(b, doc, p);
            oc_buf_puts(b, "\"/></pageTarget>\n");
        }
        oc_buf_puts(b, "</pageList>\n");
    }
    oc_buf_puts(b, "</ncx>\n");
    free(items);
    oc_arena_free(&labels);
}

/* ---- title and cover pages ----------------------------------------------- */

void oc_epub_titlepage_xhtml(oc_buf *b, const oc_document *doc, const oc_epub_pages *pages) {
    const oc_meta *m = &doc->meta;
    oc_epub_xhtml_begin(b, doc, book_title(doc), OC_EPUB_CSS, "epub:type=\"frontmatter\"");
    front_markers(b, pages, 0);
    oc_buf_puts(b, "<section epub:type=\"titlepage\" class=\"titlepage\">\n<h1 class=\"title\">");
    oc_epub_escape_str(b, book_title(doc));
    oc_buf_puts(b, "</h1>\n");
    if (m->subtitle && m->subtitle[0]) {
        oc_buf_puts(b, "<p class=\"subtitle\">");
        oc_epub_escape_str(b, m->subtitle);
        oc_buf_puts(b, "</p>\n");
    }
    if (m->selection && m->selection[0]) {
        oc_buf_puts(b, "<p class=\"selection\">");
        oc_epub_escape_str(b, m->selection);
        oc_buf_puts(b, "</p>\n");
    }
    for (int i = 0; i < m->nauthors; i++) {
        if (!m->authors[i] || !m->authors[i][0]) continue;
        oc_buf_puts(b, "<p class=\"author\">");
        oc_epub_escape_str(b, m->authors[i]);
        oc_buf_puts(b, "</p>\n");
    }
    if (m->date && m->date[0]) {
        oc_buf_puts(b, "<p class=\"date\">");
        oc_epub_escape_str(b, m->date);
        oc_buf_puts(b, "</p>\n");
    }
    oc_buf_puts(b, "</section>\n");
    oc_epub_xhtml_end(b);
}

void oc_epub_cover_xhtml(oc_buf *b, const oc_document *doc) {
    oc_epub_xhtml_begin(b, doc, book_title(doc), OC_EPUB_CSS, "class=\"cover-page\"");
    oc_buf_puts(b, "<section epub:type=\"cover\" class=\"cover\">\n<img src=\"");
    oc_epub_escape_href(b, doc->meta.cover->epub_name);
    oc_buf_puts(b, "\" alt=\"");
    oc_epub_escape_str(b, book_title(doc));
    oc_buf_puts(b, "\"/>\n</section>\n");
    oc_epub_xhtml_end(b);
}

/* ---- stylesheet ---------------------------------------------------------- */

/* Made for e-readers: relative units only, no fixed widths, no font size on
 * the body and only a generic family, so the reader's own font and size
 * settings win. Colours are translucent greys that work in day and night
 * modes. Footnote asides stay visible at the end of the chapter under a rule
 * (readers with pop-ups show them from the noteref; readers without still
 * show every note, like endnotes).
 *
 * Reflow (WCAG 2.1 SC 1.4.10): at 320 CSS px nothing but a wide table scrolls
 * sideways, and a table scrolls inside its own wrapper (data tables are
 * exempt from reflow). Words in table cells break at hyphenation points only
 * (overflow-wrap: anywhere split "provide" into "provid" / "e" with no
 * hyphen, and let a column of links shrink to a letter a line); a cell is
 * as wide as its longest word, so a long URL widens the table and its
 * wrapper scrolls. Inline code wraps like the text around it
 * (a line of code spans joined by ideographic commas has no break point
 * otherwise). The cover fits the viewport's height. */
const char *oc_epub_stylesheet(void) {
    return "@charset \"UTF-8\";\n"
           "@namespace epub \"http://www.idpf.org/2007/ops\";\n\n"
           "body { margin: 0; padding: 0 0.75em; font-family: serif; line-height: 1.45;\n"
           "       orphans: 2; widows: 2; }\n"
           "p { margin: 0 0 0.8em 0; }\n"
           "h1, h2, h3, h4, h5, h6 { line-height: 1.2; margin: 1.4em 0 0.5em 0;\n"
           "       page-break-after: avoid; break-after: avoid;\n"
           "       page-break-inside: avoid; break-inside: avoid; hyphens: manual; }\n"
           "h1 { font-size: 1.6em; }\nh2 { font-size: 1.35em; }\nh3 { font-size: 1.15em; }\n"
           "h4 { font-size: 1.05em; }\nh5 { font-size: 1em; }\n"
           "h6 { font-size: 1em; font-style: italic; }\n"
           ".secnum { margin-right: 0.3em; }\n"
           "blockquote { margin: 1em 0 1em 1em; padding-left: 0.8em;\n"
           "       border-left: 0.2em solid rgba(128, 128, 128, 0.5); }\n"
           "code { font-family: monospace; font-size: 0.9em; word-wrap: break-word;\n"
           "       overflow-wrap: break-word; }\n"
           "pre { margin: 1em 0; padding: 0.5em; font-family: monospace; font-size: 0.85em;\n"
           "       line-height: 1.3; white-space: pre-wrap; overflow-wrap: break-word;\n"
           "       word-wrap: break-word; overflow-x: auto;\n"
           "       background-color: rgba(128, 128, 128, 0.1);\n"
           "       border: thin solid rgba(128, 128, 128, 0.4); }\n"
           "pre code { font-size: 1em; }\n"
           "ul, ol { margin: 0.4em 0 0.8em 0; padding-left: 1.6em; }\n"
           "li > p { margin: 0.3em 0; }\n"
           "ul.task-list { list-style-type: none; padding-left: 0.6em; }\n"
           ".task-box { margin-right: 0.2em; }\n"
           "hr { border: none; border-top: thin solid rgba(128, 128, 128, 0.6);\n"
           "       margin: 1.5em 10%; }\n"
           "del { text-decoration: line-through; }\n"
           "sup { font-size: 0.75em; line-height: 0; vertical-align: super; }\n"
           "img { max-width: 100%; height: auto; }\n"
           "figure { margin: 1em 0; text-align: center; page-break-inside: avoid;\n"
           "       break-inside: avoid; }\n"
           "figcaption { margin-top: 0.4em; font-size: 0.9em; font-style: italic; }\n"
           ".fig-label { font-style: normal; font-weight: bold; }\n"
           ".img-alt { font-style: italic; }\n"
           ".table-wrap { max-width: 100%; overflow-x: auto; margin: 1em 0; }\n"
           "table { border-collapse: collapse; font-size: 0.9em; }\n"
           "th, td { padding: 0.2em 0.45em; vertical-align: top; text-align: left;\n"
           "       word-wrap: break-word; overflow-wrap: break-word;\n"
           "       -webkit-hyphens: auto; hyphens: auto;\n"
           "       border: thin solid rgba(128, 128, 128, 0.5); }\n"
           "thead th { font-weight: bold; border-bottom: medium solid rgba(128, 128, 128, 0.7); }\n"
           "tbody tr:nth-child(even) { background-color: rgba(128, 128, 128, 0.08); }\n"
           "th.al-left, td.al-left { text-align: left; }\n"
           "th.al-center, td.al-center { text-align: center; }\n"
           "th.al-right, td.al-right { text-align: right; }\n"
           "a[epub|type~=\"noteref\"] { text-decoration: none; }\n"
           ".footnotes { margin-top: 2em; padding-top: 0.5em; font-size: 0.9em;\n"
           "       border-top: thin solid rgba(128, 128, 128, 0.6); }\n"
           "aside[epub|type~=\"footnote\"] { margin: 0.6em 0; }\n"
           "aside[epub|type~=\"footnote\"] p { margin: 0.2em 0; }\n"
           ".fn-num { font-weight: bold; }\n"
           ".raw-html { font-family: monospace; font-size: 0.9em; }\n"
           "p.al-left, h1.al-left, h2.al-left, h3.al-left, h4.al-left, h5.al-left,\n"
           "       h6.al-left { text-align: left; }\n"
           "p.al-center, h1.al-center, h2.al-center, h3.al-center, h4.al-center, h5.al-center,\n"
           "       h6.al-center { text-align: center; }\n"
           "p.al-right, h1.al-right, h2.al-right, h3.al-right, h4.al-right, h5.al-right,\n"
           "       h6.al-right { text-align: right; }\n"
           "kbd { font-family: monospace; font-size: 0.85em; padding: 0.05em 0.35em;\n"
           "       border: thin solid rgba(128, 128, 128, 0.7); border-radius: 0.25em;\n"
           "       background-color: rgba(128, 128, 128, 0.12); white-space: nowrap; }\n"
           "sub { font-size: 0.75em; line-height: 0; vertical-align: sub; }\n"
           "mark { background-color: rgba(255, 230, 0, 0.45); color: inherit; }\n"
           "abbr[title] { text-decoration: underline dotted; }\n"
           "dl { margin: 0.8em 0; }\ndt { font-weight: bold; margin-top: 0.4em; }\n"
           "dd { margin: 0.2em 0 0.4em 1.5em; }\n"
           "details { margin: 0.8em 0; }\nsummary { font-weight: bold; margin-bottom: 0.4em; }\n"
           ".titlepage { text-align: center; margin-top: 3em; }\n"
           ".titlepage .title { font-size: 2em; }\n"
           ".titlepage .subtitle { font-size: 1.2em; font-style: italic; }\n"
           ".titlepage .selection { font-size: 1.05em; margin-top: 1.5em; }\n"
           ".titlepage .author { margin-top: 1.5em; font-size: 1.1em; }\n"
           "body.cover-page { padding: 0; }\n"
           ".cover { margin: 0; padding: 0; text-align: center; }\n"
           ".cover img { display: block; margin: 0 auto; max-width: 100%; max-height: 100vh;\n"
           "       width: auto; height: auto; object-fit: contain; }\n"
           "nav ol { list-style-type: none; padding-left: 1em; }\n";
}
