// SPDX-License-Identifier: MIT
// The collector's figures as Prometheus reads them (the text exposition format, version
// 0.0.4): each exporter's health (health.h: last seen, records, bytes and datagrams per
// second over the last flush interval, the share lost in the hour, silent or not) as
// gauges, and every counter of `flowtally stats --counters` as a counter
// flowtally_NAME_total with the stream as labels. Served by the portal at /metrics to the
// addresses metrics_allow lists, and printed by `flowtally stats --format prometheus` for
// node_exporter's textfile collector: one rendering for both.
#ifndef FT_METRICS_H
#define FT_METRICS_H

#include "../store/store.h"

#include <stdint.h>
#include <stdio.h>

/* Writes the metrics of the store s, judged at now_ms with the default silent-after, to
 * out. Returns 0, or a negative code with a message in errbuf (ERR_BUF_LEN); out then
 * holds part of them. */
int metrics_write(struct store *s, uint64_t now_ms, FILE *out, char *errbuf);

/* Writes text as the value of a label: \, " and line feed escaped as the format asks. */
void metrics_label_value(const char *text, FILE *out);

#endif
