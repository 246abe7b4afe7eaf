// SPDX-License-Identifier: MIT
// Applications: the protocol list parser and the per-flow port lookup. Every port of every
// transport has its slot in a flat array filled at load time, so a lookup never searches,
// and a slot already holding another application is where a conflict is caught.
#include "apps.h"

#include "../base/lines.h"

#include "../base/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define IPPROTO_NUM_ICMP 1
#define IPPROTO_NUM_TCP 6
#define IPPROTO_NUM_UDP 17
#define IPPROTO_NUM_ICMPV6 58

struct app_table {
    uint16_t tcp[65536];              /* remote TCP port -> app id, 0 = other */
    uint16_t udp[65536];              /* remote UDP port -> app id */
    uint16_t proto[256];              /* other IP protocols -> app id */
    char (*names)[APPS_NAME_MAX + 1]; /* owned, n_apps of them; names[0] is "other" */
    unsigned *lines;                  /* owned, n_apps: line of each app in the file */
    size_t n_apps, cap_apps;
};

struct loader {
    const char *path;
    char *errbuf; /* ERR_BUF_LEN bytes */
    unsigned line;
    struct app_table *t;
};

__attribute__((format(printf, 2, 3))) static int fail(struct loader *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = lines_vfail(L->errbuf, L->path, L->line, fmt, ap);
    va_end(ap);
    return rc;
}

static char *trim(char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '\v' || *s == '\f')
        s++;
    char *end = s + strlen(s);
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n' ||
                       end[-1] == '\v' || end[-1] == '\f'))
        *--end = '\0';
    return s;
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > APPS_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' ||
              c == '.' || c == '+' || c == '-'))
            return false;
    }
    return true;
}

/* A decimal number: n digits, nothing else. Values past 65535 become 65536, so they are
 * refused as ports with the number shown as written. Returns false if not all digits. */
static bool parse_num(const char *s, size_t n, unsigned *out)
{
    if (n == 0)
        return false;
    unsigned v = 0;
    for (size_t i = 0; i < n; i++) {
        if (!is_digit(s[i]))
            return false;
        v = v * 10 + (unsigned)(s[i] - '0');
        if (v > 65535)
            v = 65536;
    }
    *out = v;
    return true;
}

/* The port /etc/services gives `name` over `proto` ("tcp" or "udp"), or 0 if none. */
static unsigned service_port(const char *name, const char *proto)
{
    struct servent se, *res = NULL;
    char buf[4096];
    if (getservbyname_r(name, proto, &se, buf, sizeof buf, &res) != 0 || !res)
        return 0;
    return ntohs((uint16_t)res->s_port);
}

static uint16_t new_app(struct loader *L, const char *name)
{
    struct app_table *t = L->t;
    if (t->n_apps == t->cap_apps) {
        t->cap_apps = t->cap_apps * 2;
        t->names = xrealloc(t->names, t->cap_apps * sizeof *t->names);
        t->lines = xrealloc(t->lines, t->cap_apps * sizeof *t->lines);
    }
    snprintf(t->names[t->n_apps], sizeof t->names[0], "%s", name);
    t->lines[t->n_apps] = L->line;
    return (uint16_t)t->n_apps++;
}

/* Gives slots [lo, hi] of one table to app id, refusing a slot held by another app. */
static int assign(struct loader *L, uint16_t *slots, const char *what, unsigned lo, unsigned hi,
                  uint16_t id, const char *spec)
{
    for (unsigned p = lo; p <= hi; p++) {
        uint16_t held = slots[p];
        if (held != APPS_OTHER && held != id)
            return fail(L,
                        "expected %s not given to another application, got %s %u in '%s' "
                        "(already %s, line %u)",
                        slots == L->t->proto ? "protocols" : "ports", what, p, spec,
                        L->t->names[held], L->t->lines[held]);
        slots[p] = id;
    }
    return 0;
}

static int parse_spec(struct loader *L, uint16_t id, const char *spec)
{
    struct app_table *t = L->t;
    if (strcmp(spec, "icmp") == 0) {
        int rc = assign(L, t->proto, "protocol", IPPROTO_NUM_ICMP, IPPROTO_NUM_ICMP, id, spec);
        return rc ? rc
                  : assign(L, t->proto, "protocol", IPPROTO_NUM_ICMPV6, IPPROTO_NUM_ICMPV6, id,
                           spec);
    }
    if (strncmp(spec, "proto:", 6) == 0) {
        unsigned p;
        if (!parse_num(spec + 6, strlen(spec + 6), &p) || p > 255 || p == IPPROTO_NUM_TCP ||
            p == IPPROTO_NUM_UDP)
            return fail(L,
                        "expected proto:N with N an IP protocol number from 0 to 255 other "
                        "than 6 and 17 (use tcp: and udp: ports), got '%s'",
                        spec);
        return assign(L, t->proto, "protocol", p, p, id, spec);
    }
    bool tcp = true, udp = true;
    const char *s = spec;
    if (strncmp(s, "tcp:", 4) == 0) {
        udp = false;
        s += 4;
    } else if (strncmp(s, "udp:", 4) == 0) {
        tcp = false;
        s += 4;
    }
    unsigned lo, hi, tcp_port = 0, udp_port = 0;
    const char *dash = strchr(s, '-');
    if (parse_num(s, strlen(s), &lo)) {
        hi = lo;
    } else if (dash && parse_num(s, (size_t)(dash - s), &lo) &&
               parse_num(dash + 1, strlen(dash + 1), &hi)) {
        if (lo > hi)
            return fail(L, "expected a range LOW-HIGH with LOW <= HIGH, got '%s'", spec);
    } else {
        if (*s == '\0' || !name_ok(s))
            return fail(L,
                        "expected a port, a range LOW-HIGH, a service name, icmp or proto:N, "
                        "got '%s'",
                        spec);
        tcp_port = tcp ? service_port(s, "tcp") : 0;
        udp_port = udp ? service_port(s, "udp") : 0;
        if (!tcp_port && !udp_port)
            return fail(L,
                        "expected a service name known to /etc/services (Debian: netbase) "
                        "for %s, got '%s'",
                        tcp && udp ? "tcp or udp"
                        : tcp      ? "tcp"
                                   : "udp",
                        spec);
        int rc = tcp_port ? assign(L, t->tcp, "tcp port", tcp_port, tcp_port, id, spec) : 0;
        return rc == 0 && udp_port ? assign(L, t->udp, "udp port", udp_port, udp_port, id, spec)
                                   : rc;
    }
    if (lo == 0 || hi > 65535)
        return fail(L, "expected ports from 1 to 65535, got '%s'", spec);
    int rc = tcp ? assign(L, t->tcp, "tcp port", lo, hi, id, spec) : 0;
    return rc == 0 && udp ? assign(L, t->udp, "udp port", lo, hi, id, spec) : rc;
}

/* Parses one line, its comment removed; blank lines are skipped. */
static int parse_line(struct loader *L, char *line)
{
    char *s = trim(line);
    if (*s == '\0')
        return 0;
    char *eq = strchr(s, '=');
    if (!eq)
        return fail(L, "expected NAME=spec|spec|..., got '%s'", s);
    *eq = '\0';
    char *name = trim(s), *specs = trim(eq + 1);
    if (!name_ok(name))
        return fail(L,
                    "expected an application name of 1 to %d characters A-Z a-z 0-9 _ . + -, "
                    "got '%s'",
                    APPS_NAME_MAX, name);
    uint16_t dup = apps_find(L->t, name);
    if (dup == APPS_OTHER)
        return fail(L,
                    "expected a name other than 'other' (reserved for unmatched traffic), "
                    "got '%s'",
                    name);
    if (dup != APPS_NO_ID)
        return fail(L, "expected a new application name, got '%s' (already at line %u)", name,
                    L->t->lines[dup]);
    if (L->t->n_apps > APPS_MAX)
        return fail(L, "expected at most %d applications, got more", APPS_MAX);
    uint16_t id = new_app(L, name);
    /* Not strtok_r(): it would skip empty fields, and "80||443" or "80|" are errors. */
    char *p = specs;
    for (;;) {
        char *bar = strchr(p, '|');
        if (bar)
            *bar = '\0';
        char *spec = trim(p);
        if (*spec == '\0')
            return fail(L, "expected a port, a range LOW-HIGH, a service name, icmp or proto:N "
                           "between '=' and '|' separators, got an empty spec");
        int rc = parse_spec(L, id, spec);
        if (rc != 0)
            return rc;
        if (!bar)
            return 0;
        p = bar + 1;
    }
}

struct app_table *apps_load(const char *path, char *errbuf)
{
    errbuf[0] = '\0';
    struct line_reader *r = xmalloc(sizeof *r);
    int open_rc = lines_open(r, path);
    if (open_rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: expected a readable application list (%s)", path,
                 strerror(-open_rc));
        free(r);
        return NULL;
    }
    struct app_table *t = xcalloc(1, sizeof *t);
    t->cap_apps = 64;
    t->names = xmalloc(t->cap_apps * sizeof *t->names);
    t->lines = xmalloc(t->cap_apps * sizeof *t->lines);
    struct loader L = {.path = path, .errbuf = errbuf, .t = t};
    new_app(&L, "other");
    int rc, more;
    char *line;
    while ((more = lines_next(r, &line)) != 0) {
        L.line = r->lineno;
        rc = more < 0 ? fail(&L, "expected %s", lines_error(more)) : parse_line(&L, line);
        if (rc != 0)
            break;
    }
    rc = more == 0 ? 0 : ERR_CONFIG;
    lines_close(r);
    free(r);
    if (rc != 0) {
        apps_free(t);
        return NULL;
    }
    return t;
}

void apps_free(struct app_table *t)
{
    if (!t)
        return;
    free(t->names);
    free(t->lines);
    free(t);
}

size_t apps_count(const struct app_table *t)
{
    return t->n_apps;
}

const char *apps_name(const struct app_table *t, uint16_t id)
{
    return id < t->n_apps ? t->names[id] : "?";
}

uint16_t apps_find(const struct app_table *t, const char *name)
{
    for (size_t i = 0; i < t->n_apps; i++)
        if (strcasecmp(t->names[i], name) == 0)
            return (uint16_t)i;
    return APPS_NO_ID;
}

uint16_t apps_match(const struct app_table *t, uint8_t ip_proto, uint16_t remote_port)
{
    switch (ip_proto) {
    case IPPROTO_NUM_TCP: return t->tcp[remote_port];
    case IPPROTO_NUM_UDP: return t->udp[remote_port];
    default: return t->proto[ip_proto];
    }
}
