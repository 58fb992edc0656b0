/* octavo — images: PNG, JPEG, GIF, WebP and SVG files checked by their
 * bytes; PNG, GIF (first frame) and WebP decoded to 8-bit samples, SVG
 * cleaned for the EPUB and rendered to samples for the PDF.
 *
 * This module sits below both the loader (which checks every image once, at
 * load, so that a bad file is an error at the line citing it) and the PDF
 * writer (which draws PNG samples as its own image objects and passes JPEG
 * through as DCT data). PNG goes through libspng, GIF through giflib, WebP
 * through libwebp, SVG through libxml2 (cleaning) and librsvg (drawing);
 * each reports its errors instead of aborting. Nothing here keeps state
 * between calls. */
#ifndef OCTAVO_IMAGE_H
#define OCTAVO_IMAGE_H

#include "octavo/util.h"

#include <stddef.h>

typedef enum {
    OC_IMG_UNKNOWN = 0,
    OC_IMG_PNG,
    OC_IMG_JPEG,
    OC_IMG_GIF,  /* the first frame is what the PDF shows */
    OC_IMG_WEBP, /* lossy or lossless, still or (first frame of) animated */
    OC_IMG_SVG   /* a cleaned document (oc_image_svg_clean) */
} oc_image_kind;

/* The largest PNG, GIF or WebP octavo decodes, in pixels (width x height): 40 million,
 * e.g. 8,000 x 5,000, which is 300 dpi across 67 x 42 cm, more than any
 * page shows. Decoding it takes about 160 MB for one row-converted copy of
 * the samples; larger PNGs are refused at load (scale them down). */
#define OC_IMAGE_MAX_PIXELS 40000000u
/* The largest width or height of any image: PDF readers and EPUB checkers
 * (epubcheck PKG-021) reject images wider or taller than 65,500 pixels. */
#define OC_IMAGE_MAX_SIDE 65500

typedef struct {
    oc_image_kind kind;
    int width, height;  /* pixels */
    int bits, channels; /* PNG bit depth and channels (palette: 1), JPEG components;
                           GIF 8 and 1, WebP 8 and 3 or 4 (alpha), SVG 0 and 0 */
} oc_image_info;

/* Checks an image by its bytes. PNG is decoded in full (one row at a time)
 * so that any error in it is found here; JPEG has its markers walked up to
 * the frame header and its end checked; a GIF's first frame is decoded and
 * the rest of its blocks walked to the trailer; a WebP is decoded; an SVG
 * is cleaned and parsed by librsvg (oc_image_svg_clean), its size being the
 * cleaned document's. Returns 0 and fills `info` when the
 * image is usable, else -1 with a reason in `why` (size 256). */
int oc_image_probe(const unsigned char *data, size_t len, oc_image_info *info, char *why);

/* The kind the bytes look like (signature, or an XML prologue leading to
 * an svg element), without checking further; OC_IMG_UNKNOWN otherwise. */
oc_image_kind oc_image_sniff(const unsigned char *data, size_t len);

/* A PNG decoded to 8 bits per sample, rows top to bottom, no padding. */
typedef struct {
    int width, height;
    int channels;           /* 1 (grey) or 3 (RGB; palettes are expanded) */
    unsigned char *samples; /* width * height * channels */
    unsigned char *alpha;   /* width * height, or NULL when every pixel is opaque */
    unsigned char *icc;     /* the embedded ICC profile when it is one for this */
    size_t icc_len;         /* colour space (GRAY for 1 channel, RGB for 3), else NULL */
} oc_image_pixels;

/* Decodes a PNG: 16-bit samples are reduced to 8 bits, tRNS colour keys and
 * palette transparency become alpha, gamma (gAMA) is not applied. Returns
 * OC_OK and fills `out` (free with oc_image_pixels_free), or OC_ERR_INPUT
 * with a reason in `why` (size 256) and `out` zeroed. The same checks as
 * oc_image_probe apply, including OC_IMAGE_MAX_PIXELS. */
oc_status oc_image_decode_png(const unsigned char *data, size_t len, oc_image_pixels *out,
                              char *why);

/* Decodes the first frame of a GIF: the logical screen, transparent where
 * the frame does not cover it or where its transparent index is, palette
 * expanded to RGB. The same contract as oc_image_decode_png. */
oc_status oc_image_decode_gif(const unsigned char *data, size_t len, oc_image_pixels *out,
                              char *why);
/* Decodes a WebP (the first frame when animated) to RGB and alpha. */
oc_status oc_image_decode_webp(const unsigned char *data, size_t len, oc_image_pixels *out,
                               char *why);
/* Any decodable kind (PNG, GIF, WebP) by its bytes; SVG is drawn by
 * oc_image_render_svg instead, JPEG passed through. */
oc_status oc_image_decode(const unsigned char *data, size_t len, oc_image_pixels *out, char *why);

/* Encodes 8-bit samples (and alpha) as a PNG into `out` (what the EPUB
 * carries for a WebP, which EPUB 3.2 readers need not show). */
oc_status oc_image_encode_png(const oc_image_pixels *px, oc_buf *out, char *why);

void oc_image_pixels_free(oc_image_pixels *p);

/* ---- SVG ------------------------------------------------------------------ */

/* The largest raster an SVG is drawn into for the PDF, in pixels: a full
 * A4 text block at 300 dpi is about 5.3 million. A larger request (an image
 * drawn over a huge page) is scaled down to this, with a warning. */
#define OC_SVG_MAX_RASTER 16000000u

/* What cleaning took out of an SVG, counted for one warning. */
typedef struct {
    int scripts;      /* script elements */
    int events;       /* on* attributes */
    int external;     /* href / url() / @import pointing outside the file */
    int foreign;      /* foreignObject, elements and attributes of other namespaces */
    int instructions; /* processing instructions (xml-stylesheet) */
} oc_svg_removed;

/* An SVG made safe to carry: parsed by libxml2 with no network, no entity
 * substitution and no DTD loading; a DOCTYPE is dropped, and a document
 * declaring entities is refused (what a billion-laughs file is). Taken out:
 * script, foreignObject, elements outside the SVG namespace, processing
 * instructions, every on* attribute, attributes of other namespaces, any
 * href that is not a fragment (#id) or, on an image, a data: PNG, JPEG or
 * GIF that oc_image_probe accepts, any attribute or style sheet with a
 * url() or @import leading out of the file (an image or use left without
 * its href goes too). The root gets a viewBox (from its size when it had
 * none) and its width and height in px, from the given width/height
 * (px, pt, pc, in, cm, mm, em, ex) or, failing them, the viewBox.
 * Returns OC_OK with `svg` (malloc'd, free()) the cleaned document, `width`
 * and `height` the size in CSS px (at least 1, at most OC_IMAGE_MAX_SIDE,
 * proportionally), and `removed` counted (may be NULL); else OC_ERR_INPUT
 * with a reason in `why` (size 256). librsvg parses the cleaned document
 * too, so what it refuses is refused here. */
oc_status oc_image_svg_clean(const unsigned char *data, size_t len, unsigned char **svg,
                             size_t *svg_len, int *width, int *height, oc_svg_removed *removed,
                             char *why);

/* Draws an SVG with librsvg into a width x height raster (8-bit RGB and
 * alpha, unpremultiplied). librsvg is given the bytes only, with no base
 * file or URI, so it resolves no reference outside them (only data: URLs;
 * see the README); oc_image_svg_clean has removed those already. The size
 * must be at most OC_SVG_MAX_RASTER pixels. With `fonts_dir` (the bundled
 * fonts), text is set in those fonts only: the process's fontconfig
 * configuration is replaced by one holding them (process-wide state, made
 * once per folder); NULL leaves fontconfig as the system has it. */
oc_status oc_image_render_svg(const unsigned char *data, size_t len, int width, int height,
                              const char *fonts_dir, oc_image_pixels *out, char *why);

#endif
