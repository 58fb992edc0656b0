/* One parse per chapter: cmark-gfm's tree turned into our Document.
 * This is the only file that includes cmark-gfm. */
#include "octavo/book.h"

#include "doc/highlight.h"
#include "doc/html.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper nesting is flattened into the node at this depth, so every
 * backend may walk the tree recursively without risk to the stack. */
#define OC_MAX_DEPTH 48

static int parse_int(const char *s) {
    char *end = NULL;
    long v = strtol(s, &end, 10);
    return v > 0 && v < 1000000 ? (int)v : 0;
}

static oc_node *new_node(oc_arena *a, oc_node_type t, int line, int col) {
    oc_node *n = oc_arena_alloc(a, sizeof *n);
    n->type = t;
    n->line = line;
    n->column = col;
    return n;
}

void oc_node_append(oc_node *parent, oc_node *child) {
    child->parent = parent;
    child->prev = parent->last;
    if (parent->last)
        parent->last->next = child;
    else
        parent->first = child;
    parent->last = child;
}

/* The per-type fields are the union that ends the node, and each type's
 * struct starts where it starts: zeroing from the first field of one of
 * them to the end of the node clears them all. */
#define OC_NODE_FIELDS offsetof(oc_node, level)
_Static_assert(offsetof(oc_node, ordered) == OC_NODE_FIELDS &&
                   offsetof(oc_node, info) == OC_NODE_FIELDS &&
                   offsetof(oc_node, url) == OC_NODE_FIELDS &&
                   offsetof(oc_node, note) == OC_NODE_FIELDS &&
                   offsetof(oc_node, ncols) == OC_NODE_FIELDS &&
                   offsetof(oc_node, len) + sizeof(size_t) <= OC_NODE_FIELDS,
               "oc_node's per-type fields are one union at its end");

void oc_node_retype(oc_node *n, oc_node_type type) {
    memset((char *)n + OC_NODE_FIELDS, 0, sizeof *n - OC_NODE_FIELDS);
    n->type = type;
}

const oc_node *oc_node_next(const oc_node *root, const oc_node *cur, int descend) {
    if (descend && cur->first) return cur->first;
    while (cur && cur != root && !cur->next)
        cur = cur->parent;
    return !cur || cur == root ? NULL : cur->next;
}

const char *oc_node_plain_text(oc_arena *a, const oc_node *n) {
    oc_buf b;
    oc_buf_init(&b);
    for (const oc_node *cur = n->first; cur;
         cur = oc_node_next(n, cur, cur->type != OC_FOOTNOTE_REF)) {
        switch (cur->type) {
        case OC_TEXT:
        case OC_CODE:
        case OC_HTML_INLINE:
            oc_buf_append(&b, cur->text, cur->len);
            break;
        case OC_SOFTBREAK:
        case OC_LINEBREAK:
            oc_buf_putc(&b, ' ');
            break;
        default:
            break;
        }
    }
    const char *r = oc_arena_strndup(a, b.data ? b.data : "", b.len);
    oc_buf_free(&b);
    return r;
}

/* The lower case of the capitals of the alphabets books are written in
 * (Latin with its extensions, Greek with its accents, Cyrillic, Armenian),
 * as GitHub lower-cases them in anchors; other code points unchanged. */
static uint32_t lower_case(uint32_t cp) {
    if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x391 && cp <= 0x3AB && cp != 0x3A2) ||
        (cp >= 0x410 && cp <= 0x42F))
        return cp + 0x20;
    if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
    if (cp == 0x386) return 0x3AC;
    if (cp >= 0x388 && cp <= 0x38A) return cp + 37;
    if (cp == 0x38C) return 0x3CC;
    if (cp == 0x38E || cp == 0x38F) return cp + 63;
    if (cp >= 0x531 && cp <= 0x556) return cp + 48;
    /* pairs: capital at the even code point, small at the odd one */
    if (((cp >= 0x100 && cp <= 0x137) || (cp >= 0x14A && cp <= 0x177) ||
         (cp >= 0x460 && cp <= 0x481) || (cp >= 0x48A && cp <= 0x4BF) ||
         (cp >= 0x4D0 && cp <= 0x52F) || (cp >= 0x1E00 && cp <= 0x1E95) ||
         (cp >= 0x1EA0 && cp <= 0x1EFF)) &&
        cp % 2 == 0 && cp != 0x130) /* İ is i with a dot above, not ı */
        return cp + 1;
    /* pairs the other way round: capital odd, small even */
    if (((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E) ||
         (cp >= 0x4C1 && cp <= 0x4CE)) &&
        cp % 2 == 1)
        return cp + 1;
    if (cp == 0x178) return 0xFF;
    return cp;
}

/* GitHub's anchor rule: lower-case; keep letters, digits, '-', '_' and
 * spaces (as '-'); drop everything else. Non-ASCII letters are kept. */
char *oc_slugify(oc_arena *a, const char *text) {
    size_t n = strlen(text);
    char *out = oc_arena_alloc(a, n + 1);
    size_t o = 0, i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)text[i];
        if (c < 0x80) {
            if (isalnum(c) || c == '-' || c == '_')
                out[o++] = (char)tolower(c);
            else if (c == ' ')
                out[o++] = '-';
            i++;
        } else {
            size_t j = i;
            uint32_t cp = oc_utf8_next(text, n, &j);
            /* drop typographic punctuation and symbols GitHub strips; keep letters */
            int punct = (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x00A1 && cp <= 0x00BF) ||
                        cp == 0x00D7 || cp == 0x00F7 || (cp >= 0x2190 && cp <= 0x2BFF) ||
                        (cp >= 0x3000 && cp <= 0x303F) || cp == 0xFFFD || cp >= 0x1F000;
            if (cp == 0x00A0)
                out[o++] = '-';
            else if (!punct) {
                o += (size_t)oc_utf8_encode(lower_case(cp), out + o);
            }
            i = j;
        }
    }
    out[o] = '\0';
    return out;
}

/* A set of strings with one counter each (open addressing). It keeps every
 * id unique in the book (the PDF has one namespace of destinations), and the
 * heading slugs of a chapter with the next "-N" suffix to try for each, so
 * that thousands of identical headings cost linear time. */
typedef struct {
    const char **slots;
    int *next;
    size_t cap, count;
} idset;

/* The slot holding s, or the empty slot where it belongs (cap > 0). */
static size_t idset_slot(const idset *S, const char *s) {
    size_t i = oc_fnv1a_str(s, OC_FNV_OFFSET) & (S->cap - 1);
    while (S->slots[i] && strcmp(S->slots[i], s) != 0)
        i = (i + 1) & (S->cap - 1);
    return i;
}

static int idset_has(const idset *S, const char *s) {
    return S->cap && S->slots[idset_slot(S, s)] != NULL;
}

/* The counter of s; s must be in the set. */
static int *idset_next(idset *S, const char *s) {
    return &S->next[idset_slot(S, s)];
}

static void idset_add(idset *S, const char *s) {
    if ((S->count + 1) * 2 > S->cap) {
        size_t ocap = S->cap;
        const char **old = S->slots;
        int *oldnext = S->next;
        S->cap = ocap ? ocap * 2 : 64;
        S->slots = oc_xcalloc(S->cap, sizeof *S->slots);
        S->next = oc_xcalloc(S->cap, sizeof *S->next);
        for (size_t i = 0; i < ocap; i++) {
            if (!old[i]) continue;
            size_t k = idset_slot(S, old[i]);
            S->slots[k] = old[i];
            S->next[k] = oldnext[i];
        }
        free(old);
        free(oldnext);
    }
    size_t i = idset_slot(S, s);
    if (S->slots[i]) return;
    S->slots[i] = s;
    S->next[i] = 1;
    S->count++;
}

/* Adds id, or id-2, id-3, ... (the first one free) and returns what was added. */
static const char *idset_add_unique(idset *S, oc_arena *a, const char *id) {
    if (!idset_has(S, id)) {
        idset_add(S, id);
        return id;
    }
    int k = *idset_next(S, id);
    if (k < 2) k = 2;
    const char *u;
    do {
        u = oc_arena_printf(a, "%s-%d", id, k++);
    } while (idset_has(S, u));
    *idset_next(S, id) = k;
    idset_add(S, u);
    return u;
}

static void idset_free(idset *S) {
    free(S->slots);
    free(S->next);
    memset(S, 0, sizeof *S);
}

typedef struct {
    oc_document *doc;
    oc_diag *diag;
    oc_chapter *ch;
    idset slugs;              /* every heading slug of this chapter, for de-duplication */
    int warned_hl;            /* a code block left plain by the highlighting limits */
    double *hl_budget;        /* the book's highlighting budget (oc_doc_highlight_block) */
    oc_hl_batch *hl_batch;    /* the book's code blocks, highlighted on two threads */
    const int *outline_start; /* chapter i's headings: outline[start[i] .. start[i+1]) */
    oc_node **anchors;        /* every HTML anchor (a id/name), in book order */
    const int *anchor_start;  /* chapter i's: anchors[start[i] .. start[i+1]) */
} parse_ctx;

static const char *type_string(cmark_node *n) {
    const char *s = cmark_node_get_type_string(n);
    return s ? s : "";
}

static oc_node *convert_node(parse_ctx *P, cmark_node *cn, oc_node *parent) {
    oc_arena *a = &P->doc->arena;
    int line = cmark_node_get_start_line(cn), col = cmark_node_get_start_column(cn);
    if (line <= 0 && parent) line = parent->line, col = parent->column;
    const char *lit = cmark_node_get_literal(cn);
    oc_node *n = NULL;
    switch (cmark_node_get_type(cn)) {
    case CMARK_NODE_DOCUMENT:
        n = new_node(a, OC_CHAPTER, 1, 1);
        break;
    case CMARK_NODE_BLOCK_QUOTE:
        n = new_node(a, OC_QUOTE, line, col);
        break;
    case CMARK_NODE_LIST:
        n = new_node(a, OC_LIST, line, col);
        n->ordered = cmark_node_get_list_type(cn) == CMARK_ORDERED_LIST;
        n->start = cmark_node_get_list_start(cn);
        n->tight = cmark_node_get_list_tight(cn);
        break;
    case CMARK_NODE_ITEM:
        n = new_node(a, OC_ITEM, line, col);
        if (strcmp(type_string(cn), "tasklist") == 0)
            n->task = cmark_gfm_extensions_get_tasklist_item_checked(cn) ? 2 : 1;
        break;
    case CMARK_NODE_CODE_BLOCK: {
        n = new_node(a, OC_CODE_BLOCK, line, col);
        /* the language is the first word; mdBook writes attributes after a
         * comma ("rust,ignore"), others after a blank ("python title=x") */
        const char *info = cmark_node_get_fence_info(cn);
        size_t il = 0;
        while (info && info[il] && !isspace((unsigned char)info[il]) && info[il] != ',')
            il++;
        n->info = info ? oc_arena_strndup(a, info, il) : "";
        n->fence_info = info ? oc_arena_strdup(a, info) : "";
        break;
    }
    case CMARK_NODE_HTML_BLOCK:
        n = new_node(a, OC_HTML_BLOCK, line, col);
        break;
    case CMARK_NODE_PARAGRAPH:
        n = new_node(a, OC_PARAGRAPH, line, col);
        break;
    case CMARK_NODE_HEADING:
        n = new_node(a, OC_HEADING, line, col);
        n->level = cmark_node_get_heading_level(cn);
        break;
    case CMARK_NODE_THEMATIC_BREAK:
        n = new_node(a, OC_HR, line, col);
        break;
    case CMARK_NODE_FOOTNOTE_DEFINITION:
        n = new_node(a, OC_FOOTNOTE, line, col);
        break;
    case CMARK_NODE_TEXT:
        n = new_node(a, OC_TEXT, line, col);
        break;
    case CMARK_NODE_SOFTBREAK:
        n = new_node(a, OC_SOFTBREAK, line, col);
        break;
    case CMARK_NODE_LINEBREAK:
        n = new_node(a, OC_LINEBREAK, line, col);
        break;
    case CMARK_NODE_CODE:
        n = new_node(a, OC_CODE, line, col);
        break;
    case CMARK_NODE_HTML_INLINE:
        n = new_node(a, OC_HTML_INLINE, line, col);
        break;
    case CMARK_NODE_EMPH:
        n = new_node(a, OC_EMPH, line, col);
        break;
    case CMARK_NODE_STRONG:
        n = new_node(a, OC_STRONG, line, col);
        break;
    case CMARK_NODE_LINK:
    case CMARK_NODE_IMAGE: {
        n = new_node(a, cmark_node_get_type(cn) == CMARK_NODE_LINK ? OC_LINK : OC_IMAGE, line, col);
        const char *url = cmark_node_get_url(cn), *title = cmark_node_get_title(cn);
        n->url = oc_arena_strdup(a, url ? url : "");
        n->title = title && *title ? oc_arena_strdup(a, title) : NULL;
        break;
    }
    case CMARK_NODE_FOOTNOTE_REFERENCE:
        n = new_node(a, OC_FOOTNOTE_REF, line, col);
        n->note_number = lit ? parse_int(lit) : 0;
        lit = NULL;
        break;
    default: {
        const char *ts = type_string(cn);
        if (strcmp(ts, "table") == 0) {
            n = new_node(a, OC_TABLE, line, col);
            n->ncols = cmark_gfm_extensions_get_table_columns(cn);
            oc_align *al = oc_arena_alloc(a, sizeof *al * (size_t)(n->ncols ? n->ncols : 1));
            uint8_t *ca = cmark_gfm_extensions_get_table_alignments(cn);
            for (int i = 0; ca && i < n->ncols; i++)
                al[i] = ca[i] == 'l'   ? OC_ALIGN_LEFT
                        : ca[i] == 'c' ? OC_ALIGN_CENTER
                        : ca[i] == 'r' ? OC_ALIGN_RIGHT
                                       : OC_ALIGN_NONE;
            n->align = al;
        } else if (strcmp(ts, "table_header") == 0 || strcmp(ts, "table_row") == 0) {
            n = new_node(a, OC_TABLE_ROW, line, col);
            n->header = cmark_gfm_extensions_get_table_row_is_header(cn);
        } else if (strcmp(ts, "table_cell") == 0) {
            n = new_node(a, OC_TABLE_CELL, line, col);
            n->col = parent && parent->last ? oc_cell_col(parent->last) + 1 : 0;
        } else if (strcmp(ts, "strikethrough") == 0) {
            n = new_node(a, OC_STRIKE, line, col);
        } else {
            return NULL; /* an unknown extension node: its children join the parent */
        }
    }
    }
    if (lit && (n->type == OC_TEXT || n->type == OC_CODE || n->type == OC_CODE_BLOCK ||
                n->type == OC_HTML_BLOCK || n->type == OC_HTML_INLINE)) {
        n->len = strlen(lit);
        n->text = oc_arena_strndup(a, lit, n->len);
    }
    return n;
}

/* Joins runs of adjacent TEXT children into one node each (cmark splits
 * text at every special character), with one copy per run. */
static void merge_text(oc_arena *a, oc_node *parent) {
    oc_node *c = parent->first;
    while (c) {
        if (c->type != OC_TEXT || !c->next || c->next->type != OC_TEXT) {
            c = c->next;
            continue;
        }
        size_t total = 0;
        oc_node *e = c;
        while (e && e->type == OC_TEXT) {
            total += e->len;
            e = e->next;
        }
        char *t = oc_arena_alloc(a, total + 1);
        size_t o = 0;
        for (oc_node *k = c; k != e; k = k->next) {
            memcpy(t + o, k->text, k->len);
            o += k->len;
        }
        t[o] = '\0';
        c->text = t;
        c->len = total;
        c->next = e;
        if (e)
            e->prev = c;
        else
            parent->last = c;
        c = e;
    }
}

static int is_flattenable(oc_node_type t) {
    return t == OC_QUOTE || t == OC_LIST || t == OC_ITEM || t == OC_EMPH || t == OC_STRONG ||
           t == OC_STRIKE || t == OC_LINK;
}

/* Mirrors cmark's iterator: these node types get an ENTER event only;
 * every other node (even an empty one) gets ENTER and EXIT. */
static int is_container(cmark_node *cn) {
    switch (cmark_node_get_type(cn)) {
    case CMARK_NODE_HTML_BLOCK:
    case CMARK_NODE_THEMATIC_BREAK:
    case CMARK_NODE_CODE_BLOCK:
    case CMARK_NODE_TEXT:
    case CMARK_NODE_SOFTBREAK:
    case CMARK_NODE_LINEBREAK:
    case CMARK_NODE_CODE:
    case CMARK_NODE_HTML_INLINE:
        return 0;
    default:
        return 1;
    }
}

/* Converts one chapter's cmark tree with an explicit stack (no recursion,
 * so 20,000 nested quotes cannot exhaust the C stack). */
static oc_node *convert_tree(parse_ctx *P, cmark_node *root) {
    oc_arena *a = &P->doc->arena;
    size_t cap = 64, depth = 0;
    oc_node **stack = oc_xmalloc(cap * sizeof *stack);
    int *real = oc_xmalloc(cap * sizeof *real); /* 1 when the stack entry is a new node */
    oc_node *top = NULL;
    int flattened = 0;
    cmark_iter *it = cmark_iter_new(root);
    cmark_event_type ev;
    while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
        cmark_node *cn = cmark_iter_get_node(it);
        if (ev == CMARK_EVENT_EXIT) {
            if (depth == 0) continue;
            depth--;
            if (real[depth]) merge_text(a, stack[depth]);
            continue;
        }
        oc_node *parent = depth ? stack[depth - 1] : NULL;
        oc_node *n = convert_node(P, cn, parent);
        /* an item stays when its list does (lists deeper down are dropped),
         * so a list never holds anything but items */
        if (n && depth >= OC_MAX_DEPTH && is_flattenable(n->type) &&
            !(n->type == OC_ITEM && parent && parent->type == OC_LIST)) {
            flattened = 1;
            n = NULL;
        }
        if (n && (n->type == OC_HTML_BLOCK || n->type == OC_HTML_INLINE)) {
            const char *t = n->text ? n->text : "";
            while (*t == ' ' || *t == '\t' || *t == '\n')
                t++;
            /* comments are the author's notes: dropped silently; the rest
             * is parsed as HTML (html.c) once the tree is whole */
            if (strncmp(t, "<!--", 4) == 0 && strstr(t, "-->") &&
                !strstr(strstr(t, "-->") + 3, "<"))
                n = NULL;
            if (!n) continue; /* HTML nodes are leaves: nothing to pop later */
        }
        if (n && parent) oc_node_append(parent, n);
        if (!top && n) top = n;
        if (is_container(cn)) {
            if (depth == cap) {
                cap *= 2;
                stack = oc_xrealloc(stack, cap * sizeof *stack);
                real = oc_xrealloc(real, cap * sizeof *real);
            }
            stack[depth] = n ? n : parent;
            real[depth] = n != NULL;
            depth++;
        }
    }
    cmark_iter_free(it);
    free(stack);
    free(real);
    if (flattened)
        oc_diag_report(P->diag, OC_WARNING, P->ch->display, 1, 1,
                       "nesting deeper than %d levels is flattened", OC_MAX_DEPTH);
    return top;
}

/* ---- per-chapter passes --------------------------------------------------- */

/* Calls fn on every node of the subtree in document order (iterative). */
static void walk(oc_node *root, void (*fn)(parse_ctx *, oc_node *), parse_ctx *P) {
    for (const oc_node *cur = root; cur; cur = oc_node_next(root, cur, 1))
        fn(P, (oc_node *)cur);
}

typedef struct {
    parse_ctx base;
    idset *ids;
    oc_node ***anchors; /* the book's anchors, grown here */
    int *nanchors;
} heading_ctx;

/* An HTML anchor: an id unique in the book, like a heading's; `slug` stays
 * as written, for links. */
static void visit_anchor(parse_ctx *P, oc_node *n) {
    if (n->type != OC_ANCHOR || !n->slug) return;
    heading_ctx *H = (heading_ctx *)P;
    oc_document *doc = P->doc;
    const char *s = n->slug;
    const char *id = isalpha((unsigned char)s[0]) || (unsigned char)s[0] >= 0x80
                         ? s
                         : oc_arena_printf(&doc->arena, "h-%s", s);
    n->id = idset_add_unique(H->ids, &doc->arena, id);
    int k = *H->nanchors;
    if ((k & (k - 1)) == 0) {
        size_t cap = k ? (size_t)k * 2 : 16;
        *H->anchors = oc_xrealloc(*H->anchors, cap * sizeof **H->anchors);
    }
    (*H->anchors)[(*H->nanchors)++] = n;
}

static void visit_heading(parse_ctx *P, oc_node *n) {
    if (n->type != OC_HEADING) return;
    oc_document *doc = P->doc;
    idset *ids = ((heading_ctx *)P)->ids;
    const char *text = oc_node_plain_text(&doc->arena, n);
    char *base = oc_slugify(&doc->arena, text);
    const char *slug = base;
    /* GitHub: the second "Intro" is "intro-1", the third "intro-2"; an empty
     * slug is "section-1", "section-2", ... Each base remembers its next
     * suffix, so repeated headings do not rescan the ones before. */
    if (!*base || idset_has(&P->slugs, base)) {
        if (!idset_has(&P->slugs, base)) idset_add(&P->slugs, base);
        int k = *idset_next(&P->slugs, base);
        do {
            slug = oc_arena_printf(&doc->arena, "%s%s%d", base, *base ? "-" : "section-", k++);
        } while (idset_has(&P->slugs, slug));
        *idset_next(&P->slugs, base) = k;
    }
    idset_add(&P->slugs, slug);
    n->slug = slug;
    /* Ids must be unique in the whole book and start like an XML name. */
    const char *id = isalpha((unsigned char)slug[0]) || (unsigned char)slug[0] >= 0x80
                         ? slug
                         : oc_arena_printf(&doc->arena, "h-%s", slug);
    n->id = idset_add_unique(ids, &doc->arena, id);
    if (!P->ch->title && (n->level == 1 || !P->ch->root->first || P->ch->root->first == n))
        P->ch->title = text;
}

/* Positions in text that mdBook's directives expanded go back to the
 * chapter file: an included line to its directive's line and column. */
static void visit_remap(parse_ctx *P, oc_node *n) {
    const oc_chapter *ch = P->ch;
    if (n->line < 1 || n->line > ch->nline_map) return;
    if (ch->col_map[n->line - 1]) n->column = ch->col_map[n->line - 1];
    n->line = ch->line_map[n->line - 1];
}

static void visit_code(parse_ctx *P, oc_node *n) {
    if (n->type != OC_CODE_BLOCK) return;
    if (oc_hl_batch_add(P->hl_batch, n, !P->doc->meta.no_highlight, P->hl_budget) &&
        !P->warned_hl) {
        P->warned_hl = 1;
        oc_diag_report(P->diag, OC_WARNING, P->ch->display, n->line, n->column,
                       "code block not highlighted: a line over %d bytes, or the book's "
                       "highlighting time spent; it is shown plain",
                       OC_HL_MAX_LINE);
    }
}

static void visit_images(parse_ctx *P, oc_node *n) {
    if (n->type != OC_IMAGE) return;
    if (oc_is_url(n->url) || strncmp(n->url, "//", 2) == 0) {
        oc_diag_report(P->diag, OC_WARNING, P->ch->display, n->line, n->column,
                       "remote image '%s' is not fetched; its alt text is shown", n->url);
        return;
    }
    if (!*n->url) {
        oc_diag_report(P->diag, OC_WARNING, P->ch->display, n->line, n->column,
                       "image with an empty path; its alt text is shown");
        return;
    }
    n->asset = oc_book_asset(P->doc, P->ch->path, n->url, n->line, n->column, P->diag);
}

static void collect_notes(parse_ctx *P) {
    oc_chapter *ch = P->ch;
    int n = 0;
    for (oc_node *c = ch->root->first; c; c = c->next)
        if (c->type == OC_FOOTNOTE) n++;
    ch->notes = oc_arena_alloc(&P->doc->arena, sizeof *ch->notes * (size_t)(n ? n : 1));
    oc_node *c = ch->root->first;
    while (c) {
        oc_node *next = c->next;
        if (c->type == OC_FOOTNOTE) {
            /* unlink from the body: notes live in ch->notes */
            if (c->prev)
                c->prev->next = c->next;
            else
                ch->root->first = c->next;
            if (c->next)
                c->next->prev = c->prev;
            else
                ch->root->last = c->prev;
            c->next = c->prev = NULL;
            c->note_number = ch->nnotes + 1;
            ch->notes[ch->nnotes++] = c;
        }
        c = next;
    }
}

static void visit_noteref(parse_ctx *P, oc_node *n) {
    if (n->type != OC_FOOTNOTE_REF) return;
    if (n->note_number >= 1 && n->note_number <= P->ch->nnotes) {
        n->note = P->ch->notes[n->note_number - 1];
        n->note->ref_count++;
    } else {
        /* cannot happen with cmark-gfm's numbering; degrade to text */
        oc_node_retype(n, OC_TEXT);
        n->text = "[?]";
        n->len = 3;
    }
}

/* ---- links across the book -------------------------------------------------- */

/* The id of the heading with GitHub slug `slug` in chapter `ch`, looked up
 * in the outline (every heading, in order), not by walking the chapter.
 * Failing an exact match, the fragment decoded and folded as a slug is
 * (letter case, mdBook's ids which keep non-ASCII capitals): GitHub and
 * mdBook's pages both find such a heading, so we do too. */
static const char *find_slug(oc_arena *a, const oc_document *doc, const int *outline_start, int ch,
                             const char *slug) {
    for (int i = outline_start[ch]; i < outline_start[ch + 1]; i++)
        if (strcmp(doc->outline[i].node->slug, slug) == 0) return doc->outline[i].id;
    const char *folded = oc_slugify(a, oc_arena_percent_decode(a, slug, strlen(slug)));
    if (!*folded) return NULL;
    for (int i = outline_start[ch]; i < outline_start[ch + 1]; i++)
        if (strcmp(oc_slugify(a, doc->outline[i].node->slug), folded) == 0)
            return doc->outline[i].id;
    return NULL;
}

/* The chapter at book-relative `rel`, also when the link names the page
 * mdBook makes of it ("x.html" for x.md, "index.html" for README.md). */
static int find_chapter(oc_arena *a, const oc_document *doc, const char *rel) {
    for (int i = 0; rel && i < doc->nchapters; i++)
        if (strcmp(doc->chapters[i].path, rel) == 0) return i;
    size_t n = rel ? strlen(rel) : 0;
    if (n > 5 && strcmp(rel + n - 5, ".html") == 0) {
        const char *md = oc_arena_printf(a, "%.*s.md", (int)(n - 5), rel);
        for (int i = 0; i < doc->nchapters; i++)
            if (strcmp(doc->chapters[i].path, md) == 0) return i;
        if (n >= 10 && strcmp(rel + n - 10, "index.html") == 0 && (n == 10 || rel[n - 11] == '/')) {
            const char *readme = oc_arena_printf(a, "%.*sREADME.md", (int)(n - 10), rel);
            for (int i = 0; i < doc->nchapters; i++)
                if (strcmp(doc->chapters[i].path, readme) == 0) return i;
        }
    }
    return -1;
}

/* The id of the HTML anchor written `slug` in chapter `ch`. */
static const char *find_anchor(const parse_ctx *P, int ch, const char *slug) {
    for (int i = P->anchor_start[ch]; i < P->anchor_start[ch + 1]; i++)
        if (strcmp(P->anchors[i]->slug, slug) == 0) return P->anchors[i]->id;
    return NULL;
}

static int strncasecmp_ascii(const char *s, const char *prefix) {
    for (; *prefix; s++, prefix++)
        if (tolower((unsigned char)*s) != *prefix) return 0;
    return 1;
}

static int safe_scheme(const char *url) {
    static const char *ok[] = {"http:", "https:", "mailto:", "ftp:", "ftps:", "tel:"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (strncasecmp_ascii(url, ok[i])) return 1;
    return 0;
}

static void visit_link(parse_ctx *P, oc_node *n) {
    if (n->type != OC_LINK) return;
    oc_document *doc = P->doc;
    const char *url = n->url;
    if (oc_is_url(url)) {
        if (safe_scheme(url)) {
            n->link_kind = OC_LINK_EXTERNAL;
        } else {
            n->link_kind = OC_LINK_BROKEN;
            oc_diag_report(P->diag, OC_WARNING, P->ch->display, n->line, n->column,
                           "link '%s' uses a scheme that is not allowed; shown as text", url);
        }
        return;
    }
    if (strncmp(url, "//", 2) == 0) {
        n->link_kind = OC_LINK_EXTERNAL;
        n->url = oc_arena_printf(&doc->arena, "https:%s", url);
        return;
    }
    const char *hash = strchr(url, '#');
    size_t plen = hash ? (size_t)(hash - url) : strlen(url);
    const char *frag = hash ? hash + 1 : NULL;
    int target = -1;
    if (plen == 0) {
        target = P->ch->index;
    } else {
        char *file = oc_arena_strndup(&doc->arena, url, plen);
        char *q = strchr(file, '?');
        if (q) *q = '\0';
        char *dir = oc_path_dirname(&doc->arena, P->ch->path);
        char *rel = oc_path_confine(&doc->arena, dir,
                                    oc_arena_percent_decode(&doc->arena, file, strlen(file)));
        target = find_chapter(&doc->arena, doc, rel);
    }
    if (target < 0) {
        n->link_kind = OC_LINK_BROKEN;
        oc_diag_report(P->diag, OC_WARNING, P->ch->display, n->line, n->column,
                       "link target '%s' is not a chapter of this book", url);
        return;
    }
    n->link_kind = OC_LINK_INTERNAL;
    n->target_chapter = target;
    n->target_id = NULL;
    if (frag && *frag) {
        const char *id = find_slug(&doc->arena, doc, P->outline_start, target, frag);
        if (!id) id = find_anchor(P, target, frag);
        if (!id) {
            /* "event-error_1": the second "Event: 'error'" as Node.js's
             * documentation tools number repeats; GitHub writes "-1" */
            size_t fl = strlen(frag), k = fl;
            while (k > 0 && frag[k - 1] >= '0' && frag[k - 1] <= '9')
                k--;
            if (k > 1 && k < fl && frag[k - 1] == '_') {
                char *alt = oc_arena_strdup(&doc->arena, frag);
                alt[k - 1] = '-';
                id = find_slug(&doc->arena, doc, P->outline_start, target, alt);
            }
        }
        if (!id) {
            n->link_kind = OC_LINK_BROKEN;
            oc_diag_report(P->diag, OC_WARNING, P->ch->display, n->line, n->column,
                           "link '%s': no heading '#%s' (nor HTML anchor) in %s", url, frag,
                           doc->chapters[target].path);
            return;
        }
        n->target_id = id;
    }
}

static void visit_figure(parse_ctx *P, oc_node *n) {
    if (n->type != OC_IMAGE || !n->title || !n->asset) return;
    /* a figure is an image alone in its paragraph */
    oc_node *p = n->parent;
    if (!p || p->type != OC_PARAGRAPH) return;
    for (oc_node *c = p->first; c; c = c->next) {
        if (c == n || c->type == OC_SOFTBREAK || c->type == OC_LINEBREAK) continue;
        if (c->type == OC_TEXT) {
            size_t i = 0;
            while (i < c->len && isspace((unsigned char)c->text[i]))
                i++;
            if (i == c->len) continue;
        }
        return;
    }
    n->figure_number = ++P->doc->nfigures;
}

static void visit_outline(parse_ctx *P, oc_node *n) {
    if (n->type != OC_HEADING) return;
    oc_document *doc = P->doc;
    if ((doc->noutline & (doc->noutline - 1)) == 0) {
        size_t cap = doc->noutline ? (size_t)doc->noutline * 2 : 16;
        oc_outline_entry *g = oc_arena_alloc(&doc->arena, cap * sizeof *g);
        if (doc->noutline) memcpy(g, doc->outline, (size_t)doc->noutline * sizeof *g);
        doc->outline = g;
    }
    oc_outline_entry *e = &doc->outline[doc->noutline++];
    e->chapter = P->ch->index;
    e->level = n->level;
    e->id = n->id;
    e->text = oc_node_plain_text(&doc->arena, n);
    e->node = n;
}

/* Section numbers ("2.3") when the book asks for them: chapters count from
 * their first heading level. */
static void number_sections(oc_document *doc) {
    int counters[7] = {0};
    for (int i = 0; i < doc->noutline; i++) {
        oc_outline_entry *e = &doc->outline[i];
        int lv = e->level;
        counters[lv]++;
        for (int k = lv + 1; k <= 6; k++)
            counters[k] = 0;
        oc_buf b;
        oc_buf_init(&b);
        int first = 1;
        for (int k = 1; k <= lv; k++) {
            if (!counters[k] && first) continue;
            oc_buf_printf(&b, first ? "%d" : ".%d", counters[k]);
            first = 0;
        }
        e->node->number = oc_arena_strdup(&doc->arena, b.data ? b.data : "");
        oc_buf_free(&b);
    }
}

/* ---- guards in front of cmark-gfm ------------------------------------------ */

/* Debian 12's cmark-gfm (0.29.0.gfm.6) has three input shapes whose cost is
 * out of proportion to the input (fixed upstream in gfm.7 and later):
 *  - a table row of k cells costs k^2 (each cell is appended to a linked
 *    list by walking it), and a line that looks like a table's delimiter row
 *    re-reads the whole paragraph above it as a header row, every time;
 *  - a table row with fewer cells than the header is filled with empty
 *    cells up to the header's width, so short rows under a wide header make
 *    rows x columns cells;
 *  - every link that uses a reference definition gets its own copy of the
 *    definition's destination and title.
 * One pass over the text bounds each of these from above (it knows nothing
 * of code blocks or containers, so it may count more than cmark-gfm does,
 * never less) and stops the chapter at the line where a bound passes a
 * budget proportional to the chapter's size; ordinary books stay far below
 * them. */
#define OC_TABLE_WORK_BASE ((uint64_t)1 << 26) /* about 0.2 s of cmark-gfm */
#define OC_TABLE_WORK_PER_BYTE 128 /* any number of rows of up to 128 one-character cells */
#define OC_TABLE_CELLS_BASE ((uint64_t)1 << 18)
#define OC_REF_COPY_BASE ((uint64_t)16 << 20)
#define OC_REF_COPY_PER_BYTE 4
#define OC_LABEL_MAX 999 /* cmark-gfm's MAX_LINK_LABEL_LENGTH - 1 */

/* The whole book's Markdown: above this a build takes more than about ten
 * seconds and a gigabyte, and libharu's page tree passes its 32,767 pages. */
#define OC_BOOK_TEXT_MAX ((size_t)64 << 20)

typedef struct {
    parse_ctx *P;
    const char *s;
    size_t n;
    int line;          /* 1-based line of the byte at line_start */
    size_t line_start; /* offset of the current line's first byte */
} guard_ctx;

static int is_escaped(const char *s, size_t i) {
    size_t k = 0;
    while (i > k && s[i - k - 1] == '\\')
        k++;
    return (int)(k & 1);
}

static int is_eol(char c) {
    return c == '\n' || c == '\r';
}

/* Offset just past the line ending at e (CR, LF or CRLF). */
/* The end of the line starting at b (its CR, LF or the end of the text):
 * CR, LF and CRLF each end a line, as the loader counts them. */
static size_t line_end(const char *s, size_t n, size_t b) {
    const char *nl = memchr(s + b, '\n', n - b), *cr;
    size_t e = nl ? (size_t)(nl - s) : n;
    if ((cr = memchr(s + b, '\r', e - b)) != NULL) e = (size_t)(cr - s);
    return e;
}

static size_t after_eol(const char *s, size_t n, size_t e) {
    if (e < n && s[e] == '\r') return e + 1 < n && s[e + 1] == '\n' ? e + 2 : e + 1;
    return e < n ? e + 1 : e;
}

static void guard_error(guard_ctx *G, size_t at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void guard_error(guard_ctx *G, size_t at, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    const oc_chapter *ch = G->P->ch;
    int line = G->line, col = (int)(at - G->line_start) + 1;
    if (ch->line_map && line >= 1 && line <= ch->nline_map) {
        if (ch->col_map[line - 1]) col = ch->col_map[line - 1];
        line = ch->line_map[line - 1];
    }
    oc_diag_report(G->P->diag, OC_ERROR, ch->display, line, col, "%s", msg);
}

/* Where a line's content starts once block quote markers, indentation and
 * one list marker are skipped (the table extension sees the line from
 * there). */
static size_t line_body(const char *s, size_t b, size_t e) {
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '>'))
        b++;
    if (b + 1 < e && (s[b] == '-' || s[b] == '+' || s[b] == '*') &&
        (s[b + 1] == ' ' || s[b + 1] == '\t')) {
        b += 2;
    } else {
        size_t d = b;
        while (d < e && d - b < 9 && s[d] >= '0' && s[d] <= '9')
            d++;
        if (d > b && d + 1 < e && (s[d] == '.' || s[d] == ')') &&
            (s[d + 1] == ' ' || s[d + 1] == '\t'))
            b = d + 2;
    }
    while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '>'))
        b++;
    return b;
}

/* Table rows: see the comment above. */
static oc_status guard_tables(guard_ctx *G) {
    const char *s = G->s;
    size_t n = G->n;
    uint64_t work = 0, cells = 0, prefix = 0;
    uint64_t work_max = OC_TABLE_WORK_BASE + (uint64_t)OC_TABLE_WORK_PER_BYTE * n;
    uint64_t cells_max = OC_TABLE_CELLS_BASE + n;
    uint64_t open_width = 0, prev_cells = 0, delim_lines = 0;
    int have_prev = 0;
    G->line = 1;
    for (size_t b = 0; b < n;) {
        size_t e = line_end(s, n, b);
        G->line_start = b;
        size_t body = line_body(s, b, e), end = e;
        while (end > body && (s[end - 1] == ' ' || s[end - 1] == '\t'))
            end--;
        if (body == end) { /* a blank line ends any paragraph or table */
            prefix = open_width = prev_cells = delim_lines = 0;
            have_prev = 0;
        } else {
            uint64_t pipes = 0;
            int delim = 1, dash = 0;
            for (size_t i = body; i < end && delim; i++) {
                char c = s[i];
                dash |= c == '-';
                delim = c == '|' || c == '-' || c == ':' || c == ' ' || c == '\t';
            }
            delim = delim && dash;
            for (const char *p = memchr(s + body, '|', end - body); p;
                 p = memchr(p + 1, '|', (size_t)(s + end - p - 1)))
                if (!is_escaped(s, (size_t)(p - s))) pipes++;
            /* the cells cmark-gfm finds: the pipes between them, plus one */
            uint64_t k = pipes + 1;
            if (s[body] == '|' && k > 1) k--;
            if (end - body > 1 && s[end - 1] == '|' && !is_escaped(s, end - 1) && k > 1) k--;
            uint64_t u = (uint64_t)(e - b) + (pipes + 1) * (pipes + 1);
            if (open_width) { /* a row: read twice (does it continue the table? add it) */
                work += 2 * u;
                cells += open_width;
            } else if (delim && have_prev) {
                /* the paragraph so far is read again as the header row */
                work += prefix + u;
                delim_lines++;
                if (prev_cells == k) {
                    open_width = k;
                    cells += k;
                }
                prefix += u;
            } else {
                prefix += u;
            }
            if (work > work_max) {
                if (!open_width && delim && delim_lines > 1)
                    guard_error(G, body,
                                "%llu lines that look like a table's delimiter row in one "
                                "paragraph: cmark-gfm 0.29 reads the whole paragraph again for "
                                "each; separate them with blank lines",
                                (unsigned long long)delim_lines);
                else
                    guard_error(G, body,
                                "a table row of %llu cells: cmark-gfm 0.29 takes time quadratic "
                                "in a row's cells, and this chapter's table rows pass its budget "
                                "here; split the table or make its rows narrower",
                                (unsigned long long)k);
                return OC_ERR_INPUT;
            }
            if (cells > cells_max) {
                guard_error(G, body,
                            "table rows with fewer cells than the header are filled to its "
                            "%llu columns: more than %llu cells by this line, out of proportion "
                            "to the chapter's text; write the cells out or split the table",
                            (unsigned long long)open_width, (unsigned long long)cells_max);
                return OC_ERR_INPUT;
            }
            prev_cells = k;
            have_prev = 1;
        }
        b = after_eol(s, n, e);
        G->line++;
    }
    return OC_OK;
}

/* Skips blanks and at most one line ending (with the next line's block
 * quote markers and indentation). */
static size_t skip_space_eol(const char *s, size_t n, size_t i) {
    while (i < n && (s[i] == ' ' || s[i] == '\t'))
        i++;
    if (i < n && is_eol(s[i])) {
        i = after_eol(s, n, i);
        while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '>'))
            i++;
    }
    return i;
}

/* An upper bound of what a reference definition whose label ends at q
 * ("]:") copies into each link using it: destination and title, after
 * entity decoding (which may grow a few entities by a fifth). */
static uint64_t def_copy_size(const char *s, size_t n, size_t q) {
    size_t i = skip_space_eol(s, n, q + 2), d0 = i;
    if (i < n && s[i] == '<') {
        while (i < n && s[i] != '>' && !is_eol(s[i]))
            i++;
    } else {
        while (i < n && (unsigned char)s[i] > ' ')
            i++;
    }
    uint64_t len = i - d0;
    i = skip_space_eol(s, n, i);
    if (i < n && (s[i] == '"' || s[i] == '\'' || s[i] == '(')) {
        char close = s[i] == '(' ? ')' : s[i];
        size_t t0 = i++;
        while (i < n && !(s[i] == close && !is_escaped(s, i))) {
            if (is_eol(s[i])) { /* a title may span lines, never a blank one */
                size_t j = after_eol(s, n, i);
                while (j < n && (s[j] == ' ' || s[j] == '\t' || s[j] == '>'))
                    j++;
                if (j >= n || is_eol(s[j])) break;
                i = j;
                continue;
            }
            i++;
        }
        len += i - t0;
    }
    return len + len / 4 + 2;
}

/* A key coarser than cmark-gfm's label matching (case folding, blanks
 * collapsed): ASCII lower-cased, blanks and '>' dropped; *ascii is 0 when
 * the label has other characters, whose folding may meet any label. */
static const char *label_key(oc_buf *b, const char *s, size_t from, size_t to, int *ascii) {
    oc_buf_reset(b);
    *ascii = 1;
    for (size_t i = from; i < to; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) *ascii = 0;
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>') continue;
        oc_buf_putc(b, (char)tolower(c));
    }
    return b->data ? b->data : "";
}

/* The '[' opening the innermost bracket pair closed at s[q], or n. */
static size_t label_open(const char *s, size_t q) {
    for (size_t i = q; i > 0 && q - i < OC_LABEL_MAX + 1;) {
        i--;
        if ((s[i] == '[' || s[i] == ']') && !is_escaped(s, i)) return s[i] == '[' ? i : (size_t)-1;
    }
    return (size_t)-1;
}

/* Reference links: see the comment above guard_tables. */
static oc_status guard_references(guard_ctx *G) {
    const char *s = G->s;
    size_t n = G->n;
    oc_status st = OC_OK;
    oc_arena *a = &G->P->doc->arena;
    idset defs = {0}; /* label key -> the largest copy size of its definitions */
    oc_buf key;
    oc_buf_init(&key);
    uint64_t max_any = 0, max_wild = 0, closes = 0;
    for (const char *p = memchr(s, ']', n); p; p = memchr(p + 1, ']', (size_t)(s + n - p - 1))) {
        size_t q = (size_t)(p - s);
        closes++;
        if (q + 1 >= n || s[q + 1] != ':' || is_escaped(s, q)) continue;
        size_t o = label_open(s, q);
        if (o == (size_t)-1) continue;
        int ascii;
        const char *k = label_key(&key, s, o + 1, q, &ascii);
        uint64_t size = def_copy_size(s, n, q);
        if (size > INT_MAX) size = INT_MAX;
        if (size > max_any) max_any = size;
        if (!ascii) {
            if (size > max_wild) max_wild = size;
            continue;
        }
        if (!idset_has(&defs, k)) idset_add(&defs, oc_arena_strdup(a, k));
        int *m = idset_next(&defs, k);
        if ((uint64_t)*m < size) *m = (int)size;
    }
    uint64_t copied = 0, budget = OC_REF_COPY_BASE + (uint64_t)OC_REF_COPY_PER_BYTE * n;
    /* every use ends with a ']': most chapters stop here */
    if (closes * max_any <= budget) goto done;
    size_t open = (size_t)-1;
    G->line = 1;
    G->line_start = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (is_eol(c)) {
            i = after_eol(s, n, i) - 1;
            G->line++;
            G->line_start = i + 1;
            continue;
        }
        if ((c != '[' && c != ']') || is_escaped(s, i)) continue;
        if (c == '[') {
            open = i;
            continue;
        }
        if (open == (size_t)-1 || i - open - 1 > OC_LABEL_MAX) {
            open = (size_t)-1;
            continue;
        }
        int ascii;
        const char *k = label_key(&key, s, open + 1, i, &ascii);
        uint64_t size = max_wild;
        if (!ascii)
            size = max_any;
        else if (idset_has(&defs, k) && (uint64_t)*idset_next(&defs, k) > size)
            size = (uint64_t)*idset_next(&defs, k);
        copied += size;
        if (copied > budget) {
            /* report at the '[' of this use; it may lie on an earlier line */
            int line = G->line;
            size_t ls = G->line_start;
            if (open < ls) {
                G->line_start = open;
                while (G->line_start > 0 && !is_eol(s[G->line_start - 1]))
                    G->line_start--;
                for (size_t j = open; j < ls; j++)
                    if (s[j] == '\n' || (s[j] == '\r' && (j + 1 >= n || s[j + 1] != '\n')))
                        G->line--;
            }
            guard_error(G, open,
                        "reference links copy their definitions' destinations and titles (up "
                        "to %llu bytes each) into every use: more than %llu MiB by this link, "
                        "out of proportion to the chapter's text; use shorter definitions or "
                        "fewer links",
                        (unsigned long long)size, (unsigned long long)(budget >> 20));
            G->line = line;
            G->line_start = ls;
            st = OC_ERR_INPUT;
            goto done;
        }
        open = (size_t)-1;
    }
done:
    idset_free(&defs);
    oc_buf_free(&key);
    return st;
}

/* Two more shapes of cmark-gfm 0.29 whose cost is quadratic in the input:
 *  - every inline node appended checks that it is not an ancestor of its
 *    new parent, walking up through every enclosing block quote and list:
 *    text nested n deep costs n per node;
 *  - every link made walks back over the image openers ('![') still open
 *    in its paragraph.
 * The nesting of a line is bounded by its '>' and list markers plus half
 * its indentation (a nested list needs two more columns), carried through
 * the block (lazy lines continue a paragraph); the openers by a counter of
 * unclosed brackets. Both charge a budget like the tables'. */
static oc_status guard_nesting(guard_ctx *G) {
    const char *s = G->s;
    size_t n = G->n;
    uint64_t budget = OC_TABLE_WORK_BASE + (uint64_t)OC_TABLE_WORK_PER_BYTE * n;
    uint64_t nest_work = 0, link_work = 0, depth = 0, images = 0;
    oc_status st = OC_OK;
    oc_buf stack; /* the openers of the block: '!' for an image's, '[' for a link's */
    oc_buf_init(&stack);
    stack.limit = n + 1;
    G->line = 1;
    for (size_t b = 0; b < n;) {
        size_t e = line_end(s, n, b);
        G->line_start = b;
        uint64_t markers = 0, cols = 0;
        size_t i = b;
        for (;;) {
            if (i < e && (s[i] == ' ' || s[i] == '\t')) {
                cols += s[i] == '\t' ? 4 : 1;
                i++;
            } else if (i < e && s[i] == '>') {
                markers++;
                i++;
            } else if (i < e && (s[i] == '-' || s[i] == '+' || s[i] == '*') &&
                       (i + 1 == e || s[i + 1] == ' ' || s[i + 1] == '\t')) {
                markers++;
                i++;
            } else {
                size_t d = i;
                while (d < e && d - i < 9 && s[d] >= '0' && s[d] <= '9')
                    d++;
                if (d > i && d < e && (s[d] == '.' || s[d] == ')') &&
                    (d + 1 == e || s[d + 1] == ' ' || s[d + 1] == '\t')) {
                    markers++;
                    i = d + 1;
                } else {
                    break;
                }
            }
        }
        if (i == e) { /* a blank line (or markers only) */
            if (markers == 0) {
                depth = images = 0;
                oc_buf_reset(&stack);
            }
        }
        if (markers + cols / 2 > depth) depth = markers + cols / 2;
        nest_work += depth * (uint64_t)(e - i); /* the text inside the markers */
        if (nest_work > budget) {
            guard_error(G, i,
                        "block quotes and lists nested about %llu deep: cmark-gfm 0.29 takes time "
                        "proportional to the nesting for every piece of text inside, which passes "
                        "this chapter's budget here; nest less deeply",
                        (unsigned long long)depth);
            st = OC_ERR_INPUT;
            break;
        }
        for (const char *p = memchr(s + i, ']', e - i), *q = memchr(s + i, '[', e - i); p || q;) {
            size_t at;
            if (q && (!p || q < p)) { /* an opener */
                at = (size_t)(q - s);
                q = memchr(q + 1, '[', (size_t)(s + e - q - 1));
                if (is_escaped(s, at)) continue;
                int image = at > 0 && s[at - 1] == '!' && !is_escaped(s, at - 1);
                oc_buf_putc(&stack, image ? '!' : '[');
                images += (uint64_t)image;
                continue;
            }
            at = (size_t)(p - s);
            p = memchr(p + 1, ']', (size_t)(s + e - p - 1));
            if (is_escaped(s, at) || stack.len == 0) continue;
            images -= (uint64_t)(stack.data[--stack.len] == '!');
            /* a link made here walks back over the image openers left */
            if (at + 1 < e && (s[at + 1] == '(' || s[at + 1] == '[')) link_work += images + 1;
            if (link_work > budget) {
                guard_error(G, at,
                            "%llu image openers ('![') still open before this link: cmark-gfm "
                            "0.29 walks back over them for every link that follows, which passes "
                            "this chapter's budget here; close them or write them as \\[",
                            (unsigned long long)images);
                st = OC_ERR_INPUT;
                break;
            }
        }
        if (st != OC_OK) break;
        b = after_eol(s, n, e);
        G->line++;
    }
    oc_buf_free(&stack);
    return st;
}

/* Runs the guards over one chapter before cmark-gfm sees it. */
static oc_status guard_chapter(parse_ctx *P) {
    guard_ctx G = {.P = P, .s = P->ch->source, .n = P->ch->source_len};
    if (!G.s) return OC_OK;
    oc_status st = guard_tables(&G);
    if (st == OC_OK) st = guard_references(&G);
    if (st == OC_OK) st = guard_nesting(&G);
    return st;
}

/* The book's Markdown must stay under OC_BOOK_TEXT_MAX; the chapter where
 * it passes gets an error at the line holding the first byte over. */
static oc_status guard_book_size(oc_document *doc, oc_diag *diag) {
    size_t total = 0;
    for (int i = 0; i < doc->nchapters; i++) {
        const oc_chapter *ch = &doc->chapters[i];
        if (ch->source_len <= OC_BOOK_TEXT_MAX - total) {
            total += ch->source_len;
            continue;
        }
        size_t at = OC_BOOK_TEXT_MAX - total, ls = 0;
        int line = 1;
        for (size_t j = 0; j < at; j++) {
            if (is_eol(ch->source[j])) {
                j = after_eol(ch->source, ch->source_len, j) - 1;
                line++;
                ls = j + 1;
            }
        }
        oc_diag_report(diag, OC_ERROR, ch->display, line, (int)(at - ls) + 1,
                       "the book's Markdown passes %zu MiB here (this chapter is %zu MiB); "
                       "octavo builds books of up to %zu MiB of text, about 25,000 pages",
                       OC_BOOK_TEXT_MAX >> 20, ch->source_len >> 20, OC_BOOK_TEXT_MAX >> 20);
        return OC_ERR_INPUT;
    }
    return OC_OK;
}

oc_status oc_doc_parse(oc_document *doc, oc_diag *diag) {
    static const char *exts[] = {"table", "strikethrough", "autolink", "tasklist"};
    cmark_gfm_core_extensions_ensure_registered();
    int errors_before = diag->errors;
    idset ids = {0};
    int options = CMARK_OPT_FOOTNOTES | CMARK_OPT_SMART | CMARK_OPT_SOURCEPOS;
    if (guard_book_size(doc, diag) != OC_OK) return OC_ERR_INPUT;
    int *outline_start = oc_xcalloc((size_t)doc->nchapters + 1, sizeof *outline_start);
    double hl_budget = OC_HL_BUDGET0;
    oc_hl_batch *hl_batch = oc_hl_batch_new(&doc->arena);
    int *anchor_start = oc_xcalloc((size_t)doc->nchapters + 1, sizeof *anchor_start);
    oc_node **anchors = NULL;
    int nanchors = 0;
    for (int i = 0; i < doc->nchapters; i++) {
        oc_chapter *ch = &doc->chapters[i];
        heading_ctx H = {
            {.doc = doc, .diag = diag, .ch = ch, .hl_budget = &hl_budget, .hl_batch = hl_batch},
            &ids,
            &anchors,
            &nanchors};
        /* a chapter the guards stop is left empty; the error fails the build */
        ch->root = NULL;
        if (guard_chapter(&H.base) == OC_OK) {
            cmark_parser *parser = cmark_parser_new(options);
            for (size_t k = 0; k < sizeof exts / sizeof *exts; k++) {
                cmark_syntax_extension *e = cmark_find_syntax_extension(exts[k]);
                if (e) cmark_parser_attach_syntax_extension(parser, e);
            }
            cmark_parser_feed(parser, ch->source, ch->source_len);
            cmark_node *root = cmark_parser_finish(parser);
            ch->root = convert_tree(&H.base, root);
            cmark_node_free(root);
            cmark_parser_free(parser);
            oc_html_chapter(doc, ch, diag);
        }
        if (!ch->root) ch->root = new_node(&doc->arena, OC_CHAPTER, 1, 1);
        if (ch->line_map) walk(ch->root, visit_remap, &H.base);
        collect_notes(&H.base);
        walk(ch->root, visit_heading, &H.base);
        for (int k = 0; k < ch->nnotes; k++)
            walk(ch->notes[k], visit_heading, &H.base);
        anchor_start[i] = nanchors;
        walk(ch->root, visit_anchor, &H.base);
        for (int k = 0; k < ch->nnotes; k++)
            walk(ch->notes[k], visit_anchor, &H.base);
        walk(ch->root, visit_noteref, &H.base);
        for (int k = 0; k < ch->nnotes; k++)
            walk(ch->notes[k], visit_noteref, &H.base);
        walk(ch->root, visit_code, &H.base);
        for (int k = 0; k < ch->nnotes; k++)
            walk(ch->notes[k], visit_code, &H.base);
        walk(ch->root, visit_images, &H.base);
        for (int k = 0; k < ch->nnotes; k++)
            walk(ch->notes[k], visit_images, &H.base);
        idset_free(&H.base.slugs);
        outline_start[i] = doc->noutline;
        walk(ch->root, visit_outline, &H.base);
        ch->hl_blocks = oc_hl_batch_count(hl_batch);
        if (!ch->title) ch->title = oc_path_stem(&doc->arena, ch->path);
        oc_node *first = ch->root->first;
        ch->id = first && first->type == OC_HEADING ? first->id : ch->file_id;
        if (!(first && first->type == OC_HEADING)) {
            /* the chapter start needs an id of its own, unique in the book */
            ch->id = idset_add_unique(&ids, &doc->arena, ch->file_id);
        }
    }
    idset_free(&ids);
    /* the blocks go on being highlighted while the rest of the build runs
     * (see oc_doc_highlight_wait) */
    oc_hl_batch_close(hl_batch);
    doc->highlight = hl_batch;
    outline_start[doc->nchapters] = doc->noutline;
    anchor_start[doc->nchapters] = nanchors;
    for (int i = 0; i < doc->nchapters; i++) {
        parse_ctx P = {.doc = doc, .diag = diag, .ch = &doc->chapters[i]};
        P.outline_start = outline_start;
        P.anchors = anchors;
        P.anchor_start = anchor_start;
        walk(P.ch->root, visit_link, &P);
        for (int k = 0; k < P.ch->nnotes; k++)
            walk(P.ch->notes[k], visit_link, &P);
        walk(P.ch->root, visit_figure, &P);
    }
    free(outline_start);
    free(anchor_start);
    free(anchors);
    if (doc->meta.number_sections) number_sections(doc);
    if (!doc->meta.title)
        doc->meta.title = doc->nchapters ? doc->chapters[0].title : doc->meta.slug;
    return diag->errors > errors_before ? OC_ERR_INPUT : OC_OK;
}

const char *oc_chapter_label(oc_arena *a, const oc_chapter *ch) {
    const char *t = ch->title ? ch->title : "";
    if (!ch->number || !*ch->number) return t;
    return oc_arena_printf(a, "%s %s", ch->number, t);
}

int oc_doc_structured(const oc_document *doc) {
    for (int i = 0; i < doc->nchapters; i++)
        if (doc->chapters[i].number || doc->chapters[i].level || doc->chapters[i].part) return 1;
    return 0;
}

void oc_doc_highlight_wait(const oc_document *doc, int chapter) {
    oc_hl_batch_wait(doc->highlight, chapter >= 0 && chapter < doc->nchapters
                                         ? doc->chapters[chapter].hl_blocks
                                         : SIZE_MAX);
}

void oc_doc_drop_sources(oc_document *doc) {
    for (int i = 0; i < doc->nchapters; i++)
        doc->chapters[i].source = NULL;
    oc_arena_free(&doc->sources);
}

void oc_doc_free(oc_document *doc) {
    oc_hl_batch_free(doc->highlight);
    oc_arena_free(&doc->sources);
    oc_arena_free(&doc->arena);
    memset(doc, 0, sizeof *doc);
}
