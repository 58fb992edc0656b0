/* Raw HTML in a chapter, parsed with gumbo (an HTML5 tree builder) into the
 * Document's own node types. Internal to src/doc/; only html.c includes
 * gumbo.h. */
#ifndef OCTAVO_DOC_HTML_H
#define OCTAVO_DOC_HTML_H

#include "octavo/doc.h"

/* Replaces every HTML_BLOCK and HTML_INLINE node of the chapter's tree
 * (root and footnotes not yet collected) by what its elements mean: an
 * allowlist becomes Document nodes, other elements are unwrapped (text
 * kept), dangerous ones are removed with their content. cmark-gfm's pieces
 * are put back together first: the inline HTML of one paragraph (and the
 * HTML blocks of one container, with the Markdown blocks between them) is
 * parsed as one fragment, so `<kbd>`, text, `</kbd>` is one key. Warnings
 * (one per kind of thing dropped, at its first line) go to diag. Nesting is
 * iterative and capped, so any depth of input is safe. */
void oc_html_chapter(oc_document *doc, oc_chapter *ch, oc_diag *diag);

#endif
