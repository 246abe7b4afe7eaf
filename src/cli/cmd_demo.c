// SPDX-License-Identifier: MIT
// `flowtally run --demo`: the demo store (demo/demo.c makes it, or takes an earlier run's),
// then the daemon as `flowtally run` runs it, on that store, in a child process whose
// output passes through this one. From what the child prints this process learns its
// NetFlow port (port 0 works, as in the tests) and portal URL, prints what to try, and
// sends the child FEED_RATE live flows a second over loopback until the child ends.
// The daemon stays unchanged: the demo only talks to it as an exporter would. Signals
// sent to this process go to the child; it exits with the child's status.
#include "cli.h"

#include "../base/uri.h"
#include "../base/xalloc.h"
#include "../config/config.h"
#include "../daemon/run.h"
#include "../demo/demo.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FEED_TICK_MS 50  /* one IPFIX message a tick */
#define FEED_PER_TICK 10 /* flows a message: 200 a second */
#define CHILD_ARGS 8     /* the arguments the demo adds to the user's */

static volatile sig_atomic_t pending_sig[NSIG];

/* Forwards what someone sent this process; a terminal's ^C (SI_KERNEL) reached the child
 * already, as it reaches the whole process group. */
static void on_signal(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (si->si_code != SI_KERNEL)
        pending_sig[sig] = 1;
}

static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void utc_text(uint64_t s, char *out, size_t len)
{
    time_t t = (time_t)s;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, len, "%Y-%m-%dT%H:%M", &tm);
}

/* What the child said so far, and what the demo does with it. */
struct demo_run {
    const char *db; /* as printed: a URI's password masked */
    const struct demo_info *info;
    bool wants_web;       /* the web key names addresses */
    int sock;             /* to the collector's NetFlow port, or -1 */
    char target[64];      /* that port, as printed */
    bool started, hinted; /* "storing into" seen; hints printed */
    char web_url[128];    /* the first "web: listening on" URL */
    struct feed feed;
    uint64_t flows_sent;
};

/* "flowtally: listening on udp 127.0.0.1:PORT (NetFlow ...": the first loopback or
 * wildcard NetFlow port becomes the live flows' target. */
static void take_netflow(struct demo_run *r, const char *line)
{
    const char *p = strstr(line, "listening on udp ");
    if (r->sock >= 0 || !p || !strstr(line, "(NetFlow"))
        return;
    p += strlen("listening on udp ");
    const char *colon = strchr(p, ' ');
    while (colon && colon > p && colon[-1] != ':')
        colon--;
    if (!colon || colon == p)
        return;
    int port = atoi(colon);
    bool v6 = p[0] == '[';
    if (!(strncmp(p, "127.", 4) == 0 || strncmp(p, "0.0.0.0:", 8) == 0 ||
          strncmp(p, "[::]:", 5) == 0 || strncmp(p, "[::1]:", 6) == 0) ||
        port <= 0 || port > 65535)
        return;
    struct sockaddr_storage ss = {0};
    socklen_t len;
    if (v6) {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
        a->sin6_family = AF_INET6;
        a->sin6_addr = in6addr_loopback;
        a->sin6_port = htons((uint16_t)port);
        len = sizeof *a;
        snprintf(r->target, sizeof r->target, "[::1]:%d", port);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&ss;
        char host[INET_ADDRSTRLEN] = "127.0.0.1"; /* for 0.0.0.0 */
        if (p[0] == '1' && (size_t)(colon - 1 - p) < sizeof host)
            snprintf(host, sizeof host, "%.*s", (int)(colon - 1 - p), p);
        a->sin_family = AF_INET;
        if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return;
        a->sin_port = htons((uint16_t)port);
        len = sizeof *a;
        snprintf(r->target, sizeof r->target, "%s:%d", host, port);
    }
    int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&ss, len) != 0) {
        close(fd);
        fd = -1;
    }
    r->sock = fd;
}

static void print_hints(struct demo_run *r)
{
    char from[32], to[32];
    struct world_sub w;
    utc_text(r->info->history_from_s, from, sizeof from);
    utc_text(r->info->history_to_s, to, sizeof to);
    world_sub(DEMO_CUSTOMER, &w);
    printf("demo: %s holds a fictional WISP: %d subscribers on the plans basic, pro and "
           "premium, and their usage from %s to %s UTC.\n",
           r->db, DEMO_SUBSCRIBERS, from, to);
    if (r->sock >= 0)
        printf("demo: live flows, %d a second, go to the collector at %s as IPFIX.\n",
               FEED_PER_TICK * 1000 / FEED_TICK_MS, r->target);
    else
        printf("demo: no loopback NetFlow listener (netflow key): no live flows.\n");
    printf("demo: try\n"
           "  flowtally report --db %s --by class,app --from %s --to %s\n"
           "  flowtally report --db %s --over-quota\n"
           "  flowtally usage %s --db %s\n",
           r->db, from, to, r->db, w.account, r->db);
    if (r->web_url[0])
        printf("  the portal: %s/  logins: %s / %s (a customer), %s / %s (staff)\n", r->web_url,
               w.account, DEMO_PASSWORD, DEMO_STAFF_LOGIN, DEMO_PASSWORD);
    printf("demo: stop with ^C; `flowtally run` without --demo, with a config file or keys, "
           "collects for real (see README, Quick start).\n");
    fflush(stdout);
    r->hinted = true;
}

static void take_line(struct demo_run *r, const char *line)
{
    fputs(line, stdout);
    take_netflow(r, line);
    if (strncmp(line, "flowtally: storing into ", 24) == 0)
        r->started = true;
    if (strncmp(line, "web: listening on ", 18) == 0 && !r->web_url[0]) {
        snprintf(r->web_url, sizeof r->web_url, "%s", line + 18);
        r->web_url[strcspn(r->web_url, "\n")] = '\0';
    }
    if (r->started && !r->hinted && (r->web_url[0] || !r->wants_web))
        print_hints(r);
}

/* Passes the child's output through, line by line, until it ends (returns false). */
static bool read_child(struct demo_run *r, int fd, char *buf, size_t cap, size_t *len)
{
    ssize_t n = read(fd, buf + *len, cap - 1 - *len);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN;
    if (n == 0) {
        buf[*len] = '\0';
        if (*len)
            fputs(buf, stdout);
        return false;
    }
    *len += (size_t)n;
    buf[*len] = '\0';
    char *start = buf, *nl;
    while ((nl = strchr(start, '\n'))) {
        char c = nl[1];
        nl[1] = '\0';
        take_line(r, start);
        nl[1] = c;
        start = nl + 1;
    }
    *len -= (size_t)(start - buf);
    memmove(buf, start, *len);
    if (*len == cap - 1) { /* a line longer than the buffer: pass it on as it is */
        fputs(buf, stdout);
        *len = 0;
    }
    fflush(stdout);
    return true;
}

static void feed_tick(struct demo_run *r)
{
    struct wire_buf w;
    if (r->sock < 0)
        return;
    feed_build(&r->feed, wall_ms(), FEED_PER_TICK, &w);
    if (send(r->sock, w.data, w.len, 0) == (ssize_t)w.len)
        r->flows_sent += FEED_PER_TICK;
}

static void forward_signals(pid_t child)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1};
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (pending_sig[sigs[i]]) {
            pending_sig[sigs[i]] = 0;
            kill(child, sigs[i]);
        }
}

/* The parent's side: the child's output, the live flows, signals; the child's status. */
static int supervise(struct demo_run *r, pid_t child, int fd)
{
    char buf[4096];
    size_t len = 0;
    uint64_t next = wall_ms() + FEED_TICK_MS;
    for (;;) {
        forward_signals(child);
        uint64_t now = wall_ms();
        if (now >= next) {
            feed_tick(r);
            next = now + FEED_TICK_MS;
        }
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int n = poll(&p, 1, (int)(next > now ? next - now : 0));
        if (n > 0 && !read_child(r, fd, buf, sizeof buf, &len))
            break;
    }
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    if (r->sock >= 0)
        close(r->sock);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The directory of the daemon's lists: beside a SQLite file (flowtally-demo.d for
 * flowtally-demo.db), else flowtally-demo.d in the working directory; absolute. */
static void conf_dir_of(const char *db, char *out, size_t len)
{
    char cwd[2048] = ".";
    if (!getcwd(cwd, sizeof cwd))
        snprintf(cwd, sizeof cwd, ".");
    const char *base = strstr(db, "://") ? "flowtally-demo.db" : db;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".db") == 0)
        n -= 3;
    snprintf(out, len, "%s%s%.*s.d", base[0] == '/' ? "" : cwd, base[0] == '/' ? "" : "/", (int)n,
             base);
}

/* Runs the daemon with args in a child process and supervises it; returns its status. */
static int start(struct demo_run *r, int n, char **args)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGUSR1};
    struct sigaction sa = {.sa_sigaction = on_signal, .sa_flags = SA_SIGINFO};
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        sigaction(sigs[i], &sa, NULL);
    feed_init(&r->feed);
    int pipefd[2], status = 1;
    pid_t parent = getpid(), child = -1;
    if (pipe(pipefd) != 0 || (child = fork()) < 0) {
        fprintf(stderr, "flowtally: cannot start the daemon: %s\n", strerror(errno));
    } else if (child == 0) {
        for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
            signal(sigs[i], SIG_DFL); /* run_main installs its own */
        /* a demo killed outright takes its daemon along (a TERM: it flushes first) */
        if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
            _exit(1);
        close(pipefd[0]);
        dup2(pipefd[1], STDOUT_FILENO);
        close(pipefd[1]);
        exit(run_main(n, args));
    } else {
        close(pipefd[1]);
        status = supervise(r, child, pipefd[0]);
        close(pipefd[0]);
        printf("demo: sent %llu live flows\n", (unsigned long long)r->flows_sent);
    }
    return status;
}

static void demo_help(FILE *out)
{
    fprintf(out,
            "usage: flowtally run --demo [--KEY VALUE ...]\n"
            "Makes %s (a fictional WISP: %d subscribers, plans, bindings, leases, portal\n"
            "logins and a month of usage; marked demo, so every report says so), or takes\n"
            "the one an earlier --demo made, then runs the daemon on it and feeds it live\n"
            "flows over loopback. --db names another new file; a store that is not a demo\n"
            "store is refused. The other keys are `flowtally run`'s.\n",
            DEMO_DB, DEMO_SUBSCRIBERS);
}

static int cmd_demo(int argc, char **argv)
{
    /* args: the daemon's; keys: the same less run_main's own flags, for the keys */
    char **args = xcalloc((size_t)argc + CHILD_ARGS + 1, sizeof *args);
    char **keys = xcalloc((size_t)argc + 1, sizeof *keys);
    int n = 0, n_keys = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            demo_help(stdout);
            free(args);
            free(keys);
            return 0;
        }
        if (strcmp(argv[i], "--demo") == 0)
            continue;
        args[n++] = argv[i];
        if (strcmp(argv[i], "--check-config") != 0 && strcmp(argv[i], "--once") != 0)
            keys[n_keys++] = argv[i];
    }
    struct config cfg;
    char errbuf[ERR_BUF_LEN], dir[4096], classes[4200], apps[4200];
    config_init(&cfg);
    int status = 2;
    if (config_from_args(&cfg, n_keys, keys, errbuf) != 0) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        goto out;
    }
    /* the default store is the real one: the demo has its own */
    char *db = xstrdup(strcmp(cfg.db, "flowtally.db") == 0 ? DEMO_DB : cfg.db);
    conf_dir_of(db, dir, sizeof dir);
    struct demo_info info;
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("demo: preparing %s\n", strstr(db, "://") ? "the demo store" : db);
    status = 1;
    if (demo_prepare(db, dir, (uint64_t)time(NULL), &info, errbuf) != 0) {
        fprintf(stderr, "flowtally: %s\n", errbuf);
        free(db);
        goto out;
    }
    args[n++] = "--db";
    args[n++] = db;
    snprintf(classes, sizeof classes, "%s/classes.conf", dir);
    snprintf(apps, sizeof apps, "%s/apps.conf", dir);
    if (!cfg.classes[0]) {
        args[n++] = "--classes";
        args[n++] = classes;
    }
    if (!cfg.apps[0]) {
        args[n++] = "--apps";
        args[n++] = apps;
    }
    char shown[1024];
    uri_mask_password(db, shown, sizeof shown);
    struct demo_run r = {.db = shown, .info = &info, .wants_web = cfg.web[0] != '\0', .sock = -1};
    status = start(&r, n, args);
    free(db);
out:
    config_deinit(&cfg);
    free(args);
    free(keys);
    return status;
}

int cmd_run(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--demo") == 0)
            return cmd_demo(argc, argv);
    return run_main(argc, argv);
}
