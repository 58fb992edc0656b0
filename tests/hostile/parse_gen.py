#!/usr/bin/env python3
"""Writes the books for tests/e2e/hostile_parse.sh into OUTDIR: the input
shapes cmark-gfm 0.29.0.gfm.6 blows up on, their ordinary neighbours that
must still build, a 200 MB chapter, strings too long for PDF objects, and a
small book for the output-commit cases. Generated at run time, nothing
committed but this script.

usage: parse_gen.py OUTDIR
"""
import os
import sys


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def book(out, name, chapter, meta=""):
    """A book folder OUTDIR/NAME with one chapter, chapters/a.md."""
    root = os.path.join(out, name)
    write(os.path.join(root, "book.yaml"),
          "title: Case %s\nslug: %s\n%schapters:\n  - chapters/a.md\n" % (name, name, meta))
    write(os.path.join(root, "chapters", "a.md"), chapter)


def row(cells, text="a"):
    return "|" + "|".join(text for _ in range(cells)) + "|\n"


def delim(cells):
    return "|" + "|".join("-" for _ in range(cells)) + "|\n"


def main():
    out = sys.argv[1]
    intro = "# Case\n\nSome text.\n\n"  # lines 1-4; what follows starts on line 5

    # --- cmark-gfm's blow-ups: an error at the line named in the comment ---
    # 3 rows of 50,000 cells: the delimiter row (line 6) makes cmark-gfm read
    # the header row, each cell appended by walking the row's list
    book(out, "table-wide-rows", intro + row(50000) + delim(50000) + row(50000))
    # one paragraph of lines that look like delimiter rows but never match
    # the line above: each one re-reads the paragraph; the guard stops it
    book(out, "table-delimiter-lines", intro + "text|" * 2000 + "\n" + "-|-\n|-|\n" * 2000)
    # a 5,000-column header and 5,000 rows of one cell: filled to 25 million
    book(out, "table-short-rows", intro + row(5000, "h") + delim(5000) + "x\n" * 5000)
    # one 100 KB reference destination used 20,000 times (2 GB of copies);
    # the definition is on line 5, the uses on line 7
    book(out, "reference-bomb", intro + "[r]: /" + "u" * 100000 + "\n\n" + "[r] " * 20000 + "\n")

    # text nested 50,000 block quotes deep: each inline node walks them all
    book(out, "nesting-text", intro + ">" * 50000 + "a*" * 50000 + "\n")
    # 70,000 image openers never closed, each followed by a link
    book(out, "image-openers", intro + "![[]()" * 70000 + "\n")

    # --- their ordinary neighbours: built, no error ---
    # 40 quotes deep, 100 KB of emphasised text inside
    book(out, "nesting-ok", intro + "> " * 40 + "*a* b " * 17000 + "\n")
    # 50,000 link openers never closed, then 50,000 links: cheap for cmark-gfm
    book(out, "brackets-ok", intro + "[" * 50000 + "a" + "](b)" * 50000 + "\n")
    # 400 columns x 60 rows, every cell written
    book(out, "table-wide-ok", intro + row(400, "h") + delim(400) + row(400, "cell") * 60)
    # short rows under a 12-column header: filled, as GitHub does
    book(out, "table-short-ok", intro + row(12, "h") + delim(12) + "| a | b |\n" * 3000)
    # a table whose rows include delimiter-like separators
    book(out, "table-separators-ok",
         intro + "| a | b |\n|---|---|\n" + "| 1 | 2 |\n|---|---|\n" * 2000)
    # a 2 KB reference destination used 2,000 times, and 3,000 short ones
    refs = "[long]: https://example.com/" + "p" * 2000 + ' "A title"\n\n'
    refs += "".join("[r%d]: https://example.com/%d\n" % (i, i) for i in range(3000)) + "\n"
    refs += "See [long] and [this][long].\n\n" * 1000
    refs += "".join("Link [r%d] and [text][R%d].\n\n" % (i, i) for i in range(3000))
    book(out, "references-ok", intro + refs)

    # --- a 200 MB chapter: an error at the line where the book passes 64 MiB ---
    para = "lorem ipsum dolor sit amet consectetur adipiscing elit " * 20 + "\n\n"
    root = os.path.join(out, "chapter-200mb")
    write(os.path.join(root, "book.yaml"),
          "title: Big\nslug: chapter-200mb\nchapters:\n  - chapters/a.md\n")
    os.makedirs(os.path.join(root, "chapters"), exist_ok=True)
    with open(os.path.join(root, "chapters", "a.md"), "w", encoding="utf-8") as f:
        f.write("# Big\n\n")
        for _ in range(200 * 1024 * 1024 // len(para) + 1):
            f.write(para)

    # --- legitimate strings too long for PDF objects: built, with warnings ---
    # a 100 KB heading of 2-, 3- and 4-byte characters (the cut must fall on
    # a character boundary, and a surrogate pair must stay whole)
    head = "Ωmega ‘quoted’ 😀 " * 4500
    book(out, "long-heading", "# " + head + "\n\nText under it.\n")
    write(os.path.join(out, "long-heading.expected"), head.strip())
    book(out, "long-title", intro)
    with open(os.path.join(out, "long-title", "book.yaml"), "w", encoding="utf-8") as f:
        f.write("title: %s\nslug: long-title\nchapters:\n  - chapters/a.md\n"
                % ("Title word " * 100000))
    authors = ", ".join("Author Number %d of a long list of contributors, with roles" % i
                        for i in range(1000))
    book(out, "many-authors", intro, "author: [%s]\n" % authors)
    book(out, "long-autolink", intro + "See www." + "a" * 70000 + ".com for it, and "
         "<https://example.com/short> too.\n")

    # --- the output commit: a small book ---
    book(out, "small", intro)


if __name__ == "__main__":
    main()
