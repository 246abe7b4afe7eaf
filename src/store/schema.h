// SPDX-License-Identifier: MIT
// What a store's schema version allows, the same for every engine (store/ only).
#ifndef FT_SCHEMA_H
#define FT_SCHEMA_H

#include <stdbool.h>

/* Whether a store at schema `version` may be used by this binary, which knows `known`
 * migrations: a newer schema is refused to everyone; a writer migrates an older one, a
 * reader (is_reader) needs exactly `known`. Returns 0, or ERR_STORE with errbuf
 * (ERR_BUF_LEN) saying what to do. */
int schema_check(int version, int known, bool is_reader, char *errbuf);

#endif
