/* octavo — the layout engine: Document -> pages of positioned items.
 *
 * Layout knows fonts only through metrics (src/layout/fonts.c reads the
 * TrueType tables itself) and never calls libharu's page API; the PDF writer
 * (src/pdf/) draws the items. Coordinates are PDF points, origin at the
 * bottom-left of the page, y of TEXT items is the baseline.
 *
 * Modules:
 *   fonts.c     oc_fonts_*     TrueType metrics (cmap, hmtx, head, hhea, OS/2)
 *   hyphen.c    oc_hyphen_*    libhyphen patterns for the book's language
 *   linebreak.c oc_linebreak   Knuth–Plass total-fit over boxes/glue/penalties
 *   para.c      oc_para_*      inline nodes -> boxes/glue/penalties -> lines of runs
 *   blocks.c / paginate.c      blocks -> pages (widows, orphans, keeps, running
 *                              heads, page numbers, contents, footnotes, floats)
 *   layout.c    oc_layout_run  the driver; oc_layout_dump for golden tests
 *
 * Memory: everything produced lives in the oc_layout_ctx arena (or the
 * oc_layout's own arena) and is freed with oc_layout_free(). */
#ifndef OCTAVO_LAYOUT_H
#define OCTAVO_LAYOUT_H

#include "octavo/doc.h"

/* ---- fonts ------------------------------------------------------------- */
typedef enum {
    OC_FONT_SERIF = 0,
    OC_FONT_SERIF_ITALIC,
    OC_FONT_SERIF_BOLD,
    OC_FONT_SERIF_BOLD_ITALIC,
    OC_FONT_MONO,
    OC_FONT_MONO_BOLD,
    OC_FONT_MONO_ITALIC, /* highlighted code: comments (DejaVu Sans Mono Oblique) */
    OC_FONT_SANS,        /* fallback with wide coverage (Greek, Cyrillic, math, arrows) */
    OC_FONT_SANS_BOLD,
    OC_FONT_CJK,   /* fallback for Chinese and Japanese (ideographs, kana, CJK punctuation) */
    OC_FONT_DEVA,  /* fallback for Devanagari */
    OC_FONT_BENG,  /* fallback for Bengali */
    OC_FONT_THAI,  /* fallback for Thai */
    OC_FONT_KOR,   /* fallback for Korean (Hangul); first for Han in a Korean book */
    OC_FONT_JA,    /* Japanese (IPAex Mincho): first for Han and kana in a Japanese book */
    OC_FONT_EMOJI, /* last fallback: emoji and symbols (monochrome) */
    OC_FONT_COUNT
} oc_font_id;

/* File names inside the fonts folder, indexed by oc_font_id. */
extern const char *const oc_font_files[OC_FONT_COUNT];

typedef struct oc_fontset oc_fontset;

/* Reads the metrics of every bundled font from `fonts_dir`. Errors (missing
 * or unusable font) go to diag; returns OC_ERR_IO then. */
oc_status oc_fonts_load(oc_fontset **out, const char *fonts_dir, oc_diag *diag);
void oc_fonts_free(oc_fontset *fs);
/* The font file as HarfBuzz read it at load (owned by the fontset): the PDF
 * writer embeds from the same bytes the layout measured. */
struct hb_face_t;
struct hb_face_t *oc_fonts_face(const oc_fontset *fs, oc_font_id f);
/* Full path of a font file (owned by the fontset). */
const char *oc_fonts_path(const oc_fontset *fs, oc_font_id f);
/* Orders the script faces for the book's language (BCP 47): a Japanese
 * book's Han characters take the Japanese face, a Korean book's the Korean
 * one; otherwise Droid Sans Fallback (Chinese forms) comes first. Call
 * before layout; the default is no language. */
void oc_fonts_set_language(oc_fontset *fs, const char *language);
/* The first script face (OC_FONT_CJK and after, in the language's order)
 * that has cp; OC_FONT_COUNT when none has. */
oc_font_id oc_fonts_script_face(const oc_fontset *fs, uint32_t cp);
/* 1 once font f's character tables are built (the first question about a
 * character builds them; fonts a book never falls back to are not). */
int oc_fonts_tables_built(const oc_fontset *fs, oc_font_id f);
/* 1 when font f has a glyph for cp. */
int oc_fonts_has(const oc_fontset *fs, oc_font_id f, uint32_t cp);
/* 1 when font f has every printable ASCII character (U+0020 to U+007E). */
int oc_fonts_has_ascii(const oc_fontset *fs, oc_font_id f);
/* Advance width of cp in font f, in thousandths of an em (0 when missing). */
double oc_fonts_advance(const oc_fontset *fs, oc_font_id f, uint32_t cp);
/* Width of UTF-8 text at `size` points as the PDF draws it: each word
 * (between U+0020s) shaped on its own (oc_shaper_word), each space the
 * font's space. Shapes without a cache: paragraphs go through an
 * oc_shaper instead. */
double oc_fonts_width(const oc_fontset *fs, oc_font_id f, double size, const char *s, size_t len);
/* The font's own (cmap) glyph for cp, 0 when it has none. */
uint32_t oc_fonts_glyph(const oc_fontset *fs, oc_font_id f, uint32_t cp);
/* Advance width of glyph `gid` in font f as its hmtx table gives it, in
 * thousandths of an em (0 for a glyph the font does not have). */
double oc_fonts_glyph_advance(const oc_fontset *fs, oc_font_id f, uint32_t gid);

/* ---- shaping (src/layout/shape.c) --------------------------------------- */
/* Text is shaped with HarfBuzz word by word: a word is text between U+0020s
 * in one font. Its direction is right-to-left when it holds a strong
 * right-to-left letter (Hebrew, Arabic, ...), its script is HarfBuzz's
 * guess from its letters, its language the book's. Features: the fonts'
 * defaults (kern, liga, calt, mark, mkmk, and the script's own), with
 * ligatures, contextual alternates and kerning off in the monospace faces
 * (code keeps its grid and its letters). The layout measures and the PDF
 * writer draws through the same function, so both agree to the bit. */
typedef struct {
    uint32_t gid;     /* glyph id in the font (0: the font has none) */
    uint32_t cluster; /* byte offset in the word of its cluster's first character */
    float adv;        /* advance, thousandths of an em */
    float dx, dy;     /* offset from the pen, thousandths of an em */
} oc_glyph;

/* One per thread: an hb_buffer and a bounded cache of shaped words. */
typedef struct oc_shaper oc_shaper;
/* `language` (BCP 47, may be NULL) is borrowed for the shaper's life. */
oc_shaper *oc_shaper_new(const oc_fontset *fs, const char *language);
void oc_shaper_free(oc_shaper *s);
/* Shapes `len` bytes of one word in font f, left to right (dir 0), right to
 * left (1), or as its letters say (-1, oc_shape_is_rtl): glyphs in visual
 * order (left to right) in *n, the total advance (thousandths of an em) in
 * *width. The array is the shaper's, valid until its next call. Tabs and
 * controls are not expected (callers drop them). */
const oc_glyph *oc_shaper_word(oc_shaper *s, oc_font_id f, int dir, const char *word, size_t len,
                               size_t *n, double *width);
/* The same, and *nominal = 1 when the glyphs are one per character, in
 * order, each the character's own (cmap) glyph at its own advance, with
 * no offsets (shaping changed nothing: no ligature, no kerning). */
const oc_glyph *oc_shaper_shape(oc_shaper *s, oc_font_id f, int dir, const char *word, size_t len,
                                size_t *n, double *width, int *nominal);
/* 1 when every word of printable ASCII characters (U+0021 to U+007E) that
 * the shaper sets left to right in font f comes out nominal, as the font's
 * tables show (true of the code faces): such a word need not be shaped to
 * be drawn. */
int oc_shaper_ascii_plain(oc_shaper *s, oc_font_id f);
/* Width at `size` points of text of several words (dir as above), as
 * oc_fonts_width. */
double oc_shaper_width(oc_shaper *s, oc_font_id f, int dir, double size, const char *text,
                       size_t len);
/* Lets `s` find words in `peer`'s cache before shaping them: the words a
 * finished layout thread shaped, which the thread that draws the pages
 * would otherwise shape again. The peer must no longer change (its thread
 * is done) and must outlive its use; NULL ends it. Ignored unless both
 * shape with the same fonts and language (the glyphs are then the same). */
void oc_shaper_set_peer(oc_shaper *s, const oc_shaper *peer);
/* 1 when the word is all printable ASCII, U+0021 to U+007E (see
 * oc_shaper_ascii_plain). */
int oc_shape_is_ascii(const char *word, size_t len);
/* 1 when the word is shaped right to left (it holds a strong RTL letter). */
int oc_shape_is_rtl(const char *word, size_t len);
/* 1 for a strong right-to-left character. */
int oc_shape_cp_rtl(uint32_t cp);
/* Ascender and descender (descender negative) in thousandths of an em. */
double oc_fonts_ascent(const oc_fontset *fs, oc_font_id f);
double oc_fonts_descent(const oc_fontset *fs, oc_font_id f);

/* ---- page items --------------------------------------------------------- */
typedef struct {
    float r, g, b;
} oc_color;

static inline int oc_color_eq(oc_color a, oc_color b) {
    return a.r == b.r && a.g == b.g && a.b == b.b;
}

/* The tint behind code blocks. */
extern const oc_color oc_code_tint;

typedef enum {
    OC_ITEM_TEXT,  /* a run of glyphs in one font: x,y = baseline start */
    OC_ITEM_RULE,  /* a stroked line from (x,y) to (x+w, y+h), line width `size` */
    OC_ITEM_RECT,  /* a filled rectangle, lower-left (x,y), size w,h */
    OC_ITEM_IMAGE, /* asset drawn into the rectangle (x,y,w,h) */
    OC_ITEM_LINK,  /* a clickable rectangle: uri (external) or dest (internal) */
    OC_ITEM_DEST   /* a named destination at (x,y): the target of internal links */
} oc_item_kind;

/* ---- structure (tagged PDF) ---------------------------------------------- */
/* The layout records the logical structure of what it places as a table of
 * elements in document order, each naming its parent (an earlier entry), and
 * gives every item the index of the element its content belongs to (oc_item.
 * sref). The PDF writer marks each page's content with them and builds the
 * structure tree (src/pdf/struct.c). Entries 0 and 1 stand for artifacts
 * (rules, tints, leaders, repeated table headers, continuation marks; running
 * heads and folios), entry 2 for the Document; elements start at 3. */
typedef enum {
    OC_SE_ARTIFACT = 0, /* entries 0 and 1 */
    OC_SE_DOCUMENT,
    OC_SE_SECT, /* a chapter */
    OC_SE_H,    /* a heading, `level` 1..6 */
    OC_SE_P,
    OC_SE_L,
    OC_SE_LI,
    OC_SE_LBL,
    OC_SE_LBODY,
    OC_SE_TABLE,
    OC_SE_TR,
    OC_SE_TH, /* a header row's cell (its scope: the column) */
    OC_SE_TD,
    OC_SE_FIGURE, /* `node`: the IMAGE (alt text) */
    OC_SE_CAPTION,
    OC_SE_NOTE, /* a footnote body, placed where it is first cited */
    OC_SE_BLOCKQUOTE,
    OC_SE_CODE,
    OC_SE_LINK,
    OC_SE_TOC,
    OC_SE_TOCI,
    OC_SE_MORE, /* more content of its parent, after the children made before it
                   (the text of a paragraph after a link or a footnote) */
    OC_SE_COUNT
} oc_se_type;

enum {
    OC_SREF_ARTIFACT = 0,   /* rules, tints, leaders, repeated headers, marks */
    OC_SREF_PAGINATION = 1, /* running heads and folios */
    OC_SREF_DOCUMENT = 2,
    OC_SREF_FIRST = 3
};

/* 16 bytes: a long book has tens of thousands. */
typedef struct {
    uint8_t type;  /* oc_se_type */
    uint8_t level; /* OC_SE_H: 1..6 */
    uint8_t rank;  /* children of the Document go title page (0), contents (1),
                      chapters (2), then in index order */
    uint8_t pad;
    uint32_t parent;     /* index of the parent (OC_SREF_DOCUMENT at the top) */
    const oc_node *node; /* OC_SE_FIGURE: the IMAGE; otherwise may be NULL */
} oc_struct_elem;

/* A colour change in a run's or a TEXT item's text: from byte `at` of the
 * text on, it is drawn in `color`. Highlighted code keeps a line's tokens of
 * one face in one run whatever their colours, with a list of these (the
 * first at 0; the last entry's `at` is UINT32_MAX): a run and an item per
 * token cost the layout and the writer more than the highlighting did. */
typedef struct {
    uint32_t at;
    oc_color color;
} oc_colour_at;

/* oc_item.coloured: how a TEXT item's colour is given. Highlighted code's
 * colours are few and change often: the PDF writer names them by number
 * (an Indexed colour space) rather than by value. */
enum {
    OC_COLOURS_PLAIN = 0,   /* `color`, for text that is not highlighted code */
    OC_COLOURS_THEME = 1,   /* `color`, one of the code theme's */
    OC_COLOURS_CHANGES = 2, /* the theme's, from `colours` (set, and `h` and `ws` are not) */
};

/* 64 bytes: a 10,000-page book has over 600,000 of these (the words of a
 * justified line share one TEXT item; it had 3 million with an item per
 * word), so the kinds' own pointers share one anonymous union (set only the
 * one of your kind). */
typedef struct {
    uint8_t kind;     /* oc_item_kind */
    uint8_t rtl;      /* TEXT: its words go right to left (each is shaped on its own) */
    uint8_t coloured; /* TEXT: OC_COLOURS_* */
    uint8_t font;     /* TEXT: oc_font_id */
    uint32_t len;     /* TEXT: bytes of text */
    uint32_t sref;    /* the structure element the item's content belongs to (an index
                         into oc_layout.structs, see "structure" below); 0: an artifact */
    oc_color color;   /* TEXT, RULE, RECT */
    float x, y, w;    /* points: float keeps a thousandth of a point on any page */
    float size;       /* TEXT: font size; RULE: line width */
    union {
        struct {
            float h;  /* points (0 for TEXT) */
            float ws; /* TEXT: points added to each U+0020's advance (justified) */
        };
        const oc_colour_at *colours; /* TEXT, OC_COLOURS_CHANGES: its colour changes */
    };
    union {
        const char *text;      /* TEXT: UTF-8, no newlines */
        const oc_asset *asset; /* IMAGE */
        const char *uri;       /* LINK external (NULL for an internal link) */
    };
    union {
        const char *dest; /* LINK internal target / DEST name */
        /* TEXT: which words (between U+0020s, in order) shape to their
         * characters' own glyphs at their own advances, as the layout found:
         * the writer need not shape those again. Bit k is word k for k < 63,
         * bit 63 every word after; all bits set: every word. */
        uint64_t nominal;
    };
} oc_item;

typedef enum { OC_LABEL_ARABIC = 0, OC_LABEL_ROMAN } oc_label_style;

typedef struct {
    oc_item *items;
    size_t nitems, cap;
    oc_label_style label; /* how its number shows: roman front matter, arabic body */
    int number;           /* the number shown in its label style (1-based) */
    /* the structure table as it stands when the page is handed out (every
     * element its items name is in it); NULL when the layout keeps none */
    const oc_struct_elem *structs;
    size_t nstructs;
    /* a streamed page (oc_layout_stream): the shaper of the thread that
     * laid the page's text out and hands it over, for the page callback's
     * use only; its cache holds the page's words, so the PDF writer draws
     * with it rather than shaping them again into a cache of its own.
     * NULL otherwise. */
    struct oc_shaper *shaper;
} oc_page;

/* One PDF bookmark (outline entry). */
typedef struct {
    int level; /* 0 for chapters (and front-matter entries), 1.. for sections */
    const char *title;
    const char *dest; /* named destination (has a DEST item somewhere) */
    int page;         /* 0-based page index */
} oc_bookmark;

typedef struct {
    double width, height; /* page size, points */
    oc_page *pages;
    size_t npages;
    /* where each page begins in the Document (npages entries, page order;
     * see oc_page_break in doc.h); filled by every run */
    oc_page_break *breaks;
    /* print profile: how many times the body was laid out to settle the
     * page numbers of cross-references (1 when there are none) */
    int ref_passes;
    oc_bookmark *marks;
    size_t nmarks;
    oc_struct_elem *structs; /* the structure table (heap; oc_layout_free frees it) */
    size_t nstructs, capstructs;
    oc_arena arena;        /* owns text, names and item arrays */
    oc_arena helper_arena; /* the same for chapters laid out by the second thread */
} oc_layout;

/* A named destination as placed: page index (0-based) and position. */
typedef struct {
    const char *name;
    size_t page;
    double x, y;
} oc_layout_dest;

/* Where a streamed layout goes (see oc_layout_stream). begin() is
 * called once, before the first page, with the page size, the number of
 * pages and every named destination of the book in page order (the first
 * DEST item of a name; links may point forward); page() then gets each page
 * in order, its items borrowed for the call only. A status other than OC_OK
 * from either stops the layout, which returns it. */
typedef struct {
    void *user;
    oc_status (*begin)(void *user, double width, double height, size_t npages,
                       const oc_layout_dest *dests, size_t ndests);
    oc_status (*page)(void *user, size_t index, const oc_page *page);
} oc_page_sink;

typedef struct {
    const char *paper; /* "a4" | "letter" | "a5" | "6x9" */
    int print;         /* print profile: black text, link URLs shown, mirrored margins,
                          chapters on right-hand pages */
    /* hyphenation patterns for the book's language, loaded by the caller and
     * kept until the run returns; NULL: the run loads them itself */
    const struct oc_hyphen_patterns *hyphen;
} oc_layout_options;

/* Paper sizes in points; returns 0 for an unknown name. */
int oc_paper_size(const char *name, double *w, double *h);

/* Lays out the whole document. */
oc_status oc_layout_run(const oc_document *doc, const oc_layout_options *opt,
                        const oc_fontset *fonts, oc_layout *out, oc_diag *diag);
/* The same, with each page handed to `sink` as soon as it is assembled
 * instead of kept: out->pages then holds labels and numbers with no items,
 * so memory does not grow with the pages drawn (the PDF writer draws them
 * on the fly). out->marks is filled as with oc_layout_run. */
oc_status oc_layout_stream(const oc_document *doc, const oc_layout_options *opt,
                           const oc_fontset *fonts, const oc_page_sink *sink, oc_layout *out,
                           oc_diag *diag);
/* Paginates only (the EPUB's page-list without a PDF): the same passes
 * as oc_layout_stream, then out->pages (labels, no items), out->breaks and
 * out->marks; nothing is drawn. */
oc_status oc_layout_paginate(const oc_document *doc, const oc_layout_options *opt,
                             const oc_fontset *fonts, oc_layout *out, oc_diag *diag);
void oc_layout_free(oc_layout *l);
/* Threads the layout and the PDF writer use: 1 when the environment has
 * OCTAVO_THREADS=1 (the one place it is read), else 2 (chapters laid out on
 * two threads, pages deflated on a second one). Outputs are identical. */
int oc_layout_threads(void);
/* A readable text form of pages and items, for golden tests:
 *   page 3 (iii)
 *     text 72.0 700.5 SERIF 10.5 "Hello world" ws 0.412   (ws when not 0)
 *     rule ... / link ... / dest ... */
void oc_layout_dump(const oc_layout *l, oc_buf *out);

/* ---- hyphenation ---------------------------------------------------------- */
/* Patterns (read-only once loaded, shared by threads) and a hyphenator
 * over them (with its own word cache: one per thread). */
typedef struct oc_hyphen_patterns oc_hyphen_patterns;
typedef struct oc_hyphen oc_hyphen;
/* Loads the libhyphen patterns for `language` (BCP 47, e.g. "en-US") from
 * the system's hyphen folder: hyph_ll_CC.dic, then hyph_ll.dic. Returns
 * NULL (and warns once, at meta_path) when none is installed: text is then
 * set without hyphenation. Parsing a pattern file takes milliseconds, which
 * is why a caller setting many books (the fuzzer) or running several
 * threads loads them once. Free with oc_hyphen_patterns_free, after every
 * oc_hyphen made from them. */
oc_hyphen_patterns *oc_hyphen_patterns_load(const char *language, oc_diag *diag,
                                            const char *meta_path);
void oc_hyphen_patterns_free(oc_hyphen_patterns *p);
/* A hyphenator over `p` (borrowed: it must outlive the hyphenator); NULL
 * when p is NULL. */
oc_hyphen *oc_hyphen_new(const oc_hyphen_patterns *p);
/* Patterns and hyphenator in one, freed together by oc_hyphen_free. */
oc_hyphen *oc_hyphen_load(const char *language, oc_diag *diag, const char *meta_path);
void oc_hyphen_free(oc_hyphen *h);
/* Fills points[i] = 1 where a hyphen may go after byte i of the UTF-8 word
 * (len bytes; points has len entries). Returns the number of points. Words
 * shorter than 5 letters or with non-letters get none. Results are
 * remembered per word inside `h` (bounded), so one oc_hyphen serves one
 * thread at a time. */
int oc_hyphen_points(const oc_hyphen *h, const char *word, size_t len, unsigned char *points);

/* ---- Knuth–Plass line breaking ------------------------------------------- */
typedef enum { OC_LB_BOX, OC_LB_GLUE, OC_LB_PENALTY } oc_lb_type;

#define OC_LB_INFINITY 10000.0

typedef struct {
    oc_lb_type type;
    double width;   /* box/glue natural width; penalty: width if broken here (hyphen) */
    double stretch; /* glue */
    double shrink;  /* glue */
    double penalty; /* penalty: cost; <= -OC_LB_INFINITY forces, >= OC_LB_INFINITY forbids */
    int flagged;    /* penalty: a hyphen break (consecutive ones cost extra) */
} oc_lb_item;

typedef struct {
    double tolerance;        /* max badness tried first (e.g. 200); the breaker retries looser */
    double line_penalty;     /* e.g. 10 */
    double flagged_demerits; /* e.g. 3000 */
    double fitness_demerits; /* e.g. 100 */
    size_t *visits;          /* optional (tests, bench): incremented once per active node
                                examined, to show the breaker stays linear; may be NULL */
} oc_lb_params;

/* Chooses breakpoints for items[0..n) to fill lines of the given widths
 * (line k has width widths[min(k, nwidths-1)]). The paragraph must end with
 * glue(0, inf stretch) + forced penalty. Writes the indexes of the chosen
 * breakpoints (the last is n-1) to *breaks (arena-allocated) and each line's
 * adjustment ratio to *ratios. When no feasible set exists even at the
 * loosest tolerance, the best overfull solution is returned and *overfull
 * counts the lines that are too wide (callers avoid this by giving long
 * unbreakable words emergency break points). Linear in n for a bounded
 * number of active nodes. */
oc_status oc_linebreak(oc_arena *a, const oc_lb_item *items, size_t n, const double *widths,
                       size_t nwidths, const oc_lb_params *params, size_t **breaks, double **ratios,
                       size_t *nlines, int *overfull);

/* ---- paragraphs: inline nodes -> lines of positioned runs ------------------ */
typedef enum {
    OC_RUN_STRIKE = 1, /* draw a line through */
    OC_RUN_UNDERLINE = 2,
    OC_RUN_CODE = 4,      /* inline code: light tint behind */
    OC_RUN_SUPER = 8,     /* superscript (footnote markers) */
    OC_RUN_ARTIFACT = 16, /* not content (a wrapped code line's continuation mark) */
    OC_RUN_MARK = 32,     /* highlighted (HTML mark, kbd): tint behind */
    OC_RUN_THEME = 64     /* highlighted code: its colours are the code theme's */
} oc_run_flags;

typedef struct {
    double x;  /* from the line's left edge */
    double dy; /* baseline shift (superscript > 0) */
    double width;
    oc_font_id font;
    double size;
    oc_color color;
    const char *text; /* UTF-8, no spaces at the ends; words of one style and
                         direction share a run */
    size_t len;
    double ws; /* word spacing: added to the font's advance of each U+0020 of
                  text (justification); the same for every space of the run */
    int flags;
    int rtl;                     /* the run's words are drawn right to left (text stays logical) */
    uint64_t nominal;            /* its words that shape to their characters' own glyphs and
                                    advances, a bit each (see oc_item.nominal) */
    const char *uri;             /* part of an external link */
    const char *dest;            /* part of an internal link */
    const oc_node *noteref;      /* a footnote marker: the FOOTNOTE_REF node */
    const oc_colour_at *colours; /* its colour changes (highlighted code), or NULL:
                                    `color` throughout */
} oc_run;

typedef struct {
    oc_run *runs;
    int nruns;
    double width;   /* set width (== measure for justified lines) */
    double ascent;  /* above the baseline, points */
    double descent; /* below the baseline, points, positive */
    /* where the line's text starts in the Document (the EPUB's page-list
     * places a page break there): a TEXT, CODE, HTML_INLINE or CODE_BLOCK
     * node and a byte offset into its text; NULL when the line starts
     * with text of our own (a marker, a quotation mark) and holds none */
    const oc_node *src;
    uint32_t src_off;
} oc_line;

typedef struct {
    oc_line *lines;
    int nlines;
} oc_para;

typedef struct {
    oc_font_id font; /* base font (SERIF, SERIF_BOLD for headings, MONO for code) */
    double size;
    double leading; /* baseline-to-baseline distance, points */
    oc_color color;
    oc_color link_color;
    int justify; /* 1: justified, last line ragged; 0: ragged right */
    int hyphenate;
    int align;     /* OC_ALIGN_*: NONE is the start side (right for RTL text);
                      LEFT and RIGHT are physical; CENTER for titles */
    double indent; /* first-line indent */
    int show_urls; /* print profile: " (https://...)" after external link text */
    /* code blocks: how each highlighting class is drawn (oc_hl_theme_light on
     * screen, oc_hl_theme_print in print); NULL draws every token plain */
    const oc_hl_style *code_theme;
} oc_para_style;

typedef struct {
    oc_arena *arena;   /* the runs' text (items point at it) */
    oc_arena *scratch; /* may be NULL (then arena): lines, runs and the breaker's arrays,
                          which the caller may free once it has turned them into items */
    const oc_fontset *fonts;
    const oc_hyphen *hyphen; /* may be NULL */
    oc_diag *diag;
    const oc_document *doc;
    const char *file; /* chapter path for messages */
    oc_cpset *warned; /* unused since warnings are per script and chapter (kept for callers) */
    /* scripts already warned about as not in any bundled font, in chapter
     * `missing_file` (reset when `file` changes); zero-initialise */
    const char *missing_file;
    uint32_t missing[32];
    int nmissing;
    /* working arrays kept from one paragraph to the next (NULL: each call
     * allocates and frees its own); one per thread, from oc_para_bufs_new */
    struct oc_para_bufs *bufs;
    /* print profile: the page label of each internal link target, looked up
     * by destination name, for the " (p. N)" after the link text; NULL
     * or a miss sets a placeholder of `ref_digits` digits (the layout then
     * runs again with the numbers, see layout.c). `refs_used` counts the
     * references set. */
    const char *(*page_of)(void *user, const char *dest);
    void *page_of_user;
    int ref_digits;
    int ref_pad; /* > 0: figure spaces after ")" fill each number to this many digits */
    size_t refs_used;
} oc_para_ctx;

/* Working arrays for oc_para_layout, reused across calls: a book sets tens
 * of thousands of paragraphs, each of which would otherwise allocate and free
 * half a dozen growing arrays. Free after the last call that used them. */
struct oc_para_bufs *oc_para_bufs_new(void);
void oc_para_bufs_free(struct oc_para_bufs *bufs);
/* The shaper the buffers' thread measures with (NULL before the first
 * paragraph); it stays theirs. */
struct oc_shaper *oc_para_bufs_shaper(struct oc_para_bufs *bufs);

/* Lays out the inline children of `block` (a PARAGRAPH, HEADING or
 * TABLE_CELL; for CODE_BLOCK the literal text, wrapped with a continuation
 * mark) into lines no wider than `measure`. Each character takes the first
 * font that has it: the style's face, DejaVu Sans (bold for bold text), then
 * the script faces in oc_font_id order (CJK, Devanagari, Bengali, Thai,
 * Korean, emoji); a character no font has is drawn as U+FFFD from SANS and
 * warned once per script and chapter, at its source line. Words are shaped
 * with HarfBuzz (oc_shaper_word) and measured with the shaped advances.
 * Every CJK ideograph or kana is a break opportunity (except before closing
 * punctuation and after opening, the kinsoku rule). */
oc_status oc_para_layout(oc_para_ctx *ctx, const oc_node *block, const oc_para_style *style,
                         double measure, oc_para *out);
/* Width of text as oc_fonts_width gives it, through the shaper (and its
 * cache of words) kept in ctx->bufs, shaped in the book's language as the
 * paragraphs and the PDF writer shape it; oc_fonts_width without bufs. */
double oc_para_text_width(oc_para_ctx *ctx, oc_font_id f, double size, const char *s, size_t len);

#endif
