#!/bin/sh
# Local days and hours are computed in C (the store only adds a fixed offset and divides),
# split where the time zone changes offset. Usage every 5 minutes across both of Berlin's
# 2026 changes and Lord Howe's half-hour one: `report --by day` and `--by hour` must equal
# what SQLite's own localtime conversion of every bucket gives (an independent oracle).
. "$(dirname "$0")/../lib.sh"

DB="$TMP/flowtally.db"
"$FT" plan add x --db "$DB" >/dev/null
# every 300 s from 2026-03-28 to 2026-03-31 and 2026-10-24 to 2026-10-27 (UTC), and Lord
# Howe's 2026-04-04 change, as unassigned usage of 10.0.0.1: bytes = the bucket's index
sqlite3 "$DB" "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 863)
  INSERT INTO usage SELECT b, 0, '10.0.0.1', 'in', 'default', 'other', i + 1, 1, 1 FROM
  (SELECT 1774656000 + i * 300 AS b, i FROM n UNION ALL SELECT 1792800000 + i * 300, i FROM n
   UNION ALL SELECT 1775200000 + i * 300, i FROM n);"
for tz in Europe/Berlin Australia/Lord_Howe UTC; do
    for by in day hour; do
        fmt=$([ $by = day ] && echo '%Y-%m-%d' || echo '%Y-%m-%d %H:00')
        TZ=$tz sqlite3 -csv "$DB" "SELECT strftime('$fmt', bucket, 'unixepoch', 'localtime') AS p,
            sum(bytes), 0, sum(packets), 0, sum(flows), 0, 0, 0, 0, 0, 0, 0 FROM usage GROUP BY p ORDER BY p" |
            tr -d '"' >"$TMP/want.csv"
        TZ=$tz "$FT" report --db "$DB" --by $by --format csv | sed 1d >"$TMP/got.csv"
        check_same "$tz, by $by: local periods equal SQLite's localtime" "$TMP/got.csv" "$TMP/want.csv"
    done
done
done_testing
