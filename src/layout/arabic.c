/* Arabic joining through the presentation forms of Unicode's Arabic
 * Presentation Forms-B block (U+FE70-U+FEFF).
 *
 * Without a shaping engine the contextual forms of the basic Arabic
 * alphabet (U+0621-U+064A) can still be drawn: every letter has an isolated
 * and a final form, the dual-joining ones also an initial and a medial form,
 * laid out in that order from U+FE80 in the order of the letters; lam
 * followed by an alef is the ligature U+FEF5-U+FEFC. Fonts with wide
 * coverage (DejaVu Sans) have these glyphs. The PDF writer maps them back to
 * the nominal letters in its ToUnicode CMaps, so extracted text is the
 * author's. Letters outside the basic alphabet (Persian, Urdu, ...) have
 * their forms elsewhere and are drawn unjoined (and warned by para.c). */
#include "octavo/layout.h"

/* forms per letter, U+0621..U+064A (0 for the unassigned U+063B..U+0640) */
static const unsigned char nforms[0x64A - 0x621 + 1] = {
    1, 2, 2, 2, 2, 4, 2, 4, 2, 4, 4, 4, 4, 4, 2, 2, 2, 2, /* 0621 hamza .. 0632 zain */
    4, 4, 4, 4, 4, 4, 4, 4,                               /* 0633 seen .. 063A ghain */
    0, 0, 0, 0, 0, 0,                                     /* 063B .. 0640 (tatweel) */
    4, 4, 4, 4, 4, 4, 4, 2, 2, 4                          /* 0641 feh .. 064A yeh */
};

/* first presentation form of each letter, computed from nforms */
static uint32_t first_form(uint32_t cp) {
    uint32_t pf = 0xFE80;
    for (uint32_t c = 0x621; c < cp; c++)
        pf += nforms[c - 0x621];
    return pf;
}

int oc_arabic_forms(uint32_t cp, uint32_t *first) {
    if (cp < 0x621 || cp > 0x64A || nforms[cp - 0x621] == 0) return 0;
    if (first) *first = first_form(cp);
    return nforms[cp - 0x621];
}

uint32_t oc_arabic_lam_alef(uint32_t alef) {
    switch (alef) {
    case 0x622:
        return 0xFEF5;
    case 0x623:
        return 0xFEF7;
    case 0x625:
        return 0xFEF9;
    case 0x627:
        return 0xFEFB;
    default:
        return 0;
    }
}

uint32_t oc_arabic_nominal(uint32_t pf, uint32_t *second) {
    if (second) *second = 0;
    if (pf >= 0xFEF5 && pf <= 0xFEFC) {
        static const uint32_t alef[] = {0x622, 0x623, 0x625, 0x627};
        if (second) *second = alef[(pf - 0xFEF5) / 2];
        return 0x644;
    }
    if (pf < 0xFE80 || pf > 0xFEF4) return 0;
    uint32_t at = 0xFE80;
    for (uint32_t c = 0x621; c <= 0x64A; c++) {
        uint32_t n = nforms[c - 0x621];
        if (pf < at + n) return c;
        at += n;
    }
    return 0;
}
