#!/bin/sh
# flowtally's benchmark, run by `make bench`. It measures, in one run:
#  1. in-process records/s of decode+classify+aggregate per protocol (v5, v9, IPFIX), one core,
#     with an exactness check against flowgen's own totals (tools/bench/inproc.c);
#  2. the highest loopback rate (a ladder of rates, stopping at the first failing rung, repeated)
#     at which flowtally, pmacct's nfacctd and nfdump's nfcapd stay lossless AND exact;
#  3. CPU seconds per million records and peak RSS of each at a common rate;
# then prints one table (also written to build/bench/results.md) with flowtally/peer ratios,
# and keeps every rung's raw numbers in build/bench/raw.csv (also printed as they come).
# Usage: sh tools/bench/bench.sh BUILD_DIR. Knobs (environment): BENCH_PROTOS, BENCH_COLLECTORS,
# BENCH_REPS, BENCH_SECS, BENCH_LADDER, BENCH_COMMON_RATE, BENCH_BUDGET, BENCH_INPROC_RECORDS,
# BENCH_INPROC_PASSES, BENCH_STREAM_RECORDS, BENCH_FT_RCVBUF (defaults below).
# Only loopback addresses are used; every wait and loop is bounded in count and time.
set -u

BUILD=${1:-build/release}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
FT="$ROOT/$BUILD/flowtally"
FLOWGEN="$ROOT/$BUILD/tools/flowgen"
INPROC="$ROOT/$BUILD/tools/bench_inproc"
OUT="$ROOT/build/bench"

PROTOS=${BENCH_PROTOS:-"v5 v9 ipfix"}
COLLECTORS=${BENCH_COLLECTORS:-"flowtally nfacctd nfcapd"}
REPS=${BENCH_REPS:-3}
SECS=${BENCH_SECS:-2}                  # seconds of traffic per rung (approximately)
LADDER=${BENCH_LADDER:-"100000 200000 400000 700000 1000000 1500000 2000000 3000000 4000000 6000000 8000000"}
COMMON=${BENCH_COMMON_RATE:-100000}    # CPU/M and peak RSS are taken at this rung
BUDGET=${BENCH_BUDGET:-780}            # seconds; rungs past it are skipped (and say so)
INPROC_RECORDS=${BENCH_INPROC_RECORDS:-1000000}
INPROC_PASSES=${BENCH_INPROC_PASSES:-5}
STREAM=${BENCH_STREAM_RECORDS:-200000} # records per ladder stream file; replayed --loops times
HOSTS=1000
REMOTES=100000
TAIL_RECORDS=3000

T_START=$(date +%s)
TMP=$(mktemp -d /tmp/flowtally-bench.XXXXXX) || exit 1
DPID=""  # the collector under test, if running
DKIDS="" # its child processes (nfacctd's plugin)

# ---------------------------------------------------------------------------------------------
# Helpers

cleanup() {
    for p in $DPID $DKIDS; do kill -9 "$p" 2>/dev/null; done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*"; }
elapsed() { echo $(($(date +%s) - T_START)); }
over_budget() { [ "$(elapsed)" -ge "$BUDGET" ]; }

# wait_for MAX_TRIES CMD...: polls CMD every 50 ms, at most MAX_TRIES times.
wait_for() {
    n=$1
    shift
    i=0
    while ! "$@" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -ge "$n" ] && return 1
        sleep 0.05
    done
}

# alive PID: true while the process exists and is not a zombie.
alive() {
    [ -r "/proc/$1/stat" ] || return 1
    st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1)
    [ -n "$st" ] && [ "$st" != Z ]
}
not_alive() { ! alive "$1"; }

# stop_daemon SIGNAL: signals $DPID, waits up to 30 s, then SIGKILL; reaps it and its children.
# Sets STOP_STATUS.
stop_daemon() {
    [ -n "$DPID" ] || return 0
    kill "-$1" "$DPID" 2>/dev/null
    if ! wait_for 600 not_alive "$DPID"; then
        say "  ! $DPID did not stop on SIG$1 within 30 s: killed"
        kill -9 "$DPID" 2>/dev/null
    fi
    wait "$DPID" 2>/dev/null
    STOP_STATUS=$?
    for k in $DKIDS; do
        wait_for 200 not_alive "$k" || kill -9 "$k" 2>/dev/null
    done
    DPID="" DKIDS=""
}

children_of() { pgrep -P "$1" 2>/dev/null | tr '\n' ' '; }

# CPU time used so far by the processes given, in ns (all threads; schedstat, else ticks).
cpu_ns() {
    total=0
    for p in "$@"; do
        if [ -r "/proc/$p/schedstat" ]; then
            t=$(cat /proc/"$p"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }')
        else
            t=$(sed 's/.*) //' "/proc/$p/stat" | awk -v hz="$CLK_TCK" '{ printf "%.0f", ($12 + $13) * 1e9 / hz }')
        fi
        total=$(awk -v a="$total" -v b="${t:-0}" 'BEGIN { printf "%.0f", a + b }')
    done
    echo "$total"
}

# Peak resident set of the processes given, summed, in kB (VmHWM).
hwm_kb() {
    total=0
    for p in "$@"; do
        v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
        total=$((total + ${v:-0}))
    done
    echo "$total"
}

# /proc/net/udp lines of sockets bound to 127.0.0.1:PORT (and any address with that port in
# udp6, to notice a foreign socket sharing the port through SO_REUSEPORT).
udp_lines() {
    hex=$(printf '%04X' "$1")
    awk -v p=":$hex" 'substr($2, length($2) - 4) == p' /proc/net/udp /proc/net/udp6 2>/dev/null
}
udp_socket_count() { udp_lines "$1" | wc -l | tr -d ' '; }
# Datagrams waiting in the socket's receive queue, in bytes.
udp_rx_queue() {
    q=$(udp_lines "$1" | head -1 | awk '{ split($5, a, ":"); print a[2] }')
    echo $((0x${q:-0}))
}
udp_drained() { [ "$(udp_rx_queue "$1")" -eq 0 ]; }
udp_drops() { udp_lines "$1" | awk '{ s += $NF } END { print s + 0 }'; }
# The receive buffer the kernel gave the socket (ss skmem rb: what SO_RCVBUF reports).
sock_rb() { ss -uamn "sport = :$1" 2>/dev/null | grep -o 'rb[0-9]*' | head -1 | cut -c3-; }

# A random port in [20000, 32000), below the kernel's ephemeral range, unused by any socket.
free_port() {
    for try in 1 2 3 4 5 6 7 8 9 10; do
        r=$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')
        port=$((20000 + r % 12000))
        if [ "$(udp_socket_count "$port")" -eq 0 ]; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

# Number formatting for the table: 1234567 -> 1.23M, 200000 -> 200k.
fmt_rate() {
    awk -v v="$1" 'BEGIN {
        if (v == "" || v == "-") { print "—"; exit }
        if (v >= 1e6) printf "%.2fM\n", v / 1e6; else if (v >= 1e3) printf "%.0fk\n", v / 1e3;
        else printf "%d\n", v }'
}
# median MIN MAX of a list of numbers on stdin, one per line.
stats3() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) { print "- - -"; exit }
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        print m, v[1], v[NR] }'
}
ratio() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        if (a == "" || b == "" || a == "-" || b == "-" || b + 0 == 0 || a + 0 == 0) { print "—"; exit }
        r = a / b; if (r >= 10) printf "%.0f×\n", r; else if (r >= 0.1) printf "%.2f×\n", r;
        else printf "%.3f×\n", r }'
}

# ---------------------------------------------------------------------------------------------
# Preparation

CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
RMEM_MAX=$(cat /proc/sys/net/core/rmem_max 2>/dev/null || echo 0)
# Every collector asks for 8 MiB. nfacctd and nfcapd use SO_RCVBUF, which the kernel caps at
# net.core.rmem_max; flowtally as root uses SO_RCVBUFFORCE and would get the full 8 MiB. For a
# fair ladder flowtally asks for what the peers can get (BENCH_FT_RCVBUF=8388608 to override).
WANT_RCVBUF=8388608
if [ "$RMEM_MAX" -gt 0 ] && [ "$RMEM_MAX" -lt "$WANT_RCVBUF" ]; then
    PEER_RCVBUF=$RMEM_MAX
else
    PEER_RCVBUF=$WANT_RCVBUF
fi
FT_RCVBUF=${BENCH_FT_RCVBUF:-$PEER_RCVBUF}
[ "$FT_RCVBUF" -lt 65536 ] && FT_RCVBUF=65536

mkdir -p "$OUT" || exit 1
for b in "$FT" "$FLOWGEN"; do
    [ -x "$b" ] || { say "bench: $b missing (run through make bench)"; exit 1; }
done

# Which peers can run here.
RUN_COLLECTORS=""
for c in $COLLECTORS; do
    case $c in
    flowtally) RUN_COLLECTORS="$RUN_COLLECTORS $c" ;;
    nfacctd)
        if command -v nfacctd >/dev/null && command -v pmacct >/dev/null; then
            RUN_COLLECTORS="$RUN_COLLECTORS $c"
        else
            say "bench: nfacctd/pmacct not installed (apt-get install pmacct): skipped"
        fi ;;
    nfcapd)
        if command -v nfcapd >/dev/null && command -v nfdump >/dev/null; then
            RUN_COLLECTORS="$RUN_COLLECTORS $c"
        else
            say "bench: nfcapd/nfdump not installed (apt-get install nfdump): skipped"
        fi ;;
    *) say "bench: unknown collector '$c' ignored" ;;
    esac
done

say "== flowtally benchmark ($BUILD), started $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
say "   building $INPROC"
SRCS=$(ls src/*/*.c | grep -v '^src/cli/main\.c$')
# shellcheck disable=SC2086 # the source list is split on purpose
if ! cc -std=c17 -D_GNU_SOURCE -O2 -g -Wall -Wextra -o "$INPROC" tools/bench/inproc.c $SRCS \
    -lsqlite3 -lpthread; then
    say "bench: cannot build $INPROC"
    exit 1
fi

say "   generating streams: flowgen, $HOSTS local hosts in 10.0.0.0/8, $REMOTES remotes"
for p in $PROTOS; do
    "$FLOWGEN" write --proto "$p" --records "$INPROC_RECORDS" --hosts $HOSTS --remotes $REMOTES \
        --out "$TMP/inproc.$p.dgrams" --expect "$TMP/inproc.$p.csv" >/dev/null || exit 1
    "$FLOWGEN" write --proto "$p" --records "$STREAM" --hosts $HOSTS --remotes $REMOTES \
        --out "$TMP/$p.dgrams" --expect "$TMP/$p.csv" >/dev/null || exit 1
done
# Records for hosts outside 10/8: pushes nfacctd's last partly filled buffer through.
"$FLOWGEN" write --proto v9 --records $TAIL_RECORDS --hosts 50 --remotes 100 --local 172.16.0.0/12 \
    --remote 203.0.113.0/24 --out "$TMP/tail.dgrams" --expect "$TMP/tail.csv" >/dev/null || exit 1

# want_csv PROTO LOOPS: flowgen's expect CSV with every count multiplied by LOOPS (the stream
# is replayed LOOPS times). Doubles are exact far beyond these totals (< 2^53).
want_csv() {
    f="$TMP/want.$1.$2.csv"
    if [ ! -f "$f" ]; then
        awk -F, -v n="$2" 'NR == 1 { print; next }
            { printf "%s", $1; for (i = 2; i <= 7; i++) printf ",%.0f", $i * n; printf "\n" }' \
            "$TMP/$1.csv" >"$f"
    fi
    echo "$f"
}

# ---------------------------------------------------------------------------------------------
# 1. In-process

say ""
say "== 1. in-process decode+classify+aggregate, one core ($INPROC_RECORDS records, $INPROC_PASSES passes)"
for p in $PROTOS; do
    "$INPROC" --label "$p" --in "$TMP/inproc.$p.dgrams" --expect "$TMP/inproc.$p.csv" \
        --passes "$INPROC_PASSES" >"$TMP/inproc.$p.out" 2>"$TMP/inproc.$p.err"
    sed 's/^/   /' "$TMP/inproc.$p.out"
    sed 's/^/   ! /' "$TMP/inproc.$p.err" | head -10
    r=$(grep '^RESULT' "$TMP/inproc.$p.out")
    eval "IP_RPS_$p=\$(echo \"\$r\" | sed -n 's/.*rps_median=\([0-9]*\).*/\1/p')"
    eval "IP_MIN_$p=\$(echo \"\$r\" | sed -n 's/.*rps_min=\([0-9]*\).*/\1/p')"
    eval "IP_MAX_$p=\$(echo \"\$r\" | sed -n 's/.*rps_max=\([0-9]*\).*/\1/p')"
    eval "IP_CPU_$p=\$(echo \"\$r\" | sed -n 's/.*cpu_s_per_m=\([0-9.]*\).*/\1/p')"
    eval "IP_EXACT_$p=\$(echo \"\$r\" | sed -n 's/.*exact=\([A-Z]*\).*/\1/p')"
    eval "[ -n \"\$IP_EXACT_$p\" ] || IP_EXACT_$p=FAIL"
done

# ---------------------------------------------------------------------------------------------
# Collectors: start_X sets DPID, DKIDS, PORT (returns non-zero if it could not start);
# collect_X writes the per-host totals to $TMP/got.csv and stops the collector.

start_flowtally() {
    rm -f "$TMP"/ft.db*
    "$FT" run --db "$TMP/ft.db" --netflow 127.0.0.1:0 --flush 2 --rcvbuf "$FT_RCVBUF" \
        >"$TMP/ft.out" 2>"$TMP/ft.err" &
    DPID=$!
    DKIDS=""
    if ! wait_for 200 grep -q 'listening on udp' "$TMP/ft.out"; then
        sed 's/^/   ! /' "$TMP/ft.err" | head -5
        stop_daemon KILL
        return 1
    fi
    PORT=$(sed -n 's/.*listening on udp 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/ft.out")
    [ -n "$PORT" ]
}

collect_flowtally() {
    stop_daemon TERM
    [ "$STOP_STATUS" -eq 0 ] || say "   ! flowtally exited with status $STOP_STATUS"
    "$FT" report --db "$TMP/ft.db" --by host --format csv 2>/dev/null | cut -d, -f1-7 >"$TMP/got.csv"
    FT_KDROPS=$("$FT" stats --db "$TMP/ft.db" --format csv 2>/dev/null |
        awk -F, '$4 == "kernel_drops" { s += $5 } END { print s + 0 }')
    cmp -s "$TMP/got.csv" "$WANT"
}

start_nfacctd() {
    for try in 1 2 3 4 5; do
        PORT=$(free_port) || return 1
        rm -f "$TMP/imt.pipe"
        cat >"$TMP/nfacctd.conf" <<CONF
daemonize: false
nfacctd_ip: 127.0.0.1
nfacctd_port: $PORT
nfacctd_pipe_size: $WANT_RCVBUF
plugins: memory[p]
aggregate[p]: src_host, dst_host
imt_path[p]: $TMP/imt.pipe
plugin_pipe_size[p]: 67108864
plugin_buffer_size[p]: 65536
imt_mem_pools_number[p]: 16384
imt_mem_pools_size[p]: 65536
CONF
        nfacctd -f "$TMP/nfacctd.conf" >"$TMP/nfacctd.log" 2>&1 &
        DPID=$!
        if wait_for 200 test -S "$TMP/imt.pipe" && alive "$DPID" &&
            wait_for 100 grep -q 'waiting for NetFlow' "$TMP/nfacctd.log" &&
            [ "$(udp_socket_count "$PORT")" -eq 1 ]; then
            DKIDS=$(children_of "$DPID")
            return 0
        fi
        stop_daemon KILL
    done
    sed 's/^/   ! /' "$TMP/nfacctd.log" | tail -5
    return 1
}

tail_visible() { pmacct -p "$TMP/imt.pipe" -s -O csv 2>/dev/null | grep -q '^172\.'; }

collect_nfacctd() {
    # The tail pushes the last partly filled plugin buffer; wait until it shows (at most 15 s).
    "$FLOWGEN" send --in "$TMP/tail.dgrams" --to "127.0.0.1:$PORT" --rate 50000 >/dev/null
    wait_for 50 udp_drained "$PORT"
    TAIL_SEEN=yes
    i=0
    while ! tail_visible; do
        i=$((i + 1))
        [ $i -ge 30 ] && { TAIL_SEEN=no; break; }
        sleep 0.5
    done
    pmacct -p "$TMP/imt.pipe" -s -O csv 2>/dev/null >"$TMP/pairs.csv"
    awk -F, 'function local(ip) { return ip ~ /^10\./ }
        NR > 1 {
            if (local($1)) { bo[$1] += $4; po[$1] += $3; seen[$1] = 1 }
            if (local($2)) { bi[$2] += $4; pi[$2] += $3; seen[$2] = 1 }
        }
        END { for (h in seen) printf "%s,%.0f,%.0f,%.0f,%.0f\n", h, bi[h], bo[h], pi[h], po[h] }' \
        "$TMP/pairs.csv" | sort >"$TMP/got.csv"
    PAIRS=$(($(wc -l <"$TMP/pairs.csv") - 1))
    stop_daemon INT
    grep -q 'missing data detected' "$TMP/nfacctd.log" && PEER_NOTE="${PEER_NOTE}pipe-loss-logged "
    [ "$TAIL_SEEN" = yes ] || PEER_NOTE="${PEER_NOTE}tail-not-seen "
    cut -d, -f1-5 "$WANT" | sed 1d | sort >"$TMP/want5.csv"
    cmp -s "$TMP/got.csv" "$TMP/want5.csv"
}

start_nfcapd() {
    for try in 1 2 3 4 5; do
        PORT=$(free_port) || return 1
        rm -rf "$TMP/nfcapd"
        mkdir -p "$TMP/nfcapd"
        nfcapd -w "$TMP/nfcapd" -b 127.0.0.1 -p "$PORT" -B "$WANT_RCVBUF" >"$TMP/nfcapd.log" 2>&1 &
        DPID=$!
        DKIDS=""
        if wait_for 200 grep -q 'Startup' "$TMP/nfcapd.log" && alive "$DPID" &&
            [ "$(udp_socket_count "$PORT")" -eq 1 ]; then
            return 0
        fi
        stop_daemon KILL
    done
    sed 's/^/   ! /' "$TMP/nfcapd.log" | tail -5
    return 1
}

collect_nfcapd() {
    stop_daemon TERM
    nfdump -R "$TMP/nfcapd" -q -N -A dstip -o "fmt:%da,%byt,%pkt,%fl" "dst net 10.0.0.0/8" \
        2>/dev/null | tr -d ' ' >"$TMP/nfd.in"
    nfdump -R "$TMP/nfcapd" -q -N -A srcip -o "fmt:%sa,%byt,%pkt,%fl" "src net 10.0.0.0/8" \
        2>/dev/null | tr -d ' ' >"$TMP/nfd.out"
    awk -F, 'FNR == 1 { file++ } $1 == "" { next }
        file == 1 { bi[$1] = $2; pi[$1] = $3; fi[$1] = $4; seen[$1] = 1 }
        file == 2 { bo[$1] = $2; po[$1] = $3; fo[$1] = $4; seen[$1] = 1 }
        END { for (h in seen) printf "%s,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f\n", h, bi[h], bo[h],
              pi[h], po[h], fi[h], fo[h] }' "$TMP/nfd.in" "$TMP/nfd.out" | sort >"$TMP/got.csv"
    seqerr=$(sed -n 's/.*Sequence Errors: \([0-9]*\).*/\1/p' "$TMP/nfcapd.log" | tail -1)
    [ "${seqerr:-0}" -gt 0 ] && PEER_NOTE="${PEER_NOTE}seq-errors=$seqerr "
    rm -rf "$TMP/nfcapd"
    sed 1d "$WANT" | sort >"$TMP/want7.csv"
    cmp -s "$TMP/got.csv" "$TMP/want7.csv"
}

# ---------------------------------------------------------------------------------------------
# 2-4. One rung: COLLECTOR PROTO RATE REP. Appends a line to raw.csv; sets RUNG_OK (1 = lossless
# and exact) and RUNG_SENDER_LIMITED.

RAW="$OUT/raw.csv"
echo "rep,protocol,collector,rate,loops,records,sent_rps,secs,exact,udp_drops,kernel_drops,lossless,cpu_s,cpu_s_per_m,peak_rss_kb,rcvbuf_rb,note" >"$RAW"

run_rung() {
    coll=$1 proto=$2 rate=$3 rep=$4
    RUNG_OK=0 RUNG_SENDER_LIMITED=0 PEER_NOTE="" FT_KDROPS="-" PAIRS=""
    loops=$(awk -v r="$rate" -v s="$SECS" -v n="$STREAM" 'BEGIN { l = int(r * s / n + 0.5); print l < 1 ? 1 : l }')
    records=$((loops * STREAM))
    WANT=$(want_csv "$proto" "$loops")
    if ! "start_$coll"; then
        say "   ! $coll did not start"
        echo "$rep,$proto,$coll,$rate,$loops,$records,,,no,,,no,,,,,start-failed" >>"$RAW"
        return
    fi
    pids="$DPID $DKIDS"
    rb=$(sock_rb "$PORT")
    cpu0=$(cpu_ns $pids)
    "$FLOWGEN" send --in "$TMP/$proto.dgrams" --to "127.0.0.1:$PORT" --rate "$rate" \
        --loops "$loops" >"$TMP/send.out" 2>&1
    sent_secs=$(sed -n 's/.* in \([0-9.]*\) s .*/\1/p' "$TMP/send.out")
    sent_rps=$(sed -n 's/.*(\([0-9]*\) records\/s).*/\1/p' "$TMP/send.out")
    # Let the collector empty its socket before looking (at most 20 s).
    wait_for 400 udp_drained "$PORT" || PEER_NOTE="${PEER_NOTE}socket-not-drained "
    counted=$records
    if [ "$coll" = nfacctd ]; then
        counted=$((records + TAIL_RECORDS))
    fi
    [ "$coll" = nfcapd ] && sleep 0.2 # let its writer thread catch up before sampling CPU
    drops=$(udp_drops "$PORT")
    nsock=$(udp_socket_count "$PORT")
    [ "$nsock" -ne 1 ] && PEER_NOTE="${PEER_NOTE}port-shared-with-$nsock-sockets "
    if [ "$coll" = nfacctd ]; then
        # Its CPU and memory are read after the tail, once the plugin has caught up.
        "collect_$coll"
        exact=$?
        cpu1="" hwm=""
    else
        cpu1=$(cpu_ns $pids)
        hwm=$(hwm_kb $pids)
        "collect_$coll"
        exact=$?
    fi
    if [ "$coll" = nfacctd ]; then
        cpu1=$NFA_CPU1 hwm=$NFA_HWM
    fi
    [ -n "$PAIRS" ] && PEER_NOTE="${PEER_NOTE}pairs=$PAIRS "
    cpu_s=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
    cpu_m=$(awk -v c="$cpu_s" -v n="$counted" 'BEGIN { printf "%.4f", c / (n / 1e6) }')
    ex=no
    [ "$exact" -eq 0 ] && ex=yes
    lossless=no
    if [ "$ex" = yes ] && [ "${drops:-1}" -eq 0 ] && { [ "$FT_KDROPS" = "-" ] || [ "$FT_KDROPS" -eq 0 ]; } &&
        [ "$nsock" -eq 1 ]; then
        lossless=yes
        RUNG_OK=1
    fi
    if [ -z "$sent_rps" ] || [ "$(awk -v s="$sent_rps" -v r="$rate" 'BEGIN { print (s < 0.95 * r) }')" -eq 1 ]; then
        RUNG_SENDER_LIMITED=1
        PEER_NOTE="${PEER_NOTE}sender-below-95%-of-rate "
    fi
    echo "$rep,$proto,$coll,$rate,$loops,$records,${sent_rps:-},${sent_secs:-},$ex,$drops,$FT_KDROPS,$lossless,$cpu_s,$cpu_m,$hwm,$rb,$PEER_NOTE" >>"$RAW"
    printf '   %-9s %-5s rep %s rate %8s sent %8s/s %5ss  exact %-3s drops %-6s lossless %-3s cpu %6s s/M  rss %6s MB  rb %s %s\n' \
        "$coll" "$proto" "$rep" "$rate" "${sent_rps:-?}" "${sent_secs:-?}" "$ex" "$drops" "$lossless" \
        "$cpu_m" "$(awk -v k="${hwm:-0}" 'BEGIN { printf "%.1f", k / 1024 }')" "$rb" "$PEER_NOTE"
}

# nfacctd's CPU and RSS must be sampled after the tail but before SIGINT: wrap its collector.
eval "$(echo 'collect_nfacctd_inner()'; type collect_nfacctd | sed 1,2d)" 2>/dev/null ||
    true
collect_nfacctd() {
    # The same as collect_nfacctd_inner, but samples CPU and RSS just before stopping.
    "$FLOWGEN" send --in "$TMP/tail.dgrams" --to "127.0.0.1:$PORT" --rate 50000 >/dev/null
    wait_for 50 udp_drained "$PORT"
    TAIL_SEEN=yes
    i=0
    while ! tail_visible; do
        i=$((i + 1))
        [ $i -ge 30 ] && { TAIL_SEEN=no; break; }
        sleep 0.5
    done
    drops=$(udp_drops "$PORT")
    NFA_CPU1=$(cpu_ns $pids)
    NFA_HWM=$(hwm_kb $pids)
    pmacct -p "$TMP/imt.pipe" -s -O csv 2>/dev/null >"$TMP/pairs.csv"
    awk -F, 'function local(ip) { return ip ~ /^10\./ }
        NR > 1 {
            if (local($1)) { bo[$1] += $4; po[$1] += $3; seen[$1] = 1 }
            if (local($2)) { bi[$2] += $4; pi[$2] += $3; seen[$2] = 1 }
        }
        END { for (h in seen) printf "%s,%.0f,%.0f,%.0f,%.0f\n", h, bi[h], bo[h], pi[h], po[h] }' \
        "$TMP/pairs.csv" | sort >"$TMP/got.csv"
    PAIRS=$(($(wc -l <"$TMP/pairs.csv") - 1))
    stop_daemon INT
    grep -q 'missing data detected' "$TMP/nfacctd.log" && PEER_NOTE="${PEER_NOTE}pipe-loss-logged "
    [ "$TAIL_SEEN" = yes ] || PEER_NOTE="${PEER_NOTE}tail-not-seen "
    cut -d, -f1-5 "$WANT" | sed 1d | sort >"$TMP/want5.csv"
    cmp -s "$TMP/got.csv" "$TMP/want5.csv"
}
