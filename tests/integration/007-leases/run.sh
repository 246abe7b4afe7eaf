#!/bin/sh
# Attribution through DHCP leases and MAC registrations. An ISC dhcpd.leases file imported
# with the CLI and a Kea CSV followed by the daemon tie addresses to MACs for intervals
# (a renewal, a reassignment to another device, an expiry); registrations tie MACs to
# accounts. Flows an hour apart must land on whoever held the address at their time.
. "$(dirname "$0")/../lib.sh"

DB="$TMP/flowtally.db"
ft() { "$FT" "$@" --db "$DB"; }
ft subscriber add alice
ft subscriber add bob
ft register alice 02:00:00:00:00:01 --from 2026-09-01
ft register bob 02:00:00:00:00:02 --from 2026-09-01

# Stream A flows end 14:12-14:14 UTC, stream B flows 15:12-15:14 (2026-09-21).
cat >"$TMP/dhcpd.leases" <<'LEASES'
# written by hand in the format of isc-dhcp 4.4
lease 10.50.0.1 {
  starts 1 2026/09/21 14:00:00;
  ends 1 2026/09/21 14:30:00;
  binding state active;
  hardware ethernet 02:00:00:00:00:01;
}
lease 10.50.0.1 {
  starts 1 2026/09/21 14:20:00;
  ends 1 2026/09/21 15:00:00;
  binding state active;
  hardware ethernet 02:00:00:00:00:01;
}
lease 10.50.0.1 {
  starts 1 2026/09/21 15:00:00;
  ends 1 2026/09/21 16:00:00;
  binding state active;
  hardware ethernet 02:00:00:00:00:02;
}
lease 10.50.0.2 {
  starts 1 2026/09/21 14:00:00;
  ends 1 2026/09/21 16:00:00;
  binding state active;
  hardware ethernet 02:00:00:00:00:99;
}
lease 10.50.0.3 {
  starts 1 2026/09/21 14:00:00;
  ends 1 2026/09/21 14:05:00;
  binding state free;
  hardware ethernet 02:00:00:00:00:02;
}
LEASES
check_eq "import leases" "$(ft import leases "$TMP/dhcpd.leases")" \
    "imported 5 leases from $TMP/dhcpd.leases, skipped 0"
printf 'lease 10.50.0.9 {\n  starts 1 2026/09/21 14:00:00;\n  ends soon;\n}\n' >"$TMP/bad.leases"
ft import leases "$TMP/bad.leases" 2>"$TMP/err"
check_eq "a malformed lease file is refused" "$?" 1
if grep -q "bad.leases:3:" "$TMP/err"; then ok "error names file:line"; else not_ok "error names file:line: $(cat "$TMP/err")"; fi

# 10.50.0.4 is leased to alice's device in a Kea file that the daemon follows.
printf 'address,hwaddr,client_id,valid_lifetime,expire,subnet_id,fqdn_fwd,fqdn_rev,hostname,state,user_context\n10.50.0.4,02:00:00:00:00:01,,7200,1790006400,1,0,0,,0,\n' >"$TMP/kea.csv"

"$FLOWGEN" write --proto v9 --seed 51 --records 3000 --hosts 4 --local 10.50.0.0/16 \
    --start 1790000000 --out "$TMP/a.dgrams" --expect "$TMP/a.csv" >/dev/null
"$FLOWGEN" write --proto v9 --seed 52 --records 3000 --hosts 4 --local 10.50.0.0/16 \
    --start 1790003600 --out "$TMP/b.dgrams" --expect "$TMP/b.csv" >/dev/null
start_flowtally -v --leases-file "$TMP/kea.csv" || { not_ok start; done_testing; exit; }
wait_for grep -q 'imported 1 leases' "$TMP/daemon.err" || not_ok "daemon imported the Kea file"
"$FLOWGEN" send --in "$TMP/a.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
"$FLOWGEN" send --in "$TMP/b.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
stop_flowtally

expect() { # expect ACCOUNT
    awk -F, -v who="$1" '
        function owner(host, s) {
            if (host == "10.50.0.1") return s == "a" ? "alice" : "bob"
            if (host == "10.50.0.4") return "alice"
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
done_testing
