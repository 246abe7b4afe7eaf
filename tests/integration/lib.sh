# Shared helpers for integration tests (sourced by each run.sh). Each test runs in its own
# temporary directory, starts real daemons on loopback with port 0 (reading the bound port
# back from what they print) and prints TAP. Nothing here sleeps for a fixed time: waits
# poll for a condition with a deadline.
set -u
BUILD=${BUILD:-build/asan}
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
FT="$ROOT/$BUILD/flowtally"
FLOWGEN="$ROOT/$BUILD/tools/flowgen"
PCAPGEN="$ROOT/$BUILD/tools/pcapgen"
TMP=$(mktemp -d /tmp/flowtally-test.XXXXXX)
TAP_N=0
TAP_FAILED=0
DAEMON_PID=""
trap 'cleanup' EXIT

cleanup() {
    [ -n "$DAEMON_PID" ] && kill -9 "$DAEMON_PID" 2>/dev/null
    [ "${FLOWTALLY_TEST_ENGINE:-}" = postgresql ] && pg_stop
    rm -rf "$TMP"
}

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_N - $1"; }
skip() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1 # SKIP $2"; }
done_testing() { echo "1..$TAP_N"; [ "$TAP_FAILED" -eq 0 ]; }

# The store engine: FLOWTALLY_TEST_ENGINE=postgresql runs the test on a database of a
# throwaway PostgreSQL server (tests/pg.sh, one per test script, stopped by cleanup) instead
# of "$TMP/flowtally.db"; unset, or anything else, means SQLite and changes nothing.
STORE_N=0
STORE_MADE=""
if [ "${FLOWTALLY_TEST_ENGINE:-}" = postgresql ]; then
    . "$ROOT/tests/pg.sh"
    if ! pg_start; then
        echo "1..0 # SKIP PostgreSQL: $PG_SKIP"
        exit 0
    fi
fi

# new_store: sets DB to a fresh, empty store (SQLite: "$TMP/flowtally.db" with any old file,
# -wal, -shm and -journal removed; PostgreSQL: a new database, DB=$PGURI). start_flowtally
# uses it.
new_store() {
    STORE_N=$((STORE_N + 1))
    STORE_MADE=1
    if [ "${FLOWTALLY_TEST_ENGINE:-}" = postgresql ]; then
        pg_newdb "store$STORE_N" || { echo "# pg_newdb store$STORE_N failed"; return 1; }
        DB=$PGURI
    else
        DB="$TMP/flowtally.db"
        rm -f "$DB" "$DB-wal" "$DB-shm" "$DB-journal"
    fi
}

# store_sql_cmd: the command (words, one per line) that runs one SQL statement given as its
# last argument on the current store and prints rows as text, one per line, columns split
# by '|': sqlite3 on SQLite, psql as the superuser on PostgreSQL. For tests that look into
# the store behind flowtally's back.
store_sql_cmd() {
    if [ "${FLOWTALLY_TEST_ENGINE:-}" = postgresql ]; then
        printf '%s\n' psql -X -q -A -t -h "$PG_DIR" -p "$PG_PORT" -U postgres -d "$PG_DB" -c
    else
        printf '%s\n' sqlite3 "$DB"
    fi
}

# store_sql SQL: runs SQL on the current store (see store_sql_cmd).
store_sql() {
    if [ "${FLOWTALLY_TEST_ENGINE:-}" = postgresql ]; then
        psql -X -q -A -t -h "$PG_DIR" -p "$PG_PORT" -U postgres -d "$PG_DB" -c "$1"
    else
        sqlite3 "$DB" "$1"
    fi
}

# check NAME FILE_GOT FILE_WANT: ok if identical, else not ok with a diff.
check_same() {
    if cmp -s "$2" "$3"; then
        ok "$1"
    else
        not_ok "$1"
        diff "$3" "$2" | head -20 | sed 's/^/#   /'
    fi
}

# check_eq NAME GOT WANT
check_eq() {
    if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', expected '$3'"; fi
}

# wait_for CMD...: polls a condition every 50 ms, for at most 20 s.
wait_for() {
    i=0
    while ! "$@" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 400 ] && return 1
        sleep 0.05
    done
}

# start_flowtally ARGS...: starts `flowtally run` on 127.0.0.1 port 0 with a fresh store
# in $TMP and sets DAEMON_PID and PORT. On PostgreSQL it uses the store new_store made last,
# or makes one.
start_flowtally() {
    if [ "${FLOWTALLY_TEST_ENGINE:-}" = postgresql ]; then
        [ -n "$STORE_MADE" ] || new_store || return 1
    else
        DB="$TMP/flowtally.db"
    fi
    # The last daemon's output must go first: the shell truncates these files in the child,
    # after fork, so a quick look could still find the old "listening" line and its port.
    rm -f "$TMP/daemon.out" "$TMP/daemon.err"
    "$FT" run --db "$DB" --netflow 127.0.0.1:0 --sflow 127.0.0.1:0 --web 127.0.0.1:0 --flush 1 "$@" >"$TMP/daemon.out" 2>"$TMP/daemon.err" &
    DAEMON_PID=$!
    if ! wait_for grep -q 'listening on udp' "$TMP/daemon.out"; then
        echo "# flowtally did not start:" && sed 's/^/#   /' "$TMP/daemon.err"
        return 1
    fi
    PORT=$(sed -n 's/.*listening on udp 127.0.0.1:\([0-9]*\) (NetFlow.*/\1/p' "$TMP/daemon.out")
    SFLOW_PORT=$(sed -n 's/.*listening on udp 127.0.0.1:\([0-9]*\) (sFlow.*/\1/p' "$TMP/daemon.out")
}

# web_port: the port of the portal the last start_flowtally started (it says so after the
# UDP ports). Prints it, or nothing when it did not come.
web_port() {
    wait_for grep -q 'web: listening on' "$TMP/daemon.out" || return 1
    sed -n 's|^web: listening on https*://127.0.0.1:\([0-9]*\)$|\1|p' "$TMP/daemon.out" | head -n 1
}

# stop_flowtally: SIGTERM, then the exit status must be 0 (a clean stop flushes everything).
stop_flowtally() {
    kill -TERM "$DAEMON_PID"
    wait "$DAEMON_PID"
    status=$?
    DAEMON_PID=""
    check_eq "flowtally stops cleanly on SIGTERM" "$status" 0
    if grep -q 'ERROR\|runtime error\|Sanitizer' "$TMP/daemon.err"; then
        not_ok "no sanitizer report" && sed 's/^/#   /' "$TMP/daemon.err" | head -30
    fi
}

# counter NAME [EXPORTER]: a collector counter's value out of `flowtally stats --counters`.
counter() {
    "$FT" stats --counters --db "$DB" --format csv |
        awk -F, -v n="$1" -v e="${2:-}" '$4 == n && (e == "" || $1 == e) { s += $5 } END { print s + 0 }'
}

# host_csv FILE: the report's contract columns, to compare with an expect file.
host_csv() {
    "$FT" report --db "$DB" --by host --format csv | cut -d, -f1-7 >"$1"
}
