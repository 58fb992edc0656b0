/* File access behind one small table (oc_io): the disk, or memory. */
#include "octavo/book.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Nothing octavo reads (a chapter, an image, a font) may be larger. */
#define OC_MAX_INPUT_FILE ((size_t)256 << 20)

static oc_status disk_read(void *ctx, const char *path, char **data, size_t *len, char *why) {
    (void)ctx;
    oc_status st = OC_ERR_IO;
    char *buf = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, 256, "%s", errno == ENOENT ? "no such file" : strerror(errno));
        return OC_ERR_IO;
    }
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        snprintf(why, 256, "%s", strerror(errno));
        goto done;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(why, 256, "not a regular file");
        goto done;
    }
    if ((size_t)sb.st_size > OC_MAX_INPUT_FILE) {
        snprintf(why, 256, "file is larger than %zu MiB", OC_MAX_INPUT_FILE >> 20);
        goto done;
    }
    size_t size = (size_t)sb.st_size, got = 0;
    buf = oc_xmalloc(size + 1);
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            snprintf(why, 256, "%s", strerror(errno));
            goto done;
        }
        if (r == 0) break; /* the file shrank while we read it */
        got += (size_t)r;
    }
    buf[got] = '\0';
    *data = buf;
    *len = got;
    buf = NULL;
    st = OC_OK;
done:
    free(buf);
    close(fd);
    return st;
}

static int disk_inside(void *ctx, const char *root, const char *path) {
    (void)ctx;
    char *r = realpath(root, NULL), *p = realpath(path, NULL);
    int ok = 0;
    if (r && p) {
        size_t n = strlen(r);
        ok = strncmp(r, p, n) == 0 && (p[n] == '/' || p[n] == '\0' || (n == 1 && r[0] == '/'));
    } else if (r && !p) {
        ok = 1; /* does not exist: the read reports it */
    }
    free(r);
    free(p);
    return ok;
}

static const oc_io disk_io = {NULL, disk_read, disk_inside};

const oc_io *oc_io_disk(void) {
    return &disk_io;
}

static oc_status mem_read(void *ctx, const char *path, char **data, size_t *len, char *why) {
    const oc_memfile *f = ctx;
    for (; f && f->path; f++) {
        if (strcmp(f->path, path) == 0) {
            char *copy = oc_xmalloc(f->len + 1);
            memcpy(copy, f->data, f->len);
            copy[f->len] = '\0';
            *data = copy;
            *len = f->len;
            return OC_OK;
        }
    }
    snprintf(why, 256, "no such file");
    return OC_ERR_IO;
}

void oc_io_memory(oc_io *io, const oc_memfile *files) {
    io->ctx = (void *)files;
    io->read = mem_read;
    io->inside = NULL;
}
