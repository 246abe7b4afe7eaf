// SPDX-License-Identifier: MIT
// Tests of base/md5.c: the RFC 1321 appendix A.5 test suite, a 1,000,000-byte input, runs
// of 'a' around the padding boundaries (55/56 and 63/64/65 bytes), and incremental updates
// split at every offset giving the one-shot digest.
#include "../../../src/base/md5.h"
#include "test.h"

#include <stdlib.h>

/* Parses 32 hex digits; the expected digests are written as md5sum prints them. */
static void hex16(const char *hex, uint8_t out[MD5_DIGEST_LEN])
{
    for (int i = 0; i < MD5_DIGEST_LEN; i++) {
        char byte[3] = {hex[2 * i], hex[2 * i + 1], '\0'};
        out[i] = (uint8_t)strtoul(byte, NULL, 16);
    }
}

static void check_digest(const void *data, size_t len, const char *want_hex)
{
    uint8_t got[MD5_DIGEST_LEN], want[MD5_DIGEST_LEN];
    hex16(want_hex, want);
    md5_digest(data, len, got);
    if (memcmp(got, want, MD5_DIGEST_LEN) != 0)
        TEST_FAIL("MD5 of %zu bytes differs from %s", len, want_hex);
}

static void test_rfc1321_suite(void)
{
    /* RFC 1321, appendix A.5. */
    static const struct {
        const char *text;
        const char *md5;
    } cases[] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
         "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"1234567890123456789012345678901234567890123456789012345678901234567890123456789"
         "0",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_digest(cases[i].text, strlen(cases[i].text), cases[i].md5);
}

static void test_padding_boundaries(void)
{
    /* Digests of n bytes of 'a', from `head -c n /dev/zero | tr '\0' a | md5sum`: 55 bytes
     * pad in one block, 56 to 63 need a second one, 64 is a whole block. */
    static const struct {
        size_t n;
        const char *md5;
    } cases[] = {
        {55, "ef1772b6dff9a122358552954ad0df65"},  {56, "3b0c8ac703f828b04c6c197006d17218"},
        {63, "b06521f39153d618550606be297466d5"},  {64, "014842d480b571495a4a0363793f7367"},
        {65, "c743a45e0d2e6a95cb859adae0248435"},  {119, "8a7bd0732ed6a28ce75f6dabc90e1613"},
        {120, "5f61c0ccad4cac44c75ff505e1f1e537"}, {128, "e510683b3f5ffe4093d021808bc6ff70"},
    };
    uint8_t a[128];
    memset(a, 'a', sizeof a);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_digest(a, cases[i].n, cases[i].md5);
}

static void test_million_a(void)
{
    /* From `head -c 1000000 /dev/zero | tr '\0' a | md5sum`. Fed in uneven chunks so the
     * partial-block path runs many times. */
    static uint8_t a[1000000];
    memset(a, 'a', sizeof a);
    check_digest(a, sizeof a, "7707d6ae4e027c70eea2a935c2296f21");
    struct md5_ctx m;
    md5_init(&m);
    for (size_t off = 0, step = 1; off < sizeof a; off += step, step = step % 997 + 1)
        md5_update(&m, a + off, step < sizeof a - off ? step : sizeof a - off);
    uint8_t got[MD5_DIGEST_LEN], want[MD5_DIGEST_LEN];
    md5_final(&m, got);
    hex16("7707d6ae4e027c70eea2a935c2296f21", want);
    ASSERT_MEMEQ(got, want, MD5_DIGEST_LEN);
}

static void test_incremental_splits(void)
{
    /* Every split point of a 200-byte input, in two and in three pieces (one empty), gives
     * the one-shot digest. */
    uint8_t data[200];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 37 + 11);
    uint8_t want[MD5_DIGEST_LEN];
    md5_digest(data, sizeof data, want);
    for (size_t cut = 0; cut <= sizeof data; cut++) {
        struct md5_ctx m;
        uint8_t got[MD5_DIGEST_LEN];
        md5_init(&m);
        md5_update(&m, data, cut);
        md5_update(&m, NULL, 0);
        md5_update(&m, data + cut, sizeof data - cut);
        md5_final(&m, got);
        if (memcmp(got, want, MD5_DIGEST_LEN) != 0)
            TEST_FAIL("split at %zu differs from the one-shot digest", cut);
    }
}

int main(void)
{
    RUN(test_rfc1321_suite);
    RUN(test_padding_boundaries);
    RUN(test_million_a);
    RUN(test_incremental_splits);
    return test_done();
}
