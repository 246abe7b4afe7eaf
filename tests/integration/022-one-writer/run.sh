#!/bin/sh
# Processes starting together on one new SQLite file. Ten times each:
# - two `flowtally run` on the same new file: exactly one collects, the other is refused
#   with a message naming the file (one SQLite file takes one collector), and the schema
#   is made once (never "table schema_version already exists" or "database is locked");
# - a collector and an admin command on the same new file: both succeed;
# - two admin commands on the same new file: both succeed, both plans are stored.
. "$(dirname "$0")/../lib.sh"

run_one() { # run_one N: a collector on $DB (the last round's output removed first)
    rm -f "$TMP/$1.out" "$TMP/$1.err"
    "$FT" run --db "$DB" --netflow 127.0.0.1:0 --sflow "" --web "" --flush 1 >"$TMP/$1.out" 2>"$TMP/$1.err" &
    echo $! >"$TMP/$1.pid"
}
listening() { grep -q 'listening on udp' "$TMP/$1.out"; }
exited() { ! kill -0 "$(cat "$TMP/$1.pid")" 2>/dev/null; }
one_decided() { { listening 1 || exited 1; } && { listening 2 || exited 2; }; }

two_daemons_ok=0 refused_ok=0
for round in 1 2 3 4 5 6 7 8 9 10; do
    DB="$TMP/r$round.db"
    run_one 1
    run_one 2
    wait_for one_decided
    n_listening=0
    for i in 1 2; do listening $i && ! exited $i && n_listening=$((n_listening + 1)); done
    for i in 1 2; do
        if exited $i && grep -q "$DB: another .flowtally run. is collecting into this store" "$TMP/$i.err"; then
            refused_ok=$((refused_ok + 1))
        elif exited $i; then
            echo "# round $round, daemon $i: $(cat "$TMP/$i.err")"
        fi
        kill -TERM "$(cat "$TMP/$i.pid")" 2>/dev/null
        wait "$(cat "$TMP/$i.pid")"
    done
    [ $n_listening -eq 1 ] && two_daemons_ok=$((two_daemons_ok + 1))
done
check_eq "two collectors on one new file: exactly one runs, 10 of 10 rounds" "$two_daemons_ok" 10
check_eq "and the other is refused, naming the file" "$refused_ok" 10

both_ok=0
for round in 1 2 3 4 5 6 7 8 9 10; do
    DB="$TMP/c$round.db"
    run_one 1
    "$FT" plan add p$round --db "$DB" >"$TMP/admin.out" 2>"$TMP/admin.err"
    admin=$?
    wait_for listening 1
    ran=$?
    kill -TERM "$(cat "$TMP/1.pid")" 2>/dev/null
    wait "$(cat "$TMP/1.pid")"
    daemon=$?
    if [ $admin -eq 0 ] && [ $ran -eq 0 ] && [ $daemon -eq 0 ] &&
        [ "$("$FT" plan list --db "$DB" --format csv | sed 1d | cut -d, -f1)" = "p$round" ]; then
        both_ok=$((both_ok + 1))
    else
        echo "# round $round: admin $admin ($(cat "$TMP/admin.err")), daemon $ran/$daemon ($(cat "$TMP/1.err"))"
    fi
done
check_eq "a collector and an admin command on one new file: both work, 10 of 10 rounds" "$both_ok" 10

admins_ok=0
for round in 1 2 3 4 5 6 7 8 9 10; do
    DB="$TMP/a$round.db"
    "$FT" plan add one --db "$DB" 2>"$TMP/1.err" &
    p1=$!
    "$FT" plan add two --db "$DB" 2>"$TMP/2.err"
    s2=$?
    wait $p1
    s1=$?
    plans=$("$FT" plan list --db "$DB" --format csv | sed 1d | cut -d, -f1 | tr '\n' ' ')
    if [ $s1 -eq 0 ] && [ $s2 -eq 0 ] && [ "$plans" = "one two " ]; then
        admins_ok=$((admins_ok + 1))
    else
        echo "# round $round: $s1 $s2 '$plans' $(cat "$TMP/1.err" "$TMP/2.err")"
    fi
done
check_eq "two admin commands on one new file: both stored, 10 of 10 rounds" "$admins_ok" 10
done_testing
