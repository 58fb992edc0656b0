/* Unit tests for src/util/module.c, the C++ parts embedded as modules and
 * opened on first use: each module opens and has its functions; each
 * handle is its own module (two memory files opened one after the other
 * must not be taken for one object: glibc knows a loaded object by its
 * path, and /proc/self/fd/N repeats when a descriptor is reused); a
 * missing function is named in the reason; the temporary-file path (where
 * /proc is missing) works and leaves no file behind; and the program's
 * C face of the highlighter calls through (e2e/booklet imposes). The
 * temporary-file case runs in a child process, since a module is opened
 * once per process. */
#include "doc/srchilite_bridge.h"
#include "harness.h"
#include "util/module.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef OCTAVO_SRCHILITE_DIR
#define OCTAVO_SRCHILITE_DIR "/usr/share/source-highlight"
#endif

#ifdef OCTAVO_EMBED_MODULES

/* In a child: the imposer opened from a temporary file in a fresh TMPDIR,
 * which is empty again afterwards. Exit status 0 when all holds. */
static int tmpfile_child(const char *dir, int unused) {
    (void)unused;
    setenv("TMPDIR", dir, 1);
    oc_module_use_tmpfile(1);
    char err[320] = "";
    if (!oc_module_symbol(OC_MODULE_IMPOSE, "oc_imposemod_booklet", err, sizeof err)) {
        fprintf(stderr, "tmpfile path: %s\n", err);
        return 1;
    }
    DIR *d = opendir(dir);
    if (!d) return 2;
    int left = 0;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) left++;
    closedir(d);
    return left ? 3 : 0;
}

/* Runs child(dir, arg) in a child process (a module is opened once per
 * process); its exit status, or -1 when it did not exit. */
static int in_child(int (*child)(const char *, int), const char *dir, int arg) {
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) _exit(child(dir, arg));
    int status = 0;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return -1;
    return WEXITSTATUS(status);
}

static void test_tmpfile_path(void) {
    char dir[] = "/tmp/octavo-test-module-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    CHECK(in_child(tmpfile_child, dir, 0) == 0);
    CHECK(rmdir(dir) == 0); /* empty */
}

/* In a child: with OCTAVO_MODULE_DIR, the module file in that folder is
 * opened (the build's own, next to this test), and a folder without it is
 * reported with the path tried. */
static int module_dir_child(const char *dir, int want_ok) {
    setenv("OCTAVO_MODULE_DIR", dir, 1);
    char err[320] = "";
    void *f = oc_module_symbol(OC_MODULE_IMPOSE, "oc_imposemod_booklet", err, sizeof err);
    if (want_ok) return f && !*err ? 0 : 1;
    return !f && strstr(err, "/octavo-impose.so") && strstr(err, dir) ? 0 : 1;
}

static void test_module_dir(void) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 16);
    CHECK(n > 0);
    if (n <= 0) return;
    exe[n] = '\0';
    strcpy(strrchr(exe, '/'), "/modules");
    CHECK(in_child(module_dir_child, exe, 1) == 0);
    CHECK(in_child(module_dir_child, "/nonexistent-octavo-modules", 0) == 0);
}

static void test_two_modules_apart(void) {
    char err[320] = "";
    CHECK(oc_module_symbol(OC_MODULE_HIGHLIGHT, "oc_hlmod_run_mode", err, sizeof err) != NULL);
    CHECK_STR_EQ(err, "");
    CHECK(oc_module_symbol(OC_MODULE_IMPOSE, "oc_imposemod_booklet", err, sizeof err) != NULL);
    CHECK_STR_EQ(err, "");
    /* each handle sees only its own module's functions */
    CHECK(oc_module_symbol(OC_MODULE_IMPOSE, "oc_hlmod_load", err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "the octavo-impose module has no oc_hlmod_load");
    CHECK(oc_module_symbol(OC_MODULE_HIGHLIGHT, "oc_imposemod_booklet", err, sizeof err) == NULL);
    CHECK_CONTAINS(err, "the octavo-highlight module has no oc_imposemod_booklet");
    /* and nothing else: the modules export their entry points only */
    CHECK(oc_module_symbol(OC_MODULE_HIGHLIGHT, "_ZN12_GLOBAL__N_13Run8line_runEPKcS2_", err,
                           sizeof err) == NULL);
    CHECK(oc_module_symbol(OC_MODULE_HIGHLIGHT, "oc_hlmod_load", err, sizeof err) != NULL);
}

/* Whether a shared object whose name holds `name` is mapped into the process. */
static int mapped(const char *name) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return -1;
    char line[4096];
    int found = 0;
    while (fgets(line, sizeof line, f))
        if (strstr(line, name)) found = 1;
    fclose(f);
    return found;
}

static void count_piece(void *ud, size_t off, size_t len, const char *elem) {
    (void)off;
    (void)len;
    (void)elem;
    (*(int *)ud)++;
}

/* In a child (modules are opened once per process): highlighting with a
 * definition the program carries opens the lean module only, so neither
 * source-highlight nor Boost.Regex (with ICU) is loaded; a definition from
 * another folder opens the full module, which loads them. Exit status 0
 * when all holds. */
static int lean_child(const char *fixtures, int unused) {
    (void)unused;
    const char *code = "fn main() { let x = 1; }\n";
    int n = 0, bad = 0;
    if (mapped("libsource-highlight") != 0 || mapped("libboost_regex") != 0) bad |= 1;
    if (oc_hl_bridge_run(OCTAVO_SRCHILITE_DIR, "rust.lang", code, strlen(code), count_piece, &n) !=
            0 ||
        n < 5)
        bad |= 2;
    if (mapped("octavo-highlight") != 1) bad |= 4;
    if (mapped("libsource-highlight") != 0 || mapped("libboost_regex") != 0 ||
        mapped("libicu") != 0 || mapped("octavo-srchilite") != 0)
        bad |= 8;
    if (oc_hl_bridge_load(fixtures, "both.lang") != 0) bad |= 16;
    if (mapped("libsource-highlight") != 1 || mapped("libboost_regex") != 1) bad |= 32;
    if (bad) fprintf(stderr, "lean_child: %d\n", bad);
    return bad;
}

static void test_lean_highlighter(void) {
    CHECK(in_child(lean_child, OCTAVO_SOURCE_DIR "/tests/fixtures/hl-engines", 0) == 0);
}

#endif

static void on_piece(void *ud, size_t off, size_t len, const char *elem) {
    (void)off;
    (void)len;
    int *n = ud;
    if (strcmp(elem, "keyword") == 0) n[0]++;
    if (strcmp(elem, "type") == 0) n[1]++;
}

static void test_through_the_c_faces(void) {
    int n[2] = {0, 0}; /* keywords, types */
    const char *code = "int main(void) { return 0; }\n";
    CHECK(oc_hl_bridge_run("/usr/share/source-highlight", "c.lang", code, strlen(code), on_piece,
                           n) == 0);
    CHECK(n[0] == 1); /* return */
    CHECK(n[1] == 2); /* int, void */
}

int main(void) {
#ifdef OCTAVO_EMBED_MODULES
    RUN(test_tmpfile_path);
    RUN(test_module_dir);
    RUN(test_two_modules_apart);
    RUN(test_lean_highlighter);
#endif
    RUN(test_through_the_c_faces);
    return harness_finish("test_module");
}
