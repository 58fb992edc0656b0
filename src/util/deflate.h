/* octavo — deflating whole buffers with one zlib stream kept between calls. */
#ifndef OCTAVO_UTIL_DEFLATE_H
#define OCTAVO_UTIL_DEFLATE_H

#include "octavo/util.h"

#include <zlib.h>

/* A stream set up at the first call and reset (deflateReset) for each
 * later one: the bytes are those of a new stream with the same settings,
 * without allocating and clearing zlib's tables (some 256 KB) every time.
 * One thread at a time. Zero-initialise, then oc_deflater_end. */
typedef struct {
    z_stream zs;
    int ready;
} oc_deflater;

/* Deflates in[0..n) whole into `out` (reset first) with deflateInit2's
 * level, windowBits (negative: raw deflate, no zlib header) and memLevel,
 * the default strategy; 1 on success, 0 when zlib or the buffer fails
 * (`out` then holds nothing useful). The settings are the first call's. */
int oc_deflate(oc_deflater *d, int level, int window_bits, int mem_level, const void *in, size_t n,
               oc_buf *out);
void oc_deflater_end(oc_deflater *d);

#endif
