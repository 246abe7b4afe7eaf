// SPDX-License-Identifier: MIT
// A DHCP lease file as a source of bindings: imported once (`flowtally import leases`), or
// followed by the daemon's store thread, which imports it again whenever it changes. The
// parsers are in leases.h; every lease goes into the store through bind_record().
#ifndef FT_LEASEFILE_H
#define FT_LEASEFILE_H

#include "../store/store.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Imports a DHCP lease file (ISC dhcpd.leases or Kea CSV, told apart by content) into the
 * store in one transaction: every lease with a hardware address and a start time, active
 * or not (an expired lease still says who held the address while it ran). lenient skips
 * malformed blocks (counting them) and leaves the first one's "FILE:LINE: expected ..." in
 * errbuf; strict stops at the first error. OUT: *n_leases (0 unless stored), *n_skipped
 * (leases without MAC or start, and malformed blocks). Returns 0, or a negative code with
 * a message in errbuf (ERR_BUF_LEN bytes). progress: where a progress line is drawn (a
 * person's terminal: progress_terminal()), or NULL. Thread: the store's owner. */
int leasefile_import(struct store *s, const char *path, bool lenient, FILE *progress,
                     uint64_t *n_leases, uint64_t *n_skipped, char *errbuf);

/* A lease file the daemon follows, and what it looked like when last imported. */
struct leasefile {
    const char *path;      /* borrowed; NULL: none to follow */
    struct timespec mtime; /* of the last import */
    off_t size;
};

/* Follows path (may be NULL: then leasefile_follow() does nothing). Imports nothing yet. */
void leasefile_init(struct leasefile *lf, const char *path);

/* Imports the file leniently if it changed since the last import (a DHCP server rewrites
 * it in place or renames a new one over it: both change the modification time or size),
 * and logs what it did. A failed import is tried again at the next call. Thread: the
 * daemon's store thread, which owns s. */
void leasefile_follow(struct leasefile *lf, struct store *s);

#endif
