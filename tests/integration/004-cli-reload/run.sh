#!/bin/sh
# The command-line contract: config errors name file:line and exit non-zero; SIGHUP reloads
# local_nets without a restart and without losing counts; report formats agree (table, CSV,
# JSON) and --from/--to bound the period.
. "$(dirname "$0")/../lib.sh"

printf 'db = x.db\nbucket = 300\nflush = nope\n' >"$TMP/bad.conf"
"$FT" run -c "$TMP/bad.conf" >/dev/null 2>"$TMP/err"
check_eq "bad config exits with status 2" "$?" 2
if grep -q "bad.conf:3: flush = 'nope'" "$TMP/err"; then ok "bad config error names file:line"; else
    not_ok "bad config error names file:line" && sed 's/^/#   /' "$TMP/err"; fi
(cd "$TMP" && "$FT" run --check-config) >"$TMP/dump.conf"
check_same "etc/flowtally.conf is the documented default configuration" "$TMP/dump.conf" "$ROOT/etc/flowtally.conf"
"$FT" report --db "$TMP/missing.db" >/dev/null 2>"$TMP/err"
check_eq "report on a missing store exits 1" "$?" 1
"$FT" report --db x --frm 1 >/dev/null 2>&1
check_eq "unknown report option exits 2" "$?" 2

"$FLOWGEN" write --proto v9 --seed 11 --records 3000 --hosts 40 --local 10.0.0.0/8 \
    --out "$TMP/a.dgrams" --expect "$TMP/a.csv" >/dev/null
"$FLOWGEN" write --proto ipfix --seed 12 --records 3000 --hosts 40 --local 172.16.0.0/12 \
    --remote 203.0.113.0/24 --remotes 200 --out "$TMP/b.dgrams" --expect "$TMP/b.csv" >/dev/null

printf 'local_nets = 10.0.0.0/8\n' >"$TMP/ft.conf"
start_flowtally -c "$TMP/ft.conf" || { not_ok start; done_testing; exit; }
"$FLOWGEN" send --in "$TMP/a.dgrams" --to 127.0.0.1:$PORT --rate 50000 >/dev/null
printf 'local_nets = 10.0.0.0/8, 172.16.0.0/12\n' >"$TMP/ft.conf"
kill -HUP $DAEMON_PID
wait_for grep -q 'reloaded' "$TMP/daemon.err"
"$FLOWGEN" send --in "$TMP/b.dgrams" --to 127.0.0.1:$PORT --rate 50000 >/dev/null
stop_flowtally

"$FT" report --db "$DB" --by host --format csv | cut -d, -f1-7 >"$TMP/all.csv"
grep '^10\.' "$TMP/all.csv" >"$TMP/got-a.csv"
grep '^172\.' "$TMP/all.csv" >"$TMP/got-b.csv"
sed 1d "$TMP/a.csv" >"$TMP/want-a.csv"
sed 1d "$TMP/b.csv" >"$TMP/want-b.csv"
check_same "before the reload: 10/8 hosts exact" "$TMP/got-a.csv" "$TMP/want-a.csv"
check_same "after SIGHUP: 172.16/12 hosts are local and exact" "$TMP/got-b.csv" "$TMP/want-b.csv"

csv_sum=$("$FT" report --db "$DB" --by host --format csv | awk -F, 'NR > 1 { s += $2 + $3 } END { printf "%.0f\n", s }')
json_sum=$("$FT" report --db "$DB" --by host --format json | jq '[.rows[] | .bytes_in + .bytes_out] | add')
check_eq "JSON and CSV agree" "$json_sum" "$csv_sum"
rows=$("$FT" report --db "$DB" --by host | grep -c '^10\.')
check_eq "table lists every 10/8 host" "$rows" 40
none=$("$FT" report --db "$DB" --by host --format csv --from 2030-01-01 | wc -l)
check_eq "--from after the data: header only" "$none" 1
none=$("$FT" report --db "$DB" --by host --format csv --to 2020-01-01T00:00 | wc -l)
check_eq "--to before the data: header only" "$none" 1
some=$("$FT" report --db "$DB" --by host --format csv --from 2026-09-01 --to 2026-10-01 | wc -l)
check_eq "a period around the data keeps every row" "$some" "$(wc -l <"$TMP/all.csv")"

# A store of schema version 1 (per-host rows only) migrates forward, keeping its rows.
sqlite3 "$TMP/v1.db" "CREATE TABLE schema_version (version INTEGER NOT NULL);
    INSERT INTO schema_version VALUES (1);
    CREATE TABLE usage_host (bucket INTEGER NOT NULL, host TEXT NOT NULL, dir TEXT NOT NULL,
        bytes INTEGER NOT NULL, packets INTEGER NOT NULL, flows INTEGER NOT NULL,
        PRIMARY KEY (bucket, host, dir)) WITHOUT ROWID;
    CREATE TABLE collector_stats (exporter TEXT NOT NULL, version INTEGER NOT NULL,
        domain INTEGER NOT NULL, counter TEXT NOT NULL, value INTEGER NOT NULL,
        PRIMARY KEY (exporter, version, domain, counter)) WITHOUT ROWID;
    INSERT INTO usage_host VALUES (1790000100, '10.0.0.7', 'in', 5000, 5, 1),
        (1790000400, '10.0.0.7', 'in', 7000, 7, 2), (1790000100, '10.0.0.7', 'out', 300, 3, 1);"
"$FT" report --db "$TMP/v1.db" >/dev/null 2>"$TMP/err"
check_eq "a reader refuses an old schema" "$?" 1
if grep -q 'schema version 1' "$TMP/err"; then ok "and says which version"; else not_ok "and says which version"; fi
start_flowtally --db "$TMP/v1.db" && DB="$TMP/v1.db" && stop_flowtally
check_eq "migrated rows kept" "$("$FT" report --db "$TMP/v1.db" --format csv | sed -n 2p | cut -d, -f1-7)" \
    "10.0.0.7,12000,300,12,3,3,1"
check_eq "migrated rows are unassigned, default class" \
    "$("$FT" report --db "$TMP/v1.db" --by subscriber,class,app --format csv | sed -n 2p | cut -d, -f1-4)" \
    "(unassigned),default,other,12000"
done_testing
