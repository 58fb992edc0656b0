/* Blocks -> flow elements: chapter openings, headings, paragraphs, lists,
 * quotes, code, rules, tables, figures and footnote bodies. One walk over
 * each chapter's tree with one switch on the node type. */
#include "layout/flow.h"
#include "octavo/labels.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAXQ 16

/* ---- flow plumbing -------------------------------------------------------- */

void oc_itemvec_push(oc_itemvec *v, const oc_item *it) {
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 1024;
        v->v = oc_xrealloc(v->v, v->cap * sizeof *v->v);
    }
    v->v[v->n++] = *it;
}

void oc_flow_free(oc_flow *f) {
    for (size_t i = 0; i < f->nchunks; i++) {
        free(f->chunks[i]);
        if (f->texts) oc_arena_free(&f->texts[i]);
    }
    free(f->chunks);
    free(f->texts);
    free(f->note_end);
    free(f->items.v);
    free(f->pe);
    free(f->info);
    free(f->notes);
    free(f->marks);
    free(f->se);
    memset(f, 0, sizeof *f);
}

/* ---- structure ------------------------------------------------------------ */

uint32_t oc_blocks_se(oc_blocks *b, oc_se_type type, uint32_t parent, const oc_node *node) {
    oc_flow *f = b->flow;
    if (f->nse == f->capse) {
        f->capse = f->capse ? f->capse * 2 : 256;
        f->se = oc_xrealloc(f->se, f->capse * sizeof *f->se);
    }
    oc_struct_elem *e = &f->se[f->nse];
    memset(e, 0, sizeof *e);
    e->type = (uint8_t)type;
    e->parent = parent;
    e->node = node;
    return OC_SREF_FIRST + (uint32_t)f->nse++;
}

uint32_t oc_blocks_block(oc_blocks *b, oc_se_type type, const oc_node *node) {
    b->sblock = b->sref = oc_blocks_se(b, type, b->sparent, node);
    b->slink = 0;
    b->smore = 0;
    return b->sref;
}

/* The table's first entries: the two artifacts and the Document. */
static void structs_start(oc_layout *out) {
    if (out->nstructs) return;
    out->capstructs = 1024;
    out->structs = oc_xcalloc(out->capstructs, sizeof *out->structs);
    out->structs[OC_SREF_DOCUMENT].type = OC_SE_DOCUMENT;
    out->structs[OC_SREF_DOCUMENT].parent = OC_SREF_DOCUMENT;
    out->nstructs = OC_SREF_FIRST;
}

uint32_t oc_layout_se(oc_layout *out, oc_se_type type, uint32_t parent, int rank) {
    structs_start(out);
    if (out->nstructs == out->capstructs) {
        out->capstructs *= 2;
        out->structs = oc_xrealloc(out->structs, out->capstructs * sizeof *out->structs);
    }
    oc_struct_elem *e = &out->structs[out->nstructs];
    memset(e, 0, sizeof *e);
    e->type = (uint8_t)type;
    e->parent = parent;
    e->rank = (uint8_t)rank;
    return (uint32_t)out->nstructs++;
}

static void rebase_items(oc_item *items, size_t n, uint32_t base) {
    for (size_t i = 0; i < n; i++)
        if (items[i].sref >= OC_SREF_FIRST) items[i].sref += base - OC_SREF_FIRST;
}

void oc_flow_structs_rebase(oc_flow *f, oc_layout *out, int rank) {
    structs_start(out);
    uint32_t base = (uint32_t)out->nstructs;
    for (size_t i = 0; i < f->nse; i++) {
        const oc_struct_elem *e = &f->se[i];
        uint32_t parent = e->parent >= OC_SREF_FIRST ? base + e->parent - OC_SREF_FIRST : e->parent;
        uint32_t k = oc_layout_se(out, (oc_se_type)e->type, parent, rank);
        out->structs[k].level = e->level;
        out->structs[k].node = e->node;
    }
    rebase_items(f->items.v, f->items.n, base);
    for (size_t i = 0; i < f->nnotes; i++)
        rebase_items(f->notes[i].items, f->notes[i].nitems, base);
    free(f->se);
    f->se = NULL;
    f->nse = f->capse = 0;
}

size_t oc_blocks_elem(oc_blocks *b, double height, int flags) {
    oc_flow *f = b->flow;
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 1024;
        f->pe = oc_xrealloc(f->pe, f->cap * sizeof *f->pe);
        f->info = oc_xrealloc(f->info, f->cap * sizeof *f->info);
    }
    /* a heading keeps two lines (elements) of what follows on its page */
    if (b->heading_keep == 1 && f->n > 0) f->pe[f->n - 1].flags |= OC_PG_KEEP_NEXT;
    if (b->heading_keep > 0) b->heading_keep--;
    oc_pg_elem *e = &f->pe[f->n];
    memset(e, 0, sizeof *e);
    e->height = height;
    e->space = b->space;
    e->stretch = b->space * 0.5;
    e->flags = flags;
    e->repeat = -1;
    oc_flow_info *in = &f->info[f->n];
    memset(in, 0, sizeof *in);
    in->item0 = f->items.n;
    in->chapter = b->chapter;
    in->note0 = f->nnotes;
    b->space = 0;
    return f->n++;
}

void oc_flow_item(oc_flow *f, const oc_item *it) {
    oc_itemvec_push(&f->items, it);
    f->info[f->n - 1].nitems++;
}

void oc_flow_mark_add(oc_flow *f, const oc_flow_mark *m) {
    if (f->nmarks == f->capmarks) {
        f->capmarks = f->capmarks ? f->capmarks * 2 : 64;
        f->marks = oc_xrealloc(f->marks, f->capmarks * sizeof *f->marks);
    }
    f->marks[f->nmarks++] = *m;
}

/* The font that draws cp: `f` when it has the glyph, else the fallbacks in
 * the paragraph code's order (DejaVu Sans, then the script faces). */
static oc_font_id font_for(const oc_fontset *fonts, oc_font_id f, uint32_t cp) {
    if (cp < 0x80 || oc_fonts_has(fonts, f, cp)) return f;
    if (oc_fonts_has(fonts, OC_FONT_SANS, cp)) return OC_FONT_SANS;
    oc_font_id s = oc_fonts_script_face(fonts, cp);
    return s < OC_FONT_COUNT ? s : f;
}

double oc_text_by_font(const oc_fontset *fonts, oc_para_ctx *para, oc_font_id f, double size,
                       const char *s, size_t len, oc_text_emit emit, void *ud) {
    size_t i = 0, start = 0;
    double w = 0;
    oc_font_id cur = f;
    while (i <= len) {
        size_t j = i;
        oc_font_id want = cur;
        if (i < len) want = font_for(fonts, f, oc_utf8_next(s, len, &j));
        if (i == len || (want != cur && i > start)) {
            double pw = oc_para_text_width(para, cur, size, s + start, i - start);
            if (emit) emit(ud, cur, s + start, i - start, w, pw);
            w += pw;
            start = i;
        }
        if (i == len) break;
        cur = want;
        i = j;
    }
    return w;
}

typedef struct {
    oc_blocks *b;
    const oc_item *proto;
} flow_text;

static void flow_text_emit(void *ud, oc_font_id f, const char *s, size_t len, double dx, double w) {
    flow_text *ft = ud;
    oc_item t = *ft->proto;
    t.font = f;
    t.x += dx;
    t.w = w;
    t.text = s;
    t.len = len;
    oc_flow_item(ft->b->flow, &t);
}

double oc_blocks_text(oc_blocks *b, const oc_item *proto, const char *s, size_t len) {
    flow_text ft = {b, proto};
    return oc_text_by_font(b->fonts, b->para, proto->font, proto->size, s, len, flow_text_emit,
                           &ft);
}

double oc_blocks_base(double size, double leading) {
    /* centre the x-height band in the line: half the extra leading above,
     * then roughly the ascender of a book face */
    return (leading - size) / 2 + size * 0.78;
}

oc_para_style oc_blocks_style(const oc_blocks *b, oc_font_id font, double size, double leading,
                              int justify) {
    oc_para_style st;
    memset(&st, 0, sizeof st);
    st.font = font;
    st.size = size;
    st.leading = leading;
    st.color = b->text;
    st.link_color = b->link;
    st.justify = justify;
    st.hyphenate = justify;
    st.align = OC_ALIGN_NONE; /* the start side: right for right-to-left text */
    st.show_urls = b->opt->print;
    return st;
}

/* The element run r's content belongs to: a link of the block is one
 * element (however many lines it spans); the block's text after a link or
 * a footnote goes on in a MORE element; a footnote's Note is made right
 * after its marker, where it is read. */
static uint32_t run_sref(oc_blocks *b, const oc_run *run, int links) {
    if (run->flags & OC_RUN_ARTIFACT) return OC_SREF_ARTIFACT;
    if (!b->sblock) return b->sref;
    if (links && (run->uri || run->dest)) {
        if (!b->slink || b->slink_uri != run->uri || b->slink_dest != run->dest) {
            b->slink = oc_blocks_se(b, OC_SE_LINK, b->sblock, NULL);
            b->slink_uri = run->uri;
            b->slink_dest = run->dest;
        }
        return b->slink;
    }
    if (b->slink && run->len > 0) {
        b->slink = 0;
        b->smore = 1;
    }
    if (b->smore && run->len > 0) {
        b->sref = oc_blocks_se(b, OC_SE_MORE, b->sblock, NULL);
        b->smore = 0;
    }
    return b->sref;
}

/* After a footnote marker first cited: the Note goes here. */
static void note_here(oc_blocks *b, const oc_run *run) {
    const oc_node *ref = run->noteref;
    if (!ref || !ref->note || !b->snote || b->in_note || !b->sblock) return;
    int k = ref->note->note_number - 1;
    if (k < 0 || k >= b->nnote_seen || b->snote[k] || b->note_seen[k]) return;
    b->snote[k] = oc_blocks_se(b, OC_SE_NOTE, b->sblock, ref->note);
    b->slink = 0;
    b->smore = 1;
}

void oc_blocks_runs(oc_blocks *b, oc_itemvec *v, const oc_line *ln, double x0, double base,
                    int links) {
    size_t last_link = (size_t)-1;
    for (int r = 0; r < ln->nruns; r++) {
        const oc_run *run = &ln->runs[r];
        double x = x0 + run->x;
        uint32_t sref = run_sref(b, run, links);
        if (run->flags & (OC_RUN_CODE | OC_RUN_MARK)) {
            oc_item t = oc_item_at(OC_ITEM_RECT, x - 1.2, base - run->size * 0.24, run->width + 2.4,
                                   run->size * 1.08);
            t.color = b->tint;
            oc_itemvec_push(v, &t);
        }
        if (run->len > 0) {
            oc_item t = oc_item_at(OC_ITEM_TEXT, x, base + run->dy, run->width, 0);
            t.font = run->font;
            t.size = run->size;
            t.color = run->color;
            t.text = run->text;
            t.len = run->len;
            if (run->colours) { /* (code: no word spacing) */
                t.coloured = OC_COLOURS_CHANGES;
                t.colours = run->colours;
            } else {
                t.ws = (float)run->ws;
                if (run->flags & OC_RUN_THEME) t.coloured = OC_COLOURS_THEME;
            }
            t.rtl = (uint8_t)(run->rtl != 0);
            t.nominal = run->nominal;
            t.sref = sref;
            oc_itemvec_push(v, &t);
        }
        note_here(b, run);
        if (run->flags & (OC_RUN_STRIKE | OC_RUN_UNDERLINE)) {
            double y =
                (run->flags & OC_RUN_STRIKE) ? base + run->size * 0.28 : base - run->size * 0.12;
            oc_item t = oc_item_at(OC_ITEM_RULE, x, y, run->width, 0);
            t.size = run->size * 0.06;
            t.color = run->color;
            oc_itemvec_push(v, &t);
        }
        if (links && (run->uri || run->dest)) {
            double lo = base - (ln->descent > 0 ? ln->descent : run->size * 0.25);
            double hi = base + (ln->ascent > 0 ? ln->ascent : run->size * 0.8);
            if (last_link != (size_t)-1 && v->v[last_link].uri == run->uri &&
                v->v[last_link].dest == run->dest) {
                v->v[last_link].w = x + run->width - v->v[last_link].x;
            } else {
                oc_item t = oc_item_at(OC_ITEM_LINK, x, lo, run->width, hi - lo);
                t.uri = run->uri;
                t.dest = run->dest;
                t.sref = sref;
                oc_itemvec_push(v, &t);
                last_link = v->n - 1;
            }
        } else if (run->len > 0) {
            last_link = (size_t)-1;
        }
    }
}

/* ---- footnote bodies ---------------------------------------------------- */

static void note_blocks(oc_blocks *b, const oc_node *n, oc_itemvec *v, double *y, int *first,
                        const oc_node *note) {
    double size = b->note_size, lead = b->note_lead;
    double hang = size * 1.6;
    for (const oc_node *c = n->first; c; c = c->next) {
        if (c->type == OC_PARAGRAPH || c->type == OC_CODE_BLOCK || c->type == OC_HEADING) {
            uint32_t lbl = *first && b->sparent ? oc_blocks_se(b, OC_SE_LBL, b->sparent, NULL) : 0;
            if (b->sparent) oc_blocks_block(b, c->type == OC_CODE_BLOCK ? OC_SE_CODE : OC_SE_P, c);
            oc_para_style st =
                oc_blocks_style(b, c->type == OC_CODE_BLOCK ? OC_FONT_MONO : OC_FONT_SERIF, size,
                                lead, c->type == OC_PARAGRAPH);
            oc_para p;
            memset(&p, 0, sizeof p);
            if (oc_para_layout(b->para, c, &st, b->measure - hang, &p) != OC_OK) continue;
            for (int l = 0; l < p.nlines; l++) {
                double base = *y - oc_blocks_base(size, lead);
                if (*first) {
                    char *num = oc_arena_printf(b->arena, "%d.", note->note_number);
                    oc_item t = oc_item_at(OC_ITEM_TEXT, 0, base, 0, 0);
                    t.font = OC_FONT_SERIF;
                    t.size = size;
                    t.color = b->text;
                    t.text = num;
                    t.len = strlen(num);
                    t.w = oc_para_text_width(b->para, OC_FONT_SERIF, size, num, t.len);
                    t.sref = lbl;
                    oc_itemvec_push(v, &t);
                    *first = 0;
                }
                size_t before = v->n;
                oc_blocks_runs(b, v, &p.lines[l], hang, base, 1);
                (void)before;
                *y -= lead;
            }
        } else if (c->first) {
            note_blocks(b, c, v, y, first, note);
        }
    }
}

/* Records footnotes first cited by the runs of a line on the last element. */
static void cite_notes(oc_blocks *b, const oc_line *ln) {
    oc_flow *f = b->flow;
    for (int r = 0; r < ln->nruns; r++) {
        const oc_node *ref = ln->runs[r].noteref;
        if (!ref || !ref->note) continue;
        const oc_node *note = ref->note;
        int k = note->note_number - 1;
        if (k < 0 || k >= b->nnote_seen || b->note_seen[k]) continue;
        b->note_seen[k] = 1;
        oc_itemvec v;
        memset(&v, 0, sizeof v);
        double y = 0;
        int first = 1;
        /* the body's elements go in its Note (made after the marker) */
        uint32_t sparent = b->sparent, sref = b->sref, sblock = b->sblock, slink = b->slink;
        const char *luri = b->slink_uri, *ldest = b->slink_dest;
        int smore = b->smore;
        b->sparent = b->snote ? b->snote[k] : 0;
        b->sref = b->sblock = b->slink = 0;
        b->in_note = 1;
        note_blocks(b, note, &v, &y, &first, note);
        b->in_note = 0;
        b->sparent = sparent;
        b->sref = sref;
        b->sblock = sblock;
        b->slink = slink;
        b->slink_uri = luri;
        b->slink_dest = ldest;
        b->smore = smore;
        if (f->nnotes == f->capnotes) {
            f->capnotes = f->capnotes ? f->capnotes * 2 : 32;
            f->notes = oc_xrealloc(f->notes, f->capnotes * sizeof *f->notes);
        }
        oc_flow_note *fn = &f->notes[f->nnotes++];
        fn->note = note;
        fn->nitems = v.n;
        fn->items = oc_arena_alloc(b->arena, (v.n ? v.n : 1) * sizeof *v.v);
        if (v.n) memcpy(fn->items, v.v, v.n * sizeof *v.v);
        fn->height = -y; /* whole lines: the paginator may split between them */
        fn->nlines = (int)lround(-y / b->note_lead);
        fn->line = oc_arena_alloc(b->arena, (v.n ? v.n : 1) * sizeof(int));
        for (size_t q = 0; q < v.n; q++) {
            /* the line an item belongs to, from its baseline */
            double below = -v.v[q].y;
            if (v.v[q].kind != OC_ITEM_TEXT) below -= b->note_size * 0.3;
            int li = (int)floor(below / b->note_lead);
            fn->line[q] = li < 0 ? 0 : li >= fn->nlines ? fn->nlines - 1 : li;
        }
        free(v.v);
        f->info[f->n - 1].nnotes++;
        f->pe[f->n - 1].note += fn->height;
    }
}

/* ---- lines ------------------------------------------------------------------ */

/* Decorations every element inside quotes carries: the quote rules. */
static void quote_rules(oc_blocks *b, size_t e) {
    oc_flow *f = b->flow;
    for (int q = 0; q < b->quote_depth && q < MAXQ; q++) {
        double up = e > b->quote_first || q + 1 < b->quote_depth ? f->pe[e].space : 0;
        oc_item t =
            oc_item_at(OC_ITEM_RULE, b->quote_x[q], -f->pe[e].height, 0, f->pe[e].height + up);
        t.size = 1.2;
        t.color = b->rule;
        oc_flow_item(f, &t);
    }
}

static void pending_marker(oc_blocks *b, double base) {
    if (!b->marker) return;
    oc_item t = oc_item_at(OC_ITEM_TEXT, b->marker_x, base, 0, 0);
    t.font = b->marker_font;
    t.size = b->marker_size;
    t.color = b->text;
    t.text = b->marker;
    t.len = strlen(b->marker);
    t.w = oc_para_text_width(b->para, t.font, t.size, t.text, t.len);
    t.sref = b->smarker;
    oc_flow_item(b->flow, &t);
    b->marker = NULL;
}

/* Element e starts at node n (offset off into its text). */
static void set_src(oc_flow *f, size_t e, const oc_node *n, uint32_t off) {
    f->info[e].src = n;
    f->info[e].src_off = off;
    f->info[e].has_src = 1;
}

/* One line element: quote rules, an optional tint behind, marker, runs. */
static size_t line_elem(oc_blocks *b, const oc_line *ln, double x0, double size, double leading,
                        int flags, const oc_color *tint) {
    size_t e = oc_blocks_elem(b, leading, flags);
    double base = -oc_blocks_base(size, leading);
    quote_rules(b, e);
    if (tint) {
        oc_item t = oc_item_at(OC_ITEM_RECT, b->indent, -leading - 0.25, b->measure - b->indent,
                               leading + 0.5);
        t.color = *tint;
        oc_flow_item(b->flow, &t);
    }
    pending_marker(b, base);
    oc_flow *f = b->flow;
    if (ln->src) set_src(f, e, ln->src, ln->src_off);
    size_t before = f->items.n;
    oc_blocks_runs(b, &f->items, ln, x0, base, 1);
    f->info[e].nitems += f->items.n - before;
    cite_notes(b, ln);
    return e;
}

static double maxd(double a, double c) {
    return a > c ? a : c;
}

/* ---- blocks ------------------------------------------------------------------ */

static void walk(oc_blocks *b, const oc_node *n);

static void add_dest(oc_blocks *b, const char *name, double y) {
    if (!name) return;
    oc_item t = oc_item_at(OC_ITEM_DEST, 0, y, 0, 0);
    t.dest = name;
    oc_flow_item(b->flow, &t);
}

/* HTML anchors (a id/name) inside a block: their destinations on an empty
 * element kept with the block's first line, so a link lands on its page. */
static void anchor_dests(oc_blocks *b, const oc_node *n) {
    int any = 0;
    for (const oc_node *c = n->first; c; c = oc_node_next(n, c, 1)) {
        if (c->type != OC_ANCHOR || !c->id) continue;
        if (!any) oc_blocks_elem(b, 0, OC_PG_KEEP_NEXT);
        any = 1;
        add_dest(b, c->id, 0);
    }
}

static void heading(oc_blocks *b, const oc_node *n) {
    static const double scale[7] = {1.0, 1.45, 1.3, 1.15, 1.0, 1.0, 1.0};
    static const double above[7] = {0, 2.0, 1.6, 1.3, 1.0, 1.0, 1.0};
    int lv = n->level < 1 ? 1 : n->level > 6 ? 6 : n->level;
    double size = b->body * scale[lv];
    double lead = size * 1.25;
    oc_font_id font = lv <= 4   ? OC_FONT_SERIF_BOLD
                      : lv == 5 ? OC_FONT_SERIF_BOLD_ITALIC
                                : OC_FONT_SERIF_ITALIC;
    b->space = maxd(b->space, b->leading * above[lv]);
    double numw = 0;
    if (n->number && *n->number)
        numw = oc_para_text_width(b->para, font, size, n->number, strlen(n->number)) + size * 0.6;
    oc_para_style st = oc_blocks_style(b, font, size, lead, 0);
    st.align = n->halign;
    oc_para p;
    memset(&p, 0, sizeof p);
    if (oc_para_layout(b->para, n, &st, b->measure - b->indent - numw, &p) != OC_OK) return;
    /* tagged H1-H6: a level never skips one (an h4 after an h2 is an H3) */
    int tag = lv > b->shead + 1 ? b->shead + 1 : lv;
    b->shead = tag;
    uint32_t h = oc_blocks_block(b, OC_SE_H, n);
    b->flow->se[h - OC_SREF_FIRST].level = (uint8_t)tag;
    size_t first = b->flow->n;
    for (int l = 0; l < p.nlines; l++) {
        size_t e = line_elem(b, &p.lines[l], b->indent + numw, size, lead, OC_PG_KEEP_NEXT, NULL);
        if (l == 0) {
            set_src(b->flow, e, n, 0); /* the heading, its number included */
            add_dest(b, n->id, 0);
            if (numw > 0) {
                oc_item t = oc_item_at(OC_ITEM_TEXT, b->indent, -oc_blocks_base(size, lead), 0, 0);
                t.font = font;
                t.size = size;
                t.color = b->text;
                t.text = n->number;
                t.len = strlen(n->number);
                t.w = numw - size * 0.6;
                t.sref = h;
                oc_flow_item(b->flow, &t);
            }
        }
        (void)e;
    }
    if (p.nlines == 0) {
        oc_blocks_elem(b, lead, OC_PG_KEEP_NEXT);
        add_dest(b, n->id, 0);
    }
    oc_flow_mark m = {lv - 1, n,         oc_node_plain_text(b->arena, n), n->id, n->number,
                      first,  b->chapter};
    oc_flow_mark_add(b->flow, &m);
    b->heading_keep = 2;
    b->space = b->leading * 0.45;
    b->after_para = 0;
}

static int is_figure(const oc_node *n) {
    const oc_node *c = n->first;
    while (c && c->type == OC_SOFTBREAK)
        c = c->next;
    if (!c || c->type != OC_IMAGE || !c->asset) return 0;
    for (const oc_node *d = c->next; d; d = d->next)
        if (d->type != OC_SOFTBREAK) return 0;
    return 1;
}

static void figure(oc_blocks *b, const oc_node *n) {
    const oc_node *img = n->first;
    while (img->type != OC_IMAGE)
        img = img->next;
    const oc_asset *as = img->asset;
    double natw = as->width * 72.0 / 150.0, nath = as->height * 72.0 / 150.0;
    if (img->img_width > 0 || img->img_height > 0) { /* HTML width/height: CSS px */
        double sx = img->img_width > 0 ? img->img_width * 0.75 / (as->width ? as->width : 1) : 0;
        double sy =
            img->img_height > 0 ? img->img_height * 0.75 / (as->height ? as->height : 1) : 0;
        double k = sx > 0 ? sx : sy;
        natw = as->width * k;
        nath = as->height * k;
    }
    double maxw = b->measure - b->indent, maxh = b->text_height * 0.8;
    double s = 1;
    if (natw > maxw) s = maxw / natw;
    if (nath * s > maxh) s = maxh / nath;
    double w = natw * s, h = nath * s;
    /* caption */
    oc_para cap;
    memset(&cap, 0, sizeof cap);
    double csize = b->body * 0.88, clead = csize * 1.3;
    if (img->title && *img->title && img->figure_number > 0) {
        /* a synthetic paragraph: "Figure N. " in italic + the title */
        oc_node *para = oc_arena_alloc(b->arena, sizeof *para);
        oc_node *em = oc_arena_alloc(b->arena, sizeof *em);
        oc_node *lab = oc_arena_alloc(b->arena, sizeof *lab);
        oc_node *txt = oc_arena_alloc(b->arena, sizeof *txt);
        para->type = OC_PARAGRAPH;
        para->line = n->line;
        para->first = em;
        para->last = txt;
        em->type = OC_EMPH;
        em->parent = para;
        em->first = em->last = lab;
        em->next = txt;
        lab->type = OC_TEXT;
        lab->parent = em;
        lab->text =
            oc_labels_figure(b->arena, oc_labels_for(b->doc->meta.language), img->figure_number);
        lab->len = strlen(lab->text);
        txt->type = OC_TEXT;
        txt->parent = para;
        txt->prev = em;
        txt->text = oc_arena_printf(b->arena, " %s", img->title);
        txt->len = strlen(txt->text);
        oc_para_style st = oc_blocks_style(b, OC_FONT_SERIF, csize, clead, 0);
        oc_para_layout(b->para, para, &st, b->measure - b->indent, &cap);
    }
    double gap = cap.nlines ? b->leading * 0.4 : 0;
    double total = h + gap + cap.nlines * clead;
    b->space = maxd(b->space, b->leading * 0.6);
    size_t e = oc_blocks_elem(b, total, OC_PG_FLOAT);
    set_src(b->flow, e, img, 0);
    double x = b->indent + (b->measure - b->indent - w) / 2;
    oc_item t = oc_item_at(OC_ITEM_IMAGE, x, -h, w, h);
    t.asset = as;
    /* the Figure stays where it is read, whichever page it floats to */
    uint32_t fig = oc_blocks_block(b, OC_SE_FIGURE, img);
    t.sref = fig;
    uint32_t sparent = b->sparent;
    b->sparent = fig;
    if (cap.nlines) oc_blocks_block(b, OC_SE_CAPTION, NULL);
    b->sparent = sparent;
    oc_flow_item(b->flow, &t);
    for (int l = 0; l < cap.nlines; l++) {
        double base = -h - gap - l * clead - oc_blocks_base(csize, clead);
        double cx = b->indent + (b->measure - b->indent - cap.lines[l].width) / 2;
        oc_flow *f = b->flow;
        size_t before = f->items.n;
        oc_blocks_runs(b, &f->items, &cap.lines[l], cx, base, 1);
        f->info[e].nitems += f->items.n - before;
    }
    b->space = b->leading * 0.6;
    b->after_para = 0;
}

/* A paragraph ending in ':' right before the list, table, code block or
 * quote it introduces is kept with it (the block's own keeps then hold its
 * first lines or rows below). */
static int introduces(const oc_node *n) {
    const oc_node *next = n->next;
    if (!next || (next->type != OC_LIST && next->type != OC_TABLE && next->type != OC_CODE_BLOCK &&
                  next->type != OC_QUOTE))
        return 0;
    const oc_node *last = n->last;
    while (last && last->type == OC_SOFTBREAK)
        last = last->prev;
    if (!last || last->type != OC_TEXT || last->len == 0) return 0;
    size_t k = last->len;
    while (k > 0 && (last->text[k - 1] == ' ' || last->text[k - 1] == '\t'))
        k--;
    return k > 0 && last->text[k - 1] == ':';
}

static void paragraph(oc_blocks *b, const oc_node *n) {
    if (is_figure(n)) {
        figure(b, n);
        return;
    }
    oc_para_style st = oc_blocks_style(b, OC_FONT_SERIF, b->body, b->leading, !n->halign);
    st.align = n->halign;
    if (b->after_para && !n->halign) st.indent = b->body * 1.5;
    oc_para p;
    memset(&p, 0, sizeof p);
    if (oc_para_layout(b->para, n, &st, b->measure - b->indent, &p) != OC_OK) return;
    oc_blocks_block(b, OC_SE_P, n);
    size_t first = b->flow->n;
    for (int l = 0; l < p.nlines; l++)
        line_elem(b, &p.lines[l], b->indent, b->body, b->leading, 0, NULL);
    oc_pg_keep_lines(b->flow->pe, first, (size_t)p.nlines);
    if (p.nlines > 0 && introduces(n)) b->flow->pe[b->flow->n - 1].flags |= OC_PG_KEEP_NEXT;
    b->after_para = 1;
}

/* A summary (details) or a term (dl): a bold lead-in kept with what
 * follows; paper cannot fold, so the details' content is shown below. */
static void lead_in(oc_blocks *b, const oc_node *n) {
    b->space = maxd(b->space, b->leading * 0.4);
    oc_para_style st = oc_blocks_style(b, OC_FONT_SERIF_BOLD, b->body, b->leading, 0);
    oc_para p;
    memset(&p, 0, sizeof p);
    if (oc_para_layout(b->para, n, &st, b->measure - b->indent, &p) != OC_OK) return;
    for (int l = 0; l < p.nlines; l++)
        line_elem(b, &p.lines[l], b->indent, b->body, b->leading, OC_PG_KEEP_NEXT, NULL);
    b->space = b->leading * 0.2;
    b->after_para = 0;
}

/* A dd: its blocks indented. */
static void definition(oc_blocks *b, const oc_node *n) {
    double saved = b->indent;
    b->indent = saved + b->body * 1.5;
    b->after_para = 0;
    for (const oc_node *c = n->first; c; c = c->next)
        walk(b, c);
    b->indent = saved;
    b->space = maxd(b->space, b->leading * 0.3);
    b->after_para = 0;
}

static void code_block(oc_blocks *b, const oc_node *n, int tinted) {
    double size = b->body * 0.8, lead = size * 1.32, padx = size * 0.6, pady = lead * 0.35;
    b->space = maxd(b->space, b->leading * 0.5);
    oc_para_style st = oc_blocks_style(b, OC_FONT_MONO, size, lead, 0);
    st.code_theme = b->opt->print ? oc_hl_theme_print : oc_hl_theme_light;
    oc_para p;
    memset(&p, 0, sizeof p);
    const oc_node *src = n;
    oc_node tmp;
    if (n->type != OC_CODE_BLOCK) {
        tmp = *n;
        oc_node_retype(&tmp, OC_CODE_BLOCK);
        tmp.info = "";
        src = &tmp;
    }
    if (oc_para_layout(b->para, src, &st, b->measure - b->indent - 2 * padx, &p) != OC_OK) return;
    for (int l = 0; l < p.nlines; l++) /* the lines of a copy start in n */
        if (p.lines[l].src == src) p.lines[l].src = n;
    oc_blocks_block(b, OC_SE_CODE, n);
    const oc_color *tint = tinted ? &b->tint : NULL;
    size_t first = b->flow->n;
    if (tinted) {
        size_t e = oc_blocks_elem(b, pady, OC_PG_KEEP_NEXT);
        quote_rules(b, e);
        oc_item t = oc_item_at(OC_ITEM_RECT, b->indent, -pady, b->measure - b->indent, pady + 0.25);
        t.color = b->tint;
        oc_flow_item(b->flow, &t);
    }
    size_t l0 = b->flow->n;
    for (int l = 0; l < p.nlines; l++)
        line_elem(b, &p.lines[l], b->indent + padx, size, lead, 0, tint);
    oc_pg_keep_lines(b->flow->pe, l0, (size_t)p.nlines);
    if (tinted) {
        if (b->flow->n > l0) b->flow->pe[b->flow->n - 1].flags |= OC_PG_KEEP_NEXT;
        size_t e = oc_blocks_elem(b, pady, 0);
        quote_rules(b, e);
        oc_item t =
            oc_item_at(OC_ITEM_RECT, b->indent, -pady - 0.25, b->measure - b->indent, pady + 0.25);
        t.color = b->tint;
        oc_flow_item(b->flow, &t);
    }
    if (p.nlines <= 5) oc_pg_keep_block(b->flow->pe, first, b->flow->n - first);
    b->space = b->leading * 0.5;
    b->after_para = 0;
}

static void thematic_break(oc_blocks *b, const oc_node *n) {
    b->space = maxd(b->space, b->leading * 0.5);
    size_t e = oc_blocks_elem(b, b->leading, 0);
    set_src(b->flow, e, n, 0);
    quote_rules(b, e);
    double w = b->measure * 0.18, x = b->indent + (b->measure - b->indent - w) / 2;
    oc_item t = oc_item_at(OC_ITEM_RULE, x, -b->leading / 2, w, 0);
    t.size = 0.6;
    t.color = b->text;
    oc_flow_item(b->flow, &t);
    b->space = b->leading * 0.5;
    b->after_para = 0;
}

static const char *bullet(const oc_blocks *b, int depth, oc_font_id *font) {
    static const char *const marks[3] = {"\xE2\x80\xA2", "\xE2\x80\x93", "\xE2\x97\xA6"};
    static const uint32_t cps[3] = {0x2022, 0x2013, 0x25E6};
    int k = depth % 3;
    *font = oc_fonts_has(b->fonts, OC_FONT_SERIF, cps[k]) ? OC_FONT_SERIF : OC_FONT_SANS;
    return marks[k];
}

static void list(oc_blocks *b, const oc_node *n) {
    int depth = b->list_depth;
    if (depth == 0 || b->after_para) b->space = maxd(b->space, b->leading * 0.5);
    double step = b->body * 1.6;
    if (n->ordered) {
        int count = 0;
        for (const oc_node *it = n->first; it; it = it->next)
            count++;
        char *wide = oc_arena_printf(b->arena, "%d.", n->start + count - 1);
        double w = oc_para_text_width(b->para, OC_FONT_SERIF, b->body, wide, strlen(wide));
        if (w + b->body * 0.5 > step) step = w + b->body * 0.5;
    }
    double saved = b->indent;
    int num = n->start;
    b->list_depth++;
    uint32_t sparent = b->sparent, l = oc_blocks_se(b, OC_SE_L, sparent, n);
    for (const oc_node *it = n->first; it; it = it->next, num++) {
        uint32_t li = oc_blocks_se(b, OC_SE_LI, l, it);
        b->smarker = oc_blocks_se(b, OC_SE_LBL, li, NULL);
        b->sparent = oc_blocks_se(b, OC_SE_LBODY, li, NULL);
        if (it != n->first && !n->tight) b->space = maxd(b->space, b->leading * 0.5);
        oc_font_id mf = OC_FONT_SERIF;
        const char *m;
        int task = it->type == OC_ITEM ? it->task : 0;
        if (task) {
            uint32_t cp = task == 2 ? 0x2611 : 0x2610;
            m = task == 2 ? "\xE2\x98\x91" : "\xE2\x98\x90";
            mf = oc_fonts_has(b->fonts, OC_FONT_SERIF, cp) ? OC_FONT_SERIF : OC_FONT_SANS;
        } else if (n->ordered) {
            m = oc_arena_printf(b->arena, "%d.", num);
        } else {
            m = bullet(b, depth, &mf);
        }
        double mw = oc_para_text_width(b->para, mf, b->body, m, strlen(m));
        b->marker = m;
        b->marker_font = mf;
        b->marker_size = b->body;
        b->marker_x = saved + step - b->body * 0.45 - mw;
        b->indent = saved + step;
        b->after_para = 0;
        size_t first = b->flow->n;
        for (const oc_node *c = it->first; c; c = c->next) {
            walk(b, c);
            b->after_para = 0;
            if (n->tight) b->space = 0;
        }
        if (b->marker) { /* an empty item still shows its marker */
            oc_blocks_elem(b, b->leading, 0);
            pending_marker(b, -oc_blocks_base(b->body, b->leading));
        }
        b->sparent = sparent;
        if (b->flow->n - first <= 5) oc_pg_keep_block(b->flow->pe, first, b->flow->n - first);
        b->indent = saved;
    }
    b->list_depth--;
    b->space = depth == 0 ? b->leading * 0.5 : 0;
    b->after_para = 0;
}

static void quote(oc_blocks *b, const oc_node *n) {
    b->space = maxd(b->space, b->leading * 0.5);
    double saved = b->indent;
    size_t saved_first = b->quote_first;
    if (b->quote_depth < MAXQ) b->quote_x[b->quote_depth] = saved + b->body * 0.3;
    b->quote_depth++;
    b->quote_first = b->flow->n;
    b->indent = saved + b->body * 1.5;
    b->after_para = 0;
    size_t first = b->flow->n;
    uint32_t sparent = b->sparent;
    b->sparent = oc_blocks_se(b, OC_SE_BLOCKQUOTE, sparent, n);
    for (const oc_node *c = n->first; c; c = c->next)
        walk(b, c);
    b->sparent = sparent;
    if (b->flow->n - first <= 5) oc_pg_keep_block(b->flow->pe, first, b->flow->n - first);
    b->quote_depth--;
    b->quote_first = saved_first;
    b->indent = saved;
    b->space = b->leading * 0.5;
    b->after_para = 0;
}

/* ---- tables ------------------------------------------------------------------ */

static double cell_min_width(oc_blocks *b, const oc_node *cell, double size) {
    /* the widest word: a table cell never gets narrower than this */
    const char *s = oc_node_plain_text(b->arena, cell);
    double best = 0;
    size_t i = 0, len = strlen(s);
    while (i < len) {
        while (i < len && s[i] == ' ')
            i++;
        size_t j = i;
        while (j < len && s[j] != ' ')
            j++;
        if (j > i) {
            double w = oc_para_text_width(b->para, OC_FONT_SERIF_BOLD, size, s + i, j - i);
            if (w > best) best = w;
        }
        i = j;
    }
    return best;
}

static void table(oc_blocks *b, const oc_node *n) {
    int nc = n->ncols > 0 ? n->ncols : 1;
    double avail = b->measure - b->indent;
    double size = b->body * 0.9, lead = size * 1.3, pad = size * 0.45;
    /* cells are padded 0.7 em left and right: columns stay 1.4 em apart, far
     * enough for the eye (and for text extraction) to keep them apart */
    double padx = size * 0.7;
    double *minw = oc_arena_alloc(b->arena, (size_t)nc * sizeof(double));
    double *prefw = oc_arena_alloc(b->arena, (size_t)nc * sizeof(double));
    double *w = oc_arena_alloc(b->arena, (size_t)nc * sizeof(double));
    int nrows = 0;
    for (int attempt = 0; attempt < 3; attempt++) {
        for (int c = 0; c < nc; c++)
            minw[c] = prefw[c] = 0;
        nrows = 0;
        for (const oc_node *row = n->first; row; row = row->next, nrows++) {
            for (const oc_node *cell = row->first; cell; cell = cell->next) {
                int col = oc_cell_col(cell), c = col < nc ? col : nc - 1;
                /* a spanning cell takes what its columns get */
                if (oc_cell_span(cell) > 1) continue;
                oc_para_style st = oc_blocks_style(
                    b, oc_row_is_header(row) ? OC_FONT_SERIF_BOLD : OC_FONT_SERIF, size, lead, 0);
                oc_para p;
                memset(&p, 0, sizeof p);
                double pw = 0;
                if (oc_para_layout(b->para, cell, &st, 1e5, &p) == OC_OK)
                    for (int l = 0; l < p.nlines; l++)
                        if (p.lines[l].width > pw) pw = p.lines[l].width;
                double mw = cell_min_width(b, cell, size);
                if (mw > 4 * b->body * 3) mw = 4 * b->body * 3; /* long URLs wrap anyway */
                if (pw + 2 * padx + 1 > prefw[c])
                    prefw[c] = pw + 2 * padx + 1; /* +1: slack for rounding */
                if (mw + 2 * padx > minw[c]) minw[c] = mw + 2 * padx;
            }
        }
        double smin = 0;
        for (int c = 0; c < nc; c++)
            smin += minw[c];
        if (smin <= avail || attempt == 2) break;
        size *= 0.88; /* shrink a step and try again */
        lead = size * 1.3;
        pad = size * 0.45;
        padx = size * 0.7;
    }
    /* browser-like automatic widths */
    double smin = 0, spref = 0;
    for (int c = 0; c < nc; c++) {
        if (prefw[c] < minw[c]) prefw[c] = minw[c];
        smin += minw[c];
        spref += prefw[c];
    }
    if (spref <= avail) {
        for (int c = 0; c < nc; c++)
            w[c] = prefw[c];
    } else if (smin >= avail) {
        for (int c = 0; c < nc; c++)
            w[c] = minw[c] * avail / smin;
    } else {
        double extra = avail - smin, want = spref - smin;
        for (int c = 0; c < nc; c++)
            w[c] = minw[c] + (prefw[c] - minw[c]) * extra / want;
    }
    double tw = 0;
    for (int c = 0; c < nc; c++)
        tw += w[c];

    b->space = maxd(b->space, b->leading * 0.6);
    int header_elem = -1, r = 0;
    size_t first = b->flow->n;
    uint32_t stable = oc_blocks_se(b, OC_SE_TABLE, b->sparent, n);
    uint32_t *cref = oc_arena_alloc(b->arena, (size_t)nc * sizeof *cref);
    for (const oc_node *row = n->first; row; row = row->next, r++) {
        oc_para *cells = oc_arena_alloc(b->arena, (size_t)nc * sizeof(oc_para));
        int maxl = 1;
        int head = oc_row_is_header(row);
        oc_font_id font = head ? OC_FONT_SERIF_BOLD : OC_FONT_SERIF;
        uint32_t tr = oc_blocks_se(b, OC_SE_TR, stable, row);
        memset(cref, 0, (size_t)nc * sizeof *cref);
        for (const oc_node *cell = row->first; cell; cell = cell->next) {
            int col = oc_cell_col(cell), c = col < nc ? col : nc - 1;
            if (!cref[c]) cref[c] = oc_blocks_se(b, head ? OC_SE_TH : OC_SE_TD, tr, cell);
            double cw = 0;
            for (int k = c; k < nc && k < c + oc_cell_span(cell); k++)
                cw += w[k];
            oc_para_style st = oc_blocks_style(b, font, size, lead, 0);
            st.hyphenate = w[c] < prefw[c]; /* a narrowed column breaks words at syllables */
            st.align = n->align ? n->align[c] : OC_ALIGN_LEFT;
            if (cell->halign) st.align = cell->halign;
            oc_para_layout(b->para, cell, &st, cw - 2 * padx, &cells[c]);
            if (cells[c].nlines > maxl) maxl = cells[c].nlines;
        }
        double h = maxl * lead + pad;
        size_t e = oc_blocks_elem(b, h, head ? OC_PG_KEEP_NEXT : 0);
        set_src(b->flow, e, row, 0);
        if (head) header_elem = (int)e;
        b->flow->pe[e].repeat = header_elem;
        if (r == 0) { /* a rule above the table (repeated with the header) */
            oc_item t = oc_item_at(OC_ITEM_RULE, b->indent, 0, tw, 0);
            t.size = 0.8;
            t.color = b->text;
            oc_flow_item(b->flow, &t);
        }
        if (!head && r % 2 == 0) {
            oc_item t = oc_item_at(OC_ITEM_RECT, b->indent, -h, tw, h);
            t.color = b->tint;
            oc_flow_item(b->flow, &t);
        }
        double x = b->indent;
        oc_flow *f = b->flow;
        for (int c = 0; c < nc; c++) {
            b->sblock = b->sref = cref[c];
            b->slink = 0;
            b->smore = 0;
            for (int l = 0; l < cells[c].nlines; l++) {
                double base = -pad / 2 - l * lead - oc_blocks_base(size, lead);
                size_t before = f->items.n;
                oc_blocks_runs(b, &f->items, &cells[c].lines[l], x + padx, base, 1);
                f->info[e].nitems += f->items.n - before;
                cite_notes(b, &cells[c].lines[l]);
            }
            x += w[c];
        }
        if (head) {
            oc_item t = oc_item_at(OC_ITEM_RULE, b->indent, -h, tw, 0);
            t.size = 0.8;
            t.color = b->text;
            oc_flow_item(f, &t);
        }
    }
    /* a rule below the last row */
    if (b->flow->n > first) {
        oc_item bot =
            oc_item_at(OC_ITEM_RULE, b->indent, -b->flow->pe[b->flow->n - 1].height, tw, 0);
        bot.size = 0.8;
        bot.color = b->text;
        oc_flow_item(b->flow, &bot);
        size_t nel = b->flow->n - first;
        if (nel <= 5) {
            oc_pg_keep_block(b->flow->pe, first, nel);
        } else {
            /* no lone row: two body rows under the header (like an orphan
             * keep) and two at the end (a widow keep) */
            size_t body0 = header_elem >= 0 ? (size_t)header_elem + 1 : first;
            b->flow->pe[body0].flags |= OC_PG_KEEP_NEXT;
            b->flow->pe[b->flow->n - 2].flags |= OC_PG_KEEP_NEXT;
        }
    }
    b->space = b->leading * 0.6;
    b->after_para = 0;
}

/* ---- the walk ---------------------------------------------------------------- */

static void walk(oc_blocks *b, const oc_node *n) {
    switch (n->type) {
    case OC_PARAGRAPH:
        anchor_dests(b, n);
        paragraph(b, n);
        break;
    case OC_HEADING:
        anchor_dests(b, n);
        heading(b, n);
        break;
    case OC_SUMMARY:
    case OC_DEF_TERM:
        anchor_dests(b, n);
        lead_in(b, n);
        break;
    case OC_DEF_DESC:
        definition(b, n);
        break;
    case OC_DEFLIST:
    case OC_DETAILS:
        b->space = maxd(b->space, b->leading * 0.5);
        for (const oc_node *c = n->first; c; c = c->next)
            walk(b, c);
        b->space = maxd(b->space, b->leading * 0.5);
        b->after_para = 0;
        break;
    case OC_QUOTE:
        quote(b, n);
        break;
    case OC_LIST:
        list(b, n);
        break;
    case OC_CODE_BLOCK:
        code_block(b, n, 1);
        break;
    case OC_HTML_BLOCK:
        code_block(b, n, 0);
        break;
    case OC_HR:
        thematic_break(b, n);
        break;
    case OC_TABLE:
        anchor_dests(b, n);
        table(b, n);
        break;
    default:
        for (const oc_node *c = n->first; c; c = c->next)
            walk(b, c);
        break;
    }
}

/* The chapter opening: a sink, the "Chapter N" label and the title. */
/* 1 when a block shows no words: images (their alt text is not shown),
 * links around them (badges), line breaks, blank text, anchors. */
static int wordless(const oc_node *n) {
    switch (n->type) {
    case OC_IMAGE:
    case OC_ANCHOR:
    case OC_SOFTBREAK:
    case OC_LINEBREAK:
        return 1;
    case OC_TEXT:
    case OC_HTML_BLOCK: /* what the HTML parser left is drawn as source */
        for (size_t i = 0; i < n->len; i++)
            if (n->text[i] != ' ' && n->text[i] != '\t' && n->text[i] != '\n') return 0;
        return 1;
    case OC_PARAGRAPH:
    case OC_LINK:
        for (const oc_node *k = n->first; k; k = k->next)
            if (!wordless(k)) return 0;
        return 1;
    default:
        return 0;
    }
}

static void opening(oc_blocks *b, const oc_chapter *ch, const oc_node *h1) {
    int flags = OC_PG_BREAK_BEFORE | OC_PG_OPENING | OC_PG_KEEP_NEXT;
    if (b->opt->print) flags |= OC_PG_RECTO;
    b->space = 0;
    size_t e0 = oc_blocks_elem(b, b->text_height * 0.16, flags);
    set_src(b->flow, e0, NULL, 0); /* the chapter's start */
    add_dest(b, ch->id, 0);
    if (h1 && h1->id && (!ch->id || strcmp(h1->id, ch->id) != 0)) add_dest(b, h1->id, 0);
    for (const oc_node *c = h1 ? h1->first : NULL; c; c = oc_node_next(h1, c, 1))
        if (c->type == OC_ANCHOR && c->id) add_dest(b, c->id, 0);
    /* a title given by the table of contents (mdBook's SUMMARY.md) is the
     * entry's text, with the chapter's number, rather than its first heading */
    oc_flow_mark m = {0,
                      ch->title_given ? NULL : h1,
                      ch->title,
                      ch->id,
                      ch->number ? ch->number
                      : h1       ? h1->number
                                 : NULL,
                      b->flow->n - 1,
                      b->chapter};
    oc_flow_mark_add(b->flow, &m);
    uint32_t h = oc_blocks_block(b, OC_SE_H, h1); /* the label and the title */
    b->flow->se[h - OC_SREF_FIRST].level = 1;
    b->shead = 1;
    if (b->doc->meta.number_sections && h1 && h1->number) {
        double size = b->body * 1.15, lead = size * 1.4;
        size_t e = oc_blocks_elem(b, lead, OC_PG_KEEP_NEXT);
        (void)e;
        char *label = oc_labels_chapter(b->arena, oc_labels_for(b->doc->meta.language), h1->number);
        oc_item t = oc_item_at(OC_ITEM_TEXT, 0, -oc_blocks_base(size, lead), 0, 0);
        t.font = OC_FONT_SERIF_ITALIC;
        t.size = size;
        t.color = b->text;
        t.sref = h;
        oc_blocks_text(b, &t, label, strlen(label));
        b->space = lead * 0.3;
    }
    double size = b->body * 2.0, lead = size * 1.2;
    oc_para_style st = oc_blocks_style(b, OC_FONT_SERIF_BOLD, size, lead, 0);
    oc_para p;
    memset(&p, 0, sizeof p);
    oc_node *src = (oc_node *)h1;
    if (!src) { /* no first heading: a synthetic one from the chapter title */
        src = oc_arena_alloc(b->arena, sizeof *src);
        oc_node *t = oc_arena_alloc(b->arena, sizeof *t);
        src->type = OC_HEADING;
        src->level = 1;
        src->first = src->last = t;
        t->type = OC_TEXT;
        t->parent = src;
        t->text = ch->title ? ch->title : "";
        t->len = strlen(t->text);
    }
    if (oc_para_layout(b->para, src, &st, b->measure, &p) == OC_OK)
        for (int l = 0; l < p.nlines; l++)
            line_elem(b, &p.lines[l], 0, size, lead, OC_PG_KEEP_NEXT, NULL);
    b->space = b->leading * 2.5;
    b->after_para = 0;
}

oc_status oc_blocks_chapter(oc_blocks *b, const oc_chapter *ch) {
    oc_doc_highlight_wait(b->doc, ch->index); /* the code's colours */
    b->chapter = ch->index;
    b->indent = 0;
    b->space = 0;
    b->after_para = 0;
    b->list_depth = 0;
    b->quote_depth = 0;
    b->marker = NULL;
    b->heading_keep = 0;
    b->nnote_seen = ch->nnotes;
    b->note_seen = oc_arena_alloc(b->arena, (size_t)(ch->nnotes > 0 ? ch->nnotes : 1));
    b->para->file = ch->display ? ch->display : ch->path;
    b->snote =
        oc_arena_alloc(b->arena, (size_t)(ch->nnotes > 0 ? ch->nnotes : 1) * sizeof *b->snote);
    memset(b->snote, 0, (size_t)(ch->nnotes > 0 ? ch->nnotes : 1) * sizeof *b->snote);
    b->sparent = oc_blocks_se(b, OC_SE_SECT, OC_SREF_DOCUMENT, ch->root);
    b->sref = b->sblock = b->slink = 0;
    b->in_note = 0;
    const oc_node *first = ch->root ? ch->root->first : NULL, *c = first;
    const oc_node *h1 = NULL;
    /* a README's logo or badges before its "# Title" have no words: the
     * title still opens the chapter, and they follow it */
    while (c && c->type != OC_HEADING && wordless(c))
        c = c->next;
    /* the first heading opens the chapter when it is an h1, or when it
     * repeats the title the table of contents gives (mdBook chapters often
     * start with "## Title"): shown once, not under a copy of itself */
    if (c && c->type == OC_HEADING &&
        (c->level == 1 ||
         (ch->title_given && strcmp(oc_node_plain_text(b->arena, c), ch->title) == 0)))
        h1 = c;
    else
        c = first;
    opening(b, ch, h1);
    /* each top-level block's lines and runs are items now: free them; the
     * wordless blocks before the opening heading come first */
    for (const oc_node *d = h1 ? first : NULL; d && d != h1; d = d->next) {
        if (b->para->scratch) oc_arena_free(b->para->scratch);
        walk(b, d);
    }
    for (c = h1 ? h1->next : first; c; c = c->next) {
        if (b->para->scratch) oc_arena_free(b->para->scratch);
        walk(b, c);
    }
    if (b->para->scratch) oc_arena_free(b->para->scratch);
    return OC_OK;
}
