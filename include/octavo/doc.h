/* octavo — the Document: the one model of a book that every backend walks.
 *
 * The book is loaded (oc_book_load, book.h) and every chapter parsed exactly
 * once (oc_doc_parse) into a tree of oc_node. cmark-gfm never leaks past
 * src/doc/: backends see only these types. All memory hangs off
 * oc_document.arena and lives until oc_doc_free().
 *
 * Tree shape (blocks contain blocks or inlines; inlines contain inlines):
 *   OC_CHAPTER root
 *     PARAGRAPH -> inlines
 *     HEADING (level 1..6, id, number) -> inlines
 *     QUOTE -> blocks
 *     LIST (ordered, start, tight) -> ITEM (task: 0 none, 1 open, 2 done) -> blocks
 *     CODE_BLOCK (text = literal, info = language, fence_info = the info string,
 *                 spans = highlighted tokens)
 *     HR
 *     TABLE (ncols, align) -> TABLE_ROW (header for the first) -> TABLE_CELL -> inlines
 *     HTML_BLOCK (text = the raw source; backends show it as literal text or drop it)
 *   Inlines: TEXT (text), SOFTBREAK, LINEBREAK, CODE (text), EMPH, STRONG, STRIKE,
 *     LINK (url, title, link target) -> inlines, IMAGE (url, title, asset) -> inlines (alt),
 *     FOOTNOTE_REF (note), HTML_INLINE (text; never emitted as markup).
 * Raw HTML is parsed by src/doc/html.c into these same nodes (PARAGRAPH with
 * halign, HEADING, LIST, TABLE with colspan, IMAGE with width and height, ...)
 * plus DEFLIST, DETAILS and the inlines KBD .. ANCHOR below; what is left of
 * HTML_BLOCK / HTML_INLINE afterwards is only what the parser could not take.
 * Footnote definitions are not in the tree: they are collected per chapter in
 * oc_chapter.notes, in order of first reference, each a FOOTNOTE node whose
 * children are blocks.
 */
#ifndef OCTAVO_DOC_H
#define OCTAVO_DOC_H

#include "octavo/diag.h"
#include "octavo/image.h" /* oc_image_kind */
#include "octavo/util.h"

typedef enum {
    OC_CHAPTER,
    /* blocks */
    OC_PARAGRAPH,
    OC_HEADING,
    OC_QUOTE,
    OC_LIST,
    OC_ITEM,
    OC_CODE_BLOCK,
    OC_HR,
    OC_TABLE,
    OC_TABLE_ROW,
    OC_TABLE_CELL,
    OC_HTML_BLOCK,
    OC_FOOTNOTE, /* a footnote body, only in oc_chapter.notes */
    /* blocks born of raw HTML (src/doc/html.c) */
    OC_DEFLIST, /* dl -> DEF_TERM (inlines) and DEF_DESC (blocks) */
    OC_DEF_TERM,
    OC_DEF_DESC,
    OC_DETAILS, /* details -> SUMMARY (inlines, first) then blocks */
    OC_SUMMARY,
    /* inlines */
    OC_TEXT,
    OC_SOFTBREAK,
    OC_LINEBREAK,
    OC_CODE,
    OC_EMPH,
    OC_STRONG,
    OC_STRIKE,
    OC_LINK,
    OC_IMAGE,
    OC_FOOTNOTE_REF,
    OC_HTML_INLINE,
    /* inlines born of raw HTML */
    OC_KBD,       /* a key: -> inlines */
    OC_SUP,       /* -> inlines */
    OC_SUB,       /* -> inlines */
    OC_UNDERLINE, /* ins, u -> inlines */
    OC_MARK,      /* -> inlines */
    OC_SMALL,     /* -> inlines */
    OC_ABBR,      /* title = the expansion -> inlines */
    OC_Q,         /* an inline quotation: marks by language -> inlines */
    OC_ANCHOR     /* a link target: id (unique, as headings'), slug (as written); no children */
} oc_node_type;

typedef enum { OC_ALIGN_NONE = 0, OC_ALIGN_LEFT, OC_ALIGN_CENTER, OC_ALIGN_RIGHT } oc_align;

/* An image (or the cover) read and checked once at load. */
typedef struct oc_asset {
    const char *path;      /* book-relative, normalised: "images/chart.png" */
    const char *epub_name; /* name inside the EPUB: "images/chart.png" */
    const char *id;        /* manifest id, unique: "img1" */
    const unsigned char *data;
    size_t size;
    oc_image_kind kind;
    int width, height;  /* pixels, from the file header */
    int bits, channels; /* PNG bit depth and channels, JPEG components */
    int is_cover;
} oc_asset;

typedef struct oc_node oc_node;

/* Syntax highlighting (src/doc/highlight.c): the small set of token classes
 * every backend renders (EPUB: <span class="NAME">, PDF: a colour or a face
 * per class). OC_HL_PLAIN is text no class covers. */
typedef enum {
    OC_HL_PLAIN = 0,
    OC_HL_KEYWORD,
    OC_HL_TYPE,
    OC_HL_STRING,
    OC_HL_COMMENT,
    OC_HL_NUMBER,
    OC_HL_FUNCTION,
    OC_HL_CONSTANT,
    OC_HL_PUNCTUATION,
    OC_HL_META,     /* preprocessor, attributes, imports */
    OC_HL_VARIABLE, /* $shell, @perl-style variables */
    OC_HL_PROPERTY, /* keys (JSON, YAML, TOML), CSS properties, HTML attributes */
    OC_HL_COUNT
} oc_hl_class;

/* The class names, as the EPUB's CSS classes: "keyword", "string", ... */
extern const char *const oc_hl_class_names[OC_HL_COUNT];

/* How one class looks in one theme: a colour (0xRRGGBB; for OC_HL_PLAIN the
 * text colour is used instead), bold, italic. */
typedef struct {
    uint32_t rgb;
    unsigned char bold, italic;
} oc_hl_style;

/* The themes, indexed by oc_hl_class. Light: the PDF's screen profile (on the
 * code tint, WCAG AA) and the EPUB; print: black, greys, bold and italic
 * only; dark: the EPUB under prefers-color-scheme: dark. */
extern const oc_hl_style oc_hl_theme_light[OC_HL_COUNT];
extern const oc_hl_style oc_hl_theme_print[OC_HL_COUNT];
extern const oc_hl_style oc_hl_theme_dark[OC_HL_COUNT];
/* 1 when class c looks like plain text in the theme (same colour, upright,
 * regular), so renderers may draw it as plain. */
int oc_hl_is_plain(const oc_hl_style *theme, int c);

/* A highlighted stretch of a code block: bytes [offset, offset + length) of
 * its text, in order, never overlapping, never across a line break. */
typedef struct {
    uint32_t offset, length;
    unsigned char cls; /* oc_hl_class */
} oc_hl_span;

/* Where a LINK points after resolution. */
typedef enum {
    OC_LINK_EXTERNAL = 0, /* url is absolute (http:, https:, mailto:, ...) */
    OC_LINK_INTERNAL,     /* a chapter of this book, maybe an anchor in it */
    OC_LINK_BROKEN,       /* a relative link we could not resolve (warned) */
    OC_LINK_OMITTED       /* a chapter --chapters left out: shown as text */
} oc_link_kind;

/* A node of the Document. Every node has the fields up to `len`; the rest
 * are per type, in a union of one struct for the types that use them, so a
 * node costs what its own kind needs (a 10,000-page book holds some 360,000
 * nodes, alive at the build's memory peak). A field is only meaningful on
 * the types named for it: read it on a node of another type and you get
 * another type's data, not 0. So test n->type first, also on a parent, a
 * child or a sibling that the tree's shape says is a row or a cell.
 * Nodes are made zeroed (every field 0 or NULL); oc_node_retype changes a
 * node's type. */
struct oc_node {
    oc_node_type type;
    oc_align halign; /* PARAGRAPH, HEADING, TABLE_CELL: HTML's align or <center> */
    oc_node *parent, *first, *last, *next, *prev;
    int line, column; /* source position, 1-based */

    const char *text; /* TEXT, CODE, CODE_BLOCK, HTML_*: UTF-8, NUL-terminated */
    size_t len;

    union {
        struct {                /* HEADING, ANCHOR */
            int level;          /* HEADING: 1..6 */
            const char *id;     /* unique across the book; also the PDF destination name */
            const char *slug;   /* HEADING: GitHub slug within its chapter (what links
                                   use); ANCHOR: the id as written */
            const char *number; /* HEADING: "2.3" when numbering is on, else NULL */
        };
        struct {                       /* LIST, ITEM */
            int ordered, start, tight; /* LIST */
            int task;                  /* ITEM: 0 not a task, 1 open, 2 done */
        };
        struct {                     /* CODE_BLOCK */
            const char *info;        /* the language, the info string's first word up to a
                                        blank or ',' ("rust" of "rust,ignore"), may be "" */
            const char *fence_info;  /* the whole info string as written ("rust,ignore",
                                        "toml title=x"), may be "" or NULL (HTML's pre) */
            const oc_hl_span *spans; /* highlighted tokens, NULL when plain (read after
                                        oc_doc_highlight_wait) */
            int nspans;
            const char *lang; /* the highlighter's language ("rust"), NULL when plain */
        };
        struct {               /* LINK, IMAGE, ABBR */
            const char *url;   /* LINK, IMAGE */
            const char *title; /* LINK, IMAGE; ABBR: the expansion */
            union {
                struct { /* LINK */
                    oc_link_kind link_kind;
                    int target_chapter;    /* INTERNAL: chapter index */
                    const char *target_id; /* INTERNAL: heading id, or NULL for the chapter start */
                };
                struct {                       /* IMAGE */
                    oc_asset *asset;           /* NULL when remote or missing (show alt text) */
                    int figure_number;         /* with a title: "Figure N", 1-based in the book */
                    int img_width, img_height; /* HTML's width/height in CSS px, 0 if absent */
                };
            };
        };
        struct {               /* FOOTNOTE_REF, FOOTNOTE */
            oc_node *note;     /* FOOTNOTE_REF: the FOOTNOTE body */
            int note_number;   /* 1-based within the chapter, on both REF and FOOTNOTE */
            int ref_count;     /* FOOTNOTE: how many refs point at it */
            const char *label; /* FOOTNOTE: the label as written ([^label]); not filled in */
        };
        struct {                   /* TABLE, TABLE_ROW, TABLE_CELL */
            int ncols;             /* TABLE */
            const oc_align *align; /* TABLE: ncols entries */
            int header;            /* TABLE_ROW: 1 for a header row */
            int col;               /* TABLE_CELL: 0-based column */
            int colspan;           /* TABLE_CELL from HTML: columns spanned (0 or 1: one) */
        };
    };
};
/* 112 bytes on a 64-bit machine, down from 272 with every type's fields in
 * every node: the arena rounds each node up to 16 bytes, so 112 is a step
 * below 128. Adding a field to the largest variant (LINK/IMAGE or
 * CODE_BLOCK, 40 bytes) costs every node of the book 16 bytes. */
_Static_assert(sizeof(oc_node) <= 112,
               "oc_node grew: every node of the Document pays for it (see above)");

/* A table's children are rows and a row's are cells, but code that walks
 * them reads these rather than the fields: a node of another type reads as
 * a body row, column 0, one column wide, never as another type's data. */
static inline int oc_row_is_header(const oc_node *row) {
    return row->type == OC_TABLE_ROW && row->header;
}
static inline int oc_cell_col(const oc_node *cell) {
    return cell->type == OC_TABLE_CELL ? cell->col : 0;
}
static inline int oc_cell_span(const oc_node *cell) {
    return cell->type == OC_TABLE_CELL && cell->colspan > 1 ? cell->colspan : 1;
}

typedef struct {
    int index;           /* 0-based position in the book */
    const char *path;    /* book-relative: "chapters/02-education.md" */
    const char *display; /* the path as shown in messages */
    const char *file_id; /* stem used for output names: "ch02" -> "ch02.xhtml" */
    const char *title;   /* plain text of the first heading, or the file stem */
    const char *id;      /* anchor for the chapter start (id of its first heading or file_id) */
    oc_node *root;       /* OC_CHAPTER */
    oc_node **notes;     /* FOOTNOTE bodies in number order */
    int nnotes;
    const char *source; /* the chapter's Markdown (NULL after oc_doc_drop_sources) */
    size_t source_len;
    /* The book's structure where its table of contents gives one (mdBook's
     * SUMMARY.md); a book.yaml book leaves these 0 / NULL. */
    int level;          /* nesting: 0 top, 1 a sub-chapter of the one before, ... */
    const char *number; /* "1.2." as mdBook numbers chapters, or NULL (prefix, suffix) */
    const char *part;   /* title of a part that opens before this chapter, or NULL */
    int title_given;    /* title comes from the table of contents, not the first heading */
    int draft;          /* listed without a file: a page holding only its title */
    /* After mdBook's directives are expanded, source line k (1-based) comes
     * from line line_map[k-1] of the file `path` (an included line: the line
     * of its directive, column col_map[k-1]; 0 keeps the parsed column).
     * NULL when source is the file as read. */
    const int *line_map, *col_map;
    int nline_map;
    size_t hl_blocks; /* code blocks queued for highlighting by this chapter's end */
} oc_chapter;

/* One entry of the book outline: every heading, in reading order. */
typedef struct {
    int chapter;
    int level;
    const char *id;
    const char *text; /* plain text */
    oc_node *node;
} oc_outline_entry;

typedef struct {
    const char *title, *subtitle;
    const char **authors;
    int nauthors;
    const char *language;   /* BCP 47, default "en-US" */
    const char *identifier; /* default: urn:uuid derived from the title */
    const char *date;       /* YYYY-MM-DD or NULL */
    const char *slug;
    const char *description;
    const char *publisher;
    const char *rights;
    const char *paper;   /* "a4" | "letter" | "a5" | "6x9" or NULL */
    int number_sections; /* "numbering: true" */
    int no_highlight;    /* "highlight: false" (or OCTAVO_HIGHLIGHT=0): code stays plain */
    oc_asset *cover;     /* NULL when none */
    /* book.yaml `accessibility:` (see README): claims only the author makes.
     * NULL / 0 when absent; hazards absent means "none". */
    const char *a11y_conforms_to;  /* "EPUB Accessibility 1.1 - WCAG 2.1 Level AA" */
    const char *a11y_certified_by; /* who checked the claim */
    const char *a11y_summary;      /* replaces the generated accessibilitySummary */
    const char **a11y_hazards;     /* schema:accessibilityHazard values */
    int na11y_hazards;
    /* --chapters: "Chapters 2 and 3 of the full book" (title pages), else NULL */
    const char *selection;
} oc_meta;

struct oc_io;

typedef struct oc_document {
    oc_arena arena;
    /* the chapters' Markdown as read (oc_chapter.source), apart: parsing
     * and the accessibility check read it; oc_doc_drop_sources frees it */
    oc_arena sources;
    const struct oc_io *io; /* how files are read (disk or memory), see book.h */
    oc_meta meta;
    const char *root_dir;  /* the book folder on disk ("." style, for reading) */
    const char *meta_path; /* book.yaml or the .md file, for messages */
    oc_chapter *chapters;
    int nchapters;
    oc_asset **assets; /* every image, cover included, each once */
    int nassets;
    oc_outline_entry *outline;
    int noutline;
    int nfigures;
    long long source_date; /* SOURCE_DATE_EPOCH, or -1 for "now" */
    /* the code blocks being highlighted (src/doc/highlight.c): read a
     * chapter's spans only after oc_doc_highlight_wait */
    struct oc_hl_batch *highlight;
} oc_document;

/* Where a page of the PDF edition begins in the Document: the EPUB places
 * its page-list markers there (oc_layout fills them, oc_epub_write_paged
 * reads them). */
typedef struct {
    int roman;   /* front matter: the label is a roman numeral */
    int number;  /* the page's number in its style (1-based) */
    int chapter; /* index of the chapter it starts in; -1: the front matter */
    int front;   /* chapter -1: 0 the title page, 1 the contents */
    /* the text node (TEXT, CODE, HTML_INLINE, CODE_BLOCK) and byte offset
     * where its first line starts, else the block it starts with; NULL: at
     * the chapter's start (its end with at_end), or the front part's start */
    const oc_node *node;
    uint32_t offset;
    int blank;  /* nothing starts on it (a blank page, a page of footnotes) */
    int at_end; /* at the end of `chapter` (a blank page after the last one) */
} oc_page_break;

/* The title as shown in contents, bookmarks and running heads: "1.2. Title"
 * when the chapter has a number, else the title (arena-owned or borrowed). */
const char *oc_chapter_label(oc_arena *a, const oc_chapter *ch);
/* Whether the book has a structure of its own (numbers, levels or parts). */
int oc_doc_structured(const oc_document *doc);

/* Plain text of an inline subtree (for titles, outline, alt text), arena-owned. */
const char *oc_node_plain_text(oc_arena *a, const oc_node *n);
/* The node after `cur` in document order (pre-order) within `root`'s
 * subtree, or NULL at its end; with descend == 0 the children of `cur` are
 * skipped. Iterative, so deep trees cost no stack: every walk over a
 * subtree uses it, `for (n = root; n; n = oc_node_next(root, n, 1))`. */
const oc_node *oc_node_next(const oc_node *root, const oc_node *cur, int descend);
/* Makes `child` the last child of `parent` (parse and hand-built documents). */
void oc_node_append(oc_node *parent, oc_node *child);
/* Gives n another type, its per-type fields zeroed: none of the old type's
 * data is read as the new type's. */
void oc_node_retype(oc_node *n, oc_node_type type);
/* The highlighter's language for a code block's info string: its first word
 * up to a space or comma ("rust,ignore" -> "rust"), aliases resolved
 * ("js" -> "javascript"); NULL for none or one we do not highlight. */
const char *oc_doc_code_language(const char *info);
/* Hides mdBook's hidden lines of a Rust block ("# " or a lone "#"; "##"
 * shows one "#") and highlights the block into n->spans, n->lang (arena
 * memory). Highlighting is skipped when `highlight` is 0.
 *
 * source-highlight's regular expressions take time quadratic in a line's
 * length (a 16 KB line took 3 s), so a block with a line over
 * OC_HL_MAX_LINE bytes stays plain, and `budget` (NULL: no limit) bounds
 * the whole book: start it at OC_HL_BUDGET0; each block adds
 * OC_HL_BUDGET_PER_BYTE per byte and spends the sum over its lines of
 * len * max(len, 64), about 18 ns each. Returns 1 when the block was left
 * plain by these limits, else 0. */
#define OC_HL_MAX_LINE 2000
#define OC_HL_BUDGET0 1.2e8
#define OC_HL_BUDGET_PER_BYTE 96.0
int oc_doc_highlight_block(oc_arena *a, oc_node *n, int highlight, double *budget);
/* Keeps only the chapters LIST names (--chapters: "4", "2-3,6", chapter file
 * names or stems), in book order; see select.c. NULL keeps all. Errors
 * (a bad item) go to diag as OC_ERR_INPUT. */
oc_status oc_doc_select_chapters(oc_document *doc, const char *list, oc_diag *diag);
/* Code blocks are highlighted in the background after oc_doc_parse: this
 * returns when the code blocks of `chapter` (-1: of every chapter) have
 * their spans (n->spans, n->nspans), highlighting those nobody has started
 * on the calling thread. n->lang is set by the parse. Any thread. */
void oc_doc_highlight_wait(const oc_document *doc, int chapter);
/* Frees everything the document owns. */
void oc_doc_free(oc_document *doc);
/* Frees the chapters' Markdown once the Document is parsed and checked
 * (their `source` becomes NULL; `source_len` stays): a book's Markdown is
 * a quarter of its Document, and nothing after the check reads it. */
void oc_doc_drop_sources(oc_document *doc);

#endif
