#!/usr/bin/env bash
# `tests/demo/demo.sh --postgres`: the same demo over PostgreSQL, on seed 003's tables (users,
# products, sales): a live wide document of each sale with its user and product embedded.
#   1. installs the Debian packages (when missing) and builds weft
#   2. starts a throwaway PostgreSQL 15 in a temp dir (wal_level = logical) with sample rows
#   3. weft check, then weft run into the embedded SQLite sink (snapshot through a new slot)
#   4. changes a user, a product and adds a sale, printing the sale document after each
#   5. weft verify, then stops weft (SIGTERM) and PostgreSQL
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/tests/install-deps.sh"
echo "==> building weft (first run: ~3-4 min on 2 cores; progress below)"
"$root/tests/demo/build-weft.sh" "$root"
weft="$root/build/weft"
bin=/usr/lib/postgresql/15/bin

work=$(mktemp -d /tmp/weft-demo-pg.XXXXXX)
chmod 755 "$work"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$work"
weft_pid=""
cleanup() {
  [ -n "$weft_pid" ] && kill "$weft_pid" 2>/dev/null && wait "$weft_pid" 2>/dev/null || true
  as_pg "$bin/pg_ctl" -D "$work/pg" -m fast -w stop >/dev/null 2>&1 || true
}
trap cleanup EXIT

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "==> starting a throwaway PostgreSQL 15 in $work/pg on port $port"
as_pg "$bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 --locale=C --no-sync >/dev/null
cat >>"$work/pg/postgresql.conf" <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
wal_level = logical
max_replication_slots = 4
max_wal_senders = 4
CONF
as_pg "$bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start >/dev/null
psql() { command psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" "$@"; }
psql -U postgres -d postgres -c "CREATE ROLE weft LOGIN REPLICATION PASSWORD 'demo-password'" \
  -c "CREATE DATABASE shop OWNER weft"
export PGPASSWORD=demo-password
psql -U weft -d shop <<'SQL'
CREATE TABLE users (user_id integer PRIMARY KEY, username varchar, email varchar, registration_date date,
                    last_login timestamp, address varchar);
CREATE TABLE products (product_id integer PRIMARY KEY, product_name varchar, brand varchar, category varchar,
                       price numeric, stock_quantity integer);
CREATE TABLE sales (sale_id integer PRIMARY KEY, user_id integer, product_id integer, sale_date date,
                    quantity integer, total_price numeric);
INSERT INTO users VALUES (1, 'ana', 'ana@example.com', '2023-01-10', '2023-11-02 10:20:00', '1 Rua Augusta, Sao Paulo'),
                         (2, 'bo', 'bo@example.com', '2023-03-05', '2023-11-01 08:00:00', '5 Main St, Boston');
INSERT INTO products VALUES (10, 'Trail shoe', 'Acme', 'shoes', 89.90, 40), (11, 'Rain jacket', 'Nimbus', 'outdoor', 120.00, 12);
INSERT INTO sales VALUES (100, 1, 10, '2023-11-02', 1, 89.90), (101, 2, 11, '2023-11-02', 2, 240.00);
SQL

cat >"$work/weft.toml" <<TOML
# The PostgreSQL demo's config: each sale with its user and product, into the embedded SQLite store.
[state]
path = "state.db"

[sources.shop]
kind = "postgresql"
host = "127.0.0.1"
port = $port
user = "weft"
password = "\${WEFT_PG_PASSWORD}"
database = "shop"

[sinks.local]
kind = "sqlite"
path = "docs.db"

[status]
listen = "off"

[[views]]
name = "sale_view"
source = "shop"
root = "sales"
sink = "local"
collection = "saleView"

  [[views.lookups]]
  table = "users"
  path = "user"
  type = "object"
  relation = [["user_id", "user_id"]]

  [[views.lookups]]
  table = "products"
  path = "product"
  type = "object"
  relation = [["product_id", "product_id"]]
TOML
export WEFT_PG_PASSWORD=demo-password

echo "==> weft check"
"$weft" check -c "$work/weft.toml"
echo "==> weft run (log: $work/weft.log)"
"$weft" run -c "$work/weft.toml" >"$work/weft.out" 2>"$work/weft.log" &
weft_pid=$!

doc() { sqlite3 "$work/docs.db" "SELECT doc FROM saleView WHERE id = '$1'" 2>/dev/null | python3 -m json.tool; }
wait_for() {  # wait_for ID PREDICATE (python over the document `d`)
  for _ in $(seq 1 100); do
    if sqlite3 "$work/docs.db" "SELECT doc FROM saleView WHERE id = '$1'" 2>/dev/null |
       python3 -c "import json,sys; t=sys.stdin.read(); d=json.loads(t) if t.strip() else None; sys.exit(0 if ($2) else 1)"; then
      return 0
    fi
    kill -0 "$weft_pid" 2>/dev/null || { echo "weft exited; its log:"; cat "$work/weft.log"; exit 1; }
    sleep 0.1
  done
  echo "timed out waiting for sale $1 ($2); weft's log:"; tail -20 "$work/weft.log"; exit 1
}
step() {  # step TITLE SQL ID PREDICATE
  echo; echo "==> $1"; echo "    $2"
  psql -U weft -d shop -c "$2"
  wait_for "$3" "$4"
  doc "$3"
}

wait_for 100 "d is not None"
echo; echo "==> snapshot done: sale 100 with its user and product embedded"
doc 100
step "the user moves" "UPDATE users SET address = '9 Avenida Paulista, Sao Paulo' WHERE user_id = 1" 100 \
  "d['user']['address'].startswith('9 ')"
step "the product's price drops" "UPDATE products SET price = 79.90 WHERE product_id = 10" 100 \
  "str(d['product']['price']) == '79.9'"
step "a new sale" "INSERT INTO sales VALUES (102, 2, 10, '2023-11-03', 3, 239.70)" 102 \
  "d is not None and d['user']['username'] == 'bo'"

echo; echo "==> weft verify (an independent join on PostgreSQL vs the sink)"
"$weft" verify -c "$work/weft.toml"
echo; echo "==> stopping weft (SIGTERM)"
kill -TERM "$weft_pid"
wait "$weft_pid" && echo "weft exited 0"
weft_pid=""
echo "Demo files are in $work (weft.toml, weft.log, docs.db, state.db, pg.log)."
