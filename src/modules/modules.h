/* octavo — the program's two C++ parts, built as modules: the highlighter's
 * matching loop over GNU source-highlight (srchilite.cpp) and the booklet
 * imposer over libqpdf (impose.cc). Linked into the program, those two
 * libraries with Boost.Regex, ICU, GnuTLS and the C++ runtime cost every
 * run, `octavo --version` included, about 9 MB of memory and most of its
 * start-up instructions, while most books need neither (a booklet is
 * asked for by --impose; source-highlight only for a code block with a
 * language). So each is a shared module whose bytes are embedded in the
 * program (src/util/module.c) and opened the first time it is needed.
 *
 * Both sides are plain C and call nothing of the program's: the module
 * exports only the functions below, and whatever it builds comes back
 * through the caller's callback or in memory the caller frees. With
 * OCTAVO_EMBED_MODULES off (the fuzz build), the same files are compiled
 * into the program and these are called directly. */
#ifndef OCTAVO_MODULES_H
#define OCTAVO_MODULES_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OC_MODULE_EXPORT __attribute__((visibility("default")))

/* ---- the highlighter (srchilite.cpp); see doc/srchilite_bridge.h ---- */
typedef void (*oc_hlmod_emit_fn)(void *ud, size_t off, size_t len, const char *elem);
OC_MODULE_EXPORT int oc_hlmod_load(const char *dir, const char *file);
/* How many times, in runs with `reference` 2, a shortcut (a keyword list,
 * a call rule, a list of literals) found another match than Boost.Regex's
 * search of the same rule: 0 when the shortcuts are exact (tests). */
OC_MODULE_EXPORT unsigned long oc_hlmod_fallbacks(void);
/* Which engine the regex rules went to (tests): out[0] rules of the
 * definitions loaded so far that PCRE2 searches, out[1] rules left to
 * Boost.Regex (syntax to_pcre2 does not know), out[2] and out[3] the
 * searches made so far by each. */
OC_MODULE_EXPORT void oc_hlmod_engines(unsigned long out[4]);
/* Where the definitions loaded so far came from (tests): out[0] the table
 * the program carries, out[1] .lang files read through source-highlight. */
OC_MODULE_EXPORT void oc_hlmod_sources(unsigned long out[2]);
/* The build's table writer (hlgen.cpp): reads the n definitions files[i] in
 * dirs[i] and writes them in our form to path; 0, or -1 with a message. */
OC_MODULE_EXPORT int oc_hlmod_write_table(const char *path, size_t n, const char *const *dirs,
                                          const char *const *files);
OC_MODULE_EXPORT int oc_hlmod_run_mode(const char *dir, const char *file, const char *text,
                                       size_t len, oc_hlmod_emit_fn emit, void *ud, int reference);

/* ---- the booklet imposer (impose.cc) ----
 * Imposes the `len`-byte PDF two-up on sheets of sw x sh points in
 * saddle-stitch order. `marks` (marks_len bytes, or NULL) is the content
 * to draw on every side for crop and fold marks, which also give the
 * sheet a bleed and slug (OC_PDF_BLEED, OC_PDF_SLUG). On success returns 0
 * and sets *out to a malloc'ed booklet of *out_len bytes; on failure
 * returns -1 with the reason in err. */
OC_MODULE_EXPORT int oc_imposemod_booklet(const void *pdf, size_t len, double sw, double sh,
                                          const char *marks, size_t marks_len, void **out,
                                          size_t *out_len, char *err, size_t errlen);

#ifdef __cplusplus
}
#endif

#endif
