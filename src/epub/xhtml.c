/* The chapter renderer: one walk over a chapter's oc_node tree with one switch
 * on the node type (cmark's html.c), producing XHTML that is well-formed XML
 * whatever the input. Raw HTML is never emitted as markup, only as text. */
#include "epub/epub_internal.h"
#include "octavo/labels.h"
#include "octavo/epub.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- escaping ------------------------------------------------------------ */

void oc_epub_escape_str(oc_buf *b, const char *s) {
    if (s) oc_buf_xml_escape(b, s, strlen(s));
}

static int is_hex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int is_alnum(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void oc_epub_escape_href(oc_buf *b, const char *url) {
    static const char hex[] = "0123456789ABCDEF";
    int seen_hash = 0;
    for (const unsigned char *p = (const unsigned char *)url; p && *p; p++) {
        unsigned char c = *p;
        if (is_alnum(c) || (c && strchr("-_.+!*(),@?=;:/$~'", c))) {
            oc_buf_putc(b, (char)c);
        } else if (c == '&') {
            oc_buf_puts(b, "&amp;");
        } else if (c == '%' && is_hex((char)p[1]) && is_hex((char)p[2])) {
            oc_buf_putc(b, '%');
        } else if (c == '#' && !seen_hash) {
            seen_hash = 1;
            oc_buf_putc(b, '#');
        } else {
            char enc[3] = {'%', hex[c >> 4], hex[c & 15]};
            oc_buf_append(b, enc, 3);
        }
    }
}

static int is_ascii_letter(uint32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void oc_epub_id(oc_buf *b, const char *id) {
    if (!id || !*id) {
        oc_buf_putc(b, '_');
        return;
    }
    size_t len = strlen(id), i = 0;
    int reserved = id[0] == 'f' && id[1] == 'n'; /* "fn..." belongs to footnotes */
    while (i < len) {
        size_t at = i;
        uint32_t cp = oc_utf8_next(id, len, &i);
        int keep =
            is_ascii_letter(cp) || (at > 0 && ((cp >= '0' && cp <= '9') || cp == '-' || cp == '.'));
        if (at == 0 && reserved) keep = 0;
        if (keep)
            oc_buf_putc(b, (char)cp);
        else
            oc_buf_printf(b, "_%x_", (unsigned)cp);
    }
}

static int safe_name(const char *s) {
    if (!s || !*s || s[0] == '/' || s[0] == '.') return 0;
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (!is_alnum(c) && c != '-' && c != '_' && c != '.' && c != '/') return 0;
        if (c == '.' && p[1] == '.') return 0;
        if (c == '/' && (p[1] == '/' || p[1] == '.' || p[1] == '\0')) return 0;
    }
    return 1;
}

void oc_epub_chapter_file(oc_buf *b, const oc_document *doc, int ch) {
    const char *fid = doc->chapters[ch].file_id;
    if (safe_name(fid) && !strchr(fid, '/'))
        oc_buf_printf(b, "%s.xhtml", fid);
    else
        oc_buf_printf(b, "ch%02d.xhtml", ch + 1);
}

int oc_epub_asset_ok(const oc_asset *a) {
    return a && a->data && a->size > 0 &&
           (a->kind == OC_IMG_PNG || a->kind == OC_IMG_JPEG || a->kind == OC_IMG_GIF ||
            a->kind == OC_IMG_WEBP || a->kind == OC_IMG_SVG) &&
           safe_name(a->epub_name);
}

/* Core media types of EPUB 3.2; a WebP is carried as a PNG (epub.c). */
const char *oc_epub_media_type(const oc_asset *a) {
    switch (a->kind) {
    case OC_IMG_JPEG:
        return "image/jpeg";
    case OC_IMG_GIF:
        return "image/gif";
    case OC_IMG_SVG:
        return "image/svg+xml";
    default:
        return "image/png";
    }
}

/* ---- documents ----------------------------------------------------------- */

static const char *language(const oc_document *doc) {
    const char *l = doc->meta.language;
    if (!l || !*l) return "en-US";
    for (const char *p = l; *p; p++)
        if (!is_alnum((unsigned char)*p) && *p != '-') return "und";
    return l;
}

int oc_epub_rtl(const oc_document *doc) {
    static const char *rtl[] = {"ar", "arc", "ckb", "dv",  "fa", "he", "iw",
                                "ku", "ps",  "sd",  "syr", "ug", "ur", "yi"};
    const char *l = language(doc);
    size_t n = strcspn(l, "-");
    for (size_t i = 0; i < sizeof rtl / sizeof *rtl; i++)
        if (strlen(rtl[i]) == n && strncasecmp(l, rtl[i], n) == 0) return 1;
    return 0;
}

void oc_epub_xhtml_begin(oc_buf *b, const oc_document *doc, const char *title, const char *css_href,
                         const char *body_attrs) {
    const char *lang = language(doc);
    oc_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n"
                   "<html xmlns=\"http://www.w3.org/1999/xhtml\" "
                   "xmlns:epub=\"http://www.idpf.org/2007/ops\"");
    oc_buf_printf(b, " xml:lang=\"%s\" lang=\"%s\"%s>\n<head>\n<meta charset=\"UTF-8\"/>\n<title>",
                  lang, lang, oc_epub_rtl(doc) ? " dir=\"rtl\"" : "");
    if (title && *title)
        oc_epub_escape_str(b, title);
    else
        oc_buf_puts(b, "Untitled");
    oc_buf_puts(b, "</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"");
    oc_epub_escape_href(b, css_href);
    oc_buf_puts(b, "\"/>\n</head>\n<body");
    if (body_attrs && *body_attrs) oc_buf_printf(b, " %s", body_attrs);
    oc_buf_puts(b, ">\n");
}

void oc_epub_xhtml_end(oc_buf *b) {
    oc_buf_puts(b, "</body>\n</html>\n");
}

/* ---- the walk ------------------------------------------------------------ */

typedef struct {
    const oc_document *doc;
    int chapter;
    oc_buf *out;
    int *refs_seen; /* per note number: references rendered so far */
    int nnotes;
    const oc_node *open_link; /* the LINK whose <a> is open, or NULL */
    int tables;               /* tables rendered so far in this chapter */
    /* the page-list markers of the pages that begin in this chapter, by
     * node (then offset, then page), and which are written */
    const oc_epub_pages *pages;
    struct page_mark *marks;
    size_t nmarks;
    unsigned char *written;
} render_ctx;

/* ---- page-list markers --------------------------------------------------- */

typedef struct page_mark {
    const oc_node *node; /* where it is written (see place_of) */
    uint32_t offset;     /* into node's text */
    size_t page;         /* index into c->pages->v */
} page_mark;

static int mark_cmp(const void *a, const void *b) {
    const page_mark *x = a, *y = b;
    if (x->node != y->node) return (uintptr_t)x->node < (uintptr_t)y->node ? -1 : 1;
    if (x->offset != y->offset) return x->offset < y->offset ? -1 : 1;
    return x->page < y->page ? -1 : x->page > y->page;
}

static int is_figure(const oc_node *p);

/* Where a page beginning at node n is marked: text inside an image (its
 * alt text, never written as text) at the image, or the figure holding it;
 * a table row in its first cell. */
static const oc_node *place_of(const oc_node *n, uint32_t *offset) {
    for (const oc_node *a = n; a; a = a->parent)
        if (a->type == OC_IMAGE) {
            n = a;
            *offset = 0;
        }
    if (n->type == OC_IMAGE && n->parent && n->parent->type == OC_PARAGRAPH && is_figure(n->parent))
        n = n->parent;
    if (n->type == OC_TABLE_ROW && n->first) n = n->first;
    return n;
}

/* The first mark of node n (marks sorted by node), or nmarks. */
static size_t first_mark(const render_ctx *c, const oc_node *n) {
    size_t lo = 0, hi = c->nmarks;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uintptr_t)c->marks[mid].node < (uintptr_t)n)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void write_mark(render_ctx *c, size_t k) {
    if (c->written[k]) return;
    c->written[k] = 1;
    oc_epub_page_marker(c->out, c->pages, c->marks[k].page);
}

/* Writes every mark of node n not written yet. */
static void node_marks(render_ctx *c, const oc_node *n) {
    if (!c->nmarks) return;
    for (size_t k = first_mark(c, n); k < c->nmarks && c->marks[k].node == n; k++)
        write_mark(c, k);
}

static int chapter_marks(render_ctx *c, const oc_epub_pages *pages) {
    c->pages = pages;
    if (!oc_epub_has_pages(pages)) return 0;
    size_t n = 0;
    for (size_t i = 0; i < pages->n; i++)
        n += pages->v[i].chapter == c->chapter;
    if (!n) return 0;
    c->marks = oc_xmalloc(n * sizeof *c->marks);
    c->written = oc_xcalloc(n, 1);
    for (size_t i = 0; i < pages->n; i++) {
        const oc_page_break *p = &pages->v[i];
        if (p->chapter != c->chapter) continue;
        page_mark *m = &c->marks[c->nmarks++];
        m->offset = p->offset;
        m->node = p->node ? place_of(p->node, &m->offset) : NULL;
        m->page = i;
        if (!p->node && p->at_end) m->node = (const oc_node *)&c->pages; /* the end */
    }
    qsort(c->marks, c->nmarks, sizeof *c->marks, mark_cmp);
    return 1;
}

/* The start of the word holding byte `off` of s, not before `floor` (CJK,
 * broken between any two characters, and spaces end the search). */
static size_t word_start(const char *s, size_t off, size_t floor) {
    size_t k = off;
    while (k > floor) {
        size_t q = k - 1;
        while (q > floor && ((unsigned char)s[q] & 0xC0) == 0x80)
            q--;
        size_t e = q;
        uint32_t cp = oc_utf8_next(s, k, &e);
        if (cp == ' ' || cp == '\n' || cp == '\t' || cp == '\r' || cp >= 0x2E80) break;
        k = q;
    }
    return k;
}

static size_t text_len(const oc_node *n) {
    if (!n->text) return 0;
    return n->len ? n->len : strlen(n->text);
}

static void code_plain(render_ctx *c, const oc_node *n, size_t from, size_t to, size_t *k) {
    const char *s = n->text ? n->text : "";
    for (; *k < c->nmarks && c->marks[*k].node == n && c->marks[*k].offset < to; ++*k) {
        size_t at = c->marks[*k].offset > from ? c->marks[*k].offset : from;
        oc_buf_xml_escape(c->out, s + from, at - from);
        write_mark(c, *k);
        from = at;
    }
    oc_buf_xml_escape(c->out, s + from, to - from);
}

/* A code block's text, each highlighted token in <span class="CLASS"> (the
 * classes oc_hl_class_names gives; the stylesheet colours them). A class
 * the stylesheet has no rule for, being drawn like plain text in the light
 * and the night palettes alike (punctuation), gets no span, as the PDF sets
 * it in the same run as its neighbours: on a code-heavy book such spans
 * were two fifths of the markup. Tokens of one class that touch share one
 * span. */
static int styled(int cls) {
    return !oc_hl_is_plain(oc_hl_theme_light, cls) || !oc_hl_is_plain(oc_hl_theme_dark, cls);
}

/* Each class's opening tag, or an empty string for a class without a span
 * (styled), made once: a code-heavy book has tens of thousands of spans. */
typedef struct {
    char tag[32];
    unsigned char len;
} span_tag;
static span_tag span_tags[OC_HL_COUNT];
static pthread_once_t span_tags_once = PTHREAD_ONCE_INIT;

static void make_span_tags(void) {
    for (int cls = 0; cls < OC_HL_COUNT; cls++) {
        int n = styled(cls) ? snprintf(span_tags[cls].tag, sizeof span_tags[cls].tag,
                                       "<span class=\"%s\">", oc_hl_class_names[cls])
                            : 0;
        span_tags[cls].len = n > 0 && (size_t)n < sizeof span_tags[cls].tag ? (unsigned char)n : 0;
    }
}

static void code_text(render_ctx *c, const oc_node *n) {
    oc_buf *b = c->out;
    const char *s = n->text ? n->text : "";
    size_t len = text_len(n), at = 0;
    size_t k = c->nmarks ? first_mark(c, n) : c->nmarks; /* the page-list's marks in it */
    pthread_once(&span_tags_once, make_span_tags);
    for (int i = 0; i < n->nspans; i++) {
        const oc_hl_span *sp = &n->spans[i];
        if (sp->offset < at || sp->offset + (size_t)sp->length > len || sp->cls >= OC_HL_COUNT ||
            !span_tags[sp->cls].len)
            continue;
        size_t end = sp->offset + (size_t)sp->length;
        while (i + 1 < n->nspans && n->spans[i + 1].cls == sp->cls &&
               n->spans[i + 1].offset == end && end + n->spans[i + 1].length <= len)
            end += n->spans[++i].length;
        code_plain(c, n, at, sp->offset, &k);
        /* a page beginning inside a token: marked before it */
        for (; k < c->nmarks && c->marks[k].node == n && c->marks[k].offset < end; k++)
            write_mark(c, k);
        static const char shut[] = "</span>";
        oc_buf_append(b, span_tags[sp->cls].tag, span_tags[sp->cls].len);
        oc_buf_xml_escape(b, s + sp->offset, end - sp->offset);
        oc_buf_append(b, shut, sizeof shut - 1);
        at = end;
    }
    code_plain(c, n, at, len, &k);
}

/* ---- runs in another script: lang (and dir) ------------------------------ */

/* Text, escaped, with each run in a script the book's language is not
 * written in (oc_script_run) wrapped in <span lang=".." xml:lang="..">
 * (and dir="rtl" for Hebrew and Arabic), so that reading systems pick
 * fonts and line breaking for it. */
static void text_with_lang(oc_buf *b, const oc_document *doc, const char *s, size_t len) {
    const char *book = language(doc);
    size_t done = 0;
    oc_script_span r;
    while (oc_script_run(book, s, len, done, &r)) {
        oc_buf_xml_escape(b, s + done, r.start - done);
        oc_buf_printf(b, "<span lang=\"%s\" xml:lang=\"%s\"%s>", r.tag, r.tag,
                      r.rtl ? " dir=\"rtl\"" : "");
        oc_buf_xml_escape(b, s + r.start, r.end - r.start);
        oc_buf_puts(b, "</span>");
        done = r.end;
    }
    oc_buf_xml_escape(b, s + done, len - done);
}

/* A text node, with the page-list markers of the pages that begin in it
 * before the words they begin at. */
static void text_marked(render_ctx *c, const oc_node *n) {
    const char *s = n->text ? n->text : "";
    size_t len = text_len(n), done = 0;
    size_t k = c->nmarks ? first_mark(c, n) : c->nmarks;
    for (; k < c->nmarks && c->marks[k].node == n; k++) {
        size_t at = c->marks[k].offset < len ? c->marks[k].offset : len;
        at = word_start(s, at, done);
        text_with_lang(c->out, c->doc, s + done, at - done);
        write_mark(c, k);
        done = at;
    }
    text_with_lang(c->out, c->doc, s + done, len - done);
}

/* Plain text of an inline subtree (image alt text), escaped, iteratively. */
static void plain_text(oc_buf *b, const oc_node *root) {
    for (const oc_node *n = root->first; n; n = oc_node_next(root, n, n->type != OC_TEXT)) {
        if (n->type == OC_TEXT || n->type == OC_CODE || n->type == OC_HTML_INLINE)
            oc_buf_xml_escape(b, n->text ? n->text : "", text_len(n));
        else if (n->type == OC_SOFTBREAK || n->type == OC_LINEBREAK)
            oc_buf_putc(b, ' ');
    }
}

static int image_ok(const oc_node *img) {
    return oc_epub_asset_ok(img->asset);
}

/* A paragraph holding only an image with a title is a figure. */
static int is_figure(const oc_node *p) {
    const oc_node *i = p->first;
    return p->type == OC_PARAGRAPH && i && !i->next && i->type == OC_IMAGE && i->title &&
           i->title[0] && image_ok(i);
}

static int in_tight_list(const oc_node *p) {
    return p->parent && p->parent->type == OC_ITEM && p->parent->parent &&
           p->parent->parent->type == OC_LIST && p->parent->parent->tight;
}

/* Whether an item's checkbox goes inside its first paragraph. */
static int box_in_para(const oc_node *item) {
    const oc_node *f = item->first;
    return f && f->type == OC_PARAGRAPH && !is_figure(f) && !in_tight_list(f);
}

static void task_box(oc_buf *b, int task) {
    oc_buf_puts(b, task == 2 ? "<span class=\"task-box\">\xE2\x98\x91</span> "
                             : "<span class=\"task-box\">\xE2\x98\x90</span> ");
}

static int link_target_ok(const render_ctx *c, const oc_node *n) {
    if (n->link_kind == OC_LINK_INTERNAL)
        return n->target_chapter >= 0 && n->target_chapter < c->doc->nchapters;
    if (n->link_kind != OC_LINK_EXTERNAL || !n->url) return 0;
    const char *u = n->url;
    return strncasecmp(u, "http://", 7) == 0 || strncasecmp(u, "https://", 8) == 0 ||
           strncasecmp(u, "mailto:", 7) == 0;
}

static const char *align_class(oc_align a) {
    switch (a) {
    case OC_ALIGN_LEFT:
        return " class=\"al-left\"";
    case OC_ALIGN_CENTER:
        return " class=\"al-center\"";
    case OC_ALIGN_RIGHT:
        return " class=\"al-right\"";
    default:
        return "";
    }
}

static void image_src(oc_buf *b, const oc_asset *a) {
    oc_buf_puts(b, "../");
    oc_epub_escape_href(b, a->epub_name);
}

/* The info string's words after the language ("rust,ignore" -> " ignore",
 * mdBook's attributes), each a class when it is a plain word. */
static void code_attr_classes(oc_buf *b, const char *info) {
    if (!info) return;
    size_t i = 0;
    while (info[i] && info[i] != ',' && info[i] != ' ' && info[i] != '\t')
        i++;
    while (info[i]) {
        while (info[i] == ',' || (info[i] == ' ' || info[i] == '\t'))
            i++;
        size_t k = 0;
        int plain = 1;
        while (info[i + k] && info[i + k] != ',' && info[i + k] != ' ' && info[i + k] != '\t') {
            if (!is_alnum((unsigned char)info[i + k]) && !strchr("-_", info[i + k])) plain = 0;
            k++;
        }
        if (k && plain) {
            oc_buf_putc(b, ' ');
            oc_buf_xml_escape(b, info + i, k);
        }
        i += k;
    }
}

static void img_tag(oc_buf *b, const oc_node *n, int with_title) {
    oc_buf_puts(b, "<img src=\"");
    image_src(b, n->asset);
    oc_buf_puts(b, "\" alt=\"");
    plain_text(b, n);
    oc_buf_puts(b, "\"");
    if (n->img_width > 0) oc_buf_printf(b, " width=\"%d\"", n->img_width);
    if (n->img_height > 0) oc_buf_printf(b, " height=\"%d\"", n->img_height);
    if (with_title && n->title && n->title[0]) {
        oc_buf_puts(b, " title=\"");
        oc_epub_escape_str(b, n->title);
        oc_buf_puts(b, "\"");
    }
    oc_buf_puts(b, "/>");
}

static void note_ref_id(oc_buf *b, int num, int k) {
    if (k <= 1)
        oc_buf_printf(b, "fnref-%d", num);
    else
        oc_buf_printf(b, "fnref-%d-%d", num, k);
}

static void back_links(render_ctx *c, int num) {
    int count = num >= 1 && num <= c->nnotes ? c->refs_seen[num] : 0;
    for (int k = 1; k <= count; k++) {
        oc_buf_puts(c->out, " <a href=\"#");
        note_ref_id(c->out, num, k);
        /* U+21A9 with U+FE0E so readers do not draw it as an emoji */
        oc_buf_puts(c->out, "\" role=\"doc-backlink\">\xE2\x86\xA9\xEF\xB8\x8E");
        if (k > 1) oc_buf_printf(c->out, "<sup>%d</sup>", k);
        oc_buf_puts(c->out, "</a>");
    }
}

/* Renders one node event; on entering, returns 1 to visit the children. */
static int render_node(render_ctx *c, const oc_node *n, int entering) {
    oc_buf *b = c->out;
    switch (n->type) {
    case OC_CHAPTER:
        return 1;

    case OC_PARAGRAPH: {
        int figure = is_figure(n), bare = in_tight_list(n) && !figure;
        int in_note = n->parent && n->parent->type == OC_FOOTNOTE;
        if (entering) {
            if (figure) {
                const oc_node *img = n->first;
                oc_buf_puts(b, "<figure>\n");
                img_tag(b, img, 0);
                oc_buf_puts(b, "\n<figcaption>");
                if (img->figure_number > 0) {
                    const oc_labels *l = oc_labels_for(c->doc->meta.language);
                    oc_buf_printf(b, "<span class=\"fig-label\">%s%d%s</span> ", l->figure,
                                  img->figure_number, l->figure_after);
                }
                oc_epub_escape_str(b, img->title);
                oc_buf_puts(b, "</figcaption>\n</figure>\n");
                return 0;
            }
            if (!bare) oc_buf_printf(b, "<p%s>", align_class(n->halign));
            if (n->parent && n->parent->first == n) {
                if (n->parent->type == OC_ITEM && n->parent->task && box_in_para(n->parent))
                    task_box(b, n->parent->task);
                if (in_note)
                    oc_buf_printf(b, "<span class=\"fn-num\">%d.</span> ", n->parent->note_number);
            }
            return 1;
        }
        if (figure) return 0;
        if (in_note && n->parent->last == n) back_links(c, n->parent->note_number);
        if (!bare)
            oc_buf_puts(b, "</p>\n");
        else if (n->next)
            oc_buf_putc(b, '\n');
        return 0;
    }

    case OC_HEADING: {
        int level = n->level < 1 ? 1 : n->level > 6 ? 6 : n->level;
        if (entering) {
            oc_buf_printf(b, "<h%d%s", level, align_class(n->halign));
            if (n->id) {
                oc_buf_puts(b, " id=\"");
                oc_epub_id(b, n->id);
                oc_buf_putc(b, '"');
            }
            oc_buf_putc(b, '>');
            if (n->number && n->number[0]) {
                oc_buf_puts(b, "<span class=\"secnum\">");
                oc_epub_escape_str(b, n->number);
                oc_buf_puts(b, "</span> ");
            }
            return 1;
        }
        oc_buf_printf(b, "</h%d>\n", level);
        return 0;
    }

    case OC_QUOTE:
        oc_buf_puts(b, entering ? "<blockquote>\n" : "</blockquote>\n");
        return 1;

    case OC_LIST: {
        int tasks = 0;
        for (const oc_node *i = n->first; i; i = i->next)
            tasks |= i->type == OC_ITEM && i->task != 0;
        if (entering) {
            oc_buf_puts(b, n->ordered ? "<ol" : "<ul");
            if (n->ordered && n->start != 1) oc_buf_printf(b, " start=\"%d\"", n->start);
            if (tasks) oc_buf_puts(b, " class=\"task-list\"");
            oc_buf_puts(b, ">\n");
            return 1;
        }
        oc_buf_puts(b, n->ordered ? "</ol>\n" : "</ul>\n");
        return 0;
    }

    case OC_ITEM:
        if (entering) {
            oc_buf_puts(b, n->task ? "<li class=\"task\">" : "<li>");
            if (n->task && !box_in_para(n)) task_box(b, n->task);
            if (n->first && !in_tight_list(n->first)) oc_buf_putc(b, '\n');
            return 1;
        }
        oc_buf_puts(b, "</li>\n");
        return 0;

    case OC_CODE_BLOCK:
        if (entering) {
            oc_buf_puts(b, "<pre><code");
            if (n->info && n->info[0]) {
                const char *p = n->info;
                size_t k = 0;
                while (p[k] && (is_alnum((unsigned char)p[k]) || strchr("-_+#.", p[k])))
                    k++;
                if (k) {
                    oc_buf_puts(b, " class=\"language-");
                    oc_buf_xml_escape(b, p, k);
                    code_attr_classes(b, n->fence_info);
                    oc_buf_putc(b, '"');
                }
            }
            oc_buf_putc(b, '>');
            code_text(c, n);
            oc_buf_puts(b, "</code></pre>\n");
        }
        return 0;

    case OC_HR:
        if (entering) oc_buf_puts(b, "<hr/>\n");
        return 0;

    case OC_TABLE:
        /* A table wider than the screen scrolls inside its wrapper, which
         * keyboard users must be able to focus to scroll (and screen
         * readers then announce it by a name unique in the chapter). */
        if (entering)
            oc_buf_printf(b,
                          "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" "
                          "aria-label=\"%s%d\">\n<table>\n",
                          oc_labels_for(c->doc->meta.language)->table, ++c->tables);
        else
            oc_buf_puts(b, "</table>\n</div>\n");
        return 1;

    case OC_TABLE_ROW:
        if (entering) {
            if (n->header && (!n->prev || !oc_row_is_header(n->prev))) oc_buf_puts(b, "<thead>\n");
            if (!n->header && (!n->prev || oc_row_is_header(n->prev))) oc_buf_puts(b, "<tbody>\n");
            oc_buf_puts(b, "<tr>");
            return 1;
        }
        oc_buf_puts(b, "</tr>\n");
        if (n->header && (!n->next || !oc_row_is_header(n->next))) oc_buf_puts(b, "</thead>\n");
        if (!n->header && !n->next) oc_buf_puts(b, "</tbody>\n");
        return 0;

    case OC_TABLE_CELL: {
        const oc_node *row = n->parent, *table = row ? row->parent : NULL;
        int head = row && oc_row_is_header(row);
        if (entering) {
            oc_align al = OC_ALIGN_NONE;
            if (table && table->type == OC_TABLE && table->align && n->col >= 0 &&
                n->col < table->ncols)
                al = table->align[n->col];
            if (n->halign) al = n->halign;
            oc_buf_printf(b, "<%s%s", head ? "th" : "td", align_class(al));
            if (n->colspan > 1) oc_buf_printf(b, " colspan=\"%d\"", n->colspan);
            oc_buf_putc(b, '>');
            return 1;
        }
        oc_buf_puts(b, head ? "</th>" : "</td>");
        return 0;
    }

    case OC_HTML_BLOCK:
        if (entering) {
            oc_buf_puts(b, "<pre class=\"raw-html\">");
            oc_buf_xml_escape(b, n->text ? n->text : "", text_len(n));
            oc_buf_puts(b, "</pre>\n");
        }
        return 0;

    case OC_FOOTNOTE:
        if (entering) {
            oc_buf_printf(b, "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn-%d\">\n",
                          n->note_number);
            if (!n->first || n->first->type != OC_PARAGRAPH || is_figure(n->first))
                oc_buf_printf(b, "<p class=\"fn-num\">%d.</p>\n", n->note_number);
            return 1;
        }
        if (!n->last || n->last->type != OC_PARAGRAPH || is_figure(n->last)) {
            oc_buf_puts(b, "<p class=\"fn-back\">");
            back_links(c, n->note_number);
            oc_buf_puts(b, "</p>\n");
        }
        oc_buf_puts(b, "</aside>\n");
        return 0;

    case OC_TEXT:
        if (entering) text_marked(c, n);
        return 0;

    case OC_SOFTBREAK:
        if (entering) oc_buf_putc(b, '\n');
        return 0;

    case OC_LINEBREAK:
        if (entering) oc_buf_puts(b, "<br/>\n");
        return 0;

    case OC_CODE:
        if (entering) {
            oc_buf_puts(b, "<code>");
            oc_buf_xml_escape(b, n->text ? n->text : "", text_len(n));
            oc_buf_puts(b, "</code>");
        }
        return 0;

    case OC_EMPH:
        oc_buf_puts(b, entering ? "<em>" : "</em>");
        return 1;

    case OC_STRONG:
        oc_buf_puts(b, entering ? "<strong>" : "</strong>");
        return 1;

    case OC_STRIKE:
        oc_buf_puts(b, entering ? "<del>" : "</del>");
        return 1;

    case OC_LINK:
        if (entering) {
            if (c->open_link || !link_target_ok(c, n)) return 1; /* text only */
            c->open_link = n;
            oc_buf_puts(b, "<a href=\"");
            if (n->link_kind == OC_LINK_INTERNAL) {
                oc_epub_chapter_file(b, c->doc, n->target_chapter);
                if (n->target_id) {
                    oc_buf_putc(b, '#');
                    oc_epub_id(b, n->target_id);
                }
            } else {
                oc_epub_escape_href(b, n->url);
            }
            oc_buf_putc(b, '"');
            if (n->link_kind == OC_LINK_EXTERNAL && n->title && n->title[0]) {
                oc_buf_puts(b, " title=\"");
                oc_epub_escape_str(b, n->title);
                oc_buf_putc(b, '"');
            }
            oc_buf_putc(b, '>');
            return 1;
        }
        if (c->open_link == n) {
            oc_buf_puts(b, "</a>");
            c->open_link = NULL;
        }
        return 0;

    case OC_IMAGE:
        if (entering) {
            if (image_ok(n)) {
                img_tag(b, n, 1);
            } else if (n->first) {
                /* remote or missing: the alt text stands in */
                oc_buf_puts(b, "<span class=\"img-alt\">");
                plain_text(b, n);
                oc_buf_puts(b, "</span>");
            }
        }
        return 0;

    case OC_FOOTNOTE_REF:
        if (entering) {
            int num = n->note_number;
            if (num < 1 || num > c->nnotes) {
                oc_buf_printf(b, "<sup>%d</sup>", num);
                return 0;
            }
            int k = ++c->refs_seen[num];
            if (c->open_link) { /* no <a> inside <a>: keep the id for the back-link */
                oc_buf_puts(b, "<sup id=\"");
                note_ref_id(b, num, k);
                oc_buf_printf(b, "\">%d</sup>", num);
                return 0;
            }
            oc_buf_printf(b,
                          "<sup><a epub:type=\"noteref\" role=\"doc-noteref\" href=\"#fn-%d\" "
                          "id=\"",
                          num);
            note_ref_id(b, num, k);
            oc_buf_printf(b, "\">%d</a></sup>", num);
        }
        return 0;

    case OC_HTML_INLINE:
        if (entering) {
            oc_buf_puts(b, "<span class=\"raw-html\">");
            oc_buf_xml_escape(b, n->text ? n->text : "", text_len(n));
            oc_buf_puts(b, "</span>");
        }
        return 0;

    /* elements born of raw HTML: each becomes its own XHTML element again */
    case OC_DEFLIST:
        oc_buf_puts(b, entering ? "<dl>\n" : "</dl>\n");
        return 1;
    case OC_DEF_TERM:
        oc_buf_puts(b, entering ? "<dt>" : "</dt>\n");
        return 1;
    case OC_DEF_DESC:
        oc_buf_puts(b, entering ? "<dd>\n" : "</dd>\n");
        return 1;
    case OC_DETAILS:
        oc_buf_puts(b, entering ? "<details>\n" : "</details>\n");
        return 1;
    case OC_SUMMARY:
        oc_buf_puts(b, entering ? "<summary>" : "</summary>\n");
        return 1;
    case OC_KBD:
        oc_buf_puts(b, entering ? "<kbd>" : "</kbd>");
        return 1;
    case OC_SUP:
        oc_buf_puts(b, entering ? "<sup>" : "</sup>");
        return 1;
    case OC_SUB:
        oc_buf_puts(b, entering ? "<sub>" : "</sub>");
        return 1;
    case OC_UNDERLINE:
        oc_buf_puts(b, entering ? "<u>" : "</u>");
        return 1;
    case OC_MARK:
        oc_buf_puts(b, entering ? "<mark>" : "</mark>");
        return 1;
    case OC_SMALL:
        oc_buf_puts(b, entering ? "<small>" : "</small>");
        return 1;
    case OC_Q:
        oc_buf_puts(b, entering ? "<q>" : "</q>");
        return 1;
    case OC_ABBR:
        if (!entering) {
            oc_buf_puts(b, "</abbr>");
            return 0;
        }
        oc_buf_puts(b, "<abbr");
        if (n->title && n->title[0]) {
            oc_buf_puts(b, " title=\"");
            oc_epub_escape_str(b, n->title);
            oc_buf_putc(b, '"');
        }
        oc_buf_putc(b, '>');
        return 1;
    case OC_ANCHOR:
        if (entering && n->id) {
            oc_buf_puts(b, "<span id=\"");
            oc_epub_id(b, n->id);
            oc_buf_puts(b, "\"></span>");
        }
        return 0;
    }
    return 0;
}

/* Blocks whose page-list marker goes inside them, at their start. */
static int marks_inside(const oc_node *n) {
    switch (n->type) {
    case OC_PARAGRAPH:
        return !is_figure(n);
    case OC_HEADING:
    case OC_TABLE_CELL:
    case OC_ITEM:
    case OC_QUOTE:
    case OC_DEF_TERM:
    case OC_DEF_DESC:
    case OC_SUMMARY:
        return 1;
    default:
        return 0;
    }
}

/* Visits root and its subtree in document order without recursion, so deep
 * nesting cannot exhaust the stack. */
/* Enters node n: its page-list marks inside it where it may hold text,
 * else before it (text and code blocks place their own). */
static int enter(render_ctx *c, const oc_node *n) {
    if (!c->nmarks) return render_node(c, n, 1);
    int inside = marks_inside(n);
    if (!inside && n->type != OC_TEXT && n->type != OC_CODE_BLOCK) node_marks(c, n);
    int more = render_node(c, n, 1);
    if (inside) node_marks(c, n);
    return more;
}

static void walk(render_ctx *c, const oc_node *root) {
    const oc_node *n = root;
    int entering = 1;
    while (n) {
        if (entering && enter(c, n) && n->first) {
            n = n->first;
            continue;
        }
        render_node(c, n, 0);
        if (n == root) break;
        if (n->next) {
            n = n->next;
            entering = 1;
        } else {
            n = n->parent;
            entering = 0;
        }
    }
}

/* The chapter's body; with pages, the page-list markers of the pages that
 * begin in it. */
static void chapter_body(const oc_document *doc, int chapter, oc_buf *out,
                         const oc_epub_pages *pages) {
    if (chapter < 0 || chapter >= doc->nchapters) return;
    const oc_chapter *ch = &doc->chapters[chapter];
    oc_doc_highlight_wait(doc, chapter); /* the code's classes */
    render_ctx c = {0};
    c.doc = doc;
    c.chapter = chapter;
    c.out = out;
    c.nnotes = ch->notes ? ch->nnotes : 0;
    c.refs_seen = oc_xcalloc((size_t)c.nnotes + 1, sizeof *c.refs_seen);
    chapter_marks(&c, pages);

    oc_buf_puts(out, "<section epub:type=\"chapter\" role=\"doc-chapter\">\n");
    node_marks(&c, NULL); /* pages beginning with the chapter */
    if (ch->root) walk(&c, ch->root);
    if (c.nnotes > 0) {
        oc_buf_puts(out, "<div class=\"footnotes\">\n");
        for (int i = 0; i < c.nnotes; i++)
            if (ch->notes[i]) walk(&c, ch->notes[i]);
        oc_buf_puts(out, "</div>\n");
    }
    /* pages after the chapter's end (a blank verso), and, never expected,
     * a page whose node was not written: the list must find each one */
    node_marks(&c, (const oc_node *)&c.pages);
    for (size_t k = 0; k < c.nmarks; k++)
        write_mark(&c, k);
    oc_buf_puts(out, "</section>\n");
    free(c.refs_seen);
    free(c.marks);
    free(c.written);
}

void oc_epub_chapter_body(const oc_document *doc, int chapter, oc_buf *out) {
    chapter_body(doc, chapter, out, NULL);
}

void oc_epub_chapter_xhtml(const oc_document *doc, int chapter, oc_buf *out,
                           const oc_epub_pages *pages) {
    const oc_chapter *ch = &doc->chapters[chapter];
    oc_epub_xhtml_begin(out, doc, ch->title ? ch->title : doc->meta.title, "../" OC_EPUB_CSS, NULL);
    chapter_body(doc, chapter, out, pages);
    oc_epub_xhtml_end(out);
}
