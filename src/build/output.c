/* Atomic output: write a temporary file beside the target, fsync, rename.
 * A signal during the write removes the temporary file before the process
 * dies, so an interrupted build leaves the previous output untouched. */
#include "build/output.h"
#include "octavo/octavo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The one piece of process-wide state: a signal handler can only reach what
 * is static. It holds the temporary files being written or waiting to be
 * renamed, if any. */
#define OC_MAX_PENDING 4
static volatile sig_atomic_t pending_active[OC_MAX_PENDING];
static char pending_tmp[OC_MAX_PENDING][PATH_MAX];

static void on_signal(int sig) {
    for (int i = 0; i < OC_MAX_PENDING; i++)
        if (pending_active[i]) unlink(pending_tmp[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

static const int caught[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
#define NCAUGHT (sizeof caught / sizeof *caught)

static oc_status make_dirs(const char *path, oc_diag *diag) {
    char tmp[PATH_MAX];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof tmp) {
        oc_diag_report(diag, OC_ERROR, path, 0, 0, "output folder path is too long");
        return OC_ERR_IO;
    }
    memcpy(tmp, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (tmp[i] != '/' && tmp[i] != '\0') continue;
        char c = tmp[i];
        tmp[i] = '\0';
        if (mkdir(tmp, 0777) != 0 && errno != EEXIST) {
            oc_diag_report(diag, OC_ERROR, path, 0, 0, "cannot create the output folder: %s",
                           strerror(errno));
            return OC_ERR_IO;
        }
        tmp[i] = c;
    }
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
        oc_diag_report(diag, OC_ERROR, path, 0, 0, "the output path is not a folder");
        return OC_ERR_IO;
    }
    return OC_OK;
}

static struct sigaction saved[NCAUGHT], saved_xfsz;
static int npending; /* staged files not yet committed or discarded */

static void block_caught(sigset_t *prev) {
    sigset_t block;
    sigemptyset(&block);
    for (size_t i = 0; i < NCAUGHT; i++)
        sigaddset(&block, caught[i]);
    sigprocmask(SIG_BLOCK, &block, prev);
}

/* With the signals blocked: the first staged file installs the handlers,
 * the last one out restores what was there. */
static void handlers_acquire(void) {
    if (npending++ > 0) return;
    struct sigaction sa, ign;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NCAUGHT; i++)
        sigaction(caught[i], &sa, &saved[i]);
    /* a file size limit (RLIMIT_FSIZE) should fail the write, not kill us */
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGXFSZ, &ign, &saved_xfsz);
}

static void handlers_release(void) {
    if (--npending > 0) return;
    for (size_t i = 0; i < NCAUGHT; i++)
        sigaction(caught[i], &saved[i], NULL);
    sigaction(SIGXFSZ, &saved_xfsz, NULL);
}

static void forget(oc_output_file *f, int remove) {
    sigset_t prev;
    block_caught(&prev);
    if (remove) unlink(pending_tmp[f->slot]);
    pending_active[f->slot] = 0;
    f->slot = -1;
    handlers_release();
    sigprocmask(SIG_SETMASK, &prev, NULL);
}

oc_status oc_output_open(oc_output_file *f, const char *path, int *fdp, oc_diag *diag) {
    *fdp = -1;
    f->slot = -1;
    f->path = path;
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) : 0;
    if (dlen >= sizeof dir || strlen(path) + 16 >= sizeof pending_tmp[0]) {
        oc_diag_report(diag, OC_ERROR, path, 0, 0, "output path is too long");
        return OC_ERR_IO;
    }
    if (slash) {
        memcpy(dir, path, dlen);
        dir[dlen] = '\0';
        if (dlen == 0) memcpy(dir, "/", 2);
    } else {
        memcpy(dir, ".", 2);
    }
    if (slash && dlen && make_dirs(dir, diag) != OC_OK) return OC_ERR_IO;

    const char *base = slash ? slash + 1 : path;
    char tmp[PATH_MAX];
    int tn = snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, base);
    if (tn < 0 || (size_t)tn >= sizeof tmp) {
        oc_diag_report(diag, OC_ERROR, path, 0, 0, "output path is too long");
        return OC_ERR_IO;
    }

    /* Block the signals while the temporary name is registered. */
    sigset_t prev;
    block_caught(&prev);
    int slot = -1;
    for (int i = 0; i < OC_MAX_PENDING && slot < 0; i++)
        if (!pending_active[i]) slot = i;
    int fd = slot < 0 ? -1 : mkstemp(tmp);
    int mkstemp_errno = slot < 0 ? EMFILE : errno;
    if (fd >= 0) {
        memcpy(pending_tmp[slot], tmp, strlen(tmp) + 1);
        pending_active[slot] = 1;
        f->slot = slot;
        handlers_acquire();
    }
    sigprocmask(SIG_SETMASK, &prev, NULL);

    if (fd < 0) {
        oc_diag_report(diag, OC_ERROR, path, 0, 0, "cannot write in the output folder: %s",
                       strerror(mkstemp_errno));
        return OC_ERR_IO;
    }
    if (fchmod(fd, 0644) != 0) {
        /* not fatal: the file keeps mkstemp's 0600 */
    }
    *fdp = fd;
    return OC_OK;
}

oc_status oc_output_put(oc_output_file *f, int fd, const void *data, size_t len, oc_diag *diag) {
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            oc_diag_report(diag, OC_ERROR, f->path, 0, 0, "cannot write the output: %s",
                           w < 0 ? strerror(errno) : "disk full");
            return OC_ERR_IO;
        }
        p += w;
        left -= (size_t)w;
    }
    return OC_OK;
}

oc_status oc_output_close(oc_output_file *f, int fd, int ok, oc_diag *diag) {
    if (!ok) goto fail;
    if (fsync(fd) != 0) {
        oc_diag_report(diag, OC_ERROR, f->path, 0, 0, "cannot flush the output: %s",
                       strerror(errno));
        goto fail;
    }
    int rc = close(fd);
    fd = -1;
    if (rc != 0) {
        oc_diag_report(diag, OC_ERROR, f->path, 0, 0, "cannot close the output: %s",
                       strerror(errno));
        goto fail;
    }
    return OC_OK;
fail:
    if (fd >= 0) close(fd);
    forget(f, 1);
    return OC_ERR_IO;
}

oc_status oc_output_stage(oc_output_file *f, const char *path, const void *data, size_t len,
                          oc_diag *diag) {
    int fd;
    oc_status st = oc_output_open(f, path, &fd, diag);
    if (st != OC_OK) return st;
    st = oc_output_put(f, fd, data, len, diag);
    return oc_output_close(f, fd, st == OC_OK, diag);
}

/* Where the output a staged file replaces is kept until every output is in
 * place: a hard link beside it (the target itself never disappears), or,
 * where the file system has no hard links, the target renamed aside. */
typedef struct {
    char path[PATH_MAX];
    int state; /* 0 no previous file, 1 linked aside, 2 renamed aside */
} kept_file;

static oc_status keep_previous(const oc_output_file *f, kept_file *k, oc_diag *diag) {
    k->state = 0;
    struct stat sb;
    if (lstat(f->path, &sb) != 0) {
        if (errno == ENOENT) return OC_OK;
        oc_diag_report(diag, OC_ERROR, f->path, 0, 0, "cannot move the output into place: %s",
                       strerror(errno));
        return OC_ERR_IO;
    }
    int n = snprintf(k->path, sizeof k->path, "%s.old", pending_tmp[f->slot]);
    if (n < 0 || (size_t)n >= sizeof k->path) {
        oc_diag_report(diag, OC_ERROR, f->path, 0, 0, "output path is too long");
        return OC_ERR_IO;
    }
    if (link(f->path, k->path) == 0) {
        k->state = 1;
        return OC_OK;
    }
    if (rename(f->path, k->path) == 0) {
        k->state = 2;
        return OC_OK;
    }
    oc_diag_report(diag, OC_ERROR, f->path, 0, 0,
                   "cannot move the output into place: cannot keep the previous file aside: %s",
                   strerror(errno));
    return OC_ERR_IO;
}

/* Puts the previous file back (or removes the new one where there was none). */
static void restore_previous(const oc_output_file *f, kept_file *k, int replaced) {
    if (k->state == 0) {
        if (replaced) unlink(f->path);
    } else if (k->state == 2 || replaced) {
        rename(k->path, f->path);
    } else {
        unlink(k->path);
    }
    k->state = 0;
}

oc_status oc_output_commit(oc_output_file *files, int n, oc_diag *diag) {
    oc_status st = OC_OK;
    kept_file *kept = oc_xcalloc((size_t)(n > 0 ? n : 1), sizeof *kept);
    int done = 0; /* files[0 .. done) are in place */
    /* No signal between the renames: either every output is new or none. */
    sigset_t prev;
    block_caught(&prev);
    /* what is known to fail is found before anything is replaced */
    for (int i = 0; i < n && st == OC_OK; i++) {
        struct stat sb;
        if (files[i].slot < 0 || lstat(files[i].path, &sb) != 0) continue;
        if (S_ISDIR(sb.st_mode)) {
            oc_diag_report(diag, OC_ERROR, files[i].path, 0, 0,
                           "cannot move the output into place: a folder is in the way");
            st = OC_ERR_IO;
        }
    }
    for (; st == OC_OK && done < n; done++) {
        oc_output_file *f = &files[done];
        if (f->slot < 0) continue;
        if ((st = keep_previous(f, &kept[done], diag)) != OC_OK) break;
        if (rename(pending_tmp[f->slot], f->path) != 0) {
            oc_diag_report(diag, OC_ERROR, f->path, 0, 0, "cannot move the output into place: %s",
                           strerror(errno));
            st = OC_ERR_IO;
            restore_previous(f, &kept[done], 0);
            break;
        }
    }
    for (int i = 0; i < n; i++) {
        oc_output_file *f = &files[i];
        if (f->slot < 0) continue;
        if (st != OC_OK) {
            /* outputs already in place go back to what they were */
            if (i < done) restore_previous(f, &kept[i], 1);
            unlink(pending_tmp[f->slot]);
        } else if (kept[i].state) {
            unlink(kept[i].path);
        }
        pending_active[f->slot] = 0;
        f->slot = -1;
        handlers_release();
    }
    sigprocmask(SIG_SETMASK, &prev, NULL);
    free(kept);
    for (int i = 0; i < n && st == OC_OK; i++) {
        /* make the renames themselves durable */
        char dir[PATH_MAX];
        if (!files[i].path) continue; /* not wanted */
        const char *slash = strrchr(files[i].path, '/');
        size_t dlen = slash ? (size_t)(slash - files[i].path) : 0;
        if (dlen >= sizeof dir) continue;
        memcpy(dir, slash ? files[i].path : ".", slash ? dlen : 1);
        dir[slash ? dlen : 1] = '\0';
        if (slash && dlen == 0) memcpy(dir, "/", 2);
        int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            fsync(dfd);
            close(dfd);
        }
    }
    return st;
}

void oc_output_discard(oc_output_file *files, int n) {
    for (int i = 0; i < n; i++)
        if (files[i].slot >= 0) forget(&files[i], 1);
}

oc_status oc_output_write(const char *path, const void *data, size_t len, oc_diag *diag) {
    oc_output_file f;
    oc_status st = oc_output_stage(&f, path, data, len, diag);
    if (st != OC_OK) return st;
    return oc_output_commit(&f, 1, diag);
}
