// SPDX-License-Identifier: MIT
// Allocation that never returns NULL: on exhaustion it prints a message and aborts, so call
// sites stay clean (Redis zmalloc). Growth that input can drive must be capped by the caller.
#ifndef FT_XALLOC_H
#define FT_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
