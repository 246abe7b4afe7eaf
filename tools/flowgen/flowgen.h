// SPDX-License-Identifier: MIT
// Shared declarations for flowgen, the deterministic synthetic NetFlow v5,
// NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) exporter used by flowtally's
// tests and benchmark. Every module includes this one header so the record
// model, the wire writer and the datagram container have a single definition.
#ifndef FLOWGEN_H
#define FLOWGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../../src/gen/gen.h"

// Exit codes: usage errors are distinguishable from runtime failures so a
// test harness can tell "I called it wrong" from "the system failed".
#define FLOWGEN_EXIT_RUNTIME 1
#define FLOWGEN_EXIT_USAGE 2

// Upper bounds that keep every uint64 total far from overflow:
// records * 1.5e6 bytes * sampling stays below 2^64.
#define FLOWGEN_MAX_RECORDS 100000000ull
#define FLOWGEN_MAX_HOSTS (1u << 20)
#define FLOWGEN_MAX_REMOTES (1u << 24)
#define FLOWGEN_MAX_SAMPLING 16383u

enum flowgen_proto { PROTO_V5, PROTO_V9, PROTO_IPFIX };

// ---- addr.c ----
// An address of either family.
struct addr {
    bool is_v6;
    uint8_t b[16]; // network byte order; IPv4 in b[0..4), the rest 0
};
struct prefix {
    struct addr base; // host bits 0
    uint8_t len;      // bits
};
// Either family's text form; false if it is neither.
bool addr_parse(const char *text, struct addr *out);
// OUT: base + n.
void addr_add(const struct addr *base, uint64_t n, struct addr *out);
// IPv4 before IPv6, then numerically: the order of flowtally's report.
int addr_cmp(const struct addr *a, const struct addr *b);
bool addr_in_prefix(const struct addr *a, const struct addr *base, uint8_t len);
// OUT: buf, the text form (IPv6 as RFC 5952 writes it); size INET6_ADDRSTRLEN suffices.
void addr_format(const struct addr *a, char *buf, size_t size);
// The IPv4 address a holds, host byte order.
uint32_t addr_v4(const struct addr *a);
// Sets r's family and source and destination (both of src's family).
void addr_put(struct flow_record *r, const struct addr *src, const struct addr *dst);
// OUT: the local side of r (the destination when r->inbound).
void addr_local(const struct flow_record *r, struct addr *out);

// ---- cli.c ----
struct cli_option {
    const char *name;  // without the leading "--"
    const char *value; // NULL when not given
};
void cli_usage(FILE *out);
_Noreturn void cli_fail(const char *arg, const char *expected, const char *got);
void cli_parse(int argc, char **argv, struct cli_option *opts, size_t n_opts);
const char *cli_get(const struct cli_option *opts, size_t n_opts, const char *name);
uint64_t cli_u64(const char *name, const char *value, uint64_t lo, uint64_t hi);
void cli_prefix(const char *name, const char *value, struct prefix *out);

// ---- flows.c ----
struct gen_config {
    enum flowgen_proto proto;
    uint64_t seed;
    uint64_t records;
    uint32_t hosts;
    uint32_t remotes;
    struct prefix local;  // the random set's hosts: host i is local.base + 1 + i
    struct prefix remote; // and remote j remote.base + 1 + j; both of one family
    enum export_families families;
    uint64_t start;
    uint32_t per_packet;
    uint32_t sampling; // 1 = unsampled
    uint32_t domain;
    uint16_t remote_port; // the remote (server) side's port; 0 = random
    uint64_t pace;        // records per second of export time (default 1000)
    // --flows: the distinct local addresses in addr_cmp order; host i is host_addrs[i].
    // NULL for the random set, whose host i is local.base + 1 + i.
    const struct addr *host_addrs;
};

uint64_t flows_export_secs(const struct gen_config *cfg, uint64_t first_rec);
void flows_make(const struct gen_config *cfg, struct prng *rng, uint64_t export_secs,
                struct flow_record *out);
uint32_t flows_max_per_datagram(enum flowgen_proto proto, uint32_t sampling,
                                enum export_families families);
uint32_t flows_default_per_datagram(enum flowgen_proto proto, uint32_t sampling,
                                    enum export_families families);

// ---- flowfile.c ----
// The flows of a --flows file: one per direction with bytes > 0, sorted by
// end time (file order within a second). Each carries its whole byte count;
// cmd_write splits it into wire records of at most flowfile_max_record_bytes.
struct flow_list {
    struct flow_record *flows;
    size_t count;
    struct addr *hosts; // distinct local addresses in addr_cmp order; host_index indexes it
    uint32_t n_hosts;
    enum export_families families; // of the file's lines
    uint64_t records;              // wire records after splitting
    uint64_t first_end;            // earliest end time, unix seconds
};
void flowfile_load(const char *path, enum flowgen_proto proto, struct flow_list *out);
void flowfile_free(struct flow_list *l);
uint64_t flowfile_max_record_bytes(enum flowgen_proto proto);
uint64_t flowfile_packets(uint64_t bytes);

uint64_t export_boot_secs(const struct gen_config *cfg);
uint32_t export_uptime_ms(const struct gen_config *cfg, uint64_t unix_ms);
void export_v5(struct wire_buf *w, const struct gen_config *cfg, struct export_state *st,
               const struct flow_record *recs, uint32_t n);
void export_v9(struct wire_buf *w, const struct gen_config *cfg, struct export_state *st,
               const struct flow_record *recs, uint32_t n);

// ---- expect.c ----
struct host_totals {
    uint64_t bytes_in, bytes_out;
    uint64_t packets_in, packets_out;
    uint64_t flows_in, flows_out;
};
struct host_totals *expect_alloc(uint32_t hosts);
void expect_add(struct host_totals *t, const struct flow_record *r, uint32_t sampling);
int expect_write_csv(const char *path, const struct host_totals *t, const struct gen_config *cfg);

// ---- dgram_file.c ----
// On-disk container: per datagram a 4-byte big-endian length, a 4-byte
// big-endian count of flow records it carries, then the datagram bytes.
struct dgram_entry {
    const uint8_t *bytes;
    uint32_t len;
    uint32_t records;
};
struct dgram_file {
    uint8_t *map;
    size_t map_len;
    struct dgram_entry *entries;
    size_t count;
    uint64_t records;
};
int dgram_write(FILE *out, const uint8_t *bytes, uint32_t len, uint32_t records);
int dgram_load(const char *path, struct dgram_file *f);
void dgram_unload(struct dgram_file *f);

// ---- cmd_*.c ----
int cmd_write(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_mangle(int argc, char **argv);

#endif
