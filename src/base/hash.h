// SPDX-License-Identifier: MIT
// Integer hashing for the open-addressing tables (aggregation, flow table).
#ifndef FT_HASH_H
#define FT_HASH_H

#include <stdint.h>

/* MurmurHash3's 64-bit finaliser: a bijection that spreads every input bit over the
 * output, so keys compared as integers hash well with a power-of-two mask. */
static inline uint64_t hash_mix64(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

#endif
