// SPDX-License-Identifier: MIT
// Usage read from a log line (a proxy's access log, a campus system's usage log) rather
// than from flows: it may name the user, and it may lack addresses. The log parsers in
// collect/ emit these; the daemon attributes them like flows.
#ifndef FT_LOGLINE_H
#define FT_LOGLINE_H

#include "../base/addr.h"
#include "binding.h"

#include <stdbool.h>
#include <stdint.h>

struct log_usage {
    uint64_t time_ms;            /* when the transfer ended, ms since epoch UTC */
    char user[BINDING_NAME_MAX]; /* the authenticated user, "" if none */
    bool has_mac;
    uint8_t mac[6];
    bool has_local, has_remote;
    struct ip_addr local, remote; /* the local client, the remote server */
    uint64_t bytes_in, bytes_out; /* to the local side, from it */
};

/* A mapping line: from time_ms the user (and/or MAC) holds the address, until a line
 * contradicts it. */
struct log_mapping {
    uint64_t time_ms;
    char user[BINDING_NAME_MAX];
    bool has_mac;
    uint8_t mac[6];
    struct ip_addr ip;
};

typedef void log_usage_fn(void *ctx, const struct log_usage *u);
typedef void log_mapping_fn(void *ctx, const struct log_mapping *m);

#endif
