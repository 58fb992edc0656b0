/* The structure tree of the tagged PDF (PDF 32000-1 14.7-14.8, PDF/UA-1).
 *
 * While the pages are drawn the writer marks every run of content with the
 * structure element the layout gave its items (oc_item.sref) and tells this
 * file what it marked: page, element and marked-content id (MCID), each
 * link annotation with its element, each figure's box. After the last page,
 * oc_pdf_struct_finish makes the tree from the layout's table of elements
 * (document order, each naming its parent):
 *
 *   - an element is written when it holds content or a child that does;
 *   - its kids are its own marked content, then its children in table
 *     order, where a MORE child contributes its marked content in place
 *     (the text of a paragraph after a link or a footnote's Note); content
 *     on another page than the element's /Pg is a marked-content reference,
 *     an annotation an object reference;
 *   - the Document's children go title page, contents, chapters;
 *   - the ParentTree maps each page (key: its index) to the elements of its
 *     MCIDs, in order, and each annotation (keys after the pages) to its
 *     Link.
 *
 * Only the StructTreeRoot is a libharu object. The elements and the
 * ParentTree are numbered after libharu's last object and written by
 * oc_pdf_struct_write_tail once libharu has saved the file: libharu's
 * cross-reference table and trailer are cut off, the elements go into
 * deflated object streams (PDF 1.5, 7.5.7) and one cross-reference stream
 * (7.5.8) lists every object. A long book's tens of thousands of elements
 * so cost a number each until the save (not a libharu dictionary, its
 * list and its xref entry), and about a fifth of the bytes in the file.
 * The catalog gets /MarkInfo, /StructTreeRoot, /Lang, /ViewerPreferences
 * with DisplayDocTitle and an XMP packet (dc:title, dc:creator, dc:language,
 * pdfuaid:part 1); every page /Tabs /S. */
#include "octavo/doc.h"
#include "pdf/pdf_internal.h"
#include "util/deflate.h"

#include <hpdf.h>
#include <hpdf_doc.h>
#include <hpdf_list.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    uint32_t elem, page;
    int32_t mcid; /* >= 0: the MCID on the page; < 0: annotation -1 - mcid */
} mark;

typedef struct {
    uint32_t elem, page;
    float box[4];
} figbox;

struct oc_pdf_struct {
    mark *marks;
    size_t nmarks, capmarks;
    HPDF_Dict *annots;
    size_t nannots, capannots;
    figbox *boxes;
    size_t nboxes, capboxes;
    uint32_t page;
    int32_t next_mcid;

    /* made by finish, used when the file is saved (the layout is gone) */
    oc_struct_elem *se; /* a copy of the layout's table */
    const char **alt;   /* per element: a Figure's alternative text */
    size_t nse;
    size_t npages;
    HPDF_Page *pages;
    uint32_t *num; /* per element: its object's place after `base`, NO_OBJ when not written */
    uint32_t nobj; /* elements written; the ParentTree is object base + nobj */
    unsigned base; /* the first object number after libharu's (known when the root is saved) */
    HPDF_Doc pdf;
    uint32_t *kid0; /* children of e: kids[kid0[e] .. kid0[e+1]) */
    uint32_t *kids;
    uint32_t *mark0; /* marks of e in drawing order: mord[mark0[e] .. mark0[e+1]) */
    uint32_t *mord;
    int32_t *box_of; /* per element: its figure box, -1 none */
    HPDF_Dict root;
    oc_arena arena;         /* alt texts */
    struct tail_pre *early; /* the object streams, made while libharu saves */
};

static const char *const type_name[OC_SE_COUNT] = {[OC_SE_ARTIFACT] = "Artifact",
                                                   [OC_SE_DOCUMENT] = "Document",
                                                   [OC_SE_SECT] = "Sect",
                                                   [OC_SE_H] = "H",
                                                   [OC_SE_P] = "P",
                                                   [OC_SE_L] = "L",
                                                   [OC_SE_LI] = "LI",
                                                   [OC_SE_LBL] = "Lbl",
                                                   [OC_SE_LBODY] = "LBody",
                                                   [OC_SE_TABLE] = "Table",
                                                   [OC_SE_TR] = "TR",
                                                   [OC_SE_TH] = "TH",
                                                   [OC_SE_TD] = "TD",
                                                   [OC_SE_FIGURE] = "Figure",
                                                   [OC_SE_CAPTION] = "Caption",
                                                   [OC_SE_NOTE] = "Note",
                                                   [OC_SE_BLOCKQUOTE] = "BlockQuote",
                                                   [OC_SE_CODE] = "Code",
                                                   [OC_SE_LINK] = "Link",
                                                   [OC_SE_TOC] = "TOC",
                                                   [OC_SE_TOCI] = "TOCI",
                                                   [OC_SE_MORE] = "Span"};

struct tail_pre;
static void tail_pre_free(struct tail_pre *p);

oc_pdf_struct *oc_pdf_struct_new(void) {
    oc_pdf_struct *s = oc_xcalloc(1, sizeof *s);
    s->page = UINT32_MAX;
    oc_arena_init(&s->arena);
    return s;
}

void oc_pdf_struct_free(oc_pdf_struct *s) {
    if (!s) return;
    free(s->se);
    free(s->alt);
    free(s->marks);
    free(s->annots);
    free(s->boxes);
    free(s->num);
    free(s->kid0);
    free(s->kids);
    free(s->mark0);
    free(s->mord);
    free(s->box_of);
    oc_arena_free(&s->arena);
    tail_pre_free(s->early);
    free(s);
}

void oc_pdf_struct_tag(const oc_struct_elem *se, size_t nse, uint32_t ref, char out[16]) {
    const oc_struct_elem *e = ref < nse ? &se[ref] : NULL;
    if (e && e->type == OC_SE_MORE && e->parent < nse) e = &se[e->parent];
    if (!e || e->type >= OC_SE_COUNT) {
        memcpy(out, "Span", 5);
    } else if (e->type == OC_SE_H) {
        int lv = e->level < 1 ? 1 : e->level > 6 ? 6 : e->level;
        out[0] = 'H';
        out[1] = (char)('0' + lv);
        out[2] = 0;
    } else {
        size_t n = strlen(type_name[e->type]);
        memcpy(out, type_name[e->type], n + 1); /* (at most 10 bytes) */
    }
}

static void push_mark(oc_pdf_struct *s, uint32_t page, uint32_t elem, int32_t mcid) {
    if (s->nmarks == s->capmarks) {
        s->capmarks = s->capmarks ? s->capmarks * 2 : 4096;
        s->marks = oc_xrealloc(s->marks, s->capmarks * sizeof *s->marks);
    }
    s->marks[s->nmarks++] = (mark){elem, page, mcid};
}

int oc_pdf_struct_mcid(oc_pdf_struct *s, size_t page, uint32_t elem) {
    if (s->page != page) {
        s->page = (uint32_t)page;
        s->next_mcid = 0;
    }
    push_mark(s, (uint32_t)page, elem, s->next_mcid);
    return s->next_mcid++;
}

int oc_pdf_struct_annot(oc_pdf_struct *s, size_t page, size_t npages, uint32_t elem,
                        HPDF_Dict annot) {
    if (s->nannots == s->capannots) {
        s->capannots = s->capannots ? s->capannots * 2 : 256;
        s->annots = oc_xrealloc(s->annots, s->capannots * sizeof *s->annots);
    }
    s->annots[s->nannots] = annot;
    push_mark(s, (uint32_t)page, elem, -1 - (int32_t)s->nannots);
    return (int)(npages + s->nannots++);
}

void oc_pdf_struct_bbox(oc_pdf_struct *s, size_t page, uint32_t elem, double x0, double y0,
                        double x1, double y1) {
    if (s->nboxes == s->capboxes) {
        s->capboxes = s->capboxes ? s->capboxes * 2 : 32;
        s->boxes = oc_xrealloc(s->boxes, s->capboxes * sizeof *s->boxes);
    }
    s->boxes[s->nboxes++] =
        (figbox){elem, (uint32_t)page, {(float)x0, (float)y0, (float)x1, (float)y1}};
}

/* ---- writing --------------------------------------------------------------------- */

#define NO_OBJ UINT32_MAX

static unsigned obj_id(const void *obj) {
    return ((const HPDF_Obj_Header *)obj)->obj_id & 0x00FFFFFF;
}

/* Appends v in decimal (the tree is hundreds of thousands of numbers:
 * printf took about half the time of writing it). */
static void put_u(oc_buf *b, uint64_t v) {
    char tmp[24], *p = tmp + sizeof tmp;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    oc_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

static void put_ref(oc_buf *b, const void *obj) {
    put_u(b, obj_id(obj));
    oc_buf_append(b, " 0 R", 4);
}

/* What writing the elements reads (only reads: it may run on a thread of
 * its own while libharu saves, see oc_pdf_struct_prepare_tail), and its
 * scratch buffer. */
typedef struct {
    const oc_pdf_struct *s;
    unsigned base; /* the elements' first object number */
    oc_buf tmp;
} tail_ctx;

/* The reference to element e's object. */
static void put_elem_ref(const tail_ctx *t, oc_buf *b, uint32_t e) {
    put_u(b, (uint64_t)t->base + t->s->num[e]);
    oc_buf_append(b, " 0 R", 4);
}

/* A PDF text string in hex: UTF-16BE with its byte-order mark. */
static void put_text(tail_ctx *t, oc_buf *b, const char *text) {
    static const char hex[] = "0123456789ABCDEF";
    oc_buf_reset(&t->tmp);
    oc_pdf_utf16be(&t->tmp, text, strlen(text));
    oc_buf_putc(b, '<');
    for (size_t i = 0; i < t->tmp.len; i++) {
        unsigned char c = (unsigned char)t->tmp.data[i];
        oc_buf_putc(b, hex[c >> 4]);
        oc_buf_putc(b, hex[c & 15]);
    }
    oc_buf_putc(b, '>');
}

/* A figure's alternative text: its alt text, else its title, else a name. */
static const char *alt_text(oc_pdf_struct *s, const oc_node *img) {
    const char *alt = img ? oc_node_plain_text(&s->arena, img) : NULL;
    if (alt && *alt) return alt;
    if (img && img->title && *img->title) return img->title;
    if (img && img->figure_number > 0)
        return oc_arena_printf(&s->arena, "Figure %d", img->figure_number);
    return "Image";
}

/* One marked-content or object reference; bare when on the element's page. */
static void put_mark(const oc_pdf_struct *s, oc_buf *b, const mark *m, uint32_t pg) {
    if (m->mcid >= 0 && m->page == pg) {
        oc_buf_putc(b, ' ');
        put_u(b, (uint64_t)m->mcid);
    } else if (m->mcid >= 0) {
        oc_buf_puts(b, " <</Type/MCR/Pg ");
        put_ref(b, s->pages[m->page]);
        oc_buf_puts(b, "/MCID ");
        put_u(b, (uint64_t)m->mcid);
        oc_buf_puts(b, ">>");
    } else {
        oc_buf_puts(b, " <</Type/OBJR/Obj ");
        put_ref(b, s->annots[-1 - m->mcid]);
        oc_buf_puts(b, "/Pg ");
        put_ref(b, s->pages[m->page]);
        oc_buf_puts(b, ">>");
    }
}

/* The page of an element's first content of its own (its MOREs' included),
 * UINT32_MAX when it has none. */
static uint32_t first_page(const oc_pdf_struct *s, uint32_t e) {
    if (s->mark0[e] < s->mark0[e + 1]) return s->marks[s->mord[s->mark0[e]]].page;
    for (uint32_t k = s->kid0[e]; k < s->kid0[e + 1]; k++) {
        uint32_t c = s->kids[k];
        if (s->se[c].type == OC_SE_MORE && s->mark0[c] < s->mark0[c + 1])
            return s->marks[s->mord[s->mark0[c]]].page;
    }
    return UINT32_MAX;
}

/* Element e's dictionary. */
static void write_elem(tail_ctx *t, oc_buf *b, uint32_t e) {
    const oc_pdf_struct *s = t->s;
    const oc_struct_elem *se = &s->se[e];
    char tag[16];
    oc_pdf_struct_tag(s->se, s->nse, e, tag);
    oc_buf_puts(b, "<</S/"); /* (/Type is optional) */
    oc_buf_puts(b, tag);
    oc_buf_puts(b, "/P ");
    if (e == OC_SREF_DOCUMENT)
        put_ref(b, s->root);
    else
        put_elem_ref(t, b, se->parent);
    uint32_t pg = first_page(s, e);
    if (pg != UINT32_MAX) {
        oc_buf_puts(b, "/Pg ");
        put_ref(b, s->pages[pg]);
    }
    if (se->type == OC_SE_FIGURE) {
        oc_buf_puts(b, "/Alt");
        put_text(t, b, s->alt[e] ? s->alt[e] : "Image");
        if (s->box_of[e] >= 0) {
            const float *bx = s->boxes[s->box_of[e]].box;
            oc_buf_printf(b, "/A<</O/Layout/BBox[%.2f %.2f %.2f %.2f]>>", bx[0], bx[1], bx[2],
                          bx[3]);
        }
    } else if (se->type == OC_SE_TH) {
        oc_buf_puts(b, "/A<</O/Table/Scope/Column>>");
    }
    oc_buf_puts(b, "/K[");
    for (uint32_t k = s->mark0[e]; k < s->mark0[e + 1]; k++)
        put_mark(s, b, &s->marks[s->mord[k]], pg);
    for (uint32_t k = s->kid0[e]; k < s->kid0[e + 1]; k++) {
        uint32_t c = s->kids[k];
        if (s->se[c].type == OC_SE_MORE) {
            for (uint32_t q = s->mark0[c]; q < s->mark0[c + 1]; q++)
                put_mark(s, b, &s->marks[s->mord[q]], pg);
        } else {
            oc_buf_putc(b, ' ');
            put_elem_ref(t, b, c);
        }
    }
    oc_buf_puts(b, "]>>");
}

/* The ParentTree: one number tree node with every key. */
static void write_parent_tree(const tail_ctx *t, oc_buf *b) {
    const oc_pdf_struct *s = t->s;
    oc_buf_puts(b, "<</Nums[");
    uint32_t open = UINT32_MAX;
    for (size_t i = 0; i < s->nmarks; i++) {
        const mark *m = &s->marks[i];
        if (m->mcid < 0) continue;
        if (m->page != open) {
            if (open != UINT32_MAX) oc_buf_puts(b, "]\012");
            put_u(b, m->page);
            oc_buf_putc(b, '[');
            open = m->page;
        } else {
            oc_buf_putc(b, ' ');
        }
        uint32_t e = m->elem;
        if (s->se[e].type == OC_SE_MORE) e = s->se[e].parent;
        put_elem_ref(t, b, e);
    }
    if (open != UINT32_MAX) oc_buf_puts(b, "]\012");
    for (size_t i = 0; i < s->nmarks; i++) {
        const mark *m = &s->marks[i];
        if (m->mcid >= 0) continue;
        put_u(b, s->npages + (size_t)(-1 - m->mcid));
        oc_buf_putc(b, ' ');
        put_elem_ref(t, b, m->elem);
        oc_buf_putc(b, '\012');
    }
    oc_buf_puts(b, "]>>");
}

/* The StructTreeRoot's references, written when libharu saves it: every
 * libharu object exists by then, so ours are numbered from the count. */
static HPDF_STATUS write_root(HPDF_Dict dict, HPDF_Stream stream) {
    oc_pdf_struct *s = dict->attr;
    s->base = s->pdf->xref->entries->count;
    char tmp[80];
    int n = 0;
    if (s->num && s->num[OC_SREF_DOCUMENT] != NO_OBJ)
        n = snprintf(tmp, sizeof tmp, "/K %u 0 R\012", s->base + s->num[OC_SREF_DOCUMENT]);
    n += snprintf(tmp + n, sizeof tmp - (size_t)n, "/ParentTree %u 0 R\012", s->base + s->nobj);
    return HPDF_Stream_Write(stream, (const HPDF_BYTE *)tmp, (HPDF_UINT)n);
}

/* Objects per object stream: readers inflate a whole stream to reach one
 * object in it; a few hundred keep that small and deflate well. Deflated
 * at libdeflate's fastest level, as the page content is: level 2 took 15 M
 * more instructions on the code bench book for 0.3% smaller output. */
#define OBJS_PER_STREAM 200
#define STRUCT_LEVEL 1

static void put_be(unsigned char *p, uint64_t v, int n) {
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (unsigned char)(v & 0xFF);
}

/* Deflates `in` (with d, into z) and appends it to `out` as a stream
 * object's data, after `dict` (its entries but /Length and /Filter,
 * without << >>). */
static int put_stream(oc_buf *out, unsigned num, const char *dict, const oc_buf *in, oc_deflater *d,
                      oc_buf *z) {
    if (!oc_deflate(d, STRUCT_LEVEL, OC_DEFLATE_ZLIB, in->data, in->len, z)) return 0;
    oc_buf_printf(out, "%u 0 obj\012<<%s/Filter/FlateDecode/Length %zu>>\012stream\012", num, dict,
                  z->len);
    oc_buf_append(out, z->data, z->len);
    oc_buf_puts(out, "\012endstream\012endobj\012");
    return !out->overflow;
}

/* The object streams, deflated and one after the other in `pre` (stream
 * k at at[k]), for the elements numbered from t.base: made by
 * oc_pdf_struct_prepare_tail on a thread of its own while libharu saves,
 * or by the tail itself. */
typedef struct tail_pre {
    tail_ctx t;
    oc_buf pre;
    size_t *at;
    uint32_t nstm;
    int ok;
    int threaded; /* `thread` runs it, and is joined by take_pre */
    pthread_t thread;
} tail_pre;

static void tail_pre_free(tail_pre *p) {
    if (!p) return;
    if (p->threaded) pthread_join(p->thread, NULL);
    oc_buf_free(&p->pre);
    oc_buf_free(&p->t.tmp);
    free(p->at);
    free(p);
}

static void build_streams(tail_pre *p) {
    const oc_pdf_struct *s = p->t.s;
    oc_buf body, rows, z;
    oc_buf_init(&body);
    oc_buf_init(&rows);
    oc_buf_init(&z);
    oc_deflater zs;
    memset(&zs, 0, sizeof zs);
    /* the elements, in table order, then the ParentTree */
    uint32_t *order = oc_xmalloc(((size_t)s->nobj + 1) * sizeof *order);
    for (size_t e = 0; e < s->nse; e++)
        if (s->num && s->num[e] != NO_OBJ) order[s->num[e]] = (uint32_t)e;
    uint32_t nput = s->nobj + 1;
    p->nstm = (nput + OBJS_PER_STREAM - 1) / OBJS_PER_STREAM;
    unsigned stm0 = p->t.base + nput;
    p->at = oc_xmalloc(p->nstm * sizeof *p->at);
    size_t offs[OBJS_PER_STREAM];
    p->ok = 1;
    for (uint32_t k = 0; k < p->nstm && p->ok; k++) {
        uint32_t j0 = k * OBJS_PER_STREAM, j1 = j0 + OBJS_PER_STREAM;
        if (j1 > nput) j1 = nput;
        oc_buf_reset(&body);
        for (uint32_t j = j0; j < j1; j++) {
            offs[j - j0] = body.len;
            if (j < s->nobj)
                write_elem(&p->t, &body, order[j]);
            else
                write_parent_tree(&p->t, &body);
            oc_buf_putc(&body, '\012');
        }
        /* the header (object number and offset pairs) goes first */
        oc_buf_reset(&rows);
        for (uint32_t j = j0; j < j1; j++) {
            put_u(&rows, (uint64_t)p->t.base + j);
            oc_buf_putc(&rows, ' ');
            put_u(&rows, offs[j - j0]);
            oc_buf_putc(&rows, j + 1 < j1 ? ' ' : '\012');
        }
        size_t first = rows.len;
        oc_buf_append(&rows, body.data, body.len);
        char dict[96];
        snprintf(dict, sizeof dict, "/Type/ObjStm/N %u/First %zu", j1 - j0, first);
        p->at[k] = p->pre.len;
        p->ok =
            !rows.overflow && !body.overflow && put_stream(&p->pre, stm0 + k, dict, &rows, &zs, &z);
    }
    free(order);
    oc_buf_free(&body);
    oc_buf_free(&rows);
    oc_buf_free(&z);
    oc_deflater_end(&zs);
}

static void *build_main(void *arg) {
    oc_thread_name("oc-struct");
    build_streams(arg);
    return NULL;
}

static tail_pre *tail_pre_new(const oc_pdf_struct *s, unsigned base) {
    tail_pre *p = oc_xcalloc(1, sizeof *p);
    p->t.s = s;
    p->t.base = base;
    oc_buf_init(&p->t.tmp);
    oc_buf_init(&p->pre);
    return p;
}

void oc_pdf_struct_prepare_tail(oc_pdf_struct *s, HPDF_Doc pdf) {
    if (!s->root || s->early || !pdf->xref) return;
    /* libharu makes no object while it saves: the root's write_root will
     * number ours from this count (the tail checks it did) */
    s->early = tail_pre_new(s, (unsigned)pdf->xref->entries->count);
    s->early->threaded = pthread_create(&s->early->thread, NULL, build_main, s->early) == 0;
    if (!s->early->threaded) {
        tail_pre_free(s->early);
        s->early = NULL;
    }
}

/* The object streams for elements numbered from s->base: the early ones
 * when they were made for that number, else made now. */
static tail_pre *take_pre(oc_pdf_struct *s) {
    tail_pre *p = s->early;
    s->early = NULL;
    if (p && p->threaded) {
        pthread_join(p->thread, NULL);
        p->threaded = 0;
    }
    if (p && p->t.base == s->base) return p;
    tail_pre_free(p);
    p = tail_pre_new(s, s->base);
    build_streams(p);
    return p;
}

oc_status oc_pdf_struct_write_tail(oc_pdf_struct *s, HPDF_Doc pdf, oc_buf *out, size_t base) {
    oc_status st = OC_OK;
    HPDF_Xref x = pdf->xref;
    oc_buf trailer, rows, z;
    oc_buf_init(&trailer);
    oc_buf_init(&rows);
    oc_buf_init(&z);
    oc_deflater zs;
    memset(&zs, 0, sizeof zs);
    tail_pre *pre = NULL;
    if (!s->root || !x || x->prev || x->start_offset != 0 || x->entries->count != s->base ||
        x->addr < base || x->addr >= base + out->len || base + out->len > 0xFFFFFFFFu / 2) {
        st = OC_ERR_INTERNAL;
        goto done;
    }
    /* libharu's trailer entries, but /Size: "trailer\n<<\n/Root 1 0 R\n...>>" */
    const char *t = out->data + (x->addr - base), *end = out->data + out->len;
    const char *tr = NULL;
    for (const char *p = t; p + 8 <= end; p++)
        if (memcmp(p, "trailer\012", 8) == 0) tr = p + 8;
    if (!tr || end - tr < 3 || memcmp(tr, "<<\012", 3) != 0) {
        st = OC_ERR_INTERNAL;
        goto done;
    }
    for (const char *p = tr + 3; p < end && *p == '/';) {
        const char *nl = memchr(p, '\012', (size_t)(end - p));
        if (!nl) break;
        if (!(nl - p > 5 && memcmp(p, "/Size ", 6) == 0)) {
            oc_buf_append(&trailer, p, (size_t)(nl - p));
            oc_buf_putc(&trailer, '\012');
        }
        p = nl + 1;
    }
    out->len = x->addr - base; /* libharu's xref table and trailer go */

    /* the elements and the ParentTree, in object streams */
    pre = take_pre(s);
    if (!pre->ok) {
        st = OC_ERR_LIMIT;
        goto done;
    }
    uint32_t nput = s->nobj + 1, nstm = pre->nstm;
    unsigned stm0 = s->base + nput, xref_num = stm0 + nstm, size = xref_num + 1;
    size_t stm_base = base + out->len; /* stream k is at stm_base + pre->at[k] */
    oc_buf_append(out, pre->pre.data, pre->pre.len);
    if (out->overflow) {
        st = OC_ERR_LIMIT;
        goto done;
    }
    /* the cross-reference stream: type, field 2 (4 bytes), field 3 (2) */
    size_t xref_at = base + out->len;
    if (xref_at > 0xFFFFFFFFu) { /* (the offsets are 4 bytes) */
        st = OC_ERR_LIMIT;
        goto done;
    }
    oc_buf_reset(&rows);
    oc_buf_reserve(&rows, (size_t)size * 7);
    if (rows.overflow) {
        st = OC_ERR_LIMIT;
        goto done;
    }
    unsigned char *r = (unsigned char *)rows.data;
    for (unsigned i = 0; i < size; i++, r += 7) {
        if (i < s->base) {
            HPDF_XrefEntry xe = HPDF_Xref_GetEntry(x, i);
            int used = xe && xe->entry_typ == HPDF_IN_USE_ENTRY;
            r[0] = used ? 1 : 0;
            put_be(r + 1, used ? xe->byte_offset : 0, 4);
            put_be(r + 5, xe ? xe->gen_no : 65535, 2);
        } else if (i < stm0) {
            r[0] = 2;
            put_be(r + 1, stm0 + (i - s->base) / OBJS_PER_STREAM, 4);
            put_be(r + 5, (i - s->base) % OBJS_PER_STREAM, 2);
        } else {
            r[0] = 1;
            put_be(r + 1, i < xref_num ? stm_base + pre->at[i - stm0] : xref_at, 4);
            put_be(r + 5, 0, 2);
        }
    }
    rows.len = (size_t)size * 7;
    oc_buf_printf(&trailer, "/Type/XRef/Size %u/W[1 4 2]", size);
    if (trailer.overflow || !put_stream(out, xref_num, trailer.data, &rows, &zs, &z)) {
        st = OC_ERR_LIMIT;
        goto done;
    }
    oc_buf_printf(out, "startxref\012%zu\012%%%%EOF\012", xref_at);
    if (out->overflow) st = OC_ERR_LIMIT;
done:
    tail_pre_free(pre);
    oc_buf_free(&trailer);
    oc_buf_free(&rows);
    oc_buf_free(&z);
    oc_deflater_end(&zs);
    return st;
}

/* ---- XMP ------------------------------------------------------------------------- */

static void xml_text(oc_buf *b, const char *s) {
    if (s) oc_buf_xml_escape(b, s, strlen(s));
}

/* The XMP packet: Dublin Core title, creators, language and description
 * (the Info dictionary's Title, Author and Subject), the tool, the dates,
 * and the PDF/UA identification. `date` is ISO 8601. */
static void xmp_packet(oc_buf *b, const oc_document *doc, const char *producer, const char *date) {
    const oc_meta *m = doc ? &doc->meta : NULL;
    const char *title = m && m->title ? m->title : "Untitled";
    const char *lang = m && m->language ? m->language : "en-US";
    oc_buf_puts(b, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
                   "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
                   " <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
                   "  <rdf:Description rdf:about=\"\"\n"
                   "    xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
                   "    xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\"\n"
                   "    xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
                   "    xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\">\n"
                   "   <dc:format>application/pdf</dc:format>\n"
                   "   <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">");
    xml_text(b, title);
    oc_buf_puts(b, "</rdf:li></rdf:Alt></dc:title>\n");
    if (m && m->nauthors > 0) {
        oc_buf_puts(b, "   <dc:creator><rdf:Seq>");
        for (int i = 0; i < m->nauthors; i++) {
            oc_buf_puts(b, "<rdf:li>");
            xml_text(b, m->authors[i]);
            oc_buf_puts(b, "</rdf:li>");
        }
        oc_buf_puts(b, "</rdf:Seq></dc:creator>\n");
    }
    if (m && m->subtitle && *m->subtitle) {
        oc_buf_puts(b, "   <dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">");
        xml_text(b, m->subtitle);
        oc_buf_puts(b, "</rdf:li></rdf:Alt></dc:description>\n");
    }
    oc_buf_puts(b, "   <dc:language><rdf:Bag><rdf:li>");
    xml_text(b, lang);
    oc_buf_puts(b, "</rdf:li></rdf:Bag></dc:language>\n   <pdf:Producer>");
    xml_text(b, producer);
    oc_buf_puts(b, "</pdf:Producer>\n   <xmp:CreatorTool>octavo</xmp:CreatorTool>\n");
    oc_buf_printf(b, "   <xmp:CreateDate>%s</xmp:CreateDate>\n", date);
    oc_buf_printf(b, "   <xmp:ModifyDate>%s</xmp:ModifyDate>\n", date);
    oc_buf_puts(b, "   <pdfuaid:part>1</pdfuaid:part>\n"
                   "  </rdf:Description>\n"
                   " </rdf:RDF>\n"
                   "</x:xmpmeta>\n"
                   "<?xpacket end=\"w\"?>");
}

/* ---- the tree ---------------------------------------------------------------------- */

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            st = OC_ERR_INTERNAL;                                                                  \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

static HPDF_Dict new_dict(HPDF_Doc pdf) {
    HPDF_Dict d = HPDF_Dict_New(pdf->mmgr);
    if (d && HPDF_Xref_Add(pdf->xref, d) != HPDF_OK) return NULL;
    return d;
}

oc_status oc_pdf_struct_finish(oc_pdf_struct *s, HPDF_Doc pdf, HPDF_Page *pages, size_t npages,
                               const oc_layout *l, const oc_document *doc, const char *producer,
                               const char *date) {
    oc_status st = OC_OK;
    size_t n = l && l->structs ? l->nstructs : 0;
    unsigned char *live = NULL;
    uint32_t *fill = NULL;
    oc_buf xmp;
    oc_buf_init(&xmp);
    s->se = oc_xmalloc((n ? n : 1) * sizeof *s->se);
    if (n) memcpy(s->se, l->structs, n * sizeof *s->se);
    s->nse = n;
    s->alt = oc_xcalloc(n ? n : 1, sizeof *s->alt);
    for (size_t e = 0; e < n; e++) {
        if (s->se[e].type == OC_SE_FIGURE) s->alt[e] = alt_text(s, s->se[e].node);
        s->se[e].node = NULL; /* the layout's nodes may go before the save */
    }
    s->npages = npages;
    s->pages = pages;
    if (n > OC_SREF_DOCUMENT) {
        /* marks per element, in drawing order (a counting sort) */
        s->mark0 = oc_xcalloc(n + 1, sizeof *s->mark0);
        s->mord = oc_xmalloc((s->nmarks ? s->nmarks : 1) * sizeof *s->mord);
        for (size_t i = 0; i < s->nmarks; i++)
            if (s->marks[i].elem < n) s->mark0[s->marks[i].elem + 1]++;
        for (size_t e = 0; e < n; e++)
            s->mark0[e + 1] += s->mark0[e];
        fill = oc_xmalloc((n + 1) * sizeof *fill);
        memcpy(fill, s->mark0, (n + 1) * sizeof *fill);
        for (size_t i = 0; i < s->nmarks; i++)
            if (s->marks[i].elem < n) s->mord[fill[s->marks[i].elem]++] = (uint32_t)i;
        /* live: holds content or a child that does (children come after
         * their parents in the table) */
        live = oc_xcalloc(n, 1);
        for (size_t e = n; e-- > OC_SREF_FIRST;) {
            if (s->mark0[e] < s->mark0[e + 1]) live[e] = 1;
            uint32_t p = s->se[e].parent;
            if (live[e] && p < e && p >= OC_SREF_DOCUMENT) live[p] = 1;
        }
        live[OC_SREF_DOCUMENT] = 1;
        /* children per element, in table order; the Document's by rank */
        s->kid0 = oc_xcalloc(n + 1, sizeof *s->kid0);
        size_t nkids = 0;
        for (size_t e = OC_SREF_FIRST; e < n; e++)
            if (live[e] && s->se[e].parent < e) {
                s->kid0[s->se[e].parent + 1]++;
                nkids++;
            }
        for (size_t e = 0; e < n; e++)
            s->kid0[e + 1] += s->kid0[e];
        s->kids = oc_xmalloc((nkids ? nkids : 1) * sizeof *s->kids);
        memcpy(fill, s->kid0, (n + 1) * sizeof *fill);
        for (int rank = 0; rank < 3; rank++)
            for (size_t e = OC_SREF_FIRST; e < n; e++) {
                uint32_t p = s->se[e].parent;
                if (!live[e] || p >= e) continue;
                if (p == OC_SREF_DOCUMENT && s->se[e].rank != rank) continue;
                if (p != OC_SREF_DOCUMENT && rank != 0) continue;
                s->kids[fill[p]++] = (uint32_t)e;
            }
        /* figures' boxes */
        s->box_of = oc_xmalloc(n * sizeof *s->box_of);
        for (size_t e = 0; e < n; e++)
            s->box_of[e] = -1;
        for (size_t i = 0; i < s->nboxes; i++)
            if (s->boxes[i].elem < n && s->box_of[s->boxes[i].elem] < 0)
                s->box_of[s->boxes[i].elem] = (int32_t)i;
        /* the objects: every live element but the MOREs, numbered in table order */
        s->num = oc_xmalloc(n * sizeof *s->num);
        for (size_t e = 0; e < n; e++)
            s->num[e] = live[e] && e >= OC_SREF_DOCUMENT && s->se[e].type != OC_SE_MORE ? s->nobj++
                                                                                        : NO_OBJ;
    }

    HPDF_Dict root = new_dict(pdf);
    CHECK(root);
    CHECK(HPDF_Dict_AddName(root, "Type", "StructTreeRoot") == HPDF_OK);
    s->root = root;
    s->pdf = pdf;
    root->attr = s;
    root->write_fn = write_root; /* /K and /ParentTree */
    CHECK(HPDF_Dict_AddNumber(root, "ParentTreeNextKey", (HPDF_INT32)(npages + s->nannots)) ==
          HPDF_OK);
    if (!s->num) s->nmarks = 0; /* no table: nothing to point at */

    /* pages: /Tabs /S, /StructParents on those with marked content */
    uint32_t last = UINT32_MAX;
    for (size_t i = 0; i < s->nmarks; i++) {
        const mark *m = &s->marks[i];
        if (m->mcid < 0 || m->page == last || m->page >= npages) continue;
        last = m->page;
        CHECK(HPDF_Dict_AddNumber(pages[m->page], "StructParents", (HPDF_INT32)m->page) == HPDF_OK);
    }
    for (size_t i = 0; i < npages; i++)
        CHECK(HPDF_Dict_AddName(pages[i], "Tabs", "S") == HPDF_OK);

    /* the catalog */
    HPDF_Dict cat = pdf->catalog, mi = HPDF_Dict_New(pdf->mmgr), vp = HPDF_Dict_New(pdf->mmgr);
    CHECK(cat && mi && vp);
    CHECK(HPDF_Dict_Add(mi, "Marked", HPDF_Boolean_New(pdf->mmgr, HPDF_TRUE)) == HPDF_OK);
    CHECK(HPDF_Dict_Add(cat, "MarkInfo", mi) == HPDF_OK);
    CHECK(HPDF_Dict_Add(cat, "StructTreeRoot", root) == HPDF_OK);
    const char *lang = doc && doc->meta.language ? doc->meta.language : "en-US";
    CHECK(HPDF_Dict_Add(cat, "Lang", HPDF_String_New(pdf->mmgr, lang, NULL)) == HPDF_OK);
    CHECK(HPDF_Dict_Add(vp, "DisplayDocTitle", HPDF_Boolean_New(pdf->mmgr, HPDF_TRUE)) == HPDF_OK);
    CHECK(HPDF_Dict_Add(cat, "ViewerPreferences", vp) == HPDF_OK);
    xmp_packet(&xmp, doc, producer, date);
    CHECK(!xmp.overflow);
    HPDF_Dict meta = HPDF_DictStream_New(pdf->mmgr, pdf->xref);
    CHECK(meta);
    meta->filter = HPDF_STREAM_FILTER_NONE; /* uncompressed, as PDF/A and UA readers expect */
    CHECK(HPDF_Dict_AddName(meta, "Type", "Metadata") == HPDF_OK);
    CHECK(HPDF_Dict_AddName(meta, "Subtype", "XML") == HPDF_OK);
    CHECK(HPDF_Stream_Write(meta->stream, (const HPDF_BYTE *)xmp.data, (HPDF_UINT)xmp.len) ==
          HPDF_OK);
    CHECK(HPDF_Dict_Add(cat, "Metadata", meta) == HPDF_OK);
    /* tagged PDF and PDF/UA: PDF 1.7 */
    pdf->pdf_version = HPDF_VER_17;
done:
    free(live);
    free(fill);
    oc_buf_free(&xmp);
    return st;
}
