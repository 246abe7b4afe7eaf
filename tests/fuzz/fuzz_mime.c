// SPDX-License-Identifier: MIT
// libFuzzer target for alert/mime.c. The input is a flags byte, then fields split at NUL
// bytes, in order: subject, from name, to name, text, html, boundary seed, from address,
// to address, Message-ID (missing fields are ""). Flags: bit 0 keeps the html part,
// bit 1 takes the addresses and bit 2 the Message-ID from the input (else fixed valid
// ones, so most inputs get past the checks), bits 3-4 pick a time zone, and the next
// bytes are the date. Invariants:
// - mime_build() returns 0 or ERR_MALFORMED; refused, *out is NULL and errbuf says why;
// - a CR or LF in any header field is always refused (no header injection);
// - fields of printable ASCII with the fixed addresses and Message-ID are always taken;
// - a built message keeps every rule mime_check() knows (CRLF only, no line over 998
//   bytes, header lines within 78 characters unless one unbreakable token, encoded-words
//   of at most 75, quoted-printable lines of at most 76, a boundary no part holds) and
//   reads back, by mime_check()'s own decoder, as the fields that went in: subject, names,
//   addresses, Message-ID, text and html (line ends as CRLF);
// - the same fields build the same bytes twice.
#include "../../src/alert/mime.h"
#include "../../src/base/err.h"
#include "../unit/alert/mime_check.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz invariant violated at %s:%d: %s\n", __FILE__, __LINE__, #cond);  \
            fflush(stderr);                                                                        \
            __builtin_trap();                                                                      \
        }                                                                                          \
    } while (0)

#define N_FIELDS 9

static bool has_crlf(const char *s)
{
    return strpbrk(s, "\r\n") != NULL;
}

static bool is_printable_ascii(const char *s)
{
    for (; *s; s++)
        if (*s < 0x20 || *s > 0x7e)
            return false;
    return true;
}

static void set_tz(int which)
{
    static int current = -1;
    static const char *const zones[] = {"UTC", "Europe/Berlin", "America/St_Johns",
                                        "Pacific/Chatham"};
    if (which == current)
        return;
    setenv("TZ", zones[which], 1);
    tzset();
    current = which;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned flags = data[0];
    uint64_t date_ms = 0;
    size_t i = 1;
    for (int k = 0; k < 5 && i < size; k++, i++)
        date_ms = date_ms << 8 | data[i]; /* up to 2^40 ms: 1970 to 2004 */
    date_ms *= 64;                        /* to 2^46 ms: past 4000 */
    /* the fields, each its own allocation of exactly its length and a NUL */
    char *field[N_FIELDS];
    for (int f = 0; f < N_FIELDS; f++) {
        const uint8_t *end = i < size ? memchr(data + i, 0, size - i) : NULL;
        size_t n = i < size ? (end ? (size_t)(end - (data + i)) : size - i) : 0;
        field[f] = malloc(n + 1);
        if (n)
            memcpy(field[f], data + i, n);
        field[f][n] = '\0';
        i += n + 1;
    }
    set_tz((int)(flags >> 3 & 3));
    struct mime_message m = {
        .subject = field[0],
        .from_name = field[1],
        .to_name = field[2],
        .text = field[3],
        .html = flags & 1 ? field[4] : NULL,
        .boundary_seed = field[5],
        .from_addr = flags & 2 ? field[6] : "billing@isp.example",
        .to_addr = flags & 2 ? field[7] : "alice@example.net",
        .message_id = flags & 4 ? field[8] : "<0123abcd.1772719389000@isp.example>",
        .date_ms = date_ms,
    };
    char *out = NULL, err[ERR_BUF_LEN] = "";
    size_t len = 0;
    int rc = mime_build(&m, &out, &len, err);
    FUZZ_CHECK(rc == 0 || rc == ERR_MALFORMED);
    bool injects = has_crlf(m.subject) || has_crlf(m.from_name) || has_crlf(m.to_name) ||
                   has_crlf(m.from_addr) || has_crlf(m.to_addr) || has_crlf(m.message_id);
    if (injects)
        FUZZ_CHECK(rc == ERR_MALFORMED);
    if (!(flags & 6) && is_printable_ascii(m.subject) && is_printable_ascii(m.from_name) &&
        is_printable_ascii(m.to_name) && is_printable_ascii(m.text) &&
        (!m.html || is_printable_ascii(m.html)))
        FUZZ_CHECK(rc == 0);
    if (rc != 0) {
        FUZZ_CHECK(out == NULL && len == 0 && err[0] != '\0');
    } else {
        char why[512];
        if (mime_check(out, len, &m, why, sizeof why) != 0) {
            fprintf(stderr, "mime_check: %s\n", why);
            FUZZ_CHECK(!"mime_check");
        }
        char *again = NULL;
        size_t len2 = 0;
        FUZZ_CHECK(mime_build(&m, &again, &len2, err) == 0);
        FUZZ_CHECK(len2 == len && memcmp(again, out, len) == 0);
        free(again);
    }
    free(out);
    for (int f = 0; f < N_FIELDS; f++)
        free(field[f]);
    return 0;
}
