// SPDX-License-Identifier: MIT
// Receive workers: one thread each, reading its own socket of every NetFlow/IPFIX and sFlow
// port (SO_REUSEPORT; the kernel steers each exporter to one worker by its address) into
// its own lane of the pipeline: decoder, classifier, aggregation table. Nothing on that
// path is shared for writing, so it takes no lock.
//
// The main thread coordinates through safepoints. workers_hold() asks every worker to park
// between two receive batches and returns when all have; until workers_release(), the main
// thread may touch any lane and the lists the lanes read: swap the aggregation tables at a
// flush, take counters, install a new subscriber map or reloaded lists, apply a RADIUS
// binding. A worker looks at the request once per batch of up to UDP_BATCH datagrams (one
// atomic load), and an eventfd wakes one that waits for traffic.
#ifndef FT_WORKERS_H
#define FT_WORKERS_H

#include "../collect/udp.h"
#include "flusher.h"
#include "pipeline.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WORKERS_MAX 32        /* the `workers` key's maximum */
#define WORKER_MAX_SOCKETS 16 /* ports per worker: netflow and sflow endpoints */

struct workers;

struct worker {
    pthread_t thread;
    struct workers *pool;
    struct lane *lane; /* borrowed: the pipeline's lane of this worker */
    struct udp_socket socks[WORKER_MAX_SOCKETS];
    bool is_sflow[WORKER_MAX_SOCKETS];
    size_t n_socks;
    struct udp_batch batch;
    int wake_fd;               /* eventfd: a safepoint or a stop is asked */
    struct flush_batch ifaces; /* sFlow interface reports since the last safepoint */
    struct sflow_counter_sink iface_sink;
};

struct workers {
    struct worker *w; /* owned; n */
    size_t n;
    atomic_bool hold; /* park at the next batch boundary */
    atomic_bool stop;
    pthread_mutex_t lock;
    pthread_cond_t parked;  /* a worker parked */
    pthread_cond_t resumed; /* the safepoint was released */
    size_t n_parked;        /* in the current safepoint */
    uint64_t epoch;         /* bumped at each release */
    size_t n_started;
};

/* Sets up n workers (1..WORKERS_MAX) on lanes 1..n of p. */
void workers_init(struct workers *ws, size_t n, struct pipeline *p);

/* Opens a socket of spec on every worker (one port, shared). Prints where it listens.
 * Returns 0, or a negative code with a message in errbuf. */
int workers_listen(struct workers *ws, const char *spec, bool sflow, int rcvbuf, char *errbuf);

/* Sockets opened so far on each worker. */
size_t workers_n_sockets(const struct workers *ws);

/* Starts the threads. Returns 0 or -errno. */
int workers_start(struct workers *ws);

/* Returns when every worker is parked at a safepoint. */
void workers_hold(struct workers *ws);
void workers_release(struct workers *ws);

/* While held: reads every socket dry into its worker's lane (the last flush), at most
 * `rounds` batches of UDP_BATCH per socket. */
void workers_drain(struct workers *ws, int rounds);

/* While held: moves what the workers gathered besides usage (kernel drop counts into their
 * decoders' counters, sFlow interface reports) into the pipeline and batch b. */
void workers_collect(struct workers *ws, struct flush_batch *b);

/* Stops and joins the threads; their lanes and sockets are then the caller's to use
 * (workers_drain). Holds and releases after this return at once. */
void workers_stop(struct workers *ws);

/* Stops the threads (if running), closes the sockets, frees. */
void workers_deinit(struct workers *ws);

#endif
