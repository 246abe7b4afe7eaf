// SPDX-License-Identifier: MIT
// Chooses what each session is: protocol and service, direction (most
// are started by the local host, some inbound), endpoints and ports.
// Every session gets a flow key (5-tuple, or address pair for ICMP) that
// no other session uses, so an exporter can never merge two sessions into
// one flow and the expected flow counts stay exact.

#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "plan.h"
#include "rng.h"

#define EPHEMERAL_LO 32768 // Linux default ip_local_port_range
#define EPHEMERAL_HI 60999
#define PICK_TRIES 4096
// After this many clashes a ping is turned into DNS: exporters key ICMP
// flows on addresses and type/code only, so host pairs run out quickly.
#define PING_TRIES 64

// Open-addressing set of flow keys; 0 marks an empty slot (never a key
// because the protocol byte of a key is never zero).
struct key_set {
    uint64_t *slots;
    size_t mask;
};

static int key_set_init(struct key_set *ks, size_t n)
{
    size_t cap = 64;

    while (cap < n * 4)
        cap *= 2;
    ks->slots = calloc(cap, sizeof(*ks->slots));
    ks->mask = cap - 1;
    return ks->slots == NULL ? -1 : 0;
}

// Returns 1 if key was added, 0 if it was already present.
static int key_set_insert(struct key_set *ks, uint64_t key)
{
    size_t i = (size_t)mix64(key) & ks->mask;

    while (ks->slots[i] != 0) {
        if (ks->slots[i] == key)
            return 0;
        i = (i + 1) & ks->mask;
    }
    ks->slots[i] = key;
    return 1;
}

// Direction-free flow identity, matching how exporters such as softflowd
// key their flow table (ports are zero for ICMP).
static uint64_t flow_key(const struct session *s)
{
    return (uint64_t)(s->family == 6) << 56 | (uint64_t)s->proto << 48 |
           (uint64_t)s->local_host << 40 | (uint64_t)s->remote_host << 32 |
           (uint64_t)s->local_port << 16 | s->remote_port;
}

// Mix chosen to look like an office LAN: mostly TCP, a fair share of DNS,
// some NTP, game-style UDP and pings. About a fifth is inbound.
static void pick_kind(struct rng *r, struct session *s)
{
    uint64_t roll = rng_range(r, 0, 99);

    if (roll < 55)
        s->kind = KIND_TCP;
    else if (roll < 70)
        s->kind = KIND_DNS;
    else if (roll < 78)
        s->kind = KIND_NTP;
    else if (roll < 85)
        s->kind = KIND_UDP_APP;
    else
        s->kind = KIND_PING;
    // Local hosts do not serve game traffic.
    s->inbound = s->kind != KIND_UDP_APP && rng_chance(r, 20);
}

static uint16_t tcp_server_port(struct rng *r, int inbound)
{
    static const uint16_t served[] = {22, 80, 443};
    uint64_t roll = rng_range(r, 0, 99);

    if (inbound)
        return served[roll % 3];
    if (roll < 50)
        return 443;
    if (roll < 80)
        return 80;
    if (roll < 90)
        return 22;
    return 993;
}

static void pick_ports(struct rng *r, struct session *s)
{
    uint16_t server, client;

    if (s->kind == KIND_PING) {
        s->local_port = s->remote_port = 0;
        s->icmp_id = (uint16_t)rng_next(r);
        // Most pings use the default 56 data bytes, some "ping -s N".
        s->ping_len = rng_chance(r, 70) ? 56 : (uint16_t)rng_range(r, 0, PAYLOAD_MAX);
        return;
    }
    if (s->kind == KIND_TCP)
        server = tcp_server_port(r, s->inbound);
    else if (s->kind == KIND_DNS)
        server = 53;
    else if (s->kind == KIND_NTP)
        server = 123;
    else
        server = 27015;
    client = (uint16_t)rng_range(r, EPHEMERAL_LO, EPHEMERAL_HI);
    s->local_port = s->inbound ? server : client;
    s->remote_port = s->inbound ? client : server;
}

static uint8_t kind_proto(const struct session *s)
{
    if (s->kind == KIND_TCP)
        return PROTO_TCP;
    if (s->kind == KIND_PING)
        return s->family == 4 ? PROTO_ICMP : PROTO_ICMPV6;
    return PROTO_UDP;
}

static int pick_one(const struct plan_config *cfg, struct rng *r, struct key_set *ks, size_t idx,
                    struct session *s)
{
    unsigned tries;

    memset(s, 0, sizeof(*s));
    // Alternating families gives exactly half IPv6 and mixes them in time.
    s->family = cfg->ipv6 && idx % 2 == 1 ? 6 : 4;
    s->key = rng_next(r);
    pick_kind(r, s);
    for (tries = 0; tries < PICK_TRIES; tries++) {
        if (tries == PING_TRIES && s->kind == KIND_PING)
            s->kind = KIND_DNS;
        s->local_host = (uint8_t)rng_range(r, 0, cfg->hosts - 1);
        s->remote_host = (uint8_t)rng_range(r, 0, cfg->remotes - 1);
        pick_ports(r, s);
        s->proto = kind_proto(s);
        if (key_set_insert(ks, flow_key(s)))
            return 0;
    }
    return -1;
}

const char *plan_pick_sessions(const struct plan_config *cfg, struct rng *r, struct session *out)
{
    struct key_set ks;
    const char *err = NULL;
    size_t i;

    if (key_set_init(&ks, cfg->sessions) != 0)
        return "out of memory";
    for (i = 0; i < cfg->sessions && err == NULL; i++) {
        if (pick_one(cfg, r, &ks, i, &out[i]) != 0)
            err = "too many sessions for the host/port space";
    }
    free(ks.slots);
    return err;
}
