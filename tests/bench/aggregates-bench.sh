#!/usr/bin/env bash
# Aggregate views' catch-up, seed 002's shape (issue 11): orders joined to customers, revenue per
# country, with customers changing country. Not a test: figures to read next to the goals.
#   tests/bench/aggregates-bench.sh [BUILD_DIR]     (weft from BUILD_DIR, default build/)
# Knobs: AGG_CUSTOMERS (default 20000), AGG_ORDERS (200000), AGG_CHANGES (100000).
# For each of two views (SUM/COUNT/AVG; MIN/MAX/COUNT DISTINCT + top-N) it snapshots with
# `weft run`, stops weft, commits AGG_CHANGES row changes (transactions of 10: order totals, order
# customers and statuses, customers' countries, new orders), restarts weft and times until the
# last change is visible in the SQLite sink; then times MariaDB's GROUP BY of the same result
# from scratch, and prints weft's peak RSS.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
weft="$build/weft"
customers=${AGG_CUSTOMERS:-20000}
orders=${AGG_ORDERS:-200000}
changes=${AGG_CHANGES:-100000}
work=$(mktemp -d /tmp/weft-aggbench.XXXXXX)
trap '"$root/tests/mariadb-throwaway.sh" stop "$work/mariadb" >/dev/null 2>&1 || true' EXIT
port=$("$root/tests/mariadb-throwaway.sh" start "$work/mariadb")
sql() { mariadb --protocol=TCP -h127.0.0.1 -P"$port" -uroot "$@"; }

sql <<SQL
CREATE DATABASE shop; USE shop;
CREATE TABLE customers(id INT PRIMARY KEY, name VARCHAR(40), country VARCHAR(40));
CREATE TABLE orders(id INT PRIMARY KEY, customer_id INT, total DECIMAL(10,2), status VARCHAR(20),
                    created_at DATETIME NOT NULL, KEY(customer_id));
INSERT INTO customers SELECT seq, CONCAT('c', seq), ELT(1 + seq % 12, 'France','China','Brazil','Chile',
  'Japan','Kenya','Peru','Spain','India','Egypt','Fiji','Oman') FROM seq_1_to_$customers;
INSERT INTO orders SELECT seq, 1 + (seq * 7919) % $customers, (seq * 37 % 50000) / 100, IF(seq % 9 = 0, 'canceled', 'paid'),
  '2026-01-01 00:00:00' + INTERVAL (seq * 13 % 86400) SECOND FROM seq_1_to_$orders;
DELIMITER //
CREATE PROCEDURE workload(n INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  DECLARE k INT DEFAULT 0;
  DECLARE o INT;
  DECLARE c INT;
  DECLARE base INT;
  SELECT MAX(id) INTO base FROM orders;
  WHILE i < n DO
    START TRANSACTION;
    SET k = 0;
    WHILE k < 10 DO
      -- Keys drawn first: RAND() in a WHERE clause is evaluated per row (a full scan).
      SET o = 1 + FLOOR(RAND() * $orders), c = 1 + FLOOR(RAND() * $customers);
      CASE FLOOR(RAND() * 5)
        WHEN 0 THEN UPDATE orders SET total = FLOOR(RAND() * 50000) / 100 WHERE id = o;
        WHEN 1 THEN UPDATE orders SET customer_id = c WHERE id = o;
        WHEN 2 THEN UPDATE orders SET status = IF(status = 'paid', 'canceled', 'paid') WHERE id = o;
        WHEN 3 THEN UPDATE customers SET country = ELT(1 + FLOOR(RAND() * 12), 'France','China','Brazil','Chile',
          'Japan','Kenya','Peru','Spain','India','Egypt','Fiji','Oman') WHERE id = c;
        ELSE INSERT INTO orders VALUES (base + 1 + i + k, c,
          FLOOR(RAND() * 50000) / 100, 'paid', '2026-01-01 00:00:00' + INTERVAL FLOOR(RAND() * 86400) SECOND);
      END CASE;
      SET k = k + 1;
    END WHILE;
    COMMIT;
    SET i = i + 10;
  END WHILE;
END//
DELIMITER ;
SQL

head() {
  cat <<TOML
[state]
path = "$1/state.db"
[sources.shop]
kind = "mysql"
host = "127.0.0.1"
port = $port
user = "root"
password = ""
database = "shop"
server_id = 5401
[sinks.local]
kind = "sqlite"
path = "$1/docs.db"
[status]
listen = "off"
TOML
}
view_sum='
[[views]]
name = "country_revenue"
source = "shop"
root = "orders"
sink = "local"
filter = "status <> '"'"'canceled'"'"'"
  [[views.lookups]]
  table = "customers"
  path = "customer"
  type = "object"
  relation = [["customer_id", "id"]]
  [views.group_by]
  country = "customer.country"
  [views.aggregates]
  revenue = "sum(total)"
  orders = "count(*)"
  avg_order = "avg(total)"
'
view_minmax='
[[views]]
name = "country_revenue"
source = "shop"
root = "orders"
sink = "local"
  [[views.lookups]]
  table = "customers"
  path = "customer"
  type = "object"
  relation = [["customer_id", "id"]]
  [views.group_by]
  country = "customer.country"
  [views.aggregates]
  largest = "max(total)"
  smallest = "min(total)"
  customers = "count_distinct(customer_id)"

[[views]]
name = "top_hours"
source = "shop"
root = "orders"
sink = "local"
  [views.group_by]
  hour = "tumble(created_at, '"'"'1 hour'"'"')"
  customer = "customer_id"
  [views.aggregates]
  spent = "sum(total)"
  [views.top]
  n = 10
  by = "spent"
  partition_by = ["hour"]
'
marker_id=$((orders + changes * 20 + 1))
run_case() {  # NAME VIEWS [MARKER_QUERY]: the query is non-empty once the marker change is visible
  local name=$1 views=$2 dir="$work/$1"
  local marker=${3:-"SELECT 1 FROM country_revenue WHERE id = 'Marker$1'"}
  mkdir -p "$dir"
  { head "$dir"; echo "$views"; } >"$dir/weft.toml"
  /usr/bin/time -f "%M" -o "$dir/rss1" "$weft" run -c "$dir/weft.toml" 2>"$dir/log1" &
  local pid=$!
  until grep -q "streaming binlog from" "$dir/log1" 2>/dev/null && grep -q "snapshot done" "$dir/log1"; do sleep 0.2; done
  local snap=$(grep -o "snapshot done: [^;]*" "$dir/log1")
  sleep 1
  pkill -TERM -P $pid weft 2>/dev/null || kill -TERM $pid; wait $pid || true
  local before=$(date +%s.%N)
  sql shop -e "CALL workload($changes); INSERT INTO customers VALUES($marker_id, 'marker', 'Marker$name'); INSERT INTO orders VALUES($marker_id, $marker_id, 1.00, 'paid', '2026-01-01 00:00:00');"
  local committed=$(date +%s.%N)
  ${AGG_PERF:+perf record -g -o "$dir/perf.data"} /usr/bin/time -f "%M" -o "$dir/rss2" "$weft" run -c "$dir/weft.toml" 2>"$dir/log2" &
  pid=$!
  local start=$(date +%s.%N)
  until sqlite3 "$dir/docs.db" "$marker" 2>/dev/null | grep -q 1; do sleep 0.05; done
  local done_at=$(date +%s.%N)
  pkill -TERM -x weft -P "$(pgrep -P $pid time || echo $pid)" 2>/dev/null || pkill -TERM -P $pid weft || kill -TERM $pid
  wait $pid || true
  local secs=$(echo "$done_at - $start" | bc)
  local rows=$(sql -N shop -e "SELECT COUNT(*) FROM orders")
  local q0=$(date +%s.%N)
  sql -N shop -e "SELECT c.country, SUM(o.total), COUNT(*), AVG(o.total), MAX(o.total), MIN(o.total), COUNT(DISTINCT o.customer_id) FROM orders o JOIN customers c ON c.id = o.customer_id GROUP BY c.country" >/dev/null
  local q1=$(date +%s.%N)
  echo "case $name: $snap"
  echo "  catch-up: $changes changes (+2 marker rows) in $secs s = $(echo "$changes / $secs" | bc) changes/s (committed in $(echo "$committed - $before" | bc) s)"
  echo "  MariaDB GROUP BY from scratch over $rows orders: $(echo "$q1 - $q0" | bc) s"
  echo "  peak RSS: snapshot run $(cat "$dir/rss1") KB, catch-up run $(cat "$dir/rss2") KB"
  sql shop -e "DELETE FROM orders WHERE id = $marker_id; DELETE FROM customers WHERE id = $marker_id;"
}
view_wide='
[[views]]
name = "orders_wide"
source = "shop"
root = "orders"
sink = "local"
  [[views.lookups]]
  table = "customers"
  path = "customer"
  type = "object"
  relation = [["customer_id", "id"]]
'
echo "data: $customers customers, $orders orders; $changes changes per case"
# The same data and changes into a wide view (no aggregates), for comparison.
[ -n "${AGG_WIDE:-}" ] && run_case wide "$view_wide" "SELECT 1 FROM orders_wide WHERE id = '$marker_id'"
run_case sum "$view_sum"
[ -n "${AGG_ONLY_SUM:-}" ] || run_case minmax "$view_minmax"
