// SPDX-License-Identifier: MIT
// splitmix64 generator (Steele, Lea, Flood 2014) used for every random
// choice pcapgen makes. Keeping our own generator instead of rand() is
// what makes the output reproducible from --seed alone, which the interop
// tests rely on when they compare collector totals with pcapgen's.

#include "rng.h"

uint64_t mix64(uint64_t x)
{
    x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

void rng_init(struct rng *r, uint64_t seed)
{
    r->state = seed;
}

uint64_t rng_next(struct rng *r)
{
    r->state += UINT64_C(0x9e3779b97f4a7c15);
    return mix64(r->state);
}

uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi)
{
    uint64_t span = hi - lo + 1;

    // span == 0 only when the caller asks for the full 64-bit range.
    if (span == 0)
        return rng_next(r);
    return lo + rng_next(r) % span;
}

int rng_chance(struct rng *r, unsigned percent)
{
    return rng_next(r) % 100 < percent;
}
