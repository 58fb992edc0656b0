/* Internal to src/book/: what load.c shares with the mdBook loader
 * (mdbook.c) and the directive expansion (directives.c). */
#ifndef OCTAVO_BOOK_LOADER_H
#define OCTAVO_BOOK_LOADER_H

#include "octavo/book.h"

/* The book-relative path `rel` as shown in messages ("book/src/a.md"). */
const char *oc_book_display(oc_document *doc, const char *rel);
/* Reads `rel` beneath the book folder through doc->io (see oc_io). */
oc_status oc_book_read(oc_document *doc, const char *rel, char **data, size_t *len, char *why);
/* Invalid UTF-8 and NUL bytes replaced with U+FFFD (one warning per file);
 * the result is arena-owned. */
char *oc_book_clean_text(oc_document *doc, oc_diag *diag, const char *display, const char *s,
                         size_t len, size_t *out_len);
/* Appends a chapter with the given source (doc->chapters has room). */
oc_chapter *oc_book_add_chapter(oc_document *doc, const char *rel, char *text, size_t len);
/* Whether s is a well-formed BCP 47 language tag. */
int oc_book_valid_language(const char *s);

/* mdbook.c: reads book.toml (text, len bytes, already read) and the
 * SUMMARY.md it points at into doc: metadata and chapters in SUMMARY order
 * with their titles, levels, numbers and parts, every chapter's directives
 * expanded. Reports problems to diag; returns OC_ERR_INPUT on errors. */
oc_status oc_mdbook_load(oc_document *doc, const char *text, size_t len, oc_diag *diag);

/* directives.c: expands mdBook's {{#include}}, {{#rustdoc_include}},
 * {{#playground}} and {{#title}} in `text`, the source of the book-relative
 * file `rel`, relative to that file. On success *out (arena-owned, NUL-
 * terminated) holds the text, and, when anything was expanded, *line_map and
 * *col_map (arena-owned, *nlines entries) give for each line of *out the
 * line and column in `rel` it comes from (the directive's own place for
 * included lines); otherwise they are NULL. Errors go to diag at the
 * directive's line and column (in the included file for nested ones). */
oc_status oc_mdbook_expand(oc_document *doc, oc_diag *diag, const char *rel, const char *text,
                           size_t len, char **out, size_t *out_len, int **line_map, int **col_map,
                           int *nlines);

#endif
