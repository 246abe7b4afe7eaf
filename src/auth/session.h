// SPDX-License-Identifier: MIT
// Sessions of the portal: a random 256-bit token in the visitor's cookie, and in the store
// only its SHA-256 (a copy of the sessions table logs nobody in), with the session's CSRF
// token beside it. Idle and absolute expiry are checked on every use; a new session is made
// at every login (a token set before the login is never promoted: no fixation).
#ifndef FT_AUTH_SESSION_H
#define FT_AUTH_SESSION_H

#include "../store/store.h"
#include "token.h"

#include <stdint.h>

struct session_policy {
    uint64_t idle_ms; /* unused this long: expired */
    uint64_t max_ms;  /* older than this: expired, however busy */
};

/* A live session as a request sees it. */
struct session {
    struct session_row row;
    struct user user;
};

/* Starts a session for the user (and removes every session p has expired). OUT: token
 * (TOKEN_LEN + 1 bytes: the cookie's value), *out. Returns 0 or a negative code. */
int session_create(struct store *s, const struct user *user, const struct session_policy *p,
                   uint64_t now_ms, char *token, struct session *out);

/* The session a cookie's token names. Returns 0 with *out, ERR_NOT_FOUND when the token is
 * malformed, unknown or expired (an expired session is removed), or ERR_STORE. The last
 * use is written at most once a minute, so reading pages costs no write. */
int session_resume(struct store *s, const char *token, const struct session_policy *p,
                   uint64_t now_ms, struct session *out);

/* Ends the session of a token (logout); 0 also when there was none. */
int session_end(struct store *s, const char *token);

#endif
