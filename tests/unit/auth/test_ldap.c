// SPDX-License-Identifier: MIT
// Tests of the LDAP password check without a directory: the DN escaping of RFC 4514 §2.4
// with hostile logins, the %u template, and what reaches the network. A "directory" here
// is a listening socket that never answers: the connections waiting in its backlog show
// whether a check went to it, and its silence makes the timeout. Then login.c's routing
// over a real SQLite store: only a known user without a local password is sent there.
// The binds themselves, against a real slapd, are tests/integration/029-ldap.
#include "../../../src/auth/ldap.h"
#include "../../../src/auth/login.h"
#include "../../../src/base/err.h"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static void test_escape(void)
{
    static const struct {
        const char *in, *want;
    } cases[] = {
        {"alice", "alice"},
        {"a,b", "a\\,b"},
        {"x+y", "x\\+y"},
        {"#lead", "\\#lead"},
        {"mid#dle#", "mid#dle#"}, /* '#' only at the start */
        {" space ", "\\ space\\ "},
        {"in side", "in side"}, /* a space only at either end */
        {" ", "\\ "},
        {"  ", "\\ \\ "},
        {"back\\slash", "back\\\\slash"},
        {"<>\";=", "\\<\\>\\\"\\;\\="},
        {"uid=x,ou=admins", "uid\\=x\\,ou\\=admins"},
        {"*)(uid=*", "*)(uid\\=*"}, /* filter metacharacters mean nothing in a DN */
        {"j\xc3\xb6rg", "j\xc3\xb6rg"},
        {"tab\there\x7f", "tab\\09here\\7F"},
        {"", ""},
    };
    char out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ASSERT_EQ_INT(ldap_dn_escape(cases[i].in, out, sizeof out), 0);
        ASSERT_STREQ(out, cases[i].want);
    }
    /* "a,b" needs 5 bytes with its NUL: 4 do not do, and leave "" */
    ASSERT_EQ_INT(ldap_dn_escape("a,b", out, 5), 0);
    ASSERT_EQ_INT(ldap_dn_escape("a,b", out, 4), -ERANGE);
    ASSERT_STREQ(out, "");
    ASSERT_EQ_INT(ldap_dn_escape("\x01", out, 4), 0);
    ASSERT_STREQ(out, "\\01");
    ASSERT_EQ_INT(ldap_dn_escape("\x01", out, 3), -ERANGE);
}

static void test_format(void)
{
    const char *people = "uid=%u,ou=people,dc=example,dc=net";
    static const struct {
        const char *tmpl, *login, *want;
        int rc;
    } cases[] = {
        {"uid=%u,ou=people,dc=example,dc=net", "alice", "uid=alice,ou=people,dc=example,dc=net", 0},
        {"uid=%u,ou=people,dc=example,dc=net", "carol,ou=admins",
         "uid=carol\\,ou\\=admins,ou=people,dc=example,dc=net", 0},
        {"uid=%u,ou=people,dc=example,dc=net", "#x+y ",
         "uid=\\#x\\+y\\ ,ou=people,dc=example,dc=net", 0},
        {"cn=%u+uid=%u,dc=example,dc=net", "a,b", "cn=a\\,b+uid=a\\,b,dc=example,dc=net", 0},
        {"%u@example.net", "alice", "alice@example.net", 0}, /* Active Directory's UPN form */
        {"o=100%,uid=%u", "x", "o=100%,uid=x", 0},           /* any other '%' is itself */
        {"uid=%U,dc=net", "x", "", ERR_MALFORMED},
        {"cn=admin,dc=example,dc=net", "alice", "", ERR_MALFORMED},
        {"", "alice", "", ERR_MALFORMED},
        {"uid=%", "alice", "", ERR_MALFORMED},
    };
    char out[128];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ASSERT_EQ_INT(ldap_dn_format(cases[i].tmpl, cases[i].login, out, sizeof out), cases[i].rc);
        ASSERT_STREQ(out, cases[i].want);
    }
    /* the longest login (127 bytes), each byte escaped: too long for 128 bytes, not for 512 */
    char login[128];
    memset(login, ',', 127);
    login[127] = '\0';
    ASSERT_EQ_INT(ldap_dn_format(people, login, out, sizeof out), -ERANGE);
    ASSERT_STREQ(out, "");
    char big[512];
    ASSERT_EQ_INT(ldap_dn_format(people, login, big, sizeof big), 0);
    ASSERT_EQ_U64(strlen(big), strlen(people) - 2 + 254);
    /* exactly: "uid=a\,b" and its NUL is 9 bytes; the template's tail must fit as well */
    ASSERT_EQ_INT(ldap_dn_format("uid=%u", "a,b", out, 9), 0);
    ASSERT_STREQ(out, "uid=a\\,b");
    ASSERT_EQ_INT(ldap_dn_format("uid=%u", "a,b", out, 8), -ERANGE);
    ASSERT_EQ_INT(ldap_dn_format("uid=%u,", "a,b", out, 9), -ERANGE);
    ASSERT_EQ_INT(ldap_dn_format("uid=%u,", "a,b", out, 10), 0);
}

/* A directory that accepts connections (the kernel does) and never answers. */
struct silent {
    int fd;
    char uri[64];
};

static int silent_open(struct silent *d)
{
    d->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (d->fd < 0 || bind(d->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(d->fd, 16) != 0 ||
        getsockname(d->fd, (struct sockaddr *)&a, &len) != 0)
        return -1;
    snprintf(d->uri, sizeof d->uri, "ldap://127.0.0.1:%u", ntohs(a.sin_port));
    return 0;
}

/* The connections made to it since the last call. */
static int silent_count(struct silent *d)
{
    int n = 0, fd;
    while ((fd = accept(d->fd, NULL, NULL)) >= 0) {
        close(fd);
        n++;
    }
    return n;
}

/* A URI of a port nobody listens on (one just closed): connections are refused. */
static void refused_uri(char *uri, size_t size)
{
    struct silent d;
    silent_open(&d);
    snprintf(uri, size, "%s", d.uri);
    close(d.fd);
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void test_check_without_directory(void)
{
    struct silent d;
    ASSERT_EQ_INT(silent_open(&d), 0);
    struct ldap_options o = {
        .uri = d.uri, .bind_dn = "uid=%u,dc=example,dc=net", .timeout_ms = 200};
    char errbuf[ERR_BUF_LEN];
    /* RFC 4513 §5.1.2: never an unauthenticated bind, which many servers let through */
    ASSERT_EQ_INT(ldap_password_check(&o, "alice", "", errbuf), 0);
    ASSERT_STREQ(errbuf, "");
    ASSERT_EQ_INT(silent_count(&d), 0);
    /* silence: a timeout, after one connection, bounded by timeout_ms */
    uint64_t t0 = mono_ms();
    ASSERT_TRUE(ldap_password_check(&o, "alice", "secret", errbuf) < 0);
    uint64_t took = mono_ms() - t0;
    ASSERT_TRUE(took >= 150 && took < 2000);
    ASSERT_TRUE(strstr(errbuf, "bind: ") == errbuf);
    ASSERT_TRUE(strstr(errbuf, "secret") == NULL && strstr(errbuf, "alice") == NULL);
    ASSERT_EQ_INT(silent_count(&d), 1);
    /* a template without %u never binds */
    o.bind_dn = "cn=admin,dc=example,dc=net";
    ASSERT_EQ_INT(ldap_password_check(&o, "alice", "secret", errbuf), ERR_CONFIG);
    ASSERT_EQ_INT(silent_count(&d), 0);
    /* nobody listening: refused at once, told apart from wrong credentials */
    char refused[64];
    refused_uri(refused, sizeof refused);
    o.uri = refused;
    o.bind_dn = "uid=%u,dc=example,dc=net";
    t0 = mono_ms();
    ASSERT_TRUE(ldap_password_check(&o, "alice", "secret", errbuf) < 0);
    ASSERT_TRUE(mono_ms() - t0 < 1000);
    ASSERT_TRUE(strstr(errbuf, "Can't contact LDAP server") != NULL);
    /* a URI libldap cannot read */
    o.uri = "http://127.0.0.1/";
    ASSERT_EQ_INT(ldap_password_check(&o, "alice", "secret", errbuf), ERR_CONFIG);
    ASSERT_TRUE(strstr(errbuf, "the URI list: ") == errbuf);
    close(d.fd);
}

static struct store *new_store(char *path)
{
    strcpy(path, "/tmp/ft-test-ldap-XXXXXX");
    int fd = mkstemp(path);
    close(fd);
    unlink(path);
    char errbuf[ERR_BUF_LEN];
    struct store *s = store_open(path, false, errbuf);
    if (!s)
        printf("# %s\n", errbuf);
    return s;
}

static void remove_store(struct store *s, const char *path)
{
    store_close(s);
    char p[512];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

static int64_t failures(struct store *s, const char *key)
{
    struct login_failure_row r;
    return store_login_failure_get(s, key, &r) == 0 ? r.failures : 0;
}

static void test_login_routing(void)
{
    char path[64], errbuf[ERR_BUF_LEN];
    struct store *s = new_store(path);
    ASSERT_TRUE(s != NULL);
    if (!s)
        return;
    struct user lena = {.login = "lena", .role = "staff", .password = ""};
    /* openssl passwd -1 -salt Xq3vR8pL 'mailbox-pass-1' */
    struct user erin = {
        .login = "erin", .role = "staff", .password = "$1$Xq3vR8pL$12qmeAChwXgpWy7/ltUSf0"};
    ASSERT_EQ_INT(store_user_save(s, &lena, true, errbuf), 0);
    ASSERT_EQ_INT(store_user_save(s, &erin, true, errbuf), 0);
    struct silent d;
    ASSERT_EQ_INT(silent_open(&d), 0);
    struct ldap_options o = {
        .uri = d.uri, .bind_dn = "uid=%u,dc=example,dc=net", .timeout_ms = 200};
    struct ip_addr from = addr_from_v4(0xc0000209);
    uint64_t now = 1790000000000;
    struct user got;
    unsigned retry = 0;
    /* an unknown login and a local password never reach the directory */
    ASSERT_EQ_INT(login_check_with(s, &o, "nobody", "pw", &from, now, &got, &retry), LOGIN_FAILED);
    ASSERT_EQ_INT(login_check_with(s, &o, "erin", "wrong", &from, now, &got, &retry), LOGIN_FAILED);
    ASSERT_EQ_INT(login_check_with(s, &o, "erin", "mailbox-pass-1", &from, now, &got, &retry),
                  LOGIN_OK);
    ASSERT_EQ_INT(silent_count(&d), 0);
    /* an empty password is refused before any bind, and counted */
    ASSERT_EQ_INT(login_check_with(s, &o, "LENA", "", &from, now, &got, &retry), LOGIN_FAILED);
    ASSERT_EQ_INT(silent_count(&d), 0);
    ASSERT_EQ_INT(failures(s, "user:lena"), 1);
    ASSERT_EQ_INT(failures(s, "addr:192.0.2.9"), 3);
    /* a directory user goes to the directory; its silence is not the account's failure */
    ASSERT_EQ_INT(login_check_with(s, &o, "Lena", "pw", &from, now, &got, &retry),
                  LOGIN_UNAVAILABLE);
    ASSERT_EQ_INT(silent_count(&d), 1);
    ASSERT_EQ_INT(failures(s, "user:lena"), 1);
    ASSERT_EQ_INT(failures(s, "addr:192.0.2.9"), 4);
    /* without a directory, no local password never verifies */
    ASSERT_EQ_INT(login_check_with(s, NULL, "lena", "pw", &from, now, &got, &retry), LOGIN_FAILED);
    o.uri = "";
    ASSERT_EQ_INT(login_check_with(s, &o, "lena", "pw", &from, now, &got, &retry), LOGIN_FAILED);
    ASSERT_EQ_INT(silent_count(&d), 0);
    close(d.fd);
    remove_store(s, path);
}

int main(void)
{
    RUN(test_escape);
    RUN(test_format);
    RUN(test_check_without_directory);
    RUN(test_login_routing);
    return test_done();
}
