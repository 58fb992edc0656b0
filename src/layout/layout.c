/* The layout driver: paper and margins, the body flow paginated, the front
 * matter (title page, contents with page numbers), running heads, folios,
 * footnote areas, bookmarks; and the text dump used by golden tests.
 *
 * Order of work (linear in the book): every chapter is laid out once into
 * one flow and paginated once; body pages are numbered from 1, so the
 * contents (laid out after) never changes them — its own page count only
 * shifts physical page indexes, which are added at assembly. */
#include "layout/flow.h"
#include "octavo/labels.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

int oc_paper_size(const char *name, double *w, double *h) {
    static const struct {
        const char *name;
        double w, h;
    } sizes[] = {{"a4", 595.28, 841.89},
                 {"letter", 612, 792},
                 {"a5", 419.53, 595.28},
                 {"6x9", 432, 648},
                 {"half-letter", 396, 612}};
    if (!name) name = "a4";
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        if (strcmp(name, sizes[i].name) == 0) {
            if (w) *w = sizes[i].w;
            if (h) *h = sizes[i].h;
            return 1;
        }
    }
    return 0;
}

typedef struct {
    double W, H;
    double inner, outer; /* left/right margins of a recto page (mirrored on versos) */
    double top;          /* distance from the page top to the text area */
    double measure, height;
    double body, leading;
} geometry;

static void make_geometry(geometry *g, double W, double H, int print) {
    g->W = W;
    g->H = H;
    int small = W < 500;
    g->body = small ? 10.0 : 11.0;
    g->leading = g->body * 1.35;
    g->measure = g->body * (small ? 30.0 : 34.0);
    if (g->measure > W * 0.78) g->measure = W * 0.78;
    double side = W - g->measure;
    if (print) {
        g->inner = side * 0.4;
        g->outer = side * 0.6;
    } else {
        g->inner = g->outer = side / 2;
    }
    g->top = H * 0.095;
    double bottom = H * 0.115;
    int lines = (int)floor((H - g->top - bottom) / g->leading);
    g->height = lines * g->leading;
}

void oc_layout_text_area(const char *paper, int print, size_t phys, double *left, double *right,
                         double *top, double *bottom) {
    double W = 0, H = 0;
    oc_paper_size(paper, &W, &H);
    geometry g;
    make_geometry(&g, W, H, print);
    double L = phys % 2 == 0 ? g.inner : g.outer;
    if (left) *left = L;
    if (right) *right = L + g.measure;
    if (top) *top = H - g.top;
    if (bottom) *bottom = H - g.top - g.height;
}

typedef struct {
    const oc_document *doc;
    const oc_layout_options *opt;
    const oc_fontset *fonts;
    oc_layout *out;
    geometry g;
    oc_blocks *b;
    oc_page *pages; /* heap while assembling */
    size_t npages, cap;
    oc_itemvec cur; /* the page being assembled */
    oc_bookmark *marks;
    size_t nmarks, capmarks;
    size_t note_i; /* the footnote stream: next note and line to draw */
    int note_line;
    /* streaming (opt->sink): a dry assembly first collects the named
     * destinations only, then the real one hands each page to the sink */
    const oc_page_sink *sink;
    struct oc_para_bufs *bufs; /* this thread's: their shaper goes with each page */
    int dry;
    oc_layout_dest *dests;
    size_t ndests, capdests;
    oc_status sink_st; /* the first failure the sink returned */
    /* the running head last fitted to the measure, and its width: a chapter
     * shows the same head on every page */
    const char *head_src, *head_fit;
    double head_w;
} assembler;

static double left_margin(const assembler *as, size_t phys) {
    return phys % 2 == 0 ? as->g.inner : as->g.outer;
}

static double area_top(const assembler *as) {
    return as->g.H - as->g.top;
}

static void end_page(assembler *as, oc_label_style label, int number) {
    if (as->npages == as->cap) {
        as->cap = as->cap ? as->cap * 2 : 64;
        as->pages = oc_xrealloc(as->pages, as->cap * sizeof *as->pages);
    }
    oc_page *p = &as->pages[as->npages++];
    memset(p, 0, sizeof *p);
    p->label = label;
    p->number = number;
    p->structs = as->out->structs;
    p->nstructs = as->out->nstructs;
    if (as->dry) {
        for (size_t i = 0; i < as->cur.n; i++) {
            const oc_item *it = &as->cur.v[i];
            if (it->kind != OC_ITEM_DEST || !it->dest) continue;
            if (as->ndests == as->capdests) {
                as->capdests = as->capdests ? as->capdests * 2 : 256;
                as->dests = oc_xrealloc(as->dests, as->capdests * sizeof *as->dests);
            }
            as->dests[as->ndests++] = (oc_layout_dest){it->dest, as->npages - 1, it->x, it->y};
        }
    } else if (as->sink) {
        oc_page drawn = *p;
        drawn.shaper = oc_para_bufs_shaper(as->bufs);
        drawn.items = as->cur.v;
        drawn.nitems = drawn.cap = as->cur.n;
        if (as->sink_st == OC_OK)
            as->sink_st = as->sink->page(as->sink->user, as->npages - 1, &drawn);
    } else {
        p->nitems = p->cap = as->cur.n;
        p->items = oc_arena_alloc(&as->out->arena, (as->cur.n ? as->cur.n : 1) * sizeof(oc_item));
        if (as->cur.n) memcpy(p->items, as->cur.v, as->cur.n * sizeof(oc_item));
    }
    as->cur.n = 0;
}

static void add_mark(assembler *as, int level, const char *title, const char *dest, size_t page) {
    if (as->nmarks == as->capmarks) {
        as->capmarks = as->capmarks ? as->capmarks * 2 : 64;
        as->marks = oc_xrealloc(as->marks, as->capmarks * sizeof *as->marks);
    }
    oc_bookmark *m = &as->marks[as->nmarks++];
    m->level = level;
    m->title = title ? title : "";
    m->dest = dest;
    m->page = (int)page;
}

static void text_at(assembler *as, oc_font_id f, double size, double x, double y, const char *s,
                    oc_color color) {
    oc_item t = oc_item_at(OC_ITEM_TEXT, x, y, 0, 0);
    t.font = f;
    t.size = size;
    t.color = color;
    t.text = oc_arena_strdup(&as->out->arena, s);
    t.len = strlen(s);
    t.w = oc_para_text_width(as->b->para, f, size, s, t.len);
    t.sref = OC_SREF_PAGINATION; /* running heads and folios */
    oc_itemvec_push(&as->cur, &t);
}

typedef struct {
    assembler *as;
    double size, x, y;
    oc_color color;
} furniture_line;

static void furniture_emit(void *ud, oc_font_id f, const char *s, size_t len, double dx, double w) {
    furniture_line *fl = ud;
    (void)w;
    text_at(fl->as, f, fl->size, fl->x + dx, fl->y, oc_arena_strndup(&fl->as->out->arena, s, len),
            fl->color);
}

/* Width of a line of furniture text (running heads) with font fallback, and,
 * when draw is set, its items: one TEXT item per stretch in one font. */
static double furniture_text(assembler *as, oc_font_id f, double size, double x, double y,
                             const char *s, oc_color color, int draw) {
    furniture_line fl = {as, size, x, y, color};
    return oc_text_by_font(as->fonts, as->b->para, f, size, s, strlen(s),
                           draw ? furniture_emit : NULL, &fl);
}

static void roman(int n, char *out, size_t cap) {
    static const struct {
        int v;
        const char *s;
    } r[] = {{1000, "m"}, {900, "cm"}, {500, "d"}, {400, "cd"}, {100, "c"}, {90, "xc"}, {50, "l"},
             {40, "xl"},  {10, "x"},   {9, "ix"},  {5, "v"},    {4, "iv"},  {1, "i"}};
    size_t k = 0;
    out[0] = 0;
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++) {
        while (n >= r[i].v && k + 3 < cap) {
            size_t l = strlen(r[i].s);
            memcpy(out + k, r[i].s, l);
            k += l;
            out[k] = 0;
            n -= r[i].v;
        }
    }
}

static void label_text(oc_label_style st, int n, char *out, size_t cap) {
    if (st == OC_LABEL_ROMAN)
        roman(n, out, cap);
    else
        snprintf(out, cap, "%d", n);
}

/* Truncates a running head to the measure (whole words, with an ellipsis).
 * The widths of the word-boundary prefixes only grow, so the longest one
 * that fits is found by bisection: a heading of 100 KB is measured a few
 * times, not once per word. */
static const char *fit_head(assembler *as, oc_font_id f, double size, const char *s, double max) {
    size_t len = strlen(s);
    if (furniture_text(as, f, size, 0, 0, s, as->b->text, 0) <= max) return s;
    /* cut points: the ends of the words, before the spaces that follow them */
    size_t ncuts = 0;
    size_t *cuts = oc_xmalloc((len + 1) * sizeof *cuts);
    for (size_t i = 1; i <= len; i++)
        if (s[i - 1] != ' ' && (i == len || s[i] == ' ')) cuts[ncuts++] = i;
    const char *best = "";
    size_t lo = 0, hi = ncuts; /* cuts[0 .. lo) fit; cuts[hi ..) do not */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        char *t = oc_arena_printf(&as->out->arena, "%.*s\xE2\x80\xA6", (int)cuts[mid], s);
        if (furniture_text(as, f, size, 0, 0, t, as->b->text, 0) <= max) {
            best = t;
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    free(cuts);
    return best;
}

/* Running head (unless suppressed) and folio of a page. */
static void furniture(assembler *as, size_t phys, const char *head, int show_folio,
                      oc_label_style label, int number) {
    if (as->dry) return;
    double L = left_margin(as, phys), M = as->g.measure, top = area_top(as);
    double size = as->g.body * 0.82;
    oc_color ink = as->b->text;
    int recto = phys % 2 == 0;
    if (head && *head) {
        double y = top + as->g.leading * 1.9;
        if (head != as->head_src) {
            as->head_src = head;
            as->head_fit = fit_head(as, OC_FONT_SERIF_ITALIC, size, head, M * 0.8);
            as->head_w = furniture_text(as, OC_FONT_SERIF_ITALIC, size, 0, 0, as->head_fit, ink, 0);
        }
        const char *h = as->head_fit;
        double w = as->head_w;
        double x;
        if (as->opt->print)
            x = recto ? L + M - w : L;
        else
            x = L + (M - w) / 2;
        furniture_text(as, OC_FONT_SERIF_ITALIC, size, x, y, h, ink, 1);
        oc_item r = oc_item_at(OC_ITEM_RULE, L, y - size * 0.55, M, 0);
        r.size = 0.4;
        r.color = ink;
        oc_itemvec_push(&as->cur, &r);
    }
    if (show_folio) {
        char num[32];
        label_text(label, number, num, sizeof num);
        double w = oc_para_text_width(as->b->para, OC_FONT_SERIF, size * 1.05, num, strlen(num));
        double y = top - as->g.height - as->g.leading * 2.2;
        double x;
        if (as->opt->print)
            x = recto ? L + M - w : L;
        else
            x = L + (M - w) / 2;
        text_at(as, OC_FONT_SERIF, size * 1.05, x, y, num, ink);
    }
}

/* Puts a paginated flow onto pages starting at physical index `phys0`. */
static void place_flow(assembler *as, oc_flow *f, const oc_pg_result *r, oc_label_style label,
                       int number0, const char *front_head, const size_t *page_of_mark_out_unused) {
    (void)page_of_mark_out_unused;
    size_t k = 0;
    int chapter = -1;
    /* a chapter's items are freed once its last page is drawn */
    int *last = NULL;
    size_t free_next = 0, text_next = 0;
    if (f->nchunks && !as->dry) {
        last = oc_xmalloc(f->nchunks * sizeof *last);
        for (size_t c = 0; c < f->nchunks; c++)
            last[c] = -1;
        for (size_t q = 0; q < r->nplaces; q++) {
            int c = f->info[r->places[q].elem].chapter;
            if (c >= 0 && (size_t)c < f->nchunks && r->places[q].page > last[c])
                last[c] = r->places[q].page;
        }
    }
    for (int pg = 0; pg < r->npages; pg++) {
        size_t phys = as->npages;
        double L = left_margin(as, phys), top = area_top(as);
        int first_chapter = -1;
        size_t last_rect = (size_t)-1;
        for (; k < r->nplaces && r->places[k].page == pg; k++) {
            const oc_pg_place *pl = &r->places[k];
            const oc_flow_info *in = &f->info[pl->elem];
            if (first_chapter < 0) first_chapter = in->chapter;
            if (!pl->copy && in->chapter >= 0) chapter = in->chapter;
            for (size_t i = 0; i < in->nitems; i++) {
                oc_item it = in->items ? in->items[i] : f->items.v[in->item0 + i];
                if (pl->copy && it.kind == OC_ITEM_DEST) continue;
                if (as->dry && it.kind != OC_ITEM_DEST) continue;
                /* a repeated table header is an artifact; a link in it
                 * stays tied to the header's Link element */
                if (pl->copy && it.kind != OC_ITEM_LINK) it.sref = OC_SREF_ARTIFACT;
                it.x += L;
                it.y += top - pl->y;
                /* a tint continuing the one of the line above (code blocks)
                 * extends it: one rectangle, no seams between lines */
                if (it.kind == OC_ITEM_RECT && last_rect != (size_t)-1) {
                    oc_item *pr = &as->cur.v[last_rect];
                    if (fabs(pr->x - it.x) < 0.01 && fabs(pr->w - it.w) < 0.01 &&
                        oc_color_eq(pr->color, it.color) && fabs(pr->y - (it.y + it.h)) < 0.6) {
                        pr->h = pr->y + pr->h - it.y;
                        pr->y = it.y;
                        continue;
                    }
                }
                oc_itemvec_push(&as->cur, &it);
                if (it.kind == OC_ITEM_RECT) last_rect = as->cur.n - 1;
            }
        }
        if (first_chapter < 0) first_chapter = chapter;
        /* footnotes at the foot, under a short rule: notes are one stream
         * of lines in citation order, r->notes[pg] of it on this page */
        if (r->notes[pg] > 0 && as->b->note_lead > 0) {
            double lead = as->b->note_lead, bottom = top - as->g.height;
            double y = bottom + r->notes[pg];
            oc_item rule =
                oc_item_at(OC_ITEM_RULE, L, y + as->g.leading * 0.55, as->g.measure * 0.25, 0);
            rule.size = 0.4;
            rule.color = as->b->text;
            oc_itemvec_push(&as->cur, &rule);
            int lines = (int)lround(r->notes[pg] / lead);
            while (lines > 0 && as->note_i < f->nnotes) {
                const oc_flow_note *fn = &f->notes[as->note_i];
                int take = fn->nlines - as->note_line;
                if (take > lines) take = lines;
                for (size_t i = 0; i < fn->nitems; i++) {
                    if (fn->line[i] < as->note_line || fn->line[i] >= as->note_line + take)
                        continue;
                    oc_item it = fn->items[i];
                    if (as->dry && it.kind != OC_ITEM_DEST) continue;
                    it.x += L;
                    it.y += y + as->note_line * lead;
                    oc_itemvec_push(&as->cur, &it);
                }
                y -= take * lead;
                lines -= take;
                as->note_line += take;
                if (as->note_line >= fn->nlines) {
                    as->note_i++;
                    as->note_line = 0;
                }
            }
        }
        int number = number0 + pg;
        if (r->blank[pg]) {
            end_page(as, label, number);
            continue;
        }
        const char *head = NULL;
        if (!r->opening[pg]) {
            const char *chap = front_head;
            if (!chap && first_chapter >= 0 && first_chapter < as->doc->nchapters)
                chap = oc_chapter_label(&as->out->arena, &as->doc->chapters[first_chapter]);
            if (as->opt->print && phys % 2 == 1)
                head = as->doc->meta.title ? as->doc->meta.title : chap;
            else
                head = chap;
        }
        furniture(as, phys, head, 1, label, number);
        end_page(as, label, number);
        for (; last && free_next < f->nchunks && last[free_next] <= pg; free_next++) {
            free(f->chunks[free_next]);
            f->chunks[free_next] = NULL;
        }
        /* its text too once its notes are drawn, if the pages went to a
         * sink (otherwise the layout's pages keep items pointing at it) */
        for (;
             as->sink && f->texts && text_next < free_next && as->note_i >= f->note_end[text_next];
             text_next++)
            oc_arena_free(&f->texts[text_next]);
    }
    free(last);
}

/* ---- front matter ---------------------------------------------------------- */

static oc_node *synthetic_para(oc_arena *a, const char *text) {
    oc_node *p = oc_arena_alloc(a, sizeof *p);
    oc_node *t = oc_arena_alloc(a, sizeof *t);
    p->type = OC_PARAGRAPH;
    p->first = p->last = t;
    t->type = OC_TEXT;
    t->parent = p;
    t->text = text;
    t->len = strlen(text);
    return p;
}

/* Centred lines of `text`; returns the y below the last line. */
static double centred(assembler *as, const char *text, oc_font_id f, double size, double y) {
    double lead = size * 1.25;
    if (as->dry) return y; /* draws no destination */
    oc_para_style st = oc_blocks_style(as->b, f, size, lead, 0);
    st.align = OC_ALIGN_CENTER;
    st.color = as->b->text;
    oc_para p;
    memset(&p, 0, sizeof p);
    if (oc_para_layout(as->b->para, synthetic_para(&as->out->arena, text), &st, as->g.measure,
                       &p) != OC_OK)
        return y;
    double L = left_margin(as, as->npages);
    for (int l = 0; l < p.nlines; l++) {
        /* centre by the set width (whatever the breaker's alignment did) */
        double x0 = L + (as->g.measure - p.lines[l].width) / 2;
        if (p.lines[l].nruns > 0) x0 -= p.lines[l].runs[0].x;
        y -= lead;
        oc_blocks_runs(as->b, &as->cur, &p.lines[l], x0, y, 0);
    }
    return y;
}

/* The title page's next element (its lines' text goes to it): the title an
 * H1, the rest paragraphs, before the contents and the chapters. */
static void title_se(assembler *as, oc_se_type type) {
    as->b->sblock = 0; /* no links or notes on the title page */
    if (as->dry) return;
    as->b->sref = oc_layout_se(as->out, type, OC_SREF_DOCUMENT, 0);
    if (type == OC_SE_H) as->out->structs[as->b->sref].level = 1;
}

static void title_page(assembler *as) {
    const oc_meta *m = &as->doc->meta;
    double top = area_top(as);
    double y = top - as->g.height * 0.2;
    oc_item d = oc_item_at(OC_ITEM_DEST, left_margin(as, as->npages), top, 0, 0);
    d.dest = "octavo-title";
    oc_itemvec_push(&as->cur, &d);
    title_se(as, OC_SE_H);
    y = centred(as, m->title ? m->title : "Untitled", OC_FONT_SERIF_BOLD, as->g.body * 2.4, y);
    title_se(as, OC_SE_P);
    if (m->subtitle && *m->subtitle)
        y = centred(as, m->subtitle, OC_FONT_SERIF_ITALIC, as->g.body * 1.4, y - as->g.leading);
    if (m->selection && *m->selection)
        y = centred(as, m->selection, OC_FONT_SERIF, as->g.body * 1.15, y - as->g.leading * 1.5);
    y -= as->g.leading * 3;
    for (int i = 0; i < m->nauthors; i++) {
        title_se(as, OC_SE_P);
        y = centred(as, m->authors[i], OC_FONT_SERIF, as->g.body * 1.25, y - as->g.leading * 0.2);
    }
    title_se(as, OC_SE_P);
    if (m->date && *m->date)
        centred(as, m->date, OC_FONT_SERIF, as->g.body, top - as->g.height + as->g.leading * 2);
    as->b->sref = 0;
    add_mark(as, 0, m->title ? m->title : "Title", "octavo-title", as->npages);
    end_page(as, OC_LABEL_ROMAN, (int)as->npages + 1);
}

/* The contents as a flow: an opening and one entry per chapter and h2. */
static void contents_flow(assembler *as, const oc_flow *body, const oc_pg_result *br, oc_flow *cf) {
    oc_blocks *b = as->b;
    oc_flow *saved = b->flow;
    b->flow = cf;
    b->chapter = -1;
    b->space = 0;
    b->indent = 0;
    b->quote_depth = 0;
    b->marker = NULL;
    b->nnote_seen = 0;

    /* page of each body element */
    int *page = oc_xmalloc((body->n ? body->n : 1) * sizeof(int));
    for (size_t k = 0; k < br->nplaces; k++)
        if (!br->places[k].copy) page[br->places[k].elem] = br->places[k].page;

    /* structure: an H1 "Contents", then the TOC, a TOCI per entry holding
     * the Link that is the whole entry (the leaders are artifacts) */
    b->sblock = 0;
    uint32_t h = oc_blocks_se(b, OC_SE_H, OC_SREF_DOCUMENT, NULL);
    cf->se[h - OC_SREF_FIRST].level = 1;
    uint32_t toc = oc_blocks_se(b, OC_SE_TOC, OC_SREF_DOCUMENT, NULL);
    size_t e = oc_blocks_elem(b, as->g.height * 0.16, OC_PG_OPENING | OC_PG_KEEP_NEXT);
    oc_item d = oc_item_at(OC_ITEM_DEST, 0, 0, 0, 0);
    d.dest = "octavo-contents";
    oc_flow_item(cf, &d);
    (void)e;
    double tsize = b->body * 2.0, tlead = tsize * 1.2;
    e = oc_blocks_elem(b, tlead, OC_PG_KEEP_NEXT);
    oc_item t = oc_item_at(OC_ITEM_TEXT, 0, -oc_blocks_base(tsize, tlead), 0, 0);
    t.font = OC_FONT_SERIF_BOLD;
    t.size = tsize;
    t.color = b->text;
    t.sref = h;
    const char *title = oc_labels_for(as->doc->meta.language)->contents;
    oc_blocks_text(b, &t, title, strlen(title));
    b->space = b->leading * 2;

    double size = b->body, lead = b->leading;
    double numcol = oc_para_text_width(as->b->para, OC_FONT_SERIF, size, "000", 3);
    double dot = size * 0.45;
    double dotw = oc_para_text_width(as->b->para, OC_FONT_SERIF, size, ".", 1);
    double spacew = oc_para_text_width(as->b->para, OC_FONT_SERIF, size, " ", 1);
    /* A book with a structure of its own (mdBook's SUMMARY.md) lists its
     * chapters only, nested as it nests them, under their part titles;
     * other books list each chapter and its sections. */
    const oc_document *doc = as->doc;
    int structured = oc_doc_structured(doc), in_part = 0;
    for (size_t i = 0, part_done = (size_t)-1; i < body->nmarks; i++) {
        const oc_flow_mark *m = &body->marks[i];
        if (m->level > (structured ? 0 : 1)) continue;
        int chap = m->level == 0;
        const oc_chapter *ch = chap && m->chapter >= 0 && m->chapter < doc->nchapters
                                   ? &doc->chapters[m->chapter]
                                   : NULL;
        int depth = 0, part_line = 0;
        if (structured && ch) {
            if (!ch->number) in_part = 0;
            if (ch->part && part_done != i) {
                part_line = 1; /* this mark again, once for its part title */
                part_done = i;
                in_part = 1;
                i--;
            }
            depth = part_line ? 0 : in_part + ch->level;
        }
        double indent = chap ? depth * b->body * 1.8 : b->body * 1.8;
        if (chap && depth == 0) b->space = b->leading * (part_line ? 1.2 : 0.7);
        const char *num = m->number && *m->number ? m->number : NULL;
        if (part_line) num = NULL;
        oc_font_id font = chap && depth == 0 ? OC_FONT_SERIF_BOLD : OC_FONT_SERIF;
        double numw = 0;
        if (num) numw = oc_para_text_width(as->b->para, font, size, num, strlen(num)) + size * 0.6;
        oc_para_style st = oc_blocks_style(b, font, size, lead, 0);
        st.link_color = b->text;
        st.align = OC_ALIGN_LEFT; /* entries line up on the left, whatever their script */
        oc_para p;
        memset(&p, 0, sizeof p);
        const oc_node *src = part_line ? synthetic_para(&as->out->arena, ch->part)
                             : m->node ? m->node
                                       : synthetic_para(&as->out->arena, m->title);
        double avail = as->g.measure - indent - numw - numcol - size * 1.5;
        if (oc_para_layout(b->para, src, &st, avail, &p) != OC_OK || p.nlines == 0) continue;
        int pg = page[m->elem] + 1;
        char pnum[32];
        snprintf(pnum, sizeof pnum, "%d", pg);
        size_t first = cf->n;
        uint32_t toci = oc_blocks_se(b, OC_SE_TOCI, toc, m->node);
        uint32_t link = b->sref = oc_blocks_se(b, OC_SE_LINK, toci, NULL);
        for (int l = 0; l < p.nlines; l++) {
            size_t el = oc_blocks_elem(b, lead, 0);
            double base = -oc_blocks_base(size, lead);
            double x0 = indent + numw;
            if (l == 0 && num) {
                oc_item nt = oc_item_at(OC_ITEM_TEXT, indent, base, numw - size * 0.6, 0);
                nt.font = font;
                nt.size = size;
                nt.color = b->text;
                nt.text = num;
                nt.len = strlen(num);
                nt.sref = link;
                oc_flow_item(cf, &nt);
            }
            /* the title's runs, without links or note markers */
            oc_line ln = p.lines[l];
            oc_run *runs =
                oc_arena_alloc(&as->out->arena, (size_t)(ln.nruns ? ln.nruns : 1) * sizeof *runs);
            int nr = 0;
            for (int r = 0; r < ln.nruns; r++) {
                if (ln.runs[r].noteref || (ln.runs[r].flags & OC_RUN_SUPER)) continue;
                runs[nr] = ln.runs[r];
                runs[nr].uri = NULL;
                runs[nr].dest = NULL;
                runs[nr].color = b->text;
                nr++;
            }
            ln.runs = runs;
            ln.nruns = nr;
            double end = x0;
            for (int r = 0; r < nr; r++)
                if (x0 + runs[r].x + runs[r].width > end) end = x0 + runs[r].x + runs[r].width;
            oc_itemvec v = {0};
            oc_blocks_runs(b, &v, &ln, x0, base, 0);
            for (size_t q = 0; q < v.n; q++)
                oc_flow_item(cf, &v.v[q]);
            free(v.v);
            if (l == p.nlines - 1 && !part_line) {
                double pw = oc_para_text_width(as->b->para, font, size, pnum, strlen(pnum));
                double right = as->g.measure;
                oc_item pt = oc_item_at(OC_ITEM_TEXT, right - pw, base, pw, 0);
                pt.font = font;
                pt.size = size;
                pt.color = b->text;
                pt.text = oc_arena_strdup(&as->out->arena, pnum);
                pt.len = strlen(pnum);
                pt.sref = link;
                oc_flow_item(cf, &pt);
                /* dot leaders on a common grid so the dots line up: one
                 * run ". . ." whose spaces are set to the grid's step */
                double from = end + size * 0.35, to = right - numcol - size * 0.3;
                if (to > right - pw - size * 0.6) to = right - pw - size * 0.6;
                double x = ceil(from / dot) * dot;
                size_t ndots = x + dotw <= to ? (size_t)floor((to - dotw - x) / dot) + 1 : 0;
                if (ndots > 0) {
                    char *dots = oc_arena_alloc(&as->out->arena, 2 * ndots);
                    for (size_t k = 0; k < ndots; k++) {
                        dots[2 * k] = '.';
                        dots[2 * k + 1] = ' ';
                    }
                    dots[2 * ndots - 1] = '\0';
                    oc_item dt =
                        oc_item_at(OC_ITEM_TEXT, x, base, (double)(ndots - 1) * dot + dotw, 0);
                    dt.font = OC_FONT_SERIF;
                    dt.size = size;
                    dt.color = b->text;
                    dt.text = dots;
                    dt.len = (uint32_t)(2 * ndots - 1);
                    dt.ws = (float)(dot - dotw - spacew);
                    oc_flow_item(cf, &dt);
                }
            }
            /* the whole entry is a link to the heading */
            oc_item lk = oc_item_at(OC_ITEM_LINK, indent, -lead, as->g.measure - indent, lead);
            lk.dest = m->dest;
            lk.sref = link;
            oc_flow_item(cf, &lk);
            (void)el;
        }
        oc_pg_keep_block(cf->pe, first, cf->n - first);
        /* a chapter entry stays with its first section, a part title with its chapter */
        if ((chap || part_line) && cf->n > first) cf->pe[cf->n - 1].flags |= OC_PG_KEEP_NEXT;
    }
    if (cf->n > 0) cf->pe[cf->n - 1].flags &= ~OC_PG_KEEP_NEXT;
    free(page);
    b->sref = 0;
    oc_flow_structs_rebase(cf, as->out, 1);
    b->flow = saved;
}

/* ---- chapters on two cores ------------------------------------------------- */

/* Chapters are independent until pagination: each is laid out into a flow
 * of its own, with a diagnostics sink of its own, by whichever thread takes
 * it next; the main thread then appends the flows and replays the sinks in
 * chapter order. Both runs (one thread or two) take the same path, so the
 * output and the messages cannot depend on the scheduling. Characters no
 * font has are warned once per script and chapter (oc_para_ctx.missing,
 * reset for each chapter), so chapters share no warning state.
 * OCTAVO_THREADS=1 (read here only) keeps it on one thread. */
typedef struct {
    oc_blocks b; /* a copy of the main thread's, with its own: */
    oc_para_ctx pc;
    oc_arena scratch;
    oc_hyphen *hy; /* the word cache serves one thread */
} helper_lane;

typedef struct {
    const oc_document *doc;
    oc_flow *flows;
    oc_diag *diags;
    oc_arena *texts; /* each chapter's runs' text: the body's texts */
    unsigned char *done;
    int next;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    oc_blocks *helper;
} chapter_queue;

int oc_layout_threads(void) {
    const char *s = getenv("OCTAVO_THREADS");
    return s && s[0] == '1' && s[1] == '\0' ? 1 : 2;
}

static void lay_out_chapter(oc_blocks *b, chapter_queue *q, int c) {
    b->flow = &q->flows[c];
    b->para->diag = &q->diags[c];
    b->para->missing_file = NULL;
    b->para->nmissing = 0;
    oc_arena *text = b->para->arena; /* the chapter's runs' text goes apart */
    b->para->arena = &q->texts[c];
    /* The second thread's chapters live until their pages are drawn, on
     * the main thread, which frees them: their text in mapped chunks, given
     * back to the system then, and their items copied by append_flow.
     * Memory the second thread took from malloc would go back to its own
     * heap, where the PDF writer's objects made as the pages are drawn
     * could not use it (30 MB more at the peak of a 10,075-page book). */
    if (b == q->helper) oc_arena_map(&q->texts[c]);
    oc_blocks_chapter(b, &q->doc->chapters[c]);
    b->para->arena = text;
    pthread_mutex_lock(&q->mu);
    q->done[c] = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

static void *helper_main(void *arg) {
    chapter_queue *q = arg;
    oc_thread_name("oc-layout");
    for (;;) {
        pthread_mutex_lock(&q->mu);
        int c = q->next < q->doc->nchapters ? q->next++ : -1;
        pthread_mutex_unlock(&q->mu);
        if (c < 0) break;
        lay_out_chapter(q->helper, q, c);
    }
    return NULL;
}

/* Appends chapter flow `ch` (chapter index `c`) to `body`: elements, notes
 * and marks copied with their indexes shifted, the items taken over as the
 * chapter's chunk. */
static void append_flow(oc_flow *body, oc_flow *ch, int c) {
    size_t e0 = body->n, n0 = body->nnotes;
    /* the chunk lives until its pages are drawn: no slack from doubling,
     * and taken from this thread's heap when the second thread laid the
     * chapter out (its text is mapped then: see lay_out_chapter) */
    if (ch->items.n && body->texts[c].mapped) {
        oc_item *own = oc_xmalloc(ch->items.n * sizeof *own);
        memcpy(own, ch->items.v, ch->items.n * sizeof *own);
        free(ch->items.v);
        ch->items.v = own;
    } else if (ch->items.n && ch->items.n < ch->items.cap) {
        ch->items.v = oc_xrealloc(ch->items.v, ch->items.n * sizeof *ch->items.v);
    }
    body->chunks[c] = ch->items.v;
    ch->items.v = NULL;
    if (body->n + ch->n > body->cap) {
        while (body->n + ch->n > body->cap)
            body->cap = body->cap ? body->cap * 2 : 1024;
        body->pe = oc_xrealloc(body->pe, body->cap * sizeof *body->pe);
        body->info = oc_xrealloc(body->info, body->cap * sizeof *body->info);
    }
    for (size_t k = 0; k < ch->n; k++) {
        oc_pg_elem e = ch->pe[k];
        if (e.repeat >= 0) e.repeat += (int)e0;
        body->pe[body->n] = e;
        oc_flow_info in = ch->info[k];
        in.items = body->chunks[c] ? body->chunks[c] + in.item0 : NULL;
        in.note0 += n0;
        body->info[body->n++] = in;
    }
    for (size_t k = 0; k < ch->nnotes; k++) {
        if (body->nnotes == body->capnotes) {
            body->capnotes = body->capnotes ? body->capnotes * 2 : 64;
            body->notes = oc_xrealloc(body->notes, body->capnotes * sizeof *body->notes);
        }
        body->notes[body->nnotes++] = ch->notes[k];
    }
    body->note_end[c] = body->nnotes;
    for (size_t k = 0; k < ch->nmarks; k++) {
        oc_flow_mark m = ch->marks[k];
        m.elem += e0;
        oc_flow_mark_add(body, &m);
    }
}

/* Replays a chapter's messages; a character no font has is reported once
 * per book (`seen`: the characters warned about so far), as one thread would. */
static void replay(oc_diag *into, const oc_diag *from, oc_cpset *seen) {
    static const char missing[] = "' is not in any bundled font";
    for (size_t i = 0; i < from->count; i++) {
        const oc_diagnostic *d = &from->items[i];
        if (strncmp(d->message, "U+", 2) == 0 && strstr(d->message, missing)) {
            unsigned long cp = strtoul(d->message + 2, NULL, 16);
            if (cp < 0x110000 && !oc_cpset_add(seen, (uint32_t)cp)) continue;
        }
        oc_diag_report(into, d->severity, d->file, d->line, d->column, "%s", d->message);
    }
}

/* Lays out every chapter into `body` with `b` (and a second thread, whose
 * working arrays and shaper end in *helper_bufs, replacing what was there:
 * see oc_shaper_set_peer). */
static void lay_out_chapters(oc_blocks *b, oc_layout *out, const oc_document *doc, oc_diag *diag,
                             const oc_hyphen_patterns *patterns, oc_flow *body,
                             struct oc_para_bufs **helper_bufs) {
    int n = doc->nchapters;
    chapter_queue q;
    memset(&q, 0, sizeof q);
    q.doc = doc;
    q.flows = oc_xcalloc(n > 0 ? (size_t)n : 1, sizeof *q.flows);
    q.diags = oc_xcalloc(n > 0 ? (size_t)n : 1, sizeof *q.diags);
    q.done = oc_xcalloc(n > 0 ? (size_t)n : 1, 1);
    for (int c = 0; c < n; c++)
        oc_diag_init(&q.diags[c], NULL);
    pthread_mutex_init(&q.mu, NULL);
    pthread_cond_init(&q.cv, NULL);
    body->chunks = oc_xcalloc(n > 0 ? (size_t)n : 1, sizeof *body->chunks);
    body->texts = oc_xcalloc(n > 0 ? (size_t)n : 1, sizeof *body->texts);
    body->note_end = oc_xcalloc(n > 0 ? (size_t)n : 1, sizeof *body->note_end);
    body->nchunks = (size_t)n;
    for (int c = 0; c < n; c++) /* each written by the thread laying chapter c out */
        oc_arena_init_small(&body->texts[c]);
    q.texts = body->texts;
    /* each thread keeps its own set; `seen` is the book's, kept by replay */
    oc_cpset *seen = b->para->warned, own = {0}, helper_own = {0};
    b->para->warned = &own;

    helper_lane helper;
    pthread_t thread;
    int threaded = 0;
    if (n > 1 && oc_layout_threads() > 1) {
        helper.b = *b;
        helper.pc = *b->para;
        oc_arena_init(&helper.scratch);
        helper.b.arena = &out->helper_arena;
        helper.b.para = &helper.pc;
        helper.pc.arena = &out->helper_arena;
        helper.pc.scratch = &helper.scratch;
        helper.pc.warned = &helper_own;
        helper.hy = oc_hyphen_new(patterns); /* same patterns, its own word cache */
        helper.pc.bufs = oc_para_bufs_new(); /* and its own working arrays */
        helper.pc.hyphen = helper.hy;
        q.helper = &helper.b;
        threaded = pthread_create(&thread, NULL, helper_main, &q) == 0;
        if (!threaded) {
            if (helper.hy) oc_hyphen_free(helper.hy);
            oc_para_bufs_free(helper.pc.bufs);
            oc_arena_free(&helper.scratch);
        }
    }
    for (int k = 0; k < n; k++) {
        pthread_mutex_lock(&q.mu);
        while (!q.done[k]) {
            if (q.next < n) {
                int c = q.next++;
                pthread_mutex_unlock(&q.mu);
                lay_out_chapter(b, &q, c);
                pthread_mutex_lock(&q.mu);
            } else {
                pthread_cond_wait(&q.cv, &q.mu);
            }
        }
        pthread_mutex_unlock(&q.mu);
        oc_flow_structs_rebase(&q.flows[k], out, 2);
        append_flow(body, &q.flows[k], k);
        oc_flow_free(&q.flows[k]);
        replay(diag, &q.diags[k], seen);
        oc_diag_free(&q.diags[k]);
    }
    /* element arrays grew by doubling and live until the pages are drawn */
    if (body->n && body->n < body->cap) {
        body->cap = body->n;
        body->pe = oc_xrealloc(body->pe, body->cap * sizeof *body->pe);
        body->info = oc_xrealloc(body->info, body->cap * sizeof *body->info);
    }
    if (threaded) {
        pthread_join(thread, NULL);
        b->para->refs_used += helper.pc.refs_used;
        if (helper.hy) oc_hyphen_free(helper.hy);
        oc_para_bufs_free(*helper_bufs);
        *helper_bufs = helper.pc.bufs;
        oc_arena_free(&helper.scratch);
    }
    pthread_mutex_destroy(&q.mu);
    pthread_cond_destroy(&q.cv);
    free(q.flows);
    free(q.diags);
    free(q.done);
    oc_cpset_free(&own);
    oc_cpset_free(&helper_own);
    /* the front matter after warns only about characters the body did not */
    b->para->warned = seen;
    b->para->diag = diag;
    b->flow = body;
}

/* Passes of the body's layout before the numbers are padded (see below). */
#define OC_REF_PASSES 4

/* ---- page references (print): " (p. N)" after internal links -------------- */

/* Destination name -> body page, for the page numbers of cross-references:
 * an open-addressing table of the names placed on body pages. */
typedef struct {
    const char *name;
    int page;       /* 1-based body page (arabic) */
    char label[16]; /* its number as printed */
} ref_slot;

typedef struct {
    ref_slot *v;
    size_t cap, n;
} ref_table;

static ref_slot *ref_find(const ref_table *t, const char *name) {
    if (!t->cap || !name) return NULL;
    for (size_t i = oc_fnv1a_str(name, OC_FNV_OFFSET) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
        if (!t->v[i].name) return NULL;
        if (strcmp(t->v[i].name, name) == 0) return &t->v[i];
    }
}

/* Adds name at page unless it is there (the first placement wins). */
static void ref_add(ref_table *t, const char *name, int page) {
    if (!name || ref_find(t, name)) return;
    if ((t->n + 1) * 2 > t->cap) {
        ref_table g = {oc_xcalloc(t->cap ? t->cap * 2 : 256, sizeof(ref_slot)),
                       t->cap ? t->cap * 2 : 256, 0};
        for (size_t i = 0; i < t->cap; i++)
            if (t->v[i].name) ref_add(&g, t->v[i].name, t->v[i].page);
        free(t->v);
        *t = g;
    }
    size_t i = oc_fnv1a_str(name, OC_FNV_OFFSET) & (t->cap - 1);
    while (t->v[i].name)
        i = (i + 1) & (t->cap - 1);
    t->v[i].name = name;
    t->v[i].page = page;
    snprintf(t->v[i].label, sizeof t->v[i].label, "%d", page);
    t->n++;
}

static void ref_free(ref_table *t) {
    free(t->v);
    memset(t, 0, sizeof *t);
}

static const char *ref_label(void *user, const char *dest) {
    const ref_slot *s = ref_find(user, dest);
    return s ? s->label : NULL;
}

/* The page of every destination on the body's pages (names borrowed from
 * the Document and the flow's items, which outlive the table): the page of
 * the element holding it, or citing the footnote holding it. */
static void dest_pages(const oc_flow *body, const oc_pg_result *br, ref_table *t) {
    for (size_t k = 0; k < br->nplaces; k++) {
        const oc_pg_place *pl = &br->places[k];
        if (pl->copy || pl->elem < 0 || (size_t)pl->elem >= body->n) continue;
        const oc_flow_info *in = &body->info[pl->elem];
        const oc_item *items = in->items ? in->items : body->items.v + in->item0;
        for (size_t i = 0; i < in->nitems; i++)
            if (items[i].kind == OC_ITEM_DEST) ref_add(t, items[i].dest, pl->page + 1);
        for (int q = 0; q < in->nnotes; q++) {
            const oc_flow_note *fn = &body->notes[in->note0 + (size_t)q];
            for (size_t i = 0; i < fn->nitems; i++)
                if (fn->items[i].kind == OC_ITEM_DEST) ref_add(t, fn->items[i].dest, pl->page + 1);
        }
    }
}

/* The destinations the book's internal links name (what the paragraphs
 * look up), in a malloc'd array (*n entries). */
static const char **link_dests(const oc_document *doc, size_t *n) {
    size_t cap = 0;
    const char **v = NULL;
    *n = 0;
    for (int c = 0; c < doc->nchapters; c++) {
        const oc_chapter *ch = &doc->chapters[c];
        for (int k = -1; k < ch->nnotes; k++) {
            const oc_node *root = k < 0 ? ch->root : ch->notes ? ch->notes[k] : NULL;
            for (const oc_node *x = root; x; x = oc_node_next(root, x, 1)) {
                if (x->type != OC_LINK || x->link_kind != OC_LINK_INTERNAL) continue;
                const char *d = x->target_id;
                if (!d && x->target_chapter >= 0 && x->target_chapter < doc->nchapters)
                    d = doc->chapters[x->target_chapter].id;
                if (!d) continue;
                if (*n == cap) {
                    cap = cap ? cap * 2 : 64;
                    v = oc_xrealloc(v, cap * sizeof *v);
                }
                v[(*n)++] = d;
            }
        }
    }
    return v;
}

/* 1 when every linked destination has the same page in both tables. */
static int refs_settled(const ref_table *a, const ref_table *b, const char **dests, size_t n) {
    for (size_t i = 0; i < n; i++) {
        const ref_slot *x = ref_find(a, dests[i]), *y = ref_find(b, dests[i]);
        if (!x || !y || x->page != y->page) return 0;
    }
    return 1;
}

static int digits(long n) {
    int d = 1;
    while (n >= 10) {
        n /= 10;
        d++;
    }
    return d;
}

/* ---- where pages start (the EPUB's page-list) ---------------------------- */

/* Fills out->breaks for the pages assembled so far and the body's pages to
 * come (body pages br->npages after physical index body0): a front-matter
 * page starts its part (title page, contents); a body page at the first
 * element (in reading order) placed on it whose start in the Document is
 * known; a page where nothing starts (a blank verso, a page of footnotes
 * only) where the next page starts. Called before the body is placed, so
 * its chunks of items still exist. */
static void page_breaks(assembler *as, const oc_flow *body, const oc_pg_result *br,
                        size_t contents_page, size_t body0) {
    size_t n = body0 + (size_t)br->npages;
    oc_page_break *v = oc_arena_alloc(&as->out->arena, (n ? n : 1) * sizeof *v);
    memset(v, 0, (n ? n : 1) * sizeof *v);
    for (size_t i = 0; i < body0 && i < as->npages; i++) {
        v[i].roman = as->pages[i].label == OC_LABEL_ROMAN;
        v[i].number = as->pages[i].number;
        v[i].chapter = -1;
        v[i].front = i >= contents_page;
    }
    /* the first element placed on each body page, and the page of each */
    size_t ne = body->n ? body->n : 1;
    int *epage = oc_xmalloc(ne * sizeof *epage);
    for (size_t k = 0; k < body->n; k++)
        epage[k] = -1;
    size_t np = br->npages > 0 ? (size_t)br->npages : 1;
    size_t *first = oc_xmalloc(np * sizeof *first);
    for (size_t p = 0; p < np; p++)
        first[p] = (size_t)-1;
    for (size_t k = 0; k < br->nplaces; k++) {
        const oc_pg_place *pl = &br->places[k];
        if (pl->copy || pl->elem < 0 || (size_t)pl->elem >= body->n) continue;
        if (epage[pl->elem] < 0) epage[pl->elem] = pl->page;
        if (first[pl->page] == (size_t)-1 || (size_t)pl->elem < first[pl->page])
            first[pl->page] = (size_t)pl->elem;
    }
    for (int pg = 0; pg < br->npages; pg++) {
        oc_page_break *b = &v[body0 + (size_t)pg];
        b->number = pg + 1;
        b->blank = 1;
        for (size_t e = first[pg]; e < body->n && epage[e] <= pg; e++) {
            const oc_flow_info *in = &body->info[e];
            if (epage[e] != pg || !in->has_src) continue;
            b->blank = 0;
            b->chapter = in->chapter;
            b->node = in->src;
            b->offset = in->src_off;
            break;
        }
        if (br->blank[pg]) b->blank = 1;
    }
    /* a page where nothing starts is marked where the next one starts */
    int last_chapter = as->doc->nchapters - 1;
    for (size_t i = n; i-- > body0;) {
        if (!v[i].blank) continue;
        if (i + 1 < n) {
            v[i].chapter = v[i + 1].chapter;
            v[i].node = v[i + 1].node;
            v[i].offset = v[i + 1].offset;
            v[i].at_end = v[i + 1].at_end;
        } else {
            v[i].chapter = last_chapter;
            v[i].at_end = 1;
        }
    }
    free(first);
    free(epage);
    as->out->breaks = v;
}

/* ---- the driver ---------------------------------------------------------- */

/* Title page, (blank), contents, (blank), body; then the bookmarks. Run
 * twice when streaming (dry, then for real), so it starts from nothing. */
static void assemble(assembler *as, oc_flow *cf, const oc_pg_result *cr, oc_flow *body,
                     const oc_pg_result *br) {
    as->npages = 0;
    as->nmarks = 0;
    as->cur.n = 0;
    as->note_i = 0;
    as->note_line = 0;
    title_page(as);
    if (as->opt->print) end_page(as, OC_LABEL_ROMAN, (int)as->npages + 1);
    size_t contents_page = as->npages;
    const char *contents = oc_labels_for(as->doc->meta.language)->contents;
    place_flow(as, cf, cr, OC_LABEL_ROMAN, (int)as->npages + 1, contents, NULL);
    add_mark(as, 0, contents, "octavo-contents", contents_page);
    if (as->opt->print && as->npages % 2 == 1) end_page(as, OC_LABEL_ROMAN, (int)as->npages + 1);
    size_t body0 = as->npages;
    as->note_i = 0;
    as->note_line = 0;
    page_breaks(as, body, br, contents_page, body0);
    place_flow(as, body, br, OC_LABEL_ARABIC, 1, NULL, NULL);

    int *page = oc_xmalloc((body->n ? body->n : 1) * sizeof(int));
    for (size_t k = 0; k < br->nplaces; k++)
        if (!br->places[k].copy) page[br->places[k].elem] = br->places[k].page;
    /* chapters of a structured book (mdBook) nest as its table of contents
     * does, under their parts; their sections one level below them */
    const oc_document *doc = as->doc;
    int structured = oc_doc_structured(doc), in_part = 0, depth = 0;
    for (size_t i = 0; i < body->nmarks; i++) {
        const oc_flow_mark *m = &body->marks[i];
        size_t pg = body0 + (size_t)page[m->elem];
        const char *title = m->title;
        if (structured && m->chapter >= 0 && m->chapter < doc->nchapters) {
            const oc_chapter *ch = &doc->chapters[m->chapter];
            if (m->level == 0) {
                if (!ch->number) in_part = 0;
                if (ch->part) {
                    add_mark(as, 0, ch->part, m->dest, pg);
                    in_part = 1;
                }
                depth = in_part + ch->level;
                title = oc_chapter_label(&as->out->arena, ch);
            }
            add_mark(as, depth + m->level, title, m->dest, pg);
            continue;
        }
        add_mark(as, m->level, title, m->dest, pg);
    }
    free(page);
}

oc_status oc_layout_run(const oc_document *doc, const oc_layout_options *opt,
                        const oc_fontset *fonts, oc_layout *out, oc_diag *diag) {
    return oc_layout_stream(doc, opt, fonts, NULL, out, diag);
}

static oc_status layout_book(const oc_document *doc, const oc_layout_options *opt,
                             const oc_fontset *fonts, const oc_page_sink *sink, int pages_only,
                             oc_layout *out, oc_diag *diag);

oc_status oc_layout_stream(const oc_document *doc, const oc_layout_options *opt,
                           const oc_fontset *fonts, const oc_page_sink *sink, oc_layout *out,
                           oc_diag *diag) {
    return layout_book(doc, opt, fonts, sink, 0, out, diag);
}

oc_status oc_layout_paginate(const oc_document *doc, const oc_layout_options *opt,
                             const oc_fontset *fonts, oc_layout *out, oc_diag *diag) {
    return layout_book(doc, opt, fonts, NULL, 1, out, diag);
}

static oc_status layout_book(const oc_document *doc, const oc_layout_options *opt,
                             const oc_fontset *fonts, const oc_page_sink *sink, int pages_only,
                             oc_layout *out, oc_diag *diag) {
    oc_status st = OC_OK;
    memset(out, 0, sizeof *out);
    oc_arena_init(&out->arena);
    const char *paper = opt && opt->paper ? opt->paper : doc->meta.paper;
    if (!paper) paper = "a4";
    double W, H;
    if (!oc_paper_size(paper, &W, &H)) {
        oc_diag_report(diag, OC_ERROR, doc->meta_path, 0, 0,
                       "unknown paper size '%s' (use a4, letter, a5 or 6x9)", paper);
        return OC_ERR_INPUT;
    }
    oc_layout_options o = {paper, opt ? opt->print : 0, NULL};
    out->width = W;
    out->height = H;

    assembler as;
    memset(&as, 0, sizeof as);
    as.doc = doc;
    as.opt = &o;
    as.fonts = fonts;
    as.out = out;
    make_geometry(&as.g, W, H, o.print);

    /* the patterns, parsed once for both threads (or given by the caller) */
    oc_hyphen_patterns *own_patterns = NULL;
    const oc_hyphen_patterns *patterns = opt ? opt->hyphen : NULL;
    if (!patterns)
        patterns = own_patterns = oc_hyphen_patterns_load(
            doc->meta.language ? doc->meta.language : "en-US", diag, doc->meta_path);
    oc_hyphen *hy = oc_hyphen_new(patterns);
    oc_arena scratch;
    oc_arena_init(&scratch);
    oc_para_ctx pc;
    memset(&pc, 0, sizeof pc);
    pc.arena = &out->arena;
    pc.scratch = &scratch;
    pc.fonts = fonts;
    pc.hyphen = hy;
    pc.bufs = oc_para_bufs_new();
    pc.diag = diag;
    pc.doc = doc;
    oc_cpset warned = {0};
    pc.warned = &warned;

    oc_flow body, cf;
    memset(&body, 0, sizeof body);
    memset(&cf, 0, sizeof cf);
    struct oc_para_bufs *helper_bufs = NULL;
    oc_blocks b;
    memset(&b, 0, sizeof b);
    b.arena = &out->arena;
    b.doc = doc;
    b.fonts = fonts;
    b.para = &pc;
    b.opt = &o;
    b.flow = &body;
    b.measure = as.g.measure;
    b.text_height = as.g.height;
    b.body = as.g.body;
    b.leading = as.g.leading;
    b.note_size = as.g.body * 0.82;
    b.note_lead = b.note_size * 1.3;
    oc_color black = {0, 0, 0}, blue = {0.05f, 0.2f, 0.55f};
    b.text = black;
    b.link = o.print ? black : blue;
    b.tint = oc_code_tint;
    b.rule = (oc_color){0.6f, 0.6f, 0.6f};
    as.b = &b;

    /* 1. the body, laid out and paginated: once, or in print, where
     * internal links say the page of their target, until the pages settle */
    oc_pg_params pp = {as.g.height, as.g.leading * 1.2, 1, 1, b.note_lead};
    oc_pg_result br;
    size_t ndests = 0;
    const char **dests = o.print ? link_dests(doc, &ndests) : NULL;
    ref_table used = {0}, placed = {0};
    oc_diag quiet;
    oc_diag_init(&quiet, NULL);
    oc_cpset quiet_warned = {0};
    /* the placeholder's digits before the pages are known: about 2,000
     * bytes of Markdown a page */
    size_t bytes = 0;
    for (int c = 0; c < doc->nchapters; c++)
        bytes += doc->chapters[c].source_len;
    pc.ref_digits = digits((long)(bytes / 2000 + 1));
    for (int pass = 1;; pass++) {
        /* messages once: later passes set the same text again */
        pc.diag = pass == 1 ? diag : &quiet;
        pc.warned = pass == 1 ? &warned : &quiet_warned;
        pc.page_of = used.n ? ref_label : NULL;
        pc.page_of_user = &used;
        pc.refs_used = 0;
        lay_out_chapters(&b, out, doc, pc.diag, patterns, &body, &helper_bufs);
        st = oc_paginate(&out->arena, body.pe, body.n, &pp, &br);
        out->ref_passes = pass;
        if (st != OC_OK || pc.refs_used == 0) break;
        dest_pages(&body, &br, &placed);
        if (used.n && refs_settled(&used, &placed, dests, ndests)) break;
        if (pass >= OC_REF_PASSES + 2) break; /* (the padded passes settle) */
        if (pass == OC_REF_PASSES) {
            /* not settled: numbers keep moving page breaks. Two more passes
             * with every number padded to the widest with figure spaces
             * (the digits and the figure space share one width), so that
             * the numbers no longer move the text: the first sets this
             * pass's numbers, the second the numbers of that layout, which
             * it keeps */
            pc.ref_pad = digits(br.npages);
        }
        ref_free(&used);
        used = placed;
        memset(&placed, 0, sizeof placed);
        pc.ref_digits = digits(br.npages);
        /* start again from nothing */
        oc_flow_free(&body);
        free(out->structs);
        out->structs = NULL;
        out->nstructs = out->capstructs = 0;
        oc_arena_free(&out->arena);
        oc_arena_free(&out->helper_arena);
        oc_arena_free(&scratch);
    }
    pc.diag = diag;
    pc.warned = &warned;
    b.para->diag = diag;
    b.para->warned = &warned;
    ref_free(&used);
    ref_free(&placed);
    free(dests);
    /* the pages are drawn on this thread: the words the second thread
     * shaped need not be shaped again */
    oc_shaper_set_peer(oc_para_bufs_shaper(pc.bufs), oc_para_bufs_shaper(helper_bufs));
    oc_diag_free(&quiet);
    oc_cpset_free(&quiet_warned);
    /* the body's paginator elements are read by oc_paginate only: the
     * pages are placed from br and the elements' info (40 bytes an
     * element, 13.6 MB of a 10,075-page book, freed before the drawing
     * that is the build's peak) */
    free(body.pe);
    body.pe = NULL;
    if (st != OC_OK) goto done;

    /* 2. the contents, now that body page numbers are known */
    contents_flow(&as, &body, &br, &cf);
    oc_pg_params cp = {as.g.height, 0, 1, 0, 0};
    oc_pg_result cr;
    st = oc_paginate(&out->arena, cf.pe, cf.n, &cp, &cr);
    if (st != OC_OK) goto done;

    /* 3. assembly (streamed: a dry run for the destinations first) */
    as.sink = sink;
    as.bufs = pc.bufs;
    if (as.sink || pages_only) {
        as.dry = 1;
        assemble(&as, &cf, &cr, &body, &br);
        if (as.sink) st = as.sink->begin(as.sink->user, W, H, as.npages, as.dests, as.ndests);
        if (st != OC_OK) goto done;
        as.dry = 0;
    }
    if (!pages_only) assemble(&as, &cf, &cr, &body, &br);
    if ((st = as.sink_st) != OC_OK) goto done;

    out->npages = as.npages;
    out->pages = oc_arena_alloc(&out->arena, (as.npages ? as.npages : 1) * sizeof(oc_page));
    if (as.npages) memcpy(out->pages, as.pages, as.npages * sizeof(oc_page));
    out->nmarks = as.nmarks;
    out->marks = oc_arena_alloc(&out->arena, (as.nmarks ? as.nmarks : 1) * sizeof(oc_bookmark));
    if (as.nmarks) memcpy(out->marks, as.marks, as.nmarks * sizeof(oc_bookmark));

done:
    free(as.pages);
    free(as.marks);
    free(as.dests);
    free(as.cur.v);
    oc_arena_free(&scratch);
    /* pages kept in the layout (no sink) point at the chapters' text */
    for (size_t c = 0; !sink && body.texts && c < body.nchunks; c++)
        oc_arena_adopt(&out->arena, &body.texts[c]);
    oc_flow_free(&body);
    oc_flow_free(&cf);
    if (hy) oc_hyphen_free(hy);
    oc_shaper_set_peer(oc_para_bufs_shaper(pc.bufs), NULL);
    oc_para_bufs_free(pc.bufs);
    oc_para_bufs_free(helper_bufs);
    oc_cpset_free(&warned);
    oc_hyphen_patterns_free(own_patterns);
    if (st != OC_OK) oc_layout_free(out);
    return st;
}

void oc_layout_free(oc_layout *l) {
    if (!l) return;
    oc_arena_free(&l->arena);
    oc_arena_free(&l->helper_arena);
    free(l->structs);
    l->structs = NULL;
    l->nstructs = l->capstructs = 0;
    l->pages = NULL;
    l->npages = 0;
    l->marks = NULL;
    l->nmarks = 0;
}

/* ---- the dump --------------------------------------------------------------- */

_Static_assert(sizeof(oc_item) == 64, "oc_item stays 64 bytes (see layout.h)");

/* Behind code blocks (and table header rows); the highlighting palettes keep
 * WCAG AA against it (test_highlight). */
const oc_color oc_code_tint = {0.94f, 0.94f, 0.93f};

static const char *font_name(oc_font_id f) {
    static const char *const names[OC_FONT_COUNT] = {
        "SERIF",     "SERIF_ITALIC", "SERIF_BOLD",  "SERIF_BOLD_ITALIC",
        "MONO",      "MONO_BOLD",    "MONO_ITALIC", "SANS",
        "SANS_BOLD", "CJK",          "DEVA",        "BENG",
        "THAI",      "KOR",          "JA",          "EMOJI"};
    return (unsigned)f < OC_FONT_COUNT ? names[f] : "?";
}

static void quoted(oc_buf *out, const char *s, size_t len) {
    oc_buf_putc(out, '"');
    for (size_t i = 0; i < len && s; i++) {
        if (s[i] == '"' || s[i] == '\\') oc_buf_putc(out, '\\');
        oc_buf_putc(out, s[i]);
    }
    oc_buf_putc(out, '"');
}

void oc_layout_dump(const oc_layout *l, oc_buf *out) {
    oc_buf_printf(out, "paper %.2f %.2f\n", l->width, l->height);
    for (size_t p = 0; p < l->npages; p++) {
        const oc_page *pg = &l->pages[p];
        char lab[32];
        label_text(pg->label, pg->number, lab, sizeof lab);
        oc_buf_printf(out, "page %zu (%s)\n", p + 1, lab);
        for (size_t i = 0; i < pg->nitems; i++) {
            const oc_item *it = &pg->items[i];
            switch (it->kind) {
            case OC_ITEM_TEXT:
                oc_buf_printf(out, "  text %.2f %.2f %s %.2f ", it->x, it->y, font_name(it->font),
                              it->size);
                quoted(out, it->text, it->len);
                if (it->coloured != OC_COLOURS_CHANGES && it->ws != 0)
                    oc_buf_printf(out, " ws %.3f", it->ws);
                oc_buf_putc(out, '\n');
                break;
            case OC_ITEM_RULE:
                oc_buf_printf(out, "  rule %.2f %.2f %.2f %.2f %.2f\n", it->x, it->y, it->w, it->h,
                              it->size);
                break;
            case OC_ITEM_RECT:
                oc_buf_printf(out, "  rect %.2f %.2f %.2f %.2f\n", it->x, it->y, it->w, it->h);
                break;
            case OC_ITEM_IMAGE:
                oc_buf_printf(out, "  image %.2f %.2f %.2f %.2f %s\n", it->x, it->y, it->w, it->h,
                              it->asset && it->asset->path ? it->asset->path : "?");
                break;
            case OC_ITEM_LINK:
                oc_buf_printf(out, "  link %.2f %.2f %.2f %.2f %s%s\n", it->x, it->y, it->w, it->h,
                              it->uri ? "" : "#",
                              it->uri    ? it->uri
                              : it->dest ? it->dest
                                         : "");
                break;
            case OC_ITEM_DEST:
                oc_buf_printf(out, "  dest %.2f %.2f %s\n", it->x, it->y, it->dest ? it->dest : "");
                break;
            }
        }
    }
    for (size_t m = 0; m < l->nmarks; m++)
        oc_buf_printf(out, "mark %d %d %s -> %s\n", l->marks[m].level, l->marks[m].page + 1,
                      l->marks[m].title, l->marks[m].dest ? l->marks[m].dest : "");
}
