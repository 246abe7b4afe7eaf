// SPDX-License-Identifier: MIT
// Version sniffing and the allow-list. The allow-list is checked before any decoding so
// that spoofed datagrams cannot create sources or templates (and cannot reach a bill).
#include "decode.h"

#include "../base/err.h"
#include "ipfix.h"
#include "netflow5.h"
#include "netflow9.h"
#include "sflow.h"

#define LOG_TAG "collect"
#include "../base/log.h"

void decoder_init(struct decoder *d, size_t max_sources, size_t max_templates,
                  const struct prefix_trie *allow)
{
    *d = (struct decoder){.allow = allow};
    source_table_init(&d->sources, max_sources, max_templates);
}

void decoder_deinit(struct decoder *d)
{
    source_table_deinit(&d->sources);
}

static void count_failure(struct decoder *d, int rc, const struct ip_addr *exporter)
{
    char text[ADDR_STR_LEN];
    switch (rc) {
    case ERR_TRUNCATED: d->c.drop_pkt_short++; break;
    case ERR_LIMIT:
        d->c.drop_pkt_sources++;
        log_rl_warn("exporter %s refused: max_exporters reached", addr_format(exporter, text));
        break;
    default: d->c.drop_pkt_malformed++; break;
    }
}

/* Counts a datagram and checks it may be decoded: its exporter is allowed and it holds at
 * least a version. */
static bool admit(struct decoder *d, const struct ip_addr *exporter, size_t len)
{
    uint32_t unused;
    d->c.datagrams++;
    d->c.bytes += len;
    if (d->allow && !prefix_trie_lookup(d->allow, exporter, &unused)) {
        char text[ADDR_STR_LEN];
        d->c.drop_pkt_denied++;
        log_rl_warn("datagram from %s dropped: not in the exporters allow-list",
                    addr_format(exporter, text));
        return false;
    }
    if (len < 4) {
        d->c.drop_pkt_short++;
        return false;
    }
    /* One lookup per datagram, not per record: the streams' byte counters renormalise as
     * the classifier does, with the configured rate first. */
    uint32_t rate = 0;
    if (d->sampling && !prefix_trie_lookup(d->sampling, exporter, &rate))
        rate = 0;
    d->sources.rate_override = rate;
    return true;
}

int decoder_feed_sflow(struct decoder *d, const struct ip_addr *exporter, const uint8_t *pkt,
                       size_t len, uint64_t now_ms, const struct flow_sink *sink,
                       const struct sflow_counter_sink *counters)
{
    if (!admit(d, exporter, len))
        return 0;
    int rc = sflow_decode(&d->sources, exporter, pkt, len, now_ms, sink, counters);
    if (rc == ERR_UNSUPPORTED) {
        d->c.drop_pkt_version++;
        return 0;
    }
    if (rc < 0) {
        count_failure(d, rc, exporter);
        return 0;
    }
    return rc;
}

int decoder_feed(struct decoder *d, const struct ip_addr *exporter, const uint8_t *pkt, size_t len,
                 const struct flow_sink *sink)
{
    if (!admit(d, exporter, len))
        return 0;
    int rc;
    switch (pkt[0] << 8 | pkt[1]) {
    case 5: rc = netflow5_decode(&d->sources, exporter, pkt, len, sink); break;
    case 9: rc = netflow9_decode(&d->sources, exporter, pkt, len, sink); break;
    case 10: rc = ipfix_decode(&d->sources, exporter, pkt, len, sink); break;
    default: d->c.drop_pkt_version++; return 0;
    }
    if (rc < 0) {
        count_failure(d, rc, exporter);
        return 0;
    }
    return rc;
}
