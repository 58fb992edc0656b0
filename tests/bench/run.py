#!/usr/bin/env python3
"""octavo's benchmark: builds generated books of about 1,000 and 10,000 pages
several times and reports median wall time (PDF only, EPUB only, both), pages
per second, MB of Markdown per second and peak resident memory; with pandoc
installed, pandoc's EPUB time on the same Markdown as a ratio.

usage: run.py OCTAVO_BIN [--sizes 1000,10000] [--runs 5] [--work DIR] [--book DIR ...]
       run.py OCTAVO_BIN --code-blocks 1000 [--languages rust,bash,toml] [--runs 5] [--work DIR]

With --code-blocks N: a code-heavy book of N blocks (gen_book.py
--code-blocks) built as PDF+EPUB with highlighting on and off
(OCTAVO_HIGHLIGHT=0), median wall and CPU time of each and the difference;
by default the blocks take the 17 highlighted languages in turn, with
--languages only those named.

With --book DIR (repeatable): a real book, e.g. the Node.js API docs
(/usr/share/doc/nodejs/api, a folder of .md files) or an mdBook folder, as
a row of the same table (--sizes '' for real books alone); pandoc gets every
.md file under DIR in name order."""
import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def timed(cmd, env=None):
    """Runs cmd; returns (seconds, peak RSS in MB, CPU seconds) for that child alone."""
    # stderr goes to a file: a pipe read only after the wait deadlocks once
    # the child writes more than the pipe holds (pandoc's warnings do)
    with tempfile.TemporaryFile() as errf:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=errf, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        dt = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        errf.seek(0)
        err = errf.read().decode(errors="replace")
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed:\n{err}")
    return dt, ru.ru_maxrss / 1024.0, ru.ru_utime + ru.ru_stime


def md_files(folder):
    """Every .md file under folder, in name order (pandoc's input)."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in ("node_modules", ".git"))
        found += [os.path.join(root, f) for f in files if f.endswith(".md")]
    return sorted(found)


def bench_book(a, env, book, label, runs, chapters):
    """Median wall time of PDF only, EPUB only and both; peak RSS; CPU of
    both; pandoc's EPUB of the same Markdown files when pandoc is here."""
    out = os.path.join(a.work, "out-" + re.sub(r"[^A-Za-z0-9]+", "-", label).strip("-"))
    shutil.rmtree(out, ignore_errors=True)
    mb = sum(os.path.getsize(f) for f in chapters) / 1e6
    res = {}
    for fmt in ("pdf", "epub", "pdf,epub"):
        times, rss, cpu = [], [], []
        for _ in range(runs):
            dt, m, c = timed([a.octavo, "build", book, "-o", out, "--format", fmt, "-q"], env)
            times.append(dt)
            rss.append(m)
            cpu.append(c)
        res[fmt] = (statistics.median(times), max(rss), statistics.median(cpu))
    pdfs = [f for f in os.listdir(out) if f.endswith(".pdf")]
    pages = pdf_pages(os.path.join(out, pdfs[0])) if len(pdfs) == 1 else 0
    pandoc = None
    if shutil.which("pandoc"):
        dt, _, _ = timed(["pandoc", "-o", os.path.join(out, "pandoc.epub"), "--resource-path",
                          os.path.dirname(chapters[0]) if chapters else book, *chapters])
        pandoc = dt
    both = res["pdf,epub"][0]
    return (label, pages, mb, res, pages / both if both else 0, mb / both if both else 0, pandoc)


def pdf_pages(path):
    out = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
    m = re.search(r"^Pages:\s+(\d+)", out, re.M)
    return int(m.group(1)) if m else 0


def code_bench(a, env):
    n = a.code_blocks
    tag = "-" + a.languages.replace(",", "-") if a.languages else ""
    book = os.path.join(a.work, f"code-{n}{tag}")
    if not os.path.exists(os.path.join(book, "book.yaml")):
        subprocess.run([sys.executable, "-I", os.path.join(HERE, "gen_book.py"), book,
                        "--code-blocks", str(n)]
                       + (["--languages", a.languages] if a.languages else []), check=True)
    out = os.path.join(a.work, f"code-out-{n}{tag}")
    res = {}
    # alternate on and off so that a change in the machine's load hits both
    times = {"1": [], "0": []}
    cpus = {"1": [], "0": []}
    for _ in range(a.runs):
        for hl in ("1", "0"):
            dt, _, c = timed([a.octavo, "build", book, "-o", out, "-q"],
                             dict(env, OCTAVO_HIGHLIGHT=hl))
            times[hl].append(dt)
            cpus[hl].append(c)
    for hl in ("1", "0"):
        res[hl] = (statistics.median(times[hl]), statistics.median(cpus[hl]))
    pages = pdf_pages(os.path.join(out, f"code-{n}.pdf"))
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores; load average at the end "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"| book | pages | highlighting | wall (median of {a.runs}) | CPU |")
    print("|---|--:|---|--:|--:|")
    for hl, name in (("0", "off"), ("1", "on")):
        print(f"| {n:,} code blocks{' (' + a.languages + ')' if a.languages else ''} | {pages:,} | {name} | {res[hl][0]:.3f} s | {res[hl][1]:.3f} s |")
    print(f"on vs off: wall {100 * (res['1'][0] / res['0'][0] - 1):+.0f}%, "
          f"CPU {100 * (res['1'][1] / res['0'][1] - 1):+.0f}%")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("octavo")
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", default=os.path.join(os.getcwd(), "bench-work"))
    ap.add_argument("--code-blocks", type=int, default=0)
    ap.add_argument("--languages", default="", help="with --code-blocks: these languages only")
    ap.add_argument("--book", action="append", default=[],
                    help="a real book folder (anything octavo builds) to add to the table")
    a = ap.parse_args()
    env = dict(os.environ, SOURCE_DATE_EPOCH="1700000000")
    if a.code_blocks:
        code_bench(a, env)
        return
    rows = []
    for size in [int(s) for s in a.sizes.split(",") if s]:
        book = os.path.join(a.work, f"book-{size}")
        if not os.path.exists(os.path.join(book, "book.yaml")):
            subprocess.run([sys.executable, "-I", os.path.join(HERE, "gen_book.py"), book, str(size)],
                           check=True)
        runs = a.runs if size <= 2000 else max(1, a.runs // 2)
        rows.append(bench_book(a, env, book, f"~{size:,} pages", runs,
                               md_files(os.path.join(book, "chapters"))))
    for book in a.book:
        book = os.path.abspath(book)
        rows.append(bench_book(a, env, book, os.path.basename(book.rstrip("/")), a.runs,
                               md_files(book)))

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()} "
          f"{platform.release()}; octavo {a.octavo}; load average at the end "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print()
    print("| book | pages | Markdown | PDF only | EPUB only | PDF+EPUB | CPU (PDF+EPUB) | pages/s "
          "| MB/s | peak RSS | pandoc EPUB | EPUB vs pandoc |")
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for label, pages, mb, res, pps, mbps, pandoc in rows:
        pd = f"{pandoc:.2f} s" if pandoc else "not installed"
        ratio = f"{pandoc / res['epub'][0]:.0f}×" if pandoc else "–"
        print(f"| {label} | {pages:,} | {mb:.1f} MB | {res['pdf'][0]:.3f} s "
              f"| {res['epub'][0]:.3f} s | {res['pdf,epub'][0]:.3f} s "
              f"| {res['pdf,epub'][2]:.3f} s | {pps:,.0f} "
              f"| {mbps:.1f} | {res['pdf,epub'][1]:.0f} MB | {pd} | {ratio} |")


if __name__ == "__main__":
    main()
