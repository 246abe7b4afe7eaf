// SPDX-License-Identifier: MIT
// Configuration: defaults from keys.def, then the config file, then the command line. Every
// value is validated here (type, range, list syntax) and errors name file:line; modules
// receive a typed struct and never parse raw strings themselves.
#ifndef FT_CONFIG_H
#define FT_CONFIG_H

#include "../base/err.h"
#include "../base/prefix.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct config {
#define CFG_FIELD_INT(name) int64_t name;
#define CFG_FIELD_STR(name) char *name; /* owned */
#define CFG_FIELD_ENDPOINTS(name) CFG_FIELD_STR(name)
#define CFG_FIELD_PREFIXES(name) CFG_FIELD_STR(name)
#define CFG_FIELD_RATES(name) CFG_FIELD_STR(name)
#define CFG_FIELD_POINTS(name) CFG_FIELD_STR(name)
#define CFG_FIELD_PATH(name) CFG_FIELD_STR(name)
#define CFG_FIELD_SECRETS(name) CFG_FIELD_STR(name)
#define CFG_FIELD_TEXT(name) CFG_FIELD_STR(name)
#define CFG_FIELD_SECRET(name) CFG_FIELD_STR(name)
#define CFG_FIELD_LOGS(name) CFG_FIELD_STR(name)
#define KEY(name, type, def, min, max, reload, doc) CFG_FIELD_##type(name)
#include "keys.def"
#undef KEY
    char *file;    /* owned: config file read, or NULL */
    int verbosity; /* number of -v given */
};

/* Fills cfg with the defaults. */
void config_init(struct config *cfg);
void config_deinit(struct config *cfg);

/* Sets key to value, validating it. `where` names the origin for messages ("FILE:LINE" or
 * "command line"). Returns 0, or ERR_CONFIG with a message in errbuf. */
int config_set(struct config *cfg, const char *key, const char *value, const char *where,
               char *errbuf);

/* Reads `key = value` lines ('#' starts a comment). Returns 0 or ERR_CONFIG / -errno with a
 * message naming file:line in errbuf. */
int config_load_file(struct config *cfg, const char *path, char *errbuf);

/* Parses `flowtally run` arguments: -c FILE, -v, --key value / --key=value. The file is
 * loaded first so the command line wins. Returns 0 or ERR_CONFIG with a message. */
int config_from_args(struct config *cfg, int argc, char **argv, char *errbuf);

/* Checks constraints between keys (bucket divides a day). Returns 0 or ERR_CONFIG. */
int config_validate(const struct config *cfg, char *errbuf);

/* Sets the process's time zone (TZ, then tzset()) from the timezone key, so that billing
 * cycles and local days are computed in it; an empty key leaves the environment's TZ (or
 * the system's zone) alone. Call it once at startup, before any thread starts: setenv()
 * is not safe beside threads that read the environment. Returns 0 or -errno with errbuf. */
int config_apply_timezone(const struct config *cfg, char *errbuf);

/* The tax_rate key as millionths of a percent (8.1 -> 8100000, as invoices store it),
 * parsed from the text that config_set() validated (0 to 100, up to 6 decimals): the key
 * stays text in struct config, like every key of keys.def, and this is its one reader.
 * Returns 0, or ERR_CONFIG for a config that was never validated. */
int config_tax_rate_micro(const struct config *cfg, int64_t *out);

/* The bytes of the billing_unit key: 10^9 (GB) or 2^30 (GiB). */
uint64_t config_billing_unit_bytes(const struct config *cfg);

/* Moves the values of the reloadable keys from src into dst (src keeps copies no more). */
void config_take_reloadable(struct config *dst, struct config *src);

/* Writes the effective configuration as a config file. */
void config_dump(const struct config *cfg, FILE *out);

/* Prints every key with its default and doc (for --help). */
void config_print_keys(FILE *out);

/* Builds a trie of a validated PREFIXES value (each prefix maps to its index), or of a RATES
 * value (each prefix maps to its rate). Returns a new trie, or NULL for an empty list. */
struct prefix_trie *config_prefix_trie(const char *list);
struct prefix_trie *config_rates_trie(const char *list);

/* Calls fn for each comma-separated item of a validated list. */
void config_list_each(const char *list, void (*fn)(void *ctx, const char *item), void *ctx);

#endif
