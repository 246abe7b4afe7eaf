// SPDX-License-Identifier: MIT
// Template storage: a lazily allocated two-level map over template ids.
#include "templates.h"

#include "../base/err.h"
#include "../base/xalloc.h"

#include <stdlib.h>

void tmpl_table_init(struct tmpl_table *t, size_t max)
{
    *t = (struct tmpl_table){.max = max};
}

void tmpl_table_deinit(struct tmpl_table *t)
{
    tmpl_remove_all(t, false);
    tmpl_remove_all(t, true);
    for (size_t p = 0; p < 256; p++) {
        free(t->pages[p]);
        t->pages[p] = NULL;
    }
}

const struct tmpl *tmpl_find(const struct tmpl_table *t, uint16_t id)
{
    struct tmpl **page = t->pages[id >> 8];
    return page ? page[id & 255] : NULL;
}

int tmpl_put(struct tmpl_table *t, struct tmpl *tmpl)
{
    struct tmpl ***page = &t->pages[tmpl->id >> 8];
    struct tmpl **slot = *page ? &(*page)[tmpl->id & 255] : NULL;
    if (slot && *slot) {
        free(*slot);
        *slot = tmpl;
        return 0;
    }
    if (t->n >= t->max) {
        free(tmpl);
        return ERR_LIMIT;
    }
    if (!*page)
        *page = xcalloc(256, sizeof **page);
    (*page)[tmpl->id & 255] = tmpl;
    t->n++;
    return 0;
}

bool tmpl_remove(struct tmpl_table *t, uint16_t id)
{
    struct tmpl **page = t->pages[id >> 8];
    if (!page || !page[id & 255])
        return false;
    free(page[id & 255]);
    page[id & 255] = NULL;
    t->n--;
    return true;
}

void tmpl_remove_all(struct tmpl_table *t, bool options)
{
    for (size_t p = 0; p < 256; p++) {
        struct tmpl **page = t->pages[p];
        if (!page)
            continue;
        for (size_t i = 0; i < 256; i++) {
            if (page[i] && page[i]->is_options == options) {
                free(page[i]);
                page[i] = NULL;
                t->n--;
            }
        }
    }
}

struct tmpl *tmpl_new(uint16_t id, uint16_t n_fields)
{
    struct tmpl *tmpl = xcalloc(
        1, sizeof *tmpl + (size_t)n_fields * (sizeof tmpl->fields[0] + sizeof tmpl->steps[0]));
    tmpl->id = id;
    tmpl->n_fields = n_fields;
    tmpl->steps = (struct tmpl_step *)&tmpl->fields[n_fields];
    return tmpl;
}

int tmpl_finish(struct tmpl *tmpl)
{
    uint32_t len = 0;
    for (uint16_t i = 0; i < tmpl->n_fields; i++) {
        uint16_t flen = tmpl->fields[i].len;
        if (flen == 0)
            return ERR_MALFORMED;
        /* A variable-length field takes at least its one-byte length prefix. */
        len += flen == TMPL_VARLEN ? 1 : flen;
        tmpl->has_varlen |= flen == TMPL_VARLEN;
    }
    if (len == 0 || len > 65535 - 20)
        return ERR_MALFORMED;
    tmpl->min_len = len;
    return 0;
}
