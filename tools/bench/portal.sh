#!/bin/sh
# The customer portal's part of `make bench` (also run alone: sh tools/bench/portal.sh BUILD,
# after make BUILD=... BUILD/flowtally BUILD/tools/flowgen).
#  1. Seeds a SQLite store as the collector writes it (tools/bench/seedusage.c, through the
#     store's begin/add_usage/commit): one subscriber with a year of 300 s buckets (in and
#     out, 3 classes, 5 applications, ~9 rows a bucket) among 1,000 with a month each
#     (~3.5 rows a bucket); plans with quotas and anchor days, every subscriber bound to a
#     host, one customer login each. Prints how long it took and the store's size.
#  2. Starts `flowtally run` on it (portal on 127.0.0.1:0), logs the big subscriber in with
#     curl and runs wrk (50 connections, 2 threads) against / (this cycle), /api/v1/usage
#     (this cycle, JSON), /cycles (the past 12 cycles) and, for reference, /devices (no
#     usage read): p50, p99, requests/s, every answer's status (a non-2xx, e.g. a 303 to
#     /login, fails the row), and one request alone. The daemon is restarted between routes.
#  3. Lossless under load: a flowgen stream sent to the daemon with the portal idle
#     (baseline), then while wrk loads /; each passes when, after a SIGTERM (which flushes),
#     every host's totals grew by exactly flowgen's and no drop was counted (flowtally
#     stats: kernel_drops and drop_*; /proc/net/udp drops). The time from SIGTERM to exit is
#     given beside it, against the 90 s after which systemd would kill the daemon.
# Output: a summary on stdout; with ROWS_FILE, the table rows as "measure<TAB>value" lines
# (tools/bench/bench.sh adds them to its table); raw wrk output in build/bench/portal/.
# Usage: sh tools/bench/portal.sh BUILD_DIR [ROWS_FILE]. Knobs (environment):
# BENCH_PORTAL_SECS (wrk seconds per route, 20), BENCH_PORTAL_CONNS (50),
# BENCH_PORTAL_WRK_THREADS (2), BENCH_PORTAL_WEB_THREADS (the daemon's web_threads, 4),
# BENCH_PORTAL_BIG_DAYS (365), BENCH_PORTAL_OTHERS (1000), BENCH_PORTAL_OTHER_DAYS (30),
# BENCH_PORTAL_RECORDS (flowgen records, 300000), BENCH_PORTAL_RATE (records/s, 100000),
# BENCH_PORTAL_TARGET_MS (p99 target for this cycle, 20), BENCH_PORTAL_TMP (where the
# store goes; it takes ~3 GB), BENCH_PORTAL_KEEP (non-empty: keep it afterwards).
# Only loopback addresses; every wait is bounded.
set -u

BUILD=${1:-build/release}
ROWS_OUT=${2:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
FT="$ROOT/$BUILD/flowtally"
FLOWGEN="$ROOT/$BUILD/tools/flowgen"
SEEDER="$ROOT/$BUILD/tools/bench_seedusage"
OUT="$ROOT/build/bench/portal"

SECS=${BENCH_PORTAL_SECS:-20}
CONNS=${BENCH_PORTAL_CONNS:-50}
WRK_THREADS=${BENCH_PORTAL_WRK_THREADS:-2}
WEB_THREADS=${BENCH_PORTAL_WEB_THREADS:-4}
BIG_DAYS=${BENCH_PORTAL_BIG_DAYS:-365}
OTHERS=${BENCH_PORTAL_OTHERS:-1000}
OTHER_DAYS=${BENCH_PORTAL_OTHER_DAYS:-30}
RECORDS=${BENCH_PORTAL_RECORDS:-300000}
RATE=${BENCH_PORTAL_RATE:-100000}
TARGET_MS=${BENCH_PORTAL_TARGET_MS:-20}
STOP_LIMIT=90  # s: systemd's default TimeoutStopSec, after which it sends SIGKILL
WRK_TIMEOUT=60 # s: a slower answer counts as a timeout (and is left out of the percentiles)
BIG=big-0001
BIG_LOGIN=big@example.net
BIG_HOST=10.200.0.1
PASSWORD=bench-portal-pass-1

export TZ=UTC # the seeder's day and night, the cycles and the charts' local days
T_START=$(date +%s)
TMP=$(mktemp -d "${BENCH_PORTAL_TMP:-/tmp}/flowtally-portal.XXXXXX") || exit 1
DPID=""
WPID=""

cleanup() {
    [ -n "$WPID" ] && kill "$WPID" 2>/dev/null
    [ -n "$DPID" ] && kill -9 "$DPID" 2>/dev/null
    if [ -n "${BENCH_PORTAL_KEEP:-}" ]; then say "portal: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*"; }
row() { [ -n "$ROWS_OUT" ] && printf '%s\t%s\n' "$1" "$2" >>"$ROWS_OUT"; }
[ -n "$ROWS_OUT" ] && : >"$ROWS_OUT"

. "$ROOT/tools/bench/lib.sh" # wait_for, alive, not_alive
udp_lines() {
    hex=$(printf '%04X' "$1")
    awk -v p=":$hex" 'substr($2, length($2) - 4) == p' /proc/net/udp /proc/net/udp6 2>/dev/null
}
udp_drained() {
    q=$(udp_lines "$1" | head -1 | awk '{ split($5, a, ":"); print a[2] }')
    [ $((0x${q:-0})) -eq 0 ]
}
udp_drops() { udp_lines "$1" | awk '{ s += $NF } END { print s + 0 }'; }
ms() { awk -v u="$1" 'BEGIN { if (u == "" || u < 0) print "—"; else if (u >= 100000) printf "%.0f ms\n", u / 1000; else if (u >= 10000) printf "%.1f ms\n", u / 1000; else printf "%.2f ms\n", u / 1000 }'; }

for tool in wrk curl openssl; do
    if ! command -v $tool >/dev/null; then
        say "portal: $tool not installed (apt-get install $tool): skipped"
        row "portal benchmark" "skipped: $tool not installed"
        exit 0
    fi
done
for b in "$FT" "$FLOWGEN"; do
    [ -x "$b" ] || { say "portal: $b missing (make BUILD=$BUILD $BUILD/flowtally $BUILD/tools/flowgen)"; exit 1; }
done
mkdir -p "$OUT" || exit 1

REV=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)
say "== portal (flowtally $REV): $CONNS connections, $WRK_THREADS wrk threads, ${SECS} s per route; store: 1 subscriber with"
say "   $BIG_DAYS days, $OTHERS with $OTHER_DAYS days of 300 s buckets (TMP $TMP)"
# The seeder, linked with the build's objects (make has just built them): those of today's
# sources only (a file moved to another folder leaves its old object behind).
OBJS=""
for c in src/*/*.c; do
    case $c in src/cli/main.c) ;; *) OBJS="$OBJS $ROOT/$BUILD/${c%.c}.o" ;; esac
done
# the libraries the Makefile links flowtally with (its plain -l line), and nDPI's if built in
LIBS=$(sed -n 's/^LDLIBS *+= *\(-l[^$]*\)$/\1/p' Makefile | tr '\n' ' ')
LIBS="$LIBS $(pkg-config --libs pangocairo 2>/dev/null)" # web links print/ (invoices)
pkg-config --exists libndpi 2>/dev/null && LIBS="$LIBS $(pkg-config --libs libndpi)"
# shellcheck disable=SC2086 # the object and library lists are split on purpose
cc -std=c17 -D_GNU_SOURCE -O2 -g -Wall -Wextra -o "$SEEDER" tools/bench/seedusage.c $OBJS $LIBS ||
    { say "portal: cannot build $SEEDER"; exit 1; }

NOW=$(date +%s)
# The stream the collector receives under load: flows ending around now, over the 1,000
# hosts the other subscribers are bound to.
"$FLOWGEN" write --proto v9 --records "$RECORDS" --hosts "$OTHERS" --remotes 100000 \
    --start $((NOW - 60)) --pace "$RATE" --out "$TMP/stream.dgrams" --expect "$TMP/stream.csv" \
    >/dev/null || exit 1
[ "$(($(wc -l <"$TMP/stream.csv") - 1))" -eq "$OTHERS" ] ||
    { say "portal: flowgen's stream does not cover $OTHERS hosts"; exit 1; }

# ---------------------------------------------------------------------------------------------
# 1. The store.

DB="$TMP/portal.db"
ft() { "$FT" "$@" --db "$DB"; }
# The big subscriber's cycle starts tomorrow (day 1 when tomorrow is past the 28th): its
# current cycle is nearly a month, the most a page of this cycle reads.
ANCHOR=$(date -u -d @$((NOW + 86400)) +%-d)
[ "$ANCHOR" -gt 28 ] && ANCHOR=1
t0=$(date +%s.%N)
{
    echo "big --quota 600GB --dirs both --price 60.00 --overage 1.00 --anchor $ANCHOR --speed \"100 Mbps\""
    echo "home --quota 100GB --dirs both --price 25.00 --overage 2.00 --anchor 1"
    echo "plus --quota 250GB --dirs in --price 35.00 --overage 1.50 --anchor 8"
    echo "family --quota 500GB --dirs both --price 45.00 --anchor 15"
    echo "unlimited --quota unlimited --price 70.00 --anchor 22"
} >"$TMP/plans.txt"
ft plan import "$TMP/plans.txt" >/dev/null || exit 1
FROM=$(date -u -d @$((NOW - (BIG_DAYS + 2) * 86400)) +%Y-%m-%d)
{
    echo "$BIG --plan big --name \"Big Household\" --email $BIG_LOGIN"
    awk -F, -v n="$OTHERS" 'BEGIN { split("home plus family unlimited", p, " ") }
        NR > 1 && NR <= n + 1 { printf "sub%04d --plan %s --name \"Subscriber %d\"\n", NR - 1, p[(NR - 2) % 4 + 1], NR - 1 }' \
        "$TMP/stream.csv"
} >"$TMP/subs.txt"
{
    echo "$BIG $BIG_HOST/32 --from $FROM"
    awk -F, -v n="$OTHERS" -v f="$FROM" 'NR > 1 && NR <= n + 1 { printf "sub%04d %s/32 --from %s\n", NR - 1, $1, f }' \
        "$TMP/stream.csv"
} >"$TMP/binds.txt"
ft subscriber import "$TMP/subs.txt" >/dev/null || exit 1
ft bind import "$TMP/binds.txt" >/dev/null || exit 1
# One customer login per subscriber: the big one's hashed with yescrypt as `user add` does,
# the others' with a sha512-crypt hash made once (what an import from a mail system brings).
HASH=$(openssl passwd -6 -salt benchportal "other-pass-1")
awk -F, -v n="$OTHERS" -v h="$HASH" 'NR > 1 && NR <= n + 1 {
        printf "sub%04d@example.net --role customer --account sub%04d --password-hash %s\n", NR - 1, NR - 1, h }' \
    "$TMP/stream.csv" >"$TMP/users.txt"
ft user import "$TMP/users.txt" >/dev/null || exit 1
echo "$PASSWORD" | ft user add "$BIG_LOGIN" --role customer --account "$BIG" --password-stdin || exit 1
t1=$(date +%s.%N)
SEED_OUT=$("$SEEDER" "$DB" "$NOW" "$BIG" "$BIG_DAYS" "$OTHER_DAYS") || { say "portal: seeding failed"; exit 1; }
say "   $SEED_OUT"
kv() { echo "$SEED_OUT" | sed -n "s/.* $1=\([0-9.]*\).*/\1/p"; }
ROWS=$(kv rows) BIG_ROWS=$(kv big_rows) OTHER_ROWS=$(kv other_rows) SEED_S=$(kv seconds)
SEED_RPS=$(kv rows_per_s)
SIZE_MB=$(du -cm "$DB"* | tail -1 | cut -f1)
ADMIN_S=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
BIG_RPB=$(awk -v r="$BIG_ROWS" -v d="$BIG_DAYS" 'BEGIN { printf "%.1f", r / (d * 288) }')
OTHER_RPB=$(awk -v r="$OTHER_ROWS" -v d="$OTHER_DAYS" -v n="$OTHERS" 'BEGIN { printf "%.1f", r / (d * 288 * n) }')
say "   store: $ROWS usage rows ($BIG_ROWS for $BIG: $BIG_RPB a bucket; $OTHER_ROWS for $OTHERS others:" \
    "$OTHER_RPB a bucket each) in $SEED_S s ($SEED_RPS rows/s), $SIZE_MB MB;" \
    "plans, subscribers, bindings and logins in $ADMIN_S s"
row "store seeded as the collector writes it (begin/add_usage/commit, 200,000-row transactions)" \
    "$ROWS rows in $SEED_S s ($(awk -v r="$SEED_RPS" 'BEGIN { printf "%.0fk", r / 1000 }') rows/s), $SIZE_MB MB: $BIG $BIG_DAYS days at $BIG_RPB rows/bucket, $OTHERS others $OTHER_DAYS days at $OTHER_RPB"

# The daemon's classes: the three the seeder stored (prefix files from etc/classes).
cp etc/classes/free.txt etc/classes/national.txt "$TMP/"
{
    echo "free           0     no   free.txt"
    echo "national       0.50  yes  national.txt"
    echo "international  2.00  yes  default"
} >"$TMP/classes.conf"

RMEM_MAX=$(cat /proc/sys/net/core/rmem_max 2>/dev/null || echo 8388608)
RCVBUF=8388608
[ "$RMEM_MAX" -gt 0 ] && [ "$RMEM_MAX" -lt "$RCVBUF" ] && RCVBUF=$RMEM_MAX

start_daemon() {
    rm -f "$TMP/d.out" "$TMP/d.err"
    "$FT" run -v --db "$DB" --netflow 127.0.0.1:0 --sflow "" --web 127.0.0.1:0 \
        --web-threads "$WEB_THREADS" --web-max-per-address $((CONNS + 8)) \
        --web-max-connections $((CONNS * 2 + 64)) --classes "$TMP/classes.conf" \
        --apps etc/apps.conf --rcvbuf "$RCVBUF" >"$TMP/d.out" 2>"$TMP/d.err" &
    DPID=$!
    if ! wait_for 1200 grep -q '^web: listening' "$TMP/d.out" ||
        ! wait_for 400 grep -q 'loaded [0-9]* bindings' "$TMP/d.err"; then
        say "   ! flowtally did not start:"
        sed 's/^/   ! /' "$TMP/d.err" | head -5
        return 1
    fi
    PORT=$(sed -n 's/.*listening on udp 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$TMP/d.out" | head -1)
    WEB=$(sed -n 's|^web: listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$TMP/d.out" | head -1)
    [ -n "$PORT" ] && [ -n "$WEB" ]
}
# stop_daemon: SIGTERM (the daemon flushes and exits 0), SIGKILL if it is still there after
# 300 s. Sets STOP_STATUS and STOP_S (seconds from SIGTERM to exit).
stop_daemon() {
    s0=$(date +%s.%N)
    kill -TERM "$DPID" 2>/dev/null
    deadline=$(($(date +%s) + 300))
    while alive "$DPID" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.1; done
    if alive "$DPID"; then
        say "   ! flowtally did not stop within 300 s of SIGTERM: killed"
        kill -9 "$DPID" 2>/dev/null
    fi
    wait "$DPID" 2>/dev/null
    STOP_STATUS=$?
    STOP_S=$(awk -v a="$s0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    DPID=""
}
# CPU time of a process so far, all threads, in ns.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f", s }'; }

# ---------------------------------------------------------------------------------------------
# 3 (baseline first, on a quiet daemon). lossless_run NAME: sends the stream, stops the daemon,
# checks the totals and the drops. Sets LL_OK (1 pass), LL_TEXT.

# Every host's totals over the stream's window (its flows end within a minute of their export).
W_FROM=$((NOW - 3600))
W_TO=$((NOW + 7200))
host_totals() {
    ft report --by host --from "$W_FROM" --to "$W_TO" --format csv 2>/dev/null | cut -d, -f1-7 | sed 1d |
        sort >"$1"
}
drop_counters() {
    ft stats --format csv 2>/dev/null |
        awk -F, 'NR > 1 && ($4 == "kernel_drops" || $4 ~ /^drop_/) { s += $5 } END { print s + 0 }'
}
lossless_check() {
    # after - before, per host and column, against flowgen's expect file
    awk -F, 'FNR == 1 { f++ }
        f == 1 { for (i = 2; i <= 7; i++) b[$1, i] = $i; next }
        f == 2 { printf "%s", $1; for (i = 2; i <= 7; i++) printf ",%.0f", $i - b[$1, i]; printf "\n"; next }' \
        "$TMP/before.csv" "$TMP/after.csv" | awk -F, '$2 + $3 + $4 + $5 + $6 + $7 > 0' | sort >"$TMP/delta.csv"
    sed 1d "$TMP/stream.csv" | sort >"$TMP/want.csv"
    cmp -s "$TMP/delta.csv" "$TMP/want.csv"
}
# lossless_run NAME [LOAD_PATH]: with LOAD_PATH, wrk loads it meanwhile (from a little before
# the stream until a little after).
lossless_run() {
    name=$1
    host_totals "$TMP/before.csv"
    drops0=$(drop_counters)
    WPID=""
    c0=$(cpu_ns "$DPID")
    t0=$(date +%s.%N)
    if [ -n "${2:-}" ]; then
        FT_SESSION=$SESSION wrk -t "$WRK_THREADS" -c "$CONNS" -d "$((RECORDS / RATE + 10))s" --latency \
            --timeout "${WRK_TIMEOUT}s" -s "$TMP/portal.lua" "http://127.0.0.1:$WEB$2" \
            >"$OUT/wrk_under_stream.txt" 2>&1 &
        WPID=$!
        sleep 4
    fi
    "$FLOWGEN" send --in "$TMP/stream.dgrams" --to "127.0.0.1:$PORT" --rate "$RATE" >"$TMP/send.out" 2>&1
    sent=$(sed -n 's/.*(\([0-9]*\) records\/s).*/\1/p' "$TMP/send.out")
    wait_for 400 udp_drained "$PORT"
    udrops=$(udp_drops "$PORT")
    if [ -n "$WPID" ]; then
        wait "$WPID"
        WPID=""
        udrops=$(udp_drops "$PORT")
    fi
    cores=$(awk -v c0="$c0" -v c1="$(cpu_ns "$DPID")" -v t0="$t0" -v t1="$(date +%s.%N)" \
        'BEGIN { printf "%.2f", (c1 - c0) / 1e9 / (t1 - t0) }')
    stop_daemon
    host_totals "$TMP/after.csv"
    drops1=$(drop_counters)
    dd=$((drops1 - drops0))
    LL_OK=0
    exact=no
    lossless_check && exact=yes
    [ "$exact" = yes ] && [ "$udrops" -eq 0 ] && [ "$dd" -eq 0 ] && [ "$STOP_STATUS" -eq 0 ] && LL_OK=1
    hosts_ok=$(join -t, "$TMP/delta.csv" "$TMP/want.csv" 2>/dev/null | awk -F, '{ ok = 1; for (i = 2; i <= 7; i++) if ($i != $(i + 6)) ok = 0; n += ok } END { print n + 0 }')
    verdict=FAIL
    [ "$LL_OK" -eq 1 ] && verdict=PASS
    # A service manager kills what has not stopped by then (systemd: 90 s), and with it every
    # count since the last flush: said apart from the counts, which the bench waits for.
    stop_ok=PASS
    awk -v s="$STOP_S" -v l="$STOP_LIMIT" 'BEGIN { exit !(s > l) }' && stop_ok=FAIL
    LL_TEXT="$verdict: $RECORDS records sent at ${sent:-?}/s, $hosts_ok of $OTHERS hosts exact, $udrops kernel drops (/proc/net/udp), $dd in flowtally stats; the daemon used $cores cores meanwhile; SIGTERM to exit $STOP_S s (status $STOP_STATUS; within ${STOP_LIMIT} s: $stop_ok)"
    say "   $name: $LL_TEXT"
}

say ""
say "== portal: the stream alone (baseline): $RECORDS records at $RATE/s to the daemon, portal idle"
start_daemon || exit 1
lossless_run "baseline"
BASE_TEXT=$LL_TEXT

# ---------------------------------------------------------------------------------------------
# 2. Latency and throughput.

JAR="$TMP/jar"
# login: the big subscriber's session (kept in the store, so it outlives a restart).
login() {
    rm -f "$JAR"
    csrf=$(curl -s -c "$JAR" "http://127.0.0.1:$WEB/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
    code=$(curl -s -b "$JAR" -c "$JAR" -o /dev/null -w '%{http_code}' --data-urlencode "csrf=$csrf" \
        --data-urlencode "username=$BIG_LOGIN" --data-urlencode "password=$PASSWORD" \
        "http://127.0.0.1:$WEB/login")
    SESSION=$(awk '$6 == "ft_session" { print $7 }' "$JAR")
    [ "$code" = 303 ] && [ -n "$SESSION" ] && return 0
    say "portal: login failed (status $code)"
    return 1
}
start_daemon || exit 1
login || exit 1
used=$(curl -s -b "$JAR" "http://127.0.0.1:$WEB/api/v1/usage" | sed -n 's/.*"used_bytes": *\([0-9]*\).*/\1/p')
say "   logged in as $BIG_LOGIN; /api/v1/usage says used_bytes=${used:-?} this cycle (anchor day $ANCHOR)"

cat >"$TMP/portal.lua" <<'LUA'
-- The session cookie on every request; each answer's status counted; a summary line.
wrk.headers["Cookie"] = "ft_session=" .. os.getenv("FT_SESSION")
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) s2 = 0; s3 = 0; sx = 0 end
function response(status, headers, body)
    if status >= 200 and status < 300 then s2 = s2 + 1
    elseif status >= 300 and status < 400 then s3 = s3 + 1
    else sx = sx + 1 end
end
function done(summary, latency, requests)
    local a, b, c = 0, 0, 0
    for _, t in ipairs(threads) do a = a + t:get("s2"); b = b + t:get("s3"); c = c + t:get("sx") end
    local e = summary.errors
    io.write(string.format("WRK requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d " ..
        "max_us=%d s2xx=%d s3xx=%d sother=%d err_connect=%d err_read=%d err_write=%d " ..
        "err_timeout=%d bytes=%d\n", summary.requests, summary.duration,
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
        a, b, c, e.connect, e.read, e.write, e.timeout, summary.bytes))
end
LUA

# one_request PATH: seconds of one request on an otherwise idle portal (median of 3, or the
# first alone when it took over 2 s).
one_request() {
    first=$(curl -s -b "$JAR" -o /dev/null -w '%{time_total}' --max-time 300 "http://127.0.0.1:$WEB$1")
    if awk -v s="${first:-0}" 'BEGIN { exit !(s > 2) }'; then
        echo "$first"
        return
    fi
    { echo "$first"; for i in 1 2; do
        curl -s -b "$JAR" -o /dev/null -w '%{time_total}\n' --max-time 300 "http://127.0.0.1:$WEB$1"
    done; } | sort -g | sed -n 2p
}

# wrk_field NAME: a number from $line, the Lua script's summary (0 when it printed none).
wrk_field() {
    v=$(echo "$line" | sed -n "s/.* $1=\([0-9]*\).*/\1/p")
    echo "${v:-0}"
}
# wrk_route PATH SECS: runs wrk; sets R_* from its summary line.
wrk_route() {
    f="$OUT/wrk$(echo "$1" | tr '/?=' '___').txt"
    FT_SESSION=$SESSION wrk -t "$WRK_THREADS" -c "$CONNS" -d "${2}s" --latency --timeout "${WRK_TIMEOUT}s" \
        -s "$TMP/portal.lua" "http://127.0.0.1:$WEB$1" >"$f" 2>&1
    line=$(grep '^WRK ' "$f" | sed 's/^WRK / /')
    R_requests=$(wrk_field requests) R_duration_us=$(wrk_field duration_us)
    R_p50_us=$(wrk_field p50_us) R_p99_us=$(wrk_field p99_us) R_s2xx=$(wrk_field s2xx)
    R_s3xx=$(wrk_field s3xx) R_sother=$(wrk_field sother) R_err_connect=$(wrk_field err_connect)
    R_err_read=$(wrk_field err_read) R_err_write=$(wrk_field err_write)
    R_err_timeout=$(wrk_field err_timeout)
    R_rps=$(awk -v n="$R_requests" -v d="$R_duration_us" 'BEGIN { if (d > 0) printf "%.1f", n / (d / 1e6); else print 0 }')
    R_bad=$((R_s3xx + R_sother))
    R_errs=$((R_err_connect + R_err_read + R_err_write + R_err_timeout))
    [ "$R_requests" -gt 0 ] || R_p50_us=-1 R_p99_us=-1
}

say ""
say "== portal: wrk -t $WRK_THREADS -c $CONNS -d ${SECS}s --latency, the big subscriber's session"
say "   ($(nproc) cores shared by wrk and the daemon)"
say "   (the daemon is restarted after each route: answers still being computed when wrk stops"
say "   would otherwise weigh on the next; nothing is being counted meanwhile, so SIGKILL)"
for route in / /api/v1/usage /cycles /devices; do
    one=$(one_request "$route")
    wrk_route "$route" "$SECS"
    kill -9 "$DPID"
    wait "$DPID" 2>/dev/null
    DPID=""
    [ "$route" = /devices ] || start_daemon || exit 1
    verdict=""
    ok=1
    [ "$R_bad" -eq 0 ] && [ "$R_errs" -eq 0 ] && [ "$R_requests" -gt 0 ] || ok=0
    if [ "$route" = / ] || [ "$route" = /api/v1/usage ]; then
        if [ "$ok" -eq 1 ] && [ "$R_p99_us" -lt $((TARGET_MS * 1000)) ]; then
            verdict="; target p99 < $TARGET_MS ms: PASS"
        else
            verdict="; target p99 < $TARGET_MS ms: FAIL"
        fi
    fi
    status="all $R_s2xx 2xx"
    [ "$R_bad" -eq 0 ] || status="$R_s2xx 2xx, $R_s3xx 3xx, $R_sother other (FAIL)"
    errs=""
    [ "$R_errs" -eq 0 ] || errs=", socket errors: connect $R_err_connect read $R_err_read write $R_err_write timeout (> ${WRK_TIMEOUT} s) $R_err_timeout"
    few=""
    [ "$R_requests" -lt $((CONNS * 4)) ] && few=" (percentiles of the answers that came within the run: each connection still waited for one at its end)"
    alone="one request alone $(awk -v s="${one:-0}" 'BEGIN { printf "%.1f ms", s * 1000 }')"
    if [ "$R_requests" -eq 0 ]; then
        text="no answer within the ${SECS} s run (p50 and p99 > ${SECS} s; the $WEB_THREADS web threads were each still on their first request$errs); $alone$verdict"
    else
        text="p50 $(ms "$R_p50_us"), p99 $(ms "$R_p99_us"), $R_rps requests/s ($R_requests in $(awk -v d="$R_duration_us" 'BEGIN { printf "%.1f", d / 1e6 }') s; $status$errs)$few; $alone$verdict"
    fi
    say "   $route: $text"
    case $route in
    /) label="GET / (this cycle's page)" ;;
    /api/v1/usage) label="GET /api/v1/usage (this cycle, JSON)" ;;
    /cycles) label="GET /cycles (the past 12 cycles)" ;;
    *) label="reference: GET /devices (the session, bindings and a lease; no usage read)" ;;
    esac
    row "$label, $CONNS connections: p50, p99, requests/s, statuses" "$text"
done

say ""
say "== portal: the stream while wrk loads / ($CONNS connections)"
start_daemon || exit 1
lossless_run "under load" /
line=$(grep '^WRK ' "$OUT/wrk_under_stream.txt" | sed 's/^WRK / /')
LOAD_TEXT="$LL_TEXT; wrk on / meanwhile: $(wrk_field requests) answers in $(awk -v d="$(wrk_field duration_us)" 'BEGIN { printf "%.1f", d / 1e6 }') s"
say "   wrk meanwhile:$line"

row "collector lossless and exact, stream alone (baseline)" "$BASE_TEXT"
row "collector lossless and exact while wrk loads / at $CONNS connections" "$LOAD_TEXT"
T_END=$(date +%s)
say "   portal part took $((T_END - T_START)) s"
row NOTE "Portal (tools/bench/portal.sh, $((T_END - T_START)) s): a SQLite store seeded through the store's add_usage in 300 s buckets as the collector writes them (3 classes, 5 applications, in and out): $BIG with $BIG_DAYS days (~$BIG_RPB rows a bucket; plan of 600 GB, cycle anchored on day $ANCHOR so this cycle is nearly a month) among $OTHERS subscribers with $OTHER_DAYS days (~$OTHER_RPB rows a bucket), every one bound to a host and with a customer login. \`flowtally run\` with web_threads $WEB_THREADS; wrk -t $WRK_THREADS -c $CONNS -d ${SECS}s --latency with $BIG's session cookie (a Lua script counts every status: any non-2xx fails the row); wrk, the daemon and the stream's sender share the machine's $(nproc) cores. The daemon is restarted between routes. Lossless: a v9 stream of $RECORDS records at $RATE/s over the $OTHERS other subscribers' hosts, with and without wrk on /; after SIGTERM every host's totals must have grown by exactly flowgen's, with no drop counted."
