# A throwaway PostgreSQL server for tests, sourced by a test script (POSIX sh):
#
#   . tests/pg.sh
#   pg_start || { skip ...; }   # sets PGURI, PG_PASSWORD, PG_DIR, PG_PORT, PG_SKIP on failure
#   pg_newdb NAME               # a fresh database owned by the test role; sets PGURI to it
#   pg_sql "SQL"                # runs SQL as the superuser in the current test database
#   pg_stop                     # safe from a trap, and safe to call twice
#
# The server is initdb'd into a new temporary directory and run as an unprivileged user
# (when run as root: `postgres` if the package made it, else `nobody`; otherwise the
# current user), listening on a Unix socket in that directory and on 127.0.0.1 at a free
# port. The superuser connects over the socket (trust); the test role `flowtally` has a
# random password and connects over TCP with SCRAM, so PGURI carries a real secret.
# Every wait is bounded. PG_OPTS, when set, gives the server's settings (`-c name=value
# ...`) in place of the default `-c fsync=off` (which only matters if the machine crashes
# mid-test; a benchmark sets PG_OPTS="-c fsync=on").

PG_DIR=""
PG_PORT=""
PG_USER=""
PG_BIN=""
PG_SKIP=""
PG_DB=""

# pg_as CMD...: runs CMD as the server's user.
pg_as() {
    if [ "$(id -u)" = 0 ]; then
        setpriv --reuid="$PG_USER" --regid="$(id -g "$PG_USER")" --init-groups -- "$@"
    else
        "$@"
    fi
}

pg_find() {
    for d in /usr/lib/postgresql/*/bin; do
        [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && PG_BIN=$d
    done
    [ -n "$PG_BIN" ] && command -v psql >/dev/null 2>&1
}

# pg_free_port: a TCP port on 127.0.0.1 nothing listens on now (the server may still lose a
# race for it; pg_start tries again then).
pg_free_port() {
    i=0
    while [ $i -lt 50 ]; do
        p=$(( ($(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 30000) + 20000 ))
        if ! ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
            echo "$p"
            return 0
        fi
        i=$((i + 1))
    done
    return 1
}

pg_sql_super() { # pg_sql_super DB SQL
    psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -p "$PG_PORT" -U postgres -d "$1" -c "$2"
}

pg_sql() { pg_sql_super "$PG_DB" "$1"; }

pg_newdb() {
    PG_DB=$1
    pg_sql_super postgres "CREATE DATABASE \"$1\" OWNER flowtally" >/dev/null || return 1
    PGURI="postgresql://flowtally:$PG_PASSWORD@127.0.0.1:$PG_PORT/$1"
    export PGURI
}

pg_start() {
    if ! pg_find; then
        PG_SKIP="PostgreSQL is not installed (apt-get install postgresql)"
        return 1
    fi
    if [ "$(id -u)" = 0 ]; then
        PG_USER=postgres
        id "$PG_USER" >/dev/null 2>&1 || PG_USER=nobody
    else
        PG_USER=$(id -un)
    fi
    PG_DIR=$(mktemp -d /tmp/flowtally-pg.XXXXXX) || return 1
    [ "$(id -u)" = 0 ] && chown "$PG_USER" "$PG_DIR"
    chmod 700 "$PG_DIR"
    # hex, so it needs no escaping in a URI or SQL; the tests grep every output for it
    PG_PASSWORD=pw$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    export PG_PASSWORD
    if ! pg_as "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth-local=trust \
        --auth-host=scram-sha-256 --no-sync -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1; then
        PG_SKIP="initdb failed: $(tail -1 "$PG_DIR/initdb.log")"
        return 1
    fi
    tries=0
    while :; do
        PG_PORT=$(pg_free_port) || { PG_SKIP="no free port"; return 1; }
        if pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 30 \
            -o "-k $PG_DIR -h 127.0.0.1 -p $PG_PORT ${PG_OPTS:--c fsync=off}" start >/dev/null 2>&1; then
            break
        fi
        tries=$((tries + 1))
        if [ $tries -ge 3 ]; then
            PG_SKIP="the server did not start: $(tail -3 "$PG_DIR/server.log" | tr '\n' ' ')"
            return 1
        fi
    done
    i=0
    until "$PG_BIN/pg_isready" -q -h "$PG_DIR" -p "$PG_PORT" -U postgres -t 1; do
        i=$((i + 1))
        if [ $i -ge 100 ]; then
            PG_SKIP="the server did not become ready"
            return 1
        fi
        sleep 0.1
    done
    pg_sql_super postgres "CREATE ROLE flowtally LOGIN PASSWORD '$PG_PASSWORD'" >/dev/null &&
        pg_newdb flowtally
}

pg_stop() {
    if [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ]; then
        [ -f "$PG_DIR/data/postmaster.pid" ] &&
            pg_as "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 30 stop >/dev/null 2>&1
        rm -rf "$PG_DIR"
    fi
    PG_DIR=""
}
