/* Unit tests of the ToUnicode CMap writer (src/pdf/tounicode.c). */
#include "harness.h"
#include "pdf/pdf_internal.h"

#include <stdlib.h>
#include <string.h>

#define HEAD                                                                                       \
    "/CIDInit /ProcSet findresource begin\n"                                                       \
    "12 dict begin\n"                                                                              \
    "begincmap\n"                                                                                  \
    "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"                   \
    "/CMapName /Adobe-Identity-UCS def\n"                                                          \
    "/CMapType 2 def\n"                                                                            \
    "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
#define TAIL                                                                                       \
    "endcmap\n"                                                                                    \
    "CMapName currentdict /CMap defineresource pop\n"                                              \
    "end\n"                                                                                        \
    "end\n"

static void test_chars_and_ranges(void) {
    /* "ABC" is a run; é, → and the G clef (U+1D11E, a surrogate pair)
     * are single mappings. */
    oc_tounicode_entry e[] = {{0x41, 1, {0x41}}, {0x42, 1, {0x42}},     {0x43, 1, {0x43}},
                              {0xE9, 1, {0xE9}}, {0x2192, 1, {0x2192}}, {0xE000, 1, {0x1D11E}}};
    oc_buf b;
    oc_buf_init(&b);
    oc_tounicode_write(&b, e, sizeof e / sizeof *e);
    CHECK_STR_EQ(b.data, HEAD "3 beginbfchar\n"
                              "<00E9> <00E9>\n"
                              "<2192> <2192>\n"
                              "<E000> <D834DD1E>\n"
                              "endbfchar\n"
                              "1 beginbfrange\n"
                              "<0041> <0043> <0041>\n"
                              "endbfrange\n" TAIL);
    oc_buf_free(&b);
}

static void test_empty(void) {
    oc_buf b;
    oc_buf_init(&b);
    oc_tounicode_write(&b, NULL, 0);
    CHECK_STR_EQ(b.data, HEAD TAIL);
    oc_buf_free(&b);
}

static void test_range_stops_at_byte_boundary(void) {
    /* U+00FE..U+0101 are consecutive but cross the 0x100 boundary: two
     * ranges; a run whose code points are not consecutive breaks too. */
    oc_tounicode_entry e[] = {{0xFE, 1, {0xFE}},   {0xFF, 1, {0xFF}},   {0x100, 1, {0x100}},
                              {0x101, 1, {0x101}}, {0x200, 1, {0x300}}, {0x201, 1, {0x302}}};
    oc_buf b;
    oc_buf_init(&b);
    oc_tounicode_write(&b, e, sizeof e / sizeof *e);
    CHECK_STR_EQ(b.data, HEAD "2 beginbfchar\n"
                              "<0200> <0300>\n"
                              "<0201> <0302>\n"
                              "endbfchar\n"
                              "2 beginbfrange\n"
                              "<00FE> <00FF> <00FE>\n"
                              "<0100> <0101> <0100>\n"
                              "endbfrange\n" TAIL);
    oc_buf_free(&b);
}

static size_t count(const char *s, const char *needle) {
    size_t n = 0;
    for (const char *p = strstr(s, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static void test_blocks_of_100(void) {
    /* 250 isolated codes (every other one): 100 + 100 + 50 bfchar. */
    oc_tounicode_entry e[250];
    for (int i = 0; i < 250; i++)
        e[i] = (oc_tounicode_entry){(uint16_t)(0x1000 + 2 * i), 1, {(uint32_t)(0x1000 + 2 * i)}};
    oc_buf b;
    oc_buf_init(&b);
    oc_tounicode_write(&b, e, 250);
    CHECK(count(b.data, "100 beginbfchar\n") == 2);
    CHECK(count(b.data, "50 beginbfchar\n") == 1);
    CHECK(count(b.data, "endbfchar\n") == 3);
    CHECK(count(b.data, "bfrange") == 0);
    CHECK_CONTAINS(b.data, "<1000> <1000>\n");
    CHECK_CONTAINS(b.data, "<11F2> <11F2>\nendbfchar\n");
    /* the 101st mapping opens the second block */
    CHECK_CONTAINS(b.data, "<10C6> <10C6>\nendbfchar\n100 beginbfchar\n<10C8> <10C8>\n");
    oc_buf_free(&b);

    /* 10,000 consecutive code points: ranges of at most 256 codes, in
     * blocks of at most 100 ranges. */
    oc_tounicode_entry *r = malloc(10000 * sizeof *r);
    for (int i = 0; i < 10000; i++)
        r[i] = (oc_tounicode_entry){(uint16_t)(0x4E00 + i), 1, {(uint32_t)(0x4E00 + i)}};
    oc_buf_init(&b);
    oc_tounicode_write(&b, r, 10000);
    /* 0x4E00..0x750F covers 40 blocks of 256 minus the tail: 40 ranges */
    CHECK_CONTAINS(b.data, "40 beginbfrange\n<4E00> <4EFF> <4E00>\n");
    CHECK_CONTAINS(b.data, "<7500> <750F> <7500>\nendbfrange\n");
    CHECK(count(b.data, "beginbfchar") == 0);
    free(r);
    oc_buf_free(&b);

    /* 300 pairs of consecutive codes: 300 ranges in 3 blocks of 100 */
    oc_tounicode_entry p[600];
    for (int i = 0; i < 300; i++) {
        p[2 * i] =
            (oc_tounicode_entry){(uint16_t)(0x2000 + 4 * i), 1, {(uint32_t)(0x2000 + 4 * i)}};
        p[2 * i + 1] =
            (oc_tounicode_entry){(uint16_t)(0x2001 + 4 * i), 1, {(uint32_t)(0x2001 + 4 * i)}};
    }
    oc_buf_init(&b);
    oc_tounicode_write(&b, p, 600);
    CHECK(count(b.data, "100 beginbfrange\n") == 3);
    CHECK(count(b.data, "endbfrange\n") == 3);
    CHECK(count(b.data, "beginbfchar") == 0);
    CHECK_CONTAINS(b.data, "<2000> <2001> <2000>\n");
    oc_buf_free(&b);
}

static void test_utf16be(void) {
    oc_buf b;
    oc_buf_init(&b);
    const char *s = "A\xc3\xa9\xe2\x86\x92\xf0\x9d\x84\x9e"; /* Aé→𝄞 */
    oc_pdf_utf16be(&b, s, strlen(s));
    const unsigned char want[] = {0xFE, 0xFF, 0x00, 0x41, 0x00, 0xE9,
                                  0x21, 0x92, 0xD8, 0x34, 0xDD, 0x1E};
    CHECK(b.len == sizeof want);
    CHECK(b.len == sizeof want && memcmp(b.data, want, sizeof want) == 0);
    oc_buf_free(&b);
}

static void test_ligature(void) {
    /* a lam-alef ligature maps to two letters; it never joins a range, and
     * the letters around it still do */
    oc_tounicode_entry e[] = {{0x41, 1, {0x41}},
                              {0x42, 1, {0x42}},
                              {0xFEFB, 2, {0x644, 0x627}},
                              {0xFEFC, 2, {0x644, 0x627}},
                              {0xFEFD, 1, {0xFEFD}}};
    oc_buf b;
    oc_buf_init(&b);
    oc_tounicode_write(&b, e, sizeof e / sizeof *e);
    CHECK_CONTAINS(b.data, "3 beginbfchar\n<FEFB> <06440627>\n<FEFC> <06440627>\n"
                           "<FEFD> <FEFD>\nendbfchar\n");
    CHECK_CONTAINS(b.data, "1 beginbfrange\n<0041> <0042> <0041>\nendbfrange\n");
    oc_buf_free(&b);
}

int main(void) {
    RUN(test_chars_and_ranges);
    RUN(test_empty);
    RUN(test_range_stops_at_byte_boundary);
    RUN(test_blocks_of_100);
    RUN(test_utf16be);
    RUN(test_ligature);
    return harness_finish("test_tounicode");
}
