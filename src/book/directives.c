/* mdBook's directives, expanded as text before parsing: {{#include}},
 * {{#rustdoc_include}}, {{#playground}} (and its old name playpen) and
 * {{#title}}; "\{{#...}}" is the directive's text, shown as written.
 *
 * Paths are relative to the file holding the directive and confined to the
 * book folder (oc_path_confine, then read beneath the folder through io).
 * Included text is expanded in turn, relative to its own file, at most
 * MAX_DEPTH files deep; a file including itself, directly or not, is an
 * error naming the chain. Lines of the result are mapped back to the chapter
 * file: its own lines to themselves, included lines to the directive. */
#include "book/loader.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 10
#define MAX_OUTPUT (64u << 20) /* the parser's own limit for a whole book */
/* Bytes read and scanned for one chapter, each directive counting
 * DIRECTIVE_WORK more: includes of empty files fanned out over ten levels produce
 * nothing, yet would take forever without it. */
#define MAX_WORK ((size_t)64 << 20)
#define DIRECTIVE_WORK 1024

typedef struct {
    oc_document *doc;
    oc_diag *diag;
    oc_buf out;
    int *lines, *cols;
    int nlines, cap;
    int src_line;          /* the chapter file's line being copied */
    int dir_line, dir_col; /* the chapter's directive being expanded */
    const char *chain[MAX_DEPTH + 1];
    int depth;
    int failed;
    size_t work; /* see MAX_WORK */
} expander;

static void push_line(expander *E, int line, int col) {
    if (E->nlines == E->cap) {
        E->cap = E->cap ? E->cap * 2 : 256;
        E->lines = oc_xrealloc(E->lines, (size_t)E->cap * sizeof *E->lines);
        E->cols = oc_xrealloc(E->cols, (size_t)E->cap * sizeof *E->cols);
    }
    E->lines[E->nlines] = line;
    E->cols[E->nlines] = col;
    E->nlines++;
}

/* Appends s; at depth 0 copied source advances the chapter's line count,
 * anything else maps to the directive being expanded. */
static void emit(expander *E, const char *s, size_t n, int from_chapter) {
    if (E->out.len + n > MAX_OUTPUT) {
        E->out.overflow = 1;
        return;
    }
    oc_buf_append(&E->out, s, n);
    for (const char *p = s, *end = s + n; (p = memchr(p, '\n', (size_t)(end - p))); p++) {
        if (from_chapter)
            push_line(E, ++E->src_line, 0);
        else
            push_line(E, E->dir_line, E->dir_col);
    }
}

static void where(const char *text, size_t at, int *line, int *col) {
    *line = 1, *col = 1;
    for (size_t k = 0; k < at; k++) {
        if (text[k] == '\n')
            ++*line, *col = 1;
        else if (((unsigned char)text[k] & 0xC0) != 0x80)
            ++*col;
    }
}

/* ---- selecting lines ------------------------------------------------------ */

typedef struct {
    const char *s;
    size_t len;
} span;

/* The file's lines (without their line ends), malloc'd. */
static span *split_lines(const char *s, size_t len, int *count) {
    int n = 0, cap = 64;
    span *v = oc_xmalloc((size_t)cap * sizeof *v);
    size_t i = 0;
    while (i < len) {
        const char *nl = memchr(s + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - s) : len;
        size_t t = e;
        if (t > i && s[t - 1] == '\r') t--;
        if (n == cap) v = oc_xrealloc(v, (size_t)(cap *= 2) * sizeof *v);
        v[n++] = (span){s + i, t - i};
        i = nl ? e + 1 : len;
    }
    *count = n;
    return v;
}

/* "ANCHOR: name" or "ANCHOR_END: name" anywhere in the line (mdBook's
 * rule): returns 1 or 2 and the name, 0 when the line holds neither. */
static int anchor_in(span l, span *name) {
    static const char *const marks[2] = {"ANCHOR:", "ANCHOR_END:"};
    for (int m = 0; m < 2; m++) {
        size_t ml = strlen(marks[m]);
        for (size_t k = 0; k + ml <= l.len; k++) {
            if (memcmp(l.s + k, marks[m], ml) != 0) continue;
            size_t j = k + ml;
            while (j < l.len && isspace((unsigned char)l.s[j]))
                j++;
            size_t st = j;
            while (j < l.len && (isalnum((unsigned char)l.s[j]) || l.s[j] == '_' || l.s[j] == '-' ||
                                 (unsigned char)l.s[j] >= 0x80))
                j++;
            if (j > st) {
                *name = (span){l.s + st, j - st};
                return m + 1;
            }
        }
    }
    return 0;
}

typedef struct {
    const char *anchor; /* NULL: a line range */
    long first, last;   /* 1-based, inclusive; last < 0: to the end */
} selection;

/* Parses "N", "N:M", "N:", ":M" (after the file's ':'), or an anchor name. */
static int parse_selection(const char *spec, selection *sel, char *why, size_t whysize) {
    sel->anchor = NULL;
    sel->first = 1;
    sel->last = -1;
    if (!spec) return 0;
    const char *colon = strchr(spec, ':');
    size_t l1 = colon ? (size_t)(colon - spec) : strlen(spec);
    int numeric = l1 > 0;
    for (size_t k = 0; k < l1; k++)
        if (!isdigit((unsigned char)spec[k])) numeric = 0;
    if (l1 > 0 && !numeric) {
        /* an anchor: mdBook takes the word before any further ':' */
        char *a = oc_xmalloc(l1 + 1);
        memcpy(a, spec, l1);
        a[l1] = '\0';
        sel->anchor = a;
        return 0;
    }
    if (numeric) {
        if (l1 > 9 || (sel->first = strtol(spec, NULL, 10)) < 1) {
            snprintf(why, whysize, "line numbers start at 1 ('%.*s')", (int)l1, spec);
            return -1;
        }
        if (!colon) {
            sel->last = sel->first;
            return 0;
        }
    }
    if (!colon) return 0;
    const char *e = colon + 1;
    size_t l2 = strlen(e);
    if (l2 == 0) return 0;
    for (size_t k = 0; k < l2; k++)
        if (!isdigit((unsigned char)e[k]) || l2 > 9) {
            snprintf(why, whysize, "'%s' is not a line number", e);
            return -1;
        }
    sel->last = strtol(e, NULL, 10);
    if (sel->last < sel->first) {
        snprintf(why, whysize, "the range ends at line %ld, before it starts (line %ld)", sel->last,
                 sel->first);
        return -1;
    }
    return 0;
}

/* Appends the selected lines of `file` to b (lines joined by '\n', no final
 * one, like mdBook). `hide` (rustdoc_include): the other lines are kept
 * behind "# " instead of dropped. Anchor marker lines are always dropped. */
static int select_lines(oc_buf *b, const char *file, size_t len, const selection *sel, int hide,
                        char *why, size_t whysize) {
    int n;
    span *v = split_lines(file, len, &n);
    long first = sel->first, last = sel->last < 0 ? n : sel->last;
    int rc = 0;
    if (sel->anchor) {
        size_t al = strlen(sel->anchor);
        first = last = -1;
        for (int k = 0; k < n; k++) {
            span name;
            int m = anchor_in(v[k], &name);
            if (!m || name.len != al || memcmp(name.s, sel->anchor, al) != 0) continue;
            if (m == 1 && first < 0) first = k + 2; /* the line after the marker */
            if (m == 2 && first >= 0) {
                last = k; /* the line before the end marker */
                break;
            }
        }
        if (first < 0) {
            snprintf(why, whysize, "no 'ANCHOR: %s' in the file", sel->anchor);
            rc = -1;
        } else if (last < 0) {
            snprintf(why, whysize, "'ANCHOR: %s' has no 'ANCHOR_END: %s'", sel->anchor,
                     sel->anchor);
            rc = -1;
        }
    } else if (first > n && n > 0) {
        snprintf(why, whysize, "the range starts at line %ld but the file has %d lines", first, n);
        rc = -1;
    }
    if (last > n) last = n;
    int wrote = 0;
    for (int k = 0; !rc && k < n; k++) {
        int inside = k + 1 >= first && k + 1 <= last;
        span name;
        if (anchor_in(v[k], &name)) continue;
        if (!inside && !hide) continue;
        if (wrote++) oc_buf_putc(b, '\n');
        if (!inside) oc_buf_puts(b, "# ");
        oc_buf_append(b, v[k].s, v[k].len);
    }
    free(v);
    return rc;
}

/* ---- the walk ------------------------------------------------------------ */

static int expand(expander *E, const char *rel, const char *text, size_t len);

static void error_at(expander *E, const char *rel, const char *text, size_t at, const char *fmt,
                     const char *a1, const char *a2) {
    int line, col;
    where(text, at, &line, &col);
    oc_diag_report(E->diag, OC_ERROR, oc_book_display(E->doc, rel), line, col, fmt, a1, a2);
    E->failed = 1;
}

static int known(const char *name, size_t n) {
    static const char *const names[] = {"include", "rustdoc_include", "playground", "playpen",
                                        "title"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++)
        if (strlen(names[k]) == n && memcmp(names[k], name, n) == 0) return 1;
    return 0;
}

/* One directive of file `rel`, {{ at `at`, its name and arguments; the
 * result is emitted. Returns -1 after an error. */
static int directive(expander *E, const char *rel, const char *text, size_t at, const char *name,
                     size_t nlen, char *args) {
    oc_document *doc = E->doc;
    if (nlen == 5 && memcmp(name, "title", 5) == 0) return 0; /* the HTML page title: dropped */
    /* the path (and its :selection), then attributes */
    char *p = args;
    while (*p && !isspace((unsigned char)*p))
        p++;
    const char *attrs = *p ? p + 1 : p;
    *p = '\0';
    int playground = name[0] == 'p';
    int hide = nlen == 15;
    char *spec = NULL;
    if (!playground) {
        char *c = strchr(args, ':');
        if (c) *c = '\0', spec = c + 1;
    }
    char why[256] = "";
    selection sel;
    if (parse_selection(spec, &sel, why, sizeof why)) {
        error_at(E, rel, text, at, "{{#include %s}}: %s", args, why);
        return -1;
    }
    char *dir = oc_path_dirname(&doc->arena, rel);
    char *path = oc_arena_strdup(&doc->arena, args);
    for (char *q = path; *q; q++) /* %20 is how a link writes a space; a file name too */
        if (q[0] == '%' && q[1] == '2' && q[2] == '0') {
            *q = ' ';
            memmove(q + 1, q + 3, strlen(q + 3) + 1);
        }
    char *target = oc_path_confine(&doc->arena, dir, path);
    int rc = -1;
    char *data = NULL;
    size_t dlen = 0;
    if (!target) {
        error_at(E, rel, text, at, "'%s' is outside the book folder%s", args, "");
        goto done;
    }
    for (int k = 0; k <= E->depth; k++) {
        if (strcmp(E->chain[k], target) != 0) continue;
        oc_buf c;
        oc_buf_init(&c);
        for (int j = k; j <= E->depth; j++)
            oc_buf_printf(&c, "%s -> ", E->chain[j]);
        oc_buf_puts(&c, target);
        error_at(E, rel, text, at, "the include makes a cycle: %s%s", c.data, "");
        oc_buf_free(&c);
        goto done;
    }
    if (E->depth + 1 > MAX_DEPTH) {
        error_at(E, rel, text, at, "includes nest more than 10 files deep here ('%s')%s", args, "");
        goto done;
    }
    if (oc_book_read(doc, target, &data, &dlen, why) != OC_OK) {
        error_at(E, rel, text, at, "cannot include '%s': %s", args, why);
        goto done;
    }
    E->work += dlen;
    /* text that is valid UTF-8 without NUL bytes is used as read; only a
     * damaged file is cleaned (a copy in the arena, with its warning) */
    size_t clen = dlen;
    const char *clean = data;
    if (oc_utf8_find_invalid(data, dlen) != (size_t)-1 || memchr(data, '\0', dlen))
        clean = oc_book_clean_text(doc, E->diag, oc_book_display(doc, target), data, dlen, &clen);
    oc_buf piece;
    oc_buf_init(&piece);
    if (select_lines(&piece, clean, clen, &sel, hide, why, sizeof why)) {
        error_at(E, rel, text, at, "cannot include '%s': %s", args, why);
        oc_buf_free(&piece);
        goto done;
    }
    if (playground) {
        /* mdBook's fence: rust, then the attributes (editable, ...) */
        oc_buf fence;
        oc_buf_init(&fence);
        oc_buf_puts(&fence, "```rust");
        for (const char *t = attrs; *t;) {
            while (*t && isspace((unsigned char)*t))
                t++;
            size_t w = 0;
            while (t[w] && !isspace((unsigned char)t[w]))
                w++;
            if (w) oc_buf_printf(&fence, ",%.*s", (int)w, t);
            t += w;
        }
        oc_buf_putc(&fence, '\n');
        emit(E, fence.data, fence.len, 0);
        oc_buf_free(&fence);
    }
    E->chain[++E->depth] = target;
    rc = expand(E, target, piece.data ? piece.data : "", piece.len);
    E->depth--;
    if (playground) emit(E, "\n```\n", 5, 0);
    oc_buf_free(&piece);
done:
    free(data);
    free((void *)sel.anchor);
    return rc;
}

/* Copies text to the output with its directives expanded. */
static int expand(expander *E, const char *rel, const char *text, size_t len) {
    int top = E->depth == 0;
    E->work += len;
    size_t i = 0, copied = 0;
    while (i + 1 < len) {
        const char *o = memchr(text + i, '{', len - i - 1);
        if (!o) break;
        size_t at = (size_t)(o - text);
        i = at + 1;
        if (text[at + 1] != '{') continue;
        /* "\{{#...}}": the directive's text, without the backslash */
        if (at > 0 && text[at - 1] == '\\' && at + 2 < len && text[at + 2] == '#') {
            const char *eol = memchr(text + at, '\n', len - at);
            size_t e = eol ? (size_t)(eol - text) : len, close = 0;
            for (size_t k = at + 3; k + 1 < e; k++)
                if (text[k] == '}' && text[k + 1] == '}') close = k + 2;
            if (close) {
                emit(E, text + copied, at - 1 - copied, top);
                emit(E, text + at, close - at, top);
                i = copied = close;
                continue;
            }
        }
        size_t k = at + 2;
        while (k < len && isspace((unsigned char)text[k]))
            k++;
        if (k >= len || text[k] != '#') continue;
        size_t ns = ++k;
        while (k < len && (isalnum((unsigned char)text[k]) || text[k] == '_'))
            k++;
        if (k == ns || !known(text + ns, k - ns)) continue; /* not ours: left as written */
        size_t as = k;
        while (k < len && text[k] != '}')
            k++;
        int spaced = as < len && isspace((unsigned char)text[as]);
        size_t a0 = as, a1 = k;
        while (a0 < a1 && isspace((unsigned char)text[a0]))
            a0++;
        while (a1 > a0 && isspace((unsigned char)text[a1 - 1]))
            a1--;
        if (k + 1 >= len || text[k + 1] != '}') {
            error_at(E, rel, text, at, "the directive {{#%s is not closed with '}}'%s",
                     oc_arena_strndup(&E->doc->arena, text + ns, as - ns), "");
            return -1;
        }
        if (!spaced || a0 == a1) {
            char *nm = oc_arena_strndup(&E->doc->arena, text + ns, as - ns);
            error_at(E, rel, text, at, "{{#%s}} needs %s", nm,
                     strcmp(nm, "title") == 0 ? "a title" : "a file to include");
            return -1;
        }
        E->work += DIRECTIVE_WORK;
        if (E->work > MAX_WORK || E->out.overflow) {
            error_at(E, rel, text, at,
                     "the includes of this chapter grow past %s MiB of text to read%s", "64", "");
            return -1;
        }
        emit(E, text + copied, at - copied, top);
        size_t end = k + 2;
        if (top) {
            int l, c;
            where(text, at, &l, &c);
            E->dir_line = l, E->dir_col = c;
        }
        char *args = oc_arena_strndup(&E->doc->arena, text + a0, a1 - a0);
        if (directive(E, rel, text, at, text + ns, as - ns, args)) return -1;
        if (top) /* the directive's own line ends, if it spans some */
            for (size_t q = at; q < end; q++)
                if (text[q] == '\n') E->src_line++;
        i = copied = end;
    }
    emit(E, text + copied, len - copied, top);
    return 0;
}

oc_status oc_mdbook_expand(oc_document *doc, oc_diag *diag, const char *rel, const char *text,
                           size_t len, char **out, size_t *out_len, int **line_map, int **col_map,
                           int *nlines) {
    *line_map = *col_map = NULL;
    *nlines = 0;
    int any = 0;
    for (size_t k = 0; k + 1 < len && !any; k++)
        any = text[k] == '{' && text[k + 1] == '{';
    if (!any) { /* nothing to do: the text as it is */
        *out = oc_arena_strndup(&doc->arena, text, len);
        *out_len = len;
        return OC_OK;
    }
    expander E = {.doc = doc, .diag = diag, .src_line = 1};
    oc_buf_init(&E.out);
    E.out.limit = MAX_OUTPUT + 1;
    push_line(&E, 1, 0);
    E.chain[0] = rel;
    int rc = expand(&E, rel, text, len);
    oc_status st = OC_OK;
    if (!rc && E.out.overflow) {
        oc_diag_report(diag, OC_ERROR, oc_book_display(doc, rel), 1, 1,
                       "the chapter grows past %u MiB with its includes", MAX_OUTPUT >> 20);
        rc = -1;
    }
    if (rc || E.failed) {
        st = OC_ERR_INPUT;
    } else {
        *out = oc_arena_strndup(&doc->arena, E.out.data ? E.out.data : "", E.out.len);
        *out_len = E.out.len;
        *line_map = oc_arena_alloc(&doc->arena, (size_t)E.nlines * sizeof **line_map);
        *col_map = oc_arena_alloc(&doc->arena, (size_t)E.nlines * sizeof **col_map);
        memcpy(*line_map, E.lines, (size_t)E.nlines * sizeof **line_map);
        memcpy(*col_map, E.cols, (size_t)E.nlines * sizeof **col_map);
        *nlines = E.nlines;
    }
    oc_buf_free(&E.out);
    free(E.lines);
    free(E.cols);
    return st;
}
