// SPDX-License-Identifier: MIT
// DHCP lease file parsers: ISC dhcpd's dhcpd.leases (IPv4 and IPv6) and Kea's memfile CSV
// (lease4 and lease6). They turn a server's lease database into struct lease records, in
// file order, for bind.c to turn into bindings (leasefile.c); they know nothing of the
// store. Pure functions over a buffer, plus one helper that reads a whole file.
#ifndef FT_LEASES_H
#define FT_LEASES_H

#include "../flow/binding.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LEASES_FILE_MAX ((size_t)256 << 20) /* leases_parse_file refuses larger files */

struct lease_counters {
    uint64_t leases;  /* leases emitted */
    uint64_t skipped; /* malformed blocks (ISC) or rows (Kea) skipped; lenient mode only */
};

/* What every parser below shares:
 *
 * - Every record is emitted, in file order. Both servers append a new record whenever a
 *   lease changes (renewal, expiry, release), so the same address appears many times and
 *   the last one is current; the caller orders and merges them.
 * - Times are UTC milliseconds, whole seconds. end_ms 0 means open-ended ("ends never",
 *   Kea's infinite lifetime 4294967295). A record whose end is before its start is
 *   malformed.
 * - IPv4 leases have ip = ::ffff:a.b.c.d and prefix_len 128. IPv6 addresses (IA_NA, IA_TA)
 *   have prefix_len 128; a delegated prefix (IA_PD) has ip = the prefix's first address
 *   and prefix_len its length (1..128), host bits clear.
 * - mac is set (has_mac) from an Ethernet hardware address. For IPv6, when the server
 *   recorded none, it is taken from the client's DUID when that is a DUID-LLT or DUID-LL
 *   of hardware type 1 (RFC 8415 §11.2, §11.4), as Kea's "duid" MAC source does.
 * - On a syntax error the parser writes "FILE:LINE: expected X, got Y" into errbuf
 *   (ERR_BUF_LEN bytes; FILE is `filename`) and returns ERR_MALFORMED; the leases before
 *   the bad block have been emitted. With `lenient`, the bad block (ISC) or row (Kea) is
 *   skipped and counted in c->skipped, the first error stays in errbuf, and parsing goes
 *   on: the daemon reads files that a DHCP server may be appending to. errbuf is "" when
 *   nothing was wrong.
 * - OUT: *c is set (not added to). emit receives each lease borrowed for the call.
 * - Reentrant: no global state, no allocation (leases_parse_file allocates the file). */

/* Parses ISC dhcpd's lease file (dhcpd.leases(5)): `lease ADDR { ... }` blocks (IPv4) and
 * `ia-na`, `ia-ta`, `ia-pd` blocks (IPv6) with `iaaddr` / `iaprefix` inside; every other
 * top-level statement (server-duid, authoring-byte-order, failover peer, host, ...) and
 * every statement we do not use (uid, client-hostname, set, on ... { ... }) is skipped.
 *
 * IPv4: start_ms from `starts`, end_ms from `ends` (0 when the block has none: dhcpd
 * omits them for a lease never handed out). Dates are
 * `W YYYY/MM/DD HH:MM:SS` in UTC, or `epoch N` (db-time-format local: N is unix time, the
 * local-time comment after it is ignored), or `never` for ends. is_active is true for the
 * binding states active and bootp, and when a block has no binding state (dhcpd before 3.0
 * wrote none: its `ends` alone says when the lease stops); free, expired, released,
 * abandoned, reset, backup and reserved give false, as does the old `abandoned;`. MAC from
 * `hardware ethernet`; other hardware types give none.
 *
 * IPv6: start_ms from the IA's `cltt` (or ends - max-life without one), end_ms from the
 * address's `ends` (or start + max-life without one). The MAC comes from the DUID in the
 * IA's IAID_DUID. All addresses of an IA are emitted when its block closes.
 *
 * Returns 0 or ERR_MALFORMED (never in lenient mode). */
int leases_parse_isc(const char *text, size_t len, const char *filename, bool lenient,
                     lease_emit_fn *emit, void *ctx, struct lease_counters *c, char *errbuf);

/* Parses Kea's memfile lease file, CSV with a header line that names the columns: lease4
 * (address,hwaddr,client_id,valid_lifetime,expire,subnet_id,...,state,...) or lease6
 * (address,duid,valid_lifetime,expire,subnet_id,pref_lifetime,lease_type,iaid,prefix_len,
 * ...,hwaddr,state,...). Columns are found by their header name, so every schema version
 * Kea has written is read; a header with `lease_type` is lease6. Every row must have as
 * many columns as the header. Kea escapes commas inside fields, so a plain split is exact.
 *
 * start_ms = expire - valid_lifetime, end_ms = expire (0 for an infinite lifetime).
 * is_active is state 0 (default); 1 (declined), 2 (expired-reclaimed) and any later state
 * give false, and so does valid_lifetime 0, which is how Kea records a deleted lease.
 * lease6 lease_type 2 (IA_PD) is a delegated prefix of prefix_len bits.
 *
 * Returns 0 or ERR_MALFORMED. A header that lacks a needed column (address,
 * valid_lifetime, expire; hwaddr for lease4; duid and prefix_len for lease6) is an error
 * even in lenient mode: no row can be read without it. An empty text has no leases. */
int leases_parse_kea(const char *text, size_t len, const char *filename, bool lenient,
                     lease_emit_fn *emit, void *ctx, struct lease_counters *c, char *errbuf);

/* Picks the parser by content: text starting with "address," is Kea's CSV, anything else
 * (an empty file included) is ISC's. Returns what that parser returns. */
int leases_parse(const char *text, size_t len, const char *filename, bool lenient,
                 lease_emit_fn *emit, void *ctx, struct lease_counters *c, char *errbuf);

/* Reads the whole file at `path` and parses it with leases_parse, naming it by `path` in
 * messages. Returns what leases_parse returns, or -errno when the file cannot be read and
 * ERR_LIMIT when it is larger than LEASES_FILE_MAX, with "PATH: reason" in errbuf. */
int leases_parse_file(const char *path, bool lenient, lease_emit_fn *emit, void *ctx,
                      struct lease_counters *c, char *errbuf);

#endif
