// SPDX-License-Identifier: MIT
// The schema version rules of every engine, and their messages, in one place.
#include "schema.h"

#include "../base/err.h"

#include <stdio.h>

int schema_check(int version, int known, bool is_reader, char *errbuf)
{
    if (version > known) {
        snprintf(errbuf, ERR_BUF_LEN, "schema version %d is newer than this flowtally (%d)",
                 version, known);
        return ERR_STORE;
    }
    if (!is_reader || version == known)
        return 0;
    if (version < 1)
        snprintf(errbuf, ERR_BUF_LEN,
                 "not a flowtally store (no schema_version table): has `flowtally run` stored "
                 "anything there yet?");
    else
        snprintf(errbuf, ERR_BUF_LEN,
                 "schema version %d is older than this flowtally's (%d): start `flowtally run` "
                 "once to migrate it",
                 version, known);
    return ERR_STORE;
}
