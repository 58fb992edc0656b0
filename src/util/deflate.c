/* octavo — deflating whole buffers with libdeflate (see deflate.h). */
#include "util/deflate.h"

#include <string.h>

int oc_deflate(oc_deflater *d, int level, oc_deflate_format format, const void *in, size_t n,
               oc_buf *out) {
    oc_buf_reset(out);
    if (n > 0x7FFFFFFF) return 0;
    if (!d->c || d->level != level) {
        if (d->c) libdeflate_free_compressor(d->c);
        d->c = libdeflate_alloc_compressor(level);
        d->level = level;
        if (!d->c) return 0;
    }
    int raw = format == OC_DEFLATE_RAW;
    size_t bound =
        raw ? libdeflate_deflate_compress_bound(d->c, n) : libdeflate_zlib_compress_bound(d->c, n);
    oc_buf_reserve(out, bound);
    if (out->overflow || !out->data) return 0;
    size_t got = raw ? libdeflate_deflate_compress(d->c, n ? in : "", n, out->data, bound)
                     : libdeflate_zlib_compress(d->c, n ? in : "", n, out->data, bound);
    if (!got) return 0;
    out->len = got;
    return 1;
}

void oc_deflater_end(oc_deflater *d) {
    if (d->c) libdeflate_free_compressor(d->c);
    d->c = NULL;
}
