// SPDX-License-Identifier: MIT
// Tests of the sd_notify client: each message arrives as one datagram, byte for byte, on a
// socket this test binds at a path and at an abstract name; the watchdog pings at half of
// WATCHDOG_USEC (time is a parameter) and only for the process WATCHDOG_PID names; bad
// variables are refused with the variable named; the variables leave the environment.
#include "../../../src/base/err.h"
#include "../../../src/daemon/notify.h"
#include "test.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

/* A datagram socket bound at `name` (a path, or @ and an abstract name), like systemd's. */
static int listen_at(const char *name)
{
    struct sockaddr_un a = {.sun_family = AF_UNIX};
    size_t len = strlen(name);
    memcpy(a.sun_path, name, len);
    socklen_t alen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
    if (name[0] == '@') {
        a.sun_path[0] = '\0';
        alen--;
    }
    int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, alen) != 0) {
        perror(name);
        exit(1);
    }
    return fd;
}

/* The next datagram waiting on fd, or "" when none is. */
static const char *next_msg(int fd)
{
    static char buf[256];
    ssize_t n = recv(fd, buf, sizeof buf - 1, MSG_DONTWAIT);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static void set_env(const char *sock, const char *usec, const char *pid)
{
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
    if (sock)
        setenv("NOTIFY_SOCKET", sock, 1);
    if (usec)
        setenv("WATCHDOG_USEC", usec, 1);
    if (pid)
        setenv("WATCHDOG_PID", pid, 1);
}

static void check_messages(const char *name)
{
    int fd = listen_at(name);
    struct notify n;
    char errbuf[ERR_BUF_LEN] = "";
    set_env(name, NULL, NULL);
    ASSERT_EQ_INT(notify_open(&n, 0, errbuf), 0);
    ASSERT_STREQ(errbuf, "");
    ASSERT_TRUE(getenv("NOTIFY_SOCKET") == NULL);
    ASSERT_EQ_INT(notify_ready(&n), 0);
    ASSERT_STREQ(next_msg(fd), "READY=1");
    ASSERT_EQ_INT(notify_reloading(&n, 1234567890123), 0);
    ASSERT_STREQ(next_msg(fd), "RELOADING=1\nMONOTONIC_USEC=1234567890123");
    ASSERT_EQ_INT(notify_stopping(&n), 0);
    ASSERT_STREQ(next_msg(fd), "STOPPING=1");
    ASSERT_EQ_U64(notify_watchdog(&n, 5000), UINT64_MAX); /* none asked for */
    ASSERT_STREQ(next_msg(fd), "");
    notify_close(&n);
    ASSERT_EQ_INT(notify_ready(&n), 0); /* closed: nothing sent, nothing fails */
    ASSERT_STREQ(next_msg(fd), "");
    close(fd);
}

static void test_path_socket(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/notify", dir);
    check_messages(path);
    unlink(path);
}

static void test_abstract_socket(void)
{
    char name[64];
    snprintf(name, sizeof name, "@flowtally-test-notify-%ld", (long)getpid());
    check_messages(name);
}

static void test_watchdog(void)
{
    char path[128], pid[32], other[32];
    snprintf(path, sizeof path, "%s/dog", dir);
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    snprintf(other, sizeof other, "%ld", (long)getpid() + 1);
    int fd = listen_at(path);
    struct notify n;
    char errbuf[ERR_BUF_LEN];
    /* WatchdogSec=4: a ping at once, then every 2 s of the caller's clock */
    set_env(path, "4000000", pid);
    ASSERT_EQ_INT(notify_open(&n, 1000, errbuf), 0);
    ASSERT_TRUE(getenv("WATCHDOG_USEC") == NULL && getenv("WATCHDOG_PID") == NULL);
    ASSERT_EQ_U64(notify_watchdog(&n, 1000), 2000);
    ASSERT_STREQ(next_msg(fd), "WATCHDOG=1");
    ASSERT_EQ_U64(notify_watchdog(&n, 2500), 500);
    ASSERT_STREQ(next_msg(fd), "");
    ASSERT_EQ_U64(notify_watchdog(&n, 3000), 2000);
    ASSERT_STREQ(next_msg(fd), "WATCHDOG=1");
    ASSERT_EQ_U64(notify_watchdog(&n, 5100), 2000); /* late: the next counts from now */
    ASSERT_STREQ(next_msg(fd), "WATCHDOG=1");
    notify_close(&n);
    /* without WATCHDOG_PID the watchdog is ours; 1 us still pings every millisecond */
    set_env(path, "1", NULL);
    ASSERT_EQ_INT(notify_open(&n, 0, errbuf), 0);
    ASSERT_EQ_U64(notify_watchdog(&n, 0), 1);
    ASSERT_STREQ(next_msg(fd), "WATCHDOG=1");
    notify_close(&n);
    /* another process's watchdog, or one without a socket to ping: none */
    set_env(path, "4000000", other);
    ASSERT_EQ_INT(notify_open(&n, 0, errbuf), 0);
    ASSERT_EQ_U64(notify_watchdog(&n, 0), UINT64_MAX);
    notify_close(&n);
    set_env(NULL, "4000000", NULL);
    ASSERT_EQ_INT(notify_open(&n, 0, errbuf), 0);
    ASSERT_EQ_INT(n.fd, -1);
    ASSERT_EQ_U64(notify_watchdog(&n, 0), UINT64_MAX);
    ASSERT_STREQ(next_msg(fd), "");
    close(fd);
    unlink(path);
}

static void test_refused(void)
{
    static const struct {
        const char *sock, *usec, *pid, *want;
    } rows[] = {
        {"run/notify", NULL, NULL,
         "NOTIFY_SOCKET=run/notify: expected an absolute path or @ and an abstract socket name"},
        {"@", NULL, NULL,
         "NOTIFY_SOCKET=@: expected an absolute path or @ and an abstract socket name"},
        {"/run/notify", "soon", NULL, "WATCHDOG_USEC=soon: expected microseconds, 1 or more"},
        {"/run/notify", "0", NULL, "WATCHDOG_USEC=0: expected microseconds, 1 or more"},
        {"/run/notify", "99999999999999999999", NULL,
         "WATCHDOG_USEC=99999999999999999999: expected microseconds, 1 or more"},
        {"/run/notify", "1000000", "-1", "WATCHDOG_PID=-1: expected a process id"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct notify n;
        char errbuf[ERR_BUF_LEN] = "";
        set_env(rows[i].sock, rows[i].usec, rows[i].pid);
        ASSERT_EQ_INT(notify_open(&n, 0, errbuf), ERR_CONFIG);
        ASSERT_STREQ(errbuf, rows[i].want);
        ASSERT_EQ_INT(n.fd, -1);
        ASSERT_TRUE(getenv("NOTIFY_SOCKET") == NULL);
    }
    /* 108 bytes do not fit a path with its NUL; as an abstract name they do */
    char long_name[110];
    memset(long_name, 'x', 108);
    long_name[108] = '\0';
    long_name[0] = '/';
    struct notify n;
    char errbuf[ERR_BUF_LEN];
    set_env(long_name, NULL, NULL);
    ASSERT_EQ_INT(notify_open(&n, 0, errbuf), ERR_CONFIG);
    ASSERT_TRUE(strstr(errbuf, "longer than the 107 bytes a socket address holds") != NULL);
    long_name[0] = '@';
    set_env(long_name, NULL, NULL);
    ASSERT_EQ_INT(notify_open(&n, 0, errbuf), 0);
    notify_close(&n);
}

static void test_nobody_listens(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/gone", dir);
    struct notify n;
    char errbuf[ERR_BUF_LEN];
    set_env(path, NULL, NULL);
    ASSERT_EQ_INT(notify_open(&n, 0, errbuf), 0);
    ASSERT_EQ_INT(notify_ready(&n), -ENOENT); /* said, not fatal */
    notify_close(&n);
    set_env(NULL, NULL, NULL);
    ASSERT_EQ_INT(notify_open(&n, 0, errbuf), 0);
    ASSERT_EQ_INT(n.fd, -1);
    ASSERT_EQ_INT(notify_ready(&n), 0); /* outside systemd: nothing to do */
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/ft-notify.XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    if (!freopen("/dev/null", "w", stderr)) /* the warning of test_nobody_listens */
        return 1;
    RUN(test_path_socket);
    RUN(test_abstract_socket);
    RUN(test_watchdog);
    RUN(test_refused);
    RUN(test_nobody_listens);
    rmdir(dir);
    return test_done();
}
