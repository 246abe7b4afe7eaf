#!/bin/sh
# A bound address is local, whatever local_nets says. With the DEFAULT local_nets (RFC 1918
# and fc00::/7): bob holds 2001:db8:1200::/56 (the README's example), carol the public
# 198.51.100.7, dave gets 203.0.113.50 from a RADIUS Start (the real radclient) while the
# daemon runs, and erin 192.0.2.0/29 from `bind` while it runs. Their traffic must be
# billed in and out to the byte; the unbound neighbours of those addresses talking to
# remote hosts stay transit; dave's address after his Stop is unassigned local traffic,
# not transit. Expected totals come from flowgen's own per-host totals and, for the IPv6
# flows written here by hand, from the table below.
. "$(dirname "$0")/../lib.sh"

DB="$TMP/flowtally.db"
ft() { "$FT" "$@" --db "$DB"; }
ft plan import "$ROOT/etc/plans.example" >/dev/null
for who in bob carol dave erin; do ft subscriber add $who --plan pro; done
ft bind bob 2001:db8:1200::/56 --from 1789990000
ft bind carol 198.51.100.7 --from 1789990000

# unhex HEX: the bytes the hex digits spell.
unhex() { echo "$1" | fold -w2 | while read -r b; do printf "\\$(printf %03o "0x$b")"; done; }
h16() { printf '%04x' "$1"; }
h32() { printf '%08x' "$1"; }
h64() { printf '%016x' "$1"; }

# One IPFIX message (RFC 7011), observation domain 77: a template of IPv6 source and
# destination, octets, packets, flowStart/EndSeconds and protocol (57 bytes a record), then
# these flows, all ending at 1790000100:
#   src                     dst                     bytes pkts  expected
#   2001:db8:5::1           2001:db8:1200::10       1000  2     bob in
#   2001:db8:1200:ff::1     2001:db8:5::1           2000  3     bob out
#   2001:db8:1200::10       fd00:1::5               500   1     bob internal
#   2001:db8:1201::1        2001:db8:5::1           700   1     transit (next /56)
#   2001:db8:5::2           2001:db8:11ff:ffff::1   300   1     transit (the /56 before)
record() { echo "$1$2$(h64 $3)$(h64 $4)$(h32 1790000090)$(h32 1790000100)06"; }
v6_dgrams() {
    tmpl="0002$(h16 36)0100$(h16 7)001b0010001c00100001000800020008009600040097000400040001"
    data="0100$(h16 $((4 + 5 * 57)))"
    data="$data$(record 20010db8000500000000000000000001 20010db8120000000000000000000010 1000 2)"
    data="$data$(record 20010db8120000ff0000000000000001 20010db8000500000000000000000001 2000 3)"
    data="$data$(record 20010db8120000000000000000000010 fd000001000000000000000000000005 500 1)"
    data="$data$(record 20010db8120100000000000000000001 20010db8000500000000000000000001 700 1)"
    data="$data$(record 20010db8000500000000000000000002 20010db811ffffff0000000000000001 300 1)"
    len=$((16 + 36 + 4 + 5 * 57))
    unhex "$(h32 $len)$(h32 5)000a$(h16 $len)$(h32 1790000100)$(h32 0)$(h32 77)$tmpl$data"
}
v6_dgrams >"$TMP/v6.dgrams"

# flowgen numbers a stream's local hosts from the prefix's first address + 1, and its
# remote hosts lie in 198.18.0.0/15, outside every binding.
gen() { # gen NAME PROTO SEED LOCAL HOSTS START
    "$FLOWGEN" write --proto $2 --seed $3 --records 3000 --local $4 --hosts $5 --start $6 \
        --out "$TMP/$1.dgrams" --expect "$TMP/$1.csv" >/dev/null
}
gen carol v9 41 198.51.100.0/28 7 1790000000   # .1 to .6 unbound, .7 carol's
gen dave ipfix 42 203.0.113.48/28 3 1790000000 # .49 .51 unbound, .50 dave's
gen after v5 43 203.0.113.48/28 3 1790007200   # the same, after dave's Stop
gen erin v9 44 192.0.2.0/29 6 1790000000       # .1 to .6: all erin's

if ! command -v radclient >/dev/null; then
    skip "bound addresses are local" "radclient (freeradius-utils) not installed"
    done_testing
    exit
fi
# A flush interval far longer than the test: the map is loaded once, at the start, so what
# the RADIUS Start makes local is made local by the live path, not by a reload.
start_flowtally -v --flush 3600 --radius 127.0.0.1:0 --radius-clients "127.0.0.1=testing123" ||
    { not_ok start; done_testing; exit; }
RPORT=$(sed -n 's/.*listening on udp 127.0.0.1:\([0-9]*\) (RADIUS.*/\1/p' "$TMP/daemon.out")
maps() { grep -c 'loaded [0-9]* bindings' "$TMP/daemon.err"; }
acct() { echo "$1" | radclient -q -t 2 -r 1 127.0.0.1:$RPORT acct testing123 >/dev/null 2>&1; }
# The daemon answers a request, then applies it: the answer to a later request (an
# Accounting-On, which binds nothing) says the one before has been applied.
applied() { acct 'Acct-Status-Type = Accounting-On'; }
send() { "$FLOWGEN" send --in "$TMP/$1.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null; }

send v6
send carol
acct 'User-Name = "dave", Acct-Status-Type = Start, Acct-Session-Id = "d1", Framed-IP-Address = 203.0.113.50, Event-Timestamp = 1789999000'
check_eq "dave's Start answered" "$?" 0
applied
send dave
acct 'User-Name = "dave", Acct-Status-Type = Stop, Acct-Session-Id = "d1", Framed-IP-Address = 203.0.113.50, Event-Timestamp = 1790003600'
check_eq "dave's Stop answered" "$?" 0
applied
send after
check_eq "one subscriber map loaded in the first run (no reload made dave's address local)" \
    "$(maps)" 1
if grep -q '2 bound or leased prefixes outside local_nets count as local' "$TMP/daemon.err"; then
    ok "the daemon says how many bound prefixes lie outside local_nets (bob's, carol's)"
else
    not_ok "the daemon says how many bound prefixes lie outside local_nets (bob's, carol's)"
fi
stop_flowtally

# A second run: erin's binding made while the daemon runs, picked up at its next flush.
# The main thread logs the count of bound prefixes outside local_nets as it installs the
# new map (bob's, carol's, dave's as recorded, erin's).
start_flowtally -v || { not_ok "second start"; done_testing; exit; }
ft bind erin 192.0.2.0/29 --from 1789990000
wait_for grep -q '4 bound or leased prefixes outside local_nets' "$TMP/daemon.err" ||
    not_ok "the daemon installs a map with erin's binding"
send erin
stop_flowtally

# totals NAME HOSTS: the sums of flowgen's per-host rows of stream NAME for the hosts listed
# (last octets), as bytes_in,bytes_out,packets_in,packets_out,flows_in,flows_out.
totals() {
    awk -F, -v hosts=" $2 " 'NR > 1 { split($1, o, "."); if (index(hosts, " " o[4] " "))
        for (i = 2; i <= 7; i++) t[i] += $i }
        END { printf "%.0f,%.0f,%.0f,%.0f,%.0f,%.0f\n", t[2], t[3], t[4], t[5], t[6], t[7] }' \
        "$TMP/$1.csv"
}
# as_transit IN,OUT,PIN,POUT,FIN,FOUT: what unbound hosts' traffic is as transit (both ways)
as_transit() { echo "$1" | awk -F, '{ printf "%.0f,%.0f,%.0f\n", $1 + $2, $3 + $4, $5 + $6 }'; }
row() { # row SUBSCRIBER: its report row without the name
    ft report --by subscriber --format csv | awk -F, -v w="$1" '$1 == w' | cut -d, -f2-13
}
check_eq "bob (2001:db8:1200::/56): in, out and internal exact" "$(row bob)" \
    "1000,2000,2,3,1,1,500,1,1,0,0,0"
check_eq "bob's usage: bytes in and out" \
    "$(ft usage bob --at 1790000100 --format json | jq -c '[.bytes_in, .bytes_out, .used_bytes]')" \
    "[1000,2000,3000]"
check_eq "carol (198.51.100.7): totals exact" "$(row carol)" "$(totals carol 7),0,0,0,0,0,0"
check_eq "dave (203.0.113.50, by RADIUS): totals exact" "$(row dave)" \
    "$(totals dave 50),0,0,0,0,0,0"
check_eq "erin (192.0.2.0/29, bound while running): totals exact" "$(row erin)" \
    "$(totals erin '1 2 3 4 5 6'),0,0,0,0,0,0"
check_eq "carol's usage: bytes in and out" \
    "$(ft usage carol --at 1790000100 --format json | jq -r '"\(.bytes_in),\(.bytes_out)"')" \
    "$(totals carol 7 | cut -d, -f1-2)"

# (unassigned): dave's address after his Stop as in and out; every unbound neighbour and
# the two IPv6 flows outside bob's /56 as transit.
unassigned=$(
    {
        totals after 50 | cut -d, -f1-6
        as_transit "$(totals carol '1 2 3 4 5 6')"
        as_transit "$(totals dave '49 51')"
        as_transit "$(totals after '49 51')"
        echo 1000,2,2
    } | awk -F, 'NR == 1 { print; next } { b += $1; p += $2; f += $3 }
                 END { printf "0,0,0,%.0f,%.0f,%.0f\n", b, p, f }' | paste -sd, -
)
check_eq "(unassigned): after the Stop local, the rest transit, exact" "$(row '(unassigned)')" \
    "$unassigned"
host() { # host ADDRESS: its bytes in, out and transit
    ft report --by host --format csv | awk -F, -v h="$1" '$1 == h' | cut -d, -f2,3,11
}
check_eq "dave's address, bound and after, stored in and out under its own host" \
    "$(host 203.0.113.50)" "$( (totals dave 50; totals after 50) | awk -F, '
        { i += $1; o += $2 } END { printf "%.0f,%.0f,0\n", i, o }')"
check_eq "unbound 198.51.100.5 stays transit (what it sent, under its own address)" \
    "$(host 198.51.100.5)" "0,0,$(totals carol 5 | cut -d, -f2)"
done_testing
