#!/bin/sh
# Usage against quota. Three subscribers on plans whose quotas count different directions;
# one flowgen stream; `flowtally usage` and `report --over-quota` must give exactly the
# figures computed from the generator's per-host totals: used, remaining, percentage
# (hundredths, truncated), the projection at a known moment, and who is over.
. "$(dirname "$0")/../lib.sh"

DB="$TMP/flowtally.db"
ft() { "$FT" "$@" --db "$DB"; }
ft plan add small-in --quota 2GB --dirs in --anchor 15
ft plan add small --quota 2GB --dirs both --anchor 15
ft plan add unlimited --quota unlimited --anchor 15
ft subscriber add alice --plan small-in
ft subscriber add bob --plan small
ft subscriber add carol --plan unlimited
ft bind alice 10.0.0.1 --from 2026-09-01
ft bind bob 10.0.0.2 --from 2026-09-01
ft bind carol 10.0.0.3 --from 2026-09-01

# 30,000 flows over 3 hosts, ending around 2026-09-21 14:13 UTC
"$FLOWGEN" write --proto v9 --seed 41 --records 30000 --hosts 3 --start 1790000000 \
    --out "$TMP/s.dgrams" --expect "$TMP/s.csv" >/dev/null
start_flowtally || { not_ok start; done_testing; exit; }
"$FLOWGEN" send --in "$TMP/s.dgrams" --to 127.0.0.1:$PORT --rate 200000 >/dev/null
stop_flowtally

col() { awk -F, -v h="$1" -v c="$2" '$1 == h { print $c }' "$TMP/s.csv"; }
AT=1790380800 # 2026-09-26 00:00 UTC: 11 of the 30 days of the cycle 2026-09-15..10-15
CYCLE_MS=$((30 * 86400000)) ELAPSED_MS=$((11 * 86400000))
quota=2000000000
export TZ=UTC
for who in alice bob carol; do
    case $who in
    alice) used=$(col 10.0.0.1 2) ;;
    bob) used=$(($(col 10.0.0.2 2) + $(col 10.0.0.2 3))) ;;
    carol) used=$(($(col 10.0.0.3 2) + $(col 10.0.0.3 3))) ;;
    esac
    json=$(ft usage $who --at $AT --format json)
    check_eq "$who: used bytes" "$(echo "$json" | jq .used_bytes)" "$used"
    check_eq "$who: cycle" "$(echo "$json" | jq -r '.cycle_start + " " + .cycle_end')" "2026-09-15 2026-10-15"
    check_eq "$who: projection" "$(echo "$json" | jq .projected_bytes)" \
        "$(echo "$used * $CYCLE_MS / $ELAPSED_MS" | bc)"
    if [ $who = carol ]; then
        check_eq "carol: no quota" "$(echo "$json" | jq .quota_bytes)" null
        continue
    fi
    remaining=$((used >= quota ? 0 : quota - used))
    check_eq "$who: remaining" "$(echo "$json" | jq .remaining_bytes)" "$remaining"
    pct=$(echo "scale=0; $used * 10000 / $quota" | bc)
    check_eq "$who: percent" "$(echo "$json" | jq -r .percent)" "$(printf '%d.%02d' $((pct / 100)) $((pct % 100)))"
    [ "$used" -gt "$quota" ] && echo "$who" >>"$TMP/over-want"
done
ft report --over-quota --at $AT --format csv | sed 1d | cut -d, -f1 >"$TMP/over-got"
touch "$TMP/over-want"
check_same "over-quota list" "$TMP/over-got" "$TMP/over-want"
check_eq "previous cycle is empty" "$(ft usage bob --at $AT --cycle previous --format json | jq .used_bytes)" 0
check_eq "report --subscriber --cycle" \
    "$(ft report --subscriber bob --cycle 2026-09 --by subscriber --format csv | sed -n 2p | cut -d, -f1-3)" \
    "bob,$(col 10.0.0.2 2),$(col 10.0.0.2 3)"
ft usage nobody >/dev/null 2>&1
check_eq "unknown account exits 1" "$?" 1
done_testing
