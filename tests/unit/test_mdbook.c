/* mdBook folders: the TOML reader (every construct, every error with its
 * place), SUMMARY.md's structure (titles, prefix, numbered and nested,
 * parts, drafts, suffix), the directives (every selection form, nesting,
 * cycles, the line map), book.yaml's per-chapter titles, .html links and
 * fragments that differ in case or are percent-encoded. All from memory. */
#include "book/loader.h"
#include "book/toml.h"
#include "harness.h"
#include "octavo/book.h"

#include <stdlib.h>
#include <string.h>

static oc_diag diag;

#define F(path, text)                                                                              \
    { path, text, sizeof(text) - 1 }

static oc_status load(oc_document *doc, const char *book, const oc_memfile *files) {
    static oc_io io;
    oc_diag_free(&diag);
    oc_diag_init(&diag, NULL);
    oc_io_memory(&io, files);
    return oc_book_load(doc, book, &io, &diag);
}

/* ---- TOML ------------------------------------------------------------------ */

typedef struct {
    char seen[2048];
} toml_log;

static void log_value(void *arg, const char *table, const char *key, const oc_toml_value *v) {
    toml_log *L = arg;
    char one[256];
    if (v->kind == OC_TOML_ARRAY)
        snprintf(one, sizeof one, "%s|%s=[%d]%d:%d;", table, key, v->nitems, v->line, v->col);
    else
        snprintf(one, sizeof one, "%s|%s=%d:%s;", table, key, (int)v->kind, v->str);
    strncat(L->seen, one, sizeof L->seen - strlen(L->seen) - 1);
}

static oc_status toml(const char *src, toml_log *L, int *line, int *col, char *msg) {
    oc_arena a;
    oc_arena_init(&a);
    memset(L, 0, sizeof *L);
    oc_status st = oc_toml_parse(&a, src, strlen(src), log_value, L, line, col, msg, 256);
    oc_arena_free(&a);
    return st;
}

static void test_toml_values(void) {
    const char *src = "# comment\n"
                      "top = 1\n"
                      "[book]\n"
                      "title = \"Caf\\u00e9 \\\"quoted\\\"\" # trailing comment\n"
                      "authors = [\n  \"Ann\", # one\n  'Bob',\n]\n"
                      "\"quoted key\" = 'lit\\eral'\n"
                      "dotted.key = true\n"
                      "ml = \"\"\"\nline one\\\n   joined\"\"\"\n"
                      "ml2 = '''\nraw \"\" text'''\n"
                      "n = [0x1F, 0o17, 0b101, -3, +4_000, 1.5e-3, inf, -nan, 1e10]\n"
                      "when = 1979-05-27T07:32:00Z\nday = 1979-05-27\ntime = 07:32:00.5\n"
                      "local = 1979-05-27 07:32:00\n"
                      "inline = { a = 1, b = { c = [1, 2] } }\n"
                      "[output.html]\nsite-url = \"/x/\"\n"
                      "[[preprocessor.list]]\nname = \"a\"\n[[preprocessor.list]]\nname = \"b\"\n";
    toml_log L;
    int line = 0, col = 0;
    char msg[256] = "";
    CHECK(toml(src, &L, &line, &col, msg) == OC_OK);
    if (*msg) fprintf(stderr, "  %d:%d %s\n", line, col, msg);
    CHECK_CONTAINS(L.seen, "|top=1:1;");
    CHECK_CONTAINS(L.seen, "book|title=0:Caf\xC3\xA9 \"quoted\";");
    CHECK_CONTAINS(L.seen, "book|authors=[2]5:11;");
    CHECK_CONTAINS(L.seen, "book|quoted key=0:lit\\eral;");
    CHECK_CONTAINS(L.seen, "book|dotted.key=3:true;");
    CHECK_CONTAINS(L.seen, "book|ml=0:line onejoined;");
    CHECK_CONTAINS(L.seen, "book|ml2=0:raw \"\" text;");
    CHECK_CONTAINS(L.seen, "book|n=[9]");
    CHECK_CONTAINS(L.seen, "book|when=4:1979-05-27T07:32:00Z;");
    CHECK_CONTAINS(L.seen, "book|local=4:1979-05-27 07:32:00;");
    CHECK_CONTAINS(L.seen, "book|inline=6:");
    CHECK_CONTAINS(L.seen, "output.html|site-url=0:/x/;");
    CHECK_CONTAINS(L.seen, "preprocessor.list[]|name=0:b;");
}

static void test_toml_errors(void) {
    static const struct {
        const char *src;
        int line, col;
        const char *msg;
    } cases[] = {
        {"[book]\ntitle = \"open\n", 2, 14, "newline inside a single-line string"},
        {"a = 1\na = 2\n", 2, 1, "defined twice"},
        {"[t]\n[t]\n", 2, 1, "table [t] is defined twice"},
        {"title = Book\n", 1, 9, "not a TOML value"},
        {"t = \"\\q\"\n", 1, 6, "unknown escape"},
        {"t = { a = 1, }\n", 1, 12, "trailing ','"},
        {"t = 1 x\n", 1, 7, "end of the line"},
        {"t = [1, 2\n", 2, 1, "not closed"},
        {"= 1\n", 1, 1, "expected a key"},
        {"t = 012\n", 1, 5, "not a TOML value"},
        {"t = \"a\x01\"\n", 1, 7, "control character"},
        {"t = \"\\u0000\"\n", 1, 6, "NUL"},
        {"t = \"\\uD800\"\n", 1, 6, "not a Unicode scalar"},
        {"[a\n", 1, 3, "expected ']'"},
        {"t = 1_\n", 1, 5, "not a TOML value"},
        {"t = \xff\n", 1, 5, "not valid UTF-8"},
        {"t = 1979-13\n", 1, 5, "not a TOML value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        toml_log L;
        int line = 0, col = 0;
        char msg[256] = "";
        oc_status st = toml(cases[i].src, &L, &line, &col, msg);
        CHECK(st == OC_ERR_INPUT);
        if (line != cases[i].line || col != cases[i].col || !strstr(msg, cases[i].msg))
            fprintf(stderr, "  case %zu: %d:%d %s\n", i, line, col, msg);
        CHECK(line == cases[i].line);
        CHECK(col == cases[i].col);
        CHECK_CONTAINS(msg, cases[i].msg);
    }
    /* nesting is bounded, not a stack overflow */
    char deep[400];
    memset(deep, '[', sizeof deep);
    memcpy(deep, "t = ", 4);
    deep[sizeof deep - 1] = '\0';
    toml_log L;
    int line, col;
    char msg[256];
    CHECK(toml(deep, &L, &line, &col, msg) == OC_ERR_INPUT);
    CHECK_CONTAINS(msg, "nested more than 64");
}

/* ---- SUMMARY.md ------------------------------------------------------------- */

static const char summary_md[] = "# My Summary Title\n"
                                 "\n"
                                 "[Preface](preface.md)\n"
                                 "<!-- a comment\n   over lines -->\n"
                                 "---\n"
                                 "# Part One\n"
                                 "- [First](one.md)\n"
                                 "  - [First A](one/a.md)\n"
                                 "    * [Deep](one/deep.md)\n"
                                 "  - [Draft]()\n"
                                 "2. [Second *emph*](two.md)\n"
                                 "\n"
                                 "# Part Two\n"
                                 "\n"
                                 "- [Third](three%20x.md)\n"
                                 "\n"
                                 "---\n"
                                 "[Appendix](appendix.md)\n";

static void test_summary(void) {
    oc_memfile files[] = {F("my-book/book.toml", "[book]\nauthors = [\"Ann\"]\nlanguage = \"fr\"\n"
                                                 "description = \"About\"\n[rust]\nedition = "
                                                 "\"2021\"\n"),
                          F("my-book/src/SUMMARY.md", summary_md),
                          F("my-book/src/preface.md", "# Preface heading\n"),
                          F("my-book/src/one.md", "# One\n\nSee [a](one/a.html).\n"),
                          F("my-book/src/one/a.md", "# A\n\nBack [up](../one.md).\n"),
                          F("my-book/src/one/deep.md", "# Deep\n"),
                          F("my-book/src/two.md", "# Two\n"),
                          F("my-book/src/three x.md", "# Three\n"),
                          F("my-book/src/appendix.md", "# Appendix\n"),
                          {NULL, NULL, 0}};
    oc_document doc;
    CHECK(load(&doc, "my-book", files) == OC_OK);
    CHECK(diag.errors == 0 && diag.warnings == 0);
    CHECK_STR_EQ(doc.meta.title, "My Summary Title"); /* no [book] title */
    CHECK(doc.meta.nauthors == 1 && strcmp(doc.meta.authors[0], "Ann") == 0);
    CHECK_STR_EQ(doc.meta.language, "fr");
    CHECK_STR_EQ(doc.meta.description, "About");
    CHECK_STR_EQ(doc.meta.slug, "my-book");
    CHECK_STR_EQ(doc.meta_path, "my-book/book.toml");
    CHECK(doc.nchapters == 8);
    if (doc.nchapters == 8) {
        static const char *titles[] = {"Preface", "First",       "First A", "Deep",
                                       "Draft",   "Second emph", "Third",   "Appendix"};
        static const char *numbers[] = {NULL, "1.", "1.1.", "1.1.1.", "1.2.", "2.", "3.", NULL};
        static const int levels[] = {0, 0, 1, 2, 1, 0, 0, 0};
        static const char *parts[] = {NULL, "Part One", NULL, NULL, NULL, NULL, "Part Two", NULL};
        for (int i = 0; i < 8; i++) {
            const oc_chapter *c = &doc.chapters[i];
            CHECK_STR_EQ(c->title, titles[i]);
            CHECK(c->level == levels[i]);
            CHECK((!c->number && !numbers[i]) ||
                  (c->number && numbers[i] && strcmp(c->number, numbers[i]) == 0));
            CHECK((!c->part && !parts[i]) ||
                  (c->part && parts[i] && strcmp(c->part, parts[i]) == 0));
            CHECK(c->title_given);
        }
        CHECK_STR_EQ(doc.chapters[6].path, "src/three x.md");
        CHECK(doc.chapters[4].draft);
        CHECK_STR_EQ(doc.chapters[4].root->first->first->text, "Draft");
        CHECK_STR_EQ(oc_chapter_label(&doc.arena, &doc.chapters[3]), "1.1.1. Deep");
        CHECK_STR_EQ(oc_chapter_label(&doc.arena, &doc.chapters[0]), "Preface");
        CHECK(oc_doc_structured(&doc));
        /* .html and ../ links reach the chapters */
        const oc_node *p = doc.chapters[1].root->first->next;
        CHECK(p && p->first->next && p->first->next->type == OC_LINK);
        CHECK(p->first->next->link_kind == OC_LINK_INTERNAL);
        CHECK(p->first->next->target_chapter == 2);
        p = doc.chapters[2].root->first->next;
        CHECK(p->first->next->link_kind == OC_LINK_INTERNAL);
        CHECK(p->first->next->target_chapter == 1);
    }
    oc_doc_free(&doc);
}

static void test_summary_errors(void) {
    static const struct {
        const char *summary;
        const char *want;
    } cases[] = {
        {"# S\n\n- [A](a.md)\n[Suffix](a2.md)\n- [B](b.md)\n",
         "bk/src/SUMMARY.md:5:1: error: a numbered chapter after the suffix chapters"},
        {"# S\n\n- [A](a.md)\n- just text\n",
         "bk/src/SUMMARY.md:4:3: error: expected a link to a chapter"},
        {"# S\n\n- [A](a.md)\n- [A again](a.md)\n",
         "bk/src/SUMMARY.md:4:3: error: chapter 'a.md' is listed twice"},
        {"# S\n\n- [A](a.md)\n- [](b.md)\n",
         "bk/src/SUMMARY.md:4:3: error: the chapter has no title"},
        {"# S\n\n- [A](a.md)\n\n# Empty part\n",
         "bk/src/SUMMARY.md:5:1: error: the part 'Empty part'"},
        {"# S\n\n- [A](/etc/passwd)\n",
         "bk/src/SUMMARY.md:3:3: error: chapter '/etc/passwd' is outside"},
        {"# S\n", "bk/src/SUMMARY.md:1:1: error: SUMMARY.md lists no chapters"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        oc_memfile files[] = {F("bk/book.toml", "[book]\ntitle = \"T\"\n"),
                              {"bk/src/SUMMARY.md", cases[i].summary, strlen(cases[i].summary)},
                              F("bk/src/a.md", "# A\n"),
                              F("bk/src/b.md", "# B\n"),
                              {NULL, NULL, 0}};
        oc_document doc;
        CHECK(load(&doc, "bk", files) == OC_ERR_INPUT);
        char line[512] = "";
        if (diag.count) oc_diag_format(&diag.items[0], line, sizeof line);
        if (!strstr(line, cases[i].want)) fprintf(stderr, "  case %zu: %s\n", i, line);
        CHECK_CONTAINS(line, cases[i].want);
        oc_doc_free(&doc);
    }
}

static void test_src_key(void) {
    oc_memfile files[] = {F("bk/book.toml", "[book]\ntitle = \"T\"\nsrc = \"pages\"\n"),
                          F("bk/pages/SUMMARY.md", "[Only](only.md)\n"),
                          F("bk/pages/only.md", "# Only\n"),
                          {NULL, NULL, 0}};
    oc_document doc;
    CHECK(load(&doc, "bk", files) == OC_OK);
    CHECK(doc.nchapters == 1 && strcmp(doc.chapters[0].path, "pages/only.md") == 0);
    CHECK(!oc_doc_structured(&doc)); /* a prefix chapter alone: no numbers */
    oc_doc_free(&doc);
    oc_memfile dot[] = {F("bk/book.toml", "[book]\nsrc = \".\"\n"),
                        F("bk/SUMMARY.md", "- [Only](only.md)\n"),
                        F("bk/only.md", "# Only\n"),
                        {NULL, NULL, 0}};
    CHECK(load(&doc, "bk", dot) == OC_OK);
    CHECK(doc.nchapters == 1 && strcmp(doc.chapters[0].path, "only.md") == 0);
    CHECK_STR_EQ(doc.meta.title, "Only"); /* nothing else names the book */
    oc_doc_free(&doc);
    oc_memfile out[] = {F("bk/book.toml", "[book]\nsrc = \"../elsewhere\"\n"), {NULL, NULL, 0}};
    CHECK(load(&doc, "bk", out) == OC_ERR_INPUT);
    CHECK(oc_diag_contains(&diag, "is outside the book folder"));
    CHECK(diag.items[0].line == 2 && diag.items[0].column == 7);
    oc_doc_free(&doc);
    /* book.yaml wins when both are there */
    oc_memfile both[] = {F("bk/book.yaml", "title: Yaml\nchapters: [a.md]\n"),
                         F("bk/book.toml", "[book]\ntitle = \"Toml\"\n"),
                         F("bk/a.md", "# A\n"),
                         {NULL, NULL, 0}};
    CHECK(load(&doc, "bk", both) == OC_OK);
    CHECK_STR_EQ(doc.meta.title, "Yaml");
    oc_doc_free(&doc);
}

/* ---- directives ------------------------------------------------------------- */

static const char listing[] = "line 1\n"
                              "// ANCHOR: a\n"
                              "line 3\n"
                              "// ANCHOR: b\n"
                              "line 5\n"
                              "// ANCHOR_END: b\n"
                              "line 7\n"
                              "// ANCHOR_END: a\n"
                              "line 9\n";

static char *expand(const char *text, oc_document *doc, oc_memfile *files, int **lines, int **cols,
                    int *n) {
    static oc_io io;
    oc_diag_free(&diag);
    oc_diag_init(&diag, NULL);
    oc_io_memory(&io, files);
    memset(doc, 0, sizeof *doc);
    oc_arena_init(&doc->arena);
    doc->io = &io;
    doc->root_dir = "bk";
    char *out = NULL;
    size_t len = 0;
    if (oc_mdbook_expand(doc, &diag, "src/ch.md", text, strlen(text), &out, &len, lines, cols, n) !=
        OC_OK)
        return NULL;
    return out;
}

static void test_include_forms(void) {
    oc_memfile files[] = {F("bk/listings/l.rs", listing),
                          F("bk/src/part.md", "part says {{#include ../listings/l.rs:5}}\n"),
                          {NULL, NULL, 0}};
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"{{#include ../listings/l.rs}}", "line 1\nline 3\nline 5\nline 7\nline 9"},
        {"{{#include ../listings/l.rs:a}}", "line 3\nline 5\nline 7"},
        {"{{#include ../listings/l.rs:b}}", "line 5"},
        {"{{#include ../listings/l.rs:3}}", "line 3"},
        {"{{#include ../listings/l.rs:3:5}}", "line 3\nline 5"},
        {"{{#include ../listings/l.rs:7:}}", "line 7\nline 9"},
        {"{{#include ../listings/l.rs::3}}", "line 1\nline 3"},
        {"{{ #include   ../listings/l.rs:b  }}", "line 5"},
        {"{{#rustdoc_include ../listings/l.rs:b}}",
         "# line 1\n# line 3\nline 5\n# line 7\n# line 9"},
        {"{{#rustdoc_include ../listings/l.rs:3:3}}",
         "# line 1\nline 3\n# line 5\n# line 7\n# line 9"},
        {"{{#playground ../listings/l.rs editable}}x", "```rust,editable\nline 1\nline 3\n"},
        {"a {{#title The Page}}b", "a b"},
        {"\\{{#include ../listings/l.rs}} stays", "{{#include ../listings/l.rs}} stays"},
        {"{{#unknown thing}} {{not one}}", "{{#unknown thing}} {{not one}}"},
        {"{{#include part.md}}!", "part says line 5!"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        oc_document doc;
        int *lines, *cols, n;
        char *out = expand(cases[i].in, &doc, files, &lines, &cols, &n);
        if (!out || strncmp(out, cases[i].out, strlen(cases[i].out)) != 0)
            fprintf(stderr, "  case %zu: got [%s]\n", i, out ? out : "(error)");
        CHECK(out && strncmp(out, cases[i].out, strlen(cases[i].out)) == 0);
        oc_doc_free(&doc);
    }
}

static void test_include_line_map(void) {
    oc_memfile files[] = {F("bk/src/three.md", "x\ny\nz\n"), {NULL, NULL, 0}};
    oc_document doc;
    int *lines, *cols, n;
    char *out =
        expand("one\n  {{#include three.md}}\nafter\nlast\n", &doc, files, &lines, &cols, &n);
    CHECK_STR_EQ(out, "one\n  x\ny\nz\nafter\nlast\n");
    /* output lines: one(1) x(2) y(2) z(2) after(3) last(4) */
    CHECK(n >= 6);
    if (n >= 6) {
        CHECK(lines[0] == 1 && lines[1] == 2 && lines[2] == 2 && lines[3] == 2);
        CHECK(cols[2] == 3 && cols[3] == 3);
        CHECK(lines[4] == 3 && lines[5] == 4 && cols[4] == 0);
    }
    oc_doc_free(&doc);
}

static void test_include_errors(void) {
    oc_memfile files[] = {F("bk/src/ch.md", "{{#include ch.md}}"),
                          F("bk/src/a.md", "A {{#include b.md}}"),
                          F("bk/src/b.md", "\n\nB {{#include a.md}}"),
                          F("bk/src/l.rs", "1\n2\n"),
                          {NULL, NULL, 0}};
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"{{#include ch.md}}", "bk/src/ch.md:1:1: error: the include makes a cycle: src/ch.md -> "
                               "src/ch.md"},
        {"x\n{{#include a.md}}", "bk/src/b.md:3:3: error: the include makes a cycle: src/a.md -> "
                                 "src/b.md -> src/a.md"},
        {"\n\n  {{#include none.rs}}", "bk/src/ch.md:3:3: error: cannot include 'none.rs'"},
        {"{{#include l.rs:nope}}",
         "bk/src/ch.md:1:1: error: cannot include 'l.rs': no 'ANCHOR: nope'"},
        {"{{#include l.rs:9}}", "the range starts at line 9 but the file has 2 lines"},
        {"{{#include /etc/passwd}}", "'/etc/passwd' is outside the book folder"},
        {"{{#include ../../x}}", "is outside the book folder"},
        {"{{#include l.rs", "not closed"},
        {"{{#title}}", "needs a title"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        oc_document doc;
        int *lines, *cols, n;
        char *out = expand(cases[i].in, &doc, files, &lines, &cols, &n);
        CHECK(out == NULL);
        char line[512] = "";
        if (diag.count) oc_diag_format(&diag.items[0], line, sizeof line);
        if (!strstr(line, cases[i].want)) fprintf(stderr, "  case %zu: %s\n", i, line);
        CHECK_CONTAINS(line, cases[i].want);
        oc_doc_free(&doc);
    }
    /* a chain eleven files deep stops, without a cycle */
    oc_memfile chain[13];
    char names[12][32], texts[12][64];
    for (int i = 0; i < 12; i++) {
        snprintf(names[i], sizeof names[i], "bk/src/f%d.md", i);
        snprintf(texts[i], sizeof texts[i], "{{#include f%d.md}}", i + 1);
        chain[i] = (oc_memfile){names[i], texts[i], strlen(texts[i])};
    }
    chain[12] = (oc_memfile){NULL, NULL, 0};
    oc_document doc;
    int *lines, *cols, n;
    CHECK(expand("{{#include f0.md}}", &doc, chain, &lines, &cols, &n) == NULL);
    CHECK(oc_diag_contains(&diag, "more than 10 files deep"));
    oc_doc_free(&doc);
    /* includes fanned out (64 of the next file, six levels: 64^6 of an empty
     * file) stop at the chapter's budget instead of running for hours */
    static char fan[6][64 * 20 + 1];
    oc_memfile fanned[8];
    char fnames[7][32];
    for (int i = 0; i < 7; i++) {
        snprintf(fnames[i], sizeof fnames[i], "bk/src/g%d.md", i);
        if (i < 6) {
            fan[i][0] = '\0';
            for (int k = 0; k < 64; k++)
                snprintf(fan[i] + strlen(fan[i]), sizeof fan[i] - strlen(fan[i]),
                         "{{#include g%d.md}}\n", i + 1);
        }
        fanned[i] = (oc_memfile){fnames[i], i < 6 ? fan[i] : "", i < 6 ? strlen(fan[i]) : 0};
    }
    fanned[7] = (oc_memfile){NULL, NULL, 0};
    CHECK(expand("{{#include g0.md}}", &doc, fanned, &lines, &cols, &n) == NULL);
    CHECK(oc_diag_contains(&diag, "grow past 64 MiB"));
    oc_doc_free(&doc);
}

/* ---- links and titles shared with book.yaml ------------------------------------ */

static void test_yaml_titles_and_links(void) {
    oc_memfile files[] = {
        F("bk/book.yaml",
          "title: T\nchapters:\n  - file: a.md\n    title: Given Title\n  - b.md\n"),
        F("bk/a.md", "# Written\n\n[x](b.html#ÜBER) [y](b.md#%C3%BCber) [z](b.html#Straße)\n"),
        F("bk/b.md", "# B\n\n## Über\n\n## Straße\n"),
        {NULL, NULL, 0}};
    oc_document doc;
    CHECK(load(&doc, "bk", files) == OC_OK);
    CHECK(diag.warnings == 0);
    CHECK_STR_EQ(doc.chapters[0].title, "Given Title");
    CHECK(doc.chapters[0].title_given);
    CHECK_STR_EQ(doc.chapters[1].title, "B");
    CHECK(!oc_doc_structured(&doc));
    int internal = 0;
    for (const oc_node *n = doc.chapters[0].root; n; n = oc_node_next(doc.chapters[0].root, n, 1))
        if (n->type == OC_LINK && n->link_kind == OC_LINK_INTERNAL && n->target_chapter == 1 &&
            n->target_id)
            internal++;
    CHECK(internal == 3);
    oc_doc_free(&doc);
    oc_memfile bad[] = {F("bk/book.yaml", "chapters:\n  - title: No File\n"), {NULL, NULL, 0}};
    CHECK(load(&doc, "bk", bad) == OC_ERR_INPUT);
    CHECK(oc_diag_contains(&diag, "a chapter entry needs 'file: path/to/chapter.md'"));
    oc_doc_free(&doc);
}

static void test_slug_case(void) {
    oc_arena a;
    oc_arena_init(&a);
    /* GitHub lower-cases every alphabet's capitals in anchors */
    CHECK_STR_EQ(oc_slugify(&a, "ΑΡΧΉ Ŵales Ārā Ёлка Ԁ Ạ Ÿ"), "αρχή-ŵales-ārā-ёлка-ԁ-ạ-ÿ");
    CHECK_STR_EQ(oc_slugify(&a, "Ĺ Ž Ա"), "ĺ-ž-ա");
    CHECK_STR_EQ(oc_slugify(&a, "日本語の見出し"), "日本語の見出し");
    oc_arena_free(&a);
}

static void test_code_info(void) {
    oc_memfile files[] = {
        F("bk/book.toml", ""),
        F("bk/src/SUMMARY.md", "- [C](c.md)\n"),
        F("bk/src/c.md", "```rust,ignore\nfn x() {}\n```\n\n```toml title=x\n```\n"),
        {NULL, NULL, 0}};
    oc_document doc;
    CHECK(load(&doc, "bk", files) == OC_OK);
    const oc_node *c = doc.chapters[0].root->first;
    CHECK(c && c->type == OC_CODE_BLOCK);
    CHECK_STR_EQ(c->info, "rust");
    CHECK_STR_EQ(c->fence_info, "rust,ignore");
    CHECK_STR_EQ(c->next->info, "toml");
    CHECK_STR_EQ(c->next->fence_info, "toml title=x");
    CHECK_STR_EQ(doc.meta.slug, "bk");
    oc_doc_free(&doc);
}

int main(void) {
    RUN(test_toml_values);
    RUN(test_toml_errors);
    RUN(test_summary);
    RUN(test_summary_errors);
    RUN(test_src_key);
    RUN(test_include_forms);
    RUN(test_include_line_map);
    RUN(test_include_errors);
    RUN(test_yaml_titles_and_links);
    RUN(test_slug_case);
    RUN(test_code_info);
    oc_diag_free(&diag);
    return harness_finish("test_mdbook");
}
