"""The chapter list of a book.yaml, without a YAML library (the seeds'
files are ours and use the block form: "chapters:" then "  - path")."""
import re


def chapters(text):
    m = re.search(r"(?ms)^chapters:\s*\n((?:[ \t]*-[^\n]*\n?)+)", text)
    if not m:
        return []
    return [re.sub(r"^[ \t]*-[ \t]*", "", line).strip().strip("'\"")
            for line in m.group(1).splitlines() if line.strip()]
