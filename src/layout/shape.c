/* Shaping with HarfBuzz, word by word, with a cache.
 *
 * A word (text between U+0020s, in one font) is shaped on its own: its
 * direction from its own letters (right to left when it holds a Hebrew,
 * Arabic, Syriac, Thaana or N'Ko letter), its script from HarfBuzz's guess,
 * its language the book's, features the font's defaults (kern, liga, calt,
 * mark, mkmk, and what the script's shaper adds: Indic conjuncts and
 * reordering, Arabic joining, Thai mark placement), minus ligatures,
 * contextual alternates and kerning in the monospace faces. Shaping a word
 * alone loses only kerning across a space, which fonts rarely have.
 *
 * Books repeat their words: the shaper remembers each word it shaped (per
 * font, up to CACHE_ENTRIES words and CACHE_GLYPHS glyphs, then it starts
 * over), so Latin text costs a hash lookup per word. One shaper per thread;
 * the HarfBuzz fonts underneath are shared (immutable). */
#include "layout/fonts_internal.h"
#include "octavo/layout.h"

#include <stdlib.h>
#include <string.h>

#define CACHE_ENTRIES 16384     /* words remembered (the table has twice the slots) */
#define CACHE_SLOTS_MIN 512     /* the table's first size: it doubles as words come */
#define CACHE_GLYPHS (1u << 20) /* glyph slots remembered, 20 MB at most */
#define CACHE_WORD_BYTES 64     /* longer words are shaped each time */

/* A remembered word is one record in the glyph pool: its glyphs, then its
 * bytes in the slots after them, so a lookup reads the table slot and one
 * place in memory (the lookups are bound by memory, not by comparing). */
typedef struct {   /* 32 bytes */
    uint64_t hash; /* 0: empty slot */
    uint32_t glyphs, nglyphs;
    uint16_t klen;
    uint16_t font; /* font * 2 + rtl */
    uint32_t nominal;
    double width;
} centry;

struct oc_shaper {
    const oc_fontset *fs;
    hb_language_t lang;
    hb_buffer_t *buf;
    centry *tab;
    size_t cap, n;
    oc_glyph *glyphs;
    size_t nglyphs, capglyphs;
    oc_glyph *tmp; /* an uncached word's glyphs */
    size_t captmp;
    const struct oc_shaper *peer;     /* read-only, see oc_shaper_set_peer */
    signed char plain[OC_FONT_COUNT]; /* oc_shaper_ascii_plain: -1 not yet asked */
};

int oc_shape_cp_rtl(uint32_t cp) {
    return (cp >= 0x0590 && cp <= 0x08FF && !(cp >= 0x0591 && cp <= 0x05C7 && cp != 0x05BE) &&
            !(cp >= 0x064B && cp <= 0x065F) && !(cp >= 0x0660 && cp <= 0x0669) && cp != 0x0670) ||
           (cp >= 0xFB1D && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFF) ||
           (cp >= 0x10800 && cp <= 0x10FFF) || (cp >= 0x1E800 && cp <= 0x1EFFF);
}

int oc_shape_is_rtl(const char *word, size_t len) {
    size_t i = 0;
    while (i < len) {
        if ((unsigned char)word[i] < 0xD6) { /* below U+0590 */
            i++;
            continue;
        }
        if (oc_shape_cp_rtl(oc_utf8_next(word, len, &i))) return 1;
    }
    return 0;
}

static int is_mono(oc_font_id f) {
    return f == OC_FONT_MONO || f == OC_FONT_MONO_BOLD || f == OC_FONT_MONO_ITALIC;
}

static const hb_feature_t code_features[] = {
    {HB_TAG('l', 'i', 'g', 'a'), 0, 0, (unsigned)-1},
    {HB_TAG('c', 'l', 'i', 'g'), 0, 0, (unsigned)-1},
    {HB_TAG('c', 'a', 'l', 't'), 0, 0, (unsigned)-1},
    {HB_TAG('k', 'e', 'r', 'n'), 0, 0, (unsigned)-1},
};

/* Shapes into s->buf; returns the glyph count. */
static unsigned shape_into(const oc_fontset *fs, hb_buffer_t *buf, hb_language_t lang, oc_font_id f,
                           int rtl, const char *word, size_t len) {
    hb_font_t *font = oc_fonts_hb(fs, f);
    hb_buffer_clear_contents(buf);
    if (!font || len == 0 || len > 0x7FFFFFFF) return 0;
    hb_buffer_add_utf8(buf, word, (int)len, 0, (int)len);
    hb_buffer_set_direction(buf, rtl ? HB_DIRECTION_RTL : HB_DIRECTION_LTR);
    hb_buffer_set_language(buf, lang);
    hb_buffer_guess_segment_properties(buf); /* the script */
    if (is_mono(f))
        hb_shape(font, buf, code_features, sizeof code_features / sizeof *code_features);
    else
        hb_shape(font, buf, NULL, 0);
    return hb_buffer_get_length(buf);
}

/* Copies the buffer's glyphs out in thousandths of an em; returns the width. */
static double take_glyphs(hb_buffer_t *buf, double scale, oc_glyph *out, unsigned n) {
    const hb_glyph_info_t *info = hb_buffer_get_glyph_infos(buf, NULL);
    const hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(buf, NULL);
    double w = 0;
    for (unsigned i = 0; i < n; i++) {
        out[i].gid = info[i].codepoint;
        out[i].cluster = info[i].cluster;
        /* a character the font lacks (glyph 0) takes no room: it is not drawn */
        out[i].adv = info[i].codepoint ? (float)(pos[i].x_advance * scale) : 0.0f;
        out[i].dx = (float)(pos[i].x_offset * scale);
        out[i].dy = (float)(pos[i].y_offset * scale);
        w += out[i].adv;
    }
    return w;
}

oc_shaper *oc_shaper_new(const oc_fontset *fs, const char *language) {
    oc_shaper *s = oc_xcalloc(1, sizeof *s);
    s->fs = fs;
    s->lang = language && *language ? hb_language_from_string(language, -1) : HB_LANGUAGE_INVALID;
    if (s->lang == HB_LANGUAGE_INVALID) s->lang = hb_language_from_string("und", -1);
    s->buf = hb_buffer_create();
    s->cap = CACHE_SLOTS_MIN;
    memset(s->plain, -1, sizeof s->plain);
    return s;
}

void oc_shaper_free(oc_shaper *s) {
    if (!s) return;
    hb_buffer_destroy(s->buf);
    free(s->tab);
    free(s->glyphs);
    free(s->tmp);
    free(s);
}

static uint64_t hash_word(int font, const char *w, size_t len) {
    uint64_t h = oc_fnv1a(w, len, OC_FNV_OFFSET ^ (uint64_t)(font + 1));
    return h ? h : 1;
}

/* The empty slot where a word of hash h goes. */
static size_t free_slot(const centry *tab, size_t cap, uint64_t h) {
    size_t mask = cap - 1, slot = h & mask;
    while (tab[slot].hash)
        slot = (slot + 1) & mask;
    return slot;
}

/* Doubles the table; the records in the glyph pool stay where they are. A
 * short text does not pay for the whole table (1 MB at full size). */
static void cache_grow(oc_shaper *s) {
    size_t cap = s->cap * 2;
    centry *t = oc_xcalloc(cap, sizeof *t);
    for (size_t i = 0; i < s->cap; i++)
        if (s->tab[i].hash) t[free_slot(t, cap, s->tab[i].hash)] = s->tab[i];
    free(s->tab);
    s->tab = t;
    s->cap = cap;
}

/* memcmp(a, b, n) == 0 for the short words of the cache, without a call */
static int same_bytes(const char *a, const char *b, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i]) return 0;
    return 1;
}

static void cache_clear(oc_shaper *s) {
    if (s->tab) memset(s->tab, 0, s->cap * sizeof *s->tab);
    s->n = 0;
    s->nglyphs = 0;
}

/* See oc_shaper_shape. */
static int is_nominal(const oc_fontset *fs, oc_font_id f, const char *word, size_t len,
                      const oc_glyph *g, size_t n) {
    size_t i = 0, q = 0;
    while (i < len) {
        if (q == n) return 0;
        uint32_t at = (uint32_t)i;
        uint32_t cp = oc_utf8_next(word, len, &i);
        if (g[q].cluster != at || g[q].dx != 0 || g[q].dy != 0 || g[q].gid == 0 ||
            g[q].gid != oc_fonts_glyph(fs, f, cp) ||
            g[q].adv != (float)oc_fonts_glyph_advance(fs, f, g[q].gid))
            return 0;
        q++;
    }
    return q == n;
}

int oc_shape_is_ascii(const char *word, size_t len) {
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)word[i] - 0x21u > 0x7E - 0x21u) return 0;
    return 1;
}

int oc_shaper_ascii_plain(oc_shaper *s, oc_font_id f) {
    if ((unsigned)f >= OC_FONT_COUNT) return 0;
    if (s->plain[f] < 0)
        s->plain[f] =
            (signed char)(is_mono(f)
                              ? oc_fonts_ascii_plain(s->fs, f, s->lang, code_features,
                                                     sizeof code_features / sizeof *code_features)
                              : oc_fonts_ascii_plain(s->fs, f, s->lang, NULL, 0));
    return s->plain[f];
}

void oc_shaper_set_peer(oc_shaper *s, const oc_shaper *peer) {
    if (!s) return;
    s->peer = peer && peer != s && peer->fs == s->fs && peer->lang == s->lang ? peer : NULL;
}

/* The cached record of a word (hash h, key `key`), or NULL. */
static const centry *cache_find(const oc_shaper *s, uint64_t h, int key, const char *word,
                                size_t len) {
    if (!s->tab) return NULL;
    size_t mask = s->cap - 1;
    for (size_t slot = h & mask; s->tab[slot].hash; slot = (slot + 1) & mask) {
        const centry *e = &s->tab[slot];
        if (e->hash == h && e->font == key && e->klen == len &&
            same_bytes((const char *)(s->glyphs + e->glyphs + e->nglyphs), word, len))
            return e;
    }
    return NULL;
}

const oc_glyph *oc_shaper_word(oc_shaper *s, oc_font_id f, int dir, const char *word, size_t len,
                               size_t *n, double *width) {
    int nominal;
    return oc_shaper_shape(s, f, dir, word, len, n, width, &nominal);
}

const oc_glyph *oc_shaper_shape(oc_shaper *s, oc_font_id f, int dir, const char *word, size_t len,
                                size_t *n, double *width, int *nominal) {
    double scale = oc_fonts_scale(s->fs, f);
    int rtl = dir < 0 ? oc_shape_is_rtl(word, len) : dir > 0;
    int key = (int)f * 2 + rtl;
    if (!rtl && len > 0 && oc_shaper_ascii_plain(s, f) && oc_shape_is_ascii(word, len)) {
        /* what HarfBuzz gives, without it: see oc_shaper_ascii_plain */
        if (len > s->captmp) {
            s->captmp = len;
            s->tmp = oc_xrealloc(s->tmp, len * sizeof *s->tmp);
        }
        double w = 0;
        *nominal = 1;
        for (size_t i = 0; i < len; i++) {
            oc_glyph *g = &s->tmp[i];
            g->gid = oc_fonts_glyph(s->fs, f, (unsigned char)word[i]);
            g->cluster = (uint32_t)i;
            g->adv = g->gid ? (float)oc_fonts_glyph_advance(s->fs, f, g->gid) : 0.0f;
            g->dx = g->dy = 0;
            w += g->adv;
            if (!g->gid) *nominal = 0;
        }
        *n = len;
        *width = w;
        return s->tmp;
    }
    int cacheable = len > 0 && len <= CACHE_WORD_BYTES;
    uint64_t h = 0;
    size_t slot = 0;
    if (cacheable) {
        if (!s->tab) s->tab = oc_xcalloc(s->cap, sizeof *s->tab);
        h = hash_word(key, word, len);
        const centry *e = cache_find(s, h, key, word, len);
        const oc_shaper *from = s;
        if (!e && s->peer && (e = cache_find(s->peer, h, key, word, len)) != NULL) from = s->peer;
        if (e) {
            *n = e->nglyphs;
            *width = e->width;
            *nominal = (int)e->nominal;
            return from->glyphs + e->glyphs;
        }
        slot = free_slot(s->tab, s->cap, h);
    }
    unsigned ng = shape_into(s->fs, s->buf, s->lang, f, rtl, word, len);
    if (!cacheable) {
        if (ng > s->captmp) {
            s->captmp = ng;
            s->tmp = oc_xrealloc(s->tmp, ng * sizeof *s->tmp);
        }
        *width = take_glyphs(s->buf, scale, s->tmp, ng);
        *n = ng;
        *nominal = is_nominal(s->fs, f, word, len, s->tmp, ng);
        return s->tmp;
    }
    size_t kslots = (len + sizeof(oc_glyph) - 1) / sizeof(oc_glyph), rec = ng + kslots;
    if (s->n + 1 > CACHE_ENTRIES || s->nglyphs + rec > CACHE_GLYPHS) {
        cache_clear(s);
        slot = free_slot(s->tab, s->cap, h);
    } else if (2 * (s->n + 1) > s->cap) { /* at most half full (CACHE_ENTRIES: full size) */
        cache_grow(s);
        slot = free_slot(s->tab, s->cap, h);
    }
    if (s->nglyphs + rec > s->capglyphs) {
        size_t cap = s->capglyphs ? s->capglyphs * 2 : 4096;
        while (cap < s->nglyphs + rec)
            cap *= 2;
        s->glyphs = oc_xrealloc(s->glyphs, cap * sizeof *s->glyphs);
        s->capglyphs = cap;
    }
    centry *e = &s->tab[slot];
    e->hash = h;
    e->font = (uint16_t)key;
    e->klen = (uint16_t)len;
    e->glyphs = (uint32_t)s->nglyphs;
    e->nglyphs = ng;
    e->width = take_glyphs(s->buf, scale, s->glyphs + s->nglyphs, ng);
    memcpy(s->glyphs + s->nglyphs + ng, word, len);
    e->nominal = (uint32_t)is_nominal(s->fs, f, word, len, s->glyphs + s->nglyphs, ng);
    *nominal = (int)e->nominal;
    s->nglyphs += rec;
    s->n++;
    *n = ng;
    *width = e->width;
    return s->glyphs + e->glyphs;
}

/* The width (thousandths of an em) of text of words and spaces, shaping
 * each word with `word_width`. */
typedef double (*word_fn)(void *user, oc_font_id f, int dir, const char *w, size_t len);

static double words_width(const oc_fontset *fs, oc_font_id f, int dir, const char *text, size_t len,
                          word_fn fn, void *user) {
    double units = 0, space = oc_fonts_advance(fs, f, ' ');
    size_t i = 0;
    while (i < len) {
        if (text[i] == ' ' || text[i] == '\t') {
            units += space;
            i++;
            continue;
        }
        size_t j = i;
        while (j < len && text[j] != ' ' && text[j] != '\t')
            j++;
        units += fn(user, f, dir, text + i, j - i);
        i = j;
    }
    return units;
}

static double cached_word(void *user, oc_font_id f, int dir, const char *w, size_t len) {
    size_t n;
    double width;
    oc_shaper_word(user, f, dir, w, len, &n, &width);
    return width;
}

double oc_shaper_width(oc_shaper *s, oc_font_id f, int dir, double size, const char *text,
                       size_t len) {
    if (!s || !text) return 0;
    return words_width(s->fs, f, dir, text, len, cached_word, s) * size / 1000.0;
}

typedef struct {
    const oc_fontset *fs;
    hb_buffer_t *buf;
    hb_language_t lang;
} uncached;

static double uncached_word(void *user, oc_font_id f, int dir, const char *w, size_t len) {
    uncached *u = user;
    int rtl = dir < 0 ? oc_shape_is_rtl(w, len) : dir > 0;
    unsigned n = shape_into(u->fs, u->buf, u->lang, f, rtl, w, len);
    const hb_glyph_position_t *pos = hb_buffer_get_glyph_positions(u->buf, NULL);
    const hb_glyph_info_t *info = hb_buffer_get_glyph_infos(u->buf, NULL);
    double units = 0;
    for (unsigned i = 0; i < n; i++)
        if (info[i].codepoint) units += pos[i].x_advance;
    return units * oc_fonts_scale(u->fs, f);
}

double oc_fonts_width(const oc_fontset *fs, oc_font_id f, double size, const char *s, size_t len) {
    if (!fs || !s || !oc_fonts_hb(fs, f)) return 0;
    if (len == 1 && (unsigned char)s[0] < 0x80) /* a digit, a bullet's dot: nothing to shape */
        return oc_fonts_advance(fs, f, (unsigned char)s[0]) * size / 1000.0;
    uncached u = {fs, hb_buffer_create(), hb_language_from_string("und", -1)};
    double units = words_width(fs, f, -1, s, len, uncached_word, &u);
    hb_buffer_destroy(u.buf);
    return units * size / 1000.0;
}
