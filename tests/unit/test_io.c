/* The io tables: files opened beneath the book folder, by the kernel
 * (openat2) and by our own walk (the fallback for kernels without it), over
 * a real tree in a temporary folder; and the in-memory table. */
#include "harness.h"
#include "octavo/book.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top[64], bk[96];

static void put(const char *rel, const char *text) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", top, rel);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void link_at(const char *target, const char *rel) {
    char path[256];
    snprintf(path, sizeof path, "%s/%s", top, rel);
    CHECK(symlink(target, path) == 0);
}

/* book/d/<20 folders of 250 characters>; book/deep -> d/<15 names>/x,
 * x -> <5 more names>/esc, esc -> 22 times ".." and secret.md: a
 * resolution longer than PATH_MAX that leaves the book. */
static void deep_chain(void) {
    char name[251], target[4096];
    int fd = open(bk, O_RDONLY | O_DIRECTORY), fds[21], n = 0;
    CHECK(fd >= 0 && mkdirat(fd, "d", 0755) == 0);
    fds[n++] = openat(fd, "d", O_RDONLY | O_DIRECTORY);
    for (int i = 0; i < 20; i++) {
        memset(name, 'a' + i, 250);
        name[250] = '\0';
        CHECK(mkdirat(fds[n - 1], name, 0755) == 0);
        fds[n] = openat(fds[n - 1], name, O_RDONLY | O_DIRECTORY);
        CHECK(fds[n] >= 0);
        n++;
        if (n == 16) { /* in d/<15 names>/ */
            size_t o = 0;
            for (int k = 15; k < 20; k++) {
                memset(target + o, 'a' + k, 250);
                o += 250;
                target[o++] = '/';
            }
            memcpy(target + o, "esc", 4);
            CHECK(symlinkat(target, fds[n - 1], "x") == 0);
        }
    }
    size_t o = 0;
    for (int k = 0; k < 22; k++) {
        memcpy(target + o, "../", 3);
        o += 3;
    }
    memcpy(target + o, "secret.md", 10);
    CHECK(symlinkat(target, fds[n - 1], "esc") == 0);
    o = 0;
    memcpy(target, "d/", 2);
    o = 2;
    for (int k = 0; k < 15; k++) {
        memset(target + o, 'a' + k, 250);
        o += 250;
        target[o++] = '/';
    }
    memcpy(target + o, "x", 2);
    CHECK(symlinkat(target, fd, "deep") == 0);
    for (int i = 0; i < n; i++)
        close(fds[i]);
    close(fd);
}

static void make_tree(void) {
    const char *tmp = getenv("TMPDIR");
    snprintf(top, sizeof top, "%s/octavo-io-XXXXXX", tmp && strlen(tmp) < 40 ? tmp : "/tmp");
    CHECK(mkdtemp(top) != NULL);
    snprintf(bk, sizeof bk, "%s/book", top);
    char path[256];
    CHECK(mkdir(bk, 0755) == 0);
    snprintf(path, sizeof path, "%s/sub", bk);
    CHECK(mkdir(path, 0755) == 0);
    put("secret.md", "SECRET");
    put("book/ok.md", "ok text");
    put("book/sub/in.md", "inner text");
    link_at("sub/in.md", "book/l_in");
    link_at("sub/../ok.md", "book/l_dotdot");
    link_at("../secret.md", "book/l_out");
    link_at("/etc/passwd", "book/l_abs");
    link_at("../../secret.md", "book/sub/l_up");
    link_at("loop2", "book/loop1");
    link_at("loop1", "book/loop2");
    link_at("..", "book/l_parent");
    link_at("/proc/self/environ", "book/l_environ");
    snprintf(path, sizeof path, "%s/fifo.md", bk);
    CHECK(mkfifo(path, 0644) == 0);
    deep_chain();
}

static int read_as(const oc_io *io, const char *rel, const char *want) {
    char *data = NULL, why[256] = "";
    size_t len = 0;
    oc_status st = io->read_beneath(io->ctx, bk, rel, &data, &len, why);
    int good = st == OC_OK && data && strcmp(data, want) == 0;
    if (!good) fprintf(stderr, "  %s: status %d, %s\n", rel, (int)st, why);
    free(data);
    return good;
}

static oc_status refuse(const oc_io *io, const char *rel, char *why) {
    char *data = NULL;
    size_t len = 0;
    oc_status st = io->read_beneath(io->ctx, bk, rel, &data, &len, why);
    if (st == OC_OK) fprintf(stderr, "  %s was read: '%s'\n", rel, data ? data : "");
    free(data);
    return st;
}

static void collect(void *arg, const char *name) {
    char *acc = arg;
    size_t n = strlen(acc);
    snprintf(acc + n, 256 - n, "%s%s", n ? "," : "", name);
}

static void check_io(const oc_io *io) {
    char why[256];
    CHECK(read_as(io, "ok.md", "ok text"));
    CHECK(read_as(io, "sub/in.md", "inner text"));
    CHECK(read_as(io, "l_in", "inner text"));
    CHECK(read_as(io, "l_dotdot", "ok text"));
    const char *leaving[] = {"l_out", "l_abs", "sub/l_up", "deep", "l_parent/secret.md"};
    for (size_t i = 0; i < sizeof leaving / sizeof *leaving; i++) {
        why[0] = '\0';
        CHECK(refuse(io, leaving[i], why) == OC_ERR_INPUT);
        CHECK(strstr(why, "leaves the book folder") != NULL);
    }
    CHECK(refuse(io, "l_environ", why) != OC_OK);
    CHECK(refuse(io, "loop1", why) != OC_OK);
    CHECK(refuse(io, "nope.md", why) == OC_ERR_IO);
    CHECK_STR_EQ(why, "no such file");
    CHECK(refuse(io, "fifo.md", why) == OC_ERR_INPUT); /* at once: never waits for a writer */
    CHECK_STR_EQ(why, "not a regular file");
    CHECK(refuse(io, "sub", why) == OC_ERR_INPUT);

    char acc[256] = "";
    CHECK(io->list_beneath(io->ctx, bk, "sub", collect, acc, why) == OC_OK);
    CHECK(strlen(acc) == strlen("in.md,l_up"));
    CHECK(strstr(acc, "in.md") != NULL && strstr(acc, "l_up") != NULL);
    acc[0] = '\0';
    CHECK(io->list_beneath(io->ctx, bk, "l_parent", collect, acc, why) == OC_ERR_INPUT);
    CHECK(strstr(acc, "secret") == NULL);
}

static void test_disk(void) {
    check_io(oc_io_disk());
}

static void test_walk(void) {
    check_io(oc_io_disk_walk());
}

static void test_memory(void) {
    static const oc_memfile files[] = {{"bk/book.yaml", "t", 1},
                                       {"bk/chapters/a.md", "A", 1},
                                       {"bk/chapters/b.md", "B", 1},
                                       {"bk/chapters/deeper/c.md", "C", 1},
                                       {NULL, NULL, 0}};
    oc_io io;
    oc_io_memory(&io, files);
    char *data = NULL, why[256];
    size_t len;
    CHECK(io.read_beneath(io.ctx, "bk/", "chapters/b.md", &data, &len, why) == OC_OK);
    CHECK(data && len == 1 && data[0] == 'B');
    free(data);
    char acc[256] = "";
    CHECK(io.list_beneath(io.ctx, "bk", "chapters", collect, acc, why) == OC_OK);
    CHECK_STR_EQ(acc, "a.md,b.md");
    CHECK(io.list_beneath(io.ctx, "bk", "nope", collect, acc, why) == OC_ERR_IO);
}

int main(void) {
    make_tree();
    RUN(test_disk);
    RUN(test_walk);
    RUN(test_memory);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", top);
    if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", top);
    return harness_finish("test_io");
}
