// SPDX-License-Identifier: MIT
// The traffic plan: which sessions exist (who talks to whom, over what,
// who started it) and a compact descriptor for every packet, sorted into
// capture order with strictly increasing timestamps. Frames are built
// from the descriptors only when written, so memory stays small.

#ifndef PCAPGEN_PLAN_H
#define PCAPGEN_PLAN_H

#include <stddef.h>
#include <stdint.h>

enum session_kind {
    KIND_TCP,     // handshake, request/response data, FIN teardown
    KIND_DNS,     // UDP/53 queries and answers
    KIND_NTP,     // UDP/123 client/server exchanges
    KIND_UDP_APP, // opaque UDP datagrams both ways (game traffic)
    KIND_PING,    // ICMP or ICMPv6 echo request/reply
};

struct session {
    uint64_t key;       // seeds payload bytes and per-packet ids
    uint8_t family;     // 4 or 6
    uint8_t proto;      // PROTO_* from frame.h
    uint8_t kind;       // enum session_kind
    uint8_t inbound;    // 1 when the remote host started the session
    uint8_t local_host; // 0-based host indexes, see hosts.h
    uint8_t remote_host;
    uint16_t local_port; // TCP/UDP only
    uint16_t remote_port;
    uint16_t icmp_id;  // ping only
    uint16_t ping_len; // ping only: echo data size
};

struct packet_desc {
    uint64_t ts_us; // microseconds since --start
    uint32_t session;
    uint32_t seq;   // TCP sequence number
    uint32_t ack;   // TCP acknowledgment number
    uint16_t index; // position within the session
    uint16_t payload_len;
    uint16_t aux;       // DNS/NTP exchange number, ICMP echo sequence
    uint8_t from_local; // 1: local -> remote ("out")
    uint8_t tcp_flags;
};

struct plan_config {
    uint64_t seed;
    unsigned sessions;
    unsigned hosts;
    unsigned remotes;
    int ipv6;
};

struct plan {
    struct session *sessions;
    size_t n_sessions;
    struct packet_desc *packets;
    size_t n_packets;
    size_t cap_packets;
};

// Fills p; returns NULL, or an error message (p is then freed).
const char *plan_build(const struct plan_config *cfg, struct plan *p);
void plan_free(struct plan *p);
// 1 when the sender of d is the host that opened its session.
int plan_from_initiator(const struct session *s, const struct packet_desc *d);

// Internal to the planner (sessions.c): chooses every session's kind,
// endpoints and ports from r so that no two share a flow key.
struct rng;
const char *plan_pick_sessions(const struct plan_config *cfg, struct rng *r, struct session *out);

#endif
