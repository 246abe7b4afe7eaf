// SPDX-License-Identifier: MIT
// NetFlow v5. Times in records are sysUptime milliseconds; the header gives sysUptime and
// the wall clock at export, so a record's absolute time is export time minus its age. The
// source of a v5 stream is (exporter, engine type, engine id), whose flow_sequence counts
// records, so gaps are lost records.
#include "netflow5.h"

#include "../base/err.h"
#include "../base/rd.h"
#include "uptime.h"

/* Header sampling_interval: top 2 bits mode, low 14 bits the 1-in-N interval. */
#define V5_SAMPLING_MODE(v) ((v) >> 14)
#define V5_SAMPLING_INTERVAL(v) ((v)&0x3fff)

static void read_record(struct rd *r, struct flow *f, uint64_t export_ms, uint32_t sys_uptime)
{
    f->src = addr_from_v4(rd_u32(r));
    f->dst = addr_from_v4(rd_u32(r));
    rd_u32(r); /* nexthop */
    f->in_if = rd_u16(r);
    f->out_if = rd_u16(r);
    f->packets = rd_u32(r);
    f->bytes = rd_u32(r);
    uint32_t first = rd_u32(r), last = rd_u32(r);
    f->src_port = rd_u16(r);
    f->dst_port = rd_u16(r);
    rd_u8(r); /* pad1 */
    f->tcp_flags = rd_u8(r);
    f->protocol = rd_u8(r);
    rd_skip(r, 1 + 2 + 2 + 1 + 1 + 2); /* tos, src_as, dst_as, src_mask, dst_mask, pad2 */
    f->start_ms = uptime_to_ms(export_ms, sys_uptime, first);
    f->end_ms = uptime_to_ms(export_ms, sys_uptime, last);
}

int netflow5_decode(struct source_table *sources, const struct ip_addr *exporter,
                    const uint8_t *pkt, size_t len, const struct flow_sink *sink)
{
    struct rd r = rd_make(pkt, len);
    rd_u16(&r); /* version, checked by the caller */
    uint16_t count = rd_u16(&r);
    uint32_t sys_uptime = rd_u32(&r), unix_secs = rd_u32(&r), unix_nsecs = rd_u32(&r);
    uint32_t seq = rd_u32(&r);
    uint8_t engine_type = rd_u8(&r), engine_id = rd_u8(&r);
    uint16_t sampling = rd_u16(&r);
    if (r.err)
        return ERR_TRUNCATED;
    if (count == 0 || count > NETFLOW5_MAX_RECORDS)
        return ERR_MALFORMED;
    if (rd_left(&r) < (size_t)count * NETFLOW5_RECORD_LEN)
        return ERR_TRUNCATED;
    struct source *s = source_get(sources, exporter, 5, (uint32_t)engine_type << 8 | engine_id);
    if (!s)
        return ERR_LIMIT;
    s->c.packets++;
    source_check_seq(s, seq, count);

    uint64_t export_ms = (uint64_t)unix_secs * 1000 + unix_nsecs / 1000000;
    struct flow f = {.exporter = *exporter, .domain = s->domain};
    f.sampling = V5_SAMPLING_INTERVAL(sampling);
    f.sampled_no_rate = f.sampling == 0 && V5_SAMPLING_MODE(sampling) != 0;
    for (uint16_t i = 0; i < count; i++) {
        read_record(&r, &f, export_ms, sys_uptime);
        if (f.sampled_no_rate)
            s->c.sampled_no_rate++;
        source_count_record(s, &f);
        flow_sink_emit(sink, &f);
    }
    return count;
}
