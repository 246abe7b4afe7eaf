// SPDX-License-Identifier: MIT
// Tests of the CSV writer: RFC 4180 quoting, the formula guard (a text cell starting with
// = + - @ TAB or CR gets an apostrophe and quotes; numbers never do), LF line ends. Expected
// output written by hand.
#include "../../../src/base/csv.h"
#include "test.h"

#include <stdlib.h>

/* Writes one row of the given cells, each as text or always quoted; returns the output
 * (caller frees). */
static char *row(const char *const *cells, size_t n, bool quoted)
{
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    struct csv c;
    csv_init(&c, f);
    for (size_t i = 0; i < n; i++)
        (quoted ? csv_text_quoted : csv_text)(&c, cells[i]);
    csv_end_row(&c);
    fclose(f);
    return text;
}

static void test_text(void)
{
    static const struct {
        const char *in, *text, *quoted; /* csv_text, csv_text_quoted */
    } cases[] = {
        {"alice", "alice\n", "\"alice\"\n"},
        {"Alice Example", "Alice Example\n", "\"Alice Example\"\n"},
        {"a,b", "\"a,b\"\n", "\"a,b\"\n"},
        {"say \"hi\"", "\"say \"\"hi\"\"\"\n", "\"say \"\"hi\"\"\"\n"},
        {"Mallory\",\"account\":\"alice", "\"Mallory\"\",\"\"account\"\":\"\"alice\"\n",
         "\"Mallory\"\",\"\"account\"\":\"\"alice\"\n"},
        {"two\nlines", "\"two\nlines\"\n", "\"two\nlines\"\n"},
        {"cr\rhere", "\"cr\rhere\"\n", "\"cr\rhere\"\n"},
        {"tab\tinside", "tab\tinside\n", "\"tab\tinside\"\n"},
        {"10.0.0.1", "10.0.0.1\n", "\"10.0.0.1\"\n"},
        {"2001:db8::1", "2001:db8::1\n", "\"2001:db8::1\"\n"},
        {"(unassigned)", "(unassigned)\n", "\"(unassigned)\"\n"},
        {"Ren\xc3\xa9", "Ren\xc3\xa9\n", "\"Ren\xc3\xa9\"\n"},
        {"bad\xff", "bad\xff\n", "\"bad\xff\"\n"}, /* bytes pass unchanged */
        /* formula cells */
        {"=1+2", "\"'=1+2\"\n", "\"'=1+2\"\n"},
        {"+33 1 23", "\"'+33 1 23\"\n", "\"'+33 1 23\"\n"},
        {"-5", "\"'-5\"\n", "\"'-5\"\n"},
        {"@SUM(A1)", "\"'@SUM(A1)\"\n", "\"'@SUM(A1)\"\n"},
        {"\t=x", "\"'\t=x\"\n", "\"'\t=x\"\n"},
        {"\r=x", "\"'\r=x\"\n", "\"'\r=x\"\n"},
        {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n",
         "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n"},
        {"a=b", "a=b\n", "\"a=b\"\n"}, /* only the first character counts */
        {"'quoted", "'quoted\n", "\"'quoted\"\n"},
        /* one empty cell alone would be an empty line */
        {"", "\"\"\n", "\"\"\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = row(&cases[i].in, 1, false);
        ASSERT_STREQ(got, cases[i].text);
        free(got);
        got = row(&cases[i].in, 1, true);
        ASSERT_STREQ(got, cases[i].quoted);
        free(got);
    }
}

static void test_rows(void)
{
    static const char *const empties[] = {"", "", ""};
    char *got = row(empties, 3, false);
    ASSERT_STREQ(got, ",,\n");
    free(got);

    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    struct csv c;
    csv_init(&c, f);
    static const char *const header[] = {"subscriber", "plan", "used_bytes", "percent", NULL};
    csv_header(&c, header);
    csv_text(&c, "-x");
    csv_text(&c, "basic");
    csv_u64(&c, 18446744073709551615ULL);
    csv_number(&c, "-1.50"); /* a number: no apostrophe */
    csv_end_row(&c);
    csv_text(&c, "y");
    csv_number(&c, "");
    csv_u64(&c, 0);
    csv_number(&c, "100.00");
    csv_end_row(&c);
    fclose(f);
    ASSERT_STREQ(text, "subscriber,plan,used_bytes,percent\n"
                       "\"'-x\",basic,18446744073709551615,-1.50\n"
                       "y,,0,100.00\n");
    free(text);
}

int main(void)
{
    RUN(test_text);
    RUN(test_rows);
    return test_done();
}
