// SPDX-License-Identifier: MIT
// Probe wiring: open, poll, expire, finish, and counters into the flush batch.
#include "probe.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>

#define LOG_TAG "probe"
#include "../base/log.h"

#define PROBE_BATCH 1024 /* packets per dispatch, then the loop looks at timers again */

int probe_open(struct probe *p, const struct config *cfg, char *errbuf)
{
    memset(p, 0, sizeof *p);
    if (!cfg->read[0] && !cfg->capture[0])
        return 0;
    p->is_file = cfg->read[0] != '\0';
    p->cap = p->is_file ? capture_open_file(cfg->read, cfg->bpf, errbuf)
                        : capture_open_live(cfg->capture, cfg->bpf, 0, errbuf);
    if (!p->cap)
        return ERR_CONFIG;
    p->ft = flowtable_new((size_t)cfg->max_flows, (uint32_t)cfg->idle_timeout * 1000,
                          (uint32_t)cfg->active_timeout * 1000);
    printf("flowtally: %s %s\n", p->is_file ? "reading" : "capturing on",
           p->is_file ? cfg->read : cfg->capture);
    return 0;
}

void probe_close(struct probe *p)
{
    capture_close(p->cap);
    flowtable_free(p->ft);
    memset(p, 0, sizeof *p);
}

int probe_fd(const struct probe *p)
{
    return p->cap && !p->is_file ? capture_fd(p->cap) : -1;
}

/* Every flow of the probe passes through the naming sink on its way to `sink`. */
static const struct flow_sink *named(struct probe *p, const struct flow_sink *sink)
{
    capture_sink_init(&p->named, p->cap, sink);
    return &p->named.sink;
}

bool probe_run(struct probe *p, uint64_t wall_ms, const struct flow_sink *sink)
{
    if (!p->cap)
        return true;
    sink = named(p, sink);
    capture_dispatch(p->cap, PROBE_BATCH, p->ft, sink);
    if (p->is_file) {
        if (!capture_eof(p->cap))
            return true;
        flowtable_flush_all(p->ft, sink);
        return false;
    }
    flowtable_expire(p->ft, wall_ms, sink);
    return true;
}

void probe_finish(struct probe *p, const struct flow_sink *sink)
{
    if (!p->cap)
        return;
    sink = named(p, sink);
    if (!p->is_file) {
        /* the kernel hands over a partly filled block only after its timeout */
        struct pollfd pfd = {.fd = capture_fd(p->cap), .events = POLLIN};
        poll(&pfd, 1, 2 * CAPTURE_TIMEOUT_MS);
        for (int i = 0; i < 1000 && capture_dispatch(p->cap, PROBE_BATCH, p->ft, sink) > 0; i++)
            ;
    }
    flowtable_flush_all(p->ft, sink);
}

void probe_take_stats(struct probe *p, struct flush_batch *b)
{
    if (!p->cap)
        return;
    capture_read_drops(p->cap);
    const struct capture_counters *cc = capture_counters(p->cap);
    const struct flowtable_counters *fc = flowtable_counters(p->ft);
#define X(name) flush_batch_add_stat(b, "*", 0, 0, "capture_" #name, cc->name - p->last.name);
    CAPTURE_COUNTERS(X)
#undef X
#define X(name) flush_batch_add_stat(b, "*", 0, 0, "probe_" #name, fc->name - p->last_ft.name);
    FLOWTABLE_COUNTERS(X)
#undef X
    if (fc->expired_early > p->last_ft.expired_early)
        log_warn("flow table full (max_flows): %llu flows ended early since the last flush; "
                 "their counts are kept, split in more flows",
                 (unsigned long long)(fc->expired_early - p->last_ft.expired_early));
    p->last = *cc;
    p->last_ft = *fc;
}
