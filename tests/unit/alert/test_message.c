// SPDX-License-Identifier: MIT
// The alert message: the built-in templates are the files shipped in etc/mail/, and a
// message made from them says the figures worked out here by hand (a 15 GB quota, 12 GB
// used halfway through a 30-day cycle), in a MIME message whose headers are as expected.
#include "../../../src/alert/message.h"
#include "../../../src/base/err.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>

#define GB 1000000000ull
#define APR_2025 1743465600000ull /* 2025-04-01T00:00:00Z */
#define DAY_MS 86400000ull

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
    const char *files[] = {"alert.subject", "alert.txt", "alert.html", "report.subject",
                           "report.txt"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "etc/mail/%s", files[i]);
        char *text = read_file(path);
        ASSERT_TRUE(text != NULL);
        if (text)
            ASSERT_STREQ(text, message_builtin(files[i]));
        free(text);
    }
}

/* 12 GB of 15 GB used on 2025-04-16 00:00 UTC, 15 days into a 30-day cycle: 80.00%, 3 GB
 * left; at 0.8 GB a day the quota runs out 18.75 days in: 2025-04-19 18:00, the 19th. */
static void test_alert(void)
{
    struct message_texts t;
    char err[ERR_BUF_LEN];
    ASSERT_EQ_INT(message_texts_load(MESSAGE_ALERT, NULL, &t, err), 0);
    struct quota_usage u = {
        .at_ms = APR_2025 + 15 * DAY_MS, .used_bytes = 12 * GB, .has_plan = true};
    u.sub.id = 7;
    snprintf(u.sub.account, sizeof u.sub.account, "alice");
    snprintf(u.sub.name, sizeof u.sub.name, "Alice Example");
    snprintf(u.sub.email, sizeof u.sub.email, "alice@example.net");
    u.plan.quota_bytes = 15 * GB;
    u.cycle = (struct cycle){APR_2025, APR_2025 + 30 * DAY_MS, 2025, 4};
    struct levels ls;
    ASSERT_EQ_INT(levels_parse("80", &ls, err), 0);
    struct message_from from = {"Example Net", "billing@example.net", "example.net"};
    struct mail_row m;
    char *body = NULL;
    ASSERT_EQ_INT(message_alert(&t, &from, &u, &ls.l[0], u.at_ms, &m, &body, err), 0);
    ASSERT_STREQ(m.subject, "You have used 80% of your 15 GB");
    ASSERT_STREQ(m.to_addr, "alice@example.net");
    ASSERT_STREQ(m.kind, "alert");
    ASSERT_STREQ(m.event, "alert:7:1743465600000:80%:1744761600000");
    ASSERT_TRUE(body && strstr(body, "\r\nSubject: You have used 80% of your 15 GB\r\n"));
    ASSERT_TRUE(body && strstr(body, "\r\nTo: alice@example.net\r\n"));
    ASSERT_TRUE(body && strstr(body, "From: \"Example Net\" <billing@example.net>\r\n"));
    /* the text part's lines are short, plain ASCII: quoted-printable leaves them as they are */
    ASSERT_TRUE(body && strstr(body, "you have used 12 GB of your 15 GB (80.00%) in\r\n"
                                     "the cycle from 2025-04-01 to 2025-04-30.\r\n"));
    ASSERT_TRUE(body && strstr(body, "Remaining: 3 GB.\r\n"));
    ASSERT_TRUE(body && strstr(body, "At the rate so far, the quota runs out on 2025-04-19."));
    free(body);
    /* a size level: no quota needed */
    ASSERT_EQ_INT(levels_parse("10GB", &ls, err), 0);
    u.plan.unlimited = true;
    ASSERT_EQ_INT(message_alert(&t, &from, &u, &ls.l[0], u.at_ms, &m, &body, err), 0);
    ASSERT_STREQ(m.subject, "You have used 10 GB this cycle");
    ASSERT_TRUE(body && strstr(body, "you have used 12 GB in\r\n"));
    free(body);
    /* an address that is not plain: no message (a header cannot be injected) */
    snprintf(u.sub.email, sizeof u.sub.email, "a@b.net\r\nBcc: x@y.net");
    ASSERT_TRUE(message_alert(&t, &from, &u, &ls.l[0], u.at_ms, &m, &body, err) != 0);
    free(body);
    message_texts_free(&t);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    RUN(test_shipped_are_built_in);
    RUN(test_alert);
    return test_done();
}
