#!/bin/sh
# SPDX-License-Identifier: MIT
# Replays the committed fuzz corpora as regression tests: builds each fuzz target with
# replay_main.c instead of libFuzzer, with the compiler and sanitizers of `make check`
# (cc, ASan+UBSan, no recovery), into BUILD_DIR/tests/fuzz/, runs it over
# tests/fuzz/corpus/<target>/ and prints one TAP stream ("ok N - path", plan at the end).
# Exit status 1 if any input failed, 2 if the build failed.
# Usage: tests/fuzz/replay.sh BUILD_DIR
#   env: CC, OPT, SAN override the defaults below; FUZZ_TARGETS limits the targets;
#   FUZZ_REPLAY_CRASHES=1 also replays tests/fuzz/crashes/<target>/ (to confirm a fix
#   before moving a reproducer to the corpus).
set -u
cd "$(dirname "$0")/../.." || exit 2
build=${1:?usage: tests/fuzz/replay.sh BUILD_DIR}
cc=${CC:-cc}
opt=${OPT:--O1 -g}
san=${SAN:--fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all}
warn="-Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Wvla"
cflags="-std=c17 -D_GNU_SOURCE $opt $san $(pkg-config --cflags libpq 2>/dev/null)"
# Every tests/fuzz/fuzz_NAME.c is a target NAME, unless FUZZ_TARGETS names some.
targets=${FUZZ_TARGETS:-$(ls tests/fuzz/fuzz_*.c | sed 's|.*/fuzz_||; s|\.c$||' | tr '\n' ' ')}
out=$build/tests/fuzz
mkdir -p "$out/obj" || exit 2
# Objects built with other flags (another CC, OPT or SAN) are not reused.
if [ "$(cat "$out/obj/flags" 2>/dev/null)" != "$cc $cflags" ]; then
    rm -f "$out"/obj/*.o
    echo "$cc $cflags" >"$out/obj/flags"
fi

# The library once, then one binary per target, each step on every core (xargs -P: the
# ASan compile of src/ is most of this script's time). Objects are kept apart from the
# build's own so this script never depends on, or disturbs, what make built there.
jobs=$(nproc 2>/dev/null || echo 2)
export cc cflags warn san out
# shellcheck disable=SC2016 # expanded by the sh that xargs starts
{
    objs="" stale=""
    for src in src/*/*.c; do
        # no target reaches cli/ or daemon/; print/ (web's invoices link it) needs pango's
        case $src in src/cli/* | src/daemon/*) continue ;; esac
        obj=$out/obj/$(echo "$src" | sed 's|^src/||; s|/|_|g; s|\.c$|.o|')
        if [ ! -f "$obj" ] || [ -n "$(find src -name '*.[ch]' -newer "$obj" | head -n 1)" ]; then
            stale="$stale $src $obj"
        fi
        objs="$objs $obj"
    done
    export objs
    # shellcheck disable=SC2086 # a list of pairs
    printf '%s %s\n' $stale | grep -v '^ *$' | xargs -r -n 2 -P "$jobs" sh -c '
        extra=""
        case $1 in src/print/*) extra=$(pkg-config --cflags pangocairo) ;; esac
        # shellcheck disable=SC2086 # flag lists
        $cc $cflags $extra -c -o "$2" "$1" || exit 255' compile || exit 2
    libs="-lsqlite3 -lpq -lpthread -lpcap -lmicrohttpd -lcrypt -lgnutls -lldap -lcurl $(pkg-config --libs pangocairo)"
    export libs
    for t in $targets; do echo "$t"; done | xargs -r -n 1 -P "$jobs" sh -c '
        # shellcheck disable=SC2086 # flag lists
        $cc $cflags $warn -o "$out/replay_$1" "tests/fuzz/fuzz_$1.c" tests/fuzz/replay_main.c \
            $objs $san $libs || exit 255' link || exit 2
} >&2

export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"

# Each binary numbers its own lines; awk renumbers them into one stream with one plan, and
# fails when any line is "not ok". A binary that fails without such a line (it could not
# read its directory) gets one.
for t in $targets; do
    if [ ! -d "tests/fuzz/corpus/$t" ]; then
        echo "# replay_$t: no corpus"
        continue
    fi
    dirs="tests/fuzz/corpus/$t"
    if [ "${FUZZ_REPLAY_CRASHES:-0}" = 1 ] && [ -d "tests/fuzz/crashes/$t" ]; then
        dirs="$dirs tests/fuzz/crashes/$t"
    fi
    # shellcheck disable=SC2086 # dirs is a list
    "$out/replay_$t" $dirs
    rc=$?
    [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || echo "not ok 0 - replay_$t exited with status $rc"
done | awk '
    /^(not )?ok [0-9]+/ {
        n++
        if ($1 == "not") { failed++; sub(/^not ok [0-9]+/, "not ok " n) }
        else sub(/^ok [0-9]+/, "ok " n)
        print
        next
    }
    /^1\.\.[0-9]+$/ { next }
    { print }
    END { print "1.." n; exit failed ? 1 : 0 }'
