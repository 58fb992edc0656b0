/* Unit tests of shaping (src/layout/shape.c) and of shaped text in the PDF
 * (src/pdf/writer.c): kerning, ligatures drawn and extracted, and complex
 * scripts glyph for glyph against hb-shape (libharfbuzz-bin) on the same
 * text and font. */
#include "harness.h"
#include "layout/fonts_internal.h"
#include "octavo/layout.h"
#include "octavo/pdf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static oc_fontset *fs;
static char tmpdir[] = "/tmp/octavo-shape-XXXXXX";

/* Nominal width: the sum of the characters' own advances, unshaped. */
static double nominal(oc_font_id f, const char *s) {
    double w = 0;
    size_t i = 0, len = strlen(s);
    while (i < len)
        w += oc_fonts_advance(fs, f, oc_utf8_next(s, len, &i));
    return w;
}

static void test_kerning(void) {
    /* DejaVu Sans kerns these pairs: shaped, each is narrower than the sum
     * of its letters' advances (by tens of thousandths of an em) */
    static const char *const pairs[] = {"AV", "To", "Ty"};
    oc_shaper *sh = oc_shaper_new(fs, "en");
    for (size_t k = 0; k < 3; k++) {
        size_t n = 0;
        double w = 0;
        const oc_glyph *g = oc_shaper_word(sh, OC_FONT_SANS, 0, pairs[k], 2, &n, &w);
        CHECK(n == 2 && g);
        double nom = nominal(OC_FONT_SANS, pairs[k]);
        CHECK(w < nom - 20);
        fprintf(stderr, "   %s: %.1f shaped, %.1f nominal (thousandths of an em)\n", pairs[k], w,
                nom);
        /* the measure the layout uses is the shaped one */
        CHECK(fabs(oc_fonts_width(fs, OC_FONT_SANS, 10, pairs[k], 2) - w * 10 / 1000) < 1e-9);
        CHECK(fabs(oc_shaper_width(sh, OC_FONT_SANS, -1, 10, pairs[k], 2) - w * 10 / 1000) < 1e-9);
    }
    /* the monospace face keeps its grid: no kerning there */
    CHECK(fabs(oc_fonts_width(fs, OC_FONT_MONO, 10, "AV", 2) -
               nominal(OC_FONT_MONO, "AV") * 10 / 1000) < 1e-9);
    oc_shaper_free(sh);
}

static void test_ligatures(void) {
    oc_shaper *sh = oc_shaper_new(fs, "en");
    size_t n = 0;
    double w = 0;
    /* Charis SIL's f_f_i: four glyphs for "office", the second standing for
     * bytes 1..3 (the next cluster starts at 4) */
    const oc_glyph *g = oc_shaper_word(sh, OC_FONT_SERIF, 0, "office", 6, &n, &w);
    CHECK(n == 4);
    if (n == 4) {
        CHECK(g[0].cluster == 0 && g[1].cluster == 1 && g[2].cluster == 4 && g[3].cluster == 5);
        hb_codepoint_t f_glyph = 0;
        hb_font_get_nominal_glyph(oc_fonts_hb(fs, OC_FONT_SERIF), 'f', &f_glyph);
        CHECK(g[1].gid != f_glyph && g[1].gid != 0);
    }
    g = oc_shaper_word(sh, OC_FONT_SERIF, 0, "fi", 2, &n, &w);
    CHECK(n == 1 && g[0].cluster == 0);
    /* code keeps its letters */
    oc_shaper_word(sh, OC_FONT_MONO, 0, "office", 6, &n, &w);
    CHECK(n == 6);
    oc_shaper_free(sh);
}

/* The first occurrence of needle[0..m) in hay[0..n), NULL when none. */
static const char *find_bytes(const void *hay, size_t n, const void *needle, size_t m) {
    const char *h = hay;
    for (size_t i = 0; m && i + m <= n; i++)
        if (memcmp(h + i, needle, m) == 0) return h + i;
    return NULL;
}

/* Every deflated stream of a PDF, inflated and concatenated. */
static void inflate_all(const char *pdf, size_t len, oc_buf *out) {
    const char *p = pdf, *end = pdf + len;
    while ((p = find_bytes(p, (size_t)(end - p), "stream", 6)) != NULL) {
        p += 6;
        if (p < end && *p == '\r') p++;
        if (p < end && *p == '\n')
            p++;
        else
            continue;
        z_stream z;
        memset(&z, 0, sizeof z);
        if (inflateInit(&z) != Z_OK) continue;
        z.next_in = (Bytef *)p;
        z.avail_in = (uInt)(end - p);
        char chunk[16384];
        int rc;
        do {
            z.next_out = (Bytef *)chunk;
            z.avail_out = sizeof chunk;
            rc = inflate(&z, Z_NO_FLUSH);
            oc_buf_append(out, chunk, sizeof chunk - z.avail_out);
        } while (rc == Z_OK);
        inflateEnd(&z);
        oc_buf_putc(out, '\n');
    }
}

static void test_ligatures_in_pdf(void) {
    oc_layout l;
    memset(&l, 0, sizeof l);
    oc_arena_init(&l.arena);
    l.width = 300;
    l.height = 200;
    l.npages = 1;
    l.pages = oc_arena_alloc(&l.arena, sizeof *l.pages);
    memset(l.pages, 0, sizeof *l.pages);
    l.pages[0].number = 1;
    l.pages[0].items = oc_arena_alloc(&l.arena, sizeof(oc_item));
    l.pages[0].nitems = 1;
    oc_item *it = &l.pages[0].items[0];
    memset(it, 0, sizeof *it);
    it->kind = OC_ITEM_TEXT;
    it->x = 20;
    it->y = 100;
    it->font = OC_FONT_SERIF;
    it->size = 14;
    it->text = "the office: fine";
    it->len = (uint32_t)strlen(it->text);
    it->w = (float)oc_fonts_width(fs, OC_FONT_SERIF, 14, it->text, it->len);

    oc_document doc;
    memset(&doc, 0, sizeof doc);
    doc.meta.title = "Ligatures";
    doc.meta.language = "en";
    doc.source_date = 0;
    oc_diag d;
    oc_diag_init(&d, NULL);
    oc_buf out;
    oc_buf_init(&out);
    oc_pdf_options opt = {"a4", 0, OCTAVO_FONTS_DIR, 0, NULL, 0};
    CHECK(oc_pdf_write_layout(&doc, &l, fs, &opt, &out, &d) == OC_OK);

    /* the ligature glyphs are drawn: their 2-byte codes (glyph ids) are in
     * the page's TJ, and the ToUnicode CMap maps them to all their letters */
    oc_shaper *sh = oc_shaper_new(fs, "en");
    size_t n = 0;
    double w = 0;
    uint32_t ffi = oc_shaper_word(sh, OC_FONT_SERIF, 0, "office", 6, &n, &w)[1].gid;
    uint32_t fi = oc_shaper_word(sh, OC_FONT_SERIF, 0, "fine", 4, &n, &w)[0].gid;
    oc_shaper_free(sh);
    oc_buf all;
    oc_buf_init(&all);
    inflate_all(out.data, out.len, &all);
    char want[64];
    snprintf(want, sizeof want, "<%04X> <006600660069>", ffi);
    CHECK(find_bytes(all.data, all.len, want, strlen(want)) != NULL);
    snprintf(want, sizeof want, "<%04X> <00660069>", fi);
    CHECK(find_bytes(all.data, all.len, want, strlen(want)) != NULL);
    char code[2] = {(char)(ffi >> 8), (char)ffi};
    CHECK(find_bytes(all.data, all.len, code, 2) != NULL);

    /* and the text extracts as the words */
    char path[600], cmd[1400];
    snprintf(path, sizeof path, "%s/lig.pdf", tmpdir);
    FILE *fp = fopen(path, "wb");
    if (fp) {
        fwrite(out.data, 1, out.len, fp);
        fclose(fp);
    }
    snprintf(cmd, sizeof cmd, "pdftotext '%s' - 2>&1", path);
    char *s = harness_run(cmd, NULL);
    CHECK_CONTAINS(s, "the office: fine");
    free(s);
    oc_buf_free(&all);
    oc_buf_free(&out);
    oc_diag_free(&d);
    oc_arena_free(&l.arena);
}

/* Compares our shaping of each word of `text` in font f with hb-shape's on
 * the same font file and language: glyph ids, clusters, advances and
 * offsets, glyph for glyph. */
static void compare_hb_shape(oc_font_id f, const char *lang, const char *text) {
    oc_shaper *sh = oc_shaper_new(fs, lang);
    hb_font_t *font = oc_fonts_hb(fs, f);
    double upem = hb_face_get_upem(hb_font_get_face(font));
    size_t len = strlen(text), i = 0;
    int words = 0, glyphs = 0, same = 1;
    while (i < len) {
        size_t j = i;
        while (j < len && text[j] != ' ')
            j++;
        char cmd[2048];
        snprintf(cmd, sizeof cmd,
                 "LC_ALL=C.UTF-8 hb-shape --utf8-clusters --no-glyph-names --language=%s '%s' "
                 "'%.*s' 2>&1",
                 lang, oc_fonts_path(fs, f), (int)(j - i), text + i);
        char *ref = harness_run(cmd, NULL);
        size_t n = 0;
        double w = 0;
        const oc_glyph *g = oc_shaper_word(sh, f, -1, text + i, j - i, &n, &w);
        oc_buf mine;
        oc_buf_init(&mine);
        oc_buf_putc(&mine, '[');
        for (size_t k = 0; k < n; k++) {
            long dx = lround(g[k].dx * upem / 1000), dy = lround(g[k].dy * upem / 1000);
            oc_buf_printf(&mine, "%s%u=%u", k ? "|" : "", g[k].gid, g[k].cluster);
            if (dx || dy) oc_buf_printf(&mine, "@%ld,%ld", dx, dy);
            oc_buf_printf(&mine, "+%ld", lround(g[k].adv * upem / 1000));
        }
        oc_buf_puts(&mine, "]\n");
        if (!ref || strcmp(ref, mine.data) != 0) {
            same = 0;
            fprintf(stderr, "   '%.*s': hb-shape %s   ours     %s", (int)(j - i), text + i,
                    ref ? ref : "(none)\n", mine.data);
        }
        words++;
        glyphs += (int)n;
        free(ref);
        oc_buf_free(&mine);
        i = j < len ? j + 1 : j;
    }
    CHECK(same);
    CHECK(words > 0 && glyphs > 0);
    fprintf(stderr, "   %s (%s): %d words, %d glyphs, %s\n", oc_font_files[f], lang, words, glyphs,
            same ? "identical" : "DIFFERENT");
    oc_shaper_free(sh);
}

static void test_matches_hb_shape(void) {
    /* Devanagari conjuncts (ksha, shri, dva), reph, the i-sign reordered */
    compare_hb_shape(OC_FONT_DEVA, "hi", "क्षत्रिय श्री द्वार र्क कि हिन्दी स्वतन्त्रता प्राप्त अन्तरात्मा");
    /* Arabic joining, lam-alef, harakat */
    compare_hb_shape(OC_FONT_SANS, "ar", "كتاب سلام لا الإخاء أحرارًا عقلًا وضميرًا");
    compare_hb_shape(OC_FONT_BENG, "bn", "স্বাধীনভাবে মর্যাদা জন্মগ্রহণ ভ্রাতৃত্বসুলভ");
    compare_hb_shape(OC_FONT_THAI, "th", "มนุษย์ทั้งหลาย เกียรติศักดิ์");
    /* and kerning and ligatures in Latin */
    compare_hb_shape(OC_FONT_SANS, "en", "AVATAR Today office");
}

static void test_cache(void) {
    /* the cache gives back what shaping gives, across its starting over */
    oc_shaper *sh = oc_shaper_new(fs, "en");
    size_t n1 = 0, n2 = 0;
    double w1 = 0, w2 = 0;
    const oc_glyph *g = oc_shaper_word(sh, OC_FONT_SANS, 0, "Typography", 10, &n1, &w1);
    oc_glyph first[16];
    memcpy(first, g, n1 * sizeof *g);
    char word[32];
    for (int k = 0; k < 70000; k++) { /* more words than the cache keeps */
        int len = snprintf(word, sizeof word, "w%d", k);
        oc_shaper_word(sh, OC_FONT_SANS, 0, word, (size_t)len, &n2, &w2);
    }
    g = oc_shaper_word(sh, OC_FONT_SANS, 0, "Typography", 10, &n2, &w2);
    CHECK(n1 == n2 && w1 == w2 && memcmp(first, g, n1 * sizeof *g) == 0);
    oc_shaper_free(sh);
    /* the table grows as words come (from 512 slots): every word found
     * again after the growing gives what it gave the first time */
    sh = oc_shaper_new(fs, "en");
    static double widths[6000];
    static size_t counts[6000];
    for (int k = 0; k < 6000; k++) {
        int len = snprintf(word, sizeof word, "%s%d", k % 2 ? "fi" : "AV", k * 7919);
        oc_shaper_word(sh, OC_FONT_SANS + k % 3, 0, word, (size_t)len, &counts[k], &widths[k]);
    }
    int same = 0;
    for (int k = 0; k < 6000; k++) {
        int len = snprintf(word, sizeof word, "%s%d", k % 2 ? "fi" : "AV", k * 7919);
        oc_shaper_word(sh, OC_FONT_SANS + k % 3, 0, word, (size_t)len, &n2, &w2);
        same += n2 == counts[k] && w2 == widths[k];
    }
    CHECK(same == 6000);
    /* a long word is shaped each time, the same way */
    const char *lw = "Pneumonoultramicroscopicsilicovolcanoconiosis-and-then-some-more-letters";
    double wa = 0, wb = 0;
    oc_shaper_word(sh, OC_FONT_SANS, 0, lw, strlen(lw), &n1, &wa);
    oc_shaper_word(sh, OC_FONT_SANS, 0, lw, strlen(lw), &n2, &wb);
    CHECK(n1 == strlen(lw) && wa == wb && wa > 0);
    /* right to left is another entry: the glyphs come in visual order */
    g = oc_shaper_word(sh, OC_FONT_SANS, -1, "שלום", strlen("שלום"), &n1, &w1);
    CHECK(n1 == 4 && g[0].cluster > g[3].cluster);
    oc_shaper_free(sh);
}

static void test_peer(void) {
    /* a finished thread's shaper answers for words it shaped: the same
     * glyphs, from its own cache (the pointer is into it) */
    oc_shaper *done = oc_shaper_new(fs, "en"), *drawing = oc_shaper_new(fs, "en");
    size_t n1 = 0, n2 = 0;
    double w1 = 0, w2 = 0;
    int nom1 = -1, nom2 = -1;
    const oc_glyph *a = oc_shaper_shape(done, OC_FONT_SERIF, 0, "office", 6, &n1, &w1, &nom1);
    oc_glyph want[16];
    size_t nwant = n1;
    double wwant = w1;
    CHECK(n1 > 0 && n1 <= 16);
    memcpy(want, a, n1 * sizeof *a);
    oc_shaper_set_peer(drawing, done);
    const oc_glyph *b = oc_shaper_shape(drawing, OC_FONT_SERIF, 0, "office", 6, &n2, &w2, &nom2);
    CHECK(b == a);
    CHECK(n1 == n2 && w1 == w2 && nom1 == nom2 && memcmp(want, b, n1 * sizeof *b) == 0);
    /* a word the peer has not seen is shaped here, and kept here */
    b = oc_shaper_shape(drawing, OC_FONT_SERIF, 0, "Typeset", 7, &n2, &w2, &nom2);
    const oc_glyph *c = oc_shaper_shape(drawing, OC_FONT_SERIF, 0, "Typeset", 7, &n1, &w1, &nom1);
    CHECK(b == c && n1 == n2 && w1 == w2);
    /* without the peer, the word is shaped again here: the same glyphs,
     * in this shaper's own cache */
    oc_shaper_set_peer(drawing, NULL);
    b = oc_shaper_shape(drawing, OC_FONT_SERIF, 0, "office", 6, &n2, &w2, &nom2);
    CHECK(b != a && n2 == nwant && w2 == wwant && memcmp(want, b, n2 * sizeof *b) == 0);
    /* another language may shape otherwise: no peer then */
    oc_shaper *tr = oc_shaper_new(fs, "tr");
    oc_shaper_set_peer(tr, done);
    b = oc_shaper_shape(tr, OC_FONT_SERIF, 0, "office", 6, &n2, &w2, &nom2);
    CHECK(b != a);
    oc_shaper_free(tr);
    oc_shaper_free(drawing);
    oc_shaper_free(done);
}

/* HarfBuzz's own glyphs for a left-to-right word in font f, as the shaper
 * asks for them (the code faces without ligatures, contextual alternates
 * or kerning), compared with what the shaper gives. */
static int same_as_harfbuzz(hb_buffer_t *buf, oc_font_id f, const char *word, size_t len,
                            const oc_glyph *g, size_t n) {
    static const hb_feature_t code[] = {
        {HB_TAG('l', 'i', 'g', 'a'), 0, 0, (unsigned)-1},
        {HB_TAG('c', 'l', 'i', 'g'), 0, 0, (unsigned)-1},
        {HB_TAG('c', 'a', 'l', 't'), 0, 0, (unsigned)-1},
        {HB_TAG('k', 'e', 'r', 'n'), 0, 0, (unsigned)-1},
    };
    int mono = f == OC_FONT_MONO || f == OC_FONT_MONO_BOLD || f == OC_FONT_MONO_ITALIC;
    hb_buffer_clear_contents(buf);
    hb_buffer_add_utf8(buf, word, (int)len, 0, (int)len);
    hb_buffer_set_direction(buf, HB_DIRECTION_LTR);
    hb_buffer_set_language(buf, hb_language_from_string("en", -1));
    hb_buffer_guess_segment_properties(buf);
    hb_shape(oc_fonts_hb(fs, f), buf, mono ? code : NULL, mono ? 4 : 0);
    unsigned hn = 0;
    const hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, &hn);
    const hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, NULL);
    if (hn != n) return 0;
    double scale = oc_fonts_scale(fs, f);
    for (unsigned i = 0; i < hn; i++) {
        float adv = info[i].codepoint ? (float)(pos[i].x_advance * scale) : 0.0f;
        if (g[i].gid != info[i].codepoint || g[i].cluster != info[i].cluster || g[i].adv != adv ||
            g[i].dx != (float)(pos[i].x_offset * scale) ||
            g[i].dy != (float)(pos[i].y_offset * scale))
            return 0;
    }
    return 1;
}

/* oc_shaper_ascii_plain: the code faces are found plain and Charis SIL
 * (kerned, with ligatures) is not; in every face found plain, every
 * printable ASCII character, every pair of them and 20,000 random words
 * of them shape nominal, and what the shaper gives for them without
 * HarfBuzz is what HarfBuzz gives. */
static void test_ascii_plain(void) {
    hb_buffer_t *buf = hb_buffer_create();
    oc_shaper *sh = oc_shaper_new(fs, "en");
    fprintf(stderr, "   plain:");
    for (int f = 0; f < OC_FONT_COUNT; f++) {
        if (!oc_shaper_ascii_plain(sh, (oc_font_id)f)) continue;
        fprintf(stderr, " %s", oc_font_files[f]);
        char word[12];
        size_t words = 0, bad = 0, differ = 0;
        uint32_t seed = 12345;
        for (size_t k = 0; k < 94 + 94 * 94 + 20000; k++) {
            size_t len;
            if (k < 94) {
                word[0] = (char)(0x21 + k);
                len = 1;
            } else if (k < 94 + 94 * 94) {
                word[0] = (char)(0x21 + (k - 94) / 94);
                word[1] = (char)(0x21 + (k - 94) % 94);
                len = 2;
            } else {
                seed = seed * 1103515245u + 12345u;
                len = 3 + (seed >> 16) % 9;
                for (size_t q = 0; q < len; q++) {
                    seed = seed * 1103515245u + 12345u;
                    word[q] = (char)(0x21 + (seed >> 16) % 94);
                }
            }
            size_t n = 0;
            double w = 0;
            int nom = 0;
            const oc_glyph *g = oc_shaper_shape(sh, (oc_font_id)f, 0, word, len, &n, &w, &nom);
            words++;
            differ += !same_as_harfbuzz(buf, (oc_font_id)f, word, len, g, n);
            /* a character the face lacks is glyph 0, never nominal */
            int lacks = 0;
            for (size_t q = 0; q < len; q++)
                lacks |= !oc_fonts_has(fs, (oc_font_id)f, (unsigned char)word[q]);
            if (!nom && !lacks && bad++ < 3)
                fprintf(stderr, "\n   %s: '%.*s' is not nominal", oc_font_files[f], (int)len, word);
        }
        CHECK(bad == 0 && differ == 0 && words > 20000);
    }
    fprintf(stderr, "\n");
    CHECK(oc_shaper_ascii_plain(sh, OC_FONT_MONO) && oc_shaper_ascii_plain(sh, OC_FONT_MONO_BOLD) &&
          oc_shaper_ascii_plain(sh, OC_FONT_MONO_ITALIC));
    CHECK(!oc_shaper_ascii_plain(sh, OC_FONT_SERIF) && !oc_shaper_ascii_plain(sh, OC_FONT_SANS));
    CHECK(!oc_shaper_ascii_plain(sh, OC_FONT_COUNT));
    /* a kerned pair in DejaVu Sans is shaped, not taken as nominal */
    size_t n = 0;
    double w = 0;
    int nom = 1;
    oc_shaper_shape(sh, OC_FONT_SANS, 0, "AV", 2, &n, &w, &nom);
    CHECK(!nom);
    oc_shaper_free(sh);
    hb_buffer_destroy(buf);
}

int main(void) {
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    oc_diag d;
    oc_diag_init(&d, NULL);
    if (oc_fonts_load(&fs, OCTAVO_FONTS_DIR, &d) != OC_OK) {
        fprintf(stderr, "cannot load fonts from %s\n", OCTAVO_FONTS_DIR);
        return 1;
    }
    RUN(test_kerning);
    RUN(test_ligatures);
    RUN(test_ligatures_in_pdf);
    RUN(test_matches_hb_shape);
    RUN(test_cache);
    RUN(test_peer);
    RUN(test_ascii_plain);
    oc_fonts_free(fs);
    oc_diag_free(&d);
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
    return harness_finish("test_shape");
}
