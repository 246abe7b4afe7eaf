// SPDX-License-Identifier: MIT
// NetFlow v9 / IPFIX templates of one source, indexed by template id. A template is the list
// of (field type, length, enterprise) that tells how to read a data record. The table is a
// two-level direct map over the 16-bit id space (pages allocated on first use) with a cap on
// the number of templates, so a hostile exporter cannot make it grow without bound.
#ifndef FT_TEMPLATES_H
#define FT_TEMPLATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TMPL_VARLEN 0xffff  /* IPFIX variable-length field (RFC 7011 §7) */
#define TMPL_MAX_FIELDS 128 /* more than any real exporter sends; more is refused */

struct tmpl_field {
    uint16_t type;       /* information element id, enterprise bit cleared */
    uint16_t len;        /* bytes, or TMPL_VARLEN */
    uint32_t enterprise; /* private enterprise number, 0 for IANA elements */
};

/* One step of a template's read plan: a field the record reader acts on, at a fixed offset
 * of a fixed-length record, with its length already checked. Fields nothing reads (unknown
 * or enterprise elements, wrong lengths) have no step. */
struct tmpl_step {
    uint16_t offset; /* from the start of the record */
    uint8_t len;     /* 1..16 */
    uint8_t op;      /* what to do with it: an nfrecord op */
    bool is_scope;   /* a scope field of an options template */
};

struct tmpl {
    uint16_t id;
    uint16_t n_fields;
    uint16_t n_steps;        /* read plan length, for fixed-length records (set by the reader) */
    struct tmpl_step *steps; /* n_fields entries of room, in the same allocation */
    uint16_t n_scope;        /* options templates: the first n_scope fields are scope */
    bool is_options;
    bool has_varlen;            /* some field is variable-length (IPFIX) */
    uint32_t min_len;           /* bytes of the shortest possible record, at least 1 */
    struct tmpl_field fields[]; /* n_fields entries */
};

struct tmpl_table {
    struct tmpl **pages[256]; /* pages[id >> 8][id & 255]; owned */
    size_t n;                 /* templates stored */
    size_t max;               /* cap on n */
};

void tmpl_table_init(struct tmpl_table *t, size_t max);
void tmpl_table_deinit(struct tmpl_table *t);

/* Returns the template with this id, or NULL. Borrowed; valid until the table changes. */
const struct tmpl *tmpl_find(const struct tmpl_table *t, uint16_t id);

/* Stores a template, replacing one with the same id (template refresh). Takes ownership of
 * `tmpl` (allocated with tmpl_new()). Returns 0, or ERR_LIMIT when the cap is reached (and
 * then frees tmpl). */
int tmpl_put(struct tmpl_table *t, struct tmpl *tmpl);

/* Withdraws one template (RFC 7011 §8.1). Returns true if it existed. */
bool tmpl_remove(struct tmpl_table *t, uint16_t id);

/* Withdraws every options template (options) or every other template (!options). */
void tmpl_remove_all(struct tmpl_table *t, bool options);

/* Returns a new template with room for n_fields fields; caller fills them and calls
 * tmpl_finish(). */
struct tmpl *tmpl_new(uint16_t id, uint16_t n_fields);

/* Computes min_len. Returns 0, or ERR_MALFORMED when a field has length 0 or the record
 * cannot fit in a datagram. */
int tmpl_finish(struct tmpl *tmpl);

#endif
