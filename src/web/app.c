// SPDX-License-Identifier: MIT
// The portal's dispatcher: every request passes here, in this order, before any page sees
// it: the target split and decoded (form.c), the client's address (X-Forwarded-For only
// from a trusted proxy), the query and form fields parsed, the session resumed from its
// cookie, the route found and the role checked against it, and for every POST the CSRF
// token compared. Security headers go on every answer. A route a role may not use answers
// exactly as a route that does not exist.
#include "app.h"

#include "../alert/message.h"
#include "../base/err.h"
#include "../base/xalloc.h"
#include "../auth/token.h"
#include "../report/report.h"
#include "fragments.h"
#include "page.h"
#include "pool.h"

#include <errno.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LOG_TAG "web"
#include "../base/log.h"

#define WEB_MAX_LISTEN 8
#define WEB_MAX_BODY 16384
#define WEB_MAX_HEADER 16384

/* Parts of pages kept as drawn: a customer's page keeps one (its charts and tables), so
 * this is the pages of the last few hundred customers between two flushes (tens of kB
 * each). */
#define WEB_FRAGMENTS 512

struct web {
    struct web_options opt;
    struct web_server *servers[WEB_MAX_LISTEN];
    size_t n_servers;
    struct web_pool *pool;
    struct fragments *fragments; /* pages' parts as drawn, shared by the threads */
    struct page_assets assets;
    char *tls_cert, *tls_key;                          /* PEM text, kept while the servers run */
    struct prefix_trie *owned_trusted, *owned_metrics; /* the options' tries, freed at stop */
    struct message_texts reset_texts; /* the reset mail's; empty when resets are off */
};

struct route {
    const char *method;
    const char *path;  /* exact, or a prefix when it ends in '/' and `tail` is set */
    bool tail;         /* the rest of the path is the route's argument */
    const char *after; /* with tail: what must follow the argument ("" for nothing) */
    unsigned roles;    /* who may use it */
    web_route_fn *fn;
};

static const struct route routes[] = {
    {"GET", "/", false, NULL, ROLE_ANON | ROLE_USER, page_home},
    {"GET", "/login", false, NULL, ROLE_ANON | ROLE_USER, page_login_get},
    {"POST", "/login", false, NULL, ROLE_ANON | ROLE_USER, page_login_post},
    {"POST", "/logout", false, NULL, ROLE_USER, page_logout_post},
    {"GET", "/password", false, NULL, ROLE_USER, page_password_get},
    {"POST", "/password", false, NULL, ROLE_USER, page_password_post},
    /* a password reset link by mail (pages_reset.c): asked for, and used */
    {"GET", "/reset", false, NULL, ROLE_ANON | ROLE_USER, page_reset_get},
    {"POST", "/reset", false, NULL, ROLE_ANON | ROLE_USER, page_reset_post},
    {"GET", "/reset/", true, "", ROLE_ANON | ROLE_USER, page_reset_link_get},
    {"POST", "/reset/", true, "", ROLE_ANON | ROLE_USER, page_reset_link_post},
    {"GET", "/usage", false, NULL, ROLE_CUSTOMER, page_usage},
    {"GET", "/cycles", false, NULL, ROLE_CUSTOMER, page_cycles},
    {"GET", "/devices", false, NULL, ROLE_CUSTOMER, page_devices},
    /* a customer's own subscriber's documents; staff any (invoices.c decides) */
    {"GET", "/invoices/", true, "", ROLE_USER, page_invoice},
    {"POST", "/devices", false, NULL, ROLE_CUSTOMER, page_device_register},
    {"POST", "/alerts", false, NULL, ROLE_CUSTOMER, page_alerts_post},
    {"GET", "/staff", false, NULL, ROLE_STAFFS, page_staff},
    {"GET", "/staff/subscribers/", true, "", ROLE_STAFFS, page_staff_subscriber},
    {"GET", "/staff/unassigned", false, NULL, ROLE_STAFFS, page_staff_unassigned},
    {"GET", "/staff/exporters", false, NULL, ROLE_STAFFS, page_staff_exporters},
    {"GET", "/staff/invoices", false, NULL, ROLE_STAFFS, page_staff_invoices},
    {"GET", "/api/v1/usage", false, NULL, ROLE_USER, api_usage},
    {"GET", "/api/v1/subscribers/", true, "/usage", ROLE_USER, api_subscriber_usage},
    {"GET", "/api/v1/invoices", false, NULL, ROLE_USER, api_invoices},
    /* Prometheus's scrape: by client address (metrics_allow), whoever is logged in */
    {"GET", "/metrics", false, NULL, ROLE_ANON | ROLE_USER, api_metrics},
    {"GET", "/assets/style.css", false, NULL, ROLE_ANON | ROLE_USER, asset_style},
    {"GET", "/assets/logo", false, NULL, ROLE_ANON | ROLE_USER, asset_logo},
};

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- answers ---- */

static void security_headers(struct web_ctx *c)
{
    struct web_response *rs = c->rs;
    /* No script at all: the pages work without it, so none is allowed. */
    web_response_header(rs, "Content-Security-Policy",
                        "default-src 'none'; style-src 'self'; img-src 'self'; "
                        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'");
    web_response_header(rs, "X-Frame-Options", "DENY");
    web_response_header(rs, "X-Content-Type-Options", "nosniff");
    /* none at all: a password reset link's token is in the path (pages_reset.c) */
    web_response_header(rs, "Referrer-Policy", "no-referrer");
    if (c->rq->tls)
        web_response_header(rs, "Strict-Transport-Security", "max-age=31536000");
}

void web_answer(struct web_ctx *c, int status, const char *type)
{
    fclose(c->out);
    c->out = NULL;
    c->rs->status = status;
    c->rs->content_type = type;
    c->rs->body = c->out_buf;
    c->rs->body_len = c->out_len;
    c->out_buf = NULL;
}

/* Pages and API answers hold personal data: no cache keeps them. */
void web_html(struct web_ctx *c, int status)
{
    web_response_header(c->rs, "Cache-Control", "no-store");
    web_answer(c, status, "text/html; charset=utf-8");
}

void web_json(struct web_ctx *c, int status)
{
    web_response_header(c->rs, "Cache-Control", "no-store");
    web_answer(c, status, "application/json");
}

void web_redirect(struct web_ctx *c, const char *path)
{
    web_response_header(c->rs, "Location", path);
    web_answer(c, 303, "text/plain; charset=utf-8");
}

void web_error(struct web_ctx *c, int status, const char *message)
{
    bool api = strncmp(c->path, "/api/", 5) == 0;
    page_discard(c); /* whatever a page began is not sent */
    if (api) {
        fprintf(c->out, "{\"error\":\"%s\"}\n", message); /* messages are ours: no quotes */
        web_json(c, status);
        return;
    }
    page_begin(c, message); /* the heading says it all */
    fputs("<p><a href=\"/\">Back to the start page</a></p>\n", c->out);
    page_end(c);
    web_html(c, status);
}

void web_not_found(struct web_ctx *c)
{
    web_error(c, 404, "Not found");
}

void web_store_failed(struct web_ctx *c, const char *what)
{
    log_warn("%s: the store failed: %s", what, c->store->ops->last_error(c->store));
    c->store_failed = true;
    web_error(c, 503, "The service is busy; please try again in a moment");
}

void web_cookie(struct web_ctx *c, const char *name, const char *value, uint64_t max_age_s)
{
    char v[512];
    snprintf(v, sizeof v, "%s=%s; Path=/; HttpOnly; SameSite=Lax; Max-Age=%llu%s", name, value,
             (unsigned long long)max_age_s, c->rq->tls ? "; Secure" : "");
    web_response_header(c->rs, "Set-Cookie", v);
}

/* ---- resolving the request ---- */

/* The client: the TCP peer, or behind trusted proxies the address the last of them saw
 * (the rightmost X-Forwarded-For entry that is not itself a trusted proxy). */
static void client_address(struct web_ctx *c)
{
    c->client = c->rq->peer;
    const struct prefix_trie *trusted = c->opt->trusted_proxies;
    uint32_t v;
    const char *xff = web_request_header(c->rq, "X-Forwarded-For");
    if (trusted && xff && prefix_trie_lookup(trusted, &c->client, &v)) {
        char list[1024];
        snprintf(list, sizeof list, "%s", xff);
        for (char *end = list + strlen(list); end > list;) {
            char *comma = end;
            while (comma > list && comma[-1] != ',')
                comma--;
            char *item = comma;
            while (*item == ' ' || *item == '\t')
                item++;
            char *e = end;
            while (e > item && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            *e = '\0';
            struct ip_addr a;
            if (addr_parse(item, &a) != 0)
                break; /* garbage: believe nothing further left */
            c->client = a;
            if (!prefix_trie_lookup(trusted, &a, &v))
                break;
            end = comma > list ? comma - 1 : list;
        }
    }
    addr_format(&c->client, c->client_text);
}

static const struct route *find_route(struct web_ctx *c, bool *path_known)
{
    *path_known = false;
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const struct route *r = &routes[i];
        size_t n = strlen(r->path);
        const char *tail = "";
        if (r->tail) {
            if (strncmp(c->path, r->path, n) != 0)
                continue;
            const char *arg = c->path + n, *slash = strchr(arg, '/');
            size_t arg_len = slash ? (size_t)(slash - arg) : strlen(arg);
            if (arg_len == 0 || strcmp(arg + arg_len, r->after) != 0)
                continue;
            static _Thread_local char arg_buf[WEB_PATH_MAX];
            memcpy(arg_buf, arg, arg_len);
            arg_buf[arg_len] = '\0';
            tail = arg_buf;
        } else if (strcmp(c->path, r->path) != 0) {
            continue;
        }
        *path_known = true;
        if (strcmp(c->rq->method, r->method) == 0 ||
            (strcmp(r->method, "GET") == 0 && strcmp(c->rq->method, "HEAD") == 0)) {
            c->tail = tail;
            return r;
        }
    }
    return NULL;
}

static void resume_session(struct web_ctx *c)
{
    c->role = ROLE_ANON;
    const char *cookies = web_request_header(c->rq, "Cookie");
    if (cookies &&
        form_cookie(cookies, WEB_LOGIN_COOKIE, c->login_token, sizeof c->login_token) != 1)
        c->login_token[0] = '\0';
    if (!cookies ||
        form_cookie(cookies, WEB_SESSION_COOKIE, c->session_token, sizeof c->session_token) != 1) {
        c->session_token[0] = '\0';
        return;
    }
    int rc = session_resume(c->store, c->session_token, &c->policy, c->now_ms, &c->session);
    if (rc != 0) {
        if (rc != ERR_NOT_FOUND)
            log_warn("cannot read a session: %s", c->store->ops->last_error(c->store));
        c->session_token[0] = '\0';
        return;
    }
    const char *role = c->session.user.role;
    c->role = strcmp(role, "admin") == 0   ? ROLE_ADMIN
              : strcmp(role, "staff") == 0 ? ROLE_STAFF
                                           : ROLE_CUSTOMER;
}

/* A POST's token: the session's, or before a login the login cookie's. */
static bool csrf_ok(struct web_ctx *c)
{
    const char *sent = form_get(&c->post, "csrf");
    if (!sent)
        return false;
    if (c->role != ROLE_ANON)
        return token_equal(sent, c->session.row.csrf);
    return c->login_token[0] && token_equal(sent, c->login_token);
}

static void dispatch(struct web_ctx *c)
{
    const char *query;
    char errbuf[ERR_BUF_LEN];
    if (form_split_target(c->rq->target, c->path, sizeof c->path, &query) != 0) {
        snprintf(c->path, sizeof c->path, "/");
        web_not_found(c);
        return;
    }
    if (form_parse(&c->query, query, strlen(query), errbuf) != 0) {
        web_error(c, 400, "Malformed query");
        return;
    }
    resume_session(c);
    bool path_known;
    const struct route *r = find_route(c, &path_known);
    if (!r) {
        if (path_known)
            web_error(c, 405, "Method not allowed");
        else
            web_not_found(c);
        return;
    }
    if (!(r->roles & c->role)) {
        if (c->role == ROLE_ANON && strncmp(c->path, "/api/", 5) == 0)
            web_error(c, 401, "Log in first");
        else if (c->role == ROLE_ANON)
            web_redirect(c, "/login");
        else
            web_not_found(c);
        return;
    }
    if (strcmp(r->method, "POST") == 0) {
        const char *type = web_request_header(c->rq, "Content-Type");
        if (!type || strncmp(type, "application/x-www-form-urlencoded", 33) != 0) {
            web_error(c, 415, "Expected a form");
            return;
        }
        if (form_parse(&c->post, c->rq->body, c->rq->body_len, errbuf) != 0) {
            web_error(c, 400, "Malformed form");
            return;
        }
        if (!csrf_ok(c)) {
            web_error(c, 403, "This form has expired; please reload the page and try again");
            return;
        }
    }
    r->fn(c);
}

uint64_t web_mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void web_sleep_until(uint64_t deadline_ms)
{
    uint64_t now = web_mono_ms();
    if (now >= deadline_ms)
        return;
    uint64_t ms = deadline_ms - now;
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

FILE *web_buffer_open(char **buf, size_t *len)
{
    FILE *f = open_memstream(buf, len);
    if (f)
        __fsetlocking(f, FSETLOCKING_BYCALLER);
    return f;
}

static void handle(void *ctx, const struct web_request *rq, struct web_response *rs)
{
    struct web *w = ctx;
    struct web_ctx c = {.app = w, .opt = &w->opt, .rq = rq, .rs = rs, .fragments = w->fragments};
    c.now_ms = wall_ms();
    c.policy = (struct session_policy){.idle_ms = w->opt.session_idle_s * 1000,
                                       .max_ms = w->opt.session_max_s * 1000};
    c.out = web_buffer_open(&c.out_buf, &c.out_len);
    if (!c.out) {
        rs->status = 500;
        return;
    }
    client_address(&c);
    security_headers(&c);
    c.store = web_pool_take(w->pool);
    if (!c.store) {
        snprintf(c.path, sizeof c.path, "/");
        web_error(&c, 503, "The service is busy; please try again in a moment");
    } else {
        dispatch(&c);
        web_pool_give(w->pool, c.store, c.store_failed);
    }
    if (c.out) /* a route that wrote no answer: a bug, not the visitor's */
        web_error(&c, 500, "Internal error");
    form_free(&c.query);
    form_free(&c.post);
}

const struct page_assets *web_assets(const struct web_ctx *c)
{
    return &c->app->assets;
}

const struct message_texts *web_reset_texts(const struct web_ctx *c)
{
    return c->app->reset_texts.subject ? &c->app->reset_texts : NULL;
}

/* ---- start and stop ---- */

static char *read_file(const char *path, size_t *len, char *errbuf)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(errbuf, ERR_BUF_LEN, "web: cannot read %s: %s", path, strerror(errno));
        return NULL;
    }
    char *buf = NULL;
    size_t n = 0;
    FILE *mem = open_memstream(&buf, &n);
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        fwrite(chunk, 1, got, mem);
    fclose(f);
    fclose(mem);
    *len = n;
    return buf;
}

/* The files the portal reads once, at start: the logo, the templates, the reset mail's texts
 * and the TLS pair (which the HTTP server must take). Returns 0, or -1 with errbuf (w is then for
 * web_stop() to free). */
static int load_files(struct web *w, const struct web_options *o, char *errbuf)
{
    size_t len;
    if (page_assets_load(&w->assets, o, errbuf) != 0 ||
        pages_reset_load(&w->reset_texts, o, errbuf) != 0)
        return -1;
    if (!o->tls_cert[0] && !o->tls_key[0])
        return 0;
    if (!o->tls_cert[0] || !o->tls_key[0]) {
        snprintf(errbuf, ERR_BUF_LEN, "web: TLS needs both web_tls_cert and web_tls_key");
        return -1;
    }
    if (!(w->tls_cert = read_file(o->tls_cert, &len, errbuf)) ||
        !(w->tls_key = read_file(o->tls_key, &len, errbuf)))
        return -1;
    /* once, before any address is listened on, for the check's message rather than the
     * server's "cannot start" */
    return web_server_check_tls(w->tls_cert, w->tls_key, errbuf);
}

int web_check(const struct web_options *o, char *errbuf)
{
    struct web *w = xcalloc(1, sizeof *w);
    w->opt = *o;
    int rc = load_files(w, o, errbuf);
    web_stop(w);
    return rc == 0 ? 0 : -1;
}

struct web *web_start(const struct web_options *o, char *errbuf)
{
    struct web *w = xcalloc(1, sizeof *w);
    w->opt = *o;
    if (load_files(w, o, errbuf) != 0)
        goto fail;
    w->pool = web_pool_new(o->db, o->threads, errbuf);
    if (!w->pool)
        goto fail;
    w->fragments = fragments_new(WEB_FRAGMENTS);
    /* the demo store (`flowtally run --demo`) says so on every page, whoever started us */
    struct store *check = web_pool_take(w->pool);
    if (check) {
        w->opt.demo |= report_is_demo(check);
        web_pool_give(w->pool, check, false);
    }
    char list[1024];
    snprintf(list, sizeof list, "%s", o->listen);
    char *save = NULL;
    for (char *item = strtok_r(list, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        if (w->n_servers == WEB_MAX_LISTEN) {
            snprintf(errbuf, ERR_BUF_LEN, "web: more than %d addresses", WEB_MAX_LISTEN);
            goto fail;
        }
        struct web_server_options so = {.listen = item,
                                        .tls_cert_pem = w->tls_cert,
                                        .tls_key_pem = w->tls_key,
                                        .threads = o->threads,
                                        .max_connections = o->max_connections,
                                        .max_per_address = o->max_per_address,
                                        .timeout_s = o->timeout_s,
                                        .max_header_bytes = WEB_MAX_HEADER,
                                        .max_body_bytes = WEB_MAX_BODY,
                                        .handler = handle,
                                        .ctx = w};
        w->servers[w->n_servers] = web_server_start(&so, errbuf);
        if (!w->servers[w->n_servers])
            goto fail;
        w->n_servers++;
    }
    return w;
fail:
    web_stop(w);
    return NULL;
}

void web_print_listening(const struct web *w, FILE *out)
{
    char list[1024];
    snprintf(list, sizeof list, "%s", w->opt.listen);
    char *save = NULL;
    size_t i = 0;
    for (char *item = strtok_r(list, ",", &save); item && i < w->n_servers;
         item = strtok_r(NULL, ",", &save), i++) {
        char *colon = strrchr(item, ':');
        if (colon)
            *colon = '\0';
        fprintf(out, "web: listening on %s://%s:%u\n", w->opt.tls_cert[0] ? "https" : "http", item,
                web_server_port(w->servers[i]));
    }
}

void web_set_owned_tries(struct web *w, struct prefix_trie *trusted, struct prefix_trie *metrics)
{
    w->owned_trusted = trusted;
    w->owned_metrics = metrics;
}

void web_stop(struct web *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_servers; i++)
        web_server_stop(w->servers[i]);
    web_pool_free(w->pool);
    fragments_free(w->fragments);
    page_assets_free(&w->assets);
    message_texts_free(&w->reset_texts);
    free(w->tls_cert);
    free(w->tls_key);
    if (w->owned_trusted)
        prefix_trie_free(w->owned_trusted);
    if (w->owned_metrics)
        prefix_trie_free(w->owned_metrics);
    free(w);
}
