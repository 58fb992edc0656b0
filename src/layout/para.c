/* Paragraphs: inline nodes -> boxes, glue and penalties -> Knuth–Plass
 * breaks -> lines of positioned runs.
 *
 * The inline tree is first flattened into "atoms": one per character (with
 * its style and the font that actually has its glyph, after fallback), one
 * per interword space and one per forced line break. Words (runs of
 * character atoms) get break opportunities: libhyphen's points, explicit
 * hyphens, dashes and slashes, sensible points in inline code, and, when a
 * piece is still wider than the measure, emergency points (after URL
 * punctuation, else between any two characters) so that no line is ever
 * wider than the measure. Chinese and Japanese, written without spaces, get
 * a break opportunity between any two ideographs or kana (a zero-width glue
 * that may stretch a little when justified), except where the kinsoku rule
 * forbids it: no line starts with closing punctuation such as 、。）」 or small
 * kana, and none ends with opening punctuation. The items go to
 * oc_linebreak; each line is then turned into runs of one
 * font/size/colour/flags/link.
 *
 * Words are shaped with HarfBuzz (shape.c): each stretch of a word in one
 * font and style is shaped as a whole and its advances are given to the
 * characters that begin its clusters (a ligature's or a conjunct's width
 * goes to its first character, the others get none), so boxes between
 * break opportunities add up to the shaped word. A line is measured again
 * from its runs' own text once its breaks are chosen (a word broken at a
 * hyphen is shaped again as the two pieces the line shows), and a
 * justified line's spaces take up the difference.
 *
 * A character no bundled font has is drawn as U+FFFD and warned once per
 * script per chapter.
 *
 * Code blocks are set line by line in monospace; a source line wider than
 * the measure wraps at a space (or anywhere) and the continuation starts
 * with a grey "↪". */
#include "octavo/labels.h"
#include "octavo/layout.h"

#include <hb.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tuning -------------------------------------------------------------- */
#define HYPHEN_PENALTY 50.0
#define EXPLICIT_PENALTY 50.0
#define CODE_PENALTY 100.0
#define EMERGENCY_PUNCT_PENALTY 1000.0
#define EMERGENCY_ANY_PENALTY 3000.0
#define RAGGED_STRETCH_EM 2.0 /* ragged right: up to ~2em short is "decent" */
#define CODE_SIZE 0.9         /* inline code relative to the text */
#define SUPER_SIZE 0.65
#define SUPER_RISE 0.36
#define SUB_DROP 0.15
#define URL_SIZE 0.85      /* " (url)" after external links in the print profile */
#define CONT_MARK 0x21AA   /* ↪ */
#define CJK_STRETCH_EM 0.1 /* justification stretch between two CJK characters */

enum { AT_CHAR, AT_SPACE, AT_BREAK, AT_SHY, AT_ZWSP };
/* OPP_KEEP: never break here (kinsoku), not even in an emergency */
enum { OPP_NONE, OPP_HYPH, OPP_EXPL, OPP_ZW, OPP_CODE, OPP_EM1, OPP_EM2, OPP_CJK, OPP_KEEP };

typedef struct {
    uint32_t cp; /* glyph drawn (U+FFFD when no font has the character) */
    unsigned char kind;
    unsigned char soft;    /* AT_SPACE from a source line break */
    unsigned char opp;     /* break opportunity after this atom */
    unsigned char nominal; /* its word's shaping is its characters' own glyphs and advances */
    oc_font_id font;
    int style;
    double width;
    uint32_t seg; /* its source: b->segs[seg] (0: text of our own) */
    uint32_t off; /* byte offset of the character in that node's text */
} atom;

typedef struct {
    oc_font_id font; /* before per-character fallback */
    int bold;
    double size, dy;
    oc_color color;
    int flags;
    const char *uri, *dest;
    const oc_node *noteref;
} rstyle;

/* inherited inline state while walking the tree */
typedef struct {
    int bold, italic, code, super, small, strike;
    int sub, underline, mark, qdepth; /* from HTML: sub, ins/u, mark/kbd, nested q */
    const char *uri, *dest;
    const oc_node *noteref;
} istate;

/* what each line-break item stands for */
typedef struct {
    size_t a0, a1; /* BOX: atoms [a0, a1) */
    int space;     /* GLUE: an interword space of atom a0 */
    int hyphen;    /* PENALTY: draw a hyphen when broken here (after atom a0) */
} imeta;

_Static_assert(OC_FONT_COUNT <= 32, "pbuild.ascii_has has a bit per font");

typedef struct {
    oc_para_ctx *ctx;
    const oc_para_style *ps;
    const oc_node *block;
    double measure;
    atom *atoms;
    size_t natoms, capatoms;
    rstyle *styles;
    size_t nstyles, capstyles;
    oc_lb_item *items;
    imeta *meta;
    size_t nitems, capitems;
    double ragged; /* ragged-right stretch; 0 when justified */
    int has_rtl;   /* some character is Hebrew, Arabic, ... */
    int rtl_base;  /* the paragraph's first strong character is right-to-left */
    int has_ltr;   /* a left-to-right letter came first */
    int src_line;  /* source line of the text being added (for messages) */
    /* the nodes atoms come from (segs[0] is NULL: text of our own), and the
     * segment and byte offset the next atom takes */
    const oc_node **segs;
    size_t nsegs, capsegs;
    uint32_t cur_seg, cur_off;
    oc_shaper *shaper;
    struct oc_para_bufs *sb; /* the word buffers (ctx->bufs, or our own) */
    /* fonts asked whether they have all of printable ASCII, and those that
     * have (bit f): most characters then need no lookup in pick_font */
    uint32_t ascii_asked, ascii_has;
} pbuild;

/* a run being assembled */
typedef struct {
    oc_run *runs;
    size_t nruns, cap;
    oc_buf text;
    int open;
} runvec;

/* the growing arrays of pbuild and runvec, kept between paragraphs */
struct oc_para_bufs {
    atom *atoms;
    size_t capatoms;
    rstyle *styles;
    size_t capstyles;
    oc_lb_item *items;
    imeta *meta;
    size_t capitems;
    oc_run *runs;
    size_t capruns;
    oc_buf text;
    oc_shaper *shaper; /* made at the first paragraph, for its fonts and language */
    const oc_fontset *shaper_fonts;
    oc_buf word; /* a word being shaped, and its characters' byte offsets */
    uint32_t *offs;
    size_t capoffs;
    const oc_node **segs; /* pbuild.segs */
    size_t capsegs;
};

struct oc_para_bufs *oc_para_bufs_new(void) {
    struct oc_para_bufs *p = oc_xcalloc(1, sizeof *p);
    oc_buf_init(&p->text);
    oc_buf_init(&p->word);
    return p;
}

struct oc_shaper *oc_para_bufs_shaper(struct oc_para_bufs *p) {
    return p ? p->shaper : NULL;
}

void oc_para_bufs_free(struct oc_para_bufs *p) {
    if (!p) return;
    free(p->atoms);
    free(p->styles);
    free(p->items);
    free(p->meta);
    free(p->runs);
    oc_buf_free(&p->text);
    oc_shaper_free(p->shaper);
    oc_buf_free(&p->word);
    free(p->offs);
    free(p->segs);
    free(p);
}

/* Takes the kept arrays (empty, with their capacity) for one paragraph. */
static void bufs_take(struct oc_para_bufs *p, pbuild *b, runvec *rv) {
    if (!p) return;
    b->atoms = p->atoms;
    b->capatoms = p->capatoms;
    b->styles = p->styles;
    b->capstyles = p->capstyles;
    b->items = p->items;
    b->meta = p->meta;
    b->capitems = p->capitems;
    b->segs = p->segs;
    b->capsegs = p->capsegs;
    rv->runs = p->runs;
    rv->cap = p->capruns;
    oc_buf_free(&rv->text);
    rv->text = p->text;
    oc_buf_reset(&rv->text);
}

/* Gives the arrays back after the paragraph (or frees them without bufs). */
static void bufs_give(struct oc_para_bufs *p, pbuild *b, runvec *rv) {
    if (!p) {
        free(b->atoms);
        free(b->styles);
        free(b->items);
        free(b->meta);
        free(b->segs);
        free(rv->runs);
        oc_buf_free(&rv->text);
        return;
    }
    p->atoms = b->atoms;
    p->capatoms = b->capatoms;
    p->styles = b->styles;
    p->capstyles = b->capstyles;
    p->items = b->items;
    p->meta = b->meta;
    p->capitems = b->capitems;
    p->segs = b->segs;
    p->capsegs = b->capsegs;
    p->runs = rv->runs;
    p->capruns = rv->cap;
    p->text = rv->text;
}

/* ---- helpers --------------------------------------------------------------- */

static void put_cp(oc_buf *buf, uint32_t cp) {
    if (cp < 0x80) {
        oc_buf_putc(buf, (char)cp);
        return;
    }
    char u[4];
    int n = oc_utf8_encode(cp, u);
    oc_buf_append(buf, u, (size_t)n);
}

static int is_mono(oc_font_id f) {
    return f == OC_FONT_MONO || f == OC_FONT_MONO_BOLD || f == OC_FONT_MONO_ITALIC;
}
static int is_sans(oc_font_id f) {
    return f == OC_FONT_SANS || f == OC_FONT_SANS_BOLD;
}
static int is_bold(oc_font_id f) {
    return f == OC_FONT_SERIF_BOLD || f == OC_FONT_SERIF_BOLD_ITALIC || f == OC_FONT_MONO_BOLD ||
           f == OC_FONT_SANS_BOLD;
}
static int is_italic(oc_font_id f) {
    return f == OC_FONT_SERIF_ITALIC || f == OC_FONT_SERIF_BOLD_ITALIC || f == OC_FONT_MONO_ITALIC;
}

static int is_letter(uint32_t cp) {
    if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
    if (cp >= 0xC0 && cp <= 0x24F) return cp != 0xD7 && cp != 0xF7;
    if (cp >= 0x370 && cp <= 0x52F) return cp != 0x37E && cp != 0x387;
    return 0;
}
static int is_alnum(uint32_t cp) {
    return is_letter(cp) || (cp >= '0' && cp <= '9');
}
static int is_hyphen_char(uint32_t cp) {
    return cp == '-' || cp == 0x2010;
}
static int is_dash(uint32_t cp) {
    return cp == 0x2013 || cp == 0x2014;
}
/* punctuation that may surround a word without stopping its hyphenation */
static int is_word_punct(uint32_t cp) {
    return cp == '(' || cp == ')' || cp == '[' || cp == ']' || cp == '"' || cp == '\'' ||
           cp == ',' || cp == '.' || cp == ';' || cp == ':' || cp == '!' || cp == '?' ||
           cp == '*' || cp == 0x2018 || cp == 0x2019 || cp == 0x201C || cp == 0x201D ||
           cp == 0xAB || cp == 0xBB || cp == 0x2026;
}
static int is_url_punct(uint32_t cp) {
    return cp == '/' || cp == '.' || cp == '-' || cp == '_' || cp == '?' || cp == '&' ||
           cp == '=' || cp == '#' || cp == ':' || cp == ',' || cp == ';' || cp == '@' ||
           cp == '+' || cp == '%' || cp == '~';
}
static int is_combining(uint32_t cp) {
    return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
           (cp >= 0x20D0 && cp <= 0x20FF) || (cp >= 0xFE20 && cp <= 0xFE2F);
}
/* marks that belong to the character before them: generic combining marks,
 * Hebrew points, Arabic harakat, Devanagari signs (no break before them, and
 * they stay after their base when a right-to-left run is reversed) */
static int is_mark(uint32_t cp) {
    return is_combining(cp) || (cp >= 0x0591 && cp <= 0x05BD) || cp == 0x05BF || cp == 0x05C1 ||
           cp == 0x05C2 || cp == 0x05C4 || cp == 0x05C5 || cp == 0x05C7 ||
           (cp >= 0x0610 && cp <= 0x061A) || (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 ||
           (cp >= 0x06D6 && cp <= 0x06DC) || (cp >= 0x06DF && cp <= 0x06E4) || cp == 0x06E7 ||
           cp == 0x06E8 || (cp >= 0x06EA && cp <= 0x06ED) || (cp >= 0x0900 && cp <= 0x0903) ||
           (cp >= 0x093A && cp <= 0x094F && cp != 0x093D) || (cp >= 0x0951 && cp <= 0x0957) ||
           cp == 0x0962 || cp == 0x0963 || cp == 0x3099 || cp == 0x309A ||
           (cp >= 0x0981 && cp <= 0x0983) || cp == 0x09BC || (cp >= 0x09BE && cp <= 0x09CD) ||
           cp == 0x09D7 || cp == 0x09E2 || cp == 0x09E3 || cp == 0x0E31 ||
           (cp >= 0x0E34 && cp <= 0x0E3A) || (cp >= 0x0E47 && cp <= 0x0E4E) ||
           (cp >= 0x1F3FB && cp <= 0x1F3FF);
}

/* a virama: the consonant after it joins the one before (no break between) */
static int is_virama(uint32_t cp) {
    return cp == 0x094D || cp == 0x09CD || cp == 0x0A4D || cp == 0x0ACD || cp == 0x0B4D ||
           cp == 0x0BCD || cp == 0x0C4D || cp == 0x0CCD || cp == 0x0D4D;
}

/* Chinese and Japanese characters: a line may break before or after each
 * (UAX #14's ideographic class, with the kana and CJK punctuation). Hangul
 * is left out: Korean is written with spaces between words. */
static int is_cjk(uint32_t cp) {
    if (cp < 0x2E80) return 0; /* (most text: one test) */
    return (cp >= 0x2E80 && cp <= 0x2FDF) || (cp >= 0x3000 && cp <= 0x30FF) ||
           (cp >= 0x3190 && cp <= 0x31FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xF900 && cp <= 0xFAFF) ||
           (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF01 && cp <= 0xFF60) ||
           (cp >= 0xFFE0 && cp <= 0xFFE6);
}

/* kinsoku shori: characters a line may not start with (closing brackets and
 * punctuation, iteration marks, the prolonged sound mark, small kana) */
static int no_line_start(uint32_t cp) {
    static const uint16_t closing[] = {
        0x3001, 0x3002, 0x3005, 0x3009, 0x300B, 0x300D, 0x300F, 0x3011, 0x3015, 0x3017, 0x3019,
        0x301B, 0x301C, 0x301E, 0x301F, 0x303B, 0x3041, 0x3043, 0x3045, 0x3047, 0x3049, 0x3063,
        0x3083, 0x3085, 0x3087, 0x308E, 0x3095, 0x3096, 0x309B, 0x309C, 0x309D, 0x309E, 0x30A0,
        0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9, 0x30C3, 0x30E3, 0x30E5, 0x30E7, 0x30EE, 0x30F5,
        0x30F6, 0x30FB, 0x30FC, 0x30FD, 0x30FE, 0xFF01, 0xFF09, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B,
        0xFF1F, 0xFF3D, 0xFF5D, 0xFF60, 0x2019, 0x201D, 0x2025, 0x2026, 0x203C, 0x2047, 0x2048,
        0x2049, ')',    ']',    '}',    ',',    '.',    ':',    ';',    '?',    '!',    '%'};
    if (cp >= 0x31F0 && cp <= 0x31FF) return 1; /* small katakana for Ainu */
    for (size_t i = 0; i < sizeof closing / sizeof *closing; i++)
        if (closing[i] == cp) return 1;
    return 0;
}

/* characters a line may not end with (opening brackets and quotes) */
static int no_line_end(uint32_t cp) {
    static const uint16_t opening[] = {0x3008, 0x300A, 0x300C, 0x300E, 0x3010, 0x3014, 0x3016,
                                       0x3018, 0x301A, 0x301D, 0xFF08, 0xFF3B, 0xFF5B, 0xFF5F,
                                       0x2018, 0x201C, '(',    '[',    '{'};
    for (size_t i = 0; i < sizeof opening / sizeof *opening; i++)
        if (opening[i] == cp) return 1;
    return 0;
}

/* Bidi class, roughly: 2 strong right-to-left (Hebrew, Arabic, Syriac,
 * Thaana, N'Ko and their presentation forms), 1 strong left-to-right
 * (letters of other scripts), 0 neutral or weak (digits, punctuation,
 * symbols, spaces, marks). */
static int strong_dir(uint32_t cp) {
    if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'); /* (most text) */
    if ((cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) ||
        (cp >= 0xFE70 && cp <= 0xFEFF) || (cp >= 0x10800 && cp <= 0x10FFF))
        return is_combining(cp) || (cp >= 0x0591 && cp <= 0x05C7 && cp != 0x05BE) ||
                       (cp >= 0x064B && cp <= 0x065F) || (cp >= 0x0660 && cp <= 0x0669)
                   ? 0
                   : 2;
    if (cp < 0xC0 || is_combining(cp)) return 0;
    if (cp >= 0x2000 && cp <= 0x2BFF) return 0; /* punctuation, symbols, arrows, math */
    if (cp >= 0x3000 && cp <= 0x303F) return 0;
    if (cp >= 0xFE00 && cp <= 0xFE6F) return 0;
    if (cp >= 0xFF00 && cp <= 0xFF20) return 0;
    if (cp >= 0xFFF0 && cp <= 0xFFFF) return 0;
    if (cp >= 0x1F000 && cp <= 0x1FFFF) return 0; /* emoji */
    return cp == 0xD7 || cp == 0xF7 ? 0 : 1;
}

static double adv(const pbuild *b, oc_font_id f, uint32_t cp, double size) {
    return oc_fonts_advance(b->ctx->fonts, f, cp) * size / 1000.0;
}

/* the column for messages: the block's on its first line, else 1 */
static int src_column(const pbuild *b) {
    if (!b->block) return 0;
    return b->src_line == b->block->line ? b->block->column : 1;
}

/* Once per script and chapter: characters no bundled font has. */
static void warn_missing(pbuild *b, uint32_t cp) {
    oc_para_ctx *c = b->ctx;
    hb_script_t script = hb_unicode_script(hb_unicode_funcs_get_default(), cp);
    if (c->missing_file != c->file) {
        c->missing_file = c->file;
        c->nmissing = 0;
    }
    for (int i = 0; i < c->nmissing; i++)
        if (c->missing[i] == (uint32_t)script) return;
    if (c->nmissing < (int)(sizeof c->missing / sizeof *c->missing))
        c->missing[c->nmissing++] = (uint32_t)script;
    if (!c->diag) return;
    char u[8], tag[5];
    int n = oc_utf8_encode(cp, u);
    u[n] = '\0';
    hb_tag_to_string(hb_script_to_iso15924_tag(script), tag);
    tag[4] = '\0';
    oc_diag_report(c->diag, OC_WARNING, c->file, b->src_line, src_column(b),
                   "characters of script %s are not in any bundled font (first U+%04X '%s'); "
                   "drawn as U+FFFD",
                   tag, (unsigned)cp, u);
}

/* The font that draws cp, starting from `want`; 0 and *cp = U+FFFD (or 0 to
 * skip) when no font has it. */
static oc_font_id pick_font(pbuild *b, oc_font_id want, uint32_t *cp) {
    const oc_fontset *fs = b->ctx->fonts;
    if (*cp >= 0x20 && *cp < 0x7F) {
        uint32_t bit = 1u << want;
        if (!(b->ascii_asked & bit)) {
            b->ascii_asked |= bit;
            if (oc_fonts_has_ascii(fs, want)) b->ascii_has |= bit;
        }
        if (b->ascii_has & bit) return want;
    }
    if (oc_fonts_has(fs, want, *cp)) return want;
    oc_font_id alt = is_bold(want) ? OC_FONT_SANS_BOLD : OC_FONT_SANS;
    if (oc_fonts_has(fs, alt, *cp)) return alt;
    if (oc_fonts_has(fs, OC_FONT_SANS, *cp)) return OC_FONT_SANS;
    /* then the script faces in the book language's order (see
     * oc_fonts_set_language), then any face at all */
    oc_font_id script = oc_fonts_script_face(fs, *cp);
    if (script < OC_FONT_COUNT) return script;
    for (int f = 0; f < OC_FONT_CJK; f++)
        if (oc_fonts_has(fs, (oc_font_id)f, *cp)) return (oc_font_id)f;
    warn_missing(b, *cp);
    *cp = oc_fonts_has(fs, OC_FONT_SANS, 0xFFFD) ? 0xFFFD : 0;
    return OC_FONT_SANS;
}

/* ---- atoms -------------------------------------------------------------------- */

static atom *push_atom(pbuild *b) {
    if (b->natoms == b->capatoms) {
        b->capatoms = b->capatoms ? b->capatoms * 2 : 256;
        b->atoms = oc_xrealloc(b->atoms, b->capatoms * sizeof *b->atoms);
    }
    atom *a = &b->atoms[b->natoms++];
    memset(a, 0, sizeof *a);
    a->seg = b->cur_seg;
    a->off = b->cur_off;
    return a;
}

static int style_index(pbuild *b, const istate *s) {
    const oc_para_style *ps = b->ps;
    rstyle r;
    memset(&r, 0, sizeof r);
    oc_font_id base = ps->font;
    int bold = s->bold || is_bold(base);
    int italic = s->italic || is_italic(base);
    if (s->code || is_mono(base))
        r.font = bold ? OC_FONT_MONO_BOLD : OC_FONT_MONO;
    else if (is_sans(base))
        r.font = bold ? OC_FONT_SANS_BOLD : OC_FONT_SANS;
    else if (bold)
        r.font = italic ? OC_FONT_SERIF_BOLD_ITALIC : OC_FONT_SERIF_BOLD;
    else
        r.font = italic ? OC_FONT_SERIF_ITALIC : OC_FONT_SERIF;
    r.bold = bold;
    r.size = ps->size > 0 ? ps->size : 10;
    if (s->code && !is_mono(base)) r.size *= CODE_SIZE;
    if (s->small) r.size *= URL_SIZE;
    if (s->super) {
        r.dy = r.size * SUPER_RISE;
        r.size *= SUPER_SIZE;
    } else if (s->sub) {
        r.dy = -r.size * SUB_DROP;
        r.size *= SUPER_SIZE;
    }
    r.color = (s->uri || s->dest) ? ps->link_color : ps->color;
    r.flags = (s->strike ? OC_RUN_STRIKE : 0) | (s->code && !is_mono(base) ? OC_RUN_CODE : 0) |
              (s->super ? OC_RUN_SUPER : 0) | (s->underline ? OC_RUN_UNDERLINE : 0) |
              (s->mark ? OC_RUN_MARK : 0);
    r.uri = s->uri;
    r.dest = s->dest;
    r.noteref = s->noteref;
    for (size_t i = b->nstyles; i-- > 0 && i + 4 >= b->nstyles;)
        if (memcmp(&b->styles[i], &r, sizeof r) == 0) return (int)i;
    if (b->nstyles == b->capstyles) {
        b->capstyles = b->capstyles ? b->capstyles * 2 : 16;
        b->styles = oc_xrealloc(b->styles, b->capstyles * sizeof *b->styles);
    }
    b->styles[b->nstyles] = r;
    return (int)b->nstyles++;
}

static void add_char(pbuild *b, uint32_t cp, int si) {
    const rstyle *st = &b->styles[si];
    oc_font_id f = pick_font(b, st->font, &cp);
    if (cp == 0) return;
    int dir = strong_dir(cp);
    if (dir == 2) b->has_rtl = 1;
    if (dir && !b->rtl_base && !b->has_ltr) {
        if (dir == 2)
            b->rtl_base = 1;
        else
            b->has_ltr = 1;
    }
    atom *a = push_atom(b);
    a->kind = AT_CHAR;
    a->cp = cp;
    a->font = f;
    a->style = si;
    a->width = adv(b, f, cp, st->size);
}

static void add_space(pbuild *b, int si) {
    if (b->natoms == 0) return;
    atom *last = &b->atoms[b->natoms - 1];
    if (last->kind == AT_SPACE || last->kind == AT_BREAK) return;
    const rstyle *st = &b->styles[si];
    uint32_t cp = ' ';
    oc_font_id f = pick_font(b, st->font, &cp);
    atom *a = push_atom(b);
    a->kind = AT_SPACE;
    a->cp = ' ';
    a->font = f;
    a->style = si;
    a->width = adv(b, f, ' ', st->size);
}

static void add_break(pbuild *b) {
    while (b->natoms && b->atoms[b->natoms - 1].kind == AT_SPACE)
        b->natoms--;
    if (b->natoms == 0) return;
    atom *a = push_atom(b);
    a->kind = AT_BREAK;
    a->style = b->natoms > 1 ? b->atoms[b->natoms - 2].style : 0;
}

/* The atoms added next come from node n's text (NULL: text of our own). */
static void set_source(pbuild *b, const oc_node *n) {
    if (!n) {
        b->cur_seg = 0;
        return;
    }
    if (b->nsegs == 0) b->nsegs = 1; /* segs[0]: ours */
    if (b->nsegs >= b->capsegs) {
        b->capsegs = b->capsegs ? b->capsegs * 2 : 16;
        b->segs = oc_xrealloc(b->segs, b->capsegs * sizeof *b->segs);
        b->segs[0] = NULL;
    }
    b->segs[b->nsegs] = n;
    b->cur_seg = (uint32_t)b->nsegs++;
}

/* Text of node `src` (NULL: text of our own, such as a quotation mark). */
static void add_text(pbuild *b, const oc_node *src, const char *s, size_t len, const istate *st) {
    if (!s) return;
    set_source(b, src);
    int si = style_index(b, st);
    size_t i = 0;
    while (i < len) {
        b->cur_off = (uint32_t)i;
        uint32_t cp = oc_utf8_next(s, len, &i);
        if (cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r') {
            add_space(b, si);
        } else if (cp == 0xAD || cp == 0x200B) {
            atom *a = push_atom(b);
            a->kind = cp == 0xAD ? AT_SHY : AT_ZWSP;
            a->style = si;
            a->font = b->styles[si].font;
        } else if (cp == 0x200C && oc_fonts_has(b->ctx->fonts, OC_FONT_SANS, cp)) {
            /* zero-width non-joiner: kept (it stops Arabic joining and is
             * part of Persian words, so it is extracted with them) */
            add_char(b, cp, si);
        } else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0) || cp == 0xFEFF || cp == 0x200C ||
                   cp == 0x200D || cp == 0x2060 || (cp >= 0xFE00 && cp <= 0xFE0F) ||
                   (cp >= 0xE0100 && cp <= 0xE01EF)) {
            /* controls, invisible joiners and variation selectors (the
             * emoji face is monochrome either way) draw nothing */
            continue;
        } else {
            add_char(b, cp, si);
        }
    }
    set_source(b, NULL);
}

static int atoms_equal_text(const pbuild *b, size_t from, const char *s) {
    size_t len = strlen(s), i = 0, k = from;
    while (i < len) {
        uint32_t cp = oc_utf8_next(s, len, &i);
        while (k < b->natoms && b->atoms[k].kind != AT_CHAR)
            k++;
        if (k >= b->natoms || b->atoms[k].cp != cp) return 0;
        k++;
    }
    while (k < b->natoms && b->atoms[k].kind != AT_CHAR)
        k++;
    return k == b->natoms;
}

static void walk(pbuild *b, const oc_node *n, istate st);

/* " (p. N)" after an internal link in print: N from ctx->page_of, else a
 * placeholder of ctx->ref_digits zeros (digits are set at one width, so the
 * placeholder takes the room the number will). */
static void add_page_ref(pbuild *b, const char *dest, const istate *st) {
    oc_para_ctx *c = b->ctx;
    const char *label = c->page_of ? c->page_of(c->page_of_user, dest) : NULL;
    char buf[48];
    if (!label) {
        int d = c->ref_digits < 1 ? 1 : c->ref_digits > 8 ? 8 : c->ref_digits;
        memset(buf, '0', (size_t)d);
        buf[d] = 0;
        label = buf;
    }
    istate us = *st;
    us.small = 1;
    us.italic = 0;
    us.bold = 0;
    us.strike = 0;
    add_space(b, style_index(b, &us));
    /* the book language's words around the number ("(p. " "12" ")"), a
     * space before the number made a no-break one */
    const oc_labels *l = oc_labels_for(c->doc ? c->doc->meta.language : NULL);
    size_t pl = strlen(l->page_ref);
    if (pl && l->page_ref[pl - 1] == ' ') {
        add_text(b, NULL, l->page_ref, pl - 1, &us);
        add_text(b, NULL, "\xC2\xA0", 2, &us);
    } else {
        add_text(b, NULL, l->page_ref, pl, &us);
    }
    add_text(b, NULL, label, strlen(label), &us);
    add_text(b, NULL, l->page_ref_after, strlen(l->page_ref_after), &us);
    for (int k = (int)strlen(label); k < c->ref_pad && k < 16; k++)
        add_text(b, NULL, "\xE2\x80\x87", 3, &us); /* figure space */
    c->refs_used++;
}

/* Quotation marks of the book's language for an HTML q, the inner pair
 * for a q inside another. */
static void quote_marks(const pbuild *b, int depth, const char **open, const char **close) {
    const oc_document *doc = b->ctx->doc;
    const char *l = doc && doc->meta.language ? doc->meta.language : "en";
    int inner = depth % 2;
    if (!strncmp(l, "de", 2) || !strncmp(l, "cs", 2) || !strncmp(l, "sk", 2)) {
        *open = inner ? "\xE2\x80\x9A" : "\xE2\x80\x9E";
        *close = inner ? "\xE2\x80\x98" : "\xE2\x80\x9C";
    } else if (!strncmp(l, "fr", 2)) {
        *open = inner ? "\xE2\x80\x9C" : "\xC2\xAB\xC2\xA0";
        *close = inner ? "\xE2\x80\x9D" : "\xC2\xA0\xC2\xBB";
    } else if (!strncmp(l, "ru", 2) || !strncmp(l, "es", 2) || !strncmp(l, "it", 2)) {
        *open = inner ? "\xE2\x80\x9C" : "\xC2\xAB";
        *close = inner ? "\xE2\x80\x9D" : "\xC2\xBB";
    } else {
        *open = inner ? "\xE2\x80\x98" : "\xE2\x80\x9C";
        *close = inner ? "\xE2\x80\x99" : "\xE2\x80\x9D";
    }
}

static void walk_children(pbuild *b, const oc_node *n, const istate *st) {
    for (const oc_node *c = n->first; c; c = c->next)
        walk(b, c, *st);
}

static void walk(pbuild *b, const oc_node *n, istate st) {
    switch (n->type) {
    case OC_TEXT:
    case OC_HTML_INLINE:
        add_text(b, n, n->text, n->len, &st);
        break;
    case OC_SOFTBREAK: {
        size_t before = b->natoms;
        add_space(b, style_index(b, &st));
        if (b->natoms > before) b->atoms[b->natoms - 1].soft = 1;
        b->src_line++;
        break;
    }
    case OC_LINEBREAK:
        add_break(b);
        b->src_line++;
        break;
    case OC_CODE:
        st.code = 1;
        add_text(b, n, n->text, n->len, &st);
        break;
    case OC_EMPH:
        st.italic = 1;
        walk_children(b, n, &st);
        break;
    case OC_STRONG:
        st.bold = 1;
        walk_children(b, n, &st);
        break;
    case OC_STRIKE:
        st.strike = 1;
        walk_children(b, n, &st);
        break;
    case OC_LINK: {
        if (n->link_kind == OC_LINK_EXTERNAL && n->url) {
            st.uri = n->url;
        } else if (n->link_kind == OC_LINK_INTERNAL) {
            const oc_document *doc = b->ctx->doc;
            st.dest = n->target_id;
            if (!st.dest && doc && n->target_chapter >= 0 && n->target_chapter < doc->nchapters)
                st.dest = doc->chapters[n->target_chapter].id;
        }
        size_t from = b->natoms;
        walk_children(b, n, &st);
        if (b->ps->show_urls && n->link_kind == OC_LINK_OMITTED) {
            /* a handout (--chapters): say where the reader finds it */
            istate us = st;
            us.small = 1;
            add_space(b, style_index(b, &us));
            const char *note =
                oc_labels_for(b->ctx->doc ? b->ctx->doc->meta.language : NULL)->in_full_book;
            add_text(b, NULL, note, strlen(note), &us);
            break;
        }
        if (b->ps->show_urls && st.dest && n->link_kind == OC_LINK_INTERNAL) {
            /* print: where to turn, " (p. 12)", the number with a no-break
             * space so that it never starts a line */
            add_page_ref(b, st.dest, &st);
            break;
        }
        if (b->ps->show_urls && st.uri && !atoms_equal_text(b, from, n->url)) {
            const char *u = n->url;
            if (strncmp(u, "mailto:", 7) == 0 && atoms_equal_text(b, from, u + 7)) break;
            istate us = st;
            us.small = 1;
            us.italic = 0;
            us.bold = 0;
            us.strike = 0;
            int si = style_index(b, &us);
            add_space(b, si);
            add_text(b, NULL, "(", 1, &us);
            add_text(b, NULL, u, strlen(u), &us);
            add_text(b, NULL, ")", 1, &us);
        }
        break;
    }
    case OC_IMAGE:
        st.italic = 1;
        if (n->first)
            walk_children(b, n, &st);
        else if (n->title)
            add_text(b, NULL, n->title, strlen(n->title), &st);
        break;
    case OC_FOOTNOTE_REF: {
        char num[32];
        int len = snprintf(num, sizeof num, "%d", n->note_number);
        st.super = 1;
        st.noteref = n;
        st.uri = NULL;
        st.dest = NULL;
        if (len > 0) add_text(b, NULL, num, (size_t)len, &st);
        break;
    }
    /* inlines born of raw HTML */
    case OC_KBD: /* a key: monospace on a tint, never hyphenated */
        st.code = 1;
        walk_children(b, n, &st);
        break;
    case OC_SUP:
        st.super = 1;
        walk_children(b, n, &st);
        break;
    case OC_SUB:
        st.sub = 1;
        walk_children(b, n, &st);
        break;
    case OC_UNDERLINE:
        st.underline = 1;
        walk_children(b, n, &st);
        break;
    case OC_MARK:
        st.mark = 1;
        walk_children(b, n, &st);
        break;
    case OC_SMALL:
        st.small = 1;
        walk_children(b, n, &st);
        break;
    case OC_ABBR:
        walk_children(b, n, &st);
        break;
    case OC_Q: {
        const char *open, *close;
        quote_marks(b, st.qdepth, &open, &close);
        add_text(b, NULL, open, strlen(open), &st);
        st.qdepth++;
        walk_children(b, n, &st);
        st.qdepth--;
        add_text(b, NULL, close, strlen(close), &st);
        break;
    }
    case OC_ANCHOR: /* a destination: placed by the block (blocks.c) */
        break;
    default:
        /* blocks (a paragraph inside a cell or item) and anything new */
        if (n->first) {
            if (b->natoms && n->prev) add_space(b, style_index(b, &st));
            walk_children(b, n, &st);
        } else if (n->text && n->type != OC_HR) {
            add_text(b, n, n->text, n->len, &st);
        }
        break;
    }
}

/* ---- break opportunities ------------------------------------------------------ */

static void hyphenate_segment(pbuild *b, size_t s0, size_t s1) {
    /* s0..s1: letter atoms */
    size_t nl = s1 - s0;
    if (nl < 5 || nl > 64) return;
    char buf[64 * 4 + 4];
    size_t ends[64], len = 0;
    for (size_t k = s0; k < s1; k++) {
        len += (size_t)oc_utf8_encode(b->atoms[k].cp, buf + len);
        ends[k - s0] = len;
    }
    unsigned char pts[sizeof buf];
    if (oc_hyphen_points(b->ctx->hyphen, buf, len, pts) <= 0) return;
    for (size_t k = 0; k + 1 < nl; k++)
        if (pts[ends[k] - 1] && b->atoms[s0 + k].opp == OPP_NONE) b->atoms[s0 + k].opp = OPP_HYPH;
}

static void hyphenate_word(pbuild *b, size_t i, size_t j) {
    /* strip surrounding punctuation; the core must be letters and hyphens */
    while (i < j && is_word_punct(b->atoms[i].cp))
        i++;
    while (j > i && is_word_punct(b->atoms[j - 1].cp))
        j--;
    if (j - i < 5) return;
    for (size_t k = i; k < j; k++) {
        const atom *a = &b->atoms[k];
        if (a->kind != AT_CHAR) return; /* soft hyphens: the author decided */
        if (b->styles[a->style].flags & OC_RUN_CODE) return;
        if (is_mono(b->styles[a->style].font)) return;
        if (!is_letter(a->cp) && !is_hyphen_char(a->cp)) return;
    }
    size_t s = i;
    for (size_t k = i; k <= j; k++) {
        if (k == j || is_hyphen_char(b->atoms[k].cp)) {
            if (k > s) hyphenate_segment(b, s, k);
            s = k + 1;
        }
    }
}

static void word_opportunities(pbuild *b, size_t i, size_t j) {
    atom *A = b->atoms;
    for (size_t k = i; k + 1 < j; k++) {
        atom *a = &A[k];
        uint32_t cp = a->cp, nx = A[k + 1].cp;
        int code = (b->styles[a->style].flags & OC_RUN_CODE) || is_mono(b->styles[a->style].font);
        if (a->kind == AT_SHY) {
            a->opp = OPP_HYPH;
        } else if (a->kind == AT_ZWSP) {
            a->opp = OPP_ZW;
        } else if (A[k + 1].kind == AT_CHAR && (is_cjk(cp) || is_cjk(nx))) {
            a->opp = no_line_end(cp) || no_line_start(nx) || is_mark(nx) ? OPP_KEEP : OPP_CJK;
        } else if (code) {
            if ((cp == '/' || cp == '.' || cp == '_' || cp == '-' || cp == ',' || cp == ';' ||
                 cp == ':' || cp == '(' || cp == '=') &&
                k > i && nx != cp && A[k + 1].kind == AT_CHAR && !is_url_punct(nx))
                a->opp = OPP_CODE;
        } else if (is_hyphen_char(cp)) {
            if (k > i && is_alnum(A[k - 1].cp) && is_alnum(nx)) a->opp = OPP_EXPL;
        } else if (is_dash(cp)) {
            if (!is_dash(nx) && !is_word_punct(nx)) a->opp = OPP_EXPL;
        } else if (cp == '/') {
            if (k > i && A[k - 1].cp != '/' && nx != '/' && !is_word_punct(nx)) a->opp = OPP_EXPL;
        }
    }
    if (b->ps->hyphenate && b->ctx->hyphen) hyphenate_word(b, i, j);

    /* a word wider than the measure (a long URL, an identifier) gets
     * emergency points everywhere, so its lines fill the measure instead of
     * ending at the few natural points; URL punctuation is preferred. In
     * Chinese or Japanese the pieces between two CJK break opportunities
     * count as words: only a piece that kinsoku makes wider than the
     * measure gets emergency points (so the rule yields, never the measure) */
    for (size_t s = i; s < j;) {
        size_t e = s;
        double w = A[e].width;
        while (e + 1 < j && A[e].opp != OPP_CJK)
            w += A[++e].width;
        if (w > b->measure) {
            for (size_t q = s; q < e; q++) {
                if ((A[q].opp != OPP_NONE && A[q].opp != OPP_KEEP) || is_mark(A[q + 1].cp) ||
                    is_virama(A[q].cp))
                    continue;
                if (A[q].kind == AT_CHAR && is_url_punct(A[q].cp) && !is_url_punct(A[q + 1].cp))
                    A[q].opp = OPP_EM1;
                else
                    A[q].opp = OPP_EM2;
            }
        }
        s = e + 1;
    }
}

/* A word with characters the book face lacks (accented Greek, say) is set
 * wholly in the fallback face when that face has all of it, rather than
 * switching fonts letter by letter. Inline code keeps its monospace. */
static void unify_word_fonts(pbuild *b, size_t i, size_t j) {
    const oc_fontset *fs = b->ctx->fonts;
    int fell = 0;
    for (size_t k = i; k < j; k++) {
        const atom *a = &b->atoms[k];
        if (a->kind != AT_CHAR) continue;
        oc_font_id want = b->styles[a->style].font;
        if (!is_mono(want) && a->font != want) fell = 1;
    }
    if (!fell) return;
    for (size_t k = i; k < j; k++) {
        const atom *a = &b->atoms[k];
        if (a->kind != AT_CHAR || is_mono(b->styles[a->style].font)) continue;
        oc_font_id to = is_bold(b->styles[a->style].font) ? OC_FONT_SANS_BOLD : OC_FONT_SANS;
        if (a->font != to && !oc_fonts_has(fs, to, a->cp)) return;
    }
    for (size_t k = i; k < j; k++) {
        atom *a = &b->atoms[k];
        if (a->kind != AT_CHAR || is_mono(b->styles[a->style].font)) continue;
        oc_font_id to = is_bold(b->styles[a->style].font) ? OC_FONT_SANS_BOLD : OC_FONT_SANS;
        if (a->font == to) continue;
        a->font = to;
        a->width = adv(b, to, a->cp, b->styles[a->style].size);
    }
}

/* ---- items ------------------------------------------------------------------------ */

static void push_item(pbuild *b, oc_lb_type t, double w, double y, double z, double pen,
                      int flagged, const imeta *m) {
    if (b->nitems == b->capitems) {
        b->capitems = b->capitems ? b->capitems * 2 : 256;
        b->items = oc_xrealloc(b->items, b->capitems * sizeof *b->items);
        b->meta = oc_xrealloc(b->meta, b->capitems * sizeof *b->meta);
    }
    oc_lb_item *it = &b->items[b->nitems];
    memset(it, 0, sizeof *it);
    it->type = t;
    it->width = w;
    it->stretch = y;
    it->shrink = z;
    it->penalty = pen;
    it->flagged = flagged;
    if (m)
        b->meta[b->nitems] = *m;
    else
        memset(&b->meta[b->nitems], 0, sizeof *b->meta);
    b->nitems++;
}

/* a break opportunity: plain penalty when justified; wrapped in the
 * ragged-right stretch otherwise */
static void push_break(pbuild *b, double pen, double width, int flagged, const imeta *m) {
    if (b->ragged > 0) {
        push_item(b, OC_LB_PENALTY, 0, 0, 0, OC_LB_INFINITY, 0, NULL);
        push_item(b, OC_LB_GLUE, 0, b->ragged, 0, 0, 0, NULL);
        push_item(b, OC_LB_PENALTY, width, 0, 0, pen, flagged, m);
        push_item(b, OC_LB_GLUE, 0, -b->ragged, 0, 0, 0, NULL);
    } else {
        push_item(b, OC_LB_PENALTY, width, 0, 0, pen, flagged, m);
    }
}

static void push_space(pbuild *b, size_t ai) {
    imeta m;
    memset(&m, 0, sizeof m);
    m.space = 1;
    m.a0 = ai;
    double w = b->atoms[ai].width;
    if (b->ragged > 0) {
        push_item(b, OC_LB_PENALTY, 0, 0, 0, OC_LB_INFINITY, 0, NULL);
        push_item(b, OC_LB_GLUE, 0, b->ragged, 0, 0, 0, NULL);
        push_item(b, OC_LB_PENALTY, 0, 0, 0, 0, 0, NULL);
        push_item(b, OC_LB_GLUE, w, -b->ragged, 0, 0, 0, &m);
    } else if (is_mono(b->atoms[ai].font)) {
        /* a space inside inline code keeps its cell: monospaced text that
         * stretches reads as two spaces (TeX's typewriter faces have no
         * stretch either); the line's other spaces take up the slack */
        push_item(b, OC_LB_GLUE, w, 0, 0, 0, 0, &m);
    } else {
        push_item(b, OC_LB_GLUE, w, w / 2, w / 3, 0, 0, &m);
    }
}

static double hyphen_width(pbuild *b, const atom *a) {
    uint32_t cp = '-';
    oc_font_id f = pick_font(b, a->font, &cp);
    return cp ? adv(b, f, cp, b->styles[a->style].size) : 0;
}

/* Two character atoms are shaped together (and share a run) when they share
 * the font and everything a run keeps. */
static int same_run_style(const pbuild *b, const atom *p, const atom *a) {
    if (p->font != a->font) return 0;
    if (p->style == a->style) return 1;
    const rstyle *x = &b->styles[p->style], *y = &b->styles[a->style];
    return x->size == y->size && x->dy == y->dy && x->flags == y->flags && x->uri == y->uri &&
           x->dest == y->dest && x->noteref == y->noteref && oc_color_eq(x->color, y->color);
}

/* Shapes the character atoms [i, j) (one font and style; soft hyphens and
 * zero-width spaces between them are skipped) and gives each glyph's
 * advance to the atom its cluster starts at. */
static void shape_unit(pbuild *b, size_t i, size_t j) {
    struct oc_para_bufs *sb = b->sb;
    oc_buf_reset(&sb->word);
    if (j - i > sb->capoffs) {
        sb->capoffs = (j - i) * 2;
        sb->offs = oc_xrealloc(sb->offs, 2 * sb->capoffs * sizeof *sb->offs);
    }
    uint32_t *at = sb->offs + sb->capoffs; /* the atom of each character */
    size_t n = 0;
    oc_buf_reserve(&sb->word, 4 * (j - i) + 1);
    if (sb->word.overflow || !sb->word.data) return; /* (beyond the buffers' ceiling) */
    char *wp = sb->word.data;
    size_t wl = 0;
    for (size_t k = i; k < j; k++) {
        atom *a = &b->atoms[k];
        if (a->kind != AT_CHAR) continue;
        at[n] = (uint32_t)k;
        sb->offs[n++] = (uint32_t)wl;
        if (a->cp < 0x80)
            wp[wl++] = (char)a->cp;
        else
            wl += (size_t)oc_utf8_encode(a->cp, wp + wl);
        a->width = 0;
    }
    sb->word.len = wl;
    if (n == 0) return;
    const atom *first = &b->atoms[i];
    double size = b->styles[first->style].size;
    size_t ng = 0;
    double w = 0;
    int nominal = 0;
    const oc_glyph *g = oc_shaper_shape(b->shaper, first->font, -1, wp, wl, &ng, &w, &nominal);
    if (nominal) { /* glyph q is character q's */
        for (size_t q = 0; q < n; q++) {
            atom *a = &b->atoms[at[q]];
            a->width = g[q].adv * size / 1000.0;
            a->nominal = 1;
        }
        return;
    }
    for (size_t q = 0; q < ng; q++) {
        /* the atom whose bytes start the cluster (offsets ascend) */
        size_t lo = 0, hi = n;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (sb->offs[mid] <= g[q].cluster)
                lo = mid;
            else
                hi = mid;
        }
        b->atoms[at[lo]].width += g[q].adv * size / 1000.0;
    }
    for (size_t q = 0; q < n; q++)
        b->atoms[at[q]].nominal = 0;
}

static void shape_word(pbuild *b, size_t i, size_t j) {
    size_t u = i;
    const atom *last = NULL;
    int udir = 0;
    for (size_t k = i; k < j; k++) {
        const atom *a = &b->atoms[k];
        if (a->kind != AT_CHAR) continue;
        int d = strong_dir(a->cp);
        if (last && (!same_run_style(b, last, a) || (d && udir && d != udir))) {
            shape_unit(b, u, k);
            u = k;
            udir = 0;
        }
        if (d) udir = d;
        last = a;
    }
    if (last) shape_unit(b, u, j);
}

static void word_items(pbuild *b, size_t i, size_t j) {
    unify_word_fonts(b, i, j);
    shape_word(b, i, j);
    word_opportunities(b, i, j);
    size_t bs = i;
    double bw = 0;
    for (size_t k = i; k < j; k++) {
        const atom *a = &b->atoms[k];
        if (k > bs && a->kind == AT_CHAR) {
            const atom *p = &b->atoms[k - 1];
            if (p->kind == AT_CHAR && (p->font != a->font || p->style != a->style)) {
                imeta m = {bs, k, 0, 0};
                push_item(b, OC_LB_BOX, bw, 0, 0, 0, 0, &m);
                bs = k;
                bw = 0;
            }
        }
        bw += a->width;
        if (a->opp != OPP_NONE && a->opp != OPP_KEEP && k + 1 < j) {
            imeta m = {bs, k + 1, 0, 0};
            push_item(b, OC_LB_BOX, bw, 0, 0, 0, 0, &m);
            bs = k + 1;
            bw = 0;
            imeta pm;
            memset(&pm, 0, sizeof pm);
            pm.a0 = k;
            switch (a->opp) {
            case OPP_HYPH:
                pm.hyphen = 1;
                push_break(b, HYPHEN_PENALTY, hyphen_width(b, a), 1, &pm);
                break;
            case OPP_EXPL:
                push_break(b, EXPLICIT_PENALTY, 0, 0, &pm);
                break;
            case OPP_ZW:
                push_break(b, 0, 0, 0, &pm);
                break;
            case OPP_CODE:
                push_break(b, CODE_PENALTY, 0, 0, &pm);
                break;
            case OPP_EM1:
                push_break(b, EMERGENCY_PUNCT_PENALTY, 0, 0, &pm);
                break;
            case OPP_CJK:
                /* justified: a zero-width glue (itself the break) that
                 * stretches a little, so a line of ideographs can fill the
                 * measure; ragged: a free break */
                if (b->ragged > 0)
                    push_break(b, 0, 0, 0, &pm);
                else
                    push_item(b, OC_LB_GLUE, 0, CJK_STRETCH_EM * b->styles[a->style].size, 0, 0, 0,
                              &pm);
                break;
            default:
                push_break(b, EMERGENCY_ANY_PENALTY, 0, 0, &pm);
                break;
            }
        }
    }
    if (j > bs) {
        imeta m = {bs, j, 0, 0};
        push_item(b, OC_LB_BOX, bw, 0, 0, 0, 0, &m);
    }
}

/* A source line break between two Chinese or Japanese characters is no
 * space (as CSS Text 3 removes such segment breaks): it is dropped, and the
 * characters get their usual break opportunity instead. */
static void drop_cjk_soft_spaces(pbuild *b) {
    size_t o = 0;
    for (size_t i = 0; i < b->natoms; i++) {
        const atom *a = &b->atoms[i];
        if (a->kind == AT_SPACE && a->soft && o > 0 && i + 1 < b->natoms &&
            b->atoms[o - 1].kind == AT_CHAR && b->atoms[i + 1].kind == AT_CHAR &&
            is_cjk(b->atoms[o - 1].cp) && is_cjk(b->atoms[i + 1].cp))
            continue;
        b->atoms[o++] = *a;
    }
    b->natoms = o;
}

static void build_items(pbuild *b) {
    drop_cjk_soft_spaces(b);
    /* the paragraph ends without spaces */
    while (b->natoms &&
           (b->atoms[b->natoms - 1].kind == AT_SPACE || b->atoms[b->natoms - 1].kind == AT_BREAK))
        b->natoms--;
    if (b->ps->indent > 0 && b->natoms) {
        imeta m = {0, 0, 0, 0};
        push_item(b, OC_LB_BOX, b->ps->indent, 0, 0, 0, 0, &m);
    }
    size_t i = 0;
    while (i < b->natoms) {
        const atom *a = &b->atoms[i];
        if (a->kind == AT_SPACE) {
            push_space(b, i);
            i++;
        } else if (a->kind == AT_BREAK) {
            push_item(b, OC_LB_GLUE, 0, OC_LB_INFINITY, 0, 0, 0, NULL);
            push_item(b, OC_LB_PENALTY, 0, 0, 0, -OC_LB_INFINITY, 0, NULL);
            i++;
        } else {
            size_t j = i;
            while (j < b->natoms && b->atoms[j].kind != AT_SPACE && b->atoms[j].kind != AT_BREAK)
                j++;
            word_items(b, i, j);
            i = j;
        }
    }
    push_item(b, OC_LB_GLUE, 0, OC_LB_INFINITY, 0, 0, 0, NULL);
    push_item(b, OC_LB_PENALTY, 0, 0, 0, -OC_LB_INFINITY, 0, NULL);
}

/* ---- runs and lines -------------------------------------------------------------- */

static int run_matches(const oc_run *r, oc_font_id f, const rstyle *st) {
    return r->font == f && r->size == st->size && r->dy == st->dy && r->flags == st->flags &&
           r->uri == st->uri && r->dest == st->dest && r->noteref == st->noteref &&
           oc_color_eq(r->color, st->color);
}

static oc_run *run_new(runvec *rv, double x, oc_font_id f, const rstyle *st) {
    if (rv->nruns == rv->cap) {
        rv->cap = rv->cap ? rv->cap * 2 : 16;
        rv->runs = oc_xrealloc(rv->runs, rv->cap * sizeof *rv->runs);
    }
    oc_run *r = &rv->runs[rv->nruns++];
    memset(r, 0, sizeof *r);
    r->x = x;
    r->dy = st->dy;
    r->font = f;
    r->size = st->size;
    r->color = st->color;
    r->flags = st->flags;
    r->uri = st->uri;
    r->dest = st->dest;
    r->noteref = st->noteref;
    /* text offsets into rv->text until the line is finished */
    r->text = NULL;
    r->len = rv->text.len;
    rv->open = 1;
    return r;
}

/* Copies the line's runs into the arena and fills ascent/descent. */
static void finish_line(pbuild *b, runvec *rv, oc_line *ln, double width) {
    oc_arena *ar = b->ctx->arena;
    const oc_fontset *fs = b->ctx->fonts;
    double size = b->ps->size > 0 ? b->ps->size : 10;
    double asc = oc_fonts_ascent(fs, b->ps->font) * size / 1000.0;
    double desc = -oc_fonts_descent(fs, b->ps->font) * size / 1000.0;
    size_t kept = 0;
    for (size_t k = 0; k < rv->nruns; k++) {
        oc_run *r = &rv->runs[k];
        size_t start = r->len;
        size_t end = k + 1 < rv->nruns ? rv->runs[k + 1].len : rv->text.len;
        if (end <= start) continue;
        r->text = oc_arena_strndup(ar, rv->text.data + start, end - start); /* NUL-ended */
        r->len = end - start;
        double a = oc_fonts_ascent(fs, r->font) * r->size / 1000.0 + r->dy;
        double d = -oc_fonts_descent(fs, r->font) * r->size / 1000.0 - r->dy;
        if (a > asc) asc = a;
        if (d > desc) desc = d;
        rv->runs[kept++] = *r;
    }
    ln->nruns = (int)kept;
    ln->runs = kept
                   ? oc_arena_alloc(b->ctx->scratch ? b->ctx->scratch : ar, kept * sizeof *ln->runs)
                   : NULL;
    if (kept) memcpy(ln->runs, rv->runs, kept * sizeof *ln->runs);
    ln->width = width;
    ln->ascent = asc;
    ln->descent = desc;
    rv->nruns = 0;
    rv->open = 0;
    oc_buf_reset(&rv->text);
}

/* Where the line of items [s, e] starts in the Document: its first atom
 * that came from a node's text. */
static void line_source(const pbuild *b, size_t s, size_t e, oc_line *ln) {
    ln->src = NULL;
    ln->src_off = 0;
    for (size_t i = s; i <= e && i < b->nitems; i++) {
        if (b->items[i].type != OC_LB_BOX) continue;
        for (size_t k = b->meta[i].a0; k < b->meta[i].a1 && k < b->natoms; k++) {
            const atom *a = &b->atoms[k];
            if (a->seg == 0 || a->seg >= b->nsegs) continue;
            ln->src = b->segs[a->seg];
            ln->src_off = a->off;
            return;
        }
    }
}

static size_t line_start(const pbuild *b, size_t brk) {
    size_t j = brk + 1;
    while (j < b->nitems) {
        const oc_lb_item *it = &b->items[j];
        if (it->type == OC_LB_BOX) break;
        if (it->type == OC_LB_PENALTY && it->penalty <= -OC_LB_INFINITY) break;
        j++;
    }
    return j;
}

/* The bidi algorithm's reordering, simplified to runs: each run is
 * right-to-left (it has a Hebrew or Arabic letter), left-to-right (other
 * letters) or neutral (takes its neighbours' direction when they agree,
 * else the paragraph's); levels follow the paragraph direction, and every
 * maximal sequence at or above each level is mirrored in place. */
/* Splits run k at byte `at` of the line's text (a run boundary inside it). */
static void split_run(const pbuild *b, runvec *rv, size_t k, size_t at) {
    if (rv->nruns == rv->cap) {
        rv->cap = rv->cap ? rv->cap * 2 : 16;
        rv->runs = oc_xrealloc(rv->runs, rv->cap * sizeof *rv->runs);
    }
    memmove(&rv->runs[k + 2], &rv->runs[k + 1], (rv->nruns - k - 1) * sizeof *rv->runs);
    rv->nruns++;
    oc_run *r = &rv->runs[k], *t = &rv->runs[k + 1];
    size_t end = k + 2 < rv->nruns ? rv->runs[k + 2].len : rv->text.len;
    *t = *r;
    t->len = at;
    t->width = oc_shaper_width(b->shaper, r->font, -1, r->size, rv->text.data + at, end - at);
    for (size_t i = at; i < end; i++) /* the justified spaces' share */
        if (rv->text.data[i] == ' ') t->width += r->ws;
    if (t->width > r->width) t->width = r->width;
    r->width -= t->width;
    t->x = r->x + r->width;
}

/* Neutral characters (punctuation, digits) at either end of a run whose
 * direction is not the paragraph's go into runs of their own, so they take
 * their direction from both neighbours (as in the bidi algorithm's rule N1)
 * rather than from the letters they happen to share a run with: the comma
 * after an Arabic word in an English sentence stays after it. */
static void split_neutral_ends(const pbuild *b, runvec *rv, int rtl_base) {
    for (size_t k = 0; k < rv->nruns; k++) {
        size_t start = rv->runs[k].len;
        size_t end = k + 1 < rv->nruns ? rv->runs[k + 1].len : rv->text.len;
        int d = 0;
        size_t first_strong = end, after_last_strong = start;
        for (size_t i = start; i < end;) {
            size_t at = i;
            uint32_t cp = oc_utf8_next(rv->text.data, end, &i);
            int sd = strong_dir(cp);
            if (sd) {
                d = d ? d : sd;
                if (first_strong == end) first_strong = at;
                after_last_strong = i;
            } else if (after_last_strong == at && is_mark(cp)) {
                after_last_strong = i; /* a mark stays with its letter */
            }
        }
        if (!d || d == (rtl_base ? 2 : 1)) continue;
        if (after_last_strong < end) split_run(b, rv, k, after_last_strong);
        if (first_strong > start) {
            split_run(b, rv, k, first_strong);
            k++; /* the letters: checked again for nothing more to split */
        }
    }
}

static void bidi_reorder(const pbuild *b, runvec *rv, int rtl_base) {
    split_neutral_ends(b, rv, rtl_base);
    size_t n = rv->nruns;
    if (n == 0) return;
    unsigned char stackbuf[2 * 128]; /* a line rarely has more runs */
    unsigned char *dir = n <= 128 ? stackbuf : oc_xmalloc(2 * n), *lev = dir + n;
    for (size_t k = 0; k < n; k++) {
        size_t start = rv->runs[k].len;
        size_t end = k + 1 < n ? rv->runs[k + 1].len : rv->text.len;
        int d = 0;
        for (size_t i = start; i < end && d != 2;) {
            int sd = strong_dir(oc_utf8_next(rv->text.data, end, &i));
            if (sd > d) d = sd;
        }
        dir[k] = (unsigned char)d;
    }
    int base = rtl_base ? 2 : 1;
    for (size_t k = 0; k < n; k++) {
        if (dir[k]) continue;
        int before = base, after = base;
        for (size_t q = k; q-- > 0;)
            if (dir[q]) {
                before = dir[q];
                break;
            }
        for (size_t q = k + 1; q < n; q++)
            if (dir[q]) {
                after = dir[q];
                break;
            }
        dir[k] = (unsigned char)(before == after ? before : base);
    }
    int maxlev = 0;
    for (size_t k = 0; k < n; k++) {
        lev[k] = (unsigned char)(rtl_base ? (dir[k] == 2 ? 1 : 2) : (dir[k] == 2 ? 1 : 0));
        if (lev[k] > maxlev) maxlev = lev[k];
        /* a right-to-left run keeps its text in logical order: the writer
         * shapes its words right to left and sets the last word first */
        rv->runs[k].rtl = dir[k] == 2;
    }
    /* runs are in logical order with x growing; mirror sequences in place */
    for (int L = maxlev; L >= 1; L--) {
        size_t k = 0;
        while (k < n) {
            if (lev[k] < L) {
                k++;
                continue;
            }
            size_t q = k;
            double xs = rv->runs[k].x, xe = rv->runs[k].x + rv->runs[k].width;
            while (q < n && lev[q] >= L) {
                if (rv->runs[q].x < xs) xs = rv->runs[q].x;
                if (rv->runs[q].x + rv->runs[q].width > xe) xe = rv->runs[q].x + rv->runs[q].width;
                q++;
            }
            for (size_t t = k; t < q; t++)
                rv->runs[t].x = xs + xe - (rv->runs[t].x + rv->runs[t].width);
            k = q;
        }
    }
    if (dir != stackbuf) free(dir);
}

/* The width of the text [from, to) of the line, shaped as the PDF draws it. */
static double piece_width(pbuild *b, const oc_run *r, const runvec *rv, size_t from, size_t to) {
    return oc_shaper_width(b->shaper, r->font, -1, r->size, rv->text.data + from, to - from);
}

/* The runs' widths as the PDF draws them. Whole words were measured shaped
 * already (their characters' advances add up to the shaped word), so only
 * a word broken by the line's ends can differ: the first word of the first
 * run when the line starts inside a word, the last word of the last run
 * (with its hyphen) when it ends inside one; `first_w` and `last_w` are
 * what their characters added up to. The runs after a change move along;
 * on a justified line that fills the measure, the spaces (inside runs and
 * between them) share the difference out, so the line still fills it.
 * Returns where the line now ends. */
static double remeasure(pbuild *b, runvec *rv, double end_x, int fill, int starts_mid,
                        double first_w, int ends_mid, double last_w) {
    size_t n = rv->nruns;
    if (n == 0 || (!starts_mid && !ends_mid)) return end_x;
    double shift = 0;
    size_t end0 = n > 1 ? rv->runs[1].len : rv->text.len, start0 = rv->runs[0].len;
    size_t sp0 = start0;
    while (sp0 < end0 && rv->text.data[sp0] != ' ')
        sp0++;
    int whole = n == 1 && sp0 == end0; /* one run, one word: both ends at once */
    if (starts_mid || (whole && ends_mid)) {
        double d = piece_width(b, &rv->runs[0], rv, start0, sp0) -
                   (whole && ends_mid && !starts_mid ? last_w : first_w);
        rv->runs[0].width += d;
        for (size_t k = 1; k < n; k++)
            rv->runs[k].x += d;
        shift += d;
    }
    if (ends_mid && !whole) {
        oc_run *r = &rv->runs[n - 1];
        size_t start = r->len, end = rv->text.len, sp = end;
        while (sp > start && rv->text.data[sp - 1] != ' ')
            sp--;
        double d = piece_width(b, r, rv, sp, end) - last_w;
        r->width += d;
        shift += d;
    }
    if (fill && fabs(shift) > 1e-9) {
        size_t nsp = 0;
        double prev_end = 0;
        for (size_t k = 0; k < n; k++) {
            const oc_run *r = &rv->runs[k];
            size_t start = r->len, end = k + 1 < n ? rv->runs[k + 1].len : rv->text.len;
            for (size_t i = start; i < end; i++)
                nsp += rv->text.data[i] == ' ';
            nsp += k > 0 && r->x - prev_end > 0.1; /* a gap before it stands for a space */
            prev_end = r->x + r->width;
        }
        if (nsp > 0) {
            double d = shift / (double)nsp, moved = 0;
            prev_end = 0;
            for (size_t k = 0; k < n; k++) {
                oc_run *r = &rv->runs[k];
                size_t start = r->len, end = k + 1 < n ? rv->runs[k + 1].len : rv->text.len;
                size_t spaces = 0;
                for (size_t i = start; i < end; i++)
                    spaces += rv->text.data[i] == ' ';
                if (k > 0 && r->x - prev_end > 0.1) moved += d;
                prev_end = r->x + r->width;
                r->x -= moved;
                if (spaces) {
                    r->ws -= d;
                    r->width -= d * (double)spaces;
                    moved += d * (double)spaces;
                }
            }
            shift -= moved;
        }
    }
    return end_x + shift;
}

/* The bit of word k in oc_run.nominal. */
static uint64_t word_bit(size_t k) {
    return (uint64_t)1 << (k < 63 ? k : 63);
}

/* The index of the last word of run k (rv's text not yet split): its
 * spaces, one between each two words. */
static size_t last_word(const runvec *rv, size_t k) {
    size_t start = rv->runs[k].len, end = k + 1 < rv->nruns ? rv->runs[k + 1].len : rv->text.len;
    size_t spaces = 0;
    for (size_t i = start; i < end; i++)
        spaces += rv->text.data[i] == ' ';
    return spaces;
}

static void make_line(pbuild *b, runvec *rv, size_t s, size_t e, double ratio, oc_line *ln) {
    int justified = b->ragged <= 0;
    double x = 0;
    oc_run *cur = NULL;
    int pending_space = 0; /* a space glue since the current run's last box */
    double space_w = 0;
    size_t space_atom = 0;
    int cur_dir = 0;       /* strong direction of the current run's text so far */
    size_t cur_spaces = 0; /* spaces inside the current run: its last word's index */
    /* the widths, as their characters add up, of the first run's first word
     * and of the last run's last word (see remeasure) */
    double first_w = 0, last_w = 0;
    int first_open = 1;
    size_t a_first = (size_t)-1, a_last = 0; /* the line's atoms */
    for (size_t i = s; i <= e && i < b->nitems; i++) {
        const oc_lb_item *it = &b->items[i];
        const imeta *m = &b->meta[i];
        if (it->type == OC_LB_GLUE) {
            if (i == e) break;
            double y = it->stretch >= OC_LB_INFINITY ? 0 : it->stretch;
            double gw = it->width;
            if (justified) gw += ratio > 0 ? ratio * y : ratio * it->shrink;
            x += gw;
            if (m->space) {
                pending_space = 1;
                space_w = gw;
                space_atom = m->a0;
            } else if (gw != 0) {
                cur = NULL;
            }
            continue;
        }
        if (it->type == OC_LB_PENALTY) {
            if (i == e && m->hyphen && cur) {
                /* the hyphen of a hyphenated break, in the font of the last letter */
                const atom *a = &b->atoms[m->a0];
                uint32_t cp = '-';
                oc_font_id f = pick_font(b, a->font, &cp);
                if (cp && f == cur->font) {
                    put_cp(&rv->text, cp);
                    /* the piece with its hyphen is shaped afresh */
                    cur->nominal &= ~word_bit(cur_spaces);
                    cur->width += it->width;
                    x += it->width;
                    last_w += it->width;
                    if (first_open && rv->nruns == 1) first_w += it->width;
                } else if (cp) {
                    oc_run *h = run_new(rv, x, f, &b->styles[a->style]);
                    put_cp(&rv->text, cp);
                    h->width = it->width;
                    x += it->width;
                    last_w = it->width;
                    first_open = 0;
                }
            }
            continue;
        }
        /* a box */
        if (m->a1 == m->a0) { /* the indent */
            x += it->width;
            cur = NULL;
            pending_space = 0;
            continue;
        }
        if (a_first == (size_t)-1) a_first = m->a0;
        a_last = m->a1;
        for (size_t k = m->a0; k < m->a1; k++) {
            const atom *a = &b->atoms[k];
            if (a->kind != AT_CHAR) continue;
            const rstyle *st = &b->styles[a->style];
            int dir = strong_dir(a->cp);
            int can_join = cur && run_matches(cur, a->font, st);
            if (dir && cur_dir && dir != cur_dir) can_join = 0; /* never mix directions */
            double extra = 0; /* what justification adds to this space */
            if (pending_space) {
                const atom *sp = &b->atoms[space_atom];
                extra = space_w - sp->width;
                /* every space of a run is set to the same width, drawn as the
                 * font's space plus the run's word spacing (ws) */
                can_join = can_join && sp->font == a->font &&
                           b->styles[sp->style].size == st->size &&
                           (cur_spaces == 0 || fabs(extra - cur->ws) < 1e-6);
            }
            if (can_join) {
                if (pending_space) {
                    oc_buf_putc(&rv->text, ' ');
                    cur->width += space_w;
                    if (cur_spaces++ == 0) cur->ws = extra;
                    first_open = 0;
                    last_w = 0;
                }
            } else {
                cur = run_new(rv, x, a->font, st);
                cur->nominal = ~(uint64_t)0;
                cur_dir = 0;
                cur_spaces = 0;
                if (rv->nruns > 1) first_open = 0;
                last_w = 0;
            }
            if (dir) cur_dir = dir;
            pending_space = 0;
            put_cp(&rv->text, a->cp);
            if (!a->nominal) cur->nominal &= ~word_bit(cur_spaces);
            cur->width += a->width;
            x += a->width;
            last_w += a->width;
            if (first_open) first_w += a->width;
        }
        pending_space = 0;
    }
    /* does the line start or end inside a word (a hyphen, an emergency or
     * a CJK break)? */
    int starts_mid = a_first != (size_t)-1 && a_first > 0 &&
                     b->atoms[a_first - 1].kind != AT_SPACE &&
                     b->atoms[a_first - 1].kind != AT_BREAK;
    int ends_mid = a_first != (size_t)-1 && a_last < b->natoms &&
                   b->atoms[a_last].kind != AT_SPACE && b->atoms[a_last].kind != AT_BREAK;
    double width = remeasure(b, rv, x, justified && ratio != 0 && fabs(x - b->measure) < 0.5,
                             starts_mid, first_w, ends_mid, last_w);
    /* a word broken at the line's ends is a new word: the writer shapes it */
    if (rv->nruns && starts_mid) rv->runs[0].nominal &= ~word_bit(0);
    if (rv->nruns && ends_mid)
        rv->runs[rv->nruns - 1].nominal &= ~word_bit(last_word(rv, rv->nruns - 1));
    if (b->has_rtl)
        for (size_t k = 0; k < rv->nruns; k++)
            rv->runs[k].nominal = 0;
    if (b->has_rtl) bidi_reorder(b, rv, b->rtl_base);
    int align = b->ps->align;
    /* OC_ALIGN_NONE is the paragraph's start side: the right for a
     * right-to-left paragraph. LEFT and RIGHT are physical (as in HTML). */
    if (align == OC_ALIGN_NONE) align = b->rtl_base ? OC_ALIGN_RIGHT : OC_ALIGN_LEFT;
    if (!justified || (b->rtl_base && width < b->measure - 0.01)) {
        double off = 0;
        if (align == OC_ALIGN_CENTER && !justified)
            off = (b->measure - width) / 2;
        else if (align == OC_ALIGN_RIGHT)
            off = b->measure - width;
        if (off > 0)
            for (size_t k = 0; k < rv->nruns; k++)
                rv->runs[k].x += off;
    }
    finish_line(b, rv, ln, width);
}

/* ---- code blocks ------------------------------------------------------------------ */

typedef struct {
    uint32_t cp;
    oc_font_id font;
    unsigned char cls; /* oc_hl_class: which of the block's styles draws it */
    uint32_t off;      /* byte offset in the block's text */
    double width;
} cchar;

/* st[cls]: the style of each highlighting class (all alike when plain). */
/* A line's colour changes as they are found (code_runs), before each run's
 * are copied to the arena. */
typedef struct {
    oc_colour_at *v;
    size_t n, cap;
} colvec;

static void col_push(colvec *cv, uint32_t at, oc_color c) {
    if (cv->n == cv->cap) {
        cv->cap = cv->cap ? cv->cap * 2 : 32;
        cv->v = oc_xrealloc(cv->v, cv->cap * sizeof *cv->v);
    }
    cv->v[cv->n++] = (oc_colour_at){at, c};
}

/* The runs of one code line: a run is the characters of one face (the
 * spaces inside are kept, those at its ends skipped), whatever their
 * classes' colours; where the colour changes it records the change
 * (oc_colour_at, in the arena), so that a highlighted line is one run and
 * one item per face, not one per token. */
static void code_runs(runvec *rv, const cchar *c, size_t n, double x0, const rstyle *st,
                      oc_arena *ar, colvec *cv) {
    double x = x0;
    size_t k = 0;
    while (k < n) {
        if (c[k].cp == ' ') {
            x += c[k].width;
            k++;
            continue;
        }
        size_t e = k;
        while (e < n && (c[e].cp == ' ' || c[e].font == c[k].font)) {
            if (c[e].cp == ' ') {
                size_t q = e;
                while (q < n && c[q].cp == ' ')
                    q++;
                if (q == n || c[q].font != c[k].font) break;
                e = q;
                continue;
            }
            e++;
        }
        oc_run *cur = run_new(rv, x, c[k].font, &st[c[k].cls]);
        size_t base = rv->text.len;
        oc_color now = st[c[k].cls].color;
        cv->n = 0;
        for (size_t q = k; q < e; q++) {
            /* (a space takes no colour: the change waits for the next token) */
            if (c[q].cp != ' ' && !oc_color_eq(st[c[q].cls].color, now)) {
                if (cv->n == 0) col_push(cv, 0, now);
                now = st[c[q].cls].color;
                col_push(cv, (uint32_t)(rv->text.len - base), now);
            }
            put_cp(&rv->text, c[q].cp);
            cur->width += c[q].width;
            x += c[q].width;
        }
        if (cv->n) {
            col_push(cv, UINT32_MAX, now);
            oc_colour_at *v = oc_arena_alloc(ar, cv->n * sizeof *v);
            memcpy(v, cv->v, cv->n * sizeof *v);
            cur->colours = v;
        }
        k = e;
    }
}

static oc_line *code_line_push(oc_line **lines, size_t *n, size_t *cap) {
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 16;
        *lines = oc_xrealloc(*lines, *cap * sizeof **lines);
    }
    oc_line *ln = &(*lines)[(*n)++];
    memset(ln, 0, sizeof *ln);
    return ln;
}

static oc_status code_block(pbuild *b, oc_para *out) {
    const oc_node *n = b->block;
    const char *s = n->text ? n->text : "";
    size_t len = n->text ? n->len : 0;
    if (len && s[len - 1] == '\n') len--;
    istate is;
    memset(&is, 0, sizeof is);
    if (!is_mono(b->ps->font)) is.code = 1;
    int si = style_index(b, &is);
    rstyle st = b->styles[si];
    st.flags = 0; /* the block draws its own tint */
    double size = st.size;
    const oc_fontset *fs = b->ctx->fonts;

    /* the continuation mark: ↪ from the code font, else from SANS, else → */
    uint32_t mark = CONT_MARK;
    oc_font_id mfont = st.font;
    if (!oc_fonts_has(fs, mfont, mark)) mfont = OC_FONT_SANS;
    if (!oc_fonts_has(fs, mfont, mark)) {
        mark = 0x2192;
        mfont = oc_fonts_has(fs, st.font, mark) ? st.font : OC_FONT_SANS;
    }
    if (!oc_fonts_has(fs, mfont, mark)) {
        mark = '>';
        mfont = st.font;
    }
    double mw = adv(b, mfont, mark, size);
    double gap = adv(b, st.font, ' ', size);
    rstyle mst = st;
    /* the mark takes the text colour (the print profile is black throughout) */

    /* highlighting: a style and a face per class (colour survives a wrap,
     * since every character carries its class) */
    rstyle cst[OC_HL_COUNT];
    oc_font_id cfont[OC_HL_COUNT];
    unsigned char drawn[256]; /* a span's class as drawn: plain when the theme has it so */
    const oc_hl_style *theme =
        n->type == OC_CODE_BLOCK && n->nspans ? b->ps->code_theme : NULL; /* not HTML_BLOCK */
    memset(drawn, OC_HL_PLAIN, sizeof drawn);
    for (int c = 0; c < OC_HL_COUNT; c++) {
        cst[c] = st;
        cfont[c] = st.font;
        if (theme) cst[c].flags |= OC_RUN_THEME; /* (plain too: the writer's palette) */
        if (!theme || oc_hl_is_plain(theme, c)) continue;
        drawn[c] = (unsigned char)c;
        uint32_t rgb = theme[c].rgb;
        cst[c].color =
            (oc_color){(float)((rgb >> 16) & 0xFF) / 255.0f, (float)((rgb >> 8) & 0xFF) / 255.0f,
                       (float)(rgb & 0xFF) / 255.0f};
        if (theme[c].bold)
            cfont[c] = OC_FONT_MONO_BOLD;
        else if (theme[c].italic)
            cfont[c] = OC_FONT_MONO_ITALIC;
    }
    int sp = 0; /* the first span that may cover what comes next */
    /* the class of the bytes before `until` (found again only past it) */
    int span_cls = OC_HL_PLAIN;
    size_t until = 0;

    oc_line *lines = NULL;
    size_t nlines = 0, caplines = 0;
    runvec rv;
    memset(&rv, 0, sizeof rv);
    oc_buf_init(&rv.text);
    colvec cols = {NULL, 0, 0};
    size_t capcs = 128; /* never NULL: an empty line still passes cs + 0 along */
    cchar *cs = oc_xmalloc(capcs * sizeof *cs);

    size_t p = 0;
    while (p <= len) {
        size_t q = p;
        while (q < len && s[q] != '\n')
            q++;
        size_t e = q;
        if (e > p && s[e - 1] == '\r') e--;
        /* decode with tabs to the next multiple of four columns */
        size_t nc = 0, col = 0, i = p;
        while (i < e) {
            size_t at = i;
            uint32_t cp = oc_utf8_next(s, e, &i);
            if (theme && at >= until) {
                while (sp < n->nspans && n->spans[sp].offset + n->spans[sp].length <= at)
                    sp++;
                if (sp < n->nspans && n->spans[sp].offset <= at) {
                    span_cls = drawn[n->spans[sp].cls];
                    until = n->spans[sp].offset + (size_t)n->spans[sp].length;
                } else {
                    span_cls = OC_HL_PLAIN;
                    until = sp < n->nspans ? n->spans[sp].offset : SIZE_MAX;
                }
            }
            int cls = span_cls;
            int reps = 1;
            if (cp == '\t') {
                cp = ' ';
                reps = (int)(4 - col % 4);
            } else if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
                continue;
            }
            oc_font_id f = cfont[cls];
            if (cp != ' ') f = pick_font(b, cfont[cls], &cp);
            if (cp == 0) continue;
            for (int r = 0; r < reps; r++) {
                if (nc == capcs) {
                    capcs *= 2;
                    cs = oc_xrealloc(cs, capcs * sizeof *cs);
                }
                cs[nc].cp = cp;
                cs[nc].font = f;
                cs[nc].cls = (unsigned char)cls;
                cs[nc].off = (uint32_t)at;
                cs[nc].width = adv(b, f, cp, size);
                nc++;
                col++;
            }
        }
        /* wrap */
        size_t k = 0;
        int first = 1;
        do {
            double indent = first ? 0 : mw + gap;
            double avail = b->measure - indent;
            size_t end = k;
            double w = 0;
            while (end < nc && w + cs[end].width <= avail + 1e-9) {
                w += cs[end].width;
                end++;
            }
            if (end < nc) {
                /* break after the last space that follows some text */
                size_t brk = end;
                while (brk > k && cs[brk - 1].cp != ' ')
                    brk--;
                size_t text0 = k;
                while (text0 < end && cs[text0].cp == ' ')
                    text0++;
                if (brk > text0 + 1) end = brk;
                if (end == k) end = k + 1; /* one character wider than the line */
                while (end < nc && is_mark(cs[end].cp))
                    end++;
            }
            oc_line *ln = code_line_push(&lines, &nlines, &caplines);
            double lw = 0;
            if (!first) {
                oc_run *r = run_new(&rv, 0, mfont, &mst);
                put_cp(&rv.text, mark);
                r->width = mw;
                r->flags |= OC_RUN_ARTIFACT; /* not part of the code */
            }
            code_runs(&rv, cs + k, end - k, indent, cst, b->ctx->arena, &cols);
            /* the set width: up to the last non-space */
            size_t last = end;
            while (last > k && cs[last - 1].cp == ' ')
                last--;
            lw = indent;
            for (size_t t = k; t < last; t++)
                lw += cs[t].width;
            finish_line(b, &rv, ln, lw);
            ln->src = n;
            ln->src_off = (uint32_t)(!first && k < nc ? cs[k].off : p);
            k = end;
            while (k < nc && cs[k].cp == ' ') /* a wrapped line goes on at its next word */
                k++;
            first = 0;
        } while (k < nc);
        if (q >= len) break;
        p = q + 1;
    }
    free(cs);
    free(cols.v);
    oc_buf_free(&rv.text);
    free(rv.runs);
    out->nlines = (int)nlines;
    out->lines = nlines ? oc_arena_alloc(b->ctx->scratch ? b->ctx->scratch : b->ctx->arena,
                                         nlines * sizeof *out->lines)
                        : NULL;
    if (nlines) memcpy(out->lines, lines, nlines * sizeof *lines);
    free(lines);
    return OC_OK;
}

/* The thread's shaper, kept in its paragraph buffers (made at first use). */
static oc_shaper *ctx_shaper(oc_para_ctx *ctx) {
    struct oc_para_bufs *sb = ctx->bufs;
    if (!sb) return NULL;
    if (!sb->shaper || sb->shaper_fonts != ctx->fonts) {
        oc_shaper_free(sb->shaper);
        sb->shaper = oc_shaper_new(ctx->fonts, ctx->doc ? ctx->doc->meta.language : NULL);
        sb->shaper_fonts = ctx->fonts;
    }
    return sb->shaper;
}

double oc_para_text_width(oc_para_ctx *ctx, oc_font_id f, double size, const char *s, size_t len) {
    oc_shaper *sh = ctx && ctx->fonts ? ctx_shaper(ctx) : NULL;
    if (!sh) return ctx ? oc_fonts_width(ctx->fonts, f, size, s, len) : 0;
    return oc_shaper_width(sh, f, -1, size, s, len);
}

/* ---- the entry point ---------------------------------------------------------------- */

oc_status oc_para_layout(oc_para_ctx *ctx, const oc_node *block, const oc_para_style *style,
                         double measure, oc_para *out) {
    oc_status rc = OC_OK;
    pbuild b;
    memset(&b, 0, sizeof b);
    runvec rv;
    memset(&rv, 0, sizeof rv);
    oc_buf_init(&rv.text);
    out->lines = NULL;
    out->nlines = 0;
    if (!ctx || !ctx->arena || !ctx->fonts || !block || !style) return OC_ERR_INTERNAL;
    b.ctx = ctx;
    bufs_take(ctx->bufs, &b, &rv);
    struct oc_para_bufs *own = ctx->bufs ? NULL : oc_para_bufs_new();
    b.sb = ctx->bufs ? ctx->bufs : own;
    if (!b.sb->shaper || b.sb->shaper_fonts != ctx->fonts) {
        oc_shaper_free(b.sb->shaper);
        b.sb->shaper = oc_shaper_new(ctx->fonts, ctx->doc ? ctx->doc->meta.language : NULL);
        b.sb->shaper_fonts = ctx->fonts;
    }
    b.shaper = b.sb->shaper; /* (ctx_shaper, for our own buffers too) */
    b.ps = style;
    b.block = block;
    b.measure = measure > 1 ? measure : 1;
    b.src_line = block->line;
    double size = style->size > 0 ? style->size : 10;

    if (block->type == OC_CODE_BLOCK || block->type == OC_HTML_BLOCK) {
        rc = code_block(&b, out);
        goto cleanup;
    }

    istate st;
    memset(&st, 0, sizeof st);
    if (block->first)
        walk_children(&b, block, &st);
    else if (block->text)
        add_text(&b, block, block->text, block->len, &st);

    b.ragged = style->justify ? 0 : RAGGED_STRETCH_EM * size;
    build_items(&b);
    if (b.natoms == 0) goto cleanup; /* nothing to set: no lines */

    oc_lb_params lp;
    memset(&lp, 0, sizeof lp);
    lp.tolerance = 200;
    lp.line_penalty = 10;
    lp.flagged_demerits = 3000;
    lp.fitness_demerits = 100;
    size_t *breaks = NULL, nl = 0;
    double *ratios = NULL;
    int overfull = 0;
    oc_arena *tmp = ctx->scratch ? ctx->scratch : ctx->arena;
    rc = oc_linebreak(tmp, b.items, b.nitems, &b.measure, 1, &lp, &breaks, &ratios, &nl, &overfull);
    if (rc != OC_OK) goto cleanup;

    out->lines = nl ? oc_arena_alloc(tmp, nl * sizeof *out->lines) : NULL;
    out->nlines = (int)nl;
    size_t s = 0;
    for (size_t k = 0; k < nl; k++) {
        make_line(&b, &rv, s, breaks[k], ratios[k], &out->lines[k]);
        line_source(&b, s, breaks[k], &out->lines[k]);
        s = line_start(&b, breaks[k]);
    }

cleanup:
    bufs_give(ctx->bufs, &b, &rv);
    oc_para_bufs_free(own);
    return rc;
}
