/* The PDF writer over a hand-made two-page layout, checked with the real
 * validators: qpdf --check, pdffonts, pdftotext (exact text, no warnings),
 * qpdf --json (links, outlines, page labels) and pdfinfo. */
#include "harness.h"
#include "octavo/image.h"
#include "octavo/pdf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/octavo-pdfw-XXXXXX";

static oc_item *add(oc_layout *l, size_t page, oc_item_kind kind) {
    oc_page *p = &l->pages[page];
    if (p->nitems == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        oc_item *items = oc_arena_alloc(&l->arena, cap * sizeof *items);
        if (p->nitems) memcpy(items, p->items, p->nitems * sizeof *items);
        p->items = items;
        p->cap = cap;
    }
    oc_item *it = &p->items[p->nitems++];
    memset(it, 0, sizeof *it);
    it->kind = kind;
    return it;
}

static void text(oc_layout *l, size_t page, double x, double y, oc_font_id f, double size,
                 const char *s) {
    oc_item *it = add(l, page, OC_ITEM_TEXT);
    it->x = x;
    it->y = y;
    it->font = f;
    it->size = size;
    it->text = oc_arena_strdup(&l->arena, s);
    it->len = strlen(s);
}

static const char *const LINES[] = {
    "Contents",
    "Chapter One: Caf\xc3\xa9 na\xc3\xafve r\xc3\xa9sum\xc3\xa9",
    ("Greek: \xce\x95\xce\xbb\xce\xbb\xce\xb7\xce\xbd\xce\xb9\xce\xba\xce\xac "
     "\xce\xb1\xce\xb2\xce\xb3"), /* Ελληνικά αβγ; one element (clang's -Wstring-concatenation) */
    "Cyrillic: \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82 \xd0\xbc\xd0\xb8\xd1\x80",
    "Arrows: \xe2\x86\x92 \xe2\x86\x90 \xe2\x87\x92 \xe2\x88\x9e", /* → ← ⇒ ∞ */
    "printf(\"%d\\n\", x);",
    "Bold words and italic words",
};

static void build_layout(oc_layout *l) {
    memset(l, 0, sizeof *l);
    oc_arena_init(&l->arena);
    l->width = 595.276;
    l->height = 841.89;
    l->npages = 2;
    l->pages = oc_arena_alloc(&l->arena, 2 * sizeof *l->pages);
    l->pages[0].label = OC_LABEL_ROMAN;
    l->pages[0].number = 1;
    l->pages[1].label = OC_LABEL_ARABIC;
    l->pages[1].number = 1;

    /* page i: contents with a forward link, a URI link, a rule, a rect */
    oc_item *d = add(l, 0, OC_ITEM_DEST);
    d->x = 72;
    d->y = 780;
    d->dest = "contents";
    text(l, 0, 72, 760, OC_FONT_SERIF_BOLD, 18, LINES[0]);
    oc_item *r = add(l, 0, OC_ITEM_RULE);
    r->x = 72;
    r->y = 750;
    r->w = 451;
    r->size = 0.8;
    r->color = (oc_color){0.2f, 0.2f, 0.2f};
    text(l, 0, 72, 720, OC_FONT_SERIF, 11, "Chapter One");
    oc_item *lk = add(l, 0, OC_ITEM_LINK);
    lk->x = 72;
    lk->y = 716;
    lk->w = 200;
    lk->h = 14;
    lk->dest = "ch1";
    oc_item *rect = add(l, 0, OC_ITEM_RECT);
    rect->x = 72;
    rect->y = 600;
    rect->w = 100;
    rect->h = 50;
    rect->color = (oc_color){0.9f, 0.9f, 0.95f};
    oc_item *t = add(l, 0, OC_ITEM_TEXT);
    t->x = 72;
    t->y = 680;
    t->font = OC_FONT_SERIF;
    t->size = 11;
    t->color = (oc_color){0.1f, 0.2f, 0.6f};
    t->text = "example.org/guide and more"; /* len cuts the tail */
    t->len = strlen("example.org/guide");
    oc_item *u = add(l, 0, OC_ITEM_LINK);
    u->x = 72;
    u->y = 676;
    u->w = 120;
    u->h = 14;
    u->uri = "https://example.org/guide?q=a b";

    /* page 1: the chapter in several scripts and faces */
    d = add(l, 1, OC_ITEM_DEST);
    d->x = 72;
    d->y = 790;
    d->dest = "ch1";
    text(l, 1, 72, 770, OC_FONT_SERIF_BOLD, 16, LINES[1]);
    text(l, 1, 72, 740, OC_FONT_SANS, 11, LINES[2]);
    text(l, 1, 72, 720, OC_FONT_SANS, 11, LINES[3]);
    text(l, 1, 72, 700, OC_FONT_SANS, 11, LINES[4]);
    text(l, 1, 72, 680, OC_FONT_MONO, 9, LINES[5]);
    text(l, 1, 72, 660, OC_FONT_SERIF_ITALIC, 11, LINES[6]);
    d = add(l, 1, OC_ITEM_DEST);
    d->x = 72;
    d->y = 650;
    d->dest = "sec1";
    lk = add(l, 1, OC_ITEM_LINK); /* a backward link too */
    lk->x = 72;
    lk->y = 656;
    lk->w = 100;
    lk->h = 14;
    lk->dest = "contents";

    l->nmarks = 3;
    l->marks = oc_arena_alloc(&l->arena, 3 * sizeof *l->marks);
    l->marks[0] = (oc_bookmark){0, "Contents", "contents", 0};
    l->marks[1] =
        (oc_bookmark){0, "Chapter One: Caf\xc3\xa9 \xe2\x86\x92 \xf0\x9d\x84\x9e", "ch1", 1};
    l->marks[2] = (oc_bookmark){1, "Section 1.1", "sec1", 1};
}

static int count(const char *s, const char *needle) {
    int n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static oc_document doc;
static oc_fontset *fonts;
static char pdf_path[512];

static int write_pdf(const char *path, oc_buf *out) {
    oc_layout l;
    build_layout(&l);
    oc_diag d;
    oc_diag_init(&d, stderr);
    oc_pdf_options opt = {"a4", 0, OCTAVO_FONTS_DIR, 0, NULL, 0};
    oc_buf_init(out);
    oc_status st = oc_pdf_write_layout(&doc, &l, fonts, &opt, out, &d);
    int ok = st == OC_OK && d.errors == 0 && d.warnings == 0;
    oc_diag_free(&d);
    oc_arena_free(&l.arena);
    if (ok && path) {
        FILE *fp = fopen(path, "wb");
        if (!fp) return 0;
        fwrite(out->data, 1, out->len, fp);
        fclose(fp);
    }
    return ok;
}

static void test_write(void) {
    oc_buf out;
    CHECK(write_pdf(pdf_path, &out));
    CHECK(out.len > 1000);
    CHECK(memcmp(out.data, "%PDF-1.", 7) == 0);
    /* five fonts cut to the glyphs drawn by hb-subset, widths only for the
     * codes drawn: 38 KB, where libharu's own embedding (every table but
     * glyf whole, a CIDToGIDMap for all 65,536 codes) made 273 KB, and the
     * whole font files take 2.9 MB */
    fprintf(stderr, "   PDF size: %zu bytes\n", out.len);
    CHECK(out.len < 80 * 1024);
    oc_buf_free(&out);
}

static void test_qpdf_check(void) {
    char cmd[1024];
    int rc;
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' 2>&1", pdf_path);
    char *s = harness_run(cmd, &rc);
    CHECK(rc == 0);
    CHECK_CONTAINS(s, "No syntax or stream encoding errors found");
    CHECK_NOT_CONTAINS(s, "WARNING");
    free(s);
}

static void test_fonts_embedded(void) {
    char cmd[1024];
    int rc;
    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>&1", pdf_path);
    char *s = harness_run(cmd, &rc);
    CHECK(rc == 0);
    /* serif, serif bold, serif italic, sans, mono: each embedded, subset,
     * with a ToUnicode map */
    int fonts_listed = 0, good = 0;
    for (char *line = s; line && *line;) {
        char *nl = strchr(line, '\n');
        if (nl) *nl = '\0';
        if (strstr(line, "CID TrueType")) {
            fonts_listed++;
            if (strstr(line, "Identity-H       yes yes yes")) good++;
        }
        line = nl ? nl + 1 : NULL;
    }
    CHECK(fonts_listed == 5);
    CHECK(good == fonts_listed);
    free(s);
    snprintf(cmd, sizeof cmd, "pdffonts '%s' 2>&1", pdf_path);
    s = harness_run(cmd, NULL);
    CHECK_CONTAINS(s, "+CharisSIL");
    CHECK_CONTAINS(s, "+DejaVuSansMono");
    CHECK_NOT_CONTAINS(s, "Syntax");
    free(s);
}

static void test_text_back(void) {
    char cmd[1024];
    int rc;
    snprintf(cmd, sizeof cmd, "pdftotext -q -layout '%s' - 2>/dev/null", pdf_path);
    char *s = harness_run(cmd, &rc);
    CHECK(rc == 0);
    for (size_t i = 0; i < sizeof LINES / sizeof *LINES; i++)
        CHECK_CONTAINS(s, LINES[i]);
    CHECK_CONTAINS(s, "example.org/guide");
    CHECK_NOT_CONTAINS(s, "and more");
    free(s);
    /* stderr must be silent: no "Syntax Warning: Invalid 'begincidrange'" */
    snprintf(cmd, sizeof cmd, "pdftotext '%s' /dev/null 2>&1", pdf_path);
    s = harness_run(cmd, &rc);
    CHECK(rc == 0);
    CHECK_STR_EQ(s, "");
    free(s);
}

static void test_structure(void) {
    char cmd[1024];
    int rc;
    snprintf(cmd, sizeof cmd, "qpdf --json '%s' 2>&1", pdf_path);
    char *s = harness_run(cmd, &rc);
    CHECK(rc == 0);
    /* links: one URI (percent-encoded space), two internal with /Dest */
    CHECK(count(s, "\"/Subtype\": \"/Link\"") == 3);
    CHECK_CONTAINS(s, "https://example.org/guide?q=a%20b");
    CHECK(count(s, "\"/Dest\":") >= 2 + 3);
    CHECK_CONTAINS(s, "\"/Border\": [");
    /* outlines: two top-level entries, one child */
    CHECK_CONTAINS(s, "\"/Type\": \"/Outlines\"");
    CHECK_CONTAINS(s, "\"/PageMode\": \"/UseOutlines\"");
    /* page labels: roman from page 0, decimal from page 1, both at 1 */
    CHECK_CONTAINS(s, "\"/PageLabels\"");
    CHECK_CONTAINS(s, "\"/S\": \"/r\"");
    CHECK_CONTAINS(s, "\"/S\": \"/D\"");
    /* our destinations keep the zoom: [page /XYZ left top null] */
    CHECK_CONTAINS(s, "\"/XYZ\",\n");
    CHECK_CONTAINS(s, "null");
    free(s);

    /* labels as a reader shows them */
    snprintf(cmd, sizeof cmd, "pdfinfo '%s' 2>&1", pdf_path);
    s = harness_run(cmd, &rc);
    CHECK(rc == 0);
    CHECK_CONTAINS(s, "Title:           Caf\xc3\xa9 \xe2\x86\x92 Book");
    CHECK_CONTAINS(s, "Subject:         A subtitle");
    CHECK_CONTAINS(s, "Author:          Ann One, Bo Two");
    CHECK_CONTAINS(s, "Creator:         octavo");
    CHECK_CONTAINS(s, "Producer:        octavo");
    CHECK_CONTAINS(s, "Pages:           2");
    CHECK_CONTAINS(s, "Page size:       595.276 x 841.89 pts (A4)");
    free(s);

    /* bookmark titles decoded, nesting kept */
    snprintf(cmd, sizeof cmd, "qpdf --json-output '%s' - 2>&1 | python3 -c \"%s\"", pdf_path,
             "import sys,json\n"
             "d=json.load(sys.stdin)['qpdf'][1]\n"
             "for k,v in sorted(d.items()):\n"
             "  x=v.get('value') if isinstance(v,dict) else None\n"
             "  if isinstance(x,dict) and '/Title' in x and '/Parent' in x: print(x['/Title'])");
    s = harness_run(cmd, &rc);
    CHECK_CONTAINS(s, "u:Contents");
    CHECK_CONTAINS(s, "u:Chapter One: Caf\xc3\xa9 \xe2\x86\x92 \xf0\x9d\x84\x9e");
    CHECK_CONTAINS(s, "u:Section 1.1");
    free(s);
}

/* Pages are made as they are drawn, and a destination's array when its
 * page is: a link on the first page to the second (forward) and one back
 * must each point at the right page object, at the destination's place. */
static void test_link_targets(void) {
    char cmd[2048];
    int rc;
    snprintf(cmd, sizeof cmd, "qpdf --json-output '%s' - 2>&1 | python3 -I -c \"%s\"", pdf_path,
             "import sys,json\n"
             "d=json.load(sys.stdin)['qpdf'][1]\n"
             "v=lambda r: d['obj:'+r]['value'] if isinstance(r,str) and r.endswith(' R') else r\n"
             "pages=[]\n"
             "def walk(n):\n"
             "  n=v(n)\n"
             "  if n.get('/Type')=='/Pages':\n"
             "    [walk(k) for k in n['/Kids']]\n"
             "  else: pages.append(n)\n"
             "walk(v(d['trailer']['value']['/Root'])['/Pages'])\n"
             "ids=[]\n"
             "def pid(n): return [i for i,p in enumerate(pages) if p is n]\n"
             "for i,p in enumerate(pages):\n"
             "  for a in p.get('/Annots',[]):\n"
             "    a=v(a)\n"
             "    if '/Dest' not in a: continue\n"
             "    t=v(a['/Dest'])\n"
             "    print('link on', i, 'to', pid(v(t[0]))[0], t[1], round(t[3]), a['/Contents'])\n");
    char *s = harness_run(cmd, &rc);
    CHECK(rc == 0);
    /* "ch1" is on page 1 (index 1), "contents" on page 0 */
    CHECK_CONTAINS(s, "link on 0 to 1 /XYZ");
    CHECK_CONTAINS(s, "link on 1 to 0 /XYZ");
    CHECK(count(s, "link on") == 2);
    free(s);
}

static void test_deterministic(void) {
    oc_buf a, b;
    CHECK(write_pdf(NULL, &a));
    CHECK(write_pdf(NULL, &b));
    CHECK(a.len == b.len && memcmp(a.data, b.data, a.len) == 0);
    /* one thread: the structure tree's object streams made by the tail
     * itself, not beside libharu's save, and the same bytes */
    oc_buf one;
    setenv("OCTAVO_THREADS", "1", 1);
    CHECK(write_pdf(NULL, &one));
    unsetenv("OCTAVO_THREADS");
    CHECK(one.len == a.len && memcmp(one.data, a.data, a.len) == 0);
    oc_buf_free(&one);
    /* 1700000000 = 2023-11-14 22:13:20 UTC */
    int found = 0;
    for (size_t i = 0; i + 17 <= a.len && !found; i++)
        found = memcmp(a.data + i, "D:20231114221320Z", 17) == 0;
    CHECK(found);
    oc_buf_free(&a);
    oc_buf_free(&b);
}

static void test_errors(void) {
    /* a link to a destination that does not exist: warned, left out */
    oc_layout l;
    build_layout(&l);
    l.pages[1].items[l.pages[1].nitems - 1].dest = "nowhere";
    oc_diag d;
    oc_diag_init(&d, NULL);
    oc_buf out;
    oc_buf_init(&out);
    oc_pdf_options opt = {"a4", 0, OCTAVO_FONTS_DIR, 0, NULL, 0};
    CHECK(oc_pdf_write_layout(&doc, &l, fonts, &opt, &out, &d) == OC_OK);
    CHECK(d.warnings == 1);
    CHECK(oc_diag_contains(&d, "nowhere"));
    oc_diag_free(&d);
    oc_buf_free(&out);

    /* an image libharu cannot read: warned, the rest is written */
    static const unsigned char junk[] = "\x89PNG\r\n\x1a\n not really";
    oc_asset bad = {0};
    bad.path = "images/bad.png";
    bad.data = junk;
    bad.size = sizeof junk;
    bad.kind = OC_IMG_PNG;
    oc_item *im = add(&l, 1, OC_ITEM_IMAGE);
    im->asset = &bad;
    im->x = 72;
    im->y = 300;
    im->w = 100;
    im->h = 100;
    oc_diag_init(&d, NULL);
    oc_buf_init(&out);
    CHECK(oc_pdf_write_layout(&doc, &l, fonts, &opt, &out, &d) == OC_OK);
    CHECK(oc_diag_contains(&d, "images/bad.png"));
    CHECK(d.errors == 0);
    CHECK(out.len > 1000);
    oc_diag_free(&d);
    oc_buf_free(&out);
    oc_arena_free(&l.arena);
}

/* A layout of one empty page of w x h points (numbered 1), for the small
 * cases below; free with oc_arena_free(&l->arena). */
/* n empty pages of w x h points, numbered from 1. */
static void blank_pages(oc_layout *l, double w, double h, size_t n) {
    memset(l, 0, sizeof *l);
    oc_arena_init(&l->arena);
    l->width = w;
    l->height = h;
    l->npages = n;
    l->pages = oc_arena_alloc(&l->arena, n * sizeof *l->pages); /* (zeroed) */
    for (size_t i = 0; i < n; i++)
        l->pages[i].number = (int)i + 1;
}

static void one_page(oc_layout *l, double w, double h) {
    blank_pages(l, w, h, 1);
}

/* Draws `l` and writes the PDF to `path`; returns the writer's status. */
static oc_status draw_to_file(const oc_layout *l, const char *path, oc_diag *d) {
    oc_buf out;
    oc_buf_init(&out);
    oc_pdf_options opt = {"a4", 0, OCTAVO_FONTS_DIR, 0, NULL, 0};
    oc_status st = oc_pdf_write_layout(&doc, l, fonts, &opt, &out, d);
    FILE *fp = st == OC_OK ? fopen(path, "wb") : NULL;
    if (fp) {
        fwrite(out.data, 1, out.len, fp);
        fclose(fp);
    }
    oc_buf_free(&out);
    return st;
}

/* A stream that keeps what it gets, in the pieces it gets (or refuses the
 * n-th piece). */
typedef struct {
    oc_buf got;
    int pieces, refuse_at;
} collector;

static int collect(void *user, const void *data, size_t len) {
    collector *c = user;
    if (++c->pieces == c->refuse_at) return -1;
    oc_buf_append(&c->got, data, len);
    return 0;
}

/* oc_pdf_options.stream: the same bytes as the buffer, given out as the
 * file is saved (a megabyte at a time, so a book of 4,000 pages comes in
 * several pieces) and never gathered in `out`; a stream that refuses stops
 * the save with an I/O error. */
static void test_stream_save(void) {
    oc_layout l;
    blank_pages(&l, 300, 400, 4000);
    for (size_t i = 0; i < l.npages; i++) {
        for (int k = 0; k < 12; k++)
            text(&l, i, 20, 380 - 30 * k, k % 2 ? OC_FONT_SERIF : OC_FONT_SANS, 11,
                 LINES[(i + (size_t)k) % (sizeof LINES / sizeof LINES[0])]);
    }
    oc_diag d;
    oc_diag_init(&d, NULL);
    oc_pdf_options opt = {"a4", 0, OCTAVO_FONTS_DIR, 0, NULL, 0};
    oc_buf whole;
    oc_buf_init(&whole);
    CHECK(oc_pdf_write_layout(&doc, &l, fonts, &opt, &whole, &d) == OC_OK);
    fprintf(stderr, "   4,000 pages: %zu bytes\n", whole.len);
    CHECK(whole.len > 2 * 1024 * 1024);

    collector c = {{0}, 0, 0};
    oc_pdf_stream stream = {collect, &c};
    opt.stream = &stream;
    oc_buf out;
    oc_buf_init(&out);
    CHECK(oc_pdf_write_layout(&doc, &l, fonts, &opt, &out, &d) == OC_OK);
    CHECK(out.len == 0);
    CHECK(c.pieces >= 3);
    CHECK(c.got.len == whole.len && memcmp(c.got.data, whole.data, whole.len) == 0);
    CHECK(d.errors == 0);

    collector no = {{0}, 0, 2};
    stream.user = &no;
    CHECK(oc_pdf_write_layout(&doc, &l, fonts, &opt, &out, &d) == OC_ERR_IO);
    CHECK(no.pieces == 2 && no.got.len > 0);

    oc_buf_free(&c.got);
    oc_buf_free(&no.got);
    oc_buf_free(&out);
    oc_buf_free(&whole);
    oc_diag_free(&d);
    oc_arena_free(&l.arena);
}

static void test_edge_cases(void) {
    /* controls, a tab and a character above the BMP in one run */
    oc_layout l;
    one_page(&l, 300, 200);
    text(&l, 0, 20, 100, OC_FONT_SANS, 12, "tab\there\x01 smile\xf0\x9f\x98\x80 end");
    oc_diag d;
    oc_diag_init(&d, NULL);
    char path[600], cmd[1400];
    snprintf(path, sizeof path, "%s/edge.pdf", tmpdir);
    CHECK(draw_to_file(&l, path, &d) == OC_OK);
    snprintf(cmd, sizeof cmd, "pdftotext '%s' - 2>&1", path);
    char *s = harness_run(cmd, NULL);
    /* the emoji above the BMP is drawn (DejaVu Sans has it) and extracts */
    CHECK_CONTAINS(s, "tab here smile\xf0\x9f\x98\x80 end");
    CHECK_NOT_CONTAINS(s, "Syntax");
    free(s);

    /* no pages at all: still a valid PDF (one blank page) */
    l.npages = 0;
    CHECK(draw_to_file(&l, path, &d) == OC_OK);
    CHECK(d.errors == 0);
    int rc;
    snprintf(cmd, sizeof cmd, "qpdf --check '%s' 2>&1", path);
    s = harness_run(cmd, &rc);
    CHECK(rc == 0);
    CHECK_NOT_CONTAINS(s, "WARNING");
    free(s);
    remove(path);
    oc_diag_free(&d);
    oc_arena_free(&l.arena);
}

/* More pages than libharu's one /Kids array holds (32,767): a deeper page
 * tree, every page there, the last page's text where it belongs. */
static void test_many_pages(void) {
    oc_layout l;
    blank_pages(&l, 200, 100, 33000);
    text(&l, l.npages - 1, 20, 50, OC_FONT_SANS, 12, "lastpage");
    oc_diag d;
    oc_diag_init(&d, NULL);
    char path[600], cmd[1400];
    snprintf(path, sizeof path, "%s/many.pdf", tmpdir);
    CHECK(draw_to_file(&l, path, &d) == OC_OK);
    CHECK(d.errors == 0);
    int rc;
    snprintf(cmd, sizeof cmd, "qpdf --show-npages '%s' 2>&1", path);
    char *s = harness_run(cmd, &rc);
    CHECK(rc == 0 && strtol(s, NULL, 10) == 33000);
    free(s);
    snprintf(cmd, sizeof cmd, "pdftotext -f 33000 -l 33000 '%s' - 2>&1", path);
    s = harness_run(cmd, NULL);
    CHECK_CONTAINS(s, "lastpage");
    free(s);
    remove(path);
    oc_diag_free(&d);
    oc_arena_free(&l.arena);
}

/* xMin of the n-th word (0-based) that pdftotext -bbox finds equal to
 * `word`, -1 when there is none. */
static double word_x(const char *bbox, const char *word, int n) {
    char needle[128];
    snprintf(needle, sizeof needle, ">%s</word>", word);
    for (const char *p = strstr(bbox, needle); p; p = strstr(p + 1, needle)) {
        if (n-- > 0) continue;
        const char *tag = p;
        while (tag > bbox && strncmp(tag, "<word ", 6) != 0)
            tag--;
        const char *x = strstr(tag, "xMin=\"");
        return x && x < p ? atof(x + 6) : -1;
    }
    return -1;
}

/* A TEXT item of several words with word spacing (a justified line): each
 * space is drawn as the font's space plus ws, so every word starts where the
 * layout measured it, with or without ws; the extracted text keeps its
 * spaces. */
static void test_word_spacing(void) {
    oc_layout l;
    one_page(&l, 400, 200);
    const char *line = "Wide spacing between justified words";
    const double ws[3] = {0, 4.25, -0.8}, size = 11, x0 = 20;
    for (int k = 0; k < 3; k++) {
        text(&l, 0, x0, 150 - 30 * k, OC_FONT_SERIF, size, line);
        l.pages[0].items[l.pages[0].nitems - 1].ws = (float)ws[k];
    }
    oc_diag d;
    oc_diag_init(&d, NULL);
    char path[600], cmd[1400];
    snprintf(path, sizeof path, "%s/ws.pdf", tmpdir);
    CHECK(draw_to_file(&l, path, &d) == OC_OK);
    snprintf(cmd, sizeof cmd, "pdftotext -bbox '%s' - 2>&1", path);
    char *s = harness_run(cmd, NULL);
    static const char *const words[] = {"Wide", "spacing", "between", "justified", "words"};
    for (int k = 0; k < 3; k++) {
        const char *p = line;
        for (int w = 0; w < 5; w++) {
            const char *at = strstr(p, words[w]);
            size_t pre = (size_t)(at - line);
            double want = x0 + oc_fonts_width(fonts, OC_FONT_SERIF, size, line, pre) +
                          ws[k] * w; /* w spaces before word w */
            double got = word_x(s, words[w], k);
            CHECK(fabs(got - want) < 0.02);
            if (fabs(got - want) >= 0.02)
                fprintf(stderr, "   line %d word %s: at %.3f, want %.3f\n", k, words[w], got, want);
            p = at + strlen(words[w]);
        }
    }
    free(s);
    snprintf(cmd, sizeof cmd, "pdftotext '%s' - 2>&1", path);
    s = harness_run(cmd, NULL);
    CHECK(count(s, line) == 3);
    free(s);
    remove(path);
    oc_diag_free(&d);
    oc_arena_free(&l.arena);
}

/* How often `key` is followed by an object number (a reference). */
static int count_ref(const char *s, const char *key) {
    int n = 0;
    size_t kl = strlen(key);
    for (const char *p = strstr(s, key); p; p = strstr(p + 1, key))
        n += p[kl] >= '0' && p[kl] <= '9';
    return n;
}

/* The PDF at `path` as qpdf's QDF form (streams uncompressed), written to
 * `qdf` and read into `out` with its NUL bytes (font programs) shown as
 * '.', so that strstr sees the whole file; 0 when qpdf fails. */
static int read_qdf(const char *path, const char *qdf, oc_buf *out) {
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "qpdf --qdf --object-streams=disable '%s' '%s' 2>&1", path, qdf);
    int status = -1;
    free(harness_run(cmd, &status));
    oc_buf_init(out);
    FILE *fp = status == 0 ? fopen(qdf, "rb") : NULL;
    char chunk[4096];
    size_t got;
    while (fp && (got = fread(chunk, 1, sizeof chunk, fp)) > 0) {
        for (size_t i = 0; i < got; i++)
            if (chunk[i] == '\0') chunk[i] = '.';
        oc_buf_append(out, chunk, got);
    }
    if (fp) fclose(fp);
    return fp != NULL;
}

/* Pixels of a binary PPM (P6, maxval 255) exactly of colour rgb. */
static long ppm_count(const char *path, unsigned rgb) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return -1;
    int w = 0, h = 0, max = 0;
    long n = -1;
    if (fscanf(fp, "P6 %d %d %d", &w, &h, &max) == 3 && max == 255 && fgetc(fp) != EOF) {
        n = 0;
        unsigned char px[3];
        for (long i = 0; i < (long)w * h && fread(px, 1, 3, fp) == 3; i++)
            n += ((unsigned)px[0] << 16 | (unsigned)px[1] << 8 | px[2]) == rgb;
    }
    fclose(fp);
    return n;
}

/* Highlighted code's colours are set through the /Hl Indexed colour space
 * (a palette of the colours in first-use order, "N sc" at each change),
 * other text's as DeviceRGB; a viewer draws each in its own colour. */
static void test_code_palette(void) {
    oc_layout l;
    one_page(&l, 400, 300);
    const oc_color red = {196 / 255.0f, 24 / 255.0f, 60 / 255.0f},
                   blue = {10 / 255.0f, 74 / 255.0f, 138 / 255.0f},
                   grey = {92 / 255.0f, 99 / 255.0f, 107 / 255.0f}, green = {0.0f, 0.4f, 0.0f};
    /* a code line in one item: "let" red, then "xx" and the rest blue */
    const oc_colour_at changes[] = {{0, red}, {4, blue}, {UINT32_MAX, blue}};
    text(&l, 0, 20, 220, OC_FONT_MONO_BOLD, 60, "let xx");
    oc_item *it = &l.pages[0].items[l.pages[0].nitems - 1];
    it->color = red;
    it->coloured = OC_COLOURS_CHANGES;
    it->colours = changes;
    text(&l, 0, 20, 140, OC_FONT_MONO_BOLD, 60, "# hm"); /* a comment line: one theme colour */
    it = &l.pages[0].items[l.pages[0].nitems - 1];
    it->color = grey;
    it->coloured = OC_COLOURS_THEME;
    text(&l, 0, 20, 60, OC_FONT_SANS_BOLD, 60, "Text"); /* not code */
    l.pages[0].items[l.pages[0].nitems - 1].color = green;
    oc_diag d;
    oc_diag_init(&d, NULL);
    char path[600], qdf[600], ppm[600], cmd[2000];
    snprintf(path, sizeof path, "%s/palette.pdf", tmpdir);
    snprintf(qdf, sizeof qdf, "%s/palette-qdf.pdf", tmpdir);
    snprintf(ppm, sizeof ppm, "%s/palette", tmpdir);
    CHECK(draw_to_file(&l, path, &d) == OC_OK);
    oc_buf q;
    CHECK(read_qdf(path, qdf, &q));
    const char *s = q.data ? q.data : "";
    /* the palette: red, blue, grey, in the order of first use */
    CHECK(strstr(s, "/Indexed\n    /DeviceRGB\n    2\n    <c4183c0a4a8a5c636b>") != NULL);
    CHECK(strstr(s, "/Hl cs\n0 sc\n") != NULL);
    CHECK(strstr(s, "]TJ\n1 sc\n") != NULL); /* the change inside the item */
    CHECK(strstr(s, "\n2 sc\n") != NULL);
    CHECK(strstr(s, "\n0 0.4 0 rg\n") != NULL); /* other text keeps DeviceRGB */
    CHECK(count(s, "/Hl cs") == 1);
    oc_buf_free(&q);
    snprintf(cmd, sizeof cmd, "pdftoppm -r 72 -aa no -aaVector no '%s' '%s' 2>&1", path, ppm);
    int status = -1;
    free(harness_run(cmd, &status));
    CHECK(status == 0);
    snprintf(ppm, sizeof ppm, "%s/palette-1.ppm", tmpdir);
    long nred = ppm_count(ppm, 0xC4183C), nblue = ppm_count(ppm, 0x0A4A8A),
         ngrey = ppm_count(ppm, 0x5C636B), ngreen = ppm_count(ppm, 0x006600);
    CHECK(nred > 100 && nblue > 100 && ngrey > 100 && ngreen > 100);
    if (!(nred > 100 && nblue > 100 && ngrey > 100 && ngreen > 100))
        fprintf(stderr, "   pixels: red %ld, blue %ld, grey %ld, green %ld\n", nred, nblue, ngrey,
                ngreen);
    remove(ppm);
    remove(qdf);
    remove(path);
    oc_diag_free(&d);
    oc_arena_free(&l.arena);

    /* Pages with an image have resources of their own, and they must name
     * /Hl too: page 1 gets them before the palette's first use (its image
     * comes first), page 2 after. So /ColorSpace is named three times: in
     * the pages' shared resources and in each page's own. */
    unsigned char samples[16 * 16 * 3];
    memset(samples, 0x80, sizeof samples);
    oc_image_pixels px = {16, 16, 3, samples, NULL, NULL, 0};
    oc_buf png;
    oc_buf_init(&png);
    char why[256] = "";
    CHECK(oc_image_encode_png(&px, &png, why) == OC_OK);
    oc_image_info info;
    CHECK(oc_image_probe((const unsigned char *)png.data, png.len, &info, why) == 0);
    oc_asset pic = {0};
    pic.path = pic.epub_name = "images/grey.png";
    pic.id = "img1";
    pic.data = (const unsigned char *)png.data;
    pic.size = png.len;
    pic.kind = info.kind;
    pic.width = info.width;
    pic.height = info.height;
    pic.bits = info.bits;
    pic.channels = info.channels;
    blank_pages(&l, 400, 300, 2);
    for (size_t pg = 0; pg < 2; pg++) {
        oc_item *im = add(&l, pg, OC_ITEM_IMAGE);
        im->asset = &pic;
        im->x = 20;
        im->y = 200;
        im->w = im->h = 40;
        text(&l, pg, 20, 140, OC_FONT_MONO, 12, "fn main()");
        it = &l.pages[pg].items[l.pages[pg].nitems - 1];
        it->color = red;
        it->coloured = OC_COLOURS_THEME;
    }
    oc_diag_init(&d, NULL);
    CHECK(draw_to_file(&l, path, &d) == OC_OK);
    CHECK(read_qdf(path, qdf, &q));
    s = q.data ? q.data : "";
    CHECK(count(s, " Do\n") == 2);            /* both images drawn */
    CHECK(count_ref(s, "/ColorSpace ") == 3); /* (an image's own is a name) */
    CHECK(count(s, "/Hl cs\n0 sc\n") == 2);
    oc_buf_free(&q);
    oc_buf_free(&png);
    remove(qdf);
    remove(path);
    oc_diag_free(&d);
    oc_arena_free(&l.arena);
}

int main(void) {
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(pdf_path, sizeof pdf_path, "%s/writer.pdf", tmpdir);
    oc_diag d;
    oc_diag_init(&d, stderr);
    CHECK(oc_fonts_load(&fonts, OCTAVO_FONTS_DIR, &d) == OC_OK);
    static const char *authors[] = {"Ann One", "Bo Two"};
    doc.meta.title = "Caf\xc3\xa9 \xe2\x86\x92 Book";
    doc.meta.subtitle = "A subtitle";
    doc.meta.authors = authors;
    doc.meta.nauthors = 2;
    doc.source_date = 1700000000;
    if (fonts) {
        RUN(test_write);
        RUN(test_qpdf_check);
        RUN(test_fonts_embedded);
        RUN(test_text_back);
        RUN(test_structure);
        RUN(test_link_targets);
        RUN(test_deterministic);
        RUN(test_stream_save);
        RUN(test_errors);
        RUN(test_edge_cases);
        RUN(test_word_spacing);
        RUN(test_code_palette);
        RUN(test_many_pages);
    }
    oc_fonts_free(fonts);
    oc_diag_free(&d);
    if (getenv("OCTAVO_KEEP_TEST_PDF"))
        fprintf(stderr, "   kept %s\n", pdf_path);
    else {
        remove(pdf_path);
        rmdir(tmpdir);
    }
    return harness_finish("test_pdf_writer");
}
