// SPDX-License-Identifier: MIT
// The password reset mail: the built-in templates are the files shipped in etc/mail/, the
// link's lifetime reads as a person says it, and a message made from them goes to the given
// address, as kind "reset" with an event of its own, with the link in the text part as it
// was given (short enough that quoted-printable leaves its line whole).
#include "../../../src/alert/resetmail.h"
#include "../../../src/base/err.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    char *buf = calloc(1, 1 << 16);
    size_t n = fread(buf, 1, (1 << 16) - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_shipped_are_built_in(void)
{
    const char *files[] = {"reset.subject", "reset.txt", "reset.html"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "etc/mail/%s", files[i]);
        char *text = read_file(path);
        ASSERT_TRUE(text != NULL);
        ASSERT_TRUE(message_builtin(files[i]) != NULL);
        if (text && message_builtin(files[i]))
            ASSERT_STREQ(text, message_builtin(files[i]));
        free(text);
    }
}

static void test_duration(void)
{
    static const struct {
        uint64_t s;
        const char *want;
    } cases[] = {
        {1, "1 second"},      {45, "45 seconds"}, {60, "1 minute"},     {61, "61 seconds"},
        {90, "90 seconds"},   {120, "2 minutes"}, {1800, "30 minutes"}, {3600, "1 hour"},
        {5400, "90 minutes"}, {7200, "2 hours"},  {86400, "24 hours"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        resetmail_duration(cases[i].s, buf, sizeof buf);
        ASSERT_STREQ(buf, cases[i].want);
    }
}

#define LINK "https://p.example/reset/abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
#define NOW_MS 1743465600000ull /* 2025-04-01T00:00:00Z */

static void test_message(void)
{
    struct message_texts t;
    char err[ERR_BUF_LEN];
    ASSERT_EQ_INT(message_texts_load(MESSAGE_RESET, NULL, &t, err), 0);
    struct message_from from = {"Example Net", "portal@example.net", "example.net"};
    struct mail_row m;
    char *body = NULL;
    ASSERT_EQ_INT(resetmail_build(&t, &from, "alice@example.org", "alice", 42, LINK, 3600, NOW_MS,
                                  &m, &body, err),
                  0);
    ASSERT_STREQ(m.subject, "Example Net: set a new password for the portal");
    ASSERT_STREQ(m.to_addr, "alice@example.org");
    ASSERT_STREQ(m.kind, "reset");
    ASSERT_STREQ(m.event, "reset:42:1743465600000");
    ASSERT_EQ_U64(m.created_ms, NOW_MS);
    ASSERT_EQ_U64(m.next_try_ms, NOW_MS);
    ASSERT_TRUE(body && strstr(body, "\r\nTo: alice@example.org\r\n"));
    ASSERT_TRUE(body && strstr(body, "From: \"Example Net\" <portal@example.net>\r\n"));
    ASSERT_TRUE(body && strstr(body, "multipart/alternative"));
    ASSERT_TRUE(body && strstr(body, "someone, we hope you, asked to set a new password for alice "
                                     "on the\r\nportal of Example Net. To choose one, open this "
                                     "link within 1 hour:\r\n\r\n" LINK "\r\n"));
    free(body);
    /* 30 minutes; an address that is not plain gives no message (no header injection) */
    ASSERT_EQ_INT(resetmail_build(&t, &from, "alice@example.org", "alice", 42, LINK, 1800, NOW_MS,
                                  &m, &body, err),
                  0);
    ASSERT_TRUE(body && strstr(body, "link within 30 minutes:"));
    free(body);
    body = NULL;
    ASSERT_TRUE(resetmail_build(&t, &from, "a@b.net\r\nBcc: x@y.net", "alice", 42, LINK, 3600,
                                NOW_MS, &m, &body, err) != 0);
    free(body);
    message_texts_free(&t);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    RUN(test_shipped_are_built_in);
    RUN(test_duration);
    RUN(test_message);
    return test_done();
}
