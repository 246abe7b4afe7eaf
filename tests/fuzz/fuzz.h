// SPDX-License-Identifier: MIT
// Shared by the fuzz targets: the input format (datagrams each prefixed by a 2-byte
// big-endian length, a short final chunk being the rest), a copy of each datagram into a
// buffer of exactly its size so AddressSanitizer sees any read past its end, and invariant
// checks on emitted flows and on the decoders' state. A violated invariant prints what
// failed and traps, which libFuzzer and the replay driver both report as a crash.
#ifndef FT_FUZZ_H
#define FT_FUZZ_H

#include "../../src/base/err.h"
#include "../../src/collect/source.h"
#include "../../src/collect/templates.h"
#include "../../src/flow/flow.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Caps small enough that a few datagrams reach them, so the refusal paths are fuzzed too. */
#define FUZZ_MAX_SOURCES 4
#define FUZZ_MAX_TEMPLATES 16

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fuzz_fail(#cond, __FILE__, __LINE__);                                                  \
    } while (0)

/* Prints first, because a bare trap would leave only a stack trace to guess from. */
__attribute__((noreturn, unused)) static void fuzz_fail(const char *what, const char *file,
                                                        int line)
{
    fprintf(stderr, "fuzz invariant violated at %s:%d: %s\n", file, line, what);
    fflush(stderr);
    __builtin_trap();
}

/* ---- input splitting ---------------------------------------------------------------- */

struct dgram_iter {
    const uint8_t *p;
    size_t left;
};

struct dgram {
    uint8_t *buf; /* owned, exactly len bytes (a fresh allocation even for len 0) */
    size_t len;
};

static inline struct dgram_iter dgram_iter_make(const uint8_t *data, size_t size)
{
    return (struct dgram_iter){.p = data, .left = size};
}

/* Cuts the next datagram off the input and copies it into its own allocation: slices of
 * the input would let an over-read land silently in the next length prefix. A length
 * longer than what is left, or a lone trailing byte, yields the rest, so no input byte is
 * ignored and a truncated datagram is one mutation away. Returns false at the end. */
static inline bool dgram_next(struct dgram_iter *it, struct dgram *d)
{
    if (it->left == 0)
        return false;
    size_t len = it->left;
    if (it->left >= 2) {
        size_t want = (size_t)it->p[0] << 8 | it->p[1];
        it->p += 2;
        it->left -= 2;
        len = want < it->left ? want : it->left;
    }
    /* malloc(0) under ASan is a real zero-byte chunk, so even a 1-byte read of an empty
     * datagram is reported. */
    d->buf = malloc(len);
    if (!d->buf)
        abort();
    if (len)
        memcpy(d->buf, it->p, len);
    d->len = len;
    it->p += len;
    it->left -= len;
    return true;
}

static inline void dgram_free(struct dgram *d)
{
    free(d->buf);
    d->buf = NULL;
}

static inline uint16_t be16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* ---- flow checks -------------------------------------------------------------------- */

/* What every sink checks, whatever the protocol. */
static inline void fuzz_check_flow_common(const struct flow *f, const struct ip_addr *exporter)
{
    FUZZ_CHECK(addr_eq(&f->exporter, exporter));
    /* A rate and "sampled at an unknown rate" contradict each other. */
    FUZZ_CHECK(!f->sampled_no_rate || f->sampling == 0);
    /* Every decoder starts from a zeroed flow, so MACs it did not set stay zero; a non-zero
     * one without has_mac would be data left over from an earlier record. */
    if (!f->has_mac) {
        static const uint8_t zero[6];
        FUZZ_CHECK(memcmp(f->src_mac, zero, 6) == 0 && memcmp(f->dst_mac, zero, 6) == 0);
    }
}

/* Order-sensitive digest of every field but the exporter, to compare the flows two
 * exporters got from the same datagrams (FNV-1a over fields, not over the struct, whose
 * padding bytes are not guaranteed to be copied). */
static inline uint64_t fuzz_mix(uint64_t h, uint64_t v)
{
    for (int i = 0; i < 8; i++) {
        h ^= (v >> (8 * i)) & 0xff;
        h *= 0x100000001b3ULL;
    }
    return h;
}

static inline uint64_t fuzz_flow_digest(uint64_t h, const struct flow *f)
{
    h = fuzz_mix(h, f->domain);
    h = fuzz_mix(h, f->sampling);
    h = fuzz_mix(h, f->start_ms);
    h = fuzz_mix(h, f->end_ms);
    h = fuzz_mix(h, addr_hi(&f->src));
    h = fuzz_mix(h, addr_lo(&f->src));
    h = fuzz_mix(h, addr_hi(&f->dst));
    h = fuzz_mix(h, addr_lo(&f->dst));
    h = fuzz_mix(h, (uint64_t)f->src_port << 16 | f->dst_port);
    h = fuzz_mix(h, (uint64_t)f->protocol << 24 | (uint64_t)f->tcp_flags << 16 |
                        (uint64_t)f->has_mac << 8 | f->sampled_no_rate);
    h = fuzz_mix(h, f->bytes);
    h = fuzz_mix(h, f->packets);
    h = fuzz_mix(h, (uint64_t)f->in_if << 32 | f->out_if);
    for (int i = 0; i < 6; i++)
        h = fuzz_mix(h, (uint64_t)f->src_mac[i] << 8 | f->dst_mac[i]);
    return h;
}

/* ---- state checks ------------------------------------------------------------------- */

/* Checks one template table against what the decoders promise to store: only valid
 * templates (ids >= 256, 1..TMPL_MAX_FIELDS fields, no zero length, a consistent min_len),
 * each in the slot of its own id, and a count that matches the slots and respects the cap.
 * White-box on purpose: a miscounted table or a template in the wrong slot corrupts later
 * datagrams long before anything crashes. */
static inline void fuzz_check_templates(const struct tmpl_table *tt, uint8_t version)
{
    size_t n = 0;
    for (size_t p = 0; p < 256; p++) {
        struct tmpl *const *page = tt->pages[p];
        if (!page)
            continue;
        for (size_t i = 0; i < 256; i++) {
            const struct tmpl *t = page[i];
            if (!t)
                continue;
            n++;
            FUZZ_CHECK(t->id == (uint16_t)(p << 8 | i));
            FUZZ_CHECK(t->id >= 256);
            FUZZ_CHECK(t->n_fields >= 1 && t->n_fields <= TMPL_MAX_FIELDS);
            FUZZ_CHECK(t->n_scope <= t->n_fields);
            FUZZ_CHECK(t->is_options || t->n_scope == 0);
            uint32_t min_len = 0;
            for (uint16_t k = 0; k < t->n_fields; k++) {
                const struct tmpl_field *fd = &t->fields[k];
                FUZZ_CHECK(fd->len != 0);
                /* v9 has neither variable-length fields nor enterprise numbers. */
                if (version == 9)
                    FUZZ_CHECK(fd->len != TMPL_VARLEN && fd->enterprise == 0);
                min_len += fd->len == TMPL_VARLEN ? 1 : fd->len;
            }
            FUZZ_CHECK(t->min_len == min_len && min_len >= 1);
        }
    }
    FUZZ_CHECK(n == tt->n);
    FUZZ_CHECK(tt->n <= tt->max);
}

static inline void fuzz_check_sources(const struct source_table *st)
{
    FUZZ_CHECK(st->cap >= 1 && (st->cap & (st->cap - 1)) == 0);
    FUZZ_CHECK(st->n <= st->max_sources);
    /* Open addressing needs free slots to end a probe; the table grows at half full. */
    FUZZ_CHECK(st->n * 2 <= st->cap);
    size_t n = 0;
    for (size_t i = 0; i < st->cap; i++) {
        const struct source *s = &st->slots[i];
        if (!s->in_use)
            continue;
        n++;
        FUZZ_CHECK(s->version == 5 || s->version == 9 || s->version == 10);
        FUZZ_CHECK(s->n_samplers <= SOURCE_MAX_SAMPLERS);
        FUZZ_CHECK(s->templates.max == st->max_templates);
        fuzz_check_templates(&s->templates, s->version);
        if (s->version == 5)
            FUZZ_CHECK(s->templates.n == 0 && s->domain <= 0xffff);
    }
    FUZZ_CHECK(n == st->n);
}

/* True for the codes a decoder may return when it drops a whole datagram. */
static inline bool fuzz_is_drop_code(int rc)
{
    return rc == ERR_TRUNCATED || rc == ERR_MALFORMED || rc == ERR_LIMIT;
}

#endif
