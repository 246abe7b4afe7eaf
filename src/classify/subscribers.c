// SPDX-License-Identifier: MIT
// Interval lists hung off two tries (bound prefixes, leased addresses) and a MAC hash. Each
// trie value or hash slot is the index of a group: the intervals of one prefix or MAC.
// Groups hold few intervals (an address changes hands rarely), so they are scanned.
#include "subscribers.h"

#include "../base/prefix.h"
#include "../base/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct interval {
    uint64_t start_ms, end_ms;
    uint32_t value; /* subscriber id, or for a lease the MAC's group index */
};

struct group {
    struct interval *iv; /* owned */
    uint32_t n, cap;
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
    struct prefix_trie *prefixes; /* prefix -> group of subscriber intervals */
    struct prefix_trie *leases;   /* leased address -> group of MAC-group intervals */
    struct mac_slot *macs;        /* open addressing: MAC -> group of subscriber intervals */
    size_t mac_cap, n_macs;
    struct group *groups; /* owned */
    uint32_t n_groups, cap_groups;
    uint64_t n_items;
};

struct subscriber_map *submap_new(void)
{
    struct subscriber_map *m = xcalloc(1, sizeof *m);
    m->prefixes = prefix_trie_new();
    m->leases = prefix_trie_new();
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
    prefix_trie_free(m->prefixes);
    prefix_trie_free(m->leases);
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
    if (gr->n == gr->cap) {
        gr->cap = gr->cap ? gr->cap * 2 : 2;
        gr->iv = xrealloc(gr->iv, gr->cap * sizeof *gr->iv);
    }
    gr->iv[gr->n++] = (struct interval){start, end, value};
    m->n_items++;
}

/* The value of the interval holding t that started last; false if none. */
static bool group_find(const struct subscriber_map *m, uint32_t g, uint64_t t, uint32_t *value)
{
    const struct group *gr = &m->groups[g];
    const struct interval *best = NULL;
    for (uint32_t i = 0; i < gr->n; i++) {
        const struct interval *iv = &gr->iv[i];
        if (iv->start_ms <= t && t < iv->end_ms && (!best || iv->start_ms >= best->start_ms))
            best = iv;
    }
    if (best)
        *value = best->value;
    return best != NULL;
}

/* The group of an exact prefix in a trie, created if absent. */
static uint32_t trie_group(struct subscriber_map *m, struct prefix_trie *t, const struct ip_addr *a,
                           unsigned len)
{
    uint32_t g;
    if (prefix_trie_find(t, a, len, &g))
        return g;
    g = group_new(m);
    prefix_trie_insert(t, a, len, g);
    return g;
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
    group_add(m, trie_group(m, m->prefixes, a, len), start_ms, end_ms, subscriber);
}

/* Ends the open intervals of a prefix's group held by subscriber (or by anyone if any). */
static bool end_open(struct subscriber_map *m, const struct ip_addr *a, unsigned len,
                     uint32_t subscriber, bool any, uint64_t end_ms)
{
    uint32_t g;
    bool ended = false;
    if (!prefix_trie_find(m->prefixes, a, len, &g))
        return false;
    struct group *gr = &m->groups[g];
    for (uint32_t i = 0; i < gr->n; i++) {
        struct interval *iv = &gr->iv[i];
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
    group_add(m, trie_group(m, m->leases, a, len), start_ms, end_ms, mg);
}

uint32_t submap_lookup(const struct subscriber_map *m, const struct ip_addr *host,
                       const uint8_t *mac, uint64_t t)
{
    uint32_t groups[129], sub, mg;
    size_t n = prefix_trie_matches(m->prefixes, host, groups, 129);
    while (n-- > 0) /* longest prefix first */
        if (group_find(m, groups[n], t, &sub))
            return sub;
    n = prefix_trie_matches(m->leases, host, groups, 129);
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

void submap_index(struct subscriber_map *m)
{
    prefix_trie_index(m->prefixes);
    prefix_trie_index(m->leases);
}
