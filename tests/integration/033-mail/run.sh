#!/bin/sh
# SPDX-License-Identifier: MIT
# Mail for real: smtp_send() and the sender's rounds over the store's queue against real
# SMTP servers (tests/integration/smtp_server.py, Debian's python3-aiosmtpd) on loopback,
# driven step by step through tests/unit/alert/test_mail_live (one call per step, the SMTP
# configuration in its environment). What arrives is byte for byte what mime_build() made,
# with the right envelope, and Python's email package reads it back as it went in;
# STARTTLS with the test's own CA (and a CA that did not sign the server's certificate,
# and smtp_tls = required against a server without STARTTLS); AUTH with the right and a
# wrong password (RETRY: the operator must fix it, and the message waits), the password in
# no output and no log; the queue: 451 twice then sent on the third try (one message
# received), a 550 failed at once, the server down then up (sent once), the give-up
# logged. Times are explicit (T0 and offsets), so the backoff is exact. With
# FLOWTALLY_TEST_ENGINE=postgresql the queue runs on PostgreSQL.
. "$(dirname "$0")/../lib.sh"
export TZ=Europe/Berlin
PY=/usr/bin/python3
DRIVER="$ROOT/$BUILD/tests/unit/alert/test_mail_live"
SERVER="$ROOT/tests/integration/smtp_server.py"
T0=1772719389000
PASSWORD=pw-Sw0rdfish-033
WRONG=wrong-Pa55word-033

if [ ! -x "$DRIVER" ]; then
    echo "1..0 # SKIP $DRIVER is not built"
    exit 0
fi
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
    echo "1..0 # SKIP python3-aiosmtpd is not installed"
    exit 0
fi

SMTP_PID=""
trap 'stop_smtp; cleanup' EXIT

# start_smtp NAME ARGS...: a server saving into $TMP/NAME; sets SMTP_PID and SMTP_PORT.
start_smtp() {
    name=$1
    shift
    mkdir -p "$TMP/$name"
    "$PY" "$SERVER" "$TMP/$name" "$@" >"$TMP/$name.out" 2>"$TMP/$name.err" &
    SMTP_PID=$!
    if ! wait_for grep -q '^listening on' "$TMP/$name.out"; then
        echo "# the SMTP server $name did not start:" && sed 's/^/#   /' "$TMP/$name.err"
        return 1
    fi
    SMTP_PORT=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$TMP/$name.out")
}

stop_smtp() {
    [ -n "$SMTP_PID" ] || return 0
    kill -TERM "$SMTP_PID" 2>/dev/null
    wait "$SMTP_PID" 2>/dev/null
    SMTP_PID=""
}

# mail ARGS...: the driver with the SMTP configuration of the moment (URL, USER, PASS, TLS,
# CA); its stdout to $TMP/out, its stderr (the log) appended to $TMP/log.
URL="" USER_="" PASS="" TLS="" CA=""
mail() {
    FLOWTALLY_TEST_SMTP_URL=$URL FLOWTALLY_TEST_SMTP_USER=$USER_ FLOWTALLY_TEST_SMTP_PASSWORD=$PASS \
        FLOWTALLY_TEST_SMTP_TLS=$TLS FLOWTALLY_TEST_SMTP_CA=$CA FLOWTALLY_TEST_SMTP_TIMEOUT=5 \
        "$DRIVER" "$@" >"$TMP/out" 2>>"$TMP/log"
}

n_received() { ls "$TMP/$1" 2>/dev/null | grep -c '\.env$'; }

# ---- a message arrives as it was made ----------------------------------------------
start_smtp plain || exit 1
URL="smtp://127.0.0.1:$SMTP_PORT"
mail build "$TMP/msg.eml"
MSGID=$(cat "$TMP/out")
mail send "$TMP/msg.eml" "juergen@example.net, staff@isp.example"
check_eq "sent to the plain server" "$(head -n 1 "$TMP/out")" SENT
wait_for test -f "$TMP/plain/1.env"
check_same "the server got the message byte for byte" "$TMP/plain/1.eml" "$TMP/msg.eml"
printf 'from billing@isp.example\nto juergen@example.net\nto staff@isp.example\n' >"$TMP/env.want"
check_same "the envelope: sender and both recipients" "$TMP/plain/1.env" "$TMP/env.want"
# Python's email package reads it (names with the legacy decoder: see test_mime.c)
"$PY" - "$TMP/plain/1.eml" "$MSGID" >"$TMP/py.out" 2>&1 <<'EOF'
import sys, email, email.header, email.policy, email.utils
raw = open(sys.argv[1], 'rb').read()
m = email.message_from_bytes(raw, policy=email.policy.default)
old = email.message_from_bytes(raw)
def name(h):
    (n, a), = email.utils.getaddresses([old[h]])
    return str(email.header.make_header(email.header.decode_header(n))), a
want = {
    'subject': 'Sie haben 80 % Ihrer 15 GB verbraucht \u2014 \u65e5\u672c \U0001f4c8',
    'from': ('Flowtally Abrechnung', 'billing@isp.example'),
    'to': ('J\u00fcrgen Gro\u00df', 'juergen@example.net'),
    'message-id': sys.argv[2],
    'date': 'Thu, 05 Mar 2026 15:03:09 +0100',
    'type': 'multipart/alternative',
    'parts': [('text/plain', 'utf-8', 'Hallo J\u00fcrgen,\r\n\r\nverbraucht: 12 GB = 80 %\r\n.\r\nFrom the ISP\r\n'),
              ('text/html', 'utf-8', '<p>Hallo J\u00fcrgen,</p>\r\n<p>verbraucht: 12&nbsp;GB = 80&nbsp;%</p>\r\n')],
}
got = {
    'subject': str(m['subject']), 'from': name('from'), 'to': name('to'),
    'message-id': str(m['message-id']), 'date': str(m['date']), 'type': m.get_content_type(),
    'parts': [(p.get_content_type(), p.get_content_charset(),
               p.get_payload(decode=True).decode('utf-8')) for p in m.get_payload()],
}
bad = [k for k in want if want[k] != got[k]]
defects = [p.defects for p in m.walk() if p.defects]
for k in bad:
    print('%s: %r, expected %r' % (k, got[k], want[k]))
if defects:
    print('defects: %r' % defects)
print('ok' if not bad and not defects else 'not ok')
EOF
if [ "$(tail -n 1 "$TMP/py.out")" = ok ]; then
    ok "Python's email package reads subject, names, parts, charsets and bodies as built"
else
    not_ok "Python's email package reads the message as built" && sed 's/^/#   /' "$TMP/py.out"
fi
# smtp_tls = required against a server that does not offer STARTTLS
TLS=required
mail send "$TMP/msg.eml" juergen@example.net
check_eq "TLS required, no STARTTLS offered: RETRY" "$(head -n 1 "$TMP/out")" RETRY
check_eq "... saying why" \
    "$(grep -c 'TLS is required (smtp_tls = required), and the server does not offer STARTTLS' "$TMP/out")" 1
check_eq "... and nothing was sent" "$(n_received plain)" 1
TLS=""
stop_smtp

# ---- STARTTLS and AUTH ---------------------------------------------------------------
if openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
    >/dev/null 2>&1 &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=someone else" \
        -keyout "$TMP/other-key.pem" -out "$TMP/other.pem" >/dev/null 2>&1; then
    start_smtp tls --starttls "$TMP/cert.pem" "$TMP/key.pem" --auth "mailer:$PASSWORD" || exit 1
    URL="smtp://127.0.0.1:$SMTP_PORT" USER_=mailer PASS=$PASSWORD CA="$TMP/cert.pem" TLS=required
    mail send "$TMP/msg.eml" juergen@example.net
    check_eq "STARTTLS with the test CA and AUTH: SENT" "$(cat "$TMP/out")" "SENT
error: "
    wait_for test -f "$TMP/tls/1.env"
    check_same "... the message arrived byte for byte" "$TMP/tls/1.eml" "$TMP/msg.eml"
    CA="$TMP/other.pem"
    mail send "$TMP/msg.eml" juergen@example.net
    check_eq "a certificate the CA did not sign: RETRY" "$(head -n 1 "$TMP/out")" RETRY
    check_eq "... saying so" "$(grep -c 'the TLS connection failed' "$TMP/out")" 1
    CA="$TMP/cert.pem" PASS=$WRONG
    mail send "$TMP/msg.eml" juergen@example.net
    cp "$TMP/out" "$TMP/wrong.out"
    check_eq "a wrong password: RETRY (the operator must fix it; the message waits)" \
        "$(head -n 1 "$TMP/out")" RETRY
    check_eq "... saying the login was refused" "$(grep -c 'the server refused the login' "$TMP/out")" 1
    check_eq "... and nothing more arrived" "$(n_received tls)" 1
    stop_smtp
else
    skip "STARTTLS and AUTH" "openssl cannot make a certificate"
fi
URL="" USER_="" PASS="" CA="" TLS=""

# ---- the queue ------------------------------------------------------------------------
new_store || exit 1
# 451 to the first two: queued again after 30 s, then 60 s; sent on the third try
start_smtp busy --fail-first 2 || exit 1
URL="smtp://127.0.0.1:$SMTP_PORT" USER_=mailer PASS=$PASSWORD
mail enqueue "$DB" "alert:1:2026-03:80%" juergen@example.net "$T0" "$TMP/msg.eml"
ID=$(cat "$TMP/out")
rounds=""
for at in 0 30000 60000 89999 90000 200000; do
    mail round "$DB" $((T0 + at))
    rounds="$rounds$at: $(cat "$TMP/out")
"
done
check_eq "451, 451, then sent at +30 s and +90 s (nothing due at +60 s, +89.999 s, +200 s)" \
    "$rounds" "0: sent 0 retried 1 failed 0
30000: sent 0 retried 1 failed 0
60000: sent 0 retried 0 failed 0
89999: sent 0 retried 0 failed 0
90000: sent 1 retried 0 failed 0
200000: sent 0 retried 0 failed 0
"
mail list "$DB"
check_eq "... recorded: sent, 3 tries, sent_ms = T0 + 90 s" \
    "$(grep "^$ID|" "$TMP/out" | cut -d'|' -f2-6)" "alert:1:2026-03:80%|sent|3|0|$((T0 + 90000))"
check_eq "... exactly one message received, and two refused" \
    "$(n_received busy) $(wc -l <"$TMP/busy/refused")" "1 2"
check_same "... byte for byte" "$TMP/busy/1.eml" "$TMP/msg.eml"
stop_smtp

# 550 to the recipient: failed at once
start_smtp reject --reject || exit 1
URL="smtp://127.0.0.1:$SMTP_PORT"
mail enqueue "$DB" "alert:2:2026-03:80%" nobody@example.net "$T0" "$TMP/msg.eml"
ID=$(cat "$TMP/out")
mail round "$DB" "$T0"
check_eq "a 550: failed at once" "$(cat "$TMP/out")" "sent 0 retried 0 failed 1"
mail list "$DB"
check_eq "... recorded as failed after one try" "$(grep "^$ID|" "$TMP/out" | cut -d'|' -f3,4)" \
    "failed|1"
check_eq "... with the server's words" \
    "$(grep "^$ID|" "$TMP/out" | grep -c 'refused the message (RCPT failed: 550 (last error)): "550 5.1.1 <nobody@example.net>: no such user here"')" 1
check_eq "... logged as failed for good" \
    "$(grep -c 'warning: mail alert:2:2026-03:80%: failed for good (try 1): the server refused' "$TMP/log")" 1
check_eq "... nothing received" "$(n_received reject)" 0
stop_smtp

# the server down, then up on the same port: RETRY, then sent once
start_smtp probe || exit 1
PORT_DOWN=$SMTP_PORT
stop_smtp
URL="smtp://127.0.0.1:$PORT_DOWN"
mail enqueue "$DB" "alert:3:2026-03:100%" juergen@example.net "$((T0 + 1000000))" "$TMP/msg.eml"
ID=$(cat "$TMP/out")
mail round "$DB" "$((T0 + 1000000))"
check_eq "the server down: queued again" "$(cat "$TMP/out")" "sent 0 retried 1 failed 0"
mail list "$DB"
check_eq "... after 30 s, with the reason" \
    "$(grep "^$ID|" "$TMP/out" | cut -d'|' -f3,4,5,7 | sed 's/ (Failed to connect to .*//')" \
    "queued|1|$((T0 + 1030000))|cannot connect to the SMTP server"
start_smtp up --port "$PORT_DOWN" || exit 1
mail round "$DB" "$((T0 + 1030000))"
check_eq "the server up again: sent" "$(cat "$TMP/out")" "sent 1 retried 0 failed 0"
wait_for test -f "$TMP/up/1.env"
mail round "$DB" "$((T0 + 9000000))"
check_eq "... once" "$(n_received up) $(cat "$TMP/out")" "1 sent 0 retried 0 failed 0"
stop_smtp

# never up: given up once give_up_ms (60 s here) have passed since it was queued, logged
mail enqueue "$DB" "alert:4:2026-03:100%" juergen@example.net "$((T0 + 2000000))" "$TMP/msg.eml"
ID=$(cat "$TMP/out")
mail round "$DB" "$((T0 + 2000000))" 60000
r1=$(cat "$TMP/out")
mail round "$DB" "$((T0 + 2030000))" 60000
r2=$(cat "$TMP/out")
mail round "$DB" "$((T0 + 2090000))" 60000
check_eq "retried at +0 s and +30 s, given up at +90 s" "$r1 / $r2 / $(cat "$TMP/out")" \
    "sent 0 retried 1 failed 0 / sent 0 retried 1 failed 0 / sent 0 retried 0 failed 1"
mail list "$DB"
check_eq "... recorded as failed after 3 tries" "$(grep "^$ID|" "$TMP/out" | cut -d'|' -f3,4)" \
    "failed|3"
check_eq "... and logged: the event and the last error" \
    "$(grep -c 'warning: mail alert:4:2026-03:100%: given up 90 s after it was queued (try 3): cannot connect to the SMTP server' "$TMP/log")" 1

# ---- no secret anywhere ---------------------------------------------------------------
if grep -qF -e "$PASSWORD" -e "$WRONG" "$TMP/log" "$TMP/out" "$TMP"/*.out; then
    not_ok "the password is in no output and no log"
else
    ok "the password is in no output and no log"
fi
if grep -q 'runtime error\|Sanitizer' "$TMP/log"; then
    not_ok "no sanitizer report" && grep -A5 'runtime error\|Sanitizer' "$TMP/log" | sed 's/^/#   /'
fi
done_testing
