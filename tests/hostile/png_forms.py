"""PNG files of every form the standard allows, and malformed ones, written
by hand (zlib and struct only), for tests/e2e/hostile_images.sh and as
seeds for tests/fuzz/fuzz_png.c.

  png_forms.py books DIR      the books: DIR/valid (every allowed form, one
                              chapter), DIR/bad/CASE (one broken image each),
                              DIR/valid/expect.tsv and DIR/bad/cases.tsv
  png_forms.py big FILE       a valid 20,000 x 20,000 RGBA 16-bit PNG
  png_forms.py budget FILE    a valid 8,000 x 5,000 RGBA PNG (the pixel budget)
  png_forms.py wide-jpeg FILE a JPEG header 65,535 pixels wide
  png_forms.py seeds DIR      every generated PNG as a fuzz seed
  png_forms.py check VALID LIST EXTRACTED
                              compares what `pdfimages -png` extracted (in
                              EXTRACTED, listed by `pdfimages -list` in LIST)
                              with the pixels each form was made of

Every image is (40 + k) x 24 pixels, k its number, so the widths in the
PDF's image list tell which is which. Four quadrants: red, green, blue and a
fourth colour (yellow; the grey levels 0, 255, 85, 170), which is the tRNS
colour key when the form has one. 16-bit samples are v * 256 + 0x80, so a
reduction that took the low byte would show. Alpha, where the form has a
channel: 255, 255, 128, 0 by quadrant.
"""
import os
import struct
import sys
import zlib

H = 24
RGB = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
GREY = [0, 255, 85, 170]
ALPHA = [255, 255, 128, 0]
ALLOWED = {0: (1, 2, 4, 8, 16), 2: (8, 16), 3: (1, 2, 4, 8), 4: (8, 16), 6: (8, 16)}
CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}
ADAM7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
         (0, 1, 1, 2)]


def chunk(kind, body):
    crc = zlib.crc32(kind + body) & 0xFFFFFFFF
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)


def ihdr(w, h, depth, ctype, interlace=0):
    return chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, depth, ctype, 0, 0, interlace))


def s15(v):
    return struct.pack(">i", int(round(v * 65536)))


def icc_profile(grey):
    """A small but complete ICC v2 display profile: sRGB-like primaries and
    a 2.2 curve (RGB), or a 2.2 grey curve (GRAY)."""
    def desc(text):
        t = text.encode() + b"\0"
        return (b"desc\0\0\0\0" + struct.pack(">I", len(t)) + t + b"\0" * 8 + b"\0\0\0" +
                b"\0" * 67)
    xyz = lambda x, y, z: b"XYZ \0\0\0\0" + s15(x) + s15(y) + s15(z)
    curv = b"curv\0\0\0\0" + struct.pack(">IH", 1, 0x0233) + b"\0\0"
    tags = [(b"desc", desc("octavo test " + ("grey" if grey else "rgb"))),
            (b"cprt", b"text\0\0\0\0public domain\0\0\0"),
            (b"wtpt", xyz(0.9642, 1.0, 0.8249))]
    if grey:
        tags.append((b"kTRC", curv))
    else:
        tags += [(b"rXYZ", xyz(0.4361, 0.2225, 0.0139)), (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
                 (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)), (b"rTRC", curv), (b"gTRC", curv),
                 (b"bTRC", curv)]
    table, data = b"", b""
    off = 128 + 4 + 12 * len(tags)
    for sig, body in tags:
        body += b"\0" * (-len(body) % 4)
        table += sig + struct.pack(">II", off + len(data), len(body))
        data += body
    size = off + len(data)
    head = (struct.pack(">I", size) + b"\0" * 4 + struct.pack(">I", 0x02100000) + b"mntr" +
            (b"GRAY" if grey else b"RGB ") + b"XYZ " + b"\0" * 12 + b"acsp" + b"\0" * 24 +
            struct.pack(">I", 0) + s15(0.9642) + s15(1.0) + s15(0.8249) + b"\0" * 48)
    assert len(head) == 128
    return head + struct.pack(">I", len(tags)) + table + data


def quadrant(x, y, w):
    return (1 if x >= w // 2 else 0) + (2 if y >= H // 2 else 0)


def levels(depth):
    m = (1 << depth) - 1
    if depth == 1:
        return [0, 1, 1, 0]
    if depth == 16:
        return [v << 8 | 0x80 for v in GREY]
    return [0, m, m // 3, 2 * m // 3]


def palette_size(depth):
    return min(4, 1 << depth)


def samples(ctype, depth, x, y, w):
    """The file's sample values (one list per pixel) at x, y."""
    q = quadrant(x, y, w)
    if ctype == 0:
        return [levels(depth)[q]]
    if ctype == 3:
        return [q % palette_size(depth)]
    wide = (lambda v: v << 8 | 0x80) if depth == 16 else (lambda v: v)
    if ctype == 2:
        return [wide(v) for v in RGB[q]]
    if ctype == 4:
        return [wide(GREY[q]), wide(ALPHA[q])]
    return [wide(v) for v in RGB[q]] + [wide(ALPHA[q])]


def pack_row(vals, depth):
    """Flattened sample values of one row -> bytes."""
    if depth == 16:
        return b"".join(struct.pack(">H", v) for v in vals)
    if depth == 8:
        return bytes(vals)
    out, acc, n = bytearray(), 0, 0
    for v in vals:
        acc = acc << depth | v
        n += depth
        if n == 8:
            out.append(acc)
            acc, n = 0, 0
    if n:
        out.append(acc << (8 - n))
    return bytes(out)


def raw_image(ctype, depth, w, interlace, filt=0):
    """Filtered scanlines (filter type `filt` on every row, 0 or 1)."""
    bpp = max(1, CHANNELS[ctype] * depth // 8)
    passes = ADAM7 if interlace else [(0, 0, 1, 1)]
    out = bytearray()
    for x0, y0, dx, dy in passes:
        xs = list(range(x0, w, dx))
        if not xs:
            continue
        for y in range(y0, H, dy):
            row = pack_row([v for x in xs for v in samples(ctype, depth, x, y, w)], depth)
            if filt == 1:  # Sub
                row = bytes((row[i] - (row[i - bpp] if i >= bpp else 0)) & 255
                            for i in range(len(row)))
            out += bytes([filt]) + row
    return bytes(out)


def trns_chunk(ctype, depth):
    if ctype == 0:
        return chunk(b"tRNS", struct.pack(">H", levels(depth)[3]))
    if ctype == 2:
        wide = (lambda v: v << 8 | 0x80) if depth == 16 else (lambda v: v)
        return chunk(b"tRNS", struct.pack(">HHH", *[wide(v) for v in RGB[3]]))
    n = palette_size(depth)
    return chunk(b"tRNS", bytes([255, 128, 255, 0] if n == 4 else [128, 0]))


def plte_chunk(depth):
    n = palette_size(depth)
    cols = RGB if n == 4 else [RGB[0], RGB[1]]
    return chunk(b"PLTE", b"".join(bytes(c) for c in cols))


def make(ctype, depth, w, interlace=0, trns=False, extra=None, filt=0):
    """A valid PNG. extra: None, 'iccp', 'gama', 'ztxt' (zTXt and tEXt
    around the image data, bytes after IEND), 'split' (image data in three
    IDAT chunks and a tIME after them)."""
    out = b"\x89PNG\r\n\x1a\n" + ihdr(w, H, depth, ctype, interlace)
    if extra in ("iccp", "iccrgb"):  # iccrgb: an RGB profile, wrong for a grey image
        prof = zlib.compress(icc_profile(ctype in (0, 4) and extra == "iccp"))
        out += chunk(b"iCCP", b"octavo test\0\0" + prof)
    if extra == "gama":
        out += chunk(b"gAMA", struct.pack(">I", 45455))
    if extra == "ztxt":
        out += chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"made by png_forms.py " * 20))
    if ctype == 3:
        out += plte_chunk(depth)
    if trns:
        out += trns_chunk(ctype, depth)
    data = zlib.compress(raw_image(ctype, depth, w, interlace, filt))
    if extra == "split":
        k = len(data) // 3
        out += chunk(b"IDAT", data[:k]) + chunk(b"IDAT", data[k:2 * k]) + chunk(b"IDAT", data[2 * k:])
        out += chunk(b"tIME", struct.pack(">HBBBBB", 2026, 11, 29, 12, 0, 0))
    else:
        out += chunk(b"IDAT", data)
    if extra == "ztxt":
        out += chunk(b"tEXt", b"Author\0after the image data")
        out += chunk(b"zTXt", b"Note\0\0" + zlib.compress(b"also after"))
    out += chunk(b"IEND", b"")
    if extra == "ztxt":
        out += b"bytes after IEND"
    return out


def expected(ctype, depth, w, trns):
    """Per pixel: ((r, g, b), alpha) as 8-bit values the PDF should carry."""
    px = []
    for y in range(H):
        for x in range(w):
            q = quadrant(x, y, w)
            s = samples(ctype, depth, x, y, w)
            a = 255
            if ctype in (0, 4):
                if depth == 16:
                    g = s[0] >> 8
                else:
                    g = s[0] * 255 // ((1 << depth) - 1)
                c = (g, g, g)
                if ctype == 4:
                    a = ALPHA[q]
                elif trns and s[0] == levels(depth)[3]:
                    a = 0
            elif ctype == 3:
                n = palette_size(depth)
                c = (RGB if n == 4 else RGB[:2])[s[0]]
                if trns:
                    a = ([255, 128, 255, 0] if n == 4 else [128, 0])[s[0]]
            else:
                c = RGB[q]
                if ctype == 6:
                    a = ALPHA[q]
                elif trns and q == 3:
                    a = 0
            px.append((c, a))
    return px


def valid_forms():
    """(name, ctype, depth, interlace, trns, extra): every allowed colour
    type x bit depth x interlace x tRNS (where allowed) x none/iCCP/gAMA,
    then the zTXt/after-IDAT and split-IDAT forms."""
    forms = []
    for ctype, depths in ALLOWED.items():
        for depth in depths:
            for interlace in (0, 1):
                for trns in ((False, True) if ctype in (0, 2, 3) else (False,)):
                    for extra in (None, "iccp", "gama"):
                        name = "ct%d-d%d-%s%s%s" % (ctype, depth, "adam7" if interlace else "flat",
                                                    "-trns" if trns else "",
                                                    "-" + extra if extra else "")
                        forms.append((name, ctype, depth, interlace, trns, extra))
    for ctype, depth in ((2, 8), (3, 4), (6, 16), (0, 2)):
        for extra in ("ztxt", "split"):
            forms.append(("ct%d-d%d-%s" % (ctype, depth, extra), ctype, depth, 0, False, extra))
    for ctype in (0, 4):
        forms.append(("ct%d-d8-iccrgb" % ctype, ctype, 8, 0, False, "iccrgb"))
    return forms


def bad_forms():
    """(name, bytes, regex of the error) for every malformed case."""
    w = 40
    sig = b"\x89PNG\r\n\x1a\n"
    good = make(2, 8, w)
    idat = chunk(b"IDAT", zlib.compress(raw_image(2, 8, w, 0)))
    iend = chunk(b"IEND", b"")
    cases = []
    raw = bytearray(raw_image(2, 8, w, 0))
    raw[(1 + w * 3) * 5] = 5  # row 5: filter type 5 does not exist
    cases.append(("bad-filter", sig + ihdr(w, H, 8, 2) + chunk(b"IDAT", zlib.compress(bytes(raw))) +
                  iend, "filter"))
    raw4 = bytes(len(raw_image(2, 8, w, 0)) // 2)
    cases.append(("rgb-4bit", sig + ihdr(w, H, 4, 2) + chunk(b"IDAT", zlib.compress(raw4)) + iend,
                  "colour type and bit depth"))
    pal16 = bytes(H * (1 + w * 2))
    cases.append(("palette-16bit", sig + ihdr(w, H, 16, 3) + plte_chunk(8) +
                  chunk(b"IDAT", zlib.compress(pal16)) + iend, "colour type and bit depth"))
    ga4 = bytes(H * (1 + w))
    cases.append(("grey-alpha-4bit", sig + ihdr(w, H, 4, 4) + chunk(b"IDAT", zlib.compress(ga4)) +
                  iend, "colour type and bit depth"))
    pal = zlib.compress(raw_image(3, 8, w, 0))
    for name, body in (("plte-length-10", bytes(10)), ("plte-empty", b""),
                       ("plte-300", bytes(900))):
        cases.append((name, sig + ihdr(w, H, 8, 3) + chunk(b"PLTE", body) + chunk(b"IDAT", pal) +
                      iend, "length the standard does not allow"))
    cases.append(("palette-missing", sig + ihdr(w, H, 8, 3) + chunk(b"IDAT", pal) + iend,
                  "no palette"))
    cases.append(("unknown-critical", sig + ihdr(w, H, 8, 2) + chunk(b"CRIT", b"boo") + idat + iend,
                  "critical chunk"))
    crc = bytearray(good)
    crc[8 + 25 - 1] ^= 0x55  # IHDR's checksum
    cases.append(("bad-crc-ihdr", bytes(crc), "checksum"))
    crc = bytearray(good)
    crc[len(good) - 12 - 1] ^= 0x55  # IDAT's checksum
    cases.append(("bad-crc-idat", bytes(crc), "checksum"))
    z = bytearray(zlib.compress(raw_image(2, 8, w, 0)))
    z[len(z) // 2] ^= 0x55  # the compressed data damaged, the checksum made to match
    cases.append(("bad-zlib", sig + ihdr(w, H, 8, 2) + chunk(b"IDAT", bytes(z)) + iend, "corrupt"))
    cases.append(("truncated", good[:len(good) - 30], "truncated"))
    short = zlib.compress(raw_image(2, 8, w, 0)[: (1 + w * 3) * 10])
    cases.append(("short-data", sig + ihdr(w, H, 8, 2) + chunk(b"IDAT", short) + iend,
                  "truncated"))
    cases.append(("zero-width", sig + ihdr(0, H, 8, 2) + idat + iend, "width"))
    cases.append(("interlace-2", sig + ihdr(w, H, 8, 2, 2) + idat + iend, "interlace"))
    cases.append(("no-idat", sig + ihdr(w, H, 8, 2) + iend, "out of order|missing"))
    return cases


def big_png(path):
    """20,000 x 20,000 RGBA 16-bit, all zero (transparent black): valid, and
    400 million pixels. 3.2 GB of scanlines, so the zlib stream is one
    compressed block of 100 zero rows, ended by a full flush (it refers to
    nothing before it), repeated 200 times; the Adler-32 of n zero bytes is
    n mod 65521 in its high half and 1 in its low half."""
    n = 20000
    row = 1 + n * 8
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(bytes(row * 100)) + c.flush(zlib.Z_FULL_FLUSH)
    tail = c.flush(zlib.Z_FINISH)
    total = row * n
    data = b"\x78\xda" + block * (n // 100) + tail + struct.pack(">I", (total % 65521) << 16 | 1)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + ihdr(n, n, 16, 6) + chunk(b"IDAT", data) +
                chunk(b"IEND", b""))


def budget_png(path):
    """8,000 x 5,000 RGBA 8-bit (40 million pixels, the budget), a diagonal
    pattern with alpha, deflated at level 1."""
    w, h = 8000, 5000
    z = zlib.compressobj(1)
    base = bytes((x * 7) & 255 for x in range(w * 4 + 64))
    parts = [z.compress(b"\0" + base[y % 64:y % 64 + w * 4]) for y in range(h)]
    parts.append(z.flush())
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + ihdr(w, h, 8, 6) + chunk(b"IDAT", b"".join(parts)) +
                chunk(b"IEND", b""))


def wide_jpeg(path):
    """A JPEG 65,535 pixels wide: markers up to a baseline frame header, a
    scan header, end of image (octavo reads no further than the header)."""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, 16, 65535, 3)
    sof += b"\x01\x11\x00\x02\x11\x00\x03\x11\x00"
    sos = b"\xff\xda" + struct.pack(">HB", 12, 3) + b"\x01\x00\x02\x00\x03\x00\x00\x3f\x00"
    with open(path, "wb") as f:
        f.write(b"\xff\xd8" + sof + sos + bytes(16) + b"\xff\xd9")


def write_book(d, chapter, title):
    os.makedirs(d + "/chapters", exist_ok=True)
    os.makedirs(d + "/images", exist_ok=True)
    with open(d + "/book.yaml", "w") as f:
        f.write("title: %s\nlanguage: en\nchapters:\n  - chapters/ch.md\n" % title)
    with open(d + "/chapters/ch.md", "w") as f:
        f.write(chapter)


def books(root):
    v = root + "/valid"
    os.makedirs(v + "/images", exist_ok=True)
    md = ["# Every PNG form", ""]
    with open(v + "/expect.tsv", "w") as ex:
        for k, (name, ctype, depth, interlace, trns, extra) in enumerate(valid_forms()):
            w = 40 + k
            with open("%s/images/%s.png" % (v, name), "wb") as f:
                f.write(make(ctype, depth, w, interlace, trns, extra, filt=k % 2))
            md += ['![%s](../images/%s.png "%s")' % (name, name, name), ""]
            ex.write("%s\t%d\t%d\t%d\t%d\n" % (name, w, ctype, depth, int(trns)))
    write_book(v, "\n".join(md) + "\n", "Every PNG form")
    with open(root + "/bad-cases.tsv", "w") as cs:
        for name, data, why in bad_forms():
            d = "%s/bad/%s" % (root, name)
            write_book(d, "# Broken\n\nText before.\n\n![%s](../images/x.png)\n" % name, name)
            with open(d + "/images/x.png", "wb") as f:
                f.write(data)
            cs.write("%s\t%s\n" % (name, why))


def read_png(path):
    """Decodes the 8-bit, non-interlaced PNGs pdfimages writes: rows of
    pixel tuples."""
    data = open(path, "rb").read()
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    assert depth == 8 and interlace == 0 and ctype in (0, 2), (path, hdr)
    ch = 1 if ctype == 0 else 3
    raw = zlib.decompress(idat)
    stride = w * ch
    rows, prev = [], bytes(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - ch] if i >= ch else 0
            b = prev[i]
            c = prev[i - ch] if i >= ch else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
        prev = bytes(line)
        rows.append([tuple(line[x * ch:(x + 1) * ch]) for x in range(w)])
    return w, h, ch, rows


def extra_of(name):
    return name.rsplit("-", 1)[1]


def check(valid, listing, extracted):
    """Every form is in the PDF once, with its pixels and, exactly when it
    has transparency, an SMask with its alpha."""
    forms = {}
    for line in open(valid + "/expect.tsv"):
        name, w, ctype, depth, trns = line.split("\t")
        forms[int(w)] = (name, int(ctype), int(depth), int(trns))
    rows = [l.split() for l in open(listing).read().splitlines()[2:] if l.strip()]
    images = {}
    for r in rows:  # page num type width height color comp bpc ...
        num, kind, width = int(r[1]), r[2], int(r[3])
        images.setdefault(width, []).append((kind, num, r[5], r[7], int(r[6])))
    problems = []
    for w, (name, ctype, depth, trns) in sorted(forms.items()):
        got = images.get(w, [])
        img = [g for g in got if g[0] == "image"]
        mask = [g for g in got if g[0] == "smask"]
        want = expected(ctype, depth, w, trns)
        want_mask = any(a != 255 for _, a in want)
        if len(img) != 1 or len(mask) != int(want_mask):
            problems.append("%s: %d images and %d smasks in the PDF, want 1 and %d" %
                            (name, len(img), len(mask), int(want_mask)))
            continue
        comps = 1 if ctype in (0, 4) else 3
        if img[0][3] != "8" or img[0][4] != comps:
            problems.append("%s: %s bits per component, %d components, want 8 and %d" %
                            (name, img[0][3], img[0][4], comps))
        if (img[0][2] == "icc") != (extra_of(name) == "iccp"):
            problems.append("%s: colour space %s" % (name, img[0][2]))
        pw, ph, ch, px = read_png("%s/img-%03d.png" % (extracted, img[0][1]))
        # pdfimages writes a grey ICCBased image as RGB
        if (pw, ph) != (w, H) or (ch != comps and img[0][2] != "icc"):
            problems.append("%s: extracted %dx%d with %d channels" % (name, pw, ph, ch))
            continue
        alpha = None
        if want_mask:
            mw, mh, mch, alpha = read_png("%s/img-%03d.png" % (extracted, mask[0][1]))
        bad = 0
        for i, (c, a) in enumerate(want):
            x, y = i % w, i // w
            p = px[y][x]
            p3 = p * 3 if ch == 1 else p
            # an ICCBased grey comes out of pdfimages through a colour
            # conversion (2.2 curve to sRGB): 85 may read as 84
            slack = 3 if img[0][2] == "icc" and ctype in (0, 4) else 0
            off = max(abs(u - v) for u, v in zip(p3, c))
            if off > slack or (alpha is not None and alpha[y][x][0] != a):
                if not bad:
                    problems.append("%s: pixel %d,%d is %s alpha %s, want %s alpha %d" %
                                    (name, x, y, p, alpha[y][x][0] if alpha else "-", c, a))
                bad += 1
    for p in problems:
        print(p)
    print("checked %d forms, %d problems" % (len(forms), len(problems)))
    return 1 if problems else 0


def seeds(d):
    os.makedirs(d, exist_ok=True)
    for k, (name, ctype, depth, interlace, trns, extra) in enumerate(valid_forms()):
        with open("%s/%s.png" % (d, name), "wb") as f:
            f.write(make(ctype, depth, 8 + k % 9, interlace, trns, extra, filt=k % 2))
    for name, data, _ in bad_forms():
        with open("%s/bad-%s.png" % (d, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "books":
        books(sys.argv[2])
    elif cmd == "big":
        big_png(sys.argv[2])
    elif cmd == "budget":
        budget_png(sys.argv[2])
    elif cmd == "wide-jpeg":
        wide_jpeg(sys.argv[2])
    elif cmd == "seeds":
        seeds(sys.argv[2])
    elif cmd == "check":
        sys.exit(check(sys.argv[2], sys.argv[3], sys.argv[4]))
