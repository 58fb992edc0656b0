/* octavo's own words in the book's language (include/octavo/labels.h).
 * One row per language: the usual terms of that language's book trade
 * (a contents page is 目次 in Japanese, Inhalt in German), numbers placed
 * as the language places them (제4장, 第4章, บทที่ 4). */
#include "octavo/labels.h"

#include <string.h>
#include <strings.h>

static const oc_labels table[] = {
    {"en", "Contents", "Chapter ", "", "Figure ", ".", "Table ", "Title page", "Cover",
     "(in the full book)", "(p. ", ")"},
    {"de", "Inhalt", "Kapitel ", "", "Abbildung ", ".", "Tabelle ", "Titelseite", "Umschlag",
     "(im vollständigen Buch)", "(S. ", ")"},
    {"fr", "Table des matières", "Chapitre ", "", "Figure ", ".", "Tableau ", "Page de titre",
     "Couverture", "(dans le livre complet)", "(p. ", ")"},
    {"es", "Índice", "Capítulo ", "", "Figura ", ".", "Tabla ", "Portadilla", "Cubierta",
     "(en el libro completo)", "(p. ", ")"},
    {"it", "Indice", "Capitolo ", "", "Figura ", ".", "Tabella ", "Frontespizio", "Copertina",
     "(nel libro completo)", "(p. ", ")"},
    {"pt", "Sumário", "Capítulo ", "", "Figura ", ".", "Tabela ", "Folha de rosto", "Capa",
     "(no livro completo)", "(p. ", ")"},
    {"nl", "Inhoud", "Hoofdstuk ", "", "Figuur ", ".", "Tabel ", "Titelpagina", "Omslag",
     "(in het volledige boek)", "(p. ", ")"},
    {"sv", "Innehåll", "Kapitel ", "", "Figur ", ".", "Tabell ", "Titelsida", "Omslag",
     "(i hela boken)", "(s. ", ")"},
    {"pl", "Spis treści", "Rozdział ", "", "Rysunek ", ".", "Tabela ", "Strona tytułowa", "Okładka",
     "(w pełnym wydaniu)", "(s. ", ")"},
    {"ru", "Содержание", "Глава ", "", "Рисунок ", ".", "Таблица ", "Титульный лист", "Обложка",
     "(в полном издании)", "(с. ", ")"},
    {"uk", "Зміст", "Розділ ", "", "Рисунок ", ".", "Таблиця ", "Титульна сторінка", "Обкладинка",
     "(у повному виданні)", "(с. ", ")"},
    {"tr", "İçindekiler", "Bölüm ", "", "Şekil ", ".", "Tablo ", "İç kapak", "Kapak",
     "(kitabın tamamında)", "(s. ", ")"},
    {"vi", "Mục lục", "Chương ", "", "Hình ", ".", "Bảng ", "Trang tên sách", "Bìa",
     "(trong bản đầy đủ)", "(tr. ", ")"},
    {"id", "Daftar Isi", "Bab ", "", "Gambar ", ".", "Tabel ", "Halaman judul", "Sampul",
     "(dalam buku lengkap)", "(hlm. ", ")"},
    {"ko", "차례", "제", "장", "그림 ", ".", "표 ", "표제지", "표지", "(전체 책에 수록)", "(",
     "쪽)"},
    {"ja", "目次", "第", "章", "図", "", "表", "扉", "表紙", "（完全版に収録）", "（", "ページ）"},
    {"zh", "目录", "第", "章", "图", "", "表", "扉页", "封面", "（见完整版）", "（第", "页）"},
    {"zh-Hant", "目錄", "第", "章", "圖", "", "表", "扉頁", "封面", "（見完整版）", "（第", "頁）"},
    {"hi", "विषय-सूची", "अध्याय ", "", "चित्र ", ".", "तालिका ", "शीर्षक पृष्ठ", "आवरण", "(पूरी पुस्तक में)",
     "(पृ. ", ")"},
    {"bn", "সূচিপত্র", "অধ্যায় ", "", "চিত্র ", ".", "সারণি ", "শিরোনাম পৃষ্ঠা", "প্রচ্ছদ", "(সম্পূর্ণ বইয়ে)",
     "(পৃ. ", ")"},
    {"th", "สารบัญ", "บทที่ ", "", "รูปที่ ", "", "ตารางที่ ", "หน้าชื่อเรื่อง", "ปก", "(ในฉบับสมบูรณ์)", "(หน้า ",
     ")"},
    {"ar", "المحتويات", "الفصل ", "", "الشكل ", ".", "الجدول ", "صفحة العنوان", "الغلاف",
     "(في الكتاب الكامل)", "(ص ", ")"},
    {"he", "תוכן העניינים", "פרק ", "", "איור ", ".", "טבלה ", "שער", "כריכה", "(בספר המלא)",
     "(עמ' ", ")"},
};

/* 1 when the subtag [s, s+n) equals w, ignoring ASCII case */
static int subtag_is(const char *s, size_t n, const char *w) {
    return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

const oc_labels *oc_labels_for(const char *language) {
    if (!language || !*language) return &table[0];
    size_t n = strcspn(language, "-_");
    const char *lang = NULL;
    if (subtag_is(language, n, "zh")) {
        /* traditional characters: the Hant script, or Taiwan, Hong Kong, Macao */
        lang = "zh";
        for (const char *p = language + n; *p;) {
            p += strspn(p, "-_");
            size_t k = strcspn(p, "-_");
            if (subtag_is(p, k, "hant") || subtag_is(p, k, "tw") || subtag_is(p, k, "hk") ||
                subtag_is(p, k, "mo"))
                lang = "zh-Hant";
            if (subtag_is(p, k, "hans")) {
                lang = "zh";
                break;
            }
            p += k;
        }
    }
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        if (lang ? strcmp(table[i].lang, lang) == 0 : subtag_is(language, n, table[i].lang))
            return &table[i];
    }
    /* older tags: "iw" is Hebrew, "in" Indonesian */
    if (subtag_is(language, n, "iw")) return oc_labels_for("he");
    if (subtag_is(language, n, "in")) return oc_labels_for("id");
    return &table[0];
}

char *oc_labels_chapter(oc_arena *a, const oc_labels *l, const char *number) {
    return oc_arena_printf(a, "%s%s%s", l->chapter, number, l->chapter_after);
}

char *oc_labels_figure(oc_arena *a, const oc_labels *l, int number) {
    return oc_arena_printf(a, "%s%d%s", l->figure, number, l->figure_after);
}

char *oc_labels_table(oc_arena *a, const oc_labels *l, int number) {
    return oc_arena_printf(a, "%s%d", l->table, number);
}

char *oc_labels_page_ref(oc_arena *a, const oc_labels *l, const char *page) {
    return oc_arena_printf(a, "%s%s%s", l->page_ref, page, l->page_ref_after);
}
