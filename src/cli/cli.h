// SPDX-License-Identifier: MIT
// The subcommands of the flowtally binary. Each takes the arguments after its name and
// returns the process exit status (0 ok, 1 failure, 2 usage error).
#ifndef FT_CLI_H
#define FT_CLI_H

#include <stdbool.h>

int cmd_report(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_usage(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_subscriber(int argc, char **argv);
int cmd_quota(int argc, char **argv);
int cmd_bill(int argc, char **argv);
int cmd_alerts(int argc, char **argv);
int cmd_mail(int argc, char **argv);
int cmd_bind(int argc, char **argv);
int cmd_unbind(int argc, char **argv);
int cmd_register(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_user(int argc, char **argv);
/* `run`: the daemon (daemon/run.c), or with --demo the demo (cmd_demo.c). */
int cmd_run(int argc, char **argv);

#endif
