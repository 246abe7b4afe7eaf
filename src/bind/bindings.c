// SPDX-License-Identifier: MIT
// Store rows to subscriber map: prefixes as static bindings, MACs as registrations, leases
// as address-to-MAC, each turned into a struct bind_event and applied by bind_apply().
#include "bindings.h"

#include "../base/units.h"
#include "bind.h"

#define LOG_TAG "bindings"
#include "../base/log.h"

static void add_binding(void *ctx, const struct binding_row *b)
{
    struct bind_event e = {
        .subscriber = (uint32_t)b->subscriber_id, .start_ms = b->start_ms, .end_ms = b->end_ms};
    struct bind_prefix *p = &e.prefixes[0];
    if (b->kind[0] == 'm' && units_parse_mac(b->value, e.mac) == 0) {
        e.kind = BIND_REGISTRATION;
    } else if (b->kind[0] == 'p' && prefix_parse(b->value, &p->addr, &p->len) == 0) {
        e.kind = BIND_STATIC;
        e.n_prefixes = 1;
    } else {
        log_warn("binding %lld: cannot read %s '%s'; skipped", (long long)b->id, b->kind, b->value);
        return;
    }
    bind_apply(ctx, &e, NULL, NULL); /* the daemon makes the whole map's prefixes local */
}

static void add_lease(void *ctx, const struct lease_row *l)
{
    struct bind_event e = {
        .kind = BIND_LEASE, .n_prefixes = 1, .start_ms = l->start_ms, .end_ms = l->end_ms};
    struct bind_prefix *p = &e.prefixes[0];
    if (prefix_parse(l->ip, &p->addr, &p->len) == 0 && units_parse_mac(l->mac, e.mac) == 0)
        bind_apply(ctx, &e, NULL, NULL);
    else
        log_warn("lease of %s to %s cannot be read; skipped", l->ip, l->mac);
}

static void add_account(void *ctx, const struct subscriber *sub)
{
    submap_add_account(ctx, sub->account, (uint32_t)sub->id);
}

struct subscriber_map *bindings_load(struct store *s)
{
    struct subscriber_map *m = submap_new();
    if (store_subscriber_list(s, add_account, m) != 0 ||
        store_binding_list(s, NULL, add_binding, m) != 0 ||
        store_lease_list(s, add_lease, m) != 0) {
        submap_free(m);
        return NULL;
    }
    return m;
}
