// SPDX-License-Identifier: MIT
// Tests of the rules of portal users above the store: mysql -B's escapes decoded (and the
// ones it never writes refused), scheme names read from a hash's prefix, and users_save()
// on a SQLite store: roles, a customer's account, add against set, and messages that never
// hold a password or a hash.
#include "../../../src/admin/admin.h"
#include "../../../src/admin/users.h"
#include "../../../src/auth/password.h"
#include "../../../src/base/err.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static int split(const char *text, char **fields, char *buf, size_t size, char *msg)
{
    snprintf(buf, size, "%s", text);
    return users_tsv_split(buf, fields, 3, msg);
}

static void test_tsv_escapes(void)
{
    char buf[256], *f[3], msg[ERR_BUF_LEN];
    ASSERT_EQ_INT(split("a@b.org\t$1$x$y", f, buf, sizeof buf, msg), 2);
    ASSERT_STREQ(f[0], "a@b.org");
    ASSERT_STREQ(f[1], "$1$x$y");
    ASSERT_EQ_INT(split("a\\tb\tc\\nd\te\\\\f", f, buf, sizeof buf, msg), 3);
    ASSERT_STREQ(f[0], "a\tb");
    ASSERT_STREQ(f[1], "c\nd");
    ASSERT_STREQ(f[2], "e\\f");
    ASSERT_EQ_INT(split("\\\\t\t", f, buf, sizeof buf, msg), 2); /* a backslash, then t */
    ASSERT_STREQ(f[0], "\\t");
    ASSERT_STREQ(f[1], "");
    ASSERT_EQ_INT(split("", f, buf, sizeof buf, msg), 1);
    ASSERT_EQ_INT(split("a\tb\tc\td", f, buf, sizeof buf, msg), -1);
    ASSERT_STREQ(msg, "more than 3 tab-separated columns");
    ASSERT_EQ_INT(split("a\tb\\0c", f, buf, sizeof buf, msg), -1);
    ASSERT_STREQ(msg, "column 2: a NUL byte (\\0)");
    ASSERT_EQ_INT(split("a\\q", f, buf, sizeof buf, msg), -1);
    ASSERT_STREQ(msg, "column 1: an escape \\q that mysql -B does not write");
    ASSERT_EQ_INT(split("a\\", f, buf, sizeof buf, msg), -1);
    ASSERT_STREQ(msg, "column 1: a backslash at the end of the line");
}

static void test_scheme_names(void)
{
    ASSERT_STREQ(password_scheme_name(""), "none");
    ASSERT_STREQ(password_scheme_name("$y$j9T$salt$hash"), "yescrypt");
    ASSERT_STREQ(password_scheme_name("$1$saltsalt$37SS0fv0WxVowJIO.9PQN."), "md5crypt");
    ASSERT_STREQ(password_scheme_name("$5$salt$hash"), "sha256crypt");
    ASSERT_STREQ(password_scheme_name("$6$rounds=5000$salt$hash"), "sha512crypt");
    ASSERT_STREQ(password_scheme_name("{SHA512-CRYPT}$6$salt$hash"), "sha512crypt");
    ASSERT_STREQ(password_scheme_name("{BLF-CRYPT}$2y$10$abc"), "bcrypt");
    ASSERT_STREQ(password_scheme_name("$2b$12$abc"), "bcrypt");
    ASSERT_STREQ(password_scheme_name("$gy$j9T$salt$hash"), "gost-yescrypt");
    ASSERT_STREQ(password_scheme_name("abJnggxhB/yWI"), "descrypt");
    ASSERT_STREQ(password_scheme_name("{PLAIN}secret"), "unknown");
    ASSERT_STREQ(password_scheme_name("!locked"), "unknown");
}

static char db_path[64];

static struct store *new_store(void)
{
    char errbuf[ERR_BUF_LEN];
    snprintf(db_path, sizeof db_path, "/tmp/ft-test-users-%d.db", (int)getpid());
    unlink(db_path);
    struct store *s = admin_open(db_path, errbuf);
    if (!s)
        TEST_FAIL("admin_open: %s", errbuf);
    struct subscriber_fields f = {0};
    ASSERT_EQ_INT(admin_subscriber_save(s, "alice", &f, true, errbuf), 0);
    return s;
}

static void drop_store(struct store *s)
{
    char path[80];
    store_close(s);
    unlink(db_path);
    snprintf(path, sizeof path, "%s-wal", db_path);
    unlink(path);
    snprintf(path, sizeof path, "%s-shm", db_path);
    unlink(path);
}

static void test_save_rules(void)
{
    struct store *s = new_store();
    if (!s)
        return;
    char errbuf[ERR_BUF_LEN];
    bool has;
    struct users_fields customer = {.role = "customer"};
    ASSERT_EQ_INT(users_save(s, "a@b.org", &customer, USERS_ADD, &has, errbuf), ERR_MALFORMED);
    ASSERT_STREQ(errbuf, "a customer needs an account (--account): the subscriber whose usage "
                         "they see");
    customer.account = "nobody";
    ASSERT_EQ_INT(users_save(s, "a@b.org", &customer, USERS_ADD, &has, errbuf), ERR_NOT_FOUND);
    ASSERT_STREQ(errbuf, "no subscriber 'nobody'");
    customer.account = "alice";
    ASSERT_EQ_INT(users_save(s, "A@B.org", &customer, USERS_ADD, &has, errbuf), 0);
    ASSERT_TRUE(!has);
    ASSERT_EQ_INT(users_save(s, "a@b.org", &customer, USERS_ADD, &has, errbuf), ERR_EXISTS);
    ASSERT_STREQ(errbuf, "a user 'a@b.org' exists already");

    struct users_fields staff = {.role = "staff", .account = ""};
    ASSERT_EQ_INT(users_save(s, "c", &staff, USERS_SET, &has, errbuf), ERR_NOT_FOUND);
    ASSERT_EQ_INT(users_save(s, "c", &(struct users_fields){0}, USERS_ADD, &has, errbuf),
                  ERR_MALFORMED);
    ASSERT_STREQ(errbuf, "a new user needs --role customer, staff or admin");
    ASSERT_EQ_INT(
        users_save(s, "c", &(struct users_fields){.role = "root"}, USERS_ADD, &has, errbuf),
        ERR_MALFORMED);
    ASSERT_STREQ(errbuf, "--role 'root': expected customer, staff or admin");
    ASSERT_EQ_INT(users_save(s, "c\n", &staff, USERS_ADD, &has, errbuf), ERR_MALFORMED);
    ASSERT_STREQ(errbuf, "login: control character U+000A at offset 1");

    /* A customer keeps needing an account when it is cleared later; staff need none. */
    ASSERT_EQ_INT(
        users_save(s, "a@b.org", &(struct users_fields){.account = ""}, USERS_SET, &has, errbuf),
        ERR_MALFORMED);
    ASSERT_EQ_INT(users_save(s, "a@b.org", &staff, USERS_SET, &has, errbuf), 0);

    /* The hash, good or bad, never enters a message; nor does a password. */
    const char *bad = "$1$saltsalt$37SS0fv0WxVowJIO.9PQN";
    struct users_fields h = {.password_hash = bad};
    ASSERT_EQ_INT(users_save(s, "a@b.org", &h, USERS_SET, &has, errbuf), ERR_MALFORMED);
    ASSERT_STREQ(errbuf, "the password hash cannot be used: a checksum of 21 characters where 22 "
                         "are expected");
    h.password_hash = "$1$saltsalt$37SS0fv0WxVowJIO.9PQN.";
    ASSERT_EQ_INT(users_save(s, "a@b.org", &h, USERS_ADD_OR_SET, &has, errbuf), 0);
    ASSERT_TRUE(has);
    struct users_fields p = {.password = "short\x01"};
    ASSERT_EQ_INT(users_save(s, "a@b.org", &p, USERS_SET, &has, errbuf), ERR_MALFORMED);
    ASSERT_TRUE(strstr(errbuf, "short") == NULL);
    p.password_hash = h.password_hash;
    ASSERT_EQ_INT(users_save(s, "a@b.org", &p, USERS_SET, &has, errbuf), ERR_MALFORMED);
    ASSERT_STREQ(errbuf, "give a password or its hash, not both");

    struct user u;
    ASSERT_EQ_INT(store_user_get(s, "a@b.org", &u), 0);
    ASSERT_STREQ(u.role, "staff");
    ASSERT_STREQ(u.account, "");
    ASSERT_STREQ(u.password, h.password_hash);
    ASSERT_EQ_INT(users_remove(s, "A@b.ORG", errbuf), 0);
    ASSERT_EQ_INT(users_remove(s, "a@b.org", errbuf), ERR_NOT_FOUND);
    drop_store(s);
}

int main(void)
{
    RUN(test_tsv_escapes);
    RUN(test_scheme_names);
    RUN(test_save_rules);
    return test_done();
}
