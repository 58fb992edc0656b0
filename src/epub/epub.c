/* oc_epub_write: renders every part of the EPUB into memory and packs them
 * with libzip into an in-memory archive: `mimetype` first and stored, every
 * other entry deflated, in a fixed order, with fixed times when the build has
 * a SOURCE_DATE_EPOCH, so that two builds are byte-identical. */
#include "epub/epub_internal.h"
#include "octavo/diag.h"
#include "octavo/epub.h"
#include "util/deflate.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>

#define EPUB_DEFLATE_LEVEL 6
/* the general-purpose flag bits libzip lets a source set (its
 * ZIP_FILE_ATTRIBUTES_GENERAL_PURPOSE_BIT_FLAGS_ALLOWED_MASK, not public) */
#define EPUB_GP_MASK 0x0836

typedef struct {
    char *name;       /* entry name inside the container, malloc'd */
    oc_buf owned;     /* rendered content (empty when the bytes are borrowed) */
    const void *data; /* what goes in: owned.data or an asset's bytes */
    size_t len;
    int store;    /* 1: stored uncompressed */
    char *failed; /* why the part could not be made (malloc'd), or NULL */
    /* packed: `owned` now holds the part deflated (raw, as libzip would),
     * `len` bytes of it, standing for `size` bytes with checksum `crc` */
    int packed;
    uint64_t size;
    uint32_t crc;
    size_t pos; /* how far libzip has read it */
    zip_error_t err;
} entry;

typedef struct {
    entry *items;
    int n, cap;
    oc_deflater zs; /* pack()'s */
} entry_list;

static entry *add_entry(entry_list *l, const char *name) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 32;
        l->items = oc_xrealloc(l->items, (size_t)l->cap * sizeof *l->items);
    }
    entry *e = &l->items[l->n++];
    memset(e, 0, sizeof *e);
    e->name = oc_xstrdup(name);
    zip_error_init(&e->err);
    return e;
}

/* Deflates a rendered part as it is finished (raw deflate, as in a zip,
 * with libdeflate at EPUB_DEFLATE_LEVEL: a third fewer instructions than
 * zlib at the same level, for 2% smaller parts), and keeps only the deflated
 * bytes: a book's parts are rendered one after another, and holding every
 * chapter's XHTML until zip_close was 51 MB of a 10,000-page book's peak.
 * Left as it is (libzip deflates it with zlib) when anything fails. */
static void pack(entry_list *l, entry *e) {
    if (e->store || e->failed || e->owned.overflow) return;
    oc_buf z;
    oc_buf_init(&z);
    if (!oc_deflate(&l->zs, EPUB_DEFLATE_LEVEL, OC_DEFLATE_RAW, e->owned.data, e->owned.len, &z)) {
        oc_buf_free(&z);
        return;
    }
    e->size = e->owned.len;
    e->crc = libdeflate_crc32(0, e->owned.data, e->owned.len);
    oc_buf_free(&e->owned);
    if (z.len + 4096 < z.cap) { /* the bound is the worst case */
        z.data = oc_xrealloc(z.data, z.len + 1);
        z.cap = z.len + 1;
    }
    e->owned = z;
    e->packed = 1;
}

/* Points the entry at its own rendered bytes once they are complete. */
static void seal(entry_list *l, entry *e) {
    pack(l, e);
    e->data = e->owned.data ? e->owned.data : "";
    e->len = e->owned.len;
}

/* libzip's source for a packed part: the deflated bytes, which libzip
 * copies into the archive as they are (its stat says they are deflated,
 * with their size and checksum). */
static zip_int64_t packed_source(void *user, void *data, zip_uint64_t len, zip_source_cmd_t cmd) {
    entry *e = user;
    switch (cmd) {
    case ZIP_SOURCE_OPEN:
        e->pos = 0;
        return 0;
    case ZIP_SOURCE_READ: {
        size_t n = e->len - e->pos;
        if (n > len) n = (size_t)len;
        memcpy(data, (const char *)e->data + e->pos, n);
        e->pos += n;
        return (zip_int64_t)n;
    }
    case ZIP_SOURCE_CLOSE:
    case ZIP_SOURCE_FREE:
        return 0;
    case ZIP_SOURCE_STAT: {
        if (len < sizeof(zip_stat_t)) return -1;
        zip_stat_t *st = data;
        zip_stat_init(st);
        st->valid = ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_COMP_METHOD | ZIP_STAT_CRC |
                    ZIP_STAT_ENCRYPTION_METHOD;
        st->size = e->size;
        st->comp_size = e->len;
        st->comp_method = ZIP_CM_DEFLATE;
        st->crc = e->crc;
        st->encryption_method = ZIP_EM_NONE;
        return sizeof(zip_stat_t);
    }
    case ZIP_SOURCE_GET_FILE_ATTRIBUTES: {
        /* what libzip's deflating layer says at a middle level (3-7) */
        if (len < sizeof(zip_file_attributes_t)) return -1;
        zip_file_attributes_t *a = data;
        a->valid |=
            ZIP_FILE_ATTRIBUTES_VERSION_NEEDED | ZIP_FILE_ATTRIBUTES_GENERAL_PURPOSE_BIT_FLAGS;
        a->version_needed = 20;
        a->general_purpose_bit_mask = EPUB_GP_MASK;
        a->general_purpose_bit_flags = 0;
        return sizeof(zip_file_attributes_t);
    }
    case ZIP_SOURCE_ERROR:
        return zip_error_to_data(&e->err, data, len);
    case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
                                              ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
                                              ZIP_SOURCE_GET_FILE_ATTRIBUTES, -1);
    default:
        zip_error_set(&e->err, ZIP_ER_OPNOTSUPP, 0);
        return -1;
    }
}

static void report(oc_diag *diag, const char *what, const char *why) {
    if (diag)
        oc_diag_report(diag, OC_ERROR, NULL, 0, 0, "cannot write the EPUB: %s: %s", what, why);
}

/* DOS times in a zip are local times (libzip converts with localtime()); shift
 * the epoch so the stored fields read as UTC and the bytes do not depend on the
 * builder's time zone. Zip cannot store times before 1980. */
static time_t zip_time(long long epoch) {
    if (epoch < 315619200LL) epoch = 315619200LL; /* 1980-01-02 */
    time_t t = (time_t)epoch;
    struct tm utc;
    if (!gmtime_r(&t, &utc)) return t;
    utc.tm_isdst = -1;
    time_t as_local = mktime(&utc);
    if (as_local == (time_t)-1) return t;
    return as_local; /* localtime(as_local) reads as gmtime(t) */
}

/* Renders all parts in their container order. */
static void render_parts(const oc_document *doc, entry_list *l, long long modified,
                         const oc_epub_pages *pages) {
    entry *e = add_entry(l, "mimetype");
    oc_buf_puts(&e->owned, "application/epub+zip");
    e->store = 1;
    seal(l, e);

    e = add_entry(l, "META-INF/container.xml");
    oc_epub_container_xml(&e->owned);
    seal(l, e);

    e = add_entry(l, OC_EPUB_ROOT "/package.opf");
    oc_epub_package_opf(&e->owned, doc, modified, pages);
    seal(l, e);

    e = add_entry(l, OC_EPUB_ROOT "/nav.xhtml");
    oc_epub_nav_xhtml(&e->owned, doc, pages);
    seal(l, e);

    e = add_entry(l, OC_EPUB_ROOT "/toc.ncx");
    oc_epub_toc_ncx(&e->owned, doc, pages);
    seal(l, e);

    e = add_entry(l, OC_EPUB_ROOT "/" OC_EPUB_CSS);
    oc_buf_puts(&e->owned, oc_epub_stylesheet());
    oc_epub_code_css(&e->owned);
    seal(l, e);

    if (oc_epub_asset_ok(doc->meta.cover)) {
        e = add_entry(l, OC_EPUB_ROOT "/cover.xhtml");
        oc_epub_cover_xhtml(&e->owned, doc);
        seal(l, e);
    }

    e = add_entry(l, OC_EPUB_ROOT "/titlepage.xhtml");
    oc_epub_titlepage_xhtml(&e->owned, doc, pages);
    seal(l, e);

    oc_buf name;
    oc_buf_init(&name);
    for (int i = 0; i < doc->nchapters; i++) {
        oc_buf_reset(&name);
        oc_buf_puts(&name, OC_EPUB_ROOT "/text/");
        oc_epub_chapter_file(&name, doc, i);
        e = add_entry(l, name.data);
        oc_epub_chapter_xhtml(doc, i, &e->owned, pages);
        seal(l, e);
    }

    const oc_asset **assets = NULL;
    int nassets = oc_epub_assets(doc, &assets);
    for (int i = 0; i < nassets; i++) {
        oc_buf_reset(&name);
        oc_buf_printf(&name, OC_EPUB_ROOT "/%s", assets[i]->epub_name);
        e = add_entry(l, name.data);
        if (assets[i]->kind == OC_IMG_WEBP) {
            /* EPUB 3.2's core media types have no WebP (3.3 adds it; epubcheck
             * 4 and many readers do not know it): its pixels go in as a PNG */
            oc_image_pixels px;
            char why[256] = "";
            if (oc_image_decode_webp(assets[i]->data, assets[i]->size, &px, why) != OC_OK ||
                oc_image_encode_png(&px, &e->owned, why) != OC_OK) {
                e->failed = why[0] ? oc_xstrdup(why) : oc_xstrdup("cannot convert it to PNG");
            }
            oc_image_pixels_free(&px);
            seal(l, e);
            continue;
        }
        e->data = assets[i]->data;
        e->len = assets[i]->size;
    }
    free(assets);
    oc_buf_free(&name);
}

oc_status oc_epub_write(const oc_document *doc, oc_buf *out, oc_diag *diag) {
    return oc_epub_write_paged(doc, NULL, out, diag);
}

oc_status oc_epub_write_paged(const oc_document *doc, const oc_epub_pages *pages, oc_buf *out,
                              oc_diag *diag) {
    oc_status st = OC_ERR_IO;
    entry_list parts = {0};
    zip_error_t zerr;
    zip_source_t *src = NULL;
    zip_t *za = NULL;
    int opened = 0;
    long long modified = doc->source_date >= 0 ? doc->source_date : (long long)time(NULL);

    zip_error_init(&zerr);
    render_parts(doc, &parts, modified, oc_epub_has_pages(pages) ? pages : NULL);
    for (int i = 0; i < parts.n; i++) {
        if (parts.items[i].failed) {
            report(diag, parts.items[i].name, parts.items[i].failed);
            st = OC_ERR_INPUT;
            goto cleanup;
        }
        if (parts.items[i].owned.overflow) {
            report(diag, parts.items[i].name, "the part is too large");
            st = OC_ERR_LIMIT;
            goto cleanup;
        }
    }

    src = zip_source_buffer_create(NULL, 0, 0, &zerr);
    if (!src) {
        report(diag, "creating the archive", zip_error_strerror(&zerr));
        goto cleanup;
    }
    za = zip_open_from_source(src, ZIP_TRUNCATE, &zerr);
    if (!za) {
        report(diag, "creating the archive", zip_error_strerror(&zerr));
        goto cleanup;
    }
    zip_source_keep(src); /* our reference survives zip_close */

    for (int i = 0; i < parts.n; i++) {
        const entry *e = &parts.items[i];
        /* the bytes are borrowed and live until zip_close below */
        zip_source_t *s = e->packed ? zip_source_function(za, packed_source, (void *)e)
                                    : zip_source_buffer(za, e->data, e->len, 0);
        if (!s) {
            report(diag, e->name, zip_strerror(za));
            goto cleanup;
        }
        zip_int64_t idx = zip_file_add(za, e->name, s, ZIP_FL_ENC_GUESS);
        if (idx < 0) {
            zip_source_free(s);
            report(diag, e->name, zip_strerror(za));
            goto cleanup;
        }
        /* (for a part pack() left) zlib's default level, 6: level 9 searched
         * match chains 32 times as long for 1-2.5% less, and on highlighted
         * code's repetitive span markup took three times the CPU (README,
         * Speed) */
        if (!e->packed && zip_set_file_compression(za, (zip_uint64_t)idx,
                                                   e->store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
                                                   e->store ? 0 : EPUB_DEFLATE_LEVEL) < 0) {
            report(diag, e->name, zip_strerror(za));
            goto cleanup;
        }
        if (doc->source_date >= 0 &&
            zip_file_set_mtime(za, (zip_uint64_t)idx, zip_time(doc->source_date), 0) < 0) {
            report(diag, e->name, zip_strerror(za));
            goto cleanup;
        }
    }

    if (zip_close(za) < 0) {
        report(diag, "closing the archive", zip_strerror(za));
        goto cleanup;
    }
    za = NULL;

    if (zip_source_open(src) < 0) {
        report(diag, "reading the archive", zip_error_strerror(zip_source_error(src)));
        goto cleanup;
    }
    opened = 1;
    for (;;) {
        char chunk[65536];
        zip_int64_t n = zip_source_read(src, chunk, sizeof chunk);
        if (n < 0) {
            report(diag, "reading the archive", zip_error_strerror(zip_source_error(src)));
            goto cleanup;
        }
        if (n == 0) break;
        oc_buf_append(out, chunk, (size_t)n);
    }
    if (out->overflow) {
        report(diag, "the archive", "it is too large");
        st = OC_ERR_LIMIT;
        goto cleanup;
    }
    st = OC_OK;

cleanup:
    if (opened) zip_source_close(src);
    if (za) zip_discard(za);
    if (src) zip_source_free(src);
    zip_error_fini(&zerr);
    for (int i = 0; i < parts.n; i++) {
        free(parts.items[i].name);
        free(parts.items[i].failed);
        oc_buf_free(&parts.items[i].owned);
        zip_error_fini(&parts.items[i].err);
    }
    free(parts.items);
    oc_deflater_end(&parts.zs);
    return st;
}
