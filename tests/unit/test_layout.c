/* The layout driver on small in-memory books: text inside the text area,
 * page labels, contents links, destinations, bookmarks, paper sizes, print
 * profile right-hand chapters, headings kept with text, a stable dump. */
#include "harness.h"
#include "layout/flow.h"
#include "octavo/book.h"
#include "octavo/layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *WORDS[] = {"the",         "reader",    "typesetting", "of",       "a",
                              "paragraph",   "justified", "measure",     "with",     "book",
                              "hyphenation", "careful",   "engineering", "and",      "models",
                              "learning",    "pipeline",  "evaluation",  "datasets", "deployment"};

static void words(oc_buf *b, int n, unsigned *seed) {
    for (int i = 0; i < n; i++) {
        *seed = *seed * 1103515245u + 12345u;
        oc_buf_printf(b, "%s%s", i ? " " : "", WORDS[(*seed >> 16) % 20]);
    }
}

/* A book of three chapters with sections, lists, code, quotes and notes. */
static char *make_book(void) {
    oc_buf b;
    oc_buf_init(&b);
    unsigned seed = 42;
    oc_buf_puts(&b, "---\ntitle: A Test Book\nsubtitle: For Layout\nauthor: [Ann Author, Bo "
                    "Writer]\ndate: 2026-01-02\n---\n\n");
    for (int c = 1; c <= 3; c++) {
        oc_buf_printf(&b, "# Chapter title %d\n\n", c);
        for (int s = 1; s <= 4; s++) {
            oc_buf_printf(&b, "## Section %d.%d\n\n", c, s);
            for (int p = 0; p < 4; p++) {
                words(&b, 30 + (int)(seed % 90), &seed);
                if (p == 1 && s == 2) oc_buf_printf(&b, " cited[^n%d]", c);
                if (p == 2) oc_buf_puts(&b, " a [link](https://example.com/page) here");
                oc_buf_puts(&b, ".\n\n");
            }
            if (s == 2) {
                oc_buf_puts(&b, "- first item\n- second item with more words\n  - nested one\n"
                                "  - nested two\n- [ ] open task\n- [x] done task\n\n");
                oc_buf_puts(&b, "3. three\n4. four\n\n");
            }
            if (s == 3) {
                oc_buf_puts(&b, "```c\nint main(void) { return 0; }\n/* a very long line "
                                "that must wrap because it is far too wide for the measure of "
                                "the page */\n```\n\n> A quoted paragraph with some words in "
                                "it.\n\n---\n\n");
                oc_buf_printf(&b, "### Sub %d\n\n", c);
                words(&b, 60, &seed);
                oc_buf_puts(&b, "\n\n| Name | Value |\n|:-----|------:|\n| alpha | 1 |\n| "
                                "beta | 22 |\n\n");
            }
        }
        oc_buf_printf(&b, "[^n%d]: The note of chapter %d, with a few words.\n\n", c, c);
    }
    size_t len;
    return oc_buf_detach(&b, &len);
}

typedef struct {
    oc_document doc;
    oc_fontset *fonts;
    oc_layout lay;
    oc_diag diag;
    int ok;
} fixture;

static void setup(fixture *f, const char *md, const char *paper, int print) {
    memset(f, 0, sizeof *f);
    oc_diag_init(&f->diag, NULL);
    static const oc_memfile none[] = {{NULL, NULL, 0}};
    oc_io io;
    oc_io_memory(&io, none);
    f->ok = oc_book_load_string(&f->doc, "book.md", md, strlen(md), &io, &f->diag) == OC_OK &&
            oc_fonts_load(&f->fonts, OCTAVO_FONTS_DIR, &f->diag) == OC_OK;
    if (!f->ok) return;
    oc_layout_options o = {paper, print, NULL};
    f->ok = oc_layout_run(&f->doc, &o, f->fonts, &f->lay, &f->diag) == OC_OK;
}

static void teardown(fixture *f) {
    oc_layout_free(&f->lay);
    if (f->fonts) oc_fonts_free(f->fonts);
    oc_doc_free(&f->doc);
    oc_diag_free(&f->diag);
}

static int has_dest(const oc_layout *l, const char *name, size_t *page) {
    for (size_t p = 0; p < l->npages; p++)
        for (size_t i = 0; i < l->pages[p].nitems; i++) {
            const oc_item *it = &l->pages[p].items[i];
            if (it->kind == OC_ITEM_DEST && it->dest && strcmp(it->dest, name) == 0) {
                if (page) *page = p;
                return 1;
            }
        }
    return 0;
}

static void check_book(fixture *f, const char *paper, int print) {
    CHECK(f->ok);
    if (!f->ok) return;
    const oc_layout *l = &f->lay;
    CHECK(l->npages > 8);

    /* every text item lies inside the text area (running heads above it and
     * folios below it are inside the measure too) */
    int outside = 0, overfull = 0;
    for (size_t p = 0; p < l->npages; p++) {
        double L, R, T, B;
        oc_layout_text_area(paper, print, p, &L, &R, &T, &B);
        for (size_t i = 0; i < l->pages[p].nitems; i++) {
            const oc_item *it = &l->pages[p].items[i];
            if (it->kind != OC_ITEM_TEXT) continue;
            if (it->x < L - 0.01) outside++;
            if (it->x + it->w > R + 0.01) {
                overfull++;
                if (overfull < 5)
                    fprintf(stderr, "overfull on page %zu: %.*s at %.2f+%.2f > %.2f\n", p + 1,
                            (int)it->len, it->text, it->x, it->w, R);
            }
            if (it->y > l->height || it->y < 0) outside++;
        }
    }
    CHECK(outside == 0);
    CHECK(overfull == 0);

    /* labels: roman front matter, body from arabic 1 */
    CHECK(l->pages[0].label == OC_LABEL_ROMAN && l->pages[0].number == 1);
    size_t body0 = 0;
    while (body0 < l->npages && l->pages[body0].label == OC_LABEL_ROMAN)
        body0++;
    CHECK(body0 >= 2 && body0 < l->npages);
    CHECK(l->pages[body0].number == 1);
    for (size_t p = body0; p < l->npages; p++)
        CHECK(l->pages[p].label == OC_LABEL_ARABIC && l->pages[p].number == (int)(p - body0 + 1));
    if (print) CHECK(body0 % 2 == 0);

    /* a DEST for every heading, bookmarks for every heading in order */
    const oc_document *d = &f->doc;
    for (int i = 0; i < d->noutline; i++)
        CHECK(has_dest(l, d->outline[i].id, NULL));
    for (int c = 0; c < d->nchapters; c++)
        CHECK(has_dest(l, d->chapters[c].id, NULL));
    size_t m = 0;
    while (m < l->nmarks && strncmp(l->marks[m].dest, "octavo-", 7) == 0)
        m++;
    CHECK(m == 2);
    int in_order = 1, prev_page = -1;
    for (int i = 0; i < d->noutline; i++, m++) {
        if (m >= l->nmarks) {
            in_order = 0;
            break;
        }
        const oc_bookmark *bm = &l->marks[m];
        if (strcmp(bm->dest, d->outline[i].id) != 0 && d->outline[i].level != 1) in_order = 0;
        if (bm->level != (d->outline[i].level > 1 ? d->outline[i].level - 1 : 0)) in_order = 0;
        if (bm->page < prev_page) in_order = 0;
        size_t dp;
        if (!has_dest(l, bm->dest, &dp) || (int)dp != bm->page) in_order = 0;
        prev_page = bm->page;
    }
    CHECK(in_order);
    CHECK(m == l->nmarks);

    /* contents: every LINK on front-matter pages goes to an existing DEST */
    int toc_links = 0, dangling = 0;
    for (size_t p = 0; p < body0; p++)
        for (size_t i = 0; i < l->pages[p].nitems; i++) {
            const oc_item *it = &l->pages[p].items[i];
            if (it->kind != OC_ITEM_LINK) continue;
            toc_links++;
            if (!it->dest || !has_dest(l, it->dest, NULL)) dangling++;
        }
    CHECK(toc_links >= 3 + 12);
    CHECK(dangling == 0);

    /* contents leaders: one run ". . ." per entry, its spaces set so the
     * dots fall on one grid down the page (x a multiple of the step), ending
     * before the entry's page number on the same baseline */
    int leaders = 0, numbers = 0, bad_leader = 0;
    double step = 0;
    for (size_t p = 0; p < body0; p++) {
        double left;
        oc_layout_text_area(paper, print, p, &left, NULL, NULL, NULL);
        for (size_t i = 0; i < l->pages[p].nitems; i++) {
            const oc_item *it = &l->pages[p].items[i];
            if (it->kind != OC_ITEM_TEXT || it->len == 0) continue;
            if (strspn(it->text, "0123456789") == it->len) numbers++;
            if (it->text[0] != '.' || it->len < 3) continue;
            leaders++;
            for (uint32_t k = 0; k < it->len; k++)
                if (it->text[k] != (k % 2 ? ' ' : '.')) bad_leader++;
            double st = oc_fonts_width(f->fonts, it->font, it->size, ". ", 2) + it->ws;
            if (step == 0) step = st;
            /* the item's width is the grid's: its last dot ends where ws puts it */
            double ndots = (it->len + 1) / 2.0;
            if (fabs(it->w - ((ndots - 1) * st +
                              oc_fonts_width(f->fonts, it->font, it->size, ".", 1))) > 1e-3)
                bad_leader++;
            double cells = (it->x - left) / step; /* the grid starts at the text's left edge */
            if (fabs(st - step) > 1e-3 || fabs(cells - floor(cells + 0.5)) > 1e-3) bad_leader++;
            int before_number = 0;
            for (size_t q = 0; q < l->pages[p].nitems; q++) {
                const oc_item *n = &l->pages[p].items[q];
                if (n->kind == OC_ITEM_TEXT && n->y == it->y && n->len > 0 &&
                    strspn(n->text, "0123456789") == n->len && n->x > it->x + it->w)
                    before_number = 1;
            }
            if (!before_number) bad_leader++;
        }
    }
    CHECK(numbers >= 3 + 12);
    CHECK(leaders * 10 >= numbers * 9); /* nearly every entry has room for dots */
    CHECK(bad_leader == 0);

    /* chapters start pages with no running head; in print on odd pages */
    for (int c = 0; c < d->nchapters; c++) {
        size_t p;
        if (!has_dest(l, d->chapters[c].id, &p)) continue;
        if (print) CHECK(p % 2 == 0);
        double T;
        oc_layout_text_area(paper, print, p, NULL, NULL, &T, NULL);
        int head = 0;
        for (size_t i = 0; i < l->pages[p].nitems; i++)
            if (l->pages[p].items[i].kind == OC_ITEM_TEXT && l->pages[p].items[i].y > T) head++;
        CHECK(head == 0);
    }

    /* a heading is never last on its page: text follows it on the page */
    int stranded = 0;
    for (int i = 0; i < d->noutline; i++) {
        if (d->outline[i].level < 2) continue;
        size_t p;
        if (!has_dest(l, d->outline[i].id, &p)) continue;
        double B, ydest = 0;
        oc_layout_text_area(paper, print, p, NULL, NULL, NULL, &B);
        for (size_t k = 0; k < l->pages[p].nitems; k++) {
            const oc_item *it = &l->pages[p].items[k];
            if (it->kind == OC_ITEM_DEST && strcmp(it->dest, d->outline[i].id) == 0) ydest = it->y;
        }
        double baselines[4] = {0};
        int nb = 0;
        for (size_t k = 0; k < l->pages[p].nitems && nb < 4; k++) {
            const oc_item *it = &l->pages[p].items[k];
            if (it->kind != OC_ITEM_TEXT || it->y > ydest - 30 || it->y < B) continue;
            int dup = 0;
            for (int q = 0; q < nb; q++)
                if (baselines[q] == it->y) dup = 1;
            if (!dup) baselines[nb++] = it->y;
        }
        if (nb < 2) stranded++;
    }
    CHECK(stranded == 0);
}

static void test_a4_screen(void) {
    char *md = make_book();
    fixture f;
    setup(&f, md, "a4", 0);
    CHECK(f.lay.width > 595.27 && f.lay.width < 595.29);
    check_book(&f, "a4", 0);
    /* screen: links coloured, no blank pages */
    int blue = 0;
    for (size_t p = 0; p < f.lay.npages; p++)
        for (size_t i = 0; i < f.lay.pages[p].nitems; i++) {
            const oc_item *it = &f.lay.pages[p].items[i];
            if (it->kind == OC_ITEM_TEXT && it->color.b > 0.3f && it->color.r < 0.2f) blue++;
        }
    CHECK(blue > 0);
    for (size_t p = 1; p < f.lay.npages; p++)
        CHECK(f.lay.pages[p].nitems > 0);
    teardown(&f);
    free(md);
}

static void test_letter_print(void) {
    char *md = make_book();
    fixture f;
    setup(&f, md, "letter", 1);
    CHECK(f.lay.width == 612 && f.lay.height == 792);
    check_book(&f, "letter", 1);
    /* print: every text is black or (highlighted code) grey; blank pages
     * carry nothing */
    int coloured = 0, blanks = 0;
    for (size_t p = 0; p < f.lay.npages; p++) {
        if (f.lay.pages[p].nitems == 0) blanks++;
        for (size_t i = 0; i < f.lay.pages[p].nitems; i++) {
            const oc_item *it = &f.lay.pages[p].items[i];
            if (it->kind == OC_ITEM_TEXT &&
                (it->color.r != it->color.g || it->color.g != it->color.b))
                coloured++;
        }
    }
    CHECK(coloured == 0);
    CHECK(blanks >= 1); /* the verso of the title page at least */
    teardown(&f);
    free(md);
}

static void test_paper_sizes(void) {
    double w, h;
    CHECK(oc_paper_size("a4", &w, &h) && w == 595.28 && h == 841.89);
    CHECK(oc_paper_size("letter", &w, &h) && w == 612 && h == 792);
    CHECK(oc_paper_size("a5", &w, &h) && w == 419.53 && h == 595.28);
    CHECK(oc_paper_size("6x9", &w, &h) && w == 432 && h == 648);
    CHECK(!oc_paper_size("b5", &w, &h));
    char *md = make_book();
    fixture f;
    setup(&f, md, "a5", 0);
    check_book(&f, "a5", 0);
    teardown(&f);
    free(md);
}

static void test_dump_stable(void) {
    const char *md = "---\ntitle: Tiny\n---\n\n# One\n\nHello *world*.\n\n## Two\n\nMore "
                     "text with a [link](https://example.org).\n";
    fixture f1, f2;
    setup(&f1, md, "a4", 0);
    setup(&f2, md, "a4", 0);
    CHECK(f1.ok && f2.ok);
    oc_buf b1, b2;
    oc_buf_init(&b1);
    oc_buf_init(&b2);
    oc_layout_dump(&f1.lay, &b1);
    oc_layout_dump(&f2.lay, &b2);
    CHECK(b1.len > 0 && b1.len == b2.len && memcmp(b1.data, b2.data, b1.len) == 0);
    CHECK_CONTAINS(b1.data, "paper 595.28 841.89\n");
    CHECK_CONTAINS(b1.data, "page 1 (i)\n");
    CHECK_CONTAINS(b1.data, "\"Tiny\"");
    CHECK_CONTAINS(b1.data, "\"Contents\"");
    CHECK_CONTAINS(b1.data, "(1)\n");
    CHECK_CONTAINS(b1.data, " dest ");
    CHECK_CONTAINS(b1.data, "link ");
    CHECK_CONTAINS(b1.data, "https://example.org");
    CHECK_CONTAINS(b1.data, "mark 0 ");
    CHECK_CONTAINS(b1.data, "mark 1 ");
    oc_buf_free(&b1);
    oc_buf_free(&b2);
    teardown(&f1);
    teardown(&f2);
}

static void test_unknown_paper(void) {
    fixture f;
    setup(&f, "# A\n\nb\n", "b7", 0);
    CHECK(!f.ok);
    CHECK(oc_diag_contains(&f.diag, "paper"));
    teardown(&f);
}

/* A table after 20..70 one-line paragraphs: wherever the page foot falls,
 * no page holds a single body row of it (two under the header, two at the
 * end), and every row is drawn once. */
static void test_table_no_lone_row(void) {
    int lone = 0, broken = 0;
    for (int lines = 20; lines <= 70; lines++) {
        oc_buf md;
        oc_buf_init(&md);
        oc_buf_printf(&md, "---\ntitle: T\n---\n\n# T\n\n");
        for (int k = 0; k < lines; k++)
            oc_buf_printf(&md, "Line %d.\n\n", k);
        oc_buf_printf(&md, "| A | B |\n|---|---|\n");
        for (int r = 1; r <= 10; r++)
            oc_buf_printf(&md, "| zrow%02d | v |\n", r);
        fixture f;
        setup(&f, md.data, "a4", 0);
        CHECK(f.ok);
        if (f.ok) {
            int seen = 0, pages = 0;
            for (size_t p = 0; p < f.lay.npages; p++) {
                int rows = 0;
                for (size_t i = 0; i < f.lay.pages[p].nitems; i++) {
                    const oc_item *it = &f.lay.pages[p].items[i];
                    if (it->kind == OC_ITEM_TEXT && it->len >= 6 &&
                        memcmp(it->text, "zrow", 4) == 0)
                        rows++;
                }
                if (rows == 1) lone++;
                if (rows > 0) pages++;
                seen += rows;
            }
            CHECK(seen == 10);
            if (pages > 1) broken++;
        }
        teardown(&f);
        oc_buf_free(&md);
    }
    CHECK(broken >= 3); /* the sweep does cross page feet */
    CHECK(lone == 0);
}

/* Counts text items that end a line with a hyphen the layout added. */
static int hyphenated_lines(const oc_layout *l) {
    int n = 0;
    for (size_t p = 0; p < l->npages; p++)
        for (size_t i = 0; i < l->pages[p].nitems; i++) {
            const oc_item *it = &l->pages[p].items[i];
            if (it->kind == OC_ITEM_TEXT && it->len > 1 && it->text[it->len - 1] == '-') n++;
        }
    return n;
}

/* Patterns given in the options are the ones used: a book in a language
 * with no installed patterns is hyphenated with the caller's en-US ones
 * and not warned about; without them it is set unhyphenated, with the
 * warning. */
static void test_given_patterns(void) {
    oc_buf md;
    oc_buf_init(&md);
    oc_buf_printf(&md, "---\ntitle: T\nlanguage: tlh\n---\n\n# T\n\n");
    for (int k = 0; k < 30; k++)
        oc_buf_printf(&md, "internationalization incomprehensibilities characteristically ");
    oc_buf_printf(&md, "end.\n");
    oc_fontset *fonts = NULL;
    oc_diag fd;
    oc_diag_init(&fd, NULL);
    CHECK(oc_fonts_load(&fonts, OCTAVO_FONTS_DIR, &fd) == OC_OK);
    oc_hyphen_patterns *en = oc_hyphen_patterns_load("en-US", &fd, NULL);
    CHECK(en != NULL);
    for (int given = 0; given < 2 && fonts; given++) {
        static const oc_memfile none[] = {{NULL, NULL, 0}};
        oc_io io;
        oc_io_memory(&io, none);
        oc_diag d;
        oc_diag_init(&d, NULL);
        oc_document doc;
        CHECK(oc_book_load_string(&doc, "book.md", md.data, md.len, &io, &d) == OC_OK);
        oc_layout_options o = {"a5", 0, given ? en : NULL};
        oc_layout lay;
        CHECK(oc_layout_run(&doc, &o, fonts, &lay, &d) == OC_OK);
        int warned = oc_diag_contains(&d, "no hyphenation patterns");
        CHECK(warned == !given);
        if (given)
            CHECK(hyphenated_lines(&lay) > 0);
        else
            CHECK(hyphenated_lines(&lay) == 0);
        oc_layout_free(&lay);
        oc_doc_free(&doc);
        oc_diag_free(&d);
    }
    oc_hyphen_patterns_free(en);
    if (fonts) oc_fonts_free(fonts);
    oc_diag_free(&fd);
    oc_buf_free(&md);
}

static size_t count_messages(const oc_diag *d, const char *needle) {
    size_t n = 0;
    for (size_t i = 0; i < d->count; i++)
        if (strstr(d->items[i].message, needle)) n++;
    return n;
}

/* Characters no font has are warned once per script and chapter (not once
 * per character), at the first of them, with one thread and with two; the
 * title page does not repeat them. */
static void test_missing_warned_once(void) {
    const char *md = "---\ntitle: \"Marks \uE000\"\n---\n"
                     "# One\n\nA \uE000 and \uE001.\n\n"
                     "# Two\n\nAgain \uE002, then \uE000 and \u0F40.\n\n"
                     "# Three\n\n\uE001 \uE002 \uE000 \uE003.\n\n"
                     "# Four\n\nNothing odd here.\n";
    for (int threads = 1; threads <= 2; threads++) {
        setenv("OCTAVO_THREADS", threads == 1 ? "1" : "2", 1);
        fixture f;
        setup(&f, md, "a4", 0);
        CHECK(f.ok);
        /* one file is one chapter: private use (script Zzzz) once, at its
         * first character, line 6; Tibetan once, line 10 */
        CHECK(f.diag.count == 2);
        CHECK(count_messages(&f.diag, "are not in any bundled font") == 2);
        CHECK(count_messages(&f.diag, "script Zzzz are not in any bundled font (first U+E000 ") ==
              1);
        CHECK(count_messages(&f.diag, "script Tibt are not in any bundled font (first U+0F40 ") ==
              1);
        CHECK(f.diag.count == 2 && f.diag.items[0].line == 6 && f.diag.items[1].line == 10);
        teardown(&f);
    }
    unsetenv("OCTAVO_THREADS");
}

/* The first TEXT item whose text holds `needle`. */
static const oc_item *item_with(const oc_layout *l, const char *needle) {
    for (size_t i = 0; i < l->npages; i++)
        for (size_t k = 0; k < l->pages[i].nitems; k++) {
            const oc_item *it = &l->pages[i].items[k];
            if (it->kind == OC_ITEM_TEXT && it->text && strstr(it->text, needle)) return it;
        }
    return NULL;
}

/* Items carry what the writer needs to draw runs as the layout shaped them:
 * right-to-left runs are marked (their words are set last first), and the
 * words that shaped to their characters' own glyphs are marked nominal,
 * a bit each (the writer then need not shape them again); a word with a
 * ligature is not, and the words beside it still are. */
static void test_item_direction_and_nominal(void) {
    fixture f;
    setup(&f,
          "---\ntitle: T\n---\n# One\n\nPlain words here.\n\nAn office.\n\n"
          "\xd7\x9b\xd7\x9c \xd7\x91\xd7\xa0\xd7\x99 \xd7\x94\xd7\x90\xd7\x93\xd7\x9d.\n",
          "a4", 0);
    CHECK(f.ok);
    const oc_item *plain = item_with(&f.lay, "Plain words"), *office = item_with(&f.lay, "office"),
                  *he = item_with(&f.lay, "\xd7\x91\xd7\xa0\xd7\x99");
    CHECK(plain && plain->nominal == ~(uint64_t)0 && !plain->rtl);
    /* "An office.": word 0 nominal, word 1 (f_f_i) not, no word 2 */
    CHECK(office && (office->nominal & 1) && !(office->nominal & 2) && (office->nominal & 4));
    CHECK(he && he->rtl && !he->nominal);
    teardown(&f);
}

/* Print: every internal link is followed by "(p. N)", N the page (arabic,
 * body-numbered) of its destination; the passes settle within the bound;
 * screen has none. Every page has a break, in page order, with its label. */
static char *refs_book(void) {
    oc_buf b;
    oc_buf_init(&b);
    unsigned seed = 7;
    oc_buf_puts(&b, "---\ntitle: Refs\n---\n\n");
    for (int c = 1; c <= 3; c++) {
        oc_buf_printf(&b, "# Chapter %d\n\n", c);
        for (int s = 1; s <= 4; s++) {
            oc_buf_printf(&b, "## Part %d %d\n\n", c, s);
            for (int p = 0; p < 3; p++) {
                words(&b, 40 + (int)(seed % 80), &seed);
                oc_buf_printf(&b,
                              " see [part %d %d](#part-%d-%d) and [the other](#part-%d-%d).\n\n",
                              4 - c, 5 - s, 4 - c, 5 - s, c, 1 + (s + p) % 4);
            }
        }
    }
    size_t len;
    return oc_buf_detach(&b, &len);
}

static void test_page_refs(void) {
    char *md = refs_book();
    for (int print = 0; print <= 1; print++) {
        fixture f;
        setup(&f, md, "a5", print);
        CHECK(f.ok);
        if (!f.ok) {
            teardown(&f);
            continue;
        }
        const oc_layout *l = &f.lay;
        /* the numbers in reading order */
        int got[256], ngot = 0;
        for (size_t p = 0; p < l->npages; p++)
            for (size_t i = 0; i < l->pages[p].nitems; i++) {
                const oc_item *it = &l->pages[p].items[i];
                if (it->kind != OC_ITEM_TEXT) continue;
                for (const char *q = it->text;
                     (q = strstr(q, "(p.\xC2\xA0")) && q < it->text + it->len; q += 5)
                    if (ngot < 256) got[ngot++] = atoi(q + 5);
            }
        /* what they should be: each link's destination's page label */
        int want[256], nwant = 0;
        size_t body0 = 0;
        while (body0 < l->npages && l->pages[body0].label == OC_LABEL_ROMAN)
            body0++;
        const oc_node *root = f.doc.chapters[0].root;
        for (int c = 0; c < f.doc.nchapters; c++) {
            root = f.doc.chapters[c].root;
            for (const oc_node *n = root; n; n = oc_node_next(root, n, 1)) {
                if (n->type != OC_LINK || n->link_kind != OC_LINK_INTERNAL) continue;
                size_t pg = 0;
                CHECK(has_dest(l, n->target_id, &pg));
                if (nwant < 256) want[nwant++] = l->pages[pg].number;
                CHECK(pg >= body0 && l->pages[pg].label == OC_LABEL_ARABIC);
            }
        }
        CHECK(nwant == 72);
        if (print) {
            CHECK(ngot == nwant);
            for (int i = 0; i < ngot && i < nwant; i++)
                if (got[i] != want[i]) {
                    CHECK(got[i] == want[i]);
                    break;
                }
            CHECK(l->ref_passes >= 2 && l->ref_passes <= 6);
        } else {
            CHECK(ngot == 0);
            CHECK(l->ref_passes == 1);
        }
        /* a break per page, with the page's label; body pages in order */
        CHECK(l->breaks != NULL);
        for (size_t p = 0; l->breaks && p < l->npages; p++) {
            const oc_page_break *b = &l->breaks[p];
            CHECK(b->number == l->pages[p].number);
            CHECK(b->roman == (l->pages[p].label == OC_LABEL_ROMAN));
            CHECK((b->chapter < 0) == (p < body0));
            if (p > body0) CHECK(b->chapter >= l->breaks[p - 1].chapter);
            if (p >= body0 && !b->blank && b->node)
                CHECK(b->node->type == OC_TEXT || b->node->type == OC_HEADING ||
                      b->node->type == OC_CODE_BLOCK);
        }
        teardown(&f);
    }
    free(md);
}

int main(void) {
    RUN(test_paper_sizes);
    RUN(test_a4_screen);
    RUN(test_letter_print);
    RUN(test_dump_stable);
    RUN(test_unknown_paper);
    RUN(test_table_no_lone_row);
    RUN(test_given_patterns);
    RUN(test_missing_warned_once);
    RUN(test_item_direction_and_nominal);
    RUN(test_page_refs);
    return harness_finish("test_layout");
}
