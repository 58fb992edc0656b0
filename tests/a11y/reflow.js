// Reflow checks (WCAG 2.1 SC 1.4.10) over unzipped EPUBs, in Debian's
// chromium driven by puppeteer-core:
//   - no document of the spine scrolls sideways at the given width
//     (scrollWidth <= clientWidth of the scrolling element);
//   - no word of prose in a table cell is broken without a hyphen: a word
//     whose characters sit on two lines is found with Range.getClientRects;
//     the break is allowed after an explicit hyphen, or when the word joins
//     up again once the cell's automatic hyphenation is switched off (the
//     browser then drew a hyphen); link text and code count as words too;
//     scripts written without spaces between words are skipped;
//   - the cover image fits the viewport, width and height.
//
//   node reflow.js [--width N] [--height N] [--shots DIR] EPUB_DIR...
// Prints one line per document and per problem; exits 1 on any problem.
'use strict';
const fs = require('fs');
const path = require('path');
const puppeteer = require('puppeteer-core');

function spine(dir) {
    const container = fs.readFileSync(path.join(dir, 'META-INF', 'container.xml'), 'utf8');
    const opfRel = /full-path="([^"]+)"/.exec(container)[1];
    const opf = fs.readFileSync(path.join(dir, opfRel), 'utf8');
    const base = path.dirname(path.join(dir, opfRel));
    const hrefs = {};
    for (const m of opf.matchAll(/<item\s[^>]*>/g)) {
        const id = /\bid="([^"]+)"/.exec(m[0]);
        const href = /\bhref="([^"]+)"/.exec(m[0]);
        if (id && href) hrefs[id[1]] = href[1];
    }
    const files = [];
    for (const m of opf.matchAll(/<itemref\s[^>]*idref="([^"]+)"/g))
        if (hrefs[m[1]]) files.push(path.join(base, decodeURIComponent(hrefs[m[1]])));
    return files;
}

// Runs in the page: the problems of one document, as strings.
function inspect() {
    const problems = [];
    const se = document.scrollingElement || document.documentElement;
    if (se.scrollWidth > se.clientWidth)
        problems.push('scrolls sideways: ' + se.scrollWidth + ' px of content in ' +
                      se.clientWidth + ' px');
    const noSpaces = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
    const lineTops = (node, start, end) => {
        const r = document.createRange();
        r.setStart(node, start);
        r.setEnd(node, end);
        const tops = [];
        for (const x of r.getClientRects())
            if (x.width > 0 && !tops.some((t) => Math.abs(t - x.top) < 2)) tops.push(x.top);
        return tops;
    };
    let words = 0;
    for (const cell of document.querySelectorAll('td, th')) {
        const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
        for (let t = walker.nextNode(); t; t = walker.nextNode()) {
            const re = /\S+/g;
            let m;
            while ((m = re.exec(t.data))) {
                const w = m[0];
                if (noSpaces.test(w)) continue;
                words++;
                const end = m.index + w.length;
                if (lineTops(t, m.index, end).length < 2) continue;
                const first = lineTops(t, m.index, m.index + 1)[0];
                let i = 1;
                while (i < w.length && Math.abs(lineTops(t, m.index + i, m.index + i + 1)[0] - first) < 2)
                    i++;
                if ('-\u00AD\u2010\u2011\u2012\u2013\u2014'.includes(w[i - 1])) continue;
                const saved = cell.style.hyphens;
                cell.style.hyphens = 'manual';
                cell.style.webkitHyphens = 'manual';
                const joined = lineTops(t, m.index, end).length < 2;
                cell.style.hyphens = saved;
                cell.style.webkitHyphens = saved;
                if (!joined)
                    problems.push('table cell breaks "' + w + '" as "' + w.slice(0, i) + '" / "' +
                                  w.slice(i) + '" with no hyphen');
            }
        }
    }
    for (const img of document.querySelectorAll('.cover img')) {
        const r = img.getBoundingClientRect();
        if (r.bottom > window.innerHeight + 0.5 || r.right > window.innerWidth + 0.5)
            problems.push('cover image ' + Math.round(r.width) + 'x' + Math.round(r.height) +
                          ' does not fit the ' + window.innerWidth + 'x' + window.innerHeight +
                          ' viewport');
    }
    return {problems, words, width: se.scrollWidth};
}

async function main() {
    const args = process.argv.slice(2);
    let width = 320, height = 640, shots = null;
    const dirs = [];
    for (let i = 0; i < args.length; i++) {
        if (args[i] === '--width') width = parseInt(args[++i], 10);
        else if (args[i] === '--height') height = parseInt(args[++i], 10);
        else if (args[i] === '--shots') shots = args[++i];
        else dirs.push(args[i]);
    }
    const browser = await puppeteer.launch({
        executablePath: process.env.PUPPETEER_EXECUTABLE_PATH || '/usr/bin/chromium',
        headless: true,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
               '--disable-component-update', '--disable-sync', '--no-first-run'],
        timeout: 120000,
        protocolTimeout: 240000,
    });
    let failures = 0, docs = 0, words = 0;
    try {
        const page = await browser.newPage();
        await page.setViewport({width, height});
        for (const dir of dirs) {
            for (const file of spine(dir)) {
                await page.goto('file://' + path.resolve(file), {waitUntil: 'load'});
                const r = await page.evaluate(inspect);
                const name = path.basename(dir) + '/' + path.basename(file);
                docs++;
                words += r.words;
                if (shots) {
                    fs.mkdirSync(shots, {recursive: true});
                    await page.screenshot({path: path.join(shots, name.replace(/\//g, '_') + '-' + width + '.png'),
                                           fullPage: true});
                }
                if (r.problems.length === 0) {
                    console.log('ok   ' + name + ' at ' + width + ' px (' + r.words + ' words in table cells)');
                } else {
                    for (const p of r.problems) console.log('FAIL ' + name + ' at ' + width + ' px: ' + p);
                    failures += r.problems.length;
                }
            }
        }
    } finally {
        await browser.close();
    }
    console.log('reflow: ' + docs + ' documents, ' + words + ' words in table cells, ' + failures +
                ' problems');
    process.exit(failures ? 1 : 0);
}

main().catch((e) => {
    console.error('reflow: ' + (e && e.stack ? e.stack : e));
    process.exit(2);
});
