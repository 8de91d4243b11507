#!/usr/bin/env bash
# Peak memory and time through ONE huge source transaction (issue 12: memory bounded by
# configuration, not by the size of a source transaction). For each weft binary given:
#   a throwaway MariaDB with the Olist-shaped data at BIGTX_SCALE, weft snapshots it (SQLite sink),
#   is stopped and started again (so the snapshot's peak is not counted), then ONE transaction
#   rewrites every order, item and payment BIGTX_PASSES times (plus every customer once), and a
#   marker update follows it; we wait until the marker's document is in the sink and read weft's
#   peak RSS (VmHWM) and the time taken.
#   tests/bench/big-transaction.sh BUILD_DIR_OR_WEFT [BASELINE_WEFT]
# Environment: BIGTX_SCALE [1]  BIGTX_PASSES [3]  (scale 1, 3 passes: ~1,050,000 row changes)
# Prints one JSON line per binary; nothing here is a test assert.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
scale=${BIGTX_SCALE:-1}
passes=${BIGTX_PASSES:-3}
target=${1:?weft binary or build dir}
weft_bins=("$(realpath "$([ -d "$target" ] && echo "$target/weft" || echo "$target")")")
[ -n "${2:-}" ] && weft_bins+=("$(realpath "$2")")
gen_dir=$([ -d "$target" ] && echo "$target" || dirname "$target")
gen="$gen_dir/tests/bench/olist_gen"
[ -x "$gen" ] || { echo "need $gen (ninja -C BUILD olist_gen)" >&2; exit 1; }

work=$(mktemp -d /tmp/weft-bigtx.XXXXXX)
cleanup() {
  [ -z "${weft_pid:-}" ] || kill -TERM "$weft_pid" 2>/dev/null || true
  "$root/tests/mariadb-throwaway.sh" stop "$work/mariadb" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
port=$("$root/tests/mariadb-throwaway.sh" start "$work/mariadb")
sql() { mariadb --protocol=TCP -h127.0.0.1 -P"$port" -uroot --local-infile=1 "$@"; }
sql -e "CREATE USER weft@'127.0.0.1' IDENTIFIED BY 'bench';
        GRANT SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO weft@'127.0.0.1';"
export WEFT_MYSQL_PASSWORD=bench
mkdir -p "$work/tsv" && "$gen" tsv --scale "$scale" --out "$work/tsv"

load() {
  sql -e "DROP DATABASE IF EXISTS shop; CREATE DATABASE shop"
  sql shop <"$root/tests/data/seeds/schema.sql"
  for t in customers orders order_items order_payments products sellers; do
    sql shop -e "LOAD DATA LOCAL INFILE '$work/tsv/ecom_$t.tsv' INTO TABLE ecom_$t"
  done
}

write_config() {  # the seeds' orderSingleView into an SQLite sink
  sed -e "s/@PORT@/$port/" >"$1/weft.toml" <<'TOML'
[state]
path = "state.db"
[sources.shop]
kind = "mysql"
host = "127.0.0.1"
port = @PORT@
user = "weft"
password = "${WEFT_MYSQL_PASSWORD}"
database = "shop"
[sinks.out]
kind = "sqlite"
path = "docs.db"
[status]
listen = "off"
[[views]]
name = "order_single_view"
source = "shop"
root = "ecom_orders"
sink = "out"
collection = "orderSingleView"
  [[views.lookups]]
  table = "ecom_customers"
  path = "customer_info"
  type = "object"
  relation = [["customer_id", "customer_id"]]
  [[views.lookups]]
  table = "ecom_order_payments"
  path = "order_payments"
  type = "array"
  relation = [["order_id", "order_id"]]
  [[views.lookups]]
  table = "ecom_order_items"
  path = "order_items"
  type = "array"
  relation = [["order_id", "order_id"]]
TOML
}

marker_seen() {
  [ "$(sqlite3 "$1/docs.db" "SELECT count(*) FROM orderSingleView WHERE json_extract(doc, '\$.order_status') = '$2'" 2>/dev/null || echo 0)" = 1 ]
}

for weft in "${weft_bins[@]}"; do
  dir="$work/run-$(basename "$(dirname "$weft")")-$RANDOM"
  mkdir -p "$dir"
  load
  write_config "$dir"
  first=$(sql -N shop -e "SELECT order_id FROM ecom_orders ORDER BY order_id LIMIT 1")
  sql shop -e "UPDATE ecom_orders SET order_status = 'snap-done' WHERE order_id = '$first'"
  (cd "$dir" && exec "$weft" run -c weft.toml >>out.txt 2>>err.txt) &
  weft_pid=$!
  until marker_seen "$dir" snap-done; do sleep 0.5; kill -0 "$weft_pid" 2>/dev/null || { echo "weft died:"; tail -5 "$dir/err.txt"; exit 1; }; done
  # A streamed change after it: the snapshot is committed and reconciled, so the restart resumes.
  sql shop -e "UPDATE ecom_orders SET order_status = 'streaming' WHERE order_id = '$first'"
  until marker_seen "$dir" streaming; do sleep 0.5; done
  sleep 1
  kill -TERM "$weft_pid"; wait "$weft_pid" || true
  (cd "$dir" && exec "$weft" run -c weft.toml >>out.txt 2>>err.txt) &
  weft_pid=$!
  sleep 2
  base_kb=$(sed -n 's/^VmHWM:\s*\([0-9]*\) kB/\1/p' /proc/$weft_pid/status)
  updates="UPDATE ecom_customers SET customer_city = CONCAT(customer_city, '+');"
  for p in $(seq 1 "$passes"); do
    updates+="UPDATE ecom_orders SET order_status = 'pass$p';
              UPDATE ecom_order_items SET freight_value = freight_value + 1;
              UPDATE ecom_order_payments SET payment_installments = payment_installments + 1;"
  done
  t0=$(date +%s.%N)
  sql shop -e "BEGIN; $updates COMMIT;"
  t1=$(date +%s.%N)
  sql shop -e "UPDATE ecom_orders SET order_status = 'bigtx-done' WHERE order_id = '$first'"
  until marker_seen "$dir" bigtx-done; do sleep 0.2; kill -0 "$weft_pid" 2>/dev/null || { echo "weft died:"; tail -5 "$dir/err.txt"; exit 1; }; done
  t2=$(date +%s.%N)
  peak_kb=$(sed -n 's/^VmHWM:\s*\([0-9]*\) kB/\1/p' /proc/$weft_pid/status)
  kill -TERM "$weft_pid"; wait "$weft_pid" || true
  weft_pid=""
  rows=$(/usr/bin/python3 -c "import json,sys; d=json.loads(sys.argv[1]); print(d['customers'] + $passes * (d['orders'] + d['items'] + d['payments']))" "$("$gen" info --scale "$scale")")
  /usr/bin/python3 -c "import sys; a=sys.argv; print('{\"bench\": \"big_transaction\", \"weft\": \"%s\", \"scale\": %s, \"row_changes\": %s, \"commit_s\": %.1f, \"weft_s_after_commit\": %.1f, \"rss_before_kb\": %s, \"peak_rss_kb\": %s, \"load1\": %s}' % (a[1], a[2], a[3], float(a[5]) - float(a[4]), float(a[6]) - float(a[5]), a[7], a[8], a[9]))" \
    "$weft" "$scale" "$rows" "$t0" "$t1" "$t2" "$base_kb" "$peak_kb" "$(cut -d' ' -f1 /proc/loadavg)"
done
