#!/bin/sh
# The packet capture probe. (a) Offline: tools/pcapgen writes a pcap of known conversations
# (IPv4 and IPv6) with their exact per-host totals; `flowtally run --read FILE` counts it,
# flushes and exits 0 at the end of the file, and every host's bytes, packets and flows equal
# pcapgen's; with --bpf only the matching packets count. (b) Live: two network namespaces
# joined by a veth pair, `flowtally run --capture IFACE` in one of them, known TCP transfers
# both ways over IPv4 and IPv6 from a small program built here; after SIGTERM every host's
# IP-layer bytes, packets and flows equal those of a tcpdump capture of the same interface
# taken at the same time. (b) is skipped unless root with `ip netns` and tcpdump.
#
# The oracle for (b) is tcpdump's own reading of each packet's IP header (IPv4 total length,
# IPv6 40 + payload length), summed per host by ip_totals below; (a) checks that oracle
# against pcapgen's totals first, so a broken oracle cannot pass (b).
. "$(dirname "$0")/../lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

# ip_totals LOCAL_REGEX: reads `tcpdump -nn -v` output on stdin and prints, sorted as text,
# host,bytes_in,bytes_out,packets_in,packets_out,flows_in,flows_out for every address that
# matches LOCAL_REGEX. A flow is one (source, destination) pair with ports, one direction.
ip_totals() {
    awk -v loc="$1" '
    function host(ep, p, n) { # "10.0.0.1.80" -> "10.0.0.1", "fd77::1.80" -> "fd77::1"
        n = split(ep, p, ".")
        if (ep ~ /:/)
            return n > 1 ? substr(ep, 1, length(ep) - length(p[n]) - 1) : ep
        return n == 5 ? p[1] "." p[2] "." p[3] "." p[4] : ep
    }
    function count(src, dst, len, s, d, is_new) {
        sub(/:$/, "", dst)
        s = host(src)
        d = host(dst)
        is_new = !((src, dst) in seen)
        seen[src, dst] = 1
        if (s ~ loc) { bo[s] += len; po[s]++; fo[s] += is_new; hosts[s] = 1 }
        if (d ~ loc) { bi[d] += len; pi[d]++; fi[d] += is_new; hosts[d] = 1 }
    }
    # IPv4: "IP (tos ..., proto TCP (6), length 60)", addresses on the next line.
    v4len != "" { count($1, $3, v4len); v4len = ""; next }
    / IP \(.*, length [0-9]+\)$/ { v4len = $NF; sub(/\)$/, "", v4len); v4len += 0; next }
    # IPv6: "IP6 (flowlabel ..., payload length: 40) SRC > DST: ..." on one line.
    / IP6 \(.*payload length: [0-9]+\) / {
        match($0, /payload length: [0-9]+\) [^ ]+ > [^ ]+/)
        split(substr($0, RSTART, RLENGTH), f, " ")
        count(f[4], f[6], 40 + f[3])
    }
    END {
        for (h in hosts)
            printf "%s,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f\n", h, bi[h], bo[h], pi[h], po[h], fi[h], fo[h]
    }' | sort
}

# report_rows FILE: the report's per-host contract columns, without the header, sorted as text.
report_rows() {
    host_csv "$TMP/report.csv"
    sed 1d "$TMP/report.csv" | sort >"$1"
}

# ---- (a) offline: --read ----------------------------------------------------------------------

"$PCAPGEN" --seed 5 --ipv6 --sessions 100 --out "$TMP/t.pcap" --expect "$TMP/want.csv" >/dev/null
PCAPGEN_LOCAL='^(10\.1\.|fd00:1:)'

tcpdump -r "$TMP/t.pcap" -nn -v 2>/dev/null | ip_totals "$PCAPGEN_LOCAL" >"$TMP/oracle.csv"
sed 1d "$TMP/want.csv" | sort >"$TMP/want-sorted.csv"
check_same "the tcpdump oracle agrees with pcapgen's totals" "$TMP/oracle.csv" "$TMP/want-sorted.csv"

# read_pcap NAME ARGS...: `flowtally run ARGS` on a fresh store $DB, its exit status in
# $status, its stderr in $TMP/read.err. A daemon still running after 30 s is killed (124).
read_pcap() {
    name=$1
    shift
    timeout 30 "$FT" run --db "$DB" --netflow 127.0.0.1:0 --sflow "" "$@" >"$TMP/read.out" 2>"$TMP/read.err"
    status=$?
    if grep -q 'runtime error\|Sanitizer' "$TMP/read.err"; then
        not_ok "$name: sanitizer report" && sed 's/^/#   /' "$TMP/read.err" | head -30
    fi
}

# fails_at_startup NAME PATTERN: the last read_pcap failed (not by timeout) saying PATTERN.
fails_at_startup() {
    if [ "$status" -ne 0 ] && [ "$status" -ne 124 ] && grep -qi "$2" "$TMP/read.err"; then
        ok "$1"
    else
        not_ok "$1 (status $status)" && sed 's/^/#   /' "$TMP/read.err" | head -5
    fi
}

DB="$TMP/read.db"
read_pcap "run --read" --read "$TMP/t.pcap"
check_eq "run --read exits 0 at the end of the file" "$status" 0
[ "$status" -ne 0 ] && sed 's/^/#   /' "$TMP/read.err" | head -20
host_csv "$TMP/got.csv"
check_same "run --read: every host's bytes, packets and flows equal pcapgen's" \
    "$TMP/got.csv" "$TMP/want.csv"

# nDPI (when flowtally is built with it) names applications from the packets: the DNS
# sessions of the pcap must be DNS to the byte, with no port table given at all.
if ldd "$FT" 2>/dev/null | grep -q libndpi; then
    dns=$(tcpdump -r "$TMP/t.pcap" -nn -v "udp port 53" 2>/dev/null | ip_totals "$PCAPGEN_LOCAL" |
        awk -F, '{ s += $2 + $3 } END { printf "%.0f", s }')
    got=$("$FT" report --db "$DB" --by app --format csv | awk -F, '$1 == "DNS" { printf "%.0f", $2 + $3 }')
    check_eq "nDPI names the DNS traffic, to the byte" "$got" "$dns"
else
    skip "nDPI names applications" "flowtally built without libndpi"
fi

if [ "$status" -eq 124 ]; then
    # The rest needs the same behaviour; not worth more minutes of timeouts.
    not_ok "run --read --bpf, a missing file, a bad filter: not run, --read did not end"
else
    DB="$TMP/bpf.db"
    read_pcap "run --read --bpf" --read "$TMP/t.pcap" --bpf "ip6 and tcp"
    check_eq "run --read --bpf exits 0" "$status" 0
    report_rows "$TMP/got-bpf.csv"
    tcpdump -r "$TMP/t.pcap" -nn -v "ip6 and tcp" 2>/dev/null | ip_totals "$PCAPGEN_LOCAL" \
        >"$TMP/want-bpf.csv"
    check_same "run --read --bpf 'ip6 and tcp': only IPv6 TCP counts, to the byte" \
        "$TMP/got-bpf.csv" "$TMP/want-bpf.csv"

    DB="$TMP/bad.db"
    read_pcap "missing file" --read "$TMP/missing.pcap"
    fails_at_startup "run --read of a missing file fails at startup, naming it" missing.pcap
    read_pcap "bad filter" --read "$TMP/t.pcap" --bpf "tcp port"
    fails_at_startup "a bad --bpf filter fails at startup, saying so" filter
fi

# ---- (b) live: --capture in a network namespace ---------------------------------------------

NSA="ft012a-$$"
NSB="ft012b-$$"
LIVE_PIDS=""
NETNS_MADE=""

cleanup_live() {
    for pid in $LIVE_PIDS; do
        kill -9 "$pid" 2>/dev/null
    done
    if [ -n "$NETNS_MADE" ]; then
        ip netns del "$NSA" 2>/dev/null
        ip netns del "$NSB" 2>/dev/null
    fi
    cleanup
}
trap 'cleanup_live' EXIT
trap 'exit 1' INT TERM

# transfer FAMILY ADDR UP DOWN: B sends UP bytes to A's ADDR, A answers DOWN bytes.
transfer() {
    ip netns exec "$NSA" "$TMP/tcpsend" serve "$2" 5001 "$4" >"$TMP/serve$1.out" 2>&1 &
    server=$!
    LIVE_PIDS="$LIVE_PIDS $server"
    if ! wait_for grep -q ready "$TMP/serve$1.out"; then
        not_ok "IPv$1 transfer: server did not start" && sed 's/^/#   /' "$TMP/serve$1.out"
        return
    fi
    ip netns exec "$NSB" "$TMP/tcpsend" send "$2" 5001 "$3" >"$TMP/send$1.out" 2>&1
    wait "$server"
    check_eq "IPv$1 transfer: client moved the bytes" "$(cat "$TMP/send$1.out")" \
        "received $4 sent $3"
    check_eq "IPv$1 transfer: server moved the bytes" "$(tail -n 1 "$TMP/serve$1.out")" \
        "received $3 sent $4"
}

live_test() {
    if [ "$(id -u)" -ne 0 ]; then
        skip "live capture" "not root"
        return
    fi
    for tool in ip tcpdump cc timeout; do
        if ! command -v $tool >/dev/null; then
            skip "live capture" "$tool not installed"
            return
        fi
    done
    if ! ip netns add "$NSA" 2>/dev/null; then
        skip "live capture" "ip netns unavailable"
        return
    fi
    NETNS_MADE=1
    if ! ip netns add "$NSB" || ! ip netns exec "$NSA" true; then
        skip "live capture" "ip netns unavailable"
        return
    fi
    if ! ip -n "$NSA" link add ft012a type veth peer name ft012b netns "$NSB"; then
        skip "live capture" "no veth support"
        return
    fi
    ip -n "$NSA" addr add 10.77.0.1/24 dev ft012a
    ip -n "$NSA" addr add fd77::1/64 dev ft012a nodad
    ip -n "$NSB" addr add 10.77.0.2/24 dev ft012b
    ip -n "$NSB" addr add fd77::2/64 dev ft012b nodad
    for ns in "$NSA" "$NSB"; do
        ip -n "$ns" link set lo up
    done
    ip -n "$NSA" link set ft012a up
    ip -n "$NSB" link set ft012b up

    if ! cc -O1 -o "$TMP/tcpsend" "$HERE/tcpsend.c"; then
        not_ok "build the traffic program"
        return
    fi

    # The transfers on 5001 and a last datagram on 5002 that marks the end; neighbour
    # discovery and the like stay out of both counts.
    filter="tcp port 5001 or udp port 5002"
    ip netns exec "$NSA" tcpdump -i ft012a -nn -U -Z root -s 256 -w "$TMP/live.pcap" "$filter" \
        >/dev/null 2>"$TMP/tcpdump.err" &
    tcpdump_pid=$!
    LIVE_PIDS="$LIVE_PIDS $tcpdump_pid"
    if ! wait_for grep -q 'listening on' "$TMP/tcpdump.err"; then
        not_ok "tcpdump starts" && sed 's/^/#   /' "$TMP/tcpdump.err"
        return
    fi

    DB="$TMP/live.db"
    rm -f "$TMP/daemon.out" "$TMP/daemon.err" # no stale "capturing on" line
    ip netns exec "$NSA" "$FT" run --web "" --capture ft012a --bpf "$filter" --db "$DB" \
        --netflow 127.0.0.1:0 --sflow "" --local-nets 10.77.0.1/32,fd77::1/128 \
        >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
    # shellcheck disable=SC2034 # read by lib.sh (stop_flowtally, cleanup)
    DAEMON_PID=$!
    if ! wait_for grep -q 'capturing on ft012a' "$TMP/daemon.out"; then
        not_ok "run --capture starts" && sed 's/^/#   /' "$TMP/daemon.err" | head -20
        return
    fi

    transfer 4 10.77.0.1 1000000 200000
    transfer 6 fd77::1 300000 500000
    ip netns exec "$NSB" "$TMP/tcpsend" udp 10.77.0.1 5002 100
    # Once tcpdump holds the marker it holds everything sent before it.
    if ! wait_for sh -c "tcpdump -r '$TMP/live.pcap' -nn 'udp port 5002' 2>/dev/null | grep -q ."; then
        not_ok "tcpdump saw the end marker"
    fi

    # SIGTERM: the daemon reads what the capture still holds, flushes every flow, exits 0.
    stop_flowtally
    kill -INT "$tcpdump_pid"
    wait "$tcpdump_pid"

    report_rows "$TMP/got-live.csv"
    tcpdump -r "$TMP/live.pcap" -nn -v 2>/dev/null | ip_totals '^(10\.77\.0\.1|fd77::1)$' \
        >"$TMP/want-live.csv"
    in4=$(awk -F, '$1 == "10.77.0.1" { print $2 }' "$TMP/want-live.csv")
    if [ "${in4:-0}" -gt 1000000 ]; then
        ok "tcpdump saw the IPv4 transfer ($in4 IP bytes in)"
    else
        not_ok "tcpdump saw the IPv4 transfer (${in4:-no} IP bytes in)"
    fi
    check_same "run --capture: every host's IP bytes, packets and flows equal tcpdump's" \
        "$TMP/got-live.csv" "$TMP/want-live.csv"
}

live_test
done_testing
