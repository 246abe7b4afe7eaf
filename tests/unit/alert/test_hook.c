// SPDX-License-Identifier: MIT
// Tests of the enforcement hook with real programs: small sh scripts written to a temporary
// directory, and this binary itself as a recorder of exactly what the hook gets (through a
// symlink named "recorder": a shell would add PWD to the environment it passes on).
//
// Two more ways to run it: `test_hook run COMMAND STATE ACCOUNT ADDRESSES [TIMEOUT_S]` runs
// one hook through hook_run() and prints its code and message (the integration test
// tests/integration/034-enforce-hook drives examples/nft-over-quota.sh so); and as
// ".../recorder" it is the recorder.
#include "../../../src/alert/hook.h"
#include "../../../src/base/err.h"
#include "test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static char dir[64]; /* the temporary directory of this run */

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Writes dir/NAME with BODY and MODE; returns its path (static, one at a time). */
static const char *write_file(const char *name, const char *body, mode_t mode)
{
    static char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
    FILE *f = fopen(path, "w");
    if (!f) {
        TEST_FAIL("cannot write %s", path);
        return path;
    }
    fputs(body, f);
    fclose(f);
    chmod(path, mode);
    return path;
}

/* A script dir/NAME: "#!/bin/sh", then BODY with every @ replaced by dir. */
static const char *script(const char *name, const char *body)
{
    char text[4096];
    size_t n = (size_t)snprintf(text, sizeof text, "#!/bin/sh\n");
    for (const char *p = body; *p && n + sizeof dir < sizeof text; p++) {
        if (*p == '@')
            n += (size_t)snprintf(text + n, sizeof text - n, "%s", dir);
        else
            text[n++] = *p;
    }
    text[n] = '\0';
    return write_file(name, text, 0755);
}

static char *read_file(const char *name, char *buf, size_t size)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    buf[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static bool exists(const char *name)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return access(path, F_OK) == 0;
}

static struct hook_run over(const char *command)
{
    return (struct hook_run){.command = command,
                             .account = "alice",
                             .state = "over",
                             .addresses = "10.0.0.1/32 2001:db8::/56",
                             .timeout_s = 10};
}

#define ASSERT_CONTAINS(text, part)                                                                \
    do {                                                                                           \
        if (!strstr((text), (part)))                                                               \
            TEST_FAIL("\"%s\" does not contain \"%s\"", (text), (part));                           \
    } while (0)

/* ---- the recorder: what the hook's program gets -------------------------------------------- */

/* Writes what this process got to record (next to the symlink it was run as): argc, argv,
 * environ, stdin, open descriptors, process group, signal mask and dispositions. */
static int record(int argc, char **argv)
{
    char path[PATH_MAX], link[PATH_MAX];
    snprintf(path, sizeof path, "%s", argv[0]);
    char *slash = strrchr(path, '/');
    if (!slash)
        return 2;
    snprintf(slash, sizeof path - (size_t)(slash - path), "/record");
    FILE *f = fopen(path, "we");
    if (!f)
        return 2;
    fprintf(f, "argc %d\n", argc);
    for (int i = 0; i < argc; i++)
        fprintf(f, "argv %s\n", argv[i]);
    for (char **e = environ; *e; e++)
        fprintf(f, "env %s\n", *e);
    ssize_t n = readlink("/proc/self/fd/0", link, sizeof link - 1);
    fprintf(f, "stdin %.*s\n", n > 0 ? (int)n : 0, link);
    DIR *d = opendir("/proc/self/fd");
    fprintf(f, "fds");
    for (struct dirent *de; d && (de = readdir(d));) {
        int fd = atoi(de->d_name);
        if (de->d_name[0] != '.' && fd != dirfd(d) && fd != fileno(f))
            fprintf(f, " %d", fd);
    }
    if (d)
        closedir(d);
    fprintf(f, "\npgrp_is_pid %d\n", getpgrp() == getpid());
    sigset_t mask;
    sigprocmask(SIG_BLOCK, NULL, &mask);
    fprintf(f, "usr1_blocked %d\n", sigismember(&mask, SIGUSR1));
    struct sigaction sa;
    sigaction(SIGPIPE, NULL, &sa);
    fprintf(f, "pipe_default %d\n", sa.sa_handler == SIG_DFL);
    fclose(f);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_env_and_argv(void)
{
    char self[PATH_MAX], rec[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    ASSERT_TRUE(n > 0);
    self[n > 0 ? n : 0] = '\0';
    snprintf(rec, sizeof rec, "%s/recorder", dir);
    ASSERT_EQ_INT(symlink(self, rec), 0);

    /* What must not reach it: a secret in our environment, a descriptor without
     * close-on-exec, a blocked signal, an ignored one. */
    setenv("FLOWTALLY_SMTP_PASSWORD", "hunter2", 1);
    int fd = open("/dev/null", O_RDONLY); /* no O_CLOEXEC, on purpose */
    ASSERT_EQ_INT(dup2(fd, 50), 50);
    sigset_t usr1, old;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    void (*old_pipe)(int) = signal(SIGPIPE, SIG_IGN);

    struct hook_run h = over(rec);
    char errbuf[ERR_BUF_LEN];
    int rc = hook_run(&h, errbuf);

    signal(SIGPIPE, old_pipe);
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(50);
    close(fd);
    unsetenv("FLOWTALLY_SMTP_PASSWORD");
    ASSERT_EQ_INT(rc, 0);
    if (rc)
        printf("#   %s\n", errbuf);

    char got[8192];
    read_file("record", got, sizeof got);
    /* The environment in any order: sort it. */
    char *env[16];
    size_t n_env = 0;
    char rest[8192] = "";
    for (char *line = strtok(got, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "env ", 4) == 0 && n_env < 16)
            env[n_env++] = line + 4;
        else
            snprintf(rest + strlen(rest), sizeof rest - strlen(rest), "%s\n", line);
    }
    qsort(env, n_env, sizeof env[0], cmp_str);
    char joined[4096] = "";
    for (size_t i = 0; i < n_env; i++)
        snprintf(joined + strlen(joined), sizeof joined - strlen(joined), "%s\n", env[i]);
    ASSERT_STREQ(joined, "FLOWTALLY_ACCOUNT=alice\n"
                         "FLOWTALLY_ADDRESSES=10.0.0.1/32 2001:db8::/56\n"
                         "FLOWTALLY_STATE=over\n"
                         "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n");
    char want[8192];
    snprintf(want, sizeof want,
             "argc 1\nargv %s\nstdin /dev/null\nfds 0 1 2\npgrp_is_pid 1\n"
             "usr1_blocked 0\npipe_default 1\n",
             rec);
    ASSERT_STREQ(rest, want);
}

/* ---- outcomes -------------------------------------------------------------------------------- */

static void test_success_line(void)
{
    const char *p = script("ok.sh", "echo \"$FLOWTALLY_STATE: $FLOWTALLY_ACCOUNT\"\n"
                                    "echo second line\necho warning >&2\n");
    struct hook_run h = over(p);
    char errbuf[ERR_BUF_LEN];
    ASSERT_EQ_INT(hook_run(&h, errbuf), 0);
    ASSERT_STREQ(errbuf, "over: alice");
}

static void test_exit_status(void)
{
    const char *p = script("fail.sh", "echo on stdout\n"
                                      "printf 'nft: no such table\\r\\nmore\\n' >&2\nexit 3\n");
    struct hook_run h = over(p);
    char errbuf[ERR_BUF_LEN], want[ERR_BUF_LEN];
    ASSERT_EQ_INT(hook_run(&h, errbuf), -ECANCELED);
    snprintf(want, sizeof want, "%s: exit status 3: nft: no such table", p);
    ASSERT_STREQ(errbuf, want);

    /* Nothing on stderr: stdout's first line; nothing at all: the status alone. */
    p = script("fail2.sh", "printf 'only \\033[31mstdout\\n'\nexit 1\n");
    h = over(p);
    ASSERT_EQ_INT(hook_run(&h, errbuf), -ECANCELED);
    snprintf(want, sizeof want, "%s: exit status 1: only ?[31mstdout", p);
    ASSERT_STREQ(errbuf, want);
    p = script("fail3.sh", "exit 42\n");
    h = over(p);
    ASSERT_EQ_INT(hook_run(&h, errbuf), -ECANCELED);
    snprintf(want, sizeof want, "%s: exit status 42", p);
    ASSERT_STREQ(errbuf, want);
}

static void test_killed_by_signal(void)
{
    const char *p = script("term.sh", "echo going >&2\nkill -TERM $$\nsleep 5\n");
    struct hook_run h = over(p);
    char errbuf[ERR_BUF_LEN], want[ERR_BUF_LEN];
    ASSERT_EQ_INT(hook_run(&h, errbuf), -ECANCELED);
    snprintf(want, sizeof want, "%s: killed by signal %d: going", p, SIGTERM);
    ASSERT_STREQ(errbuf, want);
}

/* Waits up to 5 s for our child pid (an orphan handed to us as subreaper); returns its
 * wait status, or -1. */
static int reap_orphan(pid_t pid)
{
    for (uint64_t end = now_ms() + 5000; now_ms() < end;) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0)
            return -1;
        usleep(10000);
    }
    return -1;
}

static void test_timeout_kills_group(void)
{
    /* The hook starts a grandchild and sleeps; both must die after the timeout. As a
     * subreaper this process inherits the orphaned grandchild and can see how it ended (the
     * exec keeps the shell from reaping it first: a sleep waits for no child). */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    const char *p = script("slow.sh", "sleep 30 &\necho $! >@/slow.pid\n"
                                      "echo sleeping >&2\nexec sleep 30\n");
    struct hook_run h = over(p);
    h.timeout_s = 1;
    char errbuf[ERR_BUF_LEN], want[ERR_BUF_LEN], pidtext[32];
    uint64_t t0 = now_ms();
    ASSERT_EQ_INT(hook_run(&h, errbuf), -ETIMEDOUT);
    uint64_t took = now_ms() - t0;
    ASSERT_TRUE(took >= 1000 && took < 4000);
    snprintf(want, sizeof want, "%s: timed out after 1 s: sleeping", p);
    ASSERT_STREQ(errbuf, want);
    pid_t gc = read_file("slow.pid", pidtext, sizeof pidtext) ? atoi(pidtext) : 0;
    ASSERT_TRUE(gc > 0);
    if (gc > 0) {
        int status = reap_orphan(gc);
        if (status == -1 || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
            TEST_FAIL("the grandchild: wait status %d, expected killed by SIGKILL", status);
    }
    prctl(PR_SET_CHILD_SUBREAPER, 0);
}

static void test_leftovers_killed(void)
{
    /* It exits at once but leaves a child holding its stdout: hook_run() returns at once
     * (not at the timeout) and the leftover is killed. */
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    const char *p = script("bg.sh", "sleep 30 &\necho $! >@/bg.pid\necho started\n");
    struct hook_run h = over(p);
    char errbuf[ERR_BUF_LEN], pidtext[32];
    uint64_t t0 = now_ms();
    ASSERT_EQ_INT(hook_run(&h, errbuf), 0);
    ASSERT_TRUE(now_ms() - t0 < 3000);
    ASSERT_STREQ(errbuf, "started");
    pid_t gc = read_file("bg.pid", pidtext, sizeof pidtext) ? atoi(pidtext) : 0;
    ASSERT_TRUE(gc > 0);
    if (gc > 0) {
        int status = reap_orphan(gc);
        if (status == -1 || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
            TEST_FAIL("the leftover: wait status %d, expected killed by SIGKILL", status);
    }
    prctl(PR_SET_CHILD_SUBREAPER, 0);
}

static void test_cannot_run(void)
{
    char errbuf[ERR_BUF_LEN], want[ERR_BUF_LEN];
    struct hook_run h = over("/nonexistent-flowtally/hook");
    ASSERT_EQ_INT(hook_run(&h, errbuf), -ENOENT);
    ASSERT_STREQ(errbuf, "/nonexistent-flowtally/hook: not found");

    char body[256];
    snprintf(body, sizeof body, "#!/bin/sh\ntouch %s/ran\n", dir);
    const char *p = write_file("plain.sh", body, 0644);
    h = over(p);
    ASSERT_EQ_INT(hook_run(&h, errbuf), -EACCES);
    snprintf(want, sizeof want, "%s: not executable", p);
    ASSERT_STREQ(errbuf, want);

    /* No #!: execve() says ENOEXEC, and nothing tries it with /bin/sh instead. */
    snprintf(body, sizeof body, "touch %s/ran\n", dir);
    p = write_file("noshebang", body, 0755);
    h = over(p);
    ASSERT_EQ_INT(hook_run(&h, errbuf), -ENOEXEC);
    snprintf(want, sizeof want, "%s: not an executable format", p);
    ASSERT_STREQ(errbuf, want);

    h = over(dir); /* a directory */
    ASSERT_EQ_INT(hook_run(&h, errbuf), -EACCES);
    ASSERT_TRUE(!exists("ran"));
}

static void test_refused(void)
{
    const char *p = script("marker.sh", "touch @/marker\n");
    char errbuf[ERR_BUF_LEN];
    struct hook_run cases[8];
    for (int i = 0; i < 8; i++)
        cases[i] = over(p);
    cases[0].account = "a;rm -rf /";
    cases[1].account = "$(id)";
    cases[2].account = "";
    cases[3].addresses = "10.0.0.1; nft flush ruleset";
    cases[4].addresses = "10.0.0.1\n10.0.0.2";
    cases[5].state = "over;id";
    cases[6].command = "marker.sh"; /* relative: a search of PATH, or of the cwd */
    cases[7].timeout_s = 0;
    for (int i = 0; i < 8; i++) {
        errbuf[0] = 'x';
        ASSERT_EQ_INT(hook_run(&cases[i], errbuf), -EINVAL);
        ASSERT_TRUE(strlen(errbuf) > 0 && errbuf[0] != 'x');
    }
    ASSERT_TRUE(!strstr(errbuf, "rm -rf"));
    ASSERT_TRUE(!exists("marker"));
    /* and the same hook with good text runs */
    struct hook_run h = over(p);
    h.addresses = "";
    ASSERT_EQ_INT(hook_run(&h, errbuf), 0);
    ASSERT_TRUE(exists("marker"));
}

static void test_text_ok(void)
{
    static const struct {
        const char *text;
        int ok;
    } cases[] = {
        {"alice", 1},       {"", 1},
        {"cust-0042", 1},   {"a.b_c@example.net", 1},
        {"Smith, John", 1}, {"10.0.0.1/32 2001:db8::/56 192.0.2.7", 1},
        {"a;rm -rf /", 0},  {"$(id)", 0},
        {"`id`", 0},        {"a|b", 0},
        {"a&b", 0},         {"a>b", 0},
        {"a'b", 0},         {"a\"b", 0},
        {"a\\b", 0},        {"a*", 0},
        {"a\nb", 0},        {"a\tb", 0},
        {"caf\xc3\xa9", 0}, {"-rf", 0},
        {"alice --all", 0}, {"a-b c-d", 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (hook_text_ok(cases[i].text) != cases[i].ok)
            TEST_FAIL("hook_text_ok(\"%s\") != %d", cases[i].text, cases[i].ok);
    static char longest[HOOK_TEXT_MAX + 2];
    memset(longest, 'a', HOOK_TEXT_MAX);
    ASSERT_EQ_INT(hook_text_ok(longest), 1);
    longest[HOOK_TEXT_MAX] = 'a';
    ASSERT_EQ_INT(hook_text_ok(longest), 0);
}

static void test_much_output(void)
{
    /* 1 MiB on each pipe (a pipe holds 64 KiB): it must not block, and the message still
     * starts with the first line. */
    const char *p = script("loud.sh", "echo first >&2\n"
                                      "head -c 1048576 /dev/zero\n"
                                      "head -c 1048576 /dev/zero >&2\n"
                                      "echo done\nexit 5\n");
    struct hook_run h = over(p);
    char errbuf[ERR_BUF_LEN], want[ERR_BUF_LEN];
    uint64_t t0 = now_ms();
    ASSERT_EQ_INT(hook_run(&h, errbuf), -ECANCELED);
    ASSERT_TRUE(now_ms() - t0 < 8000);
    snprintf(want, sizeof want, "%s: exit status 5: first", p);
    ASSERT_STREQ(errbuf, want);

    /* One endless line: the message is cut, still one line, still naming the status. */
    p = script("line.sh", "head -c 100000 /dev/zero | tr '\\0' x >&2\nexit 6\n");
    h = over(p);
    ASSERT_EQ_INT(hook_run(&h, errbuf), -ECANCELED);
    snprintf(want, sizeof want, "%s: exit status 6: xxxx", p);
    ASSERT_TRUE(strncmp(errbuf, want, strlen(want)) == 0);
    ASSERT_TRUE(strlen(errbuf) < ERR_BUF_LEN && !strchr(errbuf, '\n'));
}

static int n_alarms;
static void on_alarm(int sig)
{
    (void)sig;
    n_alarms++;
}

static void test_eintr(void)
{
    /* A signal every 5 ms, without SA_RESTART, while the hook runs for 300 ms: every
     * interrupted call is restarted, and the outcome is the hook's. */
    struct sigaction sa = {.sa_handler = on_alarm}, old;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, &old);
    struct itimerval every = {{0, 5000}, {0, 5000}}, off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &every, NULL);
    const char *p = script("nap.sh", "sleep 0.3\necho rested\nexit 7\n");
    struct hook_run h = over(p);
    char errbuf[ERR_BUF_LEN], want[ERR_BUF_LEN];
    int rc = hook_run(&h, errbuf);
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old, NULL);
    ASSERT_EQ_INT(rc, -ECANCELED);
    snprintf(want, sizeof want, "%s: exit status 7: rested", p);
    ASSERT_STREQ(errbuf, want);
    ASSERT_TRUE(n_alarms > 10);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

/* test_hook run COMMAND STATE ACCOUNT ADDRESSES [TIMEOUT_S] */
static int run_one(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: test_hook run COMMAND STATE ACCOUNT ADDRESSES [TIMEOUT_S]\n");
        return 2;
    }
    struct hook_run h = {.command = argv[2],
                         .state = argv[3],
                         .account = argv[4],
                         .addresses = argv[5],
                         .timeout_s = argc > 6 ? atoi(argv[6]) : 10};
    char errbuf[ERR_BUF_LEN];
    int rc = hook_run(&h, errbuf);
    printf("%d %s\n", rc, errbuf);
    return rc == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    const char *base = strrchr(argv[0], '/');
    if (strcmp(base ? base + 1 : argv[0], "recorder") == 0)
        return record(argc, argv);
    if (argc > 1 && strcmp(argv[1], "run") == 0)
        return run_one(argc, argv);

    snprintf(dir, sizeof dir, "/tmp/flowtally-hook.XXXXXX");
    if (!mkdtemp(dir)) {
        printf("Bail out! mkdtemp: %s\n", strerror(errno));
        return 1;
    }
    RUN(test_text_ok);
    RUN(test_env_and_argv);
    RUN(test_success_line);
    RUN(test_exit_status);
    RUN(test_killed_by_signal);
    RUN(test_timeout_kills_group);
    RUN(test_leftovers_killed);
    RUN(test_cannot_run);
    RUN(test_refused);
    RUN(test_much_output);
    RUN(test_eintr);
    nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
    return test_done();
}
