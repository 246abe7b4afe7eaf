// SPDX-License-Identifier: MIT
// The HTTP server under the portal: libmicrohttpd, seen only by server.c. Everything above
// it sees a request as plain fields and answers with a plain response, so the pages, the
// API and their tests never meet the library. The server owns the limits that protect the
// process (header and body size, connections in all and per address, timeouts) and TLS.
#ifndef FT_WEB_SERVER_H
#define FT_WEB_SERVER_H

#include "../base/addr.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A request as the handler sees it. Strings are borrowed for the handler's call. */
struct web_request {
    const char *method; /* "GET", "POST", ... */
    const char *target; /* as sent: path and query, not decoded */
    const char *body;   /* POST body (NUL-terminated, body_len bytes before the NUL) */
    size_t body_len;
    struct ip_addr peer; /* the TCP peer (a proxy's address behind one) */
    bool tls;            /* arrived over TLS */
    void *conn;          /* the server's, for web_request_header() */
};

/* The value of a request header (case-insensitive name), or NULL. A header sent twice
 * gives the first. */
const char *web_request_header(const struct web_request *rq, const char *name);

#define WEB_MAX_HEADERS 16

/* What a handler answers. body is owned (malloc'd) and freed by the server. */
struct web_response {
    int status;
    const char *content_type; /* static */
    char *body;
    size_t body_len;
    struct {
        const char *name;
        char value[512];
    } headers[WEB_MAX_HEADERS];
    size_t n_headers;
};

/* Adds a header (the name must be static). Past WEB_MAX_HEADERS the header is dropped and
 * logged: a programming error, not a request's. */
void web_response_header(struct web_response *rs, const char *name, const char *value);

typedef void web_handler_fn(void *ctx, const struct web_request *rq, struct web_response *rs);

struct web_server_options {
    const char *listen;       /* "ADDR:PORT" or "[ADDR]:PORT"; port 0 picks one */
    const char *tls_cert_pem; /* certificate chain and key, PEM text (not paths); */
    const char *tls_key_pem;  /* both NULL: plain HTTP */
    unsigned threads;         /* worker threads (each serves many connections) */
    unsigned max_connections; /* at once, in all */
    unsigned max_per_address; /* at once, from one address */
    unsigned timeout_s;       /* a connection idle this long is closed */
    size_t max_header_bytes;  /* request line and headers */
    size_t max_body_bytes;    /* a larger body gets 413 */
    web_handler_fn *handler;  /* called on a worker thread, concurrently */
    void *ctx;
};

struct web_server;

/* Binds and starts serving. Returns the server, or NULL with a message in errbuf
 * (ERR_BUF_LEN). */
struct web_server *web_server_start(const struct web_server_options *o, char *errbuf);
/* The port it listens on (the one picked, for port 0). */
uint16_t web_server_port(const struct web_server *s);
/* Stops accepting, finishes what runs, frees the server. NULL is a no-op. */
void web_server_stop(struct web_server *s);

/* Whether the HTTP server takes this PEM certificate and key: libmicrohttpd sets up its TLS
 * credentials as web_server_start() would, without a socket or a thread. Returns 0, or -1
 * with errbuf. */
int web_server_check_tls(const char *cert_pem, const char *key_pem, char *errbuf);

#endif
