"""The pages of an octavo PDF share their fonts and their size.

    python3 -I check_page_resources.py PDF

Every page's /Resources and /MediaBox, found on the page or up its /Parent
chain (ISO 32000-1, 7.7.3.4), must name one and the same /Font dictionary
and one page size, with no /ProcSet; only a page with an image has
resources of its own. Prints a summary line and exits 0, or prints the
problems and exits 1.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from page_tree import inherited  # noqa: E402


def main():
    pdf = sys.argv[1]
    out = subprocess.run(["qpdf", "--json=2", "--json-key=qpdf", "--json-key=pages", pdf],
                         check=True, capture_output=True, text=True).stdout
    d = json.loads(out)
    objs = d["qpdf"][1]

    def value(ref):
        return objs.get("obj:" + ref, {}).get("value", {}) if isinstance(ref, str) else ref

    problems, fonts, boxes, own = [], set(), set(), 0
    for n, page in enumerate(d["pages"], 1):
        ref = page["object"]
        res = inherited(objs, ref, "/Resources")
        if res is None:
            problems.append(f"page {n}: no /Resources")
            continue
        if "/Resources" in value(ref):
            own += 1
            if "/XObject" not in value(res):
                problems.append(f"page {n}: resources of its own without an image")
        if "/ProcSet" in value(res):
            problems.append(f"page {n}: /ProcSet")
        font = value(res).get("/Font")
        if not isinstance(font, str):
            problems.append(f"page {n}: its /Font dictionary is not the shared one ({font!r})")
        else:
            fonts.add(font)
        box = inherited(objs, ref, "/MediaBox")
        if box is None:
            problems.append(f"page {n}: no /MediaBox")
        else:
            boxes.add(json.dumps(value(box)))
    if len(fonts) > 1:
        problems.append(f"{len(fonts)} /Font dictionaries, not one: {sorted(fonts)[:5]}")
    if len(boxes) > 1:
        problems.append(f"{len(boxes)} page sizes: {sorted(boxes)[:3]}")
    for p in problems[:10]:
        print(p)
    if problems:
        sys.exit(1)
    print(f"{len(d['pages'])} pages share one /Font dictionary and one page size "
          f"({own} with an image have resources of their own)")


if __name__ == "__main__":
    main()
