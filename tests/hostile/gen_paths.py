#!/usr/bin/env python3
"""Writes the books for tests/e2e/hostile_paths.sh into OUTDIR: links that
leave the book, FIFOs and sockets where files are expected, file names with
control bytes, big chapter folders, metadata that fails epubcheck, deep
YAML and CR-only line ends. OUTDIR/outside/ holds what lies outside every
book (a secret chapter, a secret image, a folder of chapters).

usage: gen_paths.py OUTDIR
"""
import os
import socket
import struct
import sys
import zlib

OUT = sys.argv[1]
SECRET = "SECRET-OUTSIDE-MARKER"


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)


def png(width, height):
    def chunk(kind, body):
        return (struct.pack(">I", len(body)) + kind + body +
                struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    rows = b"".join(b"\0" + bytes([200, 40, 40]) * width for _ in range(height))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) +
            chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def book(name, yaml, chapters=None):
    """A book folder; chapters maps book-relative paths to text."""
    root = os.path.join(OUT, name)
    write(os.path.join(root, "book.yaml"), yaml)
    for rel, text in (chapters or {}).items():
        write(os.path.join(root, rel), text)
    return root


CH = "# Chapter\n\nSome ordinary text.\n"
BASIC = "title: T\nchapters:\n  - chapters/a.md\n"

# ---- outside every book ------------------------------------------------------
outside = os.path.join(OUT, "outside")
write(os.path.join(outside, "secret.md"), "# " + SECRET + "\n\n" + SECRET + "\n")
write(os.path.join(outside, "secret.png"), png(7, 5))
write(os.path.join(outside, "book.yaml"), "title: " + SECRET + "\nchapters: [secret.md]\n")
write(os.path.join(outside, "folder", "secret-name-01.md"), "# " + SECRET + "\n")


def deep_escape(root, link_rel, target_name):
    """20 nested folders of 250-character names inside the book, and links:
    link_rel -> d/<15 names>/x, x -> <5 more names>/esc, and esc -> enough
    ".." to climb out of the book to outside/target_name. Resolving link_rel
    passes through more than PATH_MAX characters, so realpath() fails with
    ENAMETOOLONG while open() follows every link (each is shorter than
    PATH_MAX)."""
    names = [chr(ord("a") + i % 26) * 250 for i in range(20)]
    top = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    fd, fds = top, []
    for name in ["d"] + names:  # one level at a time: the whole path is too long for mkdir
        os.mkdir(name, dir_fd=fd)
        fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
        fds.append(fd)
        if len(fds) == 16:  # in d/<15 names>/
            os.symlink("/".join(names[15:]) + "/esc", "x", dir_fd=fd)
    # from d/<20 names>/ up to the book's parent: 20 + 1 (d) + 1 (the book)
    os.symlink("../" * 22 + "outside/" + target_name, "esc", dir_fd=fd)
    for f in fds:
        os.close(f)
    depth = link_rel.count("/")
    os.symlink("../" * depth + "d/" + "/".join(names[:15]) + "/x", link_rel, dir_fd=top)
    os.close(top)


# ---- 1. confinement by construction -------------------------------------------
r = book("deep-chapter-escape", BASIC)
os.makedirs(os.path.join(r, "chapters"))
deep_escape(r, "chapters/a.md", "secret.md")

r = book("deep-image-escape", BASIC, {"chapters/a.md": CH + "\n![pic](../images/p.png)\n"})
os.makedirs(os.path.join(r, "images"))
deep_escape(r, "images/p.png", "secret.png")

# links that stay inside the book are followed
r = book("links-inside", BASIC + "cover: images/cover.png\n",
         {"real/a.md": CH + "\n![pic](../images/p.png)\n", "assets/sub/p.png": png(8, 8)})
os.makedirs(os.path.join(r, "chapters"))
os.makedirs(os.path.join(r, "images"))
os.symlink("../real/a.md", os.path.join(r, "chapters", "a.md"))
os.symlink("../assets/sub/../sub/p.png", os.path.join(r, "images", "p.png"))
os.symlink("p.png", os.path.join(r, "images", "cover.png"))

# a link cycle inside the book
r = book("link-loop", BASIC)
os.makedirs(os.path.join(r, "chapters"))
os.symlink("b.md", os.path.join(r, "chapters", "a.md"))
os.symlink("a.md", os.path.join(r, "chapters", "b.md"))

# ---- 2. only regular files ----------------------------------------------------
r = book("fifo-chapter", BASIC)
os.makedirs(os.path.join(r, "chapters"))
os.mkfifo(os.path.join(r, "chapters", "a.md"))

r = book("fifo-image", BASIC, {"chapters/a.md": CH + "\n![pic](../images/p.png)\n"})
os.makedirs(os.path.join(r, "images"))
os.mkfifo(os.path.join(r, "images", "p.png"))

r = book("fifo-cover", "title: T\ncover: images/c.png\nchapters:\n  - chapters/a.md\n",
         {"chapters/a.md": CH})
os.makedirs(os.path.join(r, "images"))
os.mkfifo(os.path.join(r, "images", "c.png"))

r = os.path.join(OUT, "fifo-yaml")
os.makedirs(os.path.join(r, "chapters"))
write(os.path.join(r, "chapters", "a.md"), CH)
os.mkfifo(os.path.join(r, "book.yaml"))

os.mkfifo(os.path.join(OUT, "fifo-single.md"))

r = book("socket-chapter", BASIC)
os.makedirs(os.path.join(r, "chapters"))
here = os.getcwd()
os.chdir(os.path.join(r, "chapters"))  # AF_UNIX paths are short: bind by a relative name
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind("a.md")
s.close()
os.chdir(here)

# a character device (like /dev/null) where a chapter is expected, where
# mknod is permitted (root, outside a user namespace)
r = book("device-chapter", BASIC)
os.makedirs(os.path.join(r, "chapters"))
try:
    os.mknod(os.path.join(r, "chapters", "a.md"), 0o644 | 0o020000, os.makedev(1, 3))
except OSError:
    os.rmdir(os.path.join(r, "chapters"))
    os.rename(r, r + "-skipped")

r = book("dir-chapter", BASIC)
os.makedirs(os.path.join(r, "chapters", "a.md"))

# ---- 3. book.yaml and chapters/ that leave the book ---------------------------
r = os.path.join(OUT, "yaml-link-out")
write(os.path.join(r, "chapters", "a.md"), CH)
os.symlink("../outside/book.yaml", os.path.join(r, "book.yaml"))

r = os.path.join(OUT, "yaml-link-environ")
write(os.path.join(r, "chapters", "a.md"), CH)
os.symlink("/proc/self/environ", os.path.join(r, "book.yaml"))

r = book("chapters-dir-out", "title: T\n")
os.symlink("../outside/folder", os.path.join(r, "chapters"))

# ---- 4. control characters in messages -----------------------------------------
# a listed chapter whose name holds ESC, BEL and a C1 CSI (no such file); an
# image whose name holds an OSC title sequence; the book folder's own name
# holds ESC and a byte that is not UTF-8 (so does every path in a message)
r = book("control-name", "title: T\nchapters:\n  - chapters/ok.md\n"
         "  - \"chapters/\\e[31mred\\a\\u009b.md\"\n", {"chapters/ok.md": CH})
os.rename(r.encode(), os.path.join(OUT, "control-").encode() + b"\x1b[2J\xff")
book("control-image", BASIC, {"chapters/a.md": CH + "\n![x](<\x1b]0;owned\x07.png>)\n"})

# ---- 5. a big chapter folder ----------------------------------------------------
r = book("many-chapters", "title: T\n")
d = os.path.join(r, "chapters")
os.makedirs(d)
for i in range(10050):
    with open(os.path.join(d, "c%05d.md" % i), "w") as f:
        f.write("# C%d\n" % i)

# a small folder listed in an order other than the names': taken by name
r = book("listed-sorted", "title: T\n")
d = os.path.join(r, "chapters")
os.makedirs(d)
for i in (3, 1, 4, 15, 9, 2, 6, 5):
    with open(os.path.join(d, "%02d.md" % i), "w") as f:
        f.write("# Part %02d\n\nText %02d.\n" % (i, i))

# ---- 6. metadata validated at load ------------------------------------------------
META = {
    "lang-double-hyphen": "language: a--b\n",
    "lang-trailing-hyphen": "language: en-\n",
    "lang-ten-letters": "language: abcdefghij\n",
    "lang-bad-region": "language: en-USA1\n",
    "title-controls": "title: \"\\x01\\x02\\e\"\n",
    "title-blank": "title: \"   \"\n",
    "identifier-spaces": "identifier: \"     \"\n",
    "author-empty": "author:\n  - Ann\n  - \"\"\n",
    "rights-empty": "rights: \"\"\n",
    "slug-long": "slug: " + "s" * 250 + "\n",
    "slug-slash": "slug: a/b\n",
}
for name, line in META.items():
    book("meta-" + name, "chapters:\n  - chapters/a.md\n" + line, {"chapters/a.md": CH})
# well-formed tags that must pass
book("meta-lang-good", "title: T\nlanguage: zh-Hant-TW-x-private\nchapters:\n  - chapters/a.md\n",
     {"chapters/a.md": CH})

# ---- 7. deep YAML -------------------------------------------------------------------
n = 100000
book("yaml-deep-flow", "title: T\nchapters:\n  - chapters/a.md\nx: " + "[" * n + "]" * n + "\n",
     {"chapters/a.md": CH})
book("yaml-deep-block", "title: T\nchapters:\n  - chapters/a.md\nx:\n" +
     "".join("  " * i + "- \n" for i in range(1, 200)), {"chapters/a.md": CH})

# ---- 8. CR-only line ends ------------------------------------------------------------
# an invalid byte on line 4, column 7, and a link to a missing heading on line 6
book("cr-only", "title: T\rchapters:\r  - chapters/a.md\r",
     {"chapters/a.md": b"# Title\r\rFirst.\rSecond \xff here.\r\r[x](#nowhere)\r"})
book("crlf-mixed", "title: T\nchapters:\n  - chapters/a.md\n",
     {"chapters/a.md": b"# Title\r\n\rFirst.\nSecond \xff here.\r\n"})
# front matter with CR-only line ends: recognised, its error at the file's line 3
write(os.path.join(OUT, "cr-front.md"), "---\rtitle: T\rlanguage: a--b\r---\r# Hi\r\rText.\r")
