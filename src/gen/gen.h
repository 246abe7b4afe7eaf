// SPDX-License-Identifier: MIT
// Building NetFlow-family datagrams: the pieces tools/flowgen (the deterministic exporter of
// the tests and the benchmark) and `flowtally run --demo` (the live flows it feeds its own
// collector) share. A seeded generator (prng.c), a big-endian writer into one MTU-sized
// buffer (wire.c), what v9 and IPFIX sets share (sets.c) and the IPFIX encoder
// (export_ipfix.c, RFC 7011). No I/O: the caller
// sends or writes the bytes. flowgen's v5 and v9 encoders stay in tools/flowgen on top.
#ifndef FT_GEN_H
#define FT_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

// Largest UDP payload that fits a 1500-byte IPv4 MTU (20 IP + 8 UDP bytes of
// headers); every generated datagram must fit so nothing is fragmented.
#define FLOWGEN_MAX_DGRAM 1472u

// Templates are resent every this many datagrams (RFC 3954 §9 and RFC 7011
// §8.4 leave the refresh policy to the exporter for unreliable transport).
#define FLOWGEN_TEMPLATE_REFRESH 20u

#define FLOWGEN_DATA_TEMPLATE_ID 256u // IPv4 flows
#define FLOWGEN_OPTIONS_TEMPLATE_ID 257u
#define FLOWGEN_DATA_V6_TEMPLATE_ID 258u // IPv6 flows

#define FLOWGEN_TCP 6
#define FLOWGEN_UDP 17

// Interface numbers let a collector tell the uplink from the LAN side.
#define FLOWGEN_IF_UPLINK 1
#define FLOWGEN_IF_LAN 2

// ---- prng.c ----
struct prng {
    uint64_t state;
};
void prng_seed(struct prng *p, uint64_t seed);
uint64_t prng_next(struct prng *p);
// A value in [lo, hi].
uint64_t prng_range(struct prng *p, uint64_t lo, uint64_t hi);

// ---- the record every encoder takes ----
struct flow_record {
    uint32_t src_addr; // IPv4, host byte order; unused when is_v6
    uint32_t dst_addr;
    uint8_t src_v6[16]; // IPv6, network byte order; used when is_v6 (v9 and IPFIX only)
    uint8_t dst_v6[16];
    bool is_v6;
    uint16_t src_port;
    uint16_t dst_port;
    uint8_t protocol;
    uint8_t tcp_flags;
    uint8_t src_mask;
    uint8_t dst_mask;
    uint16_t input_if;
    uint16_t output_if;
    uint64_t packets; // 64 bits for --flows totals; v5 and v9 records carry 32
    uint64_t bytes;
    uint64_t start_ms; // unix milliseconds
    uint64_t end_ms;   // unix milliseconds
    uint32_t host_index;
    bool inbound; // remote -> local ("in" for the local host)
};

// ---- wire.c ----
struct wire_buf {
    uint8_t data[FLOWGEN_MAX_DGRAM];
    size_t len; // bytes written
};
void wire_reset(struct wire_buf *w);
void wire_u8(struct wire_buf *w, uint8_t v);
void wire_u16(struct wire_buf *w, uint16_t v);
void wire_u32(struct wire_buf *w, uint32_t v);
void wire_u64(struct wire_buf *w, uint64_t v);
void wire_bytes(struct wire_buf *w, const uint8_t *p, size_t n);
void wire_pad4(struct wire_buf *w);
void wire_patch_u16(struct wire_buf *w, size_t at, uint16_t v);
void wire_store_u16(uint8_t *p, uint16_t v);
uint16_t wire_load_u16(const uint8_t *p);
uint32_t wire_load_u32(const uint8_t *p);

// ---- export_ipfix.c (and flowgen's export_v5.c / export_v9.c) ----
// The address families of a stream's records, which decide the data templates its template
// refreshes carry (IPv4: FLOWGEN_DATA_TEMPLATE_ID, IPv6: FLOWGEN_DATA_V6_TEMPLATE_ID). The
// zero value is IPv4 only, so a zeroed state (the demo's) exports what it always did.
enum export_families { EXPORT_V4 = 0, EXPORT_V6, EXPORT_BOTH };

// Per-stream exporter state that survives from one datagram to the next.
struct export_state {
    uint64_t datagram_index;       // datagrams built so far
    uint64_t flows_sent;           // flow records in earlier datagrams
    uint64_t data_records;         // IPFIX: all Data Records incl. options data
    uint64_t export_secs;          // export time of the datagram being built
    enum export_families families; // set before the first datagram; records of no other family
};

// ---- sets.c: what v9 FlowSets and IPFIX sets share ----
struct sets_field {
    uint16_t id; // v9 field type, IPFIX Information Element id
    uint16_t len;
};
// Pads the set opened at `start` to 4 bytes (RFC 3954 §5.3 asks it, RFC 7011 §3.3.1 allows
// it: 1-3 bytes, shorter than any record) and stores its length, padding included.
void sets_close(struct wire_buf *w, size_t start);
// Writes a template set of id set_id with a template record per family of the stream:
// fields[0..n) for IPv4, the same with v6_addrs[0..2) as the first two for IPv6. Returns
// the number of template records (a v9 header counts them).
uint32_t sets_template(struct wire_buf *w, uint16_t set_id, const struct sets_field *fields,
                       size_t n, const struct sets_field *v6_addrs, enum export_families families);
// Writes a flow record's source and destination addresses, IPv4 or IPv6.
void sets_addresses(struct wire_buf *w, const struct flow_record *r);

// Builds into w one IPFIX message of observation domain `domain` holding recs[0..n) (n at
// most what fits FLOWGEN_MAX_DGRAM with the template set: 24 IPv4 records, 17 IPv6, see
// tools/flowgen/flows.c), with the template set (a template per family of st->families)
// every FLOWGEN_TEMPLATE_REFRESH messages and, when sampling > 1, the sampling options. The
// IPv4 records go in one data set, the IPv6 ones in a second. Advances st.
void export_ipfix(struct wire_buf *w, uint32_t domain, uint32_t sampling, struct export_state *st,
                  const struct flow_record *recs, uint32_t n);

#endif
