#!/usr/bin/env bash
# guide_content.sh OCTAVO_BIN SOURCE_DIR WORK_DIR
#
# Checks the content of the guide in SOURCE_DIR/book without building it (OCTAVO_BIN is accepted
# for a uniform e2e calling convention and not used):
#   - book.yaml has the expected keys and lists >= 6 chapters that exist; >= 2,500 words in all;
#   - each chapter opens with one H1; footnotes are defined and used (>= 4 in the book);
#   - no run of 12 consecutive words is shared with the seed article;
#   - every key fact of the seed (amounts, schools, programmes, tools, levels, ...) is present;
#   - every relative link X.md#anchor / #anchor resolves to a chapter and a GitHub heading slug;
#   - every image referenced (and the cover) exists and is a PNG;
#   - typography: no raw HTML, no straight quotes in prose, en dashes in numeric ranges.
# Prints one line per failure and a final "guide_content: N passed, M failed".
set -u

if [ $# -ne 3 ]; then
    echo "usage: $0 OCTAVO_BIN SOURCE_DIR WORK_DIR" >&2
    exit 2
fi
SOURCE_DIR=$2
WORK_DIR=$3

SEED="$SOURCE_DIR/../shared/seed/000_101f6c8022122c12.txt"
if [ ! -f "$SEED" ]; then
    echo "SKIP: seed not found ($SEED)"
    exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "guide_content: FAIL: python3 is required" >&2
    exit 1
fi
mkdir -p "$WORK_DIR"

exec python3 -I - "$SOURCE_DIR/book" "$SEED" "$WORK_DIR" "$1" <<'PY'
import os
import re
import subprocess
import sys
import unicodedata

BOOK, SEED, WORK, BIN = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
NGRAM = 12
MIN_CHAPTERS = 6
MIN_WORDS = 2500
MIN_FOOTNOTES = 4

passed = 0
failed = 0


def check(name, problems):
    """Record one named check; problems is a list of messages (empty = pass)."""
    global passed, failed
    if problems:
        failed += 1
        for p in problems:
            print(f"FAIL [{name}]: {p}")
    else:
        passed += 1
        print(f"ok   [{name}]")


def finish():
    print(f"guide_content: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


# --- book.yaml ------------------------------------------------------------------------------
yaml_path = os.path.join(BOOK, "book.yaml")
if not os.path.isfile(yaml_path):
    check("book.yaml", [f"{yaml_path} not found"])
    finish()

meta, chapters, in_chapters = {}, [], False
with open(yaml_path, encoding="utf-8") as f:
    for line in f:
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        m = re.match(r"^\s+-\s+(.+?)\s*$", line)
        if in_chapters and m:
            chapters.append(m.group(1).strip("'\""))
            continue
        m = re.match(r"^([A-Za-z_]+):\s*(.*?)\s*$", line)
        if m:
            meta[m.group(1)] = m.group(2)
            in_chapters = m.group(1) == "chapters"

problems = []
expected_keys = ["title", "subtitle", "author", "language", "identifier", "date", "slug",
                 "description", "cover", "chapters"]
for k in expected_keys:
    if k not in meta:
        problems.append(f"book.yaml: missing key '{k}'")
for k in meta:
    if k not in expected_keys:
        problems.append(f"book.yaml: unexpected key '{k}'")
if meta.get("title") != "How to Become an AI/ML Engineer":
    problems.append(f"book.yaml: title is {meta.get('title')!r}")
if meta.get("slug") != "ai-ml-engineer-guide":
    problems.append(f"book.yaml: slug is {meta.get('slug')!r}")
if not re.fullmatch(r"urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
                    meta.get("identifier", "")):
    problems.append(f"book.yaml: identifier is not a urn:uuid: {meta.get('identifier')!r}")
if len(chapters) < MIN_CHAPTERS:
    problems.append(f"book.yaml lists {len(chapters)} chapters, need at least {MIN_CHAPTERS}")
missing = [c for c in chapters if not os.path.isfile(os.path.join(BOOK, c))]
for c in missing:
    problems.append(f"chapter listed in book.yaml does not exist: {c}")
check("book.yaml and chapter files", problems)
chapters = [c for c in chapters if c not in missing]
if not chapters:
    finish()

texts = {}
for c in chapters:
    with open(os.path.join(BOOK, c), encoding="utf-8") as f:
        texts[c] = f.read()


# --- Markdown helpers -----------------------------------------------------------------------
def prose_lines(text):
    """Yield (lineno, line) outside fenced code blocks."""
    fence = None
    for no, line in enumerate(text.split("\n"), 1):
        m = re.match(r"^ {0,3}(`{3,}|~{3,})", line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        yield no, line


def strip_code_spans(line):
    return re.sub(r"(`+).*?\1", " ", line)


def heading_text(raw):
    """Approximate the rendered text of an ATX heading's content."""
    t = re.sub(r"\[\^[^\]]*\]", "", raw)                    # footnote references
    t = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", t)         # links and images -> text
    t = re.sub(r"`+", "", t)
    t = t.replace("*", "").replace("~", "")
    return t.strip()


def github_slug(text):
    """GitHub's heading id: lowercase; drop all but letters, marks, numbers, '_', '-', ' '; ' ' -> '-'."""
    out = []
    for ch in text.lower():
        cat = unicodedata.category(ch)
        if cat[0] in "LMN" or cat == "Pc" or ch in " -":
            out.append(ch)
    return "".join(out).replace(" ", "-")


def headings(text):
    res = []
    for no, line in prose_lines(text):
        m = re.match(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$", line)
        if m:
            res.append((no, len(m.group(1)), heading_text(m.group(2))))
    return res


def anchors(text):
    seen, ids = {}, set()
    for _, _, t in headings(text):
        base = github_slug(t)
        n = seen.get(base, 0)
        ids.add(base if n == 0 else f"{base}-{n}")
        seen[base] = n + 1
    return ids


LINK_RE = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")


def unlink(line):
    """Replace each link or image by its text, dropping the target and title."""
    return LINK_RE.sub(lambda m: " " + m.group(2) + " ", line)


def visible(line):
    """A prose line without code spans, footnote markers, link targets/titles or autolinks."""
    line = strip_code_spans(line)
    line = re.sub(r"\[\^[^\]]+\]:?", " ", line)
    line = unlink(line)
    return re.sub(r"<https?://[^>]*>", " ", line)


def links(text):
    for no, line in prose_lines(text):
        for m in LINK_RE.finditer(strip_code_spans(line)):
            yield no, m.group(1) == "!", m.group(2), m.group(3)


# --- structure: words, H1, footnotes ----------------------------------------------------------
words = sum(len(t.split()) for t in texts.values())
check("word count", [] if words >= MIN_WORDS else
      [f"chapters hold {words} words, need at least {MIN_WORDS}"])

problems = []
all_refs, all_defs = 0, 0
for c, t in texts.items():
    hs = headings(t)
    h1 = [h for h in hs if h[1] == 1]
    if not hs or hs[0][1] != 1 or len(h1) != 1:
        problems.append(f"{c}: must start with exactly one '# Title' heading (found {len(h1)} H1)")
    if not any(h[1] == 2 for h in hs):
        problems.append(f"{c}: has no '##' sections")
    prose = "\n".join(strip_code_spans(l) for _, l in prose_lines(t))
    defs = set(re.findall(r"^\[\^([^\]]+)\]:", prose, re.M))
    refs = set(re.findall(r"\[\^([^\]]+)\](?!:)", prose))
    for r in sorted(refs - defs):
        problems.append(f"{c}: footnote [^{r}] is used but never defined")
    for d in sorted(defs - refs):
        problems.append(f"{c}: footnote [^{d}] is defined but never used")
    all_refs += len(refs)
    all_defs += len(defs)
if all_defs < MIN_FOOTNOTES:
    problems.append(f"the book has {all_defs} footnotes, need at least {MIN_FOOTNOTES}")
check("chapter structure and footnotes", problems)


# --- no shared 12-word run with the seed ------------------------------------------------------
QUOTES = {"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2032": "'"}
DASHES = {"\u2013": "-", "\u2014": "-", "\u2012": "-", "\u2212": "-", "\u2010": "-", "\u2011": "-"}


def normalise(text):
    text = unicodedata.normalize("NFKC", text)   # also turns U+00A0 into a plain space
    for a, b in {**QUOTES, **DASHES}.items():
        text = text.replace(a, b)
    return text.lower()


def words_stripped(text):
    """Whitespace-separated words, each with its punctuation stripped."""
    out = []
    for w in normalise(text).split():
        w = re.sub(r"[\W_]+", "", w)
        if w:
            out.append(w)
    return out


def words_split(text):
    """Words split at every punctuation mark (apostrophes and digit commas dropped first)."""
    t = normalise(text).replace("'", "")
    t = re.sub(r"(?<=\d),(?=\d)", "", t)
    return re.findall(r"[^\W_]+", t)


def markdown_prose(text):
    """The guide's text as a reader sees it, line by line."""
    return "\n".join(visible(line) for _, line in prose_lines(text))


with open(SEED, encoding="utf-8") as f:
    seed = f.read()
guide = "\n".join(markdown_prose(t) for t in texts.values())
problems = []
for tokenise in (words_stripped, words_split):
    s = tokenise(seed)
    seed_grams = {tuple(s[i:i + NGRAM]) for i in range(len(s) - NGRAM + 1)}
    g = tokenise(guide)
    copied = [False] * len(g)
    for i in range(len(g) - NGRAM + 1):
        if tuple(g[i:i + NGRAM]) in seed_grams:
            copied[i:i + NGRAM] = [True] * NGRAM
    i = 0
    while i < len(g):                       # report each maximal copied stretch once
        if not copied[i]:
            i += 1
            continue
        j = i
        while j < len(g) and copied[j]:
            j += 1
        problems.append(f"{j - i} words shared with the seed ({tokenise.__name__}): "
                        f"\"{' '.join(g[i:j])}\"")
        i = j
check(f"no {NGRAM}-word run shared with the seed", problems)


# --- key facts -------------------------------------------------------------------------------
# (text, case_sensitive). Amounts and ranges in the guide's en-dash form.
FACTS = [(f, True) for f in [
    # quick answer and salaries
    "$100,000–$130,000", "$160,000–$250,000", "$200,000–$500,000+",
    "$100,000–$140,000", "$140,000–$200,000", "$190,000–$280,000", "$250,000–$400,000",
    "FAANG", "Python", "PyTorch", "TensorFlow", "Kaggle", "PhD",
    # education
    "Stanford", "MIT", "CMU", "Berkeley", "University of Washington", "2–6 years",
    "$35,000–$50,000", "Springboard ML Engineering", "$17,000", "BrainStation",
    "Insight Data Science Fellowship", "3–6 months", "Andrew Ng", "Coursera", "fast.ai",
    "GitHub",
    # tools
    "NumPy", "Pandas", "Scikit-learn", "Jupyter", "Docker", "Kubernetes", "AWS SageMaker",
    "MLflow", "Weights & Biases", "Spark", "SQL", "ChatGPT", "Claude", "Midjourney",
    "Bayes", "GANs", "CNNs", "RNNs", "SVMs",
    # levels and career stages
    "Junior ML Engineer", "ML Engineer", "Senior ML Engineer", "Staff ML Engineer",
    "AI Research Scientist", "PhD+", "Data Analyst", "Research Scientist",
    "(0–2 years)", "(1–3 years)", "(3–5 years)", "(5+ years)", "(8+ years)",
    # day in the life
    "9:00 AM", "10:00 AM", "11:00 AM", "1:00 PM", "2:00 PM", "3:00 PM", "4:30 PM",
    "v3.2", "1.5%", "A/B experiment", "platform team",
]] + [(f, False) for f in [
    "linear algebra", "statistics", "calculus", "master’s", "portfolio", "total compensation",
    "generative AI", "vectors", "matrices", "eigenvalues", "distributions", "gradients",
    "backpropagation", "regression", "classification", "clustering", "decision trees",
    "random forests", "neural networks", "transformers", "attention", "fine-tuning",
    "pre-trained", "transfer learning", "diffusion models", "deployment", "experiment tracking",
    "monitoring", "retraining", "data pipelines", "feature engineering", "data cleaning",
    "data warehouses", "open-source", "latency", "pull request", "loss function",
    "missing values", "edge cases", "transformer architectures", "preprocessing pipeline",
    "overnight", "brainstorm",
]]
# the salary table: one row per level, years and range, in that order
TABLE_ROWS = [
    ("Junior ML Engineer", "0–2", "$100,000–$140,000"),
    ("ML Engineer", "2–5", "$140,000–$200,000"),
    ("Senior ML Engineer", "5–8", "$190,000–$280,000"),
    ("Staff ML Engineer", "8+", "$250,000–$400,000"),
    ("AI Research Scientist", "PhD+", r"$200,000–$500,000+"),
]

corpus = "\n".join(texts.values()).replace("\u00a0", " ")
corpus_lower = corpus.lower()
problems = []
for fact, case_sensitive in FACTS:
    found = fact in corpus if case_sensitive else fact.lower() in corpus_lower
    if not found:
        problems.append(f"key fact missing from the chapters: {fact!r}")
for level, years, money in TABLE_ROWS:
    row = (r"^\|\s*" + re.escape(level) + r"\s*\|\s*" + re.escape(years) + r"\s*\|\s*"
           + re.escape(money) + r"(?:\[\^[^\]]+\])?\s*\|\s*$")
    if not re.search(row, corpus, re.M):
        problems.append(f"salary table row missing: | {level} | {years} | {money} |")
if not re.search(r"^\|\s*:?-+:?\s*\|\s*:?-+:?\s*\|\s*:?-+:\s*\|\s*$", corpus, re.M):
    problems.append("no 3-column table with a right-aligned last column (the salary table)")
check("key facts", problems)


# --- relative links and anchors --------------------------------------------------------------
chapter_by_path = {os.path.normpath(os.path.join(BOOK, c)): c for c in chapters}
anchor_sets = {c: anchors(t) for c, t in texts.items()}
problems, n_cross = [], 0
for c, t in texts.items():
    here = os.path.dirname(os.path.join(BOOK, c))
    for no, is_image, _, target in links(t):
        if is_image or re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
            continue
        path, _, frag = target.partition("#")
        if path:
            full = os.path.normpath(os.path.join(here, path))
            if full not in chapter_by_path:
                problems.append(f"{c}:{no}: link to {target}: {path} is not a chapter of the book")
                continue
            dest = chapter_by_path[full]
            n_cross += dest != c
        else:
            dest = c
        if frag and frag not in anchor_sets[dest]:
            problems.append(f"{c}:{no}: link to {target}: no heading with slug '{frag}' in {dest}")
if n_cross == 0:
    problems.append("no cross-chapter links found")
check("relative links and heading anchors", problems)


# --- images ----------------------------------------------------------------------------------
def png_problem(path):
    try:
        with open(path, "rb") as f:
            head = f.read(24)
    except OSError as e:
        return f"cannot read: {e}"
    if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return "not a PNG file"
    return None


problems, n_images = [], 0
cover = meta.get("cover")
if cover:
    p = png_problem(os.path.join(BOOK, cover))
    if p:
        problems.append(f"cover {cover}: {p}")
for c, t in texts.items():
    here = os.path.dirname(os.path.join(BOOK, c))
    for no, is_image, alt, target in links(t):
        if not is_image:
            continue
        n_images += 1
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):
            problems.append(f"{c}:{no}: remote image {target}")
            continue
        if not alt.strip():
            problems.append(f"{c}:{no}: image {target} has no alt text")
        p = png_problem(os.path.normpath(os.path.join(here, target)))
        if p:
            problems.append(f"{c}:{no}: image {target}: {p}")
if n_images == 0:
    problems.append("no images referenced in the chapters")
if "../images/salary-ranges.png" not in "".join(texts.values()):
    problems.append("the salary chart ../images/salary-ranges.png is not cited")
check("images", problems)


# --- typography ------------------------------------------------------------------------------
problems = []
for c, t in texts.items():
    for no, line in prose_lines(t):
        line = visible(line)
        if re.search(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|&[a-zA-Z]+;|&#", line):
            problems.append(f"{c}:{no}: raw HTML or entity: {line.strip()[:60]}")
        if "'" in line or '"' in line:
            problems.append(f"{c}:{no}: straight quote in prose: {line.strip()[:60]}")
        if re.search(r"\d\s?-\s?\$?\d", line):
            problems.append(f"{c}:{no}: numeric range with a hyphen, use an en dash: {line.strip()[:60]}")
check("typography", problems)


# --- the built guide ---------------------------------------------------------------------------
# The guide builds with no warning at all, and every key fact is in the PDF's text (line-end
# hyphens joined both ways, since "Scikit-learn" may break at its own hyphen).
if os.access(BIN, os.X_OK):
    problems = []
    out = os.path.join(WORK, "built")
    r = subprocess.run([BIN, "build", BOOK, "-o", out], capture_output=True, text=True)
    if r.returncode != 0:
        problems.append(f"octavo exited {r.returncode}")
    if r.stderr.strip():
        problems.append("the guide builds with messages: " + r.stderr.strip()[:300])
    pdf = os.path.join(out, "ai-ml-engineer-guide.pdf")
    # pdftotext's plain mode reads across table columns, so take its block
    # structure instead: each block's lines joined, a line-end hyphen either
    # dropped (a hyphenated word) or kept (a word with its own hyphen).
    joined_blocks, kept_blocks = [], []
    if os.path.exists(pdf):
        t = subprocess.run(["pdftotext", "-enc", "UTF-8", "-bbox-layout", pdf, "-"],
                           capture_output=True, text=True)
        import html
        for block in re.findall(r"<block[^>]*>(.*?)</block>", t.stdout, re.S):
            lines = [" ".join(html.unescape(w) for w in re.findall(r"<word[^>]*>(.*?)</word>", ln, re.S))
                     for ln in re.findall(r"<line[^>]*>(.*?)</line>", block, re.S)]
            j, k = "", ""
            for ln in lines:
                ln = ln.replace("\u00a0", " ")
                if j.endswith("-"):
                    j, k = j[:-1] + ln, k + ln
                else:
                    j, k = (j + " " + ln).strip(), (k + " " + ln).strip()
            joined_blocks.append(j)
            kept_blocks.append(k)
    else:
        problems.append("no PDF was written")
    joined = re.sub(r"\s+", " ", " | ".join(joined_blocks))
    kept = re.sub(r"\s+", " ", " | ".join(kept_blocks))
    for fact, case_sensitive in FACTS:
        if case_sensitive:
            found = fact in joined or fact in kept
        else:
            found = fact.lower() in joined.lower() or fact.lower() in kept.lower()
        if not found:
            problems.append(f"key fact missing from the PDF: {fact!r}")
    check("the built guide: no warning, every fact in the PDF", problems)

finish()
PY
