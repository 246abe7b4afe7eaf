// SPDX-License-Identifier: MIT
// Shared between the SQLite backend's files only: the connection behind a struct store.
#ifndef FT_SQLITE_PRIVATE_H
#define FT_SQLITE_PRIVATE_H

#include "store.h"

#include <sqlite3.h>

/* The connection of a store opened by store_sqlite_open(). Borrowed. */
sqlite3 *store_sqlite_db(struct store *s);

#endif
