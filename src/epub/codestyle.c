/* The EPUB's code highlighting: one CSS rule per token class, from the same
 * palettes the PDF uses (oc_hl_theme_light, src/doc/highlight.c), so both
 * editions show one theme.
 *
 * Reading systems in a night theme say so in different ways: the
 * prefers-color-scheme media query (Apple Books, Thorium and browsers follow
 * the system's dark mode), Readium CSS's night switch on the root element,
 * Apple Books' theme attribute. Each of them turns on the dark palette, whose
 * colours keep AA contrast on a dark page. Comments stay italic in either, so
 * a reading system that overrides every colour still tells them apart. No
 * script is involved. */
#include "epub/epub_internal.h"

static void rules(oc_buf *b, const oc_hl_style *theme, const char *scope, const char *indent) {
    for (int c = 1; c < OC_HL_COUNT; c++) {
        if (oc_hl_is_plain(theme, c)) continue; /* the reader's text colour */
        oc_buf_printf(b, "%s%spre code .%s { color: #%06X;", indent, scope, oc_hl_class_names[c],
                      (unsigned)theme[c].rgb);
        if (theme[c].bold) oc_buf_puts(b, " font-weight: bold;");
        if (theme[c].italic) oc_buf_puts(b, " font-style: italic;");
        oc_buf_puts(b, " }\n");
    }
}

void oc_epub_code_css(oc_buf *b) {
    oc_buf_puts(b, "\n/* code highlighting: light (default) and night palettes */\n");
    rules(b, oc_hl_theme_light, "", "");
    oc_buf_puts(b, "@media (prefers-color-scheme: dark) {\n");
    /* the block itself dark too: a reading system may ask for the night
     * palette and still leave the page white, where light code would be
     * unreadable; #262626 is the background the night palette's contrast is
     * computed against */
    oc_buf_printf(b, "  pre { background-color: #262626; color: #%06X; }\n",
                  (unsigned)oc_hl_theme_dark[OC_HL_PLAIN].rgb);
    rules(b, oc_hl_theme_dark, "", "  ");
    oc_buf_puts(b, "}\n");
    /* Readium CSS (Thorium, and apps built on it) and Apple Books' night theme */
    rules(b, oc_hl_theme_dark, ":root[style*=\"readium-night-on\"] ", "");
    rules(b, oc_hl_theme_dark, ":root[__ibooks_internal_theme*=\"Night\"] ", "");
}
