#!/bin/sh
# Runs every test (unit binaries, then integration scripts), each printing TAP; prints one
# line per test with its counts and the seconds it took (to see where make check's time
# goes), and ends with one summary line: "N passed, N failed[, N skipped]". Exit status 1 if any failed.
# Usage: tests/run.sh BUILD_DIR
BUILD=${1:-build/asan}
export BUILD
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
passed=0 failed=0 skipped=0
log=$(mktemp)
run_one() {
    name=$1
    shift
    started=$(date +%s)
    "$@" >"$log" 2>&1
    status=$?
    took=$(($(date +%s) - started))
    p=$(grep -c '^ok ' "$log" | tr -d ' ')
    s=$(grep -c '^ok .*# SKIP' "$log" | tr -d ' ')
    f=$(grep -c '^not ok ' "$log" | tr -d ' ')
    p=$((p - s))
    if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1 # crashed or exited non-zero without a failing test line
        echo "not ok - $name exited with status $status" >>"$log"
    fi
    passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
    if [ "$f" -ne 0 ]; then
        echo "FAIL $name (${took} s)"
        sed 's/^/    /' "$log"
    else
        echo "ok   $name ($p passed${s:+, $s skipped}, ${took} s)" | sed 's/, 0 skipped//'
    fi
}
for t in $(find "$BUILD/tests/unit" -type f -name 'test_*' ! -name '*.d' | sort); do
    run_one "$t" "$t"
done
# every fuzz corpus file through its target, built with the same sanitizers (fuzzcheck)
run_one "tests/fuzz/replay.sh (fuzz corpora)" sh tests/fuzz/replay.sh "$BUILD"
run_one "tests/layering.sh (include graph against doc/layers.txt)" sh tests/layering.sh
# Each integration test's TAP and exit status are kept for 026, which compares its
# PostgreSQL runs with these SQLite runs instead of running them again; so 026 goes last.
FLOWTALLY_TEST_LOGS=$(mktemp -d)
export FLOWTALLY_TEST_LOGS
for t in tests/integration/*/run.sh; do
    case $t in */026-postgresql-subset/*) continue ;; esac
    [ -f "$t" ] && run_one "$t" sh "$t"
    name=$(basename "$(dirname "$t")")
    cp "$log" "$FLOWTALLY_TEST_LOGS/$name.tap"
    echo "$status" >"$FLOWTALLY_TEST_LOGS/$name.rc"
done
run_one tests/integration/026-postgresql-subset/run.sh sh tests/integration/026-postgresql-subset/run.sh
rm -rf "$FLOWTALLY_TEST_LOGS"
run_one "tests/package/run.sh (the Debian package, installed and purged)" sh tests/package/run.sh
rm -f "$log"
if [ "$skipped" -gt 0 ]; then
    echo "$passed passed, $failed failed, $skipped skipped"
else
    echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
