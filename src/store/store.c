// SPDX-License-Identifier: MIT
// Backend selection. Only SQLite exists so far; a PostgreSQL URI will pick its backend here.
#include "store.h"

struct store *store_open(const char *path, bool readonly, char *errbuf)
{
    return store_sqlite_open(path, readonly, errbuf);
}
