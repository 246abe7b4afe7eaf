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
        rm -f "$DB"*
    done
done
done_testing
