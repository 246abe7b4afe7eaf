// SPDX-License-Identifier: MIT
// Linear search is enough: interning happens when lists are loaded, not per flow.
#include "intern.h"

#include <string.h>

uint16_t intern_id(struct intern *t, const char *name)
{
    size_t len = strlen(name);
    if (len == 0 || len >= INTERN_NAME_MAX)
        return INTERN_NONE;
    for (uint32_t i = 0; i < t->n; i++)
        if (strcmp(t->names[i], name) == 0)
            return (uint16_t)i;
    if (t->n == INTERN_MAX)
        return INTERN_NONE;
    memcpy(t->names[t->n], name, len + 1);
    return (uint16_t)t->n++;
}

const char *intern_name(const struct intern *t, uint16_t id)
{
    return id < t->n ? t->names[id] : "?";
}
