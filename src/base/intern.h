// SPDX-License-Identifier: MIT
// An append-only table of short names (traffic classes, applications) with stable 16-bit
// ids. Names are never removed or moved, so an id taken by the receive loop stays valid for
// the store thread that writes it later, across reloads of the class and application lists.
#ifndef FT_INTERN_H
#define FT_INTERN_H

#include <stdint.h>

#define INTERN_MAX 4096    /* names per table */
#define INTERN_NAME_MAX 33 /* bytes per name, NUL included */
#define INTERN_NONE UINT16_MAX

struct intern {
    char names[INTERN_MAX][INTERN_NAME_MAX];
    uint32_t n;
};

/* Returns the id of name, adding it if new; INTERN_NONE when the table is full or the name
 * is empty or longer than INTERN_NAME_MAX - 1. Thread: the writer only. */
uint16_t intern_id(struct intern *t, const char *name);

/* Returns the name of an id handed out by intern_id() ("?" for anything else). Safe from
 * another thread for ids that thread received through a synchronised hand-over. */
const char *intern_name(const struct intern *t, uint16_t id);

#endif
