// SPDX-License-Identifier: MIT
// Loads the subscriber map (bindings, registrations, leases) out of the store.
#ifndef FT_BINDINGS_H
#define FT_BINDINGS_H

#include "../classify/subscribers.h"
#include "../store/store.h"

/* Returns a new map built from the store's bindings and leases (caller frees with
 * submap_free()), or NULL if the store could not be read. Rows that do not parse are
 * skipped and logged. Thread: whichever thread owns the store connection. */
struct subscriber_map *bindings_load(struct store *s);

#endif
