#!/usr/bin/env bash
# Hostile SVG, GIF and WebP images (issue 14, parts 4 and 5). Each case is a
# book whose chapters/ch.md cites images/x.EXT on line 5:
# - refused (exit 1, "chapters/ch.md:5:1: error: image '../images/x.EXT':
#   REASON", nothing written): a billion-laughs SVG, an SVG with an
#   external entity (XXE), an SVG that is not well-formed, an SVG without a
#   size, a truncated GIF, a GIF with a 20,000 x 20,000 screen, a GIF of
#   garbage after its header, a truncated WebP, a WebP with a damaged
#   bitstream, a WebP declaring 16,383 x 16,383;
# - built with a warning at that line (exit 0): an SVG with scripts and
#   event attributes (the EPUB's copy parsed: none left), and an SVG naming
#   files outside the book (../../secret.png, file:///.../secret.png, a use
#   of ../secret.svg, an @import): strace shows the secret files never
#   opened, the EPUB's copy has no reference left;
# - librsvg missing (a file that is no library first on LD_LIBRARY_PATH):
#   an SVG is refused at its line naming the library, a GIF builds;
# - an SVG declaring 20,000 x 20,000 px builds, drawn only at the size the
#   page shows (at most 200 dpi across the text block), in bounded memory.
# (LeakSanitizer cannot run under ptrace: the strace case turns it off.)
# Every case runs under a CPU limit; a crash, a hang or a sanitizer report
# fails it. Under ASan/UBSan (.ci/test) the limits are wider.
#
# usage: hostile_image_formats.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
. "$(dirname "$0")/../lib/e2e.sh"
export SOURCE_DATE_EPOCH=1700000000
export OCTAVO_FONTS_DIR="$SRC/fonts"
T=10
sanitized=0
if sanitized_build "$BIN"; then T=60 sanitized=1; fi
G="$WORK/books" O="$WORK/out" L="$WORK/log"
mkdir -p "$G" "$O" "$L"
. "$SRC/tests/lib/hostile.sh" # show, crashed
MK="$SRC/tests/fixtures/imgformats/make_images.py"

# book CASE EXT: a book citing images/x.EXT at chapters/ch.md:5:1; the image
# is written by the caller to $G/CASE/images/x.EXT
book() {
    mkdir -p "$G/$1/chapters" "$G/$1/images"
    printf 'title: %s\nslug: %s\nchapters:\n  - chapters/ch.md\n' "$1" "$1" >"$G/$1/book.yaml"
    printf '# Case %s\n\nAn image follows.\n\n![The image](../images/x.%s "The image")\n\nAfter.\n' \
        "$1" "$2" >"$G/$1/chapters/ch.md"
}

# run CASE [ARGS...]: builds $G/CASE into $O/CASE with T seconds of CPU;
# rc, stderr in $L/CASE.err, peak RSS (KB) in $L/CASE.rss
run() {
    local c=$1
    shift
    (ulimit -S -t "$T" && exec python3 -I -c '
import resource, subprocess, sys
r = subprocess.run(sys.argv[2:])
open(sys.argv[1], "w").write("%d\n" % resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(r.returncode if r.returncode >= 0 else 128 - r.returncode)' "$L/$c.rss" \
        timeout "$((T * 5))" "$@" "$BIN" build "$G/$c" -o "$O/$c") >"$L/$c.out" 2>"$L/$c.err"
    rc=$?
}

# expect_error CASE EXT REGEX [COMMAND PREFIX...]
expect_error() {
    local c=$1 ext=$2 re=$3
    run "$c" "${@:4}"
    crashed "$c" && return
    if [ "$rc" != 1 ]; then bad "$c: exit $rc, want 1"; show "$L/$c.err"; return; fi
    local want="$G/$c/chapters/ch.md:5:1: error: image '../images/x.$ext': "
    if ! has_line "$L/$c.err" "$want" "$re"; then bad "$c: no '${want}$re'"; show "$L/$c.err"; return; fi
    if [ -n "$(ls -A "$O/$c" 2>/dev/null)" ]; then bad "$c: wrote $(ls -A "$O/$c")"; return; fi
    ok "$c: $(sed "s|^$G/||" "$L/$c.err" | head -1 | cut -c1-120)"
}

# expect_warning CASE EXT REGEX
expect_warning() {
    local c=$1 ext=$2 re=$3
    run "$c" "${@:4}"
    crashed "$c" && return 1
    if [ "$rc" != 0 ]; then bad "$c: exit $rc, want 0"; show "$L/$c.err"; return 1; fi
    local want="$G/$c/chapters/ch.md:5:1: warning: image '../images/x.$ext': "
    if ! has_line "$L/$c.err" "$want" "$re"; then bad "$c: no '${want}$re'"; show "$L/$c.err"; return 1; fi
    ok "$c: $(sed "s|^$G/||" "$L/$c.err" | head -1 | cut -c1-140)"
}

# svg_clean CASE: the EPUB's SVG parsed; no script, on*, outside href, url() or DOCTYPE
svg_clean() {
    local c=$1
    python3 -I - "$O/$c/$c.epub" <<'EOF' && ok "$c: the EPUB's SVG has no script, event attribute, DOCTYPE or outside reference" || bad "$c: the EPUB's SVG"
import sys, zipfile, xml.parsers.expat
z = zipfile.ZipFile(sys.argv[1])
svgs = [n for n in z.namelist() if n.endswith(".svg")]
seen = [] if len(svgs) == 1 else ["%d SVGs" % len(svgs)]
for n in svgs:
    p = xml.parsers.expat.ParserCreate(namespace_separator=" ")
    p.StartDoctypeDeclHandler = lambda *a: seen.append("DOCTYPE")
    p.ProcessingInstructionHandler = lambda *a: seen.append("processing instruction")
    def start(name, attrs):
        if name.split(" ")[-1] in ("script", "foreignObject", "handler"):
            seen.append(name)
        for k, v in attrs.items():
            k = k.split(" ")[-1]
            if k.lower().startswith("on"): seen.append("attribute " + k)
            if k == "href" and not v.startswith("#"): seen.append("href " + v)
            if "url(" in v.replace(" ", "") and "url(#" not in v.replace(" ", ""): seen.append(v)
    def text(t):
        if "@import" in t or "alert" in t or "secret" in t: seen.append("text " + t.strip()[:40])
    p.StartElementHandler = start
    p.CharacterDataHandler = text
    p.Parse(z.read(n), True)
for s in seen: print("  |", s)
sys.exit(1 if seen else 0)
EOF
}

# ---- refused -------------------------------------------------------------------------------------
c=svg-laughs; book $c svg
python3 -I - "$G/$c/images/x.svg" <<'EOF'
import sys
d = ['<?xml version="1.0"?>', '<!DOCTYPE svg [', '<!ENTITY l0 "lollollollollollollollol">']
for i in range(1, 10):
    d.append('<!ENTITY l%d "%s">' % (i, ("&l%d;" % (i - 1)) * 10))
d.append(']>')
d.append('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><text>&l9;</text></svg>')
open(sys.argv[1], "w").write("\n".join(d))
EOF
expect_error $c svg "entit"

c=svg-xxe; book $c svg
echo "TOP SECRET" >"$WORK/secret.txt"
printf '<!DOCTYPE svg [<!ENTITY s SYSTEM "file://%s/secret.txt">]>\n<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><text>&s;</text></svg>\n' \
    "$WORK" >"$G/$c/images/x.svg"
expect_error $c svg "entities"

c=svg-broken; book $c svg
printf '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><g><rect/></svg>\n' >"$G/$c/images/x.svg"
expect_error $c svg "^SVG is not well-formed XML \(line [0-9]+: "

c=svg-nosize; book $c svg
printf '<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5"/></svg>\n' >"$G/$c/images/x.svg"
expect_error $c svg "^SVG has no size"

c=gif-truncated; book $c gif
python3 -I "$MK" --gif 64 48 "$WORK/full.gif"
head -c 1200 "$WORK/full.gif" >"$G/$c/images/x.gif"
expect_error $c gif "^GIF is truncated"

c=gif-huge; book $c gif
python3 -I "$MK" --gif-screen 20000 20000 "$G/$c/images/x.gif"
expect_error $c gif "^GIF is 20000x20000 pixels, over octavo's limit"

c=gif-garbage; book $c gif
{ head -c 13 "$WORK/full.gif"; head -c 4000 /dev/zero | tr '\0' '\377'; } >"$G/$c/images/x.gif"
expect_error $c gif "^GIF "

python3 -I "$MK" "$WORK" # gradient.png, ring.png
cwebp -quiet -q 80 "$WORK/gradient.png" -o "$WORK/lossy.webp"
cwebp -quiet -lossless "$WORK/ring.png" -o "$WORK/lossless.webp"

c=webp-truncated; book $c webp
head -c $(($(stat -c %s "$WORK/lossy.webp") / 2)) "$WORK/lossy.webp" >"$G/$c/images/x.webp"
expect_error $c webp "^WebP is truncated"

c=webp-damaged; book $c webp
python3 -I - "$WORK/lossless.webp" "$G/$c/images/x.webp" <<'EOF'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
for i in range(25, len(d)):  # the lossless bitstream after its header
    d[i] ^= 0xA5
open(sys.argv[2], "wb").write(d)
EOF
expect_error $c webp "^WebP image data is corrupt"

c=webp-huge; book $c webp
python3 -I - "$WORK/lossless.webp" "$G/$c/images/x.webp" <<'EOF'
import struct, sys
d = bytearray(open(sys.argv[1], "rb").read())
bits = 16382 | 16382 << 14 | (d[24] & 0xF0) << 24  # 16,383 x 16,383, the rest kept
d[21:25] = struct.pack("<I", bits & 0xFFFFFFFF)
open(sys.argv[2], "wb").write(d)
EOF
expect_error $c webp "^WebP is 16383x16383 pixels, over octavo's limit"

# ---- the SVG libraries missing ---------------------------------------------------------------------
# librsvg and its stack are opened on the first SVG (src/image/svg_libs.c).
# A file that is no library, found first through LD_LIBRARY_PATH, stands in
# for a missing librsvg: an SVG is then an error at its line naming the
# library (the build before linked librsvg and could not even start), and a
# book without SVGs builds as ever.
mkdir -p "$WORK/nolib"
printf 'not a library\n' >"$WORK/nolib/librsvg-2.so.2"
nolib=(env "LD_LIBRARY_PATH=$WORK/nolib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
c=svg-no-librsvg; book $c svg
printf '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 9 9"><rect width="9" height="9"/></svg>\n' \
    >"$G/$c/images/x.svg"
expect_error $c svg "^SVG images need librsvg-2\.so\.2, which cannot be loaded \(.*librsvg-2\.so\.2: " "${nolib[@]}"
c=gif-no-librsvg; book $c gif
cp "$WORK/full.gif" "$G/$c/images/x.gif"
run $c "${nolib[@]}"
if ! crashed $c; then
    if [ "$rc" = 0 ] && [ ! -s "$L/$c.err" ] && [ -s "$O/$c/$c.pdf" ]; then
        ok "$c: a book without SVGs builds with librsvg missing"
    else bad "$c: exit $rc"; show "$L/$c.err"; fi
fi

# ---- cleaned, with a warning -----------------------------------------------------------------------
c=svg-script; book $c svg
cat >"$G/$c/images/x.svg" <<'EOF'
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 100 50" onload="alert('load')">
  <script type="text/javascript">alert('script')</script>
  <rect width="100" height="50" fill="#cde" onclick="alert('click')" onmouseover="alert(1)"/>
  <a xlink:href="javascript:alert('link')"><text x="10" y="30">click</text></a>
  <set attributeName="xlink:href" to="javascript:alert('set')"/>
  <foreignObject width="10" height="10"><body xmlns="http://www.w3.org/1999/xhtml"><script>alert('fo')</script></body></foreignObject>
</svg>
EOF
expect_warning $c svg "^removed from the SVG: a script, 3 event attributes.*not allowed in a book" && svg_clean $c

c=svg-outside; book $c svg
# a PNG and an SVG outside the book folder, named from inside it
cp "$WORK/ring.png" "$WORK/secret.png"
printf '<svg xmlns="http://www.w3.org/2000/svg"><rect id="x" width="1" height="1"/></svg>\n' >"$G/secret.svg"
cat >"$G/$c/images/x.svg" <<EOF
<?xml-stylesheet href="file://$WORK/secret.css"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 100 50">
  <style>@import url("file://$WORK/secret.css");</style>
  <rect width="100" height="50" fill="#fed" style="fill: url(file://$WORK/secret.svg#g)"/>
  <image href="../../../secret.png" width="50" height="50"/>
  <image xlink:href="file://$WORK/secret.png" x="50" width="50" height="50"/>
  <use href="../../secret.svg#x"/>
  <rect width="10" height="10" xml:base="file://$WORK/"/>
</svg>
EOF
if expect_warning $c svg "^removed from the SVG: [0-9]+ references outside the file" \
    env ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" strace -f -qq -o "$L/$c.strace" -e trace=open,openat,openat2,stat,newfstatat,statx,access,readlink; then
    svg_clean $c
    if grep -q "secret" "$L/$c.strace"; then
        bad "$c: a secret file was looked up or opened"; grep "secret" "$L/$c.strace" | head -3
    elif [ "$(grep -c "images/x.svg" "$L/$c.strace")" -ge 1 ]; then
        ok "$c: strace: no secret file looked up or opened ($(wc -l <"$L/$c.strace") calls traced)"
    else
        bad "$c: strace saw nothing (did it trace the build?)"
    fi
fi

# ---- huge --------------------------------------------------------------------------------------------
c=svg-huge; book $c svg
cat >"$G/$c/images/x.svg" <<'EOF'
<svg xmlns="http://www.w3.org/2000/svg" width="20000" height="20000">
  <rect width="20000" height="20000" fill="#39f"/>
  <circle cx="10000" cy="10000" r="9000" fill="#fc3"/>
</svg>
EOF
run $c
if ! crashed $c; then
    if [ "$rc" != 0 ] || [ -s "$L/$c.err" ]; then bad "$c: exit $rc"; show "$L/$c.err"
    else
        rss=$(cat "$L/$c.rss")
        # drawn at the shown size: the text block (under 7 in) at 200 dpi
        read -r w h <<<"$(pdfimages -list "$O/$c/$c.pdf" | awk '$3 == "image" {print $4, $5}')"
        lim=400000
        [ "$sanitized" = 1 ] && lim=1500000
        if [ "${w:-0}" -ge 800 ] && [ "${w:-0}" -le 1400 ] && [ "${w:-0}" = "${h:-0}" ] && [ "$rss" -lt "$lim" ]; then
            ok "$c: 20,000 x 20,000 px SVG drawn at ${w}x${h}, peak RSS $((rss / 1024)) MB"
        else bad "$c: drawn at ${w:-?}x${h:-?}, peak RSS $((rss / 1024)) MB"; fi
    fi
fi

finish hostile_image_formats
