/* octavo — the program's C++ parts, built as modules: the highlighter's
 * matching loop (srchilite.cpp, built twice: a lean module over the
 * language definitions the program carries, with PCRE2 only, and a full
 * one over GNU source-highlight and Boost.Regex for anything else) and the
 * booklet imposer over libqpdf (impose.cc). Linked into the program,
 * source-highlight, libqpdf, Boost.Regex, ICU, GnuTLS and the C++ runtime
 * cost every run, `octavo --version` included, about 9 MB of memory and
 * most of its start-up instructions, while most books need none of them
 * (a booklet is asked for by --impose; the highlighter only for a code
 * block with a language, and then the lean module only). So each is a
 * shared module whose bytes are embedded in the program (src/util/module.c)
 * and opened the first time it is needed.
 *
 * Every side is plain C and calls nothing of the program's: a module
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

/* ---- the highlighter (srchilite.cpp); see doc/srchilite_bridge.h ----
 * Two modules from one file: the lean one (oc_hlmod_*: the table's
 * definitions, PCRE2 only) and the full one (oc_hlsrc_*: any definition
 * through source-highlight, its reference highlighter, checks against
 * Boost.Regex). Both export the same calls; where the lean one cannot do
 * what is asked (a definition not in its table, or `reference` not 0), its
 * load and run_mode return -2 without emitting anything, and the caller
 * asks the full one. */
typedef void (*oc_hlmod_emit_fn)(void *ud, size_t off, size_t len, const char *elem);
#define OC_HLMOD_CALLS(P)                                                                          \
    OC_MODULE_EXPORT int P##load(const char *dir, const char *file);                               \
    /* How many times, in runs with `reference` 2, a shortcut (a keyword                           \
     * list, a call rule, a list of literals) or PCRE2 found another match                         \
     * than Boost.Regex's search of the same rule: 0 when they are exact                           \
     * (tests). */                                                                                 \
    OC_MODULE_EXPORT unsigned long P##fallbacks(void);                                             \
    /* Which engine the regex rules went to (tests): out[0] rules of the                           \
     * definitions loaded so far that PCRE2 searches, out[1] rules left to                         \
     * Boost.Regex (syntax to_pcre2 does not know), out[2] and out[3] the                          \
     * searches made so far by each. */                                                            \
    OC_MODULE_EXPORT void P##engines(unsigned long out[4]);                                        \
    /* Where the definitions loaded so far came from (tests): out[0] the                           \
     * table the program carries, out[1] .lang files read through                                  \
     * source-highlight. */                                                                        \
    OC_MODULE_EXPORT void P##sources(unsigned long out[2]);                                        \
    OC_MODULE_EXPORT int P##run_mode(const char *dir, const char *file, const char *text,          \
                                     size_t len, oc_hlmod_emit_fn emit, void *ud, int reference);
OC_HLMOD_CALLS(oc_hlmod_)
OC_HLMOD_CALLS(oc_hlsrc_)
/* The build's table writer (hlgen.cpp): reads the n definitions files[i] in
 * dirs[i] and writes them in our form to path; 0, or -1 with a message. */
OC_MODULE_EXPORT int oc_hlsrc_write_table(const char *path, size_t n, const char *const *dirs,
                                          const char *const *files);

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
