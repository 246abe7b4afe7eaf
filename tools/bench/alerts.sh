#!/bin/sh
# The alerts part of `make bench` (also run alone: sh tools/bench/alerts.sh BUILD, after
# make BUILD=... BUILD/flowtally): what the alert thread costs per flush when many
# subscribers move (tools/bench/alerts.c, on a SQLite store of its own). A store of
# 10,000 subscribers on a 15 GB plan, 2,000 of them active with a month of hourly usage
# rows each (744, 5 GB: far from every level), all 2,000 moving at each flush; the cost of
# a round before (the whole cycle of each read from the store at every flush: the code as
# it was, kept as evaluate_subscriber()) and after (memory: evaluate_moved()), and of the
# round that seeds memory (a cycle's first; and each subscriber is read again every 2.5 to 5
# minutes).
# Bounded: ~2-3 minutes on a 2-core VM (most of it seeding the usage rows).
# Output: a summary on stdout; with ROWS_FILE, the table rows as "measure<TAB>value" lines
# (tools/bench/bench.sh adds them to its table).
# Usage: sh tools/bench/alerts.sh BUILD_DIR [ROWS_FILE]. Knobs (environment):
# BENCH_ALERTS_SUBSCRIBERS (10000), BENCH_ALERTS_MOVING (2000), BENCH_ALERTS_ROWS (744 per
# moving subscriber), BENCH_ALERTS_ROUNDS (3 of each kind), BENCH_ALERTS_TMP (/tmp).
set -u

BUILD=${1:-build/release}
ROWS_OUT=${2:-}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
TOOL="$ROOT/$BUILD/tools/bench_alerts"
SUBS=${BENCH_ALERTS_SUBSCRIBERS:-10000}
MOVING=${BENCH_ALERTS_MOVING:-2000}
ROWS=${BENCH_ALERTS_ROWS:-744}
ROUNDS=${BENCH_ALERTS_ROUNDS:-3}
TMP=$(mktemp -d "${BENCH_ALERTS_TMP:-/tmp}/flowtally-alerts.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

say() { printf '%s\n' "$*"; }
row() { [ -n "$ROWS_OUT" ] && printf '%s\t%s\n' "$1" "$2" >>"$ROWS_OUT"; }
[ -n "$ROWS_OUT" ] && : >"$ROWS_OUT"
kv() { sed -n "s/.*\<$1=\([0-9.]*\).*/\1/p" "$2" | head -1; }

# The tool, linked with the build's objects (as tools/bench/bills.sh links its seeder).
OBJS=""
for c in src/*/*.c; do
    case $c in src/cli/main.c) ;; *) OBJS="$OBJS $ROOT/$BUILD/${c%.c}.o" ;; esac
done
LIBS=$(sed -n 's/^LDLIBS *+= *\(-l[^$]*\)$/\1/p' Makefile | tr '\n' ' ')
LIBS="$LIBS $(pkg-config --libs pangocairo 2>/dev/null)"
pkg-config --exists libndpi 2>/dev/null && LIBS="$LIBS $(pkg-config --libs libndpi)"
mkdir -p "$(dirname "$TOOL")" || exit 1
# shellcheck disable=SC2086 # the object and library lists are split on purpose
cc -std=c17 -D_GNU_SOURCE -O2 -g -Wall -Wextra $(pkg-config --cflags libpq) -o "$TOOL" \
    tools/bench/alerts.c $OBJS $LIBS || { say "alerts: cannot build $TOOL"; exit 1; }

say "== alerts: the alert thread's round with $MOVING of $SUBS subscribers moving, each with $ROWS usage rows this cycle (SQLite)"
T0=$(date +%s)
if ! "$TOOL" "$TMP/alerts.db" "$SUBS" "$MOVING" "$ROWS" "$ROUNDS" >"$TMP/out" 2>"$TMP/err"; then
    say "alerts: failed:"
    sed 's/^/   /' "$TMP/err"
    row "alert rounds" "failed (see the output above)"
    exit 1
fi
cat "$TMP/out"
before=$(kv before_ms "$TMP/out")
seed=$(kv seed_ms "$TMP/out")
after=$(kv after_ms "$TMP/out")
reads=$(kv after_reads "$TMP/out")
speedup=$(awk -v b="$before" -v a="$after" 'BEGIN { if (a > 0) printf "%.0f", b / a; else print "-" }')
say "   before: $before ms a round (every cycle read); after: $after ms ($speedup x less, $reads cycles read); seeding round: $seed ms; took $(($(date +%s) - T0)) s"
what="$MOVING of $SUBS subscribers moving, $ROWS rows each this cycle"
row "alert round, $what: before (cycle read per subscriber, median ms)" "$before"
row "alert round, $what: after (memory, median ms)" "$after ($speedup x less; $reads cycles read)"
row "alert round, $what: seeding memory (first of a cycle, ms)" "$seed"
amortised=$(awk -v s="$seed" 'BEGIN { printf "%.0f", s / 45 }')
row NOTE "Alerts: each moving subscriber's cycle is also read again every 2.5 to 5 minutes (EVALUATE_STALE_MS, spread by subscriber), so with a 5 s flush memory adds on average 1/45 of the seeding round ($amortised ms) to each round after."
