// SPDX-License-Identifier: MIT
// A password reset link by mail, as OWASP's Forgot Password cheat sheet has it. /reset asks
// for a login and always gives the same answer, whether the account exists, has an address
// or keeps its password in a directory, after the same minimum time; only then, and at most
// once per account per RESET_ACCOUNT_GAP_MS and RESET_ADDRESS_PER_HOUR times per address an
// hour (counted with the failed logins' rows, under keys of their own), a random 256-bit
// token is made, its hash stored with the user and an expiry, and the mail with the link
// queued, both in one transaction; the daemon's sender sends it. The link is built from
// web_url, never from the request's Host header. /reset/TOKEN opens a form while the link
// is good; its POST takes the link (once, even with two at the same moment), stores the new
// password's yescrypt hash and ends every session of the user, in one transaction. A bad,
// used or expired link gets one page for all three. No page sends a Referer (app.c), so the
// token does not leave in one, not even to our own style sheet's log.
#include "../alert/mime.h"
#include "../alert/resetmail.h"
#include "../auth/login.h"
#include "../auth/password.h"
#include "../auth/token.h"
#include "../base/err.h"
#include "app.h"
#include "page.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_TAG "web"
#include "../base/log.h"

#define RESET_FLOOR_MS 300           /* no answer to a request for a link comes sooner */
#define RESET_ACCOUNT_GAP_MS 900000u /* one mail per account per 15 minutes: 4 an hour */
#define RESET_ADDRESS_PER_HOUR 20    /* requests for a link from one address an hour */
#define RESET_HOUR_MS 3600000u
#define RESET_LOGIN_COOKIE_S 3600 /* the form's CSRF cookie before a login */
#define RESET_LINK_MAX 256
/* Requests for a link waiting out RESET_FLOOR_MS at once: each holds one of the portal's
 * few threads meanwhile, so a flood of them would hold all; past this many, the answer is
 * "busy" at once (it depends on nothing but the flood, so it tells nobody anything). */
#define RESET_WAITING_MAX 2
static atomic_int resets_waiting;

int pages_reset_load(struct message_texts *t, const struct web_options *o, char *errbuf)
{
    memset(t, 0, sizeof *t);
    if (!o->web_url || !o->web_url[0] || !o->has_mail)
        return 0;
    return message_texts_load(MESSAGE_RESET, o->mail_templates, t, errbuf);
}

/* The CSRF token of this visitor's forms: the session's, or before a login the login
 * cookie's (made now if there is none). false when no random bytes came (answered). */
static bool form_token(struct web_ctx *c, const char **token)
{
    if (c->role != ROLE_ANON) {
        *token = c->session.row.csrf;
        return true;
    }
    if (!c->login_token[0]) {
        if (token_new(c->login_token) != 0) {
            web_error(c, 503, "The service is busy; please try again in a moment");
            return false;
        }
        web_cookie(c, WEB_LOGIN_COOKIE, c->login_token, RESET_LOGIN_COOKIE_S);
    }
    *token = c->login_token;
    return true;
}

static void paragraph(struct web_ctx *c, const char *class, const char *text)
{
    if (class)
        fprintf(c->out, "<p class=\"%s\" role=\"%s\">", class,
                strcmp(class, "error") == 0 ? "alert" : "status");
    else
        fputs("<p>", c->out);
    page_text(c, text);
    fputs("</p>\n", c->out);
}

/* Resets are off (no web_url, or no mail): the same page for each of the routes. */
static bool is_off(struct web_ctx *c)
{
    if (web_reset_texts(c))
        return false;
    page_begin(c, "Password reset");
    paragraph(c, NULL, "Passwords cannot be reset by mail here. Ask us for a new one.");
    page_end(c);
    web_html(c, 404);
    return true;
}

/* ---- asking for a link ---- */

static void ask_form(struct web_ctx *c, int status, const char *error, const char *login)
{
    const char *csrf;
    if (!form_token(c, &csrf))
        return;
    page_begin(c, "Password reset");
    if (error)
        paragraph(c, "error", error);
    fputs("<section>\n<form method=\"post\" action=\"/reset\">\n"
          "<input type=\"hidden\" name=\"csrf\" value=\"",
          c->out);
    page_attr(c, csrf);
    fputs("\">\n<label for=\"username\">Email address or user name</label>\n"
          "<input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" "
          "value=\"",
          c->out);
    page_attr(c, login ? login : "");
    fputs("\" required autofocus>\n<button>Send me a link</button>\n</form>\n"
          "<p>We send a link to set a new password to the account's email address.</p>\n"
          "</section>\n",
          c->out);
    page_end(c);
    web_html(c, status);
}

void page_reset_get(struct web_ctx *c)
{
    if (is_off(c))
        return;
    if (c->role != ROLE_ANON) { /* logged in: the password page changes it */
        web_redirect(c, "/password");
        return;
    }
    ask_form(c, 200, NULL, NULL);
}

/* Where a user's link goes: the login when it is an address; for a customer without one,
 * its subscriber's email. A user without a local password (LDAP) gets none: the
 * directory keeps that password, and a local one would silently replace it. OUT: to
 * (size bytes). Returns whether there is an address. */
static bool recipient(struct store *s, const struct user *u, char *to, size_t size)
{
    if (!u->password[0])
        return false;
    if (mime_address_ok(u->login)) {
        snprintf(to, size, "%s", u->login);
        return true;
    }
    struct subscriber sub;
    if (strcmp(u->role, "customer") != 0 || !u->account[0] ||
        store_subscriber_get(s, u->account, &sub) != 0 || !mime_address_ok(sub.email))
        return false;
    snprintf(to, size, "%s", sub.email);
    return true;
}

/* One request for a link, counted and (when allowed) stored with its mail, in one
 * transaction. */
struct reset_request {
    const char *account_key, *address_key;
    uint64_t now_ms;
    const struct reset_row *row; /* NULL: no mail to send (no such user, no address) */
    struct mail_row *mail;
    bool is_queued; /* OUT */
};

/* The account's key first, then the address's, as login.c counts failures: one order for
 * every request, so two at once wait for each other rather than deadlock. */
static int count_request(struct store *s, void *ctx)
{
    struct reset_request *q = ctx;
    struct login_failure_row account = {0}, address;
    bool is_account_quiet = true;
    int rc;
    if (q->row) {
        rc = s->ops->login_failure_get(s, q->account_key, &account);
        if (rc != 0 && rc != ERR_NOT_FOUND)
            return rc;
        if (rc == ERR_NOT_FOUND) {
            memset(&account, 0, sizeof account);
            snprintf(account.key, sizeof account.key, "%s", q->account_key);
            account.first_ms = q->now_ms;
        } else if (q->now_ms < account.last_ms + RESET_ACCOUNT_GAP_MS) {
            is_account_quiet = false;
        }
    }
    rc = s->ops->login_failure_get(s, q->address_key, &address);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        return rc;
    if (rc == ERR_NOT_FOUND || q->now_ms >= address.first_ms + RESET_HOUR_MS) {
        memset(&address, 0, sizeof address);
        snprintf(address.key, sizeof address.key, "%s", q->address_key);
        address.first_ms = q->now_ms;
    }
    bool is_address_quiet = address.failures < RESET_ADDRESS_PER_HOUR;
    address.failures++;
    address.last_ms = q->now_ms;
    if ((rc = s->ops->login_failure_put(s, &address)) != 0)
        return rc;
    if (q->row && is_account_quiet && is_address_quiet) {
        char errbuf[ERR_BUF_LEN];
        account.failures++;
        account.last_ms = q->now_ms;
        if ((rc = store_reset_put(s, q->row)) != 0 ||
            (rc = store_mail_enqueue(s, q->mail, errbuf)) != 0 ||
            (rc = s->ops->login_failure_put(s, &account)) != 0)
            return rc;
        q->is_queued = true;
    }
    return s->ops->login_failure_expire(s, q->now_ms - LOGIN_FORGET_MS, NULL);
}

/* The link and its mail for user u to address `to`. OUT: *row, *mail, *body (free()).
 * Returns 0, or a negative code (logged). */
static int make_mail(struct web_ctx *c, const struct user *u, const char *to, struct reset_row *row,
                     struct mail_row *mail, char **body)
{
    char token[TOKEN_LEN + 1], link[RESET_LINK_MAX], errbuf[ERR_BUF_LEN], domain[256];
    int rc = token_new(token);
    if (rc != 0) {
        log_warn("password reset: no random bytes for a token");
        return rc;
    }
    *row = (struct reset_row){.user_id = u->id,
                              .created_ms = c->now_ms,
                              .expires_ms = c->now_ms + c->opt->reset_valid_s * 1000};
    token_hash(token, row->token_hash);
    const char *url = c->opt->web_url;
    size_t n = strlen(url);
    while (n > 0 && url[n - 1] == '/') /* "https://portal.example.net/" is the same */
        n--;
    snprintf(link, sizeof link, "%.*s/reset/%s", (int)n, url, token);
    const char *at = strchr(c->opt->mail_from, '@');
    snprintf(domain, sizeof domain, "%s", at ? at + 1 : "localhost");
    struct message_from from = {c->opt->operator_name, c->opt->mail_from, domain};
    rc = resetmail_build(web_reset_texts(c), &from, to, u->login, u->id, link,
                         c->opt->reset_valid_s, c->now_ms, mail, body, errbuf);
    if (rc != 0)
        log_warn("password reset for %s: %s", u->login, errbuf);
    return rc;
}

/* The answer to every request for a link that names a login, whatever became of it. */
static void sent_page(struct web_ctx *c, uint64_t t0)
{
    char valid[32], text[256];
    resetmail_duration(c->opt->reset_valid_s, valid, sizeof valid);
    snprintf(text, sizeof text,
             "If that account exists and has an email address, a link to set a new password is "
             "on its way there. It works once, for %s. If no mail comes, ask us.",
             valid);
    web_sleep_until(t0 + RESET_FLOOR_MS);
    page_begin(c, "Password reset");
    paragraph(c, "ok", text);
    fputs("<p><a href=\"/login\">Back to the login</a></p>\n", c->out);
    page_end(c);
    web_html(c, 200);
}

/* A request for a link, past the checks of page_reset_post(). */
static void reset_post(struct web_ctx *c, uint64_t t0)
{
    const char *login = form_get(&c->post, "username");
    char name[sizeof((struct user *)0)->login];
    if (!login || !login[0] || login_normalise(login, name, sizeof name) != 0) {
        ask_form(c, 400, "Enter your email address or user name.", NULL);
        return;
    }
    char account_key[sizeof name + 8], address_key[ADDR_STR_LEN + 32], to[256];
    snprintf(account_key, sizeof account_key, "reset:%s", name);
    login_address_key(&c->client, address_key + 6, sizeof address_key - 6);
    memcpy(address_key, "reset-", 6); /* "reset-addr:192.0.2.7" */
    struct user u;
    struct reset_row row;
    struct mail_row mail;
    char *body = NULL;
    struct reset_request q = {account_key, address_key, c->now_ms, NULL, &mail, false};
    int rc = store_user_get(c->store, name, &u);
    if (rc != 0 && rc != ERR_NOT_FOUND)
        log_warn("password reset: cannot read a user: %s", c->store->ops->last_error(c->store));
    else if (rc == 0 && recipient(c->store, &u, to, sizeof to) &&
             make_mail(c, &u, to, &row, &mail, &body) == 0)
        q.row = &row;
    /* A failure answers as a success does: anything else would tell who has an account. */
    if (store_transaction(c->store, count_request, &q) != 0) {
        log_warn("password reset: the store failed: %s", c->store->ops->last_error(c->store));
        c->store_failed = true;
    } else if (q.is_queued) {
        log_info("password reset link for %s queued, asked from %s", u.login, c->client_text);
    }
    free(body);
    sent_page(c, t0);
}

void page_reset_post(struct web_ctx *c)
{
    uint64_t t0 = web_mono_ms();
    if (is_off(c))
        return;
    if (c->role != ROLE_ANON) {
        web_redirect(c, "/password");
        return;
    }
    if (atomic_fetch_add(&resets_waiting, 1) >= RESET_WAITING_MAX) {
        atomic_fetch_sub(&resets_waiting, 1);
        web_error(c, 503,
                  "Many people are asking for a link just now; please try again in a "
                  "minute");
        return;
    }
    reset_post(c, t0);
    atomic_fetch_sub(&resets_waiting, 1);
}

/* ---- using a link ---- */

static void invalid_page(struct web_ctx *c)
{
    page_begin(c, "This link is not valid any more");
    paragraph(c, NULL, "It was used, it expired, or it was never ours. Ask for a new one.");
    fputs("<p><a href=\"/reset\">Ask for a new link</a></p>\n", c->out);
    page_end(c);
    web_html(c, 410);
}

static void new_password_form(struct web_ctx *c, int status, const char *error,
                              const struct user *u)
{
    const char *csrf;
    if (!form_token(c, &csrf))
        return;
    page_begin(c, "Set a new password");
    if (error)
        paragraph(c, "error", error);
    fputs("<section>\n<p>For ", c->out);
    page_text(c, u->login);
    fputs(".</p>\n<form method=\"post\" action=\"/reset/", c->out);
    page_attr(c, c->tail); /* checked: base64url */
    fputs("\">\n<input type=\"hidden\" name=\"csrf\" value=\"", c->out);
    page_attr(c, csrf);
    fputs("\">\n<label for=\"new\">New password (at least 8 characters)</label>\n"
          "<input type=\"password\" id=\"new\" name=\"new\" autocomplete=\"new-password\" "
          "required minlength=\"8\" autofocus>\n"
          "<label for=\"confirm\">New password again</label>\n"
          "<input type=\"password\" id=\"confirm\" name=\"confirm\" "
          "autocomplete=\"new-password\" required minlength=\"8\">\n"
          "<button>Set the password</button>\n</form>\n"
          "<p>Every device logged in as you is logged out.</p>\n</section>\n",
          c->out);
    page_end(c);
    web_html(c, status);
}

/* The link's user while the link is good. Returns 0, ERR_NOT_FOUND (answered: the invalid
 * page) or ERR_STORE (answered). */
static int link_user(struct web_ctx *c, char *hash, struct user *u)
{
    if (!token_is_wellformed(c->tail)) {
        invalid_page(c);
        return ERR_NOT_FOUND;
    }
    token_hash(c->tail, hash);
    int rc = store_reset_get(c->store, hash, c->now_ms, u);
    if (rc == ERR_NOT_FOUND)
        invalid_page(c);
    else if (rc != 0)
        web_store_failed(c, "password reset");
    return rc;
}

void page_reset_link_get(struct web_ctx *c)
{
    if (is_off(c))
        return;
    char hash[TOKEN_HASH_LEN + 1];
    struct user u;
    if (link_user(c, hash, &u) == 0)
        new_password_form(c, 200, NULL, &u);
}

/* What the POST of a link does in one transaction: take the link, store the hash, end the
 * user's sessions. A failure rolls all of it back, so the link stays good. */
struct reset_use {
    const char *token_hash, *password_hash;
    uint64_t now_ms;
    struct user user; /* OUT: the link's user */
};

static int use_link(struct store *s, void *ctx)
{
    struct reset_use *r = ctx;
    int rc = store_reset_take(s, r->token_hash, r->now_ms, &r->user);
    if (rc == 0)
        rc = store_user_set_password(s, r->user.id, r->password_hash);
    if (rc == 0)
        rc = store_session_remove_user(s, r->user.id, NULL);
    return rc;
}

void page_reset_link_post(struct web_ctx *c)
{
    if (is_off(c))
        return;
    char token_hash_hex[TOKEN_HASH_LEN + 1], errbuf[ERR_BUF_LEN], hash[PASSWORD_HASH_MAX];
    struct user u;
    if (link_user(c, token_hash_hex, &u) != 0)
        return;
    const char *fresh = form_get(&c->post, "new"), *confirm = form_get(&c->post, "confirm");
    if (!fresh || !confirm) {
        new_password_form(c, 400, "Fill in both fields.", &u);
        return;
    }
    if (strcmp(fresh, confirm) != 0) {
        new_password_form(c, 400, "The two passwords differ.", &u);
        return;
    }
    if (password_check_new(fresh, errbuf) != 0) {
        new_password_form(c, 400, errbuf, &u);
        return;
    }
    if (password_hash(fresh, hash, errbuf) != 0) {
        log_warn("password reset: %s", errbuf);
        web_error(c, 503, "The service is busy; please try again in a moment");
        return;
    }
    /* hashed first: the link is used only once the new hash is there to store */
    struct reset_use r = {token_hash_hex, hash, c->now_ms, {0}};
    int rc = store_transaction(c->store, use_link, &r);
    if (rc == ERR_NOT_FOUND) { /* used or expired since the check above */
        invalid_page(c);
        return;
    }
    if (rc != 0) {
        web_store_failed(c, "password reset");
        return;
    }
    log_info("%s set a new password with a reset link, from %s", r.user.login, c->client_text);
    if (c->session_token[0]) { /* whoever was logged in in this browser is not any more */
        session_end(c->store, c->session_token);
        web_cookie(c, WEB_SESSION_COOKIE, "", 0);
    }
    web_redirect(c, "/login?reset=done");
}
