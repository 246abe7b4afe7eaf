// SPDX-License-Identifier: MIT
// Worker threads, their receive loop and the safepoint handshake.
#include "workers.h"

#include "../base/xalloc.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define LOG_TAG "worker"
#include "../base/log.h"

#define BATCHES_PER_WAKE 64 /* then look for a safepoint request and other sockets */

/* At low rates a wake-up per datagram or two costs more than the datagrams: when a wake-up
 * brought fewer than COALESCE_BELOW, the worker waits COALESCE_MS (or a safepoint request)
 * before looking again. The socket buffer holds the datagrams meanwhile: 5 ms is 50,000
 * records at 10 million a second, a few MB. Under load every wake-up brings more, and
 * the worker never waits. */
#define COALESCE_BELOW UDP_BATCH
#define COALESCE_MS 5

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* An sFlow counter sample: kept as the interface's latest counters (exporter health). */
static void on_iface_counters(void *ctx, const struct sflow_if_counters *c)
{
    struct worker *w = ctx;
    char agent[ADDR_STR_LEN];
    struct iface_row r = {.if_index = c->if_index,
                          .time_ms = c->time_ms,
                          .speed_bps = c->speed_bps,
                          .status = c->status,
                          .in_octets = c->in_octets,
                          .out_octets = c->out_octets,
                          .in_errors = c->in_errors,
                          .out_errors = c->out_errors,
                          .in_discards = c->in_discards,
                          .out_discards = c->out_discards};
    flush_batch_add_iface(&w->ifaces, addr_format(&c->agent, agent), &r);
}

void workers_init(struct workers *ws, size_t n, struct pipeline *p)
{
    *ws = (struct workers){.n = n};
    ws->w = xcalloc(n ? n : 1, sizeof *ws->w);
    pthread_mutex_init(&ws->lock, NULL);
    pthread_cond_init(&ws->parked, NULL);
    pthread_cond_init(&ws->resumed, NULL);
    for (size_t i = 0; i < n; i++) {
        struct worker *w = &ws->w[i];
        w->pool = ws;
        w->lane = &p->lanes[1 + i];
        w->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        w->iface_sink = (struct sflow_counter_sink){on_iface_counters, w};
        udp_batch_init(&w->batch);
    }
}

int workers_listen(struct workers *ws, const char *spec, bool sflow, int rcvbuf, char *errbuf)
{
    if (ws->w[0].n_socks == WORKER_MAX_SOCKETS) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: more than %d listening addresses", spec,
                 WORKER_MAX_SOCKETS);
        return ERR_CONFIG;
    }
    struct udp_socket socks[WORKERS_MAX];
    int rc = udp_open_group(socks, ws->n, spec, rcvbuf, errbuf);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < ws->n; i++) {
        struct worker *w = &ws->w[i];
        w->socks[w->n_socks] = socks[i];
        w->is_sflow[w->n_socks++] = sflow;
    }
    printf("flowtally: listening on udp %s (%s; %zu worker%s)\n", socks[0].bound,
           sflow ? "sFlow v5" : "NetFlow v5/v9, IPFIX", ws->n, ws->n == 1 ? "" : "s");
    return 0;
}

size_t workers_n_sockets(const struct workers *ws)
{
    return ws->n ? ws->w[0].n_socks : 0;
}

static bool hold_asked(const struct workers *ws)
{
    return atomic_load_explicit(&ws->hold, memory_order_acquire);
}

/* Reads and decodes what socket i holds, up to BATCHES_PER_WAKE batches, stopping early
 * when a safepoint is asked. Returns the number of datagrams read. */
static size_t receive(struct worker *w, size_t i, int max_batches)
{
    struct udp_socket *s = &w->socks[i];
    struct lane *ln = w->lane;
    size_t total = 0;
    for (int b = 0; b < max_batches; b++) {
        uint64_t kdrops = 0;
        int n = udp_recv(s, &w->batch, &kdrops);
        ln->decoder.c.kernel_drops += kdrops;
        if (n <= 0) {
            if (n < 0)
                log_rl_warn("receive on %s: %s", s->bound, strerror(-n));
            break;
        }
        total += (size_t)n;
        if (w->is_sflow[i]) {
            uint64_t now = wall_ms(); /* sFlow carries no wall clock */
            for (size_t j = 0; j < w->batch.n; j++)
                decoder_feed_sflow(&ln->decoder, &w->batch.from[j], w->batch.buf[j],
                                   w->batch.len[j], now, &ln->sink, &w->iface_sink);
        } else {
            for (size_t j = 0; j < w->batch.n; j++)
                decoder_feed(&ln->decoder, &w->batch.from[j], w->batch.buf[j], w->batch.len[j],
                             &ln->sink);
        }
        if (n < UDP_BATCH || hold_asked(w->pool))
            break; /* the socket is empty, or the main thread waits for us */
    }
    return total;
}

static void park(struct worker *w)
{
    struct workers *ws = w->pool;
    pthread_mutex_lock(&ws->lock);
    uint64_t epoch = ws->epoch;
    ws->n_parked++;
    pthread_cond_signal(&ws->parked);
    while (ws->epoch == epoch)
        pthread_cond_wait(&ws->resumed, &ws->lock);
    pthread_mutex_unlock(&ws->lock);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct workers *ws = w->pool;
    struct pollfd pfd[WORKER_MAX_SOCKETS + 1];
    size_t n = w->n_socks;
    for (size_t i = 0; i < n; i++)
        pfd[i] = (struct pollfd){.fd = w->socks[i].fd, .events = POLLIN};
    pfd[n] = (struct pollfd){.fd = w->wake_fd, .events = POLLIN};
    for (;;) {
        if (hold_asked(ws))
            park(w);
        if (atomic_load(&ws->stop))
            break;
        if (poll(pfd, n + 1, -1) <= 0)
            continue;
        if (pfd[n].revents & POLLIN) {
            uint64_t v;
            if (read(w->wake_fd, &v, sizeof v) < 0 && errno != EAGAIN)
                log_rl_warn("wake-up: %s", strerror(errno));
        }
        size_t got = 0;
        for (size_t i = 0; i < n; i++)
            if (pfd[i].revents & POLLIN)
                got += receive(w, i, BATCHES_PER_WAKE);
        /* A light load: let datagrams gather before waking again; a safepoint request
         * (whose wake-up this round may have read already) goes first. */
        if (got < COALESCE_BELOW && !hold_asked(ws) && !atomic_load(&ws->stop))
            poll(&pfd[n], 1, COALESCE_MS);
    }
    return NULL;
}

int workers_start(struct workers *ws)
{
    for (; ws->n_started < ws->n; ws->n_started++) {
        struct worker *w = &ws->w[ws->n_started];
        int rc = pthread_create(&w->thread, NULL, worker_main, w);
        if (rc != 0)
            return -rc;
    }
    return 0;
}

static void wake_all(struct workers *ws)
{
    uint64_t one = 1;
    for (size_t i = 0; i < ws->n_started; i++)
        if (write(ws->w[i].wake_fd, &one, sizeof one) < 0)
            log_rl_warn("waking worker %zu: %s", i, strerror(errno));
}

void workers_hold(struct workers *ws)
{
    atomic_store_explicit(&ws->hold, true, memory_order_release);
    wake_all(ws);
    pthread_mutex_lock(&ws->lock);
    while (ws->n_parked < ws->n_started)
        pthread_cond_wait(&ws->parked, &ws->lock);
    pthread_mutex_unlock(&ws->lock);
}

void workers_release(struct workers *ws)
{
    pthread_mutex_lock(&ws->lock);
    atomic_store_explicit(&ws->hold, false, memory_order_release);
    ws->n_parked = 0; /* counted afresh at the next safepoint */
    ws->epoch++;
    pthread_cond_broadcast(&ws->resumed);
    pthread_mutex_unlock(&ws->lock);
}

void workers_drain(struct workers *ws, int rounds)
{
    for (size_t i = 0; i < ws->n; i++)
        for (size_t s = 0; s < ws->w[i].n_socks; s++)
            receive(&ws->w[i], s, rounds);
}

void workers_collect(struct workers *ws, struct flush_batch *b)
{
    for (size_t i = 0; i < ws->n; i++) {
        struct worker *w = &ws->w[i];
        for (size_t s = 0; s < w->n_socks; s++)
            w->lane->decoder.c.kernel_drops += udp_kernel_drops(&w->socks[s]);
        for (size_t j = 0; j < w->ifaces.n_ifaces; j++)
            flush_batch_add_iface(b, w->ifaces.ifaces[j].agent, &w->ifaces.ifaces[j].row);
        b->ifaces_dropped += w->ifaces.ifaces_dropped;
        w->ifaces.n_ifaces = 0;
        w->ifaces.ifaces_dropped = 0;
    }
}

void workers_stop(struct workers *ws)
{
    if (!ws->n_started)
        return;
    atomic_store(&ws->stop, true);
    workers_release(ws); /* in case they are held */
    wake_all(ws);
    for (size_t i = 0; i < ws->n_started; i++)
        pthread_join(ws->w[i].thread, NULL);
    ws->n_started = 0;
}

void workers_deinit(struct workers *ws)
{
    workers_stop(ws);
    for (size_t i = 0; i < ws->n; i++) {
        struct worker *w = &ws->w[i];
        for (size_t s = 0; s < w->n_socks; s++)
            udp_close(&w->socks[s]);
        if (w->wake_fd >= 0)
            close(w->wake_fd);
        udp_batch_deinit(&w->batch);
        flush_batch_deinit(&w->ifaces);
    }
    free(ws->w);
    pthread_mutex_destroy(&ws->lock);
    pthread_cond_destroy(&ws->parked);
    pthread_cond_destroy(&ws->resumed);
    ws->w = NULL;
    ws->n = ws->n_started = 0;
}
