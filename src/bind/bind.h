// SPDX-License-Identifier: MIT
// Who held an address when: the one place that decides what a binding event means. Every
// source of bindings (a static `bind`, a MAC registration, a DHCP lease, a RADIUS Start,
// Interim-Update or Stop, a log's mapping line) is turned into a struct bind_event here,
// then applied to a subscriber map in memory (bind_apply) and recorded in the store
// (bind_record). The daemon decides only when and on which thread each happens.
#ifndef FT_BIND_H
#define FT_BIND_H

#include "../base/addr.h"
#include "../classify/subscribers.h"
#include "../flow/binding.h"
#include "../flow/logline.h"
#include "../store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BIND_PREFIXES_MAX 2 /* RADIUS may frame an IPv4 address and an IPv6 prefix at once */

enum bind_kind {
    BIND_STATIC,       /* `bind`: an account holds a prefix for [start_ms, end_ms) */
    BIND_REGISTRATION, /* `register`: an account holds a MAC for [start_ms, end_ms) */
    BIND_LEASE,        /* DHCP: a MAC holds an address or prefix for [start_ms, end_ms) */
    BIND_START,        /* RADIUS Start/Interim, a mapping line: the account holds the
                          prefixes from start_ms on, until a Stop or another holder */
    BIND_STOP,         /* RADIUS Stop, a mapping line without user: the holding ends at end_ms */
};

struct bind_prefix {
    struct ip_addr addr;
    unsigned len; /* in the 128-bit space: 128 for an address (IPv4 too) */
};

struct bind_event {
    enum bind_kind kind;
    uint64_t seq;        /* the daemon's arrival order (1, 2, ...); 0 when unused */
    const char *source;  /* "radius", "log", "lease", ...: recorded with it; static */
    uint32_t subscriber; /* resolved account (bind_resolve, or a store row's id); 0: none */
    char account[BINDING_NAME_MAX]; /* "" for a lease, and for a Stop that ends any holder */
    char session[BINDING_NAME_MAX]; /* RADIUS Acct-Session-Id, "" if none */
    struct bind_prefix prefixes[BIND_PREFIXES_MAX];
    size_t n_prefixes; /* 0 for a registration */
    uint8_t mac[6];    /* registration and lease */
    uint64_t start_ms; /* ms since epoch UTC; START: when it began */
    uint64_t end_ms;   /* ms since epoch UTC; 0 = open-ended; STOP: when it ended */
};

/* What bind_resolve() decided. */
enum bind_resolution {
    BIND_ACCEPTED,     /* apply and record it */
    BIND_UNKNOWN_USER, /* names no account: not applied, not recorded (count it) */
};

/* Turns a verified RADIUS Accounting-Request into an event of `source` ("radius"; static
 * string). Start and Interim-Update are BIND_START, Stop is BIND_STOP, each at ev->time_ms,
 * with the framed IPv4 address and/or IPv6 prefix. Returns false for every other status
 * (Accounting-On/Off and the like: answered, nothing to bind). */
bool bind_event_from_radius(const struct radius_event *ev, const char *source,
                            struct bind_event *out);

/* Turns a log's mapping line into an event of `source` ("log"): with a user, BIND_START of
 * the address for that user from the line's time; without one ("- -"), BIND_STOP of the
 * address for whoever holds it. The line's MAC is not used. */
void bind_event_from_mapping(const struct log_mapping *m, const char *source,
                             struct bind_event *out);

/* Turns a parsed DHCP lease into BIND_LEASE of `source`. Returns false for a lease without a
 * hardware address or a start time: nothing ties it to a registration. */
bool bind_event_from_lease(const struct lease *l, const char *source, struct bind_event *out);

/* Sets e->subscriber from e->account as m knows it. A Stop without an account ends whoever
 * holds the address (subscriber 0). An account m does not know: BIND_UNKNOWN_USER, the
 * address stays unassigned. A lease (it names a MAC) and an event whose subscriber is set
 * already are accepted as they are. Thread: whoever owns m. */
enum bind_resolution bind_resolve(const struct subscriber_map *m, struct bind_event *e);

/* Called by bind_apply() for each prefix an event gives someone (static, lease, Start):
 * bound and leased prefixes count as local (classify/localnets.h). */
typedef void bind_local_fn(void *ctx, const struct ip_addr *a, unsigned len);

/* Applies a resolved event to m, by the rules in bind.c, calling local (may be NULL) for
 * each prefix it gives someone. Thread: whoever owns m (the daemon holds the workers). */
void bind_apply(struct subscriber_map *m, const struct bind_event *e, bind_local_fn *local,
                void *ctx);

/* Records a resolved event in the store, by the same rules: a static binding or a
 * registration as a binding, a lease as a lease, a Start as an open binding unless the
 * account holds one already, a Stop by ending the address's open bindings. Returns 0,
 * STORE_BINDING_HELD (a static binding the account holds already; errbuf says since when),
 * or a negative code with "could not record ...: why" in errbuf (ERR_BUF_LEN bytes).
 * Thread: the store's owner (the daemon's store thread). */
int bind_record(struct store *s, const struct bind_event *e, char *errbuf);

#endif
