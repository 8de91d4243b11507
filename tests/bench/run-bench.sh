#!/usr/bin/env bash
# The benchmark suite (issue 6), one command:
#   tests/bench/run-bench.sh
# Installs what is missing (tests/install-deps.sh, npm's @vlasky/zongji into a temp dir outside the
# repo), builds weft and the bench tools in build-bench/, starts a throwaway MariaDB, and runs:
#   snapshot   weft run --oneshot into SQLite at each scale, next to MariaDB's JSON_ARRAYAGG query
#              (compare_docs.py checks that both build the same documents)
#   catch-up   weft stopped, N mixed changes committed, weft restarted: changes/s (SQLite, null sink)
#   latency    bench_ts = NOW(6) updates at a fixed rate: commit to visible in the SQLite sink
#   reading    fetch-only vs weft's fetch and decode vs zongji on the catch-up binlog range
#   footprint  peak RSS (GNU time), state and sink file sizes per scale
# and writes tests/bench/results/<date>/report.md plus PNG charts. Nothing is timed as a test assert.
# Environment (defaults in brackets):
#   BENCH_SCALES ["0.25 1 4"]  BENCH_REPEATS [3]  BENCH_REPEATS_LARGEST [1]  BENCH_CATCHUP_SCALE [1]
#   BENCH_CHANGES [100000]  BENCH_LAT_RATE [1000]  BENCH_LAT_SECONDS [30]  WEFT_INNODB_POOL [1G]
#   BENCH_BUILD [build-bench]  BENCH_OUT [tests/bench/results/<date>]  BENCH_KEEP=1 keeps the work dir
#   BENCH_WEFT: a weft binary to measure instead of building one
#   BENCH_PHASES ["snapshot catchup latency"] ("query": MariaDB's query only)  BENCH_MERGE: see below
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
scales=${BENCH_SCALES:-"0.25 1 4"}
repeats=${BENCH_REPEATS:-3}
repeats_largest=${BENCH_REPEATS_LARGEST:-1}
catchup_scale=${BENCH_CATCHUP_SCALE:-1}
changes=${BENCH_CHANGES:-100000}
lat_rate=${BENCH_LAT_RATE:-1000}
lat_seconds=${BENCH_LAT_SECONDS:-30}
export WEFT_INNODB_POOL=${WEFT_INNODB_POOL:-1G}
build=${BENCH_BUILD:-$root/build-bench}
out=${BENCH_OUT:-$root/tests/bench/results/$(date +%F)}
node_dir=/tmp/weft-bench-node

"$root/tests/install-deps.sh"
command -v node >/dev/null && command -v npm >/dev/null || apt-get install -y --no-install-recommends nodejs npm
if [ ! -d "$node_dir/node_modules/@vlasky/zongji" ]; then
  mkdir -p "$node_dir"
  (cd "$node_dir" && npm init -y >/dev/null && npm install --no-audit --no-fund @vlasky/zongji >/dev/null)
fi
echo "==> building weft and the bench tools in $build"
targets="olist_gen olist_probe olist_read"; [ -n "${BENCH_WEFT:-}" ] || targets="weft $targets"
if ! { cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo && ninja -C "$build" $targets; } \
    >/tmp/weft-bench-build.log 2>&1; then
  echo "build failed; the end of /tmp/weft-bench-build.log:" >&2; tail -20 /tmp/weft-bench-build.log >&2; exit 1
fi
weft=${BENCH_WEFT:-$build/weft}
gen="$build/tests/bench/olist_gen"
probe="$build/tests/bench/olist_probe"
reader="$build/tests/bench/olist_read"

work=$(mktemp -d /tmp/weft-bench.XXXXXX)
results="$work/results.jsonl"
log="$work/bench.log"
bg_pid=""
weft_pid=""
cleanup() {
  [ -z "$bg_pid" ] || stop_weft
  "$root/tests/mariadb-throwaway.sh" stop "$work/mariadb" || true
  [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$work"
}
trap cleanup EXIT
echo "==> work dir $work (log: $log)"

port=$("$root/tests/mariadb-throwaway.sh" start "$work/mariadb")
sql() { mariadb --protocol=TCP -h127.0.0.1 -P"$port" -uroot --local-infile=1 "$@"; }
sql -e "CREATE USER weft@'127.0.0.1' IDENTIFIED BY 'bench';
        GRANT SELECT, RELOAD, REPLICATION SLAVE, BINLOG MONITOR ON *.* TO weft@'127.0.0.1';"
export WEFT_MYSQL_PASSWORD=bench

now() { date +%s.%N; }
elapsed() { /usr/bin/python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.6f}')" "$1" "$2"; }
load1() { cut -d' ' -f1 /proc/loadavg; }
record() { echo "$1" >>"$results"; echo "    $1"; }
rss_kb() { local v; v=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$1" 2>/dev/null); echo "${v:-0}"; }
size_of() { local total=0 f; for f in "$@"; do [ -f "$f" ] && total=$((total + $(stat -c %s "$f"))); done; echo "$total"; }
gtid_seq() { sql -N -e "SELECT @@gtid_binlog_pos" | tr ',' '\n' | sed -n 's/^0-[0-9]*-//p'; }
master() { sql -N -e "SHOW MASTER STATUS" | cut -f1,2; }

# load SCALE: a fresh `shop` database with the generated data set (TSV files made once per scale).
load() {
  local scale=$1 dir="$work/tsv-$1" t
  if [ ! -d "$dir" ]; then mkdir -p "$dir" && "$gen" tsv --scale "$scale" --out "$dir"; fi
  sql -e "DROP DATABASE IF EXISTS shop; CREATE DATABASE shop"
  sql shop <"$root/tests/data/seeds/schema.sql"
  for t in customers orders order_items order_payments products sellers; do
    sql shop -e "LOAD DATA LOCAL INFILE '$dir/ecom_$t.tsv' INTO TABLE ecom_$t"
  done
}

# config DIR SINK: the seeds' orderSingleView into SINK (sqlite: DIR/docs.db; null: JSONL to /dev/null).
config() { "$root/tests/bench/order_view_config.sh" "$1" "$port" "$2"; }

rows_of() { "$gen" info --scale "$1" | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(sum(d[k] for k in ('orders','customers','items','payments','products','sellers')))"; }

# snapshot SCALE REP: weft run --oneshot into SQLite, then MariaDB's one-query full refresh.
snapshot() {
  local scale=$1 rep=$2 dir="$work/snap-$1-$2" t0 t1 rc=0 docs
  config "$dir" sqlite
  local l0; l0=$(load1); t0=$(now)
  (cd "$dir" && /usr/bin/time -v -o time.txt timeout 3600 "$weft" run --oneshot -c weft.toml >out.txt 2>err.txt) || rc=$?
  t1=$(now)
  docs=$(sqlite3 "$dir/docs.db" "SELECT count(*) FROM orderSingleView" 2>/dev/null || echo 0)
  record "{\"bench\": \"snapshot\", \"engine\": \"weft\", \"scale\": $scale, \"rep\": $rep, \"rc\": $rc, \"seconds\": $(elapsed "$t0" "$t1"), \"rows\": $(rows_of "$scale"), \"docs\": $docs, \"rss_kb\": $(rss_kb "$dir/time.txt"), \"state_bytes\": $(size_of "$dir"/state.db*), \"sink_bytes\": $(size_of "$dir"/docs.db*), \"load1\": $l0}"
  [ "$rc" = 0 ] || { echo "weft run --oneshot failed (exit $rc); its log ends:"; tail -5 "$dir/err.txt"; } | tee -a "$log"
  cp "$dir/err.txt" "$work/weft-oneshot-$scale-$rep.log"
  # Like with like: the first run of each scale but the largest checks that MariaDB's query builds
  # exactly the documents weft wrote.
  if [ "$rep" = 1 ] && [ "$rc" = 0 ] && [ "$scale" != "$largest" ]; then
    local same=0 said
    said=$(/usr/bin/python3 "$root/tests/bench/compare_docs.py" --port "$port" --sink "$dir/docs.db" | head -1) || same=$?
    record "{\"bench\": \"equivalence\", \"scale\": $scale, \"rc\": $same, \"summary\": \"$said\"}"
  fi
  rm -f "$dir"/docs.db* "$dir"/state.db*
  refresh_query "$scale" "$rep"
}

# refresh_query SCALE REP: MariaDB builds every document with one query (order_docs.sql).
refresh_query() {
  local scale=$1 rep=$2 l0 t0 t1 rc=0 res
  l0=$(load1); t0=$(now)
  res=$(sql -N shop <"$root/tests/bench/order_docs.sql" 2>>"$log") || rc=$?
  t1=$(now)
  [ "$rc" = 0 ] || res="0	0"
  record "{\"bench\": \"snapshot\", \"engine\": \"mariadb\", \"scale\": $scale, \"rep\": $rep, \"rc\": $rc, \"seconds\": $(elapsed "$t0" "$t1"), \"docs\": $(cut -f1 <<<"$res"), \"doc_bytes\": $(cut -f2 <<<"$res"), \"load1\": $l0}"
}

# start_weft DIR N: weft run in the background under GNU time (peak RSS to DIR/time-N.txt);
# stop_weft: SIGTERM to weft itself (time only writes its report when its child exits), then wait.
start_weft() {
  local dir=$1 n=$2
  (cd "$dir" && exec /usr/bin/time -v -o "time-$n.txt" "$weft" run -c weft.toml >>out.txt 2>>err.txt) &
  bg_pid=$!
  weft_pid=""
  for _ in $(seq 1 500); do weft_pid=$(pgrep -P "$bg_pid" || true); [ -n "$weft_pid" ] && break; sleep 0.01; done
}
stop_weft() {
  [ -n "$weft_pid" ] && kill -TERM "$weft_pid" 2>/dev/null || true
  wait "$bg_pid" 2>/dev/null || true
  bg_pid=""; weft_pid=""
}

# reading FILE POS MARKER REP: the same binlog range read three ways.
reading() {
  local file=$1 pos=$2 marker=$3 rep=$4 t0 t1 res wpid
  res=$("$probe" fetch --port "$port" --user root --file "$file" --start "$pos")
  record "{\"bench\": \"reading\", \"reader\": \"fetch\", \"rep\": $rep, \"changes\": $changes, \"result\": $res}"
  local mode; for mode in fetch decode; do
    res=$("$reader" --port "$port" --user root --file "$file" --start "$pos" --mode "$mode" || echo '{"error": "olist_read failed"}')
    record "{\"bench\": \"reading\", \"reader\": \"weft $mode\", \"rep\": $rep, \"changes\": $changes, \"result\": $res}"
  done
  local fifo="$work/tail.fifo" dir="$work/tail"; rm -f "$fifo"; mkfifo "$fifo"; config "$dir" null
  t0=$(now)
  (cd "$dir" && exec timeout 900 "$weft" tail -c weft.toml --source shop --from "v1;file=$file;pos=$pos;skip=0" >"$fifo" 2>tail.err) &
  wpid=$!
  # Up to the marker (the last change): a few generated updates change nothing and are not logged.
  local lines; lines=$(awk -v m="\"$marker\"" 'index($0, m) { print NR; found = 1; exit } END { if (!found) print 0 }' "$fifo")
  t1=$(now)
  kill -TERM "$wpid" 2>/dev/null || true; wait "$wpid" 2>/dev/null || true
  record "{\"bench\": \"reading\", \"reader\": \"weft tail\", \"rep\": $rep, \"changes\": $lines, \"records\": $lines, \"seconds\": $(elapsed "$t0" "$t1")}"
  local end; end=$(master | cut -f2)
  res=$(ZONGJI_DIR="$node_dir" timeout 900 node "$root/tests/bench/zongji_read.mjs" 127.0.0.1 "$port" weft bench "$file" "$pos" "$end" || echo '{"error": "zongji failed"}')
  record "{\"bench\": \"reading\", \"reader\": \"zongji\", \"rep\": $rep, \"changes\": $changes, \"result\": $res}"
}

# catchup SINK REP: snapshot with weft run, stop it, commit the changes, restart and time the catch-up.
catchup() {
  local sink=$1 rep=$2 dir="$work/catchup-$1-$2" t0 t1 rc=0 seq mfile mpos summary marker="m-$1-$2"
  load "$catchup_scale"
  config "$dir" "$sink"
  seq=$(gtid_seq)
  start_weft "$dir" 1
  "$probe" wait-offset --state "$dir/state.db" --gtid-seq "$seq" --timeout 3600 >/dev/null || rc=$?
  stop_weft
  summary=$("$gen" changes --scale "$catchup_scale" --count "$changes" --change-seed "$rep" --marker "$marker" --out "$work/changes.sql")
  read -r mfile mpos < <(master)
  t0=$(now)
  sql shop <"$work/changes.sql"
  t1=$(now)
  local apply; apply=$(elapsed "$t0" "$t1")
  seq=$(gtid_seq)
  if [ "$sink" = sqlite ] && [ "$rep" = 1 ]; then
    local r; for r in $(seq 1 "$repeats"); do reading "$mfile" "$mpos" "$marker" "$r"; done
  fi
  local l0; l0=$(load1); t0=$(now)
  start_weft "$dir" 2
  if [ "$sink" = sqlite ]; then
    local order; order=$(/usr/bin/python3 -c "import json,sys; print(json.loads(sys.argv[1])['marker_order'])" "$summary")
    "$probe" wait-doc --sink "$dir/docs.db" --collection orderSingleView --id "$order" --field order_status \
      --value "$marker" --timeout 3600 >/dev/null || rc=$?
  else
    "$probe" wait-offset --state "$dir/state.db" --gtid-seq "$seq" --timeout 3600 >/dev/null || rc=$?
  fi
  t1=$(now)
  stop_weft
  record "{\"bench\": \"catchup\", \"sink\": \"$sink\", \"scale\": $catchup_scale, \"rep\": $rep, \"rc\": $rc, \"changes\": $changes, \"seconds\": $(elapsed "$t0" "$t1"), \"apply_seconds\": $apply, \"rss_kb\": $(rss_kb "$dir/time-2.txt"), \"snapshot_rss_kb\": $(rss_kb "$dir/time-1.txt"), \"state_bytes\": $(size_of "$dir"/state.db*), \"sink_bytes\": $(size_of "$dir"/docs.db*), \"load1\": $l0, \"workload\": $summary}"
  cp "$dir/err.txt" "$work/weft-catchup-$sink-$rep.log"
  rm -rf "$dir"
}

# latency: bench_ts = NOW(6) on distinct orders at a fixed rate, watched in the SQLite sink.
latency() {
  local dir="$work/latency" rc=0 seq res
  load "$catchup_scale"
  sql shop -e "ALTER TABLE ecom_orders ADD COLUMN bench_ts DATETIME(6)"
  config "$dir" sqlite
  seq=$(gtid_seq)
  start_weft "$dir" 1
  "$probe" wait-offset --state "$dir/state.db" --gtid-seq "$seq" --timeout 3600 >/dev/null || rc=$?
  # And until the snapshot's documents are all in the sink and reconciled: a weft that writes them
  # after committing its offset (not through the outbox) would otherwise make the first second of
  # updates wait behind the snapshot's tail, which is not a steady-state latency.
  local waited=0
  until [ "$(sqlite3 "$dir/state.db" "SELECT value FROM meta WHERE key='unreconciled_snapshot:order_single_view'" 2>/dev/null)" = 0 ]; do
    sleep 0.05; waited=$((waited + 1)); [ "$waited" -lt 12000 ] || { rc=1; break; }
  done
  local l0; l0=$(load1)
  res=$("$probe" latency --port "$port" --user root --db shop --sink "$dir/docs.db" \
        --collection orderSingleView --rate "$lat_rate" --seconds "$lat_seconds" --out "$work/latencies.txt") || rc=$?
  stop_weft
  record "{\"bench\": \"latency\", \"scale\": $catchup_scale, \"rc\": $rc, \"rate\": $lat_rate, \"load1\": $l0, \"rss_kb\": $(rss_kb "$dir/time-1.txt"), \"result\": ${res:-null}}"
}

# Which weft is measured: the commit it was built from (a BENCH_WEFT binary says when it was built).
weft_label="$(git -C "$root" rev-parse --short HEAD)$( [ -z "$(git -C "$root" status --porcelain src)" ] || echo ' plus uncommitted changes in src/')"
[ -z "${BENCH_WEFT:-}" ] || weft_label="binary $BENCH_WEFT built $(date -u -r "$BENCH_WEFT" +%FT%TZ)"
{
  echo "{\"date\": \"$(date -u +%FT%TZ)\", \"host_cpus\": $(nproc), \"cpu\": \"$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)\", \"mem_mb\": $(($(sed -n 's/^MemTotal: *\([0-9]*\).*/\1/p' /proc/meminfo) / 1024)), \"mariadb\": \"$(sql -N -e 'SELECT VERSION()')\", \"weft_commit\": \"$weft_label\", \"zongji\": \"$(node -e "console.log(require('$node_dir/node_modules/@vlasky/zongji/package.json').version)" 2>/dev/null || echo '?')\", \"node\": \"$(node --version)\", \"innodb_pool\": \"$WEFT_INNODB_POOL\", \"changes\": $changes, \"repeats\": $repeats, \"lat_rate\": $lat_rate, \"lat_seconds\": $lat_seconds, \"load_at_start\": \"$(cut -d' ' -f1-3 /proc/loadavg)\", \"merged\": \"${BENCH_MERGE:-}\", \"phases\": \"${BENCH_PHASES:-snapshot catchup latency}\"}"
} >"$work/meta.json"

# BENCH_MERGE=results.jsonl of an earlier run (its weft logs beside it): its measurements go into
# this report too, e.g. to run only the phases that failed there (BENCH_PHASES="query catchup").
if [ -n "${BENCH_MERGE:-}" ]; then
  cp "$BENCH_MERGE" "$results"
  cp "$(dirname "$BENCH_MERGE")"/weft-oneshot-*.log "$work"/ 2>/dev/null || true
  echo "merged with $BENCH_MERGE" >>"$log"
fi
phases=${BENCH_PHASES:-"snapshot catchup latency"}
largest=$(tr ' ' '\n' <<<"$scales" | sort -g | tail -1)
for scale in $scales; do
  n=$repeats; [ "$scale" = "$largest" ] && n=$repeats_largest
  if [[ " $phases " == *" snapshot "* ]]; then
    echo "==> snapshot, scale $scale"
    load "$scale"
    for rep in $(seq 1 "$n"); do snapshot "$scale" "$rep"; done
  elif [[ " $phases " == *" query "* ]]; then  # only MariaDB's full-refresh query
    echo "==> MariaDB full-refresh query, scale $scale"
    load "$scale"
    for rep in $(seq 1 "$n"); do refresh_query "$scale" "$rep"; done
  fi
done
if [[ " $phases " == *" catchup "* ]]; then
  for rep in $(seq 1 "$repeats"); do
    for sink in sqlite null; do
      echo "==> catch-up of $changes changes into $sink, run $rep"
      catchup "$sink" "$rep"
    done
  done
fi
if [[ " $phases " == *" latency "* ]]; then
  echo "==> latency at $lat_rate changes/s for $lat_seconds s"
  latency
fi
echo "load_at_end $(cut -d' ' -f1-3 /proc/loadavg)" >>"$log"

mkdir -p "$out"
/usr/bin/python3 "$root/tests/bench/report.py" --results "$results" --meta "$work/meta.json" \
  --latencies "$work/latencies.txt" --out "$out"
echo "==> report: $out/report.md"
