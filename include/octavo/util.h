/* octavo — small utilities shared by every module: status codes, the build
 * arena, growable byte buffers, UTF-8 helpers and path confinement.
 *
 * Ownership: memory from an oc_arena lives until oc_arena_free() and is never
 * freed piecemeal. An oc_buf owns its bytes; oc_buf_free() releases them.
 * Out of memory aborts with a message (there is no sensible recovery in a
 * one-shot command line tool), so allocation functions never return NULL. */
#ifndef OCTAVO_UTIL_H
#define OCTAVO_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef enum {
    OC_OK = 0,
    OC_ERR_INPUT, /* the book has errors; diagnostics say which */
    OC_ERR_IO,    /* reading or writing failed */
    OC_ERR_LIMIT, /* a size ceiling was hit */
    OC_ERR_INTERNAL
} oc_status;

/* ---- arena ------------------------------------------------------------ */
typedef struct oc_arena_chunk oc_arena_chunk;
typedef struct {
    oc_arena_chunk *head;
    size_t total; /* bytes handed out, for the bench's memory report */
    size_t next;  /* the next chunk's size while it grows (oc_arena_init_small); 0: 64 KB */
    int mapped;   /* chunks straight from mmap (oc_arena_map) */
} oc_arena;

void oc_arena_init(oc_arena *a);
/* An arena whose chunks start at 1 KB and double up to the usual 64 KB: for
 * many small arenas alive at once (one per chapter), which would otherwise
 * each take a 64 KB chunk for a few KB. */
void oc_arena_init_small(oc_arena *a);
/* Makes the arena's chunks from now on come from memory mapped for them
 * (regions shared by every mapped arena: see mem.c), which goes back to the
 * system as the arenas are freed, whichever thread frees them: malloc keeps
 * a block freed by another thread than the one that took it for that
 * thread's own heap, where the freeing thread cannot use it. */
void oc_arena_map(oc_arena *a);
/* Hands everything `from` holds to `into` (freed with it); `from` is left empty. */
void oc_arena_adopt(oc_arena *into, oc_arena *from);
void oc_arena_free(oc_arena *a);
void *oc_arena_alloc(oc_arena *a, size_t size); /* zeroed, 16-byte aligned */
char *oc_arena_strndup(oc_arena *a, const char *s, size_t n);
char *oc_arena_strdup(oc_arena *a, const char *s);
char *oc_arena_printf(oc_arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The n bytes at s with every "%XX" replaced by the byte it names (a URL's
 * fragment or path as written on the web), NUL-terminated, arena-owned. */
char *oc_arena_percent_decode(oc_arena *a, const char *s, size_t n);
/* A stable "urn:uuid:..." derived from two strings (FNV-1a), shaped as a
 * version-5 style UUID so reading systems accept it. */
char *oc_arena_uuid(oc_arena *a, const char *x, const char *y);

/* 1 when the word w[0..wl) is one of the space-separated words of list,
 * ignoring ASCII case when icase is set; an empty word is in no list. */
int oc_word_listed(const char *list, const char *w, size_t wl, int icase);

/* FNV-1a: the hash of octavo's open-addressing tables. Starts from
 * OC_FNV_OFFSET, or from an earlier hash to go on with more bytes. */
#define OC_FNV_OFFSET 0xcbf29ce484222325ULL
uint64_t oc_fnv1a(const void *data, size_t len, uint64_t h);
uint64_t oc_fnv1a_str(const char *s, uint64_t h);

/* Names the calling thread ("oc-epub", ...: at most 15 bytes), for top, gdb
 * and perf (src/util/thread.c). */
void oc_thread_name(const char *name);
/* Lowers the calling thread's priority to OC_THREAD_BACKGROUND_NICE: for
 * threads whose work the main thread does not wait for until the end (see
 * thread.c). 1 when set. */
#define OC_THREAD_BACKGROUND_NICE 10
int oc_thread_background(void);

/* ---- growable buffer ---------------------------------------------------- */
/* A byte buffer that grows by doubling up to `limit` bytes (0 means the
 * default ceiling, 1 GiB). Data is always NUL-terminated for convenience. */
typedef struct {
    char *data;
    size_t len;
    size_t cap;
    size_t limit;
    int overflow; /* set once an append hit the ceiling; later appends are dropped */
} oc_buf;

void oc_buf_init(oc_buf *b);
void oc_buf_free(oc_buf *b);
void oc_buf_reset(oc_buf *b);
void oc_buf_reserve(oc_buf *b, size_t extra);
/* the default ceiling (limit 0) */
#define OC_BUF_DEFAULT_LIMIT ((size_t)1 << 30)
/* oc_buf_append when the bytes do not fit (or the ceiling is passed) */
void oc_buf_append_grow(oc_buf *b, const void *data, size_t len);
/* Appends len bytes: inline while the buffer has room (it is called millions
 * of times a book, mostly for a few bytes), else through oc_buf_append_grow. */
static inline void oc_buf_append(oc_buf *b, const void *data, size_t len) {
    size_t limit = b->limit ? b->limit : OC_BUF_DEFAULT_LIMIT;
    if (!b->overflow && len < b->cap - b->len && len <= limit && b->len <= limit - len) {
        if (len) memcpy(b->data + b->len, data, len);
        b->len += len;
        b->data[b->len] = '\0';
        return;
    }
    oc_buf_append_grow(b, data, len);
}
static inline void oc_buf_puts(oc_buf *b, const char *s) {
    oc_buf_append(b, s, strlen(s));
}
/* One byte: inline while the buffer has room (it is called per glyph and per
 * character), else through oc_buf_append. */
static inline void oc_buf_putc(oc_buf *b, char c) {
    size_t limit = b->limit ? b->limit : OC_BUF_DEFAULT_LIMIT;
    if (!b->overflow && b->len + 1 < b->cap && b->len < limit) {
        b->data[b->len++] = c;
        b->data[b->len] = '\0';
        return;
    }
    oc_buf_append(b, &c, 1);
}
/* Where n more bytes can be written without growing (the ceiling and the
 * terminator allowed for), or NULL; after writing k <= n of them there,
 * oc_buf_commit(b, k). */
static inline char *oc_buf_room(oc_buf *b, size_t n) {
    size_t limit = b->limit ? b->limit : OC_BUF_DEFAULT_LIMIT;
    if (b->overflow || b->len + n >= b->cap || n > limit || b->len > limit - n) return NULL;
    return b->data + b->len;
}
static inline void oc_buf_commit(oc_buf *b, size_t k) {
    b->len += k;
    b->data[b->len] = '\0';
}
void oc_buf_printf(oc_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void oc_buf_vprintf(oc_buf *b, const char *fmt, va_list ap);
/* v in decimal */
void oc_buf_putu(oc_buf *b, unsigned long v);
/* Hands the bytes to the caller (free() them) and resets the buffer. */
char *oc_buf_detach(oc_buf *b, size_t *len);
/* Appends s (len bytes of UTF-8) as XML character data or an attribute
 * value: & < > " escaped, tab and newline kept, CR LF as LF, other control
 * characters dropped, U+FFFD for noncharacters and invalid sequences. */
void oc_buf_xml_escape(oc_buf *b, const char *s, size_t len);

/* ---- memory ------------------------------------------------------------- */
void *oc_xmalloc(size_t n);
void *oc_xcalloc(size_t n, size_t size);
void *oc_xrealloc(void *p, size_t n);
char *oc_xstrdup(const char *s);

/* ---- code point set ----------------------------------------------------- */
/* A growable set of code points (cp <= 0x10FFFF). A zeroed oc_cpset is an
 * empty set that has allocated nothing. */
typedef struct {
    uint32_t *slots; /* cp + 1 per used slot, 0 for a free one */
    size_t n, cap;
} oc_cpset;

/* Adds cp; returns 1 when it was not in the set yet, 0 when it was. */
int oc_cpset_add(oc_cpset *s, uint32_t cp);
int oc_cpset_has(const oc_cpset *s, uint32_t cp);
void oc_cpset_free(oc_cpset *s);

/* ---- UTF-8 -------------------------------------------------------------- */
/* Decodes one code point at s[*i] (len bytes total), advancing *i. Invalid
 * sequences yield U+FFFD and advance by one byte. */
uint32_t oc_utf8_next(const char *s, size_t len, size_t *i);
/* Encodes cp into out (at least 4 bytes); returns the byte count. */
int oc_utf8_encode(uint32_t cp, char *out);
/* Returns the offset of the first invalid byte, or (size_t)-1 if valid. */
size_t oc_utf8_find_invalid(const char *s, size_t len);

/* ---- scripts ------------------------------------------------------------ */
/* A run of text in a script that the book's language (BCP 47) is not
 * written in: Hebrew, Arabic, Devanagari, Bengali, Thai, Hangul, kana and
 * Han (with the neutral characters between its letters); its language tag
 * ("he", "und-Arab", "ja", "zh", ...; static) and whether it reads right
 * to left. The EPUB's lang attributes and the tagged PDF's /Lang. */
typedef struct {
    size_t start, end; /* bytes of s */
    const char *tag;
    int rtl;
} oc_script_span;
/* 1 when cp is a letter of one of those scripts. */
int oc_script_cp(uint32_t cp);
/* The i-th range of code points of those scripts in *lo..*hi (ranges may
 * follow each other in any order); 0 past the last. */
int oc_script_range(size_t i, uint32_t *lo, uint32_t *hi);
/* Finds the first such run at or after byte `from` of s; 0 when none. */
int oc_script_run(const char *book_lang, const char *s, size_t len, size_t from,
                  oc_script_span *out);

/* ---- paths -------------------------------------------------------------- */
/* Joins a book-relative reference `rel` (as written in Markdown or YAML) to
 * the folder `base_dir` (book-relative, "" for the root) and normalises it.
 * Returns NULL when the result would leave the book (absolute path, a ".."
 * above the root, a URL scheme) — callers report that as an error. */
char *oc_path_confine(oc_arena *a, const char *base_dir, const char *rel);
/* Directory part of a book-relative path ("chapters/a.md" -> "chapters"). */
char *oc_path_dirname(oc_arena *a, const char *path);
/* Last component without its extension ("chapters/02-x.md" -> "02-x"). */
char *oc_path_stem(oc_arena *a, const char *path);
/* True when `s` starts with a URL scheme such as "http:" or "mailto:". */
int oc_is_url(const char *s);

#endif
