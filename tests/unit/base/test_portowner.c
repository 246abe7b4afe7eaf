// SPDX-License-Identifier: MIT
// Tests of reading /proc/net/{udp,tcp}{,6} lines (formats from proc_net_udp(7) and the
// kernel's proc_net_tcp.rst, copied from a Debian 12 host), and of finding the holder of
// a port this process binds itself.
#include "../../../src/base/portowner.h"
#include "test.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void test_parse_line(void)
{
    static const struct {
        const char *line;
        bool is_tcp;
        uint16_t port;
        bool want;
        uint64_t inode;
    } cases[] = {
        /* a UDP socket bound to 127.0.0.1:2055 (0x0807), state 07 */
        {"  961: 0100007F:0807 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000 "
         "       0 4242 2 0000000000000000 0",
         false, 2055, true, 4242},
        {"  961: 0100007F:0807 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000 "
         "       0 4242 2 0000000000000000 0",
         false, 2056, false, 0}, /* another port */
        /* IPv6 [::]:6343 (0x18C7) */
        {"  100: 00000000000000000000000000000000:18C7 00000000000000000000000000000000:0000 07 "
         "00000000:00000000 00:00000000 00000000     0        0 99 2 0000000000000000 0",
         false, 6343, true, 99},
        /* TCP listening on 8080 (0x1F90), state 0A */
        {"   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000 "
         "       0 31337 1 0000000000000000 100 0 0 10 0",
         true, 8080, true, 31337},
        /* a TCP connection from port 8080, not listening (01 ESTABLISHED) */
        {"   1: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000 "
         "       0 31338 1 0000000000000000 20 4 30 10 -1",
         true, 8080, false, 0},
        /* a UDP line taken for TCP: state 07 is no listener */
        {"  961: 0100007F:0807 00000000:0000 07 00000000:00000000 00:00000000 00000000  1000 "
         "       0 4242 2 0000000000000000 0",
         true, 2055, false, 0},
        /* the heading, and lines cut short */
        {"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  "
         "timeout inode ref pointer drops",
         false, 2055, false, 0},
        {"  961: 0100007F:0807 00000000:0000 07", false, 2055, false, 0},
        {"", false, 0, false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint64_t inode = 0;
        bool got = portowner_parse_line(cases[i].line, cases[i].is_tcp, cases[i].port, &inode);
        if (got != cases[i].want || (got && inode != cases[i].inode))
            TEST_FAIL("case %zu: %d inode %llu, expected %d inode %llu", i, got,
                      (unsigned long long)inode, cases[i].want, (unsigned long long)cases[i].inode);
    }
}

/* A port this process holds is found by the scan of /proc, which skips this process (the
 * daemon asks about a port someone else holds): so the holder is a child that inherits it. */
static void test_find_child(void)
{
    int fd = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ASSERT_EQ_INT(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
    socklen_t len = sizeof sin;
    getsockname(fd, (struct sockaddr *)&sin, &len);
    uint16_t port = ntohs(sin.sin_port);
    int pipefd[2];
    ASSERT_EQ_INT(pipe(pipefd), 0);
    pid_t child = fork();
    if (child == 0) { /* holds the socket until the parent closes the pipe */
        char c;
        close(pipefd[1]);
        ssize_t n = read(pipefd[0], &c, 1);
        _exit(n < 0);
    }
    close(pipefd[0]);
    close(fd); /* the child holds it alone now */
    int pid = 0;
    char name[32] = "";
    bool found = portowner_find(false, port, &pid, name, sizeof name);
    close(pipefd[1]);
    int status;
    waitpid(child, &status, 0);
    ASSERT_TRUE(found);
    ASSERT_EQ_INT(pid, child);
    ASSERT_STREQ(name, "test_portowner");
    ASSERT_TRUE(!portowner_find(true, port, &pid, name, sizeof name)); /* no TCP listener */
}

int main(void)
{
    RUN(test_parse_line);
    RUN(test_find_child);
    return test_done();
}
