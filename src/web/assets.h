// SPDX-License-Identifier: MIT
// The assets compiled into the binary (assets.c).
#ifndef FT_WEB_ASSETS_H
#define FT_WEB_ASSETS_H

#include <stddef.h>

struct assets_template {
    const char *name; /* the file name that replaces it in web_templates */
    const char *text;
    size_t len;
};

extern const char assets_style[];
extern const char assets_logo_svg[];
/* Indexed by enum page_template_id (page.h). */
extern const struct assets_template assets_templates[];

#endif
