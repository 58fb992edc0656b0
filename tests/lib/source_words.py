"""The reader-visible words of a book's Markdown, in reading order, and the
in-order measure pdf_validate.sh applies to pdftotext, for checks that read
a PDF's text some other way (tests/lib/check_tagged_pdf.py reads it in
structure-tree order).

Words are lower-cased runs of letters and digits; each Chinese or Japanese
character is a word of its own (no spaces, a line may break anywhere); each
maximal run of right-to-left words is sorted (extraction may reorder them);
"fine-tune" and a word hyphenated at a line end become one word; words in a
script no bundled font has (drawn as U+FFFD) are left out, with
OCTAVO_FONTS naming the fonts folder. The rules are pdf_validate.sh's.

A footnote's words are placed where the note is first cited, which is where
a tagged PDF's Note element belongs in reading order."""
import bisect
import html
import os
import re
import struct

WORD = re.compile(r"[^\W_]+")
CJK_SPLIT = re.compile(r"([\u2E80-\u2FDF\u3040-\u30FF\u3190-\u31FF\u3400-\u4DBF"
                       r"\u4E00-\u9FFF\uF900-\uFAFF\uFF66-\uFF9F])")
NOTE_DEF = re.compile(r"^\[\^([^\]]+)\]:")
NOTE_REF = re.compile(r"\[\^([^\]]+)\](?!:)")


def strip_front_matter(text):
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end > 0:
            nl = text.find("\n", end + 4)
            return text[nl + 1 if nl >= 0 else len(text):]
    return text


def join_compounds(t):
    """'fine-tune' -> 'finetune', and a word broken at a line-end hyphen."""
    return re.sub(r"([^\W\d_])[-\u2010\u00ad]\s*([^\W\d_])", r"\1\2", t)


def font_coverage(folder):
    """Code points some bundled font maps (cmap formats 4 and 12, Unicode)."""
    cover = set()
    for name in os.listdir(folder):
        if not name.endswith(".ttf"):
            continue
        d = open(os.path.join(folder, name), "rb").read()
        tables = {}
        for i in range(struct.unpack(">H", d[4:6])[0]):
            tag, _, off, _ = struct.unpack(">4sIII", d[12 + 16 * i:28 + 16 * i])
            tables[tag] = off
        c = tables[b"cmap"]
        for i in range(struct.unpack(">H", d[c + 2:c + 4])[0]):
            plat, enc, off = struct.unpack(">HHI", d[c + 4 + 8 * i:c + 12 + 8 * i])
            sub = c + off
            fmt = struct.unpack(">H", d[sub:sub + 2])[0]
            if (plat, enc) == (3, 10) and fmt == 12:
                for g in range(struct.unpack(">I", d[sub + 12:sub + 16])[0]):
                    a, b, _ = struct.unpack(">III", d[sub + 16 + 12 * g:sub + 28 + 12 * g])
                    cover.update(range(a, min(b, 0x10FFFF) + 1))
            elif (plat, enc) == (3, 1) and fmt == 4:
                segs = struct.unpack(">H", d[sub + 6:sub + 8])[0] // 2
                ends = struct.unpack(">%dH" % segs, d[sub + 14:sub + 14 + 2 * segs])
                starts = struct.unpack(">%dH" % segs, d[sub + 16 + 2 * segs:sub + 16 + 4 * segs])
                for a, b in zip(starts, ends):
                    cover.update(range(a, min(b, 0xFFFE) + 1))
    return cover


COVER = font_coverage(os.environ["OCTAVO_FONTS"]) if os.environ.get("OCTAVO_FONTS") else None


def drawable(w):
    return COVER is None or all(ord(ch) in COVER for ch in w)


def is_rtl(w):
    return any(0x0590 <= ord(ch) <= 0x08FF or 0xFB1D <= ord(ch) <= 0xFDFF or
               0xFE70 <= ord(ch) <= 0xFEFF for ch in w)


def words_of(text):
    """Lower-cased words in order (see the module's header)."""
    out = []
    for w in WORD.findall(join_compounds(text)):
        out += [p for p in CJK_SPLIT.split(w.lower()) if p]
    i = 0
    while i < len(out):
        if is_rtl(out[i]):
            j = i
            while j < len(out) and is_rtl(out[j]):
                j += 1
            out[i:j] = sorted(out[i:j])
            i = j
        else:
            i += 1
    return out


def _clean(t):
    t = re.sub(r"<!--.*?-->", " ", t, flags=re.S)
    t = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", t)        # images (drawn; alt is not text)
    t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", t)      # links -> text
    t = re.sub(r"<(https?://[^>]+)>", r"\1", t)         # autolinks
    t = re.sub(r"</?[A-Za-z][^>]*>", " ", t)            # html tags
    t = re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", t)        # escapes
    return html.unescape(t)


def _scan(text):
    """A chapter's body (fenced code kept, table delimiter rows and footnote
    definitions taken out) and its footnotes' text by label."""
    body, notes = [], {}
    note = None
    fence = None
    rust = False
    for line in strip_front_matter(text).split("\n"):
        s = line.strip()
        if fence:
            if s.startswith(fence):
                fence = None
            elif rust and (s == "#" or s.startswith("# ")):
                pass  # mdBook's hidden lines of Rust code, not shown
            else:
                body.append(line)
            continue
        m = re.match(r"(```+|~~~+)\s*(\S*)", s)
        if m:
            fence = m.group(1)
            rust = re.split(r"[,\s{}]", m.group(2).lower().lstrip("{."))[0] in ("rust", "rs")
            note = None
            continue
        d = NOTE_DEF.match(s)
        if d:
            note = d.group(1)
            notes[note] = [s[d.end():]]
            continue
        if note and (line.startswith("    ") or line.startswith("\t") or not s):
            notes[note].append(s)
            continue
        note = None
        if re.match(r"^\|?\s*:?-{2,}", s) and set(s) <= set("|:- "):
            continue  # table delimiter row
        body.append(line)
    return "\n".join(body), notes


def _drawable_words(text):
    ws = words_of(_clean(text))
    return [w for w in ws if drawable(w)], sum(1 for w in ws if not drawable(w))


def md_words(text):
    """The chapter's words in reading order, each footnote's body where it
    is first cited; and the count of words no bundled font draws."""
    body, notes = _scan(text)
    seen = set()

    def inline(m):
        label = m.group(1)
        if label in seen or label not in notes:
            return " "
        seen.add(label)
        return " " + " ".join(notes[label]) + " "
    return _drawable_words(NOTE_REF.sub(inline, body))


def md_body_and_notes(text):
    """The chapter's words without its footnotes, in reading order; every
    footnote's words (a page's notes sit at its foot, away from the text
    that cites them); and the count of words no bundled font draws."""
    body, notes = _scan(text)
    words, dropped = _drawable_words(NOTE_REF.sub(" ", body))
    nwords, ndropped = _drawable_words("\n".join(" ".join(v) for v in notes.values()))
    return words, nwords, dropped + ndropped


def in_order(src, got, window=3000):
    """Greedy subsequence match: the fraction of src words found in order in
    got (a long jump counts only when the next source words follow it)."""
    pos, found = 0, 0
    index = {}
    for i, w in enumerate(got):
        index.setdefault(w, []).append(i)

    def confirmed(j, p):
        return all(w in got[p + 1:p + 16] for w in src[j + 1:j + 6])
    for j, w in enumerate(src):
        lst = index.get(w)
        if not lst:
            continue
        k = bisect.bisect_left(lst, pos)
        while k < len(lst) and lst[k] - pos <= window:
            if lst[k] - pos <= 40 or confirmed(j, lst[k]):
                found += 1
                pos = lst[k] + 1
                break
            k += 1
    return found / max(1, len(src))


MDBOOK_DIRECTIVE = re.compile(r"\{\{#[a-z_]+[^}]*\}\}")


def mdbook_sources(book):
    """An mdBook folder's chapters in SUMMARY.md order (draft chapters have
    no file); {{#include ...}} and the other directives are left out (the
    words they bring are extra words, which the measure allows)."""
    src = "src"
    for line in open(os.path.join(book, "book.toml"), encoding="utf-8"):
        m = re.match(r"^\s*src\s*=\s*[\"']([^\"']*)[\"']", line)
        if m:
            src = m.group(1)
    base = os.path.join(book, src)
    summary = open(os.path.join(base, "SUMMARY.md"), encoding="utf-8").read()
    summary = re.sub(r"<!--.*?-->", " ", summary, flags=re.S)
    out = []
    for path in re.findall(r"\[[^\]]*\]\(([^)]+)\)", summary):
        text = open(os.path.join(base, path.strip()), encoding="utf-8").read()
        out.append(MDBOOK_DIRECTIVE.sub(" ", text))
    return out


def sources(book):
    """The Markdown of a book folder's chapters (book.yaml order, or an
    mdBook's SUMMARY.md order), or of a file."""
    if os.path.isfile(book):
        return [open(book, encoding="utf-8").read()]
    if not os.path.exists(os.path.join(book, "book.yaml")) and \
            os.path.exists(os.path.join(book, "book.toml")):
        return mdbook_sources(book)
    meta = open(os.path.join(book, "book.yaml"), encoding="utf-8").read()
    chapters = re.findall(r"^\s*-\s*(\S+\.md)\s*$", meta, flags=re.M)
    return [open(os.path.join(book, c), encoding="utf-8").read() for c in chapters]
