// SPDX-License-Identifier: MIT
// Exact money arithmetic for bills: an amount is a fraction (numerator / denominator, both
// integers, the numerator in millionths of the currency times whatever the quantity's
// denominator is), rounded half-up to cents exactly once. No floating point anywhere.
#ifndef FT_MONEY_H
#define FT_MONEY_H

#include <stdint.h>

/* num / den millionths, rounded half away from zero to cents (den > 0). A half cent
 * rounds up for a charge and down for a credit, so a credit of what a charge cost is
 * exactly its negative. */
int64_t money_round_cents(__int128 num, __int128 den);

/* Tax on a subtotal: subtotal_cents * rate_micro percent-millionths, rounded half away
 * from zero to cents. */
int64_t money_tax_cents(int64_t subtotal_cents, int64_t tax_rate_micro);

/* num / den (num >= 0, den > 0) as a decimal with `decimals` digits, rounded half-up,
 * trailing zeros kept ("12.345000000"); buf: 48 bytes. Returns buf. */
const char *money_decimal(unsigned __int128 num, unsigned __int128 den, int decimals, char *buf);

#endif
