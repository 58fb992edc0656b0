/* Unit tests for syntax highlighting (src/doc/highlight.c and the code block
 * layout in src/layout/para.c): per language, a known snippet gives the
 * expected classes for its keywords, strings and comments; aliases and the
 * info string's first word; unknown languages stay plain; mdBook's hidden
 * Rust lines; the palettes' WCAG contrast against the code tint; print is
 * greys only; colour and face per token in the laid-out lines, across a
 * wrap. */
#include "harness.h"
#include "octavo/book.h"
#include "octavo/layout.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- highlighting a block ------------------------------------------------ */

typedef struct {
    oc_arena arena;
    oc_node n;
    char seq[4096]; /* "class:text|class:text|..." of every span but punctuation */
} hl;

static void run(hl *h, const char *info, const char *text) {
    oc_arena_init(&h->arena);
    memset(&h->n, 0, sizeof h->n);
    h->n.type = OC_CODE_BLOCK;
    h->n.info = info;
    h->n.text = text;
    h->n.len = strlen(text);
    oc_doc_highlight_block(&h->arena, &h->n, 1, NULL);
    size_t o = 0;
    h->seq[0] = '\0';
    for (int i = 0; i < h->n.nspans && o < sizeof h->seq - 1; i++) {
        const oc_hl_span *s = &h->n.spans[i];
        if (s->cls == OC_HL_PUNCTUATION) continue;
        int w = snprintf(h->seq + o, sizeof h->seq - o, "%s%s:%.*s", o ? "|" : "",
                         oc_hl_class_names[s->cls], (int)s->length, h->n.text + s->offset);
        if (w < 0) break;
        o += (size_t)w;
    }
}

static void done(hl *h) {
    oc_arena_free(&h->arena);
}

/* Spans are in order, never overlap, never cross a line break, stay in the text. */
static int spans_sane(const oc_node *n) {
    size_t end = 0;
    for (int i = 0; i < n->nspans; i++) {
        const oc_hl_span *s = &n->spans[i];
        if (s->offset < end || s->length == 0 || s->offset + s->length > n->len) return 0;
        if (memchr(n->text + s->offset, '\n', s->length)) return 0;
        if (s->cls == OC_HL_PLAIN || s->cls >= OC_HL_COUNT) return 0;
        end = s->offset + s->length;
    }
    return 1;
}

#define LANG(info, text, want)                                                                     \
    do {                                                                                           \
        hl h_;                                                                                     \
        run(&h_, info, text);                                                                      \
        CHECK(spans_sane(&h_.n));                                                                  \
        CHECK_STR_EQ(h_.seq, want);                                                                \
        done(&h_);                                                                                 \
    } while (0)

static void test_languages(void) {
    LANG("rust", "fn main() {\n    // hi\n    let s = \"x\";\n}\n",
         "keyword:fn|function:main|comment:// hi|keyword:let|string:\"x\"");
    LANG("js", "function f(a) { return \"x\" + 1; } // c\n",
         "keyword:function|function:f|keyword:return|string:\"x\"|number:1|comment:// c");
    LANG("ts", "interface P { x: number }\nconst s: string = 'q'; // c\n",
         "keyword:interface|type:number|keyword:const|type:string|string:'q'|comment:// c");
    LANG("python", "def f(x):\n    # c\n    return 'a'\n",
         "keyword:def|function:f|comment:# c|keyword:return|string:'a'");
    LANG("bash", "# c\nfor f in *; do echo \"$f\" $HOME; done\n",
         "comment:# c|keyword:for|keyword:in|keyword:do|string:\"$f\"|variable:$HOME|keyword:done");
    LANG("c", "#include <stdio.h>\nint main(void) { /* c */ return 0; }\n",
         "meta:#include|string:<stdio.h>|type:int|function:main|type:void|comment:/* "
         "c */|keyword:return|number:0");
    LANG("cpp", "class A { public: int x = 1; }; // c\n",
         "keyword:class|type:A|keyword:public|type:int|number:1|comment:// c");
    LANG("json", "{\"a\": \"b\", \"n\": 1, \"t\": true}\n",
         "property:\"a\"|string: \"b\"|property:\"n\"|number:1|property:\"t\"|keyword:true");
    LANG("yaml", "title: A Book # c\npages: 240\ndraft: false\n",
         "property:title|comment:# c|property:pages|number:240|property:draft|constant:false");
    LANG("toml", "[package]\nname = \"x\" # c\nv = 3\n",
         "keyword:[package]|property:name|string:\"x\"|comment:# c|property:v|number:3");
    LANG("html", "<!-- c -->\n<p class=\"x\">Hi</p>\n",
         "comment:<!-- c -->|keyword:<p|type:class|string:\"x\"|keyword:>|keyword:</p>");
    LANG("xml", "<a b=\"c\"><!-- c --></a>\n",
         "keyword:<a|type:b|string:\"c\"|keyword:>|comment:<!-- c -->|keyword:</a>");
    LANG("css", "/* c */\nbody { color: red; }\n", "comment:/* c */|property:color:|constant:red");
    LANG("sql", "SELECT a FROM t WHERE id = 'x'; -- c\n",
         "keyword:SELECT|keyword:FROM|keyword:WHERE|string:'x'|comment:-- c");
    LANG("go", "func main() { var s string = \"x\" // c\n}\n",
         "keyword:func|function:main|keyword:var|type:string|string:\"x\"|comment:// c");
    LANG("java", "public class A { /* c */ String s = \"q\"; }\n",
         "keyword:public|keyword:class|type:A|comment:/* c */|type:String|string:\"q\"");
}

/* The rest of the table: each definition loads (under the sanitizers too:
 * csharp.lang is the one whose parse leaks inside source-highlight) and
 * colours a keyword and a comment. */
static void test_more_languages(void) {
    LANG("csharp", "using System; // c\nclass A { }\n",
         "meta:using|comment:// c|keyword:class|type:A");
    LANG("ruby", "def f # c\n  'a'\nend\n", "keyword:def|comment:# c|string:'a'|keyword:end");
    LANG("perl", "my $x = 'a'; # c\n", "keyword:my|variable:$x|string:'a'|comment:# c");
    LANG("php", "<?php function f() { return 1; } // c\n",
         "keyword:function|function:f|keyword:return|number:1|comment:// c");
    LANG("lua", "local x = 'a' -- c\n", "keyword:local|string:'a'|comment:-- c");
    LANG("haskell", "main = do -- c\n  putStrLn \"a\"\n", "keyword:do|comment:-- c|string:\"a\"");
    LANG("scala", "object A { val s = \"q\" } // c\n",
         "keyword:object|keyword:val|keyword:=|string:\"q\"|comment:// c");
    LANG("diff", "--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n",
         "keyword:--- a|constant:+++ b|meta:@@ -1 +1 @@|keyword:-x|constant:+y");
    LANG("makefile", "all: x # c\n\tcc -o x x.c\n", "comment:# c");
    LANG("ini", "[s]\nk=v\n", "type:k");
}

static void test_aliases(void) {
    static const char *const pairs[][2] = {
        {"rust,ignore", "rust"},
        {"rust no_run", "rust"},
        {"rs", "rust"},
        {"js", "javascript"},
        {"JavaScript", "javascript"},
        {"ts", "typescript"},
        {"tsx", "typescript"},
        {"py", "python"},
        {"python3", "python"},
        {"sh", "bash"},
        {"shell", "bash"},
        {"console", "bash"},
        {"zsh", "bash"},
        {"h", "c"},
        {"c++", "cpp"},
        {"cc", "cpp"},
        {"jsonc", "json"},
        {"yml", "yaml"},
        {"toml", "toml"},
        {"htm", "html"},
        {"svg", "xml"},
        {"css", "css"},
        {"postgresql", "sql"},
        {"golang", "go"},
        {"java", "java"},
        {"{.rust}", "rust"},
    };
    for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++)
        CHECK_STR_EQ(oc_doc_code_language(pairs[i][0]), pairs[i][1]);
    CHECK(oc_doc_code_language("") == NULL);
    CHECK(oc_doc_code_language(NULL) == NULL);
    CHECK(oc_doc_code_language("text") == NULL);
    CHECK(oc_doc_code_language("brainfudge") == NULL);
    CHECK(oc_doc_code_language("javascripty") == NULL);
}

static void test_plain(void) {
    hl h;
    run(&h, "klingon", "fn main() { \"x\" }\n");
    CHECK(h.n.nspans == 0 && h.n.spans == NULL && h.n.lang == NULL);
    done(&h);
    run(&h, "", "fn main() {}\n");
    CHECK(h.n.nspans == 0 && h.n.lang == NULL);
    done(&h);
    /* off: no spans, but the language is known */
    oc_arena a;
    oc_arena_init(&a);
    oc_node n;
    memset(&n, 0, sizeof n);
    n.type = OC_CODE_BLOCK;
    n.info = "rust";
    n.text = "fn f() {}\n";
    n.len = strlen(n.text);
    oc_doc_highlight_block(&a, &n, 0, NULL);
    CHECK(n.nspans == 0 && n.spans == NULL);
    oc_arena_free(&a);
}

/* mdBook: "# " and a lone "#" hide the line, "##" shows "#"; spans move with
 * the text; a raw string opened on a hidden line still colours what follows. */
static void test_rust_hidden(void) {
    hl h;
    run(&h, "rust,ignore",
        "# use std::fmt;\n#\nfn main() {\n    ##[derive(Debug)]\n    let n = 1; // one\n  # "
        "let hidden = 2;\n}\n");
    CHECK_STR_EQ(h.n.text, "fn main() {\n    #[derive(Debug)]\n    let n = 1; // one\n}\n");
    CHECK(h.n.len == strlen(h.n.text));
    CHECK(spans_sane(&h.n));
    CHECK_STR_EQ(h.seq,
                 "keyword:fn|function:main|function:derive|keyword:let|number:1|comment:// one");
    done(&h);
    /* other languages keep their '#' lines */
    run(&h, "python", "# a comment\nx = 1\n");
    CHECK_STR_EQ(h.n.text, "# a comment\nx = 1\n");
    CHECK_STR_EQ(h.seq, "comment:# a comment|number:1");
    done(&h);
    /* #[attr] and #! are not hidden */
    run(&h, "rust", "#![allow(dead_code)]\n#[test]\nfn t() {}\n");
    CHECK_STR_EQ(h.n.text, "#![allow(dead_code)]\n#[test]\nfn t() {}\n");
    done(&h);
}

/* Multi-line state: a block comment's and a triple-quoted string's later
 * lines keep their class (python.lang takes the blank before """ along). */
static void test_multiline(void) {
    LANG("c", "/* one\n   two */ int x;\n", "comment:/* one|comment:   two */|type:int");
    LANG("python", "s = \"\"\"a\nb\"\"\"\nx = 1\n", "string: \"\"\"a|string:b\"\"\"|number:1");
}

/* A line over OC_HL_MAX_LINE bytes leaves the block plain (the regular
 * expressions are quadratic in a line); the book's budget runs out on a run
 * of dense long lines and refills with ordinary code. */
static void test_limits(void) {
    oc_arena a;
    oc_arena_init(&a);
    size_t L = OC_HL_MAX_LINE + 1;
    char *big = oc_arena_alloc(&a, L + 2);
    for (size_t i = 0; i < L; i++)
        big[i] = i % 4 == 0 ? 'a' : i % 4 == 2 ? '+' : ' ';
    big[L] = '\n';
    oc_node n;
    memset(&n, 0, sizeof n);
    n.type = OC_CODE_BLOCK;
    n.info = "rust";
    n.text = big;
    n.len = L + 1;
    double budget = OC_HL_BUDGET0;
    CHECK(oc_doc_highlight_block(&a, &n, 1, &budget) == 1);
    CHECK(n.nspans == 0 && n.lang && strcmp(n.lang, "rust") == 0);
    CHECK(oc_doc_highlight_block(&a, &n, 1, NULL) == 1); /* the line cap holds without a budget */
    /* lines just under the cap: the budget lets a few blocks through, then says no */
    big[OC_HL_MAX_LINE - 1] = '\n';
    int done_blocks = 0, refused = 0;
    for (int k = 0; k < 40; k++) {
        memset(&n, 0, sizeof n);
        n.type = OC_CODE_BLOCK;
        n.info = "rust";
        n.text = big;
        n.len = OC_HL_MAX_LINE;
        if (oc_doc_highlight_block(&a, &n, 1, &budget))
            refused++;
        else
            done_blocks += n.nspans > 0;
    }
    CHECK(done_blocks >= 20 && refused >= 5);
    /* ordinary code refills it */
    budget = 0;
    hl h;
    run(&h, "rust", "fn main() { let x = 1; }\n");
    CHECK(h.n.nspans > 0);
    done(&h);
    const char *ordinary =
        "fn main() {\n    let total = items.iter().map(|x| x * 2).sum::<u32>();\n}\n";
    memset(&n, 0, sizeof n);
    n.type = OC_CODE_BLOCK;
    n.info = "rust";
    n.text = ordinary;
    n.len = strlen(ordinary);
    CHECK(oc_doc_highlight_block(&a, &n, 1, &budget) == 0 && n.nspans > 0);
    oc_arena_free(&a);
}

/* ---- the palettes ------------------------------------------------------------ */

static double lin(double c) {
    return c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4);
}
static double lum_rgb(double r, double g, double b) {
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}
static double lum(uint32_t rgb) {
    return lum_rgb(((rgb >> 16) & 0xFF) / 255.0, ((rgb >> 8) & 0xFF) / 255.0, (rgb & 0xFF) / 255.0);
}
static double ratio(double l1, double l2) {
    return l1 > l2 ? (l1 + 0.05) / (l2 + 0.05) : (l2 + 0.05) / (l1 + 0.05);
}

static void test_contrast(void) {
    double tint = lum_rgb(oc_code_tint.r, oc_code_tint.g, oc_code_tint.b);
    double epub_light = lum_rgb(0.9 + 0.1 * 128 / 255.0, 0.9 + 0.1 * 128 / 255.0,
                                0.9 + 0.1 * 128 / 255.0); /* 10% grey over white */
    double epub_dark = lum(0x262626);                     /* a night page with the tint */
    double worst = 100;
    for (int c = 0; c < OC_HL_COUNT; c++) {
        double r1 = ratio(lum(oc_hl_theme_light[c].rgb), tint);
        double r2 = ratio(lum(oc_hl_theme_print[c].rgb), tint);
        double r3 = ratio(lum(oc_hl_theme_light[c].rgb), epub_light);
        double r4 = ratio(lum(oc_hl_theme_dark[c].rgb), epub_dark);
        if (r1 < 4.5 || r2 < 4.5 || r3 < 4.5 || r4 < 4.5)
            fprintf(stderr, "  %s: %.2f %.2f %.2f %.2f\n", oc_hl_class_names[c], r1, r2, r3, r4);
        CHECK(r1 >= 4.5); /* WCAG 2.1 AA, normal text (code is small) */
        CHECK(r2 >= 4.5);
        CHECK(r3 >= 4.5);
        CHECK(r4 >= 4.5);
        if (r1 < worst) worst = r1;
    }
    fprintf(stderr, "  lowest screen contrast on the code tint: %.2f:1\n", worst);
    /* the screen theme tells its classes apart by colour: at least 8 hues */
    int distinct = 0;
    for (int c = 0; c < OC_HL_COUNT; c++) {
        int seen = 0;
        for (int d = 0; d < c; d++)
            seen |= oc_hl_theme_light[d].rgb == oc_hl_theme_light[c].rgb;
        distinct += !seen;
    }
    CHECK(distinct >= 8);
    /* print: black and greys only; keywords bold, comments italic */
    for (int c = 0; c < OC_HL_COUNT; c++) {
        uint32_t v = oc_hl_theme_print[c].rgb;
        CHECK(((v >> 16) & 0xFF) == ((v >> 8) & 0xFF) && ((v >> 8) & 0xFF) == (v & 0xFF));
    }
    CHECK(oc_hl_theme_print[OC_HL_KEYWORD].bold);
    CHECK(oc_hl_theme_print[OC_HL_COMMENT].italic);
}

/* ---- layout: colour and face per token, across a wrap -------------------------- */

static int same_colour(oc_color c, uint32_t rgb) {
    return fabs(c.r - ((rgb >> 16) & 0xFF) / 255.0) < 0.002 &&
           fabs(c.g - ((rgb >> 8) & 0xFF) / 255.0) < 0.002 &&
           fabs(c.b - (rgb & 0xFF) / 255.0) < 0.002;
}

/* The colour byte `off` of a run's text is drawn in. */
static oc_color colour_at(const oc_run *run, size_t off) {
    if (!run->colours) return run->color;
    const oc_colour_at *c = run->colours;
    while (c[1].at <= off)
        c++;
    return c->color;
}

static void test_layout(void) {
    const char *md = "```rust\nfn main() { let s = \"a string long enough to wrap more than once "
                     "at a narrow measure, every piece of it\"; } // end\n```\n";
    oc_document doc;
    oc_diag diag;
    oc_diag_init(&diag, NULL);
    static const oc_memfile none[] = {{NULL, NULL, 0}};
    oc_io io;
    oc_io_memory(&io, none);
    oc_fontset *fonts = NULL;
    int ok = oc_book_load_string(&doc, "book.md", md, strlen(md), &io, &diag) == OC_OK &&
             oc_fonts_load(&fonts, OCTAVO_FONTS_DIR, &diag) == OC_OK;
    CHECK(ok);
    if (!ok) return;
    const oc_node *code = doc.chapters[0].root->first;
    oc_doc_highlight_wait(&doc, 0); /* (highlighted in the background) */
    CHECK(code && code->type == OC_CODE_BLOCK && code->nspans > 0);
    oc_arena arena;
    oc_arena_init(&arena);
    oc_para_ctx ctx;
    memset(&ctx, 0, sizeof ctx);
    ctx.arena = &arena;
    ctx.fonts = fonts;
    ctx.diag = &diag;
    ctx.doc = &doc;
    ctx.file = "book.md";
    for (int print = 0; print <= 1; print++) {
        const oc_hl_style *th = print ? oc_hl_theme_print : oc_hl_theme_light;
        oc_para_style st;
        memset(&st, 0, sizeof st);
        st.font = OC_FONT_MONO;
        st.size = 8.8;
        st.leading = 11.6;
        st.code_theme = th;
        oc_para p;
        CHECK(oc_para_layout(&ctx, code, &st, 200, &p) == OC_OK);
        CHECK(p.nlines >= 3);
        int kw = 0, str_lines = 0, comment = 0, changes = 0;
        for (int l = 0; l < p.nlines; l++) {
            int has_str = 0;
            for (int r = 0; r < p.lines[l].nruns; r++) {
                const oc_run *run = &p.lines[l].runs[r];
                if (run->len >= 2 && memcmp(run->text, "fn", 2) == 0)
                    kw = same_colour(colour_at(run, 0), th[OC_HL_KEYWORD].rgb) &&
                         run->font == (print ? OC_FONT_MONO_BOLD : OC_FONT_MONO);
                for (size_t o = 0; o < run->len; o++)
                    if ((run->text[o] == 'w' || run->text[o] == '"') &&
                        same_colour(colour_at(run, o), th[OC_HL_STRING].rgb))
                        has_str = 1;
                if (run->colours) {
                    /* changes in order, after the first at 0, the last the end */
                    const oc_colour_at *c = run->colours;
                    int in_order = c[0].at == 0;
                    for (; c[1].at != UINT32_MAX; c++) {
                        in_order = in_order && c[1].at > c[0].at && c[1].at < run->len &&
                                   run->text[c[1].at] != ' ';
                        changes++;
                    }
                    CHECK(in_order);
                }
                if (run->len >= 6 && memcmp(run->text, "// end", 6) == 0)
                    comment = same_colour(run->color, th[OC_HL_COMMENT].rgb) &&
                              run->font == OC_FONT_MONO_ITALIC;
            }
            str_lines += has_str;
        }
        CHECK(kw);
        CHECK(comment);
        CHECK(str_lines >= 2); /* the string keeps its colour on the continuation lines */
        /* a line's tokens of one face share a run, their colours changing
         * inside it (on screen: "fn", "main", "let" and the string's start) */
        if (!print) CHECK(changes >= 3);
    }
    /* without a theme every token is drawn in the text colour */
    oc_para_style st;
    memset(&st, 0, sizeof st);
    st.font = OC_FONT_MONO;
    st.size = 8.8;
    st.leading = 11.6;
    oc_para p;
    CHECK(oc_para_layout(&ctx, code, &st, 200, &p) == OC_OK);
    int coloured = 0;
    for (int l = 0; l < p.nlines; l++)
        for (int r = 0; r < p.lines[l].nruns; r++)
            coloured += p.lines[l].runs[r].color.r != 0 || p.lines[l].runs[r].font != OC_FONT_MONO;
    CHECK(coloured == 0 || p.nlines == 0);
    oc_arena_free(&arena);
    oc_fonts_free(fonts);
    oc_doc_free(&doc);
    oc_diag_free(&diag);
}

int main(void) {
    RUN(test_languages);
    RUN(test_more_languages);
    RUN(test_aliases);
    RUN(test_plain);
    RUN(test_rust_hidden);
    RUN(test_multiline);
    RUN(test_limits);
    RUN(test_contrast);
    RUN(test_layout);
    return harness_finish("test_highlight");
}
