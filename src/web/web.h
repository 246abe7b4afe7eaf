// SPDX-License-Identifier: MIT
// The portal and its JSON API, as the daemon (`web` key) and `flowtally web` start it:
// the server, the pages and the store connections its threads read through. Web work
// never touches the collector's store connection, so it never delays a flush.
#ifndef FT_WEB_H
#define FT_WEB_H

#include "../base/prefix.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct web_options {
    const char *db;       /* the store, as --db takes it */
    const char *listen;   /* ADDR:PORT list, comma-separated */
    const char *tls_cert; /* PEM file paths; both empty: plain HTTP */
    const char *tls_key;
    const struct prefix_trie *trusted_proxies; /* whose X-Forwarded-For is believed (NULL:
                                                * nobody's); borrowed for the web's life */
    const struct prefix_trie *metrics_allow;   /* the clients /metrics answers (NULL: none);
                                                * borrowed likewise */
    const char *operator_name;                 /* shown on every page */
    const char *operator_address; /* printed on bills, lines split at " | "; NULL, "": none */
    const char *logo;             /* an SVG or PNG file replacing the built-in logo, or "";
                                   * a PNG is printed on bills too */
    const char *accent;           /* the brand colour, "#rrggbb" */
    const char *templates;        /* a directory of templates replacing the built-in ones */
    unsigned threads, max_connections, max_per_address, timeout_s;
    uint64_t session_idle_s, session_max_s;
    unsigned device_limit; /* MACs a customer may register */
    const char *arp_table; /* the neighbour table to find a device without a lease, or "" */
    bool demo;             /* the demo store: every page says so */

    /* the directory (LDAP) checking the users without a local password */
    const char *ldap_uri;     /* libldap's URI list; NULL or "": none */
    const char *ldap_bind_dn; /* the DN to bind as, %u the login (escaped) */
    unsigned ldap_timeout_ms; /* for each connection and each answer */
    bool ldap_starttls;       /* STARTTLS before the bind */

    /* password reset by mail: offered when web_url is set and has_mail */
    const char *web_url;        /* the portal's public address, which links start with, or "" */
    bool has_mail;              /* smtp and mail_from are set (a daemon sends the queue) */
    const char *mail_from;      /* From: of the reset mail */
    const char *mail_templates; /* the message templates' directory, or "": built in */
    uint64_t reset_valid_s;     /* how long a reset link works */
};

struct web;

/* Starts serving on every address of o->listen. Returns NULL with errbuf (ERR_BUF_LEN). */
struct web *web_start(const struct web_options *o, char *errbuf);
/* Loads what web_start() would (the logo, the templates, the reset mail's texts, the TLS
 * certificate and key, which the HTTP server's own TLS set-up must take) without listening
 * or opening the store: for `run --check-config`. Returns 0, or -1 with errbuf. */
int web_check(const struct web_options *o, char *errbuf);
/* Prints one "web: listening on http://ADDR:PORT" line per address. */
void web_print_listening(const struct web *w, FILE *out);
/* Hands the web the tries of its options to free when it stops (either may be NULL). */
void web_set_owned_tries(struct web *w, struct prefix_trie *trusted, struct prefix_trie *metrics);
void web_stop(struct web *w);

#endif
