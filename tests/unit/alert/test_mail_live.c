// SPDX-License-Identifier: MIT
// The driver of tests/integration/033-mail, which starts real SMTP servers
// (tests/integration/smtp_server.py) and calls this once per step. Run without
// FLOWTALLY_TEST_SMTP_URL in the environment (as tests/run.sh runs every unit binary), it
// only skips. The SMTP configuration comes from the environment, so no password is on a
// command line: FLOWTALLY_TEST_SMTP_URL, _USER, _PASSWORD, _TLS (= required), _CA (a CA
// file), _TIMEOUT (seconds). Commands (output on stdout, the log on stderr):
//   build OUT              the test message (UTF-8 names and subject, text and HTML) into
//                          OUT; prints its Message-ID
//   send MSG TO            smtp_send() of the file MSG from billing@isp.example to TO;
//                          prints SENT, RETRY or PERMANENT, then "error: ERRBUF"
//   enqueue DB EVENT TO CREATED_MS MSG
//                          queues MSG (store_mail_enqueue, due at CREATED_MS); prints its id
//   round DB NOW_MS [GIVE_UP_MS]
//                          one sender_round() (max 10, lease 10 min, give-up default 1 day);
//                          prints "sent N retried N failed N"
//   list DB                every queued message: id|event|state|tries|next_try_ms|sent_ms|
//                          last_error
// Exit status 0, or 1 when a command could not be carried out (a store error, bad usage).
#include "../../../src/alert/mime.h"
#include "../../../src/alert/sender.h"
#include "../../../src/base/err.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *env(const char *name, const char *dflt)
{
    const char *v = getenv(name);
    return v ? v : dflt;
}

static struct smtp_config smtp_from_env(void)
{
    return (struct smtp_config){
        .url = env("FLOWTALLY_TEST_SMTP_URL", ""),
        .user = env("FLOWTALLY_TEST_SMTP_USER", ""),
        .password = env("FLOWTALLY_TEST_SMTP_PASSWORD", ""),
        .tls_required = strcmp(env("FLOWTALLY_TEST_SMTP_TLS", ""), "required") == 0,
        .ca_file = env("FLOWTALLY_TEST_SMTP_CA", ""),
        .timeout_s = atol(env("FLOWTALLY_TEST_SMTP_TIMEOUT", "5")),
    };
}

/* The whole file, NUL-terminated (free()), or NULL. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *p = malloc(cap);
    size_t r;
    while (p && (r = fread(p + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (n + 1 == cap)
            p = realloc(p, cap *= 2);
    }
    fclose(f);
    if (p)
        p[n] = '\0';
    *len = n;
    return p;
}

static int cmd_build(const char *out)
{
    char id[192], err[ERR_BUF_LEN];
    if (mime_message_id("isp.example", 1772719389000ull, id) != 0)
        return 1;
    struct mime_message m = {
        .from_name = "Flowtally Abrechnung",
        .from_addr = "billing@isp.example",
        .to_name = "J\xc3\xbcrgen Gro\xc3\x9f",
        .to_addr = "juergen@example.net",
        .subject = "Sie haben 80 % Ihrer 15 GB verbraucht \xe2\x80\x94 \xe6\x97\xa5\xe6\x9c\xac "
                   "\xf0\x9f\x93\x88",
        .text = "Hallo J\xc3\xbcrgen,\n\nverbraucht: 12 GB = 80 %\n.\nFrom the ISP\n",
        .html = "<p>Hallo J\xc3\xbcrgen,</p>\n<p>verbraucht: 12&nbsp;GB = 80&nbsp;%</p>\n",
        .message_id = id,
        .date_ms = 1772719389000ull,
        .boundary_seed = "033",
    };
    char *msg;
    size_t len;
    if (mime_build(&m, &msg, &len, err) != 0) {
        fprintf(stderr, "mime_build: %s\n", err);
        return 1;
    }
    FILE *f = fopen(out, "wb");
    int rc = !f || fwrite(msg, 1, len, f) != len;
    if (f && fclose(f) != 0)
        rc = 1;
    free(msg);
    printf("%s\n", id);
    return rc;
}

static int cmd_send(const char *path, const char *to)
{
    size_t len;
    char *msg = read_file(path, &len), err[ERR_BUF_LEN];
    if (!msg)
        return 1;
    struct smtp_config c = smtp_from_env();
    int r = smtp_send(&c, "billing@isp.example", to, msg, len, err);
    printf("%s\nerror: %s\n",
           r == SMTP_SENT    ? "SENT"
           : r == SMTP_RETRY ? "RETRY"
                             : "PERMANENT",
           err);
    free(msg);
    return 0;
}

static struct store *open_store(const char *db)
{
    char err[ERR_BUF_LEN];
    struct store *s = store_open(db, false, err);
    if (!s)
        fprintf(stderr, "store_open: %s\n", err);
    return s;
}

static int cmd_enqueue(const char *db, const char *event, const char *to, const char *created,
                       const char *path)
{
    size_t len;
    char *msg = read_file(path, &len), err[ERR_BUF_LEN];
    struct store *s = msg ? open_store(db) : NULL;
    if (!s) {
        free(msg);
        return 1;
    }
    struct mail_row m = {.body = msg};
    snprintf(m.event, sizeof m.event, "%s", event);
    snprintf(m.kind, sizeof m.kind, "alert");
    snprintf(m.to_addr, sizeof m.to_addr, "%s", to);
    snprintf(m.subject, sizeof m.subject, "test message");
    const char *id = strstr(msg, "\r\nMessage-ID: ");
    if (id)
        sscanf(id + 14, "%191[^\r]", m.message_id);
    m.created_ms = m.next_try_ms = strtoull(created, NULL, 10);
    int rc = store_mail_enqueue(s, &m, err);
    if (rc)
        fprintf(stderr, "store_mail_enqueue: %s\n", err);
    else
        printf("%" PRId64 "\n", m.id);
    store_close(s);
    free(msg);
    return rc != 0;
}

static int cmd_round(const char *db, const char *now, const char *give_up)
{
    struct store *s = open_store(db);
    if (!s)
        return 1;
    struct sender_config c = {
        .smtp = smtp_from_env(),
        .envelope_from = "billing@isp.example",
        .give_up_ms = give_up ? strtoull(give_up, NULL, 10) : 86400000ull,
        .lease_ms = 600000,
    };
    struct sender_counts counts = {0};
    char err[ERR_BUF_LEN];
    int rc = sender_round(s, &c, strtoull(now, NULL, 10), 10, &counts, err);
    if (rc)
        fprintf(stderr, "sender_round: %s\n", err);
    printf("sent %" PRIu64 " retried %" PRIu64 " failed %" PRIu64 "\n", counts.sent, counts.retried,
           counts.failed);
    store_close(s);
    return rc != 0;
}

static void print_row(void *ctx, const struct mail_row *m)
{
    (void)ctx;
    printf("%" PRId64 "|%s|%s|%d|%" PRIu64 "|%" PRIu64 "|%s\n", m->id, m->event, m->state, m->tries,
           m->next_try_ms, m->sent_ms, m->last_error);
}

static int cmd_list(const char *db)
{
    struct store *s = open_store(db);
    if (!s)
        return 1;
    int rc = store_mail_list(s, NULL, print_row, NULL);
    store_close(s);
    return rc != 0;
}

int main(int argc, char **argv)
{
    if (!getenv("FLOWTALLY_TEST_SMTP_URL")) {
        printf("1..0 # SKIP the driver of tests/integration/033-mail (no SMTP server here)\n");
        return 0;
    }
    if (smtp_global_init() != 0)
        return 1;
    const char *cmd = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "build") == 0 && argc == 3)
        return cmd_build(argv[2]);
    if (strcmp(cmd, "send") == 0 && argc == 4)
        return cmd_send(argv[2], argv[3]);
    if (strcmp(cmd, "enqueue") == 0 && argc == 7)
        return cmd_enqueue(argv[2], argv[3], argv[4], argv[5], argv[6]);
    if (strcmp(cmd, "round") == 0 && (argc == 4 || argc == 5))
        return cmd_round(argv[2], argv[3], argc == 5 ? argv[4] : NULL);
    if (strcmp(cmd, "list") == 0 && argc == 3)
        return cmd_list(argv[2]);
    fprintf(stderr, "usage: see the comment at the top of tests/unit/alert/test_mail_live.c\n");
    return 1;
}
