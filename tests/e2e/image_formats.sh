#!/usr/bin/env bash
# SVG, GIF and WebP images in both editions (issue 14, part 4), over
# tests/fixtures/imgformats: three SVG diagrams (one sized by its viewBox
# alone, one by width and height in cm, one with text), an animated GIF (two
# frames: red with a transparent corner, then blue) and two WebPs (lossy, and
# lossless with alpha). The raster files are committed (the other scripts
# build every fixture: epub_validate, accessibility, tagged_pdf) and made
# again here, in the test's copy, by the fixture's make_images.py and
# Debian's cwebp, so they stay reproducible from their source.
#
#   bash tests/e2e/image_formats.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
#
# - both profiles build with no message; two builds are byte-identical;
# - PDF: pdfimages -list shows the six images, each once, with the GIF at
#   64x48, the WebPs at 160x120 and 96x96, an SMask exactly for those with
#   transparency, and the SVGs drawn at 200 ppi on screen and 300 ppi in
#   print (never below twice the shown size); the extracted pixels are the
#   GIF's first frame (red, not blue, its corner transparent) and the
#   lossless WebP's ring; six numbered figures; qpdf --check is clean;
# - EPUB: the manifest has three image/svg+xml, one image/gif (the file as
#   it is) and two image/png (the WebPs, whose pixels match); every SVG
#   parses as XML with no DOCTYPE, no script, no on* attribute and no href
#   but #fragments, and keeps a viewBox; epubcheck gives 0 errors and 0
#   warnings;
# - drawing the SVG with text opens no fontconfig file or font of the system
#   (strace): its text is set in the bundled fonts.
. "$(dirname "$0")/../lib/e2e.sh"
for tool in qpdf pdfimages pdftotext unzip python3 java cwebp; do
    command -v "$tool" >/dev/null || { echo "$tool is required" >&2; exit 2; }
done
JAR=$(epubcheck_jar)
export SOURCE_DATE_EPOCH=1764158400
export OCTAVO_FONTS_DIR="$SRC/fonts"
B=$WORK/book O=$WORK/out
cp -r "$SRC/tests/fixtures/imgformats" "$B"
python3 -I "$B/make_images.py" "$B/images" &&
    cwebp -quiet -q 80 "$B/images/gradient.png" -o "$B/images/lossy.webp" &&
    cwebp -quiet -lossless -exact "$B/images/ring.png" -o "$B/images/alpha.webp" ||
    { bad "cannot make the raster images"; # ---- what drawing SVG text reads --------------------------------------------------------------
# Pango finds fonts through fontconfig; octavo hands it the bundled fonts
# only, so neither the system's fontconfig files nor its fonts are read
if command -v strace >/dev/null; then
    # (LeakSanitizer cannot run under ptrace)
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq -o "$WORK/build.strace" -e trace=open,openat,openat2 \
        "$BIN" build "$B" -o "$O/strace" >/dev/null 2>&1
    sys=$(grep -oE '"(/etc/fonts|/usr/share/fonts|/usr/local/share/fonts|/var/cache/fontconfig|[^"]*/\.cache/fontconfig|[^"]*/\.fonts)[^"]*"' "$WORK/build.strace" | sort -u | head -3)
    if [ -n "$sys" ]; then bad "SVG text: the system's fontconfig or fonts were read: $(echo $sys)"
    elif grep -q 'fonts/DejaVuSans.ttf"' "$WORK/build.strace" && [ -s "$O/strace/imgformats.pdf" ]; then
        ok "SVG text: set in the bundled fonts, no system font or fontconfig file opened"
    else bad "SVG text: strace saw no bundled font opened"; fi
else
    bad "strace is not installed"
fi
finish image_formats; exit; }

for p in screen print; do
    for run in a b; do
        if "$BIN" build "$B" -o "$O/$p-$run" --profile "$p" 2>"$WORK/$p-$run.err"; then
            if [ -s "$WORK/$p-$run.err" ]; then bad "$p-$run: messages"; head -5 "$WORK/$p-$run.err"
            else ok "$p-$run: built without a message"; fi
        else
            bad "$p-$run: exit $?"; head -5 "$WORK/$p-$run.err"
        fi
    done
    cmp -s "$O/$p-a/imgformats.pdf" "$O/$p-b/imgformats.pdf" &&
        cmp -s "$O/$p-a/imgformats.epub" "$O/$p-b/imgformats.epub" &&
        ok "$p: two builds byte-identical" || bad "$p: two builds differ"
done

# ---- PDF ---------------------------------------------------------------------------------------
for p in screen print; do
    PDF=$O/$p-a/imgformats.pdf
    q=$(qpdf --check "$PDF" 2>&1)
    if [ $? = 0 ] && ! grep -qi "warning" <<<"$q"; then ok "$p: qpdf --check clean"
    else bad "$p: qpdf --check"; echo "$q" | head -5; fi
    want=300
    [ "$p" = screen ] && want=200
    pdfimages -list "$PDF" >"$WORK/$p.list"
    python3 -I - "$WORK/$p.list" "$want" <<'EOF' && ok "$p: six images, sizes, SMasks and SVG resolution ($(grep -c ' image ' "$WORK/$p.list") images)" || bad "$p: pdfimages -list"
import sys
rows = [l.split() for l in open(sys.argv[1]).read().splitlines()[2:]]
want = int(sys.argv[2])
images = [r for r in rows if r[2] == "image"]
smask = {r[10] for r in rows if r[2] == "smask"}
bad = []
if len(images) != 6:
    bad.append("%d images, want 6" % len(images))
else:
    svg, gif, lossy, alpha = images[:3], images[3], images[4], images[5]
    for r in svg:  # drawn at the profile's resolution (the shown size)
        if not (want - 2 <= int(r[12]) <= want + 2 and want - 2 <= int(r[13]) <= want + 2):
            bad.append("SVG %sx%s at %s ppi, want %d" % (r[3], r[4], r[12], want))
        if r[10] not in smask:
            bad.append("SVG %s has no SMask (its background is transparent)" % r[10])
    if (gif[3], gif[4]) != ("64", "48") or gif[10] not in smask:
        bad.append("GIF %sx%s smask=%s" % (gif[3], gif[4], gif[10] in smask))
    if (lossy[3], lossy[4]) != ("160", "120") or lossy[10] in smask:
        bad.append("lossy WebP %sx%s smask=%s" % (lossy[3], lossy[4], lossy[10] in smask))
    if (alpha[3], alpha[4]) != ("96", "96") or alpha[10] not in smask:
        bad.append("lossless WebP %sx%s smask=%s" % (alpha[3], alpha[4], alpha[10] in smask))
    ids = [r[10] for r in images]
    if len(set(ids)) != 6:
        bad.append("an image object drawn twice")
for b in bad:
    print("  |", b)
sys.exit(1 if bad else 0)
EOF
    n=$(pdftotext "$PDF" - | grep -cE '^Figure [1-6]\. ')
    [ "$n" = 6 ] && ok "$p: six numbered figures" || bad "$p: $n figure captions, want 6"
done

# the pixels: the GIF's first frame, the WebPs' own
PDF=$O/screen-a/imgformats.pdf
mkdir -p "$WORK/px"
pdfimages -png "$PDF" "$WORK/px/i"
python3 -I - "$WORK/px" "$B/images" <<'EOF' && ok "pixels: GIF first frame (red, corner transparent), WebP ring with its hole, lossy gradient" || bad "pixels"
import struct, sys, zlib

def png(path):
    d = open(path, "rb").read()
    pos, idat, hdr = 8, b"", None
    while pos < len(d):
        n, t = struct.unpack(">I4s", d[pos:pos + 8])
        body = d[pos + 8:pos + 8 + n]
        if t == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif t == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype = hdr[:4]
    ch = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
    raw, rows, prev = zlib.decompress(idat), [], bytearray(w * ch)
    for y in range(h):
        f, line = raw[y * (w * ch + 1)], bytearray(raw[y * (w * ch + 1) + 1:(y + 1) * (w * ch + 1)])
        for i in range(len(line)):
            a = line[i - ch] if i >= ch else 0
            b, c = prev[i], prev[i - ch] if i >= ch else 0
            if f == 1: line[i] = (line[i] + a) & 255
            elif f == 2: line[i] = (line[i] + b) & 255
            elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(line)
        prev = line
    return w, h, ch, rows

out, bad = sys.argv[1], []
# pdfimages numbers images and masks in order: 0-5 the SVGs and their masks,
# then 6/7 the GIF and its mask, 8 the lossy WebP, 9/10 the ring and its mask
w, h, ch, gif = png(out + "/i-006.png")
if tuple(gif[20][30:33]) != (220, 20, 20):
    bad.append("GIF pixel %s, want the first frame's red" % tuple(gif[20][30:33]))
_, _, _, gmask = png(out + "/i-007.png")
if gmask[2][2] != 0 or gmask[20][30] != 255:
    bad.append("GIF mask %d %d, want 0 in the corner, 255 elsewhere" % (gmask[2][2], gmask[20][30]))
_, _, _, ring = png(out + "/i-009.png")
_, _, _, rmask = png(out + "/i-010.png")
if tuple(ring[48][10 * 3:10 * 3 + 3]) != (30, 120, 60) or rmask[48][10] != 255 or rmask[48][48] != 0:
    bad.append("ring pixel %s mask %d/%d" % (tuple(ring[48][30:33]), rmask[48][10], rmask[48][48]))
_, _, _, grad = png(out + "/i-008.png")
r, g, b = grad[60][150 * 3:150 * 3 + 3]
if not (r > 200 and abs(g - 127) < 30 and abs(b - 128) < 30):
    bad.append("lossy WebP pixel %s, want about (239, 127, 128)" % ((r, g, b),))
for x in bad:
    print("  |", x)
sys.exit(1 if bad else 0)
EOF

# ---- EPUB --------------------------------------------------------------------------------------
EPUB=$O/screen-a/imgformats.epub
mkdir -p "$WORK/epub"
(cd "$WORK/epub" && unzip -q -o "$EPUB")
python3 -I - "$WORK/epub" "$B/images" <<'EOF' && ok "EPUB: manifest media types (3 SVG, 1 GIF, 2 PNG), the GIF as it is, clean SVGs with a viewBox" || bad "EPUB manifest or SVGs"
import glob, os, sys, xml.dom.minidom, xml.etree.ElementTree as ET, xml.parsers.expat

root, images = sys.argv[1], sys.argv[2]
opf = ET.parse(os.path.join(root, "EPUB/package.opf")).getroot()
ns = {"o": "http://www.idpf.org/2007/opf"}
items = [(i.get("href"), i.get("media-type")) for i in opf.iterfind(".//o:manifest/o:item", ns)
         if i.get("media-type", "").startswith("image/")]
bad = []
kinds = sorted(m for _, m in items)
if kinds != ["image/gif", "image/png", "image/png", "image/svg+xml", "image/svg+xml",
             "image/svg+xml"]:
    bad.append("media types %s" % kinds)
for href, mt in items:
    data = open(os.path.join(root, "EPUB", href), "rb").read()
    if mt == "image/gif" and data != open(os.path.join(images, "anim.gif"), "rb").read():
        bad.append("the GIF is not the file as it is")
    if mt == "image/png" and not data.startswith(b"\x89PNG\r\n\x1a\n"):
        bad.append("%s is not a PNG" % href)
    if mt != "image/svg+xml":
        continue
    seen = []
    p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    p.StartDoctypeDeclHandler = lambda *a: seen.append("DOCTYPE")
    p.EntityDeclHandler = lambda *a: seen.append("ENTITY")
    p.ProcessingInstructionHandler = lambda *a: seen.append("processing instruction")

    def start(name, attrs):
        local = name.split(" ")[-1]
        if local in ("script", "foreignObject"):
            seen.append(local)
        for k, v in attrs.items():
            kl = k.split(" ")[-1]
            if kl.lower().startswith("on"):
                seen.append("attribute " + kl)
            if kl == "href" and not v.startswith("#"):
                seen.append("href " + v)
            if "url(" in v and "url(#" not in v:
                seen.append("url " + v)
    p.StartElementHandler = start
    p.Parse(data, True)
    svg = xml.dom.minidom.parseString(data).documentElement
    if svg.tagName != "svg" or not svg.getAttribute("viewBox") or not svg.getAttribute("width"):
        seen.append("no viewBox, width or height on the root")
    bad += ["%s: %s" % (href, s) for s in seen]
for chapter in glob.glob(os.path.join(root, "EPUB/text/*.xhtml")):
    for img in xml.dom.minidom.parse(chapter).getElementsByTagName("img"):
        if not img.getAttribute("alt"):
            bad.append("img without alt in " + chapter)
for b in bad:
    print("  |", b)
sys.exit(1 if bad else 0)
EOF
n=$(cat "$WORK"/epub/EPUB/text/*.xhtml | grep -o '<img ' | wc -l)
[ "$n" = 6 ] && ok "EPUB: six <img> in the chapters" || bad "EPUB: $n <img>, want 6"
for p in screen print; do
    r=$("$SRC/tests/lib/run_epubcheck.sh" "$O/$p-a/imgformats.epub" 2>&1)
    if grep -q "0 fatals / 0 errors / 0 warnings" <<<"$r" || grep -q "No errors or warnings detected" <<<"$r"; then
        ok "$p: epubcheck 0 errors 0 warnings"
    else bad "$p: epubcheck"; grep -E "ERROR|WARNING|FATAL" <<<"$r" | head -5; fi
done
# ---- what drawing SVG text reads --------------------------------------------------------------
# Pango finds fonts through fontconfig; octavo hands it the bundled fonts
# only, so neither the system's fontconfig files nor its fonts are read
if command -v strace >/dev/null; then
    # (LeakSanitizer cannot run under ptrace)
    ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq -o "$WORK/build.strace" -e trace=open,openat,openat2 \
        "$BIN" build "$B" -o "$O/strace" >/dev/null 2>&1
    sys=$(grep -oE '"(/etc/fonts|/usr/share/fonts|/usr/local/share/fonts|/var/cache/fontconfig|[^"]*/\.cache/fontconfig|[^"]*/\.fonts)[^"]*"' "$WORK/build.strace" | sort -u | head -3)
    if [ -n "$sys" ]; then bad "SVG text: the system's fontconfig or fonts were read: $(echo $sys)"
    elif grep -q 'fonts/DejaVuSans.ttf"' "$WORK/build.strace" && [ -s "$O/strace/imgformats.pdf" ]; then
        ok "SVG text: set in the bundled fonts, no system font or fontconfig file opened"
    else bad "SVG text: strace saw no bundled font opened"; fi
else
    bad "strace is not installed"
fi
finish image_formats
