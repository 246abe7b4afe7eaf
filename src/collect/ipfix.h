// SPDX-License-Identifier: MIT
// IPFIX decoder (RFC 7011). Push-style and without I/O, like the v9 decoder: one message in,
// templates and sequence state updated, data records emitted as struct flow.
#ifndef FT_IPFIX_H
#define FT_IPFIX_H

#include "../flow/flow.h"
#include "source.h"

#include <stddef.h>
#include <stdint.h>

#define IPFIX_HEADER_LEN 16

/* Decodes one IPFIX message. Returns the number of flows emitted, or ERR_TRUNCATED /
 * ERR_MALFORMED when the message header is short or its length field lies, or ERR_LIMIT
 * when the source table is full. */
int ipfix_decode(struct source_table *sources, const struct ip_addr *exporter, const uint8_t *pkt,
                 size_t len, const struct flow_sink *sink);

#endif
