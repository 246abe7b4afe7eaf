// SPDX-License-Identifier: MIT
// The portal's logins as an operator manages them (`flowtally user`, later the staff pages):
// the rules of a user written once, above the store. A login is normalised (login.h), a
// role is customer, staff or admin, a customer sees one subscriber's account, and a
// password arrives either in clear (checked and hashed with yescrypt here) or as a crypt(3)
// string exported from a mail server's database (kept as is once auth/ can verify it).
// Neither the password nor its hash ever enters a message.
#ifndef FT_USERS_H
#define FT_USERS_H

#include "../base/err.h"
#include "../store/store.h"

#include <stdbool.h>
#include <stdint.h>

/* The fields of `user add|set`, as given: NULL when absent (set keeps the stored value). At
 * most one of password and password_hash. */
struct users_fields {
    const char *role;          /* customer, staff or admin */
    const char *account;       /* a subscriber's account; "" for none */
    const char *password;      /* a new password in clear: checked, then hashed */
    const char *password_hash; /* a crypt(3) string, possibly Dovecot-prefixed, kept as is */
};

enum users_mode {
    USERS_ADD,        /* a new login; ERR_EXISTS if it is taken */
    USERS_SET,        /* an existing login; ERR_NOT_FOUND if there is none */
    USERS_ADD_OR_SET, /* an import line: a login that exists is updated as by USERS_SET */
};

/* Adds or updates the user `login` (normalised first) with f: an added user needs a role; a
 * customer, added or updated, needs an account; the account must exist as a subscriber. A
 * new password ends the user's sessions. OUT: *has_password (may be NULL), whether the user
 * has a local password once saved (false: they can log in only through LDAP). Returns 0,
 * or ERR_MALFORMED, ERR_NOT_FOUND, ERR_EXISTS, ERR_STORE, or password_hash()'s code, with a
 * message in errbuf (ERR_BUF_LEN bytes) that names neither the password nor the hash. */
int users_save(struct store *s, const char *login, const struct users_fields *f,
               enum users_mode mode, bool *has_password, char *errbuf);

/* Removes the user `login` (normalised first) and its sessions. Returns 0, ERR_MALFORMED,
 * ERR_NOT_FOUND or ERR_STORE, with errbuf. */
int users_remove(struct store *s, const char *login, char *errbuf);

/* Where `user import --postfixadmin` takes each mailbox's subscriber account from. */
enum users_account_from {
    USERS_ACCOUNT_EMAIL,  /* the username (an email address) is the account */
    USERS_ACCOUNT_COLUMN, /* a third column names it */
};

/* Splits one line of `mysql -B` output in place into its tab-separated fields and decodes
 * the escapes mysql writes in values (\t, \n, \\; \0, a NUL, is refused, as is any other).
 * OUT: fields[0..max). Returns the number of fields, or -1 with what was wrong in msg
 * (ERR_BUF_LEN bytes): the field's number and the escape, never a value. */
int users_tsv_split(char *line, char **fields, int max, char *msg);

/* Imports the mailboxes of a postfixadmin database, the output of
 *   mysql -B -e "SELECT username, password[, ACCOUNT] FROM mailbox"
 * (a header line of column names is skipped) into users of `role` (NULL: customer), in one
 * transaction: a login that exists is updated. Each password must be a hash auth/ can
 * verify (password_hash_is_known(), one hash computation each); each account must exist.
 * At the first line refused, nothing of the file is stored and errbuf says
 * "FILE:LINE: ..." without the hash. OUT: *n_users, the mailboxes imported. Returns 0 or
 * an error. */
int users_import_postfixadmin(struct store *s, const char *path, enum users_account_from from,
                              const char *role, uint64_t *n_users, char *errbuf);

#endif
