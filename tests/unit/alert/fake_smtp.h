// SPDX-License-Identifier: MIT
// A scripted SMTP server for the unit tests: a thread on 127.0.0.1 (port 0) that takes one
// connection and answers each command with the reply its script gives, so every step of
// the dialogue can answer what a test wants (a 550 to RCPT, a 451 after the message, a
// greeting of 554, silence). It records the commands it got, one per line, and the message
// (dot-unstuffed). Plain TCP only: STARTTLS for real is tests/integration/033-mail's.
#ifndef FT_FAKE_SMTP_H
#define FT_FAKE_SMTP_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct fake_script {
    const char *greeting; /* NULL: "220 fake ESMTP" */
    const char *ehlo;     /* the whole reply, lines joined by CRLF; NULL: "250 fake" */
    const char *auth;     /* the reply to AUTH (after its 334 when it has no argument) */
    const char *mail;     /* NULL: "250 ok" */
    const char *rcpt[4];  /* to the 1st, 2nd... RCPT; NULL: "250 ok" */
    const char *data;     /* NULL: "354 go on" */
    const char *end;      /* to the message; NULL: "250 queued" */
    bool is_silent;       /* accepts, never answers */
    bool close_at_mail;   /* drops the connection when MAIL comes */
};

struct fake_smtp {
    struct fake_script sc;
    int listen_fd, port;
    pthread_t thread;
    char commands[4096]; /* what the client sent, one line each, the message left out */
    char data[65536];    /* the message, dot-unstuffed */
    size_t data_len;
    bool has_data;
};

/* Reads one line (without its CRLF) into line. Returns false at the end of the stream. */
static bool fake_line(int fd, char *line, size_t size)
{
    size_t n = 0;
    char c;
    while (read(fd, &c, 1) == 1) {
        if (c == '\n') {
            if (n > 0 && line[n - 1] == '\r')
                n--;
            line[n] = '\0';
            return true;
        }
        if (n + 1 < size)
            line[n++] = c;
    }
    return false;
}

static void fake_reply(int fd, const char *reply)
{
    char buf[1024];
    int n = snprintf(buf, sizeof buf, "%s\r\n", reply);
    if (write(fd, buf, (size_t)n) != n)
        return;
}

static void fake_log(struct fake_smtp *f, const char *line)
{
    size_t n = strlen(f->commands);
    snprintf(f->commands + n, sizeof f->commands - n, "%s\n", line);
}

static void fake_dialogue(struct fake_smtp *f, int fd)
{
    const struct fake_script *sc = &f->sc;
    char line[2048];
    int n_rcpt = 0;
    if (sc->is_silent) {
        while (read(fd, line, sizeof line) > 0)
            ;
        return;
    }
    fake_reply(fd, sc->greeting ? sc->greeting : "220 fake ESMTP");
    if (sc->greeting && sc->greeting[0] != '2')
        return;
    while (fake_line(fd, line, sizeof line)) {
        fake_log(f, line);
        if (strncmp(line, "EHLO", 4) == 0) {
            fake_reply(fd, sc->ehlo ? sc->ehlo : "250 fake");
        } else if (strncmp(line, "HELO", 4) == 0) {
            fake_reply(fd, "250 fake");
        } else if (strncmp(line, "AUTH", 4) == 0) {
            if (strchr(line + 5, ' ') == NULL) { /* no initial response: ask for it */
                fake_reply(fd, "334 ");
                if (!fake_line(fd, line, sizeof line))
                    return;
                fake_log(f, "(the AUTH response)");
            }
            fake_reply(fd, sc->auth ? sc->auth : "235 ok");
        } else if (strncmp(line, "MAIL", 4) == 0) {
            if (sc->close_at_mail)
                return;
            fake_reply(fd, sc->mail ? sc->mail : "250 ok");
        } else if (strncmp(line, "RCPT", 4) == 0) {
            const char *r = n_rcpt < 4 ? sc->rcpt[n_rcpt] : NULL;
            n_rcpt++;
            fake_reply(fd, r ? r : "250 ok");
        } else if (strcmp(line, "DATA") == 0) {
            fake_reply(fd, sc->data ? sc->data : "354 go on");
            if (sc->data && sc->data[0] != '3')
                continue;
            while (fake_line(fd, line, sizeof line) && strcmp(line, ".") != 0) {
                const char *l = line[0] == '.' ? line + 1 : line; /* dot-unstuffing */
                size_t n = strlen(l);
                if (f->data_len + n + 2 < sizeof f->data) {
                    memcpy(f->data + f->data_len, l, n);
                    memcpy(f->data + f->data_len + n, "\r\n", 2);
                    f->data_len += n + 2;
                }
            }
            f->has_data = true;
            fake_reply(fd, sc->end ? sc->end : "250 queued");
        } else if (strcmp(line, "QUIT") == 0) {
            fake_reply(fd, "221 bye");
            return;
        } else {
            fake_reply(fd, "502 not here");
        }
    }
}

static void *fake_serve(void *arg)
{
    struct fake_smtp *f = arg;
    struct pollfd p = {.fd = f->listen_fd, .events = POLLIN};
    if (poll(&p, 1, 20000) == 1) {
        int fd = accept(f->listen_fd, NULL, NULL);
        if (fd >= 0) {
            fake_dialogue(f, fd);
            close(fd);
        }
    }
    return NULL;
}

/* Starts a server for one connection; f->port is its port. */
static void fake_start(struct fake_smtp *f, const struct fake_script *sc)
{
    memset(f, 0, sizeof *f);
    f->sc = *sc;
    f->listen_fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (f->listen_fd < 0 || bind(f->listen_fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        listen(f->listen_fd, 4) != 0 || getsockname(f->listen_fd, (struct sockaddr *)&a, &alen)) {
        perror("fake_smtp");
        abort();
    }
    f->port = ntohs(a.sin_port);
    pthread_create(&f->thread, NULL, fake_serve, f);
}

/* Waits for the connection to end and closes the server. */
static void fake_join(struct fake_smtp *f)
{
    pthread_join(f->thread, NULL);
    close(f->listen_fd);
}

/* A port nothing listens on (bound, then closed). */
static int fake_closed_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t alen = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &alen) != 0)
        abort();
    close(fd);
    return ntohs(a.sin_port);
}

#endif
