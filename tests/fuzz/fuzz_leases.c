// SPDX-License-Identifier: MIT
// libFuzzer target for the DHCP lease file parsers. The input is a lease file's text, fed
// to the ISC and the Kea parser directly and to leases_parse (which picks one), each
// strictly and leniently. Every emitted lease must be well formed (family, prefix, times,
// MAC), the counters must match the calls, errors must be "FILE:LINE: expected ...", and
// lenient parsing must emit exactly what strict parsing emitted before its first error,
// report that same error, and emit everything when there was none.
#include "../../src/bind/leases.h"
#include "fuzz.h"

#define FUZZ_FILE "fuzz.leases"

struct lease_check {
    uint64_t calls;
    uint64_t digest;  /* over every lease emitted */
    uint64_t stop_at; /* calls after which to record digest_at_stop */
    uint64_t digest_at_stop;
    bool has_v4, has_v6;
};

static void lease_check_emit(void *ctx, const struct lease *l)
{
    struct lease_check *c = ctx;
    bool is_v4 = addr_is_v4(&l->ip);
    FUZZ_CHECK(l->prefix_len >= 1 && l->prefix_len <= 128);
    FUZZ_CHECK(!is_v4 || l->prefix_len == 128);
    for (unsigned bit = l->prefix_len; bit < 128; bit++) /* a prefix has no host bits */
        FUZZ_CHECK(!(l->ip.b[bit / 8] & (0x80 >> (bit % 8))));
    if (!l->has_mac) {
        static const uint8_t zero[6];
        FUZZ_CHECK(memcmp(l->mac, zero, 6) == 0);
    }
    /* Whole seconds, the start within 4-digit years, never an end before the start. */
    FUZZ_CHECK(l->start_ms % 1000 == 0 && l->end_ms % 1000 == 0);
    FUZZ_CHECK(l->start_ms <= 253402300799000ULL);
    FUZZ_CHECK(l->end_ms == 0 || l->end_ms >= l->start_ms);
    c->has_v4 |= is_v4;
    c->has_v6 |= !is_v4;
    uint64_t h = c->digest;
    h = fuzz_mix(h, addr_hi(&l->ip));
    h = fuzz_mix(h, addr_lo(&l->ip));
    h = fuzz_mix(h, (uint64_t)l->prefix_len << 16 | (uint64_t)l->has_mac << 8 | l->is_active);
    h = fuzz_mix(h, l->start_ms);
    h = fuzz_mix(h, l->end_ms);
    for (int i = 0; i < 6; i++)
        h = fuzz_mix(h, l->mac[i]);
    c->digest = h;
    c->calls++;
    if (c->calls == c->stop_at)
        c->digest_at_stop = h;
}

typedef int parse_fn(const char *text, size_t len, const char *filename, bool lenient,
                     lease_emit_fn *emit, void *ctx, struct lease_counters *c, char *errbuf);

struct run {
    int rc;
    struct lease_check check;
    struct lease_counters c;
    char errbuf[ERR_BUF_LEN];
};

static void run_parser(parse_fn *parse, const char *text, size_t len, bool lenient,
                       uint64_t stop_at, struct run *r)
{
    memset(r, 0, sizeof *r);
    r->check.stop_at = stop_at;
    memset(r->errbuf, 'x', sizeof r->errbuf); /* must be overwritten, NUL-terminated */
    r->rc = parse(text, len, FUZZ_FILE, lenient, lease_check_emit, &r->check, &r->c, r->errbuf);
    FUZZ_CHECK(memchr(r->errbuf, '\0', sizeof r->errbuf) != NULL);
    FUZZ_CHECK(r->rc == 0 || r->rc == ERR_MALFORMED);
    FUZZ_CHECK(r->c.leases == r->check.calls);
    if (r->rc == 0 && r->c.skipped == 0) {
        FUZZ_CHECK(r->errbuf[0] == '\0');
    } else {
        /* "fuzz.leases:LINE: expected ..., got ..." */
        size_t n = strlen(FUZZ_FILE);
        FUZZ_CHECK(strncmp(r->errbuf, FUZZ_FILE ":", n + 1) == 0);
        const char *p = r->errbuf + n + 1;
        FUZZ_CHECK(*p >= '1' && *p <= '9');
        while (*p >= '0' && *p <= '9')
            p++;
        FUZZ_CHECK(strncmp(p, ": expected ", 11) == 0 && strstr(p, ", got ") != NULL);
    }
    if (!lenient)
        FUZZ_CHECK(r->c.skipped == 0);
}

/* Strict and lenient runs of one parser; returns the strict run in *strict. */
static void check_parser(parse_fn *parse, const char *text, size_t len, bool is_kea,
                         struct run *strict)
{
    static struct run lenient; /* static: ERR_BUF_LEN twice would be a large frame */
    run_parser(parse, text, len, false, 0, strict);
    run_parser(parse, text, len, true, strict->check.calls, &lenient);
    if (is_kea) /* one file, one family */
        FUZZ_CHECK(!(lenient.check.has_v4 && lenient.check.has_v6));
    if (strict->rc == 0) {
        FUZZ_CHECK(lenient.rc == 0 && lenient.c.skipped == 0);
        FUZZ_CHECK(lenient.check.calls == strict->check.calls);
        FUZZ_CHECK(lenient.check.digest == strict->check.digest);
        return;
    }
    /* The same first error. Lenient parsing returns it only for a Kea header, and then
     * nothing was emitted by either. */
    FUZZ_CHECK(strcmp(lenient.errbuf, strict->errbuf) == 0);
    if (lenient.rc != 0) {
        FUZZ_CHECK(is_kea && strict->check.calls == 0 && lenient.check.calls == 0);
        return;
    }
    FUZZ_CHECK(lenient.c.skipped >= 1);
    FUZZ_CHECK(lenient.check.calls >= strict->check.calls);
    if (strict->check.calls > 0)
        FUZZ_CHECK(lenient.check.digest_at_stop == strict->check.digest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct run isc, kea, any;
    const char *text = (const char *)data;
    check_parser(leases_parse_isc, text, size, false, &isc);
    check_parser(leases_parse_kea, text, size, true, &kea);
    /* leases_parse is one of the two, chosen by the first bytes. */
    run_parser(leases_parse, text, size, false, 0, &any);
    bool is_kea = size >= 8 && memcmp(text, "address,", 8) == 0;
    const struct run *same = is_kea ? &kea : &isc;
    FUZZ_CHECK(any.rc == same->rc && any.check.calls == same->check.calls);
    FUZZ_CHECK(any.check.digest == same->check.digest);
    FUZZ_CHECK(strcmp(any.errbuf, same->errbuf) == 0);
    return 0;
}
