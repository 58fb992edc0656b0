/* Loading a book: metadata from book.yaml or YAML front matter (libyaml),
 * chapter sources and the cover, every path confined to the book folder. */
#include "octavo/book.h"

#include "book/loader.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

#define OC_MAX_CHAPTERS 10000
/* SLUG.epub, and the .SLUG.epub.XXXXXX written first, within NAME_MAX */
#define OC_MAX_SLUG 200
/* Collections nested in book.yaml; deeper is an error, not a hang. */
#define OC_MAX_YAML_DEPTH 64

typedef struct {
    oc_document *doc;
    oc_diag *diag;
    const char *meta_display; /* path shown in messages for the metadata */
    int line_offset;          /* front matter: lines before the YAML text */
    const char **chapter_refs;
    const char **chapter_titles; /* `- file: x.md` + `title: ...` entries; NULL elsewhere */
    int *chapter_lines, *chapter_cols;
    int nchapter_refs;
    const char *cover_ref;
    int cover_line, cover_col;
} loader;

/* "book" + "chapters/a.md" -> "book/chapters/a.md"; "." or "" root -> rel */
static const char *disk_path(oc_document *doc, const char *rel) {
    const char *root = doc->root_dir;
    if (!root || !*root || strcmp(root, ".") == 0) return rel;
    size_t n = strlen(root);
    if (root[n - 1] == '/') return oc_arena_printf(&doc->arena, "%s%s", root, rel);
    return oc_arena_printf(&doc->arena, "%s/%s", root, rel);
}

static const char *root_of(const oc_document *doc) {
    return doc->root_dir && *doc->root_dir ? doc->root_dir : ".";
}

/* Reads a book-relative file through io, beneath the book folder. */
static oc_status read_confined(oc_document *doc, const char *rel, char **data, size_t *len,
                               char *why) {
    const oc_io *io = doc->io;
    return io->read_beneath(io->ctx, root_of(doc), rel, data, len, why);
}

/* ---- YAML --------------------------------------------------------------- */

static const char *scalar(yaml_document_t *y, yaml_node_t *n) {
    if (!n || n->type != YAML_SCALAR_NODE) return NULL;
    (void)y;
    return (const char *)n->data.scalar.value;
}

static void yaml_error_at(loader *L, yaml_node_t *n, const char *fmt, const char *arg) {
    oc_diag_report(L->diag, OC_ERROR, L->meta_display, (int)n->start_mark.line + 1 + L->line_offset,
                   (int)n->start_mark.column + 1, fmt, arg);
}

static const char *dup_scalar(loader *L, yaml_document_t *y, yaml_node_t *n, const char *key) {
    const char *s = scalar(y, n);
    if (!s) {
        yaml_error_at(L, n, "'%s' must be a single value", key);
        return NULL;
    }
    size_t bad = oc_utf8_find_invalid(s, strlen(s));
    if (bad != (size_t)-1) {
        yaml_error_at(L, n, "'%s' is not valid UTF-8", key);
        return NULL;
    }
    return oc_arena_strdup(&L->doc->arena, s);
}

static int yaml_bool(const char *s, int *out) {
    static const char *yes[] = {"true", "yes", "on", "True", "Yes", "TRUE"};
    static const char *no[] = {"false", "no", "off", "False", "No", "FALSE"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++)
        if (strcmp(s, yes[i]) == 0) return *out = 1, 1;
    for (size_t i = 0; i < sizeof no / sizeof *no; i++)
        if (strcmp(s, no[i]) == 0) return *out = 0, 1;
    return 0;
}

static int all_of(const char *s, size_t n, int (*cls)(int)) {
    for (size_t i = 0; i < n; i++)
        if (!cls((unsigned char)s[i])) return 0;
    return 1;
}

/* Whether s is a well-formed BCP 47 tag (RFC 5646, section 2.1): language
 * (2-3 letters with up to three 3-letter extlangs, or 4-8 letters), then
 * optional script (4 letters), region (2 letters or 3 digits), variants
 * (5-8 alphanumerics, or a digit and 3), extensions (a singleton other than
 * x, each at most once, with subtags of 2-8) and a private use part (x and
 * subtags of 1-8); or a private use tag alone. Case does not matter. The
 * deprecated grandfathered tags (i-klingon) are not accepted. */
static int valid_language(const char *s) {
    enum { MAX_SUBTAGS = 48 };
    const char *t[MAX_SUBTAGS];
    size_t len[MAX_SUBTAGS];
    int n = 0;
    const char *p = s;
    for (;;) {
        const char *e = strchr(p, '-');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l < 1 || l > 8 || n == MAX_SUBTAGS || !all_of(p, l, isalnum)) return 0;
        t[n] = p;
        len[n++] = l;
        if (!e) break;
        p = e + 1;
    }
    int i = 0;
#define IS_X(k) (len[k] == 1 && (t[k][0] == 'x' || t[k][0] == 'X'))
    if (!IS_X(0)) {
        if (len[0] < 2 || !all_of(t[0], len[0], isalpha)) return 0;
        i = 1;
        if (len[0] <= 3)
            for (int k = 0; k < 3 && i < n && len[i] == 3 && all_of(t[i], 3, isalpha); k++)
                i++;
        if (i < n && len[i] == 4 && all_of(t[i], 4, isalpha)) i++;
        if (i < n && ((len[i] == 2 && all_of(t[i], 2, isalpha)) ||
                      (len[i] == 3 && all_of(t[i], 3, isdigit))))
            i++;
        while (i < n && (len[i] >= 5 || (len[i] == 4 && isdigit((unsigned char)t[i][0]))))
            i++;
        unsigned seen = 0; /* singletons used, by 0-9a-z */
        while (i < n && len[i] == 1 && !IS_X(i)) {
            int c = tolower((unsigned char)t[i][0]);
            unsigned bit = 1u << (isdigit(c) ? c - '0' : 10 + c - 'a');
            if (seen & bit) return 0;
            seen |= bit;
            int k = ++i;
            while (i < n && len[i] >= 2)
                i++;
            if (i == k) return 0;
        }
    }
    if (i < n && IS_X(i)) {
        int k = ++i;
        i = n;
        if (i == k) return 0;
    }
#undef IS_X
    return i == n;
}

/* Free text (title, author, rights...): no control characters, not blank.
 * Returns the text without surrounding blanks, or NULL after an error at
 * the value. */
static const char *text_value(loader *L, yaml_document_t *y, yaml_node_t *v, const char *key) {
    const char *s = dup_scalar(L, y, v, key);
    if (!s) return NULL;
    size_t len = strlen(s);
    for (size_t i = 0; i < len;) {
        size_t j = i;
        uint32_t cp = oc_utf8_next(s, len, &j);
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp <= 0x9F)) {
            oc_diag_report(L->diag, OC_ERROR, L->meta_display,
                           (int)v->start_mark.line + 1 + L->line_offset,
                           (int)v->start_mark.column + 1, "'%s' holds a control character (U+%04X)",
                           key, (unsigned)cp);
            return NULL;
        }
        i = j;
    }
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    while (len && isspace((unsigned char)*s))
        s++, len--;
    if (!len) {
        yaml_error_at(L, v, "'%s' is empty; give it a value or leave the key out", key);
        return NULL;
    }
    return oc_arena_strndup(&L->doc->arena, s, len);
}

/* `accessibility:` — conformance and certification are claims someone must
 * stand behind, so they are written only when given here and only in the
 * forms EPUB Accessibility 1.1 defines. */
static int a11y_conformance_ok(const char *s) {
    static const char *forms[] = {"EPUB Accessibility 1.1 - WCAG 2.0 Level ",
                                  "EPUB Accessibility 1.1 - WCAG 2.1 Level ",
                                  "EPUB Accessibility 1.1 - WCAG 2.2 Level "};
    for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
        size_t n = strlen(forms[i]);
        if (strncmp(s, forms[i], n) == 0 &&
            (strcmp(s + n, "A") == 0 || strcmp(s + n, "AA") == 0 || strcmp(s + n, "AAA") == 0))
            return 1;
    }
    return 0;
}

static int a11y_hazard_ok(const char *s) {
    static const char *known[] = {"none",
                                  "unknown",
                                  "flashing",
                                  "noFlashingHazard",
                                  "unknownFlashingHazard",
                                  "motionSimulation",
                                  "noMotionSimulationHazard",
                                  "unknownMotionSimulationHazard",
                                  "sound",
                                  "noSoundHazard",
                                  "unknownSoundHazard"};
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (strcmp(s, known[i]) == 0) return 1;
    return 0;
}

static void take_accessibility(loader *L, yaml_document_t *y, yaml_node_t *v) {
    oc_meta *m = &L->doc->meta;
    if (v->type != YAML_MAPPING_NODE) {
        yaml_error_at(L, v, "'%s' must be a mapping (conforms-to:, certified-by:, ...)",
                      "accessibility");
        return;
    }
    for (yaml_node_pair_t *pr = v->data.mapping.pairs.start; pr < v->data.mapping.pairs.top; pr++) {
        yaml_node_t *k = yaml_document_get_node(y, pr->key);
        yaml_node_t *val = yaml_document_get_node(y, pr->value);
        const char *key = scalar(y, k);
        if (!key || !val) continue;
        if (strcmp(key, "conforms-to") == 0) {
            const char *s = dup_scalar(L, y, val, key);
            if (s && !a11y_conformance_ok(s))
                yaml_error_at(L, val,
                              "conforms-to '%s' is not of the form 'EPUB Accessibility 1.1 - "
                              "WCAG 2.1 Level AA'",
                              s);
            else
                m->a11y_conforms_to = s;
        } else if (strcmp(key, "certified-by") == 0) {
            m->a11y_certified_by = dup_scalar(L, y, val, key);
        } else if (strcmp(key, "summary") == 0) {
            m->a11y_summary = dup_scalar(L, y, val, key);
        } else if (strcmp(key, "hazards") == 0) {
            int n = val->type == YAML_SEQUENCE_NODE
                        ? (int)(val->data.sequence.items.top - val->data.sequence.items.start)
                        : 1;
            m->a11y_hazards = oc_arena_alloc(&L->doc->arena, sizeof(char *) * (size_t)(n + 1));
            m->na11y_hazards = 0;
            for (int i = 0; i < n; i++) {
                yaml_node_t *it = val->type == YAML_SEQUENCE_NODE
                                      ? yaml_document_get_node(y, val->data.sequence.items.start[i])
                                      : val;
                const char *s = dup_scalar(L, y, it, key);
                if (s && !a11y_hazard_ok(s))
                    yaml_error_at(L, it,
                                  "hazard '%s' is not one of none, flashing, motionSimulation, "
                                  "sound, their no...Hazard and unknown...Hazard forms, unknown",
                                  s);
                else if (s)
                    m->a11y_hazards[m->na11y_hazards++] = s;
            }
        } else {
            oc_diag_report(
                L->diag, OC_WARNING, L->meta_display, (int)k->start_mark.line + 1 + L->line_offset,
                (int)k->start_mark.column + 1, "unknown key 'accessibility.%s' is ignored", key);
        }
    }
    if (m->a11y_certified_by && !m->a11y_conforms_to)
        yaml_error_at(L, v, "'%s' names a certifier but no conforms-to claim", "accessibility");
}

static void take_key(loader *L, yaml_document_t *y, const char *key, yaml_node_t *v) {
    oc_meta *m = &L->doc->meta;
    oc_arena *a = &L->doc->arena;
    if (strcmp(key, "title") == 0) {
        m->title = text_value(L, y, v, key);
    } else if (strcmp(key, "subtitle") == 0) {
        m->subtitle = text_value(L, y, v, key);
    } else if (strcmp(key, "author") == 0 || strcmp(key, "authors") == 0) {
        if (v->type == YAML_SCALAR_NODE) {
            m->authors = oc_arena_alloc(a, sizeof *m->authors);
            m->authors[0] = text_value(L, y, v, key);
            m->nauthors = m->authors[0] ? 1 : 0;
        } else if (v->type == YAML_SEQUENCE_NODE) {
            int n = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
            m->authors = oc_arena_alloc(a, sizeof *m->authors * (size_t)(n ? n : 1));
            m->nauthors = 0;
            for (int i = 0; i < n; i++) {
                yaml_node_t *it = yaml_document_get_node(y, v->data.sequence.items.start[i]);
                const char *s = text_value(L, y, it, key);
                if (s) m->authors[m->nauthors++] = s;
            }
        } else {
            yaml_error_at(L, v, "'%s' must be a name or a list of names", key);
        }
    } else if (strcmp(key, "language") == 0 || strcmp(key, "lang") == 0) {
        const char *s = dup_scalar(L, y, v, key);
        if (s && !valid_language(s))
            yaml_error_at(L, v, "'%s' is not a well-formed BCP 47 language tag (like en-US)", s);
        else if (s)
            m->language = s;
    } else if (strcmp(key, "identifier") == 0) {
        m->identifier = text_value(L, y, v, key);
    } else if (strcmp(key, "date") == 0) {
        m->date = text_value(L, y, v, key);
    } else if (strcmp(key, "slug") == 0) {
        const char *s = dup_scalar(L, y, v, key);
        if (s) {
            int ok = *s != '\0';
            for (const char *p = s; *p; p++)
                if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.') ok = 0;
            if (ok && strlen(s) > OC_MAX_SLUG)
                oc_diag_report(L->diag, OC_ERROR, L->meta_display,
                               (int)v->start_mark.line + 1 + L->line_offset,
                               (int)v->start_mark.column + 1,
                               "slug is %zu characters long; at most %d fit in a file name with "
                               "room for the temporary name",
                               strlen(s), OC_MAX_SLUG);
            else if (!ok || s[0] == '.')
                yaml_error_at(L, v, "slug '%s' may hold only letters, digits, '-', '_' and '.'", s);
            else
                m->slug = s;
        }
    } else if (strcmp(key, "description") == 0 || strcmp(key, "abstract") == 0) {
        m->description = text_value(L, y, v, key);
    } else if (strcmp(key, "publisher") == 0) {
        m->publisher = text_value(L, y, v, key);
    } else if (strcmp(key, "rights") == 0) {
        m->rights = text_value(L, y, v, key);
    } else if (strcmp(key, "paper") == 0) {
        const char *s = dup_scalar(L, y, v, key);
        if (s && strcmp(s, "a4") && strcmp(s, "letter") && strcmp(s, "a5") && strcmp(s, "6x9") &&
            strcmp(s, "half-letter"))
            yaml_error_at(L, v, "paper '%s' is not one of a4, letter, a5, half-letter, 6x9", s);
        else
            m->paper = s;
    } else if (strcmp(key, "numbering") == 0 || strcmp(key, "number-sections") == 0) {
        const char *s = scalar(y, v);
        if (!s || !yaml_bool(s, &m->number_sections))
            yaml_error_at(L, v, "'%s' must be true or false", key);
    } else if (strcmp(key, "highlight") == 0) {
        const char *s = scalar(y, v);
        int on = 1;
        if (!s || !yaml_bool(s, &on))
            yaml_error_at(L, v, "'%s' must be true or false", key);
        else if (!on)
            m->no_highlight = 1;
    } else if (strcmp(key, "cover") == 0 || strcmp(key, "cover-image") == 0) {
        L->cover_ref = dup_scalar(L, y, v, key);
        L->cover_line = (int)v->start_mark.line + 1 + L->line_offset;
        L->cover_col = (int)v->start_mark.column + 1;
    } else if (strcmp(key, "accessibility") == 0) {
        take_accessibility(L, y, v);
    } else if (strcmp(key, "chapters") == 0) {
        if (v->type != YAML_SEQUENCE_NODE) {
            yaml_error_at(L, v, "'%s' must be a list of Markdown files", key);
            return;
        }
        int n = (int)(v->data.sequence.items.top - v->data.sequence.items.start);
        if (n > OC_MAX_CHAPTERS) {
            oc_diag_report(
                L->diag, OC_ERROR, L->meta_display, (int)v->start_mark.line + 1 + L->line_offset,
                (int)v->start_mark.column + 1,
                "'%s' lists %d files, more than the %d a book may have", key, n, OC_MAX_CHAPTERS);
            return;
        }
        L->chapter_refs = oc_arena_alloc(a, sizeof(char *) * (size_t)(n ? n : 1));
        L->chapter_lines = oc_arena_alloc(a, sizeof(int) * (size_t)(n ? n : 1));
        L->chapter_cols = oc_arena_alloc(a, sizeof(int) * (size_t)(n ? n : 1));
        L->nchapter_refs = 0;
        L->chapter_titles = oc_arena_alloc(a, sizeof(char *) * (size_t)(n ? n : 1));
        for (int i = 0; i < n; i++) {
            yaml_node_t *it = yaml_document_get_node(y, v->data.sequence.items.start[i]);
            const char *s = NULL, *title = NULL;
            if (it && it->type == YAML_MAPPING_NODE) {
                /* - file: x.md
                 *   title: The title shown in the contents */
                for (yaml_node_pair_t *p = it->data.mapping.pairs.start;
                     p < it->data.mapping.pairs.top; p++) {
                    yaml_node_t *k = yaml_document_get_node(y, p->key);
                    yaml_node_t *val = yaml_document_get_node(y, p->value);
                    const char *ks = scalar(y, k);
                    if (ks && strcmp(ks, "file") == 0)
                        s = dup_scalar(L, y, val, "chapters: file");
                    else if (ks && strcmp(ks, "title") == 0)
                        title = text_value(L, y, val, "chapters: title");
                    else
                        oc_diag_report(L->diag, OC_WARNING, L->meta_display,
                                       (int)k->start_mark.line + 1 + L->line_offset,
                                       (int)k->start_mark.column + 1,
                                       "unknown key '%s' in a chapter entry is ignored",
                                       ks ? ks : "?");
                }
                if (!s) {
                    yaml_error_at(L, it, "a chapter entry needs '%s: path/to/chapter.md'", "file");
                    continue;
                }
            } else {
                s = dup_scalar(L, y, it, "chapters");
            }
            if (!s) continue;
            L->chapter_titles[L->nchapter_refs] = title;
            L->chapter_refs[L->nchapter_refs] = s;
            L->chapter_lines[L->nchapter_refs] = (int)it->start_mark.line + 1 + L->line_offset;
            L->chapter_cols[L->nchapter_refs] = (int)it->start_mark.column + 1;
            L->nchapter_refs++;
        }
    } else {
        oc_diag_report(L->diag, OC_WARNING, L->meta_display,
                       (int)v->start_mark.line + 1 + L->line_offset, 1,
                       "unknown key '%s' is ignored", key);
    }
}

/* Walks the YAML events once, before the document is built, and reports
 * collections nested more than OC_MAX_YAML_DEPTH deep at the first one too
 * deep; the walk stops there, so depth costs nothing. Syntax errors are left
 * to the loader, which reports them. Returns 1 when too deep. */
static int yaml_too_deep(loader *L, const char *text, size_t len) {
    yaml_parser_t p;
    yaml_event_t e;
    int depth = 0, deep = 0;
    if (!yaml_parser_initialize(&p)) return 0;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (yaml_parser_parse(&p, &e)) {
        yaml_event_type_t t = e.type;
        if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
            if (++depth > OC_MAX_YAML_DEPTH) {
                oc_diag_report(L->diag, OC_ERROR, L->meta_display,
                               (int)e.start_mark.line + 1 + L->line_offset,
                               (int)e.start_mark.column + 1, "YAML nested more than %d levels deep",
                               OC_MAX_YAML_DEPTH);
                deep = 1;
            }
        } else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
            depth--;
        }
        yaml_event_delete(&e);
        if (deep || t == YAML_STREAM_END_EVENT) break;
    }
    yaml_parser_delete(&p);
    return deep;
}

/* Parses YAML metadata text (the whole book.yaml, or a front matter block
 * that starts after `line_offset` lines). */
static void parse_meta(loader *L, const char *text, size_t len) {
    yaml_parser_t p;
    yaml_document_t y;
    if (yaml_too_deep(L, text, len)) return;
    if (!yaml_parser_initialize(&p)) {
        oc_diag_report(L->diag, OC_ERROR, L->meta_display, 0, 0, "cannot start the YAML parser");
        return;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &y)) {
        const yaml_mark_t *mk =
            p.problem_mark.line || p.problem_mark.column ? &p.problem_mark : &p.context_mark;
        oc_diag_report(L->diag, OC_ERROR, L->meta_display, (int)mk->line + 1 + L->line_offset,
                       (int)mk->column + 1, "malformed YAML: %s%s%s",
                       p.problem ? p.problem : "syntax error", p.context ? " " : "",
                       p.context ? p.context : "");
        yaml_parser_delete(&p);
        return;
    }
    yaml_node_t *root = yaml_document_get_root_node(&y);
    if (!root) {
        /* empty metadata is fine */
    } else if (root->type != YAML_MAPPING_NODE) {
        oc_diag_report(L->diag, OC_ERROR, L->meta_display,
                       (int)root->start_mark.line + 1 + L->line_offset,
                       (int)root->start_mark.column + 1,
                       "metadata must be a mapping of keys (title: ..., chapters: ...)");
    } else {
        for (yaml_node_pair_t *pr = root->data.mapping.pairs.start;
             pr < root->data.mapping.pairs.top; pr++) {
            yaml_node_t *k = yaml_document_get_node(&y, pr->key);
            yaml_node_t *v = yaml_document_get_node(&y, pr->value);
            const char *key = scalar(&y, k);
            if (!key || !v) {
                yaml_error_at(L, k, "%s", "metadata keys must be plain words");
                continue;
            }
            take_key(L, &y, key, v);
        }
    }
    yaml_document_delete(&y);
    yaml_parser_delete(&p);
}

/* ---- chapter text -------------------------------------------------------- */

/* Replaces invalid UTF-8 and NUL bytes with U+FFFD (warning once per file
 * with the first place), returns the cleaned text in arena `into`. */
static char *clean_into(oc_arena *into, oc_diag *diag, const char *display, const char *s,
                        size_t len, size_t *out_len) {
    size_t bad = oc_utf8_find_invalid(s, len);
    const char *nul = memchr(s, '\0', len);
    size_t start = len;
    if (bad != (size_t)-1) start = bad;
    if (nul && (size_t)(nul - s) < start) start = (size_t)(nul - s);
    if (start == len) {
        *out_len = len;
        return oc_arena_strndup(into, s, len);
    }
    int line = 1, col = 1;
    for (size_t i = 0; i < start; i++) {
        /* CR, LF and CRLF each end one line, as in CommonMark and YAML */
        if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= len || s[i + 1] != '\n')))
            line++, col = 1;
        else if (s[i] == '\r')
            continue;
        else if (((unsigned char)s[i] & 0xC0) != 0x80)
            col++;
    }
    oc_buf b;
    oc_buf_init(&b);
    oc_buf_reserve(&b, len + len / 2);
    size_t i = 0, count = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0) {
            oc_buf_append(&b, "\xEF\xBF\xBD", 3);
            i++;
            count++;
        } else if (c < 0x80) {
            oc_buf_putc(&b, (char)c);
            i++;
        } else {
            size_t j = i;
            uint32_t cp = oc_utf8_next(s, len, &j);
            int genuine = j - i == 3 && memcmp(s + i, "\xEF\xBF\xBD", 3) == 0;
            if (cp == 0xFFFD && !genuine) count++;
            char enc[4];
            oc_buf_append(&b, enc, (size_t)oc_utf8_encode(cp, enc));
            i = j;
        }
    }
    oc_diag_report(diag, OC_WARNING, display, line, col,
                   "invalid UTF-8 or NUL byte replaced with U+FFFD (%zu in this file)", count);
    *out_len = b.len;
    char *r = oc_arena_strndup(into, b.data, b.len);
    oc_buf_free(&b);
    return r;
}

/* Text that is only read while loading (an included file, SUMMARY.md): in
 * the Document's arena. */
static char *clean_text(oc_document *doc, oc_diag *diag, const char *display, const char *s,
                        size_t len, size_t *out_len) {
    return clean_into(&doc->arena, diag, display, s, len, out_len);
}

/* A chapter's own Markdown, in the arena oc_doc_drop_sources frees. */
static char *clean_source(oc_document *doc, oc_diag *diag, const char *display, const char *s,
                          size_t len, size_t *out_len) {
    return clean_into(&doc->sources, diag, display, s, len, out_len);
}

/* The line starting at i ends at the returned index (its first line-end
 * byte, or len); *next is where the following line starts. CR, LF and CRLF
 * each end one line. */
static size_t line_end(const char *s, size_t len, size_t i, size_t *next) {
    size_t e = i;
    while (e < len && s[e] != '\n' && s[e] != '\r')
        e++;
    *next = e < len ? e + 1 + (s[e] == '\r' && e + 1 < len && s[e + 1] == '\n') : len;
    return e;
}

/* If text starts with a YAML front matter block, returns its length (up to
 * and including the closing line) and sets yaml/yaml_len; blanks nothing.
 * Returns 0 when there is none, -1 when it is not closed. */
static long front_matter(const char *s, size_t len, size_t *yaml_start, size_t *yaml_len) {
    size_t p = 0, next;
    if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) p = 3;
    if (len - p < 3 || memcmp(s + p, "---", 3) != 0) return 0;
    size_t e = line_end(s, len, p, &next);
    for (size_t q = p + 3; q < e; q++)
        if (s[q] != ' ' && s[q] != '\t') return 0; /* "---x" */
    if (e == len) return 0;                        /* a lone thematic break at EOF */
    *yaml_start = next;
    for (size_t line = next; line < len; line = next) {
        e = line_end(s, len, line, &next);
        size_t t = e;
        while (t > line && (s[t - 1] == ' ' || s[t - 1] == '\t'))
            t--;
        if (t - line == 3 && (memcmp(s + line, "---", 3) == 0 || memcmp(s + line, "...", 3) == 0)) {
            *yaml_len = line - *yaml_start;
            return (long)next;
        }
    }
    return -1;
}

/* Blanks the front matter so that Markdown line numbers stay those of the file. */
static void blank_prefix(char *s, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (s[i] != '\n' && s[i] != '\r') s[i] = ' ';
}

/* A chapter with nothing but blanks (or only front matter) is built, but
 * the author most likely meant to write something. */
static void warn_if_empty(oc_diag *diag, const char *display, const char *text, size_t len) {
    for (size_t i = 0; i < len; i++)
        if (!isspace((unsigned char)text[i])) return;
    oc_diag_report(diag, OC_WARNING, display, 1, 1, "the chapter is empty");
}

static oc_chapter *add_chapter(oc_document *doc, const char *rel, char *text, size_t len) {
    oc_chapter *c = &doc->chapters[doc->nchapters];
    c->index = doc->nchapters;
    c->path = rel;
    c->display = disk_path(doc, rel);
    c->file_id = oc_arena_printf(&doc->arena, "ch%02d", doc->nchapters + 1);
    c->source = text;
    c->source_len = len;
    doc->nchapters++;
    return c;
}

/* ---- shared with the mdBook loader (loader.h) ----------------------------- */

const char *oc_book_display(oc_document *doc, const char *rel) {
    return disk_path(doc, rel);
}

oc_status oc_book_read(oc_document *doc, const char *rel, char **data, size_t *len, char *why) {
    return read_confined(doc, rel, data, len, why);
}

char *oc_book_clean_text(oc_document *doc, oc_diag *diag, const char *display, const char *s,
                         size_t len, size_t *out_len) {
    return clean_text(doc, diag, display, s, len, out_len);
}

oc_chapter *oc_book_add_chapter(oc_document *doc, const char *rel, char *text, size_t len) {
    return add_chapter(doc, rel, text, len);
}

int oc_book_valid_language(const char *s) {
    return valid_language(s);
}

static oc_chapter *load_chapter_file(loader *L, const char *rel, int line, int col) {
    oc_document *doc = L->doc;
    char *raw = NULL, why[256] = "";
    size_t len = 0;
    oc_status st = read_confined(doc, rel, &raw, &len, why);
    if (st != OC_OK) {
        oc_diag_report(L->diag, OC_ERROR, L->meta_display, line, col, "chapter '%s': %s", rel, why);
        return NULL;
    }
    const char *display = disk_path(doc, rel);
    size_t clen;
    char *text = clean_source(doc, L->diag, display, raw, len, &clen);
    free(raw);
    size_t ys, yl;
    long fm = front_matter(text, clen, &ys, &yl);
    if (fm > 0) blank_prefix(text, (size_t)fm); /* a chapter's own front matter is ignored */
    warn_if_empty(L->diag, display, text, clen);
    return add_chapter(doc, rel, text, clen);
}

/* ---- assets -------------------------------------------------------------- */

/* The EPUB's name for each kind: a WebP goes in as a PNG (epub.c). */
static const char *epub_extension(oc_image_kind k) {
    switch (k) {
    case OC_IMG_JPEG:
        return "jpg";
    case OC_IMG_GIF:
        return "gif";
    case OC_IMG_SVG:
        return "svg";
    default:
        return "png";
    }
}

/* An SVG asset is its cleaned document (image.h): *data is replaced by it,
 * and what cleaning took out is one warning at the citing line. */
static int svg_asset(oc_diag *diag, const char *display, int line, int col, const char *ref,
                     char **data, size_t *len, oc_image_info *probe) {
    unsigned char *svg = NULL;
    size_t n = 0;
    oc_svg_removed rm;
    char why[256] = "";
    if (oc_image_svg_clean((const unsigned char *)*data, *len, &svg, &n, &probe->width,
                           &probe->height, &rm, why) != OC_OK) {
        oc_diag_report(diag, OC_ERROR, display, line, col, "image '%s': %s", ref, why);
        return -1;
    }
    free(*data);
    *data = (char *)svg;
    *len = n;
    oc_buf what;
    oc_buf_init(&what);
    const struct {
        int n;
        const char *one, *many;
    } parts[] = {{rm.scripts, "a script", "scripts"},
                 {rm.events, "an event attribute (on...)", "event attributes (on...)"},
                 {rm.external, "a reference outside the file", "references outside the file"},
                 {rm.foreign, "a foreign element or attribute", "foreign elements or attributes"},
                 {rm.instructions, "a processing instruction", "processing instructions"}};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!parts[i].n) continue;
        if (what.len) oc_buf_puts(&what, ", ");
        if (parts[i].n == 1)
            oc_buf_puts(&what, parts[i].one);
        else
            oc_buf_printf(&what, "%d %s", parts[i].n, parts[i].many);
    }
    if (what.len)
        oc_diag_report(diag, OC_WARNING, display, line, col,
                       "image '%s': removed from the SVG: %s (not allowed in a book)", ref,
                       what.data);
    oc_buf_free(&what);
    return 0;
}

oc_asset *oc_book_asset(oc_document *doc, const char *from_file, const char *ref, int line, int col,
                        oc_diag *diag) {
    const char *display = from_file ? disk_path(doc, from_file) : doc->meta_path;
    char *dir = from_file ? oc_path_dirname(&doc->arena, from_file) : "";
    /* URL-style escapes in Markdown paths: %20 for spaces */
    char *unesc = oc_arena_strdup(&doc->arena, ref);
    size_t o = 0;
    for (size_t i = 0; ref[i]; i++) {
        if (ref[i] == '%' && isxdigit((unsigned char)ref[i + 1]) &&
            isxdigit((unsigned char)ref[i + 2])) {
            char hex[3] = {ref[i + 1], ref[i + 2], 0};
            unesc[o++] = (char)strtol(hex, NULL, 16);
            i += 2;
        } else {
            unesc[o++] = ref[i];
        }
    }
    unesc[o] = '\0';
    char *rel = oc_path_confine(&doc->arena, dir, unesc);
    if (!rel) {
        oc_diag_report(diag, OC_ERROR, display, line, col, "image '%s' is outside the book folder",
                       ref);
        return NULL;
    }
    for (int i = 0; i < doc->nassets; i++)
        if (strcmp(doc->assets[i]->path, rel) == 0) return doc->assets[i];

    char *data = NULL, why[256] = "";
    size_t len = 0;
    oc_status st = read_confined(doc, rel, &data, &len, why);
    if (st != OC_OK) {
        oc_diag_report(diag, OC_ERROR, display, line, col, "image '%s': %s", ref, why);
        return NULL;
    }
    oc_image_info probe;
    memset(&probe, 0, sizeof probe);
    if (oc_image_sniff((const unsigned char *)data, len) == OC_IMG_SVG) {
        /* checked by cleaning it, once: the asset is the cleaned copy */
        probe.kind = OC_IMG_SVG;
        if (svg_asset(diag, display, line, col, ref, &data, &len, &probe) != 0) {
            free(data);
            return NULL;
        }
    } else if (oc_image_probe((const unsigned char *)data, len, &probe, why) != 0) {
        oc_diag_report(diag, OC_ERROR, display, line, col, "image '%s': %s", ref, why);
        free(data);
        return NULL;
    }
    oc_asset *a = oc_arena_alloc(&doc->arena, sizeof *a);
    a->kind = probe.kind;
    a->width = probe.width, a->height = probe.height;
    a->bits = probe.bits, a->channels = probe.channels;
    a->path = rel;
    unsigned char *copy = oc_arena_alloc(&doc->arena, len);
    memcpy(copy, data, len);
    free(data);
    a->data = copy;
    a->size = len;
    a->id = oc_arena_printf(&doc->arena, "img%d", doc->nassets + 1);
    a->epub_name =
        oc_arena_printf(&doc->arena, "images/img%d.%s", doc->nassets + 1, epub_extension(a->kind));
    if ((doc->nassets & (doc->nassets - 1)) == 0) {
        size_t cap = doc->nassets ? (size_t)doc->nassets * 2 : 4;
        oc_asset **grown = oc_arena_alloc(&doc->arena, cap * sizeof *grown);
        if (doc->nassets) memcpy(grown, doc->assets, (size_t)doc->nassets * sizeof *grown);
        doc->assets = grown;
    }
    doc->assets[doc->nassets++] = a;
    return a;
}

/* ---- defaults ------------------------------------------------------------- */

/* A stable urn:uuid derived from the title (and first author). */
static const char *derived_identifier(oc_document *doc) {
    const char *t = doc->meta.title ? doc->meta.title : "untitled";
    const char *au = doc->meta.nauthors ? doc->meta.authors[0] : "";
    return oc_arena_uuid(&doc->arena, t, au);
}

static void source_date(oc_document *doc, oc_diag *diag) {
    doc->source_date = -1;
    const char *e = getenv("SOURCE_DATE_EPOCH");
    if (!e || !*e) return;
    char *end = NULL;
    errno = 0;
    long long v = strtoll(e, &end, 10);
    if (errno || *end || v < 0 || v > 253402300799LL) {
        oc_diag_report(diag, OC_WARNING, NULL, 0, 0,
                       "SOURCE_DATE_EPOCH='%s' is not a number of seconds; using the time now", e);
        return;
    }
    doc->source_date = v;
}

/* A folder's landing page (README.md, index.md, any case) comes first. */
static int landing_page(const char *path) {
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    return strcasecmp(base, "README.md") == 0 || strcasecmp(base, "index.md") == 0;
}

/* By name, a landing page before the other files of its folder. */
static int cmp_chapter(const void *a, const void *b) {
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    const char *xs = strrchr(x, '/'), *ys = strrchr(y, '/');
    size_t xd = xs ? (size_t)(xs - x) : 0, yd = ys ? (size_t)(ys - y) : 0;
    if (xd == yd && strncmp(x, y, xd) == 0 && landing_page(x) != landing_page(y))
        return landing_page(x) ? -1 : 1;
    return strcmp(x, y);
}

typedef struct {
    oc_document *doc;
    const char *dir; /* "chapters/" or "" */
    const char **names;
    int n, cap;
    long found; /* every Markdown file, also those past the limit */
} chapter_list;

static void take_listed(void *arg, const char *name) {
    chapter_list *cl = arg;
    size_t l = strlen(name);
    if (l < 4 || strcmp(name + l - 3, ".md") != 0 || name[0] == '.') return;
    cl->found++;
    if (cl->n == OC_MAX_CHAPTERS) return;
    if (cl->n == cl->cap) {
        cl->cap = cl->cap ? cl->cap * 2 : 16;
        const char **g = oc_arena_alloc(&cl->doc->arena, sizeof *g * (size_t)cl->cap);
        if (cl->n) memcpy(g, cl->names, sizeof *g * (size_t)cl->n);
        cl->names = g;
    }
    cl->names[cl->n++] = oc_arena_printf(&cl->doc->arena, "%s%s", cl->dir, name);
}

/* No `chapters:` list: every .md file in chapters/ (or the book folder), by
 * name. More than OC_MAX_CHAPTERS is an error, never a silent cut. */
static void list_chapters(loader *L) {
    oc_document *doc = L->doc;
    const oc_io *io = doc->io;
    const char *dirs[] = {"chapters", ""};
    for (int d = 0; d < 2 && L->nchapter_refs == 0; d++) {
        chapter_list cl = {.doc = doc, .dir = *dirs[d] ? "chapters/" : ""};
        char why[256] = "";
        oc_status st = io->list_beneath(io->ctx, root_of(doc), dirs[d], take_listed, &cl, why);
        if (st == OC_ERR_INPUT && *dirs[d]) {
            /* say only that the folder leaves: nothing of what lies outside */
            oc_diag_report(L->diag, OC_ERROR, doc->meta_path, 1, 1,
                           "the folder '%s' leaves the book folder through a symbolic link",
                           dirs[d]);
            return;
        }
        if (st != OC_OK || !cl.n) continue;
        if (cl.found > OC_MAX_CHAPTERS) {
            oc_diag_report(L->diag, OC_ERROR, doc->meta_path, 1, 1,
                           "the folder '%s' holds %ld Markdown files, more than the %d a book "
                           "may have",
                           *dirs[d] ? dirs[d] : root_of(doc), cl.found, OC_MAX_CHAPTERS);
            return;
        }
        qsort(cl.names, (size_t)cl.n, sizeof *cl.names, cmp_chapter);
        L->chapter_refs = cl.names;
        L->chapter_titles = NULL;
        L->chapter_lines = oc_arena_alloc(&doc->arena, sizeof(int) * (size_t)cl.n);
        L->chapter_cols = oc_arena_alloc(&doc->arena, sizeof(int) * (size_t)cl.n);
        L->nchapter_refs = cl.n;
    }
}

static void finish_meta(loader *L, const char *fallback_name) {
    oc_document *doc = L->doc;
    oc_meta *m = &doc->meta;
    if (!m->language) m->language = "en-US";
    if (!m->slug) m->slug = oc_path_stem(&doc->arena, fallback_name);
    if (!m->slug[0] || strcmp(m->slug, ".") == 0 || strcmp(m->slug, "..") == 0) m->slug = "book";
    if (!m->identifier) m->identifier = derived_identifier(doc);
    if (L->cover_ref) {
        m->cover = oc_book_asset(doc, NULL, L->cover_ref, L->cover_line, L->cover_col, L->diag);
        if (m->cover) m->cover->is_cover = 1;
    }
}

static void doc_init(oc_document *doc, const oc_io *io, oc_diag *diag) {
    memset(doc, 0, sizeof *doc);
    oc_arena_init(&doc->arena);
    oc_arena_init(&doc->sources);
    doc->io = io ? io : oc_io_disk();
    /* OCTAVO_HIGHLIGHT=0 turns highlighting off for one run (benchmarks, comparisons) */
    const char *hl = getenv("OCTAVO_HIGHLIGHT");
    if (hl && strcmp(hl, "0") == 0) doc->meta.no_highlight = 1;
    source_date(doc, diag);
}

static int ends_with(const char *s, const char *suffix) {
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcmp(s + a - b, suffix) == 0;
}

/* A single Markdown file: front matter is the metadata, the body the one chapter. */
static oc_status load_single(loader *L, const char *display, const char *rel, char *text,
                             size_t len) {
    oc_document *doc = L->doc;
    size_t ys = 0, yl = 0;
    long fm = front_matter(text, len, &ys, &yl);
    if (fm < 0) {
        oc_diag_report(L->diag, OC_ERROR, display, 1, 1,
                       "front matter starts with '---' but has no closing '---' line");
        return OC_ERR_INPUT;
    }
    if (fm > 0) {
        L->line_offset = 1;
        parse_meta(L, text + ys, yl);
        blank_prefix(text, (size_t)fm);
    }
    warn_if_empty(L->diag, display, text, len);
    doc->chapters = oc_arena_alloc(&doc->arena, sizeof *doc->chapters);
    add_chapter(doc, rel, text, len);
    return OC_OK;
}

oc_status oc_book_load_string(oc_document *doc, const char *name, const char *md, size_t len,
                              const oc_io *io, oc_diag *diag) {
    doc_init(doc, io, diag);
    int errors_before = diag->errors;
    doc->root_dir = ".";
    doc->meta_path = oc_arena_strdup(&doc->arena, name);
    loader L = {.doc = doc, .diag = diag, .meta_display = doc->meta_path};
    size_t clen;
    char *text = clean_source(doc, diag, doc->meta_path, md, len, &clen);
    if (load_single(&L, doc->meta_path, doc->meta_path, text, clen) != OC_OK) return OC_ERR_INPUT;
    finish_meta(&L, name);
    if (diag->errors > errors_before) return OC_ERR_INPUT;
    return oc_doc_parse(doc, diag);
}

oc_status oc_book_load(oc_document *doc, const char *book, const oc_io *io, oc_diag *diag) {
    doc_init(doc, io, diag);
    int errors_before = diag->errors;
    oc_arena *a = &doc->arena;
    loader L = {.doc = doc, .diag = diag};
    struct stat sb;
    int on_disk = doc->io == oc_io_disk() || doc->io == oc_io_disk_walk();
    int is_dir = on_disk ? (stat(book, &sb) == 0 && S_ISDIR(sb.st_mode)) : !ends_with(book, ".md");
    char *data = NULL, why[256] = "";
    size_t len = 0;

    if (!is_dir) {
        if (!ends_with(book, ".md") && !ends_with(book, ".markdown")) {
            oc_diag_report(diag, OC_ERROR, book, 0, 0,
                           "not a book folder (with book.yaml) or a Markdown file");
            return OC_ERR_INPUT;
        }
        const char *slash = strrchr(book, '/');
        doc->root_dir = slash ? oc_arena_strndup(a, book, (size_t)(slash - book) + 1) : ".";
        doc->meta_path = oc_arena_strdup(a, book);
        L.meta_display = doc->meta_path;
        if (doc->io->read(doc->io->ctx, book, &data, &len, why) != OC_OK) {
            oc_diag_report(diag, OC_ERROR, book, 1, 1, "cannot read the book: %s", why);
            return OC_ERR_INPUT;
        }
        size_t clen;
        char *text = clean_source(doc, diag, book, data, len, &clen);
        free(data);
        const char *rel = slash ? oc_arena_strdup(a, slash + 1) : doc->meta_path;
        if (load_single(&L, book, rel, text, clen) != OC_OK) return OC_ERR_INPUT;
        finish_meta(&L, book);
    } else {
        size_t bl = strlen(book);
        while (bl > 1 && book[bl - 1] == '/')
            bl--;
        doc->root_dir = oc_arena_strndup(a, book, bl);
        doc->meta_path = disk_path(doc, "book.yaml");
        L.meta_display = doc->meta_path;
        const char *name = doc->root_dir;
        const char *slash = strrchr(name, '/');
        if (slash && slash[1]) name = slash + 1;
        if ((strcmp(name, ".") == 0 || strcmp(name, "..") == 0) && on_disk) {
            /* `octavo build .`: the folder's own name */
            char *real = realpath(name, NULL);
            const char *base = real ? strrchr(real, '/') : NULL;
            if (base && base[1]) name = oc_arena_strdup(a, base + 1);
            free(real);
        }
        if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) name = "book";
        int no_yaml = 0;
        if (read_confined(doc, "book.yaml", &data, &len, why) != OC_OK) {
            /* no book.yaml: an mdBook folder (book.toml and its SUMMARY.md)? */
            char *toml = NULL, why2[256] = "";
            size_t tlen = 0;
            oc_status tst = read_confined(doc, "book.toml", &toml, &tlen, why2);
            if (tst == OC_OK) {
                doc->meta_path = disk_path(doc, "book.toml");
                L.meta_display = doc->meta_path;
                oc_status st = oc_mdbook_load(doc, toml, tlen, diag);
                free(toml);
                if (st != OC_OK || diag->errors > errors_before) return OC_ERR_INPUT;
                finish_meta(&L, name);
                if (diag->errors > errors_before) return OC_ERR_INPUT;
                return oc_doc_parse(doc, diag);
            }
            /* neither: a plain folder of Markdown files (a project's docs)
             * builds with the defaults, its files by name, README.md or
             * index.md first; a book.yaml that is there but unreadable is
             * an error, never passed over */
            if (strcmp(why, OC_IO_NO_SUCH_FILE) != 0) {
                oc_diag_report(diag, OC_ERROR, doc->meta_path, 1, 1, "cannot read the metadata: %s",
                               why);
                return OC_ERR_INPUT;
            }
            if (strcmp(why2, OC_IO_NO_SUCH_FILE) != 0) {
                oc_diag_report(diag, OC_ERROR, disk_path(doc, "book.toml"), 1, 1,
                               "cannot read the metadata: %s", why2);
                return OC_ERR_INPUT;
            }
            no_yaml = 1;
        } else {
            parse_meta(&L, data, len);
            free(data);
        }
        if (diag->errors > errors_before) return OC_ERR_INPUT;
        if (L.nchapter_refs == 0) list_chapters(&L);
        if (L.nchapter_refs == 0 && no_yaml) {
            oc_diag_report(diag, OC_ERROR, doc->root_dir, 0, 0,
                           "not a book folder: no book.yaml, no book.toml and no Markdown files");
            return OC_ERR_INPUT;
        }
        if (L.nchapter_refs == 0) {
            oc_diag_report(diag, OC_ERROR, doc->meta_path, 1, 1,
                           "the book has no chapters (add a 'chapters:' list)");
            return OC_ERR_INPUT;
        }
        doc->chapters = oc_arena_alloc(a, sizeof *doc->chapters * (size_t)L.nchapter_refs);
        for (int i = 0; i < L.nchapter_refs; i++) {
            const char *ref = L.chapter_refs[i];
            char *rel = oc_path_confine(a, "", ref);
            if (!rel) {
                oc_diag_report(diag, OC_ERROR, doc->meta_path, L.chapter_lines[i],
                               L.chapter_cols[i], "chapter '%s' is outside the book folder", ref);
                continue;
            }
            int dup = 0;
            for (int k = 0; k < doc->nchapters; k++)
                if (strcmp(doc->chapters[k].path, rel) == 0) dup = 1;
            if (dup) {
                oc_diag_report(diag, OC_ERROR, doc->meta_path, L.chapter_lines[i],
                               L.chapter_cols[i], "chapter '%s' is listed twice", ref);
                continue;
            }
            oc_chapter *ch = load_chapter_file(&L, rel, L.chapter_lines[i], L.chapter_cols[i]);
            if (ch && L.chapter_titles && L.chapter_titles[i]) {
                ch->title = L.chapter_titles[i];
                ch->title_given = 1;
            }
        }
        finish_meta(&L, name);
    }
    if (diag->errors > errors_before) return OC_ERR_INPUT;
    return oc_doc_parse(doc, diag);
}
