"""Fill colours of the text drawn in the monospace (code) faces of a PDF.

    python3 -I code_colours.py QPDF_JSON

QPDF_JSON is `qpdf --json=2 --json-stream-data=inline --decode-level=generalized`
output. Prints one line per distinct colour, "R G B COUNT" (the operands of
the `rg` or `g` in force when a TJ/Tj drew text in a font whose BaseFont
names DejaVu Sans Mono), most used first.
"""
import base64
import collections
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from page_tree import inherited  # noqa: E402


def main():
    with open(sys.argv[1], encoding="utf-8") as f:
        d = json.load(f)
    objs = d["qpdf"][1]

    def obj(ref):
        return objs.get("obj:" + ref, {})

    seen = collections.Counter()
    for page in d["pages"]:
        res = inherited(objs, page["object"], "/Resources") or {}
        if isinstance(res, str):
            res = obj(res).get("value", {})
        fonts = res.get("/Font", {})
        if isinstance(fonts, str):
            fonts = obj(fonts).get("value", {})
        mono = set()
        for name, ref in fonts.items():
            base = obj(ref).get("value", {}).get("/BaseFont", "")
            if "Mono" in base:
                mono.add(name)
        colour, font = (0.0, 0.0, 0.0), None
        for ref in page["contents"]:
            data = base64.b64decode(obj(ref)["stream"]["data"]).decode("latin-1")
            for line in data.split("\n"):
                words = line.split()
                if not words:
                    continue
                op = words[-1]
                if op == "rg" and len(words) == 4:
                    colour = tuple(round(float(w), 3) for w in words[:3])
                elif op == "g" and len(words) == 2:
                    v = round(float(words[0]), 3)
                    colour = (v, v, v)
                elif op == "Tf" and len(words) >= 3:
                    font = words[-3]
                elif (line.endswith("TJ") or line.endswith("Tj")) and font in mono:
                    seen[colour] += 1
    for c, n in seen.most_common():
        print("%g %g %g %d" % (c[0], c[1], c[2], n))


if __name__ == "__main__":
    main()
