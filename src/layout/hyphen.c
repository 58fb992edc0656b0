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

struct oc_hyphen {
    HyphenDict *dict;
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

oc_hyphen *oc_hyphen_load(const char *language, oc_diag *diag, const char *meta_path) {
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
    oc_hyphen *h = oc_xcalloc(1, sizeof *h);
    h->dict = dict;
    return h;
}

void oc_hyphen_free(oc_hyphen *h) {
    if (!h) return;
    if (h->dict) hnj_hyphen_free(h->dict);
    free(h);
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

int oc_hyphen_points(const oc_hyphen *h, const char *word, size_t len, unsigned char *points) {
    if (points && len) memset(points, 0, len);
    if (!h || !h->dict || !word || !points || len == 0) return 0;

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
