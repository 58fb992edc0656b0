/* octavo — accessibility facts and checks over the parsed Document.
 *
 * oc_a11y_scan walks every chapter (and its footnotes) once. It counts what
 * the EPUB's accessibility metadata states about the book (images, alt text,
 * headings) and, when given a sink, warns at the source position of each
 * problem a reader of assistive technology would meet:
 *   - an image without alt text;
 *   - a heading that skips a level (## then ####, or a chapter opening with
 *     a heading below level 1);
 *   - a table without a header row, or whose header cells are all empty;
 *   - a link whose text is only a URL, or only "here" / "click here".
 * Nothing is allocated that outlives the call. */
#ifndef OCTAVO_A11Y_H
#define OCTAVO_A11Y_H

#include "octavo/diag.h"
#include "octavo/doc.h"

typedef struct {
    int images;         /* images shown as pictures (their file is packaged), not the cover */
    int images_alt;     /* of those, how many have alt text */
    int images_no_alt;  /* image nodes without alt text, shown or not */
    int headings;       /* headings in the chapters */
    int heading_skips;  /* headings that skip a level */
    int tables;         /* tables */
    int tables_no_head; /* tables without a (non-empty) header row */
    int vague_links;    /* links whose text is only a URL or "here" */
} oc_a11y_facts;

/* Fills *facts (when not NULL) and reports one warning per problem to diag
 * (when not NULL). doc is only read. */
void oc_a11y_scan(const oc_document *doc, oc_a11y_facts *facts, oc_diag *diag);

#endif
