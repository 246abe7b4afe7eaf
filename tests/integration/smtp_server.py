#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A small SMTP server for the integration tests (Debian's python3-aiosmtpd).

Listens on 127.0.0.1, port 0 unless --port, and prints "listening on 127.0.0.1:PORT"
(flushed) once it accepts connections. Each message taken is saved in DIR as N.eml (the
bytes received after DATA, dot-unstuffed, exactly as they came: no Received header is
added) and N.env (the envelope: "from ADDR" then one "to ADDR" line per recipient), N
counting from 1; N.eml is written first and N.env renamed into place last, so a test that
sees N.env sees the whole message. Refusals are counted in DIR/refused (one line each).

Options:
  --starttls CERT KEY   offer STARTTLS with this certificate (PEM) and key
  --auth USER:PASS      require AUTH (PLAIN or LOGIN) before MAIL; over TLS only when
                        --starttls is given too. Without it no AUTH is offered
  --fail-first N        answer the first N messages with 451 (after DATA), then take them
  --reject              answer every RCPT with 550
Stops on SIGTERM or SIGINT.
Usage: smtp_server.py DIR [options]
"""
import argparse
import asyncio
import os
import signal
import ssl
import sys
import warnings

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, directory, fail_first, reject):
        self.directory = directory
        self.fail_left = fail_first
        self.reject = reject
        self.n = 0

    def refused(self, what):
        with open(os.path.join(self.directory, "refused"), "a") as f:
            f.write(what + "\n")

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject:
            self.refused("550 " + address)
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_left > 0:
            self.fail_left -= 1
            self.refused("451 DATA")
            return "451 4.3.0 please try again later"
        self.n += 1
        base = os.path.join(self.directory, str(self.n))
        with open(base + ".eml", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".env.tmp", "w") as f:
            f.write("from %s\n" % envelope.mail_from)
            for r in envelope.rcpt_tos:
                f.write("to %s\n" % r)
        os.rename(base + ".env.tmp", base + ".env")
        return "250 2.0.0 queued as %d" % self.n


class Server(SMTP):
    """aiosmtpd offers AUTH (with no mechanism) even with no authenticator; without --auth
    the EHLO reply leaves it out, so a client with credentials sends without them."""

    def __init__(self, *args, offer_auth, **kwargs):
        super().__init__(*args, **kwargs)
        self.offer_auth = offer_auth

    async def push(self, status):
        if not self.offer_auth and status.startswith("250-AUTH"):
            return
        await super().push(status)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--starttls", nargs=2, metavar=("CERT", "KEY"))
    p.add_argument("--auth", metavar="USER:PASS")
    p.add_argument("--fail-first", type=int, default=0)
    p.add_argument("--reject", action="store_true")
    a = p.parse_args()

    warnings.simplefilter("ignore")  # AUTH without TLS is what a test may want
    tls = None
    if a.starttls:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(a.starttls[0], a.starttls[1])
    authenticator = None
    if a.auth:
        user, password = a.auth.encode().split(b":", 1)

        def authenticator(server, session, envelope, mechanism, data):
            ok = (isinstance(data, LoginPassword) and data.login == user
                  and data.password == password)
            return AuthResult(success=ok, handled=False)

    handler = Handler(a.dir, a.fail_first, a.reject)

    def factory():
        return Server(handler, hostname="smtp.test", tls_context=tls,
                      authenticator=authenticator, auth_required=bool(a.auth),
                      auth_require_tls=bool(a.auth and tls), decode_data=False,
                      enable_SMTPUTF8=False, offer_auth=bool(a.auth))

    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(loop.create_server(factory, "127.0.0.1", a.port))
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, loop.stop)
    print("listening on 127.0.0.1:%d" % server.sockets[0].getsockname()[1], flush=True)
    loop.run_forever()
    server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
