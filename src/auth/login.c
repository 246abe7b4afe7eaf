// SPDX-License-Identifier: MIT
// The password check: see login.h.
#include "login.h"

#include "../base/err.h"
#include "../base/utf8.h"
#include "password.h"

#include <stdio.h>
#include <string.h>

#define LOG_TAG "login"
#include "../base/log.h"

unsigned login_wait_s(const struct login_failure_row *r, bool is_address, uint64_t now_ms)
{
    if (now_ms >= r->last_ms + LOGIN_FORGET_MS || r->failures <= LOGIN_FREE_FAILURES)
        return 0;
    uint64_t since_s = now_ms > r->last_ms ? (now_ms - r->last_ms) / 1000 : 0;
    if (is_address && r->failures >= LOGIN_ADDRESS_PER_HOUR && now_ms < r->first_ms + 3600000u)
        return (unsigned)((r->first_ms + 3600000u - now_ms + 999) / 1000);
    int64_t over = r->failures - LOGIN_FREE_FAILURES;
    uint64_t cap = is_address ? LOGIN_ADDRESS_CAP_S : LOGIN_ACCOUNT_CAP_S;
    uint64_t wait = over >= 16 ? cap : (uint64_t)1 << over;
    if (wait > cap)
        wait = cap;
    return wait > since_s ? (unsigned)(wait - since_s) : 0;
}

int login_normalise(const char *in, char *out, size_t size)
{
    size_t n = strlen(in);
    if (n == 0 || n >= size || n > 127 || !utf8_valid(in, n, NULL))
        return ERR_MALFORMED;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c < 0x20 || c == 0x7f)
            return ERR_MALFORMED;
        out[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : (char)c;
    }
    out[n] = '\0';
    return 0;
}

/* IPv6 by its /64: one host has them all. */
void login_address_key(const struct ip_addr *a, char *out, size_t size)
{
    char text[ADDR_STR_LEN];
    if (addr_is_v4(a)) {
        snprintf(out, size, "addr:%s", addr_format(a, text));
        return;
    }
    struct ip_addr net = *a;
    memset(net.b + 8, 0, 8);
    snprintf(out, size, "addr:%s/64", addr_format(&net, text));
}

/* Adds a failure to a key's record (a new record after an hour of quiet). */
static int count_failure(struct store *s, const char *key, uint64_t now_ms)
{
    struct login_failure_row r;
    int rc = s->ops->login_failure_get(s, key, &r);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return rc;
    if (rc == ERR_NOT_FOUND || now_ms >= r.last_ms + LOGIN_FORGET_MS) {
        memset(&r, 0, sizeof r);
        snprintf(r.key, sizeof r.key, "%s", key);
        r.first_ms = now_ms;
    }
    r.failures++;
    r.last_ms = now_ms;
    return s->ops->login_failure_put(s, &r);
}

struct failure {
    const char *user_key, *addr_key; /* user_key NULL: the address's failure only */
    uint64_t now_ms;
};

/* Both keys in one transaction, the account's first (one order for every login, so two
 * at once wait rather than deadlock): a read and its write are one step, and failures
 * that arrive together are all counted. */
static int count_failures(struct store *s, void *ctx)
{
    const struct failure *f = ctx;
    int rc = f->user_key ? count_failure(s, f->user_key, f->now_ms) : 0;
    if (rc == 0)
        rc = count_failure(s, f->addr_key, f->now_ms);
    if (rc == 0)
        rc = s->ops->login_failure_expire(s, f->now_ms - LOGIN_FORGET_MS, NULL);
    return rc;
}

static unsigned key_wait_s(struct store *s, const char *key, bool is_address, uint64_t now_ms)
{
    struct login_failure_row r;
    if (s->ops->login_failure_get(s, key, &r) != 0)
        return 0;
    return login_wait_s(&r, is_address, now_ms);
}

/* The directory's verdict on a user without a local password: 1, 0, or negative when it
 * could not tell (logged here, with the URI, as the caller cannot say more). */
static int directory_check(const struct ldap_options *ldap, const char *login, const char *password)
{
    /* ldap_password_check() refuses it too; here it also costs what a wrong password does */
    if (!password[0]) {
        password_verify(NULL, password);
        return 0;
    }
    char errbuf[ERR_BUF_LEN];
    int rc = ldap_password_check(ldap, login, password, errbuf);
    if (rc < 0)
        log_warn("cannot check a password with the directory at %s: %s", ldap->uri, errbuf);
    return rc;
}

enum login_result login_check(struct store *s, const char *login, const char *password,
                              const struct ip_addr *from, uint64_t now_ms, struct user *user,
                              unsigned *retry_after_s)
{
    return login_check_with(s, NULL, login, password, from, now_ms, user, retry_after_s);
}

enum login_result login_check_with(struct store *s, const struct ldap_options *ldap,
                                   const char *login, const char *password,
                                   const struct ip_addr *from, uint64_t now_ms, struct user *user,
                                   unsigned *retry_after_s)
{
    char name[sizeof user->login], user_key[sizeof name + 8], addr_key[ADDR_STR_LEN + 16];
    if (login_normalise(login, name, sizeof name) != 0)
        snprintf(name, sizeof name, "%s", "(malformed)");
    snprintf(user_key, sizeof user_key, "user:%s", name);
    login_address_key(from, addr_key, sizeof addr_key);
    unsigned wait_user = key_wait_s(s, user_key, false, now_ms);
    unsigned wait_addr = key_wait_s(s, addr_key, true, now_ms);
    if (wait_user || wait_addr) {
        *retry_after_s = wait_user > wait_addr ? wait_user : wait_addr;
        return LOGIN_THROTTLED;
    }
    int rc = s->ops->user_get(s, name, user);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return LOGIN_ERROR;
    bool by_directory = rc == 0 && !user->password[0] && ldap && ldap->uri && ldap->uri[0];
    /* An unknown login is checked against a dummy hash: the same work as a wrong password. */
    int ok = by_directory ? directory_check(ldap, name, password)
                          : password_verify(rc == 0 ? user->password : NULL, password);
    if (ok != 1) {
        struct failure f = {ok < 0 ? NULL : user_key, addr_key, now_ms};
        if (store_transaction(s, count_failures, &f) != 0)
            log_warn("cannot record a failed login: %s", s->ops->last_error(s));
        return ok < 0 ? LOGIN_UNAVAILABLE : LOGIN_FAILED;
    }
    s->ops->login_failure_clear(s, user_key);
    if (!by_directory && password_needs_upgrade(user->password)) {
        char hash[PASSWORD_HASH_MAX], errbuf[ERR_BUF_LEN];
        if (password_hash(password, hash, errbuf) == 0 &&
            s->ops->user_set_password(s, user->id, hash) == 0) {
            log_info("the password of %s is now stored as yescrypt", user->login);
            snprintf(user->password, sizeof user->password, "%s", hash);
        }
    }
    return LOGIN_OK;
}
