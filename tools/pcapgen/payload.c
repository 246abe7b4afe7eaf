// SPDX-License-Identifier: MIT
// Payload synthesis. DNS (RFC 1035) and NTP (RFC 5905) messages are well
// formed because tcpdump decodes those ports and would flag garbage as
// malformed, which would make the capture look broken in test logs. Each
// message is rebuilt from (key, exchange) so query and answer agree.

#include "payload.h"

#include <string.h>

#include "rng.h"

static const char *const dns_labels[] = {
    "www", "api", "cdn", "mail", "static", "img", "login", "update",
};
static const char *const dns_domains[] = {
    "example",
    "test-site",
    "sample-shop",
};
static const char *const dns_tlds[] = {"com", "net", "org"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void put_be16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

// Appends one length-prefixed label (RFC 1035 section 3.1).
static size_t put_label(uint8_t *p, const char *label)
{
    size_t n = strlen(label);

    p[0] = (uint8_t)n;
    memcpy(p + 1, label, n);
    return n + 1;
}

// Question section: QNAME, QTYPE, QCLASS IN (RFC 1035 section 4.1.2).
static size_t put_question(struct rng *r, int family, uint8_t *p)
{
    size_t len = 0;

    len += put_label(p + len, dns_labels[rng_next(r) % COUNT(dns_labels)]);
    len += put_label(p + len, dns_domains[rng_next(r) % COUNT(dns_domains)]);
    len += put_label(p + len, dns_tlds[rng_next(r) % COUNT(dns_tlds)]);
    p[len++] = 0;                            // root label ends the name
    put_be16(p + len, family == 4 ? 1 : 28); // A or AAAA
    put_be16(p + len + 2, 1);                // class IN
    return len + 4;
}

// One answer RR pointing back at the question name via compression
// (0xc00c = offset 12, right after the header). Addresses come from the
// documentation ranges so nothing resembles a real service.
static size_t put_answer(struct rng *r, int family, uint8_t *p)
{
    size_t rdlen = family == 4 ? 4 : 16;

    put_be16(p, 0xc00c);
    put_be16(p + 2, family == 4 ? 1 : 28);
    put_be16(p + 4, 1);
    put_be16(p + 6, 0);   // TTL high half
    put_be16(p + 8, 300); // TTL low half: 5 minutes
    put_be16(p + 10, (uint16_t)rdlen);
    memset(p + 12, 0, rdlen);
    if (family == 4) {
        p[12] = 203; // TEST-NET-3, RFC 5737
        p[14] = 113;
        p[15] = (uint8_t)rng_range(r, 1, 254);
    } else {
        p[12] = 0x20; // 2001:db8:ff::/64, RFC 3849
        p[13] = 0x01;
        p[14] = 0x0d;
        p[15] = 0xb8;
        p[17] = 0xff;
        p[27] = (uint8_t)rng_range(r, 1, 254);
    }
    return 12 + rdlen;
}

size_t payload_dns(uint64_t key, unsigned n, int response, int family, uint8_t *out)
{
    struct rng r;
    size_t len = 12;

    rng_init(&r, mix64(key + n));
    put_be16(out, (uint16_t)rng_next(&r));         // transaction id
    put_be16(out + 2, response ? 0x8180 : 0x0100); // RD, plus QR|RA
    put_be16(out + 4, 1);                          // QDCOUNT
    put_be16(out + 6, response ? 1 : 0);           // ANCOUNT
    put_be16(out + 8, 0);
    put_be16(out + 10, 0);
    len += put_question(&r, family, out + len);
    if (response)
        len += put_answer(&r, family, out + len);
    return len;
}

size_t payload_ntp(uint64_t key, unsigned n, int response, uint8_t *out)
{
    struct rng r;

    rng_init(&r, mix64(key ^ (uint64_t)n << 32));
    memset(out, 0, NTP_MSG_LEN);
    out[0] = response ? 0x24 : 0x23; // LI 0, version 4, mode 4 / 3
    out[1] = response ? 2 : 0;       // stratum
    out[2] = 6;                      // poll: 64 s
    out[3] = 0xec;                   // precision: about 1 us
    if (response) {
        out[12] = 192; // reference id: an upstream in TEST-NET-1
        out[14] = 2;
        out[15] = (uint8_t)rng_range(&r, 1, 254);
        payload_fill(rng_next(&r), out + 16, 8);  // reference ts
        payload_fill(rng_next(&r), out + 32, 16); // receive, transmit
    }
    // The origin/transmit timestamp is the client's nonce.
    payload_fill(mix64(key + n), out + (response ? 24 : 40), 8);
    return NTP_MSG_LEN;
}

void payload_fill(uint64_t key, uint8_t *out, size_t len)
{
    struct rng r;
    size_t i;

    rng_init(&r, key);
    for (i = 0; i < len; i++)
        out[i] = (uint8_t)(rng_next(&r) >> 56);
}
