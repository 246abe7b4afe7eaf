// SPDX-License-Identifier: MIT
// The neighbour table: see neigh.h.
#include "neigh.h"

#include "../base/err.h"
#include "../base/units.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int neigh_lookup(const char *path, const char *ip, char *mac)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return ERR_NOT_FOUND;
    char *buf = malloc(NEIGH_MAX_BYTES);
    size_t len = buf ? fread(buf, 1, NEIGH_MAX_BYTES, f) : 0;
    fclose(f);
    int rc = buf ? neigh_find(buf, len, ip, mac) : ERR_NOT_FOUND;
    free(buf);
    return rc;
}
