// SPDX-License-Identifier: MIT
// The RADIUS accounting listener of the daemon: sockets, clients and their secrets, and
// what an accepted Start, Interim-Update or Stop does. It applies the event to the running
// subscriber map at once (flows that follow are attributed right away, and the bound
// address counts as local, in local_nets or not) and queues it for the store thread, which
// records the binding. Recent events are kept so that they can be applied again on top of a
// map loaded before the store recorded them.
#ifndef FT_RADIUS_LISTENER_H
#define FT_RADIUS_LISTENER_H

#include "../collect/radius.h"
#include "../collect/udp.h"
#include "../config/config.h"
#include "flusher.h"
#include "pipeline.h"

struct workers;

#define RADIUS_MAX_SOCKETS 4
#define RADIUS_RECENT 4096 /* events kept to re-apply over a freshly loaded map */

/* An accepted event and the subscriber it names. */
struct radius_applied {
    uint64_t seq;        /* 1, 2, ... in arrival order */
    const char *source;  /* "radius", or "log" for a log's mapping line; static */
    uint32_t subscriber; /* 0 with a Stop: whoever holds the address */
    char account[BINDING_NAME_MAX];
    struct radius_event ev;
};

struct radius_listener {
    struct udp_socket socks[RADIUS_MAX_SOCKETS];
    size_t n_socks;
    struct radius_client *clients; /* owned */
    size_t n_clients;
    struct radius_dedup dedup;
    struct radius_counters c;
    uint64_t unknown_user; /* accepted, but User-Name names no account */
    uint64_t next_seq;
    struct radius_applied recent[RADIUS_RECENT]; /* ring, by seq */
    struct workers *workers; /* held while a binding changes the map they read; may be NULL */
};

/* Opens the `radius` sockets with the `radius_clients` secrets. Returns 0 (also when RADIUS
 * is off: n_socks 0) or a negative code with a message in errbuf. Prints where it listens. */
int radius_listener_open(struct radius_listener *l, const struct config *cfg, char *errbuf);
void radius_listener_close(struct radius_listener *l);

/* Receives and answers what is waiting on socket i, applying accepted events to p's map
 * and queueing them on fl. */
void radius_listener_receive(struct radius_listener *l, size_t i, struct pipeline *p,
                             struct flusher *fl);

/* Applies a binding event: a RADIUS request, or a log's mapping line given as a Start (the
 * user holds the address from ev->time_ms) or a Stop with no user (nobody holds it any
 * more). Recorded in the store as coming from `source`. */
void radius_listener_apply(struct radius_listener *l, const struct radius_event *ev,
                           const char *source, struct pipeline *p, struct flusher *fl);

/* Applies again, to p's map just replaced, the events newer than the map (seq > map_seq),
 * making their addresses local again. The caller holds the workers. */
void radius_listener_replay(const struct radius_listener *l, struct pipeline *p, uint64_t map_seq);

/* Records an applied event as bindings in the store. Thread: the store thread. */
void radius_applied_store(struct store *s, const struct radius_applied *a);

/* Moves the counters into a flush batch and zeroes them. */
void radius_listener_take_stats(struct radius_listener *l, struct flush_batch *b);

#endif
