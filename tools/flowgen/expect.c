// SPDX-License-Identifier: MIT
// Expected per-local-host totals, accumulated from the generator's own flow
// records as they are made (never by decoding the datagrams), and written as
// the --expect CSV that tests compare a collector against. Bytes and packets
// are scaled by the sampling interval, as a collector that renormalises
// sampled data would report them; flow counts are not scaled.
#include "flowgen.h"

#include <arpa/inet.h>
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

// Host i has address local.base + 1 + i (or host_addrs[i], kept in addr_cmp
// order), so walking the array in index order already gives the order the
// CSV promises: flowtally's report order, IPv4 then IPv6, each ascending.
// Addresses are written as flowtally prints them (inet_ntop's RFC 5952 form).
static void expect_row(FILE *f, const struct addr *addr, const struct host_totals *h)
{
    char text[INET6_ADDRSTRLEN];

    addr_format(addr, text, sizeof(text));
    fprintf(f, "%s,%llu,%llu,%llu,%llu,%llu,%llu\n", text, (unsigned long long)h->bytes_in,
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
        struct addr a;

        if (t[i].flows_in + t[i].flows_out == 0)
            continue; // only hosts that appear in some record
        if (cfg->host_addrs)
            a = cfg->host_addrs[i];
        else
            addr_add(&cfg->local.base, 1 + (uint64_t)i, &a);
        expect_row(f, &a, &t[i]);
    }
    // ferror() must be read before fclose() releases the stream.
    int failed = ferror(f);

    if (fclose(f) != 0 || failed) {
        perror(path);
        return -1;
    }
    return 0;
}
