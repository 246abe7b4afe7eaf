// SPDX-License-Identifier: MIT
// libFuzzer target for the log parsers and the log follower. The input's first three
// bytes choose a format, a follower scenario and a split point; the rest is a log's text.
// The text is parsed by logs_parse in all three formats: every record must be well formed,
// the counters must add up and match the calls, and the messages must be
// "FILE:LINE: expected ..., got ...". Then the text is written to a file in two pieces,
// with a poll after each, by appending, or with a rotation by rename or a truncation in
// between: the follower must emit exactly what logs_parse emits for the complete lines of
// each file, and count a partial line cut off by the rotation or truncation as malformed.
#include "../../src/collect/logs.h"
#include "fuzz.h"

#include <fcntl.h>
#include <unistd.h>

#define FUZZ_FILE "fuzz.log"
#define MAX_SECONDS_MS 253402300799999ULL

struct log_check {
    enum log_format fmt;
    uint64_t n_usage, n_mappings;
    uint64_t digest; /* over every record emitted, in order */
};

static void check_user(const char *user)
{
    const char *nul = memchr(user, '\0', BINDING_NAME_MAX);
    FUZZ_CHECK(nul != NULL);
    for (const char *p = user; p < nul; p++)
        FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
}

static void check_mac(bool has_mac, const uint8_t *mac)
{
    static const uint8_t zero[6];
    if (!has_mac)
        FUZZ_CHECK(memcmp(mac, zero, 6) == 0);
}

static uint64_t mix_user_mac(uint64_t h, const char *user, bool has_mac, const uint8_t *mac)
{
    for (const char *p = user; *p; p++)
        h = fuzz_mix(h, (unsigned char)*p);
    h = fuzz_mix(h, has_mac);
    for (int i = 0; i < 6; i++)
        h = fuzz_mix(h, mac[i]);
    return h;
}

static void check_usage(void *ctx, const struct log_usage *u)
{
    struct log_check *c = ctx;
    static const struct ip_addr zero;
    FUZZ_CHECK(c->fmt != LOG_MAPPING);
    FUZZ_CHECK(u->time_ms <= MAX_SECONDS_MS);
    check_user(u->user);
    check_mac(u->has_mac, u->mac);
    FUZZ_CHECK(u->has_local || addr_eq(&u->local, &zero));
    FUZZ_CHECK(u->has_remote || addr_eq(&u->remote, &zero));
    FUZZ_CHECK(u->bytes_in <= LOGS_BYTES_MAX && u->bytes_out <= LOGS_BYTES_MAX);
    if (c->fmt == LOG_SQUID) {
        /* Squid logs only what went to the client, and a line without bytes is skipped. */
        FUZZ_CHECK(u->bytes_in > 0 && u->bytes_out == 0 && !u->has_mac);
    } else {
        FUZZ_CHECK(u->bytes_in > 0 || u->bytes_out > 0);
        FUZZ_CHECK(u->user[0] != '\0' || u->has_mac || u->has_local);
    }
    uint64_t h = fuzz_mix(c->digest, u->time_ms);
    h = mix_user_mac(h, u->user, u->has_mac, u->mac);
    h = fuzz_mix(h, (uint64_t)u->has_local << 1 | u->has_remote);
    h = fuzz_mix(h, addr_hi(&u->local) ^ addr_lo(&u->local));
    h = fuzz_mix(h, addr_hi(&u->remote) ^ addr_lo(&u->remote));
    h = fuzz_mix(h, u->bytes_in);
    c->digest = fuzz_mix(h, u->bytes_out);
    c->n_usage++;
}

static void check_mapping(void *ctx, const struct log_mapping *m)
{
    struct log_check *c = ctx;
    FUZZ_CHECK(c->fmt == LOG_MAPPING);
    FUZZ_CHECK(m->time_ms <= MAX_SECONDS_MS);
    check_user(m->user);
    check_mac(m->has_mac, m->mac);
    uint64_t h = fuzz_mix(c->digest, m->time_ms);
    h = mix_user_mac(h, m->user, m->has_mac, m->mac);
    h = fuzz_mix(h, addr_hi(&m->ip));
    c->digest = fuzz_mix(h, addr_lo(&m->ip));
    c->n_mappings++;
}

/* Every message is "FILE:LINE: expected ..., got ...", at most LOGS_ERRORS_SHOWN of them.
 * Returns how many there are. */
static size_t check_errbuf(const char *errbuf, const char *filename)
{
    size_t n = 0, name_len = strlen(filename);
    FUZZ_CHECK(memchr(errbuf, '\0', ERR_BUF_LEN) != NULL);
    for (const char *p = errbuf; *p; n++) {
        const char *end = strchr(p, '\n');
        FUZZ_CHECK(strncmp(p, filename, name_len) == 0 && p[name_len] == ':');
        const char *q = p + name_len + 1;
        FUZZ_CHECK(*q >= '1' && *q <= '9');
        while (*q >= '0' && *q <= '9')
            q++;
        FUZZ_CHECK(strncmp(q, ": expected ", 11) == 0);
        const char *got = strstr(q, ", got ");
        FUZZ_CHECK(got != NULL && (!end || got < end));
        p = end ? end + 1 : p + strlen(p);
    }
    FUZZ_CHECK(n <= LOGS_ERRORS_SHOWN);
    return n;
}

static void check_counters(const struct log_counters *c, const struct log_check *k)
{
    FUZZ_CHECK(c->lines ==
               c->usage + c->mappings + c->denied + c->ignored + c->comments + c->malformed);
    FUZZ_CHECK(c->usage == k->n_usage && c->mappings == k->n_mappings);
    FUZZ_CHECK(k->fmt == LOG_SQUID || c->denied == 0);
    FUZZ_CHECK(k->fmt != LOG_MAPPING || c->ignored == 0);
}

/* logs_parse on text, adding to *k and *c. OUT: errbuf. Returns the number of malformed
 * lines. */
static uint64_t parse_text(enum log_format fmt, const char *text, size_t len, const char *name,
                           struct log_check *k, struct log_counters *c, char *errbuf)
{
    memset(errbuf, 'x', ERR_BUF_LEN); /* must be overwritten and terminated */
    struct log_counters before = *c;
    uint64_t bad = logs_parse(fmt, text, len, name, check_usage, check_mapping, k, c, errbuf);
    FUZZ_CHECK(bad == c->malformed - before.malformed);
    size_t n_lines = 0;
    for (size_t i = 0; i < len; i++)
        n_lines += text[i] == '\n';
    n_lines += len > 0 && text[len - 1] != '\n';
    FUZZ_CHECK(c->lines - before.lines == n_lines);
    size_t shown = check_errbuf(errbuf, name);
    FUZZ_CHECK(shown == (bad < LOGS_ERRORS_SHOWN ? bad : LOGS_ERRORS_SHOWN));
    check_counters(c, k);
    return bad;
}

/* The length of text up to and with its last newline. */
static size_t complete_len(const char *text, size_t len)
{
    while (len > 0 && text[len - 1] != '\n')
        len--;
    return len;
}

static void write_file(const char *path, const char *text, size_t len, bool is_append)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (is_append ? O_APPEND : O_TRUNC), 0600);
    FUZZ_CHECK(fd >= 0);
    FUZZ_CHECK(len == 0 || write(fd, text, len) == (ssize_t)len);
    close(fd);
}

enum scenario { APPEND, ROTATE, TRUNCATE };

/* The follower over the two pieces must give what logs_parse gives for the complete lines
 * of each file it reads, plus one malformed line for a partial line that is cut off: by
 * the rotation or truncation, or by its length (it is refused once it passes
 * LOGS_LINE_MAX, newline or not). */
static void check_follower(enum log_format fmt, enum scenario how, const char *text, size_t len,
                           size_t split)
{
    static char want_err[ERR_BUF_LEN], got_err[ERR_BUF_LEN], all_err[3 * ERR_BUF_LEN];
    char path[64], old[72];
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(path, sizeof path, "%.40s/fuzz_logs.%ld", dir, (long)getpid());
    snprintf(old, sizeof old, "%s.1", path);
    const char *p1 = text, *p2 = text + split;
    size_t n1 = split, n2 = len - split, c1 = complete_len(p1, n1);
    /* Truncation is certain only when the new file is shorter than what was read; a
     * rotation is followed only once the new file has data. */
    bool is_switch = (how == TRUNCATE && n2 < n1) || (how == ROTATE && n2 > 0);

    struct log_check want = {.fmt = fmt};
    struct log_counters want_c = {0};
    if (!is_switch) {
        size_t c = complete_len(text, len);
        parse_text(fmt, text, c, path, &want, &want_c, want_err);
        if (len - c > LOGS_LINE_MAX)
            want_c.lines++, want_c.malformed++;
    } else {
        parse_text(fmt, p1, c1, path, &want, &want_c, want_err);
        if (c1 < n1)
            want_c.lines++, want_c.malformed++;
        parse_text(fmt, p2, complete_len(p2, n2), path, &want, &want_c, got_err);
        if (n2 - complete_len(p2, n2) > LOGS_LINE_MAX)
            want_c.lines++, want_c.malformed++;
        if (how == ROTATE)
            want_c.rotations = 1;
        else
            want_c.truncations = 1;
    }

    struct log_check got = {.fmt = fmt};
    struct log_counters got_c = {0};
    unlink(old);
    write_file(path, p1, n1, false);
    struct log_follower *f = logfollow_open(path, 0, 0);
    FUZZ_CHECK(logfollow_poll(f, fmt, check_usage, check_mapping, &got, &got_c, got_err) == 0);
    check_errbuf(got_err, path);
    snprintf(all_err, sizeof all_err, "%s", got_err);
    uint64_t inode, offset;
    logfollow_position(f, &inode, &offset);
    FUZZ_CHECK(offset == c1);
    if (how == ROTATE) {
        FUZZ_CHECK(rename(path, old) == 0);
        write_file(path, p2, n2, false);
    } else {
        if (how == TRUNCATE && is_switch)
            FUZZ_CHECK(truncate(path, 0) == 0);
        write_file(path, p2, n2, true);
    }
    FUZZ_CHECK(logfollow_poll(f, fmt, check_usage, check_mapping, &got, &got_c, got_err) == 0);
    check_errbuf(got_err, path);
    size_t n = strlen(all_err);
    snprintf(all_err + n, sizeof all_err - n, "%s%s", n && got_err[0] ? "\n" : "", got_err);
    check_counters(&got_c, &got);
    FUZZ_CHECK(memcmp(&got_c, &want_c, sizeof got_c) == 0);
    FUZZ_CHECK(got.digest == want.digest);
    /* Read in one go, the same lines are reported first, in the same words. */
    if (!is_switch)
        FUZZ_CHECK(strncmp(all_err, want_err, strlen(want_err)) == 0);
    logfollow_close(f);
    unlink(path);
    unlink(old);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint8_t head[3] = {0};
    size_t skip = size < 3 ? size : 3;
    memcpy(head, data, skip);
    const char *text = (const char *)data + skip;
    size_t len = size - skip;

    static char errbuf[ERR_BUF_LEN];
    for (int fmt = LOG_SQUID; fmt <= LOG_MAPPING; fmt++) {
        struct log_check k = {.fmt = (enum log_format)fmt};
        struct log_counters c = {0};
        parse_text((enum log_format)fmt, text, len, FUZZ_FILE, &k, &c, errbuf);
    }
    size_t split = len ? ((size_t)head[2] << 8 | head[1]) % (len + 1) : 0;
    check_follower((enum log_format)(head[0] % 3), (enum scenario)(head[0] / 3 % 3), text, len,
                   split);
    return 0;
}
