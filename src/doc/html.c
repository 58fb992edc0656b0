/* Raw HTML -> Document nodes through gumbo's HTML5 fragment parser.
 *
 * cmark-gfm leaves raw HTML as pieces: each HTML block is the text of its
 * lines, each inline tag a node of its own between the text nodes. For one
 * container at a time (a paragraph's inlines, or a chapter's / quote's /
 * item's blocks) we write one HTML fragment: the HTML pieces as written,
 * the Markdown text escaped, and every other Markdown node as a placeholder
 * element carrying its index. gumbo builds the tree exactly as a browser
 * would (pairing `<kbd>` with its `</kbd>`, closing what is left open at
 * the end), and one iterative walk over that tree maps it onto our nodes,
 * putting each Markdown node back where its placeholder landed. */
#include "doc/html.h"

#include <gumbo.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Element nodes made from one fragment nest at most this deep; deeper
 * elements are unwrapped (their text kept), so backends may recurse. */
#define HTML_MAX_DEPTH 24
#define PH_ATTR "data-octavo-ph"
#define MAX_COLSPAN 64
#define MAX_COLS 256

typedef struct {
    size_t off; /* where the piece starts in the fragment */
    int line, col;
} seg;

typedef struct {
    const char *kind;
    const char *what;
    int line, col;
    int gen; /* the fragment it was last seen in (walked in source order) */
} dropped;

enum { M_BLOCK, M_INLINE, M_LIST, M_TABLE, M_ROW, M_DL };
enum { K_NONE, K_FIGURE, K_CELL, K_TABLE, K_PARA, K_BLOCKISH, K_LINK };

typedef struct {
    const GumboNode *g; /* the element whose children are walked */
    unsigned i;         /* the next child */
    int owner;          /* index of the frame holding box, mode and the implicit nodes */
    int mode;
    oc_node *box;
    oc_node *imp;      /* BLOCK: the open implicit paragraph; LIST/DL: the implicit item */
    oc_node *imp_para; /* LIST/DL: the implicit item's open paragraph */
    oc_align align;    /* inherited from div/center/p align */
    int header;        /* TABLE section from thead */
    int col;           /* ROW: the next column */
    int kind;          /* what to do when the frame ends */
    int kept;          /* 1 when the frame made a node (counts towards the depth) */
    oc_node *self;
    oc_node *mark;    /* FIGURE: the container's last child before it */
    oc_node *caption; /* FIGURE: its figcaption */
} frame;

typedef struct {
    oc_document *doc;
    oc_arena *a;
    oc_chapter *ch;
    oc_diag *diag;
    oc_buf frag;
    seg *segs;
    size_t nsegs, capsegs;
    size_t *nl; /* offsets of the fragment's line ends */
    size_t nnl, capnl;
    int gen;        /* fragments parsed so far */
    int tamed_line; /* where the first fragment tame() changed starts, or 0 */
    oc_node **ph;   /* the Markdown nodes behind the placeholders */
    unsigned char *used;
    size_t nph, capph;
    frame *st;
    int nst, capst, depth;
    dropped drops[32];
    int ndrops;
} hctx;

/* ---- small helpers ---------------------------------------------------------- */

static oc_node *mk(hctx *H, oc_node_type t, int line, int col) {
    oc_node *n = oc_arena_alloc(H->a, sizeof *n);
    n->type = t;
    n->line = line;
    n->column = col;
    return n;
}

static void unlink_node(oc_node *n) {
    oc_node *p = n->parent;
    if (!p) return;
    if (n->prev)
        n->prev->next = n->next;
    else
        p->first = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        p->last = n->prev;
    n->parent = n->prev = n->next = NULL;
}

static void insert_before(oc_node *ref, oc_node *n) {
    oc_node *p = ref->parent;
    n->parent = p;
    n->next = ref;
    n->prev = ref->prev;
    if (ref->prev)
        ref->prev->next = n;
    else
        p->first = n;
    ref->prev = n;
}

static const char *tagname(const GumboNode *g) {
    if (g->v.element.tag != GUMBO_TAG_UNKNOWN) return gumbo_normalized_tagname(g->v.element.tag);
    return "";
}

static int is_tag(const char *name, const char *list) {
    return oc_word_listed(list, name, strlen(name), 0);
}

static const char *attr(const GumboNode *g, const char *name) {
    GumboAttribute *at = gumbo_get_attribute(&g->v.element.attributes, name);
    return at ? at->value : NULL;
}

static int int_attr(const GumboNode *g, const char *name, int lo, int hi, int dflt) {
    const char *v = attr(g, name);
    if (!v) return dflt;
    while (*v == ' ')
        v++;
    long r = 0;
    int any = 0;
    for (; *v >= '0' && *v <= '9' && r < 1000000; v++, any = 1)
        r = r * 10 + (*v - '0');
    if (!any) return dflt;
    return r < lo ? lo : r > hi ? hi : (int)r;
}

static oc_align align_attr(const GumboNode *g, oc_align dflt) {
    const char *v = attr(g, "align");
    if (!v) return dflt;
    if (strcasecmp(v, "center") == 0 || strcasecmp(v, "middle") == 0) return OC_ALIGN_CENTER;
    if (strcasecmp(v, "right") == 0) return OC_ALIGN_RIGHT;
    if (strcasecmp(v, "left") == 0 || strcasecmp(v, "justify") == 0) return OC_ALIGN_LEFT;
    return dflt;
}

/* How many of the fragment's line ends lie before offset `off`. */
static size_t nl_before(const hctx *H, size_t off) {
    size_t lo = 0, hi = H->nnl;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (H->nl[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Source position of a fragment offset (binary searches: elements nested
 * thousands deep in one long line each ask for theirs). */
static void pos_of(const hctx *H, size_t off, int *line, int *col) {
    if (!H->nsegs) {
        *line = *col = 1;
        return;
    }
    size_t lo = 0, hi = H->nsegs;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (H->segs[mid].off <= off)
            lo = mid;
        else
            hi = mid;
    }
    const seg *s = &H->segs[lo];
    size_t a = nl_before(H, s->off), b = nl_before(H, off);
    *line = s->line + (int)(b - a);
    *col = b > a ? (int)(off - H->nl[b - 1]) : s->col + (int)(off - s->off);
}

static void gpos(const hctx *H, const GumboNode *g, int *line, int *col) {
    size_t off = g->type == GUMBO_NODE_ELEMENT || g->type == GUMBO_NODE_TEMPLATE
                     ? g->v.element.start_pos.offset
                     : g->v.text.start_pos.offset;
    pos_of(H, off, line, col);
}

/* Records something dropped; one warning per kind at its first line. */
static void drop(hctx *H, const GumboNode *g, const char *kind, const char *what) {
    int i = 0;
    while (i < H->ndrops && strcmp(H->drops[i].kind, kind) != 0)
        i++;
    if (i < H->ndrops && H->drops[i].gen == H->gen) return; /* an earlier one of this fragment */
    int line, col;
    gpos(H, g, &line, &col);
    if (i < H->ndrops) {
        H->drops[i].gen = H->gen;
        if (line < H->drops[i].line || (line == H->drops[i].line && col < H->drops[i].col)) {
            H->drops[i].line = line;
            H->drops[i].col = col;
        }
        return;
    }
    if (H->ndrops == (int)(sizeof H->drops / sizeof *H->drops)) return;
    dropped *d = &H->drops[H->ndrops++];
    d->kind = oc_arena_strdup(H->a, kind);
    d->what = what;
    d->line = line;
    d->col = col;
    d->gen = H->gen;
}

static void add_seg(hctx *H, int line, int col) {
    if (H->nsegs == H->capsegs) {
        H->capsegs = H->capsegs ? H->capsegs * 2 : 32;
        H->segs = oc_xrealloc(H->segs, H->capsegs * sizeof *H->segs);
    }
    seg *s = &H->segs[H->nsegs++];
    s->off = H->frag.len;
    s->line = line > 0 ? line : 1;
    s->col = col > 0 ? col : 1;
}

static void add_placeholder(hctx *H, oc_node *n, int block) {
    if (H->nph == H->capph) {
        H->capph = H->capph ? H->capph * 2 : 32;
        H->ph = oc_xrealloc(H->ph, H->capph * sizeof *H->ph);
        H->used = oc_xrealloc(H->used, H->capph);
    }
    add_seg(H, n->line, n->column);
    oc_buf_printf(&H->frag,
                  block ? "<div " PH_ATTR "=\"%zu\"></div>\n" : "<span " PH_ATTR "=\"%zu\"></span>",
                  H->nph);
    H->used[H->nph] = 0;
    H->ph[H->nph++] = n;
}

/* Text for the fragment: escaped, with U+FFFD for NUL. */
static void add_text(hctx *H, const oc_node *n) {
    add_seg(H, n->line, n->column);
    size_t len = n->text ? n->len : 0;
    for (size_t i = 0; i < len; i++) {
        char c = n->text[i];
        if (c == '&')
            oc_buf_puts(&H->frag, "&amp;");
        else if (c == '<')
            oc_buf_puts(&H->frag, "&lt;");
        else if (c == '>')
            oc_buf_puts(&H->frag, "&gt;");
        else if (c == '\0')
            oc_buf_puts(&H->frag, "\xEF\xBF\xBD");
        else
            oc_buf_putc(&H->frag, c);
    }
}

static long placeholder_of(const hctx *H, const GumboNode *g) {
    const char *v = attr(g, PH_ATTR);
    if (!v) return -1;
    char *end = NULL;
    unsigned long k = strtoul(v, &end, 10);
    if (!end || *end || k >= H->nph || H->used[k]) return -1;
    return (long)k;
}

/* Pre-order successor within root's subtree, from parent links (no stack). */
static const GumboNode *gnext(const GumboNode *root, const GumboNode *n, int descend) {
    if (descend && (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE) &&
        n->v.element.children.length)
        return n->v.element.children.data[0];
    while (n && n != root) {
        const GumboNode *p = n->parent;
        if (!p) return NULL;
        size_t i = n->index_within_parent;
        if (i + 1 < p->v.element.children.length) return p->v.element.children.data[i + 1];
        n = p;
    }
    return NULL;
}

static const char removed_tags[] =
    "script style iframe object embed applet form input button select textarea option optgroup "
    "datalist output keygen fieldset legend template noscript base meta link title xmp "
    "plaintext noembed noframes frame frameset svg param head";

/* The text of an element's subtree (for pre, code, captions); *ph is set
 * when a placeholder is inside (the caller then unwraps instead). */
static void text_content(const hctx *H, oc_buf *b, const GumboNode *root, int *ph) {
    for (const GumboNode *n = root; n;) {
        int descend = 1;
        if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE) {
            if (n != root && is_tag(tagname(n), removed_tags)) descend = 0;
            if (placeholder_of(H, n) >= 0) *ph = 1;
            if (n->v.element.tag == GUMBO_TAG_BR) oc_buf_putc(b, '\n');
        } else if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE ||
                   n->type == GUMBO_NODE_CDATA) {
            oc_buf_puts(b, n->v.text.text);
        }
        n = gnext(root, n, descend);
    }
}

static int blank(const char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\n' && s[i] != '\r' && s[i] != '\f') return 0;
    return 1;
}

static int is_blank_text(const oc_node *n) {
    return (n->type == OC_TEXT && blank(n->text ? n->text : "", n->len)) || n->type == OC_SOFTBREAK;
}

/* Strips an unsafe URL (javascript:, vbscript:, data:): NULL and a record. */
static const char *safe_url(hctx *H, const GumboNode *g, const char *url) {
    if (!url) return NULL;
    char clean[16];
    size_t k = 0;
    for (const char *p = url; *p && k < sizeof clean - 1; p++) {
        unsigned char c = (unsigned char)*p;
        if (c <= ' ') continue; /* browsers ignore blanks and controls in a scheme */
        clean[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    clean[k] = '\0';
    static const char *bad[] = {"javascript:", "vbscript:", "data:"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        if (strncmp(clean, bad[i], strlen(bad[i])) == 0) {
            drop(H, g, bad[i], "URL");
            return NULL;
        }
    }
    while (*url == ' ' || *url == '\t' || *url == '\n')
        url++;
    return url;
}

/* ---- paragraphs ------------------------------------------------------------ */

/* Tidies a finished paragraph: blank text at the ends goes; a lone image
 * (or one inside a link) becomes the paragraph's only child, so that it is
 * a figure like a Markdown image alone; an empty paragraph is removed. */
static void tidy_para(hctx *H, oc_node *p) {
    (void)H;
    while (p->first && is_blank_text(p->first))
        unlink_node(p->first);
    while (p->last && is_blank_text(p->last))
        unlink_node(p->last);
    if (!p->first) {
        unlink_node(p);
        return;
    }
    oc_node *only = NULL;
    int count = 0;
    for (oc_node *c = p->first; c; c = c->next)
        if (!is_blank_text(c)) only = c, count++;
    if (count == 1 && only->type == OC_LINK) {
        oc_node *img = NULL;
        int k = 0;
        for (oc_node *c = only->first; c; c = c->next)
            if (!is_blank_text(c)) img = c, k++;
        if (k == 1 && img->type == OC_IMAGE) only = img;
    }
    if (count == 1 && only->type == OC_IMAGE) {
        unlink_node(only);
        p->first = p->last = NULL;
        oc_node_append(p, only);
        return;
    }
    oc_node *f = p->first, *l = p->last;
    if (f->type == OC_TEXT) {
        size_t i = 0;
        while (i < f->len && blank(f->text + i, 1))
            i++;
        f->text += i;
        f->len -= i;
    }
    if (l->type == OC_TEXT) {
        while (l->len && blank(l->text + l->len - 1, 1))
            l->len--;
        l->text = oc_arena_strndup(H->a, l->text, l->len);
    }
}

/* ---- the walk ------------------------------------------------------------- */

static frame *push(hctx *H) {
    if (H->nst == H->capst) {
        H->capst = H->capst ? H->capst * 2 : 64;
        H->st = oc_xrealloc(H->st, (size_t)H->capst * sizeof *H->st);
    }
    frame *F = &H->st[H->nst++];
    memset(F, 0, sizeof *F);
    return F;
}

static frame *own(hctx *H, int fi) {
    return &H->st[H->st[fi].owner];
}

static void close_para(hctx *H, frame *O) {
    if (O->mode == M_BLOCK && O->imp) {
        tidy_para(H, O->imp);
        O->imp = NULL;
    }
    if ((O->mode == M_LIST || O->mode == M_DL) && O->imp_para) {
        tidy_para(H, O->imp_para);
        O->imp_para = NULL;
    }
}

/* The node inline content goes into, made when needed; NULL inside table
 * structure (gumbo moves stray content out of tables). */
static oc_node *inline_box(hctx *H, int fi, int line, int col) {
    frame *O = own(H, fi);
    switch (O->mode) {
    case M_INLINE:
        return O->box;
    case M_BLOCK:
        if (!O->imp) {
            O->imp = mk(H, OC_PARAGRAPH, line, col);
            O->imp->halign = H->st[fi].align;
            oc_node_append(O->box, O->imp);
        }
        return O->imp;
    case M_LIST:
    case M_DL:
        if (!O->imp) {
            O->imp = mk(H, O->mode == M_LIST ? OC_ITEM : OC_DEF_DESC, line, col);
            oc_node_append(O->box, O->imp);
        }
        if (!O->imp_para) {
            O->imp_para = mk(H, OC_PARAGRAPH, line, col);
            oc_node_append(O->imp, O->imp_para);
        }
        return O->imp_para;
    default:
        return NULL;
    }
}

/* The node a block goes into (closing any open paragraph), or NULL in
 * inline content, where the caller unwraps it. */
static oc_node *block_box(hctx *H, int fi, int line, int col) {
    frame *O = own(H, fi);
    switch (O->mode) {
    case M_BLOCK:
        close_para(H, O);
        return O->box;
    case M_LIST:
    case M_DL:
        close_para(H, O);
        if (!O->imp) {
            O->imp = mk(H, O->mode == M_LIST ? OC_ITEM : OC_DEF_DESC, line, col);
            oc_node_append(O->box, O->imp);
        }
        return O->imp;
    default:
        return NULL;
    }
}

/* A frame that made node n, whose children go into it in mode m. */
static frame *push_node(hctx *H, const GumboNode *g, oc_node *n, int m) {
    oc_align al = H->st[H->nst - 1].align;
    frame *F = push(H);
    F->g = g;
    F->owner = H->nst - 1;
    F->mode = m;
    F->box = n;
    F->self = n;
    F->align = al;
    F->kept = 1;
    H->depth++;
    return F;
}

/* A frame for an element that is unwrapped: its children go where its own
 * would have. A block-ish one ends the paragraph before and after it. */
static frame *push_unwrap(hctx *H, const GumboNode *g, int blockish) {
    int parent = H->nst - 1;
    frame *O = own(H, parent);
    if (blockish) {
        if (O->mode == M_BLOCK || O->mode == M_LIST || O->mode == M_DL) {
            close_para(H, O);
        } else if (O->mode == M_INLINE && O->box->last && !is_blank_text(O->box->last)) {
            oc_node *sp = mk(H, OC_SOFTBREAK, O->box->line, O->box->column);
            oc_node_append(O->box, sp);
        }
    }
    int owner = H->st[parent].owner;
    oc_align al = H->st[parent].align;
    frame *F = push(H);
    F->g = g;
    F->owner = owner;
    F->align = al;
    F->kind = blockish ? K_BLOCKISH : K_NONE;
    return F;
}

static void finish_table(hctx *H, oc_node *t) {
    int ncols = 0, r = 0, body_seen = 0;
    for (oc_node *row = t->first; row; row = row->next, r++) {
        int w = 0;
        for (oc_node *c = row->first; c; c = c->next)
            w = oc_cell_col(c) + oc_cell_span(c);
        if (w > ncols) ncols = w;
        /* a header row only before the body (the XHTML's thead) */
        if (!oc_row_is_header(row)) body_seen = 1;
        if (body_seen && row->type == OC_TABLE_ROW) row->header = 0;
    }
    if (ncols == 0) {
        unlink_node(t);
        return;
    }
    t->ncols = ncols;
    oc_align *al = oc_arena_alloc(H->a, sizeof *al * (size_t)ncols);
    if (t->first)
        for (oc_node *c = t->first->first; c; c = c->next)
            if (oc_cell_span(c) == 1 && oc_cell_col(c) < ncols) al[oc_cell_col(c)] = c->halign;
    t->align = al;
}

static void finish_figure(hctx *H, frame *F) {
    frame *O = own(H, (int)(F - H->st));
    oc_node *box = O->box, *start = F->mark ? F->mark->next : box->first;
    oc_node *img_para = NULL;
    int others = 0;
    for (oc_node *c = start; c; c = c->next) {
        if (c == F->caption) continue;
        if (c->type == OC_PARAGRAPH && c->first && c->first == c->last &&
            c->first->type == OC_IMAGE && !img_para)
            img_para = c;
        else
            others++;
    }
    if (!img_para || others || !F->caption || F->caption->parent != box) return;
    const char *cap = oc_node_plain_text(H->a, F->caption);
    while (*cap && blank(cap, 1))
        cap++;
    if (*cap) img_para->first->title = cap;
    unlink_node(F->caption);
}

static void finish_cell(oc_node *cell) {
    oc_node *p = cell->first;
    if (!p || p != cell->last || p->type != OC_PARAGRAPH) return;
    oc_node *c = p->first;
    cell->first = cell->last = NULL;
    while (c) {
        oc_node *next = c->next;
        c->next = c->prev = NULL;
        oc_node_append(cell, c);
        c = next;
    }
}

/* Ends the top frame. */
static void pop(hctx *H) {
    frame *F = &H->st[H->nst - 1];
    if (F->owner == H->nst - 1) close_para(H, F);
    if (F->kind == K_BLOCKISH) close_para(H, own(H, H->nst - 1));
    switch (F->kind) {
    case K_FIGURE:
        close_para(H, own(H, H->nst - 1));
        finish_figure(H, F);
        break;
    case K_CELL:
        finish_cell(F->self);
        break;
    case K_TABLE:
        finish_table(H, F->self);
        break;
    case K_PARA:
        tidy_para(H, F->self);
        break;
    case K_LINK: /* an empty <a href> shows nothing: no link to warn about */
        if (!F->self->first) unlink_node(F->self);
        break;
    default:
        break;
    }
    if (F->kept) H->depth--;
    H->nst--;
}

static oc_node_type inline_type(const char *t) {
    if (is_tag(t, "em i cite dfn var")) return OC_EMPH;
    if (is_tag(t, "strong b")) return OC_STRONG;
    if (is_tag(t, "s del strike")) return OC_STRIKE;
    if (is_tag(t, "ins u")) return OC_UNDERLINE;
    if (is_tag(t, "kbd")) return OC_KBD;
    if (is_tag(t, "sup")) return OC_SUP;
    if (is_tag(t, "sub")) return OC_SUB;
    if (is_tag(t, "mark")) return OC_MARK;
    if (is_tag(t, "small")) return OC_SMALL;
    if (is_tag(t, "abbr acronym")) return OC_ABBR;
    if (is_tag(t, "q")) return OC_Q;
    return OC_CHAPTER; /* none */
}

static const char blockish_tags[] =
    "p div center section article main header footer aside nav address hgroup figure figcaption "
    "h1 h2 h3 h4 h5 h6 blockquote pre ul ol li dl dt dd table caption thead tbody tfoot tr td th "
    "details summary hr body html menu dir search";

static void image(hctx *H, int fi, const GumboNode *g, int line, int col) {
    oc_node *box = inline_box(H, fi, line, col);
    if (!box) return;
    const char *src = safe_url(H, g, attr(g, "src"));
    const char *alt = attr(g, "alt");
    if (!src) {
        if (alt && *alt) {
            oc_node *t = mk(H, OC_TEXT, line, col);
            t->text = oc_arena_strdup(H->a, alt);
            t->len = strlen(t->text);
            oc_node_append(box, t);
        }
        return;
    }
    oc_node *img = mk(H, OC_IMAGE, line, col);
    img->url = oc_arena_strdup(H->a, src);
    const char *title = attr(g, "title");
    img->title = title && *title ? oc_arena_strdup(H->a, title) : NULL;
    img->img_width = int_attr(g, "width", 1, 20000, 0);
    img->img_height = int_attr(g, "height", 1, 20000, 0);
    if (alt && *alt) {
        oc_node *t = mk(H, OC_TEXT, line, col);
        t->text = oc_arena_strdup(H->a, alt);
        t->len = strlen(t->text);
        oc_node_append(img, t);
    }
    oc_node_append(box, img);
}

static void anchor(hctx *H, int fi, const char *id, int line, int col) {
    oc_node *box = inline_box(H, fi, line, col);
    if (!box || !id || !*id) return;
    oc_node *a = mk(H, OC_ANCHOR, line, col);
    a->slug = oc_arena_strdup(H->a, id);
    oc_node_append(box, a);
}

/* One element child of the top frame. */
static void element(hctx *H, const GumboNode *g) {
    int fi = H->nst - 1;
    frame *O = own(H, fi);
    const char *t = tagname(g);
    int line, col;
    gpos(H, g, &line, &col);
    long k = placeholder_of(H, g);
    if (k >= 0) {
        oc_node *n = H->ph[k];
        H->used[k] = 1;
        int block = n->type < OC_TEXT;
        oc_node *box = block ? block_box(H, fi, line, col) : inline_box(H, fi, line, col);
        if (!box && block) { /* a Markdown block inside inline HTML: nearest block */
            for (int j = fi; j >= 0 && !box; j--)
                if (own(H, j)->mode == M_BLOCK) box = block_box(H, j, line, col);
        }
        if (!box) {
            H->used[k] = 0; /* put back at the end */
            return;
        }
        if (block && (n->type == OC_PARAGRAPH || n->type == OC_HEADING) && !n->halign)
            n->halign = H->st[fi].align;
        oc_node_append(box, n);
        return;
    }
    const GumboVector *at = &g->v.element.attributes;
    for (unsigned i = 0; i < at->length; i++) {
        const GumboAttribute *a = at->data[i];
        if (strncasecmp(a->name, "on", 2) == 0)
            drop(H, g, "on*", "event handler attributes (on...)");
        else if (strcasecmp(a->name, "style") == 0)
            drop(H, g, "style=", "style attributes");
    }
    if (is_tag(t, removed_tags) || (!*t && g->v.element.tag_namespace == GUMBO_NAMESPACE_SVG)) {
        drop(H, g, *t ? t : "svg", "element, removed with its content");
        return;
    }
    if (H->depth >= HTML_MAX_DEPTH) {
        drop(H, g, "depth", "nesting");
        push_unwrap(H, g, 0);
        return;
    }
    int m = O->mode;
    oc_align al = align_attr(g, H->st[fi].align);
    oc_node *box = NULL, *n = NULL;
    oc_node_type it = inline_type(t);
    if (it != OC_CHAPTER) {
        if (!(box = inline_box(H, fi, line, col))) goto unwrap;
        n = mk(H, it, line, col);
        if (it == OC_ABBR && attr(g, "title")) n->title = oc_arena_strdup(H->a, attr(g, "title"));
        oc_node_append(box, n);
        push_node(H, g, n, M_INLINE);
        return;
    }
    if (is_tag(t, "br")) {
        if ((box = inline_box(H, fi, line, col)))
            oc_node_append(box, mk(H, OC_LINEBREAK, line, col));
        return;
    }
    if (is_tag(t, "img")) {
        image(H, fi, g, line, col);
        return;
    }
    if (is_tag(t, "a")) {
        const char *id = attr(g, "id") ? attr(g, "id") : attr(g, "name");
        if (id) anchor(H, fi, id, line, col);
        const char *href = safe_url(H, g, attr(g, "href"));
        if (!href || !*href || !(box = inline_box(H, fi, line, col))) goto unwrap;
        n = mk(H, OC_LINK, line, col);
        n->url = oc_arena_strdup(H->a, href);
        const char *title = attr(g, "title");
        n->title = title && *title ? oc_arena_strdup(H->a, title) : NULL;
        oc_node_append(box, n);
        push_node(H, g, n, M_INLINE)->kind = K_LINK;
        return;
    }
    if (is_tag(t, "code tt samp")) {
        int ph = 0;
        oc_buf b;
        oc_buf_init(&b);
        text_content(H, &b, g, &ph);
        if (!ph && (box = inline_box(H, fi, line, col))) {
            n = mk(H, OC_CODE, line, col);
            n->len = b.len;
            n->text = oc_arena_strndup(H->a, b.data ? b.data : "", b.len);
            oc_node_append(box, n);
        }
        oc_buf_free(&b);
        if (ph) goto unwrap;
        return;
    }
    if (is_tag(t, "video audio")) {
        drop(H, g, t, "element: its fallback text is shown");
        push_unwrap(H, g, 0);
        return;
    }
    if (is_tag(t, "source track col colgroup wbr area")) return;
    if (is_tag(t, "hr")) {
        if ((box = block_box(H, fi, line, col))) oc_node_append(box, mk(H, OC_HR, line, col));
        return;
    }
    if (is_tag(t, "pre")) {
        int ph = 0;
        oc_buf b;
        oc_buf_init(&b);
        text_content(H, &b, g, &ph);
        if (!ph && (box = block_box(H, fi, line, col))) {
            n = mk(H, OC_CODE_BLOCK, line, col);
            if (!b.len || b.data[b.len - 1] != '\n') oc_buf_putc(&b, '\n');
            n->len = b.len;
            n->text = oc_arena_strndup(H->a, b.data, b.len);
            n->info = "";
            const GumboNode *c =
                g->v.element.children.length == 1 ? g->v.element.children.data[0] : NULL;
            const char *cls = c && c->type == GUMBO_NODE_ELEMENT ? attr(c, "class") : NULL;
            if (cls && strncmp(cls, "language-", 9) == 0) {
                size_t l = strcspn(cls + 9, " ");
                n->info = oc_arena_strndup(H->a, cls + 9, l);
            }
            oc_node_append(box, n);
        }
        oc_buf_free(&b);
        if (ph || !box) goto unwrap;
        return;
    }
    if (is_tag(t, "p") || (is_tag(t, "summary") && O->box->type != OC_DETAILS)) {
        if (!(box = block_box(H, fi, line, col))) goto unwrap;
        n = mk(H, OC_PARAGRAPH, line, col);
        n->halign = al;
        oc_node_append(box, n);
        push_node(H, g, n, M_INLINE)->kind = K_PARA;
        return;
    }
    if (is_tag(t, "summary")) {
        close_para(H, O);
        n = mk(H, OC_SUMMARY, line, col);
        oc_node_append(O->box, n);
        push_node(H, g, n, M_INLINE);
        return;
    }
    if (t[0] == 'h' && t[1] >= '1' && t[1] <= '6' && !t[2]) {
        if (!(box = block_box(H, fi, line, col))) goto unwrap;
        n = mk(H, OC_HEADING, line, col);
        n->level = t[1] - '0';
        n->halign = al;
        oc_node_append(box, n);
        push_node(H, g, n, M_INLINE);
        if (attr(g, "id")) anchor(H, H->nst - 1, attr(g, "id"), line, col);
        return;
    }
    if (is_tag(t, "blockquote details dl ul ol menu dir table")) {
        if (!(box = block_box(H, fi, line, col))) goto unwrap;
        int mode = M_BLOCK;
        if (is_tag(t, "blockquote")) {
            n = mk(H, OC_QUOTE, line, col);
        } else if (is_tag(t, "details")) {
            n = mk(H, OC_DETAILS, line, col);
        } else if (is_tag(t, "dl")) {
            n = mk(H, OC_DEFLIST, line, col);
            mode = M_DL;
        } else if (is_tag(t, "table")) {
            n = mk(H, OC_TABLE, line, col);
            mode = M_TABLE;
        } else {
            n = mk(H, OC_LIST, line, col);
            n->ordered = is_tag(t, "ol");
            n->start = n->ordered ? int_attr(g, "start", 0, 999999, 1) : 1;
            n->tight = 1;
            mode = M_LIST;
        }
        oc_node_append(box, n);
        frame *F = push_node(H, g, n, mode);
        F->align = al;
        if (mode == M_TABLE) F->kind = K_TABLE;
        return;
    }
    if (is_tag(t, "li") && m == M_LIST) {
        close_para(H, O);
        n = mk(H, OC_ITEM, line, col);
        oc_node_append(O->box, n);
        O->imp = NULL;
        push_node(H, g, n, M_BLOCK);
        return;
    }
    if (is_tag(t, "dt dd") && m == M_DL) {
        close_para(H, O);
        n = mk(H, t[1] == 't' ? OC_DEF_TERM : OC_DEF_DESC, line, col);
        oc_node_append(O->box, n);
        O->imp = NULL;
        push_node(H, g, n, t[1] == 't' ? M_INLINE : M_BLOCK);
        return;
    }
    if (m == M_TABLE && is_tag(t, "thead tbody tfoot")) {
        oc_node *tbl = O->box;
        frame *F = push_unwrap(H, g, 0);
        /* a section of its own: rows go to the table, thead's are headers */
        F->owner = H->nst - 1;
        F->mode = M_TABLE;
        F->box = tbl;
        F->header = is_tag(t, "thead");
        return;
    }
    if (m == M_TABLE && is_tag(t, "tr")) {
        n = mk(H, OC_TABLE_ROW, line, col);
        n->header = O->header;
        oc_node_append(O->box, n);
        int head = O->header;
        push_node(H, g, n, M_ROW)->header = head;
        return;
    }
    if (m == M_ROW && is_tag(t, "td th")) {
        int span = int_attr(g, "colspan", 1, MAX_COLSPAN, 1);
        if (O->col + span > MAX_COLS) return;
        n = mk(H, OC_TABLE_CELL, line, col);
        n->col = O->col;
        n->colspan = span;
        n->halign = align_attr(g, OC_ALIGN_NONE);
        O->col += span;
        /* a row of th only in the table's first row is a header row */
        if (t[1] == 'h' && !O->box->prev && !O->box->first) O->box->header = 1;
        if (t[1] == 'd' && !O->header) O->box->header = 0;
        oc_node_append(O->box, n);
        frame *F = push_node(H, g, n, M_BLOCK);
        F->kind = K_CELL;
        F->align = OC_ALIGN_NONE;
        return;
    }
    if (m == M_TABLE && is_tag(t, "caption")) {
        /* the caption: a paragraph before the table */
        n = mk(H, OC_PARAGRAPH, line, col);
        n->halign = OC_ALIGN_CENTER;
        insert_before(O->box, n);
        push_node(H, g, n, M_INLINE)->kind = K_PARA;
        return;
    }
    if (is_tag(t, "figure")) {
        if (!block_box(H, fi, line, col)) goto unwrap;
        oc_node *last = own(H, fi)->box->last;
        frame *F = push_unwrap(H, g, 1);
        F->kind = K_FIGURE;
        F->mark = last;
        F->align = al;
        return;
    }
    if (is_tag(t, "figcaption")) {
        frame *fig = NULL;
        for (int j = fi; j >= 0 && !fig; j--)
            if (H->st[j].kind == K_FIGURE) fig = &H->st[j];
        if (!fig || !(box = block_box(H, fi, line, col))) goto unwrap;
        n = mk(H, OC_PARAGRAPH, line, col);
        n->halign = al;
        oc_node_append(box, n);
        fig->caption = n;
        push_node(H, g, n, M_INLINE)->kind = K_PARA;
        return;
    }
unwrap : {
    frame *F = push_unwrap(H, g, is_tag(t, blockish_tags));
    if (is_tag(t, "center"))
        F->align = OC_ALIGN_CENTER;
    else if (is_tag(t, "div p section"))
        F->align = al;
}
}

/* Walks the fragment's tree into the container at the bottom frame. */
static void walk(hctx *H) {
    while (H->nst > 0) {
        frame *F = &H->st[H->nst - 1];
        if (F->i >= F->g->v.element.children.length) {
            pop(H);
            continue;
        }
        const GumboNode *c = F->g->v.element.children.data[F->i++];
        int fi = H->nst - 1;
        switch (c->type) {
        case GUMBO_NODE_ELEMENT:
        case GUMBO_NODE_TEMPLATE:
            element(H, c);
            break;
        case GUMBO_NODE_TEXT:
        case GUMBO_NODE_CDATA:
        case GUMBO_NODE_WHITESPACE: {
            const char *s = c->v.text.text;
            size_t len = strlen(s);
            frame *O = own(H, fi);
            int ws = blank(s, len);
            if (ws && O->mode != M_INLINE &&
                !(O->mode == M_BLOCK                     ? O->imp
                  : O->mode == M_LIST || O->mode == M_DL ? O->imp_para
                                                         : NULL))
                break;
            int line, col;
            gpos(H, c, &line, &col);
            oc_node *box = inline_box(H, fi, line, col);
            if (!box || !len) break;
            oc_node *t = mk(H, OC_TEXT, line, col);
            t->text = oc_arena_strndup(H->a, s, len);
            t->len = len;
            oc_node_append(box, t);
            break;
        }
        default: /* comments, the document */
            break;
        }
    }
}

/* gumbo's tree builder searches its stack of open elements for many start
 * tags, and compares each attribute with the ones before it: elements
 * nested tens of thousands deep, or one tag with tens of thousands of
 * attributes, cost quadratic time. We unwrap elements nested deeper than
 * HTML_MAX_DEPTH anyway, so a quick pass over the fragment first drops the
 * tags that would open more than TAME_OPEN elements (their text stays) and
 * the attributes of tags longer than TAME_TAG bytes. Only hostile input
 * changes; positions in messages after such a change are approximate. */
#define TAME_OPEN 512
#define TAME_TAG 16384

static int void_tag(const char *s, size_t n) {
    static const char *v[] = {"area", "base", "br",    "col",    "embed", "hr",  "img",   "input",
                              "link", "meta", "param", "source", "track", "wbr", "keygen"};
    for (size_t i = 0; i < sizeof v / sizeof *v; i++)
        if (strlen(v[i]) == n && strncasecmp(s, v[i], n) == 0) return 1;
    return 0;
}

static int contains(const char *s, size_t n, const char *needle) {
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++)
        if (s[i] == needle[0] && memcmp(s + i, needle, m) == 0) return 1;
    return 0;
}

static int tame(hctx *H) {
    const char *s = H->frag.data;
    size_t n = H->frag.len, i = 0;
    if (!s) return 0;
    oc_buf out;
    oc_buf_init(&out);
    long open = 0, skipped = 0;
    int changed = 0;
    size_t first = 0; /* where the first change is */
    while (i < n) {
        const char *lt = memchr(s + i, '<', n - i);
        size_t at = lt ? (size_t)(lt - s) : n;
        oc_buf_append(&out, s + i, at - i);
        i = at;
        if (i >= n) break;
        if (n - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
            const char *e = NULL;
            for (size_t k = i + 4; k + 2 < n && !e; k++)
                if (s[k] == '-' && s[k + 1] == '-' && s[k + 2] == '>') e = s + k + 3;
            size_t end = e ? (size_t)(e - s) : n;
            oc_buf_append(&out, s + i, end - i);
            i = end;
            continue;
        }
        int close = i + 1 < n && s[i + 1] == '/';
        size_t k = i + 1 + (size_t)close, name = k;
        while (k < n && ((s[k] | 32) >= 'a' && (s[k] | 32) <= 'z'
                             ? 1
                             : (k > name && ((s[k] >= '0' && s[k] <= '9') || s[k] == '-'))))
            k++;
        if (k == name) { /* not a tag */
            oc_buf_putc(&out, '<');
            i++;
            continue;
        }
        size_t namelen = k - name;
        char q = 0;
        while (k < n && (q || s[k] != '>')) {
            if (q && s[k] == q)
                q = 0;
            else if (!q && (s[k] == '"' || s[k] == '\'') && k > 0 && s[k - 1] == '=')
                q = s[k];
            k++;
        }
        size_t end = k < n ? k + 1 : n;
        int ph = !close && contains(s + i, end - i, PH_ATTR);
        if (ph) { /* a placeholder and its end tag, as they are */
            const char *e = memchr(s + end, '>', n - end);
            end = e ? (size_t)(e - s) + 1 : n;
            oc_buf_append(&out, s + i, end - i);
            i = end;
            continue;
        }
        int self = end >= 2 && s[end - 2] == '/';
        if (close) {
            if (skipped > 0) {
                skipped--;
                if (!changed) first = i;
                changed = 1;
            } else {
                if (open > 0) open--;
                oc_buf_append(&out, s + i, end - i);
            }
        } else if (!self && !void_tag(s + name, namelen) && open >= TAME_OPEN) {
            skipped++;
            if (!changed) first = i;
            changed = 1;
        } else {
            if (!self && !void_tag(s + name, namelen)) open++;
            if (end - i > TAME_TAG) { /* the name only */
                oc_buf_append(&out, s + i, name - i + namelen);
                oc_buf_putc(&out, '>');
                if (!changed) first = i;
                changed = 1;
            } else {
                oc_buf_append(&out, s + i, end - i);
            }
        }
        i = end;
    }
    if (changed) { /* the source line of the first change, counted before the swap */
        size_t sg = 0;
        while (sg + 1 < H->nsegs && H->segs[sg + 1].off <= first)
            sg++;
        int line = H->nsegs ? H->segs[sg].line : 1;
        for (size_t k = H->nsegs ? H->segs[sg].off : 0; k < first; k++)
            line += s[k] == '\n';
        H->tamed_line = H->tamed_line ? H->tamed_line : line;
        oc_buf_free(&H->frag);
        H->frag = out;
    } else {
        oc_buf_free(&out);
    }
    return changed;
}

/* Parses the fragment and maps it into `box` (children already detached). */
static void map_fragment(hctx *H, oc_node *box, int mode) {
    GumboOptions opt = kGumboDefaultOptions;
    opt.fragment_context = GUMBO_TAG_BODY;
    opt.fragment_namespace = GUMBO_NAMESPACE_HTML;
    opt.max_errors = 0;
    tame(H);
    GumboOutput *out =
        gumbo_parse_with_options(&opt, H->frag.data ? H->frag.data : "", H->frag.len);
    if (!out) return;
    H->gen++;
    H->nnl = 0;
    for (const char *p = H->frag.data, *e = p + H->frag.len;
         p && (p = memchr(p, '\n', (size_t)(e - p))); p++) {
        if (H->nnl == H->capnl) {
            H->capnl = H->capnl ? H->capnl * 2 : 256;
            H->nl = oc_xrealloc(H->nl, H->capnl * sizeof *H->nl);
        }
        H->nl[H->nnl++] = (size_t)(p - H->frag.data);
    }
    H->nst = 0;
    H->depth = 0;
    frame *F = push(H);
    F->g = out->root;
    F->owner = 0;
    F->mode = mode;
    F->box = box;
    walk(H);
    gumbo_destroy_output(&opt, out);
    /* Markdown nodes gumbo dropped (swallowed by an unclosed raw-text
     * element such as <iframe>) are kept, at the end */
    for (size_t k = 0; k < H->nph; k++) {
        if (H->used[k]) continue;
        oc_node *n = H->ph[k];
        oc_node *to = box;
        if (mode == M_BLOCK && n->type >= OC_TEXT) {
            to = mk(H, OC_PARAGRAPH, n->line, n->column);
            oc_node_append(box, to);
        }
        oc_node_append(to, n);
    }
}

static void reset(hctx *H) {
    oc_buf_reset(&H->frag);
    H->nsegs = 0;
    H->nph = 0;
}

/* Detaches the children of n into a NULL-terminated chain; returns the first. */
static oc_node *detach_children(oc_node *n) {
    oc_node *c = n->first;
    n->first = n->last = NULL;
    for (oc_node *k = c; k; k = k->next)
        k->parent = NULL;
    return c;
}

static void redo_inlines(hctx *H, oc_node *p) {
    reset(H);
    oc_node *c = detach_children(p);
    while (c) {
        oc_node *next = c->next;
        c->next = c->prev = NULL;
        if (c->type == OC_HTML_INLINE) {
            add_seg(H, c->line, c->column);
            oc_buf_append(&H->frag, c->text ? c->text : "", c->text ? c->len : 0);
        } else if (c->type == OC_TEXT) {
            add_text(H, c);
        } else if (c->type == OC_SOFTBREAK) {
            oc_buf_putc(&H->frag, '\n');
        } else {
            add_placeholder(H, c, 0);
        }
        c = next;
    }
    map_fragment(H, p, M_INLINE);
}

/* Anchors alone in a paragraph join the block after them, so that a
 * chapter opening `<a id="x"></a>` then `# Title` still starts with its
 * title, and the target sits on the heading's line. */
static void hoist_anchors(oc_node *box) {
    for (oc_node *c = box->first; c;) {
        oc_node *next = c->next;
        int only = c->type == OC_PARAGRAPH && c->first;
        for (oc_node *k = c->first; k && only; k = k->next)
            only = k->type == OC_ANCHOR || is_blank_text(k);
        /* (not into an image alone, which would stop being a figure) */
        int figure = next && next->type == OC_PARAGRAPH && next->first &&
                     next->first == next->last && next->first->type == OC_IMAGE;
        if (only && next && !figure && (next->type == OC_HEADING || next->type == OC_PARAGRAPH)) {
            while (c->last) {
                oc_node *k = c->last;
                unlink_node(k);
                if (k->type != OC_ANCHOR) continue;
                if (next->first)
                    insert_before(next->first, k);
                else
                    oc_node_append(next, k);
            }
            unlink_node(c);
        }
        c = next;
    }
}

static void redo_blocks(hctx *H, oc_node *box) {
    reset(H);
    oc_node *c = detach_children(box);
    while (c) {
        oc_node *next = c->next;
        c->next = c->prev = NULL;
        if (c->type == OC_HTML_BLOCK) {
            add_seg(H, c->line, c->column);
            oc_buf_append(&H->frag, c->text ? c->text : "", c->text ? c->len : 0);
            oc_buf_putc(&H->frag, '\n');
        } else {
            add_placeholder(H, c, 1);
        }
        c = next;
    }
    map_fragment(H, box, M_BLOCK);
}

static int has_child(const oc_node *n, oc_node_type t) {
    for (const oc_node *c = n->first; c; c = c->next)
        if (c->type == t) return 1;
    return 0;
}

void oc_html_chapter(oc_document *doc, oc_chapter *ch, oc_diag *diag) {
    if (!ch->root) return;
    /* the containers to redo, in pre-order; done in reverse, so that the
     * inner ones are finished before their parents take them as a whole */
    oc_node **todo = NULL;
    size_t n = 0, cap = 0;
    for (const oc_node *c = ch->root; c; c = oc_node_next(ch->root, c, 1)) {
        if (has_child(c, OC_HTML_INLINE) || has_child(c, OC_HTML_BLOCK)) {
            if (n == cap) {
                cap = cap ? cap * 2 : 16;
                todo = oc_xrealloc(todo, cap * sizeof *todo);
            }
            todo[n++] = (oc_node *)c;
        }
    }
    if (!n) return;
    hctx H;
    memset(&H, 0, sizeof H);
    H.doc = doc;
    H.a = &doc->arena;
    H.ch = ch;
    H.diag = diag;
    oc_buf_init(&H.frag);
    while (n-- > 0) {
        oc_node *c = todo[n];
        if (has_child(c, OC_HTML_INLINE)) redo_inlines(&H, c);
        if (has_child(c, OC_HTML_BLOCK)) redo_blocks(&H, c);
    }
    for (const oc_node *c = ch->root; c; c = oc_node_next(ch->root, c, 1))
        if (c->first && c->type < OC_TEXT) hoist_anchors((oc_node *)c);
    /* warnings in source order, one per kind */
    for (int i = 1; i < H.ndrops; i++)
        for (int j = i; j > 0 && H.drops[j].line < H.drops[j - 1].line; j--) {
            dropped tmp = H.drops[j];
            H.drops[j] = H.drops[j - 1];
            H.drops[j - 1] = tmp;
        }
    if (H.tamed_line)
        oc_diag_report(diag, OC_WARNING, ch->display, H.tamed_line, 1,
                       "HTML nested more than %d elements deep, or a tag longer than %d bytes: "
                       "the deeper tags and the long tag's attributes are dropped (text kept)",
                       TAME_OPEN, TAME_TAG);
    for (int i = 0; i < H.ndrops; i++) {
        const dropped *d = &H.drops[i];
        if (strcmp(d->kind, "depth") == 0)
            oc_diag_report(diag, OC_WARNING, ch->display, d->line, d->col,
                           "HTML elements nested deeper than %d levels are unwrapped (text kept)",
                           HTML_MAX_DEPTH);
        else if (strcmp(d->what, "URL") == 0)
            oc_diag_report(diag, OC_WARNING, ch->display, d->line, d->col,
                           "'%s' URLs in HTML are dropped (never a link or an image); here and "
                           "in the rest of this chapter",
                           d->kind);
        else if (d->kind[strlen(d->kind) - 1] == '=' || d->kind[strlen(d->kind) - 1] == '*')
            oc_diag_report(diag, OC_WARNING, ch->display, d->line, d->col,
                           "HTML %s are dropped; here and in the rest of this chapter", d->what);
        else
            oc_diag_report(diag, OC_WARNING, ch->display, d->line, d->col,
                           "HTML <%s> %s; here and in the rest of this chapter", d->kind, d->what);
    }
    free(todo);
    free(H.segs);
    free(H.nl);
    free(H.ph);
    free(H.used);
    free(H.st);
    oc_buf_free(&H.frag);
}
