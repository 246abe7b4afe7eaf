// SPDX-License-Identifier: MIT
// `flowtally run`: the writer daemon.
#ifndef FT_RUN_H
#define FT_RUN_H

/* Runs the daemon with the arguments after "run". Returns the process exit status. */
int run_main(int argc, char **argv);

#endif
