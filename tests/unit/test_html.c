/* Raw HTML through gumbo into Document nodes (src/doc/html.c): cmark-gfm's
 * pieces paired, the allowlist mapped, everything else unwrapped, dangerous
 * elements and attributes removed with one warning per kind, anchors as
 * link targets in both editions, deep nesting bounded. */
#include "harness.h"
#include "octavo/book.h"
#include "octavo/epub.h"
#include "octavo/layout.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    oc_document doc;
    oc_diag diag;
    int ok;
    char *png;
} book;

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = malloc(1 << 20);
    *len = fread(buf, 1, 1 << 20, f);
    fclose(f);
    return buf;
}

/* A one-file book from `md`, with logo.png served from memory. */
static void load(book *b, const char *md) {
    memset(b, 0, sizeof *b);
    oc_diag_init(&b->diag, NULL);
    size_t n = 0;
    b->png = read_file(OCTAVO_SOURCE_DIR "/tests/fixtures/multi/images/chart.png", &n);
    oc_memfile files[] = {{"logo.png", b->png, n}, {NULL, NULL, 0}};
    oc_io io;
    oc_io_memory(&io, files);
    b->ok = oc_book_load_string(&b->doc, "t.md", md, strlen(md), &io, &b->diag) == OC_OK;
}

static void unload(book *b) {
    oc_doc_free(&b->doc);
    oc_diag_free(&b->diag);
    free(b->png);
}

static char *xhtml(book *b) {
    oc_buf out;
    oc_buf_init(&out);
    if (b->ok) oc_epub_chapter_body(&b->doc, 0, &out);
    return oc_buf_detach(&out, NULL);
}

/* The first node of type t in the chapter (pre-order), or NULL. */
static const oc_node *find(const book *b, oc_node_type t) {
    const oc_node *root = b->doc.chapters[0].root;
    for (const oc_node *n = root; n; n = oc_node_next(root, n, 1))
        if (n->type == t) return n;
    return NULL;
}

static int count(const book *b, oc_node_type t) {
    int k = 0;
    const oc_node *root = b->doc.chapters[0].root;
    for (const oc_node *n = root; n; n = oc_node_next(root, n, 1))
        k += n->type == t;
    return k;
}

static int messages(const oc_diag *d, const char *needle) {
    int k = 0;
    for (size_t i = 0; i < d->count; i++)
        k += strstr(d->items[i].message, needle) != NULL;
    return k;
}

/* <kbd>, text, </kbd> arrive as three cmark nodes: one key again. */
static void test_pairing(void) {
    book b;
    load(&b, "# T\n\nPress <kbd>Ctrl</kbd>+<kbd>C</kbd> now.\n\nAn <b>open tag\nrunning on\n\n"
             "Plain after.\n");
    CHECK(b.ok);
    CHECK(count(&b, OC_KBD) == 2);
    const oc_node *k = find(&b, OC_KBD);
    CHECK(k && k->first && k->first->type == OC_TEXT && strcmp(k->first->text, "Ctrl") == 0);
    CHECK(k && k->next && k->next->type == OC_TEXT && strncmp(k->next->text, "+", 1) == 0);
    CHECK(count(&b, OC_HTML_INLINE) == 0 && count(&b, OC_HTML_BLOCK) == 0);
    /* an unclosed element closes at the end of its block */
    const oc_node *s = find(&b, OC_STRONG);
    CHECK(s && s->parent->type == OC_PARAGRAPH && s->parent->next &&
          s->parent->next->type == OC_PARAGRAPH && s->parent->next->first->type == OC_TEXT);
    char *x = xhtml(&b);
    CHECK_CONTAINS(x, "Press <kbd>Ctrl</kbd>+<kbd>C</kbd> now.");
    CHECK_CONTAINS(x, "An <strong>open tag\nrunning on</strong></p>");
    CHECK_CONTAINS(x, "<p>Plain after.</p>");
    free(x);
    unload(&b);
}

static void test_allowlist(void) {
    book b;
    load(&b, "# T\n\nE = mc<sup>2</sup>, H<sub>2</sub>O, <mark>hi</mark>, <small>s</small>, "
             "<abbr title=\"HyperText Markup\">HTML</abbr>, <q>quoted</q>, <ins>in</ins>, "
             "<del>out</del>, <i>it</i>, <b>bo</b>, <code>a&lt;b</code>.<br>Next\n\n"
             "<dl>\n<dt>Term</dt>\n<dd>Meaning</dd>\n</dl>\n\n"
             "<blockquote>Quoted <em>block</em></blockquote>\n\n"
             "<ol start=\"3\"><li>three</li><li>four</li></ol>\n\n"
             "<h2 align=\"center\">Centred</h2>\n\n<pre><code class=\"language-c\">int x;\n"
             "</code></pre>\n\n<hr>\n");
    CHECK(b.ok);
    char *x = xhtml(&b);
    CHECK_CONTAINS(x,
                   "mc<sup>2</sup>, H<sub>2</sub>O, <mark>hi</mark>, <small>s</small>, "
                   "<abbr title=\"HyperText Markup\">HTML</abbr>, <q>quoted</q>, <u>in</u>, "
                   "<del>out</del>, <em>it</em>, <strong>bo</strong>, <code>a&lt;b</code>.<br/>");
    CHECK_CONTAINS(x, "<dl>\n<dt>Term</dt>\n<dd>\n<p>Meaning</p>\n</dd>\n</dl>");
    CHECK_CONTAINS(x, "<blockquote>\n<p>Quoted <em>block</em></p>\n</blockquote>");
    CHECK_CONTAINS(x, "<ol start=\"3\">\n<li>three</li>\n<li>four</li>\n</ol>");
    CHECK_CONTAINS(x, "<h2 class=\"al-center\" id=\"centred\">Centred</h2>");
    /* highlighted like a fenced block of the same language */
    CHECK_CONTAINS(x, "<pre><code class=\"language-c\"><span class=\"type\">int</span> "
                      "x;\n</code></pre>"); /* (punctuation is plain) */
    CHECK_CONTAINS(x, "<hr/>");
    /* h2 from HTML is in the outline like a Markdown heading */
    int found = 0;
    for (int i = 0; i < b.doc.noutline; i++)
        found |= strcmp(b.doc.outline[i].text, "Centred") == 0;
    CHECK(found);
    free(x);
    unload(&b);
}

/* Unknown elements are unwrapped: their text stays, the tags go. */
static void test_unwrap(void) {
    book b;
    load(&b, "# T\n\n<Listing>code listing</Listing> and <span class=\"x\" data-y=1>span "
             "text</span> and <font color=red>font</font>.\n\n<section>\n<article>Inside "
             "<custom-el>custom</custom-el></article>\n</section>\n");
    CHECK(b.ok);
    char *x = xhtml(&b);
    CHECK_CONTAINS(x, "<p>code listing and span text and font.</p>");
    CHECK_CONTAINS(x, "<p>Inside custom</p>");
    CHECK_NOT_CONTAINS(x, "Listing");
    CHECK_NOT_CONTAINS(x, "class=\"x\"");
    CHECK_NOT_CONTAINS(x, "data-y");
    CHECK_NOT_CONTAINS(x, "&lt;");
    CHECK(b.diag.warnings == 0);
    free(x);
    unload(&b);
}

static void test_removed(void) {
    book b;
    load(&b,
         "# T\n\nBefore.\n\n<script>alert('s1')</script>\n\n<script>alert('s2')</script>\n\n"
         "<style>p{color:red}</style>\n<iframe src=\"https://x\">IFRAMETEXT</iframe>\n"
         "<object data=\"x\">OBJECTTEXT</object><embed src=\"x\">\n"
         "<form action=\"/x\">FORMTEXT<input value=INPUTTEXT><button>BUTTONTEXT</button>"
         "<select><option>OPTIONTEXT</option></select><textarea>TEXTAREATEXT</textarea></form>\n"
         "<template>TEMPLATETEXT</template><noscript>NOSCRIPTTEXT</noscript>\n"
         "<base href=\"https://evil/\"><meta http-equiv=refresh><link rel=x href=y>\n"
         "<button onclick=\"alert(9)\">BUTTONTEXT</button>\n\n"
         "<p onclick=\"alert(1)\" onmouseover=\"alert(2)\" style=\"color:red\">Kept "
         "<a href=\" javascript:alert(3)\">js</a> <a href=\"VBScript:x\">vb</a> "
         "<a href=\"data:text/html,x\">data</a> <img src=\"data:image/png;base64,AAAA\" "
         "alt=\"dataimg\"> <!-- a comment --> &copy; &nbsp;&#x41;&amp;</p>\n\nAfter.\n");
    CHECK(b.ok);
    char *x = xhtml(&b);
    const char *gone[] = {"alert",        "IFRAMETEXT",   "OBJECTTEXT", "FORMTEXT",
                          "INPUTTEXT",    "BUTTONTEXT",   "OPTIONTEXT", "TEXTAREATEXT",
                          "TEMPLATETEXT", "NOSCRIPTTEXT", "color",      "evil",
                          "refresh",      "onclick",      "javascript", "vbscript",
                          "data:",        "comment",      "<img",       "<a "};
    for (size_t i = 0; i < sizeof gone / sizeof *gone; i++)
        CHECK_NOT_CONTAINS(x, gone[i]);
    /* the words of neutralised links and images stay; entities decoded */
    CHECK_CONTAINS(x, "<p>Kept js vb data dataimg  \xC2\xA9 \xC2\xA0"
                      "A&amp;</p>");
    CHECK_CONTAINS(x, "<p>Before.</p>");
    CHECK_CONTAINS(x, "<p>After.</p>");
    /* one warning per chapter and kind, at its first line */
    CHECK(messages(&b.diag, "<script>") == 1);
    CHECK(oc_diag_contains(&b.diag, "t.md:5:1: warning: HTML <script> element") ||
          messages(&b.diag, "<script>") == 1);
    CHECK(messages(&b.diag, "event handler") == 1);
    CHECK(messages(&b.diag, "style attributes") == 1);
    CHECK(messages(&b.diag, "'javascript:'") == 1);
    CHECK(messages(&b.diag, "'vbscript:'") == 1);
    CHECK(messages(&b.diag, "'data:'") == 1);
    /* controls inside the form went with it; these stand alone */
    const char *kinds[] = {"<style>",    "<iframe>",   "<object>", "<embed>", "<form>", "<button>",
                           "<template>", "<noscript>", "<base>",   "<meta>",  "<link>"};
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
        int k = messages(&b.diag, kinds[i]);
        CHECK(k == 1);
        if (k != 1) fprintf(stderr, "  %s: %d warnings\n", kinds[i], k);
    }
    CHECK(b.diag.errors == 0);
    free(x);
    unload(&b);
}

/* <a id> and <a name> are targets: ids unique in the book, reached by
 * Markdown links, a span id in the EPUB and a destination in the PDF. */
static void test_anchors(void) {
    book b;
    load(&b, "<a id=\"top\"></a>\n\n# Real Title\n\nSee [below](#later), [top](#top) and "
             "<a href=\"#later\">html link</a>.\n\nText <a name=\"later\"></a>here.\n");
    CHECK(b.ok);
    const oc_chapter *ch = &b.doc.chapters[0];
    CHECK(ch->title && strcmp(ch->title, "Real Title") == 0);
    CHECK(ch->root->first && ch->root->first->type == OC_HEADING);
    int internal = 0;
    const oc_node *root = ch->root;
    for (const oc_node *n = root; n; n = oc_node_next(root, n, 1))
        if (n->type == OC_LINK && n->link_kind == OC_LINK_INTERNAL && n->target_id) internal++;
    CHECK(internal == 3);
    char *x = xhtml(&b);
    CHECK_CONTAINS(x, "<h1 id=\"real-title\"><span id=\"top\"></span>Real Title</h1>");
    CHECK_CONTAINS(x, "Text <span id=\"later\"></span>here.");
    CHECK_CONTAINS(x, "<a href=\"ch01.xhtml#later\">below</a>");
    CHECK_CONTAINS(x, "<a href=\"ch01.xhtml#later\">html link</a>");
    free(x);
    /* the PDF: a destination named after each anchor */
    oc_fontset *fonts = NULL;
    oc_layout lay;
    memset(&lay, 0, sizeof lay);
    CHECK(oc_fonts_load(&fonts, OCTAVO_FONTS_DIR, &b.diag) == OC_OK);
    oc_layout_options o = {"a4", 0, NULL};
    CHECK(fonts && oc_layout_run(&b.doc, &o, fonts, &lay, &b.diag) == OC_OK);
    int top = 0, later = 0, kbdlike = 0;
    for (size_t p = 0; p < lay.npages; p++)
        for (size_t i = 0; i < lay.pages[p].nitems; i++) {
            const oc_item *it = &lay.pages[p].items[i];
            if (it->kind == OC_ITEM_DEST && it->dest && !strcmp(it->dest, "top")) top++;
            if (it->kind == OC_ITEM_DEST && it->dest && !strcmp(it->dest, "later")) later++;
            if (it->kind == OC_ITEM_LINK && it->dest && !strcmp(it->dest, "later")) kbdlike++;
        }
    CHECK(top == 1 && later == 1 && kbdlike == 2);
    oc_layout_free(&lay);
    if (fonts) oc_fonts_free(fonts);
    unload(&b);
}

static void test_images(void) {
    book b;
    load(&b,
         "# T\n\n<p align=\"center\">\n  <a href=\"https://example.com\"><img src=\"logo.png\" "
         "alt=\"Logo\" width=\"120\" onerror=\"x()\"></a>\n</p>\n\n<figure>\n  <img "
         "src=\"logo.png\" alt=\"Chart\">\n  <figcaption>Sales by <em>quarter</em></figcaption>\n"
         "</figure>\n\n<picture><source srcset=\"x.webp\"><img src=\"logo.png\" "
         "alt=\"pic\" title=\"Pictured\"></picture>\n\n<video src=\"v.mp4\">Your reader "
         "shows <b>no</b> video.</video>\n");
    CHECK(b.ok);
    const oc_node *img = find(&b, OC_IMAGE);
    CHECK(img && img->asset && img->img_width == 120 && img->parent->type == OC_PARAGRAPH &&
          img->parent->halign == OC_ALIGN_CENTER && img->parent->first == img && !img->next);
    CHECK(count(&b, OC_IMAGE) == 3);
    CHECK(b.doc.nfigures == 2);
    char *x = xhtml(&b);
    CHECK_CONTAINS(x, "<p class=\"al-center\"><img src=\"../images/");
    CHECK_CONTAINS(x, "alt=\"Logo\" width=\"120\"/></p>");
    CHECK_CONTAINS(x, "<figcaption><span class=\"fig-label\">Figure 1.</span> Sales by "
                      "quarter</figcaption>");
    CHECK_CONTAINS(x, "<span class=\"fig-label\">Figure 2.</span> Pictured</figcaption>");
    CHECK_CONTAINS(x, "Your reader shows <strong>no</strong> video.");
    CHECK_NOT_CONTAINS(x, "webp");
    CHECK_NOT_CONTAINS(x, "onerror");
    CHECK(messages(&b.diag, "<video>") == 1);
    free(x);
    unload(&b);
}

/* Markdown between the lines of an HTML block keeps working. */
static void test_markdown_inside(void) {
    book b;
    load(&b, "# T\n\n<details>\n<summary>More <b>info</b></summary>\n\nHidden **markdown** "
             "with a [link](#t).\n\n- a list\n\n</details>\n\n<div align=\"center\">\n\n"
             "Centred *paragraph*.\n\n</div>\n");
    CHECK(b.ok);
    const oc_node *d = find(&b, OC_DETAILS);
    CHECK(d && d->first && d->first->type == OC_SUMMARY && d->first->next &&
          d->first->next->type == OC_PARAGRAPH && d->last->type == OC_LIST);
    char *x = xhtml(&b);
    CHECK_CONTAINS(x, "<details>\n<summary>More <strong>info</strong></summary>\n<p>Hidden "
                      "<strong>markdown</strong> with a <a href=\"ch01.xhtml#t\">link</a>.</p>");
    CHECK_CONTAINS(x, "<p class=\"al-center\">Centred <em>paragraph</em>.</p>");
    free(x);
    unload(&b);
}

static void test_table(void) {
    book b;
    load(&b, "# T\n\n<table>\n<thead><tr><th>Name</th><th>A</th><th>B</th></tr></thead>\n"
             "<tbody>\n<tr><td colspan=\"2\">spans two</td><td align=\"right\">3</td></tr>\n"
             "<tr><td>x</td><td>y</td><td><p>para</p><p>two</p></td></tr>\n</tbody></table>\n");
    CHECK(b.ok);
    const oc_node *t = find(&b, OC_TABLE);
    CHECK(t && t->ncols == 3 && t->first && t->first->header && !t->first->next->header);
    char *x = xhtml(&b);
    CHECK_CONTAINS(x, "<thead>\n<tr><th>Name</th><th>A</th><th>B</th></tr>\n</thead>");
    CHECK_CONTAINS(x, "<tr><td colspan=\"2\">spans two</td><td class=\"al-right\">3</td></tr>");
    free(x);
    unload(&b);
}

static int max_depth(const oc_node *root) {
    int best = 0;
    for (const oc_node *n = root; n; n = oc_node_next(root, n, 1)) {
        int d = 0;
        for (const oc_node *p = n; p != root; p = p->parent)
            d++;
        if (d > best) best = d;
    }
    return best;
}

/* 10,000 levels of inline and block HTML: no stack overflow, a bounded tree,
 * the text kept, one warning. */
static void test_deep(void) {
    oc_buf md;
    oc_buf_init(&md);
    oc_buf_puts(&md, "# T\n\nx ");
    for (int i = 0; i < 10000; i++)
        oc_buf_puts(&md, "<em><span>");
    oc_buf_puts(&md, "DEEP");
    for (int i = 0; i < 10000; i++)
        oc_buf_puts(&md, "</span></em>");
    oc_buf_puts(&md, "\n\n");
    for (int i = 0; i < 10000; i++)
        oc_buf_puts(&md, "<div><blockquote>");
    oc_buf_puts(&md, "BLOCKDEEP\n");
    book b;
    load(&b, md.data);
    CHECK(b.ok);
    CHECK(max_depth(b.doc.chapters[0].root) < 64);
    CHECK(messages(&b.diag, "nested deeper") == 1);
    char *x = xhtml(&b);
    CHECK_CONTAINS(x, "DEEP");
    CHECK_CONTAINS(x, "BLOCKDEEP");
    free(x);
    unload(&b);
    oc_buf_free(&md);
}

int main(void) {
    RUN(test_pairing);
    RUN(test_allowlist);
    RUN(test_unwrap);
    RUN(test_removed);
    RUN(test_anchors);
    RUN(test_images);
    RUN(test_markdown_inside);
    RUN(test_table);
    RUN(test_deep);
    return harness_finish("test_html");
}
