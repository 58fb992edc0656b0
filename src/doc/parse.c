/* One parse per chapter: cmark-gfm's tree turned into our Document.
 * This is the only file that includes cmark-gfm. */
#include "octavo/book.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <ctype.h>
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

static void append_child(oc_node *parent, oc_node *child) {
    child->parent = parent;
    child->prev = parent->last;
    if (parent->last)
        parent->last->next = child;
    else
        parent->first = child;
    parent->last = child;
}

/* The node after `cur` in document order within `root`'s subtree, or NULL;
 * with descend == 0 the children of `cur` are skipped. Iterative, so deep
 * trees cost no stack. */
static const oc_node *next_in_tree(const oc_node *root, const oc_node *cur, int descend) {
    if (descend && cur->first) return cur->first;
    while (cur && cur != root && !cur->next)
        cur = cur->parent;
    return !cur || cur == root ? NULL : cur->next;
}

const char *oc_node_plain_text(oc_arena *a, const oc_node *n) {
    oc_buf b;
    oc_buf_init(&b);
    for (const oc_node *cur = n->first; cur;
         cur = next_in_tree(n, cur, cur->type != OC_FOOTNOTE_REF)) {
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
                /* lower-case the common Latin-1, Greek and Cyrillic capitals */
                if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) || (cp >= 0x391 && cp <= 0x3AB) ||
                    (cp >= 0x410 && cp <= 0x42F))
                    cp += 0x20;
                else if (cp >= 0x400 && cp <= 0x40F)
                    cp += 0x50;
                o += (size_t)oc_utf8_encode(cp, out + o);
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

static uint64_t hash_str(const char *s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
    return h;
}

/* The slot holding s, or the empty slot where it belongs (cap > 0). */
static size_t idset_slot(const idset *S, const char *s) {
    size_t i = hash_str(s) & (S->cap - 1);
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
    idset slugs; /* every heading slug of this chapter, for de-duplication */
    int warned_html;
    const int *outline_start; /* chapter i's headings: outline[start[i] .. start[i+1]) */
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
        const char *info = cmark_node_get_fence_info(cn);
        size_t il = 0;
        while (info && info[il] && !isspace((unsigned char)info[il]))
            il++;
        n->info = info ? oc_arena_strndup(a, info, il) : "";
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
            n->col = parent && parent->last ? parent->last->col + 1 : 0;
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
            if (strncmp(t, "<!--", 4) == 0) {
                n = NULL; /* comments are the author's notes: dropped silently */
            } else if (!P->warned_html) {
                P->warned_html = 1;
                oc_diag_report(P->diag, OC_WARNING, P->ch->display, n->line, n->column,
                               "raw HTML is not passed through; it is shown as text");
            }
            if (!n) continue; /* HTML nodes are leaves: nothing to pop later */
        }
        if (n && parent) append_child(parent, n);
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
    for (const oc_node *cur = root; cur; cur = next_in_tree(root, cur, 1))
        fn(P, (oc_node *)cur);
}

typedef struct {
    parse_ctx base;
    idset *ids;
} heading_ctx;

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
        n->type = OC_TEXT;
        n->text = "[?]";
        n->len = 3;
    }
}

/* ---- links across the book -------------------------------------------------- */

/* The id of the heading with GitHub slug `slug` in chapter `ch`, looked up
 * in the outline (every heading, in order), not by walking the chapter. */
static const char *find_slug(const oc_document *doc, const int *outline_start, int ch,
                             const char *slug) {
    for (int i = outline_start[ch]; i < outline_start[ch + 1]; i++)
        if (strcmp(doc->outline[i].node->slug, slug) == 0) return doc->outline[i].id;
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
        char *rel = oc_path_confine(&doc->arena, dir, file);
        for (int i = 0; rel && i < doc->nchapters; i++)
            if (strcmp(doc->chapters[i].path, rel) == 0) target = i;
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
        const char *id = find_slug(doc, P->outline_start, target, frag);
        if (!id) {
            n->link_kind = OC_LINK_BROKEN;
            oc_diag_report(P->diag, OC_WARNING, P->ch->display, n->line, n->column,
                           "link '%s': no heading '#%s' in %s", url, frag,
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

oc_status oc_doc_parse(oc_document *doc, oc_diag *diag) {
    static const char *exts[] = {"table", "strikethrough", "autolink", "tasklist"};
    cmark_gfm_core_extensions_ensure_registered();
    int errors_before = diag->errors;
    idset ids = {0};
    int options = CMARK_OPT_FOOTNOTES | CMARK_OPT_SMART | CMARK_OPT_SOURCEPOS;
    int *outline_start = oc_xcalloc((size_t)doc->nchapters + 1, sizeof *outline_start);
    for (int i = 0; i < doc->nchapters; i++) {
        oc_chapter *ch = &doc->chapters[i];
        cmark_parser *parser = cmark_parser_new(options);
        for (size_t k = 0; k < sizeof exts / sizeof *exts; k++) {
            cmark_syntax_extension *e = cmark_find_syntax_extension(exts[k]);
            if (e) cmark_parser_attach_syntax_extension(parser, e);
        }
        cmark_parser_feed(parser, ch->source, ch->source_len);
        cmark_node *root = cmark_parser_finish(parser);
        heading_ctx H = {{.doc = doc, .diag = diag, .ch = ch}, &ids};
        ch->root = convert_tree(&H.base, root);
        cmark_node_free(root);
        cmark_parser_free(parser);
        if (!ch->root) ch->root = new_node(&doc->arena, OC_CHAPTER, 1, 1);
        collect_notes(&H.base);
        walk(ch->root, visit_heading, &H.base);
        for (int k = 0; k < ch->nnotes; k++)
            walk(ch->notes[k], visit_heading, &H.base);
        walk(ch->root, visit_noteref, &H.base);
        for (int k = 0; k < ch->nnotes; k++)
            walk(ch->notes[k], visit_noteref, &H.base);
        walk(ch->root, visit_images, &H.base);
        for (int k = 0; k < ch->nnotes; k++)
            walk(ch->notes[k], visit_images, &H.base);
        idset_free(&H.base.slugs);
        outline_start[i] = doc->noutline;
        walk(ch->root, visit_outline, &H.base);
        if (!ch->title) ch->title = oc_path_stem(&doc->arena, ch->path);
        oc_node *first = ch->root->first;
        ch->id = first && first->type == OC_HEADING ? first->id : ch->file_id;
        if (!(first && first->type == OC_HEADING)) {
            /* the chapter start needs an id of its own, unique in the book */
            ch->id = idset_add_unique(&ids, &doc->arena, ch->file_id);
        }
    }
    idset_free(&ids);
    outline_start[doc->nchapters] = doc->noutline;
    for (int i = 0; i < doc->nchapters; i++) {
        parse_ctx P = {.doc = doc, .diag = diag, .ch = &doc->chapters[i]};
        P.outline_start = outline_start;
        walk(P.ch->root, visit_link, &P);
        for (int k = 0; k < P.ch->nnotes; k++)
            walk(P.ch->notes[k], visit_link, &P);
        walk(P.ch->root, visit_figure, &P);
    }
    free(outline_start);
    if (doc->meta.number_sections) number_sections(doc);
    if (!doc->meta.title)
        doc->meta.title = doc->nchapters ? doc->chapters[0].title : doc->meta.slug;
    return diag->errors > errors_before ? OC_ERR_INPUT : OC_OK;
}

void oc_doc_free(oc_document *doc) {
    oc_arena_free(&doc->arena);
    memset(doc, 0, sizeof *doc);
}
