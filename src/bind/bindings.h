// SPDX-License-Identifier: MIT
// Loads the subscriber map the classifier reads (accounts, bindings, registrations,
// leases) out of the store, applying each row as a binding event (bind.h), so that a map
// loaded from the store and one kept up to date event by event follow the same rules.
#ifndef FT_BINDINGS_H
#define FT_BINDINGS_H

#include "../classify/subscribers.h"
#include "../store/store.h"

/* Returns a new map built from the store's subscribers, bindings and leases (caller frees
 * with submap_free()), or NULL if the store could not be read. Rows that do not parse are
 * skipped and logged. Thread: whichever thread owns the store connection (the daemon's
 * store thread). */
struct subscriber_map *bindings_load(struct store *s);

#endif
