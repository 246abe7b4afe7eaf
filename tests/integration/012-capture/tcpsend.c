// SPDX-License-Identifier: MIT
// The live capture test's traffic: a TCP server and client moving a known number of bytes
// each way, and a single UDP datagram. Built by run.sh with the system compiler, so the test
// needs neither socat nor nc. Usage:
//   tcpsend serve ADDR PORT REPLY_BYTES  listen; print "ready"; read to EOF; send REPLY_BYTES
//   tcpsend send ADDR PORT BYTES         connect; send BYTES; half-close; read to EOF
//   tcpsend udp ADDR PORT BYTES          send one datagram of BYTES
// Each TCP side ends by printing "received N sent M" (application bytes).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static socklen_t endpoint(const char *addr, const char *port, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, addr, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)atoi(port));
        return sizeof *in4;
    }
    if (inet_pton(AF_INET6, addr, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)atoi(port));
        return sizeof *in6;
    }
    fprintf(stderr, "tcpsend: bad address %s\n", addr);
    exit(2);
}

static void die(const char *what)
{
    perror(what);
    exit(1);
}

static unsigned long long drain(int fd)
{
    char buf[65536];
    unsigned long long n = 0;
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0)
        n += (unsigned long long)r;
    if (r < 0)
        die("read");
    return n;
}

static unsigned long long pour(int fd, unsigned long long bytes)
{
    char buf[65536];
    unsigned long long left = bytes;
    memset(buf, 'x', sizeof buf);
    while (left > 0) {
        size_t chunk = left < sizeof buf ? (size_t)left : sizeof buf;
        ssize_t w = write(fd, buf, chunk);
        if (w <= 0)
            die("write");
        left -= (unsigned long long)w;
    }
    return bytes;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: tcpsend serve|send|udp ADDR PORT BYTES\n");
        return 2;
    }
    struct sockaddr_storage ss;
    socklen_t len = endpoint(argv[2], argv[3], &ss);
    unsigned long long bytes = strtoull(argv[4], NULL, 10);
    int udp = strcmp(argv[1], "udp") == 0;
    int fd = socket(ss.ss_family, udp ? SOCK_DGRAM : SOCK_STREAM, 0);
    if (fd < 0)
        die("socket");
    if (udp) {
        char buf[65507];
        memset(buf, 'm', sizeof buf);
        if (bytes > sizeof buf ||
            sendto(fd, buf, (size_t)bytes, 0, (struct sockaddr *)&ss, len) < 0)
            die("sendto");
        return 0;
    }
    if (strcmp(argv[1], "serve") == 0) {
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 1) != 0)
            die("bind/listen");
        printf("ready\n");
        fflush(stdout);
        int c = accept(fd, NULL, NULL);
        if (c < 0)
            die("accept");
        unsigned long long got = drain(c);
        unsigned long long sent = pour(c, bytes);
        close(c);
        printf("received %llu sent %llu\n", got, sent);
        return 0;
    }
    if (connect(fd, (struct sockaddr *)&ss, len) != 0)
        die("connect");
    unsigned long long sent = pour(fd, bytes);
    shutdown(fd, SHUT_WR);
    unsigned long long got = drain(fd);
    close(fd);
    printf("received %llu sent %llu\n", got, sent);
    return 0;
}
