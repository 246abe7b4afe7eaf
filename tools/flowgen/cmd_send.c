// SPDX-License-Identifier: MIT
// `flowgen send`: replays a .dgrams file over UDP to a loopback collector
// with sendmmsg(), optionally paced to a record rate against
// CLOCK_MONOTONIC. Targets other than 127.0.0.0/8 and ::1 are refused, and
// both the planned and the actual run time are capped, so a test can never
// flood a real network or run away. With --exporters K the file is sent
// once from each of K loopback source addresses, batch by batch, as K
// routers exporting the same traffic would.
#include "flowgen.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH_MAX 64
#define MAX_RUN_SECS 600.0   // refuse plans longer than 10 minutes
#define HARD_STOP_SECS 660.0 // abort a run that overshoots by a minute
#define MAX_RATE 100000000ull
#define MAX_LOOPS 1000000ull
#define SNDBUF_BYTES (4 << 20)
#define MAX_EXPORTERS 64

enum { OPT_IN, OPT_TO, OPT_RATE, OPT_LOOPS, OPT_FROM, OPT_EXPORTERS, OPT_COUNT };

struct senders {
    int fd[MAX_EXPORTERS];
    size_t n;
};

struct send_target {
    struct sockaddr_storage addr;
    socklen_t addr_len;
};

struct send_progress {
    uint64_t datagrams;
    uint64_t records;
};

static double now_secs(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint16_t parse_port(const char *port)
{
    return (uint16_t)cli_u64("--to port", port, 1, 65535);
}

// Accepts "A.B.C.D:PORT" in 127.0.0.0/8 or "[::1]:PORT". Only literals: a
// name lookup could resolve to a non-loopback address.
static void parse_target(const char *v, struct send_target *t)
{
    const char *want = "127.x.y.z:PORT or [::1]:PORT (loopback only)";
    char host[INET6_ADDRSTRLEN + 2];
    const char *colon = strrchr(v, ':');
    size_t hlen = colon ? (size_t)(colon - v) : 0;

    memset(t, 0, sizeof(*t));
    if (!colon || hlen == 0 || hlen >= sizeof(host))
        cli_fail("--to", want, v);
    memcpy(host, v, hlen);
    host[hlen] = '\0';
    if (host[0] == '[' && host[hlen - 1] == ']') {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)&t->addr;

        host[hlen - 1] = '\0';
        if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1 ||
            !IN6_IS_ADDR_LOOPBACK(&a->sin6_addr))
            cli_fail("--to", want, v);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(parse_port(colon + 1));
        t->addr_len = sizeof(*a);
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)&t->addr;

        if (inet_pton(AF_INET, host, &a->sin_addr) != 1 || (ntohl(a->sin_addr.s_addr) >> 24) != 127)
            cli_fail("--to", want, v);
        a->sin_family = AF_INET;
        a->sin_port = htons(parse_port(colon + 1));
        t->addr_len = sizeof(*a);
    }
}

// Sends entries [first, first+n) and retries the unsent tail, because
// sendmmsg() may stop early (e.g. on a signal) after a partial batch.
static int send_batch(int fd, const struct send_target *t, const struct dgram_entry *e, size_t n)
{
    struct mmsghdr msgs[BATCH_MAX];
    struct iovec iov[BATCH_MAX];
    size_t done = 0;

    memset(msgs, 0, sizeof(msgs));
    for (size_t i = 0; i < n; i++) {
        iov[i].iov_base = (void *)e[i].bytes;
        iov[i].iov_len = e[i].len;
        msgs[i].msg_hdr.msg_name = (void *)&t->addr;
        msgs[i].msg_hdr.msg_namelen = t->addr_len;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
    }
    while (done < n) {
        int r = sendmmsg(fd, msgs + done, (unsigned)(n - done), 0);

        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            perror("flowgen: sendmmsg");
            return -1;
        }
        done += (size_t)r;
    }
    return 0;
}

// Sleeps until `start + records / rate`. Sleeping to an absolute deadline
// means oversleeps are not cumulative: a late batch is followed by early
// ones until the schedule is met again.
static void pace(double start, uint64_t records, uint64_t rate)
{
    double due = start + (double)records / (double)rate;
    struct timespec ts;

    if (now_secs() >= due)
        return;
    ts.tv_sec = (time_t)due;
    ts.tv_nsec = (long)((due - (double)ts.tv_sec) * 1e9);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

// How many entries from `first` go in the next batch. When paced, a batch
// is cut at about one millisecond worth of records so the receiver sees a
// smooth stream instead of 64-datagram bursts at low rates.
static size_t batch_size(const struct dgram_file *f, size_t first, uint64_t rate)
{
    uint64_t burst = rate / 1000 ? rate / 1000 : 1, recs = 0;
    size_t n = 0;

    while (first + n < f->count && n < BATCH_MAX) {
        recs += f->entries[first + n].records;
        n++;
        if (rate && recs >= burst)
            break;
    }
    return n;
}

// One pass over the file, each batch from every sender in turn. Returns -1
// on a send error or the hard stop.
static int send_loop(const struct senders *s, const struct send_target *t,
                     const struct dgram_file *f, uint64_t rate, double start,
                     struct send_progress *p)
{
    size_t i = 0;

    while (i < f->count) {
        size_t n = batch_size(f, i, rate / s->n);
        uint64_t recs = 0;

        if (rate)
            pace(start, p->records, rate);
        if (now_secs() - start > HARD_STOP_SECS) {
            fputs("flowgen: send: run time limit reached\n", stderr);
            return -1;
        }
        for (size_t e = 0; e < s->n; e++)
            if (send_batch(s->fd[e], t, &f->entries[i], n) != 0)
                return -1;
        for (size_t k = 0; k < n; k++)
            recs += f->entries[i + k].records;
        p->records += recs * s->n;
        p->datagrams += n * s->n;
        i += n;
    }
    return 0;
}

// Binds the sending socket to a loopback source address (--from, plus
// `offset` for the later of several exporters), so a test can play several
// exporters at once; port 0 lets the kernel pick.
static int bind_from(int fd, const char *from, uint32_t offset)
{
    struct send_target src;
    char spec[INET6_ADDRSTRLEN + 8];

    snprintf(spec, sizeof(spec), strchr(from, ':') ? "[%s]:1" : "%s:1", from);
    parse_target(spec, &src);
    if (src.addr.ss_family == AF_INET) {
        struct sockaddr_in *a = (struct sockaddr_in *)&src.addr;
        uint32_t addr = ntohl(a->sin_addr.s_addr) + offset;

        if ((addr >> 24) != 127 || (addr & 0xff) == 0xff) {
            fputs("flowgen: --from plus --exporters leaves 127.0.0.0/8\n", stderr);
            return -1;
        }
        a->sin_addr.s_addr = htonl(addr);
        a->sin_port = 0;
    } else {
        ((struct sockaddr_in6 *)&src.addr)->sin6_port = 0;
    }
    if (bind(fd, (struct sockaddr *)&src.addr, src.addr_len) != 0) {
        perror("flowgen: bind --from");
        return -1;
    }
    return 0;
}

static int open_socket(const struct send_target *t, const char *from, uint32_t offset)
{
    int fd = socket(t->addr.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    int sndbuf = SNDBUF_BYTES;

    if (fd < 0) {
        perror("flowgen: socket");
        return -1;
    }
    if (from && bind_from(fd, from, offset) != 0) {
        close(fd);
        return -1;
    }
    // Best effort: a larger buffer only smooths bursts.
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    return fd;
}

static int run_send(const struct dgram_file *f, const struct send_target *t, uint64_t rate,
                    uint64_t loops, const char *from, size_t exporters)
{
    struct send_progress p = {0, 0};
    struct senders s = {.n = 0};
    double start, secs;
    int rc = 0;

    if (exporters > 1 && !from)
        from = "127.0.0.1";
    for (; s.n < exporters; s.n++) {
        s.fd[s.n] = open_socket(t, from, (uint32_t)s.n);
        if (s.fd[s.n] < 0) {
            while (s.n > 0)
                close(s.fd[--s.n]);
            return FLOWGEN_EXIT_RUNTIME;
        }
    }
    start = now_secs();
    for (uint64_t l = 0; l < loops && rc == 0; l++)
        rc = send_loop(&s, t, f, rate, start, &p);
    secs = now_secs() - start;
    for (size_t e = 0; e < s.n; e++)
        close(s.fd[e]);
    printf("sent %llu datagrams, %llu records in %.3f s (%.0f records/s)\n",
           (unsigned long long)p.datagrams, (unsigned long long)p.records, secs,
           secs > 0 ? (double)p.records / secs : 0.0);
    return rc == 0 ? 0 : FLOWGEN_EXIT_RUNTIME;
}

int cmd_send(int argc, char **argv)
{
    struct cli_option o[OPT_COUNT] = {{"in", NULL},    {"to", NULL},   {"rate", NULL},
                                      {"loops", NULL}, {"from", NULL}, {"exporters", NULL}};
    struct send_target target;
    struct dgram_file f;
    uint64_t rate, loops, exporters;
    int rc;

    cli_parse(argc, argv, o, OPT_COUNT);
    if (!o[OPT_IN].value)
        cli_fail("--in", "FILE.dgrams (required)", NULL);
    if (!o[OPT_TO].value)
        cli_fail("--to", "HOST:PORT (required)", NULL);
    parse_target(o[OPT_TO].value, &target);
    rate = o[OPT_RATE].value ? cli_u64("--rate", o[OPT_RATE].value, 0, MAX_RATE) : 0;
    loops = o[OPT_LOOPS].value ? cli_u64("--loops", o[OPT_LOOPS].value, 1, MAX_LOOPS) : 1;
    exporters = o[OPT_EXPORTERS].value
                    ? cli_u64("--exporters", o[OPT_EXPORTERS].value, 1, MAX_EXPORTERS)
                    : 1;
    if (exporters > 1 && o[OPT_FROM].value && strchr(o[OPT_FROM].value, ':'))
        cli_fail("--exporters", "1 with an IPv6 --from (loopback has one IPv6 address)",
                 o[OPT_EXPORTERS].value);
    if (dgram_load(o[OPT_IN].value, &f) != 0)
        return FLOWGEN_EXIT_RUNTIME;
    if (rate &&
        (double)f.records * (double)loops * (double)exporters / (double)rate > MAX_RUN_SECS) {
        dgram_unload(&f);
        cli_fail("--rate",
                 "a rate that sends records * loops within "
                 "600 s",
                 o[OPT_RATE].value);
    }
    rc = run_send(&f, &target, rate, loops, o[OPT_FROM].value, (size_t)exporters);
    dgram_unload(&f);
    return rc;
}
