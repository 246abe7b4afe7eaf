// SPDX-License-Identifier: MIT
// Tests of the application list: the shipped etc/apps.conf, every spec form (ports,
// ranges, tcp:/udp: prefixes, icmp, proto:N, service names from /etc/services), "other",
// and every malformed line with its exact file:line message.
#include "../../../src/classify/apps.h"
#include "test.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char path[64];

#define TCP 6
#define UDP 17

static struct app_table *load_text(const char *text, char *errbuf)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return apps_load(path, errbuf);
}

struct match_case {
    uint8_t proto;
    uint16_t port;
    const char *want;
};

static void check_matches(const struct app_table *t, const struct match_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const char *got = apps_name(t, apps_match(t, cases[i].proto, cases[i].port));
        if (strcmp(got, cases[i].want) != 0)
            TEST_FAIL("case %zu: proto %u port %u -> %s, expected %s", i, (unsigned)cases[i].proto,
                      (unsigned)cases[i].port, got, cases[i].want);
    }
}

static void test_shipped_list(void)
{
    char errbuf[ERR_BUF_LEN] = "";
    struct app_table *t = apps_load("etc/apps.conf", errbuf);
    ASSERT_STREQ(errbuf, "");
    if (!t)
        return;
    ASSERT_TRUE(apps_count(t) > 40);
    static const struct match_case cases[] = {
        {TCP, 80, "HTTP"},
        {TCP, 8080, "HTTP"},
        {UDP, 80, "other"},
        {TCP, 443, "HTTPS"},
        {UDP, 443, "QUIC"},
        {TCP, 53, "DNS"},
        {UDP, 53, "DNS"},
        {UDP, 123, "NTP"},
        {TCP, 123, "other"},
        {TCP, 22, "SSH"},
        {TCP, 587, "SMTP"},
        {TCP, 993, "IMAP"},
        {UDP, 1194, "OpenVPN"},
        {UDP, 51820, "WireGuard"},
        {UDP, 4500, "IPsec"},
        {50, 0, "IPsec"},
        {47, 0, "GRE"},
        {TCP, 6881, "BitTorrent"},
        {UDP, 6999, "BitTorrent"},
        {TCP, 6969, "BitTorrent"},
        {TCP, 7000, "other"},
        {TCP, 6880, "other"},
        {UDP, 27005, "Steam"},
        {TCP, 1935, "RTMP"},
        {1, 0, "ICMP"},
        {58, 0, "ICMP"},
        {1, 8, "ICMP"},
        {132, 80, "other"},
        {TCP, 0, "other"},
        {UDP, 65535, "other"},
    };
    check_matches(t, cases, sizeof cases / sizeof cases[0]);
    ASSERT_STREQ(apps_name(t, APPS_OTHER), "other");
    ASSERT_EQ_INT(apps_find(t, "https"), apps_find(t, "HTTPS"));
    ASSERT_STREQ(apps_name(t, apps_find(t, "quic")), "QUIC");
    apps_free(t);
}

static void test_specs(void)
{
    char errbuf[ERR_BUF_LEN] = "";
    struct app_table *t = load_text("# comment\n"
                                    "\n"
                                    "Web = 80 | 8000-8002   # both transports\n"
                                    "TLS=tcp:443\n"
                                    "Q=udp:443\r\n"
                                    "Range=udp:6881-6883\n"
                                    "Ping=icmp\n"
                                    "Tun=proto:47\n"
                                    "Zero=proto:0\n"
                                    "Same=5000|5000|4999-5001|tcp:5000\n"
                                    "Edge=1|65535\n",
                                    errbuf);
    ASSERT_STREQ(errbuf, "");
    if (!t)
        return;
    ASSERT_EQ_U64(apps_count(t), 10); /* 9 and "other" */
    static const char *const names[] = {"other", "Web", "TLS",  "Q",    "Range",
                                        "Ping",  "Tun", "Zero", "Same", "Edge"};
    for (uint16_t i = 0; i < 10; i++)
        ASSERT_STREQ(apps_name(t, i), names[i]);
    ASSERT_STREQ(apps_name(t, 10), "?");
    ASSERT_EQ_INT(apps_find(t, "nope"), APPS_NO_ID);
    ASSERT_EQ_INT(apps_find(t, "OTHER"), APPS_OTHER);
    static const struct match_case cases[] = {
        {TCP, 80, "Web"},      {UDP, 80, "Web"},     {TCP, 8000, "Web"},   {UDP, 8002, "Web"},
        {TCP, 8003, "other"},  {TCP, 7999, "other"}, {TCP, 443, "TLS"},    {UDP, 443, "Q"},
        {UDP, 6881, "Range"},  {UDP, 6883, "Range"}, {UDP, 6884, "other"}, {TCP, 6881, "other"},
        {1, 0, "Ping"},        {58, 65535, "Ping"},  {47, 0, "Tun"},       {0, 0, "Zero"},
        {50, 0, "other"},      {TCP, 0, "other"},    {TCP, 1, "Edge"},     {UDP, 65535, "Edge"},
        {TCP, 65534, "other"}, {UDP, 5000, "Same"},  {TCP, 4999, "Same"},  {TCP, 5001, "Same"},
        {UDP, 5002, "other"},  {255, 0, "other"},
    };
    check_matches(t, cases, sizeof cases / sizeof cases[0]);
    apps_free(t);

    t = load_text("", errbuf); /* empty: everything is "other" */
    ASSERT_STREQ(errbuf, "");
    if (!t)
        return;
    ASSERT_EQ_U64(apps_count(t), 1);
    ASSERT_EQ_INT(apps_match(t, TCP, 80), APPS_OTHER);
    apps_free(t);
}

/* Service names need /etc/services (Debian's netbase): main() skips this without it. */
static void test_service_names(void)
{
    char errbuf[ERR_BUF_LEN] = "";
    struct app_table *t = load_text("Web=http|tcp:https\n"
                                    "Time=ntp\n"
                                    "DNS=tcp:domain\n"
                                    "Res=udp:domain\n"
                                    "FTP=ftp-data|ftp\n",
                                    errbuf);
    ASSERT_STREQ(errbuf, "");
    if (t) {
        static const struct match_case cases[] = {
            {TCP, 80, "Web"},   {TCP, 443, "Web"},   {UDP, 443, "other"},
            {UDP, 123, "Time"}, {TCP, 123, "other"}, {TCP, 53, "DNS"},
            {UDP, 53, "Res"},   {TCP, 20, "FTP"},    {TCP, 21, "FTP"},
        };
        check_matches(t, cases, sizeof cases / sizeof cases[0]);
        apps_free(t);
    }
    static const struct {
        const char *text, *want; /* '@' stands for the file's path */
    } errors[] = {
        {"T=tcp:ntp\n", ":1: expected a service name known to /etc/services (Debian: netbase) "
                        "for tcp, got 'tcp:ntp'"},
        {"A=80\nT=htttp\n", ":2: expected a service name known to /etc/services (Debian: "
                            "netbase) for tcp or udp, got 'htttp'"},
        {"W=80\nH=http\n", ":2: expected ports not given to another application, got tcp port "
                           "80 in 'http' (already W, line 1)"},
    };
    for (size_t i = 0; i < sizeof errors / sizeof errors[0]; i++) {
        char want[ERR_BUF_LEN];
        snprintf(want, sizeof want, "%s%s", path, errors[i].want);
        t = load_text(errors[i].text, errbuf);
        ASSERT_TRUE(t == NULL);
        ASSERT_STREQ(errbuf, want);
        apps_free(t);
    }
}

static void test_errors(void)
{
    static const struct {
        const char *text, *want; /* want follows "PATH" */
    } cases[] = {
        {"HTTP 80\n", ":1: expected NAME=spec|spec|..., got 'HTTP 80'"},
        {"# x\n=80\n", ":2: expected an application name of 1 to 32 characters A-Z a-z 0-9 _ . "
                       "+ -, got ''"},
        {"Bad Name=80\n", ":1: expected an application name of 1 to 32 characters A-Z a-z 0-9 "
                          "_ . + -, got 'Bad Name'"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456=1\n",
         ":1: expected an application name of 1 to 32 characters A-Z a-z 0-9 _ . + -, got "
         "'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456'"},
        {"other=80\n", ":1: expected a name other than 'other' (reserved for unmatched "
                       "traffic), got 'other'"},
        {"OTHER=80\n", ":1: expected a name other than 'other' (reserved for unmatched "
                       "traffic), got 'OTHER'"},
        {"A=80\n\na=81\n", ":3: expected a new application name, got 'a' (already at line 1)"},
        {"A=\n", ":1: expected a port, a range LOW-HIGH, a service name, icmp or proto:N "
                 "between '=' and '|' separators, got an empty spec"},
        {"A=80||443\n", ":1: expected a port, a range LOW-HIGH, a service name, icmp or "
                        "proto:N between '=' and '|' separators, got an empty spec"},
        {"A=80|\n", ":1: expected a port, a range LOW-HIGH, a service name, icmp or proto:N "
                    "between '=' and '|' separators, got an empty spec"},
        {"A=0\n", ":1: expected ports from 1 to 65535, got '0'"},
        {"A=65536\n", ":1: expected ports from 1 to 65535, got '65536'"},
        {"A=tcp:99999999999\n", ":1: expected ports from 1 to 65535, got 'tcp:99999999999'"},
        {"A=0-10\n", ":1: expected ports from 1 to 65535, got '0-10'"},
        {"A=60000-70000\n", ":1: expected ports from 1 to 65535, got '60000-70000'"},
        {"A=6999-6881\n", ":1: expected a range LOW-HIGH with LOW <= HIGH, got '6999-6881'"},
        {"A=sctp:80\n", ":1: expected a port, a range LOW-HIGH, a service name, icmp or "
                        "proto:N, got 'sctp:80'"},
        {"A=tcp:\n", ":1: expected a port, a range LOW-HIGH, a service name, icmp or proto:N, "
                     "got 'tcp:'"},
        {"A=80 443\n", ":1: expected a port, a range LOW-HIGH, a service name, icmp or "
                       "proto:N, got '80 443'"},
        {"A=proto:6\n", ":1: expected proto:N with N an IP protocol number from 0 to 255 other "
                        "than 6 and 17 (use tcp: and udp: ports), got 'proto:6'"},
        {"A=proto:17\n", ":1: expected proto:N with N an IP protocol number from 0 to 255 "
                         "other than 6 and 17 (use tcp: and udp: ports), got 'proto:17'"},
        {"A=proto:256\n", ":1: expected proto:N with N an IP protocol number from 0 to 255 "
                          "other than 6 and 17 (use tcp: and udp: ports), got 'proto:256'"},
        {"A=proto:gre\n", ":1: expected proto:N with N an IP protocol number from 0 to 255 "
                          "other than 6 and 17 (use tcp: and udp: ports), got 'proto:gre'"},
        {"A=80\nB=tcp:80\n", ":2: expected ports not given to another application, got tcp "
                             "port 80 in 'tcp:80' (already A, line 1)"},
        {"A=tcp:80\nB=80\n", ":2: expected ports not given to another application, got tcp "
                             "port 80 in '80' (already A, line 1)"},
        {"A=udp:100\nB=tcp:90-110|udp:90-110\n",
         ":2: expected ports not given to another application, got udp port 100 in "
         "'udp:90-110' (already A, line 1)"},
        {"HTTPS=443\nQUIC=udp:443\n", ":2: expected ports not given to another application, "
                                      "got udp port 443 in 'udp:443' (already HTTPS, line 1)"},
        {"P=proto:1\nI=icmp\n", ":2: expected protocols not given to another application, got "
                                "protocol 1 in 'icmp' (already P, line 1)"},
        {"I=icmp\nP=proto:58\n", ":2: expected protocols not given to another application, "
                                 "got protocol 58 in 'proto:58' (already I, line 1)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char want[ERR_BUF_LEN], errbuf[ERR_BUF_LEN] = "";
        snprintf(want, sizeof want, "%s%s", path, cases[i].want);
        struct app_table *t = load_text(cases[i].text, errbuf);
        ASSERT_TRUE(t == NULL);
        if (strcmp(errbuf, want) != 0)
            TEST_FAIL("case %zu:\n#     got      '%s'\n#     expected '%s'", i, errbuf, want);
        apps_free(t);
    }

    char want[ERR_BUF_LEN], errbuf[ERR_BUF_LEN] = "";
    FILE *f = fopen(path, "w");
    fwrite("A=80\nB=8\0001\n", 1, 12, f);
    fclose(f);
    ASSERT_TRUE(apps_load(path, errbuf) == NULL);
    snprintf(want, sizeof want, "%s:2: expected a line of text, got a NUL byte", path);
    ASSERT_STREQ(errbuf, want);

    /* Lines of 4095 bytes fit, 4096 do not. */
    char text[8300];
    memset(text, '#', 4095);
    snprintf(text + 4095, sizeof text - 4095, "\nA=1\n");
    struct app_table *t = load_text(text, errbuf);
    ASSERT_TRUE(t != NULL);
    apps_free(t);
    memset(text + 4100, '#', 4096);
    snprintf(text + 4100 + 4096, sizeof text - 4100 - 4096, "\nB=2\n");
    ASSERT_TRUE(load_text(text, errbuf) == NULL);
    snprintf(want, sizeof want, "%s:3: expected a line of at most 4095 bytes, got a longer one",
             path);
    ASSERT_STREQ(errbuf, want);

    ASSERT_TRUE(apps_load("/tmp", errbuf) == NULL);
    ASSERT_STREQ(errbuf, "/tmp: expected a readable application list (Is a directory)");
    ASSERT_TRUE(apps_load("/nonexistent/apps.conf", errbuf) == NULL);
    ASSERT_STREQ(errbuf, "/nonexistent/apps.conf: expected a readable application list (No "
                         "such file or directory)");
}

static void test_cap(void)
{
    size_t size = (APPS_MAX + 1) * 24;
    char *text = malloc(size), errbuf[ERR_BUF_LEN] = "", want[ERR_BUF_LEN];
    size_t n = 0;
    for (int i = 1; i <= APPS_MAX; i++)
        n += (size_t)snprintf(text + n, size - n, "A%d=tcp:%d\n", i, i);
    struct app_table *t = load_text(text, errbuf);
    ASSERT_STREQ(errbuf, "");
    if (t) {
        ASSERT_EQ_U64(apps_count(t), APPS_MAX + 1);
        ASSERT_STREQ(apps_name(t, apps_match(t, TCP, APPS_MAX)), "A4096");
        ASSERT_EQ_INT(apps_match(t, TCP, APPS_MAX), APPS_MAX);
    }
    apps_free(t);
    snprintf(text + n, size - n, "Z=udp:1\n");
    t = load_text(text, errbuf);
    ASSERT_TRUE(t == NULL);
    snprintf(want, sizeof want, "%s:4097: expected at most 4096 applications, got more", path);
    ASSERT_STREQ(errbuf, want);
    free(text);
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/flowtally-test-apps-%d.conf", (int)getpid());
    RUN(test_shipped_list);
    RUN(test_specs);
    struct servent *http = getservbyname("http", "tcp");
    if (http && ntohs((uint16_t)http->s_port) == 80 && getservbyname("ntp", "udp")) {
        RUN(test_service_names);
    } else {
        test_n_run++;
        printf("ok %d - test_service_names # SKIP /etc/services lacks http/tcp or ntp/udp "
               "(install netbase)\n",
               test_n_run);
    }
    RUN(test_errors);
    RUN(test_cap);
    unlink(path);
    return test_done();
}
