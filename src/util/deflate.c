/* Deflating whole buffers with one zlib stream kept between calls. */
#include "util/deflate.h"

#include <string.h>

int oc_deflate(oc_deflater *d, int level, int window_bits, int mem_level, const void *in, size_t n,
               oc_buf *out) {
    oc_buf_reset(out);
    if (n > 0x7FFFFFFF) return 0;
    if (!d->ready) {
        memset(&d->zs, 0, sizeof d->zs);
        if (deflateInit2(&d->zs, level, Z_DEFLATED, window_bits, mem_level, Z_DEFAULT_STRATEGY) !=
            Z_OK)
            return 0;
        d->ready = 1;
    } else if (deflateReset(&d->zs) != Z_OK) {
        return 0;
    }
    uLong bound = deflateBound(&d->zs, (uLong)n);
    oc_buf_reserve(out, bound);
    if (out->overflow || !out->data) return 0;
    d->zs.next_in = (Bytef *)(n ? in : "");
    d->zs.avail_in = (uInt)n;
    d->zs.next_out = (Bytef *)out->data;
    d->zs.avail_out = (uInt)bound;
    if (deflate(&d->zs, Z_FINISH) != Z_STREAM_END) return 0;
    out->len = d->zs.total_out;
    return 1;
}

void oc_deflater_end(oc_deflater *d) {
    if (d->ready) deflateEnd(&d->zs);
    d->ready = 0;
}
