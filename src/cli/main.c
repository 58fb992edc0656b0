/* octavo's command line: options in, oc_build out, exit status 0/1/2. */
#include "octavo/octavo.h"
#include "util/hugepages.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage_text[] =
    "usage: octavo [build] [BOOK] [-o OUTDIR] [--format pdf,epub] [--paper a4|letter|a5|6x9]\n"
    "                             [--profile screen|print] [--chapters LIST] [--marks]\n"
    "                             [--impose booklet [--sheet a4|letter]] [-q|-v]\n"
    "       octavo check [BOOK]\n"
    "       octavo --help | --version\n";

static const char help_text[] =
    "\n"
    "Builds a typeset PDF and an EPUB 3 from a book written in Markdown.\n"
    "\n"
    "BOOK is a folder holding book.yaml (default: book), an mdBook folder\n"
    "(book.toml), a folder of .md files, or a single .md file whose YAML front\n"
    "matter holds the same keys as book.yaml.\n"
    "\n"
    "  build            build the outputs (the default command)\n"
    "  check            parse and validate links, images, footnotes and fonts;\n"
    "                   write nothing\n"
    "  -o, --output DIR write OUTDIR/SLUG.pdf and OUTDIR/SLUG.epub (default: out)\n"
    "  --format LIST    pdf, epub or pdf,epub (default: both)\n"
    "  --paper NAME     a4, letter, a5 or 6x9 (default: book.yaml's paper:, else a4)\n"
    "  --profile NAME   screen (coloured links) or print (black text, link URLs\n"
    "                   shown, mirrored margins, chapters on right-hand pages)\n"
    "  --chapters LIST  a handout of part of the book: chapter numbers and ranges\n"
    "                   (4, 2-3,6) or chapter file names; its own title page says\n"
    "                   which, and links to the chapters left out become text\n"
    "  --impose booklet also write OUTDIR/SLUG-booklet.pdf: the pages two-up on\n"
    "                   landscape sheets in saddle-stitch order (print duplex,\n"
    "                   flip on the short edge, fold); pages are A5 unless --paper\n"
    "  --sheet NAME     the booklet's sheet: a4 (default) or letter (half-letter pages)\n"
    "  --marks          crop marks and a 3 mm bleed around every PDF page (TrimBox,\n"
    "                   BleedBox) for a print shop\n"
    "  --fonts DIR      folder with the bundled fonts (default: found beside octavo)\n"
    "  -q, --quiet      only errors\n"
    "  -v, --verbose    say what is written\n"
    "  -h, --help       this text\n"
    "  --version        the version\n"
    "\n"
    "Exit status: 0 built (warnings allowed), 1 the book has errors (nothing\n"
    "written), 2 usage error.\n";

static int usage_error(const char *fmt, const char *arg) {
    /* arg comes from the command line: printed escaped, like every message */
    char *safe = oc_diag_escape(arg ? arg : "");
    fprintf(stderr, "octavo: error: ");
    fprintf(stderr, fmt, safe);
    fprintf(stderr, "\n%s", usage_text);
    free(safe);
    return 2;
}

static int is_dir(const char *p) {
    struct stat sb;
    return stat(p, &sb) == 0 && S_ISDIR(sb.st_mode);
}

/* The fonts folder: --fonts, $OCTAVO_FONTS_DIR, beside an installed binary
 * (../share/octavo/fonts), beside a build tree (../fonts), else the source
 * tree's fonts/ recorded at build time. */
static const char *find_fonts(char *buf, size_t n) {
    const char *env = getenv("OCTAVO_FONTS_DIR");
    if (env && *env) return env;
    char exe[PATH_MAX];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len > 0) {
        exe[len] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = '\0';
            static const char *rel[] = {"/../share/octavo/fonts", "/../fonts", "/fonts"};
            for (size_t i = 0; i < sizeof rel / sizeof *rel; i++) {
                snprintf(buf, n, "%s%s", exe, rel[i]);
                char probe[PATH_MAX + 128];
                snprintf(probe, sizeof probe, "%s/CharisSIL-Regular.ttf", buf);
                if (access(probe, R_OK) == 0) return buf;
            }
        }
    }
    return OCTAVO_FONTS_DIR;
}

int main(int argc, char **argv) {
    oc_hugepages_reexec(argv); /* first: may start the program again */
    oc_heap_tune();
    oc_options opt;
    memset(&opt, 0, sizeof opt);
    opt.want_pdf = opt.want_epub = 1;
    const char *book = NULL;
    char fonts_buf[PATH_MAX + 64];
    int i = 1;
    if (i < argc && strcmp(argv[i], "build") == 0) {
        i++;
    } else if (i < argc && strcmp(argv[i], "check") == 0) {
        opt.check_only = 1;
        i++;
    }
    for (; i < argc; i++) {
        const char *a = argv[i];
        const char *val = NULL;
        int takes =
            strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 || strcmp(a, "--format") == 0 ||
            strcmp(a, "--paper") == 0 || strcmp(a, "--profile") == 0 || strcmp(a, "--fonts") == 0 ||
            strcmp(a, "--chapters") == 0 || strcmp(a, "--impose") == 0 || strcmp(a, "--sheet") == 0;
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        char name[32] = "";
        if (eq && (size_t)(eq - a) < sizeof name) {
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = '\0';
            a = name;
            val = eq + 1;
            takes = 1;
        } else if (takes) {
            if (i + 1 >= argc) return usage_error("%s needs a value", a);
            val = argv[++i];
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            printf("%s%s", usage_text, help_text);
            return 0;
        } else if (strcmp(a, "--version") == 0) {
            printf("octavo %s\n", OCTAVO_VERSION);
            return 0;
        } else if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
            opt.verbose = -1;
        } else if (strcmp(a, "--impose") == 0) {
            if (strcmp(val, "booklet") != 0)
                return usage_error("unknown imposition '%s' (use booklet)", val);
            opt.impose = 1;
        } else if (strcmp(a, "--sheet") == 0) {
            if (strcmp(val, "a4") && strcmp(val, "letter"))
                return usage_error("unknown sheet '%s' (use a4 or letter)", val);
            opt.sheet = val;
        } else if (strcmp(a, "--marks") == 0) {
            opt.marks = 1;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            opt.verbose = 1;
        } else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
            if (!*val) return usage_error("%s needs a folder", a);
            opt.outdir = val;
        } else if (strcmp(a, "--format") == 0) {
            opt.want_pdf = opt.want_epub = 0;
            const char *p = val;
            while (*p) {
                size_t n = strcspn(p, ",");
                if (n == 3 && strncmp(p, "pdf", 3) == 0)
                    opt.want_pdf = 1;
                else if (n == 4 && strncmp(p, "epub", 4) == 0)
                    opt.want_epub = 1;
                else
                    return usage_error("unknown format in '%s' (use pdf, epub or pdf,epub)", val);
                p += n;
                if (*p == ',') p++;
            }
            if (!opt.want_pdf && !opt.want_epub) return usage_error("%s", "--format is empty");
        } else if (strcmp(a, "--paper") == 0) {
            if (strcmp(val, "a4") && strcmp(val, "letter") && strcmp(val, "a5") &&
                strcmp(val, "6x9") && strcmp(val, "half-letter"))
                return usage_error("unknown paper '%s' (use a4, letter, a5, half-letter or 6x9)",
                                   val);
            opt.paper = val;
        } else if (strcmp(a, "--profile") == 0) {
            if (strcmp(val, "screen") == 0)
                opt.profile = OC_PROFILE_SCREEN;
            else if (strcmp(val, "print") == 0)
                opt.profile = OC_PROFILE_PRINT;
            else
                return usage_error("unknown profile '%s' (use screen or print)", val);
        } else if (strcmp(a, "--chapters") == 0) {
            if (!*val) return usage_error("%s", "--chapters needs a list such as 4 or 2-3,6");
            opt.chapters = val;
        } else if (strcmp(a, "--fonts") == 0) {
            if (!is_dir(val)) return usage_error("fonts folder '%s' does not exist", val);
            opt.fonts_dir = val;
        } else if (a[0] == '-' && a[1] != '\0') {
            return usage_error("unknown option '%s'", a);
        } else if (!book) {
            book = a;
        } else {
            return usage_error("more than one book given ('%s')", a);
        }
    }
    opt.book = book ? book : "book";
    if (opt.impose && !opt.want_pdf)
        return usage_error("%s", "--impose booklet needs the PDF (--format pdf or pdf,epub)");
    if (opt.sheet && !opt.impose) return usage_error("%s", "--sheet is for --impose booklet");
    if (!opt.fonts_dir) opt.fonts_dir = find_fonts(fonts_buf, sizeof fonts_buf);

    oc_diag diag;
    oc_diag_init(&diag, stderr);
    diag.quiet = opt.verbose < 0;
    oc_status st = oc_build(&opt, &diag);
    oc_diag_summary(&diag);
    if (st == OC_OK && opt.check_only && opt.verbose >= 0) {
        char *safe = oc_diag_escape(opt.book);
        fprintf(stderr, "octavo: %s: no errors, %d warning%s\n", safe, diag.warnings,
                diag.warnings == 1 ? "" : "s");
        free(safe);
    }
    oc_diag_free(&diag);
    return st == OC_OK ? 0 : 1;
}
