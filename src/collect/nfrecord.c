// SPDX-License-Identifier: MIT
// Field-by-field record reader. Fields of unexpected length are skipped, not misread: an
// IPv4 address must be 4 bytes, counters may use any length from 1 to 8 (reduced-size
// encoding, RFC 7011 §6.2). Enterprise-specific fields are skipped by their length.
#include "nfrecord.h"

#include "../base/err.h"
#include "uptime.h"

/* Information element ids (RFC 3954 §8, IANA IPFIX registry). */
enum {
    IE_OCTETS = 1,
    IE_PACKETS = 2,
    IE_PROTOCOL = 4,
    IE_TCP_FLAGS = 6,
    IE_SRC_PORT = 7,
    IE_SRC_V4 = 8,
    IE_IN_IF = 10,
    IE_DST_PORT = 11,
    IE_DST_V4 = 12,
    IE_OUT_IF = 14,
    IE_LAST_UPTIME = 21,
    IE_FIRST_UPTIME = 22,
    IE_SRC_V6 = 27,
    IE_DST_V6 = 28,
    IE_SAMPLING_INTERVAL = 34,
    IE_SAMPLING_ALGORITHM = 35,
    IE_SAMPLER_ID = 48,
    IE_SAMPLER_RANDOM_INTERVAL = 50,
    IE_SRC_MAC = 56,
    IE_V9_OUT_DST_MAC = 57,
    IE_DST_MAC = 80,
    IE_START_SEC = 150,
    IE_END_SEC = 151,
    IE_START_MS = 152,
    IE_END_MS = 153,
    IE_START_US = 154,
    IE_END_US = 155,
    IE_START_NS = 156,
    IE_END_NS = 157,
    IE_SYS_INIT_MS = 160,
    IE_SELECTOR_ID = 302,
    IE_SELECTOR_ALGORITHM = 304,
    IE_PKT_INTERVAL = 305,
    IE_PKT_SPACE = 306,
};

/* Seconds between the NTP era (1900) and the Unix epoch. */
#define NTP_UNIX_OFFSET 2208988800ULL

/* RFC 7011 §6.1.9-10: dateTimeMicro/Nanoseconds are NTP timestamps: 32 bits of seconds
 * since 1900 and a 32-bit binary fraction. */
static uint64_t ntp_to_unix_ms(uint64_t ntp)
{
    uint64_t sec = ntp >> 32, frac = ntp & 0xffffffffULL;
    if (sec < NTP_UNIX_OFFSET)
        return 0;
    return (sec - NTP_UNIX_OFFSET) * 1000 + ((frac * 1000) >> 32);
}

/* An address of 4 or 16 bytes (field_op checked which). */
static void read_addr(const uint8_t *v, uint16_t len, struct ip_addr *out)
{
    if (len == 4)
        *out =
            addr_from_v4((uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3]);
    else
        *out = addr_from_v6(v);
}

/* A big-endian unsigned integer of 1 to 8 bytes (the caller checked len). The common
 * sizes load in one go: this runs for every field of every record. */
static inline __attribute__((always_inline)) uint64_t be_uint(const uint8_t *v, uint16_t len)
{
    uint32_t u32;
    uint64_t u64;
    switch (len) {
    case 1: return v[0];
    case 2: return (uint64_t)(v[0] << 8 | v[1]);
    case 4: memcpy(&u32, v, 4); return __builtin_bswap32(u32);
    case 8: memcpy(&u64, v, 8); return __builtin_bswap64(u64);
    default: {
        uint64_t n = 0;
        for (uint16_t i = 0; i < len; i++)
            n = n << 8 | v[i];
        return n;
    }
    }
}

/* What the reader does with a field: one op per (element, meaning), numbered densely so the
 * dispatch is one jump table. */
enum field_op {
    OP_NONE, /* not read: unknown or enterprise element, or a length we cannot read */
    OP_OCTETS,
    OP_PACKETS,
    OP_PROTOCOL,
    OP_TCP_FLAGS,
    OP_SRC_PORT,
    OP_DST_PORT,
    OP_SRC_ADDR,
    OP_DST_ADDR,
    OP_IN_IF,
    OP_OUT_IF,
    OP_FIRST_UPTIME,
    OP_LAST_UPTIME,
    OP_START_SEC,
    OP_START_MS,
    OP_END_SEC,
    OP_END_MS,
    OP_START_NTP,
    OP_END_NTP,
    OP_SYS_INIT,
    OP_SAMPLING_INTERVAL,
    OP_PKT_INTERVAL,
    OP_PKT_SPACE,
    OP_SAMPLER_ID,
    OP_SAMPLING_ALGO,
    OP_SRC_MAC,
    OP_DST_MAC,
};

/* The op for a field of this element and length. Addresses and MACs must have their exact
 * length; numbers any length from 1 to 8 (an empty or over-64-bit number cannot be read,
 * and is skipped rather than read as 0); NTP timestamps 8. */
static enum field_op field_op(uint16_t type, uint16_t len)
{
    bool number = len >= 1 && len <= 8;
    switch (type) {
    case IE_OCTETS: return number ? OP_OCTETS : OP_NONE;
    case IE_PACKETS: return number ? OP_PACKETS : OP_NONE;
    case IE_PROTOCOL: return number ? OP_PROTOCOL : OP_NONE;
    case IE_TCP_FLAGS: return number ? OP_TCP_FLAGS : OP_NONE;
    case IE_SRC_PORT: return number ? OP_SRC_PORT : OP_NONE;
    case IE_DST_PORT: return number ? OP_DST_PORT : OP_NONE;
    case IE_SRC_V4: return len == 4 ? OP_SRC_ADDR : OP_NONE;
    case IE_DST_V4: return len == 4 ? OP_DST_ADDR : OP_NONE;
    case IE_SRC_V6: return len == 16 ? OP_SRC_ADDR : OP_NONE;
    case IE_DST_V6: return len == 16 ? OP_DST_ADDR : OP_NONE;
    case IE_IN_IF: return number ? OP_IN_IF : OP_NONE;
    case IE_OUT_IF: return number ? OP_OUT_IF : OP_NONE;
    case IE_FIRST_UPTIME: return number ? OP_FIRST_UPTIME : OP_NONE;
    case IE_LAST_UPTIME: return number ? OP_LAST_UPTIME : OP_NONE;
    case IE_START_SEC: return number ? OP_START_SEC : OP_NONE;
    case IE_START_MS: return number ? OP_START_MS : OP_NONE;
    case IE_END_SEC: return number ? OP_END_SEC : OP_NONE;
    case IE_END_MS: return number ? OP_END_MS : OP_NONE;
    case IE_START_US:
    case IE_START_NS: return len == 8 ? OP_START_NTP : OP_NONE;
    case IE_END_US:
    case IE_END_NS: return len == 8 ? OP_END_NTP : OP_NONE;
    case IE_SYS_INIT_MS: return number ? OP_SYS_INIT : OP_NONE;
    case IE_SAMPLING_INTERVAL:
    case IE_SAMPLER_RANDOM_INTERVAL: return number ? OP_SAMPLING_INTERVAL : OP_NONE;
    case IE_PKT_INTERVAL: return number ? OP_PKT_INTERVAL : OP_NONE;
    case IE_PKT_SPACE: return number ? OP_PKT_SPACE : OP_NONE;
    case IE_SAMPLER_ID:
    case IE_SELECTOR_ID: return number ? OP_SAMPLER_ID : OP_NONE;
    case IE_SAMPLING_ALGORITHM:
    case IE_SELECTOR_ALGORITHM: return number ? OP_SAMPLING_ALGO : OP_NONE;
    case IE_SRC_MAC: return len == 6 ? OP_SRC_MAC : OP_NONE;
    case IE_DST_MAC:
    case IE_V9_OUT_DST_MAC: return len == 6 ? OP_DST_MAC : OP_NONE;
    default: return OP_NONE;
    }
}

/* Applies a field whose op and length field_op() checked. Inlined into the plan loop: a
 * call per field cost a fifth of the record's instructions. */
static inline __attribute__((always_inline)) void
apply_op(enum field_op op, const uint8_t *v, uint16_t len, struct flow *f, struct nfrecord_extra *x)
{
    switch (op) {
    case OP_NONE: break;
    case OP_OCTETS: f->bytes = be_uint(v, len); break;
    case OP_PACKETS: f->packets = be_uint(v, len); break;
    case OP_PROTOCOL: f->protocol = (uint8_t)be_uint(v, len); break;
    case OP_TCP_FLAGS: f->tcp_flags = (uint8_t)be_uint(v, len); break; /* the classic flags */
    case OP_SRC_PORT: f->src_port = (uint16_t)be_uint(v, len); break;
    case OP_DST_PORT: f->dst_port = (uint16_t)be_uint(v, len); break;
    case OP_SRC_ADDR: read_addr(v, len, &f->src); break;
    case OP_DST_ADDR: read_addr(v, len, &f->dst); break;
    case OP_IN_IF: f->in_if = (uint32_t)be_uint(v, len); break;
    case OP_OUT_IF: f->out_if = (uint32_t)be_uint(v, len); break;
    case OP_FIRST_UPTIME:
        x->start_uptime_ms = (uint32_t)be_uint(v, len);
        x->has_start_uptime = true;
        break;
    case OP_LAST_UPTIME:
        x->end_uptime_ms = (uint32_t)be_uint(v, len);
        x->has_end_uptime = true;
        break;
    case OP_START_SEC:
    case OP_START_MS: {
        /* dateTimeSeconds is 32 bits (RFC 7011 §6.1.7); 0 means the exporter had none */
        uint64_t n = be_uint(v, len);
        x->start_abs_ms = op == OP_START_SEC ? (n <= UINT32_MAX ? n * 1000 : 0) : n;
        x->has_start_abs = x->start_abs_ms != 0;
        break;
    }
    case OP_END_SEC:
    case OP_END_MS: {
        uint64_t n = be_uint(v, len);
        x->end_abs_ms = op == OP_END_SEC ? (n <= UINT32_MAX ? n * 1000 : 0) : n;
        x->has_end_abs = x->end_abs_ms != 0;
        break;
    }
    case OP_START_NTP:
        x->start_abs_ms = ntp_to_unix_ms(be_uint(v, len));
        x->has_start_abs = x->start_abs_ms != 0;
        break;
    case OP_END_NTP:
        x->end_abs_ms = ntp_to_unix_ms(be_uint(v, len));
        x->has_end_abs = x->end_abs_ms != 0;
        break;
    case OP_SYS_INIT:
        x->sys_init_ms = be_uint(v, len);
        x->has_sys_init = true;
        break;
    case OP_SAMPLING_INTERVAL: x->sampling_interval = (uint32_t)be_uint(v, len); break;
    case OP_PKT_INTERVAL: x->pkt_interval = (uint32_t)be_uint(v, len); break;
    case OP_PKT_SPACE: x->pkt_space = (uint32_t)be_uint(v, len); break;
    case OP_SAMPLER_ID: {
        /* Cisco IOS exports FLOW_SAMPLER_ID 0 for flows that no sampler selected. */
        uint64_t n = be_uint(v, len);
        x->sampler_id = (uint32_t)n;
        x->has_sampler_id = n != 0;
        break;
    }
    case OP_SAMPLING_ALGO: x->has_sampling_algo = be_uint(v, len) != 0; break; /* 0: none */
    case OP_SRC_MAC:
        memcpy(f->src_mac, v, 6);
        f->has_mac = true;
        break;
    case OP_DST_MAC:
        memcpy(f->dst_mac, v, 6);
        f->has_mac = true;
        break;
    }
}

int nfrecord_compile(struct tmpl *t)
{
    t->n_steps = 0;
    if (t->has_varlen)
        return 0; /* offsets vary: such records are read field by field */
    uint32_t offset = 0;
    for (uint16_t i = 0; i < t->n_fields; i++) {
        const struct tmpl_field *fd = &t->fields[i];
        enum field_op op = fd->enterprise ? OP_NONE : field_op(fd->type, fd->len);
        if (op != OP_NONE)
            t->steps[t->n_steps++] = (struct tmpl_step){.offset = (uint16_t)offset,
                                                        .len = (uint8_t)fd->len,
                                                        .op = (uint8_t)op,
                                                        .is_scope = i < t->n_scope};
        offset += fd->len;
    }
    return 0;
}

int nfrecord_read(const struct tmpl *t, struct rd *r, bool scope_is_ie, struct flow *f,
                  struct nfrecord_extra *x)
{
    struct ip_addr exporter = f->exporter;
    uint32_t domain = f->domain;
    *f = (struct flow){.exporter = exporter, .domain = domain};
    *x = (struct nfrecord_extra){0};
    if (!t->has_varlen && rd_left(r) >= t->min_len) {
        /* Fixed-length record, known to fit: run the template's plan over it. */
        const uint8_t *rec = rd_bytes(r, t->min_len);
        for (uint16_t i = 0; i < t->n_steps; i++) {
            const struct tmpl_step *st = &t->steps[i];
            if (!st->is_scope || scope_is_ie)
                apply_op((enum field_op)st->op, rec + st->offset, st->len, f, x);
        }
        return 0;
    }
    for (uint16_t i = 0; i < t->n_fields; i++) {
        const struct tmpl_field *fd = &t->fields[i];
        size_t len = fd->len;
        if (len == TMPL_VARLEN) {
            /* RFC 7011 §7: one length byte, or 255 followed by a two-byte length. */
            len = rd_u8(r);
            if (len == 255)
                len = rd_u16(r);
        }
        const uint8_t *v = rd_bytes(r, len);
        if (r->err)
            return ERR_MALFORMED;
        bool is_scope = i < t->n_scope;
        if (fd->enterprise == 0 && (!is_scope || scope_is_ie))
            apply_op(field_op(fd->type, (uint16_t)len), v, (uint16_t)len, f, x);
    }
    return 0;
}

uint32_t nfrecord_sampling_rate(const struct nfrecord_extra *x)
{
    if (x->sampling_interval)
        return x->sampling_interval;
    /* RFC 5477 §8.2.1: systematic count-based sampling selects pkt_interval packets out of
     * every pkt_interval + pkt_space. */
    if (x->pkt_interval) {
        uint64_t rate = ((uint64_t)x->pkt_interval + x->pkt_space) / x->pkt_interval;
        return rate > UINT32_MAX ? UINT32_MAX : (uint32_t)rate;
    }
    return 0;
}

/* Time of an uptime value. v9 (RFC 3954 §5.1): relative to the header's sysUptime at the
 * export time; the signed difference tolerates uptime wrap after 49.7 days and exporters
 * whose last-switched is slightly after the header's uptime. IPFIX flowStart/EndSysUpTime
 * are relative to systemInitTimeMilliseconds (from the record or an options record). */
static bool record_uptime_ms(uint32_t uptime, const struct nfrecord_extra *x,
                             const struct source *s, const struct nf_timebase *tb, uint64_t *out)
{
    if (tb->uptime_from_header) {
        *out = uptime_to_ms(tb->export_ms, tb->sys_uptime_ms, uptime);
        return true;
    }
    uint64_t init = x->has_sys_init ? x->sys_init_ms : s->sys_init_ms;
    if (init == 0)
        return false;
    *out = init + uptime;
    return true;
}

void nfrecord_finish(struct flow *f, const struct nfrecord_extra *x, struct source *s,
                     const struct nf_timebase *tb)
{
    f->end_ms = tb->export_ms;
    if (x->has_end_abs)
        f->end_ms = x->end_abs_ms;
    else if (x->has_end_uptime)
        (void)record_uptime_ms(x->end_uptime_ms, x, s, tb, &f->end_ms);
    f->start_ms = f->end_ms;
    if (x->has_start_abs)
        f->start_ms = x->start_abs_ms;
    else if (x->has_start_uptime)
        (void)record_uptime_ms(x->start_uptime_ms, x, s, tb, &f->start_ms);

    uint32_t rate = nfrecord_sampling_rate(x);
    if (!rate && x->has_sampler_id)
        rate = source_sampler_rate(s, x->sampler_id);
    if (!rate)
        rate = s->sampling;
    f->sampling = rate;
    if (!rate && (x->has_sampler_id || x->has_sampling_algo)) {
        f->sampled_no_rate = true;
        s->c.sampled_no_rate++;
    }
}

void nfrecord_apply_options(const struct nfrecord_extra *x, struct source *s)
{
    uint32_t rate = nfrecord_sampling_rate(x);
    if (rate) {
        if (x->has_sampler_id)
            source_set_sampler_rate(s, x->sampler_id, rate);
        else
            s->sampling = rate;
    }
    if (x->has_sys_init)
        s->sys_init_ms = x->sys_init_ms;
}

void nfrecord_read_set(const struct tmpl *t, struct rd *r, bool scope_is_ie, struct source *s,
                       const struct nf_timebase *tb, const struct flow_sink *sink)
{
    struct flow f = {.exporter = s->exporter, .domain = s->domain};
    struct nfrecord_extra x;
    /* RFC 3954 §5.3 / RFC 7011 §3.3.1: what is left shorter than a record is padding. */
    while (rd_left(r) >= t->min_len) {
        if (nfrecord_read(t, r, scope_is_ie, &f, &x) != 0) {
            s->c.drop_rec_malformed++;
            return;
        }
        if (t->is_options) {
            nfrecord_apply_options(&x, s);
            s->c.options_records++;
            continue;
        }
        nfrecord_finish(&f, &x, s, tb);
        source_count_record(s, &f);
        flow_sink_emit(sink, &f);
    }
}
