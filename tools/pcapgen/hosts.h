// SPDX-License-Identifier: MIT
// Address plan of the generated network: local hosts 10.1.0.1..N and
// fd00:1::1..N, remote hosts 198.51.100.1..M and 2001:db8:5::1..M
// (documentation ranges, RFC 5737 / RFC 3849), plus the fixed Ethernet
// MACs of the local hosts and of their default router.

#ifndef PCAPGEN_HOSTS_H
#define PCAPGEN_HOSTS_H

#include <stddef.h>
#include <stdint.h>

// Host numbers are one byte so every address stays inside its /24 or /120.
#define HOSTS_MAX 254

// IPv4 addresses use bytes 0..3 of the 16-byte buffers below.
void host_local_addr(int family, unsigned idx, uint8_t out[16]);
void host_remote_addr(int family, unsigned idx, uint8_t out[16]);
void host_local_mac(unsigned idx, uint8_t out[6]);
void host_router_mac(uint8_t out[6]);
// inet_ntop text of a local host; returns 0 or -1.
int host_local_text(int family, unsigned idx, char *buf, size_t len);

#endif
