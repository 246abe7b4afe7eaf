// SPDX-License-Identifier: MIT
// Store rows to subscriber map: prefixes and MACs as bindings, leases as address-to-MAC.
#include "bindings.h"

#include "../base/units.h"
#include "../store/store.h"

#define LOG_TAG "bindings"
#include "../base/log.h"

static uint64_t end_or_open(uint64_t end_ms)
{
    return end_ms ? end_ms : SUBMAP_OPEN;
}

static void add_binding(void *ctx, const struct binding_row *b)
{
    struct subscriber_map *m = ctx;
    struct ip_addr a;
    unsigned len;
    uint8_t mac[6];
    uint32_t sub = (uint32_t)b->subscriber_id;
    if (b->kind[0] == 'm' && units_parse_mac(b->value, mac) == 0)
        submap_add_mac(m, mac, b->start_ms, end_or_open(b->end_ms), sub);
    else if (b->kind[0] == 'p' && prefix_parse(b->value, &a, &len) == 0)
        submap_add_prefix(m, &a, len, b->start_ms, end_or_open(b->end_ms), sub);
    else
        log_warn("binding %lld: cannot read %s '%s'; skipped", (long long)b->id, b->kind, b->value);
}

static void add_lease(void *ctx, const struct lease_row *l)
{
    struct subscriber_map *m = ctx;
    struct ip_addr a;
    unsigned len;
    uint8_t mac[6];
    if (prefix_parse(l->ip, &a, &len) == 0 && units_parse_mac(l->mac, mac) == 0)
        submap_add_lease(m, &a, len, mac, l->start_ms, end_or_open(l->end_ms));
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
