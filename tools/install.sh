#!/bin/sh
# `make install`: puts the binary, the man pages, the configuration and the examples under
# PREFIX, staged under DESTDIR (debian/rules stages the package this way). Everything the
# daemon needs at run time beyond its configuration (portal pages, style, logo, mail texts)
# is compiled in, so nothing else is installed. The variables come from the Makefile:
#   BUILD (the build directory) DESTDIR BINDIR MANDIR DOCDIR SYSCONFDIR STATEDIR
set -eu
: "${BUILD:?}" "${BINDIR:?}" "${MANDIR:?}" "${DOCDIR:?}" "${SYSCONFDIR:?}" "${STATEDIR:?}"
D=${DESTDIR:-}
CONF=$SYSCONFDIR/flowtally

install -d "$D$BINDIR" "$D$CONF" "$D$DOCDIR/examples/classes" "$D$DOCDIR/examples/mail"
install -m 0755 "$BUILD/flowtally" "$D$BINDIR/flowtally"

# man pages, those there are (man/NAME.SECTION)
for page in man/*.[158]; do
    [ -f "$page" ] || continue
    section=${page##*.}
    install -d "$D$MANDIR/man$section"
    install -m 0644 "$page" "$D$MANDIR/man$section/"
done

# The daemon's configuration: the default one, storing under STATEDIR and naming
# applications from the installed list. An operator's edited copy is never overwritten
# (the Debian package leaves that to dpkg's conffile handling).
conf_new=$(mktemp)
trap 'rm -f "$conf_new"' EXIT
sed -e "s|^db = flowtally.db\$|db = $STATEDIR/flowtally.db|" \
    -e "s|^apps = \$|apps = $CONF/apps.conf|" etc/flowtally.conf >"$conf_new"
for want in "db = $STATEDIR/flowtally.db" "apps = $CONF/apps.conf"; do
    grep -qxF "$want" "$conf_new" || {
        echo "install: etc/flowtally.conf: expected the default db and apps lines to set '$want'" >&2
        exit 1
    }
done
install_conf() { # SOURCE NAME
    if [ -e "$D$CONF/$2" ] && ! cmp -s "$1" "$D$CONF/$2"; then
        echo "install: kept $D$CONF/$2 (changed); the new one is $D$CONF/$2.new"
        install -m 0644 "$1" "$D$CONF/$2.new"
    else
        install -m 0644 "$1" "$D$CONF/$2"
    fi
}
install_conf "$conf_new" flowtally.conf
install_conf etc/apps.conf apps.conf

# examples to copy and edit: traffic classes, plans to import, mail templates
install -m 0644 etc/classes.conf etc/plans.example "$D$DOCDIR/examples/"
install -m 0644 etc/classes/* "$D$DOCDIR/examples/classes/"
install -m 0644 etc/mail/* "$D$DOCDIR/examples/mail/"
install -m 0644 README.md "$D$DOCDIR/"
