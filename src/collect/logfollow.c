// SPDX-License-Identifier: MIT
// Follows a log file as a writer appends to it: reads with pread() from the offset of the
// next unread line up to the size the file had when the poll began, hands complete lines
// to logs_feed_line and keeps a partial last line in a fixed buffer until its newline
// arrives. Rotation is seen by comparing the path's device and inode with the open
// descriptor's; truncation by the size, and by the newline that must still end the line
// before the offset. Memory is one buffer of LOGS_LINE_MAX + 1 bytes per follower.
#include "logs.h"

#include "../base/err.h"
#include "../base/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BUF_CAP ((size_t)LOGS_LINE_MAX + 1) /* the longest line and its newline */
#define COUNT_CHUNK ((size_t)64 * 1024)     /* read size when counting lines for a message */

struct log_follower {
    char *path;          /* owned */
    int fd;              /* the file being read; -1 until it is opened */
    uint64_t dev, inode; /* of fd */
    uint64_t offset;     /* file offset of the next unconsumed line (the position) */
    uint64_t buf_pos;    /* file offset of buf[0]; the next read starts at buf_pos + n_buf */
    char *buf;           /* owned, BUF_CAP bytes: the unconsumed part of the file read so far */
    size_t n_buf;
    bool is_skipping; /* discarding the rest of an over-long line up to its newline */
    uint64_t lineno;  /* number of the line at offset; 0 = not counted yet (resumed) */
    bool has_resume;  /* the position below is still to be applied at the first open */
    uint64_t resume_inode, resume_offset;
};

/* What one poll passes to every line. */
struct sink {
    enum log_format fmt;
    log_usage_fn *usage_fn;
    log_mapping_fn *mapping_fn;
    void *ctx;
    struct log_counters *c;
    char *errbuf;
};

struct log_follower *logfollow_open(const char *path, uint64_t inode, uint64_t offset)
{
    assert(path);
    struct log_follower *f = xcalloc(1, sizeof *f);
    f->path = xstrdup(path);
    f->fd = -1;
    f->buf = xmalloc(BUF_CAP);
    f->lineno = 1;
    f->has_resume = inode != 0;
    f->resume_inode = inode;
    f->resume_offset = offset;
    return f;
}

void logfollow_close(struct log_follower *f)
{
    if (!f)
        return;
    if (f->fd >= 0)
        close(f->fd);
    free(f->buf);
    free(f->path);
    free(f);
}

void logfollow_position(const struct log_follower *f, uint64_t *inode, uint64_t *offset)
{
    if (f->fd >= 0) {
        *inode = f->inode;
        *offset = f->offset;
    } else if (f->has_resume) {
        *inode = f->resume_inode;
        *offset = f->resume_offset;
    } else {
        *inode = 0;
        *offset = 0;
    }
}

static void follow_restart(struct log_follower *f, uint64_t offset, uint64_t lineno)
{
    f->offset = f->buf_pos = offset;
    f->n_buf = 0;
    f->is_skipping = false;
    f->lineno = lineno;
}

static int follow_fail(struct log_follower *f, char *errbuf, int rc)
{
    snprintf(errbuf, ERR_BUF_LEN, "%s: %s", f->path, strerror(-rc));
    return rc;
}

/* Whether a line ends just before `offset` (offset 0 always qualifies): 1 or 0, or -errno.
 * A file truncated and written again past our offset fails this, most of the time. */
static int follow_line_ends_before(struct log_follower *f, uint64_t offset, uint64_t size)
{
    if (offset == 0)
        return 1;
    if (offset > size)
        return 0;
    char ch;
    ssize_t got;
    while ((got = pread(f->fd, &ch, 1, (off_t)(offset - 1))) < 0 && errno == EINTR)
        ;
    if (got < 0)
        return -errno;
    return got == 1 && ch == '\n';
}

/* Opens the path. Returns 1 when open, 0 when there is no file yet, or a negative code
 * with errbuf set. Applies the stored position at the first open. */
static int follow_open_file(struct log_follower *f, struct log_counters *c, char *errbuf)
{
    struct stat st;
    /* O_NONBLOCK: opening a FIFO would otherwise wait for a writer (it is refused below). */
    int rc, fd = open(f->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? 0 : follow_fail(f, errbuf, -errno);
    if (fstat(fd, &st) != 0) {
        rc = -errno;
        goto fail;
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        snprintf(errbuf, ERR_BUF_LEN, "%s: not a regular file", f->path);
        return ERR_UNSUPPORTED;
    }
    f->fd = fd;
    f->dev = (uint64_t)st.st_dev;
    f->inode = (uint64_t)st.st_ino;
    follow_restart(f, 0, 1);
    if (!f->has_resume)
        return 1;
    if (f->inode != f->resume_inode) {
        c->rotations++; /* rotated while we were stopped: the new file from its start */
    } else {
        rc = follow_line_ends_before(f, f->resume_offset, (uint64_t)st.st_size);
        if (rc < 0) {
            f->fd = -1;
            goto fail;
        }
        if (rc)
            follow_restart(f, f->resume_offset, f->resume_offset == 0 ? 1 : 0);
        else
            c->truncations++; /* shrank or was rewritten while we were stopped */
    }
    f->has_resume = false;
    return 1;
fail:
    close(fd);
    return follow_fail(f, errbuf, rc);
}

/* The number of the line at f->offset, counting newlines before it the first time it is
 * needed after a resume (only for a message: nothing else needs it). 0 if unreadable. */
static uint64_t follow_lineno(struct log_follower *f)
{
    if (f->lineno != 0)
        return f->lineno;
    char *chunk = xmalloc(COUNT_CHUNK);
    uint64_t pos = 0, n = 1;
    while (pos < f->offset) {
        size_t want = f->offset - pos < COUNT_CHUNK ? (size_t)(f->offset - pos) : COUNT_CHUNK;
        ssize_t got = pread(f->fd, chunk, want, (off_t)pos);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            free(chunk);
            return 0;
        }
        for (const char *p = chunk; (p = memchr(p, '\n', (size_t)(chunk + got - p))); p++)
            n++;
        pos += (uint64_t)got;
    }
    free(chunk);
    f->lineno = n;
    return n;
}

static void follow_line(struct log_follower *f, const struct sink *s, const char *line, size_t len)
{
    char why[LOGS_WHY_LEN];
    if (logs_feed_line(s->fmt, line, len, s->usage_fn, s->mapping_fn, s->ctx, s->c, why,
                       sizeof why) < 0 &&
        logs_report_has_room(s->errbuf))
        logs_report(s->errbuf, f->path, follow_lineno(f), why);
}

/* Consumes the complete lines in the buffer, looking for newlines from `scan` on (the
 * bytes before it were searched already), and keeps the rest at the buffer's start. */
static void follow_lines(struct log_follower *f, const struct sink *s, size_t scan)
{
    size_t start = 0;
    const char *nl;
    while ((nl = memchr(f->buf + scan, '\n', f->n_buf - scan)) != NULL) {
        size_t end = (size_t)(nl - f->buf);
        if (f->is_skipping) /* the over-long line ends here; it was counted when found */
            f->is_skipping = false;
        else
            follow_line(f, s, f->buf + start, end - start);
        if (f->lineno != 0)
            f->lineno++;
        start = scan = end + 1;
        f->offset = f->buf_pos + start;
    }
    memmove(f->buf, f->buf + start, f->n_buf - start);
    f->buf_pos += start;
    f->n_buf -= start;
    if (f->n_buf == BUF_CAP) {
        /* No newline in LOGS_LINE_MAX + 1 bytes: logs_feed_line refuses the line by its
         * length, with the message any reader gives; the rest of it is discarded. The
         * offset stays at its start until its newline comes. */
        if (!f->is_skipping)
            follow_line(f, s, f->buf, f->n_buf);
        f->is_skipping = true;
        f->buf_pos += f->n_buf;
        f->n_buf = 0;
    }
}

/* Drops a partial last line that will never be completed: the writer has moved to a new
 * file, or the file was truncated under it. It is counted as malformed. The line number is
 * counted from the file only when the file still holds the line (is_intact). */
static void follow_drop_partial(struct log_follower *f, const struct sink *s, bool is_intact,
                                const char *what)
{
    if (f->n_buf > 0 && !f->is_skipping) {
        char why[LOGS_WHY_LEN];
        s->c->lines++;
        s->c->malformed++;
        logs_why(why, sizeof why, what, f->buf, f->n_buf);
        if (logs_report_has_room(s->errbuf))
            logs_report(s->errbuf, f->path, is_intact ? follow_lineno(f) : f->lineno, why);
    }
    f->n_buf = 0;
    f->is_skipping = false;
}

/* Reads the open file from where we are to its current size, first starting again from
 * 0 if it was truncated. Returns 0 or -errno (errbuf set). */
static int follow_read(struct log_follower *f, const struct sink *s)
{
    struct stat st;
    if (fstat(f->fd, &st) != 0)
        return follow_fail(f, s->errbuf, -errno);
    uint64_t size = (uint64_t)st.st_size;
    int rc = size < f->buf_pos + f->n_buf ? 0 : follow_line_ends_before(f, f->offset, size);
    if (rc < 0)
        return follow_fail(f, s->errbuf, rc);
    if (rc == 0) { /* copytruncate, or truncated and rewritten past our offset */
        follow_drop_partial(f, s, false, "a newline before the file was truncated");
        s->c->truncations++;
        follow_restart(f, 0, 1);
    }
    while (f->buf_pos + f->n_buf < size) {
        uint64_t at = f->buf_pos + f->n_buf, left = size - at;
        size_t room = BUF_CAP - f->n_buf; /* never 0: follow_lines empties a full buffer */
        size_t want = left < room ? (size_t)left : room;
        ssize_t got = pread(f->fd, f->buf + f->n_buf, want, (off_t)at);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return follow_fail(f, s->errbuf, -errno);
        if (got == 0) /* shrank while we read: the next poll sees it */
            break;
        size_t scan = f->n_buf;
        f->n_buf += (size_t)got;
        follow_lines(f, s, scan);
    }
    return 0;
}

int logfollow_poll(struct log_follower *f, enum log_format fmt, log_usage_fn *usage_fn,
                   log_mapping_fn *mapping_fn, void *ctx, struct log_counters *c, char *errbuf)
{
    assert(f && c && errbuf);
    struct sink s = {fmt, usage_fn, mapping_fn, ctx, c, errbuf};
    errbuf[0] = '\0';
    int rc;
    if (f->fd < 0 && (rc = follow_open_file(f, c, errbuf)) <= 0)
        return rc;
    /* The path is looked at before the old file is read: when it already names another
     * file with data in it, the writer has reopened, so the old file is complete once it
     * has been read to its end below. An empty new file (logrotate's "create" before the
     * writer is signalled) or none leaves us on the old one, which may still grow. */
    struct stat st;
    bool is_rotated = stat(f->path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
                      ((uint64_t)st.st_dev != f->dev || (uint64_t)st.st_ino != f->inode);
    if ((rc = follow_read(f, &s)) < 0)
        return rc;
    if (!is_rotated)
        return 0;
    /* The old file has been read to its end; a partial line there stays partial. */
    follow_drop_partial(f, &s, true, "a newline before the file was rotated");
    close(f->fd);
    f->fd = -1;
    c->rotations++;
    if ((rc = follow_open_file(f, c, errbuf)) <= 0)
        return rc;
    return follow_read(f, &s);
}
