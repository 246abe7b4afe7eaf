// SPDX-License-Identifier: MIT
// The one escaping writer for HTML: every string the portal or a printed bill (print/) did
// not write itself (names, notes, anything from the store, the request or the config)
// reaches a page through one of these, so every page escapes the same way. They write
// straight to a FILE, as base/json.h does.
#ifndef FT_HTML_H
#define FT_HTML_H

#include <stdio.h>

/* Writes the NUL-terminated s as HTML text: & < > " ' as character references, each
 * invalid UTF-8 sequence (its maximal subpart, see utf8_decode()) and each control
 * character but tab, LF and CR as U+FFFD, so the output is valid UTF-8 and conforming HTML
 * whatever bytes s holds. Safe in element content (not in <script> or <style>). */
void html_text(FILE *out, const char *s);

/* Writes s for the inside of a double- or single-quoted attribute value: the same
 * escaping as html_text(), which already covers both quotes. Never for an unquoted value,
 * nor for an href or an event handler whose scheme or script s could choose. */
void html_attr(FILE *out, const char *s);

/* Writes s percent-encoded (RFC 3986 §2.1, upper-case hex): every byte but the unreserved
 * ones (ALPHA DIGIT - . _ ~, §2.3), so the result is one path segment or one query name or
 * value whatever s holds, and is pure ASCII safe in any attribute. Bytes are kept, not
 * replaced: form_parse() gets back exactly s. */
void html_url_component(FILE *out, const char *s);

#endif
