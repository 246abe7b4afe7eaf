#!/bin/sh
# `flowtally run --demo` (what `make run` starts before any config exists), end to end: it
# makes flowtally-demo.db in the working directory, prints what to try, and feeds its own
# collector live IPFIX flows. The printed report command must show the history exactly as
# the rules in src/demo/demo.h imply, recomputed below in awk (240 subscribers, 720 hours,
# no flowtally involved); every CLI report says "demo data" on stderr and the portal shows
# its banner to a printed login; live usage grows flush after flush; a second start takes
# the store as it is; a store that is not a demo store is refused and left untouched.
# SQLite only: the demo's own store is a file beside it.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
# start_demo OUT ERR ARGS...: `run --demo` on port 0 listeners; sets DAEMON_PID.
start_demo() {
    out=$1 err=$2
    shift 2
    "$FT" run --demo --netflow 127.0.0.1:0 --sflow 127.0.0.1:0 --web 127.0.0.1:0 --flush 1 "$@" \
        >"$out" 2>"$err" &
    DAEMON_PID=$!
}
# started FILE: waits for the hints, up to 60 s (three of wait_for's 20 s: making the store
# takes a few seconds under ASan, more on a busy machine).
started() {
    wait_for grep -q '^demo: try' "$1" || wait_for grep -q '^demo: try' "$1" ||
        wait_for grep -q '^demo: try' "$1"
}

BEFORE=$(date -u +%s)
start_demo demo.out demo.err
if ! started demo.out; then
    not_ok "run --demo starts and prints what to try"
    sed 's/^/#   /' demo.out demo.err | head -30
    done_testing
    exit 1
fi
AFTER=$(date -u +%s)
ok "run --demo starts and prints what to try"

# ---- the hints ----
WEB=$(sed -n 's|^web: listening on http://127.0.0.1:\([0-9]*\)$|\1|p' demo.out)
PORT=$(sed -n 's/.*listening on udp 127.0.0.1:\([0-9]*\) (NetFlow.*/\1/p' demo.out)
REPORT=$(grep '^  flowtally report --db flowtally-demo.db --by class,app --from ' demo.out)
FROM=$(echo "$REPORT" | sed -n 's/.* --from \([^ ]*\) .*/\1/p')
TO=$(echo "$REPORT" | sed -n 's/.* --to \([^ ]*\)$/\1/p')
# the history ends at the start of the hour the demo was made in
TO_S=$(date -u -d "$TO" +%s)
FROM_S=$(date -u -d "$FROM" +%s)
if [ "$TO_S" -eq $((BEFORE / 3600 * 3600)) ] || [ "$TO_S" -eq $((AFTER / 3600 * 3600)) ]; then
    ok "the history ends at the hour the demo was made ($TO)"
else
    not_ok "the history ends at the hour the demo was made: got $TO for start $BEFORE"
fi
check_eq "the history is 30 days" "$((TO_S - FROM_S))" 2592000
check_eq "hint: usage of a demo subscriber" \
    "$(grep -c '^  flowtally usage gus.costa --db flowtally-demo.db$' demo.out)" 1
check_eq "hint: the portal and two logins" \
    "$(grep -c "^  the portal: http://127.0.0.1:$WEB/  logins: gus.costa / demo (a customer), staff / demo (staff)$" demo.out)" 1
check_eq "hint: the live flows' target" \
    "$(grep -c "^demo: live flows, 200 a second, go to the collector at 127.0.0.1:$PORT as IPFIX.$" demo.out)" 1
check_eq "the demo store is made beside, the real default store is not touched" \
    "$(ls flowtally-demo.db flowtally-demo.d/classes.conf flowtally.db 2>&1 | grep -c 'No such')" 1

# ---- the history, exactly ----
# The rules of src/demo/world.c: subscriber i (1..240) in unix hour h is active when
# (i + h) % 3 == 0; its pair is ((i + h) / 3) % 8 of the table below; bytes in =
# (20 + i*37 % 61) * 100000 * profile[h % 24], x12 when i % 7 == 0; bytes out = in / 10;
# packets in = in / 1200 + 1, out = out / 100 + 1; flows 1 + h % 5 each way.
awk -v from="$((FROM_S / 3600))" -v to="$((TO_S / 3600))" 'BEGIN {
    split("3 2 1 1 1 1 2 3 4 4 4 5 5 5 5 5 6 7 8 9 10 10 8 5", prof, " ")
    split("international,HTTPS international,QUIC national,HTTPS international,HTTPS " \
          "free,HTTP international,other national,DNS international,QUIC", pair, " ")
    for (h = from; h < to; h++)
        for (i = 1; i <= 240; i++) {
            if ((i + h) % 3 != 0) continue
            p = pair[int((i + h) / 3) % 8 + 1]
            bin = (20 + (i * 37) % 61) * 100000 * prof[h % 24 + 1] * (i % 7 == 0 ? 12 : 1)
            bout = int(bin / 10)
            bi[p] += bin; bo[p] += bout
            pi[p] += int(bin / 1200) + 1; po[p] += int(bout / 100) + 1
            f[p] += 1 + h % 5
        }
    for (p in bi)
        printf "%s,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,0,0,0,0,0,0\n", p, bi[p], bo[p], pi[p], po[p], f[p], f[p]
}' | sort >want.csv
check_eq "the rules give 6 class and app pairs" "$(grep -c . want.csv)" 6

wait_for sh -c "\"$FT\" stats --counters --db flowtally-demo.db --format csv 2>/dev/null | grep -q ',flows,[1-9]'" ||
    not_ok "the collector flushed the live flows"
# the command exactly as printed, then as CSV
eval "\"\$FT\"${REPORT#  flowtally}" >report.txt 2>report.err
check_eq "the printed report command runs" "$?" 0
check_eq "the printed report says demo data on stderr" \
    "$(grep -c '^flowtally: demo data: this store was made by `flowtally run --demo`; nothing in it is real$' report.err)" 1
check_eq "the report's table has the 6 pairs and a total" "$(grep -c . report.txt)" 8
eval "\"\$FT\"${REPORT#  flowtally} --format csv" 2>/dev/null | sed 1d | sort >got.csv
check_same "history by class and app: exactly the rules' figures" got.csv want.csv
for cmd in "usage gus.costa" "stats" "bill preview --cycle $(date -u +%Y-%m)"; do
    # shellcheck disable=SC2086
    "$FT" $cmd --db flowtally-demo.db >/dev/null 2>cmd.err
    check_eq "flowtally $cmd says demo data on stderr" "$(grep -c '^flowtally: demo data' cmd.err)" 1
done

# ---- live flows: usage after the history grows from one flush to the next ----
live() {
    "$FT" report --db flowtally-demo.db --by class --from "$TO" --format csv 2>/dev/null |
        awk -F, 'NR > 1 { s += $2 + $3 } END { print s + 0 }'
}
L1=$(live)
wait_for sh -c "[ \$(\"$FT\" report --db flowtally-demo.db --by class --from $TO --format csv 2>/dev/null | awk -F, 'NR > 1 { s += \$2 + \$3 } END { print s + 0 }') -gt $L1 ]"
L2=$(live)
if [ "$L1" -gt 0 ] && [ "$L2" -gt "$L1" ]; then
    ok "live usage grows across flushes ($L1 then $L2 bytes)"
else
    not_ok "live usage grows across flushes: $L1 then $L2 bytes"
fi
check_eq "every live byte is some subscriber's (none unassigned)" \
    "$("$FT" report --db flowtally-demo.db --by subscriber --from "$TO" --format csv 2>/dev/null | awk -F, 'NR > 1 && $1 == "" { n++ } END { print n + 0 }')" 0
"$FT" report --db flowtally-demo.db --by host,class --from "$TO" --format csv >live6.csv 2>/dev/null
check_eq "dual-stack subscribers' live IPv6 flows: hosts of their /56 (::1), and none else" \
    "$(awk -F, '$1 ~ /:/ { n++; if ($1 !~ /^2001:db8:20:[0-9a-f]+00::1$/) bad++ } END { print (n > 0) "|" bad + 0 }' live6.csv)" \
    "1|0"

# ---- the portal: a printed login, the demo banner ----
csrf=$(curl -s -c jar "http://127.0.0.1:$WEB/login" | sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
curl -s -b jar -c jar -o /dev/null --data-urlencode "csrf=$csrf" --data-urlencode "username=gus.costa" \
    --data-urlencode "password=demo" "http://127.0.0.1:$WEB/login"
curl -s -b jar "http://127.0.0.1:$WEB/" >page.html
check_eq "the portal shows the demo banner" \
    "$(grep -c '<p class="demo">Demo data: nothing here is real</p>' page.html)" 1
check_eq "gus.costa is logged in, on his page" "$(grep -c 'Gus Costa' page.html | awk '{ print ($1 > 0) }')" 1

# ---- stop, start again on the same store ----
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
check_eq "run --demo stops cleanly on SIGTERM (sent to it, passed to the daemon)" "$?" 0
DAEMON_PID=""
check_eq "it says how many live flows it sent" "$(grep -c '^demo: sent [1-9][0-9]* live flows$' demo.out)" 1
if grep -q 'ERROR\|runtime error\|Sanitizer' demo.err; then
    not_ok "no sanitizer report" && sed 's/^/#   /' demo.err | head -30
fi
start_demo demo2.out demo2.err
started demo2.out || not_ok "a second run --demo starts"
check_eq "a second start keeps the history (same period)" \
    "$(grep -c -- "--from $FROM --to $TO\$" demo2.out)" 1
eval "\"\$FT\"${REPORT#  flowtally} --format csv" 2>/dev/null | sed 1d | sort >got2.csv
check_same "a second start adds no history" got2.csv want.csv
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
check_eq "the second run stops cleanly" "$?" 0
DAEMON_PID=""
grep -q 'ERROR\|runtime error\|Sanitizer' demo2.err && not_ok "no sanitizer report (second run)" &&
    sed 's/^/#   /' demo2.err | head -30

# ---- a store that is not a demo store is refused ----
"$FT" plan add basic --quota 15GB --price 25 --db real.db >/dev/null 2>&1
start_demo real.out real.err --db real.db
wait "$DAEMON_PID"
check_eq "--demo on a store not marked demo fails" "$?" 1
DAEMON_PID=""
check_eq "and says why" \
    "$(grep -c '^flowtally: real.db is not a demo store: --demo writes a fictional WISP and never into a real store' real.err)" 1
check_eq "the real store got nothing" "$(sqlite3 real.db 'select count(*) from subscribers; select count(*) from meta where key like "demo%"' | tr '\n' ' ')" "0 0 "

done_testing
