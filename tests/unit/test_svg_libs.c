/* Unit tests for src/image/svg_libs.c, the SVG stack opened on first use:
 * every library and function found; a library that cannot be opened, or
 * one that lacks a function, named in the reason; and an SVG read or drawn
 * when the stack cannot be loaded is refused with that reason (the path a
 * corrupt SVG takes, so the build reports it at the citing line), never a
 * call through a null pointer. This runs in its own process: the names
 * oc_svg_libs_get opens are set once, before the first SVG. */
#include "harness.h"
#include "image/svg_libs.h"
#include "octavo/image.h"

#include <string.h>

#define MISSING "liboctavo-test-missing-rsvg.so.2"

static void test_load_real(void) {
    oc_svg_libs libs;
    char why[256] = "";
    CHECK(oc_svg_libs_load(&libs, oc_svg_sonames, why) == 0);
    CHECK_STR_EQ(why, "");
    CHECK(libs.rsvg_handle_render_document != NULL);
    CHECK(libs.cairo_image_surface_create != NULL);
    CHECK(libs.FcConfigSetCurrent != NULL);
    CHECK(libs.xmlFree != NULL);
    CHECK(libs.xmlDocDumpMemoryEnc != NULL);
    CHECK(libs.g_object_unref != NULL);
}

static void test_load_missing_library(void) {
    const char *names[OC_SVG_NLIBS];
    memcpy(names, oc_svg_sonames, sizeof names);
    names[OC_SVG_RSVG] = MISSING;
    oc_svg_libs libs;
    char why[256] = "";
    CHECK(oc_svg_libs_load(&libs, names, why) != 0);
    CHECK_CONTAINS(why, "SVG images need " MISSING ", which cannot be loaded (");
    CHECK_CONTAINS(why, "cannot open shared object file"); /* dlerror()'s words */
    CHECK(libs.rsvg_handle_render_document == NULL);
}

static void test_load_missing_function(void) {
    /* a library that opens but is not libxml2: its first function is absent */
    const char *names[OC_SVG_NLIBS];
    memcpy(names, oc_svg_sonames, sizeof names);
    names[OC_SVG_XML2] = "libz.so.1";
    oc_svg_libs libs;
    char why[256] = "";
    CHECK(oc_svg_libs_load(&libs, names, why) != 0);
    CHECK_CONTAINS(why, "SVG images need libz.so.1, which lacks xmlFree (");
    CHECK(libs.g_object_unref == NULL); /* nothing half filled */
}

static const char svg[] = "<svg xmlns='http://www.w3.org/2000/svg' width='20' height='10'>"
                          "<rect width='20' height='10' fill='red'/></svg>";

static void test_svg_refused(void) {
    static const char *names[OC_SVG_NLIBS];
    memcpy(names, oc_svg_sonames, sizeof names);
    names[OC_SVG_RSVG] = MISSING;
    oc_svg_libs_use(names);
    for (int round = 0; round < 2; round++) { /* the same answer every time */
        char why[256] = "";
        oc_image_info info;
        memset(&info, 0, sizeof info);
        CHECK(oc_image_probe((const unsigned char *)svg, sizeof svg - 1, &info, why) != 0);
        CHECK_CONTAINS(why, "SVG images need " MISSING ", which cannot be loaded (");

        unsigned char *out = (unsigned char *)"x";
        size_t n = 1;
        int w = 1, h = 1;
        why[0] = '\0';
        CHECK(oc_image_svg_clean((const unsigned char *)svg, sizeof svg - 1, &out, &n, &w, &h, NULL,
                                 why) != OC_OK);
        CHECK(out == NULL && n == 0);
        CHECK_CONTAINS(why, MISSING);

        oc_image_pixels px;
        why[0] = '\0';
        CHECK(oc_image_render_svg((const unsigned char *)svg, sizeof svg - 1, 20, 10,
                                  OCTAVO_FONTS_DIR, &px, why) != OC_OK);
        CHECK(px.samples == NULL && px.alpha == NULL);
        CHECK_CONTAINS(why, MISSING);
    }
}

int main(void) {
    RUN(test_load_real);
    RUN(test_load_missing_library);
    RUN(test_load_missing_function);
    RUN(test_svg_refused);
    return harness_finish("test_svg_libs");
}
