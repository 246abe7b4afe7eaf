#!/bin/sh
# The store's conformance suite on every engine, and the schema cases a test that sees only
# store.h cannot set up:
# - the conformance suite, tests/unit/store/test_conformance_*.c, one binary per area (every
#   operation of struct store_ops, exact results written out by hand), on SQLite, then on a
#   PostgreSQL server tests/pg.sh starts (FLOWTALLY_TEST_DB_URI); one TAP line per binary
#   and engine, the failures as comments;
# - a SQLite store of every older schema version (built with the sqlite3 CLI from the SQL of
#   src/store/migrate_sqlite.c's migrations 1..V), with rows in every table it has, migrated
#   by an admin command: every row is there, with the values written here (and what
#   migration 9 adds: subscribers' alert levels empty, the portal's tables empty, their
#   foreign keys removing a subscriber's logins and sessions with it; and migration 10:
#   plans made again with their ids, each subscriber's plan history started, the billing
#   tables empty (a version 10 store's rows kept), every foreign key holding; and migration
#   11: plans' alert levels empty, the alert, mail and enforcement tables empty, a removed
#   subscriber's enforcement row going with it and its alerts staying; and migration 12: the
#   password reset links empty, a removed subscriber's user's link going with it; and
#   migration 13: exporter_seen empty; and migration 14: a version 13 store's exporter_seen
#   rows kept, their bytes 0);
# - a store whose schema is newer than the binary's, on SQLite and on PostgreSQL: refused by
#   writers (admin commands, `flowtally run`) and readers, untouched.
# PostgreSQL parts report SKIP when tests/pg.sh or PostgreSQL is missing.
. "$(dirname "$0")/../lib.sh"

PG_UP=""
trap 'if command -v pg_stop >/dev/null 2>&1; then pg_stop; fi; cleanup' EXIT
# The suite's binaries, named after its sources (one not built is a failure, not a gap).
SUITES=""
for src in "$ROOT"/tests/unit/store/test_conformance_*.c; do
    SUITES="$SUITES $(basename "$src" .c)"
done

# suite_result NAME ENGINE FILE STATUS: one TAP line for ENGINE's cases in the output FILE
# of the suite's binary NAME; a failing case shows with its diagnostics, and lines that are
# not TAP (a sanitizer report) are shown whatever the engine. The TODO notes are passed on
# as comments.
suite_result() {
    name=$1 engine=$2 out=$3 status=$4
    n_ok=$(grep -c "^ok [0-9]* - $engine: " "$out")
    n_fail=$(grep -c "^not ok [0-9]* - $engine: " "$out")
    grep "^# TODO $engine:" "$out"
    if [ "$status" -eq 0 ] && [ "$n_fail" -eq 0 ] && [ "$n_ok" -gt 0 ]; then
        ok "$name on $engine: $n_ok cases"
        return
    fi
    not_ok "$name on $engine: $n_fail of $((n_ok + n_fail)) cases failed (exit $status)"
    awk -v e="$engine" '
        /^#   / { diag = diag $0 "\n"; next }
        /^# TODO / || /^1\.\./ { next }
        /^(not )?ok / {
            if ($0 ~ "^not ok [0-9]+ - " e ": ") printf "%s#   %s\n", diag, $0
            diag = ""; next
        }
        { print "#   " $0 }' "$out" | sed 's/^#   #   /#     /' | head -80
}

# run_suites ENGINE [URI]: every binary of the suite on ENGINE (PostgreSQL: at URI).
run_suites() {
    for name in $SUITES; do
        bin="$ROOT/$BUILD/tests/unit/store/$name"
        out="$TMP/$name-$1.out"
        if [ ! -x "$bin" ]; then
            not_ok "$name on $1: the binary is built ($bin)"
        elif [ -n "${2:-}" ]; then
            FLOWTALLY_TEST_DB_URI=$2 "$bin" >"$out" 2>&1
            suite_result "$name" "$1" "$out" $?
        else
            (unset FLOWTALLY_TEST_DB_URI; "$bin") >"$out" 2>&1
            suite_result "$name" "$1" "$out" $?
        fi
    done
}

# ---- 1. the suite, engine by engine ----

run_suites sqlite

pg_why=""
if [ ! -f "$ROOT/tests/pg.sh" ]; then
    pg_why="tests/pg.sh is missing"
else
    . "$ROOT/tests/pg.sh"
    if pg_start; then
        PG_UP=1
    else
        pg_why=$PG_SKIP
    fi
fi
if [ -z "$PG_UP" ]; then
    skip "conformance suite on postgresql" "$pg_why"
else
    run_suites postgresql "$PGURI"
fi

# ---- 2. every older SQLite schema, with rows, migrated ----

# The migrations' SQL, one file each ($TMP/migration-N.sql), out of the C source: the
# string literals of the migrations[] array, joined, split at the commas between them.
# Prints how many there are (the binary's schema version).
split_migrations() {
    python3 - "$ROOT/src/store/migrate_sqlite.c" "$TMP" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
body = src[src.index("migrations[] = {") + len("migrations[] = {"):]
body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "'": "'"}
out, cur, i = [], "", 0
while body[i] != "}":
    c = body[i]
    if c == '"':
        i += 1
        while body[i] != '"':
            if body[i] == "\\":
                cur += escapes[body[i + 1]]
                i += 2
            else:
                cur += body[i]
                i += 1
    elif c == ",":
        out.append(cur)
        cur = ""
    i += 1
if cur.strip():
    out.append(cur)
for n, sql in enumerate(out, 1):
    open("%s/migration-%d.sql" % (sys.argv[2], n), "w").write(sql + "\n")
print(len(out))
PY
}

# rows V: SQL that fills every table a store of schema version V has.
rows() {
    v=$1
    echo "INSERT INTO collector_stats VALUES ('192.0.2.1', 9, 3, 'records', 40), ('*', 0, 0, 'flows', 7);"
    if [ "$v" -eq 1 ]; then
        cat <<'SQL'
INSERT INTO usage_host VALUES (1728000300, '10.0.0.1', 'in', 1000, 10, 1),
  (1728000300, '10.0.0.1', 'out', 200, 2, 1), (1728003600, '10.0.0.2', 'in', 30, 3, 1),
  (1728003600, '2001:db8::1', 'transit', 9, 1, 1);
SQL
        return
    fi
    cat <<'SQL'
INSERT INTO plans (id, name, quota_bytes, quota_dirs, price_micro, overage_micro_per_gb, speed,
  anchor_day) VALUES (1, 'basic', 100000000000, 'both', 25000000, 1000000, '10/2 Mbps', 5),
  (2, 'unlim', NULL, 'in', 60000000, 0, '', 1);
INSERT INTO subscribers (id, account, name, email, plan_id, status, notes) VALUES
  (1, 'alice', 'Alice A', 'alice@example.org', 1, 'active', 'tower 3'),
  (2, 'bob', 'Bob B', '', 2, 'suspended', '');
INSERT INTO bindings (subscriber_id, kind, value, start_ms, end_ms, source, session) VALUES
  (1, 'prefix', '10.0.0.1/32', 1000000, NULL, 'static', NULL),
  (2, 'prefix', '10.0.0.2/32', 1000000, 2000000, 'radius', 'S-1');
INSERT INTO leases VALUES ('10.0.0.3', 'aa:bb:cc:dd:ee:01', 1000000, 2000000);
INSERT INTO usage VALUES (1728000300, 1, '10.0.0.1', 'in', 'default', 'web', 1000, 10, 1),
  (1728000300, 1, '10.0.0.1', 'out', 'default', 'web', 200, 2, 1),
  (1728003600, 2, '10.0.0.2', 'in', 'default', 'other', 30, 3, 1),
  (1728003600, 0, '2001:db8::1', 'transit', 'default', 'other', 9, 1, 1);
SQL
    # from version 6 on, a daemon that stores a class list marks it stored (replacing the
    # mark migration 6 itself leaves in a store without classes)
    [ "$v" -ge 6 ] &&
        echo "INSERT OR REPLACE INTO meta VALUES ('classes_stored_ms', 1790000000000);"
    [ "$v" -ge 3 ] && cat <<'SQL'
INSERT INTO classes (name, price_micro_per_gb, counts_toward_quota) VALUES ('default', 0, 1), ('night', 0, 0);
INSERT INTO usage VALUES (1728003600, 1, '10.0.0.1', 'in', 'night', 'web', 7, 1, 1);
SQL
    [ "$v" -ge 4 ] &&
        echo "INSERT INTO log_positions VALUES ('/var/log/squid/access.log', 1234, 5678);"
    [ "$v" -ge 13 ] && echo "INSERT INTO exporter_seen (exporter, at_ms, interval_ms, packets,
  records, lost, lost_datagrams, dropped) VALUES ('192.0.2.1', 1790000000000, 5000, 3, 30, 1, 0, 0);"
    [ "$v" -ge 5 ] &&
        echo "INSERT INTO interfaces VALUES ('192.0.2.1', 2, 1790000000000, 100000000, 3, 10, 20, 1, 2, 3, 4);"
    # from version 10 on, saving a subscriber starts its plan history; and bills: a top-up
    # and an issued invoice of alice's, with its line and settled usage
    [ "$v" -ge 10 ] && cat <<'SQL'
INSERT INTO plan_history VALUES (1, 1, 0), (2, 2, 0);
INSERT INTO topups (subscriber_id, at_ms, bytes, price_micro)
  VALUES (1, 1789000000000, 10000000000, 5000000);
INSERT INTO invoices (kind, number, refers_to, subscriber_id, account, name, plan, cycle,
  cycle_start_ms, cycle_end_ms, used_bytes, quota_bytes, unlimited, subtotal_cents, tax_cents,
  total_cents, tax_rate_micro, currency, unit, issued_ms) VALUES ('invoice', 1, NULL, 1, 'alice',
  'Alice A', 'basic', '2026-09', 1788220800000, 1790812800000, 1000, 100000000000, 0, 2500, 203,
  2703, 8100000, 'CHF', 'GB', 1790816400000);
INSERT INTO invoice_lines
  VALUES (1, 1, 'plan', '', '2026-09', 0, '1', 25000000, 2500, 'Plan basic');
INSERT INTO invoice_usage VALUES (1, '2026-09', 'default', 1000);
SQL
    return 0
}

# old_store V FILE [EXTRA_SQL]: a store of schema version V, as an older flowtally left it.
old_store() {
    {
        echo "BEGIN;"
        i=1
        while [ $i -le "$1" ]; do
            cat "$TMP/migration-$i.sql"
            i=$((i + 1))
        done
        echo "UPDATE schema_version SET version = $1;"
        rows "$1"
        echo "${3:-}"
        echo "COMMIT;"
    } | sqlite3 "$2"
}

# The values written above, as the commands print them after the migration (by hand).
STATS_WANT='exporter,version,domain,counter,value
*,0,0,flows,7
192.0.2.1,9,3,records,40'
PLANS_WANT='name,quota_bytes,quota_dirs,price,overage_per_gb,anchor_day,speed,burstable,commit_bps,price_per_mbps,burst_dirs
basic,100000000000,both,25.00,1.00,5,"10/2 Mbps",0,,,
unlim,,in,60.00,0.00,1,"",0,,,'
SUBSCRIBERS_WANT='account,name,email,plan,status
alice,"Alice A",alice@example.org,basic,active
bob,"Bob B",,unlim,suspended'
REPORT_HEAD='subscriber,host,class,app,bytes_in,bytes_out,packets_in,packets_out,flows_in,flows_out,bytes_internal,packets_internal,flows_internal,bytes_transit,packets_transit,flows_transit'

# report_want V: `report --by subscriber,host,class,app` of the rows of version V.
report_want() {
    echo "$REPORT_HEAD"
    if [ "$1" -eq 1 ]; then # version 1's rows: unassigned, class default, application other
        echo "(unassigned),10.0.0.1,default,other,1000,200,10,2,1,1,0,0,0,0,0,0"
        echo "(unassigned),10.0.0.2,default,other,30,0,3,0,1,0,0,0,0,0,0,0"
        echo "(unassigned),2001:db8::1,default,other,0,0,0,0,0,0,0,0,0,9,1,1"
        return
    fi
    echo "(unassigned),2001:db8::1,default,other,0,0,0,0,0,0,0,0,0,9,1,1"
    echo "alice,10.0.0.1,default,web,1000,200,10,2,1,1,0,0,0,0,0,0"
    [ "$1" -ge 3 ] && echo "alice,10.0.0.1,night,web,7,0,1,0,1,0,0,0,0,0,0,0"
    echo "bob,10.0.0.2,default,other,30,0,3,0,1,0,0,0,0,0,0,0"
}

# same NAME GOT WANT: check_same on two texts.
same() {
    printf '%s\n' "$2" >"$TMP/got"
    printf '%s\n' "$3" >"$TMP/want"
    check_same "$1" "$TMP/got" "$TMP/want"
}

if ! command -v python3 >/dev/null 2>&1 || ! command -v sqlite3 >/dev/null 2>&1; then
    skip "older SQLite schemas migrated" "python3 and the sqlite3 CLI are needed"
    N=""
else
    N=$(split_migrations)
fi

v=1
while [ -n "$N" ] && [ $v -lt "$N" ]; do
    db="$TMP/v$v.db"
    old_store $v "$db"
    # an admin command is a writer: it migrates
    "$FT" plan list --db "$db" --format csv >"$TMP/v$v.plans" 2>"$TMP/v$v.err"
    check_eq "version $v: an admin command migrates it" "$?" 0
    check_eq "version $v: now at schema version $N" \
        "$(sqlite3 "$db" 'SELECT version FROM schema_version')" "$N"
    same "version $v: report by subscriber, host, class, app" \
        "$("$FT" report --db "$db" --by subscriber,host,class,app --format csv 2>&1)" \
        "$(report_want $v)"
    same "version $v: stats" "$("$FT" stats --counters --db "$db" --format csv 2>&1)" "$STATS_WANT"
    if [ $v -eq 1 ]; then
        same "version 1: no plans" "$(cat "$TMP/v1.plans")" \
            'name,quota_bytes,quota_dirs,price,overage_per_gb,anchor_day,speed,burstable,commit_bps,price_per_mbps,burst_dirs'
        v=$((v + 1))
        continue
    fi
    same "version $v: plans" "$(cat "$TMP/v$v.plans")" "$PLANS_WANT"
    same "version $v: subscribers" \
        "$("$FT" subscriber list --db "$db" --format csv 2>&1)" "$SUBSCRIBERS_WANT"
    same "version $v: bindings" "$(sqlite3 -separator ' ' "$db" "SELECT s.account, b.kind,
        b.value, b.start_ms, coalesce(b.end_ms, '-'), b.source, coalesce(b.session, '-')
        FROM bindings b JOIN subscribers s ON s.id = b.subscriber_id ORDER BY b.value")" \
        "alice prefix 10.0.0.1/32 1000000 - static -
bob prefix 10.0.0.2/32 1000000 2000000 radius S-1"
    same "version $v: leases" "$(sqlite3 -separator ' ' "$db" 'SELECT * FROM leases')" \
        "10.0.0.3 aa:bb:cc:dd:ee:01 1000000 2000000"
    # migration 10: plans made again with their ids and values, the billing fields at
    # their defaults, anchor days up to 31; each subscriber's plan history started with the
    # plan held, from the beginning; the billing tables there, empty; and every foreign key
    # holds, the subscribers' to the new plans table too
    same "version $v: plans' ids and billing fields" "$(sqlite3 -separator ' ' "$db" "SELECT id,
        name, anchor_day, burstable, commit_bps, price_micro_per_mbps, '[' || burst_dirs || ']'
        FROM plans ORDER BY id")" "1 basic 5 0 0 0 []
2 unlim 1 0 0 0 []"
    same "version $v: plan history" "$(sqlite3 -separator ' ' "$db" "SELECT s.account,
        coalesce(p.name, '-'), h.start_ms FROM plan_history h
        JOIN subscribers s ON s.id = h.subscriber_id LEFT JOIN plans p ON p.id = h.plan_id
        ORDER BY s.account")" "alice basic 0
bob unlim 0"
    docs_want="0|0|0|0" # none before version 10; then what rows wrote
    [ $v -ge 10 ] && docs_want="1|1 alice 2703|1|1"
    same "version $v: top-ups and documents" "$(sqlite3 "$db" "SELECT (SELECT count(*) FROM
        topups), (SELECT coalesce(group_concat(number || ' ' || account || ' ' ||
        total_cents), 0) FROM invoices), (SELECT count(*) FROM invoice_lines),
        (SELECT count(*) FROM invoice_usage)")" "$docs_want"
    same "version $v: foreign keys hold" "$(sqlite3 "$db" 'PRAGMA foreign_key_check')" ""
    if ! sqlite3 "$db" "PRAGMA foreign_keys = ON; DELETE FROM plans WHERE name = 'basic'" \
        2>"$TMP/v$v.err" && grep -q 'FOREIGN KEY constraint failed' "$TMP/v$v.err"; then
        ok "version $v: a plan a subscriber holds cannot be deleted"
    else
        not_ok "version $v: a plan a subscriber holds cannot be deleted: $(cat "$TMP/v$v.err")"
    fi
    sqlite3 "$db" "UPDATE plans SET anchor_day = 31 WHERE name = 'unlim'" 2>"$TMP/v$v.err"
    check_eq "version $v: anchor day 31 taken" "$?" 0
    if ! sqlite3 "$db" "UPDATE plans SET anchor_day = 32 WHERE name = 'unlim'" \
        2>"$TMP/v$v.err" && grep -q 'CHECK constraint failed' "$TMP/v$v.err"; then
        ok "version $v: anchor day 32 refused"
    else
        not_ok "version $v: anchor day 32 refused: $(cat "$TMP/v$v.err")"
    fi
    sqlite3 "$db" "UPDATE plans SET anchor_day = 1 WHERE name = 'unlim'"
    # migration 6: classes kept as current; the marker that a class list is there
    classes_want=""
    [ $v -ge 3 ] && classes_want="default 0 1 1
night 0 0 1"
    same "version $v: classes" "$(sqlite3 -separator ' ' "$db" 'SELECT name,
        price_micro_per_gb, counts_toward_quota, current FROM classes ORDER BY name')" \
        "$classes_want"
    if [ $v -ge 4 ]; then
        same "version $v: log positions" \
            "$(sqlite3 -separator ' ' "$db" 'SELECT * FROM log_positions')" \
            "/var/log/squid/access.log 1234 5678"
    fi
    if [ $v -ge 5 ]; then
        same "version $v: interfaces" "$("$FT" stats --db "$db" --interfaces --format csv 2>&1)" \
            'agent,if_index,time,speed_bps,oper,in_octets,out_octets,in_errors,out_errors,in_discards,out_discards
192.0.2.1,2,1790000000,100000000,up,10,20,1,2,3,4'
    fi
    # migration 9: every subscriber's alert levels empty; the portal's tables there, empty
    same "version $v: alert levels" "$(sqlite3 -separator ' ' "$db" "SELECT account,
        '[' || alert_levels || ']' FROM subscribers ORDER BY account")" "alice []
bob []"
    same "version $v: users, sessions, failed logins" "$(sqlite3 "$db" "SELECT
        (SELECT count(*) FROM users), (SELECT count(*) FROM sessions),
        (SELECT count(*) FROM login_failures)")" "0|0|0"
    # migration 11: every plan's own alert levels empty; alerts, mail and enforcement there,
    # empty
    same "version $v: plans' alert levels" "$(sqlite3 -separator ' ' "$db" "SELECT name,
        '[' || alert_levels || ']' FROM plans ORDER BY name")" "basic []
unlim []"
    same "version $v: alerts, mail, enforcement" "$(sqlite3 "$db" "SELECT
        (SELECT count(*) FROM alerts), (SELECT count(*) FROM mail),
        (SELECT count(*) FROM enforcement)")" "0|0|0"
    same "version $v: password reset links (migration 12), empty" "$(sqlite3 "$db" "SELECT
        count(*) FROM password_resets")" "0"
    # migration 13: what flushes saw of exporters, empty (the totals stay in collector_stats);
    # migration 14: a version 13 store's rows kept, with no bytes
    if [ $v -lt 13 ]; then
        same "version $v: exporter_seen (migration 13), empty" "$(sqlite3 "$db" "SELECT
            count(*) FROM exporter_seen")" "0"
    else
        same "version $v: exporter_seen's rows kept, bytes 0 (migration 14)" "$(sqlite3 "$db" \
            "SELECT exporter, at_ms, records, lost, bytes FROM exporter_seen")" \
            "192.0.2.1|1790000000000|30|1|0"
    fi
    # ... and their foreign keys hold in the migrated file: removing bob (by a command, as
    # any writer) removes his login and its session, not the staff's
    sqlite3 "$db" "INSERT INTO users (login, role, subscriber_id, created_ms) VALUES
        ('bob@example.org', 'customer', 2, 1790000000000), ('ops', 'staff', NULL, 1790000000000);
        INSERT INTO sessions SELECT login || '-hash', id, 'csrf', 1790000000000, 1790000000000
        FROM users;
        INSERT INTO password_resets SELECT login || '-reset', id, 1790000000000, 1790003600000, 0
        FROM users;
        INSERT INTO enforcement VALUES (2, 'over', '10.0.0.2/32', 1, 1, 1790000000000,
        1790000000000, ''), (1, 'under', '10.0.0.1/32', 1, 0, 1790000000000, 1790000000000, '');
        INSERT INTO alerts (subscriber_id, cycle, cycle_start_ms, level, used_bytes,
        quota_bytes, fired_ms) VALUES (2, '2026-09', 1788220800000, '80%', 5, 4, 1790000000000);"
    "$FT" subscriber remove bob --db "$db" >/dev/null 2>"$TMP/v$v.err"
    check_eq "version $v: a subscriber removed after the migration" "$?" 0
    same "version $v: his plan history went with him" "$(sqlite3 "$db" "SELECT
        count(*) FROM plan_history WHERE subscriber_id = 2")" "0"
    same "version $v: his login and its session went with him" "$(sqlite3 -separator ' ' "$db" \
        "SELECT u.login, u.role, s.id_hash FROM users u JOIN sessions s ON s.user_id = u.id
        UNION ALL SELECT count(*), '', '' FROM sessions")" "ops staff ops-hash
1  "
    same "version $v: his reset link went with him" "$(sqlite3 "$db" "SELECT token_hash
        FROM password_resets")" "ops-reset"
    same "version $v: his enforcement row went with him, his alert stays" "$(sqlite3 \
        -separator ' ' "$db" "SELECT 'enforcement', subscriber_id, state FROM enforcement
        UNION ALL SELECT 'alert', subscriber_id, level FROM alerts")" "enforcement 1 under
alert 2 80%"
    "$FT" subscriber add bob --plan unlim --status suspended --name "Bob B" --db "$db" \
        >/dev/null 2>"$TMP/v$v.err"
    check_eq "version $v: bob again (a new id), for what follows" "$?" 0
    # the migrated store takes writes and quota reads
    "$FT" bind bob 10.0.0.9 --from 1790000000 --db "$db" >/dev/null 2>"$TMP/v$v.err"
    check_eq "version $v: a binding added after the migration" "$?" 0
    "$FT" usage alice --db "$db" >/dev/null 2>"$TMP/v$v.err"
    check_eq "version $v: usage computes quotas" "$?" 0
    v=$((v + 1))
done

# A version 2 store with usage in a named class (no class list before version 3): after the
# migration readers refuse to compute quotas, rather than count every class toward them.
if [ -n "$N" ]; then
    old_store 2 "$TMP/v2night.db" \
        "INSERT INTO usage VALUES (1728003600, 1, '10.0.0.1', 'in', 'night', 'web', 7, 1, 1);"
    "$FT" plan list --db "$TMP/v2night.db" >/dev/null 2>&1
    "$FT" usage alice --db "$TMP/v2night.db" >/dev/null 2>"$TMP/v2night.err"
    check_eq "version 2 with usage in class night: usage refuses quotas" "$?" 1
    if grep -q 'not the class list it was counted with' "$TMP/v2night.err"; then
        ok "version 2 with usage in class night: saying why"
    else
        not_ok "version 2 with usage in class night: saying why: $(cat "$TMP/v2night.err")"
    fi
fi

# ---- 3. a newer schema is refused ----

# refused NAME FILE STATUS MESSAGE: ok if a command exited STATUS (not 0) with MESSAGE in its
# stderr, FILE.
refused() {
    if [ "$3" -ne 0 ] && grep -qF "$4" "$2"; then
        ok "$1"
    else
        not_ok "$1 (exit $3)"
        sed 's/^/#   /' "$2" | head -5
    fi
}

# newer ENGINE DB SET_VERSION_CMD...: DB made by this flowtally, its version then set past
# it by the engine's own tool; every kind of opener refuses it and changes nothing.
newer() {
    engine=$1 db=$2
    shift 2
    "$FT" plan list --db "$db" >/dev/null 2>"$TMP/$engine-newer.err" || {
        not_ok "$engine: a store to make newer" && sed 's/^/#   /' "$TMP/$engine-newer.err"
        return
    }
    "$@" || { not_ok "$engine: schema version set to $((N + 1))" && return; }
    want="schema version $((N + 1)) is newer than this flowtally ($N)"
    "$FT" plan list --db "$db" >/dev/null 2>"$TMP/$engine-newer.err"
    refused "$engine: an admin command refuses a newer schema" "$TMP/$engine-newer.err" $? "$want"
    "$FT" plan add late --db "$db" >/dev/null 2>"$TMP/$engine-newer.err"
    refused "$engine: so does one that would write" "$TMP/$engine-newer.err" $? "$want"
    timeout 30 "$FT" run --db "$db" --netflow 127.0.0.1:0 --sflow "" --web "" >/dev/null \
        2>"$TMP/$engine-newer.err"
    refused "$engine: flowtally run refuses it" "$TMP/$engine-newer.err" $? "$want"
    "$FT" report --db "$db" >/dev/null 2>"$TMP/$engine-newer.err"
    status=$?
    if grep -qF "$want" "$TMP/$engine-newer.err"; then
        refused "$engine: a reader refuses it" "$TMP/$engine-newer.err" $status "$want"
    else
        refused "$engine: a reader refuses it" "$TMP/$engine-newer.err" $status "schema version"
        echo "# TODO $engine: the reader's message is not \"$want\": $(head -1 "$TMP/$engine-newer.err")"
    fi
}

if [ -n "$N" ]; then
    newer sqlite "$TMP/newer.db" sqlite3 "$TMP/newer.db" \
        "UPDATE schema_version SET version = $((N + 1))"
    check_eq "sqlite: the newer store is untouched" \
        "$(sqlite3 "$TMP/newer.db" 'SELECT version, (SELECT count(*) FROM plans) FROM schema_version')" \
        "$((N + 1))|0"
else
    skip "sqlite: a newer schema is refused" "python3 and the sqlite3 CLI are needed"
fi
pg_quiet() { pg_sql "$1" >/dev/null; }
if [ -z "$PG_UP" ]; then
    skip "postgresql: a newer schema is refused" "$pg_why"
elif [ -n "$N" ]; then
    pg_newdb newer >/dev/null
    newer postgresql "$PGURI" pg_quiet "UPDATE schema_version SET version = $((N + 1))"
    check_eq "postgresql: the newer store is untouched" \
        "$(psql -X -At -d "$PGURI" -c 'SELECT version, (SELECT count(*) FROM plans) FROM schema_version')" \
        "$((N + 1))|0"
    # the password of the test role is in no output
    if grep -rlF "$PG_PASSWORD" "$TMP" --include='*.out' --include='*.err' >/dev/null; then
        not_ok "no output holds the PostgreSQL password"
    else
        ok "no output holds the PostgreSQL password"
    fi
fi

done_testing
