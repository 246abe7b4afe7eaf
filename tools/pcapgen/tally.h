// SPDX-License-Identifier: MIT
// Expected per-local-host totals, accumulated from the packets actually
// written, and their CSV form that the interop tests compare with what
// the collector reports after an exporter replayed the capture.

#ifndef PCAPGEN_TALLY_H
#define PCAPGEN_TALLY_H

#include <stddef.h>
#include <stdint.h>

#include "hosts.h"

struct host_totals {
    uint64_t bytes_in;  // IP-layer bytes, remote -> local
    uint64_t bytes_out; // IP-layer bytes, local -> remote
    uint64_t packets_in;
    uint64_t packets_out;
    uint64_t flows_in;
    uint64_t flows_out;
};

struct tally {
    struct host_totals v4[HOSTS_MAX];
    struct host_totals v6[HOSTS_MAX];
    uint64_t packets;
    uint64_t bytes;
};

void tally_packet(struct tally *t, int family, unsigned host, int from_local, size_t ip_len);
void tally_flow(struct tally *t, int family, unsigned host, int from_local);
// Writes the CSV; IPv6 rows only when include_v6. Returns 0 or -1.
int tally_write_csv(const struct tally *t, const char *path, int include_v6);

#endif
