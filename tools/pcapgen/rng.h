// SPDX-License-Identifier: MIT
// Deterministic pseudo-random numbers for pcapgen. The generator is
// splitmix64: tiny, fast and fully specified, so the same --seed yields a
// byte-identical pcap on every libc and architecture (rand() does not).
// mix64() is the splitmix64 finaliser, used to derive independent
// sub-seeds (per session, per packet) without sharing generator state.

#ifndef PCAPGEN_RNG_H
#define PCAPGEN_RNG_H

#include <stdint.h>

struct rng {
    uint64_t state;
};

void rng_init(struct rng *r, uint64_t seed);
uint64_t rng_next(struct rng *r);
// Uniform-ish integer in [lo, hi]; modulo bias is irrelevant for test data.
uint64_t rng_range(struct rng *r, uint64_t lo, uint64_t hi);
// True with probability percent/100.
int rng_chance(struct rng *r, unsigned percent);
uint64_t mix64(uint64_t x);

#endif
