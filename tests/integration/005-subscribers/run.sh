#!/bin/sh
# Attribution to subscribers over time. Plans and subscribers are loaded from the command
# line; 10.0.0.1 belongs to alice until 1790001800 and to bob from then on, 10.0.0.0/29 to
# carol (the longest prefix wins), the rest is unassigned. Bindings are made while the
# daemon runs: it picks them up without a restart. Two flowgen streams, one an hour before
# the change and one after, must land on the right accounts to the byte.
. "$(dirname "$0")/../lib.sh"

new_store
ft() { "$FT" "$@" --db "$DB"; }
ft plan import "$ROOT/etc/plans.example"
check_eq "three example plans" "$(ft plan list --format csv | sed 1d | cut -d, -f1,2,4 | tr '\n' ' ')" \
    "basic,15000000000,25.00 premium,,55.00 pro,20000000000,35.00 "
ft subscriber add alice --name "Alice Example" --email alice@example.org --plan basic
ft subscriber add bob --plan pro
ft subscriber add carol --plan premium
ft subscriber add dave --plan nosuchplan 2>"$TMP/err"
check_eq "unknown plan refused" "$?" 1

"$FLOWGEN" write --proto v9 --seed 31 --records 3000 --hosts 20 --start 1790000000 \
    --out "$TMP/a.dgrams" --expect "$TMP/a.csv" >/dev/null
"$FLOWGEN" write --proto ipfix --seed 32 --records 3000 --hosts 20 --start 1790003600 \
    --out "$TMP/b.dgrams" --expect "$TMP/b.csv" >/dev/null

start_flowtally -v || { not_ok start; done_testing; exit; }
ft bind alice 10.0.0.1 --from 1789990000 --to 1790001800
ft bind bob 10.0.0.1 --from 1790001800
ft bind carol 10.0.0.0/29 --from 1789990000
ft bind dave 10.0.0.9 2>/dev/null
check_eq "binding to an unknown account refused" "$?" 1
# the daemon reloads its bindings after each flush (every second here)
wait_for grep -q 'loaded 3 bindings' "$TMP/daemon.err" || not_ok "daemon reloaded the bindings"
"$FLOWGEN" send --in "$TMP/a.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
"$FLOWGEN" send --in "$TMP/b.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
stop_flowtally

# Expected per account from the generator's per-host totals.
expect() { # expect ACCOUNT: bytes_in,bytes_out,packets_in,packets_out,flows_in,flows_out
    awk -F, -v who="$1" '
        function owner(host, stream) {
            if (host == "10.0.0.1") return stream == "a" ? "alice" : "bob"
            split(host, o, "."); if (o[1] == 10 && o[2] == 0 && o[3] == 0 && o[4] <= 7) return "carol"
            return "(unassigned)"
        }
        FNR > 1 { s = FILENAME ~ /a.csv$/ ? "a" : "b"
                  if (owner($1, s) == who) for (i = 2; i <= 7; i++) t[i] += $i }
        END { printf "%.0f,%.0f,%.0f,%.0f,%.0f,%.0f\n", t[2], t[3], t[4], t[5], t[6], t[7] }' \
        "$TMP/a.csv" "$TMP/b.csv"
}
for who in alice bob carol "(unassigned)"; do
    got=$(ft report --by subscriber --format csv | awk -F, -v w="$who" '$1 == w' | cut -d, -f2-7)
    check_eq "$who: totals exact" "$got" "$(expect "$who")"
done
rows=$(ft report --by host --format csv | wc -l)
check_eq "per-host rows kept too (20 hosts)" "$rows" 21
got=$(ft report --by subscriber,host --format csv | grep '^alice,' | cut -d, -f2)
check_eq "alice only ever had 10.0.0.1" "$got" "10.0.0.1"

ft unbind 10.0.0.1 --at 1790007200
check_eq "unbind ends bob's binding" "$(ft subscriber show bob | grep -c '2026-09-21T16:13:20Z')" 1
ft subscriber remove carol
got=$(ft report --by subscriber --format csv | grep -c '^(removed #3)')
check_eq "a removed subscriber's usage stays" "$got" 1
done_testing
