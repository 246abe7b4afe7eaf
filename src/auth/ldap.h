// SPDX-License-Identifier: MIT
// A portal password checked by a directory: an LDAP simple bind (RFC 4513 §5.1.3) as the
// DN an operator's template names, the login in place of %u, escaped as a DN attribute
// value (RFC 4514 §2.4) so that no login can name another entry. The bind only
// authenticates: who may log in, and as what, is the store's list of users (login.c).
// The one file that includes OpenLDAP's ldap.h and lber.h.
#ifndef FT_AUTH_LDAP_H
#define FT_AUTH_LDAP_H

#include <stdbool.h>
#include <stddef.h>

#define LDAP_BIND_DN_MAX 2048 /* bytes of a bind DN with its NUL */

struct ldap_options {
    const char *uri;     /* what ldap_initialize() takes: "ldap://HOST[:PORT]" or
                          * "ldaps://...", several separated by spaces or commas, tried in
                          * order; NULL or "": no directory. Borrowed. */
    const char *bind_dn; /* the template, e.g. "uid=%u,ou=people,dc=example,dc=net" */
    unsigned timeout_ms; /* for each connection, and for each answer awaited */
    bool starttls;       /* STARTTLS (RFC 4513 §3) before the bind, for ldap:// */
};

/* Writes value escaped as an attribute value of a DN string (RFC 4514 §2.4): a backslash
 * before '"', '+', ',', ';', '<', '>', '\' and '=' anywhere, before a space or '#' that
 * begins the value and before a space that ends it; a control character as a backslash
 * and two hex digits. Everything else, UTF-8 included, is copied. OUT: out, size bytes
 * (3 per byte of value, plus 1, always suffice). Returns 0, or -ERANGE (out is "") when it
 * does not fit. */
int ldap_dn_escape(const char *value, char *out, size_t size);

/* Writes the template tmpl with each "%u" replaced by login escaped (ldap_dn_escape());
 * any other '%' is copied as it is. OUT: out, size bytes. Returns 0; ERR_MALFORMED (out
 * "") for a template without "%u", which would bind every login as one entry; -ERANGE
 * (out "") when the DN does not fit. */
int ldap_dn_format(const char *tmpl, const char *login, char *out, size_t size);

/* Whether the directory at o->uri takes password for the entry ldap_dn_format(o->bind_dn,
 * login) names, by a simple bind on a connection of its own (opened and closed here, so
 * any number of threads may call it at once). An empty password is refused before any
 * connection: with a DN and no password a bind is "unauthenticated" (RFC 4513 §5.1.2),
 * which many servers answer with success. Blocks for up to o->timeout_ms to connect to
 * each URI tried, then up to o->timeout_ms for the bind's answer (with STARTTLS, for its
 * answer and for the TLS handshake as well).
 * Returns 1 when the bind succeeds; 0 when the directory refuses the credentials
 * (invalidCredentials, inappropriateAuthentication, invalidDNSyntax, unwillingToPerform)
 * or the password is empty; a negative code when it cannot tell (no server answered, a
 * timeout, TLS failed, any other result; the template does not fit), with the step and
 * libldap's reason in errbuf (ERR_BUF_LEN bytes), which names neither the login nor the
 * password. */
int ldap_password_check(const struct ldap_options *o, const char *login, const char *password,
                        char *errbuf);

#endif
