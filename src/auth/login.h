// SPDX-License-Identifier: MIT
// The password check of the portal: the stored crypt(3) hash, or for a user without one an
// LDAP bind when a directory is configured, throttled per account and per address, with
// legacy hashes replaced by the current scheme after a successful login. An unknown login
// takes the same path as a wrong password: same answer, same work, same throttling.
#ifndef FT_AUTH_LOGIN_H
#define FT_AUTH_LOGIN_H

#include "../auth/ldap.h" /* not "ldap.h": doc/layers.txt keeps that name for OpenLDAP's */
#include "../base/addr.h"
#include "../store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum login_result {
    LOGIN_OK,
    LOGIN_FAILED,      /* an unknown login, a wrong password: the same */
    LOGIN_THROTTLED,   /* too many failures: not even checked */
    LOGIN_ERROR,       /* the store failed */
    LOGIN_UNAVAILABLE, /* the directory did not answer (down, a timeout, TLS): logged */
};

/* Throttling, per key (an account, or an address: IPv4, or the /64 of IPv6): the first
 * LOGIN_FREE_FAILURES failures cost nothing; after them each attempt waits 2^(n - free)
 * seconds from the last failure, up to a cap: LOGIN_ACCOUNT_CAP_S for an account, so
 * that an attacker can keep a customer out for half a minute at most, and
 * LOGIN_ADDRESS_CAP_S for an address, which also gets at most LOGIN_ADDRESS_PER_HOUR
 * failures an hour. A key's failures are forgotten an hour after its last one, and an
 * account's at its next successful login. */
#define LOGIN_FREE_FAILURES 5
#define LOGIN_ACCOUNT_CAP_S 30
#define LOGIN_ADDRESS_CAP_S 60
#define LOGIN_ADDRESS_PER_HOUR 100
#define LOGIN_FORGET_MS 3600000u

/* The throttling key of an address: "addr:192.0.2.7", or for IPv6 its /64
 * ("addr:2001:db8::/64"). out: size bytes (ADDR_STR_LEN + 16 is enough). */
void login_address_key(const struct ip_addr *a, char *out, size_t size);

/* Seconds the key must still wait before another attempt at now_ms (0: go ahead). */
unsigned login_wait_s(const struct login_failure_row *r, bool is_address, uint64_t now_ms);

/* A login as the store keeps it: ASCII letters lowercased, 1..127 bytes of valid UTF-8
 * without control characters. out: sizeof(struct user){0}.login bytes. Returns 0 or
 * ERR_MALFORMED. */
int login_normalise(const char *in, char *out, size_t size);

/* Checks a login and password typed by a person at address `from` against the stored
 * hash; a user without one ("") cannot log in. OUT: *user on LOGIN_OK; *retry_after_s on
 * LOGIN_THROTTLED. Never LOGIN_UNAVAILABLE. */
enum login_result login_check(struct store *s, const char *login, const char *password,
                              const struct ip_addr *from, uint64_t now_ms, struct user *user,
                              unsigned *retry_after_s);

/* login_check() with a directory (ldap NULL, or its uri NULL or "": none, which is
 * login_check()). A user whose stored password is "" is checked by ldap_password_check()
 * with the normalised login; a user with a password only by it, never by the directory
 * as well (one account, one source of truth); an unknown login never reaches the
 * directory. An empty password is refused before any bind, after the work a wrong one
 * costs. A refused bind is a failure like a wrong password: counted, throttled, LOGIN_FAILED.
 * A directory that does not answer gives LOGIN_UNAVAILABLE, logged with its URI, and
 * counts as a failure of the address only (it holds a thread for up to the timeout, which
 * one address should not do without limit; it is not the account's fault). A directory
 * user's hash is never "upgraded": there is none. Blocks for the directory's answer (see
 * ldap_password_check()). */
enum login_result login_check_with(struct store *s, const struct ldap_options *ldap,
                                   const char *login, const char *password,
                                   const struct ip_addr *from, uint64_t now_ms, struct user *user,
                                   unsigned *retry_after_s);

#endif
