/* Book-relative paths: joining, normalising and confinement. */
#include "octavo/util.h"

#include <ctype.h>
#include <string.h>

int oc_is_url(const char *s) {
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
    if (!isalpha((unsigned char)s[0])) return 0;
    size_t i = 1;
    while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')
        i++;
    /* a single letter followed by ':' is a Windows drive, not a scheme */
    return s[i] == ':' && i > 1;
}

char *oc_path_confine(oc_arena *a, const char *base_dir, const char *rel) {
    if (!rel || !*rel || rel[0] == '/' || rel[0] == '\\' || oc_is_url(rel)) return NULL;
    if (strchr(rel, '\\') || (isalpha((unsigned char)rel[0]) && rel[1] == ':')) return NULL;
    size_t blen = base_dir ? strlen(base_dir) : 0, rlen = strlen(rel);
    char *joined = oc_arena_alloc(a, blen + rlen + 2);
    size_t n = 0;
    if (blen) {
        memcpy(joined, base_dir, blen);
        n = blen;
        joined[n++] = '/';
    }
    memcpy(joined + n, rel, rlen);
    n += rlen;
    joined[n] = '\0';

    /* Normalise component by component into out; ".." pops, and popping
     * past the root means the path leaves the book. */
    char *out = oc_arena_alloc(a, n + 1);
    size_t olen = 0;
    const char *p = joined;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t clen = e ? (size_t)(e - p) : strlen(p);
        if (clen == 0 || (clen == 1 && p[0] == '.')) {
            /* skip */
        } else if (clen == 2 && p[0] == '.' && p[1] == '.') {
            if (olen == 0) return NULL;
            while (olen > 0 && out[olen - 1] != '/')
                olen--;
            if (olen > 0) olen--; /* drop the slash */
        } else {
            if (olen) out[olen++] = '/';
            memcpy(out + olen, p, clen);
            olen += clen;
        }
        p += clen;
        if (*p == '/') p++;
    }
    out[olen] = '\0';
    if (olen == 0) return NULL;
    return out;
}

char *oc_path_dirname(oc_arena *a, const char *path) {
    const char *slash = strrchr(path, '/');
    if (!slash) return oc_arena_strdup(a, "");
    return oc_arena_strndup(a, path, (size_t)(slash - path));
}

char *oc_path_stem(oc_arena *a, const char *path) {
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
    return oc_arena_strndup(a, base, n);
}
