"""Checks a PDF against the rules of a tagged PDF (PDF/UA-1's, as far as
qpdf, pdfinfo and poppler can show them; veraPDF is not available here).

usage: python3 -I check_tagged_pdf.py BOOK PDF

BOOK is the book folder or .md file the PDF was built from. Prints one line
per check, "ok ..." or "FAIL ...", and exits 1 when any check fails:

  tagged      pdfinfo says "Tagged: yes"
  words       the text of `pdfinfo -struct-text`, in structure-tree order,
              holds >= 99 % of the source's words in order, each footnote's
              words where it is first cited (tests/lib/source_words.py);
              right-to-left words are not compared (poppler gives them in
              visual order without spaces)
  catalog     /MarkInfo <</Marked true>>, /Lang, /ViewerPreferences
              <</DisplayDocTitle true>>, an uncompressed /Metadata stream
              (/Type /Metadata /Subtype /XML) with dc:title and pdfuaid:part 1
  tabs        /Tabs /S on every page
  content     in every page's decoded content streams, each text-showing,
              painting or XObject operator lies inside marked content whose
              outermost sequence is an /Artifact or carries an MCID; MCIDs
              are unique on their page
  parenttree  each page with MCIDs has /StructParents, and its ParentTree
              array has one entry per MCID 0..n-1, which is the one
              structure element whose /K holds that MCID on that page; no
              element holds an MCID the page does not have
  figures     every Figure has a non-empty /Alt
  headings    H1-H6 in tree order never skip a level downwards
  links       every /Link annotation has a /StructParent whose ParentTree
              entry is a Link element holding an OBJR to that annotation
  tables      every TH has /Scope in its attributes
Counts of elements by type go on the second last line, and on the last the
/Lang values of marked content (runs in a script the book's language is not
written in) with their counts, or "langs: none"."""
import base64
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import source_words  # noqa: E402

results = []
LANGS = {}  # /Lang of marked-content sequences (runs in another script): count


def check(name, good, detail):
    results.append(good)
    print("%s %s: %s" % ("ok  " if good else "FAIL", name, detail))


TOKEN = re.compile(rb"\s+|%[^\r\n]*|\((?:[^\\()]|\\.)*\)|<<|>>|<[0-9A-Fa-f\s]*>|\[|\]|"
                   rb"/[^\s/\[\]()<>{}%]*|[^\s/\[\]()<>{}%]+", re.S)
PAINT = {b"Tj", b"TJ", b"'", b'"', b"Do", b"f", b"F", b"f*", b"S", b"s", b"B", b"B*", b"b",
         b"b*", b"sh", b"BI"}


def scan_content(data):
    """(mcids, joined, problems) of one page's content: the MCIDs in order;
    those whose text goes on the text before it within a word (an
    /ActualText span's sequence, and the one that resumes after it); and
    operators found outside an Artifact or MCID sequence."""
    stack = []  # per open sequence: "mcid", "artifact" or "other"
    mcids, problems, operands, joined, actual = [], [], [], set(), {}
    prev_span = False
    pos = 0
    while pos < len(data):
        m = TOKEN.match(data, pos)
        if not m:
            problems.append("unparsable content at byte %d" % pos)
            break
        pos = m.end()
        t = m.group(0)
        if t[:1].isspace() or t[:1] == b"%":
            continue
        if t[:1] in b"(<[]/" or t in (b"<<", b">>") or re.match(rb"^[-+.0-9]", t) or \
                t in (b"true", b"false", b"null"):
            operands.append(t)
            continue
        if t in (b"BDC", b"BMC"):
            kind = "other"
            if operands and operands[0] == b"/Artifact":
                kind = "artifact"
            elif b"/MCID" in operands:
                i = operands.index(b"/MCID")
                kind = "mcid"
                mcids.append(int(operands[i + 1]))
                if b"/Lang" in operands:
                    lang = operands[operands.index(b"/Lang") + 1].strip(b"()").decode()
                    LANGS[lang] = LANGS.get(lang, 0) + 1
                span = b"/ActualText" in operands
                if span:
                    h = operands[operands.index(b"/ActualText") + 1]
                    if h[:1] == b"<":
                        raw = bytes.fromhex(h[1:-1].decode())
                        actual[mcids[-1]] = raw[2:].decode("utf-16-be", "replace") \
                            if raw[:2] == b"\xfe\xff" else ""
                if span or prev_span:
                    joined.add(mcids[-1])
                prev_span = span
            stack.append(kind)
        elif t == b"EMC":
            if not stack:
                problems.append("EMC without a sequence")
            else:
                stack.pop()
        elif t in PAINT:
            if not stack or stack[0] not in ("mcid", "artifact"):
                problems.append("%s outside tagged content or an artifact" % t.decode())
        operands = []
    if stack:
        problems.append("%d sequences left open" % len(stack))
    return mcids, joined, actual, problems


def main():
    book, pdf = sys.argv[1], sys.argv[2]
    info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout
    check("tagged", re.search(r"^Tagged:\s+yes", info, re.M) is not None,
          "pdfinfo: " + (re.search(r"^Tagged:.*$", info, re.M) or ["no Tagged line"])[0])

    # words in structure-tree order
    st = subprocess.run(["pdfinfo", "-struct-text", pdf], capture_output=True)
    pieces = []
    for line in st.stdout.decode("utf-8", "replace").split("\n"):
        s = line.strip()
        if len(s) >= 2 and s[0] == '"' and s[-1] == '"':
            pieces.append(s[1:-1])

    js = json.loads(subprocess.run(
        ["qpdf", "--json", "--json-stream-data=inline", "--decode-level=generalized", pdf],
        capture_output=True).stdout)
    objs = {}
    for k, v in js["qpdf"][1].items():
        if k.startswith("obj:"):
            objs[k[4:]] = v

    def val(x):
        while isinstance(x, str) and x.endswith(" R") and x in objs:
            o = objs[x]
            x = o["value"] if "value" in o else o["stream"]["dict"]
        return x

    def stream(ref):
        o = objs.get(ref, {})
        if "stream" not in o:
            return o.get("stream", {}).get("dict", {}), b""
        return o["stream"]["dict"], base64.b64decode(o["stream"].get("data", ""))

    trailer = js["qpdf"][1]["trailer"]["value"]
    cat = val(trailer["/Root"])

    # catalog
    problems = []
    if (val(cat.get("/MarkInfo")) or {}).get("/Marked") is not True:
        problems.append("no /MarkInfo <</Marked true>>")
    lang = cat.get("/Lang")
    if not isinstance(lang, str) or len(lang) < 4:
        problems.append("no /Lang")
    if (val(cat.get("/ViewerPreferences")) or {}).get("/DisplayDocTitle") is not True:
        problems.append("no DisplayDocTitle")
    md, xmp = stream(cat.get("/Metadata", ""))
    if md.get("/Type") != "/Metadata" or md.get("/Subtype") != "/XML" or "/Filter" in md:
        problems.append("no uncompressed /Metadata /XML stream")
    x = xmp.decode("utf-8", "replace")
    if "<pdfuaid:part>1</pdfuaid:part>" not in x or "<dc:title>" not in x:
        problems.append("XMP without dc:title or pdfuaid:part 1")
    check("catalog", not problems and "/StructTreeRoot" in cat,
          "; ".join(problems) if problems else
          "MarkInfo, Lang %s, DisplayDocTitle, XMP with dc:title and pdfuaid:part 1" % lang[2:])

    pages = js["pages"]
    page_refs = [p["object"] for p in pages]
    page_of = {r: i for i, r in enumerate(page_refs)}
    check("tabs", all(val(r).get("/Tabs") == "/S" for r in page_refs),
          "/Tabs /S on %d of %d pages" %
          (sum(1 for r in page_refs if val(r).get("/Tabs") == "/S"), len(page_refs)))

    # content streams
    page_mcids, page_joined, page_actual, bad = {}, {}, {}, []
    for i, p in enumerate(pages):
        data = b"".join(stream(c)[1] for c in p["contents"])
        mc, jn, at, probs = scan_content(data)
        page_mcids[i] = mc
        page_joined[i] = jn
        page_actual[i] = at
        if len(set(mc)) != len(mc):
            probs.append("an MCID used twice")
        bad += ["page %d: %s" % (i + 1, q) for q in probs[:2]]
    total = sum(len(v) for v in page_mcids.values())
    check("content", not bad and total > 0,
          "; ".join(bad[:4]) if bad else
          "every text and painting operator of %d pages inside an MCID or an Artifact (%d MCIDs)"
          % (len(pages), total))

    # the structure tree, in order
    root = val(cat.get("/StructTreeRoot")) or {}
    owners = {}      # (page index, mcid) -> [element refs]
    order = []       # (page index, mcid) in tree order
    objr = {}        # annotation ref -> element ref
    counts, headings, figures_bad, th_bad = {}, [], 0, 0

    def walk(ref, pg):
        e = val(ref)
        if not isinstance(e, dict) or "/S" not in e:
            return
        s = e["/S"][1:]
        counts[s] = counts.get(s, 0) + 1
        if re.match(r"^H[1-6]$", s):
            headings.append(int(s[1]))
        if s == "Figure" and not (isinstance(e.get("/Alt"), str) and len(e["/Alt"]) > 2):
            nonlocal_counts["figalt"] += 1
        if s == "TH":
            a = val(e.get("/A"))
            attrs = a if isinstance(a, list) else [a]
            if not any(isinstance(val(d), dict) and "/Scope" in val(d) for d in attrs):
                nonlocal_counts["th"] += 1
        epg = e.get("/Pg", pg)
        kids = e.get("/K", [])
        if not isinstance(kids, list):
            kids = [kids]
        for k in kids:
            if isinstance(k, int):
                owners.setdefault((page_of.get(epg, -1), k), []).append(ref)
                order.append((page_of.get(epg, -1), k))
                continue
            kd = val(k)
            if isinstance(kd, dict) and kd.get("/Type") == "/MCR":
                owners.setdefault((page_of.get(kd.get("/Pg", epg), -1), kd["/MCID"]),
                                  []).append(ref)
                order.append((page_of.get(kd.get("/Pg", epg), -1), kd["/MCID"]))
            elif isinstance(kd, dict) and kd.get("/Type") == "/OBJR":
                objr[kd["/Obj"]] = ref
            else:
                walk(k, epg)

    nonlocal_counts = {"figalt": 0, "th": 0}
    top = root.get("/K", [])
    for k in top if isinstance(top, list) else [top]:
        walk(k, None)
    figures_bad, th_bad = nonlocal_counts["figalt"], nonlocal_counts["th"]

    # the words, in tree order: poppler prints each marked-content
    # reference's text as one string, in tree order, from the glyphs (as
    # drawn: right-to-left words in visual order) without their /ActualText.
    # So, as a reader does: a sequence with /ActualText reads as that text,
    # right-to-left words are read back to front, and strings of one word
    # (an /ActualText cluster and the text resuming after it) are joined
    # without a space, others with one (a sequence ends at each line's end)
    text = []
    aligned = len(pieces) == len(order)
    for n, piece in enumerate(pieces):
        if aligned and order[n][1] in page_actual.get(order[n][0], {}):
            piece = page_actual[order[n][0]][order[n][1]]
        if n and not (aligned and order[n][1] in page_joined.get(order[n][0], ())):
            text.append(" ")
        text.append(piece)
    tree_words = source_words.words_of("".join(text))
    if os.environ.get("TAGGED_DEBUG"):
        print("".join(text), file=sys.stderr)
    src, dropped = [], 0
    for t in source_words.sources(book):
        w, d = source_words.md_words(t)
        src += w
        dropped += d
    # right-to-left words are left out on both sides: poppler 22.02 gives
    # a right-to-left line's text by structure in visual order with no
    # spaces (pdf_validate.sh checks them through pdftotext)
    rtl = sum(1 for w in src if source_words.is_rtl(w))
    src = [w for w in src if not source_words.is_rtl(w)]
    tree_words = [w for w in tree_words if not source_words.is_rtl(w)]
    frac = source_words.in_order(src, tree_words)
    check("words", frac >= 0.99 and len(src) > 0,
          "%.4f of %d source words (footnotes where cited) in structure-tree order%s%s" %
          (frac, len(src), " (%d right-to-left words not compared)" % rtl if rtl else "",
           "" if aligned else " (strings and references not aligned)"))

    # the ParentTree (a number tree)
    nums = {}

    def flatten(node):
        node = val(node)
        a = node.get("/Nums", [])
        for i in range(0, len(a), 2):
            nums[a[i]] = a[i + 1]
        for kid in node.get("/Kids", []):
            flatten(kid)
    if "/ParentTree" in root:
        flatten(root["/ParentTree"])
    probs = []
    for i, r in enumerate(page_refs):
        mc = page_mcids[i]
        key = val(r).get("/StructParents")
        if not mc:
            continue
        if key is None or key not in nums:
            probs.append("page %d: no ParentTree entry" % (i + 1))
            continue
        arr = val(nums[key])
        if sorted(mc) != list(range(len(arr))):
            probs.append("page %d: MCIDs %d, ParentTree entries %d" % (i + 1, len(mc), len(arr)))
            continue
        for m in mc:
            own = owners.get((i, m), [])
            if len(own) != 1 or own[0] != arr[m]:
                probs.append("page %d MCID %d: held by %d elements, ParentTree says %s" %
                             (i + 1, m, len(own), arr[m]))
                break
    for (pi, m), own in owners.items():
        if pi < 0 or m not in page_mcids.get(pi, []):
            probs.append("an element holds MCID %s of page %s, which has none such" % (m, pi + 1))
            break
    if root.get("/ParentTreeNextKey", -1) <= max(list(nums) + [-1]):
        probs.append("ParentTreeNextKey not above every key")
    check("parenttree", not probs and total > 0,
          "; ".join(probs[:3]) if probs else
          "every one of %d MCIDs in the ParentTree once, held by that element alone" % total)

    check("figures", figures_bad == 0,
          "%d Figures, %d without /Alt" % (counts.get("Figure", 0), figures_bad))
    skips = [(a, b) for a, b in zip([0] + headings, headings) if b > a + 1]
    check("headings", not skips and headings,
          "%d headings, levels nested" % len(headings) if not skips and headings else
          "%d headings; skips: %s" % (len(headings), skips[:3]))

    # links
    links, lbad = 0, []
    for i, r in enumerate(page_refs):
        for a in val(val(r).get("/Annots", [])) or []:
            ad = val(a)
            if ad.get("/Subtype") != "/Link":
                continue
            links += 1
            k = ad.get("/StructParent")
            el = val(nums.get(k)) if k is not None else None
            if not isinstance(el, dict) or el.get("/S") != "/Link":
                lbad.append("page %d: a link annotation without a Link element" % (i + 1))
            elif objr.get(a) != nums.get(k):
                lbad.append("page %d: the Link element has no OBJR to its annotation" % (i + 1))
    check("links", not lbad,
          "; ".join(lbad[:3]) if lbad else
          "%d link annotations, each tied to a Link element by /StructParent and OBJR" % links)
    check("tables", th_bad == 0, "%d TH, %d without /Scope" % (counts.get("TH", 0), th_bad))
    print("elements: " + " ".join("%s %d" % kv for kv in sorted(counts.items())))
    print("langs: " + (" ".join("%s %d" % kv for kv in sorted(LANGS.items())) or "none"))
    return 0 if all(results) else 1


sys.exit(main())
