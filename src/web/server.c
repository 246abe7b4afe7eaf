// SPDX-License-Identifier: MIT
// libmicrohttpd under the portal (the only file that includes its header). A pool of
// worker threads, each with its own epoll loop, serves the connections; a request's body
// is gathered up to the configured limit and the handler is called once per request with
// everything in plain fields. The raw request target is taken before the library decodes
// it (URI log callback), so the one parser of paths and queries is ours (form.c), fuzzed.
#include "server.h"

#include "../base/err.h"
#include "../base/portowner.h"
#include "../base/xalloc.h"

#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LOG_TAG "web"
#include "../base/log.h"

struct web_server {
    struct MHD_Daemon *mhd;
    int listen_fd;
    uint16_t port;
    bool tls;
    size_t max_body;
    web_handler_fn *handler;
    void *ctx;
};

/* One request in progress: created when its request line arrives, freed when it ends. */
struct pending {
    char *target; /* owned: the raw request target */
    char *body;   /* owned */
    size_t len, cap;
    bool started; /* the access handler has been called once */
    bool too_big; /* the body passed the limit: the rest is discarded, 413 follows */
};

const char *web_request_header(const struct web_request *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

void web_response_header(struct web_response *rs, const char *name, const char *value)
{
    if (rs->n_headers == WEB_MAX_HEADERS) {
        log_error("response header %s dropped: more than %d headers", name, WEB_MAX_HEADERS);
        return;
    }
    rs->headers[rs->n_headers].name = name;
    snprintf(rs->headers[rs->n_headers].value, sizeof rs->headers[0].value, "%s", value);
    rs->n_headers++;
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    struct pending *p = xcalloc(1, sizeof *p);
    p->target = xstrdup(uri ? uri : "");
    return p;
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    (void)cls;
    (void)c;
    (void)why;
    struct pending *p = *con_cls;
    if (p) {
        free(p->target);
        free(p->body);
        free(p);
        *con_cls = NULL;
    }
}

__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    static struct log_rl rl;
    uint64_t dropped;
    if (!log_rl_allow(&rl, &dropped))
        return;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    log_info("libmicrohttpd: %s", msg);
}

static enum MHD_Result send_response(struct MHD_Connection *c, struct web_response *rs)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(rs->body_len, rs->body ? rs->body : (char *)"",
                                        rs->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        free(rs->body);
        return MHD_NO;
    }
    rs->body = NULL;
    if (rs->content_type)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, rs->content_type);
    for (size_t i = 0; i < rs->n_headers; i++)
        MHD_add_response_header(r, rs->headers[i].name, rs->headers[i].value);
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)rs->status, r);
    MHD_destroy_response(r);
    return ok;
}

static enum MHD_Result send_plain(struct MHD_Connection *c, int status, const char *text)
{
    struct web_response rs = {.status = status, .content_type = "text/plain; charset=utf-8"};
    rs.body = xstrdup(text);
    rs.body_len = strlen(text);
    web_response_header(&rs, "Connection", "close");
    return send_response(c, &rs);
}

static bool peer_of(struct MHD_Connection *c, struct ip_addr *out)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    memset(out, 0, sizeof *out);
    if (!ci || !ci->client_addr)
        return false;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
        *out = addr_from_v4(ntohl(sin->sin_addr.s_addr));
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        *out = addr_from_v6(((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr);
        return true;
    }
    return false;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)url;
    (void)version;
    struct web_server *s = cls;
    struct pending *p = *con_cls;
    if (!p)
        return MHD_NO;
    if (!p->started) {
        p->started = true;
        /* A body announced larger than the limit is refused before it is read. */
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > s->max_body)
            return send_plain(c, MHD_HTTP_CONTENT_TOO_LARGE, "Request body too large.\n");
        return MHD_YES;
    }
    if (*upload_size) {
        if (!p->too_big && p->len + *upload_size <= s->max_body) {
            if (p->len + *upload_size + 1 > p->cap) {
                p->cap = p->len + *upload_size + 1;
                p->body = xrealloc(p->body, p->cap);
            }
            memcpy(p->body + p->len, upload, *upload_size);
            p->len += *upload_size;
        } else {
            p->too_big = true;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    if (p->too_big)
        return send_plain(c, MHD_HTTP_CONTENT_TOO_LARGE, "Request body too large.\n");
    struct web_request rq = {.method = method,
                             .target = p->target,
                             .body = p->body ? p->body : "",
                             .body_len = p->len,
                             .tls = s->tls,
                             .conn = c};
    if (p->body)
        p->body[p->len] = '\0';
    if (!peer_of(c, &rq.peer))
        return send_plain(c, MHD_HTTP_BAD_REQUEST, "Bad request.\n");
    struct web_response rs = {.status = 500};
    s->handler(s->ctx, &rq, &rs);
    return send_response(c, &rs);
}

/* The listening socket, made here so that port 0 can be read back and IPv6 listens on
 * IPv6 only (a second `web` address serves IPv4). */
static int listen_on(const char *spec, uint16_t *port, char *errbuf)
{
    struct ip_addr addr;
    if (addr_parse_endpoint(spec, &addr, port) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "web: '%s': expected ADDR:PORT or [ADDR]:PORT", spec);
        return ERR_CONFIG;
    }
    struct sockaddr_storage ss;
    socklen_t len = addr_sockaddr(&addr, *port, &ss);
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(errbuf, ERR_BUF_LEN, "web: socket: %s", strerror(errno));
        return -errno;
    }
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (ss.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 128) != 0) {
        int e = errno;
        snprintf(errbuf, ERR_BUF_LEN, "web: cannot listen on %s: %s", spec, strerror(e));
        if (e == EADDRINUSE)
            portowner_hint(errbuf, spec, true, "web", "another web server or flowtally");
        close(fd);
        return -e;
    }
    struct sockaddr_storage got;
    socklen_t got_len = sizeof got;
    if (getsockname(fd, (struct sockaddr *)&got, &got_len) == 0)
        *port = ntohs(got.ss_family == AF_INET ? ((struct sockaddr_in *)&got)->sin_port
                                               : ((struct sockaddr_in6 *)&got)->sin6_port);
    return fd;
}

struct web_server *web_server_start(const struct web_server_options *o, char *errbuf)
{
    struct web_server *s = xcalloc(1, sizeof *s);
    s->handler = o->handler;
    s->ctx = o->ctx;
    s->max_body = o->max_body_bytes;
    s->tls = o->tls_cert_pem && o->tls_key_pem;
    s->listen_fd = listen_on(o->listen, &s->port, errbuf);
    if (s->listen_fd < 0) {
        free(s);
        return NULL;
    }
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
    if (s->tls)
        flags |= MHD_USE_TLS;
    /* The options array ends early (MHD_OPTION_END) when there is no TLS. */
    struct MHD_OptionItem tls_opts[] = {
        {s->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, (void *)o->tls_cert_pem},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)o->tls_key_pem},
        {MHD_OPTION_END, 0, NULL},
    };
    s->mhd = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_LISTEN_SOCKET, s->listen_fd, MHD_OPTION_THREAD_POOL_SIZE,
        o->threads ? o->threads : 1u, MHD_OPTION_CONNECTION_LIMIT, o->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, o->max_per_address, MHD_OPTION_CONNECTION_TIMEOUT,
        o->timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT, o->max_header_bytes,
        MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
        MHD_OPTION_ARRAY, tls_opts, MHD_OPTION_END);
    if (!s->mhd) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "web: cannot start the HTTP server on %s%s (see the log above)", o->listen,
                 s->tls ? " with TLS: is the certificate and key pair valid PEM?" : "");
        close(s->listen_fd);
        free(s);
        return NULL;
    }
    return s;
}

/* Keeps libmicrohttpd's first message of a check, which says what GnuTLS refused. */
__attribute__((format(printf, 2, 0))) static void on_check_log(void *cls, const char *fmt,
                                                               va_list ap)
{
    char *said = cls;
    if (said[0])
        return;
    vsnprintf(said, 200, fmt, ap);
    said[strcspn(said, "\r\n")] = '\0';
}

int web_server_check_tls(const char *cert_pem, const char *key_pem, char *errbuf)
{
    char said[200] = "";
    struct MHD_Daemon *mhd = MHD_start_daemon(
        MHD_USE_NO_LISTEN_SOCKET | MHD_USE_TLS | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, NULL,
        MHD_OPTION_EXTERNAL_LOGGER, on_check_log, said, MHD_OPTION_HTTPS_MEM_CERT, cert_pem,
        MHD_OPTION_HTTPS_MEM_KEY, key_pem, MHD_OPTION_END);
    if (!mhd) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "web: web_tls_cert and web_tls_key: expected a PEM certificate and its PEM "
                 "private key; libmicrohttpd says: %s",
                 said[0] ? said : "(nothing)");
        return -1;
    }
    MHD_stop_daemon(mhd);
    return 0;
}

uint16_t web_server_port(const struct web_server *s)
{
    return s->port;
}

void web_server_stop(struct web_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->mhd);
    close(s->listen_fd);
    free(s);
}
