#!/bin/sh
# The enforcement hook's example, examples/nft-over-quota.sh, on a real nftables in a network
# namespace this test makes (and removes): the sets over_quota4 and over_quota6 hold exactly a
# subscriber's addresses while it is over and none once it is under, for IPv4 and IPv6,
# running it twice changes nothing, and text that is not an address (or a state, or a table)
# is refused with exit 2 and the ruleset untouched. The rules of examples/flowtally.nft load
# on this nft, agree with the sets the script makes and keep their elements on a reload.
# Then hook_run() (through `test_hook run`, built from tests/unit/alert/test_hook.c) drives
# the script, so the C side and the script meet: environment, exit status, messages.
#
# Every nft command runs inside the namespace (`ip netns exec`); the host's ruleset is only
# read, to check that its tables are as they were. Skipped unless root with `ip netns` and
# nft (Debian's nftables).
. "$(dirname "$0")/../lib.sh"
SCRIPT="$ROOT/examples/nft-over-quota.sh"
RULES="$ROOT/examples/flowtally.nft"
HOOK="$ROOT/$BUILD/tests/unit/alert/test_hook"
NS="ft034-$$"
NETNS_MADE=""

cleanup_ns() {
    [ -n "$NETNS_MADE" ] && ip netns del "$NS" 2>/dev/null
    cleanup
}
trap 'cleanup_ns' EXIT
trap 'exit 1' INT TERM

if [ "$(id -u)" -ne 0 ]; then
    skip "nftables sets in a network namespace" "not root"
    done_testing
    exit
fi
for tool in ip nft; do
    if ! command -v $tool >/dev/null; then
        skip "nftables sets in a network namespace" "$tool not installed"
        done_testing
        exit
    fi
done
host_tables=$(nft list tables 2>&1)
if ! ip netns add "$NS" 2>/dev/null; then
    skip "nftables sets in a network namespace" "ip netns unavailable"
    done_testing
    exit
fi
NETNS_MADE=1
if ! ip netns exec "$NS" nft list ruleset >/dev/null 2>&1; then
    skip "nftables sets in a network namespace" "no nftables in the namespace"
    done_testing
    exit
fi

nsnft() { ip netns exec "$NS" nft "$@"; }

# hook STATE ADDRESSES [VAR=VALUE...]: runs the script in the namespace as flowtally would
# (that environment and nothing else, no arguments); $status, $TMP/hook.out, $TMP/hook.err.
hook() {
    state=$1
    addresses=$2
    shift 2
    ip netns exec "$NS" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin FLOWTALLY_ACCOUNT=alice \
        FLOWTALLY_STATE="$state" FLOWTALLY_ADDRESSES="$addresses" "$@" sh "$SCRIPT" \
        >"$TMP/hook.out" 2>"$TMP/hook.err"
    status=$?
}

# elements SET [TABLE]: the set's elements as nft lists them, sorted, space-separated.
elements() {
    nsnft list set ${2:-inet flowtally} "$1" 2>/dev/null | awk '
        /elements = \{/ { on = 1; sub(/.*elements = \{/, "") }
        on { s = s " " $0; if (/\}/) on = 0 }
        END { sub(/\}.*/, "", s); gsub(/,/, " ", s); n = split(s, e, " "); for (i = 1; i <= n; i++) print e[i] }' |
        sort | tr '\n' ' ' | sed 's/ $//'
}

# sets NAME WANT4 WANT6: both sets hold exactly these (as nft lists them).
sets() {
    check_eq "$1: over_quota4" "$(elements over_quota4)" "$2"
    check_eq "$1: over_quota6" "$(elements over_quota6)" "$3"
}

# ran NAME WANT_STATUS: the last hook exited so, saying why when it did not.
ran() {
    if [ "$status" -eq "$2" ]; then
        ok "$1 (exit $2)"
    else
        not_ok "$1: exit $status, expected $2"
        sed 's/^/#   /' "$TMP/hook.err" | head -5
    fi
}

# ---- over and under -------------------------------------------------------------------------

# The namespace starts with no table: "over" makes table and sets.
hook over '10.0.0.1/32 2001:db8::/56'
ran "over, no table yet" 0
sets "over" "10.0.0.1" "2001:db8::/56"
check_eq "over: one line on stdout for the log" "$(cat "$TMP/hook.out")" \
    "nft-over-quota: alice over: added 2 addresses to the sets of inet flowtally"
hook over '10.0.0.1/32 2001:db8::/56'
ran "over twice" 0
sets "over twice" "10.0.0.1" "2001:db8::/56"
hook under '10.0.0.1/32 2001:db8::/56'
ran "under" 0
sets "under" "" ""
hook under '10.0.0.1/32 2001:db8::/56'
ran "under twice" 0
sets "under twice" "" ""
nsnft delete table inet flowtally
hook under '10.0.0.1/32 2001:db8::/56'
ran "under, no table yet" 0
sets "under, no table yet" "" ""

# Two subscribers: each one's addresses come and go with its own state only.
hook over '10.0.0.1 10.2.0.0/16 2001:db8::/56 2001:db8:1::7'
ran "alice over, four addresses" 0
hook over '192.0.2.7 2001:db8:2::/48' FLOWTALLY_ACCOUNT=bob
ran "bob over" 0
sets "alice and bob over" "10.0.0.1 10.2.0.0/16 192.0.2.7" \
    "2001:db8:1::7 2001:db8:2::/48 2001:db8::/56"
hook under '10.0.0.1 10.2.0.0/16 2001:db8::/56 2001:db8:1::7'
ran "alice under" 0
sets "alice under, bob still over" "192.0.2.7" "2001:db8:2::/48"
hook over ''
ran "over with no addresses" 0

# ---- refused: exit 2, nothing touched ---------------------------------------------------------

nsnft list ruleset >"$TMP/before"
refused() {
    name=$1
    shift
    hook "$@"
    ran "refused: $name" 2
    nsnft list ruleset >"$TMP/after"
    check_same "refused: $name: the ruleset is as it was" "$TMP/after" "$TMP/before"
}
refused "an address with a command after it" over '10.0.0.1; nft flush ruleset'
refused "a command substitution" over '$(id)'
refused "a command substitution that would leave a file" over "10.0.0.3 \$(touch $TMP/pwned)"
refused "a brace that would end the element list" over '10.0.0.3 } ; flush ruleset ; add element inet flowtally over_quota4 { 10.0.0.4'
refused "a newline between addresses" under "192.0.2.7
flush ruleset"
refused "a valid address after a bad one" under '2001:db8:2::/48 bob 192.0.2.7'
refused "an IPv4 octet over 255" over '10.0.0.256'
refused "a leading zero" over '010.0.0.1'
refused "a prefix length over 32" over '10.0.0.0/33'
refused "a prefix length of 0" over '0.0.0.0/0'
refused "a name" over 'example.com'
refused "two ::" over '2001::db8::1'
refused "an IPv6 group of five digits" over '2001:db80a::1'
refused "an IPv6 zone" over 'fe80::1%eth0'
refused "an embedded IPv4" over '::ffff:10.0.0.1'
refused "a state that is not over or under" "over; nft flush ruleset" '10.0.0.5'
refused "an empty state" "" '10.0.0.5'
refused "a table name with a command" over '10.0.0.5' FLOWTALLY_NFT_TABLE='inet x; flush ruleset'
refused "a table of a made-up family" over '10.0.0.5' FLOWTALLY_NFT_TABLE='evil flowtally'
if [ -e "$TMP/pwned" ]; then not_ok "no command ran"; else ok "no command ran"; fi

# nft refuses a batch (overlapping prefixes, which an interval set cannot hold): exit 1 with
# nft's reason, and none of it done.
hook over '10.9.0.1 10.0.0.0/8'
ran "nft refuses overlapping prefixes" 1
case $(head -n 1 "$TMP/hook.err") in
"nft-over-quota: alice over: nft failed: "*"Error: conflicting intervals"*) ok "nft's reason is the first line on stderr" ;;
*) not_ok "nft's reason is the first line on stderr: $(head -n 1 "$TMP/hook.err")" ;;
esac
nsnft list ruleset >"$TMP/after"
check_same "a refused batch changes nothing (not even its first element)" "$TMP/after" "$TMP/before"

# Another table: FLOWTALLY_NFT_TABLE, and the default table left alone.
hook over '10.0.0.5 2001:db8::5' FLOWTALLY_NFT_TABLE='ip6 other_1'
ran "over into 'ip6 other_1'" 0
check_eq "'ip6 other_1': over_quota4" "$(elements over_quota4 'ip6 other_1')" "10.0.0.5"
check_eq "'ip6 other_1': over_quota6" "$(elements over_quota6 'ip6 other_1')" "2001:db8::5"
sets "'ip6 other_1': inet flowtally as it was" "192.0.2.7" "2001:db8:2::/48"
nsnft delete table ip6 other_1

# ---- the example rules ------------------------------------------------------------------------

if nsnft -f "$RULES" 2>"$TMP/rules.err"; then
    ok "examples/flowtally.nft loads"
else
    not_ok "examples/flowtally.nft loads" && sed 's/^/#   /' "$TMP/rules.err" | head -10
fi
sets "the rules loaded over the sets: elements kept" "192.0.2.7" "2001:db8:2::/48"
nsnft list ruleset >"$TMP/rules1"
nsnft -f "$RULES"
nsnft list ruleset >"$TMP/rules2"
check_same "loading the rules again keeps elements and does not double rules" \
    "$TMP/rules2" "$TMP/rules1"
hook over '10.0.0.1/32 2001:db8::/56'
ran "over, with the rules loaded" 0
sets "over, with the rules loaded" "10.0.0.1 192.0.2.7" "2001:db8:2::/48 2001:db8::/56"
hook under '192.0.2.7 2001:db8:2::/48' FLOWTALLY_ACCOUNT=bob
ran "bob under, with the rules loaded" 0
sets "bob under, with the rules loaded" "10.0.0.1" "2001:db8::/56"
n_rules=$(nsnft list chain inet flowtally over_quota_fwd | grep -c 'drop$')
check_eq "the forward chain still has its four rules" "$n_rules" 4

# ---- through hook_run() -----------------------------------------------------------------------

if [ ! -x "$SCRIPT" ]; then
    not_ok "examples/nft-over-quota.sh is executable (mode 0755 in git)"
elif [ ! -x "$HOOK" ]; then
    not_ok "hook_run(): $HOOK is not built (make BUILD=$BUILD tests)"
else
    ok "examples/nft-over-quota.sh is executable"
    # run_hook STATE ACCOUNT ADDRESSES: hook_run() in the namespace; $status, $TMP/run.out
    # ("CODE MESSAGE").
    run_hook() {
        ip netns exec "$NS" "$HOOK" run "$SCRIPT" "$@" >"$TMP/run.out" 2>"$TMP/run.err"
        status=$?
        if grep -q 'runtime error\|Sanitizer' "$TMP/run.err"; then
            not_ok "hook_run(): sanitizer report" && sed 's/^/#   /' "$TMP/run.err" | head -20
        fi
    }
    run_hook over carol '10.5.0.0/24 2001:db8:5::/64'
    check_eq "hook_run() over: 0 and the script's line" "$(cat "$TMP/run.out")" \
        "0 nft-over-quota: carol over: added 2 addresses to the sets of inet flowtally"
    sets "hook_run() over" "10.0.0.1 10.5.0.0/24" "2001:db8:5::/64 2001:db8::/56"
    run_hook over carol '10.5.0.0/24 2001:db8:5::/64'
    check_eq "hook_run() over twice" "$status" 0
    run_hook under carol '10.5.0.0/24 2001:db8:5::/64'
    check_eq "hook_run() under: 0 and the script's line" "$(cat "$TMP/run.out")" \
        "0 nft-over-quota: carol under: removed 2 addresses from the sets of inet flowtally"
    sets "hook_run() under" "10.0.0.1" "2001:db8::/56"

    # What hook_run() lets through but the script refuses: exit status 2 and its reason.
    nsnft list ruleset >"$TMP/before"
    run_hook over carol '10.5.0.0/33'
    check_eq "hook_run(): the script's refusal reported" "$(cat "$TMP/run.out")" \
        "-125 $SCRIPT: exit status 2: nft-over-quota: carol: refused: not an address or prefix: '10.5.0.0/33'"
    # What hook_run() refuses itself: the script never runs.
    run_hook over 'a;rm -rf /' '10.5.0.1'
    case $(cat "$TMP/run.out") in
    "-22 $SCRIPT: account refused"*) ok "hook_run() refuses the account 'a;rm -rf /'" ;;
    *) not_ok "hook_run() refuses the account 'a;rm -rf /': $(cat "$TMP/run.out")" ;;
    esac
    run_hook over carol '10.5.0.1; nft flush ruleset'
    case $(cat "$TMP/run.out") in
    "-22 $SCRIPT: addresses refused"*) ok "hook_run() refuses '10.5.0.1; nft flush ruleset'" ;;
    *) not_ok "hook_run() refuses '10.5.0.1; nft flush ruleset': $(cat "$TMP/run.out")" ;;
    esac
    nsnft list ruleset >"$TMP/after"
    check_same "hook_run(): nothing refused changed the ruleset" "$TMP/after" "$TMP/before"
fi

check_eq "the host's own tables are as they were" "$(nft list tables 2>&1)" "$host_tables"
done_testing
