// SPDX-License-Identifier: MIT
// The enforcement hook: posix_spawn() of an absolute path with a made-up environment, its
// output read through two pipes while a poll() loop waits for its exit (a pidfd) or its
// deadline. The child is a process-group leader, so a timeout kills whatever it started; the
// group is killed while the leader is still unreaped (a zombie at worst), so its id cannot
// have been reused by then.
#include "hook.h"

#include "../base/err.h"
#include "../base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HOOK_PATH "PATH=/usr/sbin:/usr/bin:/sbin:/bin"
#define HOOK_OUT_MAX 4096 /* bytes kept of each of stdout and stderr */
#define HOOK_TICK_MS 20   /* how often to look for the exit when there is no pidfd */
#define HOOK_READS 16     /* reads of one pipe per wakeup, so a flood cannot starve the rest */

/* One of the child's output pipes, as we read it. */
struct hook_out {
    int fd; /* our read end; -1 once closed (at EOF) */
    size_t len;
    char buf[HOOK_OUT_MAX];
};

int hook_text_ok(const char *text)
{
    size_t n = 0;
    for (const char *p = text; *p; p++, n++) {
        unsigned char c = (unsigned char)*p;
        bool word_start = p == text || p[-1] == ' ';
        if (n >= HOOK_TEXT_MAX)
            return 0;
        if (c == '-' && word_start)
            return 0;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr(" ._-:/@+,", c)))
            return 0;
    }
    return 1;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Reads what o's pipe holds now (it is non-blocking): keeps the first HOOK_OUT_MAX bytes,
 * drops the rest, closes it at EOF or on an error. */
static void out_read(struct hook_out *o)
{
    char tmp[4096];
    for (int i = 0; o->fd >= 0 && i < HOOK_READS; i++) {
        ssize_t n = read(o->fd, tmp, sizeof tmp);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (n <= 0) {
            close(o->fd);
            o->fd = -1;
            return;
        }
        size_t keep = HOOK_OUT_MAX - o->len;
        if (keep > (size_t)n)
            keep = (size_t)n;
        memcpy(o->buf + o->len, tmp, keep);
        o->len += keep;
    }
}

/* The first line of o's output (without its \n or \r\n), at most size - 1 bytes, with
 * control characters and non-ASCII bytes as '?'. */
static void out_line(const struct hook_out *o, char *line, size_t size)
{
    const char *nl = memchr(o->buf, '\n', o->len);
    size_t end = nl ? (size_t)(nl - o->buf) : o->len, n = 0;
    if (end > 0 && o->buf[end - 1] == '\r')
        end--;
    for (size_t i = 0; i < end && n + 1 < size; i++) {
        unsigned char c = (unsigned char)o->buf[i];
        line[n++] = c >= 0x20 && c < 0x7f ? (char)c : '?';
    }
    line[n] = '\0';
}

/* Whether the child has exited, without reaping it (so its process group id stays ours). */
static bool child_exited(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    while (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0) {
        if (errno != EINTR)
            return true; /* ECHILD: someone else reaped it; waitpid() will say */
    }
    return si.si_pid != 0;
}

static int check(const struct hook_run *h, char *errbuf)
{
    const char *cmd = h->command ? h->command : "";
    const char *why = NULL;
    if (cmd[0] != '/')
        why = "the command is not an absolute path";
    else if (!h->state || (strcmp(h->state, "over") != 0 && strcmp(h->state, "under") != 0))
        why = "the state is neither over nor under";
    else if (!h->account || !h->account[0] || !hook_text_ok(h->account))
        why = "account refused (empty, too long, or characters other than letters, digits, "
              "spaces and . _ - : / @ + ,)";
    else if (!h->addresses || !hook_text_ok(h->addresses))
        why = "addresses refused (too long, or characters other than hex digits . : / and "
              "spaces)";
    else if (h->timeout_s <= 0)
        why = "the timeout is not positive";
    if (!why)
        return 0;
    snprintf(errbuf, ERR_BUF_LEN, "%s: %s", cmd, why);
    return -EINVAL;
}

/* Starts the child with its stdout and stderr on the write ends of the two pipes. */
static int spawn(const struct hook_run *h, const int out[2], const int err[2], pid_t *pid)
{
    char *env[5] = {HOOK_PATH, NULL, NULL, NULL, NULL};
    const char *names[3] = {"FLOWTALLY_ACCOUNT=", "FLOWTALLY_STATE=", "FLOWTALLY_ADDRESSES="};
    const char *values[3] = {h->account, h->state, h->addresses};
    for (int i = 0; i < 3; i++) {
        size_t a = strlen(names[i]), b = strlen(values[i]);
        env[i + 1] = xmalloc(a + b + 1);
        memcpy(env[i + 1], names[i], a);
        memcpy(env[i + 1] + a, values[i], b + 1);
    }
    char *argv[2] = {(char *)h->command, NULL};

    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    int rc = posix_spawn_file_actions_init(&fa);
    if (rc != 0)
        goto out_env;
    rc = posix_spawnattr_init(&at);
    if (rc != 0)
        goto out_fa;
    if ((rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) != 0 ||
        (rc = posix_spawn_file_actions_adddup2(&fa, out[1], 1)) != 0 ||
        (rc = posix_spawn_file_actions_adddup2(&fa, err[1], 2)) != 0 ||
        (rc = posix_spawn_file_actions_addclosefrom_np(&fa, 3)) != 0 ||
        (rc = posix_spawnattr_setpgroup(&at, 0)) != 0 ||
        (rc = posix_spawnattr_setsigmask(&at, &none)) != 0 ||
        (rc = posix_spawnattr_setsigdefault(&at, &all)) != 0 ||
        (rc = posix_spawnattr_setflags(&at, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
                                                POSIX_SPAWN_SETSIGDEF)) != 0)
        goto out_at;
    /* glibc reports a failed execve() here (vfork semantics), and never retries through
     * /bin/sh on ENOEXEC. */
    rc = posix_spawn(pid, h->command, &fa, &at, argv, env);
out_at:
    posix_spawnattr_destroy(&at);
out_fa:
    posix_spawn_file_actions_destroy(&fa);
out_env:
    for (int i = 1; i < 4; i++)
        free(env[i]);
    return -rc;
}

/* Reads the child's output until it exits or the deadline passes, then kills its process
 * group (a timeout, or what it left behind), reaps it and reads what is left. Returns 0 with
 * waitpid()'s *status, -ETIMEDOUT, or -errno when it could not be reaped. */
static int wait_child(pid_t pid, struct hook_out out[2], int timeout_s, int *status)
{
    int pidfd = pidfd_open(pid, 0); /* -1 on old kernels: then poll in ticks */
    uint64_t deadline = now_ms() + (uint64_t)timeout_s * 1000;
    bool timed_out = false;
    while (!child_exited(pid)) {
        uint64_t now = now_ms();
        if (now >= deadline) {
            timed_out = true;
            break;
        }
        uint64_t left = deadline - now, most = pidfd < 0 ? HOOK_TICK_MS : 60000;
        if (left > most)
            left = most;
        struct pollfd p[3];
        nfds_t n = 0;
        for (int i = 0; i < 2; i++)
            if (out[i].fd >= 0)
                p[n++] = (struct pollfd){.fd = out[i].fd, .events = POLLIN};
        if (pidfd >= 0)
            p[n++] = (struct pollfd){.fd = pidfd, .events = POLLIN};
        if (poll(p, n, (int)left) < 0 && errno != EINTR)
            nanosleep(&(struct timespec){0, HOOK_TICK_MS * 1000000L}, NULL); /* ENOMEM */
        for (int i = 0; i < 2; i++)
            out_read(&out[i]);
    }
    kill(-pid, SIGKILL);
    int rc = timed_out ? -ETIMEDOUT : 0;
    while (waitpid(pid, status, 0) < 0) {
        if (errno != EINTR) {
            rc = -errno;
            break;
        }
    }
    for (int i = 0; i < 2; i++)
        out_read(&out[i]);
    if (pidfd >= 0)
        close(pidfd);
    return rc;
}

int hook_run(const struct hook_run *h, char *errbuf)
{
    errbuf[0] = '\0';
    int rc = check(h, errbuf);
    if (rc < 0)
        return rc;

    struct hook_out *out = xcalloc(2, sizeof *out);
    out[0].fd = out[1].fd = -1;
    int pipes[2][2] = {{-1, -1}, {-1, -1}};
    for (int i = 0; i < 2; i++) {
        if (pipe2(pipes[i], O_CLOEXEC) < 0 || fcntl(pipes[i][0], F_SETFL, O_NONBLOCK) < 0) {
            rc = -errno;
            snprintf(errbuf, ERR_BUF_LEN, "%s: cannot make a pipe: %s", h->command,
                     strerror(errno));
            goto out;
        }
    }
    pid_t pid;
    rc = spawn(h, pipes[0], pipes[1], &pid);
    for (int i = 0; i < 2; i++) {
        close(pipes[i][1]);
        pipes[i][1] = -1;
        out[i].fd = pipes[i][0];
        pipes[i][0] = -1;
    }
    if (rc < 0) {
        const char *why = rc == -ENOENT    ? "not found"
                          : rc == -EACCES  ? "not executable"
                          : rc == -ENOEXEC ? "not an executable format"
                                           : strerror(-rc);
        snprintf(errbuf, ERR_BUF_LEN, "%s: %s", h->command, why);
        goto out;
    }

    int status = 0;
    rc = wait_child(pid, out, h->timeout_s, &status);
    char line[512];
    out_line(&out[1], line, sizeof line);
    if (!line[0])
        out_line(&out[0], line, sizeof line);
    const char *sep = line[0] ? ": " : "";
    if (rc == -ETIMEDOUT) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: timed out after %d s%s%s", h->command, h->timeout_s, sep,
                 line);
    } else if (rc < 0) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: cannot wait for it: %s", h->command, strerror(-rc));
    } else if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        out_line(&out[0], errbuf, ERR_BUF_LEN);
    } else if (WIFEXITED(status)) {
        rc = -ECANCELED;
        snprintf(errbuf, ERR_BUF_LEN, "%s: exit status %d%s%s", h->command, WEXITSTATUS(status),
                 sep, line);
    } else {
        rc = -ECANCELED;
        snprintf(errbuf, ERR_BUF_LEN, "%s: killed by signal %d%s%s", h->command,
                 WIFSIGNALED(status) ? WTERMSIG(status) : 0, sep, line);
    }
out:
    for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 2; j++)
            if (pipes[i][j] >= 0)
                close(pipes[i][j]);
        if (out[i].fd >= 0)
            close(out[i].fd);
    }
    free(out);
    return rc;
}
