// SPDX-License-Identifier: MIT
// A main() for the fuzz targets built without libFuzzer (any compiler, with ASan+UBSan), so
// the corpora run as regression tests: every file named on the command line, or found under
// a directory named there, is passed to LLVMFuzzerTestOneInput in sorted path order, each in
// a child process so a crash or leak fails that one file and the rest still run. Prints TAP
// ("ok N - path"); exits 1 if any file failed, 2 on usage or I/O errors.
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct path_list {
    char **v;
    size_t n, cap;
};

static void path_add(struct path_list *l, const char *path)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 64;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) {
            perror("replay");
            exit(2);
        }
    }
    l->v[l->n] = strdup(path);
    if (!l->v[l->n]) {
        perror("replay");
        exit(2);
    }
    l->n++;
}

/* Collects regular files, recursing into directories; dot files are skipped, as libFuzzer
 * does, so editor or merge leftovers are not replayed. Returns 0 or -1. */
static int collect(struct path_list *l, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: %s: cannot stat\n", path);
        return -1;
    }
    if (S_ISREG(st.st_mode)) {
        path_add(l, path);
        return 0;
    }
    if (!S_ISDIR(st.st_mode))
        return 0;
    DIR *dir = opendir(path);
    if (!dir) {
        fprintf(stderr, "replay: %s: cannot open directory\n", path);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(path) + 1 + strlen(e->d_name) + 1;
        char *child = malloc(len);
        if (!child) {
            perror("replay");
            exit(2);
        }
        snprintf(child, len, "%s/%s", path, e->d_name);
        if (collect(l, child) != 0)
            rc = -1;
        free(child);
    }
    closedir(dir);
    return rc;
}

static int cmp_path(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads a whole file into a buffer of exactly its size, as libFuzzer passes inputs, so an
 * over-read of the input itself is caught too. */
static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    size_t n = 0;
    for (;;) {
        uint8_t chunk[4096];
        size_t got = fread(chunk, 1, sizeof chunk, f);
        if (got == 0)
            break;
        uint8_t *grown = realloc(buf, n + got);
        if (!grown) {
            free(buf);
            fclose(f);
            return NULL;
        }
        buf = grown;
        memcpy(buf + n, chunk, got);
        n += got;
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return NULL;
    }
    if (!buf)
        buf = malloc(1); /* an empty file is a valid input; pass a non-NULL pointer */
    *size = n;
    return buf;
}

/* Runs one input in a child. Returns 0 if it passed, else the wait status to report. */
static int run_child(const char *path, char *why, size_t why_len)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        snprintf(why, why_len, "fork failed");
        return -1;
    }
    if (pid == 0) {
        size_t size = 0;
        uint8_t *data = read_file(path, &size);
        if (!data)
            _exit(3);
        LLVMFuzzerTestOneInput(data, size);
        free(data);
        exit(0); /* exit(), not _exit(): LeakSanitizer checks at exit */
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            snprintf(why, why_len, "waitpid failed");
            return -1;
        }
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status))
        snprintf(why, why_len, WEXITSTATUS(status) == 3 ? "cannot read file" : "exit status %d",
                 WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(why, why_len, "killed by signal %d", WTERMSIG(status));
    return -1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    struct path_list files = {0};
    int io_error = 0;
    for (int i = 1; i < argc; i++)
        if (collect(&files, argv[i]) != 0)
            io_error = 1;
    qsort(files.v, files.n, sizeof *files.v, cmp_path);
    size_t failed = 0;
    for (size_t i = 0; i < files.n; i++) {
        char why[64] = "";
        if (run_child(files.v[i], why, sizeof why) == 0) {
            printf("ok %zu - %s\n", i + 1, files.v[i]);
        } else {
            printf("not ok %zu - %s # %s\n", i + 1, files.v[i], why);
            failed++;
        }
        free(files.v[i]);
    }
    printf("1..%zu\n", files.n);
    free(files.v);
    if (io_error)
        return 2;
    return failed ? 1 : 0;
}
