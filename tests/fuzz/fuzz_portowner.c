// SPDX-License-Identifier: MIT
// libFuzzer target for base/portowner.c's reader of /proc/net/{udp,tcp}{,6} lines. The
// kernel writes those files, but a port's holder is looked up after a failed bind on any
// machine, so the reader must take whatever a line holds. The input is one line (a NUL
// ends it early), read for both protocols and the port its first two bytes give: a line
// taken must give a non-zero inode, and one that is not leaves the inode untouched.
#include "../../src/base/portowner.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    uint16_t port = (uint16_t)(data[0] << 8 | data[1]);
    char *line = malloc(size - 1); /* exactly the line and its NUL */
    if (!line)
        return 0;
    memcpy(line, data + 2, size - 2);
    line[size - 2] = '\0';
    for (int is_tcp = 0; is_tcp <= 1; is_tcp++) {
        uint64_t inode = 7;
        bool taken = portowner_parse_line(line, is_tcp, port, &inode);
        FUZZ_CHECK(taken ? inode != 0 : inode == 7);
    }
    free(line);
    return 0;
}
