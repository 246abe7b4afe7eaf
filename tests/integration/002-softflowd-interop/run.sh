#!/bin/sh
# Interop with real peers. tools/pcapgen writes a pcap of known conversations (IPv4 and
# IPv6) and their exact per-host totals; Debian's softflowd exports it as NetFlow v5, v9
# and IPFIX. flowtally's per-host totals must equal the pcap's to the byte, and equal
# pmacct's nfacctd (the oracle) reading the same export.
. "$(dirname "$0")/../lib.sh"

if ! command -v softflowd >/dev/null || ! command -v nfacctd >/dev/null; then
    skip "softflowd/nfacctd interop" "softflowd or pmacct not installed"
    done_testing
    exit
fi

"$PCAPGEN" --seed 3 --ipv6 --sessions 200 --out "$TMP/t.pcap" --expect "$TMP/all.csv" \
    --expect-v4 "$TMP/v4.csv" >/dev/null
# Records for hosts outside the checked networks: they push nfacctd's last partly filled
# buffer through (it holds it until more records arrive) and are filtered out afterwards.
"$FLOWGEN" write --proto v9 --records 3000 --hosts 50 --remotes 100 --local 172.16.0.0/12 --remote 203.0.113.0/24 \
    --out "$TMP/tail.dgrams" --expect "$TMP/tail.csv" >/dev/null

# export VERSION PORT: softflowd replays the pcap once and exits.
export_pcap() {
    opts=""
    [ "$1" != 5 ] && opts="-A milli" # absolute millisecond times, exact to the pcap
    softflowd -r "$TMP/t.pcap" -n 127.0.0.1:$2 -v $1 $opts >"$TMP/softflowd.log" 2>&1
}

# nfacctd_start: sets NFA_PID and NFA_PORT; retries on a port already in use.
nfacctd_start() {
    for try in 1 2 3 4 5; do
        NFA_PORT=$((20000 + ($$ * 7 + try * 7919) % 40000))
        rm -f "$TMP/pipe"
        cat >"$TMP/nfacctd.conf" <<CONF
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: $NFA_PORT
plugins: memory[p]
aggregate[p]: src_host, dst_host
imt_path[p]: $TMP/pipe
plugin_pipe_size[p]: 67108864
plugin_buffer_size[p]: 65536
imt_mem_pools_number[p]: 256
imt_mem_pools_size[p]: 65536
CONF
        nfacctd -f "$TMP/nfacctd.conf" >"$TMP/nfacctd.log" 2>&1 &
        NFA_PID=$!
        if wait_for test -S "$TMP/pipe" && kill -0 $NFA_PID 2>/dev/null; then
            return 0
        fi
        kill -9 $NFA_PID 2>/dev/null
    done
    return 1
}

tail_visible() {
    pmacct -p "$TMP/pipe" -s -O csv | grep -q '^172\.'
}

# nfacctd's per-host totals for the checked networks, as host,bytes_in,bytes_out,
# packets_in,packets_out, sorted as text.
nfacctd_hosts() {
    pmacct -p "$TMP/pipe" -s -O csv | awk -F, '
        function local(ip) { return ip ~ /^10\.1\./ || ip ~ /^fd00:1:/ }
        NR > 1 {
            if (local($1)) { bo[$1] += $4; po[$1] += $3; seen[$1] = 1 }
            if (local($2)) { bi[$2] += $4; pi[$2] += $3; seen[$2] = 1 }
        }
        END { for (h in seen) printf "%s,%.0f,%.0f,%.0f,%.0f\n", h, bi[h], bo[h], pi[h], po[h] }' |
        sort
}

for version in 5 9 10; do
    want="$TMP/all.csv"
    [ $version = 5 ] && want="$TMP/v4.csv" # NetFlow v5 carries IPv4 only

    start_flowtally || { not_ok "v$version: flowtally start"; continue; }
    export_pcap $version $PORT
    stop_flowtally
    host_csv "$TMP/got.csv"
    check_same "softflowd v$version: flowtally equals the pcap's totals" "$TMP/got.csv" "$want"
    check_eq "softflowd v$version: no sequence loss" "$(counter seq_lost)" 0

    if nfacctd_start; then
        export_pcap $version $NFA_PORT
        "$FLOWGEN" send --in "$TMP/tail.dgrams" --to 127.0.0.1:$NFA_PORT --rate 50000 >/dev/null
        wait_for tail_visible
        nfacctd_hosts >"$TMP/nfacctd.csv"
        kill -INT $NFA_PID
        wait $NFA_PID 2>/dev/null
        cut -d, -f1-5 "$TMP/got.csv" | sed 1d | sort >"$TMP/ours.csv"
        check_same "softflowd v$version: flowtally equals nfacctd" "$TMP/ours.csv" "$TMP/nfacctd.csv"
    else
        not_ok "softflowd v$version: nfacctd did not start" && sed 's/^/#   /' "$TMP/nfacctd.log"
    fi
    new_store
done
done_testing
