// SPDX-License-Identifier: MIT
// The rules of the bindings table, the same for every engine: an address moves from one
// account to the next without overlap, a binding that would end before it started is
// deleted rather than kept at zero length, and binding again what an account holds open
// changes nothing. The engines give the three primitives these rules need (the open
// bindings of a value, closing them at a time, inserting a row); this file decides.
#include "store.h"

#include "../base/err.h"

#include <stdio.h>
#include <time.h>

/* Runs fn in a transaction of its own unless one is open already (a batch such as `bind
 * import`), so that the bindings a change ends and the one it adds are stored together. */
static int atomically(struct store *s, store_work_fn *fn, void *ctx)
{
    if (s->ops->in_transaction(s))
        return fn(s, ctx);
    return store_transaction(s, fn, ctx);
}

struct binding_change {
    const char *account, *kind, *value, *source, *session;
    uint64_t start_ms, end_ms; /* for an end: start_ms is the time it ends */
    int n_ended;
    char *errbuf;
};

static int binding_end_tx(struct store *s, void *ctx)
{
    struct binding_change *c = ctx;
    return s->ops->binding_close(s, c->value, c->session, c->start_ms, &c->n_ended);
}

int store_binding_end(struct store *s, const char *value, const char *session, uint64_t at_ms,
                      int *n_ended)
{
    struct binding_change c = {.value = value, .session = session, .start_ms = at_ms};
    int rc = atomically(s, binding_end_tx, &c);
    if (n_ended)
        *n_ended = rc == 0 ? c.n_ended : 0;
    return rc;
}

/* The open bindings of a value, as seen by one subscriber about to bind it. */
struct open_bindings {
    int64_t subscriber_id; /* who is about to bind it */
    int n;                 /* open bindings of the value, whoever holds them */
    bool is_held;          /* the subscriber holds one of them */
    uint64_t since_ms;     /* when the subscriber's earliest one started */
};

static void count_open(void *ctx, int64_t subscriber_id, uint64_t start_ms)
{
    struct open_bindings *o = ctx;
    o->n++;
    if (subscriber_id == o->subscriber_id && (!o->is_held || start_ms < o->since_ms)) {
        o->is_held = true;
        o->since_ms = start_ms;
    }
}

static int binding_add_tx(struct store *s, void *ctx)
{
    struct binding_change *c = ctx;
    struct subscriber sub;
    if (store_subscriber_get(s, c->account, &sub) != 0) {
        snprintf(c->errbuf, ERR_BUF_LEN, "no subscriber '%s' (see flowtally subscriber list)",
                 c->account);
        return ERR_NOT_FOUND;
    }
    /* One indexed look-up tells both whether the account holds the value already and
     * whether anything is open to end: a fresh value (each line of a first import) then
     * costs this and the insert, no more. */
    struct open_bindings o = {.subscriber_id = sub.id};
    int rc = s->ops->binding_open_of(s, c->value, count_open, &o);
    if (rc != 0)
        return rc;
    /* Binding again what the account holds open changes nothing: ending the binding and
     * starting an equal one would only split it (or leave a zero-length row), and an
     * import run twice must store the same as once. With an end given it is a change. */
    if (o.is_held && c->end_ms == 0) {
        char when[32];
        time_t t = (time_t)(o.since_ms / 1000);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        snprintf(c->errbuf, ERR_BUF_LEN, "%s is bound to %s already, since %s", c->value,
                 c->account, when);
        return STORE_BINDING_HELD;
    }
    int n_ended = 0; /* by value: whoever holds it, whatever the session */
    rc = o.n ? s->ops->binding_close(s, c->value, NULL, c->start_ms, &n_ended) : 0;
    if (rc != 0) {
        snprintf(c->errbuf, ERR_BUF_LEN, "could not end the open bindings of %s", c->value);
        return rc;
    }
    return s->ops->binding_insert(s, sub.id, c->kind, c->value, c->start_ms, c->end_ms, c->source,
                                  c->session, c->errbuf);
}

int store_binding_add(struct store *s, const char *account, const char *kind, const char *value,
                      uint64_t start_ms, uint64_t end_ms, const char *source, const char *session,
                      char *errbuf)
{
    struct binding_change c = {.account = account,
                               .kind = kind,
                               .value = value,
                               .source = source,
                               .session = session,
                               .start_ms = start_ms,
                               .end_ms = end_ms,
                               .errbuf = errbuf};
    return atomically(s, binding_add_tx, &c);
}
