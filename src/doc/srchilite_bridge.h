/* octavo — the C face of the source-highlight bridge (srchilite_bridge.cpp).
 * Only src/doc/highlight.c calls it. */
#ifndef OCTAVO_SRCHILITE_BRIDGE_H
#define OCTAVO_SRCHILITE_BRIDGE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One piece of a line: bytes [off, off + len) of the block, and the element
 * name source-highlight gave it ("keyword", "comment", "normal", ...). */
typedef void (*oc_hl_emit_fn)(void *ud, size_t off, size_t len, const char *elem);

/* Highlights `len` bytes of `text` (lines split at LF; no piece spans one)
 * with the language definition `file` in folder `dir`, loaded once per
 * process. Returns 0, or -1 when the definition does not load or the
 * highlighter fails (pieces already emitted are then to be dropped).
 * Serialised by a lock: safe from any thread. */
int oc_hl_bridge_run(const char *dir, const char *file, const char *text, size_t len,
                     oc_hl_emit_fn emit, void *ud);

#ifdef __cplusplus
}
#endif

#endif
