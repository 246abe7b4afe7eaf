// SPDX-License-Identifier: MIT
// Log following in the daemon: open with stored positions, poll, hand positions over with
// each flush.
#include "logsrc.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define LOG_TAG "logs"
#include "../base/log.h"

struct open_ctx {
    struct log_sources *ls;
    struct store *st;
    int rc;
    char *errbuf;
};

static void open_one(void *ctx, const char *item)
{
    struct open_ctx *oc = ctx;
    struct log_sources *ls = oc->ls;
    if (oc->rc != 0)
        return;
    if (ls->n == LOGSRC_MAX) {
        snprintf(oc->errbuf, ERR_BUF_LEN, "logs: at most %d files", LOGSRC_MAX);
        oc->rc = ERR_CONFIG;
        return;
    }
    struct log_source *s = &ls->src[ls->n];
    char fmt[16];
    const char *colon = strchr(item, ':');
    snprintf(fmt, sizeof fmt, "%.*s", (int)(colon - item), item); /* config checked ':' */
    if (logs_format_parse(fmt, &s->fmt) != 0 || strlen(colon + 1) >= sizeof s->path) {
        snprintf(oc->errbuf, ERR_BUF_LEN, "logs: '%s': expected FORMAT:PATH", item);
        oc->rc = ERR_CONFIG;
        return;
    }
    snprintf(s->path, sizeof s->path, "%s", colon + 1);
    uint64_t inode = 0, offset = 0;
    if (oc->st->ops->get_log_position(oc->st, s->path, &inode, &offset) == 0)
        log_info("%s: resuming at byte %llu", s->path, (unsigned long long)offset);
    s->f = logfollow_open(s->path, inode, offset);
    printf("flowtally: following %s log %s\n", logs_format_name(s->fmt), s->path);
    ls->n++;
}

int logsrc_open(struct log_sources *ls, const struct config *cfg, struct store *st,
                struct pipeline *p, struct binder *binder, char *errbuf)
{
    memset(ls, 0, sizeof *ls);
    ls->pipe = p;
    ls->binder = binder;
    ls->app_squid = intern_id(&p->apps, "web-proxy");
    struct open_ctx oc = {.ls = ls, .st = st, .errbuf = errbuf};
    config_list_each(cfg->logs, open_one, &oc);
    return oc.rc;
}

void logsrc_close(struct log_sources *ls)
{
    for (size_t i = 0; i < ls->n; i++)
        logfollow_close(ls->src[i].f);
    ls->n = 0;
}

void logsrc_show_progress(struct log_sources *ls, FILE *out)
{
    uint64_t now = progress_clock_ms();
    for (size_t i = 0; i < ls->n; i++) {
        struct log_source *s = &ls->src[i];
        struct stat st;
        s->size = stat(s->path, &st) == 0 ? (uint64_t)st.st_size : 0;
        progress_start(&s->progress, out, s->path, "lines", now);
    }
}

/* Lines read so far, counted or not. */
static uint64_t lines_of(const struct log_counters *c)
{
    return c->usage + c->mappings + c->denied + c->ignored + c->malformed;
}

void logsrc_end_progress(struct log_sources *ls)
{
    for (size_t i = 0; i < ls->n; i++) /* a file read in a blink shows nothing */
        if (ls->src[i].progress.is_shown)
            progress_end(&ls->src[i].progress, lines_of(&ls->src[i].c), progress_clock_ms());
}

struct poll_ctx {
    struct log_sources *ls;
    struct log_source *src;
    uint16_t app;
};

/* Every 1024 lines, when an import draws a progress line: a log of millions of lines takes
 * a while, and the share is where the reader is in the file. */
static void show_progress(struct log_source *s)
{
    uint64_t n = lines_of(&s->c);
    if (!s->progress.out || n < s->progress_next) /* denied lines call nothing: not n % 1024 */
        return;
    s->progress_next = n + 1024;
    uint64_t inode, offset;
    logfollow_position(s->f, &inode, &offset);
    uint64_t permille = !s->size            ? PROGRESS_UNKNOWN
                        : offset >= s->size ? 1000
                                            : offset * 1000 / s->size;
    progress_show(&s->progress, n, permille, progress_clock_ms());
}

static void on_usage(void *ctx, const struct log_usage *u)
{
    struct poll_ctx *pc = ctx;
    classifier_emit_log(&pipeline_main(pc->ls->pipe)->classifier, u, pc->app);
    show_progress(pc->src);
}

/* A mapping line: a binding event, like a RADIUS Start (a user) or Stop ("- -"). */
static void on_mapping(void *ctx, const struct log_mapping *m)
{
    struct poll_ctx *pc = ctx;
    struct bind_event e;
    bind_event_from_mapping(m, "log", &e);
    binder_apply(pc->ls->binder, &e);
    show_progress(pc->src);
}

void logsrc_poll(struct log_sources *ls)
{
    char errbuf[ERR_BUF_LEN];
    for (size_t i = 0; i < ls->n; i++) {
        struct log_source *s = &ls->src[i];
        struct poll_ctx pc = {.ls = ls,
                              .src = s,
                              .app = s->fmt == LOG_SQUID
                                         ? ls->app_squid
                                         : pipeline_main(ls->pipe)->classifier.other_app};
        errbuf[0] = '\0';
        int rc = logfollow_poll(s->f, s->fmt, on_usage, on_mapping, &pc, &s->c, errbuf);
        if (errbuf[0])
            log_rl_warn("%s%s", errbuf, rc == 0 ? " (skipped)" : "");
    }
}

void logsrc_take(struct log_sources *ls, struct flush_batch *b)
{
    for (size_t i = 0; i < ls->n; i++) {
        struct log_source *s = &ls->src[i];
        uint64_t inode, offset;
        logfollow_position(s->f, &inode, &offset);
        flush_batch_add_position(b, s->path, inode, offset);
#define TAKE(name) flush_batch_add_stat(b, s->path, 0, 0, "log_" #name, s->c.name - s->last.name);
        TAKE(usage)
        TAKE(mappings)
        TAKE(denied)
        TAKE(ignored)
        TAKE(malformed)
        TAKE(rotations)
        TAKE(truncations)
#undef TAKE
        s->last = s->c;
    }
}
