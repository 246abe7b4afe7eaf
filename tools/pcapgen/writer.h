// SPDX-License-Identifier: MIT
// Turns a traffic plan into the pcap file, building each frame from its
// descriptor, and accounts every written packet and flow in a tally so
// the expected totals describe exactly what is in the file.

#ifndef PCAPGEN_WRITER_H
#define PCAPGEN_WRITER_H

#include <stdint.h>

#include "plan.h"
#include "tally.h"

// Returns NULL, or an error message (errno describes I/O failures).
const char *write_capture(const struct plan *p, uint32_t start_sec, const char *path,
                          struct tally *t);

#endif
