/* Hyphenation with libhyphen and the system's pattern files.
 *
 * The language tag ("en-US") picks hyph_en_US.dic, then hyph_en.dic, from
 * OCTAVO_HYPHEN_DIR. Words are lowercased (ASCII and Latin-1 letters) before
 * libhyphen sees them; libhyphen reports points per character for UTF-8
 * dictionaries, which we map back to byte offsets of the caller's word. */
#include "octavo/layout.h"

#include <hyphen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef OCTAVO_HYPHEN_DIR
#define OCTAVO_HYPHEN_DIR "/usr/share/hyphen"
#endif

/* English typographic convention: two letters before a break, three after. */
#define HYPHEN_LEFT_MIN 2
#define HYPHEN_RIGHT_MIN 3
#define HYPHEN_MIN_LETTERS 5
/* libhyphen keeps words to about 100 characters; longer "words" are not words. */
#define HYPHEN_MAX_CHARS 64

/* Results per word: most words of a book repeat, and libhyphen's pattern
 * walk (with its mallocs) is the costly part of setting a paragraph. The
 * cache maps the word's exact bytes to its points; it belongs to this
 * oc_hyphen, which one layout run (one thread) owns. Bounded: past
 * CACHE_MAX_WORDS words or CACHE_MAX_BYTES of keys, new words are computed
 * and not remembered. */
#define CACHE_MAX_WORDS (1u << 16)
#define CACHE_MAX_BYTES (8u << 20)

typedef struct {
    uint64_t hash;
    uint32_t off; /* in pool: len bytes of word, then len bytes of points */
    uint16_t len;
    int16_t count; /* -1: empty slot */
} cache_slot;

typedef struct {
    cache_slot *slots; /* open addressing, power-of-two capacity */
    size_t cap, n;
    unsigned char *pool;
    size_t pool_len, pool_cap;
} word_cache;

/* Loaded patterns: only read once loaded (hnj_hyphen_hyphenate3 never
 * writes to its HyphenDict), so any number of oc_hyphen, on any threads,
 * may share them. */
struct oc_hyphen_patterns {
    HyphenDict *dict;
};

struct oc_hyphen {
    HyphenDict *dict;          /* the patterns' */
    oc_hyphen_patterns *owned; /* set by oc_hyphen_load: freed with h */
    word_cache *cache;         /* mutable behind the const handle the layout passes */
};

static int is_ascii_alpha(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Copies the letters of a language subtag into out (at most n-1), with the
 * requested case; returns the length, or -1 when the subtag has anything but
 * ASCII letters (which also keeps the tag from naming another path). */
static int copy_subtag(const char *s, size_t len, char *out, size_t n, int upper) {
    if (len == 0 || len + 1 > n) return -1;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (!is_ascii_alpha(c)) return -1;
        if (upper && c >= 'a' && c <= 'z') c -= 32;
        if (!upper && c >= 'A' && c <= 'Z') c += 32;
        out[i] = (char)c;
    }
    out[len] = '\0';
    return (int)len;
}

static HyphenDict *try_load(const char *name) {
    char path[512];
    int n = snprintf(path, sizeof path, "%s/%s", OCTAVO_HYPHEN_DIR, name);
    if (n <= 0 || (size_t)n >= sizeof path) return NULL;
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fclose(f);
    return hnj_hyphen_load(path);
}

oc_hyphen_patterns *oc_hyphen_patterns_load(const char *language, oc_diag *diag,
                                            const char *meta_path) {
    const char *lang = (language && *language) ? language : "en-US";
    char ll[16] = "", cc[16] = "";
    size_t l1 = strcspn(lang, "-_");
    HyphenDict *dict = NULL;

    if (copy_subtag(lang, l1, ll, sizeof ll, 0) > 0) {
        if (lang[l1]) {
            /* the region is the next two-letter subtag (skipping a script such as "Latn") */
            const char *p = lang + l1 + 1;
            while (*p) {
                size_t k = strcspn(p, "-_");
                if (k == 2 && copy_subtag(p, k, cc, sizeof cc, 1) == 2) break;
                cc[0] = '\0';
                p += k;
                if (*p) p++;
            }
        }
        char name[64];
        if (cc[0]) {
            snprintf(name, sizeof name, "hyph_%s_%s.dic", ll, cc);
            dict = try_load(name);
        }
        if (!dict) {
            snprintf(name, sizeof name, "hyph_%s.dic", ll);
            dict = try_load(name);
        }
    }
    if (!dict) {
        if (diag)
            oc_diag_report(diag, OC_WARNING, meta_path, 0, 0,
                           "no hyphenation patterns for language '%s' in %s; text is set "
                           "without hyphenation",
                           lang, OCTAVO_HYPHEN_DIR);
        return NULL;
    }
    oc_hyphen_patterns *p = oc_xcalloc(1, sizeof *p);
    p->dict = dict;
    return p;
}

void oc_hyphen_patterns_free(oc_hyphen_patterns *p) {
    if (!p) return;
    if (p->dict) hnj_hyphen_free(p->dict);
    free(p);
}

oc_hyphen *oc_hyphen_new(const oc_hyphen_patterns *p) {
    if (!p) return NULL;
    oc_hyphen *h = oc_xcalloc(1, sizeof *h);
    h->dict = p->dict;
    h->cache = oc_xcalloc(1, sizeof *h->cache);
    return h;
}

oc_hyphen *oc_hyphen_load(const char *language, oc_diag *diag, const char *meta_path) {
    oc_hyphen_patterns *p = oc_hyphen_patterns_load(language, diag, meta_path);
    oc_hyphen *h = oc_hyphen_new(p);
    if (h) h->owned = p;
    return h;
}

void oc_hyphen_free(oc_hyphen *h) {
    if (!h) return;
    oc_hyphen_patterns_free(h->owned);
    if (h->cache) {
        free(h->cache->slots);
        free(h->cache->pool);
        free(h->cache);
    }
    free(h);
}

/* The slot holding `word`, or the empty slot where it would go. */
static cache_slot *cache_find(word_cache *c, uint64_t hash, const char *word, size_t len) {
    size_t mask = c->cap - 1;
    for (size_t i = (size_t)hash & mask;; i = (i + 1) & mask) {
        cache_slot *e = &c->slots[i];
        if (e->count < 0) return e;
        if (e->hash == hash && e->len == len && memcmp(c->pool + e->off, word, len) == 0) return e;
    }
}

static void cache_grow(word_cache *c) {
    size_t old_cap = c->cap;
    cache_slot *old = c->slots;
    c->cap = old_cap ? old_cap * 2 : 1024;
    c->slots = oc_xmalloc(c->cap * sizeof *c->slots);
    for (size_t i = 0; i < c->cap; i++)
        c->slots[i].count = -1;
    for (size_t i = 0; i < old_cap; i++) {
        if (old[i].count < 0) continue;
        size_t mask = c->cap - 1, k = (size_t)old[i].hash & mask;
        while (c->slots[k].count >= 0)
            k = (k + 1) & mask;
        c->slots[k] = old[i];
    }
    free(old);
}

static void cache_put(word_cache *c, uint64_t hash, const char *word, size_t len,
                      const unsigned char *points, int count) {
    if (c->n >= CACHE_MAX_WORDS || c->pool_len + 2 * len > CACHE_MAX_BYTES || len > UINT16_MAX)
        return;
    if (2 * (c->n + 1) > c->cap) cache_grow(c);
    cache_slot *e = cache_find(c, hash, word, len);
    if (e->count >= 0) return;
    if (c->pool_len + 2 * len > c->pool_cap) {
        c->pool_cap = c->pool_cap ? c->pool_cap * 2 : 64 * 1024;
        while (c->pool_cap < c->pool_len + 2 * len)
            c->pool_cap *= 2;
        c->pool = oc_xrealloc(c->pool, c->pool_cap);
    }
    memcpy(c->pool + c->pool_len, word, len);
    memcpy(c->pool + c->pool_len + len, points, len);
    *e = (cache_slot){hash, (uint32_t)c->pool_len, (uint16_t)len, (int16_t)count};
    c->pool_len += 2 * len;
    c->n++;
}

/* A letter we hyphenate: ASCII letters, Latin-1 and Latin Extended letters,
 * Greek and Cyrillic. Everything else (digits, punctuation, symbols, CJK)
 * makes the word one we leave alone. */
static int is_word_letter(uint32_t cp) {
    if (cp < 0x80) return is_ascii_alpha((int)cp);
    if (cp >= 0xC0 && cp <= 0x24F) return cp != 0xD7 && cp != 0xF7;
    if (cp >= 0x370 && cp <= 0x52F) return cp != 0x37E && cp != 0x387;
    return 0;
}

static uint32_t to_lower(uint32_t cp) {
    if (cp >= 'A' && cp <= 'Z') return cp + 32;
    if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 32;
    return cp;
}

static int compute_points(const oc_hyphen *h, const char *word, size_t len, unsigned char *points);

int oc_hyphen_points(const oc_hyphen *h, const char *word, size_t len, unsigned char *points) {
    if (points && len) memset(points, 0, len);
    if (!h || !h->dict || !word || !points || len == 0) return 0;
    word_cache *c = h->cache;
    uint64_t hash = oc_fnv1a(word, len, OC_FNV_OFFSET);
    if (c && c->cap) {
        const cache_slot *e = cache_find(c, hash, word, len);
        if (e->count >= 0) {
            memcpy(points, c->pool + e->off + len, len);
            return e->count;
        }
    }
    int count = compute_points(h, word, len, points);
    if (c) cache_put(c, hash, word, len, points, count);
    return count;
}

/* libhyphen's answer for one word (points already zeroed). */
static int compute_points(const oc_hyphen *h, const char *word, size_t len, unsigned char *points) {
    /* decode, check letters, lowercase; remember where each character ends */
    char low[HYPHEN_MAX_CHARS * 4 + 8];
    size_t ends[HYPHEN_MAX_CHARS];
    size_t nchars = 0, lowlen = 0, i = 0;
    while (i < len) {
        if (nchars == HYPHEN_MAX_CHARS) return 0;
        uint32_t cp = oc_utf8_next(word, len, &i);
        if (!is_word_letter(cp)) return 0;
        lowlen += (size_t)oc_utf8_encode(to_lower(cp), low + lowlen);
        ends[nchars++] = i;
    }
    low[lowlen] = '\0';
    if (nchars < HYPHEN_MIN_LETTERS) return 0;

    char hyphens[sizeof low + 5];
    char hyphword[sizeof low * 2 + 8];
    char **rep = NULL;
    int *pos = NULL, *cut = NULL;
    memset(hyphens, 0, sizeof hyphens);
    int rc =
        hnj_hyphen_hyphenate3(h->dict, low, (int)lowlen, hyphens, hyphword, &rep, &pos, &cut,
                              HYPHEN_LEFT_MIN, HYPHEN_RIGHT_MIN, HYPHEN_LEFT_MIN, HYPHEN_RIGHT_MIN);
    int count = 0;
    if (rc == 0) {
        /* hyphens[k] odd: a break after character k (libhyphen indexes
         * characters, not bytes, for UTF-8 dictionaries) */
        for (size_t k = 0; k < nchars; k++) {
            if (!(hyphens[k] & 1)) continue;
            if (k + 1 < HYPHEN_LEFT_MIN || nchars - (k + 1) < HYPHEN_RIGHT_MIN) continue;
            if (rep && rep[k]) continue; /* non-standard (spelling-changing) breaks */
            points[ends[k] - 1] = 1;
            count++;
        }
    }
    if (rep) {
        for (size_t k = 0; k < lowlen; k++)
            free(rep[k]);
        free(rep);
    }
    free(pos);
    free(cut);
    return count;
}
