// SPDX-License-Identifier: MIT
// The kernel's neighbour table as a last resort for "which device is this address?": when
// the portal runs on the box that routes for its customers, a device without a DHCP lease
// (a static address) still has an ARP entry there. IPv4 only (/proc/net/arp); IPv6
// neighbours would need netlink, and devices with IPv6 leases are found by their lease.
#ifndef FT_NEIGH_H
#define FT_NEIGH_H

#include <stddef.h>

#define NEIGH_ARP_PATH "/proc/net/arp"

/* Finds ip (dotted IPv4 text) among the complete entries of an ARP table in the format of
 * /proc/net/arp (text[0..len), a header line then "IP HWtype Flags HWaddress Mask Device"
 * rows). OUT: mac (18 bytes: "aa:bb:cc:dd:ee:ff", lower case). Returns 0, or ERR_NOT_FOUND
 * (no such entry, an incomplete one, or a malformed row: never a guess). */
int neigh_find(const char *text, size_t len, const char *ip, char *mac);

/* neigh_find() on the live table at path (NEIGH_ARP_PATH), as read at most a second ago.
 * Thread-safe. Returns 0 or ERR_NOT_FOUND. */
int neigh_lookup(const char *path, const char *ip, char *mac);

#endif
