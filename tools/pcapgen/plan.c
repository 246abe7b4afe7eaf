// SPDX-License-Identifier: MIT
// Generates the packets of every session as descriptors, then merges all
// sessions into one time-ordered stream. Sessions start at random points
// in a 10 minute window and last a few seconds at most, with 1-50 ms
// between packets, so they interleave like real traffic but stay well
// under exporters' idle timeouts.

#include "plan.h"

#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "payload.h"
#include "rng.h"

#define SPREAD_US UINT64_C(600000000) // sessions start within 10 minutes
#define GAP_MIN_US 1000
#define GAP_MAX_US 50000

// Appends the packets of one session; failed latches an allocation error.
struct emitter {
    struct plan *p;
    struct rng *r;
    uint32_t session;
    uint64_t t_us;
    uint16_t index;
    int failed;
};

struct tcp_peer {
    int from_local;
    uint32_t next_seq;
};

static int grow(struct plan *p)
{
    size_t cap = p->cap_packets ? p->cap_packets * 2 : 4096;
    struct packet_desc *n = realloc(p->packets, cap * sizeof(*n));

    if (n == NULL)
        return -1;
    p->packets = n;
    p->cap_packets = cap;
    return 0;
}

static void emit(struct emitter *e, int from_local, uint8_t flags, uint32_t seq, uint32_t ack,
                 size_t len, unsigned aux)
{
    struct packet_desc *d;

    if (e->failed || (e->p->n_packets == e->p->cap_packets && grow(e->p) != 0)) {
        e->failed = 1;
        return;
    }
    if (e->index > 0)
        e->t_us += rng_range(e->r, GAP_MIN_US, GAP_MAX_US);
    d = &e->p->packets[e->p->n_packets++];
    memset(d, 0, sizeof(*d));
    d->ts_us = e->t_us;
    d->session = e->session;
    d->seq = seq;
    d->ack = ack;
    d->index = e->index++;
    d->payload_len = (uint16_t)len;
    d->aux = (uint16_t)aux;
    d->from_local = (uint8_t)from_local;
    d->tcp_flags = flags;
}

// SYN and FIN each consume one sequence number (RFC 793 section 3.3);
// the ACK field always acknowledges everything the peer has sent.
static void tcp_send(struct emitter *e, struct tcp_peer *from, const struct tcp_peer *to,
                     uint8_t flags, size_t len)
{
    uint32_t ack = flags & TCP_ACK ? to->next_seq : 0;

    emit(e, from->from_local, flags, from->next_seq, ack, len, 0);
    from->next_seq += (uint32_t)len + (flags & (TCP_SYN | TCP_FIN) ? 1 : 0);
}

static void tcp_data(struct emitter *e, struct tcp_peer *from, const struct tcp_peer *to)
{
    size_t len = rng_range(e->r, 0, PAYLOAD_MAX);

    tcp_send(e, from, to, len ? TCP_ACK | TCP_PSH : TCP_ACK, len);
}

// One request/response round: a few client segments, a burst from the
// server, and the client's acknowledgment of it.
static void tcp_exchange(struct emitter *e, struct tcp_peer *cli, struct tcp_peer *srv)
{
    uint64_t n_req = rng_range(e->r, 1, 3);
    uint64_t n_resp = rng_range(e->r, 1, 8);

    while (n_req-- > 0)
        tcp_data(e, cli, srv);
    while (n_resp-- > 0)
        tcp_data(e, srv, cli);
    tcp_send(e, cli, srv, TCP_ACK, 0);
}

// Full lifecycle so exporters see a clean close and end the flow:
// three-way handshake, data, then FIN/ACK from each side.
static void gen_tcp(struct emitter *e, const struct session *s)
{
    struct tcp_peer cli = {!s->inbound, (uint32_t)rng_next(e->r)};
    struct tcp_peer srv = {s->inbound, (uint32_t)rng_next(e->r)};
    struct tcp_peer *closer, *other;
    uint64_t rounds = rng_range(e->r, 1, 6);

    tcp_send(e, &cli, &srv, TCP_SYN, 0);
    tcp_send(e, &srv, &cli, TCP_SYN | TCP_ACK, 0);
    tcp_send(e, &cli, &srv, TCP_ACK, 0);
    while (rounds-- > 0)
        tcp_exchange(e, &cli, &srv);
    closer = rng_chance(e->r, 80) ? &cli : &srv;
    other = closer == &cli ? &srv : &cli;
    tcp_send(e, closer, other, TCP_FIN | TCP_ACK, 0);
    tcp_send(e, other, closer, TCP_ACK, 0);
    tcp_send(e, other, closer, TCP_FIN | TCP_ACK, 0);
    tcp_send(e, closer, other, TCP_ACK, 0);
}

// DNS, NTP and game UDP: request/answer pairs. Message sizes for DNS and
// NTP come from the same functions the writer later fills the bytes with.
static void gen_udp(struct emitter *e, const struct session *s)
{
    uint8_t buf[DNS_MSG_MAX];
    int cli = !s->inbound;
    unsigned i, n;

    n = (unsigned)(s->kind == KIND_UDP_APP ? rng_range(e->r, 2, 6) : rng_range(e->r, 1, 3));
    for (i = 0; i < n; i++) {
        size_t q = 48, a = 48;

        if (s->kind == KIND_DNS) {
            q = payload_dns(s->key, i, 0, s->family, buf);
            a = payload_dns(s->key, i, 1, s->family, buf);
        } else if (s->kind == KIND_UDP_APP) {
            q = rng_range(e->r, 16, 1200);
            a = rng_range(e->r, 16, 1200);
        }
        emit(e, cli, 0, 0, 0, q, i);
        emit(e, !cli, 0, 0, 0, a, i);
    }
}

static void gen_ping(struct emitter *e, const struct session *s)
{
    uint64_t n = rng_range(e->r, 1, 5);
    unsigned seq;

    // Echo sequence numbers start at 1 as with iputils ping.
    for (seq = 1; seq <= n; seq++) {
        emit(e, !s->inbound, 0, 0, 0, s->ping_len, seq);
        emit(e, s->inbound, 0, 0, 0, s->ping_len, seq);
    }
}

static int gen_session(struct plan *p, uint32_t idx, struct rng *r, uint64_t start_us)
{
    struct emitter e = {p, r, idx, start_us, 0, 0};
    const struct session *s = &p->sessions[idx];

    if (s->kind == KIND_TCP)
        gen_tcp(&e, s);
    else if (s->kind == KIND_PING)
        gen_ping(&e, s);
    else
        gen_udp(&e, s);
    return e.failed ? -1 : 0;
}

static int desc_cmp(const void *a, const void *b)
{
    const struct packet_desc *x = a, *y = b;

    if (x->ts_us != y->ts_us)
        return x->ts_us < y->ts_us ? -1 : 1;
    if (x->session != y->session)
        return x->session < y->session ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

// Sorting puts the capture in time order; ties (two sessions drawing the
// same microsecond) are then nudged forward so timestamps strictly
// increase. Within a session the order is unchanged.
static void order_packets(struct plan *p)
{
    size_t i;

    // qsort's base must not be NULL even for zero elements.
    if (p->n_packets == 0)
        return;
    qsort(p->packets, p->n_packets, sizeof(*p->packets), desc_cmp);
    for (i = 1; i < p->n_packets; i++) {
        if (p->packets[i].ts_us <= p->packets[i - 1].ts_us)
            p->packets[i].ts_us = p->packets[i - 1].ts_us + 1;
    }
}

const char *plan_build(const struct plan_config *cfg, struct plan *p)
{
    struct rng master;
    const char *err;
    uint32_t i;

    memset(p, 0, sizeof(*p));
    p->sessions = calloc(cfg->sessions ? cfg->sessions : 1, sizeof(*p->sessions));
    if (p->sessions == NULL)
        return "out of memory";
    p->n_sessions = cfg->sessions;
    rng_init(&master, cfg->seed);
    err = plan_pick_sessions(cfg, &master, p->sessions);
    for (i = 0; err == NULL && i < p->n_sessions; i++) {
        // Each session draws from its own stream so its packets do not
        // depend on how many numbers earlier sessions consumed.
        struct rng r;
        uint64_t start = rng_range(&master, 0, SPREAD_US - 1);

        rng_init(&r, rng_next(&master));
        if (gen_session(p, i, &r, start) != 0)
            err = "out of memory";
    }
    if (err != NULL) {
        plan_free(p);
        return err;
    }
    order_packets(p);
    return NULL;
}

void plan_free(struct plan *p)
{
    free(p->sessions);
    free(p->packets);
    memset(p, 0, sizeof(*p));
}

int plan_from_initiator(const struct session *s, const struct packet_desc *d)
{
    return d->from_local == !s->inbound;
}
