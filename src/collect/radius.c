// SPDX-License-Identifier: MIT
// RADIUS accounting (RFC 2866). A request is checked in the order that costs least and
// trusts least first: the source must be a configured client (else there is no secret),
// the header must be sane, the Request Authenticator must verify with that client's
// secret, and only then are the attributes read, all of them, before anything is written
// out. Retransmissions are answered again (the NAS lost our response) but flagged, so an
// event is applied once.
#define LOG_TAG "radius"

#include "radius.h"

#include "../base/err.h"
#include "../base/log.h"
#include "../base/md5.h"
#include "../base/rd.h"

#include <assert.h>
#include <errno.h>
#include <string.h>

/* Attribute types read (RFC 2865 §5, RFC 2866 §5, RFC 2869 §5.3, RFC 3162, RFC 4818). */
enum {
    RADIUS_ATTR_USER_NAME = 1,
    RADIUS_ATTR_FRAMED_IP_ADDRESS = 8,
    RADIUS_ATTR_ACCT_STATUS_TYPE = 40,
    RADIUS_ATTR_ACCT_DELAY_TIME = 41,
    RADIUS_ATTR_ACCT_SESSION_ID = 44,
    RADIUS_ATTR_EVENT_TIMESTAMP = 55,
    RADIUS_ATTR_FRAMED_IPV6_PREFIX = 97,
    RADIUS_ATTR_DELEGATED_IPV6_PREFIX = 123,
};

#define AUTH_LEN 16

/* What the attributes of one request said. When an attribute repeats, the first instance
 * counts; later ones are still checked. */
struct attrs {
    const uint8_t *user; /* borrowed from the datagram; NULL if absent */
    size_t user_len;
    const uint8_t *session_id; /* borrowed from the datagram; NULL if absent */
    size_t session_id_len;
    bool has_status, has_delay, has_timestamp, has_v4;
    uint32_t status;
    uint32_t delay_s;     /* Acct-Delay-Time, seconds */
    uint32_t timestamp_s; /* Event-Timestamp, unix seconds */
    uint32_t v4;          /* Framed-IP-Address, host byte order */
    bool has_framed6, has_delegated6;
    struct ip_addr framed6, delegated6; /* host bits cleared */
    unsigned framed6_len, delegated6_len;
};

void radius_dedup_init(struct radius_dedup *d)
{
    assert(d);
    memset(d, 0, sizeof *d);
}

/* ---- clients -------------------------------------------------------------------------- */

static bool prefix_contains(const struct ip_addr *net, unsigned len, const struct ip_addr *a)
{
    unsigned whole = len / 8, rest = len % 8;
    if (memcmp(net->b, a->b, whole) != 0)
        return false;
    if (rest == 0)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (net->b[whole] & mask) == (a->b[whole] & mask);
}

/* The client whose prefix is the longest containing `from`, or NULL. */
static const struct radius_client *client_find(const struct radius_client *clients, size_t n,
                                               const struct ip_addr *from)
{
    const struct radius_client *best = NULL;
    for (size_t i = 0; i < n; i++) {
        const struct radius_client *cl = &clients[i];
        if (cl->prefix_len <= 128 && prefix_contains(&cl->addr, cl->prefix_len, from) &&
            (!best || cl->prefix_len > best->prefix_len))
            best = cl;
    }
    return best;
}

int radius_client_parse(const char *text, struct radius_client *out)
{
    assert(text && out);
    const char *eq = strchr(text, '=');
    if (!eq)
        return ERR_MALFORMED;
    char prefix[ADDR_STR_LEN + 8];
    size_t prefix_len = (size_t)(eq - text);
    if (prefix_len == 0 || prefix_len >= sizeof prefix)
        return ERR_MALFORMED;
    memcpy(prefix, text, prefix_len);
    prefix[prefix_len] = '\0';
    struct radius_client cl = {0};
    if (prefix_parse(prefix, &cl.addr, &cl.prefix_len) != 0)
        return ERR_MALFORMED;
    /* RFC 2865 §3: the secret must not be empty. Taken verbatim, so a secret may contain
     * '=' or spaces. */
    cl.secret_len = strlen(eq + 1);
    if (cl.secret_len == 0 || cl.secret_len > RADIUS_SECRET_MAX)
        return ERR_MALFORMED;
    memcpy(cl.secret, eq + 1, cl.secret_len + 1);
    *out = cl;
    return 0;
}

/* ---- authenticators ------------------------------------------------------------------- */

/* RFC 2866 §3: MD5(Code + Identifier + Length + 16 zero octets + attributes + secret), over
 * the first `length` bytes of the request. */
static void request_auth(const uint8_t *pkt, size_t length, const struct radius_client *cl,
                         uint8_t out[AUTH_LEN])
{
    static const uint8_t zero[AUTH_LEN];
    struct md5_ctx m;
    md5_init(&m);
    md5_update(&m, pkt, 4);
    md5_update(&m, zero, AUTH_LEN);
    md5_update(&m, pkt + RADIUS_HEADER_LEN, length - RADIUS_HEADER_LEN);
    md5_update(&m, cl->secret, cl->secret_len);
    md5_final(&m, out);
}

/* Compares without an early exit, so the time taken does not tell an attacker how many
 * leading bytes of a forged authenticator were right. */
static bool equal_const_time(const uint8_t *a, const uint8_t *b, size_t n)
{
    uint8_t diff = 0;
    for (size_t i = 0; i < n; i++)
        diff |= (uint8_t)(a[i] ^ b[i]);
    return diff == 0;
}

/* RFC 2866 §4.2: an Accounting-Response with no attributes; its Response Authenticator is
 * MD5(Code + Identifier + Length + Request Authenticator + attributes + secret). */
static void write_response(uint8_t *resp, uint8_t id, const uint8_t *req_auth,
                           const struct radius_client *cl)
{
    resp[0] = RADIUS_CODE_ACCOUNTING_RESPONSE;
    resp[1] = id;
    resp[2] = 0;
    resp[3] = RADIUS_RESPONSE_LEN;
    struct md5_ctx m;
    md5_init(&m);
    md5_update(&m, resp, 4);
    md5_update(&m, req_auth, AUTH_LEN);
    md5_update(&m, cl->secret, cl->secret_len);
    md5_final(&m, resp + 4);
}

/* ---- attributes ----------------------------------------------------------------------- */

static int read_u32(struct rd *v, bool *has, uint32_t *out)
{
    if (rd_left(v) != 4)
        return ERR_MALFORMED;
    uint32_t x = rd_u32(v);
    if (!*has) {
        *has = true;
        *out = x;
    }
    return 0;
}

/* Text (RFC 2865 §5: "string"/"text"): any length the attribute allows, but no NUL, which
 * would cut the name short and merge two accounts or two sessions. */
static int read_text(struct rd *v, const uint8_t **out, size_t *out_len)
{
    size_t n = rd_left(v);
    const uint8_t *p = rd_bytes(v, n);
    if (n > 0 && memchr(p, '\0', n))
        return ERR_MALFORMED;
    if (!*out) {
        *out = p ? p : (const uint8_t *)"";
        *out_len = n;
    }
    return 0;
}

/* RFC 3162 §2.3 (and RFC 4818 §3, the same layout): Reserved (1), Prefix-Length (1, at most
 * 128), then up to 16 bytes of prefix that must cover Prefix-Length. Bits past the length
 * are cleared rather than refused: some NASes send the whole address. */
static int read_ipv6_prefix(struct rd *v, bool *has, struct ip_addr *out, unsigned *out_len)
{
    rd_u8(v); /* Reserved */
    unsigned len = rd_u8(v);
    size_t n = rd_left(v);
    if (v->err || len > 128 || n > 16 || n < (len + 7) / 8)
        return ERR_MALFORMED;
    struct ip_addr a = {0};
    memcpy(a.b, rd_bytes(v, n), n);
    for (unsigned bit = len; bit < 128; bit++)
        a.b[bit / 8] &= (uint8_t) ~(0x80u >> (bit % 8));
    if (!*has) {
        *has = true;
        *out = a;
        *out_len = len;
    }
    return 0;
}

static int read_attr(uint8_t type, struct rd *v, struct attrs *a)
{
    switch (type) {
    case RADIUS_ATTR_USER_NAME: return read_text(v, &a->user, &a->user_len);
    case RADIUS_ATTR_ACCT_SESSION_ID: return read_text(v, &a->session_id, &a->session_id_len);
    case RADIUS_ATTR_FRAMED_IP_ADDRESS: return read_u32(v, &a->has_v4, &a->v4);
    case RADIUS_ATTR_ACCT_STATUS_TYPE: return read_u32(v, &a->has_status, &a->status);
    case RADIUS_ATTR_ACCT_DELAY_TIME: return read_u32(v, &a->has_delay, &a->delay_s);
    case RADIUS_ATTR_EVENT_TIMESTAMP: return read_u32(v, &a->has_timestamp, &a->timestamp_s);
    case RADIUS_ATTR_FRAMED_IPV6_PREFIX:
        return read_ipv6_prefix(v, &a->has_framed6, &a->framed6, &a->framed6_len);
    case RADIUS_ATTR_DELEGATED_IPV6_PREFIX:
        return read_ipv6_prefix(v, &a->has_delegated6, &a->delegated6, &a->delegated6_len);
    default: return 0; /* not ours: skipped by its length */
    }
}

/* RFC 2865 §5: Type (1), Length (1, counting both, so at least 2), Value; the attributes
 * fill the packet up to its Length exactly. */
static int read_attrs(struct rd *r, struct attrs *a)
{
    while (rd_left(r) > 0) {
        uint8_t type = rd_u8(r);
        uint8_t len = rd_u8(r);
        if (r->err || len < 2)
            return ERR_MALFORMED;
        struct rd v = rd_sub(r, (size_t)len - 2);
        if (r->err)
            return ERR_MALFORMED;
        int rc = read_attr(type, &v, a);
        if (rc != 0)
            return rc;
    }
    return r->err ? ERR_MALFORMED : 0;
}

/* ---- the event ------------------------------------------------------------------------ */

static void copy_text(char *dst, size_t dst_size, const uint8_t *src, size_t n)
{
    if (!src)
        n = 0;
    if (n > dst_size - 1)
        n = dst_size - 1;
    if (n > 0)
        memcpy(dst, src, n);
    dst[n] = '\0';
}

static void fill_event(const struct attrs *a, const struct ip_addr *from, uint64_t now_ms,
                       struct radius_event *ev)
{
    memset(ev, 0, sizeof *ev);
    ev->status = (enum radius_acct_status)a->status;
    copy_text(ev->user, sizeof ev->user, a->user, a->user_len);
    copy_text(ev->session_id, sizeof ev->session_id, a->session_id, a->session_id_len);
    ev->nas = *from;

    /* RFC 2866 §5.2: the event happened Acct-Delay-Time seconds before it was sent. */
    uint64_t at_ms = a->has_timestamp ? (uint64_t)a->timestamp_s * 1000 : now_ms;
    uint64_t delay_ms = a->has_delay ? (uint64_t)a->delay_s * 1000 : 0;
    ev->time_ms = at_ms > delay_ms ? at_ms - delay_ms : 0;

    /* RFC 2865 §5.8: 0xFFFFFFFF and 0xFFFFFFFE ask for an address; they are not one. */
    if (a->has_v4 && a->v4 < 0xfffffffeu) {
        ev->addr = addr_from_v4(a->v4);
        ev->prefix_len = 128;
        ev->has_addr = true;
    }
    /* An IPv6 customer is billed by its delegated prefix (the LAN behind the CPE) rather
     * than the prefix of the link to the CPE. */
    const struct ip_addr *p6 = NULL;
    unsigned p6_len = 0;
    if (a->has_delegated6) {
        p6 = &a->delegated6;
        p6_len = a->delegated6_len;
    } else if (a->has_framed6) {
        p6 = &a->framed6;
        p6_len = a->framed6_len;
    }
    if (p6 && ev->has_addr) {
        ev->addr6 = *p6;
        ev->prefix6_len = p6_len;
        ev->has_addr6 = true;
    } else if (p6) {
        ev->addr = *p6;
        ev->prefix_len = p6_len;
        ev->has_addr = true;
    }
}

/* ---- duplicates ----------------------------------------------------------------------- */

/* Returns true if (from, id, auth) was seen; records it otherwise. */
static bool dedup_seen(struct radius_dedup *d, const struct ip_addr *from, uint8_t id,
                       const uint8_t *auth)
{
    for (size_t i = 0; i < d->n; i++) {
        const struct radius_dedup_entry *e = &d->slots[i];
        if (e->id == id && memcmp(e->auth, auth, AUTH_LEN) == 0 && addr_eq(&e->client, from))
            return true;
    }
    struct radius_dedup_entry *e = &d->slots[d->next];
    e->client = *from;
    e->id = id;
    memcpy(e->auth, auth, AUTH_LEN);
    d->next = (d->next + 1) % RADIUS_DEDUP_SLOTS;
    if (d->n < RADIUS_DEDUP_SLOTS)
        d->n++;
    return false;
}

/* ---- the request ---------------------------------------------------------------------- */

int radius_handle(const struct radius_client *clients, size_t n_clients, struct radius_dedup *dedup,
                  const struct ip_addr *from, const uint8_t *pkt, size_t len, uint64_t now_ms,
                  struct radius_event *ev, bool *is_duplicate, uint8_t *resp, size_t resp_cap,
                  struct radius_counters *c)
{
    assert((clients || n_clients == 0) && from && (pkt || len == 0) && ev && is_duplicate);
    assert(resp && resp_cap >= RADIUS_RESPONSE_LEN && c);
    char text[ADDR_STR_LEN];
    c->requests++;
    *is_duplicate = false;

    const struct radius_client *cl = client_find(clients, n_clients, from);
    if (!cl) {
        c->drop_unknown_client++;
        log_rl_warn("request from %s dropped: not a RADIUS client", addr_format(from, text));
        return -EACCES;
    }

    /* RFC 2865 §3: Code, Identifier, Length, Authenticator. Bytes past Length are padding;
     * a datagram shorter than its Length is discarded. */
    if (len < RADIUS_HEADER_LEN || len > RADIUS_MAX_LEN) {
        c->drop_malformed++;
        return ERR_MALFORMED;
    }
    struct rd r = rd_make(pkt, len);
    uint8_t code = rd_u8(&r);
    uint8_t id = rd_u8(&r);
    size_t length = rd_u16(&r);
    const uint8_t *req_auth = rd_bytes(&r, AUTH_LEN);
    if (code != RADIUS_CODE_ACCOUNTING_REQUEST) {
        c->drop_not_accounting++;
        return ERR_UNSUPPORTED;
    }
    if (r.err || length < RADIUS_HEADER_LEN || length > len) {
        c->drop_malformed++;
        return ERR_MALFORMED;
    }

    uint8_t want[AUTH_LEN];
    request_auth(pkt, length, cl, want);
    if (!equal_const_time(want, req_auth, AUTH_LEN)) {
        c->drop_bad_authenticator++;
        log_rl_warn("request from %s dropped: bad Request Authenticator (wrong secret?)",
                    addr_format(from, text));
        return -EACCES;
    }

    struct attrs a = {0};
    struct rd attrs = rd_sub(&r, length - RADIUS_HEADER_LEN);
    if (read_attrs(&attrs, &a) != 0 || !a.has_status) {
        c->drop_malformed++;
        return ERR_MALFORMED;
    }

    fill_event(&a, from, now_ms, ev);
    *is_duplicate = dedup && dedup_seen(dedup, from, id, req_auth);
    if (*is_duplicate)
        c->duplicates++;
    else
        c->accepted++;
    write_response(resp, id, req_auth, cl);
    return RADIUS_RESPONSE_LEN;
}
