// SPDX-License-Identifier: MIT
// A flow_sink for tests that keeps copies of the flows it receives.
#ifndef FT_RECORD_SINK_H
#define FT_RECORD_SINK_H

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

#endif
