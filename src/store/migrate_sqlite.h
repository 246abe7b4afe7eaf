// SPDX-License-Identifier: MIT
// Versioned, forward-only schema migrations for the SQLite store.
#ifndef FT_MIGRATE_SQLITE_H
#define FT_MIGRATE_SQLITE_H

#include <sqlite3.h>

/* Sets WAL mode and applies every migration newer than the file's schema_version, each in
 * its own transaction. Returns 0, or a negative code with a message in errbuf. */
int migrate_sqlite(sqlite3 *db, char *errbuf);

/* For readers: checks the file holds a flowtally schema this binary understands. */
int migrate_sqlite_check(sqlite3 *db, char *errbuf);

#endif
