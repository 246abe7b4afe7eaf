// SPDX-License-Identifier: MIT
// The demo WISP's rules: 240 subscribers on the README's three plans, their addresses,
// MACs and leases, and what each hour of their history holds. Plain integer arithmetic on
// the subscriber's number and the hour, written down in demo.h, so tests/integration/
// 041-demo recomputes every history figure without asking flowtally. No store, no I/O.
#include "demo.h"

#include <stdio.h>
#include <string.h>

static const char *const first_names[24] = {
    "ana",   "ben",  "carla", "dan", "eva",   "femi", "gus", "hana", "ivan", "jade", "kofi", "lena",
    "marco", "nina", "omar",  "pia", "quinn", "rosa", "sam", "tara", "umar", "vera", "wim",  "zoe"};
static const char *const last_names[10] = {"costa",  "diallo", "eriksen", "fischer",  "garcia",
                                           "haddad", "ito",    "jansen",  "kowalski", "lund"};

/* Activity by UTC hour of the day: quiet before dawn, busiest in the evening. */
static const uint64_t profile[24] = {3, 2, 1, 1, 1, 1, 2, 3, 4,  4,  4, 5,
                                     5, 5, 5, 5, 6, 7, 8, 9, 10, 10, 8, 5};

/* The class and application of an active hour, chosen by ((i + h) / 3) % 8. The remote
 * addresses the live flows use for each class are feed.c's. */
static const struct {
    const char *class_name, *app;
} pairs[8] = {
    {"international", "HTTPS"}, {"international", "QUIC"}, {"national", "HTTPS"},
    {"international", "HTTPS"}, {"free", "HTTP"},          {"international", "other"},
    {"national", "DNS"},        {"international", "QUIC"},
};

static void capitalise(char *dst, size_t len, const char *a, const char *b)
{
    snprintf(dst, len, "%s %s", a, b);
    dst[0] = (char)(dst[0] - 'a' + 'A');
    char *space = strchr(dst, ' ');
    space[1] = (char)(space[1] - 'a' + 'A');
}

void world_sub(int i, struct world_sub *out)
{
    const char *first = first_names[(i - 1) % 24], *last = last_names[(i - 1) / 24];
    memset(out, 0, sizeof *out);
    snprintf(out->account, sizeof out->account, "%s.%s", first, last);
    capitalise(out->name, sizeof out->name, first, last);
    snprintf(out->email, sizeof out->email, "%s@example.net", out->account);
    out->plan = i % 10 < 5 ? "basic" : i % 10 < 8 ? "pro" : "premium";
    out->ipv4 = (10u << 24) | (20u << 16) | (uint32_t)i;
    out->has_ipv6 = i % 6 == 0;
    if (out->has_ipv6)
        snprintf(out->ipv6, sizeof out->ipv6, "2001:db8:20:%x00::/56", (unsigned)i);
    snprintf(out->mac, sizeof out->mac, "02:00:5e:14:00:%02x", (unsigned)i);
    out->by_lease = i % 4 == 0;
    out->is_heavy = i % 7 == 0;
}

bool world_hour(int i, uint64_t h, struct world_hour *out)
{
    if ((i + h) % 3 != 0)
        return false;
    struct world_sub s;
    world_sub(i, &s);
    out->class_name = pairs[((i + h) / 3) % 8].class_name;
    out->app = pairs[((i + h) / 3) % 8].app;
    out->bytes_in = (20 + (uint64_t)i * 37 % 61) * 100000 * profile[h % 24] * (s.is_heavy ? 12 : 1);
    out->bytes_out = out->bytes_in / 10;
    out->packets_in = out->bytes_in / 1200 + 1;
    out->packets_out = out->bytes_out / 100 + 1;
    out->flows = 1 + h % 5;
    if (s.has_ipv6 && h % 2 == 1)
        snprintf(out->host, sizeof out->host, "2001:db8:20:%x00::1", (unsigned)i);
    else
        snprintf(out->host, sizeof out->host, "10.20.0.%d", i);
    return true;
}

size_t world_classes(const struct class_row **out)
{
    /* as demo.c's classes.conf says: the daemon's first flush stores the same list */
    static const struct class_row classes[] = {
        {.name = "free", .price_micro_per_gb = 0, .counts_toward_quota = false},
        {.name = "national", .price_micro_per_gb = 500000, .counts_toward_quota = true},
        {.name = "international", .price_micro_per_gb = 2000000, .counts_toward_quota = true},
    };
    *out = classes;
    return sizeof classes / sizeof classes[0];
}
