// SPDX-License-Identifier: MIT
// Shared by the lease file parsers only (leases.c, leases_isc.c, leases_kea.c): limits,
// error reporting with file:line, and the small field parsers both formats use.
#ifndef FT_LEASES_INTERNAL_H
#define FT_LEASES_INTERNAL_H

#include "leases.h"

#include "../base/quote.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAX_SECONDS 253402300799ULL   /* 9999-12-31 23:59:59 UTC: the last 4-digit year */
#define LIFETIME_INFINITE 0xffffffffu /* RFC 8415 §7.7, and Kea's infinite valid lifetime */
#define SHOWN_MAX 48                  /* bytes of input quoted in a message */
#define SHOWN_LEN QUOTE_LEN(SHOWN_MAX)
#define DUID_MAX 130  /* RFC 8415 §11.1: a 2-byte type and up to 128 bytes */
#define HWADDR_MAX 20 /* the longest link-layer address DHCP carries (InfiniBand) */

struct report {
    const char *filename; /* borrowed */
    char *errbuf;         /* caller's, ERR_BUF_LEN bytes */
    bool has_error;       /* errbuf holds the first error; later ones are not written */
};

/* Writes "FILE:LINE: expected WHAT, got GOT" unless an error is already there. Returns
 * ERR_MALFORMED, so parsers can `return leases_fail(...)`. */
__attribute__((format(printf, 4, 5))) int leases_fail(struct report *r, size_t line,
                                                      const char *got, const char *fmt, ...);

/* Quotes input for a message (base/quote.h). out holds SHOWN_LEN bytes. */
const char *leases_quote(char *out, const char *p, size_t n);

/* Copies n bytes of input into a C string. False if they do not fit in cap (with the NUL)
 * or contain a NUL, which would cut the text short and hide what follows. */
bool leases_copy_text(char *dst, size_t cap, const char *p, size_t n);

/* Parses n decimal digits (nothing else) no greater than max. */
bool leases_parse_uint(const char *p, size_t n, uint64_t max, uint64_t *out);

/* Parses hex octets separated by ':' ("0:16:3e:a:b:c" or "00:16:3e:0a:0b:0c"; dhcpd
 * versions differ in the leading zero). Returns the number of octets, or -1 if the text is
 * anything else or holds more than cap octets. */
int leases_hex_octets(const char *p, size_t n, uint8_t *out, size_t cap);

/* RFC 8415 §11.2 (DUID-LLT: type 1, hardware type, time, address) and §11.4 (DUID-LL:
 * type 3, hardware type, address). Only hardware type 1 (Ethernet) has a MAC. */
bool leases_duid_mac(const uint8_t *duid, size_t n, uint8_t mac[6]);

/* "YYYY/MM/DD" (months and days of one or two digits) as seconds at midnight UTC. */
bool leases_parse_ymd(const char *p, size_t n, uint64_t *out);

/* "HH:MM:SS" as seconds since midnight. dhcpd never writes a leap second. */
bool leases_parse_hms(const char *p, size_t n, uint64_t *out);

#endif
