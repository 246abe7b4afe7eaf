// SPDX-License-Identifier: MIT
// Tests of the JSON writer: string escapes (RFC 8259), U+FFFD for each invalid UTF-8
// sequence, and the commas and newlines of the documents the program prints. Expected
// output written by hand.
#include "../../../src/base/json.h"
#include "test.h"

#include <stdlib.h>

/* A writer on a memory stream; json_done() closes it and returns the text (caller frees). */
struct capture {
    FILE *f;
    char *text;
    size_t len;
};

static void capture_open(struct capture *c, struct json *j)
{
    c->text = NULL;
    c->f = open_memstream(&c->text, &c->len);
    json_init(j, c->f);
}

static char *capture_close(struct capture *c)
{
    fclose(c->f);
    return c->text;
}

static void test_strings(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"", "\"\""},
        {"alice", "\"alice\""},
        {"Mallory\",\"account\":\"alice", "\"Mallory\\\",\\\"account\\\":\\\"alice\""},
        {"back\\slash", "\"back\\\\slash\""},
        {"/", "\"/\""},
        {"tab\there", "\"tab\\u0009here\""},
        {"a\nb\rc", "\"a\\u000ab\\u000dc\""},
        {"\x01\x1f", "\"\\u0001\\u001f\""},
        {"del\x7f", "\"del\\u007f\""},
        {"c1\xc2\x80\xc2\x9f", "\"c1\\u0080\\u009f\""},
        {"\xc2\xa0nbsp", "\"\xc2\xa0nbsp\""}, /* U+00A0 is not a control character */
        {"Ren\xc3\xa9 \xf0\x9f\x98\x80", "\"Ren\xc3\xa9 \xf0\x9f\x98\x80\""},
        /* each invalid sequence (maximal subpart) becomes one U+FFFD */
        {"ab\xff", "\"ab\xef\xbf\xbd\""},
        {"\xff\xfe", "\"\xef\xbf\xbd\xef\xbf\xbd\""},
        {"\xe2\x82x", "\"\xef\xbf\xbdx\""},
        {"\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* surrogate: 3 bytes, 3 */
        {"\xc0\xaf\"", "\"\xef\xbf\xbd\xef\xbf\xbd\\\"\""},
        {"\xf0\x9f\x98", "\"\xef\xbf\xbd\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct capture c;
        struct json j;
        capture_open(&c, &j);
        json_str(&j, cases[i].in);
        char *got = capture_close(&c);
        ASSERT_STREQ(got, cases[i].want);
        free(got);
    }
}

static void test_document(void)
{
    struct capture c;
    struct json j;
    capture_open(&c, &j);
    json_object_begin(&j);
    json_member_u64(&j, "from", 0);
    json_key(&j, "to");
    json_null(&j);
    json_key(&j, "rows");
    json_rows_begin(&j);
    for (int i = 0; i < 2; i++) {
        json_object_begin(&j);
        json_member_str(&j, "host", i ? "10.0.0.2" : "10.0.0.1");
        json_member_u64(&j, "bytes_in", 18446744073709551615ULL);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_key(&j, "list");
    json_array_begin(&j);
    json_u64(&j, 1);
    json_str(&j, "two");
    json_null(&j);
    json_array_begin(&j);
    json_array_end(&j);
    json_object_begin(&j);
    json_object_end(&j);
    json_array_end(&j);
    json_object_end(&j);
    char *got = capture_close(&c);
    ASSERT_STREQ(got, "{\"from\":0,\"to\":null,\"rows\":[\n"
                      "{\"host\":\"10.0.0.1\",\"bytes_in\":18446744073709551615},\n"
                      "{\"host\":\"10.0.0.2\",\"bytes_in\":18446744073709551615}],"
                      "\"list\":[1,\"two\",null,[],{}]}");
    free(got);
}

/* Rows begun and ended with none in between: what a report of nothing prints. */
static void test_empty_rows(void)
{
    struct capture c;
    struct json j;
    capture_open(&c, &j);
    json_object_begin(&j);
    json_key(&j, "stats");
    json_rows_begin(&j);
    json_array_end(&j);
    json_object_end(&j);
    char *got = capture_close(&c);
    ASSERT_STREQ(got, "{\"stats\":[]}");
    free(got);
}

/* Top-level values are separate documents: no commas between them (JSON lines). */
static void test_top_level(void)
{
    struct capture c;
    struct json j;
    capture_open(&c, &j);
    for (int i = 0; i < 2; i++) {
        json_object_begin(&j);
        json_member_str(&j, "k\"ey", "v");
        json_object_end(&j);
        fputc('\n', c.f);
    }
    char *got = capture_close(&c);
    ASSERT_STREQ(got, "{\"k\\\"ey\":\"v\"}\n{\"k\\\"ey\":\"v\"}\n");
    free(got);
}

int main(void)
{
    RUN(test_strings);
    RUN(test_document);
    RUN(test_empty_rows);
    RUN(test_top_level);
    return test_done();
}
