/* Growable byte buffers with a ceiling. */
#include "octavo/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void oc_buf_append_grow(oc_buf *b, const void *data, size_t len) {
    if (!grow(b, len)) return;
    if (len) memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

/* Formats into the room the buffer has first, and only when that is too
 * small grows it and formats again (formatting twice, once to measure,
 * was half of printf's cost where it is called per token). */
void oc_buf_vprintf(oc_buf *b, const char *fmt, va_list ap) {
    if (b->overflow) return;
    size_t room = b->data && b->cap > b->len ? b->cap - b->len : 0;
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(room ? b->data + b->len : NULL, room, fmt, ap2);
    va_end(ap2);
    if (n > 0 && (size_t)n < room) {
        size_t limit = b->limit ? b->limit : OC_BUF_DEFAULT_LIMIT;
        if ((size_t)n <= limit && b->len <= limit - (size_t)n) {
            b->len += (size_t)n; /* (vsnprintf ended it with a NUL) */
            return;
        }
        b->overflow = 1;
    }
    if (room) b->data[b->len] = '\0'; /* what a partial or refused write covered */
    if (n <= 0 || b->overflow || !grow(b, (size_t)n)) return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void oc_buf_putu(oc_buf *b, unsigned long v) {
    char d[24];
    size_t i = sizeof d;
    do {
        d[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    oc_buf_append(b, d + i, sizeof d - i);
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

/* ---- XML text ---------------------------------------------------------------- */

static int is_noncharacter(uint32_t cp) {
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

void oc_buf_xml_escape(oc_buf *b, const char *s, size_t len) {
    size_t i = 0, run = 0; /* run: start of bytes to copy verbatim */
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '&' && c != '<' && c != '>' && c != '"') {
            i++;
            continue;
        }
        if (i > run) oc_buf_append(b, s + run, i - run);
        if (c < 0x80) {
            switch (c) {
            case '&':
                oc_buf_puts(b, "&amp;");
                break;
            case '<':
                oc_buf_puts(b, "&lt;");
                break;
            case '>':
                oc_buf_puts(b, "&gt;");
                break;
            case '"':
                oc_buf_puts(b, "&quot;");
                break;
            case '\t':
            case '\n':
                oc_buf_putc(b, (char)c);
                break;
            case '\r':
                if (i + 1 >= len || s[i + 1] != '\n') oc_buf_putc(b, '\n');
                break;
            default: /* other C0 controls and DEL are not allowed: drop */
                break;
            }
            i++;
        } else {
            size_t start = i;
            uint32_t cp = oc_utf8_next(s, len, &i);
            if (cp >= 0x80 && cp <= 0x9F) {
                /* C1 control: drop */
            } else if (cp == 0xFFFD || is_noncharacter(cp)) {
                oc_buf_puts(b, "\xEF\xBF\xBD");
            } else {
                oc_buf_append(b, s + start, i - start);
            }
        }
        run = i;
    }
    if (i > run) oc_buf_append(b, s + run, i - run);
}
