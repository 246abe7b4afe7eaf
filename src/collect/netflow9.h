// SPDX-License-Identifier: MIT
// NetFlow v9 decoder (RFC 3954). Push-style and without I/O: it reads one export datagram,
// updates the source's templates and sequence state, and emits each data record as a
// struct flow into the sink.
#ifndef FT_NETFLOW9_H
#define FT_NETFLOW9_H

#include "../flow/flow.h"
#include "source.h"

#include <stddef.h>
#include <stdint.h>

#define NETFLOW9_HEADER_LEN 20

/* Decodes one v9 datagram from `exporter`. Returns the number of flows emitted (>= 0), or a
 * negative code when the datagram was dropped as a whole (ERR_TRUNCATED for a short header,
 * ERR_LIMIT when the source table is full). Set- and record-level problems are counted in
 * the source and do not stop the other sets. */
int netflow9_decode(struct source_table *sources, const struct ip_addr *exporter,
                    const uint8_t *pkt, size_t len, const struct flow_sink *sink);

#endif
