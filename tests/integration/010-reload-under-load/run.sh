#!/bin/sh
# Reloads under load lose nothing. While a stream arrives, the daemon is told to reload its
# configuration (SIGHUP), to flush (SIGUSR1), and its bindings change through the CLI; at
# the end every host's totals equal the generator's, to the byte.
. "$(dirname "$0")/../lib.sh"

"$FLOWGEN" write --proto v9 --seed 81 --records 60000 --hosts 200 \
    --out "$TMP/s.dgrams" --expect "$TMP/want.csv" >/dev/null
printf 'local_nets = 10.0.0.0/8\n' >"$TMP/ft.conf"
start_flowtally -c "$TMP/ft.conf" || { not_ok start; done_testing; exit; }
"$FT" subscriber add someone --db "$DB"
"$FLOWGEN" send --in "$TMP/s.dgrams" --to 127.0.0.1:$PORT --rate 30000 >/dev/null &
SENDER=$!
i=0
while kill -0 $SENDER 2>/dev/null && [ $i -lt 40 ]; do
    kill -HUP $DAEMON_PID
    kill -USR1 $DAEMON_PID
    "$FT" bind someone 10.250.0.$((i + 1)) --db "$DB" 2>/dev/null
    i=$((i + 1))
    sleep 0.1
done
wait $SENDER
stop_flowtally
[ $i -ge 5 ] && ok "reloaded $i times while the stream ran" || not_ok "only $i reloads"
host_csv "$TMP/got.csv"
check_same "per-host totals exact after reloads" "$TMP/got.csv" "$TMP/want.csv"
check_eq "no drops" "$(counter kernel_drops)$(counter drop_keys)" 00
done_testing
