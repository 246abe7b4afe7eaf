// SPDX-License-Identifier: MIT
// IPFIX (RFC 7011): a 16-byte message header, then sets. Set id 2 carries templates, 3
// options templates, >= 256 data records. Field specifiers may carry an enterprise number
// (§3.2) and a length of 65535 for variable-length fields (§7). A template record with no
// fields withdraws a template (§8.1). As for v9, data sets without a template are dropped
// and counted rather than held.
#include "ipfix.h"

#include "../base/err.h"
#include "../base/rd.h"
#include "nfrecord.h"

#include <stdlib.h>

enum { IPFIX_SET_TEMPLATE = 2, IPFIX_SET_OPTIONS_TEMPLATE = 3, IPFIX_SET_DATA_MIN = 256 };

#define IPFIX_ENTERPRISE_BIT 0x8000

/* Reads n field specifiers (§3.2) into t. Returns false if the set ends first. */
static bool read_fields(struct rd *r, struct tmpl *t)
{
    for (uint16_t i = 0; i < t->n_fields; i++) {
        uint16_t ie = rd_u16(r);
        t->fields[i].len = rd_u16(r);
        t->fields[i].type = ie & ~IPFIX_ENTERPRISE_BIT;
        t->fields[i].enterprise = ie & IPFIX_ENTERPRISE_BIT ? rd_u32(r) : 0;
        /* An enterprise number of 0 would make the field look like an IANA one. */
        if (ie & IPFIX_ENTERPRISE_BIT && t->fields[i].enterprise == 0)
            t->fields[i].enterprise = UINT32_MAX;
    }
    return !r->err;
}

/* Handles a template set (§3.4.1) or options template set (§3.4.2). */
static void read_templates(struct source *s, struct rd *r, bool is_options)
{
    while (rd_left(r) >= 4) {
        uint16_t id = rd_u16(r), n = rd_u16(r);
        if (id == 0 && n == 0)
            return; /* padding at the end of the set (§3.3.1) */
        if (n == 0) {
            /* §8.1: withdrawal; the set's own id withdraws every template of its kind
             * (2: templates, 3: options templates). */
            uint16_t set_id = is_options ? IPFIX_SET_OPTIONS_TEMPLATE : IPFIX_SET_TEMPLATE;
            if (id == set_id)
                tmpl_remove_all(&s->templates, is_options);
            else if (id >= IPFIX_SET_DATA_MIN)
                tmpl_remove(&s->templates, id);
            else
                s->c.drop_template_invalid++;
            continue;
        }
        uint16_t n_scope = is_options ? rd_u16(r) : 0;
        if (id < IPFIX_SET_DATA_MIN || n > TMPL_MAX_FIELDS || (is_options && n_scope == 0) ||
            n_scope > n) {
            s->c.drop_template_invalid++;
            return; /* the record's extent is unknown: the rest of the set is lost */
        }
        struct tmpl *t = tmpl_new(id, n);
        t->is_options = is_options;
        t->n_scope = n_scope;
        if (!read_fields(r, t)) {
            s->c.drop_set_malformed++;
            free(t);
            return;
        }
        source_add_template(s, t);
    }
}

int ipfix_decode(struct source_table *sources, const struct ip_addr *exporter, const uint8_t *pkt,
                 size_t len, const struct flow_sink *sink)
{
    struct rd r = rd_make(pkt, len);
    rd_u16(&r); /* version, checked by the caller */
    uint16_t msg_len = rd_u16(&r);
    uint32_t export_secs = rd_u32(&r), seq = rd_u32(&r), domain = rd_u32(&r);
    if (r.err)
        return ERR_TRUNCATED;
    if (msg_len < IPFIX_HEADER_LEN || msg_len > len)
        return ERR_MALFORMED;
    r.end = pkt + msg_len; /* bytes after the message are not ours to read */
    struct source *s = source_get(sources, exporter, 10, domain);
    if (!s)
        return ERR_LIMIT;
    s->c.packets++;

    struct nf_timebase tb = {.export_ms = (uint64_t)export_secs * 1000};
    uint64_t records_before = s->c.records, options_before = s->c.options_records;
    bool all_sets_known = true;
    while (rd_left(&r) > 0) {
        uint16_t set_id = rd_u16(&r), set_len = rd_u16(&r);
        if (r.err || set_len < 4 || set_len - 4u > rd_left(&r)) {
            s->c.drop_set_malformed++;
            all_sets_known = false;
            break; /* the set's extent is a lie: nothing after it can be trusted */
        }
        struct rd body = rd_sub(&r, set_len - 4u);
        if (set_id == IPFIX_SET_TEMPLATE || set_id == IPFIX_SET_OPTIONS_TEMPLATE) {
            read_templates(s, &body, set_id == IPFIX_SET_OPTIONS_TEMPLATE);
        } else if (set_id >= IPFIX_SET_DATA_MIN) {
            const struct tmpl *t = tmpl_find(&s->templates, set_id);
            if (t) {
                nfrecord_read_set(t, &body, true, s, &tb, sink);
            } else {
                s->c.drop_set_no_template++;
                all_sets_known = false;
            }
        }
    }
    /* §3.1: the sequence number counts data records sent before this message, so the next
     * one can only be predicted when every data set here could be counted. */
    uint32_t n_data =
        (uint32_t)(s->c.records - records_before + s->c.options_records - options_before);
    /* softflowd 1.1.0 counts this message's own records in its sequence number; its
     * numbering is consistent in itself, so accept it rather than report false losses. */
    if (s->seq_valid && seq != s->seq_next && seq == s->seq_last + n_data)
        s->seq_next = seq;
    source_check_seq(s, seq, n_data);
    if (!all_sets_known)
        s->seq_valid = false;
    return (int)(s->c.records - records_before);
}
