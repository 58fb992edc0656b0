/* Growable byte buffers with a ceiling. */
#include "octavo/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OC_BUF_DEFAULT_LIMIT ((size_t)1 << 30)

void oc_buf_init(oc_buf *b) {
    memset(b, 0, sizeof *b);
}

void oc_buf_free(oc_buf *b) {
    free(b->data);
    memset(b, 0, sizeof *b);
}

void oc_buf_reset(oc_buf *b) {
    b->len = 0;
    b->overflow = 0;
    if (b->data) b->data[0] = '\0';
}

/* Makes room for `extra` more bytes plus the terminator; returns 0 when the
 * ceiling would be passed. */
static int grow(oc_buf *b, size_t extra) {
    size_t limit = b->limit ? b->limit : OC_BUF_DEFAULT_LIMIT;
    if (b->overflow || extra > limit || b->len > limit - extra) {
        b->overflow = 1;
        return 0;
    }
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return 1;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    b->data = oc_xrealloc(b->data, cap);
    b->cap = cap;
    return 1;
}

void oc_buf_reserve(oc_buf *b, size_t extra) {
    grow(b, extra);
}

void oc_buf_append(oc_buf *b, const void *data, size_t len) {
    if (!grow(b, len)) return;
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void oc_buf_puts(oc_buf *b, const char *s) {
    oc_buf_append(b, s, strlen(s));
}

void oc_buf_putc(oc_buf *b, char c) {
    oc_buf_append(b, &c, 1);
}

void oc_buf_vprintf(oc_buf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n <= 0 || !grow(b, (size_t)n)) return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void oc_buf_printf(oc_buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    oc_buf_vprintf(b, fmt, ap);
    va_end(ap);
}

char *oc_buf_detach(oc_buf *b, size_t *len) {
    char *p = b->data ? b->data : oc_xcalloc(1, 1);
    if (len) *len = b->len;
    memset(b, 0, sizeof *b);
    return p;
}
