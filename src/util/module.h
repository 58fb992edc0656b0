/* octavo — opening a module embedded in the program (see
 * src/modules/modules.h for what the modules are and why). */
#ifndef OCTAVO_UTIL_MODULE_H
#define OCTAVO_UTIL_MODULE_H

#include <stddef.h>

typedef enum {
    OC_MODULE_HIGHLIGHT, /* the lean highlighter: the table's definitions */
    OC_MODULE_SRCHILITE, /* the full one: source-highlight and Boost.Regex */
    OC_MODULE_IMPOSE,
    OC_MODULE_COUNT
} oc_module_id;

/* The address of `symbol` in module `id`, which is opened the first time
 * (once per process and module, safe from any thread, never closed), or
 * NULL with the reason in err (errlen bytes; the same reason every later
 * call). */
void *oc_module_symbol(oc_module_id id, const char *symbol, char *err, size_t errlen);

/* For tests: with 1, modules not yet opened skip the memory file and take
 * the temporary-file path (as where /proc is missing). */
void oc_module_use_tmpfile(int on);

#endif
