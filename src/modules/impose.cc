// Booklet imposition (--impose booklet): the finished PDF's pages, placed
// two-up on landscape sheets in saddle-stitch order, each page as a Form
// XObject made from its own content and resources, so nothing is laid out
// again. A module (see modules.h), behind the C function
// oc_pdf_impose_booklet (src/pdf/impose.c): qpdf's page helpers turn a page
// into a form and place it in a rectangle, which is the whole of the job; writing our own PDF
// reader for it would not be.
//
// Saddle stitch: N pages padded with blanks to a multiple of 4, N/4 sheets;
// sheet s (from 0) carries pages N-2s and 2s+1 on its front (left, right)
// and 2s+2 and N-2s-1 on its back. Printed duplex, flipping on the short
// edge, the stack folds into the book's order.
// qpdf 11: we use std::shared_ptr only, none of the old PointerHolder
#define POINTERHOLDER_TRANSITION 4
#include <qpdf/Buffer.hh>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "modules/modules.h"
#include "pdf/marks.h"

namespace {

QPDFObjectHandle box(double x0, double y0, double x1, double y1) {
    return QPDFObjectHandle::newArray(QPDFObjectHandle::Rectangle(x0, y0, x1, y1));
}

// One side of a sheet: the pages numbered left and right (1-based; 0 or
// above the page count: blank).
void add_side(QPDF &out, std::vector<QPDFObjectHandle> &forms, size_t left, size_t right, double sw,
              double sh, const std::string *marks) {
    QPDFObjectHandle xobjects = QPDFObjectHandle::newDictionary();
    std::string content;
    const size_t at[2] = {left, right};
    for (int k = 0; k < 2; k++) {
        size_t n = at[k];
        if (n == 0 || n > forms.size()) continue; // a blank page
        std::string name = "/P" + std::to_string(n);
        xobjects.replaceKey(name, forms[n - 1]);
        // scaled to fit the half sheet (exactly 1 for A5 pages on A4),
        // centred in it; never enlarged
        QPDFObjectHandle::Rectangle bb =
            forms[n - 1].getDict().getKey("/BBox").getArrayAsRectangle();
        double bw = bb.urx - bb.llx, bh = bb.ury - bb.lly;
        if (bw <= 0 || bh <= 0) continue;
        double scale = std::min({1.0, (sw / 2) / bw, sh / bh});
        double x = k * sw / 2 + (sw / 2 - bw * scale) / 2 - bb.llx * scale;
        double y = (sh - bh * scale) / 2 - bb.lly * scale;
        char cm[160];
        snprintf(cm, sizeof cm, "q\n%.5f 0 0 %.5f %.3f %.3f cm\n", scale, scale, x, y);
        content += cm + name + " Do\nQ\n";
    }
    if (marks) content += *marks;
    QPDFObjectHandle resources = QPDFObjectHandle::newDictionary();
    resources.replaceKey("/XObject", xobjects);
    QPDFObjectHandle page = QPDFObjectHandle::newDictionary();
    page.replaceKey("/Type", QPDFObjectHandle::newName("/Page"));
    if (marks) {
        const double s = OC_PDF_SLUG, b = OC_PDF_BLEED;
        page.replaceKey("/MediaBox", box(-s, -s, sw + s, sh + s));
        page.replaceKey("/BleedBox", box(-b, -b, sw + b, sh + b));
        page.replaceKey("/TrimBox", box(0, 0, sw, sh));
    } else {
        page.replaceKey("/MediaBox", box(0, 0, sw, sh));
    }
    page.replaceKey("/Resources", resources);
    page.replaceKey("/Contents", out.newStream(content));
    QPDFPageDocumentHelper(out).addPage(QPDFPageObjectHelper(out.makeIndirectObject(page)), false);
}

} // namespace

extern "C" int oc_imposemod_booklet(const void *pdf, size_t len, double sheet_w, double sheet_h,
                                    const char *marks, size_t marks_len, void **out,
                                    size_t *out_len, char *err, size_t errlen) {
    try {
        std::string mark_ops;
        if (marks) mark_ops.assign(marks, marks_len);
        const std::string *m = marks ? &mark_ops : nullptr;
        QPDF in;
        in.setSuppressWarnings(true);
        in.processMemoryFile("book.pdf", static_cast<const char *>(pdf), len);
        QPDF booklet;
        booklet.emptyPDF();
        std::vector<QPDFObjectHandle> forms;
        for (auto &p : QPDFPageDocumentHelper(in).getAllPages()) {
            // the form shows the trimmed page (its TrimBox, which is the
            // MediaBox unless --marks set one): a page's own marks stay off
            // the booklet, which gets marks of its own
            QPDFObjectHandle form = p.getFormXObjectForPage(true);
            form.getDict().replaceKey("/BBox", p.getTrimBox(false, false).shallowCopy());
            forms.push_back(booklet.copyForeignObject(form));
        }
        size_t n = (forms.size() + 3) / 4 * 4;
        if (n == 0) n = 4;
        for (size_t s = 0; s < n / 4; s++) {
            add_side(booklet, forms, n - 2 * s, 2 * s + 1, sheet_w, sheet_h, m);
            add_side(booklet, forms, 2 * s + 2, n - 2 * s - 1, sheet_w, sheet_h, m);
        }
        QPDFObjectHandle info = in.getTrailer().getKey("/Info");
        if (info.isDictionary())
            booklet.getTrailer().replaceKey("/Info", booklet.copyForeignObject(info));
        QPDFWriter w(booklet);
        w.setOutputMemory();
        w.setDeterministicID(true); // the same book gives the same booklet
        w.setCompressStreams(true);
        w.setObjectStreamMode(qpdf_o_generate);
        w.write();
        std::shared_ptr<Buffer> buf(w.getBufferSharedPointer());
        *out_len = buf->getSize();
        *out = malloc(*out_len ? *out_len : 1);
        if (!*out) throw std::bad_alloc();
        memcpy(*out, buf->getBuffer(), *out_len);
        return 0;
    } catch (std::exception &e) {
        snprintf(err, errlen, "%s", e.what());
        return -1;
    }
}
