#!/bin/sh
# Receive workers. Several exporters spread over more workers than the stream needs: every
# host's totals exact, each exporter's records all counted once. An exporter that sends its
# template from one source port and its data from twenty others still decodes everything:
# the kernel steers by the exporter's address, not its port, so its datagrams all reach the
# worker holding its template (spread by address and port, most would miss it). Reloads,
# flushes and binding changes while eight exporters send at once lose nothing.
. "$(dirname "$0")/../lib.sh"

cc -O1 -o "$TMP/ports" "$(dirname "$0")/ports.c" || { not_ok "build ports.c"; done_testing; exit; }
"$FLOWGEN" write --proto v9 --seed 171 --records 40000 --hosts 300 \
    --out "$TMP/s.dgrams" --expect "$TMP/one.csv" >/dev/null
"$FLOWGEN" write --proto ipfix --seed 172 --records 2100 --hosts 50 --per-packet 10 \
    --out "$TMP/p.dgrams" --expect "$TMP/p.csv" >/dev/null
# eight exporters send the same stream: every count is eight times the file's
awk -F, 'NR == 1 { print; next } { printf "%s", $1; for (i = 2; i <= 7; i++) printf ",%.0f", $i * 8; printf "\n" }' \
    "$TMP/one.csv" >"$TMP/want.csv"

start_flowtally --workers 4 --local-nets 10.0.0.0/8 || { not_ok start; done_testing; exit; }
grep -q 'NetFlow v5/v9, IPFIX; 4 workers' "$TMP/daemon.out" && ok "four workers on one port" ||
    not_ok "four workers on one port"
check_eq "four sockets share the port" \
    "$(awk -v p="$(printf '%04X' "$PORT")" '$2 ~ ":" p "$"' /proc/net/udp | wc -l)" 4
"$FT" subscriber add someone --db "$DB"
"$FLOWGEN" send --in "$TMP/s.dgrams" --to 127.0.0.1:$PORT --rate 80000 --exporters 8 >/dev/null &
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
sent=$("$TMP/ports" "$TMP/p.dgrams" "$PORT" 21 127.0.0.77)
stop_flowtally
[ $i -ge 5 ] && ok "reloaded $i times while eight exporters sent" || not_ok "only $i reloads"

# the 21-datagram exporter: its hosts are 10.0.0.1-50 too, so take them apart by exporter
check_eq "each of the eight exporters counted once" \
    "$(for e in 1 2 3 4 5 6 7 8; do counter records 127.0.0.$e; done | sort -u | tr '\n' ' ')" "40000 "
check_eq "the exporter changing ports: every record decoded" "$(counter records 127.0.0.77)" "$sent"
check_eq "... none waiting for a template" "$(counter drop_set_no_template 127.0.0.77)" 0
check_eq "no drops" "$(counter kernel_drops)$(counter drop_keys)" 00

# per-host totals: the eight-exporter stream, plus the 21 datagrams' records (flowgen's
# first 210 records, 10 per datagram, of the ipfix stream of 2100 written above)
"$FLOWGEN" write --proto ipfix --seed 172 --records 210 --hosts 50 --per-packet 10 \
    --out "$TMP/p210.dgrams" --expect "$TMP/p210.csv" >/dev/null
awk -F, 'FNR == 1 { next } { for (i = 2; i <= 7; i++) t[$1, i] += $i; seen[$1] = 1 }
    END { for (h in seen) { printf "%s", h; for (i = 2; i <= 7; i++) printf ",%.0f", t[h, i]; printf "\n" } }' \
    "$TMP/want.csv" "$TMP/p210.csv" | sort -t. -k4,4n >"$TMP/want_all.csv"
host_csv "$TMP/got.csv"
sed 1d "$TMP/got.csv" | sort -t. -k4,4n >"$TMP/got_all.csv"
check_same "per-host totals exact" "$TMP/got_all.csv" "$TMP/want_all.csv"
done_testing
