// SPDX-License-Identifier: MIT
// Observation points that bill. When several routers export the same traffic (a core and
// an edge router), the operator names the exporters, and optionally their boundary
// interfaces (ifIndex), whose flows count; flows seen elsewhere are counted in statistics
// but not billed. With no points configured every exporter counts.
#ifndef FT_POINTS_H
#define FT_POINTS_H

#include "../base/addr.h"

#include <stdbool.h>
#include <stdint.h>

struct billing_points;

/* Parses a list of "ADDR" or "ADDR@IFINDEX" items (comma-separated). Returns a new set
 * (caller frees with points_free()), or NULL for an empty list or a malformed item (then
 * *bad points at the offending item, copied into badbuf). */
struct billing_points *points_parse(const char *list, char *badbuf, size_t badsize, bool *bad);
void points_free(struct billing_points *p);

/* Whether a flow from exporter with these interfaces counts. */
bool points_count(const struct billing_points *p, const struct ip_addr *exporter, uint32_t in_if,
                  uint32_t out_if);

#endif
