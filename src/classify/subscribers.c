// SPDX-License-Identifier: MIT
// Interval lists hung off two address sets (bound prefixes, leased addresses) and a MAC
// hash. Each value is the index of a group: the intervals of one prefix or MAC. Groups hold
// few intervals (an address changes hands rarely), so they are scanned.
//
// An address set keeps single addresses (/32, /128: most bindings, every lease) in a hash
// and only shorter prefixes in a trie. With 100,000 subscribers a trie of their addresses
// is 17 levels deep, a cache miss each; the hash is one probe, and the trie left is short.
#include "subscribers.h"

#include "../base/hash.h"
#include "../base/prefix.h"
#include "../base/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct interval {
    uint64_t start_ms, end_ms;
    uint32_t value; /* subscriber id, or for a lease the MAC's group index */
};

/* Most groups hold one interval: it lives inline, saving a cache miss per lookup. */
struct group {
    struct interval one; /* the interval while n <= 1 */
    struct interval *iv; /* owned; the intervals once there are two or more, else NULL */
    uint32_t n, cap;
};

static const struct interval *group_iv(const struct group *gr)
{
    return gr->iv ? gr->iv : &gr->one;
}

struct host_slot {
    struct ip_addr addr;
    uint32_t group;
    bool used;
};

/* A prefix shorter than a single address, listed: a trie cannot be walked. */
struct short_prefix {
    struct ip_addr addr;
    unsigned len; /* in the 128-bit space, below 128 */
};

/* Prefixes -> group: single addresses hashed, shorter prefixes in the trie. */
struct address_set {
    struct prefix_trie *trie;
    struct short_prefix *shorts; /* owned: the trie's prefixes, for submap_each_prefix() */
    size_t n_shorts, cap_shorts;
    struct host_slot *hosts; /* open addressing, load at most 1/2 */
    size_t host_cap, n_hosts;
};

struct mac_slot {
    uint8_t mac[6];
    bool used;
    uint32_t group;
};

struct account_slot {
    char *name; /* owned; NULL = empty slot */
    uint32_t id;
};

struct subscriber_map {
    struct account_slot *accounts; /* open addressing: account name -> id */
    size_t account_cap, n_accounts;
    struct address_set prefixes; /* prefix -> group of subscriber intervals */
    struct address_set leases;   /* leased address -> group of MAC-group intervals */
    struct mac_slot *macs;       /* open addressing: MAC -> group of subscriber intervals */
    size_t mac_cap, n_macs;
    struct group *groups; /* owned */
    uint32_t n_groups, cap_groups;
    uint64_t n_items;
};

struct subscriber_map *submap_new(void)
{
    struct subscriber_map *m = xcalloc(1, sizeof *m);
    m->prefixes = (struct address_set){.trie = prefix_trie_new(), .host_cap = 64};
    m->prefixes.hosts = xcalloc(m->prefixes.host_cap, sizeof *m->prefixes.hosts);
    m->leases = (struct address_set){.trie = prefix_trie_new(), .host_cap = 64};
    m->leases.hosts = xcalloc(m->leases.host_cap, sizeof *m->leases.hosts);
    m->mac_cap = 64;
    m->macs = xcalloc(m->mac_cap, sizeof *m->macs);
    return m;
}

void submap_free(struct subscriber_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->account_cap; i++)
        free(m->accounts[i].name);
    free(m->accounts);
    for (uint32_t i = 0; i < m->n_groups; i++)
        free(m->groups[i].iv);
    free(m->groups);
    free(m->macs);
    prefix_trie_free(m->prefixes.trie);
    prefix_trie_free(m->leases.trie);
    free(m->prefixes.shorts);
    free(m->leases.shorts);
    free(m->prefixes.hosts);
    free(m->leases.hosts);
    free(m);
}

static uint32_t group_new(struct subscriber_map *m)
{
    if (m->n_groups == m->cap_groups) {
        m->cap_groups = m->cap_groups ? m->cap_groups * 2 : 64;
        m->groups = xrealloc(m->groups, m->cap_groups * sizeof *m->groups);
    }
    m->groups[m->n_groups] = (struct group){0};
    return m->n_groups++;
}

static void group_add(struct subscriber_map *m, uint32_t g, uint64_t start, uint64_t end,
                      uint32_t value)
{
    struct group *gr = &m->groups[g];
    struct interval iv = {start, end, value};
    if (gr->n == 0) {
        gr->one = iv;
        gr->n = 1;
    } else {
        if (!gr->iv || gr->n == gr->cap) {
            gr->cap = gr->iv ? gr->cap * 2 : 4;
            struct interval *grown = xrealloc(gr->iv, gr->cap * sizeof *grown);
            if (!gr->iv)
                grown[0] = gr->one;
            gr->iv = grown;
        }
        gr->iv[gr->n++] = iv;
    }
    m->n_items++;
}

/* The value of the interval holding t that started last; false if none. */
static bool group_find(const struct subscriber_map *m, uint32_t g, uint64_t t, uint32_t *value)
{
    const struct group *gr = &m->groups[g];
    const struct interval *best = NULL;
    const struct interval *ivs = group_iv(gr);
    for (uint32_t i = 0; i < gr->n; i++) {
        const struct interval *iv = &ivs[i];
        if (iv->start_ms <= t && t < iv->end_ms && (!best || iv->start_ms >= best->start_ms))
            best = iv;
    }
    if (best)
        *value = best->value;
    return best != NULL;
}

static struct host_slot *host_probe(struct host_slot *slots, size_t cap, const struct ip_addr *a)
{
    size_t i = (size_t)hash_mix64(addr_hi(a) ^ hash_mix64(addr_lo(a))) & (cap - 1);
    while (slots[i].used && !addr_eq(&slots[i].addr, a))
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

/* The group of an exact prefix (len as in the trie: 128 is a single address), or false. */
static bool set_find(const struct address_set *set, const struct ip_addr *a, unsigned len,
                     uint32_t *group)
{
    if (len < 128)
        return prefix_trie_find(set->trie, a, len, group);
    const struct host_slot *s = host_probe(set->hosts, set->host_cap, a);
    if (s->used)
        *group = s->group;
    return s->used;
}

/* The group of an exact prefix, created if absent. */
static uint32_t set_group(struct subscriber_map *m, struct address_set *set,
                          const struct ip_addr *a, unsigned len)
{
    uint32_t g;
    if (set_find(set, a, len, &g))
        return g;
    g = group_new(m);
    if (len < 128) {
        prefix_trie_insert(set->trie, a, len, g);
        if (set->n_shorts == set->cap_shorts) {
            set->cap_shorts = set->cap_shorts ? set->cap_shorts * 2 : 16;
            set->shorts = xrealloc(set->shorts, set->cap_shorts * sizeof *set->shorts);
        }
        set->shorts[set->n_shorts++] = (struct short_prefix){*a, len};
        return g;
    }
    if ((set->n_hosts + 1) * 2 > set->host_cap) {
        size_t cap = set->host_cap * 2;
        struct host_slot *slots = xcalloc(cap, sizeof *slots);
        for (size_t i = 0; i < set->host_cap; i++)
            if (set->hosts[i].used)
                *host_probe(slots, cap, &set->hosts[i].addr) = set->hosts[i];
        free(set->hosts);
        set->hosts = slots;
        set->host_cap = cap;
    }
    *host_probe(set->hosts, set->host_cap, a) = (struct host_slot){*a, g, true};
    set->n_hosts++;
    return g;
}

/* The groups of every prefix holding host, shortest first (the address itself last). */
static size_t set_matches(const struct address_set *set, const struct ip_addr *host,
                          uint32_t groups[129])
{
    size_t n = prefix_trie_matches(set->trie, host, groups, 128);
    if (set_find(set, host, 128, &groups[n]))
        n++;
    return n;
}

static size_t mac_hash(const uint8_t mac[6])
{
    uint64_t v = 0;
    for (int i = 0; i < 6; i++)
        v = v << 8 | mac[i];
    v *= 0x9e3779b97f4a7c15ULL;
    return (size_t)(v >> 20);
}

static struct mac_slot *mac_probe(struct mac_slot *slots, size_t cap, const uint8_t mac[6])
{
    size_t i = mac_hash(mac) & (cap - 1);
    while (slots[i].used && memcmp(slots[i].mac, mac, 6) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

static uint32_t mac_group(struct subscriber_map *m, const uint8_t mac[6])
{
    struct mac_slot *s = mac_probe(m->macs, m->mac_cap, mac);
    if (s->used)
        return s->group;
    if ((m->n_macs + 1) * 2 > m->mac_cap) {
        size_t cap = m->mac_cap * 2;
        struct mac_slot *slots = xcalloc(cap, sizeof *slots);
        for (size_t i = 0; i < m->mac_cap; i++)
            if (m->macs[i].used)
                *mac_probe(slots, cap, m->macs[i].mac) = m->macs[i];
        free(m->macs);
        m->macs = slots;
        m->mac_cap = cap;
        s = mac_probe(m->macs, m->mac_cap, mac);
    }
    s->used = true;
    memcpy(s->mac, mac, 6);
    s->group = group_new(m);
    m->n_macs++;
    return s->group;
}

static bool mac_find(const struct subscriber_map *m, const uint8_t mac[6], uint32_t *group)
{
    const struct mac_slot *s = mac_probe(m->macs, m->mac_cap, mac);
    if (s->used)
        *group = s->group;
    return s->used;
}

void submap_add_prefix(struct subscriber_map *m, const struct ip_addr *a, unsigned len,
                       uint64_t start_ms, uint64_t end_ms, uint32_t subscriber)
{
    group_add(m, set_group(m, &m->prefixes, a, len), start_ms, end_ms, subscriber);
}

/* Ends the open intervals of a prefix's group held by subscriber (or by anyone if any). */
static bool end_open(struct subscriber_map *m, const struct ip_addr *a, unsigned len,
                     uint32_t subscriber, bool any, uint64_t end_ms)
{
    uint32_t g;
    bool ended = false;
    if (!set_find(&m->prefixes, a, len, &g))
        return false;
    struct group *gr = &m->groups[g];
    struct interval *ivs = gr->iv ? gr->iv : &gr->one; /* group_iv(), writable */
    for (uint32_t i = 0; i < gr->n; i++) {
        struct interval *iv = &ivs[i];
        if ((any || iv->value == subscriber) && iv->end_ms == SUBMAP_OPEN) {
            iv->end_ms = end_ms > iv->start_ms ? end_ms : iv->start_ms;
            ended = true;
        }
    }
    return ended;
}

bool submap_end_prefix(struct subscriber_map *m, const struct ip_addr *a, unsigned len,
                       uint32_t subscriber, uint64_t end_ms)
{
    return end_open(m, a, len, subscriber, false, end_ms);
}

void submap_end_prefix_any(struct subscriber_map *m, const struct ip_addr *a, unsigned len,
                           uint64_t end_ms)
{
    end_open(m, a, len, 0, true, end_ms);
}

void submap_add_mac(struct subscriber_map *m, const uint8_t mac[6], uint64_t start_ms,
                    uint64_t end_ms, uint32_t subscriber)
{
    group_add(m, mac_group(m, mac), start_ms, end_ms, subscriber);
}

void submap_add_lease(struct subscriber_map *m, const struct ip_addr *a, unsigned len,
                      const uint8_t mac[6], uint64_t start_ms, uint64_t end_ms)
{
    uint32_t mg = mac_group(m, mac);
    group_add(m, set_group(m, &m->leases, a, len), start_ms, end_ms, mg);
}

uint32_t submap_lookup(const struct subscriber_map *m, const struct ip_addr *host,
                       const uint8_t *mac, uint64_t t)
{
    uint32_t groups[129], sub, mg;
    size_t n = set_matches(&m->prefixes, host, groups);
    while (n-- > 0) /* longest prefix first */
        if (group_find(m, groups[n], t, &sub))
            return sub;
    n = set_matches(&m->leases, host, groups);
    while (n-- > 0)
        if (group_find(m, groups[n], t, &mg) && group_find(m, mg, t, &sub))
            return sub;
    if (mac && mac_find(m, mac, &mg) && group_find(m, mg, t, &sub))
        return sub;
    return 0;
}

static size_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

static struct account_slot *account_probe(struct account_slot *slots, size_t cap, const char *name)
{
    size_t i = name_hash(name) & (cap - 1);
    while (slots[i].name && strcmp(slots[i].name, name) != 0)
        i = (i + 1) & (cap - 1);
    return &slots[i];
}

void submap_add_account(struct subscriber_map *m, const char *account, uint32_t id)
{
    if ((m->n_accounts + 1) * 2 > m->account_cap) {
        size_t cap = m->account_cap ? m->account_cap * 2 : 64;
        struct account_slot *slots = xcalloc(cap, sizeof *slots);
        for (size_t i = 0; i < m->account_cap; i++)
            if (m->accounts[i].name)
                *account_probe(slots, cap, m->accounts[i].name) = m->accounts[i];
        free(m->accounts);
        m->accounts = slots;
        m->account_cap = cap;
    }
    struct account_slot *s = account_probe(m->accounts, m->account_cap, account);
    if (!s->name) {
        s->name = xstrdup(account);
        m->n_accounts++;
    }
    s->id = id;
}

uint32_t submap_account(const struct subscriber_map *m, const char *account)
{
    if (m->account_cap == 0)
        return 0;
    const struct account_slot *s = account_probe(m->accounts, m->account_cap, account);
    return s->name ? s->id : 0;
}

uint64_t submap_count(const struct subscriber_map *m)
{
    return m->n_items;
}

static void set_each(const struct address_set *set, submap_prefix_fn *fn, void *ctx)
{
    for (size_t i = 0; i < set->n_shorts; i++)
        fn(ctx, &set->shorts[i].addr, set->shorts[i].len);
    for (size_t i = 0; i < set->host_cap; i++)
        if (set->hosts[i].used)
            fn(ctx, &set->hosts[i].addr, 128);
}

void submap_each_prefix(const struct subscriber_map *m, submap_prefix_fn *fn, void *ctx)
{
    set_each(&m->prefixes, fn, ctx);
    set_each(&m->leases, fn, ctx);
}
