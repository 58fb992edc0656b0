/* A strict reader for TOML 1.0 as mdBook's book.toml uses it (internal to
 * src/book/). Every construct of the format is parsed and checked — tables,
 * arrays of tables, dotted and quoted keys, the four string forms, integers,
 * floats, booleans, dates and times, arrays and inline tables — so that a
 * malformed file is an error at its line and column; values are handed to
 * the caller one key at a time, and the caller picks the few it reads.
 *
 * Limits: nesting of arrays and inline tables at most 64 deep; a key
 * defined twice, or a table header repeated, is an error as TOML says. */
#ifndef OCTAVO_BOOK_TOML_H
#define OCTAVO_BOOK_TOML_H

#include "octavo/util.h"

typedef enum {
    OC_TOML_STRING,
    OC_TOML_INTEGER,
    OC_TOML_FLOAT,
    OC_TOML_BOOL,
    OC_TOML_DATETIME,
    OC_TOML_ARRAY,
    OC_TOML_TABLE /* an inline table: its keys are not handed out */
} oc_toml_kind;

typedef struct oc_toml_value {
    oc_toml_kind kind;
    /* STRING: the decoded text (UTF-8, NUL-terminated; a NUL written as
     * \u0000 is refused); other scalars: the text as written. */
    const char *str;
    struct oc_toml_value *items; /* ARRAY: its elements, in order */
    int nitems;
    int line, col; /* where the value starts, 1-based */
} oc_toml_value;

/* Called for every key = value at the top of a table: `table` is the dotted
 * name of the table it sits in ("" at the top, "output.html"; an element of
 * an array of tables is its name followed by "[]"), `key` the dotted key as
 * written, unquoted ("title", "a.b"). Everything is arena-owned. */
typedef void (*oc_toml_each)(void *arg, const char *table, const char *key, const oc_toml_value *v);

/* Parses src (len bytes). Returns OC_OK, or OC_ERR_INPUT with *line, *col
 * (1-based) and msg (size msgsize) saying what is wrong. */
oc_status oc_toml_parse(oc_arena *a, const char *src, size_t len, oc_toml_each each, void *arg,
                        int *line, int *col, char *msg, size_t msgsize);

#endif
