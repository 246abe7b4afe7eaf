// SPDX-License-Identifier: MIT
// The texts and numbers of a printed bill, shared by the HTML page and the PDF.
#include "doc.h"

#include "../base/err.h"
#include "../base/units.h"
#include "../base/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GB_BYTES 1000000000ULL
#define GIB_BYTES 1073741824ULL

static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

/* The local date of ms, "YYYY-MM-DD". */
static void local_day(uint64_t ms, char buf[16])
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm) || strftime(buf, 16, "%Y-%m-%d", &tm) == 0)
        snprintf(buf, 16, "?");
}

/* A percentage in millionths of a percent: 8100000 "8.1%", 19000000 "19%". */
static void percent_text(int64_t micro, char *buf, size_t size)
{
    const char *sign = micro < 0 ? "-" : "";
    uint64_t m = micro < 0 ? (uint64_t)0 - (uint64_t)micro : (uint64_t)micro;
    char frac[8] = ".";
    snprintf(frac + 1, sizeof frac - 1, "%06llu", (unsigned long long)(m % UNITS_MICRO));
    size_t end = strlen(frac);
    while (end > 1 && frac[end - 1] == '0')
        end--;
    frac[end > 1 ? end : 0] = '\0'; /* no trailing zeros, and no point for a whole rate */
    snprintf(buf, size, "%s%llu%s%%", sign, (unsigned long long)(m / UNITS_MICRO), frac);
}

static const char *money(int64_t cents, const char *currency, char *buf, size_t size)
{
    char num[32];
    snprintf(buf, size, "%s %s", units_format_cents(cents, num), currency);
    return buf;
}

int doc_text_init(struct doc_text *t, const struct print_invoice *d, char *errbuf)
{
    const struct invoice_row *inv = d->inv;
    memset(t, 0, sizeof *t);
    tzset();

    const char *kind;
    if (strcmp(inv->kind, "invoice") == 0)
        kind = "Invoice";
    else if (strcmp(inv->kind, "credit") == 0)
        kind = "Credit note";
    else if (strcmp(inv->kind, "debit") == 0)
        kind = "Debit note";
    else {
        snprintf(errbuf, ERR_BUF_LEN, "document kind \"%.8s\" is not invoice, credit or debit",
                 inv->kind);
        return ERR_MALFORMED;
    }
    if (strcmp(inv->unit, "GB") == 0) {
        t->unit = "GB";
        t->unit_bytes = GB_BYTES;
    } else if (strcmp(inv->unit, "GiB") == 0) {
        t->unit = "GiB";
        t->unit_bytes = GIB_BYTES;
    } else {
        snprintf(errbuf, ERR_BUF_LEN, "%s %lld: unit \"%.4s\" is neither GB nor GiB", kind,
                 (long long)inv->number, inv->unit);
        return ERR_MALFORMED;
    }

    snprintf(t->title, sizeof t->title, "%s %lld", kind, (long long)inv->number);
    if (inv->refers_to != 0 && d->refers_to_number != 0)
        snprintf(t->corrects, sizeof t->corrects, "Corrects invoice %lld",
                 (long long)d->refers_to_number);
    else if (inv->refers_to != 0)
        snprintf(t->corrects, sizeof t->corrects, "Corrects invoice id %lld",
                 (long long)inv->refers_to);
    if (inv->name[0])
        snprintf(t->customer, sizeof t->customer, "%.63s \xe2\x80\x93 %.127s", inv->account,
                 inv->name);
    else
        snprintf(t->customer, sizeof t->customer, "%.63s", inv->account);
    snprintf(t->plan, sizeof t->plan, "%.63s", inv->plan[0] ? inv->plan : "none");

    char first[16], last[16];
    local_day(inv->cycle_start_ms, first);
    /* the end is exclusive: its last day is the one holding the second before it */
    local_day(inv->cycle_end_ms >= 1000 ? inv->cycle_end_ms - 1000 : 0, last);
    snprintf(t->period, sizeof t->period, "%s \xe2\x80\x93 %s", first, last);
    local_day(inv->issued_ms, t->issued);

    doc_bytes(inv->used_bytes, t->unit_bytes, t->unit, t->used);
    if (inv->unlimited)
        snprintf(t->quota, sizeof t->quota, "unlimited");
    else
        doc_bytes(inv->quota_bytes, t->unit_bytes, t->unit, t->quota);
    snprintf(t->unit_note, sizeof t->unit_note, "1 %s = %llu bytes", t->unit,
             (unsigned long long)t->unit_bytes);

    char currency[4];
    snprintf(currency, sizeof currency, "%.3s", inv->currency);
    char rate[32];
    percent_text(inv->tax_rate_micro, rate, sizeof rate);
    snprintf(t->tax_label, sizeof t->tax_label, "Tax %s", rate);
    money(inv->subtotal_cents, currency, t->subtotal, sizeof t->subtotal);
    money(inv->tax_cents, currency, t->tax, sizeof t->tax);
    money(inv->total_cents, currency, t->total, sizeof t->total);
    return 0;
}

const char *doc_bytes(uint64_t bytes, uint64_t unit_bytes, const char *unit, char *buf)
{
    /* the remainder is below 2^30 (or 10^9), so times 1000 stays far from overflow */
    uint64_t milli = bytes % unit_bytes * 1000 / unit_bytes;
    snprintf(buf, 48, "%llu.%03llu %s", (unsigned long long)(bytes / unit_bytes),
             (unsigned long long)milli, unit);
    return buf;
}

const char *doc_quantity(const struct invoice_line *l, const struct doc_text *t, char *buf)
{
    const char *unit = strcmp(l->kind, "usage") == 0   ? t->unit
                       : strcmp(l->kind, "burst") == 0 ? "Mbps"
                                                       : NULL;
    if (unit && l->quantity[0])
        snprintf(buf, 64, "%.31s %s", l->quantity, unit);
    else
        snprintf(buf, 64, "%.31s", l->quantity);
    return buf;
}

const char *doc_line_text(const struct invoice_line *l, const struct invoice_row *inv, char *buf)
{
    if (l->cycle[0] && strncmp(l->cycle, inv->cycle, sizeof l->cycle) != 0)
        snprintf(buf, 160, "%.127s (cycle %.7s)", l->text, l->cycle);
    else
        snprintf(buf, 160, "%.127s", l->text);
    return buf;
}

size_t doc_address_lines(const char *address, char lines[][256])
{
    size_t n = 0;
    if (!address || !*address)
        return 0;
    const char *p = address;
    while (n < DOC_ADDRESS_MAX) {
        const char *sep = n + 1 < DOC_ADDRESS_MAX ? strstr(p, " | ") : NULL;
        size_t len = sep ? (size_t)(sep - p) : strlen(p);
        snprintf(lines[n++], 256, "%.*s", (int)(len < 255 ? len : 255), p);
        if (!sep)
            break;
        p = sep + 3;
    }
    return n;
}

int doc_logo_read(const char *path, unsigned char **data, size_t *len, char *errbuf)
{
    *data = NULL;
    *len = 0;
    int rc = 0;
    unsigned char *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        rc = -errno;
        snprintf(errbuf, ERR_BUF_LEN, "logo %s: %s", path, strerror(-rc));
        return rc;
    }
    buf = xmalloc(DOC_LOGO_MAX + 1);
    size_t n = fread(buf, 1, DOC_LOGO_MAX + 1, f);
    if (ferror(f)) {
        rc = errno ? -errno : -EIO;
        snprintf(errbuf, ERR_BUF_LEN, "logo %s: %s", path, strerror(-rc));
        goto out;
    }
    if (n > DOC_LOGO_MAX) {
        rc = ERR_LIMIT;
        snprintf(errbuf, ERR_BUF_LEN, "logo %s: larger than %d bytes", path, DOC_LOGO_MAX);
        goto out;
    }
    if (n < sizeof png_signature || memcmp(buf, png_signature, sizeof png_signature) != 0) {
        rc = ERR_MALFORMED;
        snprintf(errbuf, ERR_BUF_LEN, "logo %s: not a PNG file", path);
        goto out;
    }
    *data = buf;
    *len = n;
    buf = NULL;
out:
    free(buf);
    fclose(f);
    return rc;
}

uint64_t doc_day_total(const struct print_day *day)
{
    return day->bytes_in > UINT64_MAX - day->bytes_out ? UINT64_MAX
                                                       : day->bytes_in + day->bytes_out;
}

void doc_axis_init(struct doc_axis *a, const struct print_day *days, size_t n_days,
                   uint64_t unit_bytes)
{
    memset(a, 0, sizeof *a);
    uint64_t max = 0;
    for (size_t i = 0; i < n_days; i++) {
        uint64_t v = doc_day_total(&days[i]);
        if (v > max)
            max = v;
    }
    if (max == 0)
        return;
    /* the highest day in thousandths of the unit, rounded up */
    unsigned __int128 need = ((unsigned __int128)max * 1000 + unit_bytes - 1) / unit_bytes;
    static const unsigned mant[] = {1, 2, 5};
    static const unsigned steps[] = {5, 4, 5};
    unsigned __int128 pow = 1;
    for (;;) {
        for (size_t i = 0; i < 3; i++) {
            unsigned __int128 top = mant[i] * pow;
            if (top >= need) {
                a->top_milli = (uint64_t)top;
                /* steps of whole thousandths: 1 is one step, 2 two, 5 five */
                a->n_steps = pow == 1 ? mant[i] : steps[i];
                unsigned __int128 bytes = (top * unit_bytes + 999) / 1000;
                a->top_bytes = bytes > UINT64_MAX ? UINT64_MAX : (uint64_t)bytes;
                return;
            }
        }
        pow *= 10;
    }
}

const char *doc_axis_label(uint64_t milli, const char *unit, char *buf)
{
    char frac[8] = ".";
    snprintf(frac + 1, sizeof frac - 1, "%03u", (unsigned)(milli % 1000));
    size_t end = strlen(frac);
    while (end > 1 && frac[end - 1] == '0')
        end--;
    frac[end > 1 ? end : 0] = '\0';
    snprintf(buf, 48, "%llu%s %s", (unsigned long long)(milli / 1000), frac, unit);
    return buf;
}

uint64_t doc_bar_height(uint64_t bytes, uint64_t top_bytes, uint64_t h)
{
    if (top_bytes == 0)
        return 0;
    unsigned __int128 v = (unsigned __int128)bytes * h / top_bytes;
    return v > h ? h : (uint64_t)v;
}

const char *doc_day_label(const char *date, char *buf)
{
    if (strlen(date) == 10 && date[4] == '-' && date[7] == '-' && date[8] >= '0' &&
        date[8] <= '9' && date[9] >= '0' && date[9] <= '9')
        snprintf(buf, 16, "%d", (date[8] - '0') * 10 + (date[9] - '0'));
    else
        snprintf(buf, 16, "%.10s", date);
    return buf;
}

size_t doc_label_every(size_t n, size_t max_labels)
{
    static const size_t every[] = {1, 2, 3, 4, 5, 7, 10, 14, 15, 20, 30, 50, 100};
    for (size_t i = 0; i < sizeof every / sizeof every[0]; i++)
        if ((n + every[i] - 1) / every[i] <= max_labels)
            return every[i];
    return n / max_labels + 1;
}
