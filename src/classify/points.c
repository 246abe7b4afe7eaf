// SPDX-License-Identifier: MIT
// Billing points: a small list scanned per flow (a network has a handful of boundary
// routers), each entry an exporter address and an optional interface.
#include "points.h"

#include "../base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POINTS_MAX 256

struct point {
    struct ip_addr exporter;
    bool any_if; /* the whole exporter counts */
    uint32_t ifindex;
};

struct billing_points {
    struct point p[POINTS_MAX];
    size_t n;
};

static bool parse_item(const char *item, struct point *out)
{
    bool has_if;
    if (addr_parse_point(item, &out->exporter, &has_if, &out->ifindex) != 0)
        return false;
    out->any_if = !has_if;
    return true;
}

struct billing_points *points_parse(const char *list, char *badbuf, size_t badsize, bool *bad)
{
    struct billing_points *p = NULL;
    *bad = false;
    for (const char *s = list; *s;) {
        size_t len = strcspn(s, ",");
        char item[128];
        const char *b = s, *e = s + len;
        while (b < e && *b == ' ')
            b++;
        while (e > b && e[-1] == ' ')
            e--;
        s += len + (s[len] == ',');
        if (b == e)
            continue;
        snprintf(item, sizeof item, "%.*s", (int)(e - b), b);
        if (!p)
            p = xcalloc(1, sizeof *p);
        if (p->n == POINTS_MAX || !parse_item(item, &p->p[p->n])) {
            snprintf(badbuf, badsize, "%s", item);
            *bad = true;
            free(p);
            return NULL;
        }
        p->n++;
    }
    return p;
}

void points_free(struct billing_points *p)
{
    free(p);
}

bool points_count(const struct billing_points *p, const struct ip_addr *exporter, uint32_t in_if,
                  uint32_t out_if)
{
    if (!p)
        return true;
    for (size_t i = 0; i < p->n; i++) {
        const struct point *pt = &p->p[i];
        if (addr_eq(&pt->exporter, exporter) &&
            (pt->any_if || pt->ifindex == in_if || pt->ifindex == out_if))
            return true;
    }
    return false;
}
