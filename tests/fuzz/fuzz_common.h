/* Shared by the fuzz targets: a tiny in-memory book folder (one PNG, one
 * JPEG) that fuzzed Markdown can cite, and a fixed SOURCE_DATE_EPOCH so that
 * every run is deterministic. */
#ifndef OCTAVO_FUZZ_COMMON_H
#define OCTAVO_FUZZ_COMMON_H

#include "octavo/book.h"
#include "octavo/epub.h"
#include "octavo/layout.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* 1x1 grey PNG */
static const char fuzz_png[] =
    "\x89PNG\r\n\x1a\n"
    "\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x00\x00\x00\x00"
    "\x3a\x7e\x9b\x55"
    "\x00\x00\x00\x0aIDAT\x78\x9c\x63\x68\x00\x00\x00\x82\x00\x81"
    "\x77\xcd\x72\xb6"
    "\x00\x00\x00\x00IEND\xae\x42\x60\x82";

/* 8x8 grey baseline JPEG: one DC and one AC code, one all-zero block */
static const char fuzz_jpeg[] =
    "\xff\xd8"
    "\xff\xdb\x00\x43\x00"
    "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
    "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
    "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
    "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
    "\xff\xc0\x00\x0b\x08\x00\x08\x00\x08\x01\x01\x11\x00"
    "\xff\xc4\x00\x14\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\xff\xc4\x00\x14\x10\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
    "\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
    "\x3f\xff\xd9";

static const oc_memfile fuzz_files[] = {
    {"images/a.png", fuzz_png, sizeof fuzz_png - 1},
    {"a.png", fuzz_png, sizeof fuzz_png - 1},
    {"images/b.jpg", fuzz_jpeg, sizeof fuzz_jpeg - 1},
    {"b.jpg", fuzz_jpeg, sizeof fuzz_jpeg - 1},
    {NULL, NULL, 0},
};

static void fuzz_setup(void) {
    setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The targets' libFuzzer set-up, unless a target has more to do
 * (FUZZ_OWN_INITIALIZE): fixed dates, for deterministic runs. */
#ifndef FUZZ_OWN_INITIALIZE
int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    fuzz_setup();
    return 0;
}
#endif

/* Hyphenation patterns by language tag, parsed once per process (the
 * harness's own cache, as a long-running caller would keep one): the first
 * few languages the inputs name; past that, the layout loads its own. */
#define FUZZ_MAX_LANGS 8
static struct {
    char tag[32];
    oc_hyphen_patterns *p;
} fuzz_langs[FUZZ_MAX_LANGS];
static int fuzz_nlangs;

static inline const oc_hyphen_patterns *fuzz_patterns(const char *tag) {
    if (!tag) tag = "en-US";
    if (strlen(tag) >= sizeof fuzz_langs[0].tag) return NULL;
    for (int i = 0; i < fuzz_nlangs; i++)
        if (strcmp(fuzz_langs[i].tag, tag) == 0) return fuzz_langs[i].p;
    if (fuzz_nlangs == FUZZ_MAX_LANGS) return NULL;
    oc_hyphen_patterns *p = oc_hyphen_patterns_load(tag, NULL, NULL);
    if (!p) return NULL; /* no patterns: the layout warns and sets without */
    snprintf(fuzz_langs[fuzz_nlangs].tag, sizeof fuzz_langs[0].tag, "%s", tag);
    fuzz_langs[fuzz_nlangs++].p = p;
    return p;
}

/* FNV-1a of the whole input: the targets choose their costly extra steps
 * by it, a choice mutants do not inherit (a flag byte would be copied into
 * every mutant of an input that reached the costly step). */
static inline uint32_t fuzz_hash(const uint8_t *data, size_t size) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    return h;
}

/* Every chapter's XHTML; the whole EPUB too for one input in 32. */
static inline void fuzz_render_epub(const oc_document *doc, const uint8_t *data, size_t size,
                                    oc_diag *diag) {
    for (int i = 0; i < doc->nchapters; i++) {
        oc_buf body;
        oc_buf_init(&body);
        oc_epub_chapter_body(doc, i, &body);
        oc_buf_free(&body);
    }
    if (fuzz_hash(data, size) % 32 == 0) {
        oc_buf epub;
        oc_buf_init(&epub);
        oc_epub_write(doc, &epub, diag);
        oc_buf_free(&epub);
    }
}

#endif
