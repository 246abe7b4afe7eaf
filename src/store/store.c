// SPDX-License-Identifier: MIT
// What every engine shares: picking the backend from the --db text, and running a unit of
// work in one transaction through the backend's own begin, commit and rollback.
#include "store.h"

struct store *store_open(const char *db, bool readonly, char *errbuf)
{
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
