/* Unit tests of the TrueType metrics reader (src/layout/fonts.c) over the
 * bundled fonts. */
#include "harness.h"
#include "octavo/layout.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

static oc_fontset *fs;

static int near(double a, double b) {
    return fabs(a - b) < 0.01;
}

static void test_load_and_paths(void) {
    CHECK(fs != NULL);
    const char *p = oc_fonts_path(fs, OC_FONT_SERIF);
    CHECK_CONTAINS(p, "CharisSIL-Regular.ttf");
    CHECK_CONTAINS(oc_fonts_path(fs, OC_FONT_MONO_BOLD), "DejaVuSansMono-Bold.ttf");
    CHECK(oc_fonts_path(fs, (oc_font_id)OC_FONT_COUNT) == NULL);
}

static void test_advances(void) {
    /* DejaVu Sans Mono: every glyph is 1233/2048 em */
    CHECK(near(oc_fonts_advance(fs, OC_FONT_MONO, 'A'), 1233 * 1000.0 / 2048));
    CHECK(near(oc_fonts_advance(fs, OC_FONT_MONO, 'i'), 1233 * 1000.0 / 2048));
    CHECK(near(oc_fonts_advance(fs, OC_FONT_MONO_BOLD, 'W'), 1233 * 1000.0 / 2048));
    /* DejaVu Sans: 'A' is 1401 units, space 651 */
    CHECK(near(oc_fonts_advance(fs, OC_FONT_SANS, 'A'), 1401 * 1000.0 / 2048));
    CHECK(near(oc_fonts_advance(fs, OC_FONT_SANS, ' '), 651 * 1000.0 / 2048));
    /* a proportional face: 'i' narrower than 'm' */
    CHECK(oc_fonts_advance(fs, OC_FONT_SERIF, 'i') > 100);
    CHECK(oc_fonts_advance(fs, OC_FONT_SERIF, 'i') < oc_fonts_advance(fs, OC_FONT_SERIF, 'm'));
    /* bold is wider than regular for the same letters */
    CHECK(oc_fonts_width(fs, OC_FONT_SERIF_BOLD, 10, "bold", 4) >
          oc_fonts_width(fs, OC_FONT_SERIF, 10, "bold", 4));
    /* missing glyph: advance 0 */
    CHECK(oc_fonts_advance(fs, OC_FONT_SERIF, 0x4E2D) == 0);
    CHECK(oc_fonts_advance(fs, OC_FONT_SERIF, 0x110000) == 0);
}

static void test_width(void) {
    /* 5 monospace cells at 10 pt */
    CHECK(near(oc_fonts_width(fs, OC_FONT_MONO, 10, "hello", 5), 5 * 10 * 1233 / 2048.0));
    /* UTF-8 multi-byte characters count once each */
    const char *s = "\xce\xb1\xce\xb2\xe2\x86\x92"; /* αβ→ */
    CHECK(near(oc_fonts_width(fs, OC_FONT_MONO, 12, s, strlen(s)), 3 * 12 * 1233 / 2048.0));
    double w = oc_fonts_width(fs, OC_FONT_SANS, 12, s, strlen(s));
    double parts =
        (oc_fonts_advance(fs, OC_FONT_SANS, 0x3B1) + oc_fonts_advance(fs, OC_FONT_SANS, 0x3B2) +
         oc_fonts_advance(fs, OC_FONT_SANS, 0x2192)) *
        12 / 1000.0;
    CHECK(near(w, parts));
    /* a missing character counts as 0; the length bounds the read */
    CHECK(near(oc_fonts_width(fs, OC_FONT_SERIF, 10, "a\xe4\xb8\xad", 4),
               oc_fonts_width(fs, OC_FONT_SERIF, 10, "a", 1)));
    CHECK(near(oc_fonts_width(fs, OC_FONT_SERIF, 10, "abc", 1),
               oc_fonts_width(fs, OC_FONT_SERIF, 10, "a", 1)));
    CHECK(oc_fonts_width(fs, OC_FONT_SERIF, 10, "", 0) == 0);
}

static void test_coverage(void) {
    CHECK(oc_fonts_has(fs, OC_FONT_SERIF, 'a'));
    CHECK(oc_fonts_has(fs, OC_FONT_SERIF, 0xE9));    /* é */
    CHECK(!oc_fonts_has(fs, OC_FONT_SERIF, 0x4E2D)); /* 中: Charis has no CJK */
    CHECK(!oc_fonts_has(fs, OC_FONT_SANS, 0x4E2D));
    CHECK(oc_fonts_has(fs, OC_FONT_SANS, 0x2192)); /* → */
    CHECK(oc_fonts_has(fs, OC_FONT_SANS, 0x3A9));  /* Ω */
    CHECK(oc_fonts_has(fs, OC_FONT_SANS, 0x416));  /* Ж */
    CHECK(oc_fonts_has(fs, OC_FONT_SANS, 0x221E)); /* ∞ */
    CHECK(oc_fonts_has(fs, OC_FONT_SANS, 0xFFFD)); /* replacement character */
    CHECK(oc_fonts_has(fs, OC_FONT_MONO, '{'));
    CHECK(!oc_fonts_has(fs, OC_FONT_MONO, 0));
    /* above the BMP, from the fonts' format-12 cmaps: DejaVu Sans has the
     * emoticons, the crab only the emoji face */
    CHECK(oc_fonts_has(fs, OC_FONT_SANS, 0x1F600));
    CHECK(!oc_fonts_has(fs, OC_FONT_SANS, 0x1F980));
    CHECK(oc_fonts_has(fs, OC_FONT_EMOJI, 0x1F980));
    CHECK(oc_fonts_advance(fs, OC_FONT_EMOJI, 0x1F980) > 0);
    CHECK(!oc_fonts_has(fs, OC_FONT_EMOJI, 0x10FFFF) && !oc_fonts_has(fs, OC_FONT_EMOJI, 0x110000));
    /* the scripts' faces */
    CHECK(oc_fonts_has(fs, OC_FONT_KOR, 0xD55C));  /* 한 */
    CHECK(oc_fonts_has(fs, OC_FONT_THAI, 0x0E01)); /* ก */
    CHECK(oc_fonts_has(fs, OC_FONT_BENG, 0x0995)); /* ক */
    CHECK(!oc_fonts_has(fs, OC_FONT_CJK, 0xD55C)); /* Droid Sans Fallback has no Hangul */
}

static void test_vertical_metrics(void) {
    /* DejaVu: hhea 1901/-483 (USE_TYPO_METRICS off) */
    CHECK(near(oc_fonts_ascent(fs, OC_FONT_SANS), 1901 * 1000.0 / 2048));
    CHECK(near(oc_fonts_descent(fs, OC_FONT_SANS), -483 * 1000.0 / 2048));
    /* Charis SIL: typo metrics 2450/-900 */
    CHECK(near(oc_fonts_ascent(fs, OC_FONT_SERIF), 2450 * 1000.0 / 2048));
    CHECK(near(oc_fonts_descent(fs, OC_FONT_SERIF), -900 * 1000.0 / 2048));
    for (int f = 0; f < OC_FONT_COUNT; f++) {
        CHECK(oc_fonts_ascent(fs, (oc_font_id)f) > 500);
        CHECK(oc_fonts_descent(fs, (oc_font_id)f) < 0);
    }
}

/* Removes a folder of font files named as the bundle's. */
static void remove_font_dir(const char *dir) {
    char p[1024];
    for (int i = 0; i < OC_FONT_COUNT; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, oc_font_files[i]);
        remove(p);
    }
    rmdir(dir);
}

/* Calls fn on every cmap encoding record of the font in buf and the
 * subtable it points at. */
static void each_cmap_subtable(unsigned char *buf, size_t n,
                               void (*fn)(unsigned char *record, unsigned char *sub)) {
    unsigned ntab = n > 12 ? (unsigned)(buf[4] << 8 | buf[5]) : 0;
    for (unsigned t = 0; t < ntab; t++) {
        unsigned char *rec = buf + 12 + t * 16;
        if (memcmp(rec, "cmap", 4) != 0) continue;
        size_t off = (size_t)rec[8] << 24 | rec[9] << 16 | rec[10] << 8 | rec[11];
        unsigned nsub = buf[off + 2] << 8 | buf[off + 3];
        for (unsigned s = 0; s < nsub; s++) {
            unsigned char *r = buf + off + 4 + s * 8;
            fn(r, buf + off + ((size_t)r[4] << 24 | r[5] << 16 | r[6] << 8 | r[7]));
        }
    }
}

static void hide_format12(unsigned char *record, unsigned char *sub) {
    if ((sub[0] << 8 | sub[1]) == 12) record[1] = 2; /* platform 2: ignored */
}

static void break_format4(unsigned char *record, unsigned char *sub) {
    (void)record;
    if ((sub[0] << 8 | sub[1]) == 4) sub[6] = sub[7] = 0xFF; /* segments past the end */
}

/* Copies every bundled font into `dir`, hiding the format 12 subtables (their
 * cmap records get platform 2, which the reader ignores), so that the
 * format 4 parser runs. */
static int copy_with_format4_only(const char *dir) {
    for (int i = 0; i < OC_FONT_COUNT; i++) {
        char src[1024], dst[1024];
        snprintf(src, sizeof src, "%s/%s", OCTAVO_FONTS_DIR, oc_font_files[i]);
        snprintf(dst, sizeof dst, "%s/%s", dir, oc_font_files[i]);
        FILE *in = fopen(src, "rb");
        if (!in) return 0;
        static unsigned char buf[16 << 20];
        size_t n = fread(buf, 1, sizeof buf, in);
        fclose(in);
        each_cmap_subtable(buf, n, hide_format12);
        FILE *out = fopen(dst, "wb");
        if (!out) return 0;
        fwrite(buf, 1, n, out);
        fclose(out);
    }
    return 1;
}

static void test_format4_matches_format12(void) {
    char dir[] = "/tmp/octavo-fonts-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK(copy_with_format4_only(dir));
    oc_diag d;
    oc_diag_init(&d, stderr);
    oc_fontset *f4 = NULL;
    CHECK(oc_fonts_load(&f4, dir, &d) == OC_OK);
    if (f4) {
        int mismatches = 0, covered = 0;
        for (int f = 0; f < OC_FONT_COUNT; f++)
            for (uint32_t cp = 0; cp < 0x10000; cp++) {
                if (oc_fonts_has(fs, (oc_font_id)f, cp) != oc_fonts_has(f4, (oc_font_id)f, cp) ||
                    oc_fonts_advance(fs, (oc_font_id)f, cp) !=
                        oc_fonts_advance(f4, (oc_font_id)f, cp))
                    mismatches++;
                covered += oc_fonts_has(f4, (oc_font_id)f, cp);
            }
        CHECK(mismatches == 0);
        CHECK(covered > 8 * 1000);
    }
    oc_fonts_free(f4);
    remove_font_dir(dir);
    oc_diag_free(&d);
}

static void test_errors(void) {
    oc_diag d;
    oc_diag_init(&d, NULL);
    oc_fontset *none = (oc_fontset *)1;
    CHECK(oc_fonts_load(&none, "/nonexistent-octavo-fonts", &d) == OC_ERR_IO);
    CHECK(none == NULL);
    CHECK(d.errors == OC_FONT_COUNT);
    CHECK(oc_diag_contains(&d, "CharisSIL-Regular.ttf"));
    oc_diag_free(&d);

    /* a file that is not a font */
    char dir[] = "/tmp/octavo-badfont-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    for (int i = 0; i < OC_FONT_COUNT; i++) {
        char p[1024];
        snprintf(p, sizeof p, "%s/%s", dir, oc_font_files[i]);
        FILE *fp = fopen(p, "wb");
        if (fp) {
            fputs(i == 0 ? "OTTO not really a font" : "", fp);
            fclose(fp);
        }
    }
    oc_diag_init(&d, NULL);
    CHECK(oc_fonts_load(&none, dir, &d) == OC_ERR_IO);
    CHECK(oc_diag_contains(&d, "TrueType"));
    oc_diag_free(&d);
    remove_font_dir(dir);
}

/* Loading reads every font's headers but builds no character tables; the
 * first question about a character builds the tables of that font only. */
static void test_lazy_tables(void) {
    for (int f = 0; f < OC_FONT_COUNT; f++)
        CHECK(!oc_fonts_tables_built(fs, (oc_font_id)f));
    CHECK(oc_fonts_has(fs, OC_FONT_SERIF, 'a'));
    CHECK(oc_fonts_tables_built(fs, OC_FONT_SERIF));
    for (int f = 0; f < OC_FONT_COUNT; f++)
        if (f != OC_FONT_SERIF) CHECK(!oc_fonts_tables_built(fs, (oc_font_id)f));
    /* metrics that need no table build none */
    CHECK(oc_fonts_ascent(fs, OC_FONT_CJK) > 500);
    CHECK(!oc_fonts_tables_built(fs, OC_FONT_CJK));
}

/* Han unification: the same character takes the Japanese face in a
 * Japanese book, the Korean face in a Korean one, Droid Sans Fallback
 * (Chinese forms) otherwise; the fontset's order is set per book. */
static void test_language_order(void) {
    oc_diag d;
    oc_diag_init(&d, stderr);
    oc_fontset *ls = NULL;
    CHECK(oc_fonts_load(&ls, OCTAVO_FONTS_DIR, &d) == OC_OK);
    if (!ls) return;
    const uint32_t han = 0x76F4;  /* 直: its forms differ between ja and zh */
    const uint32_t kana = 0x3042; /* あ */
    CHECK(oc_fonts_has(ls, OC_FONT_JA, han) && oc_fonts_has(ls, OC_FONT_CJK, han));
    CHECK(oc_fonts_script_face(ls, han) == OC_FONT_CJK); /* no language yet */
    oc_fonts_set_language(ls, "ja");
    CHECK(oc_fonts_script_face(ls, han) == OC_FONT_JA);
    CHECK(oc_fonts_script_face(ls, kana) == OC_FONT_JA);
    oc_fonts_set_language(ls, "JA-jp");
    CHECK(oc_fonts_script_face(ls, han) == OC_FONT_JA);
    oc_fonts_set_language(ls, "zh-Hans");
    CHECK(oc_fonts_script_face(ls, han) == OC_FONT_CJK);
    CHECK(oc_fonts_script_face(ls, kana) == OC_FONT_CJK);
    oc_fonts_set_language(ls, "jam"); /* Jamaican Creole, not Japanese */
    CHECK(oc_fonts_script_face(ls, han) == OC_FONT_CJK);
    oc_fonts_set_language(ls, "ko-KR");
    CHECK(oc_fonts_script_face(ls, 0xD55C) == OC_FONT_KOR); /* 한 */
    CHECK(oc_fonts_script_face(ls, han) ==
          (oc_fonts_has(ls, OC_FONT_KOR, han) ? OC_FONT_KOR : OC_FONT_CJK));
    /* the other scripts keep their faces whatever the language */
    CHECK(oc_fonts_script_face(ls, 0x0915) == OC_FONT_DEVA);    /* क */
    CHECK(oc_fonts_script_face(ls, 0x0E01) == OC_FONT_THAI);    /* ก */
    CHECK(oc_fonts_script_face(ls, 0x10FFFD) == OC_FONT_COUNT); /* private use: no face */
    oc_fonts_free(ls);
    oc_diag_free(&d);
}

/* A cmap subtable running past the file is refused at load, although the
 * tables it feeds are built later. */
static void test_truncated_cmap(void) {
    char dir[] = "/tmp/octavo-cmap-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK(copy_with_format4_only(dir));
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", dir, oc_font_files[OC_FONT_THAI]);
    FILE *fp = fopen(p, "r+b");
    CHECK(fp != NULL);
    if (fp) {
        static unsigned char buf[1 << 20];
        size_t n = fread(buf, 1, sizeof buf, fp);
        each_cmap_subtable(buf, n, break_format4);
        rewind(fp);
        fwrite(buf, 1, n, fp);
        fclose(fp);
    }
    oc_diag d;
    oc_diag_init(&d, NULL);
    oc_fontset *bad = NULL;
    CHECK(oc_fonts_load(&bad, dir, &d) == OC_ERR_IO);
    CHECK(oc_diag_contains(&d, "Norasi.ttf"));
    CHECK(oc_diag_contains(&d, "no usable Unicode cmap"));
    oc_fonts_free(bad);
    oc_diag_free(&d);
    remove_font_dir(dir);
}

/* A FIFO named like a font is refused without being opened for a blocking
 * read (the build would hang waiting for a writer). */
static void test_fifo_font(void) {
    char dir[] = "/tmp/octavo-fifofont-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char p[1024];
    for (int i = 0; i < OC_FONT_COUNT; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, oc_font_files[i]);
        CHECK(mkfifo(p, 0600) == 0);
    }
    oc_diag d;
    oc_diag_init(&d, NULL);
    oc_fontset *none = NULL;
    CHECK(oc_fonts_load(&none, dir, &d) == OC_ERR_IO);
    CHECK(none == NULL);
    CHECK(d.errors == OC_FONT_COUNT);
    CHECK(oc_diag_contains(&d, "not a regular file"));
    oc_diag_free(&d);
    remove_font_dir(dir);
}

static void test_speed(void) {
    /* a million characters should take milliseconds, not seconds */
    static char text[1 << 20];
    for (size_t i = 0; i < sizeof text; i++)
        text[i] = (char)('a' + i % 26);
    clock_t t0 = clock();
    double w = oc_fonts_width(fs, OC_FONT_SERIF, 10, text, sizeof text);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK(w > 0);
    fprintf(stderr, "   width of 1 MiB of text: %.2f ms\n", secs * 1000);
}

int main(void) {
    oc_diag d;
    oc_diag_init(&d, stderr);
    clock_t t0 = clock();
    if (oc_fonts_load(&fs, OCTAVO_FONTS_DIR, &d) != OC_OK) fs = NULL;
    fprintf(stderr, "   loading %d fonts: %.1f ms\n", OC_FONT_COUNT,
            (double)(clock() - t0) * 1000 / CLOCKS_PER_SEC);
    if (fs) RUN(test_lazy_tables);
    RUN(test_load_and_paths);
    if (fs) {
        RUN(test_language_order);
        RUN(test_truncated_cmap);
        RUN(test_advances);
        RUN(test_width);
        RUN(test_coverage);
        RUN(test_vertical_metrics);
        RUN(test_format4_matches_format12);
        RUN(test_speed);
    }
    RUN(test_errors);
    RUN(test_fifo_font);
    oc_fonts_free(fs);
    oc_diag_free(&d);
    return harness_finish("test_fonts");
}
