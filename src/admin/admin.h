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

/* A field given on the command line: NULL when absent (keep the stored value). */
struct plan_fields {
    const char *quota, *dirs, *price, *overage, *speed, *anchor;
};

struct subscriber_fields {
    const char *name, *email, *plan, *status, *notes;
};

/* Opens the store for writing (creating and migrating it if needed). Returns NULL with a
 * message in errbuf. */
struct store *admin_open(const char *db, char *errbuf);

int admin_plan_save(struct store *s, const char *name, const struct plan_fields *f, bool insert,
                    char *errbuf);
int admin_subscriber_save(struct store *s, const char *account, const struct subscriber_fields *f,
                          bool insert, char *errbuf);

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
 * gives here, so there is nothing to validate: bind/leasefile.c parses and records. */
int admin_import_leases(struct store *s, const char *path, bool lenient, uint64_t *n_leases,
                        uint64_t *n_skipped, char *errbuf);

#endif
