// SPDX-License-Identifier: MIT
// libFuzzer target for the RADIUS accounting decoder. The input is a sequence of datagrams
// (see fuzz.h) handled through one duplicate cache. Random bytes almost never carry a valid
// Request Authenticator, so each datagram is handled as it is and again with its
// authenticator recomputed for the client's secret, which takes the fuzzer past the
// signature into the attribute parser. Every return code is compared with what an
// independent walk of the datagram says it must be, every event with the attributes it came
// from, every response authenticator recomputed, and the counters balanced.
#include "../../src/base/md5.h"
#include "../../src/collect/radius.h"
#include "fuzz.h"

#include <errno.h>

#define FUZZ_SECRET "fuzz-secret"
#define FUZZ_NOW_MS 1790000000000ULL

struct radius_fuzz {
    struct radius_client clients[2];
    struct radius_dedup dedup;
    struct radius_counters c;
    struct ip_addr from;    /* a client: 127.0.0.1 */
    struct ip_addr unknown; /* no client: 192.0.2.99 */
};

static struct radius_fuzz rf; /* static: the duplicate cache is 33 kB */

/* What the attributes of a datagram say, read here without the decoder's code. */
struct walk {
    int rc; /* 0 if well formed, else ERR_MALFORMED */
    const uint8_t *user, *session;
    size_t user_len, session_len;
    bool has_status, has_v4, has_ts, has_delay, has_framed6, has_delegated6;
    uint32_t status, v4, ts, delay;
    uint8_t framed6_len, delegated6_len;
};

static bool prefix6_ok(const uint8_t *v, size_t n)
{
    return n >= 2 && n <= 18 && v[1] <= 128 && n - 2 >= (size_t)(v[1] + 7) / 8;
}

/* RFC 2865 §5 and the types the decoder reads; the first instance of each counts. */
static struct walk walk_attrs(const uint8_t *p, size_t n)
{
    struct walk w = {0};
    size_t off = 0;
    while (off < n) {
        if (n - off < 2 || p[off + 1] < 2 || p[off + 1] > n - off)
            return (struct walk){.rc = ERR_MALFORMED};
        uint8_t type = p[off];
        const uint8_t *v = p + off + 2;
        size_t vlen = p[off + 1] - 2u;
        off += p[off + 1];
        bool is_u32 = type == 8 || type == 40 || type == 41 || type == 55;
        bool is_text = type == 1 || type == 44;
        bool is_prefix6 = type == 97 || type == 123;
        if ((is_u32 && vlen != 4) || (is_text && vlen && memchr(v, 0, vlen)) ||
            (is_prefix6 && !prefix6_ok(v, vlen)))
            return (struct walk){.rc = ERR_MALFORMED};
        uint32_t u = is_u32 ? be32(v) : 0;
        if (type == 1 && !w.user) {
            w.user = v;
            w.user_len = vlen;
        } else if (type == 44 && !w.session) {
            w.session = v;
            w.session_len = vlen;
        } else if (type == 40 && !w.has_status) {
            w.has_status = true;
            w.status = u;
        } else if (type == 8 && !w.has_v4) {
            w.has_v4 = true;
            w.v4 = u;
        } else if (type == 55 && !w.has_ts) {
            w.has_ts = true;
            w.ts = u;
        } else if (type == 41 && !w.has_delay) {
            w.has_delay = true;
            w.delay = u;
        } else if (type == 97 && !w.has_framed6) {
            w.has_framed6 = true;
            w.framed6_len = v[1];
        } else if (type == 123 && !w.has_delegated6) {
            w.has_delegated6 = true;
            w.delegated6_len = v[1];
        }
    }
    if (!w.has_status)
        w.rc = ERR_MALFORMED;
    return w;
}

static void request_auth(const uint8_t *pkt, size_t length, uint8_t out[16])
{
    static const uint8_t zero[16];
    struct md5_ctx m;
    md5_init(&m);
    md5_update(&m, pkt, 4);
    md5_update(&m, zero, 16);
    md5_update(&m, pkt + 20, length - 20);
    md5_update(&m, FUZZ_SECRET, strlen(FUZZ_SECRET));
    md5_final(&m, out);
}

/* The return code the datagram dictates for a request from rf.from, and its walk. */
static int expected(const uint8_t *pkt, size_t len, struct walk *w)
{
    if (len < 20 || len > RADIUS_MAX_LEN)
        return ERR_MALFORMED;
    if (pkt[0] != 4)
        return ERR_UNSUPPORTED;
    size_t length = be16(pkt + 2);
    if (length < 20 || length > len)
        return ERR_MALFORMED;
    uint8_t auth[16];
    request_auth(pkt, length, auth);
    if (memcmp(auth, pkt + 4, 16) != 0)
        return -EACCES;
    *w = walk_attrs(pkt + 20, length - 20);
    return w->rc ? w->rc : RADIUS_RESPONSE_LEN;
}

static uint64_t counters_sum(const struct radius_counters *c)
{
    return c->accepted + c->duplicates + c->drop_unknown_client + c->drop_bad_authenticator +
           c->drop_malformed + c->drop_not_accounting;
}

static void check_text(const char *got, const uint8_t *want, size_t want_len)
{
    size_t n = strnlen(got, BINDING_NAME_MAX);
    FUZZ_CHECK(n < BINDING_NAME_MAX);
    FUZZ_CHECK(n == (want ? want_len : 0));
    FUZZ_CHECK(n == 0 || memcmp(got, want, n) == 0);
}

static void check_prefix(const struct ip_addr *a, unsigned len)
{
    FUZZ_CHECK(len <= 128);
    for (unsigned bit = len; bit < 128; bit++)
        FUZZ_CHECK(!(a->b[bit / 8] & (0x80u >> (bit % 8))));
}

/* Checks an accepted request's event and response against its bytes and walk. */
static void check_accepted(const uint8_t *pkt, const struct walk *w, const struct radius_event *ev,
                           const uint8_t *resp)
{
    FUZZ_CHECK(resp[0] == 5 && resp[1] == pkt[1] && resp[2] == 0 && resp[3] == 20);
    uint8_t auth[16];
    struct md5_ctx m;
    md5_init(&m);
    md5_update(&m, resp, 4);
    md5_update(&m, pkt + 4, 16);
    md5_update(&m, FUZZ_SECRET, strlen(FUZZ_SECRET));
    md5_final(&m, auth);
    FUZZ_CHECK(memcmp(auth, resp + 4, 16) == 0);

    FUZZ_CHECK((uint32_t)ev->status == w->status);
    check_text(ev->user, w->user, w->user_len);
    check_text(ev->session_id, w->session, w->session_len);
    FUZZ_CHECK(addr_eq(&ev->nas, &rf.from));
    uint64_t at = w->has_ts ? w->ts * 1000ULL : FUZZ_NOW_MS;
    uint64_t delay = w->has_delay ? w->delay * 1000ULL : 0;
    FUZZ_CHECK(ev->time_ms == (at > delay ? at - delay : 0));

    bool has_v4 = w->has_v4 && w->v4 < 0xfffffffeu;
    bool has_v6 = w->has_framed6 || w->has_delegated6;
    unsigned len6 = w->has_delegated6 ? w->delegated6_len : w->framed6_len;
    FUZZ_CHECK(ev->has_addr == (has_v4 || has_v6));
    FUZZ_CHECK(ev->has_addr6 == (has_v4 && has_v6));
    if (has_v4) {
        struct ip_addr v4 = addr_from_v4(w->v4);
        FUZZ_CHECK(addr_eq(&ev->addr, &v4) && ev->prefix_len == 128);
    } else if (has_v6) {
        FUZZ_CHECK(ev->prefix_len == len6);
    }
    if (ev->has_addr)
        check_prefix(&ev->addr, ev->prefix_len);
    if (ev->has_addr6) {
        FUZZ_CHECK(ev->prefix6_len == len6);
        check_prefix(&ev->addr6, ev->prefix6_len);
    }
}

/* Handles one datagram from the client and checks everything about the outcome. Returns the
 * return code. */
static int handle_checked(const uint8_t *pkt, size_t len)
{
    struct radius_event ev;
    bool is_dup = false;
    uint8_t resp[RADIUS_RESPONSE_LEN];
    struct walk w = {0};
    int want = expected(pkt, len, &w);
    struct radius_counters before = rf.c;
    int rc = radius_handle(rf.clients, 2, &rf.dedup, &rf.from, pkt, len, FUZZ_NOW_MS, &ev, &is_dup,
                           resp, sizeof resp, &rf.c);
    FUZZ_CHECK(rc == want);
    FUZZ_CHECK(rf.c.requests == before.requests + 1);
    FUZZ_CHECK(counters_sum(&rf.c) == counters_sum(&before) + 1);
    FUZZ_CHECK(rf.c.requests == counters_sum(&rf.c));
    FUZZ_CHECK(rf.c.drop_unknown_client == before.drop_unknown_client);
    if (rc == ERR_UNSUPPORTED)
        FUZZ_CHECK(rf.c.drop_not_accounting == before.drop_not_accounting + 1);
    else if (rc == ERR_MALFORMED)
        FUZZ_CHECK(rf.c.drop_malformed == before.drop_malformed + 1);
    else if (rc == -EACCES)
        FUZZ_CHECK(rf.c.drop_bad_authenticator == before.drop_bad_authenticator + 1);
    if (rc < 0) {
        FUZZ_CHECK(!is_dup);
        return rc;
    }
    FUZZ_CHECK(rf.c.duplicates == before.duplicates + is_dup);
    FUZZ_CHECK(rf.c.accepted == before.accepted + !is_dup);
    check_accepted(pkt, &w, &ev, resp);

    /* Sent again at once, it is a retransmission, answered identically. */
    struct radius_event again;
    uint8_t resp2[RADIUS_RESPONSE_LEN];
    FUZZ_CHECK(radius_handle(rf.clients, 2, &rf.dedup, &rf.from, pkt, len, FUZZ_NOW_MS, &again,
                             &is_dup, resp2, sizeof resp2, &rf.c) == rc);
    FUZZ_CHECK(is_dup && memcmp(resp, resp2, sizeof resp) == 0);
    FUZZ_CHECK(strcmp(ev.user, again.user) == 0 && ev.time_ms == again.time_ms);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    memset(&rf.c, 0, sizeof rf.c);
    radius_dedup_init(&rf.dedup);
    if (radius_client_parse("127.0.0.1=" FUZZ_SECRET, &rf.clients[0]) != 0 ||
        radius_client_parse("2001:db8::/32=other", &rf.clients[1]) != 0 ||
        addr_parse("127.0.0.1", &rf.from) != 0 || addr_parse("192.0.2.99", &rf.unknown) != 0)
        abort();

    struct dgram_iter it = dgram_iter_make(data, size);
    struct dgram d;
    while (dgram_next(&it, &d)) {
        /* From no client: refused before a byte is read. */
        struct radius_event ev;
        bool is_dup;
        uint8_t resp[RADIUS_RESPONSE_LEN];
        uint64_t unknown = rf.c.drop_unknown_client;
        FUZZ_CHECK(radius_handle(rf.clients, 2, &rf.dedup, &rf.unknown, d.buf, d.len, FUZZ_NOW_MS,
                                 &ev, &is_dup, resp, sizeof resp, &rf.c) == -EACCES);
        FUZZ_CHECK(rf.c.drop_unknown_client == unknown + 1 && !is_dup);

        handle_checked(d.buf, d.len);

        /* Signed: a Length outside [20, len] becomes len, so the attributes get parsed. */
        if (d.len >= 20 && d.len <= RADIUS_MAX_LEN) {
            size_t length = be16(d.buf + 2);
            if (length < 20 || length > d.len) {
                length = d.len;
                d.buf[2] = (uint8_t)(length >> 8);
                d.buf[3] = (uint8_t)length;
            }
            request_auth(d.buf, length, d.buf + 4);
            handle_checked(d.buf, d.len);
        }
        dgram_free(&d);
    }
    return 0;
}
