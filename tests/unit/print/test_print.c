// SPDX-License-Identifier: MIT
// Tests of the printed bill: the HTML page checked by exact substrings, the PDF read back
// with poppler's pdftotext and pdfinfo (run with fork/exec, no shell). The sample invoice's
// sums are worked out by hand in the comments; times are in Europe/Zurich.
#include "../../../src/base/err.h"
#include "../../../src/print/doc.h"
#include "../../../src/print/print.h"
#include "test.h"

#include <cairo.h>

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[64];

/* ---- the sample document --------------------------------------------------------------- */

/* June 2025 in Europe/Zurich (UTC+2): 2025-05-31T22:00Z to 2025-06-30T22:00Z, issued
 * 2025-07-01T06:00Z. 12.345 GB used of 15 GB.
 *   plan       1 x 25.00                      = 25.00
 *   usage      12.345 GB x 2.00 = 24.69       = 24.69
 *   subtotal   25.00 + 24.69                  = 49.69
 *   tax 8.1%   49.69 x 0.081 = 4.02489 -> 4.02
 *   total      49.69 + 4.02                   = 53.71 EUR */
static struct invoice_row sample_inv(void)
{
    struct invoice_row inv = {
        .id = 17,
        .kind = "invoice",
        .number = 42,
        .subscriber_id = 3,
        .account = "ACC-0042",
        .name = "Jane <Doe> & Sons",
        .plan = "Home 100",
        .cycle = "2025-06",
        .cycle_start_ms = 1748728800000,
        .cycle_end_ms = 1751320800000,
        .used_bytes = 12345000000,
        .quota_bytes = 15000000000,
        .subtotal_cents = 4969,
        .tax_cents = 402,
        .total_cents = 5371,
        .tax_rate_micro = 8100000,
        .currency = "EUR",
        .unit = "GB",
        .issued_ms = 1751349600000,
    };
    return inv;
}

static const struct invoice_line sample_lines[] = {
    {.invoice_id = 17,
     .seq = 1,
     .kind = "plan",
     .cycle = "2025-06",
     .quantity = "1",
     .unit_price_micro = 25000000,
     .amount_cents = 2500,
     .text = "Plan Home 100, June 2025"},
    {.invoice_id = 17,
     .seq = 2,
     .kind = "usage",
     .class_name = "web",
     .cycle = "2025-06",
     .bytes = 12345000000,
     .quantity = "12.345",
     .unit_price_micro = 2000000,
     .amount_cents = 2469,
     .text = "Usage beyond the quota <web>"},
};

static const struct print_class sample_classes[] = {
    {"web", 10000000000},
    {"video \"HD\"", 2345000000},
};

static const struct print_day sample_days[] = {
    {"2025-06-01", 400000000, 100000000},
    {"2025-06-02", 1200000000, 300000000},
    {"2025-06-03", 0, 0},
    {"2025-06-04", 800000000, 45000000},
};

static struct print_invoice sample(const struct invoice_row *inv)
{
    struct print_invoice d = {
        .inv = inv,
        .lines = sample_lines,
        .n_lines = 2,
        .classes = sample_classes,
        .n_classes = 2,
        .days = sample_days,
        .n_days = 4,
        .op = {"Net <&> Fiber AG", "Bahnhofstrasse 1 | 8001 Z\xc3\xbcrich | Switzerland", ""},
    };
    return d;
}

/* ---- helpers --------------------------------------------------------------------------- */

/* Renders d as HTML. OUT: *rc. Returns the page (caller frees). */
static char *html(const struct print_invoice *d, int *rc, char *errbuf)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    *rc = print_invoice_html(f, d, errbuf);
    fclose(f);
    return text;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

#define ASSERT_HAS(hay, needle)                                                                    \
    do {                                                                                           \
        if (!(hay) || !strstr((hay), (needle)))                                                    \
            TEST_FAIL("missing \"%s\"", (needle));                                                 \
    } while (0)

#define ASSERT_LACKS(hay, needle)                                                                  \
    do {                                                                                           \
        if ((hay) && strstr((hay), (needle)))                                                      \
            TEST_FAIL("unexpected \"%s\"", (needle));                                              \
    } while (0)

/* Runs argv (no shell) and returns its standard output (caller frees), or NULL when it
 * could not run or exited with another status than 0. */
static char *run(char *const argv[])
{
    int fds[2];
    if (pipe(fds) != 0)
        return NULL;
    pid_t pid = fork();
    if (pid < 0)
        return NULL;
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    size_t len = 0, cap = 4096;
    char *out = malloc(cap);
    ssize_t n;
    while ((n = read(fds[0], out + len, cap - len - 1)) > 0) {
        len += (size_t)n;
        if (cap - len < 2)
            out = realloc(out, cap *= 2);
    }
    out[len] = '\0';
    close(fds[0]);
    int status;
    waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        printf("# %s exited with status %d\n", argv[0], status);
        free(out);
        return NULL;
    }
    return out;
}

static char *pdf_text(const char *path)
{
    char *const argv[] = {"pdftotext", "-layout", (char *)path, "-", NULL};
    return run(argv);
}

static int pdf_pages(const char *path)
{
    char *const argv[] = {"pdfinfo", (char *)path, NULL};
    char *info = run(argv);
    const char *p = info ? strstr(info, "\nPages:") : NULL;
    int n = p ? atoi(p + 7) : -1;
    free(info);
    return n;
}

static void tmp_path(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", tmpdir, name);
}

/* A 40 x 20 PNG drawn with cairo. */
static void write_png(const char *path)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 40, 20);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 0.1, 0.4, 0.8);
    cairo_rectangle(cr, 0, 0, 40, 20);
    cairo_fill(cr);
    cairo_destroy(cr);
    if (cairo_surface_write_to_png(s, path) != CAIRO_STATUS_SUCCESS)
        TEST_FAIL("cannot write %s", path);
    cairo_surface_destroy(s);
}

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, len, f) != len)
        TEST_FAIL("cannot write %s", path);
    if (f)
        fclose(f);
}

/* ---- HTML ------------------------------------------------------------------------------ */

static void test_html_sample(void)
{
    struct invoice_row inv = sample_inv();
    struct print_invoice d = sample(&inv);
    char errbuf[ERR_BUF_LEN] = "";
    int rc;
    char *page = html(&d, &rc, errbuf);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_TRUE(strncmp(page, "<!DOCTYPE html>\n", 16) == 0);
    ASSERT_TRUE(strlen(page) > 7 && strcmp(page + strlen(page) - 8, "</html>\n") == 0);
    static const char *const want[] = {
        "<title>Invoice 42 \xe2\x80\x93 Net &lt;&amp;&gt; Fiber AG</title>",
        "<strong>Net &lt;&amp;&gt; Fiber AG</strong><br>Bahnhofstrasse 1<br>8001 Z\xc3\xbcrich"
        "<br>Switzerland</div>",
        "<h1>Invoice 42</h1>",
        "<tr><th>Customer</th><td>ACC-0042 \xe2\x80\x93 Jane &lt;Doe&gt; &amp; Sons</td></tr>",
        "<tr><th>Plan</th><td>Home 100</td></tr>",
        "<tr><th>Cycle</th><td>2025-06-01 \xe2\x80\x93 2025-06-30</td></tr>",
        "<tr><th>Issued</th><td>2025-07-01</td></tr>",
        "<tr><th>Used</th><td>12.345 GB</td></tr>",
        "<tr><th>Quota</th><td>15.000 GB</td></tr>",
        "1 GB = 1000000000 bytes",
        "<tr><td>web</td><td class=\"num\">10.000 GB</td></tr>",
        "<tr><td>video &quot;HD&quot;</td><td class=\"num\">2.345 GB</td></tr>",
        "<th class=\"num\">Amount (EUR)</th>",
        "<tr><td>Plan Home 100, June 2025</td><td class=\"num\">1</td><td class=\"num\">25.00"
        "</td><td class=\"num\">25.00</td></tr>",
        "<tr><td>Usage beyond the quota &lt;web&gt;</td><td class=\"num\">12.345 GB</td>"
        "<td class=\"num\">2.00</td><td class=\"num\">24.69</td></tr>",
        "<th colspan=\"3\">Subtotal</th><td class=\"num\">49.69 EUR</td>",
        "<th colspan=\"3\">Tax 8.1%</th><td class=\"num\">4.02 EUR</td>",
        "<tr class=\"total\"><th colspan=\"3\">Total</th><td class=\"num\">53.71 EUR</td></tr>",
        "<svg class=\"chart\"",
        /* 1.5 GB the highest day: the axis goes to 2 GB in 4 steps */
        ">2 GB</text>",
        ">0.5 GB</text>",
        "<title>2025-06-02: download 1.200 GB, upload 0.300 GB</title>",
        ">Download</text>",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ASSERT_HAS(page, want[i]);
    ASSERT_LACKS(page, "<script");
    ASSERT_LACKS(page, "<img");
    ASSERT_LACKS(page, "Demo data");
    ASSERT_LACKS(page, "Corrects");
    ASSERT_LACKS(page, "<web>");
    char path[128];
    tmp_path(path, sizeof path, "sample.html"); /* to look at, with TEST_PRINT_KEEP */
    write_file(path, page, strlen(page));
    free(page);
}

static void test_html_demo_and_notes(void)
{
    struct invoice_row inv = sample_inv();
    snprintf(inv.kind, sizeof inv.kind, "credit");
    inv.number = 3;
    inv.refers_to = 17;
    struct print_invoice d = sample(&inv);
    d.is_demo = true;
    char errbuf[ERR_BUF_LEN] = "";
    int rc;
    char *page = html(&d, &rc, errbuf);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_HAS(page, "<h1>Credit note 3</h1>");
    ASSERT_HAS(page, "<p class=\"corrects\">Corrects invoice id 17</p>");
    ASSERT_HAS(page, "<div class=\"demo\">Demo data: not a bill</div>");
    free(page);

    d.refers_to_number = 42;
    snprintf(inv.kind, sizeof inv.kind, "debit");
    inv.number = 1;
    page = html(&d, &rc, errbuf);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_HAS(page, "<h1>Debit note 1</h1>");
    ASSERT_HAS(page, ">Corrects invoice 42</p>");
    free(page);
}

/* GiB: 2^30 bytes. 3 GiB + 512 MiB = 3.5 GiB; unlimited quota; a line of an earlier cycle
 * says so; a burst line's quantity is in Mbps. */
static void test_html_gib_unlimited(void)
{
    struct invoice_row inv = sample_inv();
    snprintf(inv.unit, sizeof inv.unit, "GiB");
    inv.used_bytes = 3758096384;
    inv.unlimited = true;
    inv.quota_bytes = 0;
    struct invoice_line lines[2] = {
        {.kind = "usage",
         .cycle = "2025-05",
         .quantity = "0.250",
         .unit_price_micro = 1500000,
         .amount_cents = 38,
         .text = "Late usage"},
        {.kind = "burst",
         .cycle = "2025-06",
         .quantity = "120",
         .unit_price_micro = 125000,
         .amount_cents = 1500,
         .text = "95th percentile"},
    };
    struct print_invoice d = sample(&inv);
    d.lines = lines;
    d.n_lines = 2;
    d.n_days = 0;
    d.n_classes = 0;
    char errbuf[ERR_BUF_LEN] = "";
    int rc;
    char *page = html(&d, &rc, errbuf);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_HAS(page, "<tr><th>Used</th><td>3.500 GiB</td></tr>");
    ASSERT_HAS(page, "<tr><th>Quota</th><td>unlimited</td></tr>");
    ASSERT_HAS(page, "1 GiB = 1073741824 bytes");
    ASSERT_HAS(page, "<td>Late usage (cycle 2025-05)</td><td class=\"num\">0.250 GiB</td>"
                     "<td class=\"num\">1.50</td><td class=\"num\">0.38</td>");
    ASSERT_HAS(page, "<td>95th percentile</td><td class=\"num\">120 Mbps</td>"
                     "<td class=\"num\">0.125</td><td class=\"num\">15.00</td>");
    ASSERT_HAS(page, "<p>No daily usage.</p>");
    ASSERT_HAS(page, "<td colspan=\"2\">No usage</td>");
    ASSERT_LACKS(page, "<svg");
    free(page);
}

static void test_html_tax_rates(void)
{
    static const struct {
        int64_t micro;
        const char *want;
    } cases[] = {
        {8100000, "Tax 8.1%"}, {19000000, "Tax 19%"},   {0, "Tax 0%"},
        {7700000, "Tax 7.7%"}, {2500000, "Tax 2.5%"},   {125, "Tax 0.000125%"},
        {5500000, "Tax 5.5%"}, {100000000, "Tax 100%"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct invoice_row inv = sample_inv();
        inv.tax_rate_micro = cases[i].micro;
        struct print_invoice d = sample(&inv);
        char errbuf[ERR_BUF_LEN] = "", want[64];
        int rc;
        char *page = html(&d, &rc, errbuf);
        snprintf(want, sizeof want, ">%s</th>", cases[i].want);
        ASSERT_EQ_INT(rc, 0);
        ASSERT_HAS(page, want);
        free(page);
    }
}

/* Bytes the renderer did not write are escaped, invalid UTF-8 and controls replaced. */
static void test_html_escapes(void)
{
    struct invoice_row inv = sample_inv();
    snprintf(inv.name, sizeof inv.name, "<script>alert('x')</script>");
    snprintf(inv.plan, sizeof inv.plan, "a\"b\xff\x01");
    snprintf(inv.currency, sizeof inv.currency, "<&>");
    struct invoice_line line = sample_lines[0];
    snprintf(line.text, sizeof line.text, "</td><img src=x onerror=y>");
    struct print_class cls = {"<b>", 1};
    struct print_day day = {"<i>", 1, 2};
    struct print_invoice d = sample(&inv);
    d.lines = &line;
    d.n_lines = 1;
    d.classes = &cls;
    d.n_classes = 1;
    d.days = &day;
    d.n_days = 1;
    d.op.address = "<a> | \"b\"";
    char errbuf[ERR_BUF_LEN] = "";
    int rc;
    char *page = html(&d, &rc, errbuf);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_LACKS(page, "<script");
    ASSERT_LACKS(page, "<img");
    ASSERT_LACKS(page, "<b>");
    ASSERT_LACKS(page, "<i>");
    ASSERT_LACKS(page, "<a>");
    ASSERT_HAS(page, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    ASSERT_HAS(page, "<td>a&quot;b\xef\xbf\xbd\xef\xbf\xbd</td>");
    ASSERT_HAS(page, "53.71 &lt;&amp;&gt;");
    ASSERT_HAS(page, "&lt;/td&gt;&lt;img src=x onerror=y&gt;");
    ASSERT_HAS(page, "<br>&lt;a&gt;<br>&quot;b&quot;</div>");
    ASSERT_HAS(page, "<title>&lt;i&gt;: download");
    free(page);
}

static void test_refused_documents(void)
{
    struct invoice_row inv = sample_inv();
    snprintf(inv.kind, sizeof inv.kind, "quote");
    struct print_invoice d = sample(&inv);
    char errbuf[ERR_BUF_LEN] = "", path[128];
    int rc;
    char *page = html(&d, &rc, errbuf);
    ASSERT_EQ_INT(rc, ERR_MALFORMED);
    ASSERT_STREQ(page, "");
    ASSERT_STREQ(errbuf, "document kind \"quote\" is not invoice, credit or debit");
    free(page);

    inv = sample_inv();
    snprintf(inv.unit, sizeof inv.unit, "MB");
    page = html(&d, &rc, errbuf);
    ASSERT_EQ_INT(rc, ERR_MALFORMED);
    ASSERT_STREQ(page, "");
    ASSERT_STREQ(errbuf, "Invoice 42: unit \"MB\" is neither GB nor GiB");
    free(page);

    tmp_path(path, sizeof path, "refused.pdf");
    ASSERT_EQ_INT(print_invoice_pdf(path, &d, errbuf), ERR_MALFORMED);
    ASSERT_TRUE(access(path, F_OK) != 0); /* checked before the file is made */
}

/* ---- logo ------------------------------------------------------------------------------ */

static void test_logo_missing(void)
{
    struct invoice_row inv = sample_inv();
    struct print_invoice d = sample(&inv);
    char errbuf[ERR_BUF_LEN] = "", logo[128], want[256], path[128];
    tmp_path(logo, sizeof logo, "no-such-logo.png");
    tmp_path(path, sizeof path, "no-logo.pdf");
    snprintf(want, sizeof want, "logo %s: No such file or directory", logo);
    d.op.logo_path = logo;
    int rc;
    char *page = html(&d, &rc, errbuf);
    ASSERT_EQ_INT(rc, -ENOENT);
    ASSERT_STREQ(page, "");
    ASSERT_STREQ(errbuf, want);
    free(page);
    errbuf[0] = '\0';
    ASSERT_EQ_INT(print_invoice_pdf(path, &d, errbuf), -ENOENT);
    ASSERT_STREQ(errbuf, want);
    ASSERT_TRUE(access(path, F_OK) != 0);
}

static void test_logo_not_png(void)
{
    struct invoice_row inv = sample_inv();
    struct print_invoice d = sample(&inv);
    char errbuf[ERR_BUF_LEN] = "", logo[128], want[256], path[128];
    tmp_path(logo, sizeof logo, "logo.txt");
    tmp_path(path, sizeof path, "bad-logo.pdf");
    write_file(logo, "GIF89a not a png", 16);
    snprintf(want, sizeof want, "logo %s: not a PNG file", logo);
    d.op.logo_path = logo;
    int rc;
    char *page = html(&d, &rc, errbuf);
    ASSERT_EQ_INT(rc, ERR_MALFORMED);
    ASSERT_STREQ(errbuf, want);
    free(page);
    ASSERT_EQ_INT(print_invoice_pdf(path, &d, errbuf), ERR_MALFORMED);
    ASSERT_STREQ(errbuf, want);

    /* a PNG signature with nothing after it: base64 with both paddings in HTML (11 and 10
     * bytes: 89 50 4e 47 0d 0a 1a 0a 61 62 63 by hand), and cairo refuses to decode it */
    write_file(logo,
               "\x89PNG\r\n\x1a\n"
               "abc",
               11);
    page = html(&d, &rc, errbuf);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_HAS(page,
               "<img class=\"logo\" alt=\"\" src=\"data:image/png;base64,iVBORw0KGgphYmM=\">");
    free(page);
    write_file(logo,
               "\x89PNG\r\n\x1a\n"
               "ab",
               10);
    page = html(&d, &rc, errbuf);
    ASSERT_HAS(page, "base64,iVBORw0KGgphYg==\">");
    free(page);
    ASSERT_EQ_INT(print_invoice_pdf(path, &d, errbuf), ERR_MALFORMED);
    ASSERT_TRUE(strncmp(errbuf, want, strlen(logo) + 6) == 0);
}

static void test_logo_png(void)
{
    struct invoice_row inv = sample_inv();
    struct print_invoice d = sample(&inv);
    char errbuf[ERR_BUF_LEN] = "", logo[128], path[128];
    tmp_path(logo, sizeof logo, "logo.png");
    tmp_path(path, sizeof path, "logo.pdf");
    write_png(logo);
    d.op.logo_path = logo;
    int rc;
    char *page = html(&d, &rc, errbuf);
    ASSERT_EQ_INT(rc, 0);
    ASSERT_HAS(page, "<img class=\"logo\" alt=\"\" src=\"data:image/png;base64,iVBORw0KGgo");
    free(page);
    rc = print_invoice_pdf(path, &d, errbuf);
    ASSERT_EQ_INT(rc, 0);
    if (rc != 0)
        printf("# %s\n", errbuf);
    char *const argv[] = {"pdfimages", "-list", path, NULL};
    char *list = run(argv);
    ASSERT_HAS(list, "   40    20 ");
    free(list);
}

/* ---- PDF ------------------------------------------------------------------------------- */

static void test_pdf_sample(void)
{
    struct invoice_row inv = sample_inv();
    struct print_invoice d = sample(&inv);
    char errbuf[ERR_BUF_LEN] = "", path[128];
    tmp_path(path, sizeof path, "sample.pdf");
    int rc = print_invoice_pdf(path, &d, errbuf);
    ASSERT_EQ_INT(rc, 0);
    if (rc != 0)
        printf("# %s\n", errbuf);
    ASSERT_EQ_INT(pdf_pages(path), 1);
    char *text = pdf_text(path);
    static const char *const want[] = {
        "Net <&> Fiber AG",
        "Bahnhofstrasse 1",
        "8001 Z\xc3\xbcrich",
        "Invoice 42",
        "ACC-0042 \xe2\x80\x93 Jane <Doe> & Sons",
        "Home 100",
        "2025-06-01 \xe2\x80\x93 2025-06-30",
        "2025-07-01",
        "12.345 GB",
        "15.000 GB",
        "10.000 GB",
        "video \"HD\"",
        "Plan Home 100, June 2025",
        "Usage beyond the quota <web>",
        "25.00",
        "24.69",
        "49.69 EUR",
        "Tax 8.1%",
        "4.02 EUR",
        "53.71 EUR",
        "Amount (EUR)",
        "Download",
        "Page 1 of 1",
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ASSERT_HAS(text, want[i]);
    ASSERT_LACKS(text, "Demo data");
    ASSERT_LACKS(text, "continued");
    free(text);
}

/* 200 lines: several pages, each continuing the table under its header again. */
static void test_pdf_many_lines(void)
{
    enum { N = 200 };
    static struct invoice_line many[N];
    for (int i = 0; i < N; i++) {
        many[i] = sample_lines[1];
        many[i].seq = i + 1;
        /* 1000.00 + i/100: each amount printed once */
        many[i].amount_cents = 100000 + i;
        snprintf(many[i].text, sizeof many[i].text, "Line number %d", i + 1);
    }
    struct invoice_row inv = sample_inv();
    struct print_invoice d = sample(&inv);
    d.lines = many;
    d.n_lines = N;
    d.is_demo = true;
    char errbuf[ERR_BUF_LEN] = "", path[128];
    tmp_path(path, sizeof path, "many.pdf");
    ASSERT_EQ_INT(print_invoice_pdf(path, &d, errbuf), 0);
    int pages = pdf_pages(path);
    ASSERT_TRUE(pages > 1);
    char *text = pdf_text(path);
    ASSERT_EQ_U64(count(text, "\f"), pages); /* pdftotext ends each page with a form feed */
    /* the header on every page the table reaches; the sums may start a page of their own */
    size_t heads = count(text, "Unit price");
    ASSERT_TRUE(heads >= (size_t)pages - 1 && heads >= 2);
    ASSERT_EQ_U64(count(text, "Description"), heads);
    ASSERT_EQ_U64(count(text, "Demo data"), pages);
    ASSERT_EQ_U64(count(text, "(continued)"), pages - 1);
    char want[64];
    snprintf(want, sizeof want, "Page %d of %d", pages, pages);
    ASSERT_HAS(text, want);
    ASSERT_HAS(text, "Page 1 of");
    for (int i = 0; i < N; i++) {
        snprintf(want, sizeof want, "Line number %d ", i + 1);
        ASSERT_HAS(text, want);
        snprintf(want, sizeof want, " %d.%02d\n", 1000 + i / 100, i % 100);
        ASSERT_HAS(text, want);
    }
    ASSERT_HAS(text, "53.71 EUR");
    free(text);
}

/* Where pdftotext -bbox puts each word made of c repeated (4 at least), and every word. */
struct words {
    size_t n_c;          /* words of c */
    double c_x_max;      /* the rightmost end of one */
    double x_min, x_max; /* of all words */
};

static void bbox(const char *xml, char c, struct words *w)
{
    memset(w, 0, sizeof *w);
    w->x_min = 1e9;
    char run[5] = {c, c, c, c, '\0'};
    for (const char *p = xml; (p = strstr(p, "<word ")) != NULL; p++) {
        double x0, y0, x1, y1;
        int end = 0;
        if (sscanf(p, "<word xMin=\"%lf\" yMin=\"%lf\" xMax=\"%lf\" yMax=\"%lf\">%n", &x0, &y0, &x1,
                   &y1, &end) != 4 ||
            end == 0)
            continue;
        w->x_min = x0 < w->x_min ? x0 : w->x_min;
        w->x_max = x1 > w->x_max ? x1 : w->x_max;
        if (strncmp(p + end, run, 4) == 0) {
            w->n_c++;
            w->c_x_max = x1 > w->c_x_max ? x1 : w->c_x_max;
        }
    }
}

/* Long texts wrap onto a few lines and the last is ellipsized: nothing runs past the
 * margins (48 pt of a 595.3 pt page) or out of its column, the numbers stay in theirs. The
 * elided text stays in the PDF's text (pango maps the ellipsis to it, so a copy gets it
 * all), which is why the words are measured rather than the characters counted. */
static void test_pdf_long_texts(void)
{
    struct invoice_line lines[2] = {sample_lines[0], sample_lines[1]};
    memset(lines[0].text, 'W', sizeof lines[0].text - 1);
    lines[0].text[sizeof lines[0].text - 1] = '\0';
    snprintf(lines[1].text, sizeof lines[1].text,
             "A rather long description of usage that goes on and on, word after word, until "
             "it has to wrap");
    struct invoice_row inv = sample_inv();
    memset(inv.name, 'N', sizeof inv.name - 1);
    inv.name[sizeof inv.name - 1] = '\0';
    struct print_invoice d = sample(&inv);
    d.lines = lines;
    char name[400];
    memset(name, 'O', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    d.op.name = name;
    char errbuf[ERR_BUF_LEN] = "", path[128];
    tmp_path(path, sizeof path, "long.pdf");
    ASSERT_EQ_INT(print_invoice_pdf(path, &d, errbuf), 0);
    ASSERT_EQ_INT(pdf_pages(path), 1);
    char *const argv[] = {"pdftotext", "-bbox", path, "-", NULL};
    char *xml = run(argv);
    struct words w;
    bbox(xml, 'O', &w);
    ASSERT_TRUE(w.x_min >= 47.5 && w.x_max <= 548); /* glyph boxes pass their advance a little */
    ASSERT_EQ_U64(w.n_c, 2);                        /* the operator's name: two lines */
    bbox(xml, 'N', &w);
    ASSERT_EQ_U64(w.n_c, 1); /* the customer: account, then the name on a second line */
    bbox(xml, 'W', &w);
    ASSERT_EQ_U64(w.n_c, 3);                           /* a line's text: three lines */
    ASSERT_TRUE(w.c_x_max > 200 && w.c_x_max < 283.3); /* the Quantity column starts there */
    free(xml);
    char *text = pdf_text(path);
    ASSERT_HAS(text, " 25.00\n");
    ASSERT_HAS(text, " 24.69\n");
    ASSERT_HAS(text, "until");
    ASSERT_HAS(text, "53.71 EUR");
    free(text);
}

/* Bytes that are not text reach the page as U+FFFD, as in the HTML page. */
static void test_pdf_not_text(void)
{
    struct invoice_row inv = sample_inv();
    snprintf(inv.plan, sizeof inv.plan,
             "a\xff\x01"
             "b\xe2\x82");
    struct print_invoice d = sample(&inv);
    char errbuf[ERR_BUF_LEN] = "", path[128];
    tmp_path(path, sizeof path, "not-text.pdf");
    ASSERT_EQ_INT(print_invoice_pdf(path, &d, errbuf), 0);
    char *text = pdf_text(path);
    ASSERT_HAS(text, "a\xef\xbf\xbd\xef\xbf\xbd"
                     "b\xef\xbf\xbd\n");
    free(text);
}

static void test_pdf_unwritable(void)
{
    struct invoice_row inv = sample_inv();
    struct print_invoice d = sample(&inv);
    char errbuf[ERR_BUF_LEN] = "", path[128], want[256];
    tmp_path(path, sizeof path, "no-such-dir/x.pdf");
    snprintf(want, sizeof want, "%s: No such file or directory", path);
    ASSERT_EQ_INT(print_invoice_pdf(path, &d, errbuf), -ENOENT);
    ASSERT_STREQ(errbuf, want);
    if (access("/dev/full", W_OK) == 0) {
        ASSERT_EQ_INT(print_invoice_pdf("/dev/full", &d, errbuf), -ENOSPC);
        ASSERT_STREQ(errbuf, "/dev/full: No space left on device");
    }
}

/* ---- doc.c's arithmetic ------------------------------------------------------------------ */

static void test_doc_bytes(void)
{
    static const struct {
        uint64_t bytes, unit;
        const char *want;
    } cases[] = {
        {0, 1000000000, "0.000 GB"},
        {999999, 1000000000, "0.000 GB"},
        {1000000, 1000000000, "0.001 GB"},
        {12345678901, 1000000000, "12.345 GB"},
        {UINT64_MAX, 1000000000, "18446744073.709 GB"},
        {1073741824, 1073741824, "1.000 GiB"},
        {1073741823, 1073741824, "0.999 GiB"},
        {UINT64_MAX, 1073741824, "17179869183.999 GiB"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[48];
        ASSERT_STREQ(doc_bytes(cases[i].bytes, cases[i].unit,
                               cases[i].unit == 1000000000 ? "GB" : "GiB", buf),
                     cases[i].want);
    }
}

static void test_doc_axis(void)
{
    static const struct {
        uint64_t max, unit, top_milli;
        unsigned n_steps;
        uint64_t top_bytes;
    } cases[] = {
        {0, 1000000000, 0, 0, 0},
        {1, 1000000000, 1, 1, 1000000},                /* 1 byte: 0.001 GB */
        {1500000, 1000000000, 2, 2, 2000000},          /* 0.0015 GB: 0.002 in 2 steps */
        {1500000000, 1000000000, 2000, 4, 2000000000}, /* 1.5 GB: 2 GB in 4 steps */
        {2000000000, 1000000000, 2000, 4, 2000000000},
        {2000000001, 1000000000, 5000, 5, 5000000000},
        {7000000000, 1000000000, 10000, 5, 10000000000},
        {40000000, 1000000000, 50, 5, 50000000},
        {1073741824, 1073741824, 1000, 5, 1073741824},
        {1, 1073741824, 1, 1, 1073742},                          /* 0.001 GiB, rounded up */
        {UINT64_MAX, 1000000000, 20000000000000, 4, UINT64_MAX}, /* saturated */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct print_day day = {"2025-06-01", cases[i].max, 0};
        struct doc_axis a;
        doc_axis_init(&a, &day, 1, cases[i].unit);
        ASSERT_EQ_U64(a.top_milli, cases[i].top_milli);
        ASSERT_EQ_U64(a.n_steps, cases[i].n_steps);
        ASSERT_EQ_U64(a.top_bytes, cases[i].top_bytes);
    }
    char buf[48];
    ASSERT_STREQ(doc_axis_label(0, "GB", buf), "0 GB");
    ASSERT_STREQ(doc_axis_label(500, "GB", buf), "0.5 GB");
    ASSERT_STREQ(doc_axis_label(1, "GiB", buf), "0.001 GiB");
    ASSERT_STREQ(doc_axis_label(12340, "GB", buf), "12.34 GB");
    ASSERT_EQ_U64(doc_bar_height(1, 2, 1500), 750);
    ASSERT_EQ_U64(doc_bar_height(UINT64_MAX, UINT64_MAX, 1500), 1500);
    ASSERT_EQ_U64(doc_bar_height(5, 0, 1500), 0);
    ASSERT_STREQ(doc_day_label("2025-06-07", buf), "7");
    ASSERT_STREQ(doc_day_label("2025-06-30", buf), "30");
    ASSERT_STREQ(doc_day_label("June 7", buf), "June 7");
    ASSERT_EQ_U64(doc_label_every(31, 31), 1);
    ASSERT_EQ_U64(doc_label_every(62, 31), 2);
    ASSERT_EQ_U64(doc_label_every(31, 16), 2);
    ASSERT_EQ_U64(doc_label_every(92, 31), 3);
}

static void test_doc_address(void)
{
    char lines[DOC_ADDRESS_MAX][256];
    ASSERT_EQ_U64(doc_address_lines(NULL, lines), 0);
    ASSERT_EQ_U64(doc_address_lines("", lines), 0);
    ASSERT_EQ_U64(doc_address_lines("One", lines), 1);
    ASSERT_STREQ(lines[0], "One");
    ASSERT_EQ_U64(doc_address_lines("a | b|c |  | d", lines), 4);
    ASSERT_STREQ(lines[0], "a");
    ASSERT_STREQ(lines[1], "b|c");
    ASSERT_STREQ(lines[2], "");
    ASSERT_STREQ(lines[3], "d");
    ASSERT_EQ_U64(doc_address_lines("1 | 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10", lines), 8);
    ASSERT_STREQ(lines[7], "8 | 9 | 10");
}

int main(void)
{
    setenv("TZ", "Europe/Zurich", 1);
    tzset();
    snprintf(tmpdir, sizeof tmpdir, "%s", "/tmp/test_print.XXXXXX");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    RUN(test_html_sample);
    RUN(test_html_demo_and_notes);
    RUN(test_html_gib_unlimited);
    RUN(test_html_tax_rates);
    RUN(test_html_escapes);
    RUN(test_refused_documents);
    RUN(test_logo_missing);
    RUN(test_logo_not_png);
    RUN(test_logo_png);
    RUN(test_pdf_sample);
    RUN(test_pdf_many_lines);
    RUN(test_pdf_long_texts);
    RUN(test_pdf_not_text);
    RUN(test_pdf_unwritable);
    RUN(test_doc_bytes);
    RUN(test_doc_axis);
    RUN(test_doc_address);
    /* TEST_PRINT_KEEP=1 keeps the files written, to look at them */
    if (getenv("TEST_PRINT_KEEP")) {
        printf("# kept %s\n", tmpdir);
    } else {
        char *const rm[] = {"rm", "-rf", tmpdir, NULL};
        free(run(rm));
    }
    cairo_debug_reset_static_data();
    return test_done();
}
