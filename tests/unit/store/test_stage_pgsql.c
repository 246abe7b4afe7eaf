// SPDX-License-Identifier: MIT
// Tests of the PostgreSQL backend's usage stage: rows copied (names too), sorted in the
// upsert's key order with one row per key, and written as COPY text with its escapes, in
// pieces.
#include "../../../src/store/pgsql_private.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add(struct pgsql_stage *st, const char *host, uint32_t bucket, uint32_t sub,
                enum flow_dir dir, const char *class_name, const char *app, uint64_t bytes)
{
    struct usage_row row = {.key = {.bucket_s = bucket, .subscriber = sub, .dir = dir},
                            .counts = {.bytes = bytes, .packets = 2, .flows = 1}};
    addr_parse(host, &row.key.host);
    stage_pgsql_add(st, &row, class_name, app);
}

/* Every piece of the stage's COPY text, joined. Returns a new string; caller frees. */
static char *all_text(struct pgsql_stage *st, size_t piece)
{
    size_t n = 0, len;
    char *out = calloc(1, 1);
    const char *text;
    while ((text = stage_pgsql_piece(st, piece, &len))) {
        out = realloc(out, n + len + 1);
        memcpy(out + n, text, len);
        n += len;
        out[n] = '\0';
    }
    return out;
}

static void test_sorted_copy_text(void)
{
    struct pgsql_stage st;
    stage_pgsql_init(&st);
    char class_name[16] = "national";
    add(&st, "10.0.0.9", 600, 1, FLOW_DIR_OUT, class_name, "WEB", 5);
    strcpy(class_name, "free"); /* the caller's buffer changes: the stage kept its copy */
    add(&st, "10.0.0.10", 600, 1, FLOW_DIR_IN, class_name, "WEB", 7);
    add(&st, "2001:db8::1", 300, 2, FLOW_DIR_INTERNAL, "a\tb\\c\nd", NULL, 9);
    add(&st, "10.0.0.9", 600, 1, FLOW_DIR_IN, "national", "WEB", 11);
    ASSERT_EQ_U64(st.n_rows, 4);
    stage_pgsql_sort(&st);
    char *text = all_text(&st, 1 << 20);
    ASSERT_STREQ(text, "300\t2\t2001:db8::1\tinternal\ta\\tb\\\\c\\nd\t\\N\t9\t2\t1\n"
                       "600\t1\t10.0.0.10\tin\tfree\tWEB\t7\t2\t1\n"
                       "600\t1\t10.0.0.9\tin\tnational\tWEB\t11\t2\t1\n"
                       "600\t1\t10.0.0.9\tout\tnational\tWEB\t5\t2\t1\n");
    free(text);
    ASSERT_EQ_U64(st.n_names, 4); /* national, free, the escaped one, WEB */
    stage_pgsql_clear(&st);
    ASSERT_EQ_U64(st.n_rows, 0);
    ASSERT_TRUE(stage_pgsql_piece(&st, 100, &(size_t){0}) == NULL);
    stage_pgsql_deinit(&st);
}

/* Rows of one key become one row of their sums (one statement may not update a row twice);
 * a sum that would not fit in a bigint leaves the rows apart, for the server to refuse. */
static void test_same_key_merged(void)
{
    struct pgsql_stage st;
    stage_pgsql_init(&st);
    add(&st, "10.0.0.1", 300, 1, FLOW_DIR_IN, "default", "WEB", 100);
    add(&st, "10.0.0.1", 300, 1, FLOW_DIR_OUT, "default", "WEB", 1);
    add(&st, "10.0.0.1", 300, 1, FLOW_DIR_IN, "default", "WEB", 23);
    add(&st, "10.0.0.1", 300, 1, FLOW_DIR_IN, "default", "DNS", 5);
    add(&st, "10.0.0.1", 300, 1, FLOW_DIR_IN, "default", "WEB", 4000);
    add(&st, "10.0.0.2", 300, 1, FLOW_DIR_IN, "default", "WEB", (uint64_t)INT64_MAX);
    add(&st, "10.0.0.2", 300, 1, FLOW_DIR_IN, "default", "WEB", 1);
    stage_pgsql_sort(&st);
    char *text = all_text(&st, 1 << 20);
    ASSERT_STREQ(text, "300\t1\t10.0.0.1\tin\tdefault\tDNS\t5\t2\t1\n"
                       "300\t1\t10.0.0.1\tin\tdefault\tWEB\t4123\t6\t3\n"
                       "300\t1\t10.0.0.1\tout\tdefault\tWEB\t1\t2\t1\n"
                       "300\t1\t10.0.0.2\tin\tdefault\tWEB\t9223372036854775807\t2\t1\n"
                       "300\t1\t10.0.0.2\tin\tdefault\tWEB\t1\t2\t1\n");
    free(text);
    stage_pgsql_deinit(&st);
}

static void test_pieces(void)
{
    struct pgsql_stage st;
    stage_pgsql_init(&st);
    for (uint32_t i = 0; i < 5000; i++)
        add(&st, "10.1.2.3", 300 * i, 0, FLOW_DIR_IN, "default", "other", UINT64_MAX - i);
    size_t len, n_pieces = 0, n_lines = 0;
    const char *text;
    while ((text = stage_pgsql_piece(&st, 4096, &len))) {
        n_pieces++;
        ASSERT_TRUE(len < 4096 + 200);
        ASSERT_TRUE(text[len - 1] == '\n'); /* pieces end between rows */
        for (size_t i = 0; i < len; i++)
            n_lines += text[i] == '\n';
    }
    ASSERT_EQ_U64(n_lines, 5000);
    ASSERT_TRUE(n_pieces > 10);
    stage_pgsql_deinit(&st);
}

int main(void)
{
    RUN(test_sorted_copy_text);
    RUN(test_same_key_merged);
    RUN(test_pieces);
    return test_done();
}
