// SPDX-License-Identifier: MIT
// Makes the seed inputs of the fuzz corpora. `seedgen convert IN.dgrams OUT` turns flowgen's
// .dgrams container (per datagram a 4-byte length, a 4-byte record count, the bytes) into
// the fuzz input format (per datagram a 2-byte length, the bytes). `seedgen edge CORPUS_DIR`
// writes hand-built edge cases into CORPUS_DIR/<target>/seed-*: the protocol features
// flowgen does not produce (withdrawals, sampler options, enterprise and variable-length
// fields, every time encoding) and the limits (caps, counts, truncation).
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One datagram being built. */
struct pkt {
    uint8_t b[65536];
    size_t n;
};

/* One fuzz input: datagrams, each behind its 2-byte length. */
struct input {
    uint8_t b[1 << 18];
    size_t n;
};

static void put8(struct pkt *p, uint8_t v)
{
    if (p->n >= sizeof p->b) {
        fprintf(stderr, "seedgen: datagram too large\n");
        exit(1);
    }
    p->b[p->n++] = v;
}

static void put16(struct pkt *p, uint16_t v)
{
    put8(p, (uint8_t)(v >> 8));
    put8(p, (uint8_t)v);
}

static void put32(struct pkt *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p, (uint16_t)v);
}

static void put64(struct pkt *p, uint64_t v)
{
    put32(p, (uint32_t)(v >> 32));
    put32(p, (uint32_t)v);
}

static void put_bytes(struct pkt *p, const void *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        put8(p, ((const uint8_t *)v)[i]);
}

static void patch16(struct pkt *p, size_t at, uint16_t v)
{
    p->b[at] = (uint8_t)(v >> 8);
    p->b[at + 1] = (uint8_t)v;
}

static void input_add(struct input *in, const struct pkt *p)
{
    if (in->n + 2 + p->n > sizeof in->b || p->n > 0xffff) {
        fprintf(stderr, "seedgen: input too large\n");
        exit(1);
    }
    in->b[in->n++] = (uint8_t)(p->n >> 8);
    in->b[in->n++] = (uint8_t)p->n;
    memcpy(in->b + in->n, p->b, p->n);
    in->n += p->n;
}

static const char *out_dir; /* CORPUS_DIR of `seedgen edge` */

static void write_file(const char *path, const uint8_t *b, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(b, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "seedgen: cannot write %s\n", path);
        exit(1);
    }
}

static void emit(const char *target, const char *name, const struct input *in)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", out_dir, target);
    mkdir(path, 0755); /* exists already is fine; fopen reports real failures */
    snprintf(path, sizeof path, "%s/%s/seed-%s", out_dir, target, name);
    write_file(path, in->b, in->n);
}

/* Emits a one-datagram input. */
static void emit1(const char *target, const char *name, const struct pkt *p)
{
    static struct input in;
    in.n = 0;
    input_add(&in, p);
    emit(target, name, &in);
}

/* Common values: an export time in 2026, and addresses from the documentation ranges. */
#define SECS 1790000000u
#define UPTIME 3600000u
#define HOST_A 0x0a000001u /* 10.0.0.1 */
#define HOST_B 0xc6336407u /* 198.51.100.7 */

static const uint8_t v6_a[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
static const uint8_t v6_b[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2};
static const uint8_t mac_a[6] = {0x02, 0x00, 0x5e, 0x00, 0x53, 0x01};
static const uint8_t mac_b[6] = {0x02, 0x00, 0x5e, 0x00, 0x53, 0x02};

/* ---- NetFlow v5 --------------------------------------------------------------------- */

static void v5_header(struct pkt *p, uint16_t count, uint32_t secs, uint32_t seq, uint8_t engine_id,
                      uint16_t sampling)
{
    put16(p, 5);
    put16(p, count);
    put32(p, UPTIME);
    put32(p, secs);
    put32(p, 250000000); /* .25 s */
    put32(p, seq);
    put8(p, 0); /* engine type */
    put8(p, engine_id);
    put16(p, sampling);
}

static void v5_record(struct pkt *p, uint32_t i, uint32_t first, uint32_t last)
{
    put32(p, HOST_A + i);
    put32(p, HOST_B);
    put32(p, 0);      /* nexthop */
    put16(p, 1);      /* input */
    put16(p, 2);      /* output */
    put32(p, 10 + i); /* packets */
    put32(p, 1500 * (10 + i));
    put32(p, first);
    put32(p, last);
    put16(p, (uint16_t)(40000 + i));
    put16(p, 443);
    put8(p, 0);       /* pad1 */
    put8(p, 0x1b);    /* tcp flags */
    put8(p, 6);       /* tcp */
    put8(p, 0);       /* tos */
    put32(p, 0);      /* AS numbers */
    put16(p, 0x1818); /* masks */
    put16(p, 0);      /* pad2 */
}

static void seeds_v5(void)
{
    static struct pkt p;
    static struct input in;

    /* The maximum count, sampled 1-in-100 with a mode set. */
    p.n = 0;
    v5_header(&p, 30, SECS, 1000, 1, 0x4000 | 100);
    for (uint32_t i = 0; i < 30; i++)
        v5_record(&p, i, UPTIME - 10000, UPTIME - 1000);
    emit1("netflow5", "max-count-sampled", &p);

    /* A sampling mode without an interval: sampled at an unknown rate. */
    p.n = 0;
    v5_header(&p, 1, SECS, 0, 1, 0x8000);
    v5_record(&p, 0, UPTIME - 5000, UPTIME);
    emit1("netflow5", "mode-no-interval", &p);

    /* Record times after the header's uptime and across the 32-bit uptime wrap. */
    p.n = 0;
    v5_header(&p, 2, SECS, 0, 1, 0);
    v5_record(&p, 0, UPTIME + 500, UPTIME + 900);
    v5_record(&p, 1, 0xfffff000u, 0x00000100u);
    emit1("netflow5", "uptime-wrap", &p);

    /* An exporter without a clock (unix_secs 0): record times before its export time
     * would be before the epoch. */
    p.n = 0;
    v5_header(&p, 1, 0, 0, 1, 0);
    v5_record(&p, 0, 0, UPTIME - 1);
    emit1("netflow5", "no-clock", &p);

    /* Counts the header lies about: 0, 31, and 2 with one record present. */
    p.n = 0;
    v5_header(&p, 0, SECS, 0, 1, 0);
    emit1("netflow5", "count-zero", &p);
    p.n = 0;
    v5_header(&p, 31, SECS, 0, 1, 0);
    for (uint32_t i = 0; i < 31; i++)
        v5_record(&p, i, UPTIME - 100, UPTIME);
    emit1("netflow5", "count-31", &p);
    p.n = 0;
    v5_header(&p, 2, SECS, 0, 1, 0);
    v5_record(&p, 0, UPTIME - 100, UPTIME);
    emit1("netflow5", "count-truncated", &p);

    /* Sequence: in order, a gap, a restart; then five engines against a cap of four. */
    in.n = 0;
    uint32_t seqs[] = {100, 102, 110, 5};
    for (size_t k = 0; k < sizeof seqs / sizeof seqs[0]; k++) {
        p.n = 0;
        v5_header(&p, 2, SECS + (uint32_t)k, seqs[k], 1, 0);
        v5_record(&p, 0, UPTIME - 100, UPTIME);
        v5_record(&p, 1, UPTIME - 100, UPTIME);
        input_add(&in, &p);
    }
    emit("netflow5", "sequence", &in);
    in.n = 0;
    for (uint8_t e = 1; e <= 5; e++) {
        p.n = 0;
        v5_header(&p, 1, SECS, 0, e, 0);
        v5_record(&p, e, UPTIME - 100, UPTIME);
        input_add(&in, &p);
    }
    emit("netflow5", "engine-cap", &in);
}

/* ---- NetFlow v9 --------------------------------------------------------------------- */

static void v9_header(struct pkt *p, uint32_t seq, uint32_t source_id)
{
    put16(p, 9);
    put16(p, 0); /* count: not used by the decoder */
    put32(p, UPTIME);
    put32(p, SECS);
    put32(p, seq);
    put32(p, source_id);
}

/* Opens a set (FlowSet / IPFIX set); returns where its length goes. */
static size_t set_open(struct pkt *p, uint16_t id)
{
    size_t at = p->n;
    put16(p, id);
    put16(p, 0);
    return at;
}

/* Pads to 4 bytes (padding the decoders must tell from a record) and sets the length. */
static void set_close(struct pkt *p, size_t at)
{
    while ((p->n - at) % 4)
        put8(p, 0);
    patch16(p, at + 2, (uint16_t)(p->n - at));
}

struct field {
    uint16_t type, len;
};

static void v9_template(struct pkt *p, uint16_t id, const struct field *f, size_t n)
{
    put16(p, id);
    put16(p, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        put16(p, f[i].type);
        put16(p, f[i].len);
    }
}

/* Every field type the record reader knows, at its usual size. */
static const struct field v9_full[] = {
    {8, 4},  {12, 4}, {27, 16}, {28, 16}, {7, 2},  {11, 2}, {4, 1},  {6, 1},  {1, 8},  {2, 4},
    {10, 4}, {14, 4}, {22, 4},  {21, 4},  {56, 6}, {80, 6}, {57, 6}, {48, 1}, {34, 4}, {35, 1},
};

static void v9_full_record(struct pkt *p, uint32_t i, uint8_t sampler, uint32_t interval)
{
    put32(p, HOST_A + i);
    put32(p, HOST_B);
    put_bytes(p, v6_a, 16);
    put_bytes(p, v6_b, 16);
    put16(p, (uint16_t)(50000 + i));
    put16(p, 53);
    put8(p, 17);
    put8(p, 0);
    put64(p, 1000 + i);
    put32(p, 2 + i);
    put32(p, 3);
    put32(p, 4);
    put32(p, UPTIME - 2000);
    put32(p, UPTIME - 1000);
    put_bytes(p, mac_a, 6);
    put_bytes(p, mac_b, 6);
    put_bytes(p, mac_b, 6);
    put8(p, sampler);
    put32(p, interval);
    put8(p, interval ? 1 : 0);
}

/* The common five-tuple-and-counters template. */
static const struct field v9_basic[] = {
    {8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {1, 4}, {2, 4}, {22, 4}, {21, 4},
};

static void v9_basic_record(struct pkt *p, uint32_t i)
{
    put32(p, HOST_A + i);
    put32(p, HOST_B);
    put16(p, (uint16_t)(40000 + i));
    put16(p, 443);
    put8(p, 6);
    put32(p, 1500 * (i + 1));
    put32(p, i + 1);
    put32(p, UPTIME - 3000);
    put32(p, UPTIME + 200); /* slightly after the header's uptime */
}

static void v9_basic_data(struct pkt *p, uint16_t id, uint32_t n)
{
    size_t at = set_open(p, id);
    for (uint32_t i = 0; i < n; i++)
        v9_basic_record(p, i);
    set_close(p, at);
}

static void v9_basic_template(struct pkt *p, uint16_t id)
{
    size_t at = set_open(p, 0);
    v9_template(p, id, v9_basic, sizeof v9_basic / sizeof v9_basic[0]);
    set_close(p, at);
}

static void seeds_v9(void)
{
    static struct pkt p;
    static struct input in;

    /* Every known field, IPv6 and MACs, data in the template's datagram and the next. */
    in.n = 0;
    p.n = 0;
    v9_header(&p, 0, 7);
    size_t at = set_open(&p, 0);
    v9_template(&p, 300, v9_full, sizeof v9_full / sizeof v9_full[0]);
    set_close(&p, at);
    at = set_open(&p, 300);
    v9_full_record(&p, 0, 0, 0);
    v9_full_record(&p, 1, 0, 64);
    set_close(&p, at);
    input_add(&in, &p);
    p.n = 0;
    v9_header(&p, 1, 7);
    at = set_open(&p, 300);
    v9_full_record(&p, 2, 9, 0); /* sampler 9 has no known rate: sampled_no_rate */
    set_close(&p, at);
    input_add(&in, &p);
    emit("netflow9", "all-fields", &in);

    /* Sampler options: an options template (scope System, then FLOW_SAMPLER_ID,
     * SAMPLING_INTERVAL, SAMPLING_ALGORITHM), two sampler records, a rate without sampler
     * id, then data naming sampler 5, an unknown sampler, and none. */
    in.n = 0;
    p.n = 0;
    v9_header(&p, 10, 1);
    at = set_open(&p, 1);
    put16(&p, 257);
    put16(&p, 4);  /* scope length: one field */
    put16(&p, 12); /* option length: three fields */
    put16(&p, 1);  /* scope System */
    put16(&p, 4);
    put16(&p, 48);
    put16(&p, 1);
    put16(&p, 34);
    put16(&p, 4);
    put16(&p, 35);
    put16(&p, 1);
    set_close(&p, at);
    at = set_open(&p, 1);
    put16(&p, 258); /* scope only an interface; options SAMPLING_INTERVAL */
    put16(&p, 4);
    put16(&p, 4);
    put16(&p, 2);
    put16(&p, 4);
    put16(&p, 34);
    put16(&p, 4);
    set_close(&p, at);
    at = set_open(&p, 257);
    put32(&p, 1);
    put8(&p, 5);
    put32(&p, 100);
    put8(&p, 2);
    put32(&p, 1);
    put8(&p, 6);
    put32(&p, 1000);
    put8(&p, 2);
    set_close(&p, at);
    at = set_open(&p, 258);
    put32(&p, 3);
    put32(&p, 10);
    set_close(&p, at);
    at = set_open(&p, 0);
    static const struct field sampled[] = {{8, 4}, {12, 4}, {1, 4}, {2, 4}, {48, 1}};
    v9_template(&p, 256, sampled, 5);
    v9_template(&p, 259, sampled, 4);
    set_close(&p, at);
    input_add(&in, &p);
    p.n = 0;
    v9_header(&p, 11, 1);
    at = set_open(&p, 256);
    uint8_t samplers[] = {5, 6, 7};
    for (size_t k = 0; k < sizeof samplers; k++) {
        put32(&p, HOST_A);
        put32(&p, HOST_B);
        put32(&p, 1500);
        put32(&p, 1);
        put8(&p, samplers[k]);
    }
    set_close(&p, at);
    at = set_open(&p, 259);
    put32(&p, HOST_A);
    put32(&p, HOST_B);
    put32(&p, 3000);
    put32(&p, 2);
    set_close(&p, at);
    input_add(&in, &p);
    emit("netflow9", "sampler-options", &in);

    /* Template refresh with other fields, then data before any template of another id,
     * a reserved set id, and reduced-size counters (3-byte bytes, 5-byte packets). */
    in.n = 0;
    p.n = 0;
    v9_header(&p, 0, 2);
    v9_basic_template(&p, 256);
    v9_basic_data(&p, 256, 2);
    v9_basic_data(&p, 400, 1); /* no template 400 */
    at = set_open(&p, 7);      /* reserved: skipped by length */
    put32(&p, 0xdeadbeef);
    set_close(&p, at);
    input_add(&in, &p);
    p.n = 0;
    v9_header(&p, 1, 2);
    at = set_open(&p, 0);
    static const struct field reduced[] = {{8, 4}, {1, 3}, {2, 5}, {10, 2}, {14, 1}};
    v9_template(&p, 256, reduced, 5);
    set_close(&p, at);
    at = set_open(&p, 256);
    put32(&p, HOST_A);
    put8(&p, 1);
    put16(&p, 0x0203);
    put8(&p, 0);
    put32(&p, 7);
    put16(&p, 9);
    put8(&p, 8);
    set_close(&p, at);
    input_add(&in, &p);
    emit("netflow9", "refresh-reduced", &in);

    /* Invalid templates: id below 256, no fields, 129 fields, a zero and a 0xffff length,
     * records longer than a datagram, an options template whose lengths are not multiples
     * of 4; then a set whose length runs past the datagram. */
    p.n = 0;
    v9_header(&p, 0, 3);
    at = set_open(&p, 0);
    v9_template(&p, 100, v9_basic, 2);
    set_close(&p, at);
    at = set_open(&p, 0);
    put16(&p, 260);
    put16(&p, 0);
    set_close(&p, at);
    at = set_open(&p, 0);
    put16(&p, 261);
    put16(&p, 129);
    for (int i = 0; i < 129; i++)
        put32(&p, 0x00010001);
    set_close(&p, at);
    at = set_open(&p, 0);
    static const struct field zero_len[] = {{8, 4}, {1, 0}};
    v9_template(&p, 262, zero_len, 2);
    set_close(&p, at);
    at = set_open(&p, 0);
    static const struct field varlen[] = {{8, 4}, {82, 0xffff}};
    v9_template(&p, 263, varlen, 2);
    set_close(&p, at);
    at = set_open(&p, 0);
    static const struct field too_long[] = {{1, 0xfffe}, {2, 0x20}}; /* > 65515 bytes */
    v9_template(&p, 266, too_long, 2);
    set_close(&p, at);
    at = set_open(&p, 1);
    put16(&p, 264);
    put16(&p, 6);
    put16(&p, 4);
    put32(&p, 0x00010004);
    put32(&p, 0x00220004);
    set_close(&p, at);
    at = set_open(&p, 0);
    v9_template(&p, 265, v9_basic, 9);
    p.n -= 8; /* cut the last two field specs: the set ends inside the template */
    set_close(&p, at);
    put16(&p, 256);
    put16(&p, 400); /* longer than what is left */
    put32(&p, 0);
    emit1("netflow9", "invalid-templates", &p);

    /* The template cap (16): 17 templates in one set, then data for the first and last. */
    p.n = 0;
    v9_header(&p, 0, 4);
    at = set_open(&p, 0);
    for (uint16_t id = 256; id < 256 + 17; id++)
        v9_template(&p, id, v9_basic, 9);
    set_close(&p, at);
    v9_basic_data(&p, 256, 1);
    v9_basic_data(&p, 272, 1);
    emit1("netflow9", "template-cap", &p);

    /* The source cap (4): five source ids; the fifth is refused. */
    in.n = 0;
    for (uint32_t id = 1; id <= 5; id++) {
        p.n = 0;
        v9_header(&p, 0, id);
        v9_basic_template(&p, 256);
        v9_basic_data(&p, 256, 1);
        input_add(&in, &p);
    }
    emit("netflow9", "source-cap", &in);

    /* Sequence: a lost datagram, then a restart. */
    in.n = 0;
    uint32_t seqs[] = {50, 51, 53, 0};
    for (size_t k = 0; k < sizeof seqs / sizeof seqs[0]; k++) {
        p.n = 0;
        v9_header(&p, seqs[k], 6);
        v9_basic_template(&p, 256);
        v9_basic_data(&p, 256, 1);
        input_add(&in, &p);
    }
    emit("netflow9", "sequence", &in);
}

/* ---- IPFIX -------------------------------------------------------------------------- */

static void ipfix_header(struct pkt *p, uint32_t seq, uint32_t domain)
{
    put16(p, 10);
    put16(p, 0); /* length, set by ipfix_close */
    put32(p, SECS);
    put32(p, seq);
    put32(p, domain);
}

static void ipfix_close(struct pkt *p)
{
    patch16(p, 2, (uint16_t)p->n);
}

/* A field specifier; with an enterprise number when pen != 0 (RFC 7011 §3.2). */
static void ipfix_field(struct pkt *p, uint16_t ie, uint16_t len, uint32_t pen)
{
    put16(p, pen ? (uint16_t)(ie | 0x8000) : ie);
    put16(p, len);
    if (pen)
        put32(p, pen == UINT32_MAX ? 0 : pen); /* UINT32_MAX here: write PEN 0 */
}

static void ipfix_template(struct pkt *p, uint16_t id, const struct field *f, size_t n)
{
    put16(p, id);
    put16(p, (uint16_t)n);
    for (size_t i = 0; i < n; i++)
        ipfix_field(p, f[i].type, f[i].len, 0);
}

static const struct field ipfix_basic[] = {
    {8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}, {1, 8}, {2, 8}, {152, 8}, {153, 8},
};

static void ipfix_basic_record(struct pkt *p, uint32_t i)
{
    put32(p, HOST_A + i);
    put32(p, HOST_B);
    put16(p, (uint16_t)(40000 + i));
    put16(p, 443);
    put8(p, 6);
    put64(p, 1500 * (i + 1));
    put64(p, i + 1);
    put64(p, (uint64_t)SECS * 1000 - 5000);
    put64(p, (uint64_t)SECS * 1000 - 1000);
}

static void ipfix_basic_template(struct pkt *p, uint16_t id)
{
    size_t at = set_open(p, 2);
    ipfix_template(p, id, ipfix_basic, sizeof ipfix_basic / sizeof ipfix_basic[0]);
    set_close(p, at);
}

static void ipfix_basic_data(struct pkt *p, uint16_t id, uint32_t n)
{
    size_t at = set_open(p, id);
    for (uint32_t i = 0; i < n; i++)
        ipfix_basic_record(p, i);
    set_close(p, at);
}

/* NTP timestamp (RFC 7011 §6.1.9) of a Unix time in ms. */
static uint64_t ntp_of_ms(uint64_t ms)
{
    uint64_t sec = ms / 1000 + 2208988800ULL, frac = ((ms % 1000) << 32) / 1000;
    return sec << 32 | frac;
}

static void seeds_ipfix(void)
{
    static struct pkt p;
    static struct input in;

    /* Every time encoding: seconds, ms, NTP µs and ns, one template each, plus IPv6/MAC. */
    p.n = 0;
    ipfix_header(&p, 0, 1);
    size_t at = set_open(&p, 2);
    static const struct field t_sec[] = {{27, 16}, {28, 16}, {1, 4},  {2, 2},
                                         {150, 4}, {151, 4}, {56, 6}, {80, 6}};
    static const struct field t_us[] = {{8, 4}, {12, 4}, {1, 8}, {2, 8}, {154, 8}, {155, 8}};
    static const struct field t_ns[] = {{8, 4},   {12, 4}, {1, 8},  {2, 8}, {156, 8},
                                        {157, 8}, {6, 2},  {10, 4}, {14, 4}};
    ipfix_template(&p, 256, t_sec, 8);
    ipfix_template(&p, 257, t_us, 6);
    ipfix_template(&p, 258, t_ns, 9);
    set_close(&p, at);
    at = set_open(&p, 256);
    put_bytes(&p, v6_a, 16);
    put_bytes(&p, v6_b, 16);
    put32(&p, 9000);
    put16(&p, 6);
    put32(&p, SECS - 10);
    put32(&p, SECS - 1);
    put_bytes(&p, mac_a, 6);
    put_bytes(&p, mac_b, 6);
    set_close(&p, at);
    at = set_open(&p, 257);
    put32(&p, HOST_A);
    put32(&p, HOST_B);
    put64(&p, 4000);
    put64(&p, 4);
    put64(&p, ntp_of_ms((uint64_t)SECS * 1000 - 1500));
    put64(&p, ntp_of_ms((uint64_t)SECS * 1000 - 500));
    set_close(&p, at);
    at = set_open(&p, 258);
    put32(&p, HOST_A);
    put32(&p, HOST_B);
    put64(&p, 5000);
    put64(&p, 5);
    put64(&p, ntp_of_ms((uint64_t)SECS * 1000 - 2500));
    put64(&p, 0x0000000100000000ULL); /* an NTP time before 1970 */
    put16(&p, 0x0112);
    put32(&p, 7);
    put32(&p, 8);
    set_close(&p, at);
    ipfix_close(&p);
    emit1("ipfix", "time-encodings", &p);

    /* Withdrawals (RFC 7011 §8.1): one template, then all templates via id 2, then all
     * options templates via id 3; data after each withdrawal has no template. */
    in.n = 0;
    p.n = 0;
    ipfix_header(&p, 0, 2);
    ipfix_basic_template(&p, 256);
    ipfix_basic_template(&p, 257);
    ipfix_basic_data(&p, 256, 2);
    at = set_open(&p, 2);
    put16(&p, 256);
    put16(&p, 0);
    set_close(&p, at);
    ipfix_basic_data(&p, 256, 1);
    ipfix_close(&p);
    input_add(&in, &p);
    p.n = 0;
    ipfix_header(&p, 2, 2);
    ipfix_basic_data(&p, 257, 1);
    at = set_open(&p, 2);
    put16(&p, 2);
    put16(&p, 0);
    set_close(&p, at);
    ipfix_basic_data(&p, 257, 1);
    at = set_open(&p, 3);
    put16(&p, 3);
    put16(&p, 0);
    put32(&p, 0); /* padding: id 0, count 0 */
    set_close(&p, at);
    ipfix_close(&p);
    input_add(&in, &p);
    emit("ipfix", "withdrawal", &in);

    /* Options: sampling by packet interval/space (RFC 5477) per selector id, a plain
     * samplingInterval, and systemInitTimeMilliseconds for records in sysUpTime. */
    in.n = 0;
    p.n = 0;
    ipfix_header(&p, 0, 3);
    at = set_open(&p, 3);
    put16(&p, 300);
    put16(&p, 4);               /* fields */
    put16(&p, 1);               /* scope fields */
    ipfix_field(&p, 143, 4, 0); /* meteringProcessId */
    ipfix_field(&p, 302, 4, 0); /* selectorId */
    ipfix_field(&p, 305, 4, 0); /* samplingPacketInterval */
    ipfix_field(&p, 306, 4, 0); /* samplingPacketSpace */
    put16(&p, 301);
    put16(&p, 3);
    put16(&p, 1);
    ipfix_field(&p, 149, 4, 0); /* observationDomainId */
    ipfix_field(&p, 34, 4, 0);  /* samplingInterval */
    ipfix_field(&p, 160, 8, 0); /* systemInitTimeMilliseconds */
    set_close(&p, at);
    at = set_open(&p, 300);
    put32(&p, 1);
    put32(&p, 42);
    put32(&p, 1);
    put32(&p, 99);
    set_close(&p, at);
    at = set_open(&p, 301);
    put32(&p, 3);
    put32(&p, 8);
    put64(&p, (uint64_t)SECS * 1000 - UPTIME);
    set_close(&p, at);
    at = set_open(&p, 2);
    static const struct field sel[] = {{8, 4}, {12, 4}, {1, 4}, {2, 4}, {302, 4}, {22, 4}, {21, 4}};
    ipfix_template(&p, 256, sel, 7);
    static const struct field algo[] = {{8, 4}, {12, 4}, {1, 4}, {304, 1}};
    ipfix_template(&p, 257, algo, 4);
    set_close(&p, at);
    ipfix_close(&p);
    input_add(&in, &p);
    p.n = 0;
    ipfix_header(&p, 2, 3);
    at = set_open(&p, 256);
    uint32_t selectors[] = {42, 43};
    for (size_t k = 0; k < 2; k++) {
        put32(&p, HOST_A);
        put32(&p, HOST_B);
        put32(&p, 1500);
        put32(&p, 1);
        put32(&p, selectors[k]);
        put32(&p, UPTIME - 4000);
        put32(&p, UPTIME - 10);
    }
    set_close(&p, at);
    at = set_open(&p, 257);
    put32(&p, HOST_A);
    put32(&p, HOST_B);
    put32(&p, 700);
    put8(&p, 2);
    set_close(&p, at);
    ipfix_close(&p);
    input_add(&in, &p);
    emit("ipfix", "options-sampling", &in);

    /* Enterprise fields (one with PEN 0) between IANA ones, and variable-length fields:
     * a 1-byte length, a 3-byte length (255, then 16 bits), an empty one, and a counter
     * sent variable-length. */
    p.n = 0;
    ipfix_header(&p, 0, 4);
    at = set_open(&p, 2);
    put16(&p, 256);
    put16(&p, 8);
    ipfix_field(&p, 8, 4, 0);
    ipfix_field(&p, 1, 4, 29305); /* enterprise field with an IANA-looking id */
    ipfix_field(&p, 12, 4, 0);
    ipfix_field(&p, 82, 0xffff, 0);    /* interfaceName, variable */
    ipfix_field(&p, 100, 0xffff, 9);   /* enterprise, variable */
    ipfix_field(&p, 2, 4, UINT32_MAX); /* enterprise bit with PEN 0 */
    ipfix_field(&p, 1, 0xffff, 0);     /* octetDeltaCount, variable */
    ipfix_field(&p, 2, 8, 0);
    set_close(&p, at);
    at = set_open(&p, 256);
    for (int k = 0; k < 2; k++) {
        put32(&p, HOST_A);
        put32(&p, 0xffffffffu);
        put32(&p, HOST_B);
        put8(&p, 4);
        put_bytes(&p, "eth0", 4);
        put8(&p, 255);
        put16(&p, 300);
        for (int i = 0; i < 300; i++)
            put8(&p, (uint8_t)i);
        put32(&p, 77);
        put8(&p, k ? 0 : 3); /* the second record's counter is empty */
        if (!k) {
            put8(&p, 1);
            put16(&p, 0);
        }
        put64(&p, 12);
    }
    set_close(&p, at);
    ipfix_close(&p);
    emit1("ipfix", "enterprise-varlen", &p);

    /* Message length shorter than the datagram (the rest is not the message's); template
     * records that are invalid (id, scope count, record length) or cut; a set running
     * past the message length. */
    p.n = 0;
    ipfix_header(&p, 0, 5);
    ipfix_basic_template(&p, 256);
    ipfix_basic_data(&p, 256, 1);
    ipfix_close(&p);
    ipfix_basic_data(&p, 256, 1); /* trailing bytes after the message */
    emit1("ipfix", "trailing-bytes", &p);
    p.n = 0;
    ipfix_header(&p, 0, 5);
    at = set_open(&p, 2);
    put16(&p, 100); /* id below 256 */
    put16(&p, 1);
    ipfix_field(&p, 8, 4, 0);
    set_close(&p, at);
    at = set_open(&p, 3);
    put16(&p, 270);
    put16(&p, 2);
    put16(&p, 0); /* options template without scope */
    ipfix_field(&p, 8, 4, 0);
    ipfix_field(&p, 34, 4, 0);
    set_close(&p, at);
    at = set_open(&p, 3);
    put16(&p, 271);
    put16(&p, 2);
    put16(&p, 3); /* more scope fields than fields */
    ipfix_field(&p, 8, 4, 0);
    ipfix_field(&p, 34, 4, 0);
    set_close(&p, at);
    at = set_open(&p, 2);
    put16(&p, 273);
    put16(&p, 2);
    ipfix_field(&p, 8, 65000, 0); /* records longer than any message */
    ipfix_field(&p, 1, 600, 0);
    set_close(&p, at);
    at = set_open(&p, 2);
    put16(&p, 272);
    put16(&p, 3);
    ipfix_field(&p, 8, 4, 0);
    ipfix_field(&p, 1, 4, 9);
    put16(&p, 2); /* the third specifier is cut */
    set_close(&p, at);
    put16(&p, 256);
    put16(&p, 1000); /* runs past the message */
    ipfix_close(&p);
    emit1("ipfix", "invalid-sets", &p);

    /* Caps: 17 templates (cap 16), and five domains (cap 4). */
    p.n = 0;
    ipfix_header(&p, 0, 6);
    at = set_open(&p, 2);
    for (uint16_t id = 256; id < 256 + 17; id++)
        ipfix_template(&p, id, ipfix_basic, 9);
    set_close(&p, at);
    ipfix_basic_data(&p, 272, 1);
    ipfix_close(&p);
    emit1("ipfix", "template-cap", &p);
    in.n = 0;
    for (uint32_t dom = 10; dom < 15; dom++) {
        p.n = 0;
        ipfix_header(&p, 0, dom);
        ipfix_basic_template(&p, 256);
        ipfix_basic_data(&p, 256, 1);
        ipfix_close(&p);
        input_add(&in, &p);
    }
    emit("ipfix", "domain-cap", &in);

    /* Sequence numbers counting data records: right, a gap, and a restart. */
    in.n = 0;
    uint32_t seqs[] = {0, 2, 10, 1};
    for (size_t k = 0; k < sizeof seqs / sizeof seqs[0]; k++) {
        p.n = 0;
        ipfix_header(&p, seqs[k], 7);
        ipfix_basic_template(&p, 256);
        ipfix_basic_data(&p, 256, 2);
        ipfix_close(&p);
        input_add(&in, &p);
    }
    emit("ipfix", "sequence", &in);
}

/* ---- the dispatcher ----------------------------------------------------------------- */

static void seeds_decode(void)
{
    static struct pkt p;
    static struct input in;

    /* One datagram of each version behind one table, then the ones sniffing rejects. */
    in.n = 0;
    p.n = 0;
    v5_header(&p, 1, SECS, 0, 1, 0);
    v5_record(&p, 0, UPTIME - 100, UPTIME);
    input_add(&in, &p);
    p.n = 0;
    v9_header(&p, 0, 1);
    v9_basic_template(&p, 256);
    v9_basic_data(&p, 256, 2);
    input_add(&in, &p);
    p.n = 0;
    ipfix_header(&p, 0, 1);
    ipfix_basic_template(&p, 256);
    ipfix_basic_data(&p, 256, 2);
    ipfix_close(&p);
    input_add(&in, &p);
    p.n = 0;
    put16(&p, 7); /* unknown version */
    put16(&p, 1);
    put32(&p, 0);
    input_add(&in, &p);
    p.n = 0;
    put16(&p, 9); /* shorter than any header */
    input_add(&in, &p);
    emit("decode", "mixed-versions", &in);

    /* Six IPFIX domains per exporter against a cap of ten sources for two exporters: the
     * table grows past 8 sources, then refuses. */
    in.n = 0;
    for (uint32_t dom = 1; dom <= 6; dom++) {
        p.n = 0;
        ipfix_header(&p, 0, dom);
        ipfix_basic_template(&p, 256);
        ipfix_basic_data(&p, 256, 1);
        ipfix_close(&p);
        input_add(&in, &p);
    }
    emit("decode", "grow-and-cap", &in);
}

/* ---- .dgrams conversion ------------------------------------------------------------- */

static int convert(const char *in_path, const char *out_path)
{
    FILE *f = fopen(in_path, "rb");
    if (!f) {
        fprintf(stderr, "seedgen: cannot open %s\n", in_path);
        return 1;
    }
    static struct input in;
    static struct pkt p;
    uint8_t hdr[8];
    size_t got;
    while ((got = fread(hdr, 1, sizeof hdr, f)) == sizeof hdr) {
        uint32_t len =
            (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
        if (len > 0xffff || fread(p.b, 1, len, f) != len) {
            fprintf(stderr, "seedgen: %s: bad or truncated entry\n", in_path);
            fclose(f);
            return 1;
        }
        p.n = len;
        input_add(&in, &p);
    }
    fclose(f);
    if (got != 0) {
        fprintf(stderr, "seedgen: %s: truncated entry header\n", in_path);
        return 1;
    }
    write_file(out_path, in.b, in.n);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "convert") == 0)
        return convert(argv[2], argv[3]);
    if (argc == 3 && strcmp(argv[1], "edge") == 0) {
        out_dir = argv[2];
        seeds_v5();
        seeds_v9();
        seeds_ipfix();
        seeds_decode();
        return 0;
    }
    fprintf(stderr, "usage: seedgen convert IN.dgrams OUT | seedgen edge CORPUS_DIR\n");
    return 2;
}
