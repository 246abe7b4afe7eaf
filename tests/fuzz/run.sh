#!/bin/sh
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets (clang, ASan+UBSan, into build/fuzz/) and runs each for
# SECONDS (default 60), FUZZ_JOBS at a time (default: 2, or 1 on a single core). New corpus
# entries go to build/fuzz/scratch/<target>, never into the committed tests/fuzz/corpus;
# crash reproducers to build/fuzz/crashes/. Prints one line per target: executions, exec/s,
# final coverage, crash or not. Exit status 1 if any target crashed, 2 if the build failed.
# Usage: tests/fuzz/run.sh [SECONDS]   env: FUZZ_TARGETS, FUZZ_JOBS, FUZZ_CC, FUZZ_ARGS
set -u
cd "$(dirname "$0")/../.." || exit 2

secs=${1:-60}
# Every tests/fuzz/fuzz_NAME.c is a target NAME, unless FUZZ_TARGETS names some.
targets=${FUZZ_TARGETS:-$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||' | tr '\n' ' ')}
cc=${FUZZ_CC:-clang}
out=build/fuzz
cores=$(nproc 2>/dev/null || echo 1)
jobs=${FUZZ_JOBS:-$([ "$cores" -ge 2 ] && echo 2 || echo 1)}

# -fno-sanitize-recover: a UBSan finding must stop the run, or libFuzzer would only log it.
cflags="-std=c17 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all $(pkg-config --cflags libpq 2>/dev/null)"
san="address,undefined"
warn="-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla"

mkdir -p "$out/obj" "$out/scratch" "$out/crashes" "$out/logs" || exit 2

# The library is compiled once with fuzzer-no-link (the same coverage instrumentation as
# -fsanitize=fuzzer, without libFuzzer's main) and linked into every target.
echo "building fuzz targets with $cc into $out"
objs=""
for src in src/*/*.c; do
    # no target reaches cli/ or daemon/; print/ (web's invoices link it) needs pango's flags
    case $src in src/cli/* | src/daemon/*) continue ;; esac
    obj=$out/obj/$(echo "$src" | sed 's|^src/||; s|/|_|g; s|\.c$|.o|')
    extra=""
    case $src in src/print/*) extra=$(pkg-config --cflags pangocairo) ;; esac
    "$cc" $cflags $extra -fsanitize=fuzzer-no-link,$san -c -o "$obj" "$src" || exit 2
    objs="$objs $obj"
done
for t in $targets; do
    "$cc" $cflags $warn -fsanitize=fuzzer,$san -o "$out/fuzz_$t" "tests/fuzz/fuzz_$t.c" \
        $objs -lsqlite3 -lpq -lpthread -lpcap -lmicrohttpd -lcrypt -lgnutls -lldap -lcurl $(pkg-config --libs pangocairo) || exit 2
done

run_target() {
    t=$1
    mkdir -p "$out/scratch/$t" "tests/fuzz/corpus/$t"
    dict_arg=""
    [ -f "tests/fuzz/dict/$t.dict" ] && dict_arg="-dict=tests/fuzz/dict/$t.dict"
    touch "$out/logs/$t.start" # artifacts newer than this are this run's
    # The scratch dir comes first: libFuzzer writes new units only to the first directory.
    # shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
    "./$out/fuzz_$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 \
        -print_final_stats=1 -artifact_prefix="$out/crashes/$t-" $dict_arg ${FUZZ_ARGS:-} \
        "$out/scratch/$t" "tests/fuzz/corpus/$t" >"$out/logs/$t.log" 2>&1
    echo $? >"$out/logs/$t.rc"
}

echo "running each target for $secs s, $jobs at a time; logs in $out/logs/"
set -- $targets
while [ $# -gt 0 ]; do
    i=0
    while [ "$i" -lt "$jobs" ] && [ $# -gt 0 ]; do
        run_target "$1" &
        shift
        i=$((i + 1))
    done
    wait
done

# libFuzzer's final stats give the executions and the rate; coverage is on the last status
# line ("#N DONE cov: C ft: F corp: ..."), or the last one printed before a crash.
status=0
for t in $targets; do
    log=$out/logs/$t.log
    rc=$(cat "$out/logs/$t.rc" 2>/dev/null || echo 99)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    last=$(grep -E '^#[0-9]+.*cov: ' "$log" | tail -n 1)
    cov=$(echo "$last" | sed -n 's/.* cov: \([0-9]*\).*/\1/p')
    ft=$(echo "$last" | sed -n 's/.* ft: \([0-9]*\).*/\1/p')
    corp=$(echo "$last" | sed -n 's/.* corp: \([0-9]*\).*/\1/p')
    artifacts=$(find "$out/crashes" -name "$t-*" -newer "$out/logs/$t.start" | tr '\n' ' ')
    if [ "$rc" -ne 0 ] || [ -n "$artifacts" ]; then
        verdict="CRASH (exit $rc) ${artifacts:-no artifact written; see $log}"
        status=1
    else
        verdict="no crash"
    fi
    printf '%-9s %12s execs %8s exec/s  cov %-5s ft %-6s corpus %-5s %s\n' "$t" \
        "${execs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$verdict"
done
exit $status
