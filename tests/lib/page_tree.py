"""A page's inheritable entries, read from qpdf's JSON (qpdf --json=2)."""


def inherited(objs, ref, key):
    """The page `ref`'s entry `key`, or the nearest one up its /Parent chain
    (ISO 32000-1, 7.7.3.4: /Resources, /MediaBox, /CropBox and /Rotate are
    inheritable); None when neither the page nor a parent has one. `objs`
    is the "qpdf" list's second item, objects by "obj:N 0 R"."""
    for _ in range(64):  # (a cycle of /Parent links is not followed for ever)
        value = objs.get("obj:" + ref, {}).get("value", {})
        if key in value:
            return value[key]
        ref = value.get("/Parent")
        if not isinstance(ref, str):
            break
    return None
