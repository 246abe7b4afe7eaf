// SPDX-License-Identifier: MIT
// The portal's wiring: see webrun.h. `flowtally web` serves until TERM or INT.
#include "webrun.h"

#include "../base/err.h"
#include "../base/xalloc.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define LOG_TAG "web"
#include "../base/log.h"

/* The portal with the trie it borrows, freed together. */
struct webrun {
    struct web *web;
    struct prefix_trie *trusted;
};

/* The directory's keys taken together, at start rather than at the first login: a bind
 * DN without %u would bind every login as one entry, STARTTLS inside ldaps:// fails every
 * bind, and a URI libldap cannot read would too (each is an item of a space- or
 * comma-separated list, as ldap_initialize() takes it). */
static int check_ldap(const struct config *cfg, char *errbuf)
{
    if (!cfg->ldap_uri[0])
        return 0;
    if (!strstr(cfg->ldap_bind_dn, "%u")) {
        snprintf(errbuf, ERR_BUF_LEN, "ldap_bind_dn = '%s': expected a DN with %%u, the login",
                 cfg->ldap_bind_dn);
        return ERR_CONFIG;
    }
    for (const char *p = cfg->ldap_uri; *p;) {
        size_t n = strcspn(p, " ,");
        if (n && strncasecmp(p, "ldap://", 7) != 0 && strncasecmp(p, "ldaps://", 8) != 0 &&
            strncasecmp(p, "ldapi://", 8) != 0) {
            snprintf(errbuf, ERR_BUF_LEN,
                     "ldap_uri: bad item '%.*s': expected ldap://, ldaps:// or ldapi:// URIs "
                     "separated by spaces or commas",
                     (int)n, p);
            return ERR_CONFIG;
        }
        if (cfg->ldap_starttls && strncasecmp(p, "ldaps://", 8) == 0) {
            snprintf(errbuf, ERR_BUF_LEN,
                     "ldap_starttls = 1 with '%.*s': an ldaps:// connection is TLS already", (int)n,
                     p);
            return ERR_CONFIG;
        }
        p += n + (p[n] != '\0');
    }
    return 0;
}

/* The web's options from the configuration; trusted is borrowed by them. */
static void options_of(const struct config *cfg, bool demo, const struct prefix_trie *trusted,
                       struct web_options *o)
{
    *o = (struct web_options){.db = cfg->db,
                              .listen = cfg->web,
                              .tls_cert = cfg->web_tls_cert,
                              .tls_key = cfg->web_tls_key,
                              .trusted_proxies = trusted,
                              .operator_name = cfg->operator_name,
                              .operator_address = cfg->operator_address,
                              .logo = cfg->web_logo,
                              .accent = cfg->web_accent,
                              .templates = cfg->web_templates,
                              .threads = (unsigned)cfg->web_threads,
                              .max_connections = (unsigned)cfg->web_max_connections,
                              .max_per_address = (unsigned)cfg->web_max_per_address,
                              .timeout_s = (unsigned)cfg->web_timeout,
                              .session_idle_s = (uint64_t)cfg->session_idle,
                              .session_max_s = (uint64_t)cfg->session_max,
                              .device_limit = (unsigned)cfg->device_limit,
                              .arp_table = cfg->arp_table,
                              .demo = demo,
                              .ldap_uri = cfg->ldap_uri,
                              .ldap_bind_dn = cfg->ldap_bind_dn,
                              .ldap_timeout_ms = (unsigned)cfg->ldap_timeout * 1000,
                              .ldap_starttls = cfg->ldap_starttls != 0,
                              .web_url = cfg->web_url,
                              .has_mail = cfg->smtp[0] && cfg->mail_from[0],
                              .mail_from = cfg->mail_from,
                              .mail_templates = cfg->mail_templates,
                              .reset_valid_s = (uint64_t)cfg->reset_valid};
}

int webrun_check(const struct config *cfg, char *errbuf)
{
    if (!cfg->web[0])
        return 0;
    if (check_ldap(cfg, errbuf) != 0)
        return -1;
    struct web_options o;
    options_of(cfg, false, NULL, &o);
    return web_check(&o, errbuf);
}

struct web *webrun_start(const struct config *cfg, bool demo, char *errbuf)
{
    if (check_ldap(cfg, errbuf) != 0)
        return NULL;
    struct prefix_trie *trusted = config_prefix_trie(cfg->trusted_proxies);
    struct prefix_trie *metrics = config_prefix_trie(cfg->metrics_allow);
    struct web_options o;
    options_of(cfg, demo, trusted, &o);
    o.metrics_allow = metrics;
    struct web *w = web_start(&o, errbuf);
    if (!w) {
        if (trusted)
            prefix_trie_free(trusted);
        if (metrics)
            prefix_trie_free(metrics);
        return NULL;
    }
    web_set_owned_tries(w, trusted, metrics);
    web_print_listening(w, stdout);
    return w;
}

void webrun_stop(struct web *w)
{
    web_stop(w);
}

static volatile sig_atomic_t got_stop;

static void on_stop(int sig)
{
    (void)sig;
    got_stop = 1;
}

int webrun_main(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: flowtally web [-c FILE] [-v] [--KEY VALUE ...]\n"
                   "The customer portal and its JSON API alone, reading the store that a\n"
                   "collector (`flowtally run`) writes: for a portal in a DMZ, or beside\n"
                   "several collectors on one PostgreSQL database. Uses the keys db, web,\n"
                   "web_tls_cert, web_tls_key, trusted_proxies, web_*, session_*,\n"
                   "device_limit, operator_name, ldap_*, timezone, and for password resets\n"
                   "web_url, reset_valid, smtp, mail_from and mail_templates (see\n"
                   "`flowtally run --help`; the mail waits in the store's queue for a\n"
                   "`flowtally run` with smtp set to send it).\n");
            return 0;
        }
    }
    struct config cfg;
    char errbuf[ERR_BUF_LEN];
    config_init(&cfg);
    if (config_from_args(&cfg, argc, argv, errbuf) != 0) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        config_deinit(&cfg);
        return 2;
    }
    if (!cfg.web[0]) {
        fprintf(stderr, "flowtally: web: the web key is empty: nothing to serve\n");
        config_deinit(&cfg);
        return 2;
    }
    if (config_apply_timezone(&cfg, errbuf) != 0) { /* local days; before any thread */
        fprintf(stderr, "flowtally: %s\n", errbuf);
        config_deinit(&cfg);
        return 2;
    }
    log_threshold = cfg.verbosity >= 2   ? LOG_LEVEL_DEBUG
                    : cfg.verbosity == 1 ? LOG_LEVEL_INFO
                                         : LOG_LEVEL_NOTICE;
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigset_t block, unblocked;
    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGINT);
    struct sigaction sa = {.sa_handler = on_stop};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* blocked in the server's threads, which inherit the mask; taken here in sigsuspend */
    pthread_sigmask(SIG_BLOCK, &block, &unblocked);
    struct web *w = webrun_start(&cfg, false, errbuf);
    if (!w) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        config_deinit(&cfg);
        return 1;
    }
    sigdelset(&unblocked, SIGTERM);
    sigdelset(&unblocked, SIGINT);
    while (!got_stop)
        sigsuspend(&unblocked);
    webrun_stop(w);
    config_deinit(&cfg);
    return 0;
}
