// SPDX-License-Identifier: MIT
// Classic pcap file output. Every header field is written byte by byte in
// little-endian order instead of dumping host structs, so the file is the
// same on any host and readers identify the byte order from the magic
// number, as the format intends.

#include "pcap_file.h"

#define PCAP_MAGIC 0xa1b2c3d4u
#define PCAP_VERSION_MAJOR 2
#define PCAP_VERSION_MINOR 4
#define PCAP_SNAPLEN 65535u
#define PCAP_LINKTYPE_ETHERNET 1u

static void put_le16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

FILE *pcap_file_open(const char *path)
{
    uint8_t hdr[24];
    FILE *f = fopen(path, "wb");

    if (f == NULL)
        return NULL;
    put_le32(hdr, PCAP_MAGIC);
    put_le16(hdr + 4, PCAP_VERSION_MAJOR);
    put_le16(hdr + 6, PCAP_VERSION_MINOR);
    put_le32(hdr + 8, 0);  // thiszone: timestamps are already UTC
    put_le32(hdr + 12, 0); // sigfigs: always 0 in practice
    put_le32(hdr + 16, PCAP_SNAPLEN);
    put_le32(hdr + 20, PCAP_LINKTYPE_ETHERNET);
    if (fwrite(hdr, sizeof(hdr), 1, f) != 1) {
        fclose(f);
        return NULL;
    }
    return f;
}

int pcap_file_write(FILE *f, uint32_t ts_sec, uint32_t ts_usec, const uint8_t *frame, size_t len)
{
    uint8_t rec[16];

    put_le32(rec, ts_sec);
    put_le32(rec + 4, ts_usec);
    put_le32(rec + 8, (uint32_t)len);  // captured length
    put_le32(rec + 12, (uint32_t)len); // original length: never truncated
    if (fwrite(rec, sizeof(rec), 1, f) != 1)
        return -1;
    if (len > 0 && fwrite(frame, len, 1, f) != 1)
        return -1;
    return 0;
}

int pcap_file_close(FILE *f)
{
    int bad = ferror(f);

    if (fclose(f) != 0)
        bad = 1;
    return bad ? -1 : 0;
}
