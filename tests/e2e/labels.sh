#!/usr/bin/env bash
# octavo's own words follow the book's language (src/doc/labels.c): a Korean
# book (tests/fixtures/labels-ko, numbered chapters, a figure, a table, a
# link between chapters) has 차례, 제1장 and 그림 1. in its PDF (drawn, in a
# face that has Hangul: no glyph 0) and its outline, and 차례 and 표제지 in
# its EPUB's navigation with 그림 1. and 표 1 in its chapters (read by
# parsing the XHTML); a handout of chapter 2 in print says (전체 책에 수록) after the link
# to the left-out chapter 1; a zh-TW book's contents page is 目錄. The English
# words are nowhere in the Korean book.
. "$(dirname "$0")/../lib/e2e.sh"
B=$SRC/tests/fixtures/labels-ko

if "$BIN" build "$B" -o "$WORK/ko" -q 2>"$WORK/ko.err"; then ok "ko: builds"; else bad "ko: $(head -3 "$WORK/ko.err")"; fi
pdftotext "$WORK/ko/labels-ko.pdf" "$WORK/ko.txt"
for w in 차례 제1장 제2장 "그림 1. 경력 단계"; do
    if grep -qF "$w" "$WORK/ko.txt"; then ok "ko PDF: '$w'"; else bad "ko PDF: no '$w'"; fi
done
if grep -qE 'Contents|Chapter|Figure' "$WORK/ko.txt"; then
    bad "ko PDF: English labels: $(grep -E 'Contents|Chapter|Figure' "$WORK/ko.txt" | head -3)"
else
    ok "ko PDF: no English labels"
fi
if r=$(python3 -I "$SRC/tests/lib/check_no_notdef.py" "$WORK/ko/labels-ko.pdf" 2>&1); then ok "ko PDF: $r"; else bad "ko PDF: $r"; fi
if qpdf --json "$WORK/ko/labels-ko.pdf" | python3 -I -c '
import json, sys
titles = [o["title"] for o in json.load(sys.stdin)["outlines"]]
sys.exit(0 if "차례" in titles and "Contents" not in titles else 1)'; then
    ok "ko PDF: the contents bookmark is 차례"
else
    bad "ko PDF: bookmarks $(qpdf --json "$WORK/ko/labels-ko.pdf" | grep -o '"title": "[^"]*"' | head -3 | tr '\n' ' ')"
fi

E=$WORK/ko/labels-ko.epub
if python3 -I - "$E" <<'PY'; then ok "ko EPUB: 차례 (nav title, heading, landmark), 표제지, 그림 1., 표 1"; else bad "ko EPUB: labels"; fi
import sys, zipfile
import xml.etree.ElementTree as ET
X = "{http://www.w3.org/1999/xhtml}"
z = zipfile.ZipFile(sys.argv[1])
def text(e):
    return "".join(e.itertext()).strip()
nav = ET.fromstring(z.read("EPUB/nav.xhtml"))
ok = text(nav.find(f"{X}head/{X}title")) == "차례"
ok &= text(nav.find(f".//{X}nav[@id='toc']/{X}h1")) == "차례"
marks = [text(a) for a in nav.findall(f".//{X}nav[@id='landmarks']//{X}a")]
ok &= "차례" in marks and "표제지" in marks and "Contents" not in marks and "Title page" not in marks
labels, tables = [], []
for n in z.namelist():
    if n.startswith("EPUB/text/") and n.endswith(".xhtml"):
        root = ET.fromstring(z.read(n))
        labels += [text(s) for s in root.iter(f"{X}span") if s.get("class") == "fig-label"]
        tables += [d.get("aria-label") for d in root.iter(f"{X}div") if d.get("class") == "table-wrap"]
ok &= labels == ["그림 1."] and tables == ["표 1"]
if not ok:
    print("marks", marks, "labels", labels, "tables", tables, file=sys.stderr)
sys.exit(0 if ok else 1)
PY
if r=$("$SRC/tests/lib/run_epubcheck.sh" "$E" 2>&1 | grep -E '^Messages:'); [[ $r == *"0 fatals / 0 errors / 0 warnings"* ]]; then
    ok "ko EPUB: epubcheck $r"
else
    bad "ko EPUB: epubcheck $r"
fi

# a handout of chapter 2, in print: the link to chapter 1 says where it is
if "$BIN" build "$B" -o "$WORK/ho" -q --chapters 2 --profile print --format pdf 2>"$WORK/ho.err"; then
    if pdftotext "$WORK/ho/"*.pdf - | tr -d '\n' | grep -qF "시작하기 (전체 책에 수록) 장에서"; then
        ok "ko handout: '(전체 책에 수록)' after the link to the left-out chapter"
    else
        bad "ko handout: no '(전체 책에 수록)'"
    fi
else
    bad "ko handout: $(head -3 "$WORK/ho.err")"
fi

# traditional Chinese (the region says so)
mkdir -p "$WORK/tw"
printf -- '---\ntitle: 測試\nlanguage: zh-TW\n---\n\n# 第一\n\n中文的文字。\n\n## 小節\n\n更多文字。\n' >"$WORK/tw/tw.md"
if "$BIN" build "$WORK/tw/tw.md" -o "$WORK/tw/out" -q --format pdf 2>"$WORK/tw.err" &&
    pdftotext "$WORK/tw/out/tw.pdf" - | tr -d "\f" | grep -qx "目錄"; then
    ok "zh-TW: the contents page is 目錄"
else
    bad "zh-TW: no 目錄 ($(head -2 "$WORK/tw.err"))"
fi
finish labels
