#!/bin/sh
# Log sources. A Squid access.log imported once (denied requests not counted, the user
# naming the account) and imported again (nothing counted twice); a plain usage log and a
# mapping log followed by the daemon across a rename rotation and a restart, each line
# counted exactly once; exclude_hosts keeps the proxy's own flows out of the bills.
. "$(dirname "$0")/../lib.sh"

DB="$TMP/flowtally.db"
ft() { "$FT" "$@" --db "$DB"; }
ft subscriber add alice
ft subscriber add bob
ft subscriber add carol

cat >"$TMP/access.log" <<'LOG'
1790000000.100    145 10.1.0.5 TCP_MISS/200 1000 GET http://example.com/ alice HIER_DIRECT/203.0.113.5 text/html
1790000001.200     90 10.1.0.5 TCP_TUNNEL/200 2000 CONNECT example.org:443 alice HIER_DIRECT/203.0.113.6 -
1790000002.300      3 10.1.0.6 TCP_MISS/200 5000 GET http://example.net/ bob HIER_DIRECT/198.51.100.7 -
1790000003.400      0 10.1.0.6 TCP_DENIED/403 9999 GET http://blocked.example/ bob HIER_NONE/- text/html
1790000004.500 this line is broken
LOG
out=$(ft import log squid "$TMP/access.log" 2>"$TMP/err")
check_eq "import exits 0" "$?" 0
case "$out" in *"3 usage lines, 0 mappings, 1 denied, 0 ignored, 1 malformed"*) ok "import counts the lines" ;;
*) not_ok "import counts the lines: $out" ;; esac
if grep -q "access.log:5: expected" "$TMP/err"; then ok "the broken line is named file:line"; else not_ok "broken line reported: $(cat "$TMP/err")"; fi
bytes() { ft report --by subscriber --format csv | awk -F, -v w="$1" '$1 == w { print $2 "," $3 }'; }
check_eq "alice: proxy bytes in" "$(bytes alice)" "3000,0"
check_eq "bob: denied request not counted" "$(bytes bob)" "5000,0"
ft import log squid "$TMP/access.log" >/dev/null 2>&1
check_eq "importing again counts nothing twice" "$(bytes alice),$(bytes bob)" "3000,0,5000,0"

# Followed logs: a mapping gives 10.9.9.9 to carol from 1790000000; plain usage lines.
printf '1789999000 carol - 10.9.9.9\n' >"$TMP/map.log"
printf '1790000010 - - 10.9.9.9 203.0.113.9 100 10\n' >"$TMP/usage.log"
start_flowtally --logs "mapping:$TMP/map.log,plain:$TMP/usage.log" || { not_ok start; done_testing; exit; }
printf '1790000020 - - 10.9.9.9 203.0.113.9 200 20\n' >>"$TMP/usage.log"
printf '1790000021 bob - 10.1.0.6 - 4000 400\n1790000022 - - 10.9.9.9 - 3' >>"$TMP/usage.log"
kill -USR1 $DAEMON_PID
first_lines_counted() { [ "$(bytes carol)" = "300,30" ]; }
wait_for first_lines_counted || not_ok "the first lines were counted"
mv "$TMP/usage.log" "$TMP/usage.log.1" # rotation by rename; the writer finishes its line
printf '00 30\n' >>"$TMP/usage.log.1"
printf '1790000030 - - 10.9.9.9 - 1000 100\n' >"$TMP/usage.log"
stop_flowtally # the final flush reads the rest of the old file, then the new one
check_eq "carol: mapped lines, across the rotation" "$(bytes carol)" "1600,160"
check_eq "bob: plain usage by user" "$(bytes bob)" "9000,400"
printf '1790000040 - - 10.9.9.9 - 5 5\n' >>"$TMP/usage.log"
start_flowtally --logs "mapping:$TMP/map.log,plain:$TMP/usage.log" || { not_ok restart; done_testing; exit; }
stop_flowtally
check_eq "after a restart only the new line counts" "$(bytes carol)" "1605,165"
check_eq "no malformed lines" "$(counter log_malformed "$TMP/usage.log")" 0

# exclude_hosts: the proxy 10.0.0.1 is billed from its log, not from flows
rm -f "$DB"*
"$FLOWGEN" write --proto v9 --seed 13 --records 3000 --hosts 5 --out "$TMP/s.dgrams" \
    --expect "$TMP/want.csv" >/dev/null
start_flowtally --exclude-hosts 10.0.0.1 || { not_ok start; done_testing; exit; }
"$FLOWGEN" send --in "$TMP/s.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
stop_flowtally
host_csv "$TMP/got.csv"
grep -v '^10\.0\.0\.1,' "$TMP/want.csv" >"$TMP/want-x.csv"
check_same "exclude_hosts: the proxy's flows are left out, the rest exact" "$TMP/got.csv" "$TMP/want-x.csv"
check_eq "and counted as excluded" "$(counter flows_excluded)" \
    "$(awk -F, '$1 == "10.0.0.1" { print $6 + $7 }' "$TMP/want.csv")"
done_testing
