/* The EPUB renderer over Documents from the real parser (oc_book_load_string):
 * golden Markdown -> XHTML, hostile input, and a seeded random sweep checking
 * that the output is always balanced, escaped, valid UTF-8 and script-free. */
#include "harness.h"
#include "octavo/book.h"
#include "octavo/epub.h"

#include <stdlib.h>
#include <string.h>

/* Parses `md` as a one-file book and returns chapter 0's XHTML body. */
static char *render(const char *md) {
    oc_document doc;
    oc_diag diag;
    memset(&doc, 0, sizeof doc);
    oc_diag_init(&diag, NULL);
    oc_buf b;
    oc_buf_init(&b);
    oc_status st = oc_book_load_string(&doc, "t.md", md, strlen(md), NULL, &diag);
    if (st == OC_OK && doc.nchapters > 0) oc_epub_chapter_body(&doc, 0, &b);
    oc_doc_free(&doc);
    oc_diag_free(&diag);
    return oc_buf_detach(&b, NULL);
}

/* A small XML check for our own output: tags nest and close, attributes are
 * quoted, every '&' starts one of the entities we emit, no raw '<' in text,
 * no control characters, valid UTF-8. Returns NULL or what is wrong. */
static const char *xml_problem(const char *s) {
    static char why[128];
    const char *stack[4096];
    size_t len[4096];
    int sp = 0;
    if (oc_utf8_find_invalid(s, strlen(s)) != (size_t)-1) return "invalid UTF-8";
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 && c != '\n' && c != '\t') return "control character";
        if (c == '&') {
            if (strncmp(p, "&amp;", 5) && strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) &&
                strncmp(p, "&quot;", 6))
                return "bare &";
            continue;
        }
        if (c == '>') return "bare > in text";
        if (c != '<') continue;
        int closing = p[1] == '/';
        const char *name = p + 1 + closing;
        size_t n = strcspn(name, " />");
        if (n == 0) return "empty tag name";
        const char *q = name + n;
        while (*q && *q != '>') { /* attributes must be quoted and hold no '<' */
            if (*q == '<') return "< inside a tag";
            if (*q == '=') {
                if (q[1] != '"') return "unquoted attribute";
                const char *end = strchr(q + 2, '"');
                if (!end) return "unterminated attribute";
                for (const char *a = q + 2; a < end; a++)
                    if (*a == '<') return "< inside an attribute";
                q = end;
            }
            q++;
        }
        if (!*q) return "unterminated tag";
        int selfclose = q[-1] == '/';
        if (closing) {
            if (sp == 0 || len[sp - 1] != n || strncmp(stack[sp - 1], name, n)) {
                snprintf(why, sizeof why, "mismatched </%.*s>", (int)n, name);
                return why;
            }
            sp--;
        } else if (!selfclose) {
            if (sp == 4096) return "too deep for the checker";
            stack[sp] = name;
            len[sp++] = n;
        }
        p = q;
    }
    return sp ? "unclosed element" : NULL;
}

static void test_checker(void) {
    /* the checker itself catches what it claims to */
    CHECK(xml_problem("<p>a</p>\n") == NULL);
    CHECK(xml_problem("<p>a</b>") != NULL);
    CHECK(xml_problem("<p>a") != NULL);
    CHECK(xml_problem("<p>a & b</p>") != NULL);
    CHECK(xml_problem("<p>a > b</p>") != NULL);
    CHECK(xml_problem("<a href=x>b</a>") != NULL);
    CHECK(xml_problem("<p>\x01</p>") != NULL);
    CHECK(xml_problem("<p>\xff</p>") != NULL);
}

static void test_golden(void) {
    char *x = render("# Title\n\nSome *em* and **strong** & `co<de>`.\n\n"
                     "- [x] done\n- [ ] open\n\n"
                     "| a | b |\n|:--|--:|\n| 1 | 2 |\n");
    CHECK_STR_EQ(
        x, "<section epub:type=\"chapter\" role=\"doc-chapter\">\n"
           "<h1 id=\"title\">Title</h1>\n"
           "<p>Some <em>em</em> and <strong>strong</strong> &amp; "
           "<code>co&lt;de&gt;</code>.</p>\n"
           "<ul class=\"task-list\">\n"
           "<li class=\"task\"><span class=\"task-box\">\xE2\x98\x91</span> done</li>\n"
           "<li class=\"task\"><span class=\"task-box\">\xE2\x98\x90</span> open</li>\n"
           "</ul>\n"
           "<div class=\"table-wrap\" role=\"region\" tabindex=\"0\" aria-label=\"Table 1\">\n"
           "<table>\n<thead>\n"
           "<tr><th class=\"al-left\">a</th><th class=\"al-right\">b</th></tr>\n"
           "</thead>\n<tbody>\n"
           "<tr><td class=\"al-left\">1</td><td class=\"al-right\">2</td></tr>\n"
           "</tbody>\n</table>\n</div>\n"
           "</section>\n");
    CHECK(xml_problem(x) == NULL);
    free(x);
}

static void test_hostile(void) {
    char *x = render("# H\n\n<script>alert(1)</script>\n\n"
                     "<img src=https://example.com/x.png alt=pic onerror=alert(1)>\n\n"
                     "[a](javascript:alert(1)) [b](JAVASCRIPT:alert(2)) "
                     "[c](&#106;avascript:alert(3)) <javascript:alert(4)> "
                     "[d](vbscript:x) [e](data:text/html;base64,PHNjcmlwdD4=) "
                     "[f](file:///etc/passwd) <a href=\"javascript:alert(5)\">g</a> "
                     "[ok](https://example.com/?q=<x>&r=\"y\")\n\n"
                     "ctrl\x01\x02\x1b[31m and \x7f del\n");
    const char *why = xml_problem(x);
    CHECK(why == NULL);
    if (why) fprintf(stderr, "  %s in:\n%s\n", why, x);
    CHECK_NOT_CONTAINS(x, "<script");
    CHECK_NOT_CONTAINS(x, "<img src=\"x\"");
    CHECK_NOT_CONTAINS(x, "href=\"javascript");
    CHECK_NOT_CONTAINS(x, "href=\"JAVASCRIPT");
    CHECK_NOT_CONTAINS(x, "href=\"vbscript");
    CHECK_NOT_CONTAINS(x, "href=\"data:");
    CHECK_NOT_CONTAINS(x, "href=\"file:");
    /* raw HTML goes through the HTML parser: script removed with its
     * content, the remote image's alt text stands in, no event handler */
    CHECK_NOT_CONTAINS(x, "alert(1)</");
    CHECK_NOT_CONTAINS(x, "onerror");
    CHECK_CONTAINS(x, "<span class=\"img-alt\">pic</span>");
    /* the words of neutralised links stay */
    CHECK_CONTAINS(x, ">a b c ");
    CHECK_CONTAINS(x, "<a href=\"https://example.com/?q=%3Cx%3E&amp;r=%22y%22\">ok</a>");
    CHECK_CONTAINS(x, "ctrl[31m and  del");
    free(x);
}

static void test_notes_and_links(void) {
    char *x = render("# Top\n\n## Two words\n\nText[^a] more[^b] again[^a].\n\n"
                     "See [above](#two-words).\n\n"
                     "[^a]: Note A.\n[^b]: Note B with [link](https://example.org).\n");
    CHECK(xml_problem(x) == NULL);
    CHECK_CONTAINS(x, "<h2 id=\"two-words\">Two words</h2>");
    CHECK_CONTAINS(x, "id=\"fnref-1\">1</a>");
    CHECK_CONTAINS(x, "id=\"fnref-2\">2</a>");
    CHECK_CONTAINS(x, "id=\"fnref-1-2\">1</a>");
    CHECK_CONTAINS(x, "<aside epub:type=\"footnote\" role=\"doc-footnote\" id=\"fn-1\">");
    CHECK_CONTAINS(x, "<a href=\"#fnref-1-2\" role=\"doc-backlink\">");
    CHECK_CONTAINS(x, "Note B with <a href=\"https://example.org\">link</a>.");
    CHECK_CONTAINS(x, "#two-words\">above</a>");
    /* each id once */
    const char *ids[] = {"id=\"fnref-1\"", "id=\"fnref-1-2\"", "id=\"fn-1\"", "id=\"fn-2\""};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++) {
        const char *at = strstr(x, ids[i]);
        CHECK(at && !strstr(at + 1, ids[i]));
    }
    free(x);
}

/* A deterministic stream of Markdown-ish bytes. */
static unsigned long long rng = 0x9E3779B97F4A7C15ULL;
static unsigned next_rand(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng >> 32);
}

static void test_random_sweep(void) {
    static const char *pieces[] = {"# ",
                                   "## ",
                                   "\n",
                                   "\n\n",
                                   "*",
                                   "_",
                                   "**",
                                   "`",
                                   "```",
                                   "~~",
                                   "> ",
                                   "- ",
                                   "1. ",
                                   "- [ ] ",
                                   "| ",
                                   " | ",
                                   "|--|--|\n",
                                   "[",
                                   "](",
                                   ")",
                                   "![",
                                   "[^n]",
                                   "[^n]: ",
                                   "<",
                                   ">",
                                   "&",
                                   "&amp;",
                                   "&#0;",
                                   "\"",
                                   "'",
                                   "<script>",
                                   "</div>",
                                   "<!--",
                                   "-->",
                                   "javascript:",
                                   "http://x.y/",
                                   "\\",
                                   "    ",
                                   "\t",
                                   "\x01",
                                   "\x7f",
                                   "\xC2\x85",
                                   "\xEF\xBF\xBE",
                                   "\xFF",
                                   "\xE2\x82",
                                   "word",
                                   "\xCE\xB1\xCE\xB2",
                                   "\xF0\x9F\x98\x80",
                                   "---\n",
                                   "***",
                                   "&lt;",
                                   "<br>",
                                   "\r\n",
                                   "&#x1F600;",
                                   "&#xFFFE;"};
    const size_t npieces = sizeof pieces / sizeof *pieces;
    int bad = 0;
    for (int round = 0; round < 400 && bad < 3; round++) {
        oc_buf md;
        oc_buf_init(&md);
        int n = 1 + (int)(next_rand() % 120);
        for (int i = 0; i < n; i++)
            oc_buf_puts(&md, pieces[next_rand() % npieces]);
        char *x = render(md.data);
        const char *why = xml_problem(x);
        if (why || strstr(x, "<script") || strstr(x, "href=\"javascript")) {
            bad++;
            fprintf(stderr, "  round %d: %s\n  input: %s\n  output: %s\n", round,
                    why ? why : "script or javascript link", md.data, x);
        }
        free(x);
        oc_buf_free(&md);
    }
    CHECK(bad == 0);
}

int main(void) {
    RUN(test_checker);
    RUN(test_golden);
    RUN(test_hostile);
    RUN(test_notes_and_links);
    RUN(test_random_sweep);
    return harness_finish("test_epub_parse");
}
