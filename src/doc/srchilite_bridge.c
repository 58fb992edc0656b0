/* octavo — the C face of the highlighter's modules (src/modules/
 * srchilite.cpp): the lean module, opened at the first code block with a
 * language, highlights with the definitions the program carries; the full
 * one (source-highlight and Boost.Regex) is opened only for what the lean
 * one hands back (-2): a definition from another folder, the reference
 * highlighter and the checks of the tests. With the modules linked in,
 * both are called directly. */
#include "doc/srchilite_bridge.h"

#include "modules/modules.h"
#include "util/module.h"

#include <stdio.h>

typedef struct {
    int (*load)(const char *, const char *);
    int (*run)(const char *, const char *, const char *, size_t, oc_hlmod_emit_fn, void *, int);
    unsigned long (*fallbacks)(void);
    void (*engines)(unsigned long *);
    void (*sources)(unsigned long *);
} calls;

#ifdef OCTAVO_EMBED_MODULES
#include <pthread.h>

static calls mods[2]; /* the lean module's and the full one's; NULL where it does not open */
static pthread_once_t once[2] = {PTHREAD_ONCE_INIT, PTHREAD_ONCE_INIT};

static void open_calls(int full) {
    oc_module_id id = full ? OC_MODULE_SRCHILITE : OC_MODULE_HIGHLIGHT;
    const char *p = full ? "oc_hlsrc_" : "oc_hlmod_";
    static const char *const names[] = {"load", "run_mode", "fallbacks", "engines", "sources"};
    void *f[5];
    char err[320], sym[32];
    for (int i = 0; i < 5; i++) {
        snprintf(sym, sizeof sym, "%s%s", p, names[i]);
        f[i] = oc_module_symbol(id, sym, err, sizeof err);
        if (!f[i]) {
            /* once per process and module; highlight.c then sets the code plain */
            fprintf(stderr, "octavo: warning: code is not highlighted: %s\n", err);
            return;
        }
    }
    calls *c = &mods[full];
    *(void **)&c->load = f[0];
    *(void **)&c->run = f[1];
    *(void **)&c->fallbacks = f[2];
    *(void **)&c->engines = f[3];
    *(void **)&c->sources = f[4];
}
static void open_lean(void) {
    open_calls(0);
}
static void open_full(void) {
    open_calls(1);
}

/* The calls of the lean (0) or the full (1) module; their functions are
 * NULL when it does not open. */
static const calls *module(int full) {
    pthread_once(&once[full], full ? open_full : open_lean);
    return &mods[full];
}

#else

static const calls linked[2] = {
    {oc_hlmod_load, oc_hlmod_run_mode, oc_hlmod_fallbacks, oc_hlmod_engines, oc_hlmod_sources},
    {oc_hlsrc_load, oc_hlsrc_run_mode, oc_hlsrc_fallbacks, oc_hlsrc_engines, oc_hlsrc_sources},
};
static const calls *module(int full) {
    return &linked[full];
}

#endif

unsigned long oc_hl_bridge_fallbacks(void) {
    const calls *c = module(1);
    return c->fallbacks ? c->fallbacks() : 0;
}

void oc_hl_bridge_engines(unsigned long out[4]) {
    for (int i = 0; i < 4; i++)
        out[i] = 0;
    for (int m = 0; m < 2; m++) {
        const calls *c = module(m);
        unsigned long e[4] = {0, 0, 0, 0};
        if (c->engines) c->engines(e);
        for (int i = 0; i < 4; i++)
            out[i] += e[i];
    }
}

void oc_hl_bridge_sources(unsigned long out[2]) {
    out[0] = out[1] = 0;
    for (int m = 0; m < 2; m++) {
        const calls *c = module(m);
        unsigned long s[2] = {0, 0};
        if (c->sources) c->sources(s);
        out[0] += s[0];
        out[1] += s[1];
    }
}

int oc_hl_bridge_load(const char *dir, const char *file) {
    const calls *c = module(0);
    int rc = c->load ? c->load(dir, file) : -1;
    if (rc != -2) return rc;
    c = module(1);
    return c->load ? c->load(dir, file) : -1;
}

int oc_hl_bridge_run_mode(const char *dir, const char *file, const char *text, size_t len,
                          oc_hl_emit_fn emit, void *ud, int reference) {
    const calls *c = module(0);
    int rc = c->run ? c->run(dir, file, text, len, emit, ud, reference) : -1;
    if (rc != -2) return rc;
    c = module(1);
    rc = c->run ? c->run(dir, file, text, len, emit, ud, reference) : -1;
    return rc == -2 ? -1 : rc;
}

int oc_hl_bridge_run(const char *dir, const char *file, const char *text, size_t len,
                     oc_hl_emit_fn emit, void *ud) {
    return oc_hl_bridge_run_mode(dir, file, text, len, emit, ud, 0);
}
