/* The SVG stack, loaded on first use: libxml2 (cleaning), librsvg with
 * cairo and GIO/GObject/GLib (drawing) and fontconfig (the fonts SVG text
 * is set in). Only a book with an SVG needs them, and linked they cost
 * every run of octavo (--version included) 19.5 M instructions and 5 to
 * 6 MB of memory at start (README, Images); so they are opened with
 * dlopen the first time an SVG is read, once per process (pthread_once,
 * safe from any thread), and never closed (GLib's types stay registered).
 *
 * The headers are still the real ones: each pointer below has the type of
 * the function it stands for. */
#ifndef OCTAVO_SVG_LIBS_H
#define OCTAVO_SVG_LIBS_H

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <gio/gio.h>
#include <librsvg/rsvg.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <stddef.h>

/* The libraries by SONAME, in the order they are opened. */
enum {
    OC_SVG_GLIB,
    OC_SVG_GOBJECT,
    OC_SVG_GIO,
    OC_SVG_CAIRO,
    OC_SVG_FONTCONFIG,
    OC_SVG_XML2,
    OC_SVG_RSVG,
    OC_SVG_NLIBS
};

/* X(library, function): every function svg.c calls. Two are libxml2's
 * variables: xmlFree is a global (the field holds its address), and the
 * generic error handler is per thread, behind a macro that calls
 * __xmlGenericError (svg.c calls it the way the macro does). */
#define OC_SVG_FUNCTIONS(X)                                                                        \
    X(OC_SVG_GOBJECT, g_object_unref)                                                              \
    X(OC_SVG_GLIB, g_error_free)                                                                   \
    X(OC_SVG_GIO, g_memory_input_stream_new_from_data)                                             \
    X(OC_SVG_RSVG, rsvg_handle_new_from_stream_sync)                                               \
    X(OC_SVG_RSVG, rsvg_handle_set_dpi)                                                            \
    X(OC_SVG_RSVG, rsvg_handle_render_document)                                                    \
    X(OC_SVG_CAIRO, cairo_image_surface_create)                                                    \
    X(OC_SVG_CAIRO, cairo_surface_status)                                                          \
    X(OC_SVG_CAIRO, cairo_surface_flush)                                                           \
    X(OC_SVG_CAIRO, cairo_image_surface_get_data)                                                  \
    X(OC_SVG_CAIRO, cairo_image_surface_get_stride)                                                \
    X(OC_SVG_CAIRO, cairo_surface_destroy)                                                         \
    X(OC_SVG_CAIRO, cairo_create)                                                                  \
    X(OC_SVG_CAIRO, cairo_destroy)                                                                 \
    X(OC_SVG_FONTCONFIG, FcConfigCreate)                                                           \
    X(OC_SVG_FONTCONFIG, FcConfigParseAndLoadFromMemory)                                           \
    X(OC_SVG_FONTCONFIG, FcConfigAppFontAddFile)                                                   \
    X(OC_SVG_FONTCONFIG, FcConfigSetCurrent)                                                       \
    X(OC_SVG_FONTCONFIG, FcConfigDestroy)                                                          \
    X(OC_SVG_XML2, xmlFree)                                                                        \
    X(OC_SVG_XML2, __xmlGenericError)                                                              \
    X(OC_SVG_XML2, __xmlGenericErrorContext)                                                       \
    X(OC_SVG_XML2, xmlSetGenericErrorFunc)                                                         \
    X(OC_SVG_XML2, xmlNewParserCtxt)                                                               \
    X(OC_SVG_XML2, xmlCtxtReadMemory)                                                              \
    X(OC_SVG_XML2, xmlCtxtGetLastError)                                                            \
    X(OC_SVG_XML2, xmlFreeParserCtxt)                                                              \
    X(OC_SVG_XML2, xmlGetIntSubset)                                                                \
    X(OC_SVG_XML2, xmlHashSize)                                                                    \
    X(OC_SVG_XML2, xmlUnlinkNode)                                                                  \
    X(OC_SVG_XML2, xmlFreeNode)                                                                    \
    X(OC_SVG_XML2, xmlFreeDtd)                                                                     \
    X(OC_SVG_XML2, xmlFreeDoc)                                                                     \
    X(OC_SVG_XML2, xmlFreeNs)                                                                      \
    X(OC_SVG_XML2, xmlDocGetRootElement)                                                           \
    X(OC_SVG_XML2, xmlNewNs)                                                                       \
    X(OC_SVG_XML2, xmlNodeListGetString)                                                           \
    X(OC_SVG_XML2, xmlNodeGetContent)                                                              \
    X(OC_SVG_XML2, xmlRemoveProp)                                                                  \
    X(OC_SVG_XML2, xmlGetProp)                                                                     \
    X(OC_SVG_XML2, xmlSetProp)                                                                     \
    X(OC_SVG_XML2, xmlDocDumpMemoryEnc)

typedef struct {
#define OC_SVG_FIELD(lib, fn) __typeof__(&fn) fn;
    OC_SVG_FUNCTIONS(OC_SVG_FIELD)
#undef OC_SVG_FIELD
} oc_svg_libs;

/* The loaded libraries, opened on the first call (from any thread); NULL
 * when one cannot be opened or lacks a function, with `why` (256 bytes)
 * naming the library and dlerror()'s reason, the same on every call. */
const oc_svg_libs *oc_svg_libs_get(char *why);

/* The SONAMEs oc_svg_libs_get opens, OC_SVG_NLIBS of them in enum order:
 * {"libglib-2.0.so.0", ..., "librsvg-2.so.2"}. */
extern const char *const oc_svg_sonames[OC_SVG_NLIBS];

/* Tests' seams. oc_svg_libs_load opens `sonames` (OC_SVG_NLIBS names, in
 * enum order) into *out: 0, or -1 with `why` (256 bytes) filled; what it
 * opened stays open. oc_svg_libs_use sets the names oc_svg_libs_get will
 * open; it must come before the first SVG and copies no strings (they must
 * outlive the process's use of SVGs). */
int oc_svg_libs_load(oc_svg_libs *out, const char *const sonames[OC_SVG_NLIBS], char *why);
void oc_svg_libs_use(const char *const sonames[OC_SVG_NLIBS]);

#endif
