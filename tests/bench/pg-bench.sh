#!/usr/bin/env bash
# The PostgreSQL source next to the MySQL path, on the same Olist-shaped data (olist_gen), in one run:
#   snapshot  `weft run --oneshot` into SQLite from PostgreSQL and from MariaDB: seconds, peak RSS
#   catchup   BENCH_CHANGES changes (olist_gen changes) applied while weft is down, then the time
#             `weft run` takes to reach the marker, from PostgreSQL and from MariaDB
#   decode    the same WAL read by pg_recvlogical (pgoutput, to /dev/null) from a copy of weft's slot
#             taken before the catch-up: the physical limit for reading the slot
# Usage: tests/bench/pg-bench.sh [SCALE]   (default 0.25; needs build/ with weft and olist_gen, root)
# Prints a small markdown table; nothing here is a test assert.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
scale=${1:-0.25}
changes=${BENCH_CHANGES:-20000}
build=${BENCH_BUILD:-$root/build}
weft=$build/weft
gen=$build/tests/bench/olist_gen
bin=/usr/lib/postgresql/15/bin
work=$(mktemp -d /tmp/weft-pg-bench.XXXXXX)
chmod 755 "$work"; chown postgres "$work"
as_pg() { runuser -u postgres -- "$@"; }
cleanup() {
  as_pg "$bin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
  "$root/tests/mariadb-throwaway.sh" stop "$work/mariadb" >/dev/null 2>&1 || true
  [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT

"$gen" tsv --scale "$scale" --out "$work" >/dev/null
"$gen" changes --scale "$scale" --count "$changes" --marker m1 --out "$work/changes.sql" >"$work/changes.json"
marker=$(python3 -c "import json; print(json.load(open('$work/changes.json'))['marker_order'])")
grep -v '^SET autocommit' "$work/changes.sql" >"$work/changes_pg.sql"

pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg "$bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >/dev/null
printf "port = %s\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '%s'\nwal_level = logical\nshared_buffers = 256MB\nmax_wal_size = 4GB\n" \
  "$pgport" "$work" >>"$work/pg/postgresql.conf"
as_pg "$bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start >/dev/null
pg() { psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pgport" -U postgres "$@"; }
pg -d postgres -c "CREATE DATABASE shop"
sed -e 's/ ENGINE=.*;/;/' -e 's/DATETIME/TIMESTAMP/g' -e '/^  KEY /d' "$root/tests/data/seeds/schema.sql" |
  python3 -c "import re,sys; print(re.sub(r',\n\)', '\n)', sys.stdin.read()))" | pg -d shop
for t in customers orders order_items products sellers order_payments; do
  pg -d shop -c "\\copy ecom_$t FROM '$work/ecom_$t.tsv'"
done
pg -d shop -c "ANALYZE"

myport=$("$root/tests/mariadb-throwaway.sh" start "$work/mariadb")
my() { mariadb --protocol=TCP -h127.0.0.1 -P"$myport" -uroot --local-infile=1 "$@"; }
my -e "CREATE DATABASE shop"
my shop <"$root/tests/data/seeds/schema.sql"
for t in customers orders order_items products sellers order_payments; do
  my shop -e "LOAD DATA LOCAL INFILE '$work/ecom_$t.tsv' INTO TABLE ecom_$t"
done

view=$(sed -n '/^\[\[views\]\]/,$p' "$root/tests/demo/demo.sh" | sed '/^TOML$/,$d')
config() {  # config DIR KIND PORT USER
  mkdir -p "$1"
  cat >"$1/weft.toml" <<TOML
[state]
path = "state.db"
[sources.shop]
kind = "$2"
host = "127.0.0.1"
port = $3
user = "$4"
database = "shop"
[sinks.local]
kind = "sqlite"
path = "docs.db"
[status]
listen = "off"
$view
TOML
}
config "$work/w-pg" postgresql "$pgport" postgres
config "$work/w-my" mysql "$myport" root

measure() {  # measure DIR: weft run --oneshot; prints "seconds peak_rss_mb"
  rm -f "$1"/state.db* "$1"/docs.db*
  (cd "$1" && /usr/bin/time -v -o time.txt "$weft" run --oneshot -c weft.toml >out.txt 2>err.txt)
  python3 - "$1/time.txt" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
wall = re.search(r"Elapsed \(wall clock\) time.*: (?:(\d+):)?(\d+):([\d.]+)", t)
secs = (int(wall.group(1) or 0) * 3600 + int(wall.group(2)) * 60 + float(wall.group(3)))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
print(f"{secs:.2f} {rss:.0f}")
PY
}
read -r pg_snap pg_rss < <(measure "$work/w-pg")
read -r my_snap my_rss < <(measure "$work/w-my")

catchup() {  # catchup DIR APPLY: snapshot + stop, apply the changes, time weft run to the marker
  local dir=$1
  rm -f "$dir"/state.db* "$dir"/docs.db*
  (cd "$dir" && exec "$weft" run -c weft.toml >run1.out 2>run1.err) &
  local first=$!
  until grep -q "snapshot done" "$dir/run1.err" 2>/dev/null; do sleep 0.2; done
  sleep 1; kill -TERM $first; wait $first || true
  eval "$2"
  local start; start=$(date +%s.%N)
  (cd "$dir" && exec "$weft" run -c weft.toml >run2.out 2>run2.err) &
  local pid=$!
  until sqlite3 "$dir/docs.db" "SELECT doc FROM orderSingleView WHERE id = '$marker'" 2>/dev/null | grep -q '"order_status":"m1"'; do
    sleep 0.05
  done
  local end; end=$(date +%s.%N)
  kill -TERM $pid; wait $pid || true
  python3 -c "print(f'{$end - $start:.2f}')"
}
copy_slots="SELECT pg_copy_logical_replication_slot('weft_shop', 'bench_copy'), pg_copy_logical_replication_slot('weft_shop', 'bench_tail')"
pg_catch=$(catchup "$work/w-pg" "pg -d shop -c \"$copy_slots\" >/dev/null; pg -d shop -f '$work/changes_pg.sql' >/dev/null")
my_catch=$(catchup "$work/w-my" "my shop <'$work/changes.sql'")
end_lsn=$(pg -d shop -At -c "SELECT pg_current_wal_lsn()")
start=$(date +%s.%N)
PGOPTIONS="" "$bin/pg_recvlogical" -h 127.0.0.1 -p "$pgport" -U postgres -d shop -S bench_copy --start \
  -o proto_version=1 -o publication_names=weft_shop -E "$end_lsn" -f /dev/null
end=$(date +%s.%N)
recv=$(python3 -c "print(f'{$end - $start:.2f}')")

# weft's reading and decoding alone: `weft tail` from a second copy of the slot, JSON to a file,
# until the marker's change is written.
config "$work/w-tail" postgresql "$pgport" postgres
sed -i 's/^database = "shop"$/database = "shop"\nslot = "bench_tail"/' "$work/w-tail/weft.toml"
tail_from=$(pg -d shop -At -c "SELECT confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = 'bench_tail'")
start=$(date +%s.%N)
(cd "$work/w-tail" && exec "$weft" tail -c weft.toml --source shop --from "pg1;lsn=$tail_from" >tail.out 2>tail.err) &
tail_pid=$!
until grep -q '"order_status":"m1"' "$work/w-tail/tail.out" 2>/dev/null; do sleep 0.02; done
end=$(date +%s.%N)
kill -TERM $tail_pid; wait $tail_pid || true
tail_s=$(python3 -c "print(f'{$end - $start:.2f}')")

rows=$(pg -d shop -At -c "SELECT (SELECT count(*) FROM ecom_orders) + (SELECT count(*) FROM ecom_customers) + (SELECT count(*) FROM ecom_order_items) + (SELECT count(*) FROM ecom_order_payments) + (SELECT count(*) FROM ecom_products) + (SELECT count(*) FROM ecom_sellers)")
cat <<REPORT
| scale $scale ($rows rows after the changes), $changes changes | PostgreSQL | MariaDB | ratio PG/My |
|---|---|---|---|
| snapshot (--oneshot), s | $pg_snap | $my_snap | $(python3 -c "print(f'{$pg_snap/$my_snap:.2f}')") |
| snapshot peak RSS, MB | $pg_rss | $my_rss | $(python3 -c "print(f'{$pg_rss/$my_rss:.2f}')") |
| catch-up to the marker, s | $pg_catch | $my_catch | $(python3 -c "print(f'{$pg_catch/$my_catch:.2f}')") |
| pg_recvlogical reading the same WAL (copied slot), s | $recv | | |
| weft tail decoding it to JSON (copied slot), s | $tail_s | | pg_recvlogical/weft tail: $(python3 -c "print(f'{$recv/$tail_s:.2f}')") |
REPORT
