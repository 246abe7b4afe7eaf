// SPDX-License-Identifier: MIT
// The daemon: configuration, sockets, flush timing and signals. Receive workers (one per
// core by default) decode, classify and aggregate what the UDP ports bring; this main
// thread runs the timers, signals, RADIUS, the packet probe and logs, and hands each
// flush to the store thread.
// SIGTERM/SIGINT: flush everything, then exit 0. SIGHUP: reload the reloadable keys.
// SIGUSR1: flush now.
#include "run.h"

#include "../base/portowner.h"
#include "../base/uri.h"
#include "../collect/udp.h"
#include "activity.h"
#include "alerter.h"
#include "binder.h"
#include "pipeline.h"
#include "logsrc.h"
#include "notify.h"
#include "probe.h"
#include "radius_listener.h"
#include "webrun.h"
#include "workers.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_TAG "run"
#include "../base/log.h"

#define DRAIN_ROUNDS 4096 /* batches per socket read at shutdown: far above any buffer */
/* The bucket burstable plans need: their 95th percentile is taken over 5-minute samples
 * (admin/admin.h ADMIN_BURST_BUCKET_S, which refuses such a plan on another bucket). */
#define RUN_BURST_BUCKET_S 300

static volatile sig_atomic_t got_stop, got_reload, got_flush;

static void on_signal(int sig)
{
    if (sig == SIGHUP)
        got_reload = 1;
    else if (sig == SIGUSR1)
        got_flush = 1;
    else if (got_stop < 2)
        got_stop++; /* a second TERM/INT ends a stop that waits for the store */
}

struct daemon {
    struct config cfg;
    struct pipeline pipe;
    struct store *store;
    struct flusher flusher;
    struct workers workers;
    struct radius_listener radius;
    struct binder binder; /* RADIUS and mapping lines to the map and the store thread */
    struct probe probe;
    struct log_sources logs;
    struct flush_batch pending; /* stats gathered for the next hand-over */
    struct activity activity;   /* tallied for the once-a-minute line at -v */
    struct web *web;            /* the portal, when the web key names addresses */
    struct alerter *alerter;    /* alerts, mail, the hook, the daily report; or NULL */
    struct notify notify;       /* systemd's readiness and watchdog socket, if it gave one */
    int argc;                   /* the command line, re-read on reload */
    char **argv;
};

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: flowtally run [-c FILE] [-v] [--KEY VALUE ...] [--check-config]\n"
                 "Receives NetFlow v5/v9, IPFIX and sFlow (and packets, logs, RADIUS, DHCP leases\n"
                 "when configured), attributes usage to subscribers and stores it.\n"
                 "Every configuration key can be given as --key value (or key = value in the\n"
                 "file given with -c); the command line wins over the file.\n\nKeys:\n");
    config_print_keys(out);
    fprintf(out, "\nSignals: TERM/INT flush and exit, HUP reloads lists, USR1 flushes now.\n");
}

struct open_ctx {
    struct daemon *d;
    bool sflow;
    int rc;
    char errbuf[ERR_BUF_LEN];
};

static void open_one(void *ctx, const char *spec)
{
    struct open_ctx *oc = ctx;
    if (oc->rc != 0)
        return;
    int rc = workers_listen(&oc->d->workers, spec, oc->sflow, (int)oc->d->cfg.rcvbuf, oc->errbuf);
    if (rc == -EAFNOSUPPORT || rc == -EADDRNOTAVAIL) {
        log_warn("not listening on %s (%s)", spec, oc->errbuf); /* e.g. no IPv6 here */
        return;
    }
    if (rc == -EADDRINUSE) /* nfdump's Debian package runs nfcapd on 2055 */
        portowner_hint(oc->errbuf, spec, false, oc->sflow ? "sflow" : "netflow",
                       oc->sflow ? "another sFlow collector (sfcapd, hsflowd, pmacct's sfacctd)"
                                 : "another collector such as nfcapd (nfdump) or pmacct's nfacctd");
    oc->rc = rc;
}

static void find_burstable(void *ctx, const struct plan *p)
{
    struct plan *found = ctx;
    if (p->burstable && !found->burstable)
        *found = *p;
}

/* Burstable plans bill a 95th percentile of 5-minute samples, so another bucket is refused
 * while the store holds one. A collector then records its bucket in the store (meta
 * "bucket_seconds"), where `plan add --burstable` looks before making one. An import
 * (--once) writes beside the collector and records nothing. */
static int check_bucket(struct store *s, int64_t bucket, bool record, char *errbuf)
{
    if (bucket != RUN_BURST_BUCKET_S) {
        struct plan found = {0};
        if (store_plan_list(s, find_burstable, &found) != 0) {
            snprintf(errbuf, ERR_BUF_LEN, "cannot read the plans: %s", s->ops->last_error(s));
            return ERR_STORE;
        }
        if (found.burstable) {
            snprintf(errbuf, ERR_BUF_LEN,
                     "bucket = %lld: plan '%s' is burstable, and burstable plans need 5-minute "
                     "samples: set bucket = %d (or remove the plan)",
                     (long long)bucket, found.name, RUN_BURST_BUCKET_S);
            return ERR_CONFIG;
        }
    }
    if (record && store_meta_set(s, "bucket_seconds", bucket) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "cannot record the bucket width in the store: %s",
                 s->ops->last_error(s));
        return ERR_STORE;
    }
    return 0;
}

static int open_sockets(struct daemon *d)
{
    struct open_ctx oc = {.d = d};
    config_list_each(d->cfg.netflow, open_one, &oc);
    oc.sflow = true;
    config_list_each(d->cfg.sflow, open_one, &oc);
    if (oc.rc != 0) {
        fprintf(stderr, "flowtally: cannot listen: %s\n", oc.errbuf);
        return oc.rc;
    }
    if (workers_n_sockets(&d->workers) == 0 && (d->cfg.netflow[0] || d->cfg.sflow[0])) {
        fprintf(stderr, "flowtally: no socket to listen on (netflow = %s, sflow = %s)\n",
                d->cfg.netflow, d->cfg.sflow);
        return ERR_CONFIG;
    }
    return 0;
}

/* Hands every lane's table and the counters to the store thread, if it can take them. The
 * workers are held only while tables and counters change hands: fresh tables are found
 * (or made, pages and all) before. */
static void try_flush(struct daemon *d)
{
    if (!flusher_idle(&d->flusher)) {
        flusher_poke(&d->flusher); /* a failed batch: retry it; we keep counting */
        return;
    }
    /* what the logs hold now goes into the main lane's table, so with this batch, with
     * the positions it was read to */
    logsrc_poll(&d->logs);
    struct pipeline *p = &d->pipe;
    struct counters_table *fresh[FLUSH_MAX_TABLES];
    for (size_t i = 0; i < p->n_lanes; i++) {
        fresh[i] = flusher_take_spare(&d->flusher);
        /* Small: it grows as the lane needs. Presizing it like the last interval's table
         * (measured) raised the peak memory by the size of one table and cost the first
         * flushes a 30 MB page-in on a core the workers need. */
        if (!fresh[i])
            fresh[i] = counters_new(LANE_INITIAL_KEYS, (size_t)d->cfg.max_keys);
    }
    workers_hold(&d->workers);
    workers_collect(&d->workers, &d->pending);
    pipeline_take_stats(p, &d->pending);
    for (size_t i = 0; i < p->n_lanes; i++)
        d->pending.tables[d->pending.n_tables++] =
            aggregator_swap(&p->lanes[i].aggregator, fresh[i]);
    workers_release(&d->workers);
    radius_listener_take_stats(&d->radius, &d->pending);
    binder_take_stats(&d->binder, &d->pending);
    logsrc_take(&d->logs, &d->pending);
    probe_take_stats(&d->probe, &d->pending);
    flush_batch_add_stat(&d->pending, "*", 0, 0, "drop_iface_reports", d->pending.ifaces_dropped);
    d->pending.ifaces_dropped = 0;
    activity_add_batch(&d->activity, &d->pending);
    flusher_submit(&d->flusher, &d->pending);
    activity_tick(&d->activity, &d->flusher, mono_ms());
}

static void reload(struct daemon *d)
{
    struct config fresh;
    char errbuf[ERR_BUF_LEN];
    struct pipeline_lists *lists = NULL;
    config_init(&fresh);
    if (config_from_args(&fresh, d->argc, d->argv, errbuf) != 0 ||
        !(lists = pipeline_lists_build(&fresh, errbuf))) {
        log_error("reload refused, keeping the running configuration: %s", errbuf);
    } else {
        workers_hold(&d->workers);
        pipeline_lists_install(&d->pipe, lists);
        workers_release(&d->workers);
        config_take_reloadable(&d->cfg, &fresh);
        static struct class_row rows[CLASSES_MAX];
        flusher_set_classes(&d->flusher, rows, pipeline_class_rows(&d->pipe, rows));
        log_notice("reloaded local_nets, exporters, sampling, count_at, classes and apps");
    }
    config_deinit(&fresh);
}

/* Installs the subscriber map the store thread loaded, if there is a new one. */
static void take_new_map(struct daemon *d)
{
    uint64_t map_seq;
    struct subscriber_map *m = flusher_take_map(&d->flusher, &map_seq);
    if (m) {
        pipeline_prepare_subscribers(&d->pipe, m); /* its local trie, while the workers run */
        workers_hold(&d->workers);
        struct subscriber_map *old = pipeline_set_subscribers(&d->pipe, m);
        binder_replay(&d->binder, map_seq);
        workers_release(&d->workers);
        submap_free(old);
    }
}

static void loop(struct daemon *d)
{
    struct pollfd pfd[RADIUS_MAX_SOCKETS + 2];
    size_t n_pfd = d->radius.n_socks;
    for (size_t i = 0; i < d->radius.n_socks; i++)
        pfd[i] = (struct pollfd){.fd = d->radius.socks[i].fd, .events = POLLIN};
    pfd[n_pfd++] = (struct pollfd){.fd = d->flusher.map_ready_fd, .events = POLLIN};
    if (probe_fd(&d->probe) >= 0)
        pfd[n_pfd++] = (struct pollfd){.fd = probe_fd(&d->probe), .events = POLLIN};
    sigset_t unblocked;
    sigemptyset(&unblocked);
    uint64_t flush_ms = (uint64_t)d->cfg.flush * 1000;
    uint64_t next_flush = mono_ms() + flush_ms;
    while (!got_stop) {
        uint64_t now = mono_ms();
        uint64_t dog = notify_watchdog(&d->notify, now); /* pings while this loop turns */
        if (now >= next_flush || got_flush) {
            got_flush = 0;
            try_flush(d);
            next_flush = now + flush_ms;
        }
        if (got_reload) {
            got_reload = 0;
            notify_reloading(&d->notify, mono_ms() * 1000);
            reload(d);
            notify_ready(&d->notify);
        }
        if (d->probe.is_file) {
            /* a file is always readable: read it in slices between timers, to its end */
            if (!probe_run(&d->probe, wall_ms(), &pipeline_main(&d->pipe)->sink))
                break;
            continue;
        }
        uint64_t wait = next_flush > now ? next_flush - now : 0;
        if (d->probe.cap && wait > 1000)
            wait = 1000; /* a live probe expires idle flows by the clock */
        if (wait > dog)
            wait = dog;
        struct timespec ts = {.tv_sec = (time_t)(wait / 1000),
                              .tv_nsec = (long)(wait % 1000) * 1000000};
        /* Signals are blocked except inside ppoll, so none is missed between checks. */
        int n = ppoll(pfd, n_pfd, &ts, &unblocked);
        take_new_map(d);  /* a map the store thread loaded (it wakes us): installed at once */
        if (d->probe.cap) /* its packets, and expiry on a quiet link */
            probe_run(&d->probe, wall_ms(), &pipeline_main(&d->pipe)->sink);
        if (n <= 0)
            continue;
        for (size_t i = 0; i < d->radius.n_socks; i++)
            if (pfd[i].revents & POLLIN)
                radius_listener_receive(&d->radius, i, &d->binder);
    }
}

/* Waits up to ms, or until a signal arrives. */
static void pause_ms(uint64_t ms)
{
    sigset_t unblocked;
    sigemptyset(&unblocked);
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    ppoll(NULL, 0, &ts, &unblocked);
}

#define STOP_RETRY_MS 1000 /* between two attempts of a stop to write a failing store */

/* Says exactly what a stop could not store: the failed batch and what was counted since. */
static void report_loss(struct daemon *d, uint64_t waited_ms)
{
    struct flush_totals t = {0};
    flusher_pending_totals(&d->flusher, &t);
    for (size_t i = 0; i < d->pipe.n_lanes; i++)
        flush_totals_add(&t, d->pipe.lanes[i].aggregator.table);
    log_error("gave up after %llu s (stop_timeout %lld): %llu keys, %llu bytes, %llu packets, "
              "%llu flow records could not be stored and are lost",
              (unsigned long long)(waited_ms / 1000), (long long)d->cfg.stop_timeout,
              (unsigned long long)t.keys, (unsigned long long)t.bytes,
              (unsigned long long)t.packets, (unsigned long long)t.flows);
}

/* Final flush at shutdown: stop the workers, read what their sockets still hold, then write
 * the batch that may be waiting and everything counted since. While the store fails (a
 * lock, a full disk, a read-only file) keep trying, for stop_timeout seconds or until a
 * second TERM/INT, then say exactly what is lost. */
static int final_flush(struct daemon *d)
{
    workers_stop(&d->workers); /* from here on this thread owns every lane */
    probe_finish(&d->probe, &pipeline_main(&d->pipe)->sink);
    workers_drain(&d->workers, DRAIN_ROUNDS);
    uint64_t start = mono_ms(), deadline = start + (uint64_t)d->cfg.stop_timeout * 1000;
    bool handed_over = false, said = false;
    int stops = got_stop;
    for (;;) {
        if (flusher_idle(&d->flusher)) {
            if (handed_over)
                break;
            try_flush(d); /* what the lanes hold, once the batch before it is written */
            handed_over = true;
        }
        if (flusher_write(&d->flusher))
            continue;
        if (mono_ms() >= deadline || got_stop > stops) {
            report_loss(d, mono_ms() - start);
            return 1;
        }
        if (!said)
            log_warn("stopping, but the store cannot be written: retrying for up to %lld s "
                     "(stop_timeout); a second TERM/INT gives up at once",
                     (long long)d->cfg.stop_timeout);
        said = true;
        pause_ms(STOP_RETRY_MS);
    }
    if (said)
        log_notice("stopped after the store took everything (%llu s after the stop)",
                   (unsigned long long)((mono_ms() - start) / 1000));
    return 0;
}

static void install_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1};
    sigset_t block;
    sigemptyset(&block);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        sigaction(sigs[i], &sa, NULL);
        sigaddset(&block, sigs[i]);
    }
    /* Blocked in every thread; the loop unblocks them only while waiting in ppoll. */
    pthread_sigmask(SIG_BLOCK, &block, NULL);
    signal(SIGPIPE, SIG_IGN);
}

int run_main(int argc, char **argv)
{
    static struct daemon d; /* large; one per process */
    char errbuf[ERR_BUF_LEN];
    bool check_only = false, once = false, status_web_failed = false;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--check-config") == 0 || strcmp(argv[i], "--once") == 0) {
            check_only |= argv[i][2] == 'c';
            once |= argv[i][2] == 'o';
            memmove(&argv[i], &argv[i + 1], (size_t)(argc - i - 1) * sizeof *argv);
            argc--;
            i--;
        }
    }
    d.argc = argc;
    d.argv = argv;
    d.notify.fd = -1; /* no manager's socket until notify_open() finds one */
    config_init(&d.cfg);
    if (config_from_args(&d.cfg, argc, argv, errbuf) != 0) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        config_deinit(&d.cfg);
        return 2;
    }
    if (config_apply_timezone(&d.cfg, errbuf) != 0) { /* before any thread starts */
        fprintf(stderr, "flowtally: %s\n", errbuf);
        config_deinit(&d.cfg);
        return 2;
    }
    if (check_only) {
        /* The files the start loads (classes, apps, mail templates, the portal's logo,
         * templates and TLS pair), through the start's
         * own code, so what passes here is what the start takes: the same parsers, the
         * same checks. */
        int rc = pipeline_init(&d.pipe, &d.cfg, errbuf);
        if (rc == 0) {
            pipeline_deinit(&d.pipe);
            rc = alerter_check(&d.cfg, errbuf);
        }
        if (rc == 0)
            rc = webrun_check(&d.cfg, errbuf);
        if (rc == 0)
            config_dump(&d.cfg, stdout);
        else
            fprintf(stderr, "flowtally: %s\n", errbuf);
        config_deinit(&d.cfg);
        return rc == 0 ? 0 : 1; /* as the start's own refusal */
    }
    /* an import (--once) is no service; it leaves the variables alone too */
    if (!once && notify_open(&d.notify, mono_ms(), errbuf) != 0) { /* it edits the environment */
        fprintf(stderr, "flowtally: %s\n", errbuf);
        config_deinit(&d.cfg);
        return 2;
    }
    log_threshold = d.cfg.verbosity >= 2   ? LOG_LEVEL_DEBUG
                    : d.cfg.verbosity == 1 ? LOG_LEVEL_INFO
                                           : LOG_LEVEL_NOTICE;
    setvbuf(stdout, NULL, _IOLBF, 0);
    int status = 1;
    d.store = store_open(d.cfg.db, false, errbuf);
    if (!d.store) {
        fprintf(stderr, "flowtally: cannot open the store: %s\n", errbuf);
        goto out_cfg;
    }
    /* --once (an import) runs beside a collector; a daemon must be the only one and able to
     * write, or it would listen and lose every count. */
    if (!once && d.store->ops->claim_collector(d.store, errbuf) != 0) {
        fprintf(stderr, "flowtally: cannot collect into the store: %s\n", errbuf);
        goto out_store;
    }
    if (check_bucket(d.store, d.cfg.bucket, !once, errbuf) != 0) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        goto out_store;
    }
    if (probe_open(&d.probe, &d.cfg, errbuf) != 0) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        goto out_store;
    }
    if (d.cfg.workers == 0) { /* one per core */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        d.cfg.workers = cores < 1 ? 1 : cores > WORKERS_MAX ? WORKERS_MAX : cores;
    }
    if (!d.cfg.netflow[0] && !d.cfg.sflow[0])
        d.cfg.workers = 0; /* nothing to receive */
    if (pipeline_init(&d.pipe, &d.cfg, errbuf) != 0) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        goto out_store;
    }
    workers_init(&d.workers, (size_t)d.cfg.workers, &d.pipe);
    binder_init(&d.binder, &d.pipe, &d.workers, &d.flusher);
    /* Before anything says it listens (a test may signal us then), and before any thread
     * starts: they inherit the blocked signals; a TERM now waits for the loop. */
    install_signals();
    if (open_sockets(&d) != 0)
        goto out_socks;
    if (radius_listener_open(&d.radius, &d.cfg, errbuf) != 0) {
        fprintf(stderr, "flowtally: cannot listen for RADIUS: %s\n", errbuf);
        goto out_socks;
    }
    /* before the store thread owns the store: the logs' positions are read from it */
    if (logsrc_open(&d.logs, &d.cfg, d.store, &d.pipe, &d.binder, errbuf) != 0) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        logsrc_close(&d.logs);
        goto out_socks;
    }
    if (once) /* an import: its progress on a terminal */
        logsrc_show_progress(&d.logs, progress_terminal());
    /* the alerts evaluate whom each flush counted, on a thread and connection of their own */
    if (!once && !d.probe.is_file) {
        d.alerter = alerter_start(&d.cfg, errbuf);
        if (!d.alerter && errbuf[0]) {
            fprintf(stderr, "flowtally: %s\n", errbuf);
            logsrc_close(&d.logs);
            goto out_socks;
        }
        d.flusher.on_flushed = d.alerter ? alerter_flushed : NULL;
        d.flusher.on_flushed_ctx = d.alerter;
    }
    if (flusher_start(&d.flusher, d.store, &d.pipe.classes, &d.pipe.apps,
                      d.cfg.leases_file[0] ? d.cfg.leases_file : NULL) != 0) {
        fprintf(stderr, "flowtally: cannot start the store thread\n");
        logsrc_close(&d.logs);
        goto out_socks;
    }
    static struct class_row rows[CLASSES_MAX];
    flusher_set_classes(&d.flusher, rows, pipeline_class_rows(&d.pipe, rows));
    char shown[1024];
    uri_mask_password(d.cfg.db, shown, sizeof shown);
    printf("flowtally: storing into %s every %lld s, buckets of %lld s\n", shown,
           (long long)d.cfg.flush, (long long)d.cfg.bucket);
    take_new_map(&d); /* the first map, loaded as the store thread started */
    /* The portal reads through connections of its own: never the store thread's. An
     * import (--once) or a pcap file read has no use for one. */
    if (!once && !d.probe.is_file && d.cfg.web[0] &&
        !(d.web = webrun_start(&d.cfg, false, errbuf))) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        got_stop = 1; /* stop as after a TERM: the flusher is running, nothing is lost */
        status_web_failed = true;
    }
    if (!once) { /* --once: what the logs and a pcap file hold, then stop (an import) */
        if (workers_start(&d.workers) != 0)
            log_error("could not start every receive worker; running with fewer");
        if (!status_web_failed)
            notify_ready(&d.notify); /* listening, storing, and the portal up */
        loop(&d);
        notify_stopping(&d.notify);
    } else {
        while (d.probe.is_file && probe_run(&d.probe, wall_ms(), &pipeline_main(&d.pipe)->sink))
            ;
    }
    /* The last flush first: the portal's threads may still be answering (each stops only
     * after the request in hand), and nothing counted may wait for them. */
    status = final_flush(&d);
    webrun_stop(d.web);
    alerter_stop(d.alerter); /* after the last flush: it evaluates what that counted */
    d.alerter = NULL;
    if (status_web_failed)
        status = 1;
    if (once)
        logsrc_end_progress(&d.logs);
    for (size_t i = 0; once && i < d.logs.n; i++) {
        const struct log_counters *c = &d.logs.src[i].c;
        printf("flowtally: %s: %llu usage lines, %llu mappings, %llu denied, %llu ignored, "
               "%llu malformed\n",
               d.logs.src[i].path, (unsigned long long)c->usage, (unsigned long long)c->mappings,
               (unsigned long long)c->denied, (unsigned long long)c->ignored,
               (unsigned long long)c->malformed);
    }
    log_info("stopped after %llu flushes", (unsigned long long)d.flusher.n_flushes);
    flusher_stop(&d.flusher);
    logsrc_close(&d.logs);
    flush_batch_deinit(&d.pending);
out_socks:
    radius_listener_close(&d.radius);
    workers_deinit(&d.workers);
    pipeline_deinit(&d.pipe);
out_store:
    probe_close(&d.probe);
    store_close(d.store);
out_cfg:
    notify_close(&d.notify);
    config_deinit(&d.cfg);
    return status;
}
