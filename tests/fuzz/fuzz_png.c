/* libFuzzer target: the PNG decoder path, the bytes being one image file.
 * oc_image_probe (what the loader runs on every image) and, when it
 * accepts a PNG, oc_image_decode_png (what the PDF writer draws from) must
 * agree: same size, a probe refusal always has a reason, a decode of an
 * accepted file always succeeds, and every decoded byte is read (so ASan
 * and UBSan see the whole output). Images over 128x128 pixels (by the
 * header's numbers) are skipped: they run the same code many times
 * over per input, and the pixel budget has its own e2e test. */
#include "octavo/image.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint32_t be32(const uint8_t *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1 << 20) return 0;
    if (size >= 24 && (uint64_t)be32(data + 16) * be32(data + 20) > 128 * 128) return 0;
    oc_image_info info;
    char why[256] = "";
    memset(&info, 0, sizeof info);
    int ok = oc_image_probe(data, size, &info, why) == 0;
    if (!ok && why[0] == '\0') abort(); /* a refusal always says why */
    if (ok && (info.width <= 0 || info.height <= 0)) abort();
    int is_png = size >= 2 && data[0] == 0x89 && data[1] == 'P';
    if (!is_png) return 0;
    oc_image_pixels px;
    why[0] = '\0';
    oc_status st = oc_image_decode_png(data, size, &px, why);
    if ((st == OC_OK) != ok) abort(); /* the loader and the PDF writer agree */
    if (st != OC_OK) {
        if (why[0] == '\0' || px.samples || px.alpha || px.icc) abort();
        return 0;
    }
    if (px.width != info.width || px.height != info.height) abort();
    if (px.channels != 1 && px.channels != 3) abort();
    size_t n = (size_t)px.width * (size_t)px.height;
    unsigned sum = 0;
    for (size_t i = 0; i < n * (size_t)px.channels; i++)
        sum += px.samples[i];
    if (px.alpha) {
        size_t opaque = 0;
        for (size_t i = 0; i < n; i++)
            opaque += px.alpha[i] == 255;
        if (opaque == n) abort(); /* an all-opaque alpha plane is dropped */
    }
    for (size_t i = 0; i < px.icc_len; i++)
        sum += px.icc[i];
    if (px.icc && px.icc_len < 128) abort();
    oc_image_pixels_free(&px);
    return sum == 0xFFFFFFFFu ? 1 : 0; /* keeps the reads */
}
