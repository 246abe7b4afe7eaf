// SPDX-License-Identifier: MIT
// The checks every engine makes on a row's text before writing it (rows.h): a struct's
// arrays hold text that should end within them; one that does not would be read past its
// end, or stored cut short if copied. Either way the row is refused, the same on every
// engine.
#include "rows.h"

#include "../base/err.h"
#include "../base/utf8.h"

#include <stdio.h>
#include <string.h>

bool rows_fits(const char *text, size_t size)
{
    return strnlen(text, size) < size;
}

/* One field: 0, or ERR_MALFORMED with errbuf saying which. */
static int field(const char *name, const char *text, size_t size, char *errbuf)
{
    if (rows_fits(text, size))
        return 0;
    if (errbuf)
        snprintf(errbuf, ERR_BUF_LEN, "%s is longer than %zu bytes", name, size - 1);
    return ERR_MALFORMED;
}

#define FIELD(row, name)                                                                           \
    do {                                                                                           \
        int rc_ = field(#name, (row)->name, sizeof(row)->name, errbuf);                            \
        if (rc_ != 0)                                                                              \
            return rc_;                                                                            \
    } while (0)

int rows_plan_check(const struct plan *p, char *errbuf)
{
    FIELD(p, name);
    FIELD(p, quota_dirs);
    FIELD(p, speed);
    FIELD(p, burst_dirs);
    FIELD(p, alert_levels);
    return 0;
}

int rows_subscriber_check(const struct subscriber *sub, char *errbuf)
{
    FIELD(sub, account);
    FIELD(sub, name);
    FIELD(sub, email);
    FIELD(sub, plan);
    FIELD(sub, status);
    FIELD(sub, notes);
    FIELD(sub, alert_levels);
    return 0;
}

int rows_user_check(const struct user *u, char *errbuf)
{
    FIELD(u, login);
    FIELD(u, role);
    FIELD(u, account);
    FIELD(u, password);
    return 0;
}

int rows_session_check(const struct session_row *r, char *errbuf)
{
    FIELD(r, id_hash);
    FIELD(r, csrf);
    return 0;
}

int rows_login_failure_check(const struct login_failure_row *r, char *errbuf)
{
    FIELD(r, key);
    return 0;
}

int rows_user_subscriber(struct store *s, const struct user *u, struct subscriber *sub,
                         char *errbuf)
{
    int rc = rows_user_check(u, errbuf);
    if (rc != 0 || !u->account[0])
        return rc;
    rc = store_subscriber_get(s, u->account, sub);
    if (rc == ERR_NOT_FOUND)
        snprintf(errbuf, ERR_BUF_LEN, "no subscriber '%s'", u->account);
    else if (rc != 0)
        snprintf(errbuf, ERR_BUF_LEN, "%s", s->ops->last_error(s));
    return rc;
}

int rows_user_saved(const struct user *u, int rc, int n, char *errbuf)
{
    if (rc == ERR_EXISTS)
        snprintf(errbuf, ERR_BUF_LEN, "a user '%s' exists already", u->login);
    else if (rc == ERR_MALFORMED) /* the one CHECK */
        snprintf(errbuf, ERR_BUF_LEN, "role '%s': not customer, staff or admin", u->role);
    else if (rc == 0 && n == 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no user '%s'", u->login);
        rc = ERR_NOT_FOUND;
    }
    return rc;
}

/* The lines and settled usage of a document: each field, named with its index. */
static int invoice_parts_check(const struct invoice_line *lines, size_t n_lines,
                               const struct invoice_usage *usage, size_t n_usage, char *errbuf)
{
    char name[64];
    for (size_t i = 0; i < n_lines; i++) {
        const struct invoice_line *l = &lines[i];
        const struct {
            const char *field, *text;
            size_t size;
        } f[] = {{"kind", l->kind, sizeof l->kind},
                 {"class", l->class_name, sizeof l->class_name},
                 {"cycle", l->cycle, sizeof l->cycle},
                 {"quantity", l->quantity, sizeof l->quantity},
                 {"text", l->text, sizeof l->text}};
        for (size_t j = 0; j < sizeof f / sizeof f[0]; j++) {
            snprintf(name, sizeof name, "line %zu's %s", i + 1, f[j].field);
            int rc = field(name, f[j].text, f[j].size, errbuf);
            if (rc != 0)
                return rc;
        }
    }
    for (size_t i = 0; i < n_usage; i++) {
        snprintf(name, sizeof name, "settled usage %zu's cycle", i + 1);
        int rc = field(name, usage[i].cycle, sizeof usage[i].cycle, errbuf);
        if (rc == 0) {
            snprintf(name, sizeof name, "settled usage %zu's class", i + 1);
            rc = field(name, usage[i].class_name, sizeof usage[i].class_name, errbuf);
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

int rows_invoice_check(const struct invoice_row *inv, const struct invoice_line *lines,
                       size_t n_lines, const struct invoice_usage *usage, size_t n_usage,
                       char *errbuf)
{
    FIELD(inv, kind);
    FIELD(inv, account);
    FIELD(inv, name);
    FIELD(inv, plan);
    FIELD(inv, cycle);
    FIELD(inv, currency);
    FIELD(inv, unit);
    if (!rows_invoice_kind(inv->kind)) {
        if (errbuf)
            snprintf(errbuf, ERR_BUF_LEN, "a document of kind '%s': not invoice, credit or debit",
                     inv->kind);
        return ERR_MALFORMED;
    }
    return invoice_parts_check(lines, n_lines, usage, n_usage, errbuf);
}

bool rows_invoice_kind(const char *kind)
{
    return strcmp(kind, "invoice") == 0 || strcmp(kind, "credit") == 0 ||
           strcmp(kind, "debit") == 0;
}

int rows_invoice_exists(const struct invoice_row *inv, int64_t number, char *errbuf)
{
    snprintf(errbuf, ERR_BUF_LEN, "%s has invoice %lld for cycle %s already",
             inv->account[0] ? inv->account : "the subscriber", (long long)number, inv->cycle);
    return ERR_EXISTS;
}

int rows_alert_check(const struct alert_row *a, char *errbuf)
{
    FIELD(a, cycle);
    FIELD(a, level);
    return 0;
}

/* One field of a message: valid UTF-8. */
static int utf8_field(const char *name, const char *text, char *errbuf)
{
    size_t bad;
    if (utf8_valid(text, strlen(text), &bad))
        return 0;
    if (errbuf)
        snprintf(errbuf, ERR_BUF_LEN,
                 "the message's %s is not valid UTF-8 (byte 0x%02x at offset %zu)", name,
                 (unsigned char)text[bad], bad);
    return ERR_MALFORMED;
}

int rows_mail_check(const struct mail_row *m, char *errbuf)
{
    FIELD(m, event);
    FIELD(m, kind);
    FIELD(m, message_id);
    FIELD(m, to_addr);
    FIELD(m, subject);
    if (!m->body) {
        if (errbuf)
            snprintf(errbuf, ERR_BUF_LEN, "the message for '%s' has no body", m->event);
        return ERR_MALFORMED;
    }
    const struct {
        const char *name, *text;
    } f[] = {{"event", m->event},     {"kind", m->kind},       {"message_id", m->message_id},
             {"to_addr", m->to_addr}, {"subject", m->subject}, {"body", m->body}};
    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        int rc = utf8_field(f[i].name, f[i].text, errbuf);
        if (rc != 0)
            return rc;
    }
    return 0;
}

bool rows_mail_outcome(const char *state)
{
    return strcmp(state, "queued") == 0 || strcmp(state, "sent") == 0 ||
           strcmp(state, "failed") == 0;
}

int rows_enforce_check(const struct enforce_row *e, char *errbuf)
{
    FIELD(e, state);
    FIELD(e, addresses);
    FIELD(e, last_error);
    if (strcmp(e->state, "over") != 0 && strcmp(e->state, "under") != 0) {
        if (errbuf)
            snprintf(errbuf, ERR_BUF_LEN, "enforcement state '%s': not over or under", e->state);
        return ERR_MALFORMED;
    }
    return 0;
}

const char *rows_diagnostic(const char *text, char *out, size_t size)
{
    size_t o = 0, n = text ? strlen(text) : 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        size_t len = utf8_decode(text + i, n - i, &cp);
        size_t out_len = cp == UTF8_INVALID ? 1 : len;
        if (o + out_len > size - 1)
            break;
        if (cp == UTF8_INVALID)
            out[o] = '?';
        else
            memcpy(out + o, text + i, len);
        o += out_len;
        i += len;
    }
    out[o] = '\0';
    return out;
}

int rows_plan_in_use(const char *name, int64_t n_current, int64_t n_history, char *errbuf)
{
    if (n_current > 0)
        snprintf(errbuf, ERR_BUF_LEN, "plan '%s' has subscribers; move them first", name);
    else if (n_history > 0)
        snprintf(errbuf, ERR_BUF_LEN,
                 "plan '%s' is in the plan history of %lld subscriber%s, and their bills need "
                 "it; it stays",
                 name, (long long)n_history, n_history == 1 ? "" : "s");
    else
        return 0;
    return ERR_EXISTS;
}
