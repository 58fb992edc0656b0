/* octavo — the languages the highlighter knows: a name, the aliases an info
 * string may use (space-separated, the name included), the definition file
 * and whether that is ours (highlight/) or source-highlight's.
 *
 * One list for two readers: highlight.c matches info strings against it,
 * and the build's table writer (src/modules/hlgen.cpp) compiles each
 * definition into the table the program carries (see srchilite.cpp), so
 * that a run neither parses .lang files nor needs them installed. Define
 * OC_HL_LANGUAGE(name, aliases, file, ours) before expanding it. */
#ifndef OCTAVO_DOC_HL_LANGUAGES_H
#define OCTAVO_DOC_HL_LANGUAGES_H

#define OC_HL_LANGUAGES                                                                            \
    OC_HL_LANGUAGE("rust", "rust rs", "rust.lang", 0)                                              \
    OC_HL_LANGUAGE("javascript", "javascript js jsx mjs cjs node", "javascript.lang", 0)           \
    OC_HL_LANGUAGE("typescript", "typescript ts tsx mts cts", "typescript.lang", 1)                \
    OC_HL_LANGUAGE("python", "python py python3 py3 gyp", "python.lang", 0)                        \
    OC_HL_LANGUAGE("bash", "bash sh shell console shell-session shellsession ksh zsh", "sh.lang",  \
                   0)                                                                              \
    OC_HL_LANGUAGE("c", "c h", "c.lang", 0)                                                        \
    OC_HL_LANGUAGE("cpp", "cpp c++ cxx cc hpp hxx hh", "cpp.lang", 0)                              \
    OC_HL_LANGUAGE("json", "json jsonc json5 geojson", "json.lang", 0)                             \
    OC_HL_LANGUAGE("yaml", "yaml yml", "yaml.lang", 1)                                             \
    OC_HL_LANGUAGE("toml", "toml", "toml.lang", 1)                                                 \
    OC_HL_LANGUAGE("html", "html htm xhtml", "html.lang", 0)                                       \
    OC_HL_LANGUAGE("xml", "xml svg xsl xslt rss atom plist", "xml.lang", 0)                        \
    OC_HL_LANGUAGE("css", "css", "css.lang", 0)                                                    \
    OC_HL_LANGUAGE("sql", "sql mysql postgresql postgres psql plsql sqlite", "sql.lang", 0)        \
    OC_HL_LANGUAGE("go", "go golang", "go.lang", 0)                                                \
    OC_HL_LANGUAGE("java", "java", "java.lang", 0)                                                 \
    OC_HL_LANGUAGE("csharp", "csharp cs c#", "csharp.lang", 0)                                     \
    OC_HL_LANGUAGE("ruby", "ruby rb", "ruby.lang", 0)                                              \
    OC_HL_LANGUAGE("perl", "perl pl pm", "perl.lang", 0)                                           \
    OC_HL_LANGUAGE("php", "php", "php.lang", 0)                                                    \
    OC_HL_LANGUAGE("lua", "lua", "lua.lang", 0)                                                    \
    OC_HL_LANGUAGE("haskell", "haskell hs", "haskell.lang", 0)                                     \
    OC_HL_LANGUAGE("scala", "scala", "scala.lang", 0)                                              \
    OC_HL_LANGUAGE("diff", "diff patch", "diff.lang", 0)                                           \
    OC_HL_LANGUAGE("makefile", "makefile make mk", "makefile.lang", 0)                             \
    OC_HL_LANGUAGE("ini", "ini cfg desktop", "desktop.lang", 0)

#endif
