#!/bin/sh
# sFlow v5 with a real exporter: pmacct's pmacctd with its sfprobe plugin reads a pcap of
# known conversations (tools/pcapgen) and sends every packet as an sFlow sample (rate 1) to
# flowtally. Every local host's bytes and packets, in and out, must equal the pcap's.
. "$(dirname "$0")/../lib.sh"

if ! command -v pmacctd >/dev/null || ! command -v cc >/dev/null; then
    skip "sFlow from pmacctd sfprobe" "pmacctd or cc not installed"
    done_testing
    exit
fi
cc -O1 -o "$TMP/tail" "$(dirname "$0")/tail.c" || { not_ok "build tail.c"; done_testing; exit; }
npkt=$("$PCAPGEN" --seed 3 --ipv6 --sessions 200 --out "$TMP/t.pcap" --expect "$TMP/all.csv" |
    sed -n 's/^packets \([0-9]*\) .*/\1/p')
"$TMP/tail" "$TMP/t.pcap" 32

start_flowtally || { not_ok start; done_testing; exit; }
cat >"$TMP/pmacctd.conf" <<CONF
daemonize: false
pcap_savefile: $TMP/t.pcap
pcap_savefile_wait: true
plugins: sfprobe
sfprobe_receiver: 127.0.0.1:$SFLOW_PORT
sfprobe_agentip: 127.0.0.1
sfprobe_agentsubid: 0
sampling_rate: 1
CONF
pmacctd -f "$TMP/pmacctd.conf" >"$TMP/pmacctd.log" 2>&1 &
PM=$!
# pmacctd keeps running after the file: wait until flowtally has counted every sample of
# the pcap (samples arrive in order, so the tail's then follow; its last partly filled
# datagram stays unsent). Stop flowtally first: a SIGINT soon after the file's end makes
# pmacctd send some old samples again.
all_counted() { [ "$(counter records 127.0.0.1)" -ge "$npkt" ]; }
wait_for all_counted || not_ok "flowtally received the samples ($(counter records 127.0.0.1) of $npkt)"
stop_flowtally
kill -INT $PM
wait $PM 2>/dev/null
"$FT" report --db "$DB" --by host --format csv | cut -d, -f1-5 | grep -v '^192\.0\.2\.' >"$TMP/got.csv"
cut -d, -f1-5 "$TMP/all.csv" >"$TMP/want.csv"
check_same "sFlow from pmacctd: every host's bytes and packets equal the pcap's" "$TMP/got.csv" "$TMP/want.csv"
check_eq "no sample lost" "$(counter seq_lost)" 0

# Counter samples are kept as interface health, not as traffic: one hand-built datagram
# (a fuzz seed: 4-byte length + record count + bytes, as flowgen send reads them).
seed="$ROOT/tests/fuzz/corpus/sflow/seed-vlan-ipv4-tcp-counters"
len=$(($(stat -c %s "$seed") - 2))
{
    printf '\000\000'"\\$(printf %03o $((len >> 8)))\\$(printf %03o $((len & 255)))"'\000\000\000\001'
    tail -c +3 "$seed"
} >"$TMP/counters.dgrams"
rm -f "$DB"*
start_flowtally || { not_ok start; done_testing; exit; }
"$FLOWGEN" send --in "$TMP/counters.dgrams" --to 127.0.0.1:$SFLOW_PORT >/dev/null
stop_flowtally
rows=$("$FT" stats --db "$DB" --interfaces --format csv | grep -c '^192\.0\.2\.129,')
if [ "$rows" -ge 1 ]; then ok "interface counters stored ($rows interfaces)"; else not_ok "interface counters stored"; fi
done_testing
