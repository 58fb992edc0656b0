/* octavo — the C face of the source-highlight module (src/modules/
 * srchilite.cpp, opened on first use by srchilite_bridge.c). Only
 * src/doc/highlight.c and its tests call it. A module that cannot be opened
 * is reported once on stderr, and every call then returns -1. */
#ifndef OCTAVO_SRCHILITE_BRIDGE_H
#define OCTAVO_SRCHILITE_BRIDGE_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One piece of a line: bytes [off, off + len) of the block, and the element
 * name source-highlight gave it ("keyword", "comment", "normal", ...). */
typedef void (*oc_hl_emit_fn)(void *ud, size_t off, size_t len, const char *elem);

/* Loads the language definition `file` in folder `dir` (once per process;
 * later calls find it loaded). Returns 0, or -1 when it does not load.
 * oc_hl_bridge_run loads what it needs too; loading up front keeps the
 * loader's lock out of the way of blocks highlighted on several threads. */
int oc_hl_bridge_load(const char *dir, const char *file);

/* Highlights `len` bytes of `text` (lines split at LF; no piece spans one)
 * with the language definition `file` in folder `dir`, loaded once per
 * process. Returns 0, or -1 when the definition does not load or the
 * highlighter fails (pieces already emitted are then to be dropped).
 * Safe from any thread, several at once. */
int oc_hl_bridge_run(const char *dir, const char *file, const char *text, size_t len,
                     oc_hl_emit_fn emit, void *ud);

/* The same with `reference` 1: source-highlight's own SourceHighlighter
 * (one block at a time, under the lock) instead of our matching loop; the
 * pieces must be the same (tests/unit/test_hl_engine.c). With `reference`
 * 2: our loop, every answer of its shortcuts checked against Boost.Regex's
 * search of the same rule (slow; for tests). */
/* How many shortcut answers the checks of `reference` 2 found wrong
 * (oc_hlmod_fallbacks); tests require 0. */
unsigned long oc_hl_bridge_fallbacks(void);

/* Which engine searched the regex rules (oc_hlmod_engines): rules for
 * PCRE2, rules left to Boost.Regex, searches by each; all 0 when the
 * module does not open. */
void oc_hl_bridge_engines(unsigned long out[4]);

/* Where the definitions loaded so far came from (oc_hlmod_sources): out[0]
 * the table the program carries (hl_languages.h's, compiled at build time),
 * out[1] .lang files read when asked for; both 0 when the module does not
 * open. */
void oc_hl_bridge_sources(unsigned long out[2]);

int oc_hl_bridge_run_mode(const char *dir, const char *file, const char *text, size_t len,
                          oc_hl_emit_fn emit, void *ud, int reference);

#ifdef __cplusplus
}
#endif

#endif
