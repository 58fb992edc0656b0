/* octavo — loading a book: metadata (book.yaml or YAML front matter),
 * chapter sources and image assets, all confined to the book folder.
 *
 * File reads go through oc_io so that tests and fuzzers can build a book
 * entirely from memory. */
#ifndef OCTAVO_BOOK_H
#define OCTAVO_BOOK_H

#include "octavo/doc.h"

/* The `why` of an io function for a file that does not exist. */
#define OC_IO_NO_SUCH_FILE "no such file"

typedef struct oc_io {
    void *ctx;
    /* Reads the whole file at `path`, one the user named (a single-file book).
     * Only regular files are read, and opening never blocks (a FIFO is
     * refused, not waited on). On success *data is malloc'd (caller frees)
     * and NUL-terminated. Returns OC_ERR_IO when it does not exist or cannot
     * be read and fills `why` (size 256) with the reason, OC_IO_NO_SUCH_FILE
     * when it does not exist. */
    oc_status (*read)(void *ctx, const char *path, char **data, size_t *len, char *why);
    /* The same for `rel`, a normalised relative path (no "..", no leading
     * '/'), beneath the folder `root`. The disk version opens it relative to
     * root one component at a time and never reaches outside root, whatever
     * the symbolic links on the way say; a path that would leave is
     * OC_ERR_INPUT with why = "it leaves the book folder through a symbolic
     * link". A path that cannot be resolved is an error, never a pass. */
    oc_status (*read_beneath)(void *ctx, const char *root, const char *rel, char **data,
                              size_t *len, char *why);
    /* Calls each(arg, name) for every entry of the folder `rel` ("" for root
     * itself) beneath `root`, confined like read_beneath; "." and ".." are
     * skipped. Names are borrowed for the call. Same returns as read_beneath. */
    oc_status (*list_beneath)(void *ctx, const char *root, const char *rel,
                              void (*each)(void *arg, const char *name), void *arg, char *why);
} oc_io;

/* The io table that reads real files (openat2 with RESOLVE_BENEATH where
 * the kernel has it, else a walk of its own, see below). */
const oc_io *oc_io_disk(void);
/* The same, always resolving paths with the per-component walk (openat with
 * O_NOFOLLOW, symbolic links followed by hand while they stay beneath root,
 * at most 40 of them) that oc_io_disk falls back to without openat2. */
const oc_io *oc_io_disk_walk(void);

/* A tiny in-memory file system for tests and fuzzers: files are matched by
 * exact path. `files` is an array of {path, data, len} ending with a NULL path. */
typedef struct {
    const char *path;
    const char *data;
    size_t len;
} oc_memfile;
void oc_io_memory(oc_io *io, const oc_memfile *files);

/* Loads `book` (folder or .md file) into `doc`: metadata, chapter sources,
 * the cover. A folder with book.yaml is octavo's own format; one with
 * book.toml and no book.yaml is an mdBook (book.toml, SUMMARY.md, the
 * directives expanded; see src/book/mdbook.c). Then parses every chapter
 * (oc_doc_parse). Returns OC_ERR_INPUT when diag has errors. doc must be
 * zeroed; free it with oc_doc_free(). */
oc_status oc_book_load(oc_document *doc, const char *book, const oc_io *io, oc_diag *diag);

/* Loads the same from a Markdown string in memory with optional front matter
 * (used by the fuzzers); images are looked up through io. */
oc_status oc_book_load_string(oc_document *doc, const char *name, const char *md, size_t len,
                              const oc_io *io, oc_diag *diag);

/* Resolves an image reference written in `from_file` (book-relative) at
 * line:col, reads and checks it once (by its bytes), and returns the shared
 * asset, or NULL after reporting an error. Used by the parser and for the cover. */
oc_asset *oc_book_asset(oc_document *doc, const char *from_file, const char *ref, int line, int col,
                        oc_diag *diag);

/* Parses every chapter of a loaded book once with cmark-gfm and builds the
 * Document: heading ids, footnotes, link targets, images, outline. */
oc_status oc_doc_parse(oc_document *doc, oc_diag *diag);

/* GitHub's heading slug: lower-case, punctuation dropped, spaces to '-'. */
char *oc_slugify(oc_arena *a, const char *text);

#endif
