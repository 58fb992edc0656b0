/* The image module's own seams: each format's check, called by
 * oc_image_probe (image.c) after it has sniffed the bytes. */
#ifndef OCTAVO_IMAGE_INTERNAL_H
#define OCTAVO_IMAGE_INTERNAL_H

#include "octavo/image.h"

int oc_image_probe_gif(const unsigned char *data, size_t len, oc_image_info *info, char *why);
int oc_image_probe_webp(const unsigned char *data, size_t len, oc_image_info *info, char *why);
int oc_image_probe_svg(const unsigned char *data, size_t len, oc_image_info *info, char *why);
/* A decoder's one pass: fills info, and px when it is not NULL (probing
 * passes NULL); 0 or -1 with `why` filled. */
typedef int (*oc_image_run_fn)(const unsigned char *data, size_t len, oc_image_info *info,
                               oc_image_pixels *px, char *why);
/* Decoding through such a pass: `out` zeroed first, freed again on failure. */
oc_status oc_image_decode_by(oc_image_run_fn run, const unsigned char *data, size_t len,
                             oc_image_pixels *out, char *why);

/* The GIF87a / GIF89a signature: one test for sniffing, probing and decoding. */
int oc_image_is_gif(const unsigned char *data, size_t len);
/* 1 when the bytes look like XML whose root could be an svg element (after a
 * BOM, blanks, an XML declaration, comments or a DOCTYPE). */
int oc_image_sniff_svg(const unsigned char *data, size_t len);

#endif
