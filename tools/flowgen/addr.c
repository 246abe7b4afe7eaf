// SPDX-License-Identifier: MIT
// Addresses of either family, as the generator needs them: parsing (inet_pton), host n of a
// prefix (base + n, the carry running over all the address's bytes), the order the --expect
// CSV shares with flowtally's report (IPv4 before IPv6, each ascending), the text form
// (inet_ntop, which writes IPv6 as RFC 5952 asks: lowercase, longest zero run as "::"), and
// the move into and out of the encoders' struct flow_record.
#include "flowgen.h"

#include <arpa/inet.h>
#include <string.h>

bool addr_parse(const char *text, struct addr *out)
{
    memset(out, 0, sizeof(*out));
    if (inet_pton(AF_INET, text, out->b) == 1)
        return true;
    out->is_v6 = true;
    return inet_pton(AF_INET6, text, out->b) == 1;
}

static size_t addr_len(const struct addr *a)
{
    return a->is_v6 ? 16 : 4;
}

// Big-endian addition; the callers keep base + n inside the base's prefix (check_range),
// so the carry never leaves the address.
void addr_add(const struct addr *base, uint64_t n, struct addr *out)
{
    uint64_t carry = n;

    *out = *base;
    for (size_t i = addr_len(base); i-- > 0 && carry != 0;) {
        uint64_t sum = out->b[i] + (carry & 0xff);

        out->b[i] = (uint8_t)sum;
        carry = (carry >> 8) + (sum >> 8);
    }
}

int addr_cmp(const struct addr *a, const struct addr *b)
{
    if (a->is_v6 != b->is_v6)
        return a->is_v6 ? 1 : -1;
    return memcmp(a->b, b->b, addr_len(a));
}

bool addr_in_prefix(const struct addr *a, const struct addr *base, uint8_t len)
{
    size_t whole = len / 8u;
    uint8_t mask = (uint8_t)(0xff00u >> (len % 8u));

    if (a->is_v6 != base->is_v6)
        return false;
    if (memcmp(a->b, base->b, whole) != 0)
        return false;
    return len % 8u == 0 || ((a->b[whole] ^ base->b[whole]) & mask) == 0;
}

void addr_format(const struct addr *a, char *buf, size_t size)
{
    if (!inet_ntop(a->is_v6 ? AF_INET6 : AF_INET, a->b, buf, (socklen_t)size))
        snprintf(buf, size, "?");
}

uint32_t addr_v4(const struct addr *a)
{
    return (uint32_t)a->b[0] << 24 | (uint32_t)a->b[1] << 16 | (uint32_t)a->b[2] << 8 | a->b[3];
}

void addr_put(struct flow_record *r, const struct addr *src, const struct addr *dst)
{
    r->is_v6 = src->is_v6;
    if (r->is_v6) {
        memcpy(r->src_v6, src->b, 16);
        memcpy(r->dst_v6, dst->b, 16);
    } else {
        r->src_addr = addr_v4(src);
        r->dst_addr = addr_v4(dst);
    }
}

void addr_local(const struct flow_record *r, struct addr *out)
{
    memset(out, 0, sizeof(*out));
    out->is_v6 = r->is_v6;
    if (r->is_v6) {
        memcpy(out->b, r->inbound ? r->dst_v6 : r->src_v6, 16);
    } else {
        uint32_t a = r->inbound ? r->dst_addr : r->src_addr;

        out->b[0] = (uint8_t)(a >> 24);
        out->b[1] = (uint8_t)(a >> 16);
        out->b[2] = (uint8_t)(a >> 8);
        out->b[3] = (uint8_t)a;
    }
}
