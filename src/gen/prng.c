// SPDX-License-Identifier: MIT
// Small deterministic pseudo-random generator (splitmix64). flowgen derives
// every generated value from the user's seed through this generator, so the
// same command line always produces byte-identical datagrams and CSV on any
// platform; libc rand() is avoided because its sequence is implementation
// defined.
#include "gen.h"

void prng_seed(struct prng *p, uint64_t seed)
{
    p->state = seed;
}

// splitmix64: a Weyl sequence scrambled by two xor-shift-multiply rounds.
// Every seed (including 0) gives a full-period, well-mixed stream.
uint64_t prng_next(struct prng *p)
{
    uint64_t z;

    p->state += 0x9e3779b97f4a7c15ull;
    z = p->state;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

// Uniform-enough value in [lo, hi]. Plain modulo is used on purpose: the bias
// is at most span/2^64, invisible for the small spans used here, and it keeps
// the sequence trivially reproducible by a reimplementation in another tool.
uint64_t prng_range(struct prng *p, uint64_t lo, uint64_t hi)
{
    if (lo == 0 && hi == UINT64_MAX) // span would wrap to 0
        return prng_next(p);
    return lo + prng_next(p) % (hi - lo + 1);
}
