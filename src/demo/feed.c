// SPDX-License-Identifier: MIT
// The demo's live flows: IPFIX messages (gen/export_ipfix.c, the encoder tools/flowgen
// uses) of flows between the demo subscribers and remote hosts of each traffic class, on
// the ports of the applications demo.c's apps.conf names, all ending now. The subscribers
// with an IPv6 /56 are dual-stack: half their flows go over IPv6, from their prefix's ::1
// (the host world.c gives their history). cli/cmd_demo.c sends them to the collector's own
// loopback listener.
#include "demo.h"

#include <string.h>

#define FEED_SEED 0x64656d6f /* "demo" */
#define FEED_DOMAIN 1

/* A remote host of a class: free and national from the prefixes of demo.c's files,
 * international from 198.18.0.0/15 (RFC 2544's benchmark range; no class names it). */
static uint32_t remote_of(struct prng *r, const char *class_name)
{
    if (strcmp(class_name, "free") == 0)
        return (192u << 24) | (0u << 16) | (2u << 8) | (uint32_t)prng_range(r, 1, 254);
    if (strcmp(class_name, "national") == 0)
        return (198u << 24) | (51u << 16) | (100u << 8) | (uint32_t)prng_range(r, 1, 254);
    return (198u << 24) | (18u << 16) | (uint32_t)prng_range(r, 1, 0x1fffe);
}

/* The same over IPv6, network byte order: free and national from demo.c's files'
 * 2001:db8:f0::/48 and 2001:db8:ff00::/40, international from 2001:2::/48 (RFC 5180's
 * benchmark range; no class names it). */
static void remote_of6(struct prng *r, const char *class_name, uint8_t out[16])
{
    static const uint8_t free6[6] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0xf0};
    static const uint8_t national6[6] = {0x20, 0x01, 0x0d, 0xb8, 0xff, 0x00};
    static const uint8_t international6[6] = {0x20, 0x01, 0x00, 0x02, 0x00, 0x00};
    memcpy(out,
           strcmp(class_name, "free") == 0       ? free6
           : strcmp(class_name, "national") == 0 ? national6
                                                 : international6,
           6);
    memset(out + 6, 0, 10);
    out[14] = (uint8_t)prng_range(r, 0, 255);
    out[15] = (uint8_t)prng_range(r, 1, 255);
}

/* Protocol and remote port of an application; "other" is a port apps.conf leaves out. */
static void service_of(struct prng *r, const char *app, uint8_t *proto, uint16_t *port)
{
    *proto = FLOWGEN_TCP;
    if (strcmp(app, "HTTPS") == 0)
        *port = 443;
    else if (strcmp(app, "QUIC") == 0)
        *proto = FLOWGEN_UDP, *port = 443;
    else if (strcmp(app, "HTTP") == 0)
        *port = 80;
    else if (strcmp(app, "DNS") == 0)
        *proto = FLOWGEN_UDP, *port = 53;
    else
        *port = (uint16_t)prng_range(r, 20000, 29999);
}

void feed_init(struct feed *f)
{
    memset(f, 0, sizeof *f);
    prng_seed(&f->rng, FEED_SEED);
    f->st.families = EXPORT_BOTH;
}

/* One flow: a subscriber, and what world.c would have it do this hour. */
static void make_flow(struct feed *f, uint64_t now_ms, struct flow_record *out)
{
    struct prng *r = &f->rng;
    int i = (int)prng_range(r, 1, DEMO_SUBSCRIBERS);
    uint64_t h = now_ms / 3600000;
    struct world_hour wh;
    /* an idle hour in the history still talks now: the next hour's class and app */
    if (!world_hour(i, h, &wh) && !world_hour(i, h + 1, &wh))
        world_hour(i, h + 2, &wh);
    struct world_sub sub;
    world_sub(i, &sub);
    uint8_t proto;
    uint16_t port;
    service_of(r, wh.app, &proto, &port);
    bool inbound = prng_range(r, 0, 9) < 7; /* downloads dominate */
    uint16_t local_port = (uint16_t)prng_range(r, 49152, 65535);
    memset(out, 0, sizeof *out);
    out->inbound = inbound;
    out->is_v6 = sub.has_ipv6 && prng_range(r, 0, 1) == 1;
    if (out->is_v6) {
        /* 2001:db8:20:<i>00::1, as world.c's "2001:db8:20:%x00::1" */
        uint8_t local[16] = {0x20, 0x01, 0x0d, 0xb8, 0x00, 0x20, (uint8_t)i, 0x00};
        local[15] = 1;
        uint8_t remote[16];
        remote_of6(r, wh.class_name, remote);
        memcpy(out->src_v6, inbound ? remote : local, 16);
        memcpy(out->dst_v6, inbound ? local : remote, 16);
    } else {
        uint32_t local = sub.ipv4, remote = remote_of(r, wh.class_name);
        out->src_addr = inbound ? remote : local;
        out->dst_addr = inbound ? local : remote;
    }
    out->src_port = inbound ? port : local_port;
    out->dst_port = inbound ? local_port : port;
    out->protocol = proto;
    out->tcp_flags = proto == FLOWGEN_TCP ? 0x1b : 0; /* SYN, FIN, PSH, ACK */
    out->input_if = inbound ? FLOWGEN_IF_UPLINK : FLOWGEN_IF_LAN;
    out->output_if = inbound ? FLOWGEN_IF_LAN : FLOWGEN_IF_UPLINK;
    out->bytes = inbound ? prng_range(r, 2000, 400000) : prng_range(r, 500, 40000);
    out->packets = out->bytes / 1200 + 1;
    out->end_ms = now_ms;
    out->start_ms = now_ms - prng_range(r, 0, 60000);
}

void feed_build(struct feed *f, uint64_t now_ms, uint32_t n, struct wire_buf *w)
{
    struct flow_record recs[FEED_MAX_RECORDS];
    if (n > FEED_MAX_RECORDS)
        n = FEED_MAX_RECORDS;
    for (uint32_t k = 0; k < n; k++)
        make_flow(f, now_ms, &recs[k]);
    f->st.export_secs = now_ms / 1000;
    export_ipfix(w, FEED_DOMAIN, 1, &f->st, recs, n);
}
