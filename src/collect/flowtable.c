// SPDX-License-Identifier: MIT
// The probe's flow table. Entries live in one array allocated at flowtable_new() and never
// move; an open-addressing index (linear probing, backward-shift deletion, so no tombstones
// pile up) maps a key's hash to an entry. Expiry never scans the table: every entry sits on
// two intrusive lists linked by array index, whose heads are always the next flows due.
//
// - The LRU list orders open flows by last packet. Its head is the least recently seen
//   flow: the next to go idle and the one a full table gives up first.
// - The deadline list holds an open flow in order of creation, which is the order of first
//   packets, so its head is the next active timeout. A flow that has seen FIN or RST moves
//   to the closing list, in the order the FIN/RST arrived, so its head is the next linger
//   to end. A flow is on exactly one of the two, through the same links.
//
// All three orders follow packet arrival, so appending at the tail keeps them sorted and
// flowtable_expire() only pops heads: O(flows emitted). A time wheel would do the same with
// buckets to size and sweep; since the idle and active timeouts are the same for every
// flow, plain FIFO lists are exact and cheaper. Timestamps that go backwards a little (live
// capture on several CPUs) leave a list slightly out of order; the cost is that a flow
// behind a not-yet-due one expires at the next call after that one, never that it is lost.
#include "flowtable.h"

#include "../base/hash.h"
#include "../base/xalloc.h"

#include <assert.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#define NIL UINT32_MAX /* end of a list, no entry */

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10
#define IPPROTO_TCP_NUM 6

enum expiry {
    EXPIRY_IDLE,
    EXPIRY_ACTIVE,
    EXPIRY_TCP,
    EXPIRY_EARLY,
    EXPIRY_FLUSH,
};

struct flow_key {
    struct ip_addr src, dst;
    uint16_t src_port, dst_port;
    uint16_t vlan; /* outermost VLAN id, 0 = none */
    uint8_t protocol;
};

struct ft_entry {
    struct flow_key key;
    uint32_t hash;     /* of key, to find the home slot when the index shifts */
    bool is_closing;   /* FIN or RST seen: on the closing list, not the active one */
    bool has_mac;      /* src_mac/dst_mac valid */
    uint8_t tcp_flags; /* OR of every packet's flags */
    uint8_t src_mac[6], dst_mac[6];
    uint32_t lru_prev, lru_next; /* LRU list; lru_next also links the free list */
    uint32_t dl_prev, dl_next;   /* active or closing list */
    uint64_t first_ms, last_ms;  /* packet times */
    uint64_t close_ms;           /* time of the first FIN/RST, when is_closing */
    uint64_t packets, bytes;     /* bytes at the IP layer */
};

struct ft_list {
    uint32_t head, tail; /* NIL when empty */
};

struct flowtable {
    struct ft_entry *entries; /* owned: max_flows entries */
    uint32_t *index;          /* owned: index_mask + 1 slots, entry number + 1, 0 = empty */
    size_t index_mask;
    size_t max_flows;
    size_t n_flows;     /* entries in use */
    uint32_t free_head; /* unused entries, linked through lru_next */
    struct ft_list lru, active, closing;
    uint64_t hash_seed; /* random, so crafted packets cannot aim at one probe sequence */
    uint32_t idle_ms, active_ms, fin_linger_ms;
    struct ip_addr exporter;
    struct flowtable_counters c;
};

/* ---- lists ---------------------------------------------------------------------------- */

/* The two lists use different link fields; these pick them. */
static uint32_t *link_prev(struct ft_entry *e, bool lru)
{
    return lru ? &e->lru_prev : &e->dl_prev;
}

static uint32_t *link_next(struct ft_entry *e, bool lru)
{
    return lru ? &e->lru_next : &e->dl_next;
}

static void list_append(struct flowtable *ft, struct ft_list *l, bool lru, uint32_t i)
{
    struct ft_entry *e = &ft->entries[i];
    *link_prev(e, lru) = l->tail;
    *link_next(e, lru) = NIL;
    if (l->tail == NIL)
        l->head = i;
    else
        *link_next(&ft->entries[l->tail], lru) = i;
    l->tail = i;
}

static void list_unlink(struct flowtable *ft, struct ft_list *l, bool lru, uint32_t i)
{
    struct ft_entry *e = &ft->entries[i];
    uint32_t prev = *link_prev(e, lru), next = *link_next(e, lru);
    if (prev == NIL)
        l->head = next;
    else
        *link_next(&ft->entries[prev], lru) = next;
    if (next == NIL)
        l->tail = prev;
    else
        *link_prev(&ft->entries[next], lru) = prev;
}

static struct ft_list *deadline_list(struct flowtable *ft, const struct ft_entry *e)
{
    return e->is_closing ? &ft->closing : &ft->active;
}

/* ---- index ---------------------------------------------------------------------------- */

static uint32_t key_hash(const struct flowtable *ft, const struct flow_key *k)
{
    uint64_t h = ft->hash_seed;
    h = hash_mix64(h ^ addr_hi(&k->src));
    h = hash_mix64(h ^ addr_lo(&k->src));
    h = hash_mix64(h ^ addr_hi(&k->dst));
    h = hash_mix64(h ^ addr_lo(&k->dst));
    h = hash_mix64(h ^ ((uint64_t)k->src_port << 48 | (uint64_t)k->dst_port << 32 |
                        (uint64_t)k->vlan << 16 | k->protocol));
    return (uint32_t)(h ^ h >> 32);
}

static bool key_eq(const struct flow_key *a, const struct flow_key *b)
{
    return addr_eq(&a->src, &b->src) && addr_eq(&a->dst, &b->dst) && a->src_port == b->src_port &&
           a->dst_port == b->dst_port && a->vlan == b->vlan && a->protocol == b->protocol;
}

/* Returns the entry holding key, or NIL. */
static uint32_t index_find(const struct flowtable *ft, const struct flow_key *k, uint32_t hash)
{
    for (size_t s = hash & ft->index_mask;; s = (s + 1) & ft->index_mask) {
        uint32_t v = ft->index[s];
        if (v == 0)
            return NIL;
        const struct ft_entry *e = &ft->entries[v - 1];
        if (e->hash == hash && key_eq(&e->key, k))
            return v - 1;
    }
}

static void index_insert(struct flowtable *ft, uint32_t i)
{
    size_t s = ft->entries[i].hash & ft->index_mask;
    while (ft->index[s] != 0)
        s = (s + 1) & ft->index_mask;
    ft->index[s] = i + 1;
}

/* Removes entry i from the index by backward shift: later members of the probe run move up
 * into the hole unless their home slot lies (cyclically) after it. */
static void index_remove(struct flowtable *ft, uint32_t i)
{
    size_t mask = ft->index_mask;
    size_t hole = ft->entries[i].hash & mask;
    while (ft->index[hole] != i + 1)
        hole = (hole + 1) & mask;
    for (size_t s = (hole + 1) & mask; ft->index[s] != 0; s = (s + 1) & mask) {
        size_t home = ft->entries[ft->index[s] - 1].hash & mask;
        /* The entry at s may fill the hole if its home is not in (hole, s]. */
        bool home_between = hole <= s ? (home > hole && home <= s) : (home > hole || home <= s);
        if (!home_between) {
            ft->index[hole] = ft->index[s];
            hole = s;
        }
    }
    ft->index[hole] = 0;
}

/* ---- entries -------------------------------------------------------------------------- */

/* When the flow is due to end and why: the earliest of its idle time and its active
 * timeout, or of its idle time and its FIN/RST linger when closing. */
static uint64_t entry_due(const struct flowtable *ft, const struct ft_entry *e, enum expiry *reason)
{
    uint64_t idle_at = e->last_ms + ft->idle_ms;
    uint64_t other_at =
        e->is_closing ? e->close_ms + ft->fin_linger_ms : e->first_ms + ft->active_ms;
    if (other_at <= idle_at) {
        *reason = e->is_closing ? EXPIRY_TCP : EXPIRY_ACTIVE;
        return other_at;
    }
    *reason = EXPIRY_IDLE;
    return idle_at;
}

static void count_expiry(struct flowtable *ft, enum expiry reason)
{
    ft->c.flows_exported++;
    switch (reason) {
    case EXPIRY_IDLE: ft->c.expired_idle++; break;
    case EXPIRY_ACTIVE: ft->c.expired_active++; break;
    case EXPIRY_TCP: ft->c.expired_tcp++; break;
    case EXPIRY_EARLY: ft->c.expired_early++; break;
    case EXPIRY_FLUSH: ft->c.flushed++; break;
    }
}

/* Takes entry i out of every structure, returns it to the free list and emits its flow. The
 * record is built first and the sink called last, so a sink that looks at the table sees
 * it consistent. */
static void entry_export(struct flowtable *ft, uint32_t i, enum expiry reason,
                         const struct flow_sink *sink)
{
    struct ft_entry *e = &ft->entries[i];
    struct flow f = {
        .exporter = ft->exporter,
        .domain = 0,
        .sampling = 1,
        .start_ms = e->first_ms,
        .end_ms = e->last_ms,
        .src = e->key.src,
        .dst = e->key.dst,
        .src_port = e->key.src_port,
        .dst_port = e->key.dst_port,
        .protocol = e->key.protocol,
        .tcp_flags = e->tcp_flags,
        .has_mac = e->has_mac,
        .bytes = e->bytes,
        .packets = e->packets,
    };
    if (e->has_mac) {
        memcpy(f.src_mac, e->src_mac, 6);
        memcpy(f.dst_mac, e->dst_mac, 6);
    }
    index_remove(ft, i);
    list_unlink(ft, &ft->lru, true, i);
    list_unlink(ft, deadline_list(ft, e), false, i);
    e->lru_next = ft->free_head;
    ft->free_head = i;
    ft->n_flows--;
    count_expiry(ft, reason);
    flow_sink_emit(sink, &f);
}

/* Takes a free entry for key, making room first if the table is full: the least recently
 * seen flow goes, counted early unless it was due anyway. */
static uint32_t entry_create(struct flowtable *ft, const struct flow_key *k, uint32_t hash,
                             uint64_t ts_ms, const struct flow_sink *sink)
{
    if (ft->n_flows == ft->max_flows) {
        uint32_t victim = ft->lru.head;
        enum expiry reason;
        if (entry_due(ft, &ft->entries[victim], &reason) > ts_ms)
            reason = EXPIRY_EARLY;
        entry_export(ft, victim, reason, sink);
    }
    uint32_t i = ft->free_head;
    assert(i != NIL);
    struct ft_entry *e = &ft->entries[i];
    ft->free_head = e->lru_next;
    memset(e, 0, sizeof *e);
    e->key = *k;
    e->hash = hash;
    e->first_ms = e->last_ms = ts_ms;
    index_insert(ft, i);
    list_append(ft, &ft->lru, true, i);
    list_append(ft, &ft->active, false, i);
    ft->n_flows++;
    return i;
}

/* ---- public --------------------------------------------------------------------------- */

struct flowtable *flowtable_new(size_t max_flows, uint32_t idle_ms, uint32_t active_ms)
{
    assert(max_flows >= 1 && max_flows <= FLOWTABLE_MAX_FLOWS_LIMIT);
    assert(idle_ms > 0 && active_ms > 0);
    struct flowtable *ft = xcalloc(1, sizeof *ft);
    size_t index_slots = 16;
    while (index_slots < 2 * max_flows) /* load factor at most 1/2 */
        index_slots *= 2;
    ft->entries = xcalloc(max_flows, sizeof *ft->entries);
    ft->index = xcalloc(index_slots, sizeof *ft->index);
    ft->index_mask = index_slots - 1;
    ft->max_flows = max_flows;
    for (size_t i = 0; i < max_flows; i++)
        ft->entries[i].lru_next = i + 1 < max_flows ? (uint32_t)(i + 1) : NIL;
    ft->free_head = 0;
    ft->lru = ft->active = ft->closing = (struct ft_list){NIL, NIL};
    if (getrandom(&ft->hash_seed, sizeof ft->hash_seed, GRND_NONBLOCK) !=
        (ssize_t)sizeof ft->hash_seed)
        ft->hash_seed = 0x9e3779b97f4a7c15ULL; /* no entropy yet: still a working table */
    ft->idle_ms = idle_ms;
    ft->active_ms = active_ms;
    ft->fin_linger_ms = FLOWTABLE_FIN_LINGER_MS_DEFAULT;
    return ft;
}

void flowtable_free(struct flowtable *ft)
{
    if (!ft)
        return;
    free(ft->entries);
    free(ft->index);
    free(ft);
}

void flowtable_set_exporter(struct flowtable *ft, const struct ip_addr *exporter)
{
    ft->exporter = *exporter;
}

void flowtable_set_fin_linger(struct flowtable *ft, uint32_t fin_linger_ms)
{
    ft->fin_linger_ms = fin_linger_ms;
}

void flowtable_add(struct flowtable *ft, const struct pkt_info *info, uint64_t ts_ms,
                   const struct flow_sink *sink)
{
    assert(ft && info && sink);
    if (!info->is_ip) {
        ft->c.non_ip++;
        return;
    }
    ft->c.packets++;
    struct flow_key k = {
        .src = info->src,
        .dst = info->dst,
        .src_port = info->src_port,
        .dst_port = info->dst_port,
        .vlan = info->vlan,
        .protocol = info->protocol,
    };
    bool is_tcp = info->protocol == IPPROTO_TCP_NUM;
    uint8_t flags = is_tcp ? info->tcp_flags : 0;
    uint32_t hash = key_hash(ft, &k);
    uint32_t i = index_find(ft, &k, hash);

    if (i != NIL) {
        /* A flow whose time is up but that flowtable_expire() has not reached yet ends here,
         * for the reason it would have ended there; so does a closing flow whose tuple a new
         * connection reuses (RFC 9293 §3.6.1: a SYN may reopen a connection in TIME-WAIT). */
        struct ft_entry *e = &ft->entries[i];
        enum expiry reason;
        bool is_reopen = e->is_closing && (flags & (TCP_SYN | TCP_ACK)) == TCP_SYN;
        if (entry_due(ft, e, &reason) <= ts_ms || is_reopen) {
            entry_export(ft, i, is_reopen ? EXPIRY_TCP : reason, sink);
            i = NIL;
        }
    }
    if (i == NIL)
        i = entry_create(ft, &k, hash, ts_ms, sink);

    struct ft_entry *e = &ft->entries[i];
    e->packets++;
    e->bytes += info->ip_len;
    e->tcp_flags |= flags;
    if (ts_ms < e->first_ms)
        e->first_ms = ts_ms;
    if (ts_ms > e->last_ms)
        e->last_ms = ts_ms;
    if (!e->has_mac && info->has_mac) {
        e->has_mac = true;
        memcpy(e->src_mac, info->src_mac, 6);
        memcpy(e->dst_mac, info->dst_mac, 6);
    }
    if (ft->lru.tail != i) {
        list_unlink(ft, &ft->lru, true, i);
        list_append(ft, &ft->lru, true, i);
    }
    if (flags & (TCP_FIN | TCP_RST) && !e->is_closing) {
        list_unlink(ft, &ft->active, false, i);
        e->is_closing = true;
        e->close_ms = ts_ms;
        list_append(ft, &ft->closing, false, i);
        if (ft->fin_linger_ms == 0)
            entry_export(ft, i, EXPIRY_TCP, sink);
    }
}

/* Pops the head of l while it is due at now_ms. */
static void expire_list(struct flowtable *ft, struct ft_list *l, uint64_t now_ms,
                        const struct flow_sink *sink)
{
    while (l->head != NIL) {
        enum expiry reason;
        if (entry_due(ft, &ft->entries[l->head], &reason) > now_ms)
            break;
        entry_export(ft, l->head, reason, sink);
    }
}

void flowtable_expire(struct flowtable *ft, uint64_t now_ms, const struct flow_sink *sink)
{
    assert(ft && sink);
    expire_list(ft, &ft->closing, now_ms, sink);
    expire_list(ft, &ft->active, now_ms, sink);
    expire_list(ft, &ft->lru, now_ms, sink);
}

void flowtable_flush_all(struct flowtable *ft, const struct flow_sink *sink)
{
    assert(ft && sink);
    while (ft->lru.head != NIL)
        entry_export(ft, ft->lru.head, EXPIRY_FLUSH, sink);
}

size_t flowtable_count(const struct flowtable *ft)
{
    return ft->n_flows;
}

const struct flowtable_counters *flowtable_counters(const struct flowtable *ft)
{
    return &ft->c;
}
