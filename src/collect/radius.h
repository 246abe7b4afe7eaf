// SPDX-License-Identifier: MIT
// RADIUS accounting decoder (RFC 2866): verifies an Accounting-Request from a known client
// (NAS) with its shared secret, reduces it to a struct radius_event (flow/binding.h) and
// writes the Accounting-Response that tells the NAS to stop retransmitting. Push-style, no
// I/O: the caller owns the socket, the client list and the duplicate cache.
#ifndef FT_RADIUS_H
#define FT_RADIUS_H

#include "../base/addr.h"
#include "../flow/binding.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RADIUS_HEADER_LEN 20   /* Code, Identifier, Length, Authenticator (RFC 2865 §3) */
#define RADIUS_MAX_LEN 4096    /* RFC 2865 §3: the largest Length */
#define RADIUS_RESPONSE_LEN 20 /* our Accounting-Response carries no attributes */
#define RADIUS_SECRET_MAX 127  /* bytes of shared secret we accept */
#define RADIUS_DEDUP_SLOTS 1024

#define RADIUS_CODE_ACCOUNTING_REQUEST 4 /* RFC 2866 §4.1 */
#define RADIUS_CODE_ACCOUNTING_RESPONSE 5

/* A RADIUS client (NAS) allowed to send accounting, with its shared secret. */
struct radius_client {
    struct ip_addr addr;                /* prefix the datagram's source must be in */
    unsigned prefix_len;                /* in the 128-bit space: an IPv4 host is 128 */
    char secret[RADIUS_SECRET_MAX + 1]; /* NUL-terminated; never logged */
    size_t secret_len;                  /* 1..RADIUS_SECRET_MAX */
};

/* Every call to radius_handle() adds one to `requests` and one to exactly one other
 * counter, so requests == accepted + duplicates + the sum of the drop_* counters. */
struct radius_counters {
    uint64_t requests;               /* datagrams handled */
    uint64_t accepted;               /* verified, decoded and answered, first time seen */
    uint64_t drop_unknown_client;    /* source in no client prefix: no secret to check */
    uint64_t drop_bad_authenticator; /* Request Authenticator mismatch (wrong secret?) */
    uint64_t drop_malformed;         /* lengths, attributes or Acct-Status-Type wrong */
    uint64_t drop_not_accounting;    /* Code other than Accounting-Request */
    uint64_t duplicates;             /* retransmissions: answered again, not applied */
};

/* The requests answered recently, to recognise retransmissions. RFC 2865 §3 (Identifier)
 * calls a request with the same client address, UDP port and Identifier within a short span
 * a duplicate; without the port, we match the client address, Identifier and Request
 * Authenticator, which is a digest of the whole request, so a reused Identifier with new
 * content is a new request. (A retransmission with a new Acct-Delay-Time must take a new
 * Identifier, RFC 2866 §5.2, and so is new too.) A ring of the last RADIUS_DEDUP_SLOTS
 * verified requests over all clients: a NAS retransmits within seconds, which this covers
 * up to a few hundred requests per second. Caller-owned, about 33 kB; one per
 * radius_handle() caller (not thread-safe). */
struct radius_dedup_entry {
    struct ip_addr client; /* datagram source */
    uint8_t id;            /* Identifier */
    uint8_t auth[16];      /* Request Authenticator */
};

struct radius_dedup {
    struct radius_dedup_entry slots[RADIUS_DEDUP_SLOTS];
    size_t n;    /* slots in use, <= RADIUS_DEDUP_SLOTS */
    size_t next; /* slot the next request overwrites */
};

/* Empties a duplicate cache in caller-owned storage. */
void radius_dedup_init(struct radius_dedup *d);

/* Verifies and decodes one datagram received from `from`.
 *
 * clients, n_clients: allowed NASes; the longest prefix containing `from` gives the secret.
 * dedup: the duplicate cache, or NULL to recognise no retransmissions.
 * pkt, len: the datagram; bytes past its Length field are padding and ignored (RFC 2865 §3).
 * now_ms: receive time, ms since the epoch UTC, used when there is no Event-Timestamp.
 * OUT: ev, the event (filled on success only). ev->time_ms is Event-Timestamp * 1000, or
 *   now_ms, minus Acct-Delay-Time * 1000 (RFC 2866 §5.2), never below 0. ev->status is the
 *   Acct-Status-Type as sent: values other than those of enum radius_acct_status (Tunnel-*,
 *   Failed) are answered and passed through for the caller to ignore. The address fields:
 *   Framed-IP-Address (RFC 2865 §5.8; the "NAS/user selects" values 255.255.255.254 and
 *   .255 count as absent) goes to addr/prefix_len 128. The IPv6 prefix is
 *   Delegated-IPv6-Prefix (RFC 4818) if present, else Framed-IPv6-Prefix (RFC 3162 §2.3),
 *   host bits cleared; it goes to addr6/prefix6_len/has_addr6 when there is also an IPv4
 *   address, else to addr/prefix_len/has_addr (binding.h). ev->user and ev->session_id are
 *   NUL-terminated, empty when absent; a NUL inside either is malformed.
 * OUT: is_duplicate, true when the request repeats one in dedup: it was answered and
 *   decoded again, but the caller must not apply it twice.
 * OUT: resp, resp_cap >= RADIUS_RESPONSE_LEN: the Accounting-Response (RFC 2866 §4.2) to
 *   send back to `from` (to its source port).
 * c: counters, one cause per call (see struct radius_counters).
 *
 * Returns the response length (> 0) on success; otherwise nothing is to be sent and it
 * returns -EACCES (unknown client or bad authenticator), ERR_UNSUPPORTED (not an
 * Accounting-Request) or ERR_MALFORMED. Thread affinity: the caller's, with its dedup and
 * counters. */
int radius_handle(const struct radius_client *clients, size_t n_clients, struct radius_dedup *dedup,
                  const struct ip_addr *from, const uint8_t *pkt, size_t len, uint64_t now_ms,
                  struct radius_event *ev, bool *is_duplicate, uint8_t *resp, size_t resp_cap,
                  struct radius_counters *c);

/* Parses "ADDR[/LEN]=SECRET", the syntax of one entry of the radius_clients key: a prefix as
 * prefix_parse() takes it, then everything after the first '=' as the secret (1 to
 * RADIUS_SECRET_MAX bytes, taken verbatim). OUT: out. Returns 0 or ERR_MALFORMED. */
int radius_client_parse(const char *text, struct radius_client *out);

#endif
