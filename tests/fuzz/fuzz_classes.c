// SPDX-License-Identifier: MIT
// libFuzzer target for the traffic classes loader. The input is a sequence of chunks in the
// datagram format of fuzz.h (2-byte big-endian length, then that many bytes): the first is
// the classes file, written as c.conf, and the next up to four are prefix files p0.txt to
// p3.txt beside it, which the classes file names as it likes. classes_load() then runs on
// the real files, in a directory private to the process. Inputs whose classes file holds a
// '/' are skipped, so prefix paths stay inside that directory (no /dev/stdin to block on,
// no /dev/zero to read forever). A load that fails must say where
// ("FILE:LINE: expected ..."); a table that loads must be self-consistent, and every
// match, at times and offsets drawn from the input, must return a class that exists and,
// if windowed, is open then.
#include "../../src/classify/classes.h"
#include "fuzz.h"

#include <unistd.h>

#define N_PREFIX_FILES 4

static char dir[64];

static void cleanup(void)
{
    char path[128];
    snprintf(path, sizeof path, "%s/c.conf", dir);
    unlink(path);
    for (int i = 0; i < N_PREFIX_FILES; i++) {
        snprintf(path, sizeof path, "%s/p%d.txt", dir, i);
        unlink(path);
    }
    rmdir(dir);
}

static void setup_dir(void)
{
    if (dir[0])
        return;
    snprintf(dir, sizeof dir, "%s/fuzz-classes-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    if (!mkdtemp(dir))
        abort();
    atexit(cleanup);
}

static void write_file(const char *path, const uint8_t *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (len)
        fwrite(data, 1, len, f);
    fclose(f);
}

static bool window_open(const struct class_info *c, unsigned minute)
{
    if (c->window_start_min < c->window_end_min)
        return minute >= c->window_start_min && minute < c->window_end_min;
    return minute >= c->window_start_min || minute < c->window_end_min;
}

static void check_table(const struct class_table *t)
{
    size_t n = classes_count(t);
    FUZZ_CHECK(n >= 1 && n <= CLASSES_MAX);
    size_t n_default = 0;
    for (size_t i = 0; i < n; i++) {
        uint16_t id = (uint16_t)i;
        const struct class_info *c = classes_get(t, id);
        FUZZ_CHECK(c != NULL && c->name == classes_name(t, id));
        size_t len = strlen(c->name);
        FUZZ_CHECK(len >= 1 && len <= CLASSES_NAME_MAX);
        FUZZ_CHECK(strspn(c->name, "abcdefghijklmnopqrstuvwxyz0123456789_-") == len);
        FUZZ_CHECK(classes_find(t, c->name) == id); /* names are unique */
        FUZZ_CHECK(c->price_micro_per_gb <= CLASSES_PRICE_MAX);
        if (c->has_window) {
            FUZZ_CHECK(c->window_start_min < 1440 && c->window_end_min <= 1440);
            FUZZ_CHECK(c->window_start_min != c->window_end_min);
            FUZZ_CHECK(!c->is_default);
        }
        if (c->is_default) {
            n_default++;
            FUZZ_CHECK(classes_default(t) == id);
        }
        if (c->is_builtin)
            FUZZ_CHECK(c->is_default && i == n - 1 && strcmp(c->name, "default") == 0 &&
                       c->price_micro_per_gb == 0 && c->counts_toward_quota);
        if (strcmp(c->name, "default") == 0)
            FUZZ_CHECK(c->is_default);
    }
    FUZZ_CHECK(n_default == 1);
    FUZZ_CHECK(classes_get(t, (uint16_t)n) == NULL);
}

/* Probes addresses and times derived from the input: every answer names a class, and a
 * windowed answer must be open at the probe's local minute. */
static void check_matches(const struct class_table *t, const uint8_t *data, size_t size)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 0x100000001b3ULL;
    for (int k = 0; k < 32; k++) {
        h = fuzz_mix(h, (uint64_t)k);
        struct ip_addr a = k % 2 ? addr_from_v4((uint32_t)(h >> 16)) : (struct ip_addr){{0}};
        if (k % 2 == 0)
            for (int j = 0; j < 16; j++)
                a.b[j] = (uint8_t)(fuzz_mix(h, (uint64_t)j) >> 8);
        /* take an address from the input now and then, so listed prefixes are hit */
        if (k % 4 == 3 && size >= 4)
            a = addr_from_v4(be32(data + (h % (size - 3))));
        uint64_t time_ms = h % (4102444800ULL * 1000); /* up to 2100 */
        int32_t offset_s = (int32_t)(h >> 40) % (14 * 3600 + 1);
        uint16_t id = classes_match_offset(t, &a, time_ms, offset_s);
        const struct class_info *c = classes_get(t, id);
        FUZZ_CHECK(c != NULL);
        if (c->has_window)
            FUZZ_CHECK(window_open(c, classes_local_minute(time_ms, offset_s)));
        FUZZ_CHECK(classes_get(t, classes_match(t, &a, time_ms)) != NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_dir();
    char path[128], errbuf[ERR_BUF_LEN] = "";
    struct dgram_iter it = dgram_iter_make(data, size);
    struct dgram d;
    int n_files = 0;
    snprintf(path, sizeof path, "%s/c.conf", dir);
    write_file(path, NULL, 0);
    for (int i = 0; i < N_PREFIX_FILES; i++) {
        snprintf(path, sizeof path, "%s/p%d.txt", dir, i);
        unlink(path); /* an absent prefix file is a case too */
    }
    while (n_files <= N_PREFIX_FILES && dgram_next(&it, &d)) {
        if (n_files == 0 && memchr(d.buf, '/', d.len)) {
            dgram_free(&d);
            return 0;
        }
        if (n_files == 0)
            snprintf(path, sizeof path, "%s/c.conf", dir);
        else
            snprintf(path, sizeof path, "%s/p%d.txt", dir, n_files - 1);
        write_file(path, d.buf, d.len);
        dgram_free(&d);
        n_files++;
    }
    snprintf(path, sizeof path, "%s/c.conf", dir);
    struct class_table *t = classes_load(path, errbuf);
    if (!t) {
        /* "FILE:LINE: expected ...", FILE being c.conf or a prefix file beside it */
        size_t dir_len = strlen(dir);
        FUZZ_CHECK(strncmp(errbuf, dir, dir_len) == 0 && errbuf[dir_len] == '/');
        const char *colon = strchr(errbuf + dir_len, ':');
        FUZZ_CHECK(colon != NULL);
        char *end;
        unsigned long line = strtoul(colon + 1, &end, 10);
        FUZZ_CHECK(line >= 1 && end > colon + 1 && strncmp(end, ": expected ", 11) == 0);
        return 0;
    }
    FUZZ_CHECK(errbuf[0] == '\0');
    check_table(t);
    check_matches(t, data, size);
    classes_free(t);
    return 0;
}
