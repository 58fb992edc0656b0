/* Accessibility facts and warnings: one walk over the Document (a11y.h). */
#include "octavo/a11y.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    const oc_document *doc;
    const oc_chapter *ch;
    oc_a11y_facts *f;
    oc_diag *diag;
    int prev_level; /* level of the chapter's previous heading, 0 before the first */
    oc_buf text;    /* scratch for the plain text of an inline subtree */
    size_t *lines;  /* byte offset of each line of the chapter source, built on demand */
    int nlines;
} scan_ctx;

/* ---- where an inline starts ----------------------------------------------
 * cmark-gfm's positions of inlines are exact on the first line of a
 * paragraph only: past a soft break the column keeps counting from the
 * paragraph's first line, extended autolinks take the paragraph's start,
 * and table cells have none (the Document gives them their row's). Blocks'
 * own positions are right. So a link or image is found again in the source
 * of its block, by its URL (the k-th one with that URL in the block), and
 * reported at its opening "[", "![" or "<". When that fails the Document's
 * position stands. */

static int is_inline(const oc_node *n) {
    return n->type >= OC_TEXT;
}

static void build_lines(scan_ctx *c) {
    const char *s = c->ch->source;
    size_t len = c->ch->source_len, n = 1;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n') n++;
    c->lines = oc_xmalloc(n * sizeof *c->lines);
    c->lines[0] = 0;
    c->nlines = 1;
    for (size_t i = 0; i < len; i++)
        if (s[i] == '\n') c->lines[c->nlines++] = i + 1;
}

static size_t offset_of(scan_ctx *c, int line, int col) {
    if (line < 1 || line > c->nlines || col < 1) return (size_t)-1;
    size_t off = c->lines[line - 1] + (size_t)(col - 1);
    return off <= c->ch->source_len ? off : (size_t)-1;
}

static void line_col(scan_ctx *c, size_t off, int *line, int *col) {
    int lo = 0, hi = c->nlines - 1;
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (c->lines[mid] <= off)
            lo = mid;
        else
            hi = mid - 1;
    }
    *line = lo + 1;
    *col = (int)(off - c->lines[lo]) + 1;
}

/* The block holding n, and where the next block starts (the search bound). */
static const oc_node *block_of(const oc_node *n, const oc_node **next) {
    const oc_node *b = n;
    while (b->parent && (is_inline(b) || b->type == OC_TABLE_CELL))
        b = b->parent;
    const oc_node *x = b;
    while (x && !x->next)
        x = x->parent;
    *next = x ? x->next : NULL;
    return b;
}

/* How many links or images before n in block b have n's URL. */
static int same_url_before(const oc_node *b, const oc_node *n) {
    int k = 0;
    for (const oc_node *x = b->first; x && x != n; x = oc_node_next(b, x, 1))
        if (x->type == n->type && x->url && strcmp(x->url, n->url) == 0) k++;
    return k;
}

static size_t find_kth(const char *s, size_t from, size_t to, const char *needle, int k) {
    size_t nl = strlen(needle);
    if (!nl) return (size_t)-1;
    for (size_t i = from; i + nl <= to; i++)
        if (s[i] == needle[0] && memcmp(s + i, needle, nl) == 0 && k-- == 0) return i;
    return (size_t)-1;
}

/* From the URL at off back to the start of its link or image. */
static size_t opening(const char *s, size_t from, size_t off, int image) {
    size_t p = off;
    if (p > from && s[p - 1] == '<') {
        p--;
    } else if (p >= from + 2 && s[p - 1] == '(' && s[p - 2] == ']') {
        int depth = 0;
        size_t q = p - 2;
        while (q > from) {
            char ch = s[q];
            if (ch == ']') depth++;
            if (ch == '[' && --depth == 0) break;
            q--;
        }
        if (s[q] != '[') return off;
        p = q;
    }
    if (image && p > from && s[p - 1] == '!') p--;
    return p;
}

static void position(scan_ctx *c, const oc_node *n, int *line, int *col) {
    *line = n->line;
    *col = n->column;
    if (!n->url || !n->url[0] || !c->ch->source) return;
    if (!c->lines) build_lines(c);
    const oc_node *next, *b = block_of(n, &next);
    size_t from = offset_of(c, b->line, b->column), to = c->ch->source_len;
    if (from == (size_t)-1) return;
    if (next) {
        size_t end = offset_of(c, next->line, next->column);
        if (end != (size_t)-1 && end > from) to = end;
    }
    int k = same_url_before(b, n);
    const char *url = n->url;
    size_t off = find_kth(c->ch->source, from, to, url, k);
    /* extended autolinks: "www.x.org" became "http://www.x.org" */
    if (off == (size_t)-1 && strncmp(url, "http://", 7) == 0)
        off = find_kth(c->ch->source, from, to, url + 7, k);
    if (off == (size_t)-1 && strncmp(url, "mailto:", 7) == 0)
        off = find_kth(c->ch->source, from, to, url + 7, k);
    if (off == (size_t)-1) return;
    line_col(c, opening(c->ch->source, from, off, n->type == OC_IMAGE), line, col);
}

static void warn(scan_ctx *c, const oc_node *n, const char *fmt, const char *arg) {
    if (!c->diag) return;
    const char *file = c->ch->display ? c->ch->display : c->ch->path;
    int line = n->line, col = n->column;
    if (n->type == OC_LINK || n->type == OC_IMAGE) position(c, n, &line, &col);
    oc_diag_report(c->diag, OC_WARNING, file, line, col, fmt, arg);
}

/* The plain text of n's inline children into c->text, runs of white space
 * collapsed and the ends trimmed. */
static const char *inline_text(scan_ctx *c, const oc_node *root) {
    oc_buf_reset(&c->text);
    int space = 0;
    for (const oc_node *n = root->first; n; n = oc_node_next(root, n, 1)) {
        const char *s = NULL;
        size_t len = 0;
        if (n->type == OC_TEXT || n->type == OC_CODE || n->type == OC_HTML_INLINE) {
            s = n->text ? n->text : "";
            len = n->len ? n->len : strlen(s);
        } else if (n->type == OC_SOFTBREAK || n->type == OC_LINEBREAK) {
            s = " ";
            len = 1;
        }
        for (size_t i = 0; i < len; i++) {
            unsigned char ch = (unsigned char)s[i];
            if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
                space = 1;
                continue;
            }
            if (space && c->text.len) oc_buf_putc(&c->text, ' ');
            space = 0;
            oc_buf_putc(&c->text, (char)ch);
        }
    }
    return c->text.data ? c->text.data : "";
}

static int starts_with_ci(const char *s, const char *prefix) {
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* Link text a listener cannot tell apart from its neighbours: a bare URL,
 * or "here" and its kin. */
static int vague_link_text(const char *text, const char *url) {
    static const char *vague[] = {"here",        "here.",     "click here",
                                  "click here.", "this link", "read more"};
    for (size_t i = 0; i < sizeof vague / sizeof *vague; i++)
        if (strcasecmp(text, vague[i]) == 0) return 1;
    if (!*text) return 0;
    if (starts_with_ci(text, "http://") || starts_with_ci(text, "https://") ||
        starts_with_ci(text, "ftp://") || starts_with_ci(text, "www."))
        return strchr(text, ' ') == NULL;
    return url && strcmp(text, url) == 0 && strchr(text, ' ') == NULL;
}

static void check_heading(scan_ctx *c, const oc_node *n) {
    c->f->headings++;
    int prev = c->prev_level;
    c->prev_level = n->level;
    if (n->level <= prev + 1) return;
    c->f->heading_skips++;
    if (!c->diag) return;
    char msg[160];
    if (prev == 0)
        snprintf(msg, sizeof msg,
                 "the chapter opens with a level-%d heading; screen readers expect level 1 first",
                 n->level);
    else
        snprintf(msg, sizeof msg, "heading level %d follows level %d, skipping level %d", n->level,
                 prev, prev + 1);
    warn(c, n, "%s", msg);
}

static void check_table(scan_ctx *c, const oc_node *n) {
    c->f->tables++;
    const oc_node *row = n->first;
    int header_row = row && oc_row_is_header(row), has_head = 0;
    if (header_row)
        for (const oc_node *cell = row->first; cell; cell = cell->next)
            if (inline_text(c, cell)[0] || cell->first) has_head = 1;
    if (has_head) return;
    c->f->tables_no_head++;
    warn(c, n, "%s",
         header_row ? "table has an empty header row; give each column a heading for screen readers"
                    : "table has no header row; give each column a heading for screen readers");
}

static void check_image(scan_ctx *c, const oc_node *n) {
    int has_alt = inline_text(c, n)[0] != '\0';
    if (n->asset && n->asset->data && n->asset->size) {
        c->f->images++;
        if (has_alt) c->f->images_alt++;
    }
    if (has_alt) return;
    c->f->images_no_alt++;
    warn(c, n, "image '%s' has no alt text; describe it in ![...] for readers who cannot see it",
         n->url ? n->url : "");
}

static void check_link(scan_ctx *c, const oc_node *n) {
    const char *text = inline_text(c, n);
    if (!vague_link_text(text, n->url)) return;
    c->f->vague_links++;
    if (!c->diag) return;
    char shown[64];
    size_t len = strlen(text);
    if (len < sizeof shown) {
        memcpy(shown, text, len + 1);
    } else { /* cut at a UTF-8 boundary */
        size_t cut = sizeof shown - 4;
        while (cut > 0 && ((unsigned char)text[cut] & 0xC0) == 0x80)
            cut--;
        memcpy(shown, text, cut);
        memcpy(shown + cut, "...", 4);
    }
    warn(c, n,
         "link text '%s' does not say where it leads; screen reader users often hear links "
         "out of context",
         shown);
}

static void scan_tree(scan_ctx *c, const oc_node *root) {
    for (const oc_node *n = root; n; n = oc_node_next(root, n, 1)) {
        switch (n->type) {
        case OC_HEADING:
            check_heading(c, n);
            break;
        case OC_TABLE:
            check_table(c, n);
            break;
        case OC_IMAGE:
            check_image(c, n);
            break;
        case OC_LINK:
            check_link(c, n);
            break;
        default:
            break;
        }
    }
}

void oc_a11y_scan(const oc_document *doc, oc_a11y_facts *facts, oc_diag *diag) {
    oc_a11y_facts local;
    scan_ctx c = {doc, NULL, facts ? facts : &local, diag, 0, {0}, NULL, 0};
    memset(c.f, 0, sizeof *c.f);
    oc_buf_init(&c.text);
    for (int i = 0; i < doc->nchapters; i++) {
        c.ch = &doc->chapters[i];
        c.prev_level = 0;
        free(c.lines);
        c.lines = NULL;
        c.nlines = 0;
        if (c.ch->root) scan_tree(&c, c.ch->root);
        for (int k = 0; c.ch->notes && k < c.ch->nnotes; k++) {
            int level = c.prev_level; /* headings in notes do not break the chapter's order */
            if (c.ch->notes[k]) scan_tree(&c, c.ch->notes[k]);
            c.prev_level = level;
        }
    }
    free(c.lines);
    oc_buf_free(&c.text);
}
