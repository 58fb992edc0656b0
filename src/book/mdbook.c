/* An mdBook folder: book.toml for the metadata, SUMMARY.md for the chapters
 * and their structure (prefix chapters, numbered chapters nested by list
 * indentation, part titles, separators, drafts, suffix chapters), every
 * chapter's directives expanded before it is parsed. */
#include "book/loader.h"
#include "book/toml.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHAPTERS 10000
#define MAX_LEVELS 16 /* nesting of numbered chapters */

typedef struct {
    oc_document *doc;
    oc_diag *diag;
    const char *toml_display;
    const char *src; /* the source folder, book-relative ("src"; "" for the root) */
    int src_line, src_col;
} mdbook;

/* ---- book.toml ------------------------------------------------------------ */

static const char *toml_text(mdbook *M, const char *key, const oc_toml_value *v) {
    if (v->kind != OC_TOML_STRING) {
        oc_diag_report(M->diag, OC_ERROR, M->toml_display, v->line, v->col,
                       "'%s' must be a string (in quotes)", key);
        return NULL;
    }
    const char *s = v->str;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n' && *p != '\r') {
            oc_diag_report(M->diag, OC_ERROR, M->toml_display, v->line, v->col,
                           "'%s' holds a control character (U+%04X)", key, (unsigned)*p);
            return NULL;
        }
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    while (len && isspace((unsigned char)*s))
        s++, len--;
    if (!len) {
        oc_diag_report(M->diag, OC_ERROR, M->toml_display, v->line, v->col,
                       "'%s' is empty; give it a value or leave the key out", key);
        return NULL;
    }
    return oc_arena_strndup(&M->doc->arena, s, len);
}

static void take_toml(void *arg, const char *table, const char *key, const oc_toml_value *v) {
    mdbook *M = arg;
    oc_meta *m = &M->doc->meta;
    oc_arena *a = &M->doc->arena;
    if (strcmp(table, "book") != 0) return; /* other tables (output.*, preprocessor.*) */
    if (strcmp(key, "title") == 0) {
        m->title = toml_text(M, "book.title", v);
    } else if (strcmp(key, "description") == 0) {
        m->description = toml_text(M, "book.description", v);
    } else if (strcmp(key, "author") == 0 ||
               (strcmp(key, "authors") == 0 && v->kind == OC_TOML_STRING)) {
        /* older books write one string (mdBook itself skips it; the reader
         * of a PDF wants the name) */
        const char *s = toml_text(M, "book.author", v);
        if (!s) return;
        m->authors = oc_arena_alloc(a, sizeof *m->authors);
        m->authors[0] = s;
        m->nauthors = 1;
    } else if (strcmp(key, "authors") == 0) {
        if (v->kind != OC_TOML_ARRAY) {
            oc_diag_report(M->diag, OC_ERROR, M->toml_display, v->line, v->col,
                           "'book.authors' must be a list of names, like [\"Ann\", \"Bob\"]");
            return;
        }
        m->authors = oc_arena_alloc(a, sizeof *m->authors * (size_t)(v->nitems ? v->nitems : 1));
        m->nauthors = 0;
        for (int i = 0; i < v->nitems; i++) {
            const char *s = toml_text(M, "book.authors", &v->items[i]);
            if (s) m->authors[m->nauthors++] = s;
        }
    } else if (strcmp(key, "language") == 0) {
        const char *s = toml_text(M, "book.language", v);
        if (s && !oc_book_valid_language(s))
            oc_diag_report(M->diag, OC_ERROR, M->toml_display, v->line, v->col,
                           "'%s' is not a well-formed BCP 47 language tag (like en-US)", s);
        else if (s)
            m->language = s;
    } else if (strcmp(key, "src") == 0) {
        const char *s = toml_text(M, "book.src", v);
        if (!s) return;
        M->src_line = v->line, M->src_col = v->col;
        if (strcmp(s, ".") == 0 || strcmp(s, "./") == 0) {
            M->src = "";
            return;
        }
        char *rel = oc_path_confine(a, "", s);
        if (!rel)
            oc_diag_report(M->diag, OC_ERROR, M->toml_display, v->line, v->col,
                           "'book.src' ('%s') is outside the book folder", s);
        else
            M->src = rel;
    }
    /* unknown keys of [book] (multilingual, text-direction, ...) are ignored, as mdBook does */
}

/* ---- SUMMARY.md ------------------------------------------------------------ */

typedef struct {
    const char *title;  /* link text as written (Markdown) */
    const char *plain;  /* the same as plain text */
    const char *target; /* book-relative file, or NULL for a draft */
    const char *part;   /* a part title opening before this entry */
    int level;          /* 0 for prefix, suffix and top numbered chapters */
    int numbered;
    const char *number; /* "1.2." */
    int line, col;
} entry;

typedef struct {
    mdbook *M;
    const char *display;
    const char *text;
    size_t len;
    entry *items;
    int n, cap;
    const char *summary_title;
    const char *pending_part;
    int state; /* 0 start, 1 prefix, 2 numbered, 3 suffix */
    int indent[MAX_LEVELS], nindent;
    int counters[MAX_LEVELS];
    int seen_heading_or_item;
} summary;

static void sum_error(summary *S, int line, int col, const char *fmt, const char *arg) {
    oc_diag_report(S->M->diag, OC_ERROR, S->display, line, col, fmt, arg);
}

/* The link text as plain text: backslash escapes, code spans' backticks and
 * emphasis markers removed. */
static const char *plain_title(oc_arena *a, const char *s) {
    size_t n = strlen(s), o = 0;
    char *out = oc_arena_alloc(a, n + 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' && i + 1 < n && ispunct((unsigned char)s[i + 1])) {
            out[o++] = s[++i];
        } else if (s[i] == '`' || s[i] == '*') {
            continue;
        } else if (s[i] == '_' && (i == 0 || i + 1 == n || s[i - 1] == ' ' || s[i + 1] == ' ')) {
            continue;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

/* Parses "[text](target)" at s (up to e); returns the index past it or 0. */
static size_t parse_link(const char *s, size_t i, size_t e, size_t *t0, size_t *t1, size_t *d0,
                         size_t *d1) {
    if (i >= e || s[i] != '[') return 0;
    int depth = 0;
    size_t k = i;
    for (; k < e; k++) {
        if (s[k] == '\\' && k + 1 < e) {
            k++;
            continue;
        }
        if (s[k] == '`') { /* a code span hides brackets */
            size_t q = k + 1;
            while (q < e && s[q] != '`')
                q++;
            if (q < e) k = q;
            continue;
        }
        if (s[k] == '[') depth++;
        if (s[k] == ']' && --depth == 0) break;
    }
    if (k >= e || k + 1 >= e || s[k + 1] != '(') return 0;
    *t0 = i + 1, *t1 = k;
    size_t q = k + 2;
    while (q < e && (s[q] == ' ' || s[q] == '\t'))
        q++;
    if (q < e && s[q] == '<') {
        size_t st = ++q;
        while (q < e && s[q] != '>')
            q++;
        if (q >= e) return 0;
        *d0 = st, *d1 = q++;
    } else {
        size_t st = q;
        int par = 0;
        while (q < e && !isspace((unsigned char)s[q])) {
            if (s[q] == '(') par++;
            if (s[q] == ')' && par-- == 0) break;
            q++;
        }
        *d0 = st, *d1 = q;
    }
    /* an optional title, then ')' */
    while (q < e && s[q] != ')')
        q++;
    if (q >= e) return 0;
    return q + 1;
}

static int add_entry(summary *S, size_t line_start, size_t at, int line, int level, int numbered,
                     size_t e) {
    oc_arena *a = &S->M->doc->arena;
    size_t t0, t1, d0, d1;
    int col = 1;
    for (size_t k = line_start; k < at; k++)
        if (((unsigned char)S->text[k] & 0xC0) != 0x80) col++;
    if (!parse_link(S->text, at, e, &t0, &t1, &d0, &d1)) {
        sum_error(S, line, col, "expected a link to a chapter, like [Title](file.md)%s", "");
        return -1;
    }
    if (S->n == MAX_CHAPTERS) {
        sum_error(S, line, col, "more than %s chapters", "10000");
        return -1;
    }
    if (S->n == S->cap) {
        S->cap = S->cap ? S->cap * 2 : 32;
        entry *g = oc_arena_alloc(a, (size_t)S->cap * sizeof *g);
        if (S->n) memcpy(g, S->items, (size_t)S->n * sizeof *g);
        S->items = g;
    }
    entry *it = &S->items[S->n];
    memset(it, 0, sizeof *it);
    it->title = oc_arena_strndup(a, S->text + t0, t1 - t0);
    it->plain = plain_title(a, it->title);
    it->line = line, it->col = col;
    it->level = level;
    it->numbered = numbered;
    it->part = S->pending_part;
    if (t1 == t0 || !*it->plain) {
        sum_error(S, line, col, "the chapter has no title: write it between [ and ]%s", "");
        return -1;
    }
    if (d1 > d0) {
        char *dest = oc_arena_percent_decode(a, S->text + d0, d1 - d0);
        char *hash = strchr(dest, '#');
        if (hash) *hash = '\0';
        char *rel = *dest ? oc_path_confine(a, S->M->src, dest) : NULL;
        if (!rel) {
            sum_error(S, line, col, "chapter '%s' is outside the book folder", dest);
            return -1;
        }
        for (int k = 0; k < S->n; k++)
            if (S->items[k].target && strcmp(S->items[k].target, rel) == 0) {
                sum_error(S, line, col, "chapter '%s' is listed twice", dest);
                return -1;
            }
        it->target = rel;
    }
    if (numbered) {
        S->counters[level]++;
        for (int k = level + 1; k < MAX_LEVELS; k++)
            S->counters[k] = 0;
        oc_buf b;
        oc_buf_init(&b);
        for (int k = 0; k <= level; k++)
            oc_buf_printf(&b, "%d.", S->counters[k] ? S->counters[k] : 1);
        it->number = oc_arena_strndup(a, b.data, b.len);
        oc_buf_free(&b);
    }
    S->pending_part = NULL;
    S->n++;
    return 0;
}

/* One line of SUMMARY.md, [b, e) without its line end. */
static int summary_line(summary *S, size_t b, size_t e, int line) {
    const char *s = S->text;
    size_t i = b;
    int indent = 0;
    while (i < e && (s[i] == ' ' || s[i] == '\t')) {
        indent += s[i] == '\t' ? 4 - indent % 4 : 1;
        i++;
    }
    if (i == e) return 0;
    /* a heading: the summary's title first, part titles after */
    if (s[i] == '#' && indent < 4) {
        size_t h = i;
        while (h < e && s[h] == '#')
            h++;
        if (h - i <= 6 && (h == e || s[h] == ' ' || s[h] == '\t')) {
            size_t t0 = h, t1 = e;
            while (t0 < t1 && isspace((unsigned char)s[t0]))
                t0++;
            while (t1 > t0 && (isspace((unsigned char)s[t1 - 1]) || s[t1 - 1] == '#'))
                t1--;
            const char *text = oc_arena_strndup(&S->M->doc->arena, s + t0, t1 - t0);
            if (!S->seen_heading_or_item) {
                S->summary_title = text;
            } else {
                if (S->state == 3) {
                    sum_error(S, line, (int)(i - b) + 1,
                              "a part title after the suffix chapters ('%s')", text);
                    return -1;
                }
                S->pending_part = *text ? plain_title(&S->M->doc->arena, text) : NULL;
                S->state = 2;
                S->nindent = 0;
            }
            S->seen_heading_or_item = 1;
            return 0;
        }
    }
    /* a separator */
    if (indent < 4 && (s[i] == '-' || s[i] == '*' || s[i] == '_')) {
        size_t k = i, count = 0;
        while (k < e && (s[k] == s[i] || s[k] == ' ' || s[k] == '\t'))
            count += s[k++] == s[i];
        if (k == e && count >= 3) return 0;
    }
    S->seen_heading_or_item = 1;
    /* a list item: a numbered chapter ("- ", "* ", "+ ", or "1. " / "1) ":
     * mdBook numbers the chapters itself, whatever the list says) */
    size_t mark = i;
    if (s[i] >= '0' && s[i] <= '9') {
        size_t d = i;
        while (d < e && d - i < 9 && s[d] >= '0' && s[d] <= '9')
            d++;
        if (d < e && (s[d] == '.' || s[d] == ')')) mark = d;
    }
    if ((s[i] == '-' || s[i] == '*' || s[i] == '+' || mark > i) && mark + 1 < e &&
        (s[mark + 1] == ' ' || s[mark + 1] == '\t')) {
        if (S->state == 3) {
            sum_error(S, line, (int)(i - b) + 1, "a numbered chapter after the suffix chapters%s",
                      "");
            return -1;
        }
        S->state = 2;
        while (S->nindent > 0 && S->indent[S->nindent - 1] >= indent)
            S->nindent--;
        int level = S->nindent;
        if (level >= MAX_LEVELS) {
            sum_error(S, line, (int)(i - b) + 1, "chapters nest more than %s levels deep", "16");
            return -1;
        }
        S->indent[S->nindent++] = indent;
        size_t at = mark + 1;
        while (at < e && (s[at] == ' ' || s[at] == '\t'))
            at++;
        return add_entry(S, b, at, line, level, 1, e);
    }
    /* a link alone: a prefix chapter before the numbered ones, a suffix after */
    if (s[i] == '[') {
        if (S->state == 2 || S->state == 3) {
            S->state = 3;
            if (S->pending_part) {
                sum_error(S, line, (int)(i - b) + 1, "the part '%s' holds no numbered chapter",
                          S->pending_part);
                return -1;
            }
        } else {
            S->state = 1;
        }
        return add_entry(S, b, i, line, 0, 0, e);
    }
    if (s[i] == '<' && e - i >= 4 && memcmp(s + i, "<!--", 4) == 0) return 0;
    oc_diag_report(S->M->diag, OC_WARNING, S->display, line, (int)(i - b) + 1,
                   "ignored: not a chapter link, a list item, a part title or a separator");
    return 0;
}

static int parse_summary(summary *S) {
    const char *s = S->text;
    size_t len = S->len, i = 0;
    int line = 1, rc = 0;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) i = 3;
    while (i < len) {
        size_t e = i;
        while (e < len && s[e] != '\n' && s[e] != '\r')
            e++;
        size_t next = e < len ? e + 1 + (s[e] == '\r' && e + 1 < len && s[e + 1] == '\n') : len;
        /* an HTML comment may span lines: skip it whole */
        size_t k = i;
        while (k < e && (s[k] == ' ' || s[k] == '\t'))
            k++;
        if (e - k >= 4 && memcmp(s + k, "<!--", 4) == 0) {
            size_t q = k + 4;
            while (q + 2 < len && !(s[q] == '-' && s[q + 1] == '-' && s[q + 2] == '>'))
                q++;
            if (q + 2 >= len) break;
            for (size_t z = i; z < q; z++)
                if (s[z] == '\n' || (s[z] == '\r' && (z + 1 >= len || s[z + 1] != '\n'))) line++;
            /* the rest of the comment's last line */
            size_t after = q + 3;
            while (after < len && s[after] != '\n' && s[after] != '\r')
                after++;
            i = after < len
                    ? after + 1 + (s[after] == '\r' && after + 1 < len && s[after + 1] == '\n')
                    : len;
            line++;
            continue;
        }
        if (summary_line(S, i, e, line)) rc = -1;
        i = next;
        line++;
    }
    if (S->pending_part && !rc) {
        oc_diag_report(S->M->diag, OC_ERROR, S->display, line > 1 ? line - 1 : 1, 1,
                       "the part '%s' holds no numbered chapter", S->pending_part);
        rc = -1;
    }
    return rc;
}

/* ---- chapters ------------------------------------------------------------ */

static void load_entry(mdbook *M, summary *S, int k) {
    oc_document *doc = M->doc;
    entry *it = &S->items[k];
    char *text;
    size_t len;
    const char *rel = it->target;
    if (!rel) {
        /* a draft: a page with its title and nothing else */
        rel = oc_arena_printf(&doc->arena, "%s#draft-%d", S->display, k + 1);
        text = oc_arena_printf(&doc->arena, "# %s\n", it->title);
        len = strlen(text);
    } else {
        char *raw = NULL, why[256] = "";
        size_t rlen = 0;
        if (oc_book_read(doc, rel, &raw, &rlen, why) != OC_OK) {
            oc_diag_report(M->diag, OC_ERROR, S->display, it->line, it->col, "chapter '%s': %s",
                           rel, why);
            return;
        }
        size_t clen;
        char *clean = oc_book_clean_text(doc, M->diag, oc_book_display(doc, rel), raw, rlen, &clen);
        free(raw);
        int *lines = NULL, *cols = NULL, nlines = 0;
        if (oc_mdbook_expand(doc, M->diag, rel, clean, clen, &text, &len, &lines, &cols, &nlines) !=
            OC_OK)
            return;
        oc_chapter *ch = oc_book_add_chapter(doc, rel, text, len);
        ch->line_map = lines;
        ch->col_map = cols;
        ch->nline_map = nlines;
        goto fill;
    }
    {
        oc_chapter *ch = oc_book_add_chapter(doc, rel, text, len);
        ch->display = S->display;
        ch->draft = 1;
    }
fill:;
    oc_chapter *ch = &doc->chapters[doc->nchapters - 1];
    ch->title = it->plain;
    ch->title_given = 1;
    ch->level = it->level;
    ch->number = it->number;
    ch->part = it->part;
}

oc_status oc_mdbook_load(oc_document *doc, const char *text, size_t len, oc_diag *diag) {
    int errors_before = diag->errors;
    mdbook M = {.doc = doc, .diag = diag, .toml_display = doc->meta_path, .src = "src"};
    int line = 0, col = 0;
    char msg[256] = "";
    if (len > (1u << 20)) {
        oc_diag_report(diag, OC_ERROR, M.toml_display, 1, 1, "book.toml is over 1 MiB");
        return OC_ERR_INPUT;
    }
    if (oc_toml_parse(&doc->arena, text, len, take_toml, &M, &line, &col, msg, sizeof msg) !=
        OC_OK) {
        oc_diag_report(diag, OC_ERROR, M.toml_display, line, col, "malformed TOML: %s", msg);
        return OC_ERR_INPUT;
    }
    if (diag->errors > errors_before) return OC_ERR_INPUT;

    const char *summary_rel =
        *M.src ? oc_arena_printf(&doc->arena, "%s/SUMMARY.md", M.src) : "SUMMARY.md";
    summary S = {.M = &M, .display = oc_book_display(doc, summary_rel)};
    char *raw = NULL, why[256] = "";
    size_t rlen = 0;
    if (oc_book_read(doc, summary_rel, &raw, &rlen, why) != OC_OK) {
        oc_diag_report(diag, OC_ERROR, M.toml_display, M.src_line ? M.src_line : 1,
                       M.src_col ? M.src_col : 1,
                       "the book has no table of contents: cannot read '%s': %s", summary_rel, why);
        return OC_ERR_INPUT;
    }
    S.text = oc_book_clean_text(doc, diag, S.display, raw, rlen, &S.len);
    free(raw);
    if (parse_summary(&S) != 0) return OC_ERR_INPUT;
    if (S.n == 0) {
        oc_diag_report(diag, OC_ERROR, S.display, 1, 1,
                       "SUMMARY.md lists no chapters (write them as [Title](file.md))");
        return OC_ERR_INPUT;
    }
    if (!doc->meta.title && S.summary_title && *S.summary_title &&
        strcmp(S.summary_title, "Summary") != 0)
        doc->meta.title = plain_title(&doc->arena, S.summary_title);
    doc->chapters = oc_arena_alloc(&doc->arena, sizeof *doc->chapters * (size_t)S.n);
    for (int k = 0; k < S.n; k++)
        load_entry(&M, &S, k);
    return diag->errors > errors_before ? OC_ERR_INPUT : OC_OK;
}
