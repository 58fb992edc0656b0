/* A set of code points: open addressing with linear probing, grown at half
 * full. Each slot holds cp + 1, so an all-zero table is empty and so is a
 * zeroed oc_cpset (no table until the first add). Used for "warn once per
 * character" bookkeeping, which is empty for almost every book: a bitmap over
 * all of Unicode cost 136 KiB per layout thread, zeroed on every run. */
#include "octavo/util.h"

#include <stdlib.h>

static size_t slot_of(uint32_t cp, size_t mask) {
    return (size_t)((cp * 2654435761u) >> 7) & mask;
}

int oc_cpset_add(oc_cpset *s, uint32_t cp) {
    if (s->n + 1 > s->cap / 2) {
        size_t cap = s->cap ? s->cap * 2 : 16;
        uint32_t *slots = oc_xcalloc(cap, sizeof *slots);
        for (size_t i = 0; i < s->cap; i++) {
            if (!s->slots[i]) continue;
            size_t j = slot_of(s->slots[i] - 1, cap - 1);
            while (slots[j])
                j = (j + 1) & (cap - 1);
            slots[j] = s->slots[i];
        }
        free(s->slots);
        s->slots = slots;
        s->cap = cap;
    }
    size_t j = slot_of(cp, s->cap - 1);
    while (s->slots[j]) {
        if (s->slots[j] == cp + 1) return 0;
        j = (j + 1) & (s->cap - 1);
    }
    s->slots[j] = cp + 1;
    s->n++;
    return 1;
}

int oc_cpset_has(const oc_cpset *s, uint32_t cp) {
    if (!s->cap) return 0;
    for (size_t j = slot_of(cp, s->cap - 1); s->slots[j]; j = (j + 1) & (s->cap - 1))
        if (s->slots[j] == cp + 1) return 1;
    return 0;
}

void oc_cpset_free(oc_cpset *s) {
    free(s->slots);
    s->slots = NULL;
    s->n = s->cap = 0;
}
