/* Unit tests for src/layout/para.c: paragraphs from the real parser and the
 * bundled fonts, set into lines of runs. */
#include "harness.h"
#include "octavo/book.h"
#include "octavo/layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    oc_document doc;
    oc_diag diag;
    oc_fontset *fonts;
    oc_hyphen *hy;
    oc_arena arena;
    oc_para_ctx ctx;
    oc_cpset warned;
    int ok;
} fixture;

static size_t count_spaces(const char *s, size_t n) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += s[i] == ' ';
    return k;
}

/* The fonts of the last setup(), for measuring words inside runs. */
static const oc_fontset *g_fonts;

static void setup(fixture *f, const char *md) {
    memset(f, 0, sizeof *f);
    oc_diag_init(&f->diag, NULL);
    oc_arena_init(&f->arena);
    static const oc_memfile none[] = {{NULL, NULL, 0}};
    oc_io io;
    oc_io_memory(&io, none);
    f->ok = oc_book_load_string(&f->doc, "book.md", md, strlen(md), &io, &f->diag) == OC_OK &&
            oc_fonts_load(&f->fonts, OCTAVO_FONTS_DIR, &f->diag) == OC_OK;
    CHECK(f->ok);
    g_fonts = f->fonts;
    f->hy = oc_hyphen_load("en-US", &f->diag, "book.md");
    CHECK(f->hy != NULL);
    memset(&f->warned, 0, sizeof f->warned);
    f->ctx.arena = &f->arena;
    f->ctx.fonts = f->fonts;
    f->ctx.hyphen = f->hy;
    f->ctx.diag = &f->diag;
    f->ctx.doc = &f->doc;
    f->ctx.file = "book.md";
    f->ctx.warned = &f->warned;
}

static void teardown(fixture *f) {
    oc_cpset_free(&f->warned);
    oc_hyphen_free(f->hy);
    if (f->fonts) oc_fonts_free(f->fonts);
    oc_arena_free(&f->arena);
    oc_doc_free(&f->doc);
    oc_diag_free(&f->diag);
}

/* the n-th (0-based) top-level block of the given type in chapter 0 */
static const oc_node *block(const fixture *f, oc_node_type t, int n) {
    if (!f->ok || f->doc.nchapters < 1) return NULL;
    for (const oc_node *c = f->doc.chapters[0].root->first; c; c = c->next)
        if (c->type == t && n-- == 0) return c;
    return NULL;
}

static oc_para_style body_style(int justify) {
    oc_para_style st;
    memset(&st, 0, sizeof st);
    st.font = OC_FONT_SERIF;
    st.size = 10.5;
    st.leading = 14;
    st.link_color.b = 0.6f;
    st.justify = justify;
    st.hyphenate = 1;
    st.align = OC_ALIGN_NONE; /* the start side, as blocks.c sets it */
    return st;
}

static int lay(fixture *f, const oc_node *b, const oc_para_style *st, double measure, oc_para *p) {
    memset(p, 0, sizeof *p);
    if (!b) return 0;
    return oc_para_layout(&f->ctx, b, st, measure, p) == OC_OK;
}

/* widest right edge of any run, over all lines */
static double max_right(const oc_para *p) {
    double m = 0;
    for (int l = 0; l < p->nlines; l++) {
        if (p->lines[l].width > m) m = p->lines[l].width;
        for (int r = 0; r < p->lines[l].nruns; r++) {
            const oc_run *run = &p->lines[l].runs[r];
            if (run->x + run->width > m) m = run->x + run->width;
        }
    }
    return m;
}

static int no_space_at_run_ends(const oc_para *p) {
    for (int l = 0; l < p->nlines; l++)
        for (int r = 0; r < p->lines[l].nruns; r++) {
            const oc_run *run = &p->lines[l].runs[r];
            if (run->len == 0) return 0;
            if (run->text[0] == ' ' || run->text[run->len - 1] == ' ') return 0;
        }
    return 1;
}

/* Compares the runs' text with the expected words (whitespace ignored).
 * A '-' ending a line that the source does not have is a hyphenation break:
 * it is checked against libhyphen's points for the word. Returns 1 when the
 * text matches; counts the hyphenated breaks. */
static int text_matches(const fixture *f, const oc_para *p, const char *expect, int *hyphenated,
                        int *bad_hyphen) {
    /* expected text without whitespace, and where each word starts */
    size_t n = strlen(expect);
    char *t = malloc(n + 1);
    size_t *wstart = malloc((n + 1) * sizeof *wstart); /* for t[i]: offset of its word in expect */
    size_t tl = 0, ws = 0;
    for (size_t i = 0; i < n; i++) {
        if (expect[i] == ' ' || expect[i] == '\n') {
            ws = i + 1;
            continue;
        }
        wstart[tl] = ws;
        t[tl++] = expect[i];
    }
    size_t k = 0;
    int ok = 1;
    *hyphenated = 0;
    *bad_hyphen = 0;
    for (int l = 0; l < p->nlines && ok; l++) {
        const oc_line *ln = &p->lines[l];
        for (int r = 0; r < ln->nruns && ok; r++) {
            const oc_run *run = &ln->runs[r];
            for (size_t i = 0; i < run->len; i++) {
                char c = run->text[i];
                if (c == ' ') continue;
                int last = r + 1 == ln->nruns && i + 1 == run->len;
                if (k < tl && t[k] == c) {
                    k++;
                    continue;
                }
                if (last && c == '-' && k > 0 && l + 1 < p->nlines) {
                    (*hyphenated)++;
                    /* the word around the break, its letters only */
                    size_t w0 = wstart[k - 1], w1 = w0;
                    while (w1 < n && expect[w1] != ' ' && expect[w1] != '\n')
                        w1++;
                    size_t off = 0; /* bytes of the word before the break */
                    for (size_t q = k; q > 0 && wstart[q - 1] == w0; q--)
                        off++;
                    size_t c0 = w0, c1 = w1;
                    while (c0 < c1 && !((expect[c0] | 32) >= 'a' && (expect[c0] | 32) <= 'z'))
                        c0++;
                    while (c1 > c0 &&
                           !((expect[c1 - 1] | 32) >= 'a' && (expect[c1 - 1] | 32) <= 'z'))
                        c1--;
                    unsigned char pts[128];
                    size_t at = w0 + off - c0; /* break after byte at-1 of the core */
                    if (c1 - c0 > sizeof pts || at == 0 || at > c1 - c0 ||
                        oc_hyphen_points(f->hy, expect + c0, c1 - c0, pts) <= 0 || !pts[at - 1])
                        (*bad_hyphen)++;
                    continue;
                }
                fprintf(stderr, "  text differs at line %d: got '%c', expected '%c' (%zu)\n", l, c,
                        k < tl ? t[k] : '$', k);
                ok = 0;
                break;
            }
        }
    }
    if (ok && k != tl) {
        fprintf(stderr, "  text ends early: %zu of %zu\n", k, tl);
        ok = 0;
    }
    free(t);
    free(wstart);
    return ok;
}

static void dump(const oc_para *p) {
    for (int l = 0; l < p->nlines; l++) {
        fprintf(stderr, "line %d w=%.2f:", l, p->lines[l].width);
        for (int r = 0; r < p->lines[l].nruns; r++)
            fprintf(stderr, " [%.1f f%d %.*s]", p->lines[l].runs[r].x, p->lines[l].runs[r].font,
                    (int)p->lines[l].runs[r].len, p->lines[l].runs[r].text);
        fprintf(stderr, "\n");
    }
}

static const char *LONG_TEXT =
    "An AI/ML engineer turns data into working software. They design, train and ship the "
    "machine learning models and AI systems that sit inside real products: the recommender "
    "that picks your next video, the filter that flags a fraudulent payment, the ranker behind "
    "a search box, the assistant that answers a question in plain language. The job lives on "
    "the border between research and software engineering. On a given day you may read a paper "
    "and run experiments like a scientist, then write production code, worry about response "
    "times and cloud bills, and be the person who gets called when a model starts to behave "
    "oddly. Extraordinary typography requires hyphenation of unquestionably incomprehensible "
    "internationalization vocabulary, characteristically demonstrating responsibilities.";

/* Spaces inside inline code keep their width on justified lines (a stretched
 * space in monospaced text reads as two); the prose spaces around the code
 * take up the slack. */
static void test_code_spaces_fixed(void) {
    fixture f;
    setup(&f, "# T\n\nCall `Buffer.alloc(size[, fill[, encoding]])` or `Buffer.from(array, "
              "byteOffset, length)` when the memory must be zero-filled, and see how each of "
              "these `new Buffer(num)` forms behaves on a line that justification widens.\n");
    oc_para_style st = body_style(1);
    int code_runs = 0, prose_stretched = 0;
    const double measures[] = {180, 220, 260};
    for (size_t mi = 0; mi < 3; mi++) {
        oc_para p;
        CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, measures[mi], &p));
        for (int l = 0; l + 1 < p.nlines; l++)
            for (int r = 0; r < p.lines[l].nruns; r++) {
                const oc_run *run = &p.lines[l].runs[r];
                if (run->font == OC_FONT_MONO) {
                    if (count_spaces(run->text, run->len) > 0) code_runs++;
                    CHECK(run->ws == 0);
                } else if (run->ws > 0.01) {
                    prose_stretched++;
                }
            }
    }
    CHECK(code_runs > 0);
    CHECK(prose_stretched > 0);
    teardown(&f);
}

static void test_long_justified(void) {
    fixture f;
    char md[4096];
    snprintf(md, sizeof md, "# Title\n\n%s\n", LONG_TEXT);
    setup(&f, md);
    oc_para_style st = body_style(1);
    int total_hyph = 0;
    const double measures[] = {300, 200, 150, 120};
    for (size_t mi = 0; mi < 4; mi++) {
        double measure = measures[mi];
        oc_para p;
        CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, measure, &p));
        CHECK(p.nlines > 3);
        CHECK(max_right(&p) <= measure + 1e-6);
        for (int l = 0; l + 1 < p.nlines; l++)
            CHECK(fabs(p.lines[l].width - measure) < 0.01);
        if (p.nlines > 0) CHECK(p.lines[p.nlines - 1].width < measure); /* ragged last line */
        CHECK(no_space_at_run_ends(&p));
        /* the words of a line share one run (one style here); its width is
         * its text at the font's advances plus ws for each space, which is
         * how the PDF writer draws it, and justification widened some */
        int stretched = 0;
        for (int l = 0; l < p.nlines; l++) {
            CHECK(p.lines[l].nruns == 1);
            for (int r = 0; r < p.lines[l].nruns; r++) {
                const oc_run *run = &p.lines[l].runs[r];
                double w = oc_fonts_width(f.fonts, run->font, run->size, run->text, run->len) +
                           run->ws * (double)count_spaces(run->text, run->len);
                CHECK(fabs(w - run->width) < 1e-6);
                if (run->ws > 0.01) stretched++;
            }
        }
        CHECK(stretched > 0);
        CHECK(p.nlines > 0 && p.lines[p.nlines - 1].runs[0].ws == 0); /* the last line: natural */
        int hyph = 0, bad = 0;
        CHECK(text_matches(&f, &p, LONG_TEXT, &hyph, &bad));
        CHECK(bad == 0);
        total_hyph += hyph;
        /* line metrics: the serif face at 10.5pt */
        for (int l = 0; l < p.nlines; l++)
            CHECK(p.lines[l].ascent > 5 && p.lines[l].ascent < 15 && p.lines[l].descent > 1 &&
                  p.lines[l].descent < 6);
    }
    CHECK(total_hyph > 0); /* narrow measures do hyphenate */
    CHECK(f.diag.warnings == 0);
    teardown(&f);
}

static void test_first_line_indent_and_ragged(void) {
    fixture f;
    char md[4096];
    snprintf(md, sizeof md, "%s\n", LONG_TEXT);
    setup(&f, md);
    oc_para_style st = body_style(1);
    st.indent = 15;
    oc_para p;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 250, &p));
    CHECK(p.nlines > 2 && p.lines[0].nruns > 0 && fabs(p.lines[0].runs[0].x - 15) < 1e-9);
    CHECK(p.nlines > 2 && p.lines[1].runs[0].x == 0);
    CHECK(max_right(&p) <= 250 + 1e-6);
    /* ragged right: natural spaces, words merged into runs, never wider */
    st = body_style(0);
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 250, &p));
    CHECK(p.nlines > 2 && max_right(&p) <= 250 + 1e-6);
    CHECK(p.nlines > 2 && p.lines[0].nruns == 1); /* one font: one run per line */
    int hyph = 0, bad = 0;
    CHECK(text_matches(&f, &p, LONG_TEXT, &hyph, &bad) && bad == 0);
    int shorter = 0;
    for (int l = 0; l < p.nlines; l++)
        if (p.lines[l].width < 249) shorter++;
    CHECK(shorter > 1);
    /* centred: each line's runs start at (measure - width) / 2 */
    st.align = OC_ALIGN_CENTER;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 250, &p));
    for (int l = 0; l < p.nlines; l++)
        CHECK(fabs(p.lines[l].runs[0].x - (250 - p.lines[l].width) / 2) < 1e-6);
    st.align = OC_ALIGN_RIGHT;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 250, &p));
    for (int l = 0; l < p.nlines; l++) {
        const oc_line *ln = &p.lines[l];
        const oc_run *last = &ln->runs[ln->nruns - 1];
        CHECK(fabs(last->x + last->width - 250) < 1e-6);
    }
    teardown(&f);
}

static void test_long_url(void) {
    char url[400];
    int n = snprintf(url, sizeof url, "https://example.com/");
    for (int i = 0; n < 300; i++)
        n += snprintf(url + n, sizeof url - (size_t)n, "segment%d/part_%d?x=%d&y=", i, i, i);
    url[300] = '\0';
    char md[1024], expect[1024];
    snprintf(md, sizeof md, "See %s for the details of this.\n", url);
    snprintf(expect, sizeof expect, "See %s for the details of this.", url);
    fixture f;
    setup(&f, md);
    oc_para_style st = body_style(1);
    oc_para p;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 200, &p));
    CHECK(p.nlines >= 4);
    CHECK(max_right(&p) <= 200 + 1e-6);
    int hyph = 0, bad = 0;
    CHECK(text_matches(&f, &p, expect, &hyph, &bad));
    CHECK(bad == 0); /* hyphens only at libhyphen's points, never inside the URL */
    /* the URL's lines are well filled (it breaks anywhere when it must) */
    for (int l = 1; l + 2 < p.nlines; l++)
        CHECK(p.lines[l].width > 0.75 * 200);
    if (getenv("DUMP")) dump(&p);
    /* cmark-gfm autolinks it: every URL run carries the uri */
    int with_uri = 0;
    for (int l = 0; l < p.nlines; l++)
        for (int r = 0; r < p.lines[l].nruns; r++)
            if (p.lines[l].runs[r].uri) with_uri++;
    CHECK(with_uri >= p.nlines - 1);
    teardown(&f);
}

static void test_huge_word(void) {
    size_t n = 20000;
    char *md = malloc(n + 64), *expect = malloc(n + 64);
    memcpy(md, "Before ", 7);
    for (size_t i = 0; i < n; i++)
        md[7 + i] = (char)('a' + (i * 7) % 26);
    memcpy(md + 7 + n, " after.\n", 9);
    memcpy(expect, md, n + 15);
    expect[n + 14] = '\0';
    fixture f;
    setup(&f, md);
    oc_para_style st = body_style(1);
    oc_para p;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 300, &p));
    CHECK(p.nlines > 100);
    CHECK(max_right(&p) <= 300 + 1e-6);
    int hyph = 0, bad = 0;
    CHECK(text_matches(&f, &p, expect, &hyph, &bad));
    /* the word's lines are nearly full: no line but the last under 90% */
    int short_lines = 0;
    for (int l = 1; l + 1 < p.nlines; l++)
        if (p.lines[l].width < 270) short_lines++;
    CHECK(short_lines == 0);
    teardown(&f);
    free(md);
    free(expect);
}

/* `text` as drawn: a whole run, or words of one (justified words of one
 * style share a run, spaces widened by its ws). Returns a copy of the run
 * narrowed to those words (x, width, text, len); NULL when no run has them
 * between spaces or its ends. Copies live in a small ring: a test may hold
 * up to eight at once. */
static const oc_run *find_run(const oc_para *p, const char *text) {
    static oc_run ring[8];
    static int next;
    size_t n = strlen(text);
    for (int l = 0; l < p->nlines; l++)
        for (int r = 0; r < p->lines[l].nruns; r++) {
            const oc_run *run = &p->lines[l].runs[r];
            for (size_t at = 0; at + n <= run->len; at++) {
                if ((at > 0 && run->text[at - 1] != ' ') ||
                    (at + n < run->len && run->text[at + n] != ' ') ||
                    memcmp(run->text + at, text, n) != 0)
                    continue;
                oc_run *c = &ring[next++ % 8];
                *c = *run;
                c->text = run->text + at;
                c->len = n;
                if (at > 0 || n < run->len) {
                    c->x = run->x + oc_fonts_width(g_fonts, run->font, run->size, run->text, at) +
                           run->ws * (double)count_spaces(run->text, at);
                    c->width = oc_fonts_width(g_fonts, run->font, run->size, text, n) +
                               run->ws * (double)count_spaces(text, n);
                }
                return c;
            }
        }
    return NULL;
}

static void test_styles(void) {
    fixture f;
    setup(&f, "Plain **bold** *italic* ***both*** **bold *nested***\n"
              "`code_span` ~~gone~~ done.\n\n"
              "## A **bold** heading with *italic*\n");
    oc_para_style st = body_style(0);
    oc_para p;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 400, &p));
    const oc_run *r;
    CHECK((r = find_run(&p, "Plain")) && r->font == OC_FONT_SERIF && r->flags == 0);
    CHECK((r = find_run(&p, "bold")) && r->font == OC_FONT_SERIF_BOLD);
    CHECK((r = find_run(&p, "italic")) && r->font == OC_FONT_SERIF_ITALIC);
    CHECK((r = find_run(&p, "both")) && r->font == OC_FONT_SERIF_BOLD_ITALIC);
    CHECK((r = find_run(&p, "nested")) && r->font == OC_FONT_SERIF_BOLD_ITALIC);
    CHECK((r = find_run(&p, "code_span")) && r->font == OC_FONT_MONO && (r->flags & OC_RUN_CODE) &&
          r->size < 10.5);
    CHECK((r = find_run(&p, "gone")) && (r->flags & OC_RUN_STRIKE));
    /* a heading set in bold: emphasis inside becomes bold italic */
    oc_para_style hs = body_style(0);
    hs.font = OC_FONT_SERIF_BOLD;
    hs.size = 16;
    CHECK(lay(&f, block(&f, OC_HEADING, 0), &hs, 400, &p));
    CHECK((r = find_run(&p, "italic")) && r->font == OC_FONT_SERIF_BOLD_ITALIC && r->size == 16);
    CHECK((r = find_run(&p, "A bold heading with")) && r->font == OC_FONT_SERIF_BOLD);
    if (getenv("DUMP")) dump(&p);
    teardown(&f);
}

static void test_fallback_and_missing(void) {
    fixture f;
    setup(&f, "Greek λόγος stays in the book face; ∀x falls back.\n\n"
              "Emoji 🦀 and Tibetan ཀ ཁ ག and Ethiopic ሀ\nmore ཀ here.\n\n"
              "Again ཀ.\n");
    oc_para_style st = body_style(1);
    oc_para p;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 400, &p));
    const oc_run *r;
    /* Charis SIL has a few Greek letters (for IPA) but not accented Greek:
     * the whole word falls back to DejaVu Sans, not letter by letter */
    CHECK((r = find_run(&p, "λόγος")) && r->font == OC_FONT_SANS);
    CHECK((r = find_run(&p, "∀x")) && r->font == OC_FONT_SANS);
    CHECK((r = find_run(&p, "Greek")) && r->font == OC_FONT_SERIF);
    CHECK(f.diag.warnings == 0);
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 1), &st, 400, &p));
    /* the emoji comes from the emoji face, above U+FFFF */
    CHECK((r = find_run(&p, "🦀")) && r->font == OC_FONT_EMOJI);
    /* no face has Tibetan or Ethiopic: one warning per script (not per
     * character), at the line of its first character */
    CHECK(f.diag.warnings == 2);
    CHECK(oc_diag_contains(&f.diag, "characters of script Tibt are not in any bundled font "
                                    "(first U+0F40 'ཀ'); drawn as U+FFFD"));
    CHECK(oc_diag_contains(&f.diag, "script Ethi"));
    CHECK(f.diag.count == 2 && f.diag.items[0].line == 3 &&
          strcmp(f.diag.items[0].file, "book.md") == 0);
    /* drawn as U+FFFD from the sans */
    int repl = 0;
    for (int l = 0; l < p.nlines; l++)
        for (int k = 0; k < p.lines[l].nruns; k++) {
            const oc_run *u = &p.lines[l].runs[k];
            for (size_t i = 0; i + 3 <= u->len; i++)
                if (memcmp(u->text + i, "\xEF\xBF\xBD", 3) == 0 && u->font == OC_FONT_SANS) repl++;
        }
    CHECK(repl == 5);
    /* once per script and chapter across paragraphs too */
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 2), &st, 400, &p));
    CHECK(f.diag.warnings == 2);
    /* another chapter warns again */
    f.ctx.file = "chapter2.md";
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 2), &st, 400, &p));
    CHECK(f.diag.warnings == 3);
    teardown(&f);
}

static void test_bold_fallback(void) {
    fixture f;
    setup(&f, "**bold ∀ sign**\n");
    oc_para_style st = body_style(0);
    oc_para p;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 400, &p));
    const oc_run *r;
    CHECK((r = find_run(&p, "∀")) && r->font == OC_FONT_SANS_BOLD);
    teardown(&f);
}

static void test_links(void) {
    fixture f;
    setup(&f, "# Top\n\nRead [the docs](https://example.org/docs) and [the top](#top), "
              "or <https://example.org/x>.\n");
    oc_para_style st = body_style(0);
    oc_para p;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 400, &p));
    int ext = 0, in = 0, plain_uri = 0;
    for (int l = 0; l < p.nlines; l++)
        for (int k = 0; k < p.lines[l].nruns; k++) {
            const oc_run *r = &p.lines[l].runs[k];
            if (r->uri && strcmp(r->uri, "https://example.org/docs") == 0) {
                ext++;
                CHECK(r->color.b > 0.5f);
                CHECK(r->dest == NULL);
            }
            if (r->dest) {
                in++;
                CHECK_STR_EQ(r->dest, block(&f, OC_HEADING, 0)->id);
            }
            if (!r->uri && !r->dest && r->color.b > 0.5f) plain_uri++;
        }
    CHECK(ext >= 1); /* "the docs" (one run when ragged) */
    CHECK(in >= 1);
    CHECK(plain_uri == 0);
    CHECK(find_run(&p, "(https://example.org/docs)") == NULL);
    /* print profile: the URL follows the text, smaller, unless the text is the URL */
    st.show_urls = 1;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 400, &p));
    const oc_run *u = find_run(&p, "(https://example.org/docs)");
    CHECK(u != NULL && u->size < 10.5 && u->uri != NULL);
    CHECK(find_run(&p, "(https://example.org/x)") == NULL);
    teardown(&f);
}

static void test_footnote_marker(void) {
    fixture f;
    setup(&f, "A claim.[^n] Another.[^m]\n\n[^n]: The note.\n\n[^m]: Second.\n");
    oc_para_style st = body_style(1);
    oc_para p;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 400, &p));
    const oc_run *r1 = find_run(&p, "1"), *r2 = find_run(&p, "2");
    CHECK(r1 && (r1->flags & OC_RUN_SUPER) && r1->noteref && r1->noteref->note_number == 1);
    CHECK(r1 && r1->dy > 0 && r1->size < 10.5);
    CHECK(r2 && r2->noteref && r2->noteref->note_number == 2);
    /* the marker sits right after "claim." */
    const oc_run *c = find_run(&p, "claim.");
    CHECK(c && r1 && fabs(c->x + c->width - r1->x) < 1e-6);
    teardown(&f);
}

static void test_breaks_and_spaces(void) {
    fixture f;
    setup(&f, "First line  \nsecond line and a\u00a0no\u00a0break\u00a0phrase here.\n");
    oc_para_style st = body_style(1);
    oc_para p;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 400, &p));
    CHECK(p.nlines == 2);
    /* ragged (a forced break): one run at the natural word space */
    CHECK(p.nlines == 2 && p.lines[0].nruns == 1 && p.lines[0].width < 100);
    CHECK(p.nlines == 2 && p.lines[0].nruns == 1 && p.lines[0].runs[0].ws == 0 &&
          strcmp(p.lines[0].runs[0].text, "First line") == 0);
    CHECK(find_run(&p, "a\u00a0no\u00a0break\u00a0phrase") != NULL);
    /* squeezed: the no-break phrase moves as one */
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 140, &p));
    CHECK(find_run(&p, "a\u00a0no\u00a0break\u00a0phrase") != NULL);
    CHECK(max_right(&p) <= 140 + 1e-6);
    teardown(&f);
}

static void test_code_block(void) {
    char md[2048];
    char longline[600];
    int n = snprintf(longline, sizeof longline, "result = compute(");
    for (int i = 0; n < 400; i++)
        n += snprintf(longline + n, sizeof longline - (size_t)n, "argument_%d, ", i);
    snprintf(md, sizeof md, "```python\ndef f():\n\treturn 1\n\n%s\nx = [\"αβγ ∀\"]\n```\n",
             longline);
    fixture f;
    setup(&f, md);
    oc_para_style st = body_style(0);
    st.font = OC_FONT_MONO;
    st.size = 8.5;
    oc_para p;
    double measure = 300;
    CHECK(lay(&f, block(&f, OC_CODE_BLOCK, 0), &st, measure, &p));
    CHECK(max_right(&p) <= measure + 1e-6);
    /* lines: "def f():", "    return 1", "", the long line wrapped, the last */
    CHECK(p.nlines >= 7);
    if (p.nlines < 7) {
        teardown(&f);
        return;
    }
    CHECK(p.lines[0].nruns == 1 && strcmp(p.lines[0].runs[0].text, "def f():") == 0);
    CHECK(p.lines[1].nruns == 1 && strcmp(p.lines[1].runs[0].text, "return 1") == 0);
    double sp = oc_fonts_advance(f.fonts, OC_FONT_MONO, ' ') * 8.5 / 1000;
    CHECK(fabs(p.lines[1].runs[0].x - 4 * sp) < 1e-9); /* the tab: four columns */
    CHECK(p.lines[2].nruns == 0);
    CHECK(p.lines[3].runs[0].font == OC_FONT_MONO && p.lines[3].runs[0].flags == 0);
    /* continuation lines start with the mark, drawn from a font that has it */
    int marks = 0;
    oc_buf joined;
    oc_buf_init(&joined);
    int l = 3;
    for (; l < p.nlines; l++) {
        const oc_line *ln = &p.lines[l];
        int r0 = 0;
        if (l > 3) {
            if (ln->nruns == 0 || strcmp(ln->runs[0].text, "\xE2\x86\xAA") != 0) break;
            CHECK(oc_fonts_has(f.fonts, ln->runs[0].font, 0x21AA));
            CHECK(ln->runs[0].x == 0 && ln->runs[1].x > ln->runs[0].width);
            marks++;
            r0 = 1;
            oc_buf_putc(&joined, ' ');
        }
        for (int r = r0; r < ln->nruns; r++)
            oc_buf_append(&joined, ln->runs[r].text, ln->runs[r].len);
    }
    CHECK(marks >= 2);
    if (getenv("DUMP")) dump(&p);
    /* the wrapped line's text, spaces at the wraps aside */
    char *want = longline;
    size_t wl = strlen(want);
    while (wl && want[wl - 1] == ' ')
        wl--;
    CHECK(joined.len == wl && memcmp(joined.data, want, wl) == 0);
    oc_buf_free(&joined);
    /* the last line: Greek from the mono face, ∀ too (DejaVu Sans Mono has it) */
    CHECK(l == p.nlines - 1);
    CHECK(f.diag.warnings == 0);
    teardown(&f);
}

static void test_code_block_unbroken(void) {
    /* a 500-character line without spaces wraps anywhere */
    char md[700];
    memcpy(md, "```\n", 4);
    for (int i = 0; i < 500; i++)
        md[4 + i] = (char)('A' + i % 26);
    memcpy(md + 504, "\n```\n", 6);
    fixture f;
    setup(&f, md);
    oc_para_style st = body_style(0);
    st.font = OC_FONT_MONO;
    st.size = 9;
    oc_para p;
    CHECK(lay(&f, block(&f, OC_CODE_BLOCK, 0), &st, 200, &p));
    CHECK(p.nlines >= 5);
    CHECK(max_right(&p) <= 200 + 1e-6);
    size_t total = 0;
    for (int l = 0; l < p.nlines; l++)
        total += p.lines[l].runs[p.lines[l].nruns - 1].len;
    CHECK(total == 500);
    teardown(&f);
}

static void test_empty_and_image(void) {
    fixture f;
    setup(&f, "Text with ![alt words](https://example.com/remote.png) inline.\n");
    oc_para_style st = body_style(0);
    oc_para p;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 400, &p));
    const oc_run *r = find_run(&p, "alt words");
    CHECK(r && r->font == OC_FONT_SERIF_ITALIC);
    teardown(&f);
}

/* Right-to-left text is drawn in visual order: the first word of a Hebrew
 * paragraph is rightmost, its letters reversed; an English word inside keeps
 * its letters in order. */
static void test_rtl(void) {
    fixture f;
    setup(&f, "אני יכול (לאכול) Latin זכוכית.\n\nEnglish then עברית here.\n");
    oc_para_style st = body_style(1);
    oc_para p;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 400, &p));
    CHECK(p.nlines == 1);
    /* right-to-left runs keep their text in logical order, marked rtl: the
     * writer shapes them right to left */
    const oc_run *first = find_run(&p, "אני"), *latin = find_run(&p, "Latin"),
                 *paren = find_run(&p, "(לאכול)"), *last = find_run(&p, "זכוכית.");
    CHECK(first && latin && paren && last);
    if (first && latin && paren && last) {
        CHECK(first->rtl && paren->rtl && last->rtl && !latin->rtl);
        CHECK(fabs(first->x + first->width - 400) < 1e-6); /* right-aligned last line */
        CHECK(paren->x < first->x && latin->x < paren->x && last->x < latin->x);
    }
    /* an English paragraph with one Hebrew word: left to right */
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 1), &st, 400, &p));
    const oc_run *en = find_run(&p, "English"), *he = find_run(&p, "עברית"),
                 *here = find_run(&p, "here.");
    CHECK(en && he && here && en->x == 0 && en->x < he->x && he->x < here->x);
    CHECK(he && he->rtl && !en->rtl);
    /* an explicit left alignment (contents entries) is physical: the Hebrew
     * line starts at the left edge */
    st = body_style(0);
    st.align = OC_ALIGN_LEFT;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 400, &p));
    double leftmost = 400;
    for (int r = 0; r < p.lines[0].nruns; r++)
        if (p.lines[0].runs[r].x < leftmost) leftmost = p.lines[0].runs[r].x;
    CHECK(fabs(leftmost) < 1e-6);
    teardown(&f);
}

/* ---- CJK, Devanagari, scripts without shaping ------------------------------ */

/* the whole paragraph's text, runs joined in line order (visual order for
 * left-to-right text), with '|' between lines */
static void para_text(const oc_para *p, char *out, size_t cap) {
    size_t o = 0;
    for (int l = 0; l < p->nlines; l++) {
        if (l && o + 1 < cap) out[o++] = '|';
        for (int r = 0; r < p->lines[l].nruns; r++) {
            const oc_run *run = &p->lines[l].runs[r];
            if (r && run->x > p->lines[l].runs[r - 1].x + p->lines[l].runs[r - 1].width + 1 &&
                o + 1 < cap)
                out[o++] = ' ';
            for (size_t i = 0; i < run->len && o + 1 < cap; i++)
                out[o++] = run->text[i];
        }
    }
    out[o] = '\0';
}

static uint32_t first_cp(const char *s, size_t len) {
    size_t i = 0;
    return len ? oc_utf8_next(s, len, &i) : 0;
}

static uint32_t last_cp(const char *s, size_t len) {
    size_t i = 0;
    uint32_t cp = 0;
    while (i < len)
        cp = oc_utf8_next(s, len, &i);
    return cp;
}

static void test_cjk_fallback(void) {
    fixture f;
    setup(&f, "Latin 中文字 and ひらがな, カタカナ。 नमस्ते too.\n");
    oc_para_style st = body_style(0);
    oc_para p;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 400, &p));
    const oc_run *r;
    CHECK((r = find_run(&p, "Latin")) && r->font == OC_FONT_SERIF);
    CHECK((r = find_run(&p, "中文字")) && r->font == OC_FONT_CJK);
    CHECK((r = find_run(&p, "ひらがな")) && r->font == OC_FONT_CJK);
    CHECK((r = find_run(&p, "カタカナ。")) && r->font == OC_FONT_CJK);
    CHECK((r = find_run(&p, "नमस्ते")) && r->font == OC_FONT_DEVA);
    CHECK((r = find_run(&p, "too.")) && r->font == OC_FONT_SERIF);
    /* ideographs, kana and Devanagari (shaped) are drawn, not warned */
    CHECK(f.diag.warnings == 0);
    teardown(&f);
}

static void test_cjk_breaks(void) {
    fixture f;
    const char *src =
        "天地玄黄宇宙洪荒日月盈昃辰宿列张寒来暑往秋收冬藏闰余成岁律吕调阳云腾致雨露结为霜"
        "金生丽水玉出昆冈剑号巨阙珠称夜光果珍李柰菜重芥姜海咸河淡鳞潜羽翔";
    setup(&f, src);
    oc_para_style st = body_style(1);
    oc_para p;
    double measure = 150; /* about 14 ideographs at 10.5 pt */
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, measure, &p));
    CHECK(p.nlines >= 5);
    CHECK(max_right(&p) <= measure + 1e-6);
    /* broken between ideographs, nothing lost or added */
    char text[1024];
    para_text(&p, text, sizeof text);
    char joined[1024];
    size_t o = 0;
    for (const char *c = text; *c; c++)
        if (*c != '|') joined[o++] = *c;
    joined[o] = '\0';
    CHECK(strcmp(joined, src) == 0);
    /* justified: every line but the last fills the measure (zero-width glue
     * between ideographs takes the stretch), and the stretch is small */
    for (int l = 0; l + 1 < p.nlines; l++) {
        const oc_line *ln = &p.lines[l];
        const oc_run *last = &ln->runs[ln->nruns - 1];
        CHECK(fabs(last->x + last->width - measure) < 0.01);
        for (int r = 0; r < ln->nruns; r++)
            CHECK(ln->runs[r].font == OC_FONT_CJK);
        /* at most a fraction of an em between two characters */
        for (int r = 1; r < ln->nruns; r++)
            CHECK(ln->runs[r].x - (ln->runs[r - 1].x + ln->runs[r - 1].width) < 0.5 * st.size);
    }
    CHECK(f.diag.warnings == 0);
    /* ragged right breaks between ideographs too */
    st = body_style(0);
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, measure, &p));
    CHECK(p.nlines >= 5 && max_right(&p) <= measure + 1e-6);
    teardown(&f);
}

/* kinsoku: over many measures, no line starts with closing punctuation or
 * small kana and none ends with an opening bracket; the longest unbreakable
 * group, "（、。）", is 42 pt wide, so from 55 pt on no emergency is needed */
static void test_cjk_kinsoku(void) {
    fixture f;
    setup(&f, "「日本語の文章は、単語の間に空白を置かずに書かれる。」行は、ほとんどどの文字の間でも"
              "折り返すことができる。ただし、句読点（、。）や閉じ括弧で行を始めてはならない。"
              "ちょっとしたテキスト、キャッシュ、ジャッジ。");
    oc_para_style st = body_style(1);
    oc_para p;
    int lines = 0, bad = 0;
    for (double m = 55; m <= 320; m += 3.7) {
        CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, m, &p));
        CHECK(max_right(&p) <= m + 1e-6);
        for (int l = 0; l < p.nlines; l++) {
            const oc_line *ln = &p.lines[l];
            if (ln->nruns == 0) continue;
            uint32_t a = first_cp(ln->runs[0].text, ln->runs[0].len);
            const oc_run *e = &ln->runs[ln->nruns - 1];
            uint32_t z = last_cp(e->text, e->len);
            if (l > 0 && (a == 0x3001 || a == 0x3002 || a == 0x300D || a == 0xFF09 || a == 0x3063 ||
                          a == 0x30C3 || a == 0x30E3 || a == 0x30FC))
                bad++;
            if (l + 1 < p.nlines && (z == 0x300C || z == 0xFF08)) bad++;
            lines++;
        }
    }
    CHECK(lines > 100);
    CHECK(bad == 0);
    /* narrower than that group: the rule yields, the measure does not */
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 30, &p));
    CHECK(max_right(&p) <= 30 + 1e-6);
    teardown(&f);
}

/* a source line break between two CJK characters is no space */
static void test_cjk_soft_break(void) {
    fixture f;
    setup(&f, "日本語の\n文章です。\nLatin\nwords 漢字\nend.\n");
    oc_para_style st = body_style(0);
    oc_para p;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 400, &p));
    char text[256];
    para_text(&p, text, sizeof text);
    CHECK(strstr(text, "日本語の文章です。") != NULL);
    CHECK(strstr(text, "Latin words") != NULL);
    CHECK(strstr(text, "漢字 end.") != NULL);
    teardown(&f);
}

/* Arabic is shaped by HarfBuzz: a run in logical order, right to left, in
 * DejaVu Sans, as wide as its joined glyphs (the isolated forms of the
 * same letters are wider) */
static void test_arabic_shaped(void) {
    fixture f;
    setup(&f, "كتاب سلام لا ء\n\nك ت ا ب\n");
    oc_para_style st = body_style(0);
    oc_para p;
    CHECK(lay(&f, block(&f, OC_PARAGRAPH, 0), &st, 300, &p));
    CHECK(f.diag.warnings == 0);
    const oc_run *r = find_run(&p, "كتاب");
    CHECK(r && r->font == OC_FONT_SANS && r->rtl);
    if (!r)
        for (int k = 0; k < p.lines[0].nruns; k++)
            fprintf(stderr, "run '%.*s' font %d rtl %d\n", (int)p.lines[0].runs[k].len,
                    p.lines[0].runs[k].text, p.lines[0].runs[k].font, p.lines[0].runs[k].rtl);
    double joined = oc_fonts_width(f.fonts, OC_FONT_SANS, 10, "كتاب", strlen("كتاب"));
    double isolated = oc_fonts_width(f.fonts, OC_FONT_SANS, 10, "ك", strlen("ك")) +
                      oc_fonts_width(f.fonts, OC_FONT_SANS, 10, "ت", strlen("ت")) +
                      oc_fonts_width(f.fonts, OC_FONT_SANS, 10, "ا", strlen("ا")) +
                      oc_fonts_width(f.fonts, OC_FONT_SANS, 10, "ب", strlen("ب"));
    CHECK(joined > 0 && joined < isolated - 1);
    teardown(&f);
}

/* A text form of a paragraph's lines: every run's position, font, size,
 * flags and text. */
static void lines_text(const oc_para *p, oc_buf *out) {
    for (int l = 0; l < p->nlines; l++) {
        const oc_line *ln = &p->lines[l];
        oc_buf_printf(out, "line %.3f %.3f %.3f\n", ln->width, ln->ascent, ln->descent);
        for (int r = 0; r < ln->nruns; r++) {
            const oc_run *u = &ln->runs[r];
            oc_buf_printf(out, " %.3f %.3f %d %.2f %u '%.*s'\n", u->x, u->dy, (int)u->font, u->size,
                          (unsigned)u->flags, (int)u->len, u->text);
        }
    }
}

/* Working arrays kept between paragraphs (oc_para_bufs) change nothing:
 * every block of a varied chapter (long and short paragraphs, styles,
 * links, notes, right-to-left and CJK text, a code block, a heading)
 * comes out the same, in the same order, with the arrays reused as without
 * them; the long paragraph first makes the kept arrays large and stale. */
static void test_reused_buffers(void) {
    fixture f;
    const char *md =
        "# A heading with *style*\n\n"
        "Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor "
        "incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud "
        "exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat. Duis aute irure "
        "dolor in reprehenderit in voluptate velit esse cillum dolore eu fugiat nulla pariatur. "
        "Excepteur sint occaecat cupidatat non proident, sunt in culpa qui officia deserunt "
        "mollit anim id est laborum, with **bold**, *italic*, `code` and ~~struck~~ words.\n\n"
        "Short.\n\n"
        "A [link](https://example.com/a/rather/long/path) and a note.[^1]\n\n"
        "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d world \xe4\xb8\xad\xe6\x96\x87\xe5\xad\x97 "
        "mixed.\n\n"
        "```\nint main(void) { return 0; }\n```\n\n"
        "[^1]: The note.\n";
    setup(&f, md);
    if (!f.ok) {
        teardown(&f);
        return;
    }
    oc_para_style st = body_style(1);
    oc_buf plain, kept;
    oc_buf_init(&plain);
    oc_buf_init(&kept);
    for (int pass = 0; pass < 2; pass++) {
        f.ctx.bufs = pass ? oc_para_bufs_new() : NULL;
        oc_buf *out = pass ? &kept : &plain;
        for (int round = 0; round < 2; round++)
            for (const oc_node *c = f.doc.chapters[0].root->first; c; c = c->next) {
                oc_para p;
                if (lay(&f, c, &st, round ? 200 : 330, &p)) lines_text(&p, out);
            }
        oc_para_bufs_free(f.ctx.bufs);
        f.ctx.bufs = NULL;
    }
    CHECK(plain.len > 1000);
    CHECK(plain.len == kept.len && memcmp(plain.data, kept.data, plain.len) == 0);
    oc_buf_free(&plain);
    oc_buf_free(&kept);
    teardown(&f);
}

int main(void) {
    RUN(test_long_justified);
    RUN(test_code_spaces_fixed);
    RUN(test_reused_buffers);
    RUN(test_first_line_indent_and_ragged);
    RUN(test_long_url);
    RUN(test_huge_word);
    RUN(test_styles);
    RUN(test_fallback_and_missing);
    RUN(test_bold_fallback);
    RUN(test_links);
    RUN(test_footnote_marker);
    RUN(test_breaks_and_spaces);
    RUN(test_code_block);
    RUN(test_code_block_unbroken);
    RUN(test_empty_and_image);
    RUN(test_rtl);
    RUN(test_cjk_fallback);
    RUN(test_cjk_breaks);
    RUN(test_cjk_kinsoku);
    RUN(test_cjk_soft_break);
    RUN(test_arabic_shaped);
    return harness_finish("test_para");
}
