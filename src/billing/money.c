// SPDX-License-Identifier: MIT
// Rounding in 128-bit integers: a month of bytes (< 2^63) times a price in millionths
// (< 2^63) fits in 2^126, so every product is exact before the one division.
#include "money.h"

#include <stdio.h>
#include <string.h>

int64_t money_round_cents(__int128 num, __int128 den)
{
    /* millionths to cents: divide by den * 10^4, adding half the divisor before */
    __int128 d = den * 10000;
    __int128 mag = num < 0 ? -num : num;
    __int128 cents = (2 * mag + d) / (2 * d);
    return (int64_t)(num < 0 ? -cents : cents);
}

int64_t money_tax_cents(int64_t subtotal_cents, int64_t tax_rate_micro)
{
    /* cents times a percentage in millionths, over 100 * 10^6, is cents */
    __int128 num = (__int128)subtotal_cents * tax_rate_micro;
    __int128 d = (__int128)100 * 1000000;
    __int128 mag = num < 0 ? -num : num;
    __int128 cents = (2 * mag + d) / (2 * d);
    return (int64_t)(num < 0 ? -cents : cents);
}

const char *money_decimal(unsigned __int128 num, unsigned __int128 den, int decimals, char *buf)
{
    unsigned __int128 scale = 1;
    for (int i = 0; i < decimals; i++)
        scale *= 10;
    unsigned __int128 v = (2 * num * scale + den) / (2 * den);
    unsigned long long whole = (unsigned long long)(v / scale);
    unsigned long long frac = (unsigned long long)(v % scale);
    if (decimals == 0)
        snprintf(buf, 48, "%llu", whole);
    else
        snprintf(buf, 48, "%llu.%0*llu", whole, decimals, frac);
    return buf;
}
