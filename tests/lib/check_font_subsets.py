#!/usr/bin/env python3
"""Checks the fonts embedded in a PDF octavo wrote: for every Type0 font,
every code its ToUnicode map lists (the codes drawn: glyph ids of the font
file, each mapped to the characters it stands for) goes through the
CIDToGIDMap to a glyph whose outline is in the embedded font program
(glyphs standing for spaces and zero-width format characters may have
empty ones), with
the components of composite glyphs too, to any depth; the program holds
those glyphs and .notdef and no others (a subset, not the whole font with
empty slots), no table a PDF viewer never reads (OpenType and Graphite
layout, kerning), and the CIDToGIDMap ends at the highest code drawn.
Prints one line per font; exit 1 on any failure.

usage: check_font_subsets.py FILE.pdf"""
import base64
import json
import re
import struct
import subprocess
import sys
import unicodedata

DROPPED = {b"GSUB", b"GPOS", b"GDEF", b"kern", b"Silf", b"Glat", b"Gloc", b"Feat", b"Sill"}


def objects(pdf):
    out = subprocess.run(
        ["qpdf", "--json-output", "--json-stream-data=inline", "--decode-level=generalized", pdf, "-"],
        check=True, capture_output=True).stdout
    return json.loads(out)["qpdf"][1]


def deref(objs, ref):
    return objs.get("obj:" + ref) if isinstance(ref, str) else ref


def stream_bytes(objs, ref):
    return base64.b64decode(deref(objs, ref)["stream"]["data"])


def tables(font):
    n = struct.unpack(">H", font[4:6])[0]
    t = {}
    for i in range(n):
        tag, _, off, ln = struct.unpack(">4sIII", font[12 + 16 * i:28 + 16 * i])
        t[tag] = (off, ln)
    return t


def outlines(font):
    """(glyph count, function gid -> glyph bytes)."""
    t = tables(font)
    long_loca = struct.unpack(">h", font[t[b"head"][0] + 50:t[b"head"][0] + 52])[0] != 0
    n = struct.unpack(">H", font[t[b"maxp"][0] + 4:t[b"maxp"][0] + 6])[0]
    lo, go = t[b"loca"][0], t[b"glyf"][0]

    def glyph(g):
        if g >= n:
            return b""
        if long_loca:
            a, b = struct.unpack(">II", font[lo + 4 * g:lo + 4 * g + 8])
        else:
            a, b = (2 * x for x in struct.unpack(">HH", font[lo + 2 * g:lo + 2 * g + 4]))
        return font[go + a:go + b]
    return n, glyph


def components(data):
    if len(data) < 10 or struct.unpack(">h", data[:2])[0] >= 0:
        return []
    out, p, more = [], 10, True
    while more and p + 4 <= len(data):
        flags, gid = struct.unpack(">HH", data[p:p + 4])
        out.append(gid)
        p += 4 + (4 if flags & 1 else 2)
        p += 2 if flags & 8 else 4 if flags & 0x40 else 8 if flags & 0x80 else 0
        more = bool(flags & 0x20)
    return out


def drawn_codes(cmap):
    """{code: the text it stands for}"""
    codes = {}
    text = cmap.decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(r"<([0-9A-Fa-f]{4})>\s*<([0-9A-Fa-f]+)>", block):
            codes[int(src, 16)] = bytes.fromhex(dst).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for line in block.strip().splitlines():
            a, b, dst = re.findall(r"<([0-9A-Fa-f]+)>", line)[:3]
            for k in range(int(b, 16) - int(a, 16) + 1):
                codes[int(a, 16) + k] = chr(int(dst, 16) + k)
    return codes


def main():
    objs = objects(sys.argv[1])
    bad = 0
    fonts = 0
    for v in objs.values():
        d = v.get("value") if isinstance(v, dict) else None
        if not isinstance(d, dict) or d.get("/Subtype") != "/Type0":
            continue
        fonts += 1
        name = d.get("/BaseFont")
        desc_font = deref(objs, d["/DescendantFonts"][0] if isinstance(d["/DescendantFonts"], list)
                          else deref(objs, d["/DescendantFonts"])["value"][0])["value"]
        fd = deref(objs, desc_font["/FontDescriptor"])["value"]
        prog = stream_bytes(objs, fd["/FontFile2"])
        gidmap = stream_bytes(objs, desc_font["/CIDToGIDMap"])
        codes = drawn_codes(stream_bytes(objs, d["/ToUnicode"]))
        t = tables(prog)
        problems = [f"keeps table {tag.decode()}" for tag in sorted(DROPPED & set(t))]
        n, glyph = outlines(prog)
        want = {0}
        for c, chars in codes.items():
            gid = struct.unpack(">H", gidmap[2 * c:2 * c + 2])[0] if 2 * c + 2 <= len(gidmap) else 0
            if gid == 0:
                problems.append(f"code {c:04X} ({chars!r}) maps to no glyph")
                continue
            if not glyph(gid) and not all(unicodedata.category(ch) in ("Zs", "Cf", "Cc")
                                          for ch in chars):
                problems.append(f"code {c:04X} ({chars!r}): glyph {gid} has no outline")
            want.add(gid)
        todo = list(want)
        while todo:
            for comp in components(glyph(todo.pop())):
                if comp not in want:
                    want.add(comp)
                    todo.append(comp)
                    if comp >= n or not glyph(comp):
                        problems.append(f"component glyph {comp} has no outline")
        if n != len(want):
            problems.append(f"{n} glyphs in the program for {len(want)} used")
        if len(gidmap) != 2 * (max(codes) + 1):
            problems.append(f"CIDToGIDMap of {len(gidmap) // 2} codes for a highest code "
                            f"{max(codes):04X}")
        print(f"{name}: {len(codes)} codes, {len(want)} glyphs, program {len(prog)} bytes"
              + ("" if not problems else ": " + "; ".join(problems[:5])))
        bad += bool(problems)
    if fonts == 0:
        print("no Type0 fonts")
        bad = 1
    sys.exit(1 if bad else 0)


main()
