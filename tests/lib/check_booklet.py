#!/usr/bin/env python3
"""Checks a saddle-stitched booklet against the PDF it was imposed from.

usage: check_booklet.py BOOK.pdf BOOKLET.pdf

The book has P pages, padded to N = P rounded up to a multiple of 4. The
booklet must have N/2 sheet sides (N/4 sheets, two sides each), landscape;
side 2s+1 (front of sheet s, from 0) holds pages N-2s (left) and 2s+1
(right), side 2s+2 (its back) pages 2s+2 and N-2s-1; a page above P is
blank. Each half of each side is read with pdftotext, cropped to that
half, and must give the text of the page it should hold (empty for a
blank). Prints a summary; exit 1 on the first side that is wrong."""
import re
import subprocess
import sys


def run(*args):
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


def squash(s):
    return re.sub(r"\s+", " ", s).strip()


def pages(pdf):
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", pdf), re.M).group(1))


def size(pdf, page):
    m = re.search(r"^Page\s+%d size:\s+([\d.]+) x ([\d.]+)" % page,
                  run("pdfinfo", "-f", str(page), "-l", str(page), pdf), re.M)
    return float(m.group(1)), float(m.group(2))


def page_text(pdf, p, x=None, w=None, h=None):
    args = ["pdftotext", "-f", str(p), "-l", str(p)]
    if x is not None:
        args += ["-r", "72", "-x", str(int(x)), "-y", "0", "-W", str(int(w)), "-H", str(int(h))]
    return squash(run(*args, pdf, "-"))


def main():
    book, booklet = sys.argv[1], sys.argv[2]
    P = pages(book)
    N = (P + 3) // 4 * 4
    sides = pages(booklet)
    if sides != N // 2:
        print(f"{sides} sheet sides for {P} pages, want {N // 2} ({N // 4} sheets)")
        return 1
    texts = [None] + [page_text(book, p) for p in range(1, P + 1)]
    blanks = 0
    for side in range(1, sides + 1):
        s, back = (side - 1) // 2, (side - 1) % 2
        left, right = (2 * s + 2, N - 2 * s - 1) if back else (N - 2 * s, 2 * s + 1)
        W, H = size(booklet, side)
        if W <= H:
            print(f"side {side}: {W} x {H} is not landscape")
            return 1
        for half, want in ((0, left), (1, right)):
            got = page_text(booklet, side, half * W / 2, W / 2, H)
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
