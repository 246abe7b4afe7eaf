// SPDX-License-Identifier: MIT
// Builds one complete Ethernet II frame carrying IPv4 or IPv6 with a TCP,
// UDP, ICMP or ICMPv6 payload, with every length and checksum filled in,
// so tcpdump and flow exporters see the packets as a real capture.

#ifndef PCAPGEN_FRAME_H
#define PCAPGEN_FRAME_H

#include <stddef.h>
#include <stdint.h>

// IANA protocol numbers (the IPv4 protocol / IPv6 next header field).
#define PROTO_ICMP 1
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_ICMPV6 58

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

// Ethernet + IPv6 + TCP with MSS option + 1400 bytes of payload fits easily.
#define FRAME_MAX 1600
#define PAYLOAD_MAX 1400

struct frame_spec {
    int family;    // 4 or 6
    uint8_t proto; // PROTO_*
    uint8_t src_mac[6];
    uint8_t dst_mac[6];
    uint8_t src_addr[16]; // IPv4 uses the first 4 bytes
    uint8_t dst_addr[16];
    uint8_t ttl;         // IPv4 TTL or IPv6 hop limit
    uint16_t ip_id;      // IPv4 only
    uint32_t flow_label; // IPv6 only, 20 bits
    uint16_t src_port;   // TCP/UDP
    uint16_t dst_port;
    uint32_t seq; // TCP
    uint32_t ack;
    uint8_t tcp_flags;
    uint16_t mss;      // adds an MSS option when non-zero (SYNs)
    uint8_t icmp_type; // ICMP/ICMPv6 echo
    uint16_t icmp_id;
    uint16_t icmp_seq;
    const uint8_t *payload;
    size_t payload_len; // at most PAYLOAD_MAX
};

// Writes the frame into out (FRAME_MAX bytes) and returns its length;
// *ip_len receives the IP-layer size that NetFlow exporters count.
size_t frame_build(const struct frame_spec *s, uint8_t *out, size_t *ip_len);

#endif
