/* The diagnostics sink. */
#include "octavo/diag.h"
#include "octavo/util.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void oc_diag_init(oc_diag *d, FILE *stream) {
    memset(d, 0, sizeof *d);
    d->stream = stream;
}

void oc_diag_free(oc_diag *d) {
    for (size_t i = 0; i < d->count; i++) {
        free(d->items[i].file);
        free(d->items[i].message);
    }
    free(d->items);
    memset(d, 0, sizeof *d);
}

static const char *severity_name(oc_severity s) {
    switch (s) {
    case OC_ERROR:
        return "error";
    case OC_WARNING:
        return "warning";
    default:
        return "note";
    }
}

void oc_diag_format(const oc_diagnostic *it, char *out, size_t n) {
    const char *file = it->file ? it->file : "octavo";
    if (it->file && it->line > 0)
        snprintf(out, n, "%s:%d:%d: %s: %s", file, it->line, it->column > 0 ? it->column : 1,
                 severity_name(it->severity), it->message);
    else
        snprintf(out, n, "%s: %s: %s", file, severity_name(it->severity), it->message);
}

/* A copy of s safe to print on a terminal: control characters (C0, DEL and
 * the C1 range, which terminals take for escape sequences) and bytes that
 * are not UTF-8 become \xNN; line ends become spaces so that each message
 * stays one line; tabs stay. malloc'd. */
char *oc_diag_escape(const char *s) {
    size_t len = strlen(s);
    char *out = oc_xmalloc(len * 4 + 1);
    size_t o = 0, i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t j = i;
        uint32_t cp = oc_utf8_next(s, len, &j);
        int invalid = cp == 0xFFFD && j == i + 1;
        if (c == '\n' || c == '\r') {
            out[o++] = ' ';
        } else if (invalid || (cp < 0x20 && c != '\t') || (cp >= 0x7F && cp <= 0x9F)) {
            for (size_t k = i; k < j; k++) {
                snprintf(out + o, 5, "\\x%02x", (unsigned char)s[k]);
                o += 4;
            }
        } else {
            memcpy(out + o, s + i, j - i);
            o += j - i;
        }
        i = j;
    }
    out[o] = '\0';
    return out;
}

void oc_diag_report(oc_diag *d, oc_severity sev, const char *file, int line, int column,
                    const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    if (sev == OC_ERROR) d->errors++;
    if (sev == OC_WARNING) d->warnings++;

    oc_diagnostic it = {sev, file ? oc_diag_escape(file) : NULL, line, column, oc_diag_escape(msg)};
    if (d->stream && (sev == OC_ERROR || !d->quiet)) {
        /* a book with 20,000 broken links should not print 20,000 lines */
        if (d->printed >= (d->max_printed ? d->max_printed : 100)) {
            d->unprinted++;
        } else {
            /* not through a fixed buffer: an escaped line may be 4 times as long */
            fprintf(d->stream, "%s", it.file ? it.file : "octavo");
            if (it.file && it.line > 0)
                fprintf(d->stream, ":%d:%d", it.line, it.column > 0 ? it.column : 1);
            fprintf(d->stream, ": %s: %s\n", severity_name(it.severity), it.message);
            d->printed++;
        }
    }
    size_t max = d->max_kept ? d->max_kept : 10000;
    if (d->count >= max) {
        free(it.file);
        free(it.message);
        return;
    }
    if (d->count == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->items = oc_xrealloc(d->items, d->cap * sizeof *d->items);
    }
    d->items[d->count++] = it;
}

int oc_diag_contains(const oc_diag *d, const char *needle) {
    for (size_t i = 0; i < d->count; i++) {
        char text[1400];
        oc_diag_format(&d->items[i], text, sizeof text);
        if (strstr(text, needle)) return 1;
    }
    return 0;
}

void oc_diag_summary(oc_diag *d) {
    if (!d->stream || !d->unprinted) return;
    fprintf(d->stream,
            "octavo: note: %zu more messages not shown (%d errors, %d warnings in all)\n",
            d->unprinted, d->errors, d->warnings);
    d->unprinted = 0;
}
