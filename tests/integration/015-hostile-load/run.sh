#!/bin/sh
# Memory bounds under hostile load. One exporter defines all 65,280 template ids; another
# stream brings a million distinct hosts within one flush interval; a capture holds far
# more flows at once than max_flows. The caps hold (max_templates per exporter, max_keys
# per interval, max_flows), what they refuse is counted and logged, the daemon keeps
# running, and its peak memory stays small.
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
if grep -q 'templates refused, max_templates (1024) held' "$TMP/daemon.err"; then
    ok "the template cap is logged"; else not_ok "the template cap is logged"; fi
if grep -q 'aggregation table full (max_keys = 100000)' "$TMP/daemon.err"; then
    ok "the key cap is logged"; else not_ok "the key cap is logged"; fi
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

# A capture of many more flows than max_flows (20,000 sessions of 250 hosts over ten minutes,
# none ending by idleness): the flow table stays at its cap, the least recently seen flows
# end early (counted and logged), and every byte and packet is still counted.
"$PCAPGEN" --seed 15 --sessions 20000 --hosts 250 --remotes 254 --out "$TMP/many.pcap" \
    --expect "$TMP/many.csv" >/dev/null
DB="$TMP/cap.db"
"$FT" run --db "$DB" --read "$TMP/many.pcap" --max-flows 1024 --idle-timeout 3600 \
    --netflow "" --sflow "" --flush 60 >/dev/null 2>"$TMP/cap.err"
check_eq "the capture is read to its end" "$?" 0
early=$(counter probe_expired_early)
[ "$early" -gt 0 ] && ok "flows ended early at the cap: $early" || not_ok "no flow ended early"
if grep -q 'flow table full (max_flows)' "$TMP/cap.err"; then
    ok "the flow table cap is logged"; else not_ok "the flow table cap is logged"; fi
host_csv "$TMP/got.csv"
cut -d, -f1-5 "$TMP/got.csv" >"$TMP/got5.csv"
cut -d, -f1-5 "$TMP/many.csv" >"$TMP/want5.csv"
check_same "every host's bytes and packets exact despite the cap" "$TMP/got5.csv" "$TMP/want5.csv"
done_testing
