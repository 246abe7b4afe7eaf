// SPDX-License-Identifier: MIT
// The store's conformance suite, part six: alerts, the outgoing mail queue and the
// enforcement hook's rows. Plans' own alert levels; a level recorded once per subscriber and
// cycle, with its message, both or neither, also when two connections fire it at once; the
// queue's messages kept byte for byte, claimed once (two claimers at once never get the same
// message), their outcomes and diagnostics, retried; one enforcement row per subscriber,
// listed when due, gone with the subscriber.
// conformance.h says how every case gets a store of its own on every engine.
#include "conformance.h"

#include <errno.h>
#include <pthread.h>

/* 2026-09-01 and 2026-10-01, 00:00 UTC, in ms */
#define SEP 1788220800000ull
#define OCT 1790812800000ull
#define DAY 86400000ull
#define QUOTA 50000000000ull

/* ---- messages by id, shown as their event (each engine gives its own ids) ---- */

static struct {
    int64_t id;
    char event[128];
} mails[24];
static size_t n_mails;

static void mail_known(int64_t id, const char *event)
{
    if (n_mails < N(mails)) {
        mails[n_mails].id = id;
        snprintf(mails[n_mails++].event, sizeof mails[0].event, "%s", event);
    }
}

static const char *mail_name(int64_t id)
{
    for (size_t i = 0; i < n_mails; i++)
        if (mails[i].id == id)
            return mails[i].event;
    return id ? "?" : "-";
}

static int64_t mail_id(const char *event)
{
    for (size_t i = 0; i < n_mails; i++)
        if (strcmp(mails[i].event, event) == 0)
            return mails[i].id;
    return -1;
}

/* ---- rows as text ---- */

static void alert_line(void *ctx, const struct alert_row *a)
{
    char b[80];
    lines_add(ctx, "%s [%s] %s %llu %s %llu/%llu at %llu mail %s",
              label(a->subscriber_id, b, sizeof b), a->account, a->cycle,
              (unsigned long long)a->cycle_start_ms, a->level, (unsigned long long)a->used_bytes,
              (unsigned long long)a->quota_bytes, (unsigned long long)a->fired_ms,
              mail_name(a->mail_id));
}

/* A listing's row; a body handed over is a failure (listings carry none). */
static void mail_line(void *ctx, const struct mail_row *m)
{
    lines_add(ctx, "%s %s %s <%s> [%s] %s %d %llu/%llu/%llu/%llu [%s]%s", m->event, m->kind,
              m->message_id, m->to_addr, m->subject, m->state, m->tries,
              (unsigned long long)m->created_ms, (unsigned long long)m->next_try_ms,
              (unsigned long long)m->sent_ms, (unsigned long long)m->lease_ms, m->last_error,
              m->body ? " BODY" : "");
    if (strcmp(mail_name(m->id), m->event) != 0)
        TEST_FAIL("message %lld is %s, listed as %s", (long long)m->id, mail_name(m->id), m->event);
}

/* A claimed message: what the claim made of it, and its body's length. */
static void claim_line(void *ctx, const struct mail_row *m)
{
    lines_add(ctx, "%s %s tries %d next %llu lease %llu body %zu", m->event, m->state, m->tries,
              (unsigned long long)m->next_try_ms, (unsigned long long)m->lease_ms,
              m->body ? strlen(m->body) : (size_t)0);
    if (strcmp(mail_name(m->id), m->event) != 0)
        TEST_FAIL("message %lld is %s, claimed as %s", (long long)m->id, mail_name(m->id),
                  m->event);
}

static void enforce_line(void *ctx, const struct enforce_row *e)
{
    char b[80];
    lines_add(ctx, "%s [%s] %s [%s] %s tries %d %llu/%llu [%s]",
              label(e->subscriber_id, b, sizeof b), e->account, e->state, e->addresses,
              e->is_done ? "done" : "to do", e->tries, (unsigned long long)e->changed_ms,
              (unsigned long long)e->next_try_ms, e->last_error);
}

/* ---- small steps ---- */

/* A message for event, with every field the store does not read set to something else. */
static struct mail_row message(const char *event, uint64_t created_ms, uint64_t next_try_ms,
                               const char *body)
{
    struct mail_row m = {.id = 99,
                         .kind = "alert",
                         .to_addr = "alice@example.org",
                         .body = body,
                         .state = "sent",
                         .tries = 7,
                         .created_ms = created_ms,
                         .next_try_ms = next_try_ms,
                         .sent_ms = 5,
                         .lease_ms = 6,
                         .last_error = "not read"};
    snprintf(m.event, sizeof m.event, "%s", event);
    snprintf(m.message_id, sizeof m.message_id, "<%s@flowtally.test>", event);
    snprintf(m.subject, sizeof m.subject, "Usage: %s", event);
    return m;
}

/* Queues a message for event (body "B"), expecting want; a queued one is known by its id. */
static void enqueue(struct store *s, const char *event, uint64_t created_ms, uint64_t next_try_ms,
                    int want)
{
    struct mail_row m = message(event, created_ms, next_try_ms, "B");
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_mail_enqueue(s, &m, errbuf), want);
    if (want != 0)
        ASSERT_TRUE(errbuf[0] != '\0');
    if (want == 0) {
        ASSERT_TRUE(m.id > 0);
        mail_known(m.id, event);
    }
}

/* An alert of subscriber id (cycle 2026-09 from SEP, or 2026-10 from OCT; quota QUOTA), with
 * every field the store does not read set to something else. */
static struct alert_row alert(int64_t subscriber_id, uint64_t cycle_start_ms, const char *level,
                              uint64_t used_bytes, uint64_t fired_ms)
{
    struct alert_row a = {.id = 77,
                          .subscriber_id = subscriber_id,
                          .account = "not read",
                          .cycle_start_ms = cycle_start_ms,
                          .used_bytes = used_bytes,
                          .quota_bytes = QUOTA,
                          .fired_ms = fired_ms,
                          .mail_id = 55};
    snprintf(a.cycle, sizeof a.cycle, "%s", cycle_start_ms == OCT ? "2026-10" : "2026-09");
    snprintf(a.level, sizeof a.level, "%s", level);
    return a;
}

/* Fires a level of account's with a message for event (NULL: none), expecting want. */
static void fire(struct store *s, const char *account, uint64_t cycle_start_ms, const char *level,
                 uint64_t used_bytes, uint64_t fired_ms, const char *event, int want)
{
    struct alert_row a = alert(id_of(account), cycle_start_ms, level, used_bytes, fired_ms);
    struct mail_row m = message(event ? event : "", fired_ms, fired_ms, "Subject: x\r\n\r\nx\r\n");
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_alert_fire(s, &a, event ? &m : NULL, errbuf), want);
    if (want != 0) {
        ASSERT_TRUE(errbuf[0] != '\0');
        return;
    }
    ASSERT_TRUE(a.id > 0 && a.id != 77);
    if (event) {
        ASSERT_TRUE(m.id > 0 && m.id != 99);
        ASSERT_EQ_INT(a.mail_id, m.id);
        mail_known(m.id, event);
    } else {
        ASSERT_EQ_INT(a.mail_id, 0);
    }
}

static void list_alerts(struct store *s, const char *account, const char *cycle, struct lines *out)
{
    memset(out, 0, sizeof *out);
    ASSERT_EQ_INT(store_alert_list(s, account ? id_of(account) : -1, cycle, alert_line, out), 0);
}

static void list_mail(struct store *s, const char *state, struct lines *out)
{
    memset(out, 0, sizeof *out);
    ASSERT_EQ_INT(store_mail_list(s, state, mail_line, out), 0);
}

static void claim(struct store *s, uint64_t now_ms, uint64_t lease_until_ms, int max,
                  struct lines *out)
{
    memset(out, 0, sizeof *out);
    ASSERT_EQ_INT(store_mail_claim(s, now_ms, lease_until_ms, max, claim_line, out), 0);
}

static void outcome(struct store *s, const char *event, const char *state, uint64_t next_try_ms,
                    uint64_t sent_ms, const char *last_error)
{
    ASSERT_EQ_INT(store_mail_update(s, mail_id(event), state, next_try_ms, sent_ms, last_error), 0);
}

static struct enforce_row enforcement(const char *account, const char *state, const char *addresses,
                                      bool is_done, int tries, uint64_t changed_ms,
                                      uint64_t next_try_ms, const char *last_error)
{
    struct enforce_row e = {.subscriber_id = id_of(account),
                            .account = "not read",
                            .is_done = is_done,
                            .tries = tries,
                            .changed_ms = changed_ms,
                            .next_try_ms = next_try_ms};
    snprintf(e.state, sizeof e.state, "%s", state);
    snprintf(e.addresses, sizeof e.addresses, "%s", addresses);
    snprintf(e.last_error, sizeof e.last_error, "%s", last_error);
    return e;
}

static void list_enforcement(struct store *s, uint64_t now_ms, struct lines *out)
{
    memset(out, 0, sizeof *out);
    ASSERT_EQ_INT(store_enforce_list(s, now_ms, enforce_line, out), 0);
}

/* ---- two connections at once ---- */

/* The other connection of a race: a thread that runs work on its own store, and says when it
 * has started and when it is done. */
struct racer {
    struct store *s; /* opened by the test, used by the thread only */
    void (*work)(struct racer *r);
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool is_started, is_done;
    int rc_begin, rc_work, rc_more, rc_commit;
    int64_t mail_id; /* the message it queued */
    struct lines got;
};

static void *racer_main(void *arg)
{
    struct racer *r = arg;
    pthread_mutex_lock(&r->lock);
    r->is_started = true;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
    r->work(r);
    pthread_mutex_lock(&r->lock);
    r->is_done = true;
    pthread_cond_signal(&r->cond);
    pthread_mutex_unlock(&r->lock);
    return NULL;
}

/* Starts r's thread and waits until it runs. Returns 0, or -1 (the test failed). */
static int racer_start(struct racer *r)
{
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);
    if (pthread_create(&r->thread, NULL, racer_main, r) != 0) {
        TEST_FAIL("pthread_create failed");
        return -1;
    }
    pthread_mutex_lock(&r->lock);
    while (!r->is_started)
        pthread_cond_wait(&r->cond, &r->lock);
    pthread_mutex_unlock(&r->lock);
    return 0;
}

/* Whether r's work is done, waiting up to ms for it. */
static bool racer_done_within(struct racer *r, long ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += ms / 1000;
    until.tv_nsec += (ms % 1000) * 1000000L;
    until.tv_sec += until.tv_nsec / 1000000000L;
    until.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&r->lock);
    int waited = 0;
    while (!r->is_done && waited != ETIMEDOUT)
        waited = pthread_cond_timedwait(&r->cond, &r->lock, &until);
    bool done = r->is_done;
    pthread_mutex_unlock(&r->lock);
    return done;
}

static void racer_join(struct racer *r)
{
    pthread_join(r->thread, NULL);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
}

/* How long a racer that must wait is given to finish anyway (it must not), and how long one
 * that must not wait is given to finish (it must). */
#define RACE_MS 100
#define NO_WAIT_MS 5000

/* Fires alice's 80% of september (another message than the first connection's), then her
 * 100% in the same transaction, and commits. */
static void fire_again(struct racer *r)
{
    struct store *s = r->s;
    char errbuf[ERR_BUF_LEN];
    r->rc_begin = s->ops->begin(s);
    struct alert_row a = alert(id_of("alice"), SEP, "80%", 44000000000ull, SEP + 2 * DAY);
    struct mail_row m = message("alert:alice:2026-09:80%:B", SEP, SEP, "B");
    r->rc_work = store_alert_fire(s, &a, &m, errbuf);
    r->mail_id = m.id;
    a = alert(id_of("alice"), SEP, "100%", 51000000000ull, SEP + 3 * DAY);
    r->rc_more = store_alert_fire(s, &a, NULL, errbuf);
    r->rc_commit = s->ops->commit(s);
}

/* Claims up to 10 messages due at 1000, outside a transaction. */
static void claim_all(struct racer *r)
{
    r->rc_work = store_mail_claim(r->s, 1000, 61000, 10, claim_line, &r->got);
}

/* ================================ the cases ================================ */

/* A plan's own alert levels are stored and read back, "" when none; text that does not fit
 * is refused. */
static void test_plan_alert_levels(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    struct plan p = {.name = "basic", .quota_bytes = QUOTA, .quota_dirs = "both", .anchor_day = 1};
    snprintf(p.alert_levels, sizeof p.alert_levels, "80,100");
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_plan_save(s, &p, true, errbuf), 0);
    struct plan other = {.name = "big", .unlimited = true, .quota_dirs = "in", .anchor_day = 5};
    ASSERT_EQ_INT(store_plan_save(s, &other, true, errbuf), 0);
    struct plan got;
    ASSERT_EQ_INT(store_plan_get(s, "basic", &got), 0);
    ASSERT_STREQ(got.alert_levels, "80,100");
    ASSERT_EQ_INT(store_plan_get(s, "big", &got), 0);
    ASSERT_STREQ(got.alert_levels, "");
    /* an update sets it, like every field */
    snprintf(other.alert_levels, sizeof other.alert_levels, "10GB,50%%");
    ASSERT_EQ_INT(store_plan_save(s, &other, false, errbuf), 0);
    snprintf(p.alert_levels, sizeof p.alert_levels, "%s", "");
    ASSERT_EQ_INT(store_plan_save(s, &p, false, errbuf), 0);
    struct lines l = {0};
    ASSERT_EQ_INT(store_plan_list(s, plan_line, &l), 0);
    static const char *const plans[] = {"basic|50000000000|both|0|0||1", "big|unlimited|in|0|0||5"};
    EXPECT_LINES(l, plans);
    ASSERT_EQ_INT(store_plan_get(s, "basic", &got), 0);
    ASSERT_STREQ(got.alert_levels, "");
    ASSERT_EQ_INT(store_plan_get(s, "big", &got), 0);
    ASSERT_STREQ(got.alert_levels, "10GB,50%");
    /* no end within the array: refused, nothing changes */
    memset(other.alert_levels, '9', sizeof other.alert_levels);
    ASSERT_EQ_INT(store_plan_save(s, &other, false, errbuf), ERR_MALFORMED);
    ASSERT_TRUE(strstr(errbuf, "alert_levels") != NULL);
    ASSERT_EQ_INT(store_plan_get(s, "big", &got), 0);
    ASSERT_STREQ(got.alert_levels, "10GB,50%");
    store_close(s);
}

/* A level is recorded once per subscriber and cycle, with its message; what is refused
 * writes nothing, neither alert nor message. */
static void test_alert_fire(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    n_mails = 0;
    add_account(s, "alice");
    add_account(s, "bob");
    fire(s, "alice", SEP, "80%", 40000000000ull, SEP + 10 * DAY, "alert:alice:2026-09:80%", 0);
    fire(s, "bob", SEP, "80%", 41000000000ull, SEP + 5 * DAY, "alert:bob:2026-09:80%", 0);
    /* fired already: refused, its message not queued */
    fire(s, "alice", SEP, "80%", 45000000000ull, SEP + 11 * DAY, "alert:alice:2026-09:80%:again",
         ERR_EXISTS);
    fire(s, "alice", SEP, "100%", 50000000000ull, SEP + 15 * DAY, NULL, 0);
    fire(s, "alice", OCT, "80%", 40000000000ull, OCT + DAY, "alert:alice:2026-10:80%", 0);
    /* a message whose event is taken: the level is not recorded either */
    fire(s, "alice", SEP, "90%", 45000000000ull, SEP + 12 * DAY, "alert:alice:2026-09:80%",
         ERR_EXISTS);
    /* no such subscriber */
    struct alert_row a = alert(id_of("bob") + 1000, SEP, "80%", 1, SEP);
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_alert_fire(s, &a, NULL, errbuf), ERR_NOT_FOUND);
    /* text that does not fit, a message without a body or not UTF-8: refused */
    a = alert(id_of("bob"), SEP, "95%", 1, SEP);
    memset(a.level, '9', sizeof a.level);
    ASSERT_EQ_INT(store_alert_fire(s, &a, NULL, errbuf), ERR_MALFORMED);
    a = alert(id_of("bob"), SEP, "95%", 1, SEP);
    struct mail_row m = message("alert:bob:2026-09:95%", SEP, SEP, NULL);
    ASSERT_EQ_INT(store_alert_fire(s, &a, &m, errbuf), ERR_MALFORMED);
    m = message("alert:bob:2026-09:95%", SEP, SEP, "B");
    snprintf(m.subject, sizeof m.subject, "Usage at 95%% \xff");
    ASSERT_EQ_INT(store_alert_fire(s, &a, &m, errbuf), ERR_MALFORMED);
    m = message("alert:bob:2026-09:95%", SEP, SEP, "B");
    memset(m.to_addr, 'a', sizeof m.to_addr);
    ASSERT_EQ_INT(store_alert_fire(s, &a, &m, errbuf), ERR_MALFORMED);

    struct lines l;
    static const char *const all[] = {
        "#bob [bob] 2026-09 1788220800000 80% 41000000000/50000000000 at 1788652800000 mail "
        "alert:bob:2026-09:80%",
        "#alice [alice] 2026-09 1788220800000 80% 40000000000/50000000000 at 1789084800000 mail "
        "alert:alice:2026-09:80%",
        "#alice [alice] 2026-09 1788220800000 100% 50000000000/50000000000 at 1789516800000 mail -",
        "#alice [alice] 2026-10 1790812800000 80% 40000000000/50000000000 at 1790899200000 mail "
        "alert:alice:2026-10:80%",
    };
    list_alerts(s, NULL, NULL, &l);
    EXPECT_LINES(l, all);
    static const char *const september[] = {all[0], all[1], all[2]};
    list_alerts(s, NULL, "2026-09", &l);
    EXPECT_LINES(l, september);
    static const char *const alices[] = {all[1], all[2], all[3]};
    list_alerts(s, "alice", NULL, &l);
    EXPECT_LINES(l, alices);
    static const char *const alices_october[] = {all[3]};
    list_alerts(s, "alice", "2026-10", &l);
    EXPECT_LINES(l, alices_october);
    list_alerts(s, "bob", "2026-10", &l);
    EXPECT_NO_LINES(l);
    list_alerts(s, NULL, "2026-11", &l);
    EXPECT_NO_LINES(l);
    /* the messages of the alerts recorded, and no other, queued as given */
    static const char *const queued[] = {
        "alert:alice:2026-09:80% alert <alert:alice:2026-09:80%@flowtally.test> "
        "<alice@example.org> [Usage: alert:alice:2026-09:80%] queued 0 "
        "1789084800000/1789084800000/0/0 []",
        "alert:bob:2026-09:80% alert <alert:bob:2026-09:80%@flowtally.test> <alice@example.org> "
        "[Usage: alert:bob:2026-09:80%] queued 0 1788652800000/1788652800000/0/0 []",
        "alert:alice:2026-10:80% alert <alert:alice:2026-10:80%@flowtally.test> "
        "<alice@example.org> [Usage: alert:alice:2026-10:80%] queued 0 "
        "1790899200000/1790899200000/0/0 []",
    };
    list_mail(s, NULL, &l);
    EXPECT_LINES(l, queued);
    /* a reader sees the same */
    struct store *r = open_store(true);
    if (r) {
        list_alerts(r, NULL, NULL, &l);
        EXPECT_LINES(l, all);
        list_mail(r, "queued", &l);
        EXPECT_LINES(l, queued);
        store_close(r);
    }
    store_close(s);
}

/* In the caller's transaction: what is refused leaves it usable (on every engine), what
 * went in is committed with it, or rolled back with it. */
static void test_alert_in_transaction(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    n_mails = 0;
    add_account(s, "alice");
    fire(s, "alice", SEP, "80%", 40000000000ull, SEP + DAY, "alert:alice:2026-09:80%", 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    fire(s, "alice", SEP, "80%", 42000000000ull, SEP + 2 * DAY, "x", ERR_EXISTS);
    fire(s, "alice", SEP, "90%", 45000000000ull, SEP + 3 * DAY, "alert:alice:2026-09:80%",
         ERR_EXISTS);
    enqueue(s, "alert:alice:2026-09:80%", SEP, SEP, ERR_EXISTS);
    struct enforce_row e = enforcement("alice", "over", "10.0.0.1/32", false, 0, 1, 1, "");
    e.subscriber_id += 1000;
    ASSERT_EQ_INT(store_enforce_put(s, &e), ERR_NOT_FOUND);
    fire(s, "alice", SEP, "100%", 50000000000ull, SEP + 4 * DAY, "alert:alice:2026-09:100%", 0);
    enqueue(s, "report:2026-09-05", SEP + 4 * DAY, SEP + 4 * DAY, 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    struct lines l;
    static const char *const fired[] = {
        "#alice [alice] 2026-09 1788220800000 80% 40000000000/50000000000 at 1788307200000 mail "
        "alert:alice:2026-09:80%",
        "#alice [alice] 2026-09 1788220800000 100% 50000000000/50000000000 at 1788566400000 mail "
        "alert:alice:2026-09:100%",
    };
    list_alerts(s, NULL, NULL, &l);
    EXPECT_LINES(l, fired);
    list_mail(s, NULL, &l);
    ASSERT_EQ_INT(l.n, 3);
    /* rolled back: neither the alert nor its message */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    fire(s, "alice", OCT, "80%", 40000000000ull, OCT + DAY, "alert:alice:2026-10:80%", 0);
    s->ops->rollback(s);
    n_mails--; /* its id is not a message's */
    list_alerts(s, NULL, "2026-10", &l);
    EXPECT_NO_LINES(l);
    list_mail(s, NULL, &l);
    ASSERT_EQ_INT(l.n, 3);
    /* so it fires now, message and all */
    fire(s, "alice", OCT, "80%", 40000000000ull, OCT + DAY, "alert:alice:2026-10:80%", 0);
    list_alerts(s, NULL, "2026-10", &l);
    ASSERT_EQ_INT(l.n, 1);
    list_mail(s, NULL, &l);
    ASSERT_EQ_INT(l.n, 4);
    store_close(s);
}

/* A re-armed level fires again (with a message of its own); its first message stays. A
 * removed subscriber's alerts stay, with account "". */
static void test_alert_rearm(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    n_mails = 0;
    add_account(s, "alice");
    add_account(s, "bob");
    fire(s, "alice", SEP, "80%", 40000000000ull, SEP + DAY, "alert:alice:2026-09:80%", 0);
    fire(s, "alice", OCT, "80%", 40000000000ull, OCT + DAY, "alert:alice:2026-10:80%", 0);
    fire(s, "bob", SEP, "80%", 40000000000ull, SEP + 2 * DAY, "alert:bob:2026-09:80%", 0);
    ASSERT_EQ_INT(store_alert_rearm(s, id_of("alice"), SEP, "80%"), 0);
    /* not fired: nothing to forget, not an error */
    ASSERT_EQ_INT(store_alert_rearm(s, id_of("alice"), SEP, "80%"), 0);
    ASSERT_EQ_INT(store_alert_rearm(s, id_of("alice"), SEP, "100%"), 0);
    ASSERT_EQ_INT(store_alert_rearm(s, id_of("bob") + 1000, SEP, "80%"), 0);
    struct lines l;
    static const char *const left[] = {
        "#bob [bob] 2026-09 1788220800000 80% 40000000000/50000000000 at 1788393600000 mail "
        "alert:bob:2026-09:80%",
        "#alice [alice] 2026-10 1790812800000 80% 40000000000/50000000000 at 1790899200000 mail "
        "alert:alice:2026-10:80%",
    };
    list_alerts(s, NULL, NULL, &l);
    EXPECT_LINES(l, left);
    list_mail(s, NULL, &l);
    ASSERT_EQ_INT(l.n, 3);
    /* the first message's event is taken for good; a new one goes */
    fire(s, "alice", SEP, "80%", 47000000000ull, SEP + 20 * DAY, "alert:alice:2026-09:80%",
         ERR_EXISTS);
    fire(s, "alice", SEP, "80%", 47000000000ull, SEP + 20 * DAY,
         "alert:alice:2026-09:80%:1789948800000", 0);
    char errbuf[ERR_BUF_LEN];
    ASSERT_EQ_INT(store_subscriber_remove(s, "bob", errbuf), 0);
    static const char *const again[] = {
        "#bob [] 2026-09 1788220800000 80% 40000000000/50000000000 at 1788393600000 mail "
        "alert:bob:2026-09:80%",
        "#alice [alice] 2026-09 1788220800000 80% 47000000000/50000000000 at 1789948800000 mail "
        "alert:alice:2026-09:80%:1789948800000",
        "#alice [alice] 2026-10 1790812800000 80% 40000000000/50000000000 at 1790899200000 mail "
        "alert:alice:2026-10:80%",
    };
    list_alerts(s, NULL, NULL, &l);
    EXPECT_LINES(l, again);
    static const char *const bobs[] = {again[0]};
    list_alerts(s, "bob", NULL, &l);
    EXPECT_LINES(l, bobs);
    list_mail(s, NULL, &l);
    ASSERT_EQ_INT(l.n, 4);
    store_close(s);
}

static void race_fire(bool first_commits)
{
    struct store *s = open_store(false);
    struct racer r = {.s = s ? open_store(false) : NULL, .work = fire_again, .rc_work = 99};
    if (!r.s) {
        store_close(s);
        return;
    }
    n_mails = 0;
    add_account(s, "alice");
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    fire(s, "alice", SEP, "80%", 40000000000ull, SEP + DAY, "alert:alice:2026-09:80%", 0);
    if (racer_start(&r) != 0) {
        s->ops->rollback(s);
        goto out;
    }
    if (racer_done_within(&r, RACE_MS))
        TEST_FAIL("the other connection fired while this one's alert was not committed");
    if (first_commits) {
        ASSERT_EQ_INT(s->ops->commit(s), 0);
    } else {
        s->ops->rollback(s);
        n_mails = 0;
    }
    racer_join(&r);
    ASSERT_EQ_INT(r.rc_begin, 0);
    ASSERT_EQ_INT(r.rc_work, first_commits ? ERR_EXISTS : 0);
    ASSERT_EQ_INT(r.rc_more, 0); /* its transaction went on */
    ASSERT_EQ_INT(r.rc_commit, 0);
    if (!first_commits)
        mail_known(r.mail_id, "alert:alice:2026-09:80%:B");
    struct lines l;
    list_alerts(s, NULL, NULL, &l);
    if (first_commits) {
        static const char *const one[] = {
            "#alice [alice] 2026-09 1788220800000 80% 40000000000/50000000000 at 1788307200000 "
            "mail alert:alice:2026-09:80%",
            "#alice [alice] 2026-09 1788220800000 100% 51000000000/50000000000 at 1788480000000 "
            "mail -",
        };
        EXPECT_LINES(l, one);
        list_mail(s, NULL, &l);
        static const char *const its_mail[] = {
            "alert:alice:2026-09:80% alert <alert:alice:2026-09:80%@flowtally.test> "
            "<alice@example.org> [Usage: alert:alice:2026-09:80%] queued 0 "
            "1788307200000/1788307200000/0/0 []"};
        EXPECT_LINES(l, its_mail);
    } else {
        static const char *const theirs[] = {
            "#alice [alice] 2026-09 1788220800000 80% 44000000000/50000000000 at 1788393600000 "
            "mail alert:alice:2026-09:80%:B",
            "#alice [alice] 2026-09 1788220800000 100% 51000000000/50000000000 at 1788480000000 "
            "mail -",
        };
        EXPECT_LINES(l, theirs);
        list_mail(s, NULL, &l);
        static const char *const their_mail[] = {
            "alert:alice:2026-09:80%:B alert <alert:alice:2026-09:80%:B@flowtally.test> "
            "<alice@example.org> [Usage: alert:alice:2026-09:80%:B] queued 0 "
            "1788220800000/1788220800000/0/0 []"};
        EXPECT_LINES(l, their_mail);
    }
out:
    store_close(r.s);
    store_close(s);
}

/* Two connections firing one level at once: the second waits for the first's transaction,
 * and then is told it fired already, its message not queued; its transaction goes on. */
static void test_alert_race_commit(void)
{
    race_fire(true);
}

/* ... and if the first rolls back, the second's alert and message are the ones stored. */
static void test_alert_race_rollback(void)
{
    race_fire(false);
}

/* The body of the first message a claim hands over, copied. */
struct body_copy {
    char *p;
    size_t len;
    int n; /* messages handed over */
};

static void body_keep(void *ctx, const struct mail_row *m)
{
    struct body_copy *b = ctx;
    if (b->n++ > 0 || !m->body)
        return;
    b->len = strlen(m->body);
    b->p = malloc(b->len + 1);
    if (b->p)
        memcpy(b->p, m->body, b->len + 1);
}

/* The body a claim hands over for the message queued for event (again, as queued now; no
 * other message may be due then). */
static size_t body_now(struct store *s, const char *event, uint64_t now_ms)
{
    struct body_copy got = {0};
    ASSERT_EQ_INT(store_mail_update(s, mail_id(event), "queued", now_ms, 0, NULL), 0);
    ASSERT_EQ_INT(store_mail_claim(s, now_ms, now_ms + 60000, 5, body_keep, &got), 0);
    ASSERT_EQ_INT(got.n, 1);
    free(got.p);
    return got.len;
}

/* A password reset's message loses its body once sent (its link opens the account); an
 * alert's keeps it, and a reset that failed keeps it for a retry. */
static void test_mail_reset_scrubbed(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    n_mails = 0;
    char errbuf[ERR_BUF_LEN] = "";
    struct mail_row reset = message("reset:7", SEP, SEP, "link: https://p.example/reset/X");
    snprintf(reset.kind, sizeof reset.kind, "reset");
    ASSERT_EQ_INT(store_mail_enqueue(s, &reset, errbuf), 0);
    mail_known(reset.id, "reset:7");
    struct mail_row alert = message("alert:1", SEP, SEP + 86400000, "80% used"); /* not due */
    ASSERT_EQ_INT(store_mail_enqueue(s, &alert, errbuf), 0);
    mail_known(alert.id, "alert:1");
    outcome(s, "reset:7", "failed", 0, 0, "550 no such user");
    ASSERT_EQ_U64(body_now(s, "reset:7", SEP + 1), 31); /* failed: kept */
    outcome(s, "reset:7", "sent", 0, SEP + 2, NULL);
    outcome(s, "alert:1", "sent", 0, SEP + 2, NULL);
    ASSERT_EQ_U64(body_now(s, "reset:7", SEP + 3), 0);
    ASSERT_EQ_U64(body_now(s, "alert:1", SEP + 4), 8);
    store_close(s);
}

/* A message is kept byte for byte, of any length: CRLF and lone LF and CR, tabs, UTF-8. */
static void test_mail_body(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    n_mails = 0;
    size_t cap = 256 * 1024, n = 0;
    char *body = malloc(cap);
    if (!body) {
        TEST_FAIL("malloc");
        store_close(s);
        return;
    }
    n += (size_t)snprintf(body + n, cap - n,
                          "From: flowtally <noc@example.net>\r\nTo: alice@example.org\r\n"
                          "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nMIME-Version: 1.0\r\n\r\n");
    for (int i = 0; i < 4000; i++)
        n += (size_t)snprintf(body + n, cap - n,
                              "line %04d: Gr\xc3\xbc\xc3\x9f"
                              "e, 80%% of 50 GB\r\n",
                              i);
    n += (size_t)snprintf(body + n, cap - n, "a lone LF\na lone CR\rtab\there\r\n.\r\n\r\n");
    ASSERT_EQ_U64(n, 136152); /* 117 bytes of headers, 4000 lines of 34, 35 at the end */
    struct mail_row m = message("report:2026-09-05", SEP, SEP, body);
    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_mail_enqueue(s, &m, errbuf), 0);
    mail_known(m.id, "report:2026-09-05");
    struct mail_row empty = message("reset:alice", SEP, SEP + 1, "");
    ASSERT_EQ_INT(store_mail_enqueue(s, &empty, errbuf), 0);
    mail_known(empty.id, "reset:alice");
    struct lines l;
    claim(s, SEP + 1, SEP + 60000, 5, &l);
    static const char *const claimed[] = {
        "report:2026-09-05 sending tries 1 next 1788220800000 lease 1788220860000 body 136152",
        "reset:alice sending tries 1 next 1788220800001 lease 1788220860000 body 0"};
    EXPECT_LINES(l, claimed);
    /* the bytes themselves, claimed again on another connection */
    struct store *r = open_store(false);
    if (r) {
        struct body_copy got = {0};
        ASSERT_EQ_INT(store_mail_update(r, m.id, "queued", SEP, 0, "451"), 0);
        ASSERT_EQ_INT(store_mail_claim(r, SEP + 2, SEP + 60000, 5, body_keep, &got), 0);
        ASSERT_EQ_INT(got.n, 1);
        ASSERT_EQ_U64(got.len, n);
        if (got.p && got.len == n)
            ASSERT_MEMEQ(got.p, body, n);
        free(got.p);
        store_close(r);
    }
    free(body);
    store_close(s);
}

static void test_mail_enqueue(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    n_mails = 0;
    enqueue(s, "report:2026-09-05", SEP, SEP + 1000, 0);
    enqueue(s, "alert:7:2026-09:80%", SEP + 5, SEP, 0);
    /* its event is taken */
    enqueue(s, "report:2026-09-05", SEP, SEP, ERR_EXISTS);
    /* refused: no body, text that does not fit, not UTF-8 */
    char errbuf[ERR_BUF_LEN] = "";
    struct mail_row m = message("invoice:42", SEP, SEP, NULL);
    ASSERT_EQ_INT(store_mail_enqueue(s, &m, errbuf), ERR_MALFORMED);
    m = message("invoice:42", SEP, SEP, "Subject: x\r\n\r\nGr\xc3\xbc\xff\r\n");
    ASSERT_EQ_INT(store_mail_enqueue(s, &m, errbuf), ERR_MALFORMED);
    ASSERT_TRUE(strstr(errbuf, "body") != NULL);
    m = message("invoice:42", SEP, SEP, "B");
    memset(m.event, 'e', sizeof m.event);
    ASSERT_EQ_INT(store_mail_enqueue(s, &m, errbuf), ERR_MALFORMED);
    m = message("invoice:42", SEP, SEP, "B");
    memset(m.kind, 'k', sizeof m.kind);
    ASSERT_EQ_INT(store_mail_enqueue(s, &m, errbuf), ERR_MALFORMED);
    m = message("invoice:42", SEP, SEP, "B");
    memset(m.message_id, 'i', sizeof m.message_id);
    ASSERT_EQ_INT(store_mail_enqueue(s, &m, errbuf), ERR_MALFORMED);
    m = message("invoice:42", SEP, SEP, "B");
    memset(m.subject, 's', sizeof m.subject);
    ASSERT_EQ_INT(store_mail_enqueue(s, &m, errbuf), ERR_MALFORMED);
    /* fields the store gives are not read: only kind, to and subject as given */
    m = message("invoice:42", SEP + 9, SEP + 9, "B");
    snprintf(m.kind, sizeof m.kind, "invoice");
    snprintf(m.to_addr, sizeof m.to_addr, "a@example.org,b@example.org");
    snprintf(m.subject, sizeof m.subject, "Rechnung f\xc3\xbcr 2026-09");
    ASSERT_EQ_INT(store_mail_enqueue(s, &m, errbuf), 0);
    mail_known(m.id, "invoice:42");
    struct lines l;
    static const char *const all[] = {
        "report:2026-09-05 alert <report:2026-09-05@flowtally.test> <alice@example.org> "
        "[Usage: report:2026-09-05] queued 0 1788220800000/1788220801000/0/0 []",
        "alert:7:2026-09:80% alert <alert:7:2026-09:80%@flowtally.test> <alice@example.org> "
        "[Usage: alert:7:2026-09:80%] queued 0 1788220800005/1788220800000/0/0 []",
        "invoice:42 invoice <invoice:42@flowtally.test> <a@example.org,b@example.org> "
        "[Rechnung f\xc3\xbcr 2026-09] queued 0 1788220800009/1788220800009/0/0 []",
    };
    list_mail(s, NULL, &l);
    EXPECT_LINES(l, all);
    list_mail(s, "queued", &l);
    EXPECT_LINES(l, all);
    list_mail(s, "sent", &l);
    EXPECT_NO_LINES(l);
    store_close(s);
}

/* Claims take what is due, earliest first, marking it sending until the lease ends; a
 * message whose lease ran out (its sender died) is due again. */
static void test_mail_claim(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    n_mails = 0;
    enqueue(s, "m1", 10, 1000, 0);
    enqueue(s, "m2", 20, 3000, 0);
    enqueue(s, "m3", 30, 2000, 0);
    enqueue(s, "m4", 40, 1000, 0);
    struct lines l;
    claim(s, 999, 60999, 10, &l);
    EXPECT_NO_LINES(l);
    claim(s, 2000, 0, 0, &l); /* max 0: nothing, nothing changed */
    EXPECT_NO_LINES(l);
    claim(s, 2000, 62000, 10, &l);
    static const char *const first[] = {
        "m1 sending tries 1 next 1000 lease 62000 body 1",
        "m4 sending tries 1 next 1000 lease 62000 body 1",
        "m3 sending tries 1 next 2000 lease 62000 body 1",
    };
    EXPECT_LINES(l, first);
    claim(s, 2999, 62999, 10, &l);
    EXPECT_NO_LINES(l);
    claim(s, 3000, 63000, 10, &l);
    static const char *const second[] = {"m2 sending tries 1 next 3000 lease 63000 body 1"};
    EXPECT_LINES(l, second);
    claim(s, 61999, 121999, 10, &l);
    EXPECT_NO_LINES(l);
    outcome(s, "m1", "sent", 1000, 3100, NULL);
    outcome(s, "m4", "queued", 70000, 0, "451 4.7.1 try again later");
    /* m3's sender died: due again when its lease runs out, one at a time */
    claim(s, 62000, 122000, 1, &l);
    static const char *const third[] = {"m3 sending tries 2 next 2000 lease 122000 body 1"};
    EXPECT_LINES(l, third);
    claim(s, 69999, 129999, 10, &l);
    static const char *const fourth[] = {"m2 sending tries 2 next 3000 lease 129999 body 1"};
    EXPECT_LINES(l, fourth);
    claim(s, 70000, 130000, 10, &l);
    static const char *const fifth[] = {"m4 sending tries 2 next 70000 lease 130000 body 1"};
    EXPECT_LINES(l, fifth);
    static const char *const listed[] = {
        "m1 alert <m1@flowtally.test> <alice@example.org> [Usage: m1] sent 1 10/1000/3100/0 []",
        "m2 alert <m2@flowtally.test> <alice@example.org> [Usage: m2] sending 2 20/3000/0/129999 "
        "[]",
        "m3 alert <m3@flowtally.test> <alice@example.org> [Usage: m3] sending 2 30/2000/0/122000 "
        "[]",
        "m4 alert <m4@flowtally.test> <alice@example.org> [Usage: m4] sending 2 40/70000/0/130000 "
        "[451 4.7.1 try again later]",
    };
    list_mail(s, NULL, &l);
    EXPECT_LINES(l, listed);
    static const char *const sending[] = {listed[1], listed[2], listed[3]};
    list_mail(s, "sending", &l);
    EXPECT_LINES(l, sending);
    /* in the caller's transaction: part of it */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    claim(s, 200000, 260000, 10, &l);
    ASSERT_EQ_INT(l.n, 3);
    s->ops->rollback(s);
    list_mail(s, "sending", &l);
    EXPECT_LINES(l, sending);
    store_close(s);
}

/* One message as a listing gives it, for test_mail_update. */
struct mail_copy {
    struct mail_row m;
    int n;
};

static void mail_keep(void *ctx, const struct mail_row *m)
{
    struct mail_copy *c = ctx;
    if (c->n++ == 0)
        c->m = *m;
}

/* Sets message id's outcome with last_error, and checks what the store kept of it. */
static void diagnostic(struct store *s, int64_t id, const char *last_error, const char *want)
{
    ASSERT_EQ_INT(store_mail_update(s, id, "queued", 5000, 0, last_error), 0);
    struct mail_copy c = {.n = 0};
    ASSERT_EQ_INT(store_mail_list(s, NULL, mail_keep, &c), 0);
    ASSERT_EQ_INT(c.n, 1);
    ASSERT_STREQ(c.m.last_error, want);
}

/* What a send came to: the state, times and a diagnostic, kept as what fits of it (cut at a
 * character's end), invalid UTF-8 as '?'; the lease ends, the tries stay. */
static void test_mail_update(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    n_mails = 0;
    enqueue(s, "m1", 10, 1000, 0);
    struct lines l;
    claim(s, 1000, 61000, 1, &l);
    ASSERT_EQ_INT(l.n, 1);
    int64_t id = mail_id("m1");
    ASSERT_EQ_INT(store_mail_update(s, id + 1000, "sent", 0, 2000, NULL), ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_mail_update(s, id, "sending", 0, 2000, NULL), ERR_MALFORMED);
    ASSERT_EQ_INT(store_mail_update(s, id, "bounced", 0, 2000, NULL), ERR_MALFORMED);
    static const char *const claimed[] = {"m1 alert <m1@flowtally.test> <alice@example.org> "
                                          "[Usage: m1] sending 1 10/1000/0/61000 []"};
    list_mail(s, NULL, &l);
    EXPECT_LINES(l, claimed);
    char text[400], want[300];
    /* 300 bytes: the first 255 */
    memset(text, 'x', 300);
    text[300] = '\0';
    memset(want, 'x', 255);
    want[255] = '\0';
    diagnostic(s, id, text, want);
    /* a character that would end past byte 255 is left out whole ... */
    memset(text, 'a', 254);
    snprintf(text + 254, sizeof text - 254, "\xc3\xa9zz");
    memset(want, 'a', 254);
    want[254] = '\0';
    diagnostic(s, id, text, want);
    /* ... one that ends on it is kept */
    memset(text, 'a', 253);
    snprintf(text + 253, sizeof text - 253, "\xc3\xa9zz");
    memset(want, 'a', 253);
    snprintf(want + 253, sizeof want - 253, "\xc3\xa9");
    diagnostic(s, id, text, want);
    /* each invalid sequence one '?' (as many as fit) */
    diagnostic(s, id, "bad \xff\xfe reply \xe2\x82( end \xc3", "bad ?? reply ?( end ?");
    memset(text, 'a', 250);
    snprintf(text + 250, sizeof text - 250, "\xff\xff\xff\xff\xff\xff");
    memset(want, 'a', 250);
    snprintf(want + 250, sizeof want - 250, "?????");
    diagnostic(s, id, text, want);
    diagnostic(s, id, "", "");
    diagnostic(s, id, "421 busy", "421 busy");
    diagnostic(s, id, NULL, "");
    static const char *const queued[] = {
        "m1 alert <m1@flowtally.test> <alice@example.org> [Usage: m1] queued 1 10/5000/0/0 []"};
    list_mail(s, NULL, &l);
    EXPECT_LINES(l, queued);
    ASSERT_EQ_INT(store_mail_update(s, id, "sent", 0, 7000, "250 2.0.0 Ok: queued"), 0);
    static const char *const sent[] = {"m1 alert <m1@flowtally.test> <alice@example.org> [Usage: "
                                       "m1] sent 1 10/0/7000/0 [250 2.0.0 Ok: queued]"};
    list_mail(s, NULL, &l);
    EXPECT_LINES(l, sent);
    ASSERT_EQ_INT(store_mail_update(s, id, "failed", 9000, 0, "550 no"), 0);
    static const char *const failed[] = {"m1 alert <m1@flowtally.test> <alice@example.org> [Usage: "
                                         "m1] failed 1 10/9000/0/0 [550 no]"};
    list_mail(s, "failed", &l);
    EXPECT_LINES(l, failed);
    list_mail(s, "queued", &l);
    EXPECT_NO_LINES(l);
    store_close(s);
}

/* Every failed message, and every queued one not due yet, made due now; the rest stay. */
static void test_mail_retry_all(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    n_mails = 0;
    enqueue(s, "due", 10, 1000, 0);
    enqueue(s, "later", 20, 90000, 0);
    enqueue(s, "sending", 30, 2000, 0);
    enqueue(s, "sent", 40, 2000, 0);
    enqueue(s, "failed-early", 50, 2000, 0);
    enqueue(s, "failed-late", 60, 2000, 0);
    struct lines l;
    claim(s, 2000, 62000, 10, &l); /* every one due: all but "later" */
    ASSERT_EQ_INT(l.n, 5);
    outcome(s, "due", "queued", 1000, 0, "421");
    outcome(s, "sent", "sent", 2000, 2500, NULL);
    outcome(s, "failed-early", "failed", 5000, 0, "550 5.1.1 no such user");
    outcome(s, "failed-late", "failed", 99000, 0, "give up");
    int n = -1;
    ASSERT_EQ_INT(store_mail_retry_all(s, 50000, &n), 0);
    ASSERT_EQ_INT(n, 3);
    static const char *const retried[] = {
        "due alert <due@flowtally.test> <alice@example.org> [Usage: due] queued 1 10/1000/0/0 "
        "[421]",
        "later alert <later@flowtally.test> <alice@example.org> [Usage: later] queued 0 "
        "20/50000/0/0 []",
        "sending alert <sending@flowtally.test> <alice@example.org> [Usage: sending] sending 1 "
        "30/2000/0/62000 []",
        "sent alert <sent@flowtally.test> <alice@example.org> [Usage: sent] sent 1 40/2000/2500/0 "
        "[]",
        "failed-early alert <failed-early@flowtally.test> <alice@example.org> [Usage: "
        "failed-early] queued 1 50/5000/0/0 [550 5.1.1 no such user]",
        "failed-late alert <failed-late@flowtally.test> <alice@example.org> [Usage: failed-late] "
        "queued 1 60/50000/0/0 [give up]",
    };
    list_mail(s, NULL, &l);
    EXPECT_LINES(l, retried);
    /* again: nothing left to change */
    ASSERT_EQ_INT(store_mail_retry_all(s, 50000, &n), 0);
    ASSERT_EQ_INT(n, 0);
    list_mail(s, NULL, &l);
    EXPECT_LINES(l, retried);
    store_close(s);
}

/* Two connections claiming at once never get the same message: the first holds two in its
 * transaction; the second gets the third (PostgreSQL: at once, skipping the first's rows;
 * SQLite: once the first has committed) and never the first's. */
static void test_mail_claim_race(void)
{
    struct store *s = open_store(false);
    struct racer r = {.s = s ? open_store(false) : NULL, .work = claim_all, .rc_work = 99};
    if (!r.s) {
        store_close(s);
        return;
    }
    n_mails = 0;
    enqueue(s, "m1", 10, 100, 0);
    enqueue(s, "m2", 20, 200, 0);
    enqueue(s, "m3", 30, 300, 0);
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    struct lines l;
    claim(s, 1000, 61000, 2, &l);
    static const char *const mine[] = {"m1 sending tries 1 next 100 lease 61000 body 1",
                                       "m2 sending tries 1 next 200 lease 61000 body 1"};
    EXPECT_LINES(l, mine);
    if (racer_start(&r) != 0) {
        s->ops->rollback(s);
        goto out;
    }
    if (is_sqlite()) {
        if (racer_done_within(&r, RACE_MS))
            TEST_FAIL("sqlite: the other connection claimed while this one's claim was open");
    } else if (!racer_done_within(&r, NO_WAIT_MS)) {
        TEST_FAIL("postgresql: the other connection waited for this one's claim");
    }
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    racer_join(&r);
    ASSERT_EQ_INT(r.rc_work, 0);
    static const char *const theirs[] = {"m3 sending tries 1 next 300 lease 61000 body 1"};
    EXPECT_LINES(r.got, theirs);
    claim(s, 1000, 61000, 10, &l);
    EXPECT_NO_LINES(l);
out:
    store_close(r.s);
    store_close(s);
}

/* One row per subscriber, replaced by a put; listed when due (or all); gone with the
 * subscriber. */
static void test_enforce(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_account(s, "alice");
    add_account(s, "bob");
    add_account(s, "carol");
    struct enforce_row got;
    ASSERT_EQ_INT(store_enforce_get(s, id_of("alice"), &got), ERR_NOT_FOUND);
    struct enforce_row e =
        enforcement("alice", "over", "10.0.0.1/32 2001:db8:1200::/56", false, 0, 1000, 1000, "");
    ASSERT_EQ_INT(store_enforce_put(s, &e), 0);
    e = enforcement("bob", "under", "10.0.0.2/32", true, 1, 900, 900, "");
    ASSERT_EQ_INT(store_enforce_put(s, &e), 0);
    e = enforcement("carol", "over", "10.0.0.3/32", false, 2, 800, 5000, "exit status 1");
    ASSERT_EQ_INT(store_enforce_put(s, &e), 0);
    struct lines l = {0};
    ASSERT_EQ_INT(store_enforce_get(s, id_of("alice"), &got), 0);
    enforce_line(&l, &got);
    static const char *const alice[] = {
        "#alice [alice] over [10.0.0.1/32 2001:db8:1200::/56] to do tries 0 1000/1000 []"};
    EXPECT_LINES(l, alice);
    static const char *const carol =
        "#carol [carol] over [10.0.0.3/32] to do tries 2 800/5000 [exit status 1]";
    static const char *const bob = "#bob [bob] under [10.0.0.2/32] done tries 1 900/900 []";
    list_enforcement(s, 999, &l);
    EXPECT_NO_LINES(l);
    list_enforcement(s, 1000, &l);
    EXPECT_LINES(l, alice);
    static const char *const due[] = {alice[0], carol};
    list_enforcement(s, 5000, &l);
    EXPECT_LINES(l, due);
    static const char *const all[] = {alice[0], bob, carol};
    list_enforcement(s, UINT64_MAX, &l);
    EXPECT_LINES(l, all);
    list_enforcement(s, UINT64_MAX - 1, &l); /* a time, however late: not done ones only */
    EXPECT_LINES(l, due);
    /* replaced: alice's hook ran */
    e = enforcement("alice", "over", "10.0.0.1/32 2001:db8:1200::/56", true, 1, 1000, 1000, "");
    ASSERT_EQ_INT(store_enforce_put(s, &e), 0);
    static const char *const carol_only[] = {carol};
    list_enforcement(s, 5000, &l);
    EXPECT_LINES(l, carol_only);
    /* refused: no such subscriber, a state of no meaning, text that does not fit */
    e = enforcement("carol", "over", "10.0.0.3/32", false, 0, 1, 1, "");
    e.subscriber_id = id_of("carol") + 1000;
    ASSERT_EQ_INT(store_enforce_put(s, &e), ERR_NOT_FOUND);
    e = enforcement("carol", "blocked", "10.0.0.3/32", false, 0, 1, 1, "");
    ASSERT_EQ_INT(store_enforce_put(s, &e), ERR_MALFORMED);
    e = enforcement("carol", "under", "", false, 0, 1, 1, "");
    memset(e.addresses, '1', sizeof e.addresses);
    ASSERT_EQ_INT(store_enforce_put(s, &e), ERR_MALFORMED);
    e = enforcement("carol", "under", "", false, 0, 1, 1, "");
    memset(e.last_error, 'e', sizeof e.last_error);
    ASSERT_EQ_INT(store_enforce_put(s, &e), ERR_MALFORMED);
    list_enforcement(s, UINT64_MAX, &l);
    static const char *const after[] = {
        "#alice [alice] over [10.0.0.1/32 2001:db8:1200::/56] done tries 1 1000/1000 []", bob,
        carol};
    EXPECT_LINES(l, after);
    /* the hook's diagnostic: invalid UTF-8 kept as '?' */
    e = enforcement("carol", "under", "", false, 3, 6000, 7000, "");
    snprintf(e.last_error, sizeof e.last_error, "exit 2: r\xc3\xa9seau \xff\xfe down \xe2\x82(");
    ASSERT_EQ_INT(store_enforce_put(s, &e), 0);
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_enforce_get(s, id_of("carol"), &got), 0);
    enforce_line(&l, &got);
    static const char *const carol_now[] = {
        "#carol [carol] under [] to do tries 3 6000/7000 [exit 2: r\xc3\xa9seau ?? down ?(]"};
    EXPECT_LINES(l, carol_now);
    /* in a transaction: what is refused leaves it usable */
    ASSERT_EQ_INT(s->ops->begin(s), 0);
    e = enforcement("carol", "over", "10.0.0.3/32", false, 0, 1, 1, "");
    e.subscriber_id = id_of("carol") + 1000;
    ASSERT_EQ_INT(store_enforce_put(s, &e), ERR_NOT_FOUND);
    e = enforcement("carol", "over", "10.0.0.3/32", false, 0, 8000, 8000, "");
    ASSERT_EQ_INT(store_enforce_put(s, &e), 0);
    ASSERT_EQ_INT(s->ops->commit(s), 0);
    /* bob removed: his row with him */
    char errbuf[ERR_BUF_LEN];
    ASSERT_EQ_INT(store_subscriber_remove(s, "bob", errbuf), 0);
    ASSERT_EQ_INT(store_enforce_get(s, id_of("bob"), &got), ERR_NOT_FOUND);
    static const char *const left[] = {
        "#alice [alice] over [10.0.0.1/32 2001:db8:1200::/56] done tries 1 1000/1000 []",
        "#carol [carol] over [10.0.0.3/32] to do tries 0 8000/8000 []"};
    list_enforcement(s, UINT64_MAX, &l);
    EXPECT_LINES(l, left);
    struct store *r = open_store(true);
    if (r) {
        list_enforcement(r, UINT64_MAX, &l);
        EXPECT_LINES(l, left);
        store_close(r);
    }
    store_close(s);
}

static const struct conformance_case cases[] = {
    CONFORMANCE_CASE(test_plan_alert_levels),    CONFORMANCE_CASE(test_alert_fire),
    CONFORMANCE_CASE(test_alert_in_transaction), CONFORMANCE_CASE(test_alert_rearm),
    CONFORMANCE_CASE(test_alert_race_commit),    CONFORMANCE_CASE(test_alert_race_rollback),
    CONFORMANCE_CASE(test_mail_enqueue),         CONFORMANCE_CASE(test_mail_body),
    CONFORMANCE_CASE(test_mail_reset_scrubbed),  CONFORMANCE_CASE(test_mail_claim),
    CONFORMANCE_CASE(test_mail_update),          CONFORMANCE_CASE(test_mail_retry_all),
    CONFORMANCE_CASE(test_mail_claim_race),      CONFORMANCE_CASE(test_enforce),
};

int main(void)
{
    return conformance_main(cases, N(cases));
}
