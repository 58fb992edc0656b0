/* Which fonts shape printable ASCII to its characters' own glyphs.
 *
 * HarfBuzz changes a word's glyphs or their places only through the
 * font's lookups (GSUB, GPOS), the legacy `kern` table, Apple's tables
 * (morx, kerx, trak) and zeroing the advance of a glyph classed as a mark.
 * A word of printable ASCII (U+0021 to U+007E) set left to right is
 * therefore nominal (each character its cmap glyph at its hmtx advance,
 * no offsets, see oc_shaper_shape) in a font where none of these can act
 * on ASCII glyphs alone:
 * - no Apple tables, and no `kern` table unless kerning is turned off;
 * - no ASCII glyph is a mark in GDEF;
 * - no lookup of the shape plan (for the Latin script, and for none, which
 *   HarfBuzz keeps for a word of digits and punctuation) can act on ASCII
 *   glyphs alone. A subtable acts only where a glyph of its (first)
 *   coverage stands (the marks, for mark attachment); a ligature only
 *   where all its components stand; a context rule only where a glyph (its
 *   first format), a glyph of the class (second) or of the coverage
 *   (third) stands for each place of its backtrack, input and lookahead.
 *   If no lookup acts, no glyph other than the ASCII ones ever comes into
 *   the buffer.
 * Whatever cannot be read counts as acting: the answer errs on "shape it".
 * Code is set in such fonts (ligatures, contextual alternates and kerning
 * off): the PDF writer then draws a code word without shaping it. */
#include "layout/fonts_internal.h"

#include <hb-ot.h>
#include <stdint.h>

typedef struct {
    const uint8_t *d;
    unsigned len;
} table;

static int u16_at(const table *t, unsigned off, unsigned *v) {
    if (off > t->len || t->len - off < 2) return 0;
    *v = (unsigned)t->d[off] << 8 | t->d[off + 1];
    return 1;
}

/* Glyph g's index in the coverage table at `off`: -1 when it is not
 * covered, -2 when the table cannot be read. */
static long coverage_index(const table *t, unsigned off, hb_codepoint_t g) {
    unsigned fmt, n;
    if (!u16_at(t, off, &fmt) || !u16_at(t, off + 2, &n)) return -2;
    for (unsigned i = 0; i < n; i++) {
        unsigned a, b, first;
        if (fmt == 1) {
            if (!u16_at(t, off + 4 + 2 * i, &a)) return -2;
            if (a == g) return (long)i;
        } else if (fmt == 2) {
            if (!u16_at(t, off + 4 + 6 * i, &a) || !u16_at(t, off + 6 + 6 * i, &b) ||
                !u16_at(t, off + 8 + 6 * i, &first))
                return -2;
            if (a <= g && g <= b) return (long)(first + (g - a));
        } else {
            return -2;
        }
    }
    return -1;
}

/* 1 when the coverage table at `off` holds some glyph of `ascii`; also 1
 * when it cannot be read (the answer must never wrongly be "safe"). */
static int covers(const table *t, unsigned off, const hb_set_t *ascii) {
    hb_codepoint_t g = HB_SET_VALUE_INVALID;
    while (hb_set_next(ascii, &g))
        if (coverage_index(t, off, g) != -1) return 1;
    return 0;
}

/* 1 when the ligature substitution at `off` (format 1) has a ligature made
 * of ASCII glyphs only. */
static int ligature_starts(const table *t, unsigned off, const hb_set_t *ascii) {
    unsigned cov, nsets;
    if (!u16_at(t, off + 2, &cov) || !u16_at(t, off + 4, &nsets)) return 1;
    hb_codepoint_t g = HB_SET_VALUE_INVALID;
    while (hb_set_next(ascii, &g)) {
        long k = coverage_index(t, off + cov, g);
        if (k == -1) continue;
        unsigned set, nligs;
        if (k < 0 || (unsigned long)k >= nsets || !u16_at(t, off + 6 + 2 * (unsigned)k, &set) ||
            !u16_at(t, off + set, &nligs))
            return 1;
        set += off;
        for (unsigned i = 0; i < nligs; i++) {
            unsigned lig, ncomp, c;
            if (!u16_at(t, set + 2 + 2 * i, &lig) || !u16_at(t, set + lig + 2, &ncomp)) return 1;
            int all = 1;
            for (unsigned q = 1; q < ncomp && all; q++) {
                if (!u16_at(t, set + lig + 4 + 2 * (q - 1), &c)) return 1;
                all = hb_set_has(ascii, c);
            }
            if (all) return 1;
        }
    }
    return 0;
}

/* The class the class definition at `off` gives glyph g (a glyph it does
 * not list is class 0; a definition at offset 0 lists none), or -1 when it
 * cannot be read. */
static long class_of(const table *t, unsigned off, hb_codepoint_t g) {
    unsigned fmt, a, n, cls = 0;
    if (off == 0) return 0;
    if (!u16_at(t, off, &fmt)) return -1;
    if (fmt == 1) {
        if (!u16_at(t, off + 2, &a) || !u16_at(t, off + 4, &n)) return -1;
        if (g >= a && g - a < n && !u16_at(t, off + 6 + 2 * (g - a), &cls)) return -1;
        return cls;
    }
    if (fmt != 2 || !u16_at(t, off + 2, &n)) return -1;
    for (unsigned i = 0; i < n; i++) {
        unsigned v, b;
        if (!u16_at(t, off + 4 + 6 * i, &v) || !u16_at(t, off + 6 + 6 * i, &b) ||
            !u16_at(t, off + 8 + 6 * i, &cls))
            return -1;
        if (v <= g && g <= b) return cls;
    }
    return 0;
}

/* The classes the class definition at `off` gives the ASCII glyphs, added
 * to `out`; 0 when it cannot be read. */
static int ascii_classes(const table *t, unsigned off, const hb_set_t *ascii, hb_set_t *out) {
    hb_codepoint_t g = HB_SET_VALUE_INVALID;
    while (hb_set_next(ascii, &g)) {
        long cls = class_of(t, off, g);
        if (cls < 0) return 0;
        hb_set_add(out, (hb_codepoint_t)cls);
    }
    return 1;
}

/* 1 when the (chained) context of the first or second format at `off` has
 * a rule that ASCII glyphs alone can match. A rule is a sequence of glyphs
 * (format 1) or classes (format 2): backtrack, input after the first,
 * lookahead (only the input for an unchained context). */
static int context_rules_start(const table *t, unsigned off, unsigned fmt, int chained,
                               const hb_set_t *ascii) {
    unsigned cov, v;
    if (!u16_at(t, off + 2, &cov)) return 1;
    /* what each part's entries may be: glyphs, or the classes of glyphs */
    hb_set_t *can[3];
    for (int p = 0; p < 3; p++)
        can[p] = fmt == 1 ? hb_set_reference((hb_set_t *)ascii) : hb_set_create();
    /* the count of rule sets: after the coverage (format 1), after the
     * class definitions (format 2) */
    unsigned sets_at = off + (fmt == 1 ? 4 : chained ? 10 : 6), nsets = 0, starts = 0;
    int ok = 1;
    if (fmt == 2)
        for (int p = 0; p < (chained ? 3 : 1) && ok; p++) /* backtrack, input, lookahead */
            ok = u16_at(t, off + 4 + 2 * (unsigned)p, &v) &&
                 ascii_classes(t, v ? off + v : 0, ascii, can[p]);
    if (!chained) { /* the input's classes serve the only part */
        hb_set_union(can[1], can[0]);
        hb_set_union(can[2], can[0]);
    }
    ok = ok && u16_at(t, sets_at, &nsets);
    hb_codepoint_t g = HB_SET_VALUE_INVALID;
    while (ok && !starts && hb_set_next(ascii, &g)) {
        long k = coverage_index(t, off + cov, g);
        if (k == -1) continue;
        if (k < 0) {
            ok = 0;
            break;
        }
        unsigned which = (unsigned)k; /* format 2: the rule set of the glyph's class */
        if (fmt == 2) {
            unsigned in_def;
            long cls = u16_at(t, off + (chained ? 6 : 4), &in_def)
                           ? class_of(t, in_def ? off + in_def : 0, g)
                           : -1;
            if (cls < 0) {
                ok = 0;
                break;
            }
            which = (unsigned)cls;
        }
        unsigned set, nrules;
        if (which >= nsets) continue; /* no rule set: nothing starts here */
        if (!u16_at(t, sets_at + 2 + 2 * which, &set)) {
            ok = 0;
            break;
        }
        if (set == 0) continue;
        set += off;
        if (!u16_at(t, set, &nrules)) {
            ok = 0;
            break;
        }
        for (unsigned r = 0; r < nrules && ok && !starts; r++) {
            unsigned rule, at;
            if (!u16_at(t, set + 2 + 2 * r, &rule)) {
                ok = 0;
                break;
            }
            at = set + rule;
            int all = 1;
            /* chained: backtrack count and entries, input count and the
             * entries after the first, lookahead count and entries;
             * unchained: input count, lookup count, the entries after the
             * first */
            for (int p = chained ? 0 : 1; p < (chained ? 3 : 2) && ok && all; p++) {
                unsigned n, e;
                if (!u16_at(t, at, &n)) {
                    ok = 0;
                    break;
                }
                unsigned first = at + (chained ? 2 : 4), entries = p == 1 ? (n ? n - 1 : 0) : n;
                for (unsigned q = 0; q < entries && all; q++) {
                    if (!u16_at(t, first + 2 * q, &e)) {
                        ok = 0;
                        break;
                    }
                    all = hb_set_has(can[p], e);
                }
                at = first + 2 * entries;
            }
            if (ok && all) starts = 1;
        }
    }
    for (int p = 0; p < 3; p++)
        hb_set_destroy(can[p]);
    return !ok || starts;
}

/* 1 when the subtable at `off` (lookup type `type`, extensions unwrapped)
 * may start on an ASCII glyph. */
static int subtable_starts(const table *t, unsigned off, unsigned type, int gpos,
                           const hb_set_t *ascii) {
    unsigned fmt, v;
    if (!u16_at(t, off, &fmt)) return 1;
    int context = gpos ? type == 7 : type == 5;
    int chained = gpos ? type == 8 : type == 6;
    if (fmt == 3 && context) { /* glyphCount, seqLookupCount, coverages */
        unsigned n;
        if (!u16_at(t, off + 2, &n)) return 1;
        for (unsigned i = 0; i < n; i++) {
            if (!u16_at(t, off + 6 + 2 * i, &v)) return 1;
            if (!covers(t, off + v, ascii)) return 0;
        }
        return 1;
    }
    if (fmt == 3 && chained) { /* backtrack, input and lookahead coverages */
        unsigned at = off + 2;
        for (int part = 0; part < 3; part++) {
            unsigned n;
            if (!u16_at(t, at, &n)) return 1;
            for (unsigned i = 0; i < n; i++) {
                if (!u16_at(t, at + 2 + 2 * i, &v)) return 1;
                if (!covers(t, off + v, ascii)) return 0;
            }
            at += 2 + 2 * n;
        }
        return 1;
    }
    if ((fmt == 1 || fmt == 2) && (context || chained))
        return context_rules_start(t, off, fmt, chained, ascii);
    if (!gpos && type == 4 && fmt == 1) return ligature_starts(t, off, ascii);
    /* every other subtable begins format, coverage */
    if (!u16_at(t, off + 2, &v)) return 1;
    return covers(t, off + v, ascii);
}

/* 1 when lookup `index` of the GSUB or GPOS table may start on an ASCII
 * glyph. */
static int lookup_starts(const table *t, unsigned index, int gpos, const hb_set_t *ascii) {
    unsigned list, n, off, type, nsub;
    if (!u16_at(t, 8, &list) || !u16_at(t, list, &n) || index >= n ||
        !u16_at(t, list + 2 + 2 * index, &off))
        return 1;
    off += list;
    if (!u16_at(t, off, &type) || !u16_at(t, off + 4, &nsub)) return 1;
    for (unsigned i = 0; i < nsub; i++) {
        unsigned so;
        if (!u16_at(t, off + 6 + 2 * i, &so)) return 1;
        so += off;
        unsigned st = type;
        if (type == (gpos ? 9u : 7u)) { /* extension: format, type, 32-bit offset */
            unsigned hi, lo;
            if (!u16_at(t, so + 2, &st) || !u16_at(t, so + 4, &hi) || !u16_at(t, so + 6, &lo))
                return 1;
            uint64_t to = (uint64_t)so + ((uint64_t)hi << 16 | lo);
            if (to > t->len) return 1;
            so = (unsigned)to;
        }
        if (subtable_starts(t, so, st, gpos, ascii)) return 1;
    }
    return 0;
}

static int has_table(hb_face_t *face, hb_tag_t tag) {
    hb_blob_t *b = hb_face_reference_table(face, tag);
    int has = hb_blob_get_length(b) > 0;
    hb_blob_destroy(b);
    return has;
}

int oc_fonts_ascii_plain(const oc_fontset *fs, oc_font_id f, hb_language_t lang,
                         const hb_feature_t *features, unsigned nfeatures) {
    hb_font_t *font = oc_fonts_hb(fs, f);
    if (!font) return 0;
    hb_face_t *face = hb_font_get_face(font);
    if (has_table(face, HB_TAG('m', 'o', 'r', 'x')) ||
        has_table(face, HB_TAG('m', 'o', 'r', 't')) ||
        has_table(face, HB_TAG('k', 'e', 'r', 'x')) || has_table(face, HB_TAG('t', 'r', 'a', 'k')))
        return 0;
    int kern_off = 0;
    for (unsigned i = 0; i < nfeatures; i++)
        if (features[i].tag == HB_TAG('k', 'e', 'r', 'n') && features[i].value == 0 &&
            features[i].start == 0 && features[i].end == (unsigned)-1)
            kern_off = 1;
    if (!kern_off && has_table(face, HB_TAG('k', 'e', 'r', 'n'))) return 0;
    /* the ASCII glyphs: each the same as HarfBuzz maps and measures it */
    double scale = oc_fonts_scale(fs, f);
    hb_set_t *ascii = hb_set_create();
    int plain = 1;
    for (uint32_t cp = 0x21; cp < 0x7F && plain; cp++) {
        hb_codepoint_t g = 0;
        if (!hb_font_get_nominal_glyph(font, cp, &g)) g = 0;
        if (g != oc_fonts_glyph(fs, f, cp)) plain = 0;
        if (g && (float)(hb_font_get_glyph_h_advance(font, g) * scale) !=
                     (float)oc_fonts_glyph_advance(fs, f, g))
            plain = 0;
        if (g && hb_ot_layout_get_glyph_class(face, g) == HB_OT_LAYOUT_GLYPH_CLASS_MARK) plain = 0;
        hb_set_add(ascii, g);
    }
    static const hb_script_t scripts[] = {HB_SCRIPT_LATIN, HB_SCRIPT_INVALID};
    static const hb_tag_t tags[] = {HB_OT_TAG_GSUB, HB_OT_TAG_GPOS};
    for (int k = 0; k < 2 && plain; k++) {
        hb_blob_t *blob = hb_face_reference_table(face, tags[k]);
        table t;
        t.d = (const uint8_t *)hb_blob_get_data(blob, &t.len);
        hb_set_t *lookups = hb_set_create();
        for (size_t s = 0; s < sizeof scripts / sizeof *scripts; s++) {
            hb_segment_properties_t props = HB_SEGMENT_PROPERTIES_DEFAULT;
            props.direction = HB_DIRECTION_LTR;
            props.script = scripts[s];
            props.language = lang;
            hb_shape_plan_t *plan =
                hb_shape_plan_create_cached(face, &props, features, nfeatures, NULL);
            hb_ot_shape_plan_collect_lookups(plan, tags[k], lookups);
            hb_shape_plan_destroy(plan);
        }
        hb_codepoint_t l = HB_SET_VALUE_INVALID;
        while (plain && hb_set_next(lookups, &l))
            if (lookup_starts(&t, l, k == 1, ascii)) plain = 0;
        hb_set_destroy(lookups);
        hb_blob_destroy(blob);
    }
    hb_set_destroy(ascii);
    return plain;
}
