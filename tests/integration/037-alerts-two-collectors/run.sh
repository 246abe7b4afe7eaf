#!/bin/sh
# Two collectors on one PostgreSQL store crossing a level at once (issue 13): each daemon's
# alert thread keeps its subscribers' usage in memory, but only the store knows what the
# other collector added, and only the store decides a level. A 1 GB plan; alice's flows go
# to both collectors. 790 MB through the first; then 30 MB through each at once: each
# collector alone makes it 820 MB, so both read alice from the store over 80% in the same
# flush interval (both logs say so), and exactly one 80% message arrives at a real SMTP
# server (tests/integration/smtp_server.py), with one row in the alert log and one in the
# mail queue. Then 70 MB more through each (990 MB, nothing fires; each collector's memory
# is near 100% and reads the store) and 20 MB through each at once (each alone 1,010 MB):
# exactly one 100% message, likewise. Both daemons stop cleanly. (Usage that only the
# other collector saw is read within EVALUATE_STALE_MS: tests/unit/alert/test_evaluate.c.)
# Skips only when PostgreSQL or python3-aiosmtpd is not installed.
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pg.sh"
export TZ=UTC
PY=/usr/bin/python3
SERVER="$ROOT/tests/integration/smtp_server.py"
SMTP_PID=""
PID_a=""
PID_b=""
trap 'for p in $SMTP_PID $PID_a $PID_b; do kill -KILL "$p" 2>/dev/null; done; pg_stop; cleanup' EXIT

if ! pg_start; then
    echo "1..0 # SKIP PostgreSQL: $PG_SKIP"
    exit 0
fi
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
    echo "1..0 # SKIP python3-aiosmtpd is not installed"
    exit 0
fi
pg_newdb alerts2 || { not_ok "a database"; done_testing; exit; }
DB=$PGURI

mkdir -p "$TMP/mbox"
"$PY" "$SERVER" "$TMP/mbox" >"$TMP/smtp.out" 2>"$TMP/smtp.err" &
SMTP_PID=$!
wait_for grep -q '^listening on' "$TMP/smtp.out" || { not_ok "SMTP server"; done_testing; exit; }
SMTP_PORT=$(sed -n 's/^listening on .*:\([0-9]*\)$/\1/p' "$TMP/smtp.out")
cat >"$TMP/ft.conf" <<CONF
smtp = smtp://127.0.0.1:$SMTP_PORT
mail_from = billing@example.net
operator_name = Example Net
CONF

ft() { "$FT" "$@" --db "$DB"; }
{
    ft plan add Mini --quota 1GB --price 10.00
    ft subscriber add alice --name "Alice Example" --email alice@example.net --plan Mini
    ft bind alice 10.0.0.1 --from 2020-01-01
} >/dev/null || not_ok "plan, subscriber, binding"

# launch NAME: a collector on the store (port 0, debug log), its pid in PID_NAME and its
# NetFlow port in PORT_NAME.
launch() {
    "$FT" run -c "$TMP/ft.conf" --db "$DB" --netflow 127.0.0.1:0 --sflow "" --web "" \
        --flush 1 -v -v >"$TMP/$1.out" 2>"$TMP/$1.err" &
    eval "PID_$1=$!"
    if ! wait_for grep -q 'listening on udp' "$TMP/$1.out"; then
        echo "# flowtally $1 did not start:" && sed 's/^/#   /' "$TMP/$1.err"
        return 1
    fi
    eval "PORT_$1=$(sed -n 's/.*listening on udp 127.0.0.1:\([0-9]*\) (NetFlow.*/\1/p' "$TMP/$1.out")"
}
launch a && launch b || { not_ok "two collectors start"; done_testing; exit; }
ok "two collectors on one PostgreSQL store"

NOW=$(date +%s)
# flows NAME BYTES: one IPFIX flow of alice's (a download ending a minute ago) as datagrams
flows() {
    echo "$((NOW - 60)),10.0.0.1,198.19.0.1,$2,0" >"$TMP/$1.flows"
    "$FLOWGEN" write --proto ipfix --flows "$TMP/$1.flows" --out "$TMP/$1.dgrams" \
        --expect "$TMP/$1.csv" >/dev/null
}
# send NAME COLLECTOR...: sends the datagrams of NAME to each collector at once
send() {
    d=$1
    shift
    pids=""
    for c in "$@"; do
        eval "port=\$PORT_$c"
        "$FLOWGEN" send --in "$TMP/$d.dgrams" --to "127.0.0.1:$port" --rate 10000 >/dev/null &
        pids="$pids $!"
    done
    wait $pids
}
used() { ft usage alice --format json | sed -n 's/.*"used_bytes":\([0-9]*\).*/\1/p'; }
used_is() { [ "$(used)" = "$1" ]; }
messages() { find "$TMP/mbox" -name '*.env' | wc -l | tr -d ' '; }
has_messages() { [ "$(messages)" -ge "$1" ]; }
# read_over NAME BYTES: collector NAME read alice from the store at BYTES or more
read_over() {
    sed -n 's/.*alice: \([0-9]*\) bytes counted of .*(read from the store).*/\1/p' "$TMP/$1.err" |
        awk -v min="$2" '$1 >= min { found = 1 } END { exit !found }'
}
subject() {
    "$PY" - "$1" <<'PYEOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print(m["subject"])
PYEOF
}
subjects() { for f in $(find "$TMP/mbox" -name '*.eml' | sort); do subject "$f"; done; }
crossed_lines() { cat "$TMP/a.err" "$TMP/b.err" | grep -c "alice crossed $1 (" ; }

# 790 MB through a: 79%, nothing fires
flows pre 790000000 && send pre a
wait_for used_is 790000000 || not_ok "790 MB stored"
wait_for read_over a 790000000 || not_ok "a read alice at 790 MB"
# 30 MB through each at once: 850 MB, each alone 820 MB
flows cross 30000000 && send cross a b
wait_for used_is 850000000 || not_ok "850 MB stored"
if wait_for read_over a 820000000 && wait_for read_over b 820000000; then
    ok "both collectors read alice over 80% from the store"
else
    not_ok "both collectors read alice over 80% from the store"
fi
wait_for has_messages 1 || not_ok "the 80% message came"
sleep 2 # a second message would have come by now (rounds run every second)
check_eq "exactly one message, 80%" "$(messages) $(subjects)" "1 You have used 80% of your 1 GB"
check_eq "one 80% row in the alert log" "$(ft alerts list --format csv | sed 1d | cut -d, -f1,3)" \
    "alice,80%"
check_eq "one message in the mail queue" "$(ft mail queue --format csv | sed 1d | wc -l | tr -d ' ')" 1
check_eq "one collector recorded it" "$(crossed_lines 80%)" 1

# 70 MB through each: 990 MB, nothing fires (each read alice at 920 MB or more); then 20 MB
# through each at once: 1,030 MB, each alone 1,010 MB
flows pre2 70000000 && send pre2 a b
wait_for used_is 990000000 || not_ok "990 MB stored"
wait_for read_over a 920000000 || not_ok "a read alice at 920 MB or more"
wait_for read_over b 920000000 || not_ok "b read alice at 920 MB or more"
flows cross2 20000000 && send cross2 a b
wait_for used_is 1030000000 || not_ok "1,030 MB stored"
if wait_for read_over a 1010000000 && wait_for read_over b 1010000000; then
    ok "both collectors read alice over 100% from the store"
else
    not_ok "both collectors read alice over 100% from the store"
fi
wait_for has_messages 2 || not_ok "the 100% message came"
sleep 2
check_eq "exactly one more message, 100%" "$(messages) $(subjects | sort | tr '\n' ';')" \
    "2 You have used 100% of your 1 GB;You have used 80% of your 1 GB;"
check_eq "the alert log: one row per level" \
    "$(ft alerts list --format csv | sed 1d | cut -d, -f1,3 | sort)" "alice,100%
alice,80%"
check_eq "two messages in the mail queue, both sent" \
    "$(ft mail queue --format csv | sed 1d | cut -d, -f6 | tr '\n' ' ')" "sent sent "
check_eq "one collector recorded it" "$(crossed_lines 100%)" 1

for c in a b; do
    eval "pid=\$PID_$c"
    kill -TERM "$pid"
    wait "$pid"
    check_eq "$c stops cleanly" "$?" 0
    eval "PID_$c="
    if grep -q 'runtime error\|Sanitizer' "$TMP/$c.err"; then
        not_ok "$c: no sanitizer report" && sed 's/^/#   /' "$TMP/$c.err" | head -30
    fi
done
done_testing
