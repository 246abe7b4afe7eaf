#!/bin/sh
# Every session the README shows, replayed from the README's own text by replay.py (it
# says what may differ: dates, the projection, the README's "..." shortenings). The
# sessions use the defaults' fixed ports (2055, 8080), so they run in a network namespace
# of their own, as root; and in a time zone where it is about noon now, so flows stamped
# now fall in this day's and this cycle's local hours whatever the hour in UTC (the
# example classes make 00:00-06:00 "night", and a cycle starts at local midnight).
. "$(dirname "$0")/../lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then
    echo "1..0 # SKIP needs root, unshare and ip: the sessions run in a network namespace"
    exit 0
fi
# Etc/GMT+N is N hours behind UTC (POSIX's sign): local = UTC - N, so N = hour - 12
n=$(($(date -u +%-H) - 12))
if [ "$n" -ge 0 ]; then TZ="Etc/GMT+$n"; else TZ="Etc/GMT-$((-n))"; fi
export TZ
echo "# replaying in TZ=$TZ (local time $(date +%H:%M))"
unshare -n sh -c "ip link set lo up && /usr/bin/python3 '$ROOT/tests/integration/043-readme-sessions/replay.py' \
    '$ROOT/README.md' '$ROOT' '$BUILD'"
