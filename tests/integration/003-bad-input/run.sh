#!/bin/sh
# Bad input between good input. Valid NetFlow v9, IPFIX and v5 streams from 127.0.0.1 for
# hosts in 10.99.0.0/16 are interleaved with thousands of malformed datagrams from 127.0.0.2
# (random bytes, truncations, lying counts and set lengths, unknown versions, built by
# `flowgen mangle` from streams whose hosts lie outside the local network). The daemon must
# keep running, count the drops, keep what it stored before, and end with the valid
# streams' totals exact to the byte.
. "$(dirname "$0")/../lib.sh"

gen() { # gen PROTO SEED NAME [flowgen write options]
    p=$1 s=$2 n=$3
    shift 3
    "$FLOWGEN" write --proto $p --seed $s --records 6000 --hosts 50 "$@" \
        --out "$TMP/$n.dgrams" --expect "$TMP/$n.csv" >/dev/null
}
gen v9 1 a --local 10.99.0.0/16
gen ipfix 2 b --local 10.99.0.0/16
gen v5 3 c --local 10.99.0.0/16
for p in v5 v9 ipfix; do
    gen $p 9 src-$p --local 172.16.0.0/12 --remote 203.0.113.0/24 --remotes 200
    "$FLOWGEN" mangle --in "$TMP/src-$p.dgrams" --seed 5 --count 3000 --out "$TMP/bad-$p.dgrams"
done

# the valid streams' totals summed per host, sorted as text
awk -F, 'FNR > 1 { for (i = 2; i <= 7; i++) t[$1, i] += $i; h[$1] = 1 }
    END { for (x in h) printf "%s,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f\n", x, t[x,2], t[x,3], t[x,4], t[x,5], t[x,6], t[x,7] }' \
    "$TMP/a.csv" "$TMP/b.csv" "$TMP/c.csv" | sort >"$TMP/want.csv"
sed 1d "$TMP/a.csv" | sort >"$TMP/want-a.csv"

ours() { "$FT" report --db "$DB" --by host --format csv | cut -d, -f1-7 | grep '^10\.99\.' | sort; }
first_flush_done() { ours | cmp -s - "$TMP/want-a.csv"; }

start_flowtally --local-nets 10.99.0.0/16 || { not_ok "start"; done_testing; exit; }
send() { "$FLOWGEN" send --in "$TMP/$1.dgrams" --to 127.0.0.1:$PORT --rate 50000 ${2:+--from $2} >/dev/null; }
send a
kill -USR1 $DAEMON_PID
if wait_for first_flush_done; then ok "stream A stored after a flush"; else not_ok "stream A stored after a flush"; fi
send bad-v9 127.0.0.2
send b
send bad-ipfix 127.0.0.2
send bad-v5 127.0.0.2
send c
if kill -0 $DAEMON_PID 2>/dev/null; then ok "daemon alive after 9000 malformed datagrams"; else not_ok "daemon alive"; fi
stop_flowtally

ours >"$TMP/got.csv"
check_same "valid streams exact despite the bad input" "$TMP/got.csv" "$TMP/want.csv"
check_eq "every valid record counted" "$(counter records 127.0.0.1)" 18000
for c in drop_pkt_version drop_pkt_short drop_pkt_malformed drop_set_malformed; do
    n=$(counter $c)
    if [ "$n" -gt 0 ]; then ok "drops counted: $c = $n"; else not_ok "drops counted: $c = 0"; fi
done
total=$("$FT" stats --counters --db "$DB" --format csv | awk -F, '$1 == "*" && $4 == "datagrams" { print $5 }')
check_eq "every datagram seen" "$total" $((200 + 250 + 200 + 9000))
done_testing
