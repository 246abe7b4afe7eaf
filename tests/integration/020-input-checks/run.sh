#!/bin/sh
# Input that makes no sense is refused, through the real CLI, and nothing of it is stored:
# sizes and amounts past what the store's signed 64-bit integers hold (2^63 bytes came back
# negative), dates that do not exist (2026-02-30 was taken as 2026-03-02), prefixes that
# would give one account every address (0.0.0.0/0 once took 41 GB), unless --wide says it
# is meant. Binding what an account holds already changes nothing, and no binding is ever
# left ending where it starts. Refused input exits 1, a malformed option value 2 (the
# CLI's contract); every check reads the SQLite file itself.
. "$(dirname "$0")/../lib.sh"

DB="$TMP/flowtally.db"
ft() { "$FT" "$@" --db "$DB"; }
q() { sqlite3 "$DB" "$1"; }
# refused NAME STATUS CMD...: the command exits STATUS and says why on stderr.
refused() {
    name=$1 want=$2
    shift 2
    ft "$@" >"$TMP/out" 2>"$TMP/err"
    check_eq "$name: exit $want" "$?" "$want"
    if [ ! -s "$TMP/err" ]; then not_ok "$name: a message on stderr"; fi
}
# says NAME TEXT: the last command's stderr starts with "flowtally: TEXT".
says() {
    case "$(cat "$TMP/err")" in
    "flowtally: $2"*) ok "$1" ;;
    *) not_ok "$1: $(cat "$TMP/err")" ;;
    esac
}

ft plan add basic --quota 15GB --price 25.00
for a in alice bob carol dave erin frank gina campus lab; do ft subscriber add $a --plan basic; done

# ---- sizes and money: INT64_MAX is the most the store holds
refused "quota of 2^63 bytes" 1 plan add big --quota 9223372036854775808
says "the message gives the limit" \
    "--quota '9223372036854775808': expected at most 9223372036854775807 bytes"
refused "quota of 2^33 GiB (2^63 bytes)" 1 plan add big --quota 8589934592GiB
refused "quota of 2^64 - 1 bytes" 1 plan add big --quota 18446744073709551615
says "too large, not malformed" "--quota '18446744073709551615': expected at most"
refused "price past INT64_MAX millionths" 1 plan add big --price 9223372036854.775808
says "the message gives the range" "--price '9223372036854.775808': expected an amount from 0 to"
refused "negative overage" 1 plan add big --overage -0.50
says "negative is out of range" "--overage '-0.50': expected an amount from 0 to"
check_eq "no plan of a refused command stored" "$(q "SELECT count(*) FROM plans WHERE name = 'big'")" 0
ft plan add max --quota 9223372036854775807 --price 9223372036854.775807
check_eq "INT64_MAX bytes and millionths accepted" "$?" 0
check_eq "stored exactly" "$(q "SELECT quota_bytes, price_micro FROM plans WHERE name = 'max'")" \
    "9223372036854775807|9223372036854775807"
refused "plan set past the limit" 1 plan set max --quota 9223372036854775808
check_eq "plan set changed nothing" "$(q "SELECT quota_bytes FROM plans WHERE name = 'max'")" \
    9223372036854775807
printf 'fine --quota 1GB\nhuge --quota 10000000000EB\n' >"$TMP/plans.txt"
refused "plan import with a quota overflowing in the unit" 1 plan import "$TMP/plans.txt"
says "FILE:LINE and the limit" "$TMP/plans.txt:2: --quota '10000000000EB': expected at most"
check_eq "nothing of the plan file stored" \
    "$(q "SELECT count(*) FROM plans WHERE name IN ('fine', 'huge')")" 0
check_eq "no negative size or amount anywhere" \
    "$(q "SELECT count(*) FROM plans WHERE quota_bytes < 0 OR price_micro < 0
          OR overage_micro_per_gb < 0")" 0

# ---- times: real dates only (timegm would move these), exit 2 as for any malformed option
n_bindings() { q "SELECT count(*) FROM bindings"; }
refused "bind --from 2026-02-30" 2 bind alice 10.0.0.9 --from 2026-02-30
says "names the value, says what was expected" \
    "--from '2026-02-30': expected a real date from 1970 to 9999, YYYY-MM-DD[THH:MM[:SS]] (UTC)"
refused "bind --from 2026-04-31" 2 bind alice 10.0.0.9 --from 2026-04-31
refused "bind --from 2025-02-29" 2 bind alice 10.0.0.9 --from 2025-02-29
refused "bind --from a 60th second" 2 bind alice 10.0.0.9 --from 2026-09-01T23:59:60
refused "bind --to 2026-09-31" 2 bind alice 10.0.0.9 --from 2026-09-01 --to 2026-09-31
refused "register --from 2026-02-29" 2 register alice 02:00:00:00:00:09 --from 2026-02-29
check_eq "no binding stored" "$(n_bindings)" 0
refused "report --from 2026-02-30" 2 report --from 2026-02-30
refused "report --to 2026-06-31" 2 report --to 2026-06-31
refused "usage --at 2026-02-30" 2 usage alice --at 2026-02-30
printf 'alice 10.0.0.10 --from 2026-09-01\nalice 10.0.0.11 --from 2026-02-30\n' >"$TMP/dates.txt"
refused "bind import with 2026-02-30 on line 2" 1 bind import "$TMP/dates.txt"
says "FILE:LINE and the value" "$TMP/dates.txt:2: --from '2026-02-30': expected a real date"
check_eq "nothing of the file stored" "$(n_bindings)" 0
ft bind alice 10.0.0.12 --from 2024-02-29
check_eq "2024-02-29 accepted" "$?" 0
check_eq "from 2024-02-29T00:00:00Z" \
    "$(q "SELECT start_ms FROM bindings WHERE value = '10.0.0.12/32'")" 1709164800000
refused "unbind --at 2026-06-31" 2 unbind 10.0.0.12 --at 2026-06-31
check_eq "the binding stays open" \
    "$(q "SELECT count(*) FROM bindings WHERE value = '10.0.0.12/32' AND end_ms IS NULL")" 1

# ---- catch-alls: shorter than /8 (IPv4) or /16 (IPv6), or all of IPv4, need --wide
refused "0.0.0.0/0" 1 bind alice 0.0.0.0/0
says "what it would do, and the way out" "0.0.0.0/0 would bind every IPv4 address to alice: give \
--wide if you really mean one account to hold a prefix this large"
refused "::/0" 1 bind alice ::/0
says "::/0 is every address" "::/0 would bind every address to alice"
refused "an IPv4 /7" 1 bind alice 10.0.0.0/7
refused "an IPv6 /15" 1 bind alice 2000::/15
refused "an IPv6 /80 holding all of IPv4" 1 bind alice ::/80
printf 'bob 10.1.0.1\nbob 0.0.0.0/0\n' >"$TMP/wide.txt"
refused "bind import of 0.0.0.0/0" 1 bind import "$TMP/wide.txt"
says "FILE:LINE" "$TMP/wide.txt:2: 0.0.0.0/0 would bind every IPv4 address to bob"
refused "bind import --wide" 2 bind import "$TMP/wide.txt" --wide
check_eq "no wide binding stored" "$(q "SELECT count(*) FROM bindings WHERE value <> '10.0.0.12/32'")" 0
ft bind campus 10.0.0.0/8 >/dev/null && ft bind campus 2001::/16 >/dev/null
check_eq "an IPv4 /8 and an IPv6 /16 need no --wide" \
    "$(q "SELECT count(*) FROM bindings WHERE value IN ('10.0.0.0/8', '2001::/16')")" 2
ft bind lab 0.0.0.0/0 --wide
check_eq "0.0.0.0/0 --wide accepted" "$?" 0
echo 'lab ::/0 --wide' >"$TMP/wide-ok.txt"
ft bind import "$TMP/wide-ok.txt" >/dev/null
check_eq "::/0 --wide on an import line accepted" "$?" 0
check_eq "both stored, for lab" "$(q "SELECT group_concat(value, ' ') FROM (SELECT b.value
    FROM bindings b JOIN subscribers s ON s.id = b.subscriber_id WHERE s.account = 'lab'
    ORDER BY b.value)")" "0.0.0.0/0 ::/0"

# ---- the same binding twice: one row, the original start
rows() { q "SELECT s.account || ',' || b.start_ms || ',' || coalesce(b.end_ms, '-') FROM bindings b
    JOIN subscribers s ON s.id = b.subscriber_id WHERE b.value = '$1' ORDER BY b.start_ms" |
    tr '\n' ' '; }
sep1=1788220800000 # 2026-09-01T00:00:00Z
aug1=1785542400000 # 2026-08-01T00:00:00Z
oct1=1790812800000 # 2026-10-01T00:00:00Z
ft bind alice 10.0.0.1 --from 2026-09-01
out=$(ft bind alice 10.0.0.1 --from 2026-09-01)
check_eq "binding it again exits 0" "$?" 0
check_eq "and says so on stdout" "$out" "10.0.0.1/32 is bound to alice already, since 2026-09-01T00:00:00Z"
ft bind alice 10.0.0.1 --from 2026-10-01 >/dev/null
ft bind alice 10.0.0.1 >/dev/null
check_eq "one row, the original start" "$(rows 10.0.0.1/32)" "alice,$sep1,- "
printf 'carol 10.0.0.2 --from 2026-09-01\ncarol 10.0.0.2 --from 2026-09-01\n' >"$TMP/twice.txt"
out=$(ft bind import "$TMP/twice.txt")
check_eq "an import with the same line twice exits 0" "$?" 0
check_eq "and says one line changed nothing" "$out" "imported 2 bindings from $TMP/twice.txt
1 of them bound what their account held already: left as it was"
ft bind import "$TMP/twice.txt" >/dev/null
check_eq "one row after importing it twice" "$(rows 10.0.0.2/32)" "carol,$sep1,- "

# ---- another account from the same start, or earlier: the older binding goes
ft bind dave 10.0.0.3 --from 2026-09-01
ft bind erin 10.0.0.3 --from 2026-09-01
check_eq "same start: only the new holder" "$(rows 10.0.0.3/32)" "erin,$sep1,- "
ft bind frank 10.0.0.3 --from 2026-08-01
check_eq "earlier start: only the new holder" "$(rows 10.0.0.3/32)" "frank,$aug1,- "
ft bind gina 10.0.0.3 --from 2026-10-01
check_eq "later start: the older binding ends there" "$(rows 10.0.0.3/32)" \
    "frank,$aug1,$oct1 gina,$oct1,- "

# ---- unbind at or before the start leaves no row
ft bind dave 10.0.0.4 --from 2026-09-01
ft unbind 10.0.0.4 --at 2026-09-01
check_eq "unbind at the start exits 0" "$?" 0
check_eq "and leaves no row" "$(rows 10.0.0.4/32)" ""
ft bind dave 10.0.0.5 --from 2026-09-01
ft unbind 10.0.0.5 --at 2026-08-01
check_eq "unbind before the start leaves no row" "$(rows 10.0.0.5/32)" ""
refused "unbind with nothing open" 1 unbind 10.0.0.5

check_eq "no binding anywhere ends where (or before) it starts" \
    "$(q "SELECT count(*) FROM bindings WHERE end_ms <= start_ms")" 0
done_testing
