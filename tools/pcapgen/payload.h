// SPDX-License-Identifier: MIT
// Application payloads for the generated sessions: DNS queries/answers
// and NTP exchanges that tcpdump decodes cleanly, and opaque bytes for
// TCP data and other UDP. Contents are derived only from a key, so the
// planner can learn a length and the writer rebuild the same bytes later.

#ifndef PCAPGEN_PAYLOAD_H
#define PCAPGEN_PAYLOAD_H

#include <stddef.h>
#include <stdint.h>

// Largest DNS message payload_dns() produces.
#define DNS_MSG_MAX 128
#define NTP_MSG_LEN 48

// Exchange n of a DNS session: a query, or its answer when response is
// set (A record for family 4, AAAA for 6). Returns the message length.
size_t payload_dns(uint64_t key, unsigned n, int response, int family, uint8_t *out);
// NTPv4 client request or server reply (RFC 5905); always NTP_MSG_LEN.
size_t payload_ntp(uint64_t key, unsigned n, int response, uint8_t *out);
// Deterministic opaque bytes, e.g. encrypted application data.
void payload_fill(uint64_t key, uint8_t *out, size_t len);

#endif
