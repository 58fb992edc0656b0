/* SVG: cleaned with libxml2 at load, drawn with librsvg for the PDF.
 *
 * The cleaned document is what both editions carry: the EPUB stores it as
 * image/svg+xml, the PDF writer has librsvg draw it into pixels. Cleaning
 * keeps the drawing and takes out what could act or reach outside the file
 * (scripts, event attributes, foreign content, references to other files),
 * so neither a reading system nor librsvg is handed any of it; and librsvg
 * is given the bytes alone, with no base file or URI, so even what cleaning
 * might miss cannot be resolved against the disk (librsvg 2.54 refuses
 * every URL but data: without a base; see tests/unit/test_image_formats.c).
 *
 * Why raster in the PDF: librsvg draws through cairo, and cairo's PDF
 * surface writes a PDF file of its own; carrying its drawing into ours would
 * mean reading that PDF back (content streams, fonts, patterns) into
 * libharu objects. A raster at 300 dpi (print) or 200 dpi (screen, over
 * twice the size a page shows at 100%) is what the PDF gets instead.
 *
 * The libraries are opened on the first SVG (svg_libs.c): every call into
 * them goes through the table `L`. */
#include "image/image_internal.h"
#include "image/svg_libs.h"

#include <ctype.h>
#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define SVG_NS "http://www.w3.org/2000/svg"
#define XLINK_NS "http://www.w3.org/1999/xlink"
/* An SVG file larger than this is refused (diagrams are kilobytes). */
#define SVG_MAX_BYTES ((size_t)32 << 20)

/* libxml2's xmlFree, a variable holding the function (the table holds its
 * address) */
#define XML_FREE(L, p) ((*(L)->xmlFree)(p))

typedef struct {
    const oc_svg_libs *L;
    oc_svg_removed removed;
    char *why;
    int failed;
} cleaner;

/* ---- sniffing ---------------------------------------------------------------------- */

int oc_image_sniff_svg(const unsigned char *d, size_t n) {
    size_t i = 0;
    if (n >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) i = 3;
    /* a bounded look past the prologue for "<svg" */
    size_t end = n < 4096 ? n : 4096;
    while (i < end && isspace(d[i]))
        i++;
    if (i >= end || d[i] != '<') return 0;
    for (size_t k = i; k + 4 <= end; k++)
        if (d[k] == '<' && memcmp(d + k + 1, "svg", 3) == 0 &&
            (k + 4 == end || isspace(d[k + 4]) || d[k + 4] == '>' || d[k + 4] == '/'))
            return 1;
    return 0;
}

/* ---- lengths and the viewBox ----------------------------------------------------------- */

/* A length in CSS px, or -1 when absent, a percentage or not a length. */
static double css_px(const xmlChar *v) {
    if (!v) return -1;
    const char *s = (const char *)v;
    while (isspace((unsigned char)*s))
        s++;
    /* digits, a point and an exponent only: strtod would also take hex,
     * "inf" and "nan" */
    const char *p = s;
    if (*p == '+') p++;
    int digits = 0;
    while (isdigit((unsigned char)*p) || *p == '.') {
        digits += isdigit((unsigned char)*p) != 0;
        p++;
    }
    if (!digits) return -1;
    if ((*p == 'e' || *p == 'E') &&
        (isdigit((unsigned char)p[1]) ||
         ((p[1] == '-' || p[1] == '+') && isdigit((unsigned char)p[2])))) {
        p += 2;
        while (isdigit((unsigned char)*p))
            p++;
    }
    char num[64];
    size_t k = (size_t)(p - s);
    if (k >= sizeof num) return -1;
    memcpy(num, s, k);
    num[k] = '\0';
    double x = strtod(num, NULL);
    while (isspace((unsigned char)*p))
        p++;
    static const struct {
        const char *unit;
        double px;
    } units[] = {{"px", 1},         {"pt", 96.0 / 72}, {"pc", 16}, {"in", 96}, {"cm", 96 / 2.54},
                 {"mm", 96 / 25.4}, {"em", 16},        {"ex", 8},  {"", 1}};
    char unit[8];
    size_t u = 0;
    while (isalpha((unsigned char)p[u]) && u < sizeof unit - 1) {
        unit[u] = (char)tolower((unsigned char)p[u]);
        u++;
    }
    unit[u] = '\0';
    const char *rest = p + u;
    while (isspace((unsigned char)*rest))
        rest++;
    if (*rest) return -1; /* "%" or anything else after the number */
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(unit, units[i].unit) == 0) {
            double r = x * units[i].px;
            return isfinite(r) && r > 0 ? r : -1;
        }
    return -1;
}

static int parse_viewbox(const xmlChar *v, double vb[4]) {
    if (!v) return 0;
    const char *s = (const char *)v;
    for (int i = 0; i < 4; i++) {
        while (isspace((unsigned char)*s) || *s == ',')
            s++;
        char *e;
        if (!(isdigit((unsigned char)*s) || *s == '-' || *s == '+' || *s == '.')) return 0;
        vb[i] = strtod(s, &e);
        if (e == s || !isfinite(vb[i])) return 0;
        s = e;
    }
    while (isspace((unsigned char)*s))
        s++;
    return *s == '\0' && vb[2] > 0 && vb[3] > 0;
}

/* ---- cleaning ---------------------------------------------------------------------------- */

static int ieq(const xmlChar *a, const char *b) {
    return a && strcasecmp((const char *)a, b) == 0;
}

/* 1 when every url(...) in s points at a fragment of this file (#id). */
static int urls_local(const char *s) {
    for (const char *p = s; (p = strstr(p, "url(")) != NULL; p += 4) {
        const char *q = p + 4;
        while (isspace((unsigned char)*q) || *q == '"' || *q == '\'')
            q++;
        if (*q != '#') return 0;
    }
    /* also URL( and the like in style sheets */
    for (const char *p = s; *p; p++)
        if ((p[0] == 'u' || p[0] == 'U') && (p[1] == 'r' || p[1] == 'R') &&
            (p[2] == 'l' || p[2] == 'L') && p[3] == '(' && strncmp(p, "url(", 4) != 0)
            return 0;
    return 1;
}

static int has_import(const char *s) {
    for (const char *p = s; (p = strchr(p, '@')) != NULL; p++)
        if (strncasecmp(p + 1, "import", 6) == 0) return 1;
    return 0;
}

static int base64_val(int c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* A data: URL that is a base64 PNG, JPEG or GIF our own checks accept (so
 * librsvg's image loaders only ever see such files, within our limits). */
static int data_image_ok(const char *v) {
    while (isspace((unsigned char)*v))
        v++;
    if (strncasecmp(v, "data:", 5) != 0) return 0;
    const char *p = v + 5;
    if (strncasecmp(p, "image/png;base64,", 17) == 0)
        p += 17;
    else if (strncasecmp(p, "image/jpeg;base64,", 18) == 0)
        p += 18;
    else if (strncasecmp(p, "image/gif;base64,", 17) == 0)
        p += 17;
    else
        return 0;
    size_t n = strlen(p);
    unsigned char *bin = malloc(n / 4 * 3 + 4);
    if (!bin) return 0;
    size_t o = 0;
    unsigned acc = 0;
    int bits = 0, ok = 1;
    for (; *p; p++) {
        if (isspace((unsigned char)*p)) continue;
        if (*p == '=') break;
        int x = base64_val((unsigned char)*p);
        if (x < 0) {
            ok = 0;
            break;
        }
        acc = acc << 6 | (unsigned)x;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            bin[o++] = (unsigned char)(acc >> bits);
        }
    }
    oc_image_info info;
    char why[256];
    memset(&info, 0, sizeof info);
    ok = ok && oc_image_probe(bin, o, &info, why) == 0 &&
         (info.kind == OC_IMG_PNG || info.kind == OC_IMG_JPEG || info.kind == OC_IMG_GIF);
    free(bin);
    return ok;
}

static void drop(const oc_svg_libs *L, xmlNodePtr n) {
    L->xmlUnlinkNode(n);
    L->xmlFreeNode(n);
}

static char *attr_value(const oc_svg_libs *L, xmlAttrPtr a) {
    xmlChar *v = L->xmlNodeListGetString(a->doc, a->children, 1);
    return (char *)v; /* xmlFree */
}

static int is_svg(xmlNodePtr n) {
    return n->ns && n->ns->href && strcmp((const char *)n->ns->href, SVG_NS) == 0;
}

/* Drops e's declarations of namespaces other than SVG and XLink: nothing
 * in them is left (cleaning took their elements and attributes out). */
static void prune_ns(const oc_svg_libs *L, xmlNodePtr e) {
    xmlNsPtr *link = &e->nsDef;
    while (*link) {
        xmlNsPtr ns = *link;
        const char *href = (const char *)ns->href;
        if (href && (strcmp(href, SVG_NS) == 0 || strcmp(href, XLINK_NS) == 0)) {
            link = &ns->next;
            continue;
        }
        *link = ns->next;
        ns->next = NULL;
        L->xmlFreeNs(ns);
    }
}

/* Cleans element e's attributes; returns 1 when e itself must go (an
 * image, use or the like whose reference was taken away). */
static int clean_attrs(cleaner *c, xmlNodePtr e) {
    const oc_svg_libs *L = c->L;
    int needs_ref = ieq(e->name, "image") || ieq(e->name, "use") || ieq(e->name, "feImage") ||
                    ieq(e->name, "tref");
    int has_ref = 0, lost_ref = 0;
    xmlAttrPtr next;
    for (xmlAttrPtr a = e->properties; a; a = next) {
        next = a->next;
        const char *name = (const char *)a->name;
        const char *ns = a->ns && a->ns->href ? (const char *)a->ns->href : NULL;
        int is_xlink = ns && strcmp(ns, XLINK_NS) == 0;
        int is_xml = ns && strcmp(ns, (const char *)XML_XML_NAMESPACE) == 0;
        if (strncasecmp(name, "on", 2) == 0) {
            c->removed.events++;
            L->xmlRemoveProp(a);
            continue;
        }
        if (ns && !is_xlink && !is_xml) { /* inkscape:, sodipodi:, ... */
            c->removed.foreign++;
            L->xmlRemoveProp(a);
            continue;
        }
        if (is_xml && strcmp(name, "base") == 0) { /* xml:base would re-aim references */
            c->removed.external++;
            L->xmlRemoveProp(a);
            continue;
        }
        char *v = attr_value(L, a);
        if (!v) continue;
        int bad = 0;
        if (strcmp(name, "href") == 0 && (!ns || is_xlink)) {
            const char *t = v;
            while (isspace((unsigned char)*t))
                t++;
            if (*t == '#')
                has_ref = 1;
            else if ((ieq(e->name, "image") || ieq(e->name, "feImage")) && data_image_ok(t))
                has_ref = 1;
            else
                bad = 1, lost_ref = 1;
        } else if (is_xlink) {
            /* xlink:title, xlink:show, ...: only metadata, but nothing a
             * book needs; xlink:role and arcrole are URIs */
            bad = strcmp(name, "title") != 0;
        } else if (strchr(v, '(') && !urls_local(v)) {
            bad = 1;
        } else if (strcmp(name, "style") == 0 && has_import(v)) {
            bad = 1;
        } else if ((ieq(e->name, "animate") || ieq(e->name, "set") ||
                    ieq(e->name, "animateTransform") || ieq(e->name, "animateMotion")) &&
                   strcmp(name, "attributeName") == 0 &&
                   (strstr(v, "href") || strncasecmp(v, "on", 2) == 0)) {
            /* an animation that rewrites a reference or an event handler */
            bad = 1, lost_ref = 1, needs_ref = 1;
        }
        XML_FREE(L, v);
        if (bad) {
            c->removed.external++;
            L->xmlRemoveProp(a);
        }
    }
    return needs_ref && (lost_ref || !has_ref);
}

static void clean_tree(cleaner *c, xmlNodePtr parent) {
    const oc_svg_libs *L = c->L;
    xmlNodePtr next;
    for (xmlNodePtr n = parent->children; n; n = next) {
        next = n->next;
        switch (n->type) {
        case XML_ELEMENT_NODE:
            if (!is_svg(n)) {
                c->removed.foreign++;
                drop(L, n);
                continue;
            }
            if (ieq(n->name, "script") || ieq(n->name, "handler") || ieq(n->name, "listener")) {
                c->removed.scripts++;
                drop(L, n);
                continue;
            }
            if (ieq(n->name, "foreignObject")) {
                c->removed.foreign++;
                drop(L, n);
                continue;
            }
            if (ieq(n->name, "style")) {
                xmlChar *css = L->xmlNodeGetContent(n);
                int bad = css && (has_import((const char *)css) || !urls_local((const char *)css));
                XML_FREE(L, css);
                if (bad) {
                    c->removed.external++;
                    drop(L, n);
                    continue;
                }
            }
            if (clean_attrs(c, n)) {
                drop(L, n);
                continue;
            }
            clean_tree(c, n);
            prune_ns(L, n);
            break;
        case XML_PI_NODE:
            c->removed.instructions++;
            drop(L, n);
            break;
        case XML_ENTITY_REF_NODE:
        case XML_ENTITY_NODE:
        case XML_ENTITY_DECL:
            if (!c->failed) snprintf(c->why, 256, "SVG uses XML entities (not allowed in a book)");
            c->failed = 1;
            return;
        case XML_XINCLUDE_START:
        case XML_XINCLUDE_END:
        case XML_DTD_NODE:
            c->removed.external++;
            drop(L, n);
            break;
        default: /* text, CDATA, comments */
            break;
        }
    }
}

/* Elements without a namespace become SVG ones when the root has none (a
 * hand-written <svg> without xmlns, which browsers would not draw). */
static void adopt(xmlNodePtr n, xmlNsPtr ns) {
    for (xmlNodePtr k = n; k; k = k->next) {
        if (k->type != XML_ELEMENT_NODE) continue;
        if (!k->ns) k->ns = ns;
        adopt(k->children, ns);
    }
}

static void fmt_num(char *out, size_t size, double v) {
    snprintf(out, size, "%.3f", v);
    char *e = out + strlen(out) - 1;
    while (e > out && *e == '0')
        *e-- = '\0';
    if (*e == '.') *e = '\0';
}

static void quiet(void *ctx, const char *msg, ...) {
    (void)ctx;
    (void)msg;
}

/* librsvg reads the cleaned document: what it refuses is refused here. */
static RsvgHandle *rsvg_open(const oc_svg_libs *L, const unsigned char *data, size_t len,
                             char *why) {
    GError *err = NULL;
    GInputStream *in = L->g_memory_input_stream_new_from_data(data, (gssize)len, NULL);
    /* no base file: librsvg then resolves no URL but data: ones */
    RsvgHandle *h =
        L->rsvg_handle_new_from_stream_sync(in, NULL, RSVG_HANDLE_FLAGS_NONE, NULL, &err);
    L->g_object_unref(in);
    if (!h) {
        snprintf(why, 256, "librsvg cannot read the SVG (%s)",
                 err && err->message ? err->message : "unknown error");
        if (err) L->g_error_free(err);
        return NULL;
    }
    return h;
}

oc_status oc_image_svg_clean(const unsigned char *data, size_t len, unsigned char **svg,
                             size_t *svg_len, int *width, int *height, oc_svg_removed *removed,
                             char *why) {
    oc_status st = OC_ERR_INPUT;
    xmlParserCtxtPtr ctx = NULL;
    xmlDocPtr doc = NULL;
    xmlChar *mem = NULL;
    int memlen = 0;
    cleaner c;
    memset(&c, 0, sizeof c);
    c.why = why;
    *svg = NULL;
    *svg_len = 0;
    *width = *height = 0;
    if (removed) memset(removed, 0, sizeof *removed);
    if (len > SVG_MAX_BYTES) {
        snprintf(why, 256, "SVG is larger than %zu MB", SVG_MAX_BYTES >> 20);
        return OC_ERR_INPUT;
    }
    const oc_svg_libs *L = oc_svg_libs_get(why);
    if (!L) return OC_ERR_INPUT;
    c.L = L;
    /* libxml2 reports some errors (encodings) through its generic handler,
     * which prints to stderr: silenced for this thread while we parse (the
     * reason still reaches `why` through the context's last error) */
    xmlGenericErrorFunc saved_fn = *L->__xmlGenericError();
    void *saved_ctx = *L->__xmlGenericErrorContext();
    L->xmlSetGenericErrorFunc(NULL, quiet);
    ctx = L->xmlNewParserCtxt();
    if (!ctx) {
        snprintf(why, 256, "out of memory reading an SVG");
        goto done;
    }
    /* no network, no entity substitution (XML_PARSE_NOENT), no DTD loading
     * or attribute defaults from one (XML_PARSE_DTDLOAD, DTDATTR), no
     * XInclude, libxml2's default limits (no XML_PARSE_HUGE) */
    doc = L->xmlCtxtReadMemory(ctx, (const char *)data, (int)len, NULL, NULL,
                               XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                   XML_PARSE_NOCDATA);
    if (!doc || !ctx->wellFormed) {
        xmlErrorPtr e = L->xmlCtxtGetLastError(ctx);
        char msg[160] = "";
        if (e && e->message) {
            snprintf(msg, sizeof msg, "%s", e->message);
            size_t k = strlen(msg);
            while (k > 0 && (msg[k - 1] == '\n' || msg[k - 1] == ' '))
                msg[--k] = '\0';
        }
        if (e && e->code == XML_ERR_ENTITY_LOOP)
            snprintf(why, 256, "SVG has entities that refer to each other (refused)");
        else
            snprintf(why, 256, "SVG is not well-formed XML (line %d: %s)", e ? e->line : 0,
                     msg[0] ? msg : "parse error");
        goto done;
    }
    xmlDtdPtr dtd = L->xmlGetIntSubset(doc);
    if (dtd && ((dtd->entities && L->xmlHashSize(dtd->entities) > 0) ||
                (dtd->pentities && L->xmlHashSize(dtd->pentities) > 0))) {
        snprintf(why, 256,
                 "SVG declares XML entities in its DOCTYPE (not allowed in a book: remove the "
                 "DOCTYPE)");
        goto done;
    }
    if (dtd) {
        L->xmlUnlinkNode((xmlNodePtr)dtd);
        L->xmlFreeDtd(dtd);
    }
    xmlNodePtr root = L->xmlDocGetRootElement(doc);
    if (!root || !ieq(root->name, "svg")) {
        snprintf(why, 256, "not an SVG image (the root element is <%s>)",
                 root ? (const char *)root->name : "none");
        goto done;
    }
    if (!root->ns) {
        xmlNsPtr ns = L->xmlNewNs(root, (const xmlChar *)SVG_NS, NULL);
        if (!ns) {
            snprintf(why, 256, "out of memory reading an SVG");
            goto done;
        }
        adopt(root, ns);
    }
    if (!is_svg(root)) {
        snprintf(why, 256, "not an SVG image (its root element is in another namespace)");
        goto done;
    }
    /* the document's own processing instructions (xml-stylesheet) and the
     * root's attributes and content */
    xmlNodePtr next;
    for (xmlNodePtr n = doc->children; n; n = next) {
        next = n->next;
        if (n->type == XML_PI_NODE) {
            c.removed.instructions++;
            drop(L, n);
        }
    }
    clean_attrs(&c, root);
    clean_tree(&c, root);
    prune_ns(L, root);
    if (c.failed) goto done;

    /* the size: width and height, else from the viewBox */
    double vb[4];
    xmlChar *v = L->xmlGetProp(root, (const xmlChar *)"viewBox");
    int has_vb = parse_viewbox(v, vb);
    XML_FREE(L, v);
    v = L->xmlGetProp(root, (const xmlChar *)"width");
    double w = css_px(v);
    XML_FREE(L, v);
    v = L->xmlGetProp(root, (const xmlChar *)"height");
    double h = css_px(v);
    XML_FREE(L, v);
    if (w < 0 && h < 0 && has_vb)
        w = vb[2], h = vb[3];
    else if (w < 0 && has_vb)
        w = h * vb[2] / vb[3];
    else if (h < 0 && has_vb)
        h = w * vb[3] / vb[2];
    if (w <= 0 || h <= 0 || !isfinite(w) || !isfinite(h)) {
        snprintf(why, 256,
                 "SVG has no size: give its svg element a viewBox, or width and height in "
                 "absolute units");
        goto done;
    }
    char num[4][48], buf[200];
    if (!has_vb) {
        /* user units are px when there is no viewBox */
        fmt_num(num[0], sizeof num[0], w);
        fmt_num(num[1], sizeof num[1], h);
        snprintf(buf, sizeof buf, "0 0 %s %s", num[0], num[1]);
        L->xmlSetProp(root, (const xmlChar *)"viewBox", (const xmlChar *)buf);
    }
    /* the size the book uses, within the side limit, aspect kept */
    double s = 1;
    if (w > OC_IMAGE_MAX_SIDE) s = OC_IMAGE_MAX_SIDE / w;
    if (h * s > OC_IMAGE_MAX_SIDE) s = OC_IMAGE_MAX_SIDE / h;
    w *= s, h *= s;
    /* the size as written (three decimals), so that the cleaned file, read
     * again, gives the same size: 2.4996 px is written 2.5, and counts as 3
     * px, not 2; 0.0004 px would be written 0 */
    w = round(w * 1000) / 1000;
    h = round(h * 1000) / 1000;
    if (w <= 0 || h <= 0) {
        snprintf(why, 256, "SVG is too small: %s under 0.001 px",
                 w <= 0 ? "its width is" : "its height is");
        goto done;
    }
    fmt_num(num[2], sizeof num[2], w);
    fmt_num(num[3], sizeof num[3], h);
    L->xmlSetProp(root, (const xmlChar *)"width", (const xmlChar *)num[2]);
    L->xmlSetProp(root, (const xmlChar *)"height", (const xmlChar *)num[3]);
    *width = w < 1 ? 1 : (int)lround(w);
    *height = h < 1 ? 1 : (int)lround(h);

    L->xmlDocDumpMemoryEnc(doc, &mem, &memlen, "UTF-8");
    if (!mem || memlen <= 0) {
        snprintf(why, 256, "out of memory writing an SVG");
        goto done;
    }
    RsvgHandle *rh = rsvg_open(L, mem, (size_t)memlen, why);
    if (!rh) goto done;
    L->g_object_unref(rh);
    *svg = malloc((size_t)memlen);
    if (!*svg) {
        snprintf(why, 256, "out of memory writing an SVG");
        goto done;
    }
    memcpy(*svg, mem, (size_t)memlen);
    *svg_len = (size_t)memlen;
    if (removed) *removed = c.removed;
    st = OC_OK;
done:
    if (mem) XML_FREE(L, mem);
    if (doc) L->xmlFreeDoc(doc);
    if (ctx) L->xmlFreeParserCtxt(ctx);
    L->xmlSetGenericErrorFunc(saved_ctx, saved_fn);
    return st;
}

int oc_image_probe_svg(const unsigned char *data, size_t len, oc_image_info *info, char *why) {
    unsigned char *svg;
    size_t n;
    int w, h;
    if (oc_image_svg_clean(data, len, &svg, &n, &w, &h, NULL, why) != OC_OK) return -1;
    free(svg);
    info->kind = OC_IMG_SVG;
    info->width = w;
    info->height = h;
    info->bits = info->channels = 0;
    return 0;
}

/* Text in an SVG is laid out by Pango, which finds fonts through
 * fontconfig. Left alone, fontconfig reads the system's configuration and
 * fonts, so the pixels would depend on the machine (and octavo would read
 * outside the book and fonts/). Instead the process's current fontconfig
 * configuration becomes one holding only the bundled fonts, with the
 * generic families mapped onto them and every unknown family falling back
 * to DejaVu Sans. Made once per fonts folder, before Pango first looks. */
static pthread_mutex_t fc_mu = PTHREAD_MUTEX_INITIALIZER;
static char *fc_dir;

/* The folder's font files, one by one and in name order (the same fonts
 * found in the same order on every machine): FcConfigAppFontAddDir would
 * also try to write a cache, and complain on stderr that there is nowhere
 * to. */
static int by_name(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_fonts(const oc_svg_libs *L, FcConfig *cfg, const char *dir) {
    DIR *d = opendir(dir);
    if (!d) return 0;
    char *names[256];
    size_t nn = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && nn < sizeof names / sizeof names[0]) {
        size_t k = strlen(e->d_name);
        if (k >= 5 && (strcasecmp(e->d_name + k - 4, ".ttf") == 0 ||
                       strcasecmp(e->d_name + k - 4, ".otf") == 0))
            if ((names[nn] = strdup(e->d_name)) != NULL) nn++;
    }
    closedir(d);
    qsort(names, nn, sizeof names[0], by_name);
    int n = 0;
    char path[4096];
    for (size_t i = 0; i < nn; i++) {
        if (snprintf(path, sizeof path, "%s/%s", dir, names[i]) < (int)sizeof path)
            n += L->FcConfigAppFontAddFile(cfg, (const FcChar8 *)path) == FcTrue;
        free(names[i]);
    }
    return n > 0;
}

static void svg_fonts(const oc_svg_libs *L, const char *fonts_dir) {
    static const char rules[] =
        "<?xml version='1.0'?><fontconfig>"
        "<alias><family>serif</family><prefer><family>Charis SIL</family></prefer></alias>"
        "<alias><family>sans-serif</family><prefer><family>DejaVu Sans</family></prefer></alias>"
        "<alias><family>sans</family><prefer><family>DejaVu Sans</family></prefer></alias>"
        "<alias><family>monospace</family><prefer><family>DejaVu Sans Mono</family></prefer>"
        "</alias>"
        "<match target='pattern'><edit name='family' mode='append_last' binding='weak'>"
        "<string>DejaVu Sans</string><string>Droid Sans Fallback</string>"
        "<string>Symbola</string></edit></match>"
        "</fontconfig>";
    if (!fonts_dir || !*fonts_dir) return;
    pthread_mutex_lock(&fc_mu);
    if (!fc_dir || strcmp(fc_dir, fonts_dir) != 0) {
        FcConfig *cfg = L->FcConfigCreate();
        if (cfg && L->FcConfigParseAndLoadFromMemory(cfg, (const FcChar8 *)rules, FcFalse) &&
            add_fonts(L, cfg, fonts_dir) && L->FcConfigSetCurrent(cfg)) {
            free(fc_dir);
            fc_dir = strdup(fonts_dir);
        }
        if (cfg) L->FcConfigDestroy(cfg); /* the current configuration holds its own reference */
    }
    pthread_mutex_unlock(&fc_mu);
}

oc_status oc_image_render_svg(const unsigned char *data, size_t len, int width, int height,
                              const char *fonts_dir, oc_image_pixels *out, char *why) {
    oc_status st = OC_ERR_INPUT;
    memset(out, 0, sizeof *out);
    if (width <= 0 || height <= 0 || (uint64_t)width * (uint64_t)height > OC_SVG_MAX_RASTER) {
        snprintf(why, 256, "SVG raster of %dx%d pixels is out of range", width, height);
        return OC_ERR_INPUT;
    }
    cairo_surface_t *surf = NULL;
    cairo_t *cr = NULL;
    GError *err = NULL;
    const oc_svg_libs *L = oc_svg_libs_get(why);
    if (!L) return OC_ERR_INPUT;
    svg_fonts(L, fonts_dir);
    RsvgHandle *h = rsvg_open(L, data, len, why);
    if (!h) return OC_ERR_INPUT;
    L->rsvg_handle_set_dpi(h, 96);
    surf = L->cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    if (L->cairo_surface_status(surf) != CAIRO_STATUS_SUCCESS) {
        snprintf(why, 256, "out of memory drawing a %dx%d SVG raster", width, height);
        goto done;
    }
    cr = L->cairo_create(surf);
    RsvgRectangle vp = {0, 0, width, height};
    if (!L->rsvg_handle_render_document(h, cr, &vp, &err)) {
        snprintf(why, 256, "librsvg cannot draw the SVG (%s)",
                 err && err->message ? err->message : "unknown error");
        goto done;
    }
    L->cairo_surface_flush(surf);
    const unsigned char *pix = L->cairo_image_surface_get_data(surf);
    int stride = L->cairo_image_surface_get_stride(surf);
    size_t npx = (size_t)width * (size_t)height;
    out->width = width;
    out->height = height;
    out->channels = 3;
    out->samples = malloc(npx * 3);
    out->alpha = malloc(npx);
    if (!pix || !out->samples || !out->alpha) {
        snprintf(why, 256, "out of memory drawing a %dx%d SVG raster", width, height);
        goto done;
    }
    int opaque = 1;
    for (int y = 0; y < height; y++) {
        const uint32_t *row = (const uint32_t *)(const void *)(pix + (size_t)y * (size_t)stride);
        for (int x = 0; x < width; x++) {
            uint32_t p = row[x]; /* premultiplied ARGB in native order */
            unsigned a = p >> 24, r = p >> 16 & 255, g = p >> 8 & 255, b = p & 255;
            if (a && a < 255) {
                r = (r * 255 + a / 2) / a;
                g = (g * 255 + a / 2) / a;
                b = (b * 255 + a / 2) / a;
            }
            size_t o = (size_t)y * (size_t)width + (size_t)x;
            out->samples[o * 3] = (unsigned char)(r > 255 ? 255 : r);
            out->samples[o * 3 + 1] = (unsigned char)(g > 255 ? 255 : g);
            out->samples[o * 3 + 2] = (unsigned char)(b > 255 ? 255 : b);
            out->alpha[o] = (unsigned char)a;
            opaque &= a == 255;
        }
    }
    if (opaque) {
        free(out->alpha);
        out->alpha = NULL;
    }
    st = OC_OK;
done:
    if (st != OC_OK) oc_image_pixels_free(out);
    if (err) L->g_error_free(err);
    if (cr) L->cairo_destroy(cr);
    if (surf) L->cairo_surface_destroy(surf);
    L->g_object_unref(h);
    return st;
}
