/* libFuzzer target: Markdown with raw HTML -> Document (gumbo's fragments
 * mapped onto our nodes, src/doc/html.c) -> every chapter's XHTML and the
 * layout. Besides crashes, sanitizer reports, leaks and time-outs, a
 * finding is XHTML that carries what the HTML path must remove: a
 * <script>, <style>, <iframe>, <object>, <embed> or <form> element, an on*
 * attribute, or a javascript:/vbscript:/data: link (our renderer writes
 * every tag itself, so a plain search of its output is exact). Seeds: the
 * fixture books (tests/fixtures/html among them); html.dict holds the
 * tags, attributes and entities. One input in four is laid out too (A4).
 * Fonts come from OCTAVO_FONTS_DIR, read once, and the hyphenation
 * patterns are parsed once per language (fuzz_patterns): parsing them for
 * each input took about two thirds of the target's time. */
#define FUZZ_OWN_INITIALIZE /* it also loads the fonts */
#include "fuzz_common.h"
#include "octavo/layout.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <ctype.h>
#include <string.h>

static oc_fontset *fonts;

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_setup();
    const char *env = getenv("OCTAVO_FONTS_DIR");
    oc_diag diag;
    oc_diag_init(&diag, stderr);
    if (oc_fonts_load(&fonts, env && *env ? env : OCTAVO_FONTS_DIR, &diag) != OC_OK) abort();
    oc_diag_free(&diag);
    return 0;
}

/* Does p (n bytes) start with lit, ignoring ASCII case? Written out rather
 * than strncasecmp, which libFuzzer intercepts to record its operands: at
 * every byte of every tag that cost a fifth of the target's time. */
static int starts_ci(const char *p, size_t n, const char *lit) {
    for (size_t i = 0; lit[i]; i++) {
        if (i >= n) return 0;
        char c = p[i] >= 'A' && p[i] <= 'Z' ? (char)(p[i] + 32) : p[i];
        if (c != lit[i]) return 0;
    }
    return 1;
}

/* Is the attribute named by [name, name + len) one whose value is a URL a
 * reading system would follow or fetch? (An alt text may well say
 * "data:...": that is text.) */
static int url_attribute(const char *name, size_t len) {
    static const char *urls[] = {"href",     "src",    "xlink:href", "srcset", "poster",
                                 "cite",     "action", "formaction", "data",   "background",
                                 "longdesc", "usemap", "manifest",   "icon",   "ping"};
    for (size_t i = 0; i < sizeof urls / sizeof *urls; i++)
        if (strlen(urls[i]) == len && starts_ci(name, len, urls[i])) return 1;
    return 0;
}

/* Inside each tag of our output (text never holds a raw '<' or '"'): no
 * removed element, no on* attribute, no URL attribute whose value is a
 * javascript:, vbscript: or data: URL (leading spaces and control
 * characters skipped, as browsers do). Attributes are found at each '='
 * outside a quoted value; the name is what precedes it. */
static void check_xhtml(const oc_buf *b) {
    static const char *elements[] = {"<script", "<style", "<iframe", "<object", "<embed", "<form"};
    static const char *schemes[] = {"javascript:", "vbscript:", "data:"};
    if (!b->data) return;
    for (const char *p = strchr(b->data, '<'); p; p = strchr(p + 1, '<')) {
        const char *e = strchr(p, '>');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *why = NULL;
        for (size_t i = 0; i < sizeof elements / sizeof *elements && !why; i++)
            if (starts_ci(p, n, elements[i])) why = elements[i];
        int inq = 0; /* inside a quoted attribute value */
        for (size_t k = 0; k < n && !why; k++) {
            if (p[k] == '"') inq = !inq;
            if (inq || p[k] != '=') continue;
            size_t s0 = k;
            while (s0 > 0 && (isalnum((unsigned char)p[s0 - 1]) || p[s0 - 1] == ':' ||
                              p[s0 - 1] == '-' || p[s0 - 1] == '_'))
                s0--;
            if (k - s0 > 2 && starts_ci(p + s0, k - s0, "on")) why = "an on* attribute";
            if (why || !url_attribute(p + s0, k - s0)) continue;
            size_t v = k + 1 + (k + 1 < n && p[k + 1] == '"');
            while (v < n && (unsigned char)p[v] <= ' ')
                v++;
            for (size_t i = 0; i < sizeof schemes / sizeof *schemes && !why; i++)
                if (starts_ci(p + v, n - v, schemes[i])) why = schemes[i];
        }
        if (why) {
            fprintf(stderr, "XHTML carries %s in %.*s\n", why, (int)n + 1, p);
            abort();
        }
        if (!e) break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 64 * 1024) return 0;
    oc_io io;
    oc_io_memory(&io, fuzz_files);
    oc_diag diag;
    oc_diag_init(&diag, NULL);
    oc_document doc;
    if (oc_book_load_string(&doc, "fuzz.md", (const char *)data, size, &io, &diag) == OC_OK) {
        for (int i = 0; i < doc.nchapters; i++) {
            oc_buf body;
            oc_buf_init(&body);
            oc_epub_chapter_body(&doc, i, &body);
            check_xhtml(&body);
            oc_buf_free(&body);
        }
        /* the layout costs ten XHTML renderings: one input in four (by a
         * hash of its bytes, which mutants do not inherit) */
        if (fuzz_hash(data, size) % 4) goto done;
        oc_layout_options lo = {"a4", 0, fuzz_patterns(doc.meta.language)};
        oc_layout layout;
        memset(&layout, 0, sizeof layout);
        oc_layout_run(&doc, &lo, fonts, &layout, &diag);
        oc_layout_free(&layout);
    }
done:
    oc_doc_free(&doc);
    oc_diag_free(&diag);
    return 0;
}
