// SPDX-License-Identifier: MIT
// Layer 2 to layer 4 decoding of one captured packet, for the sFlow decoder (sampled
// headers) and the packet capture probe. The capture is usually cut short (a 128-byte sFlow
// header, a pcap snaplen), so every stage reads what it can and stops, flagging the
// truncation; the IP length always comes from the IP header, never from what was captured.
#include "decode_pkt.h"

#include "../base/err.h"
#include "../base/rd.h"

#include <string.h>

/* IEEE 802.3 EtherTypes. 0x9100 is the pre-802.1ad QinQ outer tag some switches still
 * send. */
#define ETH_P_IPV4 0x0800
#define ETH_P_IPV6 0x86dd
#define ETH_P_8021Q 0x8100
#define ETH_P_8021AD 0x88a8
#define ETH_P_QINQ_OLD 0x9100
#define ETH_P_PPPOE_SESS 0x8864

/* RFC 2516 §4: PPPoE session header (ver/type, code, session id, length), then the 2-byte
 * PPP protocol (RFC 1332 IPv4 0x0021, RFC 5072 IPv6 0x0057). */
#define PPP_IPV4 0x0021
#define PPP_IPV6 0x0057

#define IPPROTO_HOPOPTS_ 0
#define IPPROTO_ICMP_ 1
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define IPPROTO_ROUTING_ 43
#define IPPROTO_FRAGMENT_ 44
#define IPPROTO_ICMPV6_ 58
#define IPPROTO_DSTOPTS_ 60

/* Ports, flags or ICMP type/code of the transport header at r. A capture that ends before
 * the fields needed flags the truncation and leaves them 0. */
static void read_l4(struct rd *r, struct pkt_info *out)
{
    switch (out->protocol) {
    case IPPROTO_TCP_: {
        /* RFC 9293 §3.1: ports, sequence, acknowledgement, offset, flags at byte 13. */
        if (rd_left(r) < 4) {
            out->truncated = true;
            return;
        }
        out->src_port = rd_u16(r);
        out->dst_port = rd_u16(r);
        rd_skip(r, 4 + 4 + 1);
        out->tcp_flags = rd_u8(r);
        if (r->err)
            out->truncated = true;
        return;
    }
    case IPPROTO_UDP_:
        if (rd_left(r) < 4) {
            out->truncated = true;
            return;
        }
        out->src_port = rd_u16(r);
        out->dst_port = rd_u16(r);
        return;
    case IPPROTO_ICMP_:
    case IPPROTO_ICMPV6_:
        /* The convention of NetFlow exporters: type and code in the destination port. */
        if (rd_left(r) < 2) {
            out->truncated = true;
            return;
        }
        out->dst_port = rd_u16(r);
        return;
    default: return;
    }
}

/* RFC 791 §3.1. Returns 0 once the fixed header is read, ERR_TRUNCATED before that,
 * ERR_UNSUPPORTED for a header that is not IPv4 after all (version, IHL below 5). */
static int read_ipv4(struct rd *r, struct pkt_info *out)
{
    if (rd_left(r) < 20) {
        out->truncated = true;
        return ERR_TRUNCATED;
    }
    uint8_t ver_ihl = rd_u8(r);
    if (ver_ihl >> 4 != 4 || (ver_ihl & 0x0f) < 5)
        return ERR_UNSUPPORTED;
    rd_u8(r); /* DSCP, ECN */
    out->ip_len = rd_u16(r);
    rd_u16(r); /* identification */
    uint16_t frag = rd_u16(r);
    rd_u8(r); /* TTL */
    out->protocol = rd_u8(r);
    rd_u16(r); /* header checksum */
    out->src = addr_from_v4(rd_u32(r));
    out->dst = addr_from_v4(rd_u32(r));
    out->is_ip = true;
    size_t options = ((size_t)(ver_ihl & 0x0f) - 5) * 4;
    if (rd_left(r) < options) {
        out->truncated = true;
        return 0;
    }
    rd_skip(r, options);
    /* Only the first fragment (offset 0) carries the transport header. */
    if ((frag & 0x1fff) != 0) {
        out->is_fragment = true;
        return 0;
    }
    read_l4(r, out);
    return 0;
}

/* RFC 8200 §3 and §4. Walks the extension headers that precede the transport header
 * (hop-by-hop, routing, destination options: (len + 1) * 8 bytes; fragment: 8 bytes), so
 * `protocol` is the transport protocol. Any other next header ends the walk: it is the
 * protocol (ESP, AH, no next header, ...). */
static int read_ipv6(struct rd *r, struct pkt_info *out)
{
    if (rd_left(r) < 40) {
        out->truncated = true;
        return ERR_TRUNCATED;
    }
    uint32_t ver_tc_flow = rd_u32(r);
    if (ver_tc_flow >> 28 != 6)
        return ERR_UNSUPPORTED;
    out->ip_len = 40 + (uint32_t)rd_u16(r);
    uint8_t next = rd_u8(r);
    rd_u8(r); /* hop limit */
    out->src = addr_from_v6(rd_bytes(r, 16));
    out->dst = addr_from_v6(rd_bytes(r, 16));
    out->is_ip = true;
    for (;;) {
        out->protocol = next;
        switch (next) {
        case IPPROTO_HOPOPTS_:
        case IPPROTO_ROUTING_:
        case IPPROTO_DSTOPTS_: {
            if (rd_left(r) < 2) {
                out->truncated = true;
                return 0;
            }
            next = rd_u8(r);
            size_t rest = ((size_t)rd_u8(r) + 1) * 8 - 2;
            if (rd_left(r) < rest) {
                out->truncated = true;
                return 0;
            }
            rd_skip(r, rest);
            break;
        }
        case IPPROTO_FRAGMENT_: {
            if (rd_left(r) < 8) {
                out->truncated = true;
                return 0;
            }
            next = rd_u8(r);
            rd_u8(r); /* reserved */
            uint16_t offset_flags = rd_u16(r);
            rd_u32(r); /* identification */
            if (offset_flags >> 3 != 0) {
                out->protocol = next;
                out->is_fragment = true;
                return 0;
            }
            break;
        }
        default: read_l4(r, out); return 0;
        }
    }
}

static int read_ip(struct rd *r, uint16_t ethertype, struct pkt_info *out)
{
    switch (ethertype) {
    case ETH_P_IPV4: return read_ipv4(r, out);
    case ETH_P_IPV6: return read_ipv6(r, out);
    default: return ERR_UNSUPPORTED;
    }
}

/* Ethernet II with any number of 802.1Q / 802.1ad tags (the outermost names the VLAN),
 * and PPPoE session frames. Returns the EtherType of what follows, 0 for what is not IP. */
static uint16_t read_ethernet(struct rd *r, struct pkt_info *out)
{
    memcpy(out->dst_mac, rd_bytes(r, 6), 6);
    memcpy(out->src_mac, rd_bytes(r, 6), 6);
    out->has_mac = true;
    uint16_t type = rd_u16(r);
    bool outer = true;
    while (type == ETH_P_8021Q || type == ETH_P_8021AD || type == ETH_P_QINQ_OLD) {
        uint16_t tci = rd_u16(r);
        if (outer)
            out->vlan = tci & 0x0fff;
        outer = false;
        type = rd_u16(r);
        if (r->err)
            return 0;
    }
    if (type == ETH_P_PPPOE_SESS) {
        rd_skip(r, 6);
        switch (rd_u16(r)) {
        case PPP_IPV4: type = ETH_P_IPV4; break;
        case PPP_IPV6: type = ETH_P_IPV6; break;
        default: return 0;
        }
    }
    return r->err ? 0 : type;
}

int decode_pkt(const uint8_t *pkt, size_t len, enum pkt_link link, struct pkt_info *out)
{
    memset(out, 0, sizeof *out);
    struct rd r = rd_make(pkt, len);
    uint16_t type;
    if (link == PKT_LINK_ETHERNET) {
        if (len < 14) {
            out->truncated = true;
            return ERR_TRUNCATED;
        }
        type = read_ethernet(&r, out);
        if (r.err) {
            /* The capture ended inside a VLAN tag or the PPPoE header. */
            out->truncated = true;
            return ERR_TRUNCATED;
        }
    } else {
        if (len < 1) {
            out->truncated = true;
            return ERR_TRUNCATED;
        }
        type = pkt[0] >> 4 == 6 ? ETH_P_IPV6 : pkt[0] >> 4 == 4 ? ETH_P_IPV4 : 0;
    }
    int rc = read_ip(&r, type, out);
    if (rc != 0) {
        /* Nothing of a header that failed stays behind, only the link layer. */
        out->is_ip = false;
        out->protocol = 0;
        out->ip_len = 0;
        out->src_port = out->dst_port = 0;
        out->tcp_flags = 0;
        memset(&out->src, 0, sizeof out->src);
        memset(&out->dst, 0, sizeof out->dst);
    }
    return rc;
}
