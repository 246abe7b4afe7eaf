// SPDX-License-Identifier: MIT
// Frame assembly for each planned packet: picks addresses, MACs, TTL,
// IP ids and payload bytes from the session and descriptor, writes the
// frame to the capture and feeds its IP length to the tally. Flows are
// counted afterwards from which directions of each session carried data.

#include "writer.h"

#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "hosts.h"
#include "payload.h"
#include "pcap_file.h"
#include "rng.h"

#define SEEN_OUT 1
#define SEEN_IN 2

static size_t build_payload(const struct session *s, const struct packet_desc *d, uint8_t *buf)
{
    int response = !plan_from_initiator(s, d);

    if (s->kind == KIND_DNS)
        return payload_dns(s->key, d->aux, response, s->family, buf);
    if (s->kind == KIND_NTP)
        return payload_ntp(s->key, d->aux, response, buf);
    // An echo reply carries the request's data back (RFC 792), so the
    // bytes depend on the echo sequence, not on the direction.
    if (s->kind == KIND_PING)
        payload_fill(mix64(s->key + d->aux), buf, d->payload_len);
    else
        payload_fill(mix64(s->key ^ d->index), buf, d->payload_len);
    return d->payload_len;
}

// Remote hosts look a few hops away; some start from 128 like Windows.
static uint8_t remote_ttl(unsigned remote)
{
    return (uint8_t)((remote % 3 == 0 ? 128 : 64) - (10 + remote % 7));
}

static void fill_ends(const struct session *s, const struct packet_desc *d, struct frame_spec *fs)
{
    uint8_t local[16], remote[16], lmac[6], rmac[6];

    host_local_addr(s->family, s->local_host, local);
    host_remote_addr(s->family, s->remote_host, remote);
    host_local_mac(s->local_host, lmac);
    host_router_mac(rmac); // remote traffic always crosses the router
    memcpy(fs->src_addr, d->from_local ? local : remote, 16);
    memcpy(fs->dst_addr, d->from_local ? remote : local, 16);
    memcpy(fs->src_mac, d->from_local ? lmac : rmac, 6);
    memcpy(fs->dst_mac, d->from_local ? rmac : lmac, 6);
    fs->src_port = d->from_local ? s->local_port : s->remote_port;
    fs->dst_port = d->from_local ? s->remote_port : s->local_port;
    fs->ttl = d->from_local ? 64 : remote_ttl(s->remote_host);
}

static void fill_spec(const struct session *s, const struct packet_desc *d, const uint8_t *payload,
                      size_t len, struct frame_spec *fs)
{
    uint64_t dir_key = mix64(s->key + d->from_local);
    int request = plan_from_initiator(s, d);

    memset(fs, 0, sizeof(*fs));
    fs->family = s->family;
    fs->proto = s->proto;
    fill_ends(s, d, fs);
    // Per-direction counters, like a sender's IP id / flow label.
    fs->ip_id = (uint16_t)(dir_key + d->index);
    fs->flow_label = (uint32_t)(dir_key >> 32) & 0xfffff;
    fs->seq = d->seq;
    fs->ack = d->ack;
    fs->tcp_flags = d->tcp_flags;
    if (d->tcp_flags & TCP_SYN)
        fs->mss = s->family == 4 ? 1460 : 1440;
    if (s->proto == PROTO_ICMP)
        fs->icmp_type = request ? 8 : 0; // echo / echo reply
    else if (s->proto == PROTO_ICMPV6)
        fs->icmp_type = request ? 128 : 129;
    fs->icmp_id = s->icmp_id;
    fs->icmp_seq = d->aux;
    fs->payload = payload;
    fs->payload_len = len;
}

static void count_flows(const struct plan *p, const uint8_t *seen, struct tally *t)
{
    size_t i;

    for (i = 0; i < p->n_sessions; i++) {
        const struct session *s = &p->sessions[i];

        if (seen[i] & SEEN_OUT)
            tally_flow(t, s->family, s->local_host, 1);
        if (seen[i] & SEEN_IN)
            tally_flow(t, s->family, s->local_host, 0);
    }
}

static int write_one(FILE *f, const struct plan *p, const struct packet_desc *d, uint32_t start_sec,
                     struct tally *t)
{
    const struct session *s = &p->sessions[d->session];
    uint8_t payload[PAYLOAD_MAX], frame[FRAME_MAX];
    struct frame_spec fs;
    size_t len, ip_len;

    len = build_payload(s, d, payload);
    fill_spec(s, d, payload, len, &fs);
    len = frame_build(&fs, frame, &ip_len);
    tally_packet(t, s->family, s->local_host, d->from_local, ip_len);
    return pcap_file_write(f, start_sec + (uint32_t)(d->ts_us / 1000000),
                           (uint32_t)(d->ts_us % 1000000), frame, len);
}

const char *write_capture(const struct plan *p, uint32_t start_sec, const char *path,
                          struct tally *t)
{
    uint8_t *seen = calloc(p->n_sessions ? p->n_sessions : 1, 1);
    FILE *f;
    size_t i;
    int bad = 0;

    if (seen == NULL)
        return "out of memory";
    f = pcap_file_open(path);
    if (f == NULL) {
        free(seen);
        return "cannot create pcap file";
    }
    for (i = 0; i < p->n_packets && !bad; i++) {
        const struct packet_desc *d = &p->packets[i];

        seen[d->session] |= d->from_local ? SEEN_OUT : SEEN_IN;
        bad = write_one(f, p, d, start_sec, t) != 0;
    }
    if (pcap_file_close(f) != 0)
        bad = 1;
    if (!bad)
        count_flows(p, seen, t);
    free(seen);
    return bad ? "write error on pcap file" : NULL;
}
