// SPDX-License-Identifier: MIT
// Integer comparisons only: used * 100 >= percent * quota, in 128 bits.
#include "levels.h"

#include "../base/err.h"
#include "../base/units.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_item(const char *item, struct level *l, char *errbuf)
{
    memset(l, 0, sizeof *l);
    size_t n = strlen(item);
    const char *digits_end = item;
    while (isdigit((unsigned char)*digits_end))
        digits_end++;
    bool pct_sign = n > 0 && item[n - 1] == '%';
    if (digits_end > item && (*digits_end == '\0' || (pct_sign && digits_end == item + n - 1))) {
        unsigned long long v = n <= 5 ? strtoull(item, NULL, 10) : 0;
        if (v < 1 || v > 1000) {
            snprintf(errbuf, ERR_BUF_LEN, "alert level '%s': expected a percent from 1 to 1000",
                     item);
            return ERR_MALFORMED;
        }
        l->is_percent = true;
        l->percent = v;
        snprintf(l->name, sizeof l->name, "%llu%%", v);
        return 0;
    }
    uint64_t bytes;
    if (n >= sizeof l->name || units_parse_bytes(item, &bytes) != 0 || bytes == 0) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "alert level '%s': expected a percent of the quota (80 or 80%%) or a size "
                 "(10GB, 500MiB)",
                 item);
        return ERR_MALFORMED;
    }
    l->bytes = bytes;
    snprintf(l->name, sizeof l->name, "%s", item);
    return 0;
}

int levels_parse(const char *text, struct levels *out, char *errbuf)
{
    memset(out, 0, sizeof *out);
    char buf[256];
    if (strlen(text) >= sizeof buf) {
        snprintf(errbuf, ERR_BUF_LEN, "alert levels: at most %d, in under 256 bytes", LEVELS_MAX);
        return ERR_MALFORMED;
    }
    snprintf(buf, sizeof buf, "%s", text);
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (*tok == ' ' || *tok == '\t')
            tok++;
        size_t n = strlen(tok);
        while (n && (tok[n - 1] == ' ' || tok[n - 1] == '\t'))
            tok[--n] = '\0';
        if (out->n == LEVELS_MAX) {
            snprintf(errbuf, ERR_BUF_LEN, "alert levels: at most %d", LEVELS_MAX);
            return ERR_MALFORMED;
        }
        struct level *l = &out->l[out->n];
        int rc = parse_item(tok, l, errbuf);
        if (rc != 0)
            return rc;
        for (size_t i = 0; i < out->n; i++)
            if (strcmp(out->l[i].name, l->name) == 0) {
                snprintf(errbuf, ERR_BUF_LEN, "alert level '%s' given twice", l->name);
                return ERR_MALFORMED;
            }
        out->n++;
    }
    return 0;
}

bool levels_is_crossed(const struct level *l, const struct quota_usage *u)
{
    if (!l->is_percent)
        return u->used_bytes >= l->bytes;
    if (u->plan.unlimited || u->plan.quota_bytes == 0)
        return false;
    return (unsigned __int128)u->used_bytes * 100 >=
           (unsigned __int128)l->percent * u->plan.quota_bytes;
}
