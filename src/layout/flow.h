/* octavo — the flow: blocks turned into paginator elements with their items.
 *
 * Internal to src/layout/ (blocks.c fills it, layout.c places it). Item
 * coordinates inside the flow are relative to the element: x from the left
 * edge of the text area, y upward from the element's top (so mostly
 * negative); layout.c translates them onto the page. */
#ifndef OCTAVO_LAYOUT_FLOW_H
#define OCTAVO_LAYOUT_FLOW_H

#include "octavo/layout.h"
#include "layout/paginate.h"

#include <string.h>

typedef struct {
    oc_item *v;
    size_t n, cap;
} oc_itemvec;

/* A footnote laid out once, at its first citation. */
typedef struct {
    const oc_node *note;
    oc_item *items; /* relative to the note's top */
    size_t nitems;
    int *line;  /* per item: the note line it belongs to */
    int nlines; /* height == nlines * note line height */
    double height;
} oc_flow_note;

typedef struct {
    size_t item0, nitems; /* in oc_flow.items */
    const oc_item *items; /* set in a body made of chapter flows: the element's items
                             (in its chapter's chunk), else NULL: items.v + item0 */
    int chapter;          /* chapter index; -1 in front matter */
    size_t note0;         /* footnotes first cited here: notes[note0 .. note0+nnotes) */
    int nnotes;
    /* where the element starts in the Document (a page starting with it
     * starts there: the EPUB's page-list): has_src 1 when known, then src
     * (a text node and src_off into its text, or a block; NULL for the
     * chapter opening) */
    const oc_node *src;
    uint32_t src_off;
    int has_src;
} oc_flow_info;

/* A heading (or chapter start) for bookmarks and the contents. */
typedef struct {
    int level;           /* 0 chapter, 1.. section (heading level - 1) */
    const oc_node *node; /* the HEADING, or NULL */
    const char *title;
    const char *dest;
    const char *number; /* "2.3" or NULL */
    size_t elem;
    int chapter;
} oc_flow_mark;

typedef struct {
    oc_itemvec items;
    oc_pg_elem *pe;
    oc_flow_info *info;
    size_t n, cap;
    oc_flow_note *notes;
    size_t nnotes, capnotes;
    oc_flow_mark *marks;
    size_t nmarks, capmarks;
    /* the body: each chapter's items, owned here (chunks[chapter index]),
     * freed by the placement once the chapter's last page is drawn */
    oc_item **chunks;
    size_t nchunks;
    /* and each chapter's runs' text (texts[chapter]), freed once its last
     * page and its last footnote are drawn (when pages go to a sink), and
     * the index in `notes` after each chapter's last note */
    oc_arena *texts;
    size_t *note_end;
    /* structure elements made while laying this flow out, in document
     * order; items and parents name them OC_SREF_FIRST + their index here
     * until oc_flow_structs_rebase moves them into the layout's table */
    oc_struct_elem *se;
    size_t nse, capse;
} oc_flow;

typedef struct {
    oc_arena *arena;
    const oc_document *doc;
    const oc_fontset *fonts;
    oc_para_ctx *para;
    const oc_layout_options *opt;
    oc_flow *flow;

    double measure;     /* text area width */
    double text_height; /* text area height */
    double body, leading;
    double note_size, note_lead;
    oc_color text, link, tint, rule;

    /* walk state */
    int chapter;
    double indent; /* left indent of the current block */
    double space;  /* pending space before the next element */
    int after_para;
    int heading_keep; /* elements after a heading still kept with it */
    int list_depth;
    int quote_depth;
    double quote_x[16];
    size_t quote_first; /* element index where the innermost quote began */
    const char *marker; /* pending list marker, drawn on the next line */
    oc_font_id marker_font;
    double marker_x, marker_size;
    unsigned char *note_seen; /* per note of the current chapter */
    int nnote_seen;

    /* structure: where new blocks go, the element the current block's text
     * belongs to, the block itself (links and notes are its children) and
     * the link being drawn (one element however many lines it spans) */
    uint32_t sparent, sref, sblock, slink;
    const char *slink_uri, *slink_dest;
    int smore;        /* the block's text goes on after a child: a new MORE */
    int shead;        /* the last heading level in the chapter (levels never skip) */
    uint32_t smarker; /* the pending marker's Lbl */
    uint32_t *snote;  /* per note of the chapter: its Note, 0 until cited */
    int in_note;      /* laying out a footnote body */
} oc_blocks;

/* Appends a structure element to the flow; returns its reference. */
uint32_t oc_blocks_se(oc_blocks *b, oc_se_type type, uint32_t parent, const oc_node *node);
/* Starts a block element under b->sparent: its text goes to it. */
uint32_t oc_blocks_block(oc_blocks *b, oc_se_type type, const oc_node *node);
/* Moves the flow's elements to the end of the layout's table with `rank`,
 * renumbering the references of its items (footnotes' too) and parents. */
void oc_flow_structs_rebase(oc_flow *f, oc_layout *out, int rank);
/* Appends one element to the layout's table; returns its index. */
uint32_t oc_layout_se(oc_layout *out, oc_se_type type, uint32_t parent, int rank);

void oc_itemvec_push(oc_itemvec *v, const oc_item *it);
void oc_flow_free(oc_flow *f);
/* Appends an element (taking b->space as its space) and returns its index;
 * items pushed with oc_flow_item() belong to the last element. */
size_t oc_blocks_elem(oc_blocks *b, double height, int flags);
void oc_flow_item(oc_flow *f, const oc_item *it);
void oc_flow_mark_add(oc_flow *f, const oc_flow_mark *m);
/* Items of one laid-out line with its baseline at y = base (relative). */
void oc_blocks_runs(oc_blocks *b, oc_itemvec *v, const oc_line *ln, double x0, double base,
                    int links);
oc_para_style oc_blocks_style(const oc_blocks *b, oc_font_id font, double size, double leading,
                              int justify);
/* A line of text set outside the paragraph machinery (the contents page's
 * title, a chapter's label, running heads): split into stretches one font
 * draws, `f` where it has the glyphs, else DejaVu Sans, else the script's
 * face (the paragraphs' fallback order). emit, when not NULL, gets each
 * stretch with its offset from the start; returns the whole width. */
typedef void (*oc_text_emit)(void *ud, oc_font_id f, const char *s, size_t len, double dx,
                             double w);
double oc_text_by_font(const oc_fontset *fonts, oc_para_ctx *para, oc_font_id f, double size,
                       const char *s, size_t len, oc_text_emit emit, void *ud);
/* The same stretches as TEXT items of the flow's last element, copies of
 * `proto` (its position, size, colour, structure reference) with their own
 * font, text, offset and width; returns the width. */
double oc_blocks_text(oc_blocks *b, const oc_item *proto, const char *s, size_t len);
/* Baseline offset below a line element's top for a style. */
double oc_blocks_base(double size, double leading);
/* The text area of physical page `phys` (0-based) for a paper and profile:
 * left/right edges and top/bottom (PDF coordinates). For tests. */
void oc_layout_text_area(const char *paper, int print, size_t phys, double *left, double *right,
                         double *top, double *bottom);
/* Lays out one chapter into the flow. */
oc_status oc_blocks_chapter(oc_blocks *b, const oc_chapter *ch);

/* A page item of kind k at (x, y) with size (w, h), everything else zero. */
static inline oc_item oc_item_at(oc_item_kind k, double x, double y, double w, double h) {
    oc_item it;
    memset(&it, 0, sizeof it);
    it.kind = k;
    it.x = x;
    it.y = y;
    it.w = w;
    it.h = h;
    return it;
}

#endif
