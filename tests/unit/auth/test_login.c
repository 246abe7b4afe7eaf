// SPDX-License-Identifier: MIT
// Tests of the login check and sessions: the throttling arithmetic at its boundaries
// (worked out by hand from the rule in login.h), login names, and a whole login on a real
// SQLite store: an unknown user and a wrong password counted alike, a legacy hash replaced
// by yescrypt, sessions resumed, touched, expired at exactly their limits, and ended.
#include "../../../src/auth/login.h"
#include "../../../src/auth/session.h"
#include "../../../src/base/err.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct login_failure_row row(int64_t failures, uint64_t first_ms, uint64_t last_ms)
{
    struct login_failure_row r = {.failures = failures, .first_ms = first_ms, .last_ms = last_ms};
    return r;
}

static void test_wait(void)
{
    uint64_t t = 1000000000;
    struct login_failure_row r = row(5, t, t);
    ASSERT_EQ_INT(login_wait_s(&r, false, t), 0); /* 5 failures are free */
    r = row(6, t, t);
    ASSERT_EQ_INT(login_wait_s(&r, false, t), 2);        /* 2^(6-5) */
    ASSERT_EQ_INT(login_wait_s(&r, false, t + 1999), 1); /* whole seconds elapsed: 1 */
    ASSERT_EQ_INT(login_wait_s(&r, false, t + 2000), 0);
    r = row(9, t, t);
    ASSERT_EQ_INT(login_wait_s(&r, false, t), 16); /* 2^4 */
    r = row(10, t, t);
    ASSERT_EQ_INT(login_wait_s(&r, false, t), 30); /* 2^5 = 32, an account's cap 30 */
    ASSERT_EQ_INT(login_wait_s(&r, true, t), 32);  /* an address's cap is 60 */
    r = row(40, t, t);
    ASSERT_EQ_INT(login_wait_s(&r, false, t), 30);
    ASSERT_EQ_INT(login_wait_s(&r, true, t), 60);
    /* 100 failures within the hour: an address waits for the hour to pass */
    r = row(100, t, t + 600000);
    ASSERT_EQ_INT(login_wait_s(&r, true, t + 600000), 3000);
    ASSERT_EQ_INT(login_wait_s(&r, false, t + 600000), 30);
    /* an hour after the last failure everything is forgotten */
    r = row(100, t, t);
    ASSERT_EQ_INT(login_wait_s(&r, true, t + LOGIN_FORGET_MS), 0);
    /* ... and a millisecond before, the hourly cap (first + 1 h) is a millisecond away */
    ASSERT_EQ_INT(login_wait_s(&r, true, t + LOGIN_FORGET_MS - 1), 1);
}

static void test_normalise(void)
{
    char out[128];
    ASSERT_EQ_INT(login_normalise("Alice@Example.NET", out, sizeof out), 0);
    ASSERT_STREQ(out, "alice@example.net");
    ASSERT_EQ_INT(login_normalise("Jörg", out, sizeof out), 0);
    ASSERT_STREQ(out, "jörg"); /* only ASCII letters are lowered */
    ASSERT_EQ_INT(login_normalise("", out, sizeof out), ERR_MALFORMED);
    ASSERT_EQ_INT(login_normalise("a\nb", out, sizeof out), ERR_MALFORMED);
    ASSERT_EQ_INT(login_normalise("\xff", out, sizeof out), ERR_MALFORMED);
    char long_name[200];
    memset(long_name, 'a', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    ASSERT_EQ_INT(login_normalise(long_name, out, sizeof out), ERR_MALFORMED);
}

static struct store *new_store(char *path)
{
    strcpy(path, "/tmp/ft-test-login-XXXXXX");
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    char errbuf[ERR_BUF_LEN];
    struct store *s = store_open(path, false, errbuf);
    if (!s)
        printf("# %s\n", errbuf);
    return s;
}

static void remove_store(struct store *s, const char *path)
{
    store_close(s);
    char p[512];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static void test_login_and_sessions(void)
{
    char path[64], errbuf[ERR_BUF_LEN];
    struct store *s = new_store(path);
    ASSERT_TRUE(s != NULL);
    if (!s)
        return;
    struct subscriber sub = {.account = "alice", .status = "active"};
    ASSERT_EQ_INT(store_subscriber_save(s, &sub, true, errbuf), 0);
    /* openssl passwd -1 -salt Xq3vR8pL 'mailbox-pass-1' */
    struct user u = {.login = "alice@example.net",
                     .role = "customer",
                     .account = "alice",
                     .password = "$1$Xq3vR8pL$12qmeAChwXgpWy7/ltUSf0"};
    ASSERT_EQ_INT(store_user_save(s, &u, true, errbuf), 0);
    struct ip_addr from = addr_from_v4(0xc0000207); /* 192.0.2.7 */
    uint64_t now = 1790000000000;
    struct user got;
    unsigned retry = 0;
    ASSERT_EQ_INT(login_check(s, "nobody", "x", &from, now, &got, &retry), LOGIN_FAILED);
    ASSERT_EQ_INT(login_check(s, "ALICE@example.net", "wrong", &from, now, &got, &retry),
                  LOGIN_FAILED);
    struct login_failure_row r;
    ASSERT_EQ_INT(store_login_failure_get(s, "user:nobody", &r), 0);
    ASSERT_EQ_INT(r.failures, 1);
    ASSERT_EQ_INT(store_login_failure_get(s, "user:alice@example.net", &r), 0);
    ASSERT_EQ_INT(r.failures, 1);
    ASSERT_EQ_INT(store_login_failure_get(s, "addr:192.0.2.7", &r), 0);
    ASSERT_EQ_INT(r.failures, 2); /* the address counts both */
    ASSERT_EQ_INT(login_check(s, "Alice@Example.net", "mailbox-pass-1", &from, now, &got, &retry),
                  LOGIN_OK);
    ASSERT_TRUE(strncmp(got.password, "$y$", 3) == 0); /* upgraded */
    ASSERT_EQ_INT(store_login_failure_get(s, "user:alice@example.net", &r), ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_login_failure_get(s, "addr:192.0.2.7", &r), 0); /* kept */
    ASSERT_EQ_INT(login_check(s, "alice@example.net", "mailbox-pass-1", &from, now, &got, &retry),
                  LOGIN_OK); /* the new hash verifies the same password */

    struct session_policy p = {.idle_ms = 3600000, .max_ms = 43200000};
    char token[TOKEN_LEN + 1];
    struct session sess, back;
    ASSERT_EQ_INT(session_create(s, &got, &p, now, token, &sess), 0);
    ASSERT_EQ_INT(session_resume(s, token, &p, now + 59999, &back), 0);
    ASSERT_STREQ(back.user.login, "alice@example.net");
    ASSERT_STREQ(back.row.csrf, sess.row.csrf);
    ASSERT_EQ_U64(back.row.seen_ms, now); /* not written within a minute */
    ASSERT_EQ_INT(session_resume(s, token, &p, now + 60000, &back), 0);
    ASSERT_EQ_U64(back.row.seen_ms, now + 60000);
    /* idle at exactly idle_ms after the last use: gone, and removed */
    ASSERT_EQ_INT(session_resume(s, token, &p, now + 60000 + 3599999, &back), 0);
    uint64_t seen = now + 60000 + 3599999;
    ASSERT_EQ_INT(session_resume(s, token, &p, seen + 3600000, &back), ERR_NOT_FOUND);
    ASSERT_EQ_INT(session_resume(s, token, &p, seen, &back), ERR_NOT_FOUND);
    /* absolute expiry however busy */
    ASSERT_EQ_INT(session_create(s, &got, &p, now, token, &sess), 0);
    uint64_t t;
    for (t = now; t < now + 43200000 - 1800000; t += 1800000)
        ASSERT_EQ_INT(session_resume(s, token, &p, t, &back), 0);
    ASSERT_EQ_INT(session_resume(s, token, &p, now + 43200000, &back), ERR_NOT_FOUND);
    /* a token never issued, a malformed one, and logout */
    ASSERT_EQ_INT(session_resume(s, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", &p, now, &back),
                  ERR_NOT_FOUND);
    ASSERT_EQ_INT(session_resume(s, "' OR 1=1 --", &p, now, &back), ERR_NOT_FOUND);
    ASSERT_EQ_INT(session_create(s, &got, &p, now, token, &sess), 0);
    ASSERT_EQ_INT(session_end(s, token), 0);
    ASSERT_EQ_INT(session_resume(s, token, &p, now, &back), ERR_NOT_FOUND);
    remove_store(s, path);
}

static void test_throttled(void)
{
    char path[64], errbuf[ERR_BUF_LEN];
    struct store *s = new_store(path);
    ASSERT_TRUE(s != NULL);
    if (!s)
        return;
    struct user u = {.login = "sam", .role = "staff", .password = ""};
    ASSERT_EQ_INT(store_user_save(s, &u, true, errbuf), 0);
    struct ip_addr from = addr_from_v4(0xc0000208);
    uint64_t now = 1790000000000;
    struct user got;
    unsigned retry = 0;
    for (int i = 0; i < 6; i++)
        ASSERT_EQ_INT(login_check(s, "sam", "guess", &from, now, &got, &retry), LOGIN_FAILED);
    ASSERT_EQ_INT(login_check(s, "sam", "guess", &from, now + 1000, &got, &retry), LOGIN_THROTTLED);
    ASSERT_EQ_INT(retry, 1);
    /* no local password ("", an LDAP user) never verifies */
    ASSERT_EQ_INT(login_check(s, "sam", "", &from, now + 2000, &got, &retry), LOGIN_FAILED);
    remove_store(s, path);
}

int main(void)
{
    RUN(test_wait);
    RUN(test_normalise);
    RUN(test_login_and_sessions);
    RUN(test_throttled);
    return test_done();
}
