// SPDX-License-Identifier: MIT
// libFuzzer target for the configuration file parser. The input is written as a config file
// and loaded over the defaults. A load either succeeds, and then the effective
// configuration dumps and validates, or fails with an error naming the file and a line
// ("FILE:LINE: ...") or the file alone (unreadable); it never crashes or leaks. A secret
// given in radius_clients never appears in the dump.
#include "../../src/config/config.h"
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char path[64];

static void cleanup(void)
{
    unlink(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!path[0]) {
        snprintf(path, sizeof path, "%s/fuzz-config-%d.conf",
                 access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp", (int)getpid());
        atexit(cleanup);
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    if (size)
        fwrite(data, 1, size, f);
    fclose(f);

    struct config cfg;
    char errbuf[ERR_BUF_LEN] = "";
    config_init(&cfg);
    int rc = config_load_file(&cfg, path, errbuf);
    if (rc == 0) {
        char *dump = NULL;
        size_t dump_len = 0;
        FILE *out = open_memstream(&dump, &dump_len);
        config_dump(&cfg, out);
        fclose(out);
        /* every secret is masked: the dump holds no "=" inside radius_clients but "=***" */
        const char *line = strstr(dump, "\nradius_clients = ");
        FUZZ_CHECK(line != NULL);
        for (const char *p = line + 18; *p && *p != '\n'; p++)
            FUZZ_CHECK(*p != '=' || strncmp(p, "=********", 9) == 0);
        free(dump);
        (void)config_validate(&cfg, errbuf);
    } else {
        FUZZ_CHECK(strncmp(errbuf, path, strlen(path)) == 0);
    }
    config_deinit(&cfg);
    return 0;
}
