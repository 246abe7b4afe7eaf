// SPDX-License-Identifier: MIT
// libFuzzer target for the sFlow v5 decoder. The input is a sequence of datagrams (see
// fuzz.h) decoded in order through one small source table, so sequence and drops tracking
// and the source cap carry over, and through a second table too large to refuse anything:
// sFlow flows depend on no state, so both must emit the same flows and counters whenever
// the small table refused nothing. Every flow, counter record and return code is checked,
// and the small table after every datagram.
#include "../../src/collect/sflow.h"
#include "../../src/base/log.h"
#include "fuzz.h"

#define NOW_MS 1790000000123ULL
#define BIG_MAX_SOURCES 16384

struct sf_check {
    struct ip_addr exporter;
    struct ip_addr agent;             /* agent address of the datagram being decoded */
    const struct source_table *table; /* the table being decoded into */
    size_t len;                       /* datagram length */
    size_t calls, n_counters;
    uint64_t digest; /* of the flows and counters emitted for this datagram */
};

/* The source a flow claims, found without creating it. */
static bool has_source(const struct source_table *st, const struct ip_addr *agent, uint32_t domain)
{
    for (size_t i = 0; i < st->cap; i++) {
        const struct source *s = &st->slots[i];
        if (s->in_use && s->version == SFLOW_SOURCE_VERSION && s->domain == domain &&
            addr_eq(&s->exporter, agent))
            return true;
    }
    return false;
}

static void sf_emit(void *ctx, const struct flow *f)
{
    struct sf_check *c = ctx;
    fuzz_check_flow_common(f, &c->exporter);
    FUZZ_CHECK(f->packets == 1);
    FUZZ_CHECK(f->start_ms == NOW_MS && f->end_ms == NOW_MS);
    FUZZ_CHECK(f->sampled_no_rate == (f->sampling == 0));
    /* Lengths come from 16-bit IP headers or from 32-bit sFlow fields. */
    FUZZ_CHECK(f->bytes <= UINT32_MAX);
    FUZZ_CHECK(has_source(c->table, &c->agent, f->domain));
    c->calls++;
    /* Each flow is a sample: an 8-byte sample header and 32 bytes of fixed fields at least,
     * behind the 24 bytes of the smallest datagram header. */
    FUZZ_CHECK(24 + c->calls * 40 <= c->len);
    c->digest = fuzz_flow_digest(c->digest, f);
}

static void sf_counters(void *ctx, const struct sflow_if_counters *k)
{
    struct sf_check *c = ctx;
    FUZZ_CHECK(addr_eq(&k->exporter, &c->exporter));
    FUZZ_CHECK(addr_eq(&k->agent, &c->agent));
    FUZZ_CHECK(k->time_ms == NOW_MS);
    c->n_counters++;
    /* An if_counters record is 88 bytes behind its 8-byte record header. */
    FUZZ_CHECK(24 + c->n_counters * 96 <= c->len);
    c->digest = fuzz_mix(c->digest, (uint64_t)k->if_index << 32 | k->source_index);
    c->digest = fuzz_mix(c->digest, k->in_octets ^ k->out_octets ^ k->speed_bps);
}

static void check_table(const struct source_table *st)
{
    FUZZ_CHECK(st->cap >= 1 && (st->cap & (st->cap - 1)) == 0);
    FUZZ_CHECK(st->n <= st->max_sources);
    FUZZ_CHECK(st->n * 2 <= st->cap);
    size_t n = 0;
    for (size_t i = 0; i < st->cap; i++) {
        const struct source *s = &st->slots[i];
        if (!s->in_use)
            continue;
        n++;
        FUZZ_CHECK(s->version == SFLOW_SOURCE_VERSION);
        FUZZ_CHECK(s->templates.n == 0 && s->n_samplers == 0);
        /* The drops state: a 32-bit value and the bit that says it is set. */
        FUZZ_CHECK(s->sys_init_ms >> 33 == 0);
        FUZZ_CHECK(s->c.records <= s->c.packets * 2000);
    }
    FUZZ_CHECK(n == st->n);
}

/* The agent address the header names, as the decoder must take it. */
static struct ip_addr header_agent(const uint8_t *p, size_t len, const struct ip_addr *exporter)
{
    if (len >= 12 && be32(p + 4) == 1)
        return addr_from_v4(be32(p + 8));
    if (len >= 24 && be32(p + 4) == 2)
        return addr_from_v6(p + 8);
    return *exporter;
}

static int decode(struct source_table *st, struct sf_check *c, const struct dgram *d)
{
    c->table = st;
    c->len = d->len;
    c->calls = c->n_counters = 0;
    c->digest = 0xcbf29ce484222325ULL;
    struct flow_sink sink = {sf_emit, c};
    struct sflow_counter_sink counters = {sf_counters, c};
    return sflow_decode(st, &c->exporter, d->buf, d->len, NOW_MS, &sink, &counters);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    log_threshold = LOG_LEVEL_ERROR;
    struct source_table small, big;
    source_table_init(&small, FUZZ_MAX_SOURCES, FUZZ_MAX_TEMPLATES);
    source_table_init(&big, BIG_MAX_SOURCES, FUZZ_MAX_TEMPLATES);
    struct sf_check a = {.exporter = addr_from_v4(0xc000020b)}; /* 192.0.2.11 */
    struct sf_check b = a;
    struct dgram_iter it = dgram_iter_make(data, size);
    struct dgram d;
    while (dgram_next(&it, &d)) {
        a.agent = b.agent = header_agent(d.buf, d.len, &a.exporter);
        size_t n_before = small.n;
        uint64_t refused_before = small.n_refused, big_refused_before = big.n_refused;
        int rc = decode(&small, &a, &d);
        int rc_big = decode(&big, &b, &d);

        if (d.len < 4)
            FUZZ_CHECK(rc == ERR_TRUNCATED);
        else if (be32(d.buf) != SFLOW_VERSION)
            FUZZ_CHECK(rc == ERR_UNSUPPORTED);
        if (rc >= 0) {
            FUZZ_CHECK((size_t)rc == a.calls);
        } else if (rc == ERR_LIMIT) {
            FUZZ_CHECK(a.calls == 0 && small.n == small.max_sources);
            FUZZ_CHECK(small.n_refused > refused_before);
        } else {
            /* A whole-datagram drop: nothing emitted, nothing created. */
            FUZZ_CHECK(rc == ERR_TRUNCATED || rc == ERR_MALFORMED || rc == ERR_UNSUPPORTED);
            FUZZ_CHECK(a.calls == 0 && a.n_counters == 0 && small.n == n_before);
            FUZZ_CHECK(rc_big == rc);
        }
        /* The same datagram gives the same flows and counters whatever the state, unless a
         * source was refused. */
        if (small.n_refused == refused_before && big.n_refused == big_refused_before) {
            FUZZ_CHECK(rc == rc_big);
            FUZZ_CHECK(a.calls == b.calls && a.n_counters == b.n_counters);
            FUZZ_CHECK(a.digest == b.digest);
        }
        /* Counters never depend on the cap. */
        FUZZ_CHECK(a.n_counters == b.n_counters);
        check_table(&small);
        dgram_free(&d);
    }
    source_table_deinit(&small);
    source_table_deinit(&big);
    return 0;
}
