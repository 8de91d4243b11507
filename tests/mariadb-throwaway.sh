#!/usr/bin/env bash
# A throwaway MariaDB in a directory, for the demo and the benchmarks (the C++ test harness has its
# own, tests/integration/harness/mariadb_server.cpp):
#   tests/mariadb-throwaway.sh start DIR [PORT]   -> data dir, my.cnf and socket under DIR; prints the port
#   tests/mariadb-throwaway.sh stop DIR
# Binlog settings are the ones weft needs: ROW format, FULL row image, FULL row metadata, GTIDs.
set -euo pipefail
cmd=${1:?start|stop}
dir=${2:?directory}
case "$cmd" in
  start)
    port=${3:-$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    user_opt=""
    [ "$(id -u)" = 0 ] && user_opt="--user=root"
    if [ ! -d "$dir/data/mysql" ]; then
      mariadb-install-db --no-defaults --datadir="$dir/data" $user_opt --auth-root-authentication-method=normal \
        --skip-test-db >"$dir/install.log" 2>&1 || { cat "$dir/install.log"; exit 1; }
    fi
    cat >"$dir/my.cnf" <<CNF
[mariadbd]
datadir=$dir/data
socket=$dir/mysqld.sock
pid-file=$dir/mysqld.pid
log-error=$dir/mysqld.log
port=$port
bind-address=127.0.0.1
server_id=1
log_bin=$dir/data/mariadb-bin
binlog_format=ROW
binlog_row_image=FULL
binlog_row_metadata=FULL
innodb_buffer_pool_size=${WEFT_INNODB_POOL:-256M}
innodb_log_file_size=256M
innodb_flush_log_at_trx_commit=2
sync_binlog=0
max_allowed_packet=256M
tmpdir=$dir
skip-name-resolve
local-infile=1
character-set-server=utf8mb4
collation-server=utf8mb4_general_ci
$( [ "$(id -u)" = 0 ] && echo user=root )
CNF
    mariadbd --defaults-file="$dir/my.cnf" >/dev/null 2>&1 &
    for _ in $(seq 1 300); do
      if mariadb --protocol=TCP -h127.0.0.1 -P"$port" -uroot -e 'SELECT 1' >/dev/null 2>&1; then
        echo "$port" >"$dir/port"
        echo "$port"
        exit 0
      fi
      sleep 0.1
    done
    echo "MariaDB did not start; see $dir/mysqld.log:" >&2
    tail -20 "$dir/mysqld.log" >&2
    exit 1
    ;;
  stop)
    if [ -f "$dir/mysqld.pid" ]; then
      pid=$(cat "$dir/mysqld.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || exit 0; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
    ;;
  *) echo "usage: $0 start|stop DIR [PORT]" >&2; exit 2 ;;
esac
