// SPDX-License-Identifier: MIT
// The .dgrams container: a plain sequence of entries, each a 4-byte
// big-endian datagram length, a 4-byte big-endian count of flow records in
// that datagram (so senders can pace by records without parsing any
// protocol), then the datagram bytes. Loading maps the file read-only and
// validates every entry up front, so senders never meet a truncated entry.
#include "flowgen.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define ENTRY_HEADER 8u
#define MAX_UDP_PAYLOAD 65507u // IPv4 limit; no larger datagram is sendable

int dgram_write(FILE *out, const uint8_t *bytes, uint32_t len, uint32_t records)
{
    uint8_t hdr[ENTRY_HEADER];

    for (int i = 0; i < 4; i++) {
        hdr[i] = (uint8_t)(len >> (24 - 8 * i));
        hdr[4 + i] = (uint8_t)(records >> (24 - 8 * i));
    }
    if (fwrite(hdr, 1, sizeof(hdr), out) != sizeof(hdr) || fwrite(bytes, 1, len, out) != len)
        return -1;
    return 0;
}

// Walks the entries; with `out` NULL it only counts and validates, so the
// index can be allocated at its exact size before a second pass fills it.
static int dgram_walk(const char *path, const uint8_t *p, size_t size, struct dgram_entry *out,
                      size_t *count, uint64_t *records)
{
    size_t off = 0, n = 0;
    uint64_t recs = 0;

    while (off < size) {
        uint32_t len, nrec;

        if (size - off < ENTRY_HEADER) {
            fprintf(stderr,
                    "%s: truncated entry header at offset "
                    "%zu\n",
                    path, off);
            return -1;
        }
        len = wire_load_u32(p + off);
        nrec = wire_load_u32(p + off + 4);
        off += ENTRY_HEADER;
        if (len == 0 || len > MAX_UDP_PAYLOAD) {
            fprintf(stderr,
                    "%s: bad datagram length %u at offset "
                    "%zu\n",
                    path, len, off - ENTRY_HEADER);
            return -1;
        }
        if (len > size - off) {
            fprintf(stderr,
                    "%s: truncated datagram at offset "
                    "%zu\n",
                    path, off - ENTRY_HEADER);
            return -1;
        }
        if (out)
            out[n] = (struct dgram_entry){p + off, len, nrec};
        off += len;
        n++;
        recs += nrec;
    }
    *count = n;
    *records = recs;
    return 0;
}

static int dgram_map(const char *path, struct dgram_file *f)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0 || fstat(fd, &st) != 0) {
        fprintf(stderr, "%s: %s\n", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    f->map_len = (size_t)st.st_size;
    if (f->map_len > 0) {
        void *m = mmap(NULL, f->map_len, PROT_READ, MAP_PRIVATE, fd, 0);

        if (m == MAP_FAILED) {
            fprintf(stderr, "%s: mmap: %s\n", path, strerror(errno));
            close(fd);
            return -1;
        }
        f->map = m;
    }
    close(fd);
    return 0;
}

int dgram_load(const char *path, struct dgram_file *f)
{
    memset(f, 0, sizeof(*f));
    if (dgram_map(path, f) != 0)
        return -1;
    if (dgram_walk(path, f->map, f->map_len, NULL, &f->count, &f->records) != 0)
        goto fail;
    if (f->count == 0) {
        fprintf(stderr, "%s: contains no datagrams\n", path);
        goto fail;
    }
    f->entries = calloc(f->count, sizeof(*f->entries));
    if (!f->entries) {
        fprintf(stderr, "%s: out of memory\n", path);
        goto fail;
    }
    dgram_walk(path, f->map, f->map_len, f->entries, &f->count, &f->records);
    return 0;
fail:
    dgram_unload(f);
    return -1;
}

void dgram_unload(struct dgram_file *f)
{
    if (f->map)
        munmap(f->map, f->map_len);
    free(f->entries);
    memset(f, 0, sizeof(*f));
}
