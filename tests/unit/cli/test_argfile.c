// SPDX-License-Identifier: MIT
// Tests of files of command arguments: splitting a line into words (quotes, blanks, limits)
// and importing a file in one transaction (a bad line stores nothing and is named
// FILE:LINE; a good file stores every line, with statements reused across lines, and the
// bindings version moves so a running daemon reloads).
#include "../../../src/admin/admin.h"
#include "../../../src/base/err.h"
#include "../../../src/cli/argfile.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char db_path[64], file_path[64];

static int split(const char *text, char **words, char *buf, size_t size)
{
    snprintf(buf, size, "%s", text);
    return argfile_split(buf, words, 8);
}

static void test_split_words(void)
{
    char buf[256], *w[8];
    ASSERT_EQ_INT(split("  alice\t--plan  basic ", w, buf, sizeof buf), 3);
    ASSERT_STREQ(w[0], "alice");
    ASSERT_STREQ(w[1], "--plan");
    ASSERT_STREQ(w[2], "basic");
    ASSERT_EQ_INT(split("bob --name \"Bob Example\" --notes \"\"", w, buf, sizeof buf), 5);
    ASSERT_STREQ(w[2], "Bob Example");
    ASSERT_STREQ(w[4], "");
    ASSERT_EQ_INT(split("carol --name=\"Carol  C\"x", w, buf, sizeof buf), 2);
    ASSERT_STREQ(w[1], "--name=Carol  Cx");
    ASSERT_EQ_INT(split("", w, buf, sizeof buf), 0);
    ASSERT_EQ_INT(split(" \t ", w, buf, sizeof buf), 0);
    ASSERT_EQ_INT(split("dave --name \"open", w, buf, sizeof buf), -1);
    ASSERT_EQ_INT(split("1 2 3 4 5 6 7 8", w, buf, sizeof buf), 8);
    ASSERT_EQ_INT(split("1 2 3 4 5 6 7 8 9", w, buf, sizeof buf), -2);
}

/* A line: ACCOUNT PLAN, added through the same call `subscriber add` makes. */
static int subscriber_line(struct store *s, void *ctx, int argc, char **argv, char *msg)
{
    (void)ctx;
    if (argc != 2) {
        snprintf(msg, ERR_BUF_LEN, "expected ACCOUNT PLAN");
        return ERR_MALFORMED;
    }
    struct subscriber_fields f = {.plan = argv[1]};
    return admin_subscriber_save(s, argv[0], &f, true, msg);
}

/* A line: ACCOUNT ADDRESS, bound from 1000 s. */
static int bind_line(struct store *s, void *ctx, int argc, char **argv, char *msg)
{
    (void)ctx;
    if (argc != 2) {
        snprintf(msg, ERR_BUF_LEN, "expected ACCOUNT ADDRESS");
        return ERR_MALFORMED;
    }
    return admin_bind(s, argv[0], argv[1], 1000000, 0, "static", msg);
}

static void write_file(const char *text)
{
    FILE *f = fopen(file_path, "w");
    ASSERT_TRUE(f != NULL);
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void count(void *ctx, const struct subscriber *sub)
{
    (void)sub;
    ++*(int *)ctx;
}

static int n_subscribers(struct store *s)
{
    int n = 0;
    store_subscriber_list(s, count, &n);
    return n;
}

static void test_import_all_or_nothing(void)
{
    char errbuf[ERR_BUF_LEN], want[128];
    struct store *s = admin_open(db_path, errbuf);
    ASSERT_TRUE(s != NULL);
    if (!s)
        return;
    struct plan_fields pf = {.quota = "15GB"};
    ASSERT_EQ_INT(admin_plan_save(s, "basic", &pf, true, errbuf), 0);

    uint64_t n = 99;
    write_file("# accounts\nalice basic\n\nbob basic  # comment\ncarol gold\ndave basic\n");
    ASSERT_TRUE(argfile_import(s, file_path, subscriber_line, NULL, &n, errbuf) != 0);
    snprintf(want, sizeof want, "%s:5: no plan named 'gold' (see flowtally plan list)", file_path);
    ASSERT_STREQ(errbuf, want);
    ASSERT_EQ_U64(n, 0);
    ASSERT_EQ_INT(n_subscribers(s), 0);

    write_file("alice \"basic\n");
    ASSERT_TRUE(argfile_import(s, file_path, subscriber_line, NULL, &n, errbuf) != 0);
    snprintf(want, sizeof want, "%s:1: expected a closing double quote", file_path);
    ASSERT_STREQ(errbuf, want);

    write_file("# accounts\nalice basic\n\nbob basic  # comment\ncarol basic\n");
    ASSERT_EQ_INT(argfile_import(s, file_path, subscriber_line, NULL, &n, errbuf), 0);
    ASSERT_EQ_U64(n, 3);
    ASSERT_EQ_INT(n_subscribers(s), 3);

    /* a duplicate in the file: the store's own refusal, named by line */
    write_file("dave basic\ndave basic\n");
    ASSERT_TRUE(argfile_import(s, file_path, subscriber_line, NULL, &n, errbuf) != 0);
    snprintf(want, sizeof want, "%s:2: account 'dave' exists already", file_path);
    ASSERT_STREQ(errbuf, want);
    ASSERT_EQ_INT(n_subscribers(s), 3);

    /* bindings: the version moves with every row, so the daemon reloads after a flush */
    int64_t v0 = store_bindings_version(s);
    write_file("alice 10.0.0.1\nbob 10.0.0.2\nbob 10.0.0.300\n");
    ASSERT_TRUE(argfile_import(s, file_path, bind_line, NULL, &n, errbuf) != 0);
    ASSERT_EQ_INT(store_bindings_version(s), v0);
    write_file("alice 10.0.0.1\nbob 10.0.0.2\ncarol 2001:db8:1200::/56\n");
    ASSERT_EQ_INT(argfile_import(s, file_path, bind_line, NULL, &n, errbuf), 0);
    ASSERT_EQ_U64(n, 3);
    ASSERT_TRUE(store_bindings_version(s) > v0);
    ASSERT_EQ_INT(store_binding_is_open(s, "2001:db8:1200::/56", 3), 1);

    /* after the batch, calls prepare their own statements again */
    struct subscriber_fields sf = {.plan = "basic"};
    ASSERT_EQ_INT(admin_subscriber_save(s, "erin", &sf, true, errbuf), 0);
    ASSERT_EQ_INT(n_subscribers(s), 4);

    ASSERT_TRUE(argfile_import(s, "/nonexistent/file", bind_line, NULL, &n, errbuf) != 0);
    ASSERT_STREQ(errbuf, "/nonexistent/file: expected a readable file (No such file or directory)");
    store_close(s);
}

int main(void)
{
    snprintf(db_path, sizeof db_path, "/tmp/flowtally-test-argfile-%d.db", (int)getpid());
    snprintf(file_path, sizeof file_path, "/tmp/flowtally-test-argfile-%d.txt", (int)getpid());
    RUN(test_split_words);
    RUN(test_import_all_or_nothing);
    char p[96];
    unlink(db_path);
    unlink(file_path);
    snprintf(p, sizeof p, "%s-wal", db_path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", db_path);
    unlink(p);
    return test_done();
}
