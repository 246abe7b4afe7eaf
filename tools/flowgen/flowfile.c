// SPDX-License-Identifier: MIT
// `flowgen write --flows FILE.csv`: hand-written flows instead of the random
// set, for tests that need exact bytes at exact past times (billing cycles,
// day and month boundaries). Each line
//   end_unix_seconds,local_ip,remote_ip,bytes_in,bytes_out
// becomes up to two flows ending at that second: bytes_in remote -> local,
// bytes_out local -> remote. The addresses are IPv4 or IPv6 (one family a
// line, lines of both families in one file; not for v5). A malformed line
// ends the program naming FILE:LINE with exit status 2: a test built on a
// silently skipped line would check something other than what its author
// wrote.
#include "flowgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define FLOW_FIELDS 5

// 2^40 per line must pass; the cap keeps a v5 split (2^32-1 bytes per
// record) at 65537 records per flow, and a value past it is a typo.
#define MAX_LINE_BYTES (1ull << 48)

// The collector keeps its totals in signed 64-bit integers (SQLite INTEGER,
// PostgreSQL bigint), so no host total may pass this.
#define MAX_HOST_BYTES ((uint64_t)INT64_MAX)

// The same bounds as --start: the simulated v5/v9 exporter boots an hour
// before the earliest flow, which must stay after 1970, and the export time
// of every datagram is the end time of its flows, a 32-bit field in all
// three headers.
#define MIN_END 86400ull
#define MAX_END ((uint64_t)UINT32_MAX)

// Only the end time decides the bucket; a fixed length keeps start times
// plausible (and after the exporter's boot) without another column.
#define FLOW_SECS 60u

// The file names a service and a client port rather than drawing them, so a
// capture of the replay is easy to read: TCP, server port 443, client 50000.
#define REMOTE_PORT 443u
#define LOCAL_PORT 50000u
#define TCP_FLAGS 0x1bu // SYN, FIN, PSH, ACK: a whole connection

struct loader {
    const char *path;
    uint64_t line;
    enum flowgen_proto proto;
    struct flow_list *out;
    size_t cap;
    uint64_t *lines; // file line of each flow, for messages after parsing
};

_Noreturn static void bad_line(const struct loader *ld, const char *field, const char *expected,
                               const char *got)
{
    fprintf(stderr, "flowgen: %s:%llu: %s: expected %s", ld->path, (unsigned long long)ld->line,
            field, expected);
    if (got)
        fprintf(stderr, ", got '%.80s'", got);
    fputc('\n', stderr);
    exit(FLOWGEN_EXIT_USAGE);
}

_Noreturn static void out_of_memory(void)
{
    fputs("flowgen: out of memory\n", stderr);
    exit(FLOWGEN_EXIT_RUNTIME);
}

uint64_t flowfile_max_record_bytes(enum flowgen_proto proto)
{
    switch (proto) {
    case PROTO_V5:
        return UINT32_MAX; // dOctets is 32 bits
    // IN_BYTES is 64 bits but IN_PKTS 32: packets stay below 2^32.
    case PROTO_V9: return 1000ull * UINT32_MAX;
    case PROTO_IPFIX: break; // octetDeltaCount and packetDeltaCount are 64 bits
    }
    return UINT64_MAX;
}

// About one packet per kilobyte, as a bulk transfer would have; never 0,
// since a flow without packets is not a flow.
uint64_t flowfile_packets(uint64_t bytes)
{
    return bytes < 1000 ? 1 : bytes / 1000;
}

static char *trim(char *s)
{
    char *end = s + strlen(s);

    while (*s == ' ' || *s == '\t')
        s++;
    while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
        end--;
    *end = '\0';
    return s;
}

// Strict decimal: digits only, so "-1", "1e9" or "12k" cannot pass as
// numbers the author did not mean.
static uint64_t parse_u64(const struct loader *ld, const char *field, const char *v, uint64_t lo,
                          uint64_t hi)
{
    char expected[96];
    char *end = NULL;
    unsigned long long n;

    snprintf(expected, sizeof(expected), "a decimal integer in [%llu, %llu]",
             (unsigned long long)lo, (unsigned long long)hi);
    if (v[0] < '0' || v[0] > '9')
        bad_line(ld, field, expected, v);
    errno = 0;
    n = strtoull(v, &end, 10);
    if (errno != 0 || *end != '\0' || n < lo || n > hi)
        bad_line(ld, field, expected, v);
    return (uint64_t)n;
}

static void parse_addr(const struct loader *ld, const char *field, const char *v, struct addr *out)
{
    if (ld->proto == PROTO_V5) {
        if (!addr_parse(v, out) || out->is_v6)
            bad_line(ld, field, "an IPv4 address A.B.C.D (NetFlow v5 cannot carry IPv6)", v);
    } else if (!addr_parse(v, out)) {
        bad_line(ld, field, "an IPv4 address A.B.C.D or an IPv6 address X:X::X", v);
    }
}

static void add_flow(struct loader *ld, uint64_t end, const struct addr *local,
                     const struct addr *remote, uint64_t bytes, bool inbound)
{
    struct flow_list *l = ld->out;
    uint64_t max = flowfile_max_record_bytes(ld->proto);
    enum export_families family = local->is_v6 ? EXPORT_V6 : EXPORT_V4;
    struct flow_record *r;

    if (bytes == 0)
        return;
    l->records += bytes / max + (bytes % max != 0);
    if (l->records > FLOWGEN_MAX_RECORDS) {
        char expected[96];

        snprintf(expected, sizeof(expected),
                 "at most %llu wire records in the whole file, this line passes it",
                 (unsigned long long)FLOWGEN_MAX_RECORDS);
        bad_line(ld, inbound ? "bytes_in" : "bytes_out", expected, NULL);
    }
    if (l->count == ld->cap) {
        size_t cap = ld->cap ? ld->cap * 2 : 256;
        struct flow_record *flows = realloc(l->flows, cap * sizeof(*flows));
        uint64_t *lines = realloc(ld->lines, cap * sizeof(*lines));

        if (flows)
            l->flows = flows;
        if (lines)
            ld->lines = lines;
        if (!flows || !lines)
            out_of_memory();
        ld->cap = cap;
    }
    ld->lines[l->count] = ld->line;
    r = &l->flows[l->count++];
    *r = (struct flow_record){
        .src_port = (uint16_t)(inbound ? REMOTE_PORT : LOCAL_PORT),
        .dst_port = (uint16_t)(inbound ? LOCAL_PORT : REMOTE_PORT),
        .protocol = FLOWGEN_TCP,
        .tcp_flags = TCP_FLAGS,
        // src_mask, dst_mask 0: the file gives hosts, not their prefixes.
        .input_if = inbound ? FLOWGEN_IF_UPLINK : FLOWGEN_IF_LAN,
        .output_if = inbound ? FLOWGEN_IF_LAN : FLOWGEN_IF_UPLINK,
        .bytes = bytes,
        .start_ms = (end - FLOW_SECS) * 1000,
        .end_ms = end * 1000,
        .inbound = inbound,
    };
    addr_put(r, inbound ? remote : local, inbound ? local : remote);
    if (l->count == 1)
        l->families = family;
    else if (l->families != family)
        l->families = EXPORT_BOTH;
}

// Splits `text` at commas into exactly FLOW_FIELDS trimmed fields.
static void split_line(const struct loader *ld, char *text, char **fields)
{
    char *copy = strdup(text); // the message quotes the line as written
    char *p = text;
    size_t n = 0;

    if (!copy)
        out_of_memory();
    for (;;) {
        char *comma = strchr(p, ',');

        if (n == FLOW_FIELDS)
            bad_line(ld, "line", "5 fields end_unix_seconds,local_ip,remote_ip,bytes_in,bytes_out",
                     copy);
        if (comma)
            *comma = '\0';
        fields[n++] = trim(p);
        if (!comma)
            break;
        p = comma + 1;
    }
    if (n != FLOW_FIELDS)
        bad_line(ld, "line", "5 fields end_unix_seconds,local_ip,remote_ip,bytes_in,bytes_out",
                 copy);
    free(copy);
}

static void parse_line(struct loader *ld, char *text)
{
    char *f[FLOW_FIELDS];
    uint64_t end, in, out;
    struct addr local, remote;

    split_line(ld, text, f);
    end = parse_u64(ld, "end_unix_seconds", f[0], MIN_END, MAX_END);
    parse_addr(ld, "local_ip", f[1], &local);
    parse_addr(ld, "remote_ip", f[2], &remote);
    if (remote.is_v6 != local.is_v6)
        bad_line(ld, "remote_ip",
                 local.is_v6 ? "an IPv6 address, as local_ip is one (one family a line)"
                             : "an IPv4 address, as local_ip is one (one family a line)",
                 f[2]);
    if (addr_cmp(&local, &remote) == 0)
        bad_line(ld, "remote_ip", "an address other than local_ip", f[2]);
    in = parse_u64(ld, "bytes_in", f[3], 0, MAX_LINE_BYTES);
    out = parse_u64(ld, "bytes_out", f[4], 0, MAX_LINE_BYTES);
    add_flow(ld, end, &local, &remote, in, true);
    add_flow(ld, end, &local, &remote, out, false);
}

static void read_lines(struct loader *ld, FILE *in)
{
    char *text = NULL;
    size_t size = 0;
    bool seen_data = false;
    ssize_t len;

    while ((len = getline(&text, &size, in)) >= 0) {
        char *s;

        ld->line++;
        // A NUL would cut the line short unseen (a binary file given by mistake).
        if (strlen(text) != (size_t)len)
            bad_line(ld, "line", "text without NUL bytes", text);
        s = trim(text);
        if (*s == '\0' || *s == '#')
            continue;
        // Only the first line with content may be the header: a later "end..."
        // line is a broken flow, not a second header.
        if (!seen_data && strncmp(s, "end", 3) == 0) {
            seen_data = true;
            continue;
        }
        seen_data = true;
        parse_line(ld, s);
    }
    free(text);
    if (ferror(in)) {
        perror(ld->path);
        exit(FLOWGEN_EXIT_RUNTIME);
    }
}

static int cmp_addr(const void *a, const void *b)
{
    return addr_cmp(a, b);
}

// The expect CSV lists hosts in flowtally's report order (addr_cmp), so
// host_index is the rank of the local address among the distinct ones.
static void index_hosts(struct flow_list *l)
{
    size_t n = 0;

    l->hosts = malloc(l->count * sizeof(*l->hosts));
    if (!l->hosts)
        out_of_memory();
    for (size_t i = 0; i < l->count; i++)
        addr_local(&l->flows[i], &l->hosts[i]);
    qsort(l->hosts, l->count, sizeof(*l->hosts), cmp_addr);
    for (size_t i = 0; i < l->count; i++) {
        if (n == 0 || addr_cmp(&l->hosts[n - 1], &l->hosts[i]) != 0)
            l->hosts[n++] = l->hosts[i];
    }
    l->n_hosts = (uint32_t)n;
    for (size_t i = 0; i < l->count; i++) {
        struct addr a;
        const struct addr *h;

        addr_local(&l->flows[i], &a);
        h = bsearch(&a, l->hosts, n, sizeof(*l->hosts), cmp_addr);
        l->flows[i].host_index = (uint32_t)(h - l->hosts);
    }
}

// Checked in file order so the message names the line that tips a host
// over, rather than a line somewhere in the time-sorted list.
static void check_totals(struct loader *ld)
{
    const struct flow_list *l = ld->out;
    uint64_t *sum = calloc((size_t)l->n_hosts * 2, sizeof(*sum));

    if (!sum)
        out_of_memory();
    for (size_t i = 0; i < l->count; i++) {
        const struct flow_record *r = &l->flows[i];
        uint64_t *s = &sum[(size_t)r->host_index * 2 + r->inbound];

        if (r->bytes > MAX_HOST_BYTES - *s) {
            char text[INET6_ADDRSTRLEN], expected[128];

            addr_format(&l->hosts[r->host_index], text, sizeof(text));
            snprintf(expected, sizeof(expected),
                     "a total of at most 2^63-1 bytes for %s, this line passes it", text);
            ld->line = ld->lines[i];
            bad_line(ld, r->inbound ? "bytes_in" : "bytes_out", expected, NULL);
        }
        *s += r->bytes;
    }
    free(sum);
}

struct order {
    uint64_t end_ms;
    size_t index;
};

static int cmp_order(const void *a, const void *b)
{
    const struct order *x = a, *y = b;

    if (x->end_ms != y->end_ms)
        return (x->end_ms > y->end_ms) - (x->end_ms < y->end_ms);
    return (x->index > y->index) - (x->index < y->index);
}

// Datagrams go out in time order, each at the time of its flows, like an
// exporter that ran through the whole period; the index keeps file order
// within a second (qsort alone is not stable).
static void sort_by_time(struct flow_list *l)
{
    struct order *ord = malloc(l->count * sizeof(*ord));
    struct flow_record *sorted = malloc(l->count * sizeof(*sorted));

    if (!ord || !sorted)
        out_of_memory();
    for (size_t i = 0; i < l->count; i++)
        ord[i] = (struct order){l->flows[i].end_ms, i};
    qsort(ord, l->count, sizeof(*ord), cmp_order);
    for (size_t i = 0; i < l->count; i++)
        sorted[i] = l->flows[ord[i].index];
    free(ord);
    free(l->flows);
    l->flows = sorted;
    l->first_end = sorted[0].end_ms / 1000;
}

void flowfile_load(const char *path, enum flowgen_proto proto, struct flow_list *out)
{
    struct loader ld = {.path = path, .proto = proto, .out = out};
    FILE *in = fopen(path, "r");

    memset(out, 0, sizeof(*out));
    if (!in) {
        fprintf(stderr, "flowgen: --flows: %s: %s\n", path, strerror(errno));
        exit(FLOWGEN_EXIT_USAGE);
    }
    read_lines(&ld, in);
    fclose(in);
    if (out->count == 0) {
        fprintf(stderr,
                "flowgen: %s: expected at least one line with bytes_in or bytes_out "
                "above 0\n",
                path);
        exit(FLOWGEN_EXIT_USAGE);
    }
    index_hosts(out);
    check_totals(&ld);
    free(ld.lines);
    sort_by_time(out);
}

void flowfile_free(struct flow_list *l)
{
    free(l->flows);
    free(l->hosts);
    memset(l, 0, sizeof(*l));
}
