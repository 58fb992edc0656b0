/* Every glyph the layout asks the writer to draw exists in the font it names:
 * body text, headings, running heads, contents entries and footnotes, in
 * scripts the book face lacks (Greek with accents, CJK, Hebrew, arrows). */
#include "harness.h"
#include "octavo/book.h"
#include "octavo/layout.h"

#include <string.h>

static const char BOOK[] =
    "---\ntitle: \xCE\x92\xCE\xB9\xCE\xB2\xCE\xBB\xCE\xAF\xCE\xBF\nlanguage: en-US\n---\n"
    "# \xCE\x95\xCE\xBB\xCE\xBB\xCE\xB7\xCE\xBD\xCE\xB9\xCE\xBA\xCE\xAC\n\n"
    "Text \xCE\xBB\xCF\x8C\xCE\xB3\xCE\xBF\xCF\x82 and \xE2\x86\x92 arrows.[^a]\n\n"
    "## \xE4\xB8\xAD\xE6\x96\x87 heading\n\n\xE6\x88\x91\xE8\x83\xBD\xE5\x90\x9E\xE4\xB8\x8B "
    "\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D.\n\n"
    "# \xD0\xA0\xD1\x83\xD1\x81\xD1\x81\xD0\xBA\xD0\xB8\xD0\xB9 \xE2\x86\x92 "
    "\xCE\xBB\xCF\x8C\xCE\xB3\xCE\xBF\xCF\x82\n\n"
    "Many words to fill the page so that the running head of the second page shows.\n\n"
    "[^a]: A note with \xCE\xBB\xCF\x8C\xCE\xB3\xCE\xBF\xCF\x82 in it.\n";

static void test_every_glyph_exists(void) {
    oc_diag diag;
    oc_diag_init(&diag, NULL);
    oc_document doc;
    /* a long book: running heads appear from the second page of a chapter */
    oc_buf md;
    oc_buf_init(&md);
    oc_buf_append(&md, BOOK, sizeof BOOK - 1);
    for (int i = 0; i < 300; i++)
        oc_buf_puts(&md, "Filler words for a second page under the Russian heading.\n\n");
    CHECK(oc_book_load_string(&doc, "glyphs.md", md.data, md.len, NULL, &diag) == OC_OK);
    oc_fontset *fonts = NULL;
    CHECK(oc_fonts_load(&fonts, OCTAVO_FONTS_DIR, &diag) == OC_OK);
    oc_layout_options lo = {"a4", 0, NULL};
    oc_layout l;
    memset(&l, 0, sizeof l);
    CHECK(oc_layout_run(&doc, &lo, fonts, &l, &diag) == OC_OK);
    size_t items = 0, missing = 0, heads_with_greek = 0;
    for (size_t p = 0; p < l.npages; p++) {
        for (size_t k = 0; k < l.pages[p].nitems; k++) {
            const oc_item *it = &l.pages[p].items[k];
            if (it->kind != OC_ITEM_TEXT) continue;
            items++;
            size_t i = 0;
            while (i < it->len) {
                uint32_t cp = oc_utf8_next(it->text, it->len, &i);
                if (cp == ' ' || cp == 0xA0 || cp == 0xFFFD) continue;
                if (!oc_fonts_has(fonts, it->font, cp)) {
                    missing++;
                    fprintf(stderr, "page %zu: U+%04X not in font %d (\"%.*s\")\n", p, cp,
                            (int)it->font, (int)it->len, it->text);
                }
            }
            if (it->font == OC_FONT_SANS && it->len >= 2 && memcmp(it->text, "\xCE", 1) == 0)
                heads_with_greek++;
        }
    }
    CHECK(items > 50);
    CHECK(missing == 0);
    CHECK(heads_with_greek > 0);
    CHECK(l.npages >= 4);
    oc_layout_free(&l);
    oc_fonts_free(fonts);
    oc_doc_free(&doc);
    oc_buf_free(&md);
    oc_diag_free(&diag);
}

int main(void) {
    RUN(test_every_glyph_exists);
    return harness_finish("test_layout_glyphs");
}
