// SPDX-License-Identifier: MIT
// The process that holds a port, from /proc (Linux). Read only after a bind failed, so
// nothing here is on a hot path; every read is bounded, and a /proc that cannot be read
// gives no name rather than an error.
#include "portowner.h"

#include "addr.h"
#include "err.h"

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PORTOWNER_UDP_BOUND 0x07  /* TCP_CLOSE: how a bound UDP socket shows */
#define PORTOWNER_TCP_LISTEN 0x0A /* TCP_LISTEN */

/* "   0: 0100007F:0803 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000  0 4242
 * ...": slot, local address:port (hex), remote, state, queues, timers, retransmits, uid,
 * timeout, inode (proc_net_udp(7), Documentation/networking/proc_net_tcp.rst). */
bool portowner_parse_line(const char *line, bool is_tcp, uint16_t port, uint64_t *inode)
{
    unsigned local_port, state;
    unsigned long long ino;
    if (sscanf(line, " %*u: %*[0-9A-Fa-f]:%x %*[0-9A-Fa-f]:%*x %x %*x:%*x %*x:%*x %*x %*u %*u %llu",
               &local_port, &state, &ino) != 3)
        return false; /* the heading, or not a socket line */
    if (local_port != port || ino == 0)
        return false;
    if (state != (is_tcp ? PORTOWNER_TCP_LISTEN : PORTOWNER_UDP_BOUND))
        return false;
    *inode = ino;
    return true;
}

/* The inodes of the sockets on port, from the IPv4 and IPv6 tables: up to max. */
static size_t find_inodes(bool is_tcp, uint16_t port, uint64_t *inodes, size_t max)
{
    const char *const tables[2][2] = {{"/proc/net/udp", "/proc/net/udp6"},
                                      {"/proc/net/tcp", "/proc/net/tcp6"}};
    size_t n = 0;
    for (size_t t = 0; t < 2; t++) {
        FILE *f = fopen(tables[is_tcp][t], "r");
        if (!f)
            continue;
        char line[512];
        while (n < max && fgets(line, sizeof line, f))
            if (portowner_parse_line(line, is_tcp, port, &inodes[n]))
                n++;
        fclose(f);
    }
    return n;
}

/* Whether the process pid has a descriptor on one of the sockets. */
static bool holds_socket(const char *pid, const uint64_t *inodes, size_t n)
{
    char dir_path[300]; /* a name of /proc is at most 255 bytes */
    snprintf(dir_path, sizeof dir_path, "/proc/%s/fd", pid);
    DIR *dir = opendir(dir_path);
    if (!dir)
        return false; /* gone, or another user's */
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(dir))) {
        char path[600], target[64];
        snprintf(path, sizeof path, "%s/%s", dir_path, e->d_name);
        ssize_t len = readlink(path, target, sizeof target - 1);
        if (len <= 0)
            continue;
        target[len] = '\0';
        unsigned long long ino;
        if (sscanf(target, "socket:[%llu]", &ino) != 1)
            continue;
        for (size_t i = 0; i < n; i++)
            found |= ino == inodes[i];
    }
    closedir(dir);
    return found;
}

bool portowner_find(bool is_tcp, uint16_t port, int *pid, char *name, size_t size)
{
    uint64_t inodes[8];
    size_t n = find_inodes(is_tcp, port, inodes, sizeof inodes / sizeof inodes[0]);
    if (n == 0)
        return false;
    DIR *proc = opendir("/proc");
    if (!proc)
        return false;
    bool found = false;
    struct dirent *e;
    while (!found && (e = readdir(proc))) {
        if (!isdigit((unsigned char)e->d_name[0]) || (int)getpid() == atoi(e->d_name))
            continue;
        if (!holds_socket(e->d_name, inodes, n))
            continue;
        *pid = atoi(e->d_name);
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f || !fgets(name, (int)size, f))
            snprintf(name, size, "?");
        if (f)
            fclose(f);
        name[strcspn(name, "\n")] = '\0';
        found = true;
    }
    closedir(proc);
    return found;
}

void portowner_hint(char *errbuf, const char *spec, bool is_tcp, const char *key, const char *usual)
{
    struct ip_addr addr;
    uint16_t port = 0;
    char who[96], name[32];
    int pid;
    if (addr_parse_endpoint(spec, &addr, &port) == 0 &&
        portowner_find(is_tcp, port, &pid, name, sizeof name))
        snprintf(who, sizeof who, "%s (pid %d)", name, pid);
    else
        snprintf(who, sizeof who, "probably %s", usual);
    char option[40];
    snprintf(option, sizeof option, "--%s", key);
    for (char *p = option; *p; p++)
        *p = *p == '_' ? '-' : *p;
    size_t len = strlen(errbuf);
    snprintf(errbuf + len, ERR_BUF_LEN - len,
             "; %s holds %s port %u. Choose another with %s ADDR:PORT, or %s = ADDR:PORT in "
             "the configuration file",
             who, is_tcp ? "TCP" : "UDP", (unsigned)port, option, key);
}
