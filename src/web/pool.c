// SPDX-License-Identifier: MIT
// The web's store connections: see pool.h. They share one cache of usage reads, which
// answers a read again from memory until a flush changes the usage (store_read_usage()).
#include "pool.h"

#include "../base/err.h"
#include "../base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>

#define LOG_TAG "web"
#include "../base/log.h"

/* Reads a cache keeps: a page makes about six, so this is a few hundred customers' pages
 * (each entry is a few kB: one subscriber's rows of a cycle, grouped). */
#define WEB_POOL_CACHED_READS 2048

struct web_pool {
    char *db;
    struct store_read_cache *cache; /* shared by every connection of the pool */
    pthread_mutex_t lock;
    pthread_cond_t freed;
    struct store **idle; /* open, unused */
    size_t n_idle;
    unsigned size, n_out; /* connections in all; handed out now */
};

struct web_pool *web_pool_new(const char *db, unsigned size, char *errbuf)
{
    /* The portal never makes or migrates a store: a reader's open first refuses one that is
     * missing or of another schema version. Then a writer's open, as sessions, failed
     * logins and customers' settings are written through it. */
    struct store *check = store_open(db, true, errbuf);
    if (!check)
        return NULL;
    store_close(check);
    struct store *first = store_open(db, false, errbuf);
    if (!first)
        return NULL;
    struct web_pool *p = xcalloc(1, sizeof *p);
    p->db = xstrdup(db);
    p->size = size ? size : 1;
    p->idle = xcalloc(p->size, sizeof *p->idle);
    p->cache = store_read_cache_new(WEB_POOL_CACHED_READS);
    first->read_cache = p->cache;
    p->idle[p->n_idle++] = first;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    return p;
}

struct store *web_pool_take(struct web_pool *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->n_idle == 0 && p->n_out == p->size)
        pthread_cond_wait(&p->freed, &p->lock);
    struct store *s = p->n_idle ? p->idle[--p->n_idle] : NULL;
    p->n_out++;
    pthread_mutex_unlock(&p->lock);
    if (s)
        return s;
    char errbuf[ERR_BUF_LEN];
    s = store_open(p->db, false, errbuf);
    if (!s) {
        log_warn("cannot open the store: %s", errbuf);
        web_pool_give(p, NULL, true);
        return NULL;
    }
    s->read_cache = p->cache;
    return s;
}

void web_pool_give(struct web_pool *p, struct store *s, bool failed)
{
    if (s && failed) {
        store_close(s);
        s = NULL;
    }
    pthread_mutex_lock(&p->lock);
    p->n_out--;
    if (s)
        p->idle[p->n_idle++] = s;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

void web_pool_free(struct web_pool *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_idle; i++)
        store_close(p->idle[i]);
    store_read_cache_free(p->cache);
    pthread_mutex_destroy(&p->lock);
    pthread_cond_destroy(&p->freed);
    free(p->idle);
    free(p->db);
    free(p);
}
