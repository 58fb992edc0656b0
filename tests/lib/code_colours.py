"""Fill colours of the text drawn in the monospace (code) faces of a PDF.

    python3 -I code_colours.py QPDF_JSON

QPDF_JSON is `qpdf --json=2 --json-stream-data=inline --decode-level=generalized`
output. Prints one line per distinct colour, "R G B COUNT" (the fill colour
in force when a TJ/Tj drew text in a font whose BaseFont names DejaVu Sans
Mono), most used first. The colour is set by `rg`, `g`, or `sc`/`scn` in a
colour space the page's resources name (`cs`): DeviceRGB, DeviceGray, or
an Indexed space over DeviceRGB (octavo's /Hl, highlighted code's palette),
whose lookup string is read from qpdf's "b:" (hex) or "u:" form.
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

    def value(v):
        """v itself, or the value of the object it refers to."""
        if isinstance(v, str) and v.endswith(" R"):
            return obj(v).get("value", {})
        return v

    def lookup_bytes(v):
        v = value(v)
        if isinstance(v, str) and v.startswith("b:"):
            return bytes.fromhex(v[2:])
        if isinstance(v, str) and v.startswith("u:"):
            return v[2:].encode("latin-1")
        raise SystemExit("unreadable lookup: %r" % (v,))

    def in_space(space, operands):
        """The RGB of `operands` in colour space `space` (a resource value)."""
        space = value(space)
        if space in ("/DeviceRGB", "/RGB") and len(operands) == 3:
            return tuple(round(float(w), 3) for w in operands)
        if space in ("/DeviceGray", "/G") and len(operands) == 1:
            v = round(float(operands[0]), 3)
            return (v, v, v)
        if isinstance(space, list) and value(space[0]) == "/Indexed" and len(operands) == 1:
            if value(space[1]) not in ("/DeviceRGB", "/RGB"):
                raise SystemExit("Indexed over %r: not read here" % (space[1],))
            table, i = lookup_bytes(space[3]), int(operands[0])
            if not 0 <= i <= int(value(space[2])) or 3 * i + 3 > len(table):
                raise SystemExit("index %d outside the palette" % i)
            return tuple(round(table[3 * i + k] / 255, 3) for k in range(3))
        raise SystemExit("colour %r in space %r: not read here" % (operands, space))

    seen = collections.Counter()
    for page in d["pages"]:
        res = inherited(objs, page["object"], "/Resources") or {}
        if isinstance(res, str):
            res = obj(res).get("value", {})
        fonts = res.get("/Font", {})
        if isinstance(fonts, str):
            fonts = obj(fonts).get("value", {})
        spaces = value(res.get("/ColorSpace", {}))
        mono = set()
        for name, ref in fonts.items():
            base = obj(ref).get("value", {}).get("/BaseFont", "")
            if "Mono" in base:
                mono.add(name)
        colour, font, space = (0.0, 0.0, 0.0), None, "/DeviceGray"
        for ref in page["contents"]:
            data = base64.b64decode(obj(ref)["stream"]["data"]).decode("latin-1")
            for line in data.split("\n"):
                words = line.split()
                if not words:
                    continue
                op = words[-1]
                if op == "rg" and len(words) == 4:
                    colour, space = in_space("/DeviceRGB", words[:3]), "/DeviceRGB"
                elif op == "g" and len(words) == 2:
                    colour, space = in_space("/DeviceGray", words[:1]), "/DeviceGray"
                elif op == "cs" and len(words) == 2:
                    name = words[0]
                    space = name if name in ("/DeviceRGB", "/DeviceGray") else spaces[name]
                    # the initial colour: black, or an Indexed space's entry 0
                    colour = (0.0, 0.0, 0.0)
                    if isinstance(value(space), list):
                        colour = in_space(space, ["0"])
                elif op in ("sc", "scn"):
                    colour = in_space(space, words[:-1])
                elif op == "Tf" and len(words) >= 3:
                    font = words[-3]
                elif (line.endswith("TJ") or line.endswith("Tj")) and font in mono:
                    seen[colour] += 1
    for c, n in seen.most_common():
        print("%g %g %g %d" % (c[0], c[1], c[2], n))


if __name__ == "__main__":
    main()
