// SPDX-License-Identifier: MIT
// Who a local address belonged to at a given time. Bindings tie a prefix (an address is a
// /32 or /128) or a MAC to a subscriber for an interval; DHCP leases tie an address to a
// MAC for an interval, and the MAC's registration then names the subscriber. The map is
// built from the store, swapped whole when bindings change, and also takes single changes
// (a RADIUS Start or Stop) so attribution does not wait for the next reload.
#ifndef FT_SUBSCRIBERS_H
#define FT_SUBSCRIBERS_H

#include "../base/addr.h"

#include <stdbool.h>
#include <stdint.h>

#define SUBMAP_OPEN UINT64_MAX /* end of an open-ended interval */

struct subscriber_map;

/* Returns a new empty map; caller frees with submap_free(). */
struct subscriber_map *submap_new(void);
void submap_free(struct subscriber_map *m);

/* Adds a binding of a prefix (len in the 128-bit space) for [start_ms, end_ms). */
void submap_add_prefix(struct subscriber_map *m, const struct ip_addr *a, unsigned len,
                       uint64_t start_ms, uint64_t end_ms, uint32_t subscriber);

/* Ends the open binding of exactly this prefix held by subscriber at end_ms. Returns true
 * if one was open. */
bool submap_end_prefix(struct subscriber_map *m, const struct ip_addr *a, unsigned len,
                       uint32_t subscriber, uint64_t end_ms);

/* Ends every open binding of exactly this prefix, whoever holds it, at end_ms. */
void submap_end_prefix_any(struct subscriber_map *m, const struct ip_addr *a, unsigned len,
                           uint64_t end_ms);

/* Adds a registration of a MAC to a subscriber for [start_ms, end_ms). */
void submap_add_mac(struct subscriber_map *m, const uint8_t mac[6], uint64_t start_ms,
                    uint64_t end_ms, uint32_t subscriber);

/* Adds a DHCP lease of an address (or delegated prefix) to a MAC for [start_ms, end_ms). */
void submap_add_lease(struct subscriber_map *m, const struct ip_addr *a, unsigned len,
                      const uint8_t mac[6], uint64_t start_ms, uint64_t end_ms);

/* The subscriber of host at time t: the longest bound prefix with a binding valid at t;
 * else the lease of host at t and its MAC's registration at t; else the flow's own MAC (if
 * mac is non-NULL) and its registration. Returns 0 (unassigned) when nothing claims it.
 * Where intervals overlap, the one that started last wins. */
uint32_t submap_lookup(const struct subscriber_map *m, const struct ip_addr *host,
                       const uint8_t *mac, uint64_t t);

/* Records an account name's subscriber id (for RADIUS User-Name and the like). */
void submap_add_account(struct subscriber_map *m, const char *account, uint32_t id);

/* The subscriber id of an account name, or 0 if unknown. */
uint32_t submap_account(const struct subscriber_map *m, const char *account);

/* Bindings, registrations and leases held (for logs). */
uint64_t submap_count(const struct subscriber_map *m);

typedef void submap_prefix_fn(void *ctx, const struct ip_addr *a, unsigned len);

/* Calls fn once for every prefix the map has bound and every address or prefix it has seen
 * leased (len in the 128-bit space), whatever their intervals, ended ones too; a prefix both
 * bound and leased comes twice. MACs have no address and are not given. In no particular
 * order; fn must not change the map. */
void submap_each_prefix(const struct subscriber_map *m, submap_prefix_fn *fn, void *ctx);

#endif
