/* Unit tests for octavo's own words in the book's language
 * (src/doc/labels.c): the tag lookup (region, script, old tags, unknown
 * languages) and where the number goes. */
#include "harness.h"
#include "octavo/labels.h"

#include <string.h>

static void test_lookup(void) {
    CHECK_STR_EQ(oc_labels_for(NULL)->contents, "Contents");
    CHECK_STR_EQ(oc_labels_for("")->contents, "Contents");
    CHECK_STR_EQ(oc_labels_for("en-US")->contents, "Contents");
    CHECK_STR_EQ(oc_labels_for("eo")->contents, "Contents"); /* no table: English */
    CHECK_STR_EQ(oc_labels_for("ko-KR")->contents, "차례");
    CHECK_STR_EQ(oc_labels_for("KO")->contents, "차례");
    CHECK_STR_EQ(oc_labels_for("ja")->contents, "目次");
    CHECK_STR_EQ(oc_labels_for("hi-IN")->contents, "विषय-सूची");
    CHECK_STR_EQ(oc_labels_for("de_CH")->contents, "Inhalt");
    CHECK_STR_EQ(oc_labels_for("pt-BR")->lang, "pt");
    /* Chinese: simplified unless the script or region says traditional */
    CHECK_STR_EQ(oc_labels_for("zh")->contents, "目录");
    CHECK_STR_EQ(oc_labels_for("zh-CN")->contents, "目录");
    CHECK_STR_EQ(oc_labels_for("zh-TW")->contents, "目錄");
    CHECK_STR_EQ(oc_labels_for("zh-Hant")->contents, "目錄");
    CHECK_STR_EQ(oc_labels_for("zh-hk")->contents, "目錄");
    CHECK_STR_EQ(oc_labels_for("zh-Hans-TW")->contents, "目录");
    /* old tags */
    CHECK_STR_EQ(oc_labels_for("iw")->lang, "he");
    CHECK_STR_EQ(oc_labels_for("in-ID")->lang, "id");
    /* a prefix is not a match: "kok" (Konkani) is not Korean, "e" not English */
    CHECK_STR_EQ(oc_labels_for("kok")->lang, "en");
    CHECK_STR_EQ(oc_labels_for("jav")->lang, "en");
}

static void test_numbers(void) {
    oc_arena a;
    oc_arena_init(&a);
    CHECK_STR_EQ(oc_labels_chapter(&a, oc_labels_for("en"), "4"), "Chapter 4");
    CHECK_STR_EQ(oc_labels_chapter(&a, oc_labels_for("ko"), "4"), "제4장");
    CHECK_STR_EQ(oc_labels_chapter(&a, oc_labels_for("ja-JP"), "12"), "第12章");
    CHECK_STR_EQ(oc_labels_chapter(&a, oc_labels_for("th"), "2"), "บทที่ 2");
    CHECK_STR_EQ(oc_labels_figure(&a, oc_labels_for("en"), 7), "Figure 7.");
    CHECK_STR_EQ(oc_labels_figure(&a, oc_labels_for("ko"), 7), "그림 7.");
    CHECK_STR_EQ(oc_labels_figure(&a, oc_labels_for("zh-TW"), 7), "圖7");
    CHECK_STR_EQ(oc_labels_table(&a, oc_labels_for("de"), 3), "Tabelle 3");
    CHECK_STR_EQ(oc_labels_page_ref(&a, oc_labels_for("en-GB"), "12"), "(p. 12)");
    CHECK_STR_EQ(oc_labels_page_ref(&a, oc_labels_for("de"), "xii"), "(S. xii)");
    CHECK_STR_EQ(oc_labels_page_ref(&a, oc_labels_for("ko"), "12"), "(12쪽)");
    CHECK_STR_EQ(oc_labels_page_ref(&a, oc_labels_for("zh-Hant"), "12"), "（第12頁）");
    CHECK_STR_EQ(oc_labels_table(&a, oc_labels_for("ja"), 3), "表3");
    oc_arena_free(&a);
}

/* every table is complete: no NULL, every string valid UTF-8 */
static void test_complete(void) {
    static const char *tags[] = {"en", "de",    "fr", "es", "it", "pt", "nl", "sv",
                                 "pl", "ru",    "uk", "tr", "vi", "id", "ko", "ja",
                                 "zh", "zh-TW", "hi", "bn", "th", "ar", "he"};
    for (size_t i = 0; i < sizeof tags / sizeof *tags; i++) {
        const oc_labels *l = oc_labels_for(tags[i]);
        const char *s[] = {l->contents,     l->chapter,  l->chapter_after, l->figure,
                           l->figure_after, l->table,    l->title_page,    l->cover,
                           l->in_full_book, l->page_ref, l->page_ref_after};
        for (size_t k = 0; k < sizeof s / sizeof *s; k++) {
            CHECK(s[k] != NULL);
            if (s[k]) CHECK(oc_utf8_find_invalid(s[k], strlen(s[k])) == (size_t)-1);
        }
        if (i > 0) CHECK(strcmp(l->lang, "en") != 0); /* each tag has its own table */
    }
}

int main(void) {
    RUN(test_lookup);
    RUN(test_numbers);
    RUN(test_complete);
    return harness_finish("test_labels");
}
