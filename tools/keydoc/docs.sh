#!/bin/sh
# Writes the configuration reference from src/config/keys.def into OUT (`make docs` gives
# the source tree itself; tests/integration/040-reference a temporary directory, then
# compares): OUT/etc/flowtally.conf as `flowtally run --check-config` prints the defaults,
# OUT/man/flowtally.conf.5 and OUT/README.md, the tree's README with the lines between its
# two keys.def markers replaced by `keydoc readme`.
# Usage: tools/keydoc/docs.sh BUILD_DIR OUT
set -eu
BUILD=$1
OUT=$2
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BEGIN='<!-- keys.def: the table below is written by `make docs`; edit src/config/keys.def -->'
END='<!-- keys.def: end of the table -->'
mkdir -p "$OUT/etc" "$OUT/man"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# in an empty directory, with no -c: nothing but the defaults
(cd "$tmp" && "$ROOT/$BUILD/flowtally" run --check-config) >"$tmp/flowtally.conf"
"$ROOT/$BUILD/tools/keydoc" man >"$tmp/flowtally.conf.5"
"$ROOT/$BUILD/tools/keydoc" readme >"$tmp/table.md"

n_begin=$(grep -cxF "$BEGIN" "$ROOT/README.md" || true)
n_end=$(grep -cxF "$END" "$ROOT/README.md" || true)
if [ "$n_begin" != 1 ] || [ "$n_end" != 1 ]; then
    echo "docs.sh: README.md needs each keys.def marker line exactly once:" >&2
    echo "  $BEGIN" >&2
    echo "  $END" >&2
    exit 1
fi
awk -v begin="$BEGIN" -v end="$END" -v table="$tmp/table.md" '
    $0 == begin { print; while ((getline line < table) > 0) print line; skip = 1; next }
    $0 == end { skip = 0 }
    !skip { print }
' "$ROOT/README.md" >"$tmp/README.md"

cp "$tmp/flowtally.conf" "$OUT/etc/flowtally.conf"
cp "$tmp/flowtally.conf.5" "$OUT/man/flowtally.conf.5"
cp "$tmp/README.md" "$OUT/README.md"
