// octavo — the build's table writer: reads every language definition that
// doc/hl_languages.h names, through source-highlight, and writes them in
// our form (srchilite.cpp: LangDef) to one file, which the build links into
// the highlighter's module. A run then neither parses a .lang file nor
// compiles a Boost regex for them, and needs no definition installed.
//
//   octavo-hlgen OUT SRCHILITE_DIR OUR_DIR
//
// The two folders must be spelled as the program spells them
// (OCTAVO_SRCHILITE_DIR and OCTAVO_HIGHLIGHT_DIR): a definition is found in
// the table by "dir/file".
#include "doc/hl_languages.h"
#include "modules/modules.h"

#include <cstdio>
#include <vector>

int main(int argc, char **argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: octavo-hlgen OUT SRCHILITE_DIR OUR_DIR\n");
        return 2;
    }
    std::vector<const char *> dirs, files;
#define OC_HL_LANGUAGE(name, aliases, file, ours)                                                  \
    dirs.push_back((ours) ? argv[3] : argv[2]);                                                    \
    files.push_back(file);
    OC_HL_LANGUAGES
#undef OC_HL_LANGUAGE
    return oc_hlsrc_write_table(argv[1], files.size(), dirs.data(), files.data()) == 0 ? 0 : 1;
}
