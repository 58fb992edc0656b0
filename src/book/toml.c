/* A strict TOML 1.0 reader for book.toml (see toml.h). One pass over the
 * bytes with a position that knows its line; no recursion deeper than
 * TOML_MAX_DEPTH; every error is the first one met, with its place. */
#include "book/toml.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TOML_MAX_DEPTH 64

typedef struct {
    const char **slots;
    size_t cap, count;
} name_set;

typedef struct {
    oc_arena *a;
    const char *s;
    size_t n, i;
    int line;
    size_t line_start;
    int failed, eline, ecol;
    size_t col_line, col_at; /* column_at's last answer: col at col_at on the */
    int col;                 /* line starting at col_line */
    char *msg;
    size_t msgsize;
    name_set names; /* "K\x1ftable\x1fkey" and "T\x1ftable" already defined */
    const char *table;
    int array_table; /* inside [[name]]: keys repeat from one element to the next */
    oc_toml_each each;
    void *arg;
} tp;

/* The 1-based column (in code points) of `at` on the current line. Values
 * are asked for in increasing order, so the count goes on from the last
 * one asked on the same line: a line of a million values costs linear time. */
static int column_at(tp *P, size_t at) {
    size_t k = P->line_start;
    int col = 1;
    if (P->col_line == P->line_start && P->col_at <= at) k = P->col_at, col = P->col;
    for (; k < at && k < P->n; k++)
        if (((unsigned char)P->s[k] & 0xC0) != 0x80) col++;
    P->col_line = P->line_start;
    P->col_at = k;
    P->col = col;
    return col;
}

static int fail(tp *P, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(tp *P, const char *fmt, ...) {
    if (P->failed) return -1;
    P->failed = 1;
    P->eline = P->line;
    P->ecol = column_at(P, P->i);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(P->msg, P->msgsize, fmt, ap);
    va_end(ap);
    return -1;
}

static int at_end(const tp *P) {
    return P->i >= P->n;
}
static char peek(const tp *P) {
    return P->i < P->n ? P->s[P->i] : '\0';
}
static char peek_at(const tp *P, size_t k) {
    return P->i + k < P->n ? P->s[P->i + k] : '\0';
}

/* Advances one byte, keeping the line count. */
static void step(tp *P) {
    if (P->i >= P->n) return;
    if (P->s[P->i] == '\n') {
        P->line++;
        P->line_start = P->i + 1;
    }
    P->i++;
}

static int is_newline(const tp *P) {
    return peek(P) == '\n' || (peek(P) == '\r' && peek_at(P, 1) == '\n');
}

static void skip_newline(tp *P) {
    if (peek(P) == '\r') step(P);
    step(P);
}

static void skip_ws(tp *P) {
    while (peek(P) == ' ' || peek(P) == '\t')
        step(P);
}

static int is_control(unsigned char c) {
    return (c < 0x20 && c != '\t') || c == 0x7F;
}

static int skip_comment(tp *P) {
    if (peek(P) != '#') return 0;
    while (!at_end(P) && !is_newline(P)) {
        if (is_control((unsigned char)peek(P)))
            return fail(P, "control character U+%04X in a comment", (unsigned)peek(P));
        step(P);
    }
    return 0;
}

/* After a key/value pair or a table header: blanks, a comment, the line's end. */
static int end_of_line(tp *P) {
    skip_ws(P);
    if (skip_comment(P)) return -1;
    if (at_end(P)) return 0;
    if (is_newline(P)) {
        skip_newline(P);
        return 0;
    }
    return fail(P, "expected the end of the line, found '%c'", peek(P));
}

/* Blanks, comments and newlines (inside arrays). */
static int skip_ws_nl(tp *P) {
    for (;;) {
        skip_ws(P);
        if (skip_comment(P)) return -1;
        if (is_newline(P))
            skip_newline(P);
        else
            return 0;
    }
}

/* ---- name set ----------------------------------------------------------- */

/* Adds s; returns 1 when it was new, 0 when already there. */
static int names_add(tp *P, const char *s) {
    name_set *S = &P->names;
    if ((S->count + 1) * 2 > S->cap) {
        size_t cap = S->cap ? S->cap * 2 : 64;
        const char **slots = oc_arena_alloc(P->a, cap * sizeof *slots);
        for (size_t k = 0; k < S->cap; k++) {
            if (!S->slots[k]) continue;
            size_t j = oc_fnv1a_str(S->slots[k], OC_FNV_OFFSET) & (cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = S->slots[k];
        }
        S->slots = slots;
        S->cap = cap;
    }
    size_t j = oc_fnv1a_str(s, OC_FNV_OFFSET) & (S->cap - 1);
    while (S->slots[j]) {
        if (strcmp(S->slots[j], s) == 0) return 0;
        j = (j + 1) & (S->cap - 1);
    }
    S->slots[j] = s;
    S->count++;
    return 1;
}

/* ---- strings ------------------------------------------------------------ */

static int put_codepoint(tp *P, oc_buf *b, uint32_t cp) {
    if (cp == 0) return fail(P, "\\u0000 (a NUL character) is not allowed here");
    if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
        return fail(P, "\\u escape U+%X is not a Unicode scalar value", (unsigned)cp);
    char enc[4];
    oc_buf_append(b, enc, (size_t)oc_utf8_encode(cp, enc));
    return 0;
}

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* At a backslash inside a basic string. */
static int escape(tp *P, oc_buf *b) {
    size_t at = P->i; /* errors point at the backslash */
    step(P);
    char c = peek(P);
    const char *from = "btnfr\"\\", *to = "\b\t\n\f\r\"\\";
    const char *k = c ? strchr(from, c) : NULL;
    if (k) {
        oc_buf_putc(b, to[k - from]);
        step(P);
        return 0;
    }
    if (c == 'u' || c == 'U') {
        int digits = c == 'u' ? 4 : 8;
        uint32_t cp = 0;
        for (int d = 1; d <= digits; d++) {
            int h = hexval(peek_at(P, (size_t)d));
            if (h < 0) {
                P->i = at;
                return fail(P, "\\%c needs %d hexadecimal digits", c, digits);
            }
            cp = cp * 16 + (uint32_t)h;
        }
        if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) P->i = at;
        if (put_codepoint(P, b, cp)) return -1;
        for (int d = 0; d <= digits; d++)
            step(P);
        return 0;
    }
    P->i = at;
    return fail(P, "unknown escape '\\%c' in a string", c ? c : ' ');
}

/* Any string form; at its opening quote. *out is arena-owned. */
static int string_value(tp *P, const char **out) {
    char q = peek(P);
    int multi = peek_at(P, 1) == q && peek_at(P, 2) == q;
    int basic = q == '"';
    oc_buf b;
    oc_buf_init(&b);
    for (int k = 0; k < (multi ? 3 : 1); k++)
        step(P);
    if (multi && is_newline(P)) skip_newline(P); /* a newline right after the opening is trimmed */
    int rc = 0;
    for (;;) {
        if (at_end(P)) {
            rc = fail(P, "the string is not closed");
            break;
        }
        char c = peek(P);
        if (c == q) {
            if (!multi) {
                step(P);
                break;
            }
            size_t run = 0;
            while (peek_at(P, run) == q)
                run++;
            if (run >= 3) {
                if (run > 5) {
                    rc = fail(P, "too many quotes closing a multi-line string");
                    break;
                }
                for (size_t k = 0; k < run - 3; k++)
                    oc_buf_putc(&b, q);
                for (size_t k = 0; k < run; k++)
                    step(P);
                break;
            }
            for (size_t k = 0; k < run; k++) {
                oc_buf_putc(&b, q);
                step(P);
            }
            continue;
        }
        if (is_newline(P)) {
            if (!multi) {
                rc = fail(P, "a newline inside a single-line string");
                break;
            }
            oc_buf_putc(&b, '\n');
            skip_newline(P);
            continue;
        }
        if (basic && c == '\\') {
            if (multi) {
                /* a backslash ending a line joins it to the next text */
                size_t k = 1;
                while (peek_at(P, k) == ' ' || peek_at(P, k) == '\t')
                    k++;
                if (peek_at(P, k) == '\n' || (peek_at(P, k) == '\r' && peek_at(P, k + 1) == '\n')) {
                    step(P);
                    while (peek(P) == ' ' || peek(P) == '\t' || is_newline(P))
                        if (is_newline(P))
                            skip_newline(P);
                        else
                            step(P);
                    continue;
                }
            }
            if ((rc = escape(P, &b))) break;
            continue;
        }
        if (is_control((unsigned char)c)) {
            rc = fail(P, "control character U+%04X in a string; write it as an escape",
                      (unsigned)(unsigned char)c);
            break;
        }
        oc_buf_putc(&b, c);
        step(P);
    }
    if (!rc) *out = oc_arena_strndup(P->a, b.data ? b.data : "", b.len);
    oc_buf_free(&b);
    return rc;
}

/* ---- keys --------------------------------------------------------------- */

static int is_bare(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
}

/* A dotted key; *out joins its parts with '.'. */
static int key(tp *P, const char **out) {
    oc_buf b;
    oc_buf_init(&b);
    int rc = 0;
    for (;;) {
        skip_ws(P);
        char c = peek(P);
        if (c == '"' || c == '\'') {
            if (peek_at(P, 1) == c && peek_at(P, 2) == c) {
                rc = fail(P, "a key cannot be a multi-line string");
                break;
            }
            const char *part;
            if ((rc = string_value(P, &part))) break;
            oc_buf_puts(&b, part);
        } else if (is_bare(c)) {
            while (is_bare(peek(P))) {
                oc_buf_putc(&b, peek(P));
                step(P);
            }
        } else {
            if (c && !is_newline(P))
                rc = fail(P, "expected a key, found '%c'", c);
            else
                rc = fail(P, "expected a key");
            break;
        }
        skip_ws(P);
        if (peek(P) != '.') break;
        oc_buf_putc(&b, '.');
        step(P);
    }
    if (!rc) *out = oc_arena_strndup(P->a, b.data ? b.data : "", b.len);
    oc_buf_free(&b);
    return rc;
}

/* ---- scalars ------------------------------------------------------------ */

static int is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* digits with single underscores between them; returns how many bytes, 0 when none */
static size_t digit_run(const char *t, size_t n, size_t i, int (*ok)(char)) {
    size_t k = i;
    if (k >= n || !ok(t[k])) return 0;
    while (k < n && (ok(t[k]) || (t[k] == '_' && k + 1 < n && ok(t[k + 1]) && ok(t[k - 1]))))
        k++;
    return k - i;
}

static int is_hex(char c) {
    return hexval(c) >= 0;
}
static int is_oct(char c) {
    return c >= '0' && c <= '7';
}
static int is_bin(char c) {
    return c == '0' || c == '1';
}

static int number_kind(const char *t, size_t n) {
    size_t i = 0;
    if (n > 2 && t[0] == '0' && (t[1] == 'x' || t[1] == 'o' || t[1] == 'b')) {
        int (*ok)(char) = t[1] == 'x' ? is_hex : t[1] == 'o' ? is_oct : is_bin;
        size_t d = digit_run(t, n, 2, ok);
        return d && d + 2 == n ? OC_TOML_INTEGER : -1;
    }
    if (t[0] == '+' || t[0] == '-') i++;
    if (n - i == 3 && (memcmp(t + i, "inf", 3) == 0 || memcmp(t + i, "nan", 3) == 0))
        return OC_TOML_FLOAT;
    size_t d = digit_run(t, n, i, is_digit);
    if (!d || (t[i] == '0' && d > 1)) return -1;
    i += d;
    int kind = OC_TOML_INTEGER;
    if (i < n && t[i] == '.') {
        size_t f = digit_run(t, n, i + 1, is_digit);
        if (!f) return -1;
        i += 1 + f;
        kind = OC_TOML_FLOAT;
    }
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        i++;
        if (i < n && (t[i] == '+' || t[i] == '-')) i++;
        size_t e = digit_run(t, n, i, is_digit);
        if (!e) return -1;
        i += e;
        kind = OC_TOML_FLOAT;
    }
    return i == n ? kind : -1;
}

/* A date, a time or both (RFC 3339 as TOML takes it), checked by shape. */
static int is_datetime(const char *t, size_t n) {
    size_t i = 0;
    int have = 0;
#define DIGITS(k)                                                                                  \
    (i + (k) <= n && digit_run(t, i + (k), i, is_digit) == (k) && !memchr(t + i, '_', k))
    if (DIGITS(4) && i + 4 < n && t[i + 4] == '-') {
        i += 5;
        if (!DIGITS(2) || i + 2 >= n || t[i + 2] != '-') return 0;
        i += 3;
        if (!DIGITS(2)) return 0;
        i += 2;
        have = 1;
        if (i == n) return 1;
        if (t[i] != 'T' && t[i] != 't' && t[i] != ' ') return 0;
        i++;
    }
    if (!DIGITS(2) || i + 2 >= n || t[i + 2] != ':') return 0;
    i += 3;
    if (!DIGITS(2) || i + 2 >= n || t[i + 2] != ':') return 0;
    i += 3;
    if (!DIGITS(2)) return 0;
    i += 2;
    if (i < n && t[i] == '.') {
        i++;
        size_t f = 0;
        while (i < n && is_digit(t[i]))
            i++, f++;
        if (!f) return 0;
    }
    if (i == n) return 1;
    if (!have) return 0; /* an offset needs a date */
    if ((t[i] == 'Z' || t[i] == 'z') && i + 1 == n) return 1;
    if (t[i] != '+' && t[i] != '-') return 0;
    i++;
    if (!DIGITS(2) || i + 2 >= n || t[i + 2] != ':') return 0;
    i += 3;
    if (!DIGITS(2)) return 0;
    return i + 2 == n;
#undef DIGITS
}

static int is_token(char c) {
    return is_bare(c) || c == '+' || c == '.' || c == ':';
}

static int scalar(tp *P, oc_toml_value *v) {
    size_t start = P->i;
    while (is_token(peek(P)))
        step(P);
    /* a date and a time may be separated by one space */
    if (peek(P) == ' ' && is_digit(peek_at(P, 1)) && P->i - start == 10 &&
        is_datetime(P->s + start, 10)) {
        step(P);
        while (is_token(peek(P)))
            step(P);
    }
    size_t n = P->i - start;
    const char *t = P->s + start;
    if (n == 0) {
        char c = peek(P);
        if (!c || is_newline(P)) return fail(P, "expected a value");
        return fail(P, "expected a value, found '%c'", c);
    }
    v->str = oc_arena_strndup(P->a, t, n);
    if ((n == 4 && memcmp(t, "true", 4) == 0) || (n == 5 && memcmp(t, "false", 5) == 0)) {
        v->kind = OC_TOML_BOOL;
        return 0;
    }
    if (is_datetime(t, n)) {
        v->kind = OC_TOML_DATETIME;
        return 0;
    }
    int k = number_kind(t, n);
    if (k < 0) {
        P->i = start;
        return fail(P, "'%s' is not a TOML value (strings need quotes)", v->str);
    }
    v->kind = (oc_toml_kind)k;
    return 0;
}

/* ---- values ------------------------------------------------------------- */

static int value(tp *P, oc_toml_value *v, int depth);

static int array_value(tp *P, oc_toml_value *v, int depth) {
    v->kind = OC_TOML_ARRAY;
    step(P);
    int cap = 0;
    for (;;) {
        if (skip_ws_nl(P)) return -1;
        if (peek(P) == ']') break;
        if (v->nitems == cap) {
            cap = cap ? cap * 2 : 4;
            oc_toml_value *g = oc_arena_alloc(P->a, (size_t)cap * sizeof *g);
            if (v->nitems) memcpy(g, v->items, (size_t)v->nitems * sizeof *g);
            v->items = g;
        }
        if (value(P, &v->items[v->nitems], depth + 1)) return -1;
        v->nitems++;
        if (skip_ws_nl(P)) return -1;
        if (peek(P) == ',') {
            step(P);
            continue;
        }
        if (peek(P) == ']') break;
        return at_end(P) ? fail(P, "the array is not closed")
                         : fail(P, "expected ',' or ']' in an array, found '%c'", peek(P));
    }
    step(P);
    return 0;
}

static int keyval(tp *P, int depth, const char *scope);

static int inline_table(tp *P, oc_toml_value *v, int depth) {
    v->kind = OC_TOML_TABLE;
    /* each inline table is its own namespace for duplicate keys */
    const char *scope = oc_arena_printf(P->a, "{%d:%d}", P->line, (int)(P->i - P->line_start));
    step(P);
    skip_ws(P);
    if (peek(P) == '}') {
        step(P);
        return 0;
    }
    for (;;) {
        if (keyval(P, depth + 1, scope)) return -1;
        skip_ws(P);
        if (peek(P) == ',') {
            size_t comma = P->i;
            step(P);
            skip_ws(P);
            if (peek(P) == '}') {
                P->i = comma;
                return fail(P, "a trailing ',' is not allowed in an inline table");
            }
            continue;
        }
        if (peek(P) == '}') {
            step(P);
            return 0;
        }
        return fail(P, "expected ',' or '}' in an inline table");
    }
}

static int value(tp *P, oc_toml_value *v, int depth) {
    memset(v, 0, sizeof *v);
    v->line = P->line;
    v->col = column_at(P, P->i);
    if (depth > TOML_MAX_DEPTH)
        return fail(P, "arrays and inline tables nested more than %d deep", TOML_MAX_DEPTH);
    char c = peek(P);
    if (c == '"' || c == '\'') {
        v->kind = OC_TOML_STRING;
        return string_value(P, &v->str);
    }
    if (c == '[') return array_value(P, v, depth);
    if (c == '{') return inline_table(P, v, depth);
    return scalar(P, v);
}

/* key = value; scope NULL for a table's own keys (handed to the caller). */
static int keyval(tp *P, int depth, const char *scope) {
    int kline = P->line, kcol = column_at(P, P->i);
    const char *k;
    if (key(P, &k)) return -1;
    skip_ws(P);
    if (peek(P) != '=') return fail(P, "expected '=' after the key '%s'", k);
    step(P);
    skip_ws(P);
    oc_toml_value v;
    if (value(P, &v, depth)) return -1;
    if (!P->array_table || scope) {
        const char *full = oc_arena_printf(P->a, "K\x1f%s\x1f%s", scope ? scope : P->table, k);
        if (!names_add(P, full)) {
            P->line = kline;
            P->failed = 1;
            P->eline = kline;
            P->ecol = kcol;
            snprintf(P->msg, P->msgsize, "the key '%s' is defined twice", k);
            return -1;
        }
    }
    if (!scope && P->each) P->each(P->arg, P->table, k, &v);
    return 0;
}

static int table_header(tp *P) {
    int hline = P->line, hcol = column_at(P, P->i);
    step(P);
    int array = peek(P) == '[';
    if (array) step(P);
    const char *name;
    if (key(P, &name)) return -1;
    skip_ws(P);
    if (peek(P) != ']' || (array && peek_at(P, 1) != ']'))
        return fail(P, array ? "expected ']]' to close the table name"
                             : "expected ']' to close the table name");
    step(P);
    if (array) step(P);
    if (array) {
        P->table = oc_arena_printf(P->a, "%s[]", name);
        P->array_table = 1;
        return end_of_line(P);
    }
    if (!names_add(P, oc_arena_printf(P->a, "T\x1f%s", name))) {
        P->failed = 1;
        P->eline = hline;
        P->ecol = hcol;
        snprintf(P->msg, P->msgsize, "the table [%s] is defined twice", name);
        return -1;
    }
    P->table = name;
    P->array_table = 0;
    return end_of_line(P);
}

oc_status oc_toml_parse(oc_arena *a, const char *src, size_t len, oc_toml_each each, void *arg,
                        int *line, int *col, char *msg, size_t msgsize) {
    tp P = {.a = a, .s = src, .n = len, .line = 1, .msg = msg, .msgsize = msgsize, .table = ""};
    P.col = 1;
    P.each = each;
    P.arg = arg;
    size_t bad = oc_utf8_find_invalid(src, len);
    if (bad != (size_t)-1) {
        while (P.i < bad)
            step(&P);
        fail(&P, "the file is not valid UTF-8");
    } else {
        if (len >= 3 && memcmp(src, "\xEF\xBB\xBF", 3) == 0) P.i = P.line_start = 3;
        while (!P.failed) {
            skip_ws(&P);
            if (at_end(&P)) break;
            char c = peek(&P);
            if (c == '#') {
                if (skip_comment(&P)) break;
            } else if (is_newline(&P)) {
                skip_newline(&P);
            } else if (c == '[') {
                if (table_header(&P)) break;
            } else if (is_control((unsigned char)c) || c == '\r') {
                fail(&P, "control character U+%04X", (unsigned)(unsigned char)c);
            } else {
                if (keyval(&P, 0, NULL) || end_of_line(&P)) break;
            }
        }
    }
    if (P.failed) {
        *line = P.eline;
        *col = P.ecol;
        return OC_ERR_INPUT;
    }
    return OC_OK;
}
