// SPDX-License-Identifier: MIT
// What NetFlow v9 FlowSets (RFC 3954 §5) and IPFIX sets (RFC 7011 §3.3) have in common,
// written once for both encoders: a set is an id and a length, then records, padded to 4
// bytes; a template record is an id, a field count and (id, length) pairs; a flow record
// starts with its two addresses, IPv4 or IPv6.
#include "gen.h"

void sets_close(struct wire_buf *w, size_t start)
{
    wire_pad4(w);
    wire_patch_u16(w, start + 2, (uint16_t)(w->len - start));
}

/* One template record: the IPv4 layout, or the IPv6 one (its first two fields replaced). */
static void template_record(struct wire_buf *w, const struct sets_field *fields, size_t n,
                            const struct sets_field *v6_addrs, bool v6)
{
    wire_u16(w, v6 ? FLOWGEN_DATA_V6_TEMPLATE_ID : FLOWGEN_DATA_TEMPLATE_ID);
    wire_u16(w, (uint16_t)n);
    for (size_t i = 0; i < n; i++) {
        const struct sets_field *f = v6 && i < 2 ? &v6_addrs[i] : &fields[i];
        wire_u16(w, f->id);
        wire_u16(w, f->len);
    }
}

uint32_t sets_template(struct wire_buf *w, uint16_t set_id, const struct sets_field *fields,
                       size_t n, const struct sets_field *v6_addrs, enum export_families families)
{
    size_t start = w->len;
    uint32_t records = 0;
    wire_u16(w, set_id);
    wire_u16(w, 0);
    if (families != EXPORT_V6) {
        template_record(w, fields, n, v6_addrs, false);
        records++;
    }
    if (families != EXPORT_V4) {
        template_record(w, fields, n, v6_addrs, true);
        records++;
    }
    sets_close(w, start);
    return records;
}

void sets_addresses(struct wire_buf *w, const struct flow_record *r)
{
    if (r->is_v6) {
        wire_bytes(w, r->src_v6, 16);
        wire_bytes(w, r->dst_v6, 16);
    } else {
        wire_u32(w, r->src_addr);
        wire_u32(w, r->dst_addr);
    }
}
