#!/bin/sh
# The portal's logins from the command line (`flowtally user`): add, set, list and remove
# round trips in CSV and JSON; the rules (a customer needs an existing account, three
# roles, a login taken); --password-stdin stored as a yescrypt hash of exactly the line
# given; a file of `user add` arguments and a postfixadmin mailbox export imported, each in
# one transaction (a bad line stores nothing and is named FILE:LINE); `user remove` leaves
# the subscriber alone while `subscriber remove` takes its users with it. No password and
# no hash ever reaches stdout or stderr: every output of the test is searched for them.
# Runs on PostgreSQL too (FLOWTALLY_TEST_ENGINE=postgresql, as 026 runs 005).
. "$(dirname "$0")/../lib.sh"

new_store || { not_ok "a new store"; done_testing; exit 1; }

# ft ARGS...: flowtally on the test's store, its stdout and stderr passed on and also kept
# in $TMP/all for the search for secrets at the end.
ft() {
    "$FT" "$@" --db "$DB" >"$TMP/o" 2>"$TMP/e"
    ft_rc=$?
    cat "$TMP/o" "$TMP/e" >>"$TMP/all"
    cat "$TMP/o"
    cat "$TMP/e" >&2
    return $ft_rc
}

# sql QUERY: the store's own answer, one row a line (the CLI never prints a hash).
sql() {
    if [ "${FLOWTALLY_TEST_ENGINE:-}" = postgresql ]; then
        psql -X -q -A -t -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres -d "$PG_DB" \
            -c "$1"
    else
        sqlite3 "$DB" "$1"
    fi
}

# refused NAME MESSAGE ARGS...: `flowtally ARGS` exits 1, prints nothing on stdout and
# exactly "flowtally: MESSAGE" on stderr.
refused() {
    name=$1 msg=$2
    shift 2
    ft "$@" >"$TMP/out" 2>"$TMP/err"
    check_eq "$name" "$?|$(cat "$TMP/out")|$(cat "$TMP/err")" "1||flowtally: $msg"
}

# succeeds NAME WANT_STDOUT ARGS...: exit 0, exactly WANT_STDOUT (what the command did:
# "user ops added"), nothing on stderr.
succeeds() {
    name=$1 want=$2
    shift 2
    ft "$@" >"$TMP/out" 2>"$TMP/err"
    check_eq "$name" "$?|$(cat "$TMP/out")|$(cat "$TMP/err")" "0|$want|"
}

# list_csv: `user list --format csv`, each creation time (checked by created_ok) as CREATED.
list_csv() {
    ft user list --format csv | sed 's/,[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z$/,CREATED/'
}

# Hashes made when the test was written, each by the command beside it; the passwords are
# the last argument.
# openssl passwd -5 -salt rootsaltrootsalt 'root-secret-5'
ROOT_HASH='$5$rootsaltrootsalt$q8BFPq4OJ71JvclQ3fMu2jVeY/rjprQrP7USI4iPeW5'
# openssl passwd -1 -salt opssalt1 'ops-secret-6'
OPS_HASH='$1$opssalt1$Bt/dVEsqyRuqyfVBWFpo7.'
# openssl passwd -1 -salt carolsal 'carol-secret-7'
CAROL_HASH='$1$carolsal$hxU.ONATXS76VcOYie49..'
# openssl passwd -5 -salt helpdesksaltsalt 'helpdesk-secret-8'
HELPDESK_HASH='$5$helpdesksaltsalt$USAhf5heROAZRlgM.yPADPgVePptdzvdbyFDeeF9L13'
# openssl passwd -1 -salt dansalt1 'dan-secret-1'
DAN_HASH='$1$dansalt1$slAug4xW10BAmKPMnQ5NU.'
# openssl passwd -6 -salt erinsalterinsalt 'erin-secret-2'
ERIN_HASH='$6$erinsalterinsalt$sv2ueSNOIErh2U4juRqqHSPT9FOcNJsVaOou3cUBwoURN7L3Ns6ElJVGDegHpKFXM0rNQzxdvy94ek/HE6/Yw1'
# openssl passwd -1 -salt franksal 'frank-secret-3'
FRANK_HASH='$1$franksal$glAoTIXMlIgkQJiPQ/twd0'
# openssl passwd -6 -salt obriensaltobrien 'obrien-secret-4'
OBRIEN_HASH='$6$obriensaltobrien$Gcb0s.iC60f9p7eN9MY0Vj3D..czOteAEUjqBVxkPRDeOnthcG6jK1LGEkrEN2aiZxKtglRZheYuQTNMAiIh4.'
# openssl passwd -1 -salt gsaltsal 'g-secret-9'
G_HASH='$1$gsaltsal$AqgSleDgSjSvhkaDaeLFT1'

day_first=$(date -u +%Y-%m-%d)
for a in alice bob carol dan@example.org erin@example.org; do
    ft subscriber add "$a" || not_ok "subscriber add $a"
done

# ---- add ----

printf 'correct horse battery\n' >"$TMP/pw"
succeeds "add a customer, the password from stdin" "user alice@example.org added" \
    user add Alice@Example.ORG --role customer --account alice --password-stdin <"$TMP/pw"
hash=$(sql "SELECT password FROM users WHERE login = 'alice@example.org'")
case $hash in
'$y$'*) ok "--password-stdin stores a yescrypt hash (\$y\$...), under the lowercased login" ;;
*) not_ok "--password-stdin stores a yescrypt hash: got '$(printf %.4s "$hash")...'" ;;
esac
# libxcrypt's crypt() through perl: the stored hash is of the line without its newline
got=$(perl -e 'print crypt($ARGV[0], $ARGV[1]) eq $ARGV[1] ? "match" : "no match"' \
    'correct horse battery' "$hash")
check_eq "the hash is of the password given, without its newline" "$got" match

succeeds "add staff without a password: a note says how to give one" \
    "user ops added
note: ops has no password here: they can log in once one is set (user set ops --password-stdin or --password-hash HASH) or LDAP is configured" \
    user add ops --role staff
succeeds "add an admin with --password-hash" "user root added" user add root --role admin --password-hash "$ROOT_HASH"
check_eq "the hash is stored as given" "$(sql "SELECT password FROM users WHERE login = 'root'")" \
    "$ROOT_HASH"

refused "a customer without --account is refused" \
    "a customer needs an account (--account): the subscriber whose usage they see" \
    user add carol@example.org --role customer
refused "an account that is no subscriber is refused" "no subscriber 'nosuch'" \
    user add carol@example.org --role customer --account nosuch
refused "an unknown role is refused" "--role 'boss': expected customer, staff or admin" \
    user add carol@example.org --role boss --account carol
refused "a new user needs a role" "a new user needs --role customer, staff or admin" \
    user add carol@example.org --account carol
refused "a login taken is refused (logins compare lowercased)" \
    "a user 'alice@example.org' exists already" user add ALICE@example.org --role staff
refused "a hash of a scheme that cannot be verified is refused, and not echoed" \
    "the password hash cannot be used: {PLAIN} is not a crypt(3) scheme this program verifies" \
    user add carol@example.org --role staff --password-hash '{PLAIN}carol-secret-plain'
printf 'short\n' >"$TMP/pw"
refused "a password shorter than 8 bytes is refused" \
    "password refused: a password has 8 to 511 bytes, not 5" \
    user add carol@example.org --role staff --password-stdin <"$TMP/pw"
printf '\n' >"$TMP/pw"
refused "an empty password is refused" \
    "--password-stdin: expected the password on the first line of stdin, got an empty line" \
    user add carol@example.org --role staff --password-stdin <"$TMP/pw"
ft user add carol@example.org --role staff --password-stdin --password-hash "$CAROL_HASH" \
    </dev/null >"$TMP/out" 2>"$TMP/err"
check_eq "--password-stdin and --password-hash together: a usage error" "$?|$(cat "$TMP/err")" \
    "2|flowtally: give --password-stdin or --password-hash, not both
Try 'flowtally user --help'."
ft user add carol@example.org --role staff "$CAROL_HASH" >"$TMP/out" 2>"$TMP/err"
check_eq "a hash without --password-hash: a usage error that does not quote it" \
    "$?|$(cat "$TMP/err")" \
    "2|flowtally: an argument out of place or misspelt (not shown: it may be a password hash)
Try 'flowtally user --help'."
ft user list --role staff >"$TMP/out" 2>"$TMP/err"
check_eq "list takes no --role" "$?|$(cat "$TMP/err")" \
    "2|flowtally: user list does not take --role
Try 'flowtally user --help'."
check_eq "nothing refused was stored" "$(sql "SELECT count(*) FROM users")" 3

# ---- list ----

list_csv >"$TMP/got"
cat >"$TMP/want" <<'EOF'
login,role,account,scheme,created
alice@example.org,customer,alice,yescrypt,CREATED
ops,staff,,none,CREATED
root,admin,,sha256crypt,CREATED
EOF
check_same "user list --format csv" "$TMP/got" "$TMP/want"

ft user list --format json >"$TMP/json"
jq -r '[.login, .role, .account, .scheme] | join(",")' "$TMP/json" >"$TMP/got"
cat >"$TMP/want" <<'EOF'
alice@example.org,customer,alice,yescrypt
ops,staff,,none
root,admin,,sha256crypt
EOF
check_same "user list --format json: one document a line" "$TMP/got" "$TMP/want"
check_eq "JSON members: login, role, account, scheme, created" \
    "$(jq -c 'keys_unsorted' "$TMP/json" | sort -u)" '["login","role","account","scheme","created"]'

# every creation time is of this test's run, to the second, in UTC
day_last=$(date -u +%Y-%m-%d)
created_ok() {
    jq -r '.created' "$TMP/json" | while read -r c; do
        case $c in
        "${day_first}T"??:??:??Z | "${day_last}T"??:??:??Z) ;;
        *) echo "$c" ;;
        esac
    done
}
check_eq "creation times are today's, as YYYY-MM-DDTHH:MM:SSZ" "$(created_ok)" ""

ft user list | sed 's/[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]$/DATE/' >"$TMP/got"
cat >"$TMP/want" <<'EOF'
login                            role     account          scheme        created
alice@example.org                customer alice            yescrypt      DATE
ops                              staff    -                none          DATE
root                             admin    -                sha256crypt   DATE
EOF
check_same "user list (table, the day created)" "$TMP/got" "$TMP/want"

# ---- set ----

# Two logged-in browsers (what the portal stores: a token's hash): a new password ends the
# user's sessions, and only those; other changes leave them.
succeeds "set a role, an account and a hash at once" "user ops updated" \
    user set ops --role customer --account bob --password-hash "$OPS_HASH"
sql "INSERT INTO sessions (id_hash, user_id, csrf, created_ms, seen_ms)
     SELECT 'session-' || login, id, 'csrf', 1, 1 FROM users WHERE login IN ('root', 'ops')"
succeeds "set an account only" "user root updated" user set ROOT --account alice
check_eq "sessions stay when the password does not change" \
    "$(sql "SELECT id_hash FROM sessions ORDER BY id_hash" | tr '\n' ' ')" \
    "session-ops session-root "
printf 'another good password\n' >"$TMP/pw"
succeeds "set a password from stdin" "user root updated" user set root --password-stdin <"$TMP/pw"
check_eq "a new password ends that user's sessions" \
    "$(sql "SELECT id_hash FROM sessions ORDER BY id_hash" | tr '\n' ' ')" "session-ops "
succeeds "a customer becomes staff, keeping the account" "user alice@example.org updated" user set alice@example.org --role staff
refused "set of a login that does not exist" "no user 'nobody'" user set nobody --role staff
refused "a customer's account cannot be cleared" \
    "a customer needs an account (--account): the subscriber whose usage they see" \
    user set ops --account ""

list_csv >"$TMP/got"
cat >"$TMP/want" <<'EOF'
login,role,account,scheme,created
alice@example.org,staff,alice,yescrypt,CREATED
ops,customer,bob,md5crypt,CREATED
root,admin,alice,yescrypt,CREATED
EOF
check_same "user list after set" "$TMP/got" "$TMP/want"
check_eq "the hash given to set is stored as given" \
    "$(sql "SELECT password FROM users WHERE login = 'ops'")" "$OPS_HASH"
succeeds "staff may have no account" "user alice@example.org updated" user set alice@example.org --account ""

# ---- remove ----

succeeds "user remove (the login compared lowercased)" "user ops removed" user remove OPS
refused "removing it again" "no user 'ops'" user remove ops
check_eq "user remove leaves the subscriber alone" \
    "$(ft subscriber list --format csv | cut -d, -f1 | grep -cx bob)" 1

# ---- import: lines of `user add` arguments ----

cat >"$TMP/users.txt" <<EOF
# the portal's staff and two customers
"Help Desk" --role staff --password-hash $HELPDESK_HASH
carol@example.org --role customer --account carol --password-hash $CAROL_HASH
nopass --role staff   # LDAP only
root --role staff --account ""   # exists: updated, keeping its password
EOF
succeeds "user import: a new login is added, one that exists updated" \
    "imported 4 users from $TMP/users.txt
1 of them have no password here (for LDAP)" user import "$TMP/users.txt"

list_csv >"$TMP/before"
cat >"$TMP/want" <<'EOF'
login,role,account,scheme,created
alice@example.org,staff,,yescrypt,CREATED
carol@example.org,customer,carol,md5crypt,CREATED
help desk,staff,,sha256crypt,CREATED
nopass,staff,,none,CREATED
root,staff,,yescrypt,CREATED
EOF
check_same "user list after the import" "$TMP/before" "$TMP/want"

cat >"$TMP/bad.txt" <<EOF
zoe --role staff
carol@example.org --role admin --account ""
yann --role customer --account nosuch
EOF
refused "an import line naming no subscriber: FILE:LINE" "$TMP/bad.txt:3: no subscriber 'nosuch'" \
    user import "$TMP/bad.txt"
printf 'zoe --role staff\nyann --role staff --password-stdin\n' >"$TMP/bad.txt"
refused "no --password-stdin on an import line" \
    "$TMP/bad.txt:2: --password-stdin is for the command line: an import line gives --password-hash HASH, or no password" \
    user import "$TMP/bad.txt"
printf 'zoe --role staff\nyann --role staff %s\n' "$G_HASH" >"$TMP/bad.txt"
refused "a hash out of place on an import line is not quoted" \
    "$TMP/bad.txt:2: an argument out of place or misspelt (not shown: it may be a password hash): expected LOGIN --role customer|staff|admin [--account ACCOUNT] [--password-hash HASH]" \
    user import "$TMP/bad.txt"
list_csv >"$TMP/got"
check_same "a refused import stores nothing of its file" "$TMP/got" "$TMP/before"

# ---- import --postfixadmin: mysql -B -e "SELECT username, password[, account] FROM mailbox" ----

TAB=$(printf '\t')
cat >"$TMP/mailbox.tsv" <<EOF
username${TAB}password
dan@example.org${TAB}$DAN_HASH
erin@example.org${TAB}{SHA512-CRYPT}$ERIN_HASH
EOF
succeeds "postfixadmin import: header skipped, the email is the account" \
    "imported 2 users from $TMP/mailbox.tsv (postfixadmin mailboxes)" \
    user import "$TMP/mailbox.tsv" --postfixadmin
check_eq "postfixadmin hashes are stored as exported, Dovecot prefix and all" \
    "$(sql "SELECT password FROM users WHERE login IN ('dan@example.org', 'erin@example.org')
            ORDER BY login" | tr '\n' ' ')" \
    "$DAN_HASH {SHA512-CRYPT}$ERIN_HASH "

# mysql -B writes a backslash in a value as \\ (and a tab as \t, a newline as \n)
cat >"$TMP/mailbox3.tsv" <<EOF
username${TAB}password${TAB}account
frank@example.org${TAB}$FRANK_HASH${TAB}bob
o\\\\brien@example.org${TAB}$OBRIEN_HASH${TAB}carol
dan@example.org${TAB}{MD5-CRYPT}$DAN_HASH${TAB}bob
EOF
check_eq "the export holds a backslash doubled, as mysql -B writes it" \
    "$(grep -c '^o\\\\brien@' "$TMP/mailbox3.tsv")" 1
succeeds "postfixadmin import --account-from column: a login that exists is updated" \
    "imported 3 users from $TMP/mailbox3.tsv (postfixadmin mailboxes)" \
    user import "$TMP/mailbox3.tsv" --postfixadmin --account-from column

list_csv >"$TMP/before"
cat >"$TMP/want" <<'EOF'
login,role,account,scheme,created
alice@example.org,staff,,yescrypt,CREATED
carol@example.org,customer,carol,md5crypt,CREATED
dan@example.org,customer,bob,md5crypt,CREATED
erin@example.org,customer,erin@example.org,sha512crypt,CREATED
frank@example.org,customer,bob,md5crypt,CREATED
help desk,staff,,sha256crypt,CREATED
nopass,staff,,none,CREATED
o\brien@example.org,customer,carol,sha512crypt,CREATED
root,staff,,yescrypt,CREATED
EOF
check_same "user list after the postfixadmin imports (a doubled backslash decoded)" "$TMP/before" "$TMP/want"

# Each bad file: one good mailbox, then the bad line; nothing of it may be stored.
printf 'username\tpassword\taccount\ngina@example.org\t%s\tbob\nzed@example.org\tplain:secret\tbob\n' \
    "$G_HASH" >"$TMP/bad.tsv"
refused "a hash of an unknown scheme: FILE:LINE and the problem, not the hash" \
    "$TMP/bad.tsv:3: zed@example.org: the password hash cannot be used: not a crypt(3) hash libxcrypt knows" \
    user import "$TMP/bad.tsv" --postfixadmin --account-from column
printf 'username\tpassword\taccount\ngina@example.org\t%s\tbob\ng\\tx@example.org\t%s\tbob\n' \
    "$G_HASH" "$G_HASH" >"$TMP/bad.tsv"
refused "an escaped tab is a tab inside a value, not a column: refused in a login" \
    "$TMP/bad.tsv:3: the username: control character U+0009 at offset 1" \
    user import "$TMP/bad.tsv" --postfixadmin --account-from column
printf 'gina@example.org\t%s\nhenry@example.org\t%s\n' "$G_HASH" "$G_HASH" >"$TMP/bad.tsv"
refused "a mailbox whose account is no subscriber: FILE:LINE" \
    "$TMP/bad.tsv:1: gina@example.org: no subscriber 'gina@example.org'" \
    user import "$TMP/bad.tsv" --postfixadmin
printf 'username\tpassword\taccount\ngina@example.org\t%s\tbob\n' "$G_HASH" >"$TMP/bad.tsv"
refused "a third column without --account-from column" \
    "$TMP/bad.tsv:2: expected username and password separated by a tab, got 3 columns (to take the account from the third, give --account-from column)" \
    user import "$TMP/bad.tsv" --postfixadmin
printf 'gina@example.org\t%s\tbob\nhenry@example.org\t%s\n' "$G_HASH" "$G_HASH" >"$TMP/bad.tsv"
refused "a line without its account column" \
    "$TMP/bad.tsv:2: expected username, password and account separated by tabs (--account-from column), got 2 columns" \
    user import "$TMP/bad.tsv" --postfixadmin --account-from column
list_csv >"$TMP/got"
check_same "refused postfixadmin imports store nothing" "$TMP/got" "$TMP/before"

# ---- subscriber remove takes its users with it ----

succeeds "subscriber remove bob" "subscriber bob removed" subscriber remove bob
list_csv | cut -d, -f1,3 >"$TMP/got"
cat >"$TMP/want" <<'EOF'
login,account
alice@example.org,
carol@example.org,carol
erin@example.org,erin@example.org
help desk,
nopass,
o\brien@example.org,carol
root,
EOF
check_same "bob's users (dan, frank) went with him, the rest stayed" "$TMP/got" "$TMP/want"

# ---- no secret in any output ----

leaks=""
for secret in 'correct horse battery' 'another good password' "$hash" "$ROOT_HASH" "$OPS_HASH" \
    "$CAROL_HASH" "$HELPDESK_HASH" "$DAN_HASH" "$ERIN_HASH" "$FRANK_HASH" "$OBRIEN_HASH" \
    "$G_HASH" 'carol-secret-plain' 'plain:secret' '$y$'; do
    grep -qF -- "$secret" "$TMP/all" && leaks="$leaks $(printf %.6s "$secret")..."
done
check_eq "no password and no hash in anything flowtally printed ($(wc -l <"$TMP/all" | tr -d ' ') lines)" \
    "$leaks" ""
done_testing
