/* Syntax highlighting of code blocks, once, at parse.
 *
 * GNU source-highlight does the lexing (its regex language definitions, about
 * 150 in /usr/share/source-highlight, and three of ours in highlight/ for
 * YAML, TOML and TypeScript), run by our matching loop in the module
 * src/modules/srchilite.cpp (through srchilite_bridge.c). Here we pick the
 * definition from the info string's first word, turn the element names
 * source-highlight reports into our classes (oc_hl_class) and store them
 * with the block as spans, so both editions render the same tokens.
 *
 * Rust blocks lose mdBook's hidden lines first: a line whose first
 * non-blank text is "# " or a lone "#" is not shown, and "##" at that place
 * shows as "#". The whole block, hidden lines included, is highlighted, and
 * the spans are carried over to the visible text, so a string or comment
 * opened on a hidden line does not throw the highlighting off. */
#include "doc/highlight.h"
#include "doc/hl_languages.h"
#include "doc/srchilite_bridge.h"
#include "octavo/doc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifndef OCTAVO_HIGHLIGHT_DIR
#define OCTAVO_HIGHLIGHT_DIR "highlight"
#endif
#ifndef OCTAVO_SRCHILITE_DIR
#define OCTAVO_SRCHILITE_DIR "/usr/share/source-highlight"
#endif

const char *const oc_hl_class_names[OC_HL_COUNT] = {
    [OC_HL_PLAIN] = "plain",       [OC_HL_KEYWORD] = "keyword",   [OC_HL_TYPE] = "type",
    [OC_HL_STRING] = "string",     [OC_HL_COMMENT] = "comment",   [OC_HL_NUMBER] = "number",
    [OC_HL_FUNCTION] = "function", [OC_HL_CONSTANT] = "constant", [OC_HL_PUNCTUATION] = "punct",
    [OC_HL_META] = "meta",         [OC_HL_VARIABLE] = "variable", [OC_HL_PROPERTY] = "property",
};

/* The palettes. Light colours keep WCAG AA (4.5:1) against the PDF's code
 * tint (0.94, 0.94, 0.93) and the EPUB's (10% grey over white); dark ones
 * against a night theme's background with the same tint (#262626 at worst).
 * Hues are told apart by more than colour where it matters: comments are
 * italic in every theme, keywords bold in print. test_highlight computes
 * every ratio. A class styled like OC_HL_PLAIN (punctuation, and most
 * classes in print) is drawn as plain text: the PDF sets it in the same run
 * as its neighbours and the EPUB's stylesheet has no rule for it. */
const oc_hl_style oc_hl_theme_light[OC_HL_COUNT] = {
    [OC_HL_PLAIN] = {0x000000, 0, 0},       [OC_HL_KEYWORD] = {0xC4183C, 0, 0},
    [OC_HL_TYPE] = {0x8A4600, 0, 0},        [OC_HL_STRING] = {0x0A4A8A, 0, 0},
    [OC_HL_COMMENT] = {0x5C636B, 0, 1},     [OC_HL_NUMBER] = {0x0550AE, 0, 0},
    [OC_HL_FUNCTION] = {0x7135C8, 0, 0},    [OC_HL_CONSTANT] = {0x1A6B1A, 0, 0},
    [OC_HL_PUNCTUATION] = {0x000000, 0, 0}, [OC_HL_META] = {0x8A2B8F, 0, 0},
    [OC_HL_VARIABLE] = {0x9C3D00, 0, 0},    [OC_HL_PROPERTY] = {0x0E5A6B, 0, 0},
};
const oc_hl_style oc_hl_theme_print[OC_HL_COUNT] = {
    [OC_HL_PLAIN] = {0x000000, 0, 0},       [OC_HL_KEYWORD] = {0x000000, 1, 0},
    [OC_HL_TYPE] = {0x000000, 0, 0},        [OC_HL_STRING] = {0x474747, 0, 0},
    [OC_HL_COMMENT] = {0x595959, 0, 1},     [OC_HL_NUMBER] = {0x000000, 0, 0},
    [OC_HL_FUNCTION] = {0x000000, 0, 0},    [OC_HL_CONSTANT] = {0x000000, 0, 0},
    [OC_HL_PUNCTUATION] = {0x474747, 0, 0}, [OC_HL_META] = {0x474747, 1, 0},
    [OC_HL_VARIABLE] = {0x000000, 0, 1},    [OC_HL_PROPERTY] = {0x000000, 0, 0},
};
const oc_hl_style oc_hl_theme_dark[OC_HL_COUNT] = {
    [OC_HL_PLAIN] = {0xE6E6E6, 0, 0},       [OC_HL_KEYWORD] = {0xFF7B72, 0, 0},
    [OC_HL_TYPE] = {0xFFA657, 0, 0},        [OC_HL_STRING] = {0xA5D6FF, 0, 0},
    [OC_HL_COMMENT] = {0x9DA5AE, 0, 1},     [OC_HL_NUMBER] = {0x79C0FF, 0, 0},
    [OC_HL_FUNCTION] = {0xD2A8FF, 0, 0},    [OC_HL_CONSTANT] = {0x7EE787, 0, 0},
    [OC_HL_PUNCTUATION] = {0xE6E6E6, 0, 0}, [OC_HL_META] = {0xF0A0E8, 0, 0},
    [OC_HL_VARIABLE] = {0xFFB77A, 0, 0},    [OC_HL_PROPERTY] = {0x7EE7E0, 0, 0},
};

int oc_hl_is_plain(const oc_hl_style *theme, int c) {
    const oc_hl_style *s = &theme[c], *p = &theme[OC_HL_PLAIN];
    return s->rgb == p->rgb && s->bold == p->bold && s->italic == p->italic;
}

/* A language: its name, the aliases the info string may use, its
 * definition file and whether that is ours (highlight/) or source-highlight's. */
typedef struct {
    const char *name;
    const char *aliases; /* space-separated, the name included */
    const char *file;
    int ours;
} language;

static const language languages[] = {
#define OC_HL_LANGUAGE(name, aliases, file, ours) {name, aliases, file, ours},
    OC_HL_LANGUAGES
#undef OC_HL_LANGUAGE
};

static const language *find_language(const char *info) {
    if (!info) return NULL;
    while (*info == ' ' || *info == '\t')
        info++;
    if (*info == '{') info++; /* {.rust} and {rust} as pandoc and R Markdown write them */
    if (*info == '.') info++;
    size_t wl = strcspn(info, " \t,{}");
    if (wl == 0 || wl > 32) return NULL;
    for (size_t i = 0; i < sizeof languages / sizeof *languages; i++)
        if (oc_word_listed(languages[i].aliases, info, wl, 1)) return &languages[i];
    return NULL;
}

const char *oc_doc_code_language(const char *info) {
    const language *l = find_language(info);
    return l ? l->name : NULL;
}

/* source-highlight's element names -> our classes */
static oc_hl_class class_of(const char *e) {
    static const struct {
        const char *elem;
        oc_hl_class cls;
    } map[] = {
        {"keyword", OC_HL_KEYWORD},
        {"type", OC_HL_TYPE},
        {"usertype", OC_HL_TYPE},
        {"classname", OC_HL_TYPE},
        {"string", OC_HL_STRING},
        {"regexp", OC_HL_STRING},
        {"specialchar", OC_HL_STRING},
        {"keyquote", OC_HL_PROPERTY},
        {"valquote", OC_HL_STRING},
        {"comment", OC_HL_COMMENT},
        {"todo", OC_HL_COMMENT},
        {"number", OC_HL_NUMBER},
        {"preproc", OC_HL_META},
        {"attribute", OC_HL_META},
        {"symbol", OC_HL_PUNCTUATION},
        {"cbracket", OC_HL_PUNCTUATION},
        {"colon", OC_HL_PUNCTUATION},
        {"function", OC_HL_FUNCTION},
        {"predef_func", OC_HL_FUNCTION},
        {"variable", OC_HL_VARIABLE},
        {"predef_var", OC_HL_VARIABLE},
        {"label", OC_HL_CONSTANT},
        {"atom", OC_HL_CONSTANT},
        {"value", OC_HL_CONSTANT},
        {"property", OC_HL_PROPERTY},
        {"key", OC_HL_PROPERTY},
        {"selector", OC_HL_KEYWORD},
        {"punct", OC_HL_PUNCTUATION},
        {"constant", OC_HL_CONSTANT},
        {"meta", OC_HL_META},
        /* diff.lang: removed and added lines, hunk headers */
        {"oldfile", OC_HL_KEYWORD},
        {"newfile", OC_HL_CONSTANT},
        {"difflines", OC_HL_META},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (strcmp(map[i].elem, e) == 0) return map[i].cls;
    return OC_HL_PLAIN;
}

typedef struct {
    oc_hl_span *v;
    size_t n, cap;
} spanvec;

/* The element names seen on this thread, by their pointer's hash: the
 * bridge reports each name through one pointer for the whole process, so a
 * name is looked up once per thread (again only when two share a slot).
 * Per thread rather than per block: a block's first pieces would otherwise
 * each walk class_of's list, "normal" to its end. */
static _Thread_local struct {
    const char *elem[64];
    unsigned char cls[64];
} seen;

static void on_piece(void *ud, size_t off, size_t len, const char *elem) {
    spanvec *sv = ud;
    unsigned slot = (unsigned)(((uintptr_t)elem * 0x9E3779B97F4A7C15ULL) >> 58);
    oc_hl_class c;
    if (seen.elem[slot] == elem) {
        c = (oc_hl_class)seen.cls[slot];
    } else {
        c = class_of(elem);
        seen.elem[slot] = elem;
        seen.cls[slot] = (unsigned char)c;
    }
    if (c == OC_HL_PLAIN || len == 0) return;
    /* a piece of the same class right after the last one extends it */
    if (sv->n && sv->v[sv->n - 1].cls == c &&
        sv->v[sv->n - 1].offset + sv->v[sv->n - 1].length == off) {
        sv->v[sv->n - 1].length += (uint32_t)len;
        return;
    }
    if (sv->n == sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 64;
        sv->v = oc_xrealloc(sv->v, sv->cap * sizeof *sv->v);
    }
    sv->v[sv->n++] = (oc_hl_span){(uint32_t)off, (uint32_t)len, (unsigned char)c};
}

/* One visible line of a Rust block: source bytes [src, src_end) go to dst;
 * `skip` is the source offset of a '#' dropped from "##", or (size_t)-1. */
typedef struct {
    size_t src, src_end, dst, skip;
} kept_line;

static size_t map_offset(const kept_line *k, size_t o) {
    size_t d = k->dst + (o - k->src);
    if (k->skip != (size_t)-1 && o > k->skip) d--;
    return d;
}

/* The cost units of highlighting s (see oc_doc_highlight_block), or -1 when a
 * line is longer than OC_HL_MAX_LINE. */
static double cost_of(const char *s, size_t len) {
    double cost = 0;
    size_t p = 0;
    while (p < len) {
        const char *nl = memchr(s + p, '\n', len - p);
        size_t l = (nl ? (size_t)(nl - s) : len) - p;
        if (l > OC_HL_MAX_LINE) return -1;
        cost += (double)l * (double)(l > 64 ? l : 64);
        p += l + 1;
    }
    return cost;
}

/* One block to highlight: what the bridge runs over (the whole block,
 * hidden lines included) and how its spans go back to the node. */
typedef struct {
    oc_node *n;
    const char *dir, *file;
    const char *text;
    size_t len;
    uint64_t hash;   /* of file and text, for finding the same block again */
    kept_line *kept; /* Rust's visible lines; NULL: offsets carry over */
    size_t nkept;
    size_t same_as; /* an earlier job with the same language and text, or (size_t)-1 */
    spanvec sv;
    int rc;
    int done; /* (batch) highlighted, or same_as an earlier block */
} hl_job;

/* Hides mdBook's hidden lines and decides whether to highlight (the limits);
 * fills *job when the block is to be highlighted and returns 1 then.
 * *limited is set when the limits left it plain. */
static int prepare(oc_arena *a, oc_node *n, int highlight, double *budget, hl_job *job,
                   int *limited) {
    *limited = 0;
    if (!n || n->type != OC_CODE_BLOCK || !n->text) return 0;
    const language *lang = find_language(n->info);
    if (!lang) return 0;
    const char *s = n->text;
    size_t len = n->len;

    /* mdBook's hidden lines (Rust only) */
    kept_line *kept = NULL;
    size_t nkept = 0;
    char *shown = NULL;
    size_t shown_len = 0;
    if (strcmp(lang->name, "rust") == 0) {
        int hides = 0;
        size_t nl = 1;
        for (size_t i = 0; i < len; i++)
            nl += s[i] == '\n';
        kept = oc_xmalloc(nl * sizeof *kept);
        shown = oc_arena_alloc(a, len + 1);
        size_t p = 0;
        while (p < len) {
            size_t q = p;
            while (q < len && s[q] != '\n')
                q++;
            size_t t = p;
            while (t < q && (s[t] == ' ' || s[t] == '\t'))
                t++;
            size_t rest = q - t;
            if (rest > 0 && s[q - 1] == '\r') rest--;
            int hidden =
                (rest == 1 && s[t] == '#') || (rest >= 2 && s[t] == '#' && s[t + 1] == ' ');
            if (hidden) {
                hides = 1;
            } else {
                kept_line k = {p, q < len ? q + 1 : q, shown_len, (size_t)-1};
                if (rest >= 2 && s[t] == '#' && s[t + 1] == '#') {
                    k.skip = t;
                    hides = 1;
                }
                for (size_t i = p; i < k.src_end; i++)
                    if (i != k.skip) shown[shown_len++] = s[i];
                kept[nkept++] = k;
            }
            p = q + 1;
        }
        if (!hides) {
            free(kept);
            kept = NULL;
        } else {
            shown[shown_len] = '\0';
        }
    }

    if (highlight) {
        double cost = cost_of(s, len);
        if (budget) *budget += OC_HL_BUDGET_PER_BYTE * (double)len;
        if (cost < 0 || (budget && cost > *budget)) {
            highlight = 0;
            *limited = 1;
        } else if (budget) {
            *budget -= cost;
        }
    }
    n->lang = lang->name;
    if (kept) {
        n->text = shown;
        n->len = shown_len;
    }
    if (!highlight) {
        free(kept);
        return 0;
    }
    memset(job, 0, sizeof *job);
    job->n = n;
    job->dir = lang->ours ? OCTAVO_HIGHLIGHT_DIR : OCTAVO_SRCHILITE_DIR;
    const char *env = lang->ours ? getenv("OCTAVO_HIGHLIGHT_DIR") : NULL;
    if (env && *env) job->dir = env;
    job->file = lang->file;
    job->text = s;
    job->len = len;
    job->kept = kept;
    job->nkept = nkept;
    job->same_as = (size_t)-1;
    return 1;
}

/* Runs the highlighter over the job's text (any thread; no arena). */
static void run_job(hl_job *job) {
    job->rc = oc_hl_bridge_run(job->dir, job->file, job->text, job->len, on_piece, &job->sv);
}

/* Puts the spans of `from` (the job itself or an earlier one with the same
 * text) on the job's node: in the arena, or with `share` from's own array
 * where no hidden line moves them (the caller then keeps it); frees the
 * job's line map. */
static void apply_job(oc_arena *a, hl_job *job, const hl_job *from, int share) {
    oc_node *n = job->n;
    if (from->rc == 0 && from->sv.n && share && !job->kept) {
        n->spans = from->sv.v; /* the batch keeps it while the document lives */
        n->nspans = (int)from->sv.n;
    } else if (from->rc == 0 && from->sv.n) {
        const spanvec *sv = &from->sv;
        oc_hl_span *out = oc_arena_alloc(a, sv->n * sizeof *out);
        size_t m = 0;
        if (!job->kept) {
            memcpy(out, sv->v, sv->n * sizeof *out);
            m = sv->n;
        } else {
            size_t k = 0;
            for (size_t i = 0; i < sv->n; i++) {
                size_t o = sv->v[i].offset, e = o + sv->v[i].length;
                while (k < job->nkept && job->kept[k].src_end <= o)
                    k++;
                if (k == job->nkept) break;
                if (o < job->kept[k].src) continue; /* on a hidden line */
                size_t mo = map_offset(&job->kept[k], o), me = map_offset(&job->kept[k], e);
                if (me <= mo) continue;
                out[m++] = (oc_hl_span){(uint32_t)mo, (uint32_t)(me - mo), sv->v[i].cls};
            }
        }
        n->spans = out;
        n->nspans = (int)m;
    }
    free(job->kept);
    job->kept = NULL;
}

int oc_doc_highlight_block(oc_arena *a, oc_node *n, int highlight, double *budget) {
    hl_job job;
    int limited;
    if (!prepare(a, n, highlight, budget, &job, &limited)) return limited;
    run_job(&job);
    apply_job(a, &job, &job, 0);
    free(job.sv.v);
    return 0;
}

/* ---- a book's blocks, on several threads --------------------------------

 * The parse hands each block to oc_hl_batch_add as it meets it, and notes
 * how many were queued by each chapter's end; the first block starts a helper thread (unless
 * OCTAVO_THREADS=1) that highlights blocks in book order, loading each
 * language the first time it is needed, while the parse goes on and after
 * it: the layout and the EPUB start at once. Whoever needs a chapter's
 * spans calls oc_hl_batch_wait with that count, which takes the blocks
 * before it that nobody has started itself, waits for those another
 * thread runs, and puts the spans of every block before it on their nodes
 * (once, under the batch's lock). A block whose language and text an earlier
 * block has is highlighted once. The spans depend only on each block's
 * text, so they are the same with one thread or two, in whatever order the
 * blocks run. */

struct oc_hl_batch {
    oc_arena *arena; /* the document's: Rust's shown text, at oc_hl_batch_add */
    oc_arena out;    /* spans moved past hidden lines (Rust) */
    hl_job **jobs;   /* every block, in book order (pointers stay put) */
    size_t n, cap;
    size_t *todo; /* indexes of the blocks to run (not same_as another) */
    size_t ntodo, todo_cap, next;
    size_t *slots; /* open-addressing table of job indexes by hash */
    size_t nslots;
    size_t applied; /* jobs[0, applied) have their spans on their nodes */
    int closed, stop, threads, started;
    pthread_mutex_t mu;
    pthread_cond_t cv; /* a block queued, one done, the batch closed or stopped */
    pthread_t helper;
};

static int hl_threads(void) {
    const char *s = getenv("OCTAVO_THREADS");
    return s && s[0] == '1' && s[1] == '\0' ? 1 : 2;
}

oc_hl_batch *oc_hl_batch_new(oc_arena *a) {
    oc_hl_batch *b = oc_xcalloc(1, sizeof *b);
    b->arena = a;
    oc_arena_init(&b->out);
    b->threads = hl_threads();
    pthread_mutex_init(&b->mu, NULL);
    pthread_cond_init(&b->cv, NULL);
    return b;
}

/* Runs the next block nobody has taken (with the lock held; released
 * while it runs). */
static void take_one(oc_hl_batch *b) {
    hl_job *job = b->jobs[b->todo[b->next++]];
    pthread_mutex_unlock(&b->mu);
    run_job(job);
    pthread_mutex_lock(&b->mu);
    job->done = 1;
    pthread_cond_broadcast(&b->cv);
}

/* The helper: takes blocks until none is left and the batch is closed, or
 * it is stopped. */
static void *work(void *arg) {
    oc_hl_batch *b = arg;
    oc_thread_name("oc-highlight");
    oc_thread_background(); /* a block the layout needs first, it highlights itself */
    pthread_mutex_lock(&b->mu);
    for (;;) {
        while (b->next == b->ntodo && !b->closed && !b->stop)
            pthread_cond_wait(&b->cv, &b->mu);
        if (b->stop || b->next == b->ntodo) break;
        take_one(b);
    }
    pthread_mutex_unlock(&b->mu);
    return NULL;
}

/* A block's hash, for finding the same block again (same_block compares the
 * bytes): the language's file, a byte no name holds, then the text eight
 * bytes at a step, on the parsing thread, where FNV-1a's byte at a time cost
 * 3.5 M instructions on the code bench book. */
static uint64_t hash_job(const hl_job *j) {
    uint64_t h = oc_fnv1a("\xff", 1, oc_fnv1a_str(j->file, OC_FNV_OFFSET));
    const unsigned char *s = (const unsigned char *)j->text;
    size_t n = j->len;
    for (; n >= 8; s += 8, n -= 8) {
        uint64_t w;
        memcpy(&w, s, 8);
        h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
        h ^= h >> 29;
    }
    uint64_t w = n;
    for (size_t k = 0; k < n; k++)
        w = w << 8 | s[k];
    h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
    return h ^ h >> 32;
}

static int same_block(const hl_job *x, const hl_job *y) {
    return x->hash == y->hash && x->len == y->len && strcmp(x->file, y->file) == 0 &&
           strcmp(x->dir, y->dir) == 0 && memcmp(x->text, y->text, x->len) == 0;
}

/* The earlier job with the same block, or (size_t)-1; records job i. */
static size_t find_or_add(oc_hl_batch *b, size_t i) {
    if (2 * (b->n + 1) > b->nslots) {
        size_t ns = b->nslots ? b->nslots * 2 : 256;
        size_t *t = oc_xmalloc(ns * sizeof *t);
        for (size_t k = 0; k < ns; k++)
            t[k] = (size_t)-1;
        for (size_t k = 0; k < b->nslots; k++) {
            if (b->slots[k] == (size_t)-1) continue;
            size_t h = (size_t)b->jobs[b->slots[k]]->hash & (ns - 1);
            while (t[h] != (size_t)-1)
                h = (h + 1) & (ns - 1);
            t[h] = b->slots[k];
        }
        free(b->slots);
        b->slots = t;
        b->nslots = ns;
    }
    const hl_job *j = b->jobs[i];
    size_t h = (size_t)j->hash & (b->nslots - 1);
    while (b->slots[h] != (size_t)-1) {
        if (same_block(b->jobs[b->slots[h]], j)) return b->slots[h];
        h = (h + 1) & (b->nslots - 1);
    }
    b->slots[h] = i;
    return (size_t)-1;
}

int oc_hl_batch_add(oc_hl_batch *b, oc_node *n, int highlight, double *budget) {
    hl_job job;
    int limited;
    if (!prepare(b->arena, n, highlight, budget, &job, &limited)) return limited;
    hl_job *j = oc_xmalloc(sizeof *j);
    *j = job;
    j->hash = hash_job(j);
    pthread_mutex_lock(&b->mu);
    if (b->n == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 64;
        b->jobs = oc_xrealloc(b->jobs, b->cap * sizeof *b->jobs);
    }
    size_t i = b->n++;
    b->jobs[i] = j;
    j->same_as = find_or_add(b, i);
    if (j->same_as == (size_t)-1) {
        if (b->ntodo == b->todo_cap) {
            b->todo_cap = b->todo_cap ? 2 * b->todo_cap : 64;
            b->todo = oc_xrealloc(b->todo, b->todo_cap * sizeof *b->todo);
        }
        b->todo[b->ntodo++] = i;
        pthread_cond_broadcast(&b->cv);
    } else {
        j->done = 1; /* its spans are the earlier block's, which comes first */
    }
    if (!b->started && b->threads > 1)
        b->started = 1 + (pthread_create(&b->helper, NULL, work, b) == 0);
    pthread_mutex_unlock(&b->mu);
    return 0;
}

size_t oc_hl_batch_count(oc_hl_batch *b) {
    pthread_mutex_lock(&b->mu);
    size_t n = b->n;
    pthread_mutex_unlock(&b->mu);
    return n;
}

void oc_hl_batch_close(oc_hl_batch *b) {
    pthread_mutex_lock(&b->mu);
    b->closed = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
}

void oc_hl_batch_wait(oc_hl_batch *b, size_t upto) {
    if (!b) return;
    pthread_mutex_lock(&b->mu);
    if (upto > b->n) upto = b->n;
    for (;;) {
        size_t k = b->applied;
        while (k < upto && b->jobs[k]->done)
            k++;
        if (k >= upto) break; /* (another reader may have applied past upto) */
        if (b->next < b->ntodo && b->todo[b->next] < upto)
            take_one(b); /* (todo is in book order: this one comes before upto) */
        else
            pthread_cond_wait(&b->cv, &b->mu); /* it runs on another thread */
    }
    for (size_t k = b->applied; k < upto; k++) {
        hl_job *j = b->jobs[k];
        apply_job(&b->out, j, j->same_as == (size_t)-1 ? j : b->jobs[j->same_as], 1);
    }
    if (upto > b->applied) b->applied = upto;
    pthread_mutex_unlock(&b->mu);
}

void oc_hl_batch_free(oc_hl_batch *b) {
    if (!b) return;
    pthread_mutex_lock(&b->mu);
    b->stop = 1;
    pthread_cond_broadcast(&b->cv);
    pthread_mutex_unlock(&b->mu);
    if (b->started == 2) pthread_join(b->helper, NULL);
    for (size_t i = 0; i < b->n; i++) {
        free(b->jobs[i]->kept);
        free(b->jobs[i]->sv.v);
        free(b->jobs[i]);
    }
    free(b->jobs);
    free(b->todo);
    free(b->slots);
    oc_arena_free(&b->out);
    pthread_mutex_destroy(&b->mu);
    pthread_cond_destroy(&b->cv);
    free(b);
}
