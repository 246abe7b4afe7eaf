// SPDX-License-Identifier: MIT
// Applications: names for traffic by its remote port (HTTPS, DNS, BitTorrent...), loaded at
// startup from a protocol list in ntop's format and asked once per flow by classify/. The
// match is three array reads' worth of work: one 65536-entry table per transport (TCP, UDP)
// and one 256-entry table for other IP protocols.
//
// The file: one application per line, `NAME=spec|spec|...`, '#' comments, blank lines;
// whitespace around '=' and '|' is ignored. A spec is
//   80           port 80 over TCP and UDP
//   6881-6999    a range of ports, over TCP and UDP
//   http         a service name from /etc/services (Debian's netbase package), each of
//                TCP and UDP getting the port the file gives for it, if any
//   tcp:53       any of the above for TCP only (udp:53 for UDP only)
//   icmp         ICMP and ICMPv6 (IP protocols 1 and 58), whatever the port fields say
//   proto:47     any other IP protocol by number (GRE 47, ESP 50; not 6 or 17)
// A port (or protocol) belongs to one application: naming it again for another
// application is an error (not "first wins", not "last wins"), so an operator sees
// `HTTPS=443` clash with `QUIC=udp:443` and writes `HTTPS=tcp:443`. Naming it twice for
// the same application is harmless. Application names are [A-Za-z0-9_.+-]{1,32}, unique
// ignoring case; "other" (any case) is reserved for id 0, unmatched traffic.
#ifndef FT_APPS_H
#define FT_APPS_H

#include "../base/err.h"

#include <stddef.h>
#include <stdint.h>

#define APPS_MAX 4096         /* applications per table, "other" not included */
#define APPS_NAME_MAX 32      /* characters in an application name */
#define APPS_OTHER 0          /* the id of unmatched traffic, named "other" */
#define APPS_NO_ID UINT16_MAX /* apps_find(): no such application */

struct app_table;

/* Loads an application list. Returns a new table; caller frees with apps_free(). Returns
 * NULL on any error, with "FILE:LINE: expected ..., got ..." in errbuf (ERR_BUF_LEN bytes;
 * "" on success).
 * Service names are resolved here, once, with getservbyname_r(). Not thread-safe (startup
 * and reload only); the table it returns is read-only and may be shared between threads. */
struct app_table *apps_load(const char *path, char *errbuf);

void apps_free(struct app_table *t);

/* Number of applications with "other" included: ids are 0..n-1, 0 being "other" and the
 * file's applications following in file order. */
size_t apps_count(const struct app_table *t);

/* The application's name ("other" for 0); "?" for an id out of range. Borrowed from the
 * table. */
const char *apps_name(const struct app_table *t, uint16_t id);

/* The id of the application named `name` (ignoring case), or APPS_NO_ID. */
uint16_t apps_find(const struct app_table *t, const char *name);

/* The application of a flow with IP protocol ip_proto (6 TCP, 17 UDP, ...) whose remote
 * end uses remote_port (ignored for protocols other than TCP and UDP); APPS_OTHER if none.
 * Which end is "remote" is the caller's decision. O(1), lock-free, any thread. */
uint16_t apps_match(const struct app_table *t, uint8_t ip_proto, uint16_t remote_port);

#endif
