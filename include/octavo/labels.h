/* The words octavo itself writes into a book: the contents page's title,
 * "Chapter 4", "Figure 7.", the EPUB's navigation labels, a handout's note
 * on a left-out chapter. They follow the book's `language:` (BCP 47), so a
 * Korean guide says 차례 and 제4장, not Contents and Chapter 4; a language
 * with no table here gets English. */
#ifndef OCTAVO_LABELS_H
#define OCTAVO_LABELS_H

#include "octavo/util.h"

typedef struct {
    const char *lang; /* the table's language tag: "en", "zh-Hant", ... */
    const char *contents;
    const char *chapter; /* before and after the number: "Chapter " "" / "제" "장" */
    const char *chapter_after;
    const char *figure; /* before and after the number in a caption: "Figure " "." */
    const char *figure_after;
    const char *table; /* before the number: "Table " */
    const char *title_page;
    const char *cover;
    const char *in_full_book; /* after a link to a chapter a handout leaves out */
    const char *page_ref;     /* a page reference in print: "(p. " "12" ")" / "(" "12" "쪽)" */
    const char *page_ref_after;
} oc_labels;

/* The labels for a BCP 47 tag ("ko-KR", "zh-Hant-TW", "pt-BR"); English for
 * NULL, "" or a language with no table. Never NULL. */
const oc_labels *oc_labels_for(const char *language);

/* "Chapter 4", "제4장", "第4章" */
char *oc_labels_chapter(oc_arena *a, const oc_labels *l, const char *number);
/* "Figure 7.", "그림 7.", "図7" */
char *oc_labels_figure(oc_arena *a, const oc_labels *l, int number);
/* "(p. 12)", "(12쪽)", "（12ページ）" */
char *oc_labels_page_ref(oc_arena *a, const oc_labels *l, const char *page);
/* "Table 3", "표 3", "表3" */
char *oc_labels_table(oc_arena *a, const oc_labels *l, int number);

#endif
