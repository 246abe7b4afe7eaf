// SPDX-License-Identifier: MIT
// Sending one message by SMTP (libcurl; this is the only file that includes curl's
// header): smtp:// with STARTTLS when the server offers it (required with tls_required),
// or smtps:// (TLS from the start); AUTH when a user is set. The password never reaches a
// log or an error message.
#ifndef FT_SMTP_H
#define FT_SMTP_H

#include <stdbool.h>
#include <stddef.h>

struct smtp_config {
    const char *url;      /* smtp://host:port or smtps://host:port */
    const char *user;     /* "" = no AUTH */
    const char *password; /* secret */
    bool tls_required;    /* smtp://: refuse to send without STARTTLS */
    const char *ca_file;  /* "" = the system's CAs; a file for a private CA (tests) */
    long timeout_s;       /* to connect, and the longest silence waiting for a reply (0:
                           * 30 s); the whole exchange takes at most 10 times this */
};

enum smtp_result {
    SMTP_SENT = 0,
    SMTP_RETRY = 1,     /* worth trying again later: no connection, a timeout, a 4xx reply,
                         * TLS failed, and what the operator must mend for every message
                         * (a refused login, a server that wants one, STARTTLS required but
                         * not offered, a URL or sender address that is no good) */
    SMTP_PERMANENT = 2, /* this message will not go: a 5xx reply to MAIL FROM, to every
                         * recipient, to DATA or to the message; a recipient address that
                         * mime_address_ok() refuses */
};

/* Sends body (a whole message, CRLF lines) from the envelope sender to the recipients
 * (comma-separated, each mime_address_ok(); at most 64). Some recipients refused and
 * others taken is SENT. Returns an enum smtp_result; errbuf (ERR_BUF_LEN) is "" when sent,
 * else says what failed and how the server refused (its last 4xx or 5xx reply line),
 * never the password.
 * Thread-safe after smtp_global_init(). */
int smtp_send(const struct smtp_config *c, const char *from, const char *to, const char *body,
              size_t len, char *errbuf);

/* libcurl's global set-up, once, before any thread sends. Returns 0 or ERR_UNSUPPORTED. */
int smtp_global_init(void);

#endif
