#!/bin/sh
# The reference stays true to the program. The files written from src/config/keys.def
# (etc/flowtally.conf, man/flowtally.conf.5, the README's key table) are what `make docs`
# writes now; etc/flowtally.conf loads back as itself; both man pages render without a
# warning; flowtally(8) names every command and every option their --help prints; every
# key is in flowtally.conf(5) and the README table; and every flowtally configuration and
# command line of doc/recipes/ passes the real parser (doc/recipes/README.md, "What the
# test checks").
. "$(dirname "$0")/../lib.sh"

export ASAN_OPTIONS="${ASAN_OPTIONS:-halt_on_error=1:detect_leaks=1}"

# --- generated files: regenerated into $TMP/gen and compared ---

if sh "$ROOT/tools/keydoc/docs.sh" "$BUILD" "$TMP/gen" 2>"$TMP/docs.err"; then
    for f in etc/flowtally.conf man/flowtally.conf.5 README.md; do
        if cmp -s "$TMP/gen/$f" "$ROOT/$f"; then
            ok "$f is what make docs writes from keys.def"
        else
            not_ok "$f is stale: run \`make docs\` (the lines it would change:)"
            diff "$ROOT/$f" "$TMP/gen/$f" | head -20 | sed 's/^/#   /'
        fi
    done
else
    not_ok "tools/keydoc/docs.sh failed" && sed 's/^/#   /' "$TMP/docs.err"
fi

# The committed default configuration means the defaults: read back with -c, it prints as
# itself (a value holding '#', like web_accent's colour, survives the comment rule).
(cd "$TMP" && "$FT" run --check-config -c "$ROOT/etc/flowtally.conf") >"$TMP/reread.conf" 2>&1
check_same "etc/flowtally.conf read back with -c prints as itself" "$TMP/reread.conf" \
    "$ROOT/etc/flowtally.conf"
printf 'web_accent = #a0b1c2   # brand\nsmtp_user = us#er\n' >"$TMP/hash.conf"
(cd "$TMP" && "$FT" run --check-config -c "$TMP/hash.conf") >"$TMP/hash.out" 2>&1
check_eq "a value may begin with # and hold one; ' #' starts a comment" \
    "$(grep -E '^(web_accent|smtp_user) =' "$TMP/hash.out" | tr '\n' ' ')" \
    "web_accent = #a0b1c2 smtp_user = us#er "

# --- the man pages ---

if ! command -v man >/dev/null; then
    skip "man pages render" "man-db not installed"
else
    for page in man/flowtally.8 man/flowtally.conf.5; do
        if MANWIDTH=80 man --warnings -l "$ROOT/$page" >/dev/null 2>"$TMP/man.err" &&
            [ ! -s "$TMP/man.err" ]; then
            ok "$page renders without warnings"
        else
            not_ok "$page renders without warnings" && sed 's/^/#   /' "$TMP/man.err"
        fi
    done
    # as text, in the C locale: \- prints as a plain '-', as options are typed
    LC_ALL=C MANWIDTH=200 man -l "$ROOT/man/flowtally.8" 2>/dev/null | col -b >"$TMP/ft8.txt"
    LC_ALL=C MANWIDTH=200 man -l "$ROOT/man/flowtally.conf.5" 2>/dev/null | col -b >"$TMP/ft5.txt"
    # the keys of flowtally.conf(5): its KEYS section's tags, each at 7 columns
    sed -n '/^KEYS$/,/^FILES$/p' "$TMP/ft5.txt" |
        sed -n 's/^       \([a-z][a-z0-9_]*\)\( .*\)\{0,1\}$/\1/p' >"$TMP/ft5.keys"

    # every command of `flowtally --help` (lines "  NAME  what it does")
    "$FT" --help >"$TMP/help.txt" 2>&1
    cmds=$(sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' "$TMP/help.txt")
    missing=""
    for c in $cmds; do
        grep -Eq "flowtally $c( |,|\$)" "$TMP/ft8.txt" || missing="$missing $c"
    done
    check_eq "flowtally(8) names the $(echo $cmds | wc -w) commands of flowtally --help" \
        "$missing" ""

    # every option each command's --help prints; an option that is a configuration key
    # (run's, and those web and import take from run) is in flowtally.conf(5) instead
    missing=""
    n_opts=0
    for c in $cmds; do
        "$FT" "$c" --help >"$TMP/h.txt" 2>&1
        # (--KEY is a placeholder, not an option)
        opts=$(grep -oE '(^|[][ (|,])--?[a-zA-Z][a-zA-Z0-9-]*' "$TMP/h.txt" |
            sed 's/^[][ (|,]//' | grep -vE '^--[A-Z]+$' | sort -u)
        for o in $opts; do
            n_opts=$((n_opts + 1))
            key=$(echo "${o#--}" | tr - _)
            if grep -q "^KEY($key," "$ROOT/src/config/keys.def"; then
                grep -qx "$key" "$TMP/ft5.keys" || missing="$missing $c:$o"
                continue
            fi
            grep -Eq -- "(^|[^a-zA-Z0-9-])$o([^a-zA-Z0-9-]|\$)" "$TMP/ft8.txt" ||
                missing="$missing $c:$o"
        done
    done
    check_eq "flowtally(8) (or flowtally.conf(5)) names the $n_opts options of every --help" \
        "$missing" ""

    keys=$(sed -n 's/^KEY(\([a-z0-9_]*\),.*/\1/p' "$ROOT/src/config/keys.def")
    missing=""
    for k in $keys; do
        grep -qx "$k" "$TMP/ft5.keys" || missing="$missing $k"
    done
    check_eq "flowtally.conf(5) has every key of keys.def ($(echo $keys | wc -w))" "$missing" ""
fi
keys=$(sed -n 's/^KEY(\([a-z0-9_]*\),.*/\1/p' "$ROOT/src/config/keys.def")
missing=""
for k in $keys; do
    grep -qF "| \`$k\` |" "$ROOT/README.md" || missing="$missing $k"
done
check_eq "the README's key table has every key of keys.def" "$missing" ""

# --- the recipes ---

# rewrite_paths FILE: every absolute path in FILE (a / and a letter after a blank, =, comma,
# colon or quote; not a prefix length) becomes one under $TMP/fs, created as an empty file
# (a path ending in / as a directory; one ending in .pem or .key as a real certificate or
# key, since --check-config hands a TLS pair to the HTTP server), so --check-config finds
# the files it checks.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/tls.key" -out "$TMP/tls.pem" -days 1 \
    -subj /CN=localhost >/dev/null 2>&1 || not_ok "openssl makes a certificate"
rewrite_paths() {
    grep -oE '(^|[ =,:"])/[A-Za-z_][A-Za-z0-9_.@+-]*(/[A-Za-z0-9_.@+-]*)*' "$1" |
        sed 's/^[ =,:"]//' | sort -u | while read -r p; do
        case "$p" in
        */) mkdir -p "$TMP/fs$p" ;;
        *.pem | *.key) mkdir -p "$TMP/fs$(dirname "$p")" && cp "$TMP/tls.${p##*.}" "$TMP/fs$p" ;;
        *) mkdir -p "$TMP/fs$(dirname "$p")" && : >>"$TMP/fs$p" ;;
        esac
    done
    sed -E "s#(^|[ =,:\"])(/[A-Za-z_])#\\1$TMP/fs\\2#g" "$1" >"$1.fs"
    mv "$1.fs" "$1"
}

n_conf=0 n_cmd=0
for md in "$ROOT"/doc/recipes/*.md; do
    name=$(basename "$md" .md)
    dir="$TMP/recipes/$name"
    mkdir -p "$dir"
    # conf.N: the ```conf blocks; cmds: the flowtally lines of the ```sh blocks, one each
    awk -v dir="$dir" '
        /^```conf$/ { n++; out = dir "/conf." n; mode = "conf"; next }
        /^```sh$/ { mode = "sh"; next }
        /^```/ { mode = (mode == "") ? "other" : ""; next }
        mode == "conf" { print > out }
        mode == "sh" {
            line = cont ? cont " " $0 : $0
            cont = ""
            if (line ~ /\\$/) { sub(/ *\\$/, "", line); cont = line; next }
            sub(/^ +/, "", line)
            if (line ~ /^flowtally /) print line > (dir "/cmds")
        }
    ' "$md"
    first_conf=""
    for conf in "$dir"/conf.*; do
        [ -f "$conf" ] || continue
        n_conf=$((n_conf + 1))
        rewrite_paths "$conf"
        [ -n "$first_conf" ] || first_conf=$conf
        if (cd "$dir" && "$FT" run --check-config -c "$conf") >"$dir/out" 2>&1; then
            ok "doc/recipes/$name.md: configuration block $(echo "$conf" | sed 's/.*\.//') passes --check-config"
        else
            not_ok "doc/recipes/$name.md: configuration block $(echo "$conf" | sed 's/.*\.//') passes --check-config"
            sed 's/^/#   /' "$dir/out" | head -5
        fi
    done
    [ -f "$dir/cmds" ] || continue
    rewrite_paths "$dir/cmds"
    # the store the commands share: ./flowtally.db, which an admin command creates
    (cd "$dir" && "$FT" plan list) >/dev/null 2>&1 || not_ok "doc/recipes/$name.md: a store"
    while IFS= read -r cmd; do
        n_cmd=$((n_cmd + 1))
        shown=$(echo "$cmd" | sed "s#$TMP/fs##g")
        # up to a pipe, a redirection or a second command: flowtally's part alone
        run=$(echo "$cmd" | sed -E 's/ (\||>|&&|2>).*//; s/^flowtally/"$FT"/; s/ --db [^ ]+//')
        [ -n "$first_conf" ] && run=$(echo "$run" | sed -E "s#(-c|--config) $TMP/fs[^ ]*#\\1 $first_conf#")
        case "$cmd" in flowtally\ run*) run="$run --check-config" ;; esac
        (cd "$dir" && FT="$FT" sh -c "$run") </dev/null >"$dir/out" 2>"$dir/err"
        status=$?
        # a recipe shows the form flowtally takes without a word: no warning (an old
        # argument order, say) either
        if [ "$status" -eq 0 ] && ! grep -q "warning" "$dir/err"; then
            ok "doc/recipes/$name.md: $shown"
        else
            not_ok "doc/recipes/$name.md: $shown (exit $status)"
            cat "$dir/err" "$dir/out" | sed 's/^/#   /' | head -5
        fi
    done <"$dir/cmds"
done
[ "$n_conf" -gt 0 ] && [ "$n_cmd" -gt 0 ] || not_ok "the recipes hold conf blocks and commands"

done_testing
