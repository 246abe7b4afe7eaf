// SPDX-License-Identifier: MIT
// Email messages as RFC 5322 and MIME want them: a text part and an HTML part
// (multipart/alternative), UTF-8 throughout, headers encoded per RFC 2047 where they are
// not ASCII and folded at 78 characters, bodies quoted-printable with lines of at most 76,
// CRLF line ends, a Date and a Message-ID. Files (an invoice's PDF) go along as attachments:
// a multipart/mixed around the parts, each file base64 in lines of 76. mime_build() is pure:
// no I/O, no clock (the caller gives both); mime_message_id() reads random bytes.
#ifndef FT_MIME_H
#define FT_MIME_H

#include <stddef.h>
#include <stdint.h>

/* A file sent along: Content-Disposition attachment, base64. */
struct mime_attachment {
    const char *filename;     /* "invoice-42.pdf": letters, digits, '.', '-', '_', at most 64 */
    const char *content_type; /* "application/pdf": type/subtype, letters, digits, '.+-' */
    const void *data;         /* borrowed for the call */
    size_t len;
};

struct mime_message {
    const char *from_name, *from_addr; /* From: "Name" <addr>; name may be "" or NULL */
    const char *to_name, *to_addr;     /* To:, likewise (one recipient) */
    const char *subject;               /* UTF-8 */
    const char *text;                  /* the text/plain part, UTF-8, LF or CRLF lines */
    const char *html;                  /* the text/html part, or NULL for text only */
    const char *message_id;            /* "<left@right>", both dot-atoms, < 192 bytes */
    uint64_t date_ms;                  /* the Date header, shown in local time with offset */
    const char *boundary_seed;         /* makes the boundary (with message_id): "" ok */
    const struct mime_attachment *attachments; /* n_attachments of them, or NULL */
    size_t n_attachments;
};

/* Builds the whole message: Date, From, To, Subject, Message-ID, MIME-Version, then one
 * text/plain part, or with html a multipart/alternative of text and HTML; parts are
 * quoted-printable, UTF-8. With attachments, a multipart/mixed holds that part (or
 * alternative) first, then each file in order; without, the message is exactly what it
 * would be without the attachment fields. The same message built twice is the same bytes. *out is
 * allocated (free()), NUL-terminated, *len without the NUL; it ends with CRLF. Returns 0,
 * or ERR_MALFORMED with errbuf (ERR_BUF_LEN) when a name or the subject is not one line of
 * text (valid UTF-8 without control characters: CR or LF would inject a header), an
 * address is not one mime_address_ok() takes, the Message-ID is not "<left@right>", a
 * part is not valid UTF-8, or an attachment's filename or content type is not as above;
 * then *out is NULL. */
int mime_build(const struct mime_message *m, char **out, size_t *len, char *errbuf);

/* A new Message-ID: "<" 32 random hex digits (getrandom(2)) "." now_ms "@" domain ">";
 * out 192 bytes. Returns 0, ERR_MALFORMED when domain is not a host name (letters, digits,
 * '-', '_', dots between labels; at most 128 bytes), or -errno when no random bytes came. */
int mime_message_id(const char *domain, uint64_t now_ms, char *out);

/* Whether addr is a plain address we send to: local@domain, both dot-atoms of RFC 5322
 * (no spaces, quotes, angle brackets, commas, control characters or non-ASCII; the domain
 * letters, digits, '-' and '_'), the local part at most 64 bytes, the whole at most 254.
 * Returns 1 or 0. */
int mime_address_ok(const char *addr);

#endif
