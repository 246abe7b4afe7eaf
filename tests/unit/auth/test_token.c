// SPDX-License-Identifier: MIT
// Tests of the portal's tokens: SHA-256 against the FIPS 180-2 examples (checked with
// coreutils' sha256sum when written), the format of new tokens and that their bits vary (read
// back with a decoder written here from RFC 4648 §5), and the comparisons.
#include "../../../src/auth/token.h"
#include "test.h"

#include <stdlib.h>

static void test_hash_vectors(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        /* FIPS 180-2, Appendix B.1 and B.2; `printf %s MSG | sha256sum` for the others */
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[TOKEN_HASH_LEN + 1];
        token_hash(cases[i].in, out);
        ASSERT_STREQ(out, cases[i].want);
    }
}

/* RFC 4648 §5 alphabet position of c, or -1. */
static int b64url_value(char c)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

/* Decodes the 43 characters of a token into 32 bytes; false if one is not base64url or the
 * 2 padding bits at the end are not zero. */
static bool b64url_decode_token(const char *s, uint8_t out[32])
{
    uint32_t bits = 0;
    unsigned n_bits = 0;
    size_t n = 0;
    for (size_t i = 0; i < TOKEN_LEN; i++) {
        int v = b64url_value(s[i]);
        if (v < 0)
            return false;
        bits = bits << 6 | (uint32_t)v;
        n_bits += 6;
        if (n_bits >= 8) {
            n_bits -= 8;
            out[n++] = (uint8_t)(bits >> n_bits);
        }
    }
    return n == 32 && n_bits == 2 && (bits & 3) == 0;
}

static int cmp_token(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* 256 tokens: each well-formed and distinct; every character of the alphabet appears in the
 * first 42 positions, and every one of the 256 bits is 1 in some token and 0 in another
 * (a wrong shift in the encoder, or a zeroed byte, would leave some constant). */
static void test_new(void)
{
    enum { N = 256 };
    static char tokens[N][TOKEN_LEN + 1];
    uint8_t ones[32] = {0}, zeros[32] = {0};
    bool seen[64] = {false};
    for (size_t i = 0; i < N; i++) {
        uint8_t raw[32];
        ASSERT_EQ_INT(token_new(tokens[i]), 0);
        ASSERT_EQ_U64(strlen(tokens[i]), TOKEN_LEN);
        ASSERT_TRUE(token_is_wellformed(tokens[i]));
        ASSERT_TRUE(b64url_decode_token(tokens[i], raw));
        for (size_t k = 0; k < 32; k++) {
            ones[k] |= raw[k];
            zeros[k] |= (uint8_t)~raw[k];
        }
        for (size_t k = 0; k + 1 < TOKEN_LEN; k++)
            if (b64url_value(tokens[i][k]) >= 0)
                seen[b64url_value(tokens[i][k])] = true;
    }
    for (size_t k = 0; k < 32; k++) {
        ASSERT_EQ_U64(ones[k], 0xff);
        ASSERT_EQ_U64(zeros[k], 0xff);
    }
    for (size_t c = 0; c < 64; c++)
        ASSERT_TRUE(seen[c]);
    qsort(tokens, N, sizeof tokens[0], cmp_token);
    for (size_t i = 1; i < N; i++)
        ASSERT_TRUE(strcmp(tokens[i - 1], tokens[i]) != 0);
}

static void test_hash_of_token(void)
{
    char t[TOKEN_LEN + 1], h1[TOKEN_HASH_LEN + 1], h2[TOKEN_HASH_LEN + 1];
    ASSERT_EQ_INT(token_new(t), 0);
    token_hash(t, h1);
    ASSERT_EQ_U64(strlen(h1), TOKEN_HASH_LEN);
    ASSERT_EQ_U64(strspn(h1, "0123456789abcdef"), TOKEN_HASH_LEN);
    token_hash(t, h2);
    ASSERT_STREQ(h1, h2);
    t[0] = t[0] == 'A' ? 'B' : 'A';
    token_hash(t, h2);
    ASSERT_TRUE(strcmp(h1, h2) != 0);
}

static void test_equal(void)
{
    static const struct {
        const char *a, *b;
        bool want;
    } cases[] = {
        {"", "", true},
        {"a", "a", true},
        {"Zm9vYmFyYmF6cXV4LS1fXw", "Zm9vYmFyYmF6cXV4LS1fXw", true},
        {"\xff\x80", "\xff\x80", true},
        {"a", "b", false},
        {"abc", "abd", false},
        {"xbc", "abc", false},
        {"abc", "ab", false},
        {"ab", "abc", false},
        {"", "a", false},
        {"a", "", false},
        {"abc", "ABC", false},
        {"\x01", "\x81", false}, /* differ in the top bit only */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (token_equal(cases[i].a, cases[i].b) != cases[i].want)
            TEST_FAIL("token_equal(\"%s\", \"%s\") != %d", cases[i].a, cases[i].b, cases[i].want);
    }
}

static void test_wellformed(void)
{
    static const struct {
        const char *s;
        bool want;
    } cases[] = {
        /* base64url of 32 zero bytes and of 32 0xff bytes (Python's
         * base64.urlsafe_b64encode(...).rstrip(b"=")) */
        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", true},
        {"__________________________________________8", true},
        {"Zm9v-_09azAZmM3o1x2nQpA8ghEkWq-ZkR6aBn5zMTs", true},
        /* last character with its 2 padding bits set: no 32 bytes encode to it */
        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB", false},
        {"___________________________________________", false},
        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false},   /* 42 */
        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", false}, /* 44 */
        {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", false},  /* padding */
        {"AAAAAAAAAAAAAAAAAAAA+AAAAAAAAAAAAAAAAAAAAAA", false},  /* base64, not base64url */
        {"AAAAAAAAAAAAAAAAAAAA/AAAAAAAAAAAAAAAAAAAAAA", false},
        {"AAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAAA", false},
        {"AAAAAAAAAAAAAAAAAAAA\xc3\xa9"
         "AAAAAAAAAAAAAAAAAAAAA",
         false},
        {"", false},
        {NULL, false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (token_is_wellformed(cases[i].s) != cases[i].want)
            TEST_FAIL("token_is_wellformed(\"%s\") != %d", cases[i].s ? cases[i].s : "(null)",
                      cases[i].want);
    }
}

int main(void)
{
    RUN(test_hash_vectors);
    RUN(test_new);
    RUN(test_hash_of_token);
    RUN(test_equal);
    RUN(test_wellformed);
    return test_done();
}
