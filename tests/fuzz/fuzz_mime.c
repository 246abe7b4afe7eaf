// SPDX-License-Identifier: MIT
// libFuzzer target for alert/mime.c. The input is a flags byte, then fields split at NUL
// bytes, in order: subject, from name, to name, text, html, boundary seed, from address,
// to address, Message-ID, attachment filename, its content type, its data (missing fields
// are ""). Flags: bit 0 keeps the html part, bit 1 takes the addresses and bit 2 the
// Message-ID from the input (else fixed valid ones, so most inputs get past the checks),
// bits 3-4 pick a time zone, bit 5 attaches the data field as a file, bit 6 takes its
// filename and content type from the input (else "invoice-42.pdf", "application/pdf"), and
// the next bytes are the date. Invariants:
// - mime_build() returns 0 or ERR_MALFORMED; refused, *out is NULL and errbuf says why;
// - a CR or LF in any header field is always refused (no header injection);
// - fields of printable ASCII with the fixed addresses and Message-ID (and, with a file,
//   the fixed filename and content type) are always taken;
// - a built message keeps every rule mime_check() knows (CRLF only, no line over 998
//   bytes, header lines within 78 characters unless one unbreakable token, encoded-words
//   of at most 75, quoted-printable lines of at most 76, a boundary no part holds) and
//   reads back, by mime_check()'s own decoder, as the fields that went in: subject, names,
//   addresses, Message-ID, text and html (line ends as CRLF);
// - the same fields build the same bytes twice;
// - with a file: a filename or content type with CR or LF is refused; the message is the
//   one without the file, its body (text, or the multipart/alternative) made the first part
//   of a multipart/mixed (the text part: its text, by mime_check's decoder), whose boundary
//   is a line of its own exactly three times (the first part, the file, the end) and
//   nowhere else in the body; the file's base64 lines are at most 76 characters and
//   decode to its bytes.
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

#define N_FIELDS 12

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

/* The base64 lines from p up to a line starting with "--", decoded into out (at least as
 * large as what they hold). Returns the decoded length, or -1 for a line over 76 or
 * anything that is not base64. */
static long b64_lines(const char *p, unsigned char *out)
{
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    long n = 0;
    while (strncmp(p, "--", 2) != 0) {
        const char *eol = strstr(p, "\r\n");
        if (!eol || eol - p > 76 || (eol - p) % 4 != 0)
            return -1;
        for (; p < eol; p += 4) {
            unsigned v = 0, pad = 0;
            for (int k = 0; k < 4; k++) {
                const char *c = p[k] == '=' ? NULL : strchr(abc, p[k]);
                if (p[k] == '=' && p + 4 == eol && k >= 2)
                    pad++;
                else if (!c || pad)
                    return -1;
                v = v << 6 | (c ? (unsigned)(c - abc) : 0);
            }
            unsigned char o[3] = {(unsigned char)(v >> 16), (unsigned char)(v >> 8),
                                  (unsigned char)v};
            memcpy(out + n, o, 3 - pad);
            n += 3 - pad;
        }
        p = eol + 2;
    }
    return n;
}

/* The invariants of a message with one file (see the top), given the message built from
 * the same fields without it (plain, a message mime_check() passed). */
static void check_attached(const char *out, size_t len, const char *plain, const char *text,
                           const struct mime_attachment *a)
{
    static const char mixed[] = "\r\nContent-Type: multipart/mixed; boundary=\"";
    const char *ct = strstr(out, mixed);
    FUZZ_CHECK(ct != NULL);
    const char *boundary = ct + sizeof mixed - 1;
    char delim[64];
    snprintf(delim, sizeof delim, "\r\n--%.28s", boundary);
    size_t dl = strlen(delim);
    /* the headers up to Content-Type are the plain message's */
    const char *plain_ct = strstr(plain, "\r\nContent-Type: ");
    FUZZ_CHECK(plain_ct && plain_ct - plain == ct - out &&
               memcmp(plain, out, (size_t)(ct - out)) == 0);
    size_t n_delims = 0;
    for (const char *p = out; (p = memmem(p, len - (size_t)(p - out), delim, dl)); p += dl)
        n_delims++;
    FUZZ_CHECK(n_delims == 3);
    const char *first = strstr(ct, "\r\n\r\n");
    /* in the body, the boundary is in those three lines only (a header may hold its
     * characters: a subject is text) */
    size_t n_bare = 0;
    for (const char *p = first; (p = memmem(p, len - (size_t)(p - out), delim + 4, dl - 4));
         p += dl - 4)
        n_bare++;
    FUZZ_CHECK(n_bare == 3);
    FUZZ_CHECK(first && memcmp(first + 2, delim, dl) == 0 && first[2 + dl] == '\r');
    first += 2 + dl + 2; /* the first part's headers */
    const char *end = memmem(first, len - (size_t)(first - out), delim, dl);
    FUZZ_CHECK(end != NULL);
    if (strncmp(plain_ct + 2, "Content-Type: multipart/alternative;", 36) == 0) {
        /* the alternative as it is: its headers, body and close delimiter */
        size_t n = strlen(plain_ct + 2) - 2;
        FUZZ_CHECK((size_t)(end - first) == n && memcmp(first, plain_ct + 2, n) == 0);
    } else {
        /* the text part, quoted-printable lines of at most 76 that decode to the text (a
         * soft break ends the line before the delimiter, as in any part) */
        char why[512];
        if (mc_part(first, (size_t)(end - first), "text/plain", text, why, sizeof why) != 0) {
            fprintf(stderr, "mc_part: %s\n", why);
            FUZZ_CHECK(!"the text part");
        }
    }
    char head[160];
    snprintf(head, sizeof head, " filename=\"%s\"\r\n\r\n", a->filename);
    const char *file = strstr(end, head);
    FUZZ_CHECK(file != NULL);
    unsigned char *data = malloc(a->len + 3);
    long n = b64_lines(file + strlen(head), data);
    FUZZ_CHECK(n >= 0 && (size_t)n == a->len && memcmp(data, a->data, a->len) == 0);
    free(data);
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
    struct mime_attachment file = {
        .filename = flags & 64 ? field[9] : "invoice-42.pdf",
        .content_type = flags & 64 ? field[10] : "application/pdf",
        .data = field[11],
        .len = strlen(field[11]),
    };
    if (flags & 32) {
        m.attachments = &file;
        m.n_attachments = 1;
    }
    char *out = NULL, err[ERR_BUF_LEN] = "";
    size_t len = 0;
    int rc = mime_build(&m, &out, &len, err);
    FUZZ_CHECK(rc == 0 || rc == ERR_MALFORMED);
    bool injects = has_crlf(m.subject) || has_crlf(m.from_name) || has_crlf(m.to_name) ||
                   has_crlf(m.from_addr) || has_crlf(m.to_addr) || has_crlf(m.message_id) ||
                   (m.n_attachments && (has_crlf(file.filename) || has_crlf(file.content_type)));
    if (injects)
        FUZZ_CHECK(rc == ERR_MALFORMED);
    /* the fixed addresses, Message-ID and (with a file) name and type are always taken */
    if (!(flags & 6) && !(m.n_attachments && (flags & 64)) && is_printable_ascii(m.subject) &&
        is_printable_ascii(m.from_name) && is_printable_ascii(m.to_name) &&
        is_printable_ascii(m.text) && (!m.html || is_printable_ascii(m.html)))
        FUZZ_CHECK(rc == 0);
    if (rc != 0) {
        FUZZ_CHECK(out == NULL && len == 0 && err[0] != '\0');
    } else {
        char why[512];
        struct mime_message plain = m;
        plain.n_attachments = 0;
        char *plain_out = NULL;
        size_t plain_len = 0;
        FUZZ_CHECK(mime_build(&plain, &plain_out, &plain_len, err) == 0);
        if (mime_check(plain_out, plain_len, &plain, why, sizeof why) != 0) {
            fprintf(stderr, "mime_check: %s\n", why);
            FUZZ_CHECK(!"mime_check");
        }
        if (m.n_attachments)
            check_attached(out, len, plain_out, m.text, &file);
        else
            FUZZ_CHECK(plain_len == len && memcmp(plain_out, out, len) == 0);
        free(plain_out);
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
