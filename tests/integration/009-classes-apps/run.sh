#!/bin/sh
# Traffic classes and applications. Four streams whose remote addresses, server ports and
# times put each in a known class (free by prefix, national by a wider prefix, night by a
# local-time window that overrides national, international by default) and application.
# Per-class and per-application totals, and quota usage (free and night do not count),
# must equal the sums of the generator's totals.
. "$(dirname "$0")/../lib.sh"

export TZ=UTC # the night window is local time
mkdir -p "$TMP/etc"
cat >"$TMP/etc/classes.conf" <<'CLASSES'
# name        price_per_gb  quota  prefixes      window
free          0             no     free.txt
national      0.50          yes    national.txt
night         0             no     -             00:00-06:00
international 2.00          yes    default
CLASSES
printf '198.18.0.0/24   # the local exchange\n' >"$TMP/etc/free.txt"
printf '198.18.0.0/15\n2001:db8:5::/48\n' >"$TMP/etc/national.txt"
printf 'DNS=53\nWEB=tcp:443|udp:443\nSSH=22\n' >"$TMP/etc/apps.conf"

gen() { # gen NAME START REMOTE REMOTES PORT
    "$FLOWGEN" write --proto ipfix --seed 7$1 --records 2400 --hosts 10 --start $2 \
        --remote $3 --remotes $4 --remote-port $5 --out "$TMP/$1.dgrams" --expect "$TMP/$1.csv" >/dev/null
}
gen 1 1790000000 198.18.0.0/24 250 53    # free, DNS (14:13 UTC)
gen 2 1790000000 198.19.0.0/16 5000 443  # national, WEB
gen 3 1790000000 203.0.113.0/24 250 22   # international, SSH
gen 4 1789956000 198.19.0.0/16 5000 443  # 02:00 UTC: night, WEB
new_store
ft() { "$FT" "$@" --db "$DB"; }
ft plan add metered --quota 100GB --anchor 1
ft subscriber add campus --plan metered
ft bind campus 10.0.0.0/8 --from 2026-09-01

start_flowtally --classes "$TMP/etc/classes.conf" --apps "$TMP/etc/apps.conf" ||
    { not_ok start; done_testing; exit; }
for s in 1 2 3 4; do
    "$FLOWGEN" send --in "$TMP/$s.dgrams" --to 127.0.0.1:$PORT --rate 100000 >/dev/null
done
stop_flowtally

total() { # total CSV...: in,out bytes summed over hosts
    awk -F, 'FNR > 1 { i += $2; o += $3 } END { printf "%.0f,%.0f\n", i, o }' "$@"
}
got() { # got KEY VALUE
    ft report --by "$1" --format csv | awk -F, -v v="$2" '$1 == v { print $2 "," $3 }'
}
check_eq "class free" "$(got class free)" "$(total "$TMP/1.csv")"
check_eq "class national" "$(got class national)" "$(total "$TMP/2.csv")"
check_eq "class international (default)" "$(got class international)" "$(total "$TMP/3.csv")"
check_eq "class night (window overrides national)" "$(got class night)" "$(total "$TMP/4.csv")"
check_eq "app DNS" "$(got app DNS)" "$(total "$TMP/1.csv")"
check_eq "app WEB" "$(got app WEB)" "$(total "$TMP/2.csv" "$TMP/4.csv")"
check_eq "app SSH" "$(got app SSH)" "$(total "$TMP/3.csv")"
check_eq "no other traffic" "$(got app other)" ""
counted=$(total "$TMP/2.csv" "$TMP/3.csv" | awk -F, '{ printf "%.0f", $1 + $2 }')
check_eq "quota counts national and international only" \
    "$(ft usage campus --at 2026-09-25 --format json | jq .used_bytes)" "$counted"

printf 'fine 0 no default\nfree 1.2.3 yes x.txt\n' >"$TMP/etc/bad.conf"
"$FT" run --classes "$TMP/etc/bad.conf" --db "$TMP/x.db" --netflow 127.0.0.1:0 --sflow "" 2>"$TMP/err" >/dev/null
check_eq "a bad classes file stops the start" "$?" 1
if grep -q "bad.conf:2:" "$TMP/err"; then ok "and names file:line"; else not_ok "and names file:line: $(cat "$TMP/err")"; fi
done_testing
