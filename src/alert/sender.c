// SPDX-License-Identifier: MIT
// One round of the mail sender. The claim's rows are copied first and sent after the claim
// has returned, so no store operation (and no transaction of the store's) is open while a
// slow SMTP server answers, and store_mail_update() never runs inside the claim's callback.
#define LOG_TAG "mail"

#include "sender.h"

#include "../base/err.h"
#include "../base/log.h"
#include "../base/xalloc.h"
#include "retry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct claimed {
    int64_t id;
    char event[128];
    char to_addr[256];
    char *body; /* owned; NULL when the store gave none */
    size_t len;
    int tries;
    uint64_t created_ms;
};

struct claim_list {
    struct claimed *v;
    size_t n, cap;
};

static void copy_claimed(void *ctx, const struct mail_row *m)
{
    struct claim_list *l = ctx;
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    struct claimed *c = &l->v[l->n++];
    *c = (struct claimed){.id = m->id, .tries = m->tries, .created_ms = m->created_ms};
    snprintf(c->event, sizeof c->event, "%s", m->event);
    snprintf(c->to_addr, sizeof c->to_addr, "%s", m->to_addr);
    if (m->body) {
        c->body = xstrdup(m->body);
        c->len = strlen(c->body);
    }
}

/* Cuts text to what last_error holds (255 bytes), between UTF-8 characters. */
static void fit_last_error(char *text)
{
    size_t n = strlen(text);
    if (n < sizeof(((struct mail_row *)0)->last_error))
        return;
    n = sizeof(((struct mail_row *)0)->last_error) - 1;
    while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
        n--;
    text[n] = '\0';
}

/* Sends one claimed message and records the outcome. Returns what store_mail_update()
 * returned. */
static int send_one(struct store *s, const struct sender_config *c, uint64_t now_ms,
                    const struct claimed *m, struct sender_counts *counts)
{
    char err[ERR_BUF_LEN];
    int result;
    if (m->body) {
        result = smtp_send(&c->smtp, c->envelope_from, m->to_addr, m->body, m->len, err);
    } else {
        snprintf(err, sizeof err, "the queue holds no message body");
        result = SMTP_PERMANENT;
    }
    const char *state = "failed";
    uint64_t next_try_ms = 0, sent_ms = 0;
    uint64_t age_ms = now_ms > m->created_ms ? now_ms - m->created_ms : 0;
    if (result == SMTP_SENT) {
        state = "sent";
        sent_ms = now_ms;
        err[0] = '\0';
        counts->sent++;
        log_info("mail %s: sent (try %d)", m->event, m->tries);
    } else if (result == SMTP_RETRY && age_ms < c->give_up_ms) {
        state = "queued";
        next_try_ms = now_ms + retry_backoff_ms(m->tries > 0 ? m->tries : 1);
        counts->retried++;
        log_rl_at(LOG_LEVEL_NOTICE, "mail %s: not sent (try %d), trying again in %llu s: %s",
                  m->event, m->tries, (unsigned long long)((next_try_ms - now_ms) / 1000), err);
    } else {
        counts->failed++;
        if (result == SMTP_RETRY)
            log_warn("mail %s: given up %llu s after it was queued (try %d): %s", m->event,
                     (unsigned long long)(age_ms / 1000), m->tries, err);
        else
            log_warn("mail %s: failed for good (try %d): %s", m->event, m->tries, err);
    }
    fit_last_error(err);
    return store_mail_update(s, m->id, state, next_try_ms, sent_ms, err);
}

int sender_round(struct store *s, const struct sender_config *c, uint64_t now_ms, int max,
                 struct sender_counts *counts, char *errbuf)
{
    struct claim_list l = {0};
    int rc = store_mail_claim(s, now_ms, now_ms + c->lease_ms, max, copy_claimed, &l);
    if (rc) {
        snprintf(errbuf, ERR_BUF_LEN, "cannot take mail from the queue: %s", err_str(rc));
        goto out;
    }
    for (size_t i = 0; i < l.n; i++) {
        rc = send_one(s, c, now_ms, &l.v[i], counts);
        if (rc) {
            /* the rest stay claimed until their lease ends, then are sent by a later round */
            snprintf(errbuf, ERR_BUF_LEN, "cannot record what became of mail %s: %s", l.v[i].event,
                     err_str(rc));
            break;
        }
    }
out:
    for (size_t i = 0; i < l.n; i++)
        free(l.v[i].body);
    free(l.v);
    return rc;
}
