// SPDX-License-Identifier: MIT
// Minimal writer for the classic libpcap file format (magic 0xa1b2c3d4,
// version 2.4, microsecond timestamps, snaplen 65535, LINKTYPE_ETHERNET).
// Written by hand so pcapgen needs nothing beyond libc.

#ifndef PCAPGEN_PCAP_FILE_H
#define PCAPGEN_PCAP_FILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

// Opens path and writes the global header; returns NULL and sets errno
// on failure.
FILE *pcap_file_open(const char *path);
// Appends one full (untruncated) frame; returns 0 or -1 on write error.
int pcap_file_write(FILE *f, uint32_t ts_sec, uint32_t ts_usec, const uint8_t *frame, size_t len);
// Flushes and closes; returns 0 or -1 if any earlier write failed.
int pcap_file_close(FILE *f);

#endif
