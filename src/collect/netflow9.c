// SPDX-License-Identifier: MIT
// NetFlow v9 (RFC 3954): a 20-byte header, then FlowSets. FlowSet id 0 carries templates,
// id 1 options templates, ids >= 256 data records of that template. Data arriving before
// its template is dropped and counted (drop_set_no_template), not held: exporters resend
// templates periodically and holding unparsed data would let an exporter fill our memory.
#include "netflow9.h"

#include "../base/err.h"
#include "../base/rd.h"
#include "nfrecord.h"

enum { V9_SET_TEMPLATE = 0, V9_SET_OPTIONS_TEMPLATE = 1, V9_SET_DATA_MIN = 256 };

/* RFC 3954 §5.2: template records are (id, field count, count x (type, length)). */
static void read_templates(struct source *s, struct rd *r)
{
    while (rd_left(r) >= 4) {
        uint16_t id = rd_u16(r), n = rd_u16(r);
        if (id < V9_SET_DATA_MIN || n == 0 || n > TMPL_MAX_FIELDS) {
            s->c.drop_template_invalid++;
            return; /* the record's extent is unknown: the rest of the set is lost */
        }
        if (rd_left(r) < (size_t)n * 4) {
            s->c.drop_set_malformed++;
            return;
        }
        struct tmpl *t = tmpl_new(id, n);
        for (uint16_t i = 0; i < n; i++) {
            t->fields[i].type = rd_u16(r);
            t->fields[i].len = rd_u16(r);
            if (t->fields[i].len == TMPL_VARLEN) /* v9 has no variable-length fields */
                t->fields[i].len = 0;
        }
        source_add_template(s, t);
    }
}

/* RFC 3954 §6.1: options templates give scope and option lengths in bytes. */
static void read_options_templates(struct source *s, struct rd *r)
{
    while (rd_left(r) >= 10) {
        uint16_t id = rd_u16(r), scope_len = rd_u16(r), opt_len = rd_u16(r);
        size_t n = ((size_t)scope_len + opt_len) / 4;
        if (id < V9_SET_DATA_MIN || scope_len % 4 || opt_len % 4 || n == 0 || n > TMPL_MAX_FIELDS) {
            s->c.drop_template_invalid++;
            return;
        }
        if (rd_left(r) < n * 4) {
            s->c.drop_set_malformed++;
            return;
        }
        struct tmpl *t = tmpl_new(id, (uint16_t)n);
        t->is_options = true;
        t->n_scope = scope_len / 4;
        for (size_t i = 0; i < n; i++) {
            t->fields[i].type = rd_u16(r);
            t->fields[i].len = rd_u16(r);
            if (t->fields[i].len == TMPL_VARLEN)
                t->fields[i].len = 0;
        }
        source_add_template(s, t);
    }
}

int netflow9_decode(struct source_table *sources, const struct ip_addr *exporter,
                    const uint8_t *pkt, size_t len, const struct flow_sink *sink)
{
    struct rd r = rd_make(pkt, len);
    rd_u16(&r); /* version, checked by the caller */
    rd_u16(&r); /* count: records of all kinds; not needed to walk the sets */
    uint32_t sys_uptime = rd_u32(&r), unix_secs = rd_u32(&r);
    uint32_t seq = rd_u32(&r), source_id = rd_u32(&r);
    if (r.err)
        return ERR_TRUNCATED;
    struct source *s = source_get(sources, exporter, 9, source_id);
    if (!s)
        return ERR_LIMIT;
    s->c.packets++;
    source_check_seq(s, seq, 1); /* v9 counts export packets, not records */

    struct nf_timebase tb = {.export_ms = (uint64_t)unix_secs * 1000,
                             .uptime_from_header = true,
                             .sys_uptime_ms = sys_uptime};
    uint64_t records_before = s->c.records;
    while (rd_left(&r) > 0) {
        uint16_t set_id = rd_u16(&r), set_len = rd_u16(&r);
        if (r.err || set_len < 4 || set_len - 4u > rd_left(&r)) {
            s->c.drop_set_malformed++;
            break; /* the set's extent is a lie: nothing after it can be trusted */
        }
        struct rd body = rd_sub(&r, set_len - 4u);
        if (set_id == V9_SET_TEMPLATE) {
            read_templates(s, &body);
        } else if (set_id == V9_SET_OPTIONS_TEMPLATE) {
            read_options_templates(s, &body);
        } else if (set_id >= V9_SET_DATA_MIN) {
            const struct tmpl *t = tmpl_find(&s->templates, set_id);
            if (t)
                nfrecord_read_set(t, &body, false, s, &tb, sink);
            else
                s->c.drop_set_no_template++;
        }
        /* Set ids 2..255 are reserved (RFC 3954 §5.3): skipped by their length. */
    }
    return (int)(s->c.records - records_before);
}
