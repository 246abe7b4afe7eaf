#!/bin/sh
# Installs the Debian packages the build and the tests need, when any is missing.
# Used by `make run`, `make check`, `make fuzz`, `make bench` and .ci/run.
set -e
PKGS="build-essential clang clang-format libsqlite3-dev sqlite3 libpq-dev postgresql jq bc tzdata netbase libpcap-dev libndpi-dev tcpdump iproute2 softflowd pmacct nfdump freeradius-utils python3 libmicrohttpd-dev libcrypt-dev libgnutls28-dev libldap-dev slapd ldap-utils wrk chromium nodejs libcairo2-dev libpango1.0-dev poppler-utils fonts-dejavu-core libcurl4-openssl-dev python3-aiosmtpd nftables openssl"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
# npm: Debian's package, or the one NodeSource's nodejs carries (that nodejs conflicts with
# Debian's npm, so only a machine without any npm gets it)
command -v npm >/dev/null || missing="$missing npm"
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
if [ "$(id -u)" != 0 ]; then
    SUDO=sudo
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing >/dev/null
