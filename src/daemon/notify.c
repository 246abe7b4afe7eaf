// SPDX-License-Identifier: MIT
// sd_notify(3) spoken directly: the protocol is one datagram of "KEY=VALUE" lines to a
// Unix socket, so a socket and sendto() do what libsystemd would, without linking a
// library (and its dependencies) for five messages. The daemon's main loop calls
// notify_watchdog(), so the pings stop when that loop stops turning.
#include "notify.h"

#include "../base/err.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOG_TAG "notify"
#include "../base/log.h"

/* Parses a whole decimal number of at most 19 digits (so no overflow), or returns false. */
static bool parse_u64(const char *s, uint64_t *out)
{
    size_t len = strlen(s);
    if (len == 0 || len > 19 || strspn(s, "0123456789") != len)
        return false;
    *out = strtoull(s, NULL, 10);
    return true;
}

/* sd_notify(3): "@" starts an abstract name (Linux), whose first byte is NUL and which
 * ends where the length says; anything else must be an absolute path. */
static int parse_address(struct notify *n, const char *s, char *errbuf)
{
    size_t len = strlen(s);
    if ((s[0] != '/' && s[0] != '@') || len < 2) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "NOTIFY_SOCKET=%s: expected an absolute path or @ and an abstract socket name", s);
        return ERR_CONFIG;
    }
    if (len > sizeof n->addr.sun_path - (s[0] == '/')) { /* a path keeps its NUL */
        snprintf(errbuf, ERR_BUF_LEN,
                 "NOTIFY_SOCKET=%s: longer than the %zu bytes a socket "
                 "address holds",
                 s, sizeof n->addr.sun_path - 1);
        return ERR_CONFIG;
    }
    n->addr.sun_family = AF_UNIX;
    memcpy(n->addr.sun_path, s, len);
    if (s[0] == '@') {
        n->addr.sun_path[0] = '\0';
        n->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    } else {
        n->addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
    }
    return 0;
}

/* sd_watchdog_enabled(3): the interval is ours unless WATCHDOG_PID names another process. */
static int parse_watchdog(struct notify *n, const char *usec, const char *pid, uint64_t now_ms,
                          char *errbuf)
{
    uint64_t us, p = 0;
    if (!parse_u64(usec, &us) || us == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "WATCHDOG_USEC=%s: expected microseconds, 1 or more", usec);
        return ERR_CONFIG;
    }
    if (pid && (!parse_u64(pid, &p) || p == 0)) {
        snprintf(errbuf, ERR_BUF_LEN, "WATCHDOG_PID=%s: expected a process id", pid);
        return ERR_CONFIG;
    }
    if (pid && p != (uint64_t)getpid())
        return 0;
    /* Half the timeout, as sd_watchdog_enabled(3) advises: one late ping is not fatal. */
    n->watchdog_ms = us / 2000 ? us / 2000 : 1;
    n->next_watchdog_ms = now_ms; /* the first at once: the manager's clock started already */
    return 0;
}

int notify_open(struct notify *n, uint64_t now_ms, char *errbuf)
{
    *n = (struct notify){.fd = -1};
    const char *sock = getenv("NOTIFY_SOCKET");
    const char *usec = getenv("WATCHDOG_USEC");
    const char *pid = getenv("WATCHDOG_PID");
    int rc = 0;
    if (sock && (rc = parse_address(n, sock, errbuf)) != 0)
        goto out;
    if (sock && usec && (rc = parse_watchdog(n, usec, pid, now_ms, errbuf)) != 0)
        goto out;
    if (sock) {
        n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (n->fd < 0) {
            rc = -errno;
            snprintf(errbuf, ERR_BUF_LEN, "cannot make a socket for NOTIFY_SOCKET: %s",
                     strerror(errno));
        }
    }
out:
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    if (rc != 0)
        n->watchdog_ms = 0;
    return rc;
}

void notify_close(struct notify *n)
{
    if (n->fd >= 0)
        close(n->fd);
    n->fd = -1;
    n->watchdog_ms = 0;
}

int notify_send(struct notify *n, const char *msg)
{
    if (n->fd < 0)
        return 0;
    /* Never block the main loop on a busy manager: a message it cannot take now is logged;
     * a lost WATCHDOG=1 is sent again in half a timeout. */
    ssize_t sent = sendto(n->fd, msg, strlen(msg), MSG_DONTWAIT | MSG_NOSIGNAL,
                          (const struct sockaddr *)&n->addr, n->addr_len);
    if (sent < 0) {
        int e = errno;
        log_rl_warn("cannot tell the service manager %.40s: %s", msg, strerror(e));
        return -e;
    }
    return 0;
}

int notify_ready(struct notify *n)
{
    return notify_send(n, "READY=1");
}

int notify_reloading(struct notify *n, uint64_t now_us)
{
    char msg[64];
    snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%" PRIu64, now_us);
    return notify_send(n, msg);
}

int notify_stopping(struct notify *n)
{
    return notify_send(n, "STOPPING=1");
}

uint64_t notify_watchdog(struct notify *n, uint64_t now_ms)
{
    if (n->fd < 0 || n->watchdog_ms == 0)
        return UINT64_MAX;
    if (now_ms >= n->next_watchdog_ms) {
        notify_send(n, "WATCHDOG=1");
        n->next_watchdog_ms = now_ms + n->watchdog_ms;
    }
    return n->next_watchdog_ms - now_ms;
}
