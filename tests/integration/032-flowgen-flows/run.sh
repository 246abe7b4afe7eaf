#!/bin/sh
# flowgen write --flows: hand-written flows at exact past times reach the collector each in
# the bucket of its exact end second, for NetFlow v5, v9 and IPFIX. The file is out of time
# order and spans January to July, so the v5/v9 sysUptime clock wraps (49.7 days) between
# datagrams; a 2^40-byte line survives (v5 splits it into 32-bit records). Per host and day
# the bytes equal the file's, per host the totals equal flowgen's --expect. Malformed lines
# and options of the random set are refused with exit status 2.
. "$(dirname "$0")/../lib.sh"
export TZ=UTC # report days are local dates

# 2025-03-01T00:00:00Z is 1740787200.
cat >"$TMP/flows.csv" <<'EOF'
end_unix_seconds,local_ip,remote_ip,bytes_in,bytes_out
# March: 03-01 00:00:00 and 12:00:00, 03-02 (2^40 in, and a second host the same second),
# 03-10, 03-31 23:59:59
1740787200,10.0.0.1,198.51.100.7,1000,200
1740830400,10.0.0.1,198.51.100.9,500,0
1740873600,10.0.0.1,198.51.100.7,1099511627776,1
1740873600,10.0.0.2,198.51.100.8,0,5

1741564800,10.0.0.2,198.51.100.8,123456789,987654321
1743465599,10.0.0.2,198.51.100.8,7,9
# Outside March: its last second before, the first second of April, January and July.
1740787199,10.0.0.1,198.51.100.7,3,3
1743465600,10.0.0.2,198.51.100.8,100000,100000
1735689600,10.0.0.1,198.51.100.7,11,13
1751328000,10.0.0.3,203.0.113.1,17,19
EOF
cat >"$TMP/want-days.csv" <<'EOF'
host,day,bytes_in,bytes_out
10.0.0.1,2025-03-01,1500,200
10.0.0.1,2025-03-02,1099511627776,1
10.0.0.2,2025-03-02,0,5
10.0.0.2,2025-03-10,123456789,987654321
10.0.0.2,2025-03-31,7,9
EOF

for proto in v5 v9 ipfix; do
    "$FLOWGEN" write --proto $proto --flows "$TMP/flows.csv" --out "$TMP/s.dgrams" \
        --expect "$TMP/want.csv" >"$TMP/write.out" || { not_ok "$proto: write"; continue; }
    records=$(sed -n 's/^wrote [0-9]* datagrams, \([0-9]*\) records.*/\1/p' "$TMP/write.out")
    start_flowtally || { not_ok "$proto: start"; continue; }
    "$FLOWGEN" send --in "$TMP/s.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
    stop_flowtally
    "$FT" report --db "$DB" --by host,day --from 2025-03-01 --to 2025-04-01 --format csv |
        cut -d, -f1-4 >"$TMP/got-days.csv"
    check_same "$proto: bytes per host and day as written" "$TMP/got-days.csv" "$TMP/want-days.csv"
    host_csv "$TMP/got.csv"
    check_same "$proto: per-host totals equal --expect" "$TMP/got.csv" "$TMP/want.csv"
    check_eq "$proto: records counted" "$(counter records 127.0.0.1)" "$records"
    check_eq "$proto: no sequence loss" "$(counter seq_lost)" 0
    new_store
done

printf '%s\n' '# flows' '1740787200,10.0.0.1,198.51.100.7,1000,200' \
    '1740787200,10.0.0.1,198.51.100.7,12k,0' >"$TMP/bad.csv"
"$FLOWGEN" write --proto v9 --flows "$TMP/bad.csv" --out "$TMP/b.dgrams" --expect "$TMP/b.csv" \
    2>"$TMP/err"
check_eq "malformed line: exit status 2" $? 2
if grep -q "bad.csv:3: bytes_in: expected a decimal integer" "$TMP/err"; then
    ok "malformed line: FILE:LINE and what was expected"
else
    not_ok "malformed line: FILE:LINE and what was expected" && sed 's/^/#   /' "$TMP/err"
fi
"$FLOWGEN" write --proto v9 --flows "$TMP/flows.csv" --seed 2 --out "$TMP/b.dgrams" \
    --expect "$TMP/b.csv" 2>/dev/null
check_eq "--flows with --seed: exit status 2" $? 2
done_testing
