/* ToUnicode CMaps: how text extraction (pdftotext, copy-paste, screen
 * readers) maps the 2-byte codes of our Type0 fonts back to Unicode.
 *
 * libharu 2.3 attaches its *encoding* CMap as /ToUnicode, whose
 * "begincidrange" operator is not allowed there (poppler: "Invalid
 * 'begincidrange' operator in ToUnicode CMap"). The writer replaces that
 * stream's contents with the CMap written here. */
#include "pdf/pdf_internal.h"

#define OC_CMAP_BLOCK 100 /* mappings per begin...end block (TN 5411) */

static void put_utf16(oc_buf *out, uint32_t cp) {
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
    if (cp > 0xFFFF) {
        uint32_t v = cp - 0x10000;
        oc_buf_printf(out, "%04X%04X", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
    } else {
        oc_buf_printf(out, "%04X", cp);
    }
}

/* a destination string: the entry's code points */
static void put_dest(oc_buf *out, const oc_tounicode_entry *e, int first_only) {
    oc_buf_putc(out, '<');
    size_t n = first_only ? 1 : e->n;
    for (size_t i = 0; i < n && i < OC_TOUNICODE_MAX; i++)
        put_utf16(out, e->cp[i]);
    oc_buf_putc(out, '>');
}

static int single(const oc_tounicode_entry *e) {
    return e->n == 1 && e->cp[0] <= 0xFFFF;
}

/* Length of the bfrange run starting at e[i]: codes and code points both
 * consecutive, code points in the BMP, all within one 256-code block of
 * codes and of destinations (only the last byte may change). */
static size_t run_length(const oc_tounicode_entry *e, size_t n, size_t i) {
    size_t k = 1;
    while (i + k < n) {
        const oc_tounicode_entry *a = &e[i + k - 1], *b = &e[i + k];
        if (b->code != a->code + 1 || !single(a) || !single(b) || b->cp[0] != a->cp[0] + 1) break;
        if ((b->code & 0xFF) == 0 || (b->cp[0] & 0xFF) == 0) break;
        k++;
    }
    return k;
}

void oc_tounicode_write(oc_buf *out, const oc_tounicode_entry *e, size_t n) {
    oc_buf_puts(out, "/CIDInit /ProcSet findresource begin\n"
                     "12 dict begin\n"
                     "begincmap\n"
                     "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                     "/CMapName /Adobe-Identity-UCS def\n"
                     "/CMapType 2 def\n"
                     "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");

    /* First pass: count singles and ranges; second pass writes them in
     * blocks (bfchar blocks first, then bfrange blocks). */
    size_t nchar = 0, nrange = 0;
    for (size_t i = 0; i < n;) {
        size_t k = !single(&e[i]) ? 1 : run_length(e, n, i);
        if (k > 1)
            nrange++;
        else
            nchar++;
        i += k;
    }
    for (int pass = 0; pass < 2; pass++) {
        size_t total = pass == 0 ? nchar : nrange, done = 0, in_block = 0;
        const char *name = pass == 0 ? "bfchar" : "bfrange";
        for (size_t i = 0; i < n;) {
            size_t k = !single(&e[i]) ? 1 : run_length(e, n, i);
            int is_range = k > 1;
            if (is_range == pass) {
                if (in_block == 0) {
                    size_t left = total - done;
                    oc_buf_printf(out, "%zu begin%s\n", left < OC_CMAP_BLOCK ? left : OC_CMAP_BLOCK,
                                  name);
                }
                if (is_range)
                    oc_buf_printf(out, "<%04X> <%04X> ", e[i].code, e[i + k - 1].code);
                else
                    oc_buf_printf(out, "<%04X> ", e[i].code);
                put_dest(out, &e[i], is_range);
                oc_buf_putc(out, '\n');
                done++;
                if (++in_block == OC_CMAP_BLOCK || done == total) {
                    oc_buf_printf(out, "end%s\n", name);
                    in_block = 0;
                }
            }
            i += k;
        }
    }
    oc_buf_puts(out, "endcmap\n"
                     "CMapName currentdict /CMap defineresource pop\n"
                     "end\n"
                     "end\n");
}

void oc_pdf_utf16be(oc_buf *out, const char *s, size_t len) {
    oc_buf_append(out, "\xFE\xFF", 2);
    size_t i = 0;
    while (i < len) {
        uint32_t cp = oc_utf8_next(s, len, &i);
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
        unsigned char b[4];
        if (cp > 0xFFFF) {
            uint32_t v = cp - 0x10000, hi = 0xD800 + (v >> 10), lo = 0xDC00 + (v & 0x3FF);
            b[0] = (unsigned char)(hi >> 8);
            b[1] = (unsigned char)hi;
            b[2] = (unsigned char)(lo >> 8);
            b[3] = (unsigned char)lo;
            oc_buf_append(out, b, 4);
        } else {
            b[0] = (unsigned char)(cp >> 8);
            b[1] = (unsigned char)cp;
            oc_buf_append(out, b, 2);
        }
    }
}
