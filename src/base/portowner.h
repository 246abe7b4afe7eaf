// SPDX-License-Identifier: MIT
// Who holds a port: when a listener cannot bind ("address in use"), the daemon names the
// process that probably holds it (Linux: the socket's inode in /proc/net/{udp,tcp}{,6},
// then the /proc/PID/fd that points at it, where readable) and the option that picks
// another port.
#ifndef FT_PORTOWNER_H
#define FT_PORTOWNER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Reads one line of /proc/net/udp, udp6, tcp or tcp6. Returns true when it is a socket
 * bound to port (UDP) or listening on it (TCP: state LISTEN), with its inode in *inode. */
bool portowner_parse_line(const char *line, bool is_tcp, uint16_t port, uint64_t *inode);

/* Finds the process holding the UDP (or TCP, listening) port. Returns true with its pid and
 * command name (OUT: name, size bytes); false when no socket or no process of it can be
 * read (another user's processes, without root). */
bool portowner_find(bool is_tcp, uint16_t port, int *pid, char *name, size_t size);

/* Appends to errbuf (ERR_BUF_LEN bytes, holding the bind error) what probably holds the port
 * of spec (ADDR:PORT) and how to choose another: the option (such as "--netflow") and the
 * configuration key; usual: who usually holds that port ("another collector such as
 * nfcapd"), said when no process can be named. */
void portowner_hint(char *errbuf, const char *spec, bool is_tcp, const char *key,
                    const char *usual);

#endif
