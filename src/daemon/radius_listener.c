// SPDX-License-Identifier: MIT
// RADIUS in the daemon: receive, verify and answer (collect/radius.c does the protocol),
// then bind or unbind the framed address to the account named by User-Name.
#include "radius_listener.h"

#include "../base/xalloc.h"
#include "../store/store.h"
#include "workers.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define LOG_TAG "radius"
#include "../base/log.h"

struct client_parse {
    struct radius_listener *l;
};

static void add_client(void *ctx, const char *item)
{
    struct radius_listener *l = ctx;
    l->clients = xrealloc(l->clients, (l->n_clients + 1) * sizeof *l->clients);
    if (radius_client_parse(item, &l->clients[l->n_clients]) == 0)
        l->n_clients++; /* config validated the syntax already */
}

struct open_ctx {
    struct radius_listener *l;
    int rc;
    char *errbuf;
    int rcvbuf;
};

static void open_socket(void *ctx, const char *spec)
{
    struct open_ctx *oc = ctx;
    struct radius_listener *l = oc->l;
    if (oc->rc != 0 || l->n_socks == RADIUS_MAX_SOCKETS)
        return;
    oc->rc = udp_open(&l->socks[l->n_socks], spec, oc->rcvbuf, oc->errbuf);
    if (oc->rc == 0)
        printf("flowtally: listening on udp %s (RADIUS accounting, %zu clients)\n",
               l->socks[l->n_socks++].bound, l->n_clients);
}

int radius_listener_open(struct radius_listener *l, const struct config *cfg, char *errbuf)
{
    memset(l, 0, sizeof *l);
    radius_dedup_init(&l->dedup);
    l->next_seq = 1;
    config_list_each(cfg->radius_clients, add_client, l);
    if (cfg->radius[0] && l->n_clients == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "radius = %s needs radius_clients (PREFIX=SECRET)",
                 cfg->radius);
        return ERR_CONFIG;
    }
    struct open_ctx oc = {.l = l, .errbuf = errbuf, .rcvbuf = 1 << 20};
    config_list_each(cfg->radius, open_socket, &oc);
    return oc.rc;
}

void radius_listener_close(struct radius_listener *l)
{
    for (size_t i = 0; i < l->n_socks; i++)
        udp_close(&l->socks[i]);
    free(l->clients);
    l->clients = NULL;
}

/* Applies one event to the running map. A bound address is local from now on, even
 * outside local_nets (a public pool on PPPoE), and stays so after a Stop: see
 * classify/localnets.h. Returns true if p's local trie changed (its index is then to be
 * rebuilt with pipeline_index_local()). */
static bool apply_to_map(struct pipeline *p, const struct radius_applied *a)
{
    struct subscriber_map *m = p->subscribers;
    const struct radius_event *ev = &a->ev;
    const struct ip_addr *addrs[2] = {ev->has_addr ? &ev->addr : NULL,
                                      ev->has_addr6 ? &ev->addr6 : NULL};
    unsigned lens[2] = {ev->prefix_len, ev->prefix6_len};
    bool local_changed = false;
    for (int i = 0; i < 2; i++) {
        if (!addrs[i])
            continue;
        if (ev->status == RADIUS_ACCT_STOP && a->subscriber == 0) {
            submap_end_prefix_any(m, addrs[i], lens[i], ev->time_ms);
        } else if (ev->status == RADIUS_ACCT_STOP) {
            submap_end_prefix(m, addrs[i], lens[i], a->subscriber, ev->time_ms);
        } else {
            if (submap_lookup(m, addrs[i], NULL, ev->time_ms) != a->subscriber)
                submap_add_prefix(m, addrs[i], lens[i], ev->time_ms, SUBMAP_OPEN, a->subscriber);
            local_changed |= pipeline_add_local(p, addrs[i], lens[i]);
        }
    }
    return local_changed;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void radius_listener_apply(struct radius_listener *l, const struct radius_event *ev,
                           const char *source, struct pipeline *p, struct flusher *fl)
{
    if (ev->status != RADIUS_ACCT_START && ev->status != RADIUS_ACCT_INTERIM &&
        ev->status != RADIUS_ACCT_STOP)
        return; /* Accounting-On/Off and others: answered, nothing to bind */
    if (!p->subscribers)
        return;
    uint32_t sub = ev->user[0] ? submap_account(p->subscribers, ev->user) : 0;
    bool ends_any = ev->status == RADIUS_ACCT_STOP && ev->user[0] == '\0';
    if (sub == 0 && !ends_any) {
        l->unknown_user++;
        log_rl_warn("%s user '%.64s' is no account; its address stays unassigned", source,
                    ev->user);
        return;
    }
    struct radius_applied *a = &l->recent[l->next_seq % RADIUS_RECENT];
    *a = (struct radius_applied){
        .seq = l->next_seq++, .source = source, .subscriber = sub, .ev = *ev};
    snprintf(a->account, sizeof a->account, "%s", ev->user);
    if (l->workers)
        workers_hold(l->workers); /* they read the map and the local trie this changes */
    if (apply_to_map(p, a))
        pipeline_index_local(p); /* a new address outside local_nets: 0.3-0.6 ms */
    if (l->workers)
        workers_release(l->workers);
    flusher_queue_radius(fl, a);
}

void radius_listener_receive(struct radius_listener *l, size_t i, struct pipeline *p,
                             struct flusher *fl)
{
    uint8_t pkt[4096], resp[RADIUS_RESPONSE_LEN];
    for (int n = 0; n < 64; n++) {
        struct sockaddr_storage from;
        socklen_t fromlen = sizeof from;
        ssize_t len = recvfrom(l->socks[i].fd, pkt, sizeof pkt, MSG_DONTWAIT,
                               (struct sockaddr *)&from, &fromlen);
        if (len < 0)
            return;
        struct ip_addr src;
        if (from.ss_family == AF_INET)
            src = addr_from_v4(ntohl(((struct sockaddr_in *)&from)->sin_addr.s_addr));
        else
            src = addr_from_v6(((struct sockaddr_in6 *)&from)->sin6_addr.s6_addr);
        struct radius_event ev;
        bool dup = false;
        int rc = radius_handle(l->clients, l->n_clients, &l->dedup, &src, pkt, (size_t)len,
                               now_ms(), &ev, &dup, resp, sizeof resp, &l->c);
        if (rc <= 0)
            continue;
        sendto(l->socks[i].fd, resp, (size_t)rc, 0, (struct sockaddr *)&from, fromlen);
        if (!dup)
            radius_listener_apply(l, &ev, "radius", p, fl);
    }
}

void radius_listener_replay(const struct radius_listener *l, struct pipeline *p, uint64_t map_seq)
{
    uint64_t first = l->next_seq > RADIUS_RECENT ? l->next_seq - RADIUS_RECENT : 1;
    if (map_seq + 1 > first)
        first = map_seq + 1;
    bool local_changed = false;
    for (uint64_t seq = first; seq < l->next_seq && p->subscribers; seq++)
        local_changed |= apply_to_map(p, &l->recent[seq % RADIUS_RECENT]);
    if (local_changed)
        pipeline_index_local(p); /* once for them all */
}

void radius_listener_take_stats(struct radius_listener *l, struct flush_batch *b)
{
    flush_batch_add_stat(b, "*", 0, 0, "radius_requests", l->c.requests);
    flush_batch_add_stat(b, "*", 0, 0, "radius_accepted", l->c.accepted);
    flush_batch_add_stat(b, "*", 0, 0, "radius_duplicates", l->c.duplicates);
    flush_batch_add_stat(b, "*", 0, 0, "radius_drop_unknown_client", l->c.drop_unknown_client);
    flush_batch_add_stat(b, "*", 0, 0, "radius_drop_bad_authenticator",
                         l->c.drop_bad_authenticator);
    flush_batch_add_stat(b, "*", 0, 0, "radius_drop_malformed", l->c.drop_malformed);
    flush_batch_add_stat(b, "*", 0, 0, "radius_drop_not_accounting", l->c.drop_not_accounting);
    flush_batch_add_stat(b, "*", 0, 0, "radius_unknown_user", l->unknown_user);
    memset(&l->c, 0, sizeof l->c);
    l->unknown_user = 0;
}

/* Records an applied event as bindings in the store (the flusher thread calls this). */
void radius_applied_store(struct store *s, const struct radius_applied *a)
{
    const struct radius_event *ev = &a->ev;
    const struct ip_addr *addrs[2] = {ev->has_addr ? &ev->addr : NULL,
                                      ev->has_addr6 ? &ev->addr6 : NULL};
    unsigned lens[2] = {ev->prefix_len, ev->prefix6_len};
    char errbuf[ERR_BUF_LEN];
    for (int i = 0; i < 2; i++) {
        char value[ADDR_STR_LEN + 4];
        if (!addrs[i])
            continue;
        prefix_format(addrs[i], lens[i], value);
        if (ev->status == RADIUS_ACCT_STOP) {
            store_binding_end(s, value, NULL, ev->time_ms, NULL);
        } else if (store_binding_is_open(s, value, a->subscriber) == 0 &&
                   store_binding_add(s, a->account, "prefix", value, ev->time_ms, 0, a->source,
                                     ev->session_id[0] ? ev->session_id : NULL, errbuf) != 0) {
            log_warn("could not record the %s binding of %s: %s", a->source, value, errbuf);
        }
    }
}
