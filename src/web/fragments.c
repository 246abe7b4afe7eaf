// SPDX-License-Identifier: MIT
// Rendered parts of pages: see fragments.h. A few hundred parts at most, found by a linear
// scan of their keys under one lock: far less than drawing one part.
#include "fragments.h"

#include "../base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct part {
    char *key; /* NULL: a free slot */
    int64_t version;
    char *text;
    size_t len;
    uint64_t used; /* the clock at the last use: the least is dropped first */
};

struct fragments {
    pthread_mutex_t lock;
    struct part *parts;
    size_t max;
    uint64_t clock;
};

struct fragments *fragments_new(size_t max)
{
    struct fragments *f = xcalloc(1, sizeof *f);
    f->max = max ? max : 1;
    f->parts = xcalloc(f->max, sizeof *f->parts);
    pthread_mutex_init(&f->lock, NULL);
    return f;
}

void fragments_free(struct fragments *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->max; i++) {
        free(f->parts[i].key);
        free(f->parts[i].text);
    }
    free(f->parts);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

static struct part *find(struct fragments *f, const char *key)
{
    for (size_t i = 0; i < f->max; i++)
        if (f->parts[i].key && strcmp(f->parts[i].key, key) == 0)
            return &f->parts[i];
    return NULL;
}

bool fragments_get(struct fragments *f, const char *key, int64_t version, FILE *out)
{
    if (!f)
        return false;
    pthread_mutex_lock(&f->lock);
    struct part *p = find(f, key);
    bool hit = p && p->version == version;
    if (hit) {
        p->used = ++f->clock;
        /* copied under the lock: a part is tens of kB, and a put may replace it meanwhile */
        fwrite(p->text, 1, p->len, out);
    }
    pthread_mutex_unlock(&f->lock);
    return hit;
}

void fragments_put(struct fragments *f, const char *key, int64_t version, const char *text,
                   size_t len)
{
    if (!f)
        return;
    char *copy = xmalloc(len ? len : 1);
    memcpy(copy, text, len);
    pthread_mutex_lock(&f->lock);
    struct part *p = find(f, key);
    if (p && p->version > version) { /* drawn at a newer version meanwhile: keep that one */
        pthread_mutex_unlock(&f->lock);
        free(copy);
        return;
    }
    if (!p) {
        p = &f->parts[0];
        for (size_t i = 0; i < f->max && p->key; i++)
            if (!f->parts[i].key || f->parts[i].used < p->used)
                p = &f->parts[i];
        free(p->key);
        p->key = xstrdup(key);
    }
    free(p->text);
    p->text = copy;
    p->len = len;
    p->version = version;
    p->used = ++f->clock;
    pthread_mutex_unlock(&f->lock);
}
