/* The layout's structure table (the tagged PDF's elements) on small
 * in-memory books: every item names an element or an artifact; parents come
 * before children; a chapter is a Sect under the Document; headings never
 * skip a level; a link is one element however many lines it spans, and the
 * paragraph's text after it a MORE of the paragraph; a footnote's Note sits
 * in the paragraph that cites it, between the marker and the text after;
 * table header cells are TH; list items LI with Lbl and LBody; running
 * heads and folios are pagination artifacts, table rules and tints
 * artifacts; the table is the same with one thread and two; and the PDF
 * tags (oc_pdf_struct_tag) name the standard types. */
#include "harness.h"
#include "layout/flow.h"
#include "octavo/book.h"
#include "octavo/layout.h"
#include "pdf/pdf_internal.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    oc_document doc;
    oc_fontset *fonts;
    oc_layout lay;
    oc_diag diag;
    int ok;
} fixture;

static const char *BOOK =
    "---\ntitle: Structure\nauthor: Ann Author\n---\n\n"
    "# First chapter\n\n"
    "Opening words of the chapter with a [linked phrase that runs on for quite a few words so "
    "that it must break across the end of a line in the measure](https://example.com/a) and "
    "then plain words after it.\n\n"
    "A paragraph that cites a note here[^n] and goes on with words after the marker.\n\n"
    "## Section\n\n"
    "#### Deep heading\n\n"
    "- first item\n- second item\n\n"
    "| Name | Value |\n|------|------:|\n| alpha | 1 |\n| beta | 2 |\n\n"
    "> Quoted words.\n\n"
    "```\ncode line\n```\n\n"
    "[^n]: The note's own words.\n\n"
    "# Second chapter\n\nMore words.\n";

static void setup(fixture *f) {
    memset(f, 0, sizeof *f);
    oc_diag_init(&f->diag, NULL);
    static const oc_memfile none[] = {{NULL, NULL, 0}};
    oc_io io;
    oc_io_memory(&io, none);
    f->ok = oc_book_load_string(&f->doc, "book.md", BOOK, strlen(BOOK), &io, &f->diag) == OC_OK &&
            oc_fonts_load(&f->fonts, OCTAVO_FONTS_DIR, &f->diag) == OC_OK;
    if (!f->ok) return;
    oc_layout_options o = {"a4", 0, NULL};
    f->ok = oc_layout_run(&f->doc, &o, f->fonts, &f->lay, &f->diag) == OC_OK;
}

static void teardown(fixture *f) {
    oc_layout_free(&f->lay);
    if (f->fonts) oc_fonts_free(f->fonts);
    oc_doc_free(&f->doc);
    oc_diag_free(&f->diag);
}

/* The first TEXT item whose text starts with `prefix`, after the contents
 * (whose entries repeat the headings). */
static const oc_item *text_item(const oc_layout *l, const char *prefix) {
    for (size_t p = 2; p < l->npages; p++)
        for (size_t i = 0; i < l->pages[p].nitems; i++) {
            const oc_item *it = &l->pages[p].items[i];
            if (it->kind == OC_ITEM_TEXT && it->len >= strlen(prefix) &&
                strncmp(it->text, prefix, strlen(prefix)) == 0)
                return it;
        }
    return NULL;
}

/* 1 when the item's text holds `needle`. */
static int holds(const oc_item *it, const char *needle) {
    size_t n = strlen(needle);
    for (size_t i = 0; it->kind == OC_ITEM_TEXT && i + n <= it->len; i++)
        if (memcmp(it->text + i, needle, n) == 0) return 1;
    return 0;
}

static const oc_struct_elem *se(const oc_layout *l, uint32_t ref) {
    return ref < l->nstructs ? &l->structs[ref] : NULL;
}

static size_t count(const oc_layout *l, oc_se_type t) {
    size_t n = 0;
    for (size_t i = OC_SREF_FIRST; i < l->nstructs; i++)
        n += l->structs[i].type == t;
    return n;
}

static void test_table_shape(void) {
    fixture f;
    setup(&f);
    CHECK(f.ok);
    if (!f.ok) goto done;
    const oc_layout *l = &f.lay;
    CHECK(l->nstructs > OC_SREF_FIRST);
    CHECK(l->structs[OC_SREF_DOCUMENT].type == OC_SE_DOCUMENT);
    int parents_first = 1, refs_ok = 1;
    for (size_t i = OC_SREF_FIRST; i < l->nstructs; i++)
        if (l->structs[i].parent >= i || l->structs[i].parent < OC_SREF_DOCUMENT) parents_first = 0;
    CHECK(parents_first);
    for (size_t p = 0; p < l->npages; p++)
        for (size_t i = 0; i < l->pages[p].nitems; i++)
            if (l->pages[p].items[i].sref >= l->nstructs) refs_ok = 0;
    CHECK(refs_ok);
    CHECK(count(l, OC_SE_SECT) == 1); /* one file, one chapter */
    for (size_t i = OC_SREF_FIRST; i < l->nstructs; i++)
        if (l->structs[i].type == OC_SE_SECT) CHECK(l->structs[i].parent == OC_SREF_DOCUMENT);
    CHECK(count(l, OC_SE_TOC) == 1);
    CHECK(count(l, OC_SE_TOCI) >= 3);
    CHECK(count(l, OC_SE_TH) == 2);
    CHECK(count(l, OC_SE_TD) == 4);
    CHECK(count(l, OC_SE_TR) == 3);
    CHECK(count(l, OC_SE_LI) == 2);
    CHECK(count(l, OC_SE_LBODY) == 2);
    CHECK(count(l, OC_SE_BLOCKQUOTE) == 1);
    CHECK(count(l, OC_SE_CODE) == 1);
    CHECK(count(l, OC_SE_NOTE) == 1);
done:
    teardown(&f);
}

static void test_headings_nested(void) {
    fixture f;
    setup(&f);
    CHECK(f.ok);
    if (!f.ok) goto done;
    const oc_item *deep = text_item(&f.lay, "Deep");
    CHECK(deep != NULL);
    const oc_struct_elem *h = deep ? se(&f.lay, deep->sref) : NULL;
    CHECK(h && h->type == OC_SE_H && h->level == 3); /* an h4 after an h2 */
    const oc_item *sec = text_item(&f.lay, "Section");
    h = sec ? se(&f.lay, sec->sref) : NULL;
    CHECK(h && h->type == OC_SE_H && h->level == 2);
    char tag[16];
    oc_pdf_struct_tag(f.lay.structs, f.lay.nstructs, deep ? deep->sref : 0, tag);
    CHECK_STR_EQ(tag, "H3");
done:
    teardown(&f);
}

static void test_link_and_more(void) {
    fixture f;
    setup(&f);
    CHECK(f.ok);
    if (!f.ok) goto done;
    const oc_layout *l = &f.lay;
    const oc_item *open = text_item(l, "Opening");
    const oc_struct_elem *p = open ? se(l, open->sref) : NULL;
    CHECK(p && p->type == OC_SE_P);
    /* every piece of the link's text, on both lines, names one Link of the
     * paragraph, and so does each of its annotations */
    uint32_t link = 0;
    int links = 0, texts = 0, one = 1, annots = 0;
    for (size_t pg = 0; pg < l->npages; pg++)
        for (size_t i = 0; i < l->pages[pg].nitems; i++) {
            const oc_item *it = &l->pages[pg].items[i];
            const oc_struct_elem *e = se(l, it->sref);
            if (!e || e->type != OC_SE_LINK || e->parent != open->sref) continue;
            if (!link) link = it->sref;
            if (it->sref != link) one = 0;
            if (it->kind == OC_ITEM_TEXT) texts++;
            if (it->kind == OC_ITEM_LINK) annots++;
            links++;
        }
    CHECK(link != 0);
    CHECK(one);
    CHECK(texts >= 2);
    CHECK(annots >= 2);
    const oc_struct_elem *more = NULL;
    for (size_t pg = 0; pg < l->npages && !more; pg++)
        for (size_t i = 0; i < l->pages[pg].nitems; i++) {
            const oc_item *it = &l->pages[pg].items[i];
            if (holds(it, "plain words")) {
                more = se(l, it->sref);
                CHECK(it->sref > link);
                break;
            }
        }
    CHECK(more && more->type == OC_SE_MORE && more->parent == open->sref);
    char tag[16];
    for (uint32_t r = OC_SREF_FIRST; r < l->nstructs; r++)
        if (l->structs[r].type == OC_SE_MORE) {
            oc_pdf_struct_tag(l->structs, l->nstructs, r, tag);
            CHECK_STR_EQ(tag, "P");
            break;
        }
done:
    teardown(&f);
}

static void test_note_where_cited(void) {
    fixture f;
    setup(&f);
    CHECK(f.ok);
    if (!f.ok) goto done;
    const oc_layout *l = &f.lay;
    const oc_item *cites = text_item(l, "A paragraph");
    const oc_item *body = text_item(l, "The note");
    CHECK(cites && body);
    if (!cites || !body) goto done;
    const oc_struct_elem *np = se(l, body->sref);
    CHECK(np && np->type == OC_SE_P);
    const oc_struct_elem *note = np ? se(l, np->parent) : NULL;
    CHECK(note && note->type == OC_SE_NOTE && note->parent == cites->sref);
    /* the text after the marker is a MORE made after the Note */
    uint32_t note_ref = np ? np->parent : 0;
    int found = 0;
    for (uint32_t r = note_ref + 1; r < l->nstructs; r++)
        if (l->structs[r].type == OC_SE_MORE && l->structs[r].parent == cites->sref) found = 1;
    CHECK(found);
    /* the note's number is its Lbl */
    const oc_item *num = text_item(l, "1.");
    const oc_struct_elem *lbl = num ? se(l, num->sref) : NULL;
    CHECK(lbl && lbl->type == OC_SE_LBL && lbl->parent == note_ref);
done:
    teardown(&f);
}

static void test_artifacts(void) {
    fixture f;
    setup(&f);
    CHECK(f.ok);
    if (!f.ok) goto done;
    const oc_layout *l = &f.lay;
    int pagination = 0, rules_art = 1, rules = 0;
    for (size_t pg = 0; pg < l->npages; pg++)
        for (size_t i = 0; i < l->pages[pg].nitems; i++) {
            const oc_item *it = &l->pages[pg].items[i];
            if (it->kind == OC_ITEM_TEXT && it->sref == OC_SREF_PAGINATION) pagination++;
            if (it->kind == OC_ITEM_RULE || it->kind == OC_ITEM_RECT) {
                rules++;
                if (it->sref != OC_SREF_ARTIFACT) rules_art = 0;
            }
        }
    CHECK(pagination >= 2); /* folios, running heads */
    CHECK(rules > 0);
    CHECK(rules_art);
    /* a list marker is the Lbl of its LI, the item's text in its LBody */
    const oc_item *first = text_item(l, "first");
    const oc_struct_elem *p = first ? se(l, first->sref) : NULL;
    const oc_struct_elem *lbody = p ? se(l, p->parent) : NULL;
    CHECK(lbody && lbody->type == OC_SE_LBODY);
    CHECK(lbody && se(l, lbody->parent)->type == OC_SE_LI);
done:
    teardown(&f);
}

static void test_threads_same(void) {
    fixture a, b;
    setenv("OCTAVO_THREADS", "1", 1);
    setup(&a);
    unsetenv("OCTAVO_THREADS");
    setup(&b);
    CHECK(a.ok && b.ok);
    if (a.ok && b.ok) {
        CHECK(a.lay.nstructs == b.lay.nstructs);
        int same = a.lay.nstructs == b.lay.nstructs;
        for (size_t i = 0; same && i < a.lay.nstructs; i++)
            same = a.lay.structs[i].type == b.lay.structs[i].type &&
                   a.lay.structs[i].parent == b.lay.structs[i].parent &&
                   a.lay.structs[i].level == b.lay.structs[i].level &&
                   a.lay.structs[i].rank == b.lay.structs[i].rank;
        CHECK(same);
    }
    teardown(&a);
    teardown(&b);
}

int main(void) {
    RUN(test_table_shape);
    RUN(test_headings_nested);
    RUN(test_link_and_more);
    RUN(test_note_where_cited);
    RUN(test_artifacts);
    RUN(test_threads_same);
    return harness_finish("test_struct");
}
