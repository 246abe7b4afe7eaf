#!/bin/sh
# The customer portal against the running daemon: customers of the example WISP log in
# with the mailbox passwords they already had (md5crypt from a postfixadmin table, upgraded
# to yescrypt at the first login) and see exactly what `flowtally usage` prints; the
# security matrix (portal.py: every route x every role, B's identifiers in A's hands,
# injection and traversal in every parameter, CSRF, fixation, cookie flags, throttling,
# hostile requests); bills: the previous cycle closed with `flowtally bill close` and
# corrected with `bill rerate`, each document seen only by its customer and by staff, as a
# page, a PDF and JSON; then `flowtally web` alone on the same store, and the portal over
# TLS. Expected bytes come from flowgen's own totals, expected money from the plan's price.
. "$(dirname "$0")/../lib.sh"
export TZ=UTC
PY=/usr/bin/python3

new_store
ft() { "$FT" "$@" --db "$DB"; }
QUOTA=15000000000
ft plan add basic --quota 15GB --anchor 1 --price 25.00
ft subscriber add alice-4k2 --plan basic --name "Alice Example" --email alice@example.net
ft subscriber add bob-7f3a --plan basic --name "Robert Secretname" --email bob@example.org
ft subscriber add tina-0 --plan basic

NOW=$(date -u +%s)
MONTH_START=$(date -u -d "$(date -u +%Y-%m-01)" +%s)
PREV_START=$(date -u -d "$(date -u +%Y-%m-01) -1 month" +%s)
PREV_CYCLE=$(date -u -d "@$PREV_START" +%Y-%m)
for who in alice-4k2:10.0.0.1 bob-7f3a:10.0.0.2; do
    ft bind "${who%%:*}" "${who#*:}" --from "$(date -u -d "@$PREV_START" +%Y-%m-%d)"
done

# The mailbox table as `mysql -B -e "SELECT username, password, account FROM mailbox"`
# prints it. alice's hash: openssl passwd -1 -salt Xq3vR8pL 'mailbox-pass-1'
printf 'username\tpassword\taccount\n' >"$TMP/mailbox.tsv"
printf 'alice@example.net\t$1$Xq3vR8pL$12qmeAChwXgpWy7/ltUSf0\talice-4k2\n' >>"$TMP/mailbox.tsv"
ft user import "$TMP/mailbox.tsv" --postfixadmin --account-from column >/dev/null
check_eq "alice's md5crypt hash is stored as imported" \
    "$(store_sql "select substr(password,1,3) from users where login='alice@example.net'")" '$1$'
echo 'bob-pass-12345' | ft user add bob@example.org --role customer --account bob-7f3a --password-stdin
echo 'tina-pass-12345' | ft user add tina@example.net --role customer --account tina-0 --password-stdin
# staff's hash: openssl passwd -6 -salt 9yTq2LmW 'staff-pass-22'
ft user add sam --role staff \
    --password-hash '$6$9yTq2LmW$FUzDMCsP5OiufhRbtWP3A1nVrq2Lphk4CkNR1zcTtJamjvuR0EkKzmcq646hSStKQzoRPSvwbVf9FAjJfgHX31'
echo 'admin-pass-12345' | ft user add ada --role admin --password-stdin

# Leases for device registration: 10.60.0.1 and .2 hold MACs :10:01 and :10:02 now.
L_START=$(date -u -d "@$((NOW - 3600))" '+%w %Y/%m/%d %H:%M:%S')
L_END=$(date -u -d "@$((NOW + 86400))" '+%w %Y/%m/%d %H:%M:%S')
for n in 1 2; do
    printf 'lease 10.60.0.%s {\n  starts %s;\n  ends %s;\n  binding state active;\n  hardware ethernet 02:00:00:00:10:0%s;\n}\n' \
        "$n" "$L_START" "$L_END" "$n" >>"$TMP/dhcpd.leases"
done
ft import leases "$TMP/dhcpd.leases" >/dev/null
# The neighbour table of the box: 10.60.0.3 has no lease, only an ARP entry (and an
# incomplete one for .4), in the format of /proc/net/arp.
cat >"$TMP/arp" <<'ARP'
IP address       HW type     Flags       HW address            Mask     Device
10.60.0.3        0x1         0x2         02:00:00:00:10:03     *        eth1
10.60.0.4        0x1         0x0         00:00:00:00:00:00     *        eth1
ARP

# Traffic: one stream in the previous cycle (day 2, noon), one two hours ago.
CUR_START=$((NOW - 7200))
[ "$CUR_START" -lt $((MONTH_START + 60)) ] && CUR_START=$((MONTH_START + 60))
"$FLOWGEN" write --proto v9 --seed 28 --records 2000 --hosts 2 --start $((PREV_START + 129600)) \
    --out "$TMP/prev.dgrams" --expect "$TMP/prev.csv" >/dev/null
"$FLOWGEN" write --proto ipfix --seed 29 --records 2000 --hosts 2 --start "$CUR_START" \
    --out "$TMP/cur.dgrams" --expect "$TMP/cur.csv" >/dev/null
total() { awk -F, -v h="$2" '$1 == h { print $2 + $3 }' "$1"; }

# Password resets on (web_url, smtp and mail_from set), so the matrix covers their routes;
# no mail is sent here (036 sends them), and the port is one nothing listens on.
start_flowtally --trusted-proxies 127.0.0.1/32 --device-limit 1 --web-timeout 3 --arp-table "$TMP/arp" \
    --web-max-per-address 8 --web-url https://portal.example.net --smtp smtp://127.0.0.1:9 \
    --mail-from portal@example.net ||
    { not_ok start; done_testing; exit; }
WEB=$(web_port)
[ -n "$WEB" ] && ok "the daemon serves the portal" || not_ok "the daemon serves the portal"
"$FLOWGEN" send --in "$TMP/prev.dgrams" --to 127.0.0.1:$PORT >/dev/null
"$FLOWGEN" send --in "$TMP/cur.dgrams" --to 127.0.0.1:$PORT >/dev/null
used_now() { ft usage alice-4k2 --format json | jq -r .used_bytes; }
kill -USR1 "$DAEMON_PID"
A_USED=$(total "$TMP/cur.csv" 10.0.0.1)
wait_for test "$(used_now)" = "$A_USED" || not_ok "the flows were stored before the checks"

wait_for test "$(ft usage alice-4k2 --cycle "$PREV_CYCLE" --format json | jq -r .used_bytes)" = \
    "$(total "$TMP/prev.csv" 10.0.0.1)" || not_ok "the previous cycle's flows were stored"
ft usage alice-4k2 --cycle "$PREV_CYCLE" --format json >"$TMP/alice-prev.json"

# Bills for the previous cycle, which has ended (anchor 1): alice, bob and tina held basic
# (25.00, no tax, 15 GB) all of it and used far less than the quota, so each invoice is
# 25.00 EUR. alice's name, as it was when the invoice was issued, is markup (the page must
# escape it); then the price is fixed to 20.00 and the rerate issues each of them a credit
# note of 20.00 - 25.00 = -5.00 EUR.
INVOICE_NAME='Alice <b>Example</b> & "Co"'
ft subscriber set alice-4k2 --name "$INVOICE_NAME"
check_eq "bill close: three invoices of 25.00" \
    "$(ft bill close --cycle "$PREV_CYCLE" | cut -d, -f1)" "$PREV_CYCLE: 3 issued (75.00 EUR)"
ft subscriber set alice-4k2 --name "Alice Example"
ft plan set basic --price 20.00
check_eq "bill rerate: three credit notes of -5.00" \
    "$(ft bill rerate --cycle "$PREV_CYCLE" | cut -d, -f1)" "$PREV_CYCLE: 3 issued (-15.00 EUR)"
ft bill export --cycle "$PREV_CYCLE" --format json >"$TMP/bills.json"
bills_of() { # bills_of ACCOUNT: {"invoice": NUMBER, "credit": NUMBER}, as the export says
    jq -s -c --arg a "$1" 'map(select(.subscriber == $a) | {(.kind): .invoice}) | add' "$TMP/bills.json"
}
cat >"$TMP/settings.json" <<EOF
{"port": $WEB, "sql": $(store_sql_cmd | jq -R . | jq -s -c .), "quota": $QUOTA, "prev_cycle": "$PREV_CYCLE", "web_timeout": 3,
 "alice": {"account": "alice-4k2", "login": "alice@example.net", "password": "mailbox-pass-1",
           "name": "Alice Example", "email": "alice@example.net",
           "used": $A_USED, "used_prev": $(total "$TMP/prev.csv" 10.0.0.1)},
 "bob": {"account": "bob-7f3a", "login": "bob@example.org", "password": "bob-pass-12345",
         "name": "Robert Secretname", "email": "bob@example.org",
         "used": $(total "$TMP/cur.csv" 10.0.0.2), "used_prev": $(total "$TMP/prev.csv" 10.0.0.2)},
 "staff": {"login": "sam", "password": "staff-pass-22"},
 "admin": {"login": "ada", "password": "admin-pass-12345"},
 "throttled": {"login": "tina@example.net", "password": "tina-pass-12345"},
 "alice_prev_json": $(jq -Rs . <"$TMP/alice-prev.json"),
 "bills": {"alice": $(bills_of alice-4k2), "bob": $(bills_of bob-7f3a), "tina": $(bills_of tina-0),
           "alice_name": $(printf '%s' "$INVOICE_NAME" | jq -Rs .), "export": $(jq -s -c . "$TMP/bills.json")}}
EOF
# the matrix; its PASS/FAIL lines become TAP here
"$PY" "$ROOT/tests/integration/028-portal/portal.py" "$TMP/settings.json" >"$TMP/portal.out" 2>&1
py_status=$?
while IFS= read -r line; do
    case $line in
    "PASS "*) ok "${line#PASS }" ;;
    "FAIL "*) not_ok "${line#FAIL }" ;;
    "#"*) echo "$line" ;;
    *) echo "#   $line" ;;
    esac
done <"$TMP/portal.out"
check_eq "portal.py exits 0" "$py_status" 0
check_eq "alice's md5crypt hash became yescrypt at her first login" \
    "$(store_sql "select substr(password,1,3) from users where login='alice@example.net'")" '$y$'
check_eq "the devices registered from the portal are bound" \
    "$(store_sql "select value||' '||source from bindings where kind='mac' and end_ms is null order by value" | tr '\n' ';')" \
    "02:00:00:00:10:01 register;02:00:00:00:10:03 register;"
if grep -q 'mailbox-pass-1\|bob-pass-12345\|a-new-secret-9\|\$1\$Xq3v' "$TMP/daemon.out" "$TMP/daemon.err"; then
    not_ok "no password or hash in the daemon's output"
else
    ok "no password or hash in the daemon's output"
fi

# The charts and tables of a page are kept as drawn until a flush moves the usage: alice's
# page twice (drawn, then copied), then a flush of new flows, then her page again. Each time
# the class table (in the kept part) sums to the used bytes (the figures, read afresh).
class_sum() { # class_sum PAGE: the bytes in the "Per traffic class" table
    sed -n '/<h2>Per traffic class<\/h2>/,/<\/section>/p' "$1" | grep -o 'data-bytes="[0-9]*"' |
        tr -dc '0-9\n' | awk '{ s += $1 } END { printf "%.0f\n", s }'
}
used_of_page() { sed -n 's/.*id="used" data-bytes="\([0-9]*\)".*/\1/p' "$1"; }
alice_page() {
    rm -f "$TMP/jar"
    csrf=$(curl -s -c "$TMP/jar" "http://127.0.0.1:$WEB/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
    curl -s -b "$TMP/jar" -c "$TMP/jar" -o /dev/null --data-urlencode "csrf=$csrf" \
        --data-urlencode "username=alice@example.net" --data-urlencode "password=mailbox-pass-1" \
        "http://127.0.0.1:$WEB/login"
    curl -s -b "$TMP/jar" "http://127.0.0.1:$WEB/" >"$1"
    curl -s -b "$TMP/jar" "http://127.0.0.1:$WEB/" >"$2"
}
alice_page "$TMP/page1.html" "$TMP/page2.html"
check_eq "alice's page, drawn: its class table sums to her used bytes" \
    "$(class_sum "$TMP/page1.html"):$(used_of_page "$TMP/page1.html")" "$A_USED:$A_USED"
check_eq "alice's page again, the kept part: the same page" "$(cmp -s "$TMP/page1.html" "$TMP/page2.html" &&
    echo same)" same
"$FLOWGEN" write --proto ipfix --seed 31 --records 500 --hosts 1 --start "$((NOW - 120))" \
    --out "$TMP/more.dgrams" --expect "$TMP/more.csv" >/dev/null
MORE=$(total "$TMP/more.csv" 10.0.0.1)
"$FLOWGEN" send --in "$TMP/more.dgrams" --to 127.0.0.1:$PORT >/dev/null
kill -USR1 "$DAEMON_PID"
wait_for test "$(used_now)" = "$((A_USED + MORE))" || not_ok "the new flows were stored"
alice_page "$TMP/page3.html" "$TMP/page4.html"
check_eq "after a flush of $MORE more bytes: the class table and the figures both moved" \
    "$(class_sum "$TMP/page3.html"):$(used_of_page "$TMP/page3.html")" \
    "$((A_USED + MORE)):$((A_USED + MORE))"
A_USED=$((A_USED + MORE))
stop_flowtally

# `flowtally web` alone on the same store (the portal in a DMZ), then over TLS.
# portal_get SCHEME PORT PATH [LOGIN PASSWORD]: logs alice (or LOGIN) in with curl and
# prints the page at PATH.
portal_get() {
    rm -f "$TMP/jar"
    csrf=$(curl -sk -c "$TMP/jar" "$1://127.0.0.1:$2/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
    curl -sk -b "$TMP/jar" -c "$TMP/jar" -o /dev/null --data-urlencode "csrf=$csrf" \
        --data-urlencode "username=${4:-alice@example.net}" \
        --data-urlencode "password=${5:-mailbox-pass-1}" "$1://127.0.0.1:$2/login"
    curl -sk -b "$TMP/jar" "$1://127.0.0.1:$2$3"
}
# health_of_page FILE: the staff's exporters page as "exporter,records/s,records/s 1h,
# verdict" lines, out of its health table (th, then the cells in order: the verdict, last
# seen, ago, records/s, records/s 1h, ...; the verdict's word in data-verdict)
health_of_page() {
    "$PY" - "$1" <<'PY'
import re, sys
page = open(sys.argv[1]).read()
table = re.search(r'<table id="health">.*?<tbody>(.*?)</tbody>', page, re.S)
for row in re.findall(r'<tr>(.*?)</tr>', table.group(1) if table else "", re.S):
    exporter = re.search(r'<th scope="row">([^<]*)</th>', row).group(1)
    cells = re.findall(r'<td[^>]*>([^<]*)</td>', row)
    verdict = re.search(r'data-verdict="([a-z]*)"', row).group(1)
    print(",".join([exporter, cells[3], cells[4], verdict]))
PY
}
start_web() {
    rm -f "$TMP/web.out"
    "$FT" web --db "$DB" --web 127.0.0.1:0 "$@" >"$TMP/web.out" 2>"$TMP/web.err" &
    WEB_PID=$!
    wait_for grep -q 'web: listening' "$TMP/web.out" || { echo "# web did not start:"; sed 's/^/#   /' "$TMP/web.err"; }
    WEB=$(sed -n 's|^web: listening on https*://127.0.0.1:\([0-9]*\)$|\1|p' "$TMP/web.out")
}
stop_web() {
    kill -TERM "$WEB_PID"
    wait "$WEB_PID"
    check_eq "$1 stops cleanly on SIGTERM" "$?" 0
    if grep -q 'runtime error\|Sanitizer' "$TMP/web.err"; then
        not_ok "$1: no sanitizer report" && sed 's/^/#   /' "$TMP/web.err" | head -30
    fi
}
"$FT" web --db "$TMP/missing.db" --web 127.0.0.1:0 >/dev/null 2>"$TMP/missing.err"
check_eq "flowtally web on a missing store exits 1 and makes none" \
    "$?:$([ -e "$TMP/missing.db" ] && echo made)" "1:"
start_web
check_eq "flowtally web: alice's used bytes" \
    "$(portal_get http "$WEB" /api/v1/usage | jq .used_bytes)" "$A_USED"
# the staff's exporters page shows the health view of `flowtally stats` on the same store
# (written by the daemon's flushes above, unchanged since): each exporter's records/s over
# the last interval and the hour, and its verdict, as the CLI's CSV says
portal_get http "$WEB" /staff/exporters sam staff-pass-22 >"$TMP/exporters.html"
"$FT" stats --db "$DB" --format csv |
    awk -F, 'NR > 1 { print $1 "," $4 "," $5 "," $17 }' >"$TMP/health-cli.txt"
health_of_page "$TMP/exporters.html" >"$TMP/health-page.txt"
check_eq "/staff/exporters: one exporter, 127.0.0.1, ok, records in the hour, as flowtally stats says" \
    "$(awk -F, '{ print $1, $4, ($3 > 0) }' "$TMP/health-cli.txt")" "127.0.0.1 ok 1"
check_same "/staff/exporters: records/s, records/s 1h and the verdict of flowtally stats" \
    "$TMP/health-page.txt" "$TMP/health-cli.txt"
stop_web "flowtally web"

if openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
    -days 1 -subj /CN=localhost >/dev/null 2>&1; then
    start_web --web-tls-cert "$TMP/cert.pem" --web-tls-key "$TMP/key.pem"
    check_eq "over TLS: alice's used bytes" \
        "$(portal_get https "$WEB" /api/v1/usage | jq .used_bytes)" "$A_USED"
    head=$(curl -sk -D - -o /dev/null "https://127.0.0.1:$WEB/login")
    case $head in *"Strict-Transport-Security: max-age=31536000"*) ok "over TLS: HSTS" ;;
    *) not_ok "over TLS: HSTS" ;; esac
    case $head in *"Set-Cookie: ft_login="*"; Secure"*) ok "over TLS: cookies are Secure" ;;
    *) not_ok "over TLS: cookies are Secure" ;; esac
    curl -s -o /dev/null "http://127.0.0.1:$WEB/login"
    check_eq "over TLS: plain HTTP gets no page" "$([ $? -ne 0 ] && echo refused)" refused
    stop_web "flowtally web over TLS"
else
    skip "over TLS" "openssl cannot make a certificate"
fi
done_testing
