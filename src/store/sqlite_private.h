// SPDX-License-Identifier: MIT
// Shared between the SQLite backend's files only: the connection behind a struct store,
// and the file it has open.
#ifndef FT_SQLITE_PRIVATE_H
#define FT_SQLITE_PRIVATE_H

#include "store.h"

#include <limits.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <sys/stat.h>

/* The connection of a store opened by store_sqlite_open(). Borrowed. */
sqlite3 *store_sqlite_db(struct store *s);

/* The store's file, as the collector opened it (sqlite_file.c). */
struct sqlite_file {
    char *path;      /* owned */
    bool known;      /* db holds the file's identity */
    struct stat db;  /* device and inode of the database file when identified */
    bool has_wal;    /* wal holds the -wal file's identity */
    struct stat wal; /* likewise of the -wal file */
    int lock_fd;     /* -1, or a descriptor of the database holding flock(LOCK_EX) */
};

enum sqlite_file_state {
    SQLITE_FILE_SAME,      /* the path is still the file we write (or it was never identified) */
    SQLITE_FILE_REMOVED,   /* no file at the path any more (or its -wal is gone) */
    SQLITE_FILE_REPLACED,  /* another file sits at the path */
    SQLITE_FILE_UNREADABLE /* stat() failed otherwise (permissions on the directory) */
};

void sqlite_file_init(struct sqlite_file *f, const char *path);
/* Closes the lock; call after the connection is closed. */
void sqlite_file_deinit(struct sqlite_file *f);
/* Records which files the path and its -wal name now. */
void sqlite_file_identify(struct sqlite_file *f);
enum sqlite_file_state sqlite_file_check(const struct sqlite_file *f);
/* Takes the collector's lock on the file at the path (flock, released by the kernel when
 * the process ends, so a crash leaves no stale lock). Returns 0, ERR_EXISTS when another
 * process holds it, or ERR_STORE; the message in errbuf. */
int sqlite_file_lock(struct sqlite_file *f, char *errbuf);
/* Writes the database `from` (whose files were removed) to a new file at the path and
 * opens it. OUT: *out, the new connection (caller owns). Returns 0 or ERR_STORE with msg. */
int sqlite_file_restore(struct sqlite_file *f, sqlite3 *from, sqlite3 **out, char *msg);

#endif
