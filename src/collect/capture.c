// SPDX-License-Identifier: MIT
// libpcap glue for the capture probe: opening, the link-layer dispatch in front of
// decode_pkt(), timestamps in milliseconds, and libpcap's drop counters. The flow logic
// lives in flowtable.c. With -DFLOWTALLY_NDPI (and -lndpi) the first packets of every
// connection also go to nDPI, which names its application; see the section at the end.
#include "capture.h"

#include "../base/rd.h"
#include "../base/xalloc.h"
#include "decode_pkt.h"

#include <assert.h>
#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAG "capture"
#include "../base/log.h"

#ifdef FLOWTALLY_NDPI
#include <ndpi/ndpi_api.h>
#endif

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define SLL_HDR_LEN 16  /* Linux cooked v1: type, ARPHRD, addr len, addr[8], protocol */
#define SLL2_HDR_LEN 20 /* Linux cooked v2: protocol, reserved, ifindex, ARPHRD, ... */

enum link_kind {
    LINK_ETHERNET, /* DLT_EN10MB */
    LINK_IP,       /* DLT_RAW, DLT_IPV4, DLT_IPV6 */
    LINK_SLL,      /* DLT_LINUX_SLL */
    LINK_SLL2,     /* DLT_LINUX_SLL2 */
};

#ifdef FLOWTALLY_NDPI
struct dpi;
static struct dpi *dpi_new(char *errbuf);
static void dpi_free(struct dpi *d);
static void dpi_packet(struct dpi *d, const uint8_t *frame, size_t caplen, enum link_kind link,
                       const struct pkt_info *info, uint64_t ts_ms);
#endif

struct capture {
    pcap_t *pcap;          /* owned */
    enum link_kind link;   /* from pcap_datalink() */
    bool is_file;          /* reading a savefile, not an interface */
    bool is_eof;           /* the file has been read to its end */
    uint64_t clock_ms;     /* latest frame timestamp seen */
    unsigned last_ps_drop; /* pcap_stats() values at the last capture_read_drops() */
    unsigned last_ps_ifdrop;
    struct capture_counters c;
#ifdef FLOWTALLY_NDPI
    struct dpi *dpi; /* owned */
#endif
};

/* What the per-frame callback needs; lives on capture_dispatch()'s stack. */
struct dispatch_ctx {
    struct capture *cap;
    struct flowtable *ft;
    const struct flow_sink *sink;
};

static int link_kind_of(int dlt, enum link_kind *out)
{
    switch (dlt) {
    case DLT_EN10MB: *out = LINK_ETHERNET; return 0;
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6: *out = LINK_IP; return 0;
    case DLT_LINUX_SLL: *out = LINK_SLL; return 0;
    case DLT_LINUX_SLL2: *out = LINK_SLL2; return 0;
    }
    return ERR_UNSUPPORTED;
}

/* Checks the link type and installs the filter: the part both opens share. */
static struct capture *capture_setup(pcap_t *p, bool is_file, const char *what,
                                     const char *bpf_filter, char *errbuf)
{
    enum link_kind link;
    int dlt = pcap_datalink(p);
    if (link_kind_of(dlt, &link) != 0) {
        const char *name = pcap_datalink_val_to_name(dlt);
        snprintf(errbuf, ERR_BUF_LEN,
                 "%s: unsupported link type %d (%s); supported: EN10MB, RAW, IPV4, IPV6, "
                 "LINUX_SLL, LINUX_SLL2",
                 what, dlt, name ? name : "unknown");
        goto fail;
    }
    if (bpf_filter && *bpf_filter) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, bpf_filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            snprintf(errbuf, ERR_BUF_LEN, "%s: bad BPF filter '%s': %s", what, bpf_filter,
                     pcap_geterr(p));
            goto fail;
        }
        int rc = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (rc != 0) {
            snprintf(errbuf, ERR_BUF_LEN, "%s: cannot set BPF filter: %s", what, pcap_geterr(p));
            goto fail;
        }
    }
    struct capture *cap = xcalloc(1, sizeof *cap);
    cap->pcap = p;
    cap->link = link;
    cap->is_file = is_file;
#ifdef FLOWTALLY_NDPI
    cap->dpi = dpi_new(errbuf);
    if (!cap->dpi) {
        free(cap);
        goto fail;
    }
#endif
    return cap;
fail:
    pcap_close(p);
    return NULL;
}

struct capture *capture_open_live(const char *iface, const char *bpf_filter, int snaplen,
                                  char *errbuf)
{
    assert(iface && errbuf);
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_create(iface, perr);
    if (!p) {
        snprintf(errbuf, ERR_BUF_LEN, "capture on %s: %s", iface, perr);
        return NULL;
    }
    pcap_set_snaplen(p, snaplen > 0 ? snaplen : CAPTURE_SNAPLEN_DEFAULT);
    pcap_set_promisc(p, 1); /* a probe usually sits on a mirror port */
    pcap_set_timeout(p, CAPTURE_TIMEOUT_MS);
    pcap_set_buffer_size(p, CAPTURE_BUFFER_BYTES);
    int rc = pcap_activate(p);
    if (rc < 0) {
        /* PCAP_ERROR_PERM_DENIED, NO_SUCH_DEVICE, IFACE_NOT_UP...: geterr has the detail. */
        snprintf(errbuf, ERR_BUF_LEN, "capture on %s: %s (%s)", iface, pcap_statustostr(rc),
                 pcap_geterr(p));
        pcap_close(p);
        return NULL;
    }
    if (rc > 0)
        log_warn("capture on %s: %s (%s)", iface, pcap_statustostr(rc), pcap_geterr(p));
    if (pcap_setnonblock(p, 1, perr) != 0) {
        snprintf(errbuf, ERR_BUF_LEN, "capture on %s: %s", iface, perr);
        pcap_close(p);
        return NULL;
    }
    char what[ERR_BUF_LEN / 2];
    snprintf(what, sizeof what, "capture on %s", iface);
    return capture_setup(p, false, what, bpf_filter, errbuf);
}

struct capture *capture_open_file(const char *path, const char *bpf_filter, char *errbuf)
{
    assert(path && errbuf);
    char perr[PCAP_ERRBUF_SIZE] = "";
    pcap_t *p = pcap_open_offline(path, perr);
    if (!p) {
        snprintf(errbuf, ERR_BUF_LEN, "%s: %s", path, perr);
        return NULL;
    }
    return capture_setup(p, true, path, bpf_filter, errbuf);
}

void capture_close(struct capture *cap)
{
    if (!cap)
        return;
#ifdef FLOWTALLY_NDPI
    dpi_free(cap->dpi);
#endif
    pcap_close(cap->pcap);
    free(cap);
}

int capture_fd(const struct capture *cap)
{
    return pcap_get_selectable_fd(cap->pcap);
}

bool capture_eof(const struct capture *cap)
{
    return cap->is_eof;
}

const struct capture_counters *capture_counters(const struct capture *cap)
{
    return &cap->c;
}

/* Where the IP header starts in a Linux cooked frame, or -1 when the cooked header itself is
 * cut short. OUT: *is_ip says whether the frame carries IPv4 or IPv6. */
static long cooked_ip_offset(const uint8_t *frame, size_t caplen, enum link_kind link, bool *is_ip)
{
    struct rd r = rd_make(frame, caplen);
    uint16_t proto;
    size_t hdr_len;
    if (link == LINK_SLL) {
        rd_bytes(&r, 14);
        proto = rd_u16(&r);
        hdr_len = SLL_HDR_LEN;
    } else {
        proto = rd_u16(&r);
        rd_bytes(&r, SLL2_HDR_LEN - 2);
        hdr_len = SLL2_HDR_LEN;
    }
    if (r.err)
        return -1;
    *is_ip = proto == ETHERTYPE_IPV4 || proto == ETHERTYPE_IPV6;
    return (long)hdr_len;
}

/* A frame's timestamp in ms. A capture clock before 1970 is a broken clock: such a frame
 * counts at the epoch rather than wrapping around. */
static uint64_t frame_ms(const struct timeval *tv)
{
    if (tv->tv_sec < 0)
        return 0;
    return (uint64_t)tv->tv_sec * 1000 + (uint64_t)(tv->tv_usec > 0 ? tv->tv_usec : 0) / 1000;
}

static void on_frame(u_char *user, const struct pcap_pkthdr *h, const u_char *frame)
{
    struct dispatch_ctx *ctx = (struct dispatch_ctx *)user;
    struct capture *cap = ctx->cap;
    cap->c.frames++;
    uint64_t ts_ms = frame_ms(&h->ts);
    if (ts_ms > cap->clock_ms)
        cap->clock_ms = ts_ms;

    const uint8_t *p = frame;
    size_t len = h->caplen;
    enum pkt_link link = PKT_LINK_IP;
    struct pkt_info info;
    memset(&info, 0, sizeof info);
    int rc;
    switch (cap->link) {
    case LINK_ETHERNET: link = PKT_LINK_ETHERNET; break;
    case LINK_IP: break;
    case LINK_SLL:
    case LINK_SLL2: {
        bool is_ip = false;
        long off = cooked_ip_offset(frame, len, cap->link, &is_ip);
        if (off < 0) {
            cap->c.drop_truncated++;
            return;
        }
        if (!is_ip) {
            flowtable_add(ctx->ft, &info, ts_ms, ctx->sink); /* counted as non_ip */
            return;
        }
        p += off;
        len -= (size_t)off;
        break;
    }
    }
    rc = decode_pkt(p, len, link, &info);
    if (rc == ERR_UNSUPPORTED) {
        info.is_ip = false;
    } else if (rc < 0) {
        cap->c.drop_truncated++;
        return;
    }
    flowtable_add(ctx->ft, &info, ts_ms, ctx->sink);
#ifdef FLOWTALLY_NDPI
    if (info.is_ip && !info.is_fragment)
        dpi_packet(cap->dpi, frame, h->caplen, cap->link, &info, ts_ms);
#endif
}

int capture_dispatch(struct capture *cap, int max_packets, struct flowtable *ft,
                     const struct flow_sink *sink)
{
    assert(cap && ft && sink && max_packets > 0);
    if (cap->is_eof)
        return 0;
    struct dispatch_ctx ctx = {cap, ft, sink};
    int n = pcap_dispatch(cap->pcap, max_packets, on_frame, (u_char *)&ctx);
    if (n == PCAP_ERROR) {
        log_error("capture: %s", pcap_geterr(cap->pcap));
        return -EIO;
    }
    if (n < 0) /* PCAP_ERROR_BREAK: pcap_breakloop() is never called, treat as nothing read */
        n = 0;
    if (n == 0 && cap->is_file)
        cap->is_eof = true;
    if (n > 0)
        flowtable_expire(ft, cap->clock_ms, sink);
    return n;
}

static void name_and_emit(void *ctx, const struct flow *f)
{
    const struct capture_sink *cs = ctx;
#ifdef FLOWTALLY_NDPI
    struct flow named = *f;
    named.app_name = capture_app_name(cs->cap, f);
    flow_sink_emit(cs->next, &named);
#else
    flow_sink_emit(cs->next, f);
#endif
}

void capture_sink_init(struct capture_sink *cs, const struct capture *cap,
                       const struct flow_sink *next)
{
    cs->next = next;
    cs->cap = cap;
    cs->sink = (struct flow_sink){name_and_emit, cs};
}

int capture_read_drops(struct capture *cap)
{
    if (cap->is_file)
        return 0;
    struct pcap_stat ps;
    if (pcap_stats(cap->pcap, &ps) != 0) {
        log_rl_warn("capture: cannot read drop counters: %s", pcap_geterr(cap->pcap));
        return -EIO;
    }
    /* Both are running totals since activation in 32 bits: the difference is exact modulo
     * 2^32 as long as fewer than 2^32 drops happen between two calls. */
    cap->c.drop_kernel += (unsigned)(ps.ps_drop - cap->last_ps_drop);
    cap->c.drop_iface += (unsigned)(ps.ps_ifdrop - cap->last_ps_ifdrop);
    cap->last_ps_drop = ps.ps_drop;
    cap->last_ps_ifdrop = ps.ps_ifdrop;
    return 0;
}

#ifdef FLOWTALLY_NDPI
/* ---- nDPI (optional) -------------------------------------------------------------------
 * nDPI (ntop, LGPLv3; Debian libndpi-dev 4.2) reads a connection's first packets and names
 * its application from the payload. It wants both directions in one ndpi_flow_struct, so
 * this keeps its own table keyed by the connection with the endpoints in a fixed order. The
 * table is direct-mapped: a new connection whose slot is taken replaces the older one, so
 * memory is fixed; a replaced connection's flows fall back to the port table. A connection
 * is fed until nDPI names it, or for at most DPI_MAX_PACKETS packets (then nDPI's guess,
 * from ports, is kept), and its ~700-byte nDPI state is freed at once: only the protocol id
 * stays. capture_app_name() looks the answer up when a flow is emitted. */

#define DPI_SLOTS 65536    /* connections remembered; a power of two */
#define DPI_MAX_PACKETS 24 /* ndpiReader gives up on UDP after as many */
#define DPI_IDLE_MS 15000  /* a slot unused this long is a new connection */
#define IPPROTO_TCP_NUM 6
#define IPPROTO_UDP_NUM 17

struct dpi_key {
    struct ip_addr a, b; /* a sorts before b (with its port) */
    uint16_t port_a, port_b;
    uint8_t protocol;
};

struct dpi_session {
    struct dpi_key key;
    bool in_use;
    bool is_done;                  /* detection over: proto is final */
    uint16_t n_packets;            /* fed to nDPI so far */
    uint64_t last_ms;              /* last packet */
    struct ndpi_flow_struct *flow; /* owned while detecting, NULL once done */
    ndpi_protocol proto;
};

struct dpi {
    struct ndpi_detection_module_struct *mod; /* owned */
    struct dpi_session *slots;                /* owned: DPI_SLOTS */
};

static struct dpi *dpi_new(char *errbuf)
{
    struct ndpi_detection_module_struct *mod = ndpi_init_detection_module(ndpi_no_prefs);
    if (!mod) {
        snprintf(errbuf, ERR_BUF_LEN, "nDPI %s: cannot initialise", ndpi_revision());
        return NULL;
    }
    NDPI_PROTOCOL_BITMASK all;
    NDPI_BITMASK_SET_ALL(all);
    ndpi_set_protocol_detection_bitmask2(mod, &all);
    ndpi_finalize_initialization(mod);
    struct dpi *d = xcalloc(1, sizeof *d);
    d->mod = mod;
    d->slots = xcalloc(DPI_SLOTS, sizeof *d->slots);
    return d;
}

static void dpi_free(struct dpi *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < DPI_SLOTS; i++)
        if (d->slots[i].flow)
            ndpi_free_flow(d->slots[i].flow);
    free(d->slots);
    ndpi_exit_detection_module(d->mod);
    free(d);
}

static struct dpi_key dpi_key_of(const struct ip_addr *src, const struct ip_addr *dst,
                                 uint16_t src_port, uint16_t dst_port, uint8_t protocol)
{
    struct dpi_key k = {.protocol = protocol};
    bool has_ports = protocol == IPPROTO_TCP_NUM || protocol == IPPROTO_UDP_NUM;
    uint16_t sp = has_ports ? src_port : 0, dp = has_ports ? dst_port : 0;
    int c = memcmp(src->b, dst->b, 16);
    if (c < 0 || (c == 0 && sp <= dp)) {
        k.a = *src, k.b = *dst, k.port_a = sp, k.port_b = dp;
    } else {
        k.a = *dst, k.b = *src, k.port_a = dp, k.port_b = sp;
    }
    return k;
}

static size_t dpi_slot_of(const struct dpi_key *k)
{
    uint64_t h = addr_hi(&k->a) ^ addr_lo(&k->a) * 31 ^ addr_hi(&k->b) * 17 ^ addr_lo(&k->b) * 7 ^
                 ((uint64_t)k->port_a << 24 | (uint64_t)k->port_b << 8 | k->protocol);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return (size_t)h & (DPI_SLOTS - 1);
}

static bool dpi_key_eq(const struct dpi_key *x, const struct dpi_key *y)
{
    return addr_eq(&x->a, &y->a) && addr_eq(&x->b, &y->b) && x->port_a == y->port_a &&
           x->port_b == y->port_b && x->protocol == y->protocol;
}

/* Where the IP header starts in the frame, or -1 (the decoder already accepted the frame,
 * so this only re-walks the link header it skipped: Ethernet and its VLAN tags). */
static long dpi_l3_offset(const uint8_t *frame, size_t caplen, enum link_kind link)
{
    if (link == LINK_IP)
        return 0;
    if (link == LINK_SLL)
        return SLL_HDR_LEN;
    if (link == LINK_SLL2)
        return SLL2_HDR_LEN;
    struct rd r = rd_make(frame, caplen);
    rd_bytes(&r, 12);
    uint16_t type = rd_u16(&r);
    while (type == 0x8100 || type == 0x88a8) {
        rd_u16(&r);
        type = rd_u16(&r);
    }
    return r.err ? -1 : (long)(caplen - rd_left(&r));
}

static void dpi_packet(struct dpi *d, const uint8_t *frame, size_t caplen, enum link_kind link,
                       const struct pkt_info *info, uint64_t ts_ms)
{
    struct dpi_key k =
        dpi_key_of(&info->src, &info->dst, info->src_port, info->dst_port, info->protocol);
    struct dpi_session *s = &d->slots[dpi_slot_of(&k)];
    if (!s->in_use || !dpi_key_eq(&s->key, &k) || ts_ms >= s->last_ms + DPI_IDLE_MS) {
        if (s->flow)
            ndpi_free_flow(s->flow);
        memset(s, 0, sizeof *s);
        s->key = k;
        s->in_use = true;
        s->flow = ndpi_flow_malloc(ndpi_detection_get_sizeof_ndpi_flow_struct());
        if (s->flow)
            memset(s->flow, 0, ndpi_detection_get_sizeof_ndpi_flow_struct());
        else
            s->is_done = true; /* out of memory: this connection stays unnamed */
    }
    s->last_ms = ts_ms;
    if (s->is_done)
        return;
    long off = dpi_l3_offset(frame, caplen, link);
    if (off < 0 || (size_t)off >= caplen)
        return;
    size_t l3_len = caplen - (size_t)off;
    s->proto = ndpi_detection_process_packet(
        d->mod, s->flow, frame + off, (unsigned short)(l3_len > 65535 ? 65535 : l3_len), ts_ms);
    s->n_packets++;
    bool is_known = s->proto.app_protocol != NDPI_PROTOCOL_UNKNOWN ||
                    s->proto.master_protocol != NDPI_PROTOCOL_UNKNOWN;
    if (!is_known && s->n_packets >= DPI_MAX_PACKETS) {
        uint8_t guessed = 0;
        s->proto = ndpi_detection_giveup(d->mod, s->flow, 1, &guessed);
        is_known = true;
    }
    if (is_known) {
        ndpi_free_flow(s->flow);
        s->flow = NULL;
        s->is_done = true;
    }
}

const char *capture_app_name(const struct capture *cap, const struct flow *f)
{
    struct dpi_key k = dpi_key_of(&f->src, &f->dst, f->src_port, f->dst_port, f->protocol);
    const struct dpi_session *s = &cap->dpi->slots[dpi_slot_of(&k)];
    if (!s->in_use || !s->is_done || !dpi_key_eq(&s->key, &k))
        return NULL;
    uint16_t id = s->proto.app_protocol != NDPI_PROTOCOL_UNKNOWN ? s->proto.app_protocol
                                                                 : s->proto.master_protocol;
    if (id == NDPI_PROTOCOL_UNKNOWN)
        return NULL;
    return ndpi_get_proto_name(cap->dpi->mod, id);
}
#endif
