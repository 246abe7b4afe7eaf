// SPDX-License-Identifier: MIT
// Traffic classes: the classes file and prefix file parsers, and per-flow matching.
//
// The unwindowed classes share one trie (prefix -> class id), so matching them is one
// longest-prefix lookup whatever the number of classes. Each windowed class has its own
// trie (prefix -> prefix length), because which windowed classes take part depends on the
// time, and the lengths let the open ones be compared. Money is integer micro-units and
// time is integer minutes: no floating point anywhere.
#include "classes.h"

#include "../base/lines.h"

#include "../base/prefix.h"
#include "../base/xalloc.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* Prefix entries carry the class id in one byte. */
static_assert(CLASSES_MAX <= 256, "class ids must fit struct prefix_entry.class_id");

#define MINUTES_PER_DAY 1440

struct class_rec {
    struct class_info info;          /* info.name points at name */
    char name[CLASSES_NAME_MAX + 1]; /* NUL-terminated */
    bool matches_all;                /* windowed with prefixes `-`: every address */
    struct prefix_trie *trie;        /* owned; windowed with a list: prefix -> length */
};

struct class_table {
    struct class_rec *classes; /* owned, n_classes of them */
    size_t n_classes;
    uint16_t default_id;
    struct prefix_trie *unwindowed; /* owned: prefix -> class id; NULL if no prefixes */
    uint16_t windowed[CLASSES_MAX]; /* ids of the windowed classes, in file order */
    size_t n_windowed;
};

/* One prefix of an unwindowed class, kept until every file is read so that a prefix listed
 * in two classes is found (sorted, equal prefixes are neighbours) before the trie is
 * built. 24 bytes: 96 MB at the 4M cap, freed when loading ends. */
struct prefix_entry {
    uint64_t hi, lo;  /* the prefix, zero below len */
    uint32_t line;    /* line in the class's prefix file */
    uint8_t len;      /* 0..128 */
    uint8_t class_id; /* the file is the class's prefix file */
};

struct loader {
    const char *path;                 /* the classes file */
    char *errbuf;                     /* ERR_BUF_LEN bytes */
    struct class_table *t;            /* being built */
    unsigned class_line[CLASSES_MAX]; /* line of each class in the classes file */
    char *files[CLASSES_MAX];         /* owned: each class's resolved prefix file, or NULL */
    struct prefix_entry *entries;     /* owned, unwindowed prefixes */
    size_t n_entries, cap_entries;
    size_t n_prefixes; /* prefix lines read, all classes */
    int n_defaults;
};

__attribute__((format(printf, 4, 5))) static int fail(struct loader *L, const char *file,
                                                      unsigned line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = lines_vfail(L->errbuf, file, line, fmt, ap);
    va_end(ap);
    return rc;
}

/* ---- field parsers ------------------------------------------------------------------ */

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CLASSES_NAME_MAX)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || is_digit(s[i]) || s[i] == '_' || s[i] == '-'))
            return false;
    return true;
}

/* "0.50" -> 500000: up to 6 integer digits, an optional dot and 1 to 6 decimals. */
static bool parse_price(const char *s, uint64_t *micro)
{
    uint64_t units = 0, frac = 0;
    int n_int = 0, n_dec = 0;
    for (; is_digit(*s); s++, n_int++) {
        if (n_int == 6)
            return false;
        units = units * 10 + (uint64_t)(*s - '0');
    }
    if (n_int == 0)
        return false;
    if (*s == '.') {
        for (s++; is_digit(*s); s++, n_dec++) {
            if (n_dec == 6)
                return false;
            frac = frac * 10 + (uint64_t)(*s - '0');
        }
        if (n_dec == 0)
            return false;
    }
    if (*s != '\0')
        return false;
    for (; n_dec < 6; n_dec++)
        frac *= 10;
    *micro = units * 1000000 + frac;
    return true;
}

/* "HH:MM", 00:00 to 24:00, into minutes of the day. */
static bool parse_hhmm(const char *s, unsigned *min)
{
    if (!is_digit(s[0]) || !is_digit(s[1]) || s[2] != ':' || !is_digit(s[3]) || !is_digit(s[4]))
        return false;
    unsigned h = (unsigned)(s[0] - '0') * 10 + (unsigned)(s[1] - '0');
    unsigned m = (unsigned)(s[3] - '0') * 10 + (unsigned)(s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && m != 0))
        return false;
    *min = h * 60 + m;
    return true;
}

/* "HH:MM-HH:MM": the start below 24:00, the end different from the start. */
static bool parse_window(const char *s, struct class_info *c)
{
    unsigned start, end;
    if (strlen(s) != 11 || s[5] != '-' || !parse_hhmm(s, &start) || !parse_hhmm(s + 6, &end))
        return false;
    if (start >= MINUTES_PER_DAY || start == end)
        return false;
    c->has_window = true;
    c->window_start_min = (uint16_t)start;
    c->window_end_min = (uint16_t)end;
    return true;
}

static bool window_open(const struct class_info *c, unsigned minute)
{
    if (c->window_start_min < c->window_end_min)
        return minute >= c->window_start_min && minute < c->window_end_min;
    return minute >= c->window_start_min || minute < c->window_end_min;
}

/* The message for a negative lines_next() code. */
static int line_error(struct loader *L, const char *file, unsigned lineno, int code)
{
    return fail(L, file, lineno, "expected %s", lines_error(code));
}

/* Splits s in place into at most max whitespace-separated tokens; returns how many there
 * were, counting any beyond max. */
static size_t split(char *s, char **tok, size_t max)
{
    size_t n = 0;
    for (char *save = NULL, *p = strtok_r(s, " \t\r\n\v\f", &save); p;
         p = strtok_r(NULL, " \t\r\n\v\f", &save)) {
        if (n < max)
            tok[n] = p;
        n++;
    }
    return n;
}

/* ---- prefix files ------------------------------------------------------------------- */

static char *resolve(const char *classes_path, const char *file)
{
    const char *slash = strrchr(classes_path, '/');
    if (file[0] == '/' || !slash)
        return xstrdup(file);
    size_t dir_len = (size_t)(slash - classes_path) + 1;
    char *p = xmalloc(dir_len + strlen(file) + 1);
    memcpy(p, classes_path, dir_len);
    strcpy(p + dir_len, file);
    return p;
}

static void entry_add(struct loader *L, const struct ip_addr *a, unsigned len, uint16_t id,
                      unsigned line)
{
    if (L->n_entries == L->cap_entries) {
        L->cap_entries = L->cap_entries ? L->cap_entries * 2 : 1024;
        L->entries = xrealloc(L->entries, L->cap_entries * sizeof *L->entries);
    }
    /* prefix_parse() refuses host bits, so the address is the masked prefix. */
    L->entries[L->n_entries++] = (struct prefix_entry){
        .hi = addr_hi(a),
        .lo = addr_lo(a),
        .line = line,
        .len = (uint8_t)len,
        .class_id = (uint8_t)id,
    };
}

/* Reads class id's prefix file: one prefix or address per line, the first token of the
 * line (routing-table exports carry more fields after it), '#' comments, blank lines. */
static int load_prefixes(struct loader *L, uint16_t id, const char *token)
{
    struct class_rec *c = &L->t->classes[id];
    char *file = L->files[id] = resolve(L->path, token);
    struct line_reader *r = xmalloc(sizeof *r);
    int open_rc = lines_open(r, file);
    if (open_rc != 0) {
        int rc = fail(L, L->path, L->class_line[id],
                      "expected a readable prefix file, got '%s' (%s)", file, strerror(-open_rc));
        free(r);
        return rc;
    }
    if (c->info.has_window)
        c->trie = prefix_trie_new();
    int rc = 0, more;
    char *s;
    while (rc == 0 && (more = lines_next(r, &s)) != 0) {
        char *tok[1];
        if (more < 0) {
            rc = line_error(L, file, r->lineno, more);
            break;
        }
        if (split(s, tok, 1) == 0)
            continue;
        struct ip_addr a;
        unsigned len;
        if (prefix_parse(tok[0], &a, &len) != 0) {
            rc = fail(L, file, r->lineno,
                      "expected an IPv4/IPv6 prefix such as 192.0.2.0/24 (no host bits set) "
                      "or an address, got '%s'",
                      tok[0]);
        } else if (L->n_prefixes == CLASSES_MAX_PREFIXES) {
            rc = fail(L, file, r->lineno,
                      "expected at most %u prefixes over all prefix files, got more",
                      CLASSES_MAX_PREFIXES);
        } else {
            L->n_prefixes++;
            if (c->trie)
                prefix_trie_insert(c->trie, &a, len, len);
            else
                entry_add(L, &a, len, id, r->lineno);
        }
    }
    lines_close(r);
    free(r);
    return rc;
}

/* ---- the classes file --------------------------------------------------------------- */

static uint16_t find(const struct class_table *t, const char *name)
{
    for (size_t i = 0; i < t->n_classes; i++)
        if (strcmp(t->classes[i].name, name) == 0)
            return (uint16_t)i;
    return CLASSES_NO_ID;
}

/* Parses one line of the classes file, its comment removed; blank lines are skipped. */
static int parse_class(struct loader *L, char *s, unsigned line)
{
    struct class_table *t = L->t;
    char whole[256];
    snprintf(whole, sizeof whole, "%s", s + strspn(s, " \t\r\n\v\f"));
    char *tok[5];
    size_t n = split(s, tok, 5);
    if (n == 0)
        return 0;
    if (n < 4 || n > 5)
        return fail(L, L->path, line,
                    "expected 4 or 5 fields (name price_per_gb quota prefixes [window]), "
                    "got %zu in '%s'",
                    n, whole);
    if (!name_ok(tok[0]))
        return fail(L, L->path, line,
                    "expected a class name of 1 to %d characters a-z 0-9 _ -, got '%s'",
                    CLASSES_NAME_MAX, tok[0]);
    uint16_t dup = find(t, tok[0]);
    if (dup != CLASSES_NO_ID)
        return fail(L, L->path, line, "expected a new class name, got '%s' (also at line %u)",
                    tok[0], L->class_line[dup]);
    if (t->n_classes == CLASSES_MAX)
        return fail(L, L->path, line, "expected at most %d classes, got more", CLASSES_MAX);

    uint16_t id = (uint16_t)t->n_classes;
    struct class_rec *c = &t->classes[id];
    *c = (struct class_rec){0};
    strcpy(c->name, tok[0]);
    c->info.name = c->name;
    L->class_line[id] = line;
    t->n_classes++;

    if (!parse_price(tok[1], &c->info.price_micro_per_gb))
        return fail(L, L->path, line,
                    "expected a price per GB from 0 to 999999.999999 with at most 6 "
                    "decimals, got '%s'",
                    tok[1]);
    if (strcmp(tok[2], "yes") == 0)
        c->info.counts_toward_quota = true;
    else if (strcmp(tok[2], "no") != 0)
        return fail(L, L->path, line, "expected quota 'yes' or 'no', got '%s'", tok[2]);
    if (n == 5 && !parse_window(tok[4], &c->info))
        return fail(L, L->path, line,
                    "expected a window HH:MM-HH:MM in local time (00:00 to 24:00, start "
                    "before 24:00, end not equal to start), got '%s'",
                    tok[4]);

    const char *prefixes = tok[3];
    if (strcmp(c->name, "default") == 0 && strcmp(prefixes, "default") != 0)
        return fail(L, L->path, line,
                    "expected prefixes 'default' on the class named 'default' (the name is "
                    "reserved for the default class), got '%s'",
                    prefixes);
    if (strcmp(prefixes, "default") == 0) {
        if (c->info.has_window)
            return fail(L, L->path, line, "expected no window on the default class, got '%s'",
                        tok[4]);
        if (L->n_defaults++ > 0)
            return fail(L, L->path, line,
                        "expected one default class, got a second one (the first is '%s' "
                        "at line %u)",
                        t->classes[t->default_id].name, L->class_line[t->default_id]);
        c->info.is_default = true;
        t->default_id = id;
        return 0;
    }
    if (c->info.has_window)
        t->windowed[t->n_windowed++] = id;
    if (strcmp(prefixes, "-") == 0) {
        if (!c->info.has_window)
            return fail(L, L->path, line,
                        "expected a window for a class without prefixes ('-'), got none");
        c->matches_all = true;
        return 0;
    }
    return load_prefixes(L, id, prefixes);
}

static int entry_cmp(const void *pa, const void *pb)
{
    const struct prefix_entry *a = pa, *b = pb;
    if (a->hi != b->hi)
        return a->hi < b->hi ? -1 : 1;
    if (a->lo != b->lo)
        return a->lo < b->lo ? -1 : 1;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    if (a->class_id != b->class_id)
        return a->class_id < b->class_id ? -1 : 1;
    return a->line < b->line ? -1 : a->line > b->line;
}

static struct ip_addr entry_addr(const struct prefix_entry *e)
{
    struct ip_addr a;
    for (int i = 0; i < 8; i++) {
        a.b[i] = (uint8_t)(e->hi >> (56 - 8 * i));
        a.b[8 + i] = (uint8_t)(e->lo >> (56 - 8 * i));
    }
    return a;
}

/* Builds the unwindowed trie. A prefix listed twice in one class is fine (routing-table
 * exports repeat prefixes); in two classes it is an error, reported at the occurrence
 * that comes later in file order (class order, then line), naming the earlier one. */
static int build_unwindowed(struct loader *L)
{
    if (L->n_entries == 0)
        return 0;
    qsort(L->entries, L->n_entries, sizeof *L->entries, entry_cmp);
    const struct prefix_entry *bad = NULL, *bad_first = NULL;
    for (size_t i = 0, run = 0; i < L->n_entries; i++) {
        const struct prefix_entry *e = &L->entries[i], *first = &L->entries[run];
        if (e->hi != first->hi || e->lo != first->lo || e->len != first->len) {
            run = i;
            continue;
        }
        if (e->class_id != first->class_id &&
            (!bad || e->class_id < bad->class_id ||
             (e->class_id == bad->class_id && e->line < bad->line))) {
            bad = e;
            bad_first = first;
        }
    }
    if (bad) {
        char text[ADDR_STR_LEN + 4];
        struct ip_addr a = entry_addr(bad);
        return fail(L, L->files[bad->class_id], bad->line,
                    "expected each prefix in one class only, got '%s' in class '%s' (also in "
                    "class '%s', %s:%u)",
                    prefix_format(&a, bad->len, text), L->t->classes[bad->class_id].name,
                    L->t->classes[bad_first->class_id].name, L->files[bad_first->class_id],
                    bad_first->line);
    }
    L->t->unwindowed = prefix_trie_new();
    for (size_t i = 0; i < L->n_entries; i++) {
        struct ip_addr a = entry_addr(&L->entries[i]);
        prefix_trie_insert(L->t->unwindowed, &a, L->entries[i].len, L->entries[i].class_id);
    }
    return 0;
}

/* No `default` line: add the built-in default (price 0, counts toward the quota). */
static int add_builtin_default(struct loader *L)
{
    struct class_table *t = L->t;
    if (t->n_classes == CLASSES_MAX)
        return fail(L, L->path, L->class_line[CLASSES_MAX - 1],
                    "expected at most %d classes with the built-in default, got more", CLASSES_MAX);
    uint16_t id = (uint16_t)t->n_classes++;
    struct class_rec *c = &t->classes[id];
    *c = (struct class_rec){
        .info = {.counts_toward_quota = true, .is_default = true, .is_builtin = true}};
    strcpy(c->name, "default");
    c->info.name = c->name;
    t->default_id = id;
    return 0;
}

struct class_table *classes_load(const char *path, char *errbuf)
{
    struct loader L = {.path = path, .errbuf = errbuf};
    errbuf[0] = '\0';
    struct line_reader *r = xmalloc(sizeof *r);
    int open_rc = lines_open(r, path);
    if (open_rc != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: expected a readable classes file (%s)", path,
                 strerror(-open_rc));
        free(r);
        return NULL;
    }
    L.t = xcalloc(1, sizeof *L.t);
    L.t->classes = xcalloc(CLASSES_MAX, sizeof *L.t->classes);
    int rc = 0, more;
    char *s;
    while (rc == 0 && (more = lines_next(r, &s)) != 0) {
        if (more < 0) {
            rc = line_error(&L, path, r->lineno, more);
            break;
        }
        rc = parse_class(&L, s, r->lineno);
    }
    lines_close(r);
    free(r);
    if (rc == 0 && L.n_defaults == 0)
        rc = add_builtin_default(&L);
    if (rc == 0)
        rc = build_unwindowed(&L);
    free(L.entries);
    for (size_t i = 0; i < CLASSES_MAX; i++)
        free(L.files[i]);
    if (rc != 0) {
        classes_free(L.t);
        return NULL;
    }
    return L.t;
}

void classes_free(struct class_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n_classes; i++)
        prefix_trie_free(t->classes[i].trie);
    prefix_trie_free(t->unwindowed);
    free(t->classes);
    free(t);
}

/* ---- lookups ------------------------------------------------------------------------ */

size_t classes_count(const struct class_table *t)
{
    return t->n_classes;
}

const struct class_info *classes_get(const struct class_table *t, uint16_t id)
{
    return id < t->n_classes ? &t->classes[id].info : NULL;
}

const char *classes_name(const struct class_table *t, uint16_t id)
{
    return id < t->n_classes ? t->classes[id].name : "?";
}

uint16_t classes_find(const struct class_table *t, const char *name)
{
    return find(t, name);
}

uint16_t classes_default(const struct class_table *t)
{
    return t->default_id;
}

uint16_t classes_local_minute(uint64_t time_ms, int32_t utc_offset_s)
{
    int64_t s = (int64_t)(time_ms / 1000) + utc_offset_s;
    int64_t day_s = s % 86400;
    if (day_s < 0)
        day_s += 86400;
    return (uint16_t)(day_s / 60);
}

uint16_t classes_match_offset(const struct class_table *t, const struct ip_addr *remote,
                              uint64_t time_ms, int32_t utc_offset_s)
{
    if (t->n_windowed > 0) {
        unsigned minute = classes_local_minute(time_ms, utc_offset_s);
        int best_len = -1;
        uint16_t best = 0;
        for (size_t i = 0; i < t->n_windowed; i++) {
            const struct class_rec *c = &t->classes[t->windowed[i]];
            uint32_t len = 0;
            if (!window_open(&c->info, minute))
                continue;
            if (!c->matches_all && !prefix_trie_lookup(c->trie, remote, &len))
                continue;
            if ((int)len > best_len) { /* strictly longer: ties stay with the earlier class */
                best_len = (int)len;
                best = t->windowed[i];
            }
        }
        if (best_len >= 0)
            return best;
    }
    uint32_t id;
    if (t->unwindowed && prefix_trie_lookup(t->unwindowed, remote, &id))
        return (uint16_t)id;
    return t->default_id;
}

/* ---- local time --------------------------------------------------------------------- */

/* A few UTC hours per thread, direct-mapped, so flows straddling an hour boundary (late
 * exporters, flows ending on both sides of it) do not evict each other. */
#define OFFSET_SLOTS 4

struct offset_slot {
    int64_t hour;     /* UTC hours since the epoch */
    int32_t offset_s; /* local - UTC during the whole hour, unless is_mixed */
    bool is_valid;
    bool is_mixed; /* the offset changes within the hour: resolve each call */
};

static _Thread_local struct offset_slot offset_cache[OFFSET_SLOTS];

static int32_t offset_at(int64_t unix_s)
{
    time_t tt = (time_t)unix_s;
    struct tm tm;
    if (!localtime_r(&tt, &tm))
        return 0; /* a year beyond struct tm: no zone rule applies, take UTC */
    return (int32_t)tm.tm_gmtoff;
}

int32_t classes_utc_offset(uint64_t time_ms)
{
    int64_t s = (int64_t)(time_ms / 1000), hour = s / 3600;
    struct offset_slot *slot = &offset_cache[hour % OFFSET_SLOTS];
    if (!slot->is_valid || slot->hour != hour) {
        /* localtime_r() need not look at TZ again (glibc's does not); tzset() does, and
         * costs a string compare when TZ is unchanged. Once an hour is cheap enough. */
        tzset();
        int32_t at_start = offset_at(hour * 3600), at_end = offset_at(hour * 3600 + 3599);
        *slot = (struct offset_slot){
            .hour = hour, .offset_s = at_start, .is_valid = true, .is_mixed = at_start != at_end};
    }
    return slot->is_mixed ? offset_at(s) : slot->offset_s;
}

uint16_t classes_match(const struct class_table *t, const struct ip_addr *remote, uint64_t time_ms)
{
    return classes_match_offset(t, remote, time_ms, classes_utc_offset(time_ms));
}
