#!/bin/sh
# Portal logins checked by a directory: a real slapd, started here on 127.0.0.1 at a free
# port (as an unprivileged user when run as root) with an mdb database of the example
# WISP's people loaded by slapadd ({SSHA} passwords made by slappasswd now). A user the
# store has without a password logs in through an LDAP simple bind; a wrong password is
# the same 401 as an unknown login; an empty password never reaches the directory, though
# this one would take it (allow bind_anon_dn: an "unauthenticated bind", RFC 4513 §5.1.2);
# a login with DN metacharacters binds as the entry it names and no other; a user with a
# local password and an unknown login are never sent there; failures throttle as local
# ones do; STARTTLS checks the directory's certificate; a silent directory and a dead one
# are a 503 while local users go on logging in. slapd's own log (-d stats) shows which
# binds arrived. Every wait is bounded; slapd is stopped on exit.
. "$(dirname "$0")/../lib.sh"
export TZ=UTC

PATH=$PATH:/usr/sbin:/usr/bin
if ! command -v slapd >/dev/null || ! command -v slapadd >/dev/null ||
    ! command -v slappasswd >/dev/null; then
    skip "LDAP logins" "slapd is not installed (apt-get install slapd ldap-utils)"
    done_testing
    exit 0
fi

# ---- the directory ----
LDAP_DIR=""
LDAP_PID=""
# slapd_kill: slapd is this shell's child, so it is waited for (and gone) at once after a
# KILL; its database is thrown away with it.
slapd_kill() {
    if [ -n "$LDAP_PID" ]; then
        kill -KILL "$LDAP_PID" 2>/dev/null
        wait "$LDAP_PID" 2>/dev/null
        LDAP_PID=""
    fi
}
ldap_stop() {
    slapd_kill
    [ -n "$LDAP_DIR" ] && rm -rf "$LDAP_DIR"
    LDAP_DIR=""
}
trap 'ldap_stop; cleanup' EXIT

LDAP_USER=$(id -un)
if [ "$(id -u)" = 0 ]; then
    LDAP_USER=openldap
    id "$LDAP_USER" >/dev/null 2>&1 || LDAP_USER=nobody
fi
# the words that run a command as LDAP_USER: setpriv execs it, so $! is the command's pid
AS_LDAP=""
[ "$(id -u)" = 0 ] &&
    AS_LDAP="setpriv --reuid=$LDAP_USER --regid=$(id -g "$LDAP_USER") --init-groups --"
free_port() {
    i=0
    while [ $i -lt 50 ]; do
        p=$(($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000 + 20000))
        if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
            echo "$p"
            return 0
        fi
        i=$((i + 1))
    done
    return 1
}

LDAP_DIR=$(mktemp -d /tmp/flowtally-ldap.XXXXXX)
mkdir "$LDAP_DIR/db"
# The directory's certificate for STARTTLS, and another CA that did not sign it.
TLS_CONF=""
if openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=127.0.0.1" \
    -addext "subjectAltName=IP:127.0.0.1" -keyout "$LDAP_DIR/key.pem" -out "$LDAP_DIR/cert.pem" \
    >/dev/null 2>&1 &&
    openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=someone else" \
        -keyout "$TMP/other-key.pem" -out "$TMP/other.pem" >/dev/null 2>&1; then
    TLS_CONF="TLSCertificateFile $LDAP_DIR/cert.pem
TLSCertificateKeyFile $LDAP_DIR/key.pem"
fi
cat >"$LDAP_DIR/slapd.conf" <<EOF
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile $LDAP_DIR/slapd.pid
# A DN with an empty password binds "unauthenticated" as anonymous and succeeds: the
# directory a careless client is unsafe against.
allow bind_anon_dn
$TLS_CONF
database mdb
suffix "dc=example,dc=net"
rootdn "cn=admin,dc=example,dc=net"
directory $LDAP_DIR/db
maxsize 10485760
access to attrs=userPassword by anonymous auth by * none
access to * by * read
EOF
# person DN UID PASSWORD: an inetOrgPerson entry
person() {
    printf 'dn: %s\nobjectClass: inetOrgPerson\nuid: %s\ncn: %s\nsn: Example\nuserPassword: %s\n\n' \
        "$1" "$2" "$2" "$(slappasswd -s "$3")"
}
{
    printf 'dn: dc=example,dc=net\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example WISP\n\n'
    printf 'dn: ou=people,dc=example,dc=net\nobjectClass: organizationalUnit\nou: people\n\n'
    printf 'dn: ou=admins,ou=people,dc=example,dc=net\nobjectClass: organizationalUnit\nou: admins\n\n'
    person "uid=lena,ou=people,dc=example,dc=net" lena lena-ldap-pw
    # uid "dave+x,y": a login that must be escaped to name its own entry
    person 'uid=dave\+x\,y,ou=people,dc=example,dc=net' 'dave+x,y' dave-ldap-pw
    # carol of the admins: what "carol,ou=admins" would bind as, spliced in unescaped
    person "uid=carol,ou=admins,ou=people,dc=example,dc=net" carol carol-admin-pw
    # erin has a password in the store as well: only that one counts
    person "uid=erin,ou=people,dc=example,dc=net" erin erin-ldap-pw
} >"$LDAP_DIR/people.ldif"
if slapadd -f "$LDAP_DIR/slapd.conf" -l "$LDAP_DIR/people.ldif" >"$TMP/slapadd.out" 2>&1; then
    ok "slapadd loads dc=example,dc=net"
else
    not_ok "slapadd loads dc=example,dc=net" && sed 's/^/#   /' "$TMP/slapadd.out" | head
fi
[ "$(id -u)" = 0 ] && chown -R "$LDAP_USER:$(id -g "$LDAP_USER")" "$LDAP_DIR"

# slapd in the foreground (-d: its log on stderr), at a free port; again if it loses the
# race for the port.
LDAP_LOG="$LDAP_DIR/slapd.log"
n=0
while [ $n -lt 5 ] && [ -z "$LDAP_PID" ]; do
    n=$((n + 1))
    LDAP_PORT=$(free_port) || break
    $AS_LDAP slapd -f "$LDAP_DIR/slapd.conf" -h "ldap://127.0.0.1:$LDAP_PORT/" -d stats \
        >"$LDAP_LOG" 2>&1 &
    LDAP_PID=$!
    i=0
    while ! grep -q 'slapd starting' "$LDAP_LOG" && kill -0 "$LDAP_PID" 2>/dev/null && [ $i -lt 200 ]; do
        sleep 0.05
        i=$((i + 1))
    done
    if ! grep -q 'slapd starting' "$LDAP_LOG" || ! kill -0 "$LDAP_PID" 2>/dev/null; then
        slapd_kill
    fi
done
if [ -z "$LDAP_PID" ]; then
    not_ok "slapd starts" && sed 's/^/#   /' "$LDAP_LOG" | tail -5
    done_testing
    exit
fi
ok "slapd starts on 127.0.0.1:$LDAP_PORT as $LDAP_USER"
LDAP_URI="ldap://127.0.0.1:$LDAP_PORT"
PEOPLE="ou=people,dc=example,dc=net"
# binds DN_PATTERN: the binds slapd has been asked for whose DN matches (grep -c)
binds() { grep -c "BIND dn=\"$1\" method=" "$LDAP_LOG"; }
if command -v ldapwhoami >/dev/null; then
    check_eq "this directory takes an empty password (an unauthenticated bind)" \
        "$(ldapwhoami -x -H "$LDAP_URI" -D "uid=lena,$PEOPLE" -w '' 2>&1)" anonymous
    check_eq "... and lena's own with her DN" \
        "$(ldapwhoami -x -H "$LDAP_URI" -D "uid=lena,$PEOPLE" -w lena-ldap-pw 2>&1)" "dn:uid=lena,$PEOPLE"
else
    skip "this directory takes an empty password" "ldapwhoami is not installed (ldap-utils)"
fi

# ---- the store: who may log in, and as what ----
new_store
ft() { "$FT" "$@" --db "$DB"; }
ft plan add basic --quota 15GB --anchor 1 --price 25.00
ft subscriber add lena-1 --plan basic --name "Lena Directory"
ft subscriber add dave-2 --plan basic --name "Dave Oddname"
ft subscriber add erin-3 --plan basic --name "Erin Local"
{ # users without a password here (each gets a note)
    ft user add lena --role customer --account lena-1
    ft user add 'dave+x,y' --role customer --account dave-2
    ft user add 'carol,ou=admins' --role customer --account dave-2
} >"$TMP/useradd.out" 2>&1
echo 'erin-local-pw' | ft user add erin --role customer --account erin-3 --password-stdin
# scheme LOGIN: the scheme of LOGIN's stored password, as `user list` names it
scheme() { ft user list --format csv | awk -F, -v u="$1" '$1 == u { print $4 }'; }

start_flowtally --trusted-proxies 127.0.0.1/32 --ldap-uri "$LDAP_URI" \
    --ldap-bind-dn "uid=%u,$PEOPLE" --ldap-timeout 1 ||
    { not_ok "flowtally starts with ldap_uri"; done_testing; exit; }
WEB=$(web_port)
[ -n "$WEB" ] && ok "the daemon serves the portal" || not_ok "the daemon serves the portal"

# login USER PASSWORD CLIENT [PORT]: a login from CLIENT (X-Forwarded-For, so that each
# scenario has an address of its own to throttle); prints the status and the time taken,
# keeps the page in $TMP/page and the cookies in $TMP/jar.
login() {
    rm -f "$TMP/jar"
    csrf=$(curl -s --max-time 15 -c "$TMP/jar" "http://127.0.0.1:${4:-$WEB}/login" |
        sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
    curl -s --max-time 15 -b "$TMP/jar" -c "$TMP/jar" -o "$TMP/page" -w '%{http_code} %{time_total}' \
        -H "X-Forwarded-For: $3" --data-urlencode "csrf=$csrf" --data-urlencode "username=$1" \
        --data-urlencode "password=$2" "http://127.0.0.1:${4:-$WEB}/login"
}
status() { login "$@" | cut -d' ' -f1; }
# page PATH: the page at PATH with the last login's cookies
page() { curl -s --max-time 15 -b "$TMP/jar" "http://127.0.0.1:$WEB$1"; }

# A user without a local password logs in through the directory, and sees their page.
B0=$(binds "uid=lena,$PEOPLE")
check_eq "lena (no password here) logs in through LDAP: 303" "$(status Lena lena-ldap-pw 192.0.2.1)" 303
awk -F'\t' '$6 == "ft_session" && $7 != "" { found = 1 } END { exit !found }' "$TMP/jar" &&
    ok "... with a session" || not_ok "... with a session"
check_eq "... and sees her account's usage" "$(page /api/v1/usage | jq -r .account)" lena-1
page / | grep -q 'Lena Directory' && ok "... and her page" || not_ok "... and her page"
check_eq "... after one bind as uid=lena" "$(binds "uid=lena,$PEOPLE")" $((B0 + 1))
check_eq "... her empty password is not replaced by a hash" "$(scheme lena)" none

# A wrong password: the same 401 page as an unknown login, no sooner than 300 ms.
R=$(login lena wrong-pw 192.0.2.2)
check_eq "lena with a wrong password: 401" "${R% *}" 401
awk -v t="${R#* }" 'BEGIN { exit !(t >= 0.3) }' && ok "... after at least 300 ms (${R#* } s)" ||
    not_ok "... after at least 300 ms (${R#* } s)"
# the pages but for the login echoed in the form and the form's token
unlike() { sed -e "s/value=\"$1\"//" -e 's/name="csrf" value="[^"]*"//' "$TMP/page"; }
unlike lena >"$TMP/wrong.html"
check_eq "an unknown login: 401" "$(status nobody wrong-pw 192.0.2.2)" 401
unlike nobody >"$TMP/unknown.html"
check_same "... the same page as lena's wrong password" "$TMP/wrong.html" "$TMP/unknown.html"
check_eq "an unknown login is never sent to the directory" "$(binds 'uid=nobody,.*')" 0

# An empty password never reaches the directory (which would have said yes).
B0=$(grep -c 'BIND dn=' "$LDAP_LOG")
check_eq "lena with an empty password is refused" "$(status lena '' 192.0.2.3)" 400
check_eq "... without any bind" "$(grep -c 'BIND dn=' "$LDAP_LOG")" "$B0"

# DN metacharacters in a login: escaped, so it names its own entry or none.
check_eq "'dave+x,y' logs in as the entry uid=dave\\+x\\,y" "$(status 'dave+x,y' dave-ldap-pw 192.0.2.4)" 303
check_eq "... whose account he sees" "$(page /api/v1/usage | jq -r .account)" dave-2
check_eq "... bound with the escaped DN" "$(binds 'uid=dave\\2Bx\\2Cy,ou=people,dc=example,dc=net')" 1
check_eq "'carol,ou=admins' with carol-of-the-admins' password: 401" \
    "$(status 'carol,ou=admins' carol-admin-pw 192.0.2.5)" 401
check_eq "... a bind as uid=carol\\,ou\\=admins, not as carol of the admins" \
    "$(binds 'uid=carol\\2Cou\\3Dadmins,ou=people,dc=example,dc=net') $(binds "uid=carol,ou=admins,$PEOPLE")" "1 0"

# A local password is the only one that counts for its user.
check_eq "erin (a local password) with her directory password: 401" \
    "$(status erin erin-ldap-pw 192.0.2.6)" 401
check_eq "erin with her local password: 303" "$(status erin erin-local-pw 192.0.2.6)" 303
check_eq "erin is never sent to the directory" "$(binds "uid=erin,$PEOPLE")" 0

# Throttling as for a local password: 6 refused binds, then the 7th is not even tried.
D0=$(binds 'uid=dave\\2Bx\\2Cy,ou=people,dc=example,dc=net')
for i in 1 2 3 4 5 6; do status 'dave+x,y' "guess-$i" "192.0.2.$((10 + i))" >>"$TMP/guesses"; done
check_eq "six wrong directory passwords: 401 each" "$(sort -u "$TMP/guesses")" 401
check_eq "... then the account waits: 429" "$(status 'dave+x,y' dave-ldap-pw 192.0.2.20)" 429
check_eq "... and the directory saw the six, not the seventh" \
    "$(binds 'uid=dave\\2Bx\\2Cy,ou=people,dc=example,dc=net')" $((D0 + 6))

# Several at once: each on its own connection to the directory.
T0=$(date +%s%N)
for i in 1 2 3 4 5 6 7 8; do
    (
        jar="$TMP/jar.$i"
        csrf=$(curl -s --max-time 15 -c "$jar" "http://127.0.0.1:$WEB/login" |
            sed -n 's/.*name="csrf" value="\([^"]*\)".*/\1/p')
        curl -s --max-time 15 -b "$jar" -o /dev/null -w '%{http_code}\n' \
            -H "X-Forwarded-For: 198.51.100.$i" --data-urlencode "csrf=$csrf" \
            --data-urlencode "username=lena" --data-urlencode "password=lena-ldap-pw" \
            "http://127.0.0.1:$WEB/login" >"$TMP/many.$i"
    ) &
done
all_answered() { [ "$(cat "$TMP"/many.* 2>/dev/null | wc -l)" = 8 ]; }
wait_for all_answered
check_eq "8 logins at once through LDAP: 303 each" "$(cat "$TMP"/many.* | sort -u)" 303
echo "# 8 parallel LDAP logins: $((($(date +%s%N) - T0) / 1000000)) ms"

# STARTTLS, by `flowtally web` on the same store: the directory's certificate is checked.
start_web() {
    rm -f "$TMP/web.out"
    env "$@" "$FT" web --db "$DB" --web 127.0.0.1:0 --ldap-uri "$LDAP_URI" \
        --ldap-bind-dn "uid=%u,$PEOPLE" --ldap-starttls 1 --ldap-timeout 2 \
        >"$TMP/web.out" 2>"$TMP/web.err" &
    WEB_PID=$!
    wait_for grep -q 'web: listening' "$TMP/web.out" ||
        { echo "# web did not start:"; sed 's/^/#   /' "$TMP/web.err"; }
    WEB2=$(sed -n 's|^web: listening on http://127.0.0.1:\([0-9]*\)$|\1|p' "$TMP/web.out")
}
stop_web() {
    kill -TERM "$WEB_PID"
    wait "$WEB_PID"
    check_eq "$1: stops cleanly" "$?" 0
    grep -q 'runtime error\|Sanitizer' "$TMP/web.err" && not_ok "$1: no sanitizer report"
}
if [ -z "$TLS_CONF" ]; then
    skip "STARTTLS" "openssl cannot make a certificate"
else
    start_web LDAPTLS_CACERT="$LDAP_DIR/cert.pem" LDAPTLS_REQCERT=demand
    S0=$(grep -c 'STARTTLS' "$LDAP_LOG")
    check_eq "STARTTLS with the directory's CA: lena logs in" "$(status lena lena-ldap-pw 192.0.2.30 "$WEB2")" 303
    [ "$(grep -c 'STARTTLS' "$LDAP_LOG")" -gt "$S0" ] && grep -q 'mech=SIMPLE bind_ssf=0 ssf=[1-9]' "$LDAP_LOG" &&
        ok "... her password went over TLS" || not_ok "... her password went over TLS"
    stop_web "flowtally web with STARTTLS"
    start_web LDAPTLS_CACERT="$TMP/other.pem" LDAPTLS_REQCERT=demand
    B0=$(binds "uid=lena,$PEOPLE")
    check_eq "STARTTLS with a certificate nobody vouches for: 503" \
        "$(status lena lena-ldap-pw 192.0.2.31 "$WEB2")" 503
    check_eq "... and no bind" "$(binds "uid=lena,$PEOPLE")" "$B0"
    grep -q "directory at $LDAP_URI: STARTTLS" "$TMP/web.err" && ok "... logged with the URI" ||
        not_ok "... logged with the URI"
    stop_web "flowtally web with an untrusted directory"
fi

# A directory that does not answer (stopped): 503 after ldap_timeout (1 s); local users
# go on logging in meanwhile.
kill -STOP "$LDAP_PID"
R=$(login lena lena-ldap-pw 192.0.2.40)
check_eq "a silent directory: 503" "${R% *}" 503
awk -v t="${R#* }" 'BEGIN { exit !(t >= 0.9 && t < 5) }' && ok "... after the timeout (${R#* } s)" ||
    not_ok "... after the timeout (${R#* } s)"
check_eq "... while erin logs in with her local password" "$(status erin erin-local-pw 192.0.2.41)" 303
# A dead one: 503 at once.
slapd_kill
R=$(login lena lena-ldap-pw 192.0.2.42)
check_eq "the directory down: 503" "${R% *}" 503
grep -q 'please try again' "$TMP/page" && ok "... please try again" || not_ok "... please try again"
awk -v t="${R#* }" 'BEGIN { exit !(t < 1) }' && ok "... at once (${R#* } s)" || not_ok "... at once (${R#* } s)"
check_eq "... and erin still logs in" "$(status erin erin-local-pw 192.0.2.43)" 303
grep -q "cannot check a password with the directory at $LDAP_URI: bind: Can't contact LDAP server" \
    "$TMP/daemon.err" && ok "the failure is logged with the directory's URI" ||
    not_ok "the failure is logged with the directory's URI"
if grep -q 'lena-ldap-pw\|dave-ldap-pw\|carol-admin-pw\|erin-local-pw\|guess-' \
    "$TMP/daemon.out" "$TMP/daemon.err" "$TMP/web.err" 2>/dev/null; then
    not_ok "no password in the daemon's output"
else
    ok "no password in the daemon's output"
fi
stop_flowtally

# A bind DN template without %u would bind every login as one entry: refused at start.
"$FT" web --db "$DB" --web 127.0.0.1:0 --ldap-uri "$LDAP_URI" \
    --ldap-bind-dn "cn=admin,dc=example,dc=net" >/dev/null 2>"$TMP/nou.err"
check_eq "ldap_bind_dn without %u: flowtally web refuses to start" "$?" 1
grep -q "expected a DN with %u" "$TMP/nou.err" && ok "... saying why" || not_ok "... saying why"

done_testing
