// SPDX-License-Identifier: MIT
// A subscriber's cycle as a page, for the customer and for staff (usage_page.c), and the
// customer's own settings shown on it (pages_customer.c).
#ifndef FT_WEB_USAGE_PAGE_H
#define FT_WEB_USAGE_PAGE_H

#include "app.h"

#include <stdbool.h>

/* Writes the page of account's cycle (`cycle` as report_scope() reads it, NULL for the
 * current one) and ends the request. Returns 0, or the read's negative code with nothing
 * written (ERR_NOT_FOUND: no such account). */
int usage_page(struct web_ctx *c, const char *account, const char *cycle, bool staff_view);

/* A prompt to register the device in hand, when it has a lease (or a neighbour entry)
 * and nobody holds its MAC; nothing otherwise. */
void usage_page_device_prompt(struct web_ctx *c);

/* The customer's alert levels form, inside their usage page. */
void usage_page_alerts(struct web_ctx *c, const struct subscriber *sub);

#endif
