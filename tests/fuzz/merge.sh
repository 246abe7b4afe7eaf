#!/bin/sh
# SPDX-License-Identifier: MIT
# Adds to the committed corpus what fuzzing found: for each target, the inputs of
# build/fuzz/scratch/<target> that reach edges of src/ that tests/fuzz/corpus/<target>/
# does not yet reach are copied there (named by SHA-1). Coverage is counted on src/ only
# (the target itself is built without coverage instrumentation) and by edges only
# (-use_counters=0): the harness's own branches and libFuzzer's hit-count buckets would keep
# hundreds of near-duplicates per target. libFuzzer's merge takes inputs smallest first, so
# it keeps many small inputs that each add an edge or two; a greedy set cover then keeps the
# seed-* files and, of the other entries, only as many as it takes to reach the same PCs.
# With --rebuild, the corpus is first cut back to its seed-* files and its other entries
# compete with the scratch ones again.
# Needs the objects of tests/fuzz/run.sh (build/fuzz/obj). Exit status 2 on a failure.
# Usage: tests/fuzz/merge.sh [--rebuild] [TARGET...]   (default: every target)
set -u
cd "$(dirname "$0")/../.." || exit 2
rebuild=0
if [ "${1:-}" = --rebuild ]; then
    rebuild=1
    shift
fi
targets=${*:-$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||' | tr '\n' ' ')}
cc=${FUZZ_CC:-clang}
cflags="-std=c17 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all"
san="address,undefined"
out=build/fuzz
# The objects run.sh built, named as it names them (not a glob: stale ones may be there).
objs=""
for src in src/*/*.c; do
    # no target reaches cli/ or daemon/; print/ (web's invoices link it) needs pango's flags
    case $src in src/cli/* | src/daemon/*) continue ;; esac
    obj=$out/obj/$(echo "$src" | sed 's|^src/||; s|/|_|g; s|\.c$|.o|')
    if [ ! -f "$obj" ]; then
        echo "merge: $obj missing; run tests/fuzz/run.sh first" >&2
        exit 2
    fi
    objs="$objs $obj"
done
mkdir -p "$out/merge" "$out/logs" || exit 2

# cover TARGET CORPUS: the PCs each entry reaches, from a one-file merge whose control file
# lists them (COV line); then greedy set cover in awk, seed-* files chosen first.
cover() {
    tmp=$out/merge/one
    covs=$out/merge/cov_$1
    : >"$covs"
    for f in "$2"/*; do
        rm -rf "$tmp"
        mkdir -p "$tmp/in" "$tmp/out" || return 1
        cp "$f" "$tmp/in/" || return 1
        "./$out/merge/fuzz_$1" -merge=1 -use_counters=0 -merge_control_file="$tmp/ctl" \
            "$tmp/out" "$tmp/in" >/dev/null 2>&1 || return 1
        echo "${f##*/}$(sed -n 's/^COV 0//p' "$tmp/ctl")" >>"$covs"
    done
    awk '
        { name[NR] = $1; line[NR] = $0 }
        function take(r,    k, i, f) {
            kept[r] = 1
            k = split(line[r], f, " ")
            for (i = 2; i <= k; i++) covered[f[i]] = 1
        }
        function gain(r,    k, i, f, g) {
            k = split(line[r], f, " ")
            for (i = 2; i <= k; i++) if (!(f[i] in covered)) g++
            return g
        }
        END {
            for (r = 1; r <= NR; r++) if (name[r] ~ /^seed-/) take(r)
            for (;;) {
                best = 0; best_gain = 0
                for (r = 1; r <= NR; r++)
                    if (!(r in kept) && (g = gain(r)) > best_gain) { best = r; best_gain = g }
                if (!best) break
                take(best)
            }
            for (r = 1; r <= NR; r++) if (!(r in kept)) print name[r]
        }' "$covs" | while read -r drop; do
        rm -f "$2/$drop"
    done
}

for t in $targets; do
    corpus=tests/fuzz/corpus/$t
    mkdir -p "$corpus" "$out/scratch/$t" || exit 2
    # shellcheck disable=SC2086 # flag lists
    "$cc" $cflags -fsanitize=$san -c -o "$out/merge/fuzz_$t.o" "tests/fuzz/fuzz_$t.c" &&
        "$cc" $cflags -fsanitize=fuzzer,$san -o "$out/merge/fuzz_$t" "$out/merge/fuzz_$t.o" \
            $objs -lsqlite3 -lpthread -lpcap || exit 2
    candidates=$out/scratch/$t
    if [ "$rebuild" = 1 ]; then
        old=$out/merge/old_$t
        rm -rf "$old"
        mkdir -p "$old" || exit 2
        find "$corpus" -maxdepth 1 -type f ! -name 'seed-*' -exec mv {} "$old/" \;
        candidates="$old $candidates"
    fi
    before=$(ls "$corpus" | wc -l)
    # shellcheck disable=SC2086 # candidates is a list of directories
    "./$out/merge/fuzz_$t" -merge=1 -use_counters=0 "$corpus" $candidates \
        >"$out/logs/merge_$t.log" 2>&1 || {
        echo "merge: $t failed, see $out/logs/merge_$t.log" >&2
        exit 2
    }
    cover "$t" "$corpus" || exit 2
    after=$(ls "$corpus" | wc -l)
    echo "$t: $before -> $after files, $(du -sb "$corpus" | cut -f1) bytes"
done
