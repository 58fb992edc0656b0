/* WebP through libwebp: lossy (VP8, with or without an alpha plane) and
 * lossless (VP8L) decoded to 8-bit RGB and alpha; an animated file is
 * demultiplexed (libwebpdemux: its chunk structure checked whole) and its
 * first frame, the only one either edition shows, placed on the canvas.
 * Every still file (every first frame) is decoded in full at load, so a truncated or damaged one is
 * an error at the citing line. Both editions get the pixels: the PDF as an image object, the EPUB
 * as a PNG (EPUB 3.2 readers, and epubcheck 4, do not know image/webp). */
#include "image/image_internal.h"
#include "octavo/image.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <webp/decode.h>
#include <webp/demux.h>

static const char *vp8_why(VP8StatusCode s) {
    switch (s) {
    case VP8_STATUS_OUT_OF_MEMORY:
        return "out of memory decoding a WebP";
    case VP8_STATUS_NOT_ENOUGH_DATA:
        return "WebP is truncated (the file ends early)";
    case VP8_STATUS_UNSUPPORTED_FEATURE:
        return "WebP uses a feature libwebp does not support";
    case VP8_STATUS_BITSTREAM_ERROR:
    case VP8_STATUS_INVALID_PARAM:
    default:
        return "WebP image data is corrupt";
    }
}

static int too_big(long w, long h, char *why) {
    if (w <= 0 || h <= 0) {
        snprintf(why, 256, "WebP has an empty canvas (%ldx%ld)", w, h);
        return 1;
    }
    if (w > OC_IMAGE_MAX_SIDE || h > OC_IMAGE_MAX_SIDE ||
        (uint64_t)w * (uint64_t)h > (uint64_t)OC_IMAGE_MAX_PIXELS) {
        snprintf(why, 256,
                 "WebP is %ldx%ld pixels, over octavo's limit of %u million pixels (scale it "
                 "down)",
                 w, h, OC_IMAGE_MAX_PIXELS / 1000000);
        return 1;
    }
    return 0;
}

/* Decodes one WebP bitstream (a still file, or an animation frame's
 * chunks) to RGBA; *rgba malloc'd by libwebp's allocator (WebPFree). */
static int decode_rgba(const uint8_t *d, size_t n, uint8_t **rgba, int *w, int *h, char *why) {
    WebPDecoderConfig cfg;
    if (!WebPInitDecoderConfig(&cfg)) {
        snprintf(why, 256, "libwebp version mismatch");
        return -1;
    }
    VP8StatusCode s = WebPGetFeatures(d, n, &cfg.input);
    if (s != VP8_STATUS_OK) {
        snprintf(why, 256, "%s", vp8_why(s));
        return -1;
    }
    if (too_big(cfg.input.width, cfg.input.height, why)) return -1;
    cfg.output.colorspace = MODE_RGBA;
    s = WebPDecode(d, n, &cfg);
    if (s != VP8_STATUS_OK) {
        WebPFreeDecBuffer(&cfg.output);
        snprintf(why, 256, "%s", vp8_why(s));
        return -1;
    }
    *rgba = cfg.output.u.RGBA.rgba; /* owned by the caller now (WebPFree) */
    *w = cfg.output.width;
    *h = cfg.output.height;
    if (cfg.output.u.RGBA.stride != *w * 4) {
        WebPFreeDecBuffer(&cfg.output);
        snprintf(why, 256, "WebP decoded with an unexpected row stride");
        return -1;
    }
    return 0;
}

static int webp_run(const unsigned char *d, size_t n, oc_image_info *info, oc_image_pixels *px,
                    char *why) {
    int rc = -1, fw = 0, fh = 0;
    long cw, ch, fx = 0, fy = 0;
    uint8_t *rgba = NULL;
    WebPDemuxer *dmx = NULL;
    WebPIterator it;
    int have_it = 0;
    if (n < 12 || memcmp(d, "RIFF", 4) != 0 || memcmp(d + 8, "WEBP", 4) != 0) {
        snprintf(why, 256, "not a WebP file");
        return -1;
    }
    WebPBitstreamFeatures feat;
    VP8StatusCode s = WebPGetFeatures(d, n, &feat);
    if (s != VP8_STATUS_OK) {
        snprintf(why, 256, "%s", vp8_why(s));
        return -1;
    }
    if (feat.has_animation) {
        WebPData wd = {d, n};
        dmx = WebPDemux(&wd); /* NULL when the file is cut short or damaged */
        if (!dmx) {
            snprintf(why, 256, "animated WebP is truncated or corrupt");
            goto done;
        }
        cw = (long)WebPDemuxGetI(dmx, WEBP_FF_CANVAS_WIDTH);
        ch = (long)WebPDemuxGetI(dmx, WEBP_FF_CANVAS_HEIGHT);
        if (too_big(cw, ch, why)) goto done;
        if (!WebPDemuxGetFrame(dmx, 1, &it)) {
            snprintf(why, 256, "animated WebP has no frame");
            goto done;
        }
        have_it = 1;
        fx = it.x_offset, fy = it.y_offset;
        if (decode_rgba(it.fragment.bytes, it.fragment.size, &rgba, &fw, &fh, why) != 0) goto done;
    } else {
        if (decode_rgba(d, n, &rgba, &fw, &fh, why) != 0) goto done;
        cw = fw, ch = fh;
    }
    if (px) {
        size_t npx = (size_t)cw * (size_t)ch;
        px->width = (int)cw;
        px->height = (int)ch;
        px->channels = 3;
        px->samples = calloc(npx, 3);
        px->alpha = calloc(npx, 1);
        if (!px->samples || !px->alpha) {
            snprintf(why, 256, "out of memory decoding a %ldx%ld WebP", cw, ch);
            goto done;
        }
        int opaque = 1;
        for (long y = 0; y < fh && fy + y < ch; y++)
            for (long x = 0; x < fw && fx + x < cw; x++) {
                const uint8_t *p = rgba + ((size_t)y * (size_t)fw + (size_t)x) * 4;
                size_t o = (size_t)(fy + y) * (size_t)cw + (size_t)(fx + x);
                memcpy(px->samples + o * 3, p, 3);
                px->alpha[o] = p[3];
            }
        for (size_t i = 0; i < npx && opaque; i++)
            opaque = px->alpha[i] == 255;
        if (opaque) {
            free(px->alpha);
            px->alpha = NULL;
        }
    }
    info->kind = OC_IMG_WEBP;
    info->width = (int)cw;
    info->height = (int)ch;
    info->bits = 8;
    info->channels = feat.has_alpha ? 4 : 3;
    rc = 0;
done:
    if (rgba) WebPFree(rgba);
    if (have_it) WebPDemuxReleaseIterator(&it);
    WebPDemuxDelete(dmx);
    return rc;
}

int oc_image_probe_webp(const unsigned char *data, size_t len, oc_image_info *info, char *why) {
    return webp_run(data, len, info, NULL, why);
}

oc_status oc_image_decode_webp(const unsigned char *data, size_t len, oc_image_pixels *out,
                               char *why) {
    return oc_image_decode_by(webp_run, data, len, out, why);
}
