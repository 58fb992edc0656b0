#!/usr/bin/env python3
"""Checks the print boxes and crop marks of a PDF built with --marks.

usage: check_marks.py FILE.pdf WIDTH HEIGHT

WIDTH and HEIGHT are the paper size in points. For every page: TrimBox is
[0 0 WIDTH HEIGHT] (the laid-out page), BleedBox is 3 mm beyond it on every
side, MediaBox holds the BleedBox with room for the marks; the page's
content stream ends with an /Artifact block of eight strokes (two per
corner) that all lie outside the BleedBox, each on the line of a trim edge.
Prints a summary line; exit 1 on the first page that breaks a rule."""
import base64
import json
import re
import subprocess
import sys

MM = 72 / 25.4


def objects(pdf):
    out = subprocess.run(
        ["qpdf", "--json-output", "--json-stream-data=inline", "--decode-level=generalized", pdf, "-"],
        check=True, capture_output=True).stdout
    return json.loads(out)["qpdf"][1]


def near(a, b, eps=0.02):
    return abs(a - b) <= eps


def main():
    pdf, width, height = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
    objs = objects(pdf)
    pages = [(k, o["value"]) for k, o in objs.items()
             if isinstance(o.get("value"), dict) and o["value"].get("/Type") == "/Page"]
    if not pages:
        print("no pages")
        return 1
    b = 3 * MM
    for key, p in pages:
        trim, bleed, media = p.get("/TrimBox"), p.get("/BleedBox"), p.get("/MediaBox")
        if not trim or not all(near(x, y) for x, y in zip(trim, [0, 0, width, height])):
            print(f"{key}: TrimBox {trim}, want [0 0 {width} {height}]")
            return 1
        if not bleed or not all(near(x, y) for x, y in zip(bleed, [-b, -b, width + b, height + b])):
            print(f"{key}: BleedBox {bleed}, want 3 mm beyond the trim")
            return 1
        if not media or not (media[0] < bleed[0] and media[1] < bleed[1] and
                             media[2] > bleed[2] and media[3] > bleed[3]):
            print(f"{key}: MediaBox {media} does not hold the BleedBox {bleed}")
            return 1
        c = p["/Contents"]
        refs = c if isinstance(c, list) else [c]
        data = b"".join(base64.b64decode(objs["obj:" + r]["stream"]["data"]) for r in refs)
        m = re.search(rb"/Artifact BMC\s*q(.*?)Q\s*EMC\s*$", data, re.S)
        if not m:
            print(f"{key}: no crop-mark artifact at the end of the content")
            return 1
        segs = re.findall(rb"(-?[\d.]+) (-?[\d.]+) m (-?[\d.]+) (-?[\d.]+) l", m.group(1))
        if len(segs) != 8:
            print(f"{key}: {len(segs)} mark strokes, want 8")
            return 1
        for s in segs:
            x0, y0, x1, y1 = map(float, s)
            for x, y in ((x0, y0), (x1, y1)):
                outside = x < bleed[0] or x > bleed[2] or y < bleed[1] or y > bleed[3]
                if not outside:
                    print(f"{key}: mark point ({x}, {y}) inside the BleedBox")
                    return 1
                if not (x < media[2] and x > media[0] and y < media[3] and y > media[1]):
                    print(f"{key}: mark point ({x}, {y}) off the medium")
                    return 1
            on_edge = (near(y0, y1) and any(near(y0, e) for e in (0, height))) or \
                      (near(x0, x1) and any(near(x0, e) for e in (0, width)))
            if not on_edge:
                print(f"{key}: mark ({x0} {y0})-({x1} {y1}) is not on a trim line")
                return 1
    print(f"{len(pages)} pages: TrimBox, 3 mm BleedBox, MediaBox and 8 crop marks outside the bleed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
