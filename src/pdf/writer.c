/* The PDF writer: draws the layout engine's pages with libharu.
 *
 * One walk over the pages with one switch on the item kind. Before it, a
 * first pass creates every page and every named destination (links may point
 * forward); after it come bookmarks, page labels, the Info dictionary, our
 * own ToUnicode CMaps (replacing libharu 2.3's malformed ones) and the save
 * into memory.
 *
 * Fonts: each oc_font_id that some TEXT item uses is embedded once as a
 * Type0/CIDFontType2 font of our own (Identity-H). Text is shaped word by
 * word with HarfBuzz through the same oc_shaper the layout measured with,
 * and drawn as glyph ids: the 2-byte code (CID) is the glyph's id in the
 * font file, and the CIDToGIDMap maps it to the glyph's id in the subset.
 * The ToUnicode CMap gives each glyph the characters of the cluster it was
 * first drawn for (a ligature all its letters); a cluster its glyphs do not
 * spell out (a reordered vowel sign, a glyph drawn for other characters
 * before) is wrapped in a /Span with /ActualText.
 *
 * Errors: libharu's error handler records the error code in the writer
 * context (its user_data; no global jmp_buf); every HPDF call is checked and
 * the first failure is reported with what was being done. */
#include "octavo/image.h"
#include "octavo/pdf.h"
#include "pdf/marks.h"
#include "pdf/pdf_internal.h"
#include "util/deflate.h"

#include <hb-ot.h>
#include <hb-subset.h>
#include <hb.h>
#include <hpdf.h>
#include <hpdf_annotation.h>
#include <hpdf_doc.h>
#include <hpdf_info.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OC_PRODUCER "octavo " OC_PDF_VERSION_TEXT " (libharu " HPDF_VERSION_TEXT ")"
#define OC_PDF_VERSION_TEXT "0.1"

typedef struct {
    const char *name;
    HPDF_Destination dst;
} dest_slot;

/* A destination made before its page (see writer_begin): its array is
 * filled when the page is. */
typedef struct {
    size_t page;
    HPDF_Destination dst;
    double x, y;
} dest_pending;

typedef struct {
    const oc_asset *asset;
    HPDF_Image image; /* NULL after a failed load (warned once) */
} image_slot;

/* Pages' content deflated on a second thread: the main thread draws page
 * n+1 while page n is compressed, and writes each result into libharu (whose
 * memory pool is not thread-safe) in page order. A ring of slots; the bytes
 * are the same as deflating in line. */
#define ZRING 8
typedef struct {
    size_t page;
    oc_buf raw, z;
    int state; /* 0 free, 1 waiting for the deflater, 2 deflated */
    int ok;
} zslot;

/* A fill colour's operator ("r g b rg"), formatted once: a highlighted
 * code page changes colour at almost every token, among a dozen colours. */
typedef struct {
    oc_color c;
    unsigned char len; /* 0: empty */
    char op[39];
} color_slot;
#define COLOR_SLOTS 16

/* An ASCII character's glyph in one font, once mapped (ToUnicode) and drawn:
 * the nominal path's per-character lookups, kept. */
typedef struct {
    uint16_t gid;
    uint8_t ok, drawn;
    float pdf, exact; /* its /W width and the layout's advance (thousandths of an em) */
} ascii_glyph;

struct oc_pdf_writer {
    HPDF_Doc pdf;
    oc_diag *diag;
    HPDF_STATUS err, err_detail; /* last error seen by the handler */
    int failed;
    int finished; /* oc_pdf_writer_finish succeeded: ready to save */

    const oc_fontset *fonts;
    /* per font, made when a page first draws with it: the Type0 font and its
     * CIDFontType2 (dictionaries of ours; libharu only stores and writes
     * them), and the font file as HarfBuzz reads it (glyph ids, widths and,
     * at the end, the subset) */
    HPDF_Dict font[OC_FONT_COUNT], cidfont[OC_FONT_COUNT];
    hb_face_t *face[OC_FONT_COUNT];
    hb_font_t *hbfont[OC_FONT_COUNT];
    unsigned upem[OC_FONT_COUNT];
    uint8_t *used[OC_FONT_COUNT]; /* glyphs drawn per font: 65536 bits */
    float *adv[OC_FONT_COUNT];    /* per glyph drawn: its /W width (0.01 em/1000) */
    /* per glyph: the characters it stands for, tu_off[g] - 1 code points
     * into tu_pool (0: none yet), tu_len[g] of them */
    uint32_t *tu_off[OC_FONT_COUNT];
    uint8_t *tu_len[OC_FONT_COUNT];
    ascii_glyph *ascii[OC_FONT_COUNT]; /* 128 each, made at the first nominal word */
    int8_t script_face[OC_FONT_COUNT]; /* has letters of oc_script_run's scripts: 1, -1 not, 0 ? */
    hb_codepoint_t space[OC_FONT_COUNT]; /* the space's glyph (0: none) */
    uint32_t *tu_pool;
    size_t tu_n, tu_cap;
    oc_shaper *shaper;     /* the page's (oc_page.shaper), else own_shaper */
    oc_shaper *own_shaper; /* made at the first text drawn without one */
    const char *language;
    oc_buf clean; /* an item's text without controls */
    HPDF_Encoder utf8;

    HPDF_Page *pages; /* made as they are drawn (new_page); NULL before */
    size_t pages_made;
    dest_pending *pending; /* in page order; [pending_next, npending) not filled yet */
    size_t npending, pending_next;
    HPDF_Dict fonts_res; /* the one /Font dictionary every page's resources name */
    dest_slot *dests;    /* open addressing, power-of-two capacity */
    size_t ndests, dest_cap;
    image_slot *images;
    size_t nimages, image_cap;
    double image_dpi;          /* SVGs are drawn at this resolution (0: OC_PDF_SCREEN_DPI) */
    const char *svg_fonts_dir; /* and their text set in these fonts (NULL: the system's) */
    oc_buf scratch;
    const char *long_uri;           /* the last link too long for an annotation, warned about */
    oc_buf content;                 /* the page being drawn (then handed to a ring slot) */
    color_slot colors[COLOR_SLOTS]; /* fill operators written so far */
    /* Highlighted code's colours, as /Hl: [/Indexed /DeviceRGB hival lookup]
     * (made at its first use, its hival and lookup added by
     * oc_pdf_writer_finish): a colour change inside a code line is then
     * "3 sc" where "0.769 0.094 0.235 rg" was, 60% of the switch's bytes;
     * a code-heavy book changes colour at almost every token. */
    oc_color palette[255];
    char palette_op[255][8]; /* "N sc\n" */
    uint8_t palette_oplen[255];
    int npalette;
    uint8_t palette_slot[512]; /* 1 + index, by a hash of the colour (0: empty) */
    HPDF_Array hl_space;       /* NULL until the first use */
    HPDF_Dict hl_spaces;       /* the /ColorSpace dictionary naming it */
    HPDF_Dict root_res;        /* the resources every page inherits */
    size_t npages;
    double width, height;
    int marks; /* --marks: trim and bleed boxes, crop marks outside them */

    const oc_pdf_stream *stream; /* where the save goes (NULL: its buffer) */
    oc_pdf_struct *st;           /* what the pages' marked content belongs to (struct.c) */
    int untagged;                /* OCTAVO_TAGGED=0: no marked content, no structure tree */

    zslot ring[ZRING];
    oc_deflater zs;     /* the deflater's (see deflate_slot) */
    oc_deflater img_zs; /* images' (the drawing thread's) */
    oc_buf img_z;
    size_t zhead, ztail, zwork; /* next slot to fill, to write out, to deflate */
    int zthreaded, zquit;
    pthread_t zthread;
    pthread_mutex_t zmu;
    pthread_cond_t zcv;
};
typedef struct oc_pdf_writer writer;

/* ---- errors ---------------------------------------------------------------- */

static void on_hpdf_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data) {
    writer *w = user_data;
    w->err = error_no;
    w->err_detail = detail_no;
    w->failed = 1;
}

/* Reports the pending libharu error (or a plain failure) while doing `what`. */
static oc_status fail(writer *w, oc_status st, const char *what) {
    if (w->err)
        oc_diag_report(w->diag, OC_ERROR, NULL, 0, 0,
                       "PDF writer: %s failed (libharu error 0x%04X, detail %u)", what,
                       (unsigned)w->err, (unsigned)w->err_detail);
    else
        oc_diag_report(w->diag, OC_ERROR, NULL, 0, 0, "PDF writer: %s failed", what);
    return st;
}

#define CHECK_HPDF(call, what)                                                                     \
    do {                                                                                           \
        if ((call) != HPDF_OK || w->failed) {                                                      \
            st = fail(w, OC_ERR_INTERNAL, what);                                                   \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

#define CHECK_PTR(ptr, what)                                                                       \
    do {                                                                                           \
        if (!(ptr) || w->failed) {                                                                 \
            st = fail(w, OC_ERR_INTERNAL, what);                                                   \
            goto done;                                                                             \
        }                                                                                          \
    } while (0)

/* ---- named destinations: a string hash map ---------------------------------- */

static uint64_t hash_str(const char *s) {
    return oc_fnv1a_str(s, OC_FNV_OFFSET);
}

static dest_slot *dest_find(writer *w, const char *name) {
    if (!w->dest_cap || !name) return NULL;
    size_t mask = w->dest_cap - 1;
    for (size_t i = hash_str(name) & mask;; i = (i + 1) & mask) {
        if (!w->dests[i].name) return NULL;
        if (strcmp(w->dests[i].name, name) == 0) return &w->dests[i];
    }
}

static void dest_put(writer *w, const char *name, HPDF_Destination dst) {
    if (2 * (w->ndests + 1) > w->dest_cap) {
        size_t old_cap = w->dest_cap;
        dest_slot *old = w->dests;
        w->dest_cap = old_cap ? old_cap * 2 : 64;
        w->dests = oc_xcalloc(w->dest_cap, sizeof *w->dests);
        w->ndests = 0;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].name) dest_put(w, old[i].name, old[i].dst);
        free(old);
    }
    size_t mask = w->dest_cap - 1;
    size_t i = hash_str(name) & mask;
    while (w->dests[i].name)
        i = (i + 1) & mask;
    w->dests[i].name = name;
    w->dests[i].dst = dst;
    w->ndests++;
}

/* A destination showing `page` with `top` at the window's top, keeping the
 * reader's zoom: [page /XYZ left top null]. libharu's SetXYZ insists on a
 * zoom factor, so the array is rebuilt with a null zoom. */
static int fill_dest(writer *w, HPDF_Destination dst, HPDF_Page page, double left, double top) {
    if (left < 0) left = 0;
    if (top < 0) top = 0;
    HPDF_Array_Clear(dst);
    HPDF_STATUS s = HPDF_Array_Add(dst, page);
    s += HPDF_Array_AddName(dst, "XYZ");
    s += HPDF_Array_AddReal(dst, (HPDF_REAL)left);
    s += HPDF_Array_AddReal(dst, (HPDF_REAL)top);
    s += HPDF_Array_Add(dst, HPDF_Null_New(w->pdf->mmgr));
    return s == HPDF_OK && !w->failed;
}

/* An empty destination array (an indirect object, so links can point at
 * it), filled by fill_dest once its page exists. */
static HPDF_Destination empty_dest(writer *w) {
    HPDF_Destination dst = HPDF_Array_New(w->pdf->mmgr);
    if (!dst) return NULL;
    dst->header.obj_class |= HPDF_OSUBCLASS_DESTINATION;
    return HPDF_Xref_Add(w->pdf->xref, dst) == HPDF_OK && !w->failed ? dst : NULL;
}

static HPDF_Destination make_dest(writer *w, HPDF_Page page, double left, double top) {
    HPDF_Destination dst = empty_dest(w);
    return dst && fill_dest(w, dst, page, left, top) ? dst : NULL;
}

/* A link annotation on `page` to `dst`, which may still be empty (a page
 * further on): HPDF_Page_CreateLinkAnnot would refuse that, so this does
 * what it does (hpdf_pages.c, AddAnnotation) without the check. */
static HPDF_Annotation link_annot(writer *w, HPDF_Page page, HPDF_Rect r, HPDF_Destination dst) {
    HPDF_Annotation a = HPDF_LinkAnnot_New(w->pdf->mmgr, w->pdf->xref, r, dst);
    if (!a) return NULL;
    HPDF_Array annots = HPDF_Dict_GetItem(page, "Annots", HPDF_OCLASS_ARRAY);
    if (!annots) {
        annots = HPDF_Array_New(w->pdf->mmgr);
        if (!annots || HPDF_Dict_Add(page, "Annots", annots) != HPDF_OK) return NULL;
    }
    if (HPDF_Array_Add(annots, a) != HPDF_OK || HPDF_Dict_Add(a, "P", page) != HPDF_OK) return NULL;
    return w->failed ? NULL : a;
}

/* ---- strings ------------------------------------------------------------------ */

/* The longest string PDF readers take (PDF 1.7, annex C: 32,767 bytes);
 * libharu refuses strings above 65,535. */
#define OC_PDF_STRING_MAX 32767

/* How many bytes of s to quote in a message: up to 40, whole characters. */
static int quote_len(const char *s) {
    size_t k = strnlen(s, 40);
    if (s[k])
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
            k--;
    return (int)k;
}

/* A PDF text string (UTF-16BE with BOM) as a libharu object. A string too
 * long for PDF readers is cut at a character boundary, with a warning
 * naming `what`. */
static void *text_string(writer *w, const char *s, const char *what) {
    size_t len = strlen(s), cut = 0, bytes = 2, chars = 0;
    while (cut < len) {
        size_t next = cut;
        uint32_t cp = oc_utf8_next(s, len, &next);
        size_t units = cp > 0xFFFF && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) ? 4 : 2;
        if (bytes + units > OC_PDF_STRING_MAX) break;
        bytes += units;
        cut = next;
        chars++;
    }
    if (cut < len)
        oc_diag_report(w->diag, OC_WARNING, NULL, 0, 0,
                       "PDF writer: the %s ('%.*s...') is longer than PDF readers accept; "
                       "cut to its first %zu characters",
                       what, quote_len(s), s, chars);
    oc_buf_reset(&w->scratch);
    oc_pdf_utf16be(&w->scratch, s, cut);
    return HPDF_Binary_New(w->pdf->mmgr, (HPDF_BYTE *)w->scratch.data, (HPDF_UINT)w->scratch.len);
}

/* Percent-encodes bytes a URI may not hold literally (non-ASCII, spaces,
 * controls); the result lives in scratch. */
static const char *prepare_uri(writer *w, const char *uri) {
    static const char hex[] = "0123456789ABCDEF";
    oc_buf_reset(&w->scratch);
    for (const unsigned char *p = (const unsigned char *)uri; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7F || *p == '"' || *p == '<' || *p == '>' || *p == '\\') {
            oc_buf_putc(&w->scratch, '%');
            oc_buf_putc(&w->scratch, hex[*p >> 4]);
            oc_buf_putc(&w->scratch, hex[*p & 15]);
        } else {
            oc_buf_putc(&w->scratch, (char)*p);
        }
    }
    oc_buf_putc(&w->scratch, '\0');
    return w->scratch.data;
}

/* ---- fonts and images ------------------------------------------------------------ */

/* Glyph g of font f stands for cps[0..n) in the ToUnicode CMap: set when
 * it has no characters yet; returns 1 when its characters are these. */
static int map_glyph(writer *w, oc_font_id f, uint32_t g, const uint32_t *cps, size_t n) {
    g &= 0xFFFF;
    if (n == 0 || n > OC_TOUNICODE_MAX) return 0;
    uint32_t off = w->tu_off[f][g];
    if (off) {
        const uint32_t *have = w->tu_pool + off - 1;
        if (w->tu_len[f][g] != n) return 0;
        for (size_t i = 0; i < n; i++) /* (mostly one: no call to memcmp) */
            if (have[i] != cps[i]) return 0;
        return 1;
    }
    if (w->tu_n + n > w->tu_cap) {
        w->tu_cap = w->tu_cap ? w->tu_cap * 2 : 4096;
        w->tu_pool = oc_xrealloc(w->tu_pool, w->tu_cap * sizeof *w->tu_pool);
    }
    memcpy(w->tu_pool + w->tu_n, cps, n * sizeof *cps);
    w->tu_off[f][g] = (uint32_t)w->tu_n + 1;
    w->tu_len[f][g] = (uint8_t)n;
    w->tu_n += n;
    return 1;
}

/* Text is drawn with 2-byte codes equal to the character's BMP code point
 * (Identity-H), mapped to glyphs by a CIDToGIDMap, so the fonts are plain
 * CIDFontType2 dictionaries we make ourselves: libharu 2.3's own TrueType
 * fonts (HPDF_GetFont) parse the whole font file and map all 65,536 codes
 * through a linear cmap search when created, about 50 ms for a book's
 * fonts, and then write malformed ToUnicode maps, /W arrays for every code
 * and whole font tables, all of which we replaced anyway. */
static oc_status load_font(writer *w, oc_font_id f) {
    oc_status st = OC_OK;
    const char *path = oc_fonts_path(w->fonts, f);
    if (!path) return fail(w, OC_ERR_INTERNAL, "finding a font file");
    /* the face the layout measured with (the file is read once) */
    hb_face_t *face = oc_fonts_face(w->fonts, f);
    if (face) face = hb_face_reference(face);
    if (!face || hb_face_get_glyph_count(face) == 0 || hb_face_get_upem(face) == 0) {
        if (face) hb_face_destroy(face);
        oc_diag_report(w->diag, OC_ERROR, path, 0, 0, "cannot read this font to embed it");
        return OC_ERR_IO;
    }
    w->face[f] = face;
    w->hbfont[f] = hb_font_create(face); /* scale: font units */
    w->upem[f] = hb_face_get_upem(face);
    w->used[f] = oc_xcalloc(65536 / 8, 1);
    w->tu_off[f] = oc_xcalloc(65536, sizeof *w->tu_off[f]);
    w->tu_len[f] = oc_xcalloc(65536, 1);
    /* the space glyph stands for U+0020, even where HarfBuzz draws it for
     * a default-ignorable character (a zero-width non-joiner) */
    hb_codepoint_t space = 0;
    if (hb_font_get_nominal_glyph(w->hbfont[f], ' ', &space) && space)
        map_glyph(w, f, space, (const uint32_t[]){' '}, 1);
    w->space[f] = space;
    w->adv[f] = oc_xcalloc(65536, sizeof *w->adv[f]);

    HPDF_MMgr mm = w->pdf->mmgr;
    HPDF_Dict type0 = HPDF_Dict_New(mm), cid = HPDF_Dict_New(mm), info = HPDF_Dict_New(mm);
    HPDF_Array desc = HPDF_Array_New(mm);
    CHECK_PTR(type0 && cid && info && desc, "creating a font");
    CHECK_HPDF(HPDF_Xref_Add(w->pdf->xref, type0), "creating a font");
    CHECK_HPDF(HPDF_Xref_Add(w->pdf->xref, cid), "creating a font");
    CHECK_HPDF(HPDF_Dict_AddName(type0, "Type", "Font"), "creating a font");
    CHECK_HPDF(HPDF_Dict_AddName(type0, "Subtype", "Type0"), "creating a font");
    CHECK_HPDF(HPDF_Dict_AddName(type0, "Encoding", "Identity-H"), "creating a font");
    CHECK_HPDF(HPDF_Array_Add(desc, cid), "creating a font");
    CHECK_HPDF(HPDF_Dict_Add(type0, "DescendantFonts", desc), "creating a font");
    CHECK_HPDF(HPDF_Dict_AddName(cid, "Type", "Font"), "creating a font");
    CHECK_HPDF(HPDF_Dict_AddName(cid, "Subtype", "CIDFontType2"), "creating a font");
    CHECK_HPDF(HPDF_Dict_Add(info, "Registry", HPDF_String_New(mm, "Adobe", NULL)),
               "creating a font");
    CHECK_HPDF(HPDF_Dict_Add(info, "Ordering", HPDF_String_New(mm, "Identity", NULL)),
               "creating a font");
    CHECK_HPDF(HPDF_Dict_AddNumber(info, "Supplement", 0), "creating a font");
    CHECK_HPDF(HPDF_Dict_Add(cid, "CIDSystemInfo", info), "creating a font");
    w->font[f] = type0;
    w->cidfont[f] = cid;
done:
    return st;
}

/* An image stream of ours, deflated here: libharu's own Flate filter would
 * keep the raw samples in its memory until the save, for every image. */
#define IMAGE_LEVEL 6
static HPDF_STATUS write_flate_filter(HPDF_Dict obj, HPDF_Stream stream);
static HPDF_Dict image_stream(writer *w, const unsigned char *data, size_t len, int width,
                              int height, const char *space) {
    HPDF_Dict d = NULL;
    if (!oc_deflate(&w->img_zs, IMAGE_LEVEL, OC_DEFLATE_ZLIB, data, len, &w->img_z) ||
        w->img_z.len > 0x7FFFFFFF)
        goto done;
    const unsigned char *z = (const unsigned char *)w->img_z.data;
    size_t zlen = w->img_z.len;
    d = HPDF_DictStream_New(w->pdf->mmgr, w->pdf->xref);
    if (!d) goto done;
    d->filter = HPDF_STREAM_FILTER_NONE;
    d->write_fn = write_flate_filter;
    if (HPDF_Stream_Write(d->stream, z, (HPDF_UINT)zlen) != HPDF_OK) d = NULL;
    if (d && width > 0 &&
        (HPDF_Dict_AddName(d, "Type", "XObject") != HPDF_OK ||
         HPDF_Dict_AddName(d, "Subtype", "Image") != HPDF_OK ||
         HPDF_Dict_AddNumber(d, "Width", width) != HPDF_OK ||
         HPDF_Dict_AddNumber(d, "Height", height) != HPDF_OK ||
         HPDF_Dict_AddNumber(d, "BitsPerComponent", 8) != HPDF_OK ||
         (space && HPDF_Dict_AddName(d, "ColorSpace", space) != HPDF_OK)))
        d = NULL;
done:
    return d;
}

/* The pixels an SVG is drawn into: the size it is shown at (wpt x hpt
 * points) at the writer's resolution, within OC_SVG_MAX_RASTER (warned). */
static oc_status svg_pixels(writer *w, const oc_asset *a, double wpt, double hpt,
                            oc_image_pixels *px, char *why) {
    double dpi = w->image_dpi > 0 ? w->image_dpi : OC_PDF_SCREEN_DPI;
    double pw = ceil(wpt * dpi / 72), ph = ceil(hpt * dpi / 72);
    if (pw < 1) pw = 1;
    if (ph < 1) ph = 1;
    if (pw * ph > OC_SVG_MAX_RASTER) {
        double s = sqrt(OC_SVG_MAX_RASTER / (pw * ph));
        pw = floor(pw * s), ph = floor(ph * s);
        if (pw < 1) pw = 1;
        if (ph < 1) ph = 1;
        oc_diag_report(w->diag, OC_WARNING, a->path, 0, 0,
                       "SVG drawn at %.0fx%.0f pixels, below %.0f dpi (octavo's limit is %u "
                       "million pixels an image)",
                       pw, ph, dpi, OC_SVG_MAX_RASTER / 1000000);
    }
    return oc_image_render_svg(a->data, a->size, (int)pw, (int)ph, w->svg_fonts_dir, px, why);
}

/* A PNG, GIF, WebP or SVG becomes an image XObject of ours: its samples
 * decoded (an SVG drawn) to 8 bits (grey or RGB), an /SMask of 8-bit alpha
 * when some pixel is not opaque, and a PNG's ICC profile as an ICCBased
 * colour space when it has one that fits (otherwise the device space, which
 * is what the profile-less file means too). *img stays NULL, with a warning,
 * when the file cannot be decoded (the loader checked it, but layouts are
 * also built elsewhere). */
static oc_status raster_image(writer *w, const oc_asset *a, double wpt, double hpt,
                              HPDF_Image *img) {
    oc_status st = OC_OK;
    oc_image_pixels px;
    char why[256] = "";
    oc_status ds = a->kind == OC_IMG_SVG    ? svg_pixels(w, a, wpt, hpt, &px, why)
                   : a->kind == OC_IMG_GIF  ? oc_image_decode_gif(a->data, a->size, &px, why)
                   : a->kind == OC_IMG_WEBP ? oc_image_decode_webp(a->data, a->size, &px, why)
                                            : oc_image_decode_png(a->data, a->size, &px, why);
    if (ds != OC_OK) {
        oc_diag_report(w->diag, OC_WARNING, a->path, 0, 0, "image left out of the PDF: %s", why);
        return OC_OK;
    }
    const char *dev = px.channels == 1 ? "DeviceGray" : "DeviceRGB";
    size_t npx = (size_t)px.width * (size_t)px.height;
    HPDF_Dict d = image_stream(w, px.samples, npx * (size_t)px.channels, px.width, px.height,
                               px.icc ? NULL : dev);
    CHECK_PTR(d, "writing an image");
    if (px.icc) {
        HPDF_Dict icc = image_stream(w, px.icc, px.icc_len, 0, 0, NULL);
        HPDF_Array cs = HPDF_Array_New(w->pdf->mmgr);
        CHECK_PTR(icc && cs, "writing an image's ICC profile");
        CHECK_HPDF(HPDF_Dict_AddNumber(icc, "N", px.channels), "writing an image's ICC profile");
        CHECK_HPDF(HPDF_Dict_AddName(icc, "Alternate", dev), "writing an image's ICC profile");
        CHECK_HPDF(HPDF_Dict_Add(d, "ColorSpace", cs), "writing an image's ICC profile");
        CHECK_HPDF(HPDF_Array_AddName(cs, "ICCBased"), "writing an image's ICC profile");
        CHECK_HPDF(HPDF_Array_Add(cs, icc), "writing an image's ICC profile");
    }
    if (px.alpha) {
        HPDF_Dict m = image_stream(w, px.alpha, npx, px.width, px.height, "DeviceGray");
        CHECK_PTR(m, "writing an image's transparency");
        CHECK_HPDF(HPDF_Dict_Add(d, "SMask", m), "writing an image's transparency");
        if (w->pdf->pdf_version < HPDF_VER_14) w->pdf->pdf_version = HPDF_VER_14; /* SMask */
    }
    *img = d;
done:
    oc_image_pixels_free(&px);
    return st;
}

/* The image object for asset a, made on first use (an SVG drawn for the
 * wpt x hpt points it first takes); *img is NULL when the image is left
 * out (warned once). */
static oc_status get_image(writer *w, const oc_asset *a, double wpt, double hpt, HPDF_Image *img) {
    oc_status st = OC_OK;
    *img = NULL;
    for (size_t i = 0; i < w->nimages; i++)
        if (w->images[i].asset == a) {
            *img = w->images[i].image;
            return OC_OK;
        }
    oc_image_info probe;
    char why[256] = "";
    memset(&probe, 0, sizeof probe);
    /* a PNG, GIF, WebP or SVG is checked by its decoding; a JPEG's header
     * again here, since this also serves layouts built without the loader */
    if (!a->data ||
        (a->kind != OC_IMG_PNG && a->kind != OC_IMG_GIF && a->kind != OC_IMG_WEBP &&
         a->kind != OC_IMG_SVG &&
         (oc_image_probe(a->data, a->size, &probe, why) != 0 || probe.kind != a->kind))) {
        oc_diag_report(w->diag, OC_WARNING, a->path, 0, 0, "image left out of the PDF: %s",
                       why[0] ? why : "not the image it was taken for");
        goto remember;
    }
    if (a->kind != OC_IMG_JPEG) {
        if ((st = raster_image(w, a, wpt, hpt, img)) != OC_OK) return st;
    } else {
        /* JPEG passes through as DCT data; the probe checked its header */
        *img = HPDF_LoadJpegImageFromMem(w->pdf, a->data, (HPDF_UINT)a->size);
        if (!*img || w->failed) {
            /* not fatal: the rest of the book is still worth having */
            oc_diag_report(w->diag, OC_WARNING, a->path, 0, 0,
                           "image left out of the PDF: libharu cannot read it (error 0x%04X)",
                           (unsigned)w->err);
            HPDF_ResetError(w->pdf);
            w->failed = 0;
            w->err = w->err_detail = 0;
            *img = NULL;
        }
    }
remember:
    if (w->nimages == w->image_cap) {
        w->image_cap = w->image_cap ? w->image_cap * 2 : 16;
        w->images = oc_xrealloc(w->images, w->image_cap * sizeof *w->images);
    }
    w->images[w->nimages++] = (image_slot){a, *img};
    return st;
}

/* ---- drawing ------------------------------------------------------------------------ */

/* Page content is written here, not through libharu's page operators: one
 * TJ array per run of text on a baseline (word gaps as a space glyph plus
 * an exact adjustment), literal strings of 2-byte codes, no redundant state
 * changes; then the page's stream is deflated by libdeflate at CONTENT_LEVEL
 * (libharu hard-codes zlib's default level, which cost three times as much
 * as zlib's level 2 for 8% smaller content; libdeflate's level 1 takes half
 * the instructions of zlib's level 2 and is 2% smaller again: README,
 * Speed) and handed to libharu with its /Filter written by
 * write_flate_filter. Resources (fonts, images) are still registered
 * through libharu, which names them. Glyph subsetting: the first width
 * lookup of a code in a font marks its glyph, as libharu's own TextOut does. */
#define CONTENT_LEVEL 1

typedef struct {
    oc_buf *out;
    HPDF_Page page;
    int in_text, in_tj;
    int in_str;   /* a literal string of glyph codes is open inside the TJ array */
    int last_num; /* the TJ array's last element is a number */
    int font;     /* oc_font_id in the text state, -1 none */
    double size;
    double lx, ly; /* the text line matrix origin (last Td) */
    double pen;    /* x of the current text position on the line ly */
    int placed;    /* a Td has set the line in this text object */
    double rise;   /* the text rise (Ts) in force, points */
    int have_fill, have_stroke, have_width;
    oc_color fill, stroke;
    double width;
    int tagged;         /* a marked-content sequence is open */
    uint32_t tag_ref;   /* ... of this element (or artifact) */
    double tag_y;       /* ... for text on this baseline */
    char tag[16];       /* ... with this tag */
    const char *lang;   /* ... and this /Lang (a run in another script), NULL none */
    uint32_t actual;    /* the element an /ActualText span's MCID belongs to, 0 none */
    size_t index;       /* the page's */
    color_slot *colors; /* the writer's */
    writer *w;
    int fill_hl; /* the fill colour space is /Hl (the writer's palette) */
} page_state;

static double clamp01(double v) {
    return v < 0 ? 0 : v > 1 ? 1 : v;
}

/* v rounded to `dec` decimals (0..3), as written and as the reader sees it.
 * (round() rounds halves away from zero as llround() does, without the
 * conversion to an integer and back: a few times cheaper, and it runs for
 * every item drawn.) */
static double rounded(double v, int dec) {
    static const double scale[] = {1, 10, 100, 1000};
    return round(v * scale[dec]) / scale[dec];
}

/* Writes v with at most `dec` decimals, no exponent, no trailing zeros,
 * followed by `sep` (if not 0). */
static void put_num(oc_buf *b, double v, int dec, char sep) {
    static const long long scale[] = {1, 10, 100, 1000};
    char tmp[48], *p = tmp + sizeof tmp;
    long long n = (long long)round(v * (double)scale[dec]); /* (llround's value) */
    int neg = n < 0;
    unsigned long long u = neg ? (unsigned long long)(-(n + 1)) + 1 : (unsigned long long)n;
    unsigned long long ip = u / (unsigned long long)scale[dec],
                       fp = u % (unsigned long long)scale[dec];
    if (sep) *--p = sep;
    if (fp) {
        int d = dec;
        while (fp % 10 == 0) {
            fp /= 10;
            d--;
        }
        for (; d > 0; d--) {
            *--p = (char)('0' + fp % 10);
            fp /= 10;
        }
        *--p = '.';
    }
    do {
        *--p = (char)('0' + ip % 10);
        ip /= 10;
    } while (ip);
    if (neg && (u != 0)) *--p = '-';
    oc_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

static void put_color(oc_buf *b, oc_color c, const char *op) {
    put_num(b, clamp01(c.r), 3, ' ');
    put_num(b, clamp01(c.g), 3, ' ');
    put_num(b, clamp01(c.b), 3, ' ');
    oc_buf_puts(b, op);
}

static HPDF_STATUS write_flate_filter(HPDF_Dict obj, HPDF_Stream stream) {
    (void)obj;
    return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

/* The glyph font f draws for `code` (0, .notdef, when it has none). */
static hb_codepoint_t glyph_of(const writer *w, oc_font_id f, uint32_t code) {
    hb_codepoint_t g = 0;
    if (!hb_font_get_nominal_glyph(w->hbfont[f], code, &g)) g = 0;
    return g;
}

/* The first code at or after c that font f has drawn, 65536 when none:
 * whole empty 64-code words of the bitmap are skipped. */
static uint32_t next_used(const writer *w, oc_font_id f, uint32_t c) {
    const uint8_t *u = w->used[f];
    while (c < 65536) {
        if ((c & 63) == 0) {
            uint64_t word;
            memcpy(&word, u + (c >> 3), sizeof word);
            if (!word) {
                c += 64;
                continue;
            }
        }
        if (u[c >> 3] >> (c & 7) & 1) return c;
        c++;
    }
    return 65536;
}

#define FOR_USED(w, f, c)                                                                          \
    for (uint32_t c = next_used(w, f, 0); c < 65536; c = next_used(w, f, c + 1))

/* The advance of glyph `gid` in font f in thousandths of an em, to two
 * decimals, as the PDF's /W array gives it (so the reader's pen drifts from
 * the shaper's by less than 0.005 per glyph); the first lookup marks the
 * glyph as drawn. */
static double advance(writer *w, oc_font_id f, uint32_t gid) {
    gid &= 0xFFFF;
    if (!(w->used[f][gid >> 3] >> (gid & 7) & 1)) {
        long units = hb_font_get_glyph_h_advance(w->hbfont[f], gid);
        w->adv[f][gid] = (float)rounded(units * 1000.0 / w->upem[f], 2);
        w->used[f][gid >> 3] |= (uint8_t)(1u << (gid & 7));
    }
    return w->adv[f][gid];
}

/* A glyph's 2-byte code inside a literal string: ( ) and \ escaped, and
 * CR and LF (which a reader would take for an end of line). */
static int code_escape(unsigned char c) {
    return c == '(' || c == ')' || c == '\\' || c == '\n' || c == '\r';
}

static void put_code(oc_buf *b, uint32_t gid) {
    unsigned char by[2] = {(unsigned char)(gid >> 8), (unsigned char)gid};
    char *p = oc_buf_room(b, 4);
    if (p) {
        char *q = p;
        for (int k = 0; k < 2; k++) {
            unsigned char c = by[k];
            if (code_escape(c)) {
                *q++ = '\\';
                c = c == '\n' ? 'n' : c == '\r' ? 'r' : c;
            }
            *q++ = (char)c;
        }
        oc_buf_commit(b, (size_t)(q - p));
        return;
    }
    for (int k = 0; k < 2; k++) {
        unsigned char c = by[k];
        if (code_escape(c)) {
            char e[2] = {'\\', c == '\n' ? 'n' : c == '\r' ? 'r' : (char)c};
            oc_buf_append(b, e, 2);
        } else {
            oc_buf_putc(b, (char)c);
        }
    }
}

static void end_tj(page_state *ps) {
    if (ps->in_str) oc_buf_putc(ps->out, ')');
    ps->in_str = 0;
    if (ps->in_tj) oc_buf_puts(ps->out, "]TJ\n");
    ps->in_tj = 0;
}

static void end_text(page_state *ps) {
    end_tj(ps);
    if (ps->in_text) oc_buf_puts(ps->out, "ET\n");
    ps->in_text = 0;
}

/* Opens a TJ array when none is. */
static void begin_tj(page_state *ps) {
    if (!ps->in_tj) {
        oc_buf_putc(ps->out, '[');
        ps->last_num = 0;
    }
    ps->in_tj = 1;
}

/* Glyph `gid` into the TJ array (consecutive glyphs share one string). */
static void tj_glyph(page_state *ps, uint32_t gid) {
    begin_tj(ps);
    if (!ps->in_str) oc_buf_putc(ps->out, '(');
    ps->in_str = 1;
    put_code(ps->out, gid);
    ps->last_num = 0;
}

/* A position adjustment (thousandths of an em, moving left) into the TJ
 * array, one decimal. */
static void tj_num(page_state *ps, double v) {
    begin_tj(ps);
    if (ps->in_str) oc_buf_putc(ps->out, ')');
    ps->in_str = 0;
    if (ps->last_num) oc_buf_putc(ps->out, ' ');
    put_num(ps->out, v, 1, 0);
    ps->last_num = 1;
}

/* Sets the text rise (Ts) to `rise` points, outside the TJ array. */
static void set_rise(page_state *ps, double rise) {
    rise = rounded(rise, 3);
    if (rise == ps->rise) return;
    end_tj(ps);
    put_num(ps->out, rise, 3, ' ');
    oc_buf_puts(ps->out, "Ts\n");
    ps->rise = rise;
}

/* Which way a word of an item is shaped: an item set right to left shapes
 * its words right to left (so brackets mirror), except words of digits or
 * left-to-right letters without any right-to-left letter. */
static int word_dir(int item_rtl, const char *word, size_t len) {
    if (oc_shape_is_rtl(word, len)) return 1;
    if (!item_rtl) return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)word[i];
        if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) return 0;
    }
    return 1;
}

/* 1 when glyph g is the own glyph of one of the characters cps[0..n). */
static int nominal_in(const writer *w, oc_font_id f, uint32_t g, const uint32_t *cps, size_t n) {
    for (size_t t = 0; t < n; t++)
        if (g != 0 && glyph_of(w, f, cps[t]) == g) return 1;
    return 0;
}

/* Writes `cps` (n code points) as an /ActualText span's opening. */
static void close_tag(page_state *ps);

/* An /ActualText span inside an element's marked content is a sequence of
 * its own with an MCID of the element (the element's sequence closes before
 * it and opens again after): nested marked content inside an MCID sequence
 * ends it for poppler's text extraction by structure. */
static void begin_actual(writer *w, page_state *ps, const uint32_t *cps, size_t n) {
    end_tj(ps);
    ps->actual = 0;
    if (ps->tagged && ps->tag_ref >= OC_SREF_FIRST) {
        ps->actual = ps->tag_ref;
        close_tag(ps);
        oc_buf_puts(ps->out, "/Span<<");
        if (ps->lang) oc_buf_printf(ps->out, "/Lang(%s)", ps->lang);
        oc_buf_printf(ps->out, "/MCID %d/ActualText<",
                      oc_pdf_struct_mcid(w->st, ps->index, ps->actual));
    } else {
        oc_buf_puts(ps->out, "/Span<</ActualText<");
    }
    if (n) oc_buf_puts(ps->out, "FEFF");
    for (size_t t = 0; t < n; t++) {
        uint32_t cp = cps[t];
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
        if (cp > 0xFFFF)
            oc_buf_printf(ps->out, "%04X%04X", 0xD800 + ((cp - 0x10000) >> 10),
                          0xDC00 + ((cp - 0x10000) & 0x3FF));
        else
            oc_buf_printf(ps->out, "%04X", cp);
    }
    oc_buf_puts(ps->out, ">>>BDC\n");
    (void)w;
}

/* An element's sequence: its tag, its /Lang when it has one, a new MCID. */
static void open_mcid(writer *w, page_state *ps, size_t index, uint32_t ref) {
    oc_buf_putc(ps->out, '/');
    oc_buf_puts(ps->out, ps->tag);
    oc_buf_puts(ps->out, "<<");
    if (ps->lang) { /* (tags are [A-Za-z-]) */
        oc_buf_puts(ps->out, "/Lang(");
        oc_buf_puts(ps->out, ps->lang);
        oc_buf_putc(ps->out, ')');
    }
    oc_buf_puts(ps->out, "/MCID ");
    oc_buf_putu(ps->out, (unsigned long)oc_pdf_struct_mcid(w->st, index, ref));
    oc_buf_puts(ps->out, ">>BDC\n");
}

static void end_actual(writer *w, page_state *ps) {
    end_tj(ps);
    oc_buf_puts(ps->out, "EMC\n");
    if (!ps->actual) return;
    open_mcid(w, ps, ps->index, ps->actual);
    ps->tagged = 1;
    ps->tag_ref = ps->actual;
    ps->actual = 0;
}

/* Draws one shaped word at the pen; *pdf is where the PDF reader's pen is
 * (/W widths and adjustments so far), *exact where the shaper's is, both
 * in thousandths of an em from the item's start.
 *
 * Text extraction reads glyphs in the order drawn, by their positions, and
 * pdftotext turns right-to-left text around character by character: so in
 * a right-to-left word a cluster's characters are given in visual order
 * (reversed), which it turns back into the logical order. Within a cluster
 * the glyphs that take room are drawn first, then the marks laid over them
 * (the same picture). A cluster whose glyphs do not spell its characters
 * in drawing order, or whose marks are placed by offsets (which read as
 * another line or word), is given as a whole: an /ActualText span with its
 * characters around the glyphs that take room, and one with no text around
 * its marks. */
static void draw_word(writer *w, page_state *ps, oc_font_id f, double size, int dir,
                      const char *word, size_t len, double *pdf, double *exact) {
    size_t n = 0;
    double width = 0;
    const oc_glyph *g = oc_shaper_word(w->shaper, f, dir, word, len, &n, &width);
    size_t i = 0;
    while (i < n) {
        /* one cluster: glyphs i..k sharing a cluster value; its characters
         * run from that value to the next cluster's (in logical order) */
        size_t k = i + 1;
        while (k < n && g[k].cluster == g[i].cluster && k - i < 64)
            k++;
        /* (a cluster of more than 64 glyphs goes on in pieces without text) */
        int more = i > 0 && g[i - 1].cluster == g[i].cluster;
        if (k == i + 1 && !more && g[i].gid != 0 && g[i].adv != 0 && g[i].dx == 0 && g[i].dy == 0) {
            /* the common case: one glyph for one character, already standing
             * for it (or now made to) */
            size_t at1 = g[i].cluster;
            uint32_t cp = at1 < len ? oc_utf8_next(word, len, &at1) : 0;
            uint32_t next = k < n ? g[k].cluster : (i > 0 ? g[i - 1].cluster : (uint32_t)len);
            int one = at1 == len || at1 == next || (i > 0 && at1 == g[i - 1].cluster);
            if (cp && one && map_glyph(w, f, g[i].gid, &cp, 1)) {
                if (ps->rise != 0) set_rise(ps, 0);
                double diff = *pdf - *exact;
                if (diff >= 0.45 || diff <= -0.45) {
                    double d = rounded(diff, 1);
                    if (fabs(d) >= 0.5) {
                        tj_num(ps, d);
                        *pdf -= d;
                    }
                }
                tj_glyph(ps, g[i].gid);
                *pdf += advance(w, f, g[i].gid);
                *exact += g[i].adv;
                i = k;
                continue;
            }
        }
        /* clusters run monotonically (down for a right-to-left word): the
         * next one in logical order is beside this one */
        uint32_t c0 = g[i].cluster, c1 = (uint32_t)len;
        if (k < n && g[k].cluster > c0 && g[k].cluster < c1) c1 = g[k].cluster;
        if (i > 0 && g[i - 1].cluster > c0 && g[i - 1].cluster < c1) c1 = g[i - 1].cluster;
        uint32_t cps[OC_TOUNICODE_MAX];
        size_t ncp = 0, at = c0;
        int fits = 1;
        while (!more && at < c1 && at < len) {
            uint32_t cp = oc_utf8_next(word, c1, &at);
            if (ncp == OC_TOUNICODE_MAX) {
                fits = 0;
                break;
            }
            cps[ncp++] = cp;
        }
        if (dir)
            for (size_t t = 0; t < ncp / 2; t++) {
                uint32_t x = cps[t];
                cps[t] = cps[ncp - 1 - t];
                cps[ncp - 1 - t] = x;
            }
        /* drawing order: glyphs that take room, then the marks */
        size_t ord[64], nord = 0;
        int placed = 0; /* some mark placed by an offset */
        for (int pass = 0; pass < 2; pass++)
            for (size_t q = i; q < k; q++)
                if ((g[q].adv == 0) == pass && nord < sizeof ord / sizeof *ord) ord[nord++] = q;
        for (size_t q = i; q < k; q++)
            if (g[q].dx != 0 || g[q].dy != 0 || (k - i > 1 && g[q].adv == 0)) placed = 1;
        int spelled = fits && ncp > 0 && nord == k - i && !more;
        if (spelled && k - i == 1) {
            spelled = map_glyph(w, f, g[i].gid, cps, ncp);
        } else if (spelled) {
            /* each glyph that is some character's own glyph stands for it;
             * the others share the characters no glyph of the cluster is */
            uint32_t rest[OC_TOUNICODE_MAX];
            size_t nrest = 0, m = 0, used = 0;
            for (size_t t = 0; t < ncp; t++) {
                hb_codepoint_t own = glyph_of(w, f, cps[t]);
                int drawn = 0;
                for (size_t q = i; q < k && !drawn; q++)
                    drawn = own != 0 && g[q].gid == own;
                if (drawn)
                    map_glyph(w, f, own, &cps[t], 1);
                else
                    rest[nrest++] = cps[t];
            }
            for (size_t q = i; q < k; q++)
                if (!nominal_in(w, f, g[q].gid, cps, ncp)) m++;
            for (size_t t = 0; t < nord; t++) {
                size_t q = ord[t];
                if (nominal_in(w, f, g[q].gid, cps, ncp)) continue;
                if (m == nrest)
                    map_glyph(w, f, g[q].gid, &rest[used++], 1);
                else
                    map_glyph(w, f, g[q].gid, nrest ? rest : cps, nrest ? nrest : ncp);
            }
            /* what the glyphs now stand for, in drawing order, against the cluster */
            size_t got = 0;
            for (size_t t = 0; t < nord && spelled; t++) {
                uint32_t gid = g[ord[t]].gid & 0xFFFF, off = w->tu_off[f][gid];
                size_t len_q = w->tu_len[f][gid];
                if (!off || got + len_q > ncp ||
                    memcmp(w->tu_pool + off - 1, cps + got, len_q * sizeof *cps) != 0)
                    spelled = 0;
                got += len_q;
            }
            if (got != ncp) spelled = 0;
        }
        int actual = !spelled || placed;
        /* the glyphs' positions from the cluster's start */
        double start = *exact, pos[64];
        for (size_t q = i, t = 0; q < k; q++, t++) {
            pos[t] = start + g[q].dx;
            start += g[q].adv;
        }
        int in_span = 0;
        for (size_t t = 0; t < nord; t++) {
            size_t q = ord[t];
            int mark = g[q].adv == 0;
            if (actual && in_span != 1 + mark) {
                if (in_span) end_actual(w, ps);
                /* the characters go with the first glyph that takes room
                 * (with the marks when none does) */
                int text = !mark || t == 0;
                begin_actual(w, ps, cps, text ? ncp : 0);
                in_span = 1 + mark;
            }
            if (g[q].gid == 0) continue;
            if (g[q].dy != 0 || ps->rise != 0) set_rise(ps, g[q].dy * size / 1000.0);
            double diff = *pdf - pos[q - i]; /* TJ numbers move left */
            if (diff >= 0.45 || diff <= -0.45) {
                double d = rounded(diff, 1);
                if (fabs(d) >= 0.5) {
                    tj_num(ps, d);
                    *pdf -= d;
                }
            }
            tj_glyph(ps, g[q].gid);
            *pdf += advance(w, f, g[q].gid);
        }
        if (in_span) end_actual(w, ps);
        *exact = start;
        i = k;
    }
}

/* Draws a word the layout found nominal (each character its own glyph at
 * its own advance, as shaping gave it) without shaping it again; returns 0,
 * having drawn nothing, when some glyph cannot stand for its character in
 * the ToUnicode CMap (the shaped path then gives it /ActualText). */
static int draw_nominal(writer *w, page_state *ps, oc_font_id f, const char *word, size_t len,
                        double *pdf, double *exact) {
    if (!w->ascii[f]) w->ascii[f] = oc_xcalloc(128, sizeof *w->ascii[f]);
    ascii_glyph *ag = w->ascii[f];
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)word[i];
        if (c < 0x80 && ag[c].ok) {
            i++;
            continue;
        }
        uint32_t cp = c < 0x80 ? (i++, c) : oc_utf8_next(word, len, &i);
        uint32_t gid = oc_fonts_glyph(w->fonts, f, cp);
        if (!gid || !map_glyph(w, f, gid, &cp, 1)) return 0;
        if (cp < 0x80) { /* mapped for good: the next time costs a load */
            ag[cp].gid = (uint16_t)gid;
            ag[cp].exact = (float)oc_fonts_glyph_advance(w->fonts, f, gid);
            ag[cp].ok = 1;
        }
    }
    if (ps->rise != 0) set_rise(ps, 0);
    i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)word[i];
        if (c < 0x80) {
            i++;
            double diff = *pdf - *exact;
            if (diff >= 0.45 || diff <= -0.45) {
                double d = rounded(diff, 1);
                if (fabs(d) >= 0.5) {
                    tj_num(ps, d);
                    *pdf -= d;
                }
            }
            tj_glyph(ps, ag[c].gid);
            if (!ag[c].drawn) { /* advance() marks the glyph as drawn */
                ag[c].pdf = (float)advance(w, f, ag[c].gid);
                ag[c].drawn = 1;
            }
            *pdf += ag[c].pdf;
            *exact += ag[c].exact;
            continue;
        }
        uint32_t cp = oc_utf8_next(word, len, &i);
        uint32_t gid = oc_fonts_glyph(w->fonts, f, cp);
        double diff = *pdf - *exact;
        if (diff >= 0.45 || diff <= -0.45) {
            double d = rounded(diff, 1);
            if (fabs(d) >= 0.5) {
                tj_num(ps, d);
                *pdf -= d;
            }
        }
        tj_glyph(ps, gid);
        *pdf += advance(w, f, gid);
        *exact += (float)oc_fonts_glyph_advance(w->fonts, f, gid);
    }
    return 1;
}

static void set_fill(page_state *ps, oc_color c, int code);

/* One word's bytes [a, e) of the item's text (see put_text). */
static void put_piece(writer *w, page_state *ps, const oc_item *it, oc_font_id f, double size,
                      int plain, int nominal_word, const char *s, size_t a, size_t e, double *pdf,
                      double *exact) {
    if (!(nominal_word || (plain && oc_shape_is_ascii(s + a, e - a))) || it->rtl ||
        !draw_nominal(w, ps, f, s + a, e - a, pdf, exact))
        draw_word(w, ps, f, size, word_dir(it->rtl, s + a, e - a), s + a, e - a, pdf, exact);
}

/* Draws the item's text: its words shaped (right to left items from the
 * last word to the first), each space the font's space glyph plus the
 * item's word spacing `ws` (thousandths of an em), with an adjustment after
 * it that puts the next word where the layout put it (what the whole-unit
 * /W widths lost against the exact advances). Returns the advance, in
 * thousandths of an em, as the PDF reader computes it. */
static double put_text(writer *w, page_state *ps, const oc_item *it, double size, double ws) {
    oc_font_id f = it->font;
    const char *s = it->text;
    size_t len = it->len;
    uint64_t nominal = it->nominal; /* which words the layout found nominal */
    size_t word = 0;                /* (counted left to right) */
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7F) { /* tabs become spaces, other controls go */
            /* (and the words may split otherwise than the layout counted) */
            if (nominal != ~(uint64_t)0) nominal = 0;
            oc_buf_reset(&w->clean);
            for (size_t k = 0; k < len; k++) {
                unsigned char d = (unsigned char)s[k];
                if (d == '\t')
                    oc_buf_putc(&w->clean, ' ');
                else if (d >= 0x20 && d != 0x7F)
                    oc_buf_putc(&w->clean, (char)d);
            }
            s = w->clean.data;
            len = w->clean.len;
            break;
        }
    }
    hb_codepoint_t space = w->space[f];
    int plain = nominal != ~(uint64_t)0 && !it->rtl && oc_shaper_ascii_plain(w->shaper, f);
    /* highlighted code: the colour changes inside the item (offsets into
     * the text as the layout made it: never cleaned, never right to left) */
    const oc_colour_at *col =
        it->coloured == OC_COLOURS_CHANGES && s == it->text && !it->rtl ? it->colours : NULL;
    double pdf = 0, exact = 0, space_adv = oc_fonts_advance(w->fonts, f, ' ');
    /* words in drawing order: from the end for a right-to-left item; the
     * spaces before each (in drawing order) are drawn with it, trailing
     * ones not at all */
    size_t p = it->rtl ? len : 0;
    for (;;) {
        size_t a, e, sp = 0;
        if (it->rtl) {
            while (p > 0 && s[p - 1] == ' ') {
                p--;
                sp++;
            }
            if (p == 0) break;
            e = p;
            a = e;
            while (a > 0 && s[a - 1] != ' ')
                a--;
            p = a;
        } else {
            while (p < len && s[p] == ' ') {
                p++;
                sp++;
            }
            if (p == len) break;
            a = p;
            e = a;
            while (e < len && s[e] != ' ')
                e++;
            p = e;
        }
        if (col) { /* the word's colour, set before its spaces as its own item had it */
            while (col[1].at <= a)
                col++;
            set_fill(ps, col->color, 1);
        }
        for (size_t q = 0; q < sp; q++) {
            if (ps->rise != 0) set_rise(ps, 0);
            if (space) { /* (mapped to U+0020 when the font was loaded) */
                tj_glyph(ps, space);
                pdf += advance(w, f, space);
            }
            exact += space_adv + ws;
            double d = rounded(pdf - exact, 1);
            if (d != 0) {
                tj_num(ps, d);
                pdf -= d;
            }
        }
        int nominal_word = (nominal >> (word < 63 ? word : 63)) & 1;
        word++;
        /* a colour change inside the word splits it, as the tokens' own
         * items did */
        while (col && col[1].at < e) {
            size_t to = col[1].at;
            put_piece(w, ps, it, f, size, plain, nominal_word, s, a, to, &pdf, &exact);
            col++;
            set_fill(ps, col->color, 1);
            a = to;
        }
        put_piece(w, ps, it, f, size, plain, nominal_word, s, a, e, &pdf, &exact);
    }
    set_rise(ps, 0);
    /* the pen ends where the layout's does */
    double d = rounded(pdf - exact, 1);
    if (fabs(d) >= 0.5) {
        tj_num(ps, d);
        pdf -= d;
    }
    return pdf;
}

/* The /Hl colour space, made at the palette's first use and named in the
 * resources every page inherits (and in the current page's own, if it has
 * them: pages get theirs after, see own_resources); 0 when it cannot be. */
static int make_hl_space(writer *w, page_state *ps) {
    if (w->hl_space) return 1;
    if (!w->root_res) return 0;
    HPDF_MMgr mm = w->pdf->mmgr;
    HPDF_Array a = HPDF_Array_New(mm);
    HPDF_Dict d = HPDF_Dict_New(mm);
    if (!a || !d || HPDF_Xref_Add(w->pdf->xref, d) != HPDF_OK ||
        HPDF_Array_AddName(a, "Indexed") != HPDF_OK ||
        HPDF_Array_AddName(a, "DeviceRGB") != HPDF_OK || HPDF_Dict_Add(d, "Hl", a) != HPDF_OK ||
        HPDF_Dict_Add(w->root_res, "ColorSpace", d) != HPDF_OK)
        return 0;
    HPDF_Dict own = HPDF_Dict_GetItem(ps->page, "Resources", HPDF_OCLASS_DICT);
    if (own && HPDF_Dict_Add(own, "ColorSpace", d) != HPDF_OK) return 0;
    w->hl_space = a;
    w->hl_spaces = d;
    return 1;
}

/* Colour c's index in the writer's palette, added when `add` (and the
 * palette has room and /Hl could be made); -1 when it is not there. */
static int palette_index(page_state *ps, oc_color c, int add) {
    writer *w = ps->w;
    uint32_t bits[3];
    memcpy(&bits[0], &c.r, 4);
    memcpy(&bits[1], &c.g, 4);
    memcpy(&bits[2], &c.b, 4);
    uint32_t h = ((bits[0] * 0x9E3779B1u) ^ (bits[1] * 0x85EBCA77u) ^ (bits[2] * 0xC2B2AE3Du));
    size_t mask = sizeof w->palette_slot - 1, k = (h ^ h >> 15) & mask;
    for (; w->palette_slot[k]; k = (k + 1) & mask) /* (never full: 255 of 512) */
        if (oc_color_eq(w->palette[w->palette_slot[k] - 1], c)) return w->palette_slot[k] - 1;
    if (!add || w->npalette == (int)(sizeof w->palette / sizeof *w->palette) ||
        !make_hl_space(w, ps))
        return -1;
    int i = w->npalette++;
    w->palette[i] = c;
    int n = snprintf(w->palette_op[i], sizeof w->palette_op[i], "%d sc\n", i);
    w->palette_oplen[i] = (uint8_t)n;
    w->palette_slot[k] = (uint8_t)(i + 1);
    return i;
}

/* Sets the fill colour: from the writer's palette when the colour is a
 * highlighted code line's (`code`; a new colour is added) or already there
 * while /Hl is in force, else as DeviceRGB. */
static void set_fill(page_state *ps, oc_color c, int code) {
    if (ps->have_fill && oc_color_eq(ps->fill, c)) return;
    end_tj(ps);
    int hl = code || ps->fill_hl ? palette_index(ps, c, code) : -1;
    if (hl >= 0) {
        if (!ps->fill_hl) oc_buf_puts(ps->out, "/Hl cs\n");
        oc_buf_append(ps->out, ps->w->palette_op[hl], ps->w->palette_oplen[hl]);
        ps->fill_hl = 1;
    } else {
        uint64_t h = 0;
        double v[3] = {c.r, c.g, c.b};
        for (int i = 0; i < 3; i++) {
            uint64_t bits;
            memcpy(&bits, &v[i], sizeof bits);
            h = (h ^ bits) * 0x9E3779B97F4A7C15ULL;
        }
        color_slot *slot = &ps->colors[h >> 60 & (COLOR_SLOTS - 1)];
        if (slot->len && oc_color_eq(slot->c, c)) {
            oc_buf_append(ps->out, slot->op, slot->len);
        } else {
            size_t at = ps->out->len;
            put_color(ps->out, c, "rg\n");
            size_t n = ps->out->len - at;
            if (!ps->out->overflow && n <= sizeof slot->op) {
                memcpy(slot->op, ps->out->data + at, n);
                slot->len = (unsigned char)n;
                slot->c = c;
            }
        }
        ps->fill_hl = 0;
    }
    ps->fill = c;
    ps->have_fill = 1;
}

static void begin_text(page_state *ps) {
    if (ps->in_text) return;
    oc_buf_puts(ps->out, "BT\n");
    ps->in_text = 1;
    ps->placed = 0;
    ps->lx = ps->ly = ps->pen = 0;
    ps->font = -1;
}

static oc_status draw_text(writer *w, page_state *ps, const oc_item *it) {
    oc_status st = OC_OK;
    oc_buf *b = ps->out;
    double size = rounded(it->size, 3);
    if (size <= 0) return OC_OK;
    begin_text(ps);
    if (ps->font != (int)it->font || ps->size != size) {
        const char *name = HPDF_Page_GetLocalFontName(ps->page, w->font[it->font]);
        CHECK_PTR(name, "adding a font to a page");
        end_tj(ps);
        oc_buf_putc(b, '/');
        oc_buf_puts(b, name);
        oc_buf_putc(b, ' ');
        put_num(b, size, 3, ' ');
        oc_buf_puts(b, "Tf\n");
        ps->font = (int)it->font;
        ps->size = size;
    }
    set_fill(ps, it->color, it->coloured != OC_COLOURS_PLAIN);
    double gap = 0;
    int space = 0;
    if (!ps->placed || rounded(it->y - ps->ly, 3) != 0) {
        /* a new line: Td from the last line's origin */
        end_tj(ps);
        double dx = rounded(it->x - ps->lx, 3), dy = rounded(it->y - ps->ly, 3);
        put_num(b, dx, 3, ' ');
        put_num(b, dy, 3, ' ');
        oc_buf_puts(b, "Td\n");
        ps->lx += dx;
        ps->ly += dy;
        ps->pen = ps->lx;
        ps->placed = 1;
    } else {
        /* on the same line: a word space when the gap is one, then the rest
         * as an adjustment inside the TJ array */
        gap = it->x - ps->pen;
        if (gap < -0.01 * size) {
            /* backwards (leaders after a page number, reordered runs): a
             * new Td keeps the drawing order readable for text extraction */
            end_tj(ps);
            double dx = rounded(it->x - ps->lx, 3);
            put_num(b, dx, 3, ' ');
            oc_buf_puts(b, "0 Td\n");
            ps->lx += dx;
            ps->pen = ps->lx;
            gap = 0;
        }
        space = gap > 0.1 * size && gap < 3 * size && oc_fonts_has(w->fonts, it->font, ' ');
    }
    begin_tj(ps);
    hb_codepoint_t space_gid = space ? w->space[it->font] : 0;
    if (space_gid) {
        map_glyph(w, it->font, space_gid, (const uint32_t[]){' '}, 1);
        tj_glyph(ps, space_gid);
        double adv = advance(w, it->font, space_gid) * size / 1000;
        ps->pen += adv;
        gap -= adv;
    }
    if (gap != 0) {
        double n = rounded(-gap * 1000 / size, 1);
        if (n != 0) {
            tj_num(ps, n);
            ps->pen -= n * size / 1000;
        }
    }
    if (!w->shaper) w->shaper = w->own_shaper = oc_shaper_new(w->fonts, w->language);
    double adv =
        put_text(w, ps, it, size, it->coloured == OC_COLOURS_CHANGES ? 0 : it->ws * 1000 / size);
    ps->pen += adv * size / 1000;
done:
    return st;
}

/* ---- deflating pages ----------------------------------------------------------------- */

/* Deflates a slot's page (zlib's format) with the writer's one compressor
 * for pages, which only the thread that deflates uses. */
static void deflate_slot(writer *w, zslot *s) {
    s->ok = oc_deflate(&w->zs, CONTENT_LEVEL, OC_DEFLATE_ZLIB, s->raw.data, s->raw.len, &s->z);
}

static void *deflater_main(void *arg) {
    writer *w = arg;
    oc_thread_name("oc-deflate");
    pthread_mutex_lock(&w->zmu);
    for (;;) {
        zslot *s = &w->ring[w->zwork];
        if (s->state != 1) {
            if (w->zquit) break;
            pthread_cond_wait(&w->zcv, &w->zmu);
            continue;
        }
        pthread_mutex_unlock(&w->zmu);
        deflate_slot(w, s);
        pthread_mutex_lock(&w->zmu);
        s->state = 2;
        w->zwork = (w->zwork + 1) % ZRING;
        pthread_cond_broadcast(&w->zcv);
    }
    pthread_mutex_unlock(&w->zmu);
    return NULL;
}

/* A slot's state, read under the lock when the deflater runs. */
static int slot_state(writer *w, const zslot *s) {
    if (!w->zthreaded) return s->state;
    pthread_mutex_lock(&w->zmu);
    int state = s->state;
    pthread_mutex_unlock(&w->zmu);
    return state;
}

/* Writes the oldest slot's deflated content into its page (waiting for it). */
static oc_status write_oldest(writer *w) {
    oc_status st = OC_OK;
    zslot *s = &w->ring[w->ztail];
    if (w->zthreaded) {
        pthread_mutex_lock(&w->zmu);
        while (s->state != 2)
            pthread_cond_wait(&w->zcv, &w->zmu);
        s->state = 0; /* the deflater is done with it: its buffers are ours */
        pthread_mutex_unlock(&w->zmu);
    } else {
        s->state = 0;
    }
    w->ztail = (w->ztail + 1) % ZRING;
    if (!s->ok) return fail(w, OC_ERR_INTERNAL, "compressing a page's content");
    HPDF_PageAttr pattr = (HPDF_PageAttr)w->pages[s->page]->attr;
    HPDF_MemStream_FreeData(pattr->stream);
    /* one block of the content's size: the stream's own blocks are 4 KB
     * (HPDF_STREAM_BUF_SIZ), so a page of 4.2 KB took 8 KB until saved */
    HPDF_MemStreamAttr mattr = (HPDF_MemStreamAttr)pattr->stream->attr;
    if (s->z.len > 0 && pattr->stream->type == HPDF_STREAM_MEMORY)
        mattr->buf_siz = mattr->w_pos = (HPDF_UINT)s->z.len;
    CHECK_HPDF(HPDF_Stream_Write(pattr->stream, (const HPDF_BYTE *)s->z.data, (HPDF_UINT)s->z.len),
               "writing a page's content");
done:
    return st;
}

/* Hands w->content (page `index`) to the deflater, or deflates it here. */
static oc_status submit(writer *w, size_t index) {
    oc_status st = OC_OK;
    zslot *s = &w->ring[w->zhead];
    if (slot_state(w, s) != 0 && (st = write_oldest(w)) != OC_OK) return st;
    oc_buf t = s->raw; /* swap buffers: no copy */
    s->raw = w->content;
    w->content = t;
    s->page = index;
    w->zhead = (w->zhead + 1) % ZRING;
    if (!w->zthreaded) {
        deflate_slot(w, s);
        s->state = 2;
        return write_oldest(w);
    }
    pthread_mutex_lock(&w->zmu);
    s->state = 1;
    pthread_cond_broadcast(&w->zcv);
    pthread_mutex_unlock(&w->zmu);
    return OC_OK;
}

/* Tells the deflater thread to quit, joins it and releases its lock, if it runs. */
static void stop_deflater(writer *w) {
    if (!w->zthreaded) return;
    pthread_mutex_lock(&w->zmu);
    w->zquit = 1;
    pthread_cond_broadcast(&w->zcv);
    pthread_mutex_unlock(&w->zmu);
    pthread_join(w->zthread, NULL);
    w->zthreaded = 0;
    pthread_mutex_destroy(&w->zmu);
    pthread_cond_destroy(&w->zcv);
}

/* Writes out every page still in the ring and stops the deflater. */
static oc_status drain(writer *w) {
    oc_status st = OC_OK;
    while (slot_state(w, &w->ring[w->ztail]) != 0)
        if ((st = write_oldest(w)) != OC_OK) break;
    stop_deflater(w);
    return st;
}

/* ---- print marks (--marks) ------------------------------------------------ */

/* The trimmed page is the laid-out page, at the origin; the bleed and the
 * marks lie outside it, at negative coordinates and beyond the page size,
 * so nothing on the page moves and links keep their rectangles. */
static oc_status set_box(writer *w, HPDF_Page page, const char *key, double d) {
    HPDF_Box box = {(HPDF_REAL)-d, (HPDF_REAL)-d, (HPDF_REAL)(w->width + d),
                    (HPDF_REAL)(w->height + d)};
    HPDF_Array a = HPDF_Box_Array_New(w->pdf->mmgr, box);
    if (!a || HPDF_Dict_Add(page, key, a) != HPDF_OK) return fail(w, OC_ERR_INTERNAL, key);
    return OC_OK;
}

static oc_status set_print_boxes(writer *w, HPDF_Page page) {
    oc_status st = set_box(w, page, "MediaBox", OC_PDF_SLUG);
    if (st == OC_OK) st = set_box(w, page, "BleedBox", OC_PDF_BLEED);
    if (st == OC_OK) st = set_box(w, page, "TrimBox", 0);
    return st;
}

/* The page's own /Resources, made on first use with the book's /Font
 * dictionary (a page's resources replace what it would inherit). */
static HPDF_Dict own_resources(writer *w, HPDF_Page page) {
    HPDF_Dict res = HPDF_Dict_GetItem(page, "Resources", HPDF_OCLASS_DICT);
    if (res || !w->fonts_res) return res;
    res = HPDF_Dict_New(w->pdf->mmgr);
    if (!res) return NULL;
    if (HPDF_Dict_Add(page, "Resources", res) != HPDF_OK) return NULL;
    if (HPDF_Dict_Add(res, "Font", w->fonts_res) != HPDF_OK) return NULL;
    if (w->hl_spaces && HPDF_Dict_Add(res, "ColorSpace", w->hl_spaces) != HPDF_OK) return NULL;
    return res;
}

/* ---- marked content ---------------------------------------------------------------- */

/* Every piece of content lies in one marked-content sequence: an artifact
 * (running heads and folios as pagination), or an element's, with an MCID
 * the structure tree points at. A sequence never crosses a BT or ET: one
 * opened in a text object closes before it ends. */
static void close_tag(page_state *ps) {
    if (!ps->tagged) return;
    end_tj(ps);
    oc_buf_puts(ps->out, "EMC\n");
    ps->tagged = 0;
}

/* Opens the sequence of element `ref` (or an artifact's) unless it is open.
 * An element's text gets a sequence per line (baseline `y`; non-text items
 * pass the one in force): text extraction by structure (poppler's) joins
 * the text of one sequence without a space where a line ends. */
static void open_tag(writer *w, page_state *ps, size_t index, const oc_page *pg, uint32_t ref,
                     double y, const char *lang) {
    if (w->untagged) return;
    if (ref >= pg->nstructs || !pg->structs) ref = OC_SREF_ARTIFACT;
    if (ref < OC_SREF_FIRST && ref != OC_SREF_PAGINATION) ref = OC_SREF_ARTIFACT;
    if (ref < OC_SREF_FIRST) lang = NULL;
    if (ps->tagged && ps->tag_ref == ref &&
        (ref < OC_SREF_FIRST || (ps->tag_y == y && ps->lang == lang)))
        return;
    ps->tag_y = y;
    ps->lang = lang;
    close_tag(ps);
    end_tj(ps);
    if (ref == OC_SREF_ARTIFACT) {
        oc_buf_puts(ps->out, "/Artifact BMC\n");
    } else if (ref == OC_SREF_PAGINATION) {
        oc_buf_puts(ps->out, "/Artifact<</Type/Pagination>>BDC\n");
    } else {
        oc_pdf_struct_tag(pg->structs, pg->nstructs, ref, ps->tag);
        open_mcid(w, ps, index, ref);
    }
    ps->tagged = 1;
    ps->tag_ref = ref;
}

/* The language of a text item in a script the book's language is not
 * written in (its first such run decides), NULL otherwise: the tagged PDF's
 * /Lang, as the EPUB's lang attributes (oc_script_run). */
static const char *text_lang(writer *w, const oc_item *it) {
    oc_script_span r;
    /* a face with no letter of those scripts (the body's) has no such run */
    int8_t *can = &w->script_face[it->font];
    uint32_t lo, hi;
    if (*can == 0) { /* (the scripts' code points only, not every one between) */
        *can = -1;
        for (size_t k = 0; *can < 0 && oc_script_range(k, &lo, &hi); k++)
            for (uint32_t cp = lo; cp <= hi && *can < 0; cp++)
                if (oc_fonts_has(w->fonts, it->font, cp)) *can = 1;
    }
    if (*can < 0) return NULL;
    const char *book = w->language && *w->language ? w->language : "en-US";
    return oc_script_run(book, it->text, it->len, 0, &r) ? r.tag : NULL;
}

/* Page `index`, made now (pages are drawn in order), with the destinations
 * on it filled. */
static HPDF_Page new_page(writer *w, size_t index) {
    oc_status st = OC_OK;
    HPDF_Page page = NULL;
    if (index != w->pages_made) {
        fail(w, OC_ERR_INTERNAL, "drawing pages out of order");
        return NULL;
    }
    page = HPDF_AddPage(w->pdf);
    CHECK_PTR(page, "adding a page");
    HPDF_Dict_RemoveElement(page, "Resources");
    HPDF_Dict_RemoveElement(page, "MediaBox");
    /* libharu adds each font a page uses to this dictionary and names
     * it there (F1, F2, ...): one name per font for the whole book */
    ((HPDF_PageAttr)page->attr)->fonts = w->fonts_res;
    if (w->marks && (st = set_print_boxes(w, page)) != OC_OK) goto done;
    w->pages[index] = page;
    w->pages_made++;
    for (; w->pending_next < w->npending && w->pending[w->pending_next].page == index;
         w->pending_next++) {
        const dest_pending *d = &w->pending[w->pending_next];
        if (!fill_dest(w, d->dst, page, d->x, d->y)) {
            fail(w, OC_ERR_INTERNAL, "creating a destination");
            goto done;
        }
    }
done:
    return st == OC_OK && !w->failed ? page : NULL;
}

static oc_status draw_page(writer *w, size_t index, const oc_page *pg) {
    oc_status st = OC_OK;
    if (index >= w->npages) return fail(w, OC_ERR_INTERNAL, "drawing a page not announced");
    HPDF_Page page = new_page(w, index);
    if (!page) return OC_ERR_INTERNAL;
    HPDF_PageAttr pattr = (HPDF_PageAttr)page->attr;
    page_state ps;
    memset(&ps, 0, sizeof ps);
    ps.out = &w->content;
    ps.page = page;
    ps.index = index;
    ps.font = -1;
    ps.colors = w->colors;
    ps.w = w;
    oc_buf *b = ps.out;
    oc_buf_reset(b);

    for (size_t k = 0; k < pg->nitems; k++) {
        const oc_item *it = &pg->items[k];
        if (it->kind != OC_ITEM_TEXT && ps.in_text) {
            close_tag(&ps);
            end_text(&ps);
        }
        switch (it->kind) {
        case OC_ITEM_TEXT:
            if ((unsigned)it->font >= OC_FONT_COUNT || !it->text || it->len == 0 ||
                rounded(it->size, 3) <= 0)
                break;
            /* fonts are embedded in the order of their first use */
            if (!w->font[it->font] && (st = load_font(w, it->font)) != OC_OK) goto done;
            if (!ps.in_text) {
                close_tag(&ps);
                begin_text(&ps);
            }
            open_tag(w, &ps, index, pg, it->sref, rounded(it->y, 1),
                     w->untagged ? NULL : text_lang(w, it));
            if ((st = draw_text(w, &ps, it)) != OC_OK) goto done;
            break;
        case OC_ITEM_RULE: {
            open_tag(w, &ps, index, pg, it->sref, ps.tag_y, ps.lang);
            double lw = it->size > 0 ? it->size : 0.5;
            if (!ps.have_width || ps.width != lw) {
                put_num(b, lw, 3, ' ');
                oc_buf_puts(b, "w\n");
                ps.width = lw;
                ps.have_width = 1;
            }
            if (!ps.have_stroke || !oc_color_eq(ps.stroke, it->color)) {
                put_color(b, it->color, "RG\n");
                ps.stroke = it->color;
                ps.have_stroke = 1;
            }
            put_num(b, it->x, 3, ' ');
            put_num(b, it->y, 3, ' ');
            oc_buf_puts(b, "m\n");
            put_num(b, it->x + it->w, 3, ' ');
            put_num(b, it->y + it->h, 3, ' ');
            oc_buf_puts(b, "l\nS\n");
            break;
        }
        case OC_ITEM_RECT:
            if (it->w <= 0 || it->h <= 0) break;
            open_tag(w, &ps, index, pg, it->sref, ps.tag_y, ps.lang);
            set_fill(&ps, it->color, 0);
            put_num(b, it->x, 3, ' ');
            put_num(b, it->y, 3, ' ');
            put_num(b, it->w, 3, ' ');
            put_num(b, it->h, 3, ' ');
            oc_buf_puts(b, "re\nf\n");
            break;
        case OC_ITEM_IMAGE: {
            if (!it->asset || it->w <= 0 || it->h <= 0) break;
            HPDF_Image img = NULL;
            if ((st = get_image(w, it->asset, it->w, it->h, &img)) != OC_OK) goto done;
            if (!img) break;
            CHECK_PTR(own_resources(w, page), "adding resources to a page");
            const char *name = HPDF_Page_GetXObjectName(page, img);
            CHECK_PTR(name, "adding an image to a page");
            open_tag(w, &ps, index, pg, it->sref, ps.tag_y, ps.lang);
            if (ps.tagged && ps.tag_ref >= OC_SREF_FIRST)
                oc_pdf_struct_bbox(w->st, index, ps.tag_ref, it->x, it->y, it->x + it->w,
                                   it->y + it->h);
            oc_buf_puts(b, "q\n");
            put_num(b, it->w, 3, ' ');
            oc_buf_puts(b, "0 0 ");
            put_num(b, it->h, 3, ' ');
            put_num(b, it->x, 3, ' ');
            put_num(b, it->y, 3, ' ');
            oc_buf_puts(b, "cm\n/");
            oc_buf_puts(b, name);
            oc_buf_puts(b, " Do\nQ\n");
            break;
        }
        case OC_ITEM_LINK: {
            HPDF_Rect r = {(HPDF_REAL)it->x, (HPDF_REAL)it->y, (HPDF_REAL)(it->x + it->w),
                           (HPDF_REAL)(it->y + it->h)};
            HPDF_Annotation annot = NULL;
            if (it->uri && *it->uri) {
                const char *uri = prepare_uri(w, it->uri);
                if (w->scratch.len - 1 > OC_PDF_STRING_MAX) {
                    /* one warning per link, not per line it spans */
                    if (w->long_uri != it->uri)
                        oc_diag_report(w->diag, OC_WARNING, NULL, 0, 0,
                                       "PDF writer: link '%.*s...' is %zu bytes, longer than PDF "
                                       "readers accept; shown as text",
                                       quote_len(it->uri), it->uri, w->scratch.len - 1);
                    w->long_uri = it->uri;
                    break;
                }
                annot = HPDF_Page_CreateURILinkAnnot(page, r, uri);
                CHECK_PTR(annot, "creating a URI link");
            } else if (it->dest) {
                dest_slot *d = dest_find(w, it->dest);
                if (!d) {
                    oc_diag_report(w->diag, OC_WARNING, NULL, 0, 0,
                                   "PDF writer: link to unknown destination '%s' left out",
                                   it->dest);
                    break;
                }
                annot = link_annot(w, page, r, d->dst);
                CHECK_PTR(annot, "creating an internal link");
            }
            if (annot) CHECK_HPDF(HPDF_LinkAnnot_SetBorderStyle(annot, 0, 0, 0), "link border");
            if (annot) {
                /* PDF/UA: a description (the URI or the target's name, at most
                 * 200 bytes of it, whole characters), and the Link element */
                const char *what = it->uri && *it->uri ? it->uri : it->dest ? it->dest : "";
                size_t cut = strnlen(what, 200);
                if (what[cut])
                    while (cut > 0 && ((unsigned char)what[cut] & 0xC0) == 0x80)
                        cut--;
                char brief[201];
                memcpy(brief, what, cut);
                brief[cut] = '\0';
                void *desc = text_string(w, brief, "link description");
                CHECK_PTR(desc, "describing a link");
                CHECK_HPDF(HPDF_Dict_Add(annot, "Contents", desc), "describing a link");
            }
            if (annot && !w->untagged && pg->structs && it->sref >= OC_SREF_FIRST &&
                it->sref < pg->nstructs) {
                int key = oc_pdf_struct_annot(w->st, index, w->npages, it->sref, annot);
                CHECK_HPDF(HPDF_Dict_AddNumber(annot, "StructParent", key), "tagging a link");
            }
            break;
        }
        case OC_ITEM_DEST: /* created in the first pass */
            break;
        }
    }
    close_tag(&ps);
    end_text(&ps);
    if (w->marks) oc_pdf_crop_marks(b, w->width, w->height, 0);
    if (b->overflow) {
        st = fail(w, OC_ERR_LIMIT, "writing a page's content");
        goto done;
    }

    /* the content, deflated, goes into the stream libharu writes as is */
    CHECK_PTR(pattr && pattr->contents && pattr->stream, "finding a page's content stream");
    pattr->contents->filter = HPDF_STREAM_FILTER_NONE;
    pattr->contents->write_fn = write_flate_filter;
    st = submit(w, index);
done:
    return st;
}

/* ---- document structure --------------------------------------------------------------- */

static oc_status add_bookmarks(writer *w, const oc_layout *l) {
    oc_status st = OC_OK;
    enum { MAX_LEVEL = 8 };
    HPDF_Outline last[MAX_LEVEL] = {0};
    for (size_t i = 0; i < l->nmarks; i++) {
        const oc_bookmark *m = &l->marks[i];
        int level = m->level < 0 ? 0 : m->level >= MAX_LEVEL ? MAX_LEVEL - 1 : m->level;
        HPDF_Outline parent = NULL;
        for (int p = level - 1; p >= 0 && !parent; p--)
            parent = last[p];
        HPDF_Outline o = HPDF_CreateOutline(w->pdf, parent, "", w->utf8);
        CHECK_PTR(o, "creating a bookmark");
        void *title = text_string(w, m->title ? m->title : "", "bookmark title");
        CHECK_PTR(title, "creating a bookmark title");
        CHECK_HPDF(HPDF_Dict_Add(o, "Title", title), "setting a bookmark title");
        dest_slot *d = dest_find(w, m->dest);
        HPDF_Destination dst = d ? d->dst : NULL;
        if (!dst && m->page >= 0 && (size_t)m->page < w->npages)
            dst = make_dest(w, w->pages[m->page], 0, w->height);
        if (dst) CHECK_HPDF(HPDF_Outline_SetDestination(o, dst), "pointing a bookmark");
        /* chapters closed: the panel lists the chapters, each unfolds */
        CHECK_HPDF(HPDF_Outline_SetOpened(o, HPDF_FALSE), "folding a bookmark");
        last[level] = o;
        for (int q = level + 1; q < MAX_LEVEL; q++)
            last[q] = NULL;
    }
done:
    return st;
}

static oc_status add_page_labels(writer *w, const oc_layout *l) {
    oc_status st = OC_OK;
    for (size_t i = 0; i < l->npages; i++) {
        const oc_page *p = &l->pages[i], *prev = i ? &l->pages[i - 1] : NULL;
        int number = p->number > 0 ? p->number : 1;
        if (prev && prev->label == p->label && number == prev->number + 1) continue;
        HPDF_PageNumStyle style = p->label == OC_LABEL_ROMAN ? HPDF_PAGE_NUM_STYLE_LOWER_ROMAN
                                                             : HPDF_PAGE_NUM_STYLE_DECIMAL;
        CHECK_HPDF(HPDF_AddPageLabel(w->pdf, (HPDF_UINT)i, style, (HPDF_UINT)number, NULL),
                   "adding a page label");
    }
done:
    return st;
}

static oc_status set_info_text(writer *w, const char *key, const char *value) {
    oc_status st = OC_OK;
    if (!value || !*value) return OC_OK;
    char what[32];
    snprintf(what, sizeof what, "document %s", key);
    void *s = text_string(w, value, what);
    CHECK_PTR(s, "creating an Info string");
    CHECK_HPDF(HPDF_Dict_Add(w->pdf->info, key, s), "setting the Info dictionary");
done:
    return st;
}

/* The book's date: SOURCE_DATE_EPOCH when set, else now (UTC). */
static struct tm doc_time(const oc_document *doc) {
    time_t t = doc && doc->source_date >= 0 ? (time_t)doc->source_date : time(NULL);
    struct tm tm;
    if (!gmtime_r(&t, &tm)) memset(&tm, 0, sizeof tm);
    return tm;
}

/* The tagged PDF's structure tree and catalog entries (struct.c). */
static oc_status add_structure(writer *w, const oc_document *doc, const oc_layout *layout) {
    struct tm tm = doc_time(doc);
    char date[96];
    snprintf(date, sizeof date, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec < 60 ? tm.tm_sec : 59);
    oc_status st =
        oc_pdf_struct_finish(w->st, w->pdf, w->pages, w->npages, layout, doc, OC_PRODUCER, date);
    return st == OC_OK && !w->failed ? OC_OK
                                     : fail(w, OC_ERR_INTERNAL, "writing the structure tree");
}

static oc_status add_info(writer *w, const oc_document *doc) {
    oc_status st = OC_OK;
    oc_buf authors;
    oc_buf_init(&authors);
    /* HPDF_SetInfoAttr creates the Info dictionary */
    CHECK_HPDF(HPDF_SetInfoAttr(w->pdf, HPDF_INFO_CREATOR, "octavo"), "setting the creator");
    CHECK_HPDF(HPDF_SetInfoAttr(w->pdf, HPDF_INFO_PRODUCER, OC_PRODUCER), "setting the producer");
    CHECK_PTR(w->pdf->info, "finding the Info dictionary");
    if (doc) {
        for (int i = 0; i < doc->meta.nauthors; i++) {
            if (i) oc_buf_puts(&authors, ", ");
            oc_buf_puts(&authors, doc->meta.authors[i]);
        }
        if ((st = set_info_text(w, "Title", doc->meta.title)) != OC_OK) goto done;
        if ((st = set_info_text(w, "Author", authors.data)) != OC_OK) goto done;
        if ((st = set_info_text(w, "Subject", doc->meta.subtitle)) != OC_OK) goto done;
    }
    struct tm tm = doc_time(doc);
    HPDF_Date d = {tm.tm_year + 1900,
                   tm.tm_mon + 1,
                   tm.tm_mday,
                   tm.tm_hour,
                   tm.tm_min,
                   tm.tm_sec < 60 ? tm.tm_sec : 59,
                   'Z',
                   0,
                   0};
    CHECK_HPDF(HPDF_SetInfoDateAttr(w->pdf, HPDF_INFO_CREATION_DATE, d), "setting the date");
    CHECK_HPDF(HPDF_SetInfoDateAttr(w->pdf, HPDF_INFO_MOD_DATE, d), "setting the date");
done:
    oc_buf_free(&authors);
    return st;
}

/* A stream object holding `len` bytes, deflated when written. */
static HPDF_Dict new_stream(writer *w, const void *data, size_t len) {
    HPDF_Dict d = HPDF_DictStream_New(w->pdf->mmgr, w->pdf->xref);
    if (!d) return NULL;
    d->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    if (HPDF_Stream_Write(d->stream, (const HPDF_BYTE *)data, (HPDF_UINT)len) != HPDF_OK)
        return NULL;
    return d;
}

/* Font f's ToUnicode CMap: each glyph drawn (its code is its id) maps to
 * the characters of the cluster it was first drawn for; a glyph only ever
 * drawn inside an /ActualText span may have none. */
static oc_status add_tounicode(writer *w, oc_font_id f) {
    oc_status st = OC_OK;
    oc_buf text;
    oc_buf_init(&text);
    size_t n = 0;
    FOR_USED(w, f, c) n++;
    oc_tounicode_entry *e = oc_xmalloc((n ? n : 1) * sizeof *e);
    n = 0;
    FOR_USED(w, f, c) {
        if (!w->tu_off[f][c]) continue;
        oc_tounicode_entry *t = &e[n++];
        memset(t, 0, sizeof *t);
        t->code = (uint16_t)c;
        t->n = w->tu_len[f][c];
        memcpy(t->cp, w->tu_pool + w->tu_off[f][c] - 1, t->n * sizeof *t->cp);
    }
    oc_tounicode_write(&text, e, n);
    HPDF_Dict cmap = new_stream(w, text.data, text.len);
    CHECK_PTR(cmap, "writing a ToUnicode CMap");
    CHECK_HPDF(HPDF_Dict_Add(w->font[f], "ToUnicode", cmap), "attaching a ToUnicode CMap");
done:
    free(e);
    oc_buf_free(&text);
    return st;
}

/* Font f's /W array: the width of every code drawn, in runs of consecutive
 * codes, as advance() gave them to the page content. */
static oc_status add_widths(writer *w, oc_font_id f) {
    oc_status st = OC_OK;
    HPDF_Array arr = HPDF_Array_New(w->pdf->mmgr), run = NULL;
    CHECK_PTR(arr, "creating a width array");
    long prev = -2;
    FOR_USED(w, f, c) {
        if ((long)c != prev + 1) {
            CHECK_HPDF(HPDF_Array_AddNumber(arr, (HPDF_INT32)c), "writing widths");
            run = HPDF_Array_New(w->pdf->mmgr);
            CHECK_PTR(run, "creating a width array");
            CHECK_HPDF(HPDF_Array_Add(arr, run), "writing widths");
        }
        if (w->adv[f][c] == floorf(w->adv[f][c]))
            CHECK_HPDF(HPDF_Array_AddNumber(run, (HPDF_INT32)w->adv[f][c]), "writing widths");
        else
            CHECK_HPDF(HPDF_Array_AddReal(run, w->adv[f][c]), "writing widths");
        prev = (long)c;
    }
    CHECK_HPDF(HPDF_Dict_AddNumber(w->cidfont[f], "DW", 1000), "setting the widths");
    CHECK_HPDF(HPDF_Dict_Add(w->cidfont[f], "W", arr), "setting the widths");
done:
    return st;
}

/* A 16-bit big-endian value of table `tag` at `off`, 0 when out of bounds. */
static int table_s16(hb_face_t *face, hb_tag_t tag, unsigned off) {
    hb_blob_t *t = hb_face_reference_table(face, tag);
    unsigned len = 0;
    const char *d = hb_blob_get_data(t, &len);
    int v = d && off + 2 <= len ? (int16_t)((uint8_t)d[off] << 8 | (uint8_t)d[off + 1]) : 0;
    hb_blob_destroy(t);
    return v;
}

/* Font f's descriptor, from its own tables, in thousandths of an em. */
static oc_status add_descriptor(writer *w, oc_font_id f, const char *name, HPDF_Dict file) {
    oc_status st = OC_OK;
    hb_face_t *face = w->face[f];
    double k = 1000.0 / w->upem[f];
    hb_tag_t head = HB_TAG('h', 'e', 'a', 'd'), post = HB_TAG('p', 'o', 's', 't');
    hb_position_t cap = 0, xh = 0;
    if (!hb_ot_metrics_get_position(w->hbfont[f], HB_OT_METRICS_TAG_CAP_HEIGHT, &cap))
        cap = (hb_position_t)(0.7 * w->upem[f]);
    if (!hb_ot_metrics_get_position(w->hbfont[f], HB_OT_METRICS_TAG_X_HEIGHT, &xh))
        xh = (hb_position_t)(0.5 * w->upem[f]);
    /* post: italicAngle is a 16.16 number at 4, isFixedPitch a uint32 at 12 */
    double italic = table_s16(face, post, 4) + (uint16_t)table_s16(face, post, 6) / 65536.0;
    int fixed = table_s16(face, post, 14) != 0 || table_s16(face, post, 12) != 0;
    int bold = table_s16(face, HB_TAG('O', 'S', '/', '2'), 4) >= 600; /* usWeightClass */
    HPDF_Box bbox = {(HPDF_REAL)lround(table_s16(face, head, 36) * k),
                     (HPDF_REAL)lround(table_s16(face, head, 38) * k),
                     (HPDF_REAL)lround(table_s16(face, head, 40) * k),
                     (HPDF_REAL)lround(table_s16(face, head, 42) * k)};
    HPDF_Dict d = HPDF_Dict_New(w->pdf->mmgr);
    CHECK_PTR(d, "creating a font descriptor");
    CHECK_HPDF(HPDF_Xref_Add(w->pdf->xref, d), "creating a font descriptor");
    HPDF_Array box = HPDF_Box_Array_New(w->pdf->mmgr, bbox);
    CHECK_PTR(box, "creating a font descriptor");
    CHECK_HPDF(HPDF_Dict_AddName(d, "Type", "FontDescriptor"), "writing a font descriptor");
    CHECK_HPDF(HPDF_Dict_AddName(d, "FontName", name), "writing a font descriptor");
    /* nonsymbolic (32), fixed pitch (1), italic (64) */
    CHECK_HPDF(HPDF_Dict_AddNumber(d, "Flags", 32 | (fixed ? 1 : 0) | (italic != 0 ? 64 : 0)),
               "writing a font descriptor");
    CHECK_HPDF(HPDF_Dict_Add(d, "FontBBox", box), "writing a font descriptor");
    CHECK_HPDF(HPDF_Dict_AddReal(d, "ItalicAngle", (HPDF_REAL)italic), "writing a font descriptor");
    CHECK_HPDF(HPDF_Dict_AddNumber(d, "Ascent", (HPDF_INT32)lround(oc_fonts_ascent(w->fonts, f))),
               "writing a font descriptor");
    CHECK_HPDF(HPDF_Dict_AddNumber(d, "Descent", (HPDF_INT32)lround(oc_fonts_descent(w->fonts, f))),
               "writing a font descriptor");
    CHECK_HPDF(HPDF_Dict_AddNumber(d, "CapHeight", (HPDF_INT32)lround(cap * k)),
               "writing a font descriptor");
    CHECK_HPDF(HPDF_Dict_AddNumber(d, "XHeight", (HPDF_INT32)lround(xh * k)),
               "writing a font descriptor");
    CHECK_HPDF(HPDF_Dict_AddNumber(d, "StemV", bold ? 120 : 80), "writing a font descriptor");
    CHECK_HPDF(HPDF_Dict_Add(d, "FontFile2", file), "writing a font descriptor");
    CHECK_HPDF(HPDF_Dict_Add(w->cidfont[f], "FontDescriptor", d), "attaching a font descriptor");
done:
    return st;
}

/* Embeds font f as a subset cut by HarfBuzz's hb-subset: the glyphs drawn
 * and everything they are built from (composite glyphs' parts, to any
 * depth), numbered afresh, without the tables a PDF viewer never reads
 * (OpenType and Graphite layout, kerning, signatures); then the CIDToGIDMap
 * for the new numbers, up to the highest code drawn, the descriptor, and
 * the subset name (a tag from the glyphs kept, then the PostScript name)
 * on both font dictionaries. */
static oc_status embed_font(writer *w, oc_font_id f) {
    oc_status st = OC_OK;
    hb_subset_input_t *in = hb_subset_input_create_or_fail();
    hb_subset_plan_t *plan = NULL;
    hb_face_t *sub = NULL;
    hb_blob_t *out = NULL;
    uint8_t *map = NULL;
    if (!in) {
        st = fail(w, OC_ERR_INTERNAL, "subsetting a font");
        goto done;
    }
    hb_set_t *glyphs = hb_subset_input_glyph_set(in);
    hb_set_add(glyphs, 0); /* .notdef */
    uint32_t ncodes = 0;
    uint64_t tag_hash = 1469598103934665603ull ^ (uint64_t)f;
    FOR_USED(w, f, c) {
        hb_set_add(glyphs, c);
        ncodes = c + 1;
        tag_hash = (tag_hash ^ c) * 1099511628211ull;
    }
    static const char drop[][5] = {"GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "kern",
                                   "DSIG", "Silf", "Sill", "Glat", "Gloc", "Feat", "morx"};
    hb_set_t *tables = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
    for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
        hb_set_add(tables, HB_TAG(drop[i][0], drop[i][1], drop[i][2], drop[i][3]));
    hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NOTDEF_OUTLINE);
    plan = hb_subset_plan_create_or_fail(w->face[f], in);
    sub = plan ? hb_subset_plan_execute_or_fail(plan) : NULL;
    out = sub ? hb_face_reference_blob(sub) : NULL;
    unsigned len = 0;
    const char *data = out ? hb_blob_get_data(out, &len) : NULL;
    if (!data || len == 0) {
        st = fail(w, OC_ERR_INTERNAL, "subsetting a font");
        goto done;
    }
    HPDF_Dict file = new_stream(w, data, len);
    CHECK_PTR(file, "writing a font file");
    CHECK_HPDF(HPDF_Dict_AddNumber(file, "Length1", (HPDF_INT32)len), "writing a font file");

    /* code (the glyph's id in the font file) -> its id in the subset, two
     * bytes big-endian each, codes 0..last drawn */
    const hb_map_t *old_to_new = hb_subset_plan_old_to_new_glyph_mapping(plan);
    map = oc_xcalloc(ncodes ? ncodes * 2 : 2, 1);
    FOR_USED(w, f, c) {
        hb_codepoint_t g = hb_map_get(old_to_new, c);
        if (g == HB_MAP_VALUE_INVALID || g > 0xFFFF) g = 0;
        map[2 * c] = (uint8_t)(g >> 8);
        map[2 * c + 1] = (uint8_t)g;
    }
    HPDF_Dict cidmap = new_stream(w, map, ncodes ? ncodes * 2 : 2);
    CHECK_PTR(cidmap, "writing a CIDToGIDMap");
    CHECK_HPDF(HPDF_Dict_Add(w->cidfont[f], "CIDToGIDMap", cidmap), "writing a CIDToGIDMap");

    /* "ABCDEF+PostScriptName": a subset's name (ISO 32000 9.6.4) */
    char name[128], ps[96];
    unsigned pslen = sizeof ps;
    if (!hb_ot_name_get_utf8(w->face[f], HB_OT_NAME_ID_POSTSCRIPT_NAME, HB_LANGUAGE_INVALID, &pslen,
                             ps) ||
        pslen == 0)
        snprintf(ps, sizeof ps, "OctavoFont%d", (int)f);
    for (char *p = ps; *p; p++)
        if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7F || strchr("()<>[]{}/%#", *p))
            *p = '-';
    for (int i = 0; i < 6; i++) {
        name[i] = (char)('A' + tag_hash % 26);
        tag_hash /= 26;
    }
    snprintf(name + 6, sizeof name - 6, "+%s", ps);
    CHECK_HPDF(HPDF_Dict_AddName(w->font[f], "BaseFont", name), "naming a font");
    CHECK_HPDF(HPDF_Dict_AddName(w->cidfont[f], "BaseFont", name), "naming a font");
    st = add_descriptor(w, f, name, file);
done:
    free(map);
    if (out) hb_blob_destroy(out);
    if (sub) hb_face_destroy(sub);
    if (plan) hb_subset_plan_destroy(plan);
    if (in) hb_subset_input_destroy(in);
    return st;
}

/* The save's way out: the bytes gather in `out`, which goes to the stream
 * (if any) a megabyte at a time, until libharu starts its cross-reference
 * table, which the structure tree's tail reads and replaces (so from there
 * on the bytes stay; `base` counts those gone before out's first). */
typedef struct {
    writer *w;
    oc_buf *out;
    const oc_pdf_stream *stream;
    size_t base;
    int failed; /* the stream refused (and said why) */
} save_ctx;

#define SAVE_FLUSH (1u << 20)

static int save_flush(save_ctx *c) {
    if (!c->stream || c->failed || c->out->len == 0) return !c->failed;
    if (c->stream->write(c->stream->user, c->out->data, c->out->len) != 0) {
        c->failed = 1;
        return 0;
    }
    c->base += c->out->len;
    oc_buf_reset(c->out);
    return 1;
}

/* libharu saves through this (its own memory stream would hold the whole
 * file a second time). */
static HPDF_STATUS save_into(HPDF_Stream stream, const HPDF_BYTE *ptr, HPDF_UINT siz) {
    save_ctx *c = stream->attr;
    oc_buf_append(c->out, ptr, siz);
    if (c->out->overflow) return HPDF_FAILD_TO_ALLOC_MEM;
    if (c->stream && c->out->len >= SAVE_FLUSH && c->w->pdf->xref->addr == 0 && !save_flush(c))
        return HPDF_FILE_IO_ERROR;
    return HPDF_OK;
}

static oc_status save(writer *w, oc_buf *out) {
    oc_status st = OC_OK;
    oc_buf_reset(out);
    save_ctx c = {w, out, w->stream, 0, 0};
    if (w->pdf->stream) {
        HPDF_Stream_Free(w->pdf->stream);
        w->pdf->stream = NULL;
    }
    w->pdf->stream = HPDF_CallbackWriter_New(w->pdf->mmgr, save_into, &c);
    CHECK_PTR(w->pdf->stream, "saving the PDF");
    /* the structure tree's object streams are made beside libharu's save */
    if (!w->untagged && oc_layout_threads() > 1) oc_pdf_struct_prepare_tail(w->st, w->pdf);
    HPDF_STATUS hs = HPDF_SaveToStream(w->pdf);
    if (c.failed) {
        st = OC_ERR_IO;
        goto done;
    }
    if (out->overflow) {
        oc_diag_report(w->diag, OC_ERROR, NULL, 0, 0, "PDF writer: the PDF exceeds the size limit");
        st = OC_ERR_LIMIT;
        goto done;
    }
    CHECK_HPDF(hs, "saving the PDF");
    /* the structure tree's elements, then the cross-reference stream */
    if (!w->untagged && (st = oc_pdf_struct_write_tail(w->st, w->pdf, out, c.base)) != OC_OK) {
        if (st == OC_ERR_LIMIT)
            oc_diag_report(w->diag, OC_ERROR, NULL, 0, 0,
                           "PDF writer: the PDF exceeds the size limit");
        else
            st = fail(w, st, "writing the structure tree");
        goto done;
    }
    if (!save_flush(&c)) st = OC_ERR_IO;
done:
    if (w->pdf->stream) {
        HPDF_Stream_Free(w->pdf->stream);
        w->pdf->stream = NULL;
    }
    return st;
}

/* ---- the writer's steps ---------------------------------------------------------------- */

oc_pdf_writer *oc_pdf_writer_new(const oc_fontset *fonts, oc_diag *diag) {
    oc_status st = OC_OK;
    writer *w = oc_xcalloc(1, sizeof *w);
    w->diag = diag;
    w->fonts = fonts;
    oc_buf_init(&w->scratch);
    oc_buf_init(&w->content);
    oc_buf_init(&w->clean);
    w->st = oc_pdf_struct_new();
    /* OCTAVO_TAGGED=0 leaves the tagging out for one run (benchmarks, and the
     * tagged-PDF test's check that its checks fail without it) */
    const char *tg = getenv("OCTAVO_TAGGED");
    w->untagged = tg && strcmp(tg, "0") == 0;
    w->pdf = HPDF_New(on_hpdf_error, w);
    CHECK_PTR(w->pdf, "starting libharu");
    CHECK_HPDF(HPDF_SetCompressionMode(w->pdf, HPDF_COMP_ALL), "turning on compression");
    CHECK_HPDF(HPDF_UseUTFEncodings(w->pdf), "enabling UTF-8");
    w->utf8 = HPDF_GetEncoder(w->pdf, "UTF-8");
    CHECK_PTR(w->utf8, "finding the UTF-8 encoder");
    CHECK_HPDF(HPDF_SetPageMode(w->pdf, HPDF_PAGE_MODE_USE_OUTLINE), "setting the page mode");
    if (oc_layout_threads() > 1) {
        pthread_mutex_init(&w->zmu, NULL);
        pthread_cond_init(&w->zcv, NULL);
        w->zthreaded = pthread_create(&w->zthread, NULL, deflater_main, w) == 0;
        if (!w->zthreaded) {
            pthread_mutex_destroy(&w->zmu);
            pthread_cond_destroy(&w->zcv);
        }
    }
done:
    if (st != OC_OK) {
        oc_pdf_writer_free(w);
        return NULL;
    }
    return w;
}

void oc_pdf_writer_set_language(oc_pdf_writer *w, const char *language) {
    w->language = language;
}

void oc_pdf_writer_set_svg(oc_pdf_writer *w, double dpi, const char *fonts_dir) {
    w->image_dpi = dpi;
    w->svg_fonts_dir = fonts_dir;
}

void oc_pdf_writer_set_stream(oc_pdf_writer *w, const oc_pdf_stream *stream) {
    w->stream = stream;
}

void oc_pdf_writer_set_marks(oc_pdf_writer *w, int marks) {
    w->marks = marks;
}

/* Pages in a flat page tree at most, and pages per node of a deeper one. */
#define OC_PDF_FLAT_PAGES 30000
#define OC_PDF_PAGES_PER_NODE 4096

static oc_status writer_begin(void *user, double width, double height, size_t npages,
                              const oc_layout_dest *dests, size_t ndests) {
    oc_status st = OC_OK;
    writer *w = user;
    if (w->pages) return fail(w, OC_ERR_INTERNAL, "starting the pages twice");
    w->npages = npages;
    w->width = width;
    w->height = height;
    w->pages = oc_xcalloc(npages ? npages : 1, sizeof *w->pages);
    /* libharu keeps the pages in one /Kids array, which it caps at 32,767
     * entries (HPDF_LIMIT_MAX_ARRAY): a longer book gets a two-level page
     * tree. Shorter books keep the flat tree, byte for byte as before. */
    if (npages > OC_PDF_FLAT_PAGES)
        CHECK_HPDF(HPDF_SetPagesConfiguration(w->pdf, OC_PDF_PAGES_PER_NODE),
                   "configuring the page tree");
    /* Every page has the same size and draws with the same few fonts, so
     * the root of the page tree carries the /MediaBox and the /Resources
     * (one indirect /Font dictionary) and the pages inherit them (ISO
     * 32000-1, 7.7.3.4): libharu gives each page its own box, resources and
     * font dictionary (and /ProcSet, obsolete since PDF 1.4): 10 MB of a
     * 10,075-page book's peak. A page with an image gets resources of its
     * own, naming the same fonts (own_resources). */
    if (npages) {
        HPDF_MMgr mm = w->pdf->mmgr;
        HPDF_Pages root = w->pdf->root_pages;
        HPDF_Box box = {0, 0, (HPDF_REAL)width, (HPDF_REAL)height};
        HPDF_Dict res = HPDF_Dict_New(mm);
        w->fonts_res = HPDF_Dict_New(mm);
        CHECK_PTR(res && w->fonts_res, "sharing the pages' resources");
        CHECK_HPDF(HPDF_Xref_Add(w->pdf->xref, w->fonts_res), "sharing the pages' fonts");
        CHECK_HPDF(HPDF_Dict_Add(res, "Font", w->fonts_res), "sharing the pages' fonts");
        CHECK_HPDF(HPDF_Dict_Add(root, "Resources", res), "sharing the pages' resources");
        w->root_res = res;
        CHECK_HPDF(HPDF_Dict_Add(root, "MediaBox", HPDF_Box_Array_New(mm, box)),
                   "setting the page size");
    }
    /* The pages are made as they are drawn (new_page), not here: libharu's
     * page (its dictionary, content stream and graphics state, 2.1 KB) for
     * every page of the book at once was 21 MB of a 10,075-page book at
     * the build's peak, when the whole book is laid out and no page drawn.
     * A destination's array is made here, empty, so that links may point
     * forward to it, and filled when its page is made. */
    w->pending = oc_xmalloc((ndests ? ndests : 1) * sizeof *w->pending);
    for (size_t k = 0; k < ndests; k++) {
        const oc_layout_dest *d = &dests[k];
        if (!d->name || d->page >= npages || dest_find(w, d->name)) continue;
        HPDF_Destination dst = empty_dest(w);
        CHECK_PTR(dst, "creating a destination");
        dest_put(w, d->name, dst);
        /* (the layout hands them in page order) */
        if (w->npending && w->pending[w->npending - 1].page > d->page) {
            st = fail(w, OC_ERR_INTERNAL, "destinations out of page order");
            goto done;
        }
        w->pending[w->npending++] = (dest_pending){d->page, dst, d->x, d->y};
    }
    if (npages == 0) {
        /* an empty layout still makes a valid (one blank page) PDF */
        HPDF_Page page = HPDF_AddPage(w->pdf);
        CHECK_PTR(page, "adding a page");
    }
done:
    return st;
}

static oc_status writer_page(void *user, size_t index, const oc_page *page) {
    writer *w = user;
    /* the layout's shaper for this call: same fonts and language, and its
     * cache already holds the page's words */
    w->shaper = page->shaper ? page->shaper : w->own_shaper;
    oc_status st = draw_page(w, index, page);
    w->shaper = w->own_shaper;
    return st;
}

oc_page_sink oc_pdf_writer_sink(oc_pdf_writer *w) {
    oc_page_sink s = {w, writer_begin, writer_page};
    return s;
}

oc_status oc_pdf_writer_finish(oc_pdf_writer *w, const oc_document *doc, const oc_layout *layout) {
    oc_status st = OC_OK;
    if (!w->pages || w->pages_made != w->npages)
        return fail(w, OC_ERR_INTERNAL, "finishing a PDF with pages not drawn");
    if ((st = drain(w)) != OC_OK) goto done;
    if ((st = add_bookmarks(w, layout)) != OC_OK) goto done;
    if ((st = add_page_labels(w, layout)) != OC_OK) goto done;
    if ((st = add_info(w, doc)) != OC_OK) goto done;
    if (!w->untagged && (st = add_structure(w, doc, layout)) != OC_OK) goto done;
    if (w->hl_space) { /* the palette's last index and its colours */
        unsigned char lookup[3 * sizeof w->palette / sizeof *w->palette];
        for (int i = 0; i < w->npalette; i++) {
            lookup[3 * i] = (unsigned char)lround(clamp01(w->palette[i].r) * 255);
            lookup[3 * i + 1] = (unsigned char)lround(clamp01(w->palette[i].g) * 255);
            lookup[3 * i + 2] = (unsigned char)lround(clamp01(w->palette[i].b) * 255);
        }
        HPDF_Binary bin = HPDF_Binary_New(w->pdf->mmgr, lookup, (HPDF_UINT)(3 * w->npalette));
        CHECK_PTR(bin, "writing the code colours");
        CHECK_HPDF(HPDF_Array_AddNumber(w->hl_space, w->npalette - 1), "writing the code colours");
        CHECK_HPDF(HPDF_Array_Add(w->hl_space, bin), "writing the code colours");
    }
    for (int f = 0; f < OC_FONT_COUNT; f++) {
        if (!w->font[f]) continue;
        if ((st = embed_font(w, (oc_font_id)f)) != OC_OK ||
            (st = add_tounicode(w, (oc_font_id)f)) != OC_OK ||
            (st = add_widths(w, (oc_font_id)f)) != OC_OK)
            goto done;
    }
    w->finished = 1;
done:
    return st;
}

oc_status oc_pdf_writer_save(oc_pdf_writer *w, oc_buf *out) {
    if (!w->finished) return fail(w, OC_ERR_INTERNAL, "saving a PDF that is not finished");
    return save(w, out);
}

void oc_pdf_writer_free(oc_pdf_writer *w) {
    if (!w) return;
    /* after a failure pages may still be queued: stop the deflater first */
    stop_deflater(w);
    oc_deflater_end(&w->zs);
    oc_deflater_end(&w->img_zs);
    oc_buf_free(&w->img_z);
    for (int i = 0; i < ZRING; i++) {
        oc_buf_free(&w->ring[i].raw);
        oc_buf_free(&w->ring[i].z);
    }
    if (w->pdf) HPDF_Free(w->pdf);
    for (int f = 0; f < OC_FONT_COUNT; f++) {
        free(w->used[f]);
        free(w->adv[f]);
        free(w->tu_off[f]);
        free(w->tu_len[f]);
        free(w->ascii[f]);
        if (w->hbfont[f]) hb_font_destroy(w->hbfont[f]);
        if (w->face[f]) hb_face_destroy(w->face[f]);
    }
    free(w->tu_pool);
    oc_pdf_struct_free(w->st);
    oc_shaper_free(w->own_shaper);
    oc_buf_free(&w->clean);
    free(w->pages);
    free(w->pending);
    free(w->dests);
    free(w->images);
    oc_buf_free(&w->scratch);
    oc_buf_free(&w->content);
    free(w);
}

oc_status oc_pdf_write_layout(const oc_document *doc, const oc_layout *layout,
                              const oc_fontset *fonts, const oc_pdf_options *opt, oc_buf *out,
                              oc_diag *diag) {
    oc_status st = OC_OK;
    oc_layout_dest *dests = NULL;
    size_t ndests = 0, cap = 0;
    writer *w = oc_pdf_writer_new(fonts, diag);
    if (!w) return OC_ERR_INTERNAL;
    if (doc) oc_pdf_writer_set_language(w, doc->meta.language);
    oc_pdf_writer_set_svg(w, opt && opt->print ? OC_PDF_PRINT_DPI : OC_PDF_SCREEN_DPI,
                          opt ? opt->fonts_dir : NULL);
    if (opt && opt->stream) oc_pdf_writer_set_stream(w, opt->stream);
    /* the same steps as a streamed layout: destinations, pages, the rest */
    for (size_t i = 0; i < layout->npages; i++)
        for (size_t k = 0; k < layout->pages[i].nitems; k++) {
            const oc_item *it = &layout->pages[i].items[k];
            if (it->kind != OC_ITEM_DEST || !it->dest) continue;
            if (ndests == cap) {
                cap = cap ? cap * 2 : 64;
                dests = oc_xrealloc(dests, cap * sizeof *dests);
            }
            dests[ndests++] = (oc_layout_dest){it->dest, i, it->x, it->y};
        }
    if ((st = writer_begin(w, layout->width, layout->height, layout->npages, dests, ndests)) !=
        OC_OK)
        goto done;
    for (size_t i = 0; i < layout->npages; i++)
        if ((st = draw_page(w, i, &layout->pages[i])) != OC_OK) goto done;
    if ((st = oc_pdf_writer_finish(w, doc, layout)) == OC_OK) st = oc_pdf_writer_save(w, out);
done:
    free(dests);
    oc_pdf_writer_free(w);
    return st;
}
