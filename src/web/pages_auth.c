// SPDX-License-Identifier: MIT
// Logging in and out, and changing the password. A failed login answers no sooner than
// LOGIN_FLOOR_MS after it arrived, whatever the stored hash's scheme, so an unknown login,
// a wrong password for a yescrypt hash and one for an md5crypt hash look the same from
// outside; a success starts a new session (never the one the visitor came with).
#include "../auth/login.h"
#include "../auth/password.h"
#include "../auth/token.h"
#include "../base/err.h"
#include "app.h"
#include "page.h"

#include <string.h>
#include <time.h>

#define LOG_TAG "web"
#include "../base/log.h"

#define LOGIN_FLOOR_MS 300
#define LOGIN_COOKIE_S 3600

struct login_view {
    const char *message, *username, *csrf;
    const char *notice; /* what went well (a password reset), or NULL */
    bool reset;         /* a password reset link by mail is offered */
};

static void login_lookup(const void *ctx, const char *name, struct template_value *v)
{
    const struct login_view *lv = ctx;
    if (strcmp(name, "message") == 0)
        template_set_str(v, lv->message ? lv->message : "");
    else if (strcmp(name, "username") == 0)
        template_set_str(v, lv->username ? lv->username : "");
    else if (strcmp(name, "csrf") == 0)
        template_set_str(v, lv->csrf);
    else if (strcmp(name, "notice") == 0)
        template_set_str(v, lv->notice ? lv->notice : "");
    else if (strcmp(name, "reset") == 0)
        template_set_bool(v, lv->reset);
}

/* The login form, with a login cookie (the form's CSRF token) made if there is none. */
static void login_form(struct web_ctx *c, int status, const char *message, const char *username)
{
    if (!c->login_token[0]) {
        if (token_new(c->login_token) != 0) {
            web_error(c, 503, "The service is busy; please try again in a moment");
            return;
        }
        web_cookie(c, WEB_LOGIN_COOKIE, c->login_token, LOGIN_COOKIE_S);
    }
    /* after a reset (pages_reset.c redirects here with ?reset=done): a fixed text, never
     * one the query carries */
    const char *done = form_get(&c->query, "reset");
    struct login_view lv = {message, username, c->login_token,
                            done && strcmp(done, "done") == 0
                                ? "Your password was changed. Log in with the new one."
                                : NULL,
                            web_reset_texts(c) != NULL};
    page_begin(c, "Log in");
    page_render(c, TPL_LOGIN, login_lookup, &lv);
    page_end(c);
    web_html(c, status);
}

void page_login_get(struct web_ctx *c)
{
    if (c->role != ROLE_ANON) {
        web_redirect(c, "/");
        return;
    }
    login_form(c, 200, NULL, NULL);
}

void page_login_post(struct web_ctx *c)
{
    uint64_t t0 = web_mono_ms();
    const char *login = form_get(&c->post, "username"), *password = form_get(&c->post, "password");
    if (!login || !password || !login[0] || !password[0]) {
        login_form(c, 400, "Enter your email address or user name, and your password.", login);
        return;
    }
    struct user user;
    unsigned retry = 0;
    struct ldap_options ldap = {.uri = c->opt->ldap_uri,
                                .bind_dn = c->opt->ldap_bind_dn,
                                .timeout_ms = c->opt->ldap_timeout_ms,
                                .starttls = c->opt->ldap_starttls};
    enum login_result r =
        login_check_with(c->store, &ldap, login, password, &c->client, c->now_ms, &user, &retry);
    if (r == LOGIN_ERROR) {
        web_store_failed(c, "login");
        return;
    }
    if (r == LOGIN_UNAVAILABLE) { /* logged, with the directory's URI */
        web_error(c, 503, "The service is busy; please try again in a moment");
        return;
    }
    if (r == LOGIN_THROTTLED) {
        char msg[160], after[16];
        snprintf(msg, sizeof msg, "Too many failed attempts. Try again in %u seconds.", retry);
        snprintf(after, sizeof after, "%u", retry);
        web_response_header(c->rs, "Retry-After", after);
        login_form(c, 429, msg, login);
        return;
    }
    if (r == LOGIN_FAILED) {
        log_info("failed login from %s", c->client_text); /* never the login or password */
        web_sleep_until(t0 + LOGIN_FLOOR_MS);
        login_form(c, 401, "The user name or password is not right.", login);
        return;
    }
    if (c->session_token[0]) /* a session the visitor came with ends here */
        session_end(c->store, c->session_token);
    char token[TOKEN_LEN + 1];
    if (session_create(c->store, &user, &c->policy, c->now_ms, token, &c->session) != 0) {
        web_store_failed(c, "login");
        return;
    }
    log_info("%s logged in from %s", user.login, c->client_text);
    web_cookie(c, WEB_SESSION_COOKIE, token, c->opt->session_max_s);
    web_cookie(c, WEB_LOGIN_COOKIE, "", 0);
    web_redirect(c, "/");
}

void page_logout_post(struct web_ctx *c)
{
    const char *all = form_get(&c->post, "all");
    if (all && strcmp(all, "1") == 0)
        c->store->ops->session_remove_user(c->store, c->session.user.id, NULL);
    else
        session_end(c->store, c->session_token);
    web_cookie(c, WEB_SESSION_COOKIE, "", 0);
    web_redirect(c, "/login");
}

static void password_form(struct web_ctx *c, int status, const char *error, const char *done)
{
    page_begin(c, "Password");
    if (error) {
        fputs("<p class=\"error\" role=\"alert\">", c->out);
        page_text(c, error);
        fputs("</p>\n", c->out);
    }
    if (done) {
        fputs("<p class=\"ok\" role=\"status\">", c->out);
        page_text(c, done);
        fputs("</p>\n", c->out);
    }
    fputs("<section><h2>Change your password</h2>\n<form method=\"post\" action=\"/password\">",
          c->out);
    page_csrf_field(c);
    fputs("\n<label for=\"current\">Current password</label>\n"
          "<input type=\"password\" id=\"current\" name=\"current\" "
          "autocomplete=\"current-password\" required>\n"
          "<label for=\"new\">New password (at least 8 characters)</label>\n"
          "<input type=\"password\" id=\"new\" name=\"new\" autocomplete=\"new-password\" "
          "required minlength=\"8\">\n"
          "<label for=\"confirm\">New password again</label>\n"
          "<input type=\"password\" id=\"confirm\" name=\"confirm\" "
          "autocomplete=\"new-password\" required minlength=\"8\">\n"
          "<button>Change password</button>\n</form></section>\n"
          "<section><h2>Sessions</h2>\n"
          "<form method=\"post\" action=\"/logout\">",
          c->out);
    page_csrf_field(c);
    fputs("<input type=\"hidden\" name=\"all\" value=\"1\">"
          "<p>Log out on every device where you are logged in.</p>"
          "<button>Log out everywhere</button></form></section>\n",
          c->out);
    page_end(c);
    web_html(c, status);
}

void page_password_get(struct web_ctx *c)
{
    password_form(c, 200, NULL, NULL);
}

void page_password_post(struct web_ctx *c)
{
    const char *current = form_get(&c->post, "current"), *fresh = form_get(&c->post, "new"),
               *confirm = form_get(&c->post, "confirm");
    char errbuf[ERR_BUF_LEN], hash[PASSWORD_HASH_MAX];
    if (!current || !fresh || !confirm) {
        password_form(c, 400, "Fill in all three fields.", NULL);
        return;
    }
    if (password_verify(c->session.user.password, current) != 1) {
        password_form(c, 400, "The current password is not right.", NULL);
        return;
    }
    if (strcmp(fresh, confirm) != 0) {
        password_form(c, 400, "The two new passwords differ.", NULL);
        return;
    }
    if (password_check_new(fresh, errbuf) != 0) {
        password_form(c, 400, errbuf, NULL);
        return;
    }
    if (password_hash(fresh, hash, errbuf) != 0 ||
        c->store->ops->user_set_password(c->store, c->session.user.id, hash) != 0) {
        web_store_failed(c, "password change");
        return;
    }
    /* Every other session ends; this one goes on under a new id. */
    char token[TOKEN_LEN + 1];
    c->store->ops->session_remove_user(c->store, c->session.user.id, NULL);
    snprintf(c->session.user.password, sizeof c->session.user.password, "%s", hash);
    if (session_create(c->store, &c->session.user, &c->policy, c->now_ms, token, &c->session) !=
        0) {
        web_store_failed(c, "password change");
        return;
    }
    log_info("%s changed the password", c->session.user.login);
    web_cookie(c, WEB_SESSION_COOKIE, token, c->opt->session_max_s);
    password_form(c, 200, NULL, "Your password was changed. Other sessions were logged out.");
}
