#!/bin/sh
# The store failing the way it does on real machines, and not a byte lost or misbilled:
# - a stop while another process holds the SQLite write lock keeps retrying and writes
#   everything once the lock goes; with a short stop_timeout it gives up and says exactly
#   how much it could not store (the generator's totals);
# - a full disk (a small tmpfs, as root) during the stop, freed while it retries;
# - a file the collector cannot write is refused at start, with the path and the reason;
# - the database, its -wal and -shm removed while it runs: noticed, written back, nothing lost;
# - the class list of a start whose first flushes fail is stored with the usage when the
#   store comes back, and quotas count only the classes that count;
# - a store with usage in named classes but no class list: readers refuse to compute quotas;
# - log lines carry a timestamp, failures say what failed, recovery says how much waited.
. "$(dirname "$0")/../lib.sh"

LOCK_PID=""
cleanup() { # lib.sh's, plus what this test may leave: a lock holder, a mount
    touch "$TMP/release" 2>/dev/null
    [ -n "$DAEMON_PID" ] && kill -9 "$DAEMON_PID" 2>/dev/null
    umount "$TMP/fs" 2>/dev/null
    rm -rf "$TMP"
}
# hold_lock DB: another process takes the write lock and keeps it until release_lock
# (at most 60 s, so a failed test cannot leave it behind).
hold_lock() {
    rm -f "$TMP/release" "$TMP/locked"
    sqlite3 "$1" "BEGIN EXCLUSIVE;" ".shell touch $TMP/locked; i=0; while [ ! -f $TMP/release ] && [ \$i -lt 1200 ]; do sleep 0.05; i=\$((i+1)); done" "COMMIT;" >/dev/null 2>&1 &
    LOCK_PID=$!
    wait_for test -f "$TMP/locked"
}
release_lock() {
    touch "$TMP/release"
    wait "$LOCK_PID"
    LOCK_PID=""
}
# sum_csv FILE: bytes, packets, flows of a flowgen expect file, all directions.
sum_csv() {
    awk -F, 'FNR > 1 { b += $2 + $3; p += $4 + $5; f += $6 + $7 } END { printf "%.0f %.0f %.0f\n", b, p, f }' "$1"
}
logged() { grep -q "$1" "$TMP/daemon.err"; }

"$FLOWGEN" write --proto v9 --seed 31 --records 6000 --hosts 200 --out "$TMP/a.dgrams" \
    --expect "$TMP/a.csv" >/dev/null
"$FLOWGEN" write --proto ipfix --seed 32 --records 6000 --hosts 200 --local 10.9.0.0/16 \
    --out "$TMP/b.dgrams" --expect "$TMP/b.csv" >/dev/null
(sed 1d "$TMP/a.csv"; sed 1d "$TMP/b.csv") | sort >"$TMP/ab.csv"

# 1. A stop while the lock is held: the daemon keeps trying and stores everything.
start_flowtally || { not_ok start; done_testing; exit; }
"$FLOWGEN" send --in "$TMP/a.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
stored() { [ "$("$FT" report --db "$DB" --format csv | wc -l)" -gt 1 ]; }
wait_for stored # some of it stored before the lock: the stop must add, not replace
hold_lock "$DB"
"$FLOWGEN" send --in "$TMP/b.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
kill -TERM "$DAEMON_PID"
wait_for logged 'retrying for up to 60 s' || not_ok "the stop says it waits for the store"
release_lock
wait "$DAEMON_PID"
check_eq "a stop during a lock exits 0 once the store is back" "$?" 0
DAEMON_PID=""
host_csv "$TMP/got.csv"
sed 1d "$TMP/got.csv" | sort >"$TMP/got-sorted.csv"
check_same "and every host's totals are exact" "$TMP/got-sorted.csv" "$TMP/ab.csv"
if logged 'flush failed: database is locked'; then ok "the failure says what failed"; else not_ok "the failure says what failed"; fi
if logged 'store writable again after .* that waited'; then ok "the recovery says how much waited"; else not_ok "the recovery says how much waited"; fi
if logged 'cannot rollback'; then not_ok "no spurious rollback error"; else ok "no spurious rollback error"; fi
if grep -qv '^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]\.[0-9]\{3\}Z flowtally\[' "$TMP/daemon.err"; then
    not_ok "every log line starts with its UTC time" && head -3 "$TMP/daemon.err" | sed 's/^/#   /'
else
    ok "every log line starts with its UTC time"
fi
rm -f "$DB"*

# 2. The lock outlasts stop_timeout: exit 1, and the loss is said exactly. The lock is
# taken before any traffic, so everything sent is what is lost.
start_flowtally --stop-timeout 1 || { not_ok start; done_testing; exit; }
hold_lock "$DB"
"$FLOWGEN" send --in "$TMP/a.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
check_eq "a stop that gives up exits 1" "$?" 1
DAEMON_PID=""
release_lock
set -- $(sum_csv "$TMP/a.csv")
line=$(grep 'gave up after' "$TMP/daemon.err")
case $line in
*"keys, $1 bytes, $2 packets, $3 flow records could not be stored"*) ok "the loss is said to the byte" ;;
*) not_ok "the loss is said to the byte: '$line', expected $1 bytes, $2 packets, $3 flow records" ;;
esac
rm -f "$DB"*

# 3. A full disk during the stop, freed while the daemon retries (root: a 4 MB tmpfs).
mkdir -p "$TMP/fs"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=4m tmpfs "$TMP/fs" 2>/dev/null; then
    start_flowtally --db "$TMP/fs/full.db" || { not_ok start; done_testing; exit; }
    DB="$TMP/fs/full.db"
    dd if=/dev/zero of="$TMP/fs/filler" bs=64k 2>/dev/null # until the disk is full
    "$FLOWGEN" send --in "$TMP/b.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
    wait_for logged 'flush failed: database or disk is full'
    check_eq "a full disk is said as such" "$?" 0
    kill -TERM "$DAEMON_PID"
    wait_for logged 'retrying for up to'
    rm -f "$TMP/fs/filler"
    wait "$DAEMON_PID"
    check_eq "a stop on a full disk exits 0 once space is freed" "$?" 0
    DAEMON_PID=""
    host_csv "$TMP/got.csv"
    sed 1d "$TMP/b.csv" | sort >"$TMP/want.csv"
    sed 1d "$TMP/got.csv" | sort >"$TMP/got-sorted.csv"
    check_same "and every host's totals are exact" "$TMP/got-sorted.csv" "$TMP/want.csv"
    umount "$TMP/fs"
else
    skip "full disk" "needs root to mount a tmpfs"
fi
DB="$TMP/flowtally.db"

# 4. A file the collector cannot write: refused at start, with the path and the reason.
"$FT" plan add basic --db "$DB" >/dev/null
chmod 444 "$DB"
chmod 755 "$TMP"
as_user() { if [ "$(id -u)" = 0 ]; then setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; else "$@"; fi; }
cp "$FT" "$TMP/ft" # the build tree may be closed to other users
as_user "$TMP/ft" run --db "$DB" --netflow 127.0.0.1:0 --sflow "" >/dev/null 2>"$TMP/ro.err" </dev/null &
ro_pid=$!
i=0
while kill -0 $ro_pid 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
if kill -0 $ro_pid 2>/dev/null; then
    kill -9 $ro_pid
    not_ok "a read-only store is refused at start (it ran)"
else
    wait $ro_pid
    check_eq "a read-only store is refused at start" "$?" 1
fi
if grep -q "$DB: the file is read-only" "$TMP/ro.err"; then ok "naming the path and the reason"; else not_ok "naming the path and the reason: $(cat "$TMP/ro.err")"; fi
chmod 644 "$DB"
rm -f "$DB"*

# 5. The database removed while the daemon writes it: written back, nothing lost.
"$FT" plan add basic --quota 15GB --db "$DB" >/dev/null
"$FT" subscriber add alice --plan basic --db "$DB" >/dev/null
start_flowtally || { not_ok start; done_testing; exit; }
"$FLOWGEN" send --in "$TMP/a.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
wait_for stored
rm -f "$DB" "$DB-wal" "$DB-shm"
"$FLOWGEN" send --in "$TMP/b.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
wait_for logged 'was removed while flowtally was writing to it'
check_eq "a removed store is noticed" "$?" 0
stop_flowtally
host_csv "$TMP/got.csv"
sed 1d "$TMP/got.csv" | sort >"$TMP/got-sorted.csv"
check_same "written back with every host's totals exact" "$TMP/got-sorted.csv" "$TMP/ab.csv"
check_eq "with its plans and subscribers" "$("$FT" subscriber list --db "$DB" --format csv | sed 1d | cut -d, -f1,4)" "alice,basic"
rm -f "$DB"*

# 6. The class list of a start whose first flushes fail: stored with the usage.
export TZ=UTC
printf 'free 0 no free.txt\ninternational 2.00 yes default\n' >"$TMP/classes.conf"
printf '198.18.0.0/24\n' >"$TMP/free.txt"
"$FLOWGEN" write --proto ipfix --seed 41 --records 2000 --hosts 10 --start 1790000000 \
    --remote 198.18.0.0/24 --remotes 100 --out "$TMP/free.dgrams" --expect "$TMP/free.csv" >/dev/null
"$FLOWGEN" write --proto ipfix --seed 42 --records 2000 --hosts 10 --start 1790000000 \
    --remote 203.0.113.0/24 --remotes 100 --out "$TMP/paid.dgrams" --expect "$TMP/paid.csv" >/dev/null
"$FT" plan add metered --quota 100GB --db "$DB" >/dev/null
"$FT" subscriber add campus --plan metered --db "$DB" >/dev/null
"$FT" bind campus 10.0.0.0/8 --from 2026-09-01 --db "$DB" >/dev/null
start_flowtally --classes "$TMP/classes.conf" --flush 3 || { not_ok start; done_testing; exit; }
hold_lock "$DB" # before the first flush, 3 s after the start
"$FLOWGEN" send --in "$TMP/free.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
"$FLOWGEN" send --in "$TMP/paid.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
wait_for logged 'flush failed: database is locked'
release_lock
wait_for logged 'store writable again'
stop_flowtally
check_eq "the class list is stored once the store is back" \
    "$(sqlite3 "$DB" 'SELECT name, counts_toward_quota FROM classes ORDER BY name' | tr '\n' ' ')" \
    "free|0 international|1 "
paid=$(awk -F, 'FNR > 1 { s += $2 + $3 } END { printf "%.0f", s }' "$TMP/paid.csv")
check_eq "the quota counts the paid class only" \
    "$("$FT" usage campus --at 2026-09-25 --db "$DB" --format json | jq .used_bytes)" "$paid"

# 7. Usage in named classes but no class list: readers refuse to compute quotas.
sqlite3 "$DB" "DELETE FROM meta WHERE key = 'classes_stored_ms'; DELETE FROM classes;"
"$FT" usage campus --at 2026-09-25 --db "$DB" >/dev/null 2>"$TMP/err"
check_eq "usage refuses without the class list" "$?" 1
if grep -q 'not the class list it was counted with' "$TMP/err"; then ok "saying why"; else not_ok "saying why: $(cat "$TMP/err")"; fi
"$FT" report --over-quota --db "$DB" >/dev/null 2>&1
check_eq "so does --over-quota" "$?" 1
done_testing
