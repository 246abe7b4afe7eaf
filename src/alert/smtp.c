// SPDX-License-Identifier: MIT
// One message by SMTP through libcurl's easy interface, one connection per message.
//
// What a failure comes to (enum smtp_result):
// - PERMANENT only when the server refused this message: a 5xx reply to MAIL FROM, to
//   every RCPT TO, to DATA or to the message itself, or a recipient address we would not
//   send to. Sending it again would get the same answer.
// - RETRY for everything else, including what only the operator can mend: a refused login
//   (535), a server that wants a login (530), STARTTLS required but not offered, a
//   certificate not trusted, a sender address (mail_from) or URL that is no good. Those hold for
//   every message, not for this one; the message waits (backoff, then give-up) and goes once the
//   configuration is fixed, instead of being failed for good. Each such error says what to fix.
// - no connection, a timeout, a 4xx reply, a greeting that is not 2xx, a TLS handshake
//   that failed: RETRY.
//
// The server's last refusal (a 4xx or 5xx reply line) is kept through the header
// callback, which libcurl gives every SMTP reply line, so the error says what the server
// said. VERBOSE is never on: its trace would carry the AUTH exchange. The password is not
// in anything we write; any text that happens to hold it anyway (a server echoing it) has
// it replaced by "***".
#include "smtp.h"

#include "../base/err.h"
#include "mime.h"

#include <assert.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define SMTP_DEFAULT_TIMEOUT_S 30
#define SMTP_REPLY_MAX 200 /* of the server's last reply line, kept for the message */
#define SMTP_MAX_RCPT 64
#define SMTP_ADDR_BUF 256 /* an address (at most 254 bytes) and its NUL */

struct upload {
    const char *p;
    size_t left;
    bool is_done; /* the read callback gave the whole body (so a reply now is to it) */
};

static size_t read_body(char *buf, size_t size, size_t nitems, void *ctx)
{
    struct upload *u = ctx;
    size_t n = size * nitems < u->left ? size * nitems : u->left;
    memcpy(buf, u->p, n);
    u->p += n;
    u->left -= n;
    if (u->left == 0)
        u->is_done = true;
    return n;
}

/* Keeps the last reply line that refused or deferred something ("550 5.1.1 no such
 * user"; code 4xx or 5xx), printable ASCII only: the reply to the QUIT that follows a
 * failure, or a 250 before a timeout, would say nothing. */
static size_t keep_reply(char *buf, size_t size, size_t nitems, void *ctx)
{
    char *reply = ctx;
    size_t n = size * nitems, o = 0;
    if (n < 4 || (buf[0] != '4' && buf[0] != '5') || buf[1] < '0' || buf[1] > '9')
        return n;
    for (size_t i = 0; i < n && o < SMTP_REPLY_MAX; i++) {
        if (buf[i] == '\r' || buf[i] == '\n')
            break;
        reply[o++] = buf[i] >= 0x20 && buf[i] < 0x7f ? buf[i] : '?';
    }
    reply[o] = '\0';
    return n;
}

/* Replaces every occurrence of secret in errbuf (ERR_BUF_LEN) with "***". */
static void scrub(char *errbuf, const char *secret)
{
    size_t n = secret ? strlen(secret) : 0;
    if (n == 0 || !strstr(errbuf, secret))
        return;
    char out[ERR_BUF_LEN];
    size_t o = 0;
    for (const char *p = errbuf; *p && o + 4 < sizeof out;) {
        if (strncmp(p, secret, n) == 0) {
            memcpy(out + o, "***", 3);
            o += 3;
            p += n;
        } else {
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    memcpy(errbuf, out, o + 1);
}

/* Splits the comma-separated recipients into a list, each checked. Returns 0, or
 * ERR_MALFORMED or -ENOMEM with errbuf. */
static int recipients(const char *to, struct curl_slist **list, char *errbuf)
{
    char addr[SMTP_ADDR_BUF];
    int n = 0;
    for (const char *p = to;; p++) {
        size_t len = strcspn(p, ",");
        const char *s = p, *e = p + len;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        size_t n_addr = (size_t)(e - s);
        if (n_addr < sizeof addr) {
            memcpy(addr, s, n_addr);
            addr[n_addr] = '\0';
        }
        if (n_addr >= sizeof addr || !mime_address_ok(addr)) {
            snprintf(errbuf, ERR_BUF_LEN, "not a recipient address: \"%.*s\"",
                     (int)(n_addr < 300 ? n_addr : 300), s);
            return ERR_MALFORMED;
        }
        if (++n > SMTP_MAX_RCPT) {
            snprintf(errbuf, ERR_BUF_LEN, "more than %d recipients", SMTP_MAX_RCPT);
            return ERR_MALFORMED;
        }
        struct curl_slist *l = curl_slist_append(*list, addr);
        if (!l) {
            snprintf(errbuf, ERR_BUF_LEN, "out of memory");
            return -ENOMEM;
        }
        *list = l;
        p += len;
        if (*p == '\0')
            return 0;
    }
}

static bool is_tls_error(CURLcode rc)
{
    switch (rc) {
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_ENGINE_INITFAILED: return true;
    default: return false;
    }
}

/* What a failed transfer comes to, and the words for it (errbuf). */
static enum smtp_result classify(CURLcode rc, long code, const struct upload *u,
                                 const struct smtp_config *c, const char *detail, const char *reply,
                                 char *errbuf)
{
    bool is_5xx = code >= 500 && code <= 599;
    /* CURLE_SEND_ERROR with a reply code: MAIL FROM, RCPT TO (every one) or DATA was
     * refused; CURLE_WEIRD_SERVER_REPLY after the whole body: the message was. A send
     * error without a refusal keeps the last good code (2xx, 3xx). */
    bool is_refusal = (rc == CURLE_SEND_ERROR && code >= 400) ||
                      (rc == CURLE_WEIRD_SERVER_REPLY && u->is_done && code >= 400);
    const char *what;
    enum smtp_result result = SMTP_RETRY;
    if (rc == CURLE_LOGIN_DENIED) {
        what = "the server refused the login; check smtp_user and smtp_password";
    } else if (rc == CURLE_USE_SSL_FAILED) {
        what = c->tls_required ? "TLS is required (smtp_tls = required), and the server does "
                                 "not offer STARTTLS"
                               : "the server does not offer STARTTLS";
    } else if (is_tls_error(rc)) {
        what = "the TLS connection failed (certificate or handshake)";
    } else if (is_refusal && code == 530) {
        what = "the server wants a login first; set smtp_user and smtp_password";
    } else if (is_refusal && is_5xx) {
        what = "the server refused the message";
        result = SMTP_PERMANENT;
    } else if (is_refusal) {
        what = "the server deferred the message";
    } else if ((rc == CURLE_WEIRD_SERVER_REPLY || rc == CURLE_REMOTE_ACCESS_DENIED) &&
               code >= 400) {
        what = "the server turned the connection away";
    } else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST) {
        what = "cannot connect to the SMTP server";
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        what = "the SMTP server did not answer in time";
    } else {
        what = "sending failed";
    }
    /* libcurl says nothing of its own when the reply to the message is not 250 */
    const char *why = detail[0]                  ? detail
                      : is_refusal && u->is_done ? "its reply to the message"
                                                 : curl_easy_strerror(rc);
    snprintf(errbuf, ERR_BUF_LEN, "%s (%s)%s%s%s%s", what, why, reply[0] ? ": \"" : "", reply,
             reply[0] ? "\"" : "",
             u->is_done && !is_refusal ? "; the whole message was sent and may have arrived" : "");
    return result;
}

int smtp_send(const struct smtp_config *c, const char *from, const char *to, const char *body,
              size_t len, char *errbuf)
{
    char detail[CURL_ERROR_SIZE] = "", reply[SMTP_REPLY_MAX + 1] = "";
    struct upload u = {.p = body, .left = len};
    struct curl_slist *rcpt = NULL;
    CURL *curl = NULL;
    int result = SMTP_RETRY;
    assert(c && c->url && from && to && body);
    errbuf[0] = '\0';

    if (strncmp(c->url, "smtp://", 7) != 0 && strncmp(c->url, "smtps://", 8) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "the SMTP server's URL must start with smtp:// or smtps://");
        goto out; /* the configuration's fault, not the message's: RETRY */
    }
    if (!mime_address_ok(from)) { /* mail_from: the configuration's fault too */
        snprintf(errbuf, ERR_BUF_LEN, "not a sender address: \"%.300s\"", from);
        goto out;
    }
    int rc = recipients(to, &rcpt, errbuf);
    if (rc) {
        result = rc == ERR_MALFORMED ? SMTP_PERMANENT : SMTP_RETRY;
        goto out;
    }
    curl = curl_easy_init();
    if (!curl) {
        snprintf(errbuf, ERR_BUF_LEN, "cannot start libcurl (out of memory?)");
        goto out;
    }
    long timeout_s = c->timeout_s > 0 ? c->timeout_s : SMTP_DEFAULT_TIMEOUT_S;
    bool is_smtps = strncmp(c->url, "smtps://", 8) == 0;
    char sender[300];
    snprintf(sender, sizeof sender, "<%s>", from);
    curl_easy_setopt(curl, CURLOPT_URL, c->url);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, sender);
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    /* a refused recipient does not stop the others; all refused is a refusal */
#if LIBCURL_VERSION_NUM >= 0x080200
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT_ALLOWFAILS, 1L);
#else
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT_ALLLOWFAILS, 1L);
#endif
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(curl, CURLOPT_READDATA, &u);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, keep_reply);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, reply);
    curl_easy_setopt(curl, CURLOPT_USE_SSL,
                     is_smtps || c->tls_required ? (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
    if (c->user && c->user[0]) {
        curl_easy_setopt(curl, CURLOPT_USERNAME, c->user);
        curl_easy_setopt(curl, CURLOPT_PASSWORD, c->password ? c->password : "");
    }
    if (c->ca_file && c->ca_file[0])
        curl_easy_setopt(curl, CURLOPT_CAINFO, c->ca_file);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, timeout_s);
    /* a reply that does not come within timeout_s: under 1 byte/s for that long */
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, timeout_s);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 10 * timeout_s); /* a server that trickles */
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_VERBOSE, 0L);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, detail);

    CURLcode crc = curl_easy_perform(curl);
    if (crc == CURLE_OK) {
        result = SMTP_SENT;
        goto out;
    }
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    result = classify(crc, code, &u, c, detail, reply, errbuf);
out:
    scrub(errbuf, c->password);
    curl_easy_cleanup(curl);
    curl_slist_free_all(rcpt);
    return result;
}

int smtp_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : ERR_UNSUPPORTED;
}
