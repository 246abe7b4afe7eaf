#!/bin/sh
# flowtally's benchmark, run by `make bench`. It measures, in one run:
#  1. in-process records/s of decode+classify+aggregate per protocol (v5, v9, IPFIX), one core,
#     with an exactness check against flowgen's own totals (tools/bench/inproc.c);
#  2. the highest loopback rate (a ladder of rates, stopping at the first failing rung, repeated)
#     at which flowtally, pmacct's nfacctd and nfdump's nfcapd stay lossless AND exact, for one
#     exporter and for several (flowgen send --exporters: the same stream from K addresses);
#     flowtally's store holds 1,000 subscribers, one bound to each host of the stream;
#  3. CPU seconds per million records and peak RSS of each at a common rate, and at 1M
#     records/s from several exporters over 100,000 hosts (flowtally: 100,000 subscribers);
#  4. the store's flush time (tools/bench/flushtime.c), SQLite and PostgreSQL;
#  5. the customer portal (tools/bench/portal.sh): p50/p99 and requests/s of this cycle's page,
#     /api/v1/usage and /cycles at 50 connections (wrk) on a store of a year and 1,000
#     subscribers, and whether the collector stays lossless meanwhile;
#  6. closing a month's bills (tools/bench/bills.sh): `bill close` for 1,000 and 10,000
#     subscribers with a month of 300 s usage each (SQLite; PostgreSQL at 1,000), and again;
#  7. the alert thread's round (tools/bench/alerts.sh): 2,000 of 10,000 subscribers moving
#     at each flush, each with a month of usage, before and after usage was kept in memory;
# then prints one table (also written to build/bench/results.md) with flowtally/peer ratios,
# and keeps every rung's raw numbers in build/bench/raw.csv (also printed as they come).
# Usage: sh tools/bench/bench.sh BUILD_DIR. Knobs (environment): BENCH_PROTOS, BENCH_COLLECTORS,
# BENCH_REPS, BENCH_SECS, BENCH_LADDER, BENCH_COMMON_RATE, BENCH_BUDGET, BENCH_INPROC_RECORDS,
# BENCH_INPROC_PASSES, BENCH_STREAM_RECORDS, BENCH_FT_RCVBUF, BENCH_EXPORTERS, BENCH_BIG_RATE,
# BENCH_BIG_EXPORTERS, BENCH_PORTAL (0: skip part 5; its own knobs: tools/bench/portal.sh),
# BENCH_BILLS (0: skip part 6; its own knobs: tools/bench/bills.sh), BENCH_ALERTS (0: skip
# part 7; its own knobs: tools/bench/alerts.sh)
# (defaults below).
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
LADDER=${BENCH_LADDER:-"100000 200000 400000 1000000 2000000 3000000 4500000 6500000 8000000 10000000"}
COMMON=${BENCH_COMMON_RATE:-100000}    # CPU/M and peak RSS are taken at this rung (1 exporter)
EXPORTERS=${BENCH_EXPORTERS:-"1 4"}    # ladders: the stream from this many exporters at once
MULTI_FROM=${BENCH_MULTI_FROM:-400000}  # several exporters: rungs from this rate (lower ones
                                        # would send the stream several times over, slowly)
BIG_RATE=${BENCH_BIG_RATE:-1000000}    # the 100,000-subscriber run: records/s ...
BIG_EXPORTERS=${BENCH_BIG_EXPORTERS:-1} # ... from this many exporters (one core router)
BIG_HOSTS=100000
BIG_STREAM=$((BIG_RATE * 3 / BIG_EXPORTERS)) # ~3 s of traffic, sent once by each exporter
BUDGET=${BENCH_BUDGET:-3000}           # seconds; rungs past it are skipped (and say so)
INPROC_RECORDS=${BENCH_INPROC_RECORDS:-1000000}
INPROC_PASSES=${BENCH_INPROC_PASSES:-5}
STREAM=${BENCH_STREAM_RECORDS:-200000} # records per ladder stream file; replayed --loops times
HOSTS=1000
REMOTES=100000
TAIL_RECORDS=3000

T_START=$(date +%s)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
TMP=$(mktemp -d /tmp/flowtally-bench.XXXXXX) || exit 1
DPID=""  # the collector under test, if running
DKIDS="" # its child processes (nfacctd's plugin)

# ---------------------------------------------------------------------------------------------
# Helpers

cleanup() {
    for p in $DPID $DKIDS; do kill -9 "$p" 2>/dev/null; done
    command -v pg_stop >/dev/null 2>&1 && pg_stop
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*"; }
elapsed() { echo $(($(date +%s) - T_START)); }
over_budget() { [ "$(elapsed)" -ge "$BUDGET" ]; }

. "$ROOT/tools/bench/lib.sh" # wait_for, alive, not_alive

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
    $(pkg-config --cflags libpq pangocairo) -lsqlite3 -lpq -lpthread -lpcap -lmicrohttpd -lcrypt -lgnutls -lldap $(pkg-config --libs pangocairo); then
    say "bench: cannot build $INPROC"
    exit 1
fi

FLUSHTIME="$ROOT/$BUILD/tools/bench_flushtime"
# shellcheck disable=SC2086 # the source list is split on purpose
cc -std=c17 -D_GNU_SOURCE -O2 -g -Wall -Wextra -o "$FLUSHTIME" tools/bench/flushtime.c $SRCS \
    $(pkg-config --cflags libpq pangocairo) -lsqlite3 -lpq -lpthread -lpcap -lmicrohttpd -lcrypt -lgnutls -lldap $(pkg-config --libs pangocairo) || { say "bench: cannot build $FLUSHTIME"; exit 1; }
FLUSH_ROWS=""
for keys in 10000 100000; do
    rm -f "$TMP/flush.db"*
    r=$("$FLUSHTIME" $keys "$TMP/flush.db") || exit 1
    say "   store flush, SQLite: $r"
    FLUSH_ROWS="$FLUSH_ROWS $(echo "$r" | sed -n 's/.*keys=\([0-9]*\) insert_ms=\([0-9.]*\) update_ms=\([0-9.]*\)/SQLite:\1:\2:\3/p')"
done
# The same on a PostgreSQL server of our own (tests/pg.sh; fsync on, as a package runs it).
. "$ROOT/tests/pg.sh"
if PG_OPTS="-c fsync=on" pg_start; then
    for keys in 10000 100000; do
        pg_newdb "flush$keys" >/dev/null
        r=$("$FLUSHTIME" $keys "$PGURI") || { pg_stop; exit 1; }
        say "   store flush, PostgreSQL: $r"
        FLUSH_ROWS="$FLUSH_ROWS $(echo "$r" | sed -n 's/.*keys=\([0-9]*\) insert_ms=\([0-9.]*\) update_ms=\([0-9.]*\)/PostgreSQL:\1:\2:\3/p')"
    done
    pg_stop
else
    say "   store flush, PostgreSQL: skipped ($PG_SKIP)"
fi

say "   generating streams: flowgen, $HOSTS local hosts in 10.0.0.0/8, $REMOTES remotes"
for p in $PROTOS; do
    "$FLOWGEN" write --proto "$p" --records "$INPROC_RECORDS" --hosts $HOSTS --remotes $REMOTES \
        --out "$TMP/inproc.$p.dgrams" --expect "$TMP/inproc.$p.csv" >/dev/null || exit 1
    "$FLOWGEN" write --proto "$p" --records "$STREAM" --hosts $HOSTS --remotes $REMOTES \
        --out "$TMP/$p.dgrams" --expect "$TMP/$p.csv" >/dev/null || exit 1
    "$FLOWGEN" write --proto "$p" --records "$BIG_STREAM" --hosts $BIG_HOSTS --remotes $REMOTES \
        --pace "$BIG_RATE" \
        --out "$TMP/big.$p.dgrams" --expect "$TMP/big.$p.csv" >/dev/null || exit 1
done

# flowtally's stores, made once and copied for every run: subscribers sub1..subN on the plan
# basic, each bound to one host of the stream (the hosts flowgen's expect file lists).
# seed_db DB EXPECT_CSV
seed_db() {
    rm -f "$1"*
    "$FT" plan import etc/plans.example --db "$1" >/dev/null &&
        awk -F, 'NR > 1 { printf "sub%d --plan basic\n", NR - 1 }' "$2" >"$TMP/subs.txt" &&
        awk -F, 'NR > 1 { printf "sub%d %s/32 --from 1700000000\n", NR - 1, $1 }' "$2" >"$TMP/binds.txt" &&
        "$FT" subscriber import "$TMP/subs.txt" --db "$1" >/dev/null &&
        "$FT" bind import "$TMP/binds.txt" --db "$1" >/dev/null
}
t0=$(date +%s)
seed_db "$TMP/seed1k.db" "$TMP/v9.csv" || { say "bench: cannot seed 1,000 subscribers"; exit 1; }
seed_db "$TMP/seed100k.db" "$TMP/big.v9.csv" || { say "bench: cannot seed 100,000 subscribers"; exit 1; }
say "   stores seeded with 1,000 and 100,000 subscribers and bindings in $(($(date +%s) - t0)) s"
FT_SEED="$TMP/seed1k.db"
FT_WORKERS=0
# Records for hosts outside 10/8: pushes nfacctd's last partly filled buffer through.
"$FLOWGEN" write --proto v9 --records $TAIL_RECORDS --hosts 50 --remotes 100 --local 172.16.0.0/12 \
    --remote 203.0.113.0/24 --out "$TMP/tail.dgrams" --expect "$TMP/tail.csv" >/dev/null || exit 1

# want_csv STREAM TIMES: flowgen's expect CSV of $TMP/STREAM.csv with every count multiplied by
# TIMES (loops x exporters). Doubles are exact far beyond these totals (< 2^53).
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
    grep -v 'new exporter' "$TMP/inproc.$p.err" | sed 's/^/   ! /' | head -10
    r=$(grep '^RESULT' "$TMP/inproc.$p.out")
    eval "IP_RPS_$p=\$(echo \"\$r\" | sed -n 's/.*rps_median=\([0-9]*\).*/\1/p')"
    eval "IP_MIN_$p=\$(echo \"\$r\" | sed -n 's/.*rps_min=\([0-9]*\).*/\1/p')"
    eval "IP_MAX_$p=\$(echo \"\$r\" | sed -n 's/.*rps_max=\([0-9]*\).*/\1/p')"
    eval "IP_CPU_$p=\$(echo \"\$r\" | sed -n 's/.*cpu_s_per_m=\([0-9.]*\).*/\1/p')"
    eval "IP_RPC_$p=\$(echo \"\$r\" | sed -n 's/.*rps_per_cpu_s=\([0-9]*\).*/\1/p')"
    eval "IP_EXACT_$p=\$(echo \"\$r\" | sed -n 's/.*exact=\([A-Z]*\).*/\1/p')"
    eval "[ -n \"\$IP_EXACT_$p\" ] || IP_EXACT_$p=FAIL"
done

# ---------------------------------------------------------------------------------------------
# Collectors: start_X sets DPID, DKIDS, PORT (returns non-zero if it could not start);
# collect_X writes the per-host totals to $TMP/got.csv and stops the collector.

# Each collect_X calls sample_usage at the moment its work is done (before stopping it), then
# stops it, writes the per-host totals to $TMP/got.csv and returns 0 if they are exact.

# sample_usage: CPU so far, peak RSS, kernel drops and sockets on the port, into S_*.
sample_usage() {
    S_CPU1=$(cpu_ns $PIDS)
    S_HWM=$(hwm_kb $PIDS)
    S_DROPS=$(udp_drops "$PORT")
    S_NSOCK=$(udp_socket_count "$PORT")
}

start_flowtally() {
    rm -f "$TMP"/ft.db*
    cp "$FT_SEED" "$TMP/ft.db" || return 1
    "$FT" run -v --db "$TMP/ft.db" --netflow 127.0.0.1:0 --sflow "" --flush 2 --rcvbuf "$FT_RCVBUF" \
        --workers "$FT_WORKERS" >"$TMP/ft.out" 2>"$TMP/ft.err" &
    DPID=$!
    DKIDS=""
    if ! wait_for 200 grep -q 'listening on udp' "$TMP/ft.out" ||
        ! wait_for 400 grep -q 'loaded [0-9]* bindings' "$TMP/ft.err"; then
        sed 's/^/   ! /' "$TMP/ft.err" | head -5
        stop_daemon KILL
        return 1
    fi
    PORT=$(sed -n 's/.*listening on udp 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/ft.out")
    # one socket per receive worker shares the port (SO_REUSEPORT)
    NSOCK=$(sed -n 's/.*; \([0-9]*\) workers\{0,1\}).*/\1/p' "$TMP/ft.out")
    [ -n "$PORT" ] && [ -n "$NSOCK" ]
}

collect_flowtally() {
    sample_usage
    stop_daemon TERM # flushes everything, exit status 0
    [ "$STOP_STATUS" -eq 0 ] || NOTE="${NOTE}exit-status-$STOP_STATUS "
    "$FT" report --db "$TMP/ft.db" --by host --format csv 2>/dev/null | cut -d, -f1-7 >"$TMP/got.csv"
    FT_KDROPS=$("$FT" stats --db "$TMP/ft.db" --format csv 2>/dev/null |
        awk -F, '$4 == "kernel_drops" { s += $5 } END { print s + 0 }')
    # every host is some subscriber's: nothing may be left unassigned
    unassigned=$("$FT" report --db "$TMP/ft.db" --by subscriber --format csv 2>/dev/null |
        grep -c '^(unassigned),')
    [ "$unassigned" -eq 0 ] || NOTE="${NOTE}unassigned-traffic "
    cmp -s "$TMP/got.csv" "$WANT" && [ "$unassigned" -eq 0 ]
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
        DKIDS=""
        if wait_for 200 test -S "$TMP/imt.pipe" &&
            wait_for 100 grep -q 'waiting for NetFlow' "$TMP/nfacctd.log" && alive "$DPID" &&
            [ "$(udp_socket_count "$PORT")" -eq 1 ]; then
            DKIDS=$(children_of "$DPID")
            NSOCK=1
            return 0
        fi
        stop_daemon KILL
    done
    sed 's/^/   ! /' "$TMP/nfacctd.log" | tail -5
    return 1
}

tail_visible() { pmacct -p "$TMP/imt.pipe" -s -O csv 2>/dev/null | grep -q '^172\.'; }

collect_nfacctd() {
    # nfacctd keeps its last partly filled buffer until more records come: send records for
    # hosts outside 10/8 and wait until they show (at most 15 s); they are filtered out below.
    "$FLOWGEN" send --in "$TMP/tail.dgrams" --to "127.0.0.1:$PORT" --rate 50000 >/dev/null 2>&1
    wait_for 100 udp_drained "$PORT"
    i=0
    while ! tail_visible; do
        i=$((i + 1))
        [ $i -ge 30 ] && { NOTE="${NOTE}tail-not-seen "; break; }
        sleep 0.5
    done
    COUNTED=$((COUNTED + TAIL_RECORDS))
    sample_usage
    pmacct -p "$TMP/imt.pipe" -s -O csv >"$TMP/pairs.csv" 2>/dev/null
    stop_daemon INT # SIGTERM stays pending in nfacctd
    awk -F, 'function local(ip) { return ip ~ /^10\./ }
        NR > 1 {
            if (local($1)) { bo[$1] += $4; po[$1] += $3; seen[$1] = 1 }
            if (local($2)) { bi[$2] += $4; pi[$2] += $3; seen[$2] = 1 }
        }
        END { for (h in seen) printf "%s,%.0f,%.0f,%.0f,%.0f\n", h, bi[h], bo[h], pi[h], po[h] }' \
        "$TMP/pairs.csv" | sort >"$TMP/got.csv"
    NOTE="${NOTE}pairs=$(($(wc -l <"$TMP/pairs.csv") - 1)) "
    grep -q 'Missing data detected (plugin' "$TMP/nfacctd.log" && NOTE="${NOTE}plugin-pipe-loss-logged "
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
            NSOCK=1
            return 0
        fi
        stop_daemon KILL
    done
    sed 's/^/   ! /' "$TMP/nfcapd.log" | tail -5
    return 1
}

collect_nfcapd() {
    sleep 0.2 # its socket is empty; let the record writer finish the last block
    sample_usage
    stop_daemon TERM # writes the last file
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
    [ "${seqerr:-0}" -gt 0 ] && NOTE="${NOTE}seq-errors=$seqerr(replays-count-too) "
    rm -rf "$TMP/nfcapd"
    sed 1d "$WANT" | sort >"$TMP/want7.csv"
    cmp -s "$TMP/got.csv" "$TMP/want7.csv"
}

# ---------------------------------------------------------------------------------------------
# One rung: run_rung COLLECTOR PROTO RATE REP EXPORTERS [STREAM]. Sends $TMP/STREAM.dgrams
# (default PROTO's ladder stream) from EXPORTERS addresses at RATE records/s in all. Appends to
# raw.csv, prints one line, sets RUNG_OK (1 = lossless and exact) and RUNG_SENDER_LIMITED
# (1 = flowgen reached < 95% of the rate).

RAW="$OUT/raw.csv"
LADDERS="$OUT/ladders.csv"
echo "rep,protocol,collector,rate,loops,records,sent_rps,send_secs,exact,udp_drops,kernel_drops_stat,lossless,cpu_s,cpu_s_per_m,peak_rss_kb,rcvbuf_rb,note,exporters,stream" >"$RAW"
echo "rep,protocol,collector,max_lossless_rate,first_failing_rate,end,exporters" >"$LADDERS"

run_rung() {
    coll=$1 proto=$2 rate=$3 rep=$4 exp=$5 stream=${6:-$2}
    RUNG_OK=0 RUNG_SENDER_LIMITED=0 NOTE="" FT_KDROPS="-"
    n=$STREAM
    [ "$stream" = "$proto" ] || n=$BIG_STREAM
    loops=$(awk -v r="$rate" -v s="$SECS" -v n="$n" -v e="$exp" \
        'BEGIN { l = int(r * s / (n * e) + 0.5); print l < 1 ? 1 : l }')
    [ "$stream" = "$proto" ] || loops=1 # the big stream holds ~3 s at its rate
    records=$((loops * exp * n))
    COUNTED=$records
    WANT=$(want_csv "$stream" $((loops * exp)))
    if ! "start_$coll"; then
        say "   ! $coll did not start"
        echo "$rep,$proto,$coll,$rate,$loops,$records,,,no,,,no,,,,,start-failed" >>"$RAW"
        return
    fi
    PIDS="$DPID $DKIDS"
    rb=$(sock_rb "$PORT")
    cpu0=$(cpu_ns $PIDS)
    "$FLOWGEN" send --in "$TMP/$stream.dgrams" --to "127.0.0.1:$PORT" --rate "$rate" \
        --loops "$loops" --exporters "$exp" >"$TMP/send.out" 2>&1
    sent_secs=$(sed -n 's/.* in \([0-9.]*\) s .*/\1/p' "$TMP/send.out")
    sent_rps=$(sed -n 's/.*(\([0-9]*\) records\/s).*/\1/p' "$TMP/send.out")
    # Let the collector empty its socket before looking (at most 20 s).
    wait_for 400 udp_drained "$PORT" || NOTE="${NOTE}socket-not-drained "
    "collect_$coll"
    exact=$?
    cpu_s=$(awk -v a="$cpu0" -v b="$S_CPU1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')
    cpu_m=$(awk -v c="$cpu_s" -v n="$COUNTED" 'BEGIN { printf "%.4f", c / (n / 1e6) }')
    ex=no
    [ "$exact" -eq 0 ] && ex=yes
    [ "$S_NSOCK" -ne "$NSOCK" ] && NOTE="${NOTE}port-held-by-$S_NSOCK-sockets-not-$NSOCK "
    lossless=no
    if [ "$ex" = yes ] && [ "${S_DROPS:-1}" -eq 0 ] && [ "$S_NSOCK" -eq "$NSOCK" ] &&
        { [ "$FT_KDROPS" = "-" ] || [ "$FT_KDROPS" -eq 0 ]; }; then
        lossless=yes
        RUNG_OK=1
    fi
    if [ -z "$sent_rps" ] ||
        [ "$(awk -v s="$sent_rps" -v r="$rate" 'BEGIN { print (s < 0.95 * r) }')" -eq 1 ]; then
        RUNG_SENDER_LIMITED=1
        NOTE="${NOTE}sender-below-95%-of-rate "
    fi
    echo "$rep,$proto,$coll,$rate,$loops,$records,$sent_rps,$sent_secs,$ex,$S_DROPS,$FT_KDROPS,$lossless,$cpu_s,$cpu_m,$S_HWM,$rb,$NOTE,$exp,$stream" >>"$RAW"
    printf '   %-9s %-9s x%s rep %s  rate %7s  sent %8s/s in %5ss  exact %-3s  drops %-6s lossless %-3s  %7s cpu-s/M  rss %7s MB  rb %s %s\n' \
        "$coll" "$stream" "$exp" "$rep" "$(fmt_rate "$rate")" "${sent_rps:-?}" "${sent_secs:-?}" "$ex" \
        "$S_DROPS" "$lossless" "$cpu_m" "$(awk -v k="${S_HWM:-0}" 'BEGIN { printf "%.1f", k / 1024 }')" \
        "$rb" "$NOTE"
}

# ---------------------------------------------------------------------------------------------
# 2-4. Ladders: for each repetition, protocol and collector, climb the rates until the first
# rung that is not lossless and exact. Repetitions are the outer loop so that, if the time
# budget runs out, every collector and protocol has been measured the same number of times.

case " $LADDER " in *" $COMMON "*) ;; *) LADDER="$COMMON $LADDER" ;; esac
say ""
say "== 2-4. loopback ladders: rates $(for r in $LADDER; do printf '%s ' "$(fmt_rate "$r")"; done)records/s;"
say "   from $EXPORTERS exporter(s); then $(fmt_rate "$BIG_RATE")/s from $BIG_EXPORTERS exporter(s) over"
say "   $BIG_HOSTS hosts (flowtally: as many subscribers)"
say "   ~${SECS} s of traffic per rung (a $STREAM-record stream replayed with --loops), $REPS repetitions;"
say "   lossless = per-host totals exact AND 0 kernel drops (/proc/net/udp; flowtally: also its"
say "   kernel_drops counter); CPU is all threads of all the collector's processes (schedstat)."
rep=1
while [ "$rep" -le "$REPS" ]; do
    for proto in $PROTOS; do
        for exp in $EXPORTERS; do
            for coll in $RUN_COLLECTORS; do
                best=0 failat="" end=""
                for rate in $LADDER; do
                    if over_budget; then end=budget; break; fi
                    [ "$exp" -gt 1 ] && [ "$rate" -lt "$MULTI_FROM" ] && continue
                    run_rung "$coll" "$proto" "$rate" "$rep" "$exp"
                    if [ "$RUNG_OK" -eq 1 ] && [ "$RUNG_SENDER_LIMITED" -eq 0 ]; then
                        best=$rate
                    elif [ "$RUNG_OK" -eq 1 ]; then
                        end=sender # exact, but the sender could not reach this rate
                        break
                    else
                        failat=$rate
                        end=fail
                        break
                    fi
                done
                [ -z "$end" ] && end=top
                [ "$end" = budget ] && [ "$best" -eq 0 ] && [ -z "$failat" ] && continue
                echo "$rep,$proto,$coll,$best,$failat,$end,$exp" >>"$LADDERS"
            done
        done
        # 100,000 hosts (flowtally: 100,000 subscribers) at BIG_RATE from BIG_EXPORTERS
        FT_SEED="$TMP/seed100k.db"
        for coll in $RUN_COLLECTORS; do
            over_budget && break
            run_rung "$coll" "$proto" "$BIG_RATE" "$rep" "$BIG_EXPORTERS" "big.$proto"
        done
        FT_SEED="$TMP/seed1k.db"
    done
    rep=$((rep + 1))
done
[ "$(elapsed)" -ge "$BUDGET" ] && say "   ! time budget of $BUDGET s reached: later rungs skipped (see ladders.csv)"

# ---------------------------------------------------------------------------------------------
# 5. The customer portal: its own store, daemon, load and stream (tools/bench/portal.sh).

PORTAL_ROWS="$TMP/portal.rows"
: >"$PORTAL_ROWS"
if [ "${BENCH_PORTAL:-1}" != 0 ]; then
    say ""
    sh "$ROOT/tools/bench/portal.sh" "$BUILD" "$PORTAL_ROWS" ||
        printf 'portal benchmark\tfailed (exit status %s; see its output above)\n' "$?" >>"$PORTAL_ROWS"
fi

# ---------------------------------------------------------------------------------------------
# 6. Closing a month's bills: its own stores (tools/bench/bills.sh).

BILLS_ROWS="$TMP/bills.rows"
: >"$BILLS_ROWS"
if [ "${BENCH_BILLS:-1}" != 0 ]; then
    say ""
    sh "$ROOT/tools/bench/bills.sh" "$BUILD" "$BILLS_ROWS" ||
        printf 'billing benchmark\tfailed (exit status %s; see its output above)\n' "$?" >>"$BILLS_ROWS"
fi

# ---------------------------------------------------------------------------------------------
# 7. The alert thread's round: its own store (tools/bench/alerts.sh).

ALERTS_ROWS="$TMP/alerts.rows"
: >"$ALERTS_ROWS"
if [ "${BENCH_ALERTS:-1}" != 0 ]; then
    say ""
    sh "$ROOT/tools/bench/alerts.sh" "$BUILD" "$ALERTS_ROWS" ||
        printf 'alerts benchmark\tfailed (exit status %s; see its output above)\n' "$?" >>"$ALERTS_ROWS"
fi

# ---------------------------------------------------------------------------------------------
# The table.

# ladder_stat COLL PROTO EXP: "median min max n lowerbound" of the max lossless rate over reps.
ladder_stat() {
    sel='NR > 1 && $3 == c && $2 == p && $7 == e'
    v=$(awk -F, -v c="$1" -v p="$2" -v e="$3" "$sel { print \$4 }" "$LADDERS" | stats3)
    n=$(awk -F, -v c="$1" -v p="$2" -v e="$3" "$sel" "$LADDERS" | wc -l | tr -d ' ')
    lb=$(awk -F, -v c="$1" -v p="$2" -v e="$3" "$sel && \$6 != \"fail\" { x = 1 } END { print x + 0 }" "$LADDERS")
    echo "$v $n $lb"
}
# run_stat COLL STREAM RATE EXP FIELD: median of a raw.csv column over the runs of that stream,
# rate and exporter count.
run_stat() {
    awk -F, -v c="$1" -v st="$2" -v r="$3" -v e="$4" -v f="$5" \
        'NR > 1 && $3 == c && $19 == st && $4 == r && $18 == e && $f != "" { print $f }' "$RAW" |
        stats3 | cut -d' ' -f1
}
run_exact() {
    awk -F, -v c="$1" -v st="$2" -v r="$3" -v e="$4" \
        'NR > 1 && $3 == c && $19 == st && $4 == r && $18 == e { n++; if ($12 == "yes") y++ }
         END { if (n) printf "%d/%d\n", y, n; else print "—" }' "$RAW"
}
rb_of() {
    awk -F, -v c="$1" 'NR > 1 && $3 == c && $16 != "" { print $16 }' "$RAW" | sort -u |
        awk '{ printf "%s%.1f MiB", (NR > 1 ? ", " : ""), $1 / 1048576 }'
}
mb() { awk -v k="$1" 'BEGIN { if (k == "-" || k == "") print "—"; else printf "%.0f MB\n", k / 1024 }'; }
num() { awk -v v="$1" 'BEGIN { if (v == "-" || v == "") print "—"; else printf "%.3g\n", v }'; }

PEERS=""
for c in $RUN_COLLECTORS; do [ "$c" != flowtally ] && PEERS="$PEERS $c"; done
HAS_FT=0
case " $RUN_COLLECTORS " in *" flowtally "*) HAS_FT=1 ;; esac

TABLE="$TMP/table.md"
# table_row PROTO LABEL KIND STREAM RATE EXP: one row of a per-run measure for every collector,
# then the ratios. KIND: cpu (raw.csv column 14), rss (15) or exact.
table_row() {
    printf '| %s | %s' "$1" "$2"
    case $3 in cpu) col=14 ;; rss) col=15 ;; *) col="" ;; esac
    for c in flowtally $PEERS; do
        case $3 in
        cpu) printf ' | %s' "$(num "$(run_stat "$c" "$4" "$5" "$6" $col)")" ;;
        rss) printf ' | %s' "$(mb "$(run_stat "$c" "$4" "$5" "$6" $col)")" ;;
        *) printf ' | %s' "$(run_exact "$c" "$4" "$5" "$6")" ;;
        esac
    done
    for c in $PEERS; do
        if [ -n "$col" ]; then
            printf ' | %s' "$(ratio "$(run_stat flowtally "$4" "$5" "$6" $col)" "$(run_stat "$c" "$4" "$5" "$6" $col)")"
        else
            printf ' | —'
        fi
    done
    printf ' |\n'
}
{
    printf '| protocol | measure | flowtally'
    for c in $PEERS; do printf ' | %s' "$c"; done
    for c in $PEERS; do printf ' | flowtally/%s' "$c"; done
    printf ' |\n|---|---|---'
    for c in $PEERS; do printf '|---|---'; done
    printf '|\n'
    for p in $PROTOS; do
        eval "ipr=\$IP_RPS_$p ipmin=\$IP_MIN_$p ipmax=\$IP_MAX_$p ipc=\$IP_CPU_$p ipx=\$IP_EXACT_$p"
        eval "iprc=\$IP_RPC_$p"
        printf '| %s | in-process decode+classify+aggregate, 1 thread: records/s wall, median [min–max] of %s passes; records per CPU-second; exactness | %s [%s–%s]; %s per CPU-s (%s cpu-s/M); exact %s' \
            "$p" "$INPROC_PASSES" "$(fmt_rate "$ipr")" "$(fmt_rate "$ipmin")" "$(fmt_rate "$ipmax")" \
            "$(fmt_rate "$iprc")" "$(num "$ipc")" "$ipx"
        for c in $PEERS; do printf ' | —'; done
        for c in $PEERS; do printf ' | —'; done
        printf ' |\n'

        for exp in $EXPORTERS; do
            set -- $(ladder_stat flowtally "$p" "$exp")
            ftm=$1 ftlb=$5
            printf '| %s | max lossless+exact loopback records/s from %s exporter%s, median [min–max] of runs' \
                "$p" "$exp" "$([ "$exp" -eq 1 ] || echo s)"
            for c in flowtally $PEERS; do
                # shellcheck disable=SC2046
                set -- $(ladder_stat "$c" "$p" "$exp")
                if [ "$c" = flowtally ] && [ "$HAS_FT" -eq 0 ] || [ "$4" -eq 0 ]; then
                    printf ' | —'
                else
                    pre=""
                    [ "$5" -eq 1 ] && pre="≥ "
                    if [ "$1" = 0 ]; then
                        first=$(echo "$LADDER" | awk '{ print $1 }')
                        [ "$exp" -gt 1 ] && first=$MULTI_FROM
                        printf ' | < %s (%s runs)' "$(fmt_rate "$first")" "$4"
                    else
                        printf ' | %s%s [%s–%s] (%s runs)' "$pre" "$(fmt_rate "$1")" "$(fmt_rate "$2")" \
                            "$(fmt_rate "$3")" "$4"
                    fi
                fi
            done
            for c in $PEERS; do
                set -- $(ladder_stat "$c" "$p" "$exp")
                # A ratio of lower bounds is itself a bound (or unknown when both are bounds).
                case "$ftlb$5" in
                10) pre="≥ " ;;
                01) pre="≤ " ;;
                11) pre="? " ;;
                *) pre="" ;;
                esac
                printf ' | %s%s' "$pre" "$(ratio "$ftm" "$1")"
            done
            printf ' |\n'
        done

        at="at $(fmt_rate "$COMMON")/s, 1 exporter, $HOSTS hosts"
        table_row "$p" "CPU-s per million records $at (median)" cpu "$p" "$COMMON" 1
        table_row "$p" "peak RSS $at (VmHWM, median)" rss "$p" "$COMMON" 1
        table_row "$p" "lossless and exact $at (runs)" exact "$p" "$COMMON" 1
        at="at $(fmt_rate "$BIG_RATE")/s, $BIG_EXPORTERS exporter$([ "$BIG_EXPORTERS" -eq 1 ] || echo s), $BIG_HOSTS hosts (flowtally: as many subscribers)"
        table_row "$p" "CPU-s per million records $at (median)" cpu "big.$p" "$BIG_RATE" "$BIG_EXPORTERS"
        table_row "$p" "peak RSS $at (VmHWM, median)" rss "big.$p" "$BIG_RATE" "$BIG_EXPORTERS"
        table_row "$p" "lossless and exact $at (runs)" exact "big.$p" "$BIG_RATE" "$BIG_EXPORTERS"
    done
    # the portal's rows: one measure and flowtally's value (no peer has a portal)
    while IFS="$(printf '\t')" read -r measure value; do
        [ "$measure" = NOTE ] && continue
        printf '| portal | %s | %s' "$measure" "$value"
        for c in $PEERS; do printf ' | —'; done
        for c in $PEERS; do printf ' | —'; done
        printf ' |\n'
    done <"$PORTAL_ROWS"
    # the bills' rows, likewise
    while IFS="$(printf '\t')" read -r measure value; do
        [ "$measure" = NOTE ] && continue
        printf '| bills | %s | %s' "$measure" "$value"
        for c in $PEERS; do printf ' | —'; done
        for c in $PEERS; do printf ' | —'; done
        printf ' |\n'
    done <"$BILLS_ROWS"
    # the alerts' rows, likewise
    while IFS="$(printf '\t')" read -r measure value; do
        [ "$measure" = NOTE ] && continue
        printf '| alerts | %s | %s' "$measure" "$value"
        for c in $PEERS; do printf ' | —'; done
        for c in $PEERS; do printf ' | —'; done
        printf ' |\n'
    done <"$ALERTS_ROWS"
} >"$TABLE"

T_END=$(date +%s)
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
MEM_GB=$(awk '/^MemTotal:/ { printf "%.1f", $2 / 1048576 }' /proc/meminfo)
RESULTS="$OUT/results.md"
REV=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo "of unknown revision")
{
    echo "## Benchmark"
    echo ""
    echo "Measured by \`make bench\` (flowtally $REV) on $(date -u '+%Y-%m-%d'): $(nproc) cores ($CPU_MODEL), ${MEM_GB} GB RAM," \
        "Linux $(uname -r), net.core.rmem_max $RMEM_MAX; load average $LOAD_START at the start," \
        "$(cut -d' ' -f1-3 /proc/loadavg) at the end. Generator (flowgen) and collector on the same machine over" \
        "loopback; streams of $HOSTS local hosts (10.0.0.0/8) and $REMOTES remotes, and of $BIG_HOSTS hosts;" \
        "flowtally's store held $HOSTS subscribers (and $BIG_HOSTS for the $BIG_HOSTS-host stream), each bound" \
        "to one host, ran with --workers $FT_WORKERS (0: one per core) and must attribute every byte."
    echo ""
    cat "$TABLE"
    echo ""
    echo "- Receive buffers obtained (ss rb; Linux reports twice the usable size):" \
        "flowtally $(rb_of flowtally)$(for c in $PEERS; do printf '; %s %s' "$c" "$(rb_of "$c")"; done)." \
        "Every collector asked for $WANT_RCVBUF bytes; the peers use SO_RCVBUF, capped at rmem_max, so" \
        "flowtally was run with --rcvbuf $FT_RCVBUF to hold the same buffer (raise rmem_max to give all 8 MiB)."
    echo "- Ladder: ~${SECS} s of traffic per rung, a rung passes when per-host totals equal flowgen's to" \
        "the byte (flowtally: bytes, packets and flows in and out; nfcapd: the same via nfdump;" \
        "nfacctd: bytes and packets, from src_host,dst_host pairs) and no datagram was dropped;" \
        "the max is the last rung before the first failure. \"≥\" = some run passed the top rung," \
        "was cut by the time budget, or the sender could not reach the next rate."
    case " $PEERS " in *" nfacctd "*) echo "- nfacctd: memory plugin, plugin_pipe_size 64 MiB, plugin_buffer_size 64 KiB, 16384 pools of" \
        "64 KiB; its RSS is core + plugin process summed, so the 64 MiB pipe they share counts twice." ;;
    esac
    echo "- Noisy: a shared 2-core machine (other jobs were running), sender and collector competing" \
        "for the two cores. Raw numbers: build/bench/raw.csv (every rung), build/bench/ladders.csv."
    echo "- flowtally's CPU includes its store thread's periodic flushes (--flush 2: one per rung)" \
        "and, at low rates, a wake-up per few datagrams; in-process rows have neither." \
        "Several exporters: flowgen sends the same stream from 127.0.0.1, .2, ... (--exporters)," \
        "so every count is that many times the file's; their ladders start at $(fmt_rate "$MULTI_FROM")/s."
    under=$(awk -F, 'NR > 1 && $3 == "flowtally" && $11 != "-" && $11 + 0 < $10 + 0 { n++; a += $11; b += $10 }
        END { if (n) printf "%d rung(s): its kernel_drops counter said %d where /proc/net/udp said %d", n, a, b }' "$RAW")
    [ -n "$under" ] && echo "- flowtally undercounted kernel drops in $under (SO_RXQ_OVFL only reports drops" \
        "before the last datagram it receives)."
    for f in $FLUSH_ROWS; do
        echo "$f" | awk -F: '{ printf "- Store flush (%s, one transaction of additive upserts): %d keys in %s ms when all are new, %s ms when all are updates.\n", $1, $2, $3, $4 }'
    done
    awk -F'\t' '$1 == "NOTE" { print "- " $2 }' "$PORTAL_ROWS" "$BILLS_ROWS" "$ALERTS_ROWS"
    echo "- \`tools/bench/bench.sh\` took $((T_END - T_START)) s."
} >"$RESULTS"

say ""
say "== results (also in $RESULTS)"
say ""
cat "$RESULTS"
