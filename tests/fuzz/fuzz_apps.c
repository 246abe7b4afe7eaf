// SPDX-License-Identifier: MIT
// libFuzzer target for the application list loader. The whole input is the file, written
// to a path private to the process and loaded with apps_load(), so the line reader, the
// spec parser and service-name lookups in /etc/services all run as in the daemon. A load
// that fails must say where ("FILE:LINE: expected ..."); a table that loads must have
// unique valid names, "other" at id 0, every application owning at least one port or
// protocol (a spec always assigns one), and a valid id in every one of its slots.
#include "../../src/classify/apps.h"
#include "fuzz.h"

#include <strings.h>
#include <unistd.h>

static char path[64];

static void cleanup(void)
{
    unlink(path);
}

static void setup_path(void)
{
    if (path[0])
        return;
    snprintf(path, sizeof path, "%s/fuzz-apps-XXXXXX",
             access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    close(fd);
    atexit(cleanup);
}

static void check_table(const struct app_table *t)
{
    size_t n = apps_count(t);
    FUZZ_CHECK(n >= 1 && n <= APPS_MAX + 1);
    FUZZ_CHECK(strcmp(apps_name(t, APPS_OTHER), "other") == 0);
    FUZZ_CHECK(strcmp(apps_name(t, (uint16_t)n), "?") == 0);
    for (size_t i = 1; i < n; i++) {
        const char *name = apps_name(t, (uint16_t)i);
        size_t len = strlen(name);
        FUZZ_CHECK(len >= 1 && len <= APPS_NAME_MAX);
        FUZZ_CHECK(strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                "0123456789_.+-") == len);
        FUZZ_CHECK(strcasecmp(name, "other") != 0);
        FUZZ_CHECK(apps_find(t, name) == i); /* unique ignoring case */
    }
    /* Every slot names an existing app; every app owns a slot. */
    uint8_t *seen = calloc(n, 1);
    if (!seen)
        abort();
    for (unsigned port = 0; port < 65536; port++) {
        uint16_t tcp = apps_match(t, 6, (uint16_t)port), udp = apps_match(t, 17, (uint16_t)port);
        FUZZ_CHECK(tcp < n && udp < n);
        if (port == 0)
            FUZZ_CHECK(tcp == APPS_OTHER && udp == APPS_OTHER);
        seen[tcp] = seen[udp] = 1;
    }
    for (unsigned proto = 0; proto < 256; proto++) {
        uint16_t id = apps_match(t, (uint8_t)proto, (uint16_t)(proto * 257));
        FUZZ_CHECK(id < n);
        /* Other protocols ignore the port. */
        FUZZ_CHECK(proto == 6 || proto == 17 || id == apps_match(t, (uint8_t)proto, 0));
        seen[id] = 1;
    }
    for (size_t i = 1; i < n; i++)
        FUZZ_CHECK(seen[i]);
    free(seen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup_path();
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size)
        fwrite(data, 1, size, f);
    fclose(f);
    char errbuf[ERR_BUF_LEN];
    struct app_table *t = apps_load(path, errbuf);
    if (!t) {
        size_t len = strlen(path);
        FUZZ_CHECK(strncmp(errbuf, path, len) == 0 && errbuf[len] == ':');
        char *end;
        unsigned long line = strtoul(errbuf + len + 1, &end, 10);
        FUZZ_CHECK(line >= 1 && end > errbuf + len + 1 && strncmp(end, ": expected ", 11) == 0);
        return 0;
    }
    FUZZ_CHECK(errbuf[0] == '\0');
    check_table(t);
    apps_free(t);
    return 0;
}
