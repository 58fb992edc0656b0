/* octavo — deflating whole buffers with libdeflate, one compressor kept
 * between calls. */
#ifndef OCTAVO_UTIL_DEFLATE_H
#define OCTAVO_UTIL_DEFLATE_H

#include "octavo/util.h"

#include <libdeflate.h>

/* A libdeflate compressor made at the first call and kept for the later
 * ones at the same level (remade when the level changes), so that its
 * tables are not allocated every time; the output depends only on the
 * input and the level. One thread at a time. Zero-initialise, then
 * oc_deflater_end. libdeflate compresses a whole buffer at once, as every
 * caller here has it, about twice as fast as zlib for the same or smaller
 * output (README: Speed). */
typedef struct {
    struct libdeflate_compressor *c;
    int level;
} oc_deflater;

/* What oc_deflate writes: zlib's format (a PDF's FlateDecode) or raw
 * deflate with no header (a zip entry). */
typedef enum { OC_DEFLATE_ZLIB, OC_DEFLATE_RAW } oc_deflate_format;

/* Deflates in[0..n) whole into `out` (reset first) at libdeflate's `level`
 * (1 to 12) in `format`; 1 on success, 0 when libdeflate or the buffer
 * fails (`out` then holds nothing useful). */
int oc_deflate(oc_deflater *d, int level, oc_deflate_format format, const void *in, size_t n,
               oc_buf *out);
void oc_deflater_end(oc_deflater *d);

#endif
