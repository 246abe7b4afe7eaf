#!/bin/sh
# The command line's contract (issue 14, item 6), through the real binary: help on stdout
# with exit 0 for every command and subcommand (the list read from the top-level help and
# checked against main.c's dispatch table); usage errors exit 2 with one line and a hint;
# failures exit 1; "did you mean"; what admin commands say they did, and -q; register's
# order; a taken port named with its holder and the option that moves it; --check-config
# loading the files the start loads; --version; the progress line on a terminal only.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
DB="$TMP/flowtally.db"
ft() { "$FT" "$@" --db "$DB"; }
# run_cmd CMD...: runs flowtally, leaving the exit status in $rc, stdout in out, stderr in err
run_cmd() {
    "$FT" "$@" >out 2>err
    rc=$?
}

# ---- the top-level help and the dispatch table ----
run_cmd --help
check_eq "--help: exit 0, on stdout, nothing on stderr" "$rc|$(test -s out && echo out)|$(cat err)" \
    "0|out|"
cp out help.out
sed -n '/^Commands:$/,/^$/p' help.out | awk 'NR > 1 && NF { print $1 }' | sort >help.cmds
grep -o '^    {"[a-z]*", ' "$ROOT/src/cli/main.c" | sed 's/[^a-z]//g' | sort >table.cmds
check_eq "the help lists exactly the commands of main.c's dispatch table" \
    "$(cat help.cmds)" "$(cat table.cmds)"
[ "$(wc -l <table.cmds)" -ge 16 ] && ok "... at least the 16 commands issue 14 knew" ||
    not_ok "the dispatch table read: $(cat table.cmds)"
for src in "NetFlow v5/v9" IPFIX "sFlow v5" pcap squid RADIUS "DHCP leases" "Kea CSV"; do
    grep -q "$src" help.out && ok "the help names the source $src" ||
        not_ok "the help names the source $src"
done
grep -q "^Exit status: 0 done, 1 failed (store, file, network), 2 usage error.$" help.out &&
    ok "the help gives the exit codes" || not_ok "the help gives the exit codes"
run_cmd
check_eq "no command: a usage error" "$rc|$(cat out)|$(cat err)" \
    "2||flowtally: missing command
Try 'flowtally --help'."

# ---- every command and subcommand: --help; a bad option ----
: >subs.all
for c in $(cat table.cmds); do
    run_cmd "$c" --help
    check_eq "$c --help: exit 0, on stdout, nothing on stderr" \
        "$rc|$(test -s out && echo out)|$(cat err)" "0|out|"
    cp out "help.$c"
    run_cmd "$c" -h
    cmp -s out "help.$c" && [ "$rc" = 0 ] && ok "$c -h is $c --help" || not_ok "$c -h: exit $rc"
    run_cmd help "$c"
    cmp -s out "help.$c" && [ "$rc" = 0 ] && ok "flowtally help $c is $c --help" ||
        not_ok "flowtally help $c: exit $rc"
    # the subcommands: the words after "flowtally CMD " in its help, such as add|set
    for sub in $(grep -o "flowtally $c [a-z|]*" "help.$c" | awk '{ print $3 }' | tr '|' '\n' |
        grep -x '[a-z][a-z]*' | sort -u); do
        echo "$c $sub" >>subs.all
        run_cmd "$c" "$sub" --help
        check_eq "$c $sub --help: exit 0, on stdout, nothing on stderr" \
            "$rc|$(test -s out && echo out)|$(cat err)" "0|out|"
    done
    run_cmd "$c" --no-such-option
    check_eq "$c --no-such-option: exit 2, nothing on stdout" "$rc|$(cat out)" "2|"
    first=$(head -n 1 err)
    case "$first" in
    "flowtally: "*"--no-such-option"*) ok "$c --no-such-option: the error names it" ;;
    *) not_ok "$c --no-such-option: the error names it: $first" ;;
    esac
    # the hint: this command's help, or run's for web (which takes run's keys)
    [ "$(wc -l <err)" -le 2 ] && grep -q "flowtally $c --help\|flowtally --help\|flowtally run --help" err &&
        ok "$c --no-such-option: one line and a hint" ||
        not_ok "$c --no-such-option: one line and a hint: $(cat err)"
done
# by hand from the usage lines of each command
check_eq "the subcommands found in the help" "$(sort subs.all | tr '\n' ',')" \
    "alerts list,bill close,bill export,bill late,bill preview,bill rerate,bill show,bind import,import leases,import log,mail queue,mail retry,plan add,plan import,plan list,plan remove,plan set,quota add,quota list,subscriber add,subscriber import,subscriber list,subscriber remove,subscriber set,subscriber show,user add,user import,user list,user remove,user set,"

# ---- failures exit 1: a store that cannot be opened, a file that cannot be read ----
NODB="$TMP/no/such/dir/flowtally.db"
printf 'basic --quota 1GB\n' >plans1.txt
for cmd in "plan list" "plan add gold" "plan import plans1.txt" "subscriber list" \
    "subscriber add zed" "user list" "report" "stats" "usage alice" "alerts list" \
    "mail queue" "quota list" "bind alice 10.0.0.1" "unbind 10.0.0.1" \
    "register alice 02:00:00:00:00:09" "import leases plans1.txt" "bill export --cycle 2026-01"; do
    # shellcheck disable=SC2086
    run_cmd $cmd --db "$NODB"
    check_eq "$cmd on a store that cannot be opened: exit 1, nothing on stdout" "$rc|$(cat out)" "1|"
    case "$(head -n 1 err)" in
    "flowtally: "*) ok "... says why" ;;
    *) not_ok "$cmd: says why: $(cat err)" ;;
    esac
done
run_cmd run --db "$NODB" --netflow 127.0.0.1:0 --sflow "" --web ""
check_eq "run on a store that cannot be opened: exit 1" "$rc" 1
run_cmd plan import "$TMP/missing.txt" --db "$TMP/other.db"
check_eq "plan import of a missing file: exit 1" "$rc|$(cat out)" "1|"

# ---- did you mean ----
run_cmd reprot
check_eq "a mistyped command" "$rc|$(cat err)" "2|flowtally: unknown command 'reprot' (did you mean 'report'?)
Try 'flowtally --help'."
run_cmd frobnicate
check_eq "an unknown command far from all: no suggestion" "$rc|$(cat err)" \
    "2|flowtally: unknown command 'frobnicate'
Try 'flowtally --help'."
run_cmd plan addd gold --db "$DB"
check_eq "a mistyped subcommand" "$rc|$(cat err)" \
    "2|flowtally: unknown subcommand 'addd' (did you mean 'add'?)
Try 'flowtally plan --help'."
run_cmd subscriber --db "$DB"
check_eq "no subcommand: the list" "$rc|$(cat err)" \
    "2|flowtally: missing subcommand: expected add, set, list, show, remove or import
Try 'flowtally subscriber --help'."
run_cmd plan add gold --quotaa 5GB --db "$DB"
check_eq "a mistyped option" "$rc|$(cat err)" \
    "2|flowtally: unknown option '--quotaa' (did you mean '--quota'?)
Try 'flowtally plan --help'."
run_cmd run --check-config --local-net 10.0.0.0/8
check_eq "a mistyped run option" "$rc|$(cat err)" \
    "2|flowtally: command line: unknown option '--local-net' (did you mean '--local-nets'?)"
printf '# typo\nlocal_net = 10.0.0.0/8\n' >typo.conf
run_cmd run --check-config -c typo.conf
check_eq "a mistyped configuration key, with file:line" "$rc|$(cat err)" \
    "2|flowtally: typo.conf:2: unknown key 'local_net' (did you mean 'local_nets'?)"
test -e "$DB" && not_ok "no store made by the refused commands" || ok "no store made by the refused commands"

# ---- admin commands say what they did; -q and --quiet quieten them ----
run_cmd plan add basic --quota 15GB --price 25.00 --db "$DB"
check_eq "plan add" "$rc|$(cat out)|$(cat err)" "0|plan basic added|"
run_cmd plan set basic --price 30.00 --db "$DB"
check_eq "plan set" "$rc|$(cat out)" "0|plan basic updated"
printf 'pro --quota 20GB\npremium --quota unlimited\nbasic --price 25.00\n' >plans.txt
run_cmd plan import plans.txt --db "$DB"
check_eq "plan import" "$rc|$(cat out)" "0|imported 3 plans from plans.txt"
run_cmd subscriber add alice --plan basic --db "$DB"
check_eq "subscriber add" "$rc|$(cat out)" "0|subscriber alice added"
run_cmd subscriber add bob --plan basic -q --db "$DB"
check_eq "subscriber add -q: nothing" "$rc|$(cat out)|$(cat err)" "0||"
run_cmd subscriber set bob --name Bob --db "$DB" --quiet
check_eq "subscriber set --quiet: nothing" "$rc|$(cat out)|$(cat err)" "0||"
check_eq "... but done" "$(ft subscriber list --format csv | grep '^bob,')" "bob,\"Bob\",,basic,active"
run_cmd subscriber remove bob --db "$DB"
check_eq "subscriber remove" "$rc|$(cat out)" "0|subscriber bob removed"
run_cmd user add ops@example.org --role staff --db "$DB"
check_eq "user add" "$rc|$(head -n 1 out)" "0|user ops@example.org added"
run_cmd user remove ops@example.org --db "$DB"
check_eq "user remove" "$rc|$(cat out)" "0|user ops@example.org removed"
run_cmd bind alice 10.0.0.5 --db "$DB"
check_eq "bind" "$rc|$(cat out)" "0|10.0.0.5 bound to alice"
run_cmd unbind 10.0.0.5 --db "$DB"
check_eq "unbind" "$rc|$(cat out)" "0|10.0.0.5: 1 binding ended"
run_cmd quota add alice 5GB --db "$DB"
check_eq "quota add" "$rc|$(cat out)" "0|top-up of 5GB added to alice"

# ---- register ACCOUNT MAC; the old order still taken, with a warning ----
run_cmd register alice 02:00:00:00:00:01 --db "$DB"
check_eq "register ACCOUNT MAC" "$rc|$(cat out)|$(cat err)" "0|02:00:00:00:00:01 registered to alice|"
run_cmd register 02:00:00:00:00:02 alice --db "$DB"
check_eq "register MAC ACCOUNT: done, with a warning giving the new order" "$rc|$(cat out)|$(cat err)" \
    "0|02:00:00:00:00:02 registered to alice|flowtally: register: warning: MAC ACCOUNT is the old order; write flowtally register alice 02:00:00:00:00:02"
check_eq "both MACs are alice's, from the register source" \
    "$(sqlite3 "$DB" "SELECT b.value, b.source FROM bindings b JOIN subscribers s ON s.id = b.subscriber_id WHERE s.account = 'alice' AND b.kind = 'mac' ORDER BY b.value")" \
    "02:00:00:00:00:01|register
02:00:00:00:00:02|register"
run_cmd register alice bob --db "$DB"
check_eq "register with no MAC: a usage error" "$rc|$(cat err)" \
    "2|flowtally: 'bob': expected a MAC address such as aa:bb:cc:dd:ee:ff (register ACCOUNT MAC)
Try 'flowtally register --help'."

# ---- a port in use: who holds it, and the option that moves it ----
# hold PROTO: a python3 listener on 127.0.0.1, port 0; sets HOLD_PID and HOLD_PORT.
hold() {
    rm -f hold.port
    /usr/bin/python3 -u -c "
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if sys.argv[1] == 'tcp' else socket.SOCK_DGRAM)
s.bind(('127.0.0.1', 0))
if sys.argv[1] == 'tcp':
    s.listen()
print(s.getsockname()[1])
time.sleep(60)
" "$1" >hold.port &
    HOLD_PID=$!
    wait_for test -s hold.port
    HOLD_PORT=$(cat hold.port)
}
# taken NAME PROTO OPTION ARGS...: flowtally run with ARGS (PORT in them: the held port)
# fails, naming the holder and OPTION.
taken() {
    name=$1 proto=$2 option=$3
    shift 3
    hold "$(echo "$proto" | tr A-Z a-z)"
    for a in "$@"; do
        shift
        set -- "$@" "$(echo "$a" | sed "s/PORT/$HOLD_PORT/")"
    done
    "$FT" run --db "$TMP/port.db" "$@" >out 2>err
    rc=$?
    kill "$HOLD_PID" 2>/dev/null
    wait "$HOLD_PID" 2>/dev/null
    check_eq "$name port taken: exit 1" "$rc" 1
    case "$(cat err)" in
    *"python3 (pid $HOLD_PID) holds $proto port $HOLD_PORT. Choose another with $option ADDR:PORT, or ${option#--} = ADDR:PORT in the configuration file"*)
        ok "$name port taken: the holder and $option named" ;;
    *) not_ok "$name port taken: the holder and $option named: $(cat err)" ;;
    esac
}
taken NetFlow UDP --netflow --netflow 127.0.0.1:PORT --sflow "" --web ""
taken sFlow UDP --sflow --netflow "" --sflow 127.0.0.1:PORT --web ""
taken RADIUS UDP --radius --netflow "" --sflow "" --web "" --radius 127.0.0.1:PORT \
    --radius-clients 127.0.0.1/32=s3cret
taken web TCP --web --netflow 127.0.0.1:0 --sflow "" --web 127.0.0.1:PORT

# ---- --check-config loads the files the start loads, and refuses what it refuses ----
printf '198.18.0.0/15\n' >free.txt
printf '# name price_per_gb quota prefixes\nfree 0 maybe free.txt\ninternational 2.00 yes default\n' \
    >classes.conf
printf 'WEB=80|443\nALT=8080|80\n' >apps.conf
printf 'free 0 no free.txt\n' >good-classes.conf
printf 'WEB=80|443\nALT=8080\n' >good-apps.conf
# check NAME ARGS...: --check-config fails as the start does, with file:line
refuses() {
    name=$1 where=$2
    shift 2
    "$FT" run --check-config --db "$TMP/check.db" "$@" >out 2>err
    check_eq "--check-config with $name: exit 1, no configuration printed" "$?|$(cat out)" "1|"
    cp err check.err
    "$FT" run --db "$TMP/start.db" --netflow 127.0.0.1:0 --sflow "" --web "" "$@" >out 2>err
    check_eq "... as the start, which refuses it (exit 1)" "$?" 1
    check_eq "... with the start's own message" "$(cat check.err)" "$(cat err)"
    case "$(cat check.err)" in
    "flowtally: $where: "*) ok "... naming $where" ;;
    *) not_ok "... naming $where: $(cat check.err)" ;;
    esac
}
refuses "a class whose quota is maybe" classes.conf:2 --classes classes.conf
grep -q "expected quota 'yes' or 'no', got 'maybe'" check.err && ok "... saying what was expected" ||
    not_ok "... saying what was expected: $(cat check.err)"
refuses "port 80 given to two applications" apps.conf:2 --apps apps.conf
grep -q "80" check.err && grep -q "WEB, line 1" check.err && ok "... naming the port and the first holder" ||
    not_ok "... naming the port and the first holder: $(cat check.err)"
run_cmd run --check-config --db "$TMP/check.db" --classes good-classes.conf --apps good-apps.conf
check_eq "good files pass, and the configuration is printed" \
    "$rc|$(grep -c '^classes = good-classes.conf$' out)|$(grep -c '^apps = good-apps.conf$' out)" "0|1|1"
test -e "$TMP/check.db" && not_ok "--check-config made no store" || ok "--check-config made no store"
# the mail templates the alert thread would load, loaded by its own code
mkdir -p tpl && printf 'Used {{#level}\n' >tpl/alert.subject
"$FT" run --check-config --db "$TMP/check.db" --smtp smtp://127.0.0.1:9 --mail-from a@example.net \
    --mail-templates tpl >out 2>err
check_eq "--check-config with a broken mail template: exit 1, file:line and what was expected" \
    "$?|$(cat out)|$(cat err)" "1||flowtally: tpl/alert.subject:1: expected }} to close {{#level"

# the portal's files, loaded by the portal's own code: a template, the TLS pair
# web_refuses NAME ARGS...: --check-config and a start with the portal on fail alike
web_refuses() {
    name=$1
    shift
    "$FT" run --check-config --db "$TMP/check.db" --web 127.0.0.1:0 "$@" >out 2>err
    check_eq "--check-config with $name: exit 1, no configuration printed" "$?|$(cat out)" "1|"
    cp err check.err
    "$FT" run --db "$TMP/start.db" --netflow 127.0.0.1:0 --sflow "" --web 127.0.0.1:0 "$@" \
        >out 2>err
    check_eq "... as the start, which refuses it (exit 1) with the same message" \
        "$?|$(cat check.err)" "1|$(tail -n 1 err)"
}
mkdir -p webtpl && printf '<p>{{#user}}x\n' >webtpl/login.html
web_refuses "a portal template with an unclosed section" --web-templates webtpl
check_eq "... naming file:line and what was expected" "$(cat check.err)" \
    "flowtally: webtpl/login.html:1: expected {{/user}} to close the section opened here, found the end"
printf 'not a certificate\n' >junk.pem
web_refuses "a TLS pair that is not PEM" --web-tls-cert junk.pem --web-tls-key junk.pem
case "$(cat check.err)" in
"flowtally: web: web_tls_cert and web_tls_key: expected a PEM certificate and its PEM private key; libmicrohttpd says: GnuTLS failed"*)
    ok "... saying what was expected and what GnuTLS said" ;;
*) not_ok "... saying what was expected and what GnuTLS said: $(cat check.err)" ;;
esac
if openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 \
    -subj /CN=localhost >/dev/null 2>&1; then
    web_refuses "a certificate given as its own key" --web-tls-cert cert.pem --web-tls-key cert.pem
    run_cmd run --check-config --db "$TMP/check.db" --web 127.0.0.1:0 --web-tls-cert cert.pem \
        --web-tls-key key.pem
    check_eq "a real certificate and key pass" \
        "$rc|$(grep -c '^web_tls_key = key.pem$' out)" "0|1"
else
    not_ok "openssl made no certificate"
fi
run_cmd run --check-config --db "$TMP/check.db" --web "" --web-templates webtpl
check_eq "with the portal off its templates are not loaded (the start would not)" "$rc" 0

# ---- --version ----
run_cmd --version
check_eq "--version: exit 0, nothing on stderr" "$rc|$(cat err)" "0|"
check_eq "... the version" "$(sed -n 1p out)" "flowtally 0.1.0"
sed -n 2p out | grep -Eq '^build: [^ ,]+, (gcc|clang) [^,]+, [0-9]{4}-[0-9]{2}-[0-9]{2}$' &&
    ok "... the build: commit, compiler, date" || not_ok "... the build: $(sed -n 2p out)"
check_eq "... the parts always built in" "$(sed -n 3p out)" \
    "with: PostgreSQL (libpq), web portal (libmicrohttpd), TLS (GnuTLS), PDF bills (cairo, pango), SMTP (libcurl), LDAP, pcap capture"
if pkg-config --exists libndpi; then want="with: nDPI"; else want="without: nDPI"; fi
case "$(sed -n 4p out)" in
"$want"*) ok "... nDPI as pkg-config finds it ($want)" ;;
*) not_ok "... nDPI: $(sed -n 4p out)" ;;
esac

# ---- the progress line: on a terminal only ----
i=0
while [ $i -lt 3000 ]; do
    echo "s$i --plan basic"
    i=$((i + 1))
done >subs.txt
script -qec "'$FT' subscriber import '$TMP/subs.txt' --db '$DB'" /dev/null >tty.out 2>&1
check_eq "a terminal sees the import's progress line" \
    "$(tr '\r' '\n' <tty.out | grep -c "^$TMP/subs.txt: 100% read, 3000 lines, [0-9]* lines/s, 0 s left")" 1
grep -q "imported 3000 subscribers from $TMP/subs.txt" tty.out && ok "... and the result" ||
    not_ok "... and the result: $(cat tty.out)"
sed 's/^s/t/' subs.txt >subs2.txt
run_cmd subscriber import subs2.txt --db "$DB"
check_eq "off a terminal: no progress, only the result" "$rc|$(cat out)|$(cat err)" \
    "0|imported 3000 subscribers from subs2.txt|"
# a lease file: 2,000 leases of 10.9.x.y to MACs 02:00:00:00:x:y
awk 'BEGIN { for (i = 0; i < 2000; i++)
    printf "lease 10.9.%d.%d {\n  starts 4 2026/01/01 00:00:00;\n  ends 5 2026/01/02 00:00:00;\n  hardware ethernet 02:00:00:00:%02x:%02x;\n}\n",
        int(i / 250), i % 250, int(i / 250), i % 250 }' >leases.txt
script -qec "'$FT' import leases '$TMP/leases.txt' --db '$DB'" /dev/null >tty.out 2>&1
check_eq "a terminal sees the lease import's progress line" \
    "$(tr '\r' '\n' <tty.out | grep -c "^$TMP/leases.txt: 100% read, 2000 leases, [0-9]* leases/s, 0 s left")" 1
run_cmd import leases leases.txt --db "$DB"
check_eq "the lease import off a terminal: no progress, only the result" "$rc|$(cat out)|$(cat err)" \
    "0|imported 2000 leases from leases.txt, skipped 0|"
# a plain usage log: 3,000 lines, one per subscriber s0..s2999 imported above
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "%d s%d - 10.8.%d.%d 198.51.100.1 %d %d\n",
    1767225600 + i, i, int(i / 250), i % 250, 1000 + i, 10 }' >usage.log
script -qec "'$FT' import log plain '$TMP/usage.log' --db '$DB'" /dev/null >tty.out 2>&1
check_eq "a terminal sees the log import's progress line" \
    "$(tr '\r' '\n' <tty.out | grep -c "^$TMP/usage.log: 100% read, 3000 lines, [0-9]* lines/s, 0 s left")" 1
grep -q "^flowtally: $TMP/usage.log: 3000 usage lines, 0 mappings, 0 denied, 0 ignored, 0 malformed" \
    tty.out && ok "... and the result" || not_ok "... and the result: $(cat tty.out)"
cp usage.log usage2.log
run_cmd import log plain usage2.log --db "$DB"
check_eq "the log import off a terminal: no progress line" \
    "$rc|$(grep -c 'read, ' err)|$(grep -c '^flowtally: usage2.log: 3000 usage lines' out)" "0|0|1"
check_eq "... and both imports stored every byte (twice 3000 x 1000 + 0..2999)" \
    "$("$FT" report --db "$DB" --by subscriber --format csv | awk -F, 'NR > 1 { s += $2 } END { print s }')" \
    $((2 * (3000 * 1000 + 2999 * 3000 / 2)))

done_testing
