// SPDX-License-Identifier: MIT
// The rules of binding, written once. Who holds an address from when, what a Stop ends and
// what an unknown user does are decided here, for the map the classifier reads
// (bind_apply) and for the store (bind_record) alike; the daemon's RADIUS listener, its
// log sources, its lease follower and the loader of the map all come through here.
//
// The rules:
// - Intervals are [start, end): the start is inclusive, the end exclusive; end 0 (in the
//   store) or SUBMAP_OPEN (in the map) is open-ended.
// - A static binding, a registration or a lease holds for the interval it gives. Where
//   intervals of one prefix overlap, the one that started last wins (submap_lookup); the
//   store ends the older holder's open binding where the new one starts.
// - A Start (RADIUS Start or Interim-Update, a mapping line with a user) gives the account
//   its prefixes from the event's time, open-ended. An account that holds the address
//   already (an Interim-Update, a repeated mapping line) changes nothing: no second
//   interval in the map, no second row in the store.
// - A Stop with an account ends that account's open binding of exactly that prefix at the
//   event's time, in the map and in the store alike: a former holder's late Stop (its NAS
//   retried it after the address was handed to someone else) never ends the new holder's
//   binding, nor a static one. A Stop without an account (a mapping line "- -") ends
//   whoever holds the prefix, in both. An end before the start is clamped to the start
//   (the map) or deletes the binding (the store): never a negative interval.
// - A user that names no account binds nothing, and its Stop ends nothing: the address
//   stays as it was (unassigned, if nobody held it), and the caller counts it
//   (radius_unknown_user).
// - A mapping line binds the user it names; its MAC, when it has one, is not used.
// - Every prefix given to someone counts as local from then on, whatever local_nets says
//   (classify/localnets.h); a Stop does not make it remote again.
#include "bind.h"

#include "../base/err.h"
#include "../base/prefix.h"
#include "../base/units.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

bool bind_event_from_radius(const struct radius_event *ev, const char *source,
                            struct bind_event *out)
{
    assert(ev && source && out);
    if (ev->status != RADIUS_ACCT_START && ev->status != RADIUS_ACCT_INTERIM &&
        ev->status != RADIUS_ACCT_STOP)
        return false;
    *out = (struct bind_event){.kind = ev->status == RADIUS_ACCT_STOP ? BIND_STOP : BIND_START,
                               .source = source};
    if (out->kind == BIND_STOP)
        out->end_ms = ev->time_ms;
    else
        out->start_ms = ev->time_ms;
    snprintf(out->account, sizeof out->account, "%s", ev->user);
    snprintf(out->session, sizeof out->session, "%s", ev->session_id);
    if (ev->has_addr)
        out->prefixes[out->n_prefixes++] = (struct bind_prefix){ev->addr, ev->prefix_len};
    if (ev->has_addr6)
        out->prefixes[out->n_prefixes++] = (struct bind_prefix){ev->addr6, ev->prefix6_len};
    return true;
}

void bind_event_from_mapping(const struct log_mapping *m, const char *source,
                             struct bind_event *out)
{
    assert(m && source && out);
    *out = (struct bind_event){.kind = m->user[0] ? BIND_START : BIND_STOP,
                               .source = source,
                               .prefixes = {{m->ip, 128}},
                               .n_prefixes = 1};
    if (out->kind == BIND_STOP)
        out->end_ms = m->time_ms;
    else
        out->start_ms = m->time_ms;
    snprintf(out->account, sizeof out->account, "%s", m->user);
}

bool bind_event_from_lease(const struct lease *l, const char *source, struct bind_event *out)
{
    assert(l && source && out);
    if (!l->has_mac || l->start_ms == 0)
        return false; /* nothing ties it to a registration */
    *out = (struct bind_event){.kind = BIND_LEASE,
                               .source = source,
                               .prefixes = {{l->ip, l->prefix_len}},
                               .n_prefixes = 1,
                               .start_ms = l->start_ms,
                               .end_ms = l->end_ms};
    memcpy(out->mac, l->mac, sizeof out->mac);
    return true;
}

enum bind_resolution bind_resolve(const struct subscriber_map *m, struct bind_event *e)
{
    assert(m && e);
    if (e->subscriber != 0 || e->kind == BIND_LEASE) /* a lease names a MAC, no account */
        return BIND_ACCEPTED;
    if (e->account[0])
        e->subscriber = submap_account(m, e->account);
    if (e->subscriber == 0 && !(e->kind == BIND_STOP && e->account[0] == '\0'))
        return BIND_UNKNOWN_USER; /* its address stays unassigned */
    return BIND_ACCEPTED;
}

static uint64_t end_or_open(uint64_t end_ms)
{
    return end_ms ? end_ms : SUBMAP_OPEN;
}

void bind_apply(struct subscriber_map *m, const struct bind_event *e, bind_local_fn *local,
                void *ctx)
{
    assert(m && e && e->n_prefixes <= BIND_PREFIXES_MAX);
    if (e->kind == BIND_REGISTRATION) {
        submap_add_mac(m, e->mac, e->start_ms, end_or_open(e->end_ms), e->subscriber);
        return;
    }
    for (size_t i = 0; i < e->n_prefixes; i++) {
        const struct ip_addr *a = &e->prefixes[i].addr;
        unsigned len = e->prefixes[i].len;
        switch (e->kind) {
        case BIND_STATIC:
            submap_add_prefix(m, a, len, e->start_ms, end_or_open(e->end_ms), e->subscriber);
            break;
        case BIND_LEASE:
            submap_add_lease(m, a, len, e->mac, e->start_ms, end_or_open(e->end_ms));
            break;
        case BIND_START:
            /* Held already (by this prefix, a wider one or a lease through the account's
             * MAC): no second interval, so an Interim-Update every few minutes does not grow
             * the map. */
            if (submap_lookup(m, a, NULL, e->start_ms) != e->subscriber)
                submap_add_prefix(m, a, len, e->start_ms, SUBMAP_OPEN, e->subscriber);
            break;
        case BIND_STOP:
            if (e->subscriber == 0)
                submap_end_prefix_any(m, a, len, e->end_ms);
            else
                submap_end_prefix(m, a, len, e->subscriber, e->end_ms);
            continue; /* ended, but still ours: nothing to make local */
        case BIND_REGISTRATION: break;
        }
        if (local)
            local(ctx, a, len);
    }
}

/* The text the store keeps for a prefix: "10.1.2.3/32", "2001:db8:1200::/56". */
static void prefix_text(const struct bind_prefix *p, char *out)
{
    prefix_format(&p->addr, p->len, out);
}

/* A lease row: an address as "10.1.2.3" (the format `import leases` always wrote), a
 * delegated prefix as "2001:db8:1200::/56". */
static void lease_row_of(const struct bind_event *e, struct lease_row *row)
{
    char buf[ADDR_STR_LEN + 4];
    const struct bind_prefix *p = &e->prefixes[0];
    *row = (struct lease_row){.start_ms = e->start_ms, .end_ms = e->end_ms};
    if (p->len < 128)
        snprintf(row->ip, sizeof row->ip, "%s", prefix_format(&p->addr, p->len, buf));
    else
        snprintf(row->ip, sizeof row->ip, "%s", addr_format(&p->addr, buf));
    units_format_mac(e->mac, row->mac);
}

/* Says in errbuf what could not be recorded, with why (may be errbuf itself, or ""). */
static int record_failed(char *errbuf, const struct bind_event *e, const char *value, int rc,
                         const char *why)
{
    char copy[ERR_BUF_LEN / 2]; /* a store's message is short; the rest would be cut anyway */
    snprintf(copy, sizeof copy, "%s", why[0] ? why : err_str(rc));
    snprintf(errbuf, ERR_BUF_LEN, "could not record the %s binding of %s: %s", e->source, value,
             copy);
    return rc;
}

/* One prefix of a Start or a Stop. */
static int record_session(struct store *s, const struct bind_event *e, const char *value,
                          char *errbuf)
{
    int rc;
    if (e->kind == BIND_STOP) {
        /* Only the account's own binding (see the rules above); without one, whoever's. */
        rc = e->subscriber ? store_binding_is_open(s, value, e->subscriber) : 1;
        if (rc == 1)
            rc = store_binding_end(s, value, NULL, e->end_ms, NULL);
        return rc >= 0 ? 0 : record_failed(errbuf, e, value, rc, "");
    }
    rc = store_binding_is_open(s, value, e->subscriber);
    if (rc < 0)
        return record_failed(errbuf, e, value, rc, "");
    if (rc == 1)
        return 0; /* held already: an Interim-Update, a repeated mapping line */
    errbuf[0] = '\0';
    rc = store_binding_add(s, e->account, "prefix", value, e->start_ms, 0, e->source,
                           e->session[0] ? e->session : NULL, errbuf);
    return rc == 0 || rc == STORE_BINDING_HELD ? 0 : record_failed(errbuf, e, value, rc, errbuf);
}

int bind_record(struct store *s, const struct bind_event *e, char *errbuf)
{
    assert(s && e && errbuf && e->n_prefixes <= BIND_PREFIXES_MAX);
    char value[ADDR_STR_LEN + 4];
    int rc = 0;
    errbuf[0] = '\0';
    switch (e->kind) {
    case BIND_REGISTRATION: {
        char mac[18];
        units_format_mac(e->mac, mac);
        return store_binding_add(s, e->account, "mac", mac, e->start_ms, e->end_ms, e->source, NULL,
                                 errbuf);
    }
    case BIND_LEASE: {
        struct lease_row row;
        lease_row_of(e, &row);
        rc = store_lease_put(s, &row);
        return rc == 0 ? 0 : record_failed(errbuf, e, row.ip, rc, "");
    }
    case BIND_STATIC:
        assert(e->n_prefixes == 1);
        prefix_text(&e->prefixes[0], value);
        return store_binding_add(s, e->account, "prefix", value, e->start_ms, e->end_ms, e->source,
                                 NULL, errbuf);
    case BIND_START:
    case BIND_STOP:
        /* Each prefix on its own: one that fails does not keep the other from the store. */
        for (size_t i = 0; i < e->n_prefixes; i++) {
            char why[ERR_BUF_LEN];
            prefix_text(&e->prefixes[i], value);
            int r = record_session(s, e, value, why);
            if (r != 0 && rc == 0) {
                rc = r;
                snprintf(errbuf, ERR_BUF_LEN, "%s", why);
            }
        }
        return rc;
    }
    return ERR_MALFORMED;
}
