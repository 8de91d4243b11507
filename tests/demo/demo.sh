#!/usr/bin/env bash
# The README's first command: sets everything up and shows weft keeping a wide document current.
#   1. installs the Debian packages weft needs (when missing) and builds weft
#   2. starts a throwaway MariaDB in a temp dir with the seeds' e-commerce tables and sample data
#   3. runs `weft run` with the embedded SQLite sink (the first run snapshots the tables)
#   4. runs the seed's inserts and updates one at a time, printing the order document after each
#   5. prints the aggregate view state_revenue (revenue per customer state)
#   6. runs `weft verify`, stops weft (SIGTERM)
#   7. shows `weft init` proposing a config from the schema, and `weft check` passing it; stops MariaDB
# Run it as root on Debian 12 (or as a user with sudo rights for the package step).
# `demo.sh --postgres` runs the PostgreSQL flavour instead (tests/demo/demo_postgres.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
[ "${1:-}" = "--postgres" ] && exec "$root/tests/demo/demo_postgres.sh"
"$root/tests/install-deps.sh"
echo "==> building weft (first run: ~3-4 min on 2 cores; progress below)"
"$root/tests/demo/build-weft.sh" "$root"
weft="$root/build/weft"

work=$(mktemp -d /tmp/weft-demo.XXXXXX)
weft_pid=""
cleanup() {
  [ -n "$weft_pid" ] && kill "$weft_pid" 2>/dev/null && wait "$weft_pid" 2>/dev/null || true
  "$root/tests/mariadb-throwaway.sh" stop "$work/mariadb" || true
}
trap cleanup EXIT

echo "==> starting a throwaway MariaDB in $work/mariadb"
port=$("$root/tests/mariadb-throwaway.sh" start "$work/mariadb")
sql() { mariadb --protocol=TCP -h127.0.0.1 -P"$port" -uroot "$@"; }
sql -e "CREATE DATABASE shop"
sql shop <"$root/tests/data/seeds/schema.sql"
sql shop <"$root/tests/data/seeds/sample_data.sql"
sql -e "CREATE USER weft@'127.0.0.1' IDENTIFIED BY 'demo-password';
        GRANT SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO weft@'127.0.0.1';"

cat >"$work/weft.toml" <<TOML
# The demo's config: the seeds' orderSingleView into the embedded SQLite document store.
[state]
path = "state.db"

[sources.shop]
kind = "mysql"
host = "127.0.0.1"
port = $port
user = "weft"
password = "\${WEFT_MYSQL_PASSWORD}"
database = "shop"
server_id = 5401

[sinks.local]
kind = "sqlite"
path = "docs.db"

[status]
listen = "off"

[[views]]
name = "order_single_view"
source = "shop"
root = "ecom_orders"
sink = "local"
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

  [[views.lookups]]
  table = "ecom_products"
  path = "order_items.product"
  type = "object"
  relation = [["order_items.product_id", "product_id"]]

  [[views.lookups]]
  table = "ecom_sellers"
  path = "order_items.seller"
  type = "object"
  relation = [["order_items.seller_id", "seller_id"]]

# An aggregate view (seed 002's shape): revenue per customer state, kept exact as orders, items and
# customers change.
[[views]]
name = "state_revenue"
source = "shop"
root = "ecom_orders"
sink = "local"
filter = "order_status <> 'canceled'"

  [[views.lookups]]
  table = "ecom_customers"
  path = "customer_info"
  type = "object"
  relation = [["customer_id", "customer_id"]]

  [[views.lookups]]
  table = "ecom_order_items"
  path = "order_items"
  type = "array"
  relation = [["order_id", "order_id"]]

  [views.group_by]
  state = "customer_info.customer_state"

  [views.aggregates]
  revenue = "sum(order_items.price)"
  orders = "count(*)"
  largest_item = "max(order_items.price)"
TOML
export WEFT_MYSQL_PASSWORD=demo-password

echo "==> weft check"
"$weft" check -c "$work/weft.toml"

echo "==> weft run (log: $work/weft.log)"
"$weft" run -c "$work/weft.toml" >"$work/weft.out" 2>"$work/weft.log" &
weft_pid=$!

doc() {  # the order document, pretty-printed with its numbers exactly as weft wrote them (220.00)
  sqlite3 "$work/docs.db" "SELECT doc FROM orderSingleView WHERE id = '$1'" 2>/dev/null | /usr/bin/python3 -c '
import json, re, sys
text = sys.stdin.read()
if not text.strip():
    sys.exit(1)
mark = lambda s: "\x00" + s + "\x00"
pretty = json.dumps(json.loads(text, parse_float=mark, parse_int=mark), indent=2, ensure_ascii=False)
print(re.sub(r"\"\\u0000([^\\\"]*)\\u0000\"", r"\1", pretty))'
}
wait_for() {  # waits until the document satisfies a python predicate over `d`
  local id=$1 predicate=$2
  for _ in $(seq 1 100); do
    if sqlite3 "$work/docs.db" "SELECT doc FROM orderSingleView WHERE id = '$id'" 2>/dev/null |
       /usr/bin/python3 -c "import json,sys; t=sys.stdin.read(); d=json.loads(t) if t.strip() else None; sys.exit(0 if ($predicate) else 1)"; then
      return 0
    fi
    kill -0 "$weft_pid" 2>/dev/null || { echo "weft exited; its log:"; cat "$work/weft.log"; exit 1; }
    sleep 0.1
  done
  echo "timed out waiting for $id ($predicate); weft's log:"; tail -20 "$work/weft.log"; exit 1
}

wait_for ORD000001 "d is not None"
echo
echo "==> snapshot done: $(sqlite3 "$work/docs.db" 'SELECT count(*) FROM orderSingleView') order documents. ORD000001:"
doc ORD000001

step() {  # step NAME PREDICATE: runs that step of the seed scenario, waits for the document, prints it
  local name=$1 predicate=$2
  echo
  echo "==> $name"
  /usr/bin/python3 - "$root/tests/data/seeds/scenario.sql" "$name" <<'PY' | sql shop
import sys
text = open(sys.argv[1]).read()
for block in text.split("-- step: ")[1:]:
    title, _, body = block.partition("\n")
    if title.strip() == sys.argv[2]:
        print(body)
PY
  wait_for ORD789654 "$predicate"
  doc ORD789654 || echo "(no document ORD789654 yet: a customer alone is not an order)"
}
step "insert customer" "d is None"
step "insert order" "d is not None and d['customer_info']['customer_city'] == 'New York'"
step "insert order item" "d is not None and len(d['order_items']) == 1"
step "insert product" "d is not None and 'product' in d['order_items'][0]"
step "insert seller" "d is not None and 'seller' in d['order_items'][0]"
step "insert payment" "d is not None and len(d['order_payments']) == 1"
step "ship the order" "d is not None and d['order_status'] == 'shipped'"
step "raise the payment" "d is not None and d['order_payments'][0]['payment_installments'] == 2"
step "change the item's price and freight" "d is not None and d['order_items'][0]['freight_value'] == 18"

echo
echo "==> the aggregate view state_revenue (revenue per customer state; NY came with the new order):"
for _ in $(seq 1 100); do
  sqlite3 "$work/docs.db" "SELECT 1 FROM state_revenue WHERE id = 'NY'" 2>/dev/null | grep -q 1 && break
  sleep 0.1
done
sqlite3 "$work/docs.db" "SELECT doc FROM state_revenue ORDER BY id"

echo
echo "==> weft verify (an independent join, and GROUP BY, on MariaDB vs the sink)"
"$weft" verify -c "$work/weft.toml"
echo
echo "==> stopping weft (SIGTERM)"
kill -TERM "$weft_pid"
wait "$weft_pid" && echo "weft exited 0"
weft_pid=""

echo
echo "==> weft init: a first config proposed from the schema alone (for your own database)"
echo "    the demo's tables declare no foreign keys, so the relations are guessed from key column names"
WEFT_SOURCE_PASSWORD=demo-password "$weft" init --source "mysql://weft@127.0.0.1:$port/shop" -o "$work/proposed.toml"
echo "    $work/proposed.toml proposes view(s) rooted at: $(sed -n 's/^root = "\(.*\)"/\1/p' "$work/proposed.toml" | paste -sd, -)"
echo "    with $(grep -c '^ *\[\[views.lookups\]\]' "$work/proposed.toml") lookups; weft check on it:"
WEFT_SOURCE_PASSWORD=demo-password "$weft" check -c "$work/proposed.toml" | sed 's/^/    /'
echo "Demo files are in $work (weft.toml, weft.log, docs.db, state.db, proposed.toml)."
