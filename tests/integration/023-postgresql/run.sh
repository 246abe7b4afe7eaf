#!/bin/sh
# The PostgreSQL store, against a server this test starts (tests/pg.sh). One scenario
# (plans, subscribers, bindings over time, classes and applications, NetFlow v5/v9 and
# IPFIX streams, one sampled) runs once on a SQLite file and once on PostgreSQL: every
# report, usage, stats and admin listing must be the same, byte for byte, and per-host
# totals must equal the generator's. Then: the schema version is SQLite's, and a newer one
# is refused; eight writers starting together on a new database all succeed; two
# collectors on one database (started together on a new one, counting the same keys) both
# count, exactly; a collector whose connection the server drops connects again and loses
# nothing; and the password in the URI appears in no output or log (a wrong one, a
# refused connection, --check-config, the daemon's own lines).
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pg.sh"
trap 'pg_stop; cleanup' EXIT

if ! pg_start; then
    skip "PostgreSQL store" "$PG_SKIP"
    done_testing
    exit 0
fi
export TZ=Asia/Kolkata # +05:30: local days and hours that are not whole UTC hours

mkdir -p "$TMP/etc"
cat >"$TMP/etc/classes.conf" <<'CLASSES'
# name        price_per_gb  quota  prefixes      window
free          0             no     free.txt
national      0.50          yes    national.txt
night         0             no     -             00:00-06:00
international 2.00          yes    default
CLASSES
printf '198.18.0.0/24\n' >"$TMP/etc/free.txt"
printf '198.18.0.0/15\n2001:db8:5::/48\n' >"$TMP/etc/national.txt"
printf 'DNS=53\nWEB=tcp:443|udp:443\nSSH=22\n' >"$TMP/etc/apps.conf"

gen() { # gen NAME PROTO SEED START REMOTE REMOTES PORT [ARGS...]
    n=$1 p=$2 s=$3 t=$4 r=$5 rs=$6 port=$7
    shift 7
    "$FLOWGEN" write --proto "$p" --seed "$s" --records 3000 --start "$t" --remote "$r" \
        --remotes "$rs" --remote-port "$port" "$@" --out "$TMP/$n.dgrams" \
        --expect "$TMP/$n.csv" >/dev/null
}
gen a v5 41 1790000000 198.18.0.0/24 250 53 --hosts 40                # free, DNS
gen b v9 42 1790003600 198.19.0.0/16 5000 443 --hosts 40              # national, WEB
gen c ipfix 43 1789956000 203.0.113.0/24 250 22 --hosts 40 --sampling 10 # night, SSH
gen d ipfix 44 1790050000 198.19.0.0/16 5000 443 --hosts 6 --local 10.0.0.0/29 --domain 2 # carol

has_records() { [ "$(records "$1")" = "$2" ]; }

# launch NAME DB ARGS...: starts a collector on 127.0.0.1 port 0 into DB, without waiting;
# it writes $TMP/NAME.out and $TMP/NAME.err and its pid is $PID_NAME.
launch() {
    name=$1 db=$2
    shift 2
    rm -f "$TMP/$name.out" "$TMP/$name.err" # a name used before must not show its old port
    "$FT" run --db "$db" --netflow 127.0.0.1:0 --sflow "" --web "" --flush 1 -v \
        --classes "$TMP/etc/classes.conf" --apps "$TMP/etc/apps.conf" "$@" \
        >"$TMP/$name.out" 2>"$TMP/$name.err" &
    eval "PID_$name=$!"
}

# listening NAME: waits for collector NAME to listen, then prints its NetFlow port.
listening() {
    if ! wait_for grep -q 'listening on udp' "$TMP/$1.out"; then
        echo "# flowtally $1 did not start:" && sed 's/^/#   /' "$TMP/$1.err"
        return 1
    fi
    sed -n 's/.*listening on udp 127.0.0.1:\([0-9]*\) (NetFlow.*/\1/p' "$TMP/$1.out"
}

# stop NAME: SIGTERM; the exit status must be 0 and the log free of sanitizer reports.
stop() {
    eval "pid=\$PID_$1"
    kill -TERM "$pid"
    wait "$pid"
    check_eq "$1: flowtally stops cleanly" "$?" 0
    if grep -q 'runtime error\|Sanitizer' "$TMP/$1.err"; then
        not_ok "$1: no sanitizer report" && sed 's/^/#   /' "$TMP/$1.err" | head -30
    fi
}

# totals CSV...: the generator's per-host totals of several streams, summed, sorted.
totals() {
    awk -F, 'FNR > 1 { for (i = 2; i <= 7; i++) t[$1, i] += $i; h[$1] = 1 }
        END { for (x in h) printf "%s,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f\n", x, t[x, 2], t[x, 3],
              t[x, 4], t[x, 5], t[x, 6], t[x, 7] }' "$@" | sort
}

# hosts DB: the stored per-host totals in the same form.
hosts() {
    "$FT" report --db "$1" --by host --format csv | sed 1d | cut -d, -f1-7 | sort
}

# records DB: flow records counted, over every exporter stream.
records() {
    "$FT" stats --counters --db "$1" --format csv | awk -F, '$4 == "records" { s += $5 } END { print s + 0 }'
}

# scenario DB DIR: the same commands and streams on DB, every output kept in DIR.
scenario() {
    db=$1 out=$2
    mkdir -p "$out"
    ft() { "$FT" "$@" --db "$db"; }
    {
        ft plan import "$ROOT/etc/plans.example"
        ft subscriber add alice --name "Alice Example" --email alice@example.org --plan basic
        ft subscriber add bob --plan pro
        ft plan add tiny --quota 1GB --price 5.00 --dirs in
        ft subscriber add carol --plan tiny
        ft subscriber add dave --plan nosuchplan
        ft bind alice 10.0.0.1 --from 1789990000 --to 1790001800
        ft bind bob 10.0.0.1 --from 1790001800
        ft bind carol 10.0.0.0/29 --from 1789900000
        ft bind carol 10.0.0.0/29 --from 1789950000
    } >"$out/admin.out" 2>"$out/admin.err"
    name=$(basename "$out")
    launch "$name" "$db"
    port=$(listening "$name") || return 1
    for s in a b c d; do
        "$FLOWGEN" send --in "$TMP/$s.dgrams" --to 127.0.0.1:$port --rate 100000 >/dev/null
    done
    stop "$name"
    ft report --by host --format csv >"$out/host.csv"
    ft report --by subscriber,class,app --format csv >"$out/sca.csv"
    ft report --by day --format csv >"$out/day.csv"
    ft report --by hour,subscriber --format json >"$out/hour.json"
    ft report --by subscriber --from 2026-09-21 --to 2026-09-22T06:00 --format csv >"$out/range.csv"
    ft report --over-quota --at 2026-09-25 --format csv >"$out/over.csv"
    ft usage alice --at 2026-09-25 --format json >"$out/usage-alice.json"
    ft usage carol --at 2026-09-25 --format json >"$out/usage-carol.json"
    ft stats --counters --format csv >"$out/stats.csv"
    ft stats --interfaces --format csv >"$out/interfaces.csv"
    ft plan list --format csv >"$out/plans.csv"
    ft subscriber list --format csv >"$out/subscribers.csv"
    ft subscriber show carol >"$out/carol.txt"
    ft subscriber remove carol >>"$out/admin.out" 2>>"$out/admin.err"
    ft report --by subscriber --format csv >"$out/removed.csv"
}

scenario "$TMP/store.db" "$TMP/sqlite"
scenario "$PGURI" "$TMP/pg"
for f in admin.out admin.err host.csv sca.csv day.csv hour.json range.csv over.csv \
    usage-alice.json usage-carol.json stats.csv interfaces.csv plans.csv subscribers.csv \
    carol.txt removed.csv; do
    check_same "PostgreSQL and SQLite agree: $f" "$TMP/pg/$f" "$TMP/sqlite/$f"
done
check_eq "the scenario has usage of every account" \
    "$(cut -d, -f1 "$TMP/pg/sca.csv" | sort -u | tr '\n' ' ')" "(unassigned) alice bob carol subscriber "
check_eq "and someone over quota" "$(sed 1d "$TMP/pg/over.csv" | cut -d, -f1,2)" "carol,tiny"
totals "$TMP"/[abcd].csv >"$TMP/want.csv"
hosts "$PGURI" >"$TMP/got.csv"
check_same "PostgreSQL: per-host totals equal the generator's" "$TMP/got.csv" "$TMP/want.csv"

# ---- the same schema version as SQLite; a newer one is refused, by readers and writers ----
pg_newdb newer
"$FT" plan list --db "$PGURI" >/dev/null 2>&1 # a writer makes the schema
V=$(psql -X -At -d "$PGURI" -c "SELECT version FROM schema_version")
if command -v sqlite3 >/dev/null 2>&1; then
    check_eq "the schema version is SQLite's" "$V" "$(sqlite3 "$TMP/store.db" 'SELECT version FROM schema_version')"
fi
pg_sql "UPDATE schema_version SET version = $((V + 1))" >/dev/null
"$FT" report --db "$PGURI" >"$TMP/newer.out" 2>"$TMP/newer.err"
check_eq "newer schema: a reader exits 1" "$?" 1
"$FT" plan add x --quota 1GB --db "$PGURI" >>"$TMP/newer.out" 2>>"$TMP/newer.err"
check_eq "newer schema: an admin command exits 1" "$?" 1
"$FT" run --db "$PGURI" --netflow 127.0.0.1:0 --sflow "" --web "" >>"$TMP/newer.out" 2>>"$TMP/newer.err"
check_eq "newer schema: the collector exits 1" "$?" 1
check_eq "newer schema: each says why" \
    "$(grep -c "schema version $((V + 1)) is newer than this flowtally ($V)" "$TMP/newer.err")" 3
check_eq "newer schema: untouched" \
    "$(psql -X -At -d "$PGURI" -c 'SELECT version, (SELECT count(*) FROM plans) FROM schema_version')" \
    "$((V + 1))|0"
"$FT" report --db "$PGURI?connect_timeout=x" >>"$TMP/newer.out" 2>>"$TMP/newer.err"
check_eq "a bad URI: exits 1" "$?" 1

# ---- eight writers starting together on a new database: one makes the schema ----
pg_newdb together
i=0
while [ $i -lt 8 ]; do
    ("$FT" plan add "p$i" --quota 1GB --db "$PGURI" >"$TMP/together.$i.out" 2>&1
        echo $? >"$TMP/together.$i.rc") &
    i=$((i + 1))
done
wait
check_eq "eight admin commands started together on a new database all succeed" \
    "$(cat "$TMP"/together.*.rc | tr -d '\n')" 00000000
check_eq "and all eight plans are there" "$("$FT" plan list --db "$PGURI" --format csv | sed 1d | wc -l)" 8

# ---- two collectors on one new database, started together, counting the same keys ----
"$FLOWGEN" write --proto v9 --seed 45 --records 100000 --hosts 2000 --start 1790000000 \
    --out "$TMP/e.dgrams" --expect "$TMP/e.csv" >/dev/null
pg_newdb two
launch A "$PGURI"
launch B "$PGURI"
if PORT_A=$(listening A) && PORT_B=$(listening B); then
    ok "two collectors start together on one new database"
    # the same stream into both at once: every key of a flush is written by both
    "$FLOWGEN" send --in "$TMP/e.dgrams" --to 127.0.0.1:$PORT_A --rate 100000 >/dev/null &
    SEND=$!
    "$FLOWGEN" send --in "$TMP/e.dgrams" --to 127.0.0.1:$PORT_B --rate 100000 >/dev/null
    wait $SEND
    "$FLOWGEN" send --in "$TMP/a.dgrams" --to 127.0.0.1:$PORT_A --rate 100000 >/dev/null
    stop A
    stop B
    totals "$TMP/e.csv" "$TMP/e.csv" "$TMP/a.csv" >"$TMP/want.csv"
    hosts "$PGURI" >"$TMP/got.csv"
    check_same "two collectors: per-host totals are the sum, exactly" "$TMP/got.csv" "$TMP/want.csv"
    check_eq "two collectors: records counted" "$(records "$PGURI")" 203000
    check_eq "two collectors: no flush failed" "$(cat "$TMP/A.err" "$TMP/B.err" | grep -c 'flush failed')" 0
else
    not_ok "two collectors start together on one new database"
fi

# ---- the server drops the collector's connection: it connects again, nothing is lost ----
pg_newdb dropped
launch C "$PGURI"
if PORT_C=$(listening C); then
    "$FLOWGEN" send --in "$TMP/a.dgrams" --to 127.0.0.1:$PORT_C --rate 100000 >/dev/null
    wait_for has_records "$PGURI" 3000 || not_ok "the first stream was stored"
    pg_sql "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
            WHERE datname = 'dropped' AND pid <> pg_backend_pid()" >/dev/null
    "$FLOWGEN" send --in "$TMP/b.dgrams" --to 127.0.0.1:$PORT_C --rate 100000 >/dev/null
    stop C
    totals "$TMP/a.csv" "$TMP/b.csv" >"$TMP/want.csv"
    hosts "$PGURI" >"$TMP/got.csv"
    check_same "a dropped connection: totals exact" "$TMP/got.csv" "$TMP/want.csv"
    if grep -q 'connection to the server was lost; connected again' "$TMP/C.err"; then
        ok "a dropped connection: connected again, and said so"
    else
        not_ok "a dropped connection: connected again, and said so" && sed 's/^/#   /' "$TMP/C.err"
    fi
else
    not_ok "a collector starts on a new database"
fi

# ---- the password is never printed ----
"$FT" run --db "$PGURI" --check-config >"$TMP/check-config.out" 2>&1
"$FT" report --db "postgresql://flowtally:$PG_PASSWORD@127.0.0.1:1/x" >"$TMP/refused.out" 2>&1
"$FT" report --db "postgresql://flowtally:$PG_PASSWORD@127.0.0.1:$PG_PORT/nosuchdb" \
    >>"$TMP/refused.out" 2>&1
"$FT" report --db "postgresql://flowtally:${PG_PASSWORD}x@127.0.0.1:$PG_PORT/flowtally" \
    >>"$TMP/refused.out" 2>&1
check_eq "a wrong password: refused, and masked" \
    "$(grep -c 'postgresql://flowtally:\*\*\*@127.0.0.1' "$TMP/refused.out")" 3
leaks=$(grep -rl -- "$PG_PASSWORD" "$TMP" | sed "s|^$TMP/||" | sort | tr '\n' ' ')
if [ -z "$leaks" ]; then
    ok "the password appears in no output or log"
else
    not_ok "the password appears in no output or log: in $leaks"
    grep -rh -- "$PG_PASSWORD" "$TMP" | sed "s/$PG_PASSWORD/<PASSWORD>/g; s/^/#   /" | sort -u | head
fi
[ -n "${KEEP:-}" ] && cp -r "$TMP" "$KEEP"
done_testing
