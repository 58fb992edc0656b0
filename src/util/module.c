/* octavo — modules embedded in the program: each module's shared object is
 * linked in as bytes (CMake writes modules_image.c, which .incbin's them)
 * and opened with dlopen from an anonymous memory file (memfd_create, then
 * /proc/self/fd/N), so that the program stays one file that needs no
 * install path to find its parts. Where /proc is missing, the bytes go to
 * a private temporary file instead, removed once opened. With
 * OCTAVO_MODULE_DIR set (to the build's `modules` folder), the module files
 * there are opened instead: profilers and debuggers cannot read symbols
 * from a memory file, and those files are the same bytes. */
#define _GNU_SOURCE /* memfd_create */
#include "util/module.h"

#include <stdio.h>
#include <string.h>

#ifdef OCTAVO_EMBED_MODULES
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* from modules_image.c */
extern const unsigned char oc_module_highlight_image[], oc_module_highlight_image_end[];
extern const unsigned char oc_module_srchilite_image[], oc_module_srchilite_image_end[];
extern const unsigned char oc_module_impose_image[], oc_module_impose_image_end[];

static const struct {
    const char *name;
    const unsigned char *start, *end;
} images[OC_MODULE_COUNT] = {
    {"octavo-highlight", oc_module_highlight_image, oc_module_highlight_image_end},
    {"octavo-srchilite", oc_module_srchilite_image, oc_module_srchilite_image_end},
    {"octavo-impose", oc_module_impose_image, oc_module_impose_image_end},
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static int tmpfile_only;
static struct {
    int tried;
    void *handle;
    char err[256];
} state[OC_MODULE_COUNT];

static int write_all(int fd, const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes module id's image to fd and opens it at path; NULL with the
 * reason in why when either fails. */
static void *write_and_open(int id, int fd, const char *path, char *why, size_t whylen) {
    if (write_all(fd, images[id].start, (size_t)(images[id].end - images[id].start)) != 0) {
        snprintf(why, whylen, "writing %.200s: %s", path, strerror(errno));
        return NULL;
    }
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) snprintf(why, whylen, "%s", dlerror());
    return h;
}

/* The image in a memory file, opened through /proc; else NULL. */
static void *open_memfd(int id, char *why, size_t whylen) {
    int fd = memfd_create(images[id].name, MFD_CLOEXEC);
    if (fd < 0) {
        snprintf(why, whylen, "memfd_create: %s", strerror(errno));
        return NULL;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    void *h = write_and_open(id, fd, path, why, whylen);
    /* Kept open while the module is loaded: glibc knows a loaded object by
     * its path, and a later module given the same descriptor number, so the
     * same /proc path, would be handed this one. */
    if (!h) close(fd);
    return h;
}

/* The image in a temporary file of our own, removed once opened. */
static void *open_tmpfile(int id, char *why, size_t whylen) {
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-XXXXXX", dir && *dir ? dir : "/tmp", images[id].name);
    int fd = mkstemp(path);
    if (fd < 0) {
        snprintf(why, whylen, "%.200s: %s", path, strerror(errno));
        return NULL;
    }
    void *h = write_and_open(id, fd, path, why, whylen);
    close(fd);
    unlink(path);
    return h;
}

void *oc_module_symbol(oc_module_id id, const char *symbol, char *err, size_t errlen) {
    void *sym = NULL;
    pthread_mutex_lock(&lock);
    if (!state[id].tried) {
        state[id].tried = 1;
        char why1[256] = "", why2[256] = "";
        const char *dir = getenv("OCTAVO_MODULE_DIR");
        if (dir && *dir) { /* the build's own files (build/modules), for tools */
            char path[4096];
            snprintf(path, sizeof path, "%s/%s.so", dir, images[id].name);
            state[id].handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
            if (!state[id].handle) snprintf(why1, sizeof why1, "%s", dlerror());
        } else {
            if (!tmpfile_only) state[id].handle = open_memfd(id, why1, sizeof why1);
            if (!state[id].handle) state[id].handle = open_tmpfile(id, why2, sizeof why2);
        }
        if (!state[id].handle)
            snprintf(state[id].err, sizeof state[id].err,
                     "cannot open the %s module: %.100s%s%.100s", images[id].name, why1,
                     *why1 ? "; " : "", why2);
    }
    if (state[id].handle) {
        dlerror();
        sym = dlsym(state[id].handle, symbol);
        if (!sym)
            snprintf(state[id].err, sizeof state[id].err, "the %s module has no %.100s",
                     images[id].name, symbol);
    }
    if (!sym) snprintf(err, errlen, "%s", state[id].err);
    pthread_mutex_unlock(&lock);
    return sym;
}

void oc_module_use_tmpfile(int on) {
    pthread_mutex_lock(&lock);
    tmpfile_only = on;
    pthread_mutex_unlock(&lock);
}

#else /* the modules are linked into the program */

void oc_module_use_tmpfile(int on) {
    (void)on;
}

void *oc_module_symbol(oc_module_id id, const char *symbol, char *err, size_t errlen) {
    (void)id;
    snprintf(err, errlen, "%s: modules are linked into this build", symbol);
    return NULL;
}

#endif
