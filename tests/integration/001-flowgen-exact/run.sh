#!/bin/sh
# Streams from tools/flowgen (NetFlow v5, v9, IPFIX; unsampled and sampled 1-in-10) sent to
# flowtally on loopback: per-host totals must equal the generator's own totals exactly, with
# nothing lost and no sequence errors.
. "$(dirname "$0")/../lib.sh"

for proto in v5 v9 ipfix; do
    for sampling in 1 10; do
        name="$proto sampling $sampling"
        "$FLOWGEN" write --proto $proto --seed 7 --records 20000 --hosts 300 --sampling $sampling \
            --out "$TMP/s.dgrams" --expect "$TMP/want.csv" >/dev/null
        start_flowtally || { not_ok "$name: start"; continue; }
        "$FLOWGEN" send --in "$TMP/s.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
        stop_flowtally
        host_csv "$TMP/got.csv"
        check_same "$name: per-host totals equal the generator's" "$TMP/got.csv" "$TMP/want.csv"
        check_eq "$name: records counted" "$(counter records 127.0.0.1)" 20000
        check_eq "$name: no sequence loss" "$(counter seq_lost)" 0
        check_eq "$name: no drops" "$(counter drop_set_no_template)$(counter kernel_drops)" 00
        new_store
    done
done

# One daemon on IPv4 and IPv6 sockets; an allow-list that admits loopback only. Stream A
# arrives over IPv4, stream B over IPv6: both count, each under its own exporter.
"$FLOWGEN" write --proto v9 --seed 21 --records 3000 --hosts 30 --out "$TMP/a.dgrams" --expect "$TMP/a.csv" >/dev/null
"$FLOWGEN" write --proto ipfix --seed 22 --records 3000 --hosts 30 --local 10.200.0.0/16 \
    --out "$TMP/b.dgrams" --expect "$TMP/b.csv" >/dev/null
start_flowtally --netflow "127.0.0.1:0,[::1]:0" --exporters "127.0.0.0/8,::1"
PORT6=$(sed -n 's/.*listening on udp \[::1\]:\([0-9]*\).*/\1/p' "$TMP/daemon.out")
if [ -z "$PORT6" ]; then
    stop_flowtally
    skip "IPv6 exporter" "no IPv6 loopback here"
else
    "$FLOWGEN" send --in "$TMP/a.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
    "$FLOWGEN" send --in "$TMP/b.dgrams" --to "[::1]:$PORT6" --rate 100000 >/dev/null
    stop_flowtally
    host_csv "$TMP/got.csv"
    (sed 1d "$TMP/a.csv"; sed 1d "$TMP/b.csv") | sort >"$TMP/want.csv"
    sed 1d "$TMP/got.csv" | sort >"$TMP/got-sorted.csv"
    check_same "IPv4 and IPv6 exporters: totals exact" "$TMP/got-sorted.csv" "$TMP/want.csv"
    check_eq "records from ::1" "$(counter records ::1)" 3000
    if grep -q 'new exporter ::1' "$TMP/daemon.err"; then ok "new exporter logged"; else not_ok "new exporter logged"; fi
fi
new_store

# An allow-list that leaves the sender out: everything is dropped and counted.
start_flowtally --exporters 192.0.2.0/24
"$FLOWGEN" send --in "$TMP/a.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
stop_flowtally
check_eq "denied exporter: datagrams dropped" "$(counter drop_pkt_denied)" 100
check_eq "denied exporter: nothing stored" "$("$FT" report --db "$DB" --by host --format csv | wc -l)" 1
done_testing
