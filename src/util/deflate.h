/* octavo — deflating whole buffers with libdeflate, one compressor kept
 * between calls. */
#ifndef OCTAVO_UTIL_DEFLATE_H
#define OCTAVO_UTIL_DEFLATE_H

#include "octavo/util.h"

#include <libdeflate.h>
#include <zlib.h>

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

/* Deflates in[0..n) whole into `out` (reset first) at libdeflate's `level`
 * (1 to 12), in zlib's format, or as raw deflate (no header) when
 * window_bits is negative, as deflateInit2 reads it (mem_level is zlib's
 * and ignored); 1 on success, 0 when libdeflate or the buffer fails (`out`
 * then holds nothing useful). */
int oc_deflate(oc_deflater *d, int level, int window_bits, int mem_level, const void *in, size_t n,
               oc_buf *out);
void oc_deflater_end(oc_deflater *d);

#endif
