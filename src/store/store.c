// SPDX-License-Identifier: MIT
// What every engine shares: picking the backend from the --db text, and running a unit of
// work in one transaction through the backend's own begin, commit and rollback.
#include "store.h"

#include "pgsql_private.h"

#include <string.h>

struct store *store_open(const char *db, bool readonly, char *errbuf)
{
    /* libpq's URI designators; anything else is a path (a file named so would need ./) */
    if (strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0)
        return store_pgsql_open(db, readonly, errbuf);
    return store_sqlite_open(db, readonly, errbuf);
}

int store_transaction(struct store *s, store_work_fn *fn, void *ctx)
{
    int rc = s->ops->begin(s);
    if (rc != 0)
        return rc;
    rc = fn(s, ctx);
    if (rc == 0)
        rc = s->ops->commit(s);
    if (rc != 0)
        s->ops->rollback(s);
    return rc;
}
