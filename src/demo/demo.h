// SPDX-License-Identifier: MIT
// `flowtally run --demo`: a fictional WISP to look at before any router exports. world.c
// holds its rules (who the subscribers are, where they live, what each hour of history
// holds: plain arithmetic, so a test recomputes every figure without flowtally); demo.c
// makes the demo store (marked demo in its meta table, never a real one) and writes the
// month of history through the collector's write path; feed.c builds the live IPFIX
// messages the demo sends to its own collector. Processes and sockets are cli/cmd_demo.c's.
#ifndef FT_DEMO_H
#define FT_DEMO_H

#include "../base/err.h"
#include "../gen/gen.h"
#include "../store/store.h"

#include <stdbool.h>
#include <stdint.h>

#define DEMO_DB "flowtally-demo.db"        /* the store the demo makes when none is named */
#define DEMO_SUBSCRIBERS 240               /* subscribers 1..240 */
#define DEMO_HISTORY_HOURS (30 * 24)       /* hours of history before the demo was made */
#define DEMO_META_MARK "demo"              /* meta key: 1 in a demo store */
#define DEMO_META_END "demo_history_end_s" /* meta key: where the history ends, unix s */
#define DEMO_PASSWORD "demo"               /* every demo login's password */
#define DEMO_STAFF_LOGIN "staff"           /* the staff login */
#define DEMO_CUSTOMER 7                    /* the subscriber whose login the demo prints */
#define DEMO_LOGINS 5                      /* customers 7, 14, ... 35 may log in */

/* ---- world.c: the WISP's rules ---- */

/* One subscriber, i in 1..DEMO_SUBSCRIBERS. */
struct world_sub {
    char account[32]; /* "ana.costa": first names cycle fastest */
    char name[48];    /* "Ana Costa" */
    char email[64];   /* account@example.net */
    const char *plan; /* basic (i % 10 < 5), pro (< 8), premium */
    uint32_t ipv4;    /* 10.20.0.i, host byte order */
    bool has_ipv6;    /* i % 6 == 0: 2001:db8:20:<i in hex>00::/56 as well */
    char ipv6[48];    /* that prefix, when has_ipv6 */
    char mac[18];     /* 02:00:5e:14:00:<i in hex> */
    bool by_lease;    /* i % 4 == 0: its IPv4 address comes by DHCP lease to its MAC, not
                       * by a static binding */
    bool is_heavy;    /* i % 7 == 0: twelve times the traffic */
};
void world_sub(int i, struct world_sub *out);

/* What subscriber i did in the hour starting at unix hour h (h * 3600 s), by the rules:
 * active when (i + h) % 3 == 0, then one class and application (pair ((i + h) / 3) % 8 of
 * world.c's table) and bytes in = (20 + i * 37 % 61) * 100000 * profile[h % 24] (x 12
 * when heavy), bytes out = bytes in / 10, packets in = bytes in / 1200 + 1, packets out
 * = bytes out / 100 + 1, flows 1 + h % 5 each way; the host is the IPv4 address, or for
 * an IPv6 subscriber in odd hours its prefix's ::1. Returns false when idle. */
struct world_hour {
    const char *class_name, *app;
    uint64_t bytes_in, bytes_out, packets_in, packets_out, flows;
    char host[48];
};
bool world_hour(int i, uint64_t h, struct world_hour *out);

/* The three classes (free, national, international the default) with their prices. */
size_t world_classes(const struct class_row **out);

/* ---- demo.c: the store ---- */

/* What demo_prepare found or made. */
struct demo_info {
    uint64_t history_from_s, history_to_s; /* the history's hours: [from, to) */
    bool was_made;                         /* made now (else an earlier run's) */
};

/* Opens db and makes it the demo store: a new store (SQLite: no file yet; PostgreSQL: no
 * plan, subscriber, user or usage) is marked demo and filled with the WISP and the
 * DEMO_HISTORY_HOURS hours of history before the hour of now_s; a store marked demo by
 * an earlier run is taken as it is. Any other store is refused (ERR_EXISTS), so a real
 * one never gets demo data. Writes the classes and applications files the daemon loads
 * into conf_dir (made if needed): classes.conf, free.txt, national.txt, apps.conf.
 * OUT: info. Returns 0 or a negative code with a message in errbuf (ERR_BUF_LEN). */
int demo_prepare(const char *db, const char *conf_dir, uint64_t now_s, struct demo_info *info,
                 char *errbuf);

/* ---- feed.c: live flows ---- */

#define FEED_MAX_RECORDS 17 /* per IPFIX message of both families (gen.h's limit) */

struct feed {
    struct prng rng;
    struct export_state st; /* one IPFIX stream of both families, observation domain 1 */
};

/* Starts the stream (a fixed seed: the same flows every run, only their times differ). */
void feed_init(struct feed *f);
/* Builds into w one IPFIX message of n flows (1..FEED_MAX_RECORDS) of random demo
 * subscribers ending at now_ms, exported at now_ms / 1000. */
void feed_build(struct feed *f, uint64_t now_ms, uint32_t n, struct wire_buf *w);

#endif
