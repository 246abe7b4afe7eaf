// SPDX-License-Identifier: MIT
// Sends the first N datagrams of a flowgen .dgrams file to 127.0.0.1:PORT from one source
// address, the first from one socket and every later one from a socket of its own, so each
// leaves from a different source port. flowgen's first datagram carries the template and
// the next ones only data: they decode only if they reach the worker that holds it.
// Usage: ports FILE.dgrams PORT N FROM_ADDR. Prints the records sent. Loopback only.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

int main(int argc, char **argv)
{
    if (argc != 5)
        return 2;
    FILE *f = fopen(argv[1], "rb");
    int port = atoi(argv[2]), n = atoi(argv[3]);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    struct sockaddr_in from = {.sin_family = AF_INET};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    if (!f || inet_pton(AF_INET, argv[4], &from.sin_addr) != 1 ||
        (ntohl(from.sin_addr.s_addr) >> 24) != 127)
        return 2;
    unsigned long long records = 0;
    static unsigned char buf[65536];
    for (int i = 0; i < n; i++) {
        unsigned char hdr[8];
        if (fread(hdr, 1, 8, f) != 8)
            break;
        uint32_t len = be32(hdr);
        if (len > sizeof buf || fread(buf, 1, len, f) != len)
            return 1;
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&from, sizeof from) != 0 ||
            sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof to) != (ssize_t)len)
            return 1;
        close(fd); /* the next datagram gets a new source port */
        records += be32(hdr + 4);
        usleep(2000); /* in order: the template first */
    }
    printf("%llu\n", records);
    fclose(f);
    return 0;
}
