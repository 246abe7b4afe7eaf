// SPDX-License-Identifier: MIT
// The LDAP password check: see ldap.h. Each check opens a handle of its own and closes it
// (ldap_initialize, one bind, ldap_unbind_ext_s): nothing is shared between the portal's
// threads, and a directory that restarts or fails over costs nothing to recover from.
#include "../auth/ldap.h" /* not "ldap.h", which doc/layers.txt keeps for OpenLDAP's */

#include "../base/err.h"

#include <assert.h>
#include <errno.h>
#include <lber.h>
#include <ldap.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>

int ldap_dn_escape(const char *value, char *out, size_t size)
{
    assert(value && out && size > 0);
    size_t n = strlen(value), o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)value[i];
        /* RFC 4514 §2.4 names the characters that must be escaped; '=' may be, and is,
         * so that a parser older than RFC 4514 does not read it as a new attribute. */
        bool special = strchr("\"+,;<>\\=", c) != NULL || (c == '#' && i == 0) ||
                       (c == ' ' && (i == 0 || i == n - 1));
        int len = c < 0x20 || c == 0x7f ? 3 : special ? 2 : 1;
        if (o + (size_t)len >= size) {
            out[0] = '\0';
            return -ERANGE;
        }
        if (len == 3)
            o += (size_t)snprintf(out + o, size - o, "\\%02X", c);
        else {
            if (len == 2)
                out[o++] = '\\';
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
    return 0;
}

int ldap_dn_format(const char *tmpl, const char *login, char *out, size_t size)
{
    assert(tmpl && login && out && size > 0);
    size_t o = 0;
    bool has_login = false;
    out[0] = '\0';
    for (const char *p = tmpl; *p; p++) {
        if (p[0] == '%' && p[1] == 'u') {
            if (ldap_dn_escape(login, out + o, size - o) != 0)
                goto too_long;
            o += strlen(out + o);
            has_login = true;
            p++;
        } else {
            if (o + 1 >= size)
                goto too_long;
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    if (!has_login) {
        out[0] = '\0';
        return ERR_MALFORMED;
    }
    return 0;
too_long:
    out[0] = '\0';
    return -ERANGE;
}

/* The step that failed and why, into errbuf. A result of the library's own (negative:
 * no connection, a timeout, TLS) comes with its diagnostic, which libldap writes; a
 * server's diagnostic is left out, as a server may repeat the DN, and so the login. */
static void describe_failure(LDAP *ld, const char *step, int rc, char *errbuf)
{
    char *diag = NULL;
    if (ld && rc < 0)
        ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diag);
    snprintf(errbuf, ERR_BUF_LEN, "%s: %s (%d)%s%s", step, ldap_err2string(rc), rc,
             diag && diag[0] ? ": " : "", diag && diag[0] ? diag : "");
    ldap_memfree(diag);
}

int ldap_password_check(const struct ldap_options *o, const char *login, const char *password,
                        char *errbuf)
{
    assert(o && o->uri && o->bind_dn && login && password && errbuf && o->timeout_ms > 0);
    errbuf[0] = '\0';
    if (!password[0] || !login[0])
        return 0;
    char dn[LDAP_BIND_DN_MAX];
    int rc = ldap_dn_format(o->bind_dn, login, dn, sizeof dn);
    if (rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN,
                 rc == ERR_MALFORMED ? "the bind DN template has no %%u"
                                     : "the bind DN would be longer than %d bytes",
                 LDAP_BIND_DN_MAX - 1);
        return rc == ERR_MALFORMED ? ERR_CONFIG : rc;
    }
    LDAP *ld = NULL;
    int result = -EIO;
    rc = ldap_initialize(&ld, o->uri);
    if (rc != LDAP_SUCCESS) {
        describe_failure(NULL, "the URI list", rc, errbuf);
        result = ERR_CONFIG;
        goto out;
    }
    /* The network timeout bounds each connect (and a TLS handshake); LDAP_OPT_TIMEOUT each
     * synchronous call's wait for its answer. Referrals are not followed: the bind is to
     * this directory and no other. */
    int version = LDAP_VERSION3;
    struct timeval tv = {.tv_sec = (time_t)(o->timeout_ms / 1000),
                         .tv_usec = (suseconds_t)(o->timeout_ms % 1000) * 1000};
    if ((rc = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version)) != LDAP_OPT_SUCCESS ||
        (rc = ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &tv)) != LDAP_OPT_SUCCESS ||
        (rc = ldap_set_option(ld, LDAP_OPT_TIMEOUT, &tv)) != LDAP_OPT_SUCCESS ||
        (rc = ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF)) != LDAP_OPT_SUCCESS) {
        describe_failure(ld, "options", rc, errbuf);
        goto out;
    }
    if (o->starttls && (rc = ldap_start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
        describe_failure(ld, "STARTTLS", rc, errbuf);
        goto out;
    }
    struct berval cred = {.bv_len = strlen(password), .bv_val = (char *)password};
    rc = ldap_sasl_bind_s(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, NULL);
    switch (rc) {
    case LDAP_SUCCESS: result = 1; break;
    /* The answers about these credentials: a wrong password or no such entry (49), an
     * entry without a password (48), a DN the server cannot parse (34), a bind the server
     * will not do, e.g. a locked account (53). */
    case LDAP_INVALID_CREDENTIALS:
    case LDAP_INAPPROPRIATE_AUTH:
    case LDAP_INVALID_DN_SYNTAX:
    case LDAP_UNWILLING_TO_PERFORM: result = 0; break;
    default: describe_failure(ld, "bind", rc, errbuf);
    }
out:
    if (ld)
        ldap_unbind_ext_s(ld, NULL, NULL);
    return result;
}
