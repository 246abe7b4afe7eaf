// SPDX-License-Identifier: MIT
// UDP receive sockets for export datagrams: binding "ADDR:PORT" / "[ADDR]:PORT", large
// receive buffers, batched receive with recvmmsg(), and the kernel's per-socket drop
// counter (SO_RXQ_OVFL) read back with every batch.
#ifndef FT_UDP_H
#define FT_UDP_H

#include "../base/addr.h"
#include "../base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define UDP_BATCH 32           /* datagrams per recvmmsg() */
#define UDP_MAX_DATAGRAM 65536 /* largest UDP payload, rounded up */

struct udp_socket {
    int fd;
    char bound[ADDR_STR_LEN + 8]; /* "addr:port" actually bound, for logs and tests */
    uint32_t kernel_drops;        /* the socket's drop count as last seen (SO_RXQ_OVFL or
                                     SO_MEMINFO: both read the kernel's sk_drops) */
};

struct udp_batch {
    size_t n;                         /* datagrams received by the last udp_recv() */
    size_t len[UDP_BATCH];            /* payload length of each */
    struct ip_addr from[UDP_BATCH];   /* sender of each */
    uint8_t (*buf)[UDP_MAX_DATAGRAM]; /* owned: UDP_BATCH buffers */
    uint64_t n_truncated;             /* datagrams larger than the buffer, dropped */
};

/* Opens a non-blocking socket bound to spec ("0.0.0.0:2055", "[::]:2055", port 0 for any),
 * asking for rcvbuf bytes of receive buffer (warning when the kernel grants less). IPv6
 * sockets are IPv6-only so an IPv4 socket can share the port. Returns 0 or a negative code
 * with a message in errbuf. */
int udp_open(struct udp_socket *s, const char *spec, int rcvbuf, char *errbuf);

/* Opens n sockets on spec sharing its port (SO_REUSEPORT; port 0: one the kernel picks, the
 * same for all), with the kernel steering each datagram by its sender's address, so that an
 * exporter always reaches the same socket. n = 1 is udp_open(). Returns 0 or a negative
 * code with a message in errbuf; on failure none is left open. */
int udp_open_group(struct udp_socket *socks, size_t n, const char *spec, int rcvbuf, char *errbuf);
void udp_close(struct udp_socket *s);

void udp_batch_init(struct udp_batch *b);
void udp_batch_deinit(struct udp_batch *b);

/* Receives up to UDP_BATCH datagrams without blocking. Returns how many (0 when none are
 * waiting) or a negative errno. OUT: *new_kernel_drops is the increase in the socket's
 * kernel drop counter since the last call. */
int udp_recv(struct udp_socket *s, struct udp_batch *b, uint64_t *new_kernel_drops);

/* Reads the socket's kernel drop count (SO_MEMINFO) and returns its increase since it was
 * last seen. Catches drops after the last datagram received, which no SO_RXQ_OVFL message
 * reports. */
uint64_t udp_kernel_drops(struct udp_socket *s);

#endif
