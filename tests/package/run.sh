#!/bin/sh
# The Debian package end to end, on this machine: built with dpkg-buildpackage from a clean
# copy of the tree (tracked files and new ones, never build/), checked by lintian,
# installed with dpkg; then the service user, its state directory and the conffiles exist,
# the daemon started as flowtally.service would start it (its ExecStart, User= and
# WorkingDirectory=, with a notification socket this test listens on in place of systemd)
# says READY=1, pings the watchdog, logs with journald priorities, counts flowgen's flows
# exactly, reloads on ExecReload (RELOADING=1, READY=1) and says STOPPING=1; a purge leaves
# no user, directory, binary or conffile. Needs root and dpkg-buildpackage (SKIP otherwise).
# Usage: BUILD=build/asan sh tests/package/run.sh   (BUILD: where tools/flowgen is built)
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build/release}
FLOWGEN="$ROOT/$BUILD/tools/flowgen"
TAP_N=0
TAP_FAILED=0

ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $1"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_N - $1"; }
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: got '$2', expected '$3'"; fi; }
check() { # NAME CMD...: ok when CMD succeeds
    name=$1
    shift
    if "$@"; then ok "$name"; else not_ok "$name"; fi
}
# wait_for CMD...: polls every 50 ms, for at most 20 s
wait_for() {
    i=0
    while ! "$@" 2>/dev/null; do
        i=$((i + 1))
        [ $i -gt 400 ] && return 1
        sleep 0.05
    done
}
skip_all() { echo "1..0 # SKIP $1"; exit 0; }

[ "$(id -u)" = 0 ] || skip_all "needs root: it installs and purges a package"
for tool in dpkg-buildpackage dh fakeroot lintian python3 setpriv systemd-analyze; do
    command -v $tool >/dev/null || skip_all "no $tool here (tools/deps.sh --test installs it)"
done
# dpkg, the user and /var/lib/flowtally are one per machine: one package test at a time
exec 9>/tmp/flowtally-package-test.lock
flock 9
# never replace or purge what someone installed
dpkg-query -W -f='${Status}' flowtally 2>/dev/null | grep -q 'ok installed' &&
    skip_all "a flowtally package is installed on this machine"
getent passwd flowtally >/dev/null && skip_all "a user flowtally exists on this machine"
[ -e /var/lib/flowtally ] && skip_all "/var/lib/flowtally exists on this machine"

TMP=$(mktemp -d /tmp/flowtally-package.XXXXXX)
DAEMON_PID=""
LISTEN_PID=""
INSTALLED=""
cleanup() {
    [ -n "$DAEMON_PID" ] && kill -9 "$DAEMON_PID" 2>/dev/null
    [ -n "$LISTEN_PID" ] && kill "$LISTEN_PID" 2>/dev/null
    [ -n "$INSTALLED" ] && dpkg --purge flowtally >/dev/null 2>&1
    rm -rf "$TMP"
}
trap cleanup EXIT
show() { sed 's/^/#   /' "$1" | tail -n "${2:-30}"; }

# 1. The package, from a copy of what git knows (tracked files and new, unignored ones)
SRC="$TMP/flowtally-src"
mkdir "$SRC"
if git -C "$ROOT" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$ROOT" && git ls-files -z --cached --others --exclude-standard |
        tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$SRC"
else
    (cd "$ROOT" && tar --exclude=./build --exclude=./.git -cf - .) | tar -xf - -C "$SRC"
fi
check "the copy holds no build directory" test ! -e "$SRC/build"
# nocheck: the tests run in `make check`, not in the package build (debian/rules says why)
if (cd "$SRC" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) \
    >"$TMP/build.log" 2>&1; then
    ok "dpkg-buildpackage -us -uc -b builds the package"
else
    not_ok "dpkg-buildpackage -us -uc -b builds the package" && show "$TMP/build.log"
    echo "1..$TAP_N"
    exit 1
fi
DEB=$(ls "$TMP"/flowtally_*.deb)
if lintian --fail-on error,warning "$DEB" >"$TMP/lintian.log" 2>&1; then
    ok "lintian: no error, no warning"
else
    not_ok "lintian: no error, no warning" && show "$TMP/lintian.log"
fi

# 2. Installed: the user, its directory, the binary, the conffiles, the unit
if dpkg -i "$DEB" >"$TMP/install.log" 2>&1; then
    INSTALLED=1
    ok "dpkg -i installs it"
else
    not_ok "dpkg -i installs it" && show "$TMP/install.log"
    echo "1..$TAP_N"
    exit 1
fi
check_eq "system user flowtally: home and shell" \
    "$(getent passwd flowtally | cut -d: -f6,7)" "/var/lib/flowtally:/usr/sbin/nologin"
check "system user flowtally: a system uid" test "$(id -u flowtally)" -lt 1000
check_eq "state directory: owner and mode" "$(stat -c '%U:%G %a' /var/lib/flowtally)" \
    "flowtally:flowtally 750"
check_eq "conffiles" "$(dpkg-query -W -f='${Conffiles}\n' flowtally | awk 'NF { print $1 }' | sort |
    tr '\n' ' ')" "/etc/flowtally/apps.conf /etc/flowtally/flowtally.conf "
UNIT=$(dpkg -L flowtally | grep '/systemd/system/flowtally\.service$')
check "the unit is installed" test -f "$UNIT"
if systemd-analyze verify --man=no "$UNIT" >"$TMP/verify.log" 2>&1 && ! [ -s "$TMP/verify.log" ]; then
    ok "systemd-analyze verify: no complaint"
else
    not_ok "systemd-analyze verify: no complaint" && show "$TMP/verify.log"
fi

# 3. The daemon as the unit starts it, under a stand-in for systemd's notification socket
unit_key() { sed -n "s/^$1=//p" "$UNIT"; }
EXEC=$(unit_key ExecStart)
RUN_AS=$(unit_key User)
WORKDIR=$(unit_key WorkingDirectory)
check_eq "the unit's type" "$(unit_key Type)" notify
SOCK="@flowtally-package-test-$$" # abstract: the service user needs no path to reach it
python3 "$ROOT/tests/package/notify_listen.py" "$SOCK" "$TMP/notify.log" >"$TMP/listen.out" &
LISTEN_PID=$!
wait_for grep -q ready "$TMP/listen.out" || not_ok "the notification listener starts"
: >"$TMP/daemon.err"
JS=$(stat -c '%d:%i' "$TMP/daemon.err") # stderr is "the journal stream"
# shellcheck disable=SC2086 # ExecStart's words
(cd "$WORKDIR" && exec env NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=1000000 JOURNAL_STREAM="$JS" \
    setpriv --reuid="$RUN_AS" --regid="$RUN_AS" --init-groups $EXEC \
    --netflow 127.0.0.1:0 --sflow 127.0.0.1:0 --web 127.0.0.1:0 --flush 1) \
    >"$TMP/daemon.out" 2>>"$TMP/daemon.err" &
DAEMON_PID=$!
if wait_for grep -qx 'READY=1' "$TMP/notify.log"; then
    ok "READY=1 once it listens"
else
    not_ok "READY=1 once it listens" && show "$TMP/daemon.err"
fi
PORT=$(sed -n 's/.*listening on udp 127.0.0.1:\([0-9]*\) (NetFlow.*/\1/p' "$TMP/daemon.out")
check_eq "it runs as the unit's user" "$(ps -o user= -p "$DAEMON_PID")" "$RUN_AS"
check "WATCHDOG=1 at half of WATCHDOG_USEC" wait_for grep -qx 'WATCHDOG=1' "$TMP/notify.log"

"$FLOWGEN" write --proto ipfix --seed 5 --records 6000 --hosts 60 --out "$TMP/s.dgrams" \
    --expect "$TMP/want.csv" >/dev/null
"$FLOWGEN" send --in "$TMP/s.dgrams" --to "127.0.0.1:$PORT" --rate 100000 >/dev/null
check "journald priority on the log lines" \
    wait_for grep -q '^<5>flowtally\[[a-z]*\] notice: new exporter 127.0.0.1' "$TMP/daemon.err"
check_eq "no timestamped log line under the journal" "$(grep -c '^20[0-9][0-9]-' "$TMP/daemon.err")" 0

RELOAD=$(unit_key ExecReload | sed "s/\$MAINPID/$DAEMON_PID/")
$RELOAD
check "ExecReload: RELOADING=1 with MONOTONIC_USEC" \
    wait_for grep -q '^RELOADING=1 MONOTONIC_USEC=[0-9][0-9]*$' "$TMP/notify.log"
check "ExecReload: READY=1 after it" \
    wait_for sh -c "sed -n '/^RELOADING=1/,\$p' '$TMP/notify.log' | grep -qx READY=1"
# MONOTONIC_USEC is CLOCK_MONOTONIC in microseconds: near the uptime (no suspend on a server)
usec=$(sed -n 's/^RELOADING=1 MONOTONIC_USEC=//p' "$TMP/notify.log")
check "MONOTONIC_USEC is the monotonic clock in microseconds" \
    awk -v u="$usec" '{ d = u / 1e6 - $1; exit !(d > -30 && d < 30) }' /proc/uptime

kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
check_eq "SIGTERM: flushes and exits 0" "$?" 0
DAEMON_PID=""
check_eq "the messages, in order (watchdog aside)" "$(grep -vx 'WATCHDOG=1' "$TMP/notify.log" |
    sed 's/MONOTONIC_USEC=[0-9]*/MONOTONIC_USEC=N/' | tr '\n' ';')" \
    "READY=1;RELOADING=1 MONOTONIC_USEC=N;READY=1;STOPPING=1;"
check_eq "the store belongs to the service user" \
    "$(stat -c %U /var/lib/flowtally/flowtally.db)" "$RUN_AS"
setpriv --reuid="$RUN_AS" --regid="$RUN_AS" --init-groups /usr/bin/flowtally report \
    --db /var/lib/flowtally/flowtally.db --by host --format csv | cut -d, -f1-7 >"$TMP/got.csv"
if cmp -s "$TMP/got.csv" "$TMP/want.csv"; then
    ok "the installed binary reports flowgen's per-host totals exactly"
else
    not_ok "the installed binary reports flowgen's per-host totals exactly"
    diff "$TMP/want.csv" "$TMP/got.csv" | head -20 | sed 's/^/#   /'
fi

# 4. Purged: nothing left
if dpkg --purge flowtally >"$TMP/purge.log" 2>&1; then
    INSTALLED=""
    ok "dpkg --purge removes it"
else
    not_ok "dpkg --purge removes it" && show "$TMP/purge.log"
fi
check "purge: no user flowtally" sh -c '! getent passwd flowtally >/dev/null'
check "purge: no group flowtally" sh -c '! getent group flowtally >/dev/null'
check "purge: no /var/lib/flowtally" test ! -e /var/lib/flowtally
check "purge: no /usr/bin/flowtally" test ! -e /usr/bin/flowtally
check "purge: no /etc/flowtally" test ! -e /etc/flowtally
check "purge: no unit" test ! -e "$UNIT"
echo "1..$TAP_N"
[ "$TAP_FAILED" -eq 0 ]
