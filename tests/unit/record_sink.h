// SPDX-License-Identifier: MIT
// A flow_sink for tests that keeps copies of the flows it receives, and the fixture of the
// stateful decoder tests.
#ifndef FT_RECORD_SINK_H
#define FT_RECORD_SINK_H

#include "../../src/collect/source.h"
#include "../../src/flow/flow.h"

#include <stddef.h>

#define RECORD_SINK_MAX 64

struct record_sink {
    struct flow flows[RECORD_SINK_MAX];
    size_t n;
};

static inline void record_sink_emit(void *ctx, const struct flow *f)
{
    struct record_sink *rs = ctx;
    if (rs->n < RECORD_SINK_MAX)
        rs->flows[rs->n] = *f;
    rs->n++;
}

static inline struct flow_sink record_sink_of(struct record_sink *rs)
{
    return (struct flow_sink){record_sink_emit, rs};
}

/* The state a stateful decoder test needs: a source table, a recording sink, an exporter. */
struct decoder_fixture {
    struct source_table st;
    struct record_sink rs;
    struct flow_sink sink;
    struct ip_addr exporter;
};

static inline void decoder_fixture_init(struct decoder_fixture *fx, size_t max_templates,
                                        const char *exporter)
{
    source_table_init(&fx->st, 8, max_templates);
    fx->rs.n = 0;
    fx->sink = record_sink_of(&fx->rs);
    addr_parse(exporter, &fx->exporter);
}

#endif
