// SPDX-License-Identifier: MIT
// Tests of a bill in the portal (src/web/invoices.c): the built-in invoice.html rendered in
// strict mode (so the page supplies every name its template uses) for an invoice, a note
// and an empty document, with markup in every text the store holds; the cycle check; the
// number of a document by id. Expected output written by hand.
#include "../../../src/base/err.h"
#include "../../../src/web/assets.h"
#include "../../../src/web/invoices.h"
#include "../../../src/web/page.h"
#include "test.h"

#include <stdlib.h>
#include <time.h>

/* 2025-03: 2025-03-01T00:00Z to 2025-04-01T00:00Z, issued 2025-04-02T10:00Z. */
static const struct invoice_row invoice = {
    .id = 7,
    .kind = "invoice",
    .number = 42,
    .subscriber_id = 3,
    .account = "acc-1",
    .name = "Eve <b>\"Co\"</b> & 'x'",
    .plan = "Basic<i>",
    .cycle = "2025-03",
    .cycle_start_ms = 1740787200000,
    .cycle_end_ms = 1743465600000,
    .used_bytes = 16750000000,
    .quota_bytes = 15000000000,
    .subtotal_cents = 2850,
    .tax_cents = 231,
    .total_cents = 3081,
    .tax_rate_micro = 8100000,
    .currency = "EUR",
    .unit = "GB",
    .issued_ms = 1743588000000,
};

static const struct invoice_line lines[] = {
    {.invoice_id = 7,
     .seq = 1,
     .kind = "plan",
     .cycle = "2025-03",
     .quantity = "1.000000",
     .unit_price_micro = 25000000,
     .amount_cents = 2500,
     .text = "Plan Basic"},
    {.invoice_id = 7,
     .seq = 2,
     .kind = "usage",
     .class_name = "default",
     .cycle = "2025-02", /* late usage of the cycle before */
     .bytes = 1750000000,
     .quantity = "1.750000000",
     .unit_price_micro = 2000000,
     .amount_cents = 350,
     .text = "Usage <default>"},
};

static struct print_class classes[] = {{"def<ault>", 16750000000}};

/* Renders d with the built-in invoice.html in strict mode. Returns the page (free()). */
static char *render(const struct invoice_doc *d, const char *usage_href, int *rc)
{
    char err[ERR_BUF_LEN] = "";
    const struct assets_template *a = &assets_templates[TPL_INVOICE];
    struct template *t = template_parse(a->text, a->len, a->name, err);
    ASSERT_TRUE(t != NULL);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    *rc = t ? invoices_render(t, d, usage_href, TEMPLATE_STRICT, out, err) : -1;
    if (*rc != 0)
        printf("#   %s\n", err);
    fclose(out);
    template_free(t);
    return buf;
}

static void contains(const char *page, const char *want)
{
    if (!strstr(page, want))
        TEST_FAIL("the page has no \"%s\"", want);
}

static void test_invoice(void)
{
    struct invoice_doc d = {.inv = invoice,
                            .lines = (struct invoice_line *)lines,
                            .n_lines = 2,
                            .classes = classes,
                            .n_classes = 1};
    int rc;
    char *page = render(&d, "/usage?cycle=2025-03", &rc);
    ASSERT_EQ_INT(rc, 0);
    contains(page, "<td id=\"customer\">acc-1 \xe2\x80\x93 Eve &lt;b&gt;&quot;Co&quot;&lt;/b&gt; "
                   "&amp; ");
    contains(page, "<td>Basic&lt;i&gt;</td>");
    contains(page, "<a href=\"/usage?cycle=2025-03\">2025-03-01 \xe2\x80\x93 2025-03-31</a>");
    contains(page, "<td>2025-04-02</td>");
    contains(page, "<td id=\"used\" data-bytes=\"16750000000\">16.750 GB</td>");
    contains(page, "<td>15.000 GB</td>");
    contains(page, "<a href=\"/invoices/42.pdf\">Download Invoice 42 as PDF</a>");
    contains(page, "<tr><th scope=\"row\">def&lt;ault&gt;</th><td class=\"n\" "
                   "data-bytes=\"16750000000\">16.750 GB</td></tr>");
    contains(page, "Amount (EUR)");
    contains(page, "<tr><td>Plan Basic</td><td class=\"n\">1.000000</td><td class=\"n\">25.00</td>"
                   "<td class=\"n\">25.00</td></tr>");
    contains(page, "<tr><td>Usage &lt;default&gt; (cycle 2025-02)</td><td class=\"n\">1.750000000 "
                   "GB</td><td class=\"n\">2.00</td><td class=\"n\">3.50</td></tr>");
    contains(page, "id=\"subtotal\">28.50 EUR</td>");
    contains(page, ">Tax 8.1%</th><td class=\"n\" id=\"tax\">2.31 EUR</td>");
    contains(page, "id=\"total\" data-cents=\"3081\">30.81 EUR</td>");
    ASSERT_TRUE(!strstr(page, "<b>") && !strstr(page, "<i>") && !strstr(page, "<default>"));
    ASSERT_TRUE(!strstr(page, "Corrects") && !strstr(page, "No usage") &&
                !strstr(page, "No charges"));
    ASSERT_TRUE(!strstr(page, "style") && !strstr(page, "<script"));
    free(page);
}

static void test_note(void)
{
    struct invoice_doc d = {.inv = invoice};
    snprintf(d.inv.kind, sizeof d.inv.kind, "credit");
    d.inv.number = 3;
    d.inv.refers_to = 7;
    d.inv.subtotal_cents = d.inv.total_cents = -500;
    d.inv.tax_cents = 0;
    int rc;
    char *page = render(&d, "", &rc); /* the invoice's number not known */
    ASSERT_EQ_INT(rc, 0);
    contains(page, "<p>Corrects invoice id 7</p>");
    contains(page, "<a href=\"/invoices/C-3.pdf\">Download Credit note 3 as PDF</a>");
    contains(page, "<tr><td colspan=\"2\">No usage</td></tr>");
    contains(page, "<tr><td colspan=\"4\">No charges</td></tr>");
    contains(page, "id=\"total\" data-cents=\"-500\">-5.00 EUR</td>");
    free(page);
    d.refers_to_number = 42;
    page = render(&d, "", &rc);
    ASSERT_EQ_INT(rc, 0);
    contains(page, "<p><a href=\"/invoices/42\">Corrects invoice 42</a></p>");
    free(page);
}

static void test_refused(void)
{
    struct invoice_doc d = {.inv = invoice};
    snprintf(d.inv.kind, sizeof d.inv.kind, "receipt");
    int rc;
    free(render(&d, "", &rc));
    ASSERT_EQ_INT(rc, ERR_MALFORMED);
    d.inv = invoice;
    snprintf(d.inv.unit, sizeof d.inv.unit, "MB");
    free(render(&d, "", &rc));
    ASSERT_EQ_INT(rc, ERR_MALFORMED);
}

static void test_cycle_ok(void)
{
    static const struct {
        const char *s;
        bool ok;
    } cases[] = {
        {"2025-03", true},  {"1970-01", true},   {"9999-12", true},   {"2025-3", false},
        {"2025-13", false}, {"2025-00", false},  {"1969-12", false},  {"2025-03-01", false},
        {"2025_03", false}, {" 2025-03", false}, {"+025-03", false},  {"2025-+3", false},
        {"", false},        {"current", false},  {"2025-03 ", false},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (invoices_cycle_ok(cases[i].s) != cases[i].ok)
            TEST_FAIL("invoices_cycle_ok(\"%s\") is %d", cases[i].s, !cases[i].ok);
    ASSERT_TRUE(!invoices_cycle_ok(NULL));
}

static void test_number_of(void)
{
    struct invoice_row rows[3] = {invoice, invoice, invoice};
    rows[1].id = 8;
    rows[1].number = 2;
    snprintf(rows[1].kind, sizeof rows[1].kind, "debit");
    rows[2].id = 9;
    rows[2].number = 5;
    snprintf(rows[2].kind, sizeof rows[2].kind, "credit");
    struct invoice_docs d = {rows, 3};
    char buf[32];
    ASSERT_STREQ(invoices_number_of(&d, 7, buf), "42");
    ASSERT_STREQ(invoices_number_of(&d, 8, buf), "D-2");
    ASSERT_STREQ(invoices_number_of(&d, 9, buf), "C-5");
    ASSERT_STREQ(invoices_number_of(&d, 10, buf), "");
    ASSERT_STREQ(invoices_number_of(&d, 0, buf), "");
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    RUN(test_invoice);
    RUN(test_note);
    RUN(test_refused);
    RUN(test_cycle_ok);
    RUN(test_number_of);
    return test_done();
}
