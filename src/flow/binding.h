// SPDX-License-Identifier: MIT
// Records that tie addresses to subscribers over time, as the parsers of outside sources
// (DHCP lease files, RADIUS accounting) emit them. The daemon and the CLI turn them into
// bindings in the store; nothing in a parser knows about the store.
#ifndef FT_BINDING_H
#define FT_BINDING_H

#include "../base/addr.h"

#include <stdbool.h>
#include <stdint.h>

#define BINDING_NAME_MAX 254 /* RADIUS attributes carry at most 253 bytes of text */

/* One DHCP lease: an address held by a MAC for [start_ms, end_ms). */
struct lease {
    struct ip_addr ip;
    unsigned prefix_len; /* 128 for an address; < 128 for an IPv6 delegated prefix (IA_PD) */
    uint8_t mac[6];
    bool has_mac;      /* false for leases without a hardware address (skipped later) */
    uint64_t start_ms; /* ms since epoch UTC */
    uint64_t end_ms;   /* ms since epoch UTC; 0 = open-ended */
    bool is_active;    /* binding state active (ISC) / state 0 (Kea); expired, released
                          and free leases are emitted with is_active false and their times */
};

/* Receives parsed leases, in file order. Borrowed for the duration of the call. */
typedef void lease_emit_fn(void *ctx, const struct lease *l);

enum radius_acct_status {
    RADIUS_ACCT_START = 1, /* RFC 2866 §5.1 Acct-Status-Type values */
    RADIUS_ACCT_STOP = 2,
    RADIUS_ACCT_INTERIM = 3, /* Interim-Update */
    RADIUS_ACCT_ON = 7,      /* Accounting-On: the NAS restarted, its sessions ended */
    RADIUS_ACCT_OFF = 8,
};

/* One verified RADIUS Accounting-Request, reduced to what binds an address. */
struct radius_event {
    enum radius_acct_status status;
    char user[BINDING_NAME_MAX];       /* User-Name, NUL-terminated; maps to an account */
    char session_id[BINDING_NAME_MAX]; /* Acct-Session-Id, NUL-terminated */
    struct ip_addr addr;               /* Framed-IP-Address, or Framed-IPv6-Prefix */
    unsigned prefix_len;               /* in the 128-bit space: 128 for an IPv4 address */
    bool has_addr;
    struct ip_addr addr6; /* Framed-IPv6-Prefix when both are present */
    unsigned prefix6_len;
    bool has_addr6;
    uint64_t time_ms;   /* Event-Timestamp (minus Acct-Delay-Time) or now */
    struct ip_addr nas; /* the client that sent it */
};

#endif
