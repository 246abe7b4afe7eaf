#!/bin/sh
# The customer portal in a real browser: Debian's headless chromium, driven by
# playwright-core (tests/browser, installed here with `npm ci` when missing; no browser is
# ever downloaded). alice logs in with the md5crypt mailbox password imported from a
# postfixadmin table, reads the gauge, the figures and the daily chart (bars' titles and
# the data table) to the byte of flowgen's totals, sets alert levels, registers the device
# in hand (a DHCP lease, its address in X-Forwarded-For from the trusted 127.0.0.1), all
# again with JavaScript off, and on a phone; no console error, no CSP violation
# (browser.test.mjs prints PASS/FAIL lines, turned into TAP here). Screenshots go to
# $TMP/shots, are kept in $BUILD/artifacts/030-browser, and with
# FLOWTALLY_SCREENSHOTS=DIR also land in DIR (doc/screenshots for the README).
. "$(dirname "$0")/../lib.sh"
export TZ=UTC
CHROMIUM=${FLOWTALLY_CHROMIUM:-/usr/bin/chromium}
NODE_MODULES="$ROOT/tests/browser/node_modules/playwright-core"

if [ ! -x "$CHROMIUM" ]; then
    skip "the portal in a browser" "no $CHROMIUM (Debian package chromium)"
    done_testing
    exit
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    skip "the portal in a browser" "no node or npm (Debian packages nodejs, npm)"
    done_testing
    exit
fi
# npm ci when playwright-core is missing or not the version tests/browser/package.json pins
want=$(sed -n 's/.*"playwright-core": "\(.*\)".*/\1/p' "$ROOT/tests/browser/package.json")
have=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$NODE_MODULES/package.json" 2>/dev/null)
if [ "$have" != "$want" ]; then
    echo "# installing tests/browser (npm ci: playwright-core $want, no browser download)"
    if ! timeout 300 npm ci --prefix "$ROOT/tests/browser" --no-audit --no-fund >"$TMP/npm.log" 2>&1; then
        sed 's/^/#   /' "$TMP/npm.log" | tail -20
        skip "the portal in a browser" "npm ci --prefix tests/browser failed (offline?)"
        done_testing
        exit
    fi
fi

new_store
ft() { "$FT" "$@" --db "$DB"; }
QUOTA=5000000000
ft plan add basic --quota 5GB --anchor 1 --price 25.00
ft subscriber add alice-4k2 --plan basic --name "Alice Example" --email alice@example.net
ft subscriber add bob-7f3a --plan basic --name "Robert Secretname" --email bob@example.org
MONTH=$(date -u +%Y-%m-01)
ft bind alice-4k2 10.0.0.1 --from "$MONTH"
ft bind bob-7f3a 10.0.0.2 --from "$MONTH"
# alice's hash: openssl passwd -1 -salt Xq3vR8pL 'mailbox-pass-1'
printf 'username\tpassword\taccount\n' >"$TMP/mailbox.tsv"
printf 'alice@example.net\t$1$Xq3vR8pL$12qmeAChwXgpWy7/ltUSf0\talice-4k2\n' >>"$TMP/mailbox.tsv"
ft user import "$TMP/mailbox.tsv" --postfixadmin --account-from column >/dev/null

# The device in the browser's hand: 10.60.0.1 leased to MAC 02:00:00:00:10:01 now.
NOW=$(date -u +%s)
printf 'lease 10.60.0.1 {\n  starts %s;\n  ends %s;\n  binding state active;\n  hardware ethernet 02:00:00:00:10:01;\n}\n' \
    "$(date -u -d "@$((NOW - 3600))" '+%w %Y/%m/%d %H:%M:%S')" \
    "$(date -u -d "@$((NOW + 86400))" '+%w %Y/%m/%d %H:%M:%S')" >"$TMP/dhcpd.leases"
ft import leases "$TMP/dhcpd.leases" >/dev/null

# Traffic: one stream today (its flows within a minute before START, all on today's date)
# and one at noon of each of a few earlier days of this cycle, of different sizes.
TODAY=$(date -u -d "$(date -u +%Y-%m-%d)" +%s)
START=$((NOW - 600))
[ "$START" -lt $((TODAY + 300)) ] && START=$((TODAY + 300))
STREAMS="0:$START:2000"
for d in 1:3000 2:1500 3:4000 5:2500 8:1000; do
    t=$((TODAY - ${d%%:*} * 86400 + 43200))
    [ "$t" -ge "$(date -u -d "$MONTH" +%s)" ] && STREAMS="$STREAMS ${d%%:*}:$t:${d#*:}"
done
for s in $STREAMS; do
    n=${s%%:*} t=${s#*:}
    "$FLOWGEN" write --proto ipfix --seed $((30 + n)) --domain $((n + 1)) --records "${t#*:}" \
        --hosts 2 --start "${t%%:*}" --out "$TMP/d$n.dgrams" --expect "$TMP/d$n.csv" >/dev/null
done
# day_json: {"DAY": {"in": N, "out": N}, ...} for host $1, DAY the day of the month
day_json() {
    for s in $STREAMS; do
        t=${s#*:}
        awk -F, -v h="$1" -v d="$(date -u -d "@${t%%:*}" +%-d)" \
            '$1 == h { printf "\"%s\": {\"in\": %s, \"out\": %s}\n", d, $2, $3 }' "$TMP/d${s%%:*}.csv"
    done | paste -sd, | sed 's/^/{/; s/$/}/'
}
used_of() { cat "$TMP"/d*.csv | awk -F, -v h="$1" '$1 == h { s += $2 + $3 } END { printf "%.0f\n", s }'; }
A_USED=$(used_of 10.0.0.1)

start_flowtally --trusted-proxies 127.0.0.1/32 --operator-name "Example WISP" ||
    { not_ok start; done_testing; exit; }
WEB=$(web_port)
[ -n "$WEB" ] && ok "the daemon serves the portal" || not_ok "the daemon serves the portal"
for s in $STREAMS; do
    "$FLOWGEN" send --in "$TMP/d${s%%:*}.dgrams" --to "127.0.0.1:$PORT" >/dev/null
done
kill -USR1 "$DAEMON_PID"
used_now() { ft usage alice-4k2 --format json | jq -r .used_bytes; }
wait_for test "$(used_now)" = "$A_USED" || not_ok "the flows were stored before the checks"
# Last month's bills: alice held basic (25.00, no tax) all of it and used nothing then, so
# her invoice is 25.00 EUR; its number is the export's.
PREV_CYCLE=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%Y-%m)
check_eq "bill close: two invoices of 25.00" \
    "$(ft bill close --cycle "$PREV_CYCLE" | cut -d, -f1)" "$PREV_CYCLE: 2 issued (50.00 EUR)"
A_INVOICE=$(ft bill export --cycle "$PREV_CYCLE" --format json |
    jq -s -r 'map(select(.subscriber == "alice-4k2" and .kind == "invoice")) | .[0].invoice')

echo 'staff-pass-12345' | ft user add sam --role staff --password-stdin >/dev/null
# the exporter's verdict as `flowtally stats` says it, for the staff's exporters page
VERDICT=$(ft stats --format csv | awk -F, '$1 == "127.0.0.1" { print $17 }')
check_eq "flowtally stats: the one exporter is ok" "$VERDICT" ok

SHOTS=""
if [ -n "${FLOWTALLY_SCREENSHOTS:-}" ]; then
    mkdir -p "$FLOWTALLY_SCREENSHOTS" && SHOTS=$(cd "$FLOWTALLY_SCREENSHOTS" && pwd)
fi
mkdir -p "$TMP/shots"
cat >"$TMP/settings.json" <<EOF
{"base": "http://127.0.0.1:$WEB", "root": "$ROOT", "chromium": "$CHROMIUM",
 "shots": ["$TMP/shots"${SHOTS:+, \"$SHOTS\"}],
 "login": "alice@example.net", "password": "mailbox-pass-1", "name": "Alice Example",
 "quota": $QUOTA, "used": $A_USED, "today": "$(date -u -d "@$START" +%-d)", "today_date": "$(date -u -d "@$START" +%Y-%m-%d)",
 "days": $(day_json 10.0.0.1), "bob_used": $(used_of 10.0.0.2),
 "device_address": "10.60.0.1", "device_mac": "02:00:00:00:10:01",
 "invoice": {"number": "$A_INVOICE", "cycle": "$PREV_CYCLE", "total": "25.00 EUR"},
 "staff": {"login": "sam", "password": "staff-pass-12345", "verdict": "$VERDICT"}}
EOF
# Every wait inside is bounded (15 s each); the whole run by 120 s here.
timeout 120 node "$ROOT/tests/integration/030-browser/browser.test.mjs" "$TMP/settings.json" \
    >"$TMP/browser.out" 2>&1
node_status=$?
while IFS= read -r line; do
    case $line in
    "PASS "*) ok "${line#PASS }" ;;
    "FAIL "*) not_ok "${line#FAIL }" ;;
    "SKIP "*) line=${line#SKIP } && skip "${line%%: *}" "${line#*: }" ;;
    "#"*) echo "$line" ;;
    *) echo "#   $line" ;;
    esac
done <"$TMP/browser.out"
check_eq "browser.test.mjs exits 0" "$node_status" 0
rm -rf "$ROOT/$BUILD/artifacts/030-browser"
mkdir -p "$ROOT/$BUILD/artifacts" && cp -r "$TMP/shots" "$ROOT/$BUILD/artifacts/030-browser"
check_eq "the registered device is bound to alice from the portal" \
    "$(ft subscriber show alice-4k2 | awk '$1 == "mac" { print $2, $NF }')" "02:00:00:00:10:01 register"
stop_flowtally
done_testing
