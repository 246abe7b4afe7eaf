// SPDX-License-Identifier: MIT
// RADIUS in the daemon: receive, verify and answer (collect/radius.c does the protocol),
// then hand the event to the binder, which binds or unbinds the framed address to the
// account named by User-Name by the rules of bind/bind.c.
#include "radius_listener.h"

#include "../base/portowner.h"
#include "../base/xalloc.h"

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
    if (oc->rc == -EADDRINUSE)
        portowner_hint(oc->errbuf, spec, false, "radius", "a RADIUS server such as freeradius");
    if (oc->rc == 0)
        printf("flowtally: listening on udp %s (RADIUS accounting, %zu clients)\n",
               l->socks[l->n_socks++].bound, l->n_clients);
}

int radius_listener_open(struct radius_listener *l, const struct config *cfg, char *errbuf)
{
    memset(l, 0, sizeof *l);
    radius_dedup_init(&l->dedup);
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

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void radius_listener_receive(struct radius_listener *l, size_t i, struct binder *b)
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
        struct bind_event e;
        if (!dup && bind_event_from_radius(&ev, "radius", &e)) /* On/Off: nothing to bind */
            binder_apply(b, &e);
    }
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
    memset(&l->c, 0, sizeof l->c);
}
