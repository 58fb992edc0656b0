/* Images are checked by their bytes, once, at load: a corrupt or unsupported
 * file is an error at the line that cites it. GIF, WebP and SVG have files
 * of their own (gif.c, webp.c, svg.c); this one sniffs, and holds PNG and
 * JPEG. PNG is read with libspng (it
 * reports errors where libpng, through libharu, aborted the process) and
 * decoded one row at a time into 8-bit grey or RGB samples plus an alpha
 * plane; JPEG is only walked, since the PDF carries it as it is. */
#include "image/image_internal.h"

#include <spng.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Ancillary chunks (text, ICC profiles, EXIF) are held in memory by
 * libspng: a file may not make it hold more than this, nor inflate a
 * compressed text or profile beyond it. Image data is not counted. */
#define PNG_CHUNK_LIMIT ((size_t)64 << 20)
#define PNG_CACHE_LIMIT ((size_t)64 << 20)

static int png_channels(int color_type) {
    switch (color_type) {
    case SPNG_COLOR_TYPE_GRAYSCALE:
        return 1;
    case SPNG_COLOR_TYPE_TRUECOLOR:
        return 3;
    case SPNG_COLOR_TYPE_INDEXED:
        return 1;
    case SPNG_COLOR_TYPE_GRAYSCALE_ALPHA:
        return 2;
    case SPNG_COLOR_TYPE_TRUECOLOR_ALPHA:
        return 4;
    default:
        return 0;
    }
}

/* A reason for libspng's error code, in the words a book author can act on. */
static void png_why(int err, char *why) {
    switch (err) {
    case SPNG_ESIGNATURE:
        snprintf(why, 256, "not a PNG file");
        return;
    case SPNG_ECHUNK_CRC:
        snprintf(why, 256, "PNG chunk has a bad checksum (corrupt file)");
        return;
    case SPNG_IO_EOF:
    case SPNG_EOF:
    case SPNG_EIDAT_TOO_SHORT:
        snprintf(why, 256, "PNG is truncated (the file ends early)");
        return;
    case SPNG_EBIT_DEPTH:
    case SPNG_ECOLOR_TYPE:
        snprintf(why, 256,
                 "PNG header has a colour type and bit depth the standard does not allow");
        return;
    case SPNG_ECHUNK_SIZE:
    case SPNG_ECHUNK_STDLEN:
        snprintf(why, 256,
                 "PNG has a chunk of a length the standard does not allow (a palette holds 1 to "
                 "256 colours of 3 bytes)");
        return;
    case SPNG_ENOPLTE:
        snprintf(why, 256, "palette PNG has no palette");
        return;
    case SPNG_ECHUNK_POS:
        snprintf(why, 256, "PNG chunks are out of order or the image data is missing");
        return;
    case SPNG_ECHUNK_UNKNOWN_CRITICAL:
        snprintf(why, 256, "PNG has a critical chunk octavo does not know (not a standard PNG)");
        return;
    case SPNG_EIDAT_STREAM:
    case SPNG_EZLIB:
        snprintf(why, 256, "PNG image data is corrupt (the compressed stream is damaged)");
        return;
    case SPNG_EFILTER:
        snprintf(why, 256, "PNG image data is corrupt (a row has an invalid filter type)");
        return;
    case SPNG_ECHUNK_LIMITS:
        snprintf(why, 256, "PNG has an ancillary chunk larger than %zu MB", PNG_CHUNK_LIMIT >> 20);
        return;
    default:
        break;
    }
    snprintf(why, 256, "PNG is corrupt or not allowed by the standard (%s)", spng_strerror(err));
}

/* Checks every chunk's checksum before decoding: libspng checks the image
 * data's only after inflating it, so a damaged byte there would read as a
 * zlib error rather than as the corruption it is. A chunk running past the
 * end is left to libspng, which calls the file truncated. */
static int png_checksums(const unsigned char *d, size_t n, char *why) {
    size_t pos = 8;
    while (pos + 12 <= n) {
        uint32_t len = (uint32_t)d[pos] << 24 | (uint32_t)d[pos + 1] << 16 |
                       (uint32_t)d[pos + 2] << 8 | d[pos + 3];
        const unsigned char *type = d + pos + 4;
        if (len > n - pos - 12) return 0;
        const unsigned char *c = type + 4 + len;
        uint32_t want = (uint32_t)c[0] << 24 | (uint32_t)c[1] << 16 | (uint32_t)c[2] << 8 | c[3];
        if ((uint32_t)crc32(0L, type, len + 4) != want) {
            char name[5];
            for (int i = 0; i < 4; i++) /* the type may be garbage: show it printable */
                name[i] = type[i] >= 0x20 && type[i] < 0x7F ? (char)type[i] : '?';
            name[4] = '\0';
            snprintf(why, 256, "PNG chunk %s has a bad checksum (corrupt file)", name);
            return -1;
        }
        if (memcmp(type, "IEND", 4) == 0) return 0;
        pos += 12 + (size_t)len;
    }
    return 0;
}

/* Adam7: where each pass's pixels start in a row and how far apart they are. */
static const int adam7_x0[7] = {0, 4, 0, 2, 0, 1, 0};
static const int adam7_dx[7] = {8, 8, 4, 4, 2, 2, 1};

/* Reads a PNG through libspng, every row and the chunks after the image
 * data. With `px` NULL only checks; else fills px with 8-bit samples. */
static int png_read(const unsigned char *d, size_t n, oc_image_info *info, oc_image_pixels *px,
                    char *why) {
    int rc = -1, err;
    unsigned char *row = NULL;
    if (n >= 8 && png_checksums(d, n, why) != 0) return -1;
    spng_ctx *ctx = spng_ctx_new(0);
    if (!ctx) {
        snprintf(why, 256, "out of memory reading a PNG");
        return -1;
    }
    if ((err = spng_set_chunk_limits(ctx, PNG_CHUNK_LIMIT, PNG_CACHE_LIMIT)) != 0 ||
        (err = spng_set_crc_action(ctx, SPNG_CRC_ERROR, SPNG_CRC_ERROR)) != 0 ||
        (err = spng_set_png_buffer(ctx, d, n)) != 0) {
        png_why(err, why);
        goto done;
    }
    struct spng_ihdr ihdr;
    if ((err = spng_get_ihdr(ctx, &ihdr)) != 0) {
        png_why(err, why);
        goto done;
    }
    uint32_t w = ihdr.width, h = ihdr.height;
    if (w > OC_IMAGE_MAX_SIDE || h > OC_IMAGE_MAX_SIDE ||
        (uint64_t)w * h > (uint64_t)OC_IMAGE_MAX_PIXELS) {
        snprintf(why, 256,
                 "PNG is %ux%u pixels, over octavo's limit of %u million pixels and %d pixels a "
                 "side (scale it down: 300 dpi across a page is about 2,500x3,500)",
                 w, h, OC_IMAGE_MAX_PIXELS / 1000000, OC_IMAGE_MAX_SIDE);
        goto done;
    }
    info->kind = OC_IMG_PNG;
    info->width = (int)w;
    info->height = (int)h;
    info->bits = ihdr.bit_depth;
    info->channels = png_channels(ihdr.color_type);

    /* this reads every chunk before the image data: their errors show here */
    struct spng_trns trns;
    err = spng_get_trns(ctx, &trns);
    if (err != 0 && err != SPNG_ECHUNKAVAIL) {
        png_why(err, why);
        goto done;
    }
    int has_trns = err == 0;
    int grey = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE ||
               ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA;
    int may_alpha = has_trns || ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE_ALPHA ||
                    ihdr.color_type == SPNG_COLOR_TYPE_TRUECOLOR_ALPHA;
    if ((err = spng_decode_image(ctx, NULL, 0, SPNG_FMT_RGBA8,
                                 SPNG_DECODE_TRNS | SPNG_DECODE_PROGRESSIVE)) != 0) {
        png_why(err, why);
        goto done;
    }
    size_t stride = (size_t)w * 4;
    row = malloc(stride);
    if (!row) {
        snprintf(why, 256, "out of memory reading a PNG");
        goto done;
    }
    int ch = grey ? 1 : 3;
    if (px) {
        px->width = (int)w;
        px->height = (int)h;
        px->channels = ch;
        px->samples = malloc((size_t)w * h * (size_t)ch);
        px->alpha = may_alpha ? malloc((size_t)w * h) : NULL;
        if (!px->samples || (may_alpha && !px->alpha)) {
            snprintf(why, 256, "out of memory decoding a %ux%u PNG", w, h);
            goto done;
        }
    }
    struct spng_row_info ri;
    do {
        if ((err = spng_get_row_info(ctx, &ri)) != 0) break;
        err = spng_decode_row(ctx, row, stride);
        if ((err != 0 && err != SPNG_EOI) || !px) continue;
        if (ri.row_num >= h || ri.pass < 0 || ri.pass > 6) {
            err = SPNG_EINTERNAL;
            break;
        }
        /* an interlaced pass fills only some pixels of the row */
        size_t x0 = ihdr.interlace_method ? (size_t)adam7_x0[ri.pass] : 0;
        size_t dx = ihdr.interlace_method ? (size_t)adam7_dx[ri.pass] : 1;
        unsigned char *s = px->samples + (size_t)ri.row_num * w * (size_t)ch;
        unsigned char *a = px->alpha ? px->alpha + (size_t)ri.row_num * w : NULL;
        for (size_t x = x0; x < w; x += dx) {
            const unsigned char *p = row + x * 4;
            if (ch == 1) {
                s[x] = p[0];
            } else {
                s[x * 3] = p[0];
                s[x * 3 + 1] = p[1];
                s[x * 3 + 2] = p[2];
            }
            if (a) a[x] = p[3];
        }
    } while (err == 0);
    if (err != SPNG_EOI) {
        png_why(err, why);
        goto done;
    }
    /* the chunks after the image data, up to IEND */
    if ((err = spng_decode_chunks(ctx)) != 0) {
        png_why(err, why);
        goto done;
    }
    if (px && px->alpha) {
        size_t i = 0, npx = (size_t)w * h;
        while (i < npx && px->alpha[i] == 255)
            i++;
        if (i == npx) {
            free(px->alpha);
            px->alpha = NULL;
        }
    }
    struct spng_iccp iccp;
    if (px && spng_get_iccp(ctx, &iccp) == 0 && iccp.profile && iccp.profile_len >= 128) {
        /* kept only when its header agrees with the samples: the declared
         * size, and a data colour space of GRAY or RGB to match */
        const unsigned char *p = (const unsigned char *)iccp.profile;
        uint32_t size = (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
        const char *space = ch == 1 ? "GRAY" : "RGB ";
        if (size == iccp.profile_len && memcmp(p + 16, space, 4) == 0 &&
            memcmp(p + 36, "acsp", 4) == 0) {
            px->icc = malloc(iccp.profile_len);
            if (px->icc) {
                memcpy(px->icc, p, iccp.profile_len);
                px->icc_len = iccp.profile_len;
            }
        }
    }
    rc = 0;
done:
    free(row);
    spng_ctx_free(ctx);
    return rc;
}

static int probe_png(const unsigned char *d, size_t n, oc_image_info *out, char *why) {
    return png_read(d, n, out, NULL, why);
}

oc_status oc_image_decode_png(const unsigned char *data, size_t len, oc_image_pixels *out,
                              char *why) {
    oc_image_info info;
    memset(out, 0, sizeof *out);
    memset(&info, 0, sizeof info);
    if (len < 8 || data[0] != 0x89 || data[1] != 'P') {
        snprintf(why, 256, "not a PNG file");
        return OC_ERR_INPUT;
    }
    if (png_read(data, len, &info, out, why) != 0) {
        oc_image_pixels_free(out);
        return OC_ERR_INPUT;
    }
    return OC_OK;
}

void oc_image_pixels_free(oc_image_pixels *p) {
    free(p->samples);
    free(p->alpha);
    free(p->icc);
    memset(p, 0, sizeof *p);
}

/* Walks the JPEG markers up to the frame header and checks the file ends
 * with an EOI marker (a truncated download is the common corruption). */
static int probe_jpeg(const unsigned char *d, size_t n, oc_image_info *out, char *why) {
    if (n < 4 || d[0] != 0xFF || d[1] != 0xD8) {
        snprintf(why, 256, "not a JPEG file");
        return -1;
    }
    size_t end = n;
    while (end > 2 && d[end - 1] != 0xD9)
        end--; /* tolerate trailing padding after EOI */
    if (end < 4 || d[end - 2] != 0xFF || d[end - 1] != 0xD9 || n - end > 1024) {
        snprintf(why, 256, "JPEG is truncated (no end-of-image marker)");
        return -1;
    }
    size_t pos = 2;
    while (pos + 4 <= n) {
        if (d[pos] != 0xFF) {
            snprintf(why, 256, "JPEG marker expected at byte %zu (corrupt file)", pos);
            return -1;
        }
        unsigned m = d[pos + 1];
        if (m == 0xFF) {
            pos++;
            continue;
        }
        if (m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) {
            pos += 2;
            continue;
        }
        size_t len = (size_t)d[pos + 2] << 8 | d[pos + 3];
        if (len < 2 || pos + 2 + len > n) {
            snprintf(why, 256, "JPEG segment runs past the end of the file");
            return -1;
        }
        /* SOF0..SOF15 except DHT (C4), JPG (C8), DAC (CC) */
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            if (m != 0xC0 && m != 0xC1 && m != 0xC2) {
                snprintf(why, 256, "JPEG uses an unsupported coding (lossless or arithmetic)");
                return -1;
            }
            if (len < 8) break;
            const unsigned char *f = d + pos + 4;
            int bits = f[0], hh = f[1] << 8 | f[2], ww = f[3] << 8 | f[4], comps = f[5];
            if (bits != 8 || ww == 0 || hh == 0 || (comps != 1 && comps != 3 && comps != 4)) {
                snprintf(why, 256, "JPEG has an unsupported format (%d bits, %d components)", bits,
                         comps);
                return -1;
            }
            if (ww > OC_IMAGE_MAX_SIDE || hh > OC_IMAGE_MAX_SIDE) {
                snprintf(why, 256,
                         "JPEG is %dx%d pixels; PDF readers and EPUB checkers accept at most %d "
                         "pixels a side (scale it down)",
                         ww, hh, OC_IMAGE_MAX_SIDE);
                return -1;
            }
            out->kind = OC_IMG_JPEG;
            out->width = ww;
            out->height = hh;
            out->bits = bits;
            out->channels = comps;
            return 0;
        }
        if (m == 0xDA) break; /* scan before any frame header */
        pos += 2 + len;
    }
    snprintf(why, 256, "JPEG has no frame header (corrupt file)");
    return -1;
}

oc_status oc_image_decode_by(oc_image_run_fn run, const unsigned char *data, size_t len,
                             oc_image_pixels *out, char *why) {
    oc_image_info info;
    memset(out, 0, sizeof *out);
    memset(&info, 0, sizeof info);
    if (run(data, len, &info, out, why) != 0) {
        oc_image_pixels_free(out);
        return OC_ERR_INPUT;
    }
    return OC_OK;
}

int oc_image_is_gif(const unsigned char *data, size_t len) {
    return len >= 6 && (memcmp(data, "GIF87a", 6) == 0 || memcmp(data, "GIF89a", 6) == 0);
}

oc_image_kind oc_image_sniff(const unsigned char *data, size_t len) {
    if (len >= 8 && data[0] == 0x89 && data[1] == 'P') return OC_IMG_PNG;
    if (len >= 2 && data[0] == 0xFF && data[1] == 0xD8) return OC_IMG_JPEG;
    if (oc_image_is_gif(data, len)) return OC_IMG_GIF;
    if (len >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0)
        return OC_IMG_WEBP;
    if (oc_image_sniff_svg(data, len)) return OC_IMG_SVG;
    return OC_IMG_UNKNOWN;
}

int oc_image_probe(const unsigned char *data, size_t len, oc_image_info *out, char *why) {
    if (len >= 8 && data[0] == 0x89 && data[1] == 'P') return probe_png(data, len, out, why);
    if (len >= 2 && data[0] == 0xFF && data[1] == 0xD8) return probe_jpeg(data, len, out, why);
    if (oc_image_is_gif(data, len)) return oc_image_probe_gif(data, len, out, why);
    if (len >= 12 && memcmp(data, "RIFF", 4) == 0 && memcmp(data + 8, "WEBP", 4) == 0)
        return oc_image_probe_webp(data, len, out, why);
    if (oc_image_sniff_svg(data, len)) return oc_image_probe_svg(data, len, out, why);
    if (len == 0)
        snprintf(why, 256, "the file is empty (not a PNG, JPEG, GIF, WebP or SVG image)");
    else
        snprintf(why, 256, "not a PNG, JPEG, GIF, WebP or SVG image");
    return -1;
}

oc_status oc_image_decode(const unsigned char *data, size_t len, oc_image_pixels *out, char *why) {
    if (oc_image_is_gif(data, len)) return oc_image_decode_gif(data, len, out, why);
    if (len >= 12 && memcmp(data, "RIFF", 4) == 0) return oc_image_decode_webp(data, len, out, why);
    return oc_image_decode_png(data, len, out, why);
}

oc_status oc_image_encode_png(const oc_image_pixels *px, oc_buf *out, char *why) {
    oc_status st = OC_ERR_INPUT;
    int err;
    int ch = px->channels + (px->alpha ? 1 : 0);
    size_t npx = (size_t)px->width * (size_t)px->height;
    unsigned char *buf = NULL;
    spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
    if (!ctx || px->width <= 0 || px->height <= 0 || (px->channels != 1 && px->channels != 3)) {
        snprintf(why, 256, "cannot encode a PNG of these samples");
        goto done;
    }
    buf = malloc(npx * (size_t)ch);
    if (!buf) {
        snprintf(why, 256, "out of memory encoding a PNG");
        goto done;
    }
    for (size_t i = 0; i < npx; i++) {
        memcpy(buf + i * (size_t)ch, px->samples + i * (size_t)px->channels, (size_t)px->channels);
        if (px->alpha) buf[i * (size_t)ch + (size_t)px->channels] = px->alpha[i];
    }
    struct spng_ihdr ihdr;
    memset(&ihdr, 0, sizeof ihdr);
    ihdr.width = (uint32_t)px->width;
    ihdr.height = (uint32_t)px->height;
    ihdr.bit_depth = 8;
    ihdr.color_type =
        px->channels == 1
            ? (px->alpha ? SPNG_COLOR_TYPE_GRAYSCALE_ALPHA : SPNG_COLOR_TYPE_GRAYSCALE)
            : (px->alpha ? SPNG_COLOR_TYPE_TRUECOLOR_ALPHA : SPNG_COLOR_TYPE_TRUECOLOR);
    size_t plen = 0;
    void *png = NULL;
    if ((err = spng_set_option(ctx, SPNG_ENCODE_TO_BUFFER, 1)) != 0 ||
        (err = spng_set_ihdr(ctx, &ihdr)) != 0 ||
        (err = spng_encode_image(ctx, buf, npx * (size_t)ch, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE)) !=
            0 ||
        (png = spng_get_png_buffer(ctx, &plen, &err)) == NULL) {
        snprintf(why, 256, "cannot encode a PNG (%s)", spng_strerror(err));
        goto done;
    }
    oc_buf_append(out, png, plen);
    free(png);
    st = OC_OK;
done:
    free(buf);
    spng_ctx_free(ctx);
    return st;
}
