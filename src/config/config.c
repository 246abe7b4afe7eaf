// SPDX-License-Identifier: MIT
// The key table (generated from keys.def), value validation, and the two readers of values:
// the config file and the command line.
#include "config.h"

#include "../base/addr.h"
#include "../base/suggest.h"
#include "../base/units.h"
#include "../base/uri.h"
#include "../base/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define CONFIG_ZONEINFO "/usr/share/zoneinfo"

enum key_type {
    KEY_INT,
    KEY_STR,
    KEY_ENDPOINTS,
    KEY_PREFIXES,
    KEY_RATES,
    KEY_POINTS,
    KEY_PATH,
    KEY_SECRETS,
    KEY_TEXT,
    KEY_LOGS,
    KEY_SECRET
};

struct key_info {
    const char *name;
    enum key_type type;
    const char *def;
    int64_t min, max;
    bool reloadable;
    const char *doc;
    size_t offset; /* of the field in struct config */
};

static const struct key_info keys[] = {
#define KEY(name, type, def, min, max, reload, doc)                                                \
    {#name, KEY_##type, def, min, max, reload, doc, offsetof(struct config, name)},
#include "keys.def"
#undef KEY
};

#define N_KEYS (sizeof keys / sizeof keys[0])

/* keys.def's group titles in their places among the keys, NULL standing for a key. */
static const char *const key_layout[] = {
#define GROUP(title) title,
#define KEY(name, type, def, min, max, reload, doc) NULL,
#include "keys.def"
#undef KEY
#undef GROUP
};

/* The title of the group that key i begins, or NULL. */
static const char *key_group_at(size_t i)
{
    size_t k = 0;
    for (size_t j = 0; j < sizeof key_layout / sizeof key_layout[0]; j++) {
        if (key_layout[j] && k == i)
            return key_layout[j];
        k += key_layout[j] == NULL;
    }
    return NULL;
}

static const struct key_info *key_find(const char *name)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(keys[i].name, name) == 0)
            return &keys[i];
    return NULL;
}

static char **str_field(struct config *cfg, const struct key_info *k)
{
    return (char **)((char *)cfg + k->offset);
}

static int64_t *int_field(struct config *cfg, const struct key_info *k)
{
    return (int64_t *)((char *)cfg + k->offset);
}

static int parse_int(const struct key_info *k, const char *v, int64_t *out)
{
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (errno || end == v || *end != '\0' || n < k->min || n > k->max)
        return ERR_CONFIG;
    *out = n;
    return 0;
}

/* Checks one list item for its type; returns false if malformed. */
static bool item_ok(enum key_type type, const char *item)
{
    struct ip_addr a;
    unsigned len;
    if (type == KEY_PREFIXES)
        return prefix_parse(item, &a, &len) == 0;
    if (type == KEY_LOGS) {
        /* FORMAT:PATH; the path may itself hold colons */
        const char *colon = strchr(item, ':');
        size_t n = colon ? (size_t)(colon - item) : 0;
        return colon && colon[1] &&
               ((n == 5 && strncmp(item, "squid", 5) == 0) ||
                (n == 5 && strncmp(item, "plain", 5) == 0) ||
                (n == 7 && strncmp(item, "mapping", 7) == 0));
    }
    if (type == KEY_SECRETS) {
        /* PREFIX=SECRET; the secret is everything after the first '=' (1..127 bytes) */
        const char *eq = strchr(item, '=');
        char prefix[ADDR_STR_LEN + 8];
        if (!eq || (size_t)(eq - item) >= sizeof prefix || strlen(eq + 1) == 0 ||
            strlen(eq + 1) > 127)
            return false;
        memcpy(prefix, item, (size_t)(eq - item));
        prefix[eq - item] = '\0';
        return prefix_parse(prefix, &a, &len) == 0;
    }
    if (type == KEY_POINTS) {
        bool has_if;
        uint32_t ifindex;
        return addr_parse_point(item, &a, &has_if, &ifindex) == 0;
    }
    if (type == KEY_RATES) {
        const char *eq = strchr(item, '=');
        char prefix[ADDR_STR_LEN + 8];
        if (!eq || (size_t)(eq - item) >= sizeof prefix)
            return false;
        memcpy(prefix, item, (size_t)(eq - item));
        prefix[eq - item] = '\0';
        char *end;
        unsigned long rate = strtoul(eq + 1, &end, 10);
        return prefix_parse(prefix, &a, &len) == 0 && eq[1] && *end == '\0' && rate >= 1 &&
               rate <= 1000000;
    }
    /* ENDPOINTS: ADDR:PORT or [ADDR]:PORT */
    const char *colon = strrchr(item, ':');
    char host[ADDR_STR_LEN + 2];
    if (!colon || (size_t)(colon - item) >= sizeof host)
        return false;
    memcpy(host, item, (size_t)(colon - item));
    host[colon - item] = '\0';
    char *h = host;
    size_t hl = strlen(h);
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h[hl - 1] = '\0';
        h++;
    }
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    return addr_parse(h, &a) == 0 && colon[1] && *end == '\0' && port <= 65535;
}

struct list_check {
    enum key_type type;
    const char *bad; /* first malformed item, or NULL */
    char bad_buf[128];
};

static void check_item(void *ctx, const char *item)
{
    struct list_check *lc = ctx;
    if (!lc->bad && !item_ok(lc->type, item)) {
        snprintf(lc->bad_buf, sizeof lc->bad_buf, "%s", item);
        lc->bad = lc->bad_buf;
    }
}

/* ---- the TEXT keys with a form of their own: each check returns NULL when the value is
 * fine, else what was expected ---- */

/* A POSIX TZ string as tzset() reads it without a zone file: a name of 3 or more letters
 * (or <+03> in angle brackets), then an offset with at least one digit, then anything of
 * a daylight-saving name, offset and rules ("CET-1CEST,M3.5.0,M10.5.0/3", "UTC0"). glibc
 * takes anything else for UTC without a word, so the shape is checked here. */
static bool is_posix_tz(const char *s)
{
    const char *p = s;
    if (*p == '<') {
        p = strchr(p, '>');
        if (!p || p - s < 4)
            return false;
        p++;
    } else {
        while (isalpha((unsigned char)*p))
            p++;
        if (p - s < 3)
            return false;
    }
    if (*p == '+' || *p == '-')
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    for (; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("<>+-:,./", *p))
            return false;
    return true;
}

/* An IANA zone: a file of the tz database (it starts with "TZif"; zone.tab and the like,
 * which sit beside the zones, do not). The name comes from the operator, but it is still
 * kept inside the database's directory. */
static bool is_zone_file(const char *name)
{
    char path[512], magic[4];
    if (name[0] == '/' || strlen(name) >= sizeof path - sizeof CONFIG_ZONEINFO - 1)
        return false;
    snprintf(path, sizeof path, "%s/%s", CONFIG_ZONEINFO, name);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    bool ok = read(fd, magic, sizeof magic) == (ssize_t)sizeof magic &&
              memcmp(magic, "TZif", sizeof magic) == 0;
    close(fd);
    return ok;
}

static const char *check_timezone(const char *v)
{
    if (strstr(v, ".."))
        return "a zone name without '..', such as Europe/Berlin";
    if (v[0] == '\0' || is_zone_file(v) || is_posix_tz(v))
        return NULL;
    return "an IANA zone name found in " CONFIG_ZONEINFO " (e.g. Europe/Berlin), a POSIX TZ "
           "string such as CET-1CEST,M3.5.0,M10.5.0/3, or nothing (the system's zone)";
}

static const char *check_currency(const char *v)
{
    for (int i = 0; i < 3; i++)
        if (v[i] < 'A' || v[i] > 'Z')
            return "an ISO 4217 code of three capital letters, e.g. EUR";
    return v[3] == '\0' ? NULL : "an ISO 4217 code of three capital letters, e.g. EUR";
}

static const char *check_tax_rate(const char *v)
{
    int64_t micro;
    if (units_parse_money(v, &micro) == 0 && micro <= 100 * UNITS_MICRO)
        return NULL;
    return "a percent from 0 to 100 with up to 6 decimals, e.g. 8.1";
}

static const char *check_billing_unit(const char *v)
{
    if (strcmp(v, "GB") == 0 || strcmp(v, "GiB") == 0)
        return NULL;
    return "GB (10^9 bytes) or GiB (2^30 bytes)";
}

static const char *check_smtp(const char *v)
{
    if (!v[0] || (strncmp(v, "smtp://", 7) == 0 && v[7]) ||
        (strncmp(v, "smtps://", 8) == 0 && v[8]))
        return NULL;
    return "smtp://HOST[:PORT] (STARTTLS when offered) or smtps://HOST[:PORT], or nothing (no "
           "mail)";
}

static const char *check_smtp_tls(const char *v)
{
    return strcmp(v, "optional") == 0 || strcmp(v, "required") == 0 ? NULL : "optional or required";
}

/* A plain address: local@domain, printable ASCII without blanks, quotes, brackets or
 * commas (a header built from it can hold nothing else). */
static const char *check_address(const char *v)
{
    const char *at = strchr(v, '@');
    bool ok = !v[0] || (at && at != v && at[1] && !strchr(at + 1, '@') && strlen(v) < 255);
    for (const char *p = v; ok && *p; p++)
        ok = *p > ' ' && *p < 127 && !strchr("\"<>(),;:[]\\", *p);
    return ok ? NULL : "a plain address such as billing@example.net, or nothing";
}

/* The portal's public address, which links in mail start with: http(s)://HOST[:PORT] and
 * perhaps a path, printable ASCII without blanks, quotes, brackets, a query or a fragment
 * (a link is this text, "/reset/" and a token; it goes into text and HTML mail as it is). */
static const char *check_web_url(const char *v)
{
    size_t scheme = strncmp(v, "https://", 8) == 0 ? 8 : strncmp(v, "http://", 7) == 0 ? 7 : 0;
    bool ok = !v[0] || (scheme && v[scheme] && v[scheme] != '/' && strlen(v) < 200);
    for (const char *p = v; ok && *p; p++)
        ok = *p > ' ' && *p < 127 && !strchr("\"'<>\\`{}|^?#", *p);
    return ok ? NULL
              : "the portal's address as people reach it, such as "
                "https://portal.example.net, or nothing";
}

static const char *check_clock_time(const char *v)
{
    int h, m, n = 0;
    if (sscanf(v, "%2d:%2d%n", &h, &m, &n) == 2 && v[n] == '\0' && n == 5 && h >= 0 && h < 24 &&
        m >= 0 && m < 60)
        return NULL;
    return "a local time HH:MM, e.g. 07:00";
}

static const struct {
    const char *key;
    const char *(*check)(const char *value);
} text_checks[] = {
    {"smtp", check_smtp},
    {"smtp_tls", check_smtp_tls},
    {"mail_from", check_address},
    {"staff_email", check_address},
    {"staff_report_at", check_clock_time},
    {"timezone", check_timezone},
    {"currency", check_currency},
    {"tax_rate", check_tax_rate},
    {"billing_unit", check_billing_unit},
    {"web_url", check_web_url},
};

/* What a TEXT key's value should have been, or NULL when it is fine (or free text). */
static const char *text_expected(const char *key, const char *value)
{
    for (size_t i = 0; i < sizeof text_checks / sizeof text_checks[0]; i++)
        if (strcmp(text_checks[i].key, key) == 0)
            return text_checks[i].check(value);
    return NULL;
}

static const char *const expected[] = {
    [KEY_INT] = "an integer",
    [KEY_STR] = "a string",
    [KEY_ENDPOINTS] = "ADDR:PORT or [ADDR]:PORT, comma-separated",
    [KEY_PREFIXES] = "IPv4/IPv6 prefixes such as 10.0.0.0/8 or fd00::/8, comma-separated",
    [KEY_RATES] = "PREFIX=N entries with N from 1 to 1000000, comma-separated",
    [KEY_POINTS] = "exporter addresses, optionally @IFINDEX, comma-separated",
    [KEY_PATH] = "a readable file",
    [KEY_SECRETS] = "PREFIX=SECRET entries (secrets of 1 to 127 bytes), comma-separated",
    [KEY_TEXT] = "text",
    [KEY_LOGS] = "FORMAT:PATH entries with FORMAT squid, plain or mapping, comma-separated",
    [KEY_SECRET] = "a secret (any text, never printed)",
};

int config_set(struct config *cfg, const char *key, const char *value, const char *where,
               char *errbuf)
{
    const struct key_info *k = key_find(key);
    if (!k) {
        struct suggest sg;
        suggest_init(&sg, key);
        for (size_t i = 0; i < N_KEYS; i++)
            suggest_add(&sg, keys[i].name);
        /* on the command line a key is an option: --local-nets for local_nets */
        bool is_option = strcmp(where, "command line") == 0;
        char typed[64], best[64];
        snprintf(typed, sizeof typed, "%s%s", is_option ? "--" : "", key);
        snprintf(best, sizeof best, "%s%s", is_option ? "--" : "",
                 suggest_best(&sg) ? suggest_best(&sg) : "");
        for (char *p = typed; is_option && *p; p++)
            *p = *p == '_' ? '-' : *p;
        for (char *p = best; is_option && *p; p++)
            *p = *p == '_' ? '-' : *p;
        if (suggest_best(&sg))
            snprintf(errbuf, ERR_BUF_LEN, "%s: unknown %s '%s' (did you mean '%s'?)", where,
                     is_option ? "option" : "key", typed, best);
        else
            snprintf(errbuf, ERR_BUF_LEN, "%s: unknown %s '%s' (see flowtally run --help)", where,
                     is_option ? "option" : "key", typed);
        return ERR_CONFIG;
    }
    if (k->type == KEY_INT) {
        if (parse_int(k, value, int_field(cfg, k)) != 0) {
            snprintf(errbuf, ERR_BUF_LEN, "%s: %s = '%s': expected an integer from %lld to %lld",
                     where, key, value, (long long)k->min, (long long)k->max);
            return ERR_CONFIG;
        }
        return 0;
    }
    if (k->type == KEY_PATH) {
        if (value[0] && access(value, R_OK) != 0) {
            snprintf(errbuf, ERR_BUF_LEN, "%s: %s = '%s': %s", where, key, value, strerror(errno));
            return ERR_CONFIG;
        }
    } else if (k->type != KEY_STR && k->type != KEY_TEXT && k->type != KEY_SECRET) {
        struct list_check lc = {.type = k->type};
        config_list_each(value, check_item, &lc);
        if (lc.bad) {
            const char *eq = k->type == KEY_SECRETS ? strchr(lc.bad, '=') : NULL;
            /* never echo what may be a secret: show an item only up to its '=' */
            snprintf(errbuf, ERR_BUF_LEN, "%s: %s: bad item '%.*s%s': expected %s", where, key,
                     eq ? (int)(eq - lc.bad) : (int)strlen(lc.bad), lc.bad, eq ? "=..." : "",
                     expected[k->type]);
            return ERR_CONFIG;
        }
    } else if (k->type == KEY_STR && value[0] == '\0') {
        snprintf(errbuf, ERR_BUF_LEN, "%s: %s: expected a non-empty value", where, key);
        return ERR_CONFIG;
    } else if (k->type == KEY_TEXT) {
        const char *want = text_expected(key, value);
        if (want) {
            snprintf(errbuf, ERR_BUF_LEN, "%s: %s = '%s': expected %s", where, key, value, want);
            return ERR_CONFIG;
        }
    }
    char **field = str_field(cfg, k);
    free(*field);
    *field = xstrdup(value);
    return 0;
}

void config_init(struct config *cfg)
{
    char errbuf[ERR_BUF_LEN];
    *cfg = (struct config){0};
    for (size_t i = 0; i < N_KEYS; i++)
        if (config_set(cfg, keys[i].name, keys[i].def, "default", errbuf) != 0)
            abort(); /* a default that does not validate is a bug in keys.def */
}

void config_deinit(struct config *cfg)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (keys[i].type != KEY_INT)
            free(*str_field(cfg, &keys[i]));
    free(cfg->file);
    *cfg = (struct config){0};
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *end = s + strlen(s);
    while (end > s && isspace((unsigned char)end[-1]))
        *--end = '\0';
    return s;
}

/* A comment starts at a '#' that begins the line or follows a blank, except that a value may
 * begin with one: `web_accent = #0b5394  # brand` keeps the colour, and a password holding
 * a '#' keeps it whole. */
static void strip_comment(char *line)
{
    char *s = line + strspn(line, " \t");
    if (*s == '#') {
        *s = '\0';
        return;
    }
    char *eq = strchr(s, '=');
    char *p = eq ? eq + 1 + strspn(eq + 1, " \t") : s;
    if (*p == '#')
        p++;
    for (; (p = strchr(p, '#')) != NULL; p++)
        if (p[-1] == ' ' || p[-1] == '\t') {
            *p = '\0';
            return;
        }
}

int config_load_file(struct config *cfg, const char *path, char *errbuf)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: %s", path, strerror(errno));
        return -errno;
    }
    char line[4096], where[256];
    int rc = 0;
    for (unsigned lineno = 1; rc == 0 && fgets(line, sizeof line, f); lineno++) {
        snprintf(where, sizeof where, "%s:%u", path, lineno);
        if (!strchr(line, '\n') && !feof(f)) {
            snprintf(errbuf, ERR_BUF_LEN, "%s: line longer than %zu bytes", where, sizeof line);
            rc = ERR_CONFIG;
            break;
        }
        strip_comment(line);
        char *s = trim(line);
        if (*s == '\0')
            continue;
        char *eq = strchr(s, '=');
        if (!eq) {
            snprintf(errbuf, ERR_BUF_LEN, "%s: expected 'key = value', got '%s'", where, s);
            rc = ERR_CONFIG;
            break;
        }
        *eq = '\0';
        rc = config_set(cfg, trim(s), trim(eq + 1), where, errbuf);
    }
    fclose(f);
    if (rc == 0) {
        free(cfg->file);
        cfg->file = xstrdup(path);
    }
    return rc;
}

/* "--local-nets" -> "local_nets" */
static void option_to_key(const char *opt, char *key, size_t size)
{
    size_t i = 0;
    for (; opt[i] && opt[i] != '=' && i + 1 < size; i++)
        key[i] = opt[i] == '-' ? '_' : opt[i];
    key[i] = '\0';
}

int config_from_args(struct config *cfg, int argc, char **argv, char *errbuf)
{
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc) {
                snprintf(errbuf, ERR_BUF_LEN, "command line: %s needs a file", argv[i]);
                return ERR_CONFIG;
            }
            int rc = config_load_file(cfg, argv[++i], errbuf);
            if (rc != 0)
                return rc;
        }
    }
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-c") == 0 || strcmp(a, "--config") == 0) {
            i++;
            continue;
        }
        if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            cfg->verbosity++;
            continue;
        }
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            snprintf(errbuf, ERR_BUF_LEN, "command line: unexpected argument '%s'", a);
            return ERR_CONFIG;
        }
        char key[64];
        option_to_key(a + 2, key, sizeof key);
        const char *eq = strchr(a, '=');
        const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[++i] : NULL);
        if (!value && !key_find(key)) /* an unknown option first, as what was meant */
            return config_set(cfg, key, "", "command line", errbuf);
        if (!value) {
            snprintf(errbuf, ERR_BUF_LEN, "command line: %s needs a value", a);
            return ERR_CONFIG;
        }
        int rc = config_set(cfg, key, value, "command line", errbuf);
        if (rc != 0)
            return rc;
    }
    return config_validate(cfg, errbuf);
}

int config_validate(const struct config *cfg, char *errbuf)
{
    if (86400 % cfg->bucket != 0) {
        snprintf(errbuf, ERR_BUF_LEN,
                 "bucket = %lld: must divide a day (86400 s), e.g. 300, "
                 "600, 900, 3600",
                 (long long)cfg->bucket);
        return ERR_CONFIG;
    }
    return 0;
}

int config_apply_timezone(const struct config *cfg, char *errbuf)
{
    /* With TZ unset, glibc stats /etc/localtime again on every mktime(), which the cycles
     * and the portal's charts call per request; named, the zone is read once. (A change of
     * the system's zone then takes a restart, as a change of `timezone` does.) */
    if (!cfg->timezone[0] && !getenv("TZ") && access("/etc/localtime", R_OK) == 0) {
        setenv("TZ", ":/etc/localtime", 0);
        tzset();
    }
    if (!cfg->timezone[0])
        return 0;
    if (setenv("TZ", cfg->timezone, 1) != 0) {
        int rc = -errno;
        snprintf(errbuf, ERR_BUF_LEN, "timezone = '%s': %s", cfg->timezone, strerror(errno));
        return rc;
    }
    tzset();
    return 0;
}

int config_tax_rate_micro(const struct config *cfg, int64_t *out)
{
    /* validated when set: this fails only on a config that config_set() never saw */
    int64_t micro;
    if (check_tax_rate(cfg->tax_rate) || units_parse_money(cfg->tax_rate, &micro) != 0)
        return ERR_CONFIG;
    *out = micro;
    return 0;
}

uint64_t config_billing_unit_bytes(const struct config *cfg)
{
    return strcmp(cfg->billing_unit, "GiB") == 0 ? (uint64_t)1 << 30 : 1000000000ULL;
}

void config_take_reloadable(struct config *dst, struct config *src)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        const struct key_info *k = &keys[i];
        if (!k->reloadable)
            continue;
        if (k->type == KEY_INT) {
            *int_field(dst, k) = *int_field(src, k);
            continue;
        }
        free(*str_field(dst, k));
        *str_field(dst, k) = *str_field(src, k);
        *str_field(src, k) = NULL;
    }
}

static void print_masked(void *ctx, const char *item)
{
    FILE *out = ctx;
    const char *eq = strchr(item, '=');
    fprintf(out, "%.*s=********,", (int)(eq ? eq - item : 0), item);
}

/* Secrets stay out of dumps and logs: only the client prefixes are shown. */
static void dump_secrets(FILE *out, const char *name, const char *list)
{
    fprintf(out, "%s = ", name);
    config_list_each(list, print_masked, out);
    fprintf(out, "\n");
}

void config_dump(const struct config *cfg, FILE *out)
{
    fprintf(out, "# flowtally configuration: `flowtally run --check-config` prints the effective\n"
                 "# one. Every key can also be given as --key value; the command line wins.\n"
                 "# Keys marked (reloaded on SIGHUP) change in a running daemon on SIGHUP; the\n"
                 "# others at the next start. See flowtally.conf(5).\n");
    for (size_t i = 0; i < N_KEYS; i++) {
        const struct key_info *k = &keys[i];
        if (key_group_at(i))
            fprintf(out, "\n# --- %s ---\n\n", key_group_at(i));
        fprintf(out, "# %s%s\n", k->doc, k->reloadable ? " (reloaded on SIGHUP)" : "");
        if (k->type == KEY_INT)
            fprintf(out, "%s = %lld\n", k->name, (long long)*int_field((struct config *)cfg, k));
        else if (k->type == KEY_SECRETS)
            dump_secrets(out, k->name, *str_field((struct config *)cfg, k));
        else if (k->type == KEY_SECRET) /* shown set or not, never what it is */
            fprintf(out, "%s = %s\n", k->name,
                    (*str_field((struct config *)cfg, k))[0] ? "********" : "");
        else {
            /* a PostgreSQL --db may carry a password */
            char shown[4096];
            uri_mask_password(*str_field((struct config *)cfg, k), shown, sizeof shown);
            fprintf(out, "%s = %s\n", k->name, shown);
        }
    }
}

void config_print_keys(FILE *out)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        char opt[64];
        size_t j = 0;
        for (; keys[i].name[j] && j + 1 < sizeof opt; j++)
            opt[j] = keys[i].name[j] == '_' ? '-' : keys[i].name[j];
        opt[j] = '\0';
        if (key_group_at(i))
            fprintf(out, "%s%s:\n", i ? "\n" : "", key_group_at(i));
        fprintf(out, "  --%-15s %s\n  %17s (default: %s)\n", opt, keys[i].doc, "",
                keys[i].def[0] ? keys[i].def : "empty");
    }
}

void config_list_each(const char *list, void (*fn)(void *ctx, const char *item), void *ctx)
{
    const char *p = list;
    while (*p) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char item[256];
        if (n >= sizeof item)
            n = sizeof item - 1;
        memcpy(item, p, n);
        item[n] = '\0';
        char *t = trim(item);
        if (*t)
            fn(ctx, t);
        p += comma ? (size_t)(comma - p) + 1 : strlen(p);
    }
}

struct trie_build {
    struct prefix_trie *trie;
    uint32_t index;
    bool rates;
};

static void add_prefix(void *ctx, const char *item)
{
    struct trie_build *tb = ctx;
    char prefix[ADDR_STR_LEN + 8];
    uint32_t value = tb->index++;
    snprintf(prefix, sizeof prefix, "%s", item);
    if (tb->rates) {
        char *eq = strchr(prefix, '=');
        value = (uint32_t)strtoul(strchr(item, '=') + 1, NULL, 10);
        if (eq)
            *eq = '\0';
    }
    struct ip_addr a;
    unsigned len;
    if (prefix_parse(prefix, &a, &len) == 0) {
        if (!tb->trie)
            tb->trie = prefix_trie_new();
        prefix_trie_insert(tb->trie, &a, len, value);
    }
}

struct prefix_trie *config_prefix_trie(const char *list)
{
    struct trie_build tb = {0};
    config_list_each(list, add_prefix, &tb);
    return tb.trie;
}

struct prefix_trie *config_rates_trie(const char *list)
{
    struct trie_build tb = {.rates = true};
    config_list_each(list, add_prefix, &tb);
    return tb.trie;
}
