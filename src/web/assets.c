// SPDX-License-Identifier: MIT
// The built-in assets: the style sheet, the logo and the page templates, compiled into the
// binary so a portal needs no files installed. An operator brands the portal with keys
// (operator_name, web_accent, web_logo) or replaces templates with files of the same name
// in the web_templates directory (page.c loads them).
#include "assets.h"

#include "page.h"

/* The accent colour is appended as a custom property (page.c); everything else uses it.
 * Layout: one column on a phone, the content no wider than a page of text elsewhere. */
const char assets_style[] =
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "color:#1b1b1b;background:#f7f7f8}\n"
    "a{color:var(--accent)}\n"
    ".skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;"
    "padding:4px}\n"
    "header{background:var(--accent);color:#fff;padding:8px 16px;display:flex;flex-wrap:wrap;"
    "align-items:center;gap:8px 24px}\n"
    "header a{color:#fff;text-decoration:none}\n"
    ".brand{font-weight:600;font-size:1.1em;display:flex;align-items:center;gap:8px}\n"
    "nav ul{list-style:none;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px;"
    "align-items:center}\n"
    "nav a{display:inline-block;padding:8px 0}\n"
    "nav button{margin-top:0;background:none;border:1px solid #fff;color:#fff;border-radius:4px;"
    "padding:2px 10px;font:inherit;cursor:pointer}\n"
    ".demo{background:#ffd54f;color:#000;padding:2px 8px;border-radius:4px;margin:0}\n"
    "main{max-width:960px;margin:0 auto;padding:16px}\n"
    "h1{font-size:1.5em;margin:8px 0 16px}h2{font-size:1.2em;margin:24px 0 8px}\n"
    "section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;"
    "margin:0 0 16px}\n"
    "table{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}\n"
    "th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e4e4}\n"
    "td.n,th.n{text-align:right}\n"
    ".scroll{overflow-x:auto}\n"
    ".figures{display:flex;flex-wrap:wrap;gap:8px 32px;margin:8px 0;padding:0;list-style:none}\n"
    ".figures strong{display:block;font-size:1.3em}\n"
    "form.inline{display:inline}\n"
    ".prompt{border:2px solid var(--accent)}\n"
    "label{display:block;margin:8px 0 2px}\n"
    "input[type=text],input[type=password],input[type=email]{font:inherit;padding:6px;"
    "width:100%;max-width:24em;border:1px solid #888;border-radius:4px}\n"
    "button{font:inherit;padding:6px 16px;margin-top:12px;border-radius:4px;"
    "border:1px solid var(--accent);background:var(--accent);color:#fff;cursor:pointer}\n"
    ".error{color:#b00020;font-weight:600}.ok{color:#1b5e20;font-weight:600}\n"
    "details{margin:8px 0}\n"
    /* a bill: the facts' labels narrow, the sums right under the amounts */
    ".facts th{width:30%;font-weight:400}\n"
    ".note{color:#555;font-size:.9em}\n"
    "tfoot th{text-align:right;font-weight:400}\n"
    "tr.total th,tr.total td{font-weight:700;border-top:2px solid currentColor}\n"
    "figure{margin:0}\n"
    /* the charts are drawn 320 units wide for a phone: wider, their text would grow past
     * the page's */
    "svg.chart{width:100%;max-width:480px;height:auto;display:block}\n"
    ".axis,.tick{fill:#444}.grid{stroke:#ddd}\n"
    ".legend{font-size:12px;fill:#222}\n"
    ".s-in{fill:var(--accent)}.s-out{fill:#f29900}\n"
    ".s-0{fill:var(--accent)}.s-1{fill:#f29900}.s-2{fill:#2e7d32}.s-3{fill:#8e24aa}"
    ".s-4{fill:#00838f}.s-5{fill:#6d4c41}.s-6{fill:#c62828}.s-7{fill:#546e7a}\n"
    ".gauge-track{fill:#e4e4e4}.gauge-fill{fill:var(--accent)}.over .gauge-fill,"
    ".gauge-fill.over{fill:#b00020}\n"
    ".gauge-text,.gauge-pct{font-size:14px;fill:#1b1b1b}\n"
    "@media (prefers-color-scheme:dark){body{background:#121212;color:#eee}"
    "main a{color:#8ab4f8}.s-in,.s-0,.gauge-fill{fill:#8ab4f8}"
    "section{background:#1e1e1e;border-color:#333}th,td{border-color:#333}.note{color:#bbb}"
    ".axis,.tick,.legend,.gauge-text,.gauge-pct{fill:#ddd}.grid{stroke:#333}"
    ".gauge-track{fill:#333}}\n";

/* A plain mark: a bar chart in a rounded square. */
const char assets_logo_svg[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\" width=\"32\" height=\"32\">"
    "<rect width=\"32\" height=\"32\" rx=\"6\" fill=\"#fff\"/>"
    "<rect x=\"6\" y=\"16\" width=\"5\" height=\"10\" fill=\"#0b5394\"/>"
    "<rect x=\"13.5\" y=\"10\" width=\"5\" height=\"16\" fill=\"#0b5394\"/>"
    "<rect x=\"21\" y=\"6\" width=\"5\" height=\"20\" fill=\"#f29900\"/></svg>\n";

/* The page around every route's content. */
static const char layout_html[] =
    "<!doctype html>\n"
    "<html lang=\"en\">\n"
    "<head>\n"
    "<meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>{{title}} - {{operator}}</title>\n"
    "<link rel=\"stylesheet\" href=\"/assets/style.css\">\n"
    "<link rel=\"icon\" href=\"/assets/logo\">\n"
    "</head>\n"
    "<body>\n"
    "<a class=\"skip\" href=\"#main\">Skip to content</a>\n"
    "<header>\n"
    "<a class=\"brand\" href=\"/\"><img src=\"/assets/logo\" alt=\"\" width=\"32\" "
    "height=\"32\">{{operator}}</a>\n"
    "{{#demo}}<p class=\"demo\">Demo data: nothing here is real</p>{{/demo}}\n"
    "{{#logged_in}}\n"
    "<nav aria-label=\"Main\"><ul>\n"
    "{{#customer}}<li><a href=\"/\">This cycle</a></li><li><a href=\"/cycles\">Past "
    "cycles</a></li><li><a href=\"/devices\">Devices</a></li>{{/customer}}\n"
    "{{#staff}}<li><a href=\"/staff\">Subscribers</a></li><li><a "
    "href=\"/staff/invoices\">Bills</a></li><li><a "
    "href=\"/staff/unassigned\">Unassigned</a></li><li><a "
    "href=\"/staff/exporters\">Exporters</a></li>{{/staff}}\n"
    "<li><a href=\"/password\">Password</a></li>\n"
    "<li><form class=\"inline\" method=\"post\" action=\"/logout\"><input type=\"hidden\" "
    "name=\"csrf\" value=\"{{csrf}}\"><button>Log out {{login}}</button></form></li>\n"
    "</ul></nav>\n"
    "{{/logged_in}}\n"
    "</header>\n"
    "<main id=\"main\">\n"
    "<h1>{{title}}</h1>\n"
    "{{&content}}"
    "</main>\n"
    "</body>\n"
    "</html>\n";

/* The login form (content of the layout). */
static const char login_html[] =
    "{{#notice}}<p class=\"ok\" role=\"status\">{{notice}}</p>{{/notice}}\n"
    "{{#message}}<p class=\"error\" role=\"alert\">{{message}}</p>{{/message}}\n"
    "<section>\n"
    "<form method=\"post\" action=\"/login\">\n"
    "<input type=\"hidden\" name=\"csrf\" value=\"{{csrf}}\">\n"
    "<label for=\"username\">Email address or user name</label>\n"
    "<input type=\"text\" id=\"username\" name=\"username\" autocomplete=\"username\" "
    "value=\"{{username}}\" required autofocus>\n"
    "<label for=\"password\">Password</label>\n"
    "<input type=\"password\" id=\"password\" name=\"password\" "
    "autocomplete=\"current-password\" required>\n"
    "<button>Log in</button>\n"
    "</form>\n"
    "<p>Use the password of your mailbox.</p>\n"
    "{{#reset}}<p><a href=\"/reset\">Forgot your password?</a></p>{{/reset}}\n"
    "</section>\n";

/* One bill (content of the layout; invoices.c gives the names). Its texts are print/'s, so
 * the page says what the PDF says. */
static const char invoice_html[] =
    "{{#corrects}}<p>{{#corrects_href}}<a href=\"{{corrects_href}}\">{{corrects}}</a>"
    "{{/corrects_href}}{{^corrects_href}}{{corrects}}{{/corrects_href}}</p>{{/corrects}}\n"
    "<section>\n"
    "<table class=\"facts\">\n"
    "<tr><th scope=\"row\">Customer</th><td id=\"customer\">{{customer}}</td></tr>\n"
    "<tr><th scope=\"row\">Plan</th><td>{{plan}}</td></tr>\n"
    "<tr><th scope=\"row\">Cycle</th><td><a href=\"{{usage_href}}\">{{period}}</a></td></tr>\n"
    "<tr><th scope=\"row\">Issued</th><td>{{issued}}</td></tr>\n"
    "<tr><th scope=\"row\">Used</th><td id=\"used\" data-bytes=\"{{used_bytes}}\">{{used}}"
    "</td></tr>\n"
    "<tr><th scope=\"row\">Quota</th><td>{{quota}}</td></tr>\n"
    "</table>\n"
    "<p class=\"note\">{{unit_note}}</p>\n"
    "<p><a href=\"{{pdf}}\">Download {{title}} as PDF</a></p>\n"
    "</section>\n"
    "<section><h2>Usage per class</h2>\n"
    "<table><thead><tr><th scope=\"col\">Class</th><th scope=\"col\" class=\"n\">Used</th>"
    "</tr></thead><tbody>\n"
    "{{#classes}}<tr><th scope=\"row\">{{name}}</th><td class=\"n\" "
    "data-bytes=\"{{bytes}}\">{{used}}</td></tr>\n{{/classes}}"
    "{{^classes}}<tr><td colspan=\"2\">No usage</td></tr>\n{{/classes}}"
    "</tbody></table></section>\n"
    "<section><h2>Charges</h2>\n"
    "<table class=\"lines\"><thead><tr><th scope=\"col\">Description</th><th scope=\"col\" "
    "class=\"n\">Quantity</th><th scope=\"col\" class=\"n\">Unit price</th><th scope=\"col\" "
    "class=\"n\">Amount ({{currency}})</th></tr></thead>\n<tbody>\n"
    "{{#lines}}<tr><td>{{text}}</td><td class=\"n\">{{quantity}}</td><td "
    "class=\"n\">{{unit_price}}</td><td class=\"n\">{{amount}}</td></tr>\n{{/lines}}"
    "{{^lines}}<tr><td colspan=\"4\">No charges</td></tr>\n{{/lines}}"
    "</tbody>\n<tfoot>\n"
    "<tr><th scope=\"row\" colspan=\"3\">Subtotal</th><td class=\"n\" "
    "id=\"subtotal\">{{subtotal}}</td></tr>\n"
    "<tr><th scope=\"row\" colspan=\"3\">{{tax_label}}</th><td class=\"n\" "
    "id=\"tax\">{{tax}}</td></tr>\n"
    "<tr class=\"total\"><th scope=\"row\" colspan=\"3\">Total</th><td class=\"n\" "
    "id=\"total\" data-cents=\"{{total_cents}}\">{{total}}</td></tr>\n"
    "</tfoot></table></section>\n";

const struct assets_template assets_templates[] = {
    [TPL_LAYOUT] = {"layout.html", layout_html, sizeof layout_html - 1},
    [TPL_LOGIN] = {"login.html", login_html, sizeof login_html - 1},
    [TPL_INVOICE] = {"invoice.html", invoice_html, sizeof invoice_html - 1},
};
