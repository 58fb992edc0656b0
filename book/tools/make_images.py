#!/usr/bin/env python3
"""Draw the guide's figures and cover as PNG files, using only the Python 3 standard library.

    python3 book/tools/make_images.py          # writes book/images/*.png

Images written (all RGB, 8 bits per channel):
    salary-ranges.png   1200 x 700   range bars for the salary table in chapters/04-salaries.md
    career-ladder.png   1200 x 640   the five career stages of chapters/05-career-path.md
    cover.png           1600 x 2400  the book cover

Text is drawn with the small bitmap font below, scaled up by whole pixels; shapes other than
rectangles are anti-aliased by computing how much of each pixel they cover. The output is
deterministic, so rerunning the script on an unchanged tree reproduces the same bytes.
"""

import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "..", "images")

# --- data (keep in step with the chapters) ------------------------------------------------------

# (level, years, low, high, open-ended) in US dollars: the table in chapters/04-salaries.md
SALARIES = [
    ("Junior ML Engineer", "0–2 years", 100_000, 140_000, False),
    ("ML Engineer", "2–5 years", 140_000, 200_000, False),
    ("Senior ML Engineer", "5–8 years", 190_000, 280_000, False),
    ("Staff ML Engineer", "8+ years", 250_000, 400_000, False),
    ("AI Research Scientist", "PhD+", 200_000, 500_000, True),
]

# (stage lines, years): the ordered list in chapters/05-career-path.md
STAGES = [
    (["Data Analyst", "or Scientist"], "0–2 years"),
    (["Junior", "ML Engineer"], "1–3 years"),
    (["ML Engineer"], "3–5 years"),
    (["Senior", "ML Engineer"], "5+ years"),
    (["Staff ML", "Engineer or", "Research", "Scientist"], "8+ years"),
]

# --- colours --------------------------------------------------------------------------------------

INK = (31, 41, 51)
GREY = (102, 112, 122)
LIGHT_GREY = (226, 230, 234)
PAPER = (255, 255, 255)
TEAL = (42, 127, 128)
TEAL_LIGHT = (164, 208, 204)
TEAL_MID = (112, 172, 168)
CORAL = (214, 104, 76)
NAVY_TOP = (16, 38, 56)
NAVY_BOTTOM = (24, 62, 84)
CREAM = (246, 240, 226)
GOLD = (233, 196, 106)

# --- a 5x7 bitmap font (two extra rows for descenders) --------------------------------------------

_FONT_SRC = {
    "A": ".###. #...# #...# ##### #...# #...# #...#",
    "B": "####. #...# #...# ####. #...# #...# ####.",
    "C": ".###. #...# #.... #.... #.... #...# .###.",
    "D": "####. #...# #...# #...# #...# #...# ####.",
    "E": "##### #.... #.... ####. #.... #.... #####",
    "F": "##### #.... #.... ####. #.... #.... #....",
    "G": ".###. #...# #.... #.### #...# #...# .####",
    "H": "#...# #...# #...# ##### #...# #...# #...#",
    "I": "### .#. .#. .#. .#. .#. ###",
    "J": "..### ...#. ...#. ...#. ...#. #..#. .##..",
    "K": "#...# #..#. #.#.. ##... #.#.. #..#. #...#",
    "L": "#.... #.... #.... #.... #.... #.... #####",
    "M": "#...# ##.## #.#.# #.#.# #...# #...# #...#",
    "N": "#...# #...# ##..# #.#.# #..## #...# #...#",
    "O": ".###. #...# #...# #...# #...# #...# .###.",
    "P": "####. #...# #...# ####. #.... #.... #....",
    "Q": ".###. #...# #...# #...# #.#.# #..#. .##.#",
    "R": "####. #...# #...# ####. #.#.. #..#. #...#",
    "S": ".#### #.... #.... .###. ....# ....# ####.",
    "T": "##### ..#.. ..#.. ..#.. ..#.. ..#.. ..#..",
    "U": "#...# #...# #...# #...# #...# #...# .###.",
    "V": "#...# #...# #...# #...# #...# .#.#. ..#..",
    "W": "#...# #...# #...# #.#.# #.#.# #.#.# .#.#.",
    "X": "#...# #...# .#.#. ..#.. .#.#. #...# #...#",
    "Y": "#...# #...# .#.#. ..#.. ..#.. ..#.. ..#..",
    "Z": "##### ....# ...#. ..#.. .#... #.... #####",
    "a": "..... ..... .###. ....# .#### #...# .####",
    "b": "#.... #.... #.##. ##..# #...# #...# ####.",
    "c": "..... ..... .###. #.... #.... #...# .###.",
    "d": "....# ....# .##.# #..## #...# #...# .####",
    "e": "..... ..... .###. #...# ##### #.... .###.",
    "f": "..##. .#..# .#... ###.. .#... .#... .#...",
    "g": "..... ..... .#### #...# #...# #...# .#### ....# .###.",
    "h": "#.... #.... #.##. ##..# #...# #...# #...#",
    "i": ".#. ... ##. .#. .#. .#. ###",
    "j": "...# .... ..## ...# ...# ...# ...# #..# .##.",
    "k": "#... #... #..# #.#. ##.. #.#. #..#",
    "l": "##. .#. .#. .#. .#. .#. ###",
    "m": "..... ..... ##.#. #.#.# #.#.# #...# #...#",
    "n": "..... ..... #.##. ##..# #...# #...# #...#",
    "o": "..... ..... .###. #...# #...# #...# .###.",
    "p": "..... ..... ####. #...# #...# #...# ####. #.... #....",
    "q": "..... ..... .#### #...# #...# #...# .#### ....# ....#",
    "r": "..... ..... #.##. ##..# #.... #.... #....",
    "s": "..... ..... .#### #.... .###. ....# ####.",
    "t": ".#... .#... ###.. .#... .#... .#..# ..##.",
    "u": "..... ..... #...# #...# #...# #..## .##.#",
    "v": "..... ..... #...# #...# #...# .#.#. ..#..",
    "w": "..... ..... #...# #...# #.#.# #.#.# .#.#.",
    "x": "..... ..... #...# .#.#. ..#.. .#.#. #...#",
    "y": "..... ..... #...# #...# #...# #...# .#### ....# .###.",
    "z": "..... ..... ##### ...#. ..#.. .#... #####",
    "0": ".###. #...# #..## #.#.# ##..# #...# .###.",
    "1": "..#.. .##.. ..#.. ..#.. ..#.. ..#.. .###.",
    "2": ".###. #...# ....# ...#. ..#.. .#... #####",
    "3": "##### ...#. ..#.. ...#. ....# #...# .###.",
    "4": "...#. ..##. .#.#. #..#. ##### ...#. ...#.",
    "5": "##### #.... ####. ....# ....# #...# .###.",
    "6": "..##. .#... #.... ####. #...# #...# .###.",
    "7": "##### ....# ...#. ..#.. .#... .#... .#...",
    "8": ".###. #...# #...# .###. #...# #...# .###.",
    "9": ".###. #...# #...# .#### ....# ...#. .##..",
    "$": "..#.. .#### #.#.. .###. ..#.# ####. ..#..",
    ",": ".. .. .. .. .. .# .# #.",
    ".": ". . . . . . #",
    ":": ". . # . . # .",
    "+": "..... ..#.. ..#.. ##### ..#.. ..#.. .....",
    "-": "... ... ... ### ... ... ...",
    "–": "..... ..... ..... ##### ..... ..... .....",
    "/": "....# ....# ...#. ..#.. .#... #.... #....",
    "(": "..# .#. #.. #.. #.. .#. ..#",
    ")": "#.. .#. ..# ..# ..# .#. #..",
    "%": "##..# ##..# ...#. ..#.. .#... #..## #..##",
    "&": ".##.. #..#. #.#.. .#... #.#.# #..#. .##.#",
    "’": ".# .# #. .. .. .. ..",
    " ": "... ... ... ... ... ... ...",
}
FONT = {}
for _ch, _rows in _FONT_SRC.items():
    _rows = _rows.split()
    _rows += ["." * len(_rows[0])] * (9 - len(_rows))
    FONT[_ch] = _rows
GLYPH_ROWS = 9   # 7 above the baseline, 2 below
CAP_ROWS = 7


def text_width(s, scale):
    """Width in pixels of s drawn at the given scale (one empty column between glyphs)."""
    if not s:
        return 0
    return (sum(len(FONT[c][0]) for c in s) + len(s) - 1) * scale


# --- canvas ---------------------------------------------------------------------------------------

class Canvas:
    def __init__(self, width, height, background):
        self.w, self.h = width, height
        self.rows = [bytearray(bytes(background) * width) for _ in range(height)]

    def vgradient(self, top, bottom):
        for y in range(self.h):
            t = y / (self.h - 1)
            c = tuple(round(a + (b - a) * t) for a, b in zip(top, bottom))
            self.rows[y][:] = bytes(c) * self.w

    def rect(self, x0, y0, x1, y1, color):
        """Fill [x0, x1) x [y0, y1) with an opaque colour."""
        x0, x1 = max(0, int(x0)), min(self.w, int(x1))
        y0, y1 = max(0, int(y0)), min(self.h, int(y1))
        if x1 <= x0:
            return
        span = bytes(color) * (x1 - x0)
        for y in range(y0, y1):
            self.rows[y][x0 * 3:x1 * 3] = span

    def blend(self, x, y, color, alpha):
        if alpha <= 0 or not (0 <= x < self.w and 0 <= y < self.h):
            return
        alpha = min(alpha, 1.0)
        row, i = self.rows[y], x * 3
        for k in range(3):
            row[i + k] = round(row[i + k] + (color[k] - row[i + k]) * alpha)

    def _cover(self, x0, y0, x1, y1, coverage, color, opacity):
        """Blend colour over a box, weighting each pixel by coverage(px, py) in [0, 1]."""
        for y in range(max(0, int(y0)), min(self.h, int(y1) + 1)):
            for x in range(max(0, int(x0)), min(self.w, int(x1) + 1)):
                a = coverage(x + 0.5, y + 0.5)
                if a > 0:
                    self.blend(x, y, color, a * opacity)

    def circle(self, cx, cy, r, color, opacity=1.0):
        def cov(px, py):
            d = ((px - cx) ** 2 + (py - cy) ** 2) ** 0.5
            return max(0.0, min(1.0, r + 0.5 - d))
        self._cover(cx - r - 1, cy - r - 1, cx + r + 1, cy + r + 1, cov, color, opacity)

    def ring(self, cx, cy, r, width, color, opacity=1.0):
        def cov(px, py):
            d = abs(((px - cx) ** 2 + (py - cy) ** 2) ** 0.5 - r)
            return max(0.0, min(1.0, width / 2 + 0.5 - d))
        e = r + width
        self._cover(cx - e - 1, cy - e - 1, cx + e + 1, cy + e + 1, cov, color, opacity)

    def line(self, x0, y0, x1, y1, width, color, opacity=1.0):
        dx, dy = x1 - x0, y1 - y0
        length2 = dx * dx + dy * dy or 1.0

        def cov(px, py):
            t = max(0.0, min(1.0, ((px - x0) * dx + (py - y0) * dy) / length2))
            d = ((px - x0 - t * dx) ** 2 + (py - y0 - t * dy) ** 2) ** 0.5
            return max(0.0, min(1.0, width / 2 + 0.5 - d))
        pad = width / 2 + 1
        self._cover(min(x0, x1) - pad, min(y0, y1) - pad, max(x0, x1) + pad,
                    max(y0, y1) + pad, cov, color, opacity)

    def polygon(self, points, color, opacity=1.0):
        """Fill a convex polygon given clockwise in screen coordinates (4x4 supersampling)."""
        edges = list(zip(points, points[1:] + points[:1]))

        def inside(px, py):
            return all((bx - ax) * (py - ay) - (by - ay) * (px - ax) >= 0
                       for (ax, ay), (bx, by) in edges)

        offsets = [(i + 0.5) / 4 - 0.5 for i in range(4)]

        def cov(px, py):
            return sum(inside(px + ox, py + oy) for ox in offsets for oy in offsets) / 16
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        self._cover(min(xs) - 1, min(ys) - 1, max(xs) + 1, max(ys) + 1, cov, color, opacity)

    def text(self, x, y, s, scale, color, dots=False):
        """Draw s with its cap top at y; return the x after the last glyph."""
        for ch in s:
            rows = FONT[ch]
            for r, bits in enumerate(rows):
                for c, bit in enumerate(bits):
                    if bit != "#":
                        continue
                    px, py = x + c * scale, y + r * scale
                    if dots:
                        self.circle(px + scale / 2, py + scale / 2, scale * 0.46, color)
                    else:
                        self.rect(px, py, px + scale, py + scale, color)
            x += (len(rows[0]) + 1) * scale
        return x - scale

    def save(self, path):
        raw = b"".join(b"\x00" + bytes(row) for row in self.rows)

        def chunk(kind, data):
            return (struct.pack(">I", len(data)) + kind + data
                    + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
        png = (b"\x89PNG\r\n\x1a\n"
               + chunk(b"IHDR", struct.pack(">IIBBBBB", self.w, self.h, 8, 2, 0, 0, 0))
               + chunk(b"IDAT", zlib.compress(raw, 9))
               + chunk(b"IEND", b""))
        with open(path, "wb") as f:
            f.write(png)
        print(f"wrote {os.path.relpath(path)} ({self.w}x{self.h}, {len(png) // 1024} KB)")


def money(v):
    return f"${v:,}"


# --- figure 1: salary ranges ------------------------------------------------------------------------

def salary_chart(path):
    W, H = 1200, 700
    cv = Canvas(W, H, PAPER)
    left, right = 60, W - 60
    cv.text(left, 40, "Salary ranges by level", 4, INK)
    cv.text(left, 86, "Total compensation per year, US dollars (2026)", 2, GREY)

    # legend, under the subtitle
    lx, ly = left, 118
    cv.rect(lx, ly, lx + 18, ly + 14, TEAL)
    lx = cv.text(lx + 28, ly, "Engineering track", 2, GREY) + 40
    cv.rect(lx, ly, lx + 18, ly + 14, CORAL)
    cv.text(lx + 28, ly, "Research track (arrow: no stated upper limit)", 2, GREY)

    name_w = max(text_width(level, 3) for level, *_ in SALARIES)
    plot_x0, plot_x1 = left + name_w + 30, right - 10
    plot_y0, plot_y1 = 160, 610
    axis_max = 600_000
    tick = 100_000

    def xof(v):
        return plot_x0 + (plot_x1 - plot_x0) * v / axis_max

    # grid and tick labels
    for v in range(0, axis_max + 1, tick):
        x = round(xof(v))
        cv.rect(x, plot_y0, x + 1, plot_y1, LIGHT_GREY)
        label = "$0" if v == 0 else f"${v // 1000}k"
        cv.text(x - text_width(label, 2) // 2, plot_y1 + 14, label, 2, GREY)
    cv.rect(plot_x0, plot_y1, plot_x1 + 1, plot_y1 + 2, GREY)
    axis_title = "Total compensation (USD)"
    cv.text((plot_x0 + plot_x1) // 2 - text_width(axis_title, 2) // 2, plot_y1 + 48,
            axis_title, 2, GREY)

    # one row per level: the range label above a bar from the low to the high figure
    row_h = (plot_y1 - plot_y0 - 20) / len(SALARIES)
    bar_h = 30
    for i, (level, years, low, high, open_top) in enumerate(SALARIES):
        bar_y = round(plot_y0 + 10 + i * row_h + row_h / 2 - 4)
        colour = CORAL if open_top else TEAL
        # level name and years, right-aligned against the plot
        cv.text(plot_x0 - 24 - text_width(level, 3), bar_y - 10, level, 3, INK)
        cv.text(plot_x0 - 24 - text_width(years, 2), bar_y + 20, years, 2, GREY)
        x0, x1 = round(xof(low)), round(xof(high))
        cv.rect(x0, bar_y, x1, bar_y + bar_h, colour)
        if open_top:
            # an arrowhead beyond the top of the range: no stated ceiling
            tip = x1 + 34
            cv.rect(x1, bar_y + 11, x1 + 14, bar_y + bar_h - 11, colour)
            cv.polygon([(x1 + 12, bar_y - 4), (tip, bar_y + bar_h / 2),
                        (x1 + 12, bar_y + bar_h + 4)], colour)
        label = f"{money(low)}–{money(high)}{'+' if open_top else ''}"
        cv.text(x0, bar_y - 24, label, 2, INK)
    cv.save(path)


# --- figure 2: career ladder ------------------------------------------------------------------------

def career_ladder(path):
    W, H = 1200, 640
    cv = Canvas(W, H, PAPER)
    cv.text(60, 40, "The career ladder", 4, INK)
    cv.text(60, 86, "Five stages and the typical years of experience for each", 2, GREY)

    base_y = H - 60
    n = len(STAGES)
    gap = 24
    step_w = (W - 120 - gap * (n - 1)) / n
    for i, (lines, years) in enumerate(STAGES):
        x0 = round(60 + i * (step_w + gap))
        x1 = round(x0 + step_w)
        height = 70 + i * 52
        top = base_y - height
        t = i / (n - 1)
        colour = tuple(round(a + (b - a) * t) for a, b in zip(TEAL_MID, TEAL))
        cv.rect(x0, top, x1, base_y, colour)
        # the stage number inside the step
        num = str(i + 1)
        cv.text(x0 + 18, base_y - 18 - CAP_ROWS * 6, num, 6, PAPER)
        # label above the step: the stage name, then its years
        y = top - 18 - (len(lines) * 30 + 18)
        for line in lines:
            cv.text(x0, y, line, 3, INK)
            y += 30
        cv.text(x0, y + 4, years, 2, GREY)
    cv.rect(40, base_y, W - 40, base_y + 2, GREY)
    cv.save(path)


# --- cover ------------------------------------------------------------------------------------------

def cover(path):
    W, H = 1600, 2400
    cv = Canvas(W, H, NAVY_TOP)
    cv.vgradient(NAVY_TOP, NAVY_BOTTOM)
    margin = 140

    # title block
    cv.rect(margin, 250, margin + 160, 262, GOLD)
    y = 340
    for line, scale in (("HOW TO BECOME AN", 12), ("AI/ML ENGINEER", 15)):
        cv.text(margin, y, line, scale, CREAM, dots=True)
        y += (CAP_ROWS + 4) * scale
    cv.text(margin, y + 30, "Complete Career Guide (2026)", 6, GOLD)

    # motif: a small feed-forward network, layers widening then narrowing
    layers = [3, 5, 6, 5, 2]
    x_first, x_last = 260, W - 260
    y_mid, spacing = 1640, 150
    nodes = []
    for li, count in enumerate(layers):
        x = x_first + (x_last - x_first) * li / (len(layers) - 1)
        nodes.append([(x, y_mid + (k - (count - 1) / 2) * spacing) for k in range(count)])
    for a, b in zip(nodes, nodes[1:]):
        for (ax, ay) in a:
            for (bx, by) in b:
                cv.line(ax, ay, bx, by, 2.2, TEAL_LIGHT, 0.28)
    for li, layer in enumerate(nodes):
        for (x, y) in layer:
            last = li == len(nodes) - 1
            cv.circle(x, y, 30, NAVY_BOTTOM)
            cv.ring(x, y, 30, 5, GOLD if last else TEAL_LIGHT)
            cv.circle(x, y, 13, GOLD if last else TEAL_LIGHT, 0.9)

    # foot
    cv.rect(margin, H - 250, W - margin, H - 248, TEAL_LIGHT)
    cv.text(margin, H - 200, "octavo contributors", 5, CREAM)
    cv.save(path)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    salary_chart(os.path.join(OUT_DIR, "salary-ranges.png"))
    career_ladder(os.path.join(OUT_DIR, "career-ladder.png"))
    cover(os.path.join(OUT_DIR, "cover.png"))


if __name__ == "__main__":
    main()
