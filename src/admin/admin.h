// SPDX-License-Identifier: MIT
// The write side of administration, shared by the CLI (and later the web): plans,
// subscribers and bindings given as text are validated and normalised here (sizes, money,
// prefixes, MACs, times), then stored. Errors come back as a message in errbuf.
#ifndef FT_ADMIN_H
#define FT_ADMIN_H

#include "../base/err.h"
#include "../store/store.h"

#include <stdbool.h>
#include <stdint.h>

/* A field given on the command line: NULL when absent (keep the stored value).
 * burstable is a flag: non-NULL when given. On a burstable plan (--burstable, or `set` of
 * one that is) dirs names the 95th percentile's direction, in, out or max, and the quota
 * counts the same direction (both for max); on any other plan it names what counts toward
 * the quota, in, out or both. commit and price_per_mbps are for burstable plans only. */
struct plan_fields {
    const char *quota, *dirs, *price, *overage, *speed, *anchor;
    const char *burstable, *commit, *price_per_mbps;
    const char *alert_levels; /* "80,100", "10GB" (billing/levels.h); "" = the default */
};

/* As plan_fields; and when the plan given took effect. */
struct subscriber_fields {
    const char *name, *email, *plan, *status, *notes;
    const char *alert_levels; /* the subscriber's own; "" = its plan's */
    bool has_plan_from;       /* --plan-from given: plan_from_ms holds it */
    uint64_t plan_from_ms;    /* when the plan given took effect; never after now_ms */
    uint64_t now_ms;          /* now: when `set` changes the plan unless --plan-from says */
};

/* The bucket width burstable plans need: their 95th percentile is taken over 5-minute
 * samples (the daemon refuses another bucket while one exists; daemon/run.c). */
#define ADMIN_BURST_BUCKET_S 300

/* Opens the store for writing (creating and migrating it if needed). Returns NULL with a
 * message in errbuf. */
struct store *admin_open(const char *db, char *errbuf);

/* Adds (insert) or updates a plan from the fields given. A burstable plan is refused on a
 * store whose collector records a bucket other than ADMIN_BURST_BUCKET_S (store meta
 * "bucket_seconds"; none recorded yet is fine). Returns 0 or a negative code with errbuf. */
int admin_plan_save(struct store *s, const char *name, const struct plan_fields *f, bool insert,
                    char *errbuf);

/* Adds (insert) or updates a subscriber from the fields given. Its plan history follows
 * (store.h, subscriber_save): a new subscriber holds its plan from --plan-from, else from
 * the beginning; `set` that changes the plan changes it at --plan-from, else now. A
 * --plan-from without --plan, after now, or with a plan the subscriber holds already is
 * refused. Returns 0 or a negative code with errbuf. */
int admin_subscriber_save(struct store *s, const char *account, const struct subscriber_fields *f,
                          bool insert, char *errbuf);

/* Adds a top-up to account's quota: size bytes ("5GB", above 0) bought at at_ms for price
 * (money text; NULL: free), counted in the cycle holding at_ms. Returns 0 or a negative
 * code with errbuf (ERR_NOT_FOUND: no such account). */
int admin_topup_add(struct store *s, const char *account, const char *size, const char *price,
                    uint64_t at_ms, char *errbuf);

/* Normalises an address, prefix or MAC: OUT kind ("prefix"/"mac") and value text
 * ("10.1.2.3/32", "2001:db8:1200::/56", "aa:bb:cc:dd:ee:ff"). */
int admin_binding_value(const char *text, const char **kind, char *value, size_t size,
                        char *errbuf);

/* Binds (or with end_ms set, for a known interval) an address, prefix or MAC to account.
 * Refuses (ERR_MALFORMED) a prefix shorter than /8 for IPv4 or /16 for IPv6, or one that
 * holds all of IPv4: one account would take everyone's traffic. Returns 0,
 * STORE_BINDING_HELD when the account holds it open already (nothing changed; errbuf says
 * since when), or a negative code with a message in errbuf. */
int admin_bind(struct store *s, const char *account, const char *what, uint64_t start_ms,
               uint64_t end_ms, const char *source, char *errbuf);

/* As admin_bind(); allow_wide (`bind --wide`) lets a prefix of any length through. */
int admin_bind_wide(struct store *s, const char *account, const char *what, uint64_t start_ms,
                    uint64_t end_ms, const char *source, bool allow_wide, char *errbuf);

/* Ends the open bindings of an address, prefix or MAC at at_ms. OUT: *n_ended. */
int admin_unbind(struct store *s, const char *what, uint64_t at_ms, int *n_ended, char *errbuf);

/* Imports a DHCP lease file (ISC dhcpd.leases or Kea CSV, told apart by content) into the
 * store in one transaction: every lease with a hardware address and a start time, active
 * or not (an expired lease still says who held the address while it ran). lenient skips
 * malformed blocks (counting them); strict stops at the first error. OUT: *n_leases,
 * *n_skipped (leases without MAC or start, and malformed blocks). A path is all a person
 * gives here, so there is nothing to validate: bind/leasefile.c parses and records, with a
 * progress line on a terminal. */
int admin_import_leases(struct store *s, const char *path, bool lenient, uint64_t *n_leases,
                        uint64_t *n_skipped, char *errbuf);

#endif
