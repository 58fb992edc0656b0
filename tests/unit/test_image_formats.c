/* Unit tests for the GIF, WebP and SVG halves of src/image: each decoder on
 * a good file (pixels and transparency checked), on every truncation of it
 * (an error, never a crash or a half image) and on huge dimensions (refused
 * before any allocation); the SVG cleaner (scripts, event attributes,
 * external references, DOCTYPEs, entities, sizes) and librsvg's drawing,
 * including that it reads no file the SVG points at. GIFs are built here,
 * WebPs with libwebp's own encoder. */
#include "harness.h"
#include "octavo/image.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <webp/encode.h>

#define FONTS OCTAVO_FONTS_DIR /* the bundled fonts, which SVG text is set in */

/* ---- GIF ---------------------------------------------------------------------------- */

typedef struct {
    unsigned char d[1 << 16];
    size_t n;
} bytes;

static void put(bytes *b, const void *p, size_t n) {
    memcpy(b->d + b->n, p, n);
    b->n += n;
}
static void put8(bytes *b, unsigned v) {
    b->d[b->n++] = (unsigned char)v;
}
static void put16(bytes *b, unsigned v) {
    put8(b, v & 255);
    put8(b, v >> 8);
}

/* LZW data of literal codes only (a clear code every 254 pixels keeps the
 * codes 9 bits wide), in sub-blocks. */
static void lzw(bytes *b, const unsigned char *px, size_t n) {
    unsigned char out[1 << 14];
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
#define EMIT(code)                                                                                 \
    do {                                                                                           \
        acc |= (uint32_t)(code) << bits;                                                           \
        bits += 9;                                                                                 \
        while (bits >= 8) {                                                                        \
            out[o++] = (unsigned char)acc;                                                         \
            acc >>= 8;                                                                             \
            bits -= 8;                                                                             \
        }                                                                                          \
    } while (0)
    for (size_t i = 0; i < n; i++) {
        if (i % 254 == 0) EMIT(256);
        EMIT(px[i]);
    }
    EMIT(257);
    if (bits) out[o++] = (unsigned char)acc;
#undef EMIT
    put8(b, 8);
    for (size_t k = 0; k < o; k += 255) {
        size_t c = o - k < 255 ? o - k : 255;
        put8(b, (unsigned)c);
        put(b, out + k, c);
    }
    put8(b, 0);
}

/* A GIF of `frames` frames of w x h on a sw x sh screen: frame f has every
 * pixel index f (0 red, 1 blue), index 2 (white) transparent, with the
 * top-left pixel of frame 0 transparent. */
static void make_gif(bytes *b, int sw, int sh, int w, int h, int frames) {
    b->n = 0;
    put(b, "GIF89a", 6);
    put16(b, (unsigned)sw);
    put16(b, (unsigned)sh);
    put8(b, 0xF7); /* global table of 256 */
    put8(b, 0);
    put8(b, 0);
    for (int i = 0; i < 256; i++) {
        unsigned char c[3] = {0, 0, 0};
        if (i == 0) c[0] = 220;
        if (i == 1) c[2] = 220;
        if (i == 2) c[0] = c[1] = c[2] = 255;
        put(b, c, 3);
    }
    unsigned char *px = malloc((size_t)w * (size_t)h);
    for (int f = 0; f < frames; f++) {
        const unsigned char gce[8] = {0x21, 0xF9, 4, 1 | 8, 10, 0, 2, 0};
        put(b, gce, 8);
        put8(b, 0x2C);
        put16(b, 0);
        put16(b, 0);
        put16(b, (unsigned)w);
        put16(b, (unsigned)h);
        put8(b, 0);
        memset(px, f, (size_t)w * (size_t)h);
        if (f == 0) px[0] = 2;
        lzw(b, px, (size_t)w * (size_t)h);
    }
    free(px);
    put8(b, 0x3B);
}

static void test_gif(void) {
    bytes *b = malloc(sizeof *b);
    make_gif(b, 8, 6, 8, 6, 3);
    oc_image_info info;
    char why[256] = "";
    CHECK(oc_image_probe(b->d, b->n, &info, why) == 0);
    CHECK(info.kind == OC_IMG_GIF && info.width == 8 && info.height == 6);
    oc_image_pixels px;
    CHECK(oc_image_decode_gif(b->d, b->n, &px, why) == OC_OK);
    CHECK(px.width == 8 && px.height == 6 && px.channels == 3);
    /* the first frame (red), not the later blue ones; its transparent pixel */
    CHECK(px.samples[3 * 5] == 220 && px.samples[3 * 5 + 2] == 0);
    CHECK(px.alpha && px.alpha[0] == 0 && px.alpha[5] == 255);
    oc_image_pixels_free(&px);

    /* a frame smaller than the screen: the rest is transparent */
    make_gif(b, 10, 10, 4, 4, 1);
    CHECK(oc_image_decode_gif(b->d, b->n, &px, why) == OC_OK);
    CHECK(px.width == 10 && px.alpha && px.alpha[9 * 10 + 9] == 0 && px.alpha[1] == 255);
    oc_image_pixels_free(&px);

    /* every truncation of a two-frame GIF is an error (the second frame's
     * blocks are walked even though only the first is shown) */
    make_gif(b, 8, 6, 8, 6, 2);
    size_t full = b->n;
    int refused = 0;
    for (size_t cut = 0; cut < full; cut++) {
        why[0] = '\0';
        if (oc_image_probe(b->d, cut, &info, why) != 0 && why[0]) refused++;
    }
    CHECK(refused == (int)full);
    memset(why, 0, sizeof why);
    CHECK(oc_image_probe(b->d, full - 10, &info, why) != 0);
    CHECK_CONTAINS(why, "GIF is truncated");

    /* a 20,000 x 20,000 screen is refused before anything is allocated */
    make_gif(b, 20000, 20000, 2, 2, 1);
    CHECK(oc_image_probe(b->d, b->n, &info, why) != 0);
    CHECK_CONTAINS(why, "GIF is 20000x20000 pixels, over octavo's limit");
    CHECK(oc_image_decode_gif(b->d, b->n, &px, why) == OC_ERR_INPUT && !px.samples);
    /* damaged LZW data: a code pointing past the table */
    make_gif(b, 8, 6, 8, 6, 1);
    b->d[6 + 7 + 768 + 8 + 10 + 3] = 0xFF;
    b->d[6 + 7 + 768 + 8 + 10 + 4] = 0xFF;
    CHECK(oc_image_probe(b->d, b->n, &info, why) != 0);

    /* a signature other than GIF87a / GIF89a (giflib only reads "GIF"): the
     * probe and the decoder both refuse it (a fuzz finding: they disagreed) */
    make_gif(b, 8, 6, 8, 6, 1);
    memcpy(b->d, "GIF8ka", 6);
    why[0] = '\0';
    CHECK(oc_image_probe(b->d, b->n, &info, why) != 0 && why[0]);
    why[0] = '\0';
    CHECK(oc_image_decode_gif(b->d, b->n, &px, why) == OC_ERR_INPUT && !px.samples);
    CHECK_CONTAINS(why, "no GIF87a or GIF89a signature");
    free(b);
}

/* ---- WebP --------------------------------------------------------------------------- */

static void test_webp(void) {
    enum { W = 40, H = 30 };
    unsigned char rgba[W * H * 4];
    for (int i = 0; i < W * H; i++) {
        int x = i % W;
        rgba[i * 4] = 200, rgba[i * 4 + 1] = 40, rgba[i * 4 + 2] = 40;
        rgba[i * 4 + 3] = x < 10 ? 0 : 255; /* a transparent band on the left */
    }
    uint8_t *lossless = NULL, *lossy = NULL;
    size_t nl = WebPEncodeLosslessRGBA(rgba, W, H, W * 4, &lossless);
    size_t ny = WebPEncodeRGB(rgba, W, H, 0, 80, &lossy); /* stride 0 is invalid */
    if (ny == 0) {
        unsigned char rgb[W * H * 3];
        for (int i = 0; i < W * H; i++)
            memcpy(rgb + i * 3, rgba + i * 4, 3);
        ny = WebPEncodeRGB(rgb, W, H, W * 3, 80, &lossy);
    }
    CHECK(nl > 0 && ny > 0);
    oc_image_info info;
    oc_image_pixels px;
    char why[256] = "";
    CHECK(oc_image_probe(lossless, nl, &info, why) == 0);
    CHECK(info.kind == OC_IMG_WEBP && info.width == W && info.height == H && info.channels == 4);
    CHECK(oc_image_decode_webp(lossless, nl, &px, why) == OC_OK);
    CHECK(px.width == W && px.alpha && px.alpha[0] == 0 && px.alpha[20] == 255);
    CHECK(px.samples[20 * 3] == 200 && px.samples[20 * 3 + 1] == 40); /* lossless: exact */
    /* what the EPUB gets: the same pixels as a PNG */
    oc_buf png;
    oc_buf_init(&png);
    CHECK(oc_image_encode_png(&px, &png, why) == OC_OK);
    oc_image_pixels back;
    CHECK(oc_image_decode_png((const unsigned char *)png.data, png.len, &back, why) == OC_OK);
    CHECK(back.width == W && back.alpha && back.alpha[0] == 0 &&
          memcmp(back.samples, px.samples, (size_t)W * H * 3) == 0);
    oc_image_pixels_free(&back);
    oc_buf_free(&png);
    oc_image_pixels_free(&px);

    CHECK(oc_image_decode_webp(lossy, ny, &px, why) == OC_OK);
    CHECK(px.width == W && !px.alpha); /* opaque: no alpha plane */
    CHECK(px.samples[20 * 3] > 150 && px.samples[20 * 3 + 1] < 90);
    oc_image_pixels_free(&px);

    /* every truncation refused, with a reason */
    int refused = 0;
    for (size_t cut = 0; cut < ny; cut++) {
        why[0] = '\0';
        if (oc_image_probe(lossy, cut, &info, why) != 0 && why[0]) refused++;
    }
    CHECK(refused == (int)ny);
    refused = 0;
    for (size_t cut = 0; cut < nl; cut++)
        if (oc_image_decode_webp(lossless, cut, &px, why) == OC_ERR_INPUT && !px.samples) refused++;
    CHECK(refused == (int)nl);
    /* damaged data inside the lossy bitstream */
    unsigned char *bad = malloc(ny);
    memcpy(bad, lossy, ny);
    for (size_t i = 40; i < ny; i++)
        bad[i] ^= 0x5A;
    CHECK(oc_image_probe(bad, ny, &info, why) != 0 || info.width == W);
    free(bad);

    /* a lossless header of 16,383 x 16,383 (268 million pixels): refused
     * from the header, nothing decoded */
    unsigned char big[64];
    memcpy(big, lossless, 21);
    uint32_t bits = 16382u | 16382u << 14;
    big[21] = (unsigned char)bits, big[22] = (unsigned char)(bits >> 8);
    big[23] = (unsigned char)(bits >> 16), big[24] = (unsigned char)(bits >> 24);
    memset(big + 25, 0, sizeof big - 25);
    clock_t t0 = clock();
    CHECK(oc_image_probe(big, sizeof big, &info, why) != 0);
    CHECK_CONTAINS(why, "WebP is 16383x16383 pixels, over octavo's limit");
    CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 0.5);
    WebPFree(lossless);
    WebPFree(lossy);
}

/* ---- SVG ---------------------------------------------------------------------------- */

static int clean(const char *svg, char **out, int *w, int *h, oc_svg_removed *rm, char *why) {
    unsigned char *o = NULL;
    size_t n = 0;
    oc_status st =
        oc_image_svg_clean((const unsigned char *)svg, strlen(svg), &o, &n, w, h, rm, why);
    if (st != OC_OK) return -1;
    *out = malloc(n + 1);
    memcpy(*out, o, n);
    (*out)[n] = '\0';
    free(o);
    return 0;
}

static void test_svg_clean(void) {
    char why[256] = "", *out = NULL;
    int w, h;
    oc_svg_removed rm;
    const char *hostile =
        "<?xml version='1.0'?>\n<?xml-stylesheet href='http://example.com/x.css'?>\n"
        "<!DOCTYPE svg PUBLIC '-//W3C//DTD SVG 1.1//EN' "
        "'http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd'>\n"
        "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/xlink' "
        "xmlns:ink='http://www.inkscape.org/namespaces/inkscape' viewBox='0 0 200 100' "
        "onload='alert(1)' ink:version='1.2'>"
        "<script>alert(2)</script><script xlink:href='http://evil/x.js'/>"
        "<rect id='r' width='10' height='10' onclick='x()' ONMOUSEOVER='y()' fill='url(#g)'/>"
        "<rect width='5' height='5' fill='url(http://evil/p.svg#g)'/>"
        "<rect width='5' height='5' style='fill: URL(file:///etc/x#y)'/>"
        "<use xlink:href='#r'/><use href='other.svg#r'/>"
        "<image href='../../etc/passwd' width='5' height='5'/>"
        "<image xlink:href='file:///etc/hostname' width='5' height='5'/>"
        "<a xlink:href='javascript:alert(3)'><text>t</text></a>"
        "<set attributeName='href' to='javascript:alert(4)'/>"
        "<style>@import url(http://evil/a.css); rect{}</style>"
        "<foreignObject><div xmlns='http://www.w3.org/1999/xhtml'>x</div></foreignObject>"
        "<ink:thing/></svg>";
    CHECK(clean(hostile, &out, &w, &h, &rm, why) == 0);
    CHECK(w == 200 && h == 100);
    CHECK_NOT_CONTAINS(out, "script");
    CHECK_NOT_CONTAINS(out, "alert");
    CHECK_NOT_CONTAINS(out, "onclick");
    CHECK_NOT_CONTAINS(out, "ONMOUSEOVER");
    CHECK_NOT_CONTAINS(out, "DOCTYPE");
    CHECK_NOT_CONTAINS(out, "xml-stylesheet");
    CHECK_NOT_CONTAINS(out, "evil");
    CHECK_NOT_CONTAINS(out, "etc/");
    CHECK_NOT_CONTAINS(out, "other.svg");
    CHECK_NOT_CONTAINS(out, "foreignObject");
    CHECK_NOT_CONTAINS(out, "inkscape");
    CHECK_NOT_CONTAINS(out, "=\"1.2\""); /* ink:version="1.2" */
    CHECK_NOT_CONTAINS(out, "<image");
    CHECK_CONTAINS(out, "fill=\"url(#g)\"");  /* a fragment reference stays */
    CHECK_CONTAINS(out, "xlink:href=\"#r\""); /* so does a use of #r */
    CHECK_CONTAINS(out, "<text>t</text>");    /* the link's text stays, not its target */
    CHECK_CONTAINS(out, "width=\"200\" height=\"100\"");
    CHECK(rm.scripts == 2 && rm.events == 3 && rm.instructions == 1);
    CHECK(rm.external >= 8 && rm.foreign >= 3);
    free(out);

    /* sizes: viewBox only, width/height in units, one of them and a viewBox */
    CHECK(clean("<svg xmlns='http://www.w3.org/2000/svg' width='2in' height='1in'/>", &out, &w, &h,
                NULL, why) == 0);
    CHECK(w == 192 && h == 96);
    CHECK_CONTAINS(out, "viewBox=\"0 0 192 96\"");
    free(out);
    CHECK(clean("<svg xmlns='http://www.w3.org/2000/svg' width='10cm' viewBox='0 0 4 1'/>", &out,
                &w, &h, NULL, why) == 0);
    CHECK(w == 378 && h == 94);
    free(out);
    /* no namespace: taken as SVG */
    CHECK(clean("<svg width='30pt' height='15pt'><rect width='1' height='1'/></svg>", &out, &w, &h,
                NULL, why) == 0);
    CHECK(w == 40 && h == 20);
    CHECK_CONTAINS(out, "xmlns=\"http://www.w3.org/2000/svg\"");
    free(out);
    /* a size is taken as written in the cleaned file: cleaning that file
     * again gives the same size and the same bytes (2.4996 px is written
     * 2.5, which is 3 px), and a side that would be written 0 is refused */
    static const char *const edges[] = {
        "<svg xmlns='http://www.w3.org/2000/svg' width='2.4996' height='10'/>",
        "<svg xmlns='http://www.w3.org/2000/svg' width='7' height='0.49951'/>",
        "<svg xmlns='http://www.w3.org/2000/svg' width='1e9' height='333333.33'/>",
        "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 3 7' width='1.0714'/>"};
    static const int edge_w[] = {3, 7, 65500, 1}, edge_h[] = {10, 1, 22, 3};
    for (size_t k = 0; k < sizeof edges / sizeof *edges; k++) {
        char *again = NULL;
        int w2 = 0, h2 = 0;
        CHECK(clean(edges[k], &out, &w, &h, NULL, why) == 0);
        CHECK(w == edge_w[k] && h == edge_h[k]);
        CHECK(clean(out, &again, &w2, &h2, NULL, why) == 0);
        CHECK(w2 == w && h2 == h && again && strcmp(again, out) == 0);
        free(again);
        free(out);
    }
    CHECK(clean("<svg xmlns='http://www.w3.org/2000/svg' width='0.0004' height='10'/>", &out, &w,
                &h, NULL, why) == -1);
    CHECK_CONTAINS(why, "too small");
    /* a 20,000 x 20,000 px declaration is only numbers: kept as the size */
    CHECK(clean("<svg xmlns='http://www.w3.org/2000/svg' width='20000' height='20000'/>", &out, &w,
                &h, NULL, why) == 0);
    CHECK(w == 20000 && h == 20000);
    free(out);
    /* beyond the side limit, scaled down with its aspect */
    CHECK(clean("<svg xmlns='http://www.w3.org/2000/svg' width='1e9' height='5e8'/>", &out, &w, &h,
                NULL, why) == 0);
    CHECK(w == OC_IMAGE_MAX_SIDE && h == OC_IMAGE_MAX_SIDE / 2);
    free(out);

    /* refused */
    CHECK(clean("<svg xmlns='http://www.w3.org/2000/svg' width='50%'/>", &out, &w, &h, NULL, why) !=
          0);
    CHECK_CONTAINS(why, "SVG has no size");
    CHECK(clean("<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'><rect></svg>", &out, &w,
                &h, NULL, why) != 0);
    CHECK_CONTAINS(why, "SVG is not well-formed XML (line 1");
    CHECK(clean("<html><svg/></html>", &out, &w, &h, NULL, why) != 0);
    CHECK_CONTAINS(why, "not an SVG image");
    CHECK(clean("<!DOCTYPE svg [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
                "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 1 1'><text>&x;</text></svg>",
                &out, &w, &h, NULL, why) != 0);
    CHECK_CONTAINS(why, "entities");

    /* a billion laughs: refused, quickly */
    char lol[4096];
    size_t o = (size_t)snprintf(lol, sizeof lol,
                                "<?xml version='1.0'?>\n<!DOCTYPE svg [\n"
                                "<!ENTITY l0 'lollollollollollollollollollol'>\n");
    for (int i = 1; i <= 9; i++) {
        o += (size_t)snprintf(lol + o, sizeof lol - o, "<!ENTITY l%d '", i);
        for (int k = 0; k < 10; k++)
            o += (size_t)snprintf(lol + o, sizeof lol - o, "&l%d;", i - 1);
        o += (size_t)snprintf(lol + o, sizeof lol - o, "'>\n");
    }
    snprintf(lol + o, sizeof lol - o,
             "]>\n<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 9 9'><text>&l9;</text>"
             "<desc title='&l9;'/></svg>");
    clock_t t0 = clock();
    CHECK(clean(lol, &out, &w, &h, NULL, why) != 0);
    CHECK((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
}

static unsigned char *px_at(oc_image_pixels *p, int x, int y) {
    return p->samples + ((size_t)y * (size_t)p->width + (size_t)x) * 3;
}

static void test_svg_render(void) {
    char why[256] = "";
    const char *svg = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 20 10'>"
                      "<rect x='10' width='10' height='10' fill='#0000ff'/></svg>";
    oc_image_pixels px;
    CHECK(oc_image_render_svg((const unsigned char *)svg, strlen(svg), 200, 100, FONTS, &px, why) ==
          OC_OK);
    CHECK(px.width == 200 && px.height == 100 && px.alpha);
    CHECK(px.alpha[50 * 200 + 20] == 0);    /* left half: nothing drawn */
    CHECK(px.alpha[50 * 200 + 150] == 255); /* right half: blue */
    CHECK(px_at(&px, 150, 50)[2] == 255 && px_at(&px, 150, 50)[0] == 0);
    oc_image_pixels_free(&px);
    /* text, in the bundled fonts (a family no font has falls back to DejaVu
     * Sans): some pixels drawn in the text's colour */
    const char *txt = "<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 60 20'>"
                      "<text x='2' y='16' font-family='No Such Family' font-size='16' "
                      "fill='#ff0000'>Wg</text></svg>";
    CHECK(oc_image_render_svg((const unsigned char *)txt, strlen(txt), 120, 40, FONTS, &px, why) ==
          OC_OK);
    int inked = 0;
    for (int i = 0; px.alpha && i < 120 * 40; i++)
        inked += px.alpha[i] == 255 && px.samples[i * 3] == 255 && px.samples[i * 3 + 1] == 0;
    CHECK(inked > 50);
    oc_image_pixels_free(&px);
    /* the raster budget */
    CHECK(oc_image_render_svg((const unsigned char *)svg, strlen(svg), 20000, 20000, FONTS, &px,
                              why) == OC_ERR_INPUT);
    CHECK(!px.samples);

    /* librsvg reads no file an SVG points at: given the bytes alone (no base
     * file or URI), an image by absolute path or file: URL stays undrawn,
     * while the same picture as a data: URL is drawn (it could be). */
    char path[] = "/tmp/octavo-svg-ref-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    static const unsigned char red_png[] = {
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
        0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00,
        0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78,
        0xda, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0xf7, 0x03, 0x41,
        0x43, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};
    oc_image_info info;
    CHECK(oc_image_probe(red_png, sizeof red_png, &info, why) == 0);
    CHECK(write(fd, red_png, sizeof red_png) == (ssize_t)sizeof red_png);
    close(fd);
    char doc[2048];
    for (int form = 0; form < 3; form++) {
        char href[600];
        if (form == 0)
            snprintf(href, sizeof href, "%s", path);
        else if (form == 1)
            snprintf(href, sizeof href, "file://%s", path);
        else
            snprintf(href, sizeof href,
                     "data:image/png;base64,"
                     "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4"
                     "2mP4z8AAAAMBAQD3A0FDAAAAAElFTkSuQmCC");
        snprintf(doc, sizeof doc,
                 "<svg xmlns='http://www.w3.org/2000/svg' xmlns:xlink='http://www.w3.org/1999/"
                 "xlink' viewBox='0 0 10 10'><image xlink:href='%s' width='10' height='10' "
                 "preserveAspectRatio='none'/></svg>",
                 href);
        CHECK(oc_image_render_svg((const unsigned char *)doc, strlen(doc), 20, 20, FONTS, &px,
                                  why) == OC_OK);
        int drawn = px.alpha == NULL || px.alpha[10 * 20 + 10] > 0;
        if (form < 2)
            CHECK(!drawn);
        else
            CHECK(drawn && px_at(&px, 10, 10)[0] == 255 && px_at(&px, 10, 10)[1] == 0);
        oc_image_pixels_free(&px);
    }
    /* and the cleaner keeps the data: image (it passes our PNG check) */
    char *out = NULL;
    int w, h;
    CHECK(clean(doc, &out, &w, &h, NULL, why) == 0);
    CHECK_CONTAINS(out, "data:image/png;base64,");
    free(out);
    unlink(path);
}

int main(void) {
    RUN(test_gif);
    RUN(test_webp);
    RUN(test_svg_clean);
    RUN(test_svg_render);
    return harness_finish("test_image_formats");
}
