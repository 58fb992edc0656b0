/* Unit tests for the accessibility scan (src/doc/a11y.c) and the EPUB
 * accessibility metadata it drives, over Documents built by hand: cases the
 * Markdown parser cannot produce (a table without a header row), heading
 * order, alt text, link text, positions found again in the source, and the
 * OPF's schema: and conformance entries. */
#include "harness.h"
#include "epub/epub_internal.h"
#include "octavo/a11y.h"

#include <stdlib.h>
#include <string.h>

static oc_arena A;
static oc_asset PNG = {"images/a.png",
                       "images/a.png",
                       "img2",
                       (const unsigned char *)"\x89PNG",
                       4,
                       OC_IMG_PNG,
                       10,
                       10,
                       8,
                       3,
                       0};

static oc_node *node(oc_node_type t, int line, int col) {
    oc_node *n = oc_arena_alloc(&A, sizeof *n);
    n->type = t;
    n->line = line;
    n->column = col;
    return n;
}

static oc_node *add(oc_node *parent, oc_node *child) {
    oc_node_append(parent, child);
    return child;
}

static oc_node *text(const char *s) {
    oc_node *n = node(OC_TEXT, 1, 1);
    n->text = oc_arena_strdup(&A, s);
    n->len = strlen(s);
    return n;
}

static oc_node *heading(oc_node *root, int level, int line) {
    oc_node *h = add(root, node(OC_HEADING, line, 1));
    h->level = level;
    add(h, text("Heading"));
    return h;
}

static oc_node *link(oc_node *parent, const char *label, const char *url, int line, int col) {
    oc_node *l = add(parent, node(OC_LINK, line, col));
    l->url = url;
    l->link_kind = OC_LINK_EXTERNAL;
    if (label) add(l, text(label));
    return l;
}

static oc_node *image(oc_node *parent, const char *alt, oc_asset *asset, int line, int col) {
    oc_node *i = add(parent, node(OC_IMAGE, line, col));
    i->url = asset ? asset->path : "https://example.org/remote.png";
    i->asset = asset;
    if (alt) add(i, text(alt));
    return i;
}

static oc_document *new_doc(void) {
    oc_arena_init(&A);
    oc_document *d = oc_arena_alloc(&A, sizeof *d);
    d->meta.title = "A11y";
    d->meta.language = "en";
    d->nchapters = 1;
    d->chapters = oc_arena_alloc(&A, sizeof(oc_chapter));
    d->chapters[0].file_id = "ch01";
    d->chapters[0].path = "ch.md";
    d->chapters[0].display = "bk/ch.md";
    d->chapters[0].root = node(OC_CHAPTER, 1, 1);
    return d;
}

static int count_containing(const oc_diag *d, const char *needle) {
    int n = 0;
    for (size_t i = 0; i < d->count; i++) {
        char line[512];
        oc_diag_format(&d->items[i], line, sizeof line);
        if (strstr(line, needle)) n++;
    }
    return n;
}

static char *opf(const oc_document *d) {
    oc_buf b;
    oc_buf_init(&b);
    oc_epub_package_opf(&b, d, 1700000000, NULL);
    return oc_buf_detach(&b, NULL);
}

/* GFM always gives a table a header row; raw HTML tables will not. */
static void test_table_without_header_row(void) {
    oc_document *d = new_doc();
    oc_node *root = d->chapters[0].root;
    heading(root, 1, 1);
    oc_node *t = add(root, node(OC_TABLE, 3, 1));
    t->ncols = 1;
    oc_node *row = add(t, node(OC_TABLE_ROW, 3, 1));
    add(add(row, node(OC_TABLE_CELL, 3, 1)), text("data"));
    oc_node *good = add(root, node(OC_TABLE, 6, 1));
    good->ncols = 1;
    oc_node *head = add(good, node(OC_TABLE_ROW, 6, 1));
    head->header = 1;
    add(add(head, node(OC_TABLE_CELL, 6, 1)), text("Name"));
    oc_diag diag;
    oc_diag_init(&diag, NULL);
    oc_a11y_facts f;
    oc_a11y_scan(d, &f, &diag);
    CHECK(f.tables == 2 && f.tables_no_head == 1);
    CHECK(diag.warnings == 1);
    CHECK(count_containing(&diag, "bk/ch.md:3:1: warning: table has no header row") == 1);
    oc_diag_free(&diag);
    oc_arena_free(&A);
}

static void test_heading_order(void) {
    oc_document *d = new_doc();
    oc_node *root = d->chapters[0].root;
    heading(root, 2, 1); /* opens below level 1 */
    heading(root, 3, 3);
    heading(root, 2, 5);
    heading(root, 4, 7); /* skips 3 */
    heading(root, 1, 9);
    heading(root, 2, 11);
    oc_diag diag;
    oc_diag_init(&diag, NULL);
    oc_a11y_facts f;
    oc_a11y_scan(d, &f, &diag);
    CHECK(f.headings == 6 && f.heading_skips == 2);
    CHECK(count_containing(&diag, "bk/ch.md:1:1: warning: the chapter opens with a level-2") == 1);
    CHECK(count_containing(&diag, "bk/ch.md:7:1: warning: heading level 4 follows level 2, "
                                  "skipping level 3") == 1);
    CHECK(diag.warnings == 2);
    char *x = opf(d);
    CHECK_NOT_CONTAINS(x, "structuralNavigation");
    CHECK_CONTAINS(x, "<meta property=\"schema:accessibilityFeature\">tableOfContents</meta>");
    free(x);
    oc_diag_free(&diag);
    oc_arena_free(&A);
}

static void test_images_and_modes(void) {
    oc_document *d = new_doc();
    oc_node *root = d->chapters[0].root;
    heading(root, 1, 1);
    oc_node *p = add(root, node(OC_PARAGRAPH, 3, 1));
    image(p, "A chart", &PNG, 3, 1);
    image(p, "   ", &PNG, 3, 20);          /* blank alt is no alt */
    image(p, NULL, NULL, 3, 40);           /* remote, no alt: warned, not shown */
    image(p, "Remote photo", NULL, 3, 60); /* remote with alt: fine */
    oc_diag diag;
    oc_diag_init(&diag, NULL);
    oc_a11y_facts f;
    oc_a11y_scan(d, &f, &diag);
    CHECK(f.images == 2 && f.images_alt == 1 && f.images_no_alt == 2);
    CHECK(count_containing(&diag, "has no alt text") == 2);
    char *x = opf(d);
    CHECK_CONTAINS(x, "<meta property=\"schema:accessMode\">visual</meta>");
    CHECK_CONTAINS(x, "<meta property=\"schema:accessModeSufficient\">textual,visual</meta>");
    CHECK_NOT_CONTAINS(x, "<meta property=\"schema:accessModeSufficient\">textual</meta>");
    CHECK_NOT_CONTAINS(x, "alternativeText");
    CHECK_CONTAINS(x, "1 of its 2 images lacks alternative text");
    free(x);
    /* give the image its alt text: the claims come back */
    oc_node *blank = p->first->next;
    blank->first->text = "A second chart";
    blank->first->len = strlen(blank->first->text);
    x = opf(d);
    CHECK_CONTAINS(x, "<meta property=\"schema:accessModeSufficient\">textual</meta>");
    CHECK_CONTAINS(x, "<meta property=\"schema:accessibilityFeature\">alternativeText</meta>");
    CHECK_CONTAINS(x, "<meta property=\"schema:accessibilityFeature\">structuralNavigation</meta>");
    CHECK_CONTAINS(x, "Each of its 2 images has alternative text");
    free(x);
    oc_diag_free(&diag);
    oc_arena_free(&A);
}

static void test_text_only_and_claims(void) {
    oc_document *d = new_doc();
    heading(d->chapters[0].root, 1, 1);
    char *x = opf(d);
    CHECK_CONTAINS(x, "<meta property=\"schema:accessMode\">textual</meta>");
    CHECK_NOT_CONTAINS(x, ">visual<");
    CHECK_NOT_CONTAINS(x, "alternativeText");
    CHECK_CONTAINS(x, "<meta property=\"schema:accessibilityHazard\">none</meta>");
    CHECK_CONTAINS(x, "<meta property=\"schema:accessibilitySummary\">");
    CHECK_NOT_CONTAINS(x, "conformsTo");
    CHECK_NOT_CONTAINS(x, "certifiedBy");
    CHECK_NOT_CONTAINS(x, "pageNavigation");
    CHECK_NOT_CONTAINS(x, "printPageNumbers");
    free(x);
    static const char *hazards[] = {"flashing", "noSoundHazard"};
    d->meta.a11y_conforms_to = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA";
    d->meta.a11y_certified_by = "Lab <&> Co";
    d->meta.a11y_hazards = hazards;
    d->meta.na11y_hazards = 2;
    x = opf(d);
    CHECK_CONTAINS(x, "<meta property=\"dcterms:conformsTo\" id=\"conformance\">EPUB "
                      "Accessibility 1.1 - WCAG 2.1 Level AA</meta>\n"
                      "<meta property=\"a11y:certifiedBy\" refines=\"#conformance\">Lab "
                      "&lt;&amp;&gt; Co</meta>");
    CHECK_CONTAINS(x, "<meta property=\"schema:accessibilityHazard\">flashing</meta>\n"
                      "<meta property=\"schema:accessibilityHazard\">noSoundHazard</meta>");
    CHECK_NOT_CONTAINS(x, ">none<");
    free(x);
    oc_arena_free(&A);
}

/* With a page-list: its features, the edition named as the source of the
 * pagination, and the summary saying so. */
static void test_page_list_metadata(void) {
    oc_document *d = new_doc();
    heading(d->chapters[0].root, 1, 1);
    oc_page_break pb[2] = {{1, 1, -1, 0, NULL, 0, 0, 0}, {0, 1, 0, 0, NULL, 0, 0, 0}};
    oc_epub_pages pages = {pb, 2, "Book & Co, PDF edition (A4, print)"};
    oc_buf b;
    oc_buf_init(&b);
    oc_epub_package_opf(&b, d, 1700000000, &pages);
    char *x = oc_buf_detach(&b, NULL);
    CHECK_CONTAINS(x, "<meta property=\"schema:accessibilityFeature\">pageNavigation</meta>");
    CHECK_CONTAINS(x, "<meta property=\"schema:accessibilityFeature\">printPageNumbers</meta>");
    CHECK_CONTAINS(x, "<dc:source id=\"page-source\">Book &amp; Co, PDF edition (A4, "
                      "print)</dc:source>\n<meta refines=\"#page-source\" "
                      "property=\"source-of\">pagination</meta>");
    CHECK_CONTAINS(x, "page numbers of the Book &amp; Co, PDF edition (A4, print).");
    CHECK_NOT_CONTAINS(x, "There is no page list");
    free(x);
    pages.n = 0; /* no pages: none of it */
    oc_buf_init(&b);
    oc_epub_package_opf(&b, d, 1700000000, &pages);
    x = oc_buf_detach(&b, NULL);
    CHECK_NOT_CONTAINS(x, "pageNavigation");
    CHECK_NOT_CONTAINS(x, "dc:source");
    free(x);
    oc_arena_free(&A);
}

static void test_link_text(void) {
    oc_document *d = new_doc();
    oc_node *root = d->chapters[0].root;
    heading(root, 1, 1);
    oc_node *p = add(root, node(OC_PARAGRAPH, 3, 1));
    link(p, "here", "https://a.org", 3, 1);
    link(p, "Click Here", "https://a.org/x", 3, 10);
    link(p, "https://b.org/path", "https://b.org/path", 3, 30);
    link(p, "www.c.org", "http://www.c.org", 3, 50);
    link(p, "someone@example.org", "mailto:someone@example.org", 3, 60);
    link(p, "the CommonMark spec", "https://spec.commonmark.org", 3, 70);
    link(p, "numpy.org", "https://numpy.org", 3, 90);
    link(p, "where to go from here", "https://d.org", 3, 99);
    oc_diag diag;
    oc_diag_init(&diag, NULL);
    oc_a11y_facts f;
    oc_a11y_scan(d, &f, &diag);
    CHECK(f.vague_links == 4);
    CHECK(count_containing(&diag, "link text 'here'") == 1);
    CHECK(count_containing(&diag, "link text 'Click Here'") == 1);
    CHECK(count_containing(&diag, "link text 'https://b.org/path'") == 1);
    CHECK(count_containing(&diag, "link text 'www.c.org'") == 1);
    CHECK(diag.warnings == 4);
    oc_diag_free(&diag);
    /* no sink: counted, nothing reported, nothing crashes */
    oc_a11y_scan(d, &f, NULL);
    CHECK(f.vague_links == 4);
    oc_arena_free(&A);
}

/* cmark-gfm puts inlines past a paragraph's first line at the wrong column
 * (and table cells at their row's start): the scan finds them in the source. */
static void test_positions_from_source(void) {
    oc_document *d = new_doc();
    oc_chapter *ch = &d->chapters[0];
    ch->source = "# T\n\nPara one [a](http://x.org) and\nline two <https://b.org> then "
                 "[here](http://c.org).\n\n| A | B |\n|---|---|\n| x | [here](http://c.org) |\n";
    ch->source_len = strlen(ch->source);
    heading(ch->root, 1, 1);
    oc_node *p = add(ch->root, node(OC_PARAGRAPH, 3, 1));
    add(p, text("Para one "));
    link(p, "a", "http://x.org", 3, 10);
    link(p, "https://b.org", "https://b.org", 4, 41); /* as cmark-gfm reports it */
    link(p, "here", "http://c.org", 4, 31);
    oc_node *t = add(ch->root, node(OC_TABLE, 6, 1));
    t->ncols = 2;
    oc_node *head = add(t, node(OC_TABLE_ROW, 6, 1));
    head->header = 1;
    add(add(head, node(OC_TABLE_CELL, 6, 1)), text("A"));
    oc_node *row = add(t, node(OC_TABLE_ROW, 8, 1));
    add(add(row, node(OC_TABLE_CELL, 8, 1)), text("x"));
    link(add(row, node(OC_TABLE_CELL, 8, 1)), "here", "http://c.org", 8, 1);
    oc_diag diag;
    oc_diag_init(&diag, NULL);
    oc_a11y_scan(d, NULL, &diag);
    CHECK(count_containing(&diag, "bk/ch.md:4:10: warning: link text 'https://b.org'") == 1);
    CHECK(count_containing(&diag, "bk/ch.md:4:31: warning: link text 'here'") == 1);
    CHECK(count_containing(&diag, "bk/ch.md:8:7: warning: link text 'here'") == 1);
    CHECK(diag.warnings == 3);
    oc_diag_free(&diag);
    oc_arena_free(&A);
}

int main(void) {
    RUN(test_table_without_header_row);
    RUN(test_heading_order);
    RUN(test_images_and_modes);
    RUN(test_text_only_and_claims);
    RUN(test_page_list_metadata);
    RUN(test_link_text);
    RUN(test_positions_from_source);
    return harness_finish("test_a11y");
}
