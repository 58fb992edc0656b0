/* A handout of part of a book (--chapters): the Document keeps only the
 * chosen chapters, after the whole book was parsed, so heading numbers,
 * figure numbers and footnote numbers stay those of the full book and a
 * handout's "Figure 7" is the guide's "Figure 7".
 *
 * Links into a chapter left out become OC_LINK_OMITTED: both editions show
 * their text without a link (the print PDF adds "(in the full guide)"). The
 * outline and the image list keep only what the chosen chapters hold; the
 * handout gets its own identifier (derived from the book's and the choice)
 * so a reading system does not take it for the full book. */
#include "octavo/doc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* The chapter a LIST item names: a 1-based number, or a file named by its
 * book-relative path, its file name or its stem ("04-salaries"). -1 when
 * none matches. */
static int chapter_named(const oc_document *doc, const char *s, size_t n) {
    for (int i = 0; i < doc->nchapters; i++) {
        const char *p = doc->chapters[i].path;
        const char *base = strrchr(p, '/');
        base = base ? base + 1 : p;
        size_t bl = strlen(base), stem = bl;
        const char *dot = strrchr(base, '.');
        if (dot) stem = (size_t)(dot - base);
        if ((strlen(p) == n && memcmp(p, s, n) == 0) || (bl == n && memcmp(base, s, n) == 0) ||
            (stem == n && memcmp(base, s, n) == 0))
            return i;
    }
    return -1;
}

/* A number of up to 6 digits, or -1. */
static int number(const char *s, size_t n) {
    if (n == 0 || n > 6) return -1;
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i])) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static void trim(const char **s, size_t *n) {
    while (*n && isspace((unsigned char)**s))
        (*s)++, (*n)--;
    while (*n && isspace((unsigned char)(*s)[*n - 1]))
        (*n)--;
}

/* Marks in want[] the chapters LIST names; 0 with an error on a bad item. */
static int parse_list(const oc_document *doc, const char *list, char *want, oc_diag *diag) {
    const char *p = list;
    int any = 0;
    for (;;) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        const char *item = p;
        trim(&item, &n);
        const char *dash = memchr(item, '-', n);
        int a = -1, b = -1;
        if (dash) { /* a range "2-3"; a file name may hold a dash, so only digits */
            size_t l1 = (size_t)(dash - item), l2 = n - l1 - 1;
            const char *s2 = dash + 1;
            const char *s1 = item;
            trim(&s1, &l1);
            trim(&s2, &l2);
            a = number(s1, l1);
            b = number(s2, l2);
            if (a < 0 || b < 0) a = b = -1;
        }
        if (a < 0) a = b = number(item, n);
        if (a >= 0) {
            if (a < 1 || b < a || b > doc->nchapters) {
                oc_diag_report(diag, OC_ERROR, doc->meta_path, 0, 0,
                               "--chapters: '%.*s' is not a chapter range of this book, which has "
                               "chapters 1 to %d",
                               (int)n, item, doc->nchapters);
                return 0;
            }
            for (int i = a; i <= b; i++)
                want[i - 1] = 1;
            any = 1;
        } else {
            int c = n ? chapter_named(doc, item, n) : -1;
            if (c < 0) {
                oc_diag_report(diag, OC_ERROR, doc->meta_path, 0, 0,
                               "--chapters: no chapter '%.*s' in this book (give numbers such as "
                               "4 or 2-3, or chapter file names)",
                               (int)n, item);
                return 0;
            }
            want[c] = 1;
            any = 1;
        }
        if (!end) break;
        p = end + 1;
    }
    if (!any) oc_diag_report(diag, OC_ERROR, doc->meta_path, 0, 0, "--chapters: the list is empty");
    return any;
}

/* "Chapter 4 of the full book: Salaries" / "Chapters 2, 3 and 6 of ..." */
static const char *describe(oc_document *doc, const char *want, int nkept, const int *orig) {
    oc_buf b;
    oc_buf_init(&b);
    oc_buf_puts(&b, nkept == 1 ? "Chapter " : "Chapters ");
    for (int k = 0; k < nkept; k++) {
        if (k > 0) oc_buf_puts(&b, k == nkept - 1 ? " and " : ", ");
        oc_buf_printf(&b, "%d", orig[k] + 1);
    }
    oc_buf_puts(&b, " of the full book");
    if (nkept == 1) {
        const char *t = doc->chapters[0].title;
        if (t && *t) oc_buf_printf(&b, ": %s", t);
    }
    (void)want;
    oc_buf_putc(&b, '\0');
    const char *s = oc_arena_strdup(&doc->arena, b.data);
    oc_buf_free(&b);
    return s;
}

static void retarget(const oc_node *root, const int *map) {
    for (const oc_node *c = root; c; c = oc_node_next(root, c, 1)) {
        if (c->type != OC_LINK || c->link_kind != OC_LINK_INTERNAL) continue;
        oc_node *n = (oc_node *)c;
        int to = n->target_chapter >= 0 ? map[n->target_chapter] : -1;
        if (to < 0) {
            n->link_kind = OC_LINK_OMITTED;
            n->target_chapter = -1;
            n->target_id = NULL;
        } else {
            n->target_chapter = to;
        }
    }
}

static int cites_asset(const oc_chapter *ch, const oc_asset *a) {
    for (int k = -1; k < ch->nnotes; k++) {
        const oc_node *root = k < 0 ? ch->root : ch->notes[k];
        for (const oc_node *c = root; c; c = oc_node_next(root, c, 1))
            if (c->type == OC_IMAGE && c->asset == a) return 1;
    }
    return 0;
}

oc_status oc_doc_select_chapters(oc_document *doc, const char *list, oc_diag *diag) {
    if (!list) return OC_OK;
    int n = doc->nchapters;
    char *want = calloc((size_t)(n ? n : 1), 1);
    int *map = malloc((size_t)(n ? n : 1) * sizeof *map);
    int *orig = malloc((size_t)(n ? n : 1) * sizeof *orig);
    if (!want || !map || !orig) {
        free(want), free(map), free(orig);
        return OC_ERR_INTERNAL;
    }
    if (!parse_list(doc, list, want, diag)) {
        free(want), free(map), free(orig);
        return OC_ERR_INPUT;
    }
    int kept = 0;
    for (int i = 0; i < n; i++) {
        map[i] = want[i] ? kept : -1;
        if (want[i]) {
            orig[kept] = i;
            doc->chapters[kept] = doc->chapters[i];
            doc->chapters[kept].index = kept;
            kept++;
        }
    }
    doc->nchapters = kept;
    for (int i = 0; i < kept; i++) {
        oc_chapter *ch = &doc->chapters[i];
        retarget(ch->root, map);
        for (int k = 0; k < ch->nnotes; k++)
            retarget(ch->notes[k], map);
    }
    int no = 0;
    for (int i = 0; i < doc->noutline; i++) {
        oc_outline_entry e = doc->outline[i];
        if (e.chapter < 0 || e.chapter >= n || map[e.chapter] < 0) continue;
        e.chapter = map[e.chapter];
        doc->outline[no++] = e;
    }
    doc->noutline = no;
    int na = 0;
    for (int i = 0; i < doc->nassets; i++) {
        oc_asset *a = doc->assets[i];
        int used = a == doc->meta.cover;
        for (int c = 0; c < kept && !used; c++)
            used = cites_asset(&doc->chapters[c], a);
        if (used) doc->assets[na++] = a;
    }
    doc->nassets = na;
    doc->meta.selection = describe(doc, want, kept, orig);
    doc->meta.identifier = oc_arena_uuid(
        &doc->arena, doc->meta.identifier ? doc->meta.identifier : "", doc->meta.selection);
    free(want), free(map), free(orig);
    return OC_OK;
}
