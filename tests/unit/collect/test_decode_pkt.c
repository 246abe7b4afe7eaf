// SPDX-License-Identifier: MIT
// decode_pkt() on a table of hand-built frames, each with the pkt_info it must give written
// out in full: Ethernet II, 802.1Q, 802.1ad and old-style QinQ tags, PPPoE, IPv4 with
// options and fragments, IPv6 extension headers and fragments, TCP, UDP, ICMP and ICMPv6,
// raw IP, non-IP frames, and captures cut inside every header.
#include "../../../src/base/err.h"
#include "../../../src/collect/decode_pkt.h"
#include "pktbuf.h"
#include "test.h"

#define V4(w, x, y, z)                                                                             \
    {                                                                                              \
        .b = { [10] = 0xff, [11] = 0xff, [12] = w, [13] = x, [14] = y, [15] = z }                  \
    }
#define V6(...)                                                                                    \
    {                                                                                              \
        .b = { __VA_ARGS__ }                                                                       \
    }
#define MAC_DST                                                                                    \
    {                                                                                              \
        0x02, 0, 0, 0, 0, 0x02                                                                     \
    }
#define MAC_SRC                                                                                    \
    {                                                                                              \
        0x02, 0, 0, 0, 0, 0x01                                                                     \
    }

static const uint8_t mac_dst[6] = MAC_DST, mac_src[6] = MAC_SRC;
static const uint8_t v6_a[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x01}; /* 2001:db8::1 */
static const uint8_t v6_b[16] = {0xfd, 0x00, 0, 0x01, [15] = 0x08};    /* fd00:1::8 */

/* ---- frame builders ----------------------------------------------------------------- */

static void eth(struct pktbuf *p, uint16_t type)
{
    pb_bytes(p, mac_dst, 6);
    pb_bytes(p, mac_src, 6);
    pb_u16(p, type);
}

static void tag(struct pktbuf *p, uint16_t tci, uint16_t next_type)
{
    pb_u16(p, tci);
    pb_u16(p, next_type);
}

/* A 20-byte IPv4 header (plus n_opt option words) from 10.0.0.1 to 192.0.2.10. */
static void ipv4(struct pktbuf *p, uint8_t proto, uint16_t total_len, uint16_t frag, int n_opt)
{
    pb_u8(p, (uint8_t)(0x45 + n_opt));
    pb_u8(p, 0);
    pb_u16(p, total_len);
    pb_u16(p, 0x1234);
    pb_u16(p, frag);
    pb_u8(p, 64);
    pb_u8(p, proto);
    pb_u16(p, 0);
    pb_u32(p, 0x0a000001);
    pb_u32(p, 0xc000020a);
    for (int i = 0; i < n_opt; i++)
        pb_u32(p, 0x94040000); /* Router Alert (RFC 2113) */
}

/* A 40-byte IPv6 header from 2001:db8::1 to fd00:1::8. */
static void ipv6(struct pktbuf *p, uint8_t next, uint16_t payload_len)
{
    pb_u32(p, 0x60000000);
    pb_u16(p, payload_len);
    pb_u8(p, next);
    pb_u8(p, 64);
    pb_bytes(p, v6_a, 16);
    pb_bytes(p, v6_b, 16);
}

/* A generic extension header of (len + 1) * 8 bytes. */
static void ext(struct pktbuf *p, uint8_t next, uint8_t len)
{
    pb_u8(p, next);
    pb_u8(p, len);
    for (int i = 2; i < (len + 1) * 8; i++)
        pb_u8(p, 0);
}

static void frag6(struct pktbuf *p, uint8_t next, uint16_t offset, bool more)
{
    pb_u8(p, next);
    pb_u8(p, 0);
    pb_u16(p, (uint16_t)(offset << 3 | more));
    pb_u32(p, 0xabcd);
}

static void tcp(struct pktbuf *p, uint16_t sport, uint16_t dport, uint8_t flags)
{
    pb_u16(p, sport);
    pb_u16(p, dport);
    pb_u32(p, 1000);
    pb_u32(p, 2000);
    pb_u8(p, 0x50);
    pb_u8(p, flags);
    pb_u16(p, 65535);
    pb_u32(p, 0);
}

static void udp(struct pktbuf *p, uint16_t sport, uint16_t dport)
{
    pb_u16(p, sport);
    pb_u16(p, dport);
    pb_u16(p, 8);
    pb_u16(p, 0);
}

static void icmp(struct pktbuf *p, uint8_t type, uint8_t code)
{
    pb_u8(p, type);
    pb_u8(p, code);
    pb_u16(p, 0);
    pb_u32(p, 0);
}

/* ---- the frames --------------------------------------------------------------------- */

static void f_ipv4_tcp(struct pktbuf *p)
{
    eth(p, 0x0800);
    ipv4(p, 6, 60, 0, 0);
    tcp(p, 40000, 443, 0x02);
}

static void f_vlan_ipv4_udp(struct pktbuf *p)
{
    eth(p, 0x8100);
    tag(p, 0x2064, 0x0800); /* priority 1, VLAN 100 */
    ipv4(p, 17, 1500, 0, 0);
    udp(p, 5353, 53);
}

static void f_qinq_ipv6_udp(struct pktbuf *p)
{
    eth(p, 0x88a8);
    tag(p, 300, 0x8100);
    tag(p, 10, 0x86dd);
    ipv6(p, 17, 8);
    udp(p, 40001, 123);
}

static void f_old_qinq_ipv4_tcp(struct pktbuf *p)
{
    eth(p, 0x9100);
    tag(p, 0xe000 | 7, 0x8100); /* priority 7, VLAN 7 */
    tag(p, 20, 0x0800);
    ipv4(p, 6, 40, 0, 0);
    tcp(p, 22, 50000, 0x10);
}

static void f_ipv4_options_tcp(struct pktbuf *p)
{
    eth(p, 0x0800);
    ipv4(p, 6, 8 + 20 + 20, 0x4000, 2); /* DF */
    tcp(p, 8080, 61000, 0x18);
}

static void f_ipv4_later_fragment(struct pktbuf *p)
{
    eth(p, 0x0800);
    ipv4(p, 17, 576, 185, 0); /* offset 185 * 8 */
    udp(p, 1111, 2222);       /* payload bytes, not a UDP header */
}

static void f_ipv4_first_fragment(struct pktbuf *p)
{
    eth(p, 0x0800);
    ipv4(p, 17, 1500, 0x2000, 0); /* MF, offset 0 */
    udp(p, 4500, 4500);
}

static void f_ipv4_icmp_echo(struct pktbuf *p)
{
    eth(p, 0x0800);
    ipv4(p, 1, 84, 0, 0);
    icmp(p, 8, 0);
}

static void f_ipv4_icmp_unreach(struct pktbuf *p)
{
    eth(p, 0x0800);
    ipv4(p, 1, 56, 0, 0);
    icmp(p, 3, 3);
}

static void f_ipv6_ext_tcp(struct pktbuf *p)
{
    eth(p, 0x86dd);
    ipv6(p, 0, 8 + 24 + 8 + 20 + 100);
    ext(p, 43, 0); /* hop-by-hop */
    ext(p, 60, 2); /* routing, 24 bytes */
    ext(p, 6, 0);  /* destination options */
    tcp(p, 443, 52000, 0x11);
}

static void f_ipv6_later_fragment(struct pktbuf *p)
{
    eth(p, 0x86dd);
    ipv6(p, 44, 8 + 512);
    frag6(p, 17, 181, true);
    udp(p, 1, 2);
}

static void f_ipv6_first_fragment(struct pktbuf *p)
{
    eth(p, 0x86dd);
    ipv6(p, 44, 8 + 1232);
    frag6(p, 17, 0, true);
    udp(p, 4433, 443);
}

static void f_ipv6_icmpv6(struct pktbuf *p)
{
    eth(p, 0x86dd);
    ipv6(p, 58, 64);
    icmp(p, 128, 0);
}

static void f_ipv6_esp(struct pktbuf *p)
{
    eth(p, 0x86dd);
    ipv6(p, 50, 200);
    pb_u32(p, 0x1000); /* SPI */
}

static void f_raw_ipv4_udp(struct pktbuf *p)
{
    ipv4(p, 17, 28, 0, 0);
    udp(p, 68, 67);
}

static void f_raw_ipv6_tcp(struct pktbuf *p)
{
    ipv6(p, 6, 20);
    tcp(p, 25, 40000, 0x12);
}

static void f_pppoe_ipv4_tcp(struct pktbuf *p)
{
    eth(p, 0x8864);
    pb_u8(p, 0x11); /* version 1, type 1 */
    pb_u8(p, 0);    /* session data */
    pb_u16(p, 0x0042);
    pb_u16(p, 2 + 40);
    pb_u16(p, 0x0021);
    ipv4(p, 6, 40, 0, 0);
    tcp(p, 1234, 80, 0x01);
}

static void f_pppoe_ipv6_udp(struct pktbuf *p)
{
    eth(p, 0x8864);
    pb_u8(p, 0x11);
    pb_u8(p, 0);
    pb_u16(p, 0x0042);
    pb_u16(p, 2 + 48);
    pb_u16(p, 0x0057);
    ipv6(p, 17, 8);
    udp(p, 546, 547);
}

static void f_arp(struct pktbuf *p)
{
    eth(p, 0x0806);
    pb_u32(p, 0x00010800);
    pb_u32(p, 0x06040001);
}

static void f_8023_llc(struct pktbuf *p)
{
    eth(p, 38); /* an 802.3 length, then LLC (spanning tree) */
    pb_u32(p, 0x42420300);
}

static void f_pppoe_lcp(struct pktbuf *p)
{
    eth(p, 0x8864);
    pb_u32(p, 0x11000042);
    pb_u16(p, 6);
    pb_u16(p, 0xc021); /* LCP */
    pb_u32(p, 0x09010004);
}

static void f_short_ethernet(struct pktbuf *p)
{
    pb_bytes(p, mac_dst, 6);
    pb_bytes(p, mac_src, 4);
}

static void f_cut_in_vlan_tag(struct pktbuf *p)
{
    eth(p, 0x8100);
    pb_u16(p, 100);
}

static void f_cut_in_ipv4(struct pktbuf *p)
{
    eth(p, 0x0800);
    ipv4(p, 6, 1500, 0, 0);
    p->n -= 8; /* 12 of the 20 bytes */
}

static void f_cut_in_ipv4_options(struct pktbuf *p)
{
    eth(p, 0x0800);
    ipv4(p, 6, 1500, 0, 3);
    p->n -= 6;
}

static void f_cut_in_ipv6(struct pktbuf *p)
{
    eth(p, 0x86dd);
    ipv6(p, 6, 1000);
    p->n -= 1;
}

static void f_cut_in_ipv6_ext(struct pktbuf *p)
{
    eth(p, 0x86dd);
    ipv6(p, 0, 1000);
    ext(p, 6, 1);
    p->n -= 3;
}

static void f_cut_in_ipv6_frag(struct pktbuf *p)
{
    eth(p, 0x86dd);
    ipv6(p, 44, 1000);
    frag6(p, 6, 0, true);
    p->n -= 1;
}

static void f_cut_in_tcp(struct pktbuf *p)
{
    eth(p, 0x0800);
    ipv4(p, 6, 1500, 0, 0);
    tcp(p, 40000, 443, 0x10);
    p->n -= 10; /* ports, sequence, 2 bytes of acknowledgement */
}

static void f_cut_before_ports(struct pktbuf *p)
{
    eth(p, 0x86dd);
    ipv6(p, 17, 1000);
    pb_u16(p, 53);
}

static void f_cut_in_icmp(struct pktbuf *p)
{
    eth(p, 0x0800);
    ipv4(p, 1, 84, 0, 0);
    pb_u8(p, 8);
}

static void f_ethertype_v6_header_v4(struct pktbuf *p)
{
    eth(p, 0x86dd);
    ipv4(p, 6, 40, 0, 0);
    pb_u32(p, 0);
    pb_u32(p, 0);
    pb_u32(p, 0);
    pb_u32(p, 0);
    pb_u32(p, 0);
}

static void f_ipv4_ihl_below_5(struct pktbuf *p)
{
    eth(p, 0x0800);
    ipv4(p, 6, 40, 0, 0);
    p->b[14] = 0x44;
}

static void f_raw_version_5(struct pktbuf *p)
{
    ipv4(p, 6, 40, 0, 0);
    p->b[0] = 0x55;
}

static void f_empty(struct pktbuf *p)
{
    (void)p;
}

/* ---- the table ---------------------------------------------------------------------- */

struct pkt_case {
    const char *name;
    void (*build)(struct pktbuf *p);
    enum pkt_link link;
    int rc;
    struct pkt_info want;
};

#define ETH_OK .has_mac = true, .src_mac = MAC_SRC, .dst_mac = MAC_DST
#define IP4 .is_ip = true, .src = V4(10, 0, 0, 1), .dst = V4(192, 0, 2, 10)
#define IP6                                                                                        \
    .is_ip = true, .src = V6(0x20, 0x01, 0x0d, 0xb8, [15] = 0x01),                                 \
    .dst = V6(0xfd, 0x00, 0, 0x01, [15] = 0x08)

static const struct pkt_case cases[] = {
    {"ipv4 tcp syn",
     f_ipv4_tcp,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP4, .protocol = 6, .tcp_flags = 0x02, .src_port = 40000, .dst_port = 443,
      .ip_len = 60}},
    {"802.1Q ipv4 udp, ip_len from the header",
     f_vlan_ipv4_udp,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, .vlan = 100, IP4, .protocol = 17, .src_port = 5353, .dst_port = 53, .ip_len = 1500}},
    {"802.1ad + 802.1Q ipv6 udp: outer vlan",
     f_qinq_ipv6_udp,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, .vlan = 300, IP6, .protocol = 17, .src_port = 40001, .dst_port = 123, .ip_len = 48}},
    {"0x9100 + 802.1Q ipv4 tcp",
     f_old_qinq_ipv4_tcp,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, .vlan = 7, IP4, .protocol = 6, .tcp_flags = 0x10, .src_port = 22, .dst_port = 50000,
      .ip_len = 40}},
    {"ipv4 with options",
     f_ipv4_options_tcp,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP4, .protocol = 6, .tcp_flags = 0x18, .src_port = 8080, .dst_port = 61000,
      .ip_len = 48}},
    {"ipv4 later fragment: no ports",
     f_ipv4_later_fragment,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP4, .protocol = 17, .ip_len = 576, .is_fragment = true}},
    {"ipv4 first fragment: ports",
     f_ipv4_first_fragment,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP4, .protocol = 17, .src_port = 4500, .dst_port = 4500, .ip_len = 1500}},
    {"icmp echo request",
     f_ipv4_icmp_echo,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP4, .protocol = 1, .dst_port = 8 << 8, .ip_len = 84}},
    {"icmp port unreachable",
     f_ipv4_icmp_unreach,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP4, .protocol = 1, .dst_port = 3 << 8 | 3, .ip_len = 56}},
    {"ipv6 hop-by-hop, routing, dstopts, tcp",
     f_ipv6_ext_tcp,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP6, .protocol = 6, .tcp_flags = 0x11, .src_port = 443, .dst_port = 52000,
      .ip_len = 40 + 160}},
    {"ipv6 later fragment",
     f_ipv6_later_fragment,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP6, .protocol = 17, .ip_len = 40 + 520, .is_fragment = true}},
    {"ipv6 first fragment: ports",
     f_ipv6_first_fragment,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP6, .protocol = 17, .src_port = 4433, .dst_port = 443, .ip_len = 40 + 1240}},
    {"icmpv6 echo request",
     f_ipv6_icmpv6,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP6, .protocol = 58, .dst_port = 128 << 8, .ip_len = 104}},
    {"ipv6 esp", f_ipv6_esp, PKT_LINK_ETHERNET, 0, {ETH_OK, IP6, .protocol = 50, .ip_len = 240}},
    {"raw ipv4 udp",
     f_raw_ipv4_udp,
     PKT_LINK_IP,
     0,
     {IP4, .protocol = 17, .src_port = 68, .dst_port = 67, .ip_len = 28}},
    {"raw ipv6 tcp",
     f_raw_ipv6_tcp,
     PKT_LINK_IP,
     0,
     {IP6, .protocol = 6, .tcp_flags = 0x12, .src_port = 25, .dst_port = 40000, .ip_len = 60}},
    {"pppoe ipv4 tcp",
     f_pppoe_ipv4_tcp,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP4, .protocol = 6, .tcp_flags = 0x01, .src_port = 1234, .dst_port = 80,
      .ip_len = 40}},
    {"pppoe ipv6 udp",
     f_pppoe_ipv6_udp,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP6, .protocol = 17, .src_port = 546, .dst_port = 547, .ip_len = 48}},
    {"arp", f_arp, PKT_LINK_ETHERNET, ERR_UNSUPPORTED, {ETH_OK}},
    {"802.3 llc", f_8023_llc, PKT_LINK_ETHERNET, ERR_UNSUPPORTED, {ETH_OK}},
    {"pppoe lcp", f_pppoe_lcp, PKT_LINK_ETHERNET, ERR_UNSUPPORTED, {ETH_OK}},
    {"ethernet header cut",
     f_short_ethernet,
     PKT_LINK_ETHERNET,
     ERR_TRUNCATED,
     {.truncated = true}},
    {"cut in a vlan tag",
     f_cut_in_vlan_tag,
     PKT_LINK_ETHERNET,
     ERR_TRUNCATED,
     {ETH_OK, .vlan = 100, .truncated = true}},
    {"cut in the ipv4 header",
     f_cut_in_ipv4,
     PKT_LINK_ETHERNET,
     ERR_TRUNCATED,
     {ETH_OK, .truncated = true}},
    {"cut in ipv4 options",
     f_cut_in_ipv4_options,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP4, .protocol = 6, .ip_len = 1500, .truncated = true}},
    {"cut in the ipv6 header",
     f_cut_in_ipv6,
     PKT_LINK_ETHERNET,
     ERR_TRUNCATED,
     {ETH_OK, .truncated = true}},
    {"cut in an ipv6 extension header",
     f_cut_in_ipv6_ext,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP6, .protocol = 0, .ip_len = 1040, .truncated = true}},
    {"cut in an ipv6 fragment header",
     f_cut_in_ipv6_frag,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP6, .protocol = 44, .ip_len = 1040, .truncated = true}},
    {"cut in tcp: ports, no flags",
     f_cut_in_tcp,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP4, .protocol = 6, .src_port = 40000, .dst_port = 443, .ip_len = 1500,
      .truncated = true}},
    {"cut before the udp ports",
     f_cut_before_ports,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP6, .protocol = 17, .ip_len = 1040, .truncated = true}},
    {"cut in icmp",
     f_cut_in_icmp,
     PKT_LINK_ETHERNET,
     0,
     {ETH_OK, IP4, .protocol = 1, .ip_len = 84, .truncated = true}},
    {"ethertype ipv6, version 4",
     f_ethertype_v6_header_v4,
     PKT_LINK_ETHERNET,
     ERR_UNSUPPORTED,
     {ETH_OK}},
    {"ipv4 ihl 4", f_ipv4_ihl_below_5, PKT_LINK_ETHERNET, ERR_UNSUPPORTED, {ETH_OK}},
    {"raw ip version 5", f_raw_version_5, PKT_LINK_IP, ERR_UNSUPPORTED, {0}},
    {"raw ip, nothing captured", f_empty, PKT_LINK_IP, ERR_TRUNCATED, {.truncated = true}},
    {"ethernet, nothing captured", f_empty, PKT_LINK_ETHERNET, ERR_TRUNCATED, {.truncated = true}},
};

static void check_info(const struct pkt_info *got, const struct pkt_info *want)
{
    ASSERT_EQ_INT(got->has_mac, want->has_mac);
    ASSERT_MEMEQ(got->src_mac, want->src_mac, 6);
    ASSERT_MEMEQ(got->dst_mac, want->dst_mac, 6);
    ASSERT_EQ_U64(got->vlan, want->vlan);
    ASSERT_EQ_INT(got->is_ip, want->is_ip);
    ASSERT_MEMEQ(got->src.b, want->src.b, 16);
    ASSERT_MEMEQ(got->dst.b, want->dst.b, 16);
    ASSERT_EQ_U64(got->protocol, want->protocol);
    ASSERT_EQ_U64(got->tcp_flags, want->tcp_flags);
    ASSERT_EQ_U64(got->src_port, want->src_port);
    ASSERT_EQ_U64(got->dst_port, want->dst_port);
    ASSERT_EQ_U64(got->ip_len, want->ip_len);
    ASSERT_EQ_INT(got->is_fragment, want->is_fragment);
    ASSERT_EQ_INT(got->truncated, want->truncated);
}

static void test_frames(void)
{
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const struct pkt_case *c = &cases[i];
        static struct pktbuf p;
        p.n = 0;
        c->build(&p);
        struct pkt_info got;
        memset(&got, 0xa5, sizeof got); /* every field must be written */
        bool failed_before = test_current_failed;
        test_current_failed = false;
        ASSERT_EQ_INT(decode_pkt(p.b, p.n, c->link, &got), c->rc);
        check_info(&got, &c->want);
        if (test_current_failed)
            printf("#   in case \"%s\"\n", c->name);
        test_current_failed = test_current_failed || failed_before;
    }
}

/* Every prefix of a frame decodes without reading past it (ASan watches the copy), and a
 * longer capture never knows less than a shorter one. */
static void test_every_truncation(void)
{
    static struct pktbuf p;
    p.n = 0;
    f_ipv6_ext_tcp(&p);
    bool was_ip = false;
    for (size_t n = 0; n <= p.n; n++) {
        uint8_t copy[256];
        memcpy(copy, p.b, n);
        struct pkt_info got;
        int rc = decode_pkt(copy, n, PKT_LINK_ETHERNET, &got);
        ASSERT_TRUE(rc == 0 || rc == ERR_TRUNCATED);
        ASSERT_EQ_INT(got.truncated, n < p.n - 6); /* TCP needs 14 of its 20 bytes */
        if (was_ip)
            ASSERT_TRUE(got.is_ip);
        was_ip = got.is_ip;
    }
    ASSERT_TRUE(was_ip);
}

int main(void)
{
    RUN(test_frames);
    RUN(test_every_truncation);
    return test_done();
}
