// SPDX-License-Identifier: MIT
// Address and prefix text conversion on top of inet_pton/inet_ntop.
#include "addr.h"

#include "err.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <stdio.h>
#include <stdlib.h>

int addr_parse(const char *s, struct ip_addr *out)
{
    uint8_t v4[4];
    if (inet_pton(AF_INET, s, v4) == 1) {
        *out = addr_from_v4((uint32_t)v4[0] << 24 | (uint32_t)v4[1] << 16 | (uint32_t)v4[2] << 8 |
                            v4[3]);
        return 0;
    }
    if (inet_pton(AF_INET6, s, out->b) == 1)
        return 0;
    return ERR_MALFORMED;
}

const char *addr_format(const struct ip_addr *a, char *buf)
{
    if (addr_is_v4(a))
        inet_ntop(AF_INET, a->b + 12, buf, ADDR_STR_LEN);
    else
        inet_ntop(AF_INET6, a->b, buf, ADDR_STR_LEN);
    return buf;
}

static bool host_bits_clear(const struct ip_addr *a, unsigned len)
{
    for (unsigned bit = len; bit < 128; bit++)
        if (a->b[bit / 8] & (0x80 >> (bit % 8)))
            return false;
    return true;
}

int prefix_parse(const char *s, struct ip_addr *out, unsigned *len)
{
    char text[ADDR_STR_LEN + 8];
    const char *slash = strchr(s, '/');
    size_t addr_len = slash ? (size_t)(slash - s) : strlen(s);
    if (addr_len == 0 || addr_len >= ADDR_STR_LEN)
        return ERR_MALFORMED;
    memcpy(text, s, addr_len);
    text[addr_len] = '\0';
    if (addr_parse(text, out) != 0)
        return ERR_MALFORMED;
    unsigned family_bits = addr_is_v4(out) ? 32 : 128;
    unsigned bits = family_bits;
    if (slash) {
        char *end;
        const char *num = slash + 1;
        if (*num < '0' || *num > '9')
            return ERR_MALFORMED;
        unsigned long v = strtoul(num, &end, 10);
        if (*end != '\0' || v > family_bits)
            return ERR_MALFORMED;
        bits = (unsigned)v;
    }
    *len = bits + (128 - family_bits);
    return host_bits_clear(out, *len) ? 0 : ERR_MALFORMED;
}

const char *prefix_format(const struct ip_addr *a, unsigned len, char *buf)
{
    char text[ADDR_STR_LEN];
    unsigned shown = addr_is_v4(a) && len >= 96 ? len - 96 : len;
    snprintf(buf, ADDR_STR_LEN + 4, "%s/%u", addr_format(a, text), shown);
    return buf;
}

int addr_parse_point(const char *s, struct ip_addr *out, bool *has_if, uint32_t *ifindex)
{
    char addr[ADDR_STR_LEN];
    const char *at = strchr(s, '@');
    size_t len = at ? (size_t)(at - s) : strlen(s);
    if (len == 0 || len >= sizeof addr)
        return ERR_MALFORMED;
    memcpy(addr, s, len);
    addr[len] = '\0';
    if (addr_parse(addr, out) != 0)
        return ERR_MALFORMED;
    *has_if = at != NULL;
    *ifindex = 0;
    if (at) {
        char *end;
        unsigned long v = strtoul(at + 1, &end, 10);
        if (at[1] < '0' || at[1] > '9' || *end != '\0' || v > UINT32_MAX)
            return ERR_MALFORMED;
        *ifindex = (uint32_t)v;
    }
    return 0;
}

int addr_parse_endpoint(const char *spec, struct ip_addr *addr, uint16_t *port)
{
    char host[ADDR_STR_LEN];
    const char *colon = strrchr(spec, ':');
    if (!colon)
        return ERR_MALFORMED;
    const char *h = spec;
    size_t hlen = (size_t)(colon - spec);
    if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
        h++;
        hlen -= 2;
    }
    if (hlen == 0 || hlen >= sizeof host)
        return ERR_MALFORMED;
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    char *end;
    unsigned long p = strtoul(colon + 1, &end, 10);
    if (colon[1] == '\0' || *end != '\0' || p > 65535)
        return ERR_MALFORMED;
    *port = (uint16_t)p;
    return addr_parse(host, addr);
}

unsigned addr_sockaddr(const struct ip_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (addr_is_v4(a)) {
        struct sockaddr_in *sin = (struct sockaddr_in *)ss;
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        memcpy(&sin->sin_addr, a->b + 12, 4);
        return sizeof *sin;
    }
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    memcpy(&sin6->sin6_addr, a->b, 16);
    return sizeof *sin6;
}
