#!/bin/sh
# SPDX-License-Identifier: MIT
# A password reset link by mail, end to end: the daemon with smtp, mail_from and web_url
# set, a real SMTP server (tests/integration/smtp_server.py) taking what its sender sends,
# curl as the browser. A customer whose login is an address asks for a link: exactly one
# message comes, to that address, with a link made of web_url (not of the Host the request
# named) and a 43-character token whose SHA-256, not the token, is in the store; following
# it and setting a new password works, the old password then fails and the new one logs in,
# the session the customer had elsewhere is over, and the same link a second time is
# refused. A customer whose login is a name gets the link at the subscriber's email. An
# unknown login, a user without any address, staff without one, an LDAP-only user, and a
# second request within the throttle window all get the same page, byte for byte, and no
# mail; so does a 21st request from one address within the hour. A link made by `flowtally web` with a 2-second reset_valid (its mail sent by the
# daemon's sender, from the shared store) is refused once it expired. Without web_url the
# login page offers no link and /reset says resets are not available; a bad web_url is
# refused with file:line.
. "$(dirname "$0")/../lib.sh"
export TZ=UTC
PY=/usr/bin/python3
SERVER="$ROOT/tests/integration/smtp_server.py"
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
    echo "1..0 # SKIP python3-aiosmtpd is not installed"
    exit 0
fi
SMTP_PID="" WEB_PID=""
stop_web() {
    [ -n "$WEB_PID" ] || return 0
    kill -TERM "$WEB_PID" 2>/dev/null
    wait "$WEB_PID" 2>/dev/null
    WEB_PID=""
}
trap '[ -n "$SMTP_PID" ] && kill -TERM "$SMTP_PID" 2>/dev/null; stop_web;
    [ -n "$DAEMON_PID" ] && kill -KILL "$DAEMON_PID" 2>/dev/null; cleanup' EXIT
mkdir -p "$TMP/mbox"
"$PY" "$SERVER" "$TMP/mbox" >"$TMP/smtp.out" 2>"$TMP/smtp.err" &
SMTP_PID=$!
if ! wait_for grep -q '^listening on' "$TMP/smtp.out"; then
    not_ok "SMTP server" && sed 's/^/#   /' "$TMP/smtp.err"
    done_testing
    exit
fi
SMTP_PORT=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$TMP/smtp.out")

new_store
ft() { "$FT" "$@" --db "$DB"; }
{
    ft subscriber add alice-1 --name "Alice Example" --email alice@example.net
    ft subscriber add bob-2 --email bob@example.org
    ft subscriber add nina-3 # no email
    echo 'alice-old-pass-1' | ft user add alice@example.net --role customer --account alice-1 --password-stdin
    echo 'bob-old-pass-12' | ft user add bob --role customer --account bob-2 --password-stdin
    echo 'nina-old-pass-1' | ft user add nina --role customer --account nina-3 --password-stdin
    echo 'sam-old-pass-12' | ft user add sam --role staff --password-stdin
    echo 'ops-old-pass-12' | ft user add ops@example.net --role staff --password-stdin
    echo 'zed-old-pass-12' | ft user add zed@example.net --role admin --password-stdin
    ft user add lee@example.net --role customer --account alice-1 # no password: LDAP only
} >/dev/null 2>&1

cat >"$TMP/ft.conf" <<CONF
smtp = smtp://127.0.0.1:$SMTP_PORT
mail_from = portal@example.net
operator_name = Example Net
web_url = https://portal.example.net/
CONF
start_flowtally -c "$TMP/ft.conf" || { not_ok start; done_testing; exit; }
WEB=$(web_port)
BASE="http://127.0.0.1:$WEB"

# ---- helpers: curl as a browser (one cookie jar each), the mailbox ----

# page JAR PATH [CURL ARGS]: the page's body; its status line into $TMP/status, headers
# into $TMP/headers
page() {
    jar=$1 path=$2
    shift 2
    curl -s -b "$TMP/$jar" -c "$TMP/$jar" -D "$TMP/headers" -o "$TMP/body" "$@" "$BASE$path"
    sed -n '1s/^HTTP\/[0-9.]* \([0-9]*\).*/\1/p' "$TMP/headers" | tr -d '\r' >"$TMP/status"
    cat "$TMP/body"
}
status() { cat "$TMP/status"; }
header() { tr -d '\r' <"$TMP/headers" | sed -n "s/^$1: //ip"; }
csrf_of() { page "$1" "$2" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p' | head -1; }
# ask JAR LOGIN: asks for a link the way the form does; the answer's body on stdout
ask() {
    token=$(csrf_of "$1" /reset)
    page "$1" /reset --data-urlencode "csrf=$token" --data-urlencode "username=$2"
}
# login JAR LOGIN PASSWORD: the status of the login POST (303 in, 401 refused)
login() {
    token=$(csrf_of "$1" /login)
    page "$1" /login --data-urlencode "csrf=$token" --data-urlencode "username=$2" \
        --data-urlencode "password=$3" >/dev/null
    status
}
messages() { find "$TMP/mbox" -name '*.env' | wc -l | tr -d ' '; }
has_messages() { [ "$(messages)" -ge "$1" ]; }
# message_to ADDR: the files (without .env) of the messages to ADDR
message_to() { (cd "$TMP/mbox" && grep -l "^to $1\$" ./*.env) 2>/dev/null | sed "s|^\./|$TMP/mbox/|; s|\.env$||"; }
# text_of FILE: the message's subject, then its text part, as a mail reader shows them
text_of() {
    "$PY" - "$1.eml" <<'PYEOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print("subject:", m["subject"])
print(m.get_body(preferencelist=("plain",)).get_content().strip())
PYEOF
}
# link_of FILE: the link in the message's text part
link_of() { text_of "$1" | grep '^https://' | head -1; }

# ---- the login page offers the link ----

page anon /login | grep -q '<a href="/reset">Forgot your password?</a>' &&
    ok "the login page offers a reset link" || not_ok "the login page offers a reset link"

# ---- alice asks; one message, to her login, with a link from web_url ----

check_eq "alice logs in on her phone" "$(login phone alice@example.net alice-old-pass-1)" 303
ask anon alice@example.net >"$TMP/answer-alice"
check_eq "asking: 200" "$(status)" 200
grep -q 'If that account exists and has an email address, a link to set a new password is on its way there. It works once, for 1 hour.' \
    "$TMP/answer-alice" && ok "asking: the page says a link may be on its way" ||
    not_ok "asking: the page says a link may be on its way"
wait_for has_messages 1 || not_ok "a message came"
ALICE_MSG=$(message_to alice@example.net)
check_eq "one message, to alice@example.net" "$(messages):$(echo "$ALICE_MSG" | grep -c .)" "1:1"
LINK=$(link_of "$ALICE_MSG")
TOKEN=${LINK#https://portal.example.net/reset/}
check_eq "the link: web_url, /reset/, a 43-character token" \
    "$(echo "$LINK" | sed 's|[A-Za-z0-9_-]\{43\}$|TOKEN|')" "https://portal.example.net/reset/TOKEN"
check_eq "the message" "$(text_of "$ALICE_MSG")" "subject: Example Net: set a new password for the portal
Hello,

someone, we hope you, asked to set a new password for alice@example.net on the
portal of Example Net. To choose one, open this link within 1 hour:

$LINK

The link works once. If you did not ask for it, ignore this message: your
password stays as it is.

Example Net"
grep -q 'alice-old-pass-1' "$ALICE_MSG.eml" && not_ok "no password in the message" ||
    ok "no password in the message"
HASH=$(printf '%s' "$TOKEN" | sha256sum | cut -d' ' -f1)
check_eq "the store keeps the token's SHA-256, not the token" \
    "$(store_sql "select count(*) from password_resets where token_hash = '$HASH'"):$(store_sql "select count(*) from password_resets where token_hash = '$TOKEN'")" "1:0"
check_eq "the message is in the queue as kind reset, sent" \
    "$(ft mail queue --format csv | awk -F, 'NR > 1 { print $3 "," $4 "," $6 }')" "reset,alice@example.net,sent"

# ---- the same page, and no mail, for everyone else ----

for who in nobody@example.net sam nina lee@example.net NOBODY; do
    ask anon "$who" >"$TMP/answer-$who"
    if [ "$(status)" = 200 ] && cmp -s "$TMP/answer-alice" "$TMP/answer-$who"; then
        ok "$who: the same page as alice's"
    else
        not_ok "$who: the same page as alice's (status $(status))"
        diff "$TMP/answer-alice" "$TMP/answer-$who" | head -5 | sed 's/^/#   /'
    fi
done
# a second request for alice within the throttle window: the same page, no second mail
ask other alice@example.net >"$TMP/answer-again"
cmp -s "$TMP/answer-alice" "$TMP/answer-again" && ok "alice again: the same page" ||
    not_ok "alice again: the same page"
# bob's login is a name: his link goes to his subscriber's email
ask anon bob >/dev/null
wait_for has_messages 2 || not_ok "bob's message came"
sleep 2 # room for a wrong message to arrive
check_eq "two messages in all: alice's and bob's" "$(messages)" 2
BOB_MSG=$(message_to bob@example.org)
check_eq "bob's went to bob@example.org" "$(echo "$BOB_MSG" | grep -c .)" 1
check_eq "bob's names his login" "$(text_of "$BOB_MSG" | grep 'we hope you')" \
    "someone, we hope you, asked to set a new password for bob on the"
check_eq "the queue: two reset messages" "$(ft mail queue --format csv | awk -F, 'NR > 1 { print $3 }' | sort | uniq -c | tr -s ' ')" " 2 reset"

# ---- following alice's link ----

FORM=$(page anon "/reset/$TOKEN")
check_eq "the link opens a form" "$(status)" 200
check_eq "no Referer leaves the page" "$(header Referrer-Policy)" no-referrer
echo "$FORM" | grep -q 'For alice@example.net' && ok "the form names the account" ||
    not_ok "the form names the account"
set_password() { # set_password JAR TOKEN NEW CONFIRM: the status
    t=$(csrf_of "$1" /login) # the login cookie's token, as every form before a login
    page "$1" "/reset/$2" --data-urlencode "csrf=$t" --data-urlencode "new=$3" \
        --data-urlencode "confirm=$4" >"$TMP/set-body"
    status
}
check_eq "two passwords that differ: 400" "$(set_password anon "$TOKEN" alice-new-pass-1 alice-new-pass-2)" 400
grep -q "The two passwords differ." "$TMP/set-body" && ok "saying they differ" || not_ok "saying they differ"
check_eq "a password too short: 400" "$(set_password anon "$TOKEN" short short)" 400
page anon "/reset/$TOKEN" -d "new=alice-new-pass-1&confirm=alice-new-pass-1" >/dev/null
check_eq "without the CSRF token: 403" "$(status)" 403
check_eq "the right way: 303" "$(set_password anon "$TOKEN" alice-new-pass-1 alice-new-pass-1)" 303
check_eq "to the login page, with a message" "$(header Location)" "/login?reset=done"
page anon "/login?reset=done" | grep -q 'Your password was changed. Log in with the new one.' &&
    ok "the login page says it" || not_ok "the login page says it"
page phone / >/dev/null
check_eq "alice's other session is over" "$(status):$(header Location)" "303:/login"
check_eq "the old password fails" "$(login pc1 alice@example.net alice-old-pass-1)" 401
check_eq "the new one logs in" "$(login pc2 alice@example.net alice-new-pass-1)" 303
check_eq "the new password is stored as yescrypt" \
    "$(store_sql "select substr(password,1,3) from users where login='alice@example.net'")" '$y$'
page anon "/reset/$TOKEN" >"$TMP/used"
check_eq "the same link again: refused" "$(status)" 410
grep -q "This link is not valid any more" "$TMP/used" && ok "saying it is not valid any more" ||
    not_ok "saying it is not valid any more"
check_eq "posting to it again: refused" "$(set_password anon2 "$TOKEN" alice-third-pass alice-third-pass)" 410
check_eq "and the password stays" "$(login pc3 alice@example.net alice-new-pass-1)" 303
page anon /reset/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA >"$TMP/bad"
if [ "$(status)" = 410 ] && cmp -s "$TMP/used" "$TMP/bad"; then
    ok "a link that was never ours: the same page"
else
    not_ok "a link that was never ours: the same page"
fi

# ---- an expired link: `flowtally web` with reset_valid = 2, its mail sent by the daemon ----

start_web() {
    rm -f "$TMP/web.out"
    "$FT" web --db "$DB" --web 127.0.0.1:0 "$@" >"$TMP/web.out" 2>"$TMP/web.err" &
    WEB_PID=$!
    wait_for grep -q 'web: listening' "$TMP/web.out" || { echo "# web did not start:"; sed 's/^/#   /' "$TMP/web.err"; }
    BASE="http://127.0.0.1:$(sed -n 's|^web: listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$TMP/web.out")"
}
start_web -c "$TMP/ft.conf" --reset-valid 2
ask anon ops@example.net | grep -q 'It works once, for 2 seconds.' &&
    ok "flowtally web: a link for 2 seconds" || not_ok "flowtally web: a link for 2 seconds"
wait_for has_messages 3 || not_ok "the daemon sent what flowtally web queued"
OPS_LINK=$(link_of "$(message_to ops@example.net)")
sleep 3
page anon "${OPS_LINK#https://portal.example.net}" >/dev/null
check_eq "the expired link: refused" "$(status)" 410
check_eq "the old password still works" "$(login pc4 ops@example.net ops-old-pass-12)" 303
stop_web

# ---- one address asks at most 20 times an hour ----

# 9 requests so far came from 127.0.0.1 (both portals count in the store); 11 more make 20,
# and the 21st, for zed, who has an address and was never mailed, sends nothing
BASE="http://127.0.0.1:$WEB"
i=0
while [ $i -lt 11 ]; do
    ask anon nobody@example.net >/dev/null
    i=$((i + 1))
done
ask anon zed@example.net >"$TMP/answer-zed"
# a mail is queued before the answer leaves, so the queue tells at once
check_eq "the 21st request from one address: nothing queued" \
    "$(ft mail queue --format csv | awk -F, 'NR > 1 { print $4 }' | sort | tr '\n' ' ')" \
    "alice@example.net bob@example.org ops@example.net "
cmp -s "$TMP/answer-alice" "$TMP/answer-zed" && ok "the 21st request: the same page" ||
    not_ok "the 21st request: the same page"

# ---- without web_url: no link offered, /reset says so ----

start_web --smtp "smtp://127.0.0.1:$SMTP_PORT" --mail-from portal@example.net
page anon /login | grep -q '/reset' && not_ok "without web_url: no link on the login page" ||
    ok "without web_url: no link on the login page"
page anon /reset | grep -q 'Passwords cannot be reset by mail here.' &&
    ok "without web_url: /reset says resets are not available" ||
    not_ok "without web_url: /reset says resets are not available"
check_eq "without web_url: 404" "$(status)" 404
stop_web
printf 'web_url = portal.example.net\n' >"$TMP/bad.conf"
"$FT" web --db "$DB" --web 127.0.0.1:0 -c "$TMP/bad.conf" >/dev/null 2>"$TMP/bad.err"
check_eq "a web_url without a scheme: exit 2" "$?" 2
grep -q "bad.conf:1: web_url = 'portal.example.net'" "$TMP/bad.err" && ok "naming file:line" ||
    { not_ok "naming file:line" && sed 's/^/#   /' "$TMP/bad.err"; }

if grep -q "$TOKEN\|alice-new-pass-1\|alice-old-pass-1" "$TMP/daemon.out" "$TMP/daemon.err"; then
    not_ok "no token or password in the daemon's output"
else
    ok "no token or password in the daemon's output"
fi
stop_flowtally
done_testing
