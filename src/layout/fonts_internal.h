/* octavo — what the shaper (shape.c) needs of the fonts (fonts.c). */
#ifndef OCTAVO_LAYOUT_FONTS_INTERNAL_H
#define OCTAVO_LAYOUT_FONTS_INTERNAL_H

#include "octavo/layout.h"

#include <hb.h>

/* Font f as HarfBuzz reads it (scale: font units; immutable, so threads may
 * shape with it at once); owned by the fontset. */
hb_font_t *oc_fonts_hb(const oc_fontset *fs, oc_font_id f);
/* 1000 / unitsPerEm of font f. */
double oc_fonts_scale(const oc_fontset *fs, oc_font_id f);
/* 1 when every word of printable ASCII, shaped left to right in font f for
 * `lang` with these features, comes out nominal (see plain.c); reads the
 * font's tables, so callers keep the answer. */
int oc_fonts_ascii_plain(const oc_fontset *fs, oc_font_id f, hb_language_t lang,
                         const hb_feature_t *features, unsigned nfeatures);

#endif
