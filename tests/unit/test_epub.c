/* Unit tests for the EPUB writer over Documents built by hand: escaping, raw
 * HTML, link schemes, footnotes, tables, figures, ids, the zip container. */
#include "harness.h"
#include "epub/epub_internal.h"
#include "octavo/epub.h"

#include <stdlib.h>
#include <string.h>
#include <zip.h>

static oc_arena A;

static oc_node *node(oc_node_type t) {
    oc_node *n = oc_arena_alloc(&A, sizeof *n);
    n->type = t;
    n->line = n->column = 1;
    return n;
}

static oc_node *add(oc_node *parent, oc_node *child) {
    oc_node_append(parent, child);
    return child;
}

static oc_node *text(const char *s) {
    oc_node *n = node(OC_TEXT);
    n->text = oc_arena_strdup(&A, s);
    n->len = strlen(s);
    return n;
}

static oc_node *para(oc_node *parent) {
    return add(parent, node(OC_PARAGRAPH));
}

/* A document with `n` empty chapters ch01..chNN. */
static oc_document *new_doc(int n) {
    oc_arena_init(&A);
    oc_document *d = oc_arena_alloc(&A, sizeof *d);
    d->meta.title = "Test & Book";
    d->meta.language = "en-US";
    d->meta.identifier = "urn:uuid:12345678-1234-1234-1234-123456789abc";
    d->source_date = 1700000000;
    d->nchapters = n;
    d->chapters = oc_arena_alloc(&A, sizeof(oc_chapter) * (size_t)n);
    for (int i = 0; i < n; i++) {
        oc_chapter *c = &d->chapters[i];
        c->index = i;
        c->file_id = oc_arena_printf(&A, "ch%02d", i + 1);
        c->title = oc_arena_printf(&A, "Chapter %d", i + 1);
        c->root = node(OC_CHAPTER);
    }
    return d;
}

static char *body(oc_document *d, int ch) {
    oc_buf b;
    oc_buf_init(&b);
    oc_epub_chapter_body(d, ch, &b);
    return oc_buf_detach(&b, NULL);
}

static void test_escaping(void) {
    oc_document *d = new_doc(1);
    oc_node *p = para(d->chapters[0].root);
    add(p, text("a < b & c > \"q\" tab\there\x01\x02\x7f end"));
    add(p, node(OC_SOFTBREAK));
    add(p, text("bad:\xEF\xBF\xBE|\xFF|\xC2\x85|ok \xCE\xB1\xCE\xB2 \xF0\x9F\x98\x80"));
    char *x = body(d, 0);
    CHECK_CONTAINS(x, "<p>a &lt; b &amp; c &gt; &quot;q&quot; tab\there end\n");
    /* U+FFFE and a stray byte become U+FFFD; the C1 control NEL is dropped */
    CHECK_CONTAINS(x, "bad:\xEF\xBF\xBD|\xEF\xBF\xBD||ok \xCE\xB1\xCE\xB2 \xF0\x9F\x98\x80</p>");
    CHECK_NOT_CONTAINS(x, "\x01");
    CHECK_NOT_CONTAINS(x, "\x7f");
    free(x);
    oc_arena_free(&A);
}

/* runs in a script the book's language is not written in carry lang (and
 * dir for right to left); the book's own script does not */
static void test_lang_runs(void) {
    oc_document *d = new_doc(1);
    oc_node *p = para(d->chapters[0].root);
    add(p, text("Korean 한국어 텍스트, Arabic كتاب جديد. Japanese 日本語のテキスト, Chinese 中文 "
                "and Hindi नमस्ते। Done & done."));
    char *x = body(d, 0);
    CHECK_CONTAINS(x, "Korean <span lang=\"ko\" xml:lang=\"ko\">한국어 텍스트</span>, Arabic ");
    CHECK_CONTAINS(x,
                   "<span lang=\"und-Arab\" xml:lang=\"und-Arab\" dir=\"rtl\">كتاب جديد</span>.");
    CHECK_CONTAINS(x,
                   "<span lang=\"ja\" xml:lang=\"ja\">日本語のテキスト</span>, Chinese "
                   "<span lang=\"zh\" xml:lang=\"zh\">中文</span> and Hindi "
                   "<span lang=\"und-Deva\" xml:lang=\"und-Deva\">नमस्ते।</span> Done &amp; done.");
    free(x);
    /* a Korean book does not tag its Korean */
    d->meta.language = "ko-KR";
    x = body(d, 0);
    CHECK_CONTAINS(x, "Korean 한국어 텍스트, Arabic <span");
    free(x);
    oc_arena_free(&A);
}

static void test_raw_html_is_text(void) {
    oc_document *d = new_doc(1);
    oc_node *root = d->chapters[0].root;
    oc_node *h = add(root, node(OC_HTML_BLOCK));
    h->text = "<script>alert(1)</script>\n<div onclick=\"x()\">hi</div>";
    oc_node *p = para(root);
    add(p, text("before "));
    oc_node *hi = add(p, node(OC_HTML_INLINE));
    hi->text = "<script>";
    add(p, text("inside"));
    hi = add(p, node(OC_HTML_INLINE));
    hi->text = "</script>";
    char *x = body(d, 0);
    CHECK_NOT_CONTAINS(x, "<script");
    CHECK_NOT_CONTAINS(x, "</script");
    CHECK_NOT_CONTAINS(x, "<div");
    CHECK_CONTAINS(x, "<pre class=\"raw-html\">&lt;script&gt;alert(1)&lt;/script&gt;\n"
                      "&lt;div onclick=&quot;x()&quot;&gt;hi&lt;/div&gt;</pre>");
    CHECK_CONTAINS(x, "before <span class=\"raw-html\">&lt;script&gt;</span>inside");
    free(x);
    oc_arena_free(&A);
}

static oc_node *link(oc_node *p, oc_link_kind kind, const char *url, const char *label) {
    oc_node *l = add(p, node(OC_LINK));
    l->link_kind = kind;
    l->url = url;
    add(l, text(label));
    return l;
}

static void test_links(void) {
    oc_document *d = new_doc(2);
    oc_node *p = para(d->chapters[0].root);
    link(p, OC_LINK_EXTERNAL, "javascript:alert(1)", "evil");
    link(p, OC_LINK_EXTERNAL, "JavaScript:alert(2)", "evil2");
    link(p, OC_LINK_EXTERNAL, "data:text/html,x", "data");
    link(p, OC_LINK_EXTERNAL, "https://example.com/a b?x=1&y=2#f#g", "web");
    link(p, OC_LINK_EXTERNAL, "mailto:me@example.com", "mail");
    oc_node *in = link(p, OC_LINK_INTERNAL, "two.md#code-blocks", "internal");
    in->target_chapter = 1;
    in->target_id = "code-blocks";
    in = link(p, OC_LINK_INTERNAL, "two.md", "chapter");
    in->target_chapter = 1;
    link(p, OC_LINK_BROKEN, "nowhere.md", "broken");
    char *x = body(d, 0);
    CHECK_NOT_CONTAINS(x, "javascript:");
    CHECK_NOT_CONTAINS(x, "JavaScript:");
    CHECK_NOT_CONTAINS(x, "data:");
    CHECK_CONTAINS(x, "<p>evilevil2data");
    CHECK_CONTAINS(x, "<a href=\"https://example.com/a%20b?x=1&amp;y=2#f%23g\">web</a>");
    CHECK_CONTAINS(x, "<a href=\"mailto:me@example.com\">mail</a>");
    CHECK_CONTAINS(x, "<a href=\"ch02.xhtml#code-blocks\">internal</a>");
    CHECK_CONTAINS(x, "<a href=\"ch02.xhtml\">chapter</a>");
    CHECK_CONTAINS(x, "</a>broken</p>");
    free(x);
    oc_arena_free(&A);
}

static void test_footnotes(void) {
    oc_document *d = new_doc(1);
    oc_chapter *ch = &d->chapters[0];
    oc_node *n1 = node(OC_FOOTNOTE), *n2 = node(OC_FOOTNOTE);
    n1->note_number = 1;
    n1->ref_count = 2;
    n2->note_number = 2;
    n2->ref_count = 1;
    add(para(n1), text("First note."));
    add(para(n2), text("Second note, para one."));
    add(para(n2), text("Para two."));
    ch->notes = oc_arena_alloc(&A, 2 * sizeof *ch->notes);
    ch->notes[0] = n1;
    ch->notes[1] = n2;
    ch->nnotes = 2;
    oc_node *p = para(ch->root);
    add(p, text("One"));
    oc_node *r = add(p, node(OC_FOOTNOTE_REF));
    r->note = n1;
    r->note_number = 1;
    add(p, text(" two"));
    r = add(p, node(OC_FOOTNOTE_REF));
    r->note = n2;
    r->note_number = 2;
    add(p, text(" again"));
    r = add(p, node(OC_FOOTNOTE_REF));
    r->note = n1;
    r->note_number = 1;
    char *x = body(d, 0);
    CHECK_CONTAINS(x, "One<sup><a epub:type=\"noteref\" role=\"doc-noteref\" href=\"#fn-1\" "
                      "id=\"fnref-1\">1</a></sup>");
    CHECK_CONTAINS(x, "again<sup><a epub:type=\"noteref\" role=\"doc-noteref\" href=\"#fn-1\" "
                      "id=\"fnref-1-2\">1</a></sup>");
    CHECK_CONTAINS(x, "id=\"fnref-2\">2</a>");
    CHECK_CONTAINS(x, "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn-1\">\n"
                      "<p><span class=\"fn-num\">1.</span> First note. "
                      "<a href=\"#fnref-1\" role=\"doc-backlink\">");
    CHECK_CONTAINS(x, "<a href=\"#fnref-1-2\" role=\"doc-backlink\">");
    CHECK_CONTAINS(x, "id=\"fn-2\">\n<p><span class=\"fn-num\">2.</span> Second note, para "
                      "one.</p>\n<p>Para two. <a href=\"#fnref-2\" role=\"doc-backlink\">");
    /* notes come after the text, in number order */
    CHECK(strstr(x, "id=\"fn-1\"") < strstr(x, "id=\"fn-2\""));
    CHECK(strstr(x, "again") < strstr(x, "<aside"));
    /* only one element per id */
    const char *first = strstr(x, "id=\"fnref-1\"");
    CHECK(first && !strstr(first + 1, "id=\"fnref-1\""));
    free(x);
    oc_arena_free(&A);
}

static void test_table(void) {
    oc_document *d = new_doc(1);
    oc_node *t = add(d->chapters[0].root, node(OC_TABLE));
    oc_align *al = oc_arena_alloc(&A, 3 * sizeof *al);
    al[0] = OC_ALIGN_NONE;
    al[1] = OC_ALIGN_CENTER;
    al[2] = OC_ALIGN_RIGHT;
    t->ncols = 3;
    t->align = al;
    for (int r = 0; r < 3; r++) {
        oc_node *row = add(t, node(OC_TABLE_ROW));
        row->header = r == 0;
        for (int c = 0; c < 3; c++) {
            oc_node *cell = add(row, node(OC_TABLE_CELL));
            cell->col = c;
            add(cell, text(r == 0 ? "H" : "v"));
        }
    }
    char *x = body(d, 0);
    CHECK_CONTAINS(
        x, "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Table 1\">\n"
           "<table>\n<thead>\n<tr><th>H</th>"
           "<th class=\"al-center\">H</th><th class=\"al-right\">H</th></tr>\n"
           "</thead>\n<tbody>\n<tr><td>v</td>");
    CHECK_CONTAINS(x, "<td class=\"al-right\">v</td></tr>\n</tbody>\n</table>\n</div>");
    CHECK_NOT_CONTAINS(x, "style=");
    free(x);
    oc_arena_free(&A);
}

static oc_asset *png_asset(const char *name) {
    static const unsigned char bytes[] = {
        /* a valid 1x1 RGB PNG */
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
        0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00,
        0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78,
        0x9c, 0x63, 0xf8, 0xdf, 0xc0, 0x00, 0x00, 0x04, 0x01, 0x01, 0x80, 0xc5, 0x2a, 0x18,
        0x5d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    oc_asset *a = oc_arena_alloc(&A, sizeof *a);
    a->path = a->epub_name = name;
    a->id = "img1";
    a->data = bytes;
    a->size = sizeof bytes;
    a->kind = OC_IMG_PNG;
    a->width = a->height = 1;
    return a;
}

static void test_images(void) {
    oc_document *d = new_doc(1);
    oc_node *root = d->chapters[0].root;
    oc_asset *a = png_asset("images/a.png");
    /* a titled image alone in a paragraph is a figure */
    oc_node *img = add(para(root), node(OC_IMAGE));
    img->asset = a;
    img->url = "images/a.png";
    img->title = "A \"chart\"";
    img->figure_number = 3;
    add(img, text("Alt <text>"));
    /* inline image among words */
    oc_node *p = para(root);
    add(p, text("see "));
    img = add(p, node(OC_IMAGE));
    img->asset = a;
    add(img, text("inline alt"));
    /* remote image: alt text only */
    img = add(p, node(OC_IMAGE));
    img->url = "https://example.com/x.png";
    add(img, text("remote alt"));
    char *x = body(d, 0);
    CHECK_CONTAINS(x, "<figure>\n<img src=\"../images/a.png\" alt=\"Alt &lt;text&gt;\"/>\n"
                      "<figcaption><span class=\"fig-label\">Figure 3.</span> A &quot;chart&quot;"
                      "</figcaption>\n</figure>");
    CHECK_NOT_CONTAINS(x, "<p><figure>");
    CHECK_CONTAINS(x, "<p>see <img src=\"../images/a.png\" alt=\"inline alt\"/>");
    CHECK_CONTAINS(x, "<span class=\"img-alt\">remote alt</span>");
    CHECK_NOT_CONTAINS(x, "example.com");
    free(x);
    oc_arena_free(&A);
}

static void test_ids_and_blocks(void) {
    oc_document *d = new_doc(1);
    oc_node *root = d->chapters[0].root;
    const char *ids[] = {"intro", "1-numbers-first", "fn-1", "caf\xC3\xA9", "a_b"};
    const char *want[] = {"id=\"intro\"", "id=\"_31_-numbers-first\"", "id=\"_66_n-1\"",
                          "id=\"caf_e9_\"", "id=\"a_5f_b\""};
    for (int i = 0; i < 5; i++) {
        oc_node *h = add(root, node(OC_HEADING));
        h->level = i + 2;
        h->id = ids[i];
        add(h, text("Heading"));
    }
    oc_node *l = add(para(root), node(OC_LINK));
    l->link_kind = OC_LINK_INTERNAL;
    l->target_chapter = 0;
    l->target_id = "1-numbers-first";
    add(l, text("back"));

    oc_node *list = add(root, node(OC_LIST));
    list->ordered = 1;
    list->start = 3;
    list->tight = 1;
    oc_node *item = add(list, node(OC_ITEM));
    item->task = 2;
    add(para(item), text("done"));
    item = add(list, node(OC_ITEM));
    item->task = 1;
    add(para(item), text("todo"));

    oc_node *q = add(root, node(OC_QUOTE));
    oc_node *code = add(q, node(OC_CODE_BLOCK));
    code->text = "if (a < b && c) {}\n";
    code->info = "c++ extra";
    add(root, node(OC_HR));
    oc_node *p = para(root);
    oc_node *e = add(p, node(OC_EMPH));
    add(e, text("em"));
    oc_node *s = add(p, node(OC_STRONG));
    add(s, text("strong"));
    oc_node *k = add(p, node(OC_STRIKE));
    add(k, text("gone"));
    add(p, node(OC_LINEBREAK));
    oc_node *c = add(p, node(OC_CODE));
    c->text = "x<y";

    char *x = body(d, 0);
    for (int i = 0; i < 5; i++)
        CHECK_CONTAINS(x, want[i]);
    CHECK_CONTAINS(x, "<h2 id=\"intro\">Heading</h2>");
    CHECK_CONTAINS(x, "<h6 id=\"a_5f_b\">");
    CHECK_CONTAINS(x, "<a href=\"ch01.xhtml#_31_-numbers-first\">back</a>");
    CHECK_CONTAINS(x, "<ol start=\"3\" class=\"task-list\">\n<li class=\"task\">"
                      "<span class=\"task-box\">\xE2\x98\x91</span> done</li>");
    CHECK_CONTAINS(x, "<span class=\"task-box\">\xE2\x98\x90</span> todo</li>");
    CHECK_CONTAINS(x, "<blockquote>\n<pre><code class=\"language-c++\">if (a &lt; b &amp;&amp; "
                      "c) {}\n</code></pre>\n</blockquote>");
    CHECK_CONTAINS(x, "<hr/>");
    CHECK_CONTAINS(x, "<em>em</em><strong>strong</strong><del>gone</del><br/>\n<code>x&lt;y"
                      "</code>");
    free(x);
    oc_arena_free(&A);
}

static size_t count_of(const char *hay, size_t len, const char *needle) {
    size_t n = 0, nl = strlen(needle);
    for (size_t i = 0; i + nl <= len; i++)
        if (memcmp(hay + i, needle, nl) == 0) n++;
    return n;
}

static void test_deep_nesting(void) {
    oc_document *d = new_doc(1);
    oc_node *cur = d->chapters[0].root;
    for (int i = 0; i < 200000; i++)
        cur = add(cur, node(OC_QUOTE));
    add(para(cur), text("deep"));
    char *x = body(d, 0);
    CHECK_CONTAINS(x, "<p>deep</p>");
    /* counted in one pass: strstr from each match re-scans the rest of the
     * string under ASan's interceptor, which made this test quadratic there */
    CHECK(count_of(x, strlen(x), "<blockquote>") == 200000);
    free(x);
    oc_arena_free(&A);
}

static void test_container(void) {
    oc_document *d = new_doc(2);
    oc_asset *cover = png_asset("images/cover.png");
    cover->is_cover = 1;
    d->meta.cover = cover;
    d->meta.date = "2026-11-26";
    const char *authors[] = {"Ann One", "Bob & Two"};
    d->meta.authors = authors;
    d->meta.nauthors = 2;
    for (int i = 0; i < 2; i++) {
        oc_node *h = add(d->chapters[i].root, node(OC_HEADING));
        h->level = 1;
        h->id = i ? "second" : "first";
        add(h, text(i ? "Second" : "First"));
        add(para(d->chapters[i].root), text("Body text."));
    }
    oc_buf a, b;
    oc_buf_init(&a);
    oc_buf_init(&b);
    oc_diag diag;
    oc_diag_init(&diag, NULL);
    CHECK(oc_epub_write(d, &a, &diag) == OC_OK);
    CHECK(oc_epub_write(d, &b, &diag) == OC_OK);
    CHECK(diag.errors == 0);
    CHECK(a.len > 100);
    /* mimetype first, stored, no extra field */
    const unsigned char *z = (const unsigned char *)a.data;
    CHECK(memcmp(z, "PK\x03\x04", 4) == 0);
    CHECK(z[8] == 0 && z[9] == 0);   /* compression method: stored */
    CHECK(z[26] == 8 && z[27] == 0); /* name length */
    CHECK(z[28] == 0 && z[29] == 0); /* extra field length */
    CHECK(memcmp(z + 30, "mimetypeapplication/epub+zip", 28) == 0);
    const char *dump = getenv("TEST_EPUB_DUMP"); /* for looking at it with epubcheck */
    if (dump) {
        FILE *f = fopen(dump, "wb");
        if (f) {
            fwrite(a.data, 1, a.len, f);
            fclose(f);
        }
    }
    /* reproducible */
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    /* the entries, in order, each once (names appear in local + central headers) */
    const char *names[] = {"META-INF/container.xml", "EPUB/package.opf",     "EPUB/nav.xhtml",
                           "EPUB/toc.ncx",           "EPUB/css/octavo.css",  "EPUB/cover.xhtml",
                           "EPUB/titlepage.xhtml",   "EPUB/text/ch01.xhtml", "EPUB/text/ch02.xhtml",
                           "EPUB/images/cover.png"};
    const char *prev = a.data;
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        CHECK(count_of(a.data, a.len, names[i]) == 2);
        const char *at = NULL;
        for (size_t k = 0; k + strlen(names[i]) <= a.len; k++)
            if (memcmp(a.data + k, names[i], strlen(names[i])) == 0) {
                at = a.data + k;
                break;
            }
        CHECK(at && at > prev);
        if (at) prev = at;
    }
    /* every part reads back through libzip, checksums verified: the parts
     * we render are deflated as they are made and handed to libzip as
     * deflated bytes (a packed source), the rest deflated by libzip */
    zip_error_t zerr;
    zip_error_init(&zerr);
    zip_source_t *src = zip_source_buffer_create(a.data, a.len, 0, &zerr);
    zip_t *za = src ? zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &zerr) : NULL;
    CHECK(za != NULL);
    if (!za && src) zip_source_free(src);
    if (za) {
        CHECK(zip_get_num_entries(za, 0) == 11);
        for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); i++) {
            zip_stat_t zs;
            CHECK(zip_stat_index(za, (zip_uint64_t)i, 0, &zs) == 0);
            CHECK(zs.comp_method == (i == 0 ? ZIP_CM_STORE : ZIP_CM_DEFLATE));
            zip_file_t *zf = zip_fopen_index(za, (zip_uint64_t)i, 0);
            CHECK(zf != NULL);
            if (!zf) continue;
            char *got = malloc(zs.size + 1);
            zip_int64_t n = zip_fread(zf, got, zs.size), more = zip_fread(zf, got, 1);
            CHECK(n == (zip_int64_t)zs.size && more == 0); /* a bad CRC fails the read */
            got[n > 0 ? n : 0] = '\0';
            if (strcmp(zs.name, "EPUB/text/ch01.xhtml") == 0)
                CHECK(strstr(got, ">First</h1>") && strstr(got, "Body text."));
            zip_fclose(zf);
            free(got);
        }
        zip_close(za);
    }
    zip_error_fini(&zerr);
    /* an output ceiling that is too small is an error in the sink, not a crash */
    oc_buf small;
    oc_buf_init(&small);
    small.limit = 200;
    oc_diag lim;
    oc_diag_init(&lim, NULL);
    CHECK(oc_epub_write(d, &small, &lim) == OC_ERR_LIMIT);
    CHECK(lim.errors == 1 && oc_diag_contains(&lim, "cannot write the EPUB"));
    oc_buf_free(&small);
    oc_diag_free(&lim);
    /* a different date changes the bytes */
    d->source_date = 1800000000;
    oc_buf_reset(&b);
    CHECK(oc_epub_write(d, &b, &diag) == OC_OK);
    CHECK(!(a.len == b.len && memcmp(a.data, b.data, a.len) == 0));
    oc_buf_free(&a);
    oc_buf_free(&b);
    oc_diag_free(&diag);
    oc_arena_free(&A);
}

static void test_package(void) {
    oc_document *d = new_doc(2);
    /* outline: ch1 h1 > h2 > h4, h2; ch2 without headings */
    static const struct {
        int level;
        const char *id, *text;
    } o[] = {{1, "start", "Start"}, {2, "a", "A <b>"}, {4, "a-deep", "Deep"}, {2, "b", "B"}};
    d->noutline = 4;
    d->outline = oc_arena_alloc(&A, 4 * sizeof *d->outline);
    for (int i = 0; i < 4; i++) {
        d->outline[i].chapter = 0;
        d->outline[i].level = o[i].level;
        d->outline[i].id = o[i].id;
        d->outline[i].text = o[i].text;
    }
    d->chapters[0].title = "Start";
    d->meta.subtitle = "Sub";
    d->meta.date = "26 November"; /* not W3CDTF: left out rather than warned about */
    d->meta.description = "About <this>";
    oc_buf b;
    oc_buf_init(&b);
    oc_epub_nav_xhtml(&b, d, NULL);
    CHECK_CONTAINS(b.data, "<ol class=\"toc\">\n<li><a href=\"text/ch01.xhtml\">Start</a>\n<ol>\n"
                           "<li><a href=\"text/ch01.xhtml#a\">A &lt;b&gt;</a>\n<ol>\n"
                           "<li><a href=\"text/ch01.xhtml#a-deep\">Deep</a></li>\n</ol>\n</li>\n"
                           "<li><a href=\"text/ch01.xhtml#b\">B</a></li>\n</ol>\n</li>\n"
                           "<li><a href=\"text/ch02.xhtml\">Chapter 2</a></li>\n</ol>");
    CHECK_CONTAINS(b.data, "epub:type=\"landmarks\"");
    CHECK_CONTAINS(b.data, "<a epub:type=\"bodymatter\" href=\"text/ch01.xhtml\">");
    CHECK_NOT_CONTAINS(b.data, "dir=\"rtl\"");
    oc_buf_reset(&b);
    oc_epub_toc_ncx(&b, d, NULL);
    CHECK_CONTAINS(b.data, "<meta name=\"dtb:uid\" content=\"urn:uuid:12345678-1234-1234-1234-"
                           "123456789abc\"/>");
    CHECK_CONTAINS(b.data, "<meta name=\"dtb:depth\" content=\"3\"/>");
    CHECK_CONTAINS(b.data, "playOrder=\"5\"><navLabel><text>Chapter 2</text>");
    size_t open = 0, close = 0;
    for (const char *s = b.data; (s = strstr(s, "<navPoint ")); s++)
        open++;
    for (const char *s = b.data; (s = strstr(s, "</navPoint>")); s++)
        close++;
    CHECK(open == 5 && close == 5);
    oc_buf_reset(&b);
    oc_epub_package_opf(&b, d, 1700000000, NULL);
    CHECK_CONTAINS(b.data, "<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>");
    CHECK_CONTAINS(b.data, "<dc:title id=\"subtitle\">Sub</dc:title>");
    CHECK_CONTAINS(b.data, "<dc:description>About &lt;this&gt;</dc:description>");
    CHECK_NOT_CONTAINS(b.data, "<dc:date>");
    CHECK_CONTAINS(b.data, "<spine toc=\"ncx\">\n<itemref idref=\"titlepage\"/>");
    CHECK_NOT_CONTAINS(b.data, "cover");
    /* right-to-left languages */
    d->meta.language = "ar-EG";
    oc_buf_reset(&b);
    oc_epub_package_opf(&b, d, 0, NULL);
    CHECK_CONTAINS(b.data, "<spine toc=\"ncx\" page-progression-direction=\"rtl\">");
    oc_buf_reset(&b);
    oc_epub_chapter_xhtml(d, 0, &b, NULL);
    CHECK_CONTAINS(b.data, "xml:lang=\"ar-EG\" lang=\"ar-EG\" dir=\"rtl\">");
    oc_buf_free(&b);
    oc_arena_free(&A);
}

int main(void) {
    RUN(test_escaping);
    RUN(test_raw_html_is_text);
    RUN(test_lang_runs);
    RUN(test_links);
    RUN(test_footnotes);
    RUN(test_table);
    RUN(test_images);
    RUN(test_ids_and_blocks);
    RUN(test_deep_nesting);
    RUN(test_package);
    RUN(test_container);
    return harness_finish("test_epub");
}
