// SPDX-License-Identifier: MIT
// Lease files into the store: parse (leases.c), turn each lease into a binding event and
// record it (bind.c), all in one transaction; and the store thread's check of whether the
// followed file changed.
#include "leasefile.h"

#include "../base/err.h"
#include "../base/progress.h"
#include "bind.h"
#include "leases.h"

#include <stdio.h>
#include <sys/stat.h>

#define LOG_TAG "leases"
#include "../base/log.h"

struct lease_import {
    struct store *s;
    const char *path;
    bool lenient;
    uint64_t n_leases, n_skipped;
    int rc;
    char *errbuf; /* the parser's: its first error in lenient mode */
    struct progress progress;
};

static void put_lease(void *ctx, const struct lease *l)
{
    struct lease_import *li = ctx;
    struct bind_event e;
    char why[ERR_BUF_LEN]; /* not shown: the import says it could not store the leases */
    if (li->rc != 0)
        return;
    if (!bind_event_from_lease(l, "lease", &e)) {
        li->n_skipped++;
        return;
    }
    li->rc = bind_record(li->s, &e, why);
    if (li->rc == 0)
        li->n_leases++;
    if (li->progress.out) /* a file of a few hundred thousand leases takes a while */
        progress_show(&li->progress, li->n_leases, PROGRESS_UNKNOWN, progress_clock_ms());
}

static int import_tx(struct store *s, void *ctx)
{
    struct lease_import *li = ctx;
    struct lease_counters c = {0};
    (void)s;
    int rc = leases_parse_file(li->path, li->lenient, put_lease, li, &c, li->errbuf);
    li->n_skipped += c.skipped;
    return rc != 0 ? rc : li->rc;
}

int leasefile_import(struct store *s, const char *path, bool lenient, FILE *progress,
                     uint64_t *n_leases, uint64_t *n_skipped, char *errbuf)
{
    struct lease_import li = {.s = s, .path = path, .lenient = lenient, .errbuf = errbuf};
    errbuf[0] = '\0';
    progress_start(&li.progress, progress, path, "leases", progress_clock_ms());
    int rc = store_admin_batch(s, import_tx, &li);
    if (progress)
        progress_end(&li.progress, li.n_leases, progress_clock_ms());
    if (rc != 0 && errbuf[0] == '\0')
        snprintf(errbuf, ERR_BUF_LEN, "%s: could not store the leases", path);
    *n_leases = rc == 0 ? li.n_leases : 0;
    *n_skipped = li.n_skipped;
    return rc;
}

void leasefile_init(struct leasefile *lf, const char *path)
{
    *lf = (struct leasefile){.path = path};
}

void leasefile_follow(struct leasefile *lf, struct store *s)
{
    struct stat st;
    if (!lf->path || stat(lf->path, &st) != 0)
        return;
    if (st.st_mtim.tv_sec == lf->mtime.tv_sec && st.st_mtim.tv_nsec == lf->mtime.tv_nsec &&
        st.st_size == lf->size)
        return;
    char errbuf[ERR_BUF_LEN];
    uint64_t n, skipped;
    if (leasefile_import(s, lf->path, true, NULL, &n, &skipped, errbuf) != 0) {
        log_warn("%s", errbuf);
        return; /* tried again at the next call */
    }
    if (errbuf[0])
        log_warn("%s (skipped; %llu blocks in all)", errbuf, (unsigned long long)skipped);
    log_info("imported %llu leases from %s", (unsigned long long)n, lf->path);
    lf->mtime = st.st_mtim;
    lf->size = st.st_size;
}
