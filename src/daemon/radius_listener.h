// SPDX-License-Identifier: MIT
// The RADIUS accounting listener of the daemon: sockets, clients and their secrets,
// verification and answers (collect/radius.c does the protocol). An accepted Start,
// Interim-Update or Stop becomes a binding event (bind/bind.h) handed to the binder, which
// applies it to the running map and queues it for the store thread.
#ifndef FT_RADIUS_LISTENER_H
#define FT_RADIUS_LISTENER_H

#include "../collect/radius.h"
#include "../collect/udp.h"
#include "../config/config.h"
#include "binder.h"
#include "flusher.h"

#define RADIUS_MAX_SOCKETS 4

struct radius_listener {
    struct udp_socket socks[RADIUS_MAX_SOCKETS];
    size_t n_socks;
    struct radius_client *clients; /* owned */
    size_t n_clients;
    struct radius_dedup dedup;
    struct radius_counters c;
};

/* Opens the `radius` sockets with the `radius_clients` secrets. Returns 0 (also when RADIUS
 * is off: n_socks 0) or a negative code with a message in errbuf. Prints where it listens. */
int radius_listener_open(struct radius_listener *l, const struct config *cfg, char *errbuf);
void radius_listener_close(struct radius_listener *l);

/* Receives and answers what is waiting on socket i, handing accepted events that bind or
 * unbind an address to b. Thread: main. */
void radius_listener_receive(struct radius_listener *l, size_t i, struct binder *b);

/* Moves the counters into a flush batch and zeroes them. */
void radius_listener_take_stats(struct radius_listener *l, struct flush_batch *b);

#endif
