// SPDX-License-Identifier: MIT
// Per-flow classification: sampling renormalisation, then direction. Integer arithmetic
// only; a product that could overflow the 64-bit counters (or SQLite's signed integers) is
// refused and counted instead of wrapping.
#include "classify.h"

#define LOG_TAG "classify"
#include "../base/log.h"

/* No single flow record carries a petabyte; counts above this are corrupt or hostile. */
#define CLASSIFY_MAX_COUNT (1ULL << 50)

void classifier_init(struct classifier *c, const struct prefix_trie *local_nets,
                     const struct prefix_trie *sampling, struct usage_sink out)
{
    *c = (struct classifier){.local_nets = local_nets, .sampling = sampling, .out = out};
}

static uint32_t sampling_rate(struct classifier *c, const struct flow *f)
{
    uint32_t rate;
    if (c->sampling && prefix_trie_lookup(c->sampling, &f->exporter, &rate))
        return rate;
    if (f->sampling > 0)
        return f->sampling;
    if (f->sampled_no_rate) {
        char text[ADDR_STR_LEN];
        c->c.flows_rate_unknown++;
        log_rl_warn("exporter %s sends sampled flows without a sampling rate: counting them "
                    "1:1; set `sampling = %s=N` to correct",
                    addr_format(&f->exporter, text), text);
    }
    return 1;
}

static enum flow_dir direction(const struct classifier *c, const struct flow *f,
                               struct ip_addr *host)
{
    uint32_t unused;
    bool src_local = prefix_trie_lookup(c->local_nets, &f->src, &unused);
    bool dst_local = prefix_trie_lookup(c->local_nets, &f->dst, &unused);
    if (src_local && dst_local) {
        *host = f->src;
        return FLOW_DIR_INTERNAL;
    }
    if (src_local) {
        *host = f->src;
        return FLOW_DIR_OUT;
    }
    if (dst_local) {
        *host = f->dst;
        return FLOW_DIR_IN;
    }
    *host = f->src;
    return FLOW_DIR_TRANSIT;
}

/* Traffic class by the remote address at the flow's time, application by protocol and the
 * remote (server) port. */
static void classify_class_app(const struct classifier *c, const struct flow *f,
                               struct usage_delta *d)
{
    bool remote_is_src = d->dir == FLOW_DIR_IN;
    const struct ip_addr *remote = remote_is_src ? &f->src : &f->dst;
    uint16_t remote_port = remote_is_src ? f->src_port : f->dst_port;
    if (c->classes && d->dir != FLOW_DIR_TRANSIT)
        d->class_id = c->class_ids[classes_match(c->classes, remote, f->end_ms)];
    if (c->apps)
        d->app_id = c->app_ids[apps_match(c->apps, f->protocol, remote_port)];
    if (f->app_name && c->app_names) {
        /* named from the packets themselves (nDPI): better than any port guess */
        uint16_t id = intern_id(c->app_names, f->app_name);
        if (id != INTERN_NONE)
            d->app_id = id;
    }
}

void classifier_emit(void *classifier, const struct flow *f)
{
    struct classifier *c = classifier;
    uint32_t rate = sampling_rate(c, f);
    if (f->bytes > CLASSIFY_MAX_COUNT / rate || f->packets > CLASSIFY_MAX_COUNT / rate) {
        c->c.drop_implausible++;
        return;
    }
    if (!points_count(c->points, &f->exporter, f->in_if, f->out_if)) {
        /* Another router's view of traffic billed where it is counted (count_at). */
        c->c.flows_not_billed++;
        c->c.bytes_not_billed += f->bytes * rate;
        return;
    }
    if (rate > 1)
        c->c.flows_renormalised++;
    struct usage_delta d = {
        .time_ms = f->end_ms,
        .subscriber = USAGE_UNASSIGNED,
        .class_id = c->default_class,
        .app_id = c->other_app,
        .counts = {.bytes = f->bytes * rate, .packets = f->packets * rate, .flows = 1}};
    d.dir = (uint8_t)direction(c, f, &d.host);
    uint32_t unused;
    if (c->exclude && prefix_trie_lookup(c->exclude, &d.host, &unused)) {
        /* e.g. a proxy: its users' traffic is billed from the proxy's log instead */
        c->c.flows_excluded++;
        return;
    }
    if (c->subscribers && d.dir != FLOW_DIR_TRANSIT) {
        /* The local side's MAC: the source of what it sends, the destination of the rest. */
        const uint8_t *mac = !f->has_mac ? NULL : d.dir == FLOW_DIR_IN ? f->dst_mac : f->src_mac;
        d.subscriber = submap_lookup(c->subscribers, &d.host, mac, f->end_ms);
    }
    classify_class_app(c, f, &d);
    c->c.flows++;
    c->out.emit(c->out.ctx, &d);
}

void classifier_emit_log(struct classifier *c, const struct log_usage *u, uint16_t app_id)
{
    struct ip_addr none = {{0}}; /* ::, the host of usage whose local address is unknown */
    const struct ip_addr *host = u->has_local ? &u->local : &none;
    uint32_t sub = USAGE_UNASSIGNED;
    if (c->subscribers && u->user[0])
        sub = submap_account(c->subscribers, u->user);
    if (c->subscribers && sub == USAGE_UNASSIGNED && (u->has_local || u->has_mac))
        sub = submap_lookup(c->subscribers, host, u->has_mac ? u->mac : NULL, u->time_ms);
    if (u->bytes_in > CLASSIFY_MAX_COUNT || u->bytes_out > CLASSIFY_MAX_COUNT) {
        c->c.drop_implausible++;
        return;
    }
    struct usage_delta d = {.host = *host,
                            .time_ms = u->time_ms,
                            .subscriber = sub,
                            .class_id = c->default_class,
                            .app_id = app_id};
    if (c->classes && u->has_remote)
        d.class_id = c->class_ids[classes_match(c->classes, &u->remote, u->time_ms)];
    uint64_t flows = 1;
    const uint64_t bytes[2] = {u->bytes_in, u->bytes_out};
    for (int i = 0; i < 2; i++) {
        if (bytes[i] == 0)
            continue;
        d.dir = i == 0 ? FLOW_DIR_IN : FLOW_DIR_OUT;
        d.counts = (struct usage_counts){.bytes = bytes[i], .flows = flows};
        flows = 0;
        c->c.log_lines++;
        c->out.emit(c->out.ctx, &d);
    }
}
