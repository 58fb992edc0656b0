#!/usr/bin/env python3
"""Generates a deterministic book for octavo's benchmark.

usage: gen_book.py OUTDIR PAGES [SEED]
       gen_book.py OUTDIR --code-blocks N [SEED] [--languages rust,bash,toml]

About PAGES pages of A4 output: varied paragraphs, headings, nested lists,
tables, code blocks, footnotes, figures and cross-chapter links, the same
bytes for the same arguments. With --code-blocks, a code-heavy book instead:
N code blocks (6 to 20 lines each, the 17 languages octavo highlights in turn,
some lines long enough to wrap) between short paragraphs, 10 to a chapter;
--languages keeps to the languages named (a book in one or two languages,
as most are, loads one or two highlighting definitions, not 17)."""
import os
import random
import struct
import sys
import zlib

WORDS = ("the model data training learning network layer gradient loss function "
         "feature vector matrix pipeline deploy monitor experiment baseline metric "
         "accuracy precision recall dataset sample batch epoch optimizer weight bias "
         "engineer research production service latency throughput memory cluster "
         "container schedule review design system interface library framework tensor "
         "transformer attention embedding token sequence classification regression "
         "cluster forest boosting kernel inference serving cache queue storage table "
         "query warehouse stream window partition shard replica checkpoint rollback "
         "careful simple robust quick steady clear useful practical common general "
         "measure compare improve reduce increase explain describe choose prepare "
         "understand build write read test check repeat document share publish").split()
LONG = ("hyperparameter reproducibility interpretability regularization "
        "backpropagation generalization initialization normalization "
        "internationalization characterization").split()


PAGES_PER_CHAPTER = 7.84


def sentence(r):
    n = r.randint(6, 22)
    words = [r.choice(LONG) if r.random() < 0.06 else r.choice(WORDS) for _ in range(n)]
    s = " ".join(words)
    if r.random() < 0.15:
        i = r.randrange(len(words))
        words[i] = "*" + words[i] + "*"
        s = " ".join(words)
    if r.random() < 0.1:
        s += " (`" + r.choice(WORDS) + "_" + r.choice(WORDS) + "()`)"
    return s[0].upper() + s[1:] + "."


def paragraph(r, lo=2, hi=9):
    return " ".join(sentence(r) for _ in range(r.randint(lo, hi)))


def png(path, w=240, h=120):
    rows = b""
    for y in range(h):
        row = bytearray([0])
        for x in range(w):
            row += bytes(((x * 255) // w, (y * 255) // h, 160))
        rows += bytes(row)
    def chunk(t, d):
        c = struct.pack(">I", len(d)) + t + d
        return c + struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    data = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))
    with open(path, "wb") as f:
        f.write(data)


def chapter(r, n, nch):
    out = [f"# Chapter {n}: {r.choice(WORDS).title()} and {r.choice(WORDS).title()}\n"]
    notes = []
    for s in range(1, 6):
        out.append(f"## Section {n}.{s}: {r.choice(WORDS).title()} {r.choice(WORDS)}\n")
        for _ in range(r.randint(3, 6)):
            p = paragraph(r)
            if r.random() < 0.2:
                k = len(notes) + 1
                notes.append(f"[^n{k}]: {sentence(r)}")
                p += f"[^n{k}]"
            if r.random() < 0.15 and nch > 1:
                t = r.randint(1, nch)
                p += f" See [chapter {t}](ch{t:04d}.md)."
            out.append(p + "\n")
        kind = r.random()
        if kind < 0.25:
            for i in range(r.randint(3, 6)):
                out.append(f"- {sentence(r)}")
                if r.random() < 0.4:
                    for _ in range(r.randint(1, 3)):
                        out.append(f"  1. {sentence(r)}")
            out.append("")
        elif kind < 0.45:
            out.append("| Name | Count | Notes |")
            out.append("|:-----|------:|-------|")
            for i in range(r.randint(4, 14)):
                out.append(f"| {r.choice(WORDS)} | {r.randint(1, 99999)} | {sentence(r)} |")
            out.append("")
        elif kind < 0.6:
            out.append("```python")
            for i in range(r.randint(4, 12)):
                out.append(f"{r.choice(WORDS)}_{i} = {r.choice(WORDS)}({r.randint(0, 9)})  # {r.choice(WORDS)}")
            out.append("```\n")
        elif kind < 0.68:
            out.append(f'![A chart of {r.choice(WORDS)}](../images/fig.png "{r.choice(WORDS).title()} over time")\n')
        else:
            out.append("> " + paragraph(r, 1, 3) + "\n")
    out.append("\n".join(notes) + "\n")
    return "\n".join(out)


# Code in the languages of issue 17: lines to draw from, per language.
CODE = {
    "rust": ["fn {w}_{i}(input: &str) -> Result<u32, String> {{",
             "    let {w} = input.trim().parse::<u32>().map_err(|e| e.to_string())?; // {w}",
             "    if {w} > {n} {{ return Ok({w} * 2); }}",
             "    println!(\"{w} = {{}}\", {w});", "}}"],
    "javascript": ["function {w}{i}(items) {{ // {w}",
                   "  const total = items.filter((x) => x.{w} > {n}).length;",
                   "  return `${{total}} {w}`;", "}}"],
    "typescript": ["interface {W}{i} {{ {w}: number; name: string }}",
                   "export function {w}(p: {W}{i}): string {{ return p.name + \"{w}\"; }}"],
    "python": ["def {w}_{i}(data, limit={n}):", "    # keep the {w} rows",
               "    return [row for row in data if row[\"{w}\"] < limit]"],
    "bash": ["# {w}", "for f in *.{w}; do echo \"$f\" >> \"$HOME/{w}.log\"; done",
             "export {W}_{i}={n}"],
    "c": ["#include <stdio.h>", "static int {w}_{i}(const char *s) {{ /* {w} */",
          "    return printf(\"%s {w}\\n\", s) + {n};", "}}"],
    "cpp": ["template <typename T> class {W}{i} {{", "  public:",
            "    std::vector<T> {w}; // {w}", "    int size() const {{ return {n}; }}", "}};"],
    "json": ["{{\"{w}\": {n}, \"name\": \"{w}-{i}\", \"enabled\": true, \"tags\": null}}"],
    "yaml": ["{w}_{i}: {n}  # {w}", "name: \"{w}\"", "enabled: true", "items:", "  - {w}"],
    "toml": ["[{w}]", "name = \"{w}-{i}\"  # {w}", "count = {n}", "enabled = false"],
    "html": ["<!-- {w} -->", "<div class=\"{w}\" id=\"{w}-{i}\"><p>{W} &amp; more</p></div>"],
    "xml": ["<?xml version=\"1.0\"?>", "<{w} id=\"{i}\" count=\"{n}\"><!-- {w} --></{w}>"],
    "css": ["/* {w} */", ".{w}-{i} {{ color: #333; margin: {n}px auto; }}"],
    "sql": ["SELECT {w}, COUNT(*) FROM t_{i} WHERE {w} > {n} GROUP BY {w}; -- {w}"],
    "go": ["func {W}{i}(s string) (int, error) {{ // {w}",
           "\tif len(s) > {n} {{ return 0, fmt.Errorf(\"{w}\") }}", "\treturn len(s), nil", "}}"],
    "java": ["public class {W}{i} {{ /* {w} */",
             "    private static final int {W} = {n};",
             "    String {w}() {{ return \"{w}\" + {W}; }}", "}}"],
}


def code_book(outdir, blocks, r, langs=None):
    langs = sorted(langs or CODE)
    nch = max(1, (blocks + 9) // 10)
    os.makedirs(os.path.join(outdir, "chapters"), exist_ok=True)
    names, k = [], 0
    for n in range(1, nch + 1):
        out = [f"# Chapter {n}: Code\n"]
        for s in range(10):
            if k == blocks:
                break
            lang = langs[k % len(langs)]
            out.append(f"## {lang} {n}.{s + 1}\n")
            out.append(paragraph(r, 1, 3) + "\n")
            out.append("```" + lang)
            for i in range(r.randint(6, 20)):
                w = r.choice(WORDS)
                line = r.choice(CODE[lang]).format(w=w, W=w.title(), i=i, n=r.randint(0, 999))
                if r.random() < 0.05:
                    line += "  " + ("// " if lang not in ("python", "bash", "yaml", "toml") else "# ") \
                        + " ".join(r.choice(WORDS) for _ in range(14))
                out.append(line)
            out.append("```\n")
            k += 1
        name = f"chapters/ch{n:04d}.md"
        names.append(name)
        with open(os.path.join(outdir, name), "w") as f:
            f.write("\n".join(out))
    with open(os.path.join(outdir, "book.yaml"), "w") as f:
        f.write(f"title: Code Benchmark of {blocks} Blocks\nauthor: octavo bench\n"
                f"language: en-US\nslug: code-{blocks}\ndate: 2026-01-01\nchapters:\n")
        for name in names:
            f.write(f"  - {name}\n")


def main():
    langs = None
    if "--languages" in sys.argv:
        i = sys.argv.index("--languages")
        langs = sys.argv[i + 1].split(",")
        unknown = [x for x in langs if x not in CODE]
        if unknown:
            sys.exit("gen_book.py: no code in " + ", ".join(unknown) + "; known: " + " ".join(sorted(CODE)))
        del sys.argv[i:i + 2]
    if len(sys.argv) > 3 and sys.argv[2] == "--code-blocks":
        seed = int(sys.argv[4]) if len(sys.argv) > 4 else 1
        code_book(sys.argv[1], int(sys.argv[3]), random.Random(seed), langs)
        return
    outdir, pages = sys.argv[1], int(sys.argv[2])
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    r = random.Random(seed)
    # a chapter sets to about PAGES_PER_CHAPTER A4 pages (measured: "1000"
    # gives 995 pages, "10000" 10,075)
    nch = max(1, round(pages / PAGES_PER_CHAPTER))
    os.makedirs(os.path.join(outdir, "chapters"), exist_ok=True)
    os.makedirs(os.path.join(outdir, "images"), exist_ok=True)
    png(os.path.join(outdir, "images", "fig.png"))
    names = []
    for n in range(1, nch + 1):
        name = f"chapters/ch{n:04d}.md"
        names.append(name)
        with open(os.path.join(outdir, name), "w") as f:
            f.write(chapter(r, n, nch))
    with open(os.path.join(outdir, "book.yaml"), "w") as f:
        f.write(f"title: Benchmark Book of {pages} Pages\nauthor: octavo bench\n"
                f"language: en-US\nslug: bench-{pages}\ndate: 2026-01-01\nchapters:\n")
        for name in names:
            f.write(f"  - {name}\n")


if __name__ == "__main__":
    main()
