#!/bin/sh
# Memory bounds under hostile load. One exporter defines all 65,280 template ids; another
# stream brings a million distinct hosts within one flush interval. The caps hold
# (max_templates per exporter, max_keys per interval), what they refuse is counted, the
# daemon keeps running, and its peak memory stays small.
. "$(dirname "$0")/../lib.sh"

cc -O1 -o "$TMP/templates" "$(dirname "$0")/templates.c" || { not_ok "build templates.c"; done_testing; exit; }
"$TMP/templates" "$TMP/templates.dgrams"
"$FLOWGEN" write --proto v9 --seed 15 --records 1000000 --hosts 1000000 --remotes 1000 \
    --out "$TMP/hosts.dgrams" --expect "$TMP/hosts.csv" >/dev/null

start_flowtally --max-templates 1024 --max-keys 100000 --flush 60 ||
    { not_ok start; done_testing; exit; }
"$FLOWGEN" send --in "$TMP/templates.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
"$FLOWGEN" send --in "$TMP/hosts.dgrams" --to 127.0.0.1:$PORT --rate 500000 >/dev/null
kill -USR1 $DAEMON_PID # flush: the counters become visible
flushed() { [ "$(counter drop_keys)" -gt 0 ]; }
wait_for flushed
hwm=$(awk '/^VmHWM/ { print $2 }' /proc/$DAEMON_PID/status)
if kill -0 $DAEMON_PID 2>/dev/null; then ok "daemon alive"; else not_ok "daemon alive"; fi
stop_flowtally
check_eq "templates held to the cap, the rest refused and counted" \
    "$(counter drop_template_limit)" $((65280 - 1024))
stored=$("$FT" report --db "$DB" --by host --format csv | sed 1d | wc -l)
flows=$("$FT" report --db "$DB" --by host --format csv | awk -F, 'NR > 1 { s += $6 + $7 } END { print s }')
dropped=$(counter drop_keys)
check_eq "every record read" "$(counter records 127.0.0.1)" 1000000
if [ "$stored" -le 100000 ] && [ "$dropped" -gt 0 ]; then
    ok "keys capped per interval: $stored hosts stored, $dropped flows refused and counted"
else
    not_ok "keys capped: stored $stored, dropped $dropped"
fi
check_eq "every flow either stored or counted as refused" $((flows + dropped)) 1000000
# ASan's shadow memory and quarantine inflate RSS; the bound is for the plain build.
limit=$((64 * 1024))
case "$BUILD" in *asan*) limit=$((512 * 1024)) ;; esac
if [ "$hwm" -lt "$limit" ]; then ok "peak memory $((hwm / 1024)) MB (bound $((limit / 1024)) MB)"; else
    not_ok "peak memory $((hwm / 1024)) MB over $((limit / 1024)) MB"; fi
done_testing
