// SPDX-License-Identifier: MIT
// libFuzzer target for the IPFIX decoder. The input is a sequence of messages (see fuzz.h)
// decoded in order through one source table, so template definitions and withdrawals,
// options data (sampling, system init time), enterprise and variable-length fields carry
// over from one message to the next and the caps are reached. The exporter is an IPv6
// address so that path of the source table is used too.
#include "../../src/collect/ipfix.h"
#include "../../src/base/log.h"
#include "fuzz.h"

struct ipfix_check {
    struct ip_addr exporter;
    uint32_t domain; /* observation domain of the message being decoded */
    size_t calls;
};

static void ipfix_emit(void *ctx, const struct flow *f)
{
    struct ipfix_check *c = ctx;
    fuzz_check_flow_common(f, &c->exporter);
    FUZZ_CHECK(f->domain == c->domain);
    c->calls++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Most inputs create a source, and each new one is logged: at the default level that is
     * a line on stderr per input, which slows fuzzing and buries libFuzzer's output. */
    log_threshold = LOG_LEVEL_ERROR;
    static const uint8_t exporter_v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x0a};
    struct source_table st;
    source_table_init(&st, FUZZ_MAX_SOURCES, FUZZ_MAX_TEMPLATES);
    struct ipfix_check c = {.exporter = addr_from_v6(exporter_v6)}; /* 2001:db8::a */
    struct flow_sink sink = {ipfix_emit, &c};
    struct dgram_iter it = dgram_iter_make(data, size);
    struct dgram d;
    while (dgram_next(&it, &d)) {
        c.domain = d.len >= IPFIX_HEADER_LEN ? be32(d.buf + 12) : 0;
        c.calls = 0;
        size_t n_before = st.n;
        int rc = ipfix_decode(&st, &c.exporter, d.buf, d.len, &sink);
        size_t msg_len = d.len >= 4 ? be16(d.buf + 2) : 0;
        if (d.len < IPFIX_HEADER_LEN) {
            FUZZ_CHECK(rc == ERR_TRUNCATED);
        } else if (msg_len < IPFIX_HEADER_LEN || msg_len > d.len) {
            FUZZ_CHECK(rc == ERR_MALFORMED);
        } else if (rc == ERR_LIMIT) {
            FUZZ_CHECK(st.n == st.max_sources && st.n == n_before);
        } else {
            FUZZ_CHECK(rc >= 0);
        }
        if (rc >= 0) {
            FUZZ_CHECK((size_t)rc == c.calls);
            /* Records take at least a byte each, after a set header, inside the message
             * length (bytes after it are not part of the message). */
            FUZZ_CHECK(c.calls == 0 || c.calls <= msg_len - IPFIX_HEADER_LEN - 4);
        } else {
            FUZZ_CHECK(c.calls == 0);
        }
        fuzz_check_sources(&st);
        dgram_free(&d);
    }
    source_table_deinit(&st);
    return 0;
}
