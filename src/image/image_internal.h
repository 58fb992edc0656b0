/* The image module's own seams: each format's check, called by
 * oc_image_probe (image.c) after it has sniffed the bytes. */
#ifndef OCTAVO_IMAGE_INTERNAL_H
#define OCTAVO_IMAGE_INTERNAL_H

#include "octavo/image.h"

int oc_image_probe_gif(const unsigned char *data, size_t len, oc_image_info *info, char *why);
int oc_image_probe_webp(const unsigned char *data, size_t len, oc_image_info *info, char *why);
int oc_image_probe_svg(const unsigned char *data, size_t len, oc_image_info *info, char *why);
/* 1 when the bytes look like XML whose root could be an svg element (after a
 * BOM, blanks, an XML declaration, comments or a DOCTYPE). */
/* The GIF87a / GIF89a signature: one test for sniffing, probing and decoding. */
int oc_image_is_gif(const unsigned char *data, size_t len);
int oc_image_sniff_svg(const unsigned char *data, size_t len);

#endif
