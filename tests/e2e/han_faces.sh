#!/usr/bin/env bash
# Han unification: one character, different forms in Japanese and Chinese
# print. The book's `language:` picks the face: a Japanese book's Han and
# kana come from IPAex Mincho, a Chinese book's from Droid Sans Fallback;
# the text extracts the same either way.
. "$(dirname "$0")/../lib/e2e.sh"

fonts_of() { pdffonts "$1" | tail -n +3 | awk '{print $1}' | sed 's/^[A-Z]*+//' | sort -u; }

for lang in ja zh; do
    if "$BIN" build "$SRC/tests/fixtures/han/$lang.md" -o "$WORK/$lang" -q 2>"$WORK/$lang.err"; then
        ok "$lang: builds"
    else
        bad "$lang: build failed: $(cat "$WORK/$lang.err")"
        continue
    fi
    fonts_of "$WORK/$lang/$lang.pdf" >"$WORK/$lang.fonts"
    pdftotext "$WORK/$lang/$lang.pdf" "$WORK/$lang.txt"
done

if grep -qx IPAexMincho "$WORK/ja.fonts" && ! grep -qx DroidSansFallback "$WORK/ja.fonts"; then
    ok "ja: Han and kana set in IPAex Mincho only"
else
    bad "ja: fonts are $(tr '\n' ' ' <"$WORK/ja.fonts")"
fi
if grep -qx DroidSansFallback "$WORK/zh.fonts" && ! grep -qx IPAexMincho "$WORK/zh.fonts"; then
    ok "zh: Han set in Droid Sans Fallback only"
else
    bad "zh: fonts are $(tr '\n' ' ' <"$WORK/zh.fonts")"
fi
for lang in ja zh; do
    if grep -q "直線、骨、曜日、海" "$WORK/$lang.txt" && ! grep -q $'\xef\xbf\xbd' "$WORK/$lang.txt"; then
        ok "$lang: text extracts as written, no U+FFFD"
    else
        bad "$lang: text did not come back"
    fi
done
finish han_faces
