#!/bin/sh
# SPDX-License-Identifier: MIT
# Regenerates the seed files (seed-*) of tests/fuzz/corpus/<target>/: datagram streams from
# flowgen, converted to the fuzz input format, and the hand-built edge cases of seedgen.c.
# Entries found by fuzzing (named by their SHA-1) are left alone. Run from anywhere.
# Usage: tests/fuzz/mkseeds.sh
set -eu
cd "$(dirname "$0")/../.."
tools=build/fuzz/tools
corpus=tests/fuzz/corpus
cc=${CC:-cc}
mkdir -p "$tools"
for t in netflow5 netflow9 ipfix decode; do
    mkdir -p "$corpus/$t"
    rm -f "$corpus/$t"/seed-*
done
"$cc" -std=c17 -O2 -D_GNU_SOURCE -o "$tools/flowgen" tools/flowgen/*.c src/gen/*.c
"$cc" -std=c17 -O2 -D_GNU_SOURCE -Wall -Wextra -Werror -o "$tools/seedgen" tests/fuzz/seedgen.c

# gen TARGET NAME FLOWGEN_ARGS...: one flowgen stream as one seed.
gen() {
    target=$1 name=$2
    shift 2
    "$tools/flowgen" write "$@" --out "$tools/$name.dgrams" --expect "$tools/$name.csv" \
        >/dev/null
    "$tools/seedgen" convert "$tools/$name.dgrams" "$corpus/$target/seed-flowgen-$name"
}
gen netflow5 v5-40 --proto v5 --records 40
gen netflow5 v5-sampled --proto v5 --records 5 --sampling 10 --domain 3
gen netflow9 v9-40 --proto v9 --records 40
gen netflow9 v9-sampled --proto v9 --records 12 --per-packet 4 --sampling 10
gen netflow9 v9-refresh --proto v9 --records 21 --per-packet 1 --seed 2
gen ipfix ipfix-40 --proto ipfix --records 40
gen ipfix ipfix-sampled --proto ipfix --records 12 --per-packet 4 --sampling 10
gen ipfix ipfix-refresh --proto ipfix --records 21 --per-packet 1 --seed 3
gen decode v5 --proto v5 --records 8 --per-packet 4
gen decode v9-sampled --proto v9 --records 8 --per-packet 4 --sampling 4
gen decode ipfix-sampled --proto ipfix --records 8 --per-packet 4 --sampling 4 --domain 9

"$tools/seedgen" edge "$corpus"
for t in netflow5 netflow9 ipfix decode; do
    echo "$t: $(ls "$corpus/$t" | wc -l | tr -d ' ') files, $(du -sb "$corpus/$t" | cut -f1) bytes"
done
