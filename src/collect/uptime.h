// SPDX-License-Identifier: MIT
// Router uptime arithmetic shared by NetFlow v5 and v9: a record stamped with the exporter's
// sysUptime (ms, 32 bits) is as old as the difference to the header's sysUptime.
#ifndef FT_UPTIME_H
#define FT_UPTIME_H

#include <stdint.h>

/* The wall-clock time of an uptime stamp. The signed 32-bit difference tolerates uptime
 * wrap after 49.7 days and records stamped just after the header (Cisco IOS does this).
 * An exporter without a clock (export time near 0) would give times before 1970: they
 * clamp to 0 rather than wrap. */
static inline uint64_t uptime_to_ms(uint64_t export_ms, uint32_t sys_uptime, uint32_t stamp)
{
    int64_t age = (int32_t)(sys_uptime - stamp);
    if (age > 0 && (uint64_t)age > export_ms)
        return 0;
    return (uint64_t)((int64_t)export_ms - age);
}

#endif
