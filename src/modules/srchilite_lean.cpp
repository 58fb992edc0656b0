// octavo — the lean highlighter module: srchilite.cpp built without
// source-highlight and Boost.Regex, over the table of definitions the
// build wrote (see the comment at the top of srchilite.cpp). A file of its
// own so that a build linking the modules in compiles both.
#define OCTAVO_HL_LEAN
#include "srchilite.cpp"
