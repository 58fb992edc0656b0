/* Atomic output: write a temporary file beside the target, fsync, rename.
 * A signal during the write removes the temporary file before the process
 * dies, so an interrupted build leaves the previous output untouched. */
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
 * is static. It holds the temporary file being written, if any. */
static volatile sig_atomic_t pending_active;
static char pending_tmp[PATH_MAX];

static void on_signal(int sig) {
    if (pending_active) unlink(pending_tmp);
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

oc_status oc_output_write(const char *path, const void *data, size_t len, oc_diag *diag) {
    oc_status st = OC_ERR_IO;
    char dir[PATH_MAX];
    const char *slash = strrchr(path, '/');
    size_t dlen = slash ? (size_t)(slash - path) : 0;
    if (dlen >= sizeof dir || strlen(path) + 16 >= sizeof pending_tmp) {
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
    snprintf(tmp, sizeof tmp, "%s/.%s.XXXXXX", dir, base);

    struct sigaction sa, old[NCAUGHT], old_xfsz, ign;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    /* a file size limit (RLIMIT_FSIZE) should fail the write, not kill us */
    memset(&ign, 0, sizeof ign);
    ign.sa_handler = SIG_IGN;
    sigemptyset(&ign.sa_mask);
    sigaction(SIGXFSZ, &ign, &old_xfsz);

    /* Block the signals while the temporary name is registered. */
    sigset_t block, prev;
    sigemptyset(&block);
    for (size_t i = 0; i < NCAUGHT; i++)
        sigaddset(&block, caught[i]);
    sigprocmask(SIG_BLOCK, &block, &prev);
    int fd = mkstemp(tmp);
    int mkstemp_errno = errno;
    if (fd >= 0) {
        memcpy(pending_tmp, tmp, strlen(tmp) + 1);
        pending_active = 1;
    }
    for (size_t i = 0; i < NCAUGHT; i++)
        sigaction(caught[i], &sa, &old[i]);
    sigprocmask(SIG_SETMASK, &prev, NULL);

    if (fd < 0) {
        oc_diag_report(diag, OC_ERROR, path, 0, 0, "cannot write in the output folder: %s",
                       strerror(mkstemp_errno));
        goto restore;
    }
    if (fchmod(fd, 0644) != 0) {
        /* not fatal: the file keeps mkstemp's 0600 */
    }
    const char *p = data;
    size_t left = len;
    while (left > 0) {
        ssize_t w = write(fd, p, left);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            oc_diag_report(diag, OC_ERROR, path, 0, 0, "cannot write the output: %s",
                           w < 0 ? strerror(errno) : "disk full");
            goto fail;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0) {
        oc_diag_report(diag, OC_ERROR, path, 0, 0, "cannot flush the output: %s", strerror(errno));
        goto fail;
    }
    if (close(fd) != 0) {
        fd = -1;
        oc_diag_report(diag, OC_ERROR, path, 0, 0, "cannot close the output: %s", strerror(errno));
        goto fail;
    }
    fd = -1;
    if (rename(tmp, path) != 0) {
        oc_diag_report(diag, OC_ERROR, path, 0, 0, "cannot move the output into place: %s",
                       strerror(errno));
        goto fail;
    }
    pending_active = 0;
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        fsync(dfd); /* make the rename itself durable */
        close(dfd);
    }
    st = OC_OK;
    goto restore;
fail:
    if (fd >= 0) close(fd);
    unlink(tmp);
restore:
    sigprocmask(SIG_BLOCK, &block, &prev);
    pending_active = 0;
    for (size_t i = 0; i < NCAUGHT; i++)
        sigaction(caught[i], &old[i], NULL);
    sigprocmask(SIG_SETMASK, &prev, NULL);
    sigaction(SIGXFSZ, &old_xfsz, NULL);
    return st;
}
