// SPDX-License-Identifier: MIT
// sFlow v5 (sflow_version_5.txt §5, "sFlow Datagram Format"). XDR throughout: big-endian
// 32-bit words, opaque data padded to 4 bytes and prefixed by its length. Every sample and
// every record carries a data_format (enterprise << 12 | format) and its own length, so
// what we do not know is skipped by length. Decoding takes two passes over the samples:
// the first checks the framing of the whole datagram, so that a lie there drops it before
// anything is emitted; the second reads the samples.
#include "sflow.h"

#include "../base/err.h"
#include "../base/rd.h"
#include "decode_pkt.h"

#include <string.h>

/* §5: data_format = enterprise (top 20 bits) << 12 | format (low 12 bits). Only the
 * standard structures (enterprise 0) are read. */
#define FORMAT(enterprise, format) ((uint32_t)(enterprise) << 12 | (format))

enum {
    SAMPLE_FLOW = FORMAT(0, 1),              /* flow_sample */
    SAMPLE_COUNTERS = FORMAT(0, 2),          /* counters_sample */
    SAMPLE_FLOW_EXPANDED = FORMAT(0, 3),     /* flow_sample_expanded */
    SAMPLE_COUNTERS_EXPANDED = FORMAT(0, 4), /* counters_sample_expanded */
};

enum {
    FLOW_REC_HEADER = FORMAT(0, 1),    /* sampled_header */
    FLOW_REC_ETHERNET = FORMAT(0, 2),  /* sampled_ethernet */
    FLOW_REC_IPV4 = FORMAT(0, 3),      /* sampled_ipv4 */
    FLOW_REC_IPV6 = FORMAT(0, 4),      /* sampled_ipv6 */
    FLOW_REC_SWITCH = FORMAT(0, 1001), /* extended_switch */
    COUNTER_REC_IF = FORMAT(0, 1),     /* if_counters */
};

/* sampled_header's header_protocol values read here. */
#define HEADER_PROTO_ETHERNET 1 /* ETHERNET-ISO88023 */
#define HEADER_PROTO_IPV4 11
#define HEADER_PROTO_IPV6 12

#define ADDR_TYPE_UNKNOWN 0
#define ADDR_TYPE_IPV4 1
#define ADDR_TYPE_IPV6 2

#define IF_COUNTERS_LEN 88 /* if_counters: 16 words and 3 hypers */

/* The compact `interface` value: top 2 bits a format, 0 meaning the low 30 bits are an
 * ifIndex; 0x3fffffff there means the device itself (no interface). */
#define IF_FORMAT(v) ((v) >> 30)
#define IF_VALUE(v) ((v)&0x3fffffffu)
#define IF_INTERNAL 0x3fffffffu

/* Sources touched by one datagram, to count the datagram once per source. */
#define TOUCHED_MAX 32

/* What a datagram's samples share, and what decoding them has counted so far. */
struct dgram {
    struct source_table *sources; /* borrowed */
    const struct ip_addr *exporter;
    struct ip_addr agent;
    uint32_t sub_agent_id;
    uint32_t uptime_ms;
    uint64_t now_ms;
    const struct flow_sink *sink;              /* borrowed */
    const struct sflow_counter_sink *counters; /* borrowed, may be NULL */
    uint32_t touched[TOUCHED_MAX];             /* domains already counted in `packets` */
    size_t n_touched;
    size_t n_kept;    /* flow samples whose source was found or created */
    size_t n_refused; /* flow samples refused at the source cap */
    int n_flows;      /* flows emitted */
};

/* The fixed fields of a flow or counter sample, compact or expanded. */
struct sample_head {
    uint32_t seq;
    uint32_t source_type, source_index;
    uint32_t rate, pool, drops; /* flow samples only */
    uint32_t in_if, out_if;     /* ifIndex, 0 if none or not a single interface */
    uint32_t n_records;
};

/* What the records of one flow sample said about its packet. */
struct sample_view {
    bool has_header;       /* a sampled_header record was read */
    int header_rc;         /* decode_pkt() of it; 0 = an IP header was read */
    struct pkt_info pi;    /* its result */
    uint32_t frame_length; /* sampled_header: length on the wire before sampling */
    uint32_t stripped;     /* sampled_header: octets removed before the header (FCS...) */
    uint32_t link_len;     /* link-layer header before the IP header, when header_rc == 0 */
    bool has_ip_rec;       /* a sampled_ipv4 or sampled_ipv6 record was read */
    struct ip_addr src, dst;
    uint32_t ip_length; /* sampled_ipv4/6: IP packet length */
    uint32_t protocol, src_port, dst_port, tcp_flags;
    bool has_eth_rec; /* a sampled_ethernet record was read */
    uint8_t src_mac[6], dst_mac[6];
};

/* Fixed part of each sample format we read, up to and including its record count. */
static size_t sample_fixed_len(uint32_t format)
{
    switch (format) {
    case SAMPLE_FLOW: return 8 * 4;
    case SAMPLE_FLOW_EXPANDED: return 11 * 4;
    case SAMPLE_COUNTERS: return 3 * 4;
    case SAMPLE_COUNTERS_EXPANDED: return 4 * 4;
    default: return 0;
    }
}

/* The domain of a data source (see sflow.h): the ifIndex itself in the common case, a hash
 * with the top bit set otherwise, so the two kinds never collide. */
static uint32_t source_domain(uint32_t sub_agent_id, uint32_t type, uint32_t index)
{
    if (sub_agent_id == 0 && type == 0 && index < 0x80000000u)
        return index;
    uint64_t h = ((uint64_t)sub_agent_id << 32 | type) * 0x9e3779b97f4a7c15ULL;
    h ^= (uint64_t)index * 0xc2b2ae3d27d4eb4fULL;
    h ^= h >> 29;
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return 0x80000000u | (uint32_t)(h & 0x7fffffffu);
}

/* ---- framing ------------------------------------------------------------------------ */

/* Pass 1: every announced sample is present, within the datagram and at least as long as
 * its fixed fields. Bytes after the last sample are ignored. */
static int check_framing(struct rd r, uint32_t n_samples)
{
    for (uint32_t i = 0; i < n_samples; i++) {
        uint32_t format = rd_u32(&r);
        uint32_t len = rd_u32(&r);
        if (r.err || len > rd_left(&r) || len < sample_fixed_len(format))
            return ERR_MALFORMED;
        rd_skip(&r, len);
    }
    return 0;
}

/* ---- flow samples ------------------------------------------------------------------- */

static uint32_t compact_if(uint32_t v)
{
    return IF_FORMAT(v) == 0 && IF_VALUE(v) != IF_INTERNAL ? IF_VALUE(v) : 0;
}

/* interface_expanded: format, then value; the same formats as the compact form. */
static uint32_t expanded_if(struct rd *r)
{
    uint32_t format = rd_u32(r), value = rd_u32(r);
    return format == 0 && value != IF_INTERNAL && value != 0xffffffffu ? value : 0;
}

static void read_flow_head(struct rd *r, bool expanded, struct sample_head *h)
{
    h->seq = rd_u32(r);
    if (expanded) {
        h->source_type = rd_u32(r);
        h->source_index = rd_u32(r);
    } else {
        uint32_t id = rd_u32(r);
        h->source_type = id >> 24;
        h->source_index = id & 0x00ffffffu;
    }
    h->rate = rd_u32(r);
    h->pool = rd_u32(r);
    h->drops = rd_u32(r);
    if (expanded) {
        h->in_if = expanded_if(r);
        h->out_if = expanded_if(r);
    } else {
        h->in_if = compact_if(rd_u32(r));
        h->out_if = compact_if(rd_u32(r));
    }
    h->n_records = rd_u32(r);
}

/* Length of the link-layer header in front of the IP header of a sampled header that
 * decode_pkt() read as IP: Ethernet, its VLAN tags, a PPPoE session header (the same walk
 * as decode_pkt.c). */
static uint32_t link_len(const uint8_t *hdr, size_t len, uint32_t proto)
{
    if (proto != HEADER_PROTO_ETHERNET)
        return 0;
    struct rd r = rd_make(hdr, len);
    rd_skip(&r, 12);
    uint32_t n = 14;
    uint16_t type = rd_u16(&r);
    while (!r.err && (type == 0x8100 || type == 0x88a8 || type == 0x9100)) {
        rd_skip(&r, 2);
        type = rd_u16(&r);
        n += 4;
    }
    if (type == 0x8864)
        n += 8;
    return n;
}

/* sampled_header. The header's length is checked against its record by rd_bytes(). */
static void read_header_rec(struct rd *r, struct sample_view *v)
{
    uint32_t proto = rd_u32(r);
    v->frame_length = rd_u32(r);
    v->stripped = rd_u32(r);
    uint32_t hlen = rd_u32(r);
    const uint8_t *hdr = rd_bytes(r, hlen);
    if (r->err)
        return;
    v->has_header = true;
    switch (proto) {
    case HEADER_PROTO_ETHERNET:
        v->header_rc = decode_pkt(hdr, hlen, PKT_LINK_ETHERNET, &v->pi);
        break;
    case HEADER_PROTO_IPV4:
    case HEADER_PROTO_IPV6: v->header_rc = decode_pkt(hdr, hlen, PKT_LINK_IP, &v->pi); break;
    default: v->header_rc = ERR_UNSUPPORTED; break;
    }
    if (v->header_rc == 0)
        v->link_len = link_len(hdr, hlen, proto);
}

/* sampled_ethernet: length, two 6-byte MACs each padded to 8 (XDR opaque[6]), type. */
static void read_ethernet_rec(struct rd *r, struct sample_view *v)
{
    rd_u32(r); /* length */
    const uint8_t *src = rd_bytes(r, 8), *dst = rd_bytes(r, 8);
    rd_u32(r); /* type */
    if (r->err)
        return;
    memcpy(v->src_mac, src, 6);
    memcpy(v->dst_mac, dst, 6);
    v->has_eth_rec = true;
}

/* sampled_ipv4 (tos last) and sampled_ipv6 (priority last). */
static void read_ip_rec(struct rd *r, bool v6, struct sample_view *v)
{
    v->ip_length = rd_u32(r);
    v->protocol = rd_u32(r);
    if (v6) {
        const uint8_t *src = rd_bytes(r, 16), *dst = rd_bytes(r, 16);
        if (r->err)
            return;
        v->src = addr_from_v6(src);
        v->dst = addr_from_v6(dst);
    } else {
        v->src = addr_from_v4(rd_u32(r));
        v->dst = addr_from_v4(rd_u32(r));
    }
    v->src_port = rd_u32(r);
    v->dst_port = rd_u32(r);
    v->tcp_flags = rd_u32(r);
    rd_u32(r); /* tos / priority */
    v->has_ip_rec = !r->err;
}

/* Reads the flow records of a sample. The first record of each kind counts; a record
 * shorter than its structure, or longer than what is left of the sample, makes the whole
 * sample malformed. Returns 0 or ERR_MALFORMED. */
static int read_flow_records(struct rd *r, uint32_t n_records, struct sample_view *v)
{
    for (uint32_t i = 0; i < n_records; i++) {
        uint32_t format = rd_u32(r);
        uint32_t len = rd_u32(r);
        if (r->err || len > rd_left(r))
            return ERR_MALFORMED;
        struct rd rec = rd_sub(r, len);
        switch (format) {
        case FLOW_REC_HEADER:
            if (!v->has_header)
                read_header_rec(&rec, v);
            break;
        case FLOW_REC_ETHERNET:
            if (!v->has_eth_rec)
                read_ethernet_rec(&rec, v);
            break;
        case FLOW_REC_IPV4:
        case FLOW_REC_IPV6:
            if (!v->has_ip_rec)
                read_ip_rec(&rec, format == FLOW_REC_IPV6, v);
            break;
        case FLOW_REC_SWITCH:
            /* src_vlan, src_priority, dst_vlan, dst_priority: struct flow has no VLAN, so
             * the record is only checked. */
            rd_skip(&rec, 16);
            break;
        default: break; /* extended_router and the rest: skipped by length */
        }
        if (rec.err)
            return ERR_MALFORMED;
    }
    return 0;
}

/* The IP length of a sampled header whose IP header cannot give it: IPv4 total length
 * below the header (TCP segmentation offload captures show 0) or IPv6 payload length 0
 * with a payload (jumbogram, GSO). §5 sampled_header: frame_length counts every octet of
 * the frame, `stripped` those removed before the header (FCS, encapsulations), so the IP
 * packet is frame_length - stripped - the link header. Returns false when that is below
 * an IP header: the lengths lie. */
static bool frame_ip_len(const struct sample_view *v, uint64_t *bytes)
{
    uint64_t link = (uint64_t)v->stripped + v->link_len;
    uint32_t min = addr_is_v4(&v->pi.src) ? 20 : 40;
    if (v->frame_length < link + min)
        return false;
    *bytes = v->frame_length - link;
    return true;
}

static bool ip_len_known(const struct pkt_info *pi)
{
    if (addr_is_v4(&pi->src))
        return pi->ip_len >= 20;
    return pi->ip_len > 40 || pi->protocol == 59; /* 59: no next header, RFC 8200 §4.7 */
}

/* Fills f from what the records said. Returns 1 for a flow, 0 for a packet that is not IP
 * (nothing to bill), ERR_MALFORMED when the lengths contradict each other. */
static int view_to_flow(const struct sample_view *v, struct flow *f)
{
    if (v->has_header && v->header_rc == 0) {
        const struct pkt_info *pi = &v->pi;
        f->src = pi->src;
        f->dst = pi->dst;
        f->protocol = pi->protocol;
        f->src_port = pi->src_port;
        f->dst_port = pi->dst_port;
        f->tcp_flags = pi->tcp_flags;
        f->bytes = pi->ip_len;
        if (!ip_len_known(pi) && !frame_ip_len(v, &f->bytes))
            return ERR_MALFORMED;
    } else if (v->has_ip_rec) {
        f->src = v->src;
        f->dst = v->dst;
        f->protocol = (uint8_t)v->protocol;
        f->src_port = (uint16_t)v->src_port;
        f->dst_port = (uint16_t)v->dst_port;
        f->tcp_flags = (uint8_t)v->tcp_flags;
        f->bytes = v->ip_length;
    } else {
        return 0;
    }
    if (v->has_header && v->pi.has_mac) {
        memcpy(f->src_mac, v->pi.src_mac, 6);
        memcpy(f->dst_mac, v->pi.dst_mac, 6);
        f->has_mac = true;
    } else if (v->has_eth_rec) {
        memcpy(f->src_mac, v->src_mac, 6);
        memcpy(f->dst_mac, v->dst_mac, 6);
        f->has_mac = true;
    }
    return 1;
}

/* struct source has no field for sFlow's cumulative `drops` counter; sys_init_ms, which
 * only IPFIX sources use, keeps the last value seen, with bit 32 set once there is one. */
static void count_drops(struct source *s, uint32_t drops)
{
    if (s->sys_init_ms >> 32) {
        int32_t more = (int32_t)(drops - (uint32_t)s->sys_init_ms);
        if (more > 0)
            s->c.seq_lost += (uint32_t)more;
    }
    s->sys_init_ms = 1ULL << 32 | drops;
}

static void count_datagram(struct dgram *dg, struct source *s)
{
    for (size_t i = 0; i < dg->n_touched; i++)
        if (dg->touched[i] == s->domain)
            return;
    if (dg->n_touched < TOUCHED_MAX)
        dg->touched[dg->n_touched++] = s->domain;
    s->c.packets++;
}

static void read_flow_sample(struct dgram *dg, struct rd *r, bool expanded)
{
    struct sample_head h;
    read_flow_head(r, expanded, &h);
    uint32_t domain = source_domain(dg->sub_agent_id, h.source_type, h.source_index);
    struct source *s = source_get(dg->sources, &dg->agent, SFLOW_SOURCE_VERSION, domain);
    if (!s) {
        dg->n_refused++;
        return;
    }
    dg->n_kept++;
    count_datagram(dg, s);
    /* §5 flow_sample: sequence_number grows by one per sample of the source. */
    source_check_seq(s, h.seq, 1);
    count_drops(s, h.drops);

    struct sample_view v = {0};
    struct flow f = {.exporter = *dg->exporter, .domain = domain};
    int rc = read_flow_records(r, h.n_records, &v);
    if (rc == 0)
        rc = view_to_flow(&v, &f);
    if (rc < 0) {
        s->c.drop_rec_malformed++;
        return;
    }
    if (rc == 0)
        return;
    f.packets = 1;
    f.sampling = h.rate;
    f.sampled_no_rate = h.rate == 0;
    f.start_ms = f.end_ms = dg->now_ms;
    f.in_if = h.in_if;
    f.out_if = h.out_if;
    if (f.sampled_no_rate)
        s->c.sampled_no_rate++;
    source_count_record(s, &f);
    dg->n_flows++;
    flow_sink_emit(dg->sink, &f);
}

/* ---- counter samples ---------------------------------------------------------------- */

static void read_if_counters(struct rd *r, struct sflow_if_counters *c)
{
    c->if_index = rd_u32(r);
    c->if_type = rd_u32(r);
    c->speed_bps = rd_u64(r);
    c->direction = rd_u32(r);
    c->status = rd_u32(r);
    c->in_octets = rd_u64(r);
    c->in_ucast_pkts = rd_u32(r);
    c->in_mcast_pkts = rd_u32(r);
    c->in_bcast_pkts = rd_u32(r);
    c->in_discards = rd_u32(r);
    c->in_errors = rd_u32(r);
    c->in_unknown = rd_u32(r);
    c->out_octets = rd_u64(r);
    c->out_ucast_pkts = rd_u32(r);
    c->out_mcast_pkts = rd_u32(r);
    c->out_bcast_pkts = rd_u32(r);
    c->out_discards = rd_u32(r);
    c->out_errors = rd_u32(r);
    c->promiscuous = rd_u32(r);
}

/* Emits the if_counters records of a counter sample. A record that lies stops the sample
 * and is counted on the sample's source, created for the purpose. */
static void read_counter_sample(struct dgram *dg, struct rd *r, bool expanded)
{
    struct sample_head h = {.seq = rd_u32(r)};
    if (expanded) {
        h.source_type = rd_u32(r);
        h.source_index = rd_u32(r);
    } else {
        uint32_t id = rd_u32(r);
        h.source_type = id >> 24;
        h.source_index = id & 0x00ffffffu;
    }
    h.n_records = rd_u32(r);
    for (uint32_t i = 0; i < h.n_records; i++) {
        uint32_t format = rd_u32(r);
        uint32_t len = rd_u32(r);
        if (r->err || len > rd_left(r) || (format == COUNTER_REC_IF && len < IF_COUNTERS_LEN)) {
            uint32_t domain = source_domain(dg->sub_agent_id, h.source_type, h.source_index);
            struct source *s = source_get(dg->sources, &dg->agent, SFLOW_SOURCE_VERSION, domain);
            if (s)
                s->c.drop_rec_malformed++;
            return;
        }
        struct rd rec = rd_sub(r, len);
        if (format != COUNTER_REC_IF || !dg->counters)
            continue;
        struct sflow_if_counters c = {
            .exporter = *dg->exporter,
            .agent = dg->agent,
            .sub_agent_id = dg->sub_agent_id,
            .source_type = h.source_type,
            .source_index = h.source_index,
            .time_ms = dg->now_ms,
            .uptime_ms = dg->uptime_ms,
        };
        read_if_counters(&rec, &c);
        dg->counters->emit(dg->counters->ctx, &c);
    }
}

/* ---- datagram ----------------------------------------------------------------------- */

int sflow_decode(struct source_table *sources, const struct ip_addr *exporter, const uint8_t *pkt,
                 size_t len, uint64_t now_ms, const struct flow_sink *sink,
                 const struct sflow_counter_sink *counters)
{
    struct rd r = rd_make(pkt, len);
    uint32_t version = rd_u32(&r);
    if (r.err)
        return ERR_TRUNCATED;
    if (version != SFLOW_VERSION)
        return ERR_UNSUPPORTED;
    uint32_t addr_type = rd_u32(&r);
    struct dgram dg = {.sources = sources,
                       .exporter = exporter,
                       .now_ms = now_ms,
                       .sink = sink,
                       .counters = counters};
    switch (addr_type) {
    case ADDR_TYPE_UNKNOWN: dg.agent = *exporter; break;
    case ADDR_TYPE_IPV4: dg.agent = addr_from_v4(rd_u32(&r)); break;
    case ADDR_TYPE_IPV6: {
        const uint8_t *a = rd_bytes(&r, 16);
        if (!a)
            return ERR_TRUNCATED;
        dg.agent = addr_from_v6(a);
        break;
    }
    default: return ERR_MALFORMED;
    }
    dg.sub_agent_id = rd_u32(&r);
    rd_u32(&r); /* datagram sequence number: sample sequences say more, per source */
    dg.uptime_ms = rd_u32(&r);
    uint32_t n_samples = rd_u32(&r);
    if (r.err)
        return ERR_TRUNCATED;
    int rc = check_framing(r, n_samples);
    if (rc != 0)
        return rc;

    for (uint32_t i = 0; i < n_samples; i++) {
        uint32_t format = rd_u32(&r);
        struct rd sample = rd_sub(&r, rd_u32(&r));
        switch (format) {
        case SAMPLE_FLOW: read_flow_sample(&dg, &sample, false); break;
        case SAMPLE_FLOW_EXPANDED: read_flow_sample(&dg, &sample, true); break;
        case SAMPLE_COUNTERS: read_counter_sample(&dg, &sample, false); break;
        case SAMPLE_COUNTERS_EXPANDED: read_counter_sample(&dg, &sample, true); break;
        default: break; /* other enterprises and formats: skipped by length */
        }
    }
    if (dg.n_refused > 0 && dg.n_kept == 0)
        return ERR_LIMIT;
    return dg.n_flows;
}
