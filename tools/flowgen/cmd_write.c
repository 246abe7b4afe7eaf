// SPDX-License-Identifier: MIT
// `flowgen write`: validates the generation parameters, then makes the flow
// records in order (drawn from the seed, or read from a --flows file),
// packs them into datagrams with the chosen encoder, appends each datagram
// to the .dgrams container and accumulates the expected per-host totals
// that become the --expect CSV. The whole run is a pure function of the
// command line and the --flows file.
#include "flowgen.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    OPT_PROTO,
    OPT_SEED,
    OPT_RECORDS,
    OPT_HOSTS,
    OPT_REMOTES,
    OPT_LOCAL,
    OPT_REMOTE,
    OPT_START,
    OPT_PER_PACKET,
    OPT_SAMPLING,
    OPT_DOMAIN,
    OPT_REMOTE_PORT,
    OPT_PACE,
    OPT_OUT,
    OPT_EXPECT,
    OPT_FLOWS,
    OPT_COUNT
};

// Addresses base+1 .. base+count must fit the prefix below its last
// address and be ordinary unicast ones: for IPv4 clear of 0/8, 127/8 and
// 224/3; for IPv6 global unicast (2000::/3) or unique local (fc00::/7).
static void check_range(const char *name, const struct prefix *p, uint32_t count)
{
    unsigned host_bits = (p->base.is_v6 ? 128u : 32u) - p->len;
    struct addr first, last;

    if (host_bits < 64 && (uint64_t)count + 2 > 1ull << host_bits)
        cli_fail(name,
                 "a prefix with room for the count plus "
                 "2 addresses",
                 NULL);
    addr_add(&p->base, 1, &first);
    addr_add(&p->base, count, &last);
    if (p->base.is_v6) {
        for (const struct addr *a = &first; a; a = a == &first ? &last : NULL) {
            if ((a->b[0] & 0xe0) != 0x20 && (a->b[0] & 0xfe) != 0xfc)
                cli_fail(name, "an IPv6 prefix in 2000::/3 (global) or fc00::/7 (unique local)",
                         NULL);
        }
        return;
    }
    uint32_t lo = addr_v4(&first), hi = addr_v4(&last);

    if (lo < 0x01000000u || hi >= 0xe0000000u || (lo <= 0x7fffffffu && hi >= 0x7f000000u))
        cli_fail(name, "a unicast prefix outside 0/8, 127/8, 224/3", NULL);
}

static enum flowgen_proto parse_proto(const char *v)
{
    if (v && strcmp(v, "v5") == 0)
        return PROTO_V5;
    if (v && strcmp(v, "v9") == 0)
        return PROTO_V9;
    if (v && strcmp(v, "ipfix") == 0)
        return PROTO_IPFIX;
    cli_fail("--proto", "v5, v9 or ipfix", v);
}

static uint64_t opt_u64(const struct cli_option *o, const char *flag, uint64_t dflt, uint64_t lo,
                        uint64_t hi)
{
    return o->value ? cli_u64(flag, o->value, lo, hi) : dflt;
}

// The remote default follows --local's family: 198.18.0.0/15 (RFC 2544) or
// 2001:2::/48 (RFC 5180), the benchmarking ranges, which no network routes.
static void parse_prefixes(const struct cli_option *o, struct gen_config *c)
{
    const char *remote = o[OPT_REMOTE].value;
    uint8_t len;

    cli_prefix("--local", o[OPT_LOCAL].value ? o[OPT_LOCAL].value : "10.0.0.0/8", &c->local);
    if (!remote)
        remote = c->local.base.is_v6 ? "2001:2::/48" : "198.18.0.0/15";
    cli_prefix("--remote", remote, &c->remote);
    if (c->remote.base.is_v6 != c->local.base.is_v6)
        cli_fail("--remote",
                 c->local.base.is_v6 ? "an IPv6 prefix, as --local is one (one family a stream)"
                                     : "an IPv4 prefix, as --local is one (one family a stream)",
                 remote);
    if (c->local.base.is_v6 && c->proto == PROTO_V5)
        cli_fail("--local",
                 "an IPv4 prefix with --proto v5 (NetFlow v5 cannot carry IPv6; "
                 "use v9 or ipfix)",
                 o[OPT_LOCAL].value);
    check_range("--local", &c->local, c->hosts);
    check_range("--remote", &c->remote, c->remotes);
    len = c->local.len < c->remote.len ? c->local.len : c->remote.len;
    if (addr_in_prefix(&c->remote.base, &c->local.base, len))
        cli_fail("--remote", "a prefix that does not overlap --local", remote);
    c->families = c->local.base.is_v6 ? EXPORT_V6 : EXPORT_V4;
}

// --start now[-SECONDS]: the last datagram is exported at the current second
// (less SECONDS), the first (records - 1) / per_packet * per_packet / pace
// seconds before; flows end up to 59 s before their datagram's export.
static uint64_t parse_start(const char *v, const struct gen_config *c)
{
    const uint64_t lo = 86400, hi = UINT32_MAX - FLOWGEN_MAX_RECORDS / 1000;
    uint64_t back = 0, span, now;
    char expected[96];

    if (!v)
        return 1790000000;
    if (strncmp(v, "now", 3) != 0)
        return cli_u64("--start", v, lo, hi);
    if (v[3] == '-')
        back = cli_u64("--start now-SECONDS", v + 4, 0, hi);
    else if (v[3] != '\0')
        cli_fail("--start", "UNIX_SECONDS, now or now-SECONDS", v);
    span = (c->records - 1) / c->per_packet * c->per_packet / c->pace;
    now = (uint64_t)time(NULL);
    snprintf(expected, sizeof(expected), "now-SECONDS whose first export time is in [%llu, %llu]",
             (unsigned long long)lo, (unsigned long long)hi);
    if (now < lo + span + back || now - span - back > hi)
        cli_fail("--start", expected, v);
    return now - span - back;
}

static void parse_outputs(const struct cli_option *o)
{
    if (!o[OPT_OUT].value)
        cli_fail("--out", "FILE.dgrams (required)", NULL);
    if (!o[OPT_EXPECT].value)
        cli_fail("--expect", "FILE.csv (required)", NULL);
}

// The start bound keeps boot time (start - 3600) positive and every export
// time, up to start + records/1000, inside a 32-bit unix_secs field.
static void parse_config(const struct cli_option *o, struct gen_config *c)
{
    uint32_t max_pp;

    c->proto = parse_proto(o[OPT_PROTO].value);
    c->seed = opt_u64(&o[OPT_SEED], "--seed", 1, 0, UINT64_MAX);
    c->records = opt_u64(&o[OPT_RECORDS], "--records", 10000, 1, FLOWGEN_MAX_RECORDS);
    c->hosts = (uint32_t)opt_u64(&o[OPT_HOSTS], "--hosts", 100, 1, FLOWGEN_MAX_HOSTS);
    c->remotes = (uint32_t)opt_u64(&o[OPT_REMOTES], "--remotes", 1000, 1, FLOWGEN_MAX_REMOTES);
    c->sampling = (uint32_t)opt_u64(&o[OPT_SAMPLING], "--sampling", 1, 1, FLOWGEN_MAX_SAMPLING);
    c->remote_port = (uint16_t)opt_u64(&o[OPT_REMOTE_PORT], "--remote-port", 0, 0, 65535);
    // Export time advances one second per `pace` records: the default 1000 spreads a
    // stream over many buckets; a benchmark's rate keeps it in the seconds it takes to send.
    c->pace = opt_u64(&o[OPT_PACE], "--pace", 1000, 1000, FLOWGEN_MAX_RECORDS);
    // v5 has only the 8-bit engine_id to carry the domain.
    c->domain = (uint32_t)opt_u64(&o[OPT_DOMAIN], "--domain", 1, 0,
                                  c->proto == PROTO_V5 ? 255 : UINT32_MAX);
    parse_prefixes(o, c);
    max_pp = flows_max_per_datagram(c->proto, c->sampling, c->families);
    c->per_packet = (uint32_t)opt_u64(
        &o[OPT_PER_PACKET], "--per-packet",
        flows_default_per_datagram(c->proto, c->sampling, c->families), 1, max_pp);
    c->start = parse_start(o[OPT_START].value, c);
    parse_outputs(o);
}

// --flows gives every flow, its hosts, bytes and times, so the options that
// shape the random set would be silently ignored: they are refused instead.
// Sampling is refused too, as the file's bytes are what must be billed.
static void parse_flows_config(const struct cli_option *o, struct gen_config *c,
                               struct flow_list *fl)
{
    static const int random_only[] = {OPT_SEED,  OPT_RECORDS,    OPT_HOSTS, OPT_REMOTES,
                                      OPT_LOCAL, OPT_REMOTE,     OPT_START, OPT_SAMPLING,
                                      OPT_PACE,  OPT_REMOTE_PORT};

    for (size_t i = 0; i < sizeof(random_only) / sizeof(random_only[0]); i++) {
        const struct cli_option *r = &o[random_only[i]];
        char arg[32], expected[96];

        if (!r->value)
            continue;
        snprintf(arg, sizeof(arg), "--%s", r->name);
        snprintf(expected, sizeof(expected), "no %s with --flows (the file gives every flow)", arg);
        cli_fail(arg, expected, NULL);
    }
    c->proto = parse_proto(o[OPT_PROTO].value);
    c->sampling = 1;
    c->domain = (uint32_t)opt_u64(&o[OPT_DOMAIN], "--domain", 1, 0,
                                  c->proto == PROTO_V5 ? 255 : UINT32_MAX);
    parse_outputs(o);
    flowfile_load(o[OPT_FLOWS].value, c->proto, fl);
    // The limit depends on the file's families, known once it is read.
    c->families = fl->families;
    c->per_packet = (uint32_t)opt_u64(&o[OPT_PER_PACKET], "--per-packet",
                                      flows_default_per_datagram(c->proto, 1, c->families), 1,
                                      flows_max_per_datagram(c->proto, 1, c->families));
    c->records = fl->records;
    c->hosts = fl->n_hosts;
    c->host_addrs = fl->hosts;
    // The v5/v9 uptime clock starts an hour before this (export_boot_secs).
    c->start = fl->first_end;
}

static FILE *open_out(const char *path, char **buf)
{
    FILE *f = fopen(path, "wb");

    *buf = NULL;
    if (!f) {
        perror(path);
        return NULL;
    }
    // A large stdio buffer turns ~1 KiB datagram writes into few syscalls.
    *buf = malloc(1u << 20);
    if (*buf)
        setvbuf(f, *buf, _IOFBF, 1u << 20);
    return f;
}

static void encode(struct wire_buf *w, const struct gen_config *cfg, struct export_state *st,
                   const struct flow_record *recs, uint32_t n)
{
    switch (cfg->proto) {
    case PROTO_V5: export_v5(w, cfg, st, recs, n); break;
    case PROTO_V9: export_v9(w, cfg, st, recs, n); break;
    case PROTO_IPFIX: export_ipfix(w, cfg->domain, cfg->sampling, st, recs, n); break;
    }
}

// Generates the whole stream into `out`, filling `totals` along the way.
static int generate(const struct gen_config *cfg, FILE *out, struct host_totals *totals,
                    uint64_t *datagrams)
{
    struct flow_record recs[64]; // above every per-datagram maximum (<= 36)
    struct wire_buf w;
    struct export_state st = {.families = cfg->families};
    struct prng rng;
    uint64_t first;

    prng_seed(&rng, cfg->seed);
    for (first = 0; first < cfg->records; first += cfg->per_packet) {
        uint64_t left = cfg->records - first;
        uint32_t n = left < cfg->per_packet ? (uint32_t)left : cfg->per_packet;

        st.export_secs = flows_export_secs(cfg, first);
        for (uint32_t i = 0; i < n; i++) {
            flows_make(cfg, &rng, st.export_secs, &recs[i]);
            expect_add(totals, &recs[i], cfg->sampling);
        }
        encode(&w, cfg, &st, recs, n);
        if (dgram_write(out, w.data, (uint32_t)w.len, n) != 0)
            return -1;
    }
    *datagrams = st.datagram_index;
    return 0;
}

// Datagrams of a --flows stream are cut where the end second changes, so
// the builder keeps the records of the datagram being filled.
struct flows_packer {
    struct flow_record recs[64]; // above every per-datagram maximum (<= 36)
    uint32_t n;
    struct wire_buf w;
    struct export_state st;
};

static int flows_flush(const struct gen_config *cfg, struct flows_packer *p, FILE *out)
{
    if (p->n == 0)
        return 0;
    p->st.export_secs = p->recs[0].end_ms / 1000;
    encode(&p->w, cfg, &p->st, p->recs, p->n);
    if (dgram_write(out, p->w.data, (uint32_t)p->w.len, p->n) != 0)
        return -1;
    p->n = 0;
    return 0;
}

// Packs the --flows list, already in time order. A datagram holds flows of
// one end second only and is exported at that second, so the age of each
// v5/v9 record (header sysUptime - record Last) is 0 and the collector's
// export time - age is exactly the end time, however many uptime wraps the
// months of the file span. A flow whose bytes outgrow the format's counters
// becomes several records of the same second.
static int generate_flows(const struct gen_config *cfg, const struct flow_list *fl, FILE *out,
                          struct host_totals *totals, uint64_t *datagrams)
{
    struct flows_packer p = {.n = 0, .st.families = cfg->families};
    uint64_t max = flowfile_max_record_bytes(cfg->proto);

    for (size_t i = 0; i < fl->count; i++) {
        const struct flow_record *f = &fl->flows[i];
        uint64_t left = f->bytes;

        while (left > 0) {
            struct flow_record *r;

            if ((p.n == cfg->per_packet || (p.n > 0 && p.recs[0].end_ms != f->end_ms)) &&
                flows_flush(cfg, &p, out) != 0)
                return -1;
            r = &p.recs[p.n++];
            *r = *f;
            r->bytes = left < max ? left : max;
            r->packets = flowfile_packets(r->bytes);
            expect_add(totals, r, cfg->sampling);
            left -= r->bytes;
        }
    }
    if (flows_flush(cfg, &p, out) != 0)
        return -1;
    *datagrams = p.st.datagram_index;
    return 0;
}

int cmd_write(int argc, char **argv)
{
    struct cli_option o[OPT_COUNT] = {
        {"proto", NULL},      {"seed", NULL},     {"records", NULL}, {"hosts", NULL},
        {"remotes", NULL},    {"local", NULL},    {"remote", NULL},  {"start", NULL},
        {"per-packet", NULL}, {"sampling", NULL}, {"domain", NULL},  {"remote-port", NULL},
        {"pace", NULL},       {"out", NULL},      {"expect", NULL},  {"flows", NULL},
    };
    struct gen_config cfg;
    struct flow_list fl = {0};
    struct host_totals *totals;
    uint64_t datagrams = 0;
    char *buf;
    FILE *out;
    int rc = FLOWGEN_EXIT_RUNTIME;

    cli_parse(argc, argv, o, OPT_COUNT);
    memset(&cfg, 0, sizeof(cfg));
    if (o[OPT_FLOWS].value)
        parse_flows_config(o, &cfg, &fl);
    else
        parse_config(o, &cfg);
    totals = expect_alloc(cfg.hosts);
    out = open_out(o[OPT_OUT].value, &buf);
    if (totals && out) {
        int gen = o[OPT_FLOWS].value ? generate_flows(&cfg, &fl, out, totals, &datagrams)
                                     : generate(&cfg, out, totals, &datagrams);
        int failed = ferror(out);

        if (fclose(out) != 0 || gen != 0 || failed)
            perror(o[OPT_OUT].value);
        else if (expect_write_csv(o[OPT_EXPECT].value, totals, &cfg) == 0)
            rc = 0;
        out = NULL;
    }
    if (out)
        fclose(out);
    if (!totals)
        fputs("flowgen: out of memory\n", stderr);
    if (rc == 0)
        printf("wrote %llu datagrams, %llu records to %s\n", (unsigned long long)datagrams,
               (unsigned long long)cfg.records, o[OPT_OUT].value);
    free(totals);
    free(buf);
    flowfile_free(&fl);
    return rc;
}
