// SPDX-License-Identifier: MIT
// What every engine checks in a row before it writes it, with the same code and message on
// each (store/ only): text that does not end within its array is refused, never cut short;
// and times as the engines keep them.
#ifndef FT_ROWS_H
#define FT_ROWS_H

#include "store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Whether text ends (NUL) within size bytes. */
bool rows_fits(const char *text, size_t size);

/* Each returns 0, or ERR_MALFORMED with errbuf (ERR_BUF_LEN; may be NULL) naming the
 * field that does not fit. */
int rows_plan_check(const struct plan *p, char *errbuf);
int rows_subscriber_check(const struct subscriber *sub, char *errbuf);
int rows_user_check(const struct user *u, char *errbuf);
int rows_session_check(const struct session_row *r, char *errbuf);
int rows_login_failure_check(const struct login_failure_row *r, char *errbuf);

/* A document to issue: its text, its lines' and its settled usage's fit, and its kind is
 * invoice, credit or debit. Returns 0 or ERR_MALFORMED with errbuf. */
int rows_invoice_check(const struct invoice_row *inv, const struct invoice_line *lines,
                       size_t n_lines, const struct invoice_usage *usage, size_t n_usage,
                       char *errbuf);
/* Whether kind is one a document may have. */
bool rows_invoice_kind(const char *kind);
/* What invoice_issue says when inv's subscriber has invoice `number` for inv's cycle
 * already: returns ERR_EXISTS with errbuf. */
int rows_invoice_exists(const struct invoice_row *inv, int64_t number, char *errbuf);

/* An alert to fire: its text fits (a->account is not written). Returns 0 or ERR_MALFORMED
 * with errbuf. */
int rows_alert_check(const struct alert_row *a, char *errbuf);
/* A message to queue: its text fits, it has a body, and its text and body are valid UTF-8
 * (what PostgreSQL can store; SQLite is held to the same). state, last_error and the
 * numbers are not written and not checked. Returns 0 or ERR_MALFORMED with errbuf. */
int rows_mail_check(const struct mail_row *m, char *errbuf);
/* Whether state is one mail_update may record: queued, sent, failed. */
bool rows_mail_outcome(const char *state);
/* An enforcement row to put: its text fits (e->account is not written) and its state is
 * over or under. Returns 0 or ERR_MALFORMED with errbuf. */
int rows_enforce_check(const struct enforce_row *e, char *errbuf);
/* A diagnostic as the store keeps it, in out (size bytes, >= 1): text (NULL as "") up to
 * the end of the last character that fits in size - 1 bytes, each invalid UTF-8 sequence
 * (its maximal subpart) as one '?', so any bytes from a server's reply can be stored on
 * every engine. Returns out. */
const char *rows_diagnostic(const char *text, char *out, size_t size);

/* Whether plan_remove may remove plan `name`, which n_current subscribers hold now and the
 * plan history of n_history subscribers names: 0, or ERR_EXISTS with errbuf saying why. */
int rows_plan_in_use(const char *name, int64_t n_current, int64_t n_history, char *errbuf);

/* Before a user_save: u checked (rows_user_check()), and the subscriber its account names
 * read into *sub (nothing read when the account is ""). Returns 0, or ERR_MALFORMED,
 * ERR_NOT_FOUND (no such subscriber) or the read's code, with errbuf. */
int rows_user_subscriber(struct store *s, const struct user *u, struct subscriber *sub,
                         char *errbuf);

/* What a user_save came to, the same on every engine: rc as the engine's write returned it
 * and n the rows it changed. Returns the operation's code, with errbuf saying why. */
int rows_user_saved(const struct user *u, int rc, int n, char *errbuf);

/* A time as the engines store it, a signed 64-bit integer: one past INT64_MAX (UINT64_MAX
 * for "no end", say) is INT64_MAX, not a negative number that sorts first. */
static inline int64_t rows_time(uint64_t ms)
{
    return ms > INT64_MAX ? INT64_MAX : (int64_t)ms;
}

#endif
