// SPDX-License-Identifier: MIT
// Text for error codes: our own ERR_* values first, then strerror() for negative errno.
#include "err.h"

#include <string.h>

const char *err_str(int code)
{
    switch (code) {
    case 0: return "success";
    case ERR_TRUNCATED: return "truncated input";
    case ERR_MALFORMED: return "malformed input";
    case ERR_UNSUPPORTED: return "unsupported input";
    case ERR_LIMIT: return "limit reached";
    case ERR_CONFIG: return "configuration error";
    case ERR_STORE: return "storage error";
    case ERR_NOT_FOUND: return "not found";
    case ERR_EXISTS: return "already exists";
    }
    if (code < 0 && code > ERR_BASE)
        return strerror(-code);
    return "unknown error";
}
