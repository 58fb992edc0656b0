/* Opening the SVG stack on first use: see svg_libs.h. */
#include "image/svg_libs.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

const char *const oc_svg_sonames[OC_SVG_NLIBS] = {
    [OC_SVG_GLIB] = "libglib-2.0.so.0",         [OC_SVG_GOBJECT] = "libgobject-2.0.so.0",
    [OC_SVG_GIO] = "libgio-2.0.so.0",           [OC_SVG_CAIRO] = "libcairo.so.2",
    [OC_SVG_FONTCONFIG] = "libfontconfig.so.1", [OC_SVG_XML2] = "libxml2.so.2",
    [OC_SVG_RSVG] = "librsvg-2.so.2",
};

static const struct {
    int lib;
    const char *name;
    size_t offset;
} functions[] = {
#define OC_SVG_ENTRY(l, fn) {l, #fn, offsetof(oc_svg_libs, fn)},
    OC_SVG_FUNCTIONS(OC_SVG_ENTRY)
#undef OC_SVG_ENTRY
};

/* dlsym's object pointer is copied into function pointer fields */
_Static_assert(sizeof(void *) == sizeof(void (*)(void)), "function and object pointers differ");

int oc_svg_libs_load(oc_svg_libs *out, const char *const sonames[OC_SVG_NLIBS], char *why) {
    void *handle[OC_SVG_NLIBS];
    memset(out, 0, sizeof *out);
    for (int i = 0; i < OC_SVG_NLIBS; i++) {
        /* never closed: GLib's type system does not survive an unload, and a
         * library that did open is as good as loaded for the next attempt */
        handle[i] = dlopen(sonames[i], RTLD_NOW | RTLD_LOCAL);
        if (!handle[i]) {
            const char *e = dlerror();
            snprintf(why, 256, "SVG images need %s, which cannot be loaded (%s)", sonames[i],
                     e ? e : "unknown error");
            return -1;
        }
    }
    for (size_t k = 0; k < sizeof functions / sizeof functions[0]; k++) {
        dlerror();
        void *p = dlsym(handle[functions[k].lib], functions[k].name);
        if (!p) {
            const char *e = dlerror();
            snprintf(why, 256, "SVG images need %s, which lacks %s (%s)", sonames[functions[k].lib],
                     functions[k].name, e ? e : "a null symbol");
            memset(out, 0, sizeof *out);
            return -1;
        }
        /* a data pointer into a function pointer field of the same size
         * (POSIX guarantees dlsym's result converts) */
        memcpy((char *)out + functions[k].offset, &p, sizeof p);
    }
    return 0;
}

static const char *const *names = oc_svg_sonames;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static oc_svg_libs libs;
static int loaded;
static char failure[256];

static void load_once(void) {
    loaded = oc_svg_libs_load(&libs, names, failure) == 0;
}

void oc_svg_libs_use(const char *const sonames[OC_SVG_NLIBS]) {
    names = sonames;
}

const oc_svg_libs *oc_svg_libs_get(char *why) {
    pthread_once(&once, load_once);
    if (loaded) return &libs;
    snprintf(why, 256, "%s", failure);
    return NULL;
}
