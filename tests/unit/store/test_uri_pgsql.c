// SPDX-License-Identifier: MIT
// Tests of what a PostgreSQL URI may show: passwords masked in the URI itself, and
// scrubbed (whole, or as a quoted piece) from what libpq says about it. Table-driven.
#include "../../../src/store/pgsql_private.h"
#include "test.h"

#include <stdio.h>
#include <string.h>

static void test_mask(void)
{
    static const struct {
        const char *uri, *shown;
    } cases[] = {
        {"postgresql://u:secret@h/db", "postgresql://u:***@h/db"},
        {"postgres://u:secret@h:5433/db?sslmode=require",
         "postgres://u:***@h:5433/db?sslmode=require"},
        {"postgresql://u@h/db?password=x&sslmode=disable",
         "postgresql://u@h/db?password=***&sslmode=disable"},
        {"postgresql://u@h/db?sslmode=disable&sslpassword=y",
         "postgresql://u@h/db?sslmode=disable&sslpassword=***"},
        /* pasted unencoded: everything between user: and the last @ is the password */
        {"postgresql://u:p@ss/w?rd@h:5/db", "postgresql://u:***@h:5/db"},
        {"postgresql://u:%40b%2Fc@h/db", "postgresql://u:***@h/db"},
        {"postgresql://u:@h/db", "postgresql://u:***@h/db"},
        {"postgresql://h/db", "postgresql://h/db"},
        {"postgresql://u@h/db", "postgresql://u@h/db"},
        {"/var/lib/flowtally/flowtally.db", "/var/lib/flowtally/flowtally.db"},
        {"./a:b@c.db", "./a:b@c.db"}, /* a path, not a URI */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[256];
        uri_mask_password(cases[i].uri, out, sizeof out);
        ASSERT_STREQ(out, cases[i].shown);
    }
    char small[12];
    uri_mask_password("postgresql://u:secret@h/db", small, sizeof small);
    ASSERT_TRUE(strstr(small, "sec") == NULL);
}

static void test_scrub(void)
{
    static const struct {
        const char *uri, *said, *shown;
    } cases[] = {
        {"postgresql://u:hunter22@h/db", "password hunter22 rejected", "password *** rejected"},
        {"postgresql://u:p%41ss@h/db", "got pAss and p%41ss", "got *** and ***"},
        /* libpq quotes the piece of a URI it cannot parse: a piece of the password */
        {"postgresql://u:ab/cd@h/db", "invalid port number: \"ab\"",
         "invalid port number: \"***\""},
        {"postgresql://u:s3cret@h/db", "database \"db\" does not exist",
         "database \"db\" does not exist"},
        {"postgresql://u@h/db", "nothing secret", "nothing secret"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct uri_pgsql_secrets s;
        char msg[ERR_BUF_LEN];
        uri_pgsql_secrets_init(&s, cases[i].uri);
        snprintf(msg, sizeof msg, "%s", cases[i].said);
        uri_pgsql_scrub(&s, msg, sizeof msg);
        ASSERT_STREQ(msg, cases[i].shown);
        uri_pgsql_secrets_deinit(&s);
    }
}

int main(void)
{
    RUN(test_mask);
    RUN(test_scrub);
    return test_done();
}
