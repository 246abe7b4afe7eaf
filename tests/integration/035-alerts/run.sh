#!/bin/sh
# Alerts end to end: the real collector counts flows of this cycle (flowgen --flows, times
# relative to now), the daemon's alert thread fires levels and queues their messages in the
# store, sends them to a real SMTP server (tests/integration/smtp_server.py) and runs the
# enforcement hook; the test reads what the server received with Python's email package.
# A 1 GB plan: alice crosses 80% then 100% (exactly two messages), bob his own 50%; a
# restart changes nothing (no level fires twice, the daily report goes once); a top-up
# re-arms; the SMTP server down while carol crosses, the daemon killed before it could
# send, then the server up and a restart: her message arrives once. carol then crosses
# 100% in the flush a stop makes; after the restart (which first evaluates everyone with
# usage in the last day) it has fired once. The hook gets the state and the addresses,
# over then under.
. "$(dirname "$0")/../lib.sh"
export TZ=UTC
PY=/usr/bin/python3
SERVER="$ROOT/tests/integration/smtp_server.py"
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
    echo "1..0 # SKIP python3-aiosmtpd is not installed"
    exit 0
fi
SMTP_PID=""
trap 'stop_smtp; [ -n "$DAEMON_PID" ] && kill -KILL "$DAEMON_PID" 2>/dev/null; cleanup' EXIT
# a port for the SMTP server that stays the same across its restarts
SMTP_PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# start_smtp DIR: the server saves what it takes in DIR (a restarted server counts from 1
# again: each run gets a directory of its own)
start_smtp() {
    mkdir -p "$1"
    "$PY" "$SERVER" "$1" --port "$SMTP_PORT" >"$TMP/smtp.out" 2>"$TMP/smtp.err" &
    SMTP_PID=$!
    wait_for grep -q '^listening on' "$TMP/smtp.out" ||
        { echo "# SMTP server:" && sed 's/^/#   /' "$TMP/smtp.err"; return 1; }
}
stop_smtp() {
    [ -n "$SMTP_PID" ] || return 0
    kill -TERM "$SMTP_PID" 2>/dev/null
    wait "$SMTP_PID" 2>/dev/null
    SMTP_PID=""
    rm -f "$TMP/smtp.out"
}
start_smtp "$TMP/mbox/1" || { not_ok "SMTP server"; done_testing; exit; }

# the hook: what it was run with, one line per run
cat >"$TMP/hook.sh" <<HOOK
#!/bin/sh
echo "\$FLOWTALLY_ACCOUNT \$FLOWTALLY_STATE \$FLOWTALLY_ADDRESSES" >>"$TMP/hook.log"
HOOK
chmod +x "$TMP/hook.sh"
cat >"$TMP/ft.conf" <<CONF
smtp = smtp://127.0.0.1:$SMTP_PORT
mail_from = billing@example.net
operator_name = Example Net
staff_email = noc@example.net
staff_report_at = 00:00
quota_command = $TMP/hook.sh
CONF

new_store
ft() { "$FT" "$@" --db "$DB"; }
ft plan add Mini --quota 1GB --price 10.00
ft subscriber add alice --name "Alice Example" --email alice@example.net --plan Mini
ft subscriber add bob --email bob@example.net --plan Mini --alert-levels 50
ft subscriber add carol --email carol@example.net --plan Mini
ft bind alice 10.0.0.1 --from 2020-01-01
ft bind bob 10.0.0.2 --from 2020-01-01
ft bind carol 10.0.0.3 --from 2020-01-01

NOW=$(date +%s)
# send_flows "LOCAL BYTES_IN ..." : flows of this cycle, ending a minute ago
send_flows() {
    : >"$TMP/flows.csv"
    while [ $# -gt 0 ]; do
        echo "$((NOW - 60)),$1,198.19.0.1,$2,0" >>"$TMP/flows.csv"
        shift 2
    done
    "$FLOWGEN" write --proto ipfix --flows "$TMP/flows.csv" --out "$TMP/f.dgrams" \
        --expect "$TMP/f.csv" >/dev/null &&
        "$FLOWGEN" send --in "$TMP/f.dgrams" --to 127.0.0.1:$PORT --rate 10000 >/dev/null
}
messages() { find "$TMP/mbox" -name '*.env' | wc -l | tr -d ' '; }
has_messages() { [ "$(messages)" -ge "$1" ]; }
# show PATH: the message's recipients, subject and text part (PATH.eml, PATH.env) as a mail
# reader reads them
show() {
    "$PY" - "$1.eml" "$1.env" 2>/dev/null <<'PYEOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print("to:", open(sys.argv[2]).read().split("\n")[1])
print("subject:", m["subject"])
print("types:", ",".join(p.get_content_type() for p in m.walk()))
print(m.get_body(preferencelist=("plain",)).get_content().strip())
PYEOF
}
# message_to ADDR: the messages to ADDR (paths without .env), in the order they came
message_to() {
    (cd "$TMP/mbox" && grep -l "^to $1\$" */*.env) 2>/dev/null | sed 's|\.env$||' |
        sort -t/ -k1,1n -k2,2n | sed "s|^|$TMP/mbox/|"
}

start_flowtally -c "$TMP/ft.conf" || { not_ok start; done_testing; exit; }
# alice 0.85 GB (85%: 80% fires), bob 0.55 GB (his own 50% fires), carol nothing
send_flows 10.0.0.1 850000000 10.0.0.2 550000000
wait_for has_messages 3 || not_ok "three messages came"
FIRST=$(date -u +%Y-%m-01)
LAST=$(date -u -d "$FIRST +1 month -1 day" +%Y-%m-%d)
check_eq "alice's 80%" "$(show "$(message_to alice@example.net)" | head -7)" \
    "to: to alice@example.net
subject: You have used 80% of your 1 GB
types: multipart/alternative,text/plain,text/html
Hello Alice Example,

you have used 850 MB of your 1 GB (85.00%) in
the cycle from $FIRST to $LAST."
check_eq "bob's own 50%" "$(show "$(message_to bob@example.net)" | sed -n 2p)" \
    "subject: You have used 50% of your 1 GB"
check_eq "the daily report went to staff" "$(show "$(message_to noc@example.net)" | sed -n 2p)" \
    "subject: Example Net: daily usage report for $(date -u -d yesterday +%Y-%m-%d)"
# alice 0.2 GB more: 1.05 GB, 105%: 100% fires, 80% does not again
send_flows 10.0.0.1 200000000
wait_for has_messages 4 || not_ok "a fourth message came"
check_eq "alice's 100%" "$(show "$(message_to alice@example.net | tail -1)" | sed -n 2p)" \
    "subject: You have used 100% of your 1 GB"
wait_for grep -q "alice over 10.0.0.1/32" "$TMP/hook.log"
check_eq "the hook: alice over, with her address" "$(cat "$TMP/hook.log")" "alice over 10.0.0.1/32"
stop_flowtally

# a restart: nothing fires twice, the report is not sent again
start_flowtally -c "$TMP/ft.conf" || { not_ok restart; done_testing; exit; }
send_flows 10.0.0.1 1000 10.0.0.2 1000
sleep 3
check_eq "after a restart, still four messages" "$(messages)" 4
check_eq "the alert log" "$(ft alerts list --format csv | cut -d, -f1,3,4 | sort)" \
    "account,level,used_bytes
alice,100%,1050000000
alice,80%,850000000
bob,50%,550000000"

# a top-up of 1 GB: 1.05 of 2 GB is under both levels again: re-armed, and alice is under
ft quota add alice 1GB
send_flows 10.0.0.1 1000
wait_for grep -q "alice under" "$TMP/hook.log"
check_eq "the hook: alice under after the top-up" "$(tail -1 "$TMP/hook.log")" "alice under 10.0.0.1/32"
# 0.6 GB more: 1.65 of 2 GB, 82.5%: 80% fires again, a new message
send_flows 10.0.0.1 600000000
wait_for has_messages 5 || not_ok "a fifth message came"
check_eq "re-armed 80% fires again" "$(show "$(message_to alice@example.net | tail -1)" | sed -n 2p)" \
    "subject: You have used 80% of your 2 GB"

# carol crosses while the SMTP server is down, and the daemon dies before it can send
stop_smtp
send_flows 10.0.0.3 900000000
# the first try failed (no server) and the message is queued for the next
wait_for sh -c "'$FT' mail queue --db '$DB' --format csv | awk -F, '\$4 == \"carol@example.net\" && \$6 == \"queued\" && \$7 >= 1' | grep -q ."
kill -KILL "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=""
check_eq "carol's message waits in the queue" \
    "$(ft mail queue --format csv | awk -F, '$4 == "carol@example.net" { print $6 }')" queued
start_smtp "$TMP/mbox/2" || not_ok "SMTP server again"
start_flowtally -c "$TMP/ft.conf" || { not_ok "start after the kill"; done_testing; exit; }
ft mail retry >/dev/null # the first retry would come within 30 s; now is sooner
wait_for has_messages 6 || not_ok "carol's message came"
sleep 2
check_eq "carol's message arrived once" "$(message_to carol@example.net | wc -l | tr -d ' ')" 1
check_eq "carol's 80% (at 90%)" "$(show "$(message_to carol@example.net)" | sed -n 2p)" \
    "subject: You have used 80% of your 1 GB"
check_eq "every message sent, none twice" "$(ft mail queue --format csv | awk -F, 'NR > 1 { print $6 }' | sort | uniq -c | tr -s ' ')" \
    " 6 sent"
stop_flowtally

# carol crosses 100% in the very flush a stop makes (no flush before it: --flush 600). The
# alert thread does not wait for that flush's rows at a stop (it may or may not have taken
# them first); the next start evaluates every subscriber with usage in the last day before
# anything else, so her 100% has fired once either way, with no flow after the restart
start_flowtally -c "$TMP/ft.conf" --flush 600 || { not_ok "start, flush 600"; done_testing; exit; }
send_flows 10.0.0.3 150000000
sleep 1
stop_flowtally
check_eq "carol's usage was stored by the stop's flush" \
    "$(ft usage carol --format json | jq -r .used_bytes)" 1050000000
start_flowtally -c "$TMP/ft.conf" -v || { not_ok "restart"; done_testing; exit; }
wait_for has_messages 7 || not_ok "carol's 100% came after the restart"
check_eq "carol's 100%, sent once" \
    "$(show "$(message_to carol@example.net | tail -1)" | sed -n 2p) $(message_to carol@example.net | wc -l | tr -d ' ')" \
    "subject: You have used 100% of your 1 GB 2"
check_eq "the alert log: carol's 80% and 100% once each" \
    "$(ft alerts list --account carol --format csv | cut -d, -f3 | sed 1d | sort | tr '\n' ' ')" "100% 80% "
grep -q 'alerts: 3 subscribers with usage in the last day evaluated' "$TMP/daemon.out" "$TMP/daemon.err" &&
    ok "the start says what it caught up on" || not_ok "the start says what it caught up on"
stop_flowtally
done_testing
