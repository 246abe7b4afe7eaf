#!/bin/sh
# Bulk import. 1,000 subscribers and then, while the daemon runs, 1,000 /32 bindings come
# from files holding the arguments of `subscriber add` and `bind`, one command a line. A
# file with a bad line in the middle is refused with FILE:LINE and stores nothing: no
# account appears, no binding moves. A NetFlow v9 stream sent after the import must land on
# the accounts the binding file names, to the byte. Every expected value is computed here
# with awk and sed from the generated files.
. "$(dirname "$0")/../lib.sh"

DB="$TMP/flowtally.db"
ft() { "$FT" "$@" --db "$DB"; }
n_accounts() { ft subscriber list --format csv | sed 1d | wc -l | tr -d ' '; }
# lines that hold a command: not blank, not only a comment
n_commands() { awk '{ sub(/#.*/, "") } NF' "$1" | wc -l | tr -d ' '; }
ft plan import "$ROOT/etc/plans.example"

# ---- subscribers: s0001..s1000, plans in turn, names with blanks, comments, blank lines
awk 'BEGIN {
    split("basic pro premium", plan, " ")
    print "# generated: the arguments of flowtally subscriber add"
    for (i = 1; i <= 1000; i++) {
        if (i % 100 == 0) print ""
        printf "s%04d --name \"Subscriber %d\" --email s%d@example.org --plan %s\n", i, i, i, plan[i % 3 + 1]
    }
}' >"$TMP/subs.txt"
out=$(ft subscriber import "$TMP/subs.txt")
check_eq "subscriber import exits 0" "$?" 0
want=$(n_commands "$TMP/subs.txt")
check_eq "subscriber import summary" "$out" "imported $want subscribers from $TMP/subs.txt"
check_eq "subscriber list has every imported account" "$(n_accounts)" "$want"
row=$(sed -n 's/^\(s0421\) --name "\([^"]*\)" --email \([^ ]*\) --plan \([^ ]*\)$/\1,"\2",\3,\4,active/p' \
    "$TMP/subs.txt")
check_eq "spot check: s0421's row" "$(ft subscriber list --format csv | grep '^s0421,')" "$row"

# a second file updates an existing account (as subscriber set) and adds one
printf 's0007 --plan premium --status suspended\nlate --plan basic\n' >"$TMP/more.txt"
ft subscriber import "$TMP/more.txt" >/dev/null
check_eq "an existing account is updated" "$(ft subscriber list --format csv | grep '^s0007,')" \
    's0007,"Subscriber 7",s7@example.org,premium,suspended'
check_eq "a new account is added" "$(n_accounts)" $((want + 1))
accounts_before=$(n_accounts)

# a bad line in the middle: an unknown plan
awk 'BEGIN { for (i = 1; i <= 50; i++) printf "x%03d --plan %s\n", i, i == 30 ? "gold" : "basic" }' \
    >"$TMP/bad-subs.txt"
bad_line=$(awk '/--plan gold/ { print NR; exit }' "$TMP/bad-subs.txt")
ft subscriber import "$TMP/bad-subs.txt" >"$TMP/out" 2>"$TMP/err"
check_eq "a bad subscriber file exits 1" "$?" 1
check_eq "the error names FILE:LINE and the plan" "$(cat "$TMP/err")" \
    "flowtally: $TMP/bad-subs.txt:$bad_line: no plan named 'gold' (see flowtally plan list)"
check_eq "nothing printed on stdout" "$(cat "$TMP/out")" ""
check_eq "no account of the bad file stored" "$(n_accounts)" "$accounts_before"
check_eq "not even its first line" "$(ft subscriber list --format csv | grep -c '^x')" 0

# ---- bindings: host 10.0.H.L (index i = 256*H + L, 1..1000) to account s((7*i) mod 1000 + 1)
awk 'BEGIN {
    for (i = 1; i <= 1000; i++)
        printf "s%04d 10.0.%d.%d --from 1789990000\n", (7 * i) % 1000 + 1, int(i / 256), i % 256
}' >"$TMP/binds.txt"
"$FLOWGEN" write --proto v9 --seed 16 --records 6000 --hosts 1000 --start 1790000000 \
    --out "$TMP/a.dgrams" --expect "$TMP/a.csv" >/dev/null

start_flowtally -v || {
    not_ok start
    done_testing
    exit
}
out=$(ft bind import "$TMP/binds.txt")
check_eq "bind import exits 0" "$?" 0
want_binds=$(n_commands "$TMP/binds.txt")
check_eq "bind import summary" "$out" "imported $want_binds bindings from $TMP/binds.txt"
# the running daemon notices the change after its next flush (every second here)
if wait_for grep -q "loaded $want_binds bindings" "$TMP/daemon.err"; then
    ok "the running daemon reloaded $want_binds bindings"
else
    not_ok "the running daemon reloaded $want_binds bindings"
fi

# a bad binding file: its first lines would move 10.0.0.1..10.0.0.9 to late, line 10 is
# malformed. Nothing may move: the stream's totals below prove it.
awk 'BEGIN { for (i = 1; i <= 20; i++) printf "late 10.0.0.%s --from 1789995000\n", i == 10 ? "300" : i }' \
    >"$TMP/bad-binds.txt"
bad_line=$(awk '/10\.0\.0\.300/ { print NR; exit }' "$TMP/bad-binds.txt")
ft bind import "$TMP/bad-binds.txt" >/dev/null 2>"$TMP/err"
check_eq "a bad binding file exits 1" "$?" 1
case "$(cat "$TMP/err")" in
"flowtally: $TMP/bad-binds.txt:$bad_line: binding '10.0.0.300': expected an address"*)
    ok "the error names FILE:LINE and what was expected" ;;
*) not_ok "the error names FILE:LINE and what was expected: $(cat "$TMP/err")" ;;
esac
check_eq "no binding of the bad file stored" "$(ft subscriber show late | grep -c 'prefix')" 0
ft bind import "$TMP/nosuchfile" 2>/dev/null
check_eq "a missing file exits 1" "$?" 1
# one more binding, of an address the stream does not use: once the daemon has loaded
# exactly one more, it holds whatever the bad file left behind (nothing) before the stream
echo "late 10.9.9.9 --from 1789990000" >"$TMP/one.txt"
ft bind import "$TMP/one.txt" >/dev/null
if wait_for grep -q "loaded $((want_binds + 1)) bindings" "$TMP/daemon.err"; then
    ok "the daemon reloaded one binding more, not the bad file's"
else
    not_ok "the daemon reloaded one binding more, not the bad file's"
fi

"$FLOWGEN" send --in "$TMP/a.dgrams" --to 127.0.0.1:$PORT --rate 200000 >/dev/null
stop_flowtally

# Expected per account: the generator's per-host totals, summed by the binding file's owner.
awk -F'[ ,]' '
    FNR == NR { owner[$2] = $1; next }
    FNR > 1 { who = ($1 in owner) ? owner[$1] : "(unassigned)"
              for (i = 2; i <= 7; i++) t[who, i] += $i; seen[who] = 1 }
    END { for (w in seen) printf "%s,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f\n", w,
              t[w, 2], t[w, 3], t[w, 4], t[w, 5], t[w, 6], t[w, 7] }' \
    "$TMP/binds.txt" "$TMP/a.csv" | LC_ALL=C sort >"$TMP/want.csv"
ft report --by subscriber --format csv | sed 1d | cut -d, -f1-7 | LC_ALL=C sort >"$TMP/got.csv"
check_same "every account's totals exact ($(wc -l <"$TMP/want.csv" | tr -d ' ') accounts)" \
    "$TMP/got.csv" "$TMP/want.csv"
done_testing
