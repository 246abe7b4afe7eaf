#!/bin/sh
# flowgen write --flows: hand-written flows at exact past times reach the collector each in
# the bucket of its exact end second, for NetFlow v5, v9 and IPFIX. The file is out of time
# order and spans January to July, so the v5/v9 sysUptime clock wraps (49.7 days) between
# datagrams; a 2^40-byte line survives (v5 splits it into 32-bit records). Per host and day
# the bytes equal the file's, per host the totals equal flowgen's --expect. Malformed lines
# and options of the random set are refused with exit status 2.
# IPv6 (v9 and IPFIX): a random set in the README's 2001:db8:1200::/56 reaches flowtally
# exactly, and nfdump's nfcapd (the oracle) counts the same bytes per address as --expect
# for IPv4 and IPv6 streams; a --flows file with IPv6 and IPv4 lines lands in the buckets
# of its times; `--start now` stamps the last datagram with the current second, and every
# flow lands in [now - records/pace - 60 s, now]. v5 with IPv6, mixed families and bad
# IPv6 prefixes are refused with exit status 2.
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
# ---- IPv6 ----
LOCAL6=2001:db8:1200::/56
NETS="10.0.0.0/8,$LOCAL6"

# The random set over IPv6, unsampled and 1-in-10: flowgen numbers the hosts from the
# prefix's base + 1 and writes them as flowtally prints them, so 60 hosts run from
# 2001:db8:1200::1 to 2001:db8:1200::3c.
for proto in v9 ipfix; do
    for sampling in 1 10; do
        name="IPv6 $proto sampling $sampling"
        "$FLOWGEN" write --proto $proto --seed 11 --records 4000 --hosts 60 --local $LOCAL6 \
            --sampling $sampling --out "$TMP/s.dgrams" --expect "$TMP/want.csv" >/dev/null ||
            { not_ok "$name: write"; continue; }
        check_eq "$name: expect file's first and last host" \
            "$(sed -n '2p;$p' "$TMP/want.csv" | cut -d, -f1 | tr '\n' ' ')" \
            "2001:db8:1200::1 2001:db8:1200::3c "
        start_flowtally --local-nets "$NETS" || { not_ok "$name: start"; continue; }
        "$FLOWGEN" send --in "$TMP/s.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
        stop_flowtally
        host_csv "$TMP/got.csv"
        check_same "$name: per-host totals equal --expect" "$TMP/got.csv" "$TMP/want.csv"
        check_eq "$name: records counted" "$(counter records 127.0.0.1)" 4000
        check_eq "$name: no sequence loss, no set without template" \
            "$(counter seq_lost)$(counter drop_set_no_template)" 00
        new_store
    done
done

# --flows with IPv6 lines (written in any form inet_pton takes) and an IPv4 one. The IPv6
# hosts of March, as the table below adds them up (2025-03-01T00:00:00Z is 1740787200):
#   2001:db8:1200::10    03-01: 1000 + 7 in, 200 + 9 out; 03-02 (1740873600): 2^40 in, 1 out
#   2001:db8:1200:ff::1  03-01 12:00: 500 in; 03-31 23:59:59: 11 in, 13 out
# and outside March: 02-28 23:59:59 and 04-01 00:00:00.
cat >"$TMP/flows6.csv" <<'EOF'
end_unix_seconds,local_ip,remote_ip,bytes_in,bytes_out
1740787200,2001:DB8:1200:0:0:0:0:10,2001:db8:5::1,1000,200
1740830400,2001:db8:1200:ff::1,2001:db8:5::1,500,0
1740873599,2001:db8:1200::10,2001:0db8:0005::0002,7,9
1740873600,2001:db8:1200::10,2001:db8:5::1,1099511627776,1
1740873600,10.0.0.1,198.51.100.7,3,5
1743465599,2001:db8:1200:ff::1,2001:db8:5::1,11,13
1743465600,2001:db8:1200:ff::1,2001:db8:5::1,17,19
1740787199,2001:db8:1200::10,2001:db8:5::1,23,29
EOF
cat >"$TMP/want6-days.csv" <<'EOF'
host,day,bytes_in,bytes_out
10.0.0.1,2025-03-02,3,5
2001:db8:1200::10,2025-03-01,1007,209
2001:db8:1200::10,2025-03-02,1099511627776,1
2001:db8:1200:ff::1,2025-03-01,500,0
2001:db8:1200:ff::1,2025-03-31,11,13
EOF
cat >"$TMP/want6-hosts.csv" <<'EOF'
host,bytes_in,bytes_out
10.0.0.1,3,5
2001:db8:1200::10,1099511628806,239
2001:db8:1200:ff::1,528,32
EOF
for proto in v9 ipfix; do
    name="--flows IPv6 $proto"
    "$FLOWGEN" write --proto $proto --flows "$TMP/flows6.csv" --out "$TMP/s.dgrams" \
        --expect "$TMP/want.csv" >"$TMP/write.out" || { not_ok "$name: write"; continue; }
    cut -d, -f1-3 "$TMP/want.csv" >"$TMP/want-hosts.csv"
    check_same "$name: --expect per host as added up by hand" "$TMP/want-hosts.csv" \
        "$TMP/want6-hosts.csv"
    records=$(sed -n 's/^wrote [0-9]* datagrams, \([0-9]*\) records.*/\1/p' "$TMP/write.out")
    start_flowtally --local-nets "$NETS" || { not_ok "$name: start"; continue; }
    "$FLOWGEN" send --in "$TMP/s.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
    stop_flowtally
    "$FT" report --db "$DB" --by host,day --from 2025-03-01 --to 2025-04-01 --format csv |
        cut -d, -f1-4 >"$TMP/got-days.csv"
    check_same "$name: bytes per host and day as written" "$TMP/got-days.csv" \
        "$TMP/want6-days.csv"
    host_csv "$TMP/got.csv"
    check_same "$name: per-host totals equal --expect" "$TMP/got.csv" "$TMP/want.csv"
    check_eq "$name: records counted" "$(counter records 127.0.0.1)" "$records"
    new_store
done

# The oracle: nfdump's nfcapd receives the same datagrams. nfcapd_start sets NFC_PID and
# NFC_PORT, retrying when the port is taken.
nfcapd_start() {
    for try in 1 2 3 4 5; do
        NFC_PORT=$((20000 + ($$ * 7 + try * 7919) % 40000))
        rm -rf "$TMP/nfc" && mkdir "$TMP/nfc"
        nfcapd -w "$TMP/nfc" -b 127.0.0.1 -p $NFC_PORT >"$TMP/nfcapd.log" 2>&1 &
        NFC_PID=$!
        wait_for sh -c "grep -q Startup '$TMP/nfcapd.log' || ! kill -0 $NFC_PID"
        if grep -q Startup "$TMP/nfcapd.log" && kill -0 $NFC_PID 2>/dev/null; then
            return 0
        fi
        kill -9 $NFC_PID 2>/dev/null
        wait $NFC_PID 2>/dev/null
    done
    return 1
}
# nfcapd_drained: nothing waits in nfcapd's socket.
nfcapd_drained() { [ "$(ss -Hlun "sport = :$NFC_PORT" | awk '{ print $2 }')" = 0 ]; }
# nfcapd_stop: once its socket is drained, SIGTERM, which writes the last file.
nfcapd_stop() {
    wait_for nfcapd_drained
    kill -TERM $NFC_PID
    wait $NFC_PID
}
# nfdump_hosts NET: nfdump's per-address totals of the hosts in NET, in --expect's columns
# (host,bytes_in,bytes_out,packets_in,packets_out,flows_in,flows_out), sorted as text.
nfdump_hosts() {
    nfdump -6 -R "$TMP/nfc" -q -N -A dstip -o "fmt:%da,%byt,%pkt,%fl" "dst net $1" |
        tr -d ' ' >"$TMP/nfd.in"
    nfdump -6 -R "$TMP/nfc" -q -N -A srcip -o "fmt:%sa,%byt,%pkt,%fl" "src net $1" |
        tr -d ' ' >"$TMP/nfd.out"
    awk -F, 'FNR == 1 { file++ } $1 == "" { next }
        file == 1 { bi[$1] = $2; pi[$1] = $3; fi[$1] = $4; seen[$1] = 1 }
        file == 2 { bo[$1] = $2; po[$1] = $3; fo[$1] = $4; seen[$1] = 1 }
        END { for (h in seen) printf "%s,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f\n", h, bi[h], bo[h],
              pi[h], po[h], fi[h], fo[h] }' "$TMP/nfd.in" "$TMP/nfd.out" | sort
}

if ! command -v nfcapd >/dev/null || ! command -v nfdump >/dev/null; then
    skip "nfcapd oracle" "nfdump not installed"
else
    for stream in "v9 10.0.0.0/8" "ipfix 10.0.0.0/8" "v9 $LOCAL6" "ipfix $LOCAL6"; do
        set -- $stream
        name="nfcapd, $1 $2"
        "$FLOWGEN" write --proto $1 --seed 12 --records 3000 --hosts 40 --local $2 \
            --out "$TMP/s.dgrams" --expect "$TMP/want.csv" >/dev/null ||
            { not_ok "$name: write"; continue; }
        nfcapd_start || { not_ok "$name: nfcapd starts"; continue; }
        "$FLOWGEN" send --in "$TMP/s.dgrams" --to 127.0.0.1:$NFC_PORT --rate 100000 >/dev/null
        nfcapd_stop
        check_eq "$name: nfcapd got every flow, no sequence error" \
            "$(grep -o 'Flows: [0-9]*.*Sequence Errors: [0-9]*' "$TMP/nfcapd.log" |
                sed 's/Packets.*Sequence/Sequence/')" "Flows: 3000, Sequence Errors: 0"
        nfdump_hosts $2 >"$TMP/got.csv"
        sed 1d "$TMP/want.csv" | sort >"$TMP/want-sorted.csv"
        check_same "$name: nfdump's per-address totals equal --expect" "$TMP/got.csv" \
            "$TMP/want-sorted.csv"
    done
    # The --flows file above: its second 1740873600 makes a datagram of both families (an
    # IPv4 and an IPv6 data set), and nfdump adds up 2^40-byte flows as exactly.
    for proto in v9 ipfix; do
        name="nfcapd, --flows IPv6 and IPv4 $proto"
        "$FLOWGEN" write --proto $proto --flows "$TMP/flows6.csv" --out "$TMP/s.dgrams" \
            --expect "$TMP/want.csv" >/dev/null || { not_ok "$name: write"; continue; }
        nfcapd_start || { not_ok "$name: nfcapd starts"; continue; }
        "$FLOWGEN" send --in "$TMP/s.dgrams" --to 127.0.0.1:$NFC_PORT --rate 100000 >/dev/null
        nfcapd_stop
        (nfdump_hosts 10.0.0.0/8 && nfdump_hosts $LOCAL6) | sort >"$TMP/got.csv"
        sed 1d "$TMP/want.csv" | sort >"$TMP/want-sorted.csv"
        check_same "$name: nfdump's per-address totals equal --expect" "$TMP/got.csv" \
            "$TMP/want-sorted.csv"
    done
fi

# export_times FILE.dgrams: the export time of the first and of the last IPFIX message
# (bytes 4-7 of the header after each entry's 8-byte length and count).
export_times() {
    od -An -v -tu1 "$1" | awk '{ for (i = 1; i <= NF; i++) b[n++] = $i }
        END { while (p < n) {
                  len = ((b[p] * 256 + b[p + 1]) * 256 + b[p + 2]) * 256 + b[p + 3]
                  t = ((b[p + 12] * 256 + b[p + 13]) * 256 + b[p + 14]) * 256 + b[p + 15]
                  if (first == "") first = t
                  last = t
                  p += 8 + len
              }
              print first, last }'
}

# --start now: 6000 records of 17 a message (the IPv6 IPFIX maximum), paced 1000 a second:
# the last message holds records 5984.., exported at now, the first at now - 5984/1000 =
# now - 5; flows end up to 59 s before their export.
before=$(date +%s)
"$FLOWGEN" write --proto ipfix --seed 13 --records 6000 --hosts 20 --local $LOCAL6 \
    --per-packet 17 --start now --out "$TMP/now.dgrams" --expect "$TMP/now.csv" >/dev/null
check_eq "--start now: exit status 0" $? 0
after=$(date +%s)
set -- $(export_times "$TMP/now.dgrams")
if [ "$2" -ge "$before" ] && [ "$2" -le "$after" ] && [ "$1" -eq $(($2 - 5)) ]; then
    ok "--start now: the last message is exported now, the first 5 s before"
else
    not_ok "--start now: exported $1 .. $2, now in [$before, $after]"
fi
# flowtally with 60 s buckets: every byte within the buckets of [before - 6 - 60, after],
# and nothing outside them.
from=$(((before - 66) / 60 * 60))
to=$((after / 60 * 60 + 60))
start_flowtally --local-nets "$NETS" --bucket 60 || not_ok "--start now: start"
"$FLOWGEN" send --in "$TMP/now.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
stop_flowtally
"$FT" report --db "$DB" --by host --from $from --to $to --format csv | cut -d, -f1-7 \
    >"$TMP/got.csv"
check_same "--start now: all of --expect within [now - records/pace - 60 s, now]" \
    "$TMP/got.csv" "$TMP/now.csv"
host_csv "$TMP/got-all.csv"
check_same "--start now: nothing outside it" "$TMP/got-all.csv" "$TMP/now.csv"
new_store
# To the second, as nfdump reads the flows' end times.
if command -v nfcapd >/dev/null && nfcapd_start; then
    "$FLOWGEN" send --in "$TMP/now.dgrams" --to 127.0.0.1:$NFC_PORT --rate 100000 >/dev/null
    nfcapd_stop
    ends=$(nfdump -R "$TMP/nfc" -q -N -o "fmt:%ter" | awk '{ t = int($1) }
        NR == 1 || t < lo { lo = t } NR == 1 || t > hi { hi = t } END { print NR, lo, hi }')
    set -- $ends
    if [ "$1" -eq 6000 ] && [ "$2" -ge $((before - 66)) ] && [ "$3" -le "$after" ]; then
        ok "--start now: nfdump sees 6000 flows ending in [now - 66 s, now]"
    else
        not_ok "--start now: nfdump sees $1 flows ending $2 .. $3, now in [$before, $after]"
    fi
else
    skip "--start now: flows' end times" "nfcapd not available"
fi
before=$(date +%s)
"$FLOWGEN" write --proto ipfix --records 100 --start now-3600 --out "$TMP/now.dgrams" \
    --expect "$TMP/now.csv" >/dev/null
after=$(date +%s)
set -- $(export_times "$TMP/now.dgrams")
if [ "$2" -ge $((before - 3600)) ] && [ "$2" -le $((after - 3600)) ]; then
    ok "--start now-3600: the last message is exported an hour ago"
else
    not_ok "--start now-3600: exported at $2, now in [$before, $after]"
fi

# Refusals, each with exit status 2 and what was expected.
refused() { # refused NAME MESSAGE_PART flowgen write ARGS...
    name=$1 want=$2
    shift 2
    "$FLOWGEN" write "$@" --out "$TMP/b.dgrams" --expect "$TMP/b.csv" >/dev/null 2>"$TMP/err"
    status=$?
    if [ $status -eq 2 ] && grep -qF -- "$want" "$TMP/err"; then
        ok "$name: exit status 2, '$want'"
    else
        not_ok "$name: exit status $status" && sed 's/^/#   /' "$TMP/err"
    fi
}
refused "v5 with an IPv6 prefix" "NetFlow v5 cannot carry IPv6" --proto v5 --local $LOCAL6
refused "IPv6 --local, IPv4 --remote" "an IPv6 prefix, as --local is one" \
    --proto v9 --local $LOCAL6 --remote 198.18.0.0/15
refused "IPv4 --local, IPv6 --remote" "an IPv4 prefix, as --local is one" \
    --proto ipfix --remote 2001:2::/48
refused "IPv6 prefix with host bits" "host bits 0, got '2001:db8:1200::1/56'" \
    --proto ipfix --local 2001:db8:1200::1/56
refused "IPv6 prefix /127" "(LEN 1..126)" --proto ipfix --local 2001:db8:1200::/127
refused "malformed IPv6 prefix" "got '2001:db8::12::/56'" --proto ipfix --local 2001:db8::12::/56
refused "IPv6 link-local prefix" "in 2000::/3 (global) or fc00::/7" --proto v9 --local fe80::/64
refused "--start now+5" "UNIX_SECONDS, now or now-SECONDS" --proto v9 --start now+5
refused "--flows IPv6 line with v5" "flows6.csv:2: local_ip: expected an IPv4 address" \
    --proto v5 --flows "$TMP/flows6.csv"
printf '%s\n' '1740787200,10.0.0.1,198.51.100.7,1,1' '1740787200,2001:db8:1200::10,198.51.100.7,1,1' \
    >"$TMP/mixed.csv"
refused "--flows line of two families" "mixed.csv:2: remote_ip: expected an IPv6 address" \
    --proto ipfix --flows "$TMP/mixed.csv"
done_testing
