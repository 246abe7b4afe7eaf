// SPDX-License-Identifier: MIT
// What every engine shares: picking the backend from the --db text, running a unit of work
// in one transaction through the backend's own begin, commit and rollback, and saying what
// the engines find (a missing class list) in one voice.
#include "store.h"

#include "../base/err.h"
#include "pgsql_private.h"

#include <stdio.h>
#include <string.h>

struct store *store_open(const char *db, bool readonly, char *errbuf)
{
    /* libpq's URI designators; anything else is a path (a file named so would need ./) */
    if (strncmp(db, "postgresql://", 13) == 0 || strncmp(db, "postgres://", 11) == 0)
        return store_pgsql_open(db, readonly, errbuf);
    return store_sqlite_open(db, readonly, errbuf);
}

int store_classes_check(struct store *s, char *errbuf)
{
    int rc = s->ops->classes_known(s);
    if (rc < 0)
        return rc;
    if (rc == 0) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "the store holds usage in traffic classes but not the class list it was "
                 "counted with (which classes count toward quota is unknown); start `flowtally "
                 "run` with its classes file until it has flushed once");
        return ERR_NOT_FOUND;
    }
    return 0;
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
