// SPDX-License-Identifier: MIT
// Socket setup and the batched receive. The receive path allocates nothing: the batch's
// buffers and message headers are set up once.
#include "udp.h"

#include "../base/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/sock_diag.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOG_TAG "collect"
#include "../base/log.h"

static void set_rcvbuf(int fd, int rcvbuf, const char *spec, bool warn)
{
    /* SO_RCVBUFFORCE passes net.core.rmem_max when we have CAP_NET_ADMIN. */
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf) != 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    int got = 0;
    socklen_t len = sizeof got;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &len);
    /* Linux reports twice the requested size (bookkeeping overhead included). */
    if (warn && got / 2 < rcvbuf)
        log_warn("%s: receive buffer is %d bytes, not the %d asked for; raise "
                 "net.core.rmem_max (sysctl -w net.core.rmem_max=%d) to avoid drops at peaks",
                 spec, got / 2, rcvbuf, rcvbuf);
}

static void format_bound(struct udp_socket *s)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char host[ADDR_STR_LEN] = "?";
    uint16_t port = 0;
    getsockname(s->fd, (struct sockaddr *)&ss, &len);
    if (ss.ss_family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
        inet_ntop(AF_INET, &sin->sin_addr, host, sizeof host);
        port = ntohs(sin->sin_port);
        snprintf(s->bound, sizeof s->bound, "%s:%u", host, port);
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
        inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof host);
        port = ntohs(sin6->sin6_port);
        snprintf(s->bound, sizeof s->bound, "[%s]:%u", host, port);
    }
}

/* Opens one socket; SO_REUSEPORT when it is one of a group sharing the port. */
static int open_one(struct udp_socket *s, const struct sockaddr_storage *ss, socklen_t sslen,
                    bool reuseport, int rcvbuf, const char *spec, bool warn, char *errbuf)
{
    int one = 1;
    *s = (struct udp_socket){.fd = -1};
    int fd = socket(ss->ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    if (ss->ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
    if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        goto fail;
    if (bind(fd, (const struct sockaddr *)ss, sslen) != 0)
        goto fail;
    s->fd = fd;
    set_rcvbuf(fd, rcvbuf, spec, warn);
    format_bound(s);
    return 0;
fail:;
    int err = errno;
    snprintf(errbuf, ERR_BUF_LEN, "%s: %s", spec, strerror(err));
    if (fd >= 0)
        close(fd);
    return -err;
}

int udp_open(struct udp_socket *s, const char *spec, int rcvbuf, char *errbuf)
{
    return udp_open_group(s, 1, spec, rcvbuf, errbuf);
}

/* The kernel runs this classic BPF program for each datagram to pick a socket of the group:
 * a hash of the sender's address (never its port) modulo the group's size. All of an
 * exporter's datagrams then reach one worker, which holds its templates and sequence
 * state, even when it sends from several ports or changes port after a restart. The
 * program reads the address from the IP header (SKF_NET_OFF: the packet data starts at the
 * UDP payload here). */
static int steer_by_sender(int fd, bool v6, size_t n)
{
    struct sock_filter v4prog[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 12), /* A = saddr */
        BPF_STMT(BPF_MISC | BPF_TAX, 0),
        BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16),
        BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0), /* fold the high half onto the low */
        BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, (uint32_t)n),
        BPF_STMT(BPF_RET | BPF_A, 0),
    };
    struct sock_filter v6prog[] = {
        /* A = the four words of the 16-byte source address, xor-ed together */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 8),
        BPF_STMT(BPF_MISC | BPF_TAX, 0),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 12),
        BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
        BPF_STMT(BPF_MISC | BPF_TAX, 0),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 16),
        BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
        BPF_STMT(BPF_MISC | BPF_TAX, 0),
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (uint32_t)SKF_NET_OFF + 20),
        BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
        BPF_STMT(BPF_MISC | BPF_TAX, 0),
        BPF_STMT(BPF_ALU | BPF_RSH | BPF_K, 16),
        BPF_STMT(BPF_ALU | BPF_XOR | BPF_X, 0),
        BPF_STMT(BPF_ALU | BPF_MOD | BPF_K, (uint32_t)n),
        BPF_STMT(BPF_RET | BPF_A, 0),
    };
    struct sock_fprog prog = {.len = v6 ? sizeof v6prog / sizeof v6prog[0]
                                        : sizeof v4prog / sizeof v4prog[0],
                              .filter = v6 ? v6prog : v4prog};
    return setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &prog, sizeof prog);
}

int udp_open_group(struct udp_socket *socks, size_t n, const char *spec, int rcvbuf, char *errbuf)
{
    struct ip_addr addr;
    uint16_t port;
    if (addr_parse_endpoint(spec, &addr, &port) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "'%s': expected ADDR:PORT or [ADDR]:PORT", spec);
        return ERR_CONFIG;
    }
    struct sockaddr_storage ss;
    socklen_t sslen = addr_sockaddr(&addr, port, &ss);
    for (size_t i = 0; i < n; i++) {
        int rc = open_one(&socks[i], &ss, sslen, n > 1, rcvbuf, spec, i == 0, errbuf);
        if (rc != 0) {
            for (size_t j = 0; j < i; j++)
                udp_close(&socks[j]);
            return rc;
        }
        if (i == 0 && port == 0) { /* the others join the port the kernel picked (sin_port
                                    * and sin6_port sit at the same offset) */
            struct sockaddr_storage got;
            socklen_t len = sizeof got;
            getsockname(socks[0].fd, (struct sockaddr *)&got, &len);
            ((struct sockaddr_in *)&ss)->sin_port = ((struct sockaddr_in *)&got)->sin_port;
        }
    }
    if (n > 1 && steer_by_sender(socks[0].fd, ss.ss_family == AF_INET6, n) != 0)
        log_warn("%s: cannot steer by exporter address (%s); the kernel spreads datagrams by "
                 "address and port, so an exporter changing port may lose templates for a while",
                 spec, strerror(errno));
    return 0;
}

void udp_close(struct udp_socket *s)
{
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

void udp_batch_init(struct udp_batch *b)
{
    *b = (struct udp_batch){0};
    b->buf = xmalloc(UDP_BATCH * sizeof *b->buf);
}

void udp_batch_deinit(struct udp_batch *b)
{
    free(b->buf);
    b->buf = NULL;
}

static struct ip_addr from_sockaddr(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
        return addr_from_v4(ntohl(sin->sin_addr.s_addr));
    }
    const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
    return addr_from_v6(sin6->sin6_addr.s6_addr);
}

/* Takes a reading of the kernel's drop counter and returns what it adds; readings may come
 * out of order (a datagram's SO_RXQ_OVFL older than a SO_MEMINFO read), so only a count
 * ahead of the last one counts (serial arithmetic on the 32-bit counter). */
static uint32_t drops_seen(struct udp_socket *s, uint32_t drops)
{
    int32_t ahead = (int32_t)(drops - s->kernel_drops);
    if (ahead <= 0)
        return 0;
    s->kernel_drops = drops;
    return (uint32_t)ahead;
}

uint64_t udp_kernel_drops(struct udp_socket *s)
{
    uint32_t meminfo[SK_MEMINFO_VARS];
    socklen_t len = sizeof meminfo;
    if (getsockopt(s->fd, SOL_SOCKET, SO_MEMINFO, meminfo, &len) != 0 ||
        len <= SK_MEMINFO_DROPS * sizeof meminfo[0])
        return 0;
    return drops_seen(s, meminfo[SK_MEMINFO_DROPS]);
}

int udp_recv(struct udp_socket *s, struct udp_batch *b, uint64_t *new_kernel_drops)
{
    struct mmsghdr msgs[UDP_BATCH];
    struct iovec iov[UDP_BATCH];
    struct sockaddr_storage from[UDP_BATCH];
    union {
        char buf[CMSG_SPACE(sizeof(uint32_t))];
        struct cmsghdr align;
    } ctl[UDP_BATCH];
    for (size_t i = 0; i < UDP_BATCH; i++) {
        iov[i] = (struct iovec){.iov_base = b->buf[i], .iov_len = UDP_MAX_DATAGRAM};
        msgs[i].msg_hdr = (struct msghdr){.msg_name = &from[i],
                                          .msg_namelen = sizeof from[i],
                                          .msg_iov = &iov[i],
                                          .msg_iovlen = 1,
                                          .msg_control = ctl[i].buf,
                                          .msg_controllen = sizeof ctl[i].buf};
    }
    *new_kernel_drops = 0;
    b->n = 0;
    int n = recvmmsg(s->fd, msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
    for (int i = 0; i < n; i++) {
        struct msghdr *h = &msgs[i].msg_hdr;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
            if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
                uint32_t drops;
                memcpy(&drops, CMSG_DATA(c), sizeof drops);
                *new_kernel_drops += drops_seen(s, drops);
            }
        }
        if (h->msg_flags & MSG_TRUNC) {
            b->n_truncated++;
            continue;
        }
        b->len[b->n] = msgs[i].msg_len;
        b->from[b->n] = from_sockaddr(&from[i]);
        if (b->n != (size_t)i)
            memcpy(b->buf[b->n], b->buf[i], msgs[i].msg_len);
        b->n++;
    }
    return (int)b->n;
}
