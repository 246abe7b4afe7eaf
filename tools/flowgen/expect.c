// SPDX-License-Identifier: MIT
// Expected per-local-host totals, accumulated from the generator's own flow
// records as they are made (never by decoding the datagrams), and written as
// the --expect CSV that tests compare a collector against. Bytes and packets
// are scaled by the sampling interval, as a collector that renormalises
// sampled data would report them; flow counts are not scaled.
#include "flowgen.h"

#include <stdlib.h>

struct host_totals *expect_alloc(uint32_t hosts)
{
    return calloc(hosts, sizeof(struct host_totals));
}

void expect_add(struct host_totals *t, const struct flow_record *r, uint32_t sampling)
{
    struct host_totals *h = &t[r->host_index];
    uint64_t bytes = r->bytes * sampling;
    uint64_t packets = r->packets * sampling;

    if (r->inbound) {
        h->bytes_in += bytes;
        h->packets_in += packets;
        h->flows_in++;
    } else {
        h->bytes_out += bytes;
        h->packets_out += packets;
        h->flows_out++;
    }
}

// Host i has address local_base + 1 + i (or host_addrs[i], kept ascending),
// so walking the array in index order already gives the numerically
// ascending order the CSV promises.
static void expect_row(FILE *f, uint32_t addr, const struct host_totals *h)
{
    fprintf(f, "%u.%u.%u.%u,%llu,%llu,%llu,%llu,%llu,%llu\n", addr >> 24, (addr >> 16) & 0xff,
            (addr >> 8) & 0xff, addr & 0xff, (unsigned long long)h->bytes_in,
            (unsigned long long)h->bytes_out, (unsigned long long)h->packets_in,
            (unsigned long long)h->packets_out, (unsigned long long)h->flows_in,
            (unsigned long long)h->flows_out);
}

int expect_write_csv(const char *path, const struct host_totals *t, const struct gen_config *cfg)
{
    FILE *f = fopen(path, "w");

    if (!f) {
        perror(path);
        return -1;
    }
    fputs("host,bytes_in,bytes_out,packets_in,packets_out,flows_in,"
          "flows_out\n",
          f);
    for (uint32_t i = 0; i < cfg->hosts; i++) {
        if (t[i].flows_in + t[i].flows_out == 0)
            continue; // only hosts that appear in some record
        expect_row(f, cfg->host_addrs ? cfg->host_addrs[i] : cfg->local_base + 1 + i, &t[i]);
    }
    // ferror() must be read before fclose() releases the stream.
    int failed = ferror(f);

    if (fclose(f) != 0 || failed) {
        perror(path);
        return -1;
    }
    return 0;
}
