// SPDX-License-Identifier: MIT
// The checks every engine makes on a row's text before writing it (rows.h): a struct's
// arrays hold text that should end within them; one that does not would be read past its
// end, or stored cut short if copied. Either way the row is refused, the same on every
// engine.
#include "rows.h"

#include "../base/err.h"

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
