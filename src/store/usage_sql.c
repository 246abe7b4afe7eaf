// SPDX-License-Identifier: MIT
// The SQL of the usage reads, written once for SQLite and PostgreSQL (usage_sql.h). The
// fragments below name their parameters with '?' followed by the number; each engine's text
// is the same with '?' replaced by the mark that engine uses, so no fragment ever holds a
// '?' of its own. Both engines then read the same columns and compare text as bytes (the
// PostgreSQL schema says COLLATE "C"), so rows come in the same order on both.
#include "usage_sql.h"

#include <stdio.h>
#include <string.h>

/* The grouping columns of a usage read, in the order of the SELECT. A period is the bucket
 * plus the offset, divided: integers, the same in every engine (see struct usage_query). */
static const struct {
    unsigned bit;
    const char *select; /* expression when grouped */
} group_cols[] = {
    {USAGE_BY_SUBSCRIBER, "u.subscriber_id"},
    {USAGE_BY_SUBSCRIBER, "s.account"},
    {USAGE_BY_HOST, "u.host"},
    {USAGE_BY_CLASS, "u.class"},
    {USAGE_BY_APP, "u.app"},
    {USAGE_BY_DAY, "(u.bucket + ?4) / 86400"},
    {USAGE_BY_HOUR, "(u.bucket + ?4) / 3600"},
};

#define N_GROUP_COLS (sizeof group_cols / sizeof group_cols[0])

/* SQL text being written: what fits of it, always NUL-terminated. */
struct text {
    char *sql;
    size_t n, size;
};

/* Appends a fragment, its '?' written as the mark. */
static void put(struct text *t, char mark, const char *fragment)
{
    for (const char *c = fragment; *c && t->n + 1 < t->size; c++)
        t->sql[t->n++] = *c == '?' ? mark : *c;
    t->sql[t->n] = '\0';
}

/* Appends a column's number in the SELECT, for GROUP BY and ORDER BY. */
static void put_number(struct text *t, size_t i, const char *after)
{
    char num[32];
    snprintf(num, sizeof num, "%zu%s", i + 1, after);
    put(t, '?', num);
}

unsigned usage_sql_group(unsigned group)
{
    group &= USAGE_BY_SUBSCRIBER | USAGE_BY_HOST | USAGE_BY_CLASS | USAGE_BY_APP | USAGE_BY_DAY |
             USAGE_BY_HOUR;
    if ((group & USAGE_BY_DAY) && (group & USAGE_BY_HOUR))
        group &= ~(unsigned)USAGE_BY_DAY;
    return group;
}

/* A read of one subscriber has a SQL text of its own: with the condition written
 * "(?3 < 0 OR u.subscriber_id = ?3)" neither planner can use usage_subscriber, and SQLite
 * walks every subscriber's rows of the period (30 M rows to keep 73 k: 2.3 s instead of
 * 0.13 s), as does a generic PostgreSQL plan. The sums are cast back to BIGINT, which
 * PostgreSQL's sum() of bigint is not (numeric) and SQLite's is already. */
void usage_sql_read(unsigned group, bool one_subscriber, char mark, char *sql, size_t size)
{
    struct text t = {sql, 0, size};
    put(&t, mark, "SELECT ");
    for (size_t i = 0; i < N_GROUP_COLS; i++) {
        put(&t, mark, group & group_cols[i].bit ? group_cols[i].select : "NULL");
        put(&t, mark, ", ");
    }
    put(&t, mark,
        "u.dir, CAST(sum(u.bytes) AS BIGINT), CAST(sum(u.packets) AS BIGINT),"
        " CAST(sum(u.flows) AS BIGINT)"
        " FROM usage u LEFT JOIN subscribers s ON s.id = u.subscriber_id"
        " WHERE u.bucket >= ?1 AND u.bucket < ?2");
    if (one_subscriber)
        put(&t, mark, " AND u.subscriber_id = ?3");
    put(&t, mark, " GROUP BY ");
    for (size_t i = 0; i < N_GROUP_COLS; i++)
        if (group & group_cols[i].bit)
            put_number(&t, i, ", ");
    /* The same columns order the rows, so the rows of one key arrive together; no account
     * (NULL) first, as SQLite sorts it anyway. */
    put(&t, mark, "u.dir ORDER BY ");
    for (size_t i = 0; i < N_GROUP_COLS; i++)
        if (group & group_cols[i].bit)
            put_number(&t, i, " NULLS FIRST, ");
    put(&t, mark, "u.dir");
}

/* No GROUP BY, and the order of the primary key (bucket, subscriber_id, host, dir, class,
 * app): SQLite walks the key (every subscriber) or usage_subscriber, whose entries end in
 * the key's other columns (one), and hands rows over as it finds them, without a sorter;
 * PostgreSQL walks the key's index, or sorts one subscriber's rows of a bucket at a time
 * (incremental sort after usage_subscriber). */
void usage_sql_scan(bool one_subscriber, bool is_rating, char mark, char *sql, size_t size)
{
    struct text t = {sql, 0, size};
    put(&t, mark,
        is_rating ? "SELECT subscriber_id, class, bucket, dir, bytes FROM usage"
                  : "SELECT subscriber_id, host, class, app, bucket, dir, bytes, packets, flows"
                    " FROM usage");
    if (one_subscriber)
        put(&t, mark,
            " WHERE subscriber_id = ?3 AND bucket >= ?1 AND bucket < ?2"
            " ORDER BY bucket, host, dir, class, app");
    else
        put(&t, mark,
            " WHERE bucket >= ?1 AND bucket < ?2"
            " ORDER BY bucket, subscriber_id, host, dir, class, app");
}

void usage_sql_bounds(const struct usage_query *q, int64_t *from_s, int64_t *to_s)
{
    uint64_t from = q->from_ms / 1000 + (q->from_ms % 1000 != 0);
    uint64_t to = q->to_ms / 1000 + (q->to_ms % 1000 != 0);
    *from_s = from > INT64_MAX ? INT64_MAX : (int64_t)from;
    *to_s = to > INT64_MAX ? INT64_MAX : (int64_t)to;
}

enum flow_dir usage_sql_dir(const char *name)
{
    for (int d = 0; d < FLOW_DIR_COUNT; d++)
        if (name && strcmp(name, flow_dir_name((enum flow_dir)d)) == 0)
            return (enum flow_dir)d;
    return FLOW_DIR_TRANSIT;
}
