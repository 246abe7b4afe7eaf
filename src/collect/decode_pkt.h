// SPDX-License-Identifier: MIT
// Decoding of a raw packet from layer 2 to layer 4, shared by the sFlow decoder (sampled
// headers) and the packet capture probe: Ethernet II, 802.1Q / 802.1ad VLAN tags, IPv4,
// IPv6 (walking extension headers), TCP, UDP, ICMP and ICMPv6. Bounded reads only: a
// truncated header gives what could be read and says so.
#ifndef FT_DECODE_PKT_H
#define FT_DECODE_PKT_H

#include "../base/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pkt_link {
    PKT_LINK_ETHERNET, /* starts with an Ethernet II header */
    PKT_LINK_IP,       /* starts with an IPv4 or IPv6 header (raw IP, Linux cooked done) */
};

struct pkt_info {
    bool has_mac; /* Ethernet addresses below are valid */
    uint8_t src_mac[6], dst_mac[6];
    uint16_t vlan;           /* outermost VLAN id, 0 = none */
    bool is_ip;              /* an IPv4 or IPv6 header was read */
    struct ip_addr src, dst; /* IPv4 mapped */
    uint8_t protocol;        /* IP protocol (after IPv6 extension headers) */
    uint8_t tcp_flags;
    uint16_t src_port, dst_port; /* ICMP: type << 8 | code in dst_port, 0 in src_port */
    uint32_t ip_len;             /* IP-layer bytes of the packet as its header says (IPv4 total
                                    length, IPv6 40 + payload length) */
    bool is_fragment;            /* a non-first fragment: ports unknown (0) */
    bool truncated;              /* the capture ended inside a header */
};

/* Decodes the headers of pkt (len bytes captured) starting at `link`. Returns 0 when an IP
 * header was read (fields above filled as far as the capture allows), ERR_UNSUPPORTED for
 * non-IP frames (ARP, LLDP...), ERR_TRUNCATED when not even the IP header fits. */
int decode_pkt(const uint8_t *pkt, size_t len, enum pkt_link link, struct pkt_info *out);

#endif
