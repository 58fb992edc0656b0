/* octavo — loading a book: metadata (book.yaml or YAML front matter),
 * chapter sources and image assets, all confined to the book folder.
 *
 * File reads go through oc_io so that tests and fuzzers can build a book
 * entirely from memory. */
#ifndef OCTAVO_BOOK_H
#define OCTAVO_BOOK_H

#include "octavo/doc.h"

typedef struct oc_io {
    void *ctx;
    /* Reads the whole file at `path` (a path on disk, already confined by
     * the caller). On success *data is malloc'd (caller frees) and NUL-
     * terminated. Returns OC_ERR_IO when it does not exist or cannot be read
     * and fills `why` (size 256) with the reason. */
    oc_status (*read)(void *ctx, const char *path, char **data, size_t *len, char *why);
    /* Returns 1 when `path` (on disk) resolves, through symlinks, to a place
     * inside `root`; 0 otherwise. NULL means "no symlinks" (in-memory books). */
    int (*inside)(void *ctx, const char *root, const char *path);
} oc_io;

/* The io table that reads real files. */
const oc_io *oc_io_disk(void);

/* A tiny in-memory file system for tests and fuzzers: files are matched by
 * exact path. `files` is an array of {path, data, len} ending with a NULL path. */
typedef struct {
    const char *path;
    const char *data;
    size_t len;
} oc_memfile;
void oc_io_memory(oc_io *io, const oc_memfile *files);

/* Loads `book` (folder or .md file) into `doc`: metadata, chapter sources,
 * the cover. Then parses every chapter (oc_doc_parse). Returns OC_ERR_INPUT
 * when diag has errors. doc must be zeroed; free it with oc_doc_free(). */
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
