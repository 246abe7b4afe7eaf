// SPDX-License-Identifier: MIT
// Tests of the binding rules (src/bind/bind.c): sequences of events (static bindings,
// registrations, leases, RADIUS Start/Interim/Stop, mapping lines, unknown users), each
// followed by who holds an address at given times, written out by hand. Every sequence is
// applied to a map in memory (bind_apply); the ones whose rules the store shares are also
// recorded in a SQLite store (bind_record) and loaded back (bindings_load), which must
// answer the same. Also the conversions from RADIUS requests, mapping lines and leases.
#include "../../../src/base/err.h"
#include "../../../src/base/units.h"
#include "../../../src/bind/bind.h"
#include "../../../src/bind/bindings.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define T0 1790000000000ULL /* a reference time, ms */
#define MIN 60000ULL
#define OPEN 0 /* an end of 0: open-ended */

enum {
    START = BIND_START,
    STOP = BIND_STOP,
    STATIC = BIND_STATIC,
    REG = BIND_REGISTRATION,
    LEASE = BIND_LEASE
};

struct ev {
    int kind;
    const char *account; /* NULL: none (a lease, a Stop of whoever holds it) */
    const char *prefix;  /* NULL for a registration */
    const char *prefix6; /* a second prefix (RADIUS dual stack), or NULL */
    const char *mac;     /* registration and lease */
    uint64_t start_min;  /* minutes after T0; START: when */
    uint64_t end_min;    /* minutes after T0, OPEN; STOP: when */
    bool unknown;        /* bind_resolve() must refuse it */
};

struct check {
    const char *addr;
    int64_t min;         /* minutes after T0 */
    const char *account; /* who holds addr then; NULL: nobody */
};

#define N_EVENTS 8
#define N_CHECKS 10

struct scenario {
    const char *name;
    bool same_in_store; /* the store's rules give the same answers (see bind.c) */
    struct ev events[N_EVENTS];
    struct check checks[N_CHECKS];
};

static const char *const accounts[] = {"alice", "bob", "carol"};

static const struct scenario scenarios[] = {
    {"a RADIUS session: Start binds from its time, Stop ends at its time (exclusive)",
     true,
     {{START, "alice", "10.0.0.1", NULL, NULL, 10, 0, false},
      {STOP, "alice", "10.0.0.1", NULL, NULL, 0, 40, false}},
     {{"10.0.0.1", 9, NULL},
      {"10.0.0.1", 10, "alice"},
      {"10.0.0.1", 39, "alice"},
      {"10.0.0.1", 40, NULL},
      {"10.0.0.1", 1000, NULL}}},
    {"an Interim-Update of a held address changes nothing; the Stop still ends it",
     true,
     {{START, "alice", "10.0.0.1", NULL, NULL, 0, 0, false},
      {START, "alice", "10.0.0.1", NULL, NULL, 5, 0, false},
      {START, "alice", "10.0.0.1", NULL, NULL, 10, 0, false},
      {STOP, "alice", "10.0.0.1", NULL, NULL, 0, 20, false}},
     {{"10.0.0.1", 0, "alice"}, {"10.0.0.1", 19, "alice"}, {"10.0.0.1", 20, NULL}}},
    {"the address moves: a newer Start wins from its time",
     true,
     {{START, "alice", "10.0.0.1", NULL, NULL, 0, 0, false},
      {START, "bob", "10.0.0.1", NULL, NULL, 10, 0, false}},
     {{"10.0.0.1", 9, "alice"}, {"10.0.0.1", 10, "bob"}, {"10.0.0.1", 500, "bob"}}},
    {"a mapping line '- -' (Stop without user) ends whoever holds the address",
     true,
     {{START, "bob", "10.0.0.2", NULL, NULL, 0, 0, false},
      {STOP, NULL, "10.0.0.2", NULL, NULL, 0, 30, false},
      {START, "carol", "10.0.0.2", NULL, NULL, 45, 0, false}},
     {{"10.0.0.2", 29, "bob"},
      {"10.0.0.2", 30, NULL},
      {"10.0.0.2", 44, NULL},
      {"10.0.0.2", 45, "carol"}}},
    {"an unknown user binds nothing, and its Stop ends nothing",
     true,
     {{START, "alice", "10.0.0.3", NULL, NULL, 0, 0, false},
      {START, "mallory", "10.0.0.3", NULL, NULL, 5, 0, true},
      {STOP, "mallory", "10.0.0.3", NULL, NULL, 0, 6, true},
      {START, "mallory", "10.0.0.4", NULL, NULL, 5, 0, true}},
     {{"10.0.0.3", 5, "alice"}, {"10.0.0.3", 100, "alice"}, {"10.0.0.4", 5, NULL}}},
    {"RADIUS dual stack: the IPv4 address and the IPv6 prefix bind and end together",
     true,
     {{START, "bob", "198.51.100.7", "2001:db8:1200::/56", NULL, 0, 0, false},
      {STOP, "bob", "198.51.100.7", "2001:db8:1200::/56", NULL, 0, 60, false}},
     {{"198.51.100.7", 0, "bob"},
      {"2001:db8:1200:ff::1", 30, "bob"},
      {"2001:db8:1201::1", 30, NULL},
      {"198.51.100.7", 60, NULL},
      {"2001:db8:1200::1", 60, NULL}}},
    {"static binding, registration and lease: a bound prefix first, then lease and MAC",
     true,
     {{STATIC, "carol", "10.0.1.0/24", NULL, NULL, 0, 60, false},
      {REG, "bob", NULL, NULL, "02:00:00:00:00:02", 0, OPEN, false},
      {LEASE, NULL, "10.0.2.5", NULL, "02:00:00:00:00:02", 5, 30, false},
      {LEASE, NULL, "10.0.1.9", NULL, "02:00:00:00:00:02", 0, OPEN, false}},
     {{"10.0.2.5", 4, NULL},
      {"10.0.2.5", 5, "bob"},
      {"10.0.2.5", 29, "bob"},
      {"10.0.2.5", 30, NULL},
      {"10.0.1.9", 59, "carol"}, /* carol's /24 wins over bob's lease */
      {"10.0.1.9", 60, "bob"},   /* then the lease names bob */
      {"10.0.1.10", 60, NULL}}},
    {"a Stop before its Start ends the binding where it began: never a negative interval",
     true,
     {{START, "alice", "10.0.0.5", NULL, NULL, 10, 0, false},
      {STOP, "alice", "10.0.0.5", NULL, NULL, 0, 5, false}},
     {{"10.0.0.5", 5, NULL}, {"10.0.0.5", 10, NULL}, {"10.0.0.5", 20, NULL}}},
    /* A Stop ends only its account's holding, in the map and in the store: before, the
     * store ended the address's open binding whoever held it, and bob lost it at 15. */
    {"a late Stop of the former holder does not end the new holder's binding",
     true,
     {{START, "alice", "10.0.0.6", NULL, NULL, 0, 0, false},
      {START, "bob", "10.0.0.6", NULL, NULL, 10, 0, false},
      {STOP, "alice", "10.0.0.6", NULL, NULL, 0, 15, false}},
     {{"10.0.0.6", 9, "alice"},
      {"10.0.0.6", 10, "bob"},
      {"10.0.0.6", 15, "bob"},
      {"10.0.0.6", 100, "bob"}}},
};

#define N_SCENARIOS (sizeof scenarios / sizeof scenarios[0])

static void parse_prefix(const char *text, struct bind_prefix *p)
{
    if (prefix_parse(text, &p->addr, &p->len) != 0)
        abort();
}

/* The event of a table row, as its source would give it. */
static struct bind_event event_of(const struct ev *row)
{
    struct bind_event e = {.kind = (enum bind_kind)row->kind,
                           .source = row->kind == STATIC  ? "static"
                                     : row->kind == REG   ? "register"
                                     : row->kind == LEASE ? "lease"
                                                          : "radius",
                           .start_ms = T0 + row->start_min * MIN,
                           .end_ms = row->end_min == OPEN ? 0 : T0 + row->end_min * MIN};
    if (row->kind == STOP) /* a Stop has only its end */
        e.start_ms = 0;
    snprintf(e.account, sizeof e.account, "%s", row->account ? row->account : "");
    if (row->prefix)
        parse_prefix(row->prefix, &e.prefixes[e.n_prefixes++]);
    if (row->prefix6)
        parse_prefix(row->prefix6, &e.prefixes[e.n_prefixes++]);
    if (row->mac && units_parse_mac(row->mac, e.mac) != 0)
        abort();
    return e;
}

/* Events up to the first empty row: every event has a prefix or a MAC. */
static size_t n_events(const struct scenario *sc)
{
    size_t n = 0;
    while (n < N_EVENTS && (sc->events[n].prefix || sc->events[n].mac))
        n++;
    return n;
}

struct locals {
    size_t n;
};

static void count_local(void *ctx, const struct ip_addr *a, unsigned len)
{
    (void)a;
    (void)len;
    ((struct locals *)ctx)->n++;
}

static void check_map(const struct scenario *sc, const struct subscriber_map *m, const char *how)
{
    for (size_t i = 0; i < N_CHECKS && sc->checks[i].addr; i++) {
        const struct check *c = &sc->checks[i];
        struct ip_addr a;
        if (addr_parse(c->addr, &a) != 0)
            abort();
        uint32_t got = submap_lookup(m, &a, NULL, T0 + (uint64_t)c->min * MIN);
        uint32_t want = c->account ? submap_account(m, c->account) : 0;
        if (got != want || (c->account && want == 0))
            TEST_FAIL("%s (%s): %s at T0%+lld min: subscriber %u, expected %s (%u)", sc->name, how,
                      c->addr, (long long)c->min, got, c->account ? c->account : "nobody", want);
    }
}

/* Applies each scenario to a map in memory. */
static void test_apply(void)
{
    for (size_t s = 0; s < N_SCENARIOS; s++) {
        const struct scenario *sc = &scenarios[s];
        struct subscriber_map *m = submap_new();
        for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++)
            submap_add_account(m, accounts[i], (uint32_t)(i + 1));
        for (size_t i = 0; i < n_events(sc); i++) {
            struct bind_event e = event_of(&sc->events[i]);
            enum bind_resolution r = bind_resolve(m, &e);
            if ((r == BIND_UNKNOWN_USER) != sc->events[i].unknown)
                TEST_FAIL("%s: event %zu: resolution %d", sc->name, i, (int)r);
            if (r != BIND_ACCEPTED)
                continue;
            struct locals lc = {0};
            bind_apply(m, &e, count_local, &lc);
            /* whatever is given to someone is ours from then on; a Stop gives nothing */
            ASSERT_EQ_U64(lc.n,
                          e.kind == BIND_STOP || e.kind == BIND_REGISTRATION ? 0 : e.n_prefixes);
        }
        check_map(sc, m, "applied");
        submap_free(m);
    }
    /* Interim-Updates add no interval: one Start and two Interims hold one */
    struct subscriber_map *m = submap_new();
    submap_add_account(m, "alice", 1);
    for (size_t i = 0; i < 3; i++) {
        struct bind_event e = event_of(&scenarios[1].events[i]);
        ASSERT_EQ_INT(bind_resolve(m, &e), BIND_ACCEPTED);
        bind_apply(m, &e, NULL, NULL);
    }
    ASSERT_EQ_U64(submap_count(m), 1);
    submap_free(m);
}

static char path[64];

static void remove_store(void)
{
    char p[80];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* Records each scenario whose rules the store shares in a new store, loads the map back
 * and asks it the same questions. */
static void test_record_and_load(void)
{
    char errbuf[ERR_BUF_LEN];
    snprintf(path, sizeof path, "/tmp/flowtally-test-bind-%d.db", (int)getpid());
    for (size_t s = 0; s < N_SCENARIOS; s++) {
        const struct scenario *sc = &scenarios[s];
        if (!sc->same_in_store)
            continue;
        remove_store();
        struct store *st = store_open(path, false, errbuf);
        ASSERT_TRUE(st != NULL);
        if (!st)
            return;
        for (size_t i = 0; i < sizeof accounts / sizeof accounts[0]; i++) {
            struct subscriber sub = {0};
            snprintf(sub.account, sizeof sub.account, "%s", accounts[i]);
            snprintf(sub.status, sizeof sub.status, "active");
            ASSERT_EQ_INT(store_subscriber_save(st, &sub, true, errbuf), 0);
        }
        struct subscriber_map *names = bindings_load(st); /* the store's account ids */
        ASSERT_TRUE(names != NULL);
        for (size_t i = 0; names && i < n_events(sc); i++) {
            struct bind_event e = event_of(&sc->events[i]);
            if (bind_resolve(names, &e) != BIND_ACCEPTED)
                continue;
            int rc = bind_record(st, &e, errbuf);
            if (rc != 0)
                TEST_FAIL("%s: event %zu: %d %s", sc->name, i, rc, errbuf);
        }
        submap_free(names);
        struct subscriber_map *m = bindings_load(st);
        ASSERT_TRUE(m != NULL);
        if (m)
            check_map(sc, m, "recorded and loaded");
        submap_free(m);
        store_close(st);
    }
    remove_store();
}

/* What each source's event is: kinds, times, prefixes, and what binds nothing. */
static void test_conversions(void)
{
    struct radius_event ev = {.status = RADIUS_ACCT_INTERIM,
                              .prefix_len = 128,
                              .has_addr = true,
                              .prefix6_len = 56,
                              .has_addr6 = true,
                              .time_ms = T0};
    snprintf(ev.user, sizeof ev.user, "alice");
    snprintf(ev.session_id, sizeof ev.session_id, "S1");
    addr_parse("198.51.100.7", &ev.addr);
    addr_parse("2001:db8:1200::", &ev.addr6);
    struct bind_event e;
    ASSERT_TRUE(bind_event_from_radius(&ev, "radius", &e));
    ASSERT_EQ_INT(e.kind, BIND_START);
    ASSERT_EQ_U64(e.start_ms, T0);
    ASSERT_EQ_U64(e.end_ms, 0);
    ASSERT_EQ_U64(e.n_prefixes, 2);
    ASSERT_EQ_U64(e.prefixes[1].len, 56);
    ASSERT_STREQ(e.account, "alice");
    ASSERT_STREQ(e.session, "S1");
    ASSERT_STREQ(e.source, "radius");
    ev.status = RADIUS_ACCT_STOP;
    ev.has_addr6 = false;
    ASSERT_TRUE(bind_event_from_radius(&ev, "radius", &e));
    ASSERT_EQ_INT(e.kind, BIND_STOP);
    ASSERT_EQ_U64(e.end_ms, T0);
    ASSERT_EQ_U64(e.n_prefixes, 1);
    ev.status = RADIUS_ACCT_ON; /* answered, nothing to bind */
    ASSERT_TRUE(!bind_event_from_radius(&ev, "radius", &e));

    struct log_mapping lm = {.time_ms = T0 + 1};
    addr_parse("10.0.0.1", &lm.ip);
    snprintf(lm.user, sizeof lm.user, "bob");
    bind_event_from_mapping(&lm, "log", &e);
    ASSERT_EQ_INT(e.kind, BIND_START);
    ASSERT_EQ_U64(e.start_ms, T0 + 1);
    ASSERT_EQ_U64(e.prefixes[0].len, 128);
    ASSERT_STREQ(e.source, "log");
    lm.user[0] = '\0'; /* "- -": nobody holds it from then */
    bind_event_from_mapping(&lm, "log", &e);
    ASSERT_EQ_INT(e.kind, BIND_STOP);
    ASSERT_EQ_U64(e.end_ms, T0 + 1);
    ASSERT_STREQ(e.account, "");

    struct lease l = {.prefix_len = 128, .has_mac = true, .start_ms = T0, .end_ms = T0 + MIN};
    addr_parse("10.0.2.5", &l.ip);
    ASSERT_TRUE(bind_event_from_lease(&l, "lease", &e));
    ASSERT_EQ_INT(e.kind, BIND_LEASE);
    ASSERT_EQ_U64(e.end_ms, T0 + MIN);
    l.start_ms = 0; /* no start: nothing says when it was held */
    ASSERT_TRUE(!bind_event_from_lease(&l, "lease", &e));
    l.start_ms = T0;
    l.has_mac = false; /* no MAC: nothing ties it to a registration */
    ASSERT_TRUE(!bind_event_from_lease(&l, "lease", &e));
}

int main(void)
{
    RUN(test_apply);
    RUN(test_record_and_load);
    RUN(test_conversions);
    return test_done();
}
