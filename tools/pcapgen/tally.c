// SPDX-License-Identifier: MIT
// Per-local-host accounting. Bytes are IP-layer bytes (IPv4 total length,
// IPv6 40 + payload length) because that is what NetFlow/IPFIX exporters
// put in their octet counters; Ethernet framing is not counted. Rows are
// written in address order: IPv4 hosts first, then IPv6.

#include "tally.h"

#include <inttypes.h>
#include <stdio.h>

static struct host_totals *host_of(struct tally *t, int family, unsigned host)
{
    return family == 4 ? &t->v4[host] : &t->v6[host];
}

void tally_packet(struct tally *t, int family, unsigned host, int from_local, size_t ip_len)
{
    struct host_totals *h = host_of(t, family, host);

    if (from_local) {
        h->bytes_out += ip_len;
        h->packets_out++;
    } else {
        h->bytes_in += ip_len;
        h->packets_in++;
    }
    t->packets++;
    t->bytes += ip_len;
}

// One flow per direction per session, as an exporter reports it when the
// flow is not cut short. Exporters may split long or idle flows on their
// timeouts (or when their flow table fills up), so tests should compare
// flow counts only when they are told the exporter kept flows whole;
// bytes and packets are exact regardless.
void tally_flow(struct tally *t, int family, unsigned host, int from_local)
{
    struct host_totals *h = host_of(t, family, host);

    if (from_local)
        h->flows_out++;
    else
        h->flows_in++;
}

static int write_rows(FILE *f, const struct host_totals *rows, int family)
{
    char text[64];
    unsigned i;

    // Host numbers grow with the index, so index order is address order.
    for (i = 0; i < HOSTS_MAX; i++) {
        const struct host_totals *h = &rows[i];

        if (h->packets_in == 0 && h->packets_out == 0)
            continue;
        if (host_local_text(family, i, text, sizeof(text)) != 0)
            return -1;
        fprintf(f, "%s,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
                text, h->bytes_in, h->bytes_out, h->packets_in, h->packets_out, h->flows_in,
                h->flows_out);
    }
    return 0;
}

int tally_write_csv(const struct tally *t, const char *path, int include_v6)
{
    FILE *f = fopen(path, "w");
    int bad;

    if (f == NULL)
        return -1;
    fputs("host,bytes_in,bytes_out,packets_in,packets_out,"
          "flows_in,flows_out\n",
          f);
    bad = write_rows(f, t->v4, 4);
    if (bad == 0 && include_v6)
        bad = write_rows(f, t->v6, 6);
    if (ferror(f))
        bad = -1;
    if (fclose(f) != 0)
        bad = -1;
    return bad;
}
