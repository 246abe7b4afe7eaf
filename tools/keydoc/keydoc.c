// SPDX-License-Identifier: MIT
// keydoc: the reference pages of the configuration, written from src/config/keys.def, the
// one table that config.c builds its parser from. `keydoc man` prints flowtally.conf(5) in
// roff, `keydoc readme` the README's key table in Markdown. `make docs` writes both (and
// etc/flowtally.conf, which `flowtally run --check-config` prints from the same table), and
// tests/integration/040-reference fails when a committed copy differs.
//
// A build tool rather than a hidden flowtally subcommand: the binary gains no code that only
// writes documentation, and keydoc needs nothing but the table itself.

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

enum keydoc_type {
    KEYDOC_INT,
    KEYDOC_STR,
    KEYDOC_ENDPOINTS,
    KEYDOC_PREFIXES,
    KEYDOC_RATES,
    KEYDOC_POINTS,
    KEYDOC_PATH,
    KEYDOC_SECRETS,
    KEYDOC_TEXT,
    KEYDOC_LOGS,
    KEYDOC_SECRET
};

struct keydoc_entry {
    const char *group; /* a group title; NULL for a key */
    const char *name;
    enum keydoc_type type;
    const char *def;
    long long min, max;
    bool reloadable;
    const char *doc;
};

static const struct keydoc_entry entries[] = {
#define GROUP(title) {title, NULL, KEYDOC_TEXT, NULL, 0, 0, false, NULL},
#define KEY(name, type, def, min, max, reload, doc)                                                \
    {NULL, #name, KEYDOC_##type, def, min, max, reload, doc},
#include "../../src/config/keys.def"
#undef KEY
#undef GROUP
};

#define N_ENTRIES (sizeof entries / sizeof entries[0])

/* What a value of each type looks like, in the words of keys.def's header. */
static const char *type_words(enum keydoc_type t)
{
    switch (t) {
    case KEYDOC_INT: return "integer";
    case KEYDOC_ENDPOINTS: return "ADDR:PORT list";
    case KEYDOC_PREFIXES: return "prefix list";
    case KEYDOC_RATES: return "PREFIX=N list";
    case KEYDOC_POINTS: return "ADDR[@IFINDEX] list";
    case KEYDOC_PATH: return "file";
    case KEYDOC_SECRETS: return "PREFIX=SECRET list, never printed";
    case KEYDOC_SECRET: return "secret, never printed";
    case KEYDOC_LOGS: return "FORMAT:PATH list";
    case KEYDOC_STR:
    case KEYDOC_TEXT: break;
    }
    return "text";
}

/* Writes s as roff text: a backslash as \e, a hyphen as \- (so that options and names copy
 * as typed), and a leading dot or quote guarded by \&. */
static void roff_text(const char *s)
{
    if (*s == '.' || *s == '\'')
        fputs("\\&", stdout);
    for (; *s; s++) {
        if (*s == '\\')
            fputs("\\e", stdout);
        else if (*s == '-')
            fputs("\\-", stdout);
        else
            putchar(*s);
    }
}

static void man_key(const struct keydoc_entry *e)
{
    printf(".TP\n.B ");
    roff_text(e->name);
    printf("\n");
    roff_text(type_words(e->type));
    if (e->type == KEYDOC_INT)
        printf(", %lld to %lld", e->min, e->max);
    printf("; default ");
    if (e->def[0]) {
        printf("\\fB");
        roff_text(e->def);
        printf("\\fR");
    } else {
        printf("empty");
    }
    printf("%s.\n.br\n", e->reloadable ? "; reloaded on SIGHUP" : "");
    roff_text(e->doc);
    printf(".\n");
}

static void man_page(void)
{
    printf(".\\\" Generated from src/config/keys.def by tools/keydoc (make docs); do not edit.\n"
           ".TH FLOWTALLY.CONF 5 \"\" \"flowtally\" \"File Formats\"\n"
           ".nh\n" /* key and option names break at no hyphen */
           ".SH NAME\n"
           "flowtally.conf \\- configuration of the flowtally collector and portal\n"
           ".SH SYNOPSIS\n"
           ".B flowtally run \\-c\n"
           ".I FILE\n"
           ".SH DESCRIPTION\n"
           "The file given with\n.B \\-c\n"
           "holds lines of the form\n.IR key \" = \" value .\n"
           "Blank lines are ignored. A comment starts at a\n.B #\n"
           "that begins a line or follows a blank; a value may itself begin with\n.B #\n"
           "(\\fBweb_accent = #0b5394\\fR).\n"
           "Lists are comma\\-separated, and an empty value is an empty list.\n"
           ".PP\n"
           "Every key can also be given on the command line of\n"
           ".B flowtally run\n"
           "and\n.B flowtally web\n"
           "as\n\\fB\\-\\-\\fIkey value\\fR\n"
           "or\n\\fB\\-\\-\\fIkey\\fB=\\fIvalue\\fR,\n"
           "with underscores written as dashes\n(\\fB\\-\\-local\\-nets\\fR);\n"
           "the command line wins over the file.\n"
           "Keys not given take the defaults below.\n"
           ".PP\n"
           "An unknown key, a malformed value or one out of range is an error at startup,\n"
           "reported as\n.IR FILE : LINE\n"
           "with what was expected; nothing falls back to a default.\n"
           ".B flowtally run \\-\\-check\\-config \\-c\n.I FILE\n"
           "validates the file and prints the effective configuration in this same format,\n"
           "secrets masked.\n"
           ".PP\n"
           "Keys marked\n.I reloaded on SIGHUP\n"
           "take their new value from the file when the daemon gets SIGHUP; the others keep\n"
           "theirs until the next start.\n"
           ".SS Values\n"
           ".TP\n.I integer\n"
           "decimal, within the range given.\n"
           ".TP\n.I ADDR:PORT list\n"
           "IPv4\n.B 192.0.2.1:2055\n"
           "or IPv6\n.BR [2001:db8::1]:2055 ;\n"
           "port 0 takes any free port, and the daemon prints the one it bound.\n"
           ".TP\n.I prefix list\n"
           "addresses or CIDR prefixes, IPv4 or IPv6\n(\\fB10.0.0.0/8,2001:db8::/32\\fR).\n"
           ".TP\n.I PREFIX=N list\n"
           "a prefix and a 1\\-in\\-N sampling rate\n(\\fB192.0.2.1=100\\fR).\n"
           ".TP\n.I ADDR[@IFINDEX] list\n"
           "exporter addresses, each optionally with the SNMP index of one of its interfaces\n"
           "(\\fB192.0.2.1@3\\fR).\n"
           ".TP\n.I FORMAT:PATH list\n"
           "FORMAT is\n.BR squid ,\n.B plain\nor\n.BR mapping .\n"
           ".TP\n.I file\n"
           "a file that must exist, or empty.\n"
           ".TP\n.I secret\n"
           "never printed by\n.B \\-\\-check\\-config\n"
           "and never logged.\n"
           ".SH KEYS\n");
    for (size_t i = 0; i < N_ENTRIES; i++) {
        if (entries[i].group) {
            printf(".SS ");
            roff_text(entries[i].group);
            printf("\n");
        } else {
            man_key(&entries[i]);
        }
    }
    printf(".SH FILES\n"
           ".TP\n.I etc/flowtally.conf\n"
           "in the source tree: every key with its default and what it means, as\n"
           ".B flowtally run \\-\\-check\\-config\n"
           "prints it.\n"
           ".SH SEE ALSO\n"
           ".BR flowtally (8)\n");
}

/* Writes s for a Markdown table cell: a '|' would end the cell. */
static void md_cell(const char *s)
{
    for (; *s; s++) {
        if (*s == '|')
            fputs("\\|", stdout);
        else
            putchar(*s);
    }
}

static void readme_table(void)
{
    printf("| key | default | meaning |\n|---|---|---|\n");
    for (size_t i = 0; i < N_ENTRIES; i++) {
        const struct keydoc_entry *e = &entries[i];
        if (e->group) {
            printf("| **");
            md_cell(e->group);
            printf("** | | |\n");
            continue;
        }
        printf("| `%s` | ", e->name);
        if (e->def[0]) {
            printf("`");
            md_cell(e->def);
            printf("`");
        } else {
            printf("empty");
        }
        if (e->type == KEYDOC_INT)
            printf(" (%lld to %lld)", e->min, e->max);
        printf(" | ");
        md_cell(e->doc);
        if (e->reloadable)
            printf(" (SIGHUP)");
        printf(" |\n");
    }
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "man") == 0) {
        man_page();
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "readme") == 0) {
        readme_table();
        return 0;
    }
    fprintf(stderr, "usage: keydoc man|readme\n"
                    "Prints flowtally.conf(5) (man) or the README's key table (readme), "
                    "from src/config/keys.def.\n");
    return 2;
}
