// SPDX-License-Identifier: MIT
// libFuzzer target for the NetFlow v5 decoder. The input is a sequence of datagrams (see
// fuzz.h) decoded through one source table, so the per-engine sources and their cap are
// exercised as well. v5 is a fixed layout, so besides the generic invariants every emitted
// flow is compared with the bytes of its record and every return code with what the header
// says it must be.
#include "../../src/collect/netflow5.h"
#include "../../src/base/log.h"
#include "fuzz.h"

struct v5_check {
    struct ip_addr exporter;
    const uint8_t *pkt; /* the datagram being decoded */
    size_t len;
    size_t calls; /* flows emitted so far for this datagram */
};

static void v5_emit(void *ctx, const struct flow *f)
{
    struct v5_check *c = ctx;
    fuzz_check_flow_common(f, &c->exporter);
    /* A flow may only come out of a datagram long enough to hold its record. */
    FUZZ_CHECK(c->calls < NETFLOW5_MAX_RECORDS);
    FUZZ_CHECK(c->len >= NETFLOW5_HEADER_LEN + (c->calls + 1) * NETFLOW5_RECORD_LEN);
    const uint8_t *h = c->pkt;
    const uint8_t *rec = h + NETFLOW5_HEADER_LEN + c->calls * NETFLOW5_RECORD_LEN;

    FUZZ_CHECK(f->domain == ((uint32_t)h[20] << 8 | h[21]));
    uint16_t sampling = be16(h + 22);
    FUZZ_CHECK(f->sampling == (sampling & 0x3fffu));
    FUZZ_CHECK(f->sampled_no_rate == ((sampling & 0x3fffu) == 0 && (sampling >> 14) != 0));

    /* v5 counters and interfaces are 32 and 16 bits on the wire: anything wider was read
     * from the wrong place. */
    FUZZ_CHECK(f->packets <= UINT32_MAX && f->bytes <= UINT32_MAX);
    FUZZ_CHECK(f->in_if <= UINT16_MAX && f->out_if <= UINT16_MAX);
    FUZZ_CHECK(addr_is_v4(&f->src) && addr_is_v4(&f->dst));
    FUZZ_CHECK(!f->has_mac);

    struct ip_addr src = addr_from_v4(be32(rec)), dst = addr_from_v4(be32(rec + 4));
    FUZZ_CHECK(addr_eq(&f->src, &src) && addr_eq(&f->dst, &dst));
    FUZZ_CHECK(f->in_if == be16(rec + 12) && f->out_if == be16(rec + 14));
    FUZZ_CHECK(f->packets == be32(rec + 16) && f->bytes == be32(rec + 20));
    FUZZ_CHECK(f->src_port == be16(rec + 32) && f->dst_port == be16(rec + 34));
    FUZZ_CHECK(f->tcp_flags == rec[37] && f->protocol == rec[38]);

    /* Record times are export time minus their age in sysUptime ms, the age being a signed
     * 32-bit difference in [-2^31, 2^31 - 1]; a time that would fall before 1970 is 0. */
    uint64_t export_ms = (uint64_t)be32(h + 8) * 1000 + be32(h + 12) / 1000000;
    uint32_t sys_uptime = be32(h + 4), first = be32(rec + 24), last = be32(rec + 28);
    int64_t start_age = (int32_t)(sys_uptime - first), end_age = (int32_t)(sys_uptime - last);
    FUZZ_CHECK(f->start_ms == (start_age > (int64_t)export_ms ? 0 : export_ms - start_age));
    FUZZ_CHECK(f->end_ms == (end_age > (int64_t)export_ms ? 0 : export_ms - end_age));
    c->calls++;
}

/* The return code the header dictates, or 1 for "the count, unless the table is full". */
static int v5_expected(const uint8_t *pkt, size_t len)
{
    if (len < NETFLOW5_HEADER_LEN)
        return ERR_TRUNCATED;
    uint16_t count = be16(pkt + 2);
    if (count == 0 || count > NETFLOW5_MAX_RECORDS)
        return ERR_MALFORMED;
    if (len - NETFLOW5_HEADER_LEN < (size_t)count * NETFLOW5_RECORD_LEN)
        return ERR_TRUNCATED;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Most inputs create a source, and each new one is logged: at the default level that is
     * a line on stderr per input, which slows fuzzing and buries libFuzzer's output. */
    log_threshold = LOG_LEVEL_ERROR;
    struct source_table st;
    source_table_init(&st, FUZZ_MAX_SOURCES, FUZZ_MAX_TEMPLATES);
    struct v5_check c = {.exporter = addr_from_v4(0xc0000205)}; /* 192.0.2.5 */
    struct flow_sink sink = {v5_emit, &c};
    struct dgram_iter it = dgram_iter_make(data, size);
    struct dgram d;
    while (dgram_next(&it, &d)) {
        c.pkt = d.buf;
        c.len = d.len;
        c.calls = 0;
        size_t n_before = st.n;
        int rc = netflow5_decode(&st, &c.exporter, d.buf, d.len, &sink);
        int want = v5_expected(d.buf, d.len);
        if (want == 1) {
            if (rc == ERR_LIMIT) /* refused only when full, and then nothing is created */
                FUZZ_CHECK(st.n == st.max_sources && st.n == n_before);
            else
                FUZZ_CHECK(rc == be16(d.buf + 2));
        } else {
            FUZZ_CHECK(rc == want);
        }
        if (rc >= 0)
            FUZZ_CHECK((size_t)rc == c.calls);
        else
            FUZZ_CHECK(c.calls == 0 && fuzz_is_drop_code(rc));
        fuzz_check_sources(&st);
        dgram_free(&d);
    }
    source_table_deinit(&st);
    return 0;
}
