#!/usr/bin/env python3
"""Seeds for fuzz_book_epub: each book folder given becomes one input, its
book.yaml and chapters joined by NUL bytes, renamed to the fuzz target's
in-memory folder (chapters/c1.md, c2.md, ...; links between chapters follow
the new names; every image cited becomes one the folder has, so the seed
loads cleanly and the fuzzer starts from books that reach the renderers).

usage: book_seeds.py OUTDIR BOOKDIR..."""
import os
import re
import sys

# run as `python3 -I`: the script's own folder is not on sys.path, so it is
# appended (after the standard library) to find its sibling yaml_lite.py
sys.path.append(os.path.dirname(os.path.abspath(__file__)))
import yaml_lite  # noqa: E402


def main():
    out, books = sys.argv[1], sys.argv[2:]
    for book in books:
        with open(os.path.join(book, "book.yaml"), encoding="utf-8") as f:
            meta = f.read()
        chapters = yaml_lite.chapters(meta)[:8]
        names = {os.path.basename(c): f"c{i + 1}.md" for i, c in enumerate(chapters)}
        meta = re.sub(r"(?ms)^chapters:.*", "chapters:\n" + "".join(
            f"  - chapters/c{i + 1}.md\n" for i in range(len(chapters))), meta)
        meta = re.sub(r"(?m)^cover:.*$", "cover: cover.png", meta)
        parts = [meta]
        for c in chapters:
            with open(os.path.join(book, c), encoding="utf-8") as f:
                text = f.read()
            for old, new in names.items():
                text = text.replace(old, new)
            text = re.sub(r"\]\(([^)\s]+\.(?:png|jpe?g))", "](../images/a.png", text)
            parts.append(text)
        name = re.sub(r"[^A-Za-z0-9]+", "_", os.path.normpath(book))
        with open(os.path.join(out, f"book-{name}"), "wb") as f:
            f.write(b"\0".join(p.encode("utf-8") for p in parts))


main()
