// SPDX-License-Identifier: MIT
// Invoices by email on a real SQLite store: the moment invoice mail was turned on is
// remembered once; a round queues one message per document issued since then, to the
// subscriber's address, with the document's PDF attached (decoded here from the base64
// lines: a PDF whose first bytes are "%PDF-"); a document of a subscriber without an address
// is skipped until it has one; a second round queues nothing; max_per_round holds.
#include "../../../src/alert/invoice_mail.h"
#include "../../../src/base/err.h"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAR_2026 1772323200000ull /* 2026-03-01T00:00:00Z */
#define APR_2026 1775001600000ull /* 2026-04-01T00:00:00Z */
#define T0 (APR_2026 + 3600000)   /* invoice mail turned on */

static char dir[64];
static struct store *s;

static void add_subscriber(const char *account, const char *email)
{
    struct subscriber sub = {0};
    snprintf(sub.account, sizeof sub.account, "%s", account);
    snprintf(sub.name, sizeof sub.name, "%s Example", account);
    snprintf(sub.email, sizeof sub.email, "%s", email);
    snprintf(sub.status, sizeof sub.status, "active");
    char err[ERR_BUF_LEN];
    struct subscriber old;
    bool insert = store_subscriber_get(s, account, &old) != 0;
    ASSERT_EQ_INT(store_subscriber_save(s, &sub, insert, err), 0);
}

static int64_t id_of(const char *account)
{
    struct subscriber sub;
    return store_subscriber_get(s, account, &sub) == 0 ? sub.id : -1;
}

/* Issues a March document of total cents at issued_ms. Returns its id. */
static int64_t issue(const char *kind, const char *account, int64_t total, int64_t refers_to,
                     uint64_t issued_ms)
{
    struct invoice_row inv = {.refers_to = refers_to,
                              .subscriber_id = id_of(account),
                              .cycle_start_ms = MAR_2026,
                              .cycle_end_ms = APR_2026,
                              .quota_bytes = 15000000000ull,
                              .subtotal_cents = total,
                              .total_cents = total,
                              .currency = "EUR",
                              .unit = "GB",
                              .issued_ms = issued_ms};
    snprintf(inv.kind, sizeof inv.kind, "%s", kind);
    snprintf(inv.account, sizeof inv.account, "%s", account);
    snprintf(inv.name, sizeof inv.name, "%s Example", account);
    snprintf(inv.cycle, sizeof inv.cycle, "2026-03");
    struct invoice_line line = {.seq = 1,
                                .kind = "plan",
                                .cycle = "2026-03",
                                .quantity = "1",
                                .unit_price_micro = total * 10000,
                                .amount_cents = total,
                                .text = "Plan Basic"};
    char err[ERR_BUF_LEN];
    ASSERT_EQ_INT(store_invoice_issue(s, &inv, &line, 1, NULL, 0, err), 0);
    return inv.id;
}

struct queue {
    struct mail_row rows[16];
    size_t n;
};

static void add_row(void *ctx, const struct mail_row *m)
{
    struct queue *q = ctx;
    if (q->n < 16)
        q->rows[q->n++] = *m;
}

static struct queue queue_now(void)
{
    struct queue q = {0};
    ASSERT_EQ_INT(store_mail_list(s, NULL, add_row, &q), 0);
    return q;
}

/* The body of the queued message of event (read back with its body through a claim). */
struct claimed {
    char event[128];
    char *body;
};

static void keep_body(void *ctx, const struct mail_row *m)
{
    struct claimed *c = ctx;
    if (strcmp(m->event, c->event) == 0)
        c->body = strdup(m->body);
}

struct mc_buf {
    unsigned char *p;
    size_t len;
};

/* One base64 line (RFC 4648 §4, a multiple of 4 characters) appended to out. Returns 0, or
 * -1 for anything else. */
static int b64_line(const char *txt, size_t n, struct mc_buf *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    if (n % 4)
        return -1;
    out->p = realloc(out->p, out->len + n / 4 * 3 + 1);
    for (size_t i = 0; i < n; i += 4) {
        unsigned v = 0, pad = 0;
        for (size_t k = 0; k < 4; k++) {
            const char *c = txt[i + k] == '=' ? NULL : strchr(abc, txt[i + k]);
            if (txt[i + k] == '=' && i + 4 == n && k >= 2)
                pad++;
            else if (!c || !txt[i + k] || pad)
                return -1;
            v = v << 6 | (c ? (unsigned)(c - abc) : 0);
        }
        unsigned char o[3] = {(unsigned char)(v >> 16), (unsigned char)(v >> 8), (unsigned char)v};
        memcpy(out->p + out->len, o, 3 - pad);
        out->len += 3 - pad;
    }
    return 0;
}

/* The attachment named filename: its base64 lines (each at most 76) decoded. */
static struct mc_buf attachment(const char *body, const char *filename)
{
    struct mc_buf out = {0};
    char head[128];
    snprintf(head, sizeof head, " filename=\"%s\"\r\n\r\n", filename);
    const char *p = strstr(body, head);
    ASSERT_TRUE(p != NULL);
    if (!p)
        return out;
    for (p += strlen(head); strncmp(p, "--", 2) != 0;) {
        const char *eol = strstr(p, "\r\n");
        ASSERT_TRUE(eol != NULL && eol - p <= 76);
        if (!eol || b64_line(p, (size_t)(eol - p), &out) != 0) {
            TEST_FAIL("not base64: %.20s", p);
            break;
        }
        p = eol + 2;
    }
    return out;
}

static void test_rounds(void)
{
    char err[ERR_BUF_LEN] = "";
    add_subscriber("alice", "alice@example.net");
    add_subscriber("bob", "");
    add_subscriber("zoe", "zoe@example.net");
    /* before invoice mail was turned on: never mailed */
    issue("invoice", "zoe", 2500, 0, T0 - 1);
    uint64_t since = 0;
    ASSERT_EQ_INT(invoice_mail_since(s, T0, &since), 0);
    ASSERT_EQ_U64(since, T0);
    ASSERT_EQ_INT(invoice_mail_since(s, T0 + 99999, &since), 0);
    ASSERT_EQ_U64(since, T0); /* remembered, not moved */
    int64_t inv2 = issue("invoice", "alice", 3081, 0, T0);
    issue("invoice", "bob", 2700, 0, T0 + 10);
    issue("credit", "alice", -446, inv2, T0 + 20);

    struct message_texts t;
    ASSERT_EQ_INT(message_texts_load(MESSAGE_INVOICE, NULL, &t, err), 0);
    struct invoice_mail im = {.texts = &t,
                              .from = {"Example Net", "billing@example.net", "example.net"},
                              .op = {"Example Net", "1 Main Street", NULL}};
    struct invoice_mail_counts n = {0};
    ASSERT_EQ_INT(invoice_mail_round(s, &im, T0 + 100, &n, NULL, NULL, err), 0);
    ASSERT_EQ_U64(n.queued, 2);
    ASSERT_EQ_U64(n.no_email, 1);
    ASSERT_EQ_U64(n.failed, 0);
    struct queue q = queue_now();
    ASSERT_EQ_U64(q.n, 2);
    if (q.n == 2) {
        ASSERT_STREQ(q.rows[0].event, "invoice:2");
        ASSERT_STREQ(q.rows[0].kind, "invoice");
        ASSERT_STREQ(q.rows[0].to_addr, "alice@example.net");
        ASSERT_STREQ(q.rows[0].subject, "Invoice 2 for March 2026");
        ASSERT_STREQ(q.rows[0].state, "queued");
        ASSERT_STREQ(q.rows[1].event, "invoice:C-1");
        ASSERT_STREQ(q.rows[1].subject, "Credit note C-1 for March 2026");
    }
    /* the messages as queued: the texts, and each PDF */
    struct claimed c2 = {.event = "invoice:2"}, c3 = {.event = "invoice:C-1"};
    ASSERT_EQ_INT(store_mail_claim(s, T0 + 100, T0 + 200, 10, keep_body, &c2), 0);
    ASSERT_EQ_INT(store_mail_update(s, q.rows[0].id, "queued", T0, 0, NULL), 0);
    ASSERT_EQ_INT(store_mail_update(s, q.rows[1].id, "queued", T0, 0, NULL), 0);
    ASSERT_EQ_INT(store_mail_claim(s, T0 + 100, T0 + 200, 10, keep_body, &c3), 0);
    ASSERT_TRUE(c2.body && strstr(c2.body, "Amount due: 30.81 EUR\r\n"));
    ASSERT_TRUE(c3.body && strstr(c3.body, "It corrects invoice 2.\r\n"));
    ASSERT_TRUE(c3.body && strstr(c3.body, "Credited to you: 4.46 EUR\r\n"));
    if (c2.body && c3.body) {
        struct mc_buf pdf = attachment(c2.body, "invoice-2.pdf");
        ASSERT_TRUE(pdf.len > 1000 && memcmp(pdf.p, "%PDF-", 5) == 0);
        free(pdf.p);
        pdf = attachment(c3.body, "credit-note-C-1.pdf");
        ASSERT_TRUE(pdf.len > 1000 && memcmp(pdf.p, "%PDF-", 5) == 0);
        free(pdf.p);
    }
    free(c2.body);
    free(c3.body);

    /* again: nothing new; bob still has no address */
    memset(&n, 0, sizeof n);
    ASSERT_EQ_INT(invoice_mail_round(s, &im, T0 + 200, &n, NULL, NULL, err), 0);
    ASSERT_EQ_U64(n.queued, 0);
    ASSERT_EQ_U64(n.no_email, 1);
    /* bob gets one: his invoice goes */
    add_subscriber("bob", "bob@example.net");
    memset(&n, 0, sizeof n);
    ASSERT_EQ_INT(invoice_mail_round(s, &im, T0 + 300, &n, NULL, NULL, err), 0);
    ASSERT_EQ_U64(n.queued, 1);
    ASSERT_EQ_U64(n.no_email, 0);
    q = queue_now();
    ASSERT_EQ_U64(q.n, 3);
    if (q.n == 3) {
        ASSERT_STREQ(q.rows[2].event, "invoice:3");
        ASSERT_STREQ(q.rows[2].to_addr, "bob@example.net");
    }
    /* at most max_per_round a round */
    issue("debit", "alice", 149, inv2, T0 + 400);
    issue("debit", "alice", 200, inv2, T0 + 400);
    im.max_per_round = 1;
    memset(&n, 0, sizeof n);
    ASSERT_EQ_INT(invoice_mail_round(s, &im, T0 + 500, &n, NULL, NULL, err), 0);
    ASSERT_EQ_U64(n.queued, 1);
    ASSERT_EQ_INT(invoice_mail_round(s, &im, T0 + 600, &n, NULL, NULL, err), 0);
    ASSERT_EQ_INT(invoice_mail_round(s, &im, T0 + 700, &n, NULL, NULL, err), 0);
    ASSERT_EQ_U64(n.queued, 2);
    q = queue_now();
    ASSERT_EQ_U64(q.n, 5);
    if (q.n == 5) {
        ASSERT_STREQ(q.rows[3].subject, "Debit note D-1 for March 2026");
        ASSERT_STREQ(q.rows[4].event, "invoice:D-2");
    }
    message_texts_free(&t);
}

/* A message that cannot be made (an address that is not plain) queues nothing, is
 * counted, and does not stop the others. */
static void test_bad_address(void)
{
    char err[ERR_BUF_LEN] = "";
    add_subscriber("carol", "carol at example.net");
    add_subscriber("dave", "dave@example.net");
    issue("invoice", "carol", 1000, 0, T0 + 800);
    issue("invoice", "dave", 1000, 0, T0 + 800);
    struct message_texts t;
    ASSERT_EQ_INT(message_texts_load(MESSAGE_INVOICE, NULL, &t, err), 0);
    struct invoice_mail im = {.texts = &t,
                              .from = {"Example Net", "billing@example.net", "example.net"}};
    struct invoice_mail_counts n = {0};
    ASSERT_EQ_INT(invoice_mail_round(s, &im, T0 + 900, &n, NULL, NULL, err), 0);
    ASSERT_EQ_U64(n.failed, 1);
    ASSERT_EQ_U64(n.queued, 1);
    struct queue q = queue_now();
    ASSERT_EQ_U64(q.n, 6);
    if (q.n == 6)
        ASSERT_STREQ(q.rows[5].to_addr, "dave@example.net");
    message_texts_free(&t);
}

/* Another process queues a document's message between this round's listing and its
 * queueing: the unique event refuses the second, the round says so and goes on. The other
 * process is a second connection to the same file, queueing from the callback of the
 * document before. */
struct other {
    struct store *s;
    const char *event;
    enum invoice_mail_outcome seen[4];
    size_t n;
};

static void other_queues(void *ctx, const struct invoice_row *inv, enum invoice_mail_outcome what,
                         const char *to, const char *why)
{
    (void)inv, (void)to, (void)why;
    struct other *o = ctx;
    if (o->n < 4)
        o->seen[o->n++] = what;
    if (o->n != 1)
        return;
    struct mail_row m = {.kind = "invoice",
                         .message_id = "<other@example.net>",
                         .to_addr = "erin@example.net",
                         .subject = "from the other process",
                         .body = "x\r\n",
                         .created_ms = T0,
                         .next_try_ms = T0};
    snprintf(m.event, sizeof m.event, "%s", o->event);
    char err[ERR_BUF_LEN];
    ASSERT_EQ_INT(store_mail_enqueue(o->s, &m, err), 0);
}

static void test_other_process(void)
{
    char err[ERR_BUF_LEN] = "", db[128];
    add_subscriber("erin", "erin@example.net");
    issue("invoice", "erin", 1000, 0, T0 + 1000); /* invoice 6 */
    issue("debit", "erin", 100, 0, T0 + 1000);    /* D-3 */
    snprintf(db, sizeof db, "%s/store.db", dir);
    struct other o = {.s = store_open(db, false, err), .event = "invoice:D-3"};
    ASSERT_TRUE(o.s != NULL);
    if (!o.s)
        return;
    struct message_texts t;
    ASSERT_EQ_INT(message_texts_load(MESSAGE_INVOICE, NULL, &t, err), 0);
    struct invoice_mail im = {.texts = &t,
                              .from = {"Example Net", "billing@example.net", "example.net"}};
    struct invoice_mail_counts n = {0};
    ASSERT_EQ_INT(invoice_mail_round(s, &im, T0 + 1100, &n, other_queues, &o, err), 0);
    ASSERT_EQ_U64(n.queued, 1);
    ASSERT_EQ_U64(n.already, 1);
    ASSERT_EQ_U64(n.failed, 1); /* carol's, still */
    ASSERT_EQ_U64(o.n, 3);
    ASSERT_TRUE(o.seen[0] == INVOICE_MAIL_FAILED && o.seen[1] == INVOICE_MAIL_QUEUED &&
                o.seen[2] == INVOICE_MAIL_ALREADY);
    struct queue q = queue_now();
    ASSERT_EQ_U64(q.n, 8);
    if (q.n == 8) {
        ASSERT_STREQ(q.rows[6].subject, "from the other process"); /* queued first */
        ASSERT_STREQ(q.rows[7].event, "invoice:6");
    }
    message_texts_free(&t);
    store_close(o.s);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    snprintf(dir, sizeof dir, "/tmp/flowtally-invoice-mail.XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    char db[128], err[ERR_BUF_LEN];
    snprintf(db, sizeof db, "%s/store.db", dir);
    s = store_open(db, false, err);
    if (!s) {
        printf("not ok 1 - store_open: %s\n", err);
        return 1;
    }
    RUN(test_rounds);
    RUN(test_bad_address);
    RUN(test_other_process);
    store_close(s);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        printf("# could not remove %s\n", dir);
    return test_done();
}
