// SPDX-License-Identifier: MIT
// Traffic classes: which tariff a flow's bytes fall under (free, national, international,
// night...), decided from the flow's remote address and its time. Loaded at startup from a
// classes file whose lines name a class, its price per GB, whether it counts toward the
// quota, a prefix list and an optional local-time window; classify/ asks classes_match()
// for every flow and later stages price and cap usage per class id.
//
// Matching, for a remote address at a time (local wall-clock minute of the day):
//   1. Windowed classes whose window is open at that minute are consulted first. Among
//      them the longest prefix containing the address wins; a windowed class with prefixes
//      `-` contains every address with length 0, so it wins only where no open windowed
//      class has a real prefix. Equal lengths go to the class earlier in the file.
//      An open windowed class beats every unwindowed class, even one with a longer prefix:
//      "national at night" overrides "national" while the window is open.
//   2. Otherwise the longest prefix over the unwindowed classes' lists wins.
//   3. Otherwise the default class.
// Addresses are one 128-bit space with IPv4 mapped (base/addr.h), so `::/0` in a list also
// covers every IPv4 address; write `2000::/3` for "all global IPv6".
#ifndef FT_CLASSES_H
#define FT_CLASSES_H

#include "../base/addr.h"
#include "../base/err.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLASSES_MAX 256                   /* classes per table, the built-in default included */
#define CLASSES_MAX_PREFIXES (4u << 20)   /* prefix lines per table, over all prefix files */
#define CLASSES_NAME_MAX 32               /* characters in a class name, [a-z0-9_-] */
#define CLASSES_PRICE_MAX 999999999999ULL /* 999999.999999 per GB, in micro-units */
#define CLASSES_NO_ID UINT16_MAX          /* classes_find(): no such class */

struct class_table;

/* What a class is, as the classes file said. Borrowed from the table: valid until
 * classes_free(). */
struct class_info {
    const char *name;            /* NUL-terminated, [a-z0-9_-]{1,32} */
    uint64_t price_micro_per_gb; /* price per GB (10^9 bytes) in millionths of the currency */
    bool counts_toward_quota;    /* the `quota` column: yes */
    bool has_window;             /* applies only inside [window_start_min, window_end_min) */
    bool is_default;             /* the class of every unmatched address */
    bool is_builtin;             /* the default added when the file names none */
    uint16_t window_start_min;   /* local minute of the day, 0..1439, if has_window */
    uint16_t window_end_min;     /* 0..1440 (24:00), exclusive; not above start: wraps */
};

/* Loads a classes file and the prefix files it names (relative paths are relative to the
 * classes file's directory). Returns a new table; caller frees with classes_free(). Returns
 * NULL on any error, with "FILE:LINE: expected ..., got ..." in errbuf (ERR_BUF_LEN bytes;
 * "" on success); an error inside a prefix file names that file and its line. Not thread-safe
 * (startup and reload only); the table it returns is read-only and may be shared between threads.
 */
struct class_table *classes_load(const char *path, char *errbuf);

void classes_free(struct class_table *t);

/* Number of classes, ids 0..n-1: the file's classes in file order, then the built-in
 * default if the file names no default class. */
size_t classes_count(const struct class_table *t);

/* The class with this id, or NULL if id >= classes_count(t). */
const struct class_info *classes_get(const struct class_table *t, uint16_t id);

/* The class's name; "?" for an id out of range. Borrowed from the table. */
const char *classes_name(const struct class_table *t, uint16_t id);

/* The id of the class named `name`, or CLASSES_NO_ID. */
uint16_t classes_find(const struct class_table *t, const char *name);

/* The default class's id. */
uint16_t classes_default(const struct class_table *t);

/* The class of traffic to or from `remote` at `time_ms` (ms since the epoch, UTC; the
 * caller passes the time the flow is billed at, its end time), windows taken in the
 * process's local time zone (TZ) through classes_utc_offset(). Per flow, lock-free; safe
 * from any thread (the offset cache is per thread). */
uint16_t classes_match(const struct class_table *t, const struct ip_addr *remote, uint64_t time_ms);

/* The same with an explicit offset of local time from UTC, in seconds east (CET: 3600), so
 * tests and callers with their own clock do not depend on TZ. */
uint16_t classes_match_offset(const struct class_table *t, const struct ip_addr *remote,
                              uint64_t time_ms, int32_t utc_offset_s);

/* Offset of the process's local time from UTC at `time_ms`, in seconds east. Cached per UTC
 * hour and per thread: an hour whose start and end have the same offset (every hour but
 * the one holding a DST switch or other zone change) costs one localtime_r() call per
 * hour; the hour holding the switch is resolved per call, so flows on either side of the
 * switch get their own offset, exactly, whenever the switch falls within the hour (zones
 * such as Australia/Lord_Howe switch on the half hour). A change of TZ takes effect at the
 * next hour boundary. */
int32_t classes_utc_offset(uint64_t time_ms);

/* Local minute of the day (0..1439) of `time_ms` at `utc_offset_s`. */
uint16_t classes_local_minute(uint64_t time_ms, int32_t utc_offset_s);

#endif
