// SPDX-License-Identifier: MIT
// Tests of the SQLite connection's kept statements (sqlite_stmt()): one statement per SQL text,
// reused after release with its bindings cleared; a fresh one while the kept one is in use (a
// loop calling back into the store), finalized on release; and statements past the table's
// size still work. LeakSanitizer, which `make check` runs, fails the test if any statement is
// left unfinalized at close.
#include "../../../src/base/err.h"
#include "../../../src/store/sqlite_private.h"
#include "../../../src/store/store.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char path[64];

static struct store *open_store(void)
{
    snprintf(path, sizeof path, "/tmp/ft-stmt-%d.db", (int)getpid());
    unlink(path);
    char errbuf[ERR_BUF_LEN];
    struct store *s = store_open(path, false, errbuf);
    if (!s)
        TEST_FAIL("store_open: %s", errbuf);
    return s;
}

static void close_store(struct store *s)
{
    store_close(s);
    char side[80];
    unlink(path);
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
}

static const char echo[] = "SELECT ?1";

/* Steps st once: its one column as an integer, -1 for NULL. */
static long long first(sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_ROW)
        return -2;
    return sqlite3_column_type(st, 0) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 0);
}

static void test_kept_and_reused(void)
{
    struct store *s = open_store();
    if (!s)
        return;
    sqlite3_stmt *a = sqlite_stmt(s, echo);
    ASSERT_TRUE(a != NULL);
    sqlite3_bind_int64(a, 1, 42);
    ASSERT_EQ_INT(first(a), 42);
    /* in use (stepped, not released): the same text gets a statement of its own */
    sqlite3_stmt *b = sqlite_stmt(s, echo);
    ASSERT_TRUE(b != NULL && b != a);
    sqlite3_bind_int64(b, 1, 7);
    ASSERT_EQ_INT(first(b), 7);
    sqlite_stmt_release(s, b); /* finalized */
    sqlite_stmt_release(s, a); /* kept, reset, unbound */
    sqlite3_stmt *c = sqlite_stmt(s, echo);
    ASSERT_TRUE(c == a);
    ASSERT_EQ_INT(first(c), -1); /* the 42 bound before is gone */
    sqlite_stmt_release(s, c);
    sqlite_stmt_release(s, NULL); /* ignored */
    close_store(s);
}

static void test_more_texts_than_kept(void)
{
    struct store *s = open_store();
    if (!s)
        return;
    /* 300 texts at 300 addresses, more than the table keeps: each still answers, twice */
    enum { N = 300 };
    static char sql[N][32];
    for (int round = 0; round < 2; round++) {
        for (int i = 0; i < N; i++) {
            snprintf(sql[i], sizeof sql[i], "SELECT %d + ?1", i);
            sqlite3_stmt *st = sqlite_stmt(s, sql[i]);
            ASSERT_TRUE(st != NULL);
            if (!st)
                break;
            sqlite3_bind_int64(st, 1, 1000);
            ASSERT_EQ_INT(first(st), 1000 + i);
            sqlite_stmt_release(s, st);
        }
    }
    ASSERT_TRUE(sqlite_stmt(s, "SELECT nonsense FROM") == NULL); /* what SQLite refuses */
    ASSERT_TRUE(s->ops->last_error(s)[0] != '\0');
    close_store(s);
}

int main(void)
{
    RUN(test_kept_and_reused);
    RUN(test_more_texts_than_kept);
    return test_done();
}
