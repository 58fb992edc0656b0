/* octavo — the C face of the highlighter's module (src/modules/
 * srchilite.cpp): opened at the first code block with a language, or
 * called directly when the modules are linked in. */
#include "doc/srchilite_bridge.h"

#include "modules/modules.h"
#include "util/module.h"

#ifdef OCTAVO_EMBED_MODULES
#include <pthread.h>
#include <stdio.h>

static int (*load_fn)(const char *, const char *);
static int (*run_fn)(const char *, const char *, const char *, size_t, oc_hlmod_emit_fn, void *,
                     int);
static unsigned long (*fallbacks_fn)(void);
static void (*engines_fn)(unsigned long *);
static void (*sources_fn)(unsigned long *);
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void open_module(void) {
    char err[320];
    void *l = oc_module_symbol(OC_MODULE_HIGHLIGHT, "oc_hlmod_load", err, sizeof err);
    void *r =
        l ? oc_module_symbol(OC_MODULE_HIGHLIGHT, "oc_hlmod_run_mode", err, sizeof err) : NULL;
    if (!l || !r) {
        /* once per process; highlight.c then sets the code plain */
        fprintf(stderr, "octavo: warning: code is not highlighted: %s\n", err);
        return;
    }
    *(void **)&fallbacks_fn =
        oc_module_symbol(OC_MODULE_HIGHLIGHT, "oc_hlmod_fallbacks", err, sizeof err);
    *(void **)&engines_fn =
        oc_module_symbol(OC_MODULE_HIGHLIGHT, "oc_hlmod_engines", err, sizeof err);
    *(void **)&sources_fn =
        oc_module_symbol(OC_MODULE_HIGHLIGHT, "oc_hlmod_sources", err, sizeof err);
    *(void **)&load_fn = l;
    *(void **)&run_fn = r;
}

unsigned long oc_hl_bridge_fallbacks(void) {
    pthread_once(&once, open_module);
    return fallbacks_fn ? fallbacks_fn() : 0;
}

void oc_hl_bridge_engines(unsigned long out[4]) {
    pthread_once(&once, open_module);
    for (int i = 0; i < 4; i++)
        out[i] = 0;
    if (engines_fn) engines_fn(out);
}

void oc_hl_bridge_sources(unsigned long out[2]) {
    pthread_once(&once, open_module);
    out[0] = out[1] = 0;
    if (sources_fn) sources_fn(out);
}

int oc_hl_bridge_load(const char *dir, const char *file) {
    pthread_once(&once, open_module);
    return load_fn ? load_fn(dir, file) : -1;
}

int oc_hl_bridge_run_mode(const char *dir, const char *file, const char *text, size_t len,
                          oc_hl_emit_fn emit, void *ud, int reference) {
    pthread_once(&once, open_module);
    return run_fn ? run_fn(dir, file, text, len, emit, ud, reference) : -1;
}

#else

unsigned long oc_hl_bridge_fallbacks(void) {
    return oc_hlmod_fallbacks();
}

void oc_hl_bridge_engines(unsigned long out[4]) {
    oc_hlmod_engines(out);
}

void oc_hl_bridge_sources(unsigned long out[2]) {
    oc_hlmod_sources(out);
}

int oc_hl_bridge_load(const char *dir, const char *file) {
    return oc_hlmod_load(dir, file);
}

int oc_hl_bridge_run_mode(const char *dir, const char *file, const char *text, size_t len,
                          oc_hl_emit_fn emit, void *ud, int reference) {
    return oc_hlmod_run_mode(dir, file, text, len, emit, ud, reference);
}

#endif

int oc_hl_bridge_run(const char *dir, const char *file, const char *text, size_t len,
                     oc_hl_emit_fn emit, void *ud) {
    return oc_hl_bridge_run_mode(dir, file, text, len, emit, ud, 0);
}
