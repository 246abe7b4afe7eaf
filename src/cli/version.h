// SPDX-License-Identifier: MIT
// `flowtally --version`: what a bug report needs to say which flowtally it is.
#ifndef FT_VERSION_H
#define FT_VERSION_H

#include <stdio.h>

/* Writes the version, the build (git describe, compiler, date: passed in by the Makefile)
 * and the optional parts compiled in to out. Returns 0, the exit status. */
int version_print(FILE *out);

#endif
