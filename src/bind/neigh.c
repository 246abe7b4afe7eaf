// SPDX-License-Identifier: MIT
// The neighbour table: see neigh.h.
#include "neigh.h"

#include "../base/err.h"
#include "../base/units.h"
#include "../base/xalloc.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NEIGH_MAX_BYTES (1 << 20) /* a table this large is read in part: bounded work */
#define ATF_COM 0x2               /* a complete entry (linux/if_arp.h) */

int neigh_find(const char *text, size_t len, const char *ip, char *mac)
{
    const char *end = text + len, *line = memchr(text, '\n', len); /* past the header */
    while (line && line < end) {
        line++;
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        size_t n = eol ? (size_t)(eol - line) : (size_t)(end - line);
        char row[256], addr[64], type[16], flags[16], hw[64];
        if (n > 0 && n < sizeof row) {
            memcpy(row, line, n);
            row[n] = '\0';
            uint8_t bytes[6];
            if (sscanf(row, "%63s %15s %15s %63s", addr, type, flags, hw) == 4 &&
                strcmp(addr, ip) == 0 && (strtoul(flags, NULL, 16) & ATF_COM) &&
                units_parse_mac(hw, bytes) == 0) {
                units_format_mac(bytes, mac);
                return 0;
            }
        }
        line = eol;
    }
    return ERR_NOT_FOUND;
}

/* The table as last read, for up to a second: the portal asks on every page of a customer
 * without a lease, and reading the file (into a megabyte's buffer) per request was a sixth of
 * a page's time. A device that has just appeared is seen at most a second late. */
#define NEIGH_FRESH_NS 1000000000ULL
static struct {
    pthread_mutex_t lock;
    char *path; /* the file text was read from; NULL: nothing read yet */
    char *text;
    size_t len;
    uint64_t read_ns; /* CLOCK_MONOTONIC */
} table = {.lock = PTHREAD_MUTEX_INITIALIZER};

static uint64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Reads path into table (under its lock). A file that cannot be read leaves an empty table:
 * no entry, asked again after the second. */
static void table_read(const char *path, uint64_t now_ns)
{
    free(table.path);
    free(table.text);
    table.path = xstrdup(path);
    table.text = NULL;
    table.len = 0;
    table.read_ns = now_ns;
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    char *buf = malloc(NEIGH_MAX_BYTES);
    size_t len = buf ? fread(buf, 1, NEIGH_MAX_BYTES, f) : 0;
    fclose(f);
    table.text = buf ? realloc(buf, len ? len : 1) : NULL;
    if (!table.text)
        free(buf);
    table.len = table.text ? len : 0;
}

int neigh_lookup(const char *path, const char *ip, char *mac)
{
    uint64_t now = monotonic_ns();
    pthread_mutex_lock(&table.lock);
    if (!table.path || strcmp(table.path, path) != 0 || now - table.read_ns >= NEIGH_FRESH_NS)
        table_read(path, now);
    int rc = table.text ? neigh_find(table.text, table.len, ip, mac) : ERR_NOT_FOUND;
    pthread_mutex_unlock(&table.lock);
    return rc;
}
