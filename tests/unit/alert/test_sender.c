// SPDX-License-Identifier: MIT
// sender_round() over a store of the test's own (only mail_claim and mail_update, in
// memory: the sender's logic apart from any engine; 033-mail runs it on the real stores)
// and the scripted SMTP server (fake_smtp.h): what each outcome records (state, next try,
// sent time, last error), the backoff, the give-up and its warning, a store that fails,
// and that the claim's body is copied (the fake frees it when its callback returns, so
// AddressSanitizer sees a sender that keeps the pointer).
#include "../../../src/alert/sender.h"
#include "../../../src/base/err.h"
#include "../../../src/base/log.h"
#include "fake_smtp.h"
#include "test.h"

#include <fcntl.h>

#define T0 1772719389000ull
#define MIN 60000ull
#define PASSWORD "hunter2-Secret!"

struct fake_store {
    struct store base; /* first: the sender sees a struct store */
    struct store_ops ops;
    struct mail_row rows[4];
    const char *bodies[4];
    int n_rows;
    int update_rc;      /* what mail_update returns */
    int n_updates;      /* calls made */
    int n_claims;       /* rows handed to the sender */
    uint64_t lease_end; /* the last claim's lease_until_ms */
};

static int fake_claim(struct store *s, uint64_t now_ms, uint64_t lease_until_ms, int max,
                      store_mail_fn *fn, void *ctx)
{
    struct fake_store *f = (struct fake_store *)s;
    f->lease_end = lease_until_ms;
    for (int i = 0, n = 0; i < f->n_rows && n < max; i++) {
        struct mail_row *m = &f->rows[i];
        bool due = (strcmp(m->state, "queued") == 0 && m->next_try_ms <= now_ms) ||
                   (strcmp(m->state, "sending") == 0 && m->lease_ms <= now_ms);
        if (!due)
            continue;
        snprintf(m->state, sizeof m->state, "sending");
        m->lease_ms = lease_until_ms;
        m->tries++;
        struct mail_row given = *m;
        char *body = f->bodies[i] ? strdup(f->bodies[i]) : NULL;
        given.body = body;
        fn(ctx, &given);
        free(body); /* borrowed for the call only */
        n++;
        f->n_claims++;
    }
    return 0;
}

static int fake_update(struct store *s, int64_t id, const char *state, uint64_t next_try_ms,
                       uint64_t sent_ms, const char *last_error)
{
    struct fake_store *f = (struct fake_store *)s;
    f->n_updates++;
    if (f->update_rc)
        return f->update_rc;
    struct mail_row *m = &f->rows[id - 1];
    snprintf(m->state, sizeof m->state, "%s", state);
    m->next_try_ms = next_try_ms;
    m->sent_ms = sent_ms;
    if (strlen(last_error) >= sizeof m->last_error)
        return ERR_MALFORMED; /* as the real stores do */
    snprintf(m->last_error, sizeof m->last_error, "%s", last_error);
    return 0;
}

static const char body[] = "Subject: test\r\n\r\nhello\r\n";

static void fake_store_init(struct fake_store *f, int n_rows, uint64_t created_ms)
{
    memset(f, 0, sizeof *f);
    f->ops.mail_claim = fake_claim;
    f->ops.mail_update = fake_update;
    f->base.ops = &f->ops;
    f->n_rows = n_rows;
    for (int i = 0; i < n_rows; i++) {
        struct mail_row *m = &f->rows[i];
        m->id = i + 1;
        snprintf(m->event, sizeof m->event, "alert:%d:2026-03:80%%", 42 + i);
        snprintf(m->to_addr, sizeof m->to_addr, "alice@example.net");
        snprintf(m->state, sizeof m->state, "queued");
        m->created_ms = m->next_try_ms = created_ms;
        f->bodies[i] = body;
    }
}

static struct sender_config config(const char *url)
{
    return (struct sender_config){
        .smtp = {.url = url, .user = "", .password = PASSWORD, .ca_file = "", .timeout_s = 5},
        .envelope_from = "billing@isp.example",
        .give_up_ms = 24 * 60 * MIN,
        .lease_ms = 10 * MIN,
    };
}

/* stderr into a file while a round runs, to read the log back. */
struct capture {
    int saved;
    char path[64];
};

static void capture_start(struct capture *c)
{
    snprintf(c->path, sizeof c->path, "/tmp/flowtally-sender.XXXXXX");
    int fd = mkstemp(c->path);
    fflush(stderr);
    c->saved = dup(2);
    dup2(fd, 2);
    close(fd);
}

/* Restores stderr; returns what was logged (static). */
static const char *capture_end(struct capture *c)
{
    static char text[8192];
    fflush(stderr);
    dup2(c->saved, 2);
    close(c->saved);
    FILE *fp = fopen(c->path, "r");
    size_t n = fp ? fread(text, 1, sizeof text - 1, fp) : 0;
    text[n] = '\0';
    if (fp)
        fclose(fp);
    unlink(c->path);
    return text;
}

static void test_sent(void)
{
    struct fake_store f;
    struct fake_smtp srv;
    struct fake_script sc = {0};
    char url[64], err[ERR_BUF_LEN];
    fake_store_init(&f, 1, T0);
    fake_start(&srv, &sc);
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", srv.port);
    struct sender_config c = config(url);
    struct sender_counts counts = {0};
    ASSERT_EQ_INT(sender_round(&f.base, &c, T0 + 5, 10, &counts, err), 0);
    fake_join(&srv);
    ASSERT_EQ_U64(counts.sent, 1);
    ASSERT_EQ_U64(counts.retried + counts.failed, 0);
    ASSERT_EQ_U64(f.lease_end, T0 + 5 + 10 * MIN);
    ASSERT_STREQ(f.rows[0].state, "sent");
    ASSERT_EQ_U64(f.rows[0].sent_ms, T0 + 5);
    ASSERT_STREQ(f.rows[0].last_error, "");
    ASSERT_TRUE(srv.has_data && srv.data_len == strlen(body));
    ASSERT_MEMEQ(srv.data, body, strlen(body));
    ASSERT_TRUE(strstr(srv.commands, "MAIL FROM:<billing@isp.example>\n") != NULL);
    /* nothing is due any more */
    ASSERT_EQ_INT(sender_round(&f.base, &c, T0 + 10 * MIN, 10, &counts, err), 0);
    ASSERT_EQ_INT(f.n_claims, 1);
}

/* No server: queued again after 30 s, then 60 s, 120 s (retry.h), with the error. */
static void test_backoff(void)
{
    struct fake_store f;
    char url[64], err[ERR_BUF_LEN];
    fake_store_init(&f, 1, T0);
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", fake_closed_port());
    struct sender_config c = config(url);
    struct sender_counts counts = {0};
    uint64_t now = T0, waits[] = {30000, 60000, 120000};
    struct capture cap;
    capture_start(&cap);
    for (int i = 0; i < 3; i++) {
        ASSERT_EQ_INT(sender_round(&f.base, &c, now, 10, &counts, err), 0);
        ASSERT_STREQ(f.rows[0].state, "queued");
        ASSERT_EQ_INT(f.rows[0].tries, i + 1);
        ASSERT_EQ_U64(f.rows[0].next_try_ms, now + waits[i]);
        /* not due a millisecond before */
        ASSERT_EQ_INT(sender_round(&f.base, &c, now + waits[i] - 1, 10, &counts, err), 0);
        ASSERT_EQ_INT(f.n_claims, i + 1);
        now += waits[i];
    }
    const char *log = capture_end(&cap);
    ASSERT_EQ_U64(counts.retried, 3);
    ASSERT_EQ_U64(counts.sent + counts.failed, 0);
    ASSERT_TRUE(strstr(f.rows[0].last_error, "cannot connect to the SMTP server") != NULL);
    ASSERT_TRUE(strstr(log, "mail alert:42:2026-03:80%: not sent (try 1), trying again in 30 s") !=
                NULL);
}

/* Still failing give_up_ms after it was queued: failed, and a warning names the event and
 * the error. Just before: queued again. */
static void test_give_up(void)
{
    struct fake_store f;
    char url[64], err[ERR_BUF_LEN];
    fake_store_init(&f, 2, T0);
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", fake_closed_port());
    struct sender_config c = config(url);
    c.give_up_ms = 90 * MIN;
    f.rows[1].created_ms = T0 + 1; /* one ms younger */
    struct sender_counts counts = {0};
    struct capture cap;
    capture_start(&cap);
    ASSERT_EQ_INT(sender_round(&f.base, &c, T0 + 90 * MIN, 10, &counts, err), 0);
    const char *log = capture_end(&cap);
    ASSERT_STREQ(f.rows[0].state, "failed");
    ASSERT_STREQ(f.rows[1].state, "queued");
    ASSERT_EQ_U64(counts.failed, 1);
    ASSERT_EQ_U64(counts.retried, 1);
    ASSERT_TRUE(strstr(f.rows[0].last_error, "cannot connect") != NULL);
    ASSERT_TRUE(strstr(log,
                       "flowtally[mail] warning: mail alert:42:2026-03:80%: given up 5400 s "
                       "after it was queued (try 1): cannot connect to the SMTP server") != NULL);
}

/* A 550: failed at once, whatever its age; and a refused login (RETRY) logs no password
 * although the server echoes it. */
static void test_permanent_and_secrets(void)
{
    struct fake_store f;
    struct fake_smtp srv;
    struct fake_script sc = {.rcpt = {"550 5.1.1 no such user"}};
    char url[64], err[ERR_BUF_LEN];
    fake_store_init(&f, 1, T0);
    fake_start(&srv, &sc);
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", srv.port);
    struct sender_config c = config(url);
    struct sender_counts counts = {0};
    struct capture cap;
    capture_start(&cap);
    ASSERT_EQ_INT(sender_round(&f.base, &c, T0, 10, &counts, err), 0);
    fake_join(&srv);
    const char *log = capture_end(&cap);
    ASSERT_STREQ(f.rows[0].state, "failed");
    ASSERT_EQ_U64(counts.failed, 1);
    ASSERT_TRUE(strstr(f.rows[0].last_error, "550 5.1.1 no such user") != NULL);
    ASSERT_TRUE(strstr(log, "mail alert:42:2026-03:80%: failed for good (try 1): the server "
                            "refused the message") != NULL);

    struct fake_script auth = {.ehlo = "250-fake\r\n250 AUTH PLAIN LOGIN",
                               .auth = "535 5.7.8 " PASSWORD " is not the password"};
    fake_store_init(&f, 1, T0);
    fake_start(&srv, &auth);
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", srv.port);
    c = config(url);
    c.smtp.user = "mailer";
    capture_start(&cap);
    ASSERT_EQ_INT(sender_round(&f.base, &c, T0 + 2000, 10, &counts, err), 0);
    fake_join(&srv);
    log = capture_end(&cap);
    ASSERT_STREQ(f.rows[0].state, "queued");
    ASSERT_TRUE(strstr(f.rows[0].last_error, "refused the login") != NULL);
    ASSERT_TRUE(strstr(f.rows[0].last_error, PASSWORD) == NULL);
    ASSERT_TRUE(strstr(log, PASSWORD) == NULL);
}

/* The store fails to record: the round says so and sends nothing more (the rest stay
 * claimed until the lease ends); a row without a body fails. */
static void test_store_fails(void)
{
    struct fake_store f;
    struct fake_smtp srv;
    struct fake_script sc = {0};
    char url[64], err[ERR_BUF_LEN] = "";
    fake_store_init(&f, 2, T0);
    f.update_rc = ERR_STORE;
    fake_start(&srv, &sc);
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", srv.port);
    struct sender_config c = config(url);
    struct sender_counts counts = {0};
    ASSERT_EQ_INT(sender_round(&f.base, &c, T0, 10, &counts, err), ERR_STORE);
    fake_join(&srv);
    ASSERT_TRUE(strstr(err, "cannot record what became of mail alert:42:2026-03:80%") != NULL);
    ASSERT_EQ_INT(f.n_updates, 1);
    ASSERT_STREQ(f.rows[1].state, "sending");

    fake_store_init(&f, 1, T0);
    f.bodies[0] = NULL;
    struct capture cap;
    capture_start(&cap);
    ASSERT_EQ_INT(sender_round(&f.base, &c, T0, 10, &counts, err), 0);
    capture_end(&cap);
    ASSERT_STREQ(f.rows[0].state, "failed");
    ASSERT_STREQ(f.rows[0].last_error, "the queue holds no message body");
}

int main(void)
{
    if (smtp_global_init() != 0) {
        printf("not ok 1 - smtp_global_init\n1..1\n");
        return 1;
    }
    RUN(test_sent);
    RUN(test_backoff);
    RUN(test_give_up);
    RUN(test_permanent_and_secrets);
    RUN(test_store_fails);
    return test_done();
}
