// SPDX-License-Identifier: MIT
// The SQLite store's file as the operating system sees it: which file the collector's
// connection has open (device and inode, of the database and of its -wal), the lock that
// keeps a second collector off it, and the copy written back to the path when a careless
// cleanup removed the file the collector was still writing (an unlinked file keeps
// taking writes that nobody will ever read, and vanishes with the process).
#include "sqlite_private.h"

#include "../base/err.h"
#include "../base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

void sqlite_file_init(struct sqlite_file *f, const char *path)
{
    memset(f, 0, sizeof *f);
    f->path = xstrdup(path);
    f->lock_fd = -1;
}

void sqlite_file_deinit(struct sqlite_file *f)
{
    /* Only after the connection is closed: closing any descriptor of the database file
     * drops the POSIX locks SQLite holds on it (the lock here is flock, a separate kind). */
    if (f->lock_fd >= 0)
        close(f->lock_fd);
    free(f->path);
    memset(f, 0, sizeof *f);
    f->lock_fd = -1;
}

static void wal_path(const struct sqlite_file *f, char *buf, size_t size)
{
    snprintf(buf, size, "%s-wal", f->path);
}

void sqlite_file_identify(struct sqlite_file *f)
{
    struct stat st;
    char wal[PATH_MAX + 8];
    f->known = stat(f->path, &st) == 0;
    f->db = st;
    wal_path(f, wal, sizeof wal);
    f->has_wal = f->known && stat(wal, &f->wal) == 0;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

enum sqlite_file_state sqlite_file_check(const struct sqlite_file *f)
{
    struct stat st;
    char wal[PATH_MAX + 8];
    if (!f->known)
        return SQLITE_FILE_SAME;
    if (stat(f->path, &st) != 0)
        return errno == ENOENT ? SQLITE_FILE_REMOVED : SQLITE_FILE_UNREADABLE;
    if (!same_file(&st, &f->db))
        return SQLITE_FILE_REPLACED;
    wal_path(f, wal, sizeof wal);
    /* The -wal alone removed: new readers would start an empty log beside ours and miss
     * (or, writing, corrupt) what only ours holds. Treated like the whole store gone. */
    if (f->has_wal && (stat(wal, &st) != 0 || !same_file(&st, &f->wal)))
        return SQLITE_FILE_REMOVED;
    return SQLITE_FILE_SAME;
}

int sqlite_file_lock(struct sqlite_file *f, char *errbuf)
{
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: %s", f->path, strerror(errno));
        return ERR_STORE;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int e = errno;
        close(fd);
        if (e == EWOULDBLOCK) {
            snprintf(errbuf, ERR_BUF_LEN,
                     "%s: another `flowtally run` is collecting into this store; one SQLite "
                     "file takes one collector (stop the other, or give this one its own --db)",
                     f->path);
            return ERR_EXISTS;
        }
        snprintf(errbuf, ERR_BUF_LEN, "%s: cannot lock: %s", f->path, strerror(e));
        return ERR_STORE;
    }
    if (f->lock_fd >= 0)
        close(f->lock_fd);
    f->lock_fd = fd;
    return 0;
}

/* Removes what sits at path + suffix unless it is the file we hold (already unlinked).
 * Files left there belong to no writer: the store they logged for is gone. */
static void remove_stale(const struct sqlite_file *f, const char *suffix)
{
    char p[PATH_MAX + 8];
    snprintf(p, sizeof p, "%s%s", f->path, suffix);
    unlink(p);
}

int sqlite_file_restore(struct sqlite_file *f, sqlite3 *from, sqlite3 **out, char *msg)
{
    char tmp[PATH_MAX + 32];
    sqlite3 *copy = NULL;
    snprintf(tmp, sizeof tmp, "%s.restore-%ld", f->path, (long)getpid());
    unlink(tmp);
    int rc = sqlite3_open_v2(tmp, &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    sqlite3_backup *b = rc == SQLITE_OK ? sqlite3_backup_init(copy, "main", from, "main") : NULL;
    if (b) {
        rc = sqlite3_backup_step(b, -1);
        sqlite3_backup_finish(b);
    }
    if (!b || rc != SQLITE_DONE) {
        snprintf(msg, ERR_BUF_LEN, "cannot write a copy to %.700s: %s", tmp,
                 copy ? sqlite3_errmsg(copy) : "out of memory");
        goto fail;
    }
    sqlite3_close(copy);
    copy = NULL;
    remove_stale(f, "-wal");
    remove_stale(f, "-shm");
    if (rename(tmp, f->path) != 0) {
        snprintf(msg, ERR_BUF_LEN, "cannot put the copy at %.700s: %s", f->path, strerror(errno));
        goto fail;
    }
    if (sqlite3_open_v2(f->path, &copy, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(msg, ERR_BUF_LEN, "cannot open the copy at %.700s: %s", f->path,
                 sqlite3_errmsg(copy));
        sqlite3_close(copy);
        return ERR_STORE;
    }
    *out = copy;
    return 0;
fail:
    sqlite3_close(copy);
    unlink(tmp);
    return ERR_STORE;
}
