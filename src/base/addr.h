// SPDX-License-Identifier: MIT
// IP addresses as one 16-byte value: IPv6 as is, IPv4 as IPv4-mapped (::ffff:a.b.c.d), so
// every table and trie handles both families with one key type. Parsing and printing of
// addresses and prefixes ("10.0.0.0/8", "fd00::/8") lives here too.
#ifndef FT_ADDR_H
#define FT_ADDR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

struct sockaddr_storage;

#define ADDR_STR_LEN 46 /* INET6_ADDRSTRLEN */

struct ip_addr {
    uint8_t b[16]; /* network byte order; IPv4 as ::ffff:a.b.c.d */
};

static inline struct ip_addr addr_from_v4(uint32_t v4) /* v4 in host byte order */
{
    struct ip_addr a = {.b = {[10] = 0xff, [11] = 0xff}};
    a.b[12] = (uint8_t)(v4 >> 24);
    a.b[13] = (uint8_t)(v4 >> 16);
    a.b[14] = (uint8_t)(v4 >> 8);
    a.b[15] = (uint8_t)v4;
    return a;
}

static inline struct ip_addr addr_from_v6(const uint8_t b[16])
{
    struct ip_addr a;
    memcpy(a.b, b, 16);
    return a;
}

static inline bool addr_is_v4(const struct ip_addr *a)
{
    static const uint8_t mapped[12] = {[10] = 0xff, [11] = 0xff};
    return memcmp(a->b, mapped, 12) == 0;
}

static inline bool addr_eq(const struct ip_addr *a, const struct ip_addr *b)
{
    return memcmp(a->b, b->b, 16) == 0;
}

/* High and low 64 bits of the address as integers, for hashing and prefix arithmetic.
 * (One load and a byte swap: these run several times per flow.) */
static inline uint64_t addr_hi(const struct ip_addr *a)
{
    uint64_t v;
    memcpy(&v, a->b, 8);
    return __builtin_bswap64(v);
}

static inline uint64_t addr_lo(const struct ip_addr *a)
{
    uint64_t v;
    memcpy(&v, a->b + 8, 8);
    return __builtin_bswap64(v);
}

/* Parses an IPv4 or IPv6 literal. Returns 0, or ERR_MALFORMED. */
int addr_parse(const char *s, struct ip_addr *out);

/* Writes the address as text (dotted quad for IPv4) into buf of ADDR_STR_LEN bytes. */
const char *addr_format(const struct ip_addr *a, char *buf);

/* Parses "ADDR/LEN" (or a bare address, meaning a host prefix). OUT: *len is in the 128-bit
 * space (an IPv4 /8 is 104). Host bits set below the length are an error, so a typo such as
 * 10.1.2.3/8 is reported rather than silently widened. Returns 0 or ERR_MALFORMED. */
int prefix_parse(const char *s, struct ip_addr *out, unsigned *len);

/* Parses an observation point "ADDR" or "ADDR@IFINDEX". OUT: *has_if, *ifindex. Returns 0
 * or ERR_MALFORMED. */
int addr_parse_point(const char *s, struct ip_addr *out, bool *has_if, uint32_t *ifindex);

/* Formats a prefix as the operator wrote it ("10.0.0.0/8"). buf holds ADDR_STR_LEN + 4. */
const char *prefix_format(const struct ip_addr *a, unsigned len, char *buf);

/* Splits "ADDR:PORT" or "[ADDR]:PORT" into an address and port. Returns 0 or ERR_MALFORMED. */
int addr_parse_endpoint(const char *spec, struct ip_addr *addr, uint16_t *port);

/* Fills ss with a and port as the socket API takes them: AF_INET for an IPv4-mapped
 * address, AF_INET6 otherwise. Returns the length to pass with it (a socklen_t). */
unsigned addr_sockaddr(const struct ip_addr *a, uint16_t port, struct sockaddr_storage *ss);

#endif
