// SPDX-License-Identifier: MIT
// Parsing and printing of the quantities operators type: byte sizes ("15GB", "500 MiB",
// "unlimited"), money ("25.00", "0.5") as integer millionths, MAC addresses. Integer
// arithmetic only: bills must not depend on floating-point rounding.
#ifndef FT_UNITS_H
#define FT_UNITS_H

#include <stdbool.h>
#include <stdint.h>

#define UNITS_MICRO 1000000 /* money is stored in millionths of the currency unit */

/* The largest size units_parse_bytes() accepts: stores keep sizes in signed 64-bit integers
 * (SQLite INTEGER, PostgreSQL bigint), where 2^63 would come back negative. 9.2 EB. */
#define UNITS_BYTES_MAX ((uint64_t)INT64_MAX)

/* Parses a byte size: an integer with an optional decimal fraction and unit (B, kB/KB, MB,
 * GB, TB, PB, EB = powers of 1000; KiB, MiB, GiB, TiB, PiB, EiB = powers of 1024), e.g.
 * "15GB", "1.5 TB". Returns 0, ERR_MALFORMED (also for a fraction finer than one byte) or
 * -ERANGE (above UNITS_BYTES_MAX, however many digits). */
int units_parse_bytes(const char *s, uint64_t *out);

/* The largest rate units_parse_rate() accepts, as units_parse_bytes() for the same reason. */
#define UNITS_BPS_MAX ((uint64_t)INT64_MAX)

/* Parses a bit rate: an integer with an optional decimal fraction and a unit, bps, kbps,
 * Mbps or Gbps (powers of 1000, any case; a blank may come before it), e.g. "100Mbps",
 * "1.5 Gbps", into bits per second. The unit is required: a bare number would leave open
 * whether 100 means bps or Mbps. Returns 0, ERR_MALFORMED (also for a fraction of a bit
 * per second) or -ERANGE (above UNITS_BPS_MAX). */
int units_parse_rate(const char *s, uint64_t *bps);

/* Parses a decimal amount with up to 6 decimals into millionths. Returns 0, ERR_MALFORMED,
 * or -ERANGE for a negative amount or one whose millionths pass INT64_MAX
 * (9223372036854.775807). */
int units_parse_money(const char *s, int64_t *micro);

/* Formats millionths as a decimal with at least 2 decimals ("25.00", "0.125"); buf 32. */
const char *units_format_money(int64_t micro, char *buf);

/* Formats cents as a decimal with exactly 2 decimals ("25.00", "-0.05"); buf 32. */
const char *units_format_cents(int64_t cents, char *buf);

/* Parses a MAC address (aa:bb:cc:dd:ee:ff, aa-bb-.., or aabb.ccdd.eeff). Returns 0 or
 * ERR_MALFORMED. */
int units_parse_mac(const char *s, uint8_t mac[6]);

/* The value of a hex digit (either case), or -1. */
int units_hex_value(char c);

/* Formats a MAC as lowercase aa:bb:cc:dd:ee:ff; buf holds 18 bytes. */
const char *units_format_mac(const uint8_t mac[6], char *buf);

/* Formats a byte count with a decimal unit and one decimal, truncated ("999 B", "1.9 kB",
 * "15.0 GB"): what every table, page and chart shows. buf: 32 bytes. Returns buf. */
const char *units_format_bytes(uint64_t bytes, char *buf);

#endif
