// SPDX-License-Identifier: MIT
// libFuzzer target for the dispatcher (decoder_feed: allow-list, version sniffing, the three
// decoders behind one source table). Each datagram of the input (see fuzz.h) is fed three
// times: from an allowed IPv4 exporter, from an allowed IPv6 exporter, and from an exporter
// the allow-list denies. Sources are independent, so the two allowed exporters must get
// the same flows and end in the same state; the denied one must get nothing and change
// nothing. That catches state leaking between sources, which no single-exporter check can.
#include "../../src/base/log.h"
#include "../../src/base/prefix.h"
#include "../../src/collect/decode.h"
#include "../../src/collect/ipfix.h"
#include "../../src/collect/netflow5.h"
#include "../../src/collect/netflow9.h"
#include "fuzz.h"

/* Even, so the two allowed exporters, fed alternately with the same datagrams, hit the cap
 * at the same datagram; above 8, so the table also grows past its first 16 slots. */
#define DECODE_MAX_SOURCES 10

struct decode_check {
    struct ip_addr exporter;
    const uint8_t *pkt;
    size_t len;
    size_t calls;
    uint64_t digest; /* of the flows emitted for this datagram, in order */
};

/* The source id the header names, which every flow of the datagram must carry. */
static uint32_t header_domain(const uint8_t *pkt, size_t len)
{
    switch (len >= 2 ? be16(pkt) : 0) {
    case 5: return len >= NETFLOW5_HEADER_LEN ? (uint32_t)pkt[20] << 8 | pkt[21] : 0;
    case 9: return len >= NETFLOW9_HEADER_LEN ? be32(pkt + 16) : 0;
    case 10: return len >= IPFIX_HEADER_LEN ? be32(pkt + 12) : 0;
    default: return 0;
    }
}

static void decode_emit(void *ctx, const struct flow *f)
{
    struct decode_check *c = ctx;
    fuzz_check_flow_common(f, &c->exporter);
    FUZZ_CHECK(f->domain == header_domain(c->pkt, c->len));
    c->digest = fuzz_flow_digest(c->digest, f);
    c->calls++;
}

static uint64_t drops_total(const struct decode_counters *dc)
{
    return dc->drop_pkt_short + dc->drop_pkt_version + dc->drop_pkt_malformed +
           dc->drop_pkt_denied + dc->drop_pkt_sources;
}

/* Feeds one datagram from one exporter and checks what the dispatcher promises: a count
 * equal to the flows emitted, one datagram counted, at most one drop counted. */
static int feed(struct decoder *dec, struct decode_check *c, const struct ip_addr *exporter,
                const struct dgram *d)
{
    *c = (struct decode_check){
        .exporter = *exporter, .pkt = d->buf, .len = d->len, .digest = 0xcbf29ce484222325ULL};
    struct flow_sink sink = {decode_emit, c};
    struct decode_counters before = dec->c;
    int rc = decoder_feed(dec, exporter, d->buf, d->len, &sink);
    FUZZ_CHECK(rc >= 0 && (size_t)rc == c->calls);
    FUZZ_CHECK(dec->c.datagrams == before.datagrams + 1);
    FUZZ_CHECK(dec->c.bytes == before.bytes + d->len);
    uint64_t new_drops = drops_total(&dec->c) - drops_total(&before);
    FUZZ_CHECK(new_drops <= 1);
    if (new_drops)
        FUZZ_CHECK(rc == 0);
    if (dec->c.drop_pkt_denied != before.drop_pkt_denied)
        return rc; /* the allow-list is checked first: nothing else can have happened */
    if (d->len < 4)
        FUZZ_CHECK(dec->c.drop_pkt_short == before.drop_pkt_short + 1);
    else if (be16(d->buf) != 5 && be16(d->buf) != 9 && be16(d->buf) != 10)
        FUZZ_CHECK(dec->c.drop_pkt_version == before.drop_pkt_version + 1);
    return rc;
}

static const struct source *find_source(const struct source_table *st,
                                        const struct ip_addr *exporter, uint8_t version,
                                        uint32_t domain)
{
    for (size_t i = 0; i < st->cap; i++) {
        const struct source *s = &st->slots[i];
        if (s->in_use && s->version == version && s->domain == domain &&
            addr_eq(&s->exporter, exporter))
            return s;
    }
    return NULL;
}

/* Every source of exporter a has a twin of exporter b in the same state, and the denied
 * exporter has none. */
static void check_twins(const struct source_table *st, const struct ip_addr *a,
                        const struct ip_addr *b, const struct ip_addr *denied)
{
    size_t n_a = 0, n_b = 0;
    for (size_t i = 0; i < st->cap; i++) {
        const struct source *s = &st->slots[i];
        if (!s->in_use)
            continue;
        FUZZ_CHECK(!addr_eq(&s->exporter, denied));
        if (addr_eq(&s->exporter, b))
            n_b++;
        if (!addr_eq(&s->exporter, a))
            continue;
        n_a++;
        const struct source *t = find_source(st, b, s->version, s->domain);
        FUZZ_CHECK(t != NULL);
        FUZZ_CHECK(memcmp(&s->c, &t->c, sizeof s->c) == 0); /* all uint64_t: no padding */
        FUZZ_CHECK(s->seq_valid == t->seq_valid && s->seq_next == t->seq_next);
        FUZZ_CHECK(s->sampling == t->sampling && s->sys_init_ms == t->sys_init_ms);
        FUZZ_CHECK(s->n_samplers == t->n_samplers);
        for (uint32_t k = 0; k < s->n_samplers; k++)
            FUZZ_CHECK(s->samplers[k].id == t->samplers[k].id &&
                       s->samplers[k].rate == t->samplers[k].rate);
        FUZZ_CHECK(s->templates.n == t->templates.n);
    }
    FUZZ_CHECK(n_a == n_b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Most inputs create a source, and each new one is logged: at the default level that is
     * a line on stderr per input, which slows fuzzing and buries libFuzzer's output. */
    log_threshold = LOG_LEVEL_ERROR;
    static const uint8_t v6_bytes[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x0b};
    const struct ip_addr ex_v4 = addr_from_v4(0xc000020b);   /* 192.0.2.11, allowed */
    const struct ip_addr ex_v6 = addr_from_v6(v6_bytes);     /* 2001:db8::b, allowed */
    const struct ip_addr ex_deny = addr_from_v4(0xc6336407); /* 198.51.100.7, denied */

    /* Built per input, like the decoder, so a leak in either is attributed to one input. */
    struct prefix_trie *allow = prefix_trie_new();
    struct ip_addr net_v4 = addr_from_v4(0xc0000200), net_v6 = addr_from_v6(v6_bytes);
    prefix_trie_insert(allow, &net_v4, 96 + 24, 1);
    prefix_trie_insert(allow, &net_v6, 32, 2);

    struct decoder dec;
    decoder_init(&dec, DECODE_MAX_SOURCES, FUZZ_MAX_TEMPLATES, allow);
    struct dgram_iter it = dgram_iter_make(data, size);
    struct dgram d;
    while (dgram_next(&it, &d)) {
        struct decode_check c4, c6, cd;
        int rc4 = feed(&dec, &c4, &ex_v4, &d);
        int rc6 = feed(&dec, &c6, &ex_v6, &d);
        FUZZ_CHECK(rc4 == rc6 && c4.digest == c6.digest);

        size_t n_before = dec.sources.n;
        uint64_t denied_before = dec.c.drop_pkt_denied;
        int rcd = feed(&dec, &cd, &ex_deny, &d);
        FUZZ_CHECK(rcd == 0 && cd.calls == 0);
        FUZZ_CHECK(dec.c.drop_pkt_denied == denied_before + 1);
        FUZZ_CHECK(dec.sources.n == n_before);

        fuzz_check_sources(&dec.sources);
        dgram_free(&d);
    }
    check_twins(&dec.sources, &ex_v4, &ex_v6, &ex_deny);
    decoder_deinit(&dec);
    prefix_trie_free(allow);
    return 0;
}
