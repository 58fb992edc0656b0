#!/usr/bin/env python3
"""Writes the hostile-input books for tests/e2e/hostile.sh into OUTDIR.

Every case is a folder OUTDIR/NAME holding a book (book.yaml, chapters/,
images/), or a single .md file OUTDIR/NAME.md. Everything is generated here
at run time, from fixed seeds, so nothing large is committed.

usage: gen.py OUTDIR
"""
import os
import random
import struct
import sys
import zlib


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def png(width, height, rng=None):
    """A valid RGB PNG; random pixels (incompressible) when rng is given."""
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    rows = b""
    for y in range(height):
        if rng:
            rows += b"\0" + rng.randbytes(width * 3)
        else:
            rows += b"\0" + bytes((x * 40 + y * 7) & 0xFF for x in range(width * 3))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(rows, 0 if rng else 9)) + chunk(b"IEND", b""))


def jpeg():
    """A valid 8x8 grey baseline JPEG: one DC and one AC Huffman code, one
    block whose DC difference is 0 followed by end-of-block."""
    dqt = b"\xff\xdb\x00\x43\x00" + b"\x01" * 64
    sof = b"\xff\xc0\x00\x0b\x08\x00\x08\x00\x08\x01\x01\x11\x00"
    counts = b"\x01" + b"\x00" * 15
    dht_dc = b"\xff\xc4\x00\x14\x00" + counts + b"\x00"
    dht_ac = b"\xff\xc4\x00\x14\x10" + counts + b"\x00"
    sos = b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00"
    return b"\xff\xd8" + dqt + sof + dht_dc + dht_ac + sos + b"\x3f" + b"\xff\xd9"


def book(out, name, chapter=None, yaml=None, chapters=("chapters/a.md",), extra=None):
    """A book folder; `chapter` is the text (or bytes) of chapters/a.md."""
    root = os.path.join(out, name)
    if yaml is None:
        yaml = "title: Case %s\nslug: %s\nchapters:\n" % (name, name)
        yaml += "".join("  - %s\n" % c for c in chapters)
    write(os.path.join(root, "book.yaml"), yaml)
    if chapter is not None:
        write(os.path.join(root, "chapters", "a.md"), chapter)
    for rel, data in (extra or {}).items():
        write(os.path.join(root, rel), data)
    return root


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rng = random.Random(20261126)
    good_png, good_jpeg = png(16, 12), jpeg()
    intro = "# Chapter\n\nSome ordinary text before the trouble.\n\n"

    # --- files and paths -------------------------------------------------
    book(out, "missing-chapter", intro, chapters=("chapters/a.md", "chapters/nope.md"))
    book(out, "missing-image", intro + "![gone](../images/nope.png)\n")
    book(out, "chapter-dotdot", intro, chapters=("chapters/a.md", "../outside.md"))
    book(out, "chapter-dotdot-deep", intro, chapters=("chapters/a.md", "chapters/../../outside.md"))
    book(out, "chapter-absolute", intro, chapters=("chapters/a.md", "/etc/passwd"))
    root = book(out, "chapter-symlink", intro, chapters=("chapters/a.md", "chapters/link.md"))
    write(os.path.join(out, "outside.md"), "# Secret outside the book\n")
    os.symlink(os.path.join(out, "outside.md"), os.path.join(root, "chapters", "link.md"))
    book(out, "image-dotdot", intro + "Text.\n\n![x](../../outside.png)\n")
    write(os.path.join(out, "outside.png"), good_png)
    book(out, "image-absolute", intro + "![x](%s)\n" % os.path.join(out, "outside.png"))
    root = book(out, "image-symlink", intro + "![x](../images/link.png)\n")
    os.makedirs(os.path.join(root, "images"))
    os.symlink(os.path.join(out, "outside.png"), os.path.join(root, "images", "link.png"))
    root = book(out, "image-symlink-dir", intro + "![x](../images/outside.png)\n")
    os.symlink(out, os.path.join(root, "images"))
    book(out, "cover-dotdot", intro,
         yaml="title: T\nslug: cover-dotdot\ncover: ../outside.png\nchapters: [chapters/a.md]\n")
    book(out, "image-percent-dotdot", intro + "![x](..%2F..%2Foutside.png)\n")

    # --- corrupt images ---------------------------------------------------
    bad_crc = bytearray(good_png)
    bad_crc[40] ^= 0xFF  # inside the IDAT body
    jpeg_scan = good_jpeg.index(b"\xff\xda")
    images = {
        "png-truncated": good_png[: len(good_png) // 2],
        "png-bad-crc": bytes(bad_crc),
        "png-garbage": b"\x89PNG\r\n\x1a\n" + rng.randbytes(4000),
        "png-empty": b"",
        "png-is-text": b"this is not an image at all\n",
        "jpeg-truncated": good_jpeg[:jpeg_scan - 3],
        "jpeg-garbage": b"\xff\xd8" + rng.randbytes(4000) + b"\xff\xd9",
    }
    for name, data in images.items():
        ext = "jpg" if name.startswith("jpeg") else "png"
        book(out, name, intro + "Before.\n\n![broken](../images/b.%s)\n" % ext,
             extra={"images/b.%s" % ext: data})
    book(out, "images-valid", intro + "![png](../images/p.png \"A PNG\")\n\n![jpg](../images/j.jpg)\n",
         extra={"images/p.png": good_png, "images/j.jpg": good_jpeg})

    # --- metadata ----------------------------------------------------------
    book(out, "yaml-unclosed", intro, yaml="title: T\nauthor: [a, b\nchapters: [chapters/a.md]\n")
    book(out, "yaml-tab", intro, yaml="title: T\nchapters:\n\t- chapters/a.md\n")
    book(out, "yaml-wrong-type", intro, yaml="title: T\nchapters: 5\n")
    book(out, "yaml-not-mapping", intro, yaml="- just\n- a list\n")
    book(out, "yaml-bad-utf8", intro, yaml=b"title: caf\xe9\nchapters: [chapters/a.md]\n")
    book(out, "yaml-garbage", intro, yaml=rng.randbytes(4096))
    book(out, "yaml-anchors", intro,
         yaml="a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
              "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c]\n"
              "author: *c\nchapters: [chapters/a.md]\n")
    write(os.path.join(out, "frontmatter-bad.md"), "---\ntitle: x\nbad: [\n---\n# Hi\n")
    write(os.path.join(out, "frontmatter-unclosed.md"), "---\ntitle: x\n\n# Hi\n")

    # --- text encodings -----------------------------------------------------
    # line 6, column 12: the first bad byte
    book(out, "invalid-utf8", intro.encode() + b"Line five is fine.\nA bad byte \xff\xfe here.\n")
    book(out, "overlong-utf8", intro.encode() + b"Overlong slash \xc0\xaf and surrogate \xed\xa0\x80.\n")
    book(out, "nul-bytes", intro.encode() + b"NUL\x00in\x00the middle.\n\x00\n")
    book(out, "empty-chapter", "")
    write(os.path.join(out, "empty-file.md"), "")
    book(out, "binary-garbage", rng.randbytes(64 * 1024))
    book(out, "bom-crlf", b"\xef\xbb\xbf# Title\r\n\r\nWindows text.\r\n")

    # --- pathological Markdown -----------------------------------------------
    book(out, "deep-quotes", intro + ">" * 20000 + " deep\n")
    book(out, "deep-lists", intro + "".join("  " * i + "- item\n" for i in range(3000)))
    book(out, "deep-ordered", intro + "".join("   " * i + "1. item\n" for i in range(3000)))
    book(out, "many-stars", intro + "*" * 50000 + "a" + "*" * 50000 + "\n")
    book(out, "many-stars-open", intro + "a" + "*" * 50000 + "\n")
    book(out, "many-brackets", intro + "[" * 30000 + "a" + "]" * 100 + "\n")
    book(out, "many-links", intro + "[a](#nowhere) " * 20000 + "\n")
    book(out, "many-headings", intro + "".join("## Same\n\n" for _ in range(3000)))
    book(out, "many-footnotes", intro + "".join("x[^%d] " % i for i in range(3000)) + "\n\n" +
         "".join("[^%d]: note %d\n" % (i, i) for i in range(3000)))
    words = ["lorem", "ipsum", "dolor", "sit", "amet", "consectetur", "adipiscing"]
    line = " ".join(words[rng.randrange(len(words))] for _ in range(5 * 1024 * 1024 // 6))
    book(out, "long-line", intro + line + "\n")
    book(out, "long-word", intro + "x" * 200000 + "\n")
    cols = 400
    table = "|" + "|".join("h%d" % i for i in range(cols)) + "|\n"
    table += "|" + "|".join("---" for _ in range(cols)) + "|\n"
    table += "".join("|" + "|".join("c%d" % i for i in range(cols)) + "|\n" for _ in range(3))
    book(out, "wide-table", intro + table)

    # --- active content and the network ---------------------------------------
    html = intro + """<script>alert('block')</script>

Inline <script>alert(1)</script> and <img src=https://example.com/x.png onerror="alert(2)"> here.

<a href="javascript:alert(3)" onclick="alert(4)">click</a>

[a link](javascript:alert(5)) and [another](JaVaScRiPt:alert(6)) and
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCg3KTwvc2NyaXB0Pg==) and
[vb](vbscript:msgbox) and <javascript:alert(8)> and [ok](https://example.com).

<iframe src="https://example.com"></iframe><svg onload=alert(9)></svg>

<style>body{display:none}</style>
"""
    book(out, "raw-html", html)
    book(out, "remote-image", intro + "![remote](https://example.com/x.png)\n\n"
         "![proto](//example.com/y.png)\n\n![file](file:///etc/passwd)\n")

    # --- books for the output cases ----------------------------------------------
    book(out, "small", intro + "A small book.\n")
    book(out, "small2", intro + "A different small book.\n",
         yaml="title: Case small\nslug: small\nchapters: [chapters/a.md]\n")
    # a book whose EPUB is large and incompressible (the PDF holds the same image)
    book(out, "heavy", intro + "![noise](../images/noise.png)\n",
         yaml="title: Case small\nslug: small\nchapters: [chapters/a.md]\n",
         extra={"images/noise.png": png(400, 400, rng)})
    # a book that takes a moment to build, for the signal cases
    chapters = ["chapters/c%02d.md" % i for i in range(40)]
    extra = {}
    for i, c in enumerate(chapters):
        paras = []
        for k in range(60):
            paras.append(" ".join(words[rng.randrange(len(words))] for _ in range(80)))
        extra[c] = "# Part %d\n\n## Section\n\n" % i + "\n\n".join(paras) + "\n"
    book(out, "big", None, chapters=chapters, extra=extra)

    # every built case in one book, the large ones scaled down, so that one
    # epubcheck run (seconds each) validates how all of them are rendered
    small_cases = {
        "many-links": intro + "[a](#nowhere) " * 300 + "\n",
        "many-headings": intro + "".join("## Same\n\n" for _ in range(200)),
        "many-footnotes": intro + "".join("x[^%d] " % i for i in range(200)) + "\n\n" +
                          "".join("[^%d]: note %d\n" % (i, i) for i in range(200)),
        "binary-garbage": rng.randbytes(4096),
        "long-word": intro + "x" * 20000 + "\n",
        "deep-lists": intro + "".join("  " * i + "- item\n" for i in range(200)),
        "deep-ordered": intro + "".join("   " * i + "1. item\n" for i in range(200)),
    }
    names = ["invalid-utf8", "overlong-utf8", "nul-bytes", "empty-chapter", "binary-garbage",
             "bom-crlf", "deep-quotes", "deep-lists", "deep-ordered", "many-stars",
             "many-stars-open", "many-brackets", "many-links", "many-headings", "many-footnotes",
             "long-word", "wide-table", "raw-html", "remote-image", "images-valid"]
    chapters, extra = [], {"images/p.png": good_png, "images/j.jpg": good_jpeg}
    for i, name in enumerate(names):
        rel = "chapters/%02d-%s.md" % (i + 1, name)
        chapters.append(rel)
        if name in small_cases:
            extra[rel] = small_cases[name]
        else:
            with open(os.path.join(out, name, "chapters", "a.md"), "rb") as f:
                extra[rel] = f.read()
    book(out, "all-cases", None, chapters=chapters, extra=extra)


if __name__ == "__main__":
    main()
