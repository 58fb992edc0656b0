/* GIF through giflib: the first frame is decoded (what a page can show of an
 * animation), every later frame's blocks are walked without decoding them,
 * so a file cut short anywhere is an error at load, not a half-drawn image
 * or a surprise in the reader. The EPUB carries the file as it is (GIF is
 * an EPUB core media type); the PDF gets the first frame's pixels. */
#include "image/image_internal.h"
#include "octavo/image.h"

#include <gif_lib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Frames walked at most: a GIF's frames cost nothing to skip, but a file of
 * tiny frames could still make the walk long. */
#define GIF_MAX_FRAMES 100000

typedef struct {
    const unsigned char *d;
    size_t n, pos;
    int short_read; /* a read ran past the end: whatever giflib says, truncated */
} gif_src;

static int gif_read(GifFileType *g, GifByteType *buf, int want) {
    gif_src *s = g->UserData;
    size_t k = want > 0 ? (size_t)want : 0;
    if (k > s->n - s->pos) {
        k = s->n - s->pos;
        s->short_read = 1;
    }
    memcpy(buf, s->d + s->pos, k);
    s->pos += k;
    return (int)k;
}

static void gif_why(int err, char *why) {
    switch (err) {
    case D_GIF_ERR_NOT_GIF_FILE:
        snprintf(why, 256, "not a GIF file");
        return;
    case D_GIF_ERR_READ_FAILED:
    case D_GIF_ERR_EOF_TOO_SOON:
        snprintf(why, 256, "GIF is truncated (the file ends early)");
        return;
    case D_GIF_ERR_NO_COLOR_MAP:
        snprintf(why, 256, "GIF frame has no colour table (corrupt file)");
        return;
    case D_GIF_ERR_NOT_ENOUGH_MEM:
        snprintf(why, 256, "out of memory reading a GIF");
        return;
    case D_GIF_ERR_WRONG_RECORD:
    case D_GIF_ERR_NO_SCRN_DSCR:
    case D_GIF_ERR_NO_IMAG_DSCR:
        snprintf(why, 256, "GIF has a damaged block structure (corrupt file)");
        return;
    case D_GIF_ERR_IMAGE_DEFECT:
    case D_GIF_ERR_DATA_TOO_BIG:
        snprintf(why, 256, "GIF image data is corrupt");
        return;
    default:
        break;
    }
    const char *m = GifErrorString(err);
    snprintf(why, 256, "GIF is corrupt (%s)", m ? m : "unknown error");
}

static int too_big(long w, long h, char *why) {
    if (w > OC_IMAGE_MAX_SIDE || h > OC_IMAGE_MAX_SIDE ||
        (uint64_t)w * (uint64_t)h > (uint64_t)OC_IMAGE_MAX_PIXELS) {
        snprintf(why, 256,
                 "GIF is %ldx%ld pixels, over octavo's limit of %u million pixels and %d pixels a "
                 "side (scale it down)",
                 w, h, OC_IMAGE_MAX_PIXELS / 1000000, OC_IMAGE_MAX_SIDE);
        return 1;
    }
    return 0;
}

/* Reads the GIF; with `px` fills the first frame's pixels, else only checks. */
static int gif_run(const unsigned char *d, size_t n, oc_image_info *info, oc_image_pixels *px,
                   char *why) {
    int rc = -1, err = 0, frames = 0, transparent = -1;
    why[0] = '\0';
    if (!oc_image_is_gif(d, n)) { /* giflib itself only looks at "GIF" */
        snprintf(why, 256, "not a GIF image (no GIF87a or GIF89a signature)");
        return -1;
    }
    unsigned char *idx = NULL;
    gif_src src = {d, n, 0, 0};
    GifFileType *g = DGifOpen(&src, gif_read, &err);
    if (!g) {
        gif_why(src.short_read ? D_GIF_ERR_EOF_TOO_SOON : err, why);
        return -1;
    }
    long sw = g->SWidth, sh = g->SHeight;
    if (sw <= 0 || sh <= 0) {
        snprintf(why, 256, "GIF has an empty logical screen (%ldx%ld)", sw, sh);
        goto done;
    }
    if (too_big(sw, sh, why)) goto done;
    GifRecordType rt;
    do {
        if (DGifGetRecordType(g, &rt) == GIF_ERROR) {
            gif_why(g->Error, why);
            goto done;
        }
        if (rt == EXTENSION_RECORD_TYPE) {
            int code;
            GifByteType *ext;
            if (DGifGetExtension(g, &code, &ext) == GIF_ERROR) {
                gif_why(g->Error, why);
                goto done;
            }
            int first = 1;
            while (ext) {
                /* the graphic control block before the first frame says
                 * which index is transparent */
                if (first && code == GRAPHICS_EXT_FUNC_CODE && frames == 0 && ext[0] >= 4) {
                    GraphicsControlBlock gcb;
                    if (DGifExtensionToGCB(ext[0], ext + 1, &gcb) == GIF_OK)
                        transparent = gcb.TransparentColor;
                }
                first = 0;
                if (DGifGetExtensionNext(g, &ext) == GIF_ERROR) {
                    gif_why(g->Error, why);
                    goto done;
                }
            }
        } else if (rt == IMAGE_DESC_RECORD_TYPE) {
            if (DGifGetImageDesc(g) == GIF_ERROR) {
                gif_why(g->Error, why);
                goto done;
            }
            if (++frames > GIF_MAX_FRAMES) {
                snprintf(why, 256, "GIF has more than %d frames", GIF_MAX_FRAMES);
                goto done;
            }
            const GifImageDesc *f = &g->Image;
            long fw = f->Width, fh = f->Height;
            if (fw <= 0 || fh <= 0 || f->Left < 0 || f->Top < 0 || too_big(fw, fh, why)) {
                if (!why[0]) snprintf(why, 256, "GIF frame %d is empty", frames);
                goto done;
            }
            if (frames > 1) {
                /* later frames: their compressed blocks are read, not decoded */
                int cs;
                GifByteType *code;
                if (DGifGetCode(g, &cs, &code) == GIF_ERROR) {
                    gif_why(g->Error, why);
                    goto done;
                }
                while (code)
                    if (DGifGetCodeNext(g, &code) == GIF_ERROR) {
                        gif_why(g->Error, why);
                        goto done;
                    }
                continue;
            }
            const ColorMapObject *cm = f->ColorMap ? f->ColorMap : g->SColorMap;
            if (!cm || !cm->Colors || cm->ColorCount <= 0) {
                gif_why(D_GIF_ERR_NO_COLOR_MAP, why);
                goto done;
            }
            /* the frame, row by row (interlaced GIFs in their four passes) */
            idx = malloc((size_t)fw * (size_t)fh);
            if (!idx) {
                gif_why(D_GIF_ERR_NOT_ENOUGH_MEM, why);
                goto done;
            }
            static const int start[4] = {0, 4, 2, 1}, step[4] = {8, 8, 4, 2};
            int passes = f->Interlace ? 4 : 1;
            for (int p = 0; p < passes; p++) {
                int y0 = f->Interlace ? start[p] : 0, dy = f->Interlace ? step[p] : 1;
                for (long y = y0; y < fh; y += dy)
                    if (DGifGetLine(g, idx + (size_t)y * (size_t)fw, (int)fw) == GIF_ERROR) {
                        gif_why(g->Error, why);
                        goto done;
                    }
            }
            if (px) {
                size_t npx = (size_t)sw * (size_t)sh;
                px->width = (int)sw;
                px->height = (int)sh;
                px->channels = 3;
                px->samples = calloc(npx, 3);
                px->alpha = calloc(npx, 1); /* uncovered screen: transparent */
                if (!px->samples || !px->alpha) {
                    gif_why(D_GIF_ERR_NOT_ENOUGH_MEM, why);
                    goto done;
                }
                for (long y = 0; y < fh && f->Top + y < sh; y++)
                    for (long x = 0; x < fw && f->Left + x < sw; x++) {
                        int c = idx[(size_t)y * (size_t)fw + (size_t)x];
                        size_t o = (size_t)(f->Top + y) * (size_t)sw + (size_t)(f->Left + x);
                        if (c == transparent) continue;
                        if (c >= cm->ColorCount) c = 0; /* out of the table: its first colour */
                        px->samples[o * 3] = cm->Colors[c].Red;
                        px->samples[o * 3 + 1] = cm->Colors[c].Green;
                        px->samples[o * 3 + 2] = cm->Colors[c].Blue;
                        px->alpha[o] = 255;
                    }
            }
            free(idx);
            idx = NULL;
        }
    } while (rt != TERMINATE_RECORD_TYPE);
    if (frames == 0) {
        snprintf(why, 256, "GIF has no image in it");
        goto done;
    }
    if (px && px->alpha) {
        size_t i = 0, npx = (size_t)sw * (size_t)sh;
        while (i < npx && px->alpha[i] == 255)
            i++;
        if (i == npx) {
            free(px->alpha);
            px->alpha = NULL;
        }
    }
    info->kind = OC_IMG_GIF;
    info->width = (int)sw;
    info->height = (int)sh;
    info->bits = 8;
    info->channels = 1;
    rc = 0;
done:
    if (rc != 0 && src.short_read) gif_why(D_GIF_ERR_EOF_TOO_SOON, why);
    free(idx);
    DGifCloseFile(g, &err);
    return rc;
}

int oc_image_probe_gif(const unsigned char *data, size_t len, oc_image_info *info, char *why) {
    return gif_run(data, len, info, NULL, why);
}

oc_status oc_image_decode_gif(const unsigned char *data, size_t len, oc_image_pixels *out,
                              char *why) {
    return oc_image_decode_by(gif_run, data, len, out, why);
}
