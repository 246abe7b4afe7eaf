// SPDX-License-Identifier: MIT
// The version text. The Makefile passes the version, the commit (git describe) and the
// build date as macros for this file alone, so a new commit recompiles one small file.
#include "version.h"

#ifndef FT_VERSION
#define FT_VERSION "0.1.0"
#endif
#ifndef FT_COMMIT
#define FT_COMMIT "unknown" /* built outside a git checkout, or not by the Makefile */
#endif
#ifndef FT_BUILD_DATE
#define FT_BUILD_DATE "unknown"
#endif

/* __VERSION__ is the compiler's own version string (gcc: "12.2.0"; clang names itself). */
#if defined(__clang__)
#define FT_COMPILER "clang " __clang_version__
#elif defined(__GNUC__)
#define FT_COMPILER "gcc " __VERSION__
#else
#define FT_COMPILER "unknown compiler"
#endif

int version_print(FILE *out)
{
    fprintf(out,
            "flowtally %s\n"
            "build: %s, %s, %s\n"
            "with: PostgreSQL (libpq), web portal (libmicrohttpd), TLS (GnuTLS), PDF bills "
            "(cairo, pango), SMTP (libcurl), LDAP, pcap capture\n",
            FT_VERSION, FT_COMMIT, FT_COMPILER, FT_BUILD_DATE);
#ifdef FLOWTALLY_NDPI
    fprintf(out, "with: nDPI (applications of captured packets)\n");
#else
    fprintf(out, "without: nDPI (captured packets get applications from the port table)\n");
#endif
    return 0;
}
