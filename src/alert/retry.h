// SPDX-License-Identifier: MIT
// When to try again what failed (a message the SMTP server did not take, a hook that
// failed): the first retry within 30 s, then each wait twice the last, never over an hour.
#ifndef FT_RETRY_H
#define FT_RETRY_H

#include <stdint.h>

/* The wait before attempt number tries + 1, after `tries` failed attempts (tries >= 1). */
uint64_t retry_backoff_ms(int tries);

#endif
