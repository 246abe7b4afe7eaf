#!/bin/sh
# SPDX-License-Identifier: MIT
# nft-over-quota.sh: flowtally's enforcement hook for nftables. Puts a subscriber's addresses
# into two nftables sets while it is over quota, and takes them out when it is back under;
# rules of yours that name the sets throttle, block or redirect that traffic.
#
# Use: copy it to the router that forwards the subscribers' traffic (where nft runs, as
# root), e.g. /usr/local/lib/flowtally/nft-over-quota.sh, mode 0755, and set
#
#     quota_command = /usr/local/lib/flowtally/nft-over-quota.sh
#
# in flowtally.conf. flowtally runs it, never through a shell, with no arguments and only
# these in its environment (see src/alert/hook.h):
#
#     FLOWTALLY_STATE      over | under
#     FLOWTALLY_ADDRESSES  the subscriber's addresses and prefixes, space-separated
#                          (10.0.0.7 10.1.2.0/24 2001:db8:1::/56); may be empty
#     FLOWTALLY_ACCOUNT    the account, for the log line only
#
# "over" adds each address to `over_quota4` (type ipv4_addr, flags interval) or
# `over_quota6` (ipv6_addr, interval) of the table FLOWTALLY_NFT_TABLE (default
# "inet flowtally"); "under" removes them. Table and sets are made when missing; adding what is
# there and removing what is not both succeed, so running it twice does no harm. All changes
# of one run go to nft as one batch (`nft -f -`): they happen together or not at all.
# flowtally passes no other variable, so to use another table either change the default below
# or point quota_command at a wrapper that sets FLOWTALLY_NFT_TABLE and execs this script.
#
# Every address is checked before nft runs: IPv4 a.b.c.d[/n] (decimal, no leading zeros,
# n 1-32) or IPv6 in hex digits and colons[/n] (n 1-128; no embedded IPv4, no zone). Anything
# else, or a state other than over/under, is refused: exit 2, nothing touched. Exit 1 when
# nft fails (its first line of error is the first line on stderr, which flowtally reports and
# retries); exit 0 with one line on stdout, which flowtally logs.
#
# Limits: an interval set refuses overlapping prefixes, so the prefixes of the subscribers
# over quota must not overlap one another (flowtally's bindings give an address to one
# subscriber at a time); a prefix with host bits set (10.0.0.1/24) is taken as its network
# (10.0.0.0/24), both when added and when removed. A `flush ruleset` (Debian's
# /etc/nftables.conf starts with one) empties the sets with everything else.
#
# The rules: examples/flowtally.nft defines the table, the two sets and rules that
# redirect the web traffic (port 80) of a subscriber over quota to a notice page and slow the
# rest down to 1 Mbit/s each way per address; examples/README.md explains it. In short, in the
# same table:
#
#     ip saddr @over_quota4 tcp dport 80 dnat ip to 192.0.2.1:8081     (chain: nat prerouting)
#     ip saddr @over_quota4 update @up4 { ip saddr limit rate over 125 kbytes/second } drop
#     ip saddr @over_quota4 meta mark set 0x1                    (for a tc filter on the mark)
#     ip saddr @over_quota4 drop                                 (to block outright)
#
# Test: tests/integration/034-enforce-hook runs it in a network namespace of its own.
set -u
set -f # no pathname expansion of anything below

NFT_TABLE=${FLOWTALLY_NFT_TABLE:-inet flowtally}
ME=nft-over-quota
# for messages only, and shown safely even when run by hand with anything in it
ACCOUNT=$(printf '%s' "${FLOWTALLY_ACCOUNT:-?}" | tr -c '[:alnum:] ._@:/+,-' '?')

refuse() {
    printf '%s: %s: refused: %s\n' "$ME" "$ACCOUNT" "$1" >&2
    exit 2
}

# is_dec TEXT MAX: TEXT is a decimal number from 0 to MAX (< 1000) without leading zeros.
is_dec() {
    case $1 in
    '' | *[!0-9]*) return 1 ;;
    0) return 0 ;;
    0*) return 1 ;;
    esac
    [ ${#1} -le 3 ] && [ "$1" -le "$2" ]
}

# is_len TEXT MAX: TEXT is a prefix length from 1 to MAX.
is_len() {
    is_dec "$1" "$2" && [ "$1" -gt 0 ]
}

# is_ipv4 TEXT: a.b.c.d or a.b.c.d/n.
is_ipv4() {
    addr=${1%/*}
    if [ "$addr" != "$1" ]; then
        is_len "${1#*/}" 32 || return 1
    fi
    case $addr in
    *[!0-9.]* | *.*.*.*.*) return 1 ;;
    *.*.*.*) ;;
    *) return 1 ;;
    esac
    rest=$addr
    for i in 1 2 3; do
        is_dec "${rest%%.*}" 255 || return 1
        rest=${rest#*.}
    done
    is_dec "$rest" 255
}

# is_ipv6 TEXT: eight groups of 1-4 hex digits split by colons, or fewer with one "::",
# optionally /n.
is_ipv6() {
    addr=${1%/*}
    if [ "$addr" != "$1" ]; then
        is_len "${1#*/}" 128 || return 1
    fi
    case $addr in
    '' | *[!0-9a-fA-F:]* | *:::* | *::*::*) return 1 ;;
    :[!:]* | *[!:]:) return 1 ;; # a single colon at either end
    *::*) most=7 ;;
    *) most=8 ;;
    esac
    groups=0
    rest=$addr
    while :; do
        group=${rest%%:*}
        case $group in
        '') ;; # beside the "::"
        ? | ?? | ??? | ????) groups=$((groups + 1)) ;;
        *) return 1 ;;
        esac
        case $rest in
        *:*) rest=${rest#*:} ;;
        *) break ;;
        esac
    done
    if [ "$most" -eq 8 ]; then
        [ "$groups" -eq 8 ]
    else
        [ "$groups" -le 7 ]
    fi
}

# ---- check everything first ------------------------------------------------------------------

case ${FLOWTALLY_STATE:-} in
over | under) STATE=$FLOWTALLY_STATE ;;
*) refuse "FLOWTALLY_STATE is not over or under" ;;
esac

# The table: a family and a name, nothing else (the text goes into nft's input).
case $NFT_TABLE in
*' '*) ;;
*) refuse "FLOWTALLY_NFT_TABLE is not a family and a table name" ;;
esac
family=${NFT_TABLE%% *}
name=${NFT_TABLE#* }
case $family in
ip | ip6 | inet | bridge | netdev) ;;
*) refuse "FLOWTALLY_NFT_TABLE: the family is not ip, ip6, inet, bridge or netdev" ;;
esac
case $name in
[a-zA-Z]*) ;;
*) refuse "FLOWTALLY_NFT_TABLE: no table name after the family" ;;
esac
case $name in
*[!a-zA-Z0-9_]*) refuse "FLOWTALLY_NFT_TABLE: a table name is letters, digits and _" ;;
esac
[ ${#name} -le 64 ] || refuse "FLOWTALLY_NFT_TABLE: the table name is too long"
TABLE="$family $name"

# The addresses: split on spaces only (a tab or a newline stays in a word and fails).
v4=""
v6=""
n=0
IFS=' '
for a in ${FLOWTALLY_ADDRESSES:-}; do
    if is_ipv4 "$a"; then
        v4="$v4 $a"
    elif is_ipv6 "$a"; then
        v6="$v6 $a"
    else
        refuse "not an address or prefix: '$(printf '%s' "$a" | tr -c '[:alnum:].:/_-' '?')'"
    fi
    n=$((n + 1))
done

# ---- one batch ---------------------------------------------------------------------------------

# element SET ADDR: add it (over), or take it out (under). nft 1.0.6 (Debian 12) has no
# `destroy`, and `delete` of an element that is not there fails, so "under" adds it first in
# the same batch: the pair succeeds whether or not it was there, and leaves it out.
element() {
    printf 'add element %s %s { %s }\n' "$TABLE" "$1" "$2"
    if [ "$STATE" = under ]; then
        printf 'delete element %s %s { %s }\n' "$TABLE" "$1" "$2"
    fi
}

batch() {
    printf 'add table %s\n' "$TABLE"
    printf 'add set %s over_quota4 { type ipv4_addr; flags interval; }\n' "$TABLE"
    printf 'add set %s over_quota6 { type ipv6_addr; flags interval; }\n' "$TABLE"
    for a in $v4; do
        element over_quota4 "$a"
    done
    for a in $v6; do
        element over_quota6 "$a"
    done
}

if ! out=$(batch | nft -f - 2>&1); then
    first=$(printf '%s\n' "$out" | sed -n '1p')
    printf '%s: %s %s: nft failed: %s\n' "$ME" "$ACCOUNT" "$STATE" "$first" >&2
    printf '%s\n' "$out" | sed 1d >&2
    exit 1
fi

if [ "$STATE" = over ]; then
    what="added $n addresses to"
else
    what="removed $n addresses from"
fi
printf '%s: %s %s: %s the sets of %s\n' "$ME" "$ACCOUNT" "$STATE" "$what" "$TABLE"
exit 0
