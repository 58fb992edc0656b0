#!/usr/bin/env python3
"""Writes the books for tests/e2e/hostile_html.sh into OUTDIR: every element
and attribute the HTML path removes, broken and misnested markup, 10,000
levels of nested inline and block HTML, nested tables, entity floods, huge
colspans and a paragraph of 50,000 tags. Generated at run time.

usage: html_gen.py OUTDIR
"""
import os
import sys


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def book(out, name, chapter):
    root = os.path.join(out, name)
    write(os.path.join(root, "book.yaml"),
          "title: Case %s\nslug: %s\nchapters:\n  - chapters/a.md\n" % (name, name))
    write(os.path.join(root, "chapters", "a.md"), chapter)


INTRO = "# Case\n\nSome text before the HTML.\n\n"

REMOVED = """<script>alert('script')</script>

<script src="https://evil.example/x.js"></script>

<style>body { display: none }</style>
<iframe src="https://evil.example/">iframe fallback IFRAMEWORD</iframe>
<object data="x.swf">OBJECTWORD</object>
<embed src="x.swf">
<form action="https://evil.example/"><input name=q value="INPUTWORD"><button>BUTTONWORD</button>
<select><option>OPTIONWORD</option></select><textarea>TEXTAREAWORD</textarea></form>
<template><p>TEMPLATEWORD</p></template>
<noscript>NOSCRIPTWORD</noscript>
<base href="https://evil.example/">
<meta http-equiv="refresh" content="0; url=https://evil.example/">
<link rel="stylesheet" href="https://evil.example/x.css">
<svg onload="alert('svg')"><script>alert('svg script')</script></svg>

<p onclick="alert(1)" onmouseover="alert(2)" style="color: red" ONLOAD="alert(3)">Kept
<a href="javascript:alert(4)">js</a> <a href=" JaVaScRiPt:alert(5)">js2</a>
<a href="java&#x09;script:alert(6)">js3</a> <a href="vbscript:msgbox(7)">vb</a>
<a href="data:text/html;base64,PHNjcmlwdD4=">data</a>
<img src="javascript:alert(8)" alt="jsimg"> <img src="data:image/svg+xml,<svg onload=alert(9)>" alt="dataimg">
<span onerror="alert(10)" style="x">span</span> <!-- comment COMMENTWORD --></p>

<details ontoggle="alert(11)" open><summary onclick="alert(12)">Sum</summary>Body</details>

<a href="https://example.com" onclick="alert(13)" style="x">fine link</a>
"""

BROKEN = """<div><p>unclosed paragraph <b>bold <i>both</b> italic?</i>
</span></div></div></div> stray closers </td></tr></table>

<table><tr><td>cell<table>inner</td>after</table>

<tr><td>row outside a table</td></tr>

<a href=https://example.com/a<b>attribute soup</b>

<ul><li>one<li>two<ol><li>deep</ul> after list

<![CDATA[ cdata text ]]> <!doctype html> <html><head><title>TITLEWORD</title></head><body>body in body</body></html>

<!-- an unclosed comment

Text after the unclosed comment.

<p>< not a tag, a < b > c, &amp &notanentity; &#99999999; &#xD800; &#0; &#x110000;</p>

<kbd><kbd>Ctrl</kbd>+<kbd>C</kbd>

<h1>heading <h2>inside heading</h1> text</h2>

<figure><figcaption>caption only</figcaption></figure>

<figure><img src="missing-but-remote.png" alt=x>
<figcaption>two</figcaption><figcaption>captions</figcaption></figure>

<dl><dd>desc first</dd>stray<dt>term last</dl>

<details><p>no summary</p></details>

<summary>summary outside details</summary>

<li>item outside a list</li> <dt>term outside</dt> <td>cell outside</td> <caption>caption outside</caption>

<iframe src="x">

Markdown after an unclosed *iframe* stays.
"""


def main():
    out = sys.argv[1]
    book(out, "removed", INTRO + REMOVED)
    # the same, once per paragraph, 500 times: still one warning per kind
    book(out, "removed-many", INTRO + "".join(
        "Para %d <script>x</script> <b onclick=x>b</b> <a href='javascript:x'>j</a>\n\n" % i
        for i in range(500)))
    book(out, "broken", INTRO + BROKEN.replace("missing-but-remote.png",
                                               "https://example.com/x.png"))
    n = 10000
    book(out, "deep-inline", INTRO + "x " + "<b><i><span>" * n + "DEEPWORD" +
         "</span></i></b>" * n + " y\n")
    book(out, "deep-inline-unclosed", INTRO + "x " + "<kbd><sup>" * n + "DEEPWORD\n")
    book(out, "deep-block", INTRO + "<div><blockquote><ul><li>" * n + "DEEPWORD\n\n" +
         "</li></ul></blockquote></div>" * n + "\n\nAfter the deep block.\n")
    book(out, "deep-mixed", INTRO + "<details><dl><dd><table><tr><td>" * 2000 + "DEEPWORD\n")
    book(out, "deep-markdown", "> " * 40 + "<div>" * 5000 + "DEEPWORD\n")
    book(out, "entity-flood", INTRO + "<p>" + "&amp;&nbsp;&copy;&#x1F600;&#0;&#xD800;&bogus;&lt;"
         * 8000 + "</p>\n\n" + ("&#x41;" * 1000 + "\n") * 20)
    book(out, "tag-flood", INTRO + "<kbd>k</kbd>+" * 20000 + "\n")
    book(out, "colspan", INTRO + "<table><tr>" + "<td colspan=100000>w</td>" * 20 + "</tr>" +
         "<tr>" + "<td>c</td>" * 3000 + "</tr></table>\n")
    book(out, "attr-flood", INTRO + "<p " + " ".join("on%d=x a%d=y" % (i, i) for i in range(20000))
         + ">attrs</p>\n")


if __name__ == "__main__":
    main()
