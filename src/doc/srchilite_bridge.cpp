// octavo — the one C++ file: GNU source-highlight behind a C call.
//
// highlight.c chooses the language and maps element names to our classes;
// this file only loads a language definition (once per process, cached) and
// runs source-highlight's highlighter over a code block line by line, handing
// every piece of text it formats to a callback with its byte offset in the
// block and the element name source-highlight gave it ("keyword", "string",
// "normal", ...). No exception crosses into C.
#include "doc/srchilite_bridge.h"

#include <srchilite/formatter.h>
#include <srchilite/formattermanager.h>
#include <srchilite/langdefmanager.h>
#include <srchilite/regexrulefactory.h>
#include <srchilite/sourcehighlighter.h>

#include <boost/shared_ptr.hpp>

#include <map>
#include <mutex>
#include <string>

namespace {

// Receives each formatted piece of the current line, in order.
class Collector : public srchilite::Formatter {
  public:
    explicit Collector(const std::string &elem) : elem_(elem) {}
    void format(const std::string &s, const srchilite::FormatterParams *) override;
    static oc_hl_emit_fn emit;
    static void *ud;
    static size_t pos; // byte offset in the block of the next piece
    static int failed;

  private:
    std::string elem_;
};

oc_hl_emit_fn Collector::emit = nullptr;
void *Collector::ud = nullptr;
size_t Collector::pos = 0;
int Collector::failed = 0;

void Collector::format(const std::string &s, const srchilite::FormatterParams *) {
    if (s.empty()) return;
    if (emit) emit(ud, pos, s.size(), elem_.c_str());
    pos += s.size();
}

struct Loaded {
    srchilite::HighlightStatePtr state;
    bool ok = false;
};

std::mutex g_lock; // the statics above and the cache are shared
srchilite::RegexRuleFactory *g_factory;
srchilite::LangDefManager *g_langdefs;
std::map<std::string, Loaded> *g_cache;
srchilite::FormatterManager *g_formatters;
std::map<std::string, srchilite::FormatterPtr> *g_known;

// One collecting formatter per element name.
srchilite::FormatterPtr formatter_for(const std::string &elem) {
    auto it = g_known->find(elem);
    if (it != g_known->end()) return it->second;
    srchilite::FormatterPtr f(new Collector(elem));
    (*g_known)[elem] = f;
    return f;
}

} // namespace

// The element names source-highlight's definitions use (every .lang file
// assigns from this set; an unknown one falls to the default, "normal").
static const char *const k_elements[] = {
    "keyword",  "type",       "usertype",    "classname", "string",    "regexp",    "specialchar",
    "comment",  "todo",       "number",      "preproc",   "symbol",    "cbracket",  "function",
    "variable", "predef_var", "predef_func", "label",     "attribute", "property",  "value",
    "key",      "keyquote",   "valquote",    "colon",     "selector",  "url",       "atom",
    "punct",    "constant",   "meta",        "oldfile",   "newfile",   "difflines", "normal",
};

extern "C" int oc_hl_bridge_run(const char *dir, const char *file, const char *text, size_t len,
                                oc_hl_emit_fn emit, void *ud) {
    std::lock_guard<std::mutex> hold(g_lock);
    try {
        if (!g_factory) {
            g_factory = new srchilite::RegexRuleFactory;
            g_langdefs = new srchilite::LangDefManager(g_factory);
            g_cache = new std::map<std::string, Loaded>;
            g_known = new std::map<std::string, srchilite::FormatterPtr>;
            g_formatters = new srchilite::FormatterManager(formatter_for("normal"));
            for (const char *e : k_elements)
                g_formatters->addFormatter(e, formatter_for(e));
        }
        std::string key = std::string(dir) + "/" + file;
        auto it = g_cache->find(key);
        if (it == g_cache->end()) {
            Loaded l;
            try {
                l.state = g_langdefs->getHighlightState(dir, file);
                l.ok = true;
            } catch (...) {
                l.ok = false;
            }
            it = g_cache->emplace(key, l).first;
        }
        if (!it->second.ok) return -1;

        srchilite::SourceHighlighter hl(it->second.state);
        hl.setFormatterManager(g_formatters);
        hl.setOptimize(false);
        Collector::emit = emit;
        Collector::ud = ud;
        Collector::failed = 0;
        size_t p = 0;
        while (p <= len) {
            size_t q = p;
            while (q < len && text[q] != '\n')
                q++;
            Collector::pos = p;
            hl.highlightParagraph(std::string(text + p, q - p));
            if (Collector::pos != q) Collector::failed = 1; // a piece went missing
            if (q >= len) break;
            p = q + 1;
        }
        Collector::emit = nullptr;
        return Collector::failed ? -1 : 0;
    } catch (...) {
        Collector::emit = nullptr;
        return -1;
    }
}
