// SPDX-License-Identifier: MIT
// smtp_send() against a scripted server (fake_smtp.h) that answers each step of the
// dialogue as a case wants: what arrives (envelope, recipients, the body byte for byte
// through dot-stuffing), and what every kind of failure comes to (SENT, RETRY, PERMANENT)
// with what errbuf says. A password is set in every case and must never be in errbuf, not
// even when the server echoes it back.
#include "../../../src/alert/smtp.h"
#include "../../../src/base/err.h"
#include "fake_smtp.h"
#include "test.h"

#define PASSWORD "hunter2-Secret!"

static const char body[] = "Subject: test\r\n"
                           "\r\n"
                           ".a line starting with a dot\r\n"
                           ".\r\n"
                           "..\r\n"
                           "end\r\n";

struct outcome {
    int result;
    char err[ERR_BUF_LEN];
};

/* Sends body through a server running sc, with config c (url set to the server). */
static struct outcome send_to(struct fake_smtp *f, const struct fake_script *sc,
                              struct smtp_config c, const char *to)
{
    struct outcome o;
    char url[64];
    fake_start(f, sc);
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", f->port);
    c.url = url;
    c.password = PASSWORD;
    o.result = smtp_send(&c, "billing@isp.example", to, body, strlen(body), o.err);
    fake_join(f);
    if (strstr(o.err, PASSWORD))
        TEST_FAIL("the password is in errbuf: %s", o.err);
    return o;
}

static const struct smtp_config plain = {.user = "", .ca_file = "", .timeout_s = 5};

static void test_sent(void)
{
    struct fake_smtp f;
    struct fake_script sc = {0};
    struct outcome o = send_to(&f, &sc, plain, "alice@example.net, bob@example.org");
    ASSERT_EQ_INT(o.result, SMTP_SENT);
    ASSERT_STREQ(o.err, "");
    ASSERT_TRUE(f.has_data);
    ASSERT_EQ_U64(f.data_len, strlen(body));
    ASSERT_MEMEQ(f.data, body, strlen(body));
    /* the envelope; no AUTH without a user, no STARTTLS when not offered */
    ASSERT_TRUE(strstr(f.commands, "MAIL FROM:<billing@isp.example>\n") != NULL);
    ASSERT_TRUE(strstr(f.commands, "RCPT TO:<alice@example.net>\nRCPT TO:<bob@example.org>\n"));
    ASSERT_TRUE(strstr(f.commands, "AUTH") == NULL);
    ASSERT_TRUE(strstr(f.commands, "STARTTLS") == NULL);
}

static void test_auth(void)
{
    struct fake_smtp f;
    struct fake_script sc = {.ehlo = "250-fake\r\n250 AUTH PLAIN"};
    struct smtp_config c = plain;
    c.user = "mailer";
    struct outcome o = send_to(&f, &sc, c, "alice@example.net");
    ASSERT_EQ_INT(o.result, SMTP_SENT);
    ASSERT_TRUE(strstr(f.commands, "AUTH PLAIN") != NULL);
    /* refused: RETRY (the credentials are wrong for every message); the server's reply is
     * in errbuf with the password it echoed blotted out */
    sc.auth = "535 5.7.8 bad credentials: " PASSWORD " is wrong";
    o = send_to(&f, &sc, c, "alice@example.net");
    ASSERT_EQ_INT(o.result, SMTP_RETRY);
    ASSERT_TRUE(strstr(o.err, "refused the login") != NULL);
    ASSERT_TRUE(strstr(o.err, "535 5.7.8 bad credentials: *** is wrong") != NULL);
    ASSERT_TRUE(!f.has_data && strstr(f.commands, "MAIL") == NULL);
}

struct mapping {
    const char *name;
    struct fake_script sc;
    const char *to;
    int want;
    const char *says; /* a part of errbuf */
};

static const struct mapping mappings[] = {
    {"MAIL 550", {.mail = "550 5.7.1 sender rejected"}, NULL, SMTP_PERMANENT, "550 5.7.1"},
    {"MAIL 451", {.mail = "451 4.3.0 try later"}, NULL, SMTP_RETRY, "451 4.3.0"},
    {"MAIL 530", {.mail = "530 5.7.0 authentication required"}, NULL, SMTP_RETRY, "wants a login"},
    {"RCPT 550", {.rcpt = {"550 5.1.1 no such user"}}, NULL, SMTP_PERMANENT, "550 5.1.1"},
    {"RCPT 450", {.rcpt = {"450 4.2.0 greylisted"}}, NULL, SMTP_RETRY, "450 4.2.0"},
    {"RCPT 550 then 250",
     {.rcpt = {"550 5.1.1 no such user", "250 ok"}},
     "x@example.net,alice@example.net",
     SMTP_SENT,
     ""},
    {"RCPT 550 twice",
     {.rcpt = {"550 5.1.1 no such user", "550 5.1.1 nor this one"}},
     "x@example.net,y@example.net",
     SMTP_PERMANENT,
     "refused the message"},
    {"DATA 554", {.data = "554 5.5.1 no valid recipients"}, NULL, SMTP_PERMANENT, "554 5.5.1"},
    {"DATA 451", {.data = "451 4.3.0 busy"}, NULL, SMTP_RETRY, "deferred"},
    {"message 451",
     {.end = "451 4.3.0 try again"},
     NULL,
     SMTP_RETRY,
     "deferred the message (its reply to the message): \"451 4.3.0 try again\""},
    {"message 554",
     {.end = "554 5.7.1 spam"},
     NULL,
     SMTP_PERMANENT,
     "refused the message (its reply to the message): \"554 5.7.1 spam\""},
    {"greeting 554",
     {.greeting = "554 no service"},
     NULL,
     SMTP_RETRY,
     "turned the connection away"},
    {"greeting 421", {.greeting = "421 too busy"}, NULL, SMTP_RETRY, "421 too busy"},
    {"dropped at MAIL", {.close_at_mail = true}, NULL, SMTP_RETRY, "sending failed"},
};

static void test_mapping(void)
{
    for (size_t i = 0; i < sizeof mappings / sizeof mappings[0]; i++) {
        const struct mapping *m = &mappings[i];
        struct fake_smtp f;
        struct outcome o = send_to(&f, &m->sc, plain, m->to ? m->to : "alice@example.net");
        if (o.result != m->want || !strstr(o.err, m->says))
            TEST_FAIL("%s: result %d, expected %d; errbuf \"%s\", expected to hold \"%s\"", m->name,
                      o.result, m->want, o.err, m->says);
    }
}

/* smtp_tls = required against a server without STARTTLS: RETRY, said plainly; nothing
 * sent (not even MAIL); and STARTTLS is tried when offered (the fake refuses it). */
static void test_tls_required(void)
{
    struct fake_smtp f;
    struct fake_script sc = {.ehlo = "250-fake\r\n250 AUTH PLAIN"};
    struct smtp_config c = plain;
    c.tls_required = true;
    c.user = "mailer";
    struct outcome o = send_to(&f, &sc, c, "alice@example.net");
    ASSERT_EQ_INT(o.result, SMTP_RETRY);
    ASSERT_TRUE(strstr(o.err, "TLS is required (smtp_tls = required), and the server does "
                              "not offer STARTTLS") != NULL);
    ASSERT_TRUE(strstr(f.commands, "MAIL") == NULL && strstr(f.commands, "AUTH") == NULL);
    sc.ehlo = "250-fake\r\n250 STARTTLS";
    o = send_to(&f, &sc, c, "alice@example.net");
    ASSERT_EQ_INT(o.result, SMTP_RETRY);
    ASSERT_TRUE(strstr(f.commands, "STARTTLS\n") != NULL && strstr(f.commands, "MAIL") == NULL);
    if (o.result != SMTP_RETRY)
        printf("#   %s\n", o.err);
}

static void test_no_server(void)
{
    char url[64], err[ERR_BUF_LEN];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", fake_closed_port());
    struct smtp_config c = plain;
    c.url = url;
    c.password = PASSWORD;
    ASSERT_EQ_INT(
        smtp_send(&c, "billing@isp.example", "alice@example.net", body, strlen(body), err),
        SMTP_RETRY);
    ASSERT_TRUE(strstr(err, "cannot connect") != NULL);
    /* a server that says nothing: a timeout (1 s) */
    struct fake_smtp f;
    struct fake_script sc = {.is_silent = true};
    c.timeout_s = 1;
    fake_start(&f, &sc);
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", f.port);
    ASSERT_EQ_INT(
        smtp_send(&c, "billing@isp.example", "alice@example.net", body, strlen(body), err),
        SMTP_RETRY);
    fake_join(&f);
    ASSERT_TRUE(strstr(err, "did not answer in time") != NULL);
}

/* Recipients we will not send to: PERMANENT before any connection; a sender address or a
 * URL that is no good: RETRY (the configuration's fault, not the message's). */
static void test_refused_here(void)
{
    char err[ERR_BUF_LEN];
    struct smtp_config c = plain;
    c.url = "smtp://127.0.0.1:9"; /* never reached */
    c.password = PASSWORD;
    static const char *const bad_to[] = {"", "alice", "alice@example.net,", "a@b\r\nRCPT TO:<c@d>",
                                         "Alice <alice@example.net>"};
    for (size_t i = 0; i < sizeof bad_to / sizeof bad_to[0]; i++) {
        int r = smtp_send(&c, "billing@isp.example", bad_to[i], body, strlen(body), err);
        if (r != SMTP_PERMANENT || !strstr(err, "not a recipient address"))
            TEST_FAIL("to \"%s\": %d, %s", bad_to[i], r, err);
    }
    ASSERT_EQ_INT(smtp_send(&c, "billing@isp.example\r\nRCPT TO:<x@y>", "alice@example.net", body,
                            strlen(body), err),
                  SMTP_RETRY);
    ASSERT_TRUE(strstr(err, "not a sender address") != NULL);
    c.url = "http://127.0.0.1:9";
    ASSERT_EQ_INT(
        smtp_send(&c, "billing@isp.example", "alice@example.net", body, strlen(body), err),
        SMTP_RETRY);
    ASSERT_TRUE(strstr(err, "smtp:// or smtps://") != NULL);
}

int main(void)
{
    if (smtp_global_init() != 0) {
        printf("not ok 1 - smtp_global_init\n1..1\n");
        return 1;
    }
    RUN(test_sent);
    RUN(test_auth);
    RUN(test_mapping);
    RUN(test_tls_required);
    RUN(test_no_server);
    RUN(test_refused_here);
    return test_done();
}
