// octavo — the highlighter's modules: our matching loop over GNU
// source-highlight's language definitions, behind a C call (see modules.h
// for why they are modules; doc/srchilite_bridge.c is the program's side).
//
// This file is built twice:
//  - as the lean module (OCTAVO_HL_LEAN), which a run opens: it reads the
//    definitions hl_languages.h names from the table the build wrote (see
//    hlgen.cpp) and searches their rules with PCRE2 and our shortcuts. It
//    needs neither source-highlight nor Boost, so opening it loads only
//    PCRE2 and the C++ runtime;
//  - as the full module, opened only for what the lean one cannot do: a
//    definition from another folder (read with source-highlight's
//    LangDefManager), source-highlight's own SourceHighlighter as the
//    reference, and checks of every answer against Boost.Regex (tests). The
//    build's table writer is this module's code too.
//
// highlight.c chooses the language and maps element names to our classes;
// this file loads a language definition (once per process, cached) and
// runs its rules over a code block line by line, handing every piece of
// text to a callback with its byte offset in the block and the element
// name the definition gave it ("keyword", "string", "normal", ...). No
// exception crosses into C.
//
// The matching loop is ours, over the definition's states and rules, and
// gives the pieces source-highlight's SourceHighlighter gives (tests/unit/
// test_hl_engine.c compares the two on every language). What differs is
// the cost. source-highlight's HighlightState::findBestMatch searches every
// rule from the current position to the end of the line at every token
// (Boost.Regex over a std::string, with the rest of the line copied into
// each token), so a line of k tokens searches it k times per rule; here
// each rule remembers, for the current line, where its last search started
// and what it found, and a later search from a position at or before that
// match gives the same answer without running the regex again:
//  - an attempt at position q > p depends only on the text from q on, plus
//    the character before q for \b, \B, \<, \>, [[:<:]], [[:>:]] and ^;
//    source-highlight searches without match_prev_avail, so at the search
//    start that character is "none" (no word, no line break). A remembered
//    search from p that found its first match at m (or none) therefore
//    stands for a search from any p' in (p, m], except for the attempt at p'
//    itself when the rule looks behind p' and the character there is a word
//    character (or ^ could match), or the rule has a one-character
//    lookbehind: that one attempt is made again, anchored;
//  - rules that look further back (longer lookbehinds, \A, \G, \`) are
//    searched afresh every time, as source-highlight does;
//  - a rule's start map (the bytes a match can begin with) rules positions
//    out before a regex engine is asked, and a rule is searched only as far
//    as the best match so far (a later match cannot win);
//  - the commonest rules are not given to a regex engine at all: keyword
//    lists are looked up in a set of words, the function-call rules and
//    lists of literal strings (symbols, brackets, delimiters) are matched
//    by hand, each giving the match Boost.Regex's search would (checked
//    rule by rule in tests: see `verify`).
// A language is loaded once by the first block that needs it (in the full
// module under a lock: source-highlight's parser keeps its state in
// statics), while blocks in languages loaded before go on on other
// threads; after that its states, rules and compiled regexes are only
// read, so blocks may be highlighted on several threads at once.
#include "modules/modules.h"

#ifndef OCTAVO_HL_LEAN
#include <srchilite/formatter.h>
#include <srchilite/formattermanager.h>
#include <srchilite/highlightrule.h>
#include <srchilite/highlightstate.h>
#include <srchilite/langdefmanager.h>
#include <srchilite/regexhighlightrule.h>
#include <srchilite/regexrulefactory.h>
#include <srchilite/sourcehighlighter.h>

#include <boost/regex.hpp>
#include <boost/shared_ptr.hpp>
#endif

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <atomic>
#include <condition_variable>
#include <bitset>
#include <cstdint>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

// The two builds export the same calls under two names (modules.h).
#ifdef OCTAVO_HL_LEAN
#define OC_HL_EXPORT(name) oc_hlmod_##name
#else
#define OC_HL_EXPORT(name) oc_hlsrc_##name
#endif

namespace {

#ifndef OCTAVO_HL_LEAN
using srchilite::HighlightRule;
using srchilite::HighlightRulePtr;
using srchilite::HighlightState;
using srchilite::HighlightStatePtr;
#endif

// The element names source-highlight's definitions use (every .lang file
// assigns from this set; an unknown one falls to the default, "normal", as
// a FormatterManager with a formatter for each of these would have it).
const char *const k_elements[] = {
    "keyword",  "type",       "usertype",    "classname", "string",    "regexp",    "specialchar",
    "comment",  "todo",       "number",      "preproc",   "symbol",    "cbracket",  "function",
    "variable", "predef_var", "predef_func", "label",     "attribute", "property",  "value",
    "key",      "keyquote",   "valquote",    "colon",     "selector",  "url",       "atom",
    "punct",    "constant",   "meta",        "oldfile",   "newfile",   "difflines", "normal",
};

// ---- our compiled copy of a rule ----------------------------------------

enum {
    CTX_WORD = 1,   // \b \B \< \> [[:<:]] [[:>:]]: looks at the character before
    CTX_CARET = 2,  // ^: matches after a line break (or at the start, bol)
    CTX_BEHIND = 4, // a lookbehind of one character: looks at the one before
    CTX_FRESH = 8,  // other lookbehinds, \A, \G, \`: never reuse a search
};

// An ASCII letter or digit (an escape of one is a class, an anchor or a
// back-reference, not the character itself).
inline bool ascii_alnum(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// The end of a lookbehind starting at re[i] ("(?<=" or "(?<!") whose body
// is one character (a literal, an escape such as \d or \., a bracket
// class), just past its ')'; 0 when it is anything else.
size_t behind_one(const std::string &re, size_t i) {
    size_t j = i + 4, n = re.size();
    if (j >= n) return 0;
    if (re[j] == '\\') {
        if (j + 1 >= n) return 0;
        char e = re[j + 1];
        if (ascii_alnum(e) && !std::strchr("dDwWsSntrfv", e)) return 0;
        j += 2;
    } else if (re[j] == '[') {
        j++;
        if (j < n && re[j] == '^') j++;
        if (j < n && re[j] == ']') j++;
        while (j < n && re[j] != ']') {
            if (re[j] == '[' && j + 1 < n && re[j + 1] == ':') {
                size_t e = re.find(":]", j + 2);
                if (e == std::string::npos) return 0;
                j = e + 2;
            } else if (re[j] == '\\') {
                j += 2;
            } else {
                j++;
            }
        }
        if (j >= n) return 0;
        j++;
    } else if (std::strchr("()|?*+{}", re[j])) {
        return 0;
    } else {
        j++;
    }
    return j < n && re[j] == ')' ? j + 1 : 0;
}

// What a pattern may look at before the position an attempt starts at
// (conservative: a literal that only looks like one of these counts).
int context_of(const std::string &re) {
    int ctx = 0;
    for (size_t i = 0; i < re.size(); i++) {
        char c = re[i];
        if (c == '\\' && i + 1 < re.size()) {
            char d = re[++i];
            if (d == 'b' || d == 'B' || d == '<' || d == '>') ctx |= CTX_WORD;
            if (d == 'A' || d == 'G' || d == '`') ctx |= CTX_FRESH;
        } else if (c == '^') {
            if (!(i > 0 && re[i - 1] == '[')) ctx |= CTX_CARET;
        } else if (c == '(' && re.compare(i, 3, "(?<") == 0) {
            bool look = re.compare(i, 4, "(?<=") == 0 || re.compare(i, 4, "(?<!") == 0;
            size_t e = look ? behind_one(re, i) : 0;
            if (e) {
                ctx |= CTX_BEHIND;
                i += 3; // into the body, which is scanned as usual
            } else {
                ctx |= CTX_FRESH; // longer lookbehinds (and, to be safe, named groups)
            }
        } else if (c == '[' &&
                   (re.compare(i, 7, "[[:<:]]") == 0 || re.compare(i, 7, "[[:>:]]") == 0)) {
            ctx |= CTX_WORD;
        }
    }
    return ctx;
}

#ifndef OCTAVO_HL_LEAN
// RegexHighlightRule keeps its compiled regex private and matches it only
// through tryToMatch, which copies strings for every token. We match the
// same compiled object ourselves: an explicit instantiation may name a
// private member ([temp.explicit]), which hands us a pointer to it. (The
// header of source-highlight 3.1.9, its last release, declares the member
// as `boost::regex regExp`; a different type would not compile.)
struct RegexMember {
    typedef boost::regex srchilite::RegexHighlightRule::*type;
    friend type regex_member(RegexMember);
};
template <typename Tag, typename Tag::type M> struct Expose {
    friend typename Tag::type regex_member(Tag) {
        return M;
    }
};
template struct Expose<RegexMember, &srchilite::RegexHighlightRule::regExp>;
#endif

// Which bytes count as word characters (\w, and so \< and \>), letters and
// blanks. The lean module takes the C locale's classes, which are PCRE2's
// built-in ones; the full module asks Boost.Regex, with the traits and
// locale the definitions are compiled with, and the table writer refuses to
// write a table for a lean module when Boost's answers differ (see `c_locale`).
struct WordBytes {
    bool w[256], alpha[256], blank[256]; // \w, [[:alpha:]], [[:blank:]]
    bool ascii_only = true;              // no byte from 0x80 up is a word or alphabetic character
    bool c_locale = true;                // the classes are the C locale's
    WordBytes() {
        for (int b = 0; b < 256; b++) {
            alpha[b] = (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');
            w[b] = alpha[b] || (b >= '0' && b <= '9') || b == '_';
            blank[b] = b == ' ' || b == '\t' || b == '\v'; // (Boost's [[:blank:]] holds \v)
        }
#ifndef OCTAVO_HL_LEAN
        boost::regex re("\\w"), ra("[[:alpha:]]"), rb("[[:blank:]]");
        for (int b = 0; b < 256; b++) {
            std::string one(1, (char)b);
            bool bw = boost::regex_match(one, re), ba = boost::regex_match(one, ra),
                 bb = boost::regex_match(one, rb);
            if (bw != w[b] || ba != alpha[b] || bb != blank[b]) c_locale = false;
            w[b] = bw;
            alpha[b] = ba;
            blank[b] = bb;
            if (b >= 0x80 && (w[b] || alpha[b])) ascii_only = false;
            if (alpha[b] && !w[b]) ascii_only = false; // (the call rule assumes alpha is word)
        }
#endif
    }
};
// Made when the module is loaded (before any definition, on one thread),
// so that the hot loops read it without a guard.
const WordBytes g_word_bytes;
inline const WordBytes &word_bytes() {
    return g_word_bytes;
}

// The end of the run of word characters that starts at q (q itself when
// it holds none).
const char *word_end(const char *q, const char *end) {
    const bool *w = word_bytes().w;
    while (q < end && w[(unsigned char)*q])
        q++;
    return q;
}

// A keyword list: the rule's regex is \<(?:w1|w2|...)\>, as source-highlight
// writes a definition's `keyword = "..."` lists. A search for it finds the
// first position at or after p that starts a word (p itself counts when it
// holds a word character: searches start without match_prev_avail) whose
// whole run of word characters is one of the words; `\>` takes no less
// (every word is made of word characters). Looked up in a set, instead of
// Boost.Regex trying the alternation at every word start. A word that
// begins with another character (`&str` in rust.lang's types) can never
// follow `\<`, so it is left out; any other kind of alternative (an
// escape, a class, a repeat) keeps the rule on Boost.
struct Words {
    std::vector<std::string> own;
    std::unordered_set<std::string_view> set;
    size_t minlen = SIZE_MAX, maxlen = 0;
    bool icase = false;
    // bit min(n, 32) - 1 of heads[c]: a word of n bytes begins with byte c
    // (lower-cased when icase); most words of a line are in no list, and
    // this turns them away before they are hashed
    uint32_t heads[256] = {};
};

// The longest word a case-insensitive list may hold (it is lower-cased on
// the stack to be looked up); a longer one leaves the rule to Boost.
const size_t k_icase_max = 64;

std::unique_ptr<Words> keyword_list(const std::string &re, bool icase) {
    static const char head[] = "\\<(?:", tail[] = ")\\>";
    const size_t hn = sizeof head - 1, tn = sizeof tail - 1;
    const WordBytes &wb = word_bytes();
    if (!wb.ascii_only || re.size() <= hn + tn || re.compare(0, hn, head) != 0 ||
        re.compare(re.size() - tn, tn, tail) != 0)
        return nullptr;
    std::unique_ptr<Words> out(new Words);
    out->icase = icase;
    std::string body = re.substr(hn, re.size() - hn - tn);
    bool any_class = false, any_letter = false; // [Aa] pairs; letters outside them
    size_t i = 0;
    for (;;) {
        size_t j = body.find('|', i);
        std::string alt = body.substr(i, j == std::string::npos ? std::string::npos : j - i);
        if (alt.empty()) return nullptr; // an empty alternative: not a plain list
        // a case-insensitive definition writes each letter as [Aa]: one
        // lower-case letter here, the list then matched without case
        std::string word;
        for (size_t k = 0; k < alt.size();) {
            char c = alt[k];
            if (c == '[') {
                if (k + 3 >= alt.size() || alt[k + 3] != ']') return nullptr;
                char a = alt[k + 1], b = alt[k + 2];
                char la = (a >= 'A' && a <= 'Z') ? (char)(a - 'A' + 'a') : a;
                char lb = (b >= 'A' && b <= 'Z') ? (char)(b - 'A' + 'a') : b;
                if (a == b || la != lb || la < 'a' || la > 'z') return nullptr;
                word += la;
                any_class = true;
                k += 4;
                continue;
            }
            if (std::strchr("\\()[]{}.*+?^$|", c)) return nullptr;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) any_letter = true;
            word += c;
            k++;
        }
        bool words = true;
        for (char c : word)
            if (!wb.w[(unsigned char)c]) words = false;
        if (words) {
            if (icase)
                for (char &c : word)
                    if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
            out->own.push_back(word);
        } else if (wb.w[(unsigned char)word[0]]) {
            return nullptr; // a word, then something else: left to Boost
        }                   // else: it starts with a non-word character, so never matches
        if (j == std::string::npos) break;
        i = j + 1;
    }
    // letters outside [Aa] pairs keep their case unless the regex ignores it
    if (any_class && any_letter && !icase) return nullptr;
    if (any_class) out->icase = true;
    for (const std::string &w : out->own) {
        out->set.insert(std::string_view(w));
        out->heads[(unsigned char)w[0]] |= 1u << (std::min(w.size(), (size_t)32) - 1);
        out->minlen = std::min(out->minlen, w.size());
        out->maxlen = std::max(out->maxlen, w.size());
    }
    if (out->icase && out->maxlen > k_icase_max) return nullptr; // (see listed)
    return out;
}

// The function-call rule seven definitions share (C, C++, Rust, Java,
// JavaScript, Python, HTML): an identifier followed by blanks and "(";
// octavo's TypeScript one, whose identifiers may hold "$" and whose call may
// pass type arguments first (`f<T>(x)`); and two of the shell's: a variable
// assigned (`name=`) and a function defined (`name ()`, which the match
// takes with its blanks and parentheses).
const char k_call_rule[] = "(?:(?:[[:alpha:]]|_)[[:word:]]*(?=[[:blank:]]*\\())";
const char k_call_rule_ts[] =
    "(?:(?:[[:alpha:]]|_|\\$)[[:word:]$]*(?=[[:blank:]]*(?:<[^>]*>)?[[:blank:]]*\\())";
const char k_assign_rule[] = "(?:(?:[[:alpha:]]|_)[[:word:]]*(?==))";
const char k_fundef_rule[] = "(?:(?:[[:alpha:]]|_)[[:word:]]*[[:blank:]]*\\(\\))";

enum { CALL_NONE = 0, CALL_PLAIN, CALL_TS, CALL_ASSIGN, CALL_FUNDEF };

// Where a search from p for a call rule would find its match, and its end
// in *me. At a start q (a letter or "_", or "$" for TS), the body's
// repeat takes the whole run of body characters (word characters, and "$"
// for TS) and what follows must then be blanks and "(" (for TS, maybe
// "<...>" and blanks between; for an assignment "=" at once; for a shell
// function, blanks and "()"); giving characters back cannot help, as what
// follows would then start at a body character, which is none of blank,
// "<", "(" and "=". So a run either matches from its first start
// character at or after p, or not at all. NULL when no run does.
const char *find_call(int kind, const char *p, const char *end, const char **me) {
    const WordBytes &wb = word_bytes();
    const bool ts = kind == CALL_TS;
    auto body = [&](char c) { return wb.w[(unsigned char)c] || (ts && c == '$'); };
    const char *q = p;
    while (q < end) {
        if (!body(*q)) {
            q++;
            continue;
        }
        const char *e = q;
        while (e < end && body(*e))
            e++;
        const char *k = e, *to = e; // what follows; the match's end
        bool ok;
        if (kind == CALL_ASSIGN) {
            ok = k < end && *k == '=';
        } else {
            while (k < end && wb.blank[(unsigned char)*k])
                k++;
            if (ts && k < end && *k == '<') { // type arguments: up to the first ">"
                const char *g = (const char *)std::memchr(k + 1, '>', (size_t)(end - k - 1));
                if (g) {
                    k = g + 1;
                    while (k < end && wb.blank[(unsigned char)*k])
                        k++;
                }
            }
            ok = k < end && *k == '(';
            if (kind == CALL_FUNDEF) {
                ok = ok && k + 1 < end && k[1] == ')';
                to = k + 2;
            }
        }
        if (ok) {
            for (const char *a = q; a < e; a++)
                if (wb.alpha[(unsigned char)*a] || *a == '_' || (ts && *a == '$')) {
                    *me = to;
                    return a;
                }
        }
        q = e;
    }
    return nullptr;
}

// Rules of other shapes that cost much under Boost.Regex, searched by
// hand: Rust's string opening, `(?<!r)b?"` (tried at every position of a
// line), the shell's words joined by dashes or slashes,
// `(?:(?:[[:alpha:]]*[-/]+[[:alpha:]]+)+)` (`-o`, `/usr/bin`, `x86-64`),
// whose nested repeats backtrack, and the number rule most definitions
// include.
const char k_rust_quote_rule[] = "(?<!r)b?\\\"";
const char k_dashed_rule[] = "(?:(?:[[:alpha:]]*[-/]+[[:alpha:]]+)+)";
// source-highlight's number.lang, which most definitions include.
const char k_number_rule[] =
    "(?:\\<[+-]?(?:(?:0x[[:xdigit:]]+)|(?:(?:[[:digit:]]*\\.)?[[:digit:]]+(?:[eE][+-]?[[:"
    "digit:]]+)?))u?(?:(?:int(?:8|16|32|64))|L)?\\>)";

enum { SHAPE_NONE = 0, SHAPE_RUST_QUOTE, SHAPE_DASHED, SHAPE_NUMBER };

// Where a search from p for `(?<!r)b?"` finds its match. Without
// match_prev_avail (source-highlight's searches, and ours) the lookbehind
// sees nothing before p, so it holds at p itself. Every match holds a
// quote, so the search goes from quote to quote: a "b" just before one
// (itself not after an "r") starts the match, else the quote does (not
// after an "r").
const char *find_rust_quote(const char *p, const char *end, const char **me) {
    for (const char *q = p; q < end; q++) {
        q = (const char *)std::memchr(q, '"', (size_t)(end - q));
        if (!q) return nullptr;
        if (q - p >= 1 && q[-1] == 'b' && !(q - p >= 2 && q[-2] == 'r')) {
            *me = q + 1;
            return q - 1;
        }
        if (q > p && q[-1] == 'r') continue;
        *me = q + 1;
        return q;
    }
    return nullptr;
}

// The end of the run of characters `in` accepts from c.
template <typename In> const char *past(const char *c, In in) {
    while (in(c))
        c++;
    return c;
}

// Where a search from p for `(?:(?:[[:alpha:]]*[-/]+[[:alpha:]]+)+)` finds
// its match. From a start q, each repeat is greedy and giving back cannot
// help: the letters are followed by a dash or slash or the try fails (a
// shorter run of letters is followed by a letter), the dashes by a letter
// (a shorter run is followed by a dash), and the last letters end the
// match, since a failed further round falls back to the rounds before it
// with their choices as they were. A try from inside a run of letters or
// dashes meets the same dashes and letters as one from the run's start, so
// a failure skips the run.
const char *find_dashed(const char *p, const char *end, const char **me) {
    const WordBytes &wb = word_bytes();
    auto alpha = [&](const char *c) { return c < end && wb.alpha[(unsigned char)*c]; };
    auto dash = [&](const char *c) { return c < end && (*c == '-' || *c == '/'); };
    const char *q = p;
    while (q < end) {
        if (!alpha(q) && !dash(q)) {
            q++;
            continue;
        }
        const char *a = past(q, alpha), *d = past(a, dash), *e = past(d, alpha);
        if (d == a || e == d) { // no dash after the letters, or no letter after the dashes
            q = d > q ? d : q + 1;
            continue;
        }
        for (;;) { // further rounds: dashes, then letters
            const char *d2 = past(e, dash), *e2 = past(d2, alpha);
            if (d2 == e || e2 == d2) break;
            e = e2;
        }
        *me = e;
        return q;
    }
    return nullptr;
}

// The number rule at a word start q: where its match ends, or NULL. Every
// repeat is greedy, and giving back cannot help: a shorter run of digits
// leaves a digit where a ".", an exponent or the suffix must begin, and
// the suffix (u, L, uL, int8 ... uint64) must reach the end of its word
// for the closing \>, so it is the rest of that word or nothing. The
// alternatives are tried in the regex's order: hexadecimal; then digits,
// ".", digits (the optional group is tried first); then digits alone.
const char *number_at(const char *q, const char *end) {
    auto digit = [&](const char *c) { return c < end && *c >= '0' && *c <= '9'; };
    auto xdigit = [&](const char *c) {
        return digit(c) || (c < end && ((*c >= 'a' && *c <= 'f') || (*c >= 'A' && *c <= 'F')));
    };
    auto suffix = [&](const char *a) -> const char * { // the word's rest, if a suffix
        const char *r = word_end(a, end);
        std::string_view t(a, (size_t)(r - a));
        if (t.size() && t[0] == 'u') t.remove_prefix(1);
        if (t.empty() || t == "L" || t == "int8" || t == "int16" || t == "int32" || t == "int64")
            return r;
        return nullptr;
    };
    auto decimal = [&](const char *a) -> const char * { // digits, exponent, suffix
        const char *d = past(a, digit);
        if (d == a) return nullptr;
        if (d < end && (*d == 'e' || *d == 'E')) {
            const char *x = d + 1;
            if (x < end && (*x == '+' || *x == '-')) x++;
            const char *y = past(x, digit);
            return y > x ? suffix(y) : nullptr;
        }
        return suffix(d);
    };
    if (end - q > 2 && q[0] == '0' && q[1] == 'x' && xdigit(q + 2))
        if (const char *r = suffix(past(q + 2, xdigit))) return r;
    const char *d = past(q, digit);
    if (d < end && *d == '.')
        if (const char *r = decimal(d + 1)) return r;
    return decimal(q);
}

// Where a search from p for the number rule finds its match: at the first
// word start (\<: a word character after one that is not, or at p itself,
// since the search sees nothing before p) where it matches.
const char *find_number(const char *p, const char *end, bool anchored, const char **me) {
    const bool *w = word_bytes().w;
    for (const char *q = p; q < end; q++) {
        if (!w[(unsigned char)*q] || (q > p && w[(unsigned char)q[-1]])) {
            if (anchored) return nullptr;
            continue;
        }
        if (const char *e = number_at(q, end)) {
            *me = e;
            return q;
        }
        if (anchored) return nullptr;
    }
    return nullptr;
}

// A rule that is a list of literal strings, (?:a1|a2|...) or one literal:
// the symbol and bracket rules of most definitions ("~", "!", "%", ...),
// comment and string delimiters. Boost.Regex's (Perl's) alternation takes,
// at the first position where any alternative matches, the first one in
// the list that does; so does find_alt.
struct Alts {
    std::vector<std::string> alt;
    std::bitset<256> first; // the alternatives' first bytes
};

std::unique_ptr<Alts> literal_alts(const std::string &re) {
    std::string body = re;
    if (body.size() > 4 && body.compare(0, 3, "(?:") == 0 && body.back() == ')')
        body = body.substr(3, body.size() - 4);
    std::unique_ptr<Alts> out(new Alts);
    std::string cur;
    for (size_t i = 0;; i++) {
        if (i == body.size() || body[i] == '|') {
            if (cur.empty()) return nullptr;
            out->alt.push_back(cur);
            cur.clear();
            if (i == body.size()) break;
            continue;
        }
        char c = body[i];
        if (c == '\\') {
            if (i + 1 == body.size()) return nullptr;
            char e = body[++i];
            // an escaped punctuation character is itself; \d, \b, \1 ... are not literals
            if (ascii_alnum(e) || (unsigned char)e >= 0x80 || (unsigned char)e < 0x20)
                return nullptr;
            cur += e;
            continue;
        }
        if (std::strchr("()[]{}.*+?^$", c) || (unsigned char)c >= 0x80 || (unsigned char)c < 0x20)
            return nullptr;
        cur += c;
    }
    for (const std::string &a : out->alt)
        out->first.set((unsigned char)a[0]);
    return out;
}

// Where a search from p for the alternatives finds its match (its end in
// *me); NULL when none does.
const char *find_alt(const Alts &A, const char *p, const char *end, const char **me) {
    for (const char *q = p; q < end; q++) {
        if (!A.first.test((unsigned char)*q)) continue;
        for (const std::string &a : A.alt) {
            if (a[0] == *q && (size_t)(end - q) >= a.size() &&
                std::memcmp(q, a.data(), a.size()) == 0) {
                *me = q + a.size();
                return q;
            }
        }
    }
    return nullptr;
}

// Is the run of word characters [q, e) one of the list's words?
bool listed(const Words &W, const char *q, const char *e) {
    size_t n = (size_t)(e - q);
    if (n < W.minlen || n > W.maxlen) return false;
    unsigned char h = (unsigned char)q[0];
    if (W.icase && h >= 'A' && h <= 'Z') h = (unsigned char)(h - 'A' + 'a');
    if (!(W.heads[h] >> (std::min(n, (size_t)32) - 1) & 1)) return false;
    if (!W.icase) return W.set.count(std::string_view(q, n)) != 0;
    char low[k_icase_max]; // n <= maxlen <= k_icase_max (keyword_list)
    for (size_t k = 0; k < n; k++)
        low[k] = q[k] >= 'A' && q[k] <= 'Z' ? (char)(q[k] - 'A' + 'a') : q[k];
    return W.set.count(std::string_view(low, n)) != 0;
}

// Where a search from p for the list's regex would find its match: the
// first word start at or after p whose word is listed; NULL when none.
const char *find_listed(const Words &W, const char *p, const char *end) {
    const bool *w = word_bytes().w;
    const char *q = p;
    while (q < end) {
        if (!w[(unsigned char)*q]) {
            q++;
            continue;
        }
        const char *e = word_end(q, end);
        if (listed(W, q, e)) return q;
        q = e;
    }
    return nullptr;
}

// ---- the rules left to a regex engine: PCRE2's JIT -----------------------
//
// Every rule the shortcuts above do not take was searched with Boost.Regex,
// the engine source-highlight compiles the definitions for, and that was
// the largest part of the highlighter's time. The same regex, written for
// PCRE2 and compiled by its JIT (at the rule's first search), finds the
// same matches several times faster. Both are Perl-style backtracking
// engines, so the leftmost match with the first alternative that matches
// is the same match; what differs is a few pieces of syntax, which
// to_pcre2 rewrites, and the rest it does not know, which keeps the rule on
// Boost.Regex:
//  - `\<` and `\>` (start and end of a word) are `\b(?=\w)` and `\b(?<=\w)`
//    (PCRE2 would read them as the characters < and >);
//  - `^` and `$` match, in Boost.Regex's Perl syntax, at line separators
//    inside the text too (\n, \r, \f for char, but not between \r and
//    \n), and `.` matches every character: written out as lookarounds, with
//    PCRE2_DOTALL;
//  - escapes and groups outside a small known set (\A, \G, \Z, \h, \l,
//    (?i), named groups, ...) and POSIX classes outside the usual ones keep
//    Boost.Regex.
// The search sees the text from p on, as Boost.Regex does without
// match_prev_avail: PCRE2 is given p as the subject's start. Where PCRE2
// fails (a match or stack limit) the rule's search goes to Boost.Regex in
// the full module; the lean one, which has no Boost, leaves the block plain.
// `verify` (tests) checks every answer against Boost.Regex's.
// The character classes agree because both engines classify bytes as the
// C locale does (PCRE2's built-in tables; Boost.Regex's traits in the
// program's locale, which octavo never changes: word_bytes checks that no
// byte over 0x7F is a word character, else every rule stays on Boost).

// The escape after a backslash, outside a bracket class: what PCRE2 is to
// read for it, or NULL when the rule must stay on Boost.Regex.
const char *escape_for_pcre2(char e) {
    if (e == '<') return "\\b(?=\\w)";
    if (e == '>') return "\\b(?<=\\w)";
    if (e == '`' || e == '\'') return nullptr; // Boost: start and end of the buffer
    if (std::strchr("dDwWsSbBntrfz123456789", e)) return "";
    if (ascii_alnum(e)) return nullptr;
    if ((unsigned char)e < 0x21 || (unsigned char)e >= 0x7f) return nullptr;
    return ""; // an escaped punctuation character is itself in both
}

// `re` (Boost.Regex, Perl syntax) as PCRE2 is to read it with PCRE2_DOTALL;
// false when it holds anything to_pcre2 does not know.
bool to_pcre2(const std::string &re, std::string &out) {
    static const char *const classes[] = {"alpha", "digit", "alnum", "upper",  "lower",
                                          "space", "blank", "punct", "xdigit", "word",
                                          "cntrl", "print", "graph"};
    out.clear();
    const size_t n = re.size();
    for (size_t i = 0; i < n; i++) {
        char c = re[i];
        if (c == '\0') return false;
        if (c == '\\') {
            if (i + 1 >= n) return false;
            char e = re[++i];
            if (e == 'x') { // \xHH or \x{H...}: read alike
                out += "\\x";
                continue;
            }
            const char *w = escape_for_pcre2(e);
            if (!w) return false;
            if (*w) {
                out += w;
            } else {
                out += '\\';
                out += e;
            }
            continue;
        }
        if (c == '[') {
            if (re.compare(i, 7, "[[:<:]]") == 0 || re.compare(i, 7, "[[:>:]]") == 0) {
                out += re[i + 3] == '<' ? "\\b(?=\\w)" : "\\b(?<=\\w)";
                i += 6;
                continue;
            }
            size_t j = i + 1;
            out += '[';
            if (j < n && re[j] == '^') out += re[j++];
            if (j < n && re[j] == ']') out += re[j++]; // a leading ] is itself in both
            for (;; j++) {
                if (j >= n) return false;
                char d = re[j];
                if (d == ']') break;
                if (d == '\0') return false;
                if (d == '[' && j + 1 < n && (re[j + 1] == '.' || re[j + 1] == '=')) return false;
                if (d == '[' && j + 1 < n && re[j + 1] == ':') {
                    size_t e = re.find(":]", j + 2);
                    if (e == std::string::npos) return false;
                    std::string name = re.substr(j + 2, e - j - 2);
                    bool known = false;
                    for (const char *k : classes)
                        known = known || name == k;
                    if (!known) return false;
                    out.append(re, j, e + 2 - j);
                    // Boost.Regex's blanks hold the vertical tab; PCRE2's do not
                    if (name == "blank") out += "\\x0b";
                    j = e + 1;
                    continue;
                }
                if (d == '\\') {
                    if (j + 1 >= n) return false;
                    char e = re[j + 1];
                    if (ascii_alnum(e) ? !std::strchr("dDwWsSntrfx", e)
                                       : ((unsigned char)e < 0x21 || (unsigned char)e >= 0x7f))
                        return false;
                    out += d;
                    out += e;
                    j++;
                    continue;
                }
                out += d;
            }
            out += ']';
            i = j;
            continue;
        }
        if (c == '^') {
            out += "(?:^|(?<=[\\n\\f])|(?<=\\r)(?!\\n))";
            continue;
        }
        if (c == '$') {
            out += "(?:\\z|(?=[\\r\\f])|(?<!\\r)(?=\\n))";
            continue;
        }
        if (c == '(' && i + 1 < n && re[i + 1] == '?') {
            static const char *const known[] = {"(?:", "(?=", "(?!", "(?<=", "(?<!", "(?>"};
            bool ok = false;
            for (const char *k : known)
                ok = ok || re.compare(i, std::strlen(k), k) == 0;
            if (!ok) return false;
        }
        if (c == '{' && !(i + 1 < n && re[i + 1] >= '0' && re[i + 1] <= '9')) return false;
        out += c;
    }
    return true;
}

// The most groups a rule searched by PCRE2 may have (Run's match data).
const uint32_t k_pcre_groups = 32;

// A match's groups, [0] the whole match, as pointers into the text; an
// unmatched group is {NULL, NULL}.
typedef std::vector<std::pair<const char *, const char *>> Groups;

// ---- a definition in our own form ----------------------------------------
//
// What the matching loop needs of a language definition, without
// source-highlight's objects: its states (the main one first), each with a
// default element and its rules in order; each rule with its regex as
// source-highlight compiled it, the facts of Boost.Regex's compiled form the
// loop uses (the bytes a match can begin with, whether it can match the
// empty string, its groups), its elements and where a match leads. The
// build reads every definition of hl_languages.h this way (hlgen.cpp) and
// the program carries them as a table, so that a run parses no .lang file
// and compiles no Boost regex; a definition from anywhere else is read
// through source-highlight when it is first asked for.

// A set of bytes (a rule's start map), as four 64-bit words.
struct ByteSet {
    uint64_t w[4] = {0, 0, 0, 0};
    bool operator[](unsigned char c) const {
        return (w[c >> 6] >> (c & 63)) & 1;
    }
    void set(unsigned char c) {
        w[c >> 6] |= (uint64_t)1 << (c & 63);
    }
    void fill() {
        w[0] = w[1] = w[2] = w[3] = ~(uint64_t)0;
    }
    int count() const {
        return __builtin_popcountll(w[0]) + __builtin_popcountll(w[1]) +
               __builtin_popcountll(w[2]) + __builtin_popcountll(w[3]);
    }
};

struct RuleDef {
    std::string re;             // the regex (Boost.Regex, Perl syntax)
    uint32_t flags = 0;         // its Boost syntax flags, of which:
    bool perl = true;           //  Perl syntax and nothing else but
    bool icase = false;         //  case ignored
    ByteSet map;                // the bytes a match can begin with
    bool null_ok = false;       // it can match the empty string
    uint32_t marks = 0;         // its groups
    std::vector<uint8_t> elems; // indexes in k_elements
    int32_t next = -1;          // the state a match enters (an index), or -1
    int32_t exit = 0;           // states a match leaves: 0 none, -1 all
    bool nested = false;        // a match enters the current state again
    bool subexp = false;        // its groups are handed to the state it enters
    bool refs = false;          // its regex holds @{n}, replaced on entering its state
};

struct StateDef {
    uint8_t deflt = 0;           // index in k_elements
    bool refs = false;           // a rule's regex holds references (entered as a copy)
    std::vector<uint32_t> rules; // indexes in LangDef::rules, in order
};

struct LangDef {
    std::vector<RuleDef> rules;   // one per rule object (several states may share one)
    std::vector<StateDef> states; // [0] the main state
};

#ifndef OCTAVO_HL_LEAN
uint8_t element_index(const std::string &e) {
    for (size_t i = 0; i < sizeof k_elements / sizeof *k_elements; i++)
        if (e == k_elements[i]) return (uint8_t)i;
    return (uint8_t)(sizeof k_elements / sizeof *k_elements - 1); // "normal"
}

// Boost.Regex's facts of a compiled regex, into d.
void boost_facts(const boost::regex &re, RuleDef &d) {
    d.flags = re.flags();
    d.icase = (d.flags & boost::regex_constants::icase) != 0;
    d.perl = (d.flags & ~boost::regex_constants::icase) == boost::regex::perl;
    d.null_ok = re.can_be_null();
    d.marks = (uint32_t)re.mark_count();
    for (int c = 0; c < 256; c++)
        if (re.get_map()[c] & boost::BOOST_REGEX_DETAIL_NS::mask_any) d.map.set((unsigned char)c);
}

// source-highlight's state graph from `main`, in our form.
struct Describe {
    LangDef out;
    std::unordered_map<const HighlightState *, int32_t> states;
    std::unordered_map<const HighlightRule *, uint32_t> rules;

    int32_t state(const HighlightStatePtr &st) {
        auto it = states.find(st.get());
        if (it != states.end()) return it->second;
        int32_t id = (int32_t)out.states.size();
        states[st.get()] = id;
        out.states.emplace_back();
        out.states[id].deflt = element_index(st->getDefaultElement());
        out.states[id].refs = st->getNeedsReferenceReplacement();
        for (const HighlightRulePtr &r : st->getRuleList()) {
            uint32_t ri = rule(r.get());
            out.states[id].rules.push_back(ri);
        }
        return id;
    }

    uint32_t rule(const HighlightRule *r) {
        auto it = rules.find(r);
        if (it != rules.end()) return it->second;
        uint32_t id = (uint32_t)out.rules.size();
        rules[r] = id;
        out.rules.emplace_back();
        {
            RuleDef d;
            d.re = r->toString();
            auto rr = dynamic_cast<const srchilite::RegexHighlightRule *>(r);
            if (rr)
                boost_facts(rr->*regex_member(RegexMember()), d);
            else
                boost_facts(boost::regex(d.re), d); // RegexHighlightRule's own way
            for (const std::string &e : r->getElemList())
                d.elems.push_back(element_index(e));
            d.exit = r->getExitLevel();
            d.nested = r->isNested();
            d.subexp = r->getHasSubexpressions();
            d.refs = r->getNeedsReferenceReplacement();
            out.rules[id] = std::move(d);
        }
        if (r->getNextState()) {
            int32_t n = state(r->getNextState()); // (may grow out.rules)
            out.rules[id].next = n;
        }
        return id;
    }
};
#endif

// ---- the table's bytes ---------------------------------------------------
//
// "OCHL1", a count, then per definition its key ("dir/file", as the
// program asks for it) and its bytes: rules, then states. Numbers are 32-bit
// little-endian, strings a length and the bytes. Read back with Reader,
// which refuses (throws) anything short or out of range.

#ifndef OCTAVO_HL_LEAN
void put32(std::string &o, uint32_t v) {
    for (int i = 0; i < 4; i++)
        o += (char)((v >> (8 * i)) & 0xff);
}
void put_str(std::string &o, const std::string &s) {
    put32(o, (uint32_t)s.size());
    o += s;
}

std::string encode(const LangDef &L) {
    std::string o;
    put32(o, (uint32_t)L.rules.size());
    for (const RuleDef &r : L.rules) {
        put_str(o, r.re);
        put32(o, r.flags);
        put32(o, r.marks);
        put32(o, (uint32_t)r.next);
        put32(o, (uint32_t)r.exit);
        o += (char)((r.null_ok ? 1 : 0) | (r.nested ? 2 : 0) | (r.subexp ? 4 : 0) |
                    (r.refs ? 8 : 0) | (r.perl ? 16 : 0) | (r.icase ? 32 : 0));
        for (uint64_t w : r.map.w) {
            put32(o, (uint32_t)w);
            put32(o, (uint32_t)(w >> 32));
        }
        o += (char)r.elems.size();
        for (uint8_t e : r.elems)
            o += (char)e;
    }
    put32(o, (uint32_t)L.states.size());
    for (const StateDef &s : L.states) {
        o += (char)s.deflt;
        o += (char)(s.refs ? 1 : 0);
        put32(o, (uint32_t)s.rules.size());
        for (uint32_t r : s.rules)
            put32(o, r);
    }
    return o;
}

#endif

struct Reader {
    const unsigned char *p, *end;
    void need(size_t n) {
        if ((size_t)(end - p) < n) throw std::runtime_error("highlight table: truncated");
    }
    uint8_t u8() {
        need(1);
        return *p++;
    }
    uint32_t u32() {
        need(4);
        uint32_t v =
            (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
        p += 4;
        return v;
    }
    std::string str() {
        uint32_t n = u32();
        need(n);
        std::string s((const char *)p, n);
        p += n;
        return s;
    }
};

LangDef decode(Reader &in) {
    const size_t nelem = sizeof k_elements / sizeof *k_elements;
    LangDef L;
    uint32_t nr = in.u32();
    in.need(nr); // (each rule takes more than a byte)
    L.rules.resize(nr);
    for (RuleDef &r : L.rules) {
        r.re = in.str();
        r.flags = in.u32();
        r.marks = in.u32();
        r.next = (int32_t)in.u32();
        r.exit = (int32_t)in.u32();
        uint8_t bits = in.u8();
        r.null_ok = bits & 1;
        r.nested = bits & 2;
        r.subexp = bits & 4;
        r.refs = bits & 8;
        r.perl = bits & 16;
        r.icase = bits & 32;
        for (uint64_t &w : r.map.w) {
            uint64_t lo = in.u32();
            w = lo | (uint64_t)in.u32() << 32;
        }
        uint8_t ne = in.u8();
        for (uint8_t k = 0; k < ne; k++) {
            uint8_t e = in.u8();
            if (e >= nelem) throw std::runtime_error("highlight table: bad element");
            r.elems.push_back(e);
        }
    }
    uint32_t ns = in.u32();
    in.need(ns);
    L.states.resize(ns);
    for (StateDef &s : L.states) {
        s.deflt = in.u8();
        s.refs = in.u8() != 0;
        uint32_t n = in.u32();
        in.need(n);
        for (uint32_t k = 0; k < n; k++) {
            uint32_t r = in.u32();
            if (r >= nr) throw std::runtime_error("highlight table: bad rule");
            s.rules.push_back(r);
        }
        if (s.deflt >= nelem) throw std::runtime_error("highlight table: bad element");
    }
    for (const RuleDef &r : L.rules)
        if (r.next < -1 || r.next >= (int32_t)ns)
            throw std::runtime_error("highlight table: bad state");
    if (ns == 0) throw std::runtime_error("highlight table: no state");
    return L;
}

// ---- a rule compiled for the loop ----------------------------------------

struct Rule {
    RuleDef def;
    int ctx = 0;
    std::vector<const char *> elems; // canonical names of the rule's elements
    std::unique_ptr<Words> words;    // a keyword list (see Words), or NULL
    int call = CALL_NONE;            // k_call_rule and its kin (see find_call)
    int shape = SHAPE_NONE;          // k_rust_quote_rule, k_dashed_rule, k_number_rule
    std::unique_ptr<Alts> alts;      // a list of literals (see Alts), or NULL
    bool groups = false;             // its groups are needed (elements, back-references)
    int start1 = -1;                 // the one byte a match can begin with, if only one
    // for PCRE2 (see to_pcre2): the regex and options, compiled at the first
    // search (pc[1]: anchored), NULL when it does not compile
    std::string pcre;
    uint32_t pcre_opts = 0;
    mutable std::once_flag once[2];
    // pc[k] is set: checked before call_once, which costs more on every search
    mutable std::atomic<bool> made[2] = {false, false};
    mutable pcre2_code *pc[2] = {nullptr, nullptr};
    bool jit = true;                         // to be JIT-compiled
    mutable bool jitted[2] = {false, false}; // pc[k] is JIT-compiled
#ifndef OCTAVO_HL_LEAN
    // Boost.Regex's compiled form, made at its first use: for rules PCRE2
    // does not take, a search PCRE2 fails, and checks (verify)
    mutable std::once_flag bonce;
    mutable std::unique_ptr<boost::regex> bre;
#endif
    bool fast() const { // matched without a regex engine
        return words || call || shape || alts;
    }
    Rule() = default;
    Rule(const Rule &) = delete;
    Rule &operator=(const Rule &) = delete;
    ~Rule() {
        for (pcre2_code *c : pc)
            pcre2_code_free(c);
    }
#ifndef OCTAVO_HL_LEAN
    const boost::regex &boost() const {
        std::call_once(bonce, [this] {
            bre.reset(new boost::regex(def.re, (boost::regex::flag_type)def.flags));
        });
        return *bre;
    }
#endif
    // The compiled code for a search (anchored or not), NULL when the rule
    // stays on Boost.Regex.
    const pcre2_code *code(bool anchored) const {
        if (pcre.empty()) return nullptr;
        int k = anchored ? 1 : 0;
        if (made[k].load(std::memory_order_acquire)) return pc[k];
        std::call_once(once[k], [this, k] {
            int err;
            PCRE2_SIZE at;
            pcre2_code *c = pcre2_compile((PCRE2_SPTR)pcre.data(), pcre.size(),
                                          pcre_opts | (k ? PCRE2_ANCHORED : 0), &err, &at, nullptr);
            uint32_t ngroups = 0;
            if (c && (pcre2_pattern_info(c, PCRE2_INFO_CAPTURECOUNT, &ngroups) != 0 ||
                      ngroups + 1 > k_pcre_groups || ngroups != def.marks)) {
                pcre2_code_free(c);
                c = nullptr;
            }
            // (else PCRE2 interprets it)
            jitted[k] = c && jit && pcre2_jit_compile(c, PCRE2_JIT_COMPLETE) == 0;
            pc[k] = c;
            made[k].store(true, std::memory_order_release);
        });
        return pc[k];
    }
};
typedef std::shared_ptr<const Rule> RulePtr;

std::shared_ptr<Rule> compile_rule(RuleDef d, bool jit = true) {
    auto out = std::make_shared<Rule>();
    const std::string &s = d.re;
    out->ctx = context_of(s);
    if (d.map.count() == 1 && !d.null_ok)
        for (int c = 0; c < 256; c++)
            if (d.map[(unsigned char)c]) out->start1 = c;
    for (uint8_t e : d.elems)
        out->elems.push_back(k_elements[e]);
    bool icase = d.icase;
    bool ascii = word_bytes().ascii_only;
    out->jit = jit;
    if (ascii && d.perl && to_pcre2(s, out->pcre))
        out->pcre_opts = PCRE2_DOTALL | (icase ? PCRE2_CASELESS : 0);
    else
        out->pcre.clear();
    out->groups = out->elems.size() != 1 || d.subexp;
    out->def = std::move(d);
    // The shortcuts give a match's bounds, not its groups: only for rules
    // with one element and no back-references to hand on.
    if (out->groups) return out;
    const std::string &t = out->def.re;
    out->words = keyword_list(t, icase);
    if (!icase && ascii) {
        out->call = t == k_call_rule      ? CALL_PLAIN
                    : t == k_call_rule_ts ? CALL_TS
                    : t == k_assign_rule  ? CALL_ASSIGN
                    : t == k_fundef_rule  ? CALL_FUNDEF
                                          : CALL_NONE;
        out->shape = t == k_rust_quote_rule ? SHAPE_RUST_QUOTE
                     : t == k_dashed_rule   ? SHAPE_DASHED
                     : t == k_number_rule   ? SHAPE_NUMBER
                                            : SHAPE_NONE;
    }
    if (!icase && !out->words && !out->call && !out->shape && out->ctx == 0)
        out->alts = literal_alts(t);
    return out;
}

// A state with its rules compiled, in the state's order.
struct State {
    int32_t id = 0;              // its index in the definition (a copy: the original's)
    const char *deflt = nullptr; // canonical default element
    std::vector<RulePtr> rules;
};
typedef std::shared_ptr<const State> StatePtr;

// see oc_hlmod_engines: rules compiled for PCRE2 and for Boost.Regex only,
// searches made by each
std::atomic<unsigned long> g_engines[4];

// One language. Its rules and states are compiled when first needed (a
// state when a block first enters it; a book uses a few of a definition's
// states and rules), once, by whichever thread gets there first, and only
// read afterwards. The full module compiles them all when it loads the
// definition (compile_lang).
struct Lang {
    LangDef def;
    std::unique_ptr<std::once_flag[]> rule_once, state_once;
    // set once a state is compiled: the loop asks for a state at every
    // change of state, and this check costs less than call_once's
    std::unique_ptr<std::atomic<bool>[]> state_made;
    mutable std::vector<RulePtr> rules;   // by index (NULL until compiled)
    mutable std::vector<StatePtr> states; // by index, [0] the main state (NULL until compiled)

    const RulePtr &rule(uint32_t i) const {
        std::call_once(rule_once[i], [this, i] {
            RulePtr r = compile_rule(def.rules[i]);
            if (!r->fast()) g_engines[r->pcre.empty() ? 1 : 0]++;
            rules[i] = r;
        });
        return rules[i];
    }
    const StatePtr &state(int32_t i) const {
        if (state_made[i].load(std::memory_order_acquire)) return states[i];
        std::call_once(state_once[i], [this, i] {
            auto s = std::make_shared<State>();
            s->id = i;
            s->deflt = k_elements[def.states[i].deflt];
            for (uint32_t r : def.states[i].rules)
                s->rules.push_back(rule(r));
            states[i] = s;
            state_made[i].store(true, std::memory_order_release);
        });
        return states[i];
    }
};

std::unique_ptr<Lang> compile_lang(LangDef def, bool eager) {
    std::unique_ptr<Lang> L(new Lang);
    L->def = std::move(def);
    L->rule_once.reset(new std::once_flag[L->def.rules.size()]);
    L->state_once.reset(new std::once_flag[L->def.states.size()]);
    L->state_made.reset(new std::atomic<bool>[L->def.states.size()]());
    L->rules.resize(L->def.rules.size());
    L->states.resize(L->def.states.size());
    if (eager)
        for (size_t i = 0; i < L->def.states.size(); i++)
            L->state((int32_t)i);
    return L;
}

// ---- process-wide: the loaded definitions -------------------------------

std::atomic<unsigned long> g_fallbacks{0}; // see oc_hlmod_fallbacks
std::atomic<unsigned long> g_sources[2];   // see oc_hlmod_sources

#ifndef OCTAVO_HL_LEAN
std::mutex g_lock; // source-highlight's statics: its parser, HighlightState's ids
srchilite::RegexRuleFactory *g_factory;
srchilite::LangDefManager *g_langdefs;

// source-highlight's own state graph of `file` in `dir`; call with g_lock
// held. Throws when it does not load.
HighlightStatePtr srchilite_main(const char *dir, const char *file) {
    if (!g_factory) {
        g_factory = new srchilite::RegexRuleFactory;
        g_langdefs = new srchilite::LangDefManager(g_factory);
    }
    return g_langdefs->getHighlightState(dir, file);
}
#else
// the table the build wrote (hlgen.cpp), carried by the program
extern "C" const unsigned char oc_hl_table[], oc_hl_table_end[];

// The table's definition with this key, in our form: false when the
// table has none.
bool from_table(const std::string &key, LangDef &out) {
    Reader in{oc_hl_table, oc_hl_table_end};
    if (in.need(5), std::memcmp(in.p, "OCHL1", 5) != 0)
        throw std::runtime_error("highlight table: not ours");
    in.p += 5;
    uint32_t n = in.u32();
    for (uint32_t i = 0; i < n; i++) {
        std::string k = in.str();
        uint32_t size = in.u32();
        in.need(size);
        if (k == key) {
            Reader one{in.p, in.p + size};
            out = decode(one);
            return true;
        }
        in.p += size;
    }
    return false;
}
#endif

// The definitions asked for, by "dir/file". An entry is made by the first
// thread that asks, which loads it while the map is free: a thread whose
// language is loaded already goes on while another loads one, and one that
// asks for the language being loaded waits for it.
struct Entry {
    std::unique_ptr<Lang> lang; // NULL until loaded, and when it does not load
    bool absent = false;        // (lean) not in the table
    bool done = false;
};
std::mutex g_map_lock; // g_langs and every Entry in it
std::condition_variable g_loaded;
std::map<std::string, Entry> *g_langs;

// Loads the definition `file` in `dir` (the lean module: from the table;
// the full one: through source-highlight). NULL when it does not load, and
// in the lean module with *absent set when the table does not have it (the
// full module's to load then).
std::unique_ptr<Lang> load(const char *dir, const char *file, const std::string &key,
                           bool *absent) {
    try {
        LangDef def;
#ifdef OCTAVO_HL_LEAN
        (void)dir;
        (void)file;
        if (!from_table(key, def)) {
            *absent = true;
            return nullptr;
        }
#else
        (void)key;
        (void)absent;
        {
            std::lock_guard<std::mutex> hold(g_lock);
            Describe d;
            d.state(srchilite_main(dir, file));
            def = std::move(d.out);
        }
#endif
#ifdef OCTAVO_HL_LEAN
        // (every rule of the table's is for PCRE2 or a shortcut: the writer
        // checks; the rules are compiled as they are needed)
        std::unique_ptr<Lang> L = compile_lang(std::move(def), false);
#else
        std::unique_ptr<Lang> L = compile_lang(std::move(def), true);
#endif
#ifdef OCTAVO_HL_LEAN
        g_sources[0]++;
#else
        g_sources[1]++;
#endif
        return L;
    } catch (...) {
        return nullptr;
    }
}

// The definition `file` in `dir`, loaded the first time it is asked for;
// NULL when it does not load (with *absent set as `load` sets it).
const Lang *language(const char *dir, const char *file, bool *absent) {
    std::string key = std::string(dir) + "/" + file;
    std::unique_lock<std::mutex> m(g_map_lock);
    if (!g_langs) g_langs = new std::map<std::string, Entry>;
    auto got = g_langs->emplace(key, Entry());
    Entry &e = got.first->second; // (a std::map's entries stay where they are)
    if (!got.second) {
        g_loaded.wait(m, [&e] { return e.done; });
    } else {
        m.unlock();
        bool out = false;
        std::unique_ptr<Lang> L = load(dir, file, key, &out);
        m.lock();
        e.lang = std::move(L);
        e.absent = out;
        e.done = true;
        g_loaded.notify_all();
    }
    *absent = e.absent;
    return e.lang.get();
}

// ---- states entered as copies ---------------------------------------------

// `re` with each reference @{d} (not after a backslash) replaced by
// subs[d-1], its characters that are special in a regex escaped with a
// backslash: what source-highlight's RegexPreProcessor::replace_references
// gives (a missing group gives nothing).
std::string replace_refs(const std::string &re, const std::vector<std::string> &subs) {
    std::string out;
    for (size_t i = 0; i < re.size(); i++) {
        if (re[i] == '@' && i + 3 < re.size() && re[i + 1] == '{' && re[i + 2] >= '0' &&
            re[i + 2] <= '9' && re[i + 3] == '}' && !(i > 0 && re[i - 1] == '\\')) {
            size_t k = (size_t)(re[i + 2] - '0');
            if (k >= 1 && k <= subs.size())
                for (char c : subs[k - 1]) {
                    if (c != '\0' && std::strchr(".[]{}()\\*+?|^$", c)) out += '\\';
                    out += c;
                }
            i += 3;
            continue;
        }
        out += re[i];
    }
    return out;
}

// A rule of a copied state: rule r with its references replaced, as
// RegexHighlightRule::replaceReferences compiles it (with the default
// flags). PCRE2 searches it, without a JIT (a state made for one
// back-reference is searched a few times, too few to pay for one), and the
// facts the loop reads come from PCRE2's compiled pattern: its groups,
// whether it may match the empty string, and the bytes a match can begin
// with (its first byte or start bitmap, else every byte). NULL when PCRE2
// does not take the regex.
std::shared_ptr<Rule> copy_rule(const RuleDef &r, const std::vector<std::string> &subs) {
    RuleDef d = r;
    d.re = replace_refs(r.re, subs);
    d.flags = 0; // (Boost's default: Perl syntax)
    d.perl = true;
    d.icase = false;
    std::string pat;
    if (!word_bytes().ascii_only || !to_pcre2(d.re, pat)) return nullptr;
    int err;
    PCRE2_SIZE at;
    pcre2_code *c =
        pcre2_compile((PCRE2_SPTR)pat.data(), pat.size(), PCRE2_DOTALL, &err, &at, nullptr);
    if (!c) return nullptr;
    uint32_t groups = 0, empty = 1, type = 0, unit = 0;
    const uint8_t *bitmap = nullptr;
    if (pcre2_pattern_info(c, PCRE2_INFO_CAPTURECOUNT, &groups) != 0 ||
        pcre2_pattern_info(c, PCRE2_INFO_MATCHEMPTY, &empty) != 0 ||
        pcre2_pattern_info(c, PCRE2_INFO_FIRSTCODETYPE, &type) != 0 ||
        pcre2_pattern_info(c, PCRE2_INFO_FIRSTCODEUNIT, &unit) != 0 ||
        pcre2_pattern_info(c, PCRE2_INFO_FIRSTBITMAP, &bitmap) != 0 || groups + 1 > k_pcre_groups) {
        pcre2_code_free(c);
        return nullptr;
    }
    d.marks = groups;
    d.null_ok = empty != 0;
    d.map = ByteSet();
    if (type == 1 && unit < 256) {
        d.map.set((unsigned char)unit);
    } else if (type == 0 && bitmap) {
        for (int b = 0; b < 256; b++)
            if ((bitmap[b / 8] >> (b % 8)) & 1) d.map.set((unsigned char)b);
    } else {
        d.map.fill();
    }
    std::shared_ptr<Rule> out = compile_rule(std::move(d), false);
    if (out->pcre != pat) { // (compile_rule reads the regex as we did)
        pcre2_code_free(c);
        return nullptr;
    }
    std::call_once(out->once[0], [&] { out->pc[0] = c; });
    return out;
}

// A state entered as a copy with its rules' references replaced by the
// groups of the match that enters it (source-highlight's
// SourceHighlighter::getNextState: HighlightState::replaceReferences
// replaces them in each rule that has them, in the original state's regex).
// Throws when the lean module cannot search such a rule.
StatePtr copy_state(const Lang &L, int32_t id, const std::vector<std::string> &subs) {
    auto s = std::make_shared<State>();
    s->id = id;
    s->deflt = k_elements[L.def.states[id].deflt];
    for (uint32_t ri : L.def.states[id].rules) {
        const RuleDef &r = L.def.rules[ri];
        if (!r.refs) {
            s->rules.push_back(L.rule(ri));
            continue;
        }
        std::shared_ptr<Rule> c = copy_rule(r, subs);
#ifdef OCTAVO_HL_LEAN
        if (!c) throw std::runtime_error("a rule PCRE2 does not take");
#else
        if (!c) { // Boost.Regex's, as source-highlight has it
            RuleDef d = r;
            d.re = replace_refs(r.re, subs);
            std::unique_ptr<boost::regex> re(new boost::regex(d.re));
            boost_facts(*re, d);
            c = compile_rule(std::move(d), false);
            c->pcre.clear();
            std::call_once(c->bonce, [&] { c->bre = std::move(re); });
        }
#endif
        s->rules.push_back(c);
    }
    return s;
}

// ---- one run over a block -----------------------------------------------

inline bool is_word(unsigned char c) {
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}

// What a rule's last search on the current line started at and found.
struct Memo {
    unsigned line = 0; // the line it belongs to (0: none)
    const char *from = nullptr;
    // Where a match may begin, for the loop's quick test (see line_run):
    // twice the address of the match found, twice the first place one may
    // begin less one when none was found before it, or the largest value
    // when none was found at all. It stands for a search from any p with
    // from <= p and key >= 2p, and a match cannot begin at or before
    // `limit` when key > 2 limit.
    uintptr_t key = 0;
    int ctx = 0;              // the rule's (a copy, so that the quick test reads the memo alone)
    bool found = false;       // the search from `from` found [mb, me)
    bool none = false;        // (not found) no match anywhere in [from, end]
    const char *lo = nullptr; // (not found, not none) no match starts in [from, lo)
    const char *mb = nullptr, *me = nullptr; // (found) the match
    Groups m;                                // (found, the rule's groups needed) its groups
};

struct Run {
    const Lang &L;
    oc_hlmod_emit_fn emit;
    void *ud;
    const char *text;
    size_t pos = 0; // offset in the block of the next piece
    unsigned line = 0;
    StatePtr cur;
    std::vector<StatePtr> stack;
    // memos of the current line, per state (by identity) and rule index
    std::unordered_map<const State *, std::vector<Memo>> memos;
    const State *memo_state = nullptr; // the state memo_vec is memos[] of
    std::vector<Memo> *memo_vec = nullptr;
    Groups groups; // an anchored attempt's groups (see match)
    std::vector<std::string> subs;
    bool verify = false; // check every shortcut against Boost.Regex (see find)
    pcre2_match_data *md;
    unsigned long searches[2] = {0, 0}; // by PCRE2, by Boost.Regex (see oc_hlmod_engines)

    Run(const Lang &l, oc_hlmod_emit_fn e, void *u, const char *t)
        : L(l), emit(e), ud(u), text(t), md(pcre2_match_data_create(k_pcre_groups, nullptr)) {
        if (!md) throw std::bad_alloc();
    }
    ~Run() {
        pcre2_match_data_free(md);
        g_engines[2] += searches[0];
        g_engines[3] += searches[1];
    }
    Run(const Run &) = delete;
    Run &operator=(const Run &) = delete;

    // A search with PCRE2 (see to_pcre2) of rule r from p, its first
    // attempt at `at` (no match can start in [p, at)): 1 found, 0 not
    // found, -1 when the rule is not for PCRE2 or PCRE2 failed.
    int pcre_find(const Rule &r, const char *p, const char *at, const char *end, bool notbol,
                  bool anchored, const char **mb, const char **me, Groups *g) {
        const pcre2_code *c = r.code(anchored);
        if (!c) return -1;
        // pcre2_jit_match: the JIT's code without pcre2_match's checks
        // of the arguments, which hold here
        int rc = (r.jitted[anchored ? 1 : 0] ? pcre2_jit_match : pcre2_match)(
            c, (PCRE2_SPTR)p, (PCRE2_SIZE)(end - p), (PCRE2_SIZE)(at - p),
            notbol ? PCRE2_NOTBOL : 0, md, nullptr);
        if (rc == PCRE2_ERROR_NOMATCH) return 0;
        if (rc <= 0) return -1;
        const PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        *mb = p + ov[0];
        *me = p + ov[1];
        if (g) {
            g->assign(r.def.marks + 1, {nullptr, nullptr});
            for (size_t i = 0; i < (size_t)rc && i < g->size(); i++)
                if (ov[2 * i] != PCRE2_UNSET) (*g)[i] = {p + ov[2 * i], p + ov[2 * i + 1]};
        }
        return 1;
    }

    void piece(const char *elem, size_t len) {
        if (!len) return;
        emit(ud, pos, len, elem);
        pos += len;
    }

#ifndef OCTAVO_HL_LEAN
    // Boost.Regex's search of rule r from p (only at p itself when
    // `anchored`): found or not, its bounds in *mb, *me, and its groups in m
    // when the rule's groups are needed.
    static bool boost_find(const Rule &r, const char *p, const char *end, bool notbol,
                           bool anchored, const char **mb, const char **me, Groups &m) {
        boost::match_flag_type flags = boost::match_default;
        if (notbol) flags |= boost::match_not_bol;
        if (anchored) flags |= boost::match_continuous;
        boost::cmatch b;
        if (!boost::regex_search(p, end, b, r.boost(), flags)) {
            *mb = *me = nullptr;
            return false;
        }
        *mb = b[0].first;
        *me = b[0].second;
        if (r.groups) {
            m.assign(b.size(), {nullptr, nullptr});
            for (size_t g = 0; g < b.size(); g++)
                if (b[g].matched) m[g] = {b[g].first, b[g].second};
        }
        return true;
    }
#endif

    // The first match of rule r in [p, end) as Boost.Regex finds it
    // searching from p (not at a line's start when `notbol`; only at p
    // itself when `anchored`; no match starts in [p, at)): its bounds in
    // *mb, *me, and when the rule's groups are needed, its groups in m.
    // With `verify` (tests; the full module), the answer of a shortcut or of
    // PCRE2 is checked against Boost.Regex's, which is used and counted
    // where they differ. A rule PCRE2 does not take, or a search it gives
    // up on, is Boost.Regex's in the full module; the lean module has no
    // Boost, and throws (the block is then left plain).
    bool find(const Rule &r, const char *p, const char *at, const char *end, bool notbol,
              bool anchored, const char **mb, const char **me, Groups &m) {
        if (!r.fast()) {
            int got = pcre_find(r, p, at, end, notbol, anchored, mb, me, r.groups ? &m : nullptr);
            searches[got < 0]++;
            if (got >= 0 && !verify) return got == 1;
#ifdef OCTAVO_HL_LEAN
            throw std::runtime_error("a search PCRE2 does not make");
#else
            const char *bb, *be;
            Groups bm;
            bool found = boost_find(r, p, end, notbol, anchored, &bb, &be, bm);
            if (got >= 0) { // verify: the same match and groups?
                bool same = found == (got == 1);
                if (same && found) same = bb == *mb && be == *me;
                if (same && found && r.groups) same = bm == m;
                if (same) return found;
                g_fallbacks.fetch_add(1, std::memory_order_relaxed);
            }
            *mb = bb;
            *me = be;
            if (r.groups) m.swap(bm);
            return found;
#endif
        }
        const char *q = nullptr, *e = nullptr;
        if (r.words) {
            if (anchored) { // the word at p, when it is listed
                e = word_end(p, end);
                q = listed(*r.words, p, e) ? p : nullptr;
            } else if ((q = find_listed(*r.words, p, end)) != nullptr) {
                e = word_end(q, end);
            }
        } else if (r.call) {
            q = find_call(r.call, p, end, &e);
        } else if (r.shape == SHAPE_RUST_QUOTE) {
            q = find_rust_quote(p, end, &e);
        } else if (r.shape == SHAPE_DASHED) {
            q = find_dashed(p, end, &e);
        } else if (r.shape == SHAPE_NUMBER) {
            q = find_number(p, end, anchored, &e);
        } else {
            q = find_alt(*r.alts, p, end, &e);
        }
        if (anchored && q != p) q = nullptr;
#ifndef OCTAVO_HL_LEAN
        if (verify) {
            const char *bb, *be;
            Groups bm;
            bool found = boost_find(r, p, end, notbol, anchored, &bb, &be, bm);
            if (found != (q != nullptr) || (found && (bb != q || be != e))) {
                g_fallbacks.fetch_add(1, std::memory_order_relaxed);
                q = bb;
                e = be;
            }
        }
#endif
        *mb = q;
        *me = e;
        return q != nullptr;
    }

    // The first match of rule i of state s in [p, end), as a search from p
    // with source-highlight's flags would find it, when it starts at or
    // before `limit`; NULL when it starts later or there is none. (A match
    // starting after the best one so far cannot win, so it need not be
    // found.) Before asking Boost.Regex, the rule's start map (the bytes a
    // match can begin with) rules out the positions no match can start at:
    // a regex_search costs about a microsecond even when it fails at once.
    const Memo *match(std::vector<Memo> &v, const State *s, size_t i, const char *p,
                      const char *end, bool bol, const char *limit) {
        Memo &M = v[i];
        const Rule &r = *s->rules[i];
        const ByteSet &map = r.def.map;
        const bool null_ok = r.def.null_ok;
        bool reuse = M.line == line && !(r.ctx & CTX_FRESH) && M.from <= p &&
                     (M.found ? M.mb >= p : (M.none || M.lo > p));
        if (reuse && M.from < p) {
            bool before = false; // does the attempt at p see past p?
            unsigned char c = (unsigned char)p[-1];
            if ((r.ctx & CTX_WORD) && (is_word(c) || c >= 0x80)) before = true;
            if ((r.ctx & CTX_CARET) && (bol || c < 0x20 || c >= 0x7f)) before = true;
            if (r.ctx & CTX_BEHIND) before = true;
            if (before) { // make that one attempt again, as a search from p would
                const char *b = nullptr, *e = nullptr;
                bool may = null_ok || (p < end && map[(unsigned char)*p]);
                if (may && find(r, p, p, end, !bol, true, &b, &e, groups)) {
                    M.from = p;
                    M.found = true;
                    M.mb = b;
                    M.me = e;
                    if (r.groups) M.m.swap(groups);
                    return &M;
                }
                // the remembered match started at p itself and no longer does
                if (M.found && M.mb == p) reuse = false;
            }
        }
        if (reuse) {
            M.from = p;
            if (M.found) return M.mb <= limit ? &M : nullptr;
            if (M.none || M.lo > limit) return nullptr;
        }
        M.line = (r.ctx & CTX_FRESH) ? 0 : line;
        M.from = p;
        const char *q = p;
        if (!null_ok) {
            // only as far as `limit`: a match starting later cannot win
            const char *stop = limit < end ? limit + 1 : end;
            if (r.start1 >= 0) {
                q = (const char *)std::memchr(p, r.start1, (size_t)(stop - p));
                if (!q) q = stop;
            } else {
                while (q < stop && !map[(unsigned char)*q])
                    q++;
            }
            if (q == stop) {
                M.found = false;
                M.none = stop == end;
                M.lo = stop;
                return nullptr;
            }
        }
        M.found = find(r, p, q, end, !bol, false, &M.mb, &M.me, M.m);
        M.none = !M.found;
        return M.found && M.mb <= limit ? &M : nullptr;
    }

    // source-highlight's SourceHighlighter::highlightParagraph over [ls, le).
    bool line_run(const char *ls, const char *le) {
        line++;
        const char *start = ls;
        bool bol = true;
        size_t guard = 4 * (size_t)(le - ls) + 256; // no definition loops forever
        for (;;) {
            if (guard-- == 0) return false;
            const State *s = cur.get();
            // HighlightState::findBestMatch
            const Memo *best = nullptr;
            size_t bi = 0, bprefix = 0, bsize = 0;
            if (s != memo_state) { // (the state seldom changes from one token to the next)
                memo_state = s;
                memo_vec = &memos[s];
            }
            std::vector<Memo> &v = *memo_vec;
            if (v.size() != s->rules.size()) v.resize(s->rules.size());
            // What an attempt at `start` sees before it (see match): rules
            // that look there are asked again when they last searched from
            // further back.
            int looks = CTX_BEHIND;
            if (start > ls) {
                unsigned char c = (unsigned char)start[-1];
                if (is_word(c) || c >= 0x80) looks |= CTX_WORD;
                if (bol || c < 0x20 || c >= 0x7f) looks |= CTX_CARET;
            }
            uintptr_t lim2 = 2 * (uintptr_t)le;
            for (size_t i = 0; i < s->rules.size(); i++) {
                Memo &H = v[i];
                // the quick test: the rule's last search on this line stands
                // for one from here, and its match (or any) begins past the
                // best so far; what match() would find without searching
                if (H.line == line && H.from <= start && H.key > lim2 &&
                    (H.from == start || !(H.ctx & looks))) {
                    H.from = start;
                    continue;
                }
                const Memo *M = match(v, s, i, start, le, bol, best ? start + bprefix : le);
                H.ctx = s->rules[i]->ctx;
                H.key = H.found  ? 2 * (uintptr_t)H.mb
                        : H.none ? UINTPTR_MAX
                                 : 2 * (uintptr_t)H.lo - 1;
                if (!M) continue;
                size_t prefix = (size_t)(M->mb - start);
                size_t size = 0;
                if (s->rules[i]->elems.size() > 1) {
                    for (size_t g = 1; g < M->m.size(); g++)
                        size += (size_t)(M->m[g].second - M->m[g].first);
                } else {
                    size = (size_t)(M->me - M->mb);
                }
                if (!best || prefix < bprefix || (prefix == bprefix && size > bsize)) {
                    best = M;
                    bi = i;
                    bprefix = prefix;
                    bsize = size;
                    lim2 = 2 * (uintptr_t)(start + bprefix);
                    bool blanks = true;
                    for (const char *q = start; q < M->mb && blanks; q++)
                        blanks = word_bytes().blank[(unsigned char)*q]; // (\v too)
                    if (blanks) break;
                }
            }
            if (!best) {
                if (start != le) piece(s->deflt, (size_t)(le - start));
                return true;
            }
            // copy what the memo holds: entering a state may reuse it
            const Rule &rule = *s->rules[bi];
            const std::vector<const char *> &elems = rule.elems;
            piece(s->deflt, bprefix);
            if (elems.size() > 1) {
                for (size_t g = 1; g < best->m.size(); g++) {
                    if (!best->m[g].first) continue;
                    if (g - 1 >= elems.size()) return false;
                    piece(elems[g - 1], (size_t)(best->m[g].second - best->m[g].first));
                }
            } else if (!elems.empty()) {
                piece(elems[0], (size_t)(best->me - best->mb));
            } else {
                return false;
            }
            subs.clear();
            if (rule.def.subexp)
                for (size_t g = 1; g < best->m.size(); g++)
                    subs.push_back(best->m[g].first
                                       ? std::string(best->m[g].first, best->m[g].second)
                                       : std::string());
            if (bsize) bol = false;
            start += bprefix + bsize;

            // SourceHighlighter::getNextState, enterState, exitState, exitAll
            int32_t next = rule.def.nested ? cur->id : rule.def.next;
            if (next >= 0) {
                StatePtr ns;
                if (L.def.states[next].refs) {
                    ns = copy_state(L, next, subs);
                    memos.erase(ns.get()); // a new state, maybe at a freed one's address
                    memo_state = nullptr;
                } else if (rule.def.nested)
                    ns = cur;
                else
                    ns = L.state(next);
                stack.push_back(cur);
                cur = ns;
            } else if (rule.def.exit) {
                int level = rule.def.exit;
                if (level < 0 || (size_t)level > stack.size()) {
                    if (level > 0) return false; // source-highlight would pop an empty stack
                    cur = L.state(0);
                    stack.clear();
                } else {
                    stack.resize(stack.size() - (size_t)(level - 1));
                    cur = stack.back();
                    stack.pop_back();
                }
            }
            if (start > le) return false;
        }
    }
};

#ifndef OCTAVO_HL_LEAN
// ---- source-highlight's own SourceHighlighter (the reference) -----------

// Receives each formatted piece of the current line, in order.
class Collector : public srchilite::Formatter {
  public:
    Collector(const std::string &elem, oc_hlmod_emit_fn e, void *u, size_t *p)
        : elem_(elem), emit_(e), ud_(u), pos_(p) {}
    void format(const std::string &s, const srchilite::FormatterParams *) override {
        if (s.empty()) return;
        emit_(ud_, *pos_, s.size(), elem_.c_str());
        *pos_ += s.size();
    }

  private:
    std::string elem_;
    oc_hlmod_emit_fn emit_;
    void *ud_;
    size_t *pos_;
};

// Runs source-highlight's SourceHighlighter over the text; call with g_lock
// held (it copies states as it goes).
int run_reference(const char *dir, const char *file, const char *text, size_t len,
                  oc_hlmod_emit_fn emit, void *ud) {
    static std::map<std::string, HighlightStatePtr> loaded; // (under g_lock)
    HighlightStatePtr &main = loaded[std::string(dir) + "/" + file];
    if (!main) main = srchilite_main(dir, file);
    size_t pos = 0;
    std::map<std::string, srchilite::FormatterPtr> known;
    auto formatter_for = [&](const std::string &e) {
        auto it = known.find(e);
        if (it != known.end()) return it->second;
        srchilite::FormatterPtr f(new Collector(e, emit, ud, &pos));
        known[e] = f;
        return f;
    };
    srchilite::FormatterManager fm(formatter_for("normal"));
    for (const char *e : k_elements)
        fm.addFormatter(e, formatter_for(e));
    srchilite::SourceHighlighter hl(main);
    hl.setFormatterManager(&fm);
    hl.setOptimize(false);
    size_t p = 0;
    while (p <= len) {
        size_t q = p;
        while (q < len && text[q] != '\n')
            q++;
        pos = p;
        hl.highlightParagraph(std::string(text + p, q - p));
        if (pos != q) return -1; // a piece went missing
        if (q >= len) break;
        p = q + 1;
    }
    return 0;
}

#endif

} // namespace

extern "C" unsigned long OC_HL_EXPORT(fallbacks)(void) {
    return g_fallbacks.load();
}

extern "C" void OC_HL_EXPORT(engines)(unsigned long out[4]) {
    for (int i = 0; i < 4; i++)
        out[i] = g_engines[i].load();
}

extern "C" void OC_HL_EXPORT(sources)(unsigned long out[2]) {
    for (int i = 0; i < 2; i++)
        out[i] = g_sources[i].load();
}

#ifndef OCTAVO_HL_LEAN
extern "C" int oc_hlsrc_write_table(const char *path, size_t n, const char *const *dirs,
                                    const char *const *files) {
    if (!word_bytes().c_locale) {
        std::fprintf(stderr,
                     "%s: error: Boost.Regex's word characters, letters or blanks are not the C "
                     "locale's, which the lean module assumes\n",
                     path);
        return -1;
    }
    std::string o = "OCHL1";
    put32(o, (uint32_t)n);
    for (size_t i = 0; i < n; i++) {
        try {
            std::lock_guard<std::mutex> hold(g_lock);
            Describe d;
            d.state(srchilite_main(dirs[i], files[i]));
            // the lean module searches every rule with PCRE2 or a shortcut
            for (const RuleDef &r : d.out.rules) {
                RulePtr c = compile_rule(r);
                if (!c->fast() && c->pcre.empty())
                    throw std::runtime_error("a rule the lean module cannot search: " + r.re);
            }
            std::string bytes = encode(d.out);
            // (what the program will read back, checked here)
            Reader back{(const unsigned char *)bytes.data(),
                        (const unsigned char *)bytes.data() + bytes.size()};
            if (encode(decode(back)) != bytes || back.p != back.end)
                throw std::runtime_error("it does not read back as written");
            put_str(o, std::string(dirs[i]) + "/" + files[i]);
            put_str(o, bytes);
        } catch (const std::exception &e) {
            std::fprintf(stderr, "%s/%s: error: the definition does not load: %s\n", dirs[i],
                         files[i], e.what());
            return -1;
        } catch (...) {
            std::fprintf(stderr, "%s/%s: error: the definition does not load\n", dirs[i], files[i]);
            return -1;
        }
    }
    FILE *f = std::fopen(path, "wb");
    if (!f || std::fwrite(o.data(), 1, o.size(), f) != o.size() || std::fclose(f) != 0) {
        std::fprintf(stderr, "%s: error: cannot write the table\n", path);
        return -1;
    }
    return 0;
}
#endif

extern "C" int OC_HL_EXPORT(load)(const char *dir, const char *file) {
    try {
        bool absent = false;
        if (language(dir, file, &absent)) return 0;
        return absent ? -2 : -1;
    } catch (...) {
        return -1;
    }
}

extern "C" int OC_HL_EXPORT(run_mode)(const char *dir, const char *file, const char *text,
                                      size_t len, oc_hlmod_emit_fn emit, void *ud, int reference) {
    try {
#ifdef OCTAVO_HL_LEAN
        if (reference != 0) return -2; // (the full module's)
#endif
        bool absent = false;
        const Lang *L = language(dir, file, &absent);
        if (!L) return absent ? -2 : -1;
#ifndef OCTAVO_HL_LEAN
        if (reference == 1) {
            std::lock_guard<std::mutex> hold(g_lock);
            return run_reference(dir, file, text, len, emit, ud);
        }
#endif
        Run R(*L, emit, ud, text);
        R.verify = reference == 2;
        R.cur = L->state(0);
        size_t p = 0;
        while (p <= len) {
            const char *nl = (const char *)memchr(text + p, '\n', len - p);
            size_t q = nl ? (size_t)(nl - text) : len;
            R.pos = p;
            if (!R.line_run(text + p, text + q) || R.pos != q) return -1;
            if (q >= len) break;
            p = q + 1;
        }
        return 0;
    } catch (...) {
        return -1;
    }
}
