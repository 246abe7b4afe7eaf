// SPDX-License-Identifier: MIT
// Versioned, forward-only schema migrations for the PostgreSQL store.
#ifndef FT_MIGRATE_PGSQL_H
#define FT_MIGRATE_PGSQL_H

#include <libpq-fe.h>

/* Applies every migration newer than the database's schema_version, all in one
 * transaction under a lock that a second process starting at the same time waits for.
 * Refuses a newer schema. Returns 0, or ERR_STORE with a message in errbuf (ERR_BUF_LEN). */
int migrate_pgsql(PGconn *conn, char *errbuf);

/* For readers: checks the database holds a flowtally schema of this binary's version. */
int migrate_pgsql_check(PGconn *conn, char *errbuf);

#endif
