// SPDX-License-Identifier: MIT
// Appends N transit UDP packets (192.0.2.1 -> 192.0.2.2, outside every local network) to a
// classic little-endian pcap file, one second after its last packet. pmacctd 1.7.7's
// sfprobe never sends its last partly filled datagram; these packets fill it, and the
// collector's per-host totals of the local hosts are not touched by them.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t get_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    FILE *f = fopen(argv[1], "r+b");
    uint8_t hdr[24], rec[16];
    if (!f || fread(hdr, 1, 24, f) != 24 || get_le32(hdr) != 0xa1b2c3d4)
        return 1;
    uint32_t last_sec = 0;
    while (fread(rec, 1, 16, f) == 16) {
        last_sec = get_le32(rec);
        if (fseek(f, (long)get_le32(rec + 8), SEEK_CUR) != 0)
            return 1;
    }
    /* Ethernet + IPv4 (20) + UDP (8): an IP datagram of 28 bytes */
    uint8_t frame[42] = {2,    0, 0,   0,  0, 2, 2, 0, 0,  0,  0, 1, 0x08, 0x00,
                         0x45, 0, 0,   28, 0, 0, 0, 0, 64, 17, 0, 0, 192,  0,
                         2,    1, 192, 0,  2, 2, 0, 9, 0,  9,  0, 8, 0,    0};
    uint32_t sum = 0;
    for (int i = 14; i < 34; i += 2)
        sum += (uint32_t)(frame[i] << 8 | frame[i + 1]);
    sum = (sum >> 16) + (sum & 0xffff);
    sum += sum >> 16;
    frame[24] = (uint8_t)(~sum >> 8);
    frame[25] = (uint8_t)~sum;
    fseek(f, 0, SEEK_END);
    for (int n = atoi(argv[2]), i = 0; i < n; i++) {
        le32(rec, last_sec + 1 + (uint32_t)i);
        le32(rec + 4, 0);
        le32(rec + 8, sizeof frame);
        le32(rec + 12, sizeof frame);
        if (fwrite(rec, 1, 16, f) != 16 || fwrite(frame, 1, sizeof frame, f) != sizeof frame)
            return 1;
    }
    return fclose(f) == 0 ? 0 : 1;
}
