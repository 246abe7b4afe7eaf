// SPDX-License-Identifier: MIT
// Sessions: see session.h.
#include "session.h"

#include "../base/err.h"

#include <stdio.h>
#include <string.h>

/* How stale the stored last use may get before a request writes it again. */
#define SESSION_TOUCH_MS 60000

int session_create(struct store *s, const struct user *user, const struct session_policy *p,
                   uint64_t now_ms, char *token, struct session *out)
{
    /* Sessions are otherwise removed only when their cookie comes back: each login sweeps
     * those expired by the rule session_resume() applies (idle at exactly idle_ms). */
    s->ops->session_expire(s, now_ms - p->idle_ms + 1, now_ms - p->max_ms + 1, NULL);
    struct user who = *user; /* user may be out's own (a session renewed) */
    memset(out, 0, sizeof *out);
    out->user = who;
    out->row.user_id = who.id;
    out->row.created_ms = out->row.seen_ms = now_ms;
    char csrf[TOKEN_LEN + 1];
    int rc = token_new(token);
    if (rc == 0)
        rc = token_new(csrf);
    if (rc != 0)
        return rc;
    token_hash(token, out->row.id_hash);
    /* The CSRF token is kept as is: it is no credential, only proof that a form came
     * from a page of this session. */
    snprintf(out->row.csrf, sizeof out->row.csrf, "%s", csrf);
    return s->ops->session_put(s, &out->row);
}

int session_resume(struct store *s, const char *token, const struct session_policy *p,
                   uint64_t now_ms, struct session *out)
{
    if (!token || !token_is_wellformed(token))
        return ERR_NOT_FOUND;
    char hash[TOKEN_HASH_LEN + 1];
    token_hash(token, hash);
    int rc = s->ops->session_get(s, hash, &out->row, &out->user);
    if (rc != 0)
        return rc;
    bool idle = now_ms >= out->row.seen_ms && now_ms - out->row.seen_ms >= p->idle_ms;
    bool old = now_ms >= out->row.created_ms && now_ms - out->row.created_ms >= p->max_ms;
    if (idle || old) {
        s->ops->session_remove(s, hash);
        return ERR_NOT_FOUND;
    }
    if (now_ms >= out->row.seen_ms + SESSION_TOUCH_MS) {
        out->row.seen_ms = now_ms;
        rc = s->ops->session_touch(s, hash, now_ms);
        if (rc == ERR_NOT_FOUND) /* logged out by another request meanwhile */
            return rc;
    }
    return 0;
}

int session_end(struct store *s, const char *token)
{
    if (!token || !token_is_wellformed(token))
        return 0;
    char hash[TOKEN_HASH_LEN + 1];
    token_hash(token, hash);
    return s->ops->session_remove(s, hash);
}
