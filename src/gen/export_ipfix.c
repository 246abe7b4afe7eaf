// SPDX-License-Identifier: MIT
// IPFIX encoder (RFC 7011). Each message is a 16-byte header followed by
// sets: the template set (template 256 for IPv4 flows, 258 for IPv6, as the
// stream's families ask) in the first message and every
// FLOWGEN_TEMPLATE_REFRESH messages, with sampling also an options template
// set (257) and its options data record, then a data set per family present.
// Flow times are absolute milliseconds (flowStart/EndMilliseconds), unlike
// v5/v9.
#include "gen.h"

#define IPFIX_VERSION 10
#define IPFIX_TEMPLATE_SET 2         // RFC 7011 §3.3.2
#define IPFIX_OPTIONS_TEMPLATE_SET 3 // RFC 7011 §3.3.2
#define IPFIX_METERING_PROCESS_ID 1  // value of the options scope field
#define IPFIX_SAMPLING_DETERMINISTIC 1

// Information Element ids from the IANA IPFIX registry (RFC 7012). The order
// here is the record layout; the IPv6 template differs only in its first two.
static const struct sets_field ipfix_fields[] = {
    {8, 4},   // sourceIPv4Address
    {12, 4},  // destinationIPv4Address
    {7, 2},   // sourceTransportPort
    {11, 2},  // destinationTransportPort
    {4, 1},   // protocolIdentifier
    {6, 2},   // tcpControlBits
    {1, 8},   // octetDeltaCount
    {2, 8},   // packetDeltaCount
    {152, 8}, // flowStartMilliseconds
    {153, 8}, // flowEndMilliseconds
    {10, 4},  // ingressInterface
    {14, 4},  // egressInterface
};
#define IPFIX_FIELD_COUNT (sizeof(ipfix_fields) / sizeof(ipfix_fields[0]))

static const struct sets_field ipfix_v6_addrs[] = {
    {27, 16}, // sourceIPv6Address
    {28, 16}, // destinationIPv6Address
};

// Header (RFC 7011 §3.1): version, length (patched), export time, sequence
// number, observation domain id. The sequence number is the count of Data
// Records sent before this message in this domain — options data records
// included, since they are Data Records too; template records are not.
static void ipfix_header(struct wire_buf *w, uint32_t domain, const struct export_state *st)
{
    wire_u16(w, IPFIX_VERSION);
    wire_u16(w, 0);
    wire_u32(w, (uint32_t)st->export_secs);
    wire_u32(w, (uint32_t)st->data_records);
    wire_u32(w, domain);
}

// Options Template Record (RFC 7011 §3.4.2.2): 3 fields of which 1 is
// scope, meteringProcessId(143); then samplingInterval(34) and
// samplingAlgorithm(35), the v9-compatible elements. Its data set follows.
static void ipfix_sampling_options(struct wire_buf *w, uint32_t sampling)
{
    size_t start = w->len;

    wire_u16(w, IPFIX_OPTIONS_TEMPLATE_SET);
    wire_u16(w, 0);
    wire_u16(w, FLOWGEN_OPTIONS_TEMPLATE_ID);
    wire_u16(w, 3);   // field count, scope included
    wire_u16(w, 1);   // scope field count
    wire_u16(w, 143); // meteringProcessId
    wire_u16(w, 4);
    wire_u16(w, 34); // samplingInterval
    wire_u16(w, 4);
    wire_u16(w, 35); // samplingAlgorithm
    wire_u16(w, 1);
    sets_close(w, start);

    start = w->len;
    wire_u16(w, FLOWGEN_OPTIONS_TEMPLATE_ID);
    wire_u16(w, 0);
    wire_u32(w, IPFIX_METERING_PROCESS_ID);
    wire_u32(w, sampling);
    wire_u8(w, IPFIX_SAMPLING_DETERMINISTIC);
    sets_close(w, start);
}

static void ipfix_record(struct wire_buf *w, const struct flow_record *r)
{
    sets_addresses(w, r);
    wire_u16(w, r->src_port);
    wire_u16(w, r->dst_port);
    wire_u8(w, r->protocol);
    wire_u16(w, r->tcp_flags);
    wire_u64(w, r->bytes);
    wire_u64(w, r->packets);
    wire_u64(w, r->start_ms);
    wire_u64(w, r->end_ms);
    wire_u32(w, r->input_if);
    wire_u32(w, r->output_if);
}

// A data set of the records of one family, if there are any.
static void ipfix_data_set(struct wire_buf *w, const struct flow_record *recs, uint32_t n, bool v6)
{
    size_t start = w->len;
    uint32_t in_set = 0;

    for (uint32_t i = 0; i < n; i++)
        in_set += recs[i].is_v6 == v6;
    if (in_set == 0)
        return;
    wire_u16(w, v6 ? FLOWGEN_DATA_V6_TEMPLATE_ID : FLOWGEN_DATA_TEMPLATE_ID);
    wire_u16(w, 0);
    for (uint32_t i = 0; i < n; i++) {
        if (recs[i].is_v6 == v6)
            ipfix_record(w, &recs[i]);
    }
    sets_close(w, start);
}

void export_ipfix(struct wire_buf *w, uint32_t domain, uint32_t sampling, struct export_state *st,
                  const struct flow_record *recs, uint32_t n)
{
    wire_reset(w);
    ipfix_header(w, domain, st);
    if (st->datagram_index % FLOWGEN_TEMPLATE_REFRESH == 0) {
        sets_template(w, IPFIX_TEMPLATE_SET, ipfix_fields, IPFIX_FIELD_COUNT, ipfix_v6_addrs,
                      st->families);
        if (sampling > 1) {
            ipfix_sampling_options(w, sampling);
            st->data_records++; // the options data record
        }
    }
    ipfix_data_set(w, recs, n, false);
    ipfix_data_set(w, recs, n, true);
    // Message length (RFC 7011 §3.1) is known only now.
    wire_patch_u16(w, 2, (uint16_t)w->len);
    st->data_records += n;
    st->flows_sent += n;
    st->datagram_index++;
}
