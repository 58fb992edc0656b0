#!/usr/bin/env bash
# Hostile and broken books (issue 6). Every case ends in one of two ways:
#   exit 1 with "PATH:LINE:COL: error: ..." naming the right file, nothing written;
#   exit 0 with a warning (where there is something to warn about) and valid
#   outputs (qpdf --check, a complete EPUB, epubcheck, no active content).
# Never a crash (exit >= 128, a sanitizer report), a hang (each case runs with a CPU
# limit and under `timeout`), a read outside the book and fonts/, a socket, or a partial file;
# a failed or interrupted build leaves the previous outputs byte for byte and
# no temporary files. Inputs are generated into WORK_DIR at run time.
#
# usage: hostile.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
set -u
BIN=$1 SRC=$2 WORK=$3
T=${HOSTILE_TIMEOUT:-20}
# a sanitized build runs several times slower: the 5 MB line alone takes ~17 s
. "$(dirname "$0")/../lib/sanitized.sh"
if sanitized_build "$BIN"; then T=${HOSTILE_TIMEOUT:-60}; fi
if mountpoint -q "$WORK/tmpfs" 2>/dev/null; then umount "$WORK/tmpfs"; fi
rm -rf "$WORK" && mkdir -p "$WORK/log" "$WORK/out"
G="$WORK/books" O="$WORK/out" L="$WORK/log"
export SOURCE_DATE_EPOCH=1700000000
export OCTAVO_FONTS_DIR="$SRC/fonts"
python3 -I "$SRC/tests/hostile/gen.py" "$G" || { echo "hostile: cannot generate the inputs"; exit 1; }

pass=0 fail=0
phase() { echo "hostile: ${SECONDS}s: $*"; }
declare -a TO_VALIDATE=() EPUBCHECK=()
ok() { pass=$((pass + 1)); }
bad() {
  fail=$((fail + 1))
  echo "FAIL: $*"
}
. "$SRC/tests/lib/hostile.sh" # show, crashed, has_line

# run CASE BOOK [ARGS...]: builds BOOK into $O/CASE; sets rc; stderr in $L/CASE.err
run() {
  local c=$1 book=$2
  shift 2
  local t0=$(date +%s%N)
  # a hang is T seconds of CPU (RLIMIT_CPU: SIGXCPU) or, for one that
  # waits rather than spins, five times T on the clock; CPU time does not
  # grow when the machine is busy (fuzzers, ctest -j), wall time does
  (ulimit -S -t "$T" && exec timeout "$((T * 5))" "$BIN" build "$book" -o "$O/$c" "$@") \
    >"$L/$c.out" 2>"$L/$c.err"
  rc=$?
  local ms=$((($(date +%s%N) - t0) / 1000000))
  if [ "$ms" -gt 3000 ]; then echo "hostile: note: $c took $ms ms"; fi
}

# sane CASE: no crash, no hang, no sanitizer report
sane() { ! crashed "$1"; }

# expect_error CASE BOOK FILE REGEX [ARGS...]: exit 1, FILE:LINE:COL: error: REGEX, nothing written
expect_error() {
  local c=$1 book=$2 file=$3 re=$4
  shift 4
  run "$c" "$book" "$@"
  sane "$c" || return
  if [ "$rc" != 1 ]; then bad "$c: exit $rc, want 1"; show "$L/$c.err"; return; fi
  if ! has_line "$L/$c.err" "$file:" "^[0-9]+:[0-9]+: error: $re"; then
    bad "$c: no '$file:LINE:COL: error: $re'"; show "$L/$c.err"; return
  fi
  if [ -n "$(ls -A "$O/$c" 2>/dev/null)" ]; then bad "$c: wrote $(ls -A "$O/$c")"; return; fi
  ok
}

# expect_built CASE BOOK SLUG FILE REGEX [ARGS...]: exit 0, outputs there; when
# REGEX is not empty, a "FILE:LINE:COL: warning: REGEX" line
expect_built() {
  local c=$1 book=$2 slug=$3 file=$4 re=$5
  shift 5
  run "$c" "$book" "$@"
  sane "$c" || return
  if [ "$rc" != 0 ]; then bad "$c: exit $rc, want 0"; show "$L/$c.err"; return; fi
  if [ -n "$re" ] && ! has_line "$L/$c.err" "$file:" "^[0-9]+:[0-9]+: warning: $re"; then
    bad "$c: no '$file:LINE:COL: warning: $re'"; show "$L/$c.err"; return
  fi
  if [ ! -s "$O/$c/$slug.pdf" ] || [ ! -s "$O/$c/$slug.epub" ]; then
    bad "$c: outputs missing: $(ls -A "$O/$c" 2>/dev/null)"; return
  fi
  if ! qpdf --check "$O/$c/$slug.pdf" >"$L/$c.qpdf" 2>&1; then
    bad "$c: qpdf --check fails"; show "$L/$c.qpdf"; return
  fi
  TO_VALIDATE+=("$O/$c/$slug.pdf" "$O/$c/$slug.epub")
  ok
}

no_temps() { # DIR...: no .NAME.XXXXXX temporary files left
  local d left
  for d in "$@"; do
    left=$(find "$d" -maxdepth 1 -name '.*.??????' 2>/dev/null)
    if [ -n "$left" ]; then bad "temporary files left in $d: $left"; return 1; fi
  done
  return 0
}

# epubcheck costs seconds per run: it checks, in the background while the
# matrix runs, one book holding every built case's chapter (the large ones
# scaled down) and the book with valid images; the rest get check_outputs.py.
J=$(dpkg -L epubcheck 2>/dev/null | grep 'epubcheck.jar$' | head -1)
epubcheck_pids=()
if [ -n "$J" ] && command -v java >/dev/null; then
  for c in all-cases images-valid; do
    timeout 300 "$BIN" build "$G/$c" -o "$O/epubcheck-$c" --format epub -q 2>"$L/epubcheck-$c.err"
    "$SRC/tests/lib/run_epubcheck.sh" "$O/epubcheck-$c/$c.epub" >"$L/$c.epubcheck" 2>&1 &
    epubcheck_pids+=("$!:$c")
  done
else
  bad "epubcheck is not installed"
fi

# ---- paths and files ---------------------------------------------------------
phase "paths and files"
Y=book.yaml C=chapters/a.md
expect_error missing-chapter "$G/missing-chapter" "$G/missing-chapter/$Y" "chapter 'chapters/nope.md': no such file"
expect_error missing-image "$G/missing-image" "$G/missing-image/$C" "image '../images/nope.png': no such file"
expect_error chapter-dotdot "$G/chapter-dotdot" "$G/chapter-dotdot/$Y" "chapter '../outside.md' is outside the book folder"
expect_error chapter-dotdot-deep "$G/chapter-dotdot-deep" "$G/chapter-dotdot-deep/$Y" "chapter .* is outside the book folder"
expect_error chapter-absolute "$G/chapter-absolute" "$G/chapter-absolute/$Y" "chapter '/etc/passwd' is outside the book folder"
expect_error chapter-symlink "$G/chapter-symlink" "$G/chapter-symlink/$Y" "chapter 'chapters/link.md': it leaves the book folder through a symbolic link"
expect_error image-dotdot "$G/image-dotdot" "$G/image-dotdot/$C" "image '../../outside.png' is outside the book folder"
expect_error image-absolute "$G/image-absolute" "$G/image-absolute/$C" "image '/.*' is outside the book folder"
expect_error image-percent-dotdot "$G/image-percent-dotdot" "$G/image-percent-dotdot/$C" "image .* is outside the book folder"
expect_error image-symlink "$G/image-symlink" "$G/image-symlink/$C" "image '../images/link.png': it leaves the book folder through a symbolic link"
expect_error image-symlink-dir "$G/image-symlink-dir" "$G/image-symlink-dir/$C" "image .*: it leaves the book folder through a symbolic link"
expect_error cover-dotdot "$G/cover-dotdot" "$G/cover-dotdot/$Y" "image '../outside.png' is outside the book folder"
run missing-book "$G/no-such-book"
if sane missing-book; then
  [ "$rc" = 1 ] && grep -q "^$G/no-such-book: error: " "$L/missing-book.err" && ok ||
    { bad "missing-book: exit $rc, want 1 with '$G/no-such-book: error:'"; show "$L/missing-book.err"; }
fi

# ---- corrupt images ------------------------------------------------------------
phase "corrupt images"
for c in png-truncated png-bad-crc png-garbage png-empty png-is-text jpeg-truncated jpeg-garbage; do
  expect_error "$c" "$G/$c" "$G/$c/$C" "image '../images/b\.(png|jpg)': .*(truncated|checksum|corrupt|not a PNG|past the end|marker)"
done
expect_built images-valid "$G/images-valid" images-valid "" ""

# ---- metadata ------------------------------------------------------------------
phase "metadata"
expect_error yaml-unclosed "$G/yaml-unclosed" "$G/yaml-unclosed/$Y" "malformed YAML"
expect_error yaml-tab "$G/yaml-tab" "$G/yaml-tab/$Y" "malformed YAML"
expect_error yaml-wrong-type "$G/yaml-wrong-type" "$G/yaml-wrong-type/$Y" "'chapters' must be a list"
expect_error yaml-not-mapping "$G/yaml-not-mapping" "$G/yaml-not-mapping/$Y" "metadata must be a mapping"
expect_error yaml-bad-utf8 "$G/yaml-bad-utf8" "$G/yaml-bad-utf8/$Y" "(malformed YAML|.*not valid UTF-8)"
expect_error yaml-garbage "$G/yaml-garbage" "$G/yaml-garbage/$Y" "malformed YAML"
expect_error yaml-anchors "$G/yaml-anchors" "$G/yaml-anchors/$Y" "'author' must be a single value"
expect_error frontmatter-bad "$G/frontmatter-bad.md" "$G/frontmatter-bad.md" "malformed YAML"
expect_error frontmatter-unclosed "$G/frontmatter-unclosed.md" "$G/frontmatter-unclosed.md" "front matter .* no closing"

# ---- text: encodings, NULs, empty, garbage ---------------------------------------
phase "text"
U="invalid UTF-8 or NUL byte replaced with U\+FFFD"
expect_built invalid-utf8 "$G/invalid-utf8" invalid-utf8 "$G/invalid-utf8/$C" "$U"
grep -q "^$G/invalid-utf8/$C:6:12: warning: " "$L/invalid-utf8.err" && ok || bad "invalid-utf8: warning not at 6:12"
unzip -p "$O/invalid-utf8/invalid-utf8.epub" '*ch01.xhtml' 2>/dev/null | grep -q $'A bad byte \xef\xbf\xbd' && ok ||
  bad "invalid-utf8: the EPUB lacks U+FFFD in place of the bad bytes"
expect_built overlong-utf8 "$G/overlong-utf8" overlong-utf8 "$G/overlong-utf8/$C" "$U"
expect_built nul-bytes "$G/nul-bytes" nul-bytes "$G/nul-bytes/$C" "$U"
grep -q "^$G/nul-bytes/$C:5:4: warning: " "$L/nul-bytes.err" && ok || bad "nul-bytes: warning not at 5:4"
expect_built empty-chapter "$G/empty-chapter" empty-chapter "$G/empty-chapter/$C" "the chapter is empty"
expect_built empty-file "$G/empty-file.md" empty-file "$G/empty-file.md" "the chapter is empty"
expect_built binary-garbage "$G/binary-garbage" binary-garbage "$G/binary-garbage/$C" "$U"
expect_built bom-crlf "$G/bom-crlf" bom-crlf "" ""

# ---- pathological Markdown ----------------------------------------------------------
phase "pathological Markdown"
N="nesting deeper than [0-9]+ levels is flattened"
expect_built deep-quotes "$G/deep-quotes" deep-quotes "$G/deep-quotes/$C" "$N"
expect_built deep-lists "$G/deep-lists" deep-lists "$G/deep-lists/$C" "$N"
expect_built deep-ordered "$G/deep-ordered" deep-ordered "$G/deep-ordered/$C" "$N"
expect_built many-stars "$G/many-stars" many-stars "$G/many-stars/$C" "$N"
# valid Markdown that is merely large: built, no warning required
expect_built many-stars-open "$G/many-stars-open" many-stars-open "" ""
expect_built many-brackets "$G/many-brackets" many-brackets "" ""
expect_built many-links "$G/many-links" many-links "$G/many-links/$C" "link '#nowhere': no heading"
expect_built many-headings "$G/many-headings" many-headings "" ""
expect_built many-footnotes "$G/many-footnotes" many-footnotes "" ""
expect_built long-line "$G/long-line" long-line "" ""
expect_built long-word "$G/long-word" long-word "" ""
expect_built wide-table "$G/wide-table" wide-table "" ""

# ---- active content and the network ---------------------------------------------------
phase "active content and the network"
expect_built raw-html "$G/raw-html" raw-html "$G/raw-html/$C" "HTML <script> element, removed with its content"
has_line "$L/raw-html.err" "$G/raw-html/$C:" "^11:1: warning: link 'javascript:alert\(5\)' uses a scheme that is not allowed" && ok ||
  bad "raw-html: no warning for the javascript: link at 11:1"
expect_built remote-image "$G/remote-image" remote-image "$G/remote-image/$C" "remote image 'https://example.com/x.png' is not fetched"
has_line "$L/remote-image.err" "$G/remote-image/$C:" "^9:1: warning: remote image 'file:///etc/passwd'" && ok ||
  bad "remote-image: file:// image not refused at 9:1"

# ---- the output folder ------------------------------------------------------------------
phase "the output folder"
run small "$G/small"
[ "$rc" = 0 ] && ok || bad "small: exit $rc"
: >"$WORK/a-file"
expect_out_error() { # CASE OUTDIR REGEX: exit 1, "OUTDIR...: error: REGEX", no temporaries
  local c=$1 out=$2 re=$3
  timeout "$T" "$BIN" build "$G/small" -o "$out" >"$L/$c.out" 2>"$L/$c.err"
  rc=$?
  sane "$c" || return
  if [ "$rc" != 1 ]; then bad "$c: exit $rc, want 1"; show "$L/$c.err"; return; fi
  if ! grep -Eq "^$out[^ ]*: error: $re" "$L/$c.err"; then bad "$c: no '$out: error: $re'"; show "$L/$c.err"; return; fi
  ok
}
expect_out_error out-is-a-file "$WORK/a-file" "the output path is not a folder"
expect_out_error out-under-a-file "$WORK/a-file/sub" "cannot create the output folder"
expect_out_error out-in-proc "/proc/octavo-out" "cannot create the output folder"
expect_out_error out-under-proc-file "/proc/version/out" "cannot create the output folder"
if mkdir -p "$WORK/ro" && mount --bind "$WORK/ro" "$WORK/ro" 2>/dev/null; then
  if mount -o remount,ro,bind "$WORK/ro" 2>/dev/null; then
    expect_out_error out-read-only "$WORK/ro" "cannot write in the output folder: Read-only"
  else
    echo "hostile: note: cannot remount read-only; read-only folder case skipped"
  fi
  umount "$WORK/ro"
else
  echo "hostile: note: mount not permitted; read-only folder case skipped"
fi

# ---- a full disk -----------------------------------------------------------------------------
phase "a full disk"
# previous outputs from "small" (slug small); "heavy" has the same slug and much larger outputs
prev_outputs() { # DIR: build small there and keep copies
  rm -rf "$1" "$1.prev" && mkdir -p "$1.prev"
  "$BIN" build "$G/small" -o "$1" -q && cp "$1/small.pdf" "$1/small.epub" "$1.prev/"
}
same_as_prev() { # CASE DIR
  if cmp -s "$2/small.pdf" "$2.prev/small.pdf" && cmp -s "$2/small.epub" "$2.prev/small.epub"; then
    ok
  else
    bad "$1: the previous outputs changed"
  fi
  [ "$(ls -A "$2" | wc -l)" = 2 ] && ok || bad "$1: stray files: $(ls -A "$2")"
}
D="$O/fsize"
prev_outputs "$D"
(ulimit -f 64 && exec timeout "$T" "$BIN" build "$G/heavy" -o "$D") >"$L/fsize.out" 2>"$L/fsize.err"
rc=$?
if sane fsize; then
  [ "$rc" = 1 ] && grep -Eq "^$D/small\.(pdf|epub): error: cannot write the output: File too large" "$L/fsize.err" && ok ||
    { bad "fsize: exit $rc, want 1 with 'File too large'"; show "$L/fsize.err"; }
fi
same_as_prev fsize "$D"
no_temps "$D" && ok

# a small tmpfs: room for the old outputs and the new PDF but not the new EPUB too
mkdir -p "$WORK/tmpfs"
if mount -t tmpfs -o size=64k tmpfs "$WORK/tmpfs" 2>/dev/null; then
  umount "$WORK/tmpfs"
  "$BIN" build "$G/heavy" -o "$O/heavy-size" -q
  sz() { stat -c %s "$1"; }
  D="$O/small-size"
  prev_outputs "$D"
  total=$(($(sz "$D/small.pdf") + $(sz "$D/small.epub") + $(sz "$O/heavy-size/small.pdf") + $(sz "$O/heavy-size/small.epub") / 2))
  total=$(((total / 4096 + 4) * 4096))
  mount -t tmpfs -o size=$total tmpfs "$WORK/tmpfs"
  D="$WORK/tmpfs/out"
  mkdir -p "$D.prev" && cp "$O/small-size/small.pdf" "$O/small-size/small.epub" "$D.prev/"
  mkdir -p "$D" && cp "$D.prev/small.pdf" "$D.prev/small.epub" "$D/"
  timeout "$T" "$BIN" build "$G/heavy" -o "$D" >"$L/disk-full.out" 2>"$L/disk-full.err"
  rc=$?
  if sane disk-full; then
    [ "$rc" = 1 ] && grep -Eq "^$D/small\.(pdf|epub): error: cannot (write|flush|close) the output: No space left" "$L/disk-full.err" && ok ||
      { bad "disk-full: exit $rc, want 1 with 'No space left'"; show "$L/disk-full.err"; }
  fi
  same_as_prev disk-full "$D"
  no_temps "$D" && ok
  # nothing fits at all: a fresh folder stays empty
  rm -rf "$D" "$D.prev" && umount "$WORK/tmpfs" && mount -t tmpfs -o size=16k tmpfs "$WORK/tmpfs"
  timeout "$T" "$BIN" build "$G/small" -o "$WORK/tmpfs/o" >"$L/disk-tiny.out" 2>"$L/disk-tiny.err"
  rc=$?
  if sane disk-tiny; then
    [ "$rc" = 1 ] && [ -z "$(ls -A "$WORK/tmpfs/o")" ] && ok || { bad "disk-tiny: exit $rc or files left: $(ls -A "$WORK/tmpfs/o")"; show "$L/disk-tiny.err"; }
  fi
  umount "$WORK/tmpfs"
else
  echo "hostile: note: cannot mount a tmpfs; the full-disk case uses RLIMIT_FSIZE only"
fi

# ---- interrupted builds ----------------------------------------------------------------------------
phase "interrupted builds"
# "big" built with another date gives different bytes: the previous outputs. An
# interrupted build must leave either both previous outputs or both new ones.
D="$O/signals"
SOURCE_DATE_EPOCH=1600000000 "$BIN" build "$G/big" -o "$D.prev" -q
"$BIN" build "$G/big" -o "$D.new" -q
start=$(date +%s%N)
"$BIN" build "$G/big" -o "$D.time" -q
full_ms=$((($(date +%s%N) - start) / 1000000))
cmp -s "$D.prev/big.pdf" "$D.new/big.pdf" && bad "signals: SOURCE_DATE_EPOCH does not change the PDF"
interrupted=0
for pct in 40 80 95 100 105 110; do
  for sig in INT TERM; do
    rm -rf "$D" && mkdir -p "$D" && cp "$D.prev/big.pdf" "$D.prev/big.epub" "$D/"
    # a background job of a script ignores SIGINT: restore the default, like a terminal's ^C
    python3 -I -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$BIN" build "$G/big" -o "$D" -q 2>"$L/sig.err" &
    pid=$!
    sleep "$(awk "BEGIN{print $full_ms * $pct / 100000}")"
    kill -s "$sig" "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    if [ "$rc" != 0 ]; then interrupted=$((interrupted + 1)); fi
    if [ "$rc" != 0 ] && [ "$rc" != 130 ] && [ "$rc" != 143 ]; then bad "SIG$sig at $pct%: exit $rc"; show "$L/sig.err"; fi
    if cmp -s "$D/big.pdf" "$D.prev/big.pdf" && cmp -s "$D/big.epub" "$D.prev/big.epub"; then
      ok
    elif cmp -s "$D/big.pdf" "$D.new/big.pdf" && cmp -s "$D/big.epub" "$D.new/big.epub"; then
      ok
    else
      bad "SIG$sig at $pct% of ${full_ms} ms (exit $rc): outputs are neither all previous nor all new"
    fi
    no_temps "$D" && ok
  done
done
[ "$interrupted" -gt 0 ] && ok || bad "signals: no build was interrupted (full build ${full_ms} ms)"
echo "hostile: $interrupted of 12 signalled builds were interrupted (full build ${full_ms} ms)"

# ---- what octavo opens, and no network -------------------------------------------------------------
phase "what octavo opens"
if command -v strace >/dev/null 2>&1; then
  for c in raw-html remote-image chapter-symlink image-symlink-dir images-valid empty-file; do
    book="$G/$c"
    [ -e "$book" ] || book="$G/$c.md"
    out="$O/strace-$c"
    timeout "$T" strace -f -qq -o "$L/$c.strace" -e trace=open,openat,openat2,creat,socket,connect,execve \
      "$BIN" build "$book" -o "$out" >/dev/null 2>&1
    if grep -Eq "(socket|connect)\(" "$L/$c.strace"; then bad "strace $c: network calls"; grep -E "(socket|connect)\(" "$L/$c.strace" | head -3; fi
    outside=$(grep -oE 'open(at|at2)?\((AT_FDCWD, )?"[^"]*"' "$L/$c.strace" | sed -E 's/.*"([^"]*)"/\1/' | sort -u |
      while IFS= read -r p; do
        case "$p" in
        "$G/$c" | "$G/$c"/* | "$G/$c.md" | "$SRC/fonts"/* | "$out" | "$out"/* | /usr/share/hyphen/* | /etc/ld.so* | \
          /lib/* | /lib64/* | /usr/lib/* | /usr/lib64/* | /proc/self/* | /proc/sys/vm/overcommit_memory | /usr/share/locale/* | \
          /usr/lib/locale/* | /etc/localtime | /usr/share/zoneinfo/* | /dev/null | /dev/urandom | /sys/devices/system/cpu/* | \
          /proc/filesystems | /sys/kernel/mm/transparent_hugepage/*) ;;
          # /proc/filesystems: libselinux's constructor (loaded with librsvg's GIO) looks for selinuxfs;
          # transparent_hugepage/: the kernel's huge-page mode (octavo's, and glibc's with
          # glibc.malloc.hugetlb; src/util/hugepages.c)
        *) echo "$p" ;;
        esac
      done)
    if [ -n "$outside" ]; then bad "strace $c: opened outside the book, fonts/ and the system: $(echo $outside)"; else ok; fi
    # a refused open (= -1 EXDEV, ELOOP) of the outside name is fine; one that succeeds is not
    grep -E 'outside\.(png|md)".*= [0-9]+$' "$L/$c.strace" && bad "strace $c: opened the file outside the book"
  done
else
  bad "strace is not installed (apt-get install strace)"
fi

# ---- every built output: active content, completeness, epubcheck --------------------------------------
phase "every built output"
if python3 -I "$SRC/tests/hostile/check_outputs.py" "${TO_VALIDATE[@]}" >"$L/check.txt"; then ok; else
  bad "outputs with active content or damage:"; show "$L/check.txt" 20
fi
for pn in "${epubcheck_pids[@]}"; do
  if wait "${pn%%:*}"; then ok; else
    bad "epubcheck ${pn#*:}"
    grep -E "^(ERROR|FATAL|WARNING)" "$L/${pn#*:}.epubcheck" | head -5 | cut -c1-300
  fi
done
echo "hostile: $pass passed, $fail failed"
[ "$fail" = 0 ]
