// SPDX-License-Identifier: MIT
#include "retry.h"

#define RETRY_FIRST_MS 30000u
#define RETRY_MAX_MS 3600000u

uint64_t retry_backoff_ms(int tries)
{
    uint64_t ms = RETRY_FIRST_MS;
    for (int i = 1; i < tries && ms < RETRY_MAX_MS; i++)
        ms *= 2;
    return ms < RETRY_MAX_MS ? ms : RETRY_MAX_MS;
}
