#!/usr/bin/env bash
# Issue 13's goal for the binlog file reader, measured (never asserted): decoding a binlog file at
# 70% or more of the rate of reading its bytes and splitting its events, and faster than
# `mariadb-binlog -v` on the same MariaDB file. Files: the bulk MySQL 8.0.34 fixture (~135k rows)
# and a MariaDB binlog of similar size written here by a throwaway server (BENCH_ROWS rows).
#   tests/bench/binlog_file_bench.sh [BUILD_DIR]     (needs weft and unit_source_mysql built)
# Prints medians of a few runs and the load average; on a shared machine the figures move.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
rows=${BENCH_ROWS:-135000}
runs=${BENCH_RUNS:-3}
work=$(mktemp -d)
stop_server() {
  if [ -f "$work/pid" ]; then
    local pid
    pid=$(cat "$work/pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$work"
}
trap stop_server EXIT

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
time_cmd() {  # median wall seconds of "$@" > /dev/null over $runs runs
  for _ in $(seq "$runs"); do
    local s e
    s=$(date +%s.%N); "$@" > /dev/null; e=$(date +%s.%N)
    echo "$e - $s" | bc -l
  done | median
}

echo "== load: $(uptime)"
bulk="$root/tests/data/mysql8/binlogs/mysql-8.0.34-tzinfo-bulk.binlog"
echo "== MySQL 8.0.34 bulk fixture"
WEFT_BENCH_BINLOG="$bulk" "$build/tests/unit_source_mysql" --no-skip -tc='*binlog file speed*' | grep -v '^\[doctest\]\|^=*$'
echo "  weft tail --binlog-file: $(time_cmd "$build/weft" tail --binlog-file "$bulk") s"

echo "== MariaDB binlog of $rows rows (throwaway server)"
user=""
[ "$(id -u)" = 0 ] && user="--user=root"
mariadb-install-db --no-defaults --datadir="$work/data" $user --auth-root-authentication-method=normal \
  --skip-test-db >"$work/install.log" 2>&1
cat >"$work/my.cnf" <<CNF
[mariadbd]
datadir=$work/data
socket=$work/sock
pid-file=$work/pid
log-error=$work/log
tmpdir=$work
skip-networking
server_id=1
log_bin=$work/data/mariadb-bin
binlog_format=ROW
binlog_row_image=FULL
binlog_row_metadata=FULL
innodb_flush_log_at_trx_commit=2
sync_binlog=0
max_allowed_packet=64M
$( [ -n "$user" ] && echo user=root )
CNF
mariadbd --defaults-file="$work/my.cnf" >/dev/null 2>&1 &
for _ in $(seq 100); do [ -S "$work/sock" ] && break; sleep 0.2; done
sql() { mariadb --no-defaults -uroot -S "$work/sock" -N -e "$1"; }
sql "CREATE DATABASE b; CREATE TABLE b.t (id INT PRIMARY KEY, name CHAR(20), v BIGINT, d DATE, k ENUM('a','b','c'))"
sql "USE b; INSERT INTO b.t SELECT seq, CONCAT('name', seq), seq * 7, '2024-01-01' + INTERVAL (seq % 365) DAY, 1 + seq % 3
     FROM seq_1_to_$rows"
sql "FLUSH BINARY LOGS"
file=$(ls "$work"/data/mariadb-bin.0* | head -1)
echo "  file: $(basename "$file"), $(stat -c %s "$file") bytes"
WEFT_BENCH_BINLOG="$file" "$build/tests/unit_source_mysql" --no-skip -tc='*binlog file speed*' | grep -v '^\[doctest\]\|^=*$'
echo "  weft tail --binlog-file: $(time_cmd "$build/weft" tail --binlog-file "$file") s"
echo "  mariadb-binlog -v:       $(time_cmd mariadb-binlog --no-defaults -v "$file") s"
echo "== load: $(uptime)"
