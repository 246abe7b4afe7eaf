#!/bin/sh
# The tests that read totals, on PostgreSQL too: 001 (exact totals), 002 (softflowd/pmacct
# interop), 005 (subscriber handover), 009 (classes and applications), 027 (portal logins),
# 028 (the portal), 031 (bills, to the cent), 033 (mail), 035 (alerts), 036 (password
# reset by mail), 038 (invoices by mail) and 042 (exporters' health) run once on SQLite and
# once with FLOWTALLY_TEST_ENGINE=postgresql (lib.sh: a throwaway server per script, a new
# database per store), with the same BUILD.
# Each PostgreSQL run must pass, and pass exactly the checks the SQLite run passes (same
# lines, same count). Under tests/run.sh (make check) the SQLite runs are the ones it made
# of each test just before (it runs this script last and names their logs in
# FLOWTALLY_TEST_LOGS); alone, this script makes its own.
FLOWTALLY_TEST_ENGINE="" # this script's own helpers stay on SQLite, whatever the caller set
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/pg.sh"
trap 'pg_stop; cleanup' EXIT

# One real start, so that a machine where the server cannot run gives one SKIP line.
if ! pg_start; then
    skip "PostgreSQL subset of the integration tests" "$PG_SKIP"
    done_testing
    exit 0
fi
pg_stop

HERE="$ROOT/tests/integration"
for t in 001-flowgen-exact 002-softflowd-interop 005-subscribers 009-classes-apps 027-users 028-portal \
    031-bills 033-mail 035-alerts 036-password-reset 038-invoice-mail 042-stats-health; do
    # the SQLite run tests/run.sh made just before (FLOWTALLY_TEST_LOGS), or one of our own
    if [ -f "${FLOWTALLY_TEST_LOGS:-/nonexistent}/$t.tap" ]; then
        cp "$FLOWTALLY_TEST_LOGS/$t.tap" "$TMP/$t.sqlite"
        sqlite_rc=$(cat "$FLOWTALLY_TEST_LOGS/$t.rc")
    else
        env -u FLOWTALLY_TEST_ENGINE BUILD="$BUILD" sh "$HERE/$t/run.sh" >"$TMP/$t.sqlite" 2>&1
        sqlite_rc=$?
    fi
    FLOWTALLY_TEST_ENGINE=postgresql BUILD="$BUILD" sh "$HERE/$t/run.sh" >"$TMP/$t.pg" 2>&1
    pg_rc=$?

    # a TAP run passes: exit status 0, a plan of N > 0 checks, N check lines, none failed
    tap_passes() { # tap_passes FILE RC
        n=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$1" | tail -1)
        [ "$2" -eq 0 ] && [ -n "$n" ] && [ "$n" -gt 0 ] &&
            [ "$(grep -c '^\(not \)\{0,1\}ok [0-9]' "$1")" -eq "$n" ] && ! grep -q '^not ok' "$1"
    }
    if tap_passes "$TMP/$t.pg" $pg_rc; then
        ok "$t on PostgreSQL: $(grep -c '^ok ' "$TMP/$t.pg") checks pass"
    else
        not_ok "$t on PostgreSQL (exit $pg_rc)"
        grep -v '^ok ' "$TMP/$t.pg" | grep -v '^1\.\.' | head -40 | sed 's/^/#   /'
    fi

    grep '^ok ' "$TMP/$t.sqlite" >"$TMP/$t.sqlite.ok"
    grep '^ok ' "$TMP/$t.pg" >"$TMP/$t.pg.ok"
    n_sqlite=$(wc -l <"$TMP/$t.sqlite.ok" | tr -d ' ')
    n_pg=$(wc -l <"$TMP/$t.pg.ok" | tr -d ' ')
    if ! tap_passes "$TMP/$t.sqlite" $sqlite_rc; then
        not_ok "$t: the SQLite run itself fails (exit $sqlite_rc), nothing to compare with"
        grep -v '^ok ' "$TMP/$t.sqlite" | grep -v '^1\.\.' | head -20 | sed 's/^/#   /'
    elif cmp -s "$TMP/$t.sqlite.ok" "$TMP/$t.pg.ok"; then
        ok "$t: PostgreSQL passes the same $n_pg checks as SQLite ($n_sqlite)"
    else
        not_ok "$t: passed checks differ: SQLite $n_sqlite, PostgreSQL $n_pg"
        diff "$TMP/$t.sqlite.ok" "$TMP/$t.pg.ok" | head -20 | sed 's/^/#   /'
    fi
done
done_testing
