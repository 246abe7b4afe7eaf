// SPDX-License-Identifier: MIT
// Inside the portal: one request's context as the routes see it, the roles, and the
// routes' handlers. app.c resolves everything a handler may rely on before calling it:
// the decoded path, the query and form fields, the client's address, the session and its
// role, and for a POST a valid CSRF token. A handler only reads the store and writes its
// page; it never sees the HTTP library.
#ifndef FT_WEB_APP_H
#define FT_WEB_APP_H

#include "../auth/session.h"
#include "../base/addr.h"
#include "../store/store.h"
#include "form.h"
#include "server.h"
#include "web.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum web_role {
    ROLE_ANON = 1 << 0,
    ROLE_CUSTOMER = 1 << 1,
    ROLE_STAFF = 1 << 2,
    ROLE_ADMIN = 1 << 3,
};
#define ROLE_USER (ROLE_CUSTOMER | ROLE_STAFF | ROLE_ADMIN)
#define ROLE_STAFFS (ROLE_STAFF | ROLE_ADMIN)

#define WEB_PATH_MAX 512
#define WEB_LOGIN_COOKIE "ft_login" /* before a login: the login form's CSRF token */
#define WEB_SESSION_COOKIE "ft_session"

/* One request. */
struct web_ctx {
    struct web *app;
    const struct web_options *opt;
    const struct web_request *rq;
    struct web_response *rs;
    struct store *store;         /* this request's, from the pool */
    struct fragments *fragments; /* parts of pages kept as drawn (fragments.h) */
    uint64_t now_ms;
    char path[WEB_PATH_MAX]; /* decoded */
    const char *tail;        /* the part of the path after the route's prefix ("" if exact) */
    struct form query;
    struct form post; /* a POST's fields (empty for GET) */
    struct ip_addr client;
    char client_text[ADDR_STR_LEN];
    unsigned role;                     /* ROLE_ANON without a session */
    struct session session;            /* when role != ROLE_ANON */
    struct session_policy policy;      /* idle and absolute expiry, from the options */
    char session_token[TOKEN_LEN + 1]; /* the cookie's, when logged in */
    char login_token[TOKEN_LEN + 1];   /* the login form's CSRF token */
    bool store_failed;                 /* give the connection back closed */
    /* the body being written: the answer, or between page_begin() and page_end() the
     * page's content, which the layout then wraps */
    FILE *out;
    char *out_buf;
    size_t out_len;
    FILE *answer; /* the answer's stream while a page's content is written */
    char *content_buf;
    size_t content_len;
    char title[128];
};

/* ---- answers (app.c) ---- */

/* CLOCK_MONOTONIC in ms, and a sleep until such a time: the floors under the answers of
 * the login and the reset forms, which must take as long whoever asks. */
uint64_t web_mono_ms(void);
void web_sleep_until(uint64_t deadline_ms);

/* A memory stream for one request's text (open_memstream()), used by this thread only, so
 * without stdio's per-call lock: a page writes thousands of small pieces. NULL when out of
 * memory. */
FILE *web_buffer_open(char **buf, size_t *len);

/* Ends the request with what was written to c->out, of the given type. */
void web_answer(struct web_ctx *c, int status, const char *type);
/* The same, as HTML or JSON, which no cache may keep. */
void web_html(struct web_ctx *c, int status);
void web_json(struct web_ctx *c, int status);
/* 303 to a path of ours (never a URL the request supplied). */
void web_redirect(struct web_ctx *c, const char *path);
/* The same "not found" for what does not exist and what the visitor may not see. */
void web_not_found(struct web_ctx *c);
/* A short error page. */
void web_error(struct web_ctx *c, int status, const char *message);
/* Sets a cookie: HttpOnly, SameSite=Lax, Path=/, Secure under TLS; max_age_s 0 deletes. */
void web_cookie(struct web_ctx *c, const char *name, const char *value, uint64_t max_age_s);
/* Account of the store's failure: 503 and the connection reopened next time. */
void web_store_failed(struct web_ctx *c, const char *what);

/* ---- the routes ---- */

typedef void web_route_fn(struct web_ctx *c);

/* pages_auth.c */
web_route_fn page_login_get, page_login_post, page_logout_post, page_password_get,
    page_password_post;
/* pages_reset.c: GET and POST /reset (ask for a link), /reset/TOKEN (use it) */
web_route_fn page_reset_get, page_reset_post, page_reset_link_get, page_reset_link_post;
struct message_texts;
/* Loads the reset mail's templates when resets are on (o->web_url set and o->has_mail),
 * else leaves t empty. Returns 0, or ERR_CONFIG with errbuf (a template that is missing or
 * does not parse). */
int pages_reset_load(struct message_texts *t, const struct web_options *o, char *errbuf);
/* The reset mail's templates, or NULL when resets are off (app.c). */
const struct message_texts *web_reset_texts(const struct web_ctx *c);
/* pages_customer.c */
web_route_fn page_home, page_usage, page_cycles, page_devices, page_device_register,
    page_alerts_post;
/* pages_staff.c */
web_route_fn page_staff, page_staff_subscriber, page_staff_unassigned, page_staff_exporters,
    page_staff_invoices;
/* invoices.c */
web_route_fn page_invoice;
/* api.c */
web_route_fn api_usage, api_subscriber_usage, api_invoices, api_metrics;
/* assets.c */
web_route_fn asset_style, asset_logo;

#endif
