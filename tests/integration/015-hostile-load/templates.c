// SPDX-License-Identifier: MIT
// Writes a flowgen .dgrams file (per datagram: 4-byte length, 4-byte record count, bytes) of
// NetFlow v9 datagrams that define every template id from 256 to 65535 (RFC 3954 §5.2),
// 100 templates of one field per datagram: an exporter trying to fill the collector's
// memory with templates.
#include <stdint.h>
#include <stdio.h>

static size_t put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return 2;
}

static size_t put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    return 2 + put16(p + 2, (uint16_t)v);
}

int main(int argc, char **argv)
{
    FILE *out = argc == 2 ? fopen(argv[1], "wb") : NULL;
    if (!out)
        return 2;
    uint8_t d[1500];
    uint32_t seq = 0;
    for (uint32_t id = 256; id <= 65535;) {
        size_t n = 0;
        n += put16(d + n, 9);
        n += put16(d + n, 100);
        n += put32(d + n, 1000);       /* sysUptime */
        n += put32(d + n, 1790000000); /* unix secs */
        n += put32(d + n, seq++);
        n += put32(d + n, 1); /* source id */
        size_t set = n;
        n += put16(d + n, 0); /* template flowset */
        n += put16(d + n, 0);
        for (int k = 0; k < 100 && id <= 65535; k++, id++) {
            n += put16(d + n, (uint16_t)id);
            n += put16(d + n, 1);
            n += put16(d + n, 1); /* IN_BYTES, 4 bytes */
            n += put16(d + n, 4);
        }
        put16(d + set + 2, (uint16_t)(n - set));
        uint8_t hdr[8];
        put32(hdr, (uint32_t)n);
        put32(hdr + 4, 0);
        if (fwrite(hdr, 1, 8, out) != 8 || fwrite(d, 1, n, out) != n)
            return 1;
    }
    return fclose(out) == 0 ? 0 : 1;
}
