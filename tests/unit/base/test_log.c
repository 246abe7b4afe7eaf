// SPDX-License-Identifier: MIT
// Tests of the log line's two forms. The logger decides once per process whether stderr is
// the journal stream systemd named in JOURNAL_STREAM, so each case runs in a child process
// whose stderr is a file: named by JOURNAL_STREAM (its device:inode), every level carries
// its syslog priority <3>..<7> and no time; not named (unset, another inode, garbage), the
// line starts with its UTC time as always.
#define LOG_TAG "test"
#include "../../../src/base/log.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum stream { STREAM_UNSET, STREAM_THIS, STREAM_OTHER, STREAM_GARBAGE };

static char path[64];

/* Runs the logger in a child with stderr on a fresh file and JOURNAL_STREAM as `mode`
 * says, one line per level; returns what the child wrote (static buffer). */
static const char *log_in_child(enum stream mode)
{
    static char buf[2048];
    buf[0] = '\0';
    FILE *f = fopen(path, "w+");
    if (!f)
        return buf;
    pid_t pid = fork();
    if (pid == 0) {
        struct stat st;
        dup2(fileno(f), STDERR_FILENO);
        fstat(STDERR_FILENO, &st);
        char js[64];
        snprintf(js, sizeof js, "%llu:%llu", (unsigned long long)st.st_dev,
                 (unsigned long long)st.st_ino + (mode == STREAM_OTHER));
        unsetenv("JOURNAL_STREAM");
        if (mode == STREAM_THIS || mode == STREAM_OTHER)
            setenv("JOURNAL_STREAM", js, 1);
        if (mode == STREAM_GARBAGE)
            setenv("JOURNAL_STREAM", "journal", 1);
        log_threshold = LOG_LEVEL_DEBUG;
        log_error("disk %s", "full");
        log_warn("late by %d s", 3);
        log_notice("new exporter");
        log_info("flushed");
        log_debug("detail");
        fflush(stderr);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_journal_priorities(void)
{
    ASSERT_STREQ(log_in_child(STREAM_THIS), "<3>flowtally[test] error: disk full\n"
                                            "<4>flowtally[test] warning: late by 3 s\n"
                                            "<5>flowtally[test] notice: new exporter\n"
                                            "<6>flowtally[test] info: flushed\n"
                                            "<7>flowtally[test] debug: detail\n");
}

/* Each line "YYYY-MM-DDTHH:MM:SS.mmmZ " and then the tagged message, dated today or so. */
static void check_timestamped(const char *got)
{
    static const char *const want[] = {
        "flowtally[test] error: disk full",     "flowtally[test] warning: late by 3 s",
        "flowtally[test] notice: new exporter", "flowtally[test] info: flushed",
        "flowtally[test] debug: detail",
    };
    const char *line = got;
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        const char *end = strchr(line, '\n');
        if (!end) {
            TEST_FAIL("line %zu missing in \"%s\"", i + 1, got);
            return;
        }
        struct tm tm = {0};
        const char *rest = strptime(line, "%Y-%m-%dT%H:%M:%S", &tm);
        ASSERT_TRUE(rest && rest[0] == '.' && strspn(rest + 1, "0123456789") == 3 &&
                    strncmp(rest + 4, "Z ", 2) == 0);
        time_t when = timegm(&tm), now = time(NULL);
        ASSERT_TRUE(when <= now && now - when < 60);
        ASSERT_TRUE(rest && (size_t)(end - (rest + 6)) == strlen(want[i]) &&
                    strncmp(rest + 6, want[i], strlen(want[i])) == 0);
        line = end + 1;
    }
    ASSERT_STREQ(line, "");
}

static void test_not_the_journal(void)
{
    check_timestamped(log_in_child(STREAM_UNSET));
    check_timestamped(log_in_child(STREAM_OTHER));
    check_timestamped(log_in_child(STREAM_GARBAGE));
}

int main(void)
{
    snprintf(path, sizeof path, "/tmp/ft-log-%ld.txt", (long)getpid());
    RUN(test_journal_priorities);
    RUN(test_not_the_journal);
    unlink(path);
    return test_done();
}
