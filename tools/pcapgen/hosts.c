// SPDX-License-Identifier: MIT
// Turns host indexes into addresses and MACs. idx is 0-based; the host
// number in the address is idx + 1 so the first local host is 10.1.0.1.
// MACs are locally administered (0x02 prefix) so they can never clash with
// a real vendor's and each local host gets its own, as on a real LAN.

#include "hosts.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

void host_local_addr(int family, unsigned idx, uint8_t out[16])
{
    memset(out, 0, 16);
    if (family == 4) {
        out[0] = 10;
        out[1] = 1;
        out[2] = 0;
        out[3] = (uint8_t)(idx + 1);
        return;
    }
    out[0] = 0xfd; // fd00:1::/64, unique local (RFC 4193)
    out[3] = 0x01;
    out[15] = (uint8_t)(idx + 1);
}

void host_remote_addr(int family, unsigned idx, uint8_t out[16])
{
    memset(out, 0, 16);
    if (family == 4) {
        out[0] = 198; // TEST-NET-2, RFC 5737
        out[1] = 51;
        out[2] = 100;
        out[3] = (uint8_t)(idx + 1);
        return;
    }
    out[0] = 0x20; // 2001:db8:5::/64, RFC 3849 documentation prefix
    out[1] = 0x01;
    out[2] = 0x0d;
    out[3] = 0xb8;
    out[5] = 0x05;
    out[15] = (uint8_t)(idx + 1);
}

void host_local_mac(unsigned idx, uint8_t out[6])
{
    static const uint8_t base[6] = {0x02, 0x00, 0x0a, 0x01, 0x00, 0x00};

    memcpy(out, base, 6);
    out[5] = (uint8_t)(idx + 1);
}

void host_router_mac(uint8_t out[6])
{
    static const uint8_t router[6] = {0x02, 0x00, 0x0a, 0x01, 0xff, 0x01};

    memcpy(out, router, 6);
}

int host_local_text(int family, unsigned idx, char *buf, size_t len)
{
    uint8_t addr[16];
    int af = family == 4 ? AF_INET : AF_INET6;

    host_local_addr(family, idx, addr);
    if (inet_ntop(af, addr, buf, (socklen_t)len) == NULL)
        return -1;
    return 0;
}
