/* Runs of text in a script the book's language is not written in, and the
 * language tag they get: the EPUB's lang (and dir) attributes, the tagged
 * PDF's /Lang. */
#include "octavo/util.h"

#include <string.h>
#include <strings.h>

/* Scripts whose runs are tagged when the book's language is not written in
 * them: the tag (a language where the script has one main language, else
 * und-Script), right to left, and the book languages that need no tag. */
static const struct {
    uint32_t lo, hi;
    int group; /* ranges of one script share it */
    const char *tag;
    int rtl;
    const char *own; /* space-separated primary subtags written in it */
} script_langs[] = {
    {0x0590, 0x05FF, 0, "he", 1, "he iw yi"},
    {0xFB1D, 0xFB4F, 0, "he", 1, "he iw yi"},
    {0x0600, 0x06FF, 1, "und-Arab", 1, "ar fa ur ps ku ckb sd ug"},
    {0x0750, 0x077F, 1, "und-Arab", 1, "ar fa ur ps ku ckb sd ug"},
    {0x08A0, 0x08FF, 1, "und-Arab", 1, "ar fa ur ps ku ckb sd ug"},
    {0xFB50, 0xFDFF, 1, "und-Arab", 1, "ar fa ur ps ku ckb sd ug"},
    {0xFE70, 0xFEFF, 1, "und-Arab", 1, "ar fa ur ps ku ckb sd ug"},
    {0x0900, 0x097F, 2, "und-Deva", 0, "hi mr ne sa kok mai bho"},
    {0x0980, 0x09FF, 3, "und-Beng", 0, "bn as"},
    {0x0E00, 0x0E7F, 4, "th", 0, "th"},
    {0x1100, 0x11FF, 5, "ko", 0, "ko"},
    {0x3130, 0x318F, 5, "ko", 0, "ko"},
    {0xAC00, 0xD7AF, 5, "ko", 0, "ko"},
    {0x3040, 0x30FF, 6, "ja", 0, "ja"}, /* kana: Japanese (with the ideographs around) */
    {0x31F0, 0x31FF, 6, "ja", 0, "ja"},
    {0x3400, 0x4DBF, 6, "zh", 0, "zh ja"}, /* ideographs alone: Chinese */
    {0x4E00, 0x9FFF, 6, "zh", 0, "zh ja"},
};

int oc_script_cp(uint32_t cp) {
    if (cp < 0x0590) return 0;
    for (size_t i = 0; i < sizeof script_langs / sizeof *script_langs; i++)
        if (cp >= script_langs[i].lo && cp <= script_langs[i].hi) return 1;
    return 0;
}

int oc_script_range(size_t i, uint32_t *lo, uint32_t *hi) {
    if (i >= sizeof script_langs / sizeof *script_langs) return 0;
    *lo = script_langs[i].lo;
    *hi = script_langs[i].hi;
    return 1;
}

static int script_of(uint32_t cp) {
    if (cp < 0x0590) return -1; /* (most text) */
    for (size_t i = 0; i < sizeof script_langs / sizeof *script_langs; i++)
        if (cp >= script_langs[i].lo && cp <= script_langs[i].hi) return (int)i;
    return -1;
}

/* characters that belong to whatever run they are in: spaces, digits,
 * punctuation, combining marks, CJK punctuation, joiners */
static int neutral(uint32_t cp) {
    return (cp < 0x80 && !((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z')) ||
           (cp >= 0x0300 && cp <= 0x036F) || (cp >= 0x2000 && cp <= 0x206F) ||
           (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF00 && cp <= 0xFF65) || cp == 0xA0 ||
           cp == 0x0964 || cp == 0x0965; /* the dandas: Bengali uses them too */
}

static int book_writes(const char *book_lang, const char *own) {
    return oc_word_listed(own, book_lang, strcspn(book_lang, "-"), 1);
}

int oc_script_run(const char *book_lang, const char *s, size_t len, size_t from,
                  oc_script_span *out) {
    size_t i = from;
    while (i < len) {
        if ((unsigned char)s[i] <
            0xD6) { /* below U+0580 (a lead byte >= 0xD6 starts a character) */
            i++;
            continue;
        }
        size_t at = i;
        int k = script_of(oc_utf8_next(s, len, &i));
        if (k < 0 || book_writes(book_lang, script_langs[k].own)) continue;
        /* the run: this script's characters and neutrals between them */
        int group = script_langs[k].group, kana = !strcmp(script_langs[k].tag, "ja");
        size_t end = i, j = i;
        while (j < len) {
            size_t q = j;
            uint32_t cp = oc_utf8_next(s, len, &q);
            int kk = script_of(cp);
            if (kk >= 0 && script_langs[kk].group == group) {
                if (!strcmp(script_langs[kk].tag, "ja")) kana = 1;
                end = q;
            } else if (kk >= 0 || !neutral(cp)) {
                break;
            }
            j = q;
        }
        if (group == 6 && book_writes(book_lang, kana ? "ja" : "zh")) {
            i = end;
            continue;
        }
        out->start = at;
        out->end = end;
        out->tag = group == 6 ? (kana ? "ja" : "zh") : script_langs[k].tag;
        out->rtl = script_langs[k].rtl;
        return 1;
    }
    return 0;
}
