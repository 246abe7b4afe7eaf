// SPDX-License-Identifier: MIT
// Email messages built by hand, byte by byte, so every rule can be checked: header lines
// folded before 78 characters (RFC 5322 §2.1.1), non-ASCII names and subjects as base64
// encoded-words of at most 75 characters cut between characters (RFC 2047 §2, §5), bodies
// quoted-printable with lines of at most 76 (RFC 2045 §6.7), attachments base64 in lines of
// 76 (RFC 2045 §6.8) inside a multipart/mixed (RFC 2046 §5.1.3), CRLF everywhere.
//
// The boundary starts with "=_": quoted-printable writes '=' only before two hex digits or
// a line end, so no encoded line can hold the boundary, whatever the text (RFC 2045 §6.7,
// RFC 2046 §5.1.1). The rest of it is a hash of the Message-ID and the seed, so a message
// built twice is the same bytes.
#include "mime.h"

#include "../base/err.h"
#include "../base/md5.h"
#include "../base/utf8.h"
#include "../base/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#define MIME_LINE_MAX 78    /* a header line, without its CRLF */
#define MIME_QP_LINE_MAX 76 /* an encoded body line, its soft break's '=' included */
#define MIME_EW_MAX 75      /* one encoded-word */
#define MIME_EW_PREFIX "=?UTF-8?B?"
#define MIME_EW_OVERHEAD 12 /* "=?UTF-8?B?" and "?=" */
#define MIME_ADDR_MAX 254
#define MIME_ID_MAX 191 /* a Message-ID with its brackets; it fits struct mail_row's 192 */
#define MIME_DOMAIN_MAX 128
#define MIME_B64_LINE_IN 57   /* bytes of a file per base64 line: 76 characters */
#define MIME_FILENAME_MAX 64  /* ' filename="' and the name fit a line of 78 */
#define MIME_FILE_TYPE_MAX 63 /* "Content-Type: " and the type and ';' likewise */

static const char hex_digits[] = "0123456789ABCDEF";

/* ---- a growing buffer ---- */

struct mbuf {
    char *p;
    size_t len, cap;
};

static void mbuf_add(struct mbuf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        b->p = xrealloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

static void mbuf_str(struct mbuf *b, const char *s)
{
    mbuf_add(b, s, strlen(s));
}

/* ---- checks ---- */

static bool is_alnum(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* atext of RFC 5322 §3.2.3: what a dot-atom is made of, besides the dots. */
static bool is_atext(int c)
{
    return is_alnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* A dot-atom of s[0..n): runs of chars that ok() accepts, one dot between runs. */
static bool dot_atom_ok(const char *s, size_t n, bool (*ok)(int))
{
    if (n == 0 || s[0] == '.' || s[n - 1] == '.')
        return false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '.' ? s[i + 1] == '.' : !ok((unsigned char)s[i]))
            return false;
    }
    return true;
}

static bool is_domain_char(int c)
{
    return is_alnum(c) || c == '-' || c == '_';
}

int mime_address_ok(const char *addr)
{
    size_t n = strlen(addr);
    const char *at = strchr(addr, '@');
    if (n > MIME_ADDR_MAX || !at || strchr(at + 1, '@'))
        return 0;
    size_t local = (size_t)(at - addr);
    return local <= 64 && dot_atom_ok(addr, local, is_atext) &&
           dot_atom_ok(at + 1, n - local - 1, is_domain_char);
}

/* "<left@right>", both sides dot-atoms, at most MIME_ID_MAX bytes in all. */
static bool message_id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n < 5 || n > MIME_ID_MAX || id[0] != '<' || id[n - 1] != '>')
        return false;
    const char *at = memchr(id, '@', n);
    if (!at || memchr(at + 1, '@', (size_t)(id + n - at - 1)))
        return false;
    return dot_atom_ok(id + 1, (size_t)(at - id - 1), is_atext) &&
           dot_atom_ok(at + 1, (size_t)(id + n - 1 - at - 1), is_atext);
}

/* A header's text: one line of valid UTF-8, no control characters (CR and LF above all:
 * they would end the header and start another). */
static int header_text_ok(const char *what, const char *s, char *errbuf)
{
    char why[128];
    if (!utf8_is_text(s, why, sizeof why)) {
        snprintf(errbuf, ERR_BUF_LEN, "the %s cannot be a header: %s", what, why);
        return ERR_MALFORMED;
    }
    return 0;
}

static int body_text_ok(const char *what, const char *s, char *errbuf)
{
    size_t bad;
    if (!utf8_valid(s, strlen(s), &bad)) {
        snprintf(errbuf, ERR_BUF_LEN, "the %s is not valid UTF-8 (byte 0x%02x at offset %zu)", what,
                 (unsigned char)s[bad], bad);
        return ERR_MALFORMED;
    }
    return 0;
}

/* A filename or content type goes into a header as it is, quoted: only characters that
 * need no quoting nor encoding anywhere (RFC 2045 §5.1 tokens without '/' and the like). */
static bool is_file_char(int c)
{
    return is_alnum(c) || c == '.' || c == '-' || c == '_';
}

static bool file_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > MIME_FILENAME_MAX || s[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!is_file_char((unsigned char)s[i]))
            return false;
    return true;
}

static bool content_type_ok(const char *s)
{
    size_t n = strlen(s);
    const char *slash = strchr(s, '/');
    if (n > MIME_FILE_TYPE_MAX || !slash || slash == s || !slash[1] || strchr(slash + 1, '/'))
        return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] != '/' && s[i] != '+' && !is_file_char((unsigned char)s[i]))
            return false;
    return true;
}

static int check_attachments(const struct mime_message *m, char *errbuf)
{
    for (size_t i = 0; i < m->n_attachments; i++) {
        const struct mime_attachment *a = &m->attachments[i];
        if (!a->filename || !file_name_ok(a->filename)) {
            snprintf(errbuf, ERR_BUF_LEN,
                     "attachment %zu: not a filename (1 to 64 letters, digits, '.', '-', '_',"
                     " not starting with '.'): \"%.100s\"",
                     i + 1, a->filename ? a->filename : "");
            return ERR_MALFORMED;
        }
        if (!a->content_type || !content_type_ok(a->content_type)) {
            snprintf(errbuf, ERR_BUF_LEN,
                     "attachment %s: not a content type (type/subtype): \"%.100s\"", a->filename,
                     a->content_type ? a->content_type : "");
            return ERR_MALFORMED;
        }
        if (a->len > 0 && !a->data) {
            snprintf(errbuf, ERR_BUF_LEN, "attachment %s: no data", a->filename);
            return ERR_MALFORMED;
        }
    }
    return 0;
}

static int check_message(const struct mime_message *m, char *errbuf)
{
    int rc;
    if ((rc = header_text_ok("sender's name", m->from_name, errbuf)) ||
        (rc = header_text_ok("recipient's name", m->to_name, errbuf)) ||
        (rc = header_text_ok("subject", m->subject, errbuf)) ||
        (rc = body_text_ok("text part", m->text, errbuf)) ||
        (m->html && (rc = body_text_ok("HTML part", m->html, errbuf))))
        return rc;
    const char *bad_addr = !mime_address_ok(m->from_addr) ? m->from_addr
                           : !mime_address_ok(m->to_addr) ? m->to_addr
                                                          : NULL;
    if (bad_addr) {
        snprintf(errbuf, ERR_BUF_LEN, "not a plain local@domain address: \"%.300s\"", bad_addr);
        return ERR_MALFORMED;
    }
    if (!message_id_ok(m->message_id)) {
        snprintf(errbuf, ERR_BUF_LEN, "not a Message-ID (\"<left@right>\"): \"%.300s\"",
                 m->message_id);
        return ERR_MALFORMED;
    }
    return check_attachments(m, errbuf);
}

/* ---- headers: tokens, folding, encoded-words ---- */

struct header {
    struct mbuf *b;
    size_t col;      /* characters on the current line */
    size_t n_tokens; /* on the whole header */
};

static void header_start(struct header *h, struct mbuf *b, const char *name)
{
    *h = (struct header){.b = b, .col = strlen(name) + 1};
    mbuf_str(b, name);
    mbuf_str(b, ":");
}

static void header_end(struct header *h)
{
    mbuf_str(h->b, "\r\n");
}

/* Adds " token", first folding onto a new line when it would pass MIME_LINE_MAX (never
 * before the first token: a token too long for any line stays on the header's line). */
static void header_token(struct header *h, const char *tok, size_t n)
{
    if (h->n_tokens > 0 && h->col + 1 + n > MIME_LINE_MAX) {
        mbuf_str(h->b, "\r\n");
        h->col = 0;
    }
    mbuf_str(h->b, " ");
    mbuf_add(h->b, tok, n);
    h->col += 1 + n;
    h->n_tokens++;
}

static size_t base64_encode(const unsigned char *in, size_t n, char *out)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t o = 0;
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)in[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)in[i + 1] << 8;
        if (i + 2 < n)
            v |= in[i + 2];
        out[o++] = b64[v >> 18 & 63];
        out[o++] = b64[v >> 12 & 63];
        out[o++] = i + 1 < n ? b64[v >> 6 & 63] : '=';
        out[o++] = i + 2 < n ? b64[v & 63] : '=';
    }
    return o;
}

/* Adds s[0..n) (valid UTF-8) as encoded-words, each filling what is left of its line (up
 * to 75 characters) and cut between characters, so each decodes to whole characters.
 * Adjacent encoded-words are joined without the space between them when decoded. */
static void header_encoded(struct header *h, const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t room = h->col + 1 < MIME_LINE_MAX ? MIME_LINE_MAX - h->col - 1 : 0;
        if (room > MIME_EW_MAX)
            room = MIME_EW_MAX;
        size_t max_bytes = room > MIME_EW_OVERHEAD ? (room - MIME_EW_OVERHEAD) / 4 * 3 : 0;
        size_t take = 0, len;
        for (; i + take < n; take += len) {
            uint32_t cp;
            len = utf8_decode(s + i + take, n - i - take, &cp);
            if (take + len > max_bytes)
                break;
        }
        if (take == 0) { /* not even one character fits here: the next line has room */
            mbuf_str(h->b, "\r\n");
            h->col = 0;
            continue;
        }
        char word[MIME_EW_MAX + 1];
        memcpy(word, MIME_EW_PREFIX, sizeof MIME_EW_PREFIX - 1);
        size_t w = sizeof MIME_EW_PREFIX - 1;
        w += base64_encode((const unsigned char *)s + i, take, word + w);
        word[w++] = '?';
        word[w++] = '=';
        header_token(h, word, w);
        i += take;
    }
}

/* Whether s can be written as it is: printable ASCII, nothing a decoder would take for an
 * encoded-word ("=?"), and words (split at single spaces, none leading or trailing) that
 * each fit a line after header_token's folding. first_room: what the first word may take. */
static bool plain_words_ok(const char *s, size_t first_room)
{
    size_t n = strlen(s), word = 0;
    if (n == 0 || s[0] == ' ' || s[n - 1] == ' ' || strstr(s, "=?") || strstr(s, "  "))
        return false;
    for (size_t i = 0; i <= n; i++) {
        if (i == n || s[i] == ' ') {
            if (word > (i == word ? first_room : MIME_LINE_MAX - 1))
                return false;
            word = 0;
            continue;
        }
        if (s[i] < 0x20 || s[i] > 0x7e)
            return false;
        word++;
    }
    return true;
}

static void header_subject(struct mbuf *b, const char *subject)
{
    struct header h;
    header_start(&h, b, "Subject");
    if (plain_words_ok(subject, MIME_LINE_MAX - h.col - 1)) {
        for (const char *p = subject; *p;) {
            size_t n = strcspn(p, " ");
            header_token(&h, p, n);
            p += n + (p[n] == ' ');
        }
    } else {
        header_encoded(&h, subject, strlen(subject));
    }
    header_end(&h);
}

/* name <addr>: a printable ASCII name as a quoted-string when it fits the first line,
 * any other as encoded-words; no name, the bare address. */
static void header_mailbox(struct mbuf *b, const char *field, const char *name, const char *addr)
{
    struct header h;
    header_start(&h, b, field);
    size_t n = strlen(name);
    if (n > 0) {
        bool plain = !strstr(name, "=?");
        for (size_t i = 0; i < n && plain; i++)
            plain = name[i] >= 0x20 && name[i] <= 0x7e;
        struct mbuf q = {0};
        if (plain) {
            mbuf_str(&q, "\"");
            for (size_t i = 0; i < n; i++) {
                if (name[i] == '"' || name[i] == '\\')
                    mbuf_str(&q, "\\");
                mbuf_add(&q, name + i, 1);
            }
            mbuf_str(&q, "\"");
        }
        if (plain && h.col + 1 + q.len <= MIME_LINE_MAX)
            header_token(&h, q.p, q.len);
        else
            header_encoded(&h, name, n);
        free(q.p);
    }
    struct mbuf a = {0};
    if (n > 0)
        mbuf_str(&a, "<");
    mbuf_str(&a, addr);
    if (n > 0)
        mbuf_str(&a, ">");
    header_token(&h, a.p, a.len);
    free(a.p);
    header_end(&h);
}

static void header_plain(struct mbuf *b, const char *field, const char *value)
{
    struct header h;
    header_start(&h, b, field);
    header_token(&h, value, strlen(value));
    header_end(&h);
}

/* RFC 5322 §3.3, in local time with its offset: "Thu, 05 Mar 2026 14:03:09 +0100". */
static void header_date(struct mbuf *b, uint64_t date_ms)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(date_ms / 1000);
    struct tm tm;
    if (!localtime_r(&t, &tm)) {
        t = 0;
        gmtime_r(&t, &tm);
    }
    long off = tm.tm_gmtoff / 60;
    char line[64];
    snprintf(line, sizeof line, "%s, %02d %s %04d %02d:%02d:%02d %c%02ld%02ld",
             days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900,
             tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+', labs(off) / 60, labs(off) % 60);
    header_plain(b, "Date", line);
}

/* ---- quoted-printable ---- */

/* The length of the line break at s[i..n): 2 for CRLF, 1 for LF, 0 for none. */
static size_t line_break(const char *s, size_t i, size_t n)
{
    if (i < n && s[i] == '\n')
        return 1;
    if (i + 1 < n && s[i] == '\r' && s[i + 1] == '\n')
        return 2;
    return 0;
}

/* The encoding of s[i] at column col: the byte itself, or "=XX" for '=', anything outside
 * printable ASCII (a CR not before LF too), a space or tab ending its line (RFC 2045 rule
 * 3), and a '.' or the F of "From " starting a line (so no relay can mistake or mangle it). */
static size_t qp_token(const char *s, size_t i, size_t n, size_t col, char tok[3])
{
    unsigned char c = (unsigned char)s[i];
    bool at_end = i + 1 == n || line_break(s, i + 1, n);
    bool literal = (c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !at_end);
    if (col == 0 && (c == '.' || (c == 'F' && n - i >= 5 && memcmp(s + i, "From ", 5) == 0)))
        literal = false;
    if (literal) {
        tok[0] = (char)c;
        return 1;
    }
    tok[0] = '=';
    tok[1] = hex_digits[c >> 4];
    tok[2] = hex_digits[c & 15];
    return 3;
}

/* Encodes s; lines end in CRLF (LF or CRLF in s). With soft_end, a text that does not end
 * with a line break ends with a soft one, so the output always ends with CRLF. */
static void qp_encode(struct mbuf *b, const char *s, bool soft_end)
{
    size_t n = strlen(s), col = 0, brk;
    for (size_t i = 0; i < n;) {
        if ((brk = line_break(s, i, n)) > 0) {
            mbuf_str(b, "\r\n");
            col = 0;
            i += brk;
            continue;
        }
        char tok[3];
        size_t len = qp_token(s, i, n, col, tok);
        /* room for a soft break's '=' unless this is the line's last character */
        bool is_last = i + 1 == n ? !soft_end : line_break(s, i + 1, n) > 0;
        if (col + len > (is_last ? MIME_QP_LINE_MAX : MIME_QP_LINE_MAX - 1)) {
            mbuf_str(b, "=\r\n");
            col = 0;
            len = qp_token(s, i, n, col, tok);
        }
        mbuf_add(b, tok, len);
        col += len;
        i++;
    }
    if (soft_end && col > 0)
        mbuf_str(b, "=\r\n");
}

static void part(struct mbuf *b, const char *boundary, const char *type, const char *text)
{
    mbuf_str(b, "--");
    mbuf_str(b, boundary);
    mbuf_str(b, "\r\nContent-Type: ");
    mbuf_str(b, type);
    mbuf_str(b, "; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
    qp_encode(b, text, false);
    mbuf_str(b, "\r\n"); /* belongs to the delimiter that follows (RFC 2046 §5.1.1) */
}

/* The boundary: prefix ("=_ft" for the alternative, "=_fm" for the mixed around it: they
 * differ within the first four characters, so neither is a prefix of the other, as RFC 2046
 * §5.1.1 wants of nested boundaries) and 24 hex digits of the digest. out: 32. */
static void boundary_of(const uint8_t digest[MD5_DIGEST_LEN], const char *prefix, char *out)
{
    snprintf(out, 32, "%s", prefix);
    for (int i = 0; i < 12; i++) {
        out[4 + 2 * i] = hex_digits[digest[i] >> 4];
        out[5 + 2 * i] = hex_digits[digest[i] & 15];
    }
    out[28] = '\0';
}

/* A file: its part's headers, then base64 lines of 76 characters; the CRLF after the last
 * belongs to the delimiter that follows. */
static void attachment(struct mbuf *b, const char *boundary, const struct mime_attachment *a)
{
    mbuf_str(b, "--");
    mbuf_str(b, boundary);
    mbuf_str(b, "\r\nContent-Type: ");
    mbuf_str(b, a->content_type);
    mbuf_str(b, ";\r\n name=\"");
    mbuf_str(b, a->filename);
    mbuf_str(b, "\"\r\nContent-Transfer-Encoding: base64\r\n"
                "Content-Disposition: attachment;\r\n filename=\"");
    mbuf_str(b, a->filename);
    mbuf_str(b, "\"\r\n\r\n");
    const unsigned char *p = a->data;
    char line[4 * MIME_B64_LINE_IN / 3 + 2];
    for (size_t i = 0; i < a->len; i += MIME_B64_LINE_IN) {
        size_t take = a->len - i < MIME_B64_LINE_IN ? a->len - i : MIME_B64_LINE_IN;
        size_t n = base64_encode(p + i, take, line);
        line[n++] = '\r';
        line[n++] = '\n';
        mbuf_add(b, line, n);
    }
    if (a->len == 0)
        mbuf_str(b, "\r\n"); /* an empty body, and the delimiter's CRLF */
}

/* With attachments: a multipart/mixed of the text (or the alternative of text and HTML)
 * and the files. */
static void build_mixed(struct mbuf *b, const struct mime_message *v, const char *mixed,
                        const char *alternative)
{
    mbuf_str(b, "Content-Type: multipart/mixed; boundary=\"");
    mbuf_str(b, mixed);
    mbuf_str(b, "\"\r\n\r\n");
    if (!v->html) {
        part(b, mixed, "text/plain", v->text);
    } else {
        mbuf_str(b, "--");
        mbuf_str(b, mixed);
        mbuf_str(b, "\r\nContent-Type: multipart/alternative; boundary=\"");
        mbuf_str(b, alternative);
        mbuf_str(b, "\"\r\n\r\n");
        part(b, alternative, "text/plain", v->text);
        part(b, alternative, "text/html", v->html);
        mbuf_str(b, "--");
        mbuf_str(b, alternative);
        mbuf_str(b, "--\r\n"); /* the CRLF: the outer delimiter's */
    }
    for (size_t i = 0; i < v->n_attachments; i++)
        attachment(b, mixed, &v->attachments[i]);
    mbuf_str(b, "--");
    mbuf_str(b, mixed);
    mbuf_str(b, "--\r\n");
}

int mime_build(const struct mime_message *m, char **out, size_t *len, char *errbuf)
{
    assert(m && m->from_addr && m->to_addr && m->subject && m->text && m->message_id);
    struct mime_message v = *m;
    v.from_name = v.from_name ? v.from_name : "";
    v.to_name = v.to_name ? v.to_name : "";
    *out = NULL;
    *len = 0;
    int rc = check_message(&v, errbuf);
    if (rc)
        return rc;

    struct mbuf b = {0};
    header_date(&b, v.date_ms);
    header_mailbox(&b, "From", v.from_name, v.from_addr);
    header_mailbox(&b, "To", v.to_name, v.to_addr);
    header_subject(&b, v.subject);
    header_plain(&b, "Message-ID", v.message_id);
    mbuf_str(&b, "MIME-Version: 1.0\r\n");
    struct md5_ctx md5;
    uint8_t digest[MD5_DIGEST_LEN];
    md5_init(&md5);
    md5_update(&md5, v.message_id, strlen(v.message_id) + 1);
    if (v.boundary_seed)
        md5_update(&md5, v.boundary_seed, strlen(v.boundary_seed));
    md5_final(&md5, digest);
    char boundary[32], mixed[32];
    boundary_of(digest, "=_ft", boundary);
    boundary_of(digest, "=_fm", mixed);
    if (v.n_attachments > 0) {
        build_mixed(&b, &v, mixed, boundary);
    } else if (!v.html) {
        mbuf_str(&b, "Content-Type: text/plain; charset=UTF-8\r\n"
                     "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
        qp_encode(&b, v.text, true); /* the message ends with CRLF, the text may not */
    } else {
        mbuf_str(&b, "Content-Type: multipart/alternative; boundary=\"");
        mbuf_str(&b, boundary);
        mbuf_str(&b, "\"\r\n\r\n");
        part(&b, boundary, "text/plain", v.text);
        part(&b, boundary, "text/html", v.html);
        mbuf_str(&b, "--");
        mbuf_str(&b, boundary);
        mbuf_str(&b, "--\r\n");
    }
    *out = b.p;
    *len = b.len;
    return 0;
}

int mime_message_id(const char *domain, uint64_t now_ms, char *out)
{
    size_t n = strlen(domain);
    if (n > MIME_DOMAIN_MAX || !dot_atom_ok(domain, n, is_domain_char))
        return ERR_MALFORMED;
    unsigned char rnd[16];
    for (size_t got = 0; got < sizeof rnd;) {
        ssize_t r = getrandom(rnd + got, sizeof rnd - got, 0);
        if (r < 0 && errno != EINTR)
            return -errno;
        got += r > 0 ? (size_t)r : 0;
    }
    char hex[2 * sizeof rnd + 1];
    for (size_t i = 0; i < sizeof rnd; i++) {
        hex[2 * i] = "0123456789abcdef"[rnd[i] >> 4];
        hex[2 * i + 1] = "0123456789abcdef"[rnd[i] & 15];
    }
    hex[2 * sizeof rnd] = '\0';
    snprintf(out, 192, "<%s.%llu@%s>", hex, (unsigned long long)now_ms, domain);
    return 0;
}
