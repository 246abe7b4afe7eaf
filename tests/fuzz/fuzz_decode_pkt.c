// SPDX-License-Identifier: MIT
// libFuzzer target for decode_pkt(). The first input byte picks the link type (bit 0:
// Ethernet or raw IP), the rest is the captured frame, copied into an allocation of exactly
// its size. Besides the field invariants, two differential checks: an Ethernet frame
// carrying plain IPv4/IPv6 decodes to the same IP fields as its payload decoded as raw IP,
// and a capture one byte shorter never knows more than the whole one.
#include "../../src/collect/decode_pkt.h"
#include "fuzz.h"

static void check_info(const uint8_t *pkt, size_t len, enum pkt_link link, int rc,
                       const struct pkt_info *pi)
{
    static const struct ip_addr zero;
    FUZZ_CHECK(rc == 0 || rc == ERR_UNSUPPORTED || rc == ERR_TRUNCATED);
    FUZZ_CHECK((rc == 0) == pi->is_ip);
    if (rc == ERR_TRUNCATED)
        FUZZ_CHECK(pi->truncated);
    if (!pi->is_ip) {
        FUZZ_CHECK(pi->protocol == 0 && pi->tcp_flags == 0 && pi->ip_len == 0);
        FUZZ_CHECK(pi->src_port == 0 && pi->dst_port == 0 && !pi->is_fragment);
        FUZZ_CHECK(addr_eq(&pi->src, &zero) && addr_eq(&pi->dst, &zero));
    } else {
        /* IPv4 total length, or 40 + the IPv6 payload length. */
        FUZZ_CHECK(pi->ip_len <= 65535 + 40);
    }
    if (link == PKT_LINK_IP) {
        FUZZ_CHECK(!pi->has_mac && pi->vlan == 0);
    } else {
        FUZZ_CHECK(pi->has_mac == (len >= 14));
        if (pi->has_mac)
            FUZZ_CHECK(memcmp(pi->dst_mac, pkt, 6) == 0 && memcmp(pi->src_mac, pkt + 6, 6) == 0);
    }
    FUZZ_CHECK(pi->vlan <= 0x0fff);
    if (pi->is_fragment)
        FUZZ_CHECK(pi->src_port == 0 && pi->dst_port == 0 && pi->tcp_flags == 0);
    if (pi->tcp_flags)
        FUZZ_CHECK(pi->protocol == 6);
    if (pi->src_port)
        FUZZ_CHECK(pi->protocol == 6 || pi->protocol == 17);
    if (pi->dst_port)
        FUZZ_CHECK(pi->protocol == 1 || pi->protocol == 6 || pi->protocol == 17 ||
                   pi->protocol == 58);
}

static int decode_copy(const uint8_t *data, size_t len, enum pkt_link link, struct pkt_info *pi)
{
    uint8_t *buf = malloc(len);
    if (!buf)
        abort();
    if (len)
        memcpy(buf, data, len);
    int rc = decode_pkt(buf, len, link, pi);
    check_info(buf, len, link, rc, pi);
    free(buf);
    return rc;
}

static bool same_ip(const struct pkt_info *a, const struct pkt_info *b)
{
    return a->is_ip == b->is_ip && addr_eq(&a->src, &b->src) && addr_eq(&a->dst, &b->dst) &&
           a->protocol == b->protocol && a->tcp_flags == b->tcp_flags &&
           a->src_port == b->src_port && a->dst_port == b->dst_port && a->ip_len == b->ip_len &&
           a->is_fragment == b->is_fragment && a->truncated == b->truncated;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    enum pkt_link link = data[0] & 1 ? PKT_LINK_IP : PKT_LINK_ETHERNET;
    const uint8_t *pkt = data + 1;
    size_t len = size - 1;
    struct pkt_info full;
    int rc = decode_copy(pkt, len, link, &full);

    if (link == PKT_LINK_ETHERNET && len > 14) {
        uint16_t type = be16(pkt + 12);
        uint8_t version = pkt[14] >> 4;
        if ((type == 0x0800 && version == 4) || (type == 0x86dd && version == 6)) {
            struct pkt_info raw;
            int rc_raw = decode_copy(pkt + 14, len - 14, PKT_LINK_IP, &raw);
            FUZZ_CHECK(rc_raw == rc && same_ip(&raw, &full));
        }
    }
    if (len > 0) {
        struct pkt_info shorter;
        decode_copy(pkt, len - 1, link, &shorter);
        if (shorter.is_ip) {
            FUZZ_CHECK(full.is_ip && addr_eq(&shorter.src, &full.src) &&
                       addr_eq(&shorter.dst, &full.dst) && shorter.ip_len == full.ip_len);
            if (shorter.src_port || shorter.dst_port)
                FUZZ_CHECK(shorter.src_port == full.src_port && shorter.dst_port == full.dst_port);
            if (!shorter.truncated)
                FUZZ_CHECK(same_ip(&shorter, &full));
        }
    }
    return 0;
}
