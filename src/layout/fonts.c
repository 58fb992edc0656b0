/* TrueType metrics for layout: head (unitsPerEm), hhea (ascender, descender,
 * numberOfHMetrics), OS/2 (typo metrics when USE_TYPO_METRICS is set),
 * maxp (numGlyphs), hmtx (advances) and cmap (formats 4 and 12).
 *
 * Layout asks for coverage per character, so lookups must be cheap: for
 * the Basic Multilingual Plane a font gets a flat table of 65536 advances
 * (in thousandths of an em, as float) plus a coverage bitmap and glyph ids.
 * Characters above U+FFFF (emoji, rare ideographs) are looked up in the
 * font's format-12 groups, kept sorted.
 *
 * Loading checks every table a font needs (so a broken font is an error
 * before any work), but the tables above (about 1.5 ms and 400 KB a font)
 * are built the first time layout asks the font about a character: a book
 * in one script never builds the other script faces' tables. The build is
 * guarded by the fontset's mutex and published with a release store, so
 * layout threads may race to the first question.
 *
 * The font file itself stays loaded as a HarfBuzz face and font (scale: font
 * units), which the shaper (shape.c) uses; HarfBuzz fonts may be shared by
 * threads. */
#include "octavo/layout.h"
#include "layout/fonts_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const oc_font_files[OC_FONT_COUNT] = {
    [OC_FONT_SERIF] = "CharisSIL-Regular.ttf",
    [OC_FONT_SERIF_ITALIC] = "CharisSIL-Italic.ttf",
    [OC_FONT_SERIF_BOLD] = "CharisSIL-Bold.ttf",
    [OC_FONT_SERIF_BOLD_ITALIC] = "CharisSIL-BoldItalic.ttf",
    [OC_FONT_MONO] = "DejaVuSansMono.ttf",
    [OC_FONT_MONO_BOLD] = "DejaVuSansMono-Bold.ttf",
    [OC_FONT_SANS] = "DejaVuSans.ttf",
    [OC_FONT_SANS_BOLD] = "DejaVuSans-Bold.ttf",
    [OC_FONT_CJK] = "DroidSansFallbackFull.ttf",
    [OC_FONT_DEVA] = "Lohit-Devanagari.ttf",
    [OC_FONT_BENG] = "Lohit-Bengali.ttf",
    [OC_FONT_THAI] = "Norasi.ttf",
    [OC_FONT_KOR] = "NanumMyeongjo.ttf",
    [OC_FONT_JA] = "ipaexm.ttf",
    [OC_FONT_EMOJI] = "Symbola_hint.ttf",
    [OC_FONT_MONO_ITALIC] = "DejaVuSansMono-Oblique.ttf",
};

#define OC_FONT_MAX_BYTES ((size_t)64 << 20)

typedef struct {
    uint32_t start, end, glyph; /* a format-12 group above U+FFFF */
} astral_group;

typedef struct {
    char *path;
    double ascent, descent;  /* thousandths of an em */
    float *bmp_advance;      /* 65536 entries; 0 where there is no glyph */
    uint8_t *bmp_has;        /* 65536 bits */
    int has_ascii;           /* every printable ASCII character, U+0020 to U+007E */
    uint16_t *bmp_gid;       /* 65536 glyph ids (0: none) */
    uint16_t *glyph_advance; /* font units, per glyph */
    uint16_t nglyphs;
    double scale;         /* 1000 / unitsPerEm */
    astral_group *astral; /* sorted by start */
    size_t nastral;
    hb_face_t *face;
    hb_font_t *hb;
    /* what the lazy tables are built from: the file's bytes (kept alive by
     * `face`), the hmtx table, the chosen cmap subtable */
    const uint8_t *data;
    size_t size, hmtx;
    uint16_t nhm;
    size_t cmap_sub;
    int cmap_format; /* 4 or 12 */
    atomic_int ready;
} oc_font;

struct oc_fontset {
    oc_font fonts[OC_FONT_COUNT];
    pthread_mutex_t mu; /* guards building a font's tables */
    oc_font_id script_order[OC_FONT_COUNT - OC_FONT_CJK];
};

/* ---- reading big-endian fields with bounds ----------------------------- */

typedef struct {
    const uint8_t *data;
    size_t size;
} ttf;

static int in_bounds(const ttf *t, size_t off, size_t n) {
    return off <= t->size && n <= t->size - off;
}

static uint16_t u16(const ttf *t, size_t off) {
    if (!in_bounds(t, off, 2)) return 0;
    return (uint16_t)(t->data[off] << 8 | t->data[off + 1]);
}

static int16_t s16(const ttf *t, size_t off) {
    return (int16_t)u16(t, off);
}

static uint32_t u32(const ttf *t, size_t off) {
    if (!in_bounds(t, off, 4)) return 0;
    return (uint32_t)t->data[off] << 24 | (uint32_t)t->data[off + 1] << 16 |
           (uint32_t)t->data[off + 2] << 8 | t->data[off + 3];
}

/* Finds table `tag`; returns 1 with its offset and length. */
static int find_table(const ttf *t, const char *tag, size_t *off, size_t *len) {
    uint16_t n = u16(t, 4);
    for (uint16_t i = 0; i < n; i++) {
        size_t rec = 12 + (size_t)i * 16;
        if (!in_bounds(t, rec, 16)) return 0;
        if (memcmp(t->data + rec, tag, 4) == 0) {
            *off = u32(t, rec + 8);
            *len = u32(t, rec + 12);
            return in_bounds(t, *off, *len);
        }
    }
    return 0;
}

/* ---- cmap ---------------------------------------------------------------- */

static void set_glyph(oc_font *f, uint16_t *bmp_gid, uint32_t cp, uint32_t gid) {
    if (cp > 0xFFFF || gid == 0 || gid >= f->nglyphs) return;
    bmp_gid[cp] = (uint16_t)gid;
}

/* 1 when a format-4 subtable's segment arrays lie inside it. */
static int format4_ok(const ttf *t, size_t sub) {
    size_t len = u16(t, sub + 2);
    if (!in_bounds(t, sub, len) || len < 16) return 0;
    size_t segs = u16(t, sub + 6) / 2;
    return sub + 14 + segs * 8 + 2 <= sub + len;
}

static void parse_format4(const ttf *t, size_t sub, oc_font *f, uint16_t *bmp_gid) {
    size_t segs = u16(t, sub + 6) / 2;
    size_t ends = sub + 14, starts = ends + segs * 2 + 2, deltas = starts + segs * 2,
           ranges = deltas + segs * 2;
    for (size_t s = 0; s < segs; s++) {
        uint32_t end = u16(t, ends + s * 2), start = u16(t, starts + s * 2);
        uint16_t delta = u16(t, deltas + s * 2);
        size_t ro_at = ranges + s * 2;
        uint16_t ro = u16(t, ro_at);
        if (start > end) continue;
        for (uint32_t c = start; c <= end; c++) {
            uint32_t gid;
            if (ro == 0) {
                gid = (uint16_t)(c + delta);
            } else {
                size_t at = ro_at + ro + (size_t)(c - start) * 2;
                if (!in_bounds(t, at, 2)) break;
                gid = u16(t, at);
                if (gid) gid = (uint16_t)(gid + delta);
            }
            if (c != 0xFFFF) set_glyph(f, bmp_gid, c, gid);
        }
    }
}

static int format12_ok(const ttf *t, size_t sub) {
    return in_bounds(t, sub + 16, (size_t)u32(t, sub + 12) * 12);
}

static void parse_format12(const ttf *t, size_t sub, oc_font *f, uint16_t *bmp_gid) {
    uint32_t n = u32(t, sub + 12);
    for (uint32_t i = 0; i < n; i++) {
        size_t g = sub + 16 + (size_t)i * 12;
        uint32_t start = u32(t, g), end = u32(t, g + 4), glyph = u32(t, g + 8);
        if (start > end || end > 0x10FFFF) continue;
        if (end > 0xFFFF && glyph < f->nglyphs) {
            uint32_t s0 = start > 0xFFFF ? start : 0x10000;
            f->astral = oc_xrealloc(f->astral, (f->nastral + 1) * sizeof *f->astral);
            f->astral[f->nastral++] = (astral_group){s0, end, glyph + (s0 - start)};
        }
        for (uint32_t c = start; c <= end && c <= 0xFFFF; c++)
            set_glyph(f, bmp_gid, c, glyph + (c - start));
    }
}

/* Picks the best Unicode subtable, format 12 (full repertoire) over 4, into
 * f->cmap_sub / cmap_format; 0 when there is none usable. */
static int choose_cmap(const ttf *t, oc_font *f) {
    size_t off, len;
    if (!find_table(t, "cmap", &off, &len)) return 0;
    uint16_t n = u16(t, off + 2);
    size_t best4 = 0, best12 = 0;
    for (uint16_t i = 0; i < n; i++) {
        size_t rec = off + 4 + (size_t)i * 8;
        uint16_t platform = u16(t, rec), encoding = u16(t, rec + 2);
        size_t sub = off + u32(t, rec + 4);
        int unicode = platform == 0 || (platform == 3 && (encoding == 1 || encoding == 10));
        if (!unicode || !in_bounds(t, sub, 4)) continue;
        uint16_t format = u16(t, sub);
        if (format == 4 && !best4 && format4_ok(t, sub)) best4 = sub;
        if (format == 12 && !best12 && format12_ok(t, sub)) best12 = sub;
    }
    f->cmap_sub = best12 ? best12 : best4;
    f->cmap_format = best12 ? 12 : 4;
    return f->cmap_sub != 0;
}

/* Builds the per-glyph advances and the per-character tables (see the top
 * of the file); cannot fail, choose_cmap having checked the subtable. */
static void build_tables(oc_font *f) {
    ttf t = {f->data, f->size};
    f->glyph_advance = oc_xcalloc(f->nglyphs, sizeof *f->glyph_advance);
    for (uint16_t g = 0; g < f->nglyphs; g++)
        f->glyph_advance[g] = u16(&t, f->hmtx + (size_t)(g < f->nhm ? g : f->nhm - 1) * 4);
    uint16_t *bmp_gid = oc_xcalloc(65536, sizeof *bmp_gid);
    if (f->cmap_format == 12)
        parse_format12(&t, f->cmap_sub, f, bmp_gid);
    else
        parse_format4(&t, f->cmap_sub, f, bmp_gid);
    f->bmp_advance = oc_xcalloc(65536, sizeof *f->bmp_advance);
    f->bmp_has = oc_xcalloc(65536 / 8, 1);
    for (uint32_t c = 0; c < 65536; c++) {
        uint16_t g = bmp_gid[c];
        if (!g) continue;
        f->bmp_has[c >> 3] |= (uint8_t)(1u << (c & 7));
        f->bmp_advance[c] = (float)(f->glyph_advance[g] * f->scale);
    }
    f->has_ascii = 1;
    for (uint32_t c = 0x20; c < 0x7F; c++)
        if (!bmp_gid[c]) f->has_ascii = 0;
    f->bmp_gid = bmp_gid;
}

/* ---- loading one font ------------------------------------------------------- */

/* The font file as a HarfBuzz blob, mapped into memory. */
typedef struct {
    void *addr;
    size_t len;
} font_map;

static void unmap_font(void *p) {
    font_map *m = p;
    munmap(m->addr, m->len);
    free(m);
}

static hb_blob_t *open_font(const char *path, char *why, size_t n) {
    /* opened once, without blocking, and mapped only when it is a regular
     * file: a FIFO or device named like a font must not hang the build */
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        snprintf(why, n, "%s", strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(why, n, "not a regular file");
        return NULL;
    }
    if ((unsigned long long)st.st_size > OC_FONT_MAX_BYTES || st.st_size < 12) {
        close(fd);
        if (st.st_size < 12)
            snprintf(why, n, "file too short to be a font");
        else
            snprintf(why, n, "file larger than %zu bytes", OC_FONT_MAX_BYTES);
        return NULL;
    }
    void *addr = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (addr == MAP_FAILED) {
        snprintf(why, n, "%s", strerror(errno));
        return NULL;
    }
    font_map *m = oc_xmalloc(sizeof *m);
    m->addr = addr;
    m->len = (size_t)st.st_size;
    /* pages are read as they are touched: metrics read the small tables,
     * embedding the glyphs drawn, so most of a large CJK or emoji face is
     * never read */
    return hb_blob_create((const char *)addr, (unsigned)m->len, HB_MEMORY_MODE_READONLY, m,
                          unmap_font);
}

static int parse_font(const ttf *t, oc_font *f, char *why, size_t n) {
    uint32_t version = u32(t, 0);
    if (version != 0x00010000 && version != 0x74727565 /* 'true' */) {
        snprintf(why, n, "not a TrueType font (libharu 2.3 loads TrueType outlines only)");
        return 0;
    }
    size_t head, head_len, hhea, hhea_len, maxp, maxp_len, hmtx, hmtx_len, os2, os2_len;
    if (!find_table(t, "head", &head, &head_len) || head_len < 54 ||
        !find_table(t, "hhea", &hhea, &hhea_len) || hhea_len < 36 ||
        !find_table(t, "maxp", &maxp, &maxp_len) || maxp_len < 6 ||
        !find_table(t, "hmtx", &hmtx, &hmtx_len)) {
        snprintf(why, n, "missing or short head/hhea/maxp/hmtx table");
        return 0;
    }
    uint16_t upem = u16(t, head + 18);
    if (upem < 16 || upem > 16384) {
        snprintf(why, n, "bad unitsPerEm %u", upem);
        return 0;
    }
    f->scale = 1000.0 / upem;
    f->ascent = s16(t, hhea + 4) * f->scale;
    f->descent = s16(t, hhea + 6) * f->scale;
    if (find_table(t, "OS/2", &os2, &os2_len) && os2_len >= 74 && (u16(t, os2 + 62) & 0x80)) {
        /* fsSelection bit 7, USE_TYPO_METRICS */
        f->ascent = s16(t, os2 + 68) * f->scale;
        f->descent = s16(t, os2 + 70) * f->scale;
    }
    if (f->descent > 0) f->descent = -f->descent;

    f->nglyphs = u16(t, maxp + 4);
    uint16_t nhm = u16(t, hhea + 34);
    if (f->nglyphs == 0 || nhm == 0 || nhm > f->nglyphs || (size_t)nhm * 4 > hmtx_len) {
        snprintf(why, n, "bad glyph count or hmtx table");
        return 0;
    }
    f->hmtx = hmtx;
    f->nhm = nhm;
    if (!choose_cmap(t, f)) {
        snprintf(why, n, "no usable Unicode cmap (format 4 or 12)");
        return 0;
    }
    f->data = t->data;
    f->size = t->size;
    return 1;
}

static void free_font(oc_font *f) {
    if (f->hb) hb_font_destroy(f->hb);
    if (f->face) hb_face_destroy(f->face);
    free(f->astral);
    free(f->path);
    free(f->bmp_advance);
    free(f->bmp_has);
    free(f->bmp_gid);
    free(f->glyph_advance);
    memset(f, 0, sizeof *f);
}

oc_status oc_fonts_load(oc_fontset **out, const char *fonts_dir, oc_diag *diag) {
    oc_status st = OC_OK;
    oc_fontset *fs = oc_xcalloc(1, sizeof *fs);
    pthread_mutex_init(&fs->mu, NULL);
    oc_fonts_set_language(fs, NULL);
    *out = NULL;
    if (!fonts_dir || !*fonts_dir) fonts_dir = ".";
    size_t dlen = strlen(fonts_dir);
    while (dlen > 1 && fonts_dir[dlen - 1] == '/')
        dlen--;
    for (int i = 0; i < OC_FONT_COUNT; i++) {
        oc_font *f = &fs->fonts[i];
        size_t plen = dlen + 1 + strlen(oc_font_files[i]) + 1;
        f->path = oc_xmalloc(plen);
        snprintf(f->path, plen, "%.*s/%s", (int)dlen, fonts_dir, oc_font_files[i]);
        char why[256] = "";
        hb_blob_t *blob = open_font(f->path, why, sizeof why);
        if (!blob) {
            oc_diag_report(diag, OC_ERROR, f->path, 0, 0, "cannot read font: %s", why);
            st = OC_ERR_IO;
            continue;
        }
        unsigned size = 0;
        const char *data = hb_blob_get_data(blob, &size);
        ttf t = {(const uint8_t *)data, size};
        if (!data || !parse_font(&t, f, why, sizeof why)) {
            oc_diag_report(diag, OC_ERROR, f->path, 0, 0, "unusable font: %s", why);
            st = OC_ERR_IO;
            hb_blob_destroy(blob);
            continue;
        }
        f->face = hb_face_create(blob, 0);
        hb_blob_destroy(blob);
        f->hb = hb_font_create(f->face);
        hb_font_make_immutable(f->hb); /* shared by the layout threads */
    }
    if (st != OC_OK) {
        oc_fonts_free(fs);
        return st;
    }
    *out = fs;
    return OC_OK;
}

void oc_fonts_free(oc_fontset *fs) {
    if (!fs) return;
    for (int i = 0; i < OC_FONT_COUNT; i++)
        free_font(&fs->fonts[i]);
    pthread_mutex_destroy(&fs->mu);
    free(fs);
}

static inline const oc_font *font_of(const oc_fontset *fs, oc_font_id f) {
    if (!fs || (unsigned)f >= OC_FONT_COUNT) return NULL;
    return &fs->fonts[f];
}

/* Builds font f's character tables unless another thread has (kept out of
 * line: inlined, its prologue cost every lookup as much as the lookup). */
static __attribute__((noinline)) const oc_font *build_tables_once(const oc_fontset *fs,
                                                                  oc_font_id f) {
    const oc_font *font = &fs->fonts[f];
    /* the tables are a cache: building them does not change what the
     * fontset answers, so a const fontset may build them */
    oc_fontset *w = (oc_fontset *)fs;
    oc_font *wf = &w->fonts[f];
    pthread_mutex_lock(&w->mu);
    if (!atomic_load_explicit(&wf->ready, memory_order_relaxed) && wf->data) {
        build_tables(wf);
        atomic_store_explicit(&wf->ready, 1, memory_order_release);
    }
    pthread_mutex_unlock(&w->mu);
    return wf->ready ? font : NULL;
}

/* font_of, with its character tables built (the first caller builds them). */
static inline const oc_font *tables_of(const oc_fontset *fs, oc_font_id f) {
    const oc_font *font = font_of(fs, f);
    if (!font || __builtin_expect(atomic_load_explicit(&font->ready, memory_order_acquire), 1))
        return font;
    return build_tables_once(fs, f);
}

int oc_fonts_tables_built(const oc_fontset *fs, oc_font_id f) {
    const oc_font *font = font_of(fs, f);
    return font && atomic_load_explicit(&font->ready, memory_order_acquire);
}

/* Han characters take different forms in Japanese, Chinese and Korean
 * print (Unicode unifies them): the book's language puts its own face
 * first. Everything else keeps one fixed order. */
void oc_fonts_set_language(oc_fontset *fs, const char *language) {
    static const oc_font_id base[] = {OC_FONT_CJK, OC_FONT_DEVA, OC_FONT_BENG, OC_FONT_THAI,
                                      OC_FONT_KOR, OC_FONT_JA,   OC_FONT_EMOJI};
    _Static_assert(sizeof base / sizeof *base == OC_FONT_COUNT - OC_FONT_CJK,
                   "every script face has a place in the fallback order");
    oc_font_id first = OC_FONT_CJK;
    if (language && (language[0] | 0x20) == 'j' && (language[1] | 0x20) == 'a' &&
        (language[2] == '\0' || language[2] == '-' || language[2] == '_'))
        first = OC_FONT_JA;
    else if (language && (language[0] | 0x20) == 'k' && (language[1] | 0x20) == 'o' &&
             (language[2] == '\0' || language[2] == '-' || language[2] == '_'))
        first = OC_FONT_KOR;
    size_t n = 0;
    fs->script_order[n++] = first;
    for (size_t i = 0; i < sizeof base / sizeof *base; i++)
        if (base[i] != first) fs->script_order[n++] = base[i];
}

oc_font_id oc_fonts_script_face(const oc_fontset *fs, uint32_t cp) {
    if (!fs) return OC_FONT_COUNT;
    for (size_t i = 0; i < sizeof fs->script_order / sizeof *fs->script_order; i++)
        if (oc_fonts_has(fs, fs->script_order[i], cp)) return fs->script_order[i];
    return OC_FONT_COUNT;
}

hb_face_t *oc_fonts_face(const oc_fontset *fs, oc_font_id f) {
    const oc_font *font = font_of(fs, f);
    return font ? font->face : NULL;
}

const char *oc_fonts_path(const oc_fontset *fs, oc_font_id f) {
    const oc_font *font = font_of(fs, f);
    return font ? font->path : NULL;
}

/* The glyph of a character above U+FFFF, 0 when the font has none. */
static uint32_t astral_glyph(const oc_font *font, uint32_t cp) {
    size_t lo = 0, hi = font->nastral;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const astral_group *g = &font->astral[mid];
        if (cp < g->start)
            hi = mid;
        else if (cp > g->end)
            lo = mid + 1;
        else {
            uint32_t gid = g->glyph + (cp - g->start);
            return gid < font->nglyphs ? gid : 0;
        }
    }
    return 0;
}

int oc_fonts_has(const oc_fontset *fs, oc_font_id f, uint32_t cp) {
    const oc_font *font = tables_of(fs, f);
    if (!font) return 0;
    if (cp > 0xFFFF) return cp <= 0x10FFFF && astral_glyph(font, cp) != 0;
    return (font->bmp_has[cp >> 3] >> (cp & 7)) & 1;
}

int oc_fonts_has_ascii(const oc_fontset *fs, oc_font_id f) {
    const oc_font *font = tables_of(fs, f);
    return font && font->has_ascii;
}

double oc_fonts_advance(const oc_fontset *fs, oc_font_id f, uint32_t cp) {
    const oc_font *font = tables_of(fs, f);
    if (!font) return 0;
    if (cp > 0xFFFF) {
        uint32_t g = cp <= 0x10FFFF ? astral_glyph(font, cp) : 0;
        return g ? font->glyph_advance[g] * font->scale : 0;
    }
    return font->bmp_advance[cp];
}

uint32_t oc_fonts_glyph(const oc_fontset *fs, oc_font_id f, uint32_t cp) {
    const oc_font *font = tables_of(fs, f);
    if (!font) return 0;
    if (cp > 0xFFFF) return cp <= 0x10FFFF ? astral_glyph(font, cp) : 0;
    return font->bmp_gid[cp];
}

hb_font_t *oc_fonts_hb(const oc_fontset *fs, oc_font_id f) {
    const oc_font *font = font_of(fs, f);
    return font ? font->hb : NULL;
}

double oc_fonts_scale(const oc_fontset *fs, oc_font_id f) {
    const oc_font *font = font_of(fs, f);
    return font ? font->scale : 0;
}

double oc_fonts_glyph_advance(const oc_fontset *fs, oc_font_id f, uint32_t gid) {
    const oc_font *font = tables_of(fs, f);
    if (!font || gid >= font->nglyphs) return 0;
    return font->glyph_advance[gid] * font->scale;
}

double oc_fonts_ascent(const oc_fontset *fs, oc_font_id f) {
    const oc_font *font = font_of(fs, f);
    return font ? font->ascent : 0;
}

double oc_fonts_descent(const oc_fontset *fs, oc_font_id f) {
    const oc_font *font = font_of(fs, f);
    return font ? font->descent : 0;
}
