#!/bin/sh
# Counting once. Two routers (127.0.0.1 and 127.0.0.2) export the same traffic; with
# count_at naming one of them, every host's totals equal one copy of the stream, and the
# other router's flows are counted in statistics as not billed. An interface filter that
# matches nothing bills nothing.
. "$(dirname "$0")/../lib.sh"

"$FLOWGEN" write --proto v9 --seed 91 --records 6000 --hosts 50 \
    --out "$TMP/s.dgrams" --expect "$TMP/want.csv" >/dev/null
send_twice() {
    "$FLOWGEN" send --in "$TMP/s.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
    "$FLOWGEN" send --in "$TMP/s.dgrams" --to 127.0.0.1:$PORT --rate 100000 --from 127.0.0.2 >/dev/null
}

start_flowtally --count-at 127.0.0.2 || { not_ok start; done_testing; exit; }
send_twice
stop_flowtally
host_csv "$TMP/got.csv"
check_same "two routers, one billed: totals equal one copy" "$TMP/got.csv" "$TMP/want.csv"
check_eq "the other router's flows counted as not billed" "$(counter flows_not_billed)" 6000
rm -f "$DB"*

start_flowtally || { not_ok start; done_testing; exit; }
send_twice
stop_flowtally
doubled=$("$FT" report --db "$DB" --format csv | awk -F, 'NR > 1 { s += $2 } END { printf "%.0f", s }')
single=$(awk -F, 'NR > 1 { s += $2 } END { printf "%.0f", s }' "$TMP/want.csv")
check_eq "by default every exporter bills (twice here)" "$doubled" $((single * 2))
rm -f "$DB"*

start_flowtally --count-at 127.0.0.1@999 || { not_ok start; done_testing; exit; }
send_twice
stop_flowtally
check_eq "an interface nobody uses bills nothing" "$("$FT" report --db "$DB" --format csv | wc -l)" 1
check_eq "and counts every flow as not billed" "$(counter flows_not_billed)" 12000
done_testing
