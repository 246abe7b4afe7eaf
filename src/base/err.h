// SPDX-License-Identifier: MIT
// Error codes shared by every stage. Functions that can fail return 0 on success and a
// negative code on failure: either -errno or one of the ERR_* values below. err_str() turns
// either kind into text (the libuv model).
#ifndef FT_ERR_H
#define FT_ERR_H

#define ERR_BUF_LEN 1024 /* size of caller-owned message buffers for setup code */

enum {
    ERR_BASE = -10000,
    ERR_TRUNCATED,   /* input ended before the structure it announced */
    ERR_MALFORMED,   /* input contradicts its own format */
    ERR_UNSUPPORTED, /* valid input of a kind we do not handle */
    ERR_LIMIT,       /* a configured cap was reached */
    ERR_CONFIG,      /* configuration error, details in errbuf */
    ERR_STORE,       /* storage backend error, details logged */
    ERR_NOT_FOUND,   /* no such subscriber, plan, binding */
    ERR_EXISTS,      /* a unique name is taken */
};

/* Returns a static string describing `code` (a negative errno or ERR_*). */
const char *err_str(int code);

#endif
