// SPDX-License-Identifier: MIT
// Reading one NetFlow v9 / IPFIX data record through its template. Both protocols share the
// information element numbers this collector uses (RFC 3954 §8 and the IANA IPFIX registry
// of RFC 7012), so one reader serves both; what differs (header time base, variable-length
// fields, enterprise numbers) is handled by the caller or by the template.
#ifndef FT_NFRECORD_H
#define FT_NFRECORD_H

#include "../base/rd.h"
#include "../flow/flow.h"
#include "source.h"
#include "templates.h"

/* What a record said beyond the flow fields: times in their exported form, and sampling. */
struct nfrecord_extra {
    uint64_t start_abs_ms, end_abs_ms; /* flowStart/End{Seconds,Milli,Micro,Nano}seconds */
    uint32_t start_uptime_ms;          /* FIRST_SWITCHED / flowStartSysUpTime */
    uint32_t end_uptime_ms;            /* LAST_SWITCHED / flowEndSysUpTime */
    uint64_t sys_init_ms;              /* systemInitTimeMilliseconds */
    uint32_t sampling_interval;        /* samplingInterval / samplerRandomInterval */
    uint32_t pkt_interval, pkt_space;  /* samplingPacketInterval / samplingPacketSpace */
    uint32_t sampler_id;               /* FLOW_SAMPLER_ID / selectorId */
    bool has_start_abs, has_end_abs, has_start_uptime, has_end_uptime, has_sys_init;
    bool has_sampler_id, has_sampling_algo;
};

/* Reads one record of template t from r into f and x (both zeroed first by this function,
 * except f's exporter/domain which the caller sets). Scope fields of an options template are
 * interpreted as information elements only if `scope_is_ie` (IPFIX; v9 scope types are a
 * separate numbering). Returns 0, or ERR_MALFORMED when a variable-length field runs past
 * the end of r. */
int nfrecord_read(const struct tmpl *t, struct rd *r, bool scope_is_ie, struct flow *f,
                  struct nfrecord_extra *x);

/* Builds t's read plan (t->steps) for fixed-length records: the fields this reader acts on,
 * their offsets and checked lengths. Call once the template is finished. Returns 0. */
int nfrecord_compile(struct tmpl *t);

/* Returns the 1-in-N sampling rate the record's own fields give, or 0. */
uint32_t nfrecord_sampling_rate(const struct nfrecord_extra *x);

/* How a datagram anchors the relative times of its records. */
struct nf_timebase {
    uint64_t export_ms;      /* datagram export time, ms since epoch */
    bool uptime_from_header; /* v9: uptimes are relative to sys_uptime_ms at export_ms */
    uint32_t sys_uptime_ms;  /* v9 header sysUptime */
};

/* Completes a data record: absolute start/end times, the sampling rate from the record, its
 * sampler's options or the source's options (counting sampled_no_rate when the record is
 * sampled at an unknown rate). */
void nfrecord_finish(struct flow *f, const struct nfrecord_extra *x, struct source *s,
                     const struct nf_timebase *tb);

/* Applies an options data record (sampling rates, system init time) to the source. */
void nfrecord_apply_options(const struct nfrecord_extra *x, struct source *s);

/* Reads every record of a data set (the set header already consumed; r spans the set body)
 * and emits the flows, or applies the options records. Counts malformed records. */
void nfrecord_read_set(const struct tmpl *t, struct rd *r, bool scope_is_ie, struct source *s,
                       const struct nf_timebase *tb, const struct flow_sink *sink);
#endif
