// SPDX-License-Identifier: MIT
// Header layouts follow the RFCs: IPv4 (RFC 791 section 3.1), IPv6
// (RFC 8200 section 3), TCP (RFC 793 section 3.1), UDP (RFC 768) and
// ICMP/ICMPv6 echo (RFC 792, RFC 4443). The transport header is written
// first so its length is known when the IP header and the pseudo-header
// checksums (RFC 793, RFC 768, RFC 8200 section 8.1) are computed.

#include "frame.h"

#include <string.h>

#define ETH_HDR_LEN 14
#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

// One's-complement sum of 16-bit big-endian words (RFC 1071); an odd
// trailing byte is padded with zero. Only the last chunk may be odd.
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    size_t i;

    for (i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (len & 1)
        sum += (uint32_t)p[len - 1] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

// Pseudo-header sum: RFC 793 / RFC 768 for IPv4 (src, dst, zero,
// protocol, 16-bit length), RFC 8200 section 8.1 for IPv6 (src, dst,
// 32-bit length, zeros, next header).
static uint32_t pseudo_sum(const struct frame_spec *s, size_t l4_len)
{
    uint8_t tail[8] = {0};
    size_t alen = s->family == 4 ? 4 : 16;
    uint32_t sum = 0;

    sum = csum_add(sum, s->src_addr, alen);
    sum = csum_add(sum, s->dst_addr, alen);
    if (s->family == 4) {
        tail[1] = s->proto;
        put_be16(tail + 2, (uint16_t)l4_len);
        return csum_add(sum, tail, 4);
    }
    put_be32(tail, (uint32_t)l4_len);
    tail[7] = s->proto;
    return csum_add(sum, tail, 8);
}

// memcpy with a NULL source is undefined even for zero bytes, and empty
// segments (pure ACKs) legitimately come without a payload buffer.
static void copy_payload(const struct frame_spec *s, uint8_t *dst)
{
    if (s->payload_len > 0)
        memcpy(dst, s->payload, s->payload_len);
}

// TCP header (RFC 793 section 3.1). SYNs carry an MSS option because real
// stacks always send one; the data offset grows from 5 to 6 words.
static size_t build_tcp(const struct frame_spec *s, uint8_t *p)
{
    size_t hlen = s->mss ? 24 : 20;

    put_be16(p, s->src_port);
    put_be16(p + 2, s->dst_port);
    put_be32(p + 4, s->seq);
    put_be32(p + 8, s->ack);
    p[12] = (uint8_t)(hlen / 4 << 4);
    p[13] = s->tcp_flags;
    put_be16(p + 14, 64240); // window: a typical Linux initial value
    put_be16(p + 16, 0);     // checksum, filled in later
    put_be16(p + 18, 0);     // urgent pointer: unused
    if (s->mss) {
        p[20] = 2; // kind: maximum segment size
        p[21] = 4; // option length
        put_be16(p + 22, s->mss);
    }
    copy_payload(s, p + hlen);
    return hlen + s->payload_len;
}

// UDP header (RFC 768).
static size_t build_udp(const struct frame_spec *s, uint8_t *p)
{
    size_t len = 8 + s->payload_len;

    put_be16(p, s->src_port);
    put_be16(p + 2, s->dst_port);
    put_be16(p + 4, (uint16_t)len);
    put_be16(p + 6, 0);
    copy_payload(s, p + 8);
    return len;
}

// ICMP (RFC 792) and ICMPv6 (RFC 4443) echo share one layout.
static size_t build_icmp(const struct frame_spec *s, uint8_t *p)
{
    p[0] = s->icmp_type;
    p[1] = 0; // code
    put_be16(p + 2, 0);
    put_be16(p + 4, s->icmp_id);
    put_be16(p + 6, s->icmp_seq);
    copy_payload(s, p + 8);
    return 8 + s->payload_len;
}

static void fill_l4_checksum(const struct frame_spec *s, uint8_t *p, size_t len)
{
    uint32_t sum = 0;
    uint16_t c;
    size_t off;

    if (s->proto == PROTO_TCP)
        off = 16;
    else if (s->proto == PROTO_UDP)
        off = 6;
    else
        off = 2;
    // ICMPv4 is the only one without a pseudo-header (RFC 792).
    if (s->proto != PROTO_ICMP)
        sum = pseudo_sum(s, len);
    c = csum_fold(csum_add(sum, p, len));
    // RFC 768: a computed zero is sent as all ones, 0 means "no checksum".
    if (s->proto == PROTO_UDP && c == 0)
        c = 0xffff;
    put_be16(p + off, c);
}

// IPv4 header (RFC 791 section 3.1), no options so IHL is 5.
static void build_ipv4(const struct frame_spec *s, uint8_t *p, size_t l4_len)
{
    p[0] = 0x45;
    p[1] = 0; // DSCP/ECN: best effort
    put_be16(p + 2, (uint16_t)(IPV4_HDR_LEN + l4_len));
    put_be16(p + 4, s->ip_id);
    put_be16(p + 6, 0x4000); // DF set, as Linux does for PMTU discovery
    p[8] = s->ttl;
    p[9] = s->proto;
    put_be16(p + 10, 0);
    memcpy(p + 12, s->src_addr, 4);
    memcpy(p + 16, s->dst_addr, 4);
    put_be16(p + 10, csum_fold(csum_add(0, p, IPV4_HDR_LEN)));
}

// IPv6 fixed header (RFC 8200 section 3); payload length excludes it.
static void build_ipv6(const struct frame_spec *s, uint8_t *p, size_t l4_len)
{
    put_be32(p, 6u << 28 | (s->flow_label & 0xfffff));
    put_be16(p + 4, (uint16_t)l4_len);
    p[6] = s->proto;
    p[7] = s->ttl;
    memcpy(p + 8, s->src_addr, 16);
    memcpy(p + 24, s->dst_addr, 16);
}

size_t frame_build(const struct frame_spec *s, uint8_t *out, size_t *ip_len)
{
    size_t ip_hdr = s->family == 4 ? IPV4_HDR_LEN : IPV6_HDR_LEN;
    uint8_t *l4 = out + ETH_HDR_LEN + ip_hdr;
    size_t l4_len;

    if (s->proto == PROTO_TCP)
        l4_len = build_tcp(s, l4);
    else if (s->proto == PROTO_UDP)
        l4_len = build_udp(s, l4);
    else
        l4_len = build_icmp(s, l4);
    fill_l4_checksum(s, l4, l4_len);
    if (s->family == 4)
        build_ipv4(s, out + ETH_HDR_LEN, l4_len);
    else
        build_ipv6(s, out + ETH_HDR_LEN, l4_len);
    memcpy(out, s->dst_mac, 6); // Ethernet II: destination first
    memcpy(out + 6, s->src_mac, 6);
    put_be16(out + 12, s->family == 4 ? ETHERTYPE_IPV4 : ETHERTYPE_IPV6);
    *ip_len = ip_hdr + l4_len;
    return ETH_HDR_LEN + ip_hdr + l4_len;
}
