// SPDX-License-Identifier: MIT
// The portal as the daemon starts it (`web` key) and as `flowtally web` runs it alone:
// the web's options taken from the configuration, in one place for both.
#ifndef FT_WEBRUN_H
#define FT_WEBRUN_H

#include "../config/config.h"
#include "../web/web.h"

/* Starts the portal of cfg (cfg->web must not be empty) and prints where it listens.
 * Returns the portal, or NULL with a message in errbuf. */
struct web *webrun_start(const struct config *cfg, bool demo, char *errbuf);
void webrun_stop(struct web *w);
/* For `run --check-config`: the directory keys and the files the portal of cfg would load
 * (web_check()); 0 when the portal is off. Returns 0, or -1 with errbuf. */
int webrun_check(const struct config *cfg, char *errbuf);

/* `flowtally web`: the portal alone, reading the store a daemon (or several) writes. */
int webrun_main(int argc, char **argv);

#endif
