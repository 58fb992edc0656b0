/* Unit tests for src/image: PNG decoded to 8-bit samples and alpha (palette
 * and tRNS transparency, 16-bit reduction, sub-byte rows, Adam7), ICC
 * profiles kept or dropped, the pixel budget and the JPEG side limit. The
 * PNGs are built here with zlib. */
#include "harness.h"
#include "octavo/image.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

typedef struct {
    unsigned char d[1 << 16];
    size_t n;
} png;

static void put32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24), p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8), p[3] = (unsigned char)v;
}

static void chunk(png *p, const char *type, const void *body, size_t len) {
    put32(p->d + p->n, (uint32_t)len);
    memcpy(p->d + p->n + 4, type, 4);
    if (len) memcpy(p->d + p->n + 8, body, len);
    put32(p->d + p->n + 8 + len, (uint32_t)crc32(0, p->d + p->n + 4, (uInt)(len + 4)));
    p->n += 12 + len;
}

static void start(png *p, uint32_t w, uint32_t h, int depth, int ctype, int interlace) {
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    unsigned char ihdr[13] = {0};
    memcpy(p->d, sig, 8);
    p->n = 8;
    put32(ihdr, w);
    put32(ihdr + 4, h);
    ihdr[8] = (unsigned char)depth, ihdr[9] = (unsigned char)ctype,
    ihdr[12] = (unsigned char)interlace;
    chunk(p, "IHDR", ihdr, 13);
}

/* IDAT from filtered scanlines (filter bytes included), then IEND. */
static void finish(png *p, const unsigned char *raw, size_t len) {
    unsigned char z[8192];
    uLongf zl = sizeof z;
    compress(z, &zl, raw, (uLong)len);
    chunk(p, "IDAT", z, zl);
    chunk(p, "IEND", NULL, 0);
}

static void test_palette_trns(void) {
    png p;
    start(&p, 4, 2, 2, 3, 0);
    const unsigned char plte[12] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0};
    const unsigned char trns[4] = {255, 128, 255, 0};
    chunk(&p, "PLTE", plte, 12);
    chunk(&p, "tRNS", trns, 4);
    /* rows of indices 0 1 2 3 and 3 2 1 0, four 2-bit pixels a byte */
    const unsigned char raw[4] = {0, 0x1B, 0, 0xE4};
    finish(&p, raw, 4);
    oc_image_pixels px;
    char why[256] = "";
    CHECK(oc_image_decode_png(p.d, p.n, &px, why) == OC_OK);
    CHECK(px.width == 4 && px.height == 2 && px.channels == 3 && px.alpha && !px.icc);
    if (px.samples && px.alpha) {
        CHECK(memcmp(px.samples, plte, 12) == 0);
        CHECK(px.samples[12] == 255 && px.samples[13] == 255 && px.samples[14] == 0);
        const unsigned char want[8] = {255, 128, 255, 0, 0, 255, 128, 255};
        CHECK(memcmp(px.alpha, want, 8) == 0);
    }
    oc_image_pixels_free(&px);
    CHECK(px.samples == NULL && px.alpha == NULL);
}

static void test_rgb16_colour_key(void) {
    png p;
    start(&p, 2, 1, 16, 2, 0);
    const unsigned char key[6] = {0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
    chunk(&p, "tRNS", key, 6);
    const unsigned char raw[13] = {0,    0x12, 0xAB, 0x34, 0x80, 0x56, 0xFF, /* pixel 0 */
                                   0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};      /* the key */
    finish(&p, raw, 13);
    oc_image_pixels px;
    char why[256] = "";
    CHECK(oc_image_decode_png(p.d, p.n, &px, why) == OC_OK);
    CHECK(px.channels == 3 && px.alpha);
    if (px.samples && px.alpha) {
        /* the high byte of each 16-bit sample */
        CHECK(px.samples[0] == 0x12 && px.samples[1] == 0x34 && px.samples[2] == 0x56);
        CHECK(px.samples[3] == 0xAA && px.samples[4] == 0xCC && px.samples[5] == 0xEE);
        CHECK(px.alpha[0] == 255 && px.alpha[1] == 0);
    }
    oc_image_pixels_free(&px);
}

static void test_grey1_and_opaque_alpha(void) {
    png p;
    start(&p, 9, 1, 1, 0, 0);
    const unsigned char raw[3] = {0, 0xAA, 0x80}; /* 1 0 1 0 1 0 1 0 | 1 */
    finish(&p, raw, 3);
    oc_image_pixels px;
    char why[256] = "";
    CHECK(oc_image_decode_png(p.d, p.n, &px, why) == OC_OK);
    CHECK(px.channels == 1 && px.alpha == NULL);
    if (px.samples)
        for (int x = 0; x < 9; x++)
            CHECK(px.samples[x] == (x % 2 ? 0 : 255));
    oc_image_pixels_free(&px);

    /* RGBA whose every pixel is opaque: no alpha plane (no SMask) */
    start(&p, 2, 1, 8, 6, 0);
    const unsigned char rgba[9] = {0, 1, 2, 3, 255, 4, 5, 6, 255};
    finish(&p, rgba, 9);
    CHECK(oc_image_decode_png(p.d, p.n, &px, why) == OC_OK);
    CHECK(px.channels == 3 && px.alpha == NULL);
    if (px.samples) CHECK(px.samples[3] == 4 && px.samples[5] == 6);
    oc_image_pixels_free(&px);
}

/* A 5x5 grey image with every pixel different, interlaced: the same
 * samples as the plain one. */
static void test_adam7(void) {
    static const int x0[7] = {0, 4, 0, 2, 0, 1, 0}, y0[7] = {0, 0, 4, 0, 2, 0, 1};
    static const int dx[7] = {8, 8, 4, 4, 2, 2, 1}, dy[7] = {8, 8, 8, 4, 4, 2, 2};
    unsigned char raw[64];
    size_t n = 0;
    for (int pass = 0; pass < 7; pass++) {
        if (x0[pass] >= 5 || y0[pass] >= 5) continue;
        for (int y = y0[pass]; y < 5; y += dy[pass]) {
            raw[n++] = 0;
            for (int x = x0[pass]; x < 5; x += dx[pass])
                raw[n++] = (unsigned char)(10 * y + x);
        }
    }
    png p;
    start(&p, 5, 5, 8, 0, 1);
    finish(&p, raw, n);
    oc_image_pixels px;
    char why[256] = "";
    CHECK(oc_image_decode_png(p.d, p.n, &px, why) == OC_OK);
    int wrong = 0;
    if (px.samples)
        for (int i = 0; i < 25; i++)
            wrong += px.samples[i] != (unsigned char)(10 * (i / 5) + i % 5);
    CHECK(px.samples && wrong == 0);
    oc_image_pixels_free(&px);
}

static void test_icc(void) {
    unsigned char prof[132] = {0};
    put32(prof, 132);
    memcpy(prof + 12, "mntr", 4);
    memcpy(prof + 16, "RGB ", 4);
    memcpy(prof + 36, "acsp", 4);
    unsigned char body[256];
    memcpy(body, "p\0\0", 3); /* name "p", compression method 0 */
    uLongf zl = sizeof body - 3;
    compress(body + 3, &zl, prof, sizeof prof);
    oc_image_pixels px;
    char why[256] = "";
    const unsigned char rgb[4] = {0, 1, 2, 3}, grey[2] = {0, 7};
    for (int ctype = 2; ctype >= 0; ctype -= 2) {
        png p;
        start(&p, 1, 1, 8, ctype, 0);
        chunk(&p, "iCCP", body, zl + 3);
        finish(&p, ctype ? rgb : grey, ctype ? 4 : 2);
        CHECK(oc_image_decode_png(p.d, p.n, &px, why) == OC_OK);
        if (ctype) /* an RGB profile for an RGB image is kept */
            CHECK(px.icc && px.icc_len == 132 && memcmp(px.icc, prof, 132) == 0);
        else /* and dropped for a grey one */
            CHECK(px.icc == NULL && px.channels == 1);
        oc_image_pixels_free(&px);
    }
}

static void test_limits(void) {
    /* the header alone decides: no image data is read */
    png p;
    start(&p, 8001, 5000, 8, 0, 0);
    chunk(&p, "IEND", NULL, 0);
    oc_image_info info;
    char why[256] = "";
    CHECK(oc_image_probe(p.d, p.n, &info, why) != 0);
    CHECK_CONTAINS(why, "8001x5000 pixels, over octavo's limit of 40 million");
    oc_image_pixels px;
    CHECK(oc_image_decode_png(p.d, p.n, &px, why) == OC_ERR_INPUT && px.samples == NULL);

    const unsigned char jpeg[] = {0xFF, 0xD8, 0xFF, 0xC0, 0,    11, 8,    0,   16,
                                  0xFF, 0xDD, 1,    1,    0x11, 0,  0xFF, 0xD9};
    CHECK(oc_image_probe(jpeg, sizeof jpeg, &info, why) != 0);
    CHECK_CONTAINS(why, "65501x16 pixels");
    CHECK(oc_image_probe(jpeg, 0, &info, why) != 0);
    CHECK_CONTAINS(why, "empty");
}

static void test_malformed(void) {
    png p;
    oc_image_info info;
    char why[256] = "";
    start(&p, 2, 1, 4, 2, 0); /* RGB at 4 bits */
    const unsigned char raw[4] = {0, 0, 0, 0};
    finish(&p, raw, 4);
    CHECK(oc_image_probe(p.d, p.n, &info, why) != 0);
    CHECK_CONTAINS(why, "colour type and bit depth");
    start(&p, 2, 1, 8, 0, 0);
    const unsigned char badfilter[3] = {5, 1, 2};
    finish(&p, badfilter, 3);
    CHECK(oc_image_probe(p.d, p.n, &info, why) != 0);
    CHECK_CONTAINS(why, "filter");
    start(&p, 2, 1, 8, 3, 0);
    chunk(&p, "PLTE", "\1\2\3\4", 4);
    const unsigned char idx[3] = {0, 0, 0};
    finish(&p, idx, 3);
    CHECK(oc_image_probe(p.d, p.n, &info, why) != 0);
    CHECK_CONTAINS(why, "palette holds");
}

int main(void) {
    RUN(test_palette_trns);
    RUN(test_rgb16_colour_key);
    RUN(test_grey1_and_opaque_alpha);
    RUN(test_adam7);
    RUN(test_icc);
    RUN(test_limits);
    RUN(test_malformed);
    return harness_finish("test_image");
}
