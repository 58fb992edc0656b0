/* libFuzzer target: the GIF, WebP and SVG paths, the bytes being one image
 * file (sniffed as the loader sniffs it).
 * - oc_image_probe and the decoder the PDF writer uses agree: a probe
 *   refusal always has a reason, an accepted GIF or WebP always decodes, to
 *   the probed size, with every decoded byte read (so ASan and UBSan see
 *   the whole output) and an alpha plane only when some pixel is not opaque;
 * - an SVG the cleaner accepts is accepted again when cleaned a second time,
 *   with nothing more to remove and the same bytes out (so nothing it
 *   should have taken out survives it), and librsvg draws it at 24 x 24.
 * Rasters over 256 x 256 pixels (by the header's numbers) are skipped: they
 * run the same code many times over, and the budgets have e2e tests. */
#include "octavo/image.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define FONTS OCTAVO_FONTS_DIR

static unsigned sum_pixels(const oc_image_pixels *px) {
    size_t n = (size_t)px->width * (size_t)px->height;
    unsigned sum = 0;
    for (size_t i = 0; i < n * (size_t)px->channels; i++)
        sum += px->samples[i];
    if (px->alpha) {
        size_t opaque = 0;
        for (size_t i = 0; i < n; i++)
            opaque += px->alpha[i] == 255;
        if (opaque == n) abort(); /* an all-opaque alpha plane is dropped */
    }
    return sum;
}

static int raster_too_big(const uint8_t *d, size_t n) {
    if (n >= 10 && memcmp(d, "GIF8", 4) == 0)
        return (uint32_t)(d[6] | d[7] << 8) * (uint32_t)(d[8] | d[9] << 8) > 256 * 256;
    if (n >= 30 && memcmp(d, "RIFF", 4) == 0) {
        if (memcmp(d + 12, "VP8X", 4) == 0) {
            uint32_t w = 1 + (d[24] | d[25] << 8 | (uint32_t)d[26] << 16);
            uint32_t h = 1 + (d[27] | d[28] << 8 | (uint32_t)d[29] << 16);
            return (uint64_t)w * h > 256 * 256;
        }
        if (memcmp(d + 12, "VP8L", 4) == 0 && n >= 25) {
            uint32_t b = d[21] | d[22] << 8 | (uint32_t)d[23] << 16 | (uint32_t)d[24] << 24;
            return (uint64_t)((b & 0x3FFF) + 1) * (((b >> 14) & 0x3FFF) + 1) > 256 * 256;
        }
        if (memcmp(d + 12, "VP8 ", 4) == 0)
            return (uint32_t)((d[26] | d[27] << 8) & 0x3FFF) * ((d[28] | d[29] << 8) & 0x3FFF) >
                   256 * 256;
    }
    return 0;
}

static int svg_case(const uint8_t *data, size_t size) {
    unsigned char *svg = NULL, *again = NULL;
    size_t n = 0, n2 = 0;
    int w, h, w2, h2;
    oc_svg_removed rm;
    char why[256] = "";
    if (oc_image_svg_clean(data, size, &svg, &n, &w, &h, &rm, why) != OC_OK) {
        if (why[0] == '\0' || svg) abort();
        return 0;
    }
    if (w < 1 || h < 1 || w > OC_IMAGE_MAX_SIDE || h > OC_IMAGE_MAX_SIDE) abort();
    why[0] = '\0';
    if (oc_image_svg_clean(svg, n, &again, &n2, &w2, &h2, &rm, why) != OC_OK) abort();
    if (rm.scripts || rm.events || rm.external || rm.foreign || rm.instructions) abort();
    if (w2 != w || h2 != h || n2 != n || memcmp(svg, again, n) != 0) abort();
    oc_image_pixels px;
    if (oc_image_render_svg(svg, n, 24, 24, FONTS, &px, why) == OC_OK) {
        if (px.width != 24 || px.height != 24) abort();
        unsigned s = sum_pixels(&px);
        oc_image_pixels_free(&px);
        if (s == 0xFFFFFFFFu) abort();
    }
    free(svg);
    free(again);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 20 || raster_too_big(data, size)) return 0;
    int gif = size >= 4 && memcmp(data, "GIF8", 4) == 0;
    int webp = size >= 4 && memcmp(data, "RIFF", 4) == 0;
    if (!gif && !webp) return svg_case(data, size);
    oc_image_info info;
    char why[256] = "";
    memset(&info, 0, sizeof info);
    int ok = oc_image_probe(data, size, &info, why) == 0;
    if (!ok && why[0] == '\0') abort(); /* a refusal always says why */
    if (ok && (info.width <= 0 || info.height <= 0)) abort();
    if (ok && info.kind != (gif ? OC_IMG_GIF : OC_IMG_WEBP)) abort();
    oc_image_pixels px;
    why[0] = '\0';
    oc_status st = gif ? oc_image_decode_gif(data, size, &px, why)
                       : oc_image_decode_webp(data, size, &px, why);
    if ((st == OC_OK) != ok) abort(); /* the loader and the PDF writer agree */
    if (st != OC_OK) {
        if (why[0] == '\0' || px.samples || px.alpha) abort();
        return 0;
    }
    if (px.width != info.width || px.height != info.height || px.channels != 3) abort();
    unsigned sum = sum_pixels(&px);
    oc_image_pixels_free(&px);
    return sum == 0xFFFFFFFFu ? 1 : 0; /* keeps the reads */
}
