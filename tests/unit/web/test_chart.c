// SPDX-License-Identifier: MIT
// Tests of the SVG charts: whole documents for small inputs with their geometry worked out
// by hand, the y axis' scale, the thinning of x labels, hostile text, the gauge's cases, and
// a well-formedness check (written here, in C) of everything the tests draw.
#include "../../../src/web/chart.h"
#include "test.h"

#include <ctype.h>
#include <stdlib.h>

/* ---- Capturing and checking output ---------------------------------------------------- */

static char *bars(const char *id, const char *title, const char *const *labels, size_t n_bars,
                  const struct chart_series *series, size_t n_series)
{
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    chart_bars(f, id, title, labels, n_bars, series, n_series);
    fclose(f);
    return text;
}

static char *gauge(uint64_t used, uint64_t quota)
{
    char *text = NULL;
    size_t len;
    FILE *f = open_memstream(&text, &len);
    chart_gauge(f, "g", "Quota", used, quota);
    fclose(f);
    return text;
}

/* Whether s starts one of the references the charts' escaper writes. */
static bool is_reference(const char *s)
{
    static const char *const refs[] = {"&lt;", "&gt;", "&amp;", "&quot;", "&#39;"};
    for (size_t i = 0; i < sizeof refs / sizeof refs[0]; i++)
        if (strncmp(s, refs[i], strlen(refs[i])) == 0)
            return true;
    return false;
}

static bool is_name_char(char c)
{
    return isalnum((unsigned char)c) || c == '-' || c == ':';
}

/* Reads the attributes of a start tag up to its '>' or "/>"; OUT: *empty for "/>". Returns
 * the position after the tag, or NULL when an attribute is malformed. */
static const char *read_attributes(const char *s, bool *empty)
{
    for (;;) {
        while (*s == ' ')
            s++;
        if (*s == '>' || (s[0] == '/' && s[1] == '>')) {
            *empty = *s == '/';
            return s + (*empty ? 2 : 1);
        }
        const char *name = s;
        while (is_name_char(*s))
            s++;
        if (s == name || s[0] != '=' || s[1] != '"')
            return NULL;
        for (s += 2; *s != '"'; s++)
            if (*s == '\0' || *s == '<' || (*s == '&' && !is_reference(s)))
                return NULL;
        s++;
    }
}

/* A well-formedness check of what the charts write, not a general XML parser (no comments,
 * CDATA or declarations, which they never write): one root element, every tag closed in
 * order, attribute values double-quoted without '<', and every '&' a reference. Stricter
 * than XML in one way: no raw '>' in text, since the escaper writes "&gt;". Returns NULL,
 * or what is wrong. */
static const char *xml_check(const char *s)
{
    const char *open[16];
    size_t open_len[16], depth = 0;
    bool had_root = false;
    while (*s) {
        if (*s != '<') {
            if (*s == '>' || (*s == '&' && !is_reference(s)))
                return "a raw '>' or '&' in text";
            if (depth == 0 && !isspace((unsigned char)*s))
                return "text outside the root";
            s++;
            continue;
        }
        bool closing = *++s == '/';
        s += closing;
        const char *name = s;
        while (is_name_char(*s))
            s++;
        size_t len = (size_t)(s - name);
        if (len == 0)
            return "a tag without a name";
        if (closing) {
            if (depth == 0 || open_len[depth - 1] != len || strncmp(open[depth - 1], name, len))
                return "a closing tag that does not match";
            if (*s++ != '>')
                return "a malformed closing tag";
            depth--;
            continue;
        }
        if (depth == 0 && had_root)
            return "a second root element";
        had_root = true;
        bool empty;
        if (!(s = read_attributes(s, &empty)))
            return "a malformed attribute";
        if (!empty) {
            if (depth == sizeof open / sizeof open[0])
                return "too deep";
            open[depth] = name;
            open_len[depth++] = len;
        }
    }
    return depth ? "an element left open" : had_root ? NULL : "no element";
}

#define ASSERT_WELL_FORMED(svg)                                                                    \
    do {                                                                                           \
        const char *why_ = xml_check(svg);                                                         \
        if (why_)                                                                                  \
            TEST_FAIL("%s is not well-formed: %s", #svg, why_);                                    \
    } while (0)

/* The texts of the <text> elements of the group that starts with `group`, joined by '|'. */
static void group_texts(const char *svg, const char *group, char *out, size_t size)
{
    out[0] = '\0';
    const char *p = strstr(svg, group), *end = p ? strstr(p, "</g>") : NULL;
    size_t used = 0;
    while (p && (p = strstr(p, "<text")) && p < end) {
        const char *from = strchr(p, '>') + 1, *to = strstr(from, "</text>");
        used += (size_t)snprintf(out + used, size - used, "%s%.*s", used ? "|" : "",
                                 (int)(to - from), from);
        p = to;
    }
}

/* ---- The bar chart -------------------------------------------------------------------- */

/* Three days, two series. Worked out by hand, in tenths of a unit of the 320-wide viewBox:
 *
 * Highest bar: day 3, 1.5 GB + 300 MB = 1.8 GB, so the axis goes to 2 GB in 4 steps of
 * 500 MB. The plot runs from y 8 to 128 (120 high): a step is 30, so the grid lines are at
 * 128 - 30j = 98, 68, 38, 8 and their labels 3.5 lower: 131.5 ("0 B"), 101.5 ... 11.5.
 *
 * The plot is 272 wide from x 44: a slot is 2720 / 3 = 906 tenths, the gap a fifth of it
 * (181), the bar 906 - 181 = 725 (72.5), starting half a gap (90) into its slot: day 1 at
 * 440 + 90 = 530 (53), day 3 at 440 + 2 * 906 + 90 = 2342 (234.2). Labels sit mid-slot:
 * 440 + 453 + 906i = 89.3, 179.9, 270.5.
 *
 * Heights are of running totals, 1200 tenths per 2 GB: day 1's 600 MB is 360 (y 128 - 36
 * = 92, height 36) and its 800 MB stack 480 (y 80, so Upload is 92 - 80 = 12 high); day
 * 3's 1.5 GB is 900 (y 38, height 90), its 1.8 GB 1080 (y 20, Upload 18 high). Day 2 has
 * no usage and no rects.
 *
 * Two legend rows of 14 from y 154 make the viewBox 154 + 28 = 182 high. */
static void test_bars_document(void)
{
    static const uint64_t in[] = {600000000, 0, 1500000000}, out[] = {200000000, 0, 300000000};
    static const char *const labels[] = {"1", "2", "3"};
    const struct chart_series series[] = {{"Download", "s-in", in}, {"Upload", "s-out", out}};
    char *got = bars("c1", "Usage per day", labels, 3, series, 2);
    ASSERT_STREQ(
        got,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-bars\" role=\"img\" "
        "aria-labelledby=\"c1-title c1-desc\" viewBox=\"0 0 320 182\" font-size=\"10\" "
        "fill=\"currentColor\">\n"
        "<title id=\"c1-title\">Usage per day</title>\n"
        "<desc id=\"c1-desc\">Total 2.6 GB from 1 to 3 (Download 2.1 GB, Upload 500.0 MB); "
        "highest 1.8 GB at 3.</desc>\n"
        "<line class=\"grid\" x1=\"44\" y1=\"98\" x2=\"316\" y2=\"98\" stroke=\"#888\"/>\n"
        "<line class=\"grid\" x1=\"44\" y1=\"68\" x2=\"316\" y2=\"68\" stroke=\"#888\"/>\n"
        "<line class=\"grid\" x1=\"44\" y1=\"38\" x2=\"316\" y2=\"38\" stroke=\"#888\"/>\n"
        "<line class=\"grid\" x1=\"44\" y1=\"8\" x2=\"316\" y2=\"8\" stroke=\"#888\"/>\n"
        "<g class=\"tick\" text-anchor=\"end\">\n"
        "<text x=\"40\" y=\"131.5\">0 B</text>\n"
        "<text x=\"40\" y=\"101.5\">500 MB</text>\n"
        "<text x=\"40\" y=\"71.5\">1 GB</text>\n"
        "<text x=\"40\" y=\"41.5\">1.5 GB</text>\n"
        "<text x=\"40\" y=\"11.5\">2 GB</text>\n"
        "</g>\n"
        "<g class=\"s-in\">\n"
        "<rect x=\"53\" y=\"92\" width=\"72.5\" height=\"36\"><title>1: Download 600.0 MB</title>"
        "</rect>\n"
        "<rect x=\"234.2\" y=\"38\" width=\"72.5\" height=\"90\"><title>3: Download 1.5 GB"
        "</title></rect>\n"
        "</g>\n"
        "<g class=\"s-out\">\n"
        "<rect x=\"53\" y=\"80\" width=\"72.5\" height=\"12\"><title>1: Upload 200.0 MB</title>"
        "</rect>\n"
        "<rect x=\"234.2\" y=\"20\" width=\"72.5\" height=\"18\"><title>3: Upload 300.0 MB"
        "</title></rect>\n"
        "</g>\n"
        "<g class=\"tick\" text-anchor=\"middle\">\n"
        "<text x=\"89.3\" y=\"141\">1</text>\n"
        "<text x=\"179.9\" y=\"141\">2</text>\n"
        "<text x=\"270.5\" y=\"141\">3</text>\n"
        "</g>\n"
        "<line class=\"axis\" x1=\"44\" y1=\"128\" x2=\"316\" y2=\"128\" "
        "stroke=\"currentColor\"/>\n"
        "<rect class=\"s-in\" x=\"44\" y=\"154\" width=\"10\" height=\"10\"/>\n"
        "<text class=\"legend\" x=\"58\" y=\"163\">Download</text>\n"
        "<rect class=\"s-out\" x=\"44\" y=\"168\" width=\"10\" height=\"10\"/>\n"
        "<text class=\"legend\" x=\"58\" y=\"177\">Upload</text>\n"
        "</svg>\n");
    ASSERT_WELL_FORMED(got);
    free(got);
}

/* No usage: the axis has only its "0 B", there are no grid lines and no bars. Two bars
 * of one series: slot 1360, gap 272, bars 108.8 wide from 44 + 13.6. */
static void test_bars_zero(void)
{
    static const uint64_t zero[] = {0, 0};
    static const char *const labels[] = {"1", "2"};
    const struct chart_series series[] = {{"Download", "s-in", zero}};
    char *got = bars("z", "Nothing", labels, 2, series, 1);
    ASSERT_STREQ(got, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-bars\" "
                      "role=\"img\" aria-labelledby=\"z-title z-desc\" viewBox=\"0 0 320 168\" "
                      "font-size=\"10\" fill=\"currentColor\">\n"
                      "<title id=\"z-title\">Nothing</title>\n"
                      "<desc id=\"z-desc\">Total 0 B from 1 to 2.</desc>\n"
                      "<g class=\"tick\" text-anchor=\"end\">\n"
                      "<text x=\"40\" y=\"131.5\">0 B</text>\n"
                      "</g>\n"
                      "<g class=\"s-in\">\n"
                      "</g>\n"
                      "<g class=\"tick\" text-anchor=\"middle\">\n"
                      "<text x=\"112\" y=\"141\">1</text>\n"
                      "<text x=\"248\" y=\"141\">2</text>\n"
                      "</g>\n"
                      "<line class=\"axis\" x1=\"44\" y1=\"128\" x2=\"316\" y2=\"128\" "
                      "stroke=\"currentColor\"/>\n"
                      "<rect class=\"s-in\" x=\"44\" y=\"154\" width=\"10\" height=\"10\"/>\n"
                      "<text class=\"legend\" x=\"58\" y=\"163\">Download</text>\n"
                      "</svg>\n");
    ASSERT_WELL_FORMED(got);
    free(got);

    got = bars("none", "No bars", NULL, 0, NULL, 0);
    ASSERT_TRUE(strstr(got, "<desc id=\"none-desc\">No data.</desc>") != NULL);
    ASSERT_TRUE(strstr(got, "viewBox=\"0 0 320 154\"") != NULL);
    ASSERT_TRUE(strstr(got, "text-anchor=\"middle\"") == NULL);
    ASSERT_WELL_FORMED(got);
    free(got);
}

/* The axis top and steps, and the labels one bar of that height gets. */
static void test_axis_scale(void)
{
    static const struct {
        uint64_t max, top;
        unsigned n_steps;
        const char *labels;
    } cases[] = {
        {0, 0, 0, "0 B"},
        {1, 5, 5, "0 B|1 B|2 B|3 B|4 B|5 B"},
        {5, 5, 5, "0 B|1 B|2 B|3 B|4 B|5 B"},
        {6, 10, 5, "0 B|2 B|4 B|6 B|8 B|10 B"},
        {11, 20, 4, "0 B|5 B|10 B|15 B|20 B"},
        {21, 25, 5, "0 B|5 B|10 B|15 B|20 B|25 B"},
        {999, 1000, 5, "0 B|200 B|400 B|600 B|800 B|1 kB"},
        {1000, 1000, 5, "0 B|200 B|400 B|600 B|800 B|1 kB"},
        {1001, 2000, 4, "0 B|500 B|1 kB|1.5 kB|2 kB"},
        {2400000000ULL, 2500000000ULL, 5, "0 B|500 MB|1 GB|1.5 GB|2 GB|2.5 GB"},
        {7000000000000ULL, 10000000000000ULL, 5, "0 B|2 TB|4 TB|6 TB|8 TB|10 TB"},
        {40000000000000000ULL, 50000000000000000ULL, 5, "0 B|10 PB|20 PB|30 PB|40 PB|50 PB"},
        {UINT64_MAX, 10000000000000000000ULL, 5, "0 B|2 EB|4 EB|6 EB|8 EB|10 EB"},
    };
    static const char *const labels[] = {"1"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned n_steps = 99;
        ASSERT_EQ_U64(chart_axis_top(cases[i].max, &n_steps), cases[i].top);
        ASSERT_EQ_INT(n_steps, cases[i].n_steps);

        const uint64_t values[] = {cases[i].max};
        const struct chart_series series[] = {{"Download", "s-in", values}};
        char *got = bars("a", "Axis", labels, 1, series, 1);
        char texts[256];
        group_texts(got, "<g class=\"tick\" text-anchor=\"end\">", texts, sizeof texts);
        ASSERT_STREQ(texts, cases[i].labels);
        ASSERT_WELL_FORMED(got);
        free(got);
    }
}

/* A bar past 10^19 (two series of UINT64_MAX: their sum saturates) is cut at the top. */
static void test_bars_huge(void)
{
    static const uint64_t big[] = {UINT64_MAX, 1};
    static const char *const labels[] = {"1", "2"};
    const struct chart_series series[] = {{"Download", "s-in", big}, {"Upload", "s-out", big}};
    char *got = bars("h", "Huge", labels, 2, series, 2);
    ASSERT_TRUE(strstr(got, "<desc id=\"h-desc\">Total 18.4 EB from 1 to 2 (Download 18.4 EB, "
                            "Upload 18.4 EB); highest 18.4 EB at 1.</desc>") != NULL);
    /* Download alone passes the top: full height; Upload then adds nothing. */
    ASSERT_TRUE(strstr(got, "<rect x=\"57.6\" y=\"8\" width=\"108.8\" height=\"120\"><title>1: "
                            "Download 18.4 EB</title></rect>") != NULL);
    ASSERT_TRUE(strstr(got, "<rect x=\"57.6\" y=\"8\" width=\"108.8\" height=\"0\"><title>1: "
                            "Upload 18.4 EB</title></rect>") != NULL);
    ASSERT_WELL_FORMED(got);
    free(got);
}

/* Labels are thinned to every k-th bar, k the least of 1, 2, 3, 4, 6, 8, 12... that gives
 * the longest label 6 units a character and 4 between. */
static void test_label_thinning(void)
{
    char labels[48][8];
    const char *ptrs[48];
    uint64_t values[48];
    char texts[512];
    for (size_t i = 0; i < 48; i++) {
        values[i] = 1000 * (i + 1);
        ptrs[i] = labels[i];
    }
    const struct chart_series series[] = {{"Download", "s-in", values}};

    /* 31 days: slot 2720 / 31 = 87 tenths; two digits need 2 * 60 + 40 = 160, 2 slots. */
    for (size_t i = 0; i < 31; i++)
        snprintf(labels[i], sizeof labels[i], "%zu", i + 1);
    char *got = bars("d", "Days", ptrs, 31, series, 1);
    group_texts(got, "<g class=\"tick\" text-anchor=\"middle\">", texts, sizeof texts);
    ASSERT_STREQ(texts, "1|3|5|7|9|11|13|15|17|19|21|23|25|27|29|31");
    ASSERT_WELL_FORMED(got);
    free(got);

    /* 48 hours from 14:00: slot 2720 / 48 = 56; "14" needs 160, 3 slots (168). */
    for (size_t i = 0; i < 48; i++)
        snprintf(labels[i], sizeof labels[i], "%02zu", (i + 14) % 24);
    got = bars("h", "Hours", ptrs, 48, series, 1);
    group_texts(got, "<g class=\"tick\" text-anchor=\"middle\">", texts, sizeof texts);
    ASSERT_STREQ(texts, "14|17|20|23|02|05|08|11|14|17|20|23|02|05|08|11");
    ASSERT_WELL_FORMED(got);
    free(got);

    /* "14:00" needs 5 * 60 + 40 = 340: 6 slots are 336, so every 8th. */
    for (size_t i = 0; i < 48; i++)
        snprintf(labels[i], sizeof labels[i], "%02zu:00", (i + 14) % 24);
    got = bars("h", "Hours", ptrs, 48, series, 1);
    group_texts(got, "<g class=\"tick\" text-anchor=\"middle\">", texts, sizeof texts);
    ASSERT_STREQ(texts, "14:00|22:00|06:00|14:00|22:00|06:00");
    free(got);

    /* Few bars: every label. */
    got = bars("d", "Days", ptrs, 3, series, 1);
    group_texts(got, "<g class=\"tick\" text-anchor=\"middle\">", texts, sizeof texts);
    ASSERT_STREQ(texts, "14:00|15:00|16:00");
    free(got);
}

/* Text from outside (a title, a label, a class name an operator typed) cannot leave its
 * element or attribute, and bytes that are not text become U+FFFD. */
static void test_bars_hostile(void)
{
    static const uint64_t v[] = {5, 0};
    static const char *const labels[] = {"1&2", "</text><script>"};
    const struct chart_series series[] = {
        {"\"><script>alert('x')</script>", "s-in\" onmouseover=\"alert(1)", v},
        {"Caf\xc3\xa9\x01\xff\xef\xbf\xbe", "s-out", v},
    };
    char *got = bars("x-1", "<script>alert(\"t\")</script> & co", labels, 2, series, 2);
    ASSERT_TRUE(strstr(got, "<script") == NULL);
    ASSERT_TRUE(strstr(got, "onmouseover=\"") == NULL);
    ASSERT_TRUE(strstr(got, "<title id=\"x-1-title\">&lt;script&gt;alert(&quot;t&quot;)&lt;"
                            "/script&gt; &amp; co</title>") != NULL);
    ASSERT_TRUE(strstr(got, "<g class=\"s-in&quot; onmouseover=&quot;alert(1)\">") != NULL);
    ASSERT_TRUE(strstr(got, "<rect class=\"s-in&quot; onmouseover=&quot;alert(1)\"") != NULL);
    ASSERT_TRUE(strstr(got, "<title>1&amp;2: &quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;"
                            "/script&gt; 5 B</title>") != NULL);
    ASSERT_TRUE(strstr(got, "<text x=\"248\" y=\"141\">&lt;/text&gt;&lt;script&gt;</text>") !=
                NULL);
    /* U+0001, the byte 0xff and U+FFFE: three U+FFFD. */
    ASSERT_TRUE(strstr(got, ">Caf\xc3\xa9\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd</text>") != NULL);
    ASSERT_WELL_FORMED(got);
    free(got);
}

/* The checker itself refuses what it should. */
static void test_xml_check(void)
{
    ASSERT_TRUE(xml_check("<a x=\"1\"><b/>t &amp; u</a>\n") == NULL);
    ASSERT_TRUE(xml_check("<a><b></a></b>") != NULL);
    ASSERT_TRUE(xml_check("<a>x & y</a>") != NULL);
    ASSERT_TRUE(xml_check("<a>x > y</a>") != NULL);
    ASSERT_TRUE(xml_check("<a x=\"<\"/>") != NULL);
    ASSERT_TRUE(xml_check("<a x=1/>") != NULL);
    ASSERT_TRUE(xml_check("<a/><b/>") != NULL);
    ASSERT_TRUE(xml_check("<a>") != NULL);
    ASSERT_TRUE(xml_check("") != NULL);
}

/* ---- The gauge ------------------------------------------------------------------------ */

/* 12.45 GB of 15 GB is exactly 83%. The track is 318 wide from x 1 (inset by half its
 * outline); the fill 3180 * 12.45 / 15 = 2639.4 tenths, truncated: 263.9. */
static void test_gauge_document(void)
{
    char *got = gauge(12450000000ULL, 15000000000ULL);
    ASSERT_STREQ(got,
                 "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-gauge\" "
                 "role=\"img\" aria-labelledby=\"g-title g-desc\" viewBox=\"0 0 320 44\" "
                 "font-size=\"12\" fill=\"currentColor\">\n"
                 "<title id=\"g-title\">Quota</title>\n"
                 "<desc id=\"g-desc\">Used 12.4 GB of 15.0 GB (83%).</desc>\n"
                 "<rect class=\"gauge-track\" x=\"1\" y=\"1\" width=\"318\" height=\"24\" "
                 "fill=\"none\" stroke=\"currentColor\"/>\n"
                 "<rect class=\"gauge-fill\" x=\"1\" y=\"1\" width=\"263.9\" height=\"24\"/>\n"
                 "<text class=\"gauge-text\" x=\"1\" y=\"40\">12.4 GB of 15.0 GB</text>\n"
                 "<text class=\"gauge-pct\" x=\"319\" y=\"40\" text-anchor=\"end\">83%</text>\n"
                 "</svg>\n");
    ASSERT_WELL_FORMED(got);
    free(got);
}

/* 22.5 GB of 15 GB: 150%, the fill stops at the track's end, marked over. */
static void test_gauge_over(void)
{
    char *got = gauge(22500000000ULL, 15000000000ULL);
    ASSERT_STREQ(got, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-gauge\" "
                      "role=\"img\" aria-labelledby=\"g-title g-desc\" viewBox=\"0 0 320 44\" "
                      "font-size=\"12\" fill=\"currentColor\">\n"
                      "<title id=\"g-title\">Quota</title>\n"
                      "<desc id=\"g-desc\">Used 22.5 GB of 15.0 GB (150%), 7.5 GB over the "
                      "quota.</desc>\n"
                      "<rect class=\"gauge-track\" x=\"1\" y=\"1\" width=\"318\" height=\"24\" "
                      "fill=\"none\" stroke=\"currentColor\"/>\n"
                      "<rect class=\"gauge-fill over\" x=\"1\" y=\"1\" width=\"318\" "
                      "height=\"24\"/>\n"
                      "<text class=\"gauge-text\" x=\"1\" y=\"40\">22.5 GB of 15.0 GB</text>\n"
                      "<text class=\"gauge-pct over\" x=\"319\" y=\"40\" "
                      "text-anchor=\"end\">150%</text>\n"
                      "</svg>\n");
    ASSERT_WELL_FORMED(got);
    free(got);
}

/* Unlimited: no track, the amount used and "unlimited", a row of text 20 high. */
static void test_gauge_unlimited(void)
{
    char *got = gauge(12450000000ULL, 0);
    ASSERT_STREQ(got, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart chart-gauge\" "
                      "role=\"img\" aria-labelledby=\"g-title g-desc\" viewBox=\"0 0 320 20\" "
                      "font-size=\"12\" fill=\"currentColor\">\n"
                      "<title id=\"g-title\">Quota</title>\n"
                      "<desc id=\"g-desc\">12.4 GB used, unlimited.</desc>\n"
                      "<text class=\"gauge-text\" x=\"1\" y=\"15\">12.4 GB used</text>\n"
                      "<text class=\"gauge-pct\" x=\"319\" y=\"15\" "
                      "text-anchor=\"end\">unlimited</text>\n"
                      "</svg>\n");
    ASSERT_WELL_FORMED(got);
    free(got);
}

/* The edges: nothing used, a byte short of the quota (truncated to 99%, the fill a tenth
 * short), the quota exactly (100%, not over), one byte over, and amounts past 2^64 / 100. */
static void test_gauge_edges(void)
{
    static const struct {
        uint64_t used, quota;
        const char *fill, *pct, *desc;
    } cases[] = {
        {0, 15000000000ULL, "<rect class=\"gauge-fill\" x=\"1\" y=\"1\" width=\"0\"", ">0%</text>",
         ">Used 0 B of 15.0 GB (0%).</desc>"},
        {14999999999ULL, 15000000000ULL,
         "<rect class=\"gauge-fill\" x=\"1\" y=\"1\" width=\"317.9\"", ">99%</text>",
         ">Used 14.9 GB of 15.0 GB (99%).</desc>"},
        {15000000000ULL, 15000000000ULL, "<rect class=\"gauge-fill\" x=\"1\" y=\"1\" width=\"318\"",
         "<text class=\"gauge-pct\" x=\"319\" y=\"40\" text-anchor=\"end\">100%</text>",
         ">Used 15.0 GB of 15.0 GB (100%).</desc>"},
        {15000000001ULL, 15000000000ULL,
         "<rect class=\"gauge-fill over\" x=\"1\" y=\"1\" width=\"318\"", "over\" x=\"319\"",
         ">Used 15.0 GB of 15.0 GB (100%), 1 B over the quota.</desc>"},
        {UINT64_MAX, UINT64_MAX / 2,
         "<rect class=\"gauge-fill over\" x=\"1\" y=\"1\" width=\"318\"", ">200%</text>",
         ">Used 18.4 EB of 9.2 EB (200%), 9.2 EB over the quota.</desc>"},
        {UINT64_MAX, 1, "width=\"318\"", ">18446744073709551615%</text>",
         "(18446744073709551615%)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = gauge(cases[i].used, cases[i].quota);
        if (!strstr(got, cases[i].fill) || !strstr(got, cases[i].pct) ||
            !strstr(got, cases[i].desc))
            TEST_FAIL("case %zu: got\n%s", i, got);
        ASSERT_WELL_FORMED(got);
        free(got);
    }
}

int main(void)
{
    RUN(test_xml_check);
    RUN(test_bars_document);
    RUN(test_bars_zero);
    RUN(test_axis_scale);
    RUN(test_bars_huge);
    RUN(test_label_thinning);
    RUN(test_bars_hostile);
    RUN(test_gauge_document);
    RUN(test_gauge_over);
    RUN(test_gauge_unlimited);
    RUN(test_gauge_edges);
    return test_done();
}
