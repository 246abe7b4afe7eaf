// SPDX-License-Identifier: MIT
// In-process throughput of flowtally's writing stages on one core: a flowgen .dgrams file is
// loaded into memory, then fed datagram by datagram through decoder_feed -> classifier_emit
// -> aggregator_emit, wired by pipeline_init exactly as the daemon wires them. No sockets,
// no store: what is left is the per-record cost of decoding, classifying and summing.
// After the first pass the aggregated per-host totals are checked against flowgen's expect
// CSV (every host, bytes/packets/flows in and out, nothing else) and PASS or FAIL printed.
#include "../../src/config/config.h"
#include "../../src/daemon/pipeline.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define MAX_PASSES 50
#define MAX_EXPECT_HOSTS (1u << 20)

struct dgram {
    const uint8_t *bytes;
    uint32_t len;
    uint32_t records;
};

struct stream {
    uint8_t *data; /* the whole file */
    struct dgram *d;
    size_t n;
    uint64_t records;
};

struct host_sum {
    uint32_t v4;   /* host byte order */
    uint64_t v[6]; /* bytes_in, bytes_out, packets_in, packets_out, flows_in, flows_out */
    uint64_t got[6];
};

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads a .dgrams file (per datagram: 4-byte BE length, 4-byte BE record count, bytes). */
static int load_stream(const char *path, struct stream *s)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "bench_inproc: %s: %s\n", path, strerror(errno));
        return -1;
    }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    if (size <= 0) {
        fprintf(stderr, "bench_inproc: %s: empty\n", path);
        fclose(f);
        return -1;
    }
    s->data = malloc((size_t)size);
    if (!s->data || fread(s->data, 1, (size_t)size, f) != (size_t)size) {
        fprintf(stderr, "bench_inproc: %s: read failed\n", path);
        fclose(f);
        return -1;
    }
    fclose(f);
    size_t cap = 1024, off = 0;
    s->d = malloc(cap * sizeof *s->d);
    s->n = 0;
    s->records = 0;
    while (s->d && off + 8 <= (size_t)size) {
        uint32_t len = be32(s->data + off), recs = be32(s->data + off + 4);
        if (len > (size_t)size - off - 8) {
            fprintf(stderr, "bench_inproc: %s: truncated at byte %zu\n", path, off);
            return -1;
        }
        if (s->n == cap) {
            cap *= 2;
            s->d = realloc(s->d, cap * sizeof *s->d);
            if (!s->d)
                break;
        }
        s->d[s->n++] = (struct dgram){s->data + off + 8, len, recs};
        s->records += recs;
        off += 8 + (size_t)len;
    }
    if (!s->d || off != (size_t)size) {
        fprintf(stderr, "bench_inproc: %s: malformed container\n", path);
        return -1;
    }
    return 0;
}

/* Reads flowgen's expect CSV: host,bytes_in,bytes_out,packets_in,packets_out,flows_in,
 * flows_out, one IPv4 host per line in ascending order. */
static struct host_sum *load_expect(const char *path, size_t *n_out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench_inproc: %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char line[512];
    size_t n = 0, cap = 1024;
    struct host_sum *h = calloc(cap, sizeof *h);
    if (!h || !fgets(line, sizeof line, f)) { /* header */
        fclose(f);
        free(h);
        return NULL;
    }
    while (fgets(line, sizeof line, f) && n < MAX_EXPECT_HOSTS) {
        char host[64];
        unsigned long long v[6];
        struct in_addr in;
        if (sscanf(line, "%63[^,],%llu,%llu,%llu,%llu,%llu,%llu", host, &v[0], &v[1], &v[2], &v[3],
                   &v[4], &v[5]) != 7 ||
            inet_pton(AF_INET, host, &in) != 1) {
            fprintf(stderr, "bench_inproc: %s: bad line: %s", path, line);
            fclose(f);
            free(h);
            return NULL;
        }
        if (n == cap) {
            cap *= 2;
            struct host_sum *g = realloc(h, cap * sizeof *h);
            if (!g) {
                fclose(f);
                free(h);
                return NULL;
            }
            h = g;
        }
        memset(&h[n], 0, sizeof h[n]);
        h[n].v4 = ntohl(in.s_addr);
        for (int i = 0; i < 6; i++)
            h[n].v[i] = v[i];
        n++;
    }
    fclose(f);
    *n_out = n;
    return h;
}

static struct host_sum *find_host(struct host_sum *h, size_t n, uint32_t v4)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h[mid].v4 == v4)
            return &h[mid];
        if (h[mid].v4 < v4)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* Compares the filled table with the expected totals. Returns the number of mismatches. */
static size_t check_table(const struct counters_table *t, struct host_sum *h, size_t n)
{
    size_t bad = 0, pos = 0;
    const struct usage_row *r;
    for (size_t i = 0; i < n; i++)
        memset(h[i].got, 0, sizeof h[i].got);
    while ((r = counters_next(t, &pos)) != NULL) {
        char text[ADDR_STR_LEN];
        const struct ip_addr *a = &r->key.host;
        uint32_t v4 = (uint32_t)a->b[12] << 24 | (uint32_t)a->b[13] << 16 |
                      (uint32_t)a->b[14] << 8 | a->b[15];
        struct host_sum *s = addr_is_v4(a) ? find_host(h, n, v4) : NULL;
        int in = r->key.dir == FLOW_DIR_IN, out = r->key.dir == FLOW_DIR_OUT;
        if (!s || (!in && !out)) {
            if (bad++ < 5)
                fprintf(stderr, "bench_inproc: unexpected row: host %s dir %s\n",
                        addr_format(a, text), flow_dir_name((enum flow_dir)r->key.dir));
            continue;
        }
        int k = in ? 0 : 1;
        s->got[k] += r->counts.bytes;
        s->got[2 + k] += r->counts.packets;
        s->got[4 + k] += r->counts.flows;
    }
    for (size_t i = 0; i < n; i++) {
        if (memcmp(h[i].got, h[i].v, sizeof h[i].v) != 0 && bad++ < 5) {
            struct in_addr in = {htonl(h[i].v4)};
            fprintf(stderr,
                    "bench_inproc: host %s: got bytes %llu/%llu packets %llu/%llu "
                    "flows %llu/%llu (in/out), expected %llu/%llu %llu/%llu "
                    "%llu/%llu\n",
                    inet_ntoa(in), (unsigned long long)h[i].got[0], (unsigned long long)h[i].got[1],
                    (unsigned long long)h[i].got[2], (unsigned long long)h[i].got[3],
                    (unsigned long long)h[i].got[4], (unsigned long long)h[i].got[5],
                    (unsigned long long)h[i].v[0], (unsigned long long)h[i].v[1],
                    (unsigned long long)h[i].v[2], (unsigned long long)h[i].v[3],
                    (unsigned long long)h[i].v[4], (unsigned long long)h[i].v[5]);
        }
    }
    return bad;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void usage(void)
{
    fputs("usage: bench_inproc --label NAME --in FILE.dgrams --expect FILE.csv [--passes N]\n"
          "Feeds the datagrams through decode -> classify -> aggregate N times (default 5),\n"
          "checks pass 1's totals against the expect CSV, prints per-pass and RESULT lines.\n",
          stderr);
}

int main(int argc, char **argv)
{
    const char *label = "?", *in = NULL, *expect = NULL;
    int passes = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--label") == 0)
            label = argv[i + 1];
        else if (strcmp(argv[i], "--in") == 0)
            in = argv[i + 1];
        else if (strcmp(argv[i], "--expect") == 0)
            expect = argv[i + 1];
        else if (strcmp(argv[i], "--passes") == 0)
            passes = atoi(argv[i + 1]);
        else {
            usage();
            return 2;
        }
    }
    if (!in || !expect || argc % 2 == 0 || passes < 1 || passes > MAX_PASSES) {
        usage();
        return 2;
    }
    struct stream s;
    size_t n_hosts = 0;
    struct host_sum *hosts = load_expect(expect, &n_hosts);
    if (!hosts || load_stream(in, &s) != 0)
        return 1;

    struct config cfg;
    config_init(&cfg); /* defaults: local_nets includes 10.0.0.0/8, bucket 300 s */
    struct pipeline p;
    char errbuf[ERR_BUF_LEN];
    if (pipeline_init(&p, &cfg, errbuf) != 0) {
        fprintf(stderr, "bench_inproc: pipeline: %s\n", errbuf);
        return 1;
    }
    struct counters_table *spare = counters_new(65536, (size_t)cfg.max_keys);
    const struct ip_addr exporter = addr_from_v4(0x7f000001); /* 127.0.0.1 */

    double rps[MAX_PASSES], cpu_per_m[MAX_PASSES];
    size_t mismatches = 0;
    uint64_t flows_before = 0;
    for (int pass = 0; pass < passes; pass++) {
        double c0 = cpu_s(), t0 = mono_s();
        for (size_t i = 0; i < s.n; i++)
            decoder_feed(&p.lanes[0].decoder, &exporter, s.d[i].bytes, s.d[i].len,
                         &p.lanes[0].sink);
        double t1 = mono_s(), c1 = cpu_s();
        rps[pass] = (double)s.records / (t1 - t0);
        cpu_per_m[pass] = (c1 - c0) / ((double)s.records / 1e6);
        uint64_t emitted = p.lanes[0].classifier.c.flows - flows_before;
        flows_before = p.lanes[0].classifier.c.flows;
        /* Hand the filled table over as a flush would, and reuse its memory next pass. */
        struct counters_table *full = aggregator_swap(&p.lanes[0].aggregator, spare);
        if (pass == 0) {
            mismatches = check_table(full, hosts, n_hosts);
            if (emitted != s.records) {
                fprintf(stderr, "bench_inproc: %llu flows classified, %llu records sent\n",
                        (unsigned long long)emitted, (unsigned long long)s.records);
                mismatches++;
            }
        }
        counters_clear(full);
        spare = full;
        printf("%s pass %d: %llu records in %.4f s = %.0f records/s, cpu %.4f s/M%s\n", label,
               pass + 1, (unsigned long long)s.records, t1 - t0, rps[pass], cpu_per_m[pass],
               pass == 0 ? " (cold: templates and table pages new)" : "");
    }
    double r_min = rps[0], r_max = rps[0];
    for (int i = 1; i < passes; i++) {
        r_min = rps[i] < r_min ? rps[i] : r_min;
        r_max = rps[i] > r_max ? rps[i] : r_max;
    }
    /* On a busy machine wall time includes waiting for a core; CPU time does not. */
    double cpu_m = median(cpu_per_m, passes);
    printf("RESULT label=%s records=%llu datagrams=%zu passes=%d rps_median=%.0f rps_min=%.0f "
           "rps_max=%.0f cpu_s_per_m=%.4f rps_per_cpu_s=%.0f exact=%s\n",
           label, (unsigned long long)s.records, s.n, passes, median(rps, passes), r_min, r_max,
           cpu_m, cpu_m > 0 ? 1e6 / cpu_m : 0.0, mismatches == 0 ? "PASS" : "FAIL");

    counters_free(spare);
    pipeline_deinit(&p);
    config_deinit(&cfg);
    free(hosts);
    free(s.d);
    free(s.data);
    return mismatches == 0 ? 0 : 3;
}
