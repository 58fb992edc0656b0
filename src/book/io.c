/* File access behind one small table (oc_io): the disk, or memory.
 *
 * Book files are never found by checking a path and then opening it: they
 * are opened relative to the book folder's descriptor, so that the kernel
 * (openat2 with RESOLVE_BENEATH) or our own walk (one component at a time,
 * O_NOFOLLOW, symbolic links followed by hand only while they stay beneath
 * the folder) decides, in the same step that opens the file, that nothing
 * outside the book is reached. Every open is non-blocking and followed by
 * fstat, so a FIFO, socket or device is refused instead of waited on. */
#define _GNU_SOURCE
#include "octavo/book.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* Nothing octavo reads (a chapter, an image, a font) may be larger. */
#define OC_MAX_INPUT_FILE ((size_t)256 << 20)
/* Symbolic links followed in one path by the walk (the kernel's own limit). */
#define OC_MAX_LINK_HOPS 40
/* Folders deep the walk keeps open at once (".." in a link pops one). */
#define OC_MAX_WALK_DEPTH 256

static const char leaves_book[] = "it leaves the book folder through a symbolic link";

typedef struct {
    int walk_only; /* never try openat2 */
} disk_ctx;

static void say_errno(char *why, int err) {
    /* ENXIO: opening a socket, or a device without a driver */
    snprintf(why, 256, "%s",
             err == ENOENT  ? OC_IO_NO_SUCH_FILE
             : err == ENXIO ? "not a regular file"
                            : strerror(err));
}

/* Reads an open descriptor: a regular file only, of bounded size. Clears
 * O_NONBLOCK first, so that a slow disk reads like any other. */
static oc_status read_fd(int fd, char **data, size_t *len, char *why) {
    oc_status st = OC_ERR_IO;
    char *buf = NULL;
    struct stat sb;
    if (fstat(fd, &sb) != 0) {
        say_errno(why, errno);
        goto done;
    }
    if (!S_ISREG(sb.st_mode)) {
        snprintf(why, 256, "%s",
                 S_ISDIR(sb.st_mode) ? "it is a folder, not a file" : "not a regular file");
        st = OC_ERR_INPUT;
        goto done;
    }
    if ((size_t)sb.st_size > OC_MAX_INPUT_FILE) {
        snprintf(why, 256, "file is larger than %zu MiB", OC_MAX_INPUT_FILE >> 20);
        goto done;
    }
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        say_errno(why, errno);
        goto done;
    }
    size_t size = (size_t)sb.st_size, got = 0;
    buf = oc_xmalloc(size + 1);
    while (got < size) {
        ssize_t r = read(fd, buf + got, size - got);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            say_errno(why, errno);
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
    return st;
}

static oc_status disk_read(void *ctx, const char *path, char **data, size_t *len, char *why) {
    (void)ctx;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        say_errno(why, errno);
        return OC_ERR_IO;
    }
    oc_status st = read_fd(fd, data, len, why);
    close(fd);
    return st;
}

/* The walk: resolves rel beneath rootfd by itself. Each component is looked
 * at with fstatat (no following) and opened with O_NOFOLLOW, so a component
 * swapped for a link between the two steps fails instead of being followed.
 * A link's target replaces the link in the rest of the path; an absolute
 * target, or ".." above the root, leaves the book. Returns the descriptor
 * or -1 with *st and why set. */
static int walk_beneath(int rootfd, const char *rel, int flags, oc_status *st, char *why) {
    int stack[OC_MAX_WALK_DEPTH + 1];
    size_t depth = 0, pos = 0;
    int hops = 0, result = -1;
    size_t cap = strlen(rel) + 1;
    char *rest = oc_xmalloc(cap), *target = NULL;
    memcpy(rest, rel, cap);
    stack[0] = rootfd;
    *st = OC_ERR_IO;
    for (;;) {
        while (rest[pos] == '/')
            pos++;
        if (!rest[pos]) { /* a link to "." or "sub/..": the folder reached is the file */
            result = openat(stack[depth], ".", flags | O_NOFOLLOW);
            if (result < 0) say_errno(why, errno);
            break;
        }
        size_t end = pos;
        while (rest[end] && rest[end] != '/')
            end++;
        size_t after = end;
        while (rest[after] == '/')
            after++;
        int last = rest[after] == '\0';
        size_t clen = end - pos;
        if (clen == 1 && rest[pos] == '.') {
            pos = end;
            continue;
        }
        if (clen == 2 && rest[pos] == '.' && rest[pos + 1] == '.') {
            if (depth == 0) {
                snprintf(why, 256, "%s", leaves_book);
                *st = OC_ERR_INPUT;
                break;
            }
            close(stack[depth--]);
            pos = end;
            continue;
        }
        if (clen > NAME_MAX) {
            say_errno(why, ENAMETOOLONG);
            break;
        }
        char name[NAME_MAX + 1];
        memcpy(name, rest + pos, clen);
        name[clen] = '\0';
        struct stat sb;
        if (fstatat(stack[depth], name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
            say_errno(why, errno);
            break;
        }
        if (S_ISLNK(sb.st_mode)) {
            if (++hops > OC_MAX_LINK_HOPS) {
                say_errno(why, ELOOP);
                break;
            }
            if (!target) target = oc_xmalloc(PATH_MAX);
            ssize_t n = readlinkat(stack[depth], name, target, PATH_MAX);
            if (n < 0 || n >= PATH_MAX) {
                say_errno(why, n < 0 ? errno : ENAMETOOLONG);
                break;
            }
            if (n == 0 || target[0] == '/') {
                snprintf(why, 256, "%s", leaves_book);
                *st = OC_ERR_INPUT;
                break;
            }
            /* rest becomes target + "/" + what followed the link */
            size_t tail = strlen(rest + end);
            char *grown = oc_xmalloc((size_t)n + tail + 2);
            memcpy(grown, target, (size_t)n);
            grown[n] = '/';
            memcpy(grown + n + 1, rest + end, tail + 1);
            free(rest);
            rest = grown;
            pos = 0;
            continue;
        }
        int fd = openat(stack[depth], name,
                        last ? flags | O_NOFOLLOW
                             : O_RDONLY | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK);
        if (fd < 0) {
            say_errno(why, errno);
            break;
        }
        if (last) {
            result = fd;
            break;
        }
        if (depth == OC_MAX_WALK_DEPTH) {
            close(fd);
            snprintf(why, 256, "the path is nested more than %d folders deep", OC_MAX_WALK_DEPTH);
            *st = OC_ERR_INPUT;
            break;
        }
        stack[++depth] = fd;
        pos = end;
    }
    while (depth > 0)
        close(stack[depth--]);
    free(rest);
    free(target);
    return result;
}

/* Opens rel beneath root with flags (O_NONBLOCK among them); -1 with *st
 * and why set when it cannot, or when it would leave root. */
static int open_beneath(const disk_ctx *dc, const char *root, const char *rel, int flags,
                        oc_status *st, char *why) {
    *st = OC_ERR_IO;
    int rootfd = open(root, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    if (rootfd < 0) {
        say_errno(why, errno);
        return -1;
    }
    if (!*rel) rel = ".";
    int fd = -1, walk = dc->walk_only;
    if (!walk) {
        struct open_how how;
        memset(&how, 0, sizeof how);
        how.flags = (unsigned long long)flags;
        how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
        fd = (int)syscall(SYS_openat2, rootfd, rel, &how, sizeof how);
        if (fd < 0) {
            int err = errno;
            if (err == ENOSYS || err == EPERM) { /* an old kernel, or a seccomp filter */
                walk = 1;
            } else if (err == EXDEV) {
                snprintf(why, 256, "%s", leaves_book);
                *st = OC_ERR_INPUT;
            } else {
                say_errno(why, err);
            }
        }
    }
    if (walk) fd = walk_beneath(rootfd, rel, flags, st, why);
    close(rootfd);
    return fd;
}

static oc_status disk_read_beneath(void *ctx, const char *root, const char *rel, char **data,
                                   size_t *len, char *why) {
    oc_status st;
    int fd = open_beneath(ctx, root, rel, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY, &st, why);
    if (fd < 0) return st;
    st = read_fd(fd, data, len, why);
    close(fd);
    return st;
}

static oc_status disk_list_beneath(void *ctx, const char *root, const char *rel,
                                   void (*each)(void *arg, const char *name), void *arg,
                                   char *why) {
    oc_status st;
    int fd =
        open_beneath(ctx, root, rel, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_DIRECTORY, &st, why);
    if (fd < 0) return st;
    DIR *dh = fdopendir(fd);
    if (!dh) {
        say_errno(why, errno);
        close(fd);
        return OC_ERR_IO;
    }
    struct dirent *de;
    errno = 0;
    while ((de = readdir(dh)) != NULL) {
        if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0) each(arg, de->d_name);
        errno = 0;
    }
    st = OC_OK;
    if (errno) {
        say_errno(why, errno);
        st = OC_ERR_IO;
    }
    closedir(dh);
    return st;
}

static const disk_ctx disk_auto = {0}, disk_walk = {1};
static const oc_io disk_io = {(void *)&disk_auto, disk_read, disk_read_beneath, disk_list_beneath};
static const oc_io disk_walk_io = {(void *)&disk_walk, disk_read, disk_read_beneath,
                                   disk_list_beneath};

const oc_io *oc_io_disk(void) {
    return &disk_io;
}

const oc_io *oc_io_disk_walk(void) {
    return &disk_walk_io;
}

/* ---- memory --------------------------------------------------------------- */

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
    snprintf(why, 256, OC_IO_NO_SUCH_FILE);
    return OC_ERR_IO;
}

/* "bk" + "a/b.md" -> "bk/a/b.md"; "." or "" root -> rel. malloc'd. */
static char *mem_join(const char *root, const char *rel) {
    if (!root || !*root || strcmp(root, ".") == 0) root = "";
    size_t a = strlen(root), b = strlen(rel);
    while (a > 0 && root[a - 1] == '/')
        a--;
    char *p = oc_xmalloc(a + b + 2);
    memcpy(p, root, a);
    size_t n = a;
    if (a && b) p[n++] = '/';
    memcpy(p + n, rel, b + 1);
    return p;
}

static oc_status mem_read_beneath(void *ctx, const char *root, const char *rel, char **data,
                                  size_t *len, char *why) {
    char *path = mem_join(root, rel);
    oc_status st = mem_read(ctx, path, data, len, why);
    free(path);
    return st;
}

static oc_status mem_list_beneath(void *ctx, const char *root, const char *rel,
                                  void (*each)(void *arg, const char *name), void *arg, char *why) {
    char *dir = mem_join(root, rel);
    size_t n = strlen(dir);
    int found = 0;
    for (const oc_memfile *f = ctx; f && f->path; f++) {
        if (n && (strncmp(f->path, dir, n) != 0 || f->path[n] != '/')) continue;
        const char *name = f->path + (n ? n + 1 : 0);
        found = 1;
        if (*name && !strchr(name, '/')) each(arg, name);
    }
    free(dir);
    if (!found) {
        snprintf(why, 256, OC_IO_NO_SUCH_FILE);
        return OC_ERR_IO;
    }
    return OC_OK;
}

void oc_io_memory(oc_io *io, const oc_memfile *files) {
    io->ctx = (void *)files;
    io->read = mem_read;
    io->read_beneath = mem_read_beneath;
    io->list_beneath = mem_list_beneath;
}
