/* Loader and parser: metadata, YAML errors with lines, path confinement,
 * slugs, ids, footnotes, cross-chapter links, images checked by bytes. */
#include "harness.h"
#include "octavo/a11y.h"
#include "octavo/book.h"
#include "octavo/epub.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static oc_diag diag;

static oc_status load(oc_document *doc, const char *book, const oc_memfile *files) {
    static oc_io io;
    oc_diag_free(&diag);
    oc_diag_init(&diag, NULL);
    oc_io_memory(&io, files);
    return oc_book_load(doc, book, &io, &diag);
}

#define F(path, text)                                                                              \
    { path, text, sizeof(text) - 1 }

static void test_metadata(void) {
    oc_memfile files[] = {F("bk/book.yaml",
                            "title: A Book\nsubtitle: Sub\nauthor: [Ann, Bob]\nlanguage: de-DE\n"
                            "date: 2026-11-26\nslug: a-book\nchapters:\n  - chapters/one.md\n"),
                          F("bk/chapters/one.md", "# One\n\nText.\n"),
                          {NULL, NULL, 0}};
    oc_document doc;
    CHECK(load(&doc, "bk", files) == OC_OK);
    CHECK_STR_EQ(doc.meta.title, "A Book");
    CHECK_STR_EQ(doc.meta.subtitle, "Sub");
    CHECK(doc.meta.nauthors == 2);
    CHECK_STR_EQ(doc.meta.authors[1], "Bob");
    CHECK_STR_EQ(doc.meta.language, "de-DE");
    CHECK_STR_EQ(doc.meta.slug, "a-book");
    CHECK(strncmp(doc.meta.identifier, "urn:uuid:", 9) == 0);
    CHECK(doc.nchapters == 1);
    CHECK_STR_EQ(doc.chapters[0].title, "One");
    CHECK_STR_EQ(doc.chapters[0].display, "bk/chapters/one.md");
    oc_doc_free(&doc);
}

static void test_yaml_error_line(void) {
    oc_memfile files[] = {F("bk/book.yaml", "title: A\nauthor: [x, y\nchapters: []\n"),
                          {NULL, NULL, 0}};
    oc_document doc;
    CHECK(load(&doc, "bk", files) == OC_ERR_INPUT);
    CHECK(diag.errors >= 1);
    CHECK(diag.count >= 1 && diag.items[0].line == 3);
    CHECK_CONTAINS(diag.items[0].message, "malformed YAML");
    CHECK_STR_EQ(diag.items[0].file, "bk/book.yaml");
    oc_doc_free(&doc);
}

static void test_front_matter_error_line(void) {
    /* the YAML starts on line 2 of the file: errors count from the file's top */
    const char md[] = "---\ntitle: x\nbad: [\n---\n# Hi\n";
    oc_document doc;
    oc_diag_free(&diag);
    oc_diag_init(&diag, NULL);
    CHECK(oc_book_load_string(&doc, "one.md", md, sizeof md - 1, NULL, &diag) == OC_ERR_INPUT);
    CHECK(diag.count >= 1 && diag.items[0].line >= 3);
    oc_doc_free(&doc);

    const char ok[] = "---\ntitle: Front\nslug: fm\n---\n# Heading\n\nBody on line 7.\n";
    CHECK(oc_book_load_string(&doc, "one.md", ok, sizeof ok - 1, NULL, &diag) == OC_OK);
    CHECK_STR_EQ(doc.meta.title, "Front");
    CHECK_STR_EQ(doc.meta.slug, "fm");
    CHECK(doc.chapters[0].root->first->type == OC_HEADING);
    CHECK(doc.chapters[0].root->first->line == 5);
    CHECK(doc.chapters[0].root->last->line == 7);
    oc_doc_free(&doc);

    const char open[] = "---\ntitle: never closed\n# Heading\n";
    CHECK(oc_book_load_string(&doc, "one.md", open, sizeof open - 1, NULL, &diag) == OC_ERR_INPUT);
    CHECK(oc_diag_contains(&diag, "one.md:1:1: error:"));
    oc_doc_free(&doc);
}

static void test_missing_chapter(void) {
    oc_memfile files[] = {F("bk/book.yaml", "title: A\nchapters:\n  - chapters/one.md\n"
                                            "  - chapters/gone.md\n"),
                          F("bk/chapters/one.md", "# One\n"),
                          {NULL, NULL, 0}};
    oc_document doc;
    CHECK(load(&doc, "bk", files) == OC_ERR_INPUT);
    CHECK(oc_diag_contains(&diag, "bk/book.yaml:4:5: error: chapter 'chapters/gone.md'"));
    oc_doc_free(&doc);
}

static void test_confinement(void) {
    oc_arena a;
    oc_arena_init(&a);
    CHECK_STR_EQ(oc_path_confine(&a, "chapters", "../images/x.png"), "images/x.png");
    CHECK_STR_EQ(oc_path_confine(&a, "", "./a/./b/../c.md"), "a/c.md");
    CHECK(oc_path_confine(&a, "chapters", "../../etc/passwd") == NULL);
    CHECK(oc_path_confine(&a, "", "/etc/passwd") == NULL);
    CHECK(oc_path_confine(&a, "", "a/../../x") == NULL);
    CHECK(oc_path_confine(&a, "", "http://example.com/x.png") == NULL);
    CHECK(oc_path_confine(&a, "", "C:\\x") == NULL);
    oc_arena_free(&a);

    oc_memfile files[] = {F("bk/book.yaml", "title: A\nchapters:\n  - ../outside.md\n"),
                          F("outside.md", "# secret\n"),
                          {NULL, NULL, 0}};
    oc_document doc;
    CHECK(load(&doc, "bk", files) == OC_ERR_INPUT);
    CHECK(oc_diag_contains(&diag, "bk/book.yaml:3:5: error: chapter '../outside.md' is outside"));
    oc_doc_free(&doc);

    oc_memfile f2[] = {F("bk/book.yaml", "title: A\nchapters: [one.md]\n"),
                       F("bk/one.md", "# One\n\n![x](../../secret.png)\n"),
                       {NULL, NULL, 0}};
    CHECK(load(&doc, "bk", f2) == OC_ERR_INPUT);
    CHECK(oc_diag_contains(&diag, "bk/one.md:3:1: error: image '../../secret.png' is outside"));
    oc_doc_free(&doc);
}

static void test_slugs(void) {
    oc_arena a;
    oc_arena_init(&a);
    CHECK_STR_EQ(oc_slugify(&a, "Salary Ranges by Level"), "salary-ranges-by-level");
    CHECK_STR_EQ(oc_slugify(&a, "Path 1: A Master\xE2\x80\x99s Degree or PhD"),
                 "path-1-a-masters-degree-or-phd");
    CHECK_STR_EQ(oc_slugify(&a, "Months 4\xE2\x80\x93"
                                "6: Classical ML"),
                 "months-46-classical-ml");
    CHECK_STR_EQ(oc_slugify(&a, "C++ & Rust_2"), "c--rust_2");
    CHECK_STR_EQ(oc_slugify(&a, "\xCE\x95\xCE\xBB\xCE\xBB\xCE\xAC\xCE\xB4\xCE\xB1"),
                 "\xCE\xB5\xCE\xBB\xCE\xBB\xCE\xAC\xCE\xB4\xCE\xB1");
    oc_arena_free(&a);
}

static void test_ids_links_notes(void) {
    oc_memfile files[] = {
        F("bk/book.yaml", "title: T\nchapters: [chapters/one.md, chapters/two.md]\n"),
        F("bk/chapters/one.md",
          "# One\n\n## Intro\n\n## Intro\n\nSee [code](two.md#code-blocks), [two](two.md),\n"
          "[here](#intro-1), [web](https://example.com), [bad](two.md#nope),\n"
          "[js](javascript:alert(1)).\n\nNote[^a] and again[^a] and[^b].\n\n"
          "[^b]: Bee.\n[^a]: Ay.\n"),
        F("bk/chapters/two.md", "# Two\n\n## Intro\n\n## Code Blocks\n"),
        {NULL, NULL, 0}};
    oc_document doc;
    CHECK(load(&doc, "bk", files) == OC_OK);
    oc_node *h = doc.chapters[0].root->first->next;
    CHECK_STR_EQ(h->slug, "intro");
    CHECK_STR_EQ(h->next->slug, "intro-1");
    /* ids are unique across the book: chapter two's "Intro" gets another */
    oc_node *h2 = doc.chapters[1].root->first->next;
    CHECK_STR_EQ(h2->slug, "intro");
    CHECK(strcmp(h2->id, h->id) != 0);
    CHECK(doc.noutline == 6);

    oc_node *p = h->next->next; /* the paragraph with links */
    CHECK(p->type == OC_PARAGRAPH);
    oc_node *links[6];
    int nl = 0;
    for (oc_node *c = p->first; c; c = c->next)
        if (c->type == OC_LINK && nl < 6) links[nl++] = c;
    CHECK(nl == 6);
    CHECK(links[0]->link_kind == OC_LINK_INTERNAL && links[0]->target_chapter == 1);
    CHECK_STR_EQ(links[0]->target_id, "code-blocks");
    CHECK(links[1]->link_kind == OC_LINK_INTERNAL && links[1]->target_id == NULL);
    CHECK(links[2]->link_kind == OC_LINK_INTERNAL && links[2]->target_chapter == 0);
    CHECK_STR_EQ(links[2]->target_id, "intro-1");
    CHECK(links[3]->link_kind == OC_LINK_EXTERNAL);
    CHECK(links[4]->link_kind == OC_LINK_BROKEN);
    CHECK(links[5]->link_kind == OC_LINK_BROKEN);
    CHECK(oc_diag_contains(&diag, "bk/chapters/one.md:8:"));
    CHECK(oc_diag_contains(&diag, "no heading '#nope'"));

    oc_chapter *c1 = &doc.chapters[0];
    CHECK(c1->nnotes == 2);
    CHECK(c1->notes[0]->ref_count == 2);
    CHECK_STR_EQ(oc_node_plain_text(&doc.arena, c1->notes[0]->first), "Ay.");
    CHECK(c1->root->last->type == OC_PARAGRAPH); /* notes are out of the body */
    oc_doc_free(&doc);
}

/* A minimal valid 1x1 RGB PNG built here, so the test owns its bytes. */
static size_t make_png(unsigned char *out, int corrupt) {
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    size_t n = 0;
    memcpy(out, sig, 8);
    n = 8;
    unsigned char raw[4] = {0, 255, 0, 0}, z[64];
    uLongf zl = sizeof z;
    compress(z, &zl, raw, sizeof raw);
    struct {
        const char *type;
        const unsigned char *data;
        size_t len;
    } chunks[3];
    unsigned char ihdr[13] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0};
    chunks[0].type = "IHDR", chunks[0].data = ihdr, chunks[0].len = 13;
    chunks[1].type = "IDAT", chunks[1].data = z, chunks[1].len = zl;
    chunks[2].type = "IEND", chunks[2].data = NULL, chunks[2].len = 0;
    for (int i = 0; i < 3; i++) {
        size_t l = chunks[i].len;
        out[n] = (unsigned char)(l >> 24), out[n + 1] = (unsigned char)(l >> 16);
        out[n + 2] = (unsigned char)(l >> 8), out[n + 3] = (unsigned char)l;
        memcpy(out + n + 4, chunks[i].type, 4);
        if (l) memcpy(out + n + 8, chunks[i].data, l);
        uLong crc = crc32(0, out + n + 4, (uInt)(l + 4));
        n += 8 + l;
        out[n] = (unsigned char)(crc >> 24), out[n + 1] = (unsigned char)(crc >> 16);
        out[n + 2] = (unsigned char)(crc >> 8), out[n + 3] = (unsigned char)crc;
        n += 4;
    }
    if (corrupt) out[8 + 8 + 13 + 4 + 8 + 2] ^= 0x55; /* a byte inside IDAT */
    return n;
}

static void test_images(void) {
    unsigned char png[128], bad[128];
    size_t n = make_png(png, 0), nb = make_png(bad, 1);
    char why[256];
    oc_image_info a;
    memset(&a, 0, sizeof a);
    CHECK(oc_image_probe(png, n, &a, why) == 0);
    CHECK(a.kind == OC_IMG_PNG && a.width == 1 && a.height == 1);
    CHECK(oc_image_probe(bad, nb, &a, why) != 0);
    CHECK_CONTAINS(why, "checksum");
    CHECK(oc_image_probe(png, n - 20, &a, why) != 0);
    const unsigned char gif[] = "GIF89a....";
    CHECK(oc_image_probe(gif, sizeof gif, &a, why) != 0);
    CHECK_CONTAINS(why, "GIF");

    oc_memfile files[] = {F("bk/book.yaml", "title: T\ncover: img/c.png\nchapters: [ch/a.md]\n"),
                          F("bk/ch/a.md",
                            "# A\n\n![Alt text](../img/c.png \"A title\")\n\n"
                            "Inline ![i](../img/c.png) and ![r](https://example.com/x.png).\n\n"
                            "![broken](../img/bad.png)\n"),
                          {"bk/img/c.png", (const char *)png, n},
                          {"bk/img/bad.png", (const char *)bad, nb},
                          {NULL, NULL, 0}};
    oc_document doc;
    CHECK(load(&doc, "bk", files) == OC_ERR_INPUT);
    CHECK(oc_diag_contains(&diag, "bk/ch/a.md:7:1: error: image '../img/bad.png'"));
    CHECK(oc_diag_contains(&diag, "bk/ch/a.md:5:"));
    CHECK(oc_diag_contains(&diag, "remote image"));
    CHECK(doc.nassets == 1); /* the cover and both citations share one asset */
    CHECK(doc.meta.cover && doc.meta.cover->is_cover);
    CHECK(doc.nfigures == 1);
    oc_doc_free(&doc);
}

static void test_utf8_and_nul(void) {
    const char md[] = "# T\n\nbad \xC3\x28 byte\n\nnul \0 here\n";
    oc_document doc;
    oc_diag_free(&diag);
    oc_diag_init(&diag, NULL);
    CHECK(oc_book_load_string(&doc, "x.md", md, sizeof md - 1, NULL, &diag) == OC_OK);
    CHECK(oc_diag_contains(&diag, "x.md:3:5: warning: invalid UTF-8"));
    const char *t = oc_node_plain_text(&doc.arena, doc.chapters[0].root->first->next);
    CHECK_CONTAINS(t, "bad \xEF\xBF\xBD( byte");
    oc_doc_free(&doc);
}

static void test_deep_nesting(void) {
    size_t n = 20000;
    char *md = malloc(n + 16);
    memset(md, '>', n);
    memcpy(md + n, " deep\n", 7);
    oc_document doc;
    oc_diag_free(&diag);
    oc_diag_init(&diag, NULL);
    CHECK(oc_book_load_string(&doc, "deep.md", md, n + 6, NULL, &diag) == OC_OK);
    int depth = 0;
    for (oc_node *c = doc.chapters[0].root; c; c = c->first)
        depth++;
    CHECK(depth < 64);
    CHECK(oc_diag_contains(&diag, "flattened"));
    const char *t = oc_node_plain_text(&doc.arena, doc.chapters[0].root);
    CHECK_CONTAINS(t, "deep");
    oc_doc_free(&doc);
    free(md);
}

static void test_language_tags(void) {
    static const char *good[] = {"en",         "en-US",          "de-CH-1996", "zh-Hant-TW",
                                 "sr-Latn-RS", "es-419",         "x-private",  "en-a-bbb-x-a-ccc",
                                 "zh-yue-HK",  "sl-rozaj-biske", "EN-us",      "abcde"};
    static const char *bad[] = {"a--b",         "en-",   "abcdefghij", "e",       "en-USA1",
                                "-en",          "en-a",  "x",          "en-x",    "1en",
                                "en-a-bb-a-cc", "en_US", "en-US-",     "de-419-1"};
    char yaml[256];
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        snprintf(yaml, sizeof yaml, "title: A\nlanguage: %s\nchapters: [one.md]\n", good[i]);
        oc_memfile files[] = {
            {"bk/book.yaml", yaml, strlen(yaml)}, F("bk/one.md", "# One\n"), {NULL, NULL, 0}};
        oc_document doc;
        oc_status st = load(&doc, "bk", files);
        CHECK(st == OC_OK);
        if (st != OC_OK) fprintf(stderr, "  refused: %s\n", good[i]);
        oc_doc_free(&doc);
    }
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        snprintf(yaml, sizeof yaml, "title: A\nlanguage: %s\nchapters: [one.md]\n", bad[i]);
        oc_memfile files[] = {
            {"bk/book.yaml", yaml, strlen(yaml)}, F("bk/one.md", "# One\n"), {NULL, NULL, 0}};
        oc_document doc;
        CHECK(load(&doc, "bk", files) == OC_ERR_INPUT);
        CHECK(oc_diag_contains(&diag, "bk/book.yaml:2:11: error: '"));
        if (!oc_diag_contains(&diag, "not a well-formed BCP 47"))
            fprintf(stderr, "  passed: %s\n", bad[i]);
        oc_doc_free(&doc);
    }
}

/* A book with no chapters: list takes the folder's files by name, through io. */
static void test_listed_chapters(void) {
    oc_memfile files[] = {F("bk/book.yaml", "title: A\n"),
                          F("bk/chapters/b.md", "# B\n"),
                          F("bk/chapters/a.md", "# A\n"),
                          F("bk/chapters/notes.txt", "x"),
                          {NULL, NULL, 0}};
    oc_document doc;
    CHECK(load(&doc, "bk", files) == OC_OK);
    CHECK(doc.nchapters == 2);
    if (doc.nchapters == 2) {
        CHECK_STR_EQ(doc.chapters[0].path, "chapters/a.md");
        CHECK_STR_EQ(doc.chapters[1].path, "chapters/b.md");
    }
    oc_doc_free(&doc);
}

/* A folder of Markdown with neither book.yaml nor book.toml (a project's
 * docs) builds with the defaults: its files by name, README.md or index.md
 * first in its folder; the title from the first chapter. A folder with no
 * Markdown at all is not a book. */
static void test_plain_folder(void) {
    oc_memfile files[] = {F("docs/b.md", "# Bee\n"),
                          F("docs/a.md", "# Ay\n"),
                          F("docs/README.md", "# The Docs\n\nSee [a](a.md).\n"),
                          F("docs/notes.txt", "x"),
                          {NULL, NULL, 0}};
    oc_document doc;
    CHECK(load(&doc, "docs", files) == OC_OK);
    CHECK(doc.nchapters == 3);
    if (doc.nchapters == 3) {
        CHECK_STR_EQ(doc.chapters[0].path, "README.md");
        CHECK_STR_EQ(doc.chapters[1].path, "a.md");
        CHECK_STR_EQ(doc.chapters[2].path, "b.md");
    }
    CHECK_STR_EQ(doc.meta.title, "The Docs");
    CHECK_STR_EQ(doc.meta.slug, "docs");
    CHECK(diag.errors == 0 && diag.warnings == 0);
    oc_doc_free(&doc);

    oc_memfile none[] = {F("empty/notes.txt", "x"), {NULL, NULL, 0}};
    CHECK(load(&doc, "empty", none) == OC_ERR_INPUT);
    CHECK(oc_diag_contains(&diag, "not a book folder: no book.yaml, no book.toml and no Markdown"));
    oc_doc_free(&doc);
}

/* Node.js's documentation numbers a repeated heading's anchor "_1" where
 * GitHub writes "-1": such a link reaches the same heading. */
static void test_underscore_repeats(void) {
    oc_memfile files[] = {
        F("bk/book.yaml", "title: T\nchapters: [one.md]\n"),
        F("bk/one.md", "# One\n\n## Event: 'error'\n\nA.\n\n## Event: 'error'\n\n"
                       "[second](#event-error_1), [first](#event-error), [third](#event-error_2),\n"
                       "[odd](#_1).\n"),
        {NULL, NULL, 0}};
    oc_document doc;
    CHECK(load(&doc, "bk", files) == OC_OK);
    oc_node *p = doc.chapters[0].root->last;
    oc_node *links[4];
    int nl = 0;
    for (oc_node *c = p ? p->first : NULL; c; c = c->next)
        if (c->type == OC_LINK && nl < 4) links[nl++] = c;
    CHECK(nl == 4);
    if (nl == 4) {
        CHECK(links[0]->link_kind == OC_LINK_INTERNAL);
        CHECK_STR_EQ(links[0]->target_id, "event-error-1");
        CHECK_STR_EQ(links[1]->target_id, "event-error");
        CHECK(links[2]->link_kind == OC_LINK_BROKEN);
        CHECK(links[3]->link_kind == OC_LINK_BROKEN);
    }
    oc_doc_free(&doc);
}

static void test_drop_sources(void) {
    /* after the parse and the check, the Markdown goes; the Document and
     * what is made from it do not need it */
    static const char md[] = "---\ntitle: Dropped\n---\n# One\n\nSee [there](#two) and "
                             "[a site](https://example.org).\n\n## Two\n\nText.\n";
    oc_document doc;
    oc_diag_free(&diag);
    oc_diag_init(&diag, NULL);
    CHECK(oc_book_load_string(&doc, "drop.md", md, sizeof md - 1, NULL, &diag) == OC_OK);
    CHECK(doc.nchapters == 1 && doc.chapters[0].source != NULL);
    size_t len = doc.chapters[0].source_len;
    oc_a11y_facts before, after;
    oc_a11y_scan(&doc, &before, NULL);
    oc_doc_drop_sources(&doc);
    CHECK(doc.chapters[0].source == NULL && doc.chapters[0].source_len == len);
    CHECK(doc.sources.head == NULL);
    oc_a11y_scan(&doc, &after, NULL);
    CHECK(memcmp(&before, &after, sizeof before) == 0);
    CHECK(strcmp(doc.meta.title, "Dropped") == 0);
    oc_buf epub;
    oc_buf_init(&epub);
    CHECK(oc_epub_write(&doc, &epub, &diag) == OC_OK && epub.len > 1000);
    oc_buf_free(&epub);
    oc_doc_drop_sources(&doc); /* twice: nothing more to free */
    oc_doc_free(&doc);
}

int main(void) {
    RUN(test_metadata);
    RUN(test_yaml_error_line);
    RUN(test_front_matter_error_line);
    RUN(test_missing_chapter);
    RUN(test_confinement);
    RUN(test_slugs);
    RUN(test_ids_links_notes);
    RUN(test_images);
    RUN(test_utf8_and_nul);
    RUN(test_deep_nesting);
    RUN(test_language_tags);
    RUN(test_listed_chapters);
    RUN(test_plain_folder);
    RUN(test_underscore_repeats);
    RUN(test_drop_sources);
    oc_diag_free(&diag);
    return harness_finish("test_book");
}
