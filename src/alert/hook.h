// SPDX-License-Identifier: MIT
// The enforcement hook (`quota_command`): an operator's program run when a subscriber goes
// over its quota and when it comes back under. Never through a shell, never with text from
// outside as an argument: the program gets what it needs in its environment only
// (FLOWTALLY_ACCOUNT, FLOWTALLY_STATE = over|under, FLOWTALLY_ADDRESSES = the subscriber's
// addresses and prefixes, space-separated) and no arguments but its own path.
//
// What the program sees: argv = { command, NULL }; an environment of exactly
// PATH=/usr/sbin:/usr/bin:/sbin:/bin and the three FLOWTALLY_* variables (nothing of the
// daemon's own environment); stdin /dev/null; stdout and stderr pipes to the daemon; no other
// file descriptor; an empty signal mask and every signal at its default action; a process
// group of its own, the working directory and umask of the daemon. The program must not hang
// on to the pipes: once it exits, whatever it left running in its process group is killed
// too. The example examples/nft-over-quota.sh keeps nftables sets in step with the state.
#ifndef FT_HOOK_H
#define FT_HOOK_H

#include <stdint.h>

/* The longest text hook_text_ok() lets through, in bytes: room for the addresses of a
 * subscriber with hundreds of prefixes (about 800 IPv4 or 350 IPv6 ones), far under the
 * kernel's 128 KiB for one environment string. */
#define HOOK_TEXT_MAX 16383

struct hook_run {
    const char *command;   /* absolute path of the program (no search of PATH) */
    const char *account;   /* not empty, and hook_text_ok() */
    const char *state;     /* "over" or "under" */
    const char *addresses; /* space-separated addresses and prefixes ("10.0.0.7/32
                              2001:db8:1::/48"), or "" for none; hook_text_ok() */
    int timeout_s;         /* > 0: killed (SIGKILL to its process group) after this */
};

/* Whether text may go into the hook's environment: 1 if it is at most HOOK_TEXT_MAX bytes of
 * ASCII letters, digits, spaces and `. _ - : / @ + ,` with no word starting with '-';
 * 0 otherwise. Addresses and prefixes pass, and so does any sensible account name; shell
 * metacharacters (`;|&$()<>'"\` and the like), control characters, non-ASCII bytes and
 * anything that could pass for an option do not, so a careless script that lets the shell
 * read the text cannot be made to run a command. */
int hook_text_ok(const char *text);

/* Runs the hook and waits for it, at most timeout_s seconds. Blocking; EINTR-safe; safe to
 * call from any thread (descriptors are opened close-on-exec, and the child closes all but
 * 0-2), as long as nothing else in the process reaps children it did not start (SIGCHLD must
 * not be ignored, and nobody may call waitpid(-1, ...)).
 *
 * Returns 0 when it exited 0, with errbuf (ERR_BUF_LEN) holding the first line of its stdout
 * ("" when none) for the log. Otherwise a negative code, with errbuf saying why in one line
 * that starts with the command's path (control characters and non-ASCII bytes of the
 * program's output shown as '?'):
 *   -EINVAL       the hook_run was refused as given: a path that is not absolute, a state
 *                 other than over or under, an empty account, text hook_text_ok() refuses,
 *                 a timeout <= 0 ("account ... refused")
 *   -ENOENT       "not found"; -EACCES "not executable"; -ENOEXEC "not an executable
 *                 format" (a script without #!); another -errno when it could not be
 *                 started at all (pipes, fork)
 *   -ECANCELED    it ran and failed: "exit status N" or "killed by signal N", then ": " and
 *                 the first line it wrote to stderr (to stdout when stderr was empty)
 *   -ETIMEDOUT    "timed out after N s", killed with its process group, then that line too
 * Its stdout and stderr are read as it runs (so it never blocks writing them), the first
 * 4 KiB of each kept for the message and the rest dropped; they are never inherited. */
int hook_run(const struct hook_run *h, char *errbuf);

#endif
