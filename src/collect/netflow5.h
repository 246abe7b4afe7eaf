// SPDX-License-Identifier: MIT
// NetFlow v5 decoder (Cisco's fixed format: a 24-byte header and up to 30 records of 48
// bytes). Push-style, no I/O.
#ifndef FT_NETFLOW5_H
#define FT_NETFLOW5_H

#include "../flow/flow.h"
#include "source.h"

#include <stddef.h>
#include <stdint.h>

#define NETFLOW5_HEADER_LEN 24
#define NETFLOW5_RECORD_LEN 48
#define NETFLOW5_MAX_RECORDS 30

/* Decodes one v5 datagram. Returns the number of flows emitted, or ERR_TRUNCATED when the
 * datagram is shorter than its count says, ERR_MALFORMED when the count is 0 or above 30
 * (the whole datagram is dropped: a lying header makes every record suspect), ERR_LIMIT
 * when the source table is full. */
int netflow5_decode(struct source_table *sources, const struct ip_addr *exporter,
                    const uint8_t *pkt, size_t len, const struct flow_sink *sink);

#endif
