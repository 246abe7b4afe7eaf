// SPDX-License-Identifier: MIT
// The SQL of the usage reads, one text for every engine (store/ only): read_usage's grouped
// sums and scan_usage's stored rows. The engines differ only in how a statement names its
// parameters (SQLite ?N, PostgreSQL $N), which the caller says; every value is a parameter,
// and each piece of SQL is a fixed fragment chosen by the query's bits, never text from
// outside.
#ifndef FT_USAGE_SQL_H
#define FT_USAGE_SQL_H

#include "store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The length of the longest text below, with room to spare. */
#define USAGE_SQL_LEN 1024

/* The groups a read really uses: DAY is dropped when HOUR is asked too (the hour names its
 * day already), and unknown bits are dropped. */
unsigned usage_sql_group(unsigned group);

/* OUT: sql (size bytes), the SELECT of read_usage for group (usage_sql_group()'s), one
 * subscriber's (one_subscriber) or every subscriber's, with parameters written as mark
 * ('?' or '$') and their number: 1 and 2 the buckets' bounds (usage_sql_bounds()), 3 the
 * subscriber id (absent from the text of every subscriber), 4 the offset in seconds.
 * Columns: 0 subscriber id, 1 account, 2 host, 3 class, 4 app, 5 local day, 6 local hour
 * (NULL where not grouped), 7 direction, 8 bytes, 9 packets, 10 flows (sums, BIGINT). */
void usage_sql_read(unsigned group, bool one_subscriber, char mark, char *sql, size_t size);

/* OUT: sql (size bytes), the SELECT of scan_usage: every stored row with a bucket in
 * parameters 1 and 2's bounds, of the subscriber parameter 3 (one_subscriber only), in
 * the usage key's order (bucket, subscriber, host, direction, class, app): the primary
 * key's, so neither engine sorts the rows of every subscriber. Columns: 0 subscriber id,
 * 1 host, 2 class, 3 app, 4 bucket, 5 direction, 6 bytes, 7 packets, 8 flows; is_rating
 * (struct usage_query): 0 subscriber id, 1 class, 2 bucket, 3 direction, 4 bytes. */
void usage_sql_scan(bool one_subscriber, bool is_rating, char mark, char *sql, size_t size);

/* OUT: *from_s, *to_s, the bucket starts (seconds) of q's [from_ms, to_ms): a bucket b
 * starts in it when b * 1000 >= from_ms and b * 1000 < to_ms, so b >= ceil(from_ms / 1000)
 * and b < ceil(to_ms / 1000); both capped at INT64_MAX, as the engines keep them. */
void usage_sql_bounds(const struct usage_query *q, int64_t *from_s, int64_t *to_s);

/* The direction a stored name says (transit for anything else). */
enum flow_dir usage_sql_dir(const char *name);

#endif
