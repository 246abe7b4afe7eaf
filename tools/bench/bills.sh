#!/bin/sh
# The billing part of `make bench` (also run alone: sh tools/bench/bills.sh BUILD, after
# make BUILD=... BUILD/flowtally).
#  1. For each size (1,000 and 10,000 subscribers), a SQLite store: the plan Basic (15 GB,
#     both directions, 25.00, overage 2.00/GB, anchor day 1) through `plan add`, the
#     subscribers on it through `subscriber import`, one host each through `bind import`;
#     then a month of usage (2025-03, UTC: 8,928 buckets of 300 s) written as the collector
#     writes it (tools/bench/seedbills.c, through the store's begin/add_usage/commit,
#     bucket after bucket, 200,000-row transactions): each subscriber active in a third of
#     the buckets, 2 or 3 classes (international, national, free) in and out, one
#     application, ~5 rows an active bucket, ~8-24 GB counted a month.
#  2. Times `flowtally bill close --cycle 2025-03 --db DB` (TZ=UTC): wall, CPU (user+sys)
#     and peak RSS of the command (wait4's rusage), usage rows read per second of wall, and
#     whether it issued one invoice per subscriber ("N issued"); then closes it again,
#     which must issue none (all "already done") and leave N invoices.
#  3. The same for PostgreSQL at 1,000 subscribers, on a throwaway server (tests/pg.sh,
#     fsync on), when PostgreSQL is installed.
# Bounded: the seeder stops at the end of the first day past BENCH_BILLS_SEED_BUDGET seconds,
# and a store that would not fit on the disk (predicted from the size before) gets fewer
# days; either way every line and row says "NOT a full month". Each store is removed once
# measured. Before each close: sync (no writeback of the seeding competes with it).
# Output: a summary on stdout; with ROWS_FILE, the table rows as "measure<TAB>value" lines
# (tools/bench/bench.sh adds them to its table).
# Usage: sh tools/bench/bills.sh BUILD_DIR [ROWS_FILE]. Knobs (environment):
# BENCH_BILLS_SIZES ("1000 10000"; "": no SQLite store, only PostgreSQL's),
# BENCH_BILLS_PG_SIZE (1000; 0: no PostgreSQL),
# BENCH_BILLS_SEED_BUDGET (seconds of seeding per store, 3000: a full month of 10,000 took
# 1,960-2,410 s on a 2-core VM, the whole part ~40-47 min; 300 makes it ~12 min, 10,000 then
# getting ~4 days), BENCH_BILLS_TARGET_S (wall-time target of closing the first size, 10),
# BENCH_BILLS_TMP (where the stores go, /tmp; the 10,000 one takes ~16 GB), BENCH_BILLS_KEEP
# (non-empty: keep them).
set -u

BUILD=${1:-build/release}
ROWS_OUT=${2:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
FT="$ROOT/$BUILD/flowtally"
SEEDER="$ROOT/$BUILD/tools/bench_seedbills"

SIZES=${BENCH_BILLS_SIZES-"1000 10000"} # set but empty: no SQLite store, PostgreSQL only
PG_SIZE=${BENCH_BILLS_PG_SIZE:-1000}
BUDGET=${BENCH_BILLS_SEED_BUDGET:-3000}
TARGET_S=${BENCH_BILLS_TARGET_S:-10}
CYCLE=2025-03
MONTH_FROM=$(TZ=UTC date -d 2025-03-01 +%s)
MONTH_DAYS=31
ROWS_PER_SUB_DAY=480 # first guess, before a store says: 288 buckets / 3 active x ~5 rows
BYTES_PER_ROW=110    # likewise, SQLite with its WAL

export TZ=UTC # the cycles: 2025-03-01 00:00 to 2025-04-01 00:00 UTC
T_START=$(date +%s)
TMP=$(mktemp -d "${BENCH_BILLS_TMP:-/tmp}/flowtally-bills.XXXXXX") || exit 1

say() { printf '%s\n' "$*"; }
row() { [ -n "$ROWS_OUT" ] && printf '%s\t%s\n' "$1" "$2" >>"$ROWS_OUT"; }
[ -n "$ROWS_OUT" ] && : >"$ROWS_OUT"

. "$ROOT/tools/bench/lib.sh" # wait_for
. "$ROOT/tests/pg.sh"
cleanup() {
    pg_stop
    if [ -n "${BENCH_BILLS_KEEP:-}" ]; then say "bills: kept $TMP"; else rm -rf "$TMP"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# 12345678 -> 12,345,678; 14877238 rows -> 14.9M
thousands() { echo "$1" | sed -e ':a' -e 's/\([0-9]\)\([0-9]\{3\}\)\($\|,\)/\1,\2\3/' -e 'ta'; }
mega() { awk -v v="$1" 'BEGIN { if (v >= 1e6) printf "%.1fM\n", v / 1e6; else printf "%.0fk\n", v / 1e3 }'; }
kv() { sed -n "s/.*\<$1=\([0-9.]*\).*/\1/p" "$2" | head -1; }

[ -x "$FT" ] || { say "bills: $FT missing (make BUILD=$BUILD $BUILD/flowtally)"; exit 1; }
# The seeder, linked with the build's objects (make has just built them) and the libraries
# the Makefile links flowtally with: its plain -l line, pango/cairo's, nDPI's if built in.
# The objects of today's sources only, as the Makefile's LIB_OBJ (a file moved to another
# folder leaves its old object behind).
OBJS=""
for c in src/*/*.c; do
    case $c in src/cli/main.c) ;; *) OBJS="$OBJS $ROOT/$BUILD/${c%.c}.o" ;; esac
done
LIBS=$(sed -n 's/^LDLIBS *+= *\(-l[^$]*\)$/\1/p' Makefile | tr '\n' ' ')
LIBS="$LIBS $(pkg-config --libs pangocairo 2>/dev/null)"
pkg-config --exists libndpi 2>/dev/null && LIBS="$LIBS $(pkg-config --libs libndpi)"
mkdir -p "$(dirname "$SEEDER")" || exit 1
# shellcheck disable=SC2086 # the object and library lists are split on purpose
cc -std=c17 -D_GNU_SOURCE -O2 -g -Wall -Wextra -o "$SEEDER" tools/bench/seedbills.c $OBJS $LIBS ||
    { say "bills: cannot build $SEEDER"; exit 1; }

REV=$(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo unknown)
say "== bills (flowtally $REV): bill close --cycle $CYCLE for $(for n in $SIZES; do printf '%s ' "$(thousands "$n")"; done)subscribers"
say "   (SQLite$([ "$PG_SIZE" -gt 0 ] && echo "; PostgreSQL at $(thousands "$PG_SIZE")")), each with a month of 300 s buckets as the collector writes them (TMP $TMP)"

# make_store DB N: the plan, N subscribers and their hosts, through the CLI.
make_store() {
    "$FT" plan add Basic --quota 15GB --dirs both --price 25.00 --overage 2.00 --anchor 1 \
        --speed "10 Mbps" --db "$1" >/dev/null || return 1
    awk -v n="$2" 'BEGIN { for (i = 1; i <= n; i++) printf "sub%05d --plan Basic --name \"Subscriber %d\"\n", i, i }' >"$TMP/subs.txt"
    awk -v n="$2" 'BEGIN { for (i = 1; i <= n; i++)
        printf "sub%05d 10.%d.%d.%d/32 --from 2025-01-01\n", i, 100 + int(i / 65536), int(i / 256) % 256, i % 256 }' >"$TMP/binds.txt"
    "$FT" subscriber import "$TMP/subs.txt" --db "$1" >/dev/null &&
        "$FT" bind import "$TMP/binds.txt" --db "$1" >/dev/null
}

# plan_days N BYTES_PER_ROW FREE_KB: how many days of the month fit on the disk for N
# subscribers, keeping 2 GB free (BYTES_PER_ROW 0: no limit).
plan_days() {
    awk -v n="$1" -v bpr="$2" -v free_kb="$3" -v rpsd="$ROWS_PER_SUB_DAY" -v days="$MONTH_DAYS" 'BEGIN {
        d = days
        if (bpr > 0 && n * d * rpsd * bpr * 1.3 > (free_kb - 2097152) * 1024)
            d = int((free_kb - 2097152) * 1024 / (n * rpsd * bpr * 1.3))
        print (d < 1 ? 1 : d) }'
}
free_kb() { df -Pk "$TMP" | awk 'NR == 2 { print $4 }'; }

# The PostgreSQL server's CPU so far, in clock ticks: the postmaster's own and its reaped
# children's (a connection's backend, once it has exited), and its live children's.
CLK_TCK=$(getconf CLK_TCK 2>/dev/null || echo 100)
pg_ticks() {
    pm=$(head -1 "$PG_DIR/data/postmaster.pid" 2>/dev/null)
    [ -n "$pm" ] || { echo 0; return; }
    { sed 's/.*) //' "/proc/$pm/stat" | awk '{ print $12 + $13 + $14 + $15 }'
        for c in $(pgrep -P "$pm"); do sed 's/.*) //' "/proc/$c/stat" 2>/dev/null | awk '{ print $12 + $13 }'; done
    } | awk '{ s += $1 } END { print s + 0 }'
}
pg_idle() { [ -z "$(pgrep -P "$(head -1 "$PG_DIR/data/postmaster.pid")" -f 'flowtally')" ]; }

# measure ENGINE N DB DAYS: seeds, closes twice; prints a line and adds rows. Sets M_* (for
# the growth line) and returns 1 when something failed. (Its variables are ME_*, not n or i:
# lib.sh's wait_for sets those.)
measure() {
    ME_ENGINE=$1 ME_N=$2 ME_DB=$3 ME_DAYS=$4
    label="$ME_ENGINE, $(thousands "$ME_N") subscribers"
    t0=$(date +%s.%N)
    make_store "$ME_DB" "$ME_N" || { say "   ! $label: cannot create the plan and subscribers"; return 1; }
    admin_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    "$SEEDER" seed "$ME_DB" "$MONTH_FROM" $((MONTH_FROM + ME_DAYS * 86400)) "$BUDGET" >"$TMP/seed.out" 2>"$TMP/seed.err" ||
        { say "   ! $label: seeding failed: $(tail -1 "$TMP/seed.err")"; return 1; }
    rows=$(kv rows "$TMP/seed.out") seed_s=$(kv seconds "$TMP/seed.out") seed_rps=$(kv rows_per_s "$TMP/seed.out")
    ME_DAYS=$(kv days "$TMP/seed.out") # fewer than asked when the budget ran out
    size_mb=""
    [ "$ME_ENGINE" = SQLite ] && size_mb=$(du -cm "$ME_DB"* | tail -1 | cut -f1)
    # the next size's guesses
    ROWS_PER_SUB_DAY=$(awk -v r="$rows" -v n="$ME_N" -v d="$ME_DAYS" 'BEGIN { printf "%.0f", r / (n * d) }')
    [ -n "$size_mb" ] && BYTES_PER_ROW=$(awk -v m="$size_mb" -v r="$rows" 'BEGIN { printf "%.0f", m * 1048576 / r }')
    sync

    # 1st close: every subscriber's invoice (PostgreSQL: and the server's CPU meanwhile)
    if [ "$ME_ENGINE" = PostgreSQL ]; then
        # what autovacuum would have done over the month, now, rather than during the close
        vac0=$(date +%s)
        pg_sql "VACUUM (ANALYZE)" >/dev/null 2>&1 || say "     ! VACUUM (ANALYZE) failed"
        vac_s=$(($(date +%s) - vac0))
        ticks0=$(pg_ticks)
    fi
    "$SEEDER" time "$TMP/close1.t" "$FT" bill close --cycle "$CYCLE" --db "$ME_DB" >"$TMP/close1.out" 2>"$TMP/close1.err"
    st1=$?
    server=""
    if [ "$ME_ENGINE" = PostgreSQL ]; then
        wait_for 100 pg_idle # its backend reaped: its CPU is in the postmaster's
        server=$(awk -v a="$ticks0" -v b="$(pg_ticks)" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / hz }')
    fi
    # 2nd close: nothing to do
    "$SEEDER" time "$TMP/close2.t" "$FT" bill close --cycle "$CYCLE" --db "$ME_DB" >"$TMP/close2.out" 2>"$TMP/close2.err"
    st2=$?
    invoices=$("$FT" bill export --cycle "$CYCLE" --format csv --db "$ME_DB" 2>/dev/null | sed 1d | wc -l | tr -d ' ')
    out1=$(cat "$TMP/close1.out") out2=$(cat "$TMP/close2.out")
    issued1=$(echo "$out1" | sed -n 's/^[0-9-]*: \([0-9]*\) issued.*/\1/p')
    issued2=$(echo "$out2" | sed -n 's/^[0-9-]*: \([0-9]*\) issued.*/\1/p')
    already2=$(echo "$out2" | sed -n 's/.*, \([0-9]*\) already done.*/\1/p')
    wall=$(kv wall_s "$TMP/close1.t") cpu=$(awk -v u="$(kv user_s "$TMP/close1.t")" -v s="$(kv sys_s "$TMP/close1.t")" 'BEGIN { printf "%.2f", u + s }')
    rss_mb=$(awk -v k="$(kv maxrss_kb "$TMP/close1.t")" 'BEGIN { printf "%.0f", k / 1024 }')
    rps=$(awk -v r="$rows" -v w="$wall" 'BEGIN { if (w > 0) printf "%.0f", r / w; else print 0 }')
    wall2=$(kv wall_s "$TMP/close2.t") cpu2=$(awk -v u="$(kv user_s "$TMP/close2.t")" -v s="$(kv sys_s "$TMP/close2.t")" 'BEGIN { printf "%.2f", u + s }')
    rss2_mb=$(awk -v k="$(kv maxrss_kb "$TMP/close2.t")" 'BEGIN { printf "%.0f", k / 1024 }')
    ok1=FAIL ok2=FAIL
    [ "$st1" -eq 0 ] && [ "${issued1:-x}" = "$ME_N" ] && ok1=ok
    [ "$st2" -eq 0 ] && [ "${issued2:-x}" = 0 ] && [ "${already2:-x}" = "$ME_N" ] && [ "$invoices" = "$ME_N" ] && ok2=ok
    M_WALL=$wall M_CPU=$cpu M_RSS=$rss_mb M_ROWS=$rows M_OK=$ok1

    month="a month ($ME_DAYS days)"
    [ "$ME_DAYS" -lt "$MONTH_DAYS" ] && month="$ME_DAYS of the month's $MONTH_DAYS days (seeding budget $BUDGET s or disk space; NOT a full month)"
    stored="$(mega "$rows") rows"
    [ -n "$size_mb" ] && stored="$stored, $size_mb MB"
    say "   $label, $month: store $stored; seeded in $seed_s s ($(mega "$seed_rps") rows/s; plan, subscribers and hosts in $admin_s s)"
    say "     close:       $(printf '%7s s wall %7s s CPU %6s MB peak RSS %7s rows/s' "$wall" "$cpu" "$rss_mb" "$(mega "$rps")")  $issued1 issued: $ok1"
    [ -n "$server" ] && say "                  the PostgreSQL server meanwhile: $server s CPU (all its processes; VACUUM (ANALYZE) before: $vac_s s)"
    say "     close again: $(printf '%7s s wall %7s s CPU %6s MB peak RSS' "$wall2" "$cpu2" "$rss2_mb")                   ${issued2:-?} issued, ${already2:-?} already done, $invoices invoices: $ok2"
    [ "$ok1" = ok ] || { say "     ! close said: $out1 $(tail -2 "$TMP/close1.err" | tr '\r\n' '  ')"; }
    [ "$ok2" = ok ] || { say "     ! close again said: $out2 $(tail -2 "$TMP/close2.err" | tr '\r\n' '  ')"; }
    verdict=""
    if [ "$ME_ENGINE" = SQLite ] && [ "$ME_N" = "$FIRST" ]; then
        if [ "$ok1" = ok ] && awk -v w="$wall" -v t="$TARGET_S" 'BEGIN { exit !(w < t) }'; then
            verdict="; target < $TARGET_S s: PASS"
        else
            verdict="; target < $TARGET_S s: FAIL"
        fi
        say "     target: close under $TARGET_S s$(echo "$verdict" | sed 's/.*://')"
    fi
    short=""
    [ "$ME_DAYS" -lt "$MONTH_DAYS" ] && short=" (only $ME_DAYS days: NOT a full month)"
    row "bill close --cycle $CYCLE, $label, $(mega "$rows") usage rows$short: wall, CPU (user+sys), peak RSS, rows read/s, invoices" \
        "$wall s wall, $cpu s CPU$([ -n "$server" ] && echo " (the server: $server s more)"), $rss_mb MB, $(mega "$rps") rows/s; $issued1 issued ($ok1)$verdict"
    row "bill close again (closing twice changes nothing), $label" \
        "$wall2 s wall, $cpu2 s CPU, $rss2_mb MB; ${issued2:-?} issued, ${already2:-?} already done, $invoices invoices stored ($ok2)"
    row "store seeded as the collector writes it, $label$short" \
        "$(mega "$rows") rows in $seed_s s ($(mega "$seed_rps") rows/s)$([ -n "$size_mb" ] && echo ", $size_mb MB")"
    [ "$ok1" = ok ] && [ "$ok2" = ok ]
}

status=0
FIRST=$(echo "$SIZES" | awk '{ print $1 }')
g_n="" g_wall="" g_cpu="" g_rss="" g_rows=""
for size in $SIZES; do
    measure SQLite "$size" "$TMP/bills$size.db" "$(plan_days "$size" "$BYTES_PER_ROW" "$(free_kb)")" || status=1
    [ -n "${BENCH_BILLS_KEEP:-}" ] || rm -f "$TMP/bills$size.db"*
    if [ -n "$g_n" ] && [ "$M_OK" = ok ]; then
        growth=$(awk -v n0="$g_n" -v n1="$size" -v w0="$g_wall" -v w1="$M_WALL" -v c0="$g_cpu" -v c1="$M_CPU" \
            -v m0="$g_rss" -v m1="$M_RSS" -v r0="$g_rows" -v r1="$M_ROWS" 'BEGIN {
            printf "x%.1f subscribers and x%.1f rows: wall x%.2f, CPU x%.2f, peak RSS x%.2f; wall per million rows %.3f s then %.3f s",
                n1 / n0, r1 / r0, w1 / w0, c1 / c0, m1 / m0, w0 / (r0 / 1e6), w1 / (r1 / 1e6) }')
        say "   growth $(thousands "$g_n") -> $(thousands "$size"): $growth"
        row "bill close growth, SQLite, $(thousands "$g_n") -> $(thousands "$size") subscribers" "$growth"
    fi
    [ "$M_OK" = ok ] && g_n=$size g_wall=$M_WALL g_cpu=$M_CPU g_rss=$M_RSS g_rows=$M_ROWS
done

if [ "$PG_SIZE" -gt 0 ]; then
    if PG_OPTS="-c fsync=on" pg_start; then
        pg_newdb bills >/dev/null
        measure PostgreSQL "$PG_SIZE" "$PGURI" "$MONTH_DAYS" || status=1
        pg_stop
    else
        say "   PostgreSQL: skipped ($PG_SKIP)"
        row "bill close, PostgreSQL" "skipped: $PG_SKIP"
    fi
fi

T_END=$(date +%s)
say "   bills part took $((T_END - T_START)) s"
row NOTE "Bills (tools/bench/bills.sh, $((T_END - T_START)) s): \`flowtally bill close --cycle $CYCLE\` (TZ=UTC) on stores made through the CLI (plan Basic: 15 GB both ways, 25.00, overage 2.00/GB, anchor day 1; \`subscriber import\`, \`bind import\`: one host each) and seeded through the store's add_usage as the collector writes it (tools/bench/seedbills.c): the month's 300 s buckets (up to a seeding budget of $BUDGET s per store: a store cut short says so), each subscriber active in a third of them (a hash), 2 or 3 classes (international and national count toward the quota, free does not) in and out, one application, 200,000-row transactions. Wall, CPU (user+sys) and peak RSS are the close command's own (wait4); rows/s is the usage rows of the cycle over the close's wall time, read right after seeding and a sync (page cache warm); the close must print \"N issued\" for N subscribers, and a second close \"0 issued, N already done\". PostgreSQL: a throwaway server (tests/pg.sh, fsync on; VACUUM (ANALYZE) after seeding, as autovacuum would have run during the month); its own CPU during the close is given beside the command's."
exit $status
