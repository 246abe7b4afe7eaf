// SPDX-License-Identifier: MIT
// The web's store connections: one per server thread at most, opened when first needed and
// handed to one request at a time. A connection that failed is closed and opened afresh
// for the next request (a PostgreSQL server restarted, a SQLite file replaced).
#ifndef FT_WEB_POOL_H
#define FT_WEB_POOL_H

#include "../store/store.h"

#include <stdbool.h>

struct web_pool;

/* Opens one connection to check the store now (refusing a store that is missing or of
 * another schema version). Returns NULL with errbuf (ERR_BUF_LEN). */
struct web_pool *web_pool_new(const char *db, unsigned size, char *errbuf);
/* A connection for one request, waiting while all are in use; NULL if none can be opened. */
struct store *web_pool_take(struct web_pool *p);
/* Gives it back; failed: close it. */
void web_pool_give(struct web_pool *p, struct store *s, bool failed);
void web_pool_free(struct web_pool *p);

#endif
