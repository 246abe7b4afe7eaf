#!/bin/sh
# Output a program can trust. Names an admin script could send (a quote-comma-quote that
# once made mallory's JSON row read as account alice, a spreadsheet formula, a speed full
# of quotes, commas and a backslash) must come out of every JSON and CSV listing as exactly
# the text that went in: each JSON document parses (Python's strict parser: valid UTF-8, no
# raw control characters) and each CSV parses per RFC 4180 (Python's csv module) with the
# header's field count on every row. A text cell starting with = + - or @ gets an
# apostrophe in CSV; numbers never do. Text that is not valid UTF-8, or holds control
# characters, is refused when typed, naming the field; and bytes a store kept from before
# the check (written here with sqlite3) still make valid JSON, with U+FFFD in their place.
# Usage comes from a plain usage log imported once: no daemon needed.
. "$(dirname "$0")/../lib.sh"

DB="$TMP/flowtally.db"
ft() { "$FT" "$@" --db "$DB"; }
PY=/usr/bin/python3 # Debian's: `python3` on PATH may be another interpreter

# json_ok: every line of stdin is one JSON document (JSON lines), or stdin is one document.
json_ok() {
    "$PY" -c '
import json, sys
try:
    text = sys.stdin.buffer.read().decode("utf-8")  # strict: invalid UTF-8 fails
    try:
        json.loads(text)
    except ValueError:
        for line in text.splitlines():
            json.loads(line)  # strict: raw control characters fail
except ValueError as e:
    sys.exit("# not valid JSON: %s" % e)
'
}
# csv_rows: parses CSV on stdin (RFC 4180) and prints its rows as one JSON array of arrays;
# fails when a row's field count differs from the header's.
csv_rows() {
    "$PY" -c '
import csv, io, json, sys
try:
    text = sys.stdin.buffer.read().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
except (ValueError, csv.Error) as e:
    sys.exit("# not valid CSV: %s" % e)
print(json.dumps(rows))
bad = [r for r in rows if len(r) != len(rows[0])]
if bad:
    sys.exit("# rows with a field count other than the header (%d): %r" % (len(rows[0]), bad[:3]))
'
}
# subscribers_ascii: the subscriber of every row of report JSON on stdin, as Python's ascii()
# shows them (read as strict UTF-8: jq would repair invalid bytes itself and hide them).
subscribers_ascii() {
    "$PY" -c '
import json, sys
rows = json.loads(sys.stdin.buffer.read().decode("utf-8"))["rows"]
print(ascii([r["subscriber"] for r in rows]))
'
}
# row_of JSON_ROWS FIRST_CELL: the row (a JSON array, compact) whose first cell is FIRST_CELL.
row_of() { printf '%s' "$1" | jq -c --arg k "$2" '.[] | select(.[0] == $k)'; }

HOSTILE='Mallory","account":"alice'
FORMULA='=HYPERLINK("http://evil.example/","click")'
SPEED='10,5 Mbps", "quota_bytes": 1, "x": "\'
ft plan add basic --quota 15GB --speed "1.6 Mbps symmetrical"
ft plan add tiny --quota 1kB --speed "$SPEED"
ft subscriber add alice --name "Alice Example" --email alice@example.org --plan basic
ft subscriber add mallory --name "$HOSTILE" --email "m,x@example.org" --plan basic
ft subscriber add eve --name "$FORMULA" --plan basic
ft subscriber add =cmd --name "@SUM(A1)" --plan tiny
ft subscriber add @home --name "-2+3" --plan tiny
ft subscriber add zoe --name "Zo\"e, \\o/ Ren$(printf '\303\251')" --notes "$(printf 'caf\303\251')"
check_eq "six accounts stored" "$(ft subscriber list --format csv | sed 1d | wc -l | tr -d ' ')" 6

# ---- JSON: every document parses; mallory's row is mallory's, with the exact name
ft subscriber list --format json >"$TMP/subs.json"
if json_ok <"$TMP/subs.json"; then ok "subscriber list --format json: every row parses"; else not_ok "subscriber list --format json: every row parses"; fi
check_eq "subscriber list --format json: one row per account" "$(jq -s length "$TMP/subs.json")" 6
check_eq "mallory's JSON row: account" \
    "$(jq -r --arg n "$HOSTILE" 'select(.name == $n) | .account' "$TMP/subs.json")" mallory
check_eq "mallory's JSON row: the exact name" \
    "$(jq -r 'select(.account == "mallory") | .name' "$TMP/subs.json")" "$HOSTILE"
check_eq "alice's JSON row is alice's alone" \
    "$(jq -c 'select(.account == "alice")' "$TMP/subs.json")" \
    '{"account":"alice","name":"Alice Example","email":"alice@example.org","plan":"basic","status":"active"}'
check_eq "eve's JSON name is the formula, as typed" \
    "$(jq -r 'select(.account == "eve") | .name' "$TMP/subs.json")" "$FORMULA"
check_eq "zoe's JSON name" "$(jq -r 'select(.account == "zoe") | .name' "$TMP/subs.json")" \
    "Zo\"e, \\o/ Ren$(printf '\303\251')"

ft plan list --format json >"$TMP/plans.json"
if json_ok <"$TMP/plans.json"; then ok "plan list --format json: every row parses"; else not_ok "plan list --format json: every row parses"; fi
check_eq "plan tiny's JSON row: the exact speed, the real quota" \
    "$(jq -r 'select(.name == "tiny") | "\(.quota_bytes) \(.speed)"' "$TMP/plans.json")" \
    "1000 $SPEED"
check_eq "plan list --format json: two rows" "$(jq -s length "$TMP/plans.json")" 2

# ---- CSV: every row has the header's field count and the exact cells
if rows=$(ft subscriber list --format csv | csv_rows); then ok "subscriber list --format csv: every row has the header's fields"; else not_ok "subscriber list --format csv: $rows"; fi
check_eq "CSV header" "$(printf '%s' "$rows" | jq -c '.[0]')" '["account","name","email","plan","status"]'
check_eq "mallory's CSV row" "$(row_of "$rows" mallory)" \
    "$(jq -cn --arg n "$HOSTILE" '["mallory", $n, "m,x@example.org", "basic", "active"]')"
check_eq "a name starting with = comes out as '=... in CSV" "$(row_of "$rows" eve | jq -r '.[1]')" \
    "'$FORMULA"
check_eq "an account starting with = comes out as '=... in CSV" \
    "$(row_of "$rows" "'=cmd" | jq -c '.[0:2]')" '["'"'"'=cmd","'"'"'@SUM(A1)"]'
check_eq "a name starting with - comes out as '-... in CSV" \
    "$(row_of "$rows" "'@home" | jq -r '.[1]')" "'-2+3"
check_eq "zoe's CSV name" "$(row_of "$rows" zoe | jq -r '.[1]')" "Zo\"e, \\o/ Ren$(printf '\303\251')"
check_eq "an ordinary row is unchanged (name quoted, as always)" \
    "$(ft subscriber list --format csv | grep '^alice,')" 'alice,"Alice Example",alice@example.org,basic,active'

if rows=$(ft plan list --format csv | csv_rows); then ok "plan list --format csv: every row has the header's fields"; else not_ok "plan list --format csv: $rows"; fi
check_eq "plan tiny's CSV row: numbers as numbers, the exact speed" "$(row_of "$rows" tiny)" \
    "$(jq -cn --arg s "$SPEED" '["tiny", "1000", "both", "0.00", "0.00", "1", $s, "0", "", "", ""]')"

# ---- report: usage of every account from a plain usage log (timestamp user mac local
# remote in out)
cat >"$TMP/usage.log" <<'LOG'
1790000000 alice - 10.0.0.1 203.0.113.1 1000 100
1790000001 =cmd - 10.0.0.2 203.0.113.1 2000 200
1790000002 @home - 10.0.0.3 203.0.113.1 3000 300
1790000003 mallory - 10.0.0.4 203.0.113.1 4000 400
LOG
ft import log plain "$TMP/usage.log" >/dev/null 2>&1
check_eq "usage log imported" "$?" 0
if rows=$(ft report --by subscriber,host --format csv | csv_rows); then ok "report --format csv: every row has the header's fields"; else not_ok "report --format csv: $rows"; fi
check_eq "report CSV rows" "$(printf '%s' "$rows" | jq -c '.[1:] | map(.[0:4])')" \
    '[["'"'"'=cmd","10.0.0.2","2000","200"],["'"'"'@home","10.0.0.3","3000","300"],["alice","10.0.0.1","1000","100"],["mallory","10.0.0.4","4000","400"]]'
if ft report --by subscriber --format json | json_ok; then ok "report --format json parses"; else not_ok "report --format json parses"; fi
check_eq "report JSON keeps names as they are" \
    "$(ft report --by subscriber --format json | jq -c '[.rows[] | .subscriber]')" \
    '["=cmd","@home","alice","mallory"]'
if rows=$(ft report --over-quota --at 2026-09-22 --format csv | csv_rows); then ok "report --over-quota --format csv parses"; else not_ok "report --over-quota --format csv: $rows"; fi
check_eq "over-quota CSV: guarded names, plain numbers" "$(printf '%s' "$rows" | jq -c '.[1:]')" \
    '[["'"'"'=cmd","tiny","2200","1000","220.00"],["'"'"'@home","tiny","3300","1000","330.00"]]'
if ft report --over-quota --at 2026-09-22 --format json | json_ok; then ok "report --over-quota --format json parses"; else not_ok "report --over-quota --format json parses"; fi

# ---- a log path with a quote names its counters in stats
cp "$TMP/usage.log" "$TMP/we\"ird.log"
ft import log plain "$TMP/we\"ird.log" >/dev/null 2>&1
if ft stats --counters --format json | json_ok; then ok "stats --format json parses (a log path with a quote)"; else not_ok "stats --format json parses (a log path with a quote)"; fi
check_eq "stats JSON names the path exactly" \
    "$(ft stats --counters --format json | jq -r --arg p "$TMP/we\"ird.log" '.stats[] | select(.exporter == $p) | .counter')" log_usage
if rows=$(ft stats --counters --format csv | csv_rows); then ok "stats --format csv: every row has the header's fields"; else not_ok "stats --format csv: $rows"; fi

# ---- refused on input: invalid UTF-8 and control characters, naming the field
bad=$(printf 'bad\377')
ft subscriber add "$bad" 2>"$TMP/err"
check_eq "an account with invalid UTF-8 is refused (exit 1)" "$?" 1
check_eq "... with a clear message" "$(cat "$TMP/err")" \
    "flowtally: account: not valid UTF-8 (byte 0xff at offset 3)"
ft subscriber set alice --name "$(printf 'Al\303ce')" 2>"$TMP/err"
check_eq "a --name with invalid UTF-8 is refused (exit 1)" "$?" 1
check_eq "... naming --name" "$(cat "$TMP/err")" "flowtally: --name: not valid UTF-8 (byte 0xc3 at offset 2)"
ft subscriber set alice --email "$(printf 'a\355\240\200@x')" 2>"$TMP/err"
check_eq "an --email with a surrogate is refused" "$?:$(cat "$TMP/err")" \
    "1:flowtally: --email: not valid UTF-8 (byte 0xed at offset 1)"
ft subscriber set alice --notes "$(printf 'two\nlines')" 2>"$TMP/err"
check_eq "--notes with a newline is refused" "$?:$(cat "$TMP/err")" \
    "1:flowtally: --notes: control character U+000A at offset 3"
ft plan set tiny --speed "$(printf '\300\200')" 2>"$TMP/err"
check_eq "an overlong --speed is refused" "$?:$(cat "$TMP/err")" \
    "1:flowtally: --speed: not valid UTF-8 (byte 0xc0 at offset 0)"
ft plan add "$(printf 'p\364\220\200\200')" 2>"$TMP/err"
check_eq "a plan name past U+10FFFF is refused" "$?:$(cat "$TMP/err")" \
    "1:flowtally: plan name: not valid UTF-8 (byte 0xf4 at offset 1)"
check_eq "nothing refused was stored" "$(ft subscriber list --format json | jq -r 'select(.account == "alice") | .name')" \
    "Alice Example"

# ---- bytes from before the check still make valid JSON
"${SQLITE3:-sqlite3}" "$DB" "UPDATE subscribers SET account = CAST(X'6f6c64ff' AS TEXT), name = CAST(X'e282' AS TEXT) WHERE account = 'alice'" ||
    not_ok "could not write legacy bytes"
if ft report --by subscriber --format json | json_ok; then ok "report --format json stays valid JSON"; else not_ok "report --format json stays valid JSON"; fi
check_eq "invalid bytes become U+FFFD" "$(ft report --by subscriber --format json | subscribers_ascii)" \
    "['=cmd', '@home', 'mallory', 'old\\ufffd']"
if ft subscriber list --format json | json_ok; then ok "subscriber list --format json stays valid JSON"; else not_ok "subscriber list --format json stays valid JSON"; fi
done_testing
