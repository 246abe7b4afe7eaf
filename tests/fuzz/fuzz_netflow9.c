// SPDX-License-Identifier: MIT
// libFuzzer target for the NetFlow v9 decoder. The input is a sequence of datagrams (see
// fuzz.h) decoded in order through one source table, so templates, options templates and
// sampler rates learnt from one datagram drive the decoding of the next, and the source and
// template caps are reached. Every flow and return code is checked, and the whole table
// after every datagram.
#include "../../src/collect/netflow9.h"
#include "../../src/base/log.h"
#include "fuzz.h"

struct v9_check {
    struct ip_addr exporter;
    uint32_t source_id; /* header source id of the datagram being decoded */
    size_t calls;
};

static void v9_emit(void *ctx, const struct flow *f)
{
    struct v9_check *c = ctx;
    fuzz_check_flow_common(f, &c->exporter);
    /* The flow must belong to the source the header names, not to another one. */
    FUZZ_CHECK(f->domain == c->source_id);
    c->calls++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Most inputs create a source, and each new one is logged: at the default level that is
     * a line on stderr per input, which slows fuzzing and buries libFuzzer's output. */
    log_threshold = LOG_LEVEL_ERROR;
    struct source_table st;
    source_table_init(&st, FUZZ_MAX_SOURCES, FUZZ_MAX_TEMPLATES);
    struct v9_check c = {.exporter = addr_from_v4(0xc0000209)}; /* 192.0.2.9 */
    struct flow_sink sink = {v9_emit, &c};
    struct dgram_iter it = dgram_iter_make(data, size);
    struct dgram d;
    while (dgram_next(&it, &d)) {
        c.source_id = d.len >= NETFLOW9_HEADER_LEN ? be32(d.buf + 16) : 0;
        c.calls = 0;
        size_t n_before = st.n;
        int rc = netflow9_decode(&st, &c.exporter, d.buf, d.len, &sink);
        if (d.len < NETFLOW9_HEADER_LEN) {
            FUZZ_CHECK(rc == ERR_TRUNCATED);
        } else if (rc == ERR_LIMIT) {
            FUZZ_CHECK(st.n == st.max_sources && st.n == n_before);
        } else {
            FUZZ_CHECK(rc >= 0);
        }
        if (rc >= 0) {
            FUZZ_CHECK((size_t)rc == c.calls);
            /* Each record takes at least one byte of a set behind a 4-byte set header. */
            FUZZ_CHECK(c.calls == 0 || c.calls <= d.len - NETFLOW9_HEADER_LEN - 4);
        } else {
            FUZZ_CHECK(c.calls == 0);
        }
        fuzz_check_sources(&st);
        dgram_free(&d);
    }
    source_table_deinit(&st);
    return 0;
}
