/* Unit tests for the highlighter's matching loop (src/doc/srchilite_bridge.cpp)
 * and for highlighting blocks on several threads (src/doc/highlight.c).
 *
 * Our loop remembers each rule's last search on a line instead of searching
 * again at every token; it must give exactly the pieces source-highlight's
 * own SourceHighlighter gives: every language definition installed with
 * source-highlight and ours, over the fixture's code, the bench book's lines
 * and generated lines built to trip the shortcuts (a word character before
 * a \b rule's next attempt, ^ after a token, back-references such as shell
 * here-documents, unterminated strings and comments across lines, bytes
 * over 0x7F, tabs, CRs). Then: a book's blocks highlighted on two threads
 * give the spans one thread gives. */
#include "doc/highlight.h"
#include "doc/hl_languages.h"
#include "doc/srchilite_bridge.h"
#include "harness.h"
#include "octavo/doc.h"

#include <dirent.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef OCTAVO_SRCHILITE_DIR
#define OCTAVO_SRCHILITE_DIR "/usr/share/source-highlight"
#endif

/* ---- the pieces of one run, as text ---------------------------------------- */

typedef struct {
    char *s;
    size_t n, cap;
    size_t next; /* where the next piece must start */
    int gaps;    /* a piece that did not start where the last one ended */
} pieces;

static void put(pieces *p, const char *t, size_t l) {
    if (p->n + l + 1 > p->cap) {
        p->cap = (p->n + l + 1) * 2;
        p->s = realloc(p->s, p->cap);
        if (!p->s) abort();
    }
    memcpy(p->s + p->n, t, l);
    p->n += l;
    p->s[p->n] = '\0';
}

static void on_piece(void *ud, size_t off, size_t len, const char *elem) {
    pieces *p = ud;
    char b[96];
    int w = snprintf(b, sizeof b, "%zu+%zu:%s|", off, len, elem);
    put(p, b, (size_t)w);
}

/* Runs `text` through both engines; 1 when they agree (return code and
 * every piece). On a difference prints the first one. Also runs ours with
 * its shortcuts checked (see oc_hl_bridge_fallbacks). */
static int same(const char *dir, const char *file, const char *text) {
    pieces a = {0}, b = {0};
    size_t len = strlen(text);
    int ra = oc_hl_bridge_run_mode(dir, file, text, len, on_piece, &a, 0);
    int rb = oc_hl_bridge_run_mode(dir, file, text, len, on_piece, &b, 1);
    int ok = ra == rb && (ra != 0 || (a.n == b.n && (a.n == 0 || memcmp(a.s, b.s, a.n) == 0)));
    /* and once more with every shortcut's answer checked against Boost.Regex
     * (oc_hl_bridge_fallbacks counts the wrong ones; the tests require 0) */
    pieces c = {0};
    if (oc_hl_bridge_run_mode(dir, file, text, len, on_piece, &c, 2) != ra) ok = 0;
    free(c.s);
    if (!ok) {
        size_t i = 0;
        while (i < a.n && i < b.n && a.s[i] == b.s[i])
            i++;
        size_t from = i > 60 ? i - 60 : 0;
        fprintf(stderr,
                "%s: ours %d, source-highlight's %d; first difference at %zu:\n  ours: %.120s\n  "
                "theirs: %.120s\n  text: %.200s\n",
                file, ra, rb, i, a.n > from ? a.s + from : "", b.n > from ? b.s + from : "", text);
    }
    free(a.s);
    free(b.s);
    return ok;
}

/* ---- the texts --------------------------------------------------------------- */

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    size_t r;
    while ((r = fread(s + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (n + 1 == cap) s = realloc(s, cap *= 2);
    }
    fclose(f);
    s[n] = '\0';
    *len = n;
    return s;
}

/* The code of every fenced block of a Markdown file, each as one text. */
static int fixture_blocks(const char *path, char ***out) {
    size_t len;
    char *md = read_file(path, &len);
    int n = 0;
    *out = NULL;
    if (!md) return 0;
    char *p = md;
    while ((p = strstr(p, "```")) != NULL) {
        char *body = strchr(p, '\n');
        if (!body) break;
        body++;
        char *end = strstr(body, "\n```");
        if (!end) break;
        *out = realloc(*out, (size_t)(n + 1) * sizeof **out);
        (*out)[n++] = strndup(body, (size_t)(end - body) + 1);
        p = end + 4;
    }
    free(md);
    return n;
}

static uint32_t rnd(uint32_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Lines of tokens that keep the rules' shortcuts busy (the last ones aim at
 * the shell's assignment, function and dashed-word rules, Rust's string
 * opening and number.lang's rule). */
static char *generated(uint32_t seed, int lines) {
    static const char *const tok[] = {
        "fn",
        "let",
        "int",
        "return",
        "x1",
        "_y",
        "foo_bar",
        "if",
        "else",
        "def",
        "class",
        "SELECT",
        "from",
        "Where",
        "<<EOF",
        "EOF",
        "<<-'END'",
        "END",
        "/*",
        "*/",
        "//",
        "#",
        "--",
        "<!--",
        "-->",
        "\"",
        "'",
        "`",
        "\\",
        "\\\"",
        "${",
        "}",
        "$x",
        "@y",
        "%h",
        "(",
        ")",
        "[",
        "]",
        "{",
        ";",
        ",",
        ".",
        "::",
        "->",
        "=>",
        "0",
        "42",
        "3.14",
        "0x1F",
        "1e-9",
        "é",
        "π",
        "日本",
        "\t",
        " ",
        "  ",
        "\r",
        "<div>",
        "</div>",
        "a=b",
        "key:",
        "- item",
        "[sec]",
        "#include",
        "@@ -1 +1 @@",
        "+add",
        "-del",
        "r\"raw\"",
        "'''",
        "\"\"\"",
        "r",
        "b",
        "r#\"",
        "b'x'",
        ":~",
        "~",
        "{ a, b }",
        "q{",
        "=begin",
        "=end",
        "%{",
        "|",
        "&&",
        "!",
        "?",
        "~",
        "rb\"",
        "br\"",
        "b\"",
        "x-y",
        "a/b/c",
        "-",
        "/",
        "--x",
        "foo-",
        "-o",
        "name=",
        "_v=",
        "9v=",
        "f()",
        "f ()",
        "f( )",
        "f\t()",
        "x86-64/",
        "r",
        "=",
        "####",
        "#####",
        "1.5",
        "1.",
        ".5",
        "1e5",
        "1e+5",
        "2E-3u",
        "1e",
        "0x",
        "0xFFu",
        "0x1g",
        "0x1L",
        "12L",
        "7uL",
        "3int16",
        "4uint64",
        "5int7",
        "6Lu",
        "1.5.3",
        "9abc",
        "1_000",
        "x2",
        "0x1.5",
        "0.5e+",
        "08",
        /* controls: Boost.Regex's [[:blank:]] holds the vertical tab, PCRE2's not */
        "\v",
        "f\v()",
        "a\v=\vb",
        "\f",
        "\x01",
        "\x7f",
    };
    size_t cap = 4096, n = 0;
    char *s = malloc(cap);
    for (int l = 0; l < lines; l++) {
        int k = (int)(rnd(&seed) % 14);
        for (int t = 0; t < k; t++) {
            const char *w = tok[rnd(&seed) % (sizeof tok / sizeof *tok)];
            size_t wl = strlen(w);
            if (n + wl + 4 > cap) s = realloc(s, cap *= 2);
            memcpy(s + n, w, wl);
            n += wl;
            if (rnd(&seed) % 3 == 0) s[n++] = ' ';
        }
        s[n++] = '\n';
    }
    s[n] = '\0';
    return s;
}

/* Lines in the manner of tests/bench/gen_book.py --code-blocks. */
static const char *const bench_lines =
    "fn load_3(input: &str) -> Result<u32, String> {\n"
    "    let data = input.trim().parse::<u32>().map_err(|e| e.to_string())?; // data\n"
    "    if data > 712 { return Ok(data * 2); }\n    println!(\"data = {}\", data);\n}\n"
    "function model4(items) { // model\n  const total = items.filter((x) => x.model > 5).length;\n"
    "  return `${total} model`;\n}\n"
    "interface Query1 { query: number; name: string }\n"
    "export function query(p: Query1): string { return p.name + \"query\"; }\n"
    "def train_2(data, limit=80):\n    # keep the train rows\n"
    "    return [row for row in data if row[\"train\"] < limit]\n"
    "# build\nfor f in *.build; do echo \"$f\" >> \"$HOME/build.log\"; done\nexport Build_6=512\n"
    "#include <stdio.h>\nstatic int read_1(const char *s) { /* read */\n"
    "    return printf(\"%s read\\n\", s) + 12;\n}\n"
    "template <typename T> class Batch2 {\n  public:\n    std::vector<T> batch; // batch\n"
    "    int size() const { return 3; }\n};\n"
    "{\"epoch\": 7, \"name\": \"epoch-1\", \"enabled\": true, \"tags\": null}\n"
    "bias_0: 17  # bias\nname: \"bias\"\nenabled: true\nitems:\n  - bias\n"
    "[loss]\nname = \"loss-2\"  # loss\ncount = 99\nenabled = false\n"
    "<!-- tree -->\n<div class=\"tree\" id=\"tree-1\"><p>Tree &amp; more</p></div>\n"
    "<?xml version=\"1.0\"?>\n<node id=\"4\" count=\"8\"><!-- node --></node>\n"
    "/* grid */\n.grid-3 { color: #333; margin: 12px auto; }\n"
    "SELECT user, COUNT(*) FROM t_5 WHERE user > 9 GROUP BY user; -- user\n"
    "func Parse0(s string) (int, error) { // parse\n"
    "\tif len(s) > 31 { return 0, fmt.Errorf(\"parse\") }\n\treturn len(s), nil\n}\n"
    "public class Cache2 { /* cache */\n    private static final int Cache = 4;\n"
    "    String cache() { return \"cache\" + Cache; }\n}\n"
    "cat <<EOF\nhello $USER\nEOF\nprint <<\"END\";\ntext\nEND\n";

/* ---- the tests --------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .lang file of a folder, sorted. */
static int lang_files(const char *dir, char ***out) {
    DIR *d = opendir(dir);
    int n = 0;
    *out = NULL;
    if (!d) return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l > 5 && strcmp(e->d_name + l - 5, ".lang") == 0) {
            *out = realloc(*out, (size_t)(n + 1) * sizeof **out);
            (*out)[n++] = strdup(e->d_name);
        }
    }
    closedir(d);
    qsort(*out, (size_t)n, sizeof **out, cmp_str);
    return n;
}

static void test_same_pieces_every_language(void) {
    char **blocks;
    int nb = fixture_blocks(OCTAVO_SOURCE_DIR "/tests/fixtures/highlight.md", &blocks);
    CHECK(nb >= 16);
    const char *dirs[] = {OCTAVO_SOURCE_DIR "/highlight", OCTAVO_SRCHILITE_DIR};
    int langs = 0, texts = 0, differ = 0;
    for (size_t d = 0; d < 2; d++) {
        char **files;
        int nf = lang_files(dirs[d], &files);
        CHECK(nf >= (d == 0 ? 3 : 100));
        for (int f = 0; f < nf; f++) {
            if (oc_hl_bridge_load(dirs[d], files[f]) != 0) {
                /* both engines refuse a definition that does not load */
                CHECK(oc_hl_bridge_run_mode(dirs[d], files[f], "x\n", 2, on_piece, NULL, 0) == -1);
                free(files[f]);
                continue;
            }
            langs++;
            int bad = 0;
            bad += !same(dirs[d], files[f], bench_lines);
            for (int b = 0; b < nb; b++)
                bad += !same(dirs[d], files[f], blocks[b]);
            for (uint32_t seed = 1; seed <= 6; seed++) {
                char *g = generated(seed * 2654435761u + (uint32_t)f, 24);
                bad += !same(dirs[d], files[f], g);
                free(g);
            }
            texts += 1 + nb + 6;
            differ += bad;
            free(files[f]);
        }
        free(files);
    }
    fprintf(stderr, "   %d language definitions, %d texts, %d differ, %lu shortcut answers wrong\n",
            langs, texts, differ, oc_hl_bridge_fallbacks());
    /* every regex rule of every definition is PCRE2's to search (to_pcre2
     * knows all their syntax), and PCRE2 made the searches: the copies of
     * states made for a back-reference (here-documents) stay on Boost.Regex */
    unsigned long eng[4];
    oc_hl_bridge_engines(eng);
    fprintf(stderr, "   regex rules: %lu for PCRE2, %lu for Boost.Regex; searches %lu and %lu\n",
            eng[0], eng[1], eng[2], eng[3]);
    CHECK(eng[0] > 1000);
    CHECK(eng[1] == 0);
    CHECK(eng[2] > 20 * eng[3]);
    CHECK(langs > 100);
    CHECK(differ == 0);
    CHECK(oc_hl_bridge_fallbacks() == 0);
    for (int b = 0; b < nb; b++)
        free(blocks[b]);
    free(blocks);
}

/* ---- a book's blocks on several threads ------------------------------------ */

typedef struct {
    const char *info, *text;
} block;

/* Blocks in many languages, some the same as others (the cache), a Rust one
 * with hidden lines twice, and one over the line limit. */
static int book_blocks(block **out, char ***owned, int *nowned) {
    static const char *const infos[] = {"rust", "js",   "ts",   "python", "bash", "c",    "cpp",
                                        "json", "yaml", "toml", "html",   "xml",  "css",  "sql",
                                        "go",   "java", "perl", "ruby",   "diff", "make", "ini"};
    char **blocks;
    int nb = fixture_blocks(OCTAVO_SOURCE_DIR "/tests/fixtures/highlight.md", &blocks);
    int n = 0, cap = 16;
    block *v = malloc((size_t)cap * sizeof *v);
    *owned = NULL;
    *nowned = 0;
#define ADD(i_, t_)                                                                                \
    do {                                                                                           \
        if (n == cap) v = realloc(v, (size_t)(cap *= 2) * sizeof *v);                              \
        v[n++] = (block){(i_), (t_)};                                                              \
    } while (0)
    for (int round = 0; round < 2; round++) { /* round 2: the same blocks again */
        for (size_t l = 0; l < sizeof infos / sizeof *infos; l++) {
            ADD(infos[l], bench_lines);
            for (int k = 0; k < nb; k++)
                if (k % 3 == (int)l % 3) ADD(infos[l], blocks[k]);
        }
        ADD("rust", "# fn hidden() {}\nfn main() {\n    ## not hidden\n    let s = \"x\";\n}\n");
    }
    for (uint32_t seed = 1; seed <= 12; seed++) {
        char *g = generated(seed * 7919u, 16);
        *owned = realloc(*owned, (size_t)(*nowned + 1) * sizeof **owned);
        (*owned)[(*nowned)++] = g;
        ADD(infos[seed % (sizeof infos / sizeof *infos)], g);
        ADD(infos[seed % (sizeof infos / sizeof *infos)], g); /* the same again */
    }
    char *longline = malloc(OC_HL_MAX_LINE + 40);
    memset(longline, 'x', OC_HL_MAX_LINE + 30);
    memcpy(longline, "let y = 1;\n", 11);
    strcpy(longline + OC_HL_MAX_LINE + 30, "\n");
    *owned = realloc(*owned, (size_t)(*nowned + 1) * sizeof **owned);
    (*owned)[(*nowned)++] = longline;
    ADD("rust", longline);
#undef ADD
    for (int k = 0; k < nb; k++)
        *owned = realloc(*owned, (size_t)(*nowned + 1) * sizeof **owned),
        (*owned)[(*nowned)++] = blocks[k];
    free(blocks);
    *out = v;
    return n;
}

static void node_of(oc_node *n, const block *b) {
    memset(n, 0, sizeof *n);
    n->type = OC_CODE_BLOCK;
    n->info = b->info;
    n->text = b->text;
    n->len = strlen(b->text);
}

static int same_node(const oc_node *x, const oc_node *y) {
    if (x->len != y->len || memcmp(x->text, y->text, x->len) != 0 || x->nspans != y->nspans ||
        x->lang != y->lang)
        return 0;
    for (int i = 0; i < x->nspans; i++) /* field by field: the struct has padding */
        if (x->spans[i].offset != y->spans[i].offset || x->spans[i].length != y->spans[i].length ||
            x->spans[i].cls != y->spans[i].cls)
            return 0;
    return 1;
}

typedef struct {
    oc_hl_batch *b;
    size_t first, second;
} waiter;

static void *wait_two(void *arg) {
    waiter *w = arg;
    oc_hl_batch_wait(w->b, w->first);
    oc_hl_batch_wait(w->b, w->second);
    return NULL;
}

/* oc_hl_batch with one thread and with two gives every block the spans
 * oc_doc_highlight_block gives it alone; so do the blocks the cache serves
 * (the same language and text as an earlier block); the budget is spent in
 * the same order. */
/* The rules matched without Boost.Regex's search: keyword lists
 * (\<(?:w1|w2|...)\>, answered from a set of words) with words in every
 * case, words that only start or end like a keyword, keywords glued to
 * digits, underscores and other bytes, at the start of a search and after
 * one, in case-sensitive definitions and in case-insensitive ones (SQL and
 * Pascal write each letter as [Aa]); the function-call rules (an
 * identifier, blanks, "("; TypeScript's with "$" and type arguments) with
 * digits first, underscores, tabs, a blank line between, nested and
 * chained calls, unclosed "<", UTF-8 around; lists of literals where one
 * is the start of another (Go's "<", "<<", "<<=": the first listed wins). */
static void test_fast_rules(void) {
    static const char *texts[] = {
        "SELECT select SeLeCt selects xselect select_ _select select1 1select\n",
        "if iff xif if_ _if if9 9if IF If\tif\n  if(if)if;if.if\n",
        "fn main() { let mut x: u32 = 5; let letter = \"let\"; for i in 0..x {} }\n",
        "begin BEGIN Begin beginning end; END. procedure Procedure PROCEDURE\n",
        "int main(void) { return sizeof(int); } /* int */ integer _int int_\n",
        "\xc3\xa9if if\xc3\xa9 \xe2\x80\x94return\xe2\x80\x94 r\xc3\xa9turn\n",
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name varchar(20) not null);\n",
        "f(x) 9abc (y) _g\t(z) a.b(c).d (e) x1y2( foo bar(1) 12(3) (4) f(g(h(i)))\n",
        "call ( )  name \n( next\n\xc3\xa9t\xc3\xa9(1) caf\xc3\xa9 (2) __init__(self) $x(1)\n",
        "f<T>(x) g <A, B> (y) $(sel) a$b$(1) 9$ ( h<T(x) k < 3 && m > (4) <T>(z) x<y>z(1)\n",
        "a<<=b &^= c... d<-e ++f-- <= >= != := x<y>>=z //c /* d */ <!-- e --> \"\"\"s\"\"\" \\|\n",
    };
    static const char *files[] = {
        "sql.lang",  "pascal.lang",      "rust.lang",  "c.lang",    "python.lang",
        "java.lang", "javascript.lang",  "go.lang",    "cpp.lang",  "json.lang",
        "xml.lang",  "@typescript.lang", "@yaml.lang", "@toml.lang"};
    int n = 0;
    for (size_t f = 0; f < sizeof files / sizeof *files; f++)
        for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
            /* "@": octavo's own definitions */
            const char *dir =
                files[f][0] == '@' ? OCTAVO_SOURCE_DIR "/highlight" : OCTAVO_SRCHILITE_DIR;
            CHECK(same(dir, files[f] + (files[f][0] == '@'), texts[t]));
            n++;
        }
    CHECK(n == 154);
    /* and every answer of a shortcut was Boost.Regex's (same() checks them) */
    CHECK(oc_hl_bridge_fallbacks() == 0);
}

static void test_batch_same_as_one_by_one(void) {
    block *bl;
    char **owned;
    int nowned;
    int n = book_blocks(&bl, &owned, &nowned);
    oc_arena a;
    oc_arena_init(&a);
    oc_node *ref = calloc((size_t)n, sizeof *ref);
    double budget = OC_HL_BUDGET0;
    int limited_ref = 0, with_spans = 0;
    for (int i = 0; i < n; i++) {
        node_of(&ref[i], &bl[i]);
        limited_ref += oc_doc_highlight_block(&a, &ref[i], 1, &budget);
        with_spans += ref[i].nspans > 0;
    }
    CHECK(limited_ref == 1); /* the long line */
    CHECK(with_spans > n * 3 / 4);
    for (int t = 1; t <= 2; t++) {
        for (int rep = 0; rep < (t == 2 ? 4 : 1); rep++) {
            setenv("OCTAVO_THREADS", t == 1 ? "1" : "2", 1);
            oc_node *got = calloc((size_t)n, sizeof *got);
            oc_hl_batch *b = oc_hl_batch_new(&a);
            double budget2 = OC_HL_BUDGET0;
            int limited = 0;
            for (int i = 0; i < n; i++) {
                node_of(&got[i], &bl[i]);
                limited += oc_hl_batch_add(b, &got[i], 1, &budget2);
            }
            oc_hl_batch_close(b);
            /* two readers at once, as the PDF's layout and the EPUB are:
             * one wants the first half, then everything; the other the
             * first third, then the first two thirds */
            size_t count = oc_hl_batch_count(b);
            waiter w = {b, count / 3, 2 * count / 3};
            pthread_t other;
            int spawned = pthread_create(&other, NULL, wait_two, &w) == 0;
            oc_hl_batch_wait(b, count / 2);
            oc_hl_batch_wait(b, SIZE_MAX);
            if (spawned) pthread_join(other, NULL);
            int differ = 0;
            for (int i = 0; i < n; i++)
                differ += !same_node(&ref[i], &got[i]);
            CHECK(limited == limited_ref);
            CHECK(budget2 == budget);
            CHECK(differ == 0);
            if (differ) fprintf(stderr, "   %d threads: %d of %d blocks differ\n", t, differ, n);
            oc_hl_batch_free(b);
            free(got);
        }
    }
    unsetenv("OCTAVO_THREADS");
    /* highlighting off: nothing is queued, hidden lines still go */
    oc_node off;
    block hidden = {"rust", "# use x;\nfn f() {}\n"};
    node_of(&off, &hidden);
    oc_hl_batch *b = oc_hl_batch_new(&a);
    CHECK(oc_hl_batch_add(b, &off, 0, NULL) == 0);
    CHECK(oc_hl_batch_count(b) == 0);
    oc_hl_batch_close(b);
    oc_hl_batch_wait(b, SIZE_MAX);
    CHECK(off.nspans == 0 && off.len == strlen("fn f() {}\n") && off.lang != NULL);
    oc_hl_batch_free(b);
    oc_hl_batch_wait(NULL, 0);
    oc_hl_batch_free(NULL);
    /* freed with blocks still queued (a book with errors, `octavo check`):
     * the helper stops, nothing leaks (the sanitizer build), and the nodes
     * it did not reach stay plain */
    setenv("OCTAVO_THREADS", "2", 1);
    oc_node *some = calloc((size_t)n, sizeof *some);
    b = oc_hl_batch_new(&a);
    double budget3 = OC_HL_BUDGET0;
    for (int i = 0; i < n; i++) {
        node_of(&some[i], &bl[i]);
        oc_hl_batch_add(b, &some[i], 1, &budget3);
    }
    oc_hl_batch_close(b);
    oc_hl_batch_free(b);
    int unapplied = 0;
    for (int i = 0; i < n; i++)
        unapplied += some[i].nspans == 0;
    CHECK(unapplied == n); /* spans reach nodes only through oc_hl_batch_wait */
    free(some);
    unsetenv("OCTAVO_THREADS");
    free(ref);
    oc_arena_free(&a);
    for (int i = 0; i < nowned; i++)
        free(owned[i]);
    free(owned);
    free(bl);
}

/* The two engines for regex rules: a definition whose rules use syntax the
 * PCRE2 translation rewrites (\<, \>, [[:<:]], ^ and $, which in Boost.Regex
 * also match at \r and \f inside a line) is all PCRE2's and gives
 * source-highlight's pieces; one whose rules use syntax it does not know
 * (\A, \G, \h, \l, (?i)) stays on Boost.Regex, rule by rule. */
static void test_engines(void) {
    const char *dir = OCTAVO_SOURCE_DIR "/tests/fixtures/hl-engines";
    static const char *texts[] = {
        "let x = u8 + u16x + au32; # let\n  # c\nx y\n",
        "first select SELECT Select  x\tx a12 at first\n",
        "x\ry x\fx y\r\fx #\r# y\fy\n\r\nx\n",
        "\xc3\xa9let let\xc3\xa9 9let let9 _let let_\n",
    };
    unsigned long before[4], after[4];
    oc_hl_bridge_engines(before);
    CHECK(oc_hl_bridge_load(dir, "both.lang") == 0);
    oc_hl_bridge_engines(after);
    CHECK(after[0] - before[0] == 5 && after[1] == before[1]);
    CHECK(oc_hl_bridge_load(dir, "boost_only.lang") == 0);
    oc_hl_bridge_engines(before);
    CHECK(before[0] == after[0] && before[1] - after[1] == 5);
    unsigned long fb = oc_hl_bridge_fallbacks();
    for (size_t t = 0; t < sizeof texts / sizeof *texts; t++) {
        CHECK(same(dir, "both.lang", texts[t]));
        CHECK(same(dir, "boost_only.lang", texts[t]));
    }
    CHECK(oc_hl_bridge_fallbacks() == fb);
    oc_hl_bridge_engines(after);
    CHECK(after[2] > before[2] && after[3] > before[3]); /* both engines searched */
}

/* Every language of hl_languages.h comes from the table the build wrote
 * (no .lang file is parsed for them: that is what the table is for), and a
 * definition from any other folder is read from its file. The pieces of
 * the table's definitions are source-highlight's own (checked above, with
 * the definitions read the same way). */
static void test_table(void) {
    static const struct {
        const char *file;
        int ours;
    } langs[] = {
#define OC_HL_LANGUAGE(name, aliases, file, ours) {file, ours},
        OC_HL_LANGUAGES
#undef OC_HL_LANGUAGE
    };
    unsigned long before[2], after[2];
    oc_hl_bridge_sources(before);
    size_t n = sizeof langs / sizeof *langs;
    CHECK(n >= 20);
    for (size_t i = 0; i < n; i++) {
        const char *dir = langs[i].ours ? OCTAVO_SOURCE_DIR "/highlight" : OCTAVO_SRCHILITE_DIR;
        CHECK(oc_hl_bridge_load(dir, langs[i].file) == 0);
    }
    oc_hl_bridge_sources(after);
    /* (the first test to load anything: each is loaded here first) */
    CHECK(after[0] - before[0] == n);
    CHECK(after[1] == before[1]);
    /* the same file through another spelling of its folder is read from it,
     * once */
    CHECK(oc_hl_bridge_load(OCTAVO_SRCHILITE_DIR "/.", "rust.lang") == 0);
    CHECK(oc_hl_bridge_load(OCTAVO_SRCHILITE_DIR "/.", "rust.lang") == 0);
    oc_hl_bridge_sources(before);
    CHECK(before[1] == after[1] + 1 && before[0] == after[0]);
    const char *code = "fn main() { let s = b\"x\"; } // done\nlet r = r#\"a\"#;\n";
    CHECK(same(OCTAVO_SRCHILITE_DIR "/.", "rust.lang", code));
    CHECK(same(OCTAVO_SRCHILITE_DIR, "rust.lang", code));
}

int main(void) {
    RUN(test_table);
    RUN(test_same_pieces_every_language);
    RUN(test_engines);
    RUN(test_fast_rules);
    RUN(test_batch_same_as_one_by_one);
    return harness_finish("test_hl_engine");
}
