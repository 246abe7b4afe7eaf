// SPDX-License-Identifier: MIT
// Path-compressed binary (PATRICIA-style) trie. Each node holds a prefix (key, len); a child
// continues the parent's prefix with at least one more bit and is chosen by the bit at the
// parent's length. Insertion splits an edge when a new prefix diverges inside it. Keys are
// two 64-bit integers so matching a prefix is two masked compares.
#include "prefix.h"

#include "xalloc.h"

#include <assert.h>
#include <stdlib.h>

#define NO_NODE UINT32_MAX

struct trie_node {
    uint64_t hi, lo;   /* prefix bits, zero below len */
    uint32_t child[2]; /* node indices, NO_NODE if absent */
    uint32_t value;    /* valid when has_value */
    uint8_t len;       /* prefix length, 0..128 */
    bool has_value;
};

/* Where the lookup of an IPv4 address in one /16 starts: the deepest node holding the whole
 * /16, and the best match on the way there. When nothing longer than /16 lies inside the
 * /16, the answer is final and no node is walked at all. */
struct v4_start {
    uint32_t node; /* continue the walk here, or NO_NODE: `best` is the answer */
    uint32_t best; /* node of the longest match so far, or NO_NODE */
};

#define V4_INDEX_BITS 16

struct prefix_trie {
    struct trie_node *nodes; /* owned; nodes[0] is the root ::/0 */
    size_t n_nodes, cap;
    size_t n_prefixes;
    struct v4_start *v4; /* owned; 2^16 entries, or NULL (see prefix_trie_index) */
};

static void mask_key(uint64_t *hi, uint64_t *lo, unsigned len)
{
    if (len == 0) {
        *hi = 0;
        *lo = 0;
    } else if (len < 64) {
        *hi &= ~0ULL << (64 - len);
        *lo = 0;
    } else if (len == 64) {
        *lo = 0;
    } else if (len < 128) {
        *lo &= ~0ULL << (128 - len);
    }
}

static unsigned key_bit(uint64_t hi, uint64_t lo, unsigned pos)
{
    assert(pos < 128);
    return pos < 64 ? (unsigned)(hi >> (63 - pos)) & 1 : (unsigned)(lo >> (127 - pos)) & 1;
}

/* Number of leading bits two keys share, at most 128. */
static unsigned common_bits(uint64_t ahi, uint64_t alo, uint64_t bhi, uint64_t blo)
{
    if (ahi != bhi)
        return (unsigned)__builtin_clzll(ahi ^ bhi);
    if (alo != blo)
        return 64 + (unsigned)__builtin_clzll(alo ^ blo);
    return 128;
}

static bool node_contains(const struct trie_node *n, uint64_t hi, uint64_t lo)
{
    mask_key(&hi, &lo, n->len);
    return hi == n->hi && lo == n->lo;
}

static uint32_t node_add(struct prefix_trie *t, uint64_t hi, uint64_t lo, unsigned len)
{
    if (t->n_nodes == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 16;
        t->nodes = xrealloc(t->nodes, t->cap * sizeof *t->nodes);
    }
    mask_key(&hi, &lo, len);
    t->nodes[t->n_nodes] =
        (struct trie_node){.hi = hi, .lo = lo, .child = {NO_NODE, NO_NODE}, .len = (uint8_t)len};
    return (uint32_t)t->n_nodes++;
}

struct prefix_trie *prefix_trie_new(void)
{
    struct prefix_trie *t = xcalloc(1, sizeof *t);
    node_add(t, 0, 0, 0);
    return t;
}

void prefix_trie_free(struct prefix_trie *t)
{
    if (!t)
        return;
    free(t->v4);
    free(t->nodes);
    free(t);
}

static void set_value(struct prefix_trie *t, uint32_t idx, uint32_t value)
{
    if (!t->nodes[idx].has_value)
        t->n_prefixes++;
    t->nodes[idx].has_value = true;
    t->nodes[idx].value = value;
}

void prefix_trie_insert(struct prefix_trie *t, const struct ip_addr *addr, unsigned len,
                        uint32_t value)
{
    assert(len <= 128);
    free(t->v4); /* the index no longer says where walks start */
    t->v4 = NULL;
    uint64_t hi = addr_hi(addr), lo = addr_lo(addr);
    mask_key(&hi, &lo, len);
    uint32_t at = 0;
    for (;;) {
        /* Invariant: nodes[at] is a prefix of the key and nodes[at].len <= len. */
        if (t->nodes[at].len == len) {
            set_value(t, at, value);
            return;
        }
        unsigned bit = key_bit(hi, lo, t->nodes[at].len);
        uint32_t c = t->nodes[at].child[bit];
        if (c == NO_NODE) {
            uint32_t leaf = node_add(t, hi, lo, len);
            t->nodes[at].child[bit] = leaf;
            set_value(t, leaf, value);
            return;
        }
        unsigned common = common_bits(hi, lo, t->nodes[c].hi, t->nodes[c].lo);
        if (common > len)
            common = len;
        if (common >= t->nodes[c].len) {
            at = c;
            continue;
        }
        /* The key leaves the edge to c after `common` bits: put a node there. */
        uint32_t mid = node_add(t, hi, lo, common);
        struct trie_node *cn = &t->nodes[c];
        t->nodes[mid].child[key_bit(cn->hi, cn->lo, common)] = c;
        t->nodes[at].child[bit] = mid;
        if (common == len) {
            set_value(t, mid, value);
        } else {
            uint32_t leaf = node_add(t, hi, lo, len);
            t->nodes[mid].child[key_bit(hi, lo, common)] = leaf;
            set_value(t, leaf, value);
        }
        return;
    }
}

/* IPv4-mapped addresses are ::ffff:a.b.c.d: the /16 a.b is key bits 96..111. */
#define V4_MAPPED_HI 0
#define V4_MAPPED_LO_TOP 0xffffULL /* lo >> 32 */
#define V4_BLOCK_LEN (96 + V4_INDEX_BITS)

static struct v4_start v4_start_of(const struct prefix_trie *t, uint32_t block)
{
    uint64_t hi = V4_MAPPED_HI, lo = V4_MAPPED_LO_TOP << 32 | (uint64_t)block << 16;
    uint32_t at = 0, best = t->nodes[0].has_value ? 0 : NO_NODE;
    for (;;) {
        const struct trie_node *n = &t->nodes[at];
        if (n->len == V4_BLOCK_LEN) /* the /16 itself: anything below it is longer */
            return (struct v4_start){
                n->child[0] == NO_NODE && n->child[1] == NO_NODE ? NO_NODE : at, best};
        uint32_t c = n->child[key_bit(hi, lo, n->len)];
        if (c == NO_NODE)
            return (struct v4_start){NO_NODE, best};
        const struct trie_node *cn = &t->nodes[c];
        if (cn->len > V4_BLOCK_LEN) /* longer prefixes inside the /16 need the walk */
            return (struct v4_start){
                common_bits(hi, lo, cn->hi, cn->lo) >= V4_BLOCK_LEN ? at : NO_NODE, best};
        if (!node_contains(cn, hi, lo))
            return (struct v4_start){NO_NODE, best};
        at = c;
        if (cn->has_value)
            best = c;
    }
}

void prefix_trie_index(struct prefix_trie *t)
{
    if (!t->v4)
        t->v4 = xmalloc(sizeof *t->v4 << V4_INDEX_BITS);
    for (uint32_t b = 0; b < 1U << V4_INDEX_BITS; b++)
        t->v4[b] = v4_start_of(t, b);
}

bool prefix_trie_lookup(const struct prefix_trie *t, const struct ip_addr *addr, uint32_t *value)
{
    uint64_t hi = addr_hi(addr), lo = addr_lo(addr);
    const struct trie_node *n = &t->nodes[0];
    const struct trie_node *best = n->has_value ? n : NULL;
    if (t->v4 && hi == V4_MAPPED_HI && lo >> 32 == V4_MAPPED_LO_TOP) {
        struct v4_start st = t->v4[(lo >> 16) & 0xffff];
        best = st.best == NO_NODE ? NULL : &t->nodes[st.best];
        n = st.node == NO_NODE ? NULL : &t->nodes[st.node];
    }
    while (n && n->len < 128) {
        uint32_t c = n->child[key_bit(hi, lo, n->len)];
        if (c == NO_NODE || !node_contains(&t->nodes[c], hi, lo))
            break;
        n = &t->nodes[c];
        if (n->has_value)
            best = n;
    }
    if (best)
        *value = best->value;
    return best != NULL;
}

bool prefix_trie_find(const struct prefix_trie *t, const struct ip_addr *addr, unsigned len,
                      uint32_t *value)
{
    uint64_t hi = addr_hi(addr), lo = addr_lo(addr);
    mask_key(&hi, &lo, len);
    const struct trie_node *n = &t->nodes[0];
    while (n->len < len) {
        uint32_t c = n->child[key_bit(hi, lo, n->len)];
        if (c == NO_NODE || t->nodes[c].len > len || !node_contains(&t->nodes[c], hi, lo))
            return false;
        n = &t->nodes[c];
    }
    if (n->len != len || !n->has_value || n->hi != hi || n->lo != lo)
        return false;
    *value = n->value;
    return true;
}

size_t prefix_trie_matches(const struct prefix_trie *t, const struct ip_addr *addr,
                           uint32_t *values, size_t max)
{
    uint64_t hi = addr_hi(addr), lo = addr_lo(addr);
    const struct trie_node *n = &t->nodes[0];
    size_t found = 0;
    if (n->has_value && found < max)
        values[found++] = n->value;
    while (n->len < 128 && found < max) {
        uint32_t c = n->child[key_bit(hi, lo, n->len)];
        if (c == NO_NODE || !node_contains(&t->nodes[c], hi, lo))
            break;
        n = &t->nodes[c];
        if (n->has_value)
            values[found++] = n->value;
    }
    return found;
}

size_t prefix_trie_count(const struct prefix_trie *t)
{
    return t->n_prefixes;
}
