// SPDX-License-Identifier: MIT
// Usage and address mappings read from text logs rather than from flows: Squid's native
// access.log and two plain formats that a captive portal or a campus system can write.
// logs.c parses them line by line into struct log_usage / struct log_mapping (flow/
// logline.h); logfollow.c reads a log file as it grows, across rotations and restarts.
// Collect stage: nothing here knows about subscribers or the store.
#ifndef FT_LOGS_H
#define FT_LOGS_H

#include "../flow/logline.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOGS_LINE_MAX 65536 /* bytes in one line without its newline; longer is malformed */
#define LOGS_ERRORS_SHOWN 3 /* messages kept in an errbuf per call; every error is counted */
#define LOGS_BYTES_MAX ((uint64_t)1 << 50) /* a larger byte count on one line is malformed */
#define LOGS_WHY_LEN 320                   /* enough for any "expected X, got Y" */

enum log_format {
    LOG_SQUID,   /* Squid's native access.log ("logformat squid") */
    LOG_PLAIN,   /* timestamp user mac local_ip remote_ip bytes_in bytes_out */
    LOG_MAPPING, /* timestamp user mac ip */
};

/* What a line was: logs_parse_line's return value when it is not negative. */
enum logs_line {
    LOGS_LINE_COMMENT = 0, /* blank, or a comment ('#' first): skipped */
    LOGS_LINE_USAGE = 1,   /* *u_out filled */
    LOGS_LINE_MAPPING = 2, /* *m_out filled */
    LOGS_LINE_DENIED = 3,  /* Squid refused the request (a DENIED result): skipped */
    LOGS_LINE_IGNORED = 4, /* well formed, nothing to bill (no bytes, ICP/HTCP): skipped */
};

/* Added to, never reset, by every function below. */
struct log_counters {
    uint64_t lines;       /* complete lines read: the sum of the next six */
    uint64_t usage;       /* usage records emitted */
    uint64_t mappings;    /* mapping records emitted */
    uint64_t denied;      /* LOGS_LINE_DENIED */
    uint64_t ignored;     /* LOGS_LINE_IGNORED */
    uint64_t comments;    /* LOGS_LINE_COMMENT */
    uint64_t malformed;   /* malformed or longer than LOGS_LINE_MAX: skipped */
    uint64_t rotations;   /* follower: the path named a new file (renamed, or while stopped) */
    uint64_t truncations; /* follower: the file shrank or changed under the offset; reread */
};

/* Parses "squid", "plain" or "mapping". Returns 0 or ERR_MALFORMED. */
int logs_format_parse(const char *s, enum log_format *out);

/* The name logs_format_parse accepts for fmt. */
const char *logs_format_name(enum log_format fmt);

/* Parses one line of `len` bytes (without its newline; a trailing '\r' is ignored). Fields
 * are separated by runs of blanks (spaces, tabs); '-' is "unknown" where a field allows it.
 *
 * LOG_SQUID, Squid's native format (src/log/FormatSquidNative.cc):
 *   time elapsed remotehost code/status bytes method URL user hierarchy/peerhost type
 * - time_ms = time, unix seconds with a fraction (Squid writes milliseconds), taken when
 *   Squid logged the request, that is when it ended.
 * - local = remotehost, the client, when it is an IP address (with log_fqdn it may be a
 *   name: has_local false). remote = peerhost when it is an IP address (HIER_DIRECT/
 *   203.0.113.5: the origin server; FIRSTUP_PARENT/...: the parent cache), else none.
 * - user: the logged user ('-': none). Squid writes the authenticated user, else the
 *   external ACL user, the TLS user or the ident (RFC 931) answer, %-encoding control
 *   bytes, bytes >= 0x7f, '%', '[' and ']' and doubling '\'; that is undone here.
 * - bytes_in = bytes, the reply size sent to the client, headers included. The native
 *   format does not log what the client sent, so bytes_out is 0.
 * - A result code with a DENIED tag (TCP_DENIED, TCP_DENIED_REPLY, UDP_DENIED, with any
 *   _CF/_ABORTED/... tags) is LOGS_LINE_DENIED: an error page for a refused request is not
 *   usage. UDP_ and ICP_ codes (cache peers' ICP/HTCP queries) and lines with 0 bytes
 *   (NONE_NONE/000, most _ABORTED/000) are LOGS_LINE_IGNORED. Every other line is usage,
 *   _ABORTED and _TIMEDOUT ones included: the bytes they log did reach the client.
 * - Fields after the tenth are accepted only as log_mime_hdrs' "[headers]" (the eleventh
 *   starts with '['). A user name with a space (Squid does not encode it) is malformed.
 *
 * LOG_PLAIN: timestamp user mac local_ip remote_ip bytes_in bytes_out. bytes_in is what
 * the local side received. '-' is allowed for all but the timestamp ('-' bytes are 0);
 * a line needs a user, a MAC or a local address. Both byte counts 0: LOGS_LINE_IGNORED.
 *
 * LOG_MAPPING: timestamp user mac ip. From time_ms the user and/or MAC hold ip, until a
 * later line for ip says otherwise; "- -" (neither) says nobody holds it from then.
 *
 * Timestamps (plain and mapping): unix seconds with an optional fraction, or ISO 8601
 * YYYY-MM-DDTHH:MM:SS with an optional fraction and an optional zone, Z or +HH:MM/-HH:MM
 * (none means UTC). Fractions are truncated to milliseconds. Years 1970 to 9999. MACs as
 * units_parse_mac reads them. Byte counts are decimal, at most LOGS_BYTES_MAX.
 *
 * OUT: *u_out or *m_out (the one the return value names; either may be NULL for a format
 * that never fills it), why: "expected X, got Y" when the line is malformed, else "".
 * why_size should be LOGS_WHY_LEN. Returns an enum logs_line value, or ERR_MALFORMED.
 * Pure: no allocation, no global state. */
int logs_parse_line(enum log_format fmt, const char *line, size_t len, struct log_usage *u_out,
                    struct log_mapping *m_out, char *why, size_t why_size);

/* Parses one line and accounts for it: counts it in *c and passes its record to usage_fn or
 * mapping_fn (either may be NULL: the record is counted, not passed on). Returns what
 * logs_parse_line returned; OUT: why as there. Lines longer than LOGS_LINE_MAX are
 * malformed here, so every reader of lines treats them alike. */
int logs_feed_line(enum log_format fmt, const char *line, size_t len, log_usage_fn *usage_fn,
                   log_mapping_fn *mapping_fn, void *ctx, struct log_counters *c, char *why,
                   size_t why_size);

/* Writes "expected WHAT, got 'TEXT'" into why, TEXT quoted as in every message here: cut
 * after 40 bytes ("..."), bytes outside printable ASCII as \xNN. */
void logs_why(char *why, size_t why_size, const char *what, const char *text, size_t len);

/* Appends "FILE:LINE: WHY" to errbuf (ERR_BUF_LEN bytes), on a line of its own, unless it
 * already holds LOGS_ERRORS_SHOWN messages. LINE 0 means unknown and prints as '?'. */
void logs_report(char *errbuf, const char *filename, uint64_t lineno, const char *why);

/* True while errbuf holds fewer than LOGS_ERRORS_SHOWN messages. */
bool logs_report_has_room(const char *errbuf);

/* Parses a buffer of lines in order, emitting records as logs_feed_line does; the last
 * line needs no newline. A malformed line is skipped and counted; the first
 * LOGS_ERRORS_SHOWN of them are reported in errbuf (ERR_BUF_LEN bytes, "" when there were
 * none) as "FILE:LINE: expected X, got Y", one per line, FILE being `filename`. Adds to
 * *c. Returns the number of malformed lines (0 when all were well formed). Records are
 * borrowed for the duration of each call. Reentrant, allocates nothing. */
uint64_t logs_parse(enum log_format fmt, const char *text, size_t len, const char *filename,
                    log_usage_fn *usage_fn, log_mapping_fn *mapping_fn, void *ctx,
                    struct log_counters *c, char *errbuf);

/* ---- following a growing file (logfollow.c) ---------------------------------------- */

/* Follows one log file by path, as a writer appends to it and as the file is rotated.
 * Owns the path, the open descriptor, the file's device and inode, the offset of the next
 * unread line and a buffer of LOGS_LINE_MAX + 1 bytes for a partial line. One thread. */
struct log_follower;

/* Returns a new follower of `path`; caller frees with logfollow_close(). Opens nothing
 * yet: the first logfollow_poll() does, and a file that does not exist yet is waited for.
 * (inode, offset) is a position logfollow_position() gave before a restart, or (0, 0) for
 * none. At the first open: when the file's inode is `inode` and the file still has a line
 * ending just before `offset`, reading resumes at `offset` (nothing is read twice);
 * otherwise the file is read from 0 (counted as a rotation when the inode differs, as a
 * truncation when the file shrank or changed). A file rotated away while we were stopped
 * (path.1) is not read: what was appended to it after the stored offset is lost. */
struct log_follower *logfollow_open(const char *path, uint64_t inode, uint64_t offset);

/* Closes the file and frees f. NULL is a no-op. */
void logfollow_close(struct log_follower *f);

/* Reads what was appended since the last poll, up to the file's size when the poll began
 * (never beyond), and parses every complete line with logs_feed_line; a partial last line
 * waits in the buffer for its newline. Then handles rotation:
 * - rename: when the path names another non-empty regular file (the writer reopened), the
 *   old file is read to its end, then the new one from 0. While the new file is still
 *   empty, or the path is missing, the old descriptor is read on, so lines written to the
 *   renamed file before the writer reopens are not lost. An unterminated last line of the
 *   old file is malformed ("expected a newline before the file was rotated").
 * - truncation (copytruncate): same inode but shorter than what was read, or no newline
 *   before the offset any more: read again from 0. Lines written after the last poll and
 *   before the copy are in the copy only and are lost; a partial line we held is
 *   malformed ("expected a newline before the file was truncated"). A file truncated and
 *   refilled past the offset with a newline just before it is not recognised.
 * Lines longer than LOGS_LINE_MAX are malformed and skipped to their newline (the position
 * stays at their start until then, so a restart meanwhile counts one again). Malformed
 * lines are counted, the first LOGS_ERRORS_SHOWN reported in errbuf ("" if none) as
 * "PATH:LINE: expected X, got Y". Adds to *c. No blocking, no waiting: call it again
 * later (every flush, or on an inotify event). Returns 0, or -errno when the file cannot
 * be opened or read, ERR_UNSUPPORTED when the path is not a regular file (with
 * "PATH: reason" in errbuf; the next poll tries again). */
int logfollow_poll(struct log_follower *f, enum log_format fmt, log_usage_fn *usage_fn,
                   log_mapping_fn *mapping_fn, void *ctx, struct log_counters *c, char *errbuf);

/* OUT: the inode of the file being read and the offset of its next unread line, to store
 * (with the path) and pass back to logfollow_open after a restart. Before the file was
 * first opened: the position given to logfollow_open. */
void logfollow_position(const struct log_follower *f, uint64_t *inode, uint64_t *offset);

#endif
