"""Seeds for fuzz_mdbook: mdBook folders as its input format wants them,
book.toml, SUMMARY.md, src/a.md, src/b.md, src/sub/c.md, listings/l.rs,
listings/e.md and src/d.md joined by NUL bytes.

usage: python3 -I tests/fuzz/mdbook_seeds.py OUTDIR
"""
import os
import sys

LISTING = """use std::io;
// ANCHOR: x
fn main() {
    // ANCHOR: y
    println!("hi");
    // ANCHOR_END: y
}
// ANCHOR_END: x
"""

SEEDS = {
    "nested": [
        '[book]\ntitle = "T"\nauthors = ["A", "B"]\nlanguage = "en"\n[output.html]\nsite-url = "/x/"\n',
        "# Summary\n\n[Pre](a.md)\n\n---\n\n# Part\n\n- [B](b.md)\n    - [C](sub/c.md)\n"
        "    - [Draft]()\n\n# Other\n\n- [D](d.md)\n\n[Suf](README.md)\n",
        "# A\n\n[b](b.html#Section) [c](sub/c.md#deep) [i](index.html)\n",
        "# B\n\n## Section\n\n```rust,ignore\n{{#include ../listings/l.rs:x}}\n```\n"
        "\n{{#rustdoc_include ../listings/l.rs:2:5}}\n",
        "# C\n\n## Deep\n\n{{#include ../../listings/e.md}}\n\n[up](../a.html)\n",
        LISTING,
        "Included {{#include l.rs:y}} and \\{{#include l.rs}}\n",
        "# D\n\n{{#playground ../listings/l.rs editable}}\n{{#title D page}}\n",
    ],
    "forms": [
        "[book]\nsrc = 'src'\n[preprocessor.x]\ncommand = \"\"\"\nmulti\n\"\"\"\n",
        "- [A](a.md)\n",
        "{{#include ../listings/l.rs}}\n{{#include ../listings/l.rs:3}}\n"
        "{{#include ../listings/l.rs:2:4}}\n{{#include ../listings/l.rs:4:}}\n"
        "{{#include ../listings/l.rs::2}}\n{{#include ../listings/l.rs:nope}}\n",
        "",
        "",
        LISTING,
    ],
    "cycle": [
        "[book]\n",
        "[A](a.md)\n[B](b.md)\n",
        "{{#include ../listings/e.md}}\n",
        "{{#include ../../etc/passwd}}\n",
        "",
        "",
        "{{#include e.md}}\n",
    ],
    "toml": [
        "# c\n[book]\ntitle = \"Caf\\u00e9\"\ndotted.k = 1979-05-27T07:32:00Z\n"
        "n = [0x1F, 1.5e3, inf, { a = [true] }]\n[[arr]]\nx = 'y'\n",
        "# Title\n\n- [A](a.md)\n  - [B](b.md)\n",
        "# A\n",
        "# B\n",
    ],
}


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    for name, parts in SEEDS.items():
        with open(os.path.join(out, "mdbook-" + name), "wb") as f:
            f.write(b"\0".join(p.encode() for p in parts))


main()
