// SPDX-License-Identifier: MIT
// Validation and normalisation of administrative input.
#include "admin.h"

#include "../billing/levels.h"

#include "../base/addr.h"
#include "../base/progress.h"
#include "../base/units.h"
#include "../base/utf8.h"
#include "../bind/leasefile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct store *admin_open(const char *db, char *errbuf)
{
    return store_open(db, false, errbuf);
}

static int fail(char *errbuf, const char *what, const char *value, const char *expected)
{
    snprintf(errbuf, ERR_BUF_LEN, "%s '%s': expected %s", what, value, expected);
    return ERR_MALFORMED;
}

/* Text an operator gives (names, e-mail addresses, notes, a plan's speed) must be valid
 * UTF-8 without control characters: JSON output must be valid UTF-8, and a control
 * character would reach terminals and spreadsheets. Says why not in errbuf, naming the
 * field (what); the text itself is not echoed, as it may not be printable. */
static bool text_ok(char *errbuf, const char *what, const char *s)
{
    char why[96];
    if (utf8_is_text(s, why, sizeof why))
        return true;
    snprintf(errbuf, ERR_BUF_LEN, "%s: %s", what, why);
    return false;
}

/* Text for a field of `size` bytes must also fit whole: cutting it could split a
 * character. */
static bool field_ok(char *errbuf, const char *what, const char *s, size_t size)
{
    size_t n = strlen(s);
    if (!text_ok(errbuf, what, s))
        return false;
    if (n < size)
        return true;
    snprintf(errbuf, ERR_BUF_LEN, "%s: %zu bytes long, at most %zu", what, n, size - 1);
    return false;
}

/* Account and plan names are text and identifiers, typed on command lines and in import
 * files: 1 to size - 1 bytes without blanks, commas, quotes or backslashes. */
static int check_name(char *errbuf, const char *what, const char *s, size_t size)
{
    size_t n = strlen(s);
    char expected[64];
    if (!text_ok(errbuf, what, s))
        return ERR_MALFORMED;
    if (n > 0 && n < size && !strpbrk(s, " ,\"\\"))
        return 0;
    snprintf(expected, sizeof expected, "1-%zu bytes without blanks, commas or quotes", size - 1);
    return fail(errbuf, what, s, expected);
}

/* Parses a plan's price or overage rate (per GB) into *micro, or says in errbuf what was
 * expected: a negative amount or one past what the store holds is refused as such. */
static bool money_ok(char *errbuf, const char *what, const char *value, int64_t *micro)
{
    int rc = units_parse_money(value, micro);
    if (rc == -ERANGE)
        fail(errbuf, what, value, "an amount from 0 to 9223372036854.775807");
    else if (rc != 0)
        fail(errbuf, what, value, "an amount with up to 6 decimals, such as 25.00 or 2.50");
    return rc == 0;
}

/* --dirs: on a burstable plan the 95th percentile's direction, and the quota's with it (the
 * greater of in and out counts both toward a quota); on any other, the quota's. */
static int apply_dirs(struct plan *p, const char *dirs, char *errbuf)
{
    bool is_max = strcmp(dirs, "max") == 0;
    if (p->burstable) {
        if (strcmp(dirs, "in") && strcmp(dirs, "out") && !is_max)
            return fail(errbuf, "--dirs", dirs,
                        "in, out or max (whose 95th percentile a burstable plan bills; max: "
                        "the greater of the two)");
        snprintf(p->burst_dirs, sizeof p->burst_dirs, "%s", dirs);
        snprintf(p->quota_dirs, sizeof p->quota_dirs, "%s", is_max ? "both" : dirs);
        return 0;
    }
    if (is_max)
        return fail(errbuf, "--dirs", dirs,
                    "in, out or both (what counts toward the quota); max, the greater of in and "
                    "out, is for burstable plans: give --burstable");
    if (strcmp(dirs, "in") && strcmp(dirs, "out") && strcmp(dirs, "both"))
        return fail(errbuf, "--dirs", dirs, "in, out or both");
    snprintf(p->quota_dirs, sizeof p->quota_dirs, "%s", dirs);
    return 0;
}

/* --burstable, --commit and --price-per-mbps. A plan that becomes burstable needs both
 * numbers: defaults of 0 would bill every Mbps of the percentile, or none of them, without
 * anyone having said so. */
static int apply_burst_fields(struct plan *p, const struct plan_fields *f, char *errbuf)
{
    if (f->burstable && !p->burstable) {
        if (!f->commit || !f->price_per_mbps) {
            snprintf(errbuf, ERR_BUF_LEN,
                     "--burstable: give --commit RATE (the rate the monthly price includes, "
                     "e.g. 100Mbps) and --price-per-mbps MONEY (what each Mbps of the 95th "
                     "percentile above it costs) too");
            return ERR_MALFORMED;
        }
        p->burstable = true;
        snprintf(p->burst_dirs, sizeof p->burst_dirs, "max"); /* until --dirs says */
        snprintf(p->quota_dirs, sizeof p->quota_dirs, "both");
    }
    const char *given = f->commit ? "--commit" : f->price_per_mbps ? "--price-per-mbps" : NULL;
    if (given && !p->burstable) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: only for a burstable plan (give --burstable)", given);
        return ERR_MALFORMED;
    }
    if (f->commit) {
        int rc = units_parse_rate(f->commit, &p->commit_bps);
        if (rc == -ERANGE)
            return fail(errbuf, "--commit", f->commit,
                        "at most 9223372036854775807 bps (the most the store can hold)");
        if (rc != 0)
            return fail(errbuf, "--commit", f->commit,
                        "a rate such as 100Mbps, 1.5Gbps or 512kbps (bps, kbps, Mbps, Gbps: "
                        "powers of 1000, whole bits per second)");
    }
    if (f->price_per_mbps &&
        !money_ok(errbuf, "--price-per-mbps", f->price_per_mbps, &p->price_micro_per_mbps))
        return ERR_MALFORMED;
    return 0;
}

/* Alert levels as billing/levels.h reads them, stored as given (checked, fitting). */
static int levels_ok(const char *text, char *out, size_t size, char *errbuf)
{
    struct levels ls;
    char why[ERR_BUF_LEN];
    if (levels_parse(text, &ls, why) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "--alert-levels: %.1000s", why);
        return ERR_MALFORMED;
    }
    if (strlen(text) >= size)
        return fail(errbuf, "--alert-levels", text, "a shorter list");
    snprintf(out, size, "%s", text);
    return 0;
}

static int apply_plan_fields(struct plan *p, const struct plan_fields *f, char *errbuf)
{
    if (f->alert_levels) {
        int rc = levels_ok(f->alert_levels, p->alert_levels, sizeof p->alert_levels, errbuf);
        if (rc != 0)
            return rc;
    }
    if (f->quota) {
        p->unlimited = strcmp(f->quota, "unlimited") == 0;
        int rc = p->unlimited ? 0 : units_parse_bytes(f->quota, &p->quota_bytes);
        if (rc == -ERANGE)
            return fail(errbuf, "--quota", f->quota,
                        "at most 9223372036854775807 bytes (9.2 EB, the most the store can hold), "
                        "or unlimited");
        if (rc != 0)
            return fail(errbuf, "--quota", f->quota, "a size such as 15GB, 500MiB or unlimited");
    }
    int rc = apply_burst_fields(p, f, errbuf);
    if (rc == 0 && f->dirs)
        rc = apply_dirs(p, f->dirs, errbuf);
    if (rc != 0)
        return rc;
    if (f->price && !money_ok(errbuf, "--price", f->price, &p->price_micro))
        return ERR_MALFORMED;
    if (f->overage && !money_ok(errbuf, "--overage", f->overage, &p->overage_micro_per_gb))
        return ERR_MALFORMED;
    if (f->speed && !field_ok(errbuf, "--speed", f->speed, sizeof p->speed))
        return ERR_MALFORMED;
    if (f->speed)
        snprintf(p->speed, sizeof p->speed, "%s", f->speed);
    if (f->anchor) {
        char *end;
        long day = strtol(f->anchor, &end, 10);
        /* 1..31, as billing/cycles.h takes them: a shorter month starts on its last day */
        if (*end || end == f->anchor || day < 1 || day > 31)
            return fail(errbuf, "--anchor", f->anchor,
                        "a day of the month from 1 to 31 (a month without that day starts the "
                        "cycle on its last day)");
        p->anchor_day = (int)day;
    }
    return 0;
}

/* A burstable plan's percentile is taken over 5-minute samples: on a store whose collector
 * writes other buckets it would bill nonsense, so it is refused while the store says so.
 * A store no collector has written yet says nothing, and the daemon checks from its side. */
static int check_burst_bucket(struct store *s, char *errbuf)
{
    int64_t bucket;
    int rc = store_meta_get(s, "bucket_seconds", &bucket);
    if (rc == ERR_NOT_FOUND || (rc == 0 && bucket == ADMIN_BURST_BUCKET_S))
        return 0;
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "cannot read the store's bucket width: %s",
                 s->ops->last_error(s));
        return rc;
    }
    snprintf(errbuf, ERR_BUF_LEN,
             "burstable plans need 5-minute samples: this store's bucket is %lld s (bucket = %d "
             "in the configuration)",
             (long long)bucket, ADMIN_BURST_BUCKET_S);
    return ERR_MALFORMED;
}

int admin_plan_save(struct store *s, const char *name, const struct plan_fields *f, bool insert,
                    char *errbuf)
{
    struct plan p = {.unlimited = true, .anchor_day = 1};
    snprintf(p.quota_dirs, sizeof p.quota_dirs, "both");
    int rc = check_name(errbuf, "plan name", name, sizeof p.name);
    if (rc != 0)
        return rc;
    if (!insert && store_plan_get(s, name, &p) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no plan named '%s'", name);
        return ERR_NOT_FOUND;
    }
    snprintf(p.name, sizeof p.name, "%s", name);
    rc = apply_plan_fields(&p, f, errbuf);
    if (rc == 0 && p.burstable)
        rc = check_burst_bucket(s, errbuf);
    return rc ? rc : store_plan_save(s, &p, insert, errbuf);
}

/* ms since the epoch as 2025-03-01T00:00:00Z, for messages. buf: 32 bytes. */
static const char *utc_text(uint64_t ms, char *buf)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/* When the plan saved took effect (sub->plan is set, old_plan what it was before). */
static int apply_plan_from(struct subscriber *sub, const char *old_plan,
                           const struct subscriber_fields *f, bool insert, char *errbuf)
{
    char when[32], now[32];
    if (!f->has_plan_from) {
        /* new: held from the beginning; a change of plan: from now */
        sub->plan_from_ms = insert ? 0 : f->now_ms;
        return 0;
    }
    if (!f->plan) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "--plan-from: give --plan too (--plan-from says when that plan took effect)");
        return ERR_MALFORMED;
    }
    if (f->plan_from_ms > f->now_ms) {
        snprintf(errbuf, ERR_BUF_LEN, "--plan-from %s: expected a time not in the future (now: %s)",
                 utc_text(f->plan_from_ms, when), utc_text(f->now_ms, now));
        return ERR_MALFORMED;
    }
    if (!insert && strcmp(old_plan, sub->plan) == 0) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "--plan-from: %s holds plan '%s' already; --plan-from dates a change of plan",
                 sub->account, sub->plan[0] ? sub->plan : "(none)");
        return ERR_MALFORMED;
    }
    sub->plan_from_ms = f->plan_from_ms;
    return 0;
}

int admin_subscriber_save(struct store *s, const char *account, const struct subscriber_fields *f,
                          bool insert, char *errbuf)
{
    struct subscriber sub = {0};
    snprintf(sub.status, sizeof sub.status, "active");
    int rc = check_name(errbuf, "account", account, sizeof sub.account);
    if (rc != 0)
        return rc;
    if (!insert && store_subscriber_get(s, account, &sub) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no subscriber '%s'", account);
        return ERR_NOT_FOUND;
    }
    snprintf(sub.account, sizeof sub.account, "%s", account);
    if (f->status) {
        if (strcmp(f->status, "active") && strcmp(f->status, "suspended") &&
            strcmp(f->status, "closed"))
            return fail(errbuf, "--status", f->status, "active, suspended or closed");
        snprintf(sub.status, sizeof sub.status, "%s", f->status);
    }
#define SET(field)                                                                                 \
    if (f->field && !field_ok(errbuf, "--" #field, f->field, sizeof sub.field))                    \
        return ERR_MALFORMED;                                                                      \
    if (f->field)                                                                                  \
        snprintf(sub.field, sizeof sub.field, "%s", f->field);
    char old_plan[sizeof sub.plan];
    snprintf(old_plan, sizeof old_plan, "%s", sub.plan);
    SET(name)
    SET(email)
    SET(plan)
    SET(notes)
#undef SET
    if (f->alert_levels &&
        (rc = levels_ok(f->alert_levels, sub.alert_levels, sizeof sub.alert_levels, errbuf)) != 0)
        return rc;
    rc = apply_plan_from(&sub, old_plan, f, insert, errbuf);
    return rc ? rc : store_subscriber_save(s, &sub, insert, errbuf);
}

int admin_topup_add(struct store *s, const char *account, const char *size, const char *price,
                    uint64_t at_ms, char *errbuf)
{
    struct topup_row t = {.at_ms = at_ms};
    int rc = units_parse_bytes(size, &t.bytes);
    if (rc == -ERANGE)
        return fail(errbuf, "SIZE", size,
                    "at most 9223372036854775807 bytes (9.2 EB, the most the store can hold)");
    if (rc != 0 || t.bytes == 0)
        return fail(errbuf, "SIZE", size, "a size above 0 such as 5GB or 500MiB");
    if (price && !money_ok(errbuf, "--price", price, &t.price_micro))
        return ERR_MALFORMED;
    struct subscriber sub;
    if (store_subscriber_get(s, account, &sub) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no subscriber '%s' (see flowtally subscriber list)",
                 account);
        return ERR_NOT_FOUND;
    }
    t.subscriber_id = sub.id;
    return store_topup_add(s, &t, errbuf);
}

int admin_binding_value(const char *text, const char **kind, char *value, size_t size, char *errbuf)
{
    uint8_t mac[6];
    struct ip_addr a;
    unsigned len;
    if (units_parse_mac(text, mac) == 0) {
        char buf[18];
        *kind = "mac";
        snprintf(value, size, "%s", units_format_mac(mac, buf));
        return 0;
    }
    if (prefix_parse(text, &a, &len) == 0) {
        char buf[ADDR_STR_LEN + 4];
        *kind = "prefix";
        snprintf(value, size, "%s", prefix_format(&a, len, buf));
        return 0;
    }
    return fail(errbuf, "binding", text,
                "an address (10.1.2.3), a prefix (2001:db8:1200::/56) or a MAC "
                "(aa:bb:cc:dd:ee:ff), with no host bits set below the prefix length");
}

/* A binding gives one account every address under its prefix, so a short prefix is a
 * catch-all: 0.0.0.0/0 bound to one subscriber once billed it 41 GB of everyone else's
 * traffic. The limits catch such mistakes without ever refusing a real assignment: an IPv4
 * /8 (16.7 million addresses) is what IANA hands a whole regional registry, and an IPv6 /16
 * is far wider than the largest ISP allocations (about /19), let alone a customer's /48 to
 * /64. Anything wider needs --wide: a lab, or one account that stands for a whole network. */
#define ADMIN_BIND_MIN_V4 8    /* shortest IPv4 prefix bound without --wide */
#define ADMIN_BIND_MIN_V6 16   /* shortest IPv6 prefix bound without --wide */
#define ADMIN_BIND_V4_SPACE 96 /* IPv4 lives in ::ffff:0:0/96 of the 128-bit space */

/* Whether the first `bits` bits of x and y agree. */
static bool same_first_bits(const struct ip_addr *x, const struct ip_addr *y, unsigned bits)
{
    unsigned whole = bits / 8, rest = bits % 8;
    if (memcmp(x->b, y->b, whole) != 0)
        return false;
    return rest == 0 || ((x->b[whole] ^ y->b[whole]) >> (8 - rest)) == 0;
}

/* Whether binding prefix (a, len) to one account needs --wide: shorter than the limits
 * above, or an IPv6 prefix that takes in all of IPv4 (::/80 holds ::ffff:0:0/96). OUT:
 * what, how much it would bind, for the message. */
static bool is_wide(const struct ip_addr *a, unsigned len, char *what, size_t size)
{
    static const struct ip_addr v4_space = {.b = {[10] = 0xff, [11] = 0xff}};
    if (addr_is_v4(a) && len >= ADMIN_BIND_V4_SPACE) {
        unsigned bits = len - ADMIN_BIND_V4_SPACE;
        if (bits == 0)
            snprintf(what, size, "every IPv4 address");
        else
            snprintf(what, size, "%llu IPv4 addresses", 1ULL << (32 - bits));
        return bits < ADMIN_BIND_MIN_V4;
    }
    bool has_v4 = len <= ADMIN_BIND_V4_SPACE && same_first_bits(a, &v4_space, len);
    if (len == 0)
        snprintf(what, size, "every address");
    else
        snprintf(what, size, "2^%u addresses%s", 128 - len,
                 has_v4 ? ", every IPv4 address among them," : "");
    return len < ADMIN_BIND_MIN_V6 || has_v4;
}

int admin_bind(struct store *s, const char *account, const char *what, uint64_t start_ms,
               uint64_t end_ms, const char *source, char *errbuf)
{
    return admin_bind_wide(s, account, what, start_ms, end_ms, source, false, errbuf);
}

int admin_bind_wide(struct store *s, const char *account, const char *what, uint64_t start_ms,
                    uint64_t end_ms, const char *source, bool allow_wide, char *errbuf)
{
    const char *kind;
    char value[64];
    int rc = admin_binding_value(what, &kind, value, sizeof value, errbuf);
    if (rc != 0)
        return rc;
    struct ip_addr a;
    unsigned len;
    char scope[64];
    if (!allow_wide && strcmp(kind, "prefix") == 0 && prefix_parse(value, &a, &len) == 0 &&
        is_wide(&a, len, scope, sizeof scope)) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "%s would bind %s to %s: give --wide if you really mean one account to hold a "
                 "prefix this large (without it, IPv4 prefixes stop at /%d, IPv6 at /%d, and "
                 "none may hold all of IPv4)",
                 value, scope, account, ADMIN_BIND_MIN_V4, ADMIN_BIND_MIN_V6);
        return ERR_MALFORMED;
    }
    if (end_ms && end_ms <= start_ms) {
        snprintf(errbuf, ERR_BUF_LEN, "the binding must end after it starts");
        return ERR_MALFORMED;
    }
    return store_binding_add(s, account, kind, value, start_ms, end_ms, source, NULL, errbuf);
}

int admin_unbind(struct store *s, const char *what, uint64_t at_ms, int *n_ended, char *errbuf)
{
    const char *kind;
    char value[64];
    int rc = admin_binding_value(what, &kind, value, sizeof value, errbuf);
    if (rc != 0)
        return rc;
    rc = store_binding_end(s, value, NULL, at_ms, n_ended);
    if (rc == 0 && *n_ended == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no open binding of %s", value);
        return ERR_NOT_FOUND;
    }
    return rc;
}

int admin_import_leases(struct store *s, const char *path, bool lenient, uint64_t *n_leases,
                        uint64_t *n_skipped, char *errbuf)
{
    return leasefile_import(s, path, lenient, progress_terminal(), n_leases, n_skipped, errbuf);
}
