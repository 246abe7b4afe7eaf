// SPDX-License-Identifier: MIT
// The service manager's readiness protocol (sd_notify(3)) without libsystemd: one datagram
// per state change to the socket systemd names in $NOTIFY_SOCKET, and WATCHDOG=1 pings
// from the main loop when $WATCHDOG_USEC asks for them. Outside systemd every call is a
// no-op. Main thread only.
#ifndef FT_NOTIFY_H
#define FT_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

struct notify {
    int fd;                    /* datagram socket; -1 when no manager listens */
    struct sockaddr_un addr;   /* $NOTIFY_SOCKET, an abstract name starting with a NUL */
    socklen_t addr_len;        /* bytes of addr that count (abstract names are not NUL-ended) */
    uint64_t watchdog_ms;      /* between two WATCHDOG=1: half of $WATCHDOG_USEC; 0 = none */
    uint64_t next_watchdog_ms; /* monotonic time the next ping is due */
};

/* Reads $NOTIFY_SOCKET (an absolute path, or @name for an abstract socket), $WATCHDOG_USEC
 * and $WATCHDOG_PID, and removes them from the environment so that no child (the quota
 * hook) speaks for the daemon; call before any thread starts. A watchdog whose
 * $WATCHDOG_PID names another process is not ours. now_ms: monotonic.
 * Returns 0 (n->fd is -1 when $NOTIFY_SOCKET is unset), or ERR_CONFIG with errbuf when a
 * variable is set but unusable, or -errno when the socket cannot be made. */
int notify_open(struct notify *n, uint64_t now_ms, char *errbuf);

/* Closes the socket; a closed or never opened struct is fine. */
void notify_close(struct notify *n);

/* Sends one state message ("READY=1", lines separated by '\n'). Returns 0, also when no
 * manager listens, or -errno when the datagram was not sent (logged, rate-limited). */
int notify_send(struct notify *n, const char *msg);

/* READY=1: listening and storing. */
int notify_ready(struct notify *n);

/* RELOADING=1 with MONOTONIC_USEC, the CLOCK_MONOTONIC time in microseconds the reload
 * began; READY=1 follows when it is done. */
int notify_reloading(struct notify *n, uint64_t now_us);

/* STOPPING=1: the last flush begins. */
int notify_stopping(struct notify *n);

/* Sends WATCHDOG=1 when one is due at now_ms (monotonic). Returns the milliseconds until
 * the next is due, which the caller's wait must not exceed; UINT64_MAX without a watchdog. */
uint64_t notify_watchdog(struct notify *n, uint64_t now_ms);

#endif
