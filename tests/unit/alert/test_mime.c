// SPDX-License-Identifier: MIT
// Messages as mime_build() writes them. Small messages are compared byte for byte with
// text worked out by hand from the RFCs (the base64 of each encoded-word done by hand
// too; the boundary's hex is MD5 of "<id>\0seed", from md5sum). Long and awkward input
// (long lines, lines of '=', trailing spaces, a 200-character subject of CJK and emoji)
// is checked by properties with mime_check.h's decoder of its own, and by Python's email
// package, a parser we did not write, which must read the parts, charsets, names, subject
// and bodies back as they went in.
#include "../../../src/alert/mime.h"
#include "../../../src/base/err.h"
#include "mime_check.h"
#include "test.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAR5 1772719389000ull /* 2026-03-05T14:03:09Z, a Thursday */

static void set_tz(const char *tz)
{
    setenv("TZ", tz, 1);
    tzset();
}

static const struct mime_message base = {
    .from_name = "Flowtally",
    .from_addr = "billing@isp.example",
    .to_name = "Alice",
    .to_addr = "alice@example.net",
    .subject = "You have used 80% of your 15 GB",
    .text = "Hello Alice,\nyou have used 12 GB.\n",
    .message_id = "<0123abcd.1772719389000@isp.example>",
    .date_ms = MAR5,
    .boundary_seed = "",
};

/* Builds m and compares with want; and checks it with mime_check(). */
static void expect_message(const struct mime_message *m, const char *want)
{
    char *out, err[ERR_BUF_LEN], why[512];
    size_t len;
    int rc = mime_build(m, &out, &len, err);
    ASSERT_EQ_INT(rc, 0);
    if (rc) {
        printf("#   %s\n", err);
        return;
    }
    ASSERT_EQ_U64(len, strlen(want));
    ASSERT_STREQ(out, want);
    if (mime_check(out, len, m, why, sizeof why) != 0)
        TEST_FAIL("mime_check: %s", why);
    free(out);
}

static void test_text_only(void)
{
    set_tz("Europe/Berlin");
    expect_message(&base, "Date: Thu, 05 Mar 2026 15:03:09 +0100\r\n"
                          "From: \"Flowtally\" <billing@isp.example>\r\n"
                          "To: \"Alice\" <alice@example.net>\r\n"
                          "Subject: You have used 80% of your 15 GB\r\n"
                          "Message-ID: <0123abcd.1772719389000@isp.example>\r\n"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: text/plain; charset=UTF-8\r\n"
                          "Content-Transfer-Encoding: quoted-printable\r\n"
                          "\r\n"
                          "Hello Alice,\r\n"
                          "you have used 12 GB.\r\n");
}

/* A text without a last line break ends with a soft break: the message ends with CRLF,
 * the decoded text does not. No names: bare addresses. */
static void test_text_soft_end(void)
{
    set_tz("UTC");
    struct mime_message m = base;
    m.from_name = "";
    m.to_name = NULL;
    m.text = "no newline";
    expect_message(&m, "Date: Thu, 05 Mar 2026 14:03:09 +0000\r\n"
                       "From: billing@isp.example\r\n"
                       "To: alice@example.net\r\n"
                       "Subject: You have used 80% of your 15 GB\r\n"
                       "Message-ID: <0123abcd.1772719389000@isp.example>\r\n"
                       "MIME-Version: 1.0\r\n"
                       "Content-Type: text/plain; charset=UTF-8\r\n"
                       "Content-Transfer-Encoding: quoted-printable\r\n"
                       "\r\n"
                       "no newline=\r\n");
}

/* multipart/alternative; a UTF-8 name as one B word (SsO8cmdlbiBHcm/Dnw== is
 * "J\xc3\xbcrgen Gro\xc3\x9f" by hand: 4A C3 BC | 72 67 65 | 6E 20 47 | 72 6F C3 | 9F);
 * '=' as =3D, a trailing space as =20, a leading '.' and "From " escaped; the html part
 * without a last line break. */
static void test_multipart(void)
{
    set_tz("Europe/Berlin");
    struct mime_message m = base;
    m.to_name = "J\xc3\xbcrgen Gro\xc3\x9f";
    m.to_addr = "juergen@example.net";
    m.subject = "Sie haben 80 % verbraucht";
    m.text = "Verbrauch: 12 GB = 80 % \n.\nFrom here\n";
    m.html = "<p>12&nbsp;GB</p>";
    m.message_id = "<m1@isp.example>";
    expect_message(&m, "Date: Thu, 05 Mar 2026 15:03:09 +0100\r\n"
                       "From: \"Flowtally\" <billing@isp.example>\r\n"
                       "To: =?UTF-8?B?SsO8cmdlbiBHcm/Dnw==?= <juergen@example.net>\r\n"
                       "Subject: Sie haben 80 % verbraucht\r\n"
                       "Message-ID: <m1@isp.example>\r\n"
                       "MIME-Version: 1.0\r\n"
                       "Content-Type: multipart/alternative; "
                       "boundary=\"=_ft05A16F4F3FD75B9A580C1E9E\"\r\n"
                       "\r\n"
                       "--=_ft05A16F4F3FD75B9A580C1E9E\r\n"
                       "Content-Type: text/plain; charset=UTF-8\r\n"
                       "Content-Transfer-Encoding: quoted-printable\r\n"
                       "\r\n"
                       "Verbrauch: 12 GB =3D 80 %=20\r\n"
                       "=2E\r\n"
                       "=46rom here\r\n"
                       "\r\n"
                       "--=_ft05A16F4F3FD75B9A580C1E9E\r\n"
                       "Content-Type: text/html; charset=UTF-8\r\n"
                       "Content-Transfer-Encoding: quoted-printable\r\n"
                       "\r\n"
                       "<p>12&nbsp;GB</p>\r\n"
                       "--=_ft05A16F4F3FD75B9A580C1E9E--\r\n");
    /* the seed changes the boundary (MD5 of "<m1@isp.example>\0seed": 6112427C...) */
    m.boundary_seed = "seed";
    char *out, err[ERR_BUF_LEN];
    size_t len;
    ASSERT_EQ_INT(mime_build(&m, &out, &len, err), 0);
    ASSERT_TRUE(strstr(out, "boundary=\"=_ft6112427CFC27E93BD75A36CB\"\r\n") != NULL);
    free(out);
}

/* Attachments: a multipart/mixed around the alternative, whose boundary is the one of
 * test_multipart with "fm" for "ft"; each file base64 in lines of 76 (57 bytes each: the 60
 * bytes 00..3B make a line of 76 and one of 4; the base64 from Python's base64 module). */
static void test_attachment(void)
{
    set_tz("Europe/Berlin");
    unsigned char data[60];
    for (int i = 0; i < 60; i++)
        data[i] = (unsigned char)i;
    struct mime_attachment file = {"invoice-42.pdf", "application/pdf", data, sizeof data};
    struct mime_message m = base;
    m.subject = "Invoice 42 for March 2026";
    m.text = "Amount due: 30.81 EUR\n";
    m.html = "<p>30.81 EUR</p>";
    m.message_id = "<m1@isp.example>";
    m.attachments = &file;
    m.n_attachments = 1;
    char *out, err[ERR_BUF_LEN];
    size_t len;
    ASSERT_EQ_INT(mime_build(&m, &out, &len, err), 0);
    ASSERT_STREQ(out,
                 "Date: Thu, 05 Mar 2026 15:03:09 +0100\r\n"
                 "From: \"Flowtally\" <billing@isp.example>\r\n"
                 "To: \"Alice\" <alice@example.net>\r\n"
                 "Subject: Invoice 42 for March 2026\r\n"
                 "Message-ID: <m1@isp.example>\r\n"
                 "MIME-Version: 1.0\r\n"
                 "Content-Type: multipart/mixed; boundary=\"=_fm05A16F4F3FD75B9A580C1E9E\"\r\n"
                 "\r\n"
                 "--=_fm05A16F4F3FD75B9A580C1E9E\r\n"
                 "Content-Type: multipart/alternative; "
                 "boundary=\"=_ft05A16F4F3FD75B9A580C1E9E\"\r\n"
                 "\r\n"
                 "--=_ft05A16F4F3FD75B9A580C1E9E\r\n"
                 "Content-Type: text/plain; charset=UTF-8\r\n"
                 "Content-Transfer-Encoding: quoted-printable\r\n"
                 "\r\n"
                 "Amount due: 30.81 EUR\r\n"
                 "\r\n"
                 "--=_ft05A16F4F3FD75B9A580C1E9E\r\n"
                 "Content-Type: text/html; charset=UTF-8\r\n"
                 "Content-Transfer-Encoding: quoted-printable\r\n"
                 "\r\n"
                 "<p>30.81 EUR</p>\r\n"
                 "--=_ft05A16F4F3FD75B9A580C1E9E--\r\n"
                 "--=_fm05A16F4F3FD75B9A580C1E9E\r\n"
                 "Content-Type: application/pdf;\r\n"
                 " name=\"invoice-42.pdf\"\r\n"
                 "Content-Transfer-Encoding: base64\r\n"
                 "Content-Disposition: attachment;\r\n"
                 " filename=\"invoice-42.pdf\"\r\n"
                 "\r\n"
                 "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\r\n"
                 "OTo7\r\n"
                 "--=_fm05A16F4F3FD75B9A580C1E9E--\r\n");
    ASSERT_EQ_U64(len, strlen(out));
    free(out);
    /* text only: the text part straight in the mixed; and an empty file */
    struct mime_attachment files[2] = {
        {"credit-note-C-3.pdf", "application/pdf", (const unsigned char *)"%PDF-1.4 tiny", 13},
        {"empty.txt", "text/plain", NULL, 0}};
    m.html = NULL;
    m.attachments = files;
    m.n_attachments = 2;
    ASSERT_EQ_INT(mime_build(&m, &out, &len, err), 0);
    const char *body = strstr(out, "\r\n\r\n");
    ASSERT_STREQ(body, "\r\n\r\n"
                       "--=_fm05A16F4F3FD75B9A580C1E9E\r\n"
                       "Content-Type: text/plain; charset=UTF-8\r\n"
                       "Content-Transfer-Encoding: quoted-printable\r\n"
                       "\r\n"
                       "Amount due: 30.81 EUR\r\n"
                       "\r\n"
                       "--=_fm05A16F4F3FD75B9A580C1E9E\r\n"
                       "Content-Type: application/pdf;\r\n"
                       " name=\"credit-note-C-3.pdf\"\r\n"
                       "Content-Transfer-Encoding: base64\r\n"
                       "Content-Disposition: attachment;\r\n"
                       " filename=\"credit-note-C-3.pdf\"\r\n"
                       "\r\n"
                       "JVBERi0xLjQgdGlueQ==\r\n"
                       "--=_fm05A16F4F3FD75B9A580C1E9E\r\n"
                       "Content-Type: text/plain;\r\n"
                       " name=\"empty.txt\"\r\n"
                       "Content-Transfer-Encoding: base64\r\n"
                       "Content-Disposition: attachment;\r\n"
                       " filename=\"empty.txt\"\r\n"
                       "\r\n"
                       "\r\n"
                       "--=_fm05A16F4F3FD75B9A580C1E9E--\r\n");
    free(out);
    /* no attachments (n 0, the pointer ignored): the message of test_multipart exactly */
    m.html = "<p>30.81 EUR</p>";
    m.n_attachments = 0;
    ASSERT_EQ_INT(mime_build(&m, &out, &len, err), 0);
    ASSERT_TRUE(strstr(out, "Content-Type: multipart/alternative; boundary=") != NULL);
    ASSERT_TRUE(strstr(out, "=_fm") == NULL);
    free(out);
}

/* Filenames and content types go into headers as they are: anything else is refused. */
static void test_attachment_refused(void)
{
    static const struct {
        const char *filename, *type;
    } bad[] = {
        {"", "application/pdf"},
        {".hidden", "application/pdf"},
        {"a b.pdf", "application/pdf"},
        {"a\"b.pdf", "application/pdf"},
        {"a\r\nX: y.pdf", "application/pdf"},
        {"r\xc3\xa9sum\xc3\xa9.pdf", "application/pdf"},
        {"invoice/42.pdf", "application/pdf"},
        {"a123456789a123456789a123456789a123456789a123456789a123456789abcde", "application/pdf"},
        {"invoice.pdf", "pdf"},
        {"invoice.pdf", "application/"},
        {"invoice.pdf", "/pdf"},
        {"invoice.pdf", "application/pdf; name=x"},
        {"invoice.pdf", "a/b/c"},
        {NULL, "application/pdf"},
        {"invoice.pdf", NULL},
    };
    struct mime_message m = base;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct mime_attachment a = {bad[i].filename, bad[i].type, "x", 1};
        m.attachments = &a;
        m.n_attachments = 1;
        char *out = (char *)"not set", err[ERR_BUF_LEN] = "";
        size_t len = 1;
        ASSERT_EQ_INT(mime_build(&m, &out, &len, err), ERR_MALFORMED);
        ASSERT_TRUE(out == NULL && len == 0);
        ASSERT_TRUE(strstr(err, "attachment") != NULL);
    }
    /* the longest name taken: 64 characters, its line " filename=\"...\"" 76 */
    struct mime_attachment a = {"a123456789a123456789a123456789a123456789a123456789a123456789abcd",
                                "application/pdf", "x", 1};
    m.attachments = &a;
    char *out, err[ERR_BUF_LEN];
    size_t len;
    ASSERT_EQ_INT(mime_build(&m, &out, &len, err), 0);
    free(out);
}

/* Just the headers of a built message (up to the blank line), for the header tests. */
static char *headers_of(const struct mime_message *m)
{
    char *out, err[ERR_BUF_LEN];
    size_t len;
    if (mime_build(m, &out, &len, err) != 0) {
        TEST_FAIL("mime_build: %s", err);
        return NULL;
    }
    char *end = strstr(out, "\r\n\r\n");
    end[2] = '\0';
    return out;
}

/* "Grüße" by hand: 47 72 C3 | BC C3 9F | 65 -> R3LD vMOf ZQ==; "=?x?=" would be taken
 * for an encoded-word, so it is one: 3D 3F 78 | 3F 3D -> PT94 Pz0=; a name with quotes and
 * a backslash as a quoted-string. */
static void test_header_encoding(void)
{
    set_tz("America/St_Johns"); /* -0330 before 2026-03-08 */
    struct mime_message m = base;
    m.subject = "Gr\xc3\xbc\xc3\x9f"
                "e";
    m.from_name = "Dr. \"Evil\" \\ Co";
    char *h = headers_of(&m);
    ASSERT_STREQ(h, "Date: Thu, 05 Mar 2026 10:33:09 -0330\r\n"
                    "From: \"Dr. \\\"Evil\\\" \\\\ Co\" <billing@isp.example>\r\n"
                    "To: \"Alice\" <alice@example.net>\r\n"
                    "Subject: =?UTF-8?B?R3LDvMOfZQ==?=\r\n"
                    "Message-ID: <0123abcd.1772719389000@isp.example>\r\n"
                    "MIME-Version: 1.0\r\n"
                    "Content-Type: text/plain; charset=UTF-8\r\n"
                    "Content-Transfer-Encoding: quoted-printable\r\n");
    free(h);
    m.subject = "=?x?=";
    m.from_name = "";
    h = headers_of(&m);
    ASSERT_TRUE(h && strstr(h, "\r\nSubject: =?UTF-8?B?PT94Pz0=?=\r\n") != NULL);
    free(h);
    /* two spaces, or a leading one, are kept by encoding too */
    m.subject = " a  b";
    h = headers_of(&m);
    ASSERT_TRUE(h && strstr(h, "\r\nSubject: =?UTF-8?B?IGEgIGI=?=\r\n") != NULL);
    free(h);
    m.subject = "";
    h = headers_of(&m);
    ASSERT_TRUE(h && strstr(h, "\r\nSubject:\r\nMessage-ID:") != NULL);
    free(h);
}

/* Folding at spaces: "Subject:" (8) and ten " wordNN" (7 each) make 78; the rest goes on
 * a continuation line. */
static void test_subject_folding(void)
{
    set_tz("UTC");
    char subject[256] = "";
    for (int i = 1; i <= 20; i++)
        snprintf(subject + strlen(subject), sizeof subject - strlen(subject), "%sword%02d",
                 i > 1 ? " " : "", i);
    struct mime_message m = base;
    m.subject = subject;
    char *h = headers_of(&m);
    ASSERT_TRUE(h && strstr(h, "\r\nSubject: word01 word02 word03 word04 word05 word06 word07 "
                               "word08 word09 word10\r\n word11 word12 word13 word14 word15 "
                               "word16 word17 word18 word19 word20\r\nMessage-ID") != NULL);
    free(h);
    /* a word too long for any line: encoded-words, which can be cut */
    char longword[120];
    memset(longword, 'x', 100);
    longword[100] = '\0';
    m.subject = longword;
    h = headers_of(&m);
    ASSERT_TRUE(h && strstr(h, "\r\nSubject: =?UTF-8?B?eHh4") != NULL);
    free(h);
}

/* Soft line breaks at their limits: 76 characters fit a last line, 75 and '=' any other;
 * an escape is never cut. Text: n_a 'a's then tail; body: want_a 'a's then want. */
static void test_qp_limits(void)
{
    struct {
        const char *name;
        int n_a;
        const char *tail;
        int want_a;
        const char *want;
    } cases[] = {
        {"76 fit a last line", 76, "\n", 76, "\r\n"},
        {"77: a break after 75", 77, "\n", 75, "=\r\naa\r\n"},
        {"80", 80, "\n", 75, "=\r\naaaaa\r\n"},
        {"=3D fits at 73..75", 72, "=b\n", 72, "=3Db\r\n"},
        {"=3D is not cut", 74, "=b\n", 74, "=\r\n=3Db\r\n"},
        {"a trailing space at 76", 75, " \n", 75, "=\r\n=20\r\n"},
        {"a trailing tab ends at 76", 73, "\t\n", 73, "=09\r\n"},
        {"a trailing tab at 75", 74, "\t\n", 74, "=\r\n=09\r\n"},
        {"a space before a break", 74, " bc\n", 74, " =\r\nbc\r\n"},
        {"75 and no line break: a soft one", 75, "", 75, "=\r\n"},
        {"76 and no line break: two soft ones", 76, "", 75, "=\r\na=\r\n"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[200], want[300];
        memset(text, 'a', (size_t)cases[i].n_a);
        strcpy(text + cases[i].n_a, cases[i].tail);
        memset(want, 'a', (size_t)cases[i].want_a);
        strcpy(want + cases[i].want_a, cases[i].want);
        struct mime_message m = base;
        m.text = text;
        char *out, err[ERR_BUF_LEN], why[256];
        size_t len;
        ASSERT_EQ_INT(mime_build(&m, &out, &len, err), 0);
        const char *body = strstr(out, "\r\n\r\n") + 4;
        if (strcmp(body, want) != 0)
            TEST_FAIL("%s: body \"%s\", expected \"%s\"", cases[i].name, body, want);
        if (mime_check(out, len, &m, why, sizeof why) != 0)
            TEST_FAIL("%s: %s", cases[i].name, why);
        free(out);
    }
}

/* 200 characters of CJK, emoji (4 bytes each), Latin-1 and ASCII. */
static void long_subject(char *out, size_t size)
{
    static const char *const pieces[] = {
        "\xe6\x97\xa5",    "\xf0\x9f\x98\x80", "\xc3\xa9", "a", "\xe8\xaa\x9e", " ",
        "\xf0\x9f\x93\x88"};
    out[0] = '\0';
    for (int i = 0; i < 200; i++)
        strncat(out, pieces[i % 7], size - strlen(out) - 1);
}

static void test_properties(void)
{
    set_tz("Europe/Berlin");
    static char subject[1024], text[8192], html[4096];
    long_subject(subject, sizeof subject);
    /* a long line with spaces, '=', UTF-8 and a tab; lines of '='; trailing spaces and
     * tabs; blank lines; CRLF and LF mixed; a lone CR; a line of spaces */
    text[0] = '\0';
    for (int i = 0; i < 40; i++)
        strcat(text, "Verbrauch = 80 % \xe2\x80\x94 gr\xc3\xb6\xc3\x9f\tend ");
    strcat(text, "\n");
    for (int i = 0; i < 3; i++) {
        memset(text + strlen(text), '=', 100);
        strcpy(text + strlen(text) - 0, "\n");
    }
    strcat(text, "trailing   \nand tabs\t\t\r\n\n   \n.\n..\nFrom me\nlone\rcr\n\xf0\x9f\x98\x80");
    html[0] = '\0';
    for (int i = 0; i < 60; i++)
        strcat(html, "<td style=\"x\">\xe6\x97\xa5</td> ");
    struct mime_message m = base;
    m.subject = subject;
    m.from_name = "Fl\xc3\xb6wtally \xe6\x97\xa5\xe6\x9c\xac Billing Department Of A Long Name";
    m.to_name = "A Name Much Longer Than Any Header Line Could Ever Hold On Its Own, Truly";
    m.text = text;
    m.html = html;
    char *out, err[ERR_BUF_LEN], why[512];
    size_t len;
    ASSERT_EQ_INT(mime_build(&m, &out, &len, err), 0);
    if (mime_check(out, len, &m, why, sizeof why) != 0)
        TEST_FAIL("mime_check: %s", why);
    /* the same message twice is the same bytes */
    char *again;
    size_t len2;
    ASSERT_EQ_INT(mime_build(&m, &again, &len2, err), 0);
    ASSERT_TRUE(len == len2 && memcmp(out, again, len) == 0);
    free(again);
    free(out);
    m.html = NULL;
    ASSERT_EQ_INT(mime_build(&m, &out, &len, err), 0);
    if (mime_check(out, len, &m, why, sizeof why) != 0)
        TEST_FAIL("mime_check (text only): %s", why);
    free(out);
}

static void test_refused(void)
{
    struct {
        const char *name;
        struct mime_message m;
    } cases[] = {
        {"CRLF in the subject", {.subject = "Hi\r\nBcc: eve@example.org"}},
        {"LF in the subject", {.subject = "Hi\nBcc: eve@example.org"}},
        {"CR in a name", {.from_name = "Flow\rtally"}},
        {"LF in a name", {.to_name = "Alice\nBcc: eve@example.org"}},
        {"a tab in the subject", {.subject = "a\tb"}},
        {"CRLF in an address", {.to_addr = "alice@example.net\r\nBcc: eve@example.org"}},
        {"a display name in an address", {.to_addr = "Alice <alice@example.net>"}},
        {"two addresses", {.to_addr = "alice@example.net,eve@example.org"}},
        {"CRLF in the Message-ID", {.message_id = "<a@b>\r\nBcc: eve@example.org"}},
        {"a Message-ID without brackets", {.message_id = "a@b"}},
        {"invalid UTF-8 in the subject", {.subject = "\xc3("}},
        {"invalid UTF-8 in the text", {.text = "ok \xff"}},
        {"invalid UTF-8 in the html", {.html = "\xed\xa0\x80"}},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct mime_message m = base, *c = &cases[i].m;
        m.subject = c->subject ? c->subject : m.subject;
        m.from_name = c->from_name ? c->from_name : m.from_name;
        m.to_name = c->to_name ? c->to_name : m.to_name;
        m.to_addr = c->to_addr ? c->to_addr : m.to_addr;
        m.message_id = c->message_id ? c->message_id : m.message_id;
        m.text = c->text ? c->text : m.text;
        m.html = c->html;
        char *out = (char *)1, err[ERR_BUF_LEN] = "";
        size_t len = 1;
        int rc = mime_build(&m, &out, &len, err);
        if (rc != ERR_MALFORMED || out != NULL || len != 0 || err[0] == '\0')
            TEST_FAIL("%s: rc %d, out %p, err \"%s\"", cases[i].name, rc, (void *)out, err);
    }
}

static void test_address_ok(void)
{
    static const char *const good[] = {"a@b", "first.last+tag@mail.example.net", "o'neil@x.ie",
                                       "x_y@my-host_1.example"};
    static const char *const bad[] = {
        "",        "a",          "@b",    "a@",          "a@@b",   "a@b@c",  "a b@c",  "\"a\"@b",
        "<a@b>",   "a,b@c",      "a@b,c", ".a@b",        "a.@b",   "a..b@c", "a@b..c", "a@b.",
        "a@b\r\n", "\xc3\xa4@b", "a@b c", "a@[1.2.3.4]", "a(x)@b", "a@b>",   "a;b@c",  "a\\b@c"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++)
        if (!mime_address_ok(good[i]))
            TEST_FAIL("refused \"%s\"", good[i]);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (mime_address_ok(bad[i]))
            TEST_FAIL("took \"%s\"", bad[i]);
    char a[300];
    memset(a, 'l', 64);
    strcpy(a + 64, "@x.example");
    ASSERT_EQ_INT(mime_address_ok(a), 1);
    memset(a, 'l', 65);
    strcpy(a + 65, "@x.example");
    ASSERT_EQ_INT(mime_address_ok(a), 0); /* a local part of 65 */
    memset(a, 'd', 254);
    a[0] = 'l';
    a[1] = '@';
    a[254] = '\0';
    ASSERT_EQ_INT(mime_address_ok(a), 1);
    a[254] = 'd';
    a[255] = '\0';
    ASSERT_EQ_INT(mime_address_ok(a), 0); /* 255 bytes */
}

static void test_message_id(void)
{
    char a[192], b[192];
    ASSERT_EQ_INT(mime_message_id("isp.example", MAR5, a), 0);
    ASSERT_EQ_INT(mime_message_id("isp.example", MAR5, b), 0);
    ASSERT_EQ_U64(strlen(a), 1 + 32 + 1 + 13 + 1 + 11 + 1);
    ASSERT_TRUE(strcmp(a, b) != 0);
    ASSERT_TRUE(strcmp(a + 33, ".1772719389000@isp.example>") == 0);
    ASSERT_TRUE(a[0] == '<' && strspn(a + 1, "0123456789abcdef") == 32);
    ASSERT_EQ_INT(mime_message_id("bad domain", MAR5, a), ERR_MALFORMED);
    ASSERT_EQ_INT(mime_message_id("", MAR5, a), ERR_MALFORMED);
    ASSERT_EQ_INT(mime_message_id("x>y", MAR5, a), ERR_MALFORMED);
    /* a Message-ID it makes is one mime_build() takes */
    char long_domain[200];
    memset(long_domain, 'd', 128);
    long_domain[128] = '\0';
    ASSERT_EQ_INT(mime_message_id(long_domain, UINT64_MAX, a), 0);
    struct mime_message m = base;
    m.message_id = a;
    char *out, err[ERR_BUF_LEN];
    size_t len;
    ASSERT_EQ_INT(mime_build(&m, &out, &len, err), 0);
    free(out);
    long_domain[128] = 'd';
    long_domain[129] = '\0';
    ASSERT_EQ_INT(mime_message_id(long_domain, 0, a), ERR_MALFORMED);
}

/* ---- Python's email package reads it back ----
 * Display names are decoded with the legacy API (getaddresses, decode_header): the
 * policy-based parser of CPython 3.11 keeps the space between two adjacent encoded-words
 * of a phrase, which RFC 2047 §6.2 says to drop, so a name longer than one encoded-word
 * gains a space there (Python's own generator's output does too). Everything else is read
 * by the policy-based parser. */

static const char python_check[] =
    "import sys, re, email, email.header, email.policy, email.utils\n"
    "raw = sys.stdin.buffer.read()\n"
    "subject, fn, fa, tn, ta, text, html, has_html = sys.argv[1:9]\n"
    "msg = email.message_from_bytes(raw, policy=email.policy.default)\n"
    "errs = []\n"
    "def eq(what, got, want):\n"
    "    if got != want: errs.append('%s: %r, expected %r' % (what, got, want))\n"
    "def crlf(s): return re.sub(r'(?<!\\r)\\n', '\\r\\n', s).encode()\n"
    "eq('subject', str(msg['subject']), subject)\n"
    "old = email.message_from_bytes(raw)\n"
    "for h, n, a in (('from', fn, fa), ('to', tn, ta)):\n"
    "    x = msg[h].addresses\n"
    "    eq(h + ' count', len(x), 1)\n"
    "    eq(h + ' address', x[0].addr_spec, a)\n"
    "    (name, addr), = email.utils.getaddresses([old[h]])\n"
    "    name = str(email.header.make_header(email.header.decode_header(name)))\n"
    "    eq(h + ' name', name, n)\n"
    "eq('mime-version', str(msg['mime-version']), '1.0')\n"
    "eq('date', msg['date'].datetime is not None, True)\n"
    "want = [('text/plain', text)] + ([('text/html', html)] if has_html == '1' else [])\n"
    "if has_html == '1':\n"
    "    eq('type', msg.get_content_type(), 'multipart/alternative')\n"
    "    parts = msg.get_payload()\n"
    "else:\n"
    "    parts = [msg]\n"
    "eq('parts', len(parts), len(want))\n"
    "for p, (t, body) in zip(parts, want):\n"
    "    eq('type', p.get_content_type(), t)\n"
    "    eq(t + ' charset', p.get_content_charset(), 'utf-8')\n"
    "    eq(t + ' encoding', p['content-transfer-encoding'], 'quoted-printable')\n"
    "    eq(t + ' body', p.get_payload(decode=True), crlf(body))\n"
    "for p in msg.walk():\n"
    "    if p.defects: errs.append('defects: %r' % p.defects)\n"
    "    for k, v in p.items():\n"
    "        if getattr(v, 'defects', None): errs.append('%s defects: %r' % (k, v.defects))\n"
    "print('\\n'.join(errs) if errs else 'ok')\n";

/* Runs python_check on the built message. Returns its output (static), or NULL when
 * /usr/bin/python3 is not there. */
static const char *python_reads(const struct mime_message *m, const char *msg, size_t len)
{
    static char result[8192];
    if (access("/usr/bin/python3", X_OK) != 0)
        return NULL;
    char path[] = "/tmp/flowtally-mime.XXXXXX";
    int in = mkstemp(path);
    if (in < 0 || write(in, msg, len) != (ssize_t)len || lseek(in, 0, SEEK_SET) != 0)
        return "cannot write a temporary file";
    unlink(path);
    int out[2];
    if (pipe(out) != 0)
        return "pipe";
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in, 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        execl("/usr/bin/python3", "python3", "-c", python_check, m->subject,
              m->from_name ? m->from_name : "", m->from_addr, m->to_name ? m->to_name : "",
              m->to_addr, m->text, m->html ? m->html : "", m->html ? "1" : "0", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    close(in);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < sizeof result && (r = read(out[0], result + n, sizeof result - 1 - n)) > 0)
        n += (size_t)r;
    result[n] = '\0';
    close(out[0]);
    int status;
    waitpid(pid, &status, 0);
    return result;
}

static void expect_python_ok(const struct mime_message *m)
{
    char *out, err[ERR_BUF_LEN];
    size_t len;
    if (mime_build(m, &out, &len, err) != 0) {
        TEST_FAIL("mime_build: %s", err);
        return;
    }
    const char *r = python_reads(m, out, len);
    if (!r)
        printf("# no /usr/bin/python3: not read back by Python\n");
    else if (strcmp(r, "ok\n") != 0)
        TEST_FAIL("Python's email package: %s", r);
    free(out);
}

/* A message with files: Python reads the text and HTML as given, then each file with its
 * name, type and bytes (argv: text, html, then name, type, hex of the bytes per file). */
static const char python_files_check[] =
    "import sys, email, email.policy\n"
    "raw = sys.stdin.buffer.read()\n"
    "text, html = sys.argv[1:3]\n"
    "files = [sys.argv[i:i + 3] for i in range(3, len(sys.argv), 3)]\n"
    "msg = email.message_from_bytes(raw, policy=email.policy.default)\n"
    "errs = []\n"
    "def eq(what, got, want):\n"
    "    if got != want: errs.append('%s: %r, expected %r' % (what, got, want))\n"
    "eq('type', msg.get_content_type(), 'multipart/mixed')\n"
    "def body(t): return msg.get_body(preferencelist=(t,)).get_content().replace('\\r\\n', '\\n')\n"
    "eq('text', body('plain'), text)\n"
    "if html: eq('html', body('html'), html)\n"
    "got = list(msg.iter_attachments())\n"
    "eq('files', len(got), len(files))\n"
    "for p, (name, ctype, hexdata) in zip(got, files):\n"
    "    eq('name', p.get_filename(), name)\n"
    "    eq('disposition', p.get_content_disposition(), 'attachment')\n"
    "    eq('type', p.get_content_type(), ctype)\n"
    "    eq('bytes', p.get_payload(decode=True).hex(), hexdata)\n"
    "for p in msg.walk():\n"
    "    if p.defects: errs.append('defects: %r' % p.defects)\n"
    "print('\\n'.join(errs) if errs else 'ok')\n";

/* Runs script with argv on msg (stdin). Returns its output (static), or NULL when
 * /usr/bin/python3 is not there. */
static const char *python_run(const char *script, char *const *args, const char *msg, size_t len)
{
    static char result[8192];
    if (access("/usr/bin/python3", X_OK) != 0)
        return NULL;
    char path[] = "/tmp/flowtally-mime.XXXXXX";
    int in = mkstemp(path);
    if (in < 0 || write(in, msg, len) != (ssize_t)len || lseek(in, 0, SEEK_SET) != 0)
        return "cannot write a temporary file";
    unlink(path);
    int out[2];
    if (pipe(out) != 0)
        return "pipe";
    char *argv[16] = {"python3", "-c", (char *)script};
    for (size_t i = 0; args[i] && i < 12; i++)
        argv[3 + i] = args[i];
    pid_t pid = fork();
    if (pid == 0) {
        dup2(in, 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        execv("/usr/bin/python3", argv);
        _exit(127);
    }
    close(out[1]);
    close(in);
    size_t n = 0;
    ssize_t r;
    while (n + 1 < sizeof result && (r = read(out[0], result + n, sizeof result - 1 - n)) > 0)
        n += (size_t)r;
    result[n] = '\0';
    close(out[0]);
    int status;
    waitpid(pid, &status, 0);
    return result;
}

static void test_python_reads_files(void)
{
    set_tz("UTC");
    static unsigned char pdf[1000];
    static char hex[2001];
    for (size_t i = 0; i < sizeof pdf; i++) {
        pdf[i] = (unsigned char)(i * 7 + i / 3);
        snprintf(hex + 2 * i, 3, "%02x", pdf[i]);
    }
    struct mime_attachment files[2] = {{"invoice-42.pdf", "application/pdf", pdf, sizeof pdf},
                                       {"empty.txt", "text/plain", NULL, 0}};
    struct mime_message m = base;
    m.text = "Amount due: 30.81 EUR\n\u00e4\n";
    m.html = "<p>30.81 EUR</p>\n";
    m.attachments = files;
    m.n_attachments = 2;
    for (int with_html = 1; with_html >= 0; with_html--) {
        m.html = with_html ? "<p>30.81 EUR</p>\n" : NULL;
        char *out, err[ERR_BUF_LEN];
        size_t len;
        ASSERT_EQ_INT(mime_build(&m, &out, &len, err), 0);
        char *args[] = {(char *)m.text,
                        with_html ? (char *)m.html : "",
                        "invoice-42.pdf",
                        "application/pdf",
                        hex,
                        "empty.txt",
                        "text/plain",
                        "",
                        NULL};
        const char *r = python_run(python_files_check, args, out, len);
        if (!r)
            printf("# no /usr/bin/python3: not read back by Python\n");
        else if (strcmp(r, "ok\n") != 0)
            TEST_FAIL("Python's email package: %s", r);
        /* every line within 78 characters but the base64 ones, which are 76 at most */
        for (char *line = out, *eol; (eol = strstr(line, "\r\n")); line = eol + 2)
            ASSERT_TRUE(eol - line <= 78);
        free(out);
    }
}

static void test_python_reads_it(void)
{
    set_tz("Europe/Berlin");
    expect_python_ok(&base);
    struct mime_message m = base;
    m.to_name = "J\xc3\xbcrgen Gro\xc3\x9f";
    m.from_name = "Dr. \"Evil\" \\ Co";
    m.subject = "Sie haben 80 % Ihrer 15 GB verbraucht \xe2\x80\x94 Gr\xc3\xbc\xc3\x9f"
                "e";
    m.text = "Verbrauch: 12 GB = 80 % \n.\nFrom here\ntrailing\t\n";
    m.html = "<p>12&nbsp;GB = 80&nbsp;%</p>\n";
    expect_python_ok(&m);
    static char subject[1024], text[4096];
    long_subject(subject, sizeof subject);
    text[0] = '\0';
    for (int i = 0; i < 30; i++)
        strcat(text, "==== \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x98\x80 ");
    strcat(text, "   \nend");
    m.subject = subject;
    m.to_name = "A Name Much Longer Than Any Header Line Could Ever Hold On Its Own, Truly";
    m.text = text;
    m.html = NULL;
    expect_python_ok(&m);
    m.html = text;
    m.subject = "=?x?= and ASCII words folded over more than one line of the header, plain "
                "as they are";
    expect_python_ok(&m);
}

int main(void)
{
    RUN(test_text_only);
    RUN(test_text_soft_end);
    RUN(test_multipart);
    RUN(test_attachment);
    RUN(test_attachment_refused);
    RUN(test_header_encoding);
    RUN(test_subject_folding);
    RUN(test_qp_limits);
    RUN(test_properties);
    RUN(test_refused);
    RUN(test_address_ok);
    RUN(test_message_id);
    RUN(test_python_reads_it);
    RUN(test_python_reads_files);
    return test_done();
}
