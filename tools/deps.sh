#!/bin/sh
# Installs the Debian packages flowtally needs, when any is missing. The two lists are kept
# here alone:
#   tools/deps.sh            what building and running need (`make run`)
#   tools/deps.sh --test     that and every tool the tests, fuzzing and benchmarks use
#                            (`make check`, `make fuzz`, `make bench`)
#   tools/deps.sh --list [--test]   prints the list and installs nothing (.ci/run uses it)
set -e
BUILD_PKGS="build-essential pkg-config libsqlite3-dev libpq-dev libpcap-dev libndpi-dev libmicrohttpd-dev libcrypt-dev libgnutls28-dev libldap-dev libcurl4-openssl-dev libcairo2-dev libpango1.0-dev fonts-dejavu-core tzdata netbase"
# the test tools: peers that check our numbers (softflowd, pmacct, nfdump, tcpdump,
# freeradius-utils), servers the tests start (postgresql, slapd, python3-aiosmtpd), the
# browser tests (chromium, nodejs, npm), the benchmarks (wrk) and the checks of make check
# (debhelper, dpkg-dev, fakeroot, lintian: the package test builds and checks the .deb)
# (man-db and groff-base render the man pages in 040-reference; prometheus brings promtool,
# which checks the /metrics text in 042-stats-health)
TEST_PKGS="clang clang-format sqlite3 postgresql jq bc tcpdump iproute2 softflowd pmacct nfdump freeradius-utils python3 slapd ldap-utils wrk chromium nodejs poppler-utils python3-aiosmtpd nftables openssl man-db groff-base debhelper dpkg-dev fakeroot lintian prometheus"
PKGS=$BUILD_PKGS
is_test=""
is_list=""
for a in "$@"; do
    case $a in
    --test) is_test=1; PKGS="$BUILD_PKGS $TEST_PKGS" ;;
    --list) is_list=1 ;;
    *) echo "usage: tools/deps.sh [--test] [--list]" >&2; exit 2 ;;
    esac
done
if [ -n "$is_list" ]; then
    echo "$PKGS"
    exit 0
fi
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
# npm (browser tests): Debian's package, or the one NodeSource's nodejs carries (that nodejs
# conflicts with Debian's npm, so only a machine without any npm gets it)
[ -n "$is_test" ] && ! command -v npm >/dev/null && missing="$missing npm"
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
