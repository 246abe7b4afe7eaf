#!/bin/sh
# RADIUS accounting with the real radclient (Debian freeradius-utils). Start and Stop bind
# and unbind a framed address to the account named by User-Name, at the event's time;
# flows before and after a hand-over land on the right account to the byte. A wrong shared
# secret gets no answer and is counted; an unknown user is answered and counted.
. "$(dirname "$0")/../lib.sh"

if ! command -v radclient >/dev/null; then
    skip "RADIUS accounting" "radclient (freeradius-utils) not installed"
    done_testing
    exit
fi
DB="$TMP/flowtally.db"
ft() { "$FT" "$@" --db "$DB"; }
ft subscriber add alice
ft subscriber add bob

start_flowtally --radius 127.0.0.1:0 --radius-clients "127.0.0.1=testing123" ||
    { not_ok start; done_testing; exit; }
RPORT=$(sed -n 's/.*listening on udp 127.0.0.1:\([0-9]*\) (RADIUS.*/\1/p' "$TMP/daemon.out")
acct() { # acct SECRET ATTRIBUTES: send one Accounting-Request, wait for the answer
    echo "$2" | radclient -q -t 2 -r 1 127.0.0.1:$RPORT acct "$1" >/dev/null 2>&1
}
acct testing123 'User-Name = "alice", Acct-Status-Type = Start, Acct-Session-Id = "a1", Framed-IP-Address = 10.60.0.1, Event-Timestamp = 1789999000'
check_eq "Start answered" "$?" 0

"$FLOWGEN" write --proto v9 --seed 61 --records 3000 --hosts 4 --local 10.60.0.0/16 \
    --start 1790000000 --out "$TMP/a.dgrams" --expect "$TMP/a.csv" >/dev/null
"$FLOWGEN" write --proto ipfix --seed 62 --records 3000 --hosts 4 --local 10.60.0.0/16 \
    --start 1790003600 --out "$TMP/b.dgrams" --expect "$TMP/b.csv" >/dev/null
"$FLOWGEN" send --in "$TMP/a.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null

acct testing123 'User-Name = "alice", Acct-Status-Type = Stop, Acct-Session-Id = "a1", Framed-IP-Address = 10.60.0.1, Event-Timestamp = 1790001805, Acct-Delay-Time = 5'
check_eq "Stop answered" "$?" 0
acct testing123 'User-Name = "bob", Acct-Status-Type = Start, Acct-Session-Id = "b1", Framed-IP-Address = 10.60.0.1, Delegated-IPv6-Prefix = 2001:db8:ab00::/56, Event-Timestamp = 1790001800'
check_eq "Start with a delegated IPv6 prefix answered" "$?" 0
acct wrongsecret 'User-Name = "bob", Acct-Status-Type = Stop, Acct-Session-Id = "b1", Framed-IP-Address = 10.60.0.1, Event-Timestamp = 1790002000'
check_eq "a wrong secret gets no answer" "$?" 1
acct testing123 'User-Name = "mallory", Acct-Status-Type = Start, Acct-Session-Id = "m1", Framed-IP-Address = 10.60.0.2, Event-Timestamp = 1789999000'
check_eq "an unknown user is answered" "$?" 0
"$FLOWGEN" send --in "$TMP/b.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
stop_flowtally

expect() { # expect ACCOUNT
    awk -F, -v who="$1" '
        function owner(host, s) {
            if (host == "10.60.0.1") return s == "a" ? "alice" : "bob"
            return "(unassigned)"
        }
        FNR > 1 { s = FILENAME ~ /a.csv$/ ? "a" : "b"
                  if (owner($1, s) == who) for (i = 2; i <= 7; i++) t[i] += $i }
        END { printf "%.0f,%.0f,%.0f,%.0f,%.0f,%.0f\n", t[2], t[3], t[4], t[5], t[6], t[7] }' \
        "$TMP/a.csv" "$TMP/b.csv"
}
for who in alice bob "(unassigned)"; do
    got=$(ft report --by subscriber --format csv | awk -F, -v w="$who" '$1 == w' | cut -d, -f2-7)
    check_eq "$who: totals exact" "$got" "$(expect "$who")"
done
check_eq "alice's RADIUS binding recorded with its end" \
    "$(ft subscriber show alice | grep -c '10.60.0.1/32 .*2026-09-21T14:43:20Z radius a1')" 1
check_eq "bob's IPv6 prefix recorded" "$(ft subscriber show bob | grep -c '2001:db8:ab00::/56 .* - *radius b1')" 1
check_eq "bad authenticator counted" "$(counter radius_drop_bad_authenticator)" 1
check_eq "unknown user counted" "$(counter radius_unknown_user)" 1
check_eq "accepted requests" "$(counter radius_accepted)" 4
if grep -q testing123 "$TMP/daemon.out" "$TMP/daemon.err"; then not_ok "secret kept out of logs"; else ok "secret kept out of logs"; fi
done_testing
