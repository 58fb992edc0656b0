/* octavo — images: PNG and JPEG files checked by their bytes, and PNG
 * decoded to 8-bit samples.
 *
 * This module sits below both the loader (which checks every image once, at
 * load, so that a bad file is an error at the line citing it) and the PDF
 * writer (which draws PNG samples as its own image objects and passes JPEG
 * through as DCT data). PNG goes through libspng, which reports every error
 * it finds instead of aborting. Nothing here keeps state between calls. */
#ifndef OCTAVO_IMAGE_H
#define OCTAVO_IMAGE_H

#include "octavo/util.h"

#include <stddef.h>

typedef enum { OC_IMG_UNKNOWN = 0, OC_IMG_PNG, OC_IMG_JPEG } oc_image_kind;

/* The largest PNG octavo decodes, in pixels (width x height): 40 million,
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
    int bits, channels; /* PNG bit depth and channels (palette: 1), JPEG components */
} oc_image_info;

/* Checks an image by its bytes. PNG is decoded in full (one row at a time)
 * so that any error in it is found here; JPEG has its markers walked up to
 * the frame header and its end checked. Returns 0 and fills `info` when the
 * image is usable, else -1 with a reason in `why` (size 256). */
int oc_image_probe(const unsigned char *data, size_t len, oc_image_info *info, char *why);

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

void oc_image_pixels_free(oc_image_pixels *p);

#endif
