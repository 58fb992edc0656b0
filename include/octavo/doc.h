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
 *     CODE_BLOCK (text = literal, info = language)
 *     HR
 *     TABLE (ncols, align) -> TABLE_ROW (header for the first) -> TABLE_CELL -> inlines
 *     HTML_BLOCK (text = the raw source; backends show it as literal text or drop it)
 *   Inlines: TEXT (text), SOFTBREAK, LINEBREAK, CODE (text), EMPH, STRONG, STRIKE,
 *     LINK (url, title, link target) -> inlines, IMAGE (url, title, asset) -> inlines (alt),
 *     FOOTNOTE_REF (note), HTML_INLINE (text; never emitted as markup).
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
    OC_HTML_INLINE
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

/* Where a LINK points after resolution. */
typedef enum {
    OC_LINK_EXTERNAL = 0, /* url is absolute (http:, https:, mailto:, ...) */
    OC_LINK_INTERNAL,     /* a chapter of this book, maybe an anchor in it */
    OC_LINK_BROKEN,       /* a relative link we could not resolve (warned) */
    OC_LINK_OMITTED       /* a chapter --chapters left out: shown as text */
} oc_link_kind;

struct oc_node {
    oc_node_type type;
    oc_node *parent, *first, *last, *next, *prev;
    int line, column; /* source position, 1-based */

    const char *text; /* TEXT, CODE, CODE_BLOCK, HTML_*: UTF-8, NUL-terminated */
    size_t len;

    /* HEADING */
    int level;
    const char *id;     /* unique across the book; also the PDF destination name */
    const char *slug;   /* GitHub slug within its chapter (what links use) */
    const char *number; /* "2.3" when numbering is on, else NULL */

    /* LIST / ITEM / CODE_BLOCK */
    int ordered, start, tight;
    int task;         /* ITEM: 0 not a task, 1 open, 2 done */
    const char *info; /* CODE_BLOCK: info string (language), may be "" */

    /* LINK / IMAGE */
    const char *url, *title;
    oc_link_kind link_kind;
    int target_chapter;    /* INTERNAL: chapter index */
    const char *target_id; /* INTERNAL: heading id, or NULL for the chapter start */
    oc_asset *asset;       /* IMAGE: NULL when remote or missing (show alt text) */
    int figure_number;     /* IMAGE with a title: "Figure N", 1-based through the book */

    /* FOOTNOTE_REF / FOOTNOTE */
    oc_node *note;     /* FOOTNOTE_REF: the FOOTNOTE body */
    int note_number;   /* 1-based within the chapter, on both REF and FOOTNOTE */
    int ref_count;     /* FOOTNOTE: how many refs point at it */
    const char *label; /* FOOTNOTE: the label as written ([^label]) */

    /* TABLE / TABLE_ROW / TABLE_CELL */
    int ncols;
    const oc_align *align; /* TABLE: ncols entries */
    int header;            /* TABLE_ROW: 1 for the header row */
    int col;               /* TABLE_CELL: 0-based column */
};

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
    const char *source; /* the chapter's Markdown (kept for diagnostics and tests) */
    size_t source_len;
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
} oc_document;

/* Plain text of an inline subtree (for titles, outline, alt text), arena-owned. */
const char *oc_node_plain_text(oc_arena *a, const oc_node *n);
/* The node after `cur` in document order (pre-order) within `root`'s
 * subtree, or NULL at its end; with descend == 0 the children of `cur` are
 * skipped. Iterative, so deep trees cost no stack: every walk over a
 * subtree uses it, `for (n = root; n; n = oc_node_next(root, n, 1))`. */
const oc_node *oc_node_next(const oc_node *root, const oc_node *cur, int descend);
/* Makes `child` the last child of `parent` (parse and hand-built documents). */
void oc_node_append(oc_node *parent, oc_node *child);
/* Keeps only the chapters LIST names (--chapters: "4", "2-3,6", chapter file
 * names or stems), in book order; see select.c. NULL keeps all. Errors
 * (a bad item) go to diag as OC_ERR_INPUT. */
oc_status oc_doc_select_chapters(oc_document *doc, const char *list, oc_diag *diag);
/* Frees everything the document owns. */
void oc_doc_free(oc_document *doc);

#endif
