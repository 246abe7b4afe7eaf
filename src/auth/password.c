// SPDX-License-Identifier: MIT
// Every scheme is libxcrypt's: crypt_rn() recomputes a hash from the password and the stored
// string (which it reads as the setting: scheme, cost, salt) and the result is compared with
// the stored string. A Dovecot prefix ("{SHA512-CRYPT}$6$...", Dovecot's password schemes
// documentation) is only taken off first; what is after it is the same crypt(3) string.
// Refusals go through the same amount of work as a yescrypt check, so the time of a login
// does not say whether the user exists or has a password here.
#include "password.h"

#include "../base/err.h"
#include "../base/utf8.h"
#include "../base/xalloc.h"
#include "token.h"

#include <assert.h>
#include <crypt.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

_Static_assert(PASSWORD_LEN_MAX < CRYPT_MAX_PASSPHRASE_SIZE, "libxcrypt hashes the longest");
_Static_assert(PASSWORD_HASH_MAX <= CRYPT_OUTPUT_SIZE, "a stored hash fits crypt_rn's output");

/* Dovecot's crypt-based schemes, and the crypt(3) strings each may hold: Dovecot computes
 * MD5-CRYPT, SHA256-CRYPT, SHA512-CRYPT and BLF-CRYPT with its own code for that one kind,
 * so "{MD5-CRYPT}$6$..." never verified there and does not here; CRYPT is crypt(3) itself. */
static const struct {
    const char *name;
    const char *inner[3]; /* the string after the prefix starts with one of these; NULL: any */
} password_dovecot[] = {
    {"MD5-CRYPT", {"$1$"}},    {"SHA256-CRYPT", {"$5$"}},
    {"SHA512-CRYPT", {"$6$"}}, {"BLF-CRYPT", {"$2a$", "$2b$", "$2y$"}},
    {"CRYPT", {NULL}},
};

/* Names for messages, by the start of the crypt string (the first match wins). */
static const struct {
    const char *start, *name;
} password_schemes[] = {
    {"$y$", "yescrypt"},     {"$gy$", "gost-yescrypt"}, {"$7$", "scrypt"},
    {"$2", "bcrypt"},        {"$6$", "sha512crypt"},    {"$5$", "sha256crypt"},
    {"$sha1$", "sha1crypt"}, {"$md5", "sunmd5"},        {"$1$", "md5crypt"},
    {"$3$", "nt"},           {"_", "bsdicrypt"},        {"", "descrypt"},
};

/* The setting every refusal is computed against, and whose cost password_needs_upgrade()
 * wants: libxcrypt's default yescrypt parameters. The salt is fixed, as nothing is ever
 * compared with the result; the setting only has to cost what a real one does. */
static char password_dummy[CRYPT_GENSALT_OUTPUT_SIZE];
static pthread_once_t password_dummy_once = PTHREAD_ONCE_INIT;

static void password_dummy_init(void)
{
    static const char salt[16] = "flowtally-dummy";
    if (!crypt_gensalt_rn("$y$", 0, salt, sizeof salt, password_dummy, sizeof password_dummy))
        password_dummy[0] = '\0'; /* then a refusal costs less: nothing else depends on it */
}

static const char *password_dummy_setting(void)
{
    pthread_once(&password_dummy_once, password_dummy_init);
    return password_dummy;
}

/* The crypt(3) string inside stored: stored itself, or what follows a Dovecot prefix that
 * allows it. NULL when there is none, with the reason in why (why_size bytes; why may be NULL
 * when why_size is 0). OUT: *prefix (prefix may be NULL), the Dovecot scheme's name, or NULL
 * without a prefix. */
static const char *password_unprefix(const char *stored, const char **prefix, char *why,
                                     size_t why_size)
{
    if (prefix)
        *prefix = NULL;
    if (stored[0] != '{')
        return stored; /* no crypt(3) string starts with '{' */
    const char *close = strchr(stored, '}');
    size_t n = close ? (size_t)(close - stored - 1) : 0;
    for (size_t i = 0; close && i < sizeof password_dovecot / sizeof password_dovecot[0]; i++) {
        if (strlen(password_dovecot[i].name) != n ||
            strncasecmp(stored + 1, password_dovecot[i].name, n) != 0)
            continue;
        const char *inner = close + 1;
        if (prefix)
            *prefix = password_dovecot[i].name;
        if (!inner[0]) {
            snprintf(why, why_size, "nothing after {%s}", password_dovecot[i].name);
            return NULL;
        }
        if (!password_dovecot[i].inner[0])
            return inner;
        for (size_t k = 0; k < 3 && password_dovecot[i].inner[k]; k++)
            if (strncmp(inner, password_dovecot[i].inner[k],
                        strlen(password_dovecot[i].inner[k])) == 0)
                return inner;
        snprintf(why, why_size, "{%s} does not hold a %s hash", password_dovecot[i].name,
                 password_dovecot[i].inner[0]);
        return NULL;
    }
    if (close &&
        (strncasecmp(stored, "{ARGON2I}", 9) == 0 || strncasecmp(stored, "{ARGON2ID}", 10) == 0))
        snprintf(why, why_size, "%.*s: libxcrypt has no Argon2", (int)(n + 2), stored);
    else if (close)
        snprintf(why, why_size, "%.*s is not a crypt(3) scheme this program verifies", (int)(n + 2),
                 stored);
    else
        snprintf(why, why_size, "an opening '{' without a closing '}'");
    return NULL;
}

/* The costs a stored hash may ask for: about 2 s of one core each where they were measured
 * (bcrypt cost 14 took 1.0 s there, sha512crypt's 1,000,000 rounds 0.23 s). Much more is no
 * mail system's choice but an error or an attack (bcrypt cost 31 takes days), and each login
 * of the user, or each check of the hash, would hold a thread that long. */
#define PASSWORD_BCRYPT_COST_MAX 15
#define PASSWORD_SHA_ROUNDS_MAX 10000000ULL

/* Whether hash asks for no more than those costs. Only bcrypt's ("$2b$NN$") and the SHA
 * crypts' ("rounds=N", the crypt(3) man page's notes) are read: yescrypt's and scrypt's
 * parameters are not. Writes the reason into why (why_size bytes, as above) when it does. */
static bool password_cost_ok(const char *hash, char *why, size_t why_size)
{
    if (strncmp(hash, "$2", 2) == 0 && hash[2] && hash[3] == '$' &&
        isdigit((unsigned char)hash[4]) && isdigit((unsigned char)hash[5]) &&
        (hash[4] - '0') * 10 + (hash[5] - '0') > PASSWORD_BCRYPT_COST_MAX) {
        snprintf(why, why_size, "bcrypt cost %.2s, more than %d", hash + 4,
                 PASSWORD_BCRYPT_COST_MAX);
        return false;
    }
    if ((strncmp(hash, "$5$rounds=", 10) == 0 || strncmp(hash, "$6$rounds=", 10) == 0) &&
        strtoull(hash + 10, NULL, 10) > PASSWORD_SHA_ROUNDS_MAX) {
        snprintf(why, why_size, "%.*s, more than %llu", (int)strcspn(hash + 3, "$"), hash + 3,
                 PASSWORD_SHA_ROUNDS_MAX);
        return false;
    }
    return true;
}

/* Where the checksum starts in a string crypt_rn() wrote: after the last '$' of the $-schemes
 * (for bcrypt, salt and checksum together), after the 2 salt characters of descrypt or the
 * 9 of bsdicrypt's "_" setting. */
static size_t password_setting_len(const char *computed)
{
    if (computed[0] == '$')
        return (size_t)(strrchr(computed, '$') - computed) + 1;
    return computed[0] == '_' ? 9 : 2;
}

int password_verify(const char *stored, const char *password)
{
    assert(password);
    const char *hash = stored ? password_unprefix(stored, NULL, NULL, 0) : NULL;
    if (hash && !password_cost_ok(hash, NULL, 0))
        hash = NULL;
    struct crypt_data *data = xcalloc(1, sizeof *data);
    const char *computed = hash && hash[0] ? crypt_rn(password, hash, data, sizeof *data) : NULL;
    int ok = 0;
    /* A stored string that crypt_rn() reads as a setting but that has no checksum of the
     * length it computes (a bare "$1$", "garbage" read as descrypt) cannot match either. */
    if (computed && strlen(computed) == strlen(hash))
        ok = token_equal(computed, hash);
    else
        crypt_rn(password, password_dummy_setting(), data, sizeof *data);
    explicit_bzero(data, sizeof *data); /* holds the password and its hash */
    free(data);
    return ok;
}

bool password_needs_upgrade(const char *stored)
{
    const char *dummy = password_dummy_setting();
    if (!stored || strncmp(stored, "$y$", 3) != 0 || !dummy[0])
        return true;
    /* "$y$" PARAMS "$": the same parameters as a new hash's, to their closing '$'. */
    size_t n = strcspn(dummy + 3, "$") + 4;
    return strncmp(stored, dummy, n) != 0;
}

int password_hash(const char *password, char *out, char *errbuf)
{
    assert(password && out && errbuf);
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    out[0] = '\0';
    if (strlen(password) > PASSWORD_LEN_MAX) {
        snprintf(errbuf, ERR_BUF_LEN, "the password is longer than %d bytes", PASSWORD_LEN_MAX);
        return -ERANGE;
    }
    errno = 0;
    if (!crypt_gensalt_rn("$y$", 0, NULL, 0, setting, sizeof setting)) {
        int rc = errno ? -errno : -EINVAL;
        snprintf(errbuf, ERR_BUF_LEN, "no yescrypt salt from libxcrypt: %s", err_str(rc));
        return rc;
    }
    struct crypt_data *data = xcalloc(1, sizeof *data);
    int rc = 0;
    errno = 0;
    const char *h = crypt_rn(password, setting, data, sizeof *data);
    if (!h) {
        rc = errno ? -errno : -EINVAL;
        snprintf(errbuf, ERR_BUF_LEN, "libxcrypt cannot hash with %s: %s", setting, err_str(rc));
    } else if (strlen(h) >= PASSWORD_HASH_MAX) {
        rc = ERR_LIMIT;
        snprintf(errbuf, ERR_BUF_LEN, "libxcrypt's hash is longer than %d bytes",
                 PASSWORD_HASH_MAX - 1);
    } else {
        memcpy(out, h, strlen(h) + 1);
    }
    explicit_bzero(data, sizeof *data);
    free(data);
    return rc;
}

/* The checks of password_hash_is_known() on the crypt string hash, given what crypt_rn()
 * computed from it with an empty password. Writes the reason into errbuf when it fails. */
static bool password_checksum_fits(const char *hash, const char *computed, char *errbuf)
{
    size_t setting = password_setting_len(computed), n = strlen(computed);
    if (strlen(hash) <= setting || strncmp(hash, computed, setting) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "no checksum after the salt");
        return false;
    }
    if (strlen(hash) != n) {
        snprintf(errbuf, ERR_BUF_LEN, "a checksum of %zu characters where %zu are expected",
                 strlen(hash) - setting, n - setting);
        return false;
    }
    size_t bad =
        strspn(hash + setting, "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
    if (setting + bad != n) {
        snprintf(errbuf, ERR_BUF_LEN, "a character outside the crypt alphabet at offset %zu",
                 setting + bad);
        return false;
    }
    return true;
}

bool password_hash_is_known(const char *stored, char *errbuf)
{
    assert(errbuf);
    if (!stored || !stored[0]) {
        snprintf(errbuf, ERR_BUF_LEN, "an empty hash");
        return false;
    }
    if (strlen(stored) >= PASSWORD_HASH_MAX) {
        snprintf(errbuf, ERR_BUF_LEN, "longer than %d bytes", PASSWORD_HASH_MAX - 1);
        return false;
    }
    const char *prefix;
    const char *hash = password_unprefix(stored, &prefix, errbuf, ERR_BUF_LEN);
    if (!hash || !password_cost_ok(hash, errbuf, ERR_BUF_LEN))
        return false;
    struct crypt_data *data = xcalloc(1, sizeof *data);
    const char *computed = crypt_rn("", hash, data, sizeof *data);
    bool ok = false;
    if (!computed && strncmp(hash, "$argon2", 7) == 0)
        snprintf(errbuf, ERR_BUF_LEN, "Argon2: libxcrypt has no Argon2");
    else if (!computed)
        snprintf(errbuf, ERR_BUF_LEN, "not a crypt(3) hash libxcrypt knows");
    else
        ok = password_checksum_fits(hash, computed, errbuf);
    free(data); /* no secret in it: the password was empty */
    if (!ok)
        return false;
    size_t i = 0;
    while (strncmp(hash, password_schemes[i].start, strlen(password_schemes[i].start)) != 0)
        i++;
    snprintf(errbuf, ERR_BUF_LEN, "%s%s%s%s%s", password_schemes[i].name, prefix ? " in {" : "",
             prefix ? prefix : "", prefix ? "}" : "",
             password_needs_upgrade(stored) ? ", replaced by yescrypt at the next login" : "");
    return true;
}

const char *password_scheme_name(const char *stored)
{
    static const char crypt_alphabet[] =
        "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    if (!stored || !stored[0])
        return "none";
    if (stored[0] == '{' && strchr(stored, '}')) /* a Dovecot prefix wraps a crypt string */
        stored = strchr(stored, '}') + 1;
    size_t n = sizeof password_schemes / sizeof password_schemes[0];
    for (size_t i = 0; i + 1 < n; i++) /* all but descrypt, whose "" start matches all */
        if (strncmp(stored, password_schemes[i].start, strlen(password_schemes[i].start)) == 0)
            return password_schemes[i].name;
    /* descrypt: 2 characters of salt and 11 of checksum, from the crypt alphabet */
    if (strlen(stored) == 13 && strspn(stored, crypt_alphabet) == 13)
        return password_schemes[n - 1].name;
    return "unknown";
}

int password_check_new(const char *password, char *errbuf)
{
    assert(password && errbuf);
    size_t n = strlen(password), len;
    if (n < PASSWORD_LEN_MIN || n > PASSWORD_LEN_MAX) {
        snprintf(errbuf, ERR_BUF_LEN, "a password has %d to %d bytes, not %zu", PASSWORD_LEN_MIN,
                 PASSWORD_LEN_MAX, n);
        return ERR_MALFORMED;
    }
    /* The reasons give offsets but not the bytes: an error message may end up in a log. */
    for (size_t i = 0; i < n; i += len) {
        uint32_t cp;
        len = utf8_decode(password + i, n - i, &cp);
        if (cp == UTF8_INVALID || utf8_is_control(cp)) {
            snprintf(errbuf, ERR_BUF_LEN, "%s at byte %zu",
                     cp == UTF8_INVALID ? "not valid UTF-8" : "a control character", i);
            return ERR_MALFORMED;
        }
    }
    return 0;
}
