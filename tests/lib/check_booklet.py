#!/usr/bin/env python3
"""Checks a saddle-stitched booklet against the PDF it was imposed from.

usage: check_booklet.py BOOK.pdf BOOKLET.pdf

The book has P pages, padded to N = P rounded up to a multiple of 4. The
booklet must have N/2 sheet sides (N/4 sheets, two sides each), landscape;
side 2s+1 (front of sheet s, from 0) holds pages N-2s (left) and 2s+1
(right), side 2s+2 (its back) pages 2s+2 and N-2s-1; a page above P is
blank. The words pdftotext finds in each half of each side (by their
boxes) must be the words of the page it should hold (none for a blank):
every page of a book differs from the others in its words (at least its
folio). Prints a summary; exit 1 on the first side that is wrong."""
import html
import re
import subprocess
import sys

# One pdftotext -bbox run per file (not one per page and half: on a
# 100-page book that was some 400 processes, each parsing the whole PDF).
PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
WORD = re.compile(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>')


def read(pdf):
    """[(width, height, [(x centre, word), ...]) per page], words in pdftotext's order."""
    out = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True,
                         check=True).stdout
    return [(float(w), float(h), [((float(a) + float(b)) / 2, html.unescape(t))
                                  for a, b, t in WORD.findall(body)])
            for w, h, body in PAGE.findall(out)]


def text(words, lo=float("-inf"), hi=float("inf")):
    """The words between lo and hi, sorted: pdftotext's reading order on a
    sheet can differ from the page's (it sees the other half too), so a
    page is known by its words, not their order."""
    return " ".join(sorted(t for x, t in words if lo <= x < hi))


def main():
    book, booklet = read(sys.argv[1]), read(sys.argv[2])
    P = len(book)
    N = (P + 3) // 4 * 4
    sides = len(booklet)
    if sides != N // 2:
        print(f"{sides} sheet sides for {P} pages, want {N // 2} ({N // 4} sheets)")
        return 1
    texts = [None] + [text(words) for _, _, words in book]
    blanks = 0
    for side in range(1, sides + 1):
        s, back = (side - 1) // 2, (side - 1) % 2
        left, right = (2 * s + 2, N - 2 * s - 1) if back else (N - 2 * s, 2 * s + 1)
        W, H, words = booklet[side - 1]
        if W <= H:
            print(f"side {side}: {W} x {H} is not landscape")
            return 1
        for half, want in ((0, left), (1, right)):
            got = text(words, half * W / 2, (half + 1) * W / 2)
            expect = texts[want] if want <= P else ""
            if want > P:
                blanks += 1
            if got != expect:
                print(f"side {side} {'right' if half else 'left'}: want page {want}"
                      f"{' (blank)' if want > P else ''}, got {got[:80]!r}")
                return 1
    print(f"{P} pages: {N // 4} sheets, {sides} sides in saddle-stitch order, {blanks} blank pages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
