// SPDX-License-Identifier: MIT
// Tests of configuration: defaults, file parsing with file:line errors, command-line
// precedence, value validation, and the tries built from list keys.
#include "../../../src/config/config.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char path[64];

static void write_file(const char *text)
{
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

static void test_defaults(void)
{
    struct config c;
    config_init(&c);
    ASSERT_STREQ(c.db, "flowtally.db");
    ASSERT_STREQ(c.netflow, "0.0.0.0:2055,[::]:2055");
    ASSERT_EQ_INT(c.bucket, 300);
    ASSERT_EQ_INT(c.flush, 5);
    struct prefix_trie *t = config_prefix_trie(c.local_nets);
    ASSERT_EQ_U64(prefix_trie_count(t), 4);
    prefix_trie_free(t);
    ASSERT_TRUE(config_prefix_trie(c.exporters) == NULL); /* empty: accept all */
    config_deinit(&c);
}

static void test_file_errors(void)
{
    static const struct {
        const char *text;
        const char *want; /* substring of the error */
    } cases[] = {
        {"db = x.db\nflsh = 5\n", ":2: unknown key 'flsh'"},
        {"# comment\n\nbucket = 7\n", ":3: bucket = '7': expected an integer from 60 to 86400"},
        {"bucket = 420\n", "must divide a day"},
        {"flush = five\n", ":1: flush = 'five'"},
        {"local_nets = 10.0.0.0/8, 10.1.2.3/8\n", ":1: local_nets: bad item '10.1.2.3/8'"},
        {"netflow = 0.0.0.0\n", ":1: netflow: bad item '0.0.0.0'"},
        {"sampling = 192.0.2.1=0\n", ":1: sampling: bad item '192.0.2.1=0'"},
        {"just words\n", ":1: expected 'key = value'"},
        {"db =\n", ":1: db: expected a non-empty value"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        write_file(cases[i].text);
        struct config c;
        char errbuf[ERR_BUF_LEN] = "";
        config_init(&c);
        char *argv[] = {"-c", path};
        int rc = config_from_args(&c, 2, argv, errbuf);
        ASSERT_TRUE(rc != 0);
        if (!strstr(errbuf, cases[i].want))
            TEST_FAIL("case %zu: error '%s' lacks '%s'", i, errbuf, cases[i].want);
        config_deinit(&c);
    }
}

static void test_precedence(void)
{
    write_file("db = from-file.db\nbucket = 600 # ten minutes\nflush = 2\n");
    struct config c;
    char errbuf[ERR_BUF_LEN];
    config_init(&c);
    char *argv[] = {"--flush", "9", "-c", path, "--local-nets=fd00::/8", "-v"};
    ASSERT_EQ_INT(config_from_args(&c, 6, argv, errbuf), 0);
    ASSERT_STREQ(c.db, "from-file.db");
    ASSERT_EQ_INT(c.bucket, 600);
    ASSERT_EQ_INT(c.flush, 9); /* the command line wins, wherever it stands */
    ASSERT_STREQ(c.local_nets, "fd00::/8");
    ASSERT_EQ_INT(c.verbosity, 1);
    config_deinit(&c);
    config_init(&c);
    char *bad[] = {"--bogus", "1"};
    ASSERT_TRUE(config_from_args(&c, 2, bad, errbuf) != 0);
    ASSERT_TRUE(strstr(errbuf, "command line: unknown key 'bogus'") != NULL);
    config_deinit(&c);
}

static void test_rates_trie(void)
{
    struct prefix_trie *t = config_rates_trie("192.0.2.1=100, 2001:db8::/32=512");
    struct ip_addr a;
    uint32_t v = 0;
    addr_parse("192.0.2.1", &a);
    ASSERT_TRUE(prefix_trie_lookup(t, &a, &v));
    ASSERT_EQ_U64(v, 100);
    addr_parse("2001:db8:1::1", &a);
    ASSERT_TRUE(prefix_trie_lookup(t, &a, &v));
    ASSERT_EQ_U64(v, 512);
    addr_parse("192.0.2.2", &a);
    ASSERT_TRUE(!prefix_trie_lookup(t, &a, &v));
    prefix_trie_free(t);
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/flowtally-test-config-%d.conf", (int)getpid());
    RUN(test_defaults);
    RUN(test_file_errors);
    RUN(test_precedence);
    RUN(test_rates_trie);
    unlink(path);
    return test_done();
}
