/* Images are checked by their bytes, once, at load: a corrupt or unsupported
 * file is an error at the line that cites it, before libharu ever sees it. */
#include "octavo/book.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static uint32_t be32(const unsigned char *p) {
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int png_channels(int color_type) {
    switch (color_type) {
    case 0:
        return 1; /* grey */
    case 2:
        return 3; /* RGB */
    case 3:
        return 1; /* palette */
    case 4:
        return 2; /* grey + alpha */
    case 6:
        return 4; /* RGBA */
    default:
        return 0;
    }
}

/* Walks every chunk (lengths and CRCs), then inflates the image data and
 * checks it holds exactly the bytes the header promises. */
static int probe_png(const unsigned char *d, size_t n, oc_asset *out, char *why) {
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (n < 8 + 25 || memcmp(d, sig, 8) != 0) {
        snprintf(why, 256, "not a PNG file");
        return -1;
    }
    size_t pos = 8;
    int seen_ihdr = 0, seen_idat = 0, seen_iend = 0, seen_plte = 0;
    uint32_t w = 0, h = 0;
    int depth = 0, ctype = 0, interlace = 0;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    int zinit = 0, zdone = 0, rc = -1;
    uint64_t expected = 0, inflated = 0;
    unsigned char scratch[16384];

    while (pos + 12 <= n && !seen_iend) {
        uint32_t len = be32(d + pos);
        const unsigned char *type = d + pos + 4;
        if (len > n - pos - 12) {
            snprintf(why, 256, "PNG chunk runs past the end of the file (truncated?)");
            goto done;
        }
        const unsigned char *body = d + pos + 8;
        uint32_t crc = (uint32_t)crc32(0L, type, len + 4);
        if (crc != be32(body + len)) {
            char name[5];
            for (int i = 0; i < 4; i++) /* the type may be garbage: show it printable */
                name[i] = type[i] >= 0x20 && type[i] < 0x7F ? (char)type[i] : '?';
            name[4] = '\0';
            snprintf(why, 256, "PNG chunk %s has a bad checksum (corrupt file)", name);
            goto done;
        }
        if (!seen_ihdr && memcmp(type, "IHDR", 4) != 0) {
            snprintf(why, 256, "PNG does not start with its header chunk");
            goto done;
        }
        if (memcmp(type, "IHDR", 4) == 0) {
            if (len != 13 || seen_ihdr) {
                snprintf(why, 256, "PNG header chunk is malformed");
                goto done;
            }
            seen_ihdr = 1;
            w = be32(body);
            h = be32(body + 4);
            depth = body[8];
            ctype = body[9];
            interlace = body[12];
            int ch = png_channels(ctype);
            int depth_ok = depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
            if (!ch || !depth_ok || body[10] != 0 || body[11] != 0 || interlace > 1) {
                snprintf(why, 256, "PNG header has an unsupported format");
                goto done;
            }
            if (w == 0 || h == 0 || w > 20000 || h > 20000) {
                snprintf(why, 256, "PNG size %ux%u is out of range (1 to 20000 pixels)", w, h);
                goto done;
            }
            uint64_t row = ((uint64_t)w * (uint64_t)ch * (uint64_t)depth + 7) / 8;
            if (interlace) {
                /* Adam7: sum the seven reduced images */
                static const int xs[7] = {0, 4, 0, 2, 0, 1, 0}, ys[7] = {0, 0, 4, 0, 2, 0, 1};
                static const int dx[7] = {8, 8, 4, 4, 2, 2, 1}, dy[7] = {8, 8, 8, 4, 4, 2, 2};
                expected = 0;
                for (int p = 0; p < 7; p++) {
                    uint64_t pw = w > (uint32_t)xs[p] ? (w - xs[p] + dx[p] - 1) / dx[p] : 0;
                    uint64_t ph = h > (uint32_t)ys[p] ? (h - ys[p] + dy[p] - 1) / dy[p] : 0;
                    if (pw && ph) expected += ph * (1 + (pw * ch * depth + 7) / 8);
                }
            } else {
                expected = (uint64_t)h * (row + 1);
            }
        } else if (memcmp(type, "PLTE", 4) == 0) {
            seen_plte = 1;
        } else if (memcmp(type, "IDAT", 4) == 0) {
            seen_idat = 1;
            if (!zinit) {
                if (inflateInit(&zs) != Z_OK) {
                    snprintf(why, 256, "cannot start the PNG decompressor");
                    goto done;
                }
                zinit = 1;
            }
            zs.next_in = (unsigned char *)body;
            zs.avail_in = len;
            while (zs.avail_in > 0 && !zdone) {
                zs.next_out = scratch;
                zs.avail_out = sizeof scratch;
                int z = inflate(&zs, Z_NO_FLUSH);
                inflated += sizeof scratch - zs.avail_out;
                if (z == Z_STREAM_END) {
                    zdone = 1;
                } else if (z != Z_OK && z != Z_BUF_ERROR) {
                    snprintf(why, 256, "PNG image data is corrupt (%s)", zs.msg ? zs.msg : "zlib");
                    goto done;
                }
                if (inflated > expected) break;
            }
        } else if (memcmp(type, "IEND", 4) == 0) {
            seen_iend = 1;
        }
        pos += 12 + (size_t)len;
    }
    if (!seen_ihdr || !seen_idat || !seen_iend) {
        snprintf(why, 256, "PNG is truncated or lacks image data");
        goto done;
    }
    if (ctype == 3 && !seen_plte) {
        snprintf(why, 256, "palette PNG has no palette");
        goto done;
    }
    if (!zdone || inflated != expected) {
        snprintf(why, 256, "PNG image data is incomplete or corrupt");
        goto done;
    }
    out->kind = OC_IMG_PNG;
    out->width = (int)w;
    out->height = (int)h;
    out->bits = depth;
    out->channels = png_channels(ctype);
    rc = 0;
done:
    if (zinit) inflateEnd(&zs);
    return rc;
}

/* Walks the JPEG markers up to the frame header and checks the file ends
 * with an EOI marker (a truncated download is the common corruption). */
static int probe_jpeg(const unsigned char *d, size_t n, oc_asset *out, char *why) {
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

int oc_image_probe(const unsigned char *data, size_t len, oc_asset *out, char *why) {
    if (len >= 8 && data[0] == 0x89 && data[1] == 'P') return probe_png(data, len, out, why);
    if (len >= 2 && data[0] == 0xFF && data[1] == 0xD8) return probe_jpeg(data, len, out, why);
    if (len >= 6 && memcmp(data, "GIF8", 4) == 0)
        snprintf(why, 256, "GIF images are not supported (use PNG or JPEG)");
    else if (len >= 5 && (memcmp(data, "<?xml", 5) == 0 || memcmp(data, "<svg", 4) == 0))
        snprintf(why, 256, "SVG images are not supported (use PNG or JPEG)");
    else
        snprintf(why, 256, "not a PNG or JPEG image");
    return -1;
}
