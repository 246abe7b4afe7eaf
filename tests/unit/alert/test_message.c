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
    const char *files[] = {"alert.subject", "alert.txt",       "alert.html",  "report.subject",
                           "report.txt",    "invoice.subject", "invoice.txt", "invoice.html"};
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

/* An invoice of March 2026 (UTC: 1772323200000 to 1775001600000), 30.81 EUR, and a
 * credit note correcting it, -4.46 EUR: subject, texts, event, and the PDF given as the
 * attachment ("%PDF-1.4 test", base64 by Python: JVBERi0xLjQgdGVzdA==). */
static void test_invoice(void)
{
    struct message_texts t;
    char err[ERR_BUF_LEN];
    ASSERT_EQ_INT(message_texts_load(MESSAGE_INVOICE, NULL, &t, err), 0);
    struct invoice_row inv = {.id = 9,
                              .kind = "invoice",
                              .number = 42,
                              .subscriber_id = 7,
                              .account = "alice",
                              .name = "Alice Example",
                              .cycle = "2026-03",
                              .cycle_start_ms = 1772323200000ull,
                              .cycle_end_ms = 1775001600000ull,
                              .total_cents = 3081,
                              .currency = "EUR"};
    struct message_from from = {"Example Net", "billing@example.net", "example.net"};
    struct mail_row m;
    char *body = NULL;
    const char pdf[] = "%PDF-1.4 test";
    ASSERT_EQ_INT(message_invoice(&t, &from, &inv, 0, "alice@example.net", pdf, 13,
                                  1775016000000ull, &m, &body, err),
                  0);
    ASSERT_STREQ(m.subject, "Invoice 42 for March 2026");
    ASSERT_STREQ(m.kind, "invoice");
    ASSERT_STREQ(m.event, "invoice:42");
    ASSERT_STREQ(m.to_addr, "alice@example.net");
    ASSERT_TRUE(body && strstr(body, "\r\nSubject: Invoice 42 for March 2026\r\n"));
    ASSERT_TRUE(body && strstr(body, "Content-Type: multipart/mixed; boundary="));
    ASSERT_TRUE(body && strstr(body, "quoted-printable\r\n\r\n"
                                     "Hello Alice Example,\r\n"
                                     "\r\n"
                                     "attached is your invoice 42 for\r\n"
                                     "the cycle from 2026-03-01 to 2026-03-31.\r\n"
                                     "\r\n"
                                     "Amount due: 30.81 EUR\r\n"
                                     "Account: alice\r\n"
                                     "\r\n"
                                     "Example Net\r\n\r\n--"));
    ASSERT_TRUE(body && strstr(body, "<p>Amount due: <strong>30.81 EUR</strong></p>"));
    ASSERT_TRUE(body && strstr(body, "Content-Type: application/pdf;\r\n"
                                     " name=\"invoice-42.pdf\"\r\n"));
    ASSERT_TRUE(body && strstr(body, "\r\n\r\nJVBERi0xLjQgdGVzdA==\r\n--"));
    free(body);

    struct invoice_row note = inv;
    note.id = 11;
    snprintf(note.kind, sizeof note.kind, "credit");
    note.number = 3;
    note.refers_to = 9;
    note.total_cents = -446;
    ASSERT_EQ_INT(message_invoice(&t, &from, &note, 42, "alice@example.net", pdf, 13,
                                  1775016000000ull, &m, &body, err),
                  0);
    ASSERT_STREQ(m.subject, "Credit note C-3 for March 2026");
    ASSERT_STREQ(m.event, "invoice:C-3");
    ASSERT_TRUE(body && strstr(body, "attached is a credit note, C-3, for\r\n"
                                     "the cycle from 2026-03-01 to 2026-03-31. It corrects "
                                     "invoice 42.\r\n"
                                     "\r\n"
                                     "Credited to you: 4.46 EUR\r\n"));
    ASSERT_TRUE(body && strstr(body, " name=\"credit-note-C-3.pdf\"\r\n"));
    free(body);
    snprintf(note.kind, sizeof note.kind, "debit");
    note.number = 1;
    note.total_cents = 149;
    ASSERT_EQ_INT(message_invoice(&t, &from, &note, 42, "alice@example.net", pdf, 13,
                                  1775016000000ull, &m, &body, err),
                  0);
    ASSERT_STREQ(m.subject, "Debit note D-1 for March 2026");
    ASSERT_STREQ(m.event, "invoice:D-1");
    ASSERT_TRUE(body && strstr(body, "attached is a debit note, D-1, for\r\n"));
    ASSERT_TRUE(body && strstr(body, "Amount due: 1.49 EUR\r\n"));
    ASSERT_TRUE(body && strstr(body, " filename=\"debit-note-D-1.pdf\"\r\n"));
    free(body);
    /* an address that is not plain: no message */
    ASSERT_TRUE(message_invoice(&t, &from, &inv, 0, "a@b.net\r\nBcc: x@y.net", pdf, 13,
                                1775016000000ull, &m, &body, err) != 0);
    free(body);
    message_texts_free(&t);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    RUN(test_shipped_are_built_in);
    RUN(test_alert);
    RUN(test_invoice);
    return test_done();
}
