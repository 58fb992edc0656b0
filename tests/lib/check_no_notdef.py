#!/usr/bin/env python3
"""Checks that a PDF octavo wrote draws no glyph 0 (.notdef, the empty box):
every string shown by Tj or TJ in every page's content stream is a run of
2-byte codes (octavo's fonts are Type0 with Identity-H, the code being the
glyph's id in the font file), and none of them is 0. Prints the number of
glyphs drawn; exit 1 when some glyph 0 is drawn or a string has an odd
length.

usage: check_no_notdef.py FILE.pdf"""
import base64
import json
import subprocess
import sys


def objects(pdf):
    out = subprocess.run(
        ["qpdf", "--json-output", "--json-stream-data=inline", "--decode-level=generalized", pdf, "-"],
        check=True, capture_output=True).stdout
    return json.loads(out)["qpdf"][1]


def literal(data, i):
    """The literal string starting after '(' at data[i]; (bytes, next index)."""
    out = bytearray()
    depth = 1
    while i < len(data):
        c = data[i]
        if c == 0x5C:  # backslash
            i += 1
            e = data[i]
            simple = {ord("n"): 10, ord("r"): 13, ord("t"): 9, ord("b"): 8, ord("f"): 12}
            if e in simple:
                out.append(simple[e])
            elif 0x30 <= e <= 0x37:
                j = i
                while j < i + 3 and j < len(data) and 0x30 <= data[j] <= 0x37:
                    j += 1
                out.append(int(data[i:j], 8) & 0xFF)
                i = j - 1
            elif e in (10, 13):
                pass
            else:
                out.append(e)
        elif c == 0x28:
            depth += 1
            out.append(c)
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return bytes(out), i + 1
            out.append(c)
        else:
            out.append(c)
        i += 1
    return bytes(out), i


def strings(content):
    """Every string in the content stream (text is all we write in strings)."""
    i = 0
    while i < len(content):
        c = content[i]
        if c == 0x28:
            s, i = literal(content, i + 1)
            yield s
            continue
        if c == 0x3C and i + 1 < len(content) and content[i + 1] != 0x3C:
            j = content.index(b">", i)
            hexs = bytes(ch for ch in content[i + 1:j] if chr(ch) in "0123456789abcdefABCDEF")
            if len(hexs) % 2:
                hexs += b"0"
            yield bytes.fromhex(hexs.decode())
            i = j + 1
            continue
        if c == 0x3C:  # a dictionary (/ActualText strings are in hex inside it)
            j = content.index(b">>", i)
            i = j + 2
            continue
        i += 1


def main():
    objs = objects(sys.argv[1])
    glyphs = zeros = odd = pages = 0
    for v in objs.values():
        d = v.get("value") if isinstance(v, dict) else None
        if not isinstance(d, dict) or d.get("/Type") != "/Page":
            continue
        pages += 1
        refs = d.get("/Contents")
        refs = refs if isinstance(refs, list) else [refs]
        for ref in refs:
            st = objs.get("obj:" + ref) if isinstance(ref, str) else None
            if not st or "stream" not in st:
                continue
            content = base64.b64decode(st["stream"]["data"])
            for s in strings(content):
                if len(s) % 2:
                    odd += 1
                    continue
                for k in range(0, len(s), 2):
                    glyphs += 1
                    if s[k] == 0 and s[k + 1] == 0:
                        zeros += 1
    if zeros or odd or glyphs == 0:
        print(f"{zeros} glyph 0 drawn, {odd} strings of odd length, {glyphs} glyphs on {pages} pages")
        sys.exit(1)
    print(f"no glyph 0 among {glyphs} glyphs drawn on {pages} pages")


main()
