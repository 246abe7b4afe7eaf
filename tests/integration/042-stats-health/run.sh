#!/bin/sh
# `flowtally stats`, whether each router is healthy (issue 14, item 6). Three exporters send
# through tools/flowgen and the daemon flushes twice on SIGUSR1 (its own timer is an hour):
#   127.0.0.1   IPFIX, 600 records, all in the first flush, none after, unsampled but
#               `sampling = 127.0.0.1=4` in the config: its bytes count four times;
#   127.0.0.2   NetFlow v5, 300 records in 30 datagrams of 10, half before each flush, the
#               5th and 22nd datagrams dropped from the file: 20 records lost by sequence;
#   127.0.0.10  NetFlow v9, 100 records sampled 1 in 10, in the second flush only.
# Every figure is worked out here from flowgen's counts and the flush times the store
# recorded (exporter_seen's "*" rows): records, bytes and datagrams per second over the last
# flush interval and over the last hour's flushes (bytes: flowgen's --expect totals, which
# count 127.0.0.10's sampled bytes ten times; 127.0.0.1's times the configured 4;
# 127.0.0.2's less the two datagrams cut out,
# read from the v5 records here), 20 lost of 300 (6.7%, losing), and, once
# 127.0.0.1's rows are stamped ten minutes back in the store, "silent since" its time.
# Addresses come in address order (127.0.0.2 before 127.0.0.10); the counters stay under
# --counters; the flusher prunes rows older than two hours but keeps an exporter's latest.
. "$(dirname "$0")/../lib.sh"

# cut_dgrams IN OUT FIRST LAST [SKIP...]: the datagrams FIRST..LAST (1-based) of a .dgrams
# file, less those numbered SKIP.
cut_dgrams() {
    python3 - "$@" <<'PY'
import struct, sys
src, dst, first, last = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
skip = {int(x) for x in sys.argv[5:]}
data, out, off, n = open(src, "rb").read(), bytearray(), 0, 0
while off < len(data):
    length = struct.unpack(">I", data[off:off + 4])[0]
    n += 1
    if first <= n <= last and n not in skip:
        out += data[off:off + 8 + length]
    off += 8 + length
open(dst, "wb").write(out)
PY
}

# v5_bytes FILE: the bytes (dOctets, at offset 20 of each 48-byte record after the 24-byte
# header) of every NetFlow v5 record of a .dgrams file, unsampled.
v5_bytes() {
    python3 - "$1" <<'PY'
import struct, sys
data, off, total = open(sys.argv[1], "rb").read(), 0, 0
while off < len(data):
    length = struct.unpack(">I", data[off:off + 4])[0]
    d = data[off + 8:off + 8 + length]
    for i in range(struct.unpack(">H", d[2:4])[0]):
        total += struct.unpack(">I", d[24 + 48 * i + 20:24 + 48 * i + 24])[0]
    off += 8 + length
print(total)
PY
}
# expect_bytes FILE.csv: every host's bytes in and out, as flowgen's --expect says
expect_bytes() { awk -F, 'NR > 1 { s += $2 + $3 } END { printf "%.0f\n", s }' "$1"; }

"$FLOWGEN" write --proto ipfix --seed 421 --records 600 --hosts 20 --per-packet 10 \
    --out "$TMP/a.dgrams" --expect "$TMP/a.csv" >/dev/null
"$FLOWGEN" write --proto v5 --seed 422 --records 300 --hosts 20 --per-packet 10 \
    --out "$TMP/b.dgrams" --expect "$TMP/b.csv" >/dev/null
"$FLOWGEN" write --proto v9 --seed 423 --records 100 --hosts 20 --per-packet 10 --sampling 10 \
    --out "$TMP/c.dgrams" --expect "$TMP/c.csv" >/dev/null
cut_dgrams "$TMP/b.dgrams" "$TMP/b1.dgrams" 1 15 5
cut_dgrams "$TMP/b.dgrams" "$TMP/b2.dgrams" 16 30 22
# what each file holds, as flowgen counts it: "datagrams N records N"
dgrams() { "$FLOWGEN" stats --in "$1" | awk '{ print $2 }'; }
records() { "$FLOWGEN" stats --in "$1" | awk '{ print $4 }'; }
check_eq "flowgen: 600 records in 60 datagrams from 127.0.0.1" \
    "$(records "$TMP/a.dgrams") $(dgrams "$TMP/a.dgrams")" "600 60"
check_eq "flowgen: 127.0.0.2 sends 140 records in 14 datagrams, then 140 in 14" \
    "$(records "$TMP/b1.dgrams") $(dgrams "$TMP/b1.dgrams") $(records "$TMP/b2.dgrams") $(dgrams "$TMP/b2.dgrams")" \
    "140 14 140 14"
C_DGRAMS=$(dgrams "$TMP/c.dgrams")
A_BYTES=$(($(expect_bytes "$TMP/a.csv") * 4))
C_BYTES=$(expect_bytes "$TMP/c.csv")
check_eq "the v5 records' bytes add up to flowgen's totals" "$(v5_bytes "$TMP/b.dgrams")" \
    "$(expect_bytes "$TMP/b.csv")"
B1_BYTES=$(v5_bytes "$TMP/b1.dgrams")
B2_BYTES=$(v5_bytes "$TMP/b2.dgrams")

start_flowtally --flush 3600 --sampling 127.0.0.1=4 || { not_ok start; done_testing; exit; }
send() { "$FLOWGEN" send --in "$TMP/$1.dgrams" --to 127.0.0.1:$PORT --rate 20000 --from "$2" >/dev/null; }
# every datagram sent has been read: the daemon's sockets on the port hold nothing (the
# worker decoding the last one finishes before a flush takes the counters)
drained() {
    awk -v p="$(printf '%04X' "$PORT")" '$2 ~ ":" p "$" { split($5, q, ":"); if (q[2] != "00000000") busy = 1 }
        END { exit busy }' /proc/net/udp
}
n_flushes() { store_sql "SELECT count(*) FROM exporter_seen WHERE exporter = '*'"; }
more_flushes_than() { [ "$(n_flushes)" -gt "$1" ]; }
flush() {
    before=$(n_flushes)
    wait_for drained || not_ok "the daemon read every datagram"
    kill -USR1 "$DAEMON_PID"
    wait_for more_flushes_than "$before" || not_ok "a flush was written"
}

send a 127.0.0.1
send b1 127.0.0.2
flush
send b2 127.0.0.2
send c 127.0.0.10
flush
check_eq "two flushes, the second with 127.0.0.2 and 127.0.0.10 only" \
    "$(store_sql "SELECT exporter FROM exporter_seen WHERE at_ms = (SELECT max(at_ms) FROM exporter_seen) ORDER BY exporter" | tr '\n' ' ')" \
    "* 127.0.0.10 127.0.0.2 "

# The flushes as the store recorded them: when (ms) and over what interval.
F1=$(store_sql "SELECT at_ms FROM exporter_seen WHERE exporter = '*' ORDER BY at_ms LIMIT 1")
I1=$(store_sql "SELECT interval_ms FROM exporter_seen WHERE exporter = '*' ORDER BY at_ms LIMIT 1")
F2=$(store_sql "SELECT max(at_ms) FROM exporter_seen WHERE exporter = '*'")
I2=$(store_sql "SELECT interval_ms FROM exporter_seen WHERE exporter = '*' AND at_ms = $F2")
check_eq "the second flush's interval is the time since the first" "$I2" "$((F2 - F1))"
SPAN=$((F2 - (F1 - I1))) # the hour's flushes: from the first one's start to the second
# x10 COUNT MS: COUNT per second over MS, in tenths rounded half up, as "N.N"
x10() { v=$((($1 * 20000 + $2) / ($2 * 2))); echo "$((v / 10)).$((v % 10))"; }

# 127.0.0.1 stopped after the first flush: stamped ten minutes earlier, it is silent.
A_AT=$((F1 - 600000))
store_sql "UPDATE exporter_seen SET at_ms = $A_AT WHERE exporter = '127.0.0.1'"
NOW=$((F2 / 1000 + 2)) # --at: two seconds (and the part of one) after the second flush
ft_stats() { "$FT" stats --db "$DB" --at "$NOW" "$@"; }

HEAD=exporter,last_seen,last_seen_ago_s,records_per_s,records_per_s_1h,bytes_per_s,bytes_per_s_1h,datagrams_per_s,datagrams_per_s_1h,records_1h,bytes_1h,datagrams_1h,lost_1h,lost_datagrams_1h,dropped_1h,loss_percent_1h,verdict,silent_since
B_BYTES=$((B1_BYTES + B2_BYTES))
{
    echo "$HEAD"
    echo "127.0.0.1,$((A_AT / 1000)),$(((NOW * 1000 - A_AT) / 1000)),0.0,$(x10 600 $SPAN),0.0,$(x10 "$A_BYTES" $SPAN),0.0,$(x10 60 $SPAN),600,$A_BYTES,60,0,0,0,0.0,silent,$((A_AT / 1000))"
    echo "127.0.0.2,$((F2 / 1000)),$(((NOW * 1000 - F2) / 1000)),$(x10 140 "$I2"),$(x10 280 $SPAN),$(x10 "$B2_BYTES" "$I2"),$(x10 $B_BYTES $SPAN),$(x10 14 "$I2"),$(x10 28 $SPAN),280,$B_BYTES,28,20,0,0,6.7,losing,"
    echo "127.0.0.10,$((F2 / 1000)),$(((NOW * 1000 - F2) / 1000)),$(x10 100 "$I2"),$(x10 100 $SPAN),$(x10 "$C_BYTES" "$I2"),$(x10 "$C_BYTES" $SPAN),$(x10 "$C_DGRAMS" "$I2"),$(x10 "$C_DGRAMS" $SPAN),100,$C_BYTES,$C_DGRAMS,0,0,0,0.0,ok,"
} >"$TMP/want.csv"
ft_stats --format csv >"$TMP/got.csv"
check_same "CSV: every exporter's figures, worked out from flowgen's counts and the flush times" \
    "$TMP/got.csv" "$TMP/want.csv"

# the table, in UTC: the verdicts as a person reads them
TZ=UTC ft_stats >"$TMP/table.txt"
verdict() { awk -v e="$1" '$1 == e { sub(/.*%  /, ""); print }' "$TMP/table.txt"; }
check_eq "table: 127.0.0.1 silent since its last flush" "$(verdict 127.0.0.1)" \
    "silent since $(date -u -d @$((A_AT / 1000)) '+%Y-%m-%d %H:%M:%S')"
check_eq "table: 127.0.0.2 losing 6.7% (20 of 300 records)" "$(verdict 127.0.0.2)" "losing 6.7%"
check_eq "table: 127.0.0.10 ok" "$(verdict 127.0.0.10)" "ok"
# human B/S: whole bytes per second (the tenths dropped) in decimal units, a tenth truncated
human() {
    b=$1 div=1 u=0
    while [ $((b / div)) -ge 1000 ]; do div=$((div * 1000)) u=$((u + 1)); done
    set -- B kB MB GB TB
    shift $u
    if [ $u -eq 0 ]; then echo "$b B/s"; else echo "$((b / div)).$(((b % div) * 10 / div)) $1/s"; fi
}
bytes_x10() { v=$((($1 * 20000 + $2) / ($2 * 2))); echo $((v / 10)); } # whole B/s
check_eq "table: 127.0.0.10's bytes/s and bytes/s 1h (decimal units)" \
    "$(awk '$1 == "127.0.0.10" { print $8, $9, $10, $11 }' "$TMP/table.txt")" \
    "$(human "$(bytes_x10 "$C_BYTES" "$I2")") $(human "$(bytes_x10 "$C_BYTES" $SPAN)")"
check_eq "table: addresses in order, one line each" \
    "$(awk 'NR > 2 { print $1 }' "$TMP/table.txt" | tr '\n' ' ')" "127.0.0.1 127.0.0.2 127.0.0.10 "
I2_X10=$(((I2 + 50) / 100)) # the interval in tenths of a second
check_eq "table: the last flush and its interval" "$(head -n 1 "$TMP/table.txt" | cut -d';' -f1)" \
    "last flush $(date -u -d @$((F2 / 1000)) '+%Y-%m-%d %H:%M:%S') ($(((NOW * 1000 - F2) / 1000)) s ago), $((I2_X10 / 10)).$((I2_X10 % 10)) s after the one before"

# JSON: the same figures
ft_stats --format json >"$TMP/got.json"
check_eq "JSON: 127.0.0.2's figures as in the CSV" \
    "$(jq -r '.exporters[1] | [.exporter, .records_per_s, .records_per_s_1h, .bytes_per_s, .bytes_per_s_1h, .bytes_1h, .lost_1h, .loss_percent_1h, .verdict] | join(",")' "$TMP/got.json")" \
    "127.0.0.2,$(x10 140 "$I2"),$(x10 280 $SPAN),$(x10 "$B2_BYTES" "$I2"),$(x10 $B_BYTES $SPAN),$B_BYTES,20,6.7,losing"
check_eq "JSON: the silent exporter's time, the others' null" \
    "$(jq -c '[.exporters[].silent_since]' "$TMP/got.json")" "[$((A_AT / 1000)),null,null]"
check_eq "JSON: the last flush" "$(jq -r '[.last_flush, .flush_interval_ms, .hour_span_ms] | join(",")' "$TMP/got.json")" \
    "$((F2 / 1000)),$I2,$SPAN"

# Prometheus: the same figures as gauges, the counters as counters; the portal's /metrics
# (to 127.0.0.1, in metrics_allow by default) says what `stats --prometheus` says
ft_stats --prometheus >"$TMP/metrics.txt"
if command -v promtool >/dev/null; then
    promtool check metrics <"$TMP/metrics.txt" >"$TMP/promtool.out" 2>&1
    check_eq "promtool check metrics: the text is valid, with no lint" \
        "$?|$(cat "$TMP/promtool.out")" "0|"
else
    not_ok "promtool is installed (tools/deps.sh --test: prometheus)"
fi
metric() { awk -v m="$1" 'index($0, m " ") == 1 { print $2 }' "$TMP/metrics.txt"; }
check_eq "gauges: 127.0.0.2's records/s, bytes/s and datagrams/s, the share lost (20 of 300)" \
    "$(metric 'flowtally_exporter_records_per_second{exporter="127.0.0.2"}') $(metric 'flowtally_exporter_bytes_per_second{exporter="127.0.0.2"}') $(metric 'flowtally_exporter_datagrams_per_second{exporter="127.0.0.2"}') $(metric 'flowtally_exporter_loss_ratio{exporter="127.0.0.2"}')" \
    "$(x10 140 "$I2") $(x10 "$B2_BYTES" "$I2") $(x10 14 "$I2") 0.067"
check_eq "gauges: silent 1 for 127.0.0.1 (seen at the ms stamped), 0 for the others" \
    "$(metric 'flowtally_exporter_silent{exporter="127.0.0.1"}') $(metric 'flowtally_exporter_last_seen_timestamp_seconds{exporter="127.0.0.1"}') $(metric 'flowtally_exporter_silent{exporter="127.0.0.2"}') $(metric 'flowtally_exporter_silent{exporter="127.0.0.10"}')" \
    "1 $((A_AT / 1000)).$(printf %03d $((A_AT % 1000))) 0 0"
check_eq "counters: records and flow_bytes per stream, flowgen's totals" \
    "$(awk '/^flowtally_records_total\{exporter="127.0.0.1"/ { a = $2 } /^flowtally_flow_bytes_total\{exporter="127.0.0.10"/ { c = $2 } /^flowtally_seq_lost_total\{exporter="127.0.0.2"/ { l = $2 } END { print a, c, l }' "$TMP/metrics.txt")" \
    "600 $C_BYTES 20"
WEB=$(web_port)
curl -s -D "$TMP/metrics.head" "http://127.0.0.1:$WEB/metrics" >"$TMP/metrics.web"
"$FT" stats --db "$DB" --prometheus >"$TMP/metrics.cli"
check_same "the portal's /metrics is what stats --prometheus prints" "$TMP/metrics.web" "$TMP/metrics.cli"
check_eq "... as text/plain; version=0.0.4" \
    "$(tr -d '\r' <"$TMP/metrics.head" | sed -n 's/^Content-Type: //p')" "text/plain; version=0.0.4; charset=utf-8"

# --silent-after: past what 127.0.0.1 has been silent, it is ok again
check_eq "--silent-after 3600: 127.0.0.1 is ok" \
    "$(ft_stats --silent-after 3600 --format csv | awk -F, '$1 == "127.0.0.1" { print $17 }')" ok
check_eq "--silent-after 0: a usage error" "$(ft_stats --silent-after 0 2>&1 >/dev/null; echo "rc=$?")" \
    "flowtally: --silent-after '0': expected whole seconds from 1 to 604800
Try 'flowtally stats --help'.
rc=2"
# the totals stay where they were
check_eq "--counters: the totals per stream" \
    "$(counter records 127.0.0.1) $(counter records 127.0.0.2) $(counter seq_lost 127.0.0.2) $(counter records 127.0.0.10)" \
    "600 280 20 100"
check_eq "--counters: the bytes per stream, flowgen's totals (127.0.0.1's times 4)" \
    "$(counter flow_bytes 127.0.0.1) $(counter flow_bytes 127.0.0.2) $(counter flow_bytes 127.0.0.10)" \
    "$A_BYTES $B_BYTES $C_BYTES"

# The flusher keeps two hours: rows of an exporter from three hours ago go at the next
# flush, but for its latest.
OLD=$((F2 - 3 * 3600000))
store_sql "INSERT INTO exporter_seen VALUES ('192.0.2.9', $OLD, 1000, 1, 1, 0, 0, 0, 100),
    ('192.0.2.9', $((OLD + 1000)), 1000, 2, 2, 0, 0, 0, 200)"
flush
check_eq "pruned: only 192.0.2.9's latest row is left" \
    "$(store_sql "SELECT at_ms FROM exporter_seen WHERE exporter = '192.0.2.9'")" "$((OLD + 1000))"
check_eq "... and it shows, silent since then" \
    "$("$FT" stats --db "$DB" --format csv | awk -F, '$1 == "192.0.2.9" { print $2, $17, $18 }')" \
    "$(((OLD + 1000) / 1000)) silent $(((OLD + 1000) / 1000))"
stop_flowtally
done_testing
