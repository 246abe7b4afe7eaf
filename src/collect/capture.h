// SPDX-License-Identifier: MIT
// The packet capture probe's input: a live interface or a pcap file read through libpcap
// (this module is the only one that includes pcap.h), every frame decoded with decode_pkt()
// and counted into a flowtable at the frame's own timestamp. Link types: Ethernet, raw IP
// (DLT_RAW, DLT_IPV4, DLT_IPV6) and Linux cooked captures (SLL and SLL2, as on "any").
// Owned and used by one thread, the daemon's receive loop.
#ifndef FT_CAPTURE_H
#define FT_CAPTURE_H

#include "../base/err.h"
#include "../flow/flow.h"
#include "flowtable.h"

#include <stdbool.h>
#include <stdint.h>

#define CAPTURE_SNAPLEN_DEFAULT 256    /* bytes kept per frame: headers; lengths come from them */
#define CAPTURE_BUFFER_BYTES (8 << 20) /* kernel ring buffer asked for a live capture */
#define CAPTURE_TIMEOUT_MS 100         /* longest a live frame waits in the ring before poll */

/* Counters; the X-macro gives the struct fields and the names shown by `flowtally stats`.
 * Non-IP frames are counted by the flow table (non_ip). */
#define CAPTURE_COUNTERS(X)                                                                        \
    X(frames)         /* frames read from libpcap */                                               \
    X(drop_truncated) /* frames captured too short to hold an IP header: not counted */            \
    X(drop_kernel)    /* live: frames the kernel dropped, its buffer full (pcap ps_drop) */        \
    X(drop_iface)     /* live: frames the interface or driver dropped (pcap ps_ifdrop) */

struct capture_counters {
#define X(name) uint64_t name;
    CAPTURE_COUNTERS(X)
#undef X
};

struct capture; /* opaque */

/* Opens a live capture on iface (promiscuous, snaplen bytes per frame, 0 for
 * CAPTURE_SNAPLEN_DEFAULT), non-blocking, with an optional BPF filter (NULL or "" = every
 * frame; tcpdump syntax). Returns a new capture, caller closes with capture_close(), or NULL
 * with a message in errbuf (ERR_BUF_LEN bytes): no such interface, no permission (it needs
 * CAP_NET_RAW), a bad filter, an unsupported link type. */
struct capture *capture_open_live(const char *iface, const char *bpf_filter, int snaplen,
                                  char *errbuf);

/* Opens a pcap or pcapng file, with an optional BPF filter as above. Returns a new capture,
 * caller closes with capture_close(), or NULL with a message in errbuf. */
struct capture *capture_open_file(const char *path, const char *bpf_filter, char *errbuf);

/* Closes the capture; NULL is a no-op. */
void capture_close(struct capture *cap);

/* A descriptor that poll() reports readable when frames wait (pcap_get_selectable_fd), or
 * -1. A file's is always readable: call capture_dispatch() until capture_eof(). A live
 * capture's may stay quiet up to CAPTURE_TIMEOUT_MS after a frame arrives. */
int capture_fd(const struct capture *cap);

/* Reads up to max_packets (> 0) waiting frames without blocking, decodes each and adds it
 * to ft at its capture timestamp, then expires the flows of ft that are due at the latest
 * timestamp seen so far (so a file expires flows in its own time). Flows that end go to sink.
 * Returns the number of frames read (0 when none are waiting, or at the end of a file), or
 * -EIO when libpcap fails (logged: the interface went away). */
int capture_dispatch(struct capture *cap, int max_packets, struct flowtable *ft,
                     const struct flow_sink *sink);

/* True once a file has been read to its end (never for a live capture). The caller then
 * flushes ft with flowtable_flush_all(). */
bool capture_eof(const struct capture *cap);

/* Reads libpcap's drop counters of a live capture (pcap_stats) and adds their increase since
 * the last call to drop_kernel and drop_iface. A no-op for a file. Returns 0, or -EIO when
 * libpcap cannot tell (logged). */
int capture_read_drops(struct capture *cap);

/* The counters since capture_open_*(). Borrowed; valid until capture_close(). */
const struct capture_counters *capture_counters(const struct capture *cap);

#ifdef FLOWTALLY_NDPI
/* The application nDPI detected for the connection f belongs to (either direction), e.g.
 * "TLS" or "Google", or NULL when unknown, still undecided or forgotten (the detection
 * table is direct-mapped and a colliding connection replaces an older one). Call it from
 * the sink, when f is emitted. Borrowed: a static string of nDPI. */
const char *capture_app_name(const struct capture *cap, const struct flow *f);
#endif

/* A sink that names each flow's application from the packets (nDPI, when built with
 * FLOWTALLY_NDPI; otherwise it passes flows on unchanged) before handing it to next. */
struct capture_sink {
    const struct flow_sink *next; /* borrowed */
    const struct capture *cap;    /* borrowed */
    struct flow_sink sink;        /* give this one to the flow table */
};

/* Sets cs up; cs->sink is valid as long as cs, cap and next are. */
void capture_sink_init(struct capture_sink *cs, const struct capture *cap,
                       const struct flow_sink *next);

#endif
