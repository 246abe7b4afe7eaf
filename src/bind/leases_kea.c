// SPDX-License-Identifier: MIT
// Kea's memfile lease CSV (lease4 and lease6): split into lines and at commas, columns found
// by header name. Fields point into the caller's text.
#include "leases_internal.h"

#include "../base/err.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* ---- Kea memfile CSV ---------------------------------------------------------------- */

#define KEA_MAX_COLUMNS 64 /* Kea 2.x writes 12 (lease4) and 18 (lease6) */

enum kea_col {
    KEA_ADDRESS,
    KEA_HWADDR,
    KEA_VALID_LIFETIME,
    KEA_EXPIRE,
    KEA_STATE,
    KEA_DUID,
    KEA_LEASE_TYPE,
    KEA_PREFIX_LEN,
    KEA_N_COLS,
};

static const char *const kea_col_names[KEA_N_COLS] = {
    "address", "hwaddr", "valid_lifetime", "expire", "state", "duid", "lease_type", "prefix_len",
};

struct kea_field {
    const char *p; /* into the text */
    size_t len;
};

struct kea_parser {
    struct report rep;
    bool is_v6;          /* lease6: the header has lease_type */
    size_t n_cols;       /* in the header, so in every row */
    int col[KEA_N_COLS]; /* index of each column we read; -1 when absent */
};

/* Splits a line at commas into f (KEA_MAX_COLUMNS entries). Returns the number of fields,
 * which may be more than were stored. */
static size_t kea_split(const char *p, size_t n, struct kea_field *f)
{
    size_t count = 0;
    const char *end = p + n;
    for (;;) {
        const char *comma = memchr(p, ',', (size_t)(end - p));
        const char *stop = comma ? comma : end;
        if (count < KEA_MAX_COLUMNS)
            f[count] = (struct kea_field){p, (size_t)(stop - p)};
        count++;
        if (!comma)
            return count;
        p = comma + 1;
    }
}

static int kea_header(struct kea_parser *ps, const char *p, size_t n)
{
    struct kea_field f[KEA_MAX_COLUMNS];
    char shown[SHOWN_LEN];
    size_t count = kea_split(p, n, f);
    if (count > KEA_MAX_COLUMNS)
        return leases_fail(&ps->rep, 1, leases_quote(shown, p, n), "at most %d columns",
                           KEA_MAX_COLUMNS);
    ps->n_cols = count;
    for (int k = 0; k < KEA_N_COLS; k++) {
        ps->col[k] = -1;
        for (size_t i = 0; i < count && ps->col[k] < 0; i++)
            if (f[i].len == strlen(kea_col_names[k]) &&
                memcmp(f[i].p, kea_col_names[k], f[i].len) == 0)
                ps->col[k] = (int)i;
    }
    ps->is_v6 = ps->col[KEA_LEASE_TYPE] >= 0;
    static const enum kea_col need4[] = {KEA_ADDRESS, KEA_HWADDR, KEA_VALID_LIFETIME, KEA_EXPIRE};
    static const enum kea_col need6[] = {KEA_ADDRESS, KEA_DUID, KEA_VALID_LIFETIME, KEA_EXPIRE,
                                         KEA_PREFIX_LEN};
    const enum kea_col *need = ps->is_v6 ? need6 : need4;
    size_t n_need = ps->is_v6 ? sizeof need6 / sizeof need6[0] : sizeof need4 / sizeof need4[0];
    for (size_t i = 0; i < n_need; i++)
        if (ps->col[need[i]] < 0)
            return leases_fail(&ps->rep, 1, leases_quote(shown, p, n),
                               "a column '%s' in the %s header", kea_col_names[need[i]],
                               ps->is_v6 ? "lease6" : "lease4");
    return 0;
}

/* Parses an unsigned integer column no greater than max. */
static int kea_uint(struct kea_parser *ps, size_t line, const struct kea_field *f, enum kea_col k,
                    uint64_t max, uint64_t *out)
{
    char shown[SHOWN_LEN];
    if (leases_parse_uint(f->p, f->len, max, out))
        return 0;
    return leases_fail(&ps->rep, line, leases_quote(shown, f->p, f->len),
                       "an unsigned integer up to %llu for %s", (unsigned long long)max,
                       kea_col_names[k]);
}

static int kea_row(struct kea_parser *ps, size_t line, const char *p, size_t n, struct lease *l)
{
    struct kea_field f[KEA_MAX_COLUMNS];
    char shown[SHOWN_LEN], text[ADDR_STR_LEN + 8];
    size_t count = kea_split(p, n, f);
    if (count != ps->n_cols) {
        char got[32];
        snprintf(got, sizeof got, "%zu", count);
        return leases_fail(&ps->rep, line, got, "%zu columns", ps->n_cols);
    }
    *l = (struct lease){.prefix_len = 128};

    const struct kea_field *a = &f[ps->col[KEA_ADDRESS]];
    if (!leases_copy_text(text, ADDR_STR_LEN, a->p, a->len) || addr_parse(text, &l->ip) != 0 ||
        addr_is_v4(&l->ip) == ps->is_v6)
        return leases_fail(&ps->rep, line, leases_quote(shown, a->p, a->len), "an %s address",
                           ps->is_v6 ? "IPv6" : "IPv4");

    uint64_t valid, expire, state = 0;
    int rc =
        kea_uint(ps, line, &f[ps->col[KEA_VALID_LIFETIME]], KEA_VALID_LIFETIME, UINT32_MAX, &valid);
    if (rc == 0)
        rc = kea_uint(ps, line, &f[ps->col[KEA_EXPIRE]], KEA_EXPIRE, MAX_SECONDS, &expire);
    if (rc == 0 && ps->col[KEA_STATE] >= 0)
        rc = kea_uint(ps, line, &f[ps->col[KEA_STATE]], KEA_STATE, UINT32_MAX, &state);
    if (rc != 0)
        return rc;
    if (expire < valid) {
        const struct kea_field *e = &f[ps->col[KEA_EXPIRE]];
        return leases_fail(&ps->rep, line, leases_quote(shown, e->p, e->len),
                           "an expire no smaller than valid_lifetime %llu",
                           (unsigned long long)valid);
    }

    /* Kea writes hardware addresses and DUIDs as hex octets separated by ':'. */
    if (ps->col[KEA_HWADDR] >= 0) {
        const struct kea_field *h = &f[ps->col[KEA_HWADDR]];
        uint8_t hw[HWADDR_MAX];
        int hw_len = h->len ? leases_hex_octets(h->p, h->len, hw, sizeof hw) : 0;
        if (hw_len < 0)
            return leases_fail(&ps->rep, line, leases_quote(shown, h->p, h->len),
                               "hex octets separated by ':' for hwaddr");
        if (hw_len == 6) {
            memcpy(l->mac, hw, 6);
            l->has_mac = true;
        }
    }
    if (ps->is_v6) {
        const struct kea_field *d = &f[ps->col[KEA_DUID]];
        uint8_t duid[DUID_MAX];
        int duid_len = leases_hex_octets(d->p, d->len, duid, sizeof duid);
        if (duid_len < 0)
            return leases_fail(&ps->rep, line, leases_quote(shown, d->p, d->len),
                               "hex octets separated by ':' for duid");
        if (!l->has_mac)
            l->has_mac = leases_duid_mac(duid, (size_t)duid_len, l->mac);

        uint64_t type, plen;
        const struct kea_field *t = &f[ps->col[KEA_LEASE_TYPE]];
        if (!leases_parse_uint(t->p, t->len, 2, &type)) /* 0 IA_NA, 1 IA_TA, 2 IA_PD */
            return leases_fail(&ps->rep, line, leases_quote(shown, t->p, t->len),
                               "0, 1 or 2 for lease_type");
        if (type == 2) {
            const struct kea_field *pl = &f[ps->col[KEA_PREFIX_LEN]];
            struct ip_addr check;
            unsigned bits;
            if (!leases_parse_uint(pl->p, pl->len, 128, &plen) || plen == 0)
                return leases_fail(&ps->rep, line, leases_quote(shown, pl->p, pl->len),
                                   "1 to 128 for prefix_len");
            snprintf(text + a->len, sizeof text - a->len, "/%u", (unsigned)plen);
            if (prefix_parse(text, &check, &bits) != 0)
                return leases_fail(&ps->rep, line, leases_quote(shown, a->p, a->len),
                                   "a prefix with no bits set past /%u", (unsigned)plen);
            l->prefix_len = bits;
        }
    }
    l->is_active = state == 0 && valid != 0;
    l->start_ms = (expire - valid) * 1000;
    l->end_ms = valid == LIFETIME_INFINITE ? 0 : expire * 1000;
    return 0;
}

int leases_parse_kea(const char *text, size_t len, const char *filename, bool lenient,
                     lease_emit_fn *emit, void *ctx, struct lease_counters *c, char *errbuf)
{
    assert((text || len == 0) && filename && emit && c && errbuf);
    *c = (struct lease_counters){0};
    errbuf[0] = '\0';
    struct kea_parser ps = {.rep = {.filename = filename, .errbuf = errbuf}};
    const char *p = text, *end = text + len;
    for (size_t line = 1; p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl ? nl : end;
        size_t n = (size_t)(stop - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (line == 1) {
            int rc = kea_header(&ps, p, n);
            if (rc != 0)
                return rc;
        } else if (n > 0) {
            struct lease l;
            int rc = kea_row(&ps, line, p, n, &l);
            if (rc == 0) {
                emit(ctx, &l);
                c->leases++;
            } else if (!lenient) {
                return rc;
            } else {
                c->skipped++;
            }
        }
        p = nl ? nl + 1 : end;
    }
    return 0;
}
