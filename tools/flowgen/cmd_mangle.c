// SPDX-License-Identifier: MIT
// `flowgen mangle`: turns a valid stream into malformed datagrams of the kinds
// that break collectors: random bytes of an unknown version, truncations, and
// header or set length fields overwritten with lies (0, 1, 0xffff or random).
// Deterministic from the seed. Each output datagram carries 0 records.
#include "flowgen.h"

#include <stdlib.h>
#include <string.h>

enum { OPT_IN, OPT_OUT, OPT_SEED, OPT_COUNT_N, OPT_N };

enum mangle_kind {
    MANGLE_RANDOM,   // random bytes; first byte 0xff, an unknown version
    MANGLE_TRUNCATE, // a valid datagram cut short
    MANGLE_HEADER,   // the count / length word of the header lies
    MANGLE_WORD,     // a 16-bit word after the header lies
    MANGLE_VERSION,  // an unknown version on valid content
    MANGLE_KINDS
};

static uint16_t lie(struct prng *rng)
{
    static const uint16_t lies[] = {0, 1, 3, 4, 5, 0x7fff, 0xfffe, 0xffff};

    if (prng_range(rng, 0, 1))
        return (uint16_t)prng_range(rng, 0, 0xffff);
    return lies[prng_range(rng, 0, sizeof(lies) / sizeof(lies[0]) - 1)];
}

// Builds one malformed datagram into buf from a valid source datagram.
static uint32_t mangle_one(struct prng *rng, const struct dgram_entry *e, uint8_t *buf)
{
    uint32_t len = e->len;
    enum mangle_kind kind = (enum mangle_kind)prng_range(rng, 0, MANGLE_KINDS - 1);

    memcpy(buf, e->bytes, len);
    switch (kind) {
    case MANGLE_RANDOM:
        len = (uint32_t)prng_range(rng, 1, FLOWGEN_MAX_DGRAM);
        for (uint32_t i = 0; i < len; i++)
            buf[i] = (uint8_t)prng_next(rng);
        buf[0] = 0xff;
        break;
    case MANGLE_TRUNCATE: len = (uint32_t)prng_range(rng, 1, len - 1); break;
    case MANGLE_HEADER: wire_store_u16(buf + 2, lie(rng)); break;
    case MANGLE_WORD: {
        uint32_t at = (uint32_t)prng_range(rng, 16, len - 2) & ~1u;

        wire_store_u16(buf + at, lie(rng));
        break;
    }
    case MANGLE_VERSION: wire_store_u16(buf, (uint16_t)prng_range(rng, 11, 0xffff)); break;
    default: break;
    }
    return len;
}

int cmd_mangle(int argc, char **argv)
{
    struct cli_option o[OPT_N] = {{"in", NULL}, {"out", NULL}, {"seed", NULL}, {"count", NULL}};
    struct dgram_file f;
    struct prng rng;
    uint8_t buf[FLOWGEN_MAX_DGRAM];
    uint64_t count;
    FILE *out;
    int rc = 0;

    cli_parse(argc, argv, o, OPT_N);
    if (!o[OPT_IN].value)
        cli_fail("--in", "FILE.dgrams (required)", NULL);
    if (!o[OPT_OUT].value)
        cli_fail("--out", "FILE.dgrams (required)", NULL);
    prng_seed(&rng, o[OPT_SEED].value ? cli_u64("--seed", o[OPT_SEED].value, 0, UINT64_MAX) : 1);
    count = o[OPT_COUNT_N].value ? cli_u64("--count", o[OPT_COUNT_N].value, 1, 10000000) : 1000;
    if (dgram_load(o[OPT_IN].value, &f) != 0)
        return FLOWGEN_EXIT_RUNTIME;
    out = fopen(o[OPT_OUT].value, "wb");
    if (!out) {
        perror(o[OPT_OUT].value);
        dgram_unload(&f);
        return FLOWGEN_EXIT_RUNTIME;
    }
    for (uint64_t i = 0; i < count && rc == 0; i++) {
        const struct dgram_entry *e = &f.entries[i % f.count];

        if (e->len < 20 || e->len > FLOWGEN_MAX_DGRAM)
            continue;
        rc = dgram_write(out, buf, mangle_one(&rng, e, buf), 0);
    }
    if (fclose(out) != 0)
        rc = -1;
    dgram_unload(&f);
    return rc == 0 ? 0 : FLOWGEN_EXIT_RUNTIME;
}
