// SPDX-License-Identifier: MIT
// The parsers of what a browser sends besides the body's bytes: form fields and query
// strings (application/x-www-form-urlencoded), the Cookie header, and the request target.
// They are ours, not the HTTP library's, so that the fuzzer reaches them and so that each
// refuses what is ambiguous (a repeated field, a tossed cookie, a traversal) instead of
// picking one reading. No allocation but the form's one buffer; no HTTP library.
#ifndef FT_FORM_H
#define FT_FORM_H

#include <stddef.h>

#define FORM_MAX_FIELDS 64

struct form_field {
    char *name;  /* decoded, NUL-terminated, non-empty, valid UTF-8; points into form.buf */
    char *value; /* decoded, NUL-terminated, valid UTF-8 (may be ""); points into form.buf */
};

/* Caller-owned; form_parse() fills it, form_free() releases it. */
struct form {
    struct form_field fields[FORM_MAX_FIELDS]; /* in input order */
    size_t n;                                  /* fields used */
    char *buf; /* owned: one allocation holding every name and value; NULL when n == 0 */
};

/* Parses application/x-www-form-urlencoded data[0..len) (also a query string without its
 * '?'): fields separated by '&', each "name=value" or "name" (value ""), '+' decoding to a
 * space and %XX to byte XX (either case). Empty pieces ("a=1&&b=2", a trailing '&') are
 * skipped, as browsers' own parser (URLSearchParams) does, so an empty input is 0 fields.
 * Refuses with ERR_MALFORMED, errbuf (ERR_BUF_LEN bytes) saying why and where: a '%' not
 * followed by two hex digits, a NUL byte (raw or decoded), a name or value that is not valid
 * UTF-8 once decoded, an empty name ("=x"), more than FORM_MAX_FIELDS fields, and a name
 * given twice: the reading would be ambiguous, and an attacker's second username= must not
 * win silently. f is always initialised: on failure it is empty, and form_free() is harmless
 * either way. The strings are valid until form_free(f). Any thread. */
int form_parse(struct form *f, const char *data, size_t len, char *errbuf);

/* The value of field name (compared byte for byte), or NULL if f has no such field.
 * Borrowed from f. */
const char *form_get(const struct form *f, const char *name);

/* Releases f's strings and empties it. */
void form_free(struct form *f);

/* Finds cookie name (a non-empty token) in the value of a Cookie header, which RFC 6265 §5.4
 * has browsers send as "name=value; name2=value2". Pieces are split at ';' and trimmed of
 * spaces and tabs; a value may be in double quotes (RFC 6265 §4.1.1), which are removed.
 * Returns 1 and copies the value into out (size bytes, NUL-terminated), or 0 when the header
 * has no such cookie (out is then ""). Returns ERR_MALFORMED (out "") when the header holds a
 * control character, when the value holds a byte RFC 6265 §4.1.1 does not allow in one
 * (space, '"', ',', ';', '\\', non-ASCII) or does not fit in out, or when the name appears
 * twice: a sibling domain can plant a second cookie of the same name (cookie tossing), and
 * the header does not say which is whose. Other cookies' values are not checked: another
 * application on the same host may set cookies we have no say over. */
int form_cookie(const char *header, const char *name, char *out, size_t size);

/* Splits the request target (RFC 9112 §3.2.1 origin-form "/path?query") at the first '?'.
 * Writes the percent-decoded path into path (path_size bytes, NUL-terminated). OUT: *query,
 * the text after the '?', not decoded (for form_parse()), pointing into target; "" when there
 * is none. Returns 0, or ERR_MALFORMED (path "", *query NULL) when the target does not start
 * with '/', has a bad %-escape, or its decoded path: holds a control character (NUL
 * included) or '\\', holds "//", "/./" or "/../", ends in "/." or "/..", is not valid UTF-8,
 * or does not fit in path. The router matches the decoded path exactly, so nothing that
 * could mean a different path ever reaches it. */
int form_split_target(const char *target, char *path, size_t path_size, const char **query);

#endif
