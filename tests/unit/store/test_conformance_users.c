// SPDX-License-Identifier: MIT
// The store's conformance suite, part four: the portal's logins (users, sessions, failed
// logins, password reset links), what removing a subscriber or a user takes with it, the
// lease of an address at a time, and a subscriber's own alert levels.
// conformance.h says how every case gets a store of its own on every engine.
#include "conformance.h"

#include <errno.h>
#include <pthread.h>

/* ---- rows as text, and small steps ---- */

/* Users by login; ids, which each engine gives, are checked apart. */
static void user_line(void *ctx, const struct user *u)
{
    lines_add(ctx, "%s|%s|%s|%s|%llu", u->login, u->role, u->account, u->password,
              (unsigned long long)u->created_ms);
}

static void list_users(struct store *s, struct lines *out)
{
    memset(out, 0, sizeof *out);
    ASSERT_EQ_INT(store_user_list(s, user_line, out), 0);
}

static void alert_line(void *ctx, const struct subscriber *sub)
{
    lines_add(ctx, "%s [%s]", sub->account, sub->alert_levels);
}

/* Saves a user; errbuf says something when it fails. */
static void save_user(struct store *s, const char *login, const char *role, const char *account,
                      const char *password, uint64_t created_ms, bool insert, int want)
{
    struct user u = {.id = 424242, .created_ms = created_ms};
    snprintf(u.login, sizeof u.login, "%s", login);
    snprintf(u.role, sizeof u.role, "%s", role);
    snprintf(u.account, sizeof u.account, "%s", account);
    snprintf(u.password, sizeof u.password, "%s", password);
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_user_save(s, &u, insert, errbuf), want);
    if (want != 0)
        ASSERT_TRUE(errbuf[0] != '\0');
}

/* The id of a stored user (0, the test failed, if there is none). */
static int64_t user_id(struct store *s, const char *login)
{
    struct user u;
    int rc = store_user_get(s, login, &u);
    ASSERT_EQ_INT(rc, 0);
    return rc == 0 ? u.id : 0;
}

/* A session hash (64 hex digits): c, 64 times. buf: 65 bytes. */
static const char *hash_of(char *buf, char c)
{
    memset(buf, c, 64);
    buf[64] = '\0';
    return buf;
}

static void put_session(struct store *s, char c, int64_t user, const char *csrf,
                        uint64_t created_ms, uint64_t seen_ms, int want)
{
    struct session_row r = {.user_id = user, .created_ms = created_ms, .seen_ms = seen_ms};
    hash_of(r.id_hash, c);
    snprintf(r.csrf, sizeof r.csrf, "%s", csrf);
    ASSERT_EQ_INT(store_session_put(s, &r), want);
}

/* The session c as a line, "-" when there is none: "aaaa user csrf created/seen". */
static void session_text(struct store *s, char c, char *out, size_t size)
{
    char h[65];
    struct session_row r;
    struct user u;
    int rc = store_session_get(s, hash_of(h, c), &r, &u);
    if (rc == ERR_NOT_FOUND) {
        snprintf(out, size, "-");
        return;
    }
    ASSERT_EQ_INT(rc, 0);
    ASSERT_EQ_INT(r.user_id, u.id);
    snprintf(out, size, "%.4s %s %s %llu/%llu", r.id_hash, u.login, r.csrf,
             (unsigned long long)r.created_ms, (unsigned long long)r.seen_ms);
}

#define EXPECT_SESSION(s, c, want)                                                                 \
    do {                                                                                           \
        char text_[300];                                                                           \
        session_text(s, c, text_, sizeof text_);                                                   \
        ASSERT_STREQ(text_, want);                                                                 \
    } while (0)

static void put_failure(struct store *s, const char *key, int64_t failures, uint64_t first_ms,
                        uint64_t last_ms)
{
    struct login_failure_row r = {.failures = failures, .first_ms = first_ms, .last_ms = last_ms};
    snprintf(r.key, sizeof r.key, "%s", key);
    ASSERT_EQ_INT(store_login_failure_put(s, &r), 0);
}

/* The failures of key as "failures first-last", "-" when there are none. */
static void failure_text(struct store *s, const char *key, char *out, size_t size)
{
    struct login_failure_row r;
    int rc = store_login_failure_get(s, key, &r);
    if (rc == ERR_NOT_FOUND) {
        snprintf(out, size, "-");
        return;
    }
    ASSERT_EQ_INT(rc, 0);
    ASSERT_STREQ(r.key, key);
    snprintf(out, size, "%lld %llu-%llu", (long long)r.failures, (unsigned long long)r.first_ms,
             (unsigned long long)r.last_ms);
}

#define EXPECT_FAILURE(s, key, want)                                                               \
    do {                                                                                           \
        char text_[100];                                                                           \
        failure_text(s, key, text_, sizeof text_);                                                 \
        ASSERT_STREQ(text_, want);                                                                 \
    } while (0)

/* The lease of ip at at_ms as "mac start-end", "-" when there is none. */
static void lease_text(struct store *s, const char *ip, uint64_t at_ms, char *out, size_t size)
{
    struct lease_row l;
    int rc = store_lease_at(s, ip, at_ms, &l);
    if (rc == ERR_NOT_FOUND) {
        snprintf(out, size, "-");
        return;
    }
    ASSERT_EQ_INT(rc, 0);
    ASSERT_STREQ(l.ip, ip);
    snprintf(out, size, "%s %llu-%llu", l.mac, (unsigned long long)l.start_ms,
             (unsigned long long)l.end_ms);
}

#define EXPECT_LEASE(s, ip, at, want)                                                              \
    do {                                                                                           \
        char text_[100];                                                                           \
        lease_text(s, ip, at, text_, sizeof text_);                                                \
        ASSERT_STREQ(text_, want);                                                                 \
    } while (0)

/* ================================ the cases ================================ */

/* A new store: nothing of any kind, and every read and removal says so. */
static void test_users_empty(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    struct lines l;
    list_users(s, &l);
    EXPECT_NO_LINES(l);
    struct user u;
    ASSERT_EQ_INT(store_user_get(s, "admin", &u), ERR_NOT_FOUND);
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_user_remove(s, "admin", errbuf), ERR_NOT_FOUND);
    ASSERT_TRUE(errbuf[0] != '\0');
    ASSERT_EQ_INT(store_user_set_password(s, 1, "x"), ERR_NOT_FOUND);
    char h[65];
    struct session_row r;
    ASSERT_EQ_INT(store_session_get(s, hash_of(h, 'a'), &r, &u), ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_session_touch(s, h, 1000), ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_session_remove(s, h), 0);
    int n = -1;
    ASSERT_EQ_INT(store_session_remove_user(s, 1, &n), 0);
    ASSERT_EQ_INT(n, 0);
    n = -1;
    ASSERT_EQ_INT(store_session_expire(s, UINT64_MAX, UINT64_MAX, &n), 0);
    ASSERT_EQ_INT(n, 0);
    EXPECT_FAILURE(s, "user:alice", "-");
    ASSERT_EQ_INT(store_login_failure_clear(s, "user:alice"), 0);
    n = -1;
    ASSERT_EQ_INT(store_login_failure_expire(s, UINT64_MAX, &n), 0);
    ASSERT_EQ_INT(n, 0);
    EXPECT_LEASE(s, "10.0.0.1", 1000, "-");
    store_close(s);
}

static void test_users(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_account(s, "alice");
    add_account(s, "bob");
    save_user(s, "zed@example.net", "staff", "", "{SHA512-CRYPT}$6$salt$Hash/x.y", 1000, true, 0);
    save_user(s, "alice@example.org", "customer", "alice", "$6$abc$def", 2000, true, 0);
    save_user(s, "admin", "admin", "", "", 3000, true, 0);
    save_user(s, "O'Neil \"x\"", "staff", "", "$2y$05$quote'd", 4000, true, 0);
    struct user u, v;
    ASSERT_EQ_INT(store_user_get(s, "alice@example.org", &u), 0);
    ASSERT_TRUE(u.id > 0 && u.id != 424242);
    struct lines l = {0};
    user_line(&l, &u);
    static const char *const alice[] = {"alice@example.org|customer|alice|$6$abc$def|2000"};
    EXPECT_LINES(l, alice);
    ASSERT_TRUE(user_id(s, "admin") != u.id &&
                user_id(s, "admin") != user_id(s, "zed@example.net"));
    /* logins are bytes: another case is another login, or none */
    ASSERT_EQ_INT(store_user_get(s, "Alice@example.org", &v), ERR_NOT_FOUND);

    /* refused, and nothing stored: a taken login, a missing account, a role the schema
     * refuses, text that does not fit */
    save_user(s, "admin", "staff", "", "other", 9000, true, ERR_EXISTS);
    struct user w = {.role = "customer", .account = "ghost", .created_ms = 1};
    snprintf(w.login, sizeof w.login, "carol");
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_user_save(s, &w, true, errbuf), ERR_NOT_FOUND);
    ASSERT_TRUE(strstr(errbuf, "ghost") != NULL);
    save_user(s, "eve", "root", "", "", 1, true, ERR_MALFORMED);
    save_user(s, "eve", "", "", "", 1, true, ERR_MALFORMED);
    memset(w.login, 'a', sizeof w.login); /* no NUL within */
    snprintf(w.account, sizeof w.account, "%s", "");
    ASSERT_EQ_INT(store_user_save(s, &w, true, errbuf), ERR_MALFORMED);
    snprintf(w.login, sizeof w.login, "carol");
    memset(w.password, 'p', sizeof w.password);
    ASSERT_EQ_INT(store_user_save(s, &w, true, errbuf), ERR_MALFORMED);
    ASSERT_EQ_INT(store_user_get(s, "carol", &v), ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_user_get(s, "eve", &v), ERR_NOT_FOUND);

    /* every user, by login (as bytes: uppercase before lowercase) */
    static const char *const all[] = {
        "O'Neil \"x\"|staff||$2y$05$quote'd|4000",
        "admin|admin|||3000",
        "alice@example.org|customer|alice|$6$abc$def|2000",
        "zed@example.net|staff||{SHA512-CRYPT}$6$salt$Hash/x.y|1000",
    };
    list_users(s, &l);
    EXPECT_LINES(l, all);

    /* an update sets role, account and password; the id and created_ms stay */
    save_user(s, "alice@example.org", "staff", "", "", 9999, false, 0);
    ASSERT_EQ_INT(store_user_get(s, "alice@example.org", &v), 0);
    ASSERT_EQ_INT(v.id, u.id);
    save_user(s, "admin", "customer", "bob", "$6$new$pw", 9999, false, 0);
    save_user(s, "ghost@example.org", "staff", "", "", 1, false, ERR_NOT_FOUND);
    save_user(s, "admin", "customer", "ghost", "", 1, false, ERR_NOT_FOUND);
    save_user(s, "admin", "nobody", "", "", 1, false, ERR_MALFORMED);
    static const char *const updated[] = {
        "O'Neil \"x\"|staff||$2y$05$quote'd|4000",
        "admin|customer|bob|$6$new$pw|3000",
        "alice@example.org|staff|||2000",
        "zed@example.net|staff||{SHA512-CRYPT}$6$salt$Hash/x.y|1000",
    };
    list_users(s, &l);
    EXPECT_LINES(l, updated);

    /* a password by id: one that fills the array but for its NUL fits, one more does not */
    int64_t admin = user_id(s, "admin");
    ASSERT_EQ_INT(store_user_set_password(s, admin, "{BLF-CRYPT}$2y$05$abc"), 0);
    ASSERT_EQ_INT(store_user_get(s, "admin", &v), 0);
    ASSERT_STREQ(v.password, "{BLF-CRYPT}$2y$05$abc");
    char longest[sizeof v.password + 1];
    memset(longest, 'x', sizeof longest);
    longest[sizeof longest - 1] = '\0'; /* 256 bytes of text */
    ASSERT_EQ_INT(store_user_set_password(s, admin, longest), ERR_MALFORMED);
    longest[sizeof longest - 2] = '\0'; /* 255 */
    ASSERT_EQ_INT(store_user_set_password(s, admin, longest), 0);
    ASSERT_EQ_INT(store_user_get(s, "admin", &v), 0);
    ASSERT_STREQ(v.password, longest);
    ASSERT_EQ_INT(store_user_set_password(s, admin, ""), 0);
    ASSERT_EQ_INT(store_user_set_password(s, admin + 1000, "x"), ERR_NOT_FOUND);

    /* removed: gone, and a second time not found */
    ASSERT_EQ_INT(store_user_remove(s, "O'Neil \"x\"", errbuf), 0);
    errbuf[0] = '\0';
    ASSERT_EQ_INT(store_user_remove(s, "O'Neil \"x\"", errbuf), ERR_NOT_FOUND);
    ASSERT_TRUE(errbuf[0] != '\0');
    static const char *const left[] = {
        "admin|customer|bob||3000",
        "alice@example.org|staff|||2000",
        "zed@example.net|staff||{SHA512-CRYPT}$6$salt$Hash/x.y|1000",
    };
    list_users(s, &l);
    EXPECT_LINES(l, left);
    store_close(s);

    /* what the writer stored, a reader reads */
    struct store *r = open_store(true);
    if (r) {
        list_users(r, &l);
        EXPECT_LINES(l, left);
        ASSERT_EQ_INT(store_user_get(r, "admin", &v), 0);
        ASSERT_EQ_INT(v.id, admin);
    }
    store_close(r);
}

/* A new user's id is never one given before, even after the newest user was removed. */
static void test_user_ids_not_reused(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    save_user(s, "a", "staff", "", "", 1, true, 0);
    save_user(s, "b", "staff", "", "", 1, true, 0);
    int64_t b = user_id(s, "b");
    char errbuf[ERR_BUF_LEN];
    ASSERT_EQ_INT(store_user_remove(s, "b", errbuf), 0);
    save_user(s, "c", "staff", "", "", 1, true, 0);
    ASSERT_TRUE(user_id(s, "c") > b);
    store_close(s);
}

static void test_sessions(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_account(s, "alice");
    save_user(s, "alice@example.org", "customer", "alice", "$6$a$b", 100, true, 0);
    save_user(s, "ops", "staff", "", "", 200, true, 0);
    int64_t alice = user_id(s, "alice@example.org"), ops = user_id(s, "ops");
    put_session(s, 'a', alice, "csrf-a", 1000, 1000, 0);
    put_session(s, 'b', ops, "csrf-b", 2000, 2500, 0);
    put_session(s, 'c', alice, "csrf-c", 3000, 3000, 0);
    /* a taken hash, a user that does not exist, text that does not fit: nothing stored */
    put_session(s, 'a', ops, "other", 4000, 4000, ERR_EXISTS);
    put_session(s, 'd', ops + alice + 1000, "x", 4000, 4000, ERR_NOT_FOUND);
    struct session_row bad = {.user_id = ops, .csrf = "x"};
    memset(bad.id_hash, 'e', sizeof bad.id_hash);
    ASSERT_EQ_INT(store_session_put(s, &bad), ERR_MALFORMED);
    hash_of(bad.id_hash, 'e');
    memset(bad.csrf, 'x', sizeof bad.csrf);
    ASSERT_EQ_INT(store_session_put(s, &bad), ERR_MALFORMED);
    EXPECT_SESSION(s, 'a', "aaaa alice@example.org csrf-a 1000/1000");
    EXPECT_SESSION(s, 'd', "-");
    EXPECT_SESSION(s, 'e', "-");

    /* one read gives the session and its user, whole */
    char h[65];
    struct session_row r;
    struct user u;
    ASSERT_EQ_INT(store_session_get(s, hash_of(h, 'b'), &r, &u), 0);
    ASSERT_STREQ(r.id_hash, h);
    ASSERT_EQ_INT(r.user_id, ops);
    ASSERT_STREQ(r.csrf, "csrf-b");
    ASSERT_EQ_U64(r.created_ms, 2000);
    ASSERT_EQ_U64(r.seen_ms, 2500);
    struct lines l = {0};
    user_line(&l, &u);
    static const char *const ops_line[] = {"ops|staff|||200"};
    EXPECT_LINES(l, ops_line);
    ASSERT_EQ_INT(u.id, ops);
    ASSERT_EQ_INT(store_session_get(s, hash_of(h, 'c'), &r, &u), 0);
    memset(&l, 0, sizeof l);
    user_line(&l, &u);
    static const char *const alice_line[] = {"alice@example.org|customer|alice|$6$a$b|100"};
    EXPECT_LINES(l, alice_line);
    ASSERT_EQ_INT(store_session_get(s, hash_of(h, 'a'), &r, NULL), 0); /* no user wanted */
    ASSERT_STREQ(r.csrf, "csrf-a");

    /* seen: later moves it, earlier does not */
    ASSERT_EQ_INT(store_session_touch(s, hash_of(h, 'a'), 5000), 0);
    EXPECT_SESSION(s, 'a', "aaaa alice@example.org csrf-a 1000/5000");
    ASSERT_EQ_INT(store_session_touch(s, h, 4000), 0);
    EXPECT_SESSION(s, 'a', "aaaa alice@example.org csrf-a 1000/5000");
    ASSERT_EQ_INT(store_session_touch(s, h, 5000), 0);
    ASSERT_EQ_INT(store_session_touch(s, hash_of(h, 'f'), 5000), ERR_NOT_FOUND);

    /* one removed, then again (nothing to remove is no error) */
    ASSERT_EQ_INT(store_session_remove(s, hash_of(h, 'c')), 0);
    ASSERT_EQ_INT(store_session_remove(s, h), 0);
    EXPECT_SESSION(s, 'c', "-");

    /* every session of a user */
    put_session(s, 'g', alice, "csrf-g", 6000, 6000, 0);
    int n = -1;
    ASSERT_EQ_INT(store_session_remove_user(s, alice, &n), 0);
    ASSERT_EQ_INT(n, 2);
    EXPECT_SESSION(s, 'a', "-");
    EXPECT_SESSION(s, 'g', "-");
    EXPECT_SESSION(s, 'b', "bbbb ops csrf-b 2000/2500");
    ASSERT_EQ_INT(store_session_remove_user(s, alice, NULL), 0);
    store_close(s);

    /* a reader reads sessions; it cannot mark one seen */
    struct store *rd = open_store(true);
    if (rd) {
        EXPECT_SESSION(rd, 'b', "bbbb ops csrf-b 2000/2500");
        ASSERT_EQ_INT(store_session_touch(rd, hash_of(h, 'b'), 9000), ERR_STORE);
    }
    store_close(rd);
}

/* Expiry at its limits: a session seen (or created) exactly at the limit is kept; one
 * millisecond before it goes. */
static void test_session_expire(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    save_user(s, "ops", "staff", "", "", 1, true, 0);
    int64_t ops = user_id(s, "ops");
    put_session(s, '1', ops, "c", 1000, 5000, 0);
    put_session(s, '2', ops, "c", 2000, 3000, 0);
    put_session(s, '3', ops, "c", 4000, 4000, 0);
    put_session(s, '4', ops, "c", 6000, 6000, 0);
    int n = -1;
    ASSERT_EQ_INT(store_session_expire(s, 3000, 0, &n), 0); /* seen at 3000: kept */
    ASSERT_EQ_INT(n, 0);
    ASSERT_EQ_INT(store_session_expire(s, 3001, 0, &n), 0);
    ASSERT_EQ_INT(n, 1);
    EXPECT_SESSION(s, '2', "-");
    ASSERT_EQ_INT(store_session_expire(s, 0, 1000, &n), 0); /* created at 1000: kept */
    ASSERT_EQ_INT(n, 0);
    ASSERT_EQ_INT(store_session_expire(s, 0, 1001, &n), 0);
    ASSERT_EQ_INT(n, 1);
    EXPECT_SESSION(s, '1', "-");
    ASSERT_EQ_INT(store_session_expire(s, 4000, 4000, NULL), 0); /* both at the limit */
    EXPECT_SESSION(s, '3', "3333 ops c 4000/4000");
    /* either limit alone removes: seen at 4000 < 4001, though created after 3999 */
    ASSERT_EQ_INT(store_session_expire(s, 4001, 3999, &n), 0);
    ASSERT_EQ_INT(n, 1);
    EXPECT_SESSION(s, '3', "-");
    EXPECT_SESSION(s, '4', "4444 ops c 6000/6000");
    ASSERT_EQ_INT(store_session_expire(s, UINT64_MAX, 0, &n), 0); /* everything */
    ASSERT_EQ_INT(n, 1);
    EXPECT_SESSION(s, '4', "-");
    store_close(s);
}

/* Removing a subscriber removes its users, and their sessions; removing a user, its
 * sessions. Nothing else goes. */
static void test_users_cascade(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_account(s, "alice");
    add_account(s, "bob");
    save_user(s, "a1", "customer", "alice", "", 1, true, 0);
    save_user(s, "a2", "customer", "alice", "", 2, true, 0);
    save_user(s, "b1", "customer", "bob", "", 3, true, 0);
    save_user(s, "ops", "staff", "", "", 4, true, 0);
    put_session(s, 'a', user_id(s, "a1"), "c", 10, 10, 0);
    put_session(s, 'b', user_id(s, "a1"), "c", 11, 11, 0);
    put_session(s, 'c', user_id(s, "a2"), "c", 12, 12, 0);
    put_session(s, 'd', user_id(s, "b1"), "c", 13, 13, 0);
    put_session(s, 'e', user_id(s, "ops"), "c", 14, 14, 0);
    char errbuf[ERR_BUF_LEN];
    int64_t alice_id = id_of("alice");
    ASSERT_EQ_INT(store_subscriber_remove(s, "alice", errbuf), 0);
    struct lines l;
    static const char *const without_alice[] = {"b1|customer|bob||3", "ops|staff|||4"};
    list_users(s, &l);
    EXPECT_LINES(l, without_alice);
    EXPECT_SESSION(s, 'a', "-");
    EXPECT_SESSION(s, 'b', "-");
    EXPECT_SESSION(s, 'c', "-");
    EXPECT_SESSION(s, 'd', "dddd b1 c 13/13");
    EXPECT_SESSION(s, 'e', "eeee ops c 14/14");

    ASSERT_EQ_INT(store_user_remove(s, "b1", errbuf), 0);
    EXPECT_SESSION(s, 'd', "-");
    EXPECT_SESSION(s, 'e', "eeee ops c 14/14");
    static const char *const only_ops[] = {"ops|staff|||4"};
    list_users(s, &l);
    EXPECT_LINES(l, only_ops);
    /* bob stays a subscriber; alice, made again, is a new one with no logins */
    struct subscriber sub;
    ASSERT_EQ_INT(store_subscriber_get(s, "bob", &sub), 0);
    add_account(s, "alice");
    ASSERT_EQ_INT(store_subscriber_get(s, "alice", &sub), 0);
    ASSERT_TRUE(sub.id != alice_id);
    list_users(s, &l);
    EXPECT_LINES(l, only_ops);
    /* inside a transaction, the same */
    save_user(s, "a3", "customer", "alice", "", 5, true, 0);
    put_session(s, 'f', user_id(s, "a3"), "c", 15, 15, 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(store_subscriber_remove(s, "alice", errbuf), 0);
    EXPECT_SESSION(s, 'f', "-");
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    list_users(s, &l);
    EXPECT_LINES(l, only_ops);
    store_close(s);
}

/* Users, sessions and failed logins written in a transaction that is rolled back: none of
 * it is there. */
static void test_users_rolled_back(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    save_user(s, "ops", "staff", "", "", 1, true, 0);
    int64_t ops = user_id(s, "ops");
    put_session(s, 'a', ops, "c", 10, 10, 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    save_user(s, "new", "admin", "", "", 2, true, 0);
    save_user(s, "ops", "admin", "", "pw", 3, false, 0);
    ASSERT_EQ_INT(store_user_set_password(s, ops, "other"), 0);
    put_session(s, 'b', ops, "c", 20, 20, 0);
    char h[65];
    ASSERT_EQ_INT(store_session_touch(s, hash_of(h, 'a'), 99), 0);
    put_failure(s, "user:ops", 1, 30, 30);
    s->ops->rollback(s);
    struct lines l;
    static const char *const before[] = {"ops|staff|||1"};
    list_users(s, &l);
    EXPECT_LINES(l, before);
    EXPECT_SESSION(s, 'a', "aaaa ops c 10/10");
    EXPECT_SESSION(s, 'b', "-");
    EXPECT_FAILURE(s, "user:ops", "-");
    store_close(s);
}

static void test_login_failures(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    const char *user = "user:alice@example.net", *addr = "addr:192.0.2.7";
    EXPECT_FAILURE(s, user, "-");
    put_failure(s, user, 1, 1000, 1000);
    EXPECT_FAILURE(s, user, "1 1000-1000");
    put_failure(s, user, 2, 1000, 1500); /* replaces */
    EXPECT_FAILURE(s, user, "2 1000-1500");
    put_failure(s, addr, 7, 500, 2500);
    EXPECT_FAILURE(s, addr, "7 500-2500");
    EXPECT_FAILURE(s, "user:ALICE@example.net", "-"); /* keys are bytes */
    /* a key that fills the array but for its NUL fits; one more does not */
    struct login_failure_row r = {.failures = 1, .first_ms = 1, .last_ms = 1};
    memset(r.key, 'k', sizeof r.key);
    ASSERT_EQ_INT(store_login_failure_put(s, &r), ERR_MALFORMED);
    r.key[sizeof r.key - 1] = '\0';
    ASSERT_EQ_INT(store_login_failure_put(s, &r), 0);
    EXPECT_FAILURE(s, r.key, "1 1-1");
    /* cleared, and again */
    ASSERT_EQ_INT(store_login_failure_clear(s, user), 0);
    ASSERT_EQ_INT(store_login_failure_clear(s, user), 0);
    EXPECT_FAILURE(s, user, "-");
    EXPECT_FAILURE(s, addr, "7 500-2500");
    /* expiry by the last failure: one exactly at the limit is kept */
    put_failure(s, "k1", 1, 100, 1000);
    put_failure(s, "k2", 1, 100, 2000);
    int n = -1;
    ASSERT_EQ_INT(store_login_failure_expire(s, 1000, &n), 0);
    ASSERT_EQ_INT(n, 1); /* the long key, last at 1 */
    EXPECT_FAILURE(s, "k1", "1 100-1000");
    ASSERT_EQ_INT(store_login_failure_expire(s, 1001, &n), 0);
    ASSERT_EQ_INT(n, 1);
    EXPECT_FAILURE(s, "k1", "-");
    EXPECT_FAILURE(s, "k2", "1 100-2000");
    ASSERT_EQ_INT(store_login_failure_expire(s, 2500, NULL), 0); /* addr's last is 2500 */
    EXPECT_FAILURE(s, addr, "7 500-2500");
    EXPECT_FAILURE(s, "k2", "-");
    ASSERT_EQ_INT(store_login_failure_expire(s, UINT64_MAX, &n), 0);
    ASSERT_EQ_INT(n, 1);
    EXPECT_FAILURE(s, addr, "-");
    /* counted in a transaction, the way a login counts */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    ASSERT_EQ_INT(store_login_failure_get(s, user, &r), ERR_NOT_FOUND);
    put_failure(s, user, 1, 3000, 3000);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    EXPECT_FAILURE(s, user, "1 3000-3000");
    store_close(s);
}

/* The other side of test_login_failure_race. */
struct racer {
    struct store *s; /* opened by the test, used by the thread only */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool is_started, is_done;                /* about to begin its transaction; committed */
    int rc_begin, rc_get, rc_put, rc_commit; /* what each step returned */
};

/* Counts one failure of "user:ops" in a transaction of its own: get, then put one more. */
static void *count_one_failure(void *arg)
{
    struct racer *r = arg;
    pthread_mutex_lock(&r->lock);
    r->is_started = true;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
    struct store *s = r->s;
    struct login_failure_row f = {.key = "user:ops", .first_ms = 2000};
    r->rc_begin = s->ops->begin(s);
    r->rc_get = store_login_failure_get(s, "user:ops", &f);
    f.failures++;
    f.last_ms = 2000;
    r->rc_put = store_login_failure_put(s, &f);
    r->rc_commit = s->ops->commit(s);
    pthread_mutex_lock(&r->lock);
    r->is_done = true;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* Two failed logins at once, each a get and a put in a transaction of its own (store.h,
 * login_failure_get): both are counted. The other one starts while this one holds the key
 * and must wait for it: if it finishes meanwhile, it read the count from before this one's
 * and stored one failure where there were two. How long it is given to (RACE_MS) bounds
 * the test's time; the test cannot fail for a store that makes it wait, however slowly
 * the machine runs, only pass without noticing one that does not. */
#define RACE_MS 100
static void test_login_failure_race(void)
{
    struct store *s = open_store(false);
    struct racer r = {.s = s ? open_store(false) : NULL, .rc_get = 99};
    if (!r.s) {
        store_close(s);
        return;
    }
    pthread_mutex_init(&r.lock, NULL);
    pthread_cond_init(&r.cond, NULL);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    struct login_failure_row f;
    ASSERT_EQ_INT(store_login_failure_get(s, "user:ops", &f), ERR_NOT_FOUND);
    pthread_t t;
    if (pthread_create(&t, NULL, count_one_failure, &r) != 0) {
        TEST_FAIL("pthread_create failed");
        s->ops->rollback(s);
        goto out;
    }
    pthread_mutex_lock(&r.lock);
    while (!r.is_started)
        pthread_cond_wait(&r.cond, &r.lock);
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_nsec += RACE_MS * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    int waited = 0;
    while (!r.is_done && waited != ETIMEDOUT)
        waited = pthread_cond_timedwait(&r.cond, &r.lock, &until);
    if (r.is_done)
        TEST_FAIL("the other transaction got the key while this one held it");
    pthread_mutex_unlock(&r.lock);
    put_failure(s, "user:ops", 1, 1000, 1000);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    pthread_join(t, NULL);
    ASSERT_EQ_INT(r.rc_begin, 0);
    ASSERT_EQ_INT(r.rc_get, 0); /* it waited, and read this one's failure */
    ASSERT_EQ_INT(r.rc_put, 0);
    ASSERT_EQ_INT(r.rc_commit, 0);
    EXPECT_FAILURE(s, "user:ops", "2 1000-2000");
out:
    pthread_cond_destroy(&r.cond);
    pthread_mutex_destroy(&r.lock);
    store_close(r.s);
    store_close(s);
}

/* The lease of an address at a time: start <= at < end, or open-ended; of several that
 * hold, the latest start. */
static void test_lease_at(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    const char *ip = "10.0.0.20";
    put_lease(s, ip, "aa:bb:cc:00:00:01", 1000, 5000);
    put_lease(s, ip, "aa:bb:cc:00:00:02", 5000, 9000);
    put_lease(s, ip, "aa:bb:cc:00:00:03", 8000, 0); /* given again before the old one ends */
    put_lease(s, "10.0.0.21", "aa:bb:cc:00:00:04", 2000, 3000);
    put_lease(s, "2001:db8::20", "aa:bb:cc:00:00:05", 500, 0);
    EXPECT_LEASE(s, ip, 0, "-");
    EXPECT_LEASE(s, ip, 999, "-");
    EXPECT_LEASE(s, ip, 1000, "aa:bb:cc:00:00:01 1000-5000");
    EXPECT_LEASE(s, ip, 4999, "aa:bb:cc:00:00:01 1000-5000");
    EXPECT_LEASE(s, ip, 5000, "aa:bb:cc:00:00:02 5000-9000");
    EXPECT_LEASE(s, ip, 7999, "aa:bb:cc:00:00:02 5000-9000");
    EXPECT_LEASE(s, ip, 8000, "aa:bb:cc:00:00:03 8000-0");
    EXPECT_LEASE(s, ip, 9000, "aa:bb:cc:00:00:03 8000-0");
    EXPECT_LEASE(s, ip, UINT64_MAX, "aa:bb:cc:00:00:03 8000-0");
    EXPECT_LEASE(s, "10.0.0.21", 1999, "-");
    EXPECT_LEASE(s, "10.0.0.21", 2000, "aa:bb:cc:00:00:04 2000-3000");
    EXPECT_LEASE(s, "10.0.0.21", 2999, "aa:bb:cc:00:00:04 2000-3000");
    EXPECT_LEASE(s, "10.0.0.21", 3000, "-");
    EXPECT_LEASE(s, "2001:db8::20", 500, "aa:bb:cc:00:00:05 500-0");
    EXPECT_LEASE(s, "10.0.0.2", 2500, "-"); /* a prefix of another address's text */
    /* a renewal moves the end */
    put_lease(s, "10.0.0.21", "aa:bb:cc:00:00:04", 2000, 4000);
    EXPECT_LEASE(s, "10.0.0.21", 3000, "aa:bb:cc:00:00:04 2000-4000");
    store_close(s);
}

/* A subscriber's own alert levels: stored, read, listed; kept by an update that carries
 * them, "" for a subscriber saved without. */
static void test_alert_levels(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    struct subscriber sub = {.account = "alice", .status = "active", .alert_levels = "50,90"};
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_subscriber_save(s, &sub, true, errbuf), 0);
    add_account(s, "bob");
    struct subscriber got;
    ASSERT_EQ_INT(store_subscriber_get(s, "alice", &got), 0);
    ASSERT_STREQ(got.alert_levels, "50,90");
    ASSERT_EQ_INT(store_subscriber_get(s, "bob", &got), 0);
    ASSERT_STREQ(got.alert_levels, "");
    /* an update from the row read keeps them */
    ASSERT_EQ_INT(store_subscriber_get(s, "alice", &got), 0);
    snprintf(got.name, sizeof got.name, "Alice");
    ASSERT_EQ_INT(store_subscriber_save(s, &got, false, errbuf), 0);
    ASSERT_EQ_INT(store_subscriber_get(s, "alice", &got), 0);
    ASSERT_STREQ(got.alert_levels, "50,90");
    ASSERT_STREQ(got.name, "Alice");
    /* one that fills the array but for its NUL fits; one more does not, and changes
     * nothing; nor does another field that does not fit */
    struct subscriber bob = {.account = "bob", .status = "active"};
    memset(bob.alert_levels, '9', sizeof bob.alert_levels - 1);
    ASSERT_EQ_INT(store_subscriber_save(s, &bob, false, errbuf), 0);
    ASSERT_EQ_INT(store_subscriber_get(s, "bob", &got), 0);
    ASSERT_STREQ(got.alert_levels, bob.alert_levels);
    got.alert_levels[sizeof got.alert_levels - 1] = '9';
    errbuf[0] = '\0';
    ASSERT_EQ_INT(store_subscriber_save(s, &got, false, errbuf), ERR_MALFORMED);
    ASSERT_TRUE(errbuf[0] != '\0');
    struct subscriber carol = {.account = "carol", .status = "active"};
    memset(carol.notes, 'n', sizeof carol.notes);
    ASSERT_EQ_INT(store_subscriber_save(s, &carol, true, errbuf), ERR_MALFORMED);
    ASSERT_EQ_INT(store_subscriber_get(s, "carol", &got), ERR_NOT_FOUND);
    sub = (struct subscriber){.account = "alice", .status = "active", .alert_levels = "10GB"};
    ASSERT_EQ_INT(store_subscriber_save(s, &sub, false, errbuf), 0);
    char bob_line[100];
    snprintf(bob_line, sizeof bob_line, "bob [%s]", bob.alert_levels);
    const char *const all[] = {"alice [10GB]", bob_line};
    struct lines l = {0};
    ASSERT_EQ_INT(store_subscriber_list(s, alert_line, &l), 0);
    EXPECT_LINES(l, all);
    store_close(s);
}

/* ---- password reset links ---- */

static void put_reset(struct store *s, char c, int64_t user, uint64_t created_ms,
                      uint64_t expires_ms, int want)
{
    struct reset_row r = {.user_id = user, .created_ms = created_ms, .expires_ms = expires_ms};
    hash_of(r.token_hash, c);
    ASSERT_EQ_INT(store_reset_put(s, &r), want);
}

/* Takes link c at now_ms: its user's login, or "-" when the store refuses it. */
static void take_text(struct store *s, char c, uint64_t now_ms, char *out, size_t size)
{
    char h[65];
    struct user u;
    int rc = store_reset_take(s, hash_of(h, c), now_ms, &u);
    if (rc == ERR_NOT_FOUND) {
        snprintf(out, size, "-");
        return;
    }
    ASSERT_EQ_INT(rc, 0);
    snprintf(out, size, "%s|%s|%s|%s", u.login, u.role, u.account, u.password);
}

#define EXPECT_TAKE(s, c, now, want)                                                               \
    do {                                                                                           \
        char text_[400];                                                                           \
        take_text(s, c, now, text_, sizeof text_);                                                 \
        ASSERT_STREQ(text_, want);                                                                 \
    } while (0)

/* A link works once, before its expiry (expires_ms itself is too late); a look at it
 * (reset_get) does not use it; unknown, used and expired are the same refusal; a new link clears
 * the links that expired before it was made; removing the user removes its links; a reader cannot
 * use one. */
static void test_resets(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_account(s, "alice");
    save_user(s, "alice@example.org", "customer", "alice", "$y$j9T$a$b", 100, true, 0);
    save_user(s, "ops", "staff", "", "$6$a$b", 200, true, 0);
    int64_t alice = user_id(s, "alice@example.org"), ops = user_id(s, "ops");
    put_reset(s, 'a', alice, 1000, 2000, 0);
    put_reset(s, 'b', ops, 1000, 2000, 0);
    /* a taken hash, a user that does not exist, a hash that does not fit: nothing stored */
    put_reset(s, 'a', ops, 1100, 3000, ERR_EXISTS);
    put_reset(s, 'c', ops + alice + 1000, 1100, 3000, ERR_NOT_FOUND);
    struct reset_row bad = {.user_id = ops, .created_ms = 1100, .expires_ms = 3000};
    memset(bad.token_hash, 'd', sizeof bad.token_hash);
    ASSERT_EQ_INT(store_reset_put(s, &bad), ERR_MALFORMED);
    EXPECT_TAKE(s, 'c', 1500, "-");
    EXPECT_TAKE(s, 'd', 1500, "-");
    EXPECT_TAKE(s, 'z', 1500, "-");

    /* a look does not use it; at its expiry it is too late for either */
    char h[65];
    struct user u;
    ASSERT_EQ_INT(store_reset_get(s, hash_of(h, 'a'), 1999, &u), 0);
    ASSERT_STREQ(u.login, "alice@example.org");
    ASSERT_STREQ(u.account, "alice");
    ASSERT_EQ_INT(u.id, alice);
    ASSERT_EQ_INT(store_reset_get(s, h, 2000, &u), ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_reset_get(s, hash_of(h, 'z'), 1500, &u), ERR_NOT_FOUND);
    EXPECT_TAKE(s, 'a', 2000, "-"); /* not used by trying */
    EXPECT_TAKE(s, 'a', 1999, "alice@example.org|customer|alice|$y$j9T$a$b");
    EXPECT_TAKE(s, 'a', 1999, "-"); /* once */
    EXPECT_TAKE(s, 'a', 1500, "-");
    ASSERT_EQ_INT(store_reset_get(s, hash_of(h, 'a'), 1500, &u), ERR_NOT_FOUND); /* used */
    ASSERT_EQ_INT(store_reset_take(s, hash_of(h, 'b'), 1000, &u), 0);
    ASSERT_EQ_INT(u.id, ops);
    ASSERT_STREQ(u.login, "ops");

    /* a link made at 5000 removes those that expired before 5000 (used or not), and keeps
     * one that expires exactly then */
    put_reset(s, 'e', ops, 3000, 4999, 0);
    put_reset(s, 'f', ops, 3000, 5000, 0);
    put_reset(s, 'g', alice, 5000, 8000, 0);
    EXPECT_TAKE(s, 'e', 4000, "-");
    EXPECT_TAKE(s, 'f', 4000, "ops|staff||$6$a$b");
    /* the expired one's hash is free again: put 'a' (used, expired at 2000) anew */
    put_reset(s, 'a', alice, 5000, 6000, 0);
    EXPECT_TAKE(s, 'a', 5500, "alice@example.org|customer|alice|$y$j9T$a$b");

    /* removing the user takes its links with it; inside a rolled-back transaction a take
     * is undone */
    put_reset(s, 'h', ops, 5000, 9000, 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    EXPECT_TAKE(s, 'h', 6000, "ops|staff||$6$a$b");
    s->ops->rollback(s);
    char errbuf[ERR_BUF_LEN];
    ASSERT_EQ_INT(store_user_remove(s, "alice@example.org", errbuf), 0);
    EXPECT_TAKE(s, 'g', 6000, "-");
    store_close(s);

    /* a reader cannot use a link, and the link stays usable */
    struct store *rd = open_store(true);
    if (rd) {
        ASSERT_EQ_INT(store_reset_get(rd, hash_of(h, 'h'), 6000, &u), 0);
        ASSERT_EQ_INT(store_reset_take(rd, h, 6000, &u), ERR_STORE);
    }
    store_close(rd);
    s = open_store(false);
    if (s)
        EXPECT_TAKE(s, 'h', 6000, "ops|staff||$6$a$b");
    store_close(s);
}

struct reset_racer {
    struct store *s;
    char hash[65];
    pthread_barrier_t *go;
    int rc;
};

static void *take_one(void *arg)
{
    struct reset_racer *r = arg;
    struct user u;
    pthread_barrier_wait(r->go);
    r->rc = store_reset_take(r->s, r->hash, 1500, &u);
    return NULL;
}

/* Two connections take one link at the same moment, for several links: each time exactly
 * one of them gets it. */
#define RESET_RACES 20
static void test_reset_race(void)
{
    struct store *s = open_store(false);
    struct store *other = s ? open_store(false) : NULL;
    if (!other) {
        store_close(s);
        return;
    }
    save_user(s, "ops", "staff", "", "", 1, true, 0);
    int64_t ops = user_id(s, "ops");
    for (int i = 0; i < RESET_RACES; i++) {
        put_reset(s, (char)('A' + i), ops, 1000, 2000, 0);
        pthread_barrier_t go;
        pthread_barrier_init(&go, NULL, 2);
        struct reset_racer a = {.s = s, .go = &go}, b = {.s = other, .go = &go};
        hash_of(a.hash, (char)('A' + i));
        hash_of(b.hash, (char)('A' + i));
        pthread_t ta, tb;
        if (pthread_create(&ta, NULL, take_one, &a) != 0) {
            TEST_FAIL("pthread_create failed");
            pthread_barrier_destroy(&go);
            break;
        }
        if (pthread_create(&tb, NULL, take_one, &b) != 0) {
            TEST_FAIL("pthread_create failed");
            take_one(&b); /* releases the first thread's barrier */
        } else {
            pthread_join(tb, NULL);
        }
        pthread_join(ta, NULL);
        pthread_barrier_destroy(&go);
        bool one = (a.rc == 0 && b.rc == ERR_NOT_FOUND) || (a.rc == ERR_NOT_FOUND && b.rc == 0);
        if (!one)
            printf("# race %d: %d and %d\n", i, a.rc, b.rc);
        ASSERT_TRUE(one);
    }
    store_close(other);
    store_close(s);
}

static const struct conformance_case cases[] = {
    CONFORMANCE_CASE(test_users_empty),         CONFORMANCE_CASE(test_users),
    CONFORMANCE_CASE(test_user_ids_not_reused), CONFORMANCE_CASE(test_sessions),
    CONFORMANCE_CASE(test_session_expire),      CONFORMANCE_CASE(test_users_cascade),
    CONFORMANCE_CASE(test_users_rolled_back),   CONFORMANCE_CASE(test_login_failures),
    CONFORMANCE_CASE(test_login_failure_race),  CONFORMANCE_CASE(test_lease_at),
    CONFORMANCE_CASE(test_alert_levels),        CONFORMANCE_CASE(test_resets),
    CONFORMANCE_CASE(test_reset_race),
};

int main(void)
{
    return conformance_main(cases, N(cases));
}
