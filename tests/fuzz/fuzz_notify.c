// SPDX-License-Identifier: MIT
// libFuzzer target for the service manager's variables that notify_open() reads. The input
// is up to three NUL-separated strings: NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (one
// that is absent stays unset). Whatever they hold, the variables leave the environment; a
// refusal names the variable in errbuf and leaves no socket; an acceptance has an address
// that fits a sockaddr_un (an abstract name starting with NUL) and a watchdog interval of
// half the microseconds given. notify.c is included: no fuzz library holds daemon/.
#include "../../src/daemon/notify.c"
#include "fuzz.h"

static const char *const vars[] = {"NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *copy = malloc(size + 1);
    memcpy(copy, data, size);
    copy[size] = '\0';
    const char *val[3] = {NULL, NULL, NULL};
    char *p = copy;
    for (size_t i = 0; i < 3 && p <= copy + size; i++) {
        val[i] = p;
        p += strlen(p) + 1;
    }
    for (size_t i = 0; i < 3; i++) {
        if (val[i])
            setenv(vars[i], val[i], 1);
        else
            unsetenv(vars[i]);
    }
    struct notify n;
    char errbuf[ERR_BUF_LEN] = "";
    int rc = notify_open(&n, 1000, errbuf);
    for (size_t i = 0; i < 3; i++)
        FUZZ_CHECK(getenv(vars[i]) == NULL);
    if (rc == ERR_CONFIG) {
        FUZZ_CHECK(n.fd == -1 && n.watchdog_ms == 0);
        FUZZ_CHECK(strstr(errbuf, "NOTIFY_SOCKET=") == errbuf ||
                   strstr(errbuf, "WATCHDOG_USEC=") == errbuf ||
                   strstr(errbuf, "WATCHDOG_PID=") == errbuf);
    } else if (rc == 0 && val[0]) {
        FUZZ_CHECK(n.fd >= 0 && n.addr.sun_family == AF_UNIX);
        FUZZ_CHECK(n.addr_len <= sizeof n.addr);
        FUZZ_CHECK((val[0][0] == '@') == (n.addr.sun_path[0] == '\0'));
        if (n.watchdog_ms) {
            uint64_t us = strtoull(val[1], NULL, 10);
            FUZZ_CHECK(n.watchdog_ms == (us / 2000 ? us / 2000 : 1));
            FUZZ_CHECK(notify_watchdog(&n, 1000) == n.watchdog_ms); /* due at once */
        }
    } else if (rc == 0) {
        FUZZ_CHECK(n.fd == -1 && n.watchdog_ms == 0);
    }
    notify_close(&n);
    free(copy);
    return 0;
}
